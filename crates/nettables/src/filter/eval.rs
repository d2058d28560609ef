//! Evaluation of a filter against one socket, and the state set it can accept.

use std::net::{IpAddr, SocketAddr};

use super::{Cmp, End, Expr, Filter, HostCond, Prefix};
use crate::inet::{InetSocket, StateMask};

impl Filter {
    /// Whether the filter accepts `sock`. This is the exact answer; kernel bytecode only prunes.
    pub fn matches(&self, sock: &InetSocket) -> bool {
        self.expr.as_ref().is_none_or(|e| e.matches(sock))
    }

    /// A superset of the states the filter can accept, for the kernel's state mask.
    pub fn states(&self) -> StateMask {
        self.expr.as_ref().map_or(StateMask::ALL, Expr::states)
    }
}

impl Expr {
    /// Whether the expression accepts `sock`.
    pub fn matches(&self, sock: &InetSocket) -> bool {
        match self {
            Expr::States(mask) => mask.contains(sock.state),
            Expr::Not(e) => !e.matches(sock),
            Expr::And(a, b) => a.matches(sock) && b.matches(sock),
            Expr::Or(a, b) => a.matches(sock) || b.matches(sock),
            Expr::Port { end, cmp, port } => {
                let have = endpoint(sock, *end).port();
                match cmp {
                    Cmp::Eq => have == *port,
                    Cmp::Ne => have != *port,
                    Cmp::Lt => have < *port,
                    Cmp::Le => have <= *port,
                    Cmp::Gt => have > *port,
                    Cmp::Ge => have >= *port,
                }
            }
            Expr::Host { end, any_of } => {
                let addr = endpoint(sock, *end);
                any_of.iter().any(|cond| cond.matches(addr))
            }
            Expr::Dev(index) => sock.interface == *index,
        }
    }

    /// A superset of the accepted states. Only state terms narrow it; under `not`, only a
    /// plain state term can be complemented safely.
    pub fn states(&self) -> StateMask {
        match self {
            Expr::States(mask) => *mask,
            Expr::Not(e) => match e.as_ref() {
                Expr::States(mask) => StateMask::ALL.without(*mask),
                _ => StateMask::ALL,
            },
            Expr::And(a, b) => StateMask(a.states().0 & b.states().0),
            Expr::Or(a, b) => a.states().union(b.states()),
            Expr::Port { .. } | Expr::Host { .. } | Expr::Dev(_) => StateMask::ALL,
        }
    }
}

fn endpoint(sock: &InetSocket, end: End) -> SocketAddr {
    match end {
        End::Local => sock.local,
        End::Remote => sock.remote,
    }
}

impl HostCond {
    /// Whether an endpoint has this port (if any) and lies in this prefix (if any).
    pub fn matches(&self, addr: SocketAddr) -> bool {
        self.port.is_none_or(|p| p == addr.port())
            && self.prefix.is_none_or(|p| p.contains(addr.ip()))
    }
}

impl Prefix {
    /// Whether `ip` lies in the prefix. An IPv4 prefix also holds the IPv4-mapped IPv6 form of
    /// its addresses, as in the kernel's inet_diag; an IPv6 prefix never holds an IPv4 address.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(p), IpAddr::V4(a)) => {
                leading_bits_equal(&p.octets(), &a.octets(), self.len)
            }
            (IpAddr::V6(p), IpAddr::V6(a)) => {
                leading_bits_equal(&p.octets(), &a.octets(), self.len)
            }
            (IpAddr::V4(p), IpAddr::V6(a)) => a
                .to_ipv4_mapped()
                .is_some_and(|a| leading_bits_equal(&p.octets(), &a.octets(), self.len)),
            (IpAddr::V6(_), IpAddr::V4(_)) => false,
        }
    }
}

fn leading_bits_equal(a: &[u8], b: &[u8], bits: u8) -> bool {
    let bits = usize::from(bits).min(a.len() * 8);
    let (whole, rest) = (bits / 8, bits % 8);
    if a[..whole] != b[..whole] {
        return false;
    }
    rest == 0 || {
        let mask = 0xffu8 << (8 - rest);
        a[whole] & mask == b[whole] & mask
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::NumericNames;
    use crate::inet::{Protocol, State};

    fn sock(local: &str, remote: &str, state: State) -> InetSocket {
        InetSocket::new(
            Protocol::Tcp,
            local.parse().unwrap(),
            remote.parse().unwrap(),
            state,
        )
    }

    fn accepts(text: &str, s: &InetSocket) -> bool {
        Filter::parse_with(text, &NumericNames).unwrap().matches(s)
    }

    #[test]
    fn ports_compare() {
        let s = sock("10.0.0.1:5000", "10.0.0.2:443", State::ESTABLISHED);
        for (text, want) in [
            ("sport = :5000", true),
            ("sport != :5000", false),
            ("sport >= :5000", true),
            ("sport > :5000", false),
            ("sport <= :5000", true),
            ("sport < :5000", false),
            ("sport gt :4999", true),
            ("dport lt :444", true),
            ("sport >= :5000 and sport < :6000", true),
            ("dport = :80 or dport = :443", true),
            ("not ( dport = :80 or dport = :443 )", false),
            (
                "state established and not ( dport = :80 or dport = :443 )",
                false,
            ),
            ("state listening", false),
            ("exclude listening", true),
            ("state time-wait state established", true),
            ("dport = :*", true),
            ("dport != :*", false),
        ] {
            assert_eq!(accepts(text, &s), want, "{text}");
        }
    }

    #[test]
    fn addresses_prefixes_and_mapped_ipv4() {
        let v4 = sock("127.0.0.1:80", "10.1.0.2:40000", State::ESTABLISHED);
        let mapped = sock(
            "[::ffff:127.0.0.1]:80",
            "[::ffff:10.1.0.2]:40000",
            State::ESTABLISHED,
        );
        let v6 = sock("[fd01::1]:80", "[::1]:40000", State::ESTABLISHED);
        let listener = sock("[::]:80", "[::]:0", State::LISTEN);
        for (text, want) in [
            ("src 127.0.0.1/8", [true, true, false, false]),
            ("dst 10.1.0.2", [true, true, false, false]),
            ("dst 10.1.0.2:40000", [true, true, false, false]),
            ("dst 10.1.0.2:40001", [false, false, false, false]),
            ("src 0.0.0.0/0", [true, true, false, false]),
            ("src ::/0", [false, true, true, true]),
            ("src fd01::/16", [false, false, true, false]),
            ("src fd01::/15", [false, false, true, false]),
            ("src fd00::/16", [false, false, false, false]),
            ("dst [::1]", [false, false, true, false]),
            ("src *", [true, true, true, true]),
            ("src *:80", [true, true, true, true]),
            ("src [::]", [false, false, false, true]),
            ("src 0.0.0.0", [false, false, false, false]),
            ("src 127.0.0.0/31", [true, true, false, false]),
            ("src 127.0.0.2/31", [false, false, false, false]),
            ("dst != 10.1.0.2", [false, false, true, true]),
        ] {
            let got = [&v4, &mapped, &v6, &listener].map(|s| accepts(text, s));
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn dev_uses_the_bound_interface() {
        let mut s = sock("10.0.0.1:1", "10.0.0.2:2", State::ESTABLISHED);
        assert!(!accepts("dev 3", &s));
        s.interface = 3;
        assert!(accepts("dev 3", &s));
        assert!(accepts("dev != 4", &s));
    }

    #[test]
    fn an_absent_interface_matches_nothing_when_asked() {
        use crate::filter::AbsentInterfacesMatchNothing;
        let lenient = AbsentInterfacesMatchNothing(NumericNames);
        let parse = |text| Filter::parse_with(text, &lenient).unwrap();
        let mut s = sock("10.0.0.1:1", "10.0.0.2:2", State::ESTABLISHED);
        assert!(Filter::parse_with("dev eth0", &NumericNames).is_err());
        for interface in [0, 3] {
            s.interface = interface;
            assert!(!parse("dev eth0").matches(&s));
            assert!(parse("not dev eth0").matches(&s));
        }
        assert!(parse("dev 3").matches(&s), "numbers stay numbers");
    }

    #[test]
    fn state_superset() {
        let states = |text: &str| Filter::parse_with(text, &NumericNames).unwrap().states().0;
        assert_eq!(states(""), StateMask::ALL.0);
        assert_eq!(states("state established"), 1 << 1);
        assert_eq!(states("state established and sport = :1"), 1 << 1);
        assert_eq!(
            states("state established or state listening"),
            1 << 1 | 1 << 10
        );
        assert_eq!(states("state established or sport = :1"), StateMask::ALL.0);
        assert_eq!(states("not state listening"), StateMask::ALL.0 & !(1 << 10));
        assert_eq!(
            states("not ( state listening and sport = :1 )"),
            StateMask::ALL.0
        );
        assert_eq!(
            states("state bucket state established state time-wait"),
            1 << 1 | 1 << 3 | 1 << 6
        );
    }

    #[test]
    fn prefix_edge_lengths() {
        let p = Prefix {
            addr: "10.0.0.0".parse().unwrap(),
            len: 0,
        };
        assert!(p.contains("1.2.3.4".parse().unwrap()));
        assert!(!p.contains("::1".parse().unwrap()));
        let p = Prefix {
            addr: "fd01::ff".parse().unwrap(),
            len: 128,
        };
        assert!(p.contains("fd01::ff".parse().unwrap()));
        assert!(!p.contains("fd01::fe".parse().unwrap()));
    }
}
