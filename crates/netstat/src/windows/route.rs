//! `netstat -r`, which prints what `route print` prints (spec §4): the interface list, then
//! the IPv4 and IPv6 route tables, active and persistent. Always numeric.
//!
//! Where the spec has no capture we infer, and say so: an empty active table prints `  None`
//! as an empty persistent one does; persistent IPv6 routes use the active rows' layout and end
//! with a ruler, as persistent IPv4 ones do.

use std::io::{self, Write};
use std::net::{Ipv4Addr, Ipv6Addr};

use super::CRLF;
use crate::text::{pad_left, pad_right, write_sanitized};

const RULER: &[u8] =
    b"===========================================================================\r\n";

/// One line of the interface list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InterfaceEntry<'a> {
    pub index: u32,
    /// The hardware address; empty for interfaces without one (loopback).
    pub mac: &'a [u8],
    /// The adapter's description (`Hyper-V Virtual Ethernet Adapter`).
    pub description: &'a [u8],
}

/// An active IPv4 route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv4Route {
    pub destination: Ipv4Addr,
    pub netmask: Ipv4Addr,
    /// `None`: on-link.
    pub gateway: Option<Ipv4Addr>,
    /// The local address of the interface the route goes out of.
    pub interface: Ipv4Addr,
    pub metric: u32,
}

/// A persistent IPv4 route (`route -p add`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PersistentRoute {
    pub destination: Ipv4Addr,
    pub netmask: Ipv4Addr,
    pub gateway: Ipv4Addr,
    /// `None`: the interface's default metric (`Default`).
    pub metric: Option<u32>,
}

/// An IPv6 route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv6Route {
    /// The interface index.
    pub interface: u32,
    pub metric: u32,
    pub destination: Ipv6Addr,
    pub prefix_len: u8,
    /// `None`: on-link.
    pub gateway: Option<Ipv6Addr>,
}

/// Everything `-r` prints.
#[derive(Clone, Copy, Debug, Default)]
pub struct RouteTables<'a> {
    pub interfaces: &'a [InterfaceEntry<'a>],
    pub ipv4: &'a [Ipv4Route],
    pub ipv4_persistent: &'a [PersistentRoute],
    pub ipv6: &'a [Ipv6Route],
    pub ipv6_persistent: &'a [Ipv6Route],
}

/// Writes the interface list and both route tables.
pub fn write(out: &mut impl Write, tables: &RouteTables) -> io::Result<()> {
    let mut text = Vec::with_capacity(8192);
    text.extend_from_slice(RULER);
    text.extend_from_slice(b"Interface List\r\n");
    for entry in tables.interfaces {
        interface_line(&mut text, entry)?;
    }
    text.extend_from_slice(RULER);

    text.extend_from_slice(b"\r\nIPv4 Route Table\r\n");
    text.extend_from_slice(RULER);
    text.extend_from_slice(b"Active Routes:\r\n");
    rows(
        &mut text,
        b"Network Destination        Netmask          Gateway       Interface  Metric\r\n",
        tables.ipv4,
        ipv4_line,
    )?;
    text.extend_from_slice(RULER);
    text.extend_from_slice(b"Persistent Routes:\r\n");
    rows(
        &mut text,
        b"  Network Address          Netmask  Gateway Address  Metric\r\n",
        tables.ipv4_persistent,
        persistent_line,
    )?;
    if !tables.ipv4_persistent.is_empty() {
        text.extend_from_slice(RULER);
    }

    text.extend_from_slice(b"\r\nIPv6 Route Table\r\n");
    text.extend_from_slice(RULER);
    text.extend_from_slice(b"Active Routes:\r\n");
    rows(&mut text, IPV6_HEADER, tables.ipv6, ipv6_line)?;
    text.extend_from_slice(RULER);
    text.extend_from_slice(b"Persistent Routes:\r\n");
    rows(&mut text, IPV6_HEADER, tables.ipv6_persistent, ipv6_line)?;
    if !tables.ipv6_persistent.is_empty() {
        text.extend_from_slice(RULER);
    }
    out.write_all(&text)
}

const IPV6_HEADER: &[u8] = b" If Metric Network Destination      Gateway\r\n";

/// A table's header and its rows, or `  None` when it has none.
fn rows<T>(
    text: &mut Vec<u8>,
    header: &[u8],
    rows: &[T],
    line: fn(&mut Vec<u8>, &T) -> io::Result<()>,
) -> io::Result<()> {
    if rows.is_empty() {
        text.extend_from_slice(b"  None\r\n");
        return Ok(());
    }
    text.extend_from_slice(header);
    for row in rows {
        line(text, row)?;
    }
    Ok(())
}

/// `  8...00 ff 58 60 5f 61 ......TAP-Windows Adapter V9`: the index in 3, then 27 columns of
/// `...`, the address bytes and dots, then the description.
fn interface_line(text: &mut Vec<u8>, entry: &InterfaceEntry) -> io::Result<()> {
    pad_right(text, itoa::Buffer::new().format(entry.index).as_bytes(), 3)?;
    let start = text.len();
    text.extend_from_slice(b"...");
    if !entry.mac.is_empty() {
        for byte in entry.mac {
            write!(text, "{byte:02x} ")?;
        }
    }
    while text.len() - start < 27 {
        text.push(b'.');
    }
    write_sanitized(text, entry.description)?;
    text.extend_from_slice(CRLF);
    Ok(())
}

/// Destination, netmask and gateway end at 17, 34 and 51 (`On-link` at 50), the interface at
/// 68, the metric at 75.
fn ipv4_line(text: &mut Vec<u8>, route: &Ipv4Route) -> io::Result<()> {
    right(text, route.destination, 17)?;
    right(text, route.netmask, 17)?;
    match route.gateway {
        Some(gateway) => right(text, gateway, 17)?,
        None => {
            pad_right(text, b"On-link", 16)?;
            text.push(b' ');
        }
    }
    right(text, route.interface, 17)?;
    pad_right(text, itoa::Buffer::new().format(route.metric).as_bytes(), 7)?;
    text.extend_from_slice(CRLF);
    Ok(())
}

/// Columns end at 17, 34, 51 and 59; the metric may be `Default`.
fn persistent_line(text: &mut Vec<u8>, route: &PersistentRoute) -> io::Result<()> {
    right(text, route.destination, 17)?;
    right(text, route.netmask, 17)?;
    right(text, route.gateway, 17)?;
    let mut num = itoa::Buffer::new();
    let metric: &[u8] = match route.metric {
        Some(metric) => num.format(metric).as_bytes(),
        None => b"Default",
    };
    pad_right(text, metric, 8)?;
    text.extend_from_slice(CRLF);
    Ok(())
}

/// ` If Metric Network Destination      Gateway`: the index in 3, the metric in 6, the
/// destination left in 24; a longer one puts the gateway on the next line, after 36 spaces.
fn ipv6_line(text: &mut Vec<u8>, route: &Ipv6Route) -> io::Result<()> {
    let mut num = itoa::Buffer::new();
    pad_right(text, num.format(route.interface).as_bytes(), 3)?;
    text.push(b' ');
    pad_right(text, num.format(route.metric).as_bytes(), 6)?;
    text.push(b' ');
    let destination = format!("{}/{}", route.destination, route.prefix_len);
    if destination.len() > 24 {
        text.extend_from_slice(destination.as_bytes());
        text.extend_from_slice(CRLF);
        crate::text::write_spaces(text, 36)?;
    } else {
        pad_left(text, destination.as_bytes(), 24)?;
        text.push(b' ');
    }
    match route.gateway {
        Some(gateway) => write!(text, "{gateway}")?,
        None => text.extend_from_slice(b"On-link"),
    }
    text.extend_from_slice(CRLF);
    Ok(())
}

fn right(text: &mut Vec<u8>, addr: Ipv4Addr, width: usize) -> io::Result<()> {
    pad_right(text, addr.to_string().as_bytes(), width)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const INTERFACES: [InterfaceEntry<'static>; 3] = [
        InterfaceEntry {
            index: 8,
            mac: &[0x00, 0xff, 0x58, 0x60, 0x5f, 0x61],
            description: b"TAP-Windows Adapter V9",
        },
        InterfaceEntry {
            index: 52,
            mac: &[0x00, 0x15, 0x5d, 0xfd, 0x0d, 0x45],
            description: b"Hyper-V Virtual Ethernet Adapter",
        },
        InterfaceEntry {
            index: 1,
            mac: &[],
            description: b"Software Loopback Interface 1",
        },
    ];

    pub(crate) fn ipv4() -> Vec<Ipv4Route> {
        let a = |s: &str| s.parse::<Ipv4Addr>().unwrap();
        vec![
            Ipv4Route {
                destination: a("0.0.0.0"),
                netmask: a("0.0.0.0"),
                gateway: Some(a("192.168.31.1")),
                interface: a("192.168.31.221"),
                metric: 30,
            },
            Ipv4Route {
                destination: a("127.0.0.0"),
                netmask: a("255.0.0.0"),
                gateway: None,
                interface: a("127.0.0.1"),
                metric: 331,
            },
            Ipv4Route {
                destination: a("255.255.255.255"),
                netmask: a("255.255.255.255"),
                gateway: None,
                interface: a("192.168.31.221"),
                metric: 286,
            },
        ]
    }

    pub(crate) fn ipv6() -> Vec<Ipv6Route> {
        let a = |s: &str| s.parse::<Ipv6Addr>().unwrap();
        vec![
            Ipv6Route {
                interface: 1,
                metric: 331,
                destination: a("::1"),
                prefix_len: 128,
                gateway: None,
            },
            Ipv6Route {
                interface: 9,
                metric: 286,
                destination: a("fe80::244e:2f1e:2096:62b2"),
                prefix_len: 128,
                gateway: None,
            },
            Ipv6Route {
                interface: 57,
                metric: 5256,
                destination: a("ff00::"),
                prefix_len: 8,
                gateway: None,
            },
        ]
    }

    pub(crate) fn persistent() -> Vec<PersistentRoute> {
        vec![PersistentRoute {
            destination: "157.0.0.0".parse().unwrap(),
            netmask: "255.0.0.0".parse().unwrap(),
            gateway: "157.55.80.1".parse().unwrap(),
            metric: Some(3),
        }]
    }

    pub(crate) fn render(tables: &RouteTables) -> String {
        let mut out = Vec::new();
        write(&mut out, tables).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Every sample table above, rendered.
    pub(crate) fn sample() -> String {
        let (v4, v6, p) = (ipv4(), ipv6(), persistent());
        render(&RouteTables {
            interfaces: &INTERFACES,
            ipv4: &v4,
            ipv4_persistent: &p,
            ipv6: &v6,
            ipv6_persistent: &[],
        })
    }

    #[test]
    fn matches_the_windows_10_capture() {
        // jc's route.out (spec §4), CRLF line ends.
        let text = sample();
        let expected = [
            "===========================================================================",
            "Interface List",
            "  8...00 ff 58 60 5f 61 ......TAP-Windows Adapter V9",
            " 52...00 15 5d fd 0d 45 ......Hyper-V Virtual Ethernet Adapter",
            "  1...........................Software Loopback Interface 1",
            "===========================================================================",
            "",
            "IPv4 Route Table",
            "===========================================================================",
            "Active Routes:",
            "Network Destination        Netmask          Gateway       Interface  Metric",
            "          0.0.0.0          0.0.0.0     192.168.31.1   192.168.31.221     30",
            "        127.0.0.0        255.0.0.0         On-link         127.0.0.1    331",
            "  255.255.255.255  255.255.255.255         On-link    192.168.31.221    286",
            "===========================================================================",
            "Persistent Routes:",
            "  Network Address          Netmask  Gateway Address  Metric",
            "        157.0.0.0        255.0.0.0      157.55.80.1       3",
            "===========================================================================",
            "",
            "IPv6 Route Table",
            "===========================================================================",
            "Active Routes:",
            " If Metric Network Destination      Gateway",
            "  1    331 ::1/128                  On-link",
            "  9    286 fe80::244e:2f1e:2096:62b2/128",
            "                                    On-link",
            " 57   5256 ff00::/8                 On-link",
            "===========================================================================",
            "Persistent Routes:",
            "  None",
            "",
        ];
        assert_eq!(text.split("\r\n").collect::<Vec<_>>(), expected);
    }

    #[test]
    fn eight_byte_addresses_and_empty_tables() {
        let isatap = [InterfaceEntry {
            index: 6,
            mac: &[0, 0, 0, 0, 0, 0, 0, 0xe0],
            description: b"Microsoft ISATAP Adapter #2",
        }];
        let text = render(&RouteTables {
            interfaces: &isatap,
            ..RouteTables::default()
        });
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(
            lines[2],
            "  6...00 00 00 00 00 00 00 e0 Microsoft ISATAP Adapter #2"
        );
        // With no persistent IPv4 route, `None` is followed by the empty line, no ruler.
        let at = lines
            .iter()
            .position(|l| *l == "Persistent Routes:")
            .unwrap();
        assert_eq!(
            &lines[at..at + 4],
            ["Persistent Routes:", "  None", "", "IPv6 Route Table"]
        );
        let default = [PersistentRoute {
            metric: None,
            ..persistent()[0]
        }];
        let text = render(&RouteTables {
            ipv4_persistent: &default,
            ..RouteTables::default()
        });
        assert!(text.contains("        157.0.0.0        255.0.0.0      157.55.80.1 Default\r\n"));
        // A 24-character destination stays on its line.
        let site = [Ipv6Route {
            interface: 7,
            metric: 256,
            destination: "fd63:cc9c:65eb:3f95::".parse().unwrap(),
            prefix_len: 64,
            gateway: Some("fe80::4600:49ff:fee1:c6ee".parse().unwrap()),
        }];
        let text = render(&RouteTables {
            ipv6: &site,
            ..RouteTables::default()
        });
        assert!(
            text.contains("  7    256 fd63:cc9c:65eb:3f95::/64 fe80::4600:49ff:fee1:c6ee\r\n"),
            "{text}"
        );
    }
}
