//! A scrape: owners, then every namespace's collectors in parallel on their threads, merged
//! into one [`Collection`] with the self-monitoring families. Concurrent scrapes share one
//! collection: the first starts it, the others wait for the same result.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use nettables::netns::{self, Namespace, Sources};
use tokio::sync::OnceCell;

use crate::collect::{self, Collector, Outcome, Request};
use crate::exposition::{Collection, Kind, Value};
use crate::flags::{Config, Netns};
use crate::namespaces::{Target, Worker};
use crate::owners::Owners;

/// The scrape engine shared by every connection.
pub struct Scraper {
    collectors: Vec<Collector>,
    programs_top_k: usize,
    remotes_top_k: usize,
    all_netns: bool,
    owners: Option<Arc<Owners>>,
    audit: Option<Arc<nettables::audit::Config>>,
    /// Each namespace and its thread. Fixed unless `--all-netns`, where it follows the
    /// namespaces in use (named ones, Docker's, every process's) at every scrape.
    workers: tokio::sync::Mutex<Vec<(Target, Worker)>>,
    in_flight: Mutex<Option<Arc<OnceCell<Arc<Collection>>>>>,
    /// The last error logged per namespace and collector, so that a lasting failure is logged
    /// once, not at every scrape.
    logged: Mutex<HashMap<(String, Collector), String>>,
    /// Where namespaces are looked for.
    sources: Sources,
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
                vec![(Target::unlabelled(name), worker)]
            }
            // Checked at startup so that a missing privilege is reported at once.
            Netns::All => vec![start_own()?],
        };
        let wants = |c| config.collectors.contains(&c);
        let owners = (wants(Collector::Programs) || wants(Collector::Audit))
            .then(|| Owners::new(config.owners_refresh));
        let audit = match wants(Collector::Audit) {
            true => Some(Arc::new(audit_config(config.audit_config.as_deref())?)),
            false => None,
        };
        Ok(Arc::new(Scraper {
            collectors: config.collectors.clone(),
            programs_top_k: config.programs_top_k,
            remotes_top_k: config.remotes_top_k,
            all_netns: config.netns == Netns::All,
            owners,
            audit,
            workers: tokio::sync::Mutex::new(workers),
            in_flight: Mutex::new(None),
            logged: Mutex::new(HashMap::new()),
            sources: Sources::default(),
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
            audit: self.audit.clone(),
        };

        let mut workers = self.workers.lock().await;
        let mut outcomes: Vec<(Target, Outcome)> = Vec::new();
        if self.all_netns {
            outcomes.extend(self.follow_all(&mut workers));
        }
        // Every thread starts before any answer is awaited.
        let pending: Vec<_> = workers
            .iter()
            .map(|(target, worker)| (target.clone(), worker.submit(request.clone())))
            .collect();
        drop(workers);
        for (label, pending) in pending {
            outcomes.push((label, pending.outcome().await));
        }
        if let Some(owners) = &self.owners {
            owners.end();
        }

        let mut all = Collection::default();
        for (target, mut outcome) in outcomes {
            if let Some(why) = &owner_error {
                for (c, ok) in &mut outcome.success {
                    if matches!(c, Collector::Programs | Collector::Audit) {
                        *ok = false;
                        outcome.errors.push((*c, why.clone()));
                    }
                }
            }
            self.log_errors(&target.name, &outcome);
            collect::add_success(&mut outcome.metrics, &outcome.success);
            all.merge_labelled(outcome.metrics, &target.labels);
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

    /// Brings the threads in line with the namespaces in use: one per namespace, keyed by its
    /// identity, labelled as `netstat --all-netns` labels it. Returns failed outcomes for
    /// namespaces that cannot be entered (without root: every other user's).
    fn follow_all(&self, workers: &mut Vec<(Target, Worker)>) -> Vec<(Target, Outcome)> {
        let mut failed = Vec::new();
        let discovery = match netns::discover(&self.sources) {
            Ok(discovery) => discovery,
            Err(e) => {
                let why = format!("discovering the network namespaces in use: {e}");
                failed.push((
                    Target::current_of_all(),
                    Outcome::failed(&self.collectors, &why),
                ));
                return failed;
            }
        };
        let mut kept = Vec::with_capacity(discovery.namespaces().len());
        for ns in discovery.namespaces() {
            let target = Target::of(ns);
            if let Some(index) = workers.iter().position(|(_, w)| w.id == ns.id()) {
                kept.push((target, workers.swap_remove(index).1));
                continue;
            }
            let namespace = if ns.is_current() {
                None
            } else {
                match ns.open() {
                    Ok(namespace) => Some(namespace),
                    // Gone since discovery found it.
                    Err(e) if e.is_not_available() => continue,
                    Err(e) => {
                        let why = format!("cannot open it: {e}");
                        failed.push((target, Outcome::failed(&self.collectors, &why)));
                        continue;
                    }
                }
            };
            match Worker::start(&target.name, namespace) {
                Ok(worker) => kept.push((target, worker)),
                Err(e) => {
                    let why = format!("cannot enter it: {e}");
                    failed.push((target, Outcome::failed(&self.collectors, &why)));
                }
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

/// The audit's settings from `--collector.audit.config`, read as `netstat --audit-config`
/// reads them (a regular file of bounded size; mistakes named by line, not quoted).
fn audit_config(path: Option<&str>) -> Result<nettables::audit::Config, String> {
    use nettables::audit::config::{self, FileError};
    let mut settings = nettables::audit::Config::default();
    if let Some(path) = path {
        let text = config::read_text(std::path::Path::new(path)).map_err(|e| match e {
            FileError::Io(e) => format!("cannot read the audit config {path:?}: {e}"),
            FileError::Refused(why) => format!("cannot read the audit config {path:?}: {why}"),
        })?;
        settings.read_file(path, &text, &nettables::audit::check_ids())?;
    }
    Ok(settings)
}

fn start_own() -> Result<(Target, Worker), String> {
    Worker::start(netns::CURRENT, None)
        .map(|worker| (Target::unlabelled(netns::CURRENT), worker))
        .map_err(|e| format!("cannot start a collector thread: {e}"))
}
