//! `--summary`: the totals `ss -s` prints, from the kernel's counters (constant time however
//! many sockets exist), then what only a walk of the tables can tell: sockets by protocol and
//! state, the processes holding the most sockets, and the listeners of each local address. The
//! walk streams: per socket it only bumps counters.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::IpAddr;

use nettables::SocketReader;
use nettables::counters::{self, CounterFile};
use nettables::inet::{Family, InetQuery, InetSocket, Protocol, State};
use nettables::process::OwnerMap;
use nettables::sockstat;

use super::Status;
use crate::cli::args::Args;
use crate::output::Output;
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
        summary::write(out, args, &summary)?;
        Ok(0)
    })
}

/// The tables the summary walks: those selected by `-t -u -U -w` and `-4 -6`, or all.
pub fn tables(args: &Args) -> Vec<(Protocol, Family)> {
    let t = &args.tables;
    let protocols = [
        (t.tcp, Protocol::Tcp),
        (t.udp, Protocol::Udp),
        (t.udplite, Protocol::UdpLite),
        (t.raw, Protocol::Raw),
    ];
    let families = [(args.inet, Family::Inet), (args.inet6, Family::Inet6)];
    let mut tables = Vec::new();
    for (wanted, protocol) in protocols {
        for (family_wanted, family) in families {
            if !args.tables_requested || (wanted && family_wanted) {
                tables.push((protocol, family));
            }
        }
    }
    tables
}

/// Counts per table and state, per owning process, and the listeners of each address.
fn walk(args: &Args, reader: &mut SocketReader, summary: &mut Summary) -> nettables::Result<()> {
    let owners = OwnerMap::scan().unwrap_or_else(|_| {
        let mut denied = OwnerMap::default();
        denied.access_denied = true;
        denied
    });
    let mut per_owner = vec![0u64; owners.owners().len()];
    let mut listeners: BTreeMap<IpAddr, Vec<(&'static str, u16)>> = BTreeMap::new();
    for (protocol, family) in tables(args) {
        let mut per_state = [0u64; 256];
        let mut label = "";
        let query = InetQuery::new(protocol, family);
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
    summary.owners_denied = owners.access_denied;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_follow_the_selection() {
        assert_eq!(tables(&Args::default()).len(), 8);
        let mut args = Args {
            tables_requested: true,
            inet6: true,
            ..Args::default()
        };
        args.tables.udp = true;
        assert_eq!(tables(&args), vec![(Protocol::Udp, Family::Inet6)]);
    }
}
