//! Internet sockets: TCP, UDP, UDP-Lite and raw, over IPv4 and IPv6.

use std::net::SocketAddr;
use std::time::Duration;

use crate::filter::Filter;

/// The transport protocol of an Internet socket table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// TCP (`IPPROTO_TCP`).
    Tcp,
    /// UDP (`IPPROTO_UDP`).
    Udp,
    /// UDP-Lite (`IPPROTO_UDPLITE`).
    UdpLite,
    /// Raw IP sockets of any protocol.
    Raw,
}

impl Protocol {
    /// The IP protocol number the kernel uses for this table.
    pub fn ip_protocol(self) -> u8 {
        match self {
            Protocol::Tcp => 6,
            Protocol::Udp => 17,
            Protocol::UdpLite => 136,
            Protocol::Raw => 255,
        }
    }

    /// The protocol's name as `/proc/net` and netstat write it: `tcp`, `udp`, `udplite`, `raw`.
    ///
    /// ```
    /// use nettables::inet::Protocol;
    /// assert_eq!(Protocol::UdpLite.name(), "udplite");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::UdpLite => "udplite",
            Protocol::Raw => "raw",
        }
    }

    /// The label of this protocol's table in `family`: the protocol's name, with a `6` for IPv6
    /// (`tcp`, `tcp6`, `udplite6` ...), as the `/proc/net` files are named.
    ///
    /// ```
    /// use nettables::inet::{Family, Protocol};
    /// assert_eq!(Protocol::Tcp.table(Family::Inet6), "tcp6");
    /// assert_eq!(Protocol::Raw.table(Family::Inet), "raw");
    /// ```
    pub fn table(self, family: Family) -> &'static str {
        match (self, family) {
            (Protocol::Tcp, Family::Inet) => "tcp",
            (Protocol::Tcp, Family::Inet6) => "tcp6",
            (Protocol::Udp, Family::Inet) => "udp",
            (Protocol::Udp, Family::Inet6) => "udp6",
            (Protocol::UdpLite, Family::Inet) => "udplite",
            (Protocol::UdpLite, Family::Inet6) => "udplite6",
            (Protocol::Raw, Family::Inet) => "raw",
            (Protocol::Raw, Family::Inet6) => "raw6",
        }
    }
}

/// The address family of a socket table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// IPv4 (`AF_INET`).
    Inet,
    /// IPv6 (`AF_INET6`); IPv4-mapped peers of dual-stack sockets appear here too.
    Inet6,
}

/// A socket state as the kernel numbers it (`TCP_ESTABLISHED` = 1 … `TCP_CLOSING` = 11).
///
/// UDP and raw sockets reuse the numbers: 1 when connected, 7 (`CLOSE`) when not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct State(pub u8);

impl State {
    /// `TCP_ESTABLISHED`: connected (UDP and raw: a peer is set).
    pub const ESTABLISHED: State = State(1);
    /// `TCP_SYN_SENT`: connecting, our SYN sent.
    pub const SYN_SENT: State = State(2);
    /// `TCP_SYN_RECV`: a pending connection of a listener, the peer's SYN answered.
    pub const SYN_RECV: State = State(3);
    /// `TCP_FIN_WAIT1`: we closed first; our FIN is not yet acknowledged.
    pub const FIN_WAIT1: State = State(4);
    /// `TCP_FIN_WAIT2`: we closed first; waiting for the peer's FIN.
    pub const FIN_WAIT2: State = State(5);
    /// `TCP_TIME_WAIT`: closed, kept a while so late segments are not taken for a new
    /// connection.
    pub const TIME_WAIT: State = State(6);
    /// `TCP_CLOSE`: closed (UDP and raw: not connected).
    pub const CLOSE: State = State(7);
    /// `TCP_CLOSE_WAIT`: the peer closed; the application has not.
    pub const CLOSE_WAIT: State = State(8);
    /// `TCP_LAST_ACK`: the peer closed, then we did; our FIN is not yet acknowledged.
    pub const LAST_ACK: State = State(9);
    /// `TCP_LISTEN`: accepting connections.
    pub const LISTEN: State = State(10);
    /// `TCP_CLOSING`: both sides closed at once.
    pub const CLOSING: State = State(11);

    /// The kernel's name of a TCP state (`ESTABLISHED`, `SYN_SENT` ... `CLOSING`, as
    /// `include/net/tcp_states.h` spells them); `None` for numbers outside 1 to 11.
    ///
    /// ```
    /// use nettables::inet::State;
    /// assert_eq!(State::FIN_WAIT1.tcp_name(), Some("FIN_WAIT1"));
    /// assert_eq!(State(0).tcp_name(), None);
    /// ```
    pub fn tcp_name(self) -> Option<&'static str> {
        const NAMES: [&str; 11] = [
            "ESTABLISHED",
            "SYN_SENT",
            "SYN_RECV",
            "FIN_WAIT1",
            "FIN_WAIT2",
            "TIME_WAIT",
            "CLOSE",
            "CLOSE_WAIT",
            "LAST_ACK",
            "LISTEN",
            "CLOSING",
        ];
        NAMES.get(usize::from(self.0).checked_sub(1)?).copied()
    }
}

/// A set of [`State`]s, used to let the kernel skip sockets nobody asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StateMask(pub u32);

impl StateMask {
    /// Every state.
    pub const ALL: StateMask = StateMask(0xfff);
    /// Listening sockets only.
    pub const LISTEN: StateMask = StateMask(1 << 10);
    /// Unconnected datagram and raw sockets (state `CLOSE`).
    pub const CLOSE: StateMask = StateMask(1 << 7);

    /// The mask holding exactly `state`.
    pub fn of(state: State) -> StateMask {
        StateMask(1u32.checked_shl(u32::from(state.0)).unwrap_or(0))
    }

    /// Whether `state` is in the mask.
    pub fn contains(self, state: State) -> bool {
        self.0 & StateMask::of(state).0 != 0
    }

    /// The union of two masks.
    pub fn union(self, other: StateMask) -> StateMask {
        StateMask(self.0 | other.0)
    }

    /// Every state but the ones in `other`.
    pub fn without(self, other: StateMask) -> StateMask {
        StateMask(self.0 & !other.0)
    }
}

/// Which timer is pending on a socket, as the kernel reports it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TimerKind(pub u8);

impl TimerKind {
    /// No timer is pending.
    pub const OFF: TimerKind = TimerKind(0);
    /// Retransmission (also the SYN-ACK timer of a pending connection).
    pub const RETRANSMIT: TimerKind = TimerKind(1);
    /// Keepalive probe, or the timer of a closing socket (FIN_WAIT2 without TIME_WAIT).
    pub const KEEPALIVE: TimerKind = TimerKind(2);
    /// The end of TIME_WAIT.
    pub const TIME_WAIT: TimerKind = TimerKind(3);
    /// Zero-window probe.
    pub const PROBE: TimerKind = TimerKind(4);
}

/// A socket's pending timer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Timer {
    /// Which timer is pending.
    pub kind: TimerKind,
    /// Time left until the timer fires.
    pub expires: Duration,
    /// Retransmissions so far (`icsk_retransmits`; SYN-ACK timeouts for pending connections).
    pub retransmits: u32,
    /// Unanswered keepalive or zero-window probes (`icsk_probes_out`).
    pub probes: u32,
}

/// One Internet socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct InetSocket {
    /// The socket's table.
    pub protocol: Protocol,
    /// The socket's address family (IPv4-mapped peers of IPv6 sockets are IPv6).
    pub family: Family,
    /// Local address and port. For raw sockets the "port" is the IP protocol number.
    pub local: SocketAddr,
    /// Remote address and port; unspecified address and port 0 when not connected.
    pub remote: SocketAddr,
    /// The TCP state (for UDP and raw: [`State::ESTABLISHED`] or [`State::CLOSE`]).
    pub state: State,
    /// Bytes not yet read by the application (for listeners: connections not yet accepted).
    pub recv_q: u32,
    /// Bytes not yet acknowledged by the peer (TCP) or not yet sent (UDP, raw); 0 for listeners.
    pub send_q: u32,
    /// Owner's user id (for pending connections: the listener's owner).
    pub uid: u32,
    /// Socket inode; 0 for TIME_WAIT and pending connections, which have no file.
    pub inode: u64,
    /// Index of the interface the socket is bound to (`SO_BINDTODEVICE`, IPv6 scope); 0 when
    /// unbound, and always 0 from `/proc`, which does not report it.
    pub interface: u32,
    /// Pending timer. `retransmits` and `probes` are filled only when the query asked for timers.
    pub timer: Timer,
    /// The kernel's identity of the socket (inet_diag's cookie): unique while the socket
    /// lives, and never shared by a later socket with the same addresses and ports. 0 when
    /// the row comes from `/proc`, which does not report it.
    pub cookie: u64,
    /// A listener's accept-queue limit (the `listen()` backlog, capped by `somaxconn`), which
    /// `ss` shows as Send-Q. `None` for other sockets, and from `/proc`.
    pub backlog: Option<u32>,
}

impl InetSocket {
    /// A socket with these endpoints and state, and nothing else known: no queues, root, no
    /// inode, no interface, no timer. The family follows the local address. Handy for testing a
    /// [`Filter`] or a renderer.
    pub fn new(
        protocol: Protocol,
        local: SocketAddr,
        remote: SocketAddr,
        state: State,
    ) -> InetSocket {
        InetSocket {
            protocol,
            family: if local.is_ipv4() {
                Family::Inet
            } else {
                Family::Inet6
            },
            local,
            remote,
            state,
            recv_q: 0,
            send_q: 0,
            uid: 0,
            inode: 0,
            interface: 0,
            timer: Timer::default(),
            cookie: 0,
            backlog: None,
        }
    }

    /// The label of the socket's table: `tcp`, `tcp6`, `udp`, `udplite6`, `raw6` ...
    /// (see [`Protocol::table`]).
    pub fn table(&self) -> &'static str {
        self.protocol.table(self.family)
    }
}

/// What to list from one Internet socket table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct InetQuery<'a> {
    /// The table's protocol.
    pub protocol: Protocol,
    /// The table's family.
    pub family: Family,
    /// States to list; the kernel skips the rest.
    pub states: StateMask,
    /// Whether the caller needs [`Timer::retransmits`] and [`Timer::probes`]; costs a little.
    pub timer_details: bool,
    /// Whether the caller wants [`crate::tcp_info::TcpDetails`] for TCP sockets (netlink only).
    pub tcp_details: bool,
    /// Only sockets this filter accepts are listed. Its states narrow the kernel's state mask,
    /// and on Linux its port, address and interface tests are compiled into inet_diag bytecode,
    /// so the kernel skips most other sockets before copying them out.
    pub filter: Option<&'a Filter>,
}

impl<'a> InetQuery<'a> {
    /// A query for every socket of one table.
    pub fn new(protocol: Protocol, family: Family) -> InetQuery<'a> {
        InetQuery {
            protocol,
            family,
            states: StateMask::ALL,
            timer_details: false,
            tcp_details: false,
            filter: None,
        }
    }

    /// Restricts the query to `states`.
    pub fn states(mut self, states: StateMask) -> InetQuery<'a> {
        self.states = states;
        self
    }

    /// Asks for retransmit and probe counts.
    pub fn timer_details(mut self, yes: bool) -> InetQuery<'a> {
        self.timer_details = yes;
        self
    }

    /// Asks for TCP internals ([`crate::tcp_info::TcpDetails`]), delivered by
    /// [`crate::SocketReader::for_each_inet_detailed`].
    pub fn tcp_details(mut self, yes: bool) -> InetQuery<'a> {
        self.tcp_details = yes;
        self
    }

    /// Restricts the query to sockets `filter` accepts.
    pub fn filter(mut self, filter: Option<&'a Filter>) -> InetQuery<'a> {
        self.filter = filter;
        self
    }

    /// The states worth asking the kernel for: the query's, narrowed by the filter's.
    pub fn kernel_states(&self) -> StateMask {
        let filter = self.filter.map_or(StateMask::ALL, Filter::states);
        StateMask(self.states.0 & filter.0)
    }

    /// Whether a socket from the kernel belongs in the listing (state and filter).
    pub fn accepts(&self, sock: &InetSocket) -> bool {
        self.states.contains(sock.state) && self.filter.is_none_or(|f| f.matches(sock))
    }
}
