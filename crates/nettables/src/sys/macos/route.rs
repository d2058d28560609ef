//! The routing table from `sysctl {CTL_NET, PF_ROUTE, 0, 0, NET_RT_DUMP, 0}` (`struct
//! rt_msghdr` messages) or `NET_RT_DUMP2` (`struct rt_msghdr2`, what netstat reads), each
//! followed by the socket addresses its `rtm_addrs` announces. Layouts of xnu's
//! `bsd/net/route.h`, natural alignment.

use super::bytes::{ParseError, Record};
use super::sockaddr::{Addrs, RTAX_DST, RTAX_GATEWAY, RTAX_NETMASK, SockAddr};

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
    pub const MSGLEN: usize = 0;
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
                super::sockaddr::AF_INET => Some(32),
                super::sockaddr::AF_INET6 => Some(128),
                _ => None,
            },
        }
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
        let mut offset = 0;
        while offset < buf.len() {
            let len = Record::at(buf, offset, 4, "rt_msghdr")?.u16(rt_msghdr::MSGLEN)? as usize;
            if len < 4 {
                return Err(ParseError::BadLength {
                    what: "rt_msghdr",
                    offset,
                    len,
                });
            }
            Record::at(buf, offset, len, "rt_msghdr").map_err(|_| ParseError::BadLength {
                what: "rt_msghdr",
                offset,
                len,
            })?;
            offset += len;
        }
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
    use crate::sys::macos::sockaddr::AF_INET6;
    use crate::sys::macos::sockaddr::tests::{sdl, sin, sin6, trimmed_mask};

    const RTF_UP: u32 = 0x1;
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

    #[test]
    fn a_dump_with_default_network_and_host_routes() {
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
