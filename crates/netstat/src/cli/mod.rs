//! The command line: flags are defined in [`flags`], parsed by [`getopt`], and become [`Args`].

pub mod args;
pub mod flags;
pub mod generate;
pub mod getopt;
pub mod help;
pub mod parsed;

use std::ffi::OsString;

use args::Args;
use flags::{AF_LONG_NAMES, FLAGS};
use getopt::{Event, Opt};

/// A run that ends during option parsing: what to print, where, and the exit status.
#[derive(Debug, PartialEq, Eq)]
pub struct Exit {
    pub stdout: String,
    /// Bytes: an option error echoes the option as given, which may be invalid UTF-8.
    pub stderr: Vec<u8>,
    pub code: i32,
    /// Whether the message starts with the program name (glibc's messages do).
    pub prefixed: bool,
    /// A getopt error, printed (with the program name) before `stderr`.
    pub getopt: Option<getopt::Error>,
}

impl Exit {
    pub fn version() -> Exit {
        Exit::message_out(&help::version(), 0)
    }

    pub fn help() -> Exit {
        Exit::message_out(&help::help(), 0)
    }

    /// The usage text alone on stderr, status 3 (`-?`, or two modes at once).
    pub fn usage_only() -> Exit {
        Exit::message_err(&help::usage(), 3)
    }

    /// `PROG: message` then the usage text on stderr, status 3, as glibc's getopt errors.
    pub fn usage_error(message: impl AsRef<[u8]>) -> Exit {
        Exit {
            stdout: String::new(),
            stderr: [message.as_ref(), b"\n", help::usage().as_bytes()].concat(),
            code: 3,
            prefixed: true,
            getopt: None,
        }
    }

    /// glibc's getopt error then the usage text on stderr, status 3.
    pub fn getopt_error(error: getopt::Error) -> Exit {
        Exit {
            stdout: String::new(),
            stderr: help::usage().into_bytes(),
            code: 3,
            prefixed: false,
            getopt: Some(error),
        }
    }

    pub fn message_err(text: &str, code: i32) -> Exit {
        Exit {
            stdout: String::new(),
            stderr: text.as_bytes().to_vec(),
            code,
            prefixed: false,
            getopt: None,
        }
    }

    pub fn message_out(text: &str, code: i32) -> Exit {
        Exit {
            stdout: text.to_string(),
            stderr: Vec::new(),
            code,
            prefixed: false,
            getopt: None,
        }
    }
}

/// The option table as getopt sees it. Long family options share one identity, like
/// net-tools' entries whose value is 1.
fn option_table() -> Vec<Opt> {
    FLAGS
        .iter()
        .enumerate()
        .map(|(index, flag)| {
            let af = flag.long.is_some_and(|l| AF_LONG_NAMES.contains(&l)) && flag.short.is_none();
            Opt {
                short: flag.short,
                long: flag.long,
                has_arg: flag.has_arg,
                id: if af { u16::MAX } else { index as u16 },
                extension: flag.extension,
            }
        })
        .collect()
}

/// Parses the arguments after `argv[0]`.
pub fn parse(args: &[OsString]) -> Result<Args, Exit> {
    let table = option_table();
    let mut parsed = parsed::Parsed::default();
    for event in getopt::parse(&table, args) {
        match event {
            Event::Opt { index, value } => (FLAGS[index].update)(&mut parsed, value.as_deref())?,
            Event::Error(error) => return Err(Exit::getopt_error(error)),
        }
    }
    parsed.finish()
}

#[cfg(test)]
mod tests {
    use super::args::Mode;
    use super::*;

    fn parse_words(words: &[&str]) -> Result<Args, Exit> {
        let args: Vec<OsString> = words.iter().map(OsString::from).collect();
        parse(&args)
    }

    fn usage_message(words: &[&str]) -> String {
        let exit = parse_words(words).unwrap_err();
        assert_eq!(exit.code, 3);
        let message = match exit.getopt {
            Some(error) => error.message(b"netstat"),
            None => exit.stderr,
        };
        let text = String::from_utf8_lossy(&message);
        let first = text.lines().next().unwrap_or_default();
        first.trim_start_matches("netstat: ").to_string()
    }

    #[test]
    fn bundled_socket_flags() {
        let args = parse_words(&["-tulnp"]).unwrap();
        assert!(args.tables.tcp && args.tables.udp && !args.tables.raw);
        assert!(args.listening && args.programs && args.numeric_hosts && args.numeric_users);
        assert!(args.inet && args.inet6 && args.tables_requested);
    }

    #[test]
    fn a_family_alone_enables_every_internet_protocol() {
        let args = parse_words(&["-4"]).unwrap();
        assert!(
            args.tables.tcp
                && args.tables.sctp
                && args.tables.udp
                && args.tables.udplite
                && args.tables.raw
        );
        assert!(args.inet && !args.inet6);
        assert_eq!(args.families, vec!["inet"]);
        let args = parse_words(&["-A", "inet6,unix"]).unwrap();
        assert!(args.inet6 && args.tables.unix && !args.inet);
        assert_eq!(args.families, vec!["inet6", "unix"]);
    }

    #[test]
    fn glibc_messages_for_long_prefixes() {
        assert_eq!(
            usage_message(&["--num"]),
            "option '--num' is ambiguous; possibilities: '--numeric' '--numeric-hosts' '--numeric-ports' '--numeric-users'"
        );
        assert_eq!(
            usage_message(&["--in"]),
            "option '--in' is ambiguous; possibilities: '--inet' '--interfaces'"
        );
        assert_eq!(
            usage_message(&["--u"]),
            "option '--u' is ambiguous; possibilities: '--unix' '--udp' '--udplite' '--unix'"
        );
        assert_eq!(
            usage_message(&["--r"]),
            "option '--r' is ambiguous; possibilities: '--rose' '--route' '--raw' '--rfcomm'"
        );
        assert_eq!(
            usage_message(&["--t"]),
            "option '--t' is ambiguous; possibilities: '--tcpip' '--tcp' '--timers'"
        );
        assert!(parse_words(&["--listen", "--prog"]).unwrap().programs);
    }

    #[test]
    fn modes_and_conflicts() {
        assert_eq!(parse_words(&["-rn"]).unwrap().mode, Mode::Route);
        assert_eq!(parse_words(&["-ie"]).unwrap().mode, Mode::Interfaces);
        assert_eq!(parse_words(&["-s"]).unwrap().mode, Mode::Statistics);
        let exit = parse_words(&["-ir"]).unwrap_err();
        assert_eq!((exit.code, exit.prefixed), (3, false));
    }

    #[test]
    fn errors_exit_with_net_tools_codes() {
        let exit = parse_words(&["-A", "bogus"]).unwrap_err();
        assert_eq!(
            (exit.stderr.as_slice(), exit.code),
            (&b"Unknown address family `bogus'.\n"[..], 1)
        );
        assert_eq!(usage_message(&["-L"]), "invalid option -- 'L'");
        assert_eq!(parse_words(&["-h"]).unwrap_err().code, 0);
        assert_eq!(parse_words(&["-V"]).unwrap_err().code, 0);
        assert_eq!(parse_words(&["-?"]).unwrap_err().code, 3);
    }

    #[test]
    fn continuous_interval() {
        assert_eq!(
            parse_words(&["-c"]).unwrap().continuous,
            Some(std::time::Duration::from_secs(1))
        );
        assert_eq!(
            parse_words(&["-c", "5"]).unwrap().continuous,
            Some(std::time::Duration::from_secs(5))
        );
        assert_eq!(parse_words(&["--continuous=0"]).unwrap_err().code, 3);
    }
}
