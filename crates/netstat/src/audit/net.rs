//! Addresses and sockets as findings show them.

use std::net::{IpAddr, SocketAddr};

use nettables::inet::{Family, InetSocket, Protocol, State};

/// An IPv4-mapped IPv6 address as the IPv4 address it stands for.
pub fn unmapped(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// `0.0.0.0:22`, `[::]:22`, `127.0.0.1:80` (mapped addresses in their IPv4 form).
pub fn endpoint(addr: SocketAddr) -> String {
    SocketAddr::new(unmapped(addr.ip()), addr.port()).to_string()
}

/// `tcp`, `tcp6`, `udp` or `udp6`, as the connection listing names the table.
pub fn table(sock: &InetSocket) -> &'static str {
    match (sock.protocol, sock.family) {
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

/// `tcp` or `udp`, without the family.
pub fn transport(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
        Protocol::UdpLite => "udplite",
        Protocol::Raw => "raw",
    }
}

/// The TCP state names of the connection listing, for the states the checks look at.
pub fn state(sock: &InetSocket) -> &'static str {
    match (sock.protocol, sock.state) {
        (Protocol::Tcp, State::LISTEN) => "LISTEN",
        (Protocol::Tcp, State::ESTABLISHED) => "ESTABLISHED",
        (Protocol::Tcp, State::SYN_RECV) => "SYN_RECV",
        (Protocol::Tcp, State::TIME_WAIT) => "TIME_WAIT",
        (Protocol::Tcp, State::CLOSE_WAIT) => "CLOSE_WAIT",
        (Protocol::Tcp, _) => "other",
        _ => "unconnected",
    }
}

/// Bound to every address of its family (`0.0.0.0`, `::`).
pub fn is_wildcard(addr: SocketAddr) -> bool {
    addr.ip().is_unspecified()
}

/// Bound to a loopback address (`127.0.0.0/8`, `::1`, or the mapped form).
pub fn is_loopback(addr: SocketAddr) -> bool {
    unmapped(addr.ip()).is_loopback()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_show_like_the_listing() {
        assert_eq!(
            endpoint("[::ffff:10.0.0.1]:80".parse().unwrap()),
            "10.0.0.1:80"
        );
        assert_eq!(endpoint("[::]:22".parse().unwrap()), "[::]:22");
        assert!(
            is_loopback("[::ffff:127.0.0.5]:1".parse().unwrap())
                && is_loopback("[::1]:1".parse().unwrap())
        );
        assert!(is_wildcard("[::]:1".parse().unwrap()) && !is_wildcard("[::1]:1".parse().unwrap()));
    }
}
