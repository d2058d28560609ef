//! `close-wait`: CLOSE_WAIT sockets piling up in one process. The peer has closed; the
//! application has not, so each one is a leaked descriptor.

use std::collections::BTreeMap;

use crate::inet::State;

use super::net::endpoint;
use super::{Config, Finding, Snapshot, Sock, graded, is_tcp};

pub const ID: &str = "close-wait";

/// Peers shown in the evidence.
const SHOWN: usize = 5;

pub fn check(snapshot: &Snapshot, config: &Config) -> Vec<Finding> {
    let mut by_owner: BTreeMap<Option<usize>, Vec<&Sock>> = BTreeMap::new();
    for sock in snapshot
        .sockets
        .iter()
        .filter(|s| is_tcp(s, State::CLOSE_WAIT))
    {
        by_owner.entry(sock.owner).or_default().push(sock);
    }
    let mut findings = Vec::new();
    for socks in by_owner.into_values() {
        let count = socks.len();
        let Some(severity) = graded(count as f64, config.close_wait as f64) else {
            continue;
        };
        let owner = snapshot.owner_text(socks[0]);
        let mut peers: BTreeMap<String, usize> = BTreeMap::new();
        for sock in &socks {
            *peers
                .entry(format!(
                    "{} -> {}",
                    endpoint(sock.inet.local),
                    endpoint(sock.inet.remote)
                ))
                .or_default() += 1;
        }
        let mut peers: Vec<_> = peers.into_iter().collect();
        peers.sort_by_key(|p| std::cmp::Reverse(p.1));
        let mut evidence = vec![format!("{owner}: {count} sockets in CLOSE_WAIT")];
        evidence.extend(
            peers
                .iter()
                .take(SHOWN)
                .map(|(pair, n)| format!("{pair}: {n}")),
        );
        if peers.len() > SHOWN {
            evidence.push(format!("... and {} more connections", peers.len() - SHOWN));
        }
        let fds = snapshot
            .owner(socks[0])
            .map(|p| format!(" (ls -l /proc/{}/fd shows its descriptors)", p.pid))
            .unwrap_or_default();
        findings.push(Finding {
            check: ID,
            severity,
            message: format!("{owner} holds {count} sockets in CLOSE_WAIT (threshold {})", config.close_wait),
            evidence,
            advice: format!(
                "the peers closed these connections but the application never called close() on them: a leak in \
                 its connection handling{fds}; restarting it frees them; if this is expected, raise the threshold \
                 with --audit-set close-wait=N"
            ),
        });
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Severity;
    use crate::audit::tests::{snapshot, sock};

    #[test]
    fn leaks_per_process() {
        let mut socks: Vec<_> = (0..30u32)
            .map(|i| {
                sock(
                    &format!("127.0.0.1:{}", 9000 + i % 2),
                    "127.0.0.1:5000",
                    State::CLOSE_WAIT,
                    Some(1),
                )
            })
            .collect();
        socks.extend((0..19).map(|_| {
            sock(
                "127.0.0.1:9100",
                "127.0.0.1:5001",
                State::CLOSE_WAIT,
                Some(0),
            )
        }));
        socks.extend(
            (0..25).map(|_| sock("127.0.0.1:9200", "127.0.0.1:5002", State::CLOSE_WAIT, None)),
        );
        let snap = snapshot(socks);
        let findings = check(&snap, &Config::default());
        let messages: Vec<_> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "an unknown process holds 25 sockets in CLOSE_WAIT (threshold 20)",
                "nc (pid 20) holds 30 sockets in CLOSE_WAIT (threshold 20)"
            ]
        );
        assert_eq!(
            findings[1].evidence,
            [
                "nc (pid 20): 30 sockets in CLOSE_WAIT",
                "127.0.0.1:9000 -> 127.0.0.1:5000: 15",
                "127.0.0.1:9001 -> 127.0.0.1:5000: 15"
            ]
        );
        assert!(findings[1].advice.contains("/proc/20/fd"));
        let mut config = Config::default();
        config.set("close-wait", "1", &[]).unwrap();
        assert!(
            check(&snap, &config)
                .iter()
                .all(|f| f.severity == Severity::Critical)
        );
    }
}
