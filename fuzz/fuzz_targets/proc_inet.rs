//! `/proc/net/{tcp,udp,udplite,raw}{,6}`: the first byte picks the table, the rest is the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((&selector, text)) = data.split_first() {
        nettables::fuzzing::proc_inet(selector, text);
    }
});
