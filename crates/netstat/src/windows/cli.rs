//! Windows netstat's command line (spec §1): single-letter options after `-` or `/`, alone or
//! run together (`-ano`, `/nat`, `-a -q -n`), `-p PROTO` taking the next word, and a trailing
//! interval. Our own long options (`--json`, `--filter EXPR` ...) are kept, spelled in full.
//!
//! Where Windows' behaviour is not recorded we choose, and say so: letters and protocol names
//! are matched without regard to case (Windows commands usually are; unverified); `p` may sit
//! anywhere in a run and takes the next word, as ReactOS reads it; `/?` and `-?` ask for help
//! (exit 0), any other word netstat does not know is a usage error (Windows prints the help for
//! both; its exit status is not recorded); an interval must be a whole number of seconds, 1 or
//! more.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::{self, Write};

use super::CRLF;
use super::connections::Group;
use super::stats::Section;
use crate::extensions::{self, Given, LongOption};
use crate::text::pad_left;

/// A Windows option: its letter, the value it takes, and its help text.
pub struct WindowsOption {
    pub letter: u8,
    pub value_name: Option<&'static str>,
    pub doc: &'static str,
}

/// The options, defined once: the parser and the help text both read this table.
pub const OPTIONS: &[WindowsOption] = &[
    opt(b'a', "all connections, listening ports and UDP endpoints"),
    opt(
        b'b',
        "the executable (and services) behind each connection; needs elevation",
    ),
    opt(
        b'e',
        "Ethernet statistics (with -s: and the protocol statistics)",
    ),
    opt(b'f', "fully qualified names for foreign addresses"),
    opt(b'n', "addresses and ports as numbers"),
    opt(b'o', "the owning process id of each connection"),
    WindowsOption {
        letter: b'p',
        value_name: Some("PROTO"),
        doc: "one protocol: TCP, UDP, TCPv6 or UDPv6; with -s also IP, IPv6, ICMP or ICMPv6",
    },
    opt(b'q', "as -a, and bound TCP ports that do not listen"),
    opt(b'r', "the routing table (as route print)"),
    opt(b's', "per-protocol statistics"),
    opt(b't', "the offload state of each connection"),
    opt(
        b'x',
        "NetworkDirect connections, listeners and shared endpoints",
    ),
    opt(b'y', "the TCP connection template of each connection"),
];

const fn opt(letter: u8, doc: &'static str) -> WindowsOption {
    WindowsOption {
        letter,
        value_name: None,
        doc,
    }
}

/// A `-p` protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proto {
    Tcp,
    Udp,
    TcpV6,
    UdpV6,
    Ip,
    IpV6,
    Icmp,
    IcmpV6,
}

impl Proto {
    fn parse(word: &OsStr) -> Option<Proto> {
        let word = word.to_str()?.to_ascii_lowercase();
        Some(match word.as_str() {
            "tcp" => Proto::Tcp,
            "udp" => Proto::Udp,
            "tcpv6" => Proto::TcpV6,
            "udpv6" => Proto::UdpV6,
            "ip" => Proto::Ip,
            "ipv6" => Proto::IpV6,
            "icmp" => Proto::Icmp,
            "icmpv6" => Proto::IcmpV6,
            _ => return None,
        })
    }

    /// The connection group `-p` keeps; `None` for the statistics-only protocols.
    pub fn group(self) -> Option<Group> {
        match self {
            Proto::Tcp => Some(Group::Tcp),
            Proto::TcpV6 => Some(Group::TcpV6),
            Proto::Udp => Some(Group::Udp),
            Proto::UdpV6 => Some(Group::UdpV6),
            Proto::Ip | Proto::IpV6 | Proto::Icmp | Proto::IcmpV6 => None,
        }
    }

    /// The `-s` section `-p` keeps.
    pub fn section(self) -> Section {
        match self {
            Proto::Ip => Section::Ipv4,
            Proto::IpV6 => Section::Ipv6,
            Proto::Icmp => Section::Icmpv4,
            Proto::IcmpV6 => Section::Icmpv6,
            Proto::Tcp => Section::Tcpv4,
            Proto::TcpV6 => Section::Tcpv6,
            Proto::Udp => Section::Udpv4,
            Proto::UdpV6 => Section::Udpv6,
        }
    }
}

/// What the command line asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WindowsArgs {
    pub all: bool,
    pub executables: bool,
    pub ethernet: bool,
    pub fqdn: bool,
    pub numeric: bool,
    pub pids: bool,
    pub protocol: Option<Proto>,
    pub bound: bool,
    pub routes: bool,
    pub statistics: bool,
    pub offload: bool,
    pub network_direct: bool,
    pub template: bool,
    /// Seconds between passes; `None` to print once.
    pub interval: Option<u32>,
    /// Our long options, in command-line order, with their values.
    pub long: Vec<Given>,
}

impl WindowsArgs {
    /// Whether the command line asks for the connection listing (none of `-e`, `-r`, `-s`).
    pub fn lists_connections(&self) -> bool {
        !(self.ethernet || self.statistics || self.routes)
    }
}

/// Why the command line was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// `/?` or `-?`.
    Help,
    /// A word netstat does not know, with the reason.
    Usage(String),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Help => f.write_str("help requested"),
            Refusal::Usage(why) => f.write_str(why),
        }
    }
}

/// Parses the arguments (without `argv[0]`). `long` lists the long options we accept.
pub fn parse(args: &[OsString], long: &[LongOption]) -> Result<WindowsArgs, Refusal> {
    let mut parsed = WindowsArgs::default();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let bytes = word.as_encoded_bytes();
        if let Some(name) = bytes.strip_prefix(b"--") {
            long_option(&mut parsed, name, &mut words, long)?;
        } else if bytes == b"/?" || bytes == b"-?" {
            return Err(Refusal::Help);
        } else if let Some(letters) = bytes.strip_prefix(b"-").or(bytes.strip_prefix(b"/")) {
            if letters.is_empty() {
                return Err(Refusal::Usage(format!(
                    "'{}': no option letter",
                    lossy(word)
                )));
            }
            for &letter in letters {
                letter_option(&mut parsed, letter.to_ascii_lowercase(), word, &mut words)?;
            }
        } else if parsed.interval.is_none()
            && !bytes.is_empty()
            && bytes.iter().all(u8::is_ascii_digit)
        {
            let seconds = lossy(word).parse().ok().filter(|&s: &u32| s > 0);
            let seconds = seconds.ok_or_else(|| {
                Refusal::Usage(format!(
                    "'{}': the interval is whole seconds, 1 or more",
                    lossy(word)
                ))
            })?;
            parsed.interval = Some(seconds);
        } else {
            return Err(Refusal::Usage(format!(
                "'{}' is not an option",
                lossy(word)
            )));
        }
    }
    if parsed.protocol.is_some_and(|p| p.group().is_none()) && !parsed.statistics {
        return Err(Refusal::Usage(
            "-p IP, IPv6, ICMP and ICMPv6 go with -s".to_string(),
        ));
    }
    Ok(parsed)
}

fn letter_option<'a>(
    parsed: &mut WindowsArgs,
    letter: u8,
    word: &OsStr,
    words: &mut impl Iterator<Item = &'a OsString>,
) -> Result<(), Refusal> {
    let flag = match letter {
        b'a' => &mut parsed.all,
        b'b' => &mut parsed.executables,
        b'e' => &mut parsed.ethernet,
        b'f' => &mut parsed.fqdn,
        b'n' => &mut parsed.numeric,
        b'o' => &mut parsed.pids,
        b'q' => &mut parsed.bound,
        b'r' => &mut parsed.routes,
        b's' => &mut parsed.statistics,
        b't' => &mut parsed.offload,
        b'x' => &mut parsed.network_direct,
        b'y' => &mut parsed.template,
        b'p' => {
            let value = words
                .next()
                .ok_or_else(|| Refusal::Usage("-p needs a protocol".to_string()))?;
            let proto = Proto::parse(value).ok_or_else(|| {
                Refusal::Usage(format!("'{}' is not a protocol -p knows", lossy(value)))
            })?;
            parsed.protocol = Some(proto);
            return Ok(());
        }
        other => {
            return Err(Refusal::Usage(format!(
                "'{}': unknown option '{}'",
                lossy(word),
                char::from(other).escape_default()
            )));
        }
    };
    *flag = true;
    Ok(())
}

fn long_option<'a>(
    parsed: &mut WindowsArgs,
    text: &[u8],
    words: &mut impl Iterator<Item = &'a OsString>,
    long: &[LongOption],
) -> Result<(), Refusal> {
    let given = extensions::parse_long(text, || words.next().cloned(), long);
    parsed.long.push(given.map_err(Refusal::Usage)?);
    Ok(())
}

fn lossy(word: &OsStr) -> String {
    word.to_string_lossy().into_owned()
}

/// Writes the help text: the synopsis, the Windows options, then our long options with their
/// descriptions. CRLF line ends, as all Windows output.
pub fn write_help(out: &mut impl Write, long: &[(&str, &str, &str)]) -> io::Result<()> {
    let mut text = Vec::with_capacity(4096);
    text.extend_from_slice(
        b"\r\nLists network connections, routes and protocol statistics.\r\n\r\n",
    );
    text.extend_from_slice(b"NETSTAT [-a] [-b] [-e] [-f] [-n] [-o] [-p proto] [-q] [-r] [-s] [-t] [-x] [-y] [interval]\r\n\r\n");
    for option in OPTIONS {
        let mut name = vec![b'-', option.letter];
        if let Some(value) = option.value_name {
            name.push(b' ');
            name.extend_from_slice(value.as_bytes());
        }
        text.extend_from_slice(b"  ");
        pad_left(&mut text, &name, 14)?;
        text.extend_from_slice(option.doc.as_bytes());
        text.extend_from_slice(CRLF);
    }
    text.extend_from_slice(b"  interval      repeat every interval seconds until Ctrl+C\r\n");
    if !long.is_empty() {
        text.extend_from_slice(b"\r\nBeyond Windows netstat:\r\n");
        for (name, value, doc) in long {
            let mut spelled = format!("--{name}");
            if !value.is_empty() {
                spelled.push(' ');
                spelled.push_str(value);
            }
            text.extend_from_slice(b"  ");
            pad_left(&mut text, spelled.as_bytes(), 22)?;
            text.extend_from_slice(doc.as_bytes());
            text.extend_from_slice(CRLF);
        }
    }
    text.extend_from_slice(CRLF);
    out.write_all(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: &[LongOption] = &[
        LongOption {
            name: "json",
            takes_value: false,
        },
        LongOption {
            name: "filter",
            takes_value: true,
        },
    ];

    fn args(words: &[&str]) -> Result<WindowsArgs, Refusal> {
        let words: Vec<OsString> = words.iter().map(OsString::from).collect();
        parse(&words, LONG)
    }

    #[test]
    fn runs_of_letters_and_either_prefix() {
        let a = args(&["-ano"]).unwrap();
        assert!(a.all && a.numeric && a.pids && !a.executables);
        assert_eq!(
            args(&["/nat"]).unwrap(),
            WindowsArgs {
                numeric: true,
                all: true,
                offload: true,
                ..Default::default()
            }
        );
        assert_eq!(args(&["-a", "-q", "-n"]).unwrap(), args(&["-aqn"]).unwrap());
        let b = args(&["-aonb"]).unwrap();
        assert!(b.executables && b.pids);
        assert_eq!(args(&["-ANO"]).unwrap(), args(&["-ano"]).unwrap());
        let all = args(&["-abefnoqrstxy"]).unwrap();
        assert!(
            all.ethernet
                && all.fqdn
                && all.bound
                && all.routes
                && all.statistics
                && all.network_direct
                && all.template
        );
        assert!(a.lists_connections() && !all.lists_connections());
        for other in ["-e", "-r", "-s"] {
            assert!(!args(&[other]).unwrap().lists_connections(), "{other}");
        }
    }

    #[test]
    fn p_takes_the_next_word() {
        assert_eq!(
            args(&["-ano", "-p", "TCP"]).unwrap().protocol,
            Some(Proto::Tcp)
        );
        assert_eq!(args(&["-yanp", "tcp"]).unwrap().protocol, Some(Proto::Tcp));
        assert_eq!(
            args(&["-pan", "udpv6"]).unwrap().protocol,
            Some(Proto::UdpV6)
        );
        let s = args(&["-s", "-p", "icmpv6"]).unwrap();
        assert_eq!(s.protocol.map(Proto::section), Some(Section::Icmpv6));
        assert_eq!(Proto::TcpV6.group(), Some(Group::TcpV6));
        assert!(
            matches!(args(&["-p", "icmp"]), Err(Refusal::Usage(_))),
            "ICMP only with -s"
        );
        assert!(matches!(args(&["-p"]), Err(Refusal::Usage(_))));
        assert!(matches!(args(&["-p", "sctp"]), Err(Refusal::Usage(_))));
    }

    #[test]
    fn a_trailing_interval() {
        assert_eq!(args(&["-e", "5"]).unwrap().interval, Some(5));
        assert_eq!(args(&["5", "-e"]).unwrap().interval, Some(5));
        assert!(args(&["0"]).is_err());
        assert!(args(&["99999999999"]).is_err());
        assert!(args(&["5", "6"]).is_err(), "one interval");
    }

    #[test]
    fn help_and_usage_errors() {
        assert_eq!(args(&["/?"]), Err(Refusal::Help));
        assert_eq!(args(&["-a", "-?"]), Err(Refusal::Help));
        for bad in [
            "/h", "-help", "help", "-z", "-", "--nope", "--json=1", "--filter",
        ] {
            assert!(matches!(args(&[bad]), Err(Refusal::Usage(_))), "{bad}");
        }
    }

    #[test]
    fn our_long_options_are_kept() {
        let a = args(&[
            "-an",
            "--json",
            "--filter",
            "dport = :443",
            "--filter=sport = :22",
        ])
        .unwrap();
        assert_eq!(
            a.long,
            [
                ("json", None),
                ("filter", Some(OsString::from("dport = :443"))),
                ("filter", Some(OsString::from("sport = :22"))),
            ]
        );
        assert!(a.all && a.numeric);
    }

    #[test]
    fn help_lists_every_option() {
        let mut out = Vec::new();
        write_help(
            &mut out,
            &[
                ("json", "", "print JSON"),
                ("filter", "EXPR", "only matching sockets"),
            ],
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        for option in OPTIONS {
            assert!(
                text.contains(&format!("\r\n  -{}", char::from(option.letter))),
                "-{}",
                option.letter
            );
        }
        assert!(text.contains("\r\n  -p PROTO      one protocol"));
        assert!(text.contains("\r\n  --filter EXPR         only matching sockets\r\n"));
        assert!(
            !text.replace("\r\n", "").contains('\n'),
            "every line ends in CRLF"
        );
    }
}
