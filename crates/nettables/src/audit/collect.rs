//! Reads the kernel once into a [`Snapshot`]. Anything that cannot be read becomes a note for
//! stderr, and the checks that need it find nothing.
//!
//! [`collect`] does it all. A caller that reads the socket tables anyway (the exporter, whose
//! socket collectors walk them every scrape) keeps the records [`keeps`] accepts, sets
//! [`Sock::owner`] from its own owner table, with [`process`] or [`executable_name`] for each
//! owner, and calls [`collect_with_sockets`] for the rest, so that the tables are read once.

use std::collections::HashMap;
use std::convert::Infallible;

use crate::SocketReader;
use crate::counters::{self, CounterFile};
use crate::inet::{Family, InetQuery, InetSocket, Protocol, State, StateMask};
use crate::process::OwnerMap;
use crate::services::{ServiceTable, Services};

use super::{Process, Snapshot, Sock};

/// The sysctls the checks quote.
pub const SYSCTLS: &[&str] = &[
    "net.core.netdev_max_backlog",
    "net.core.somaxconn",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_max_orphans",
    "net.ipv4.tcp_max_syn_backlog",
    "net.ipv4.tcp_max_tw_buckets",
    "net.ipv4.tcp_mem",
    "net.ipv4.tcp_orphan_retries",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.tcp_tw_reuse",
];

/// The TCP states the checks look at.
fn tcp_states() -> StateMask {
    [
        State::LISTEN,
        State::SYN_RECV,
        State::ESTABLISHED,
        State::TIME_WAIT,
        State::CLOSE_WAIT,
    ]
    .into_iter()
    .fold(StateMask(0), |mask, state| mask.union(StateMask::of(state)))
}

/// Whether the snapshot holds `sock`: a TCP socket in a state some check reads, or an
/// unconnected UDP socket. What [`collect`] asks the kernel for, for callers that read every
/// socket.
pub fn keeps(sock: &InetSocket) -> bool {
    match sock.protocol {
        Protocol::Tcp => tcp_states().contains(sock.state),
        Protocol::Udp => sock.state == State::CLOSE,
        _ => false,
    }
}

/// The snapshot of the calling thread's network namespace, and notes about what could not
/// be read.
pub fn collect() -> (Snapshot, Vec<String>) {
    let mut notes = Vec::new();
    let sockets = sockets(&mut notes);
    let (mut snapshot, more) = collect_with_sockets(sockets);
    notes.extend(more);
    owners(&mut snapshot, &mut notes);
    (snapshot, notes)
}

/// The snapshot around `sockets`, read by the caller (each one [`keeps`] accepts, in the
/// kernel's order, owners set or not): services, counters, interfaces, `sockstat` and sysctls
/// of the calling thread's network namespace, and notes about what could not be read.
pub fn collect_with_sockets(sockets: Vec<Sock>) -> (Snapshot, Vec<String>) {
    let mut notes = Vec::new();
    let mut snapshot = Snapshot {
        sockets,
        ..Snapshot::default()
    };
    services(&mut snapshot);
    for file in [CounterFile::Snmp, CounterFile::Netstat] {
        match counters::load(file) {
            Ok(c) => snapshot.counters.extend(c.sections),
            Err(e) => notes.push(e.to_string()),
        }
    }
    match crate::iface::list() {
        Ok(listing) => {
            let named = listing
                .interfaces
                .into_iter()
                .filter_map(|i| Some((String::from_utf8_lossy(&i.name).into_owned(), i.stats?)));
            snapshot.interfaces.extend(named);
        }
        Err(e) => notes.push(format!("cannot list interfaces: {e}")),
    }
    match crate::sockstat::read() {
        Ok(stat) => snapshot.sockstat = Some(stat),
        Err(e) => notes.push(e.to_string()),
    }
    for &name in SYSCTLS {
        // Some are not shown inside a network namespace (tcp_mem, tcp_max_orphans).
        if let Ok(value) = crate::sysctl::read(name) {
            snapshot.sysctls.insert(name, value);
        }
    }
    (snapshot, notes)
}

fn sockets(notes: &mut Vec<String>) -> Vec<Sock> {
    let mut sockets = Vec::new();
    let mut reader = SocketReader::new();
    let tables = [Protocol::Tcp, Protocol::Udp]
        .into_iter()
        .flat_map(|p| [Family::Inet, Family::Inet6].map(|f| (p, f)));
    for (protocol, family) in tables {
        let states = match protocol {
            Protocol::Tcp => tcp_states(),
            _ => StateMask::CLOSE,
        };
        let query = InetQuery::new(protocol, family).states(states);
        let result = reader.for_each_inet(&query, |inet| {
            sockets.push(Sock {
                inet: *inet,
                owner: None,
            });
            Ok::<(), Infallible>(())
        });
        match result.map_err(crate::Error::from) {
            // No IPv6 in this kernel.
            Err(e) if e.is_not_available() && family == Family::Inet6 => {}
            Err(e) => notes.push(format!("cannot list {} sockets: {e}", protocol.name())),
            Ok(()) => {}
        }
    }
    sockets
}

fn owners(snapshot: &mut Snapshot, notes: &mut Vec<String>) {
    let map = OwnerMap::scan().unwrap_or_else(|_| OwnerMap {
        access_denied: true,
        ..OwnerMap::default()
    });
    if map.access_denied {
        notes.push(
            "not every process could be read; run as root to see every socket's owner".into(),
        );
    } else if map.processes_hidden {
        notes.push(
            "/proc hides other users' processes (hidepid); their sockets have no owner here".into(),
        );
    }
    snapshot.processes = map
        .owners()
        .iter()
        .map(|o| process(o.pid, &o.argv0))
        .collect();
    for sock in &mut snapshot.sockets {
        if sock.inet.inode != 0 {
            sock.owner = map.owner_id(sock.inet.inode).map(|id| id.0 as usize);
        }
    }
}

fn services(snapshot: &mut Snapshot) {
    let names = Services::new();
    let mut found = HashMap::new();
    for sock in snapshot.listeners() {
        let protocol = sock.inet.protocol;
        let table = if protocol == Protocol::Tcp {
            ServiceTable::Tcp
        } else {
            ServiceTable::Udp
        };
        let port = sock.inet.local.port();
        if let Some(name) = names.name(table, port) {
            found.insert((protocol, port), String::from_utf8_lossy(name).into_owned());
        }
    }
    snapshot.services = found;
}

/// Process `pid` with command line `argv0`: its name from `argv0`, its executable's name from
/// `/proc/PID/exe` (unreadable for another user's process without root).
pub fn process(pid: u32, argv0: &[u8]) -> Process {
    Process {
        pid,
        name: program_name(argv0),
        exe: executable_name(pid),
    }
}

/// The last component of `/proc/PID/exe`, without the ` (deleted)` of a replaced binary;
/// `None` when it cannot be read (another user's process, without root; a kernel thread).
pub fn executable_name(pid: u32) -> Option<String> {
    let target = std::fs::read_link(format!("/proc/{pid}/exe")).ok()?;
    let name = target.file_name()?.to_string_lossy();
    let name = name.strip_suffix(" (deleted)").unwrap_or(&name);
    (!name.is_empty()).then(|| name.to_string())
}

/// `argv[0]`'s first word without its directory: daemons rewrite their command line
/// (`sshd: /usr/sbin/sshd -D [listener]`, `nginx: master process`).
pub fn program_name(argv0: &[u8]) -> String {
    let word = argv0
        .split(|&b| b == b':' || b.is_ascii_whitespace())
        .next()
        .unwrap_or_default();
    let base = word.rsplit(|&b| b == b'/').next().unwrap_or(word);
    String::from_utf8_lossy(base).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_names_from_rewritten_command_lines() {
        assert_eq!(
            program_name(b"sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"),
            "sshd"
        );
        assert_eq!(program_name(b"/usr/sbin/nginx"), "nginx");
        assert_eq!(program_name(b"postgres: checkpointer"), "postgres");
        assert_eq!(program_name(b""), "");
        assert_eq!(program_name(b"/"), "");
        assert_eq!(program_name(b"\xff\x01x"), "\u{fffd}\u{1}x");
    }

    #[test]
    fn executable_names_come_from_proc() {
        let own = process(std::process::id(), b"sshd: pretending");
        assert_eq!(own.name, "sshd");
        let exe = std::env::current_exe().unwrap();
        let exe = exe.file_name().unwrap().to_string_lossy();
        assert_eq!(own.exe.as_deref(), Some(&*exe));
        assert_eq!(process(u32::MAX, b"x").exe, None);
    }

    #[test]
    fn every_state_a_check_reads_is_asked_for() {
        let mask = tcp_states();
        for state in [
            State::LISTEN,
            State::SYN_RECV,
            State::ESTABLISHED,
            State::TIME_WAIT,
            State::CLOSE_WAIT,
        ] {
            assert!(mask.contains(state));
        }
        assert!(!mask.contains(State::FIN_WAIT2));
    }

    #[test]
    fn keeps_what_collect_asks_for() {
        let sock = |protocol, state| {
            InetSocket::new(
                protocol,
                "127.0.0.1:1".parse().unwrap(),
                "127.0.0.1:2".parse().unwrap(),
                state,
            )
        };
        assert!(keeps(&sock(Protocol::Tcp, State::LISTEN)));
        assert!(keeps(&sock(Protocol::Tcp, State::CLOSE_WAIT)));
        assert!(!keeps(&sock(Protocol::Tcp, State::FIN_WAIT2)));
        assert!(keeps(&sock(Protocol::Udp, State::CLOSE)));
        assert!(!keeps(&sock(Protocol::Udp, State::ESTABLISHED)));
        assert!(!keeps(&sock(Protocol::UdpLite, State::CLOSE)));
        assert!(!keeps(&sock(Protocol::Raw, State::CLOSE)));
    }
}
