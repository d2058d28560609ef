//! One pass over the socket tables for the four socket collectors (`netstat_sockets`, the
//! listener families, `netstat_program_sockets` and `netstat_remote_connections`) and the
//! audit: a scrape reads each namespace's tables once.
//!
//! TCP listeners are read first (the kernel filters by state, so this is cheap), then every
//! other TCP socket is matched to the listener of its local port. Records stream through
//! counting tables; only each socket's inode is kept (when programs or the audit are
//! exported), and the records the audit's snapshot holds ([`audit::collect::keeps`]), so that
//! owners are looked up once, for both, when the tables are read.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use nettables::audit::{self, Sock};
use nettables::inet::{Family, InetQuery, InetSocket, Protocol, State, StateMask};
use nettables::{ReadError, SocketReader};
use rustc_hash::FxHashMap;

use super::{Collector, Request};
use crate::exposition::{Collection, Kind, Value};
use crate::owners::Resolved;

/// The collectors this pass serves.
pub const COLLECTORS: [Collector; 4] = [
    Collector::Sockets,
    Collector::Listeners,
    Collector::Programs,
    Collector::Remotes,
];

const PROTOCOLS: [Protocol; 4] = [
    Protocol::Tcp,
    Protocol::Udp,
    Protocol::UdpLite,
    Protocol::Raw,
];
const FAMILIES: [Family; 2] = [Family::Inet, Family::Inet6];
/// Kernel states 0..=12; 0 and 12 are never reported but keep indexing simple.
const STATES: usize = 13;
/// Counters per owner in [`Tally::owned`]: one per protocol and state.
const OWNED_SLOTS: usize = PROTOCOLS.len() * STATES;

/// The `state` label of an Internet socket: TCP states as node_exporter names them. UDP and
/// raw sockets reuse the numbers: `established` when connected, `close` when not.
pub fn state_name(state: State) -> &'static str {
    match state {
        State::ESTABLISHED => "established",
        State::SYN_SENT => "syn_sent",
        State::SYN_RECV => "syn_recv",
        State::FIN_WAIT1 => "fin_wait1",
        State::FIN_WAIT2 => "fin_wait2",
        State::TIME_WAIT => "time_wait",
        State::CLOSE => "close",
        State::CLOSE_WAIT => "close_wait",
        State::LAST_ACK => "last_ack",
        State::LISTEN => "listen",
        State::CLOSING => "closing",
        _ => "unknown",
    }
}

fn family_name(family: Family) -> &'static str {
    match family {
        Family::Inet => "ipv4",
        Family::Inet6 => "ipv6",
    }
}

/// The `state` label of a Unix socket.
fn unix_state_name(listening: bool, state: u8) -> &'static str {
    match (listening, state) {
        (true, _) => "listen",
        (false, 1) => "unconnected",
        (false, 2) => "connecting",
        (false, 3) => "connected",
        (false, 4) => "disconnecting",
        _ => "unknown",
    }
}

fn state_index(state: State) -> usize {
    usize::from(state.0).min(STATES - 1)
}

/// A listening address and port, with what is known about it.
struct Listener {
    address: IpAddr,
    port: u16,
    /// Sum over the sockets listening there (several with `SO_REUSEPORT`).
    queue: u64,
    backlog: u64,
    /// Sockets with this local port, by state index.
    connections: [u64; STATES],
}

/// Counting tables of one pass.
#[derive(Default)]
struct Tally {
    /// `[protocol][family][state]`.
    inet: [[[u64; STATES]; 2]; 4],
    /// Unix sockets by state label.
    unix: FxHashMap<&'static str, u64>,
    listeners: Vec<Listener>,
    listener_index: FxHashMap<(IpAddr, u16), usize>,
    /// Established TCP connections per remote address (IPv4-mapped peers as IPv4).
    remotes: FxHashMap<IpAddr, u64>,
    /// Each socket's inode and its slot (protocol index × STATES + state index), for finding
    /// owners once the tables are read.
    inodes: Vec<u64>,
    slots: Vec<u8>,
    /// Sockets per owner index, protocol index and state index, in [`OWNED_SLOTS`] slots per
    /// owner: a socket costs an array index, not a hash.
    owned: Vec<u32>,
    /// The records of the audit's snapshot, and for each the index of its inode in `inodes`.
    audited: Vec<Sock>,
    audited_inodes: Vec<Option<u32>>,
}

impl Tally {
    fn add_listener(&mut self, sock: &InetSocket) {
        let key = (sock.local.ip(), sock.local.port());
        let index = *self.listener_index.entry(key).or_insert_with(|| {
            self.listeners.push(Listener {
                address: key.0,
                port: key.1,
                queue: 0,
                backlog: 0,
                connections: [0; STATES],
            });
            self.listeners.len() - 1
        });
        let listener = &mut self.listeners[index];
        listener.queue += u64::from(sock.recv_q);
        listener.backlog += u64::from(sock.backlog.unwrap_or(0));
    }

    /// The listener a socket with this local address belongs to: the one on its address and
    /// port, else the wildcard one of its family on the port.
    fn listener_of(&self, sock: &InetSocket) -> Option<usize> {
        let port = sock.local.port();
        if let Some(&i) = self.listener_index.get(&(sock.local.ip(), port)) {
            return Some(i);
        }
        let any = match sock.local.ip() {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        };
        self.listener_index.get(&(any, port)).copied()
    }
}

/// What the pass has to do for the requested collectors.
struct Wants {
    sockets: bool,
    listeners: bool,
    programs: bool,
    remotes: bool,
    audit: bool,
}

/// What one pass read: the counts, the audit's records and their owners.
pub struct Pass {
    tally: Tally,
    /// The owners of `tally.inodes`, when programs or the audit are exported and the owner
    /// table could be scanned.
    resolved: Option<Resolved>,
    /// Why the tables could not be read to the end.
    error: Option<String>,
}

/// Reads the tables for the requested collectors, and the owners of the sockets read.
pub fn read(reader: &mut SocketReader, request: &Request) -> Pass {
    let wants = Wants {
        sockets: request.collectors.contains(&Collector::Sockets),
        listeners: request.collectors.contains(&Collector::Listeners),
        programs: request.collectors.contains(&Collector::Programs),
        remotes: request.collectors.contains(&Collector::Remotes),
        audit: request.collectors.contains(&Collector::Audit),
    };
    let mut tally = Tally::default();
    let error = read_tables(reader, &wants, &mut tally)
        .err()
        .map(|e| e.to_string());
    let owners = request
        .owners
        .as_deref()
        .filter(|_| wants.programs || wants.audit);
    let resolved = owners.map(|owners| owners.resolve(&tally.inodes));
    if let Some(resolved) = resolved.as_ref().filter(|_| wants.programs) {
        count_owned(resolved, &mut tally);
    }
    Pass {
        tally,
        resolved,
        error,
    }
}

impl Pass {
    /// Adds the families of the requested socket collectors; fails, adding none, when the
    /// tables could not be read.
    pub fn add_families(&self, request: &Request, out: &mut Collection) -> Result<(), String> {
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        let (tally, wants) = (&self.tally, |c| request.collectors.contains(&c));
        if wants(Collector::Sockets) {
            add_sockets(tally, out);
        }
        if wants(Collector::Listeners) {
            add_listeners(tally, out);
        }
        if wants(Collector::Programs) {
            add_programs(tally, self.resolved.as_ref(), request.programs_top_k, out);
        }
        if wants(Collector::Remotes) {
            add_remotes(tally, request.remotes_top_k, out);
        }
        Ok(())
    }

    /// The audit's records, each with the index of its owner in the owners' program list
    /// ([`Pass::owners`]); why the tables could not be read to the end, if so.
    pub fn audited(&self) -> (Vec<Sock>, Option<&str>) {
        let owners = self.resolved.as_ref().map(|r| r.owners.as_slice());
        let socks = self
            .tally
            .audited
            .iter()
            .zip(&self.tally.audited_inodes)
            .map(|(&sock, &inode)| Sock {
                owner: inode
                    .zip(owners)
                    .and_then(|(i, owners)| owners[i as usize])
                    .map(|owner| owner as usize),
                ..sock
            })
            .collect();
        (socks, self.error.as_deref())
    }

    /// The owners of the sockets read, when looked up.
    pub fn owners(&self) -> Option<&Resolved> {
        self.resolved.as_ref()
    }
}

/// Counts the sockets read per owner.
fn count_owned(resolved: &Resolved, tally: &mut Tally) {
    tally.owned = vec![0; resolved.programs.len() * OWNED_SLOTS];
    for (owner, &slot) in resolved.owners.iter().zip(&tally.slots) {
        if let Some(owner) = owner {
            tally.owned[*owner as usize * OWNED_SLOTS + usize::from(slot)] += 1;
        }
    }
}

fn read_tables(
    reader: &mut SocketReader,
    wants: &Wants,
    tally: &mut Tally,
) -> nettables::Result<()> {
    let every_table = wants.sockets || wants.programs;
    for (p, &protocol) in PROTOCOLS.iter().enumerate() {
        let audited = wants.audit && protocol == Protocol::Udp;
        if protocol != Protocol::Tcp && !every_table && !audited {
            continue;
        }
        for (f, &family) in FAMILIES.iter().enumerate() {
            if known_empty(protocol, family, tally) {
                continue;
            }
            let count = |tally: &mut Tally, sock: &InetSocket| {
                let s = state_index(sock.state);
                tally.inet[p][f][s] += 1;
                let audited = wants.audit && audit::collect::keeps(sock);
                let owned = sock.inode != 0 && (wants.programs || audited);
                if owned {
                    tally.inodes.push(sock.inode);
                    tally.slots.push((p * STATES + s) as u8);
                }
                if audited {
                    tally.audited.push(Sock {
                        inet: *sock,
                        owner: None,
                    });
                    let inode = owned.then(|| (tally.inodes.len() - 1) as u32);
                    tally.audited_inodes.push(inode);
                }
            };
            let query = InetQuery::new(protocol, family);
            let result = if protocol == Protocol::Tcp {
                // Listeners first, so that connections can be matched to them.
                let listeners = query.states(StateMask::LISTEN);
                reader
                    .for_each_inet(&listeners, |sock| {
                        count(tally, sock);
                        tally.add_listener(sock);
                        Ok::<(), Infallible>(())
                    })
                    .and_then(|()| {
                        let others = query.states(StateMask::ALL.without(StateMask::LISTEN));
                        reader.for_each_inet(&others, |sock| {
                            count(tally, sock);
                            if let Some(i) = tally.listener_of(sock).filter(|_| wants.listeners) {
                                tally.listeners[i].connections[state_index(sock.state)] += 1;
                            }
                            if wants.remotes && sock.state == State::ESTABLISHED {
                                *tally.remotes.entry(peer(sock.remote.ip())).or_default() += 1;
                            }
                            Ok(())
                        })
                    })
            } else {
                reader.for_each_inet(&query, |sock| {
                    count(tally, sock);
                    Ok(())
                })
            };
            match result {
                Ok(()) => {}
                // A protocol or family the kernel lacks (no IPv6, no UDP-Lite) has no sockets.
                Err(ReadError::Source(e)) if e.is_not_available() => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    if wants.sockets {
        let result = reader.for_each_unix(|sock| {
            let name = unix_state_name(sock.is_listening(), sock.state);
            *tally.unix.entry(name).or_default() += 1;
            Ok::<(), Infallible>(())
        });
        match result {
            Err(ReadError::Source(e)) if e.is_not_available() => {}
            other => other?,
        }
    }
    Ok(())
}

/// Whether the namespace's own counters (`/proc/net/sockstat`, `sockstat6`, read after the
/// tables before) say a table is empty, so that its dump can be skipped. A TCP dump walks the
/// kernel's whole connection table (every namespace's sockets) even to find nothing: at 200k
/// IPv4 sockets the empty IPv6 walk was a sixth of a scrape. IPv6 TCP is empty when no IPv6
/// socket is in use and every TIME_WAIT socket of the namespace (its `tw` count covers both
/// families) was met in the IPv4 dump. The counts can move meanwhile, as sockets do during any
/// dump; a table is only skipped when they say it is empty.
fn known_empty(protocol: Protocol, family: Family, tally: &Tally) -> bool {
    if protocol == Protocol::Tcp && family == Family::Inet {
        return false;
    }
    let Ok(stat) = nettables::sockstat::read() else {
        return false;
    };
    let v6 = |usage: nettables::sockstat::Usage| stat.ipv6 && usage.inuse == 0;
    match (protocol, family) {
        (Protocol::Tcp, _) => {
            let tw_v4 = tally.inet[0][0][state_index(State::TIME_WAIT)];
            v6(stat.tcp6) && stat.tcp.tw <= tw_v4
        }
        (Protocol::Udp, Family::Inet) => stat.udp.inuse == 0,
        (Protocol::Udp, Family::Inet6) => v6(stat.udp6),
        (Protocol::UdpLite, Family::Inet) => stat.udplite.inuse == 0,
        (Protocol::UdpLite, Family::Inet6) => v6(stat.udplite6),
        (Protocol::Raw, Family::Inet) => stat.raw.inuse == 0,
        (Protocol::Raw, Family::Inet6) => v6(stat.raw6),
    }
}

/// IPv4-mapped IPv6 peers (`::ffff:a.b.c.d`) are IPv4 hosts.
fn peer(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

fn add_sockets(tally: &Tally, out: &mut Collection) {
    let family = out.family(
        "netstat_sockets",
        "Sockets by protocol, address family and state.",
        Kind::Gauge,
    );
    for (p, &protocol) in PROTOCOLS.iter().enumerate() {
        for (f, &fam) in FAMILIES.iter().enumerate() {
            for (s, &n) in tally.inet[p][f].iter().enumerate() {
                if n > 0 {
                    family.push(
                        vec![
                            ("proto", protocol.name().to_string()),
                            ("family", family_name(fam).to_string()),
                            ("state", state_name(State(s as u8)).to_string()),
                        ],
                        Value::Unsigned(n),
                    );
                }
            }
        }
    }
    let mut unix: Vec<(&str, u64)> = tally.unix.iter().map(|(&k, &v)| (k, v)).collect();
    unix.sort_unstable();
    for (state, n) in unix {
        family.push(
            vec![
                ("proto", "unix".to_string()),
                ("family", "unix".to_string()),
                ("state", state.to_string()),
            ],
            Value::Unsigned(n),
        );
    }
}

fn add_listeners(tally: &Tally, out: &mut Collection) {
    let mut listeners: Vec<&Listener> = tally.listeners.iter().collect();
    listeners.sort_unstable_by_key(|l| (l.port, l.address));
    let labels = |l: &Listener| {
        vec![
            ("address", l.address.to_string()),
            ("port", l.port.to_string()),
        ]
    };
    let queue = out.family(
        "netstat_tcp_listener_queue",
        "Connections waiting to be accepted by the listener (Recv-Q of its LISTEN row).",
        Kind::Gauge,
    );
    for &l in &listeners {
        queue.push(labels(l), Value::Unsigned(l.queue));
    }
    let backlog = out.family(
        "netstat_tcp_listener_backlog",
        "The listener's accept queue limit (Send-Q of its LISTEN row, as ss shows it).",
        Kind::Gauge,
    );
    for &l in &listeners {
        backlog.push(labels(l), Value::Unsigned(l.backlog));
    }
    let connections = out.family(
        "netstat_tcp_listener_connections",
        "TCP sockets whose local address and port are the listener's, by state.",
        Kind::Gauge,
    );
    for &l in &listeners {
        for (s, &n) in l.connections.iter().enumerate() {
            if n > 0 {
                let mut labels = labels(l);
                labels.push(("state", state_name(State(s as u8)).to_string()));
                connections.push(labels, Value::Unsigned(n));
            }
        }
    }
}

fn add_programs(tally: &Tally, owners: Option<&Resolved>, top_k: usize, out: &mut Collection) {
    let family = out.family(
        "netstat_program_sockets",
        "Internet sockets held by each program (top programs by socket count; the rest as \
         program=\"other\"). Sockets without an owning process (TIME_WAIT, pending) are not counted.",
        Kind::Gauge,
    );
    let Some(owners) = owners else { return };
    // Per program: the total that ranks it, and counts per (protocol, state).
    type Counts = FxHashMap<(u8, u8), u64>;
    let mut programs: FxHashMap<&str, (u64, Counts)> = FxHashMap::default();
    for (owner, slots) in tally.owned.chunks(OWNED_SLOTS).enumerate() {
        for (slot, &n) in slots.iter().enumerate().filter(|(_, n)| **n > 0) {
            let n = u64::from(n);
            let entry = programs.entry(owners.programs[owner].as_str()).or_default();
            entry.0 += n;
            let (p, s) = ((slot / STATES) as u8, (slot % STATES) as u8);
            *entry.1.entry((p, s)).or_default() += n;
        }
    }
    let mut ranked: Vec<(&str, (u64, Counts))> = programs.into_iter().collect();
    ranked.sort_unstable_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(b.0)));
    let mut other = Counts::default();
    let mut rows: Vec<(String, u8, u8, u64)> = Vec::new();
    for (rank, (name, (_, counts))) in ranked.into_iter().enumerate() {
        if rank < top_k {
            rows.extend(
                counts
                    .into_iter()
                    .map(|((p, s), n)| (name.to_string(), p, s, n)),
            );
        } else {
            for (key, n) in counts {
                *other.entry(key).or_default() += n;
            }
        }
    }
    rows.sort_unstable();
    let mut other: Vec<((u8, u8), u64)> = other.into_iter().collect();
    other.sort_unstable();
    rows.extend(
        other
            .into_iter()
            .map(|((p, s), n)| ("other".to_string(), p, s, n)),
    );
    for (program, p, s, n) in rows {
        family.push(
            vec![
                ("program", program),
                ("proto", PROTOCOLS[usize::from(p)].name().to_string()),
                ("state", state_name(State(s)).to_string()),
            ],
            Value::Unsigned(n),
        );
    }
}

fn add_remotes(tally: &Tally, top_k: usize, out: &mut Collection) {
    let family = out.family(
        "netstat_remote_connections",
        "Established TCP connections per remote address (top addresses; the rest as \
         address=\"other\").",
        Kind::Gauge,
    );
    let mut ranked: Vec<(IpAddr, u64)> = tally.remotes.iter().map(|(&a, &n)| (a, n)).collect();
    ranked.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let other: u64 = ranked.iter().skip(top_k).map(|&(_, n)| n).sum();
    for &(address, n) in ranked.iter().take(top_k) {
        family.push(vec![("address", address.to_string())], Value::Unsigned(n));
    }
    if ranked.len() > top_k {
        family.push(
            vec![("address", "other".to_string())],
            Value::Unsigned(other),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sock(local: &str, state: State) -> InetSocket {
        InetSocket::new(
            Protocol::Tcp,
            local.parse().unwrap(),
            "10.0.0.1:5000".parse().unwrap(),
            state,
        )
    }

    #[test]
    fn connections_find_their_listener() {
        let mut tally = Tally::default();
        let mut busy = sock("0.0.0.0:80", State::LISTEN);
        busy.recv_q = 2;
        busy.backlog = Some(8);
        tally.add_listener(&busy);
        tally.add_listener(&sock("127.0.0.1:80", State::LISTEN));
        tally.add_listener(&sock("[::]:443", State::LISTEN));
        // SO_REUSEPORT: a second socket on the same address adds up.
        busy.recv_q = 1;
        tally.add_listener(&busy);
        assert_eq!(tally.listeners.len(), 3);
        assert_eq!(
            (tally.listeners[0].queue, tally.listeners[0].backlog),
            (3, 16)
        );
        assert_eq!(
            tally.listener_of(&sock("127.0.0.1:80", State::ESTABLISHED)),
            Some(1)
        );
        assert_eq!(
            tally.listener_of(&sock("10.1.1.1:80", State::ESTABLISHED)),
            Some(0)
        );
        assert_eq!(
            tally.listener_of(&sock("[::ffff:10.1.1.1]:443", State::ESTABLISHED)),
            Some(2)
        );
        assert_eq!(
            tally.listener_of(&sock("[::1]:80", State::ESTABLISHED)),
            None
        );
        assert_eq!(
            tally.listener_of(&sock("10.1.1.1:81", State::ESTABLISHED)),
            None
        );
    }

    #[test]
    fn remotes_keep_the_top_and_sum_the_rest() {
        let mut tally = Tally::default();
        for (address, n) in [
            ("10.0.0.1", 5),
            ("10.0.0.2", 3),
            ("10.0.0.3", 1),
            ("::1", 1),
        ] {
            tally.remotes.insert(address.parse().unwrap(), n);
        }
        let mut out = Collection::default();
        add_remotes(&tally, 2, &mut out);
        let samples = &out.families[0].samples;
        let pairs: Vec<(String, Value)> = samples
            .iter()
            .map(|s| (s.labels[0].1.clone(), s.value))
            .collect();
        assert_eq!(
            pairs,
            vec![
                ("10.0.0.1".to_string(), Value::Unsigned(5)),
                ("10.0.0.2".to_string(), Value::Unsigned(3)),
                ("other".to_string(), Value::Unsigned(2)),
            ]
        );
        // Everything fits: no other bucket.
        let mut out = Collection::default();
        add_remotes(&tally, 10, &mut out);
        assert_eq!(out.families[0].samples.len(), 4);
    }

    #[test]
    fn mapped_peers_are_ipv4() {
        assert_eq!(
            peer("::ffff:1.2.3.4".parse().unwrap()),
            "1.2.3.4".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            peer("::1".parse().unwrap()),
            "::1".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn state_names_are_node_exporters() {
        let names: Vec<&str> = (1..=11).map(|s| state_name(State(s))).collect();
        assert_eq!(
            names,
            [
                "established",
                "syn_sent",
                "syn_recv",
                "fin_wait1",
                "fin_wait2",
                "time_wait",
                "close",
                "close_wait",
                "last_ack",
                "listen",
                "closing"
            ]
        );
        assert_eq!(state_name(State(0)), "unknown");
    }
}
