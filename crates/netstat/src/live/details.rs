//! What Enter shows: the selected socket read again from the kernel with its full
//! `tcp_info`, or the selected process, with the command line and descriptors of its owner.
//! A one-off query, made when the key is pressed.

use std::convert::Infallible;
use std::io;
use std::sync::Arc;

use nettables::SocketReader;
use nettables::filter::{Filter, NumericNames};
use nettables::inet::{InetQuery, InetSocket, StateMask};
use nettables::process::{Owner, SocketHolder};
use nettables::tcp_info::TcpDetails;
use nettables::watch::Rates;

use super::model::Process;
use crate::text::reason;

/// The row Enter was pressed on.
pub enum Subject {
    Socket {
        socket: InetSocket,
        owner: Option<Arc<Owner>>,
        rates: Rates,
    },
    Process {
        process: Process,
        /// Its sockets, as the last sample saw them.
        sockets: Vec<InetSocket>,
    },
}

/// The owning process, as read when the details opened.
pub struct Holder {
    pub pid: u32,
    pub uid: Option<u32>,
    /// Raw bytes, arguments joined by spaces.
    pub cmdline: Box<[u8]>,
    /// Its socket descriptors: descriptor number and socket inode, in descriptor order.
    pub sockets: Vec<(u32, u64)>,
}

impl Holder {
    fn of(holder: SocketHolder) -> Holder {
        Holder {
            pid: holder.pid,
            uid: holder.uid,
            cmdline: holder.cmdline,
            sockets: holder.sockets.iter().map(|s| (s.fd, s.inode)).collect(),
        }
    }
}

pub struct Details {
    pub subject: Subject,
    /// The socket as just read again; `None` when it is gone (or is not a socket row).
    pub fresh: Option<InetSocket>,
    pub tcp: Option<TcpDetails>,
    /// The owning process's descriptors and command line, or why they are unknown.
    pub holder: Result<Option<Holder>, String>,
}

impl Details {
    pub fn load(subject: Subject) -> Details {
        let (fresh, tcp) = match &subject {
            Subject::Socket { socket, .. } => match reread(socket) {
                Some((fresh, tcp)) => (Some(fresh), tcp),
                None => (None, None),
            },
            Subject::Process { .. } => (None, None),
        };
        let pid = match &subject {
            Subject::Socket { owner, .. } => owner.as_ref().map(|o| o.pid),
            Subject::Process { process, .. } => process.pid(),
        };
        let holder = match pid {
            None => Ok(None),
            Some(pid) => SocketHolder::of_process(pid)
                .map(|h| h.map(Holder::of))
                .map_err(|e| {
                    let denied =
                        e.os_error().map(io::Error::kind) == Some(io::ErrorKind::PermissionDenied);
                    if denied {
                        "not readable (needs root)".to_string()
                    } else {
                        reason(&e)
                    }
                }),
        };
        Details {
            subject,
            fresh,
            tcp,
            holder,
        }
    }
}

/// The socket read again, with its TCP details: the kernel skips every other socket (the
/// ports are compiled into inet_diag bytecode) and the cookie picks it out. `None` when it is
/// gone, or cannot be read.
fn reread(socket: &InetSocket) -> Option<(InetSocket, Option<TcpDetails>)> {
    let text = format!(
        "sport = :{} and dport = :{}",
        socket.local.port(),
        socket.remote.port()
    );
    let filter = Filter::parse_with(&text, &NumericNames).ok()?;
    let query = InetQuery::new(socket.protocol, socket.family)
        .states(StateMask::ALL)
        .tcp_details(true)
        .filter(Some(&filter));
    let mut found = None;
    SocketReader::new()
        .for_each_inet_detailed(&query, |candidate, details| {
            let same = if socket.cookie != 0 {
                candidate.cookie == socket.cookie
            } else {
                candidate.local == socket.local
                    && candidate.remote == socket.remote
                    && candidate.inode == socket.inode
            };
            if same && found.is_none() {
                found = Some((*candidate, details.copied()));
            }
            Ok::<(), Infallible>(())
        })
        .ok()?;
    found
}
