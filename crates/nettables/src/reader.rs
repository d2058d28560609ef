//! [`SocketReader`]: the entry point for listing socket tables.

use crate::error::ReadError;
use crate::inet::{InetQuery, InetSocket};
use crate::tcp_info::TcpDetails;
use crate::unix::UnixSocket;

/// Where socket records come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Source {
    /// Netlink sock_diag where the kernel supports it, `/proc` otherwise.
    #[default]
    Auto,
    /// Only the `/proc/net` text files.
    Proc,
}

/// Lists socket tables, reusing its netlink socket and buffers from one call to the next.
pub struct SocketReader {
    tables: crate::sys::imp::SocketTables,
}

impl Default for SocketReader {
    fn default() -> Self {
        SocketReader::new()
    }
}

impl SocketReader {
    /// A reader that prefers netlink.
    pub fn new() -> SocketReader {
        SocketReader::with_source(Source::Auto)
    }

    /// A reader restricted to `source`.
    pub fn with_source(source: Source) -> SocketReader {
        SocketReader {
            tables: crate::sys::imp::SocketTables::new(source),
        }
    }

    /// Number of malformed `/proc` lines skipped by the last call.
    pub fn bad_lines(&self) -> usize {
        self.tables.bad_lines()
    }

    /// Calls `each` for every socket of one Internet table, in kernel order.
    ///
    /// An error from `each` stops the listing and comes back as [`ReadError::Callback`]. A table
    /// the kernel does not have gives [`ReadError::Source`] with [`Error::NotAvailable`]; one
    /// this system has no way to list, [`Error::Unsupported`].
    ///
    /// [`Error::NotAvailable`]: crate::Error::NotAvailable
    /// [`Error::Unsupported`]: crate::Error::Unsupported
    pub fn for_each_inet<E>(
        &mut self,
        query: &InetQuery,
        mut each: impl FnMut(&InetSocket) -> Result<(), E>,
    ) -> Result<(), ReadError<E>> {
        self.for_each_inet_detailed(query, |sock, _| each(sock))
    }

    /// Like [`SocketReader::for_each_inet`], and also passes each TCP socket's details when the
    /// query asked for them ([`InetQuery::tcp_details`]). Details are `None` for sockets the
    /// kernel keeps none for (TIME_WAIT, SYN_RECV) and whenever the rows come from `/proc`.
    pub fn for_each_inet_detailed<E>(
        &mut self,
        query: &InetQuery,
        each: impl FnMut(&InetSocket, Option<&TcpDetails>) -> Result<(), E>,
    ) -> Result<(), ReadError<E>> {
        self.tables.for_each_inet_detailed(query, each)
    }

    /// Calls `each` for every Unix domain socket, in kernel order. Errors as for
    /// [`SocketReader::for_each_inet`].
    pub fn for_each_unix<E>(
        &mut self,
        each: impl FnMut(&UnixSocket<'_>) -> Result<(), E>,
    ) -> Result<(), ReadError<E>> {
        self.tables.for_each_unix(each)
    }
}
