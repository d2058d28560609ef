//! The macOS backend of the seam: TCP and UDP sockets from `sysctl net.inet.tcp.pcblist_n` and
//! `net.inet.udp.pcblist_n`, read by the [`pcblist`](super::pcblist) parser. Owners, routes,
//! interfaces and statistics have parsers beside this module (tested on Linux) but no calls
//! yet, so they come from [`crate::sys::unsupported`] and the capabilities say so.

use std::ffi::CStr;
use std::io;

pub(crate) use super::processes::{owner_map, socket_holder, socket_holders};
pub(crate) use crate::sys::unsupported::*;

use super::pcblist::PcbList;
use crate::inet::{Family, InetSocket, Protocol};
use crate::sys::{Capabilities, OwnerKey};
use crate::{Error, Result};

pub(crate) const CAPABILITIES: Capabilities = Capabilities {
    system: "macos",
    inet_sockets: true,
    queues: true,
    owners: OwnerKey::Inode,
    holders: true,
    ..crate::sys::unsupported::CAPABILITIES
};

/// Every socket of one table, in kernel order. A socket whose records the parser cannot
/// decode is left out, as a malformed `/proc` line is on Linux.
pub(crate) fn inet_sockets(protocol: Protocol, family: Family) -> Result<Vec<InetSocket>> {
    let name = match protocol {
        Protocol::Tcp => c"net.inet.tcp.pcblist_n",
        Protocol::Udp => c"net.inet.udp.pcblist_n",
        Protocol::UdpLite | Protocol::Raw => {
            return Err(Error::unsupported("raw and UDP-Lite socket tables"));
        }
    };
    let buf = sysctl_bytes(name)?;
    let list = PcbList::parse(&buf, protocol).map_err(|e| {
        let what = name.to_string_lossy().into_owned();
        Error::read(
            what,
            io::Error::new(io::ErrorKind::InvalidData, e.to_string()),
        )
    })?;
    Ok(list
        .sockets()
        .filter_map(|sock| sock.ok())
        .map(|sock| sock.socket)
        .filter(|sock| sock.family == family)
        .collect())
}

/// The value of a binary sysctl; the table may grow between the size query and the read, so
/// the buffer has room to spare and the read is retried.
fn sysctl_bytes(name: &CStr) -> Result<Vec<u8>> {
    for _ in 0..8 {
        let mut size: libc::size_t = 0;
        // SAFETY: a null buffer asks for the size, written to `size`.
        let rc = unsafe {
            libc::sysctlbyname(
                name.as_ptr(),
                std::ptr::null_mut(),
                &mut size,
                std::ptr::null_mut(),
                0,
            )
        };
        if rc != 0 {
            return Err(Error::system("sysctlbyname", io::Error::last_os_error()));
        }
        let mut buf = vec![0u8; size + size / 4 + 4096];
        let mut got = buf.len();
        // SAFETY: `buf` has `got` writable bytes; the call writes at most that many and sets
        // `got` to what it wrote.
        let rc = unsafe {
            libc::sysctlbyname(
                name.as_ptr(),
                buf.as_mut_ptr().cast(),
                &mut got,
                std::ptr::null_mut(),
                0,
            )
        };
        if rc == 0 {
            buf.truncate(got);
            return Ok(buf);
        }
        let e = io::Error::last_os_error();
        if e.raw_os_error() != Some(libc::ENOMEM) {
            return Err(Error::system("sysctlbyname", e));
        }
    }
    Err(Error::system(
        "sysctlbyname",
        io::Error::from_raw_os_error(libc::ENOMEM),
    ))
}
