//! The namespace options: which network namespaces a run looks at, and the walk through them.
//!
//! `--netns` and `--netns-pid` open their namespace once, before anything starts a thread.
//! `--all-netns` discovers the namespaces in use at the start of every pass (they come and go
//! under `-c`) and opens each one just before entering it, so any number of them needs two
//! descriptors at a time. One that has gone meanwhile, or cannot be entered, is reported on
//! stderr and skipped; the others are still listed.

use std::collections::HashSet;
use std::io::{self, Write};

use nettables::netns::{
    self, Discovery, InUse, MIN_PREFIX, Namespace, SelectError, Selector, Sources, Visit,
};

use crate::cli::args::{Args, Mode, Netns, NetnsLabel, OutputFormat};
use crate::modes::Status;
use crate::output::Output;
use crate::render::json;
use crate::text;

/// Runs one mode in the namespace the calling thread is in.
pub type RunMode = fn(&Args, &mut Output) -> Status;

/// What a run looks at.
pub enum Plan {
    /// No namespace option: where netstat runs.
    Here,
    /// `--netns`, `--netns-pid`: one namespace, already open.
    One {
        shown: NetnsLabel,
        namespace: Namespace,
    },
    /// `--all-netns`: every namespace found at each pass.
    All(Sources),
}

/// Where the kubelet's pod directories are, when not in `/var/log/pods`.
const PODS_DIR_VARIABLE: &str = "NETSTAT_PODS_DIR";

fn sources() -> Sources {
    let mut sources = Sources::default();
    if let Some(dir) = std::env::var_os(PODS_DIR_VARIABLE) {
        sources.pods_dir = dir.into();
    }
    sources
}

/// Opens what the namespace options name, or reports why not and gives the exit status. Must
/// run before any thread starts: a named namespace's `/etc` files are bound in a private
/// mount namespace, which only a single-threaded process can enter.
pub fn plan(netns: &Netns) -> Result<Plan, i32> {
    match netns {
        Netns::Current => Ok(Plan::Here),
        Netns::All => Ok(Plan::All(sources())),
        Netns::Pid(pid) => of_process(*pid),
        Netns::Select(text) => select(text),
    }
}

/// `--netns TEXT`: a name under /run/netns first (as before containers were known), then a
/// selector.
fn select(text: &str) -> Result<Plan, i32> {
    match Namespace::named(text) {
        Ok(namespace) => {
            bind_etc(text)?;
            return Ok(Plan::One {
                shown: NetnsLabel {
                    label: text.to_string(),
                    container: None,
                },
                namespace,
            });
        }
        // Not a name (`k8s:default/web-0` holds a `/`), or no such name: a selector, then.
        Err(nettables::Error::InvalidName { .. }) => {}
        Err(e) if not_found(&e) => {}
        Err(e) => {
            eprintln!(
                "netstat: cannot open network namespace {}: {}",
                shown(text),
                open_reason(&e, None)
            );
            return Err(1);
        }
    }
    let selector = match Selector::parse(text) {
        Ok(Selector::Pid(pid)) => return of_process(pid),
        Ok(selector) => selector,
        Err(e) => {
            eprintln!(
                "netstat: --netns {}: {}",
                shown(text),
                shown(&e.to_string())
            );
            return Err(3);
        }
    };
    let found = discover(&sources())?;
    match found.select(&selector) {
        Ok(ns) => match ns.open() {
            Ok(namespace) => Ok(Plan::One {
                shown: label(ns),
                namespace,
            }),
            Err(e) => {
                eprintln!(
                    "netstat: cannot open network namespace {}: {}",
                    shown(ns.label()),
                    open_reason(&e, ns.oldest_pid())
                );
                Err(1)
            }
        },
        Err(SelectError::NoMatch) => Err(no_match(text, &found)),
        Err(SelectError::Ambiguous(all)) => Err(ambiguous(text, &all)),
    }
}

/// `--netns-pid PID`, `--netns pid:PID`.
fn of_process(pid: u32) -> Result<Plan, i32> {
    let opened = InUse::of_process(pid, &sources()).and_then(|ns| Ok((ns.open()?, ns)));
    match opened {
        Ok((namespace, ns)) => Ok(Plan::One {
            shown: label(&ns),
            namespace,
        }),
        Err(e) => {
            eprintln!(
                "netstat: cannot open network namespace of process {pid}: {}",
                open_reason(&e, Some(pid))
            );
            Err(1)
        }
    }
}

/// Like `ip netns exec`, a named namespace's own /etc files (hosts, resolv.conf, ...) apply
/// inside it.
fn bind_etc(name: &str) -> Result<(), i32> {
    match netns::bind_etc(name) {
        Ok(refused) => {
            for file in refused {
                eprintln!(
                    "netstat: {}: not used ({})",
                    shown(&file.path.to_string_lossy()),
                    file.reason
                );
            }
            Ok(())
        }
        Err(e) => {
            eprintln!(
                "netstat: cannot enter network namespace {}: {}",
                shown(name),
                enter_reason(&e)
            );
            Err(1)
        }
    }
}

fn discover(sources: &Sources) -> Result<Discovery, i32> {
    netns::discover(sources).map_err(|e| {
        eprintln!("netstat: cannot list network namespaces: {e}");
        1
    })
}

fn label(ns: &InUse) -> NetnsLabel {
    NetnsLabel {
        label: ns.label().to_string(),
        container: ns.container().cloned(),
    }
}

/// A label that matches nothing: what there is instead.
fn no_match(text: &str, found: &Discovery) -> i32 {
    let mut message = format!("netstat: no network namespace matches '{}'", shown(text));
    if text.len() < MIN_PREFIX && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        message.push_str(&format!(
            " (a container id prefix needs at least {MIN_PREFIX} characters)"
        ));
    }
    message.push_str("; in use:\n");
    for ns in found.namespaces() {
        message.push_str(&format!("  {}\n", shown(ns.label())));
    }
    eprint!("{message}");
    unreadable_note(found);
    1
}

/// An id prefix that several containers share.
fn ambiguous(text: &str, all: &[&InUse]) -> i32 {
    let mut message = format!(
        "netstat: '{}' matches {} containers; give more of the id:\n",
        shown(text),
        all.len()
    );
    for ns in all {
        let id = ns
            .container()
            .map(|c| format!("{}:{}", c.runtime.name(), c.id))
            .unwrap_or_default();
        message.push_str(&format!("  {}  {}\n", shown(ns.label()), shown(&id)));
    }
    eprint!("{message}");
    1
}

fn unreadable_note(found: &Discovery) {
    let count = found.unreadable_processes();
    if count == 0 {
        return;
    }
    let processes = if count == 1 { "process" } else { "processes" };
    let why = if privileges::has(privileges::CAP_SYS_PTRACE) {
        "the kernel refuses access to them even with CAP_SYS_PTRACE"
    } else {
        "other users' processes need root"
    };
    eprintln!(
        "netstat: {count} {processes} could not be examined ({why}): namespaces only they are in are not listed"
    );
}

/// Runs the mode as the plan says. Text of one namespace runs the mode once, with its own
/// `-c` loop; JSON and `--all-netns` repeat whole rounds instead, so that `--json` writes one
/// array per round and each round rediscovers the namespaces.
/// The status of a run that failed with `code`: `--audit` says 3, as its 1 and 2 grade
/// findings.
pub fn failure(args: &Args, code: i32) -> i32 {
    if args.audit.enabled && code != 0 {
        crate::audit::FAILED
    } else {
        code
    }
}

pub fn run(args: &Args, plan: &Plan, out: &mut Output, mode: RunMode) -> Status {
    match plan {
        Plan::Here if args.format == OutputFormat::Text => mode(args, out),
        Plan::One { shown, namespace } if args.format == OutputFormat::Text => {
            let Ok(visit) = enter(namespace, shown) else {
                return Ok(failure(args, 1));
            };
            let status = mode(&labelled(args, shown), out)?;
            out.flush()?;
            Ok(leave(visit).map_or(status, |code| failure(args, code)))
        }
        _ => rounds(args, plan, out, mode),
    }
}

/// What showing one namespace came to.
enum Outcome {
    /// The mode ran, with this status.
    Listed(i32),
    /// Reported on stderr and passed over.
    Skipped,
    /// The run must end with this status.
    Stop(i32),
}

fn rounds(args: &Args, plan: &Plan, out: &mut Output, mode: RunMode) -> Status {
    let once = Args {
        continuous: None,
        ..args.clone()
    };
    if matches!(plan, Plan::All(_))
        && let Some(status) = refused_everywhere(&once, out, mode)?
    {
        return Ok(status);
    }
    // `-s` is one object, unless several namespaces make it an array of them.
    let array = args.mode != Mode::Statistics || args.netns == Netns::All;
    let mut tally = Tally::default();
    let mut noted = false;
    loop {
        match plan {
            Plan::Here => tally.add(args, Outcome::Listed(mode(&once, out)?)),
            Plan::One { shown, namespace } => {
                let outcome = match enter(namespace, shown) {
                    Ok(visit) => inside(visit, || run_labelled(&once, shown, out, mode))?,
                    Err(()) => Outcome::Stop(1),
                };
                tally.add(args, outcome);
            }
            Plan::All(sources) => {
                let found = match discover(sources) {
                    Ok(found) => found,
                    Err(code) => return close(out, failure(args, code)),
                };
                if !noted {
                    unreadable_note(&found);
                    noted = true;
                }
                for ns in found.namespaces() {
                    tally.add(args, visit_found(&once, ns, out, mode)?);
                    if tally.stop.is_some() {
                        break;
                    }
                }
            }
        }
        if let Some(code) = tally.stop {
            return close(out, code);
        }
        // One namespace: a failure ends the run, as a failing pass ends net-tools' -c. Under
        // --all-netns the other namespaces are still listed, and -c goes on.
        let failed = tally.failed.filter(|_| !matches!(plan, Plan::All(_)));
        if let Some(code) = failed {
            return close(out, code);
        }
        if array {
            json::finish(out, args.format)?;
        }
        out.flush()?;
        match args.continuous {
            // `-s` ignores `-c`, as net-tools does.
            Some(interval) if args.mode != Mode::Statistics => std::thread::sleep(interval),
            _ => return Ok(tally.failed.unwrap_or(tally.worst)),
        }
    }
}

/// Options every namespace would refuse alike (a bad filter, a bad audit configuration) are
/// reported once, before the walk: `Some(status)`.
fn refused_everywhere(args: &Args, out: &mut Output, mode: RunMode) -> io::Result<Option<i32>> {
    if let Err(status) = crate::modes::listing::parse_filter(args.filter.as_deref(), true) {
        return Ok(Some(status));
    }
    if args.audit.enabled && crate::audit::refuses(args) {
        // The audit says what is wrong.
        return mode(args, out).map(Some);
    }
    Ok(None)
}

/// What the namespaces shown so far add up to.
#[derive(Default)]
struct Tally {
    /// An audit's worst grade (1 warning, 2 critical).
    worst: i32,
    /// The first failure of a mode.
    failed: Option<i32>,
    /// The run must end now.
    stop: Option<i32>,
}

impl Tally {
    fn add(&mut self, args: &Args, outcome: Outcome) {
        match outcome {
            Outcome::Stop(code) => self.stop = Some(failure(args, code)),
            Outcome::Listed(status) if args.audit.enabled && (1..=2).contains(&status) => {
                self.worst = self.worst.max(status);
            }
            Outcome::Listed(0) | Outcome::Skipped => {}
            Outcome::Listed(status) => {
                self.failed.get_or_insert(status);
            }
        }
    }
}

/// Ends the run with `code`, leaving `--json` valid.
fn close(out: &mut Output, code: i32) -> Status {
    json::close(out)?;
    out.flush()?;
    Ok(code)
}

/// One namespace of `--all-netns`: opened just before it is entered, and closed right after.
fn visit_found(args: &Args, ns: &InUse, out: &mut Output, mode: RunMode) -> io::Result<Outcome> {
    let shown_label = label(ns);
    if ns.is_current() {
        return Ok(Outcome::Listed(run_labelled(
            args,
            &shown_label,
            out,
            mode,
        )?));
    }
    let Some(handle) = open_found(ns) else {
        return Ok(Outcome::Skipped);
    };
    let Ok(visit) = enter(&handle, &shown_label) else {
        return Ok(Outcome::Skipped);
    };
    drop(handle);
    inside(visit, || run_labelled(args, &shown_label, out, mode))
}

/// Opens a namespace that discovery found, or says on stderr why it is skipped.
fn open_found(ns: &InUse) -> Option<Namespace> {
    match ns.open() {
        Ok(handle) => Some(handle),
        Err(e) if e.is_not_available() => {
            eprintln!(
                "netstat: network namespace {} has gone; skipped",
                shown(ns.label())
            );
            None
        }
        Err(e) => {
            eprintln!(
                "netstat: cannot open network namespace {}: {}; skipped",
                shown(ns.label()),
                open_reason(&e, ns.oldest_pid())
            );
            None
        }
    }
}

/// A namespace a stream watches from a thread of its own: its identity (`None` when it was
/// not found by discovery), its label (`None` without a namespace option) and its handle
/// (`None`: the one netstat runs in).
pub struct Watched {
    pub id: Option<(u64, u64)>,
    pub label: Option<NetnsLabel>,
    pub namespace: Option<Namespace>,
}

/// Every namespace the plan names, opened, for a mode that watches them all at once rather
/// than visiting them in turn; those that cannot be opened are reported and left out.
pub fn watched(plan: Plan) -> Result<Vec<Watched>, i32> {
    match plan {
        Plan::Here => Ok(vec![Watched {
            id: None,
            label: None,
            namespace: None,
        }]),
        Plan::One { shown, namespace } => Ok(vec![Watched {
            id: None,
            label: Some(shown),
            namespace: Some(namespace),
        }]),
        Plan::All(sources) => {
            let found = discover(&sources)?;
            unreadable_note(&found);
            Ok(found
                .namespaces()
                .iter()
                .filter_map(|ns| to_watch(ns, open_found))
                .collect())
        }
    }
}

/// What a stream's new look at `--all-netns` found.
pub struct Look {
    /// The identities of the namespaces in use now.
    pub in_use: HashSet<(u64, u64)>,
    /// Those of them the stream did not know, opened.
    pub new: Vec<Watched>,
}

/// `--all-netns` in a stream, looked at again; `known` says which namespaces are watched
/// already. Quiet: a namespace that cannot be listed or opened now is tried again at the next
/// look (`None`: discovery itself failed).
pub fn look_again(sources: &Sources, known: impl Fn(&(u64, u64)) -> bool) -> Option<Look> {
    let found = netns::discover(sources).ok()?;
    let in_use = found.namespaces().iter().map(InUse::id).collect();
    let new = found
        .namespaces()
        .iter()
        .filter(|ns| !known(&ns.id()))
        .filter_map(|ns| to_watch(ns, |ns| ns.open().ok()))
        .collect();
    Some(Look { in_use, new })
}

/// A discovered namespace to watch, opened by `open` unless it is netstat's own.
fn to_watch(ns: &InUse, open: impl Fn(&InUse) -> Option<Namespace>) -> Option<Watched> {
    let namespace = if ns.is_current() {
        None
    } else {
        Some(open(ns)?)
    };
    Some(Watched {
        id: Some(ns.id()),
        label: Some(label(ns)),
        namespace,
    })
}

/// Runs `run` (the mode) inside an entered namespace, then returns.
fn inside(visit: Visit, run: impl FnOnce() -> Status) -> io::Result<Outcome> {
    let status = run()?;
    Ok(match leave(visit) {
        Some(code) => Outcome::Stop(code),
        None => Outcome::Listed(status),
    })
}

/// Runs the mode with the namespace's label: after a `Network namespace: LABEL` line in text,
/// in every record's `netns` and `container` fields in JSON.
fn run_labelled(args: &Args, shown_label: &NetnsLabel, out: &mut Output, mode: RunMode) -> Status {
    if args.format == OutputFormat::Text {
        out.write_all(b"Network namespace: ")?;
        text::write_sanitized(out, shown_label.label.as_bytes())?;
        out.write_all(b"\n")?;
    }
    mode(&labelled(args, shown_label), out)
}

fn labelled(args: &Args, shown_label: &NetnsLabel) -> Args {
    Args {
        netns_label: Some(shown_label.clone()),
        ..args.clone()
    }
}

/// Enters `namespace`, or reports why not.
fn enter(namespace: &Namespace, shown_label: &NetnsLabel) -> Result<Visit, ()> {
    Visit::enter(namespace).map_err(|e| {
        eprintln!(
            "netstat: cannot enter network namespace {}: {}",
            shown(&shown_label.label),
            enter_reason(&e)
        );
    })
}

/// Returns to netstat's own namespace; `Some(status)` when that fails and the run must end.
fn leave(visit: Visit) -> Option<i32> {
    let e = visit.leave().err()?;
    eprintln!(
        "netstat: cannot return to the original network namespace: {}",
        text::reason(&e)
    );
    Some(1)
}

/// Text from outside (names, labels, what was typed) with control characters made harmless.
pub(crate) fn shown(text: &str) -> String {
    String::from_utf8_lossy(&text::sanitized(text.as_bytes())).into_owned()
}

fn errno(e: &nettables::Error) -> Option<i32> {
    e.os_error().and_then(io::Error::raw_os_error)
}

fn denied(e: &nettables::Error) -> bool {
    matches!(errno(e), Some(libc::EPERM | libc::EACCES))
}

/// Nothing by that name (rather than a file there that is not a namespace).
fn not_found(e: &nettables::Error) -> bool {
    errno(e) == Some(libc::ENOENT)
}

/// Why a namespace could not be opened. Another process's namespace link is guarded by the
/// ptrace access check: say which part of it failed rather than always "need root".
fn open_reason(e: &nettables::Error, pid: Option<u32>) -> String {
    let text = text::reason(e);
    if !denied(e) {
        return text;
    }
    let whose = pid.map_or_else(|| "its processes".to_string(), |p| format!("process {p}"));
    if !privileges::has(privileges::CAP_SYS_PTRACE) {
        format!("{text} ({whose} belongs to another user: need root, or CAP_SYS_PTRACE)")
    } else if privileges::in_user_namespace() {
        format!("{text} (netstat runs in a user namespace that does not own {whose})")
    } else {
        let yama = std::fs::read_to_string("/proc/sys/kernel/yama/ptrace_scope")
            .ok()
            .filter(|scope| scope.trim() != "0")
            .map(|scope| format!(", kernel.yama.ptrace_scope = {}", scope.trim()))
            .unwrap_or_default();
        format!(
            "{text} (the kernel refuses access to {whose} even with CAP_SYS_PTRACE: a security policy protects it{yama})"
        )
    }
}

/// Why a namespace could not be entered (`setns` needs `CAP_SYS_ADMIN` over its owner).
fn enter_reason(e: &nettables::Error) -> String {
    let text = text::reason(e);
    if !denied(e) {
        return text;
    }
    if privileges::has(privileges::CAP_SYS_ADMIN) {
        format!("{text} (it belongs to a user namespace in which netstat has no CAP_SYS_ADMIN)")
    } else if rustix::process::geteuid().is_root() {
        format!(
            "{text} (entering a network namespace needs CAP_SYS_ADMIN, which netstat runs without)"
        )
    } else {
        format!("{text} (network namespaces need root, or CAP_SYS_ADMIN)")
    }
}

/// What the process may do, from `/proc/self`.
mod privileges {
    pub const CAP_SYS_PTRACE: u32 = 19;
    pub const CAP_SYS_ADMIN: u32 = 21;

    /// Whether the effective capability set holds `cap`.
    pub fn has(cap: u32) -> bool {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("CapEff:"))
            .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
            .is_some_and(|set| set & (1 << cap) != 0)
    }

    /// Whether netstat runs in a user namespace other than the initial one (whose uid map is
    /// the identity on every uid).
    pub fn in_user_namespace() -> bool {
        let map = std::fs::read_to_string("/proc/self/uid_map").unwrap_or_default();
        let fields: Vec<&str> = map.split_whitespace().collect();
        fields != ["0", "0", "4294967295"]
    }
}
