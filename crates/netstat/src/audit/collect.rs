//! Reads the kernel once into a [`Snapshot`]. Anything that cannot be read becomes a note for
//! stderr, and the checks that need it find nothing.

use std::collections::HashMap;
use std::convert::Infallible;

use nettables::SocketReader;
use nettables::counters::{self, CounterFile};
use nettables::inet::{Family, Protocol, State, StateMask};

use super::{Process, Snapshot, Sock};
use crate::modes::listing::{self, Selection};
use crate::resolve::services::{ServiceTable, Services};

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

/// The snapshot, and notes about what could not be read.
pub fn collect() -> (Snapshot, Vec<String>) {
    let mut notes = Vec::new();
    let mut snapshot = Snapshot::default();
    sockets(&mut snapshot, &mut notes);
    owners(&mut snapshot, &mut notes);
    services(&mut snapshot);
    for file in [CounterFile::Snmp, CounterFile::Netstat] {
        match counters::load(file) {
            Ok(c) => snapshot.counters.extend(c.sections),
            Err(e) => notes.push(e.to_string()),
        }
    }
    match nettables::iface::list() {
        Ok(listing) => {
            let named = listing
                .interfaces
                .into_iter()
                .filter_map(|i| Some((String::from_utf8_lossy(&i.name).into_owned(), i.stats?)));
            snapshot.interfaces.extend(named);
        }
        Err(e) => notes.push(format!("cannot list interfaces: {e}")),
    }
    match nettables::sockstat::read() {
        Ok(stat) => snapshot.sockstat = Some(stat),
        Err(e) => notes.push(e.to_string()),
    }
    for &name in SYSCTLS {
        // Some are not shown inside a network namespace (tcp_mem, tcp_max_orphans).
        if let Ok(value) = nettables::sysctl::read(name) {
            snapshot.sysctls.insert(name, value);
        }
    }
    (snapshot, notes)
}

fn sockets(snapshot: &mut Snapshot, notes: &mut Vec<String>) {
    let mut reader = SocketReader::new();
    let selection = Selection::both_families(&[Protocol::Tcp, Protocol::Udp]);
    for (protocol, family) in selection.tables() {
        let states = match protocol {
            Protocol::Tcp => tcp_states(),
            _ => StateMask::CLOSE,
        };
        let query = selection.query(protocol, family).states(states);
        let result = reader.for_each_inet(&query, |inet| {
            snapshot.sockets.push(Sock {
                inet: *inet,
                owner: None,
            });
            Ok::<(), Infallible>(())
        });
        match result.map_err(nettables::Error::from) {
            // No IPv6 in this kernel.
            Err(e) if e.is_not_available() && family == Family::Inet6 => {}
            Err(e) => notes.push(format!("cannot list {} sockets: {e}", protocol.name())),
            Ok(()) => {}
        }
    }
}

fn owners(snapshot: &mut Snapshot, notes: &mut Vec<String>) {
    let map = listing::owners();
    if map.access_denied {
        notes.push(
            "not every process could be read; run as root to see every socket's owner".into(),
        );
    }
    snapshot.processes = map
        .owners()
        .iter()
        .map(|o| Process {
            pid: o.pid,
            name: program_name(&o.argv0),
        })
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
}
