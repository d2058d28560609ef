//! Multicast group memberships: which interface has joined which IPv4 or IPv6 group.
//!
//! The kernel lists them in `/proc/net/igmp` (IPv4) and `/proc/net/igmp6` (IPv6). The parsers
//! here read those texts the way net-tools' netstat reads them (C `sscanf` rules), so a caller
//! that prints the records gets net-tools' output, including its handling of odd lines:
//! a malformed line becomes [`GroupLine::Bogus`] with net-tools' line number instead of a row.
//!
//! ```
//! use std::net::{IpAddr, Ipv4Addr};
//! use nettables::groups::{parse_igmp, GroupLine};
//!
//! let text = b"Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n\
//!              1\tlo        :     1      V3\n\
//!              \t\t\t\t010000E0     1 0:00000000\t\t0\n";
//! let lines = parse_igmp(text);
//! let GroupLine::Member(m) = &lines[0] else { panic!("not a membership") };
//! assert_eq!(m.interface, b"lo");
//! assert_eq!((m.users, m.group), (1, IpAddr::V4(Ipv4Addr::new(224, 0, 0, 1))));
//! ```

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::Result;

/// The IPv4 membership table.
pub const IGMP_PATH: &str = "/proc/net/igmp";
/// The IPv6 membership table.
pub const IGMP6_PATH: &str = "/proc/net/igmp6";

/// One membership of an interface in a multicast group.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Membership {
    /// The interface name as net-tools reads it (at most 15 bytes), without the kernel's
    /// padding spaces.
    pub interface: Vec<u8>,
    /// The number of users (IPv4) or the reference count (IPv6), wrapped to a C `int` as
    /// net-tools reads it.
    pub users: i32,
    /// The multicast group.
    pub group: IpAddr,
}

impl Membership {
    /// `interface` in `group` with `users` users.
    pub fn new(interface: &[u8], users: i32, group: IpAddr) -> Membership {
        Membership {
            interface: interface.to_vec(),
            users,
            group,
        }
    }
}

/// One line of a membership table, as a caller should report it: a membership or not (so the
/// enum is exhaustive).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupLine {
    /// A membership.
    Member(Membership),
    /// A malformed line, numbered as net-tools numbers it (the file's first line is 0).
    Bogus(usize),
}

/// Reads and parses [`IGMP_PATH`]. A kernel without the table gives
/// [`Error::NotAvailable`](crate::Error::NotAvailable).
pub fn read_igmp() -> Result<Vec<GroupLine>> {
    crate::sys::imp::read_igmp()
}

/// Reads and parses [`IGMP6_PATH`].
pub fn read_igmp6() -> Result<Vec<GroupLine>> {
    crate::sys::imp::read_igmp6()
}

/// Parses the text of `/proc/net/igmp`: a header line, then for each interface a device line
/// (`Idx<TAB>Device    : Count Querier`) followed by its group lines (`<TAB>...Group Users ...`,
/// the group being the raw 32-bit value in hex).
///
/// Like net-tools, a device line contributes the 15 bytes after the index (fewer if the line
/// is shorter, overwriting only those bytes of the previous name), cut at the last `:`.
pub fn parse_igmp(text: &[u8]) -> Vec<GroupLine> {
    let mut result = Vec::new();
    let mut has_index = true;
    // net-tools' static `char device[16]`, zeroed at start; byte 15 stays NUL.
    let mut device = [0u8; 16];
    for (number, line) in c_lines(text).enumerate() {
        if number == 0 {
            has_index = line.starts_with(b"Idx");
            continue;
        }
        let mut scan = Scan::new(line);
        if line.first() != Some(&b'\t') {
            if has_index && scan.int().is_none() {
                result.push(GroupLine::Bogus(number));
                continue;
            }
            scan.skip_space();
            let Some(name) = scan.chars(15) else {
                result.push(GroupLine::Bogus(number));
                continue;
            };
            device[..name.len()].copy_from_slice(name);
            let end = device.iter().position(|&b| b == 0).unwrap_or(15);
            if let Some(colon) = device[..end].iter().rposition(|&b| b == b':') {
                device[colon] = 0;
            }
            continue;
        }
        scan.skip_space();
        let group = scan.hex(8).and_then(|hex| {
            let value = u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
            Some(value)
        });
        let (Some(value), Some(users)) = (group, group.and_then(|_| scan.int())) else {
            result.push(GroupLine::Bogus(number));
            continue;
        };
        let end = device.iter().position(|&b| b == 0).unwrap_or(15);
        // The kernel pads names to 10 columns; a `%-15s` column makes that padding invisible.
        let len = device[..end]
            .iter()
            .rposition(|&b| b != b' ')
            .map_or(0, |last| last + 1);
        result.push(GroupLine::Member(Membership {
            interface: device[..len].to_vec(),
            users,
            // The kernel prints the address's in-memory (network order) bytes as a host u32.
            group: IpAddr::V4(Ipv4Addr::from(value.to_ne_bytes())),
        }));
    }
    result
}

/// Parses the text of `/proc/net/igmp6` (no header): `Idx Device Group RefCnt ...`, the
/// group being 32 hex digits in network order.
///
/// net-tools reads fewer than 32 digits into uninitialised memory; here such a line is bogus.
pub fn parse_igmp6(text: &[u8]) -> Vec<GroupLine> {
    let mut result = Vec::new();
    for (number, line) in c_lines(text).enumerate() {
        let mut scan = Scan::new(line);
        let parsed = (|| {
            scan.int()?;
            let device = scan.word(15)?.to_vec();
            scan.skip_space();
            let hex = scan.hex(64)?;
            let users = scan.int()?;
            Some((device, hex, users))
        })();
        let member = parsed.and_then(|(interface, hex, users)| {
            let mut octets = [0u8; 16];
            for (i, chunk) in octets.chunks_exact_mut(4).enumerate() {
                let digits = std::str::from_utf8(hex.get(i * 8..i * 8 + 8)?).ok()?;
                chunk.copy_from_slice(&u32::from_str_radix(digits, 16).ok()?.to_be_bytes());
            }
            Some(Membership {
                interface,
                users,
                group: IpAddr::V6(Ipv6Addr::from(octets)),
            })
        });
        result.push(member.map_or(GroupLine::Bogus(number), GroupLine::Member));
    }
    result
}

/// The lines as net-tools' `fgets` into an 8192-byte buffer sees them: at most 8191 bytes each,
/// newline included, and each read as a C string (ending at a NUL byte).
fn c_lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    const MAX: usize = 8191;
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let limit = rest.len().min(MAX);
        let len = rest[..limit]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(limit, |nl| nl + 1);
        let (line, tail) = rest.split_at(len);
        rest = tail;
        Some(line.split(|&b| b == 0).next().unwrap_or_default())
    })
}

/// A cursor with the `sscanf` conversions the tables need, with glibc's rules.
struct Scan<'a> {
    text: &'a [u8],
    pos: usize,
}

impl<'a> Scan<'a> {
    fn new(text: &'a [u8]) -> Scan<'a> {
        Scan { text, pos: 0 }
    }

    /// A whitespace directive: skips any amount of C `isspace`.
    fn skip_space(&mut self) {
        while self
            .text
            .get(self.pos)
            .is_some_and(|&b| b == b' ' || (b'\t'..=b'\r').contains(&b))
        {
            self.pos += 1;
        }
    }

    /// `%d`: the value `strtol` gives (saturated to 64 bits), truncated to a C `int`.
    fn int(&mut self) -> Option<i32> {
        self.skip_space();
        let mut pos = self.pos;
        let negative = match self.text.get(pos) {
            Some(b'-') => {
                pos += 1;
                true
            }
            Some(b'+') => {
                pos += 1;
                false
            }
            _ => false,
        };
        let digits = self.text[pos.min(self.text.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 {
            return None;
        }
        let mut magnitude: u64 = 0;
        for &b in &self.text[pos..pos + digits] {
            magnitude = magnitude
                .saturating_mul(10)
                .saturating_add(u64::from(b - b'0'));
        }
        self.pos = pos + digits;
        let value = if negative {
            0i64.checked_sub_unsigned(magnitude).unwrap_or(i64::MIN)
        } else {
            i64::try_from(magnitude).unwrap_or(i64::MAX)
        };
        Some(value as i32)
    }

    /// `%N[0-9A-Fa-f]`: one to `max` hex digits.
    fn hex(&mut self, max: usize) -> Option<&'a [u8]> {
        self.take(max, |b| b.is_ascii_hexdigit())
    }

    /// `%Nc`: one to `max` bytes of any kind.
    fn chars(&mut self, max: usize) -> Option<&'a [u8]> {
        self.take(max, |_| true)
    }

    /// `%Ns`: skips whitespace, then one to `max` non-space bytes.
    fn word(&mut self, max: usize) -> Option<&'a [u8]> {
        self.skip_space();
        self.take(max, |b| !(b == b' ' || (b'\t'..=b'\r').contains(&b)))
    }

    fn take(&mut self, max: usize, accept: impl Fn(u8) -> bool) -> Option<&'a [u8]> {
        let start = self.pos.min(self.text.len());
        let len = self.text[start..]
            .iter()
            .take(max)
            .take_while(|&&b| accept(b))
            .count();
        if len == 0 {
            return None;
        }
        self.pos = start + len;
        Some(&self.text[start..start + len])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Captured from a namespace with two veth ends (kernel 6.18).
    const IGMP: &[u8] = b"Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n\
        1\tlo        :     1      V3\n\
        \t\t\t\t010000E0     1 0:00000000\t\t0\n\
        2\tvb        :     1      V3\n\
        \t\t\t\t010000E0     1 0:00000000\t\t0\n\
        3\tva        :     2      V3\n\
        \t\t\t\t030201EF     1 0:00000000\t\t0\n\
        \t\t\t\t010000E0     1 0:00000000\t\t0\n";

    const IGMP6: &[u8] =
        b"1    lo              ff020000000000000000000000000001     1 0000000C 0\n\
        3    va              ff050000000000000000000000010003     2 00000004 0\n\
        3    va              ff0200000000000000000001ff4b08b9     1 00000004 0\n";

    fn member(interface: &[u8], users: i32, group: &str) -> GroupLine {
        GroupLine::Member(Membership {
            interface: interface.to_vec(),
            users,
            group: group.parse().expect("test address"),
        })
    }

    #[test]
    fn captured_igmp() {
        let lines = parse_igmp(IGMP);
        assert_eq!(
            lines,
            vec![
                member(b"lo", 1, "224.0.0.1"),
                member(b"vb", 1, "224.0.0.1"),
                member(b"va", 1, "239.1.2.3"),
                member(b"va", 1, "224.0.0.1"),
            ]
        );
    }

    #[test]
    fn captured_igmp6() {
        assert_eq!(
            parse_igmp6(IGMP6),
            vec![
                member(b"lo", 1, "ff02::1"),
                member(b"va", 2, "ff05::1:3"),
                member(b"va", 1, "ff02::1:ff4b:8b9"),
            ]
        );
    }

    #[test]
    fn long_and_short_device_names() {
        // A 15-byte name fills the buffer; a shorter line overwrites only its own bytes.
        let text = b"Idx\tDevice\n1\tverylongname15c:     1      V3\n\t\t010000E0 1\n2\tab";
        let lines = parse_igmp(text);
        assert_eq!(lines, vec![member(b"verylongname15c", 1, "224.0.0.1")]);
        let text = b"Idx\tDevice\n1\tverylongname15c:  1\n1\tab\n\t1 2\n";
        assert_eq!(
            parse_igmp(text),
            vec![member(b"ab\nylongname15c", 2, "1.0.0.0")]
        );
        let text = b"Idx\tDevice\n1\tabcdefghijkl:  1\n\t0100007F 3\n";
        assert_eq!(
            parse_igmp(text),
            vec![member(b"abcdefghijkl", 3, "127.0.0.1")]
        );
    }

    #[test]
    fn hostile_igmp_lines() {
        // The fixture netstat's differential test compares with net-tools.
        let text = include_bytes!("../tests/fixtures/igmp-hostile");
        let (lo, long) = (b"lo", b"verylongname15c");
        assert_eq!(
            parse_igmp(text),
            vec![
                member(lo, 1, "224.0.0.1"),
                member(long, 1_215_752_191, "224.0.0.1"),
                GroupLine::Bogus(5),
                member(long, 123, "224.0.0.1"),
                member(long, -5, "224.1.0.0"),
                GroupLine::Bogus(8),
                member(long, 0, "0.0.0.0"),
                GroupLine::Bogus(10),
                GroupLine::Bogus(11),
                member(long, i32::MIN, "224.0.0.1"),
                member(long, 0, "0.0.0.1"),
                member(b"abcdefghijkl", 7, "239.1.2.3"),
                GroupLine::Bogus(16),
                GroupLine::Bogus(17),
            ]
        );
    }

    #[test]
    fn header_without_index_column() {
        let text = b"Device    : Count\nlo        :     1\n\t010000E0 1\n";
        assert_eq!(parse_igmp(text), vec![member(b"lo", 1, "224.0.0.1")]);
    }

    #[test]
    fn hostile_igmp6_lines() {
        let text = b"1 lo ff020000000000000000000000000001 1\n\
            1 lo ff02000000000000 1\n\
            bad\n\
            1 lo zz 1\n\
            1\tlo\t00000000000000000000000000000000\t4294967297\n\
            1 verylongdevicename0 ff020000000000000000000000000001 1\n\
            1 lo ff020000000000000000000000000001ffffffff 9\n\
            1 lo ff020000000000000000000000000001\n\
            \n\
            1 lo ff02000000000000000000000000000g 1\n";
        assert_eq!(
            parse_igmp6(text),
            vec![
                member(b"lo", 1, "ff02::1"),
                GroupLine::Bogus(1),
                GroupLine::Bogus(2),
                GroupLine::Bogus(3),
                member(b"lo", 1, "::"),
                // %15s stops mid-name; the group is then read from the rest of the name.
                GroupLine::Bogus(5),
                member(b"lo", 9, "ff02::1"),
                GroupLine::Bogus(7),
                GroupLine::Bogus(8),
                GroupLine::Bogus(9),
            ]
        );
    }

    #[test]
    fn long_lines_split_like_fgets() {
        let mut text = b"1 lo ff020000000000000000000000000001 1 ".to_vec();
        text.resize(8191 + 3, b'x');
        text.extend_from_slice(b"\n1 lo ff010000000000000000000000000001 2\n");
        let lines = parse_igmp6(&text);
        assert_eq!(
            lines,
            vec![
                member(b"lo", 1, "ff02::1"),
                GroupLine::Bogus(1),
                member(b"lo", 2, "ff01::1")
            ]
        );
    }

    #[test]
    fn empty_and_nul_input() {
        assert!(parse_igmp(b"").is_empty());
        assert!(parse_igmp6(b"").is_empty());
        assert_eq!(parse_igmp(b"Idx\tDevice\n\0\n"), vec![GroupLine::Bogus(1)]);
        assert_eq!(
            parse_igmp6(b"1 lo\0 ff020000000000000000000000000001 1\n"),
            vec![GroupLine::Bogus(0)]
        );
    }
}
