//! The sampling engine against real sockets: a paced bulk transfer next to idle connections,
//! connections opened and closed between samples, and a 4-tuple reused by a new connection.
//! Each test makes its own network namespace and enters it on its own thread.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

use nettables::inet::{Family, Protocol, State};
use nettables::netns::Namespace;
use nettables::watch::events::{
    CloseSource, Event, EventKind, EventSource, EventsConfig, SocketEvent,
};
use nettables::watch::{Change, Sample, Sampler, SamplerConfig};

/// Panics under CI=true when the test cannot run; the tests are `#[ignore]`d otherwise.
fn require_root() {
    assert!(
        rustix::process::geteuid().is_root(),
        "this test needs root (network namespaces); run it with --include-ignored as root"
    );
}

/// A namespace with loopback up and a Python process in it that obeys one-line commands.
struct Scene {
    name: String,
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

const FIXTURE: &str = r#"
import socket, sys, threading, time
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 5001)); srv.listen(64)
accepted = []
def serve():
    while True:
        c, _ = srv.accept(); accepted.append(c)
        threading.Thread(target=lambda c=c: [None for _ in iter(lambda: c.recv(65536), b"")], daemon=True).start()
threading.Thread(target=serve, daemon=True).start()
conns = {}
def bulk(c):
    buf = b"x" * 16384
    while True:
        c.send(buf); time.sleep(0.005)
for line in sys.stdin:
    cmd, *rest = line.split()
    if cmd == "open":
        port = int(rest[0]); c = socket.socket()
        c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.bind(("127.0.0.1", port)); c.connect(("127.0.0.1", 5001)); conns[port] = c
    elif cmd == "bulk":
        threading.Thread(target=bulk, args=(conns[int(rest[0])],), daemon=True).start()
    elif cmd == "reset":
        import struct
        c = conns.pop(int(rest[0]))
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); c.close()
    elif cmd == "close":
        conns.pop(int(rest[0])).close()
    elif cmd == "quick":
        c = socket.socket(); c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.bind(("127.0.0.1", int(rest[0]))); c.connect(("127.0.0.1", 5001)); c.sendall(b"q" * 1000); c.close()
    time.sleep(0.1)
    print("ok", flush=True)
"#;

impl Scene {
    fn new(tag: &str) -> Scene {
        require_root();
        let name = format!("nstw-{tag}-{}", std::process::id());
        let _ = Command::new("ip").args(["netns", "del", &name]).output();
        assert!(
            Command::new("ip")
                .args(["netns", "add", &name])
                .status()
                .unwrap()
                .success()
        );
        assert!(
            Command::new("ip")
                .args(["-n", &name, "link", "set", "lo", "up"])
                .status()
                .unwrap()
                .success()
        );
        let mut child = Command::new("ip")
            .args(["netns", "exec", &name, "python3", "-c", FIXTURE])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Scene {
            name,
            child,
            stdin,
            stdout,
        }
    }

    fn send(&mut self, command: &str) {
        writeln!(self.stdin, "{command}").unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ok", "fixture failed on {command}");
    }

    /// A sampler whose netlink socket lives in the scene's namespace, with its first sample
    /// (taken there) done. The namespace is entered on a thread of its own, so the test's
    /// thread stays where it was; the socket keeps its namespace wherever it is used.
    fn sampler(&self) -> Sampler {
        let name = self.name.clone();
        std::thread::spawn(move || {
            Namespace::named(&name).unwrap().enter().unwrap();
            let mut sampler = Sampler::new(
                SamplerConfig::default()
                    .tables(vec![(Protocol::Tcp, Family::Inet)])
                    .owners(true),
            );
            let first = sampler.sample().unwrap();
            assert!(
                first.changes.is_empty(),
                "the first sample reports no changes"
            );
            sampler
        })
        .join()
        .unwrap()
    }
}

impl Scene {
    /// An event source made in the scene's namespace (see [`Scene::sampler`]).
    fn events(&self) -> EventSource {
        let name = self.name.clone();
        std::thread::spawn(move || {
            Namespace::named(&name).unwrap().enter().unwrap();
            EventSource::new(EventsConfig::default()).unwrap()
        })
        .join()
        .unwrap()
    }
}

/// Polls `source` until an event `wanted` accepts, within 3 s; every event met on the way.
fn poll_until(
    source: &mut EventSource,
    wanted: impl Fn(&SocketEvent) -> bool,
) -> (SocketEvent, Vec<Event>) {
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    let mut all = Vec::new();
    while std::time::Instant::now() < deadline {
        let mut batch = Vec::new();
        source.poll(&mut batch).unwrap();
        all.extend(batch);
        let found = all.iter().find_map(|e| match e {
            Event::Socket(e) if wanted(e) => Some(e.clone()),
            _ => None,
        });
        if let Some(found) = found {
            return (found, all);
        }
    }
    panic!("no such event in {all:#?}");
}

#[test]
#[ignore = "needs root"]
fn events_report_opens_with_owners_and_closes_with_final_counters() {
    let mut scene = Scene::new("events");
    let mut source = scene.events();
    assert!(source.receive_buffer() >= 1 << 20, "a large buffer as root");
    let client = |port: u16| move |e: &SocketEvent| e.socket.local.port() == port;

    scene.send("open 40030");
    let (open, _) = poll_until(&mut source, |e| {
        client(40030)(e) && e.kind == EventKind::Open
    });
    let owner = open.owner.expect("an owner for a socket a snapshot saw");
    assert!(String::from_utf8_lossy(&owner.argv0).contains("python3"));

    std::thread::sleep(Duration::from_millis(500));
    scene.send("close 40030");
    let (close, _) = poll_until(&mut source, |e| {
        client(40030)(e) && e.kind == EventKind::Close
    });
    assert_eq!(close.source, CloseSource::Kernel);
    assert_eq!(
        close.owner.map(|o| o.pid),
        Some(owner.pid),
        "kept by cookie"
    );
    let duration = close.duration.expect("seen open");
    // Held 0.5 s plus the fixture's 0.1 s pauses; the first sighting is up to 0.1 s late.
    assert!(
        (Duration::from_millis(450)..Duration::from_millis(1500)).contains(&duration),
        "{duration:?}"
    );

    scene.send("quick 40031");
    let (close, events) = poll_until(&mut source, |e| {
        client(40031)(e) && e.kind == EventKind::Close
    });
    assert_eq!(close.duration, None, "never seen open");
    let counters = close.counters.expect("final tcp_info");
    // Sequence space: the SYN and the FIN are counted with the 1000 bytes.
    assert_eq!(counters.bytes_acked, 1002, "{counters:?}");
    let opens = events
        .iter()
        .filter(|e| matches!(e, Event::Socket(e) if client(40031)(e) && e.kind == EventKind::Open));
    assert_eq!(opens.count(), 1, "reported open with its close");
}

impl Drop for Scene {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

#[test]
#[ignore = "needs root"]
fn the_bulk_transfer_is_busiest_and_owned_by_its_process() {
    let mut scene = Scene::new("bulk");
    for port in [40001, 40002, 40003] {
        scene.send(&format!("open {port}"));
    }
    scene.send("bulk 40002");
    let mut sampler = scene.sampler();
    std::thread::sleep(Duration::from_millis(700));
    let sample = sampler.sample().unwrap();
    let mut sockets: Vec<_> = sample.current.sockets().iter().collect();
    sockets.sort_by(|a, b| b.rates.tx.total_cmp(&a.rates.tx));
    let busiest = sockets[0];
    assert_eq!(busiest.socket.local.port(), 40002, "{sockets:#?}");
    // 16 KiB every 5 ms is up to 3.2 MB/s; on a loaded machine far less, never nothing.
    assert!(busiest.rates.tx > 100_000.0, "{:?}", busiest.rates);
    let idle = sockets
        .iter()
        .filter(|o| [40001, 40003].contains(&o.socket.local.port()));
    for socket in idle {
        assert_eq!(socket.rates.total(), 0.0, "{socket:?}");
    }
    let owner = busiest.owner.as_ref().expect("an owner");
    assert!(
        String::from_utf8_lossy(&owner.argv0).contains("python3"),
        "{owner:?}"
    );
    let counts = sample.current.tcp_state_counts();
    assert_eq!(counts[usize::from(State::LISTEN.0)], 1);
    assert_eq!(counts[usize::from(State::ESTABLISHED.0)], 6);
}

fn cookie_of(sample: &Sample, port: u16) -> Option<u64> {
    sample
        .current
        .sockets()
        .iter()
        .find(|o| o.socket.local.port() == port)
        .map(|o| o.socket.cookie)
}

fn ports(sample: &Sample, opened: bool) -> Vec<(u16, u64)> {
    sample
        .changes
        .iter()
        .filter(|c| matches!(c, Change::Opened { .. }) == opened)
        .filter(|c| !matches!(c, Change::State { .. }))
        .map(|c| {
            let socket = &sample.socket(c).unwrap().socket;
            (socket.local.port(), socket.cookie)
        })
        .collect()
}

#[test]
#[ignore = "needs root"]
fn opens_closes_and_a_reused_four_tuple_are_reported() {
    let mut scene = Scene::new("diff");
    scene.send("open 40010");
    let mut sampler = scene.sampler();
    let old = cookie_of(&sampler.sample().unwrap(), 40010).expect("the client socket");
    assert_ne!(old, 0, "sock_diag gives cookies");

    scene.send("open 40011");
    let sample = sampler.sample().unwrap();
    let opened: Vec<u16> = ports(&sample, true).into_iter().map(|(p, _)| p).collect();
    assert!(opened.contains(&40011), "{opened:?}");
    assert!(opened.contains(&5001), "the accepted end too: {opened:?}");
    assert!(ports(&sample, false).is_empty(), "{:?}", sample.changes);

    // Reset (no TIME_WAIT) and reconnect from the same port: same 4-tuple, a new socket.
    scene.send("reset 40010");
    scene.send("open 40010");
    let sample = sampler.sample().unwrap();
    let new = cookie_of(&sample, 40010).expect("reconnected");
    assert_ne!(new, old);
    assert!(
        ports(&sample, false).contains(&(40010, old)),
        "{:?}",
        sample.changes
    );
    assert!(
        ports(&sample, true).contains(&(40010, new)),
        "{:?}",
        sample.changes
    );
}
