//! The `-g` group table, printed by the connection listing after the Internet tables.
//!
//! IPv4 memberships come first, then IPv6, each only when its family is selected. As in
//! net-tools, a missing `/proc/net/igmp` is reported (and fails the run) unless the protocols
//! were implied by `-4`/`-6`, and a missing `/proc/net/igmp6` is silent. Every pass parses from
//! scratch, so `-gc` repeats the same table (net-tools garbles later passes).

use std::io::{self, Write};
use std::net::IpAddr;
use std::sync::Mutex;

use nettables::groups::{self, GroupLine, IGMP_PATH};

use crate::cli::args::{Args, OutputFormat};
use crate::output::Output;
use crate::render::groups::{self as render, Lookup};
use crate::render::json_groups;
use crate::resolve::hosts::{self, Hosts};
use crate::resolve::networks::Networks;
use crate::text::reason;

/// Host names survive from one pass of `-c` to the next.
static HOSTS: Mutex<Option<Hosts>> = Mutex::new(None);

/// Writes the group table (header and rows). Returns the status of the section.
pub fn write(args: &Args, out: &mut Output) -> super::Status {
    let json = args.format != OutputFormat::Text;
    if !json {
        out.write_all(render::HEADER)?;
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

    let mut guard = HOSTS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let hosts = guard.get_or_insert_with(|| Hosts::new(hosts::DEFAULT_BUDGET));
    let mut networks = Networks::new();
    if !args.numeric_hosts {
        hosts.start_pass();
        let members = tables
            .iter()
            .flat_map(|(_, lines)| lines)
            .filter_map(|line| match line {
                GroupLine::Member(m) => Some(m.group),
                GroupLine::Bogus(_) => None,
            });
        for group in members {
            if render::lookup(group) == Lookup::Host {
                hosts.request(group);
            }
        }
        hosts.wait();
    }

    for (name, lines) in &tables {
        for line in lines {
            match line {
                GroupLine::Member(member) => {
                    let group = member.group;
                    let symbolic = match render::lookup(group) {
                        _ if args.numeric_hosts => None,
                        Lookup::Fixed => None,
                        Lookup::Host => hosts.name(group),
                        Lookup::Network => match group {
                            IpAddr::V4(v4) => networks.name(v4),
                            IpAddr::V6(_) => None,
                        },
                    };
                    if json {
                        json_groups::write(out, args, member, symbolic)?;
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

/// Whether the table could not be opened for want of permission (net-tools then says the
/// family is not supported, as for a missing table).
fn denied(e: &nettables::Error) -> bool {
    matches!(e, nettables::Error::Open { source, .. } if source.kind() == io::ErrorKind::PermissionDenied)
}
