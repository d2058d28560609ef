//! Compiles a [`Filter`] into inet_diag bytecode (`INET_DIAG_REQ_BYTECODE`), so the kernel
//! skips most non-matching sockets before copying them out.
//!
//! The program is a list of ops (`struct inet_diag_bc_op`: code, yes, no). Each test falls
//! through to the next op when true and jumps `no` bytes ahead when false; running off the
//! end accepts the socket, jumping 4 bytes past it rejects it. `JMP` always takes `no`. The
//! kernel's audit requires every `yes` to be the op's own size, which this layout keeps.
//!
//! The bytecode only prunes: a term it cannot express (a state set) compiles to "true" where
//! that over-approximates the whole expression and to "false" under an odd number of `not`s,
//! so no socket the filter accepts is ever dropped. The filter is evaluated again on every
//! socket the kernel sends.

use std::net::IpAddr;

use crate::filter::{Cmp, End, Expr, Filter, HostCond};

const JMP: u8 = 1;
const S_GE: u8 = 2;
const S_LE: u8 = 3;
const D_GE: u8 = 4;
const D_LE: u8 = 5;
const S_COND: u8 = 7;
const D_COND: u8 = 8;
const DEV_COND: u8 = 9;

/// Where a failed test goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// Reject the socket.
    Fail,
    /// A byte offset from the start of the fragment (its length = "true, carry on").
    At(usize),
}

#[derive(Clone, Debug)]
struct Op {
    code: u8,
    payload: Vec<u8>,
    no: Target,
}

impl Op {
    fn size(&self) -> usize {
        4 + self.payload.len()
    }
}

/// A program fragment: true falls off its end, false goes to `Target::Fail`.
#[derive(Clone, Debug, Default)]
struct Fragment(Vec<Op>);

impl Fragment {
    fn len(&self) -> usize {
        self.0.iter().map(Op::size).sum()
    }

    fn truth() -> Fragment {
        Fragment::default()
    }

    fn falsity() -> Fragment {
        Fragment(vec![Op {
            code: JMP,
            payload: Vec::new(),
            no: Target::Fail,
        }])
    }

    fn test(code: u8, payload: Vec<u8>) -> Fragment {
        Fragment(vec![Op {
            code,
            payload,
            no: Target::Fail,
        }])
    }

    /// Appends `other`, whose internal targets move by this fragment's length.
    fn append(&mut self, other: Fragment) {
        let shift = self.len();
        self.0.extend(other.0.into_iter().map(|mut op| {
            if let Target::At(at) = op.no {
                op.no = Target::At(at + shift);
            }
            op
        }));
    }

    /// Sends this fragment's failures to `target` instead.
    fn redirect_failures(&mut self, target: usize) {
        for op in &mut self.0 {
            if op.no == Target::Fail {
                op.no = Target::At(target);
            }
        }
    }

    fn and(mut self, other: Fragment) -> Fragment {
        self.append(other);
        self
    }

    fn or(mut self, other: Fragment) -> Fragment {
        if self.0.is_empty() || other.0.is_empty() {
            return Fragment::truth();
        }
        // a; JMP to the end (a was true); b (a was false).
        let after_jump = self.len() + 4;
        let end = after_jump + other.len();
        self.redirect_failures(after_jump);
        self.0.push(Op {
            code: JMP,
            payload: Vec::new(),
            no: Target::At(end),
        });
        self.append(other);
        self
    }

    fn not(mut self) -> Fragment {
        // a; JMP to failure (a was true); end (a was false).
        let end = self.len() + 4;
        self.redirect_failures(end);
        self.0.push(Op {
            code: JMP,
            payload: Vec::new(),
            no: Target::Fail,
        });
        self
    }

    /// The bytes, or `None` if a jump does not fit the 16-bit offsets (or the attribute).
    fn assemble(&self) -> Option<Vec<u8>> {
        let total = self.len();
        if total + 4 > usize::from(u16::MAX) {
            return None;
        }
        let mut out = Vec::with_capacity(total);
        for op in &self.0 {
            let here = out.len();
            let no = match op.no {
                Target::Fail => total + 4 - here,
                Target::At(at) => at - here,
            };
            out.push(op.code);
            out.push(u8::try_from(op.size()).ok()?);
            out.extend_from_slice(&u16::try_from(no).ok()?.to_ne_bytes());
            out.extend_from_slice(&op.payload);
        }
        Some(out)
    }
}

/// The bytecode for `filter`, or `None` when it would not prune anything (or is too long).
pub(crate) fn compile(filter: &Filter) -> Option<Vec<u8>> {
    let fragment = expr(filter.expr()?, true);
    if fragment.0.is_empty() {
        return None;
    }
    fragment.assemble()
}

/// `positive` is false under an odd number of `not`s, where an inexpressible term must
/// compile to "false" for the whole to stay an over-approximation.
fn expr(e: &Expr, positive: bool) -> Fragment {
    match e {
        Expr::States(_) if positive => Fragment::truth(),
        Expr::States(_) => Fragment::falsity(),
        Expr::Not(inner) => expr(inner, !positive).not(),
        Expr::And(a, b) => expr(a, positive).and(expr(b, positive)),
        Expr::Or(a, b) => expr(a, positive).or(expr(b, positive)),
        Expr::Port { end, cmp, port } => port_test(*end, *cmp, *port),
        Expr::Host { end, any_of } => {
            let mut conds = any_of.iter().map(|c| host_test(*end, c));
            match conds.next() {
                Some(first) => conds.fold(first, Fragment::or),
                None => Fragment::falsity(),
            }
        }
        Expr::Dev(index) => Fragment::test(DEV_COND, index.to_ne_bytes().to_vec()),
    }
}

fn port_test(end: End, cmp: Cmp, port: u16) -> Fragment {
    let (ge, le) = match end {
        End::Local => (S_GE, S_LE),
        End::Remote => (D_GE, D_LE),
    };
    // The port rides in the `no` field of a second, inert op.
    let operand = |code| {
        let mut payload = vec![0, 0];
        payload.extend_from_slice(&port.to_ne_bytes());
        Fragment::test(code, payload)
    };
    let eq = || {
        host_test(
            end,
            &HostCond {
                prefix: None,
                port: Some(port),
            },
        )
    };
    match cmp {
        Cmp::Ge => operand(ge),
        Cmp::Le => operand(le),
        Cmp::Gt => operand(le).not(),
        Cmp::Lt => operand(ge).not(),
        Cmp::Eq => eq(),
        Cmp::Ne => eq().not(),
    }
}

/// `struct inet_diag_hostcond`: family, prefix length, 2 bytes padding, int port (-1: any),
/// then the address in network order.
fn host_test(end: End, cond: &HostCond) -> Fragment {
    if *cond
        == (HostCond {
            prefix: None,
            port: None,
        })
    {
        return Fragment::truth();
    }
    let code = match end {
        End::Local => S_COND,
        End::Remote => D_COND,
    };
    let port = cond.port.map_or(-1, i32::from);
    let (family, len, addr) = match cond.prefix {
        None => (libc::AF_UNSPEC, 0, Vec::new()),
        Some(p) => match p.addr {
            IpAddr::V4(a) => (libc::AF_INET, p.len, a.octets().to_vec()),
            IpAddr::V6(a) => (libc::AF_INET6, p.len, a.octets().to_vec()),
        },
    };
    let mut payload = vec![family as u8, len, 0, 0];
    payload.extend_from_slice(&port.to_ne_bytes());
    payload.extend_from_slice(&addr);
    Fragment::test(code, payload)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::NumericNames;
    use crate::inet::{InetSocket, Protocol, State};

    /// The kernel's `inet_diag_bc_audit`: every `yes` is at least the op's size and the yes
    /// chain ends exactly at the end; every `no` is aligned, in range, and lands on an op of
    /// the yes chain (or at the end, or 4 past it).
    fn audit(bc: &[u8]) -> bool {
        let mut starts = Vec::new();
        let mut at = 0usize;
        while at < bc.len() {
            starts.push(at);
            let (code, yes) = (bc[at], usize::from(bc[at + 1]));
            let no = usize::from(u16::from_ne_bytes([bc[at + 2], bc[at + 3]]));
            let len = bc.len() - at;
            let min = match code {
                JMP => 4,
                S_GE | S_LE | D_GE | D_LE | DEV_COND => 8,
                S_COND | D_COND => {
                    12 + match i32::from(bc[at + 4]) {
                        libc::AF_INET => 4,
                        libc::AF_INET6 => 16,
                        _ => 0,
                    }
                }
                _ => return false,
            };
            if yes < min || yes > len + 4 || yes % 4 != 0 || no < min || no > len + 4 || no % 4 != 0
            {
                return false;
            }
            at += yes;
        }
        if at != bc.len() {
            return false;
        }
        // Second pass: jump targets inside the program must be op boundaries.
        starts.iter().all(|&op| {
            let no = usize::from(u16::from_ne_bytes([bc[op + 2], bc[op + 3]]));
            op + no >= bc.len() || starts.contains(&(op + no))
        })
    }

    /// The kernel's `inet_diag_bc_run` for the ops we emit.
    fn run(bc: &[u8], s: &InetSocket) -> bool {
        let mut at = 0usize;
        while at < bc.len() {
            let code = bc[at];
            let arg = |i: usize| bc[at + i];
            let port_arg = || u16::from_ne_bytes([arg(6), arg(7)]);
            let yes = match code {
                JMP => false,
                S_GE => s.local.port() >= port_arg(),
                S_LE => s.local.port() <= port_arg(),
                D_GE => s.remote.port() >= port_arg(),
                D_LE => s.remote.port() <= port_arg(),
                DEV_COND => u32::from_ne_bytes([arg(4), arg(5), arg(6), arg(7)]) == s.interface,
                S_COND | D_COND => {
                    let ep = if code == S_COND { s.local } else { s.remote };
                    let port = i32::from_ne_bytes([arg(8), arg(9), arg(10), arg(11)]);
                    let (family, len) = (i32::from(arg(4)), arg(5));
                    let addr = match family {
                        libc::AF_INET => Some(IpAddr::from(
                            <[u8; 4]>::try_from(&bc[at + 12..at + 16]).unwrap(),
                        )),
                        libc::AF_INET6 => Some(IpAddr::from(
                            <[u8; 16]>::try_from(&bc[at + 12..at + 28]).unwrap(),
                        )),
                        _ => None,
                    };
                    let cond = HostCond {
                        prefix: addr.map(|addr| crate::filter::Prefix { addr, len }),
                        port: u16::try_from(port).ok(),
                    };
                    cond.matches(ep)
                }
                _ => panic!("unknown op {code}"),
            };
            let step: u16 = if yes {
                arg(1).into()
            } else {
                u16::from_ne_bytes([arg(2), arg(3)])
            };
            at += usize::from(step);
        }
        at == bc.len()
    }

    fn sock(local: &str, remote: &str, state: State, interface: u32) -> InetSocket {
        InetSocket {
            interface,
            ..InetSocket::new(
                Protocol::Tcp,
                local.parse().unwrap(),
                remote.parse().unwrap(),
                state,
            )
        }
    }

    #[test]
    fn a_port_test_has_the_kernel_layout() {
        let filter = Filter::parse_with("sport >= :1024", &NumericNames).unwrap();
        let mut want = vec![S_GE, 8, 12, 0, 0, 0];
        want.extend_from_slice(&1024u16.to_ne_bytes());
        want[2..4].copy_from_slice(&12u16.to_ne_bytes());
        assert_eq!(compile(&filter).unwrap(), want);
        assert!(compile(&Filter::parse_with("state listening", &NumericNames).unwrap()).is_none());
        assert!(compile(&Filter::parse_with("src *", &NumericNames).unwrap()).is_none());
        // A state term may accept anything, so the `or` prunes nothing.
        let filter =
            Filter::parse_with("state time-wait or dport = :40000", &NumericNames).unwrap();
        assert!(compile(&filter).is_none());
    }

    #[test]
    fn bytecode_passes_the_audit_and_never_drops_an_accepted_socket() {
        let socks = [
            sock("127.0.0.1:80", "127.0.0.1:40000", State::ESTABLISHED, 0),
            sock("0.0.0.0:80", "0.0.0.0:0", State::LISTEN, 0),
            sock(
                "[::ffff:10.1.0.1]:443",
                "[::ffff:10.1.0.2]:5006",
                State::TIME_WAIT,
                0,
            ),
            sock("[fd01::1]:8080", "[fd01::2]:5000", State::ESTABLISHED, 2),
            sock("[::]:22", "[::]:0", State::LISTEN, 0),
            sock("10.1.0.1:5999", "10.1.0.2:65535", State::CLOSE_WAIT, 2),
            sock("10.1.0.1:0", "0.0.0.0:0", State::SYN_SENT, 1),
        ];
        let filters = [
            "sport = :80",
            "sport != :80",
            "sport >= :5000 and sport < :6000",
            "sport > :5999 or dport <= :5000",
            "dport gt :5000",
            "not dport = :5006",
            "dst 10.1.0.2",
            "src 127.0.0.1/8",
            "src fd01::/16 or dst 10.0.0.0/8",
            "dst [fd01::2]:5000",
            "src *:443",
            "dev 2",
            "dev != 2",
            "state established and not ( dport = :80 or dport = :443 )",
            "not ( state listening or sport = :22 )",
            "not state time-wait and ( sport = :443 or not dst 10.1.0.2 )",
            "( sport = :80 or sport = :443 ) and ( dst 127.0.0.1 or dst 10.1.0.2 ) and not dev 2",
            "not not not ( sport = :1 or ( dport >= :2 and not src ::/0 ) )",
        ];
        for text in filters {
            let filter = Filter::parse_with(text, &NumericNames).unwrap();
            let bc = compile(&filter).unwrap_or_else(|| panic!("{text}: no bytecode"));
            assert!(audit(&bc), "{text}: {bc:?} fails the audit");
            for s in &socks {
                let exact = filter.matches(s);
                let kernel = run(&bc, s);
                assert!(!exact || kernel, "{text}: bytecode drops {s:?}");
                // Without state terms the bytecode is exact.
                if !text.contains("state") {
                    assert_eq!(exact, kernel, "{text}: {s:?}");
                }
            }
        }
    }

    #[test]
    fn oversized_programs_are_not_sent() {
        let text = vec!["dst fd01::1"; 3000].join(" or ");
        let filter = Filter::parse_with(&text, &NumericNames).unwrap();
        assert!(compile(&filter).is_none());
    }
}
