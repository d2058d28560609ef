//! `netstat -r`: the routing table of each selected family, in command-line order.

use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use nettables::Error;
use nettables::route::{self, Flags};

use crate::cli::args::{Args, OutputFormat};
use crate::i18n::tr;
use crate::output::Output;
use crate::render::addr::{push_ipv4, push_ipv6};
use crate::render::json::JsonOptions;
use crate::render::json_route::{self, HostNames, Ipv4Row};
use crate::render::route::{self as render, CacheTexts, Layout, RouteTexts};
use crate::resolve::hosts::{self, Hosts};
use crate::resolve::networks::Networks;
use crate::text::strerror;

pub fn run(args: &Args, out: &mut Output) -> super::Status {
    let families: &[&str] = if args.families.is_empty() {
        &["inet"]
    } else {
        &args.families
    };
    let mut names = AddressText {
        // `-N` makes routes numeric in net-tools; --numeric-ports/-users do not.
        numeric: args.numeric_hosts || args.symbolic,
        hosts: Hosts::new(hosts::budget(args.name_timeout)),
        networks: Networks::new(),
    };
    let tables = Tables {
        layout: Layout::from_extend(args.extend),
        // The FIB is shown unless only -C was given.
        fib: args.fib || !args.cache,
        cache: args.cache,
        json: (args.format != OutputFormat::Text).then(|| super::listing::json_options(args)),
    };
    super::repeat(args, out, |out, pass| {
        if pass > 0 {
            names.hosts.start_pass();
        }
        for family in families {
            let status = match *family {
                "inet" => print_inet(out, &tables, &mut names)?,
                "inet6" => print_inet6(out, &tables, &mut names)?,
                other => unsupported(out, other)?,
            };
            if status != 0 {
                return Ok(status);
            }
        }
        Ok(0)
    })
}

struct Tables<'a> {
    layout: Layout,
    fib: bool,
    cache: bool,
    /// How records are written, when they are JSON.
    json: Option<JsonOptions<'a>>,
}

/// The name the text shows, when it is a name rather than the number.
fn shown_name(text: &[u8], number: &[u8]) -> Option<Vec<u8>> {
    (text != number && text != b"default" && text != b"[::]").then(|| text.to_vec())
}

/// The texts the route tables show for addresses: names (from the hosts and networks
/// databases, as net-tools picks them) or numbers.
struct AddressText {
    numeric: bool,
    hosts: Hosts,
    networks: Networks,
}

impl AddressText {
    fn request(&mut self, addr: IpAddr) {
        if !self.numeric && !addr.is_unspecified() {
            self.hosts.request(addr);
        }
    }

    /// A host: its name, or the number.
    fn host_v4(&self, addr: Ipv4Addr) -> Vec<u8> {
        match self.hosts.name(IpAddr::V4(addr)) {
            Some(name) if !self.numeric && !addr.is_unspecified() => name.to_vec(),
            _ => dotted(addr),
        }
    }

    /// A route destination: `default`, a host name (host routes, or host bits set), a
    /// network name from the networks database, or the number.
    fn destination_v4(&mut self, addr: Ipv4Addr, mask: Ipv4Addr, is_host: bool) -> Vec<u8> {
        if addr.is_unspecified() {
            return if !self.numeric && mask.is_unspecified() {
                b"default".to_vec()
            } else {
                dotted(addr)
            };
        }
        if self.numeric {
            return dotted(addr);
        }
        if is_host || u32::from(addr) & !u32::from(mask) != 0 {
            return self.host_v4(addr);
        }
        self.networks.request(addr);
        match self.networks.name(addr) {
            Some(name) => name.to_vec(),
            None => dotted(addr),
        }
    }

    /// The `dst_host` and `gateway_host` of a JSON record: none when names are off.
    fn symbolic<'a>(
        &self,
        dst: Option<&'a [u8]>,
        gateway: Option<&'a [u8]>,
    ) -> Option<HostNames<'a>> {
        (!self.numeric).then_some(HostNames { dst, gateway })
    }

    fn host_v6(&self, addr: Ipv6Addr) -> Vec<u8> {
        let mut text = Vec::new();
        if addr.is_unspecified() {
            text.extend_from_slice(if self.numeric { b"::" } else { b"[::]" });
            return text;
        }
        match self.hosts.name(IpAddr::V6(addr)) {
            Some(name) if !self.numeric => text.extend_from_slice(name),
            _ => push_ipv6(&mut text, addr),
        }
        text
    }
}

fn dotted(addr: Ipv4Addr) -> Vec<u8> {
    let mut text = Vec::with_capacity(15);
    push_ipv4(&mut text, addr);
    text
}

fn print_inet(out: &mut Output, tables: &Tables<'_>, names: &mut AddressText) -> io::Result<i32> {
    if tables.fib {
        let status = print_inet_fib(out, tables, names)?;
        if status != 0 {
            return Ok(status);
        }
    }
    if tables.cache {
        return print_inet_cache(out, tables, names);
    }
    Ok(0)
}

fn print_inet_fib(
    out: &mut Output,
    tables: &Tables<'_>,
    names: &mut AddressText,
) -> io::Result<i32> {
    let layout = tables.layout;
    let routes = match route::ipv4_routes() {
        Ok(routes) => routes,
        Err(e) => {
            return table_error(out, e, "INET (IPv4)", |out| {
                render::write_ipv4_header(out, layout)
            });
        }
    };
    for r in &routes {
        names.request(IpAddr::V4(r.gateway));
        if r.flags.contains(Flags::HOST) || u32::from(r.destination) & !u32::from(r.mask) != 0 {
            names.request(IpAddr::V4(r.destination));
        }
    }
    names.hosts.wait();
    if tables.json.is_none() {
        render::write_ipv4_header(out, layout)?;
    }
    for r in &routes {
        let destination =
            names.destination_v4(r.destination, r.mask, r.flags.contains(Flags::HOST));
        let gateway = if r.flags.contains(Flags::REJECT) {
            Vec::new()
        } else {
            names.host_v4(r.gateway)
        };
        if let Some(options) = tables.json {
            let dst = shown_name(&destination, &dotted(r.destination));
            let gateway = shown_name(&gateway, &dotted(r.gateway)).filter(|g| !g.is_empty());
            let found = names.symbolic(dst.as_deref(), gateway.as_deref());
            json_route::write_ipv4(out, options, Ipv4Row::Route(r), found)?;
            continue;
        }
        let texts = RouteTexts {
            destination: &destination,
            gateway: &gateway,
        };
        render::write_ipv4_row(out, layout, r, &texts)?;
    }
    Ok(0)
}

fn print_inet_cache(
    out: &mut Output,
    tables: &Tables<'_>,
    names: &mut AddressText,
) -> io::Result<i32> {
    let layout = tables.layout;
    let rows = match route::ipv4_route_cache() {
        Ok(rows) => rows,
        Err(e) => {
            return table_error(out, e, "INET (IPv4)", |out| {
                render::write_cache_header(out, layout)
            });
        }
    };
    // net-tools prints cache addresses with a /24 host test: a non-zero last octet is a
    // host, anything else a network.
    let mask = Ipv4Addr::new(255, 255, 255, 0);
    for row in &rows {
        for addr in [row.source, row.destination, row.gateway, row.spec_dst] {
            if u32::from(addr) & 0xff != 0 {
                names.request(IpAddr::V4(addr));
            }
        }
    }
    names.hosts.wait();
    if tables.json.is_none() {
        render::write_cache_header(out, layout)?;
    }
    for row in &rows {
        let mut text = |addr: Ipv4Addr| names.destination_v4(addr, mask, false);
        let (source, destination, gateway, spec_dst) = (
            text(row.source),
            text(row.destination),
            text(row.gateway),
            text(row.spec_dst),
        );
        if let Some(options) = tables.json {
            let dst = shown_name(&destination, &dotted(row.destination));
            let gateway = shown_name(&gateway, &dotted(row.gateway));
            let found = names.symbolic(dst.as_deref(), gateway.as_deref());
            json_route::write_ipv4(out, options, Ipv4Row::Cached(row), found)?;
            continue;
        }
        let texts = CacheTexts {
            source: &source,
            destination: &destination,
            gateway: &gateway,
            spec_dst: &spec_dst,
        };
        render::write_cache_row(out, layout, row, &texts)?;
    }
    Ok(0)
}

fn print_inet6(out: &mut Output, tables: &Tables<'_>, names: &mut AddressText) -> io::Result<i32> {
    // The IPv6 neighbour cache file net-tools would show for -C is gone from modern kernels,
    // so -C shows the cached routes of the route table instead.
    for (wanted, cache) in [(tables.fib, false), (tables.cache, true)] {
        if !wanted {
            continue;
        }
        let routes = match route::ipv6_routes() {
            Ok(routes) => routes,
            Err(e) => {
                return table_error(out, e, "INET6 (IPv6)", |out| {
                    render::write_ipv6_header(out, cache)
                });
            }
        };
        let routes: Vec<_> = routes
            .into_iter()
            .filter(|r| r.flags.contains(Flags::CACHE) == cache)
            .collect();
        for r in &routes {
            names.request(IpAddr::V6(r.destination));
            names.request(IpAddr::V6(r.next_hop));
        }
        names.hosts.wait();
        if tables.json.is_none() {
            render::write_ipv6_header(out, cache)?;
        }
        for r in &routes {
            if let Some(options) = tables.json {
                let number = |addr| {
                    let mut text = Vec::new();
                    push_ipv6(&mut text, addr);
                    text
                };
                let dst = shown_name(&names.host_v6(r.destination), &number(r.destination));
                let gateway = shown_name(&names.host_v6(r.next_hop), &number(r.next_hop));
                let found = names.symbolic(dst.as_deref(), gateway.as_deref());
                json_route::write_ipv6(out, options, r, found)?;
                continue;
            }
            let mut destination = names.host_v6(r.destination);
            destination.extend_from_slice(format!("/{}", r.prefix_len).as_bytes());
            render::write_ipv6_row(out, r, &destination, &names.host_v6(r.next_hop))?;
        }
    }
    Ok(0)
}

/// Reports a table that could not be read, as net-tools does: `perror` and a "not
/// configured" line for a missing table; the header and a warning for a missing column.
fn table_error(
    out: &mut Output,
    error: Error,
    family: &str,
    header: impl FnOnce(&mut Output) -> io::Result<()>,
) -> io::Result<i32> {
    match error {
        Error::NotAvailable { what, source } | Error::Open { what, source } => {
            eprintln!("{what}: {}", strerror(&source));
            writeln!(out, "{family} not configured in this system.")?;
        }
        Error::MissingColumn { what, column } => {
            header(out)?;
            out.flush()?;
            eprintln!("warning: {what} does not contain required field {column}");
        }
        Error::Read { what, source } => {
            out.flush()?;
            eprintln!("{what}: {}", strerror(&source));
        }
        other => {
            out.flush()?;
            eprintln!("{other}");
        }
    }
    Ok(1)
}

/// Families without an IPv4/IPv6 routing table. The legacy protocols' tables only exist
/// when their kernel modules are loaded, and only in the initial network namespace; their
/// "not configured" reports are reproduced as net-tools 2.10 writes them.
fn unsupported(out: &mut Output, family: &str) -> io::Result<i32> {
    out.flush()?;
    let missing = |path: &str| std::fs::File::open(path).err();
    let (stdout, stderr): (&[u8], String) = match family {
        "ax25" => match missing("/proc/net/ax25_route") {
            Some(e) => (
                tr!("AX.25 not configured in this system.\n"),
                format!("/proc/net/ax25_route: {}\n", strerror(&e)),
            ),
            None => return not_implemented("AX.25"),
        },
        "ipx" => match (
            missing("/proc/net/ipx/route"),
            missing("/proc/net/ipx_route"),
        ) {
            (Some(_), Some(e)) => (
                b"IPX routing not in file /proc/net/ipx/route or /proc/net/ipx_route found.\n",
                format!("{}\n", strerror(&e)),
            ),
            _ => return not_implemented("IPX"),
        },
        "ddp" => match missing("/proc/net/atalk_route") {
            Some(e) => (
                b"",
                format!(
                    "Error opening /proc/net/atalk_route: {}\nDDP (AppleTalk) not configured on this system.\n",
                    strerror(&e)
                ),
            ),
            None => return not_implemented("DDP"),
        },
        // net-tools' second message carries a stale errno; it reads so on every system
        // without NET/ROM.
        "netrom" => match missing("/proc/net/nr_nodes") {
            Some(e) => (
                tr!("NET/ROM not configured in this system.\n"),
                format!(
                    "/proc/net/nr_nodes: {}\n/proc/net/nr_neigh: {}\n",
                    strerror(&e),
                    strerror(&io::Error::from_raw_os_error(libc::EINVAL))
                ),
            ),
            None => return not_implemented("NET/ROM"),
        },
        "x25" => match missing("/proc/net/x25/route") {
            Some(_) => (tr!("X.25 not configured in this system.\n"), String::new()),
            None => return not_implemented("X.25"),
        },
        "rose" => match missing("/proc/net/rose_nodes") {
            Some(e) => (
                b"",
                format!(
                    "/proc/net/rose_nodes: {}\n{}",
                    strerror(&e),
                    String::from_utf8_lossy(tr!("ROSE not configured in this system.\n"))
                ),
            ),
            None => return not_implemented("ROSE"),
        },
        // Families this build of net-tools does not know at all.
        "bluetooth" => {
            eprintln!("Address family `{family}' not supported.");
            return Ok(3);
        }
        _ => {
            eprintln!("No routing for address family `{family}'.");
            return Ok(3);
        }
    };
    out.write_all(stdout)?;
    out.flush()?;
    eprint!("{stderr}");
    Ok(1)
}

/// A legacy routing table that exists on this system but that this netstat cannot print.
fn not_implemented(name: &str) -> io::Result<i32> {
    eprintln!("netstat: printing the {name} routing table is not supported.");
    Ok(1)
}
