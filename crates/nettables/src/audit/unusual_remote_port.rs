//! `unusual-remote-port`: connections this machine opened to remote ports outside the usual
//! set, grouped by process and port. A port known from backdoors and IRC bots is a warning,
//! any other unusual port is information.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;

use crate::inet::State;

use super::config::SUSPICIOUS_PORTS;
use super::net::endpoint;
use super::{Config, Finding, Severity, Snapshot, is_tcp, plural};

pub const ID: &str = "unusual-remote-port";

/// Peers shown in the evidence.
const SHOWN: usize = 5;

pub fn check(snapshot: &Snapshot, config: &Config) -> Vec<Finding> {
    // Accepted connections have a listener's local port and a client's ephemeral remote one.
    let listening = snapshot.tcp_listening_ports();
    // Peers are counted by address and written once each (a busy client has 100k connections).
    let mut groups: BTreeMap<(Option<usize>, u16), HashMap<SocketAddr, usize>> = BTreeMap::new();
    for sock in snapshot
        .sockets
        .iter()
        .filter(|s| is_tcp(s, State::ESTABLISHED))
    {
        let port = sock.inet.remote.port();
        if listening.contains(&sock.inet.local.port()) || config.is_usual_remote_port(port) {
            continue;
        }
        *groups
            .entry((sock.owner, port))
            .or_default()
            .entry(sock.inet.remote)
            .or_default() += 1;
    }
    groups
        .into_iter()
        .map(|((owner, port), by_address)| {
            // In the order of their text; a mapped address and its IPv4 form are one peer.
            let mut peers: BTreeMap<String, usize> = BTreeMap::new();
            for (address, n) in by_address {
                *peers.entry(endpoint(address)).or_default() += n;
            }
            let owner = match owner.and_then(|i| snapshot.processes.get(i)) {
                Some(p) => format!("{} (pid {})", p.name, p.pid),
                None => "an unknown process".to_string(),
            };
            let connections: usize = peers.values().sum();
            let suspicious = SUSPICIOUS_PORTS.contains(&port);
            let mut evidence: Vec<String> =
                peers.iter().take(SHOWN).map(|(peer, n)| format!("{owner} -> {peer}: {}", plural(*n as u64, "connection"))).collect();
            if peers.len() > SHOWN {
                evidence.push(format!("... and {} more peers", peers.len() - SHOWN));
            }
            let quiet = format!("if it is expected, add the port with --audit-allow-port {port} (config: allow-port = {port})");
            Finding {
                check: ID,
                severity: if suspicious { Severity::Warning } else { Severity::Info },
                message: format!(
                    "{owner} has {} to remote port {port}{} on {}",
                    plural(connections as u64, "connection"),
                    if suspicious { ", a port known from backdoors and IRC bots," } else { "" },
                    plural(peers.len() as u64, "peer")
                ),
                evidence,
                advice: if suspicious {
                    format!("find out why {owner} talks to these peers (IRC is a classic botnet control channel); {quiet}")
                } else {
                    quiet
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::tests::{config, outline, snapshot, sock};

    #[test]
    fn outgoing_connections_grouped_by_process_and_port() {
        let snap = snapshot(vec![
            sock(
                "10.0.0.1:40000",
                "10.0.0.9:6667",
                State::ESTABLISHED,
                Some(1),
            ),
            sock(
                "10.0.0.1:40001",
                "10.0.0.9:6667",
                State::ESTABLISHED,
                Some(1),
            ),
            sock(
                "10.0.0.1:40002",
                "10.0.0.8:6667",
                State::ESTABLISHED,
                Some(1),
            ),
            sock("10.0.0.1:40003", "10.0.0.8:5432", State::ESTABLISHED, None),
            sock(
                "10.0.0.1:40004",
                "10.0.0.8:443",
                State::ESTABLISHED,
                Some(1),
            ),
            sock("10.0.0.1:40005", "10.0.0.8:5432", State::TIME_WAIT, None),
            // An accepted connection: the remote port is the client's.
            sock("0.0.0.0:22", "0.0.0.0:0", State::LISTEN, Some(0)),
            sock("10.0.0.1:22", "10.0.0.7:51515", State::ESTABLISHED, Some(0)),
        ]);
        let findings = check(&snap, &Config::default());
        assert_eq!(
            outline(&findings),
            [
                (
                    Severity::Info,
                    "an unknown process has 1 connection to remote port 5432 on 1 peer"
                ),
                (
                    Severity::Warning,
                    "nc (pid 20) has 3 connections to remote port 6667, a port known from backdoors and IRC bots, on 2 peers"
                ),
            ]
        );
        assert_eq!(
            findings[1].evidence,
            [
                "nc (pid 20) -> 10.0.0.8:6667: 1 connection",
                "nc (pid 20) -> 10.0.0.9:6667: 2 connections"
            ]
        );
        assert!(check(&snap, &config(&[("allow-port", "6667,5432")])).is_empty());
    }
}
