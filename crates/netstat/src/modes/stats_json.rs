//! `netstat -s --json`: the counter files of `-s`, loaded and picked as for the text, written
//! as one object of sections (see `render::json_stats`).

use std::io::Write;

use nettables::counters::{CounterFile, CounterSection, Counters};

use super::listing;
use super::stats::{families, sections_shown};
use crate::cli::args::{Args, Netns};
use crate::render::json::Sink;
use crate::render::json_stats;
use crate::render::stats::{StatsRenderer, TableSet};

/// Loads the files (through `load`, so tests can feed text) and writes them. An unusable
/// family list, or a missing `/proc/net/snmp` (`snmp6` with `-6`), is reported on stderr and
/// fails the run.
pub fn run(
    args: &Args,
    out: &mut impl Sink,
    err: &mut impl Write,
    load: impl Fn(CounterFile) -> nettables::Result<Counters>,
) -> super::Status {
    let families = families(args);
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
    let shown = StatsRenderer::new(sections_shown(args));
    let sections: Vec<&CounterSection> = loaded
        .iter()
        .flat_map(|(file, counters)| {
            // With inet6, /proc/net/snmp contributes only its Tcp section, as in the text.
            let tcp_only = set == TableSet::Inet6 && *file == CounterFile::Snmp;
            let file_set = if tcp_only { TableSet::Inet } else { set };
            let shown = &shown;
            counters
                .sections
                .iter()
                .filter(move |s| !tcp_only || s.name == "Tcp")
                .filter(move |s| shown.shows_section(file_set, &s.name))
        })
        .collect();
    let options = listing::json_options(args);
    json_stats::write(out, options, &sections, args.netns == Netns::All)?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::{OutputFormat, Tables};
    use crate::render::json::tests::Memory;
    use nettables::counters::parse;
    use serde_json::json;
    use std::io;

    fn all_tables() -> Tables {
        Tables {
            tcp: true,
            udp: true,
            raw: true,
            sctp: true,
            ..Tables::default()
        }
    }

    fn run_on(args: &Args, files: &[(CounterFile, &str)]) -> (serde_json::Value, String, i32) {
        let mut out = Memory::default();
        let mut err = Vec::new();
        let load = |file: CounterFile| match files.iter().find(|(f, _)| *f == file) {
            Some((_, text)) => Ok(parse(file, text.as_bytes())),
            None => Err(nettables::Error::NotAvailable {
                what: file.path().into(),
                source: io::Error::from_raw_os_error(libc::ENOENT),
            }),
        };
        let code = run(args, &mut out, &mut err, load).unwrap();
        let value = serde_json::from_slice(&out.bytes).unwrap_or(serde_json::Value::Null);
        (value, String::from_utf8(err).unwrap(), code)
    }

    const SNMP: &str = "Ip: Forwarding DefaultTTL\nIp: 1 64\nTcp: RtoMin MaxConn\nTcp: 200 -1\nUdp: InDatagrams\nUdp: 5\n";

    #[test]
    fn every_file_of_the_family_is_read() {
        let args = Args {
            format: OutputFormat::Json,
            tables: all_tables(),
            ..Args::default()
        };
        let netstat = "TcpExt: SyncookiesSent\nTcpExt: 3\n";
        let (v, err, code) = run_on(
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
        let (v, _, _) = run_on(&args, &[(CounterFile::Snmp, SNMP)]);
        assert_eq!(v, json!({"Tcp": {"RtoMin": 200, "MaxConn": -1}}));

        let six = Args {
            families: vec!["inet6"],
            tables: all_tables(),
            ..args.clone()
        };
        let (v, _, _) = run_on(
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
        let (v, err, code) = run_on(&bad, &[]);
        assert_eq!((v, code), (serde_json::Value::Null, 1));
        assert!(err.contains("No statistics support for specified address family: unix"));

        let (_, err, code) = run_on(&args, &[]);
        assert_eq!(code, 1);
        assert!(
            err.starts_with("netstat: cannot read /proc/net/snmp: "),
            "{err}"
        );
    }
}
