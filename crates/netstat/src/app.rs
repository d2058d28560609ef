//! The program: parse the command line, run the mode, map the outcome to an exit status.

use std::ffi::OsString;
use std::io::{self, Write};

use nettables::netns::{self, Namespace, Visit};

use crate::cli;
use crate::cli::args::{Args, Mode, Netns, OutputFormat};
use crate::modes;
use crate::output::{BROKEN_PIPE_STATUS, Output};
use crate::render::json;

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

    // Namespaces are opened, and entered, before anything starts a thread.
    let targets = match namespaces(&args.netns) {
        Ok(targets) => targets,
        Err(message) => {
            eprint!("{message}");
            return 1;
        }
    };
    // Like `ip netns exec`, a named namespace's own /etc files (hosts, resolv.conf, ...) apply
    // inside it. This needs a private mount namespace, which only a single thread can enter.
    if let Netns::Named(name) = &args.netns {
        if let Err(e) = netns::bind_etc(name) {
            return cannot_enter(Some(name), &e);
        }
    }
    let mut out = Output::stdout();
    let status = if args.format == OutputFormat::Text && args.netns != Netns::All {
        in_namespace(&args, targets.first(), &mut out)
    } else {
        each_namespace(&args, &targets, &mut out)
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

/// A namespace to show: its label (`None` without a namespace option) and its handle (`None`
/// for the one netstat runs in).
struct Target {
    label: Option<String>,
    namespace: Option<Namespace>,
}

/// Opens the namespaces that `--netns`, `--netns-pid` or `--all-netns` name, or explains why
/// not. `--all-netns` lists each named namespace once, then the current one if it is unnamed.
fn namespaces(netns: &Netns) -> Result<Vec<Target>, String> {
    let opened = |label: String, namespace: nettables::Result<Namespace>| match namespace {
        Ok(namespace) => Ok(Target {
            label: Some(label),
            namespace: Some(namespace),
        }),
        Err(e) => Err(format!(
            "netstat: cannot open network namespace {label}: {}\n",
            reason(&e)
        )),
    };
    match netns {
        Netns::Current => Ok(vec![Target {
            label: None,
            namespace: None,
        }]),
        Netns::Named(name) => Ok(vec![opened(name.clone(), Namespace::named(name))?]),
        Netns::Pid(pid) => Ok(vec![opened(
            format!("pid:{pid}"),
            Namespace::of_process(*pid),
        )?]),
        Netns::All => {
            let failed = |e: nettables::Error| {
                format!("netstat: cannot list network namespaces: {}\n", reason(&e))
            };
            let current = Namespace::current()
                .and_then(|ns| ns.id())
                .map_err(failed)?;
            let mut targets = Vec::new();
            for name in netns::named().map_err(failed)? {
                let target = match Namespace::named(&name) {
                    // `ip netns del` removed it since the listing, or `ip netns add` has not
                    // finished making it: it is not there yet.
                    Err(e) if e.is_not_available() => {
                        continue;
                    }
                    namespace => opened(name.clone(), namespace)?,
                };
                let id = target.namespace.as_ref().map(Namespace::id).transpose();
                if id.map_err(failed)? != Some(current) {
                    targets.push(target);
                }
            }
            targets.push(Target {
                label: Some(CURRENT.to_string()),
                namespace: None,
            });
            Ok(targets)
        }
    }
}

/// The label of the namespace netstat runs in, under `--all-netns`.
const CURRENT: &str = "(current)";

/// The `strerror` text, with a hint when privileges are missing.
fn reason(e: &nettables::Error) -> String {
    let text = crate::text::reason(e);
    match e.os_error().and_then(io::Error::raw_os_error) {
        Some(libc::EPERM | libc::EACCES) => {
            format!("{text} (network namespaces need root, or CAP_SYS_ADMIN)")
        }
        _ => text,
    }
}

/// Runs the mode once (with its own `-c` loop) inside one namespace.
fn in_namespace(args: &Args, target: Option<&Target>, out: &mut Output) -> modes::Status {
    let Some(Target {
        label,
        namespace: Some(namespace),
    }) = target
    else {
        return run_mode(args, out);
    };
    let visit = match Visit::enter(namespace) {
        Ok(visit) => visit,
        Err(e) => return Ok(cannot_enter(label.as_deref(), &e)),
    };
    let status = run_mode(
        &Args {
            netns_label: label.clone(),
            ..args.clone()
        },
        out,
    )?;
    out.flush()?;
    match visit.leave() {
        Ok(()) => Ok(status),
        Err(e) => Ok(cannot_enter(Some("(the original one)"), &e)),
    }
}

fn cannot_enter(label: Option<&str>, e: &nettables::Error) -> i32 {
    eprintln!(
        "netstat: cannot enter network namespace {}: {}",
        label.unwrap_or(CURRENT),
        reason(e)
    );
    1
}

/// JSON output and `--all-netns`: every pass runs the mode once in each namespace, and `-c`
/// repeats the whole round. `--json` writes one array per round, with every namespace's
/// records; text gets a `Network namespace: NAME` line before each namespace's tables.
fn each_namespace(args: &Args, targets: &[Target], out: &mut Output) -> modes::Status {
    let once = Args {
        continuous: None,
        ..args.clone()
    };
    // `-s` is one object, unless several namespaces make it an array of them.
    let array = args.mode != Mode::Statistics || args.netns == Netns::All;
    // An audit's status grades its findings (1 warning, 2 critical): every namespace is still
    // checked, and the worst grade is the result. For the other modes a status is a failure.
    let mut worst = 0;
    loop {
        for target in targets {
            let once = Args {
                netns_label: target.label.clone(),
                ..once.clone()
            };
            let visit = match target.namespace.as_ref().map(Visit::enter).transpose() {
                Ok(visit) => visit,
                Err(e) => {
                    json::close(out)?;
                    out.flush()?;
                    return Ok(cannot_enter(target.label.as_deref(), &e));
                }
            };
            if args.format == OutputFormat::Text {
                writeln!(
                    out,
                    "Network namespace: {}",
                    target.label.as_deref().unwrap_or(CURRENT)
                )?;
            }
            let status = run_mode(&once, out)?;
            if let Some(Err(e)) = visit.map(Visit::leave) {
                json::close(out)?;
                out.flush()?;
                return Ok(cannot_enter(Some("(the original one)"), &e));
            }
            if args.audit.enabled && (1..=2).contains(&status) {
                worst = worst.max(status);
            } else if status != 0 {
                json::close(out)?;
                return Ok(status);
            }
        }
        if array {
            json::finish(out, args.format)?;
        }
        out.flush()?;
        match args.continuous {
            // `-s` ignores `-c`, as net-tools does.
            Some(interval) if args.mode != Mode::Statistics => std::thread::sleep(interval),
            _ => return Ok(worst),
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
