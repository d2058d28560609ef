//! Addresses and sockets as findings show them.

use std::net::{IpAddr, SocketAddr};

use crate::inet::{InetSocket, Protocol};

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

/// The TCP state names of the connection listing; `unconnected` for the other protocols.
pub fn state(sock: &InetSocket) -> &'static str {
    match sock.protocol {
        Protocol::Tcp => sock.state.tcp_name().unwrap_or("other"),
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
