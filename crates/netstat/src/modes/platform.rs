//! What this system cannot do, said before anything is printed. A mode or flag whose tables
//! the system's backend lacks (nettables' capabilities) ends with a message and exit status 1,
//! never with an empty table that looks complete.

use nettables::sys::{self, OwnerKey};

use crate::cli::args::{Args, Mode, Netns};

/// The first thing asked for that this system cannot do, as a message.
pub fn refusal(args: &Args) -> Option<String> {
    let can = sys::capabilities();
    let listing = args.mode == Mode::Connections && !args.groups;
    let needs = [
        (args.live, can.events && can.inet_sockets, "--live"),
        (
            args.audit.enabled,
            can.inet_sockets && can.counters,
            "--audit",
        ),
        (args.netns != Netns::Current, can.namespaces, "--netns"),
        (args.tcp_info, can.tcp_info, "--tcp-info"),
        (args.timers, can.tcp_info, "-o (timers)"),
        (args.programs, can.owners != OwnerKey::None, "-p (owners)"),
        (args.by_process, can.holders, "--by-process"),
        (
            args.extend > 0 && listing,
            can.owners != OwnerKey::None,
            "-e (users and inodes)",
        ),
        (listing && args.summary, can.sockstat, "--summary"),
        (
            listing && args.filter.is_some(),
            can.inet_sockets,
            "--filter",
        ),
        (
            listing && inet_tables(args),
            can.inet_sockets,
            "Internet sockets",
        ),
        (
            listing && args.tables.unix,
            can.unix_sockets,
            "Unix domain sockets",
        ),
        (args.groups, can.groups, "-g"),
        (args.mode == Mode::Route, can.routes.0, "-r"),
        (args.mode == Mode::Interfaces, can.interfaces, "-i"),
        (args.mode == Mode::Statistics, can.counters, "-s"),
    ];
    let (_, _, what) = needs.iter().find(|(asked, able, _)| *asked && !*able)?;
    Some(format!("{what}: not supported on {}", can.system))
}

fn inet_tables(args: &Args) -> bool {
    let t = &args.tables;
    t.tcp || t.udp || t.udplite || t.sctp || t.raw
}
