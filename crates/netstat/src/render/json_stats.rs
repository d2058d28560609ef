//! `-s` as JSON: one object whose keys are the kernel's section names (`Ip`, `Tcp`, `TcpExt`,
//! `Ip6`, ...), each an object of the kernel's counter names and values. `-t`, `-u`, `-w` and
//! `-S` pick sections as they do for the text; `--all-netns` adds a `netns` key.

use std::io::{self, Write};

use nettables::counters::{CounterFile, CounterSection, Counters};
use serde::ser::{Serialize, SerializeMap, Serializer};

use super::json::{self, Sink};
use super::stats::{Filter, StatsRenderer, TableSet};
use crate::cli::args::{Args, Netns};

/// Loads the counter files `-s` reads (through `load`, so tests can feed text) and writes them.
/// Returns the exit status; an unusable family list or a missing `/proc/net/snmp` (or
/// `snmp6`) is an error, reported on stderr.
pub fn write(
    args: &Args,
    out: &mut impl Sink,
    err: &mut impl Write,
    load: impl Fn(CounterFile) -> nettables::Result<Counters>,
) -> io::Result<i32> {
    let families = if args.families.is_empty() {
        "inet".to_string()
    } else {
        args.families.join(",")
    };
    let (set, files): (TableSet, &[CounterFile]) = match families.as_str() {
        "inet" => (
            TableSet::Inet,
            &[
                CounterFile::Snmp,
                CounterFile::Netstat,
                CounterFile::SctpSnmp,
            ],
        ),
        "inet6" => (TableSet::Inet6, &[CounterFile::Snmp6, CounterFile::Snmp]),
        _ => {
            writeln!(
                err,
                "netstat: No statistics support for specified address family: {families}"
            )?;
            return Ok(1);
        }
    };
    let filter = StatsRenderer::new(Filter {
        raw: args.tables.raw,
        tcp: args.tables.tcp,
        udp: args.tables.udp,
        sctp: args.tables.sctp,
    });
    let mut loaded = Vec::new();
    for (i, &file) in files.iter().enumerate() {
        match load(file) {
            Ok(counters) => loaded.push((file, counters)),
            // The first file is the one every answer needs; the others may be absent.
            Err(e) if i == 0 => {
                let text = crate::text::reason(&e);
                writeln!(err, "netstat: cannot read {}: {text}", file.path())?;
                return Ok(1);
            }
            Err(_) => {}
        }
    }
    let filter = &filter;
    let sections: Vec<&CounterSection> = loaded
        .iter()
        .flat_map(|(file, counters)| {
            // With inet6, /proc/net/snmp contributes only its Tcp section, as in the text.
            let tcp_only = set == TableSet::Inet6 && *file == CounterFile::Snmp;
            let file_set = if tcp_only { TableSet::Inet } else { set };
            counters
                .sections
                .iter()
                .filter(move |s| !tcp_only || s.name == "Tcp")
                .filter(move |s| filter.shows_section(file_set, &s.name))
        })
        .collect();
    let document = Statistics {
        netns: args.netns_label.as_deref(),
        sections: &sections,
    };
    if args.netns == Netns::All {
        json::record(out, args.format, &document)?;
    } else {
        json::document(out, &document)?;
    }
    Ok(0)
}

struct Statistics<'a> {
    netns: Option<&'a str>,
    sections: &'a [&'a CounterSection],
}

impl Serialize for Statistics<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(netns) = self.netns {
            map.serialize_entry("netns", netns)?;
        }
        for section in self.sections {
            map.serialize_entry(&section.name, &Section(section))?;
        }
        map.end()
    }
}

struct Section<'a>(&'a CounterSection);

impl Serialize for Section<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.counters.len()))?;
        for (key, value) in &self.0.counters {
            map.serialize_entry(key, &Value(*value))?;
        }
        map.end()
    }
}

/// The parser keeps values modulo 2^64; the kernel's few negative ones (`MaxConn -1`) become
/// negative again.
struct Value(u64);

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match i64::try_from(self.0) {
            Ok(v) => serializer.serialize_i64(v),
            Err(_) => serializer.serialize_i64(self.0 as i64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::{OutputFormat, Tables};
    use crate::render::json::tests::Memory;
    use nettables::counters::parse;
    use serde_json::json;

    fn all_tables() -> Tables {
        Tables {
            tcp: true,
            udp: true,
            raw: true,
            sctp: true,
            ..Tables::default()
        }
    }

    fn run(args: &Args, files: &[(CounterFile, &str)]) -> (serde_json::Value, String, i32) {
        let mut out = Memory::default();
        let mut err = Vec::new();
        let load = |file: CounterFile| match files.iter().find(|(f, _)| *f == file) {
            Some((_, text)) => Ok(parse(file, text.as_bytes())),
            None => Err(nettables::Error::NotAvailable {
                what: file.path().into(),
                source: io::Error::from_raw_os_error(libc::ENOENT),
            }),
        };
        let code = write(args, &mut out, &mut err, load).unwrap();
        let value = serde_json::from_slice(&out.bytes).unwrap_or(serde_json::Value::Null);
        (value, String::from_utf8(err).unwrap(), code)
    }

    const SNMP: &str = "Ip: Forwarding DefaultTTL\nIp: 1 64\nTcp: RtoMin MaxConn\nTcp: 200 -1\nUdp: InDatagrams\nUdp: 5\n";

    #[test]
    fn sections_are_objects_of_counters() {
        let args = Args {
            format: OutputFormat::Json,
            tables: all_tables(),
            ..Args::default()
        };
        let netstat = "TcpExt: SyncookiesSent\nTcpExt: 3\n";
        let (v, err, code) = run(
            &args,
            &[(CounterFile::Snmp, SNMP), (CounterFile::Netstat, netstat)],
        );
        assert_eq!((err.as_str(), code), ("", 0));
        assert_eq!(
            v,
            json!({"Ip": {"Forwarding": 1, "DefaultTTL": 64}, "Tcp": {"RtoMin": 200, "MaxConn": -1},
                   "Udp": {"InDatagrams": 5}, "TcpExt": {"SyncookiesSent": 3}})
        );
    }

    #[test]
    fn filters_and_families_follow_the_text() {
        let tcp = Tables {
            tcp: true,
            ..Tables::default()
        };
        let args = Args {
            format: OutputFormat::Json,
            tables: tcp,
            ..Args::default()
        };
        let (v, _, _) = run(&args, &[(CounterFile::Snmp, SNMP)]);
        assert_eq!(v, json!({"Tcp": {"RtoMin": 200, "MaxConn": -1}}));

        let six = Args {
            families: vec!["inet6"],
            ..Args {
                tables: all_tables(),
                ..args.clone()
            }
        };
        let (v, _, _) = run(
            &six,
            &[
                (CounterFile::Snmp6, "Ip6InReceives 7\nUdp6InErrors 1\n"),
                (CounterFile::Snmp, SNMP),
            ],
        );
        assert_eq!(
            v,
            json!({"Ip6": {"Ip6InReceives": 7}, "Udp6": {"Udp6InErrors": 1}, "Tcp": {"RtoMin": 200, "MaxConn": -1}})
        );

        let bad = Args {
            families: vec!["unix"],
            ..args.clone()
        };
        let (v, err, code) = run(&bad, &[]);
        assert_eq!((v, code), (serde_json::Value::Null, 1));
        assert!(err.contains("No statistics support for specified address family: unix"));

        let (_, err, code) = run(&args, &[]);
        assert_eq!(code, 1);
        assert!(
            err.starts_with("netstat: cannot read /proc/net/snmp: "),
            "{err}"
        );
    }
}
