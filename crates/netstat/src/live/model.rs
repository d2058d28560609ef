//! What one tick shows: the rows of each view, built from a sample. Plain data, no names and
//! no formatting; the views format it after names are resolved.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use nettables::inet::{InetSocket, Protocol, State};
use nettables::process::Owner;
use nettables::watch::{Observed, Rates, SocketKey, TcpCounters};
use rustc_hash::FxHashMap;

use super::history::Series;
use crate::audit::Finding;

/// How a connection row stands out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Steady,
    /// Opened in the last few ticks.
    Opened,
    /// Closed in the last few ticks; kept, dimmed, so a short connection is seen at all.
    Closed,
}

/// One socket of the Connections view.
#[derive(Clone, Debug)]
pub struct Conn {
    pub key: SocketKey,
    pub socket: InetSocket,
    pub counters: Option<TcpCounters>,
    pub rates: Rates,
    pub owner: Option<Arc<Owner>>,
    pub mark: Mark,
}

impl Conn {
    pub fn of(observed: &Observed, mark: Mark) -> Conn {
        Conn {
            key: observed.key,
            socket: observed.socket,
            counters: observed.counters,
            rates: if mark == Mark::Closed {
                Rates::default()
            } else {
                observed.rates
            },
            owner: observed.owner.clone(),
            mark,
        }
    }

    /// Bytes both ways over the connection's life (sequence space, as the kernel counts).
    pub fn total_bytes(&self) -> Option<u64> {
        self.counters
            .map(|c| c.bytes_acked.saturating_add(c.bytes_received))
    }
}

/// Connections to a listener's port, by state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Peers {
    pub established: u32,
    pub syn_recv: u32,
    pub close_wait: u32,
    pub time_wait: u32,
    /// Any other state (FIN_WAIT, LAST_ACK, ...).
    pub other: u32,
}

impl Peers {
    pub fn total(&self) -> u32 {
        self.established + self.syn_recv + self.close_wait + self.time_wait + self.other
    }

    fn count(&mut self, state: State) {
        let slot = match state {
            State::ESTABLISHED => &mut self.established,
            State::SYN_RECV => &mut self.syn_recv,
            State::CLOSE_WAIT => &mut self.close_wait,
            State::TIME_WAIT => &mut self.time_wait,
            _ => &mut self.other,
        };
        *slot += 1;
    }
}

/// One TCP listener of the Listeners view.
#[derive(Clone, Debug)]
pub struct Listener {
    pub key: SocketKey,
    pub socket: InetSocket,
    pub owner: Option<Arc<Owner>>,
    pub peers: Peers,
}

impl Listener {
    /// Connections waiting to be accepted (Recv-Q of a LISTEN row).
    pub fn queue(&self) -> u32 {
        self.socket.recv_q
    }

    /// The accept queue's limit; from `/proc` (no sock_diag) it is unknown.
    pub fn backlog(&self) -> Option<u32> {
        self.socket.backlog
    }

    /// How full the accept queue is, 0 to 1 (and above, when the kernel lets it overflow).
    pub fn fill(&self) -> f64 {
        match self.backlog() {
            Some(0) | None => f64::from(u8::from(self.queue() > 0)),
            Some(backlog) => f64::from(self.queue()) / f64::from(backlog),
        }
    }
}

/// One process of the Processes view: its Internet sockets and their traffic.
#[derive(Clone, Debug, Default)]
pub struct Process {
    /// `None` gathers the sockets whose owner could not be found.
    pub owner: Option<Arc<Owner>>,
    /// TCP sockets by state number.
    pub tcp: [u32; 12],
    /// UDP, UDP-Lite and raw sockets.
    pub datagram: u32,
    pub rates: Rates,
}

impl Process {
    pub fn pid(&self) -> Option<u32> {
        self.owner.as_ref().map(|o| o.pid)
    }

    pub fn sockets(&self) -> u32 {
        self.tcp.iter().sum::<u32>() + self.datagram
    }

    pub fn listeners(&self) -> u32 {
        self.tcp[usize::from(State::LISTEN.0)]
    }

    pub fn established(&self) -> u32 {
        self.tcp[usize::from(State::ESTABLISHED.0)]
    }

    /// TCP sockets in a state other than LISTEN and ESTABLISHED.
    pub fn other_tcp(&self) -> u32 {
        self.tcp.iter().sum::<u32>() - self.listeners() - self.established()
    }
}

/// An interface's traffic per second.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Interface {
    /// Already sanitized.
    pub name: String,
    pub rx_bytes: f64,
    pub tx_bytes: f64,
    pub rx_packets: f64,
    pub tx_packets: f64,
    /// Errors and drops, both directions.
    pub errors: f64,
}

/// A protocol counter worth watching, with its rate.
#[derive(Clone, Debug)]
pub struct Counter {
    pub label: &'static str,
    pub total: u64,
    pub rate: f64,
    /// Events per tick, for a sparkline.
    pub history: Series,
}

/// Whether owners are watched, and found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Owners {
    pub watched: bool,
    /// Some processes could not be read (not root).
    pub incomplete: bool,
}

/// Everything the screen shows for one tick.
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// Counts samples; 0 before the first.
    pub tick: u64,
    pub wall: Option<SystemTime>,
    /// How long the sample took.
    pub took: Duration,
    /// Every watched socket except TCP listeners, and the ones closed lately.
    pub connections: Vec<Conn>,
    pub listeners: Vec<Listener>,
    pub processes: Vec<Process>,
    /// TCP sockets by state number.
    pub states: [usize; 12],
    /// The same counts over time, by state number.
    pub state_history: Vec<Series>,
    pub interfaces: Vec<Interface>,
    pub counters: Vec<Counter>,
    /// The audit's latest findings, worst first.
    pub findings: Arc<[Finding]>,
    pub owners: Owners,
    /// Why the last sample failed (the previous rows stay), or why the audit cannot run.
    pub error: Option<String>,
}

impl Model {
    /// Empties the rows for the next tick, keeping their allocations.
    pub fn clear(&mut self) {
        self.connections.clear();
        self.listeners.clear();
        self.processes.clear();
        self.interfaces.clear();
        self.counters.clear();
        self.state_history.clear();
        self.states = [0; 12];
        self.error = None;
    }

    /// Fills the socket rows: `current` as sampled (with `opened` telling new sockets), then
    /// the recently `closed` ones.
    pub fn add_sockets<'a>(
        &mut self,
        current: &[Observed],
        opened: impl Fn(SocketKey) -> bool,
        closed: impl Iterator<Item = &'a Conn>,
        owners_watched: bool,
    ) {
        let mut processes: FxHashMap<Option<u32>, usize> = FxHashMap::default();
        for observed in current {
            let socket = &observed.socket;
            if socket.protocol == Protocol::Tcp
                && let Some(count) = self.states.get_mut(usize::from(socket.state.0))
            {
                *count += 1;
            }
            if owners_watched && socket.inode != 0 {
                let pid = observed.owner.as_ref().map(|o| o.pid);
                let index = *processes.entry(pid).or_insert_with(|| {
                    self.processes.push(Process {
                        owner: observed.owner.clone(),
                        ..Process::default()
                    });
                    self.processes.len() - 1
                });
                let process = &mut self.processes[index];
                match socket.protocol {
                    Protocol::Tcp => {
                        if let Some(count) = process.tcp.get_mut(usize::from(socket.state.0)) {
                            *count += 1;
                        }
                    }
                    _ => process.datagram += 1,
                }
                process.rates.rx += observed.rates.rx;
                process.rates.tx += observed.rates.tx;
            }
            if socket.protocol == Protocol::Tcp && socket.state == State::LISTEN {
                self.listeners.push(Listener {
                    key: observed.key,
                    socket: *socket,
                    owner: observed.owner.clone(),
                    peers: Peers::default(),
                });
            } else {
                let mark = if opened(observed.key) {
                    Mark::Opened
                } else {
                    Mark::Steady
                };
                self.connections.push(Conn::of(observed, mark));
            }
        }
        self.count_peers(current);
        self.connections.extend(closed.cloned());
    }

    /// Counts each listener's connections: TCP sockets on its port and address (any address
    /// for a wildcard listener).
    fn count_peers(&mut self, current: &[Observed]) {
        if self.listeners.is_empty() {
            return;
        }
        let mut by_port: FxHashMap<u16, Vec<usize>> = FxHashMap::default();
        for (i, listener) in self.listeners.iter().enumerate() {
            by_port
                .entry(listener.socket.local.port())
                .or_default()
                .push(i);
        }
        for observed in current {
            let socket = &observed.socket;
            if socket.protocol != Protocol::Tcp || socket.state == State::LISTEN {
                continue;
            }
            let Some(candidates) = by_port.get(&socket.local.port()) else {
                continue;
            };
            let exact = candidates
                .iter()
                .find(|&&i| same_ip(self.listeners[i].socket.local, socket.local));
            let wildcard = candidates
                .iter()
                .find(|&&i| self.listeners[i].socket.local.ip().is_unspecified());
            if let Some(&i) = exact.or(wildcard) {
                self.listeners[i].peers.count(socket.state);
            }
        }
    }
}

fn same_ip(a: SocketAddr, b: SocketAddr) -> bool {
    a.ip().to_canonical() == b.ip().to_canonical()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::time::Instant;

    /// A socket as a sample would show it: TCP unless `state` is CLOSE (then UDP).
    pub(crate) fn observed(local: &str, remote: &str, state: State, key: u64) -> Observed {
        let protocol = if state == State::CLOSE {
            Protocol::Udp
        } else {
            Protocol::Tcp
        };
        let mut socket = InetSocket::new(
            protocol,
            local.parse().unwrap(),
            remote.parse().unwrap(),
            state,
        );
        socket.cookie = key;
        socket.inode = if state == State::TIME_WAIT { 0 } else { key };
        Observed {
            key: SocketKey(key),
            socket,
            counters: (protocol == Protocol::Tcp).then(TcpCounters::default),
            rates: Rates::default(),
            owner: None,
            first_seen: Instant::now(),
        }
    }

    pub(crate) fn owned(mut o: Observed, pid: u32, name: &str) -> Observed {
        o.owner = Some(Arc::new(Owner::new(pid, name.as_bytes())));
        o
    }

    pub(crate) fn busy(mut o: Observed, rx: f64, tx: f64) -> Observed {
        o.rates = Rates { rx, tx };
        o
    }

    /// Sockets from a table, one a line: `key | local | remote | state | rx tx | pid program`,
    /// the state by its kernel name; rates and owner may be left empty.
    pub(crate) fn sample(table: &str) -> Vec<Observed> {
        let state = |name: &str| {
            let n = (1..=11).find(|&n| State(n).tcp_name() == Some(name));
            State(n.unwrap_or_else(|| panic!("no state {name}")))
        };
        let rows = table.lines().filter(|l| !l.trim().is_empty());
        rows.map(|row| {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let [key, local, remote, st, rates, owner] = cells[..] else {
                panic!("{row}");
            };
            let mut o = observed(local, remote, state(st), key.parse().unwrap());
            if let Some((rx, tx)) = rates.split_once(' ') {
                o = busy(o, rx.parse().unwrap(), tx.parse().unwrap());
            }
            if let Some((pid, program)) = owner.split_once(' ') {
                o = owned(o, pid.parse().unwrap(), program);
            }
            o
        })
        .collect()
    }

    #[test]
    fn listeners_count_the_connections_to_their_port() {
        let current = sample(
            "
            1 | 0.0.0.0:80             | 0.0.0.0:0              | LISTEN      | |
            2 | 127.0.0.1:22           | 0.0.0.0:0              | LISTEN      | |
            3 | 10.0.0.1:80            | 10.0.0.9:5000          | ESTABLISHED | |
            4 | 10.0.0.1:80            | 10.0.0.9:5001          | TIME_WAIT   | |
            5 | [::ffff:10.0.0.1]:80   | [::ffff:10.0.0.9]:5002 | SYN_RECV    | |
            6 | 127.0.0.1:22           | 127.0.0.1:6000         | CLOSE_WAIT  | |
            7 | 10.0.0.1:22            | 10.0.0.9:6001          | ESTABLISHED | |
            8 | 0.0.0.0:5353           | 0.0.0.0:0              | CLOSE       | |
            ",
        );
        let mut model = Model::default();
        model.add_sockets(&current, |_| false, [].iter(), false);
        assert_eq!(model.listeners.len(), 2);
        assert_eq!(
            model.listeners[0].peers,
            Peers {
                established: 1,
                syn_recv: 1,
                time_wait: 1,
                ..Peers::default()
            }
        );
        assert_eq!(
            model.listeners[1].peers,
            Peers {
                close_wait: 1,
                ..Peers::default()
            },
            "10.0.0.1:22 is not the 127.0.0.1:22 listener's"
        );
        assert_eq!(model.connections.len(), 6, "all but the listeners");
        assert_eq!(model.states[usize::from(State::ESTABLISHED.0)], 2);
        assert_eq!(model.states[usize::from(State::LISTEN.0)], 2);
        assert!(model.processes.is_empty(), "owners are not watched");
    }

    #[test]
    fn processes_add_up_their_sockets_and_rates() {
        let current = sample(
            "
            1 | 0.0.0.0:80  | 0.0.0.0:0     | LISTEN      |          | 10 nginx
            2 | 10.0.0.1:80 | 10.0.0.9:5000 | ESTABLISHED | 100 2000 | 10 nginx
            3 | 10.0.0.1:80 | 10.0.0.9:5001 | CLOSE_WAIT  | 1 0      | 10 nginx
            4 | 0.0.0.0:53  | 0.0.0.0:0     | CLOSE       |          | 20 dnsd
            5 | 10.0.0.1:80 | 10.0.0.9:5002 | TIME_WAIT   |          |
            6 | 10.0.0.1:9  | 10.0.0.9:9    | ESTABLISHED |          |
            ",
        );
        let mut model = Model::default();
        model.add_sockets(&current, |k| k == SocketKey(2), [].iter(), true);
        let nginx = &model.processes[0];
        assert_eq!(nginx.pid(), Some(10));
        assert_eq!(
            (
                nginx.sockets(),
                nginx.listeners(),
                nginx.established(),
                nginx.other_tcp()
            ),
            (3, 1, 1, 1)
        );
        assert_eq!(
            nginx.rates,
            Rates {
                rx: 101.0,
                tx: 2000.0
            }
        );
        assert_eq!(model.processes[1].datagram, 1);
        let unknown = &model.processes[2];
        assert_eq!(
            (unknown.pid(), unknown.sockets()),
            (None, 1),
            "TIME_WAIT has no owner to find"
        );
        assert_eq!(model.connections[0].mark, Mark::Opened);
        assert_eq!(model.connections[1].mark, Mark::Steady);
    }

    #[test]
    fn closed_rows_follow_the_live_ones_without_rates() {
        let gone = busy(
            observed("10.0.0.1:80", "10.0.0.9:5000", State::ESTABLISHED, 9),
            5.0,
            5.0,
        );
        let closed = [Conn::of(&gone, Mark::Closed)];
        let mut model = Model::default();
        let current = vec![observed("10.0.0.1:1", "10.0.0.9:1", State::ESTABLISHED, 1)];
        model.add_sockets(&current, |_| false, closed.iter(), false);
        assert_eq!(model.connections.len(), 2);
        assert_eq!(model.connections[1].mark, Mark::Closed);
        assert_eq!(model.connections[1].rates.total(), 0.0);
        assert_eq!(
            model.states[usize::from(State::ESTABLISHED.0)],
            1,
            "closed rows are not counted"
        );
    }
}
