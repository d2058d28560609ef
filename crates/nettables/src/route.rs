//! Routing tables: the IPv4 FIB, the IPv4 route cache and the IPv6 FIB.
//!
//! The records carry the kernel's numbers unchanged (flags as the kernel's `RTF_*` bits, counters as the
//! kernel prints them); formatting is left to the caller. Tables are small, so each listing
//! returns a `Vec`.
//!
//! ```no_run
//! use nettables::route;
//!
//! for r in route::ipv4_routes()? {
//!     let via = if r.flags.contains(route::Flags::GATEWAY) { r.gateway.to_string() } else { "-".into() };
//!     println!("{}/{} via {via} dev {}", r.destination, r.mask, String::from_utf8_lossy(&r.iface));
//! }
//! # Ok::<(), nettables::Error>(())
//! ```
//!
//! # macOS
//!
//! The routes come from the routing socket's dump (`sysctl {CTL_NET, PF_ROUTE, 0, family,
//! NET_RT_DUMP2, 0}`), only those that are up, as on Linux, and the same records are filled
//! as closely as macOS allows:
//! - `flags` holds xnu's `RTF_*` bits unchanged (`bsd/net/route.h`). `UP`, `GATEWAY`,
//!   `HOST`, `DYNAMIC` and `MODIFIED` are the same bits as Linux's; the others mean
//!   something else there (0x8 is `RTF_REJECT`, 0x800 `RTF_STATIC`, 0x20000 `RTF_WASCLONED`).
//! - A gateway that is a link-layer address (a directly connected network's `link#N`, or
//!   the MAC address of an ARP or neighbour entry) gives an unspecified gateway; the route's
//!   interface is in `iface`. A route without a netmask is a host route (mask all ones,
//!   prefix 128).
//! - `refcnt` and `use_count` (of [`RouteMetrics`] for IPv4) are `rtm_refcnt` and `rtm_use`;
//!   the IPv4 `mss` holds the route's MTU (`rmx_mtu`, 0 when unset).
//! - `metric`, `window`, `irtt`, the IPv6 `source` prefix, and the expiry time, parent flags
//!   and link address of a gateway have no place in the records: zero, `::/0`, or absent.
//! - There is no separate IPv4 route cache (cloned routes are in the main table):
//!   [`ipv4_route_cache`] is empty.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::Result;

bitflags::bitflags! {
    /// A route's flags, the `RTF_*` bits of `<linux/route.h>` and `<linux/ipv6_route.h>`. Bits
    /// without a name here (the route cache's `RTCF_*` bits) are kept as the kernel set them.
    ///
    /// ```
    /// use nettables::route::Flags;
    /// let flags = Flags::from_bits_retain(0x0003);
    /// assert_eq!(flags, Flags::UP | Flags::GATEWAY);
    /// ```
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct Flags: u32 {
        /// `RTF_UP`: the route is usable.
        const UP = 0x0001;
        /// `RTF_GATEWAY`: the destination is reached through a gateway.
        const GATEWAY = 0x0002;
        /// `RTF_HOST`: a host route (the mask is all ones).
        const HOST = 0x0004;
        /// `RTF_REINSTATE`: reinstate the route after a timeout.
        const REINSTATE = 0x0008;
        /// `RTF_DYNAMIC`: created dynamically (by a redirect).
        const DYNAMIC = 0x0010;
        /// `RTF_MODIFIED`: modified dynamically (by a redirect).
        const MODIFIED = 0x0020;
        /// `RTF_MTU`: a specific MTU is set.
        const MTU = 0x0040;
        /// `RTF_WINDOW`: a specific window is set.
        const WINDOW = 0x0080;
        /// `RTF_IRTT`: a specific initial round-trip time is set.
        const IRTT = 0x0100;
        /// `RTF_REJECT`: a reject route (unreachable, prohibit and friends).
        const REJECT = 0x0200;
        /// `RTF_NOTCACHED`: this route is not cached (Linux 2.0).
        const NOTCACHED = 0x0400;
        /// `RTF_DEFAULT` (IPv6): a default route learnt from a router advertisement.
        const DEFAULT = 0x0001_0000;
        /// `RTF_ALLONLINK` (IPv6): every destination is on-link.
        const ALLONLINK = 0x0002_0000;
        /// `RTF_ADDRCONF` (IPv6): made by address autoconfiguration.
        const ADDRCONF = 0x0004_0000;
        /// `RTF_NONEXTHOP` (IPv6): the route has no next hop.
        const NONEXTHOP = 0x0020_0000;
        /// `RTF_EXPIRES` (IPv6): the route expires.
        const EXPIRES = 0x0040_0000;
        /// `RTF_CACHE`: a cached (cloned) route.
        const CACHE = 0x0100_0000;
        /// `RTF_FLOW`: a flow-based route.
        const FLOW = 0x0200_0000;
        /// `RTF_POLICY`: a policy route.
        const POLICY = 0x0400_0000;
        /// `RTF_LOCAL`: a local address.
        const LOCAL = 0x8000_0000;
    }
}

/// The numbers an IPv4 route carries, in the main table and the route cache alike: the
/// kernel's counters and the per-route TCP settings, as C `int`s.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct RouteMetrics {
    /// References to the route.
    pub refcnt: i32,
    /// Look-ups of the route.
    pub use_count: i32,
    /// Route priority (`ip route ... metric N`).
    pub metric: i32,
    /// The kernel's "MTU" column: the advertised MSS plus 40, or 0.
    pub mss: i32,
    /// Default TCP window for connections over this route, or 0.
    pub window: i32,
    /// Initial round-trip time.
    pub irtt: i32,
}

/// One IPv4 route of the main table (`/proc/net/route`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Ipv4Route {
    /// Output device; `*` for routes without one (blackhole, unreachable ...).
    pub iface: Box<[u8]>,
    /// The destination network (or host).
    pub destination: Ipv4Addr,
    /// The next hop; `0.0.0.0` for a directly connected network.
    pub gateway: Ipv4Addr,
    /// The destination's netmask.
    pub mask: Ipv4Addr,
    /// Route flags.
    pub flags: Flags,
    /// Counters and TCP settings (`refcnt` and `use_count` are always 0 on modern kernels).
    pub metrics: RouteMetrics,
}

impl Default for Ipv4Route {
    /// A route to `0.0.0.0/0` on no device, with no flags and zero counters.
    fn default() -> Self {
        Ipv4Route {
            iface: Box::default(),
            destination: Ipv4Addr::UNSPECIFIED,
            gateway: Ipv4Addr::UNSPECIFIED,
            mask: Ipv4Addr::UNSPECIFIED,
            flags: Flags::empty(),
            metrics: RouteMetrics::default(),
        }
    }
}

/// One row of the IPv4 route cache (`/proc/net/rt_cache`): a host route learnt from traffic.
/// Kernels since 3.6 have no cache, so the table is normally empty.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CachedRoute {
    /// Output device.
    pub iface: Box<[u8]>,
    /// The destination host.
    pub destination: Ipv4Addr,
    /// The next hop, or `0.0.0.0`.
    pub gateway: Ipv4Addr,
    /// The source address of the cached flow.
    pub source: Ipv4Addr,
    /// Specific destination (the local address used for replies).
    pub spec_dst: Ipv4Addr,
    /// Route flags; the cache also sets its own `RTCF_*` bits, kept unnamed in [`Flags`].
    pub flags: Flags,
    /// Counters and TCP settings; `use_count` counts the look-ups that found the entry.
    pub metrics: RouteMetrics,
    /// Type of service of the flow.
    pub tos: i32,
    /// References to the cached hardware header (-1 without one).
    pub hh_ref: i32,
    /// Whether the cached hardware header is current.
    pub hh_uptodate: i32,
}

impl CachedRoute {
    /// An entry with the columns the cache shares with the main table, taken from `route`
    /// (whose `mask` holds the entry's source), and the rest zero.
    pub(crate) fn from_route_columns(route: Ipv4Route) -> CachedRoute {
        CachedRoute {
            source: route.mask,
            spec_dst: Ipv4Addr::UNSPECIFIED,
            tos: 0,
            hh_ref: 0,
            hh_uptodate: 0,
            iface: route.iface,
            destination: route.destination,
            gateway: route.gateway,
            flags: route.flags,
            metrics: route.metrics,
        }
    }
}

impl Default for CachedRoute {
    /// An entry for `0.0.0.0` on no device, with no flags and zero counters.
    fn default() -> Self {
        CachedRoute::from_route_columns(Ipv4Route::default())
    }
}

/// One IPv6 route (`/proc/net/ipv6_route`), from any table.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Ipv6Route {
    /// The destination prefix.
    pub destination: Ipv6Addr,
    /// Its length in bits.
    pub prefix_len: u8,
    /// The source prefix of a source-specific route (`::` otherwise).
    pub source: Ipv6Addr,
    /// Its length in bits.
    pub source_len: u8,
    /// `::` when the route has no gateway.
    pub next_hop: Ipv6Addr,
    /// Metric; `u32::MAX` for the kernel's built-in reject route.
    pub metric: u32,
    /// References to the route.
    pub refcnt: u32,
    /// Look-ups of the route.
    pub use_count: u32,
    /// Route flags.
    pub flags: Flags,
    /// Output device; empty if the kernel printed none.
    pub iface: Box<[u8]>,
}

impl Default for Ipv6Route {
    /// A route to `::/0` on no device, with no flags and zero counters.
    fn default() -> Self {
        Ipv6Route {
            destination: Ipv6Addr::UNSPECIFIED,
            prefix_len: 0,
            source: Ipv6Addr::UNSPECIFIED,
            source_len: 0,
            next_hop: Ipv6Addr::UNSPECIFIED,
            metric: 0,
            refcnt: 0,
            use_count: 0,
            flags: Flags::empty(),
            iface: Box::default(),
        }
    }
}

/// The IPv4 main table.
pub const IPV4_ROUTE_PATH: &str = "/proc/net/route";
/// The IPv4 route cache.
pub const IPV4_CACHE_PATH: &str = "/proc/net/rt_cache";
/// The IPv6 routes.
pub const IPV6_ROUTE_PATH: &str = "/proc/net/ipv6_route";

/// The usable ([`Flags::UP`]) routes of the IPv4 main table, in kernel order. Malformed rows are
/// skipped. Without IPv4 (or a table header this reader understands) the error says so:
/// [`Error::NotAvailable`](crate::Error::NotAvailable), [`Error::MissingColumn`](crate::Error::MissingColumn).
///
/// ```no_run
/// let default = nettables::route::ipv4_routes()?
///     .into_iter()
///     .find(|r| r.mask.is_unspecified() && r.destination.is_unspecified());
/// println!("default gateway: {:?}", default.map(|r| r.gateway));
/// # Ok::<(), nettables::Error>(())
/// ```
pub fn ipv4_routes() -> Result<Vec<Ipv4Route>> {
    crate::sys::imp::ipv4_routes()
}

/// The rows of the IPv4 route cache, in kernel order (normally none). Malformed rows are
/// skipped.
///
/// ```no_run
/// println!("{} cached routes", nettables::route::ipv4_route_cache()?.len());
/// # Ok::<(), nettables::Error>(())
/// ```
pub fn ipv4_route_cache() -> Result<Vec<CachedRoute>> {
    crate::sys::imp::ipv4_route_cache()
}

/// The persistent IPv4 routes, kept by the system to restore at start (Windows' `route -p add`;
/// `route print` lists them apart). A metric of -1 stands for the interface's default. Only
/// Windows has them: elsewhere [`Error::Unsupported`](crate::Error::Unsupported).
///
/// ```no_run
/// for r in nettables::route::ipv4_persistent_routes()? {
///     println!("{}/{} via {} metric {}", r.destination, r.mask, r.gateway, r.metrics.metric);
/// }
/// # Ok::<(), nettables::Error>(())
/// ```
pub fn ipv4_persistent_routes() -> Result<Vec<Ipv4Route>> {
    crate::sys::imp::ipv4_persistent_routes()
}

/// Every IPv6 route the kernel lists, in kernel order, including reject and cached
/// ([`Flags::CACHE`]) entries. Malformed rows are skipped.
///
/// ```no_run
/// use nettables::route::{ipv6_routes, Flags};
/// for r in ipv6_routes()?.iter().filter(|r| r.flags.contains(Flags::GATEWAY)) {
///     println!("{}/{} via {}", r.destination, r.prefix_len, r.next_hop);
/// }
/// # Ok::<(), nettables::Error>(())
/// ```
pub fn ipv6_routes() -> Result<Vec<Ipv6Route>> {
    crate::sys::imp::ipv6_routes()
}
