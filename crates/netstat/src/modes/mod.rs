//! One module per mode: each collects its records, resolves names and renders them.
//!
//! A mode returns the process exit status; an `Err` is a failure to write the output.

pub mod by_process;
pub mod connections;
pub mod events;
pub mod groups;
pub mod iface;
pub mod listing;
pub mod masquerade;
pub mod platform;
pub mod route;
pub mod stats;
pub mod stats_json;
pub mod summary;

use std::io::Write;

use crate::cli::args::Args;
use crate::output::Output;

/// Exit status of a mode, or an output error.
pub type Status = std::io::Result<i32>;

/// Runs `pass` once, or every interval with `-c` until a pass fails. `pass` gets the pass
/// number (0 first); output is flushed after each pass.
pub fn repeat(
    args: &Args,
    out: &mut Output,
    mut pass: impl FnMut(&mut Output, usize) -> Status,
) -> Status {
    let mut number = 0;
    loop {
        let status = pass(out, number)?;
        out.flush()?;
        match args.continuous {
            Some(interval) if status == 0 => std::thread::sleep(interval),
            _ => return Ok(status),
        }
        number += 1;
    }
}
