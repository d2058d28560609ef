//! The IF-MIB interface table (RFC 2863 `ifTable`): each interface's index, description,
//! hardware address and its counters split the way SNMP counts them (unicast and non-unicast
//! packets, unknown protocols), which `/proc/net/dev`'s [`iface::Counters`] do not.
//!
//! Windows keeps its interfaces this way (`GetIfTable2`, `MIB_IF_ROW2`) and its netstat's
//! `-e` and `-r` print from it; elsewhere [`list`] gives
//! [`Error::Unsupported`](crate::Error::Unsupported) ([`sys::Capabilities::if_table`]).
//!
//! ```no_run
//! for row in nettables::if_table::list()? {
//!     println!("{} {} rx {} bytes", row.index, String::from_utf8_lossy(&row.alias), row.received.octets);
//! }
//! # Ok::<(), nettables::Error>(())
//! ```
//!
//! [`iface::Counters`]: crate::iface::Counters
//! [`sys::Capabilities::if_table`]: crate::sys::Capabilities::if_table

use std::net::IpAddr;

use crate::Result;

/// The counters of one direction since the interface came up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Traffic {
    /// Bytes, framing included.
    pub octets: u64,
    /// Packets to or from one address.
    pub unicast_packets: u64,
    /// Broadcast and multicast packets.
    pub non_unicast_packets: u64,
    /// Packets dropped without an error (no buffer, ...).
    pub discards: u64,
    /// Packets with errors.
    pub errors: u64,
}

/// One interface.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct IfRow {
    /// The interface index (routes name their interface by it).
    pub index: u32,
    /// The interface's name (`Ethernet 2`; on Linux-like systems the device name).
    pub alias: Box<[u8]>,
    /// The adapter's description (`Intel(R) Ethernet Connection`).
    pub description: Box<[u8]>,
    /// The hardware address; empty where there is none (loopback).
    pub physical_address: Box<[u8]>,
    /// MTU in bytes.
    pub mtu: u32,
    /// The IANA `ifType` (6 Ethernet, 24 software loopback, 71 802.11 ...).
    pub if_type: u32,
    /// Administratively up.
    pub admin_up: bool,
    /// Operationally up (`ifOperStatus` up).
    pub oper_up: bool,
    /// Received.
    pub received: Traffic,
    /// Sent.
    pub sent: Traffic,
    /// Received packets of a protocol the system does not speak.
    pub unknown_protocols: u64,
    /// The interface's unicast addresses, each with its on-link prefix length.
    pub addresses: Vec<(IpAddr, u8)>,
}

/// Every interface, in the system's order.
pub fn list() -> Result<Vec<IfRow>> {
    crate::sys::imp::if_table()
}
