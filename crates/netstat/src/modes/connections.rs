//! The default mode: the Internet and Unix socket tables (and `-g`'s group table).
//!
//! Sections come in net-tools' order: tcp, sctp, udp, udplite, raw (IPv4 then IPv6 each), the
//! groups, unix, then the legacy families, which no current kernel has.

use std::io;
use std::path::Path;

use nettables::filter::Filter;
use nettables::inet::{Family, InetSocket, Protocol};
use nettables::process::OwnerMap;
use nettables::tcp_info::TcpDetails;
use nettables::{ReadError, SocketReader};

use super::Status;
use super::listing::{self, Selection};
use crate::cli::args::{Args, Netns, OutputFormat};
use crate::output::Output;
use crate::render::inet::Row;
use crate::render::owner::OwnerLabels;
use crate::render::{inet, json, unix};
use crate::resolve::Resolvers;
use crate::resolve::sockets::Lookups;

pub fn run(args: &Args, out: &mut Output) -> Status {
    let filter = match listing::parse_filter(args.filter.as_deref(), args.netns == Netns::All) {
        Ok(filter) => filter,
        Err(status) => return Ok(status),
    };
    let mut listing = Listing {
        args,
        selection: Selection::new(args),
        lookups: listing::lookups(args),
        filter,
        reader: SocketReader::new(),
        resolvers: Resolvers::new(args.name_timeout),
        owners: None,
        rows: Vec::new(),
        details: Vec::new(),
    };
    super::repeat(args, out, |out, _| listing.pass(out))
}

/// State kept across passes of `-c`: the netlink socket, caches and buffers.
struct Listing<'a> {
    args: &'a Args,
    selection: Selection,
    lookups: Lookups,
    /// `--filter`. It selects Internet sockets only: no UNIX socket has the ports, addresses
    /// and TCP states it tests, so with a filter the UNIX table is not listed at all.
    filter: Option<Filter>,
    reader: SocketReader,
    resolvers: Resolvers,
    /// The process map of this pass, loaded on first need (`-p`).
    owners: Option<OwnerMap>,
    /// Rows of one table held while their host names are looked up.
    rows: Vec<InetSocket>,
    /// `--tcp-info`: the details of each of `rows`.
    details: Vec<Option<TcpDetails>>,
}

/// net-tools' "no support" message for a family the kernel lacks.
fn no_support(name: &str) {
    eprintln!("netstat: no support for `{name}' on this system.");
}

impl Listing<'_> {
    fn pass(&mut self, out: &mut Output) -> Status {
        let args = self.args;
        let tables = &args.tables;
        let requested = args.tables_requested;
        self.owners = None;
        self.resolvers.hosts.start_pass();

        if !requested || tables.tcp || tables.sctp || tables.udp || tables.udplite || tables.raw {
            self.load_owners();
            if args.format == OutputFormat::Text {
                inet::write_header(out, &listing::columns(args))?;
            }
            let sections = [
                Section::Inet(Protocol::Tcp),
                Section::Sctp,
                Section::Inet(Protocol::Udp),
                Section::Inet(Protocol::UdpLite),
                Section::Inet(Protocol::Raw),
            ];
            for section in sections {
                let status = match section {
                    Section::Inet(protocol) if self.selection.wants(protocol) => {
                        self.inet_table(out, protocol)?
                    }
                    Section::Sctp if !requested || tables.sctp => self.sctp(),
                    Section::Inet(_) | Section::Sctp => 0,
                };
                if status != 0 {
                    return Ok(status);
                }
            }
        }

        if args.groups {
            let status = super::groups::write(args, out, &mut self.resolvers)?;
            if status != 0 {
                return Ok(status);
            }
        }

        if (!requested || tables.unix) && self.filter.is_none() {
            self.load_owners();
            let status = self.unix_table(out)?;
            if status != 0 {
                return Ok(status);
            }
        }

        let legacy = [
            (tables.ipx, "AF IPX", "/proc/net/ipx/socket"),
            (tables.ax25, "AF AX25", "/proc/net/ax25"),
            (tables.x25, "AF X25", "/proc/net/x25"),
            (tables.netrom, "AF NETROM", "/proc/net/nr"),
            (tables.rose, "AF ROSE", "/proc/net/rose"),
        ];
        for (wanted, name, path) in legacy {
            if requested && !wanted {
                continue;
            }
            // These families died with their kernel modules; their tables are not rendered.
            if !Path::new(path).exists() || requested {
                if requested || args.verbose {
                    no_support(name);
                }
                if requested {
                    return Ok(1);
                }
            }
        }

        if requested && (tables.l2cap || tables.rfcomm) {
            eprint!(
                "netstat: feature `AF BLUETOOTH' not supported.\n\
                 Please recompile `net-tools' with newer kernel source or full configuration.\n"
            );
            return Ok(1);
        }
        Ok(0)
    }

    /// Builds the inode → process map once per pass, printing net-tools' warnings.
    fn load_owners(&mut self) {
        if !self.args.programs || self.owners.is_some() {
            return;
        }
        let owners = listing::owners();
        if owners.access_denied {
            listing::warn_denied(owners.is_empty());
        }
        self.owners = Some(owners);
    }

    /// One protocol: its IPv4 table, then its IPv6 table.
    fn inet_table(&mut self, out: &mut Output, protocol: Protocol) -> io::Result<i32> {
        let args = self.args;
        let families: Vec<Family> = self.selection.families().collect();
        for family in families {
            match self.list(out, protocol, family) {
                Ok(()) => {}
                Err(ReadError::Callback(e)) => return Err(e),
                Err(ReadError::Source(e)) if e.is_not_available() => {
                    // Only a missing IPv4 table is reported, as net-tools does.
                    if family == Family::Inet && !args.protocols_implied {
                        if args.tables_requested || args.verbose {
                            no_support(&format!("AF INET ({})", protocol.name()));
                        }
                        if args.tables_requested {
                            return Ok(1);
                        }
                    }
                }
                Err(ReadError::Source(e)) => {
                    eprintln!(
                        "/proc/net/{}: {}",
                        protocol.table(family),
                        crate::text::reason(&e)
                    );
                    return Ok(255);
                }
            }
            for _ in 0..self.reader.bad_lines() {
                eprintln!("warning, got bogus {} line.", protocol.name());
            }
        }
        Ok(0)
    }

    fn list(
        &mut self,
        out: &mut Output,
        protocol: Protocol,
        family: Family,
    ) -> Result<(), ReadError<io::Error>> {
        let args = self.args;
        let (selection, lookups) = (&self.selection, self.lookups);
        let query = selection
            .query(protocol, family)
            .timer_details(args.timers)
            .tcp_details(args.tcp_info)
            // Narrows the kernel's state mask, prunes in the kernel, and tests every row.
            .filter(self.filter.as_ref());
        let labels = self.owners.as_ref().map(OwnerLabels::new);
        let mut writer = InetRows::new(args, self.owners.as_ref(), labels.as_ref());
        let resolvers = &mut self.resolvers;
        if !lookups.hosts {
            return self.reader.for_each_inet_detailed(&query, |sock, details| {
                if !selection.shows(sock) {
                    return Ok(());
                }
                resolvers.request_row(sock, lookups);
                let names = resolvers.row(sock, lookups);
                writer.write(
                    out,
                    &Row {
                        sock,
                        names,
                        details,
                    },
                )
            });
        }
        // Host names: hold the table's rows while every name is looked up at once.
        let (rows, held_details) = (&mut self.rows, &mut self.details);
        rows.clear();
        held_details.clear();
        self.reader
            .for_each_inet_detailed(&query, |sock, details| {
                if selection.shows(sock) {
                    rows.push(*sock);
                    if args.tcp_info {
                        held_details.push(details.copied());
                    }
                }
                Ok::<(), io::Error>(())
            })?;
        listing::prefetch(resolvers, rows.iter(), lookups);
        for (i, sock) in rows.iter().enumerate() {
            let row = Row {
                sock,
                names: resolvers.row(sock, lookups),
                details: held_details.get(i).and_then(Option::as_ref),
            };
            writer.write(out, &row).map_err(ReadError::Callback)?;
        }
        Ok(())
    }

    /// SCTP: only the kernel-without-SCTP behaviour is reproduced.
    /// net-tools looks for SCTP among the IPv4 tables only (`-S -6`, IPv6 alone, is silent), stops at the
    /// first missing table when tables were named, and otherwise (`-v`) reports each table it
    /// reads: the endpoints with `-a` or `-l`, the associations without `-l`.
    fn sctp(&mut self) -> i32 {
        let args = self.args;
        if Path::new("/proc/net/sctp/eps").exists()
            || args.protocols_implied
            || (args.inet6 && !args.inet)
        {
            return 0;
        }
        if args.tables_requested {
            no_support("AF INET (sctp)");
            return 1;
        }
        if args.verbose {
            let tables_read = if args.all { 2 } else { 1 };
            for _ in 0..tables_read {
                no_support("AF INET (sctp)");
            }
        }
        0
    }

    fn unix_table(&mut self, out: &mut Output) -> io::Result<i32> {
        let args = self.args;
        let json = args.format != OutputFormat::Text;
        if !json {
            unix::write_header(out, &listing::columns(args))?;
        }
        let mut writer = unix::RowWriter::new();
        let labels = self.owners.as_ref().filter(|_| !json).map(OwnerLabels::new);
        let owners = labels.as_ref();
        let owner_map = self.owners.as_ref();
        let result = self.reader.for_each_unix(|sock| {
            if self.selection.shows_unix(sock) {
                if json {
                    json::write_unix(out, listing::json_options(args), sock, owner_map)?;
                } else {
                    writer.write(out, sock, owners)?;
                }
            }
            Ok(())
        });
        match result {
            Ok(()) => {}
            Err(ReadError::Callback(e)) => return Err(e),
            Err(ReadError::Source(e)) if e.is_not_available() => {
                if args.tables_requested || args.verbose {
                    no_support("AF UNIX");
                }
                return Ok(i32::from(args.tables_requested));
            }
            Err(ReadError::Source(e)) => {
                eprintln!("/proc/net/unix: {}", crate::text::reason(&e));
                return Ok(255);
            }
        }
        for _ in 0..self.reader.bad_lines() {
            eprintln!("warning, got bogus unix line.");
        }
        Ok(0)
    }
}

enum Section {
    Inet(Protocol),
    Sctp,
}

/// Rows of an Internet table, as net-tools' text or as JSON records.
enum InetRows<'a> {
    Text(inet::RowWriter<'a>),
    Json(json::InetWriter<'a>),
}

impl<'a> InetRows<'a> {
    fn new(
        args: &'a Args,
        owners: Option<&'a OwnerMap>,
        labels: Option<&'a OwnerLabels<'a>>,
    ) -> InetRows<'a> {
        match args.format {
            OutputFormat::Text => {
                InetRows::Text(inet::RowWriter::new(listing::columns(args), labels))
            }
            OutputFormat::Json | OutputFormat::JsonLines => InetRows::Json(json::InetWriter::new(
                listing::json_options(args),
                owners,
                !args.numeric_hosts,
            )),
        }
    }

    /// Writes one row; `--tcp-info` details go on a second line (text) or inside the record.
    fn write(&mut self, out: &mut Output, row: &Row<'_>) -> io::Result<()> {
        match self {
            InetRows::Text(writer) => writer.write(out, row),
            InetRows::Json(writer) => writer.write(out, row),
        }
    }
}
