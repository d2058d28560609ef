//! `--summary`: the totals `ss -s` prints, from the kernel's counters (constant time however
//! many sockets exist), then what only a walk of the tables can tell: sockets by protocol and
//! state, the processes holding the most sockets, and the listeners of each local address. The
//! walk streams: per socket it only bumps counters.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::IpAddr;

use nettables::SocketReader;
use nettables::counters::{self, CounterFile};
use nettables::inet::{InetSocket, Protocol, State};
use nettables::sockstat;

use super::Status;
use super::listing::{self, Selection};
use crate::cli::args::Args;
use crate::output::Output;
use crate::render::inet::Scope;
use crate::render::summary::{self, Listeners, Summary, TopProcess};

/// How many processes the summary names.
const TOP_PROCESSES: usize = 10;

pub fn run(args: &Args, out: &mut Output) -> Status {
    let mut reader = SocketReader::new();
    super::repeat(args, out, |out, _| {
        let stat = match sockstat::read() {
            Ok(stat) => stat,
            Err(e) => {
                eprintln!("netstat: {e}");
                return Ok(1);
            }
        };
        let established = counters::load(CounterFile::Snmp).ok().and_then(|snmp| {
            let tcp = snmp.sections.into_iter().find(|s| s.name == "Tcp")?;
            tcp.counters
                .into_iter()
                .find(|(key, _)| key == "CurrEstab")
                .map(|(_, value)| value)
        });
        let mut summary = Summary {
            stat,
            established,
            ..Summary::default()
        };
        if let Err(e) = walk(args, &mut reader, &mut summary) {
            eprintln!("netstat: cannot list sockets: {e}");
            return Ok(1);
        }
        summary::write(out, listing::json_options(args), &summary)?;
        Ok(0)
    })
}

/// Counts per table and state, per owning process, and the listeners of each address.
fn walk(args: &Args, reader: &mut SocketReader, summary: &mut Summary) -> nettables::Result<()> {
    // Every state counts; `-a` and `-l` do not narrow the summary.
    let selection = Selection::new(args).with_scope(Scope::All);
    let owners = listing::owners();
    let mut per_owner = vec![0u64; owners.owners().len()];
    let mut listeners: BTreeMap<IpAddr, Vec<(&'static str, u16)>> = BTreeMap::new();
    for (protocol, family) in selection.tables() {
        let mut per_state = [0u64; 256];
        let mut label = "";
        let query = selection.query(protocol, family);
        let result = reader.for_each_inet(&query, |sock: &InetSocket| {
            label = sock.table();
            per_state[usize::from(sock.state.0)] += 1;
            if sock.inode != 0
                && let Some(id) = owners.owner_id(sock.inode)
                && let Some(count) = per_owner.get_mut(id.0 as usize)
            {
                *count += 1;
            }
            if is_listener(sock) {
                listeners
                    .entry(sock.local.ip())
                    .or_default()
                    .push((label, sock.local.port()));
            }
            Ok::<(), Infallible>(())
        });
        match result.map_err(nettables::Error::from) {
            Ok(()) => {}
            Err(e) if e.is_not_available() => continue,
            Err(e) => return Err(e),
        }
        for (state, &count) in per_state.iter().enumerate() {
            if count > 0 {
                summary.states.push((label, State(state as u8), count));
            }
        }
    }
    let mut top: Vec<(usize, u64)> = per_owner
        .into_iter()
        .enumerate()
        .filter(|&(_, n)| n > 0)
        .collect();
    // Most sockets first; equal counts in pid order.
    top.sort_by_key(|&(index, count)| (std::cmp::Reverse(count), owners.owners()[index].pid));
    summary.top = top
        .into_iter()
        .take(TOP_PROCESSES)
        .map(|(index, sockets)| {
            let owner = &owners.owners()[index];
            TopProcess {
                pid: owner.pid,
                argv0: owner.argv0.clone(),
                sockets,
            }
        })
        .collect();
    summary.owners_denied = owners.access_denied || owners.processes_hidden;
    summary.listeners = listeners
        .into_iter()
        .map(|(address, mut sockets)| {
            sockets.sort_unstable();
            sockets.dedup();
            Listeners { address, sockets }
        })
        .collect();
    Ok(())
}

/// A TCP listener, or a UDP socket bound to a port and not connected.
fn is_listener(sock: &InetSocket) -> bool {
    match sock.protocol {
        Protocol::Tcp => sock.state == State::LISTEN,
        Protocol::Udp | Protocol::UdpLite => sock.state == State::CLOSE && sock.local.port() != 0,
        Protocol::Raw => false,
    }
}
