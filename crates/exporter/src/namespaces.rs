//! One collector thread per network namespace.
//!
//! `setns` moves one thread, and every read of the library follows the calling thread (netlink
//! sockets are made in its namespace, `/proc/net` files are read through
//! `/proc/thread-self/net`). So each exported namespace gets a dedicated OS thread that enters it
//! once, keeps its own [`SocketReader`] (its netlink socket belongs to that namespace), and
//! answers scrape requests over a channel. The async runtime never changes namespace.

use std::sync::mpsc;

use nettables::SocketReader;
use nettables::netns::{self, InUse, Namespace};
use tokio::sync::oneshot;

use crate::collect::{self, Collector, Outcome, Request};

/// A namespace as the metrics and the log name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// For the log: the namespace's label, as `netstat --all-netns` prints it.
    pub name: String,
    /// Put in front of every series of the namespace (none without `--all-netns`).
    pub labels: Vec<(&'static str, String)>,
}

impl Target {
    /// The exporter's own namespace, or the one `--netns` chose: no labels.
    pub fn unlabelled(name: &str) -> Target {
        Target {
            name: name.to_string(),
            labels: Vec::new(),
        }
    }

    /// A namespace of `--all-netns`: `netns` is its label as netstat prints it (`blue`,
    /// `docker 3f2a9c1b7e4d`, `k8s default/web-0`, `pid:4242 (nginx)`, `(current)`); for a
    /// container, `container` is `RUNTIME://ID` (Kubernetes' notation for container ids) and
    /// for a Kubernetes pod `pod` is `NAMESPACE/NAME` (or its UID when the node does not say).
    pub fn of(ns: &InUse) -> Target {
        let mut labels = vec![("netns", ns.label().to_string())];
        if let Some(container) = ns.container() {
            labels.push((
                "container",
                format!("{}://{}", container.runtime.name(), container.id),
            ));
            if let Some(pod) = &container.pod {
                let name = match &pod.name {
                    Some(name) => format!("{}/{}", name.namespace, name.name),
                    None => pod.uid.clone(),
                };
                labels.push(("pod", name));
            }
        }
        Target {
            name: ns.label().to_string(),
            labels,
        }
    }

    /// Where failures that concern no namespace in particular are reported.
    pub fn current_of_all() -> Target {
        Target {
            name: netns::CURRENT.to_string(),
            labels: vec![("netns", netns::CURRENT.to_string())],
        }
    }
}

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
            audit: None,
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let outcome = runtime.block_on(worker.submit(request).outcome());
        assert_eq!(outcome.success, vec![(Collector::Network, true)]);
    }
}
