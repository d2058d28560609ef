//! Network namespaces: open one by name (`/run/netns/NAME`, as `ip netns` names them) or by
//! process, step into it, and step back.
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

use std::os::fd::OwnedFd;

use crate::{Error, Result};

/// Where `ip netns` keeps its named namespaces.
pub const NAMED_DIR: &str = "/run/netns";

/// An open handle on a network namespace. The namespace lives at least as long as the handle.
#[derive(Debug)]
pub struct Namespace {
    fd: OwnedFd,
}

impl Namespace {
    /// The namespace `ip netns add NAME` made. Names with `/`, and `.` and `..`, are refused
    /// as `ip netns` refuses them (they would name other files): [`Error::InvalidName`]. A name
    /// nobody made, or a file that is not (yet) a namespace, gives [`Error::NotAvailable`].
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
        Namespace::open(format!("{NAMED_DIR}/{name}"))
    }

    /// The network namespace of process `pid` (a container's, for example).
    pub fn of_process(pid: u32) -> Result<Namespace> {
        Namespace::open(format!("/proc/{pid}/ns/net"))
    }

    /// The namespace the calling thread is in now.
    pub fn current() -> Result<Namespace> {
        Namespace::open("/proc/thread-self/ns/net".to_string())
    }

    fn open(path: String) -> Result<Namespace> {
        #[cfg(target_os = "linux")]
        {
            crate::linux::netns::open(path).map(|fd| Namespace { fd })
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = path;
            Err(Error::unsupported("network namespaces"))
        }
    }

    /// Moves the calling thread into this namespace. Threads started afterwards inherit it.
    pub fn enter(&self) -> Result<()> {
        #[cfg(target_os = "linux")]
        {
            crate::linux::netns::enter(&self.fd)
        }
        #[cfg(not(target_os = "linux"))]
        {
            Err(Error::unsupported("network namespaces"))
        }
    }

    /// An identity (device and inode of the namespace file): two handles on the same namespace
    /// have the same one.
    pub fn id(&self) -> Result<(u64, u64)> {
        #[cfg(target_os = "linux")]
        {
            crate::linux::netns::id(&self.fd)
        }
        #[cfg(not(target_os = "linux"))]
        {
            Err(Error::unsupported("network namespaces"))
        }
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
pub fn bind_etc(name: &str) -> Result<()> {
    let dir = std::path::Path::new(ETC_DIR).join(name);
    #[cfg(target_os = "linux")]
    {
        crate::linux::netns::bind_etc(&dir)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = dir;
        Err(Error::unsupported("network namespaces"))
    }
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
        let err = Namespace::open("/proc/self/status".into()).expect_err("a plain file");
        assert!(err.is_not_available(), "{err}");
    }

    #[test]
    fn the_current_namespace_is_itself() {
        let a = Namespace::current().expect("own namespace");
        let b = Namespace::of_process(std::process::id()).expect("own process");
        assert_eq!(a.id().expect("id"), b.id().expect("id"));
    }
}
