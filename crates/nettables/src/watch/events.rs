//! Every connection's life as it happens: `open`, `close`, `state` and `lost` events, with no
//! eBPF.
//!
//! Two sources are combined:
//! - **Closes come from the kernel.** `sock_diag` broadcasts every TCP and UDP socket it frees
//!   to its destroy groups (`SKNLGRP_INET_TCP_DESTROY`, `SKNLGRP_INET6_TCP_DESTROY` and the UDP
//!   ones), with the socket's final `tcp_info`. This sees connections that open and close
//!   between two samples, needs no privilege, and covers the network namespace the
//!   [`EventSource`] was made in.
//! - **Opens and state changes come from a [`Sampler`]** taking snapshots every
//!   [`EventsConfig::interval`] ([`DEFAULT_INTERVAL`], 100 ms, unless changed). A socket is
//!   reported open at the first snapshot that lists it, with the owner the [`super::OwnerCache`]
//!   finds; that owner is kept, by socket cookie, until the socket closes, because destroy
//!   messages carry no uid or inode.
//!
//! How the two meet:
//! - a socket the kernel frees that a snapshot saw is reported `close` with its owner and a
//!   duration from the snapshot that first saw it (so up to one interval short);
//! - a socket the kernel frees that no snapshot saw (it lived less than an interval) is
//!   reported `open` and `close` at once, without owner or duration;
//! - a socket a snapshot saw that vanished is remembered (owner, first sighting) for
//!   [`VANISHED_KEPT`] snapshots, so that a destroy message read late, when the reader lags
//!   behind the kernel, still finds its owner and duration;
//! - a socket that vanished while the kernel dropped messages, and whose destroy message did
//!   not come by the time everything queued was read, is reported closed anyway, with its
//!   last sampled counters ([`CloseSource::Sampled`]). Without an overflow no such guess is
//!   made: every freed socket's message comes, however late;
//! - TIME_WAIT and SYN_RECV entries are not sockets of their own for this purpose: the
//!   snapshots leave them out (with the FIN_WAIT2 entries that stand in for a freed socket
//!   whose peer has not closed yet), and the kernel reports a connection's close when its socket is
//!   freed (for the side that closes first, when it enters TIME_WAIT).
//!
//! Overload: the receive buffer is made large ([`DEFAULT_RECEIVE_BUFFER`], with
//! `SO_RCVBUFFORCE` when the caller has `CAP_NET_ADMIN`, else as large as
//! `net.core.rmem_max` allows). When it overflows anyway, the kernel drops messages and says
//! only that it did: each such overflow is an [`Event::Lost`], never silence.
//!
//! What it cannot see: UDP sockets that never bind appear only when they close (with an
//! unspecified local address); UDP-Lite and raw sockets are not broadcast by the kernel.
//!
//! ```no_run
//! use nettables::watch::events::{Event, EventKind, EventSource, EventsConfig};
//!
//! let mut source = EventSource::new(EventsConfig::default())?;
//! let mut batch = Vec::new();
//! loop {
//!     batch.clear();
//!     source.poll(&mut batch)?;
//!     for event in &batch {
//!         if let Event::Socket(e) = event
//!             && e.kind == EventKind::Close
//!         {
//!             let counters = e.counters.unwrap_or_default();
//!             println!(
//!                 "{} -> {} closed after {:?}: {} bytes out, {} in",
//!                 e.socket.local, e.socket.remote, e.duration, counters.bytes_acked,
//!                 counters.bytes_received,
//!             );
//!         }
//!     }
//! }
//! # Ok::<(), nettables::Error>(())
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rustc_hash::FxHashMap;

use super::{Change, Observed, Sampler, SamplerConfig, SocketKey, TcpCounters};
use crate::filter::Filter;
use crate::inet::{Family, InetSocket, Protocol, State, StateMask, TimerKind};
use crate::process::Owner;
use crate::{Error, Result};

/// How often snapshots are taken unless [`EventsConfig::interval`] says otherwise: a socket
/// that lives longer is reported open with its owner.
pub const DEFAULT_INTERVAL: Duration = Duration::from_millis(100);

/// The receive buffer asked for: at about 1 KiB of kernel memory per queued message, some
/// 30,000 closes can wait while a snapshot is taken.
pub const DEFAULT_RECEIVE_BUFFER: usize = 32 << 20;

/// How many snapshots a vanished socket is remembered for, waiting for its destroy message.
pub const VANISHED_KEPT: u64 = 100;

/// How many snapshots an open waits for its owner: the owner cache looks new sockets up
/// within a time budget per snapshot, and on a busy machine may need a few.
pub const OWNER_WAIT: u64 = 5;

/// What an [`EventSource`] watches.
#[derive(Clone, Debug)]
pub struct EventsConfig {
    /// TCP sockets.
    pub tcp: bool,
    /// UDP sockets.
    pub udp: bool,
    /// The families (IPv4, IPv6) reported.
    pub families: Vec<Family>,
    /// Only sockets this filter accepts are reported (a close is matched against the socket
    /// as last sampled when there was a sample, as the kernel freed it otherwise).
    pub filter: Option<Filter>,
    /// Time between snapshots.
    pub interval: Duration,
    /// Receive buffer to ask for, in bytes.
    pub receive_buffer: usize,
    /// Whether to find owners (pid and program).
    pub owners: bool,
}

impl Default for EventsConfig {
    /// TCP and UDP, both families, no filter, owners, [`DEFAULT_INTERVAL`] and
    /// [`DEFAULT_RECEIVE_BUFFER`].
    fn default() -> Self {
        EventsConfig {
            tcp: true,
            udp: true,
            families: vec![Family::Inet, Family::Inet6],
            filter: None,
            interval: DEFAULT_INTERVAL,
            receive_buffer: DEFAULT_RECEIVE_BUFFER,
            owners: true,
        }
    }
}

/// What happened to a socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// It appeared: a TCP connect or accept, a new listener, a UDP socket bound.
    Open,
    /// It was freed (or, see [`CloseSource::Sampled`], vanished from the snapshots).
    Close,
    /// A TCP socket was seen in another state; it was in `from` before.
    State {
        /// The state of the previous snapshot.
        from: State,
    },
}

/// Where a close was learnt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseSource {
    /// The kernel's destroy message: final counters.
    Kernel,
    /// The snapshots: the socket vanished and no destroy message came (lost in an overflow);
    /// the counters are the last sampled ones.
    Sampled,
}

/// One socket's event.
#[derive(Clone, Debug)]
pub struct SocketEvent {
    /// What happened.
    pub kind: EventKind,
    /// When it was learnt.
    pub time: SystemTime,
    /// The socket: as listed for an open or a state change, as the kernel freed it for a
    /// close (final state, usually CLOSE).
    pub socket: InetSocket,
    /// The process holding it, when a snapshot saw the socket and its owner was found.
    pub owner: Option<Arc<Owner>>,
    /// TCP counters: for a close, the final ones.
    pub counters: Option<TcpCounters>,
    /// For a close: time since a snapshot first saw the socket; `None` when none did.
    pub duration: Option<Duration>,
    /// For a close: where it was learnt.
    pub source: CloseSource,
}

/// One event.
#[derive(Clone, Debug)]
#[expect(
    clippy::large_enum_variant,
    reason = "nearly every event is a socket's: boxing it would cost an allocation each"
)]
pub enum Event {
    /// Something happened to a socket.
    Socket(SocketEvent),
    /// The kernel dropped destroy messages: the receive buffer overflowed `overflows` times
    /// (each time at least one message was lost).
    Lost {
        /// When it was learnt.
        time: SystemTime,
        /// Overflows since the last report.
        overflows: u64,
    },
}

/// Produces events from the kernel's destroy broadcasts and a [`Sampler`]'s snapshots, in
/// the network namespace the calling thread was in when it was made.
pub struct EventSource {
    config: EventsConfig,
    listener: sys::DestroyListener,
    sampler: Sampler,
    /// Sockets whose close was reported, with the sample count then: their disappearance from
    /// the next snapshot is not a close of its own.
    closed: FxHashMap<SocketKey, u64>,
    /// Sockets that vanished from the snapshots with no destroy message yet, with the sample
    /// count then.
    vanished: FxHashMap<SocketKey, (Observed, u64)>,
    /// Opens held back until their owner is found (at most [`OWNER_WAIT`] snapshots): when
    /// the socket was first seen, and the sample count then.
    unowned: FxHashMap<SocketKey, (SystemTime, u64)>,
    /// The sample count when the kernel last dropped messages.
    overflowed_at: Option<u64>,
    samples: u64,
    next_sample: Instant,
}

impl EventSource {
    /// Joins the destroy groups and takes the first snapshot (whose sockets were there before
    /// anyone looked, and are not reported open).
    pub fn new(config: EventsConfig) -> Result<EventSource> {
        let listener = sys::DestroyListener::open(config.tcp, config.udp, config.receive_buffer)
            .map_err(|source| Error::System {
                call: "bind(NETLINK_SOCK_DIAG destroy groups)",
                source,
            })?;
        let protocols = [(config.tcp, Protocol::Tcp), (config.udp, Protocol::Udp)];
        let tables = protocols
            .into_iter()
            .filter(|&(wanted, _)| wanted)
            .flat_map(|(_, p)| config.families.iter().map(move |&f| (p, f)))
            .collect();
        let states = StateMask::ALL
            .without(StateMask::of(State::TIME_WAIT))
            .without(StateMask::of(State::SYN_RECV));
        let mut sampler = Sampler::new(
            SamplerConfig::default()
                .tables(tables)
                .states(states)
                .filter(config.filter.clone())
                .owners(config.owners),
        );
        sampler.sample()?;
        Ok(EventSource {
            next_sample: Instant::now() + config.interval,
            config,
            listener,
            sampler,
            closed: FxHashMap::default(),
            vanished: FxHashMap::default(),
            overflowed_at: None,
            unowned: FxHashMap::default(),
            samples: 1,
        })
    }

    /// The receive buffer the kernel granted, in bytes of messages.
    pub fn receive_buffer(&self) -> usize {
        self.listener.receive_buffer()
    }

    /// The sampler behind the opens, for its owner cache's state.
    pub fn sampler(&self) -> &Sampler {
        &self.sampler
    }

    /// Appends the events of one batch to `events`: waits for destroy messages until the next
    /// snapshot is due (at most one interval), takes it, and returns. Closes come in the order
    /// the kernel sent them, then the snapshot's opens, state changes and late closes.
    pub fn poll(&mut self, events: &mut Vec<Event>) -> Result<()> {
        let mut overflows = 0;
        loop {
            let wait = self.next_sample.saturating_duration_since(Instant::now());
            overflows += self.receive(wait, events)?;
            if Instant::now() >= self.next_sample {
                break;
            }
        }
        // What the kernel queued while waiting, so that the snapshot finds those sockets gone.
        overflows += self.receive(Duration::ZERO, events)?;
        self.report_lost(overflows, events);
        self.next_sample = Instant::now() + self.config.interval;
        self.sample(events)
    }

    /// Appends the closes the kernel has queued, without waiting and without a snapshot: the
    /// last read before stopping, so that nothing already sent is dropped.
    pub fn drain(&mut self, events: &mut Vec<Event>) -> Result<()> {
        let overflows = self.receive(Duration::ZERO, events)?;
        self.report_lost(overflows, events);
        Ok(())
    }

    fn report_lost(&mut self, overflows: u64, events: &mut Vec<Event>) {
        if overflows > 0 {
            self.overflowed_at = Some(self.samples);
            events.push(Event::Lost {
                time: SystemTime::now(),
                overflows,
            });
        }
    }

    /// Reads destroy messages for up to `wait`; returns the overflows met.
    fn receive(&mut self, wait: Duration, events: &mut Vec<Event>) -> Result<u64> {
        let time = SystemTime::now();
        let now = Instant::now();
        let (current, samples) = (self.sampler.current(), self.samples);
        let (closed, vanished, config) = (&mut self.closed, &mut self.vanished, &self.config);
        let unowned = &mut self.unowned;
        let received = self
            .listener
            .receive(wait, |socket, info| {
                if !config.families.contains(&socket.family) {
                    return;
                }
                let key = SocketKey::of(socket);
                let gone = vanished.remove(&key).map(|(observed, _)| observed);
                let seen = current.get(key).or(gone.as_ref());
                let shown = seen.map_or(socket, |o| &o.socket);
                if config.filter.as_ref().is_some_and(|f| !f.matches(shown)) {
                    return;
                }
                closed.insert(key, samples);
                let close = SocketEvent {
                    kind: EventKind::Close,
                    time,
                    socket: *socket,
                    owner: seen.and_then(|o| o.owner.clone()),
                    counters: info.map(TcpCounters::from_info),
                    duration: seen.map(|o| now.saturating_duration_since(o.first_seen)),
                    source: CloseSource::Kernel,
                };
                let held = unowned.remove(&key);
                if let (Some(seen), Some((opened, _))) = (seen, held) {
                    events.push(Event::Socket(observed_event(seen, EventKind::Open, opened)));
                } else if seen.is_none() {
                    events.push(Event::Socket(SocketEvent {
                        kind: EventKind::Open,
                        counters: None,
                        ..close.clone()
                    }));
                }
                events.push(Event::Socket(close));
            })
            .map_err(|source| Error::Read {
                what: "sock_diag destroy messages".into(),
                source,
            })?;
        Ok(received.overflows)
    }

    /// Takes a snapshot and reports what it shows.
    fn sample(&mut self, events: &mut Vec<Event>) -> Result<()> {
        // Everything the kernel queued has just been read. A socket that vanished while it
        // dropped messages, and whose message is still missing, closed unseen; one whose
        // message is merely late waits for it (a while).
        let (now, wall, samples) = (Instant::now(), SystemTime::now(), self.samples);
        let dropped_since = |at: u64| self.overflowed_at.is_some_and(|o| o + 1 >= at);
        self.vanished.retain(|_, (gone, at)| {
            if *at < samples && dropped_since(*at) {
                events.push(Event::Socket(SocketEvent {
                    kind: EventKind::Close,
                    time: wall,
                    duration: Some(now.saturating_duration_since(gone.first_seen)),
                    socket: gone.socket,
                    owner: gone.owner.take(),
                    counters: gone.counters,
                    source: CloseSource::Sampled,
                }));
                return false;
            }
            *at + VANISHED_KEPT >= samples
        });
        let sample = self.sampler.sample()?;
        self.samples += 1;
        let time = sample.current.wall_time();
        for change in sample.changes {
            let Some(observed) = sample.socket(change) else {
                continue;
            };
            // A FIN_WAIT2 entry with a TIME_WAIT timer is the kernel's time-wait stand-in for a
            // socket already freed (and reported); it gets a cookie of its own.
            if self.closed.contains_key(&observed.key)
                || observed.socket.timer.kind == TimerKind::TIME_WAIT
            {
                continue;
            }
            let kind = match *change {
                Change::Opened { .. }
                    if self.config.owners
                        && observed.owner.is_none()
                        && observed.socket.inode != 0 =>
                {
                    self.unowned.insert(observed.key, (time, self.samples));
                    continue;
                }
                Change::State { .. } if self.unowned.contains_key(&observed.key) => continue,
                Change::Opened { .. } => EventKind::Open,
                Change::State { from, .. } => EventKind::State { from },
                Change::Closed { .. } => {
                    self.vanished
                        .insert(observed.key, (observed.clone(), self.samples));
                    continue;
                }
            };
            events.push(Event::Socket(observed_event(observed, kind, time)));
        }
        // Held opens whose owner is now known, or that waited long enough, or whose socket
        // vanished (its close comes later).
        let samples = self.samples;
        self.unowned.retain(|key, &mut (opened, at)| {
            let listed = sample.current.get(*key);
            let ready = listed.is_none_or(|o| o.owner.is_some()) || at + OWNER_WAIT <= samples;
            let Some(observed) = listed.or_else(|| self.vanished.get(key).map(|(o, _)| o)) else {
                return false;
            };
            if ready {
                events.push(Event::Socket(observed_event(
                    observed,
                    EventKind::Open,
                    opened,
                )));
            }
            !ready
        });
        // A reported close stops mattering once a snapshot taken after it has been compared.
        self.closed.retain(|_, at| *at + 1 >= samples);
        Ok(())
    }
}

/// A `kind` event of a socket a snapshot saw, at `time`.
fn observed_event(observed: &Observed, kind: EventKind, time: SystemTime) -> SocketEvent {
    SocketEvent {
        kind,
        time,
        socket: observed.socket,
        owner: observed.owner.clone(),
        counters: observed.counters,
        duration: None,
        source: CloseSource::Kernel,
    }
}

/// The destroy listener of this platform.
mod sys {
    #[cfg(target_os = "linux")]
    pub(super) use crate::linux::destroy::DestroyListener;

    /// Other systems have no destroy broadcast.
    #[cfg(not(target_os = "linux"))]
    pub(super) struct DestroyListener;

    #[cfg(not(target_os = "linux"))]
    impl DestroyListener {
        pub(super) fn open(_: bool, _: bool, _: usize) -> std::io::Result<DestroyListener> {
            Err(std::io::ErrorKind::Unsupported.into())
        }

        pub(super) fn receive_buffer(&self) -> usize {
            0
        }

        pub(super) fn receive(
            &mut self,
            _: std::time::Duration,
            _: impl FnMut(&crate::inet::InetSocket, Option<&crate::tcp_info::TcpInfo>),
        ) -> std::io::Result<Received> {
            Ok(Received { overflows: 0 })
        }
    }

    /// What a read came to.
    #[cfg(not(target_os = "linux"))]
    pub(super) struct Received {
        pub(super) overflows: u64,
    }
}
