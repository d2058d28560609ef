//! Every command-line flag, defined once: names, documentation and effect.
//!
//! The order of [`FLAGS`] is net-tools' option table order, because glibc lists the
//! possibilities of an ambiguous long prefix in that order. Help text comes from this table.

use std::ffi::OsStr;

use super::Exit;
use super::args::{Netns, OutputFormat};
use super::getopt::HasArg;
use super::parsed::Parsed;

/// Where a flag appears in the help text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    Mode,
    Socket,
    Family,
    Display,
    Names,
    /// Beyond net-tools: output formats, filters, namespaces, checks.
    Beyond,
    Other,
    /// Accepted for compatibility; not listed in the help text.
    Hidden,
}

/// One command-line flag.
pub struct Flag {
    pub short: Option<u8>,
    pub long: Option<&'static str>,
    pub has_arg: HasArg,
    /// Name of the value in the help text.
    pub value_name: &'static str,
    pub category: Category,
    pub doc: &'static str,
    /// Applies the flag, in command-line order; an `Err` ends the run (as net-tools does).
    pub update: fn(&mut Parsed, Option<&OsStr>) -> Result<(), Exit>,
    /// Not a net-tools option (see [`super::getopt::Opt::extension`]).
    pub extension: bool,
}

/// Long address-family options: `--inet`, `--unix`, ... (net-tools' AFTRANS_OPTS). glibc treats
/// them as one option when deciding ambiguity.
pub const AF_LONG_NAMES: &[&str] = &[
    "ax25",
    "x25",
    "ip",
    "ipx",
    "appletalk",
    "netrom",
    "inet",
    "inet6",
    "ddp",
    "unix",
    "tcpip",
    "rose",
    "bluetooth",
];

const fn flag(
    short: Option<u8>,
    long: Option<&'static str>,
    category: Category,
    doc: &'static str,
    update: fn(&mut Parsed, Option<&OsStr>) -> Result<(), Exit>,
) -> Flag {
    Flag {
        short,
        long,
        has_arg: HasArg::No,
        value_name: "",
        category,
        doc,
        update,
        extension: false,
    }
}

/// One of our own long options (not net-tools'), with an optional value.
const fn extension(
    long: &'static str,
    has_arg: HasArg,
    value_name: &'static str,
    doc: &'static str,
    update: fn(&mut Parsed, Option<&OsStr>) -> Result<(), Exit>,
) -> Flag {
    Flag {
        short: None,
        long: Some(long),
        has_arg,
        value_name,
        category: Category::Beyond,
        doc,
        update,
        extension: true,
    }
}

fn value_text(value: Option<&OsStr>) -> String {
    value.unwrap_or_default().to_string_lossy().into_owned()
}

/// One namespace option at most: two of them (or one twice) contradict each other, and are
/// refused with status 3 like net-tools' conflicting modes.
fn set_netns(p: &mut Parsed, netns: Netns, option: &str) -> Result<(), Exit> {
    let previous = match p.args.netns {
        Netns::Current => {
            p.args.netns = netns;
            return Ok(());
        }
        Netns::Select(_) => "--netns",
        Netns::Pid(_) => "--netns-pid",
        Netns::All => "--all-netns",
    };
    let message = if previous == option {
        format!("netstat: {option} can be given only once\n")
    } else {
        format!("netstat: {previous} and {option} cannot be used together\n")
    };
    Err(Exit::message_err(&message, 3))
}

/// The long family options, which all select the family named like the option.
fn af_long(parsed: &mut Parsed, name: &str) -> Result<(), Exit> {
    parsed.add_families(name)
}

macro_rules! af_flag {
    ($name:literal) => {
        flag(
            None,
            Some($name),
            Category::Hidden,
            "select this address family",
            |p, _| af_long(p, $name),
        )
    };
}

pub static FLAGS: &[Flag] = &[
    af_flag!("ax25"),
    af_flag!("x25"),
    af_flag!("ip"),
    af_flag!("ipx"),
    af_flag!("appletalk"),
    af_flag!("netrom"),
    flag(
        None,
        Some("inet"),
        Category::Family,
        "IPv4 sockets (same as -4)",
        |p, _| af_long(p, "inet"),
    ),
    flag(
        None,
        Some("inet6"),
        Category::Family,
        "IPv6 sockets (same as -6)",
        |p, _| af_long(p, "inet6"),
    ),
    af_flag!("ddp"),
    af_flag!("unix"),
    af_flag!("tcpip"),
    af_flag!("rose"),
    af_flag!("bluetooth"),
    flag(
        Some(b'V'),
        Some("version"),
        Category::Other,
        "print the version and exit",
        |_, _| Err(Exit::version()),
    ),
    flag(
        Some(b'i'),
        Some("interfaces"),
        Category::Mode,
        "display the interface table",
        |p, _| {
            p.interfaces += 1;
            Ok(())
        },
    ),
    flag(
        Some(b'h'),
        Some("help"),
        Category::Other,
        "print this help and exit",
        |_, _| Err(Exit::help()),
    ),
    flag(
        Some(b'r'),
        Some("route"),
        Category::Mode,
        "display the routing table",
        |p, _| {
            p.route += 1;
            Ok(())
        },
    ),
    flag(
        Some(b'M'),
        Some("masquerade"),
        Category::Mode,
        "display masqueraded connections",
        |p, _| {
            p.masquerade += 1;
            Ok(())
        },
    ),
    Flag {
        short: Some(b'A'),
        long: Some("protocol"),
        has_arg: HasArg::Required,
        value_name: "AF,...",
        category: Category::Family,
        doc: "address families: inet, inet6, unix, ... (comma-separated)",
        update: |p, value| p.add_families(&value.unwrap_or_default().to_string_lossy()),
        extension: false,
    },
    flag(
        Some(b't'),
        Some("tcp"),
        Category::Socket,
        "TCP sockets",
        |p, _| {
            p.tcp = true;
            Ok(())
        },
    ),
    flag(
        Some(b'S'),
        Some("sctp"),
        Category::Socket,
        "SCTP sockets",
        |p, _| {
            p.sctp = true;
            Ok(())
        },
    ),
    flag(
        Some(b'u'),
        Some("udp"),
        Category::Socket,
        "UDP sockets",
        |p, _| {
            p.udp = true;
            Ok(())
        },
    ),
    flag(
        Some(b'U'),
        Some("udplite"),
        Category::Socket,
        "UDP-Lite sockets",
        |p, _| {
            p.udplite = true;
            Ok(())
        },
    ),
    flag(
        Some(b'w'),
        Some("raw"),
        Category::Socket,
        "raw sockets",
        |p, _| {
            p.raw = true;
            Ok(())
        },
    ),
    flag(
        Some(b'x'),
        Some("unix"),
        Category::Socket,
        "Unix domain sockets",
        |p, _| p.add_families("unix"),
    ),
    flag(
        Some(b'2'),
        Some("l2cap"),
        Category::Hidden,
        "Bluetooth L2CAP sockets",
        |p, _| {
            p.l2cap = true;
            Ok(())
        },
    ),
    flag(
        Some(b'f'),
        Some("rfcomm"),
        Category::Hidden,
        "Bluetooth RFCOMM sockets",
        |p, _| {
            p.rfcomm = true;
            Ok(())
        },
    ),
    flag(
        Some(b'l'),
        Some("listening"),
        Category::Socket,
        "only listening sockets",
        |p, _| {
            p.args.listening = true;
            Ok(())
        },
    ),
    flag(
        Some(b'a'),
        Some("all"),
        Category::Socket,
        "listening and connected sockets",
        |p, _| {
            p.args.all = true;
            Ok(())
        },
    ),
    flag(
        Some(b'o'),
        Some("timers"),
        Category::Display,
        "show socket timers",
        |p, _| {
            p.args.timers = true;
            Ok(())
        },
    ),
    Flag {
        short: Some(b'c'),
        long: Some("continuous"),
        has_arg: HasArg::OptionalNumber,
        value_name: "[SECONDS]",
        category: Category::Display,
        doc: "repeat every SECONDS (default 1) until interrupted",
        update: |p, value| p.set_continuous(value),
        extension: false,
    },
    flag(
        Some(b'e'),
        Some("extend"),
        Category::Display,
        "show user and inode; twice: more",
        |p, _| {
            p.args.extend = p.args.extend.saturating_add(1);
            Ok(())
        },
    ),
    flag(
        Some(b'p'),
        Some("programs"),
        Category::Display,
        "show the PID and name of each socket's process",
        |p, _| {
            p.args.programs = true;
            Ok(())
        },
    ),
    flag(
        Some(b'v'),
        Some("verbose"),
        Category::Display,
        "report families the kernel does not support",
        |p, _| {
            p.args.verbose = true;
            Ok(())
        },
    ),
    flag(
        Some(b's'),
        Some("statistics"),
        Category::Mode,
        "display per-protocol statistics",
        |p, _| {
            p.statistics += 1;
            Ok(())
        },
    ),
    flag(
        Some(b'W'),
        Some("wide"),
        Category::Display,
        "don't truncate addresses",
        |p, _| {
            p.args.wide = true;
            Ok(())
        },
    ),
    flag(
        Some(b'n'),
        Some("numeric"),
        Category::Names,
        "don't resolve hosts, ports or users",
        |p, _| {
            p.args.numeric_hosts = true;
            p.args.numeric_ports = true;
            p.args.numeric_users = true;
            Ok(())
        },
    ),
    flag(
        None,
        Some("numeric-hosts"),
        Category::Names,
        "don't resolve host names",
        |p, _| {
            p.args.numeric_hosts = true;
            Ok(())
        },
    ),
    flag(
        None,
        Some("numeric-ports"),
        Category::Names,
        "don't resolve port names",
        |p, _| {
            p.args.numeric_ports = true;
            Ok(())
        },
    ),
    flag(
        None,
        Some("numeric-users"),
        Category::Names,
        "don't resolve user names",
        |p, _| {
            p.args.numeric_users = true;
            Ok(())
        },
    ),
    flag(
        Some(b'N'),
        Some("symbolic"),
        Category::Names,
        "resolve hardware names (makes -r numeric)",
        |p, _| {
            p.args.symbolic = true;
            Ok(())
        },
    ),
    flag(
        Some(b'C'),
        Some("cache"),
        Category::Display,
        "with -r: show the routing cache",
        |p, _| {
            p.args.cache = true;
            Ok(())
        },
    ),
    flag(
        Some(b'F'),
        Some("fib"),
        Category::Display,
        "with -r: show the FIB (default)",
        |p, _| {
            p.args.fib = true;
            Ok(())
        },
    ),
    flag(
        Some(b'g'),
        Some("groups"),
        Category::Mode,
        "display multicast group memberships",
        |p, _| {
            p.args.groups = true;
            Ok(())
        },
    ),
    flag(
        Some(b'Z'),
        Some("context"),
        Category::Display,
        "display SELinux security contexts (not supported: exits 1 as net-tools does without SELinux)",
        |_, _| {
            Err(Exit::message_err(
                "SELinux is not enabled on this machine.\n",
                1,
            ))
        },
    ),
    flag(
        Some(b'4'),
        None,
        Category::Family,
        "IPv4 sockets",
        |p, _| p.add_families("inet"),
    ),
    flag(
        Some(b'6'),
        None,
        Category::Family,
        "IPv6 sockets",
        |p, _| p.add_families("inet6"),
    ),
    flag(
        Some(b'd'),
        None,
        Category::Hidden,
        "accepted and ignored",
        |_, _| Ok(()),
    ),
    flag(
        Some(b'?'),
        None,
        Category::Hidden,
        "print usage and fail",
        |_, _| Err(Exit::usage_only()),
    ),
    // Our own options come last: net-tools' abbreviations are resolved before them.
    extension(
        "json",
        HasArg::No,
        "",
        "print JSON: one array (one object for -s)",
        |p, _| {
            p.args.format = OutputFormat::Json;
            Ok(())
        },
    ),
    extension(
        "json-lines",
        HasArg::No,
        "",
        "print one JSON object per line",
        |p, _| {
            p.args.format = OutputFormat::JsonLines;
            Ok(())
        },
    ),
    extension(
        "filter",
        HasArg::Required,
        "EXPR",
        "only Internet sockets matching an ss filter, e.g. 'state established and dport = :443' (hides UNIX sockets)",
        |p, value| {
            p.args.filter = Some(value_text(value));
            Ok(())
        },
    ),
    extension(
        "netns",
        HasArg::Required,
        "NS",
        "look inside one network namespace: a name (ip netns), a container id prefix (4+ characters), docker:ID (or containerd:, cri-o:, podman:, lxc:, systemd-nspawn:), k8s:NAMESPACE/POD, pid:PID, or a label --all-netns shows",
        |p, value| set_netns(p, Netns::Select(value_text(value)), "--netns"),
    ),
    extension(
        "netns-pid",
        HasArg::Required,
        "PID",
        "look inside the network namespace of process PID (same as --netns pid:PID)",
        |p, value| {
            let text = value_text(value);
            match text.parse() {
                Ok(pid) if pid > 0 => set_netns(p, Netns::Pid(pid), "--netns-pid"),
                _ => Err(Exit::message_err(
                    &format!(
                        "netstat: --netns-pid: invalid process id '{}'\n",
                        String::from_utf8_lossy(&crate::text::sanitized(text.as_bytes()))
                    ),
                    3,
                )),
            }
        },
    ),
    extension(
        "all-netns",
        HasArg::No,
        "",
        "every network namespace in use (named ones, containers, other processes'), each after a 'Network namespace: LABEL' line, then the current one",
        |p, _| set_netns(p, Netns::All, "--all-netns"),
    ),
    extension(
        "audit",
        HasArg::No,
        "",
        "health and security checks; exit 1 on a warning, 2 on a critical finding",
        |p, _| {
            p.args.audit.enabled = true;
            Ok(())
        },
    ),
    extension(
        "audit-config",
        HasArg::Required,
        "FILE",
        "read audit allow-lists and thresholds from FILE",
        |p, value| {
            p.args.audit.config = value.map(std::path::PathBuf::from);
            Ok(())
        },
    ),
    extension(
        "audit-allow",
        HasArg::Required,
        "IP:PORT",
        "an expected listener (*:PORT for any address)",
        |p, value| {
            p.args
                .audit
                .settings
                .push(("allow-listener".into(), value_text(value)));
            Ok(())
        },
    ),
    extension(
        "audit-allow-port",
        HasArg::Required,
        "PORT",
        "an expected remote port of outgoing connections",
        |p, value| {
            p.args
                .audit
                .settings
                .push(("allow-port".into(), value_text(value)));
            Ok(())
        },
    ),
    extension(
        "audit-time-wait",
        HasArg::Required,
        "N",
        "TIME_WAIT sockets that make a build-up (10000)",
        |p, value| {
            p.args
                .audit
                .settings
                .push(("time-wait".into(), value_text(value)));
            Ok(())
        },
    ),
    extension(
        "audit-set",
        HasArg::Required,
        "KEY=VALUE",
        "any audit config line, e.g. close-wait=50, skip=retransmits",
        |p, value| {
            let text = value_text(value);
            let (key, value) = text.split_once('=').unwrap_or((&text, ""));
            p.args
                .audit
                .settings
                .push((key.trim().into(), value.trim().into()));
            Ok(())
        },
    ),
    extension(
        "summary",
        HasArg::No,
        "",
        "socket totals as 'ss -s' prints them (from kernel counters), then sockets by protocol and state, the processes holding most sockets, and listeners per local address",
        |p, _| {
            p.args.summary = true;
            Ok(())
        },
    ),
    extension(
        "tcp-info",
        HasArg::No,
        "",
        "under each TCP row, its internals as 'ss -i -m': congestion algorithm, rtt/rttvar, rto, mss, cwnd, ssthresh, bytes acked/received, retransmits, lost, delivery and pacing rate, socket memory (JSON: a tcp_info object)",
        |p, _| {
            p.args.tcp_info = true;
            Ok(())
        },
    ),
    extension(
        "by-process",
        HasArg::No,
        "",
        "Internet sockets grouped under the processes holding them (pid, user, command line, fd), as 'lsof -i'; every state unless -l",
        |p, _| {
            p.args.by_process = true;
            Ok(())
        },
    ),
    extension(
        "live",
        HasArg::No,
        "",
        "a full-screen view refreshed every second (-c SECONDS for another interval): connections with their rates, processes, listeners and their queues, TCP states over time; -t -u -4 -6 -p -n --filter --netns apply; ? lists the keys",
        |p, _| {
            p.args.live = true;
            Ok(())
        },
    ),
    extension(
        "name-timeout",
        HasArg::Required,
        "SECONDS",
        "wait at most SECONDS per pass for host names (default 5, one resolver timeout); names not in by then print as numbers; 0 waits as long as the resolver does, as net-tools",
        |p, value| p.set_name_timeout(value),
    ),
    extension(
        "events",
        HasArg::No,
        "",
        "a stream of connection events until interrupted: open, close (with owner, duration, bytes sent and received), state, lost; closes come from the kernel, opens from snapshots every 100 ms; -t -u -4 -6 -n --filter --netns --all-netns --json-lines apply",
        |p, _| {
            p.args.events = true;
            Ok(())
        },
    ),
    extension(
        "generate",
        HasArg::Required,
        "KIND",
        "print a man page or shell completions: man, complete-bash, complete-zsh, complete-fish",
        |_, value| {
            let kind = value_text(value);
            match super::generate::generate(&kind) {
                Some(text) => Err(Exit::message_out(&text, 0)),
                None => Err(Exit::usage_error(format!(
                    "unknown --generate kind '{kind}'"
                ))),
            }
        },
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_af_names_are_listed() {
        for (i, a) in FLAGS.iter().enumerate() {
            for b in &FLAGS[i + 1..] {
                assert!(
                    a.short.is_none() || a.short != b.short,
                    "short {:?} twice",
                    a.short
                );
                if a.long.is_some() && a.long == b.long {
                    assert_eq!(
                        a.long,
                        Some("unix"),
                        "only --unix appears twice, as in net-tools"
                    );
                }
            }
        }
        for name in AF_LONG_NAMES {
            assert!(FLAGS.iter().any(|f| f.long == Some(name)), "{name}");
        }
    }

    fn parse(words: &[&str]) -> Result<super::super::args::Args, Exit> {
        let words: Vec<std::ffi::OsString> = words.iter().map(Into::into).collect();
        super::super::parse(&words)
    }

    #[test]
    fn one_namespace_option_at_most() {
        for (words, message) in [
            (
                &["--all-netns", "--netns", "x"][..],
                "netstat: --all-netns and --netns cannot be used together\n",
            ),
            (
                &["--netns", "x", "-tln", "--all-netns"],
                "netstat: --netns and --all-netns cannot be used together\n",
            ),
            (
                &["--netns-pid", "1", "--netns", "x"],
                "netstat: --netns-pid and --netns cannot be used together\n",
            ),
            (
                &["--netns", "a", "--netns", "b"],
                "netstat: --netns can be given only once\n",
            ),
        ] {
            let exit = parse(words).expect_err("a conflict");
            assert_eq!(
                (exit.code, exit.stderr.as_slice()),
                (3, message.as_bytes()),
                "{words:?}"
            );
        }
    }

    #[test]
    fn netns_pid_takes_a_process_id() {
        assert_eq!(parse(&["--netns-pid", "42"]).unwrap().netns, Netns::Pid(42));
        assert_eq!(
            parse(&["--netns", "pid:42"]).unwrap().netns,
            Netns::Select("pid:42".into())
        );
        for bad in ["abc", "0", "-1", "", "4294967296", "1\u{1b}"] {
            let exit = parse(&["--netns-pid", bad]).expect_err(bad);
            assert_eq!(exit.code, 3, "{bad:?}");
            let text = String::from_utf8_lossy(&exit.stderr);
            assert!(text.starts_with("netstat: --netns-pid: invalid process id"));
            assert!(!text.contains('\u{1b}'), "sanitized: {text:?}");
        }
    }
}
