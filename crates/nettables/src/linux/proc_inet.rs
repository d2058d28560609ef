//! Internet sockets from `/proc/net/{tcp,udp,udplite,raw}{,6}`: the fallback when the kernel
//! has no sock_diag support for a table.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use crate::inet::{Family, InetSocket, Protocol, State, Timer, TimerKind};

/// Clock ticks per second of `/proc` timer fields (`USER_HZ`, fixed at 100 on Linux).
const USER_HZ: u64 = 100;

/// Parses one data line (not the header). `None` for a malformed line.
pub fn parse_line(protocol: Protocol, family: Family, line: &[u8]) -> Option<InetSocket> {
    let mut fields = line
        .split(|b| b.is_ascii_whitespace())
        .filter(|f| !f.is_empty());
    let slot = fields.next()?;
    if slot.last() != Some(&b':') {
        return None;
    }
    let local = endpoint(family, fields.next()?)?;
    let mut remote = endpoint(family, fields.next()?)?;
    let state = State(u8::try_from(hex(fields.next()?)?).ok()?);
    let (tx, rx) = pair(fields.next()?)?;
    let (timer_kind, when) = pair(fields.next()?)?;
    let retransmits = hex(fields.next()?)?;
    let uid = decimal(fields.next()?)?;
    let probes = decimal(fields.next()?)?;
    let inode = decimal(fields.next()?)?;

    let mut timer = Timer {
        kind: TimerKind(u8::try_from(timer_kind).ok()?),
        expires: Duration::from_millis(when.saturating_mul(1000 / USER_HZ)),
        retransmits: u32::try_from(retransmits).ok()?,
        probes: u32::try_from(probes).ok()?,
    };
    if protocol != Protocol::Tcp {
        timer = Timer::default();
    }
    if protocol == Protocol::Raw {
        remote.set_port(0);
    }
    Some(InetSocket {
        protocol,
        family,
        local,
        remote,
        state,
        recv_q: u32::try_from(rx).ok()?,
        send_q: u32::try_from(tx).ok()?,
        uid: u32::try_from(uid).ok()?,
        inode,
        interface: 0,
        timer,
        cookie: 0,
        backlog: None,
    })
}

/// `ADDR:PORT` in hex; IPv6 addresses are four host-order 32-bit words.
fn endpoint(family: Family, field: &[u8]) -> Option<SocketAddr> {
    let colon = field.iter().position(|&b| b == b':')?;
    let (addr, port) = (&field[..colon], &field[colon + 1..]);
    let port = u16::try_from(hex(port)?).ok()?;
    let ip = match family {
        Family::Inet if addr.len() == 8 => IpAddr::V4(Ipv4Addr::from(word(addr)?.to_ne_bytes())),
        Family::Inet6 if addr.len() == 32 => {
            let mut octets = [0u8; 16];
            for (i, chunk) in addr.chunks(8).enumerate() {
                octets[i * 4..i * 4 + 4].copy_from_slice(&word(chunk)?.to_ne_bytes());
            }
            IpAddr::V6(Ipv6Addr::from(octets))
        }
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

/// An 8-digit hex word as the kernel printed it from a host-order u32.
fn word(hex_digits: &[u8]) -> Option<u32> {
    u32::try_from(hex(hex_digits)?).ok()
}

fn pair(field: &[u8]) -> Option<(u64, u64)> {
    let colon = field.iter().position(|&b| b == b':')?;
    Some((hex(&field[..colon])?, hex(&field[colon + 1..])?))
}

fn hex(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    u64::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

fn decimal(digits: &[u8]) -> Option<u64> {
    std::str::from_utf8(digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TCP_LISTEN: &[u8] = b"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000002 00:00000000 00000000    65534        0 1028034 1 0000000000000000 100 0 0 10 0";
    const TCP6_EST: &[u8] = b"   3: 0000000000000000FFFF00000100007F:1392 0000000000000000FFFF00000100007F:C5A6 01 00000010:00000000 01:0000001A 00000003  1000        2 44 1 0000000000000000 20 4 30 10 -1";

    #[test]
    fn parses_a_tcp_listener() {
        let sock = parse_line(Protocol::Tcp, Family::Inet, TCP_LISTEN).unwrap();
        assert_eq!(sock.local, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(sock.remote, "0.0.0.0:0".parse().unwrap());
        assert_eq!(sock.state, State::LISTEN);
        assert_eq!(
            (sock.recv_q, sock.send_q, sock.uid, sock.inode),
            (2, 0, 65534, 1028034)
        );
    }

    #[test]
    fn parses_mapped_ipv6_and_timers() {
        let sock = parse_line(Protocol::Tcp, Family::Inet6, TCP6_EST).unwrap();
        assert_eq!(sock.local, "[::ffff:127.0.0.1]:5010".parse().unwrap());
        assert_eq!(sock.remote.port(), 50598);
        assert_eq!(sock.send_q, 16);
        assert_eq!(sock.timer.kind, TimerKind::RETRANSMIT);
        assert_eq!(sock.timer.expires, Duration::from_millis(260));
        assert_eq!((sock.timer.retransmits, sock.timer.probes), (3, 2));
    }

    #[test]
    fn udp_has_no_timer_and_raw_has_no_remote_port() {
        let line = b"  12: 00000000:0001 0100007F:0035 07 00000000:00000000 02:00000010 00000005     0        0 77 2 0000000000000000 0";
        let udp = parse_line(Protocol::Udp, Family::Inet, line).unwrap();
        assert_eq!(udp.timer, Timer::default());
        assert_eq!(udp.remote.port(), 53);
        let raw = parse_line(Protocol::Raw, Family::Inet, line).unwrap();
        assert_eq!(raw.remote.port(), 0);
    }

    #[test]
    fn hostile_lines_are_rejected_not_panicking() {
        let cases: &[&[u8]] = &[
            b"",
            b"   0:",
            b"   0: 0100007F:1F90",
            b"   0: 0100007G:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
            b"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 99999999999999999999999",
            b"   0: 0100007F:FFFFF 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
            b"   0: 0100007F1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
            b"   0: 0100007F:1F90 00000000:0000 1FF 00000000:00000000 00:00000000 00000000 0 0 1",
            b"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 99999999999 0 1",
            b"x 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
            b"   0: \xff\xfe:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
        ];
        for line in cases {
            assert!(
                parse_line(Protocol::Tcp, Family::Inet, line).is_none(),
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
        assert!(
            parse_line(Protocol::Tcp, Family::Inet6, TCP_LISTEN).is_none(),
            "v4 address in a v6 table"
        );
    }
}
