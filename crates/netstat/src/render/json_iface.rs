//! `-i` as JSON: one record per interface, with the field names of `ip -j -s link` and
//! `ip -j addr` (`ifname`, `flags`, `mtu`, `link_type`, `address`, `txqlen`, `addr_info`,
//! `stats64`).

use std::io;

use nettables::iface::{Counters, Flags, Inet6Address, Interface};
use serde::Serialize;

use super::addr::{push_ipv4, push_ipv6};
use super::json::{self, JsonOptions, Sink, Text};

#[derive(Serialize)]
struct Record<'a> {
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    origin: Option<json::Origin<'a>>,
    ifname: Text<'a>,
    flags: Vec<&'static str>,
    mtu: i32,
    metric: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    txqlen: Option<i32>,
    link_type: String,
    /// Hardware address, for the types whose address is six bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<String>,
    addr_info: Vec<AddrInfo>,
    /// Counters from `/proc/net/dev`; absent for IPv4 alias labels (`eth0:1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    stats64: Option<Stats64>,
}

#[derive(Serialize)]
struct AddrInfo {
    family: &'static str,
    local: String,
    prefixlen: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    broadcast: Option<String>,
    /// The peer of a point-to-point link.
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'static str>,
}

#[derive(Serialize)]
struct Stats64 {
    rx: Rx,
    tx: Tx,
}

#[derive(Serialize)]
struct Rx {
    bytes: u64,
    packets: u64,
    errors: u64,
    dropped: u64,
    /// netstat's RX-OVR.
    over_errors: u64,
    frame_errors: u64,
    compressed: u64,
    multicast: u64,
}

#[derive(Serialize)]
struct Tx {
    bytes: u64,
    packets: u64,
    errors: u64,
    dropped: u64,
    /// netstat's TX-OVR.
    over_errors: u64,
    carrier_errors: u64,
    collisions: u64,
    compressed: u64,
}

/// Writes one interface; `inet6` holds every IPv6 address, those of this device are listed.
pub fn write(
    out: &mut impl Sink,
    options: JsonOptions<'_>,
    iface: &Interface,
    inet6: &[Inet6Address],
) -> io::Result<()> {
    let record = Record {
        origin: options.origin,
        ifname: Text(&iface.name),
        // The named flags in bit order.
        flags: iface.flags.iter_names().map(|(name, _)| name).collect(),
        mtu: iface.mtu,
        metric: iface.metric,
        txqlen: iface.tx_queue_len.filter(|&q| q >= 0),
        link_type: link_type(iface.hw_type),
        address: hw_address(iface),
        addr_info: addr_info(iface, inet6),
        stats64: iface.stats.as_ref().map(Stats64::from),
    };
    json::record(out, options.format, &record)
}

/// The interface's IPv4 address, then its IPv6 addresses among `inet6`.
fn addr_info(iface: &Interface, inet6: &[Inet6Address]) -> Vec<AddrInfo> {
    let mut addr_info = Vec::new();
    if let Some(v4) = &iface.ipv4 {
        let text = |ip| {
            let mut buf = Vec::with_capacity(16);
            push_ipv4(&mut buf, ip);
            String::from_utf8_lossy(&buf).into_owned()
        };
        let peer = iface.flags.contains(Flags::POINTOPOINT);
        addr_info.push(AddrInfo {
            family: "inet",
            local: text(v4.address),
            prefixlen: v4.netmask.map_or(32, |m| u32::from(m).count_ones()),
            broadcast: v4
                .broadcast
                .filter(|b| !b.is_unspecified() && !peer)
                .map(text),
            address: v4.destination.filter(|_| peer).map(text),
            scope: None,
        });
    }
    for a in inet6.iter().filter(|a| a.device == iface.name) {
        let mut buf = Vec::with_capacity(40);
        push_ipv6(&mut buf, a.address);
        addr_info.push(AddrInfo {
            family: "inet6",
            local: String::from_utf8_lossy(&buf).into_owned(),
            prefixlen: u32::from(a.prefix_len),
            broadcast: None,
            address: None,
            scope: Some(scope(a.scope)),
        });
    }
    addr_info
}

/// The hardware address as `aa:bb:...`, for Ethernet and loopback (six bytes).
fn hw_address(iface: &Interface) -> Option<String> {
    matches!(iface.hw_type, 1 | 772).then(|| {
        let bytes = &iface.hw_addr[..6];
        bytes
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":")
    })
}

impl From<&Counters> for Stats64 {
    fn from(s: &Counters) -> Self {
        Stats64 {
            rx: Rx {
                bytes: s.rx_bytes,
                packets: s.rx_packets,
                errors: s.rx_errors,
                dropped: s.rx_dropped,
                over_errors: s.rx_fifo,
                frame_errors: s.rx_frame,
                compressed: s.rx_compressed,
                multicast: s.rx_multicast,
            },
            tx: Tx {
                bytes: s.tx_bytes,
                packets: s.tx_packets,
                errors: s.tx_errors,
                dropped: s.tx_dropped,
                over_errors: s.tx_fifo,
                carrier_errors: s.tx_carrier,
                collisions: s.collisions,
                compressed: s.tx_compressed,
            },
        }
    }
}

/// `ip`'s names for the common `ARPHRD_*` types; others as `[N]`, as `ip` prints them.
fn link_type(hw_type: u16) -> String {
    let name = match hw_type {
        1 => "ether",
        24 => "ieee1394",
        32 => "infiniband",
        512 => "ppp",
        768 => "ipip",
        769 => "tunnel6",
        772 => "loopback",
        776 => "sit",
        778 => "gre",
        801 => "ieee802.11",
        823 => "ip6gre",
        65534 => "none",
        other => return format!("[{other}]"),
    };
    name.to_string()
}

/// The scope of an IPv6 address, from the kernel's scope bits.
fn scope(bits: u8) -> &'static str {
    match bits & 0xf0 {
        0x00 => "global",
        0x10 => "host",
        0x20 => "link",
        0x40 => "site",
        0x80 => "compat",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::OutputFormat;
    use crate::render::json::tests::Memory;
    use nettables::iface::Ipv4Config;
    use serde_json::json;

    #[test]
    fn an_interface_record_uses_ip_names() {
        let mut iface = Interface::default();
        iface.name = b"veth\x01x\xff".as_slice().into();
        iface.flags = Flags::UP | Flags::BROADCAST | Flags::RUNNING | Flags::MULTICAST;
        (iface.mtu, iface.tx_queue_len, iface.hw_type) = (1500, Some(1000), 1);
        iface.hw_addr = [2, 0xfc, 0, 0, 0, 1, 0, 0];
        let mut v4 = Ipv4Config::new("10.1.0.1".parse().unwrap());
        v4.netmask = Some("255.255.255.0".parse().unwrap());
        v4.broadcast = Some("10.1.0.255".parse().unwrap());
        iface.ipv4 = Some(v4);
        let mut stats = Counters::default();
        (stats.rx_bytes, stats.rx_fifo, stats.tx_carrier) = (10, 2, 3);
        iface.stats = Some(stats);
        let mut inet6 = Inet6Address::new("fe80::1".parse().unwrap(), 64, &iface.name);
        (inet6.ifindex, inet6.scope) = (2, 0x20);
        let inet6 = [inet6];
        let options = JsonOptions {
            format: OutputFormat::JsonLines,
            origin: None,
        };
        let mut out = Memory::default();
        write(&mut out, options, &iface, &inet6).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.bytes).unwrap();
        assert_eq!(v["ifname"], "veth\u{1}x\u{fffd}");
        assert_eq!(
            v["flags"],
            json!(["UP", "BROADCAST", "RUNNING", "MULTICAST"])
        );
        assert_eq!(v["address"], "02:fc:00:00:00:01");
        assert_eq!(v["link_type"], "ether");
        assert_eq!(
            v["addr_info"],
            json!([{"family": "inet", "local": "10.1.0.1", "prefixlen": 24, "broadcast": "10.1.0.255"},
                   {"family": "inet6", "local": "fe80::1", "prefixlen": 64, "scope": "link"}])
        );
        assert_eq!(v["stats64"]["rx"]["bytes"], 10);
        assert_eq!(v["stats64"]["rx"]["over_errors"], 2);
        assert_eq!(v["stats64"]["tx"]["carrier_errors"], 3);
        assert_eq!(link_type(9999), "[9999]");
    }
}
