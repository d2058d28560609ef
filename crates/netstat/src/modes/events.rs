//! `--events`: connection events as they happen, until SIGINT or SIGTERM.
//!
//! Each watched namespace gets a thread of its own, which enters the namespace, makes its
//! [`EventSource`] there (a netlink socket belongs to the namespace it was made in) and sends
//! each batch of events here; this thread writes them and flushes after every batch, so a
//! reader sees an event within one snapshot interval. SIGINT and SIGTERM end the run with
//! status 0 once what was received is written.
//!
//! With `--all-netns` this thread looks for namespaces again every [`LOOK_AGAIN`]: a new one
//! gets a watcher, and the watcher of one no process is in any more is retired (its netlink
//! socket and handle would keep the namespace alive after `ip netns delete`).

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use nettables::inet::Protocol;
use nettables::netns::Sources;
use nettables::watch::events::{Event, EventSource, EventsConfig};

use super::Status;
use super::listing::{Selection, parse_filter};
use crate::cli::args::{Args, Netns, NetnsLabel, OutputFormat};
use crate::namespaces::{self, Plan, Watched};
use crate::output::Output;
use crate::render::events::{TextWriter, write_header, write_json};
use crate::render::json::Origin;
use crate::text;

/// Set by SIGINT and SIGTERM, and when the output is gone: every thread stops.
static STOP: AtomicBool = AtomicBool::new(false);

/// How long the writer waits for a batch before looking at [`STOP`] again.
const STOP_CHECK: Duration = Duration::from_millis(100);

pub fn run(args: &Args, plan: Plan, out: &mut Output) -> Status {
    let filter = match parse_filter(args.filter.as_deref(), args.netns == Netns::All) {
        Ok(filter) => filter,
        Err(code) => return Ok(code),
    };
    let selection = Selection::new(args);
    let config = EventsConfig {
        tcp: selection.wants(Protocol::Tcp),
        udp: selection.wants(Protocol::Udp),
        families: selection.families().collect(),
        filter,
        ..EventsConfig::default()
    };
    if !(config.tcp || config.udp) || config.families.is_empty() {
        eprintln!("netstat: --events reports TCP and UDP sockets only");
        return Ok(3);
    }
    let sources = match &plan {
        Plan::All(sources) => Some(sources.clone()),
        _ => None,
    };
    let watched = match namespaces::watched(plan) {
        Ok(watched) => watched,
        Err(code) => return Ok(code),
    };
    if watched.is_empty() {
        eprintln!("netstat: no network namespace could be watched");
        return Ok(1);
    }
    catch_stop_signals();
    let labelled = watched.iter().any(|w| w.label.is_some());
    let (sender, batches) = mpsc::channel();
    std::thread::scope(|scope| {
        let mut watchers = Watchers {
            scope,
            sender: Some(sender),
            config,
            labels: Vec::new(),
            by_id: HashMap::new(),
            alive: Arc::new(AtomicUsize::new(0)),
        };
        for target in watched {
            watchers.start(target);
        }
        let mut stream = Stream {
            batches,
            sources,
            next_look: Instant::now() + LOOK_AGAIN,
            writer: BatchWriter {
                format: args.format,
                text: TextWriter::default(),
            },
        };
        let written = stream.write_batches(labelled, &mut watchers, out);
        STOP.store(true, Ordering::Relaxed);
        written
    })
}

/// How often `--all-netns` looks again for namespaces that came or went.
const LOOK_AGAIN: Duration = Duration::from_secs(2);

/// The watcher threads, one a namespace; `--all-netns` adds and retires them as namespaces
/// come and go.
struct Watchers<'scope, 'env> {
    scope: &'scope std::thread::Scope<'scope, 'env>,
    /// Cloned for each new watcher; dropped at the end, so the channel closes when the last
    /// watcher has sent its last batch.
    sender: Option<mpsc::Sender<(usize, Vec<Event>)>>,
    config: EventsConfig,
    /// The label of each watcher's namespace, by watcher index (`None` for our own).
    labels: Vec<Option<NetnsLabel>>,
    /// Each discovered namespace's watcher: its index and the flag that retires it.
    by_id: HashMap<(u64, u64), (usize, Arc<AtomicBool>)>,
    /// Watchers still running.
    alive: Arc<AtomicUsize>,
}

impl<'scope> Watchers<'scope, '_> {
    fn start(&mut self, target: Watched) {
        let Some(sender) = self.sender.clone() else {
            return;
        };
        let index = self.labels.len();
        self.labels.push(target.label.clone());
        let retired = Arc::new(AtomicBool::new(false));
        if let Some(id) = target.id {
            self.by_id.insert(id, (index, Arc::clone(&retired)));
        }
        let running = Running::new(Arc::clone(&self.alive));
        let config = self.config.clone();
        self.scope.spawn(move || {
            let _running = running;
            watch(index, target, config, &retired, &sender);
        });
    }

    /// `--all-netns`: starts watching namespaces that appeared since the last look, and
    /// retires the watchers of those no longer in use (their netlink socket would otherwise
    /// keep a deleted namespace alive).
    fn look_again(&mut self, sources: &Sources) {
        let Some(look) = namespaces::look_again(sources, |id| self.by_id.contains_key(id)) else {
            return;
        };
        self.by_id.retain(|id, (_, retired)| {
            let keep = look.in_use.contains(id);
            if !keep {
                retired.store(true, Ordering::Relaxed);
            }
            keep
        });
        for target in look.new {
            self.start(target);
        }
    }
}

/// Counts a watcher as running until it ends.
struct Running(Arc<AtomicUsize>);

impl Running {
    fn new(alive: Arc<AtomicUsize>) -> Running {
        alive.fetch_add(1, Ordering::Relaxed);
        Running(alive)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The writing side of the stream.
struct Stream {
    batches: mpsc::Receiver<(usize, Vec<Event>)>,
    /// `--all-netns`: where to look for namespaces.
    sources: Option<Sources>,
    next_look: Instant,
    writer: BatchWriter,
}

impl Stream {
    /// Writes batches until a signal, or until every watcher has ended (status 1: each said
    /// why).
    fn write_batches(
        &mut self,
        labelled: bool,
        watchers: &mut Watchers,
        out: &mut Output,
    ) -> Status {
        if self.writer.format == OutputFormat::Text {
            write_header(out, labelled)?;
            out.flush()?;
        }
        loop {
            match self.batches.recv_timeout(STOP_CHECK) {
                Ok((index, batch)) => {
                    self.writer.write(out, label(watchers, index), &batch)?;
                    out.flush()?;
                }
                // Quiet moments are when a reader that went away would go unnoticed.
                Err(_) if reader_gone() => return Err(io::ErrorKind::BrokenPipe.into()),
                Err(_) => {}
            }
            if let Some(sources) = &self.sources
                && Instant::now() >= self.next_look
            {
                watchers.look_again(sources);
                self.next_look = Instant::now() + LOOK_AGAIN;
            }
            let stop = STOP.load(Ordering::Relaxed);
            // Without a signal, the watchers end only on errors, each said why.
            let all_ended = watchers.alive.load(Ordering::Relaxed) == 0;
            if stop || all_ended {
                // What the watchers sent, up to their last read after the signal.
                watchers.sender = None;
                while let Ok((index, batch)) = self.batches.recv() {
                    self.writer.write(out, label(watchers, index), &batch)?;
                }
                out.flush()?;
                return Ok(if stop { 0 } else { 1 });
            }
        }
    }
}

fn label<'a>(watchers: &'a Watchers, index: usize) -> Option<&'a NetnsLabel> {
    watchers.labels.get(index).and_then(Option::as_ref)
}

/// Writes the watchers' batches, each event with the label of its namespace.
struct BatchWriter {
    format: OutputFormat,
    /// The text format's line buffer.
    text: TextWriter,
}

impl BatchWriter {
    /// Writes `batch`, events from the namespace labelled `label` (`None`: our own).
    fn write(
        &mut self,
        out: &mut Output,
        label: Option<&NetnsLabel>,
        batch: &[Event],
    ) -> io::Result<()> {
        for event in batch {
            if self.format == OutputFormat::Text {
                self.text
                    .write(out, event, label.map(|l| l.label.as_str()))?;
            } else {
                let origin = label.map(|l| Origin {
                    label: &l.label,
                    container: l.container.as_ref(),
                });
                write_json(out, event, origin)?;
            }
        }
        Ok(())
    }
}

/// One namespace's watcher: enters it, then sends every batch until told to stop, or until
/// its namespace is `retired`.
fn watch(
    index: usize,
    target: Watched,
    config: EventsConfig,
    retired: &AtomicBool,
    sender: &mpsc::Sender<(usize, Vec<Event>)>,
) {
    let place = target
        .label
        .as_ref()
        .map(|l| format!(" in network namespace {}", namespaces::shown(&l.label)))
        .unwrap_or_default();
    if let Some(namespace) = &target.namespace
        && let Err(e) = namespace.enter()
    {
        eprintln!("netstat: cannot enter{place}: {}", text::reason(&e));
        return;
    }
    let mut source = match EventSource::new(config) {
        Ok(source) => source,
        Err(e) => {
            eprintln!(
                "netstat: cannot watch connection events{place}: {}",
                text::reason(&e)
            );
            return;
        }
    };
    loop {
        let stop = STOP.load(Ordering::Relaxed) || retired.load(Ordering::Relaxed);
        let mut batch = Vec::new();
        // On a signal, the closes already queued in the kernel are read before the end.
        let read = if stop {
            source.drain(&mut batch)
        } else {
            source.poll(&mut batch)
        };
        if let Err(e) = read {
            eprintln!("netstat: connection events{place}: {}", text::reason(&e));
            return;
        }
        if !batch.is_empty() && sender.send((index, batch)).is_err() || stop {
            return;
        }
    }
}

/// Whether standard output is a pipe whose reader has gone (`netstat --events | head -3`):
/// without this, a quiet stream would notice only at its next event.
fn reader_gone() -> bool {
    let mut stdout = libc::pollfd {
        fd: libc::STDOUT_FILENO,
        events: 0,
        revents: 0,
    };
    // SAFETY: one valid pollfd, a zero timeout; poll only writes its `revents`.
    let ready = unsafe { libc::poll(&mut stdout, 1, 0) };
    ready > 0 && stdout.revents & libc::POLLERR != 0
}

extern "C" fn on_stop_signal(_: libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
}

/// SIGINT and SIGTERM set [`STOP`] instead of killing the process, so that what was received
/// is written first.
fn catch_stop_signals() {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe; an
        // all-zero sigaction with the handler set and no flags is a valid argument.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction =
                on_stop_signal as extern "C" fn(libc::c_int) as *const () as usize;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}
