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
use crate::cli::args::Args;
use crate::output::Output;
use crate::render::{by_process, inet};
use crate::resolve::Names;

/// No socket found for a descriptor (not an Internet socket, or not selected).
const NONE: u32 = u32::MAX;

pub fn run(args: &Args, out: &mut Output) -> Status {
    let filter = match listing::parse_filter(args.filter.as_deref()) {
        Ok(filter) => filter,
        Err(status) => return Ok(status),
    };
    // lsof -i shows every state; -l narrows to listeners. No PID column: the grouping shows it.
    let shown = Args {
        all: !args.listening,
        programs: false,
        ..args.clone()
    };
    let selection = Selection::new(&shown);
    let mut reader = SocketReader::new();
    let mut names = Names::new();
    super::repeat(args, out, |out, _| {
        names.hosts.start_pass();
        let holders = listing::holders();
        if holders.access_denied {
            // Even when nothing could be read: the -p wording of warn_denied(true) would not fit.
            listing::warn_denied(false);
        }
        let listing = match collect(&selection, filter.as_ref(), &mut reader, &holders) {
            Ok(listing) => listing,
            Err(e) => {
                eprintln!("netstat: cannot list sockets: {e}");
                return Ok(1);
            }
        };
        if !args.numeric_hosts {
            let addresses = listing.sockets.iter().flat_map(inet::host_lookups);
            listing::prefetch(&mut names.hosts, addresses);
        }
        by_process::write(out, &shown, &holders, &listing, &mut names)?;
        Ok(0)
    })
}

/// The selected Internet sockets, and for every descriptor of [`SocketHolders`] (in order,
/// process after process) the index of its socket, or [`NONE`].
pub struct Listing {
    pub sockets: Vec<InetSocket>,
    pub slots: Vec<u32>,
}

fn collect(
    selection: &Selection,
    filter: Option<&Filter>,
    reader: &mut SocketReader,
    holders: &SocketHolders,
) -> nettables::Result<Listing> {
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
    let mut listing = Listing {
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
            let number = u32::try_from(listing.sockets.len()).unwrap_or(NONE);
            let mut used = false;
            for &(_, slot) in held {
                if let Some(target) = listing.slots.get_mut(slot as usize) {
                    *target = number;
                    used = true;
                }
            }
            if used {
                listing.sockets.push(*sock);
            }
            Ok::<(), Infallible>(())
        });
        match result.map_err(nettables::Error::from) {
            Ok(()) => {}
            Err(e) if e.is_not_available() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(listing)
}
