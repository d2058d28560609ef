//! `/proc/net/igmp`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &[u8]| {
    let _ = nettables::groups::parse_igmp(text);
});
