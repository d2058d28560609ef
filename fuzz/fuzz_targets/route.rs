//! `/proc/net/route` and `/proc/net/rt_cache`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &[u8]| nettables::fuzzing::route(text));
