//! The routing table from `sysctl {CTL_NET, PF_ROUTE, 0, 0, NET_RT_DUMP, 0}` (`struct
//! rt_msghdr` messages) or `NET_RT_DUMP2` (`struct rt_msghdr2`, what netstat reads), each
//! followed by the socket addresses its `rtm_addrs` announces. Layouts of xnu's
//! `bsd/net/route.h`, natural alignment.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::bytes::{ParseError, Record, check_message_lengths};
use super::sockaddr::{AF_INET, AF_INET6, Addrs, RTAX_DST, RTAX_GATEWAY, RTAX_NETMASK, SockAddr};
use crate::route::{Flags, Ipv4Route, Ipv6Route, RouteMetrics};

/// The message format version every message carries (`RTM_VERSION`).
pub const RTM_VERSION: u8 = 5;
/// `rtm_type` of a `NET_RT_DUMP` entry.
pub const RTM_GET: u8 = 0x4;
/// `rtm_type` of a `NET_RT_DUMP2` entry (`struct rt_msghdr2`).
pub const RTM_GET2: u8 = 0x14;

/// Offsets in `struct rt_msghdr` / `struct rt_msghdr2` (92 bytes; the two differ only in
/// three ints at 16–27).
mod rt_msghdr {
    pub const SIZE: usize = 92;
    pub const VERSION: usize = 2;
    pub const TYPE: usize = 3;
    pub const INDEX: usize = 4;
    pub const FLAGS: usize = 8;
    pub const ADDRS: usize = 12;
    /// `rt_msghdr2` only: `rtm_refcnt`, `rtm_parentflags`.
    pub const REFCNT: usize = 16;
    pub const PARENTFLAGS: usize = 20;
    pub const USE: usize = 28;
    /// `struct rt_metrics rtm_rmx` at 36: `rmx_mtu` at +4, `rmx_expire` at +12.
    pub const RMX_MTU: usize = 40;
    pub const RMX_EXPIRE: usize = 48;
}

/// One route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// `rtm_type` (`RTM_GET` or `RTM_GET2`).
    pub kind: u8,
    /// Index of the interface the route goes out of (`rtm_index`).
    pub index: u16,
    /// `RTF_*` bits (macOS values: `RTF_UP` 0x1, `RTF_GATEWAY` 0x2, `RTF_HOST` 0x4 …).
    pub flags: u32,
    /// Reference count and the parent route's flags; only `NET_RT_DUMP2` reports them.
    pub refcnt: Option<i32>,
    pub parent_flags: Option<u32>,
    /// Times the route was used (`rtm_use`).
    pub use_count: i32,
    /// Path MTU; 0 if not set.
    pub mtu: u32,
    /// When the route expires (`rmx_expire`, seconds of the kernel's clock); 0 for never.
    pub expire: i32,
    /// The addresses, by `RTAX_*` position.
    pub addrs: Addrs,
}

impl Route {
    pub fn destination(&self) -> Option<&SockAddr> {
        self.addrs.get(RTAX_DST)
    }

    pub fn gateway(&self) -> Option<&SockAddr> {
        self.addrs.get(RTAX_GATEWAY)
    }

    /// The destination's prefix length: from the netmask, or the whole address for a host
    /// route (no netmask).
    pub fn prefix_len(&self) -> Option<u8> {
        let family = self.destination()?.family();
        match self.addrs.get(RTAX_NETMASK) {
            Some(mask) => mask.prefix_len(family),
            None => match family {
                AF_INET => Some(32),
                AF_INET6 => Some(128),
                _ => None,
            },
        }
    }

    /// The route as the library's IPv4 record, on interface `iface`; `None` for a route of
    /// another family. What has no macOS counterpart is neutral (see
    /// [`ipv4_routes`](crate::route::ipv4_routes)).
    pub fn to_ipv4(&self, iface: Box<[u8]>) -> Option<Ipv4Route> {
        let SockAddr::Inet(destination) = self.destination()? else {
            return None;
        };
        let mask = match self.addrs.get(RTAX_NETMASK) {
            Some(mask) => (mask.mask_bits(AF_INET)?.0 >> 96) as u32,
            None => u32::MAX,
        };
        let gateway = match self.gateway().map(next_hop) {
            Some(IpAddr::V4(v4)) => v4,
            _ => Ipv4Addr::UNSPECIFIED,
        };
        Some(Ipv4Route {
            iface,
            destination: *destination.ip(),
            gateway,
            mask: Ipv4Addr::from(mask),
            flags: Flags::from_bits_retain(self.flags),
            metrics: RouteMetrics {
                refcnt: self.refcnt.unwrap_or(0),
                use_count: self.use_count,
                mss: i32::try_from(self.mtu).unwrap_or(i32::MAX),
                ..RouteMetrics::default()
            },
            ..Ipv4Route::default()
        })
    }

    /// The route as the library's IPv6 record, on interface `iface`; `None` for a route of
    /// another family or with a mask that is not a prefix.
    pub fn to_ipv6(&self, iface: Box<[u8]>) -> Option<Ipv6Route> {
        let SockAddr::Inet6(destination) = self.destination()? else {
            return None;
        };
        let next_hop = match self.gateway().map(next_hop) {
            Some(IpAddr::V6(v6)) => v6,
            _ => Ipv6Addr::UNSPECIFIED,
        };
        Some(Ipv6Route {
            destination: *destination.ip(),
            prefix_len: self.prefix_len()?,
            next_hop,
            refcnt: self.refcnt.unwrap_or(0).max(0).unsigned_abs(),
            use_count: self.use_count.max(0).unsigned_abs(),
            flags: Flags::from_bits_retain(self.flags),
            iface,
            ..Ipv6Route::default()
        })
    }
}

/// The address a gateway sockaddr names; unspecified for a link-layer gateway (a directly
/// connected network) or one of another family.
fn next_hop(gateway: &SockAddr) -> IpAddr {
    match gateway {
        SockAddr::Inet(v4) => IpAddr::V4(*v4.ip()),
        SockAddr::Inet6(v6) => IpAddr::V6(*v6.ip()),
        _ => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
    }
}

/// A routing dump whose message framing has been checked; [`Routes::iter`] decodes them.
#[derive(Clone, Copy, Debug)]
pub struct Routes<'a> {
    buf: &'a [u8],
}

impl<'a> Routes<'a> {
    /// Checks that the messages of `buf` tile it: each `rtm_msglen` covers at least the
    /// length field and ends inside the buffer.
    pub fn parse(buf: &'a [u8]) -> Result<Routes<'a>, ParseError> {
        check_message_lengths(buf, "rt_msghdr")?;
        Ok(Routes { buf })
    }

    /// The routes in kernel order. A message of another version or type, or one too short
    /// for its header and addresses, gives an error in its place.
    pub fn iter(&self) -> impl Iterator<Item = Result<Route, ParseError>> + 'a {
        let buf = self.buf;
        let mut offset = 0;
        std::iter::from_fn(move || {
            // The framing was checked by `parse`.
            let len = Record::at(buf, offset, 4, "rt_msghdr").ok()?.u16(0).ok()? as usize;
            let message = Record::at(buf, offset, len, "rt_msghdr").ok()?;
            let at = offset;
            offset += len;
            Some(decode(message, buf.get(at..at + len).unwrap_or_default()))
        })
    }
}

/// The usable (`RTF_UP`) routes of a dump as the library's records, in kernel order:
/// `convert` is [`Route::to_ipv4`] or [`Route::to_ipv6`], `iface` names an interface by its
/// index. Messages that do not decode are skipped, as malformed `/proc` rows are on Linux.
pub fn usable<T>(
    dump: &Routes,
    mut iface: impl FnMut(u16) -> Box<[u8]>,
    convert: impl Fn(&Route, Box<[u8]>) -> Option<T>,
) -> Vec<T> {
    dump.iter()
        .filter_map(Result::ok)
        .filter(|route| route.flags & RTF_UP != 0)
        .filter_map(|route| convert(&route, iface(route.index)))
        .collect()
}

/// `RTF_UP`: the route is usable.
const RTF_UP: u32 = 0x1;

fn decode(m: Record, bytes: &[u8]) -> Result<Route, ParseError> {
    use rt_msghdr as h;
    let version = m.u8(h::VERSION)?;
    if version != RTM_VERSION {
        return Err(m.bad_value(h::VERSION, u64::from(version)));
    }
    let kind = m.u8(h::TYPE)?;
    if !matches!(kind, RTM_GET | RTM_GET2) {
        return Err(m.bad_value(h::TYPE, u64::from(kind)));
    }
    m.require(h::SIZE)?;
    let two = kind == RTM_GET2;
    Ok(Route {
        kind,
        index: m.u16(h::INDEX)?,
        flags: m.u32(h::FLAGS)?,
        refcnt: two.then(|| m.i32(h::REFCNT)).transpose()?,
        parent_flags: two.then(|| m.u32(h::PARENTFLAGS)).transpose()?,
        use_count: m.i32(h::USE)?,
        mtu: m.u32(h::RMX_MTU)?,
        expire: m.i32(h::RMX_EXPIRE)?,
        addrs: Addrs::parse(bytes, h::SIZE, m.i32(h::ADDRS)?)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::macos::sockaddr::tests::{sdl, sin, sin6, trimmed_mask};

    const RTF_GATEWAY: u32 = 0x2;
    const RTF_STATIC: u32 = 0x800;

    fn message(kind: u8, index: u16, flags: u32, addrs: i32, sockaddrs: &[Vec<u8>]) -> Vec<u8> {
        let mut m = vec![0u8; rt_msghdr::SIZE];
        m[2] = RTM_VERSION;
        m[3] = kind;
        m[4..6].copy_from_slice(&index.to_le_bytes());
        m[8..12].copy_from_slice(&flags.to_le_bytes());
        m[12..16].copy_from_slice(&addrs.to_le_bytes());
        m[16..20].copy_from_slice(&3i32.to_le_bytes()); // refcnt (rt_msghdr2)
        m[28..32].copy_from_slice(&77i32.to_le_bytes()); // rtm_use
        m[40..44].copy_from_slice(&1500u32.to_le_bytes()); // rmx_mtu
        for sa in sockaddrs {
            m.extend_from_slice(sa);
        }
        let len = m.len() as u16;
        m[0..2].copy_from_slice(&len.to_le_bytes());
        m
    }

    /// A static default route via 192.168.1.1 on interface 4, and a directly connected
    /// network 10.168.1/24 on interface 14 (its gateway is the interface's link address).
    fn default_and_network_routes() -> Vec<u8> {
        let mut buf = message(
            RTM_GET2,
            4,
            RTF_UP | RTF_GATEWAY | RTF_STATIC,
            0x7,
            &[sin([0; 4]), sin([192, 168, 1, 1]), trimmed_mask([0; 4])],
        );
        buf.extend(message(
            RTM_GET2,
            14,
            RTF_UP,
            0x7,
            &[
                sin([10, 168, 1, 0]),
                sdl(14, b"", &[]),
                trimmed_mask([255, 255, 255, 0]),
            ],
        ));
        buf
    }

    #[test]
    fn a_dump_with_default_network_and_host_routes() {
        let mut buf = default_and_network_routes();
        let mut ll = [0u8; 16];
        ll[..2].copy_from_slice(&[0xfe, 0x80]);
        ll[15] = 1;
        buf.extend(message(
            RTM_GET,
            1,
            RTF_UP,
            0x3,
            &[sin6(ll, 1), sdl(1, b"lo0", &[])],
        ));

        let routes: Vec<Route> = Routes::parse(&buf)
            .unwrap()
            .iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(routes.len(), 3);
        let default = &routes[0];
        assert_eq!(default.prefix_len(), Some(0));
        assert_eq!(
            default.gateway(),
            Some(&SockAddr::Inet("192.168.1.1:0".parse().unwrap()))
        );
        assert_eq!(
            (
                default.index,
                default.refcnt,
                default.use_count,
                default.mtu
            ),
            (4, Some(3), 77, 1500)
        );
        assert_eq!(routes[1].prefix_len(), Some(24));
        let Some(SockAddr::Link(link)) = routes[1].gateway() else {
            panic!()
        };
        assert_eq!(link.index, 14); // netstat's link#14
        let host = &routes[2];
        assert_eq!(host.refcnt, None, "rt_msghdr has no refcnt");
        assert_eq!(host.prefix_len(), Some(128));
        assert_eq!(host.destination().unwrap().family(), AF_INET6);
        assert_eq!(
            host.destination(),
            Some(&SockAddr::Inet6("[fe80::1%1]:0".parse().unwrap()))
        );
    }

    #[test]
    fn usable_routes_become_the_library_records() {
        const RTF_HOST: u32 = 0x4;
        const RTF_LLINFO: u32 = 0x400;
        let mut v4 = default_and_network_routes();
        // An ARP entry: a host route (no netmask) to a MAC address.
        v4.extend(message(
            RTM_GET2,
            4,
            RTF_UP | RTF_HOST | RTF_LLINFO,
            0x3,
            &[
                sin([192, 168, 1, 1]),
                sdl(4, b"", &[0xa0, 0xc5, 0xf2, 0xbd, 0xf2, 0xf2]),
            ],
        ));
        // Not up: left out, as on Linux.
        v4.extend(message(RTM_GET2, 4, 0, 0x1, &[sin([10, 0, 0, 0])]));
        let names = |index: u16| -> Box<[u8]> {
            match index {
                4 => b"en0"[..].into(),
                14 => b"bridge100"[..].into(),
                _ => Box::default(),
            }
        };
        let got = usable(&Routes::parse(&v4).unwrap(), names, Route::to_ipv4);
        assert_eq!(got.len(), 3);
        let default = &got[0];
        assert_eq!(&*default.iface, b"en0");
        assert_eq!(
            (default.destination, default.mask, default.gateway),
            (
                Ipv4Addr::UNSPECIFIED,
                Ipv4Addr::UNSPECIFIED,
                Ipv4Addr::new(192, 168, 1, 1)
            )
        );
        assert_eq!(
            default.flags,
            Flags::UP | Flags::GATEWAY | Flags::from_bits_retain(RTF_STATIC)
        );
        let m = default.metrics;
        assert_eq!((m.refcnt, m.use_count, m.mss), (3, 77, 1500));
        assert_eq!((m.metric, m.window, m.irtt), (0, 0, 0));
        let network = &got[1];
        assert_eq!(&*network.iface, b"bridge100");
        assert_eq!(network.mask, Ipv4Addr::new(255, 255, 255, 0));
        assert_eq!(network.gateway, Ipv4Addr::UNSPECIFIED, "a link gateway");
        assert_eq!(got[2].mask, Ipv4Addr::BROADCAST, "a host route");
        assert!(got[2].flags.contains(Flags::HOST));
        assert!(
            usable(&Routes::parse(&v4).unwrap(), names, Route::to_ipv6).is_empty(),
            "no IPv6 route in an IPv4 dump"
        );

        let mut ll = [0u8; 16];
        ll[..2].copy_from_slice(&[0xfe, 0x80]);
        ll[3] = 4; // KAME scope
        let mut mask = [0u8; 16];
        mask[..8].fill(0xff);
        let mut v6 = message(
            RTM_GET2,
            4,
            RTF_UP | RTF_GATEWAY,
            0x7,
            &[sin6([0; 16], 0), sin6(ll, 0), sin6([0; 16], 0)],
        );
        v6.extend(message(
            RTM_GET2,
            4,
            RTF_UP,
            0x7,
            &[sin6(ll, 0), sdl(4, b"", &[]), sin6(mask, 0)],
        ));
        let got = usable(&Routes::parse(&v6).unwrap(), names, Route::to_ipv6);
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].destination, got[0].prefix_len),
            (Ipv6Addr::UNSPECIFIED, 0)
        );
        assert_eq!(got[0].next_hop, "fe80::".parse::<Ipv6Addr>().unwrap());
        assert_eq!((got[0].refcnt, got[0].use_count), (3, 77));
        assert_eq!(
            (got[1].destination, got[1].prefix_len),
            ("fe80::".parse().unwrap(), 64)
        );
        assert_eq!(got[1].next_hop, Ipv6Addr::UNSPECIFIED);
        assert_eq!((&*got[1].iface, got[1].metric), (&b"en0"[..], 0));
    }

    #[test]
    fn broken_messages() {
        let good = message(RTM_GET, 1, RTF_UP, 0x1, &[sin([10, 0, 0, 1])]);
        for cut in 1..good.len() {
            assert!(Routes::parse(&good[..cut]).is_err(), "cut at {cut}");
        }
        let mut zero = good.clone();
        zero[0..2].copy_from_slice(&0u16.to_le_bytes());
        assert!(
            Routes::parse(&zero).is_err(),
            "a zero length would never advance"
        );
        let mut old = good.clone();
        old[2] = 4;
        let got: Vec<_> = Routes::parse(&old).unwrap().iter().collect();
        assert!(matches!(
            got[..],
            [Err(ParseError::BadValue {
                offset: 2,
                value: 4,
                ..
            })]
        ));
        // A header that claims an address the message has no room for.
        // rtm_addrs says DST and GATEWAY, only DST is there.
        let short = message(RTM_GET, 1, RTF_UP, 0x3, &[sin([10, 0, 0, 1])]);
        let got: Vec<_> = Routes::parse(&short).unwrap().iter().collect();
        assert!(got[0].is_err());
        // A message shorter than its header.
        let mut tiny = vec![8u8, 0, RTM_VERSION, RTM_GET, 0, 0, 0, 0];
        tiny.extend(good);
        let got: Vec<_> = Routes::parse(&tiny).unwrap().iter().collect();
        assert!(got[0].is_err() && got[1].is_ok());
        let mut seed = 0xdead_beef_cafe_f00du64;
        let base = message(
            RTM_GET2,
            4,
            RTF_UP,
            0xff,
            &[
                sin([1; 4]),
                sin([2; 4]),
                trimmed_mask([255; 4]),
                sin([3; 4]),
                sdl(1, b"en0", &[1, 2, 3, 4, 5, 6]),
                sin([4; 4]),
                sin([5; 4]),
                sin([6; 4]),
            ],
        );
        assert!(Routes::parse(&base).unwrap().iter().all(|r| r.is_ok()));
        for _ in 0..3000 {
            let mut b = base.clone();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = seed as usize % b.len();
            b[at] = (seed >> 32) as u8;
            if let Ok(routes) = Routes::parse(&b) {
                routes.iter().for_each(drop);
            }
        }
    }
}
