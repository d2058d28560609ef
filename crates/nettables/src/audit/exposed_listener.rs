//! `exposed-listener`: listeners bound to every address (`0.0.0.0`, `::`) rather than to
//! loopback or one address, which are not on the allow-list.

use std::collections::BTreeMap;

use super::net::is_wildcard;
use super::{Config, Finding, Severity, Snapshot, Sock};

pub const ID: &str = "exposed-listener";

pub fn check(snapshot: &Snapshot, config: &Config) -> Vec<Finding> {
    // One finding per port and transport: `0.0.0.0:22` and `[::]:22` are one service.
    let mut ports: BTreeMap<(&str, u16), Vec<&Sock>> = BTreeMap::new();
    for sock in snapshot.listeners() {
        if is_wildcard(sock.inet.local) && !config.is_allowed_listener(sock) {
            ports
                .entry((sock.inet.protocol.name(), sock.inet.local.port()))
                .or_default()
                .push(sock);
        }
    }
    ports
        .into_values()
        .map(|socks| {
            let first = socks[0];
            let port = first.inet.local.port();
            let mut owners: Vec<String> = socks.iter().map(|s| snapshot.owner_text(s)).collect();
            owners.dedup();
            Finding {
                check: ID,
                severity: Severity::Warning,
                message: format!(
                    "{} port {port}{} is open on all interfaces, served by {}",
                    first.inet.protocol.name(),
                    snapshot.service_suffix(first.inet.protocol, port),
                    owners.join(", ")
                ),
                evidence: socks.iter().map(|s| snapshot.socket_line(s)).collect(),
                advice: format!(
                    "if only this machine uses it, bind it to 127.0.0.1 or ::1; otherwise make sure a firewall \
                     guards it, and mark it expected with --audit-allow '*:{port}' (config: allow-listener = *:{port})"
                ),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::tests::{snapshot, sock};
    use crate::inet::State;

    #[test]
    fn wildcard_listeners_grouped_by_port_unless_allowed() {
        let snap = snapshot(vec![
            sock("0.0.0.0:22", "0.0.0.0:0", State::LISTEN, Some(0)),
            sock("[::]:22", "[::]:0", State::LISTEN, Some(0)),
            sock("127.0.0.1:631", "0.0.0.0:0", State::LISTEN, None),
            sock("10.0.0.1:80", "0.0.0.0:0", State::LISTEN, None),
            sock("0.0.0.0:22", "10.0.0.2:5000", State::ESTABLISHED, Some(0)),
            sock("0.0.0.0:53", "0.0.0.0:0", State::CLOSE, None),
        ]);
        let findings = check(&snap, &Config::default());
        assert_eq!(findings.len(), 2, "{findings:#?}");
        assert_eq!(
            findings[0].message,
            "tcp port 22 (ssh) is open on all interfaces, served by sshd (pid 10)"
        );
        assert_eq!(
            findings[0].evidence,
            [
                "tcp 0.0.0.0:22 LISTEN, sshd (pid 10)",
                "tcp6 [::]:22 LISTEN, sshd (pid 10)"
            ]
        );
        assert!(findings[0].advice.contains("--audit-allow '*:22'"));
        assert_eq!(
            findings[1].message,
            "udp port 53 is open on all interfaces, served by an unknown process"
        );
        let mut config = Config::default();
        config
            .set("allow-listener", "*:22, 0.0.0.0:53", &[])
            .unwrap();
        assert!(check(&snap, &config).is_empty());
        let mut config = Config::default();
        config.set("allow-listener", "0.0.0.0:22", &[]).unwrap();
        assert_eq!(
            check(&snap, &config)[0].evidence,
            ["tcp6 [::]:22 LISTEN, sshd (pid 10)"]
        );
    }
}
