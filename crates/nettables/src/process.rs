//! Which process owns each socket: one scan of `/proc/<pid>/fd`, then constant-time look-ups.

use std::io;

use rustc_hash::FxHashMap;

/// A process that holds at least one socket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    pub pid: u32,
    /// The first NUL-terminated string of `/proc/<pid>/cmdline` (at most 511 bytes); empty for
    /// kernel threads and zombies.
    pub argv0: Box<[u8]>,
}

/// Socket inode → owning process, built by one pass over `/proc`.
///
/// When several processes hold the same socket, the first one met in `/proc` order wins.
///
/// ```no_run
/// let owners = nettables::process::OwnerMap::scan()?;
/// if let Some(owner) = owners.get(1028034) {
///     println!("pid {}", owner.pid);
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct OwnerMap {
    pub(crate) by_inode: FxHashMap<u64, u32>,
    pub(crate) owners: Vec<Owner>,
    /// Whether some process's file descriptors could not be read (not root).
    pub access_denied: bool,
}

impl OwnerMap {
    /// Scans every process. Fails only when `/proc` itself cannot be read.
    pub fn scan() -> io::Result<OwnerMap> {
        #[cfg(target_os = "linux")]
        {
            crate::linux::process::scan()
        }
        #[cfg(not(target_os = "linux"))]
        {
            Err(io::Error::new(io::ErrorKind::Unsupported, "no process table on this platform"))
        }
    }

    /// The owner of the socket with this inode.
    pub fn get(&self, inode: u64) -> Option<&Owner> {
        let index = *self.by_inode.get(&inode)?;
        self.owners.get(index as usize)
    }

    /// Number of sockets with a known owner.
    pub fn len(&self) -> usize {
        self.by_inode.len()
    }

    /// Whether no socket owner was found.
    pub fn is_empty(&self) -> bool {
        self.by_inode.is_empty()
    }
}
