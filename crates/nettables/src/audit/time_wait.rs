//! `time-wait`: a build-up of TIME_WAIT sockets, set against the local ports each destination
//! can use (a TIME_WAIT socket keeps its port from new connections to the same destination).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use crate::inet::State;

use super::net::{endpoint, unmapped};
use super::{Config, Finding, Severity, Snapshot, graded, is_tcp};

pub const ID: &str = "time-wait";

/// A destination whose TIME_WAIT sockets hold this share of the local ports makes the
/// finding critical: new connections to it are about to fail with EADDRNOTAVAIL.
const CRITICAL_SHARE: f64 = 0.75;

/// Destinations shown in the evidence.
const SHOWN: usize = 5;

/// TIME_WAIT sockets to one destination, from one local address.
type Destination = ((IpAddr, SocketAddr), u64);

pub fn check(snapshot: &Snapshot, config: &Config) -> Vec<Finding> {
    let (total, destinations) = count(snapshot);
    let ports = snapshot
        .port_range()
        .map(|(low, high)| u64::from(high - low) + 1);
    let share = |n: u64| ports.map(|p| n as f64 / p as f64);
    let worst = destinations
        .first()
        .and_then(|&(_, n)| share(n))
        .unwrap_or(0.0);
    let buckets = snapshot
        .sysctl_numbers("net.ipv4.tcp_max_tw_buckets")
        .and_then(|v| v.first().copied());
    let at_limit = buckets.is_some_and(|b| b > 0 && total >= b.unsigned_abs());
    let severity = if worst >= CRITICAL_SHARE || at_limit {
        Severity::Critical
    } else {
        match graded(total as f64, config.time_wait as f64) {
            Some(severity) => severity,
            None => return Vec::new(),
        }
    };
    let limit = if at_limit {
        "; the kernel's limit net.ipv4.tcp_max_tw_buckets is reached, so it drops new ones"
    } else {
        ""
    };
    Vec::from([Finding {
        check: ID,
        severity,
        message: format!(
            "{total} TCP sockets in TIME_WAIT (threshold {}); the busiest destination holds {:.0}% of the local ports{limit}",
            config.time_wait,
            worst * 100.0
        ),
        evidence: evidence(snapshot, &destinations, ports),
        advice: advice(snapshot, &destinations),
    }])
}

/// Every TIME_WAIT socket, and those of the connections this machine opened (only they use a
/// local port of the range) by destination, busiest first.
fn count(snapshot: &Snapshot) -> (u64, Vec<Destination>) {
    let listening = snapshot.tcp_listening_ports();
    let mut total = 0u64;
    let mut destinations: HashMap<(IpAddr, SocketAddr), u64> = HashMap::new();
    for sock in snapshot
        .sockets
        .iter()
        .filter(|s| is_tcp(s, State::TIME_WAIT))
    {
        total += 1;
        if !listening.contains(&sock.inet.local.port()) {
            *destinations
                .entry((unmapped(sock.inet.local.ip()), sock.inet.remote))
                .or_default() += 1;
        }
    }
    let mut destinations: Vec<_> = destinations.into_iter().collect();
    destinations.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    (total, destinations)
}

/// The busiest destinations with their share of the `ports` of the range, the kernel's count,
/// and the sysctls that matter.
fn evidence(snapshot: &Snapshot, destinations: &[Destination], ports: Option<u64>) -> Vec<String> {
    let mut evidence: Vec<String> = destinations
        .iter()
        .take(SHOWN)
        .map(|&((local, remote), n)| {
            let of = match ports {
                Some(p) => format!(
                    ", {:.0}% of the {p} local ports",
                    n as f64 / p as f64 * 100.0
                ),
                None => String::new(),
            };
            format!("{local} -> {}: {n} sockets{of}", endpoint(remote))
        })
        .collect();
    if destinations.len() > SHOWN {
        evidence.push(format!(
            "... and {} more destinations",
            destinations.len() - SHOWN
        ));
    }
    if let Some(stat) = &snapshot.sockstat {
        evidence.push(format!("sockstat: TCP tw {}", stat.tcp.tw));
    }
    for name in [
        "net.ipv4.tcp_tw_reuse",
        "net.ipv4.tcp_max_tw_buckets",
        "net.ipv4.ip_local_port_range",
    ] {
        evidence.push(snapshot.sysctl_line(name));
    }
    evidence
}

fn advice(snapshot: &Snapshot, destinations: &[Destination]) -> String {
    let now = |name| snapshot.sysctl(name).unwrap_or_else(|| "unknown".into());
    let top = destinations
        .first()
        .map(|((_, remote), _)| format!(" to {}", endpoint(*remote)))
        .unwrap_or_default();
    format!(
        "reuse connections{top} (keep-alive, pooling) instead of opening one per request; net.ipv4.tcp_tw_reuse = 1 \
         lets new outgoing connections take over TIME_WAIT ports (now {}); a wider \
         net.ipv4.ip_local_port_range (now {}) gives more ports; if this is normal here, raise the \
         threshold with --audit-time-wait N",
        now("net.ipv4.tcp_tw_reuse"),
        now("net.ipv4.ip_local_port_range")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::tests::{snapshot, sock};

    fn tw(n: u32, local: &str, remote: &str) -> Vec<crate::audit::Sock> {
        (0..n)
            .map(|i| {
                sock(
                    &format!("{local}:{}", 32768 + i % 28000),
                    remote,
                    State::TIME_WAIT,
                    None,
                )
            })
            .collect()
    }

    #[test]
    fn build_up_per_destination() {
        let mut socks = tw(8000, "127.0.0.1", "127.0.0.1:8080");
        socks.extend(tw(2500, "10.0.0.1", "10.0.0.2:443"));
        let mut server_side: Vec<_> = (0..10u32)
            .map(|i| {
                sock(
                    "10.0.0.1:22",
                    &format!("10.0.0.3:{}", 40000 + i),
                    State::TIME_WAIT,
                    None,
                )
            })
            .collect();
        server_side.push(sock("0.0.0.0:22", "0.0.0.0:0", State::LISTEN, None));
        socks.extend(server_side);
        let mut snap = snapshot(socks);
        snap.sysctls.insert("net.ipv4.tcp_tw_reuse", "2".into());
        snap.sysctls
            .insert("net.ipv4.tcp_max_tw_buckets", "262144".into());
        let findings = check(&snap, &Config::default());
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(
            f.message,
            "10510 TCP sockets in TIME_WAIT (threshold 10000); the busiest destination holds 28% of the local ports"
        );
        assert_eq!(
            f.evidence[..2],
            [
                "127.0.0.1 -> 127.0.0.1:8080: 8000 sockets, 28% of the 28232 local ports",
                "10.0.0.1 -> 10.0.0.2:443: 2500 sockets, 9% of the 28232 local ports"
            ]
        );
        assert_eq!(
            f.evidence[2..],
            [
                "net.ipv4.tcp_tw_reuse = 2",
                "net.ipv4.tcp_max_tw_buckets = 262144",
                "net.ipv4.ip_local_port_range = 32768 60999"
            ]
        );
        assert!(f.advice.contains("(now 2)") && f.advice.contains("to 127.0.0.1:8080"));

        let mut config = Config::default();
        config.set("time-wait", "20000", &[]).unwrap();
        assert!(check(&snap, &config).is_empty());
        // A narrow port range: one destination nearly out of ports is critical below the threshold.
        snap.sysctls
            .insert("net.ipv4.ip_local_port_range", "50000 59999".into());
        assert_eq!(check(&snap, &config)[0].severity, Severity::Critical);
        // So is the kernel's own limit.
        snap.sysctls
            .insert("net.ipv4.ip_local_port_range", "1024 65535".into());
        snap.sysctls
            .insert("net.ipv4.tcp_max_tw_buckets", "10000".into());
        assert!(
            check(&snap, &config)[0]
                .message
                .ends_with("so it drops new ones")
        );
    }
}
