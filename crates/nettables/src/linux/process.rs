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

use crate::process::{HeldSocket, InodeIndex, Owner, OwnerMap, SocketHolder, SocketHolders};
use crate::{Error, Result};

/// Bytes of `/proc/<pid>/cmdline` that are read, as net-tools does.
const CMDLINE_MAX: usize = 511;
/// Bytes of the whole command line kept for [`SocketHolder::cmdline`].
const FULL_CMDLINE_MAX: usize = 4096;

/// What one process holds.
#[derive(Default)]
pub(crate) struct ProcessSockets {
    pub(crate) pid: u32,
    pub(crate) argv0: Box<[u8]>,
    pub(crate) inodes: Vec<u64>,
    /// The descriptor of each of `inodes`, only when asked for.
    fds: Vec<u32>,
    /// Whether the process's descriptors could not be read (another user's, without root).
    pub(crate) denied: bool,
}

pub(crate) fn scan() -> Result<OwnerMap> {
    let (proc, results) = scan_all(false)?;
    let mut map = build_owner_map(results);
    map.processes_hidden = processes_hidden(&proc);
    Ok(map)
}

/// Whether `/proc` hides other users' processes from us (mounted with `hidepid=2`, or
/// `invisible`): the pid namespace's init always exists, so it is missing only when hidden.
fn processes_hidden(proc: &OwnedFd) -> bool {
    std::process::id() != 1
        && matches!(
            rustix::fs::statat(proc, c"1", rustix::fs::AtFlags::empty()),
            Err(rustix::io::Errno::NOENT)
        )
}

/// Every process holding a socket, with its descriptor numbers, user and command line.
pub(crate) fn scan_holders() -> Result<SocketHolders> {
    let (proc, results) = scan_all(true)?;
    let mut holders = SocketHolders::default();
    for process in results {
        holders.access_denied |= process.denied;
        if process.denied {
            continue;
        }
        holders.processes.push(holder(&proc, &process));
    }
    Ok(holders)
}

/// One process's socket descriptors, user and command line; `None` when it has exited or
/// holds no socket, an error when its descriptors cannot be read.
pub(crate) fn scan_holder(pid: u32) -> Result<Option<SocketHolder>> {
    let proc = open_dir(c"/proc").map_err(|e| Error::open("/proc", e))?;
    let mut buf = vec![MaybeUninit::<u8>::uninit(); 16 * 1024];
    let Some(process) = scan_process(&proc, pid, &mut buf, true) else {
        return Ok(None);
    };
    if process.denied {
        let denied = io::Error::from(io::ErrorKind::PermissionDenied);
        return Err(Error::open(format!("/proc/{pid}/fd"), denied));
    }
    Ok(Some(holder(&proc, &process)))
}

/// A scanned process's sockets in descriptor order, with its user and command line.
fn holder(proc: &OwnedFd, process: &ProcessSockets) -> SocketHolder {
    let mut sockets: Vec<HeldSocket> = process
        .fds
        .iter()
        .zip(&process.inodes)
        .map(|(&fd, &inode)| HeldSocket { fd, inode })
        .collect();
    sockets.sort_unstable_by_key(|s| s.fd);
    let (cmdline, cmdline_truncated) = read_cmdline(proc, process.pid).unwrap_or_default();
    SocketHolder {
        pid: process.pid,
        uid: read_uid(proc, process.pid),
        cmdline,
        cmdline_truncated,
        sockets,
    }
}

/// Scans every process in parallel; results come in `/proc` order.
pub(crate) fn scan_all(with_fds: bool) -> Result<(OwnedFd, Vec<ProcessSockets>)> {
    let proc = open_dir(c"/proc").map_err(|e| Error::open("/proc", e))?;
    let pids = list_pids(&proc).map_err(|e| Error::read("/proc", e))?;

    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(pids.len().max(1));
    let next = AtomicUsize::new(0);
    let mut results: Vec<ProcessSockets> = Vec::new();
    let work = || {
        let mut found = Vec::new();
        let mut buf = vec![MaybeUninit::<u8>::uninit(); 16 * 1024];
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(&pid) = pids.get(index) else { break };
            if let Some(process) = scan_process(&proc, pid, &mut buf, with_fds) {
                found.push((index, process));
            }
        }
        found
    };
    std::thread::scope(|scope| {
        // A thread that cannot be had (a process or memory limit) leaves its share to the
        // others, and to this thread, which takes part too.
        let helpers: Vec<_> = (1..threads)
            .filter_map(|_| std::thread::Builder::new().spawn_scoped(scope, work).ok())
            .collect();
        let mut indexed: Vec<(usize, ProcessSockets)> = work();
        indexed.extend(
            helpers
                .into_iter()
                .flat_map(|w| w.join().unwrap_or_default()),
        );
        indexed.sort_unstable_by_key(|(index, _)| *index);
        results = indexed.into_iter().map(|(_, p)| p).collect();
    });
    Ok((proc, results))
}

fn build_owner_map(results: Vec<ProcessSockets>) -> OwnerMap {
    let inodes = results.iter().flat_map(|p| p.inodes.iter().copied());
    let mut map = OwnerMap {
        by_inode: InodeIndex::for_inodes(inodes.collect()),
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
    map
}

/// The numeric entries of `/proc`, in readdir order.
pub(crate) fn list_pids(proc: &OwnedFd) -> io::Result<Vec<u32>> {
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

/// The sockets of one process (with their descriptors if `with_fds`); `None` when it has none
/// or has exited.
pub(crate) fn scan_process(
    proc: &OwnedFd,
    pid: u32,
    buf: &mut [MaybeUninit<u8>],
    with_fds: bool,
) -> Option<ProcessSockets> {
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
    let mut fds = Vec::new();
    let mut link = [0u8; 64];
    let mut entries = RawDir::new(&fd_dir, buf);
    while let Some(entry) = entries.next() {
        let Ok(entry) = entry else { break };
        let fd_name = entry.file_name();
        if !fd_name.to_bytes().first().is_some_and(u8::is_ascii_digit) {
            continue;
        }
        let Ok(len) = rustix::fs::readlinkat_raw(&fd_dir, fd_name, &mut link[..]) else {
            continue;
        };
        if let Some(inode) = socket_inode(&link[..len.min(link.len())]) {
            if with_fds {
                let Some(fd) = parse_pid(fd_name.to_bytes()) else {
                    continue;
                };
                fds.push(fd);
            }
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
        fds,
        denied: false,
    })
}

pub(crate) fn open_dir(path: &CStr) -> io::Result<OwnedFd> {
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

/// Up to `max` bytes of a file under `/proc/<pid>`; `None` when it cannot be opened.
fn read_pid_file(proc: &OwnedFd, pid: u32, suffix: &[u8], max: usize) -> Option<Vec<u8>> {
    let mut path = PathBuf32::new();
    let fd = rustix::fs::openat(
        proc.as_fd(),
        path.pid_file(pid, suffix)?,
        OFlags::RDONLY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .ok()?;
    let mut text = vec![0u8; max];
    let mut len = 0;
    while len < max {
        match rustix::io::read(&fd, &mut text[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(rustix::io::Errno::INTR) => {}
            Err(_) => return None,
        }
    }
    text.truncate(len);
    Some(text)
}

/// The whole command line with its arguments separated by spaces (the kernel separates them
/// with NULs); control characters are left for the renderer to make safe. `true` with it when
/// the command line is longer and was cut.
fn read_cmdline(proc: &OwnedFd, pid: u32) -> Option<(Box<[u8]>, bool)> {
    let mut raw = read_pid_file(proc, pid, b"/cmdline", FULL_CMDLINE_MAX + 1)?;
    let truncated = raw.len() > FULL_CMDLINE_MAX;
    raw.truncate(FULL_CMDLINE_MAX);
    Some((join_cmdline(&raw), truncated))
}

fn join_cmdline(raw: &[u8]) -> Box<[u8]> {
    let end = raw.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    raw[..end]
        .iter()
        .map(|&b| if b == 0 { b' ' } else { b })
        .collect()
}

/// The effective user id, from the `Uid:` line of `/proc/<pid>/status`.
fn read_uid(proc: &OwnedFd, pid: u32) -> Option<u32> {
    status_uid(&read_pid_file(proc, pid, b"/status", 4096)?)
}

fn status_uid(status: &[u8]) -> Option<u32> {
    let line = status
        .split(|&b| b == b'\n')
        .find_map(|line| line.strip_prefix(b"Uid:"))?;
    let effective = line
        .split(u8::is_ascii_whitespace)
        .filter(|w| !w.is_empty())
        .nth(1)?;
    parse_pid(effective)
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
    use std::os::fd::AsRawFd;

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
        assert_eq!(
            path.pid_file(4294967295, b"/cmdline"),
            Some(c"4294967295/cmdline")
        );
        assert_eq!(path.pid_file(0, b"/fd"), Some(c"0/fd"));
    }

    #[test]
    fn command_lines_and_status_uids() {
        assert_eq!(
            &*join_cmdline(b"python3\0-c\0print(1)\0"),
            b"python3 -c print(1)"
        );
        assert_eq!(
            &*join_cmdline(b"sshd: nobody@pts/0 [priv]"),
            b"sshd: nobody@pts/0 [priv]"
        );
        assert_eq!(&*join_cmdline(b"a\0\0b\0\0\0"), b"a  b");
        assert_eq!(&*join_cmdline(b""), b"");
        assert_eq!(&*join_cmdline(b"\0\0"), b"");
        let status = b"Name:\tsshd\nUmask:\t0022\nUid:\t0\t65534\t65534\t65534\nGid:\t0\n";
        assert_eq!(status_uid(status), Some(65534));
        assert_eq!(status_uid(b"Name: x\nUid:\t1000"), None, "no effective uid");
        assert_eq!(status_uid(b"Uid:\t1\tx\n"), None);
        assert_eq!(status_uid(b"Uid:\t1\t99999999999\n"), None);
        assert_eq!(status_uid(b""), None);
    }

    #[test]
    fn holders_list_every_descriptor_of_a_socket() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let copy = listener.try_clone().unwrap();
        let fds = [listener.as_raw_fd() as u32, copy.as_raw_fd() as u32];
        let link = std::fs::read_link(format!("/proc/self/fd/{}", fds[0])).unwrap();
        let inode = socket_inode(link.as_os_str().as_encoded_bytes()).unwrap();
        let holders = scan_holders().unwrap();
        let me = holders
            .processes
            .iter()
            .find(|p| p.pid == std::process::id())
            .expect("this process");
        let mine: Vec<u32> = me
            .sockets
            .iter()
            .filter(|s| s.inode == inode)
            .map(|s| s.fd)
            .collect();
        assert_eq!(mine, fds, "both descriptors, in fd order");
        assert!(me.sockets.windows(2).all(|w| w[0].fd < w[1].fd));
        assert_eq!(me.uid, Some(rustix::process::geteuid().as_raw()));
        let expected = std::fs::read("/proc/self/cmdline").unwrap();
        assert_eq!(&*me.cmdline, &*join_cmdline(&expected));
    }

    #[test]
    fn own_sockets_are_found_and_the_first_holder_wins() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let link = std::fs::read_link(format!(
            "/proc/self/fd/{}",
            std::os::fd::AsRawFd::as_raw_fd(&listener)
        ))
        .unwrap();
        let inode = socket_inode(link.as_os_str().as_encoded_bytes()).unwrap();
        let map = scan().unwrap();
        let owner = map.get(inode).expect("our own socket has an owner");
        assert_eq!(owner.pid, std::process::id());
    }
}
