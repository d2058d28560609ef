//! Help, usage and version texts, generated from the flag table.

use std::fmt::Write;

use super::flags::{Category, FLAGS, Flag};

const SECTIONS: &[(Category, &str)] = &[
    (Category::Mode, "Modes (default: connections)"),
    (Category::Socket, "Sockets"),
    (Category::Family, "Address families"),
    (Category::Display, "Display"),
    (Category::Names, "Names"),
    (Category::Beyond, "Beyond net-tools"),
    (Category::Other, "Other"),
];

/// The short usage summary printed after an option error.
pub fn usage() -> String {
    "usage: netstat [-vWeenNcCF] [<Af>] -r         netstat {-V|--version|-h|--help}\n       \
     netstat [-vWnNcaeol] [<Socket> ...]\n       \
     netstat { [-vWeenNac] -i | [-cnNe] -M | -s [-6tuw] }\n\
     Try 'netstat --help' for more information.\n"
        .to_string()
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
            let _ = writeln!(text, "  {:<28}{}", spelling(flag), flag.doc);
        }
    }
    text.push_str(
        "\nExamples:\n  netstat -tulnp                 listening TCP and UDP sockets with their programs\n  \
         netstat -an                    every socket, numerically\n  \
         netstat -atnp | grep ESTABLISHED\n",
    );
    text
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
        "netstat {} (nettables)\nA drop-in replacement for net-tools 2.10 netstat.\n",
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
    }
}
