//! The parsed command line: plain data that the modes read.

use std::time::Duration;

/// What netstat shows. `-g` is not a mode: it adds the group table to the connection listing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    #[default]
    Connections,
    /// `-r`
    Route,
    /// `-i`
    Interfaces,
    /// `-s`
    Statistics,
    /// `-M`
    Masquerade,
}

/// Socket tables selected by protocol flags (`-t -u -U -S -w`) and families (`-A`, `-4`, `-x` ...).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tables {
    pub tcp: bool,
    pub udp: bool,
    pub udplite: bool,
    pub sctp: bool,
    pub raw: bool,
    pub unix: bool,
    pub ipx: bool,
    pub ax25: bool,
    pub x25: bool,
    pub netrom: bool,
    pub rose: bool,
    pub l2cap: bool,
    pub rfcomm: bool,
}

pub use crate::output::OutputFormat;

/// Which network namespace(s) to look at.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Netns {
    /// The namespace netstat runs in.
    #[default]
    Current,
    /// `--netns`: a name under /run/netns (as `ip netns` uses), else a container, pod or
    /// process (`nettables::netns::Selector`), found when the run starts.
    Select(String),
    /// `--netns-pid`: the namespace of a process.
    Pid(u32),
    /// Every namespace in use, then the current one.
    All,
}

/// The namespace being shown: its label and container, for the `Network namespace:` header
/// and JSON's `netns` and `container` fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetnsLabel {
    pub label: String,
    pub container: Option<nettables::netns::Container>,
}

/// Everything the command line asked for, after net-tools' defaulting rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Args {
    pub mode: Mode,
    /// Address family names in command-line order (`inet`, `inet6`, `unix`, ...), as net-tools
    /// keeps them; empty when none was given.
    pub families: Vec<&'static str>,
    /// `inet` (or an alias) was selected.
    pub inet: bool,
    /// `inet6` was selected.
    pub inet6: bool,
    pub tables: Tables,
    /// Any socket-table flag was given (net-tools' `flag_arg`): only those sections print.
    pub tables_requested: bool,
    /// The Internet protocols were switched on by a family option (`-4`, `-A inet6`) rather than
    /// named; net-tools then stays silent about protocols the kernel lacks.
    pub protocols_implied: bool,
    /// `-g`
    pub groups: bool,
    /// `-a`
    pub all: bool,
    /// `-l`
    pub listening: bool,
    /// Number of `-e`.
    pub extend: u8,
    /// `-p`
    pub programs: bool,
    /// `-o`
    pub timers: bool,
    /// `-W`
    pub wide: bool,
    /// `-v`
    pub verbose: bool,
    /// `-n` or `--numeric-hosts`.
    pub numeric_hosts: bool,
    /// `-n` or `--numeric-ports`.
    pub numeric_ports: bool,
    /// `-n` or `--numeric-users`.
    pub numeric_users: bool,
    /// `-N`: in net-tools its only effect is numeric routes.
    pub symbolic: bool,
    /// `-F`
    pub fib: bool,
    /// `-C`
    pub cache: bool,
    /// `-c [SECONDS]`
    pub continuous: Option<Duration>,
    /// `--name-timeout SECONDS`: how long a pass waits for host names; `Some(ZERO)` waits as
    /// long as the resolver does, `None` means the default.
    pub name_timeout: Option<Duration>,
    /// `--json`, `--json-lines`
    pub format: OutputFormat,
    /// `--filter EXPR`, as typed.
    pub filter: Option<String>,
    /// `--netns`, `--netns-pid`, `--all-netns`
    pub netns: Netns,
    /// `--summary`: socket totals instead of the listing.
    pub summary: bool,
    /// `--tcp-info`: TCP internals under each TCP row.
    pub tcp_info: bool,
    /// `--by-process`: Internet sockets grouped under the processes holding them.
    pub by_process: bool,
    /// The namespace being shown; set per namespace by the namespace loop, `None` without a
    /// namespace option.
    pub netns_label: Option<NetnsLabel>,
    /// `--audit` and its options.
    pub audit: Audit,
    /// `--live`: the full-screen view.
    pub live: bool,
    /// `--events`: a stream of connection events.
    pub events: bool,
}

/// `--audit` and its options, as given; the audit checks the values when it runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Audit {
    /// `--audit`
    pub enabled: bool,
    /// `--audit-config FILE`
    pub config: Option<std::path::PathBuf>,
    /// The other `--audit-*` options in command-line order, as configuration key and value.
    pub settings: Vec<(String, String)>,
}
