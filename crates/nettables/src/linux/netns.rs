//! `setns(2)` on namespace files.

use std::io;
use std::os::fd::{AsFd, OwnedFd};

use crate::{Error, Result};

use rustix::fs::{Mode, OFlags};
use rustix::mount::{MountPropagationFlags, mount_bind, mount_change};
use rustix::thread::{LinkNameSpaceType, UnshareFlags, move_into_link_name_space, unshare_unsafe};

/// `NSFS_MAGIC`: the file system of namespace files.
const NSFS_MAGIC: i64 = 0x6e73_6673;

pub(crate) fn open(path: String) -> Result<OwnedFd> {
    let fd = match rustix::fs::open(&path, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty()) {
        Ok(fd) => fd,
        Err(e) => return Err(Error::open(path, e.into())),
    };
    // `ip netns add` creates the file before it mounts the namespace on it.
    let fs = match rustix::fs::fstatfs(&fd) {
        Ok(fs) => fs,
        Err(e) => return Err(Error::read(path, e.into())),
    };
    // `f_type`'s integer type differs between architectures.
    #[allow(clippy::useless_conversion)]
    if i64::from(fs.f_type) != NSFS_MAGIC {
        return Err(Error::NotAvailable {
            what: path.into(),
            source: io::Error::new(io::ErrorKind::InvalidData, "not a namespace file"),
        });
    }
    Ok(fd)
}

pub(crate) fn enter(fd: &OwnedFd) -> Result<()> {
    move_into_link_name_space(fd.as_fd(), Some(LinkNameSpaceType::Network))
        .map_err(|e| Error::system("setns", e.into()))
}

pub(crate) fn id(fd: &OwnedFd) -> Result<(u64, u64)> {
    let stat = rustix::fs::fstat(fd.as_fd()).map_err(|e| Error::system("fstat", e.into()))?;
    Ok((stat.st_dev, stat.st_ino))
}

pub(crate) fn bind_etc(dir: &std::path::Path) -> Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
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
    for entry in entries.flatten() {
        let target = std::path::Path::new("/etc").join(entry.file_name());
        let _ = mount_bind(entry.path(), &target);
    }
    Ok(())
}
