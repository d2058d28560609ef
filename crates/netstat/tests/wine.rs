//! The Windows build under wine (issue 15).
//!
//! netstat.exe runs under wine inside a network namespace the test makes, and the connections
//! it lists (`-ano`, Windows' format) are compared with `ss` in the same namespace; jc's
//! Windows netstat parser reads them. A small Windows program, `tests/wine/probe`, calls the
//! IP Helper functions behind `-e`, `-r` and `-s` (`GetIfTable2`, `GetIpForwardTable2`,
//! `Get*StatisticsEx`), which netstat.exe does not use yet, and what it sees is compared with
//! `ip` and `/proc`.
//!
//! Set-up, once per test binary: mingw builds the `bcryptprimitives.dll` stub
//! (`tests/wine/processprng.c`) and cargo builds netstat and the probe for
//! `x86_64-pc-windows-gnu` (in target directories of their own: the outer cargo holds the
//! workspace's); one
//! wine prefix under cargo's test tmpdir is booted (once; later runs reuse it) and gets the stub
//! in its `system32`. Wine answers IP Helper calls from a device process the wineserver starts,
//! in the network namespace of the first wine program of the prefix, so every namespace gets a
//! fresh wineserver: sessions take turns on the prefix, start a persistent server and the
//! services in their namespace, and kill them when they end.
//!
//! Known gaps of Debian's wine 8, each asserted below so that this list stays true:
//! - no `bcryptprimitives.dll`, so no Rust program starts without the stub;
//! - the owning PID of every socket is 0 (even the probe's own listener);
//! - IPv6 scope ids are not interface indexes (`::1` gets 4096, a link-local address on
//!   interface 3 gets 8192; Windows gives 0 and the interface index);
//! - `GetIpForwardTable2` lists the IPv4 main table only: no IPv6 routes, and none of the local
//!   table's routes (127.0.0.0/8, the host's own addresses) that Windows lists;
//! - Linux keeps one set of TCP counters, so the IPv4 and IPv6 TCP statistics are the same.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Instant;

use common::{As, Netns};

/// No Mono or Gecko installers, no menu entries, no desktop window: a console-only prefix
/// boots in about a third of the time.
const DLL_OVERRIDES: &str = "mscoree,mshtml=;winemenubuilder.exe,explorer.exe=d";

const WINDOWS_TARGET: &str = "x86_64-pc-windows-gnu";

/// Whether wine, mingw-w64 and the Windows standard library are installed (besides what
/// [`Netns::new`] checks). Without them the test is skipped loudly; under `CI=true` it fails.
fn wine_tools() -> bool {
    let mut missing = Vec::new();
    for tool in [
        "wine",
        "wineserver",
        "wineboot",
        "x86_64-w64-mingw32-gcc",
        "ss",
    ] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|out| out.status.success());
        if !found {
            missing.push(tool.to_string());
        }
    }
    let libdir = Command::new("rustc")
        .args(["--print", "target-libdir", "--target", WINDOWS_TARGET])
        .output()
        .ok()
        .map(|out| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
    if !libdir.is_some_and(|dir| has_std(&dir)) {
        missing.push(format!("rustup target {WINDOWS_TARGET}"));
    }
    if missing.is_empty() {
        return true;
    }
    let message = format!("SKIPPED: wine test needs {}", missing.join(", "));
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{message} (a skip fails under CI=true)");
    }
    eprintln!("\n!!!!!!!!!! {message} !!!!!!!!!!\n");
    false
}

/// Whether a target's library directory holds a standard library (`libstd-<hash>.rlib`).
fn has_std(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("libstd-"))
    })
}

/// The prefix, netstat.exe and the probe, shared by the tests of this binary.
struct Wine {
    prefix: PathBuf,
    netstat: PathBuf,
    probe: PathBuf,
    /// Held for the life of the test binary: another `cargo test` waits for the prefix.
    _lock: std::fs::File,
}

/// The shared set-up; the guard makes the tests take turns on the prefix.
fn wine() -> MutexGuard<'static, Wine> {
    static WINE: OnceLock<Mutex<Wine>> = OnceLock::new();
    WINE.get_or_init(|| Mutex::new(Wine::set_up()))
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
}

impl Wine {
    fn set_up() -> Wine {
        let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wine");
        std::fs::create_dir_all(&work).expect("create the wine work directory");
        let lock = std::fs::File::create(work.join("prefix.lock")).expect("create the lock file");
        rustix::fs::flock(&lock, rustix::fs::FlockOperation::LockExclusive).expect("lock");

        let started = Instant::now();
        let dll = work.join("bcryptprimitives.dll");
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wine/processprng.c");
        run_checked(
            Command::new("x86_64-w64-mingw32-gcc")
                .args(["-shared", "-O2", "-s", "-o"])
                .arg(&dll)
                .arg(&source)
                .arg("-ladvapi32"),
        );
        let stub_done = started.elapsed();

        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wine/probe/Cargo.toml");
        let probe_target = work.join("probe-target");
        run_checked(
            Command::new(option_env!("CARGO").unwrap_or("cargo"))
                .args(["build", "--quiet", "--locked", "--target", WINDOWS_TARGET])
                .arg("--manifest-path")
                .arg(&manifest)
                .arg("--target-dir")
                .arg(&probe_target),
        );
        let probe = probe_target
            .join(WINDOWS_TARGET)
            .join("debug/wine-probe.exe");
        let netstat_target = work.join("netstat-target");
        run_checked(
            Command::new(option_env!("CARGO").unwrap_or("cargo"))
                .args(["build", "--quiet", "--locked", "-p", "netstat"])
                .args(["--target", WINDOWS_TARGET, "--target-dir"])
                .arg(&netstat_target)
                .arg("--manifest-path")
                .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml")),
        );
        let netstat = netstat_target
            .join(WINDOWS_TARGET)
            .join("debug/netstat.exe");
        let probe_done = started.elapsed();

        let wine = Wine {
            prefix: work.join("prefix"),
            netstat,
            probe,
            _lock: lock,
        };
        wine.kill_server(); // a server left by an interrupted run sits in a deleted namespace
        if !wine.prefix.join("system.reg").exists() {
            // Output to nowhere: the services it starts would hold a pipe open (see `session`).
            let status = wine
                .command("wineboot")
                .arg("-i")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("run wineboot");
            assert!(status.success(), "wineboot -i: {status}");
            wine.kill_server();
        }
        let system32 = wine.prefix.join("drive_c/windows/system32");
        std::fs::copy(&dll, system32.join("bcryptprimitives.dll")).expect("install the stub");
        eprintln!(
            "wine set-up: stub {:.1?}, probe and netstat {:.1?}, prefix {:.1?}",
            stub_done,
            probe_done - stub_done,
            started.elapsed() - probe_done
        );
        wine
    }

    /// A wine command for this prefix, quiet and without a display.
    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        self.environment(&mut cmd);
        cmd
    }

    fn environment(&self, cmd: &mut Command) {
        cmd.env("WINEPREFIX", &self.prefix)
            .env("WINEDEBUG", "-all")
            .env("WINEDLLOVERRIDES", DLL_OVERRIDES)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY");
    }

    /// Stops the prefix's wineserver and its device processes, and waits until they are gone.
    fn kill_server(&self) {
        let _ = self.command("wineserver").arg("-k").output();
        let _ = self.command("wineserver").arg("-w").output();
    }

    /// Starts the prefix's wineserver and services inside `ns`. The server stays until the
    /// session ends (`-p`); the services are started by a `wineboot` whose output goes nowhere,
    /// since they keep the output of the program that started them open, and a test reading a
    /// pipe to its end would wait for them.
    fn session<'a>(&'a self, ns: &'a Netns) -> Session<'a> {
        let session = Session { wine: self, ns };
        for program in [&["wineserver", "-p"][..], &["wineboot"]] {
            let mut cmd = ns.command(program[0]);
            self.environment(&mut cmd);
            let status = cmd
                .args(&program[1..])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("start wine");
            assert!(status.success(), "{program:?} in {}: {status}", ns.name);
        }
        session
    }
}

/// Wine programs running in one namespace. The wineserver they start lives there until the
/// session ends.
struct Session<'a> {
    wine: &'a Wine,
    ns: &'a Netns,
}

impl Session<'_> {
    /// Runs the probe; `overrides` are appended to the DLL overrides.
    fn run(&self, what: &str, overrides: &str) -> Output {
        self.run_program(&self.wine.probe, &[what], overrides)
    }

    /// Runs netstat.exe with these arguments.
    fn netstat(&self, args: &[&str]) -> Output {
        self.run_program(&self.wine.netstat, args, "")
    }

    fn run_program(&self, program: &Path, args: &[&str], overrides: &str) -> Output {
        let mut cmd = self.ns.command("wine");
        self.wine.environment(&mut cmd);
        cmd.env("WINEDLLOVERRIDES", format!("{DLL_OVERRIDES};{overrides}"))
            .arg(program)
            .args(args);
        cmd.output().expect("run wine")
    }

    /// Runs the probe and returns its records; panics if it failed.
    fn probe(&self, what: &str) -> Vec<Vec<String>> {
        let out = self.run(what, "");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "wine-probe {what} failed ({:?}):\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
            .lines()
            .map(|line| line.split('\t').map(str::to_string).collect())
            .collect()
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        self.wine.kill_server();
    }
}

fn run_checked(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

// ---------------------------------------------------------------------------------------------
// Sockets: every TCP state the fixture can make, both families, wildcards, a link-local
// listener, UDP bound and connected.

const SOCKETS: &str = r#"{"sockets": [
 {"kind": "tcp_listen", "addr": "10.1.0.1", "port": 22},
 {"kind": "syn_recv", "to": ["10.1.0.1", 22], "source": ["10.9.0.99", 40002]},
 {"kind": "tcp_listen", "addr": "", "port": 80, "family": 6, "v6only": true},
 {"kind": "tcp_listen", "addr": "", "port": 8080, "family": 6, "v6only": false},
 {"kind": "tcp_listen", "addr": "fe80::1%veth-a", "port": 9000},
 {"kind": "tcp_pair", "server": ["127.0.0.1", 5005], "to_server": 100},
 {"kind": "tcp_pair", "server": ["127.0.0.1", 5007], "then": "fin_wait2"},
 {"kind": "tcp_pair", "server": ["10.1.0.2", 5009], "client_bind": "10.1.0.1", "then": "fin_wait1"},
 {"kind": "tcp_pair", "server": ["10.1.0.2", 5010], "client_bind": "10.1.0.1", "then": "last_ack"},
 {"kind": "tcp_pair", "server": ["::1", 5012]},
 {"kind": "tcp_pair", "server": ["fd01::2", 5013], "client_bind": "fd01::1"},
 {"kind": "tcp_pair", "server": ["127.0.0.1", 5006], "then": "time_wait"},
 {"kind": "syn_sent", "to": ["10.9.0.2", 5004]},
 {"kind": "udp", "family": 4, "bind": ["10.1.0.1", 5353]},
 {"kind": "udp", "family": 4, "bind": ["127.0.0.1", 5354], "connect": ["127.0.0.1", 5353]},
 {"kind": "udp", "family": 6, "bind": ["", 5355]},
 {"kind": "udp", "family": 6, "bind": ["fe80::1%veth-a", 5356]}
]}"#;

/// The interfaces and addresses both scenes use: a sink for unanswered SYNs, a veth pair for
/// link-local addresses, extra loopback addresses.
fn network(ns: &Netns) {
    ns.sh(
        "(ip link add sink0 type dummy 2>/dev/null || ip link add sink0 type ifb)
         ip link set sink0 up
         ip addr add 10.9.0.1/24 dev sink0
         ip addr add fd09::1/64 dev sink0 nodad
         ip link add veth-a type veth peer name veth-b
         ip link set veth-a up
         ip link set veth-b up
         ip addr add fe80::1/64 dev veth-a nodad
         ip addr add 10.1.0.1/24 dev lo
         ip addr add 10.1.0.2/24 dev lo
         ip addr add fd01::1/64 dev lo nodad
         ip addr add fd01::2/64 dev lo nodad
         ip route add 10.20.0.0/16 via 10.9.0.254 metric 5
         ip -6 route add fd20::/48 via fd09::fe",
    );
}

/// One socket as both sides can tell it: protocol, endpoints without scope ids (wine's are
/// wrong, see the module comment), and the MIB state (0 for UDP, which has none).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Socket {
    protocol: &'static str,
    local: SocketAddr,
    remote: Option<SocketAddr>,
    state: u32,
}

/// `MIB_TCP_STATE` for an `ss` state name.
fn mib_state(ss: &str) -> u32 {
    match ss {
        "CLOSED" | "UNCONN" => 1,
        "LISTEN" => 2,
        "SYN-SENT" => 3,
        "SYN-RECV" => 4,
        "ESTAB" => 5,
        "FIN-WAIT-1" => 6,
        "FIN-WAIT-2" => 7,
        "CLOSE-WAIT" => 8,
        "CLOSING" => 9,
        "LAST-ACK" => 10,
        "TIME-WAIT" => 11,
        other => panic!("unknown ss state {other}"),
    }
}

/// Parses `ss`'s `10.0.0.1:22`, `[fe80::1]%veth-a:9000`, `*:8080`, `0.0.0.0:*`.
fn ss_endpoint(text: &str, v6: bool) -> SocketAddr {
    let (host, port) = text.rsplit_once(':').expect("ss endpoint has a port");
    let port = if port == "*" {
        0
    } else {
        port.parse().expect("ss port")
    };
    let host = host.split_once('%').map_or(host, |(h, _)| h);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let ip = match (host, v6) {
        ("*", false) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        ("*", true) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        (h, _) => h.parse().expect("ss address"),
    };
    SocketAddr::new(ip, port)
}

/// The sockets `ss` lists in the namespace, in the Windows tables' terms.
fn ss_sockets(ns: &Netns) -> BTreeSet<Socket> {
    let mut sockets = BTreeSet::new();
    for (protocol, flag) in [("TCP", "-t"), ("UDP", "-u")] {
        for (family, v6) in [("inet", false), ("inet6", true)] {
            let text = ns.sh(&format!("ss -Han {flag} -f {family}"));
            for line in text.lines() {
                let fields: Vec<&str> = line.split_whitespace().collect();
                let local = ss_endpoint(fields[3], v6);
                sockets.insert(if protocol == "TCP" {
                    Socket {
                        protocol,
                        local,
                        remote: Some(ss_endpoint(fields[4], v6)),
                        state: mib_state(fields[0]),
                    }
                } else {
                    Socket {
                        protocol,
                        local,
                        remote: None,
                        state: 0,
                    }
                });
            }
        }
    }
    sockets
}

fn without_scope(mut addr: SocketAddr) -> SocketAddr {
    if let SocketAddr::V6(v6) = &mut addr {
        v6.set_scope_id(0);
    }
    addr
}

fn scope(addr: &SocketAddr) -> u32 {
    match addr {
        SocketAddr::V6(v6) => v6.scope_id(),
        SocketAddr::V4(_) => 0,
    }
}

/// `MIB_TCP_STATE` for a state as Windows netstat spells it.
fn windows_state(name: &str) -> u32 {
    match name {
        "CLOSED" | "BOUND" => 1,
        "LISTENING" => 2,
        "SYN_SENT" => 3,
        "SYN_RECEIVED" => 4,
        "ESTABLISHED" => 5,
        "FIN_WAIT_1" => 6,
        "FIN_WAIT_2" => 7,
        "CLOSE_WAIT" => 8,
        "CLOSING" => 9,
        "LAST_ACK" => 10,
        "TIME_WAIT" => 11,
        other => panic!("unknown Windows state {other}"),
    }
}

/// What `netstat.exe -ano` lists: sockets, their raw local addresses and PIDs, and the text.
fn netstat_sockets(session: &Session) -> (BTreeSet<Socket>, Vec<(SocketAddr, u32)>, String) {
    let out = session.netstat(&["-ano"]);
    let text = String::from_utf8(out.stdout).expect("netstat.exe writes UTF-8");
    assert!(
        out.status.success(),
        "netstat.exe -ano failed ({:?}):\n{text}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.starts_with("\r\nActive Connections\r\n\r\n  Proto  Local Address          Foreign Address        State           PID\r\n"),
        "not Windows' title and header:\n{text}"
    );
    assert!(
        text.split_terminator('\n').all(|line| line.ends_with('\r')),
        "every line ends in CRLF: {text:?}"
    );
    let mut sockets = BTreeSet::new();
    let mut raw = Vec::new();
    for line in text.lines().skip(4) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let local: SocketAddr = fields[1].parse().expect("a local endpoint");
        let (socket, pid) = match fields[..] {
            ["TCP", _, remote, state, pid] => (
                Socket {
                    protocol: "TCP",
                    local: without_scope(local),
                    remote: Some(without_scope(remote.parse().expect("a foreign endpoint"))),
                    state: windows_state(state),
                },
                pid,
            ),
            ["UDP", _, "*:*", pid] => (
                Socket {
                    protocol: "UDP",
                    local: without_scope(local),
                    remote: None,
                    state: 0,
                },
                pid,
            ),
            _ => panic!("unexpected row {line:?}"),
        };
        sockets.insert(socket);
        raw.push((local, pid.parse().expect("a PID")));
    }
    (sockets, raw, text)
}

/// jc's Windows netstat parser on `text` (kept in `file`): the rows it read; `None` (after a
/// loud message) when jc is missing outside CI.
fn jc_rows(text: &str, file: &Path) -> Option<Vec<serde_json::Value>> {
    let program = std::env::var("JC").unwrap_or_else(|_| "jc".to_string());
    std::fs::write(file, text).expect("keep netstat.exe's output");
    let input = std::fs::File::open(file).expect("open netstat.exe's output");
    let out = match Command::new(&program)
        .arg("--netstat")
        .stdin(input)
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            let message = format!("SKIPPED: {program} --netstat: {e} (pip install jc)");
            assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}");
            eprintln!("\n!!!!!!!!!! {message} !!!!!!!!!!\n");
            return None;
        }
    };
    assert!(
        out.status.success(),
        "jc --netstat failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("jc prints JSON");
    Some(parsed.as_array().expect("a list of rows").clone())
}

#[test]
#[ignore = "needs root, wine, mingw-w64 and the x86_64-pc-windows-gnu target"]
fn netstat_exe_lists_the_namespace_sockets_as_ss_does() {
    if !wine_tools() {
        return;
    }
    let Some(mut ns) = Netns::new("wine-sock") else {
        return;
    };
    network(&ns);
    // Half-open connections last minutes rather than one (wine's set-up can take that long on
    // a loaded machine).
    ns.sh("sysctl -qw net.ipv4.tcp_synack_retries=8 net.ipv4.tcp_syn_retries=8");
    ns.spawn_fixture(SOCKETS, "wine-fixture", As::Root);

    let wine = wine();
    let session = wine.session(&ns);
    // Sockets move (TIME_WAIT ends, SYN_SENT gives up): what the probe lists must be in one of
    // the two `ss` listings around it, and what both list must be in the probe's.
    let before = ss_sockets(&ns);
    let (seen, raw, text) = netstat_sockets(&session);
    let after = ss_sockets(&ns);

    for state in [
        "LISTEN",
        "SYN-SENT",
        "SYN-RECV",
        "ESTAB",
        "FIN-WAIT-1",
        "FIN-WAIT-2",
    ]
    .into_iter()
    .chain(["CLOSE-WAIT", "LAST-ACK", "TIME-WAIT"])
    {
        assert!(
            before.iter().any(|s| s.state == mib_state(state)),
            "the fixture built no {state} socket: {before:#?}"
        );
    }
    let extra: Vec<_> = seen
        .iter()
        .filter(|s| !before.contains(s) && !after.contains(s))
        .collect();
    let missing: Vec<_> = before
        .intersection(&after)
        .filter(|s| !seen.contains(s))
        .collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "netstat.exe differs from ss:\nonly netstat.exe: {extra:#?}\nonly ss: {missing:#?}\n{text}"
    );

    // What netstat.exe cannot do, it refuses (exit 1, nothing on stdout).
    for flag in ["-x", "-y"] {
        let out = session.netstat(&[flag]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.code() == Some(1) && out.stdout.is_empty() && stderr.contains(flag),
            "netstat.exe {flag}: {:?} {stderr}",
            out.status
        );
    }

    // A parser of Windows' format reads every row.
    let kept =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("wine-ano-{}.txt", std::process::id()));
    if let Some(rows) = jc_rows(&text, &kept) {
        assert_eq!(rows.len(), raw.len(), "jc's rows: {rows:#?}\n{text}");
        for row in &rows {
            assert!(
                matches!(row["proto"].as_str(), Some("TCP" | "UDP")),
                "jc row {row}"
            );
        }
    }

    // Known gaps: every owner is PID 0, scope ids are not interface indexes.
    assert!(
        raw.iter().all(|&(_, pid)| pid == 0),
        "wine now reports owners: {raw:?}"
    );
    let veth_a = ns
        .sh("cat /sys/class/net/veth-a/ifindex")
        .trim()
        .parse::<u32>()
        .unwrap();
    let link_local = raw
        .iter()
        .find(|(addr, _)| addr.ip() == "fe80::1".parse::<IpAddr>().unwrap())
        .expect("the link-local listener");
    let loopback = raw
        .iter()
        .find(|(addr, _)| addr.ip() == Ipv6Addr::LOCALHOST)
        .expect("a ::1 socket");
    assert!(
        scope(&link_local.0) != veth_a && scope(&loopback.0) != 0,
        "wine now gives scope ids as Windows does ({link_local:?} on interface {veth_a}, {loopback:?})"
    );
}

#[test]
#[ignore = "needs root, wine, mingw-w64 and the x86_64-pc-windows-gnu target"]
fn the_probes_own_listener_has_owner_pid_0() {
    if !wine_tools() {
        return;
    }
    let Some(ns) = Netns::new("wine-own") else {
        return;
    };
    let wine = wine();
    let session = wine.session(&ns);
    let records = session.probe("own");
    let [kind, port, own, seen] = &records[0][..] else {
        panic!("unexpected probe output {records:?}");
    };
    assert_eq!(kind, "OWN");
    assert_ne!(own, "0", "the probe has a pid");
    assert_eq!(
        seen, "0",
        "wine now reports owners (port {port}, pid {own})"
    );
}

// ---------------------------------------------------------------------------------------------
// Interfaces, routes and counters.

/// `ip -j` output of the namespace.
fn ip_json(ns: &Netns, args: &str) -> serde_json::Value {
    serde_json::from_str(&ns.sh(&format!("ip -j {args}"))).expect("ip -j output")
}

/// Index → (name, MAC, MTU, rx bytes, tx bytes) from `ip -s link`.
fn ip_links(ns: &Netns) -> BTreeMap<u64, (String, String, u64, u64, u64)> {
    let links = ip_json(ns, "-s link show");
    let links = links.as_array().expect("a list of links");
    links
        .iter()
        .map(|link| {
            let index = link["ifindex"].as_u64().expect("ifindex");
            let name = link["ifname"].as_str().expect("ifname").to_string();
            let mac = match link["link_type"].as_str() {
                Some("loopback") | Some("none") => String::new(),
                _ => link["address"].as_str().unwrap_or_default().to_string(),
            };
            let mtu = link["mtu"].as_u64().expect("mtu");
            let stats = &link["stats64"];
            let rx = stats["rx"]["bytes"].as_u64().expect("rx bytes");
            let tx = stats["tx"]["bytes"].as_u64().expect("tx bytes");
            (index, (name, mac, mtu, rx, tx))
        })
        .collect()
}

/// The main table's IPv4 routes as `ROUTE` records: prefix/len, next hop, interface, metric.
fn ip_routes(
    ns: &Netns,
    links: &BTreeMap<u64, (String, String, u64, u64, u64)>,
) -> BTreeSet<Vec<String>> {
    let index = |dev: &str| {
        links
            .iter()
            .find(|(_, link)| link.0 == dev)
            .map(|(i, _)| i.to_string())
            .expect("route device")
    };
    let routes = ip_json(ns, "-4 route show table main");
    let routes = routes.as_array().expect("a list of routes");
    routes
        .iter()
        .map(|route| {
            let dst = match route["dst"].as_str().expect("dst") {
                "default" => "0.0.0.0/0".to_string(),
                d if d.contains('/') => d.to_string(),
                d => format!("{d}/32"),
            };
            let gateway = route["gateway"].as_str().unwrap_or("0.0.0.0").to_string();
            let dev = index(route["dev"].as_str().expect("dev"));
            let metric = route["metric"].as_u64().unwrap_or(0).to_string();
            vec!["ROUTE".to_string(), dst, gateway, dev, metric]
        })
        .collect()
}

/// `/proc/net/snmp` and `/proc/net/snmp6` of the namespace, as `Tcp:ActiveOpens` → value.
fn snmp(ns: &Netns) -> BTreeMap<String, u64> {
    let mut counters = BTreeMap::new();
    let text = ns.sh("cat /proc/net/snmp");
    let lines: Vec<&str> = text.lines().collect();
    for pair in lines.chunks(2) {
        let [names, values] = pair else { continue };
        let (group, names) = names.split_once(':').expect("snmp header");
        let (_, values) = values.split_once(':').expect("snmp values");
        for (name, value) in names.split_whitespace().zip(values.split_whitespace()) {
            if let Ok(value) = value.parse() {
                counters.insert(format!("{group}:{name}"), value);
            }
        }
    }
    for line in ns.sh("cat /proc/net/snmp6").lines() {
        let mut fields = line.split_whitespace();
        if let (Some(name), Some(Ok(value))) = (fields.next(), fields.next().map(str::parse)) {
            counters.insert(name.to_string(), value);
        }
    }
    counters
}

/// The Linux counter behind a probe `STAT` record.
fn linux_counter(family: &str, name: &str) -> String {
    let (group, field) = name.split_once('.').expect("probe counter name");
    match (family, group) {
        ("4", _) | ("6", "Tcp") => format!("{group}:{field}"), // Linux has one set of TCP counters
        ("6", "Ip") => format!("Ip6{field}"),
        ("6", group) => format!("{group}6{field}"),
        _ => panic!("unexpected family {family}"),
    }
}

#[test]
#[ignore = "needs root, wine, mingw-w64 and the x86_64-pc-windows-gnu target"]
fn interfaces_routes_and_statistics_come_from_the_namespace() {
    if !wine_tools() {
        return;
    }
    let Some(mut ns) = Netns::new("wine-sys") else {
        return;
    };
    network(&ns);
    ns.spawn_fixture(
        r#"{"sockets": [{"kind": "tcp_pair", "server": ["10.1.0.2", 6001], "to_server": 5000}]}"#,
        "wine-fixture",
        As::Root,
    );
    // Datagrams to closed ports: UDP NoPorts and ICMP unreachable messages in both families.
    ns.sh("python3 -c 'import socket
for family, host in ((socket.AF_INET, \"127.0.0.1\"), (socket.AF_INET6, \"::1\")):
    socket.socket(family, socket.SOCK_DGRAM).sendto(b\"x\", (host, 9))'");

    let wine = wine();
    let session = wine.session(&ns);

    let links_before = ip_links(&ns);
    let counters_before = snmp(&ns);
    let interfaces = session.probe("if");
    let routes = session.probe("route");
    let stats = session.probe("stats");
    let links_after = ip_links(&ns);
    let counters_after = snmp(&ns);

    // Interfaces: the same indexes, names, MACs and MTUs; octets between the two readings.
    let mut listed = BTreeSet::new();
    for record in &interfaces {
        let [kind, index, alias, mac, mtu, rx, tx] = &record[..] else {
            panic!("unexpected probe output {record:?}");
        };
        assert_eq!(kind, "IF");
        let index: u64 = index.parse().unwrap();
        let (name, ip_mac, ip_mtu, rx0, tx0) = links_before[&index].clone();
        let (_, _, _, rx1, tx1) = links_after[&index].clone();
        assert_eq!(
            (alias, mac, mtu),
            (&name, &ip_mac, &ip_mtu.to_string()),
            "interface {index}"
        );
        let (rx, tx): (u64, u64) = (rx.parse().unwrap(), tx.parse().unwrap());
        assert!(
            (rx0..=rx1).contains(&rx) && (tx0..=tx1).contains(&tx),
            "{name} octets {rx} {tx}, ip read {rx0}..{rx1} {tx0}..{tx1}"
        );
        listed.insert(index);
    }
    assert_eq!(
        listed,
        links_before.keys().copied().collect(),
        "GetIfTable2 interfaces"
    );

    // Routes: IPv4's main table exactly, and no IPv6 route although there are some (a known
    // gap).
    let seen: BTreeSet<Vec<String>> = routes.into_iter().collect();
    let expected = ip_routes(&ns, &links_before);
    assert!(expected.len() >= 2, "the scene has routes: {expected:?}");
    assert_eq!(
        seen, expected,
        "GetIpForwardTable2 against the IPv4 main table"
    );
    let v6_routes = ip_json(&ns, "-6 route show");
    assert!(
        !v6_routes.as_array().expect("routes").is_empty(),
        "the scene has IPv6 routes"
    );

    // Counters: each between the two readings of /proc.
    assert_eq!(stats.len(), 26, "every statistics call answered: {stats:?}");
    for record in &stats {
        let [kind, family, name, value] = &record[..] else {
            panic!("unexpected probe output {record:?}");
        };
        assert_eq!(kind, "STAT");
        let linux = linux_counter(family, name);
        let low = counters_before[&linux].min(counters_after[&linux]);
        let high = counters_before[&linux].max(counters_after[&linux]);
        let value: u64 = value.parse().unwrap();
        assert!(
            (low..=high).contains(&value),
            "IPv{family} {name} = {value}, {linux} read {low}..{high}"
        );
    }
    let nonzero = [
        "Udp:NoPorts",
        "Udp6NoPorts",
        "Icmp:InMsgs",
        "Icmp6InMsgs",
        "Tcp:ActiveOpens",
    ];
    for name in nonzero {
        assert!(counters_before[name] > 0, "the scene made no {name}");
    }

    // Known gap: without the stub, no Rust program starts.
    let out = session.run("tcp", "bcryptprimitives=d");
    assert!(
        !out.status.success(),
        "the probe ran without bcryptprimitives.dll: wine now has ProcessPrng"
    );
}
