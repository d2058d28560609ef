//! The program: parse the command line, run the mode, map the outcome to an exit status.

use std::ffi::OsString;
use std::io::{self, Write};

use crate::cli::{self, args::Mode};
use crate::modes;
use crate::output::{BROKEN_PIPE_STATUS, Output};

pub fn run(argv: Vec<OsString>) -> i32 {
    restore_sigpipe();
    let program = argv
        .first()
        .map(|a| a.to_string_lossy().into_owned())
        .unwrap_or_else(|| "netstat".to_string());
    let args = match cli::parse(argv.get(1..).unwrap_or_default()) {
        Ok(args) => args,
        Err(exit) => {
            let _ = io::stdout().write_all(exit.stdout.as_bytes());
            let _ = io::stdout().flush();
            if exit.prefixed {
                let _ = write!(io::stderr(), "{program}: {}", exit.stderr);
            } else {
                let _ = io::stderr().write_all(exit.stderr.as_bytes());
            }
            return exit.code;
        }
    };

    let mut out = Output::stdout();
    let status = match args.mode {
        Mode::Connections => modes::connections::run(&args, &mut out),
        Mode::Route => modes::route::run(&args, &mut out),
        Mode::Interfaces => modes::iface::run(&args, &mut out),
        Mode::Statistics => modes::stats::run(&args, &mut out),
        Mode::Masquerade => modes::masquerade::run(&args, &mut out),
    };
    match status.and_then(|code| out.flush().map(|()| code)) {
        Ok(code) => code,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => BROKEN_PIPE_STATUS,
        Err(e) => {
            let _ = writeln!(io::stderr(), "{program}: {e}");
            1
        }
    }
}

/// Rust ignores SIGPIPE; net-tools is simply killed by it when its reader goes away
/// (`netstat -an | head`). Restoring the default gives the same quiet end and status.
fn restore_sigpipe() {
    // SAFETY: setting a signal's disposition to SIG_DFL at start-up, before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
