//! Which process holds each socket, kept between samples.
//!
//! ```no_run
//! use std::time::Duration;
//! use nettables::watch::OwnerCache;
//!
//! let mut owners = OwnerCache::new(Duration::from_secs(10));
//! let inodes = [1028034, 1028035]; // from a listing
//! let mut found = Vec::new();
//! owners.begin_pass();
//! owners.look_up(&inodes, &mut found);
//! for (inode, owner) in inodes.iter().zip(&found) {
//!     println!("{inode}: {:?}", owner.as_ref().map(|owner| owner.pid));
//! }
//! owners.end_pass(inodes.len());
//! ```
//!
//! The full `/proc/<pid>/fd` scan costs about a second of CPU at 400,000 sockets, so it cannot
//! run at every tick. The cache instead:
//! - answers known inodes from memory;
//! - looks up only inodes it has not seen, by reading the descriptors of likely owners first
//!   (processes that appeared since it last looked, the calling process itself, then the ones
//!   that most recently gained a socket, then the rest in turn), and stops as soon as every new inode is found or the
//!   tick's time budget ([`LOOKUP_BUDGET`]) is spent; the rest carry over to the next tick;
//! - rescans everything at a slower pace ([`OwnerCache::new`]'s `rescan`, 10 s by default
//!   in [`super::SamplerConfig`]), which drops exited processes and catches sockets that
//!   changed hands (passed over a Unix socket, inherited across `fork`, or a process that
//!   called `exec`).
//!
//! How stale an owner can be: a new socket's owner is normally known in the sample that first
//! sees the socket, and at worst at the next full rescan. A socket that changes hands keeps
//! its old owner until the next full rescan.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rustc_hash::{FxHashMap, FxHashSet};

use crate::process::Owner;
use crate::sys::imp::owner_scan as platform;

/// Time one tick may spend looking up new inodes, before carrying the rest over.
pub const LOOKUP_BUDGET: Duration = Duration::from_millis(50);
/// How many recent owners are tried first.
const RECENT_OWNERS: usize = 32;

/// What one inode maps to.
#[derive(Clone, Debug)]
struct Entry {
    /// `None`: no readable process holds it (negative entry, until the next full rescan).
    owner: Option<Arc<Owner>>,
    /// The sample that last asked for it; entries no sample asked for are dropped.
    used: u64,
}

/// Socket inode → owning process, kept up to date cheaply between full scans.
#[derive(Debug)]
pub struct OwnerCache {
    by_inode: FxHashMap<u64, Entry>,
    /// Processes met by the last full scan or since; a pid not in here is new.
    known_pids: FxHashSet<u32>,
    /// Processes that most recently gained a socket, most recent first.
    recent: Vec<u32>,
    /// Where the round-robin over all other processes goes on.
    cursor: usize,
    rescan: Duration,
    last_full: Option<Instant>,
    /// Counts the passes, for dropping unused entries.
    generation: u64,
    /// Where a pass's unknown inodes are in its list, reused from pass to pass.
    unknown: Vec<usize>,
    inline_rescans: bool,
    denied: bool,
    full_scans: u64,
    processes_read: u64,
}

impl OwnerCache {
    /// An empty cache that rescans every process at most every `rescan`.
    pub fn new(rescan: Duration) -> OwnerCache {
        OwnerCache {
            by_inode: FxHashMap::default(),
            known_pids: FxHashSet::default(),
            recent: Vec::new(),
            cursor: 0,
            rescan,
            last_full: None,
            generation: 0,
            unknown: Vec::new(),
            inline_rescans: true,
            denied: false,
            full_scans: 0,
            processes_read: 0,
        }
    }

    /// Starts a pass (a sample, a scrape): inodes looked up from now on count as used by it.
    pub fn begin_pass(&mut self) {
        self.generation += 1;
    }

    /// The owner of each of `inodes`, in order, into `owners` (emptied first): known inodes
    /// are answered from memory, unknown ones by a full rescan when one is due and by reading
    /// likely owners otherwise (within [`LOOKUP_BUDGET`]; what is left waits for the next
    /// pass). Inode 0 (no file: TIME_WAIT, pending connections) has no owner.
    pub fn look_up(&mut self, inodes: &[u64], owners: &mut Vec<Option<Arc<Owner>>>) {
        let generation = self.generation;
        let mut unknown = std::mem::take(&mut self.unknown);
        unknown.clear();
        owners.clear();
        // One probe per known inode: at 200k sockets the table is far bigger than the caches.
        for (i, &inode) in inodes.iter().enumerate() {
            match self.by_inode.get_mut(&inode) {
                Some(entry) => {
                    entry.used = generation;
                    owners.push(entry.owner.clone());
                }
                None => {
                    owners.push(None);
                    if inode != 0 {
                        unknown.push(i);
                    }
                }
            }
        }
        let now = Instant::now();
        let due = self.last_full.is_none() || self.inline_rescans && self.rescan_due();
        if due {
            self.rescan_all();
            for (owner, &inode) in owners.iter_mut().zip(inodes) {
                *owner = self.get(inode).cloned();
            }
            // Inodes still unknown after a full scan have no readable owner.
            for &i in &unknown {
                self.by_inode.entry(inodes[i]).or_insert(Entry {
                    owner: None,
                    used: generation,
                });
            }
        } else if !unknown.is_empty() {
            let wanted: Vec<u64> = unknown.iter().map(|&i| inodes[i]).collect();
            self.look_up_new(&wanted, now);
            for &i in &unknown {
                owners[i] = self.get(inodes[i]).cloned();
            }
        }
        self.unknown = unknown;
    }

    /// The owner of the socket with this inode, as last looked up.
    pub fn get(&self, inode: u64) -> Option<&Arc<Owner>> {
        self.by_inode.get(&inode)?.owner.as_ref()
    }

    /// Ends a pass that used `live` inodes: once the cache holds more than twice that many,
    /// the entries the pass did not use are dropped, so memory follows the live sockets.
    pub fn end_pass(&mut self, live: usize) {
        if self.by_inode.len() > 2 * live.max(1024) {
            let generation = self.generation;
            self.by_inode.retain(|_, entry| entry.used == generation);
        }
    }

    /// Whether some process's descriptors could not be read (another user's, without root),
    /// so some sockets have no owner that one could have found with more privilege.
    pub fn incomplete(&self) -> bool {
        self.denied
    }

    /// When every process was last scanned.
    pub fn last_full_scan(&self) -> Option<Instant> {
        self.last_full
    }

    /// How many full scans ran, and how many single processes were read between them.
    pub fn scans(&self) -> (u64, u64) {
        (self.full_scans, self.processes_read)
    }

    fn rescan_all(&mut self) {
        if let Ok(scan) = FullScan::run() {
            self.install(scan);
        }
    }

    /// Whether a full rescan is due (there has been none, or the last is older than the
    /// rescan interval).
    pub fn rescan_due(&self) -> bool {
        self.last_full.is_none_or(|at| at.elapsed() >= self.rescan)
    }

    /// Whether [`OwnerCache::look_up`] runs a due full rescan itself (the default). A server
    /// that must answer quickly turns this off, runs [`FullScan::run`] on another thread when
    /// [`OwnerCache::rescan_due`] says so, and hands the result to [`OwnerCache::install`];
    /// `look_up` then rescans inline only when there has never been a full scan.
    pub fn set_inline_rescans(&mut self, inline: bool) {
        self.inline_rescans = inline;
    }

    /// Replaces what the cache knows with a full scan. Sockets opened while the scan ran and
    /// not in it are looked up again by the next pass.
    pub fn install(&mut self, scan: FullScan) {
        self.by_inode.clear();
        self.known_pids.clear();
        self.recent.clear();
        self.cursor = 0;
        self.denied = false;
        let generation = self.generation;
        for process in scan.processes {
            self.known_pids.insert(process.pid);
            self.denied |= process.denied;
            if process.denied {
                continue;
            }
            let owner = Arc::new(Owner {
                pid: process.pid,
                argv0: process.argv0,
            });
            for inode in process.inodes {
                // The first holder in /proc order wins, as for `netstat -p`.
                self.by_inode.entry(inode).or_insert_with(|| Entry {
                    owner: Some(owner.clone()),
                    used: generation,
                });
            }
        }
        self.last_full = Some(scan.started);
        self.full_scans += 1;
    }

    fn look_up_new(&mut self, unknown: &[u64], start: Instant) {
        let Ok(mut scanner) = platform::Scanner::open() else {
            return;
        };
        let Ok(pids) = scanner.pids() else { return };
        let mut pending: FxHashSet<u64> = unknown.iter().copied().collect();
        let mut visited = FxHashSet::default();
        let new: Vec<u32> = pids
            .iter()
            .copied()
            .filter(|pid| !self.known_pids.contains(pid))
            .collect();
        let recent = self.recent.clone();
        // Our own process too: a server asks about its own clients' connections.
        let own = std::process::id();
        for pid in new.into_iter().chain([own]).chain(recent) {
            if pending.is_empty() || start.elapsed() >= LOOKUP_BUDGET {
                return;
            }
            if visited.insert(pid) {
                self.read_process(&mut scanner, pid, &mut pending);
            }
        }
        // Then every process in turn, going on where the last tick stopped.
        for _ in 0..pids.len() {
            if pending.is_empty() || start.elapsed() >= LOOKUP_BUDGET {
                return;
            }
            self.cursor = (self.cursor + 1) % pids.len();
            let pid = pids[self.cursor];
            if visited.insert(pid) {
                self.read_process(&mut scanner, pid, &mut pending);
            }
        }
        // Every process was read: what is left has no readable owner until the next rescan.
        let generation = self.generation;
        for inode in pending {
            self.by_inode.insert(
                inode,
                Entry {
                    owner: None,
                    used: generation,
                },
            );
        }
    }

    /// Reads one process's sockets into the cache, taking found inodes off `pending`.
    fn read_process(
        &mut self,
        scanner: &mut platform::Scanner,
        pid: u32,
        pending: &mut FxHashSet<u64>,
    ) {
        self.processes_read += 1;
        self.known_pids.insert(pid);
        let Some(process) = scanner.scan(pid) else {
            return;
        };
        if process.denied {
            self.denied = true;
            return;
        }
        let owner = Arc::new(Owner {
            pid,
            argv0: process.argv0,
        });
        let mut gained = false;
        let generation = self.generation;
        for inode in process.inodes {
            gained |= pending.remove(&inode);
            let entry = self.by_inode.entry(inode).or_insert(Entry {
                owner: None,
                used: generation,
            });
            if entry.owner.is_none() {
                entry.owner = Some(owner.clone());
            }
        }
        if gained {
            self.recent.retain(|&p| p != pid);
            self.recent.insert(0, pid);
            self.recent.truncate(RECENT_OWNERS);
        }
    }
}

/// Every process's sockets, from one full `/proc/<pid>/fd` scan: the expensive part of a
/// rescan (about a second of CPU at 400,000 sockets), which can run on any thread while the
/// cache goes on answering. See [`OwnerCache::set_inline_rescans`].
pub struct FullScan {
    processes: Vec<platform::ProcessSockets>,
    started: Instant,
}

impl FullScan {
    /// Reads every process. Fails only when `/proc` itself cannot be read.
    pub fn run() -> crate::Result<FullScan> {
        let started = Instant::now();
        Ok(FullScan {
            processes: platform::scan_all()?,
            started,
        })
    }
}

impl std::fmt::Debug for FullScan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FullScan")
            .field("processes", &self.processes.len())
            .field("started", &self.started)
            .finish()
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::os::fd::AsFd;

    fn inode_of(socket: &impl AsFd) -> u64 {
        rustix::fs::fstat(socket).unwrap().st_ino
    }

    #[test]
    fn own_sockets_are_found_first_by_a_full_scan_then_by_reading_likely_owners() {
        let first = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let mut cache = OwnerCache::new(Duration::from_secs(3600));
        let mut found = Vec::new();
        cache.begin_pass();
        cache.look_up(&[inode_of(&first), 0], &mut found);
        let owner = found[0].as_ref().expect("found by the full scan");
        assert_eq!(owner.pid, std::process::id());
        assert!(found[1].is_none());
        assert_eq!(cache.scans().0, 1);
        cache.end_pass(1);

        // A socket opened after the full scan is found without another one.
        let second = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        cache.begin_pass();
        cache.look_up(&[inode_of(&first), inode_of(&second)], &mut found);
        assert_eq!(cache.scans().0, 1, "no second full scan");
        let owner = found[1].as_ref().expect("found among likely owners");
        assert_eq!(owner.pid, std::process::id());

        // An inode nobody holds is remembered as ownerless until the next full scan, once
        // every process was read (on a loaded machine that can take more than one tick's budget).
        for _ in 0..1000 {
            cache.look_up(&[u64::MAX - 7], &mut found);
            assert_eq!(found, vec![None]);
            if cache.by_inode.contains_key(&(u64::MAX - 7)) {
                break;
            }
        }
        let read = cache.scans().1;
        cache.look_up(&[u64::MAX - 7], &mut found);
        assert_eq!(cache.scans().1, read, "not looked up again");
        cache.end_pass(2);
    }

    #[test]
    fn entries_no_pass_uses_are_dropped_once_they_outnumber_the_live_ones() {
        let mut cache = OwnerCache::new(Duration::from_secs(3600));
        cache.last_full = Some(Instant::now());
        let stale = Entry {
            owner: None,
            used: 0,
        };
        cache
            .by_inode
            .extend((1..=2048).map(|inode| (inode, stale.clone())));
        cache.begin_pass();
        cache.look_up(&[7], &mut Vec::new());
        cache.end_pass(1024);
        assert_eq!(
            cache.by_inode.len(),
            2048,
            "not yet more than twice the live ones"
        );
        cache.by_inode.insert(5000, stale);
        cache.begin_pass();
        cache.look_up(&[7], &mut Vec::new());
        cache.end_pass(1);
        assert_eq!(cache.by_inode.keys().copied().collect::<Vec<_>>(), vec![7]);
    }

    #[test]
    fn a_scan_made_elsewhere_is_installed_and_inline_rescans_can_be_turned_off() {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let mut cache = OwnerCache::new(Duration::ZERO);
        cache.set_inline_rescans(false);
        cache.begin_pass();
        cache.look_up(&[inode_of(&socket)], &mut Vec::new());
        assert_eq!(cache.scans().0, 1, "the first pass needs a scan");
        assert!(cache.rescan_due());
        cache.look_up(&[inode_of(&socket)], &mut Vec::new());
        assert_eq!(cache.scans().0, 1, "due, but left to the caller");
        let scan = std::thread::spawn(|| FullScan::run().unwrap())
            .join()
            .unwrap();
        cache.install(scan);
        assert_eq!(cache.scans().0, 2);
        assert_eq!(
            cache.get(inode_of(&socket)).map(|o| o.pid),
            Some(std::process::id())
        );
    }
}
