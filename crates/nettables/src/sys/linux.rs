//! The Linux backend of the seam: netlink sock_diag where the kernel has it, `/proc` for
//! everything else. The readers and parsers themselves are in [`crate::linux`].

use std::io::{self, BufRead};
use std::path::Path;

use crate::Result;
use crate::counters::{CounterFile, Counters};
use crate::error::{Error, ReadError};
use crate::groups::{GroupLine, IGMP_PATH, IGMP6_PATH};
use crate::inet::{InetQuery, InetSocket};
pub(crate) use crate::linux::iface::{device_counters, inet6_addresses, list as interfaces};
use crate::linux::netlink::{DumpError, Netlink};
pub(crate) use crate::linux::netns::{bind_etc, enter as enter_namespace, id as namespace_id};
pub(crate) use crate::linux::process::{
    scan as owner_map, scan_holder as socket_holder, scan_holders as socket_holders,
};
pub(crate) use crate::linux::route::{ipv4_route_cache, ipv4_routes, ipv6_routes};
pub(crate) use crate::linux::sockstat::read as sockstat;
pub(crate) use crate::linux::sysctl::read as sysctl;
use crate::linux::unix_diag::UnixDiag;
use crate::linux::{proc_inet, proc_unix, sock_diag};
use crate::reader::Source;
use crate::sys::{Capabilities, OwnerKey};
use crate::tcp_info::TcpDetails;
use crate::unix::UnixSocket;

pub(crate) const CAPABILITIES: Capabilities = Capabilities {
    system: "linux",
    inet_sockets: true,
    other_inet_protocols: true,
    unix_sockets: true,
    queues: true,
    owners: OwnerKey::Inode,
    holders: true,
    tcp_info: true,
    kernel_filter: true,
    events: true,
    namespaces: true,
    routes: (true, true),
    interfaces: true,
    if_table: false,
    counters: true,
    sockstat: true,
    groups: true,
    sysctl: true,
};

/// An open network namespace file.
pub(crate) type Namespace = std::os::fd::OwnedFd;

pub(crate) fn open_namespace(path: &Path) -> Result<Namespace> {
    crate::linux::netns::open(path)
}

pub(crate) fn counters(file: CounterFile) -> Result<Counters> {
    crate::linux::read_file(file.path()).map(|text| crate::counters::parse(file, &text))
}

/// Linux restores no routes of its own at start (that is the distribution's configuration).
pub(crate) fn ipv4_persistent_routes() -> Result<Vec<crate::route::Ipv4Route>> {
    Err(Error::unsupported("persistent routes"))
}

/// Linux keeps no IF-MIB table; `/proc/net/dev` is what [`interfaces`] reads.
pub(crate) fn if_table() -> Result<Vec<crate::if_table::IfRow>> {
    Err(Error::unsupported("the IF-MIB interface table"))
}

pub(crate) fn read_igmp() -> Result<Vec<GroupLine>> {
    crate::linux::read_file(IGMP_PATH).map(|text| crate::groups::parse_igmp(&text))
}

pub(crate) fn read_igmp6() -> Result<Vec<GroupLine>> {
    crate::linux::read_file(IGMP6_PATH).map(|text| crate::groups::parse_igmp6(&text))
}

/// Namespace discovery's view of processes.
pub(crate) mod netns_lookup {
    pub(crate) use crate::linux::netns::{
        Lookup, file_id, pids, process_cgroup, process_namespace, process_start,
    };
}

/// The state a [`SocketReader`](crate::SocketReader) keeps: its netlink socket, a line buffer
/// and the last Unix socket dump.
pub(crate) struct SocketTables {
    source: Source,
    sock_diag: Option<Netlink>,
    unix_diag: UnixDiag,
    line: Vec<u8>,
    bad_lines: usize,
}

impl SocketTables {
    pub(crate) fn new(source: Source) -> SocketTables {
        SocketTables {
            source,
            sock_diag: None,
            unix_diag: UnixDiag::default(),
            line: Vec::new(),
            bad_lines: 0,
        }
    }

    pub(crate) fn bad_lines(&self) -> usize {
        self.bad_lines
    }

    pub(crate) fn for_each_inet_detailed<E>(
        &mut self,
        query: &InetQuery,
        mut each: impl FnMut(&InetSocket, Option<&TcpDetails>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), ReadError<E>> {
        self.bad_lines = 0;
        if self.source == Source::Auto
            && let Some(netlink) = sock_diag_socket(&mut self.sock_diag)
        {
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
        self.for_each_inet_proc(query, |sock| each(sock, None))
    }

    fn for_each_inet_proc<E>(
        &mut self,
        query: &InetQuery,
        mut each: impl FnMut(&InetSocket) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), ReadError<E>> {
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

    /// Unix sockets in `/proc/net/unix` order. Where the kernel has `unix_diag`, each line is
    /// checked against its dump (see [`crate::linux::unix_diag`]): names come from the dump,
    /// and lines a name's newlines made, or whose inode the dump has not, are not sockets.
    pub(crate) fn for_each_unix<E>(
        &mut self,
        mut each: impl FnMut(&UnixSocket<'_>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), ReadError<E>> {
        self.bad_lines = 0;
        let diag = self.source == Source::Auto && self.dump_unix()?;
        let mut lines = self.open_proc("/proc/net/unix".into())?;
        lines.next(&mut self.line)?;
        let with_inode = proc_unix::header_has_inode(&self.line);
        let mut skip = 0;
        while lines.next(&mut self.line)? {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let Some(sock) = proc_unix::parse_line(&self.line, with_inode) else {
                self.bad_lines += 1;
                continue;
            };
            if !(diag && with_inode) {
                each(&sock).map_err(ReadError::Callback)?;
            } else if let Some((sock, newlines)) = self.unix_diag.join(&sock) {
                skip = newlines;
                each(&sock).map_err(ReadError::Callback)?;
            }
        }
        Ok(())
    }

    /// Dumps the Unix sockets through `unix_diag`; false where the kernel has no `unix_diag`.
    fn dump_unix<E>(&mut self) -> std::result::Result<bool, ReadError<E>> {
        let Some(netlink) = sock_diag_socket(&mut self.sock_diag) else {
            return Ok(false);
        };
        match self.unix_diag.dump(netlink) {
            Ok(()) => Ok(true),
            Err(e) if sock_diag::unsupported(&e) => Ok(false),
            Err(e) => Err(Error::read("sock_diag unix", e).into()),
        }
    }

    /// Opens a `/proc/net` table. With no descriptor left (`ulimit -n 4`, where net-tools
    /// still succeeds), the kept netlink socket is given up for it and opened again later.
    fn open_proc(&mut self, path: String) -> Result<ProcLines> {
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

/// The kept `NETLINK_SOCK_DIAG` socket, opened on first use; `None` where it cannot be opened.
fn sock_diag_socket(kept: &mut Option<Netlink>) -> Option<&mut Netlink> {
    if kept.is_none() {
        *kept = Netlink::open(rustix::net::netlink::SOCK_DIAG).ok();
    }
    kept.as_mut()
}

/// Line reader over a /proc file that reuses one buffer.
struct ProcLines {
    path: String,
    reader: io::BufReader<std::fs::File>,
}

impl ProcLines {
    fn open(path: String) -> Result<ProcLines> {
        match std::fs::File::open(crate::linux::proc_net::resolve(&path)) {
            Ok(file) => Ok(ProcLines {
                path,
                reader: io::BufReader::with_capacity(64 * 1024, file),
            }),
            Err(e) => Err(Error::open(path, e)),
        }
    }

    /// Reads the next line (without its newline) into `line`; false at the end.
    fn next(&mut self, line: &mut Vec<u8>) -> Result<bool> {
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

/// The single-process reads of the [`watch`](crate::watch) owner cache.
pub(crate) mod owner_scan {
    use std::io;
    use std::mem::MaybeUninit;
    use std::os::fd::OwnedFd;

    use crate::linux::process;
    pub(crate) use crate::linux::process::ProcessSockets;

    pub(crate) fn scan_all() -> crate::Result<Vec<ProcessSockets>> {
        process::scan_all(false).map(|(_, processes)| processes)
    }

    /// `/proc`, opened once for a round of single-process reads.
    pub(crate) struct Scanner {
        proc: OwnedFd,
        buf: Vec<MaybeUninit<u8>>,
    }

    impl Scanner {
        pub(crate) fn open() -> io::Result<Scanner> {
            Ok(Scanner {
                proc: process::open_dir(c"/proc")?,
                buf: vec![MaybeUninit::uninit(); 16 * 1024],
            })
        }

        pub(crate) fn pids(&mut self) -> io::Result<Vec<u32>> {
            process::list_pids(&self.proc)
        }

        pub(crate) fn scan(&mut self, pid: u32) -> Option<ProcessSockets> {
            process::scan_process(&self.proc, pid, &mut self.buf, false)
        }
    }
}
