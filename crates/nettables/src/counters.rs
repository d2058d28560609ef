//! Protocol counters (what `netstat -s` shows): named sections of named `u64` values, kept in
//! the order the kernel lists them.
//!
//! The kernel writes its counters in two text formats, and [`parse`] reads both:
//! * header/value line pairs (`/proc/net/snmp`, `/proc/net/netstat`):
//!   `Ip: Forwarding DefaultTTL ...` followed by `Ip: 1 64 ...`;
//! * one `Key value` per line (`/proc/net/snmp6`, `/proc/net/sctp/snmp`).
//!
//! ```
//! use nettables::counters::{parse, CounterFile};
//!
//! let snmp = b"Ip: Forwarding DefaultTTL\nIp: 2 64\nTcp: ActiveOpens\nTcp: 7\n";
//! let counters = parse(CounterFile::Snmp, snmp);
//! assert_eq!(counters.sections[1].name, "Tcp");
//! assert_eq!(counters.sections[1].counters, vec![("ActiveOpens".to_string(), 7)]);
//! assert!(!counters.malformed);
//!
//! // On Linux, `load` reads the same from /proc.
//! if let Ok(live) = nettables::counters::load(CounterFile::Snmp) {
//!     assert!(live.sections.iter().any(|s| s.name == "Tcp"));
//! }
//! ```
//!
//! Parsing never fails: it follows what net-tools reads from the same text, so a value that is
//! missing or not a number counts as 0, and one too large for `u64` counts as `u64::MAX`.

use crate::Result;

/// One section of counters, such as `Ip` or `TcpExt`, with its counters in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CounterSection {
    /// The section name, without its colon (`Ip`, `Icmp6`, `Sctp`).
    pub name: String,
    /// Key and value of each counter, in file order.
    pub counters: Vec<(String, u64)>,
}

impl CounterSection {
    /// A section named `name` holding `counters`.
    pub fn new(name: &str, counters: &[(&str, u64)]) -> CounterSection {
        CounterSection {
            name: name.to_string(),
            counters: counters.iter().map(|&(k, v)| (k.to_string(), v)).collect(),
        }
    }
}

/// The sections of one counter file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Counters {
    /// Sections in file order.
    pub sections: Vec<CounterSection>,
    /// Parsing stopped early at a header/value pair without a `:`; `sections` holds what came
    /// before it.
    pub malformed: bool,
}

/// The kernel's counter files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CounterFile {
    /// IPv4, ICMP, TCP and UDP counters (header/value pairs).
    Snmp,
    /// Linux extensions such as `TcpExt` and `IpExt` (header/value pairs).
    Netstat,
    /// IPv6 counters (`Key value` lines), split into sections by [`parse_snmp6`].
    Snmp6,
    /// SCTP counters (`Key value` lines), returned as one section named `Sctp`.
    SctpSnmp,
}

impl CounterFile {
    /// The file's path on Linux, as error messages name it.
    pub fn path(self) -> &'static str {
        match self {
            CounterFile::Snmp => "/proc/net/snmp",
            CounterFile::Netstat => "/proc/net/netstat",
            CounterFile::Snmp6 => "/proc/net/snmp6",
            CounterFile::SctpSnmp => "/proc/net/sctp/snmp",
        }
    }
}

/// Reads and parses `file` from `/proc`. A file the kernel does not have (no SCTP, for one)
/// gives [`Error::NotAvailable`](crate::Error::NotAvailable).
///
/// # macOS
///
/// Only [`CounterFile::Snmp`] is read (the others are
/// [`Error::Unsupported`](crate::Error::Unsupported)), from the kernel's counter structures
/// (`sysctl net.inet.{tcp,udp,ip,icmp}.stats`). Its sections and counters are named after
/// xnu's structures rather than Linux's files:
/// - sections `tcp`, `udp`, `ip`, `icmp`, in that order (netstat's);
/// - in each, the structure's fields in struct order, named without their prefix:
///   `tcps_connattempt` → `connattempt`, `tcps_sndtotal` → `sndtotal`, `ips_total` →
///   `total`, `udps_ipackets` → `ipackets`, `udpps_pcbcachemiss` → `pcbcachemiss`;
/// - an array field gives one counter per element, named with its index: `icps_outhist`
///   → `outhist[0]` … `outhist[40]`, then `inhist[0]` … `inhist[40]`;
/// - only the leading fields every release lays out alike: `struct tcpstat` through
///   `preddat` (50 counters), `struct udpstat` through `filtermcast` (14), `struct ipstat`
///   through `pktdropcntrl` (30), `struct icmpstat` whole (92).
///
/// A protocol whose sysctl fails is left out (a structure that does not parse also sets
/// [`Counters::malformed`]); only when none can be read is it an error. Without root, macOS
/// reads TCP counters as zero.
pub fn load(file: CounterFile) -> Result<Counters> {
    crate::sys::imp::counters(file)
}

/// Parses the text of `file` in that file's format.
pub fn parse(file: CounterFile, text: &[u8]) -> Counters {
    match file {
        CounterFile::Snmp | CounterFile::Netstat => parse_paired(text),
        CounterFile::Snmp6 => Counters {
            sections: parse_snmp6(text),
            malformed: false,
        },
        CounterFile::SctpSnmp => Counters {
            sections: vec![CounterSection {
                name: "Sctp".to_string(),
                counters: parse_key_values(text),
            }],
            malformed: false,
        },
    }
}

/// Parses header/value line pairs: `Name: key key ...` then `Name: value value ...`.
///
/// The section is named by the header line. Values pair with keys by position; a key without a
/// value gets 0, and so does every key after a value that is not a number. Empty header lines
/// are skipped, and a header without a value line ends the file. A pair where either line lacks
/// a `:` stops parsing and sets [`Counters::malformed`].
pub fn parse_paired(text: &[u8]) -> Counters {
    let mut counters = Counters::default();
    let mut lines = lines(text);
    while let Some(header) = lines.next() {
        if header.is_empty() {
            continue;
        }
        let Some(values) = lines.next() else { break };
        let (Some(colon), Some(value_colon)) = (find_colon(header), find_colon(values)) else {
            counters.malformed = true;
            break;
        };
        let mut values = &values[value_colon + 1..];
        let section = CounterSection {
            name: lossy(&header[..colon]),
            counters: header[colon + 1..]
                .split(|&b| is_separator(b))
                .filter(|key| !key.is_empty())
                .map(|key| {
                    let (value, rest) = strtoull(trim_separators(values));
                    // A value that is not a number is not consumed, as with strtoull.
                    values = rest;
                    (lossy(key), value)
                })
                .collect(),
        };
        counters.sections.push(section);
    }
    counters
}

/// Parses `Key value` lines into counters in file order. Lines without a value are skipped; a
/// value that is not a number counts as 0.
pub fn parse_key_values(text: &[u8]) -> Vec<(String, u64)> {
    lines(text)
        .filter_map(|line| {
            let end = line
                .iter()
                .position(|&b| is_separator(b))
                .unwrap_or(line.len());
            let value = trim_separators(line.get(end + 1..)?);
            if value.is_empty() {
                return None;
            }
            Some((lossy(&line[..end]), strtoull(value).0))
        })
        .collect()
}

/// Parses `/proc/net/snmp6` and splits it into sections the way net-tools does.
///
/// A section is named by the prefix of a key up to and including its first `6` (`Ip6`,
/// `Icmp6`, `Udp6`, `UdpLite6`; the whole key if it has no `6`). A new section starts at each
/// key that does not contain the current section's name. Blank lines are skipped; a missing or
/// non-numeric value counts as 0.
pub fn parse_snmp6(text: &[u8]) -> Vec<CounterSection> {
    let mut sections: Vec<CounterSection> = Vec::new();
    for line in lines(text) {
        let mut words = line
            .split(|b| b.is_ascii_whitespace() || *b == 0x0b)
            .filter(|w| !w.is_empty());
        let Some(key) = words.next() else { continue };
        let value = words.next().map_or(0, |word| strtoull(word).0);
        let key = lossy(key);
        let current = sections
            .last_mut()
            .filter(|section| key.contains(section.name.as_str()));
        let section = match current {
            Some(section) => section,
            None => {
                let name = match key.find('6') {
                    Some(six) => key[..=six].to_string(),
                    None => key.clone(),
                };
                sections.push(CounterSection {
                    name,
                    counters: Vec::new(),
                });
                let last = sections.len() - 1;
                &mut sections[last]
            }
        };
        section.counters.push((key, value));
    }
    sections
}

/// Lines without their newline. As in C strings, a NUL byte ends a line's text.
fn lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    text.split(|&b| b == b'\n')
        .filter(move |_| !text.is_empty())
        .map(|line| line.split(|&b| b == 0).next().unwrap_or(line))
}

fn find_colon(line: &[u8]) -> Option<usize> {
    line.iter().position(|&b| b == b':')
}

/// The separators net-tools splits keys on.
fn is_separator(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n')
}

fn trim_separators(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|&b| !is_separator(b))
        .unwrap_or(bytes.len());
    &bytes[start..]
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// C's `strtoull(s, &end, 10)`: leading white space, an optional sign (a minus negates modulo
/// 2^64), then digits; saturates at `u64::MAX`. Returns the value and the unparsed rest, which
/// is all of `s` when there are no digits.
fn strtoull(s: &[u8]) -> (u64, &[u8]) {
    let start = s
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'));
    let body = &s[start.unwrap_or(s.len())..];
    let (negative, digits) = match body.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, body),
    };
    let count = digits.iter().take_while(|b| b.is_ascii_digit()).count();
    if count == 0 {
        return (0, s);
    }
    let value = digits[..count].iter().try_fold(0u64, |acc, d| {
        acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    });
    let value = match value {
        Some(v) if negative => v.wrapping_neg(),
        Some(v) => v,
        None => u64::MAX,
    };
    (value, &digits[count..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(name: &str, counters: &[(&str, u64)]) -> CounterSection {
        CounterSection {
            name: name.to_string(),
            counters: counters.iter().map(|&(k, v)| (k.to_string(), v)).collect(),
        }
    }

    #[test]
    fn paired_sections_in_file_order() {
        let text = b"Ip: Forwarding DefaultTTL InReceives\nIp: 2 64 1999\n\
                     Icmp: InMsgs InErrors\nIcmp: 1 0\nUdpLite: InDatagrams\nUdpLite: 0\n";
        let parsed = parse_paired(text);
        assert!(!parsed.malformed);
        assert_eq!(
            parsed.sections,
            vec![
                section(
                    "Ip",
                    &[("Forwarding", 2), ("DefaultTTL", 64), ("InReceives", 1999)]
                ),
                section("Icmp", &[("InMsgs", 1), ("InErrors", 0)]),
                section("UdpLite", &[("InDatagrams", 0)]),
            ]
        );
    }

    #[test]
    fn paired_mismatched_counts_and_bad_numbers() {
        // Too few values: the rest read 0. Too many: ignored.
        let parsed = parse_paired(b"A: x y z\nA: 5\nB: x\nB: 1 2 3\n");
        assert_eq!(
            parsed.sections[0],
            section("A", &[("x", 5), ("y", 0), ("z", 0)])
        );
        assert_eq!(parsed.sections[1], section("B", &[("x", 1)]));
        // A non-number is never consumed, so every later key reads 0, as in net-tools.
        let parsed = parse_paired(b"A: a b c\nA: 7 x 9\n");
        assert_eq!(
            parsed.sections[0],
            section("A", &[("a", 7), ("b", 0), ("c", 0)])
        );
        // Trailing garbage after digits: the digits count, the garbage blocks the rest.
        let parsed = parse_paired(b"A: a b\nA: 12abc 9\n");
        assert_eq!(parsed.sections[0], section("A", &[("a", 12), ("b", 0)]));
    }

    #[test]
    fn paired_extreme_values() {
        let parsed = parse_paired(
            b"A: max over neg plus\nA: 18446744073709551615 99999999999999999999999 -1 +4\n",
        );
        assert_eq!(
            parsed.sections[0],
            section(
                "A",
                &[
                    ("max", u64::MAX),
                    ("over", u64::MAX),
                    ("neg", u64::MAX),
                    ("plus", 4)
                ]
            )
        );
    }

    #[test]
    fn paired_odd_lines_blank_lines_and_missing_colons() {
        // A header without a value line ends the file quietly.
        let parsed = parse_paired(b"A: x\nA: 1\nB: y\n");
        assert_eq!((parsed.sections.len(), parsed.malformed), (1, false));
        // A blank header line is skipped (old kernels start with one).
        let parsed = parse_paired(b"\nA: x\nA: 1\n");
        assert_eq!(parsed.sections, vec![section("A", &[("x", 1)])]);
        // A pair without a colon stops parsing, keeping what came before.
        let parsed = parse_paired(b"A: x\nA: 1\nB y\nB: 2\nC: z\nC: 3\n");
        assert_eq!((parsed.sections.len(), parsed.malformed), (1, true));
        let parsed = parse_paired(b"A: x\n\n");
        assert!(parsed.malformed && parsed.sections.is_empty());
        // No trailing newline, tabs, empty and NUL-cut input.
        let parsed = parse_paired(b"A:\tx\t y\nA: 1\t2");
        assert_eq!(parsed.sections, vec![section("A", &[("x", 1), ("y", 2)])]);
        assert_eq!(parse_paired(b""), Counters::default());
        let parsed = parse_paired(b"A: x\0y\nA: 3 4\n");
        assert_eq!(parsed.sections, vec![section("A", &[("x", 3)])]);
        // Non-UTF-8 names survive lossily.
        let parsed = parse_paired(b"\xff: k\n\xff: 1\n");
        assert_eq!(parsed.sections[0].name, "\u{fffd}");
    }

    #[test]
    fn key_value_lines() {
        let text = b"SctpCurrEstab\t\t\t1\nSctpActiveEstabs 2\nNoValue\nBlank   \n\n 5\nBad x\n";
        assert_eq!(
            parse_key_values(text),
            vec![
                ("SctpCurrEstab".to_string(), 1),
                ("SctpActiveEstabs".to_string(), 2),
                (String::new(), 5),
                ("Bad".to_string(), 0),
            ]
        );
        let parsed = parse(CounterFile::SctpSnmp, b"SctpShutdowns 3");
        assert_eq!(
            parsed.sections,
            vec![section("Sctp", &[("SctpShutdowns", 3)])]
        );
    }

    #[test]
    fn snmp6_split_by_prefix() {
        let text = b"Ip6InReceives 1\nIp6OutRequests 2\nIcmp6InMsgs 3\nIcmp6InType1 4\n\
                     Udp6InDatagrams 5\nUdpLite6InDatagrams 6\nUdp6Late 7\n\nOdd x\nOddMore\n";
        assert_eq!(
            parse_snmp6(text),
            vec![
                section("Ip6", &[("Ip6InReceives", 1), ("Ip6OutRequests", 2)]),
                section("Icmp6", &[("Icmp6InMsgs", 3), ("Icmp6InType1", 4)]),
                section("Udp6", &[("Udp6InDatagrams", 5)]),
                section("UdpLite6", &[("UdpLite6InDatagrams", 6)]),
                section("Udp6", &[("Udp6Late", 7)]),
                section("Odd", &[("Odd", 0), ("OddMore", 0)]),
            ]
        );
        assert!(parse_snmp6(b"").is_empty());
    }

    #[test]
    fn strtoull_matches_c() {
        assert_eq!(strtoull(b"  42 7"), (42, &b" 7"[..]));
        assert_eq!(strtoull(b"x"), (0, &b"x"[..]));
        assert_eq!(strtoull(b"-"), (0, &b"-"[..]));
        assert_eq!(strtoull(b"-0"), (0, &b""[..]));
        assert_eq!(strtoull(b"-18446744073709551616"), (u64::MAX, &b""[..]));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn live_files_parse() {
        let snmp = load(CounterFile::Snmp).expect("/proc/net/snmp");
        assert!(!snmp.malformed);
        let names: Vec<&str> = snmp.sections.iter().map(|s| s.name.as_str()).collect();
        assert!(names.starts_with(&["Ip", "Icmp"]), "{names:?}");
    }
}
