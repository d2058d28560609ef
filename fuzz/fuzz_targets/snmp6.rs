//! `/proc/net/snmp6` and `/proc/net/sctp/snmp`: `Key value` lines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nettables::counters::{CounterFile, parse, parse_key_values, parse_snmp6};

fuzz_target!(|text: &[u8]| {
    let _ = parse_snmp6(text);
    let _ = parse_key_values(text);
    let _ = parse(CounterFile::Snmp6, text);
    let _ = parse(CounterFile::SctpSnmp, text);
});
