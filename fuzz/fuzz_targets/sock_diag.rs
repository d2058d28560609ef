//! One sock_diag (inet_diag) reply message: the first byte picks the table, the rest is the
//! `inet_diag_msg` with its attributes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((&selector, message)) = data.split_first() {
        nettables::fuzzing::sock_diag(selector, message);
    }
});
