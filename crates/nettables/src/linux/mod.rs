//! The Linux backend: netlink sock_diag for Internet sockets, /proc for everything only /proc has.
//!
//! Public for the `/proc` paths and the parsers of their text: [`proc_inet`] (`/proc/net/tcp`
//! and its kin), [`proc_unix`] (`/proc/net/unix`), [`route`] (`/proc/net/route`,
//! `/proc/net/rt_cache`, `/proc/net/ipv6_route`), [`iface`] (`/proc/net/dev`,
//! `/proc/net/if_inet6`) and [`proc_net`] (where `/proc/net` is). The library's collectors reach
//! them through [`crate::sys`]; the rest of this module is its machinery.

pub(crate) mod bytecode;
pub(crate) mod destroy;
pub mod iface;
pub(crate) mod netlink;
pub(crate) mod netns;
pub mod proc_inet;
pub mod proc_net;
pub mod proc_unix;
pub(crate) mod process;
pub mod route;
pub(crate) mod sock_diag;
pub(crate) mod sockstat;
pub(crate) mod sysctl;
pub(crate) mod unix_diag;

use std::io::Read;

use crate::{Error, Result};

/// The whole text of a `/proc` file (their size is reported as 0, so they are read to the end).
pub(crate) fn read_file(path: &'static str) -> Result<Vec<u8>> {
    read_at_most(path, u64::MAX)
}

/// Up to `limit` bytes of a file.
pub(crate) fn read_at_most(
    path: impl Into<std::borrow::Cow<'static, str>>,
    limit: u64,
) -> Result<Vec<u8>> {
    let path = path.into();
    let file = match std::fs::File::open(proc_net::resolve(&path)) {
        Ok(file) => file,
        Err(e) => return Err(Error::open(path, e)),
    };
    let mut text = Vec::with_capacity(8 * 1024);
    match file.take(limit).read_to_end(&mut text) {
        Ok(_) => Ok(text),
        Err(e) => Err(Error::read(path, e)),
    }
}
