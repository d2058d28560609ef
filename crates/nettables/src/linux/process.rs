//! The `/proc/<pid>/fd` scan behind [`OwnerMap`].
//!
//! With hundreds of thousands of sockets this scan is most of the cost of `-p`, so it reads each
//! process's descriptors with `getdents` and `readlinkat` into fixed buffers (no allocation per
//! descriptor), and spreads the processes over one thread per core. Results are merged in
//! `/proc` order, so the first process that holds a socket still wins.

use std::ffi::CStr;
use std::io;
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::atomic::{AtomicUsize, Ordering};

use rustix::fs::{Mode, OFlags, RawDir};

use crate::process::{InodeIndex, Owner, OwnerMap};

/// Bytes of `/proc/<pid>/cmdline` that are read, as net-tools does.
const CMDLINE_MAX: usize = 511;

/// What one process holds.
#[derive(Default)]
struct ProcessSockets {
    pid: u32,
    argv0: Box<[u8]>,
    inodes: Vec<u64>,
    denied: bool,
}

pub(crate) fn scan() -> io::Result<OwnerMap> {
    let proc = open_dir(c"/proc")?;
    let pids = list_pids(&proc)?;

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(pids.len().max(1));
    let next = AtomicUsize::new(0);
    let mut results: Vec<ProcessSockets> = Vec::new();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut found = Vec::new();
                    let mut buf = vec![MaybeUninit::<u8>::uninit(); 16 * 1024];
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&pid) = pids.get(index) else { break };
                        if let Some(process) = scan_process(&proc, pid, &mut buf) {
                            found.push((index, process));
                        }
                    }
                    found
                })
            })
            .collect();
        let mut indexed: Vec<(usize, ProcessSockets)> =
            workers.into_iter().flat_map(|w| w.join().unwrap_or_default()).collect();
        indexed.sort_unstable_by_key(|(index, _)| *index);
        results = indexed.into_iter().map(|(_, p)| p).collect();
    });

    let inodes = || results.iter().flat_map(|p| p.inodes.iter().copied());
    let (min, max) = inodes().fold((u64::MAX, 0), |(lo, hi), i| (lo.min(i), hi.max(i)));
    let mut map = OwnerMap {
        by_inode: InodeIndex::with_range(min, max, inodes().count()),
        ..OwnerMap::default()
    };
    for process in results {
        map.access_denied |= process.denied;
        let index = u32::try_from(map.owners.len()).unwrap_or(u32::MAX);
        let mut used = false;
        for inode in process.inodes {
            used |= map.by_inode.insert_first(inode, index);
        }
        if used {
            map.owners.push(Owner {
                pid: process.pid,
                argv0: process.argv0,
            });
        }
    }
    Ok(map)
}

/// The numeric entries of `/proc`, in readdir order.
fn list_pids(proc: &OwnedFd) -> io::Result<Vec<u32>> {
    let mut pids = Vec::new();
    let mut buf = [MaybeUninit::<u8>::uninit(); 16 * 1024];
    let mut dir = RawDir::new(proc, &mut buf);
    while let Some(entry) = dir.next() {
        if let Some(pid) = parse_pid(entry?.file_name().to_bytes()) {
            pids.push(pid);
        }
    }
    Ok(pids)
}

/// The sockets of one process; `None` when it has none or has exited.
fn scan_process(proc: &OwnedFd, pid: u32, buf: &mut [MaybeUninit<u8>]) -> Option<ProcessSockets> {
    let mut path = PathBuf32::new();
    let fd_dir = match rustix::fs::openat(
        proc.as_fd(),
        path.pid_file(pid, b"/fd")?,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    ) {
        Ok(dir) => dir,
        Err(rustix::io::Errno::ACCESS) => {
            return Some(ProcessSockets {
                denied: true,
                ..ProcessSockets::default()
            });
        }
        Err(_) => return None, // the process exited meanwhile
    };
    let mut inodes = Vec::new();
    let mut link = [0u8; 64];
    let mut fds = RawDir::new(&fd_dir, buf);
    while let Some(entry) = fds.next() {
        let Ok(entry) = entry else { break };
        let fd_name = entry.file_name();
        if !fd_name.to_bytes().first().is_some_and(u8::is_ascii_digit) {
            continue;
        }
        let Ok(len) = rustix::fs::readlinkat_raw(&fd_dir, fd_name, &mut link[..]) else { continue };
        if let Some(inode) = socket_inode(&link[..len.min(link.len())]) {
            inodes.push(inode);
        }
    }
    if inodes.is_empty() {
        return None;
    }
    // net-tools skips a process whose command line cannot be read.
    let argv0 = read_argv0(proc, pid)?;
    Some(ProcessSockets {
        pid,
        argv0,
        inodes,
        denied: false,
    })
}

fn open_dir(path: &CStr) -> io::Result<OwnedFd> {
    Ok(rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?)
}

fn read_argv0(proc: &OwnedFd, pid: u32) -> Option<Box<[u8]>> {
    let mut path = PathBuf32::new();
    let fd = rustix::fs::openat(
        proc.as_fd(),
        path.pid_file(pid, b"/cmdline")?,
        OFlags::RDONLY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .ok()?;
    let mut buf = [0u8; CMDLINE_MAX];
    let n = rustix::io::read(&fd, &mut buf).ok()?;
    let cmdline = &buf[..n.min(buf.len())];
    let argv0 = cmdline.split(|&b| b == 0).next().unwrap_or_default();
    Some(argv0.into())
}

/// A `<pid><suffix>` path relative to `/proc`, built on the stack.
struct PathBuf32 {
    bytes: [u8; 32],
}

impl PathBuf32 {
    fn new() -> PathBuf32 {
        PathBuf32 { bytes: [0; 32] }
    }

    fn pid_file(&mut self, pid: u32, suffix: &[u8]) -> Option<&CStr> {
        let mut number = itoa::Buffer::new();
        let digits = number.format(pid).as_bytes();
        let total = digits.len() + suffix.len();
        if total + 1 > self.bytes.len() {
            return None;
        }
        self.bytes[..digits.len()].copy_from_slice(digits);
        self.bytes[digits.len()..total].copy_from_slice(suffix);
        self.bytes[total] = 0;
        CStr::from_bytes_with_nul(&self.bytes[..=total]).ok()
    }
}

fn parse_pid(name: &[u8]) -> Option<u32> {
    if name.is_empty() || !name.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(name).ok()?.parse().ok()
}

/// The inode of a socket link target: `socket:[12345]`, or the old form `[0000]:12345`.
pub(crate) fn socket_inode(target: &[u8]) -> Option<u64> {
    let digits = if let Some(rest) = target.strip_prefix(b"socket:[") {
        rest.strip_suffix(b"]")?
    } else {
        target.strip_prefix(b"[0000]:")?
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_link_targets() {
        assert_eq!(socket_inode(b"socket:[1028034]"), Some(1028034));
        assert_eq!(socket_inode(b"[0000]:77"), Some(77));
        assert_eq!(socket_inode(b"pipe:[5]"), None);
        assert_eq!(socket_inode(b"socket:[]"), None);
        assert_eq!(socket_inode(b"socket:[12"), None);
        assert_eq!(socket_inode(b"socket:[1x2]"), None);
        assert_eq!(socket_inode(b"socket:[99999999999999999999999]"), None);
        assert_eq!(socket_inode(b"/dev/null"), None);
    }

    #[test]
    fn pids_and_paths() {
        assert_eq!(parse_pid(b"123"), Some(123));
        assert_eq!(parse_pid(b"self"), None);
        assert_eq!(parse_pid(b""), None);
        let mut path = PathBuf32::new();
        assert_eq!(path.pid_file(4294967295, b"/cmdline"), Some(c"4294967295/cmdline"));
        assert_eq!(path.pid_file(0, b"/fd"), Some(c"0/fd"));
    }

    #[test]
    fn own_sockets_are_found_and_the_first_holder_wins() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let link = std::fs::read_link(format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(&listener))).unwrap();
        let inode = socket_inode(link.as_os_str().as_encoded_bytes()).unwrap();
        let map = scan().unwrap();
        let owner = map.get(inode).expect("our own socket has an owner");
        assert_eq!(owner.pid, std::process::id());
    }
}
