//! What real programs and deliberate breaking found (issue 12): chkrootkit's view of the binary,
//! `--version` as scripts read it, option errors byte for byte, `-c` operands, and runs under
//! resource limits, churn and slow name servers.

mod common;

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{As, Netns, REFERENCE, ours};

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
    testkit::skip(&format!("needs {tool}"));
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
    as_run(out)
}

fn as_run(out: std::process::Output) -> common::Run {
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
#[ignore = "needs root, net-tools, iproute2 and python3"]
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

/// A resolver that answers in 1.2 s per query gives names, as it does to net-tools (which asks
/// one address at a time): the default budget is one resolver timeout, not less.
#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn a_slow_resolver_within_the_default_budget_gives_names() {
    let Some(ns) = Netns::new("slowdns") else {
        return;
    };
    let mut fixture = ns.dns_scene("10.78", 3, "1.2");
    let (ours, reference) = ns.run_both(&["-t"], As::Root);
    drop(fixture.stdin.take());
    let _ = fixture.wait();
    assert!(
        reference.stdout_text().contains("h-10-78-1-1.test"),
        "the fixture's names reach net-tools:\n{}",
        reference.stdout_text()
    );
    common::assert_runs_equal(&ours, &reference, "netstat -t with a 1.2 s resolver");
}

/// `--name-timeout`: a budget shorter than the resolver prints numbers; `0` waits for names.
#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn name_timeout_sets_the_budget() {
    let Some(ns) = Netns::new("nametimeout") else {
        return;
    };
    let mut fixture = ns.dns_scene("10.78", 2, "1.2");
    let short = ns.run(&ours(), &["-t", "--name-timeout", "0.3"], As::Root);
    let unlimited = ns.run(&ours(), &["-t", "--name-timeout", "0"], As::Root);
    let reference = ns.run(Path::new(REFERENCE), &["-t"], As::Root);
    let bad = ns.run(&ours(), &["-t", "--name-timeout", "soon"], As::Root);
    drop(fixture.stdin.take());
    let _ = fixture.wait();
    short.succeeds();
    assert!(
        short.stdout_text().contains("10.78.1.1:"),
        "{}",
        short.stdout_text()
    );
    assert!(!short.stdout_text().contains(".test:"));
    common::assert_runs_equal(&unlimited, &reference, "--name-timeout 0");
    assert_eq!(bad.code, Some(3));
}

/// netstat's own look-ups (UDP sockets to the name server, made while later tables are read)
/// never show in the listing: here the only other UDP socket is the server's own.
#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn own_name_lookups_are_not_listed() {
    let Some(ns) = Netns::new("ownlookups") else {
        return;
    };
    let mut fixture = ns.dns_scene("10.78", 4, "3");
    let runs: Vec<common::Run> = [
        &["-tua", "--name-timeout", "0.5"][..],
        &["-tuap", "--name-timeout", "0.5"],
        &["-tua", "-c", "--name-timeout", "0.5"],
    ]
    .iter()
    .map(|args| {
        if args.contains(&"-c") {
            // Two passes: the second reads the tables while the first's look-ups still run.
            let out = ns
                .command("timeout")
                .args(["-s", "INT", "2.5"])
                .arg(ours())
                .args(*args)
                .output()
                .expect("run");
            // `timeout` ends the run by SIGINT: its status is not the point here.
            common::Run {
                code: Some(0),
                ..as_run(out)
            }
        } else {
            ns.run(&ours(), args, As::Root)
        }
    })
    .collect();
    drop(fixture.stdin.take());
    let _ = fixture.wait();
    for run in runs {
        let text = run.stdout_text();
        let udp: Vec<&str> = text.lines().filter(|l| l.starts_with("udp")).collect();
        assert!(
            !udp.is_empty() && udp.iter().all(|l| l.contains("0.0.0.0:*")),
            "only the server's unconnected socket:\n{text}"
        );
        assert_eq!(
            run.code,
            Some(0),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
}

/// SCTP without kernel support, as net-tools handles it: `-S -6` is silent and goes on to the
/// later tables with status 0; `-av` reports the two SCTP tables it reads.
#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn sctp_without_kernel_support_as_net_tools() {
    let Some(ns) = Netns::with_listener("sctp", "127.0.0.1", 7100, "sctp-fixture") else {
        return;
    };
    for args in [
        &["-S", "-6"][..],
        &["-S", "-A", "inet6,unix"],
        &["-aS", "-A", "inet6,unix"],
        &["-av"],
        &["-lv"],
        &["-v"],
        &["-S"],
        &["-aS"],
        &["-av", "-6"],
        &["-S", "-A", "unix"],
        &["-Sv", "-4"],
    ] {
        ns.assert_same(args, As::Root);
    }
}

/// Bytes that drive terminals, in a process's argv[0]: C1 controls (CSI U+009B, NEL U+0085),
/// a bidi override (U+202E) and DEL.
const HOSTILE_ARGV0: &str = "evil\u{9b}31m\u{85}x\u{202e}gpj.exe\u{2066}\u{7f}";

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn c1_controls_and_bidi_marks_never_reach_the_terminal() {
    let Some(ns) = Netns::with_listener("hostile", "127.0.0.1", 7200, HOSTILE_ARGV0) else {
        return;
    };
    let forbidden: [&[u8]; 6] = [
        "\u{9b}".as_bytes(),
        "\u{85}".as_bytes(),
        "\u{202e}".as_bytes(),
        "\u{2066}".as_bytes(),
        b"\x7f",
        b"\x1b",
    ];
    for args in [
        &["-tlnp"][..],
        &["-tlnpe"],
        &["-tlp"],
        &["--by-process"],
        &["--summary"],
        &["--json", "-tlnp"],
        &["--json", "--by-process"],
        &["--audit"],
    ] {
        let run = ns.run(&ours(), args, As::Root);
        let shown = String::from_utf8_lossy(&run.stdout);
        assert!(
            shown.contains("evil") || args.contains(&"--summary") || args.contains(&"--audit"),
            "{args:?}: the process is listed:\n{shown}"
        );
        for bad in forbidden {
            assert!(
                !run.stdout.windows(bad.len()).any(|w| w == bad),
                "{args:?}: {bad:?} reached the output:\n{shown}"
            );
        }
    }
}

/// A command line longer than the 4,096 bytes kept ends with `...`, so the cut shows.
#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn a_cut_command_line_shows_the_cut() {
    let Some(mut ns) = Netns::new("longcmd") else {
        return;
    };
    // The fixture's spec (its second argument) carries the length.
    let long = format!(
        r#"{{"padding": "{}", "sockets": [{{"kind": "tcp_listen", "addr": "127.0.0.1", "port": 7300}}]}}"#,
        "x".repeat(5000)
    );
    ns.spawn_fixture(&long, "long-cmd", As::Root);
    ns.spawn_fixture(
        r#"{"sockets": [{"kind": "tcp_listen", "addr": "127.0.0.1", "port": 7301}]}"#,
        "short-cmd",
        As::Root,
    );
    let run = ns.run(&ours(), &["--by-process"], As::Root);
    run.succeeds();
    let text = run.stdout_text();
    let long_line = text
        .lines()
        .find(|l| l.contains("long-cmd"))
        .expect("the long process");
    assert!(long_line.ends_with("..."), "{}", &long_line[..80]);
    assert!(long_line.len() < 4200);
    let short_line = text
        .lines()
        .find(|l| l.contains("short-cmd"))
        .expect("short");
    assert!(!short_line.ends_with("..."), "{short_line}");
}

/// Sockets with owners and names, for the runs under limits.
const LIMITS_SCENE: &str = r#"{"sockets": [
    {"kind": "tcp_listen", "addr": "10.13.0.1", "port": 7400},
    {"kind": "tcp_pair", "server": ["10.13.0.1", 7401], "client_bind": "10.13.0.2"},
    {"kind": "udp", "family": 4, "bind": ["10.13.0.1", 5353]}]}"#;

/// Runs our netstat in `ns` as `user` under the shell limit `limit` (`ulimit ...`), with
/// argv[0] = netstat. The unprivileged user is a uid of this test's own rather than nobody:
/// RLIMIT_NPROC counts every process of the user, and other tests run processes as nobody.
fn run_limited(ns: &Netns, user: As, limit: &str, args: &[&str]) -> common::Run {
    let mut cmd = ns.command("setpriv");
    match user {
        As::Root => cmd.arg("--reuid=0"),
        As::Nobody => {
            let uid = 61_000 + std::process::id() % 4_000;
            cmd.args([format!("--reuid={uid}"), format!("--regid={uid}")])
                .arg("--clear-groups")
        }
    };
    run_under(cmd, limit, args)
}

/// Runs our netstat after the command `prefix` (which runs what follows it), under the shell
/// limit `limit` (`true` for none), with argv[0] = netstat; status 99 if the limit cannot be set.
fn run_under(mut prefix: Command, limit: &str, args: &[&str]) -> common::Run {
    let script = format!(r#"{limit} || exit 99; exec -a netstat "$@""#);
    let out = prefix
        .args(["bash", "-c", &script, "netstat"])
        .arg(ours())
        .args(args)
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .output()
        .expect("run netstat");
    as_run(out)
}

/// Few processes (threads count), little address space, few descriptors: every mode still
/// exits as it does without limits, with the same output. Threads that cannot be had are
/// done without; descriptors that run out are given back.
#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn every_mode_runs_under_resource_limits() {
    let Some(mut ns) = Netns::new("limits") else {
        return;
    };
    ns.sh("ip addr add 10.13.0.1/32 dev lo; ip addr add 10.13.0.2/32 dev lo");
    ns.etc("hosts", "10.13.0.1 limits-host\n10.13.0.2 limits-peer\n");
    // Held by root: a process of nobody's own would count against nobody's process limit.
    ns.spawn_fixture(LIMITS_SCENE, "limits-fixture", As::Root);
    let modes: [&[&str]; 8] = [
        &["-tanp"],
        &["-an"],
        &["-ta"],
        &["-tap", "-e"],
        &["--by-process"],
        &["--summary"],
        &["-g"],
        &["--audit"],
    ];
    for (user, limit) in [
        // RLIMIT_NPROC counts threads, and root is exempt from it: run unprivileged.
        (As::Nobody, "ulimit -u 2"),
        (As::Root, "ulimit -v 65536"),
        (As::Root, "ulimit -n 16"),
        (As::Nobody, "ulimit -v 65536"),
    ] {
        for args in modes {
            let mut free = run_limited(&ns, user, "true", args);
            let mut limited = run_limited(&ns, user, limit, args);
            if args == ["--summary"] {
                // "Total:" is the kernel's count of every socket on the host, which moves.
                for run in [&mut free, &mut limited] {
                    let text = run.stdout_text();
                    let rest: String = text
                        .lines()
                        .filter(|l| !l.starts_with("Total:"))
                        .map(|l| format!("{l}\n"))
                        .collect();
                    run.stdout = rest.into_bytes();
                }
            }
            assert_ne!(free.code, Some(99));
            common::assert_runs_equal(
                &limited,
                &free,
                &format!("netstat {} as {user:?} under {limit}", args.join(" ")),
            );
            assert!(
                matches!(free.code, Some(0 | 1)),
                "{args:?}: {:?} {}",
                free.code,
                String::from_utf8_lossy(&free.stderr)
            );
        }
    }
}

/// `ulimit -n 4` leaves netstat one descriptor: net-tools lists everything, and so do we.
#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn four_descriptors_are_enough_as_for_net_tools() {
    let Some(mut ns) = Netns::new("fourfds") else {
        return;
    };
    ns.sh("ip addr add 10.13.0.1/32 dev lo; ip addr add 10.13.0.2/32 dev lo");
    ns.spawn_fixture(LIMITS_SCENE, "fourfds-fixture", As::Root);
    for args in [&["-an"][..], &["-tan"], &["-xa"], &["-uan"], &["-wan"]] {
        let limited = run_limited(&ns, As::Root, "ulimit -n 4", args);
        let reference = ns.run(Path::new(REFERENCE), args, As::Root);
        common::assert_runs_equal(
            &limited,
            &reference,
            &format!("ulimit -n 4; netstat {args:?}"),
        );
    }
}

/// Named namespaces made with `ip -batch` (one process for all), deleted on drop.
struct ManyNamespaces(Vec<String>);

impl ManyNamespaces {
    fn new(tag: &str, count: usize) -> ManyNamespaces {
        let names: Vec<String> = (0..count)
            .map(|i| format!("nst-{tag}-{}-{i}", std::process::id()))
            .collect();
        let batch: String = names.iter().map(|n| format!("netns add {n}\n")).collect();
        ip_batch(&batch);
        ManyNamespaces(names)
    }

    fn delete_script(&self) -> String {
        self.0.iter().map(|n| format!("netns del {n}\n")).collect()
    }
}

impl Drop for ManyNamespaces {
    fn drop(&mut self) {
        let script = self.delete_script();
        let _ = Command::new("ip")
            .args(["-force", "-batch", "-"])
            .stdin(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child
                    .stdin
                    .take()
                    .expect("stdin")
                    .write_all(script.as_bytes())?;
                child.wait()
            });
    }
}

fn ip_batch(script: &str) {
    use std::io::Write;
    let mut child = Command::new("ip")
        .args(["-force", "-batch", "-"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("ip -batch");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("write batch");
    assert!(child.wait().expect("wait").success(), "ip -batch failed");
}

/// Runs our netstat in the current namespace under a shell limit (`true` for none).
fn run_here(limit: &str, args: &[&str]) -> common::Run {
    run_under(Command::new("env"), limit, args)
}

/// Every namespace of `--all-netns` that `text` shows, by label.
fn sections(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|l| l.strip_prefix("Network namespace: "))
        .collect()
}

/// `--all-netns` holds one namespace open at a time: 110 namespaces fit in 64 descriptors.
#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn all_netns_with_more_namespaces_than_descriptors() {
    if !common::prerequisites() {
        return;
    }
    let many = ManyNamespaces::new("fds", 110);
    let run = run_here("ulimit -n 64", &["--all-netns", "-tan"]);
    run.succeeds();
    let text = run.stdout_text();
    let shown = sections(&text);
    for name in &many.0 {
        assert!(shown.contains(&name.as_str()), "{name} listed");
    }
}

/// An interface that a namespace lacks matches nothing there; the others are still listed.
#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn all_netns_filter_on_an_interface_some_namespaces_lack() {
    let Some(ns) = Netns::new("devfilter") else {
        return;
    };
    let plain = ManyNamespaces::new("nodev", 3);
    let dev = format!("hta{}", std::process::id() % 100_000);
    ns.sh(&format!(
        "ip link add {dev} type veth peer name {dev}p && ip link set {dev} up && \
         ip link set {dev}p up && ip addr add 10.14.0.1/24 dev {dev}"
    ));
    let filter = format!("dev {dev}");
    let run = run_here("true", &["--all-netns", "-tln", "--filter", &filter]);
    run.succeeds();
    let text = run.stdout_text();
    let shown = sections(&text);
    for name in plain.0.iter().chain([&ns.name]) {
        assert!(shown.contains(&name.as_str()), "{name} listed:\n{text}");
    }
}

/// Namespaces deleted while `--all-netns` runs are skipped with a note on stderr; the rest is
/// listed and the run ends with status 0.
#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn all_netns_survives_namespaces_deleted_mid_run() {
    if !common::prerequisites() {
        return;
    }
    for round in 0..8 {
        let many = ManyNamespaces::new(&format!("gone{round}"), 40);
        let child = Command::new(ours())
            // Not -r: a namespace without routes (other tests' namespaces come and go on this
            // host too) fails -r in net-tools and here, whatever this test does.
            .args(["--all-netns", "-tan"])
            .env("LC_ALL", "C")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start netstat");
        std::thread::sleep(Duration::from_millis(5 * round));
        ip_batch(&many.delete_script());
        let out = child.wait_with_output().expect("netstat");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "round {round}: {stderr}");
        for line in stderr.lines() {
            // Processes a security policy hides (a protected pid 1) are noted, not an error.
            let policy = line.contains("could not be examined");
            assert!(
                line.starts_with("netstat: ") && (line.ends_with("; skipped") || policy),
                "round {round}: {line}"
            );
        }
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Network namespace: (current)\nActive Internet connections"),
            "round {round}: the current namespace is listed last"
        );
    }
}

/// Opens and closes loopback connections as fast as it can for at most `seconds` and `count`
/// connections (half closed with RST, half leaving TIME_WAIT), printing "ready" first and
/// "done N" at the end.
const CHURN: &str = r#"
import socket, struct, sys, time
seconds, count = float(sys.argv[1]), int(sys.argv[2])
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 7600))
listener.listen(512)
print("ready", flush=True)
end, made = time.time() + seconds, 0
while made < count and time.time() < end:
    c = socket.create_connection(("127.0.0.1", 7600))
    s, _ = listener.accept()
    if made % 2:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
    s.close()
    made += 1
print("done", made, flush=True)
"#;

/// Problems in a text TCP listing: rows that are not well-formed, and rows seen twice.
fn listing_problems(text: &str, extended: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for line in text.lines().skip(2) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let well_formed = words.len() >= 6
            && matches!(words[0], "tcp" | "tcp6")
            && words[1].parse::<u64>().is_ok()
            && words[2].parse::<u64>().is_ok()
            && words[3].contains(':')
            && words[4].contains(':')
            && !words[5].is_empty()
            && words[5]
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        if !well_formed {
            problems.push(format!("malformed: {line:?}"));
            continue;
        }
        // With -e the inode tells sockets apart (0 for TIME_WAIT, whose tuple is unique).
        let key = if extended && words[7] != "0" {
            words[7].to_string()
        } else {
            format!("{} {} {}", words[3], words[4], words[5])
        };
        if !seen.insert(key) {
            problems.push(format!("duplicate: {line:?}"));
        }
    }
    problems
}

/// Every listing mode while thousands of loopback connections a second open and close: no
/// error, no malformed row, no socket listed twice.
#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn every_mode_under_connection_churn() {
    let Some(ns) = Netns::new("churn") else {
        return;
    };
    let mut churn = ns.python(&["-c", CHURN, "20", "200000"]);
    let modes: [&[&str]; 10] = [
        &["-tan"],
        &["-tane"],
        &["-tanp"],
        &["-tano"],
        &["-ta"],
        &["-an"],
        &["--json", "-tan"],
        &["--summary"],
        &["--by-process"],
        &["-tan", "--tcp-info"],
    ];
    let mut runs = 0;
    let started = std::time::Instant::now();
    while started.elapsed() < Duration::from_secs(12) {
        for args in modes {
            let run = ns.run(&ours(), args, As::Root);
            runs += 1;
            let stderr = String::from_utf8_lossy(&run.stderr);
            assert_eq!(run.code, Some(0), "{args:?}: {stderr}");
            assert!(stderr.is_empty(), "{args:?}: {stderr}");
            let text = run.stdout_text();
            if args == ["--json", "-tan"] {
                let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
                let records = value.as_array().expect("an array");
                let mut seen = std::collections::HashSet::new();
                for r in records {
                    let key = format!(
                        "{}:{} {}:{} {} {}",
                        r["local_address"],
                        r["local_port"],
                        r["remote_address"],
                        r["remote_port"],
                        r["state"],
                        r["inode"]
                    );
                    assert!(seen.insert(key.clone()), "duplicate JSON record {key}");
                }
            } else if matches!(args, ["-tan"] | ["-tane"] | ["-tanp"] | ["-tano"]) {
                let body = text.split("\n\n").next().unwrap_or_default();
                let problems = listing_problems(body, args == ["-tane"]);
                assert!(problems.is_empty(), "{args:?}: {problems:#?}");
            }
        }
    }
    let _ = churn.kill();
    let _ = churn.wait();
    assert!(runs >= modes.len(), "{runs} runs");
}

/// `--netns-pid 1` as root: where a security policy protects pid 1 (a container, Yama), the
/// reason says so rather than asking for root, which the caller already is.
#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn netns_pid_1_as_root_never_asks_for_root() {
    if !common::prerequisites() {
        return;
    }
    let run = run_here("true", &["--netns-pid", "1", "-tn"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    if run.code != Some(0) {
        assert!(stderr.contains("process 1"), "{stderr}");
        assert!(!stderr.contains("need root"), "{stderr}");
    }
}

/// Abstract UNIX names with a newline split their `/proc/net/unix` line; net-tools reports the
/// tail as "warning, got bogus unix line.". We take names from unix_diag, so each such socket is
/// one row (its name's first word, as net-tools shows it) and there is no bogus line to warn
/// about; stdout is still net-tools' byte for byte.
#[test]
#[ignore = "needs root, network namespaces, net-tools and python3"]
fn a_newline_in_a_unix_name_is_one_row_without_bogus_lines() {
    let Some(ns) = Netns::new("bogusunix") else {
        return;
    };
    let mut holder = ns.python(&[
        "-c",
        r#"
import socket, sys
held = []
for name in (b"\0hta-one\nnot a line", b"\0hta-two\n\n", b"\0hta-three"):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(name)
    s.listen(1)
    held.append(s)
print("ready", flush=True)
sys.stdin.read()
"#,
    ]);
    let (_, reference) = ns.run_both(&["-xa"], As::Root);
    assert!(
        String::from_utf8_lossy(&reference.stderr).contains("warning, got bogus unix line."),
        "the scene makes bogus lines"
    );
    for args in [&["-xa"][..], &["-xl"], &["-x"]] {
        let (ours, reference) = ns.run_both(args, As::Root);
        assert_eq!(ours.stdout, reference.stdout, "netstat {args:?}");
        assert_eq!(ours.code, reference.code, "netstat {args:?}");
        assert!(
            ours.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&ours.stderr)
        );
    }
    drop(holder.stdin.take());
    let _ = holder.wait();
}

/// A local user cannot forge a row: an abstract name holding a newline and then a whole
/// `/proc/net/unix` line (here a LISTENING `/run/forged-docker.sock`) makes net-tools print that
/// line as a socket; we print the real socket once and nothing of the forgery, in text and JSON.
#[test]
#[ignore = "needs root, network namespaces, net-tools and python3"]
fn a_unix_name_cannot_forge_a_row() {
    let Some(ns) = Netns::new("forgeunix") else {
        return;
    };
    let mut holder = ns.python(&[
        "-c",
        r#"
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(b"\0forger\n0000000000000000: 00000002 00000000 00010000 0001 01 12345 /run/forged-docker.sock")
print("ready", flush=True)
sys.stdin.read()
"#,
    ]);
    let (ours, reference) = ns.run_both(&["-axp"], As::Root);
    assert!(
        String::from_utf8_lossy(&reference.stdout).contains("/run/forged-docker.sock"),
        "the scene forges a row for net-tools"
    );
    let text = String::from_utf8_lossy(&ours.stdout);
    assert!(!text.contains("forged-docker"), "{text}");
    assert_eq!(text.matches("@forger").count(), 1, "{text}");
    assert!(!text.contains("LISTENING"), "{text}");

    let json = ns.run(&common::ours(), &["--json", "-axp"], As::Root);
    assert_eq!(json.code, Some(0));
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("valid JSON");
    let paths: Vec<&str> = value
        .as_array()
        .expect("an array of sockets")
        .iter()
        .filter_map(|sock| sock["path"].as_str())
        .collect();
    assert!(!paths.contains(&"/run/forged-docker.sock"), "{paths:?}");
    let real = paths.iter().filter(|p| p.starts_with("@forger\n")).count();
    assert_eq!(real, 1, "{paths:?}");
    drop(holder.stdin.take());
    let _ = holder.wait();
}
