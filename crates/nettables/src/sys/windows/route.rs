//! Routes from `GetIpForwardTable2`, one family at a time. Rows name their interface by
//! index; the records carry its alias, as Linux's carry the device name.

use std::collections::HashMap;
use std::net::IpAddr;

use windows_sys::Win32::NetworkManagement::IpHelper::{
    GetIfTable2, GetIpForwardTable2, MIB_IPFORWARD_ROW2,
};
use windows_sys::Win32::Networking::WinSock::{ADDRESS_FAMILY, AF_INET, AF_INET6};

use super::mib::{MibTable, ip, ipv4_mask, wide};
use crate::Result;
use crate::route::{Flags, Ipv4Route, Ipv6Route, RouteMetrics};

/// Index → alias of every interface.
fn aliases() -> Result<HashMap<u32, Box<[u8]>>> {
    let table = MibTable::read("GetIfTable2", |table| {
        // SAFETY: the call stores a table it allocated in `table` (MibTable frees it).
        unsafe { GetIfTable2(table) }
    })?;
    Ok(table
        .rows()
        .iter()
        .map(|r| (r.InterfaceIndex, wide(&r.Alias)))
        .collect())
}

/// One row, either family.
struct Route {
    iface: Box<[u8]>,
    destination: IpAddr,
    prefix_len: u8,
    next_hop: IpAddr,
    metric: u32,
}

/// The rows of one family, with their interfaces' aliases.
fn routes(family: ADDRESS_FAMILY) -> Result<Vec<Route>> {
    let aliases = aliases()?;
    let table = MibTable::read("GetIpForwardTable2", |table| {
        // SAFETY: as above.
        unsafe { GetIpForwardTable2(family, table) }
    })?;
    Ok(table
        .rows()
        .iter()
        .filter_map(|r: &MIB_IPFORWARD_ROW2| {
            Some(Route {
                iface: aliases.get(&r.InterfaceIndex).cloned().unwrap_or_default(),
                destination: ip(&r.DestinationPrefix.Prefix)?,
                prefix_len: r.DestinationPrefix.PrefixLength,
                next_hop: ip(&r.NextHop)?,
                metric: r.Metric,
            })
        })
        .collect())
}

/// `UP`, with `GATEWAY` when the next hop is not the unspecified address, `HOST` for a
/// full-length prefix.
fn flags(next_hop: IpAddr, prefix_len: u8, full: u8) -> Flags {
    let mut flags = Flags::UP;
    flags.set(Flags::GATEWAY, !next_hop.is_unspecified());
    flags.set(Flags::HOST, prefix_len == full);
    flags
}

pub(crate) fn ipv4_routes() -> Result<Vec<Ipv4Route>> {
    Ok(routes(AF_INET)?
        .into_iter()
        .filter_map(|r| {
            let (IpAddr::V4(destination), IpAddr::V4(gateway)) = (r.destination, r.next_hop) else {
                return None;
            };
            Some(Ipv4Route {
                destination,
                gateway,
                mask: ipv4_mask(r.prefix_len),
                flags: flags(r.next_hop, r.prefix_len, 32),
                metrics: RouteMetrics {
                    metric: i32::try_from(r.metric).unwrap_or(i32::MAX),
                    ..RouteMetrics::default()
                },
                iface: r.iface,
                ..Ipv4Route::default()
            })
        })
        .collect())
}

pub(crate) fn ipv6_routes() -> Result<Vec<Ipv6Route>> {
    Ok(routes(AF_INET6)?
        .into_iter()
        .filter_map(|r| {
            let (IpAddr::V6(destination), IpAddr::V6(next_hop)) = (r.destination, r.next_hop)
            else {
                return None;
            };
            Some(Ipv6Route {
                destination,
                prefix_len: r.prefix_len,
                next_hop,
                metric: r.metric,
                flags: flags(r.next_hop, r.prefix_len, 128),
                iface: r.iface,
                ..Ipv6Route::default()
            })
        })
        .collect())
}
