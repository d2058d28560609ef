//! GNU `getopt_long` semantics, reproduced exactly.
//!
//! Hand-written because scripts see its behaviour: option permutation, silently ignored operands,
//! bundled short options, unique-prefix long options, and glibc's error texts (including the list
//! of possibilities for an ambiguous prefix). No argument-parsing crate reproduces those bytes.

use std::ffi::{CStr, OsString};

use crate::i18n::{self, Arg, Domain, printf};

/// Whether an option takes a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HasArg {
    No,
    Required,
    /// Attached (`-c5`, `--continuous=5`), or the next word when it is a number (`-c 5`).
    OptionalNumber,
}

/// One entry of the option table. Entries with equal `id` and `has_arg` count as the same option
/// when glibc decides whether a long prefix is ambiguous.
#[derive(Clone, Copy, Debug)]
pub struct Opt {
    pub short: Option<u8>,
    pub long: Option<&'static str>,
    pub has_arg: HasArg,
    /// What the option means; entries that share it are interchangeable.
    pub id: u16,
    /// An option net-tools does not have. Abbreviations are matched against net-tools' own
    /// options first, so that every net-tools spelling and error message stays the same.
    pub extension: bool,
}

/// What the parser found, in command-line order.
#[derive(Debug, PartialEq, Eq)]
pub enum Event {
    /// Option `table[index]`, with its value.
    Opt {
        index: usize,
        value: Option<OsString>,
    },
    /// A usage error, worded by glibc.
    Error(Error),
}

/// A usage error as glibc's getopt reports it: a message of glibc's `libc` catalog (translated
/// as glibc translates it), whose first argument is the program name.
#[derive(Debug, PartialEq, Eq)]
pub struct Error {
    msgid: &'static CStr,
    /// The arguments after the program name.
    args: Vec<Vec<u8>>,
    /// An ambiguous prefix's possibilities, each printed as ` '--NAME'`.
    possibilities: Vec<&'static str>,
}

impl Error {
    fn new(msgid: &'static CStr, args: &[&[u8]]) -> Error {
        Error {
            msgid,
            args: args.iter().map(|a| a.to_vec()).collect(),
            possibilities: Vec::new(),
        }
    }

    /// The message as glibc prints it, program name first, ending with its newline.
    pub fn message(&self, program: &[u8]) -> Vec<u8> {
        let mut args = vec![Arg::Str(program)];
        args.extend(self.args.iter().map(|a| Arg::Str(a)));
        let mut text = Vec::new();
        printf(&mut text, i18n::lookup(Domain::Libc, self.msgid), &args);
        if !self.possibilities.is_empty() {
            for name in &self.possibilities {
                text.extend_from_slice(format!(" '--{name}'").as_bytes());
            }
            text.push(b'\n');
        }
        text
    }
}

/// Parses `args` (without `argv[0]`) against `table`.
pub fn parse(table: &[Opt], args: &[OsString]) -> Vec<Event> {
    let mut events = Vec::new();
    let mut words = Words { args, next: 0 };
    while let Some(word) = words.take() {
        let word = word.as_encoded_bytes();
        if word == b"--" {
            break; // everything after is an operand, and operands are ignored
        }
        if let Some(long) = word.strip_prefix(b"--") {
            events.push(long_option(table, long, &mut words));
        } else if word.len() > 1 && word[0] == b'-' {
            short_cluster(table, &word[1..], &mut words, &mut events);
        }
        // Anything else is an operand: net-tools ignores operands.
    }
    events
}

/// The words of the command line, and the next one to read: an option's value may take it.
struct Words<'a> {
    args: &'a [OsString],
    next: usize,
}

impl<'a> Words<'a> {
    /// The next word, taken.
    fn take(&mut self) -> Option<&'a OsString> {
        let word = self.args.get(self.next)?;
        self.next += 1;
        Some(word)
    }

    /// Takes the next word as an optional value when it is a positive number of seconds. Any
    /// other word (`-c 0`, `-c 1.2.3`) stays an operand, which net-tools ignores.
    fn take_number(&mut self) -> Option<OsString> {
        let word = self.args.get(self.next)?;
        let positive = word
            .to_str()
            .and_then(|t| t.parse::<f64>().ok())
            .is_some_and(|s| s > 0.0);
        if is_number(word.as_encoded_bytes()) && positive {
            self.next += 1;
            Some(word.clone())
        } else {
            None
        }
    }
}

fn long_option(table: &[Opt], text: &[u8], words: &mut Words) -> Event {
    let (name, attached) = match text.iter().position(|&b| b == b'=') {
        Some(eq) => (&text[..eq], Some(&text[eq + 1..])),
        None => (text, None),
    };
    let index = match find_long(table, name) {
        Found::One(index) => index,
        Found::None => {
            return Event::Error(Error::new(
                c"%s: unrecognized option '%s%s'\n",
                &[b"--", text],
            ));
        }
        Found::Ambiguous(list) => {
            let msgid = c"%s: option '%s%s' is ambiguous; possibilities:";
            let mut error = Error::new(msgid, &[b"--", text]);
            error.possibilities = list
                .into_iter()
                .map(|index| table[index].long.unwrap_or_default())
                .collect();
            return Event::Error(error);
        }
    };
    let opt = &table[index];
    let long = opt.long.unwrap_or_default();
    let value = match (opt.has_arg, attached) {
        (HasArg::No, Some(_)) => {
            let msgid = c"%s: option '%s%s' doesn't allow an argument\n";
            return Event::Error(Error::new(msgid, &[b"--", long.as_bytes()]));
        }
        (HasArg::No, None) => None,
        (_, Some(value)) => Some(os(value)),
        (HasArg::Required, None) => match words.take() {
            Some(value) => Some(value.clone()),
            None => {
                let msgid = c"%s: option '%s%s' requires an argument\n";
                return Event::Error(Error::new(msgid, &[b"--", long.as_bytes()]));
            }
        },
        (HasArg::OptionalNumber, None) => words.take_number(),
    };
    Event::Opt { index, value }
}

enum Found {
    None,
    One(usize),
    Ambiguous(Vec<usize>),
}

/// glibc's rule: an exact name wins; otherwise the first entry with this prefix, unless a later
/// entry with the prefix means a different option, in which case every entry that differs from
/// the first is listed after it.
fn find_long(table: &[Opt], name: &[u8]) -> Found {
    if let Some(index) = table
        .iter()
        .position(|o| o.long.is_some_and(|l| l.as_bytes() == name))
    {
        return Found::One(index);
    }
    match find_prefix(table, name, false) {
        Found::None => find_prefix(table, name, true),
        found => found,
    }
}

fn find_prefix(table: &[Opt], name: &[u8], extension: bool) -> Found {
    let mut first: Option<usize> = None;
    let mut ambiguous: Vec<usize> = Vec::new();
    for (index, opt) in table.iter().enumerate() {
        let Some(long) = opt.long else { continue };
        if opt.extension != extension || !long.as_bytes().starts_with(name) {
            continue;
        }
        match first {
            None => first = Some(index),
            Some(f) => {
                let same = table[f].id == opt.id && table[f].has_arg == opt.has_arg;
                if !same {
                    if ambiguous.is_empty() {
                        ambiguous.push(f);
                    }
                    ambiguous.push(index);
                }
            }
        }
    }
    match (first, ambiguous.is_empty()) {
        (None, _) => Found::None,
        (Some(index), true) => Found::One(index),
        (Some(_), false) => Found::Ambiguous(ambiguous),
    }
}

/// `-abc`: each letter an option, the rest of the cluster (or the next word) a value.
fn short_cluster(table: &[Opt], cluster: &[u8], words: &mut Words, events: &mut Vec<Event>) {
    let mut pos = 0;
    while pos < cluster.len() {
        let letter = cluster[pos];
        pos += 1;
        let Some(index) = table.iter().position(|o| o.short == Some(letter)) else {
            events.push(Event::Error(Error::new(
                c"%s: invalid option -- '%c'\n",
                &[&[letter]],
            )));
            return;
        };
        let rest = &cluster[pos..];
        let value = match table[index].has_arg {
            HasArg::No => None,
            HasArg::Required if !rest.is_empty() => {
                pos = cluster.len();
                Some(os(rest))
            }
            HasArg::Required => match words.take() {
                Some(value) => Some(value.clone()),
                None => {
                    let msgid = c"%s: option requires an argument -- '%c'\n";
                    events.push(Event::Error(Error::new(msgid, &[&[letter]])));
                    return;
                }
            },
            HasArg::OptionalNumber if is_number(rest) => {
                pos = cluster.len();
                Some(os(rest))
            }
            HasArg::OptionalNumber => words.take_number(),
        };
        events.push(Event::Opt { index, value });
    }
}

fn is_number(bytes: &[u8]) -> bool {
    bytes.iter().all(|b| b.is_ascii_digit() || *b == b'.') && bytes.iter().any(u8::is_ascii_digit)
}

fn os(bytes: &[u8]) -> OsString {
    // SAFETY: `bytes` is a sub-slice of an OsString's encoded bytes, split at ASCII characters
    // ('=' or an option letter), which is what from_encoded_bytes_unchecked requires.
    unsafe { OsString::from_encoded_bytes_unchecked(bytes.to_vec()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &[Opt] = &[
        Opt {
            short: None,
            long: Some("inet"),
            has_arg: HasArg::No,
            id: 1,
            extension: false,
        },
        Opt {
            short: None,
            long: Some("inet6"),
            has_arg: HasArg::No,
            id: 1,
            extension: false,
        },
        Opt {
            short: Some(b'i'),
            long: Some("interfaces"),
            has_arg: HasArg::No,
            id: 2,
            extension: false,
        },
        Opt {
            short: Some(b'A'),
            long: Some("protocol"),
            has_arg: HasArg::Required,
            id: 3,
            extension: false,
        },
        Opt {
            short: Some(b'n'),
            long: Some("numeric"),
            has_arg: HasArg::No,
            id: 4,
            extension: false,
        },
        Opt {
            short: None,
            long: Some("numeric-hosts"),
            has_arg: HasArg::No,
            id: 5,
            extension: false,
        },
        Opt {
            short: Some(b'c'),
            long: Some("continuous"),
            has_arg: HasArg::OptionalNumber,
            id: 6,
            extension: false,
        },
        Opt {
            short: Some(b't'),
            long: Some("tcp"),
            has_arg: HasArg::No,
            id: 7,
            extension: false,
        },
        Opt {
            short: None,
            long: Some("tcp-info"),
            has_arg: HasArg::No,
            id: 8,
            extension: true,
        },
        Opt {
            short: None,
            long: Some("json"),
            has_arg: HasArg::No,
            id: 9,
            extension: true,
        },
        Opt {
            short: None,
            long: Some("json-lines"),
            has_arg: HasArg::No,
            id: 10,
            extension: true,
        },
    ];

    fn run(words: &[&str]) -> Vec<Event> {
        let args: Vec<OsString> = words.iter().map(OsString::from).collect();
        parse(TABLE, &args)
    }

    /// The errors among the events, as glibc words them in English, without the program name.
    fn errors(words: &[&str]) -> Vec<String> {
        run(words)
            .into_iter()
            .filter_map(|event| match event {
                Event::Error(e) => Some(String::from_utf8(e.message(b"netstat")).unwrap()),
                Event::Opt { .. } => None,
            })
            .map(|m| m.trim_start_matches("netstat: ").trim_end().to_string())
            .collect()
    }

    fn opt(index: usize, value: Option<&str>) -> Event {
        Event::Opt {
            index,
            value: value.map(OsString::from),
        }
    }

    #[test]
    fn bundles_operands_and_double_dash() {
        assert_eq!(
            run(&["foo", "-tn", "bar", "--", "-i"]),
            vec![opt(7, None), opt(4, None)]
        );
    }

    #[test]
    fn required_values_attached_or_separate() {
        assert_eq!(run(&["-Ainet"]), vec![opt(3, Some("inet"))]);
        assert_eq!(
            run(&["-tA", "inet"]),
            vec![opt(7, None), opt(3, Some("inet"))]
        );
        assert_eq!(run(&["--protocol=inet"]), vec![opt(3, Some("inet"))]);
        assert_eq!(run(&["--prot", "unix"]), vec![opt(3, Some("unix"))]);
        assert_eq!(errors(&["-A"]), ["option requires an argument -- 'A'"]);
        assert_eq!(
            errors(&["--prot"]),
            ["option '--protocol' requires an argument"]
        );
    }

    #[test]
    fn prefixes_exact_names_and_ambiguity() {
        assert_eq!(run(&["--inet"]), vec![opt(0, None)]);
        assert_eq!(run(&["--inte"]), vec![opt(2, None)]);
        assert_eq!(
            errors(&["--in"]),
            ["option '--in' is ambiguous; possibilities: '--inet' '--interfaces'"]
        );
        assert_eq!(
            errors(&["--num"]),
            ["option '--num' is ambiguous; possibilities: '--numeric' '--numeric-hosts'"]
        );
        assert_eq!(errors(&["--bogus=3"]), ["unrecognized option '--bogus=3'"]);
        assert_eq!(
            errors(&["--tcp=x"]),
            ["option '--tcp' doesn't allow an argument"]
        );
    }

    #[test]
    fn extensions_never_change_net_tools_abbreviations() {
        assert_eq!(run(&["--tc"]), vec![opt(7, None)], "--tc still means --tcp");
        assert_eq!(run(&["--tcp-"]), vec![opt(8, None)]);
        assert_eq!(run(&["--json"]), vec![opt(9, None)]);
        assert_eq!(run(&["--json-"]), vec![opt(10, None)]);
        assert_eq!(
            errors(&["--js"]),
            ["option '--js' is ambiguous; possibilities: '--json' '--json-lines'"]
        );
    }

    #[test]
    fn invalid_short_option_stops_the_cluster() {
        assert_eq!(run(&["-tLn"])[0], opt(7, None));
        assert_eq!(errors(&["-tLn"]), ["invalid option -- 'L'"]);
    }

    #[test]
    fn continuous_takes_an_optional_number() {
        assert_eq!(run(&["-c"]), vec![opt(6, None)]);
        assert_eq!(run(&["-c", "5"]), vec![opt(6, Some("5"))]);
        assert_eq!(run(&["-tc2"]), vec![opt(7, None), opt(6, Some("2"))]);
        assert_eq!(run(&["-c", "x"]), vec![opt(6, None)]);
        assert_eq!(run(&["--continuous=0.5"]), vec![opt(6, Some("0.5"))]);
        assert_eq!(run(&["-ct"]), vec![opt(6, None), opt(7, None)]);
    }
}
