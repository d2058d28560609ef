//! The names an Internet socket's row shows, chosen as net-tools chooses them: a host name from
//! the hosts database (the networks database for some IPv4 addresses), a service name from the
//! protocol's table, the user name of the owner's uid.

use std::net::{IpAddr, Ipv4Addr};

use nettables::inet::{InetSocket, Protocol};

use super::Resolvers;
use super::services::ServiceTable;
use crate::render::inet::RowNames;

/// Which names rows show: what `-n` (or a `--numeric-*` option) leaves to look up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lookups {
    /// Host names of the addresses.
    pub hosts: bool,
    /// Service names of the ports.
    pub services: bool,
    /// The owner's user name (`-e`).
    pub users: bool,
}

/// Where the name of an address comes from.
enum Source {
    Hosts(IpAddr),
    Networks(Ipv4Addr),
}

/// The database that names `ip`, or `None` when rows always show it as a number: wildcards,
/// and IPv4-mapped addresses (net-tools' files backend never names them).
///
/// net-tools means to name an IPv4 address from the networks database when its host part under
/// a /24 mask is zero, but applies the mask to the address in network byte order, so on
/// little-endian machines it tests the *first* octet.
fn source(ip: IpAddr) -> Option<Source> {
    match ip {
        IpAddr::V4(v4) if v4.is_unspecified() => None,
        IpAddr::V4(v4) => {
            let tested = if cfg!(target_endian = "little") { 0 } else { 3 };
            Some(if v4.octets()[tested] == 0 {
                Source::Networks(v4)
            } else {
                Source::Hosts(ip)
            })
        }
        IpAddr::V6(v6) if v6.is_unspecified() || v6.to_ipv4_mapped().is_some() => None,
        IpAddr::V6(_) => Some(Source::Hosts(ip)),
    }
}

/// The services table of a protocol's ports; UDP-Lite ports are never named.
fn service_table(protocol: Protocol) -> Option<ServiceTable> {
    match protocol {
        Protocol::Tcp => Some(ServiceTable::Tcp),
        Protocol::Udp => Some(ServiceTable::Udp),
        Protocol::Raw => Some(ServiceTable::Raw),
        Protocol::UdpLite => None,
    }
}

impl Resolvers {
    /// Asks for every name `sock`'s row will show: user and network names are looked up at
    /// once, host names start in the background (see [`super::hosts::Hosts::wait`]).
    pub fn request_row(&mut self, sock: &InetSocket, lookups: Lookups) {
        if lookups.hosts {
            for ip in [sock.local.ip(), sock.remote.ip()] {
                match source(ip) {
                    Some(Source::Hosts(ip)) => self.hosts.request(ip),
                    Some(Source::Networks(v4)) => self.networks.request(v4),
                    None => {}
                }
            }
        }
        if lookups.users {
            self.users.request(sock.uid);
        }
    }

    /// The names of `sock`'s row, as far as they were [requested](Resolvers::request_row) and
    /// found; the rest show as numbers.
    pub fn row(&self, sock: &InetSocket, lookups: Lookups) -> RowNames<'_> {
        let host = |ip| match source(ip).filter(|_| lookups.hosts)? {
            Source::Hosts(ip) => self.hosts.name(ip),
            Source::Networks(v4) => self.networks.name(v4),
        };
        let service = |port: u16| {
            let table = service_table(sock.protocol).filter(|_| lookups.services && port != 0)?;
            self.services.name(table, port)
        };
        RowNames {
            local_host: host(sock.local.ip()),
            local_service: service(sock.local.port()),
            remote_host: host(sock.remote.ip()),
            remote_service: service(sock.remote.port()),
            user: lookups.users.then(|| self.users.name(sock.uid)).flatten(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nettables::inet::State;

    #[test]
    fn wildcards_and_mapped_addresses_are_never_looked_up() {
        for ip in ["0.0.0.0", "::", "::ffff:10.0.0.1"] {
            assert!(source(ip.parse().unwrap()).is_none(), "{ip}");
        }
        assert!(matches!(
            source("10.0.0.1".parse().unwrap()),
            Some(Source::Hosts(_))
        ));
        let first_octet_zero = if cfg!(target_endian = "little") {
            "0.1.2.3"
        } else {
            "1.2.3.0"
        };
        assert!(matches!(
            source(first_octet_zero.parse().unwrap()),
            Some(Source::Networks(_))
        ));
    }

    #[test]
    fn numeric_rows_have_no_names() {
        let mut resolvers = Resolvers::new(None);
        let sock = InetSocket::new(
            Protocol::UdpLite,
            "127.0.0.1:53".parse().unwrap(),
            "0.0.0.0:0".parse().unwrap(),
            State::CLOSE,
        );
        let all = Lookups {
            hosts: true,
            services: true,
            users: true,
        };
        resolvers.request_row(&sock, Lookups::default());
        let names = resolvers.row(&sock, all);
        assert_eq!(names.user, None, "users are looked up only when requested");
        assert_eq!(names.local_service, None, "UDP-Lite ports are never named");
        assert_eq!(names.remote_host, None, "a wildcard prints as a number");
    }
}
