//! The socket addresses that follow routing-socket messages: each starts with `sa_len` and
//! `sa_family`, and the next one starts `ROUNDUP32(sa_len)` bytes later (xnu
//! `bsd/net/rtsock.c`). Which ones are present is a bit mask (`RTA_*`), in `RTAX_*` order.

use std::net::{Ipv4Addr, SocketAddrV4, SocketAddrV6};

use super::bytes::{ParseError, Record, roundup32};
use super::unembed_scope;

/// macOS address families.
pub const AF_INET: u8 = 2;
pub const AF_LINK: u8 = 18;
pub const AF_INET6: u8 = 30;

/// Positions in [`Addrs`] (`RTAX_*`: destination, gateway, netmask, cloning mask, interface,
/// interface address, redirect author, broadcast or peer); bit `1 << i` of the mask (`RTA_*`)
/// says address `i` is present.
pub const RTAX_DST: usize = 0;
pub const RTAX_GATEWAY: usize = 1;
pub const RTAX_NETMASK: usize = 2;
pub const RTAX_IFP: usize = 4;
pub const RTAX_IFA: usize = 5;
pub const RTAX_BRD: usize = 7;
const RTAX_MAX: usize = 8;

/// A link-layer address (`struct sockaddr_dl`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkAddr {
    /// Interface index (`sdl_index`).
    pub index: u16,
    /// Interface type (`sdl_type`, `IFT_*`).
    pub kind: u8,
    /// Interface name (`en0`); may be empty.
    pub name: Box<[u8]>,
    /// Hardware address; empty when the interface has none.
    pub address: Box<[u8]>,
}

/// One socket address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SockAddr {
    Inet(SocketAddrV4),
    /// The KAME-embedded scope of link-local addresses is moved into the scope id.
    Inet6(SocketAddrV6),
    Link(LinkAddr),
    /// Another family, or an address shorter than its family's structure (netmasks are
    /// trimmed after their last non-zero byte): the family and the bytes after it.
    Other {
        family: u8,
        data: Box<[u8]>,
    },
}

impl SockAddr {
    /// Parses the address at `offset` of `buf`; also returns where the next one starts.
    pub fn parse(buf: &[u8], offset: usize) -> Result<(SockAddr, usize), ParseError> {
        let sa_len = Record::at(buf, offset, 1, "sockaddr")?.u8(0)? as usize;
        let next = offset + roundup32(sa_len);
        if sa_len == 0 {
            // An empty sockaddr (a zero netmask) takes four bytes.
            Record::at(buf, offset, 4, "sockaddr")?;
            let empty = SockAddr::Other {
                family: 0,
                data: Box::default(),
            };
            return Ok((empty, next));
        }
        let r = Record::at(buf, offset, sa_len, "sockaddr")?;
        let family = if sa_len >= 2 { r.u8(1)? } else { 0 };
        let addr = match family {
            AF_INET if sa_len >= 8 => SockAddr::Inet(SocketAddrV4::new(
                Ipv4Addr::from(r.array::<4>(4)?),
                r.u16_be(2)?,
            )),
            AF_INET6 if sa_len >= 24 => {
                let mut v6 = unembed_scope(r.array(8)?, r.u16_be(2)?);
                if sa_len >= 28 && r.u32(24)? != 0 {
                    v6.set_scope_id(r.u32(24)?);
                }
                SockAddr::Inet6(v6)
            }
            AF_LINK if sa_len >= 8 => {
                let (nlen, alen) = (r.u8(5)? as usize, r.u8(6)? as usize);
                SockAddr::Link(LinkAddr {
                    index: r.u16(2)?,
                    kind: r.u8(4)?,
                    name: r.slice(8, nlen)?.into(),
                    address: r.slice(8 + nlen, alen)?.into(),
                })
            }
            _ => SockAddr::Other {
                family,
                data: r.slice(2.min(sa_len), sa_len.saturating_sub(2))?.into(),
            },
        };
        Ok((addr, next))
    }

    /// The prefix length of a netmask for a destination of `family`; `None` if the mask is
    /// not contiguous or the family has no masks here.
    pub fn prefix_len(&self, family: u8) -> Option<u8> {
        let (bits, width) = self.mask_bits(family)?;
        let ones = bits.leading_ones();
        let contiguous = bits.checked_shl(ones).unwrap_or(0) == 0;
        (contiguous && ones as usize <= width * 8).then_some(ones as u8)
    }

    /// A netmask for a destination of `family` as bits from the most significant end (IPv4
    /// in the top 32), with the address width in bytes; `None` if the family has no masks
    /// here.
    pub fn mask_bits(&self, family: u8) -> Option<(u128, usize)> {
        let mut bytes = [0u8; 16];
        let width = match (self, family) {
            (SockAddr::Inet(v4), AF_INET) => {
                bytes[..4].copy_from_slice(&v4.ip().octets());
                4
            }
            (SockAddr::Inet6(v6), AF_INET6) => {
                bytes = v6.ip().octets();
                16
            }
            // A trimmed mask: the address bytes that are left, the rest zero. The data
            // starts after sa_len and sa_family, so the address is at 2 (IPv4) or 6 (IPv6).
            (SockAddr::Other { data, .. }, AF_INET) => {
                let kept = data.get(2..).unwrap_or_default();
                let n = kept.len().min(4);
                bytes[..n].copy_from_slice(&kept[..n]);
                4
            }
            (SockAddr::Other { data, .. }, AF_INET6) => {
                let kept = data.get(6..).unwrap_or_default();
                let n = kept.len().min(16);
                bytes[..n].copy_from_slice(&kept[..n]);
                16
            }
            _ => return None,
        };
        Some((u128::from_be_bytes(bytes), width))
    }

    /// The family, as the address says it (`sa_family`).
    pub fn family(&self) -> u8 {
        match self {
            SockAddr::Inet(_) => AF_INET,
            SockAddr::Inet6(_) => AF_INET6,
            SockAddr::Link(_) => AF_LINK,
            SockAddr::Other { family, .. } => *family,
        }
    }
}

/// The addresses of one message, by `RTAX_*` position.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Addrs(pub [Option<SockAddr>; RTAX_MAX]);

impl Addrs {
    /// Parses the addresses `mask` (`rtm_addrs`, `ifm_addrs` …) announces, from `offset` to
    /// the end of `message`.
    pub fn parse(message: &[u8], offset: usize, mask: i32) -> Result<Addrs, ParseError> {
        let mut addrs = Addrs::default();
        let mut at = offset;
        for (i, slot) in addrs.0.iter_mut().enumerate() {
            if mask & (1 << i) == 0 {
                continue;
            }
            let (addr, next) = SockAddr::parse(message, at)?;
            *slot = Some(addr);
            at = next;
        }
        Ok(addrs)
    }

    pub fn get(&self, index: usize) -> Option<&SockAddr> {
        self.0.get(index)?.as_ref()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A `sockaddr_in`, padded as the routing socket pads it.
    pub(crate) fn sin(addr: [u8; 4]) -> Vec<u8> {
        let mut b = vec![16, AF_INET, 0, 0];
        b.extend_from_slice(&addr);
        b.extend_from_slice(&[0; 8]);
        b
    }

    pub(crate) fn sin6(addr: [u8; 16], scope: u32) -> Vec<u8> {
        let mut b = vec![28, AF_INET6, 0, 0, 0, 0, 0, 0];
        b.extend_from_slice(&addr);
        b.extend_from_slice(&scope.to_le_bytes());
        b
    }

    pub(crate) fn sdl(index: u16, name: &[u8], mac: &[u8]) -> Vec<u8> {
        let len = (8 + name.len() + mac.len()).max(20);
        let mut b = vec![len as u8, AF_LINK];
        b.extend_from_slice(&index.to_le_bytes());
        b.extend_from_slice(&[6, name.len() as u8, mac.len() as u8, 0]);
        b.extend_from_slice(name);
        b.extend_from_slice(mac);
        b.resize(len.div_ceil(4) * 4, 0);
        b
    }

    /// A netmask trimmed after its last non-zero byte, as the kernel writes them.
    pub(crate) fn trimmed_mask(addr: [u8; 4]) -> Vec<u8> {
        let keep = addr.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
        if keep == 0 {
            return vec![0, 0, 0, 0];
        }
        let mut b = vec![(4 + keep) as u8, 0xff, 0, 0];
        b.extend_from_slice(&addr[..keep]);
        b.resize(b.len().div_ceil(4) * 4, 0);
        b
    }

    #[test]
    fn addresses_of_each_family() {
        let (a, next) = SockAddr::parse(&sin([10, 0, 0, 1]), 0).unwrap();
        assert_eq!(a, SockAddr::Inet("10.0.0.1:0".parse().unwrap()));
        assert_eq!(next, 16);
        let mut ll = [0u8; 16];
        ll[0] = 0xfe;
        ll[1] = 0x80;
        ll[3] = 7; // KAME scope
        ll[15] = 1;
        let (a, next) = SockAddr::parse(&sin6(ll, 0), 0).unwrap();
        assert_eq!(a, SockAddr::Inet6("[fe80::1%7]:0".parse().unwrap()));
        assert_eq!(next, 28);
        let (a, _) =
            SockAddr::parse(&sdl(4, b"en0", &[0xa0, 0xc5, 0xf2, 0xbd, 0xf2, 0xf2]), 0).unwrap();
        let SockAddr::Link(link) = a else {
            panic!("{a:?}")
        };
        assert_eq!((link.index, &*link.name), (4, &b"en0"[..]));
        assert_eq!(&*link.address, &[0xa0, 0xc5, 0xf2, 0xbd, 0xf2, 0xf2]);
    }

    #[test]
    fn trimmed_masks_give_prefix_lengths() {
        for (mask, len) in [
            ([255, 255, 255, 0], 24),
            ([255, 0, 0, 0], 8),
            ([0, 0, 0, 0], 0),
            ([255, 255, 255, 255], 32),
        ] {
            let (m, next) = SockAddr::parse(&trimmed_mask(mask), 0).unwrap();
            assert_eq!(m.prefix_len(AF_INET), Some(len), "{mask:?}");
            assert_eq!(next % 4, 0);
        }
        let (m, _) = SockAddr::parse(&[6, 0xff, 0, 0, 255, 0, 0, 0], 0).unwrap();
        assert_eq!(m.prefix_len(AF_INET), Some(8));
        let (holey, _) = SockAddr::parse(&sin([255, 0, 255, 0]), 0).unwrap();
        assert_eq!(holey.prefix_len(AF_INET), None);
        let mut v6 = [0u8; 16];
        v6[..8].fill(0xff);
        let (m, _) = SockAddr::parse(&sin6(v6, 0), 0).unwrap();
        assert_eq!(m.prefix_len(AF_INET6), Some(64));
    }

    #[test]
    fn lengths_past_the_buffer_are_errors() {
        let b = sin([10, 0, 0, 1]);
        assert!(SockAddr::parse(&b[..15], 0).is_err());
        assert!(SockAddr::parse(&b, 16).is_err());
        let mut dl = sdl(1, b"lo0", &[]);
        dl[5] = 200; // sdl_nlen past sa_len
        assert!(SockAddr::parse(&dl, 0).is_err());
        assert!(
            SockAddr::parse(&[0, 0], 0).is_err(),
            "an empty sockaddr still takes 4 bytes"
        );
    }

    #[test]
    fn masks_pick_the_present_addresses_in_order() {
        let mut msg = sin([10, 0, 0, 0]);
        msg.extend(trimmed_mask([255, 0, 0, 0]));
        let addrs = Addrs::parse(&msg, 0, 0x1 | 0x4).unwrap();
        assert!(matches!(addrs.get(RTAX_DST), Some(SockAddr::Inet(_))));
        assert_eq!(addrs.get(RTAX_GATEWAY), None);
        assert_eq!(
            addrs.get(RTAX_NETMASK).unwrap().prefix_len(AF_INET),
            Some(8)
        );
        assert!(
            Addrs::parse(&msg, 0, 0x7).is_err(),
            "a third address is missing"
        );
    }
}
