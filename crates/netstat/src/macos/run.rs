//! The netstat of macOS: the command line of [`super::cli`], collected through nettables'
//! public API (its macOS backend), written by the renderers beside this module. Data flows one
//! way: command line, collect, select, resolve names, render.
//!
//! Sockets come from `nettables::macos`, which gives the kernel's own fields (PCB handles,
//! listen queues, buffer sizes, traffic, the socket layer's flags) for `-A`, `-L`, `-b` and
//! `-v`, and the Unix-domain section. What the library's records do not carry is refused with
//! a message and status 1 rather than printed wrong: `-s` with an interval, `-rs`, `-l` with
//! `-r`/`-i`, raw sockets. What is approximated, and why:
//! - `-v` names the process of `so_last_pid` from the processes that hold sockets (BSD:
//!   `proc_name`, which knows every process); one that holds none prints an empty name;
//! - route gateways on the link print `link#N`, never the neighbour's MAC address (the
//!   library gives an unspecified gateway for both); no expiry times; protocol-cloned routes
//!   show without `-a` too (the parent's flags are not in the record). Flags are xnu's bits,
//!   which nettables keeps unchanged on macOS;
//! - `-s` prints the sentences of the counters nettables reads (the leading fields every
//!   release lays out alike), ICMP's histograms too, not the `open ... socket` lines;
//! - `-i` shows each interface's first IPv4 address (the library's record has one);
//! - the default listing is the Internet table and the Unix-domain section: the multipath and
//!   kernel-control sections have no records in nettables.
//! - IPv6 host names keep their domain (BSD strips the local one).
//!
//! Our long options `--json`, `--json-lines` and `--filter EXPR` ([`crate::extensions`]) go
//! with the socket listing: the rows it selects, filtered in user space, as the schema's
//! `inet_socket` records (`docs/netstat.schema.json`), in the table's order. Their `inode` is
//! the kernel's socket handle, by which owners (`pid`, `program`) are found; `local_host` and
//! `remote_host` come without `-n`.

use std::ffi::{CStr, CString, OsString};
use std::io::{self, Write};
use std::net::{IpAddr, Ipv6Addr};
use std::time::{Duration, Instant};

use nettables::counters::{self, CounterFile};
use nettables::filter::Filter;
use nettables::inet::{Family, InetSocket, Protocol};
use nettables::macos::{BsdSocket, BsdUnixSocket, SocketDetail};
use nettables::process::OwnerMap;
use nettables::services::{ServiceTable, Services};
use nettables::sys::{self, OwnerKey};
use nettables::{iface, route};

use super::cli::{self, BsdArgs, Mode, Refusal};
use super::iface as iface_table;
use super::route as route_table;
use super::{sockets, stats, support, unix};
use crate::extensions;
use crate::output::{Output, OutputFormat, output_failed};
use crate::resolve::hosts::{self, Hosts};
use crate::text::reason;

/// Runs the command line (with `argv[0]`) and returns the exit status.
pub fn run(args: Vec<OsString>) -> i32 {
    let words = args.get(1..).unwrap_or_default();
    let parsed = match cli::parse(words, &extensions::long_options()) {
        Ok(parsed) => parsed,
        Err(Refusal::Help) => {
            return finish(cli::write_help(
                &mut io::stdout().lock(),
                &extensions::help(),
            ));
        }
        Err(Refusal::Version) => {
            let text = format!("netstat {}\n", env!("CARGO_PKG_VERSION"));
            return finish(io::stdout().lock().write_all(text.as_bytes()));
        }
        Err(Refusal::Usage(why)) => {
            if let Some(why) = why {
                eprintln!("netstat: {why}");
            }
            eprint!("{}", cli::USAGE);
            return 1;
        }
        Err(Refusal::Error(why)) => {
            eprintln!("netstat: {why}");
            return 1;
        }
    };
    if let Some(refused) = support::refusal(&parsed, &sys::capabilities()) {
        eprintln!("netstat: {refused}");
        return 1;
    }
    let ours = match support::extensions(&parsed) {
        Ok(ours) => ours,
        Err(message) => {
            eprint!("{message}");
            return 1;
        }
    };
    if let (Mode::Interfaces, Some(seconds)) = (parsed.mode(), parsed.interval) {
        return traffic(&parsed, seconds);
    }
    let mut out = Output::stdout();
    // Everything is collected before anything is written: a table that cannot be read
    // leaves no partial output.
    let written = match parsed.mode() {
        Mode::Sockets => {
            collect_sockets(&parsed, ours.filter.as_ref()).and_then(|rows| match ours.format {
                OutputFormat::Text => {
                    // A filter speaks of Internet sockets: it leaves the Unix section out.
                    let unix = match ours.filter {
                        None => collect_unix(&parsed)?,
                        Some(_) => Vec::new(),
                    };
                    let processes = Processes::new(&parsed);
                    Ok(write_sockets(&mut out, &parsed, &rows, &processes)
                        .and_then(|()| write_unix(&mut out, &parsed, &unix, &processes)))
                }
                format => {
                    let rows: Vec<InetSocket> = rows.iter().map(|bsd| bsd.socket).collect();
                    let owners = collect_owners();
                    Ok(write_records(
                        &mut out,
                        &parsed,
                        format,
                        &rows,
                        owners.as_ref(),
                    ))
                }
            })
        }
        Mode::Routes => collect_routes(&parsed).map(|t| write_routes(&mut out, &parsed, &t)),
        Mode::Interfaces => collect_interfaces().map(|t| write_interfaces(&mut out, &parsed, &t)),
        Mode::Statistics => counters::load(CounterFile::Snmp)
            .map_err(|e| reason(&e))
            .map(|loaded| write_statistics(&mut out, &parsed, &loaded)),
        // Refused by support::refusal already; said again rather than trusted.
        Mode::RouteStatistics => Err("-rs: routing statistics are not supported".into()),
    };
    match written {
        Ok(written) => finish(written.and_then(|()| out.flush())),
        Err(why) => {
            eprintln!("netstat: {why}");
            1
        }
    }
}

fn finish(written: io::Result<()>) -> i32 {
    match written {
        Ok(()) => 0,
        Err(e) => output_failed(&e),
    }
}

/// The sockets the Internet table lists (those `--filter` keeps): TCP then UDP, each in the
/// kernel's order (IPv4 and IPv6 mixed, newest first). A dual-stack socket counts as both
/// families, as BSD's `-f` keeps it.
fn collect_sockets(args: &BsdArgs, filter: Option<&Filter>) -> Result<Vec<BsdSocket>, String> {
    let mut rows = Vec::new();
    if args.family == Some(super::cli::AddressFamily::Unix) {
        return Ok(rows);
    }
    for protocol in [Protocol::Tcp, Protocol::Udp] {
        if !support::keeps_protocol(args, protocol) {
            continue;
        }
        let listed = nettables::macos::inet_sockets(protocol).map_err(|e| reason(&e))?;
        rows.extend(listed.into_iter().filter(|sock| {
            let s = &sock.socket;
            let v4 = s.family == Family::Inet || sock.dual_stack;
            let v6 = s.family == Family::Inet6;
            ((v4 && support::keeps_family(args, false))
                || (v6 && support::keeps_family(args, true)))
                && sockets::selects(s, args.all, args.listen_queues)
                && filter.is_none_or(|f| f.matches(s))
        }));
    }
    Ok(rows)
}

/// The Unix-domain sockets, when the listing has that section.
fn collect_unix(args: &BsdArgs) -> Result<Vec<BsdUnixSocket>, String> {
    if !support::lists_unix(args) {
        return Ok(Vec::new());
    }
    nettables::macos::unix_sockets().map_err(|e| reason(&e))
}

/// The names of processes by pid, for `-v`; none without it, or when they cannot be read.
struct Processes(Vec<(u32, Vec<u8>)>);

impl Processes {
    fn new(args: &BsdArgs) -> Processes {
        let owners = match args.verbose {
            0 => None,
            _ => OwnerMap::scan().ok(),
        };
        let mut names: Vec<(u32, Vec<u8>)> = owners
            .iter()
            .flat_map(|map| map.owners())
            .map(|owner| (owner.pid, owner.program().to_vec()))
            .collect();
        names.sort_unstable();
        names.dedup_by_key(|(pid, _)| *pid);
        Processes(names)
    }

    fn name(&self, pid: u32) -> &[u8] {
        match self.0.binary_search_by_key(&pid, |(p, _)| *p) {
            Ok(at) => &self.0[at].1,
            Err(_) => &[],
        }
    }

    /// The `-b`/`-v` columns of a socket.
    fn stats<'a>(&'a self, detail: &SocketDetail) -> sockets::Stats<'a> {
        sockets::Stats {
            detail: *detail,
            process: self.name(detail.last_pid),
            eprocess: self.name(detail.effective_pid),
        }
    }
}

/// The `Active Internet connections` table; nothing when there are no rows.
fn write_sockets(
    out: &mut impl Write,
    args: &BsdArgs,
    rows: &[BsdSocket],
    processes: &Processes,
) -> io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let names = Names::of_sockets(args.numeric, rows.iter().map(|bsd| &bsd.socket));
    let services = Services::new();
    let columns = columns(args);
    sockets::write_header(out, columns, args.all)?;
    let mut line = Vec::with_capacity(256);
    for bsd in rows {
        let sock = &bsd.socket;
        let lookup = Lookup {
            names: &names,
            services: &services,
            table: match sock.protocol {
                Protocol::Tcp => ServiceTable::Tcp,
                _ => ServiceTable::Udp,
            },
            numeric: args.numeric,
        };
        let local_zone = zone(sock.local.ip(), scope_of(&sock.local));
        let remote_zone = zone(sock.remote.ip(), scope_of(&sock.remote));
        let (lport, fport) = (sock.local.port(), sock.remote.port());
        let (local_ip, remote_ip) = (sock.local.ip(), sock.remote.ip());
        // BSD names the foreign port of a kernel-chosen local port, else the local port and
        // the foreign one when it differs.
        let (local_named, foreign_named) = match bsd.anonymous_port {
            true => (false, true),
            false => (true, lport != fport),
        };
        let queue = bsd.listen_queue;
        let row = sockets::Row {
            socket: sock,
            dual_stack: bsd.dual_stack,
            local: lookup.end(local_ip, lport, local_named, local_zone.as_deref()),
            foreign: lookup.end(remote_ip, fport, foreign_named, remote_zone.as_deref()),
            kernel: Some(sockets::KernelDetail {
                pcb: bsd.pcb,
                flow_hash: bsd.flow_hash,
                listen_queue: (queue.ready, queue.incomplete, queue.limit),
                stats: processes.stats(&bsd.detail),
            }),
        };
        sockets::write_row(out, &row, columns, &mut line)?;
    }
    Ok(())
}

/// The owners of sockets, found by the socket handle the records give as their inode; none
/// on a system that cannot say. A scan that fails leaves the records without owners, with a
/// warning, as an unreadable process does on Linux.
fn collect_owners() -> Option<OwnerMap> {
    if sys::capabilities().owners != OwnerKey::Inode {
        return None;
    }
    OwnerMap::scan()
        .map_err(|e| eprintln!("netstat: no socket owners: {}", reason(&e)))
        .ok()
}

/// `--json`, `--json-lines`: the rows as records, with their owners, and their host names
/// without `-n`.
fn write_records(
    out: &mut Output,
    args: &BsdArgs,
    format: OutputFormat,
    rows: &[InetSocket],
    owners: Option<&OwnerMap>,
) -> io::Result<()> {
    let names = Names::of_sockets(args.numeric, rows);
    let host = (!args.numeric).then_some(|ip| names.name(ip));
    sockets::write_records(out, format, rows, owners, host)
}

/// The columns the flags choose, for both sections.
fn columns(args: &BsdArgs) -> sockets::Columns {
    sockets::Columns {
        pcb: args.pcb,
        bytes: args.bytes,
        listen: args.listen_queues,
        wide: args.wide,
        long: args.long > 0,
        verbose: args.verbose,
    }
}

/// The `Active LOCAL (UNIX) domain sockets` section; nothing when there are none.
fn write_unix(
    out: &mut impl Write,
    args: &BsdArgs,
    rows: &[BsdUnixSocket],
    processes: &Processes,
) -> io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let columns = columns(args);
    unix::write_header(out, columns)?;
    let mut line = Vec::with_capacity(256);
    for sock in rows {
        let row = unix::UnixRow {
            pcb: sock.pcb,
            sock_type: sock.sock_type,
            recv_q: sock.recv_q,
            send_q: sock.send_q,
            vnode: sock.vnode,
            conn: sock.conn,
            refs: sock.refs,
            reflink: sock.reflink,
            path: sock.path.as_deref(),
            stats: processes.stats(&sock.detail),
        };
        unix::write_row(out, &row, columns, &mut line)?;
    }
    Ok(())
}

/// What one row's ends are named with.
struct Lookup<'a> {
    names: &'a Names,
    services: &'a Services,
    table: ServiceTable,
    numeric: bool,
}

impl<'a> Lookup<'a> {
    /// The names of one end; `named` says whether BSD names this end's port.
    fn end(
        &self,
        ip: IpAddr,
        port: u16,
        named: bool,
        zone: Option<&'a [u8]>,
    ) -> sockets::EndNames<'a> {
        let named = named && !self.numeric;
        sockets::EndNames {
            host: self.names.name(ip),
            zone,
            port_named: named,
            service: named
                .then(|| self.services.name(self.table, port))
                .flatten(),
        }
    }
}

fn scope_of(addr: &std::net::SocketAddr) -> u32 {
    match addr {
        std::net::SocketAddr::V6(v6) => v6.scope_id(),
        std::net::SocketAddr::V4(_) => 0,
    }
}

/// The interface name of an IPv6 address's scope, for `%zone`.
fn zone(ip: IpAddr, scope: u32) -> Option<Vec<u8>> {
    match ip {
        IpAddr::V6(_) if scope != 0 => interface_name(scope),
        _ => None,
    }
}

/// Host names, looked up together under the resolver's deadline; none with `-n`.
struct Names {
    hosts: Option<Hosts>,
}

impl Names {
    fn new(numeric: bool) -> Names {
        Names {
            hosts: (!numeric).then(|| Hosts::new(hosts::budget(None))),
        }
    }

    /// The hosts at both ends of `rows`, looked up.
    fn of_sockets<'a>(numeric: bool, rows: impl IntoIterator<Item = &'a InetSocket>) -> Names {
        let mut names = Names::new(numeric);
        for sock in rows {
            names.request(sock.local.ip());
            names.request(sock.remote.ip());
        }
        names.wait();
        names
    }

    fn request(&mut self, ip: IpAddr) {
        if let Some(hosts) = &mut self.hosts
            && !ip.is_unspecified()
        {
            hosts.request(ip);
        }
    }

    fn wait(&mut self) {
        if let Some(hosts) = &mut self.hosts {
            hosts.wait();
        }
    }

    fn name(&self, ip: IpAddr) -> Option<&[u8]> {
        self.hosts.as_ref()?.name(ip)
    }
}

/// The IPv4 and IPv6 routes the family keeps.
fn collect_routes(
    args: &BsdArgs,
) -> Result<(Vec<route::Ipv4Route>, Vec<route::Ipv6Route>), String> {
    let can = sys::capabilities();
    let v4 = match can.routes.0 && support::keeps_family(args, false) {
        true => route::ipv4_routes().map_err(|e| reason(&e))?,
        false => Vec::new(),
    };
    let v6 = match can.routes.1 && support::keeps_family(args, true) {
        true => route::ipv6_routes().map_err(|e| reason(&e))?,
        false => Vec::new(),
    };
    Ok((v4, v6))
}

/// `-r`: `Routing tables`, then the IPv4 and IPv6 tables.
fn write_routes(
    out: &mut impl Write,
    args: &BsdArgs,
    (v4, v6): &(Vec<route::Ipv4Route>, Vec<route::Ipv6Route>),
) -> io::Result<()> {
    let mut names = Names::new(args.numeric);
    for r in v4 {
        if r.flags.contains(route::Flags::HOST) {
            names.request(IpAddr::V4(r.destination));
        }
        names.request(IpAddr::V4(r.gateway));
    }
    for r in v6 {
        names.request(IpAddr::V6(r.next_hop));
        if r.flags.contains(route::Flags::HOST) {
            names.request(IpAddr::V6(r.destination));
        }
    }
    names.wait();
    let options = route_table::Options {
        numeric: args.numeric,
        wide: args.wide,
    };
    out.write_all(route_table::TITLE)?;
    let mut line = Vec::with_capacity(160);
    if !v4.is_empty() {
        route_table::write_family(out, false, options)?;
        for r in v4 {
            route_table::write_row(out, options, &ipv4_row(r, &names), &mut line)?;
        }
    }
    if !v6.is_empty() {
        route_table::write_family(out, true, options)?;
        for r in v6 {
            route_table::write_row(out, options, &ipv6_row(r, &names), &mut line)?;
        }
    }
    Ok(())
}

/// An IPv4 route as a row: a host route by name, a network by prefix, a gateway that is no
/// address as the interface's `link#N`.
fn ipv4_row<'a>(r: &'a route::Ipv4Route, names: &'a Names) -> route_table::Route<'a> {
    let flags = r.flags.bits();
    let host = flags & route_table::RTF_HOST != 0;
    let gateway = if r.gateway.is_unspecified() {
        route_table::Gateway::Link(interface_index(&r.iface))
    } else {
        route_table::Gateway::Addr {
            ip: IpAddr::V4(r.gateway),
            name: names.name(IpAddr::V4(r.gateway)),
            zone: None,
        }
    };
    route_table::Route {
        destination: IpAddr::V4(r.destination),
        prefix_len: (!host)
            .then(|| route_table::prefix_len_v4(r.mask))
            .flatten(),
        name: host
            .then(|| names.name(IpAddr::V4(r.destination)))
            .flatten(),
        zone: None,
        gateway,
        flags,
        netif: &r.iface,
        expire: None,
    }
}

/// An IPv6 route as a row: a /128 is a host route, scoped addresses carry the interface as
/// their zone.
fn ipv6_row<'a>(r: &'a route::Ipv6Route, names: &'a Names) -> route_table::Route<'a> {
    let flags = r.flags.bits();
    let scoped = |ip: Ipv6Addr| is_scoped(ip).then_some(&r.iface[..]);
    let gateway = if r.next_hop.is_unspecified() {
        route_table::Gateway::Link(interface_index(&r.iface))
    } else {
        route_table::Gateway::Addr {
            ip: IpAddr::V6(r.next_hop),
            name: names.name(IpAddr::V6(r.next_hop)),
            zone: scoped(r.next_hop),
        }
    };
    let host = r.prefix_len == 128;
    route_table::Route {
        destination: IpAddr::V6(r.destination),
        prefix_len: Some(r.prefix_len),
        name: host
            .then(|| names.name(IpAddr::V6(r.destination)))
            .flatten(),
        zone: scoped(r.destination),
        gateway,
        flags: if host {
            flags | route_table::RTF_HOST
        } else {
            flags
        },
        netif: &r.iface,
        expire: None,
    }
}

/// Link-local unicast, and interface- or link-local multicast: addresses with a zone.
fn is_scoped(ip: Ipv6Addr) -> bool {
    let [a, b, ..] = ip.octets();
    (a == 0xfe && b & 0xc0 == 0x80) || (a == 0xff && matches!(b & 0x0f, 0x1 | 0x2))
}

/// The interfaces and their IPv6 addresses (none when those cannot be read).
fn collect_interfaces() -> Result<(iface::Listing, Vec<iface::Inet6Address>), String> {
    let listing = iface::list().map_err(|e| reason(&e))?;
    Ok((listing, iface::inet6_addresses().unwrap_or_default()))
}

/// `-i`/`-I IF`: each interface's link row, then its IPv4 and IPv6 addresses.
fn write_interfaces(
    out: &mut impl Write,
    args: &BsdArgs,
    (listing, inet6): &(iface::Listing, Vec<iface::Inet6Address>),
) -> io::Result<()> {
    let wanted = |name: &[u8]| {
        args.interface
            .as_ref()
            .is_none_or(|only| only.as_encoded_bytes() == name)
    };
    let mut names = Names::new(args.numeric);
    for i in listing.interfaces.iter().filter(|i| wanted(&i.name)) {
        if let Some(v4) = &i.ipv4 {
            names.request(IpAddr::V4(v4.address));
        }
    }
    for a in inet6.iter().filter(|a| wanted(&a.device)) {
        names.request(IpAddr::V6(a.address));
    }
    names.wait();
    iface_table::write_header(out, args.bytes)?;
    let mut line = Vec::with_capacity(160);
    for i in listing.interfaces.iter().filter(|i| wanted(&i.name)) {
        let counters = counters(i);
        let index = interface_index(&i.name);
        let mac: &[u8] = match i.hw_addr[..6].iter().any(|&b| b != 0) {
            true => &i.hw_addr[..6],
            false => &[],
        };
        let mut rows = vec![iface_table::Address::Link { index, mac }];
        if let Some(v4) = &i.ipv4 {
            rows.push(iface_table::Address::Inet {
                address: v4.address,
                prefix_len: v4.netmask.and_then(route_table::prefix_len_v4),
                name: names.name(IpAddr::V4(v4.address)),
            });
        }
        let zone = &i.name[..];
        for a in inet6.iter().filter(|a| a.device == i.name) {
            rows.push(iface_table::Address::Inet6 {
                address: a.address,
                prefix_len: a.prefix_len,
                scope: if is_scoped(a.address) { index } else { 0 },
                zone: is_scoped(a.address).then_some(zone),
                name: names.name(IpAddr::V6(a.address)),
            });
        }
        for address in rows {
            let row = iface_table::Row {
                name: &i.name,
                up: i.is_up(),
                mtu: u32::try_from(i.mtu).unwrap_or(0),
                address,
                counters,
            };
            iface_table::write_row(out, &row, args.bytes, args.numeric, &mut line)?;
        }
    }
    Ok(())
}

/// `-w N`, `netstat N`: every N seconds, what the counters of every interface together (or
/// of `-I IF`, when there is one by that name) grew by, under a banner repeated every 21
/// lines; the first pass only takes the counters. Runs until interrupted, or until the output
/// is closed.
fn traffic(args: &BsdArgs, seconds: u32) -> i32 {
    let mut out = io::stdout().lock();
    let period = Duration::from_secs(u64::from(seconds));
    let start = Instant::now();
    let mut before: Option<iface_table::Counters> = None;
    let mut line = 0;
    for pass in 1u32.. {
        let (label, now) = match traffic_sample(args) {
            Ok(sample) => sample,
            Err(why) => {
                eprintln!("netstat: {why}");
                return 1;
            }
        };
        let timestamps = args.verbose > 0;
        let written = (|| {
            if line == 0 {
                iface_table::write_traffic_banner(&mut out, &label, timestamps)?;
            }
            if let Some(before) = &before {
                let time = timestamps.then(clock);
                iface_table::write_traffic(&mut out, &now.since(before), time.as_deref())?;
            }
            out.flush()
        })();
        if let Err(e) = written {
            return output_failed(&e);
        }
        before = Some(now);
        line = iface_table::next_traffic_line(line);
        // A fixed cadence, as BSD's interval timer keeps, however long a pass took.
        let next = start + period * pass;
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
    }
    0
}

/// The counters the traffic display follows, and its label: `(IF)` for `-I IF` when there is
/// such an interface, else `(Total)` and the sum over all interfaces.
fn traffic_sample(args: &BsdArgs) -> Result<(Vec<u8>, iface_table::Counters), String> {
    let listing = iface::list().map_err(|e| reason(&e))?;
    let only = args.interface.as_ref().and_then(|name| {
        listing
            .interfaces
            .iter()
            .find(|i| i.name.as_ref() == name.as_encoded_bytes())
    });
    if let Some(i) = only {
        return Ok(([b"(", &i.name[..], b")"].concat(), counters(i)));
    }
    let total = listing
        .interfaces
        .iter()
        .map(counters)
        .fold(iface_table::Counters::default(), |sum, c| sum.plus(&c));
    Ok((b"(Total)".to_vec(), total))
}

/// The local time as `HH:MM:SS`, as BSD's `print_time` writes it for `-v`.
fn clock() -> String {
    // SAFETY: time() with a null pointer only returns the time.
    let now = unsafe { libc::time(std::ptr::null_mut()) };
    // SAFETY: `struct tm` is plain integers (and a pointer that may be null); all zeros is a
    // valid value for localtime_r to overwrite.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid for the call; localtime_r is thread-safe.
    if unsafe { libc::localtime_r(&now, &mut tm) }.is_null() {
        return "??:??:??".into();
    }
    format!("{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec)
}

/// `-s`: the sections nettables gives, in BSD's order, those `-p`/`-f` keep.
fn write_statistics(
    out: &mut impl Write,
    args: &BsdArgs,
    loaded: &counters::Counters,
) -> io::Result<()> {
    let order = support::statistics_sections(args);
    for name in order {
        if let Some(section) = loaded.sections.iter().find(|s| s.name == *name) {
            stats::write_section(out, name, &section.counters, args.statistics > 1)?;
        }
    }
    Ok(())
}

/// An interface's counters as the table shows them.
fn counters(i: &iface::Interface) -> iface_table::Counters {
    let c = i.stats.unwrap_or_default();
    iface_table::Counters {
        ipackets: c.rx_packets,
        ierrors: c.rx_errors,
        ibytes: c.rx_bytes,
        opackets: c.tx_packets,
        oerrors: c.tx_errors,
        obytes: c.tx_bytes,
        collisions: c.collisions,
    }
}

/// The index of interface `name`; 0 if there is none.
fn interface_index(name: &[u8]) -> u32 {
    let Ok(name) = CString::new(name) else {
        return 0;
    };
    // SAFETY: `name` is a valid NUL-terminated string for the duration of the call.
    unsafe { libc::if_nametoindex(name.as_ptr()) }
}

/// The name of interface `index`.
fn interface_name(index: u32) -> Option<Vec<u8>> {
    let mut buf = [0 as libc::c_char; libc::IF_NAMESIZE];
    // SAFETY: `buf` has the IF_NAMESIZE bytes if_indextoname may write, NUL included.
    let found = unsafe { libc::if_indextoname(index, buf.as_mut_ptr()) };
    if found.is_null() {
        return None;
    }
    // SAFETY: on success if_indextoname wrote a NUL-terminated name into `buf`.
    let name = unsafe { CStr::from_ptr(buf.as_ptr()) };
    Some(name.to_bytes().to_vec())
}
