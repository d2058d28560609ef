//! The audit of `netstat --audit` and the exporter's `netstat_audit_findings`: one pass over
//! sockets, owners, counters and sysctls that reports what looks unhealthy or unsafe, as
//! findings with a check id, a severity, a message, the evidence and advice.
//!
//! [`collect`] reads the kernel once into a [`Snapshot`]. Each check is a pure function from
//! the snapshot and the [`Config`] to findings, so tests feed it made-up snapshots. Showing
//! the findings is the caller's job.

mod close_wait;
pub mod collect;
pub mod config;
mod exposed_listener;
mod interface_errors;
mod net;
mod orphans_memory;
mod retransmits;
mod suspicious_listener;
mod syn_flood;
mod time_wait;
mod unusual_remote_port;

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::counters::CounterSection;
use crate::inet::{InetSocket, Protocol, State};
use crate::sockstat::Sockstat;

pub use config::Config;

/// One check: its id and the function that runs it.
pub struct Check {
    /// The name in findings, in `skip` and in the exporter's `check` label.
    pub id: &'static str,
    /// The findings of this check in a snapshot.
    pub run: fn(&Snapshot, &Config) -> Vec<Finding>,
}

/// Every check, in the order findings of equal severity are listed.
pub const CHECKS: &[Check] = &[
    Check {
        id: exposed_listener::ID,
        run: exposed_listener::check,
    },
    Check {
        id: suspicious_listener::ID,
        run: suspicious_listener::check,
    },
    Check {
        id: syn_flood::ID,
        run: syn_flood::check,
    },
    Check {
        id: time_wait::ID,
        run: time_wait::check,
    },
    Check {
        id: close_wait::ID,
        run: close_wait::check,
    },
    Check {
        id: unusual_remote_port::ID,
        run: unusual_remote_port::check,
    },
    Check {
        id: interface_errors::ID,
        run: interface_errors::check,
    },
    Check {
        id: retransmits::ID,
        run: retransmits::check,
    },
    Check {
        id: orphans_memory::ID,
        run: orphans_memory::check,
    },
];

/// How bad a finding is, from least to worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing; nothing to do.
    Info,
    /// Should be looked at.
    Warning,
    /// Needs action now.
    Critical,
}

impl Severity {
    /// Every severity, least first.
    pub const ALL: [Severity; 3] = [Severity::Info, Severity::Warning, Severity::Critical];

    /// `info`, `warning`, `critical`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

/// One thing a check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The id of the check ([`Check::id`]).
    pub check: &'static str,
    /// How bad it is.
    pub severity: Severity,
    /// One line.
    pub message: String,
    /// The sockets, processes or counters behind it, one per line.
    pub evidence: Vec<String>,
    /// The concrete next step.
    pub advice: String,
}

/// A process that holds sockets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Process {
    /// Process id.
    pub pid: u32,
    /// The program name shown: `argv[0]`'s first word, without its directory (`sshd: ...` →
    /// `sshd`). The process chooses it, so no check trusts it.
    pub name: String,
    /// The name of its executable (`/proc/PID/exe`'s last component), when it can be read:
    /// what known-service exemptions go by.
    pub exe: Option<String>,
}

/// A socket and, when known, the index of its process in [`Snapshot::processes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sock {
    /// The socket.
    pub inet: InetSocket,
    /// Its owner, an index into [`Snapshot::processes`].
    pub owner: Option<usize>,
}

/// Everything the checks look at, read once.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    /// TCP sockets in LISTEN, SYN_RECV, ESTABLISHED, TIME_WAIT and CLOSE_WAIT, and unconnected
    /// UDP sockets.
    pub sockets: Vec<Sock>,
    /// The owners of the sockets.
    pub processes: Vec<Process>,
    /// Service names of the listeners' ports.
    pub services: HashMap<(Protocol, u16), String>,
    /// The sections of `/proc/net/snmp` and `/proc/net/netstat`.
    pub counters: Vec<CounterSection>,
    /// Interface names and their packet counters.
    pub interfaces: Vec<(String, crate::iface::Counters)>,
    /// `/proc/net/sockstat`.
    pub sockstat: Option<Sockstat>,
    /// The values of [`collect::SYSCTLS`] that could be read.
    pub sysctls: BTreeMap<&'static str, String>,
}

impl Snapshot {
    /// The process that holds `sock`, when known.
    pub fn owner(&self, sock: &Sock) -> Option<&Process> {
        self.processes.get(sock.owner?)
    }

    /// `python3 (pid 42)`, or `an unknown process`.
    pub fn owner_text(&self, sock: &Sock) -> String {
        match self.owner(sock) {
            Some(p) => format!("{} (pid {})", p.name, p.pid),
            None => "an unknown process".to_string(),
        }
    }

    /// The service name of a listener's port.
    pub fn service(&self, protocol: Protocol, port: u16) -> Option<&str> {
        self.services.get(&(protocol, port)).map(String::as_str)
    }

    /// ` (ssh)` when the port has a service name, else nothing.
    pub fn service_suffix(&self, protocol: Protocol, port: u16) -> String {
        self.service(protocol, port)
            .map(|s| format!(" ({s})"))
            .unwrap_or_default()
    }

    /// A counter such as `("TcpExt", "ListenDrops")`.
    pub fn counter(&self, section: &str, key: &str) -> Option<u64> {
        let section = self.counters.iter().find(|s| s.name == section)?;
        section
            .counters
            .iter()
            .find(|(k, _)| k == key)
            .map(|&(_, v)| v)
    }

    /// `Section.Key = value` for each counter that is there.
    pub fn counter_lines(&self, names: &[(&str, &str)]) -> Vec<String> {
        names
            .iter()
            .filter_map(|&(section, key)| {
                Some(format!("{section}.{key} = {}", self.counter(section, key)?))
            })
            .collect()
    }

    /// A sysctl's value with its whitespace made single spaces.
    pub fn sysctl(&self, name: &str) -> Option<String> {
        let value = self.sysctls.get(name)?;
        Some(value.split_ascii_whitespace().collect::<Vec<_>>().join(" "))
    }

    /// `name = value`, or `name: not readable here`.
    pub fn sysctl_line(&self, name: &str) -> String {
        match self.sysctl(name) {
            Some(value) => format!("{name} = {value}"),
            None => format!("{name}: not readable here"),
        }
    }

    /// The numbers of a sysctl's value.
    pub fn sysctl_numbers(&self, name: &str) -> Option<Vec<i64>> {
        crate::sysctl::numbers(self.sysctls.get(name)?)
    }

    /// `net.ipv4.ip_local_port_range`, when it reads as two ordered ports.
    pub fn port_range(&self) -> Option<(u16, u16)> {
        match self
            .sysctl_numbers("net.ipv4.ip_local_port_range")?
            .as_slice()
        {
            &[low, high] => {
                let (low, high) = (u16::try_from(low).ok()?, u16::try_from(high).ok()?);
                (low <= high).then_some((low, high))
            }
            _ => None,
        }
    }

    /// Ports with a TCP listener: connections on them were accepted, not made.
    pub fn tcp_listening_ports(&self) -> HashSet<u16> {
        self.sockets
            .iter()
            .filter(|s| is_tcp(s, State::LISTEN))
            .map(|s| s.inet.local.port())
            .collect()
    }

    /// TCP listeners, and UDP sockets bound to a port outside the ephemeral range (inside it
    /// they are most likely a client's, such as a resolver's).
    pub fn listeners(&self) -> impl Iterator<Item = &Sock> {
        let range = self.port_range();
        let ephemeral = move |port| range.is_some_and(|(low, high)| (low..=high).contains(&port));
        self.sockets.iter().filter(move |s| match s.inet.protocol {
            Protocol::Tcp => s.inet.state == State::LISTEN,
            Protocol::Udp => {
                let port = s.inet.local.port();
                s.inet.remote.port() == 0 && port != 0 && !ephemeral(port)
            }
            _ => false,
        })
    }

    /// `tcp 0.0.0.0:22 LISTEN, sshd (pid 812)`
    pub fn socket_line(&self, sock: &Sock) -> String {
        let remote = if sock.inet.remote.port() == 0 {
            String::new()
        } else {
            format!(" -> {}", net::endpoint(sock.inet.remote))
        };
        format!(
            "{} {}{remote} {}, {}",
            sock.inet.table(),
            net::endpoint(sock.inet.local),
            net::state(&sock.inet),
            self.owner_text(sock)
        )
    }
}

/// `1 connection`, `3 connections`.
pub fn plural(n: impl Into<u64>, word: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Whether `sock` is a TCP socket in `state`.
pub fn is_tcp(sock: &Sock, state: State) -> bool {
    sock.inet.protocol == Protocol::Tcp && sock.inet.state == state
}

/// The severity of a count against a threshold: warning from it, critical from ten times it.
pub fn graded(value: f64, threshold: f64) -> Option<Severity> {
    if value >= threshold * config::CRITICAL_FACTOR as f64 {
        Some(Severity::Critical)
    } else if value >= threshold {
        Some(Severity::Warning)
    } else {
        None
    }
}

/// Runs every check that is not skipped; findings come worst first, then in check order.
pub fn audit(snapshot: &Snapshot, config: &Config) -> Vec<Finding> {
    let mut findings: Vec<Finding> = CHECKS
        .iter()
        .filter(|c| !config.skip.contains(c.id))
        .flat_map(|c| (c.run)(snapshot, config))
        .collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    findings
}

/// The check ids, for `skip`.
pub fn check_ids() -> Vec<&'static str> {
    CHECKS.iter().map(|c| c.id).collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A TCP socket (UDP when `state` is CLOSE) owned by process `owner`.
    pub(crate) fn sock(local: &str, remote: &str, state: State, owner: Option<usize>) -> Sock {
        let protocol = if state == State::CLOSE {
            Protocol::Udp
        } else {
            Protocol::Tcp
        };
        let inet = InetSocket::new(
            protocol,
            local.parse().unwrap(),
            remote.parse().unwrap(),
            state,
        );
        let mut inet = inet;
        inet.inode = 1;
        Sock { inet, owner }
    }

    /// Each finding's severity and message, for comparing at a glance.
    pub(crate) fn outline(findings: &[Finding]) -> Vec<(Severity, &str)> {
        findings
            .iter()
            .map(|f| (f.severity, f.message.as_str()))
            .collect()
    }

    /// The defaults with `settings` (config-file keys and values) applied.
    pub(crate) fn config(settings: &[(&str, &str)]) -> Config {
        let mut config = Config::default();
        for (key, value) in settings {
            config.set(key, value, &[]).unwrap();
        }
        config
    }

    /// A snapshot with two processes (0: `sshd` pid 10, 1: `nc` pid 20), the usual port range
    /// and the given sockets.
    pub(crate) fn snapshot(sockets: Vec<Sock>) -> Snapshot {
        let mut snapshot = Snapshot {
            sockets,
            processes: vec![
                Process {
                    pid: 10,
                    name: "sshd".into(),
                    exe: Some("sshd".into()),
                },
                Process {
                    pid: 20,
                    name: "nc".into(),
                    exe: Some("nc".into()),
                },
            ],
            ..Snapshot::default()
        };
        snapshot.services.insert((Protocol::Tcp, 22), "ssh".into());
        snapshot
            .sysctls
            .insert("net.ipv4.ip_local_port_range", "32768\t60999".into());
        snapshot
    }

    #[test]
    fn findings_sort_worst_first() {
        let snap = snapshot(vec![
            sock("0.0.0.0:4444", "0.0.0.0:0", State::LISTEN, Some(1)),
            sock(
                "10.0.0.1:40000",
                "10.0.0.9:5432",
                State::ESTABLISHED,
                Some(1),
            ),
        ]);
        let findings = audit(&snap, &Config::default());
        let order: Vec<_> = findings.iter().map(|f| (f.severity, f.check)).collect();
        assert_eq!(
            order,
            vec![
                (Severity::Critical, "suspicious-listener"),
                (Severity::Warning, "exposed-listener"),
                (Severity::Info, "unusual-remote-port")
            ]
        );
        let mut quiet = Config::default();
        quiet
            .set(
                "skip",
                "suspicious-listener, exposed-listener",
                &check_ids(),
            )
            .unwrap();
        assert!(
            audit(&snap, &quiet)
                .iter()
                .all(|f| f.severity == Severity::Info)
        );
    }

    #[test]
    fn snapshot_helpers_tolerate_odd_sysctls() {
        let mut snap = snapshot(vec![sock("0.0.0.0:40000", "0.0.0.0:0", State::CLOSE, None)]);
        assert_eq!(snap.port_range(), Some((32768, 60999)));
        assert_eq!(
            snap.listeners().count(),
            0,
            "a UDP socket on an ephemeral port is a client's"
        );
        for odd in ["60999 32768", "1", "x y", "70000 80000", ""] {
            snap.sysctls
                .insert("net.ipv4.ip_local_port_range", odd.into());
            assert_eq!(snap.port_range(), None, "{odd:?}");
        }
        assert_eq!(snap.listeners().count(), 1);
        assert_eq!(
            snap.sysctl_line("net.core.somaxconn"),
            "net.core.somaxconn: not readable here"
        );
        assert_eq!(graded(9.0, 10.0), None);
        assert_eq!(graded(10.0, 10.0), Some(Severity::Warning));
        assert_eq!(graded(100.0, 10.0), Some(Severity::Critical));
    }
}
