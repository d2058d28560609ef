//! The backend of a system the library cannot read: every call says so
//! ([`Error::Unsupported`](crate::Error::Unsupported)). The Windows and macOS backends take
//! from here what their systems do not have (a glob import, shadowed by what they have).
#![cfg_attr(
    any(windows, target_os = "macos"),
    expect(
        dead_code,
        reason = "the Windows and macOS backends take only what they lack"
    )
)]

use std::path::Path;

use crate::counters::{CounterFile, Counters};
use crate::error::ReadError;
use crate::groups::GroupLine;
use crate::iface::{Counters as DeviceCounters, Inet6Address, Listing};
use crate::inet::{Family, InetQuery, InetSocket, Protocol};
use crate::netns::Refused;
use crate::process::{OwnerMap, SocketHolder, SocketHolders};
use crate::reader::Source;
use crate::route::{CachedRoute, Ipv4Route, Ipv6Route};
use crate::sockstat::Sockstat;
use crate::sys::{Capabilities, OwnerKey};
use crate::tcp_info::TcpDetails;
use crate::unix::UnixSocket;
use crate::{Error, Result};

pub(crate) const CAPABILITIES: Capabilities = Capabilities {
    system: std::env::consts::OS,
    inet_sockets: false,
    other_inet_protocols: false,
    unix_sockets: false,
    queues: false,
    owners: OwnerKey::None,
    holders: false,
    tcp_info: false,
    kernel_filter: false,
    events: false,
    namespaces: false,
    routes: (false, false),
    interfaces: false,
    if_table: false,
    counters: false,
    sockstat: false,
    groups: false,
    sysctl: false,
};

/// The socket tables of a backend that keeps nothing between calls: [`inet_sockets`] and
/// [`for_each_unix`] of the system's backend (this one's, where it has none), the former
/// filtered by the query.
pub(crate) struct SocketTables;

impl SocketTables {
    pub(crate) fn new(_: Source) -> SocketTables {
        SocketTables
    }

    pub(crate) fn bad_lines(&self) -> usize {
        0
    }

    pub(crate) fn for_each_inet_detailed<E>(
        &mut self,
        query: &InetQuery,
        mut each: impl FnMut(&InetSocket, Option<&TcpDetails>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), ReadError<E>> {
        for sock in crate::sys::imp::inet_sockets(query.protocol, query.family)? {
            if query.accepts(&sock) {
                each(&sock, None).map_err(ReadError::Callback)?;
            }
        }
        Ok(())
    }

    pub(crate) fn for_each_unix<E>(
        &mut self,
        each: impl FnMut(&UnixSocket<'_>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), ReadError<E>> {
        crate::sys::imp::for_each_unix(each)
    }
}

/// Calls `each` for every Unix domain socket.
pub(crate) fn for_each_unix<E>(
    _: impl FnMut(&UnixSocket<'_>) -> std::result::Result<(), E>,
) -> std::result::Result<(), ReadError<E>> {
    Err(Error::unsupported("Unix domain sockets").into())
}

/// Every socket of one table.
pub(crate) fn inet_sockets(_: Protocol, _: Family) -> Result<Vec<InetSocket>> {
    Err(Error::unsupported("Internet sockets"))
}

/// A namespace handle that cannot exist. Boxed so that, like a real one, it has a destructor:
/// callers drop handles on purpose.
pub(crate) type Namespace = Box<std::convert::Infallible>;

pub(crate) fn open_namespace(_: &Path) -> Result<Namespace> {
    Err(Error::unsupported("network namespaces"))
}

pub(crate) fn enter_namespace(ns: &Namespace) -> Result<()> {
    match **ns {}
}

pub(crate) fn namespace_id(ns: &Namespace) -> Result<(u64, u64)> {
    match **ns {}
}

pub(crate) fn bind_etc(_: &Path) -> Result<Vec<Refused>> {
    Err(Error::unsupported("network namespaces"))
}

/// Namespace discovery finds nothing to look at.
pub(crate) mod netns_lookup {
    use std::path::Path;

    use crate::{Error, Result};

    #[expect(dead_code, reason = "a system without namespaces finds none")]
    pub(crate) enum Lookup {
        Found((u64, u64)),
        Unreadable,
        Gone,
    }

    pub(crate) fn file_id(_: &Path) -> Result<Option<(u64, u64)>> {
        Err(Error::unsupported("network namespaces"))
    }
    pub(crate) fn pids() -> Result<Vec<u32>> {
        Err(Error::unsupported("network namespaces"))
    }
    pub(crate) fn process_namespace(_: u32) -> Lookup {
        Lookup::Gone
    }
    pub(crate) fn process_start(_: u32) -> Option<(u64, String)> {
        None
    }
    pub(crate) fn process_cgroup(_: u32) -> Option<String> {
        None
    }
}

pub(crate) fn owner_map() -> Result<OwnerMap> {
    Err(Error::unsupported("socket owners"))
}

pub(crate) fn socket_holders() -> Result<SocketHolders> {
    Err(Error::unsupported("socket holders"))
}

pub(crate) fn socket_holder(_: u32) -> Result<Option<SocketHolder>> {
    Err(Error::unsupported("socket holders"))
}

pub(crate) fn ipv4_routes() -> Result<Vec<Ipv4Route>> {
    Err(Error::unsupported("the IPv4 routing table"))
}

pub(crate) fn ipv4_route_cache() -> Result<Vec<CachedRoute>> {
    Err(Error::unsupported("the IPv4 route cache"))
}

pub(crate) fn ipv4_persistent_routes() -> Result<Vec<Ipv4Route>> {
    Err(Error::unsupported("persistent routes"))
}

pub(crate) fn ipv6_routes() -> Result<Vec<Ipv6Route>> {
    Err(Error::unsupported("the IPv6 routing table"))
}

pub(crate) fn interfaces() -> Result<Listing> {
    Err(Error::unsupported("the interface table"))
}

pub(crate) fn if_table() -> Result<Vec<crate::if_table::IfRow>> {
    Err(Error::unsupported("the IF-MIB interface table"))
}

pub(crate) fn device_counters() -> Result<Vec<(Box<[u8]>, DeviceCounters)>> {
    Err(Error::unsupported("interface counters"))
}

pub(crate) fn inet6_addresses() -> Result<Vec<Inet6Address>> {
    Err(Error::unsupported("IPv6 interface addresses"))
}

pub(crate) fn read_igmp() -> Result<Vec<GroupLine>> {
    Err(Error::unsupported("multicast memberships"))
}

pub(crate) fn read_igmp6() -> Result<Vec<GroupLine>> {
    Err(Error::unsupported("multicast memberships"))
}

pub(crate) fn counters(_: CounterFile) -> Result<Counters> {
    Err(Error::unsupported("protocol counters"))
}

pub(crate) fn sockstat() -> Result<Sockstat> {
    Err(Error::unsupported("socket counts"))
}

pub(crate) fn sysctl(_: String) -> Result<String> {
    Err(Error::unsupported("kernel parameters"))
}

/// No process table: every look-up of the owner cache finds nothing.
pub(crate) mod owner_scan {
    use std::io;

    /// No process table off Linux yet: every look-up finds nothing.
    pub(crate) struct ProcessSockets {
        pub(crate) pid: u32,
        pub(crate) argv0: Box<[u8]>,
        pub(crate) inodes: Vec<u64>,
        pub(crate) denied: bool,
    }

    pub(crate) fn scan_all() -> crate::Result<Vec<ProcessSockets>> {
        Err(crate::Error::unsupported("/proc"))
    }

    pub(crate) struct Scanner;

    impl Scanner {
        pub(crate) fn open() -> io::Result<Scanner> {
            Err(io::ErrorKind::Unsupported.into())
        }

        pub(crate) fn pids(&mut self) -> io::Result<Vec<u32>> {
            Ok(Vec::new())
        }

        pub(crate) fn scan(&mut self, _pid: u32) -> Option<ProcessSockets> {
            None
        }
    }
}
