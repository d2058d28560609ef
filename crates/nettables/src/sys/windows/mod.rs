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
pub(crate) use sockets::SocketTables;

use crate::sys::{Capabilities, OwnerKey};

pub(crate) const CAPABILITIES: Capabilities = Capabilities {
    system: "windows",
    inet_sockets: true,
    other_inet_protocols: false,
    unix_sockets: false,
    queues: false,
    owners: OwnerKey::Pid,
    holders: false,
    tcp_info: false,
    kernel_filter: false,
    events: false,
    namespaces: false,
    routes: (false, false),
    interfaces: false,
    counters: false,
    sockstat: false,
    groups: false,
    sysctl: false,
};
