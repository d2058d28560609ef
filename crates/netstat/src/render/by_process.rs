//! `--by-process` output: a line per process, then its sockets as net-tools rows with the
//! descriptor in front; or one JSON record per process with its sockets inside.

use std::io::{self, Write};

use nettables::inet::InetSocket;
use nettables::process::SocketHolder;
use serde::Serialize;

use super::inet::{Columns, Row, RowNames, RowWriter};
use super::json::{self, JsonOptions, Sink, Text};
use crate::text::{pad_left, write_sanitized};

/// Width of the FD column, space included.
const FD_WIDTH: usize = 7;

/// One process and the selected sockets it holds.
pub struct Holding<'a> {
    pub process: &'a SocketHolder,
    /// The user name of its uid, when names are on and the uid has one.
    pub user: Option<&'a [u8]>,
    /// Each socket with its descriptor, in descriptor order.
    pub sockets: &'a [(u32, &'a InetSocket)],
}

/// The title and the column header: the Internet table's, behind an FD column.
pub fn write_header(out: &mut impl Write, columns: &Columns) -> io::Result<()> {
    let mut header = Vec::new();
    super::inet::write_header(&mut header, columns)?;
    let header = header.splitn(2, |&b| b == b'\n').nth(1).unwrap_or_default();
    out.write_all(b"Active Internet connections by process ")?;
    out.write_all(columns.scope.title())?;
    out.write_all(b"\n")?;
    pad_left(out, b"FD", FD_WIDTH)?;
    out.write_all(header)
}

/// The process line, then a row per socket; `names` gives each socket's names.
pub fn write_text<'n>(
    out: &mut impl Write,
    rows: &mut RowWriter<'_>,
    holding: &Holding<'_>,
    names: impl Fn(&InetSocket) -> RowNames<'n>,
) -> io::Result<()> {
    write_process_line(out, holding)?;
    for &(fd, sock) in holding.sockets {
        pad_left(out, itoa::Buffer::new().format(fd).as_bytes(), FD_WIDTH)?;
        let row = Row {
            sock,
            names: names(sock),
            details: None,
        };
        rows.write(out, &row)?;
    }
    Ok(())
}

/// `PID 4242 user nobody: python3 -m http.server` (control characters as `?`).
fn write_process_line(out: &mut impl Write, holding: &Holding<'_>) -> io::Result<()> {
    let process = holding.process;
    write!(out, "PID {} user ", process.pid)?;
    match (holding.user, process.uid) {
        (Some(user), _) => write_sanitized(out, user)?,
        (None, Some(uid)) => write!(out, "{uid}")?,
        (None, None) => out.write_all(b"?")?,
    }
    out.write_all(b": ")?;
    write_sanitized(out, &process.cmdline)?;
    if process.cmdline_truncated {
        out.write_all(b"...")?;
    }
    out.write_all(b"\n")
}

/// The JSON record of one process.
pub fn write_json(
    out: &mut impl Sink,
    options: JsonOptions<'_>,
    holding: &Holding<'_>,
) -> io::Result<()> {
    json::record(out, options.format, &Record::new(options, holding))
}

/// One process.
#[derive(Serialize)]
struct Record<'a> {
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    origin: Option<json::Origin<'a>>,
    pid: u32,
    uid: Option<u32>,
    /// Null with `--numeric-users`, or when the uid has no name.
    user: Option<Text<'a>>,
    command: Text<'a>,
    sockets: Vec<SocketRecord>,
}

/// One socket descriptor of the process.
#[derive(Serialize)]
struct SocketRecord {
    fd: u32,
    proto: &'static str,
    local_address: String,
    local_port: u16,
    remote_address: String,
    remote_port: u16,
    state: std::borrow::Cow<'static, str>,
    recv_q: u32,
    send_q: u32,
    inode: u64,
}

impl<'a> Record<'a> {
    fn new(options: JsonOptions<'a>, holding: &Holding<'a>) -> Record<'a> {
        let address = |ip| {
            let mut buf = Vec::new();
            json::push_plain(&mut buf, ip);
            json::ascii(&buf).to_string()
        };
        Record {
            origin: options.origin,
            pid: holding.process.pid,
            uid: holding.process.uid,
            user: holding.user.map(Text),
            command: Text(&holding.process.cmdline),
            sockets: holding
                .sockets
                .iter()
                .map(|&(fd, sock)| SocketRecord {
                    fd,
                    proto: sock.table(),
                    local_address: address(sock.local.ip()),
                    local_port: sock.local.port(),
                    remote_address: address(sock.remote.ip()),
                    remote_port: sock.remote.port(),
                    state: json::inet_state(sock),
                    recv_q: sock.recv_q,
                    send_q: sock.send_q,
                    inode: sock.inode,
                })
                .collect(),
        }
    }
}
