//! Address text as net-tools prints it: glibc's `inet_ntop` forms, and the `host:port` column
//! with its 23-character cut.

use std::io::Write;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Appends the dotted-quad form of `addr`.
pub fn push_ipv4(out: &mut Vec<u8>, addr: Ipv4Addr) {
    let mut num = itoa::Buffer::new();
    for (i, octet) in addr.octets().iter().enumerate() {
        if i > 0 {
            out.push(b'.');
        }
        out.extend_from_slice(num.format(*octet).as_bytes());
    }
}

/// Appends `addr` exactly as glibc's `inet_ntop` writes it: the longest run of two or more zero
/// groups becomes `::` (the first such run on a tie), and IPv4-compatible (`::a.b.c.d`) and
/// IPv4-mapped (`::ffff:a.b.c.d`) addresses end in dotted quads. (Rust's `Display` differs for
/// IPv4-compatible addresses, hence this function.)
pub fn push_ipv6(out: &mut Vec<u8>, addr: Ipv6Addr) {
    let words = addr.segments();
    let (mut best_start, mut best_len) = (usize::MAX, 0);
    let mut i = 0;
    while i < 8 {
        if words[i] == 0 {
            let start = i;
            while i < 8 && words[i] == 0 {
                i += 1;
            }
            if i - start > best_len {
                (best_start, best_len) = (start, i - start);
            }
        } else {
            i += 1;
        }
    }
    if best_len < 2 {
        best_start = usize::MAX;
    }
    let embedded_v4 = best_start == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff));
    let mut i = 0;
    while i < 8 {
        if i == best_start {
            out.push(b':');
            i += best_len;
            if i == 8 {
                out.push(b':');
            }
            continue;
        }
        if i > 0 {
            out.push(b':');
        }
        if i == 6 && embedded_v4 {
            let o = addr.octets();
            push_ipv4(out, Ipv4Addr::new(o[12], o[13], o[14], o[15]));
            return;
        }
        let _ = write!(out, "{:x}", words[i]);
        i += 1;
    }
}

/// The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`).
pub fn mapped_ipv4(addr: &Ipv6Addr) -> Option<Ipv4Addr> {
    match addr.segments() {
        [0, 0, 0, 0, 0, 0xffff, _, _] => {
            let o = addr.octets();
            Some(Ipv4Addr::new(o[12], o[13], o[14], o[15]))
        }
        _ => None,
    }
}

/// Appends the `host:port` column text: when `host` + `port` exceed 22 characters (and `wide` is
/// off) the port keeps at most 18 characters and the host is cut so the whole is 23.
pub fn push_endpoint(out: &mut Vec<u8>, host: &[u8], port: &[u8], wide: bool) {
    const SHORT: usize = 22;
    if !wide && host.len() + port.len() > SHORT {
        let port_len = port.len().min(SHORT - 4);
        let host_len = SHORT - port_len;
        out.extend_from_slice(&host[..host_len.min(host.len())]);
        out.push(b':');
        out.extend_from_slice(&port[..port_len]);
    } else {
        out.extend_from_slice(host);
        out.push(b':');
        out.extend_from_slice(port);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v6(text: &str) -> String {
        let mut out = Vec::new();
        push_ipv6(&mut out, text.parse().unwrap());
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn ipv6_text_matches_inet_ntop() {
        assert_eq!(v6("::"), "::");
        assert_eq!(v6("::1"), "::1");
        assert_eq!(v6("fd01::1"), "fd01::1");
        assert_eq!(v6("fe80::fc:ff:fe00:1"), "fe80::fc:ff:fe00:1");
        assert_eq!(v6("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
        assert_eq!(v6("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");
        assert_eq!(
            v6("fd01:1234:5678:9abc:def0:1234:5678:9abc"),
            "fd01:1234:5678:9abc:def0:1234:5678:9abc"
        );
        assert_eq!(v6("::ffff:127.0.0.1"), "::ffff:127.0.0.1");
        assert_eq!(v6("::1.2.3.4"), "::1.2.3.4");
        assert_eq!(v6("ff02::1:ff78:9abc"), "ff02::1:ff78:9abc");
        assert_eq!(v6("1::"), "1::");
        assert_eq!(v6("1:0:0:2::"), "1:0:0:2::");
    }

    #[test]
    fn mapped_addresses_are_recognised() {
        assert_eq!(
            mapped_ipv4(&"::ffff:127.0.0.1".parse().unwrap()),
            Some(Ipv4Addr::LOCALHOST)
        );
        assert_eq!(mapped_ipv4(&"::1".parse().unwrap()), None);
    }

    fn endpoint(host: &str, port: &str, wide: bool) -> String {
        let mut out = Vec::new();
        push_endpoint(&mut out, host.as_bytes(), port.as_bytes(), wide);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn endpoints_are_cut_to_23_columns() {
        assert_eq!(
            endpoint("a-very-long-peer-hostname.example.internal", "5012", false),
            "a-very-long-peer-h:5012"
        );
        assert_eq!(
            endpoint("a-very-long-peer-hostname.example.internal", "59034", false),
            "a-very-long-peer-:59034"
        );
        assert_eq!(
            endpoint("fd01:1234:5678:9abc:def0:1234:5678:9abc", "https", false),
            "fd01:1234:5678:9a:https"
        );
        assert_eq!(
            endpoint("2001:db8:1234:5678::1", "443", false),
            "2001:db8:1234:5678::443"
        );
        assert_eq!(
            endpoint("localhost", "http-alt", false),
            "localhost:http-alt"
        );
        assert_eq!(
            endpoint("h", "a-service-name-longer-than-eighteen", false),
            "h:a-service-name-lon"
        );
        assert_eq!(
            endpoint("a-very-long-peer-hostname.example.internal", "5012", true),
            "a-very-long-peer-hostname.example.internal:5012"
        );
    }
}
