//! Not yet written: the `-g` group table, part of the connection listing.

use crate::cli::args::Args;
use crate::output::Output;

/// Writes the group table (header and rows). Returns the status of the section.
pub fn write(_args: &Args, _out: &mut Output) -> super::Status {
    Ok(0)
}
