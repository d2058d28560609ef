//! Not yet written.

use crate::cli::args::Args;
use crate::output::Output;

pub fn run(_args: &Args, _out: &mut Output) -> super::Status {
    Ok(0)
}
