//! `netstat_audit_findings{check,severity}`: the findings of `netstat --audit`'s checks
//! ([`nettables::audit`]), counted. Every check that runs gets a series for each severity,
//! 0 when clean, so that an alert can fire on `> 0`.
//!
//! The snapshot is the one `netstat --audit` takes, built from the records of the scrape's
//! one pass over the socket tables ([`super::sockets`]), except for socket owners: they come
//! from the exporter's owner cache ([`crate::owners`]), looked up once for the pass, so they
//! can be as stale as the programs collector's, and a socket whose owner is not found yet
//! counts as one of an unknown process.

use nettables::audit::{self, CHECKS, Config, Finding, Process, Severity, Snapshot, collect};

use super::Request;
use super::sockets::Pass;
use crate::exposition::{Collection, Kind, Value};

/// Runs the checks on the pass's records and the rest of the calling thread's namespace.
/// Fails when part of the snapshot could not be read; the findings of what could be read are
/// exported all the same.
pub fn collect(request: &Request, pass: &Pass, metrics: &mut Collection) -> Result<(), String> {
    let (snapshot, notes) = snapshot(pass);
    let config = request.audit.as_deref().cloned().unwrap_or_default();
    let findings = audit::audit(&snapshot, &config);
    let family = metrics.family(
        "netstat_audit_findings",
        "Findings of netstat --audit's checks, by check and severity (0 when clean).",
        Kind::Gauge,
    );
    for (check, severity, count) in counted(&findings, &config) {
        family.push(
            vec![
                ("check", check.to_string()),
                ("severity", severity.name().to_string()),
            ],
            Value::Unsigned(count),
        );
    }
    if notes.is_empty() {
        Ok(())
    } else {
        Err(notes.join("; "))
    }
}

/// How many findings each check that runs has, for every severity.
fn counted(findings: &[Finding], config: &Config) -> Vec<(&'static str, Severity, u64)> {
    let mut counts = Vec::new();
    for check in CHECKS.iter().filter(|c| !config.skip.contains(c.id)) {
        for severity in Severity::ALL {
            let n = findings
                .iter()
                .filter(|f| f.check == check.id && f.severity == severity)
                .count();
            counts.push((check.id, severity, n as u64));
        }
    }
    counts
}

/// The audit's snapshot: the pass's records and owners, and the rest read from the calling
/// thread's namespace; notes about what could not be read.
fn snapshot(pass: &Pass) -> (Snapshot, Vec<String>) {
    let (sockets, error) = pass.audited();
    let (mut snapshot, mut notes) = collect::collect_with_sockets(sockets);
    if let Some(error) = error {
        notes.insert(0, format!("cannot list sockets: {error}"));
    }
    if let Some(owners) = pass.owners() {
        snapshot.processes = owners
            .programs
            .iter()
            .zip(&owners.pids)
            .map(|(name, &pid)| Process {
                pid,
                name: name.clone(),
                exe: collect::executable_name(pid),
            })
            .collect();
    }
    (snapshot, notes)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::io::Write;
    use std::net::{TcpListener, TcpStream, UdpSocket};
    use std::sync::Arc;
    use std::time::Duration;

    use nettables::SocketReader;
    use nettables::netns::Namespace;

    use super::*;
    use crate::collect::{self, Collector, sockets};
    use crate::owners::Owners;

    /// Each socket's table, ends, state, inode and owner's pid, in one order.
    fn records(snapshot: &Snapshot) -> Vec<String> {
        let mut lines: Vec<String> = snapshot
            .sockets
            .iter()
            .map(|s| {
                let i = &s.inet;
                let pid = snapshot.owner(s).map(|p| p.pid);
                let (local, remote, state) = (i.local, i.remote, i.state);
                format!(
                    "{} {local} {remote} {state:?} {} {pid:?}",
                    i.table(),
                    i.inode
                )
            })
            .collect();
        lines.sort_unstable();
        lines
    }

    /// A listener on a backdoor port, one exposed on every address, 25 connections left in
    /// CLOSE_WAIT, a connection to an unusual port and an unconnected UDP socket; then the
    /// audit alone (`netstat --audit`'s snapshot, its own dump and owner scan) and the audit
    /// on the socket collectors' pass must see the same records and count the same findings,
    /// with every collector on and with the audit alone.
    #[test]
    #[ignore = "needs root and ip (a network namespace)"]
    fn the_shared_pass_finds_what_the_audit_finds_alone() {
        if !testkit::prerequisites("the shared audit pass test", &["ip"]) {
            return;
        }
        let ns = testkit::Netns::new("exaudit");
        let namespace = Namespace::named(&ns.name).expect("open the namespace");
        std::thread::spawn(move || {
            namespace.enter().expect("enter the namespace");
            let _backdoor = TcpListener::bind("127.0.0.1:4444").unwrap();
            let _exposed = TcpListener::bind("0.0.0.0:8080").unwrap();
            let _udp = UdpSocket::bind("0.0.0.0:5353").unwrap();
            let server = TcpListener::bind("127.0.0.1:9000").unwrap();
            let mut held = Vec::new();
            for _ in 0..25 {
                let client = TcpStream::connect("127.0.0.1:9000").unwrap();
                held.push(server.accept().unwrap().0);
                drop(client); // the accepted end is left in CLOSE_WAIT
            }
            let database = TcpListener::bind("127.0.0.1:15432").unwrap();
            let mut outgoing = TcpStream::connect("127.0.0.1:15432").unwrap();
            outgoing.write_all(b"x").unwrap();
            let _incoming = database.accept().unwrap();
            std::thread::sleep(Duration::from_millis(200));

            let (alone, _) = nettables::audit::collect::collect();
            let config = nettables::audit::Config::default();
            let expected: BTreeMap<(String, String), u64> =
                counted(&audit::audit(&alone, &config), &config)
                    .into_iter()
                    .map(|(check, severity, n)| {
                        ((check.to_string(), severity.name().to_string()), n)
                    })
                    .collect();
            assert!(
                expected.values().sum::<u64>() >= 3,
                "the scene finds little: {expected:?}"
            );

            let owners = Owners::new(Duration::from_secs(3600));
            let mut reader = SocketReader::new();
            for collectors in [Collector::ALL.to_vec(), vec![Collector::Audit]] {
                owners.begin().expect("owner scan");
                let request = collect::Request {
                    collectors: collectors.clone(),
                    programs_top_k: 10,
                    remotes_top_k: 10,
                    owners: Some(owners.clone()),
                    audit: Some(Arc::new(config.clone())),
                };
                let pass = sockets::read(&mut reader, &request);
                let (shared, notes) = snapshot(&pass);
                assert_eq!(notes, Vec::<String>::new());
                assert_eq!(records(&shared), records(&alone), "{collectors:?}");
                let outcome = collect::run(&mut reader, &request);
                owners.end();
                let family = outcome
                    .metrics
                    .families
                    .iter()
                    .find(|f| f.name == "netstat_audit_findings")
                    .expect("netstat_audit_findings");
                let exported: BTreeMap<(String, String), u64> = family
                    .samples
                    .iter()
                    .map(|s| {
                        let Value::Unsigned(n) = s.value else {
                            panic!("{:?}", s.value)
                        };
                        ((s.labels[0].1.clone(), s.labels[1].1.clone()), n)
                    })
                    .collect();
                assert_eq!(exported, expected, "{collectors:?}");
            }
            drop(held);
        })
        .join()
        .unwrap();
    }
}
