//! Which process owns each socket: one scan of `/proc/<pid>/fd`, then constant-time look-ups.
//!
//! On macOS the scan asks libproc instead (`proc_pidinfo(PROC_PIDLISTFDS)`, then
//! `proc_pidfdinfo(PROC_PIDFDSOCKETINFO)` for each socket descriptor), in pid order, and the
//! "inode" is the socket's kernel handle, which the socket records carry in the same field.
//! A process's name is its executable's path (`proc_pidpath`, or `proc_name` when that fails),
//! and a holder's command line is that path too: the arguments are not read.

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
    /// The command line is longer than [`SocketHolder::cmdline`] holds: show that it is cut.
    pub cmdline_truncated: bool,
    /// Socket descriptors in fd order. A socket shared by several descriptors or processes
    /// appears under each.
    pub sockets: Vec<HeldSocket>,
}

impl SocketHolder {
    /// One process's socket descriptors, user and command line, as [`SocketHolders::scan`]
    /// reads them for every process; `None` when it has exited or holds no socket. Reading
    /// another user's process needs root (an [`crate::Error::Open`] otherwise).
    pub fn of_process(pid: u32) -> Result<Option<SocketHolder>> {
        crate::sys::imp::socket_holder(pid)
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
        crate::sys::imp::socket_holders()
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
    /// Whether `/proc` hides other users' processes (`hidepid=2`): their sockets have no
    /// owner, and nothing was denied. net-tools does not notice; `-p` keeps its silence.
    pub processes_hidden: bool,
}

impl OwnerMap {
    /// Scans every process. Fails only when `/proc` itself cannot be read.
    pub fn scan() -> Result<OwnerMap> {
        crate::sys::imp::owner_map()
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

/// Inode → owner index. Socket inodes come from one kernel counter, so most of them usually sit
/// in a narrow range; a dense array answers those with one memory access where a hash map needs
/// two (the look-up was a tenth of `-tanp` at 400k sockets). The array covers the window of
/// inodes that holds the most of them within a bounded span; the few far from it (a daemon's
/// listener from boot, under a busy host's newest connections) go to a hash map.
#[derive(Debug, Default)]
pub(crate) struct InodeIndex {
    /// `dense[inode - base]` holds the owner index + 1; 0 means none.
    base: u64,
    dense: Vec<u32>,
    sparse: FxHashMap<u64, u32>,
    len: usize,
}

impl InodeIndex {
    /// An index for these inodes (the ones that will be inserted; order does not matter).
    pub(crate) fn for_inodes(mut inodes: Vec<u64>) -> InodeIndex {
        inodes.sort_unstable();
        inodes.dedup();
        // Up to 8 slots (32 bytes) per inode, about what a hash map entry costs.
        let limit = (inodes.len() as u64).saturating_mul(8).max(1 << 20);
        // The window [inodes[lo], inodes[lo] + limit) that holds the most inodes.
        let (mut best_lo, mut best_count, mut hi) = (0, 0, 0);
        for lo in 0..inodes.len() {
            while hi < inodes.len() && inodes[hi] - inodes[lo] < limit {
                hi += 1;
            }
            if hi - lo > best_count {
                (best_lo, best_count) = (lo, hi - lo);
            }
        }
        let (base, span) = match inodes.get(best_lo) {
            Some(&first) => (first, inodes[best_lo + best_count - 1] - first + 1),
            None => (0, 0),
        };
        let mut sparse = FxHashMap::default();
        sparse.reserve(inodes.len() - best_count);
        InodeIndex {
            base,
            dense: vec![0; span as usize],
            sparse,
            len: 0,
        }
    }

    /// Records `owner` for `inode` unless it has one; true if recorded.
    pub(crate) fn insert_first(&mut self, inode: u64, owner: u32) -> bool {
        let inserted = match self.dense_slot(inode) {
            Some(i) => {
                let slot = &mut self.dense[i];
                let empty = *slot == 0;
                if empty {
                    *slot = owner.saturating_add(1);
                }
                empty
            }
            None => match self.sparse.entry(inode) {
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
        match self.dense_slot(inode) {
            Some(i) => self.dense[i].checked_sub(1),
            None => self.sparse.get(&inode).copied(),
        }
    }

    fn dense_slot(&self, inode: u64) -> Option<usize> {
        let i = usize::try_from(inode.checked_sub(self.base)?).ok()?;
        (i < self.dense.len()).then_some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_and_sparse_indexes_agree() {
        // One far inode beside a crowd: the crowd is dense, the far one hashed.
        let crowd: Vec<u64> = (5_000_000..5_000_100).collect();
        let far = [7, u64::MAX - 1];
        let mut index = InodeIndex::for_inodes(crowd.iter().chain(&far).copied().collect());
        assert_eq!((index.base, index.dense.len()), (5_000_000, 100));
        for (owner, &inode) in crowd.iter().chain(&far).enumerate() {
            assert!(index.insert_first(inode, owner as u32));
        }
        assert!(!index.insert_first(5_000_000, 9), "the first owner wins");
        assert!(!index.insert_first(7, 9), "the first owner wins");
        assert_eq!(index.sparse.len(), 2);
        assert_eq!(index.len, 102);
        assert_eq!(index.get(5_000_000), Some(0));
        assert_eq!(index.get(5_000_099), Some(99));
        assert_eq!(index.get(7), Some(100));
        assert_eq!(index.get(u64::MAX - 1), Some(101));
        assert_eq!(index.get(5_000_100), None);
        assert_eq!(index.get(0), None);
        assert_eq!(index.get(u64::MAX), None);
        // An inode nobody announced still gets a slot.
        assert!(index.insert_first(42, 3));
        assert_eq!(index.get(42), Some(3));
        let empty = InodeIndex::for_inodes(Vec::new());
        assert_eq!(empty.get(1), None);
    }
}
