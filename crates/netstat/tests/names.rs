//! Name look-ups never hang the run: with a DNS server that never answers, every row still
//! prints (numerically) and the run ends. net-tools would wait one resolver timeout per address.

mod common;

use std::time::{Duration, Instant};

use common::{As, Netns, ours};

/// Peers with distinct addresses, each connected to one listener.
const PEERS: usize = 300;

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn silent_dns_prints_every_row_numerically() {
    let Some(ns) = Netns::new("names") else {
        return;
    };
    // Only DNS can answer: no hosts entries for the peers, and the only server never replies.
    let mut fixture = ns.dns_scene("10.77", PEERS, "never");

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

/// Service and protocol names come from the namespace's own `/etc/services` and
/// `/etc/protocols` (through NSS, as for net-tools): the last entry for a port wins.
#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn services_and_protocols_come_from_the_files() {
    let spec = r#"{"sockets": [{"kind": "tcp_listen", "addr": "127.0.0.1", "port": 7999},
        {"kind": "udp", "family": 4, "bind": ["127.0.0.1", 7998]},
        {"kind": "raw", "family": 4, "proto": 253, "bind": "127.0.0.1"}]}"#;
    let Some(ns) = Netns::with_fixture("services", spec, "svc-fixture") else {
        return;
    };
    ns.etc(
        "services",
        "first-name 7999/tcp\nfixture-svc 7999/tcp\nfixture-udp 7998/udp\n",
    );
    ns.etc("protocols", "fixture-proto 253 FIXTURE\n");
    ns.etc("hosts", "127.0.0.1 localhost\n");
    ns.etc(
        "nsswitch.conf",
        "services: files\nprotocols: files\nhosts: files\n",
    );
    let run = ns.run(&ours(), &["-tuwa"], As::Root);
    run.succeeds()
        .stdout_has("localhost:fixture-svc ")
        .stdout_has("localhost:fixture-udp ")
        .stdout_has("localhost:fixture-proto ")
        .stdout_lacks("first-name");
    ns.assert_same(&["-tuwa"], As::Root);
}
