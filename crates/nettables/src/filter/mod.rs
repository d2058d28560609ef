//! Socket filters in the language of iproute2's `ss`: `state established and dport = :443`.
//!
//! A [`Filter`] is parsed once from text, then tested against each [`InetSocket`](crate::inet::InetSocket). Passed in an
//! [`InetQuery`](crate::inet::InetQuery), it also narrows the kernel's state mask and, on Linux,
//! is compiled into inet_diag bytecode so that the kernel skips most non-matching sockets before
//! they are copied out. The user-space test stays the source of truth: the kernel only prunes.
//!
//! ```
//! use nettables::filter::{Filter, NumericNames};
//!
//! let filter = Filter::parse_with("state established and not ( dport = :80 or dport = :443 )", &NumericNames)?;
//! assert!(filter.expr().is_some());
//! # Ok::<(), nettables::filter::ParseError>(())
//! ```
//!
//! # Grammar
//!
//! ```text
//! filter := [ states ] [ list ]        a leading state run applies to the whole expression, as in ss
//! list   := unary { [ and | or ] unary }   juxtaposition means `and`
//! unary  := ( ! | not ) unary | '(' list ')' | states | term
//! states := { ( state | exclude | excl ) NAME }+
//! term   := ( src | dst ) [ = | != ] HOST | ( sport | dport ) OP PORT | dev [ = | != ] NAME
//! ```
//!
//! `ss` gives `and` and `or` the same precedence and groups them left to right, which is rarely
//! what a reader assumes. So that a filter never silently means something other than it does in
//! `ss`, a list that mixes the two without parentheses is rejected, and the error shows how `ss`
//! reads it.
//!
//! Differences from `ss`: parentheses need not be separate words; an IPv6 address without
//! brackets is accepted when it has no port; `fwmark`, `cgroup`, `autobound` and the non-Internet
//! address families are not supported (they are errors, never silently ignored).

mod eval;
mod parser;

use std::fmt;
use std::net::IpAddr;

use crate::inet::StateMask;

/// A parsed filter expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    expr: Option<Expr>,
}

impl Filter {
    /// Parses `text`, resolving service, host and interface names with the system's databases.
    #[cfg(unix)]
    pub fn parse(text: &str) -> Result<Filter, ParseError> {
        Filter::parse_with(text, &SystemNames)
    }

    /// Parses `text`, resolving names with `names`.
    pub fn parse_with(text: &str, names: &dyn Resolver) -> Result<Filter, ParseError> {
        Ok(Filter {
            expr: parser::parse(text, names)?,
        })
    }

    /// The expression; `None` for an empty filter, which accepts every socket.
    pub fn expr(&self) -> Option<&Expr> {
        self.expr.as_ref()
    }
}

/// One node of a filter expression.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Expr {
    /// The socket's state is in the set.
    States(StateMask),
    /// The expression does not hold (`not`, `!`).
    Not(Box<Expr>),
    /// Both hold (`and`, `&`, or two conditions side by side).
    And(Box<Expr>, Box<Expr>),
    /// Either holds (`or`, `|`).
    Or(Box<Expr>, Box<Expr>),
    /// The port of one end compares with a number (`sport >= :1024`).
    Port {
        /// Which end's port.
        end: End,
        /// How it compares.
        cmp: Cmp,
        /// With this port.
        port: u16,
    },
    /// One end matches any of the host conditions (`dst 10.0.0.0/8`, `sport = :80`).
    Host {
        /// Which end.
        end: End,
        /// The conditions, one per address a host name stands for.
        any_of: Vec<HostCond>,
    },
    /// The socket is bound to the interface with this index (`SO_BINDTODEVICE`, IPv6 scope).
    Dev(u32),
}

/// Which end of a socket a test looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// `src`, `sport`
    Local,
    /// `dst`, `dport`
    Remote,
}

/// A port comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    /// `=`, `==`, `eq`
    Eq,
    /// `!=`, `ne`, `neq`
    Ne,
    /// `<`, `lt`
    Lt,
    /// `<=`, `le`, `leq`
    Le,
    /// `>`, `gt`
    Gt,
    /// `>=`, `ge`, `geq`
    Ge,
}

/// An address prefix and/or a port; `None` parts match anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HostCond {
    /// The addresses the end must lie in.
    pub prefix: Option<Prefix>,
    /// The port the end must have.
    pub port: Option<u16>,
}

/// An address prefix. An IPv4 prefix also matches IPv4-mapped IPv6 addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Prefix {
    /// The prefix's address (bits past `len` are ignored).
    pub addr: IpAddr,
    /// Significant leading bits: at most 32 for IPv4, 128 for IPv6.
    pub len: u8,
}

/// A filter that could not be parsed: what was expected, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParseError {
    message: String,
    column: usize,
    width: usize,
}

impl ParseError {
    fn new(text: &str, start: usize, end: usize, message: String) -> ParseError {
        let column = text.get(..start).map_or(start, |s| s.chars().count()) + 1;
        let width = text.get(start..end).map_or(1, |s| s.chars().count()).max(1);
        ParseError {
            message,
            column,
            width,
        }
    }

    /// What went wrong and what was expected.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// 1-based character column of the offending text (one past the end for a missing token).
    pub fn column(&self) -> usize {
        self.column
    }

    /// Width in characters of the offending text (at least 1), for underlining it.
    pub fn width(&self) -> usize {
        self.width
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at column {})", self.message, self.column)
    }
}

impl std::error::Error for ParseError {}

/// Name look-ups the parser needs: services (`:https`), hosts (`dst example.org`), interfaces.
pub trait Resolver {
    /// The distinct ports a service name stands for in the TCP and UDP databases.
    fn service(&self, name: &str) -> Vec<u16>;
    /// The addresses of a host name.
    fn host(&self, name: &str) -> Vec<IpAddr>;
    /// The index of a network interface.
    fn interface(&self, name: &str) -> Option<u32>;
}

/// An interface index no interface has (the kernel numbers them from 1 to `i32::MAX`): a `dev`
/// test on it matches no socket.
pub const NO_INTERFACE: u32 = u32::MAX;

/// Names for a filter applied in several network namespaces, where an interface may exist in
/// some of them only: an interface unknown here becomes [`NO_INTERFACE`], so `dev eth0`
/// matches nothing in a namespace without `eth0` instead of failing.
#[derive(Clone, Copy, Debug, Default)]
pub struct AbsentInterfacesMatchNothing<N>(
    /// What resolves the services, hosts and interfaces that exist.
    pub N,
);

impl<N: Resolver> Resolver for AbsentInterfacesMatchNothing<N> {
    fn service(&self, name: &str) -> Vec<u16> {
        self.0.service(name)
    }
    fn host(&self, name: &str) -> Vec<IpAddr> {
        self.0.host(name)
    }
    fn interface(&self, name: &str) -> Option<u32> {
        // A number stays a number, as the parser reads it.
        if name.parse::<u32>().is_ok() {
            return self.0.interface(name);
        }
        Some(self.0.interface(name).unwrap_or(NO_INTERFACE))
    }
}

/// Resolves nothing: only numbers and literal addresses are accepted.
#[derive(Clone, Copy, Debug, Default)]
pub struct NumericNames;

impl Resolver for NumericNames {
    fn service(&self, _: &str) -> Vec<u16> {
        Vec::new()
    }
    fn host(&self, _: &str) -> Vec<IpAddr> {
        Vec::new()
    }
    fn interface(&self, _: &str) -> Option<u32> {
        None
    }
}

/// The system's databases: `getservbyname`, `getaddrinfo` and `if_nametoindex`. Safe to use
/// from several threads at once.
#[cfg(unix)]
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemNames;

/// `getservbyname` returns static storage that the next call overwrites, so its calls (and the
/// copying of their results) take turns.
#[cfg(unix)]
static GETSERVBYNAME: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[cfg(unix)]
impl Resolver for SystemNames {
    fn service(&self, name: &str) -> Vec<u16> {
        let Ok(name) = std::ffi::CString::new(name) else {
            return Vec::new();
        };
        let mut ports = Vec::new();
        let _turn = GETSERVBYNAME
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for proto in [c"tcp", c"udp"] {
            // SAFETY: both strings are NUL-terminated; the lock held above keeps other threads
            // from overwriting the result before it is read.
            let entry = unsafe { libc::getservbyname(name.as_ptr(), proto.as_ptr()) };
            if entry.is_null() {
                continue;
            }
            // SAFETY: a non-null result points at a valid servent; s_port is in network order.
            let port = u16::from_be(unsafe { (*entry).s_port } as u16);
            if !ports.contains(&port) {
                ports.push(port);
            }
        }
        ports
    }

    fn host(&self, name: &str) -> Vec<IpAddr> {
        use std::net::ToSocketAddrs;
        let mut found: Vec<IpAddr> = Vec::new();
        for addr in (name, 0).to_socket_addrs().into_iter().flatten() {
            if !found.contains(&addr.ip()) {
                found.push(addr.ip());
            }
        }
        found
    }

    fn interface(&self, name: &str) -> Option<u32> {
        let name = std::ffi::CString::new(name).ok()?;
        // SAFETY: `name` is NUL-terminated.
        let index = unsafe { libc::if_nametoindex(name.as_ptr()) };
        (index != 0).then_some(index)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn service_names_resolve_alike_from_many_threads() {
        let names = ["ssh", "http", "domain", "ntp", "no-such-service"];
        let alone: Vec<Vec<u16>> = names.iter().map(|n| SystemNames.service(n)).collect();
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..8)
                .map(|_| {
                    scope.spawn(|| {
                        (0..200)
                            .map(|i| SystemNames.service(names[i % names.len()]))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            for worker in workers {
                for (i, ports) in worker.join().unwrap().into_iter().enumerate() {
                    assert_eq!(ports, alone[i % names.len()], "{}", names[i % names.len()]);
                }
            }
        });
    }
}
