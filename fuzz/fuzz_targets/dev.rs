//! `/proc/net/dev` (and `/proc/net/if_inet6` lines).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &[u8]| nettables::fuzzing::dev(text));
