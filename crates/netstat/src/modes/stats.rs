//! `netstat -s`: protocol counters. `-c` is ignored here, as in net-tools: one pass only.

use std::io::{self, Write};

use nettables::Error;
use nettables::counters::{self, CounterFile, Counters};

use crate::cli::args::{Args, OutputFormat};
use crate::output::Output;
use crate::render::stats::{Filter, StatsRenderer, TableSet};

pub fn run(args: &Args, out: &mut Output) -> super::Status {
    if args.format != OutputFormat::Text {
        return super::stats_json::run(args, out, &mut io::stderr(), counters::load);
    }
    statistics(args, out, &mut io::stderr(), counters::load)
}

/// The family list as given; it must be exactly `inet` (the default) or `inet6`.
pub(super) fn families(args: &Args) -> String {
    if args.families.is_empty() {
        "inet".to_string()
    } else {
        args.families.join(",")
    }
}

/// The sections `-t`, `-u`, `-w` and `-S` show.
pub(super) fn sections_shown(args: &Args) -> Filter {
    Filter {
        raw: args.tables.raw,
        tcp: args.tables.tcp,
        udp: args.tables.udp,
        sctp: args.tables.sctp,
    }
}

/// The whole mode with its sources injected, so that tests can feed it synthetic files.
fn statistics(
    args: &Args,
    out: &mut impl Write,
    err: &mut impl Write,
    load: impl Fn(CounterFile) -> nettables::Result<Counters>,
) -> super::Status {
    let families = families(args);
    let mut renderer = StatsRenderer::new(sections_shown(args));
    match families.as_str() {
        "inet" => inet(&mut renderer, out, err, &load)?,
        "inet6" => inet6(&mut renderer, out, err, &load)?,
        _ => {
            writeln!(
                out,
                "netstat: No statistics support for specified address family: {families}"
            )?;
            return Ok(1);
        }
    }
    Ok(0)
}

/// `/proc/net/snmp`, then `/proc/net/netstat` and `/proc/net/sctp/snmp` when they exist.
fn inet(
    renderer: &mut StatsRenderer,
    out: &mut impl Write,
    err: &mut impl Write,
    load: &impl Fn(CounterFile) -> nettables::Result<Counters>,
) -> io::Result<()> {
    for file in [
        CounterFile::Snmp,
        CounterFile::Netstat,
        CounterFile::SctpSnmp,
    ] {
        let counters = match load(file) {
            Ok(counters) => counters,
            Err(e) if not_opened(&e) && file == CounterFile::Snmp => {
                perror(err, &format!("cannot open {}", file.path()), &e);
                return Ok(());
            }
            // The optional files are silently skipped.
            Err(e) if not_opened(&e) => continue,
            Err(e) => {
                perror(err, file.path(), &e);
                continue;
            }
        };
        for section in &counters.sections {
            renderer.section(out, TableSet::Inet, section)?;
        }
        if counters.malformed {
            let _ = writeln!(err, "Problem while parsing {}", file.path());
        }
    }
    Ok(())
}

/// `/proc/net/snmp6`, then only the `Tcp` section of `/proc/net/snmp` (IPv4 and IPv6 combined).
fn inet6(
    renderer: &mut StatsRenderer,
    out: &mut impl Write,
    err: &mut impl Write,
    load: &impl Fn(CounterFile) -> nettables::Result<Counters>,
) -> io::Result<()> {
    for file in [CounterFile::Snmp6, CounterFile::Snmp] {
        let counters = match load(file) {
            Ok(counters) => counters,
            Err(e) if not_opened(&e) => {
                perror(err, &format!("cannot open {}", file.path()), &e);
                return Ok(());
            }
            Err(e) => {
                perror(err, file.path(), &e);
                continue;
            }
        };
        // net-tools matches the section name by prefix here, and does not report a malformed file.
        let sections = counters
            .sections
            .iter()
            .filter(|section| file == CounterFile::Snmp6 || section.name.starts_with("Tcp"));
        let set = match file {
            CounterFile::Snmp6 => TableSet::Inet6,
            _ => TableSet::Inet,
        };
        for section in sections {
            renderer.section(out, set, section)?;
        }
    }
    Ok(())
}

/// Whether the file could not be opened (net-tools' `fopen` failed), as opposed to read.
fn not_opened(e: &Error) -> bool {
    matches!(e, Error::NotAvailable { .. } | Error::Open { .. })
}

/// C's `perror(prefix)`. Like net-tools, a failure to write a message is ignored.
fn perror(err: &mut impl Write, prefix: &str, error: &Error) {
    let _ = writeln!(err, "{prefix}: {}", crate::text::reason(error));
}

#[cfg(test)]
mod tests {
    //! Golden tests: net-tools' own binary, with its `/proc/net/` strings rewritten to a
    //! directory of the same length, reads the same synthetic files as our renderer.

    use std::ffi::OsString;
    use std::path::{Path, PathBuf};
    use std::process::{Command, Stdio};

    use nettables::counters::parse;

    use super::*;
    use crate::render::stats::known_keys;

    const REFERENCE: &str = "/usr/bin/netstat";
    /// Same length as `/proc/net/`, relative to the reference's working directory.
    const FAKE: &str = "./fakenet/";

    /// One counter file: its path under `/proc/net/` and its text.
    type Files = Vec<(&'static str, Vec<u8>)>;
    /// The value of the n-th counter (from 1) in synthetic input.
    type Values = dyn Fn(usize) -> u64;
    /// Puts a section's keys in some order.
    type Reorder = dyn Fn(&mut Vec<&'static str>);

    struct Golden {
        dir: PathBuf,
    }

    impl Golden {
        /// A work directory named by `tag` with the rewritten binary. The binary is written by
        /// a child process: a writable descriptor held here would be inherited by the children
        /// other test threads fork, and executing the file would then fail with ETXTBSY.
        fn new(tag: &str) -> Golden {
            let mut binary = std::fs::read(REFERENCE).unwrap_or_else(|e| {
                panic!("the golden -s tests need net-tools ({REFERENCE}): {e}")
            });
            let dir =
                std::env::temp_dir().join(format!("nst-stats-golden-{}-{tag}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("golden dir");
            let mut rewritten = 0;
            let mut i = 0;
            while i + FAKE.len() <= binary.len() {
                if &binary[i..i + FAKE.len()] == b"/proc/net/" {
                    binary[i..i + FAKE.len()].copy_from_slice(FAKE.as_bytes());
                    rewritten += 1;
                }
                i += 1;
            }
            assert!(rewritten >= 4, "no /proc/net/ strings found in {REFERENCE}");
            let mut writer = Command::new("sh")
                .args(["-c", r#"cat > "$1" && chmod 755 "$1""#, "sh"])
                .arg(dir.join("netstat"))
                .stdin(Stdio::piped())
                .spawn()
                .expect("start sh");
            writer
                .stdin
                .take()
                .expect("sh stdin")
                .write_all(&binary)
                .expect("write golden binary");
            assert!(
                writer.wait().expect("wait for sh").success(),
                "write golden binary"
            );
            Golden { dir }
        }

        /// Runs net-tools on `files`; paths in its messages are mapped back to `/proc/net/`.
        fn reference(&self, files: &Files, flags: &[&str]) -> (String, String, i32) {
            let fake = self.dir.join(FAKE);
            let _ = std::fs::remove_dir_all(&fake);
            for (name, text) in files {
                let path = fake.join(name);
                std::fs::create_dir_all(path.parent().unwrap_or(Path::new("."))).expect("mkdir");
                std::fs::write(path, text).expect("write counter file");
            }
            std::fs::create_dir_all(&fake).expect("mkdir");
            let out = Command::new(self.dir.join("netstat"))
                .args(flags)
                .current_dir(&self.dir)
                .env("LC_ALL", "C")
                .output()
                .expect("run golden netstat");
            let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).replace(FAKE, "/proc/net/");
            (
                text(&out.stdout),
                text(&out.stderr),
                out.status.code().unwrap_or(-1),
            )
        }
    }

    impl Drop for Golden {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    fn ours(files: &Files, flags: &[&str]) -> (String, String, i32) {
        let words: Vec<OsString> = flags.iter().map(OsString::from).collect();
        let args = crate::cli::parse(&words).expect("flags parse");
        let load = |file: CounterFile| {
            let name = file.path().trim_start_matches("/proc/net/");
            match files.iter().find(|(n, _)| *n == name) {
                Some((_, text)) => Ok(parse(file, text)),
                None => Err(Error::NotAvailable {
                    what: file.path().into(),
                    source: io::Error::from_raw_os_error(libc::ENOENT),
                }),
            }
        };
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = statistics(&args, &mut out, &mut err, load).expect("write to memory");
        (
            String::from_utf8_lossy(&out).into_owned(),
            String::from_utf8_lossy(&err).into_owned(),
            code,
        )
    }

    /// The `-s` flag sets, one a line; the differential test of `tests/stats.rs` runs them too.
    const FLAG_SETS: &str = include_str!("../../tests/fixtures/stats_flags.txt");

    fn assert_golden(golden: &Golden, what: &str, files: &Files, flag_sets: &str) {
        let mut printed = false;
        for line in flag_sets.lines() {
            let flags: &[&str] = &line.split_whitespace().collect::<Vec<_>>();
            let reference = golden.reference(files, flags);
            let ours = ours(files, flags);
            printed |= !reference.0.is_empty();
            for (stream, a, b) in [
                ("stdout", &ours.0, &reference.0),
                ("stderr", &ours.1, &reference.1),
            ] {
                if let Some(line) = first_difference(a, b) {
                    panic!("{stream} of {flags:?} on {what} differs from net-tools at {line}\n{a}");
                }
            }
            assert_eq!(ours.2, reference.2, "status of {flags:?} on {what}");
        }
        assert!(printed, "{what}: net-tools printed nothing at all");
    }

    /// The first differing line, shown for both sides.
    fn first_difference(ours: &str, reference: &str) -> Option<String> {
        let (mut a, mut b) = (ours.split('\n'), reference.split('\n'));
        (1..).find_map(|n| match (a.next(), b.next()) {
            (None, None) => Some(None),
            (x, y) if x != y => Some(Some(format!("line {n}:\n  ours: {x:?}\n  ref:  {y:?}"))),
            _ => None,
        })?
    }

    /// Header/value pairs for `sections`, with values from `value(index)`.
    fn paired(sections: &[(&str, Vec<&str>)], value: &dyn Fn(usize) -> u64) -> Vec<u8> {
        let mut text = String::new();
        let mut index = 0;
        for (name, keys) in sections {
            let values: Vec<String> = keys
                .iter()
                .map(|_| {
                    index += 1;
                    value(index).to_string()
                })
                .collect();
            text += &format!("{name}: {}\n{name}: {}\n", keys.join(" "), values.join(" "));
        }
        text.into_bytes()
    }

    fn key_values(keys: &[&str], value: &dyn Fn(usize) -> u64) -> Vec<u8> {
        let lines: Vec<String> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| format!("{k:<32}{}\n", value(i + 1)))
            .collect();
        lines.concat().into_bytes()
    }

    /// Every key net-tools knows, plus keys and sections it does not, in the given order.
    fn synthetic(value: &dyn Fn(usize) -> u64, reorder: &Reorder) -> Files {
        let mut inet = known_keys(TableSet::Inet);
        let mut inet6 = known_keys(TableSet::Inet6);
        for (name, keys) in inet.iter_mut().chain(inet6.iter_mut()) {
            keys.push(match *name {
                "Ip" => "OutTransmits",
                "Icmp" => "InCsumErrors",
                "TcpExt" => "TCPBrandNew",
                "Sctp" => "SctpT1InitExpireds",
                "Ip6" => "Ip6InOctets",
                "Icmp6" => "Icmp6InType1",
                "Udp6" => "Udp6IgnoredMulti",
                _ => "InCsumErrors",
            });
            reorder(keys);
        }
        let section = |name: &str| -> (&'static str, Vec<&'static str>) {
            inet.iter()
                .find(|(n, _)| *n == name)
                .cloned()
                .unwrap_or_default()
        };
        let v6 = |name: &str| -> Vec<&'static str> {
            inet6
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, keys)| keys.clone())
                .unwrap_or_default()
        };
        let snmp = paired(
            &[
                section("Ip"),
                section("Icmp"),
                ("IcmpMsg", vec!["InType3", "OutType0", "OutType3"]),
                section("Tcp"),
                section("Udp"),
                ("UdpLite", section("Udp").1),
                ("TcpFuture", vec!["Thing"]),
            ],
            value,
        );
        let netstat = paired(
            &[
                section("TcpExt"),
                ("IpExt", vec!["InOctets", "OutOctets"]),
                ("MPTcpExt", vec!["MPCapableSYNRX"]),
            ],
            &|i| value(i + 500),
        );
        let mut snmp6 = [
            v6("Ip6"),
            v6("Icmp6"),
            v6("Udp6"),
            vec!["UdpLite6InDatagrams", "UdpLite6NoPorts"],
        ]
        .concat();
        snmp6.push("Tcp6Future");
        let sctp = section("Sctp").1;
        vec![
            ("snmp", snmp),
            ("netstat", netstat),
            ("snmp6", key_values(&snmp6, &|i| value(i + 900))),
            ("sctp/snmp", key_values(&sctp, value)),
        ]
    }

    #[test]
    #[ignore = "needs net-tools (/usr/bin/netstat)"]
    fn golden_every_key_in_several_orders_and_value_patterns() {
        let golden = Golden::new("every-key");
        let patterns: [(&str, &Values); 4] = [
            ("non-zero", &|i| i as u64),
            ("zero", &|_| 0),
            ("mixed", &|i| if i % 3 == 0 { 0 } else { (i * 7) as u64 }),
            ("huge", &|i| {
                if i % 2 == 0 { u64::MAX - i as u64 } else { 0 }
            }),
        ];
        let orders: [(&str, &Reorder); 3] = [
            ("table order", &|_| {}),
            ("reversed", &|keys| keys.reverse()),
            ("rotated", &|keys| {
                let mid = keys.len() / 2;
                keys.rotate_left(mid);
            }),
        ];
        for (pattern, value) in patterns {
            for (order, reorder) in orders {
                let files = synthetic(value, reorder);
                assert_golden(
                    &golden,
                    &format!("{pattern} values, {order}"),
                    &files,
                    FLAG_SETS,
                );
            }
        }
    }

    #[test]
    #[ignore = "needs net-tools (/usr/bin/netstat)"]
    fn golden_live_counters() {
        let golden = Golden::new("live");
        let mut files = Files::new();
        for name in ["snmp", "netstat", "snmp6", "sctp/snmp"] {
            if let Ok(text) = std::fs::read(format!("/proc/net/{name}")) {
                files.push((name, text));
            }
        }
        assert_golden(&golden, "live /proc/net", &files, FLAG_SETS);
    }

    #[test]
    #[ignore = "needs net-tools (/usr/bin/netstat)"]
    fn golden_hostile_and_missing_files() {
        let golden = Golden::new("hostile");
        let snmp: &[u8] = b"Ip: Forwarding InReceives InDelivers\nIp: 1 2\n\
            Icmp: InMsgs OutMsgs InDestUnreachs\nIcmp: 5 x 9\n\
            Tcp: ActiveOpens PassiveOpens CurrEstab\nTcp: 99999999999999999999999 -3 12abc 4\n\
            \nUdp:\tInDatagrams\t NoPorts\nUdp: +7\t8 9 10\nTcpOdd: A\n";
        let malformed: &[u8] =
            b"Ip: InReceives\nIp: 1\nTcp ActiveOpens\nTcp: 3\nUdp: InDatagrams\nUdp: 4\n";
        let snmp6: &[u8] =
            b"Ip6InReceives 3\nIcmp6InMsgs 2\nIcmp6OutRouterAdvertisements 5\nUdpLite6InErrors 1\n";
        let cases: Vec<(&str, Files)> = vec![
            ("hostile snmp", vec![("snmp", snmp.to_vec())]),
            (
                "malformed snmp",
                vec![
                    ("snmp", malformed.to_vec()),
                    ("netstat", malformed.to_vec()),
                ],
            ),
            (
                "no snmp",
                vec![
                    ("netstat", b"TcpExt: TW\nTcpExt: 1\n".to_vec()),
                    ("snmp6", snmp6.to_vec()),
                ],
            ),
            ("no snmp6", vec![("snmp", snmp.to_vec())]),
            (
                "empty files",
                vec![
                    ("snmp", Vec::new()),
                    ("snmp6", Vec::new()),
                    ("sctp/snmp", Vec::new()),
                ],
            ),
            (
                "snmp6 only",
                vec![("snmp6", snmp6.to_vec()), ("snmp", malformed.to_vec())],
            ),
        ];
        for (what, files) in cases {
            assert_golden(&golden, what, &files, FLAG_SETS);
        }
    }
}
