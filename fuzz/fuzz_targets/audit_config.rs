//! The `--audit-config` file and `--audit-set` lines (`nettables::audit::Config`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use nettables::audit::{Config, check_ids};

fuzz_target!(|text: &str| {
    let checks = check_ids();
    let mut config = Config::default();
    let _ = config.read_file("fuzz.conf", text, &checks);
    let (key, value) = text.split_once('=').unwrap_or((text, ""));
    let _ = Config::default().set(key.trim(), value.trim(), &checks);
});
