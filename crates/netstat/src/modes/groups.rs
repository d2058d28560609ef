//! The `-g` group table, printed by the connection listing after the Internet tables.
//!
//! IPv4 memberships come first, then IPv6, each only when its family is selected. As in
//! net-tools, a missing `/proc/net/igmp` is reported (and fails the run) unless the protocols
//! were implied by `-4`/`-6`, and a missing `/proc/net/igmp6` is silent. Every pass parses from
//! scratch, so `-gc` repeats the same table (net-tools garbles later passes).

use std::io;
use std::net::IpAddr;

use nettables::groups::{self, GroupLine, IGMP_PATH};

use super::listing;
use crate::cli::args::{Args, OutputFormat};
use crate::output::Output;
use crate::render::groups as render;
use crate::render::json_groups;
use crate::resolve::Resolvers;
use crate::text::reason;

/// Writes the group table (header and rows), naming groups with `resolvers` (whose host names
/// survive from one pass of `-c` to the next). Returns the status of the section.
pub fn write(args: &Args, out: &mut Output, resolvers: &mut Resolvers) -> super::Status {
    let json = args.format != OutputFormat::Text;
    if !json {
        render::write_header(out)?;
    }
    let mut status = 0;
    let mut tables = Vec::with_capacity(2);
    if args.inet {
        match groups::read_igmp() {
            Ok(lines) => tables.push(("igmp", lines)),
            Err(e) if e.is_not_available() || denied(&e) => {
                if !args.protocols_implied {
                    eprintln!("netstat: no support for `AF INET (igmp)' on this system.");
                    status = 1;
                }
            }
            Err(e) => {
                eprintln!("{IGMP_PATH}: {}", reason(&e));
                return Ok(255);
            }
        }
    }
    if args.inet6 {
        // net-tools ignores every failure to open the IPv6 table.
        if let Ok(lines) = groups::read_igmp6() {
            tables.push(("igmp6", lines));
        }
    }

    let groups = || {
        tables
            .iter()
            .flat_map(|(_, lines)| lines)
            .filter_map(|line| match line {
                GroupLine::Member(m) => Some(m.group),
                GroupLine::Bogus(_) => None,
            })
    };
    if !args.numeric_hosts {
        for group in groups() {
            match source(group) {
                Source::Hosts => resolvers.hosts.request(group),
                Source::Networks(v4) => resolvers.networks.request(v4),
                Source::None => {}
            }
        }
        resolvers.hosts.wait();
    }

    let options = listing::json_options(args);
    for (name, lines) in &tables {
        for line in lines {
            match line {
                GroupLine::Member(member) => {
                    let group = member.group;
                    let symbolic = match source(group) {
                        _ if args.numeric_hosts => None,
                        Source::None => None,
                        Source::Hosts => resolvers.hosts.name(group),
                        Source::Networks(v4) => resolvers.networks.name(v4),
                    };
                    if json {
                        let name = (!args.numeric_hosts).then_some(symbolic);
                        json_groups::write(out, options, member, name)?;
                        continue;
                    }
                    let text = render::group_text(group, args.numeric_hosts, symbolic);
                    render::write_row(out, member, &text)?;
                }
                GroupLine::Bogus(number) => eprintln!("warning, got bogus {name} line {number}."),
            }
        }
    }
    Ok(status)
}

/// Which name database a group's symbolic form comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    /// None: the text is fixed (an unspecified address).
    None,
    /// The hosts database (reverse DNS).
    Hosts,
    /// The networks database: an IPv4 address whose first byte is 0 counts as a network.
    Networks(std::net::Ipv4Addr),
}

fn source(group: IpAddr) -> Source {
    match group {
        IpAddr::V4(v4) if v4.is_unspecified() => Source::None,
        IpAddr::V4(v4) if v4.octets()[0] == 0 => Source::Networks(v4),
        IpAddr::V6(v6) if v6.is_unspecified() => Source::None,
        _ => Source::Hosts,
    }
}

/// Whether the table could not be opened for want of permission (net-tools then says the
/// family is not supported, as for a missing table).
fn denied(e: &nettables::Error) -> bool {
    matches!(e, nettables::Error::Open { source, .. } if source.kind() == io::ErrorKind::PermissionDenied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_named_from_the_right_database() {
        let v4 = |s: &str| IpAddr::V4(s.parse().unwrap());
        assert_eq!(
            source(v4("0.1.2.3")),
            Source::Networks("0.1.2.3".parse().unwrap())
        );
        assert_eq!(source(v4("224.0.0.1")), Source::Hosts);
        assert_eq!(source(v4("0.0.0.0")), Source::None);
        assert_eq!(source("::".parse().unwrap()), Source::None);
    }
}
