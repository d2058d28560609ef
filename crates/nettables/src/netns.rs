//! Network namespaces: open one by name (`/run/netns/NAME`, as `ip netns` names them) or by
//! process, step into it, and step back.
//!
//! Every collector of this crate reads the namespace of the calling thread: netlink sockets and
//! ioctl sockets belong to the namespace they were created in, and `/proc/net` shows the
//! namespace of the main thread. So enter a namespace on the main thread, *before* starting any
//! thread or creating any reader, and return before entering the next one.
//!
//! Entering a namespace needs `CAP_SYS_ADMIN`; without it [`Namespace::enter`] fails with
//! [`std::io::ErrorKind::PermissionDenied`].
//!
//! ```no_run
//! use nettables::netns::{Namespace, Visit};
//!
//! let target = Namespace::named("blue")?;
//! let visit = Visit::enter(&target)?;          // now in "blue"
//! let listing = nettables::iface::list()?;      // blue's interfaces
//! visit.leave()?;                               // back where we started
//! # let _ = listing;
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io;
use std::os::fd::OwnedFd;

/// Where `ip netns` keeps its named namespaces.
pub const NAMED_DIR: &str = "/run/netns";

/// An open handle on a network namespace. The namespace lives at least as long as the handle.
#[derive(Debug)]
pub struct Namespace {
    fd: OwnedFd,
}

impl Namespace {
    /// The namespace `ip netns add NAME` made. Names with `/`, and `.` and `..`, are refused
    /// as `ip netns` refuses them (they would name other files). A file that is not (yet) a
    /// namespace gives [`io::ErrorKind::InvalidData`].
    pub fn named(name: &str) -> io::Result<Namespace> {
        if name.is_empty()
            || name == "."
            || name == ".."
            || name.contains('/')
            || name.contains('\0')
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "invalid namespace name",
            ));
        }
        Namespace::open(&format!("{NAMED_DIR}/{name}"))
    }

    /// The network namespace of process `pid` (a container's, for example).
    pub fn of_process(pid: u32) -> io::Result<Namespace> {
        Namespace::open(&format!("/proc/{pid}/ns/net"))
    }

    /// The namespace the calling thread is in now.
    pub fn current() -> io::Result<Namespace> {
        Namespace::open("/proc/thread-self/ns/net")
    }

    fn open(path: &str) -> io::Result<Namespace> {
        #[cfg(target_os = "linux")]
        {
            crate::linux::netns::open(path).map(|fd| Namespace { fd })
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = path;
            Err(unsupported())
        }
    }

    /// Moves the calling thread into this namespace. Threads started afterwards inherit it.
    pub fn enter(&self) -> io::Result<()> {
        #[cfg(target_os = "linux")]
        {
            crate::linux::netns::enter(&self.fd)
        }
        #[cfg(not(target_os = "linux"))]
        {
            Err(unsupported())
        }
    }

    /// An identity (device and inode of the namespace file): two handles on the same namespace
    /// have the same one.
    pub fn id(&self) -> io::Result<(u64, u64)> {
        #[cfg(target_os = "linux")]
        {
            crate::linux::netns::id(&self.fd)
        }
        #[cfg(not(target_os = "linux"))]
        {
            Err(unsupported())
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
    pub fn enter(target: &Namespace) -> io::Result<Visit> {
        let home = Namespace::current()?;
        target.enter()?;
        Ok(Visit { home: Some(home) })
    }

    /// Returns to the saved namespace, reporting a failure (which leaves the thread where it is).
    pub fn leave(mut self) -> io::Result<()> {
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
pub fn named() -> io::Result<Vec<String>> {
    let entries = match std::fs::read_dir(NAMED_DIR) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut names = Vec::new();
    for entry in entries {
        // Names that are not UTF-8 cannot be given back to `--netns` on most terminals; they
        // are still listed, lossily, so that nothing is hidden.
        names.push(entry?.file_name().to_string_lossy().into_owned());
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
pub fn bind_etc(name: &str) -> io::Result<()> {
    let dir = std::path::Path::new(ETC_DIR).join(name);
    #[cfg(target_os = "linux")]
    {
        crate::linux::netns::bind_etc(&dir)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = dir;
        Err(unsupported())
    }
}

#[cfg(not(target_os = "linux"))]
fn unsupported() -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        "network namespaces are Linux-only",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_escape_the_directory_are_refused() {
        for name in ["", ".", "..", "a/b", "../../proc/1/ns/net", "a\0b"] {
            let err = Namespace::named(name).expect_err(name);
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{name:?}");
        }
    }

    #[test]
    fn missing_names_and_processes_are_not_found() {
        let err = Namespace::named("nettables-no-such-namespace").expect_err("absent");
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        let err = Namespace::of_process(u32::MAX).expect_err("absent");
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn ordinary_files_are_not_namespaces() {
        let err = Namespace::open("/proc/self/status").expect_err("a plain file");
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn the_current_namespace_is_itself() {
        let a = Namespace::current().expect("own namespace");
        let b = Namespace::of_process(std::process::id()).expect("own process");
        assert_eq!(a.id().expect("id"), b.id().expect("id"));
    }
}
