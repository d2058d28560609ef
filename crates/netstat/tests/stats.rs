//! Differential tests of `netstat -s` against net-tools, in a namespace with some loopback
//! traffic behind it.
//!
//! Counters may move between the two runs, so stdout is compared line by line: each line must
//! be identical once digits are masked, and each number must be within ±20 or ±2% of
//! net-tools' (whichever is larger). Stderr and the exit status must be identical.

mod common;

use std::process::Stdio;

use common::{As, Netns, Run, ours};

/// TCP (including a refused connection), UDP (including one to a closed port, which answers with
/// ICMP unreachable) and ICMP echo, over IPv4 and IPv6 loopback.
const TRAFFIC: &str = r#"
import socket, subprocess
for fam, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    srv = socket.socket(fam)
    srv.bind((host, 0))
    srv.listen()
    cli = socket.create_connection(srv.getsockname()[:2])
    acc, _ = srv.accept()
    cli.sendall(b"x" * 100000)
    got = 0
    while got < 100000:
        got += len(acc.recv(65536))
    for s in (cli, acc, srv):
        s.close()
    try:
        socket.create_connection((host, 9), timeout=2)
    except OSError:
        pass
    rcv = socket.socket(fam, socket.SOCK_DGRAM)
    rcv.bind((host, 0))
    snd = socket.socket(fam, socket.SOCK_DGRAM)
    for _ in range(5):
        snd.sendto(b"hello", rcv.getsockname()[:2])
        rcv.recv(64)
    snd.sendto(b"nobody listens", (host, 9))
    icmp = socket.socket(fam, socket.SOCK_DGRAM, socket.IPPROTO_ICMP if fam == socket.AF_INET else socket.IPPROTO_ICMPV6)
    icmp.sendto(b"\x08\x00\x00\x00\x00\x01\x00\x01" if fam == socket.AF_INET else b"\x80\x00\x00\x00\x00\x01\x00\x01", (host, 0))
    icmp.settimeout(2)
    icmp.recv(64)
"#;

fn namespace(tag: &str) -> Option<Netns> {
    let ns = Netns::new(tag)?;
    ns.sh("sysctl -qw net.ipv4.ping_group_range='0 2147483647'");
    ns.sh(&format!("python3 -c '{}'", TRAFFIC.replace('\'', "'\\''")));
    Some(ns)
}

/// Stdout lines with every digit run replaced by `#`, and the numbers taken out.
fn shape(line: &str) -> (String, Vec<u64>) {
    let mut masked = String::new();
    let mut numbers = Vec::new();
    let mut digits = String::new();
    for c in line.chars().chain(std::iter::once('\n')) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if !digits.is_empty() {
            masked.push('#');
            numbers.push(digits.parse().unwrap_or(u64::MAX));
            digits.clear();
        }
        if c != '\n' {
            masked.push(c);
        }
    }
    (masked, numbers)
}

fn close_enough(ours: u64, reference: u64) -> bool {
    let tolerance = (reference / 50).max(20);
    ours.abs_diff(reference) <= tolerance
}

/// Compares two runs with the tolerance described at the top of this file.
fn assert_similar(ours: &Run, reference: &Run, what: &str) {
    assert_eq!(
        String::from_utf8_lossy(&ours.stderr),
        String::from_utf8_lossy(&reference.stderr),
        "{what}: stderr"
    );
    assert_eq!(ours.code, reference.code, "{what}: exit status");
    let (ours_text, reference_text) = (ours.stdout_text(), reference.stdout_text());
    let ours_lines: Vec<&str> = ours_text.split('\n').collect();
    let reference_lines: Vec<&str> = reference_text.split('\n').collect();
    let mut report = String::new();
    if ours_lines.len() != reference_lines.len() {
        report += &format!(
            "{} lines (ours) vs {} (net-tools)\n",
            ours_lines.len(),
            reference_lines.len()
        );
    }
    for (i, (a, b)) in ours_lines.iter().zip(&reference_lines).enumerate() {
        let ((mask_a, numbers_a), (mask_b, numbers_b)) = (shape(a), shape(b));
        let numbers_ok = numbers_a
            .iter()
            .zip(&numbers_b)
            .all(|(&x, &y)| close_enough(x, y));
        if mask_a != mask_b || !numbers_ok {
            report += &format!("  line {}:\n    ours: {a:?}\n    ref:  {b:?}\n", i + 1);
        }
    }
    assert!(
        report.is_empty(),
        "{what}: stdout differs from net-tools\n{report}"
    );
}

fn assert_same_stats(ns: &Netns, flags: &[&str]) {
    let (ours, reference) = ns.run_both(flags, As::Root);
    assert_similar(&ours, &reference, &format!("netstat {}", flags.join(" ")));
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn statistics_match_net_tools() {
    let Some(ns) = namespace("stats") else { return };
    // The traffic must show, or the comparison proves little.
    let (ours, _) = ns.run_both(&["-st"], As::Root);
    let text = ours.stdout_text();
    let opens = text
        .lines()
        .find(|l| l.ends_with("active connection openings"));
    assert!(
        opens.is_some_and(|l| !l.trim_start().starts_with("0 ")),
        "no TCP traffic seen:\n{text}"
    );
    for line in include_str!("fixtures/stats_flags.txt").lines() {
        let flags: Vec<&str> = line.split_whitespace().collect();
        assert_same_stats(&ns, &flags);
    }
}

/// `-c` is ignored with `-s`: one pass, then exit 0. A time limit turns a repeat into a failure
/// instead of a hang.
#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn continuous_does_not_repeat() {
    let Some(ns) = namespace("statsc") else {
        return;
    };
    let run = |binary: &std::path::Path| {
        let out = ns
            .command("timeout")
            .arg("10")
            .arg(binary)
            .arg("-sc")
            .env("LC_ALL", "C")
            .stdin(Stdio::null())
            .output()
            .expect("run netstat -sc");
        Run {
            stdout: out.stdout,
            stderr: out.stderr,
            code: out.status.code(),
        }
    };
    let reference = run(std::path::Path::new(common::REFERENCE));
    let ours = run(&ours());
    assert_eq!(ours.code, Some(0), "netstat -sc did not exit by itself");
    assert_similar(&ours, &reference, "netstat -sc");
}

#[test]
fn tolerance_rules() {
    assert_eq!(
        shape("    12 segments received"),
        ("    # segments received".to_string(), vec![12])
    );
    assert_eq!(shape("InType3: 1"), ("InType#: #".to_string(), vec![3, 1]));
    assert!(close_enough(120, 100) && !close_enough(121, 100));
    assert!(close_enough(10_200, 10_000) && !close_enough(10_201, 10_000));
}
