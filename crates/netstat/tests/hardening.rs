//! What real programs and deliberate breaking found (issue 12): chkrootkit's view of the binary,
//! `--version` as scripts read it, option errors byte for byte, `-c` operands, and runs under
//! resource limits, churn and slow name servers.

mod common;

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Netns, REFERENCE, ours};

/// Whether `tool` can be run; without it the test skips loudly, and fails under `CI=true`.
fn have(tool: &str) -> bool {
    if Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
        || Path::new(tool).exists()
    {
        return true;
    }
    let message = format!("SKIPPED: needs {tool}");
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{message} (a skip fails under CI=true)");
    }
    eprintln!("\n!!!!!!!!!! {message} !!!!!!!!!!\n");
    false
}

/// chkrootkit's `netstat` test greps `strings -a` of the binary for these (from its
/// `NETSTAT_I_L`); any of them makes it report the binary as INFECTED.
const CHKROOTKIT_NETSTAT_PATTERN: &str = "/dev/hdl0/dev/xdta|/dev/ttyoa|/dev/pty[pqrsx]|/dev/cui|\
    /dev/hdn0|/dev/cui221|/dev/dszy|/dev/ddth3|/dev/caca|^/prof|/dev/tux|grep|addr\\.h|__bzero";

#[test]
#[ignore = "needs binutils (strings)"]
fn the_binary_has_none_of_chkrootkits_netstat_strings() {
    if !have("strings") {
        return;
    }
    let out = Command::new("sh")
        .args([
            "-c",
            r#"strings -a "$1" | grep -E "$2""#,
            "sh",
            ours().to_str().expect("utf-8 path"),
            CHKROOTKIT_NETSTAT_PATTERN,
        ])
        .output()
        .expect("run strings");
    assert_eq!(
        out.status.code(),
        Some(1),
        "strings chkrootkit flags:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
#[ignore = "needs root, chkrootkit and unshare"]
fn chkrootkit_finds_our_netstat_not_infected() {
    if !common::prerequisites() || !have("/usr/sbin/chkrootkit") {
        return;
    }
    // Our binary over /usr/bin/netstat, in a mount namespace of its own: nothing outside sees it.
    let out = Command::new("unshare")
        .args([
            "-m",
            "--propagation",
            "private",
            "sh",
            "-c",
            r#"mount --bind "$1" /usr/bin/netstat && /usr/bin/netstat --version | head -1 &&
               /usr/sbin/chkrootkit netstat"#,
            "sh",
            ours().to_str().expect("utf-8 path"),
        ])
        .env("LC_ALL", "C")
        .output()
        .expect("run chkrootkit");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("net-tools 2.10 compatible netstat"),
        "our binary was the one checked:\n{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("Checking `netstat'") && l.ends_with("not infected")),
        "chkrootkit netstat:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn version_first_line_names_net_tools_2_10() {
    let out = Command::new(ours()).arg("--version").output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next().unwrap_or_default();
    // What scripts run: netstat --version | head -1 | grep -o "net-tools [0-9.]*"
    assert!(first.contains("net-tools 2.10 "), "{first}");
    assert!(first.ends_with(env!("CARGO_PKG_VERSION")), "{first}");
    assert_eq!(out.status.code(), Some(0));
}

/// Runs `binary` as `netstat` outside any namespace (option errors need no sockets).
fn run_plain(binary: &Path, args: &[&[u8]]) -> common::Run {
    use std::os::unix::ffi::OsStrExt;
    let out = Command::new(binary)
        .arg0("netstat")
        .args(args.iter().map(|a| std::ffi::OsStr::from_bytes(a)))
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .output()
        .expect("run netstat");
    common::Run {
        stdout: out.stdout,
        stderr: out.stderr,
        code: out.status.code(),
    }
}

/// The first line of stderr and the status: the usage text after it is our own.
fn error_line(run: &common::Run) -> (Vec<u8>, Option<i32>) {
    let line = run.stderr.split(|&b| b == b'\n').next().unwrap_or_default();
    (line.to_vec(), run.code)
}

#[test]
fn option_errors_echo_the_raw_bytes_as_glibc_does() {
    if !have(REFERENCE) {
        return;
    }
    for args in [
        &[&b"-\xc1"[..]][..],
        &[b"-t\xc1n"],
        &[b"--\xc1x"],
        &[b"--tcp\xff"],
        &[b"-\x9b"],
        &[b"--in\xc3"],
    ] {
        let ours = run_plain(&ours(), args);
        let reference = run_plain(Path::new(REFERENCE), args);
        assert_eq!(
            error_line(&ours),
            error_line(&reference),
            "{args:?}: {:?} vs {:?}",
            String::from_utf8_lossy(&ours.stderr),
            String::from_utf8_lossy(&reference.stderr)
        );
    }
}

/// `-c` with an operand that is no interval: net-tools takes no value for -c and ignores every
/// operand, so it repeats every second. The first pass is compared, and both still run.
#[test]
fn continuous_ignores_an_operand_that_is_not_an_interval() {
    let Some(ns) = Netns::new("contop") else {
        return;
    };
    ns.sh("ip addr add 10.12.0.1/24 dev lo");
    for operand in ["0", "1.2.3", "x"] {
        let first_pass = |binary: &Path| {
            let mut child = ns
                .command("bash")
                .args(["-c", r#"exec -a netstat "$@""#, "netstat"])
                .arg(binary)
                .args(["-c", operand, "-rn"])
                .env("LC_ALL", "C")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start");
            std::thread::sleep(Duration::from_millis(1500));
            let running = child.try_wait().expect("wait").is_none();
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            let first = text
                .split("Kernel IP routing table\n")
                .nth(1)
                .unwrap_or_default()
                .to_string();
            (running, first, out.stderr)
        };
        let ours = first_pass(&ours());
        let reference = first_pass(Path::new(REFERENCE));
        assert!(reference.0 && ours.0, "-c {operand}: both keep running");
        assert_eq!(ours, reference, "-c {operand}");
    }
}
