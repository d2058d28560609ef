//! The netstat of Windows: the command line of [`super::cli`], collected through nettables'
//! Windows backend, written by the renderers beside this module. Data flows one way: command
//! line, collect, select and order, render.

use std::ffi::OsString;
use std::io::{self, Write};
use std::time::Duration;

use nettables::SocketReader;
use nettables::counters::{self, CounterFile};
use nettables::filter::{Filter, NumericNames};
use nettables::inet::{Family, InetQuery, InetSocket, Protocol};
use nettables::process::OwnerMap;
use nettables::services::{ServiceTable, Services};
use nettables::sys::{self, OwnerKey};
use nettables::{if_table, route};

use super::cli::{self, Refusal, WindowsArgs};
use super::connections::{self, Columns, Offload, Owner, Row, Selection};
use super::route::RouteTables;
use super::stats::{self, Section};
use super::{ethernet, names, records};
use crate::extensions::{self, Extensions, System};
use crate::output::{Output, OutputFormat, output_failed};
use crate::render::{self, json, json::JsonOptions};
use crate::resolve::hosts::{self, Hosts};

/// What stopped a pass: a table that could not be read (exit 1), or the output.
enum Failure {
    Collect(String),
    Output(io::Error),
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        Failure::Output(e)
    }
}

impl From<nettables::Error> for Failure {
    fn from(e: nettables::Error) -> Failure {
        Failure::Collect(crate::text::reason(&e))
    }
}

/// How our long options' messages name this mode.
const WINDOWS: System = System {
    name: "Windows",
    listing: "connection listing",
    other_modes: "-e, -r, -s",
};

/// Runs the command line (with `argv[0]`) and returns the exit status.
pub fn run(args: Vec<OsString>) -> i32 {
    let words = args.get(1..).unwrap_or_default();
    let long = extensions::long_options();
    let help = extensions::help();
    let parsed = match cli::parse(words, &long) {
        Ok(parsed) => parsed,
        Err(Refusal::Help) => {
            return match cli::write_help(&mut io::stdout().lock(), &help) {
                Ok(()) => 0,
                Err(e) => output_failed(&e),
            };
        }
        Err(Refusal::Usage(why)) => {
            eprintln!("netstat: {why}");
            let _ = cli::write_help(&mut io::stderr().lock(), &help);
            return 1;
        }
    };
    if let Some(refused) = unsupported(&parsed) {
        eprintln!("netstat: {refused}");
        return 1;
    }
    let extensions = match apply_extensions(&parsed) {
        Ok(extensions) => extensions,
        Err(message) => {
            eprint!("{message}");
            return 1;
        }
    };
    let mut names = (!parsed.numeric).then(|| Names {
        hosts: Hosts::new(Some(hosts::DEFAULT_BUDGET)),
        services: Services::new(),
        machine: hosts::machine_name().unwrap_or_default(),
        fqdn: parsed.fqdn,
    });
    let mut out = Output::stdout();
    loop {
        let pass = one_pass(&mut out, &parsed, &extensions, names.as_mut())
            .and_then(|()| Ok(out.flush()?));
        match pass {
            Ok(()) => {}
            Err(Failure::Collect(why)) => {
                let _ = json::close(&mut out);
                let _ = out.flush();
                eprintln!("netstat: {why}");
                return 1;
            }
            Err(Failure::Output(e)) => return output_failed(&e),
        }
        match parsed.interval {
            Some(seconds) => std::thread::sleep(Duration::from_secs(u64::from(seconds))),
            None => return 0,
        }
    }
}

/// Applies our long options. A filter takes numbers and literal addresses only: the
/// filter's name look-ups (`getservbyname`, `getaddrinfo`, `if_nametoindex`) are written for
/// Unix.
fn apply_extensions(args: &WindowsArgs) -> Result<Extensions, String> {
    extensions::apply(
        &args.long,
        args.lists_connections(),
        &WINDOWS,
        &NumericNames,
    )
}

/// What this build cannot do, said before anything is printed.
fn unsupported(args: &WindowsArgs) -> Option<String> {
    if args.network_direct {
        return Some("-x: NetworkDirect is not supported".into());
    }
    if args.template {
        return Some("-y: connection templates are not supported".into());
    }
    let can = sys::capabilities();
    if args.executables && can.owners != OwnerKey::Pid {
        return Some("-b: no process owners on this system".into());
    }
    None
}

/// Host and service names for the foreign column (not with `-n`), kept between passes.
struct Names {
    hosts: Hosts,
    services: Services,
    machine: Vec<u8>,
    /// `-f`: fully qualified names.
    fqdn: bool,
}

impl Names {
    /// Looks up the foreign hosts of `sockets`, concurrently, under the resolver's deadline.
    fn look_up(&mut self, sockets: &[InetSocket]) {
        self.hosts.start_pass();
        for sock in sockets.iter().filter(|s| names::wants_lookup(s)) {
            self.hosts.request(sock.remote.ip());
        }
        self.hosts.wait();
    }

    /// The foreign host a socket shows (`None`: the number), once looked up.
    fn host(&self, sock: &InetSocket) -> Option<&[u8]> {
        let name = self.hosts.name(sock.remote.ip());
        names::foreign_host(sock, name, &self.machine, self.fqdn)
    }

    /// The foreign column's text; `None` for the plain number.
    fn column(&self, sock: &InetSocket) -> Option<Vec<u8>> {
        let table = match sock.protocol {
            Protocol::Tcp => ServiceTable::Tcp,
            _ => ServiceTable::Udp,
        };
        let port = sock.remote.port();
        let service = (port != 0)
            .then(|| self.services.name(table, port))
            .flatten();
        names::foreign_column(sock, self.host(sock), service)
    }
}

/// One display: `-e` (then `-s`'s sections with `-s`), `-s`, `-r`, or the connections.
fn one_pass(
    out: &mut Output,
    args: &WindowsArgs,
    extensions: &Extensions,
    names: Option<&mut Names>,
) -> Result<(), Failure> {
    if args.lists_connections() {
        return connections_table(out, args, extensions, names);
    }
    if args.ethernet {
        ethernet::write(out, &records::ethernet(&if_table::list()?))?;
    }
    if args.statistics {
        statistics(out, args)?;
    }
    if args.routes {
        routes(out)?;
    }
    Ok(())
}

/// The `-s` sections, or the one `-p` names.
fn statistics(out: &mut impl Write, args: &WindowsArgs) -> Result<(), Failure> {
    let v4 = counters::load(CounterFile::Snmp)?;
    // A system without IPv6 has no IPv6 counters: those sections are left out.
    let v6 = match counters::load(CounterFile::Snmp6) {
        Ok(counters) => Some(counters),
        Err(e) if e.is_not_available() => None,
        Err(e) => return Err(e.into()),
    };
    let sections = match args.protocol {
        Some(proto) => vec![proto.section()],
        None => Section::ALL.to_vec(),
    };
    let stats = records::statistics(Some(&v4), v6.as_ref());
    Ok(stats::write(out, &stats, &sections)?)
}

/// `-r`: the interface list and both route tables.
fn routes(out: &mut impl Write) -> Result<(), Failure> {
    let interfaces = if_table::list()?;
    let ipv4 = records::ipv4_routes(&route::ipv4_routes()?, &interfaces);
    let ipv6 = records::ipv6_routes(&route::ipv6_routes()?, &interfaces);
    let persistent = records::persistent_routes(&route::ipv4_persistent_routes()?);
    let tables = RouteTables {
        interfaces: &records::interface_list(&interfaces),
        ipv4: &ipv4,
        ipv4_persistent: &persistent,
        ipv6: &ipv6,
        ipv6_persistent: &[],
    };
    Ok(super::route::write(out, &tables)?)
}

/// The `Active Connections` table, or its sockets as JSON records (`--json`, `--json-lines`).
fn connections_table(
    out: &mut Output,
    args: &WindowsArgs,
    extensions: &Extensions,
    names: Option<&mut Names>,
) -> Result<(), Failure> {
    let selection = Selection {
        all: args.all,
        bound: args.bound,
        group: args.protocol.and_then(cli::Proto::group),
    };
    let mut sockets = collect(&selection, extensions.filter.as_ref())?;
    sockets.sort_by(connections::order);
    let wants_owners = args.executables || (args.pids && extensions.format != OutputFormat::Text);
    let owners = wants_owners.then(OwnerMap::scan).transpose()?;
    let names = names.map(|names| {
        names.look_up(&sockets);
        &*names
    });
    if extensions.format != OutputFormat::Text {
        let options = JsonOptions {
            format: extensions.format,
            origin: None,
        };
        let host_names = names.is_some();
        let mut writer = json::InetWriter::new(options, owners.as_ref(), host_names).pid_keyed();
        for sock in &sockets {
            let row = render::inet::Row {
                sock,
                names: render::inet::RowNames {
                    remote_host: names.and_then(|names| names.host(sock)),
                    ..render::inet::RowNames::default()
                },
                details: None,
            };
            writer.write(out, &row)?;
        }
        return Ok(json::finish(out, extensions.format)?);
    }
    let columns = Columns {
        pid: args.pids,
        offload: args.offload,
    };
    connections::write_header(out, columns)?;
    let mut line = Vec::with_capacity(256);
    for socket in &sockets {
        let foreign = names.and_then(|names| names.column(socket));
        // The Windows backend keeps the owning PID where Linux keeps the inode.
        let pid = u32::try_from(socket.inode).unwrap_or(0);
        let owner = owners.as_ref().map(|map| match map.get(socket.inode) {
            Some(found) => Owner::Known {
                image: &found.argv0,
                components: &[],
            },
            None => Owner::Unknown,
        });
        let row = Row {
            socket,
            pid,
            foreign_names: foreign.as_deref(),
            offload: Offload::InHost,
            owner,
        };
        connections::write_row(out, columns, &row, &mut line)?;
    }
    Ok(())
}

/// The sockets of the four tables Windows lists that the selection keeps.
/// `--filter` runs in user space here (no kernel filtering on Windows).
fn collect(selection: &Selection, filter: Option<&Filter>) -> Result<Vec<InetSocket>, Failure> {
    let mut reader = SocketReader::new();
    let mut sockets = Vec::new();
    for (protocol, family) in [
        (Protocol::Tcp, Family::Inet),
        (Protocol::Tcp, Family::Inet6),
        (Protocol::Udp, Family::Inet),
        (Protocol::Udp, Family::Inet6),
    ] {
        let query = InetQuery::new(protocol, family).filter(filter);
        reader
            .for_each_inet(&query, |sock| {
                if selection.selects(sock) {
                    sockets.push(*sock);
                }
                Ok::<(), std::convert::Infallible>(())
            })
            .map_err(nettables::Error::from)?;
    }
    Ok(sockets)
}
