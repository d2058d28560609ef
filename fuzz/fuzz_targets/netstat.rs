//! `/proc/net/netstat` (TcpExt, IpExt, ...): header/value line pairs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nettables::counters::{CounterFile, parse, parse_paired};

fuzz_target!(|text: &[u8]| {
    let _ = parse(CounterFile::Netstat, text);
    let _ = parse_paired(text);
});
