//! BSD netstat's command line (spec §1), read as macOS's `getopt` reads it: single letters
//! after `-`, alone or run together (`-anv`); a letter that takes a value takes the rest of
//! its word or the next word (`-finet`, `-f inet`); `--` or the first word that is not an
//! option ends the options. A trailing number is the interval (`netstat 5` = `-w 5`), as up
//! to `network_cmds-730`. Our own long options (`--help`, `--version`, and those of
//! [`crate::extensions`]: `--json`, `--json-lines`, `--filter EXPR`) are kept, spelled in full,
//! anywhere among the options; `--filter`'s value is the next word or follows `=`.
//!
//! Errors are BSD's: an unknown letter prints `netstat: illegal option -- X` and the usage,
//! exit status 1; `netstat: foo: unknown address family` and `netstat: foo: unknown or
//! uninstrumented protocol`, status 1. Where BSD's behaviour is not ours we choose, and say
//! so: a letter BSD knows and we do not implement (`-m`, `-g`, `-q` ...) is refused with its
//! name and status 1 rather than ignored; an interval must be a whole number of seconds, 1 or
//! more (BSD's `atoi` reads `5x` as 5); words after the interval are refused (BSD ignores
//! them); `-p` takes the well-known names only, not aliases from `/etc/protocols`.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;

use crate::extensions::{self, Given, LongOption};

/// A BSD option we implement: its letter, the value it takes, and its help text.
pub struct BsdOption {
    pub letter: u8,
    pub value_name: Option<&'static str>,
    pub doc: &'static str,
}

/// The options, defined once: the parser and the help text both read this table.
pub const OPTIONS: &[BsdOption] = &[
    opt(
        b'a',
        "listening sockets too; with -r, protocol-cloned routes",
    ),
    opt(
        b'A',
        "the kernel's socket address and flow hash of each socket",
    ),
    opt(b'b', "byte counters (with -i; with sockets, per socket)"),
    value(b'f', "FAMILY", "one address family: inet, inet6 or unix"),
    opt(b'i', "the interface table"),
    value(b'I', "IF", "the interface table of one interface"),
    opt(
        b'l',
        "full IPv6 addresses; with -r, more route columns (-ll, -lll)",
    ),
    opt(b'L', "listen queues (qlen/incqlen/maxqlen)"),
    opt(b'n', "addresses and ports as numbers"),
    value(
        b'p',
        "PROTO",
        "one protocol: tcp or udp; with -s also ip or icmp",
    ),
    opt(b'r', "the routing tables"),
    opt(b's', "per-protocol statistics (-ss: without zero counters)"),
    opt(b'u', "UNIX domain sockets only (as -f unix)"),
    opt(
        b'v',
        "verbose; with sockets, the socket layer's fields (-vv: more)",
    ),
    opt(b'W', "IPv4 addresses and route columns not truncated"),
    value(b'w', "WAIT", "repeat every WAIT seconds"),
];

/// Letters BSD netstat knows that this one does not implement; refused by name.
const BSD_ONLY: &[(u8, &str)] = &[
    (b'B', "BPF statistics"),
    (b'c', "queue statistics"),
    (b'd', "dropped packets"),
    (b'F', "forwarded packets"),
    (b'g', "multicast memberships"),
    (b'k', "interface send-queue statistics"),
    (b'm', "mbuf statistics"),
    (b'P', "traffic-class columns"),
    (b'q', "interface send-queue statistics"),
    (b'Q', "interface receive-poll statistics"),
    (b'R', "interface reachability"),
    (b'S', "link status"),
    (b't', "the interface watchdog timer"),
    (b'x', "extended interface reachability"),
    (b'z', "route filtering by RTT"),
];

/// Letters of `BSD_ONLY` that take a value, as in BSD's option string.
const BSD_ONLY_WITH_VALUE: &[u8] = b"cP";

const fn opt(letter: u8, doc: &'static str) -> BsdOption {
    BsdOption {
        letter,
        value_name: None,
        doc,
    }
}

const fn value(letter: u8, value_name: &'static str, doc: &'static str) -> BsdOption {
    BsdOption {
        letter,
        value_name: Some(value_name),
        doc,
    }
}

/// BSD's usage text (spec §1), as `usage()` writes it to stderr: TAB-indented continuation
/// lines and an empty line at the end.
pub const USAGE: &str = "Usage:\tnetstat [-AaLlnW] [-f address_family | -p protocol]\n\
\tnetstat [-gilns] [-f address_family]\n\
\tnetstat -i | -I interface [-w wait] [-abdgRtS]\n\
\tnetstat -s [-s] [-f address_family | -p protocol] [-w wait]\n\
\tnetstat -i | -I interface -s [-f address_family | -p protocol]\n\
\tnetstat -m [-m]\n\
\tnetstat -r [-Aaln] [-f address_family]\n\
\tnetstat -rs [-s]\n\n";

/// A `-f` address family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressFamily {
    Inet,
    Inet6,
    /// `unix` (and `-u`): the Unix-domain section only.
    Unix,
    /// One BSD knows (`systm`, `vsock`, `ipx`, `pfkey`) and this netstat does not list.
    Other(&'static str),
}

impl AddressFamily {
    fn parse(word: &OsStr) -> Option<AddressFamily> {
        Some(match word.to_str()? {
            "inet" => AddressFamily::Inet,
            "inet6" => AddressFamily::Inet6,
            "unix" => AddressFamily::Unix,
            "systm" => AddressFamily::Other("systm"),
            "vsock" => AddressFamily::Other("vsock"),
            "ipx" => AddressFamily::Other("ipx"),
            "pfkey" => AddressFamily::Other("pfkey"),
            _ => return None,
        })
    }
}

/// A `-p` protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proto {
    Tcp,
    Udp,
    /// `ip` and `icmp`: statistics only here (BSD also lists their raw sockets).
    Ip,
    Icmp,
    /// A name BSD knows (`igmp`, `mptcp`, `ip6` ...) that this netstat does not instrument.
    Other(&'static str),
}

impl Proto {
    fn parse(word: &OsStr) -> Option<Proto> {
        const OTHERS: &[&str] = &[
            "divert",
            "igmp",
            "arp",
            "mptcp",
            "ip6",
            "icmp6",
            "rip6",
            "ipsec",
            "ipsec6",
            "pfkey",
            "reg",
            "kevt",
            "kctl",
            "nstat",
            "xbkidle",
            "net_api",
            "if_ports_used",
            "link_heuristics",
            "vsock",
            "vsock_private",
            "unix",
        ];
        let word = word.to_str()?;
        Some(match word {
            "tcp" => Proto::Tcp,
            "udp" => Proto::Udp,
            "ip" => Proto::Ip,
            "icmp" => Proto::Icmp,
            _ => Proto::Other(OTHERS.iter().find(|&&known| known == word)?),
        })
    }
}

/// What the command line asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BsdArgs {
    /// `-a`.
    pub all: bool,
    /// `-A`.
    pub pcb: bool,
    /// `-b`.
    pub bytes: bool,
    /// `-f`.
    pub family: Option<AddressFamily>,
    /// `-i`, `-I`, `-w` or a trailing interval.
    pub interfaces: bool,
    /// `-I IF`.
    pub interface: Option<OsString>,
    /// `-l`, counted.
    pub long: u8,
    /// `-L`.
    pub listen_queues: bool,
    /// `-n`.
    pub numeric: bool,
    /// `-p`.
    pub protocol: Option<Proto>,
    /// `-r`.
    pub routes: bool,
    /// `-s`, counted.
    pub statistics: u8,
    /// `-v`, counted.
    pub verbose: u8,
    /// `-W`.
    pub wide: bool,
    /// `-w WAIT` or a trailing number: seconds between passes.
    pub interval: Option<u32>,
    /// Our long options, in command-line order, with their values.
    pub long_options: Vec<Given>,
}

/// What to print, in BSD's order of precedence (main.c): the interface table, the routing
/// tables, then sockets or statistics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Interfaces,
    Routes,
    /// `-rs`: routing statistics.
    RouteStatistics,
    Statistics,
    Sockets,
}

impl BsdArgs {
    pub fn mode(&self) -> Mode {
        if self.interfaces && self.statistics == 0 {
            Mode::Interfaces
        } else if self.routes {
            match self.statistics {
                0 => Mode::Routes,
                _ => Mode::RouteStatistics,
            }
        } else if self.statistics > 0 {
            Mode::Statistics
        } else {
            Mode::Sockets
        }
    }
}

/// Why the command line was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// `--help`.
    Help,
    /// `--version`.
    Version,
    /// A usage error: the message (if any) goes before the usage text.
    Usage(Option<String>),
    /// A one-line error, without the usage (BSD's `errx`).
    Error(String),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Help => f.write_str("help requested"),
            Refusal::Version => f.write_str("version requested"),
            Refusal::Usage(why) => f.write_str(why.as_deref().unwrap_or("usage")),
            Refusal::Error(why) => f.write_str(why),
        }
    }
}

/// Parses the arguments (without `argv[0]`). `long` lists the long options we accept besides
/// `--help` and `--version`.
pub fn parse(args: &[OsString], long: &[LongOption]) -> Result<BsdArgs, Refusal> {
    let mut parsed = BsdArgs::default();
    let mut at = 0;
    while let Some(word) = args.get(at) {
        let bytes = word.as_encoded_bytes();
        if bytes == b"--" {
            at += 1;
            break;
        }
        if let Some(name) = bytes.strip_prefix(b"--") {
            match name {
                b"help" => return Err(Refusal::Help),
                b"version" => return Err(Refusal::Version),
                _ => {}
            }
            at += 1;
            let next = || {
                let word = args.get(at).cloned();
                at += usize::from(word.is_some());
                word
            };
            let given = extensions::parse_long(name, next, long);
            parsed
                .long_options
                .push(given.map_err(|why| Refusal::Usage(Some(why)))?);
            continue;
        }
        let Some(letters) = bytes.strip_prefix(b"-").filter(|l| !l.is_empty()) else {
            break;
        };
        at += 1;
        for (i, &letter) in letters.iter().enumerate() {
            let takes_value = OPTIONS
                .iter()
                .any(|o| o.letter == letter && o.value_name.is_some())
                || BSD_ONLY_WITH_VALUE.contains(&letter);
            if !takes_value {
                letter_option(&mut parsed, letter, None)?;
                continue;
            }
            let value = match &letters[i + 1..] {
                [] => {
                    let next = args.get(at).ok_or_else(|| {
                        Refusal::Usage(Some(format!(
                            "option requires an argument -- {}",
                            char::from(letter)
                        )))
                    })?;
                    at += 1;
                    next.clone()
                }
                rest => OsStr::from_bytes(rest).to_os_string(),
            };
            letter_option(&mut parsed, letter, Some(&value))?;
            break;
        }
    }
    if let Some(word) = args.get(at) {
        let text = word.to_string_lossy();
        if !text.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(Refusal::Usage(Some(format!("'{text}': unexpected word"))));
        }
        parsed.interval = Some(interval(&text)?);
        parsed.interfaces = true;
        if let Some(extra) = args.get(at + 1) {
            return Err(Refusal::Usage(Some(format!(
                "'{}': unexpected word after the interval",
                extra.to_string_lossy()
            ))));
        }
    }
    Ok(parsed)
}

fn letter_option(
    parsed: &mut BsdArgs,
    letter: u8,
    value: Option<&OsString>,
) -> Result<(), Refusal> {
    let text = || {
        value
            .map(|v| v.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    match letter {
        b'a' => parsed.all = true,
        b'A' => parsed.pcb = true,
        b'b' => parsed.bytes = true,
        b'i' => parsed.interfaces = true,
        b'l' => parsed.long = parsed.long.saturating_add(1),
        b'L' => parsed.listen_queues = true,
        b'n' => parsed.numeric = true,
        b'r' => parsed.routes = true,
        b's' => parsed.statistics = parsed.statistics.saturating_add(1),
        b'u' => parsed.family = Some(AddressFamily::Unix),
        b'v' => parsed.verbose = parsed.verbose.saturating_add(1),
        b'W' => parsed.wide = true,
        b'f' => {
            let family = value.and_then(|v| AddressFamily::parse(v));
            parsed.family =
                Some(family.ok_or_else(|| {
                    Refusal::Error(format!("{}: unknown address family", text()))
                })?);
        }
        b'p' => {
            let proto = value.and_then(|v| Proto::parse(v));
            parsed.protocol = Some(proto.ok_or_else(|| {
                Refusal::Error(format!("{}: unknown or uninstrumented protocol", text()))
            })?);
        }
        b'I' => {
            parsed.interfaces = true;
            parsed.interface = value.cloned();
        }
        b'w' => {
            parsed.interval = Some(interval(&text())?);
            parsed.interfaces = true;
        }
        other => {
            if let Some((_, what)) = BSD_ONLY.iter().find(|(l, _)| *l == other) {
                return Err(Refusal::Error(format!(
                    "-{}: {what} are not supported",
                    char::from(other)
                )));
            }
            return Err(Refusal::Usage(Some(format!(
                "illegal option -- {}",
                char::from(other).escape_default()
            ))));
        }
    }
    Ok(())
}

/// A whole number of seconds, 1 or more; anything else is a usage error, as BSD's `<= 0`.
fn interval(text: &str) -> Result<u32, Refusal> {
    text.parse().ok().filter(|&s: &u32| s > 0).ok_or_else(|| {
        Refusal::Usage(Some(format!(
            "'{text}': the interval is whole seconds, 1 or more"
        )))
    })
}

/// Writes the help text: the synopsis, every option of [`OPTIONS`] with its doc, then our
/// long options `long` (name, value name, doc).
pub fn write_help(out: &mut impl Write, long: &[(&str, &str, &str)]) -> io::Result<()> {
    let mut text = Vec::with_capacity(2048);
    text.extend_from_slice(
        b"Lists sockets, routes, interfaces and protocol statistics, as BSD netstat does.\n\n",
    );
    text.extend_from_slice(USAGE.as_bytes());
    for option in OPTIONS {
        let value = option
            .value_name
            .map(|v| format!(" {v}"))
            .unwrap_or_default();
        let name = format!("-{}{value}", char::from(option.letter));
        writeln!(text, "  {name:<12}{}", option.doc)?;
    }
    text.extend_from_slice(b"  wait        a trailing number: as -w\n");
    text.extend_from_slice(b"  --help      this text\n  --version   the version\n");
    if !long.is_empty() {
        text.extend_from_slice(b"\nBeyond BSD netstat, for the socket listing:\n");
        for (name, value, doc) in long {
            let spelled = match value.is_empty() {
                true => format!("--{name}"),
                false => format!("--{name} {value}"),
            };
            writeln!(text, "  {spelled:<22}{doc}")?;
        }
    }
    out.write_all(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Result<BsdArgs, Refusal> {
        let words: Vec<OsString> = words.iter().map(OsString::from).collect();
        parse(&words, &extensions::long_options())
    }

    #[test]
    fn runs_of_letters_and_values() {
        let a = args(&["-anvW"]).unwrap();
        assert!(a.all && a.numeric && a.wide && a.verbose == 1 && !a.pcb);
        assert_eq!(args(&["-a", "-n"]).unwrap(), args(&["-an"]).unwrap());
        assert_eq!(
            args(&["-finet6"]).unwrap().family,
            Some(AddressFamily::Inet6)
        );
        assert_eq!(
            args(&["-anf", "inet"]).unwrap().family,
            Some(AddressFamily::Inet)
        );
        assert_eq!(args(&["-p", "tcp"]).unwrap().protocol, Some(Proto::Tcp));
        assert_eq!(args(&["-ptcp"]).unwrap().protocol, Some(Proto::Tcp));
        let i = args(&["-I", "en0", "-b"]).unwrap();
        assert_eq!(i.interface, Some(OsString::from("en0")));
        assert!(i.interfaces && i.bytes);
        assert_eq!(args(&["-lll"]).unwrap().long, 3);
        assert_eq!(args(&["-ss"]).unwrap().statistics, 2);
    }

    #[test]
    fn modes_follow_bsd_precedence() {
        assert_eq!(args(&[]).unwrap().mode(), Mode::Sockets);
        assert_eq!(args(&["-rn"]).unwrap().mode(), Mode::Routes);
        assert_eq!(args(&["-rs"]).unwrap().mode(), Mode::RouteStatistics);
        assert_eq!(args(&["-ir"]).unwrap().mode(), Mode::Interfaces);
        assert_eq!(args(&["-s", "-p", "ip"]).unwrap().mode(), Mode::Statistics);
        assert_eq!(args(&["-w", "2"]).unwrap().mode(), Mode::Interfaces);
    }

    #[test]
    fn a_trailing_interval() {
        let a = args(&["-b", "5"]).unwrap();
        assert_eq!((a.interval, a.interfaces), (Some(5), true));
        assert_eq!(args(&["-w", "3"]).unwrap().interval, Some(3));
        assert!(matches!(args(&["0"]), Err(Refusal::Usage(_))));
        assert!(matches!(args(&["5", "6"]), Err(Refusal::Usage(_))));
        assert!(matches!(args(&["-w", "x"]), Err(Refusal::Usage(_))));
        // The first word that is not an option ends them, as BSD getopt.
        assert!(matches!(args(&["5", "-a"]), Err(Refusal::Usage(_))));
        assert!(matches!(args(&["foo"]), Err(Refusal::Usage(_))));
        assert_eq!(args(&["--", "7"]).unwrap().interval, Some(7));
    }

    #[test]
    fn errors_are_bsds() {
        assert_eq!(
            args(&["-y"]),
            Err(Refusal::Usage(Some("illegal option -- y".into())))
        );
        assert_eq!(
            args(&["-f", "foo"]),
            Err(Refusal::Error("foo: unknown address family".into()))
        );
        assert_eq!(
            args(&["-p", "sctp"]),
            Err(Refusal::Error(
                "sctp: unknown or uninstrumented protocol".into()
            ))
        );
        assert_eq!(
            args(&["-p"]),
            Err(Refusal::Usage(Some(
                "option requires an argument -- p".into()
            )))
        );
        assert!(matches!(args(&["-m"]), Err(Refusal::Error(e)) if e.contains("mbuf")));
        assert_eq!(
            args(&["-p", "mptcp"]).unwrap().protocol,
            Some(Proto::Other("mptcp"))
        );
        assert_eq!(
            args(&["-f", "unix"]).unwrap().family,
            Some(AddressFamily::Unix)
        );
        assert_eq!(args(&["--help"]), Err(Refusal::Help));
        assert_eq!(args(&["-a", "--version"]), Err(Refusal::Version));
        assert_eq!(
            args(&["--nope"]),
            Err(Refusal::Usage(Some("--nope: unknown option".into())))
        );
        assert_eq!(
            args(&["--filter"]),
            Err(Refusal::Usage(Some("--filter needs a value".into())))
        );
        assert_eq!(
            args(&["--json=yes"]),
            Err(Refusal::Usage(Some("--json takes no value".into())))
        );
    }

    #[test]
    fn our_long_options_among_the_letters() {
        let a = args(&[
            "-a",
            "--json",
            "-n",
            "--filter",
            "dport = :443",
            "--filter=sport = :22",
            "-p",
            "tcp",
        ])
        .unwrap();
        assert!(a.all && a.numeric && a.protocol == Some(Proto::Tcp));
        assert_eq!(
            a.long_options,
            [
                ("json", None),
                ("filter", Some(OsString::from("dport = :443"))),
                ("filter", Some(OsString::from("sport = :22"))),
            ]
        );
        // Ours not honoured on macOS parse, to be refused by name later.
        assert_eq!(args(&["--audit"]).unwrap().long_options, [("audit", None)]);
        // The value may start with a dash; the word after it is an option again.
        let dashed = args(&["--filter", "-x", "-a"]).unwrap();
        assert!(dashed.all);
        assert_eq!(
            dashed.long_options,
            [("filter", Some(OsString::from("-x")))]
        );
        // The first word that is not an option still ends them.
        assert!(matches!(args(&["5", "--json"]), Err(Refusal::Usage(_))));
        assert!(matches!(args(&["--", "--json"]), Err(Refusal::Usage(_))));
    }

    #[test]
    fn usage_and_help() {
        assert!(USAGE.starts_with(
            "Usage:\tnetstat [-AaLlnW] [-f address_family | -p protocol]\n\tnetstat [-gilns]"
        ));
        assert!(USAGE.ends_with("\tnetstat -rs [-s]\n\n"));
        let mut out = Vec::new();
        write_help(&mut out, &extensions::help()).unwrap();
        let text = String::from_utf8(out).unwrap();
        for option in OPTIONS {
            assert!(
                text.contains(&format!("\n  -{}", char::from(option.letter))),
                "-{}",
                option.letter
            );
        }
        assert!(text.contains("\n  -p PROTO    one protocol"));
        assert!(text.contains("\n  --json-lines          print one JSON object per line\n"));
        assert!(text.contains("\n  --filter EXPR         only Internet sockets matching"));
    }
}
