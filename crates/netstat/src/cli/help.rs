//! Help, usage and version texts, generated from the flag table.

use std::fmt::Write;

use crate::i18n::tr;

use super::flags::{Category, FLAGS, Flag};

pub(super) const SECTIONS: &[(Category, &str)] = &[
    (Category::Mode, "Modes (default: connections)"),
    (Category::Socket, "Sockets"),
    (Category::Family, "Address families"),
    (Category::Display, "Display"),
    (Category::Names, "Names"),
    (Category::Beyond, "Beyond net-tools"),
    (Category::Other, "Other"),
];

/// The short usage summary printed after an option error: net-tools' first three lines (through
/// its catalog, the third without its blank line), then ours.
pub fn usage() -> String {
    let mut text = Vec::new();
    text.extend_from_slice(tr!(
        "usage: netstat [-vWeenNcCF] [<Af>] -r         netstat {-V|--version|-h|--help}\n"
    ));
    text.extend_from_slice(tr!("       netstat [-vWnNcaeol] [<Socket> ...]\n"));
    let third = tr!("       netstat { [-vWeenNac] -i | [-cnNe] -M | -s [-6tuw] }\n\n");
    text.extend_from_slice(third.strip_suffix(b"\n").unwrap_or(third));
    text.extend_from_slice(b"Try 'netstat --help' for more information.\n");
    String::from_utf8_lossy(&text).into_owned()
}

/// The full help text.
pub fn help() -> String {
    let mut text = String::from(
        "Usage: netstat [OPTION]...\n\
         Show network connections, routing tables, interfaces, statistics and multicast groups.\n\
         Output is byte-for-byte that of net-tools 2.10 netstat.\n",
    );
    for (category, title) in SECTIONS {
        let _ = write!(text, "\n{title}:\n");
        for flag in FLAGS.iter().filter(|f| f.category == *category) {
            push_entry(&mut text, &spelling(flag), flag.doc);
        }
    }
    text.push_str(
        "\nExamples:\n  netstat -tulnp                 listening TCP and UDP sockets with their programs\n  \
         netstat -an                    every socket, numerically\n  \
         netstat -tnp                   established TCP connections with their programs\n",
    );
    text
}

/// Column where flag descriptions start, and the width they wrap at.
const DOC_COLUMN: usize = 30;
const WIDTH: usize = 100;

/// One help entry: the spelling, then the description wrapped into its column (starting on the
/// next line when the spelling is too long to leave a gap).
fn push_entry(text: &mut String, spelling: &str, doc: &str) {
    let mut line = format!("  {spelling}");
    if line.len() + 2 > DOC_COLUMN {
        text.push_str(&line);
        text.push('\n');
        line.clear();
    }
    for word in doc.split(' ') {
        let empty = line.trim().is_empty() || line.len() <= DOC_COLUMN && line.ends_with(' ');
        if !empty && line.len() + 1 + word.len() > WIDTH {
            text.push_str(line.trim_end());
            text.push('\n');
            line.clear();
        }
        if line.len() < DOC_COLUMN {
            line.push_str(&" ".repeat(DOC_COLUMN - line.len()));
        } else {
            line.push(' ');
        }
        line.push_str(word);
    }
    text.push_str(&line);
    text.push('\n');
}

fn spelling(flag: &Flag) -> String {
    let mut s = String::new();
    match flag.short {
        Some(c) => {
            let _ = write!(s, "-{}", char::from(c));
        }
        None => s.push_str("  "),
    }
    if let Some(long) = flag.long {
        s.push_str(if flag.short.is_some() { ", " } else { "  " });
        let _ = write!(s, "--{long}");
    }
    if !flag.value_name.is_empty() {
        let _ = write!(s, " {}", flag.value_name);
    }
    s
}

pub fn version() -> String {
    format!(
        "net-tools 2.10 compatible netstat {}\nA drop-in replacement for net-tools 2.10 netstat, built on nettables.\n",
        env!("CARGO_PKG_VERSION")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_every_visible_flag() {
        let text = help();
        for flag in FLAGS.iter().filter(|f| f.category != Category::Hidden) {
            assert!(text.contains(&spelling(flag)), "{}", spelling(flag));
        }
        assert!(text.contains("-c, --continuous [SECONDS]"));
        assert!(
            text.lines().all(|l| l.len() <= WIDTH),
            "help lines fit in {WIDTH} columns"
        );
    }

    #[test]
    fn entries_wrap_into_the_description_column() {
        let mut text = String::new();
        push_entry(&mut text, "-x, --xx", &"word ".repeat(30));
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.len() > 1);
        assert!(lines[0].starts_with("  -x, --xx") && lines[0][DOC_COLUMN..].starts_with("word"));
        assert!(lines[1][..DOC_COLUMN].trim().is_empty());
        let mut long = String::new();
        push_entry(&mut long, "--a-very-long-option-name VALUE", "doc");
        assert_eq!(
            long,
            format!(
                "  --a-very-long-option-name VALUE\n{}doc\n",
                " ".repeat(DOC_COLUMN)
            )
        );
    }
}
