//! Parsers for the macOS backend: the kernel's binary tables turned into the library's records.
//!
//! Hand-written because neither `libc` nor `libproc` has these structures (most are
//! `#ifdef PRIVATE` in xnu) and their exact layout is the whole job. Offsets follow xnu's
//! headers, named after their fields; each parser takes the kernel's bytes (`fn parse(&[u8])`),
//! checks every read against the buffer and the record's own length, and never panics on
//! garbage. Compiled for macOS and for tests, so Linux runs the tests on buffers laid out as
//! the headers define them.
//!
//! - [`pcblist`] reads `net.inet.tcp.pcblist_n` and `net.inet.udp.pcblist_n`, the socket
//!   lists;
//! - [`procinfo`] reads `proc_pidinfo(PROC_PIDLISTFDS)` and
//!   `proc_pidfdinfo(PROC_PIDFDSOCKETINFO)`, which sockets each process holds, and [`owners`]
//!   joins them to the socket lists;
//! - [`route`] reads the `NET_RT_DUMP` and `NET_RT_DUMP2` routing messages, with [`sockaddr`]
//!   for the addresses that follow them;
//! - [`iface`] reads `if_data` (from `getifaddrs`) and the `NET_RT_IFLIST2` interface
//!   messages;
//! - [`stats`] reads the protocol counters, `net.inet.{tcp,udp,ip,icmp}.stats`.

#[cfg(target_os = "macos")]
pub(crate) mod backend;
pub mod bytes;
pub mod iface;
pub mod owners;
pub mod pcblist;
#[cfg(target_os = "macos")]
pub(crate) mod processes;
pub mod procinfo;
pub mod route;
pub mod sockaddr;
pub mod stats;
#[cfg(target_os = "macos")]
pub(crate) mod sysctl;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6};

use crate::inet::{Family, State};

/// `inp_vflag` / `insi_vflag`: the socket speaks IPv4.
pub const INP_IPV4: u8 = 0x1;
/// `inp_vflag` / `insi_vflag`: the socket speaks IPv6.
pub const INP_IPV6: u8 = 0x2;

/// A macOS TCP state (`TCPS_*` of `bsd/netinet/tcp_fsm.h`, also `TSI_S_*`) as the library's
/// [`State`]; `State(0)` for a number outside 0–10.
pub fn tcp_state(raw: i32) -> State {
    match raw {
        0 => State::CLOSE,
        1 => State::LISTEN,
        2 => State::SYN_SENT,
        3 => State::SYN_RECV,
        4 => State::ESTABLISHED,
        5 => State::CLOSE_WAIT,
        6 => State::FIN_WAIT1,
        7 => State::CLOSING,
        8 => State::LAST_ACK,
        9 => State::FIN_WAIT2,
        10 => State::TIME_WAIT,
        _ => State(0),
    }
}

/// One end of a socket from its `vflag`, its 16-byte address union (`in_addr_4in6` or
/// `in6_addr`) and its port. A socket with `INP_IPV6` set is IPv6 (a dual-stack one too, as on
/// Linux); with only `INP_IPV4`, the address is the union's last four bytes. `None` when
/// neither flag is set.
///
/// A link-local IPv6 address may carry its interface index in bytes 2–3, the KAME way the
/// kernel keeps it; it moves into the scope id.
pub fn inet_endpoint(vflag: u8, raw: [u8; 16], port: u16) -> Option<(Family, SocketAddr)> {
    if vflag & INP_IPV6 != 0 {
        return Some((Family::Inet6, SocketAddr::V6(unembed_scope(raw, port))));
    }
    if vflag & INP_IPV4 != 0 {
        let v4 = Ipv4Addr::new(raw[12], raw[13], raw[14], raw[15]);
        return Some((Family::Inet, SocketAddr::new(IpAddr::V4(v4), port)));
    }
    None
}

/// An IPv6 address with a KAME-embedded scope (link-local unicast, interface- and link-local
/// multicast) as an address and a scope id.
pub fn unembed_scope(mut raw: [u8; 16], port: u16) -> SocketAddrV6 {
    let scoped = (raw[0] == 0xfe && raw[1] & 0xc0 == 0x80)
        || (raw[0] == 0xff && matches!(raw[1] & 0x0f, 0x1 | 0x2));
    let mut scope = 0;
    if scoped {
        scope = u32::from(u16::from_be_bytes([raw[2], raw[3]]));
        raw[2] = 0;
        raw[3] = 0;
    }
    SocketAddrV6::new(Ipv6Addr::from(raw), port, 0, scope)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_follow_the_version_flags() {
        let mut raw = [0; 16];
        raw[12..].copy_from_slice(&[10, 0, 0, 1]);
        assert_eq!(
            inet_endpoint(INP_IPV4, raw, 22),
            Some((Family::Inet, "10.0.0.1:22".parse().unwrap()))
        );
        assert_eq!(
            inet_endpoint(INP_IPV4 | INP_IPV6, [0; 16], 80),
            Some((Family::Inet6, "[::]:80".parse().unwrap()))
        );
        assert_eq!(inet_endpoint(0x4, raw, 22), None);
        let multicast = unembed_scope(Ipv6Addr::new(0xff02, 7, 0, 0, 0, 0, 0, 0xfb).octets(), 5353);
        assert_eq!(multicast, "[ff02::fb%7]:5353".parse().unwrap());
        let global = unembed_scope(Ipv6Addr::new(0x2001, 7, 0, 0, 0, 0, 0, 1).octets(), 1);
        assert_eq!(global.scope_id(), 0);
    }
}
