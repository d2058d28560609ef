//! The macOS backend of the seam: the kernel's tables through sysctl and libproc, decoded by
//! the parsers beside this module (which tests run on Linux, on buffers laid out as xnu's
//! headers define them):
//! - TCP and UDP sockets from `net.inet.{tcp,udp}.pcblist_n`, Unix sockets from
//!   `net.local.{stream,dgram}.pcblist_n` ([`pcblist`](super::pcblist)); a list that changed
//!   while the kernel copied it is read again;
//! - owners and holders from `proc_listpids`, `proc_pidinfo(PROC_PIDLISTFDS)` and
//!   `proc_pidfdinfo(PROC_PIDFDSOCKETINFO)` ([`processes`](super::processes)), keyed by the
//!   socket handle the lists give as the inode;
//! - routes from `NET_RT_DUMP2` ([`route`]), interfaces, their counters and
//!   IPv6 addresses from `NET_RT_IFLIST2` ([`iface`](super::iface));
//! - protocol counters from `net.inet.{tcp,udp,ip,icmp}.stats` ([`stats`]).
//!
//! What macOS does not have here (raw and UDP-Lite tables, TCP internals, kernel filters,
//! events, namespaces, socket counts, multicast memberships, Linux's kernel parameters) comes
//! from [`crate::sys::unsupported`], and the capabilities say so.

use std::borrow::Cow;
use std::ffi::CStr;
use std::io;

use rustc_hash::FxHashMap;

pub(crate) use super::processes::{owner_map, socket_holder, socket_holders};
pub(crate) use crate::sys::unsupported::*;

use super::bytes::ParseError;
use super::iface::{Interfaces, Table};
use super::pcblist::{PcbList, UnixPcb};
use super::route::{self, Route, Routes};
use super::stats;
use super::sysctl;
use crate::counters::{CounterFile, Counters};
use crate::error::ReadError;
use crate::iface::{Counters as DeviceCounters, Inet6Address, Listing};
use crate::inet::{Family, InetSocket, Protocol};
use crate::macos::BsdSocket;
use crate::route::{CachedRoute, Ipv4Route, Ipv6Route};
use crate::sys::{Capabilities, OwnerKey};
use crate::unix::UnixSocket;
use crate::{Error, Result};

pub(crate) const CAPABILITIES: Capabilities = Capabilities {
    system: "macos",
    inet_sockets: true,
    unix_sockets: true,
    queues: true,
    owners: OwnerKey::Inode,
    holders: true,
    routes: (true, true),
    interfaces: true,
    counters: true,
    ..crate::sys::unsupported::CAPABILITIES
};

/// Every socket of one table, in kernel order. A socket whose records the parser cannot
/// decode is left out, as a malformed `/proc` line is on Linux.
pub(crate) fn inet_sockets(protocol: Protocol, family: Family) -> Result<Vec<InetSocket>> {
    Ok(inet_pcbs(protocol)?
        .into_iter()
        .map(|sock| sock.socket)
        .filter(|sock| sock.family == family)
        .collect())
}

/// Every socket of one protocol with the kernel's fields, both families, in kernel order;
/// those that do not decode are left out.
pub(crate) fn inet_pcbs(protocol: Protocol) -> Result<Vec<BsdSocket>> {
    let name = match protocol {
        Protocol::Tcp => c"net.inet.tcp.pcblist_n",
        Protocol::Udp => c"net.inet.udp.pcblist_n",
        Protocol::UdpLite | Protocol::Raw => {
            return Err(Error::unsupported("raw and UDP-Lite socket tables"));
        }
    };
    let buf = settled_list(name, Some(protocol))?;
    let list = PcbList::parse(&buf, protocol)
        .map_err(|e| malformed(name.to_string_lossy().into_owned(), e))?;
    Ok(list
        .sockets()
        .filter_map(|sock| Some(sock.ok()?.bsd))
        .collect())
}

/// Every Unix domain socket, stream sockets first (as netstat lists them), each in kernel
/// order. A socket whose records do not decode is left out.
pub(crate) fn for_each_unix<E>(
    mut each: impl FnMut(&UnixSocket<'_>) -> std::result::Result<(), E>,
) -> std::result::Result<(), ReadError<E>> {
    for_each_unix_pcb(|pcb| each(&pcb.socket))
}

/// [`for_each_unix`] with the kernel's fields of each socket.
pub(crate) fn for_each_unix_pcb<E>(
    mut each: impl FnMut(&UnixPcb<'_>) -> std::result::Result<(), E>,
) -> std::result::Result<(), ReadError<E>> {
    for name in [c"net.local.stream.pcblist_n", c"net.local.dgram.pcblist_n"] {
        let buf = settled_list(name, None)?;
        let list = PcbList::parse_unix(&buf)
            .map_err(|e| malformed(name.to_string_lossy().into_owned(), e))?;
        for sock in list.unix_sockets().filter_map(|sock| sock.ok()) {
            each(&sock).map_err(ReadError::Callback)?;
        }
    }
    Ok(())
}

/// The bytes of the socket list `name`, read again (three reads at most) while sockets come
/// or go during the kernel's copy (the generation stamps around the list differ), so that
/// the list is one moment's where the system lets it be. `protocol` is the list's, `None` for
/// Unix sockets.
fn settled_list(name: &CStr, protocol: Option<Protocol>) -> Result<Vec<u8>> {
    let mut buf = sysctl::by_name(name)?;
    for _ in 0..2 {
        let list = PcbList::frame(&buf, protocol)
            .map_err(|e| malformed(name.to_string_lossy().into_owned(), e))?;
        if !list.changed() {
            break;
        }
        buf = sysctl::by_name(name)?;
    }
    Ok(buf)
}

/// An answer of the kernel that does not parse.
fn malformed(what: impl Into<Cow<'static, str>>, e: ParseError) -> Error {
    Error::read(what, io::Error::new(io::ErrorKind::InvalidData, e))
}

pub(crate) fn ipv4_routes() -> Result<Vec<Ipv4Route>> {
    routes(libc::AF_INET, Route::to_ipv4)
}

pub(crate) fn ipv6_routes() -> Result<Vec<Ipv6Route>> {
    routes(libc::AF_INET6, Route::to_ipv6)
}

/// macOS keeps no separate route cache: the routes it clones from traffic are in the main
/// table, flagged `RTF_WASCLONED`.
pub(crate) fn ipv4_route_cache() -> Result<Vec<CachedRoute>> {
    Ok(Vec::new())
}

/// The usable routes of one family, from `NET_RT_DUMP2` (what netstat reads: it adds the
/// reference counts).
fn routes<T>(family: libc::c_int, convert: fn(&Route, Box<[u8]>) -> Option<T>) -> Result<Vec<T>> {
    let mib = [
        libc::CTL_NET,
        libc::PF_ROUTE,
        0,
        family,
        libc::NET_RT_DUMP2,
        0,
    ];
    let buf = sysctl::by_mib(&mib)?;
    let dump = Routes::parse(&buf).map_err(|e| malformed("the routing table", e))?;
    let mut names = FxHashMap::default();
    let iface = |index: u16| {
        names
            .entry(index)
            .or_insert_with(|| interface_name(index))
            .clone()
    };
    Ok(route::usable(&dump, iface, convert))
}

/// The name of interface `index` (`if_indextoname`); empty if it has none (it is gone).
fn interface_name(index: u16) -> Box<[u8]> {
    let mut buf = [0u8; libc::IF_NAMESIZE];
    // SAFETY: `buf` has the IF_NAMESIZE bytes `if_indextoname` may write (a NUL-terminated
    // name); it returns null when there is no such interface.
    let named = unsafe { libc::if_indextoname(u32::from(index), buf.as_mut_ptr().cast()) };
    if named.is_null() {
        return Box::default();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    buf[..end].into()
}

/// The interfaces in kernel order, from `NET_RT_IFLIST2` as `netstat -i` reads them (64-bit
/// counters).
pub(crate) fn interfaces() -> Result<Listing> {
    Ok(Listing {
        interfaces: interface_table()?.interfaces,
        ..Listing::default()
    })
}

pub(crate) fn device_counters() -> Result<Vec<(Box<[u8]>, DeviceCounters)>> {
    let table = interface_table()?;
    Ok(table
        .interfaces
        .into_iter()
        .filter_map(|iface| Some((iface.name, iface.stats?)))
        .collect())
}

pub(crate) fn inet6_addresses() -> Result<Vec<Inet6Address>> {
    Ok(interface_table()?.inet6)
}

fn interface_table() -> Result<Table> {
    let mib = [libc::CTL_NET, libc::PF_ROUTE, 0, 0, libc::NET_RT_IFLIST2, 0];
    let buf = sysctl::by_mib(&mib)?;
    let dump = Interfaces::parse(&buf).map_err(|e| malformed("the interface list", e))?;
    Ok(Table::from_dump(&dump))
}

/// `CounterFile::Snmp`: the TCP, UDP, IP and ICMP counters (see [`crate::counters::load`]). A
/// protocol whose sysctl fails is left out, one that does not parse too (and `malformed` says
/// so); only when none can be read is it an error.
pub(crate) fn counters(file: CounterFile) -> Result<Counters> {
    if file != CounterFile::Snmp {
        return Err(Error::unsupported(
            "counters other than TCP, UDP, IP and ICMP",
        ));
    }
    let mut counters = Counters::default();
    let mut first_error = None;
    for layout in stats::SNMP {
        match sysctl::by_name(layout.sysctl) {
            Ok(buf) => match layout.parse(&buf) {
                Ok(section) => counters.sections.push(section),
                Err(_) => counters.malformed = true,
            },
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(e) if counters.sections.is_empty() && !counters.malformed => Err(e),
        _ => Ok(counters),
    }
}
