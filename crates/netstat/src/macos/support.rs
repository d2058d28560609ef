//! What the macOS mode can serve: the flags it refuses up front (with the reason, for exit
//! status 1, rather than printing a table that is not what was asked), our long options the
//! socket listing takes, and which families, protocols and statistics sections a command line
//! keeps.

use nettables::filter::SystemNames;
use nettables::inet::Protocol;
use nettables::sys::Capabilities;

use super::cli::{AddressFamily, BsdArgs, Mode, Proto};
use crate::extensions::{self, Extensions, System};

/// How our long options' messages name this mode.
const MACOS: System = System {
    name: "macOS",
    listing: "socket listing",
    other_modes: "-i, -I, -r, -s, -w, an interval",
};

/// What the command line asks that this build cannot give on a system that `can` so much,
/// said before anything is printed.
pub fn refusal(args: &BsdArgs, can: &Capabilities) -> Option<String> {
    let mode = args.mode();
    if let Some(AddressFamily::Other(name)) = args.family {
        return Some(format!(
            "-f {name}: this netstat lists inet, inet6 and unix only"
        ));
    }
    if let Some(Proto::Other(name)) = args.protocol {
        return Some(format!("-p {name}: not instrumented by this netstat"));
    }
    let missing = match mode {
        Mode::RouteStatistics => return Some("-rs: routing statistics are not supported".into()),
        Mode::Statistics if args.family == Some(AddressFamily::Unix) => {
            return Some("-s -f unix: UNIX domain statistics are not supported".into());
        }
        Mode::Statistics if args.interfaces => {
            return Some(
                "-i -s, -s -w: per-interface and repeated statistics are not supported".into(),
            );
        }
        Mode::Routes | Mode::Interfaces if args.long > 0 => {
            return Some("-l: the long route and interface columns are not supported".into());
        }
        Mode::Sockets => {
            if matches!(args.protocol, Some(Proto::Ip | Proto::Icmp)) {
                return Some("-p: raw IP and ICMP sockets are not listed on macOS".into());
            }
            if lists_unix(args) && !can.unix_sockets {
                Some("UNIX domain sockets")
            } else {
                (args.family != Some(AddressFamily::Unix) && !can.inet_sockets)
                    .then_some("Internet sockets")
            }
        }
        Mode::Routes => (!(can.routes.0 || can.routes.1)).then_some("the routing tables"),
        Mode::Interfaces => (!can.interfaces).then_some("the interface table"),
        Mode::Statistics => (!can.counters).then_some("protocol statistics"),
    };
    missing.map(|what| format!("{what}: not available on {}", can.system))
}

/// Our long options: `--json`, `--json-lines` and `--filter EXPR` on the socket listing, the
/// others refused by name. The message starts with `netstat: ` and ends with a newline.
/// The filter looks names up as on Linux (services, hosts, interfaces).
pub fn extensions(args: &BsdArgs) -> Result<Extensions, String> {
    let listing = args.mode() == Mode::Sockets;
    extensions::apply(&args.long_options, listing, &MACOS, &SystemNames)
}

/// Whether the `-f` family keeps IPv4 (`v6` false) or IPv6 rows.
pub fn keeps_family(args: &BsdArgs, v6: bool) -> bool {
    match args.family {
        None => true,
        Some(AddressFamily::Inet) => !v6,
        Some(AddressFamily::Inet6) => v6,
        Some(AddressFamily::Unix | AddressFamily::Other(_)) => false,
    }
}

/// Whether the socket listing ends with the UNIX domain section: without `-f` or with
/// `-f unix`, and neither `-p` (one protocol only) nor `-L` (Internet listen queues only).
pub fn lists_unix(args: &BsdArgs) -> bool {
    matches!(args.family, None | Some(AddressFamily::Unix))
        && args.protocol.is_none()
        && !args.listen_queues
}

/// Whether `-p` keeps the sockets of `protocol`.
pub fn keeps_protocol(args: &BsdArgs, protocol: Protocol) -> bool {
    match args.protocol {
        None => true,
        Some(Proto::Tcp) => protocol == Protocol::Tcp,
        Some(Proto::Udp) => protocol == Protocol::Udp,
        Some(_) => false,
    }
}

/// The `-s` sections to print, in BSD's order, as `-p` and `-f` choose them.
pub fn statistics_sections(args: &BsdArgs) -> &'static [&'static str] {
    match (args.protocol, args.family) {
        (Some(Proto::Tcp), _) => &["tcp"],
        (Some(Proto::Udp), _) => &["udp"],
        (Some(Proto::Ip), _) => &["ip"],
        (Some(Proto::Icmp), _) => &["icmp"],
        // BSD's IPv6 list starts with tcp and udp; ip6 and icmp6 are not instrumented here.
        (_, Some(AddressFamily::Inet6)) => &["tcp", "udp"],
        _ => &["tcp", "udp", "ip", "icmp"],
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;

    use super::*;
    use crate::macos::cli;

    fn args(words: &[&str]) -> BsdArgs {
        let words: Vec<OsString> = words.iter().map(OsString::from).collect();
        cli::parse(&words, &crate::extensions::long_options()).unwrap()
    }

    fn refused(words: &[&str]) -> Option<String> {
        refusal(&args(words), &nettables::sys::capabilities())
    }

    #[test]
    fn what_the_records_give_is_served() {
        for words in [
            &["-an"][..],
            &["-a", "-p", "tcp", "-f", "inet6"],
            &["-rn"],
            &["-rnW", "-f", "inet6"],
            &["-ib"],
            &["-I", "en0", "-w", "1", "-v"],
            &["5"],
            &["-s", "-p", "icmp"],
            &["-ss"],
            &["-anlW"],
            &["-A"],
            &["-aL"],
            &["-b"],
            &["-avv"],
            &["-f", "unix"],
            &["-u", "-v"],
        ] {
            assert_eq!(refused(words), None, "{words:?}");
        }
    }

    #[test]
    fn what_they_do_not_is_refused_with_its_reason() {
        for (words, reason) in [
            (&["-rs"][..], "-rs: routing statistics"),
            (&["-rl"], "-l: the long route"),
            (&["-il"], "-l: the long route"),
            (
                &["-s", "-w", "1"],
                "-i -s, -s -w: per-interface and repeated",
            ),
            (
                &["-f", "systm"],
                "-f systm: this netstat lists inet, inet6 and unix only",
            ),
            (&["-s", "-u"], "-s -f unix: UNIX domain statistics"),
            (&["-p", "mptcp"], "-p mptcp: not instrumented"),
            (&["-p", "icmp"], "-p: raw IP and ICMP sockets"),
        ] {
            let why = refused(words).unwrap_or_default();
            assert!(why.starts_with(reason), "{words:?}: {why:?}");
        }
        let mut can = nettables::sys::capabilities();
        can.routes = (false, false);
        let why = refusal(&args(&["-r"]), &can).unwrap();
        assert_eq!(
            why,
            format!("the routing tables: not available on {}", can.system)
        );
    }

    #[test]
    fn our_long_options_on_the_socket_listing_only() {
        use crate::output::OutputFormat;
        for (words, format) in [
            (&["--json"][..], OutputFormat::Json),
            (
                &["-an", "-p", "tcp", "-f", "inet", "--json-lines"],
                OutputFormat::JsonLines,
            ),
            (&["-a", "--filter", "sport = :22"], OutputFormat::Text),
        ] {
            let ours = extensions(&args(words)).unwrap_or_else(|e| panic!("{words:?}: {e}"));
            assert_eq!(ours.format, format, "{words:?}");
        }
        let filtered = extensions(&args(&["--filter=dport = :443 or dport = :22"]));
        assert!(filtered.unwrap().filter.is_some());
        let elsewhere = "netstat: --json, --json-lines and --filter apply to the socket listing only on macOS (not -i, -I, -r, -s, -w, an interval)\n";
        for words in [
            &["-r", "--json"][..],
            &["-i", "--json-lines"],
            &["-I", "en0", "--json"],
            &["-s", "--filter", "dport = :22"],
            &["-w", "1", "--json"],
            &["--json", "5"],
        ] {
            assert_eq!(
                extensions(&args(words)).err().as_deref(),
                Some(elsewhere),
                "{words:?}"
            );
        }
        assert_eq!(
            extensions(&args(&["-a", "--audit"])).err().as_deref(),
            Some(
                "netstat: --audit: not supported on macOS (only --json, --json-lines, --filter are)\n"
            )
        );
        let bad = extensions(&args(&["--filter", "nonsense"])).err().unwrap();
        assert!(
            bad.starts_with("netstat: bad --filter expression: "),
            "{bad}"
        );
        // Text only: without our options nothing changes.
        let plain = extensions(&args(&["-rn"])).unwrap();
        assert!(plain.format == OutputFormat::Text && plain.filter.is_none());
    }

    #[test]
    fn families_protocols_and_sections() {
        let inet6 = args(&["-f", "inet6"]);
        assert!(keeps_family(&inet6, true) && !keeps_family(&inet6, false));
        assert!(keeps_family(&args(&[]), false));
        assert!(lists_unix(&args(&["-a"])) && lists_unix(&args(&["-u"])));
        assert!(!keeps_family(&args(&["-u"]), false) && !keeps_family(&args(&["-u"]), true));
        for words in [&["-p", "tcp"][..], &["-L"], &["-f", "inet"]] {
            assert!(!lists_unix(&args(words)), "{words:?}");
        }
        let udp = args(&["-p", "udp"]);
        assert!(keeps_protocol(&udp, Protocol::Udp) && !keeps_protocol(&udp, Protocol::Tcp));
        assert_eq!(
            statistics_sections(&args(&["-s"])),
            ["tcp", "udp", "ip", "icmp"]
        );
        assert_eq!(
            statistics_sections(&args(&["-s", "-f", "inet6"])),
            ["tcp", "udp"]
        );
        assert_eq!(statistics_sections(&args(&["-s", "-p", "ip"])), ["ip"]);
    }
}
