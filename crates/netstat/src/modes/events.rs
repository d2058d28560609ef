//! `--events`: connection events as they happen, until SIGINT or SIGTERM.
//!
//! Each watched namespace gets a thread of its own, which enters the namespace, makes its
//! [`EventSource`] there (a netlink socket belongs to the namespace it was made in) and sends
//! each batch of events here; this thread writes them and flushes after every batch, so a
//! reader sees an event within one snapshot interval. SIGINT and SIGTERM end the run with
//! status 0 once what was received is written.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use nettables::inet::Protocol;
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
    let watched = match namespaces::watched(plan) {
        Ok(watched) => watched,
        Err(code) => return Ok(code),
    };
    if watched.is_empty() {
        eprintln!("netstat: no network namespace could be watched");
        return Ok(1);
    }
    catch_stop_signals();
    let labels: Vec<Option<_>> = watched.iter().map(|w| w.label.clone()).collect();
    let (sender, batches) = mpsc::channel();
    std::thread::scope(|scope| {
        for (index, target) in watched.into_iter().enumerate() {
            let (sender, config) = (sender.clone(), config.clone());
            scope.spawn(move || watch(index, target, config, &sender));
        }
        drop(sender);
        let written = write_batches(args, &labels, &batches, out);
        STOP.store(true, Ordering::Relaxed);
        written
    })
}

/// Writes batches until a signal, or until every watcher has ended (status 1: each said why).
fn write_batches(
    args: &Args,
    labels: &[Option<NetnsLabel>],
    batches: &mpsc::Receiver<(usize, Vec<Event>)>,
    out: &mut Output,
) -> Status {
    let labelled = labels.iter().any(Option::is_some);
    let mut writer = BatchWriter {
        format: args.format,
        labels,
        text: TextWriter::default(),
    };
    if args.format == OutputFormat::Text {
        write_header(out, labelled)?;
        out.flush()?;
    }
    loop {
        match batches.recv_timeout(STOP_CHECK) {
            Ok((index, batch)) => {
                writer.write(out, index, &batch)?;
                out.flush()?;
            }
            // Quiet moments are when a reader that went away would go unnoticed.
            Err(mpsc::RecvTimeoutError::Timeout) if reader_gone() => {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            // The watchers stop on a signal too; without one, each said why it ended.
            Err(mpsc::RecvTimeoutError::Disconnected) if !STOP.load(Ordering::Relaxed) => {
                return Ok(1);
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {}
        }
        if STOP.load(Ordering::Relaxed) {
            // What the watchers sent, up to their last read after the signal.
            while let Ok((index, batch)) = batches.recv() {
                writer.write(out, index, &batch)?;
            }
            out.flush()?;
            return Ok(0);
        }
    }
}

/// Writes the watchers' batches, each event with the label of its namespace.
struct BatchWriter<'a> {
    format: OutputFormat,
    /// The label of each watcher's namespace, by watcher index (`None` for our own).
    labels: &'a [Option<NetnsLabel>],
    /// The text format's line buffer.
    text: TextWriter,
}

impl BatchWriter<'_> {
    /// Writes `batch`, the events of watcher `index`.
    fn write(&mut self, out: &mut Output, index: usize, batch: &[Event]) -> io::Result<()> {
        let label = self.labels.get(index).and_then(Option::as_ref);
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

/// One namespace's watcher: enters it, then sends every batch until told to stop.
fn watch(
    index: usize,
    target: Watched,
    config: EventsConfig,
    sender: &mpsc::Sender<(usize, Vec<Event>)>,
) {
    let place = target
        .label
        .as_ref()
        .map(|l| format!(" in network namespace {}", shown(&l.label)))
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
        let stop = STOP.load(Ordering::Relaxed);
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

fn shown(label: &str) -> String {
    String::from_utf8_lossy(&text::sanitized(label.as_bytes())).into_owned()
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
