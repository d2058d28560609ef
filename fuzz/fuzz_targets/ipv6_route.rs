//! `/proc/net/ipv6_route`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &[u8]| nettables::fuzzing::ipv6_route(text));
