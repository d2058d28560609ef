//! Interfaces from `GetIfTable2` (the IF-MIB table, 64-bit counters) with their unicast
//! addresses from `GetUnicastIpAddressTable`; [`interfaces`] and [`device_counters`] give the
//! same in the library's portable records.

use std::net::IpAddr;

use windows_sys::Win32::NetworkManagement::IpHelper::{
    GetIfTable2, GetUnicastIpAddressTable, MIB_IF_ROW2, MIB_IF_TYPE_ETHERNET, MIB_IF_TYPE_LOOPBACK,
};
use windows_sys::Win32::NetworkManagement::Ndis::{IfOperStatusUp, NET_IF_ADMIN_STATUS_UP};
use windows_sys::Win32::Networking::WinSock::AF_UNSPEC;

use super::mib::{MibTable, ip, ipv4_mask, wide};
use crate::Result;
use crate::if_table::{IfRow, Traffic};
use crate::iface::{Counters, Flags, Interface, Ipv4Config, Listing};

/// `ARPHRD_ETHER`, `ARPHRD_LOOPBACK` and `ARPHRD_NONE` of `<net/if_arp.h>`.
const ARPHRD_ETHER: u16 = 1;
const ARPHRD_LOOPBACK: u16 = 772;
const ARPHRD_NONE: u16 = 0xfffe;

fn row(r: &MIB_IF_ROW2) -> IfRow {
    let length = (r.PhysicalAddressLength as usize).min(r.PhysicalAddress.len());
    IfRow {
        index: r.InterfaceIndex,
        alias: wide(&r.Alias),
        description: wide(&r.Description),
        physical_address: r.PhysicalAddress[..length].into(),
        mtu: r.Mtu,
        if_type: r.Type,
        admin_up: r.AdminStatus == NET_IF_ADMIN_STATUS_UP,
        oper_up: r.OperStatus == IfOperStatusUp,
        received: Traffic {
            octets: r.InOctets,
            unicast_packets: r.InUcastPkts,
            non_unicast_packets: r.InNUcastPkts,
            discards: r.InDiscards,
            errors: r.InErrors,
        },
        sent: Traffic {
            octets: r.OutOctets,
            unicast_packets: r.OutUcastPkts,
            non_unicast_packets: r.OutNUcastPkts,
            discards: r.OutDiscards,
            errors: r.OutErrors,
        },
        unknown_protocols: r.InUnknownProtos,
        addresses: Vec::new(),
    }
}

pub(crate) fn if_table() -> Result<Vec<IfRow>> {
    let table = MibTable::read("GetIfTable2", |table| {
        // SAFETY: the call stores a table it allocated in `table` (MibTable frees it).
        unsafe { GetIfTable2(table) }
    })?;
    let mut rows: Vec<IfRow> = table.rows().iter().map(row).collect();
    let addresses = MibTable::read("GetUnicastIpAddressTable", |table| {
        // SAFETY: as above.
        unsafe { GetUnicastIpAddressTable(AF_UNSPEC, table) }
    })?;
    for address in addresses.rows() {
        let owner = rows.iter_mut().find(|r| r.index == address.InterfaceIndex);
        if let (Some(owner), Some(ip)) = (owner, ip(&address.Address)) {
            owner.addresses.push((ip, address.OnLinkPrefixLength));
        }
    }
    Ok(rows)
}

/// The `/proc/net/dev`-style counters of a row: packets are unicast and non-unicast together.
fn counters(row: &IfRow) -> Counters {
    let (r, s) = (&row.received, &row.sent);
    Counters {
        rx_bytes: r.octets,
        rx_packets: r.unicast_packets.saturating_add(r.non_unicast_packets),
        rx_errors: r.errors,
        rx_dropped: r.discards,
        tx_bytes: s.octets,
        tx_packets: s.unicast_packets.saturating_add(s.non_unicast_packets),
        tx_errors: s.errors,
        tx_dropped: s.discards,
        ..Counters::default()
    }
}

fn interface(row: &IfRow) -> Interface {
    let mut flags = Flags::empty();
    flags.set(Flags::UP, row.admin_up);
    flags.set(Flags::RUNNING, row.oper_up);
    let hw_type = match row.if_type {
        MIB_IF_TYPE_ETHERNET => ARPHRD_ETHER,
        MIB_IF_TYPE_LOOPBACK => {
            flags |= Flags::LOOPBACK;
            ARPHRD_LOOPBACK
        }
        _ => ARPHRD_NONE,
    };
    let mut hw_addr = [0; 8];
    let length = row.physical_address.len().min(8);
    hw_addr[..length].copy_from_slice(&row.physical_address[..length]);
    let ipv4 = row
        .addresses
        .iter()
        .find_map(|&(address, prefix)| match address {
            IpAddr::V4(address) => Some(Ipv4Config {
                netmask: Some(ipv4_mask(prefix)),
                ..Ipv4Config::new(address)
            }),
            IpAddr::V6(_) => None,
        });
    Interface {
        name: row.alias.clone(),
        flags,
        mtu: i32::try_from(row.mtu).unwrap_or(i32::MAX),
        hw_type,
        hw_addr,
        ipv4,
        stats: Some(counters(row)),
        ..Interface::default()
    }
}

pub(crate) fn interfaces() -> Result<Listing> {
    Ok(Listing {
        interfaces: if_table()?.iter().map(interface).collect(),
        ..Listing::default()
    })
}

pub(crate) fn device_counters() -> Result<Vec<(Box<[u8]>, Counters)>> {
    Ok(if_table()?
        .iter()
        .map(|row| (row.alias.clone(), counters(row)))
        .collect())
}
