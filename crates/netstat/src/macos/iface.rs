//! `netstat -i` and `-ib`: the interface table (spec §6; `intpr` and `print_intpr_header` of
//! `if.c`). One row per interface for its link, then one per address with the same packet
//! counters and `-` for errors and collisions, which only the link row has. `-l` is not
//! rendered. With an interval (`-w N`, `netstat N`), the traffic of every interface together
//! (or of `-I IF`) in the last N seconds, one line a pass (`sidewaysintpr`).

use std::io::{self, Write};
use std::net::{Ipv4Addr, Ipv6Addr};

use super::route::{kame_embedded, netname};
use crate::text::{pad_left, pad_right, write_sanitized};

/// An interface's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub ipackets: u64,
    pub ierrors: u64,
    pub ibytes: u64,
    pub opackets: u64,
    pub oerrors: u64,
    pub obytes: u64,
    pub collisions: u64,
}

/// What a row shows in the Network and Address columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Address<'a> {
    /// The link: `<Link#N>` and the hardware address, if any.
    Link { index: u32, mac: &'a [u8] },
    /// An IPv4 address: the network (`192.168.1`) and the host's name or number.
    Inet {
        address: Ipv4Addr,
        prefix_len: Option<u8>,
        name: Option<&'a [u8]>,
    },
    /// An IPv6 address: the address's name (or number, with `%zone`; with `-n` and
    /// `/len`), and the address as the kernel keeps it (`fe80:7::1`).
    Inet6 {
        address: Ipv6Addr,
        prefix_len: u8,
        scope: u32,
        zone: Option<&'a [u8]>,
        name: Option<&'a [u8]>,
    },
}

/// One row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row<'a> {
    pub name: &'a [u8],
    pub up: bool,
    pub mtu: u32,
    pub address: Address<'a>,
    pub counters: Counters,
}

/// Writes the column header; `bytes` is `-b`.
pub fn write_header(out: &mut impl Write, bytes: bool) -> io::Result<()> {
    let (ibytes, obytes) = match bytes {
        true => ("     Ibytes", "     Obytes"),
        false => ("", ""),
    };
    writeln!(
        out,
        "Name       Mtu   Network       Address            Ipkts Ierrs{ibytes}    Opkts Oerrs{obytes}  Coll"
    )
}

/// Writes one row; `numeric` is `-n`. `line` is scratch space.
pub fn write_row(
    out: &mut impl Write,
    row: &Row,
    bytes: bool,
    numeric: bool,
    line: &mut Vec<u8>,
) -> io::Result<()> {
    line.clear();
    let mut name = Vec::with_capacity(16);
    write_sanitized(&mut name, row.name)?;
    if !row.up {
        name.push(b'*');
    }
    name.truncate(10);
    pad_left(line, &name, 10)?;
    line.push(b' ');
    pad_left(line, row.mtu.to_string().as_bytes(), 5)?;
    line.push(b' ');
    write_address(line, &row.address, numeric)?;
    let link = matches!(row.address, Address::Link { .. });
    write_counters(line, &row.counters, link, bytes)?;
    line.push(b'\n');
    out.write_all(line)
}

/// The Network and Address columns (`-n`: `numeric`), each followed by a space.
fn write_address(line: &mut Vec<u8>, address: &Address, numeric: bool) -> io::Result<()> {
    match *address {
        Address::Link { index, mac } => {
            let start = line.len();
            let mut field = format!("<Link#{index}>").into_bytes();
            field.truncate(11);
            pad_left(line, &field, 11)?;
            line.push(b' ');
            for (i, byte) in mac.iter().enumerate() {
                let sep = if i + 1 < mac.len() { ':' } else { ' ' };
                write!(line, "{byte:02x}{sep}")?;
            }
            let used = line.len() - start;
            crate::text::write_spaces(line, 30usize.saturating_sub(used))?;
        }
        Address::Inet {
            address,
            prefix_len,
            name,
        } => {
            let mask = prefix_len.map_or(0, |len| {
                u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0)
            });
            let network = Ipv4Addr::from(u32::from(address) & mask);
            cut(line, netname(network, prefix_len).as_bytes(), 13)?;
            let mut host = Vec::with_capacity(32);
            match name {
                Some(name) => write_sanitized(&mut host, name)?,
                None => write!(host, "{address}")?,
            }
            cut(line, &host, 15)?;
        }
        Address::Inet6 {
            address,
            prefix_len,
            scope,
            zone,
            name,
        } => {
            let mut network = Vec::with_capacity(48);
            match name {
                Some(name) => write_sanitized(&mut network, name)?,
                None => {
                    write!(network, "{address}")?;
                    if let Some(zone) = zone {
                        network.push(b'%');
                        write_sanitized(&mut network, zone)?;
                    }
                }
            }
            if numeric {
                write!(network, "/{prefix_len}")?;
            }
            cut(line, &network, 11)?;
            cut(
                line,
                kame_embedded(address, scope).to_string().as_bytes(),
                17,
            )?;
        }
    }
    Ok(())
}

/// The counter columns: all on the link row (`link`), only packets and bytes on an
/// address row; the byte columns with `-b` (`bytes`).
fn write_counters(line: &mut Vec<u8>, c: &Counters, link: bool, bytes: bool) -> io::Result<()> {
    // (value, width, shown on address rows, a -b column)
    let cells = [
        (c.ipackets, 8, true, false),
        (c.ierrors, 5, false, false),
        (c.ibytes, 10, true, true),
        (c.opackets, 8, true, false),
        (c.oerrors, 5, false, false),
        (c.obytes, 10, true, true),
        (c.collisions, 5, false, false),
    ];
    let mut num = itoa::Buffer::new();
    let mut first = true;
    for (value, width, on_address_rows, byte_column) in cells {
        if byte_column && !bytes {
            continue;
        }
        if !first {
            line.push(b' ');
        }
        first = false;
        let text: &[u8] = match link || on_address_rows {
            true => num.format(value).as_bytes(),
            false => b"-",
        };
        pad_right(line, text, width)?;
    }
    Ok(())
}

/// `%-N.Ns `.
fn cut(line: &mut Vec<u8>, field: &[u8], width: usize) -> io::Result<()> {
    pad_left(line, &field[..field.len().min(width)], width)?;
    line.push(b' ');
    Ok(())
}

/// The traffic display's line count after `line` (0 to 20): the banner comes again when it
/// is back at 0, every 21 passes (`sidewaysintpr` counts the silent first pass too).
pub fn next_traffic_line(line: u32) -> u32 {
    (line + 1) % 21
}

/// The banner of the traffic display: `input`, the interface (`(Total)`, `(en0)`) and
/// `output` over the columns; `timestamps` (`-v`) shifts it past the rows' time.
pub fn write_traffic_banner(
    out: &mut impl Write,
    label: &[u8],
    timestamps: bool,
) -> io::Result<()> {
    let indent = if timestamps { "         " } else { "" };
    let label = String::from_utf8_lossy(&crate::text::sanitized(label)).into_owned();
    write!(
        out,
        "{indent}{:>17} {label:>14} {:>16}\n{indent}{:>10} {:>5} {:>10} {:>10} {:>5} {:>10} {:>5}\n",
        "input", "output", "packets", "errs", "bytes", "packets", "errs", "bytes", "colls"
    )
}

/// One line of traffic: what the counters grew by in the last interval, after the time
/// (`HH:MM:SS`) with `-v`.
pub fn write_traffic(out: &mut impl Write, grown: &Counters, time: Option<&str>) -> io::Result<()> {
    let time = time.map(|t| format!("{t} ")).unwrap_or_default();
    let c = grown;
    writeln!(
        out,
        "{time}{:>10} {:>5} {:>10} {:>10} {:>5} {:>10} {:>5}",
        c.ipackets, c.ierrors, c.ibytes, c.opackets, c.oerrors, c.obytes, c.collisions
    )
}

impl Counters {
    /// What each counter grew by since `before` (a counter that went back, wrapped, counts
    /// from zero as the kernel's unsigned arithmetic does).
    pub fn since(&self, before: &Counters) -> Counters {
        self.combine(before, u64::wrapping_sub)
    }

    /// The counters of two interfaces together.
    pub fn plus(&self, other: &Counters) -> Counters {
        self.combine(other, u64::wrapping_add)
    }

    fn combine(&self, other: &Counters, op: fn(u64, u64) -> u64) -> Counters {
        Counters {
            ipackets: op(self.ipackets, other.ipackets),
            ierrors: op(self.ierrors, other.ierrors),
            ibytes: op(self.ibytes, other.ibytes),
            opackets: op(self.opackets, other.opackets),
            oerrors: op(self.oerrors, other.oerrors),
            obytes: op(self.obytes, other.obytes),
            collisions: op(self.collisions, other.collisions),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(rows: &[Row], bytes: bool) -> String {
        let mut out = Vec::new();
        write_header(&mut out, bytes).unwrap();
        let mut line = Vec::new();
        for row in rows {
            write_row(&mut out, row, bytes, false, &mut line).unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn ib_matches_the_26_capture() {
        // macOS 26.5.2 `netstat -ib` (spec §6, C 58617352710).
        let counters = Counters {
            ipackets: 11259,
            ibytes: 14571601,
            opackets: 4707,
            obytes: 1052393,
            ..Counters::default()
        };
        let mac = [0xc6, 0x66, 0x6c, 0xd3, 0x09, 0x29];
        let rows = [
            Row {
                name: b"en0",
                up: true,
                mtu: 1500,
                address: Address::Link {
                    index: 7,
                    mac: &mac,
                },
                counters,
            },
            Row {
                name: b"en0",
                up: true,
                mtu: 1500,
                address: Address::Inet6 {
                    address: "fe80::c9c:87f5:1234:5678".parse().unwrap(),
                    prefix_len: 64,
                    scope: 7,
                    zone: Some(b"en0"),
                    name: Some(b"iad20-gt102.example.net"),
                },
                counters,
            },
        ];
        assert_eq!(
            render(&rows, true),
            "Name       Mtu   Network       Address            Ipkts Ierrs     Ibytes    Opkts Oerrs     Obytes  Coll\n\
             en0        1500  <Link#7>    c6:66:6c:d3:09:29    11259     0   14571601     4707     0    1052393     0\n\
             en0        1500  iad20-gt102 fe80:7::c9c:87f5:    11259     -   14571601     4707     -    1052393     -\n"
        );
    }

    #[test]
    fn i_matches_the_26_capture_and_ipv4_rows() {
        // macOS 26.5.2 `netstat -i` (spec §6, C 58617352710), then 10.14 address rows in
        // 728's 10-wide name column.
        let counters = Counters {
            ipackets: 327,
            opackets: 327,
            ..Counters::default()
        };
        let lo = |address| Row {
            name: b"lo0",
            up: true,
            mtu: 16384,
            address,
            counters,
        };
        let rows = [
            lo(Address::Link { index: 1, mac: &[] }),
            lo(Address::Inet {
                address: "127.0.0.1".parse().unwrap(),
                prefix_len: Some(8),
                name: Some(b"localhost"),
            }),
            Row {
                name: b"gif0",
                up: false,
                mtu: 1280,
                address: Address::Link { index: 2, mac: &[] },
                counters: Counters::default(),
            },
            Row {
                name: b"en0",
                up: true,
                mtu: 1500,
                address: Address::Inet {
                    address: "192.168.1.221".parse().unwrap(),
                    prefix_len: Some(24),
                    name: Some(b"kbrazil-mac.attlocal.net"),
                },
                counters: Counters {
                    ipackets: 23300545,
                    opackets: 26448755,
                    ..Counters::default()
                },
            },
        ];
        assert_eq!(
            render(&rows, false),
            "Name       Mtu   Network       Address            Ipkts Ierrs    Opkts Oerrs  Coll\n\
             lo0        16384 <Link#1>                           327     0      327     0     0\n\
             lo0        16384 127           localhost            327     -      327     -     -\n\
             gif0*      1280  <Link#2>                             0     0        0     0     0\n\
             en0        1500  192.168.1     kbrazil-mac.att 23300545     - 26448755     -     -\n"
        );
    }

    #[test]
    fn traffic_banner_and_rows() {
        // if.c's formats: `%17s %14s %16s`, then `%10s %5s %10s ` and `%10s %5s %10s %5s`.
        let mut out = Vec::new();
        write_traffic_banner(&mut out, b"(Total)", false).unwrap();
        let before = Counters {
            ipackets: 100,
            ibytes: 5000,
            ..Counters::default()
        };
        let after = Counters {
            ipackets: 112,
            ibytes: 6024,
            opackets: 7,
            obytes: 900,
            ..Counters::default()
        };
        write_traffic(&mut out, &after.since(&before), None).unwrap();
        assert_eq!(after.plus(&before).ibytes, 11024);
        let mut line = 0;
        let banners = (1..=63)
            .filter(|_| {
                line = next_traffic_line(line);
                line == 0
            })
            .count();
        assert_eq!(banners, 3, "a banner every 21 passes");
        write_traffic_banner(&mut out, b"(en0)", true).unwrap();
        write_traffic(&mut out, &Counters::default(), Some("12:34:56")).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "            input        (Total)           output\n\
             \x20  packets  errs      bytes    packets  errs      bytes colls\n\
             \x20       12     0       1024          7     0        900     0\n\
             \x20                    input          (en0)           output\n\
             \x20           packets  errs      bytes    packets  errs      bytes colls\n\
             12:34:56          0     0          0          0     0          0     0\n"
        );
    }
}
