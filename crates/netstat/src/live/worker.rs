//! One tick of work: a sample from the engine, turned into the rows of every view, with the
//! marks of recently opened and closed connections, the counter and interface rates, and the
//! audit's findings (refreshed at a slower pace).

use std::collections::VecDeque;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nettables::counters::{self, CounterFile};
use nettables::filter::Filter;
use nettables::inet::{Protocol, State};
use nettables::watch::{Change, Sampler, SamplerConfig, SocketKey};
use rustc_hash::FxHashMap;

use super::history::Series;
use super::model::{Conn, Mark, Model, Owners};
use super::rates::{CounterRates, InterfaceRates};
use crate::audit::{self, Finding};
use crate::text::reason;

/// How many ticks a connection stays marked as opened, and a closed one stays listed.
pub const MARK_TICKS: u64 = 3;
/// At most this many closed connections are kept listed (a burst of closes at 200k sockets
/// must not double the memory).
const CLOSED_KEPT: usize = 50_000;
/// How often the audit's checks run: they read every socket and process again.
pub const AUDIT_EVERY: Duration = Duration::from_secs(60);

/// Everything kept from one tick to the next.
pub struct Worker {
    sampler: Sampler,
    tick: u64,
    /// Sockets opened lately, with the tick that saw them open.
    opened: FxHashMap<SocketKey, u64>,
    /// Sockets closed lately, oldest first, with the tick that saw them close.
    closed: VecDeque<(u64, Conn)>,
    /// The next sample's changes are the filter's doing, not the network's.
    refiltered: bool,
    states: Vec<Series>,
    counters: CounterRates,
    interfaces: InterfaceRates,
    audit: AuditRunner,
}

impl Worker {
    /// `audit`: the checks' settings, or why they cannot run.
    pub fn new(config: SamplerConfig, audit: Result<audit::Config, String>) -> Worker {
        Worker {
            sampler: Sampler::new(config),
            tick: 0,
            opened: FxHashMap::default(),
            closed: VecDeque::new(),
            refiltered: false,
            states: vec![Series::default(); 12],
            counters: CounterRates::default(),
            interfaces: InterfaceRates::default(),
            audit: AuditRunner::new(audit),
        }
    }

    /// Watches sockets this filter accepts from the next tick on.
    pub fn set_filter(&mut self, filter: Option<Filter>) {
        self.sampler.set_filter(filter);
        self.refiltered = true;
    }

    /// Samples now and fills `model` (emptied first, its allocations reused).
    pub fn step(&mut self, model: &mut Model) {
        model.clear();
        self.tick += 1;
        let tick = self.tick;
        let owners_watched = self.sampler.config().owners;
        let refiltered = std::mem::take(&mut self.refiltered);
        if refiltered {
            self.opened.clear();
            self.closed.clear();
        }
        let (opened, closed) = (&mut self.opened, &mut self.closed);
        opened.retain(|_, at| tick - *at < MARK_TICKS);
        while closed
            .front()
            .is_some_and(|(at, _)| tick - *at >= MARK_TICKS)
        {
            closed.pop_front();
        }
        match self.sampler.sample() {
            Ok(sample) => {
                if !refiltered {
                    for change in sample.changes {
                        let Some(observed) = sample.socket(change) else {
                            continue;
                        };
                        match change {
                            Change::Opened { .. } => {
                                opened.insert(observed.key, tick);
                            }
                            Change::Closed { .. } if !is_listener(observed) => {
                                if closed.len() == CLOSED_KEPT {
                                    closed.pop_front();
                                }
                                closed.push_back((tick, Conn::of(observed, Mark::Closed)));
                            }
                            _ => {}
                        }
                    }
                }
                model.took = sample.current.took();
                model.wall = Some(sample.current.wall_time());
                model.add_sockets(
                    sample.current.sockets(),
                    |key| opened.contains_key(&key),
                    closed.iter().map(|(_, conn)| conn),
                    owners_watched,
                );
            }
            Err(e) => {
                // The previous snapshot stays current: show it, and say why it is old.
                model.error = Some(format!("cannot list sockets: {}", reason(&e)));
                let current = self.sampler.current();
                model.took = current.took();
                model.wall = Some(current.wall_time());
                model.add_sockets(current.sockets(), |_| false, [].iter(), owners_watched);
            }
        }
        model.tick = tick;
        for (series, &count) in self.states.iter_mut().zip(&model.states) {
            series.push(count as u64);
        }
        model.state_history.extend(self.states.iter().cloned());
        model.owners = Owners {
            watched: owners_watched,
            incomplete: self.sampler.owners().is_some_and(|o| o.incomplete()),
        };
        self.read_counters(model);
        self.audit.poll(Instant::now());
        model.findings = self.audit.findings.clone();
        if model.error.is_none() {
            model.error = self.audit.error.clone();
        }
    }

    fn read_counters(&mut self, model: &mut Model) {
        let now = Instant::now();
        let mut sections = Vec::new();
        for file in [CounterFile::Snmp, CounterFile::Netstat] {
            if let Ok(read) = counters::load(file) {
                sections.extend(read.sections);
            }
        }
        model
            .counters
            .extend_from_slice(self.counters.update(&sections, now));
        if let Ok(listing) = nettables::iface::list() {
            let readings = listing
                .interfaces
                .iter()
                .filter_map(|i| Some((&i.name[..], i.stats?)));
            self.interfaces.update(readings, now, &mut model.interfaces);
        }
    }
}

fn is_listener(observed: &nettables::watch::Observed) -> bool {
    observed.socket.protocol == Protocol::Tcp && observed.socket.state == State::LISTEN
}

/// Runs the audit's checks every [`AUDIT_EVERY`] on a thread of their own (inline when no
/// thread can be had), and keeps the latest findings.
struct AuditRunner {
    config: Option<Arc<audit::Config>>,
    next: Instant,
    job: Option<JoinHandle<Vec<Finding>>>,
    findings: Arc<[Finding]>,
    error: Option<String>,
}

impl AuditRunner {
    fn new(config: Result<audit::Config, String>) -> AuditRunner {
        let (config, error) = match config {
            Ok(config) => (Some(Arc::new(config)), None),
            Err(e) => (None, Some(format!("audit: {e}"))),
        };
        AuditRunner {
            config,
            next: Instant::now(),
            job: None,
            findings: Arc::from([]),
            error,
        }
    }

    fn poll(&mut self, now: Instant) {
        if self.job.as_ref().is_some_and(JoinHandle::is_finished)
            && let Some(job) = self.job.take()
        {
            // A check that panicked leaves the previous findings up.
            if let Ok(findings) = job.join() {
                self.findings = findings.into();
            }
        }
        let Some(config) = self.config.clone() else {
            return;
        };
        if self.job.is_some() || now < self.next {
            return;
        }
        self.next = now + AUDIT_EVERY;
        let for_job = Arc::clone(&config);
        let spawned = std::thread::Builder::new()
            .name("audit".into())
            .spawn(move || audit::check(&for_job));
        match spawned {
            Ok(job) => self.job = Some(job),
            Err(_) => self.findings = audit::check(&config).into(),
        }
    }
}
