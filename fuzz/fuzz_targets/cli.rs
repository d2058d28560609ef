//! The command line: glibc-style getopt and every flag's rules, from arguments split at NUL
//! bytes (any bytes, not only UTF-8).
//!
//! The parser lives in the binary crate (crates/netstat/src/cli/), which has no library
//! target, so its source is compiled here as it is, with the sibling modules it uses (`i18n`
//! for message look-ups, `output` for the format enum, `text` for the sanitizer) and a
//! stand-in for the JSON framing state that `output` holds; nothing is copied.
#![no_main]
#![allow(dead_code)] // only the parser of each module is driven

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use libfuzzer_sys::fuzz_target;

#[path = "../../crates/netstat/src/cli/mod.rs"]
mod cli;
#[path = "../../crates/netstat/src/i18n.rs"]
mod i18n;
#[path = "../../crates/netstat/src/output.rs"]
mod output;
#[path = "../../crates/netstat/src/text.rs"]
mod text;

/// Stands in for `render::json`, of which `output` needs only the framing state's type.
mod render {
    pub mod json {
        #[derive(Debug, Default)]
        pub struct Framing;
    }
}

fuzz_target!(|data: &[u8]| {
    let args: Vec<OsString> = data
        .split(|&b| b == 0)
        .map(|arg| OsString::from_vec(arg.to_vec()))
        .collect();
    let _ = cli::parse(&args);
});
