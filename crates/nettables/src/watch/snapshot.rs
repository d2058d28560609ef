//! One look at the socket tables: every socket with its counters, rates and owner.

use std::collections::hash_map::Entry;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rustc_hash::FxHashMap;

use crate::inet::{InetSocket, State};
use crate::process::Owner;
use crate::tcp_info::TcpInfo;

/// A socket's identity across snapshots.
///
/// It is the kernel's socket cookie, so a connection keeps its key for its whole life and a
/// later connection with the same addresses and ports gets another. Rows read from `/proc`
/// have no cookie; their key is a hash of protocol, addresses, ports and inode instead (and
/// always has the top bit set, so it never equals a cookie the kernel hands out).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SocketKey(pub u64);

impl SocketKey {
    /// The key of a socket record.
    pub fn of(socket: &InetSocket) -> SocketKey {
        if socket.cookie != 0 {
            return SocketKey(socket.cookie);
        }
        use std::hash::{Hash, Hasher};
        let mut hasher = rustc_hash::FxHasher::default();
        (
            socket.protocol,
            socket.family,
            socket.local,
            socket.remote,
            socket.inode,
        )
            .hash(&mut hasher);
        SocketKey(hasher.finish() | 1 << 63)
    }
}

/// The counters of a TCP socket that a watcher follows, from its `tcp_info`.
///
/// The byte counters count sequence space, as the kernel does: `bytes_acked` includes the SYN
/// and the FIN the peer acknowledged, and `bytes_received` the peer's FIN. Kernels older than
/// 4.1 (`bytes_acked`, `bytes_received`) or 4.19 (`bytes_sent`) do not report them; they are 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpCounters {
    /// Bytes the peer acknowledged.
    pub bytes_acked: u64,
    /// Bytes received in order.
    pub bytes_received: u64,
    /// Bytes sent, retransmissions included.
    pub bytes_sent: u64,
    /// Segments retransmitted over the connection's life.
    pub retransmits: u32,
    /// Smoothed round-trip time, in microseconds.
    pub rtt_us: u32,
    /// Round-trip time variation, in microseconds.
    pub rttvar_us: u32,
}

impl TcpCounters {
    /// The counters of a parsed `tcp_info`.
    pub fn from_info(info: &TcpInfo) -> TcpCounters {
        TcpCounters {
            bytes_acked: info.bytes_acked.unwrap_or(0),
            bytes_received: info.bytes_received.unwrap_or(0),
            bytes_sent: info.bytes_sent.unwrap_or(0),
            retransmits: info.total_retrans,
            rtt_us: info.rtt,
            rttvar_us: info.rttvar,
        }
    }
}

/// Bytes per second in each direction, over the interval between two snapshots.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rates {
    /// Received (from `bytes_received`).
    pub rx: f64,
    /// Sent and acknowledged (from `bytes_acked`).
    pub tx: f64,
}

impl Rates {
    /// Both directions together.
    pub fn total(&self) -> f64 {
        self.rx + self.tx
    }
}

/// One socket as a snapshot saw it.
#[derive(Clone, Debug)]
pub struct Observed {
    /// Its identity across snapshots.
    pub key: SocketKey,
    /// The record, as listed.
    pub socket: InetSocket,
    /// TCP counters; `None` for other protocols and for sockets the kernel keeps none for
    /// (TIME_WAIT, SYN_RECV).
    pub counters: Option<TcpCounters>,
    /// Rates since the previous snapshot; for a socket that is new, since it opened (at most
    /// the interval). Zero for sockets without counters.
    pub rates: Rates,
    /// The process holding it, when owners are watched and one was found.
    pub owner: Option<Arc<Owner>>,
    /// When a snapshot first saw it.
    pub first_seen: Instant,
}

/// Every socket of the watched tables at one moment.
#[derive(Debug)]
pub struct Snapshot {
    pub(crate) sockets: Vec<Observed>,
    pub(crate) index: FxHashMap<SocketKey, u32>,
    pub(crate) taken: Instant,
    pub(crate) wall: SystemTime,
    pub(crate) took: Duration,
}

impl Default for Snapshot {
    fn default() -> Self {
        Snapshot {
            sockets: Vec::new(),
            index: FxHashMap::default(),
            taken: Instant::now(),
            wall: SystemTime::now(),
            took: Duration::ZERO,
        }
    }
}

impl Snapshot {
    /// The sockets, in the order the kernel listed them (tables in the configured order).
    pub fn sockets(&self) -> &[Observed] {
        &self.sockets
    }

    /// The socket with this key.
    pub fn get(&self, key: SocketKey) -> Option<&Observed> {
        let index = *self.index.get(&key)?;
        self.sockets.get(index as usize)
    }

    /// When the snapshot was taken (its start).
    pub fn taken(&self) -> Instant {
        self.taken
    }

    /// The wall-clock time it was taken.
    pub fn wall_time(&self) -> SystemTime {
        self.wall
    }

    /// The wall-clock time of an instant, by this snapshot's clock.
    pub fn wall_time_of(&self, instant: Instant) -> SystemTime {
        match self.taken.checked_duration_since(instant) {
            Some(ago) => self.wall - ago,
            None => self.wall + instant.duration_since(self.taken),
        }
    }

    /// How long taking it took (listing, owners and diffing).
    pub fn took(&self) -> Duration {
        self.took
    }

    /// How many sockets are in each TCP state, indexed by state number (`counts[1]` is
    /// ESTABLISHED, `counts[10]` LISTEN). Only TCP sockets are counted.
    pub fn tcp_state_counts(&self) -> [usize; 12] {
        let mut counts = [0; 12];
        for observed in &self.sockets {
            let socket = &observed.socket;
            if socket.protocol == crate::inet::Protocol::Tcp
                && let Some(count) = counts.get_mut(usize::from(socket.state.0))
            {
                *count += 1;
            }
        }
        counts
    }

    /// Empties the snapshot for reuse, keeping its allocations.
    pub(crate) fn clear(&mut self) {
        self.sockets.clear();
        self.index.clear();
    }

    /// Adds a socket; false (and nothing added) when its key is already there, as when a dump
    /// met a socket twice while the kernel's hash tables changed under it.
    pub(crate) fn push(&mut self, observed: Observed) -> bool {
        let Ok(index) = u32::try_from(self.sockets.len()) else {
            return false;
        };
        match self.index.entry(observed.key) {
            Entry::Vacant(slot) => {
                slot.insert(index);
                self.sockets.push(observed);
                true
            }
            Entry::Occupied(_) => false,
        }
    }
}

/// What changed for one socket between two snapshots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// The socket is new: `index` is its place in the current snapshot.
    Opened {
        /// Index into [`Snapshot::sockets`] of the current snapshot.
        index: u32,
    },
    /// The socket is gone: `index` is its place in the previous snapshot.
    Closed {
        /// Index into [`Snapshot::sockets`] of the previous snapshot.
        index: u32,
    },
    /// A TCP socket was seen in another state: `index` is its place in the current snapshot.
    State {
        /// Index into [`Snapshot::sockets`] of the current snapshot.
        index: u32,
        /// Its state in the previous snapshot.
        from: State,
    },
}
