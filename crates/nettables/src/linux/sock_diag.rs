//! Internet sockets from netlink `sock_diag` (`inet_diag`), parsed without allocation.
//!
//! The kernel walks the same hash tables in the same order as for `/proc/net/tcp` and friends,
//! so rows come out in the order net-tools prints them. Where the two sources disagree, this
//! module makes the record match `/proc`:
//! - a listener's Send-Q is 0 (inet_diag reports the backlog limit there);
//! - a pending connection (SYN_RECV) carries its listener's uid (inet_diag reports 0);
//! - UDP and raw sockets have no timer, and a raw socket's remote "port" is 0.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use super::bytecode;
use super::netlink::{DumpError, Netlink, attributes, u32_at};
use crate::inet::{Family, InetQuery, InetSocket, Protocol, State, StateMask, Timer, TimerKind};
use crate::tcp_info::{Congestion, SocketMemory, TcpDetails, TcpInfo};

/// `SOCK_DIAG_BY_FAMILY` (`<linux/sock_diag.h>`): the request type.
const SOCK_DIAG_BY_FAMILY: u16 = 20;
/// `INET_DIAG_REQ_BYTECODE`: the request attribute holding a filter program.
const INET_DIAG_REQ_BYTECODE: u16 = 1;
/// Reply attributes (`enum { INET_DIAG_NONE, INET_DIAG_MEMINFO, ... }`) that are read here.
const INET_DIAG_INFO: u16 = 2;
const INET_DIAG_CONG: u16 = 4;
const INET_DIAG_SKMEMINFO: u16 = 7;
/// `INET_DIAG_PROTOCOL`: the IP protocol, as a `u8` (destroy broadcasts carry it).
const INET_DIAG_PROTOCOL: u16 = 10;
const AF_INET: u8 = libc::AF_INET as u8;
const AF_INET6: u8 = libc::AF_INET6 as u8;

/// Byte offsets of `struct inet_diag_sockid` (`<linux/inet_diag.h>`), inside a request or a
/// reply. Ports and addresses are in network order, the rest in host order.
mod sockid {
    /// `__be16 idiag_sport`
    pub(super) const SPORT: usize = 0;
    /// `__be16 idiag_dport`
    pub(super) const DPORT: usize = 2;
    /// `__be32 idiag_src[4]` (an IPv4 address uses the first word)
    pub(super) const SRC: usize = 4;
    /// `__be32 idiag_dst[4]`
    pub(super) const DST: usize = 20;
    /// `__u32 idiag_if`
    pub(super) const IF: usize = 36;
    /// `__u32 idiag_cookie[2]`, the low half first
    pub(super) const COOKIE: usize = 40;
    /// `sizeof(struct inet_diag_sockid)`
    pub(super) const SIZE: usize = 48;
}

/// Byte offsets of `struct inet_diag_req_v2`.
mod req_v2 {
    /// `__u8 sdiag_family`
    pub(super) const FAMILY: usize = 0;
    /// `__u8 sdiag_protocol`
    pub(super) const PROTOCOL: usize = 1;
    /// `__u8 idiag_ext`: a bit per reply attribute wanted, bit `type - 1`
    pub(super) const EXT: usize = 2;
    /// `__u8 sdiag_raw_protocol` (the `pad` of older headers)
    pub(super) const RAW_PROTOCOL: usize = 3;
    /// `__u32 idiag_states`
    pub(super) const STATES: usize = 4;
    /// `struct inet_diag_sockid id`, left zero: the whole table is dumped.
    pub(super) const ID: usize = 8;
    /// `sizeof(struct inet_diag_req_v2)`
    pub(super) const SIZE: usize = ID + super::sockid::SIZE;
}

/// Byte offsets of `struct inet_diag_msg`, the fixed part of every reply.
mod diag_msg {
    /// `__u8 idiag_family`
    pub(super) const FAMILY: usize = 0;
    /// `__u8 idiag_state`
    pub(super) const STATE: usize = 1;
    /// `__u8 idiag_timer`
    pub(super) const TIMER: usize = 2;
    /// `__u8 idiag_retrans`
    pub(super) const RETRANS: usize = 3;
    /// `struct inet_diag_sockid id`
    pub(super) const ID: usize = 4;
    /// `__u32 idiag_expires`, in milliseconds
    pub(super) const EXPIRES: usize = ID + super::sockid::SIZE;
    /// `__u32 idiag_rqueue`
    pub(super) const RQUEUE: usize = EXPIRES + 4;
    /// `__u32 idiag_wqueue`
    pub(super) const WQUEUE: usize = RQUEUE + 4;
    /// `__u32 idiag_uid`
    pub(super) const UID: usize = WQUEUE + 4;
    /// `__u32 idiag_inode`
    pub(super) const INODE: usize = UID + 4;
    /// `sizeof(struct inet_diag_msg)`: the attributes follow.
    pub(super) const SIZE: usize = INODE + 4;
}

/// Byte offsets of the first fields of `struct tcp_info` (`<linux/tcp.h>`), which the timer
/// needs even when the full struct is not parsed.
mod tcpi {
    /// `__u8 tcpi_retransmits`
    pub(super) const RETRANSMITS: usize = 2;
    /// `__u8 tcpi_probes`
    pub(super) const PROBES: usize = 3;
}

/// Dumps one Internet socket table, calling `each` per socket in kernel order, with the TCP
/// details the query asked for (`None` when not asked for, or for sockets that have none).
pub(crate) fn dump<E>(
    netlink: &mut Netlink,
    query: &InetQuery,
    mut each: impl FnMut(&InetSocket, Option<&TcpDetails>) -> Result<(), E>,
) -> Result<(), DumpError<E>> {
    let states = query.kernel_states();
    let bytecode = query.filter.and_then(bytecode::compile);
    // Pending connections must show their listener's uid, so listeners are fetched along with
    // them even when they are not wanted themselves. A filter's bytecode may prune the
    // listeners, so then they come from a separate (cheap: listeners only) dump.
    let wants_pending = query.protocol == Protocol::Tcp && states.contains(State::SYN_RECV);
    let mut listener_uids: HashMap<(IpAddr, u16), u32> = HashMap::new();
    let kernel_states = if wants_pending && bytecode.is_some() {
        let listeners = request(query, StateMask::LISTEN, None);
        netlink.dump(SOCK_DIAG_BY_FAMILY, &listeners, |payload: &[u8]| {
            if let Some(sock) = parse(query, payload).filter(|s| s.state == State::LISTEN) {
                listener_uids.insert((sock.local.ip(), sock.local.port()), sock.uid);
            }
            Ok::<(), E>(())
        })?;
        states
    } else if wants_pending {
        states.union(StateMask::LISTEN)
    } else {
        states
    };

    let request = request(query, kernel_states, bytecode.as_deref());
    netlink.dump(SOCK_DIAG_BY_FAMILY, &request, |payload: &[u8]| {
        let Some(mut sock) = parse(query, payload) else {
            return Ok(());
        };
        if wants_pending {
            if sock.state == State::LISTEN {
                listener_uids.insert((sock.local.ip(), sock.local.port()), sock.uid);
            } else if sock.state == State::SYN_RECV {
                sock.uid = listener_uid(&listener_uids, &sock).unwrap_or(sock.uid);
            }
        }
        if query.accepts(&sock) {
            let details = details(query, payload);
            each(&sock, details.as_ref())?;
        }
        Ok(())
    })
}

fn listener_uid(listeners: &HashMap<(IpAddr, u16), u32>, sock: &InetSocket) -> Option<u32> {
    let port = sock.local.port();
    let wildcard = match sock.family {
        Family::Inet => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        Family::Inet6 => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    };
    listeners
        .get(&(sock.local.ip(), port))
        .or_else(|| listeners.get(&(wildcard, port)))
        .copied()
}

/// Builds a `struct inet_diag_req_v2`, followed by the filter's bytecode attribute if any.
fn request(query: &InetQuery, states: StateMask, bytecode: Option<&[u8]>) -> Vec<u8> {
    let mut req = vec![0u8; req_v2::SIZE];
    req[req_v2::FAMILY] = match query.family {
        Family::Inet => AF_INET,
        Family::Inet6 => AF_INET6,
    };
    req[req_v2::PROTOCOL] = query.protocol.ip_protocol();
    if query.protocol == Protocol::Tcp {
        if query.timer_details || query.tcp_details {
            req[req_v2::EXT] |= 1 << (INET_DIAG_INFO - 1);
        }
        if query.tcp_details {
            req[req_v2::EXT] |= 1 << (INET_DIAG_CONG - 1) | 1 << (INET_DIAG_SKMEMINFO - 1);
        }
    }
    if query.protocol == Protocol::Raw {
        // IPPROTO_RAW asks for raw sockets of every protocol.
        req[req_v2::RAW_PROTOCOL] = 255;
    }
    req[req_v2::STATES..req_v2::STATES + 4].copy_from_slice(&states.0.to_ne_bytes());
    // bytecode::compile keeps programs short enough for the 16-bit attribute length.
    if let Some(program) = bytecode
        && let Ok(len) = u16::try_from(4 + program.len())
    {
        req.extend_from_slice(&len.to_ne_bytes());
        req.extend_from_slice(&INET_DIAG_REQ_BYTECODE.to_ne_bytes());
        req.extend_from_slice(program);
    }
    req
}

/// The fixed part of one `struct inet_diag_msg`, decoded.
struct DiagMsg {
    family: Family,
    state: State,
    timer: TimerKind,
    /// `idiag_retrans`: retransmissions, or unanswered probes for probe and keepalive timers.
    retrans: u32,
    local: SocketAddr,
    remote: SocketAddr,
    interface: u32,
    cookie: u64,
    expires_ms: u32,
    rqueue: u32,
    wqueue: u32,
    uid: u32,
    inode: u64,
}

impl DiagMsg {
    /// The record of a socket of `protocol`, before the protocol's own adjustments.
    fn record(&self, protocol: Protocol) -> InetSocket {
        InetSocket {
            protocol,
            family: self.family,
            local: self.local,
            remote: self.remote,
            state: self.state,
            recv_q: self.rqueue,
            send_q: self.wqueue,
            uid: self.uid,
            inode: self.inode,
            interface: self.interface,
            timer: Timer::default(),
            cookie: self.cookie,
            backlog: None,
        }
    }

    /// `None` for a short message or a family other than IPv4 and IPv6.
    fn parse(bytes: &[u8]) -> Option<DiagMsg> {
        let fixed = bytes.get(..diag_msg::SIZE)?;
        let family = match fixed[diag_msg::FAMILY] {
            AF_INET => Family::Inet,
            AF_INET6 => Family::Inet6,
            _ => return None,
        };
        let id = &fixed[diag_msg::ID..diag_msg::ID + sockid::SIZE];
        let port = |at: usize| u16::from_be_bytes([id[at], id[at + 1]]);
        let endpoint = |addr: usize, port_at: usize| {
            SocketAddr::new(address(family, &id[addr..addr + 16]), port(port_at))
        };
        Some(DiagMsg {
            family,
            state: State(fixed[diag_msg::STATE]),
            timer: TimerKind(fixed[diag_msg::TIMER]),
            retrans: u32::from(fixed[diag_msg::RETRANS]),
            local: endpoint(sockid::SRC, sockid::SPORT),
            remote: endpoint(sockid::DST, sockid::DPORT),
            interface: u32_at(id, sockid::IF),
            cookie: u64::from(u32_at(id, sockid::COOKIE))
                | u64::from(u32_at(id, sockid::COOKIE + 4)) << 32,
            expires_ms: u32_at(fixed, diag_msg::EXPIRES),
            rqueue: u32_at(fixed, diag_msg::RQUEUE),
            wqueue: u32_at(fixed, diag_msg::WQUEUE),
            uid: u32_at(fixed, diag_msg::UID),
            inode: u64::from(u32_at(fixed, diag_msg::INODE)),
        })
    }
}

/// Parses one `inet_diag_msg` (plus attributes) into a record. `None` for foreign families.
pub(crate) fn parse(query: &InetQuery, bytes: &[u8]) -> Option<InetSocket> {
    let head = DiagMsg::parse(bytes).filter(|m| m.family == query.family)?;
    let mut sock = head.record(query.protocol);
    match query.protocol {
        Protocol::Tcp => {
            if head.state == State::LISTEN {
                sock.backlog = Some(head.wqueue);
                sock.send_q = 0;
            }
            sock.timer = tcp_timer(&head, &bytes[diag_msg::SIZE..]);
        }
        Protocol::Raw => sock.remote.set_port(0),
        Protocol::Udp | Protocol::UdpLite => {}
    }
    Some(sock)
}

/// Parses one destroy broadcast (an `inet_diag_msg` with its attributes, from the
/// `SKNLGRP_*_DESTROY` groups): the socket as it was freed, and for TCP its final `tcp_info`.
/// The kernel leaves uid and inode zero there. `None` for a short message, a foreign family or
/// a protocol other than TCP and UDP.
pub(crate) fn parse_destroyed(bytes: &[u8]) -> Option<(InetSocket, Option<TcpInfo>)> {
    let head = DiagMsg::parse(bytes)?;
    let attrs = attributes(bytes.get(diag_msg::SIZE..)?);
    let (mut protocol, mut info) = (None, None);
    for (kind, payload) in attrs {
        match kind {
            INET_DIAG_PROTOCOL => protocol = payload.first().copied(),
            INET_DIAG_INFO => info = TcpInfo::parse(payload),
            _ => {}
        }
    }
    let protocol = match protocol? {
        p if p == Protocol::Tcp.ip_protocol() => Protocol::Tcp,
        p if p == Protocol::Udp.ip_protocol() => Protocol::Udp,
        p if p == Protocol::UdpLite.ip_protocol() => Protocol::UdpLite,
        _ => return None,
    };
    let socket = head.record(protocol);
    Some((socket, info.filter(|_| protocol == Protocol::Tcp)))
}

/// The timer as `/proc/net/tcp` reports it. inet_diag puts the probe count in `idiag_retrans`
/// for probe and keepalive timers, so the retransmit count comes from `tcp_info` (among
/// `attrs`) when present.
fn tcp_timer(head: &DiagMsg, attrs: &[u8]) -> Timer {
    let kind = head.timer;
    let mut timer = Timer {
        kind,
        expires: Duration::from_millis(u64::from(head.expires_ms)),
        retransmits: 0,
        probes: 0,
    };
    if kind == TimerKind::OFF {
        timer.expires = Duration::ZERO;
    }
    let state = head.state;
    if state == State::TIME_WAIT || state == State::FIN_WAIT2 && kind == TimerKind::TIME_WAIT {
        return timer;
    }
    if state == State::SYN_RECV {
        timer.retransmits = head.retrans;
        return timer;
    }
    match attributes(attrs).find(|&(kind, _)| kind == INET_DIAG_INFO) {
        Some((_, info)) if info.len() > tcpi::PROBES => {
            timer.retransmits = u32::from(info[tcpi::RETRANSMITS]);
            timer.probes = u32::from(info[tcpi::PROBES]);
        }
        _ if kind == TimerKind::RETRANSMIT => timer.retransmits = head.retrans,
        _ => timer.probes = head.retrans,
    }
    timer
}

/// The TCP details among a message's attributes, when the query asked for them.
pub(crate) fn details(query: &InetQuery, msg: &[u8]) -> Option<TcpDetails> {
    if !query.tcp_details || query.protocol != Protocol::Tcp {
        return None;
    }
    let mut details = TcpDetails::default();
    for (kind, payload) in attributes(msg.get(diag_msg::SIZE..)?) {
        match kind {
            INET_DIAG_INFO => details.info = TcpInfo::parse(payload),
            INET_DIAG_CONG => details.congestion = Congestion::from_kernel(payload),
            INET_DIAG_SKMEMINFO => details.memory = SocketMemory::parse(payload),
            _ => {}
        }
    }
    (!details.is_empty()).then_some(details)
}

fn address(family: Family, bytes: &[u8]) -> IpAddr {
    match family {
        Family::Inet => IpAddr::V4(Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3])),
        Family::Inet6 => {
            let mut octets = [0u8; 16];
            octets.copy_from_slice(&bytes[..16]);
            IpAddr::V6(Ipv6Addr::from(octets))
        }
    }
}

/// Whether a dump error means "this kernel has no diag support for that table", so that the
/// caller should read `/proc` instead.
pub(crate) fn unsupported(err: &io::Error) -> bool {
    matches!(
        err.raw_os_error(),
        Some(
            libc::ENOENT
                | libc::EINVAL
                | libc::EOPNOTSUPP
                | libc::EPROTONOSUPPORT
                | libc::EAFNOSUPPORT
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(family: u8, state: u8, timer: u8, retrans: u8) -> Vec<u8> {
        let mut m = vec![0u8; diag_msg::SIZE];
        m[diag_msg::FAMILY..=diag_msg::RETRANS].copy_from_slice(&[family, state, timer, retrans]);
        let mut put = |at: usize, bytes: &[u8]| m[at..at + bytes.len()].copy_from_slice(bytes);
        put(diag_msg::ID + sockid::SPORT, &8080u16.to_be_bytes());
        put(diag_msg::ID + sockid::DPORT, &40000u16.to_be_bytes());
        put(diag_msg::ID + sockid::SRC, &[127, 0, 0, 1]);
        put(diag_msg::ID + sockid::DST, &[10, 1, 0, 2]);
        put(diag_msg::ID + sockid::COOKIE, &7u32.to_ne_bytes());
        put(diag_msg::ID + sockid::COOKIE + 4, &1u32.to_ne_bytes());
        for (at, value) in [
            (diag_msg::EXPIRES, 1234u32),
            (diag_msg::RQUEUE, 5),
            (diag_msg::WQUEUE, 128),
            (diag_msg::UID, 65534),
            (diag_msg::INODE, 99),
        ] {
            put(at, &value.to_ne_bytes());
        }
        m
    }

    #[test]
    fn parses_an_established_tcp_socket() {
        let query = InetQuery::new(Protocol::Tcp, Family::Inet);
        let sock = parse(&query, &message(AF_INET, 1, 1, 3)).unwrap();
        assert_eq!(sock.cookie, 1 << 32 | 7, "the low half comes first");
        assert_eq!(sock.local, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(sock.remote, "10.1.0.2:40000".parse().unwrap());
        assert_eq!(
            (sock.recv_q, sock.send_q, sock.uid, sock.inode),
            (5, 128, 65534, 99)
        );
        assert_eq!(sock.timer.kind, TimerKind::RETRANSMIT);
        assert_eq!(sock.timer.expires, Duration::from_millis(1234));
        assert_eq!(sock.timer.retransmits, 3);
    }

    #[test]
    fn listener_send_queue_is_zero_and_tcp_info_gives_counts() {
        let query = InetQuery::new(Protocol::Tcp, Family::Inet);
        let mut msg = message(AF_INET, 10, 2, 7);
        // INET_DIAG_INFO attribute with retransmits = 4, probes = 2.
        msg.extend_from_slice(&[12, 0, 2, 0, 10, 0, 4, 2, 0, 0, 0, 0]);
        let sock = parse(&query, &msg).unwrap();
        assert_eq!(sock.send_q, 0);
        assert_eq!((sock.timer.retransmits, sock.timer.probes), (4, 2));
    }

    #[test]
    fn raw_remote_port_is_zero_and_short_or_foreign_messages_are_skipped() {
        let query = InetQuery::new(Protocol::Raw, Family::Inet);
        assert_eq!(
            parse(&query, &message(AF_INET, 7, 0, 0))
                .unwrap()
                .remote
                .port(),
            0
        );
        assert!(parse(&query, &message(AF_INET6, 7, 0, 0)).is_none());
        assert!(parse(&query, &message(AF_INET, 7, 0, 0)[..40]).is_none());
        assert!(parse(&query, &[]).is_none());
    }

    #[test]
    fn request_carries_family_protocol_and_states() {
        let query = InetQuery::new(Protocol::Udp, Family::Inet6).states(StateMask::CLOSE);
        let req = request(&query, query.states, None);
        assert_eq!(req.len(), req_v2::SIZE);
        assert_eq!((req[0], req[1], req[2]), (AF_INET6, 17, 0));
        assert_eq!(u32_at(&req, 4), 1 << 7);
    }

    #[test]
    fn request_appends_the_bytecode_attribute() {
        let query = InetQuery::new(Protocol::Tcp, Family::Inet);
        let req = request(&query, query.states, Some(&[1, 4, 8, 0]));
        assert_eq!(&req[req_v2::SIZE..], &[8, 0, 1, 0, 1, 4, 8, 0]);
    }

    #[test]
    fn tcp_details_are_requested_and_parsed_from_attributes() {
        let query = InetQuery::new(Protocol::Tcp, Family::Inet).tcp_details(true);
        assert_eq!(request(&query, query.states, None)[2], 0b0100_1010);
        let mut msg = message(AF_INET, 1, 0, 0);
        assert_eq!(details(&query, &msg), None, "no attributes");
        let mut info = [0u8; 120]; // a kernel whose struct ends inside bytes_received
        info[16..20].copy_from_slice(&1448u32.to_ne_bytes());
        info[80..84].copy_from_slice(&10u32.to_ne_bytes());
        let memory: Vec<u8> = (1u32..=9).flat_map(u32::to_ne_bytes).collect();
        for (kind, payload) in [
            (INET_DIAG_INFO, &info[..]),
            (INET_DIAG_CONG, b"cubic\0"),
            (INET_DIAG_SKMEMINFO, &memory[..]),
        ] {
            let len = 4 + payload.len();
            msg.extend_from_slice(&(len as u16).to_ne_bytes());
            msg.extend_from_slice(&kind.to_ne_bytes());
            msg.extend_from_slice(payload);
            msg.resize(msg.len().next_multiple_of(4), 0);
        }
        let got = details(&query, &msg).unwrap();
        let info = got.info.unwrap();
        assert_eq!(
            (
                info.snd_mss,
                info.snd_cwnd,
                info.pacing_rate,
                info.bytes_acked
            ),
            (1448, 10, Some(0), None)
        );
        assert_eq!(got.congestion.unwrap().as_bytes(), b"cubic");
        assert_eq!(got.memory.unwrap().drops, Some(9));
        assert_eq!(
            details(&InetQuery::new(Protocol::Tcp, Family::Inet), &msg),
            None,
            "not asked for"
        );
        // A truncated attribute list keeps what came before the damage.
        let cut = &msg[..msg.len() - 10];
        let got = details(&query, cut).unwrap();
        assert!(got.info.is_some() && got.congestion.is_some() && got.memory.is_none());
    }

    #[test]
    fn parses_a_destroy_broadcast_with_its_protocol_and_final_counters() {
        let mut msg = message(AF_INET6, 7, 0, 0);
        msg[diag_msg::ID + sockid::SRC..diag_msg::ID + sockid::SRC + 16]
            .copy_from_slice(&Ipv6Addr::LOCALHOST.octets());
        let mut info = [0u8; 160];
        info[120..128].copy_from_slice(&1002u64.to_ne_bytes()); // bytes_acked
        info[128..136].copy_from_slice(&1001u64.to_ne_bytes()); // bytes_received
        for (kind, payload) in [
            (INET_DIAG_PROTOCOL, &[6u8][..]),
            (INET_DIAG_INFO, &info[..]),
        ] {
            let len = 4 + payload.len();
            msg.extend_from_slice(&(len as u16).to_ne_bytes());
            msg.extend_from_slice(&kind.to_ne_bytes());
            msg.extend_from_slice(payload);
            msg.resize(msg.len().next_multiple_of(4), 0);
        }
        let (sock, info) = parse_destroyed(&msg).unwrap();
        assert_eq!((sock.protocol, sock.family), (Protocol::Tcp, Family::Inet6));
        assert_eq!(sock.local, "[::1]:8080".parse().unwrap());
        assert_eq!(sock.cookie, 1 << 32 | 7);
        let info = info.unwrap();
        assert_eq!(
            (info.bytes_acked, info.bytes_received),
            (Some(1002), Some(1001))
        );

        // UDP: no tcp_info; no protocol attribute: not understood.
        let mut udp = message(AF_INET, 7, 0, 0);
        udp.extend_from_slice(&[5, 0, 10, 0, 17, 0, 0, 0]);
        let (sock, info) = parse_destroyed(&udp).unwrap();
        assert_eq!((sock.protocol, info), (Protocol::Udp, None));
        assert!(parse_destroyed(&message(AF_INET, 7, 0, 0)).is_none());
        assert!(parse_destroyed(&udp[..30]).is_none());
    }

    #[test]
    fn parses_the_bound_interface() {
        let query = InetQuery::new(Protocol::Tcp, Family::Inet);
        let mut msg = message(AF_INET, 1, 0, 0);
        let at = diag_msg::ID + sockid::IF;
        msg[at..at + 4].copy_from_slice(&3u32.to_ne_bytes());
        assert_eq!(parse(&query, &msg).unwrap().interface, 3);
    }
}
