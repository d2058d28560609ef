//! `-r` as JSON: one record per route, named as `ip -j route` names things (`dst`, `gateway`,
//! `dev`, `metric`, `flags`), plus netstat's own columns (`genmask`, `ref`, `use`, `mss`,
//! `window`, `irtt`). Addresses are numeric; names go in `dst_host`/`gateway_host` only when
//! host names are on.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr};

use nettables::route::{CachedRoute, Ipv4Route, Ipv6Route};
use serde::Serialize;

use super::addr::{push_ipv4, push_ipv6};
use super::json::{self, JsonOptions, Sink, Text};
use super::route as text;

#[derive(Serialize)]
struct Record<'a> {
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    origin: Option<json::Origin<'a>>,
    family: &'static str,
    dst: String,
    gateway: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    genmask: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prefsrc: Option<String>,
    dev: Text<'a>,
    flags: String,
    metric: i64,
    #[serde(rename = "ref")]
    refcnt: i64,
    #[serde(rename = "use")]
    use_count: i64,
    /// netstat's MSS, Window and irtt columns (IPv4 only).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    tcp: Option<TcpColumns>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dst_host: Option<Option<Text<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gateway_host: Option<Option<Text<'a>>>,
}

#[derive(Serialize)]
struct TcpColumns {
    mss: i32,
    window: i32,
    irtt: i32,
}

/// The symbolic names the text shows for a route's destination and gateway (`None`: a number).
#[derive(Clone, Copy, Debug, Default)]
pub struct HostNames<'a> {
    pub dst: Option<&'a [u8]>,
    pub gateway: Option<&'a [u8]>,
}

/// What every route has, whatever its family.
struct Route<'a> {
    family: &'static str,
    dev: &'a [u8],
    flags: Vec<u8>,
    /// Metric, references and uses, as the kernel counts them.
    counts: [i64; 3],
}

impl<'a> Record<'a> {
    /// A record of `route`'s common fields; `names` is `None` when host names are off (no
    /// `dst_host` and `gateway_host` fields then).
    fn new(options: JsonOptions<'a>, names: Option<HostNames<'a>>, route: Route<'a>) -> Self {
        let [metric, refcnt, use_count] = route.counts;
        Record {
            origin: options.origin,
            family: route.family,
            dst: String::new(),
            gateway: None,
            genmask: None,
            prefsrc: None,
            dev: Text(route.dev),
            flags: String::from_utf8_lossy(&route.flags).into_owned(),
            metric,
            refcnt,
            use_count,
            tcp: None,
            dst_host: names.map(|n| n.dst.map(Text)),
            gateway_host: names.map(|n| n.gateway.map(Text)),
        }
    }
}

fn v4(addr: Ipv4Addr) -> String {
    let mut buf = Vec::with_capacity(15);
    push_ipv4(&mut buf, addr);
    String::from_utf8_lossy(&buf).into_owned()
}

fn v6(addr: Ipv6Addr) -> String {
    let mut buf = Vec::with_capacity(39);
    push_ipv6(&mut buf, addr);
    String::from_utf8_lossy(&buf).into_owned()
}

fn prefix(dst: String, len: u32) -> String {
    if len == 0 {
        "default".to_string()
    } else {
        format!("{dst}/{len}")
    }
}

/// One row of an IPv4 table: a route of the FIB, or an entry of the route cache (`-C`: a host
/// route, with its source in `prefsrc`).
#[derive(Clone, Copy, Debug)]
pub enum Ipv4Row<'a> {
    Route(&'a Ipv4Route),
    Cached(&'a CachedRoute),
}

/// One IPv4 route or cache entry.
pub fn write_ipv4(
    out: &mut impl Sink,
    options: JsonOptions<'_>,
    row: Ipv4Row<'_>,
    names: Option<HostNames<'_>>,
) -> io::Result<()> {
    // The columns both tables have, then each one's own.
    let (dev, gateway, m) = match row {
        Ipv4Row::Route(r) => (&r.iface, r.gateway, r.metrics),
        Ipv4Row::Cached(r) => (&r.iface, r.gateway, r.metrics),
    };
    let (dst, flags, genmask, prefsrc) = match row {
        Ipv4Row::Route(r) => {
            let len = u32::from(r.mask).count_ones();
            (
                prefix(v4(r.destination), len),
                text::ipv4_flags(r.flags),
                Some(v4(r.mask)),
                None,
            )
        }
        Ipv4Row::Cached(r) => {
            let dst = format!("{}/32", v4(r.destination));
            (dst, text::cache_flags(r.flags), None, Some(v4(r.source)))
        }
    };
    let route = Route {
        family: "inet",
        dev,
        flags,
        counts: [m.metric, m.refcnt, m.use_count].map(i64::from),
    };
    let record = Record {
        dst,
        gateway: (!gateway.is_unspecified()).then(|| v4(gateway)),
        genmask,
        prefsrc,
        tcp: Some(TcpColumns {
            mss: m.mss,
            window: m.window,
            irtt: m.irtt,
        }),
        ..Record::new(options, names, route)
    };
    json::record(out, options.format, &record)
}

/// One IPv6 route.
pub fn write_ipv6(
    out: &mut impl Sink,
    options: JsonOptions<'_>,
    r: &Ipv6Route,
    names: Option<HostNames<'_>>,
) -> io::Result<()> {
    let route = Route {
        family: "inet6",
        dev: &r.iface,
        flags: text::ipv6_flags(r.flags),
        counts: [r.metric, r.refcnt, r.use_count].map(i64::from),
    };
    let record = Record {
        dst: prefix(v6(r.destination), u32::from(r.prefix_len)),
        gateway: (!r.next_hop.is_unspecified()).then(|| v6(r.next_hop)),
        ..Record::new(options, names, route)
    };
    json::record(out, options.format, &record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::OutputFormat;
    use crate::render::json::tests::Memory;
    use nettables::route::Flags;
    use serde_json::json;

    #[test]
    fn routes_are_numeric_prefixes() {
        let options = JsonOptions {
            format: OutputFormat::JsonLines,
            origin: None,
        };
        let mut out = Memory::default();
        let mut default = Ipv4Route::default();
        default.iface = b"eth0".as_slice().into();
        default.gateway = Ipv4Addr::new(10, 0, 0, 1);
        default.flags = Flags::UP | Flags::GATEWAY;
        default.metrics.metric = 100;
        write_ipv4(&mut out, options, Ipv4Row::Route(&default), None).unwrap();
        let mut link = default.clone();
        (link.destination, link.gateway) = (Ipv4Addr::new(10, 0, 0, 0), Ipv4Addr::UNSPECIFIED);
        link.mask = Ipv4Addr::new(255, 255, 255, 0);
        link.flags = Flags::UP;
        let names = HostNames {
            dst: Some(b"lan"),
            gateway: None,
        };
        write_ipv4(&mut out, options, Ipv4Row::Route(&link), Some(names)).unwrap();
        let text = String::from_utf8_lossy(&out.bytes);
        assert!(
            text.starts_with(r#"{"family":"inet","dst":"default","gateway":"10.0.0.1","#),
            "{text}"
        );
        assert!(
            text.contains(r#""use":0,"mss":0,"window":0,"irtt":0}"#),
            "{text}"
        );
        let lines = out.json_lines();
        assert_eq!(
            lines[0],
            json!({"family": "inet", "dst": "default", "gateway": "10.0.0.1", "genmask": "0.0.0.0", "dev": "eth0",
                   "flags": "UG", "metric": 100, "ref": 0, "use": 0, "mss": 0, "window": 0, "irtt": 0})
        );
        assert_eq!(lines[1]["dst"], "10.0.0.0/24");
        assert_eq!(lines[1]["gateway"], serde_json::Value::Null);
        assert_eq!(lines[1]["dst_host"], "lan");
        assert_eq!(lines[1]["gateway_host"], serde_json::Value::Null);
    }

    #[test]
    fn ipv6_routes_have_no_tcp_columns() {
        let mut out = Memory::default();
        let mut r = Ipv6Route::default();
        (r.destination, r.prefix_len) = ("fd01::".parse().unwrap(), 64);
        r.iface = b"vA".as_slice().into();
        write_ipv6(&mut out, JsonOptions::default(), &r, None).unwrap();
        let text = String::from_utf8_lossy(&out.bytes);
        assert!(
            text.contains(r#""dst":"fd01::/64","gateway":null,"dev":"vA","#)
                && !text.contains("mss"),
            "{text}"
        );
    }

    #[test]
    fn cache_entries_are_host_routes_with_their_source() {
        let mut r = CachedRoute::default();
        r.iface = b"eth0".as_slice().into();
        (r.destination, r.source) = (Ipv4Addr::new(192, 168, 0, 1), Ipv4Addr::new(192, 168, 0, 2));
        r.flags = Flags::LOCAL;
        let mut out = Memory::default();
        write_ipv4(&mut out, JsonOptions::default(), Ipv4Row::Cached(&r), None).unwrap();
        let text = String::from_utf8_lossy(&out.bytes);
        assert!(
            text.contains(r#""dst":"192.168.0.1/32","gateway":null,"prefsrc":"192.168.0.2","dev":"eth0","flags":"l","#),
            "{text}"
        );
        assert!(!text.contains("genmask"), "{text}");
    }
}
