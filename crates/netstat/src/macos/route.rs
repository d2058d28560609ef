//! `netstat -r`: the routing tables (spec §5; `routepr`, `np_rtentry`, `p_sockaddr` and
//! `netname` of `route.c`). `Routing tables`, then per family an empty line, `Internet:` or
//! `Internet6:`, the header and the rows. `-l` (more columns) is not rendered.

use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::text::{pad_left, pad_right, write_sanitized};

/// xnu's `RTF_*` bits and the letters `netstat` prints for them, in its order.
pub const FLAG_LETTERS: &[(u32, u8)] = &[
    (0x1, b'U'),         // RTF_UP
    (0x2, b'G'),         // RTF_GATEWAY
    (0x4, b'H'),         // RTF_HOST
    (0x8, b'R'),         // RTF_REJECT
    (0x10, b'D'),        // RTF_DYNAMIC
    (0x20, b'M'),        // RTF_MODIFIED
    (0x80_0000, b'm'),   // RTF_MULTICAST
    (0x40, b'd'),        // RTF_DONE
    (0x100, b'C'),       // RTF_CLONING
    (0x200, b'X'),       // RTF_XRESOLVE
    (0x400, b'L'),       // RTF_LLINFO
    (0x800, b'S'),       // RTF_STATIC
    (0x8000, b'1'),      // RTF_PROTO1
    (0x4000, b'2'),      // RTF_PROTO2
    (0x2_0000, b'W'),    // RTF_WASCLONED
    (0x1_0000, b'c'),    // RTF_PRCLONING
    (0x4_0000, b'3'),    // RTF_PROTO3
    (0x1000, b'B'),      // RTF_BLACKHOLE
    (0x40_0000, b'b'),   // RTF_BROADCAST
    (0x100_0000, b'I'),  // RTF_IFSCOPE
    (0x400_0000, b'i'),  // RTF_IFREF
    (0x800_0000, b'Y'),  // RTF_PROXY
    (0x1000_0000, b'r'), // RTF_ROUTER
    (0x4000_0000, b'g'), // RTF_GLOBAL
];

/// xnu's `RTF_HOST`.
pub const RTF_HOST: u32 = 0x4;

/// Where a route leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gateway<'a> {
    /// An address, with its name when names were asked for and found.
    Addr {
        ip: IpAddr,
        name: Option<&'a [u8]>,
        /// The interface of an IPv6 address's scope.
        zone: Option<&'a [u8]>,
    },
    /// Directly on the link of this interface index (`link#N`).
    Link(u32),
}

/// One route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route<'a> {
    pub destination: IpAddr,
    /// The prefix length of the netmask; `None` when the route has none (host routes).
    pub prefix_len: Option<u8>,
    /// The destination's name, when names were asked for and found (host routes only).
    pub name: Option<&'a [u8]>,
    /// The interface of an IPv6 destination's scope (`fe80::%en0`).
    pub zone: Option<&'a [u8]>,
    pub gateway: Gateway<'a>,
    /// xnu's `RTF_*` bits.
    pub flags: u32,
    pub netif: &'a [u8],
    /// Seconds until the route expires (`!` when past); `None` for routes that do not.
    pub expire: Option<i64>,
}

/// The flags that choose widths.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// `-n`: columns padded, not truncated; IPv6 39 wide; networks with `/len`.
    pub numeric: bool,
    /// `-W`: IPv6 columns 53 wide.
    pub wide: bool,
}

/// `Routing tables`, once, before the families.
pub const TITLE: &[u8] = b"Routing tables\n";

/// The width of the destination and gateway columns.
fn width(v6: bool, options: Options) -> usize {
    match (v6, options.wide, options.numeric) {
        (false, _, _) => 18,
        (true, true, _) => 53,
        (true, false, true) => 39,
        (true, false, false) => 18,
    }
}

/// Writes a family's title and column header.
pub fn write_family(out: &mut impl Write, v6: bool, options: Options) -> io::Result<()> {
    let mut text = Vec::with_capacity(160);
    text.extend_from_slice(if v6 {
        b"\nInternet6:\n"
    } else {
        b"\nInternet:\n"
    });
    let w = width(v6, options);
    pad_left(&mut text, b"Destination", w)?;
    text.push(b' ');
    pad_left(&mut text, b"Gateway", w)?;
    text.push(b' ');
    text.extend_from_slice(b"Flags               Netif Expire\n");
    out.write_all(&text)
}

/// Writes one route. `line` is scratch space.
pub fn write_row(
    out: &mut impl Write,
    options: Options,
    route: &Route,
    line: &mut Vec<u8>,
) -> io::Result<()> {
    line.clear();
    let v6 = route.destination.is_ipv6();
    let w = width(v6, options);
    let mut field = Vec::with_capacity(64);
    destination(&mut field, options, route)?;
    column(line, &field, w, options.numeric)?;
    field.clear();
    match route.gateway {
        Gateway::Link(index) => write!(field, "link#{index}")?,
        Gateway::Addr { ip, name, zone } => host(&mut field, ip, name, zone)?,
    }
    column(line, &field, w, options.numeric)?;
    let start = line.len();
    for &(bit, letter) in FLAG_LETTERS {
        if route.flags & bit != 0 {
            line.push(letter);
        }
    }
    line.truncate(start + 10);
    let letters = line.len() - start;
    crate::text::write_spaces(line, 10 - letters)?;
    line.push(b' ');
    let mut netif = Vec::with_capacity(16);
    write_sanitized(&mut netif, route.netif)?;
    netif.truncate(14);
    pad_right(line, &netif, 14)?;
    line.push(b' ');
    match route.expire {
        None => crate::text::write_spaces(line, 6)?,
        Some(left) if left > 0 => pad_right(line, left.to_string().as_bytes(), 6)?,
        Some(_) => pad_right(line, b"!", 6)?,
    }
    line.push(b'\n');
    out.write_all(line)
}

/// `%-*.*s ` (truncated) or, with `-n`, `%-*s ` (not).
fn column(line: &mut Vec<u8>, field: &[u8], width: usize, numeric: bool) -> io::Result<()> {
    let cut = if numeric {
        field.len()
    } else {
        field.len().min(width)
    };
    pad_left(line, &field[..cut], width)?;
    line.push(b' ');
    Ok(())
}

/// `default`, a host by name or number, or a network as `netname`/`netname6` write it.
fn destination(field: &mut Vec<u8>, options: Options, route: &Route) -> io::Result<()> {
    let host_route = route.flags & RTF_HOST != 0;
    match route.destination {
        IpAddr::V4(v4) => {
            if v4.is_unspecified() && route.prefix_len == Some(0) {
                field.extend_from_slice(b"default");
            } else if host_route || route.name.is_some() {
                host(field, route.destination, route.name, None)?;
            } else {
                field.extend_from_slice(netname(v4, route.prefix_len).as_bytes());
            }
        }
        IpAddr::V6(v6) => {
            let len = route.prefix_len.unwrap_or(128);
            if !host_route && len == 0 && v6.is_unspecified() {
                field.extend_from_slice(b"default");
                return Ok(());
            }
            host(field, route.destination, route.name, route.zone)?;
            // netname6 adds the length only with -n; routename6 (host routes) never.
            if !host_route && options.numeric {
                write!(field, "/{len}")?;
            }
        }
    }
    Ok(())
}

/// A name, or the address (IPv6 with `%zone`).
fn host(
    field: &mut Vec<u8>,
    ip: IpAddr,
    name: Option<&[u8]>,
    zone: Option<&[u8]>,
) -> io::Result<()> {
    if let Some(name) = name {
        return write_sanitized(field, name);
    }
    write!(field, "{ip}")?;
    if let Some(zone) = zone {
        field.push(b'%');
        write_sanitized(field, zone)?;
    }
    Ok(())
}

/// BSD's `netname` for a network number: the address cut after its last non-zero octet of
/// its classful net part (`127`, `169.254`, `192.168.1`), then `/len` unless the mask is the
/// class's own. `None`: no mask.
pub fn netname(addr: Ipv4Addr, prefix_len: Option<u8>) -> String {
    let i = u32::from(addr);
    let class_len: u8 = match i >> 28 {
        0..=7 => 8,
        8..=11 => 16,
        _ => 24,
    };
    let octets = addr.octets();
    let host_zero = |len: u8| i & (u32::MAX >> len) == 0;
    let shown = [8u8, 16, 24]
        .into_iter()
        .filter(|&len| len >= class_len)
        .find(|&len| host_zero(len))
        .map_or(4, |len| usize::from(len / 8));
    let mut text = octets[..shown]
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(".");
    if let Some(len) = prefix_len.filter(|&len| len != 0 && len != class_len) {
        text.push_str(&format!("/{len}"));
    }
    text
}

/// The prefix length of an IPv4 netmask, `None` when its ones are not contiguous.
pub fn prefix_len_v4(mask: Ipv4Addr) -> Option<u8> {
    let bits = u32::from(mask);
    let len = bits.leading_ones();
    (bits.checked_shl(len).unwrap_or(0) == 0).then_some(len as u8)
}

/// An IPv6 address with its interface index put back into bytes 2–3, as the kernel keeps a
/// link-local address and `inet_ntop` shows it (`fe80:7::c9c:87f5`).
pub fn kame_embedded(addr: Ipv6Addr, scope: u32) -> Ipv6Addr {
    let mut raw = addr.octets();
    let scoped = (raw[0] == 0xfe && raw[1] & 0xc0 == 0x80)
        || (raw[0] == 0xff && matches!(raw[1] & 0x0f, 0x1 | 0x2));
    if scoped {
        let index = u16::try_from(scope).unwrap_or(0).to_be_bytes();
        raw[2] = index[0];
        raw[3] = index[1];
    }
    Ipv6Addr::from(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route<'a>(
        destination: &str,
        prefix_len: Option<u8>,
        gateway: Gateway<'a>,
        flags: &str,
        netif: &'a str,
        expire: Option<i64>,
    ) -> Route<'a> {
        let bits = flags.bytes().fold(0, |acc, letter| {
            let (bit, _) = FLAG_LETTERS.iter().find(|(_, l)| *l == letter).unwrap();
            acc | bit
        });
        Route {
            destination: destination.parse().unwrap(),
            prefix_len,
            name: None,
            zone: None,
            gateway,
            flags: bits,
            netif: netif.as_bytes(),
            expire,
        }
    }

    fn addr(ip: &str) -> Gateway<'_> {
        Gateway::Addr {
            ip: ip.parse().unwrap(),
            name: None,
            zone: None,
        }
    }

    fn render(options: Options, v6: bool, routes: &[Route]) -> String {
        let mut out = TITLE.to_vec();
        write_family(&mut out, v6, options).unwrap();
        let mut line = Vec::new();
        for r in routes {
            write_row(&mut out, options, r, &mut line).unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn ipv4_matches_the_rn_capture() {
        // spec §5 (C 37124783789, the 596+ layout 728 keeps), trailing spaces kept.
        let rows = [
            route("0.0.0.0", Some(0), addr("192.168.1.1"), "UGSc", "en0", None),
            route(
                "10.168.1.0",
                Some(24),
                Gateway::Link(14),
                "UCS",
                "en0",
                Some(-3),
            ),
            route(
                "10.168.1.1",
                None,
                Gateway::Link(14),
                "UHLWIir",
                "en0",
                Some(1195),
            ),
        ];
        let text = render(
            Options {
                numeric: true,
                wide: false,
            },
            false,
            &rows,
        );
        assert_eq!(
            text,
            "Routing tables\n\
             \n\
             Internet:\n\
             Destination        Gateway            Flags               Netif Expire\n\
             default            192.168.1.1        UGSc                  en0       \n\
             10.168.1/24        link#14            UCS                   en0      !\n\
             10.168.1.1         link#14            UHLWIir               en0   1195\n"
        );
    }

    #[test]
    fn ipv6_matches_the_26_capture() {
        // macOS 26.5.2 `netstat -rn -f inet6` (spec §5, C 58578786149).
        let gw = Gateway::Addr {
            ip: "fe80::".parse().unwrap(),
            name: None,
            zone: Some(b"utun0"),
        };
        let text = render(
            Options {
                numeric: true,
                wide: false,
            },
            true,
            &[route("::", Some(0), gw, "UGcIg", "utun0", None)],
        );
        assert_eq!(
            text,
            "Routing tables\n\nInternet6:\n\
             Destination                             Gateway                                 Flags               Netif Expire\n\
             default                                 fe80::%utun0                            UGcIg               utun0       \n"
        );
    }

    #[test]
    fn names_networks_and_truncation() {
        // jc's 10.14 netstat-r.out rows, in 728's columns (543 had Refs and Use).
        let mut named = route(
            "192.168.1.64",
            None,
            addr("0.0.0.0"),
            "UHLWIi",
            "en0",
            Some(866),
        );
        named.name = Some(b"kellys-iphone.attlocal.net");
        named.gateway = Gateway::Addr {
            ip: "192.168.1.254".parse().unwrap(),
            name: Some(b"dsldevice.attlocal.net"),
            zone: None,
        };
        let v6net = Route {
            zone: Some(b"en0"),
            ..route("fe80::", Some(64), Gateway::Link(10), "UCI", "en0", None)
        };
        let text = render(Options::default(), false, &[named]);
        assert!(
            text.ends_with(
                "kellys-iphone.attl dsldevice.attlocal UHLWIi                en0    866\n"
            )
        );
        let text = render(Options::default(), true, &[v6net]);
        assert!(
            text.ends_with(
                "fe80::%en0         link#10            UCI                   en0       \n"
            )
        );
        let cases = [
            ("127.0.0.0", Some(8), "127"),
            ("169.254.0.0", Some(16), "169.254"),
            ("192.168.1.0", Some(24), "192.168.1"),
            ("224.0.0.0", Some(4), "224.0.0/4"),
            ("192.168.1.221", Some(32), "192.168.1.221/32"),
            ("10.0.0.0", Some(8), "10"),
            ("10.1.0.0", Some(16), "10.1/16"),
        ];
        for (ip, len, want) in cases {
            assert_eq!(netname(ip.parse().unwrap(), len), want, "{ip}");
        }
        assert_eq!(prefix_len_v4("255.255.240.0".parse().unwrap()), Some(20));
        assert_eq!(prefix_len_v4("255.0.255.0".parse().unwrap()), None);
        assert_eq!(
            kame_embedded("fe80::c9c:87f5:1".parse().unwrap(), 7).to_string(),
            "fe80:7::c9c:87f5:1"
        );
    }
}
