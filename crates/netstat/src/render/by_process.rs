//! `--by-process` output: a line per process, then its sockets as net-tools rows with the
//! descriptor in front; or one JSON record per process with its sockets inside.

use std::io::{self, Write};

use nettables::inet::InetSocket;
use nettables::process::{SocketHolder, SocketHolders};
use serde::Serialize;

use super::json::{self, Text};
use crate::cli::args::{Args, OutputFormat};
use crate::modes::by_process::Listing;
use crate::output::Output;
use crate::resolve::Names;

/// Width of the FD column, space included.
const FD_WIDTH: usize = 7;

/// Writes every process that holds a selected socket, in pid order.
pub fn write(
    out: &mut Output,
    args: &Args,
    holders: &SocketHolders,
    listing: &Listing,
    names: &mut Names,
) -> io::Result<()> {
    let text = args.format == OutputFormat::Text;
    if text {
        write_header(out, args)?;
    }
    let mut rows = super::inet::RowWriter::new(args);
    let mut slots = listing.slots.iter();
    for process in &holders.processes {
        let sockets: Vec<(u32, &InetSocket)> = process
            .sockets
            .iter()
            .zip(slots.by_ref())
            .filter_map(|(held, &slot)| Some((held.fd, listing.sockets.get(slot as usize)?)))
            .collect();
        if sockets.is_empty() {
            continue;
        }
        if text {
            write_process_line(out, args, process, names)?;
            for (fd, sock) in sockets {
                crate::text::pad_left(out, itoa::Buffer::new().format(fd).as_bytes(), FD_WIDTH)?;
                rows.write(out, sock, names, None)?;
            }
        } else {
            json::record(
                out,
                args.format,
                &Record::new(args, process, &sockets, names),
            )?;
        }
    }
    Ok(())
}

fn write_header(out: &mut impl Write, args: &Args) -> io::Result<()> {
    let mut columns = Vec::new();
    super::inet::write_header(&mut columns, args)?;
    let columns = columns
        .splitn(2, |&b| b == b'\n')
        .nth(1)
        .unwrap_or_default();
    out.write_all(b"Active Internet connections by process ")?;
    out.write_all(super::inet::scope(args))?;
    out.write_all(b"\n")?;
    crate::text::pad_left(out, b"FD", FD_WIDTH)?;
    out.write_all(columns)
}

/// `PID 4242 user nobody: python3 -m http.server` (control characters as `?`).
fn write_process_line(
    out: &mut impl Write,
    args: &Args,
    process: &SocketHolder,
    names: &mut Names,
) -> io::Result<()> {
    write!(out, "PID {} user ", process.pid)?;
    match process.uid {
        Some(uid) => match names.users.name(uid).filter(|_| !args.numeric_users) {
            Some(user) => crate::text::write_sanitized(out, user)?,
            None => write!(out, "{uid}")?,
        },
        None => out.write_all(b"?")?,
    }
    out.write_all(b": ")?;
    crate::text::write_sanitized(out, &process.cmdline)?;
    out.write_all(b"\n")
}

/// One process.
#[derive(Serialize)]
struct Record<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    netns: Option<&'a str>,
    pid: u32,
    uid: Option<u32>,
    /// Null with `--numeric-users`, or when the uid has no name.
    user: Option<String>,
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
    fn new(
        args: &'a Args,
        process: &'a SocketHolder,
        sockets: &[(u32, &InetSocket)],
        names: &mut Names,
    ) -> Record<'a> {
        let user = process
            .uid
            .filter(|_| !args.numeric_users)
            .and_then(|uid| names.users.name(uid))
            .map(|name| String::from_utf8_lossy(name).into_owned());
        let address = |ip| {
            let mut buf = Vec::new();
            json::push_plain(&mut buf, ip);
            json::ascii(&buf).to_string()
        };
        Record {
            netns: args.netns_label.as_deref(),
            pid: process.pid,
            uid: process.uid,
            user,
            command: Text(&process.cmdline),
            sockets: sockets
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
