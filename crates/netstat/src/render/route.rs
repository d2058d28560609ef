//! The routing tables of `netstat -r`: titles, headers, flag letters and rows, as net-tools
//! 2.10 prints them. Names arrive already resolved; this module only cuts and lays them out.

use std::io::{self, Write};

use nettables::route::{CachedRoute, Flags, Ipv4Route, Ipv6Route, RouteMetrics};

use crate::i18n::tr;
use crate::text::{pad_left, write_sanitized};

/// The IPv4 column sets. net-tools numbers them 1-3 and has a fourth, empty one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Title only, no header and no rows (`-eee`: net-tools masks its counter to two bits).
    Empty,
    /// Metric, Ref, Use (`-e`).
    Usage,
    /// MSS, Window, irtt (no `-e`).
    Mss,
    /// Everything (`-ee`).
    Full,
}

impl Layout {
    /// The layout for `count` times `-e`: net-tools starts its counter at 1, swaps 1 and 2
    /// for routes, and keeps the low two bits.
    pub fn from_extend(count: u8) -> Layout {
        let ext = match u32::from(count) + 1 {
            1 => 2,
            2 => 1,
            n => n & 3,
        };
        match ext {
            1 => Layout::Usage,
            2 => Layout::Mss,
            3 => Layout::Full,
            _ => Layout::Empty,
        }
    }
}

/// Columns that net-tools cuts to 15 bytes.
const CUT: usize = 15;

fn cut(text: &[u8]) -> &[u8] {
    &text[..text.len().min(CUT)]
}

/// A name column: cut to 15 bytes, made safe, padded to 15 (`%-15s` of a cut buffer).
fn name_column(out: &mut impl Write, text: &[u8]) -> io::Result<()> {
    let text = cut(text);
    write_sanitized(out, text)?;
    crate::text::write_spaces(out, CUT - text.len())
}

pub fn write_ipv4_header(out: &mut impl Write, layout: Layout) -> io::Result<()> {
    out.write_all(tr!("Kernel IP routing table\n"))?;
    out.write_all(match layout {
        Layout::Empty => return Ok(()),
        Layout::Usage => {
            tr!("Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n")
        }
        Layout::Mss => {
            tr!("Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface\n")
        }
        Layout::Full => tr!(
            "Destination     Gateway         Genmask         Flags Metric Ref    Use Iface    MSS   Window irtt\n"
        ),
    })
}

/// The IPv4 flag letters. A reject route replaces the letters so far with `!`.
pub fn ipv4_flags(flags: Flags) -> Vec<u8> {
    let mut text = Vec::with_capacity(8);
    if flags.contains(Flags::UP) {
        text.push(b'U');
    }
    if flags.contains(Flags::GATEWAY) {
        text.push(b'G');
    }
    if flags.contains(Flags::REJECT) {
        text.clear();
        text.push(b'!');
    }
    const LETTERS: [(Flags, u8); 17] = [
        (Flags::HOST, b'H'),
        (Flags::REINSTATE, b'R'),
        (Flags::DYNAMIC, b'D'),
        (Flags::MODIFIED, b'M'),
        (Flags::DEFAULT, b'd'),
        (Flags::ALLONLINK, b'a'),
        (Flags::ADDRCONF, b'c'),
        (Flags::NONEXTHOP, b'o'),
        (Flags::EXPIRES, b'e'),
        (Flags::CACHE, b'c'),
        (Flags::FLOW, b'f'),
        (Flags::POLICY, b'p'),
        (Flags::LOCAL, b'l'),
        (Flags::MTU, b'u'),
        (Flags::WINDOW, b'w'),
        (Flags::IRTT, b'i'),
        (Flags::NOTCACHED, b'n'),
    ];
    text.extend(letters(flags, &LETTERS));
    text
}

/// The letters of the flags in `flags`, in the order of `letters`.
fn letters(flags: Flags, letters: &[(Flags, u8)]) -> impl Iterator<Item = u8> + '_ {
    letters
        .iter()
        .filter(move |&&(flag, _)| flags.contains(flag))
        .map(|&(_, letter)| letter)
}

/// The resolved texts of an IPv4 route's addresses (cut when written).
pub struct RouteTexts<'a> {
    pub destination: &'a [u8],
    pub gateway: &'a [u8],
}

/// One IPv4 route.
pub fn write_ipv4_row(
    out: &mut impl Write,
    layout: Layout,
    route: &Ipv4Route,
    texts: &RouteTexts<'_>,
) -> io::Result<()> {
    if layout == Layout::Empty {
        return Ok(());
    }
    let reject = route.flags.contains(Flags::REJECT);
    name_column(out, texts.destination)?;
    out.write_all(b" ")?;
    if reject {
        out.write_all(b"-              ")?;
    } else {
        name_column(out, texts.gateway)?;
    }
    out.write_all(b" ")?;
    pad_left(out, route.mask.to_string().as_bytes(), CUT)?;
    out.write_all(b" ")?;
    pad_left(out, &ipv4_flags(route.flags), 5)?;
    let m = &route.metrics;
    if reject {
        return match layout {
            Layout::Usage => writeln!(out, " {:<6} -  {:>7} -", m.metric, m.use_count),
            Layout::Mss => out.write_all(b"     - -          - -\n"),
            Layout::Full => writeln!(
                out,
                " {:<6} -  {:>7} -        -     -      -",
                m.metric, m.use_count
            ),
            Layout::Empty => Ok(()),
        };
    }
    write_metrics(out, layout, m)?;
    if layout != Layout::Full {
        write_sanitized(out, &route.iface)?;
        return out.write_all(b"\n");
    }
    write_short_iface(out, &route.iface)?;
    writeln!(out, "   {:<5} {:<6} {}", m.mss, m.window, m.irtt)
}

/// The counter columns both IPv4 tables print before the interface: metric, references
/// and uses, or (`Layout::Mss`) MSS, window and irtt.
fn write_metrics(out: &mut impl Write, layout: Layout, m: &RouteMetrics) -> io::Result<()> {
    match layout {
        Layout::Usage => write!(out, " {:<6} {:<2} {:>7} ", m.metric, m.refcnt, m.use_count),
        Layout::Mss => write!(out, " {:>5} {:<5} {:>6} ", m.mss, m.window, m.irtt),
        Layout::Full | Layout::Empty => {
            write!(out, " {:<6} {:<3} {:>6} ", m.metric, m.refcnt, m.use_count)
        }
    }
}

/// The interface of the `-ee` layout: `%-6.6s`, cut to 6 and padded.
fn write_short_iface(out: &mut impl Write, iface: &[u8]) -> io::Result<()> {
    let short = &iface[..iface.len().min(6)];
    write_sanitized(out, short)?;
    crate::text::write_spaces(out, 6 - short.len())
}

pub fn write_cache_header(out: &mut impl Write, layout: Layout) -> io::Result<()> {
    out.write_all(tr!("Kernel IP routing cache\n"))?;
    out.write_all(match layout {
        Layout::Empty => return Ok(()),
        Layout::Usage => {
            tr!("Source          Destination     Gateway         Flags Metric Ref    Use Iface\n")
        }
        Layout::Mss => {
            tr!("Source          Destination     Gateway         Flags   MSS Window  irtt Iface\n")
        }
        Layout::Full => tr!(
            "Source          Destination     Gateway         Flags Metric Ref    Use Iface    MSS   Window irtt  TOS HHRef HHUptod     SpecDst\n"
        ),
    })
}

/// The route cache's flag letters (Linux 2.2+ layout, where `U` and `H` are not shown).
pub fn cache_flags(flags: Flags) -> Vec<u8> {
    let mut text = Vec::with_capacity(8);
    if flags.contains(Flags::GATEWAY) {
        text.push(b'G');
    }
    if flags.contains(Flags::REJECT) {
        text.clear();
        text.push(b'!');
    }
    // The RTCF_* bits overlap the RTF_* ones; the cache's text reads them as RTCF_*.
    let bits = flags.bits();
    const LETTERS: [(u32, &[u8]); 18] = [
        (Flags::REINSTATE.bits(), b"R"),
        (Flags::DYNAMIC.bits(), b"D"),
        (Flags::MODIFIED.bits(), b"M"),
        (0x0000_0001, b"-"),  // RTCF_DEAD
        (0x0000_0004, b"o"),  // RTCF_ONLINK
        (0x0001_0000, b"n"),  // RTCF_NOTIFY
        (0x0002_0000, b"d"),  // RTCF_DIRECTDST
        (0x0008_0000, b"t"),  // RTCF_TPROXY
        (0x0020_0000, b"f"),  // RTCF_FAST
        (0x0040_0000, b"q"),  // RTCF_MASQ
        (0x0080_0000, b"Ns"), // RTCF_SNAT
        (0x0100_0000, b"r"),  // RTCF_DOREDIRECT
        (0x0400_0000, b"i"),  // RTCF_DIRECTSRC
        (0x0800_0000, b"Nd"), // RTCF_DNAT
        (0x1000_0000, b"b"),  // RTCF_BROADCAST
        (0x2000_0000, b"m"),  // RTCF_MULTICAST
        (0x4000_0000, b"#"),  // RTCF_REJECT
        (0x8000_0000, b"l"),  // RTCF_LOCAL
    ];
    for (bit, letters) in LETTERS {
        if bits & bit != 0 {
            text.extend_from_slice(letters);
        }
    }
    text
}

/// The resolved texts of one cache row's addresses.
pub struct CacheTexts<'a> {
    pub source: &'a [u8],
    pub destination: &'a [u8],
    pub gateway: &'a [u8],
    pub spec_dst: &'a [u8],
}

pub fn write_cache_row(
    out: &mut impl Write,
    layout: Layout,
    row: &CachedRoute,
    names: &CacheTexts,
) -> io::Result<()> {
    if layout == Layout::Empty {
        return Ok(());
    }
    for text in [names.source, names.destination, names.gateway] {
        name_column(out, text)?;
        out.write_all(b" ")?;
    }
    pad_left(out, &cache_flags(row.flags), 5)?;
    let m = &row.metrics;
    write_metrics(out, layout, m)?;
    if layout != Layout::Full {
        write_sanitized(out, &row.iface)?;
        return out.write_all(b"\n");
    }
    write_short_iface(out, &row.iface)?;
    write!(
        out,
        "   {:<5} {:<6} {:<5} {:<3} {:<3}   {:<3} ",
        m.mss, m.window, m.irtt, row.tos, row.hh_ref, row.hh_uptodate
    )?;
    let spec_dst = cut(names.spec_dst);
    crate::text::write_spaces(out, CUT - spec_dst.len())?;
    write_sanitized(out, spec_dst)?;
    out.write_all(b"\n")
}

/// Title and header of the IPv6 table (`cache`: the `-C` variant).
pub fn write_ipv6_header(out: &mut impl Write, cache: bool) -> io::Result<()> {
    out.write_all(if cache {
        tr!("Kernel IPv6 routing cache\n")
    } else {
        tr!("Kernel IPv6 routing table\n")
    })?;
    out.write_all(tr!(
        "Destination                    Next Hop                   Flag Met Ref  Use If\n"
    ))
}

/// The IPv6 flag letters.
pub fn ipv6_flags(flags: Flags) -> Vec<u8> {
    const LETTERS: [(Flags, u8); 12] = [
        (Flags::UP, b'U'),
        (Flags::REJECT, b'!'),
        (Flags::GATEWAY, b'G'),
        (Flags::HOST, b'H'),
        (Flags::DEFAULT, b'D'),
        (Flags::ADDRCONF, b'A'),
        (Flags::CACHE, b'C'),
        (Flags::ALLONLINK, b'a'),
        (Flags::EXPIRES, b'e'),
        (Flags::MODIFIED, b'm'),
        (Flags::NONEXTHOP, b'n'),
        (Flags::FLOW, b'f'),
    ];
    letters(flags, &LETTERS).collect()
}

/// One IPv6 route; `destination` is the resolved `addr/len` text. Nothing is cut: long
/// names push the columns right. The counters print as C `int`s (a metric of 0xffffffff
/// shows as -1).
pub fn write_ipv6_row(
    out: &mut impl Write,
    route: &Ipv6Route,
    destination: &[u8],
    next_hop: &[u8],
) -> io::Result<()> {
    write_sanitized(out, destination)?;
    crate::text::write_spaces(out, 30usize.saturating_sub(destination.len()))?;
    out.write_all(b" ")?;
    write_sanitized(out, next_hop)?;
    crate::text::write_spaces(out, 26usize.saturating_sub(next_hop.len()))?;
    out.write_all(b" ")?;
    pad_left(out, &ipv6_flags(route.flags), 4)?;
    write!(
        out,
        " {:<3} {:<1} {:>6} ",
        route.metric as i32, route.refcnt as i32, route.use_count as i32
    )?;
    write_sanitized(out, &route.iface)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn route(flags: u32) -> Ipv4Route {
        let mut r = Ipv4Route::default();
        r.iface = b"averylongif"[..].into();
        (r.destination, r.mask) = (Ipv4Addr::new(10, 9, 0, 0), Ipv4Addr::new(255, 255, 0, 0));
        r.flags = Flags::from_bits_retain(flags);
        let m = &mut r.metrics;
        (m.refcnt, m.use_count, m.metric) = (1, 12, 100);
        (m.mss, m.window, m.irtt) = (1340, 8000, 30);
        r
    }

    fn row(layout: Layout, route: &Ipv4Route, destination: &[u8], gateway: &[u8]) -> String {
        let mut out = Vec::new();
        let texts = RouteTexts {
            destination,
            gateway,
        };
        write_ipv4_row(&mut out, layout, route, &texts).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn extend_counts_map_like_net_tools() {
        let layouts: Vec<Layout> = (0..8).map(Layout::from_extend).collect();
        use Layout::*;
        assert_eq!(layouts, [Mss, Usage, Full, Empty, Usage, Mss, Full, Empty]);
    }

    #[test]
    fn flag_letters() {
        let bits = Flags::from_bits_retain;
        assert_eq!(ipv4_flags(bits(0x0003)), b"UG");
        assert_eq!(ipv4_flags(bits(0x0007)), b"UGH");
        assert_eq!(ipv4_flags(bits(0x0201)), b"!");
        assert_eq!(ipv4_flags(bits(0x0205)), b"!H");
        assert_eq!(ipv4_flags(bits(0x8000_05f1)), b"UDMluwin");
        assert_eq!(ipv6_flags(bits(0x0020_0200)), b"!n");
        assert_eq!(ipv6_flags(bits(0x0045_0003)), b"UGDAe");
        assert_eq!(cache_flags(bits(0x8080_0202)), b"!Nsl");
        assert_eq!(cache_flags(bits(0x0000_0005)), b"-o");
    }

    #[test]
    fn ipv4_rows_in_every_layout() {
        let r = route(0x0003);
        let long = b"a-very-long-peer-hostname.example";
        assert_eq!(
            row(Layout::Mss, &r, b"10.9.0.0", long),
            "10.9.0.0        a-very-long-pee 255.255.0.0     UG     1340 8000      30 averylongif\n"
        );
        assert_eq!(
            row(Layout::Usage, &r, b"10.9.0.0", b"0.0.0.0"),
            "10.9.0.0        0.0.0.0         255.255.0.0     UG    100    1       12 averylongif\n"
        );
        assert_eq!(
            row(Layout::Full, &r, b"net\x1bname", b"0.0.0.0"),
            "net?name        0.0.0.0         255.255.0.0     UG    100    1       12 averyl   1340  8000   30\n"
        );
        assert_eq!(row(Layout::Empty, &r, b"x", b"y"), "");
    }

    #[test]
    fn reject_rows_hide_gateway_and_device() {
        let r = route(0x0201);
        assert_eq!(
            row(Layout::Mss, &r, b"10.9.0.0", b"ignored"),
            "10.9.0.0        -               255.255.0.0     !         - -          - -\n"
        );
        assert_eq!(
            row(Layout::Usage, &r, b"10.9.0.0", b"ignored"),
            "10.9.0.0        -               255.255.0.0     !     100    -       12 -\n"
        );
        assert_eq!(
            row(Layout::Full, &r, b"10.9.0.0", b"ignored"),
            "10.9.0.0        -               255.255.0.0     !     100    -       12 -        -     -      -\n"
        );
    }

    #[test]
    fn ipv6_rows_are_never_cut() {
        let mut r = Ipv6Route::default();
        (r.metric, r.refcnt, r.use_count) = (u32::MAX, 12, 3);
        r.flags = Flags::from_bits_retain(0x0020_0200);
        r.iface = b"lo"[..].into();
        let mut out = Vec::new();
        write_ipv6_row(
            &mut out,
            &r,
            b"[::]/0",
            b"v6peer-with-a-rather-long-name.example",
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "[::]/0                         v6peer-with-a-rather-long-name.example !n   -1  12      3 lo\n"
        );
    }

    #[test]
    fn cache_rows() {
        let mut row = CachedRoute::default();
        row.iface = b"eth0"[..].into();
        row.destination = Ipv4Addr::new(192, 168, 0, 1);
        (row.source, row.spec_dst) = (Ipv4Addr::new(192, 168, 0, 2), Ipv4Addr::new(192, 168, 0, 2));
        row.flags = Flags::LOCAL;
        (row.metrics.refcnt, row.metrics.use_count, row.metrics.mss) = (1, 5, 1500);
        row.hh_ref = -1;
        let names = CacheTexts {
            source: b"192.168.0.2",
            destination: b"192.168.0.1",
            gateway: b"0.0.0.0",
            spec_dst: b"192.168.0.2",
        };
        let mut out = Vec::new();
        write_cache_row(&mut out, Layout::Mss, &row, &names).unwrap();
        write_cache_row(&mut out, Layout::Full, &row, &names).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "192.168.0.2     192.168.0.1     0.0.0.0         l      1500 0          0 eth0\n\
             192.168.0.2     192.168.0.1     0.0.0.0         l     0      1        5 eth0     1500  0      0     0   -1    0       192.168.0.2\n"
        );
    }
}
