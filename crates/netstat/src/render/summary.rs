//! `--summary` as text (the `ss -s` block byte for byte, then our sections) or as one JSON record.

use std::io::{self, Write};
use std::net::IpAddr;

use nettables::inet::State;
use nettables::sockstat::Sockstat;
use serde::Serialize;

use super::json::JsonOptions;
use super::json::{self, Text};
use crate::output::Output;
use crate::output::OutputFormat;

/// Everything the summary shows.
#[derive(Debug, Default)]
pub struct Summary {
    pub stat: Sockstat,
    /// TCP `CurrEstab` from `/proc/net/snmp`.
    pub established: Option<u64>,
    /// (protocol label, state, sockets), in table order then state order; only non-zero counts.
    pub states: Vec<(&'static str, State, u64)>,
    /// The processes holding the most Internet sockets, most first.
    pub top: Vec<TopProcess>,
    /// Some processes' descriptors could not be read, so `top` may miss some.
    pub owners_denied: bool,
    /// Listeners grouped by local address, in address order.
    pub listeners: Vec<Listeners>,
}

#[derive(Debug)]
pub struct TopProcess {
    pub pid: u32,
    pub argv0: Box<[u8]>,
    pub sockets: u64,
}

/// The listening sockets of one local address: (protocol label, port), sorted.
#[derive(Debug)]
pub struct Listeners {
    pub address: IpAddr,
    pub sockets: Vec<(&'static str, u16)>,
}

/// The transport table: name, IPv4 count, IPv6 count (ss counts UDP without UDP-Lite).
fn transport(stat: &Sockstat) -> [(&'static str, u64, u64); 5] {
    let v4 = stat
        .raw
        .inuse
        .saturating_add(stat.udp.inuse)
        .saturating_add(stat.tcp.inuse);
    let v6 = stat
        .raw6
        .inuse
        .saturating_add(stat.udp6.inuse)
        .saturating_add(stat.tcp6.inuse);
    [
        ("RAW", stat.raw.inuse, stat.raw6.inuse),
        ("UDP", stat.udp.inuse, stat.udp6.inuse),
        ("TCP", stat.tcp.inuse, stat.tcp6.inuse),
        ("INET", v4, v6),
        ("FRAG", stat.frag.inuse, stat.frag6.inuse),
    ]
}

/// Writes the summary as text, or as one JSON record (`options.format`).
pub fn write(out: &mut Output, options: JsonOptions<'_>, summary: &Summary) -> io::Result<()> {
    match options.format {
        OutputFormat::Text => write_text(out, summary),
        OutputFormat::Json | OutputFormat::JsonLines => {
            json::record(out, options.format, &Record::new(options, summary))
        }
    }
}

fn write_text(out: &mut impl Write, summary: &Summary) -> io::Result<()> {
    let stat = &summary.stat;
    writeln!(out, "Total: {}", stat.sockets_used)?;
    writeln!(
        out,
        "TCP:   {} (estab {}, closed {}, orphaned {}, timewait {})",
        stat.tcp_total(),
        summary.established.unwrap_or(0),
        stat.tcp_closed(),
        stat.tcp.orphan,
        stat.tcp.tw
    )?;
    writeln!(out, "\nTransport Total     IP        IPv6")?;
    for (name, v4, v6) in transport(stat) {
        writeln!(
            out,
            "{name}\t  {:<9} {v4:<9} {v6:<9}",
            v4.saturating_add(v6)
        )?;
    }
    writeln!(out)?;

    writeln!(out, "Sockets by protocol and state:")?;
    if summary.states.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for &(proto, state, count) in &summary.states {
        let name = super::inet::tcp_state(state);
        writeln!(out, "  {proto:<9}{name:<12} {count:>9}")?;
    }

    writeln!(out, "\nProcesses holding the most Internet sockets:")?;
    if summary.owners_denied {
        writeln!(
            out,
            "  (not all processes could be read; run as root to see them all)"
        )?;
    }
    writeln!(out, "  {:>9} {:>9}  Program", "PID", "Sockets")?;
    for top in &summary.top {
        write!(out, "  {:>9} {:>9}  ", top.pid, top.sockets)?;
        crate::text::write_sanitized(out, &top.argv0)?;
        writeln!(out)?;
    }

    writeln!(out, "\nListeners by local address:")?;
    if summary.listeners.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for group in &summary.listeners {
        let mut address = Vec::new();
        json::push_plain(&mut address, group.address);
        write!(
            out,
            "  {:<39} {:>5} ",
            json::ascii(&address),
            group.sockets.len()
        )?;
        for (i, (proto, port)) in group.sockets.iter().enumerate() {
            let same_proto = i > 0 && group.sockets[i - 1].0 == *proto;
            if same_proto {
                write!(out, ",{port}")?;
            } else {
                write!(out, " {proto}:{port}")?;
            }
        }
        writeln!(out)?;
    }
    Ok(())
}

/// The JSON record.
#[derive(Serialize)]
struct Record<'a> {
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    origin: Option<json::Origin<'a>>,
    sockets_used: u64,
    tcp: TcpTotals,
    transport: Vec<TransportRow>,
    states: Vec<StateCount>,
    top_processes: Vec<ProcessCount<'a>>,
    /// Whether `top_processes` may miss processes whose descriptors could not be read.
    processes_incomplete: bool,
    listeners: Vec<ListenerGroup>,
}

#[derive(Serialize)]
struct TcpTotals {
    total: u64,
    /// Null when `/proc/net/snmp` had no `Tcp: CurrEstab`.
    established: Option<u64>,
    closed: i64,
    orphaned: u64,
    timewait: u64,
}

#[derive(Serialize)]
struct TransportRow {
    transport: &'static str,
    total: u64,
    ipv4: u64,
    ipv6: u64,
}

#[derive(Serialize)]
struct StateCount {
    proto: &'static str,
    state: &'static str,
    count: u64,
}

#[derive(Serialize)]
struct ProcessCount<'a> {
    pid: u32,
    program: Text<'a>,
    sockets: u64,
}

#[derive(Serialize)]
struct ListenerGroup {
    address: String,
    count: usize,
    sockets: Vec<ListenerSocket>,
}

#[derive(Serialize)]
struct ListenerSocket {
    proto: &'static str,
    port: u16,
}

impl<'a> Record<'a> {
    fn new(options: JsonOptions<'a>, summary: &'a Summary) -> Record<'a> {
        let stat = &summary.stat;
        Record {
            origin: options.origin,
            sockets_used: stat.sockets_used,
            tcp: TcpTotals {
                total: stat.tcp_total(),
                established: summary.established,
                closed: stat.tcp_closed(),
                orphaned: stat.tcp.orphan,
                timewait: stat.tcp.tw,
            },
            transport: transport(stat)
                .into_iter()
                .map(|(name, ipv4, ipv6)| TransportRow {
                    transport: name,
                    total: ipv4.saturating_add(ipv6),
                    ipv4,
                    ipv6,
                })
                .collect(),
            states: summary
                .states
                .iter()
                .map(|&(proto, state, count)| StateCount {
                    proto,
                    state: super::inet::tcp_state(state),
                    count,
                })
                .collect(),
            top_processes: summary
                .top
                .iter()
                .map(|top| ProcessCount {
                    pid: top.pid,
                    program: Text(&top.argv0),
                    sockets: top.sockets,
                })
                .collect(),
            processes_incomplete: summary.owners_denied,
            listeners: summary
                .listeners
                .iter()
                .map(|group| {
                    let mut address = Vec::new();
                    json::push_plain(&mut address, group.address);
                    ListenerGroup {
                        address: json::ascii(&address).to_string(),
                        count: group.sockets.len(),
                        sockets: group
                            .sockets
                            .iter()
                            .map(|&(proto, port)| ListenerSocket { proto, port })
                            .collect(),
                    }
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nettables::sockstat;

    fn summary() -> Summary {
        let stat = sockstat::parse(
            b"sockets: used 47\nTCP: inuse 13 orphan 2 tw 13 alloc 400132 mem 210\nUDP: inuse 5 mem 3\nUDPLITE: inuse 1\nRAW: inuse 2\nFRAG: inuse 0 memory 0\n",
            Some(b"TCP6: inuse 10\nUDP6: inuse 2\nUDPLITE6: inuse 0\nRAW6: inuse 1\nFRAG6: inuse 0 memory 0\n"),
        );
        Summary {
            stat,
            established: Some(11),
            states: vec![("tcp", State::LISTEN, 2), ("udp6", State::CLOSE, 1)],
            top: vec![TopProcess {
                pid: 42,
                argv0: b"evil\x1b[2J".as_slice().into(),
                sockets: 3,
            }],
            owners_denied: false,
            listeners: vec![Listeners {
                address: "0.0.0.0".parse().unwrap(),
                sockets: vec![("tcp", 22), ("tcp", 80), ("udp", 53)],
            }],
        }
    }

    #[test]
    fn text_starts_with_the_ss_block() {
        let mut out = Vec::new();
        write_text(&mut out, &summary()).unwrap();
        let text = String::from_utf8(out).unwrap();
        // The example of spec section 10.1.
        let ss = "Total: 47\nTCP:   400145 (estab 11, closed 400122, orphaned 2, timewait 13)\n\n\
                  Transport Total     IP        IPv6\n\
                  RAW\t  3         2         1        \n\
                  UDP\t  7         5         2        \n\
                  TCP\t  23        13        10       \n\
                  INET\t  33        20        13       \n\
                  FRAG\t  0         0         0        \n\n";
        assert!(text.starts_with(ss), "{text}");
        assert!(
            text.contains(
                "\n  tcp      LISTEN               2\n  udp6     CLOSE                1\n"
            ),
            "{text}"
        );
        assert!(text.contains("         42         3  evil?[2J\n"), "{text}");
        assert!(
            text.contains("  0.0.0.0                                     3  tcp:22,80 udp:53\n"),
            "{text}"
        );
    }

    #[test]
    fn json_record() {
        let summary = summary();
        let v = serde_json::to_value(Record::new(JsonOptions::default(), &summary)).unwrap();
        assert_eq!(v["tcp"]["total"], 400145);
        assert_eq!(v["tcp"]["closed"], 400122);
        assert_eq!(
            v["transport"][3],
            serde_json::json!({"transport": "INET", "total": 33, "ipv4": 20, "ipv6": 13})
        );
        assert_eq!(
            v["states"][1],
            serde_json::json!({"proto": "udp6", "state": "CLOSE", "count": 1})
        );
        assert_eq!(v["top_processes"][0]["program"], "evil\u{1b}[2J");
        assert_eq!(
            v["listeners"][0]["sockets"][2],
            serde_json::json!({"proto": "udp", "port": 53})
        );
        assert!(v.get("netns").is_none());
    }
}
