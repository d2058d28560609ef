//! `-M`: masqueraded connections. No kernel since 2.4 has `/proc/net/ip_masquerade`.

use std::io::Write;

use crate::cli::args::Args;
use crate::output::Output;

pub fn run(_args: &Args, _out: &mut Output) -> super::Status {
    let _ =
        std::io::stderr().write_all(b"netstat: no support for `ip_masquerade' on this system.\n");
    Ok(1)
}
