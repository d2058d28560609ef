//! Which process owns each socket: one scan of `/proc/<pid>/fd`, then constant-time look-ups.

use rustc_hash::FxHashMap;

use crate::Result;

/// A process that holds at least one socket.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Owner {
    /// Process id.
    pub pid: u32,
    /// The first NUL-terminated string of `/proc/<pid>/cmdline` (at most 511 bytes); empty for
    /// kernel threads and zombies.
    pub argv0: Box<[u8]>,
}

impl Owner {
    /// Process `pid` whose command line starts with `argv0`.
    pub fn new(pid: u32, argv0: &[u8]) -> Owner {
        Owner {
            pid,
            argv0: argv0.into(),
        }
    }

    /// The program name netstat shows for the process: `argv0`, reduced to its last path
    /// component when it is an absolute path (net-tools' rule; a daemon that rewrites its command
    /// line, such as `sshd: user@pts/0`, keeps its text). Raw bytes: they may hold control
    /// characters.
    ///
    /// ```
    /// use nettables::process::Owner;
    /// let owner = Owner::new(1, b"/usr/sbin/sshd");
    /// assert_eq!(owner.program(), b"sshd");
    /// ```
    pub fn program(&self) -> &[u8] {
        let argv0 = &self.argv0[..];
        match argv0.first() {
            Some(b'/') => argv0.rsplit(|&b| b == b'/').next().unwrap_or(argv0),
            _ => argv0,
        }
    }
}

/// One socket descriptor of a process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HeldSocket {
    /// The descriptor number (`/proc/<pid>/fd/<fd>`).
    pub fd: u32,
    /// The socket's inode, as [`crate::inet::InetSocket::inode`] and the Unix records give it.
    pub inode: u64,
}

/// A process and every socket descriptor it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SocketHolder {
    /// Process id.
    pub pid: u32,
    /// Effective user id (`Uid:` in `/proc/<pid>/status`); `None` if it could not be read.
    pub uid: Option<u32>,
    /// The whole command line (up to 4096 bytes), arguments joined by spaces. Raw bytes: they
    /// may hold control characters. Empty for kernel threads and zombies.
    pub cmdline: Box<[u8]>,
    /// Socket descriptors in fd order. A socket shared by several descriptors or processes
    /// appears under each.
    pub sockets: Vec<HeldSocket>,
}

impl SocketHolder {
    /// One process's socket descriptors, user and command line, as [`SocketHolders::scan`]
    /// reads them for every process; `None` when it has exited or holds no socket. Reading
    /// another user's process needs root (an [`crate::Error::Open`] otherwise).
    pub fn of_process(pid: u32) -> Result<Option<SocketHolder>> {
        #[cfg(target_os = "linux")]
        {
            crate::linux::process::scan_holder(pid)
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = pid;
            Err(crate::Error::unsupported("/proc"))
        }
    }
}

/// Every process that holds a socket, with descriptor numbers: what `lsof -i` groups by.
///
/// Costs a little more than [`OwnerMap::scan`] (it also reads each holder's `status` and whole
/// command line), so `-p` keeps using the map.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SocketHolders {
    /// Holders in `/proc` order (ascending pid).
    pub processes: Vec<SocketHolder>,
    /// Whether some process's file descriptors could not be read (not root).
    pub access_denied: bool,
}

impl SocketHolders {
    /// Scans every process. Fails only when `/proc` itself cannot be read.
    pub fn scan() -> Result<SocketHolders> {
        #[cfg(target_os = "linux")]
        {
            crate::linux::process::scan_holders()
        }
        #[cfg(not(target_os = "linux"))]
        {
            Err(crate::Error::unsupported("/proc"))
        }
    }
}

/// Index of an [`Owner`] in [`OwnerMap::owners`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OwnerId(pub u32);

/// Socket inode → owning process, built by one pass over `/proc`.
///
/// When several processes hold the same socket, the first one met in `/proc` order wins.
///
/// ```no_run
/// let owners = nettables::process::OwnerMap::scan()?;
/// if let Some(owner) = owners.get(1028034) {
///     println!("pid {}", owner.pid);
/// }
/// # Ok::<(), nettables::Error>(())
/// ```
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct OwnerMap {
    pub(crate) by_inode: InodeIndex,
    pub(crate) owners: Vec<Owner>,
    /// Whether some process's file descriptors could not be read (not root).
    pub access_denied: bool,
}

impl OwnerMap {
    /// Scans every process. Fails only when `/proc` itself cannot be read.
    pub fn scan() -> Result<OwnerMap> {
        #[cfg(target_os = "linux")]
        {
            crate::linux::process::scan()
        }
        #[cfg(not(target_os = "linux"))]
        {
            Err(crate::Error::unsupported("/proc"))
        }
    }

    /// The owner of the socket with this inode.
    pub fn get(&self, inode: u64) -> Option<&Owner> {
        self.owner_id(inode).map(|id| &self.owners[id.0 as usize])
    }

    /// The owner of the socket with this inode, as an index into [`OwnerMap::owners`]; lets a
    /// caller prepare something once per process rather than once per socket.
    pub fn owner_id(&self, inode: u64) -> Option<OwnerId> {
        let index = self.by_inode.get(inode)?;
        ((index as usize) < self.owners.len()).then_some(OwnerId(index))
    }

    /// Every process that holds a socket, in `/proc` order.
    pub fn owners(&self) -> &[Owner] {
        &self.owners
    }

    /// Number of sockets with a known owner.
    pub fn len(&self) -> usize {
        self.by_inode.len
    }

    /// Whether no socket owner was found.
    pub fn is_empty(&self) -> bool {
        self.by_inode.len == 0
    }
}

/// Inode → owner index. Socket inodes come from one kernel counter, so they usually sit in a
/// narrow range; a dense array then answers with one memory access where a hash map needs two
/// (the look-up was a tenth of `-tanp` at 400k sockets). A wide range falls back to hashing.
#[derive(Debug, Default)]
pub(crate) struct InodeIndex {
    slots: Slots,
    len: usize,
}

#[derive(Debug)]
enum Slots {
    /// `slots[inode - base]` holds the owner index + 1; 0 means none.
    Dense {
        base: u64,
        slots: Vec<u32>,
    },
    Sparse(FxHashMap<u64, u32>),
}

impl Default for Slots {
    fn default() -> Self {
        Slots::Sparse(FxHashMap::default())
    }
}

impl InodeIndex {
    /// An index for `count` inodes between `min` and `max`.
    pub(crate) fn with_range(min: u64, max: u64, count: usize) -> InodeIndex {
        let span = max.saturating_sub(min).saturating_add(1);
        // Up to 8 slots (32 bytes) per socket, about what a hash map entry costs: a host whose
        // oldest live socket is a few hundred thousand inodes behind the newest stays dense.
        let dense_limit = (count as u64).saturating_mul(8).max(1 << 20);
        let slots = if count > 0 && span <= dense_limit {
            Slots::Dense {
                base: min,
                slots: vec![0; span as usize],
            }
        } else {
            let mut map = FxHashMap::default();
            map.reserve(count);
            Slots::Sparse(map)
        };
        InodeIndex { slots, len: 0 }
    }

    /// Records `owner` for `inode` unless it has one; true if recorded.
    pub(crate) fn insert_first(&mut self, inode: u64, owner: u32) -> bool {
        let inserted = match &mut self.slots {
            Slots::Dense { base, slots } => {
                let slot = inode
                    .checked_sub(*base)
                    .and_then(|i| slots.get_mut(i as usize));
                match slot {
                    Some(slot) if *slot == 0 => {
                        *slot = owner.saturating_add(1);
                        true
                    }
                    _ => false,
                }
            }
            Slots::Sparse(map) => match map.entry(inode) {
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(owner);
                    true
                }
                std::collections::hash_map::Entry::Occupied(_) => false,
            },
        };
        self.len += usize::from(inserted);
        inserted
    }

    pub(crate) fn get(&self, inode: u64) -> Option<u32> {
        match &self.slots {
            Slots::Dense { base, slots } => {
                let slot = *slots.get(usize::try_from(inode.checked_sub(*base)?).ok()?)?;
                slot.checked_sub(1)
            }
            Slots::Sparse(map) => map.get(&inode).copied(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_and_sparse_indexes_agree() {
        for (min, max) in [(1000, 1010), (5, u64::MAX - 1)] {
            let mut index = InodeIndex::with_range(min, max, 3);
            assert!(matches!(index.slots, Slots::Dense { .. }) == (max < 2000));
            assert!(index.insert_first(min, 0));
            assert!(index.insert_first(max, 7));
            assert!(!index.insert_first(min, 1), "the first owner wins");
            assert!(!index.insert_first(min.wrapping_sub(1), 1) || max > 2000);
            assert_eq!(index.get(min), Some(0));
            assert_eq!(index.get(max), Some(7));
            assert_eq!(index.get(min + 1), None);
            assert_eq!(index.get(0), None);
            assert_eq!(index.get(u64::MAX), None);
        }
    }
}
