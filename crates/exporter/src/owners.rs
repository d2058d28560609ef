//! Socket owners for `netstat_program_sockets`: the one module that knows where they come from.
//!
//! For now the table is a full `/proc/<pid>/fd` scan ([`OwnerMap::scan`]: about a second of
//! CPU at 400k sockets) kept between scrapes. It is meant to be replaced by the inode-keyed
//! owner cache of the sampling engine (`nettables::watch`), which looks up only unknown inodes;
//! nothing outside this module depends on how the table is made.
//!
//! Refresh policy, with `R` = `--collector.programs.refresh` (default 30 s):
//! - a table younger than `R` is used as it is;
//! - an older one is still used, and the scrape starts a rescan in the background for the next;
//! - when there is none, or it is older than `2R` (scrapes are rarer than `R`), the scrape
//!   waits for a rescan. `R = 0` rescans at every scrape.
//!
//! So the owners a scrape reports were read at most `2R` before it (plus one scan). A socket
//! opened since then has no owner yet and is not counted under any program; a socket handed to
//! another process keeps its old owner until the next rescan.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nettables::process::{Owner, OwnerMap};

/// One owner table, with each owner's program name made once.
#[derive(Debug)]
pub struct Owners {
    map: OwnerMap,
    programs: Vec<String>,
}

impl Owners {
    fn scan() -> nettables::Result<Owners> {
        let map = OwnerMap::scan()?;
        let programs = map.owners().iter().map(program_name).collect();
        Ok(Owners { map, programs })
    }

    /// The index of the owner of the socket with this inode (0 means no file: none).
    pub fn owner_index(&self, inode: u64) -> Option<u32> {
        if inode == 0 {
            return None;
        }
        self.map.owner_id(inode).map(|id| id.0)
    }

    /// The program name of owner `index`.
    pub fn program(&self, index: u32) -> &str {
        self.programs
            .get(index as usize)
            .map_or("unknown", String::as_str)
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

/// The cached table and its refresh policy (see the module docs).
#[derive(Debug)]
pub struct OwnerCache {
    refresh: Duration,
    state: Mutex<CacheState>,
}

#[derive(Debug, Default)]
struct CacheState {
    table: Option<(Arc<Owners>, Instant)>,
    refreshing: bool,
}

impl OwnerCache {
    pub fn new(refresh: Duration) -> Arc<OwnerCache> {
        Arc::new(OwnerCache {
            refresh,
            state: Mutex::new(CacheState::default()),
        })
    }

    /// The table a scrape should use; may block for a scan (call it off the async runtime).
    pub fn get(self: &Arc<Self>) -> nettables::Result<Arc<Owners>> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let age = state.table.as_ref().map(|(_, taken)| taken.elapsed());
        match (&state.table, age) {
            (Some((table, _)), Some(age)) if age < self.refresh => Ok(table.clone()),
            (Some((table, _)), Some(age)) if age < self.refresh.saturating_mul(2) => {
                let table = table.clone();
                if !state.refreshing {
                    state.refreshing = true;
                    let cache = self.clone();
                    let started = std::thread::Builder::new()
                        .name("owner-scan".to_string())
                        .spawn(move || cache.rescan_in_background());
                    // No thread to spare: the next scrape tries again.
                    state.refreshing = started.is_ok();
                }
                Ok(table)
            }
            _ => {
                // Other scrapes wait on the lock meanwhile: one scan serves them all.
                let table = Arc::new(Owners::scan()?);
                state.table = Some((table.clone(), Instant::now()));
                Ok(table)
            }
        }
    }

    fn rescan_in_background(&self) {
        let scanned = Owners::scan();
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.refreshing = false;
        if let Ok(table) = scanned {
            state.table = Some((Arc::new(table), Instant::now()));
        }
    }
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
    fn a_fresh_table_is_reused_and_refresh_zero_rescans() {
        let _socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let cache = OwnerCache::new(Duration::from_secs(3600));
        let a = cache.get().unwrap();
        let b = cache.get().unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        let cache = OwnerCache::new(Duration::ZERO);
        let a = cache.get().unwrap();
        let b = cache.get().unwrap();
        assert!(!Arc::ptr_eq(&a, &b));
    }
}
