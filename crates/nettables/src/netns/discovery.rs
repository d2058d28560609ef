//! Every network namespace in use: the named ones, Docker's sandboxes and those of processes,
//! each once, with a label people know it by.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use super::Namespace;
use super::cgroup::Container;
use crate::{Error, Result};

/// Where discovery looks. [`Sources::default`] is the host's usual places.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sources {
    /// Directories of named namespaces, as `ip netns` makes them.
    pub named_dirs: Vec<PathBuf>,
    /// Docker's bind mounts of its sandboxes' namespaces.
    pub docker_dir: PathBuf,
    /// The kubelet's pod log directories, named `NAMESPACE_POD_UID`: they give pods' names.
    pub pods_dir: PathBuf,
}

impl Default for Sources {
    /// `/run/netns` and `/var/run/netns`, `/run/docker/netns`, `/var/log/pods`.
    fn default() -> Sources {
        Sources {
            named_dirs: vec![
                PathBuf::from(super::NAMED_DIR),
                PathBuf::from("/var/run/netns"),
            ],
            docker_dir: PathBuf::from("/run/docker/netns"),
            pods_dir: PathBuf::from(super::pods::PODS_DIR),
        }
    }
}

/// What a namespace's label comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LabelSource {
    /// Its name under a named-namespace directory (`ip netns`).
    Name,
    /// The container whose processes it holds: `docker 3f2a9c1b7e4d`, `k8s default/web-0`.
    Container,
    /// A Docker sandbox file with no process inside: `docker sandbox NAME`.
    DockerSandbox,
    /// Its oldest process, outside any container: `pid:PID (program)`.
    Process,
    /// The namespace the caller is in: `(current)`.
    Current,
}

/// One network namespace in use. It holds no descriptor: [`InUse::open`] opens it when it is
/// needed, so that any number of namespaces can be listed with few descriptors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InUse {
    pub(super) id: (u64, u64),
    pub(super) label: String,
    pub(super) source: LabelSource,
    pub(super) name: Option<String>,
    pub(super) container: Option<Container>,
    /// The named or sandbox file, if any.
    pub(super) file: Option<PathBuf>,
    /// Its processes, oldest first, with the oldest one's command name.
    pub(super) pids: Vec<u32>,
    pub(super) program: Option<String>,
}

impl InUse {
    /// The label: the name, the container, `pid:PID (program)`, or `(current)`.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// What the label comes from.
    pub fn label_source(&self) -> LabelSource {
        self.source
    }

    /// The namespace's identity (device and inode), as [`Namespace::id`] gives it.
    pub fn id(&self) -> (u64, u64) {
        self.id
    }

    /// Its name under a named-namespace directory, if it has one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The container whose processes it holds, if any.
    pub fn container(&self) -> Option<&Container> {
        self.container.as_ref()
    }

    /// Its oldest process (unknown for the current namespace, and for namespaces no visible
    /// process is in).
    pub fn oldest_pid(&self) -> Option<u32> {
        self.pids.first().copied()
    }

    /// Whether this is the caller's own namespace.
    pub fn is_current(&self) -> bool {
        self.source == LabelSource::Current
    }

    /// Opens the namespace: its file, or the namespace link of one of its processes. Each is
    /// checked to still be this namespace (a pid may have been reused). A namespace that has
    /// gone (deleted, its processes exited) gives [`Error::NotAvailable`]; one that may not be
    /// opened gives the first refusal.
    pub fn open(&self) -> Result<Namespace> {
        if self.is_current() {
            return Namespace::current();
        }
        let paths = self
            .file
            .iter()
            .cloned()
            .chain(self.pids.iter().map(|pid| process_link(*pid)));
        let mut refused = None;
        for path in paths {
            match Namespace::open(&path) {
                Ok(ns) if ns.id()? == self.id => return Ok(ns),
                Ok(_) => {}
                Err(e) if gone(&e) => {}
                Err(e) => {
                    refused.get_or_insert(e);
                }
            }
        }
        Err(refused.unwrap_or_else(|| Error::NotAvailable {
            what: self.label.clone().into(),
            source: io::Error::new(io::ErrorKind::NotFound, "the namespace has gone"),
        }))
    }

    /// The namespace of process `pid`, labelled by its container, or as `pid:PID (program)`.
    pub fn of_process(pid: u32, sources: &Sources) -> Result<InUse> {
        let id = Namespace::of_process(pid)?.id()?;
        let (_, program) = backend::process_start(pid).ok_or_else(|| Error::NotAvailable {
            what: format!("/proc/{pid}").into(),
            source: io::Error::new(io::ErrorKind::NotFound, "the process has gone"),
        })?;
        let own = own_container();
        let mut container = backend::process_cgroup(pid)
            .and_then(|text| Container::from_cgroup(&text))
            .filter(|c| Some(c) != own.as_ref());
        name_pods(container.iter_mut(), &sources.pods_dir);
        let (label, source) = match &container {
            Some(c) => (c.label(), LabelSource::Container),
            None => (
                super::label::process_label(pid, &program),
                LabelSource::Process,
            ),
        };
        Ok(InUse {
            id,
            label,
            source,
            name: None,
            container,
            file: None,
            pids: vec![pid],
            program: Some(program),
        })
    }

    /// The namespace's processes, oldest first (none for the current namespace).
    pub(crate) fn pids(&self) -> &[u32] {
        &self.pids
    }
}

/// The result of [`discover`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Discovery {
    pub(super) namespaces: Vec<InUse>,
    pub(super) unreadable: usize,
}

impl Discovery {
    /// Every namespace found, each once: named ones by name, then containers by label, Docker
    /// sandboxes, namespaces of other processes by pid, and the current namespace last.
    pub fn namespaces(&self) -> &[InUse] {
        &self.namespaces
    }

    /// How many processes could not be examined (other users' processes, without root):
    /// namespaces only they are in are missing.
    pub fn unreadable_processes(&self) -> usize {
        self.unreadable
    }
}

impl IntoIterator for Discovery {
    type Item = InUse;
    type IntoIter = std::vec::IntoIter<InUse>;
    fn into_iter(self) -> Self::IntoIter {
        self.namespaces.into_iter()
    }
}

/// Finds every network namespace in use: the named ones (`ip netns`), Docker's sandboxes, and
/// the namespace of every process (one `stat` of `/proc/PID/ns/net` each), deduplicated by
/// identity. Processes that exit meanwhile are skipped. Namespaces other than the caller's
/// are labelled from the cgroup path of their oldest processes; pods are named from
/// [`Sources::pods_dir`]. No namespace is opened.
///
/// Without the privilege to examine other users' processes, the namespaces only they are in
/// are missing; [`Discovery::unreadable_processes`] counts those processes.
pub fn discover(sources: &Sources) -> Result<Discovery> {
    let own = Path::new("/proc/thread-self/ns/net");
    let current = backend::file_id(own)?.ok_or_else(|| Error::NotAvailable {
        what: own.display().to_string().into(),
        source: io::Error::new(io::ErrorKind::InvalidData, "not a namespace file"),
    })?;
    let mut found = Found::default();
    for dir in &sources.named_dirs {
        for (name, path) in entries(dir, true)? {
            found.file(&path, current, |ns| {
                ns.name.get_or_insert(name.clone());
            });
        }
    }
    for (name, path) in entries(&sources.docker_dir, false)? {
        found.file(&path, current, |ns| {
            ns.sandbox.get_or_insert(name.clone());
        });
    }
    let pids = backend::pids()?;
    let mut unreadable = 0;
    for (pid, lookup) in pids
        .iter()
        .zip(parallel(&pids, |&pid| backend::process_namespace(pid)))
    {
        match lookup {
            Lookup::Found(id) if id != current => found.entry(id).pids.push(*pid),
            Lookup::Found(_) | Lookup::Gone => {}
            Lookup::Unreadable => unreadable += 1,
        }
    }
    let own = own_container();
    let mut namespaces: Vec<Building> = found.namespaces.into_iter().map(|(_, ns)| ns).collect();
    let examined = parallel(&namespaces, |ns| ns.examine(own.as_ref()));
    for (ns, examined) in namespaces.iter_mut().zip(examined) {
        ns.apply(examined);
    }
    if namespaces.iter().any(|ns| ns.pod_uid().is_some()) {
        name_pods(
            namespaces.iter_mut().filter_map(|ns| ns.container.as_mut()),
            &sources.pods_dir,
        );
    }
    let mut listed = super::label::assign(namespaces);
    listed.push(InUse {
        id: current,
        label: CURRENT.to_string(),
        source: LabelSource::Current,
        name: None,
        container: own,
        file: None,
        pids: Vec::new(),
        program: None,
    });
    Ok(Discovery {
        namespaces: listed,
        unreadable,
    })
}

/// The label of the caller's own namespace.
pub const CURRENT: &str = "(current)";

/// How many of a namespace's oldest processes have their cgroup read to find its container
/// (a container's first process is in its cgroup; a namespace outside containers costs this
/// many reads).
const CGROUP_TRIES: usize = 3;

/// A namespace while discovery learns about it.
#[derive(Default)]
pub(super) struct Building {
    pub(super) id: (u64, u64),
    pub(super) name: Option<String>,
    pub(super) sandbox: Option<String>,
    pub(super) file: Option<PathBuf>,
    pub(super) pids: Vec<u32>,
    /// Start time of the oldest process, to order namespaces that share a container.
    pub(super) oldest_start: u64,
    pub(super) program: Option<String>,
    pub(super) container: Option<Container>,
}

impl Building {
    /// Orders the processes by age, drops those that have exited, and reads the cgroups of the
    /// oldest until one is in a container. `own` is the caller's container: namespaces made
    /// inside it are not the container's own.
    fn examine(&self, own: Option<&Container>) -> Examined {
        let mut aged: Vec<(u64, u32, String)> = self
            .pids
            .iter()
            .filter_map(|&pid| backend::process_start(pid).map(|(start, comm)| (start, pid, comm)))
            .collect();
        aged.sort_unstable_by_key(|&(start, pid, _)| (start, pid));
        let pids: Vec<u32> = aged.iter().map(|&(_, pid, _)| pid).collect();
        let container = pids.iter().take(CGROUP_TRIES).find_map(|&pid| {
            backend::process_cgroup(pid)
                .and_then(|text| Container::from_cgroup(&text))
                .filter(|c| Some(c) != own)
        });
        let oldest = aged
            .into_iter()
            .next()
            .map(|(start, _, comm)| (start, comm));
        Examined {
            pids,
            oldest,
            container,
        }
    }

    fn apply(&mut self, examined: Examined) {
        self.pids = examined.pids;
        if let Some((start, comm)) = examined.oldest {
            self.oldest_start = start;
            self.program = Some(comm);
        }
        self.container = examined.container;
    }

    fn pod_uid(&self) -> Option<&str> {
        Some(self.container.as_ref()?.pod.as_ref()?.uid.as_str())
    }

    /// The label when no container names the namespace.
    pub(super) fn plain_label(&self) -> (String, LabelSource) {
        if let Some(name) = &self.name {
            (name.clone(), LabelSource::Name)
        } else if let Some(pid) = self.pids.first() {
            let program = self.program.as_deref().unwrap_or("?");
            (
                super::label::process_label(*pid, program),
                LabelSource::Process,
            )
        } else {
            let sandbox = self.sandbox.as_deref().unwrap_or("?");
            (
                format!("docker sandbox {sandbox}"),
                LabelSource::DockerSandbox,
            )
        }
    }
}

/// What [`Building::examine`] learns.
struct Examined {
    pids: Vec<u32>,
    oldest: Option<(u64, String)>,
    container: Option<Container>,
}

/// `f` of every item, in order, on up to one thread per core (discovery is path look-ups in
/// /proc, which the kernel does in parallel). A thread that cannot be started (a pids limit)
/// leaves its share to the calling thread. Every thread has ended when this returns.
fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    const MIN_SHARE: usize = 128;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().div_ceil(MIN_SHARE))
        .max(1);
    let mut shares = items.chunks(items.len().div_ceil(threads).max(1));
    let mine = shares.next().unwrap_or_default();
    std::thread::scope(|scope| {
        let f = &f;
        let others: Vec<_> = shares
            .map(|share| {
                let spawned = std::thread::Builder::new()
                    .spawn_scoped(scope, move || share.iter().map(f).collect::<Vec<R>>());
                (share, spawned)
            })
            .collect();
        let mut out: Vec<R> = mine.iter().map(f).collect();
        for (share, spawned) in others {
            match spawned {
                Ok(thread) => match thread.join() {
                    Ok(results) => out.extend(results),
                    Err(panic) => std::panic::resume_unwind(panic),
                },
                Err(_) => out.extend(share.iter().map(f)),
            }
        }
        out
    })
}

/// Namespaces by identity, in the order first seen.
#[derive(Default)]
struct Found {
    index: HashMap<(u64, u64), usize>,
    namespaces: Vec<((u64, u64), Building)>,
}

impl Found {
    fn entry(&mut self, id: (u64, u64)) -> &mut Building {
        let next = self.namespaces.len();
        let at = *self.index.entry(id).or_insert(next);
        if at == next {
            self.namespaces.push((
                id,
                Building {
                    id,
                    ..Building::default()
                },
            ));
        }
        &mut self.namespaces[at].1
    }

    /// A namespace file (named or Docker's); anything else there, or a file that vanished,
    /// is passed over. The caller's own namespace is listed as the current one.
    fn file(&mut self, path: &Path, current: (u64, u64), note: impl FnOnce(&mut Building)) {
        let Ok(Some(id)) = backend::file_id(path) else {
            return;
        };
        if id == current {
            return;
        }
        let ns = self.entry(id);
        ns.file.get_or_insert_with(|| path.to_path_buf());
        note(ns);
    }
}

/// The entries of a directory, sorted by name; none when it does not exist. `strict` makes
/// other errors (a /run/netns that cannot be read) errors.
fn entries(dir: &Path, strict: bool) -> Result<Vec<(String, PathBuf)>> {
    let read = match std::fs::read_dir(dir) {
        Ok(read) => read,
        Err(e) if e.kind() == io::ErrorKind::NotFound || !strict => return Ok(Vec::new()),
        Err(e) => return Err(Error::open(dir.display().to_string(), e)),
    };
    let mut entries: Vec<(String, PathBuf)> = read
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    entries.sort();
    Ok(entries)
}

/// Fills in pods' names from the pod log directories.
fn name_pods<'a>(containers: impl Iterator<Item = &'a mut Container>, dir: &Path) {
    let mut names = None;
    for container in containers {
        let Some(pod) = container.pod.as_mut() else {
            continue;
        };
        let names = names.get_or_insert_with(|| super::pods::pod_names(dir));
        pod.name = names.get(&pod.uid).cloned();
    }
}

/// The container the caller runs in, if any.
fn own_container() -> Option<Container> {
    backend::process_cgroup(std::process::id()).and_then(|text| Container::from_cgroup(&text))
}

fn process_link(pid: u32) -> PathBuf {
    PathBuf::from(format!("/proc/{pid}/ns/net"))
}

/// Whether an error opening a namespace means it is no longer there.
fn gone(e: &Error) -> bool {
    e.is_not_available() || e.os_error().and_then(io::Error::raw_os_error) == Some(libc::ESRCH)
}

use crate::sys::imp::netns_lookup::{self as backend, Lookup};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_lists_the_current_namespace_last_and_once() {
        let found = discover(&Sources {
            named_dirs: vec![PathBuf::from("/nonexistent/nettables")],
            docker_dir: PathBuf::from("/nonexistent/nettables"),
            pods_dir: PathBuf::from("/nonexistent/nettables"),
        })
        .expect("discovery");
        let last = found.namespaces().last().expect("the current namespace");
        assert!(last.is_current());
        assert_eq!(last.label(), CURRENT);
        let own = Namespace::current().unwrap().id().unwrap();
        assert_eq!(last.id(), own);
        let ids: std::collections::HashSet<_> = found.namespaces().iter().map(|n| n.id()).collect();
        assert_eq!(ids.len(), found.namespaces().len(), "each namespace once");
        assert_eq!(last.open().unwrap().id().unwrap(), own);
    }

    #[test]
    fn parallel_work_keeps_the_order() {
        for n in [0, 1, 127, 128, 129, 1000] {
            let items: Vec<usize> = (0..n).collect();
            let doubled: Vec<usize> = items.iter().map(|x| x * 2).collect();
            assert_eq!(parallel(&items, |x| x * 2), doubled, "{n}");
        }
    }

    #[test]
    fn a_vanished_namespace_is_not_found() {
        let ns = InUse {
            id: (1, 1),
            label: "x".into(),
            source: LabelSource::Process,
            name: None,
            container: None,
            file: Some(PathBuf::from("/nonexistent/nettables/ns")),
            pids: vec![u32::MAX],
            program: None,
        };
        assert!(ns.open().unwrap_err().is_not_available());
        // A live namespace under the wrong identity (a reused pid) is not it either.
        let reused = InUse {
            pids: vec![std::process::id()],
            file: None,
            ..ns
        };
        assert!(reused.open().unwrap_err().is_not_available());
    }

    /// Root and iproute2, or a loud skip (a failure under `CI=true`).
    fn can_make_namespaces() -> bool {
        let root = rustix::process::geteuid().is_root();
        let ip = std::process::Command::new("ip").arg("-V").output().is_ok();
        if root && ip {
            return true;
        }
        let message = "SKIPPED: needs root and iproute2 (ip)";
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{message} (a skip fails under CI=true)"
        );
        eprintln!("{message}");
        false
    }

    #[test]
    #[ignore = "needs root"]
    fn a_namespace_deleted_after_discovery_is_gone() {
        if !can_make_namespaces() {
            return;
        }
        let name = format!("nettables-gone-{}", std::process::id());
        let ip = |verb: &str| {
            std::process::Command::new("ip")
                .args(["netns", verb, &name])
                .status()
                .expect("ip netns")
        };
        assert!(ip("add").success());
        let found = discover(&Sources::default()).expect("discovery");
        let ns = found
            .namespaces()
            .iter()
            .find(|n| n.name() == Some(name.as_str()))
            .expect("the new namespace is found");
        assert_eq!(ns.label(), name);
        assert_eq!(ns.label_source(), LabelSource::Name);
        let opened = ns.open().expect("it can be opened").id().unwrap();
        assert_eq!(opened, ns.id());
        assert!(ip("del").success());
        assert!(ns.open().unwrap_err().is_not_available());
    }
}
