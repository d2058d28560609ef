//! `--by-process`: Internet sockets grouped under the processes that hold them, with each
//! socket's descriptor, as `lsof -i` shows them. Every state is listed (as lsof does) unless
//! `-l` asks for listeners only; `-t -u -U -w -4 -6` and `--filter` select tables and sockets
//! as for the listing.

use std::convert::Infallible;

use nettables::SocketReader;
use nettables::filter::Filter;
use nettables::inet::InetSocket;
use nettables::process::SocketHolders;

use super::Status;
use super::listing::{self, Selection};
use crate::cli::args::{Args, Netns, OutputFormat};
use crate::output::Output;
use crate::render::by_process::{self, Holding};
use crate::render::inet::{Columns, RowWriter, Scope};
use crate::resolve::Resolvers;

/// No socket found for a descriptor (not an Internet socket, or not selected).
const NONE: u32 = u32::MAX;

pub fn run(args: &Args, out: &mut Output) -> Status {
    let filter = match listing::parse_filter(args.filter.as_deref(), args.netns == Netns::All) {
        Ok(filter) => filter,
        Err(status) => return Ok(status),
    };
    // lsof -i shows every state; -l narrows to listeners.
    let scope = if args.listening {
        Scope::Listening
    } else {
        Scope::All
    };
    let selection = Selection::new(args).with_scope(scope);
    // No PID column: the grouping shows it.
    let columns = Columns {
        scope,
        programs: false,
        ..listing::columns(args)
    };
    let lookups = listing::lookups(args);
    let mut reader = SocketReader::new();
    let mut resolvers = Resolvers::new(args.name_timeout);
    super::repeat(args, out, |out, _| {
        resolvers.hosts.start_pass();
        let holders = listing::holders();
        if holders.access_denied {
            // Even when nothing could be read: the -p wording of warn_denied(true) would not fit.
            listing::warn_denied(false);
        }
        let found = match collect(&selection, filter.as_ref(), &mut reader, &holders) {
            Ok(found) => found,
            Err(e) => {
                eprintln!("netstat: cannot list sockets: {e}");
                return Ok(1);
            }
        };
        listing::prefetch(&mut resolvers, &found.sockets, lookups);
        if !args.numeric_users {
            for uid in holders.processes.iter().filter_map(|p| p.uid) {
                resolvers.users.request(uid);
            }
        }
        let text = args.format == OutputFormat::Text;
        if text {
            by_process::write_header(out, &columns)?;
        }
        let mut rows = RowWriter::new(columns, None);
        let mut slots = found.slots.iter();
        for process in &holders.processes {
            let sockets: Vec<(u32, &InetSocket)> = process
                .sockets
                .iter()
                .zip(slots.by_ref())
                .filter_map(|(held, &slot)| Some((held.fd, found.sockets.get(slot as usize)?)))
                .collect();
            if sockets.is_empty() {
                continue;
            }
            let holding = Holding {
                process,
                user: process
                    .uid
                    .filter(|_| !args.numeric_users)
                    .and_then(|uid| resolvers.users.name(uid)),
                sockets: &sockets,
            };
            if text {
                by_process::write_text(out, &mut rows, &holding, |sock| {
                    resolvers.row(sock, lookups)
                })?;
            } else {
                by_process::write_json(out, listing::json_options(args), &holding)?;
            }
        }
        Ok(0)
    })
}

/// The selected Internet sockets, and for every descriptor of [`SocketHolders`] (in order,
/// process after process) the index of its socket, or [`NONE`].
struct Found {
    sockets: Vec<InetSocket>,
    slots: Vec<u32>,
}

fn collect(
    selection: &Selection,
    filter: Option<&Filter>,
    reader: &mut SocketReader,
    holders: &SocketHolders,
) -> nettables::Result<Found> {
    // (inode, descriptor slot), sorted by inode: a socket held several times matches each.
    let mut index: Vec<(u64, u32)> = Vec::new();
    for (slot, held) in holders
        .processes
        .iter()
        .flat_map(|p| &p.sockets)
        .enumerate()
    {
        index.push((held.inode, u32::try_from(slot).unwrap_or(NONE)));
    }
    index.sort_unstable();
    let mut found = Found {
        sockets: Vec::new(),
        slots: vec![NONE; index.len()],
    };
    for (protocol, family) in selection.tables() {
        let query = selection.query(protocol, family).filter(filter);
        let result = reader.for_each_inet(&query, |sock| {
            if sock.inode == 0 || !selection.shows(sock) {
                return Ok(());
            }
            let start = index.partition_point(|&(inode, _)| inode < sock.inode);
            let held = index[start..]
                .iter()
                .take_while(|&&(inode, _)| inode == sock.inode);
            let number = u32::try_from(found.sockets.len()).unwrap_or(NONE);
            let mut used = false;
            for &(_, slot) in held {
                if let Some(target) = found.slots.get_mut(slot as usize) {
                    *target = number;
                    used = true;
                }
            }
            if used {
                found.sockets.push(*sock);
            }
            Ok::<(), Infallible>(())
        });
        match result.map_err(nettables::Error::from) {
            Ok(()) => {}
            Err(e) if e.is_not_available() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(found)
}
