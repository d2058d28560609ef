//! One collector thread per network namespace.
//!
//! `setns` moves one thread, and every read of the library follows the calling thread (netlink
//! sockets are made in its namespace, `/proc/net` files are read through
//! `/proc/thread-self/net`). So each exported namespace gets a dedicated OS thread that enters it
//! once, keeps its own [`SocketReader`] (its netlink socket belongs to that namespace), and
//! answers scrape requests over a channel. The async runtime never changes namespace.

use std::sync::mpsc;

use nettables::SocketReader;
use nettables::netns::Namespace;
use tokio::sync::oneshot;

use crate::collect::{self, Collector, Outcome, Request};

/// The `netns` label of the exporter's own namespace with `--all-netns` (as `netstat
/// --all-netns` names it).
pub const OWN_LABEL: &str = "(current)";

struct Job {
    request: Request,
    reply: oneshot::Sender<Outcome>,
}

/// A running collector thread. Dropping it ends the thread after its current job.
pub struct Worker {
    jobs: mpsc::Sender<Job>,
    /// The namespace's identity, to notice a name that now means another namespace.
    pub id: (u64, u64),
}

impl Worker {
    /// Starts a thread in `namespace` (`None`: the exporter's own) and waits until it is in.
    pub fn start(label: &str, namespace: Option<Namespace>) -> Result<Worker, String> {
        let id = match &namespace {
            Some(ns) => ns.id(),
            None => Namespace::current().and_then(|ns| ns.id()),
        }
        .map_err(|e| e.to_string())?;
        let (jobs, incoming) = mpsc::channel::<Job>();
        let (entered_tx, entered_rx) = mpsc::channel::<nettables::Result<()>>();
        std::thread::Builder::new()
            .name(format!("netns {label}"))
            .spawn(move || {
                let entered = namespace.as_ref().map_or(Ok(()), Namespace::enter);
                let ok = entered.is_ok();
                let _ = entered_tx.send(entered);
                if !ok {
                    return;
                }
                drop(namespace);
                // Made after entering, so its netlink socket belongs to the namespace.
                let mut reader = SocketReader::new();
                for job in incoming {
                    let outcome = collect::run(&mut reader, &job.request);
                    let _ = job.reply.send(outcome);
                }
            })
            .map_err(|e| format!("cannot start a thread: {e}"))?;
        match entered_rx.recv() {
            Ok(Ok(())) => Ok(Worker { jobs, id }),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err("the namespace thread ended early".to_string()),
        }
    }

    /// Hands one scrape to the thread; it starts at once, the answer comes with
    /// [`Pending::outcome`].
    pub fn submit(&self, request: Request) -> Pending {
        let collectors = request.collectors.clone();
        let (reply, answer) = oneshot::channel();
        let answer = self.jobs.send(Job { request, reply }).ok().map(|()| answer);
        Pending { collectors, answer }
    }
}

/// A scrape handed to a namespace thread.
pub struct Pending {
    collectors: Vec<Collector>,
    answer: Option<oneshot::Receiver<Outcome>>,
}

impl Pending {
    /// The thread's answer; every collector fails if the thread is gone.
    pub async fn outcome(self) -> Outcome {
        let gone = || Outcome::failed(&self.collectors, "the namespace thread has ended");
        match self.answer {
            Some(answer) => answer.await.unwrap_or_else(|_| gone()),
            None => gone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_own_namespace_answers() {
        let worker = Worker::start("test", None).expect("worker");
        let request = Request {
            collectors: vec![Collector::Network],
            programs_top_k: 1,
            remotes_top_k: 1,
            owners: None,
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let outcome = runtime.block_on(worker.submit(request).outcome());
        assert_eq!(outcome.success, vec![(Collector::Network, true)]);
    }
}
