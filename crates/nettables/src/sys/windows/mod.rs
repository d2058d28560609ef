//! The Windows backend of the seam: IP Helper (`iphlpapi.dll`) through `windows-sys`.
//!
//! Sockets have no inode on Windows; the tables name each socket's owning process instead, so
//! a record's `inode` holds that PID and the owner map ([`OwnerKey::Pid`]) gives the process's
//! image name. Interfaces, routes and protocol counters come from the IP Helper tables
//! (`GetIfTable2`, `GetIpForwardTable2`, `Get*StatisticsEx`) into the library's portable
//! records, and persistent routes from the registry. What Windows has no counterpart of (Unix sockets, `tcp_info`, namespaces, sysctl,
//! `/proc`'s sockstat and memberships, the IPv4 route cache) comes from
//! [`super::unsupported`].

mod counters;
mod iface;
mod mib;
mod owners;
mod persistent;
mod route;
mod sockets;

pub(crate) use super::unsupported::*;
pub(crate) use counters::counters;
pub(crate) use iface::{device_counters, if_table, interfaces};
pub(crate) use owners::owner_map;
pub(crate) use persistent::ipv4_persistent_routes;
pub(crate) use route::{ipv4_routes, ipv6_routes};
pub(crate) use sockets::inet_sockets;

use crate::sys::{Capabilities, OwnerKey};

pub(crate) const CAPABILITIES: Capabilities = Capabilities {
    system: "windows",
    inet_sockets: true,
    owners: OwnerKey::Pid,
    routes: (true, true),
    interfaces: true,
    if_table: true,
    counters: true,
    ..super::unsupported::CAPABILITIES
};
