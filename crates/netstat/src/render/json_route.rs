//! `-r` as JSON: one record per route, named as `ip -j route` names things (`dst`, `gateway`,
//! `dev`, `metric`, `flags`), plus netstat's own columns (`genmask`, `ref`, `use`, `mss`,
//! `window`, `irtt`). Addresses are numeric; names go in `dst_host`/`gateway_host` only when
//! host names are on.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr};

use nettables::route::{CachedRoute, Ipv4Route, Ipv6Route};
use serde::Serialize;

use super::addr::{push_ipv4, push_ipv6};
use super::json::{self, Sink, Text};
use super::route as text;
use crate::cli::args::Args;

#[derive(Serialize)]
struct Record<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    netns: Option<&'a str>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    mss: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    window: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    irtt: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dst_host: Option<Option<Text<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gateway_host: Option<Option<Text<'a>>>,
}

/// Symbolic names the text shows for a route's destination and gateway (`None`: a number).
#[derive(Clone, Copy, Debug, Default)]
pub struct Names<'a> {
    pub dst: Option<&'a [u8]>,
    pub gateway: Option<&'a [u8]>,
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

fn letters(flags: Vec<u8>) -> String {
    String::from_utf8_lossy(&flags).into_owned()
}

fn hosts<'a>(
    args: &Args,
    names: Names<'a>,
) -> (Option<Option<Text<'a>>>, Option<Option<Text<'a>>>) {
    if args.numeric_hosts || args.symbolic {
        return (None, None);
    }
    (Some(names.dst.map(Text)), Some(names.gateway.map(Text)))
}

/// One IPv4 FIB route.
pub fn write_ipv4(
    out: &mut impl Sink,
    args: &Args,
    r: &Ipv4Route,
    names: Names<'_>,
) -> io::Result<()> {
    let (dst_host, gateway_host) = hosts(args, names);
    let record = Record {
        netns: args.netns_label.as_deref(),
        family: "inet",
        dst: prefix(v4(r.destination), u32::from(r.mask).count_ones()),
        gateway: (!r.gateway.is_unspecified()).then(|| v4(r.gateway)),
        genmask: Some(v4(r.mask)),
        prefsrc: None,
        dev: Text(&r.iface),
        flags: letters(text::ipv4_flags(r.flags)),
        metric: i64::from(r.metric),
        refcnt: i64::from(r.refcnt),
        use_count: i64::from(r.use_count),
        mss: Some(r.mss),
        window: Some(r.window),
        irtt: Some(r.irtt),
        dst_host,
        gateway_host,
    };
    json::record(out, args.format, &record)
}

/// One IPv4 routing cache entry (`-C`): host routes, with their source in `prefsrc`.
pub fn write_cache(
    out: &mut impl Sink,
    args: &Args,
    r: &CachedRoute,
    names: Names<'_>,
) -> io::Result<()> {
    let (dst_host, gateway_host) = hosts(args, names);
    let record = Record {
        netns: args.netns_label.as_deref(),
        family: "inet",
        dst: format!("{}/32", v4(r.destination)),
        gateway: (!r.gateway.is_unspecified()).then(|| v4(r.gateway)),
        genmask: None,
        prefsrc: Some(v4(r.source)),
        dev: Text(&r.iface),
        flags: letters(text::cache_flags(r.flags)),
        metric: i64::from(r.metric),
        refcnt: i64::from(r.refcnt),
        use_count: i64::from(r.use_count),
        mss: Some(r.mss),
        window: Some(r.window),
        irtt: Some(r.irtt),
        dst_host,
        gateway_host,
    };
    json::record(out, args.format, &record)
}

/// One IPv6 route.
pub fn write_ipv6(
    out: &mut impl Sink,
    args: &Args,
    r: &Ipv6Route,
    names: Names<'_>,
) -> io::Result<()> {
    let (dst_host, gateway_host) = hosts(args, names);
    let record = Record {
        netns: args.netns_label.as_deref(),
        family: "inet6",
        dst: prefix(v6(r.destination), u32::from(r.prefix_len)),
        gateway: (!r.next_hop.is_unspecified()).then(|| v6(r.next_hop)),
        genmask: None,
        prefsrc: None,
        dev: Text(&r.iface),
        flags: letters(text::ipv6_flags(r.flags)),
        metric: i64::from(r.metric),
        refcnt: i64::from(r.refcnt),
        use_count: i64::from(r.use_count),
        mss: None,
        window: None,
        irtt: None,
        dst_host,
        gateway_host,
    };
    json::record(out, args.format, &record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::OutputFormat;
    use crate::render::json::tests::Memory;
    use nettables::route::Flags;
    use serde_json::json;

    #[test]
    fn routes_are_numeric_prefixes() {
        let args = Args {
            format: OutputFormat::JsonLines,
            numeric_hosts: true,
            ..Args::default()
        };
        let mut out = Memory::default();
        let mut default = Ipv4Route::default();
        default.iface = b"eth0".as_slice().into();
        default.gateway = Ipv4Addr::new(10, 0, 0, 1);
        default.flags = Flags::UP | Flags::GATEWAY;
        default.metric = 100;
        write_ipv4(&mut out, &args, &default, Names::default()).unwrap();
        let mut link = default.clone();
        (link.destination, link.gateway) = (Ipv4Addr::new(10, 0, 0, 0), Ipv4Addr::UNSPECIFIED);
        link.mask = Ipv4Addr::new(255, 255, 255, 0);
        link.flags = Flags::UP;
        let named = Args {
            numeric_hosts: false,
            ..args.clone()
        };
        write_ipv4(
            &mut out,
            &named,
            &link,
            Names {
                dst: Some(b"lan"),
                gateway: None,
            },
        )
        .unwrap();
        let lines: Vec<serde_json::Value> = out
            .bytes
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect();
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
}
