//! `netstat --events` against real connections in a private network namespace: the stream is
//! read as `--json-lines` while a fixture (`CONNS` below, or `bench/churn.c` under churn)
//! opens and closes connections, then netstat is stopped with SIGTERM as a person would stop
//! it, and every event is checked.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{As, Netns, ours};
use serde_json::Value;

/// Time for a stream to take its first snapshot before the fixture starts (generous: the test
/// machine is shared).
const SETTLE: Duration = Duration::from_millis(1500);

/// Connection fixture. `burst N PORT`: N connections that each send 1000 bytes and close at
/// once (the server reads to the end, then closes). `hold N PORT SECONDS`: N connections held
/// open for SECONDS, then closed. Prints `done` when every socket is closed.
const CONNS: &str = r#"
import socket, sys, threading, time
mode, n, port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port)); srv.listen(1024)
if mode == "burst":
    def serve():
        for _ in range(n):
            a, _ = srv.accept()
            while a.recv(65536): pass
            a.close()
    t = threading.Thread(target=serve); t.start()
    for _ in range(n):
        c = socket.create_connection(("127.0.0.1", port)); c.sendall(b"x" * 1000); c.close()
    t.join()
else:
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
    servers = [srv.accept()[0] for _ in range(n)]
    time.sleep(float(sys.argv[4]))
    for s in clients + servers: s.close()
srv.close()
print("done", flush=True)
"#;

/// A running `netstat --events --json-lines`, its lines gathered by a thread.
struct Stream {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Stream {
    fn start(ns: &Netns, args: &[&str], user: As) -> Stream {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &ns.name]);
        if user == As::Nobody {
            cmd.args([
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
            ]);
        }
        cmd.arg(ours());
        Stream::spawn(cmd, args)
    }

    /// Starts `cmd` (which ends in our netstat) with `--events --json-lines` and `args`.
    fn spawn(mut cmd: Command, args: &[&str]) -> Stream {
        let mut child = cmd
            .args(["--events", "--json-lines"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start netstat --events");
        let stdout = child.stdout.take().unwrap();
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        std::thread::sleep(SETTLE);
        Stream { child, lines }
    }

    /// Stops it with SIGTERM once it has been quiet for a second (at most 60 s from now);
    /// returns its events, its exit status and its stderr.
    fn stop(self) -> (Vec<Value>, Option<i32>, String) {
        let mut early = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(1)) {
            early.push(line);
            if Instant::now() > deadline {
                break;
            }
        }
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: signalling our own child, which has not been waited for (its pid is ours).
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let out = self.child.wait_with_output().expect("wait for netstat");
        let events = early
            .into_iter()
            .chain(self.lines.iter())
            .map(|l| serde_json::from_str(&l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (events, out.status.code(), stderr)
    }
}

/// Whether a thread of process `pid` is in the network namespace with inode `inode`.
fn watches(pid: u32, inode: u64) -> bool {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return false;
    };
    tasks.flatten().any(|task| {
        std::fs::metadata(task.path().join("ns/net")).is_ok_and(|m| {
            use std::os::unix::fs::MetadataExt;
            m.ino() == inode
        })
    })
}

/// Runs the connection fixture in `ns` as process `argv0` until it says `done`; its pid.
fn connections(ns: &Netns, argv0: &str, args: &[&str]) -> u32 {
    let mut child = ns
        .command("bash")
        .args([
            "-c",
            r#"exec -a "$0" /usr/bin/python3 -c "$1" "${@:2}""#,
            argv0,
            CONNS,
        ])
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    let pid = child.id();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "done", "the fixture failed");
    child.wait().unwrap();
    pid
}

fn of_kind<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["event"] == kind).collect()
}

/// Client sockets are connected to `port`; the server's accepted ones are on it.
fn is_client(event: &Value, port: u16) -> bool {
    event["remote_port"] == port
}

fn is_server(event: &Value, port: u16) -> bool {
    event["local_port"] == port && event["remote_port"] != 0
}

fn assert_stopped_cleanly(status: Option<i32>, stderr: &str, events: &[Value]) {
    assert_eq!(
        status,
        Some(0),
        "SIGTERM ends the stream with status 0: {stderr}"
    );
    assert!(stderr.is_empty(), "{stderr}");
    assert!(
        of_kind(events, "lost").is_empty(),
        "nothing lost: {events:#?}"
    );
}

#[test]
#[ignore = "needs root (network namespaces)"]
fn three_hundred_short_connections_give_six_hundred_closes_with_their_bytes() {
    let Some(ns) = Netns::new("ev-burst") else {
        return;
    };
    let stream = Stream::start(&ns, &[], As::Root);
    connections(&ns, "evburst", &["burst", "300", "5101"]);
    let (events, status, stderr) = stream.stop();
    assert_stopped_cleanly(status, &stderr, &events);

    let closes = of_kind(&events, "close");
    let clients: Vec<_> = closes.iter().filter(|e| is_client(e, 5101)).collect();
    let servers: Vec<_> = closes.iter().filter(|e| is_server(e, 5101)).collect();
    assert_eq!((clients.len(), servers.len()), (300, 300), "{closes:#?}");
    // Sequence space: the client's SYN and FIN are acknowledged along with the 1000 bytes;
    // the server counts the client's FIN when it came before the server closed.
    for e in &clients {
        let sent = e["bytes_sent"].as_u64().unwrap();
        assert!((1000..=1002).contains(&sent), "{e}");
        assert_eq!(e["source"], "kernel", "{e}");
    }
    for e in &servers {
        let received = e["bytes_received"].as_u64().unwrap();
        assert!((1000..=1001).contains(&received), "{e}");
    }
    let keys: std::collections::HashSet<_> = clients
        .iter()
        .map(|e| e["local_port"].as_u64().unwrap())
        .collect();
    assert_eq!(keys.len(), 300, "one close per connection, none twice");
}

#[test]
#[ignore = "needs root (network namespaces)"]
fn held_connections_open_with_their_owner_and_close_after_three_seconds() {
    let Some(ns) = Netns::new("ev-hold") else {
        return;
    };
    let stream = Stream::start(&ns, &[], As::Root);
    let pid = connections(&ns, "evholder", &["hold", "20", "5102", "3"]);
    let (events, status, stderr) = stream.stop();
    assert_stopped_cleanly(status, &stderr, &events);

    let opens: Vec<_> = of_kind(&events, "open")
        .into_iter()
        .filter(|e| is_client(e, 5102))
        .collect();
    assert_eq!(opens.len(), 20, "{events:#?}");
    for e in &opens {
        assert_eq!(
            (e["pid"].as_u64(), &e["program"]),
            (Some(u64::from(pid)), &Value::from("evholder")),
            "{e}"
        );
        assert_eq!(e["state"], "ESTABLISHED");
    }
    let closes: Vec<_> = of_kind(&events, "close")
        .into_iter()
        .filter(|e| is_client(e, 5102) || is_server(e, 5102))
        .collect();
    assert_eq!(closes.len(), 40, "{events:#?}");
    // Tolerance: the first sighting is up to one interval (0.1 s) after the connect, and a
    // busy machine delays snapshots and the fixture's own wake-up.
    for e in &closes {
        let duration = e["duration"].as_f64().expect("seen open");
        assert!((2.5..=4.0).contains(&duration), "{e}");
        assert_eq!(
            e["pid"].as_u64(),
            Some(u64::from(pid)),
            "owner kept until the close: {e}"
        );
    }
}

#[test]
#[ignore = "needs root (network namespaces)"]
fn a_filter_narrows_the_stream() {
    let Some(ns) = Netns::new("ev-filter") else {
        return;
    };
    let stream = Stream::start(&ns, &["--filter", "dport = :5104"], As::Root);
    connections(&ns, "evburst", &["burst", "10", "5103"]);
    connections(&ns, "evburst", &["burst", "10", "5104"]);
    let (events, status, stderr) = stream.stop();
    assert_stopped_cleanly(status, &stderr, &events);
    assert_eq!(of_kind(&events, "close").len(), 10, "{events:#?}");
    for e in &events {
        assert_eq!(e["remote_port"], 5104, "{e}");
    }

    // -u: no TCP at all.
    let stream = Stream::start(&ns, &["-u"], As::Root);
    connections(&ns, "evburst", &["burst", "5", "5105"]);
    let (events, status, stderr) = stream.stop();
    assert_stopped_cleanly(status, &stderr, &events);
    assert!(events.iter().all(|e| e["proto"] != "tcp"), "{events:#?}");
}

#[test]
#[ignore = "needs root (network namespaces, setpriv)"]
fn an_unprivileged_user_still_gets_the_closes() {
    let Some(ns) = Netns::new("ev-nobody") else {
        return;
    };
    let stream = Stream::start(&ns, &[], As::Nobody);
    connections(&ns, "evburst", &["burst", "20", "5106"]);
    let (events, status, stderr) = stream.stop();
    assert_eq!(status, Some(0), "{stderr}");
    let closes: Vec<_> = of_kind(&events, "close")
        .into_iter()
        .filter(|e| is_client(e, 5106))
        .collect();
    assert_eq!(closes.len(), 20, "{events:#?}");
    assert!(
        closes
            .iter()
            .all(|e| e["bytes_sent"].as_u64() >= Some(1000))
    );
}

#[test]
#[ignore = "needs root (network namespaces) and gcc"]
fn under_churn_every_close_is_reported_and_none_is_lost() {
    let Some(ns) = Netns::new("ev-churn") else {
        return;
    };
    let churn = std::env::temp_dir().join(format!("netstat-churn-{}", std::process::id()));
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/churn.c");
    let built = Command::new("gcc")
        .args(["-O2", "-o"])
        .arg(&churn)
        .arg(&source)
        .status();
    assert!(
        built.is_ok_and(|s| s.success()),
        "gcc must build bench/churn.c"
    );
    let stream = Stream::start(&ns, &[], As::Root);
    // 10,000 connections per second for 10 s, bounded in count and time.
    let started = Instant::now();
    let out = ns
        .command(churn.to_str().unwrap())
        .args(["10000", "10", "5107"])
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&churn);
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    let made: usize = report
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("churn said {report:?}"));
    let (events, status, stderr) = stream.stop();
    eprintln!("churn: {report} in {:?}", started.elapsed());
    assert_stopped_cleanly(status, &stderr, &events);
    // A completed connection is one whose 1000 bytes were acknowledged and read; a connect
    // that failed under load also closes a socket, with less.
    let closes = of_kind(&events, "close");
    let counter = |e: &Value, name: &str| e[name].as_u64().unwrap_or(0);
    let clients = closes
        .iter()
        .filter(|e| is_client(e, 5107) && counter(e, "bytes_sent") >= 1000)
        .count();
    let servers = closes
        .iter()
        .filter(|e| is_server(e, 5107) && counter(e, "bytes_received") >= 1000)
        .count();
    assert_eq!((clients, servers), (made, made), "every close reported");
}

#[test]
fn json_is_refused_as_a_stream_is_not_one_array() {
    let out = Command::new(ours())
        .args(["--events", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "netstat: --events cannot be combined with --json (a stream is not one array; use --json-lines)\n"
    );
    let out = Command::new(ours())
        .args(["--events", "-r"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn a_reader_that_goes_away_ends_the_stream_quietly() {
    let mut child = Command::new(ours())
        .arg("--events")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut header = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut header)
        .unwrap(); // the reader (and the pipe's only read end) is dropped here
    assert!(header.starts_with("TIME "), "{header}");
    let deadline = Instant::now() + Duration::from_secs(5);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "still running with no reader");
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(141), "as a shell reports SIGPIPE");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "needs root (network namespaces)"]
fn all_netns_follows_a_namespace_made_after_the_start_and_lets_it_go_when_deleted() {
    if !common::prerequisites() {
        return;
    }
    let stream = Stream::spawn(Command::new(ours()), &["--all-netns"]);
    let late = Netns::new("ev-late").unwrap();
    let inode = std::fs::metadata(format!("/run/netns/{}", late.name))
        .map(|m| std::os::unix::fs::MetadataExt::ino(&m))
        .unwrap();
    let pid = stream.child.id();
    // netstat looks for namespaces every 2 s.
    assert!(
        testkit::wait_for(Duration::from_secs(10), || watches(pid, inode)),
        "a namespace made after the start is watched within 10 s"
    );
    connections(&late, "evlate", &["burst", "20", "5105"]);
    std::thread::sleep(Duration::from_millis(500));
    let name = late.name.clone();
    drop(late);
    assert!(
        testkit::wait_for(Duration::from_secs(10), || !watches(pid, inode)),
        "the deleted namespace is let go within 10 s"
    );
    let (events, status, stderr) = stream.stop();
    assert_eq!(status, Some(0), "SIGTERM ends the stream: {stderr}");
    let ours: Vec<&Value> = events.iter().filter(|e| e["netns"] == name).collect();
    assert!(
        of_kind(&events, "lost").is_empty(),
        "nothing lost: {events:#?}"
    );
    let closes = of_kind(&events, "close");
    let clients = closes
        .iter()
        .filter(|e| e["netns"] == name && is_client(e, 5105))
        .count();
    assert_eq!(clients, 20, "every close in the late namespace: {ours:#?}");
}
