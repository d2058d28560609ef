//! The libproc calls behind socket owners: every pid (`proc_listpids`), each one's descriptors
//! (`proc_pidinfo(PROC_PIDLISTFDS)`), each socket's handle (`proc_pidfdinfo`,
//! `PROC_PIDFDSOCKETINFO`), its executable (`proc_pidpath`, `proc_name`) and its user
//! (`proc_pidinfo(PROC_PIDTBSDINFO)`). [`owners`] assembles the results.

use std::io;

use super::owners::{self, ProcessSockets};
use super::procinfo::{PROX_FDTYPE_SOCKET, SOCKET_FDINFO_SIZE, SocketFdInfo, parse_fd_list};
use crate::process::{OwnerMap, SocketHolder, SocketHolders};
use crate::{Error, Result};

/// `proc_listpids` type for every process (`PROC_ALL_PIDS`).
const PROC_ALL_PIDS: u32 = 1;
/// `proc_pidfdinfo` flavor of a socket descriptor (`PROC_PIDFDSOCKETINFO`); libc lacks it.
const PROC_PIDFDSOCKETINFO: libc::c_int = 3;

pub(crate) fn owner_map() -> Result<OwnerMap> {
    let processes = list_pids()?.into_iter().filter_map(scan);
    Ok(owners::owner_map(processes.collect()))
}

pub(crate) fn socket_holders() -> Result<SocketHolders> {
    let mut holders = SocketHolders::default();
    for process in list_pids()?.into_iter().filter_map(scan) {
        holders.access_denied |= process.denied;
        if !process.denied && !process.sockets.is_empty() {
            let uid = user(process.pid);
            holders.processes.push(owners::holder(process, uid));
        }
    }
    Ok(holders)
}

pub(crate) fn socket_holder(pid: u32) -> Result<Option<SocketHolder>> {
    let Some(process) = scan(pid) else {
        return Ok(None);
    };
    if process.denied {
        let denied = io::Error::from(io::ErrorKind::PermissionDenied);
        return Err(Error::system("proc_pidinfo(PROC_PIDLISTFDS)", denied));
    }
    if process.sockets.is_empty() {
        return Ok(None);
    }
    let uid = user(pid);
    Ok(Some(owners::holder(process, uid)))
}

/// Every pid, ascending (the kernel lists them newest first).
fn list_pids() -> Result<Vec<u32>> {
    let failed = || Error::system("proc_listpids", io::Error::last_os_error());
    // SAFETY: a null buffer asks for the size in bytes; nothing is written.
    let need = unsafe { libc::proc_listpids(PROC_ALL_PIDS, 0, std::ptr::null_mut(), 0) };
    let need = usize::try_from(need).map_err(|_| failed())?;
    // Room for processes started since.
    let mut pids = vec![0 as libc::pid_t; need / size_of::<libc::pid_t>() + 64];
    let bytes = libc::c_int::try_from(pids.len() * size_of::<libc::pid_t>()).unwrap_or(0);
    // SAFETY: `pids` has `bytes` writable bytes, suitably aligned for pids; the call writes at
    // most that many and returns how many it wrote.
    let got = unsafe { libc::proc_listpids(PROC_ALL_PIDS, 0, pids.as_mut_ptr().cast(), bytes) };
    let got = usize::try_from(got).map_err(|_| failed())?;
    pids.truncate(got / size_of::<libc::pid_t>());
    let mut pids: Vec<u32> = pids
        .into_iter()
        .filter_map(|pid| u32::try_from(pid).ok())
        .filter(|&pid| pid != 0)
        .collect();
    pids.sort_unstable();
    pids.dedup();
    Ok(pids)
}

/// The sockets of one process and its path; `None` when it has exited. A process whose
/// descriptors we may not list is returned as `denied` (skipped, as on Linux).
fn scan(pid: u32) -> Option<ProcessSockets> {
    let c_pid = libc::c_int::try_from(pid).ok()?;
    let mut process = ProcessSockets {
        pid,
        ..ProcessSockets::default()
    };
    let fds = match descriptors(c_pid) {
        Ok(fds) => fds,
        Err(e) if e.raw_os_error() == Some(libc::EPERM) => {
            process.denied = true;
            return Some(process);
        }
        Err(_) => return None,
    };
    let Ok(entries) = parse_fd_list(&fds) else {
        return None;
    };
    let mut info = vec![0u8; SOCKET_FDINFO_SIZE];
    for entry in entries.filter(|e| e.kind == PROX_FDTYPE_SOCKET) {
        if let Some(so) = socket_handle(c_pid, entry.fd, &mut info) {
            process.sockets.push((entry.fd, so));
        }
    }
    if !process.sockets.is_empty() {
        process.path = path(c_pid);
    }
    Some(process)
}

/// The bytes `proc_pidinfo(PROC_PIDLISTFDS)` fills: one `proc_fdinfo` per descriptor.
fn descriptors(pid: libc::c_int) -> io::Result<Vec<u8>> {
    // SAFETY: a null buffer asks for the size in bytes; nothing is written.
    let need =
        unsafe { libc::proc_pidinfo(pid, libc::PROC_PIDLISTFDS, 0, std::ptr::null_mut(), 0) };
    if need <= 0 {
        return Err(io::Error::last_os_error());
    }
    // Room for descriptors opened since.
    let mut buf = vec![0u8; need as usize + 32 * size_of::<libc::proc_fdinfo>()];
    let len = libc::c_int::try_from(buf.len()).unwrap_or(libc::c_int::MAX);
    // SAFETY: `buf` has at least `len` writable bytes; the call writes at most that many and
    // returns how many it wrote.
    let got =
        unsafe { libc::proc_pidinfo(pid, libc::PROC_PIDLISTFDS, 0, buf.as_mut_ptr().cast(), len) };
    if got <= 0 {
        return Err(io::Error::last_os_error());
    }
    buf.truncate(got as usize);
    Ok(buf)
}

/// The kernel handle of socket descriptor `fd` (`soi_so`); `None` if it was closed meanwhile
/// or the kernel's answer does not parse.
fn socket_handle(pid: libc::c_int, fd: i32, buf: &mut [u8]) -> Option<u64> {
    let len = libc::c_int::try_from(buf.len()).ok()?;
    // SAFETY: `buf` has `len` writable bytes; the call writes at most that many and returns
    // how many it wrote.
    let got = unsafe {
        libc::proc_pidfdinfo(pid, fd, PROC_PIDFDSOCKETINFO, buf.as_mut_ptr().cast(), len)
    };
    let filled = buf.get(..usize::try_from(got).ok()?)?;
    SocketFdInfo::parse(filled).ok().map(|info| info.so)
}

/// The executable's path, or the process's name when the path cannot be read.
fn path(pid: libc::c_int) -> Box<[u8]> {
    let mut buf = vec![0u8; libc::PROC_PIDPATHINFO_MAXSIZE as usize];
    let len = buf.len() as u32;
    // SAFETY: `buf` has `len` writable bytes; the call writes a NUL-terminated path of at most
    // that many and returns its length.
    let mut got = unsafe { libc::proc_pidpath(pid, buf.as_mut_ptr().cast(), len) };
    if got <= 0 {
        // SAFETY: as above; `proc_name` writes at most `len` bytes.
        got = unsafe { libc::proc_name(pid, buf.as_mut_ptr().cast(), len) };
    }
    buf.truncate(usize::try_from(got).unwrap_or(0));
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    buf.truncate(end);
    buf.into_boxed_slice()
}

/// The process's effective user (`pbi_uid`); `None` if it cannot be read.
fn user(pid: u32) -> Option<u32> {
    let pid = libc::c_int::try_from(pid).ok()?;
    let mut info = std::mem::MaybeUninit::<libc::proc_bsdinfo>::zeroed();
    let size = libc::c_int::try_from(size_of::<libc::proc_bsdinfo>()).ok()?;
    // SAFETY: `info` has room for one `proc_bsdinfo`, `size` bytes; the call fills at most
    // that many and returns how many.
    let got = unsafe {
        libc::proc_pidinfo(
            pid,
            libc::PROC_PIDTBSDINFO,
            0,
            info.as_mut_ptr().cast(),
            size,
        )
    };
    if got != size {
        return None;
    }
    // SAFETY: all zeroes is a valid `proc_bsdinfo` (integers and byte arrays), and the kernel
    // filled it whole (checked above).
    Some(unsafe { info.assume_init() }.pbi_uid)
}
