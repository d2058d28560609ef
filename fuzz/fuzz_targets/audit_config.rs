//! The `--audit-config` file and `--audit-set` lines.
//!
//! The parser lives in the binary crate (crates/netstat/src/audit/config.rs), which has no
//! library target, so its source is compiled here as it is, with the one type it borrows from
//! its parent module; nothing is copied.
#![no_main]
#![allow(dead_code)] // only the parser of each module is driven

use libfuzzer_sys::fuzz_target;

/// What `config.rs` takes from `audit/mod.rs` (for matching listeners, not for parsing).
pub struct Sock {
    pub inet: nettables::inet::InetSocket,
    pub owner: Option<usize>,
}

#[path = "../../crates/netstat/src/audit/net.rs"]
mod net;

#[path = "../../crates/netstat/src/audit/config.rs"]
mod config;

/// The check ids `skip` accepts (crates/netstat/src/audit/*.rs `ID`).
const CHECKS: &[&str] = &[
    "exposed-listener",
    "suspicious-listener",
    "syn-flood",
    "time-wait",
    "close-wait",
    "unusual-remote-port",
    "interface-errors",
    "orphans-memory",
    "retransmits",
];

fuzz_target!(|text: &str| {
    let mut config = config::Config::default();
    let _ = config.read_file("fuzz.conf", text, CHECKS);
    let (key, value) = text.split_once('=').unwrap_or((text, ""));
    let _ = config::Config::default().set(key.trim(), value.trim(), CHECKS);
});
