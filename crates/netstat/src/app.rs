//! The program: parse the command line, run the mode, map the outcome to an exit status.

use std::ffi::OsString;
use std::io::{self, Write};

use crate::cli;
use crate::cli::args::{Args, Mode};
use crate::modes;
use crate::namespaces;
use crate::output::{BROKEN_PIPE_STATUS, Output, OutputFormat};

pub fn run(argv: Vec<OsString>) -> i32 {
    restore_sigpipe();
    crate::i18n::init();
    let program = argv
        .first()
        .map(|a| a.to_string_lossy().into_owned())
        .unwrap_or_else(|| "netstat".to_string());
    let args = match cli::parse(argv.get(1..).unwrap_or_default()) {
        Ok(args) => args,
        Err(exit) => {
            let _ = io::stdout().write_all(exit.stdout.as_bytes());
            let _ = io::stdout().flush();
            let mut stderr = io::stderr().lock();
            // glibc's getopt names the program by its argv[0], byte for byte.
            let argv0 = argv
                .first()
                .map_or(&b"netstat"[..], |a| a.as_encoded_bytes());
            if let Some(error) = &exit.getopt {
                let _ = stderr.write_all(&error.message(argv0));
            }
            if exit.prefixed {
                let _ = stderr.write_all(argv0);
                let _ = stderr.write_all(b": ");
            }
            let _ = stderr.write_all(&exit.stderr);
            return exit.code;
        }
    };

    if let Some(refused) = modes::platform::refusal(&args) {
        let _ = writeln!(io::stderr(), "{program}: {refused}");
        return 1;
    }

    // Our own outputs never follow the locale (net-tools' texts are looked up only in its
    // text tables, which these never print).
    if args.live || args.audit.enabled || args.format != OutputFormat::Text {
        crate::i18n::english();
    }

    // Namespaces are opened (and a named one's /etc files bound) before anything starts a
    // thread.
    let plan = match namespaces::plan(&args.netns) {
        Ok(plan) => plan,
        Err(code) => return namespaces::failure(&args, code),
    };
    let mut out = Output::stdout();
    let status = if args.events {
        modes::events::run(&args, plan, &mut out)
    } else {
        namespaces::run(&args, &plan, &mut out, run_mode)
    };
    match status.and_then(|code| out.flush().map(|()| code)) {
        Ok(code) => code,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => BROKEN_PIPE_STATUS,
        Err(e) => {
            let _ = writeln!(io::stderr(), "{program}: {e}");
            namespaces::failure(&args, 1)
        }
    }
}

fn run_mode(args: &Args, out: &mut Output) -> modes::Status {
    if args.live {
        return crate::live::run(args);
    }
    if args.audit.enabled {
        return crate::audit::run(args, out);
    }
    match args.mode {
        Mode::Connections if args.summary => modes::summary::run(args, out),
        Mode::Connections if args.by_process => modes::by_process::run(args, out),
        Mode::Connections => modes::connections::run(args, out),
        Mode::Route => modes::route::run(args, out),
        Mode::Interfaces => modes::iface::run(args, out),
        Mode::Statistics => modes::stats::run(args, out),
        Mode::Masquerade => modes::masquerade::run(args, out),
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
