//! Socket owners for `netstat_program_sockets`, from the sampling engine's owner cache
//! ([`nettables::watch::OwnerCache`]), shared by every namespace: processes are host-wide.
//!
//! Each scrape is one pass of the cache. Inodes it has seen before are answered from memory;
//! new ones are looked up by reading the descriptors of likely owners first (new processes,
//! then the ones that most recently gained a socket), within the engine's per-pass budget
//! ([`nettables::watch::LOOKUP_BUDGET`]); what is left is looked up by the next scrape. Every
//! `R` = `--collector.programs.refresh` (default 30 s) a full `/proc/<pid>/fd` rescan runs in
//! the background while scrapes go on answering, and is installed when done; only the first
//! scrape waits for one.
//!
//! How stale an owner can be: a new socket's owner is normally found by the scrape that first
//! sees the socket, at worst by the first scrape after the next full rescan (about `R` later).
//! A socket handed to another process keeps its old owner until the next full rescan. A socket
//! with no owner found yet is not counted under any program.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use nettables::process::Owner;
use nettables::watch::{FullScan, OwnerCache};
use rustc_hash::FxHashMap;

/// The owner cache of the exporter, with its background rescans.
#[derive(Debug)]
pub struct Owners {
    cache: Mutex<OwnerCache>,
    rescanning: AtomicBool,
    /// Inodes looked up in this scrape, over every namespace.
    looked_up: AtomicUsize,
}

/// The owners of one namespace's sockets in one scrape.
#[derive(Debug, Default)]
pub struct Resolved {
    /// For each inode asked for, in order, the index of its owner in `programs`.
    pub owners: Vec<Option<u32>>,
    /// The program name of each owner met, made once per owner.
    pub programs: Vec<String>,
    /// The pid of each of `programs`.
    pub pids: Vec<u32>,
}

impl Owners {
    pub fn new(refresh: Duration) -> Arc<Owners> {
        let mut cache = OwnerCache::new(refresh);
        cache.set_inline_rescans(false);
        Arc::new(Owners {
            cache: Mutex::new(cache),
            rescanning: AtomicBool::new(false),
            looked_up: AtomicUsize::new(0),
        })
    }

    /// Starts a scrape's pass. The first scrape waits for a full scan (call this off the
    /// async runtime); later ones start one in the background when it is due.
    pub fn begin(self: &Arc<Self>) -> nettables::Result<()> {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        cache.begin_pass();
        self.looked_up.store(0, Ordering::Relaxed);
        if cache.last_full_scan().is_none() {
            cache.install(FullScan::run()?);
        } else if cache.rescan_due() && !self.rescanning.swap(true, Ordering::AcqRel) {
            let owners = self.clone();
            let started = std::thread::Builder::new()
                .name("owner-scan".to_string())
                .spawn(move || {
                    if let Ok(scan) = FullScan::run() {
                        let mut cache = owners.cache.lock().unwrap_or_else(PoisonError::into_inner);
                        cache.install(scan);
                    }
                    owners.rescanning.store(false, Ordering::Release);
                });
            // No thread to spare: the next scrape tries again.
            if started.is_err() {
                self.rescanning.store(false, Ordering::Release);
            }
        }
        Ok(())
    }

    /// The owners of these inodes (0, for sockets without a file, has none).
    pub fn resolve(&self, inodes: &[u64]) -> Resolved {
        let mut found = Vec::new();
        {
            let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
            cache.look_up(inodes, &mut found);
        }
        self.looked_up.fetch_add(inodes.len(), Ordering::Relaxed);
        let mut resolved = Resolved::default();
        let mut index_of: FxHashMap<*const Owner, u32> = FxHashMap::default();
        for owner in &found {
            let index = owner.as_ref().map(|owner| {
                *index_of.entry(Arc::as_ptr(owner)).or_insert_with(|| {
                    resolved.programs.push(program_name(owner));
                    resolved.pids.push(owner.pid);
                    (resolved.programs.len() - 1) as u32
                })
            });
            resolved.owners.push(index);
        }
        resolved
    }

    /// Ends the scrape's pass, so the cache can drop what no namespace asked for.
    pub fn end(&self) {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        cache.end_pass(self.looked_up.load(Ordering::Relaxed));
    }
}

/// The program name `netstat -p` would show ([`Owner::program`]), made stable for labels: `argv[0]`'s first word
/// (daemons rewrite their command line: `sshd: /usr/sbin/sshd -D`, `postgres: checkpointer`)
/// without its directory. A process with an empty command line (a zombie) is named by its
/// `comm`.
fn program_name(owner: &Owner) -> String {
    let word = owner
        .argv0
        .split(|&b| b == b':' || b.is_ascii_whitespace())
        .next()
        .unwrap_or_default();
    let base = word.rsplit(|&b| b == b'/').next().unwrap_or(word);
    if !base.is_empty() {
        return String::from_utf8_lossy(base).into_owned();
    }
    std::fs::read(format!("/proc/{}/comm", owner.pid))
        .ok()
        .map(|comm| String::from_utf8_lossy(comm.trim_ascii_end()).into_owned())
        .filter(|comm| !comm.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner(argv0: &[u8]) -> Owner {
        Owner::new(std::process::id(), argv0)
    }

    #[test]
    fn program_names() {
        assert_eq!(program_name(&owner(b"/usr/sbin/nginx")), "nginx");
        assert_eq!(
            program_name(&owner(b"sshd: /usr/sbin/sshd -D [listener]")),
            "sshd"
        );
        assert_eq!(program_name(&owner(b"postgres: checkpointer")), "postgres");
        assert_eq!(program_name(&owner(b"python3")), "python3");
        // No command line: our own comm stands in.
        let comm = std::fs::read_to_string("/proc/self/comm").unwrap();
        assert_eq!(program_name(&owner(b"")), comm.trim_end());
    }

    #[test]
    fn our_own_socket_gets_our_program_and_the_first_scrape_waits_for_a_scan() {
        use std::os::fd::AsFd;
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let inode = rustix::fs::fstat(socket.as_fd()).unwrap().st_ino;
        let owners = Owners::new(Duration::from_secs(3600));
        owners.begin().unwrap();
        let resolved = owners.resolve(&[inode, 0, inode]);
        assert_eq!(resolved.owners, vec![Some(0), None, Some(0)]);
        let argv0 = std::env::args().next().unwrap();
        let base = argv0.rsplit('/').next().unwrap();
        assert_eq!(resolved.programs, vec![base.to_string()]);
        owners.end();
    }
}
