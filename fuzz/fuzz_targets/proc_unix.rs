//! `/proc/net/unix`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &[u8]| nettables::fuzzing::proc_unix(text));
