//! `/proc/net/snmp`: header/value line pairs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nettables::counters::{CounterFile, parse};

fuzz_target!(|text: &[u8]| {
    let _ = parse(CounterFile::Snmp, text);
});
