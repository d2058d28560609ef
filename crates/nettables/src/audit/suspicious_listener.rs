//! `suspicious-listener`: listeners on ports known from backdoors and IRC bots (critical), and
//! listeners off loopback on a port with no service name whose owner is not a known service
//! (warning). A known service is known by its executable's name: a process can call itself
//! `sshd` in its `argv[0]`, but cannot change the file it runs.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use super::config::SUSPICIOUS_PORTS;
use super::net::is_loopback;
use super::{Config, Finding, Severity, Snapshot, Sock};

pub const ID: &str = "suspicious-listener";

pub fn check(snapshot: &Snapshot, config: &Config) -> Vec<Finding> {
    let mut ports: BTreeMap<(Reverse<Severity>, &str, u16), Vec<&Sock>> = BTreeMap::new();
    for sock in snapshot.listeners() {
        if config.is_allowed_listener(sock) {
            continue;
        }
        let port = sock.inet.local.port();
        let severity = if SUSPICIOUS_PORTS.contains(&port) {
            Severity::Critical
        } else if !is_loopback(sock.inet.local)
            && snapshot.service(sock.inet.protocol, port).is_none()
            && !snapshot
                .owner(sock)
                .and_then(|p| p.exe.as_deref())
                .is_some_and(|exe| config.is_known_service(exe))
        {
            Severity::Warning
        } else {
            continue;
        };
        ports
            .entry((Reverse(severity), sock.inet.protocol.name(), port))
            .or_default()
            .push(sock);
    }
    ports
        .into_iter()
        .map(|((Reverse(severity), proto, port), socks)| {
            let mut owners: Vec<String> = socks.iter().map(|s| snapshot.owner_text(s)).collect();
            owners.dedup();
            let owners = owners.join(", ");
            let pids: Vec<String> =
                socks.iter().filter_map(|s| snapshot.owner(s)).map(|p| format!("ls -l /proc/{}/exe", p.pid)).collect();
            let look = pids.first().map(|c| format!(" ({c})")).unwrap_or_default();
            let (message, advice) = if severity == Severity::Critical {
                (
                    format!("{proto} port {port} is a port known from backdoors and IRC bots; {owners} listens on it"),
                    format!(
                        "find out what {owners} is and who started it{look}, and stop it unless it is expected; \
                         if it is, mark it with --audit-allow '*:{port}' (config: allow-listener = *:{port})"
                    ),
                )
            } else {
                let mark = format!("mark the listener with --audit-allow '*:{port}'");
                match socks.iter().find_map(|s| snapshot.owner(s)) {
                    Some(p) => (
                        format!("{proto} port {port} has no service name and {owners} is not a known service"),
                        format!(
                            "check that {owners} should serve port {port}{look}; if it should, name it a service \
                             with --audit-set allow-program={} or {mark}",
                            p.exe.as_deref().unwrap_or(&p.name)
                        ),
                    ),
                    None => (
                        format!("{proto} port {port} has no service name and its owner is unknown"),
                        format!(
                            "find the process (run as root, or in the listener's PID namespace: fuser {port}/{proto}) \
                             and check that it should serve this port; if it should, {mark}"
                        ),
                    ),
                }
            };
            let service = snapshot.service_suffix(socks[0].inet.protocol, port);
            let mut evidence: Vec<String> = socks.iter().map(|s| snapshot.socket_line(s)).collect();
            evidence.push(if service.is_empty() { "no service name for the port".into() } else { format!("service name{service}") });
            Finding { check: ID, severity, message, evidence, advice }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::tests::{config, outline, snapshot, sock};
    use crate::inet::State;

    #[test]
    fn backdoor_ports_and_unnamed_ports_of_unknown_owners() {
        let snap = snapshot(vec![
            sock("127.0.0.1:31337", "0.0.0.0:0", State::LISTEN, Some(1)),
            sock("0.0.0.0:9999", "0.0.0.0:0", State::LISTEN, Some(1)),
            sock("0.0.0.0:9998", "0.0.0.0:0", State::LISTEN, Some(0)),
            sock("127.0.0.1:9997", "0.0.0.0:0", State::LISTEN, Some(1)),
            sock("0.0.0.0:22", "0.0.0.0:0", State::LISTEN, Some(1)),
            sock("0.0.0.0:5000", "0.0.0.0:0", State::LISTEN, None),
        ]);
        let findings = check(&snap, &Config::default());
        assert_eq!(
            outline(&findings),
            [
                (
                    Severity::Critical,
                    "tcp port 31337 is a port known from backdoors and IRC bots; nc (pid 20) listens on it"
                ),
                (
                    Severity::Warning,
                    "tcp port 5000 has no service name and its owner is unknown"
                ),
                (
                    Severity::Warning,
                    "tcp port 9999 has no service name and nc (pid 20) is not a known service"
                ),
            ]
        );
        assert!(findings[0].advice.contains("ls -l /proc/20/exe"));
        assert_eq!(
            findings[0].evidence,
            [
                "tcp 127.0.0.1:31337 LISTEN, nc (pid 20)",
                "no service name for the port"
            ]
        );
        let quiet = config(&[
            ("allow-program", "nc"),
            ("allow-listener", "*:5000,127.0.0.1:31337"),
        ]);
        assert!(check(&snap, &quiet).is_empty());
    }

    #[test]
    fn a_known_name_in_argv0_does_not_make_a_known_service() {
        let mut snap = snapshot(vec![sock(
            "0.0.0.0:9999",
            "0.0.0.0:0",
            State::LISTEN,
            Some(0),
        )]);
        assert!(check(&snap, &Config::default()).is_empty(), "the real sshd");
        snap.processes[0].exe = Some("python3.11".into());
        let findings = check(&snap, &Config::default());
        assert_eq!(
            outline(&findings),
            [(
                Severity::Warning,
                "tcp port 9999 has no service name and sshd (pid 10) is not a known service"
            )]
        );
        assert!(findings[0].advice.contains("allow-program=python3.11"));
        snap.processes[0].exe = None;
        assert_eq!(check(&snap, &Config::default()).len(), 1, "unreadable exe");
    }
}
