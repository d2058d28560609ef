//! Network namespaces: find every one in use and name it the way its owner knows it, open one
//! by name (`/run/netns/NAME`, as `ip netns` names them), by container or by process, step into
//! it, and step back.
//!
//! Every collector of this crate reads the namespace of the calling thread: netlink and ioctl
//! sockets belong to the namespace of the thread that created them, and `/proc/net` files are
//! read through `/proc/thread-self/net`. A namespace is entered per thread, so a program can
//! watch several at once with one thread in each; a reader ([`crate::SocketReader`]) keeps the
//! netlink socket it opened first, so create it after entering. Threads started afterwards
//! inherit the namespace.
//!
//! Entering a namespace needs `CAP_SYS_ADMIN`; without it [`Namespace::enter`] fails with
//! [`Error::System`] holding `EPERM`.
//!
//! ```no_run
//! use nettables::netns::{Namespace, Visit};
//!
//! let target = Namespace::named("blue")?;
//! let visit = Visit::enter(&target)?;          // now in "blue"
//! let listing = nettables::iface::list()?;      // blue's interfaces
//! visit.leave()?;                               // back where we started
//! # let _ = listing;
//! # Ok::<(), nettables::Error>(())
//! ```
//!
//! # Every namespace in use
//!
//! [`discover`] finds the named namespaces, Docker's sandboxes and the namespace of every
//! process, each once, and labels them: a name, a container (`docker 3f2a9c1b7e4d`,
//! `k8s default/web-0`, from the processes' cgroup paths, see [`Container`]), or
//! `pid:PID (program)`; the caller's own namespace comes last as `(current)`. Discovery holds no
//! descriptor: [`InUse::open`] opens a namespace when it is visited, so any number of them can
//! be walked with a handful of descriptors. A namespace that has gone since discovery gives
//! [`Error::NotAvailable`]: skip it.
//!
//! ```no_run
//! use nettables::inet::{Family, InetQuery, Protocol, StateMask};
//! use nettables::netns::{Sources, Visit, discover};
//! use nettables::SocketReader;
//!
//! let found = discover(&Sources::default())?;
//! for ns in found.namespaces() {
//!     let container = ns.container().map(|c| (c.runtime.name(), c.id.as_str()));
//!     let handle = match ns.open() {
//!         Ok(handle) => handle,
//!         Err(e) => {
//!             eprintln!("{}: {e}", ns.label()); // gone, or not ours to enter
//!             continue;
//!         }
//!     };
//!     let visit = Visit::enter(&handle)?;
//!     drop(handle); // entered: the descriptor is no longer needed
//!     // Made inside, so its netlink socket belongs to this namespace.
//!     let mut reader = SocketReader::new();
//!     let query = InetQuery::new(Protocol::Tcp, Family::Inet).states(StateMask::LISTEN);
//!     let mut listeners = 0;
//!     reader.for_each_inet(&query, |_| {
//!         listeners += 1;
//!         Ok::<(), std::convert::Infallible>(())
//!     })?;
//!     drop(reader);
//!     visit.leave()?;
//!     println!("{} {container:?}: {listeners} TCP listeners", ns.label());
//! }
//! # Ok::<(), nettables::Error>(())
//! ```
//!
//! [`Selector`] reads what people type to name one namespace (`pid:PID`, `k8s:NS/POD`,
//! `docker:ID`, an id prefix, a label) and [`Discovery::select`] finds it.

mod cgroup;
mod discovery;
mod label;
mod pods;

pub use cgroup::{Container, Pod, PodName, Runtime};
pub use discovery::{CURRENT, Discovery, InUse, LabelSource, Sources, discover};
pub use label::{BadSelector, MIN_PREFIX, SelectError, Selector};
pub use pods::PODS_DIR;

use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// Where `ip netns` keeps its named namespaces.
pub const NAMED_DIR: &str = "/run/netns";

/// An open handle on a network namespace. The namespace lives at least as long as the handle.
#[derive(Debug)]
pub struct Namespace {
    fd: crate::sys::imp::Namespace,
}

impl Namespace {
    /// The namespace `ip netns add NAME` made. Names with `/`, and `.` and `..`, are refused
    /// as `ip netns` refuses them (they would name other files): [`Error::InvalidName`]. A name
    /// nobody made, or a file that is not (yet) a namespace (a FIFO, say: it is never opened
    /// for reading), gives [`Error::NotAvailable`].
    pub fn named(name: &str) -> Result<Namespace> {
        if name.is_empty()
            || name == "."
            || name == ".."
            || name.contains('/')
            || name.contains('\0')
        {
            return Err(Error::InvalidName {
                kind: "namespace",
                name: name.to_string(),
            });
        }
        Namespace::open(&Path::new(NAMED_DIR).join(name))
    }

    /// The network namespace of process `pid` (a container's, for example).
    pub fn of_process(pid: u32) -> Result<Namespace> {
        Namespace::open(Path::new(&format!("/proc/{pid}/ns/net")))
    }

    /// The namespace the calling thread is in now.
    pub fn current() -> Result<Namespace> {
        Namespace::open(Path::new("/proc/thread-self/ns/net"))
    }

    /// Opens a namespace file. Nothing else is opened: a FIFO or device there gives
    /// [`Error::NotAvailable`] without blocking or touching it.
    fn open(path: &Path) -> Result<Namespace> {
        crate::sys::imp::open_namespace(path).map(|fd| Namespace { fd })
    }

    /// Moves the calling thread into this namespace. Threads started afterwards inherit it.
    pub fn enter(&self) -> Result<()> {
        crate::sys::imp::enter_namespace(&self.fd)
    }

    /// An identity (device and inode of the namespace file): two handles on the same namespace
    /// have the same one.
    pub fn id(&self) -> Result<(u64, u64)> {
        crate::sys::imp::namespace_id(&self.fd)
    }
}

/// A stay in another namespace: [`Visit::leave`] (or dropping it) returns the calling thread
/// to the namespace it was in before.
#[derive(Debug)]
pub struct Visit {
    home: Option<Namespace>,
}

impl Visit {
    /// Saves the current namespace, then enters `target`.
    pub fn enter(target: &Namespace) -> Result<Visit> {
        let home = Namespace::current()?;
        target.enter()?;
        Ok(Visit { home: Some(home) })
    }

    /// Returns to the saved namespace, reporting a failure (which leaves the thread where it is).
    pub fn leave(mut self) -> Result<()> {
        match self.home.take() {
            Some(home) => home.enter(),
            None => Ok(()),
        }
    }
}

impl Drop for Visit {
    fn drop(&mut self) {
        if let Some(home) = self.home.take() {
            // Best effort: an error can only be reported through `leave`.
            let _ = home.enter();
        }
    }
}

/// The names under [`NAMED_DIR`], sorted; none when the directory does not exist.
pub fn named() -> Result<Vec<String>> {
    let entries = match std::fs::read_dir(NAMED_DIR) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::open(NAMED_DIR, e)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::read(NAMED_DIR, e))?;
        // Names that are not UTF-8 cannot be given back to `--netns` on most terminals; they
        // are still listed, lossily, so that nothing is hidden.
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(names)
}

/// Where `ip netns` keeps a named namespace's own `/etc` files.
pub const ETC_DIR: &str = "/etc/netns";

/// Makes the files in `/etc/netns/NAME/` stand in for those in `/etc/`, as `ip netns exec` does,
/// so that host names, services and users come from the namespace's own `hosts`,
/// `nsswitch.conf`, `resolv.conf` ... Moves the calling process into a private mount namespace
/// first, so nothing outside it changes; does nothing when the directory does not exist. Like
/// `ip netns exec`, a file that cannot be bound is skipped. Call it before any thread starts
/// (a multi-threaded process cannot leave its mount namespace).
///
/// Only regular files of at most 16 MiB are used, never `/proc` or `/sys` files: a FIFO, a
/// device or an endless file there would hang or flood every name look-up. The others are
/// returned, unread, with the reason.
pub fn bind_etc(name: &str) -> Result<Vec<Refused>> {
    let dir = Path::new(ETC_DIR).join(name);
    crate::sys::imp::bind_etc(&dir)
}

/// A file of `/etc/netns/NAME/` that [`bind_etc`] left out, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Refused {
    /// The file.
    pub path: PathBuf,
    /// Why it was left out: "not a regular file", "larger than 16 MiB", ...
    pub reason: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_escape_the_directory_are_refused() {
        for name in ["", ".", "..", "a/b", "../../proc/1/ns/net", "a\0b"] {
            let err = Namespace::named(name).expect_err(name);
            assert!(matches!(err, Error::InvalidName { .. }), "{name:?}");
        }
    }

    #[test]
    fn missing_names_and_processes_are_not_found() {
        let err = Namespace::named("nettables-no-such-namespace").expect_err("absent");
        assert!(err.is_not_available(), "{err}");
        let err = Namespace::of_process(u32::MAX).expect_err("absent");
        assert!(err.is_not_available(), "{err}");
    }

    #[test]
    fn ordinary_files_are_not_namespaces() {
        let err = Namespace::open(Path::new("/proc/self/status")).expect_err("a plain file");
        assert!(err.is_not_available(), "{err}");
    }

    #[test]
    fn the_current_namespace_is_itself() {
        let a = Namespace::current().expect("own namespace");
        let b = Namespace::of_process(std::process::id()).expect("own process");
        assert_eq!(a.id().expect("id"), b.id().expect("id"));
    }
}
