//! `netstat -s`: per-protocol statistics (spec §7). Each protocol prints `name:` and then, in
//! BSD's order, one TAB-indented sentence per counter (`sentences.txt`, beside this file),
//! with BSD's plural rule: `s` only when the count is more than 1. `-ss` leaves out the
//! sentences whose counters are all zero.
//!
//! The counters come by name (nettables' `tcp`, `udp`, `ip` and `icmp` sections, named after
//! xnu's struct fields); a sentence whose counter the section lacks is left out, so an older
//! or newer kernel prints what it has.

use std::io::{self, Write};

/// How a sentence's arguments are formed from its counters (the macros of `inet.c`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `p`: the count and `s`.
    P,
    /// `p1a`: the count alone.
    Plain,
    /// `p2`: two counts, each with `s`.
    P2,
    /// `p2a`: two counts, the first with `s`.
    P2a,
    /// `py`: the count and `ies`/`y`.
    Ies,
    /// The sum of two counters, alone (`checksummed in software`).
    Sum,
    /// The text alone, when the counter is not zero (or without `-ss`).
    EndOf,
    /// UDP's datagrams delivered: received less those dropped.
    Delivered,
    /// ICMP's counts by type (`outhist[0]` ...): the title, then `name: count` for each type
    /// whose count is not zero; nothing when all are.
    Histogram,
}

impl Kind {
    fn parse(name: &str) -> Option<Kind> {
        Some(match name {
            "P" => Kind::P,
            "Plain" => Kind::Plain,
            "P2" => Kind::P2,
            "P2a" => Kind::P2a,
            "Ies" => Kind::Ies,
            "Sum" => Kind::Sum,
            "EndOf" => Kind::EndOf,
            "Delivered" => Kind::Delivered,
            "Histogram" => Kind::Histogram,
            _ => return None,
        })
    }
}

/// The sentences, one a line: `section|kind|counters|format` (see the file's head).
const SENTENCES: &str = include_str!("sentences.txt");

/// A sentence: its kind, its counters (comma-separated), and BSD's format string with its
/// `\t` and `\n` escapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    pub kind: Kind,
    pub fields: &'static str,
    pub format: &'static str,
}

/// The sentences of a protocol section, in BSD's order; none for a section BSD does not
/// print here.
pub fn sentences(section: &str) -> impl Iterator<Item = Line> + '_ {
    SENTENCES
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(move |line| {
            let mut parts = line.splitn(4, '|');
            if parts.next()? != section {
                return None;
            }
            Some(Line {
                kind: Kind::parse(parts.next()?)?,
                fields: parts.next()?,
                format: parts.next()?,
            })
        })
}

/// Writes one section: `name:` and its sentences. `hide_zero` is `-ss`.
pub fn write_section(
    out: &mut impl Write,
    name: &str,
    counters: &[(String, u64)],
    hide_zero: bool,
) -> io::Result<()> {
    if sentences(name).next().is_none() {
        return Ok(());
    }
    let get = |field: &str| {
        counters
            .iter()
            .find(|(name, _)| name == field)
            .map(|&(_, value)| value)
    };
    let mut text = Vec::with_capacity(8192);
    text.extend_from_slice(name.as_bytes());
    text.extend_from_slice(b":\n");
    for Line {
        kind,
        fields,
        format,
    } in sentences(name)
    {
        if kind == Kind::Histogram {
            histogram(&mut text, counters, fields, format);
            continue;
        }
        let values = match kind {
            Kind::Delivered => {
                let Some([received, hdrops, badlen, badsum, noport, bcast, full]) = [
                    "ipackets",
                    "hdrops",
                    "badlen",
                    "badsum",
                    "noport",
                    "noportbcast",
                    "fullsock",
                ]
                .map(get)
                .into_iter()
                .collect::<Option<Vec<u64>>>()
                .and_then(|v| <[u64; 7]>::try_from(v).ok()) else {
                    continue;
                };
                let dropped = [hdrops, badlen, badsum, noport, bcast, full];
                vec![
                    dropped
                        .iter()
                        .fold(received, |left, d| left.wrapping_sub(*d)),
                ]
            }
            _ => match fields.split(',').map(get).collect::<Option<Vec<u64>>>() {
                Some(values) => values,
                None => continue,
            },
        };
        if hide_zero && values.iter().all(|&v| v == 0) {
            continue;
        }
        let args: Vec<Arg> = match (kind, values.as_slice()) {
            (Kind::P, &[n]) => vec![Arg::Num(n), Arg::Text(plural(n))],
            (Kind::Ies, &[n]) => vec![Arg::Num(n), Arg::Text(if n != 1 { "ies" } else { "y" })],
            (Kind::P2, &[a, b]) => vec![
                Arg::Num(a),
                Arg::Text(plural(a)),
                Arg::Num(b),
                Arg::Text(plural(b)),
            ],
            (Kind::P2a, &[a, b]) => vec![Arg::Num(a), Arg::Text(plural(a)), Arg::Num(b)],
            (Kind::Sum, &[a, b]) => vec![Arg::Num(a.wrapping_add(b))],
            (Kind::EndOf, _) => Vec::new(),
            (_, values) => values.iter().map(|&v| Arg::Num(v)).collect(),
        };
        printf(&mut text, format, &args);
    }
    out.write_all(&text)
}

/// ICMP's name of a message type (`icmpnames[]`, the last line of the sentences); `#N` past
/// its end, where BSD reads beyond the array.
fn icmp_type_name(index: usize) -> String {
    let names = SENTENCES
        .lines()
        .find_map(|line| line.strip_prefix("icmpnames|"))
        .unwrap_or_default();
    match names.split(',').nth(index) {
        Some(name) => name.to_string(),
        None => format!("#{index}"),
    }
}

/// A histogram: `title`, then a line per type with a count, in type order.
fn histogram(text: &mut Vec<u8>, counters: &[(String, u64)], field: &str, title: &str) {
    let prefix = format!("{field}[");
    let mut counts: Vec<(usize, u64)> = counters
        .iter()
        .filter_map(|(name, value)| {
            let index = name
                .strip_prefix(&prefix)?
                .strip_suffix(']')?
                .parse()
                .ok()?;
            (*value != 0).then_some((index, *value))
        })
        .collect();
    if counts.is_empty() {
        return;
    }
    counts.sort_unstable();
    printf(text, title, &[]);
    for (index, count) in counts {
        text.extend_from_slice(format!("\t\t{}: {count}\n", icmp_type_name(index)).as_bytes());
    }
}

/// BSD's `plural`: `s` only for more than one.
fn plural(n: u64) -> &'static str {
    if n > 1 { "s" } else { "" }
}

enum Arg {
    Num(u64),
    Text(&'static str),
}

/// The few conversions the sentences use: `%u`, `%llu`, `%d` and `%s`, in order; `%%`; and
/// the escapes `\t` and `\n`.
fn printf(text: &mut Vec<u8>, format: &str, args: &[Arg]) {
    let format = format.replace("\\t", "\t").replace("\\n", "\n");
    let mut args = args.iter();
    let mut rest = format.as_str();
    while let Some(at) = rest.find('%') {
        text.extend_from_slice(&rest.as_bytes()[..at]);
        rest = &rest[at + 1..];
        let spec_len = ["llu", "u", "d", "s", "%"]
            .iter()
            .find(|spec| rest.starts_with(**spec))
            .map_or(0, |spec| spec.len());
        if rest.starts_with('%') {
            text.push(b'%');
        } else {
            match args.next() {
                Some(Arg::Num(n)) => {
                    text.extend_from_slice(itoa::Buffer::new().format(*n).as_bytes())
                }
                Some(Arg::Text(s)) => text.extend_from_slice(s.as_bytes()),
                None => {}
            }
        }
        rest = &rest[spec_len..];
    }
    text.extend_from_slice(rest.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counters(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
        pairs.iter().map(|&(n, v)| (n.to_string(), v)).collect()
    }

    fn render(name: &str, pairs: &[(&str, u64)], hide_zero: bool) -> String {
        let mut out = Vec::new();
        write_section(&mut out, name, &counters(pairs), hide_zero).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn tcp_sentences_and_the_plural_rule() {
        // The sentences of spec §7 (inet.c): `plural` gives `s` only above 1.
        let text = render(
            "tcp",
            &[
                ("sndtotal", 2),
                ("sndpack", 1),
                ("sndbyte", 0),
                ("sndacks", 5),
                ("delack", 3),
                ("rcvtotal", 0),
                ("connattempt", 7),
            ],
            false,
        );
        assert_eq!(
            text,
            "tcp:\n\
             \t2 packets sent\n\
             \t\t1 data packet (0 byte)\n\
             \t\t5 ack-only packets (3 delayed)\n\
             \t0 packet received\n\
             \t7 connection requests\n"
        );
        let hidden = render("tcp", &[("sndtotal", 0), ("connattempt", 1)], true);
        assert_eq!(hidden, "tcp:\n\t1 connection request\n");
    }

    #[test]
    fn udp_delivered_sums_and_ip_forwarding() {
        let udp = render(
            "udp",
            &[
                ("ipackets", 100),
                ("hdrops", 1),
                ("badlen", 2),
                ("badsum", 3),
                ("nosum", 0),
                ("rcv_swcsum", 4),
                ("rcv6_swcsum", 5),
                ("noport", 4),
                ("noportbcast", 10),
                ("fullsock", 0),
                ("opackets", 1),
            ],
            false,
        );
        assert_eq!(
            udp,
            "udp:\n\
             \t100 datagrams received\n\
             \t\t1 with incomplete header\n\
             \t\t2 with bad data length field\n\
             \t\t3 with bad checksum\n\
             \t\t0 with no checksum\n\
             \t\t9 checksummed in software\n\
             \t\t4 dropped due to no socket\n\
             \t\t10 broadcast/multicast datagrams undelivered\n\
             \t\t0 dropped due to full socket buffers\n\
             \t\t80 delivered\n\
             \t1 datagram output\n"
        );
        let ip = render("ip", &[("forward", 3), ("fastforward", 2)], false);
        assert_eq!(
            ip,
            "ip:\n\t\t3 packets forwarded (2 packets fast forwarded)\n"
        );
        assert_eq!(
            render("icmp", &[("error", 1)], false),
            "icmp:\n\t1 call to icmp_error\n"
        );
        assert_eq!(render("igmp", &[("x", 1)], false), "");
    }

    #[test]
    fn every_sentence_has_as_many_conversions_as_its_kind_gives() {
        let mut parsed = 0;
        for section in ["tcp", "udp", "ip", "icmp"] {
            for Line {
                kind,
                fields,
                format,
            } in sentences(section)
            {
                parsed += 1;
                let counters = match kind {
                    Kind::Delivered => 0,
                    Kind::Histogram => 1,
                    Kind::P2 | Kind::P2a | Kind::Sum => 2,
                    _ => 1,
                };
                assert_eq!(
                    fields.split(',').filter(|f| !f.is_empty()).count(),
                    counters
                );
                let conversions = format.matches('%').count();
                let want = match kind {
                    Kind::P | Kind::Ies => 2,
                    Kind::P2 => 4,
                    Kind::P2a => 3,
                    Kind::Plain | Kind::Sum | Kind::Delivered => 1,
                    Kind::EndOf | Kind::Histogram => 0,
                };
                assert_eq!(conversions, want, "{section}: {format:?}");
            }
        }
        let lines = SENTENCES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("icmpnames|"))
            .count();
        assert_eq!(parsed, lines, "every line of sentences.txt parses");
    }
}
