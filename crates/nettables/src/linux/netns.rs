//! `setns(2)` on namespace files, the `/proc` reads of namespace discovery, and the `/etc`
//! bind mounts of `ip netns exec`.
//!
//! Files under `/run/netns` and `/etc/netns` are anyone's to put there: a FIFO, a device or a
//! huge file. They are first opened with `O_PATH`, which neither blocks nor touches the file,
//! and checked (namespace file system; regular file of bounded size) before anything else.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, FileType, Mode, OFlags, RawDir};
use rustix::mount::{MountPropagationFlags, mount_bind, mount_change};
use rustix::thread::{LinkNameSpaceType, UnshareFlags, move_into_link_name_space, unshare_unsafe};

use crate::netns::Refused;
use crate::{Error, Result};

/// `NSFS_MAGIC`: the file system of namespace files.
const NSFS_MAGIC: i64 = 0x6e73_6673;
const PROC_SUPER_MAGIC: i64 = 0x9fa0;
const SYSFS_MAGIC: i64 = 0x6265_6572;

/// The largest `/etc/netns/NAME/*` file bound: hosts files with block lists run to a few MB.
const ETC_FILE_MAX: u64 = 16 << 20;
/// Bounds for the `/proc/PID` files discovery reads (`stat` is one line; `cgroup` a line per
/// hierarchy, each path at most PATH_MAX).
const STAT_MAX: usize = 4096;
const CGROUP_MAX: usize = 64 * 1024;

fn fs_type(fd: impl AsFd) -> io::Result<i64> {
    let fs = rustix::fs::fstatfs(fd)?;
    // `f_type`'s integer type differs between architectures.
    #[allow(clippy::useless_conversion)]
    Ok(i64::from(fs.f_type))
}

fn not_a_namespace(path: &Path) -> Error {
    Error::NotAvailable {
        what: path.display().to_string().into(),
        source: io::Error::new(io::ErrorKind::InvalidData, "not a namespace file"),
    }
}

pub(crate) fn open(path: &Path) -> Result<OwnedFd> {
    let what = || path.display().to_string();
    let probe = rustix::fs::open(path, OFlags::PATH | OFlags::CLOEXEC, Mode::empty())
        .map_err(|e| Error::open(what(), e.into()))?;
    // `ip netns add` creates the file before it mounts the namespace on it; anything else
    // (a FIFO, a device) is refused before it is opened for real.
    if fs_type(&probe).map_err(|e| Error::read(what(), e))? != NSFS_MAGIC {
        return Err(not_a_namespace(path));
    }
    // setns needs a real descriptor; reopening through the O_PATH one opens the same file.
    rustix::fs::open(
        format!("/proc/self/fd/{}", probe.as_raw_fd()),
        OFlags::RDONLY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| Error::open(what(), e.into()))
}

pub(crate) fn enter(fd: &OwnedFd) -> Result<()> {
    move_into_link_name_space(fd.as_fd(), Some(LinkNameSpaceType::Network))
        .map_err(|e| Error::system("setns", e.into()))
}

pub(crate) fn id(fd: &OwnedFd) -> Result<(u64, u64)> {
    let stat = rustix::fs::fstat(fd.as_fd()).map_err(|e| Error::system("fstat", e.into()))?;
    Ok((stat.st_dev, stat.st_ino))
}

/// The identity of the namespace file at `path`, or `None` when it is something else (not
/// yet mounted, a FIFO, ...). Nothing is opened for reading: both answers come from one
/// `O_PATH` descriptor, so they are about the same file.
pub(crate) fn file_id(path: &Path) -> Result<Option<(u64, u64)>> {
    let what = || path.display().to_string();
    let fd = rustix::fs::open(path, OFlags::PATH | OFlags::CLOEXEC, Mode::empty())
        .map_err(|e| Error::open(what(), e.into()))?;
    if fs_type(&fd).map_err(|e| Error::read(what(), e))? != NSFS_MAGIC {
        return Ok(None);
    }
    id(&fd).map(Some)
}

/// `/proc`, opened once: the files of discovery are opened relative to it, which spares a
/// path walk per file (path look-ups are most of discovery's cost). Never read as a
/// directory (its read position would be shared).
fn proc_dir() -> Result<&'static OwnedFd> {
    static PROC: std::sync::OnceLock<OwnedFd> = std::sync::OnceLock::new();
    if let Some(dir) = PROC.get() {
        return Ok(dir);
    }
    // A C string literal: a `&str` path is copied into a stack buffer by code whose immediate
    // operands `strings` shows as "/prof", which chkrootkit's netstat test takes for a rootkit.
    let dir = rustix::fs::open(
        c"/proc",
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| Error::open("/proc", e.into()))?;
    Ok(PROC.get_or_init(|| dir))
}

/// Every process's pid.
pub(crate) fn pids() -> Result<Vec<u32>> {
    // A descriptor of its own: a directory's read position belongs to the descriptor.
    let listing = rustix::fs::openat(
        proc_dir()?,
        ".",
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| Error::open("/proc", e.into()))?;
    let mut pids = Vec::new();
    let mut buf = [std::mem::MaybeUninit::<u8>::uninit(); 16 * 1024];
    let mut dir = RawDir::new(&listing, &mut buf);
    while let Some(entry) = dir.next() {
        let entry = entry.map_err(|e| Error::read("/proc", e.into()))?;
        if let Some(pid) = parse_pid(entry.file_name().to_bytes()) {
            pids.push(pid);
        }
    }
    Ok(pids)
}

/// What `/proc/PID/ns/net` says.
pub(crate) enum Lookup {
    /// The namespace's identity (device, inode).
    Found((u64, u64)),
    /// Another user's process, without the privilege to look.
    Unreadable,
    /// Exited (or a zombie, which has no namespaces).
    Gone,
}

/// The network namespace of process `pid`: one `stat`, nothing opened.
pub(crate) fn process_namespace(pid: u32) -> Lookup {
    let Ok(proc) = proc_dir() else {
        return Lookup::Gone;
    };
    match rustix::fs::statat(proc, format!("{pid}/ns/net"), AtFlags::empty()) {
        Ok(stat) => Lookup::Found((stat.st_dev, stat.st_ino)),
        Err(rustix::io::Errno::ACCESS | rustix::io::Errno::PERM) => Lookup::Unreadable,
        Err(_) => Lookup::Gone,
    }
}

/// What `/proc/PID/stat` tells about a process: when it started (clock ticks after boot)
/// and its command name.
pub(crate) fn process_start(pid: u32) -> Option<(u64, String)> {
    parse_stat(&read_proc_file(pid, "stat", STAT_MAX)?)
}

/// `/proc/PID/cgroup`, bounded.
pub(crate) fn process_cgroup(pid: u32) -> Option<String> {
    String::from_utf8(read_proc_file(pid, "cgroup", CGROUP_MAX)?).ok()
}

/// `/proc/PID/FILE`, at most `cap` bytes. A read that returns less than asked ends the file
/// (procfs generates it whole), so a small file takes one `read`.
fn read_proc_file(pid: u32, file: &str, cap: usize) -> Option<Vec<u8>> {
    let fd = rustix::fs::openat(
        proc_dir().ok()?,
        format!("{pid}/{file}"),
        OFlags::RDONLY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .ok()?;
    let mut buf = vec![0u8; cap.min(1024)];
    let mut len = 0;
    loop {
        let n = rustix::io::read(&fd, &mut buf[len..]).ok()?;
        len += n;
        if n == 0 || len < buf.len() || buf.len() == cap {
            break;
        }
        buf.resize((buf.len() * 4).min(cap), 0);
    }
    buf.truncate(len);
    Some(buf)
}

/// `PID (COMM) STATE PPID ...`: the command may hold spaces and parentheses, so it ends at
/// the last `)`; the start time is field 22.
fn parse_stat(stat: &[u8]) -> Option<(u64, String)> {
    let open = stat.iter().position(|&b| b == b'(')?;
    let close = stat.iter().rposition(|&b| b == b')')?;
    let comm = String::from_utf8_lossy(stat.get(open + 1..close)?).into_owned();
    let rest = std::str::from_utf8(stat.get(close + 1..)?).ok()?;
    // After the command come fields 3 (state) onwards.
    let start = rest.split_ascii_whitespace().nth(22 - 3)?.parse().ok()?;
    Some((start, comm))
}

fn parse_pid(name: &[u8]) -> Option<u32> {
    if name.is_empty() || !name.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(name).ok()?.parse().ok()
}

pub(crate) fn bind_etc(dir: &Path) -> Result<Vec<Refused>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::open(dir.display().to_string(), e)),
    };
    // SAFETY: only the mount namespace is unshared, not the file descriptor table, so no
    // descriptor changes meaning for any thread.
    unsafe { unshare_unsafe(UnshareFlags::NEWNS) }
        .map_err(|e| Error::system("unshare", e.into()))?;
    // Keep our bind mounts from propagating back to the rest of the system.
    mount_change(
        "/",
        MountPropagationFlags::DOWNSTREAM | MountPropagationFlags::REC,
    )
    .map_err(|e| Error::system("mount", e.into()))?;
    let mut refused = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        // Opened in the new mount namespace: a bind mount's source must be in it.
        let fd = match check_etc_file(&path) {
            Ok(fd) => fd,
            Err(reason) => {
                refused.push(Refused { path, reason });
                continue;
            }
        };
        let target = Path::new("/etc").join(entry.file_name());
        // Bind the file that was checked, through its descriptor, not whatever the name
        // points at now. Like `ip netns exec`, a file that cannot be bound is skipped.
        let source = PathBuf::from(format!("/proc/self/fd/{}", fd.as_raw_fd()));
        let _ = mount_bind(&source, &target);
    }
    Ok(refused)
}

/// An `/etc/netns/NAME` entry that may stand in for an `/etc` file: a regular file of bounded
/// size, opened without blocking and without reading it.
fn check_etc_file(path: &Path) -> std::result::Result<OwnedFd, &'static str> {
    let c_path = CString::new(path.as_os_str().as_bytes()).map_err(|_| "a bad file name")?;
    let fd = rustix::fs::open(&*c_path, OFlags::PATH | OFlags::CLOEXEC, Mode::empty())
        .map_err(|_| "cannot be opened")?;
    let stat = rustix::fs::fstat(&fd).map_err(|_| "cannot be examined")?;
    if FileType::from_raw_mode(stat.st_mode) != FileType::RegularFile {
        return Err("not a regular file");
    }
    if stat.st_size as u64 > ETC_FILE_MAX {
        return Err("larger than 16 MiB");
    }
    // /proc and /sys files report no size, and may hold anything (or never end).
    match fs_type(&fd) {
        Ok(PROC_SUPER_MAGIC | SYSFS_MAGIC) => Err("a /proc or /sys file"),
        Ok(_) => Ok(fd),
        Err(_) => Err("cannot be examined"),
    }
}

/// Whether `file` is on `/proc` or `/sys` (or its file system cannot be told): such files
/// report no size, and may hold anything. Also used for the audit's config file.
pub(crate) fn is_proc_or_sys(file: impl AsFd) -> bool {
    !matches!(fs_type(file), Ok(t) if t != PROC_SUPER_MAGIC && t != SYSFS_MAGIC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_give_start_time_and_command() {
        let line = b"4242 (a (weird) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 12345 67 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
        assert_eq!(
            parse_stat(line),
            Some((987_654, "a (weird) name".to_string()))
        );
        assert_eq!(parse_stat(b"12 (short) S 1"), None);
        assert_eq!(parse_stat(b""), None);
    }

    #[test]
    fn own_process_is_found_with_its_namespace() {
        let own = std::process::id();
        assert!(pids().expect("scan /proc").contains(&own));
        let Lookup::Found(id) = process_namespace(own) else {
            panic!("own namespace");
        };
        assert_eq!(
            Some(id),
            file_id(Path::new("/proc/self/ns/net")).expect("own namespace")
        );
        assert!(matches!(process_namespace(u32::MAX), Lookup::Gone));
        let (start, comm) = process_start(own).expect("own stat");
        assert!(start > 0 && !comm.is_empty());
        assert!(process_cgroup(own).is_some_and(|c| c.contains("::") || c.contains(':')));
    }

    #[test]
    fn fifos_and_plain_files_are_not_namespaces_and_never_block() {
        let dir = std::env::temp_dir().join(format!("nettables-netns-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("fifo");
        let c_fifo = CString::new(fifo.as_os_str().as_bytes()).unwrap();
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &*c_fifo,
            FileType::Fifo,
            Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let plain = dir.join("plain");
        std::fs::write(&plain, "x").unwrap();
        for path in [&fifo, &plain] {
            let err = open(path).expect_err("not a namespace");
            assert!(err.is_not_available(), "{err}");
            assert_eq!(
                err.os_error().map(io::Error::kind),
                Some(io::ErrorKind::InvalidData)
            );
            assert_eq!(file_id(path).unwrap(), None);
        }
        assert_eq!(check_etc_file(&fifo).unwrap_err(), "not a regular file");
        assert!(check_etc_file(&plain).is_ok());
        assert_eq!(
            check_etc_file(Path::new("/proc/self/environ")).unwrap_err(),
            "a /proc or /sys file"
        );
        let sparse = std::fs::File::create(dir.join("sparse")).unwrap();
        sparse.set_len(ETC_FILE_MAX + 1).unwrap();
        assert_eq!(
            check_etc_file(&dir.join("sparse")).unwrap_err(),
            "larger than 16 MiB"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
