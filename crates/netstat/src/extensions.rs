//! Our long options (`--json`, `--json-lines`, `--filter EXPR`) in the modes that speak
//! another system's netstat (Windows', macOS's). The options come from the flag table Linux's
//! netstat uses ([`crate::cli::flags`]), with its docs; each mode's grammar parses the words
//! with [`parse_long`], and [`apply`] turns them into an output format and a filter, or
//! refuses them by name. The messages name the system ([`System`]).

use std::ffi::OsString;

use nettables::filter::{Filter, Resolver};

use crate::cli::flags::{FLAGS, Flag};
use crate::cli::getopt::HasArg;
use crate::cli::parsed::Parsed;
use crate::output::OutputFormat;

/// Our long options those modes honour; the others are refused by name.
pub const HONOURED: [&str; 3] = ["json", "json-lines", "filter"];

/// One of our long options, as the shared flag table describes it.
#[derive(Clone, Copy, Debug)]
pub struct LongOption {
    pub name: &'static str,
    pub takes_value: bool,
}

/// A long option as given: its name and its value, if it takes one.
pub type Given = (&'static str, Option<OsString>);

/// How the messages name a mode's system and its listing.
#[derive(Clone, Copy, Debug)]
pub struct System {
    /// The system, as its users spell it (`Windows`).
    pub name: &'static str,
    /// What the options apply to (`connection listing`).
    pub listing: &'static str,
    /// The flags that ask for something else (`-e, -r, -s`).
    pub other_modes: &'static str,
}

/// What our long options ask for.
pub struct Extensions {
    pub format: OutputFormat,
    pub filter: Option<Filter>,
}

/// Our own long options (`--json`, `--filter` ...), from the flag table Linux's netstat uses.
fn our_flags() -> impl Iterator<Item = &'static Flag> {
    FLAGS.iter().filter(|flag| flag.extension)
}

/// Every long option of ours, for the grammar: those not honoured are parsed too, so that
/// [`apply`] refuses them by name.
pub fn long_options() -> Vec<LongOption> {
    our_flags()
        .filter_map(|flag| {
            Some(LongOption {
                name: flag.long?,
                takes_value: flag.has_arg == HasArg::Required,
            })
        })
        .collect()
}

/// The honoured options for the help text: name, value name (may be empty), description.
pub fn help() -> Vec<(&'static str, &'static str, &'static str)> {
    our_flags()
        .filter_map(|flag| Some((flag.long?, flag.value_name, flag.doc)))
        .filter(|(name, _, _)| HONOURED.contains(name))
        .collect()
}

/// Reads one long option: `text` is its word without the leading `--` (`json`,
/// `filter=EXPR`); a value not attached with `=` is the next word, which `next` gives.
/// The error is the usage message.
pub fn parse_long(
    text: &[u8],
    next: impl FnOnce() -> Option<OsString>,
    long: &[LongOption],
) -> Result<Given, String> {
    let (name, attached) = match text.iter().position(|&b| b == b'=') {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let option = long
        .iter()
        .find(|o| o.name.as_bytes() == name)
        .ok_or_else(|| format!("--{}: unknown option", String::from_utf8_lossy(name)))?;
    let value = match (option.takes_value, attached) {
        (true, Some(value)) => Some(os_string(value)),
        (true, None) => Some(next().ok_or_else(|| format!("--{} needs a value", option.name))?),
        (false, Some(_)) => return Err(format!("--{} takes no value", option.name)),
        (false, None) => None,
    };
    Ok((option.name, value))
}

fn os_string(bytes: &[u8]) -> OsString {
    // SAFETY: `bytes` is a part of an `OsString`'s encoded bytes, cut at an ASCII `=`, so it
    // is itself a valid encoding.
    unsafe { OsString::from_encoded_bytes_unchecked(bytes.to_vec()) }
}

/// Applies the long options `given`, as the flag table defines them; any not honoured is
/// refused by name, and so are all of them when the command line does not ask for the
/// `listing`. A filter's names are looked up by `names`. The message starts with `netstat: `
/// and ends with a newline.
pub fn apply(
    given: &[Given],
    listing: bool,
    system: &System,
    names: &dyn Resolver,
) -> Result<Extensions, String> {
    let mut parsed = Parsed::default();
    for (name, value) in given {
        if !HONOURED.contains(name) {
            return Err(format!(
                "netstat: --{name}: not supported on {} (only --{} are)\n",
                system.name,
                HONOURED.join(", --")
            ));
        }
        let flag = our_flags().find(|flag| flag.long == Some(name));
        if let Some(flag) = flag {
            (flag.update)(&mut parsed, value.as_deref())
                .map_err(|exit| String::from_utf8_lossy(&exit.stderr).into_owned())?;
        }
    }
    let (format, filter) = (parsed.args.format, parsed.args.filter);
    if !listing && (format != OutputFormat::Text || filter.is_some()) {
        return Err(format!(
            "netstat: --json, --json-lines and --filter apply to the {} only on {} (not {})\n",
            system.listing, system.name, system.other_modes
        ));
    }
    let filter = match filter {
        Some(text) => {
            Some(Filter::parse_with(&text, names).map_err(|e| crate::text::bad_filter(&text, &e))?)
        }
        None => None,
    };
    Ok(Extensions { format, filter })
}

#[cfg(test)]
mod tests {
    use nettables::filter::NumericNames;

    use super::*;

    const TEST: System = System {
        name: "Plan 9",
        listing: "socket listing",
        other_modes: "-r",
    };

    fn given(words: &[&str]) -> Vec<Given> {
        let long = long_options();
        let mut words = words.iter().map(OsString::from);
        let mut given = Vec::new();
        while let Some(word) = words.next() {
            let text = word.as_encoded_bytes().strip_prefix(b"--").unwrap();
            given.push(parse_long(text, || words.next(), &long).unwrap());
        }
        given
    }

    fn applied(words: &[&str], listing: bool) -> Result<Extensions, String> {
        apply(&given(words), listing, &TEST, &NumericNames)
    }

    #[test]
    fn long_words_with_and_without_values() {
        let long = long_options();
        assert_eq!(
            given(&["--json", "--filter", "dport = :443", "--filter=sport = :22"]),
            [
                ("json", None),
                ("filter", Some(OsString::from("dport = :443"))),
                ("filter", Some(OsString::from("sport = :22"))),
            ]
        );
        let none = || None;
        for (text, why) in [
            ("nope", "--nope: unknown option"),
            ("json=1", "--json takes no value"),
            ("filter", "--filter needs a value"),
        ] {
            assert_eq!(parse_long(text.as_bytes(), none, &long), Err(why.into()));
        }
        // Every one of ours parses, so that the ones not honoured are refused by name.
        assert_eq!(given(&["--audit"]), [("audit", None)]);
    }

    #[test]
    fn format_and_filter() {
        let lines = applied(&["--json", "--json-lines", "--filter", "dport = :22"], true);
        let lines = lines.unwrap();
        assert_eq!(lines.format, OutputFormat::JsonLines);
        assert!(lines.filter.is_some());
        let plain = applied(&[], false).unwrap();
        assert!(plain.format == OutputFormat::Text && plain.filter.is_none());
    }

    #[test]
    fn refusals_name_the_option_and_the_system() {
        for (words, listing, why) in [
            (
                &["--audit"][..],
                true,
                "netstat: --audit: not supported on Plan 9 (only --json, --json-lines, --filter are)\n",
            ),
            (
                &["--json"],
                false,
                "netstat: --json, --json-lines and --filter apply to the socket listing only on Plan 9 (not -r)\n",
            ),
            (
                &["--filter", "sport = :22"],
                false,
                "netstat: --json, --json-lines and --filter apply to the socket listing only on Plan 9 (not -r)\n",
            ),
        ] {
            assert_eq!(
                applied(words, listing).err().as_deref(),
                Some(why),
                "{words:?}"
            );
        }
        let bad = applied(&["--filter", "dport = "], true).err().unwrap();
        assert!(
            bad.starts_with("netstat: bad --filter expression: "),
            "{bad}"
        );
    }

    #[test]
    fn help_lists_the_honoured_ones() {
        let names: Vec<&str> = help().iter().map(|(name, _, _)| *name).collect();
        assert_eq!(names, HONOURED);
        assert!(
            help()
                .iter()
                .any(|&(name, value, _)| (name, value) == ("filter", "EXPR"))
        );
    }
}
