//! `netstat -s`: the per-protocol sections (spec §5). Each section is an empty line, its
//! title, an empty line, then `label = value` lines (IP, TCP, UDP; the label column is 34, 35
//! and 21 wide) or, for ICMP, a `Received Sent` table.

use std::io::{self, Write};

use super::CRLF;
use crate::text::pad_left;

/// The sections, in the order Windows prints them; `-p` picks one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Ipv4,
    Ipv6,
    Icmpv4,
    Icmpv6,
    Tcpv4,
    Tcpv6,
    Udpv4,
    Udpv6,
}

impl Section {
    /// Every section, in Windows' order.
    pub const ALL: [Section; 8] = [
        Section::Ipv4,
        Section::Ipv6,
        Section::Icmpv4,
        Section::Icmpv6,
        Section::Tcpv4,
        Section::Tcpv6,
        Section::Udpv4,
        Section::Udpv6,
    ];

    fn title(self) -> &'static str {
        match self {
            Section::Ipv4 => "IPv4 Statistics",
            Section::Ipv6 => "IPv6 Statistics",
            Section::Icmpv4 => "ICMPv4 Statistics",
            Section::Icmpv6 => "ICMPv6 Statistics",
            Section::Tcpv4 => "TCP Statistics for IPv4",
            Section::Tcpv6 => "TCP Statistics for IPv6",
            Section::Udpv4 => "UDP Statistics for IPv4",
            Section::Udpv6 => "UDP Statistics for IPv6",
        }
    }
}

/// IP counters (`MIB_IPSTATS`), in the order Windows prints them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IpStats {
    pub packets_received: u64,
    pub received_header_errors: u64,
    pub received_address_errors: u64,
    pub datagrams_forwarded: u64,
    pub unknown_protocols_received: u64,
    pub received_packets_discarded: u64,
    pub received_packets_delivered: u64,
    pub output_requests: u64,
    pub routing_discards: u64,
    pub discarded_output_packets: u64,
    pub output_packet_no_route: u64,
    pub reassembly_required: u64,
    pub reassembly_successful: u64,
    pub reassembly_failures: u64,
    pub datagrams_successfully_fragmented: u64,
    pub datagrams_failing_fragmentation: u64,
    pub fragments_created: u64,
}

impl IpStats {
    fn lines(&self) -> [(&'static str, u64); 17] {
        [
            ("Packets Received", self.packets_received),
            ("Received Header Errors", self.received_header_errors),
            ("Received Address Errors", self.received_address_errors),
            ("Datagrams Forwarded", self.datagrams_forwarded),
            (
                "Unknown Protocols Received",
                self.unknown_protocols_received,
            ),
            (
                "Received Packets Discarded",
                self.received_packets_discarded,
            ),
            (
                "Received Packets Delivered",
                self.received_packets_delivered,
            ),
            ("Output Requests", self.output_requests),
            ("Routing Discards", self.routing_discards),
            ("Discarded Output Packets", self.discarded_output_packets),
            ("Output Packet No Route", self.output_packet_no_route),
            ("Reassembly Required", self.reassembly_required),
            ("Reassembly Successful", self.reassembly_successful),
            ("Reassembly Failures", self.reassembly_failures),
            (
                "Datagrams Successfully Fragmented",
                self.datagrams_successfully_fragmented,
            ),
            (
                "Datagrams Failing Fragmentation",
                self.datagrams_failing_fragmentation,
            ),
            ("Fragments Created", self.fragments_created),
        ]
    }
}

/// TCP counters (`MIB_TCPSTATS`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpStats {
    pub active_opens: u64,
    pub passive_opens: u64,
    pub failed_connection_attempts: u64,
    pub reset_connections: u64,
    pub current_connections: u64,
    pub segments_received: u64,
    pub segments_sent: u64,
    pub segments_retransmitted: u64,
}

impl TcpStats {
    fn lines(&self) -> [(&'static str, u64); 8] {
        [
            ("Active Opens", self.active_opens),
            ("Passive Opens", self.passive_opens),
            (
                "Failed Connection Attempts",
                self.failed_connection_attempts,
            ),
            ("Reset Connections", self.reset_connections),
            ("Current Connections", self.current_connections),
            ("Segments Received", self.segments_received),
            ("Segments Sent", self.segments_sent),
            ("Segments Retransmitted", self.segments_retransmitted),
        ]
    }
}

/// UDP counters (`MIB_UDPSTATS`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UdpStats {
    pub datagrams_received: u64,
    pub no_ports: u64,
    pub receive_errors: u64,
    pub datagrams_sent: u64,
}

impl UdpStats {
    fn lines(&self) -> [(&'static str, u64); 4] {
        [
            ("Datagrams Received", self.datagrams_received),
            ("No Ports", self.no_ports),
            ("Receive Errors", self.receive_errors),
            ("Datagrams Sent", self.datagrams_sent),
        ]
    }
}

/// ICMP counters of one direction (`MIBICMPSTATS_EX`): messages, errors, and messages by
/// ICMP type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IcmpCounts {
    pub messages: u64,
    pub errors: u64,
    pub by_type: [u64; 256],
}

impl Default for IcmpCounts {
    fn default() -> Self {
        IcmpCounts {
            messages: 0,
            errors: 0,
            by_type: [0; 256],
        }
    }
}

/// ICMP counters (`MIB_ICMP_EX`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IcmpStats {
    pub received: IcmpCounts,
    pub sent: IcmpCounts,
}

/// The lines after `Messages` and `Errors`, with the ICMP type each counts. The labels are
/// Windows'; which type each counts is our reading of the labels (RFC 792 / 4443 numbers).
const ICMPV4_TYPES: [(&str, u8); 13] = [
    ("Destination Unreachable", 3),
    ("Time Exceeded", 11),
    ("Parameter Problems", 12),
    ("Source Quenches", 4),
    ("Redirects", 5),
    ("Echo Replies", 0),
    ("Echos", 8),
    ("Timestamps", 13),
    ("Timestamp Replies", 14),
    ("Address Masks", 17),
    ("Address Mask Replies", 18),
    ("Router Solicitations", 10),
    ("Router Advertisements", 9),
];

const ICMPV6_TYPES: [(&str, u8); 15] = [
    ("Destination Unreachable", 1),
    ("Packet Too Big", 2),
    ("Time Exceeded", 3),
    ("Parameter Problems", 4),
    ("Echos", 128),
    ("Echo Replies", 129),
    ("MLD Queries", 130),
    ("MLD Reports", 131),
    ("MLD Dones", 132),
    ("Router Solicitations", 133),
    ("Router Advertisements", 134),
    ("Neighbor Solicitations", 135),
    ("Neighbor Advertisements", 136),
    ("Redirects", 137),
    ("Router Renumberings", 138),
];

/// Everything `-s` can print; a `None` section is not printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Statistics {
    pub ipv4: Option<IpStats>,
    pub ipv6: Option<IpStats>,
    pub icmpv4: Option<IcmpStats>,
    pub icmpv6: Option<IcmpStats>,
    pub tcpv4: Option<TcpStats>,
    pub tcpv6: Option<TcpStats>,
    pub udpv4: Option<UdpStats>,
    pub udpv6: Option<UdpStats>,
}

/// Writes `sections`, in the order given, skipping those without counters.
pub fn write(out: &mut impl Write, stats: &Statistics, sections: &[Section]) -> io::Result<()> {
    let mut text = Vec::with_capacity(4096);
    for &section in sections {
        let start = text.len();
        text.extend_from_slice(CRLF);
        text.extend_from_slice(section.title().as_bytes());
        text.extend_from_slice(b"\r\n\r\n");
        let written = match section {
            Section::Ipv4 => stats.ipv4.map(|s| equals(&mut text, &s.lines(), 34)),
            Section::Ipv6 => stats.ipv6.map(|s| equals(&mut text, &s.lines(), 34)),
            Section::Tcpv4 => stats.tcpv4.map(|s| equals(&mut text, &s.lines(), 35)),
            Section::Tcpv6 => stats.tcpv6.map(|s| equals(&mut text, &s.lines(), 35)),
            Section::Udpv4 => stats.udpv4.map(|s| equals(&mut text, &s.lines(), 21)),
            Section::Udpv6 => stats.udpv6.map(|s| equals(&mut text, &s.lines(), 21)),
            Section::Icmpv4 => stats.icmpv4.map(|s| icmp(&mut text, &s, &ICMPV4_TYPES)),
            Section::Icmpv6 => stats.icmpv6.map(|s| icmp(&mut text, &s, &ICMPV6_TYPES)),
        };
        match written {
            Some(result) => result?,
            None => text.truncate(start),
        }
    }
    out.write_all(&text)
}

/// `  <label padded to width> = <value>` lines.
fn equals(text: &mut Vec<u8>, lines: &[(&str, u64)], width: usize) -> io::Result<()> {
    let mut num = itoa::Buffer::new();
    for (label, value) in lines {
        text.extend_from_slice(b"  ");
        pad_left(text, label.as_bytes(), width)?;
        text.extend_from_slice(b" = ");
        text.extend_from_slice(num.format(*value).as_bytes());
        text.extend_from_slice(CRLF);
    }
    Ok(())
}

/// The ICMP table: values at columns 28 (received, left-aligned in 11) and 40 (sent).
fn icmp(text: &mut Vec<u8>, stats: &IcmpStats, types: &[(&str, u8)]) -> io::Result<()> {
    text.extend_from_slice(b"                            Received    Sent\r\n");
    let (r, s) = (&stats.received, &stats.sent);
    let fixed = [
        ("Messages", r.messages, s.messages),
        ("Errors", r.errors, s.errors),
    ];
    let by_type = types.iter().map(|&(label, ty)| {
        let i = usize::from(ty);
        (label, r.by_type[i], s.by_type[i])
    });
    let mut num = itoa::Buffer::new();
    for (label, received, sent) in fixed.into_iter().chain(by_type) {
        text.extend_from_slice(b"  ");
        pad_left(text, label.as_bytes(), 25)?;
        text.push(b' ');
        pad_left(text, num.format(received).as_bytes(), 11)?;
        text.push(b' ');
        text.extend_from_slice(num.format(sent).as_bytes());
        text.extend_from_slice(CRLF);
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample() -> Statistics {
        let ip = IpStats {
            packets_received: 9147172,
            received_address_errors: 33,
            received_packets_discarded: 57251,
            received_packets_delivered: 9513095,
            output_requests: 7343447,
            discarded_output_packets: 3729,
            output_packet_no_route: 1154,
            reassembly_required: 46940,
            reassembly_successful: 23469,
            datagrams_successfully_fragmented: 19244,
            fragments_created: 38488,
            ..IpStats::default()
        };
        let mut icmp = IcmpStats::default();
        icmp.received.messages = 5873;
        icmp.sent.messages = 9527;
        icmp.received.by_type[3] = 3979;
        icmp.sent.by_type[3] = 7199;
        let tcp = TcpStats {
            active_opens: 347883,
            passive_opens: 86083,
            failed_connection_attempts: 13218,
            reset_connections: 272367,
            current_connections: 44,
            segments_received: 8011276,
            segments_sent: 7388244,
            segments_retransmitted: 34858,
        };
        let udp = UdpStats {
            datagrams_received: 1312791,
            no_ports: 0,
            receive_errors: 0,
            datagrams_sent: 335866,
        };
        Statistics {
            ipv4: Some(ip),
            ipv6: Some(IpStats::default()),
            icmpv4: Some(icmp),
            icmpv6: Some(IcmpStats::default()),
            tcpv4: Some(tcp),
            tcpv6: Some(TcpStats::default()),
            udpv4: Some(udp),
            udpv6: Some(UdpStats::default()),
        }
    }

    fn text(sections: &[Section]) -> String {
        let mut out = Vec::new();
        write(&mut out, &sample(), sections).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn sections_match_a_captured_dump() {
        // The capture of spec §5 (S7 14030128245), first lines of each kind.
        let all = text(&Section::ALL);
        let expected_starts = [
            "\r\nIPv4 Statistics\r\n\r\n  Packets Received                   = 9147172\r\n  Received Header Errors             = 0\r\n  Received Address Errors            = 33\r\n",
            "  Fragments Created                  = 38488\r\n\r\nIPv6 Statistics\r\n\r\n",
            "\r\nICMPv4 Statistics\r\n\r\n                            Received    Sent\r\n  Messages                  5873        9527\r\n  Errors                    0           0\r\n  Destination Unreachable   3979        7199\r\n",
            "\r\nTCP Statistics for IPv4\r\n\r\n  Active Opens                        = 347883\r\n  Passive Opens                       = 86083\r\n",
            "  Segments Retransmitted              = 34858\r\n",
            "\r\nUDP Statistics for IPv4\r\n\r\n  Datagrams Received    = 1312791\r\n  No Ports              = 0\r\n  Receive Errors        = 0\r\n  Datagrams Sent        = 335866\r\n",
        ];
        for piece in expected_starts {
            assert!(all.contains(piece), "missing {piece:?}");
        }
        let titles: Vec<&str> = all
            .split("\r\n")
            .filter(|l| l.ends_with("Statistics") || l.contains("Statistics for"))
            .collect();
        assert_eq!(titles, Section::ALL.map(Section::title));
        let count = |title: &str| {
            let at = all.find(&format!("{title}\r\n\r\n")).unwrap();
            all[at..].split("\r\n\r\n").nth(1).unwrap().lines().count()
        };
        assert_eq!(count("IPv4 Statistics"), 17);
        assert_eq!(count("ICMPv4 Statistics"), 16, "header and 15 counters");
        assert_eq!(count("ICMPv6 Statistics"), 18, "header and 17 counters");
        assert_eq!(count("TCP Statistics for IPv6"), 8);
    }

    #[test]
    fn the_equals_signs_and_icmp_columns_sit_where_windows_puts_them() {
        let all = text(&Section::ALL);
        for line in all.split("\r\n") {
            if let Some(at) = line.find(" = ") {
                let expected = if line.contains("Opens")
                    || line.contains("Segments")
                    || line.contains("Connection")
                {
                    38
                } else if line.contains("Datagrams Received")
                    || line.contains("No Ports")
                    || line.contains("Receive Errors")
                    || line.contains("Datagrams Sent")
                {
                    24
                } else {
                    37
                };
                assert_eq!(at + 1, expected, "{line:?}");
            }
        }
        let messages = all
            .split("\r\n")
            .find(|l| l.starts_with("  Messages"))
            .unwrap();
        assert_eq!(
            (messages.find("5873"), messages.find("9527")),
            (Some(28), Some(40))
        );
    }

    #[test]
    fn p_picks_one_section_and_missing_counters_print_nothing() {
        assert_eq!(
            text(&[Section::Udpv6]),
            "\r\nUDP Statistics for IPv6\r\n\r\n  Datagrams Received    = 0\r\n  No Ports              = 0\r\n  Receive Errors        = 0\r\n  Datagrams Sent        = 0\r\n"
        );
        let mut out = Vec::new();
        write(&mut out, &Statistics::default(), &Section::ALL).unwrap();
        assert!(out.is_empty());
    }
}
