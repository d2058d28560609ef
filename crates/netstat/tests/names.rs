//! Name look-ups never hang the run: with a DNS server that never answers, every row still
//! prints (numerically) and the run ends. net-tools would wait one resolver timeout per address.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{As, Netns, ours};

/// Peers with distinct addresses, each connected to one listener.
const PEERS: usize = 300;

/// Holds a silent DNS server (reads queries, never answers) and `PEERS` connections from
/// distinct source addresses, until stdin closes.
const FIXTURE: &str = r#"
import socket, sys
dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
dns.bind(("10.77.0.53", 53))
dns6 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("10.77.0.1", 7000))
listener.listen(1024)
held = []
for i in range(int(sys.argv[1])):
    c = socket.socket()
    c.bind(("10.77.%d.%d" % (1 + i // 200, 1 + i % 200), 0))
    c.connect(("10.77.0.1", 7000))
    s, _ = listener.accept()
    held += [c, s]
print("ready", flush=True)
sys.stdin.read()
"#;

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn silent_dns_prints_every_row_numerically() {
    let Some(ns) = Netns::new("names") else {
        return;
    };
    let mut script =
        String::from("ip addr add 10.77.0.1/32 dev lo; ip addr add 10.77.0.53/32 dev lo\n");
    for i in 0..PEERS {
        script.push_str(&format!(
            "ip addr add 10.77.{}.{}/32 dev lo\n",
            1 + i / 200,
            1 + i % 200
        ));
    }
    ns.sh(&script);
    // Only DNS can answer: no hosts entries for the peers, and the only server never replies.
    ns.etc(
        "resolv.conf",
        "nameserver 10.77.0.53\noptions timeout:5 attempts:2\n",
    );
    ns.etc(
        "nsswitch.conf",
        "hosts: files dns\nnetworks: files\npasswd: files\nservices: files\nprotocols: files\n",
    );
    ns.etc("hosts", "127.0.0.1 localhost\n");

    let mut fixture = ns
        .command("/usr/bin/python3")
        .args(["-c", FIXTURE, &PEERS.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start fixture");
    testkit::wait_ready(&mut fixture, "the DNS fixture did not start");

    let started = Instant::now();
    let run = ns.run(&ours(), &["-t"], As::Root);
    let elapsed = started.elapsed();
    drop(fixture.stdin.take());
    let _ = fixture.wait();

    let text = run.stdout_text();
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("tcp ")).collect();
    // Both ends of each connection are listed.
    assert_eq!(rows.len(), 2 * PEERS, "every row printed:\n{text}");
    for i in 0..PEERS {
        let peer = format!("10.77.{}.{}:", 1 + i / 200, 1 + i % 200);
        assert!(text.contains(&peer), "peer {peer} printed numerically");
    }
    run.succeeds();
    // Not a timing test of speed: net-tools would take PEERS resolver timeouts (well over an
    // hour); the bound only proves that the deadline, not the resolver, ended the wait.
    assert!(elapsed < Duration::from_secs(60), "run took {elapsed:?}");
}
