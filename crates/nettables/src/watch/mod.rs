//! Watching sockets over time: snapshots at an interval, and what changed between two of them.
//!
//! A [`Sampler`] lists the Internet socket tables each time it is asked, keys every socket by
//! the kernel's socket cookie (so one connection is one identity across snapshots, even when
//! a later connection reuses its addresses and ports), and compares the new snapshot with the
//! previous one: sockets opened, closed, or seen in another TCP state, and for each TCP socket
//! the bytes per second in and out, from the deltas of its `tcp_info` counters. No packet
//! capture and no eBPF: the counters are already in the kernel.
//!
//! Owners (pid and program) come from an [`OwnerCache`] that looks up only inodes it has not
//! seen, and rescans every process at a slower pace; its module documentation says how stale
//! an owner can be.
//!
//! [`events`] turns the snapshots, with the kernel's broadcast of every freed socket, into a
//! stream of `open`, `close`, `state` and `lost` events.
//!
//! Memory follows the number of live sockets, not how long the sampler runs: it keeps two
//! snapshots and reuses their allocations from one sample to the next.
//!
//! The five busiest connections, every second:
//!
//! ```no_run
//! use std::time::Duration;
//! use nettables::watch::{Sampler, SamplerConfig};
//!
//! let mut sampler = Sampler::new(SamplerConfig::default().owners(true));
//! loop {
//!     let sample = sampler.sample()?;
//!     let mut busiest: Vec<_> = sample.current.sockets().iter().collect();
//!     busiest.sort_by(|a, b| b.rates.total().total_cmp(&a.rates.total()));
//!     for observed in busiest.iter().take(5) {
//!         let program = observed.owner.as_ref().map(|o| o.pid);
//!         println!(
//!             "{} -> {}  in {:.0} B/s  out {:.0} B/s  pid {program:?}",
//!             observed.socket.local, observed.socket.remote, observed.rates.rx, observed.rates.tx,
//!         );
//!     }
//!     std::thread::sleep(Duration::from_secs(1));
//! }
//! # Ok::<(), nettables::Error>(())
//! ```

mod diff;
pub mod events;
mod owners;
mod snapshot;

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use owners::{FullScan, LOOKUP_BUDGET, OwnerCache};
pub use snapshot::{Change, Observed, Rates, Snapshot, SocketKey, TcpCounters};

use crate::filter::Filter;
use crate::inet::{Family, InetQuery, Protocol, StateMask};
use crate::process::Owner;
use crate::{ReadError, Result, SocketReader};

/// What a [`Sampler`] watches.
#[derive(Clone, Debug)]
pub struct SamplerConfig {
    /// The tables to list, in this order.
    pub tables: Vec<(Protocol, Family)>,
    /// The states to list; the kernel skips the rest.
    pub states: StateMask,
    /// Only sockets this filter accepts are listed.
    pub filter: Option<Filter>,
    /// Whether to find each socket's owner.
    pub owners: bool,
    /// How often every process is rescanned for owners (see [`OwnerCache`]).
    pub owner_rescan: Duration,
}

impl Default for SamplerConfig {
    /// Every Internet table (TCP, UDP, UDP-Lite, raw; IPv4 then IPv6 each), every state, no
    /// filter, no owners, a full owner rescan every 10 s.
    fn default() -> Self {
        let protocols = [
            Protocol::Tcp,
            Protocol::Udp,
            Protocol::UdpLite,
            Protocol::Raw,
        ];
        SamplerConfig {
            tables: protocols
                .into_iter()
                .flat_map(|p| [(p, Family::Inet), (p, Family::Inet6)])
                .collect(),
            states: StateMask::ALL,
            filter: None,
            owners: false,
            owner_rescan: Duration::from_secs(10),
        }
    }
}

impl SamplerConfig {
    /// Watches these tables.
    pub fn tables(mut self, tables: Vec<(Protocol, Family)>) -> SamplerConfig {
        self.tables = tables;
        self
    }

    /// Watches sockets in these states only.
    pub fn states(mut self, states: StateMask) -> SamplerConfig {
        self.states = states;
        self
    }

    /// Watches sockets this filter accepts only.
    pub fn filter(mut self, filter: Option<Filter>) -> SamplerConfig {
        self.filter = filter;
        self
    }

    /// Finds owners, or not.
    pub fn owners(mut self, yes: bool) -> SamplerConfig {
        self.owners = yes;
        self
    }

    /// Rescans every process for owners this often.
    pub fn owner_rescan(mut self, every: Duration) -> SamplerConfig {
        self.owner_rescan = every;
        self
    }
}

/// Takes snapshots of the socket tables and compares each with the one before.
pub struct Sampler {
    config: SamplerConfig,
    reader: SocketReader,
    previous: Snapshot,
    current: Snapshot,
    scratch: diff::Scratch,
    owners: Option<OwnerCache>,
    owner_scratch: OwnerScratch,
    samples: u64,
}

/// One sample: the new snapshot, the one before it, and what changed between them.
#[derive(Clone, Copy, Debug)]
pub struct Sample<'a> {
    /// The snapshot just taken.
    pub current: &'a Snapshot,
    /// The one before it (empty before the second sample).
    pub previous: &'a Snapshot,
    /// Sockets opened, closed and changed since `previous`; empty for the first sample,
    /// whose sockets were there before anyone looked.
    pub changes: &'a [Change],
    /// Time between the two snapshots; `None` for the first sample.
    pub interval: Option<Duration>,
}

impl Sample<'_> {
    /// The socket a change is about: in the current snapshot, or for a close, the previous.
    pub fn socket(&self, change: &Change) -> Option<&Observed> {
        match *change {
            Change::Opened { index } | Change::State { index, .. } => {
                self.current.sockets().get(index as usize)
            }
            Change::Closed { index } => self.previous.sockets().get(index as usize),
        }
    }
}

impl Sampler {
    /// A sampler that has taken no snapshot yet.
    pub fn new(config: SamplerConfig) -> Sampler {
        let owners = config.owners.then(|| OwnerCache::new(config.owner_rescan));
        Sampler {
            config,
            reader: SocketReader::new(),
            previous: Snapshot::default(),
            current: Snapshot::default(),
            scratch: diff::Scratch::default(),
            owners,
            owner_scratch: (Vec::new(), Vec::new()),
            samples: 0,
        }
    }

    /// What it watches.
    pub fn config(&self) -> &SamplerConfig {
        &self.config
    }

    /// Watches sockets this filter accepts from the next sample on. Sockets the new filter
    /// drops are reported closed, and ones it adds opened.
    pub fn set_filter(&mut self, filter: Option<Filter>) {
        self.config.filter = filter;
    }

    /// The owner cache, when owners are watched.
    pub fn owners(&self) -> Option<&OwnerCache> {
        self.owners.as_ref()
    }

    /// The latest snapshot (empty before the first sample).
    pub fn current(&self) -> &Snapshot {
        &self.current
    }

    /// Takes a snapshot now and compares it with the previous one.
    ///
    /// A table the kernel does not have (UDP-Lite without its module, say) is skipped. Any
    /// other failure to list a table is returned, and the previous snapshot stays current.
    pub fn sample(&mut self) -> Result<Sample<'_>> {
        let started = Instant::now();
        std::mem::swap(&mut self.previous, &mut self.current);
        let first = self.samples == 0;
        let previous = (!first).then_some(&self.previous);
        let mut diff = diff::Diff::new(previous, &mut self.current, &mut self.scratch, started);
        let result = list(&mut self.reader, &self.config, &mut diff);
        if let Err(e) = result {
            std::mem::swap(&mut self.previous, &mut self.current);
            return Err(e);
        }
        if let Some(cache) = self.owners.as_mut() {
            attach_owners(cache, diff.next(), &mut self.owner_scratch);
        }
        diff.finish(started.elapsed());
        self.samples += 1;
        Ok(Sample {
            current: &self.current,
            previous: &self.previous,
            changes: &self.scratch.changes,
            interval: (!first).then(|| started.saturating_duration_since(self.previous.taken)),
        })
    }
}

/// Lists every configured table into `diff`.
fn list(reader: &mut SocketReader, config: &SamplerConfig, diff: &mut diff::Diff) -> Result<()> {
    for &(protocol, family) in &config.tables {
        let query = InetQuery::new(protocol, family)
            .states(config.states)
            .tcp_details(protocol == Protocol::Tcp)
            .filter(config.filter.as_ref());
        let listed = reader.for_each_inet_detailed(&query, |socket, details| {
            let counters = details
                .and_then(|d| d.info.as_ref())
                .map(TcpCounters::from_info);
            diff.add(socket, counters);
            Ok::<(), Infallible>(())
        });
        match listed {
            Err(ReadError::Source(e)) if e.is_not_available() => {}
            other => other?,
        }
    }
    Ok(())
}

/// Gives each socket of `snapshot` its owner from `cache`, looking up the inodes it lacks.
fn attach_owners(cache: &mut OwnerCache, snapshot: &mut Snapshot, scratch: &mut OwnerScratch) {
    let (inodes, owners) = scratch;
    inodes.clear();
    inodes.extend(snapshot.sockets.iter().map(|o| o.socket.inode));
    cache.begin_pass();
    cache.look_up(inodes, owners);
    for (observed, owner) in snapshot.sockets.iter_mut().zip(owners.drain(..)) {
        observed.owner = owner;
    }
    cache.end_pass(snapshot.sockets.len());
}

/// Buffers for [`attach_owners`], kept between samples.
type OwnerScratch = (Vec<u64>, Vec<Option<Arc<Owner>>>);
