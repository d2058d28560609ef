//! A scrape: owners, then every namespace's collectors in parallel on their threads, merged
//! into one [`Collection`] with the self-monitoring families. Concurrent scrapes share one
//! collection: the first starts it, the others wait for the same result.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use nettables::netns::{self, Namespace};
use tokio::sync::OnceCell;

use crate::collect::{self, Collector, Outcome, Request};
use crate::exposition::{Collection, Kind, Value};
use crate::flags::{Config, Netns};
use crate::namespaces::{OWN_LABEL, Worker};
use crate::owners::Owners;

/// The scrape engine shared by every connection.
pub struct Scraper {
    collectors: Vec<Collector>,
    programs_top_k: usize,
    remotes_top_k: usize,
    all_netns: bool,
    owners: Option<Arc<Owners>>,
    /// Namespace label and its thread. Fixed unless `--all-netns`, where it follows
    /// `/run/netns` at every scrape.
    workers: tokio::sync::Mutex<Vec<(String, Worker)>>,
    in_flight: Mutex<Option<Arc<OnceCell<Arc<Collection>>>>>,
    /// The last error logged per namespace and collector, so that a lasting failure is logged
    /// once, not at every scrape.
    logged: Mutex<HashMap<(String, Collector), String>>,
}

impl Scraper {
    /// Starts the namespace threads the configuration needs. Fails, with a message for the
    /// user, when a named namespace cannot be opened or entered.
    pub fn new(config: &Config) -> Result<Arc<Scraper>, String> {
        let workers = match &config.netns {
            Netns::Own => vec![start_own()?],
            Netns::Named(name) => {
                let namespace = Namespace::named(name)
                    .map_err(|e| format!("cannot open network namespace {name:?}: {e}"))?;
                let worker = Worker::start(name, Some(namespace))
                    .map_err(|e| format!("cannot enter network namespace {name:?}: {e}"))?;
                vec![(name.clone(), worker)]
            }
            // Checked at startup so that a missing privilege is reported at once.
            Netns::All => vec![start_own()?],
        };
        let owners = config
            .collectors
            .contains(&Collector::Programs)
            .then(|| Owners::new(config.owners_refresh));
        Ok(Arc::new(Scraper {
            collectors: config.collectors.clone(),
            programs_top_k: config.programs_top_k,
            remotes_top_k: config.remotes_top_k,
            all_netns: config.netns == Netns::All,
            owners,
            workers: tokio::sync::Mutex::new(workers),
            in_flight: Mutex::new(None),
            logged: Mutex::new(HashMap::new()),
        }))
    }

    /// The metrics of one scrape, shared with every scrape that asks meanwhile.
    pub async fn scrape(self: &Arc<Self>) -> Arc<Collection> {
        let cell = {
            let mut in_flight = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
            in_flight
                .get_or_insert_with(|| Arc::new(OnceCell::new()))
                .clone()
        };
        let scraper = self.clone();
        let collection = cell
            .get_or_init(|| async move {
                // A task of its own: a client that goes away does not cancel the collection
                // the others wait for.
                let task = tokio::spawn(async move { Arc::new(scraper.collect().await) });
                task.await.unwrap_or_default()
            })
            .await
            .clone();
        let mut in_flight = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        if in_flight.as_ref().is_some_and(|c| Arc::ptr_eq(c, &cell)) {
            *in_flight = None;
        }
        collection
    }

    async fn collect(&self) -> Collection {
        let started = Instant::now();
        let mut owner_error = None;
        let owners = match self.owners.clone() {
            Some(owners) => {
                let begun = owners.clone();
                match tokio::task::spawn_blocking(move || begun.begin()).await {
                    Ok(Ok(())) => Some(owners),
                    Ok(Err(e)) => {
                        owner_error = Some(format!("scanning /proc for socket owners: {e}"));
                        None
                    }
                    Err(_) => {
                        owner_error = Some("the owner scan failed".to_string());
                        None
                    }
                }
            }
            None => None,
        };
        let request = Request {
            collectors: self.collectors.clone(),
            programs_top_k: self.programs_top_k,
            remotes_top_k: self.remotes_top_k,
            owners,
        };

        let mut workers = self.workers.lock().await;
        let mut outcomes: Vec<(String, Outcome)> = Vec::new();
        if self.all_netns {
            outcomes.extend(self.follow_named(&mut workers));
        }
        // Every thread starts before any answer is awaited.
        let pending: Vec<_> = workers
            .iter()
            .map(|(label, worker)| (label.clone(), worker.submit(request.clone())))
            .collect();
        drop(workers);
        for (label, pending) in pending {
            outcomes.push((label, pending.outcome().await));
        }
        if let Some(owners) = &self.owners {
            owners.end();
        }

        let mut all = Collection::default();
        for (label, mut outcome) in outcomes {
            if let Some(why) = &owner_error {
                for (c, ok) in &mut outcome.success {
                    if *c == Collector::Programs {
                        *ok = false;
                        outcome.errors.push((Collector::Programs, why.clone()));
                    }
                }
            }
            self.log_errors(&label, &outcome);
            collect::add_success(&mut outcome.metrics, &outcome.success);
            let netns = self.all_netns.then_some(("netns", label.as_str()));
            all.merge_labelled(outcome.metrics, netns);
        }
        all.family(
            "netstat_scrape_duration_seconds",
            "How long the last scrape took, every namespace and collector included.",
            Kind::Gauge,
        )
        .push(Vec::new(), Value::Float(started.elapsed().as_secs_f64()));
        all.family(
            "netstat_build_info",
            "The exporter's version, as a label; the value is always 1.",
            Kind::Gauge,
        )
        .push(
            vec![("version", env!("CARGO_PKG_VERSION").to_string())],
            Value::Unsigned(1),
        );
        all
    }

    /// Brings the threads in line with `/run/netns`: one per named namespace, plus our own
    /// unless it is one of them. Returns failed outcomes for namespaces that cannot be entered.
    fn follow_named(&self, workers: &mut Vec<(String, Worker)>) -> Vec<(String, Outcome)> {
        let mut failed = Vec::new();
        let names = netns::named().unwrap_or_else(|e| {
            failed.push((
                OWN_LABEL.to_string(),
                Outcome::failed(
                    &self.collectors,
                    &format!("listing {}: {e}", netns::NAMED_DIR),
                ),
            ));
            Vec::new()
        });
        let mut wanted: Vec<(String, Option<Namespace>, (u64, u64))> = Vec::new();
        for name in names {
            let opened = Namespace::named(&name).and_then(|ns| ns.id().map(|id| (ns, id)));
            match opened {
                Ok((ns, id)) => wanted.push((name, Some(ns), id)),
                // Being made or removed right now: it shows next time.
                Err(e) if e.is_not_available() => {}
                Err(e) => failed.push((
                    name.clone(),
                    Outcome::failed(&self.collectors, &format!("cannot open it: {e}")),
                )),
            }
        }
        let own_id = Namespace::current().and_then(|ns| ns.id()).ok();
        if own_id.is_some_and(|own| !wanted.iter().any(|(_, _, id)| *id == own)) {
            wanted.push((OWN_LABEL.to_string(), None, own_id.unwrap_or_default()));
        }
        let mut kept = Vec::with_capacity(wanted.len());
        for (label, namespace, id) in wanted {
            let index = workers.iter().position(|(l, w)| *l == label && w.id == id);
            match index {
                Some(index) => kept.push(workers.swap_remove(index)),
                None => match Worker::start(&label, namespace) {
                    Ok(worker) => kept.push((label, worker)),
                    Err(e) => failed.push((
                        label,
                        Outcome::failed(&self.collectors, &format!("cannot enter it: {e}")),
                    )),
                },
            }
        }
        // The threads of namespaces that are gone end here.
        *workers = kept;
        failed
    }

    fn log_errors(&self, label: &str, outcome: &Outcome) {
        let mut logged = self.logged.lock().unwrap_or_else(|p| p.into_inner());
        for &(collector, ok) in &outcome.success {
            let key = (label.to_string(), collector);
            if ok {
                logged.remove(&key);
                continue;
            }
            let why = outcome
                .errors
                .iter()
                .find(|(c, _)| *c == collector)
                .map_or("failed", |(_, why)| why.as_str());
            if logged.get(&key).map(String::as_str) != Some(why) {
                // Debug formatting: names from outside never reach the terminal raw.
                eprintln!(
                    "netstat_exporter: collector {} in namespace {label:?}: {why:?}",
                    collector.name()
                );
                logged.insert(key, why.to_string());
            }
        }
    }
}

fn start_own() -> Result<(String, Worker), String> {
    Worker::start(OWN_LABEL, None)
        .map(|worker| (OWN_LABEL.to_string(), worker))
        .map_err(|e| format!("cannot start a collector thread: {e}"))
}
