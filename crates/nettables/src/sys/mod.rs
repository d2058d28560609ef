//! The platform seam: one backend per system, each saying what it can do.
//!
//! Every public collecting function of the library calls the backend of the system it was
//! built for, `imp`: `linux` (netlink and `/proc`; public as `nettables::linux` on Linux),
//! `windows` (IP Helper), `macos` (sysctl and libproc), or `unsupported` for anything else.
//! Records, filters and errors are the same everywhere; what a backend lacks gives
//! [`Error::Unsupported`], and [`capabilities`] says so before anything is asked, so a caller
//! can refuse a flag up front rather than match on the error (or, worse, print an empty
//! table).
//!
//! Each backend provides the same items: `CAPABILITIES`; `SocketTables` (the state a
//! [`SocketReader`](crate::SocketReader) keeps between calls); `owner_map`, `socket_holders`,
//! `socket_holder`; `ipv4_routes`, `ipv4_route_cache`, `ipv4_persistent_routes`, `ipv6_routes`; `interfaces`,
//! `device_counters`, `if_table`, `inet6_addresses`; `read_igmp`, `read_igmp6`; `counters`, `sockstat`,
//! `sysctl`; and the namespace items `Namespace`, `open_namespace`, `enter_namespace`,
//! `namespace_id`, `bind_etc`, `netns_lookup`.
//!
//! [`Error::Unsupported`]: crate::Error::Unsupported

#[cfg(target_os = "linux")]
pub(crate) mod linux;
#[cfg(target_os = "linux")]
pub(crate) use linux as imp;

#[cfg(windows)]
pub(crate) mod windows;
#[cfg(windows)]
pub(crate) use windows as imp;

#[cfg(any(target_os = "macos", test))]
pub(crate) mod macos;
#[cfg(target_os = "macos")]
pub(crate) use macos::backend as imp;

#[cfg(not(target_os = "linux"))]
pub(crate) mod unsupported;
#[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
pub(crate) use unsupported as imp;

/// What the running system's backend can do. Compile-time facts: the same for every call.
///
/// ```
/// let can = nettables::sys::capabilities();
/// if !can.namespaces {
///     eprintln!("--netns: no network namespaces on {}", can.system);
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// The system, as `std::env::consts::OS` names it.
    pub system: &'static str,
    /// TCP and UDP sockets, IPv4 and IPv6 ([`SocketReader::for_each_inet`]).
    ///
    /// [`SocketReader::for_each_inet`]: crate::SocketReader::for_each_inet
    pub inet_sockets: bool,
    /// Raw, UDP-Lite and SCTP tables besides TCP and UDP.
    pub other_inet_protocols: bool,
    /// Unix domain sockets ([`SocketReader::for_each_unix`](crate::SocketReader::for_each_unix)).
    pub unix_sockets: bool,
    /// Queue sizes (Recv-Q, Send-Q) in socket records.
    pub queues: bool,
    /// Socket owners ([`OwnerMap`](crate::process::OwnerMap)).
    pub owners: OwnerKey,
    /// Descriptor-level holders with command lines ([`SocketHolders`](crate::process::SocketHolders)).
    pub holders: bool,
    /// TCP internals ([`TcpDetails`](crate::tcp_info::TcpDetails)) and timers.
    pub tcp_info: bool,
    /// Filters run in the kernel (only matching sockets cross into user space).
    pub kernel_filter: bool,
    /// Following sockets as they come and go ([`watch`](crate::watch): its sampler and its
    /// owner cache).
    pub events: bool,
    /// Network namespaces ([`netns`](crate::netns)).
    pub namespaces: bool,
    /// The routing table ([`route`](crate::route)): IPv4, and IPv6.
    pub routes: (bool, bool),
    /// The interface table with counters ([`iface::list`](crate::iface::list)).
    pub interfaces: bool,
    /// The IF-MIB interface table ([`if_table::list`](crate::if_table::list)).
    pub if_table: bool,
    /// Protocol counters ([`counters::load`](crate::counters::load)).
    pub counters: bool,
    /// Socket counts per protocol ([`sockstat`](crate::sockstat)).
    pub sockstat: bool,
    /// Multicast memberships ([`groups`](crate::groups)).
    pub groups: bool,
    /// Kernel parameters ([`sysctl`](crate::sysctl)).
    pub sysctl: bool,
}

/// How a socket record leads to its owner in an [`OwnerMap`](crate::process::OwnerMap).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OwnerKey {
    /// No owners on this system.
    None,
    /// By the socket's [`inode`](crate::inet::InetSocket::inode) (Linux: `/proc/<pid>/fd`;
    /// macOS: the kernel's socket handle, matched through `proc_pidfdinfo`).
    Inode,
    /// The socket table itself names the owning process: the record's `inode` holds its PID
    /// (Windows, whose sockets have no inode), and the map gives that process's image name.
    Pid,
}

/// What this system's backend can do.
pub fn capabilities() -> Capabilities {
    imp::CAPABILITIES
}
