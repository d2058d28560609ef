//! Routing tables from `/proc/net/route`, `/proc/net/rt_cache` and `/proc/net/ipv6_route`.
//!
//! These files, not rtnetlink, are the source on purpose: they are exactly what net-tools
//! prints (the IPv4 file holds the main table only, netlink would also give the local table),
//! and they are small.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::route::{
    CachedRoute, Flags, IPV4_CACHE_PATH, IPV4_ROUTE_PATH, IPV6_ROUTE_PATH, Ipv4Route, Ipv6Route,
    RouteMetrics,
};
use crate::{Error, Result};

/// Columns of `/proc/net/route`, in the order [`parse_ipv4_row`] expects them.
const ROUTE_COLUMNS: [&str; 11] = [
    "Iface",
    "Destination",
    "Gateway",
    "Flags",
    "RefCnt",
    "Use",
    "Metric",
    "Mask",
    "MTU",
    "Window",
    "IRTT",
];

/// Columns of `/proc/net/rt_cache` (the Linux 2.2+ layout): the main table's, with `Source`
/// where `Mask` is, then four of its own.
fn cache_columns() -> [&'static str; 15] {
    let mut columns = [""; 15];
    columns[..11].copy_from_slice(&ROUTE_COLUMNS);
    columns[7] = "Source";
    columns[11..].copy_from_slice(&["TOS", "HHRef", "HHUptod", "SpecDst"]);
    columns
}

pub(crate) fn ipv4_routes() -> Result<Vec<Ipv4Route>> {
    parse_ipv4_routes(&super::read_file(IPV4_ROUTE_PATH)?).map_err(|column| Error::MissingColumn {
        what: IPV4_ROUTE_PATH,
        column,
    })
}

pub(crate) fn ipv4_route_cache() -> Result<Vec<CachedRoute>> {
    parse_ipv4_cache(&super::read_file(IPV4_CACHE_PATH)?).map_err(|column| Error::MissingColumn {
        what: IPV4_CACHE_PATH,
        column,
    })
}

pub(crate) fn ipv6_routes() -> Result<Vec<Ipv6Route>> {
    Ok(parse_ipv6_routes(&super::read_file(IPV6_ROUTE_PATH)?))
}

/// Parses `/proc/net/route`: the columns are found by their header names, rows without
/// `RTF_UP` and malformed rows are skipped. `Err` names a missing column.
pub fn parse_ipv4_routes(text: &[u8]) -> std::result::Result<Vec<Ipv4Route>, &'static str> {
    let mut lines = text.split(|&b| b == b'\n');
    let columns = locate(lines.next().unwrap_or_default(), &ROUTE_COLUMNS)?;
    Ok(lines
        .filter_map(|line| parse_ipv4_row(&columns, line))
        .filter(|route| route.flags.contains(Flags::UP))
        .collect())
}

/// The whitespace-separated words of a /proc line.
fn words(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(|b| b.is_ascii_whitespace())
        .filter(|f| !f.is_empty())
}

/// A trailing integer column that net-tools reads as 0 when the row lacks it.
fn optional_int(field: Option<&[u8]>) -> Option<i32> {
    field.map_or(Some(0), c_int)
}

fn parse_ipv4_row(columns: &[usize], line: &[u8]) -> Option<Ipv4Route> {
    let fields: Vec<&[u8]> = words(line).collect();
    let field = |i: usize| fields.get(columns[i]).copied();
    let int = |i: usize| field(i).and_then(c_int);
    Some(Ipv4Route {
        iface: field(0)?.into(),
        destination: hex_ipv4(field(1)?)?,
        gateway: hex_ipv4(field(2)?)?,
        flags: Flags::from_bits_retain(hex_u32(field(3)?)?),
        mask: hex_ipv4(field(7)?)?,
        metrics: RouteMetrics {
            refcnt: int(4)?,
            use_count: int(5)?,
            metric: int(6)?,
            mss: int(8)?,
            window: int(9)?,
            // net-tools accepts a row without the last column.
            irtt: optional_int(field(10))?,
        },
    })
}

/// Parses `/proc/net/rt_cache`. Rows need the columns up to `TOS`; the last three default
/// to 0 when absent, as in net-tools.
pub fn parse_ipv4_cache(text: &[u8]) -> std::result::Result<Vec<CachedRoute>, &'static str> {
    let mut lines = text.split(|&b| b == b'\n');
    let columns = locate(lines.next().unwrap_or_default(), &cache_columns())?;
    Ok(lines
        .filter_map(|line| parse_cache_row(&columns, line))
        .collect())
}

fn parse_cache_row(columns: &[usize], line: &[u8]) -> Option<CachedRoute> {
    // The first eleven columns are the main table's, with Source where Mask is.
    let mut row = CachedRoute::from_route_columns(parse_ipv4_row(columns, line)?);
    let fields: Vec<&[u8]> = words(line).collect();
    let field = |i: usize| fields.get(columns[i]).copied();
    // The cache needs IRTT, and TOS; the three columns after TOS may be absent.
    field(10).and_then(c_int)?;
    row.tos = field(11).and_then(c_int)?;
    row.hh_ref = optional_int(field(12))?;
    row.hh_uptodate = optional_int(field(13))?;
    if let Some(f) = field(14) {
        row.spec_dst = hex_ipv4(f)?;
    }
    Some(row)
}

/// Parses `/proc/net/ipv6_route` (fixed layout, no header). Malformed rows are skipped.
pub fn parse_ipv6_routes(text: &[u8]) -> Vec<Ipv6Route> {
    text.split(|&b| b == b'\n')
        .filter_map(parse_ipv6_row)
        .collect()
}

fn parse_ipv6_row(line: &[u8]) -> Option<Ipv6Route> {
    let mut fields = words(line);
    let mut next = || fields.next();
    let route = Ipv6Route {
        destination: hex_ipv6(next()?)?,
        prefix_len: hex_u8(next()?)?,
        source: hex_ipv6(next()?)?,
        source_len: hex_u8(next()?)?,
        next_hop: hex_ipv6(next()?)?,
        metric: hex_u32(next()?)?,
        refcnt: hex_u32(next()?)?,
        use_count: hex_u32(next()?)?,
        flags: Flags::from_bits_retain(hex_u32(next()?)?),
        // A route without a device has an empty (all blank) name column.
        iface: next().unwrap_or_default().into(),
    };
    if next().is_some() {
        return None;
    }
    Some(route)
}

/// The field index of each of `names` in a header whose columns are separated by blanks or
/// `|`; `Err` gives the first name that is missing.
fn locate(header: &[u8], names: &[&'static str]) -> std::result::Result<Vec<usize>, &'static str> {
    let titles: Vec<&[u8]> = header
        .split(|&b| b.is_ascii_whitespace() || b == b'|')
        .filter(|t| !t.is_empty())
        .collect();
    names
        .iter()
        .map(|name| {
            titles
                .iter()
                .position(|t| *t == name.as_bytes())
                .ok_or(*name)
        })
        .collect()
}

/// A C `%d` conversion: glibc reads a `long` and stores its low 32 bits.
fn c_int(digits: &[u8]) -> Option<i32> {
    let value: i64 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    Some(value as i32)
}

fn hex_u32(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 8 {
        return None;
    }
    u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

fn hex_u8(digits: &[u8]) -> Option<u8> {
    u8::try_from(hex_u32(digits)?).ok()
}

/// An IPv4 address printed by the kernel as `%08X` of the address in memory order.
fn hex_ipv4(digits: &[u8]) -> Option<Ipv4Addr> {
    if digits.len() != 8 {
        return None;
    }
    Some(Ipv4Addr::from(hex_u32(digits)?.to_ne_bytes()))
}

/// An IPv6 address printed as 32 hex digits in network order.
fn hex_ipv6(digits: &[u8]) -> Option<Ipv6Addr> {
    if digits.len() != 32 {
        return None;
    }
    let mut octets = [0u8; 16];
    for (octet, pair) in octets.iter_mut().zip(digits.chunks_exact(2)) {
        *octet = hex_u8(pair)?;
    }
    Some(Ipv6Addr::from(octets))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTE: &[u8] = b"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT                                                       \n\
vA\t00000000\t0200010A\t0003\t0\t0\t0\t00000000\t0\t0\t0                                                                                 \n\
*\t0000090A\t00000000\t0201\t0\t0\t0\t0000FFFF\t0\t0\t0                                                                                  \n\
vA\t0707070A\t0200010A\t0007\t0\t0\t-1\tFFFFFFFF\t1340\t8000\t30   \n\
vA\t0000320A\t0200010A\t0002\t0\t0\t0\t0000FFFF\t0\t0\t0\n";

    fn ne(octets: [u8; 4]) -> Ipv4Addr {
        Ipv4Addr::from(octets)
    }

    #[test]
    fn ipv4_routes_from_a_captured_table() {
        let routes = parse_ipv4_routes(ROUTE).unwrap();
        // The last row lacks RTF_UP.
        assert_eq!(routes.len(), 3);
        let default = &routes[0];
        assert_eq!(&*default.iface, b"vA");
        assert_eq!(default.destination, Ipv4Addr::UNSPECIFIED);
        assert_eq!(
            default.gateway,
            Ipv4Addr::from(u32::from_str_radix("0200010A", 16).unwrap().to_ne_bytes())
        );
        assert_eq!(default.flags, Flags::UP | Flags::GATEWAY);
        let reject = &routes[1];
        assert_eq!(
            (&*reject.iface, reject.flags.contains(Flags::REJECT)),
            (&b"*"[..], true)
        );
        let host = &routes[2];
        assert!(host.flags.contains(Flags::HOST));
        assert_eq!(
            (
                host.metrics.metric,
                host.metrics.mss,
                host.metrics.window,
                host.metrics.irtt
            ),
            (-1, 1340, 8000, 30)
        );
        assert_eq!(host.mask, ne([255, 255, 255, 255]));
    }

    #[test]
    fn columns_are_found_by_name() {
        let text = b"Destination Iface Gateway Flags Mask RefCnt Use Metric MTU Window IRTT\n\
                     0000010A lo 00000000 1 00FFFFFF 2 3 4 5 6 7\n";
        let routes = parse_ipv4_routes(text).unwrap();
        let r = &routes[0];
        let m = r.metrics;
        assert_eq!(
            (&*r.iface, m.refcnt, m.use_count, m.metric),
            (&b"lo"[..], 2, 3, 4)
        );
        assert_eq!((m.mss, m.window, m.irtt), (5, 6, 7));
        assert_eq!(
            parse_ipv4_routes(b"Iface Destination Gateway Flags\n"),
            Err("RefCnt")
        );
        assert_eq!(parse_ipv4_routes(b""), Err("Iface"));
    }

    #[test]
    fn hostile_ipv4_rows_are_skipped() {
        let header =
            "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\n";
        let rows = [
            "vA\t0000010A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0", // no IRTT: accepted
            "vA\t0000010A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0",    // truncated
            "vA\t000010A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0", // 7 digits
            "vA\t0000010G\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
            "vA\t0000010A\t00000000\t123456789\t0\t0\t0\t00FFFFFF\t0\t0\t0",
            "vA\t0000010A\t00000000\t0001\tx\t0\t0\t00FFFFFF\t0\t0\t0",
            "vA\t0000010A\t00000000\t0001\t0\t0\t99999999999999999999\t00FFFFFF\t0\t0\t0",
            "",
            "\u{0}\u{1}",
        ];
        let text = format!("{header}{}\n", rows.join("\n"));
        let routes = parse_ipv4_routes(text.as_bytes()).unwrap();
        assert_eq!(routes.len(), 1);
        assert_eq!(routes[0].metrics.irtt, 0);
        // A value beyond 32 bits wraps, as it does in C.
        let text =
            format!("{header}vA\t0000010A\t00000000\t0001\t0\t0\t4294967295\t00FFFFFF\t0\t0\t0\n");
        assert_eq!(
            parse_ipv4_routes(text.as_bytes()).unwrap()[0]
                .metrics
                .metric,
            -1
        );
    }

    #[test]
    fn route_cache_header_only_and_rows() {
        let header = b"Iface\tDestination\tGateway \tFlags\t\tRefCnt\tUse\tMetric\tSource\t\tMTU\tWindow\tIRTT\tTOS\tHHRef\tHHUptod\tSpecDst                                                     \n";
        assert_eq!(parse_ipv4_cache(header).unwrap(), vec![]);
        let mut text = header.to_vec();
        text.extend_from_slice(b"eth0\t0100A8C0\t00000000\t80000000\t\t1\t5\t0\t0200A8C0\t\t1500\t0\t0\t00\t-1\t0\t0200A8C0\n");
        text.extend_from_slice(
            b"eth0\t0100A8C0\t00000000\t80000000\t\t1\t5\t0\t0200A8C0\t\t1500\t0\t0\n",
        );
        text.extend_from_slice(
            b"eth0\t0100A8C0\t00000000\t80000000\t\t1\t5\t0\t0200A8C0\t\t1500\t0\t0\t00\n",
        );
        let rows = parse_ipv4_cache(&text).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].flags, rows[0].metrics.use_count, rows[0].hh_ref),
            (Flags::LOCAL, 5, -1)
        );
        assert_eq!(rows[0].spec_dst, rows[0].source);
        assert_eq!(
            (rows[1].hh_ref, rows[1].spec_dst),
            (0, Ipv4Addr::UNSPECIFIED)
        );
        assert_eq!(parse_ipv4_cache(b"Iface\tDestination\n"), Err("Gateway"));
    }

    #[test]
    fn ipv6_routes_from_a_captured_table() {
        let text = b"fd020000000000000000000000000000 40 00000000000000000000000000000000 00 fd010000000000000000000000000002 00000007 00000002 00000000 00000003     vA\n\
00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n\
00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001 \n";
        let routes = parse_ipv6_routes(text);
        assert_eq!(routes.len(), 3);
        assert_eq!(routes[0].destination, "fd02::".parse::<Ipv6Addr>().unwrap());
        assert_eq!(routes[0].next_hop, "fd01::2".parse::<Ipv6Addr>().unwrap());
        assert_eq!(
            (
                routes[0].prefix_len,
                routes[0].metric,
                routes[0].refcnt,
                routes[0].flags.bits()
            ),
            (64, 7, 2, 3)
        );
        assert_eq!(
            (routes[1].metric, &*routes[1].iface),
            (u32::MAX, &b"lo"[..])
        );
        assert_eq!(
            (routes[2].destination, &*routes[2].iface),
            (Ipv6Addr::LOCALHOST, &b""[..])
        );
    }

    #[test]
    fn hostile_ipv6_rows_are_skipped() {
        let good = "00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001 lo";
        let rows = [
            good.replacen("80 ", "800 ", 1),
            good.replacen("0001 80", "001 80", 1),
            good.replacen("80200001", "8020000g", 1),
            good.replacen(" lo", " lo extra", 1),
            good[..40].to_string(),
            "\u{7f}".to_string(),
            String::new(),
        ];
        assert!(parse_ipv6_routes(rows.join("\n").as_bytes()).is_empty());
        assert_eq!(parse_ipv6_routes(good.as_bytes()).len(), 1);
    }
}
