//! Names for what the screen is about to show: host and service names of the visible rows'
//! addresses, and program labels, as sanitized text.
//!
//! Host names come from the shared resolver with a budget of zero: a frame asks for the
//! addresses it shows and takes the names that have arrived, and the look-ups go on in the
//! resolver's threads. An address shows as a number until its name is there; the screen
//! never waits for one.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use nettables::inet::Protocol;
use nettables::process::Owner;

use crate::resolve::hosts::Hosts;
use crate::resolve::services::{ServiceTable, Services};
use crate::text;

pub struct Names {
    hosts: Hosts,
    services: Services,
}

impl Names {
    pub fn new() -> Names {
        Names {
            hosts: Hosts::new(Some(Duration::ZERO)),
            services: Services::new(),
        }
    }

    /// Starts a frame: names that arrived since the last one become usable.
    pub fn begin(&mut self) {
        self.hosts.start_pass();
    }

    /// Asks for the host names of `addresses` (in the background), then takes the names that
    /// have arrived, without waiting for the others.
    pub fn prefetch(&mut self, addresses: impl IntoIterator<Item = SocketAddr>) {
        for addr in addresses {
            let ip = addr.ip().to_canonical();
            if !ip.is_unspecified() {
                self.hosts.request(ip);
            }
        }
        self.hosts.wait();
    }

    /// `host:port`, with names when `named` (and known): `localhost:ssh`, `10.0.0.1:40312`,
    /// `[fe80::1]:443`, `0.0.0.0:*`. IPv4-mapped addresses show as IPv4.
    pub fn endpoint(&mut self, addr: SocketAddr, protocol: Protocol, named: bool) -> String {
        let ip = addr.ip().to_canonical();
        let host = match self.hosts.name(ip).filter(|_| named) {
            Some(name) => text::display(name),
            None => match ip {
                IpAddr::V4(v4) => v4.to_string(),
                IpAddr::V6(v6) => format!("[{v6}]"),
            },
        };
        let port = addr.port();
        if port == 0 && protocol != Protocol::Raw {
            return format!("{host}:*");
        }
        let table = match protocol {
            Protocol::Tcp => ServiceTable::Tcp,
            Protocol::Udp | Protocol::UdpLite => ServiceTable::Udp,
            Protocol::Raw => ServiceTable::Raw,
        };
        match self.services.name(table, port).filter(|_| named) {
            Some(service) => format!("{host}:{}", text::display(service)),
            None => format!("{host}:{port}"),
        }
    }
}

/// `pid/name` as netstat -p shows it (`argv[0]`, the last part of an absolute path), or `-`.
pub fn program(owner: Option<&Owner>) -> String {
    let Some(owner) = owner else {
        return "-".to_string();
    };
    format!("{}/{}", owner.pid, command(owner))
}

/// `argv[0]`, the last part of an absolute path, sanitized.
pub fn command(owner: &Owner) -> String {
    let argv0 = &owner.argv0[..];
    let name = match argv0.first() {
        Some(b'/') => argv0.rsplit(|&b| b == b'/').next().unwrap_or(argv0),
        _ => argv0,
    };
    text::display(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_numeric_and_named() {
        let mut names = Names::new();
        let v4: SocketAddr = "127.0.0.1:22".parse().unwrap();
        assert_eq!(names.endpoint(v4, Protocol::Tcp, false), "127.0.0.1:22");
        let mapped: SocketAddr = "[::ffff:10.0.0.1]:80".parse().unwrap();
        assert_eq!(names.endpoint(mapped, Protocol::Tcp, false), "10.0.0.1:80");
        let v6: SocketAddr = "[fe80::1]:0".parse().unwrap();
        assert_eq!(names.endpoint(v6, Protocol::Udp, true), "[fe80::1]:*");
        let raw: SocketAddr = "0.0.0.0:1".parse().unwrap();
        assert_eq!(names.endpoint(raw, Protocol::Raw, false), "0.0.0.0:1");
        // Named services come from NSS: tests/live.rs checks them with a services file of its own.
    }

    #[test]
    fn programs_are_sanitized() {
        let owner = Owner::new(7, b"/usr/bin/ev\x1b[2Jil");
        assert_eq!(program(Some(&owner)), "7/ev?[2Jil");
        assert_eq!(program(None), "-");
        let rewritten = Owner::new(8, b"sshd: user [priv]");
        assert_eq!(command(&rewritten), "sshd: user [priv]");
    }
}
