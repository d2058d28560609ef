//! The crate's one error type, [`Error`], and [`ReadError`], which also carries the error of a
//! [`SocketReader`](crate::SocketReader) callback.

use std::borrow::Cow;
use std::convert::Infallible;
use std::fmt;
use std::io;

use crate::filter::ParseError;

/// A `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Why a table could not be read, a namespace not entered or the processes not scanned.
///
/// The kernel's own error, when there is one, is kept: [`Error::os_error`] gives it, for its
/// errno or its text.
///
/// ```no_run
/// use nettables::{Error, route};
///
/// match route::ipv6_routes() {
///     Ok(routes) => println!("{} IPv6 routes", routes.len()),
///     // No IPv6 in this kernel: nothing to show, not a failure.
///     Err(Error::NotAvailable { .. }) => println!("no IPv6"),
///     Err(e) => eprintln!("{e}"),
/// }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The kernel has no such table here, or nothing by that name exists: `/proc/net/udplite6`
    /// on a kernel without IPv6, `/proc/net/igmp` without multicast, a namespace name nobody
    /// made, a sysctl this kernel lacks. Callers usually skip it, or say that the feature is not
    /// configured.
    NotAvailable {
        /// The table or file (a path where there is one).
        what: Cow<'static, str>,
        /// What the system said (usually "No such file or directory").
        source: io::Error,
    },
    /// The table or file exists but could not be opened (permissions, no descriptors left).
    Open {
        /// The table or file (a path where there is one).
        what: Cow<'static, str>,
        /// What the system said.
        source: io::Error,
    },
    /// Reading failed after the table was opened, or the kernel ended a netlink dump with an
    /// error.
    Read {
        /// The table or file (a path where there is one).
        what: Cow<'static, str>,
        /// What the system said.
        source: io::Error,
    },
    /// The table's header lacks a column this reader needs.
    MissingColumn {
        /// The table's path.
        what: &'static str,
        /// The column's name in the header.
        column: &'static str,
    },
    /// A system call failed: `socket`, an `SIOCGIF*` ioctl, `setns` ...
    System {
        /// The call, as its manual page names it (`SIOCGIFCONF`, `setns`).
        call: &'static str,
        /// What the system said.
        source: io::Error,
    },
    /// A name that cannot name anything: a namespace name with a `/`, a sysctl name with `..`.
    InvalidName {
        /// What the name was meant to name (`namespace`, `sysctl`).
        kind: &'static str,
        /// The name as given.
        name: String,
    },
    /// A filter expression that does not parse.
    Filter(ParseError),
    /// This operating system has no such thing (no `tcp_info` on Windows, no network
    /// namespaces off Linux), or this library cannot read it there yet. Unlike
    /// [`Error::NotAvailable`] it is not to be skipped: a caller says so and gives up, rather
    /// than show an empty table. [`crate::sys::capabilities`] tells ahead of time.
    Unsupported {
        /// What was asked for.
        what: &'static str,
        /// The system, as `std::env::consts::OS` names it.
        system: &'static str,
    },
}

impl Error {
    /// Whether the kernel simply lacks what was asked for ([`Error::NotAvailable`]).
    pub fn is_not_available(&self) -> bool {
        matches!(self, Error::NotAvailable { .. })
    }

    /// The system's error behind this one, if there is one: its `raw_os_error` is the errno.
    pub fn os_error(&self) -> Option<&io::Error> {
        match self {
            Error::NotAvailable { source, .. }
            | Error::Open { source, .. }
            | Error::Read { source, .. }
            | Error::System { source, .. } => Some(source),
            Error::MissingColumn { .. }
            | Error::InvalidName { .. }
            | Error::Filter(_)
            | Error::Unsupported { .. } => None,
        }
    }

    /// The error for a file that could not be opened: [`Error::NotAvailable`] when it does not
    /// exist, [`Error::Open`] otherwise.
    pub(crate) fn open(what: impl Into<Cow<'static, str>>, source: io::Error) -> Error {
        let what = what.into();
        match source.kind() {
            io::ErrorKind::NotFound => Error::NotAvailable { what, source },
            _ => Error::Open { what, source },
        }
    }

    /// The error for a read that failed after the open.
    pub(crate) fn read(what: impl Into<Cow<'static, str>>, source: io::Error) -> Error {
        Error::Read {
            what: what.into(),
            source,
        }
    }

    /// The error for a failed system call.
    pub(crate) fn system(call: &'static str, source: io::Error) -> Error {
        Error::System { call, source }
    }

    /// The error of a call this system has no way to make.
    pub(crate) fn unsupported(what: &'static str) -> Error {
        Error::Unsupported {
            what,
            system: std::env::consts::OS,
        }
    }

    /// Whether this system has no such thing at all ([`Error::Unsupported`]).
    pub fn is_unsupported(&self) -> bool {
        matches!(self, Error::Unsupported { .. })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotAvailable { what, source } => write!(f, "{what}: {source}"),
            Error::Open { what, source } => write!(f, "cannot open {what}: {source}"),
            Error::Read { what, source } => write!(f, "cannot read {what}: {source}"),
            Error::MissingColumn { what, column } => {
                write!(f, "{what} does not contain required field {column}")
            }
            Error::System { call, source } => write!(f, "{call}: {source}"),
            Error::InvalidName { kind, name } => write!(f, "invalid {kind} name {name:?}"),
            Error::Filter(e) => e.fmt(f),
            Error::Unsupported { what, system } => write!(f, "{what}: not supported on {system}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Filter(e) => Some(e),
            _ => self
                .os_error()
                .map(|e| e as &(dyn std::error::Error + 'static)),
        }
    }
}

impl From<ParseError> for Error {
    fn from(e: ParseError) -> Self {
        Error::Filter(e)
    }
}

/// Why a [`SocketReader`](crate::SocketReader) listing stopped: the table could not be read, or
/// the callback returned an error. The two stay apart, so a caller whose callback writes output
/// can tell a broken pipe from a kernel that lacks the table. Those are the only two ways a
/// listing can stop, so unlike [`Error`] this enum is exhaustive.
///
/// ```no_run
/// use std::io::Write;
/// use nettables::inet::{Family, InetQuery, Protocol};
/// use nettables::{ReadError, SocketReader};
///
/// let mut out = std::io::stdout().lock();
/// let query = InetQuery::new(Protocol::Udp, Family::Inet6);
/// match SocketReader::new().for_each_inet(&query, |sock| writeln!(out, "{}", sock.local)) {
///     Ok(()) => {}
///     Err(ReadError::Source(e)) if e.is_not_available() => eprintln!("no IPv6"),
///     Err(ReadError::Source(e)) => eprintln!("{e}"),
///     Err(ReadError::Callback(e)) => eprintln!("cannot write: {e}"),
/// }
/// ```
#[derive(Debug)]
pub enum ReadError<E> {
    /// The table could not be read.
    Source(Error),
    /// The callback returned this error; the listing stopped there.
    Callback(E),
}

impl<E> From<Error> for ReadError<E> {
    fn from(e: Error) -> Self {
        ReadError::Source(e)
    }
}

/// A listing whose callback cannot fail can only have failed at the source.
impl From<ReadError<Infallible>> for Error {
    fn from(e: ReadError<Infallible>) -> Self {
        match e {
            ReadError::Source(e) => e,
            ReadError::Callback(never) => match never {},
        }
    }
}

impl<E: fmt::Display> fmt::Display for ReadError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Source(e) => e.fmt(f),
            ReadError::Callback(e) => e.fmt(f),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for ReadError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::Source(e) => Some(e),
            ReadError::Callback(e) => Some(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_not_available_and_others_do_not_open() {
        let missing = Error::open("/proc/net/x", io::Error::from_raw_os_error(libc::ENOENT));
        assert!(missing.is_not_available());
        assert_eq!(
            missing.os_error().and_then(io::Error::raw_os_error),
            Some(libc::ENOENT)
        );
        let denied = Error::open("/proc/net/x", io::Error::from_raw_os_error(libc::EACCES));
        assert!(matches!(denied, Error::Open { .. }));
        assert!(denied.to_string().starts_with("cannot open /proc/net/x: "));
        let column = Error::MissingColumn {
            what: "/proc/net/route",
            column: "Mask",
        };
        assert_eq!(
            column.to_string(),
            "/proc/net/route does not contain required field Mask"
        );
        assert!(column.os_error().is_none());
    }

    #[test]
    fn reader_errors_keep_source_and_callback_apart() {
        let source: ReadError<fmt::Error> = Error::read("x", io::Error::other("bad")).into();
        assert!(matches!(source, ReadError::Source(Error::Read { .. })));
        let never: ReadError<Infallible> = ReadError::Source(Error::system(
            "socket",
            io::Error::from_raw_os_error(libc::EMFILE),
        ));
        assert!(matches!(Error::from(never), Error::System { .. }));
    }
}
