//! `syn-flood`: many half-open (SYN_RECV) connections on one listener, shown with the kernel's
//! listen-queue counters and the sysctls that decide how a flood is weathered.

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;

use crate::inet::State;

use super::net::endpoint;
use super::{Config, Finding, Snapshot, graded, is_tcp};

pub const ID: &str = "syn-flood";

/// Counters that say whether the listen queues overflowed (since boot or namespace creation).
const COUNTERS: &[(&str, &str)] = &[
    ("TcpExt", "ListenOverflows"),
    ("TcpExt", "ListenDrops"),
    ("TcpExt", "SyncookiesSent"),
];

pub fn check(snapshot: &Snapshot, config: &Config) -> Vec<Finding> {
    let mut pending: BTreeMap<u16, BTreeMap<SocketAddr, (u64, HashSet<std::net::IpAddr>)>> =
        BTreeMap::new();
    for sock in snapshot
        .sockets
        .iter()
        .filter(|s| is_tcp(s, State::SYN_RECV))
    {
        let (count, sources) = pending
            .entry(sock.inet.local.port())
            .or_default()
            .entry(sock.inet.local)
            .or_default();
        *count += 1;
        sources.insert(sock.inet.remote.ip());
    }
    let mut findings = Vec::new();
    for (port, locals) in pending {
        let total: u64 = locals.values().map(|(n, _)| n).sum();
        let Some(severity) = graded(total as f64, config.syn_recv as f64) else {
            continue;
        };
        let sources: HashSet<_> = locals.values().flat_map(|(_, s)| s).collect();
        let listeners: Vec<_> = snapshot
            .sockets
            .iter()
            .filter(|s| is_tcp(s, State::LISTEN) && s.inet.local.port() == port)
            .collect();
        let owner = listeners
            .first()
            .map_or_else(|| "no listener".to_string(), |s| snapshot.owner_text(s));
        let mut evidence: Vec<String> = locals
            .iter()
            .map(|(local, (n, from))| {
                format!(
                    "{n} SYN_RECV to {} from {} addresses",
                    endpoint(*local),
                    from.len()
                )
            })
            .collect();
        evidence.extend(listeners.iter().map(|s| snapshot.socket_line(s)));
        evidence.extend(snapshot.counter_lines(COUNTERS));
        for name in [
            "net.ipv4.tcp_syncookies",
            "net.ipv4.tcp_max_syn_backlog",
            "net.core.somaxconn",
        ] {
            evidence.push(snapshot.sysctl_line(name));
        }
        let cookies = match snapshot.sysctl("net.ipv4.tcp_syncookies").as_deref() {
            Some("0") => {
                "turn on net.ipv4.tcp_syncookies (now 0) so that the listener keeps answering"
            }
            _ => "keep net.ipv4.tcp_syncookies on (1) so that the listener keeps answering",
        };
        findings.push(Finding {
            check: ID,
            severity,
            message: format!(
                "{total} half-open connections on port {port}{} ({owner}) from {} addresses (threshold {})",
                snapshot.service_suffix(crate::inet::Protocol::Tcp, port),
                sources.len(),
                config.syn_recv
            ),
            evidence,
            advice: format!(
                "a SYN flood or unreachable clients: {cookies}; filter the sources upstream; a longer queue needs \
                 net.ipv4.tcp_max_syn_backlog and net.core.somaxconn (values above); if this load is normal, \
                 raise the threshold with --audit-set syn-recv=N"
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
    use crate::counters::CounterSection;

    #[test]
    fn half_open_connections_per_listener() {
        let mut socks = vec![sock("0.0.0.0:80", "0.0.0.0:0", State::LISTEN, Some(1))];
        for i in 0..150u32 {
            let local = if i % 2 == 0 {
                "10.0.0.1:80"
            } else {
                "10.0.0.2:80"
            };
            socks.push(sock(
                local,
                &format!("10.9.{}.{}:1234", i / 200, i % 200),
                State::SYN_RECV,
                None,
            ));
        }
        for i in 0..99u32 {
            socks.push(sock(
                "10.0.0.1:443",
                &format!("10.8.0.{}:1", i % 3),
                State::SYN_RECV,
                None,
            ));
        }
        let mut snap = snapshot(socks);
        snap.counters.push(CounterSection::new(
            "TcpExt",
            &[("ListenOverflows", 3), ("SyncookiesSent", 9)],
        ));
        snap.sysctls.insert("net.ipv4.tcp_syncookies", "0".into());
        let findings = check(&snap, &Config::default());
        assert_eq!(findings.len(), 1, "99 on port 443 stay under the threshold");
        let f = &findings[0];
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(
            f.message,
            "150 half-open connections on port 80 (nc (pid 20)) from 150 addresses (threshold 100)"
        );
        assert_eq!(
            f.evidence[..3],
            [
                "75 SYN_RECV to 10.0.0.1:80 from 75 addresses",
                "75 SYN_RECV to 10.0.0.2:80 from 75 addresses",
                "tcp 0.0.0.0:80 LISTEN, nc (pid 20)"
            ]
        );
        assert!(
            f.evidence
                .contains(&"TcpExt.SyncookiesSent = 9".to_string())
        );
        assert!(
            f.evidence
                .contains(&"net.ipv4.tcp_syncookies = 0".to_string())
        );
        assert!(f.advice.contains("turn on net.ipv4.tcp_syncookies"));
        let config = Config {
            syn_recv: 15,
            ..Config::default()
        };
        let severities: Vec<_> = check(&snap, &config).iter().map(|f| f.severity).collect();
        assert_eq!(severities, [Severity::Critical, Severity::Warning]);
    }
}
