//! From the library's records to what the `-e`, `-r` and `-s` renderers take: sums, look-ups
//! by interface, and counters by their MIB-II names (the names the library gives Windows'
//! counters, the same as Linux's: `Ip`/`InReceives`, `Ip6`/`Ip6InReceives`, ...).
//!
//! Where this differs from Windows, for want of data: `-r`'s metric is the route's own
//! (Windows adds the interface's), and its persistent IPv6 table is always empty (only the
//! IPv4 one is read).

use std::net::{IpAddr, Ipv4Addr};

use nettables::counters::Counters;
use nettables::if_table::IfRow;
use nettables::route;

use super::ethernet::{EthernetStats, Traffic};
use super::route::{InterfaceEntry, Ipv4Route, Ipv6Route, PersistentRoute};
use super::stats::{IcmpCounts, IcmpStats, IpStats, Statistics, TcpStats, UdpStats};

/// `-e`: the counters of every interface, summed (as Windows' netstat does).
pub fn ethernet(rows: &[IfRow]) -> EthernetStats {
    let sum = |pick: fn(&IfRow) -> &nettables::if_table::Traffic| {
        rows.iter()
            .map(pick)
            .fold(Traffic::default(), |t, r| Traffic {
                bytes: t.bytes.wrapping_add(r.octets),
                unicast_packets: t.unicast_packets.wrapping_add(r.unicast_packets),
                non_unicast_packets: t.non_unicast_packets.wrapping_add(r.non_unicast_packets),
                discards: t.discards.wrapping_add(r.discards),
                errors: t.errors.wrapping_add(r.errors),
            })
    };
    EthernetStats {
        received: sum(|r| &r.received),
        sent: sum(|r| &r.sent),
        unknown_protocols: rows
            .iter()
            .fold(0, |sum, r| sum.wrapping_add(r.unknown_protocols)),
    }
}

/// `-r`'s interface list, in the system's order.
pub fn interface_list(rows: &[IfRow]) -> Vec<InterfaceEntry<'_>> {
    rows.iter()
        .map(|row| InterfaceEntry {
            index: row.index,
            mac: &row.physical_address,
            description: &row.description,
        })
        .collect()
}

fn interface<'a>(rows: &'a [IfRow], alias: &[u8]) -> Option<&'a IfRow> {
    rows.iter().find(|row| *row.alias == *alias)
}

/// The active IPv4 routes: the interface column is the first IPv4 address of the route's
/// interface (`0.0.0.0` if it has none).
pub fn ipv4_routes(routes: &[route::Ipv4Route], rows: &[IfRow]) -> Vec<Ipv4Route> {
    routes
        .iter()
        .map(|r| {
            let address = interface(rows, &r.iface).and_then(|row| {
                row.addresses.iter().find_map(|(ip, _)| match ip {
                    IpAddr::V4(v4) => Some(*v4),
                    IpAddr::V6(_) => None,
                })
            });
            Ipv4Route {
                destination: r.destination,
                netmask: r.mask,
                gateway: r.flags.contains(route::Flags::GATEWAY).then_some(r.gateway),
                interface: address.unwrap_or(Ipv4Addr::UNSPECIFIED),
                metric: u32::try_from(r.metrics.metric).unwrap_or(0),
            }
        })
        .collect()
}

/// The persistent IPv4 routes; the library's metric -1 is the interface's default.
pub fn persistent_routes(routes: &[route::Ipv4Route]) -> Vec<PersistentRoute> {
    routes
        .iter()
        .map(|r| PersistentRoute {
            destination: r.destination,
            netmask: r.mask,
            gateway: r.gateway,
            metric: u32::try_from(r.metrics.metric).ok(),
        })
        .collect()
}

/// The active IPv6 routes, their interfaces by index.
pub fn ipv6_routes(routes: &[route::Ipv6Route], rows: &[IfRow]) -> Vec<Ipv6Route> {
    routes
        .iter()
        .map(|r| Ipv6Route {
            interface: interface(rows, &r.iface).map_or(0, |row| row.index),
            metric: r.metric,
            destination: r.destination,
            prefix_len: r.prefix_len,
            gateway: r
                .flags
                .contains(route::Flags::GATEWAY)
                .then_some(r.next_hop),
        })
        .collect()
}

/// How one family names its sections and keys.
struct Names {
    ip: &'static str,
    icmp: &'static str,
    /// The section with the counts by ICMP type.
    icmp_types: &'static str,
    tcp: &'static str,
    udp: &'static str,
    /// Keys start with the section name (`/proc/net/snmp6`'s style).
    prefixed: bool,
    forwarded: &'static str,
}

const IPV4: Names = Names {
    ip: "Ip",
    icmp: "Icmp",
    icmp_types: "IcmpMsg",
    tcp: "Tcp",
    udp: "Udp",
    prefixed: false,
    forwarded: "ForwDatagrams",
};

const IPV6: Names = Names {
    ip: "Ip6",
    icmp: "Icmp6",
    icmp_types: "Icmp6",
    tcp: "Tcp6",
    udp: "Udp6",
    prefixed: true,
    forwarded: "OutForwDatagrams",
};

/// One section's counters, read by unprefixed key; `None` if the section is missing.
struct Section<'a> {
    section: &'a nettables::counters::CounterSection,
    prefix: &'a str,
}

impl Section<'_> {
    fn find<'a>(counters: &'a Counters, names: &Names, name: &'a str) -> Option<Section<'a>> {
        let section = counters.sections.iter().find(|s| s.name == name)?;
        let prefix = if names.prefixed { name } else { "" };
        Some(Section { section, prefix })
    }

    /// A counter; 0 if the system does not keep it.
    fn get(&self, key: &str) -> u64 {
        self.section
            .counters
            .iter()
            .find(|(k, _)| k.strip_prefix(self.prefix) == Some(key))
            .map_or(0, |(_, v)| *v)
    }

    /// The `{way}Type{n}` counters (`InType3`, `OutType0` ...) into `by_type[n]`, in one pass
    /// over the section rather than one search per type.
    fn by_type(&self, way: &str, by_type: &mut [u64]) {
        for (key, value) in &self.section.counters {
            let ty = key
                .strip_prefix(self.prefix)
                .and_then(|k| k.strip_prefix(way))
                .and_then(|k| k.strip_prefix("Type"))
                .and_then(|n| n.parse::<usize>().ok());
            if let Some(count) = ty.and_then(|ty| by_type.get_mut(ty)) {
                *count = *value;
            }
        }
    }
}

/// `-s`: both families' counters (`counters::load(Snmp)` and `(Snmp6)`) as Windows' sections.
pub fn statistics(v4: Option<&Counters>, v6: Option<&Counters>) -> Statistics {
    let (ipv4, icmpv4, tcpv4, udpv4) = v4.map(|c| family(c, &IPV4)).unwrap_or_default();
    let (ipv6, icmpv6, tcpv6, udpv6) = v6.map(|c| family(c, &IPV6)).unwrap_or_default();
    Statistics {
        ipv4,
        ipv6,
        icmpv4,
        icmpv6,
        tcpv4,
        tcpv6,
        udpv4,
        udpv6,
    }
}

type Family = (
    Option<IpStats>,
    Option<IcmpStats>,
    Option<TcpStats>,
    Option<UdpStats>,
);

fn family(counters: &Counters, names: &Names) -> Family {
    let ip = Section::find(counters, names, names.ip).map(|s| IpStats {
        packets_received: s.get("InReceives"),
        received_header_errors: s.get("InHdrErrors"),
        received_address_errors: s.get("InAddrErrors"),
        datagrams_forwarded: s.get(names.forwarded),
        unknown_protocols_received: s.get("InUnknownProtos"),
        received_packets_discarded: s.get("InDiscards"),
        received_packets_delivered: s.get("InDelivers"),
        output_requests: s.get("OutRequests"),
        routing_discards: s.get("RoutingDiscards"),
        discarded_output_packets: s.get("OutDiscards"),
        output_packet_no_route: s.get("OutNoRoutes"),
        reassembly_required: s.get("ReasmReqds"),
        reassembly_successful: s.get("ReasmOKs"),
        reassembly_failures: s.get("ReasmFails"),
        datagrams_successfully_fragmented: s.get("FragOKs"),
        datagrams_failing_fragmentation: s.get("FragFails"),
        fragments_created: s.get("FragCreates"),
    });
    let icmp = Section::find(counters, names, names.icmp).map(|s| {
        let types = Section::find(counters, names, names.icmp_types);
        let direction = |way: &str| {
            let mut counts = IcmpCounts {
                messages: s.get(&format!("{way}Msgs")),
                errors: s.get(&format!("{way}Errors")),
                ..IcmpCounts::default()
            };
            if let Some(types) = &types {
                types.by_type(way, &mut counts.by_type);
            }
            counts
        };
        IcmpStats {
            received: direction("In"),
            sent: direction("Out"),
        }
    });
    let tcp = Section::find(counters, names, names.tcp).map(|s| TcpStats {
        active_opens: s.get("ActiveOpens"),
        passive_opens: s.get("PassiveOpens"),
        failed_connection_attempts: s.get("AttemptFails"),
        reset_connections: s.get("EstabResets"),
        current_connections: s.get("CurrEstab"),
        segments_received: s.get("InSegs"),
        segments_sent: s.get("OutSegs"),
        segments_retransmitted: s.get("RetransSegs"),
    });
    let udp = Section::find(counters, names, names.udp).map(|s| UdpStats {
        datagrams_received: s.get("InDatagrams"),
        no_ports: s.get("NoPorts"),
        receive_errors: s.get("InErrors"),
        datagrams_sent: s.get("OutDatagrams"),
    });
    (ip, icmp, tcp, udp)
}

#[cfg(test)]
mod tests {
    use nettables::counters::{CounterSection, Counters};
    use nettables::if_table::IfRow;

    use super::*;

    fn counters(sections: Vec<CounterSection>) -> Counters {
        let mut counters = Counters::default();
        counters.sections = sections;
        counters
    }

    #[test]
    fn statistics_by_mib_names_in_both_styles() {
        let v4 = counters(vec![
            CounterSection::new("Ip", &[("InReceives", 7), ("ForwDatagrams", 2)]),
            CounterSection::new("Icmp", &[("InMsgs", 3), ("OutMsgs", 4)]),
            CounterSection::new("IcmpMsg", &[("InType3", 3), ("OutType0", 4)]),
            CounterSection::new("Tcp", &[("ActiveOpens", 5), ("RetransSegs", 1)]),
            CounterSection::new("Udp", &[("NoPorts", 9)]),
        ]);
        let v6 = counters(vec![
            CounterSection::new("Ip6", &[("Ip6InReceives", 70), ("Ip6OutForwDatagrams", 1)]),
            CounterSection::new("Icmp6", &[("Icmp6InMsgs", 2), ("Icmp6InType128", 2)]),
            CounterSection::new("Udp6", &[("Udp6InDatagrams", 6)]),
        ]);
        let s = statistics(Some(&v4), Some(&v6));
        let ip = s.ipv4.unwrap();
        assert_eq!((ip.packets_received, ip.datagrams_forwarded), (7, 2));
        let icmp = s.icmpv4.unwrap();
        assert_eq!((icmp.received.messages, icmp.sent.messages), (3, 4));
        assert_eq!((icmp.received.by_type[3], icmp.sent.by_type[0]), (3, 4));
        assert_eq!(s.tcpv4.unwrap().segments_retransmitted, 1);
        assert_eq!(s.udpv4.unwrap().no_ports, 9);
        let ip6 = s.ipv6.unwrap();
        assert_eq!((ip6.packets_received, ip6.datagrams_forwarded), (70, 1));
        let icmp6 = s.icmpv6.unwrap();
        assert_eq!(icmp6.received.by_type[128], 2);
        // Only the `Type` keys count by type (not `Icmp6InMsgs`).
        assert_eq!(icmp6.received.by_type.iter().sum::<u64>(), 2);
        assert_eq!(s.udpv6.unwrap().datagrams_received, 6);
        // No Tcp6 section: no `TCP Statistics for IPv6`, rather than zeros.
        assert_eq!(s.tcpv6, None);
        assert_eq!(statistics(None, None), Statistics::default());
    }

    fn row(index: u32, alias: &str, rx: u64, addresses: &[&str]) -> IfRow {
        let mut row = IfRow::default();
        row.index = index;
        row.alias = alias.as_bytes().into();
        row.received.octets = rx;
        row.received.unicast_packets = 1;
        row.sent.errors = 2;
        row.unknown_protocols = 1;
        row.addresses = addresses.iter().map(|a| (a.parse().unwrap(), 24)).collect();
        row
    }

    #[test]
    fn ethernet_sums_every_interface() {
        let rows = [row(1, "lo", 100, &[]), row(2, "eth0", 50, &[])];
        let e = ethernet(&rows);
        assert_eq!(e.received.bytes, 150);
        assert_eq!(e.received.unicast_packets, 2);
        assert_eq!(e.sent.errors, 4);
        assert_eq!(e.unknown_protocols, 2);
        assert_eq!(ethernet(&[]), EthernetStats::default());
        // Every sum wraps as the 64-bit counters themselves do, this one too.
        let mut worn = row(3, "wan", u64::MAX, &[]);
        worn.unknown_protocols = u64::MAX;
        let e = ethernet(&[worn, row(2, "eth0", 1, &[])]);
        assert_eq!((e.received.bytes, e.unknown_protocols), (0, 0));
    }

    #[test]
    fn routes_find_their_interfaces() {
        let rows = [
            row(1, "lo", 0, &["::1", "127.0.0.1"]),
            row(7, "eth0", 0, &["fe80::1", "10.0.0.2"]),
        ];
        let mut v4 = route::Ipv4Route::default();
        v4.iface = b"eth0".as_slice().into();
        v4.gateway = "10.0.0.1".parse().unwrap();
        v4.flags = route::Flags::UP | route::Flags::GATEWAY;
        v4.metrics.metric = 5;
        let mut on_link = v4.clone();
        on_link.flags = route::Flags::UP;
        on_link.iface = b"gone".as_slice().into();
        let listed = ipv4_routes(&[v4, on_link], &rows);
        assert_eq!(listed[0].interface, "10.0.0.2".parse::<Ipv4Addr>().unwrap());
        assert_eq!(listed[0].gateway, "10.0.0.1".parse().ok());
        assert_eq!(listed[0].metric, 5);
        assert_eq!(
            (listed[1].gateway, listed[1].interface),
            (None, Ipv4Addr::UNSPECIFIED)
        );
        let mut v6 = route::Ipv6Route::default();
        v6.iface = b"eth0".as_slice().into();
        v6.prefix_len = 64;
        let mut saved = route::Ipv4Route::default();
        saved.metrics.metric = -1;
        let mut three = saved.clone();
        three.metrics.metric = 3;
        let persistent = persistent_routes(&[saved, three]);
        assert_eq!(
            (persistent[0].metric, persistent[1].metric),
            (None, Some(3))
        );
        let listed = ipv6_routes(&[v6], &rows);
        assert_eq!((listed[0].interface, listed[0].gateway), (7, None));
        let list = interface_list(&rows);
        assert_eq!((list[1].index, list.len()), (7, 2));
    }
}
