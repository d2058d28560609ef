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
