//! Socket owners: every process's image name from a Toolhelp snapshot, indexed by PID (the
//! socket tables give each socket's PID). The snapshot needs no rights over the processes, so
//! unlike `-b` on Windows it never fails for another user's.

use windows_sys::Win32::Foundation::{CloseHandle, INVALID_HANDLE_VALUE};
use windows_sys::Win32::System::Diagnostics::ToolHelp::{
    CreateToolhelp32Snapshot, PROCESSENTRY32W, Process32FirstW, Process32NextW, TH32CS_SNAPPROCESS,
};

use super::mib::wide;
use crate::process::{InodeIndex, Owner, OwnerMap};
use crate::{Error, Result};

/// Every running process: its PID and image name (`svchost.exe`).
fn processes() -> Result<Vec<(u32, Box<[u8]>)>> {
    // SAFETY: no pointers are passed; the handle is checked and closed below.
    let snapshot = unsafe { CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0) };
    if snapshot == INVALID_HANDLE_VALUE {
        return Err(Error::system(
            "CreateToolhelp32Snapshot",
            std::io::Error::last_os_error(),
        ));
    }
    let mut found = Vec::new();
    let mut entry = PROCESSENTRY32W {
        dwSize: std::mem::size_of::<PROCESSENTRY32W>() as u32,
        ..PROCESSENTRY32W::default()
    };
    // SAFETY: `entry` is a PROCESSENTRY32W with dwSize set, as both calls require.
    let mut more = unsafe { Process32FirstW(snapshot, &mut entry) } != 0;
    while more {
        found.push((entry.th32ProcessID, wide(&entry.szExeFile)));
        // SAFETY: as above.
        more = unsafe { Process32NextW(snapshot, &mut entry) } != 0;
    }
    // SAFETY: the snapshot handle is valid and closed once.
    unsafe { CloseHandle(snapshot) };
    Ok(found)
}

/// PID → owner. PID 0 (the System Idle Process, and TIME_WAIT rows) owns nothing.
pub(crate) fn owner_map() -> Result<OwnerMap> {
    let processes: Vec<_> = processes()?
        .into_iter()
        .filter(|(pid, _)| *pid != 0)
        .collect();
    let mut map = OwnerMap {
        by_inode: InodeIndex::for_inodes(
            processes.iter().map(|(pid, _)| u64::from(*pid)).collect(),
        ),
        ..OwnerMap::default()
    };
    for (pid, image) in processes {
        let index = u32::try_from(map.owners.len()).unwrap_or(u32::MAX);
        if map.by_inode.insert_first(u64::from(pid), index) {
            map.owners.push(Owner { pid, argv0: image });
        }
    }
    Ok(map)
}
