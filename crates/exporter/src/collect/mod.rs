//! The collectors: what one namespace's scrape reads and turns into metric families.
//!
//! Everything here runs on the namespace's own thread ([`crate::namespaces`]), so every read
//! (netlink, `/proc/thread-self/net`) sees that namespace. The four socket collectors and the
//! audit share one pass over the socket tables ([`sockets`]), and one owner lookup.

pub mod audit;
pub mod counters;
pub mod network;
pub mod sockets;

use std::sync::Arc;

use nettables::SocketReader;

use crate::exposition::{Collection, Kind, Value};
use crate::owners::Owners;

/// A group of metrics that `--collector.NAME` turns on or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Collector {
    Sockets,
    Listeners,
    Programs,
    Remotes,
    Counters,
    Network,
    Audit,
}

impl Collector {
    pub const ALL: [Collector; 7] = [
        Collector::Sockets,
        Collector::Listeners,
        Collector::Programs,
        Collector::Remotes,
        Collector::Counters,
        Collector::Network,
        Collector::Audit,
    ];

    /// The name in flags and in the `collector` label.
    pub fn name(self) -> &'static str {
        match self {
            Collector::Sockets => "sockets",
            Collector::Listeners => "listeners",
            Collector::Programs => "programs",
            Collector::Remotes => "remotes",
            Collector::Counters => "counters",
            Collector::Network => "network",
            Collector::Audit => "audit",
        }
    }

    /// Whether it runs unless turned off. The audit is opt-in: it keeps a copy of most socket
    /// records and reads counters and sysctls besides, and its findings depend on a local
    /// policy (`--collector.audit.config`).
    pub fn by_default(self) -> bool {
        self != Collector::Audit
    }

    pub fn from_name(name: &str) -> Option<Collector> {
        Collector::ALL.into_iter().find(|c| c.name() == name)
    }

    /// One line for `--help`.
    pub fn help(self) -> &'static str {
        match self {
            Collector::Sockets => "netstat_sockets: sockets by protocol, family and state.",
            Collector::Listeners => "netstat_tcp_listener_*: accept queues and connections.",
            Collector::Programs => "netstat_program_sockets: sockets by owning program.",
            Collector::Remotes => "netstat_remote_connections: established peers.",
            Collector::Counters => "netstat_<section>_<key>: /proc/net/snmp, netstat, snmp6.",
            Collector::Network => "netstat_network_*_total: interface counters.",
            Collector::Audit => "netstat_audit_findings: findings of netstat --audit's checks.",
        }
    }
}

/// What one scrape of one namespace asks for.
#[derive(Clone, Debug)]
pub struct Request {
    pub collectors: Vec<Collector>,
    pub programs_top_k: usize,
    pub remotes_top_k: usize,
    /// The owner table, when the programs or the audit collector is on.
    pub owners: Option<Arc<Owners>>,
    /// The audit's allow-lists and thresholds, when the audit collector is on.
    pub audit: Option<Arc<nettables::audit::Config>>,
}

/// What one namespace's scrape produced.
#[derive(Debug, Default)]
pub struct Outcome {
    pub metrics: Collection,
    /// Each requested collector and whether it worked.
    pub success: Vec<(Collector, bool)>,
    /// Why collectors failed, for the log.
    pub errors: Vec<(Collector, String)>,
}

impl Outcome {
    /// Every requested collector failed for the same reason (the namespace could not be read).
    pub fn failed(collectors: &[Collector], why: &str) -> Outcome {
        Outcome {
            metrics: Collection::default(),
            success: collectors.iter().map(|&c| (c, false)).collect(),
            errors: collectors.iter().map(|&c| (c, why.to_string())).collect(),
        }
    }
}

/// Runs the requested collectors in the calling thread's namespace.
pub fn run(reader: &mut SocketReader, request: &Request) -> Outcome {
    let mut outcome = Outcome::default();
    let wants = |c| request.collectors.contains(&c);
    let socket_collectors: Vec<Collector> = request
        .collectors
        .iter()
        .copied()
        .filter(|c| sockets::COLLECTORS.contains(c))
        .collect();
    let mut results: Vec<(Collector, Result<(), String>)> = Vec::new();
    // One read of the socket tables serves the socket collectors and the audit.
    let pass = (!socket_collectors.is_empty() || wants(Collector::Audit))
        .then(|| sockets::read(reader, request));
    if let Some(pass) = pass.as_ref().filter(|_| !socket_collectors.is_empty()) {
        let result = pass.add_families(request, &mut outcome.metrics);
        for c in socket_collectors {
            results.push((c, result.clone()));
        }
    }
    if wants(Collector::Counters) {
        results.push((Collector::Counters, counters::collect(&mut outcome.metrics)));
    }
    if wants(Collector::Network) {
        results.push((Collector::Network, network::collect(&mut outcome.metrics)));
    }
    if let Some(pass) = pass.as_ref().filter(|_| wants(Collector::Audit)) {
        let result = audit::collect(request, pass, &mut outcome.metrics);
        results.push((Collector::Audit, result));
    }
    // Report in the requested order.
    for &c in &request.collectors {
        if let Some((_, result)) = results.iter().find(|(r, _)| *r == c) {
            outcome.success.push((c, result.is_ok()));
            if let Err(why) = result {
                outcome.errors.push((c, why.clone()));
            }
        }
    }
    outcome
}

/// Adds `netstat_collector_success` for every collector of `outcome`.
pub fn add_success(metrics: &mut Collection, outcome_success: &[(Collector, bool)]) {
    let family = metrics.family(
        "netstat_collector_success",
        "Whether the collector worked during the last scrape (1) or failed (0).",
        Kind::Gauge,
    );
    for &(collector, ok) in outcome_success {
        family.push(
            vec![("collector", collector.name().to_string())],
            Value::Unsigned(u64::from(ok)),
        );
    }
}
