//! [`SocketReader`]: the entry point for listing socket tables.

use std::io::{self, BufRead};

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
    /// An error from `each` stops the listing and is returned. A table the kernel does not have
    /// gives an error of kind [`io::ErrorKind::NotFound`].
    pub fn for_each_inet<E: From<io::Error>>(
        &mut self,
        query: &InetQuery,
        mut each: impl FnMut(&InetSocket) -> Result<(), E>,
    ) -> Result<(), E> {
        self.for_each_inet_detailed(query, |sock, _| each(sock))
    }

    /// Like [`SocketReader::for_each_inet`], and also passes each TCP socket's details when the
    /// query asked for them ([`InetQuery::tcp_details`]). Details are `None` for sockets the
    /// kernel keeps none for (TIME_WAIT, SYN_RECV) and whenever the rows come from `/proc`.
    pub fn for_each_inet_detailed<E: From<io::Error>>(
        &mut self,
        query: &InetQuery,
        mut each: impl FnMut(&InetSocket, Option<&TcpDetails>) -> Result<(), E>,
    ) -> Result<(), E> {
        self.bad_lines = 0;
        #[cfg(target_os = "linux")]
        if self.source == Source::Auto {
            use crate::linux::{netlink::Netlink, sock_diag};
            if self.sock_diag.is_none() {
                self.sock_diag = Netlink::open(rustix::net::netlink::SOCK_DIAG).ok();
            }
            if let Some(netlink) = self.sock_diag.as_mut() {
                let mut emitted = false;
                let result = sock_diag::dump(netlink, query, |sock, details| {
                    emitted = true;
                    each(sock, details).map_err(DumpError::Caller)
                });
                match result {
                    Ok(()) => return Ok(()),
                    Err(DumpError::Caller(e)) => return Err(e),
                    Err(DumpError::Kernel(e)) if !emitted && sock_diag::unsupported(&e) => {}
                    Err(DumpError::Kernel(e)) => return Err(e.into()),
                }
            }
        }
        self.for_each_inet_proc(query, |sock| each(sock, None))
    }

    #[cfg(target_os = "linux")]
    fn for_each_inet_proc<E: From<io::Error>>(
        &mut self,
        query: &InetQuery,
        mut each: impl FnMut(&InetSocket) -> Result<(), E>,
    ) -> Result<(), E> {
        use crate::linux::proc_inet;
        let path = format!("/proc/net/{}", query.protocol.table(query.family));
        let mut lines = ProcLines::open(&path)?;
        lines.next(&mut self.line)?; // header
        while lines.next(&mut self.line)? {
            match proc_inet::parse_line(query.protocol, query.family, &self.line) {
                Some(sock) if query.accepts(&sock) => each(&sock)?,
                Some(_) => {}
                None => self.bad_lines += 1,
            }
        }
        Ok(())
    }

    /// Calls `each` for every Unix domain socket, in kernel order.
    pub fn for_each_unix<E: From<io::Error>>(
        &mut self,
        mut each: impl FnMut(&UnixSocket<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        use crate::linux::proc_unix;
        self.bad_lines = 0;
        let mut lines = ProcLines::open("/proc/net/unix")?;
        lines.next(&mut self.line)?;
        let with_inode = proc_unix::header_has_inode(&self.line);
        while lines.next(&mut self.line)? {
            match proc_unix::parse_line(&self.line, with_inode) {
                Some(sock) => each(&sock)?,
                None => self.bad_lines += 1,
            }
        }
        Ok(())
    }
}

#[cfg(target_os = "linux")]
enum DumpError<E> {
    Kernel(io::Error),
    Caller(E),
}

#[cfg(target_os = "linux")]
impl<E> From<io::Error> for DumpError<E> {
    fn from(e: io::Error) -> Self {
        DumpError::Kernel(e)
    }
}

/// Line reader over a /proc file that reuses one buffer.
struct ProcLines {
    reader: io::BufReader<std::fs::File>,
}

impl ProcLines {
    fn open(path: &str) -> io::Result<ProcLines> {
        let file = std::fs::File::open(path)?;
        Ok(ProcLines {
            reader: io::BufReader::with_capacity(64 * 1024, file),
        })
    }

    /// Reads the next line (without its newline) into `line`; false at the end.
    fn next(&mut self, line: &mut Vec<u8>) -> io::Result<bool> {
        line.clear();
        if self.reader.read_until(b'\n', line)? == 0 {
            return Ok(false);
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        Ok(true)
    }
}
