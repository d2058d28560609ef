//! Where the screen's models come from: the worker on a thread of its own, so that keys are
//! answered while a sample runs; or, when no thread can be had, the worker called between
//! keys on the screen's thread.
//!
//! Models travel back to the worker once the screen is done with them, so their rows'
//! allocations are reused from one tick to the next.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nettables::filter::Filter;

use super::model::Model;
use super::worker::Worker;

/// What the screen asks of the worker.
pub enum Command {
    Filter(Option<Filter>),
    Pause(bool),
}

/// The worker stopped (its thread panicked).
#[derive(Debug)]
pub struct Stopped;

/// How long the screen waits for a key before looking for a new model, when the worker runs
/// on its own thread.
const LOOK_EVERY: Duration = Duration::from_millis(50);

pub struct Source {
    kind: Kind,
}

enum Kind {
    Thread {
        commands: Sender<Command>,
        models: Receiver<Model>,
        spares: Sender<Model>,
    },
    Inline {
        worker: Box<Worker>,
        interval: Duration,
        next: Instant,
        paused: bool,
        spare: Option<Box<Model>>,
    },
}

impl Source {
    /// Starts sampling every `interval`, the first sample at once.
    pub fn start(worker: Worker, interval: Duration) -> Source {
        let (commands, command_rx) = mpsc::channel();
        let (model_tx, models) = mpsc::channel();
        let (spares, spare_rx) = mpsc::channel();
        // Shared so that a thread that cannot be spawned gives the worker back.
        let handover = Arc::new(Mutex::new(Some(worker)));
        let for_thread = Arc::clone(&handover);
        let spawned = std::thread::Builder::new()
            .name("sampler".into())
            .spawn(move || {
                let worker = for_thread.lock().ok().and_then(|mut w| w.take());
                if let Some(worker) = worker {
                    let ends = SamplerEnds {
                        commands: command_rx,
                        models: model_tx,
                        spares: spare_rx,
                    };
                    run(worker, interval, &ends);
                }
            });
        let kind = match spawned {
            Ok(_) => Kind::Thread {
                commands,
                models,
                spares,
            },
            Err(_) => {
                let worker = handover
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .take()
                    .expect("a thread that never started leaves the worker");
                Kind::Inline {
                    worker: Box::new(worker),
                    interval,
                    next: Instant::now(),
                    paused: false,
                    spare: None,
                }
            }
        };
        Source { kind }
    }

    /// Whether the worker runs on the screen's thread.
    pub fn inline(&self) -> bool {
        matches!(self.kind, Kind::Inline { .. })
    }

    pub fn command(&mut self, command: Command) {
        match &mut self.kind {
            Kind::Thread { commands, .. } => {
                // A worker that is gone shows up in `next_model`.
                let _ = commands.send(command);
            }
            Kind::Inline {
                worker,
                next,
                paused,
                ..
            } => match command {
                Command::Filter(filter) => {
                    worker.set_filter(filter);
                    *next = Instant::now();
                }
                Command::Pause(pause) => {
                    *paused = pause;
                    *next = Instant::now();
                }
            },
        }
    }

    /// The newest model since the last call, if any; inline, the worker runs now if a sample
    /// is due.
    pub fn next_model(&mut self) -> Result<Option<Model>, Stopped> {
        match &mut self.kind {
            Kind::Thread { models, spares, .. } => {
                let mut newest = None;
                loop {
                    match models.try_recv() {
                        Ok(model) => {
                            if let Some(older) = newest.replace(model) {
                                let _ = spares.send(older);
                            }
                        }
                        Err(TryRecvError::Empty) => return Ok(newest),
                        Err(TryRecvError::Disconnected) if newest.is_some() => return Ok(newest),
                        Err(TryRecvError::Disconnected) => return Err(Stopped),
                    }
                }
            }
            Kind::Inline {
                worker,
                interval,
                next,
                paused,
                spare,
            } => {
                let now = Instant::now();
                if *paused || now < *next {
                    return Ok(None);
                }
                let mut model = spare.take().map(|m| *m).unwrap_or_default();
                worker.step(&mut model);
                *next = following(*next, *interval, Instant::now());
                Ok(Some(model))
            }
        }
    }

    /// Hands a model the screen no longer shows back for reuse.
    pub fn recycle(&mut self, model: Model) {
        match &mut self.kind {
            Kind::Thread { spares, .. } => {
                let _ = spares.send(model);
            }
            Kind::Inline { spare, .. } => *spare = Some(Box::new(model)),
        }
    }

    /// How long the screen may wait for a key before calling [`Source::next_model`] again.
    pub fn patience(&self) -> Duration {
        match &self.kind {
            Kind::Thread { .. } => LOOK_EVERY,
            Kind::Inline { paused: true, .. } => Duration::from_secs(1),
            Kind::Inline { next, .. } => next.saturating_duration_since(Instant::now()),
        }
    }
}

/// When the sample after one due at `due` (and finished at `finished`) is due: one interval
/// later, but never less than half an interval after a sample that ran long, so a slow
/// machine is not kept sampling without a break.
fn following(due: Instant, interval: Duration, finished: Instant) -> Instant {
    (due + interval).max(finished + interval / 2)
}

/// The sampler thread's ends of the channels to the screen.
struct SamplerEnds {
    /// What the screen asks for.
    commands: Receiver<Command>,
    /// Where the samples go.
    models: Sender<Model>,
    /// Models the screen is done with, for reuse.
    spares: Receiver<Model>,
}

/// The worker's thread: samples on schedule, obeys commands, and ends when the screen goes.
fn run(mut worker: Worker, interval: Duration, ends: &SamplerEnds) {
    let SamplerEnds {
        commands,
        models,
        spares,
    } = ends;
    let mut next = Instant::now();
    let mut paused = false;
    loop {
        let command = if paused {
            commands.recv().map_err(|_| RecvTimeoutError::Disconnected)
        } else {
            commands.recv_timeout(next.saturating_duration_since(Instant::now()))
        };
        match command {
            Ok(Command::Filter(filter)) => {
                worker.set_filter(filter);
                next = Instant::now();
            }
            Ok(Command::Pause(pause)) => {
                paused = pause;
                next = Instant::now();
            }
            Err(RecvTimeoutError::Timeout) => {
                let mut model = spares.try_recv().unwrap_or_default();
                worker.step(&mut model);
                if models.send(model).is_err() {
                    return;
                }
                next = following(next, interval, Instant::now());
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slow_sample_still_leaves_a_break() {
        let t0 = Instant::now();
        let second = Duration::from_secs(1);
        let on_time = following(t0, second, t0 + Duration::from_millis(200));
        assert_eq!(on_time, t0 + second);
        let late = following(t0, second, t0 + Duration::from_millis(1800));
        assert_eq!(late, t0 + Duration::from_millis(2300));
    }
}
