//! The listing pipeline every socket mode shares: the `--filter` expression, the sockets'
//! owners, which (protocol, family) tables to read and which of their sockets to show, the name
//! look-ups that must be done before rows are rendered, and the renderers' options.
//!
//! Connections, `--summary`, `--by-process` and `--audit` are built from these pieces, and so is
//! anything else that lists sockets: parse the filter once, then each pass reads the tables of a
//! [`Selection`], keeps what [`Selection::shows`], and [`prefetch`]es the names it will print.
//! The renderers never see the command line: [`columns`], [`lookups`] and [`json_options`] are
//! the narrow parts of it they need.

use nettables::filter::{AbsentInterfacesMatchNothing, Filter, SystemNames};
use nettables::inet::{Family, InetQuery, InetSocket, Protocol, StateMask};
use nettables::process::{OwnerMap, SocketHolder, SocketHolders};
use nettables::unix::UnixSocket;

use crate::cli::args::Args;
use crate::i18n::{Arg, printf, tr};
use crate::render::inet::{Columns, Scope};
use crate::render::json::{JsonOptions, Origin};
use crate::resolve::Resolvers;
use crate::resolve::sockets::Lookups;

/// `--filter`, parsed with the system's name databases; `Ok(None)` without one. A bad
/// expression is reported on stderr, with the offending text underlined by `^`, and gives the
/// exit status as the error. `every_namespace` (`--all-netns`): an interface this namespace
/// lacks matches nothing here rather than being an error, as the others may have it.
pub fn parse_filter(text: Option<&str>, every_namespace: bool) -> Result<Option<Filter>, i32> {
    let Some(text) = text else {
        return Ok(None);
    };
    let parsed = if every_namespace {
        Filter::parse_with(text, &AbsentInterfacesMatchNothing(SystemNames))
    } else {
        Filter::parse(text)
    };
    match parsed {
        Ok(filter) => Ok(Some(filter)),
        Err(e) => {
            eprint!("{}", crate::text::bad_filter(text, &e));
            Err(1)
        }
    }
}

/// Which process owns each socket: one scan of `/proc`. A `/proc` that cannot be read counts
/// as every process denied, as net-tools counts it.
pub fn owners() -> OwnerMap {
    OwnerMap::scan().unwrap_or_else(|_| {
        let mut denied = OwnerMap::default();
        denied.access_denied = true;
        denied
    })
}

/// Every process holding a socket, with its descriptors (`--by-process`); the same fallback as
/// [`owners`].
pub fn holders() -> SocketHolders {
    SocketHolders::scan().unwrap_or_else(|_| {
        let mut denied = SocketHolders::default();
        denied.access_denied = true;
        denied
    })
}

/// net-tools' warning on stderr that some owners could not be read (not root):
/// `nothing_read` when no owner at all was found.
pub fn warn_denied(nothing_read: bool) {
    let mut text = Vec::new();
    if nothing_read {
        let uid = Arg::Int(i64::from(rustix::process::geteuid().as_raw()));
        let template =
            tr!("(No info could be read for \"-p\": geteuid()=%d but you should be root.)\n");
        printf(&mut text, template, &[uid]);
    } else {
        text.extend_from_slice(tr!(
            "(Not all processes could be identified, non-owned process info\n will not be shown, you would have to be root to see it all.)\n"
        ));
    }
    let _ = std::io::Write::write_all(&mut std::io::stderr(), &text);
}

/// Whether `sock` is one of netstat's own name look-ups: a socket to a DNS server (port 53)
/// that this process holds. net-tools never lists its own look-ups, as it makes them only after
/// reading every table; here they run in the background while later tables are read. Only
/// sockets to port 53 that carry this process's user cost the read of its descriptors (a DNS
/// server's thousands of upstream sockets belong to another user, or are checked for nothing).
fn own_lookup(sock: &InetSocket) -> bool {
    if sock.remote.port() != 53
        || sock.inode == 0
        || sock.uid != rustix::process::geteuid().as_raw()
    {
        return false;
    }
    matches!(
        SocketHolder::of_process(std::process::id()),
        Ok(Some(me)) if me.sockets.iter().any(|held| held.inode == sock.inode)
    )
}

/// Which Internet tables a listing reads, in net-tools' order (protocol by protocol, IPv4 then
/// IPv6), and which of their sockets it shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    protocols: Vec<Protocol>,
    families: Vec<Family>,
    scope: Scope,
}

impl Selection {
    /// The tables `-t -u -U -w` and `-4 -6` (or `-A`) select, every one without them; the
    /// sockets `-a` and `-l` select.
    pub fn new(args: &Args) -> Selection {
        let t = &args.tables;
        let wanted = |yes: bool| !args.tables_requested || yes;
        let protocols = [
            (t.tcp, Protocol::Tcp),
            (t.udp, Protocol::Udp),
            (t.udplite, Protocol::UdpLite),
            (t.raw, Protocol::Raw),
        ];
        let families = [(args.inet, Family::Inet), (args.inet6, Family::Inet6)];
        Selection {
            protocols: protocols
                .into_iter()
                .filter_map(|(yes, p)| wanted(yes).then_some(p))
                .collect(),
            families: families
                .into_iter()
                .filter_map(|(yes, f)| wanted(yes).then_some(f))
                .collect(),
            scope: scope(args),
        }
    }

    /// The tables of `protocols` in both families, every socket shown.
    pub fn both_families(protocols: &[Protocol]) -> Selection {
        Selection {
            protocols: protocols.to_vec(),
            families: vec![Family::Inet, Family::Inet6],
            scope: Scope::All,
        }
    }

    /// The same tables, showing the sockets of `scope` instead.
    pub fn with_scope(self, scope: Scope) -> Selection {
        Selection { scope, ..self }
    }

    /// Whether `protocol`'s tables are read.
    pub fn wants(&self, protocol: Protocol) -> bool {
        self.protocols.contains(&protocol)
    }

    /// The families read, IPv4 first.
    pub fn families(&self) -> impl Iterator<Item = Family> + '_ {
        self.families.iter().copied()
    }

    /// Every table read, in order.
    pub fn tables(&self) -> impl Iterator<Item = (Protocol, Family)> + '_ {
        self.protocols
            .iter()
            .flat_map(|&p| self.families().map(move |f| (p, f)))
    }

    /// The query for one table, with the states the kernel can skip left out. TCP decides
    /// "listening" by state; UDP and raw sockets are sorted out by [`Selection::shows`].
    pub fn query(&self, protocol: Protocol, family: Family) -> InetQuery<'static> {
        let states = match (protocol, self.scope) {
            (Protocol::Tcp, Scope::Listening) => StateMask::LISTEN,
            (Protocol::Tcp, Scope::Connected) => StateMask::ALL.without(StateMask::LISTEN),
            _ => StateMask::ALL,
        };
        InetQuery::new(protocol, family).states(states)
    }

    /// Whether net-tools shows this Internet socket: servers under `-l`, all but servers by
    /// default. TCP decides on the remote port, UDP and raw on the remote address.
    pub fn shows(&self, sock: &InetSocket) -> bool {
        let server = match sock.protocol {
            Protocol::Tcp => sock.remote.port() == 0,
            Protocol::Udp | Protocol::UdpLite | Protocol::Raw => sock.remote.ip().is_unspecified(),
        };
        self.shows_server(server) && !own_lookup(sock)
    }

    /// Whether net-tools shows this Unix socket: the rule of [`Selection::shows`], with the
    /// listening sockets as the servers.
    pub fn shows_unix(&self, sock: &UnixSocket<'_>) -> bool {
        self.shows_server(sock.state == 1 && sock.is_listening())
    }

    fn shows_server(&self, server: bool) -> bool {
        match self.scope {
            Scope::All => true,
            Scope::Listening => server,
            Scope::Connected => !server,
        }
    }
}

/// Asks for every name the rows of `sockets` will show and waits for the host names, within
/// what is left of the pass's time budget. Rows rendered afterwards find the names that arrived.
pub fn prefetch<'a>(
    resolvers: &mut Resolvers,
    sockets: impl IntoIterator<Item = &'a InetSocket>,
    lookups: Lookups,
) {
    for sock in sockets {
        resolvers.request_row(sock, lookups);
    }
    if lookups.hosts {
        resolvers.hosts.wait();
    }
}

/// The scope `-a` and `-l` ask for.
pub fn scope(args: &Args) -> Scope {
    if args.all {
        Scope::All
    } else if args.listening {
        Scope::Listening
    } else {
        Scope::Connected
    }
}

/// The title and columns of the socket tables.
pub fn columns(args: &Args) -> Columns {
    Columns {
        scope: scope(args),
        user_inode: args.extend > 0,
        programs: args.programs,
        timers: args.timers,
        wide: args.wide,
        numeric_hosts: args.numeric_hosts,
    }
}

/// The names rows show: what `-n` and `--numeric-*` leave (user names only with `-e`).
pub fn lookups(args: &Args) -> Lookups {
    Lookups {
        hosts: !args.numeric_hosts,
        services: !args.numeric_ports,
        users: args.extend > 0 && !args.numeric_users,
    }
}

/// The framing of `--json`/`--json-lines` and the namespace label of each record.
pub fn json_options(args: &Args) -> JsonOptions<'_> {
    JsonOptions {
        format: args.format,
        origin: args.netns_label.as_ref().map(|shown| Origin {
            label: &shown.label,
            container: shown.container.as_ref(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nettables::inet::State;
    use nettables::unix::Flags;

    fn sock(protocol: Protocol, local: &str, remote: &str, state: State) -> InetSocket {
        InetSocket::new(
            protocol,
            local.parse().unwrap(),
            remote.parse().unwrap(),
            state,
        )
    }

    #[test]
    fn tables_follow_the_flags() {
        assert_eq!(Selection::new(&Args::default()).tables().count(), 8);
        let mut args = Args {
            tables_requested: true,
            inet6: true,
            ..Args::default()
        };
        args.tables.udp = true;
        let selection = Selection::new(&args);
        assert_eq!(
            selection.tables().collect::<Vec<_>>(),
            [(Protocol::Udp, Family::Inet6)]
        );
        assert!(selection.wants(Protocol::Udp) && !selection.wants(Protocol::Tcp));
    }

    #[test]
    fn servers_by_remote_port_for_tcp_and_remote_address_otherwise() {
        let listen = sock(Protocol::Tcp, "0.0.0.0:22", "0.0.0.0:0", State::LISTEN);
        let est = sock(
            Protocol::Tcp,
            "127.0.0.1:22",
            "127.0.0.1:4000",
            State::ESTABLISHED,
        );
        let default = Selection::new(&Args::default());
        assert!(!default.shows(&listen) && default.shows(&est));
        let listening = default.clone().with_scope(Scope::Listening);
        assert!(listening.shows(&listen) && !listening.shows(&est));
        let everything = default.clone().with_scope(Scope::All);
        assert!(everything.shows(&listen) && everything.shows(&est));
        let udp_port_zero = sock(
            Protocol::Udp,
            "127.0.0.1:53",
            "127.0.0.1:0",
            State::ESTABLISHED,
        );
        assert!(default.shows(&udp_port_zero), "UDP decides on the address");
        assert_eq!(
            listening.query(Protocol::Tcp, Family::Inet).states,
            StateMask::LISTEN
        );
        assert_eq!(
            listening.query(Protocol::Udp, Family::Inet).states,
            StateMask::ALL
        );
    }

    #[test]
    fn unix_listeners_are_the_servers() {
        let mut listener = UnixSocket::default();
        (listener.state, listener.flags) = (1, Flags::ACCEPTING);
        let mut dgram = UnixSocket::default();
        dgram.state = 1;
        let default = Selection::new(&Args::default());
        assert!(!default.shows_unix(&listener) && default.shows_unix(&dgram));
        let only = default.with_scope(Scope::Listening);
        assert!(only.shows_unix(&listener) && !only.shows_unix(&dgram));
    }
}
