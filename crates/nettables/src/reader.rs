//! [`SocketReader`]: the entry point for listing socket tables.

use std::io::{self, BufRead};

use crate::error::{Error, ReadError};
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
    source: Source,
    #[cfg(target_os = "linux")]
    sock_diag: Option<crate::linux::netlink::Netlink>,
    line: Vec<u8>,
    bad_lines: usize,
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
            source,
            #[cfg(target_os = "linux")]
            sock_diag: None,
            line: Vec::new(),
            bad_lines: 0,
        }
    }

    /// Number of malformed `/proc` lines skipped by the last call.
    pub fn bad_lines(&self) -> usize {
        self.bad_lines
    }

    /// Calls `each` for every socket of one Internet table, in kernel order.
    ///
    /// An error from `each` stops the listing and comes back as [`ReadError::Callback`]. A table
    /// the kernel does not have gives [`ReadError::Source`] with [`Error::NotAvailable`].
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
        mut each: impl FnMut(&InetSocket, Option<&TcpDetails>) -> Result<(), E>,
    ) -> Result<(), ReadError<E>> {
        self.bad_lines = 0;
        #[cfg(target_os = "linux")]
        if self.source == Source::Auto {
            use crate::linux::netlink::{DumpError, Netlink};
            use crate::linux::sock_diag;
            if self.sock_diag.is_none() {
                self.sock_diag = Netlink::open(rustix::net::netlink::SOCK_DIAG).ok();
            }
            if let Some(netlink) = self.sock_diag.as_mut() {
                let mut emitted = false;
                let result = sock_diag::dump(netlink, query, |sock, details| {
                    emitted = true;
                    each(sock, details)
                });
                match result {
                    Ok(()) => return Ok(()),
                    Err(DumpError::Callback(e)) => return Err(ReadError::Callback(e)),
                    Err(DumpError::Kernel(e)) if !emitted && sock_diag::unsupported(&e) => {}
                    Err(DumpError::Kernel(e)) => {
                        let what = format!("sock_diag {}", query.protocol.table(query.family));
                        return Err(Error::read(what, e).into());
                    }
                }
            }
        }
        self.for_each_inet_proc(query, |sock| each(sock, None))
    }

    #[cfg(target_os = "linux")]
    fn for_each_inet_proc<E>(
        &mut self,
        query: &InetQuery,
        mut each: impl FnMut(&InetSocket) -> Result<(), E>,
    ) -> Result<(), ReadError<E>> {
        use crate::linux::proc_inet;
        let path = format!("/proc/net/{}", query.protocol.table(query.family));
        let mut lines = self.open_proc(path)?;
        lines.next(&mut self.line)?; // header
        while lines.next(&mut self.line)? {
            match proc_inet::parse_line(query.protocol, query.family, &self.line) {
                Some(sock) if query.accepts(&sock) => each(&sock).map_err(ReadError::Callback)?,
                Some(_) => {}
                None => self.bad_lines += 1,
            }
        }
        Ok(())
    }

    /// Calls `each` for every Unix domain socket, in kernel order. Errors as for
    /// [`SocketReader::for_each_inet`].
    pub fn for_each_unix<E>(
        &mut self,
        mut each: impl FnMut(&UnixSocket<'_>) -> Result<(), E>,
    ) -> Result<(), ReadError<E>> {
        use crate::linux::proc_unix;
        self.bad_lines = 0;
        let mut lines = self.open_proc("/proc/net/unix".into())?;
        lines.next(&mut self.line)?;
        let with_inode = proc_unix::header_has_inode(&self.line);
        while lines.next(&mut self.line)? {
            match proc_unix::parse_line(&self.line, with_inode) {
                Some(sock) => each(&sock).map_err(ReadError::Callback)?,
                None => self.bad_lines += 1,
            }
        }
        Ok(())
    }
}

impl SocketReader {
    /// Opens a `/proc/net` table. With no descriptor left (`ulimit -n 4`, where net-tools
    /// still succeeds), the kept netlink socket is given up for it and opened again later.
    #[cfg(target_os = "linux")]
    fn open_proc(&mut self, path: String) -> Result<ProcLines, Error> {
        match ProcLines::open(path.clone()) {
            Err(e)
                if e.os_error().and_then(io::Error::raw_os_error) == Some(libc::EMFILE)
                    && self.sock_diag.take().is_some() =>
            {
                ProcLines::open(path)
            }
            opened => opened,
        }
    }
}

/// Line reader over a /proc file that reuses one buffer.
struct ProcLines {
    path: String,
    reader: io::BufReader<std::fs::File>,
}

impl ProcLines {
    fn open(path: String) -> Result<ProcLines, Error> {
        match std::fs::File::open(crate::linux::proc_net::resolve(&path)) {
            Ok(file) => Ok(ProcLines {
                path,
                reader: io::BufReader::with_capacity(64 * 1024, file),
            }),
            Err(e) => Err(Error::open(path, e)),
        }
    }

    /// Reads the next line (without its newline) into `line`; false at the end.
    fn next(&mut self, line: &mut Vec<u8>) -> Result<bool, Error> {
        line.clear();
        match self.reader.read_until(b'\n', line) {
            Ok(0) => return Ok(false),
            Ok(_) => {}
            Err(e) => return Err(Error::read(self.path.clone(), e)),
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        Ok(true)
    }
}
