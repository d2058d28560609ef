//! The Windows backend of the seam: IP Helper (`iphlpapi.dll`) through `windows-sys`.
//!
//! Sockets have no inode on Windows; the tables name each socket's owning process instead, so
//! a record's `inode` holds that PID and the owner map ([`OwnerKey::Pid`]) gives the process's
//! image name. What Windows has no counterpart of (Unix sockets, `tcp_info`, namespaces,
//! sysctl, `/proc`'s sockstat and memberships) comes from [`super::unsupported`].

mod owners;
mod sockets;

pub(crate) use super::unsupported::*;
pub(crate) use owners::owner_map;
pub(crate) use sockets::inet_sockets;

use crate::sys::{Capabilities, OwnerKey};

pub(crate) const CAPABILITIES: Capabilities = Capabilities {
    system: "windows",
    inet_sockets: true,
    owners: OwnerKey::Pid,
    ..super::unsupported::CAPABILITIES
};
