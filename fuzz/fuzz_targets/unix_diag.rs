//! `unix_diag` reply messages joined with `/proc/net/unix` lines (see
//! `nettables::fuzzing::unix_diag` for the input's layout).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| nettables::fuzzing::unix_diag(data));
