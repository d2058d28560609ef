//! The `/proc/<pid>/fd` scan behind [`OwnerMap`], with no allocation per file descriptor.

use std::ffi::CStr;
use std::io;
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, OwnedFd};

use rustix::fs::{Mode, OFlags, RawDir};

use crate::process::{Owner, OwnerMap};

/// Bytes of `/proc/<pid>/cmdline` that are read, as net-tools does.
const CMDLINE_MAX: usize = 511;

pub(crate) fn scan() -> io::Result<OwnerMap> {
    let proc = open_dir(None, c"/proc")?;
    let mut map = OwnerMap::default();
    let mut proc_buf = [MaybeUninit::<u8>::uninit(); 8192];
    let mut fd_buf = [MaybeUninit::<u8>::uninit(); 8192];
    let mut pids = RawDir::new(&proc, &mut proc_buf);
    while let Some(entry) = pids.next() {
        let Ok(entry) = entry else { break };
        let name = entry.file_name();
        let Some(pid) = parse_pid(name.to_bytes()) else { continue };
        let fd_dir = match open_fd_dir(&proc, name) {
            Ok(dir) => dir,
            Err(rustix::io::Errno::ACCESS) => {
                map.access_denied = true;
                continue;
            }
            Err(_) => continue, // the process exited meanwhile
        };
        scan_process(&proc, name, pid, &fd_dir, &mut fd_buf, &mut map);
    }
    Ok(map)
}

fn scan_process(
    proc: &OwnedFd,
    pid_name: &CStr,
    pid: u32,
    fd_dir: &OwnedFd,
    buf: &mut [MaybeUninit<u8>],
    map: &mut OwnerMap,
) {
    let mut owner_index: Option<u32> = None;
    let mut fds = RawDir::new(fd_dir, buf);
    let mut link = [0u8; 64];
    while let Some(entry) = fds.next() {
        let Ok(entry) = entry else { break };
        let fd_name = entry.file_name();
        if !fd_name.to_bytes().first().is_some_and(u8::is_ascii_digit) {
            continue;
        }
        let Ok(len) = rustix::fs::readlinkat_raw(fd_dir, fd_name, &mut link[..]) else { continue };
        let Some(inode) = socket_inode(&link[..len.min(link.len())]) else { continue };
        if map.by_inode.contains_key(&inode) {
            continue;
        }
        let index = match owner_index {
            Some(index) => index,
            None => {
                let Some(argv0) = read_argv0(proc, pid_name) else { continue };
                let index = u32::try_from(map.owners.len()).unwrap_or(u32::MAX);
                map.owners.push(Owner { pid, argv0 });
                owner_index = Some(index);
                index
            }
        };
        map.by_inode.insert(inode, index);
    }
}

fn open_dir(at: Option<&OwnedFd>, path: &CStr) -> io::Result<OwnedFd> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let fd = match at {
        Some(dir) => rustix::fs::openat(dir, path, flags, Mode::empty()),
        None => rustix::fs::open(path, flags, Mode::empty()),
    };
    Ok(fd?)
}

fn open_fd_dir(proc: &OwnedFd, pid_name: &CStr) -> Result<OwnedFd, rustix::io::Errno> {
    let mut path = [0u8; 32];
    let c_path = join(&mut path, pid_name.to_bytes(), b"/fd").ok_or(rustix::io::Errno::NAMETOOLONG)?;
    rustix::fs::openat(
        proc.as_fd(),
        c_path,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
}

fn read_argv0(proc: &OwnedFd, pid_name: &CStr) -> Option<Box<[u8]>> {
    let mut path = [0u8; 32];
    let c_path = join(&mut path, pid_name.to_bytes(), b"/cmdline")?;
    let fd = rustix::fs::openat(proc.as_fd(), c_path, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty()).ok()?;
    let mut buf = [0u8; CMDLINE_MAX];
    let n = rustix::io::read(&fd, &mut buf).ok()?;
    let cmdline = &buf[..n];
    let argv0 = cmdline.split(|&b| b == 0).next().unwrap_or(&[]);
    Some(argv0.into())
}

/// Writes `a` + `b` + NUL into `buf` and returns it as a C string.
fn join<'a>(buf: &'a mut [u8], a: &[u8], b: &[u8]) -> Option<&'a CStr> {
    let total = a.len() + b.len();
    if total + 1 > buf.len() {
        return None;
    }
    buf[..a.len()].copy_from_slice(a);
    buf[a.len()..total].copy_from_slice(b);
    buf[total] = 0;
    CStr::from_bytes_with_nul(&buf[..=total]).ok()
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
    fn pids_are_digits_only() {
        assert_eq!(parse_pid(b"123"), Some(123));
        assert_eq!(parse_pid(b"self"), None);
        assert_eq!(parse_pid(b""), None);
    }

    #[test]
    fn own_sockets_are_found() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let link = std::fs::read_link(format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(&listener))).unwrap();
        let inode = socket_inode(link.as_os_str().as_encoded_bytes()).unwrap();
        let map = scan().unwrap();
        let owner = map.get(inode).expect("our own socket has an owner");
        assert_eq!(owner.pid, std::process::id());
    }
}
