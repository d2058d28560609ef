//! Network interfaces: configuration, addresses and the packet counters of `/proc/net/dev`.
//!
//! [`list`] returns the interfaces the way net-tools gathers them: every device of
//! `/proc/net/dev` plus every IPv4 alias label (`eth0:1`) the kernel reports, in the "natural"
//! order of [`natural_cmp`]. [`inet6_addresses`] lists the IPv6 addresses of all devices.
//!
//! # macOS
//!
//! All three come from one dump of the routing socket (`sysctl {CTL_NET, PF_ROUTE, 0, 0,
//! NET_RT_IFLIST2, 0}`, what `netstat -i` reads), in kernel (index) order:
//! - `name`, `mtu`, `metric` and the hardware address are the interface's; `tx_queue_len` is
//!   its send queue's limit; `hw_type` is the `ARPHRD_*` of its `IFT_*` type (Ethernet and
//!   bridges 1, loopback 772, PPP 512, FireWire 24, anything else `ARPHRD_NONE` 0xfffe).
//! - `flags` keeps the bits the systems share (`UP`, `BROADCAST`, `DEBUG`, `LOOPBACK`,
//!   `POINTOPOINT`, `RUNNING`, `NOARP`, `PROMISC`, `ALLMULTI`) and moves `MULTICAST` to its
//!   Linux bit; macOS's `SMART`, `OACTIVE`, `SIMPLEX` and `LINK0`–`LINK2` are left out.
//! - `ipv4` is the interface's first IPv4 address (with netmask, and broadcast or peer
//!   address); further ones are not listed, as macOS has no alias labels.
//! - `stats` holds 64-bit counters: bytes, packets, errors, multicast packets received,
//!   collisions; `rx_dropped` is the input queue's drops, `tx_dropped` the send queue's. The
//!   FIFO, frame, carrier and compression counters are 0. `map` is empty.
//! - [`inet6_addresses`] have the interface's index and name, the prefix length, and the
//!   scope Linux would give (0x10 loopback, 0x20 link, 0x40 site, 0 global); `flags` is 0.

use std::cmp::Ordering;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::{Error, Result};

bitflags::bitflags! {
    /// The low 16 bits of an interface's flags, the `IFF_*` bits of `<net/if.h>`. Bits without a
    /// name here are kept as the kernel set them.
    ///
    /// ```
    /// use nettables::iface::Flags;
    /// let flags = Flags::from_bits_retain(0x1043);
    /// assert!(flags.contains(Flags::UP | Flags::RUNNING));
    /// let names: Vec<&str> = flags.iter_names().map(|(name, _)| name).collect();
    /// assert_eq!(names, ["UP", "BROADCAST", "RUNNING", "MULTICAST"]);
    /// assert_eq!(Flags::LOOPBACK.name(), Some("LOOPBACK"));
    /// ```
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct Flags: u16 {
        /// `IFF_UP`: the interface is administratively up.
        const UP = 0x1;
        /// `IFF_BROADCAST`: the broadcast address is valid.
        const BROADCAST = 0x2;
        /// `IFF_DEBUG`: the driver's debugging is on.
        const DEBUG = 0x4;
        /// `IFF_LOOPBACK`: a loopback interface.
        const LOOPBACK = 0x8;
        /// `IFF_POINTOPOINT`: a point-to-point link (the destination address is its peer).
        const POINTOPOINT = 0x10;
        /// `IFF_NOTRAILERS`: avoid trailers (unused by Linux).
        const NOTRAILERS = 0x20;
        /// `IFF_RUNNING`: the link is operational (carrier).
        const RUNNING = 0x40;
        /// `IFF_NOARP`: no ARP on this link.
        const NOARP = 0x80;
        /// `IFF_PROMISC`: receives every packet.
        const PROMISC = 0x100;
        /// `IFF_ALLMULTI`: receives every multicast packet.
        const ALLMULTI = 0x200;
        /// `IFF_MASTER`: the master of a load-balancing bundle.
        const MASTER = 0x400;
        /// `IFF_SLAVE`: a member of a load-balancing bundle.
        const SLAVE = 0x800;
        /// `IFF_MULTICAST`: supports multicast.
        const MULTICAST = 0x1000;
        /// `IFF_PORTSEL`: the driver can select the media port.
        const PORTSEL = 0x2000;
        /// `IFF_AUTOMEDIA`: the media port is selected automatically.
        const AUTOMEDIA = 0x4000;
    }
}

impl Flags {
    /// The kernel's name of one flag (`UP`, `BROADCAST` ...); `None` for an unnamed bit or a set
    /// of several flags.
    pub fn name(self) -> Option<&'static str> {
        use bitflags::Flags as _;
        Flags::FLAGS
            .iter()
            .find(|flag| flag.value().bits() == self.bits())
            .map(|flag| flag.name())
    }
}

/// The 16 counters of one `/proc/net/dev` line, since the interface came up. Older kernel
/// formats lack some of them; those stay 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Counters {
    /// Bytes received.
    pub rx_bytes: u64,
    /// Packets received.
    pub rx_packets: u64,
    /// Receive errors (bad CRC, length, ...).
    pub rx_errors: u64,
    /// Received packets dropped (no buffer, unknown protocol, ...).
    pub rx_dropped: u64,
    /// FIFO overruns (netstat's RX-OVR).
    pub rx_fifo: u64,
    /// Frame alignment errors.
    pub rx_frame: u64,
    /// Compressed packets received (CSLIP, PPP).
    pub rx_compressed: u64,
    /// Multicast packets received.
    pub rx_multicast: u64,
    /// Bytes sent.
    pub tx_bytes: u64,
    /// Packets sent.
    pub tx_packets: u64,
    /// Transmit errors.
    pub tx_errors: u64,
    /// Packets dropped before sending.
    pub tx_dropped: u64,
    /// FIFO overruns (netstat's TX-OVR).
    pub tx_fifo: u64,
    /// Collisions on the medium.
    pub collisions: u64,
    /// Carrier losses.
    pub tx_carrier: u64,
    /// Compressed packets sent (CSLIP, PPP).
    pub tx_compressed: u64,
}

/// The legacy ISA resource map of a device (`SIOCGIFMAP`); all zero for virtual devices.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeviceMap {
    /// First address of the shared memory.
    pub mem_start: u64,
    /// Last address of the shared memory.
    pub mem_end: u64,
    /// I/O port base.
    pub base_addr: u16,
    /// Interrupt line.
    pub irq: u8,
    /// DMA channel.
    pub dma: u8,
    /// Media port (index into the driver's list: 10base2, 10baseT, AUI ...).
    pub port: u8,
}

/// The IPv4 address of an interface or alias label. A `None` part is one the kernel would
/// not report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Ipv4Config {
    /// The interface's address.
    pub address: Ipv4Addr,
    /// Its netmask.
    pub netmask: Option<Ipv4Addr>,
    /// Broadcast address; `0.0.0.0` when none is set.
    pub broadcast: Option<Ipv4Addr>,
    /// Peer address of a point-to-point link (the local address otherwise).
    pub destination: Option<Ipv4Addr>,
}

impl Ipv4Config {
    /// An address with nothing else known.
    pub fn new(address: Ipv4Addr) -> Ipv4Config {
        Ipv4Config {
            address,
            netmask: None,
            broadcast: None,
            destination: None,
        }
    }
}

/// One interface, or one IPv4 alias label of an interface.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Interface {
    /// Device name, or `device:label` for an IPv4 alias.
    pub name: Box<[u8]>,
    /// The low 16 bits of the device flags.
    pub flags: Flags,
    /// MTU; 0 if the kernel did not say.
    pub mtu: i32,
    /// The interface metric (`SIOCGIFMETRIC`); 0 if the kernel did not say.
    pub metric: i32,
    /// Transmit queue length; `None` if the kernel did not say.
    pub tx_queue_len: Option<i32>,
    /// `ARPHRD_*` hardware type.
    pub hw_type: u16,
    /// The first 8 bytes of the hardware address, zero-padded.
    pub hw_addr: [u8; 8],
    /// The device's legacy resources.
    pub map: DeviceMap,
    /// The IPv4 address, if one is set.
    pub ipv4: Option<Ipv4Config>,
    /// Counters from `/proc/net/dev`; `None` for alias labels, which have no line there.
    pub stats: Option<Counters>,
}

impl Interface {
    /// Whether the interface is administratively up.
    pub fn is_up(&self) -> bool {
        self.flags.contains(Flags::UP)
    }
}

/// The result of [`list`].
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Listing {
    /// Interfaces in natural order, up to the first one that could not be read.
    pub interfaces: Vec<Interface>,
    /// The interface whose flags could not be read (it vanished, or the name is bogus) and the
    /// error (`SIOCGIFFLAGS`). net-tools stops its listing there.
    pub unreadable: Option<(Box<[u8]>, Error)>,
    /// Why `/proc/net/dev` could not be read; names then come only from the IPv4 list.
    pub dev_error: Option<Error>,
    /// Why the kernel's IPv4 interface list (`SIOCGIFCONF`) could not be read.
    pub conf_error: Option<Error>,
}

/// One IPv6 address of `/proc/net/if_inet6`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Inet6Address {
    /// The address.
    pub address: Ipv6Addr,
    /// Index of its interface.
    pub ifindex: u32,
    /// Prefix length.
    pub prefix_len: u8,
    /// Kernel scope bits: 0 global, 0x10 host, 0x20 link, 0x40 site, 0x80 IPv4-compatible.
    pub scope: u8,
    /// `IFA_F_*` flags (tentative, deprecated, ...).
    pub flags: u8,
    /// Name of its interface.
    pub device: Box<[u8]>,
}

impl Inet6Address {
    /// `address`/`prefix_len` on `device`, global scope, no flags, interface index 0.
    pub fn new(address: Ipv6Addr, prefix_len: u8, device: &[u8]) -> Inet6Address {
        Inet6Address {
            address,
            ifindex: 0,
            prefix_len,
            scope: 0,
            flags: 0,
            device: device.into(),
        }
    }
}

/// Lists the interfaces as net-tools does: the devices of `/proc/net/dev` and the IPv4 alias
/// labels, merged and sorted with [`natural_cmp`], each with its configuration.
///
/// An error means no interface could be asked about at all (no socket, or neither
/// `/proc/net/dev` nor the IPv4 list could be read).
///
/// ```no_run
/// let listing = nettables::iface::list()?;
/// for iface in listing.interfaces.iter().filter(|i| i.is_up()) {
///     let rx = iface.stats.map_or(0, |s| s.rx_packets);
///     println!("{} mtu {} rx {rx}", String::from_utf8_lossy(&iface.name), iface.mtu);
/// }
/// # Ok::<(), nettables::Error>(())
/// ```
pub fn list() -> Result<Listing> {
    crate::sys::imp::interfaces()
}

/// The counters of every device in `/proc/net/dev`, in file order: what [`list`] reports as
/// [`Interface::stats`], without asking the kernel about each interface's configuration.
///
/// ```no_run
/// for (name, counters) in nettables::iface::device_counters()? {
///     println!("{} rx {} bytes", String::from_utf8_lossy(&name), counters.rx_bytes);
/// }
/// # Ok::<(), nettables::Error>(())
/// ```
pub fn device_counters() -> Result<Vec<(Box<[u8]>, Counters)>> {
    crate::sys::imp::device_counters()
}

/// All IPv6 addresses from `/proc/net/if_inet6`, in kernel order. Malformed lines are skipped.
///
/// ```no_run
/// for addr in nettables::iface::inet6_addresses()? {
///     println!("{} {}/{}", String::from_utf8_lossy(&addr.device), addr.address, addr.prefix_len);
/// }
/// # Ok::<(), nettables::Error>(())
/// ```
pub fn inet6_addresses() -> Result<Vec<Inet6Address>> {
    crate::sys::imp::inet6_addresses()
}

/// net-tools' interface name order: the name without its trailing digits is compared
/// byte-wise, then the trailing number, then the `:N` alias number (none sorts first).
/// So `eth2 < eth10 < eth10:1 < lo`. Names that differ only in leading zeros compare equal,
/// as in net-tools, which then keeps only one of them.
///
/// ```
/// use std::cmp::Ordering;
/// use nettables::iface::natural_cmp;
/// assert_eq!(natural_cmp(b"eth2", b"eth10"), Ordering::Less);
/// assert_eq!(natural_cmp(b"eth0:1", b"eth0"), Ordering::Greater);
/// ```
pub fn natural_cmp(a: &[u8], b: &[u8]) -> Ordering {
    let (a, a_alias) = split_alias(a);
    let (b, b_alias) = split_alias(b);
    let a_stem = a.len() - trailing_digits(a);
    let b_stem = b.len() - trailing_digits(b);
    let common = a_stem.min(b_stem);
    a[..common]
        .cmp(&b[..common])
        .then(a_stem.cmp(&b_stem))
        .then_with(|| atoi(&a[a_stem..]).cmp(&atoi(&b[b_stem..])))
        .then_with(|| a_alias.map_or(-1, atoi).cmp(&b_alias.map_or(-1, atoi)))
}

/// Splits a trailing `:digits` alias off a name.
fn split_alias(name: &[u8]) -> (&[u8], Option<&[u8]>) {
    let digits = trailing_digits(name);
    match name.len().checked_sub(digits + 1) {
        Some(colon) if digits > 0 && name[colon] == b':' => {
            (&name[..colon], Some(&name[colon + 1..]))
        }
        _ => (name, None),
    }
}

fn trailing_digits(name: &[u8]) -> usize {
    name.iter().rev().take_while(|b| b.is_ascii_digit()).count()
}

/// C's `atoi` on a run of digits: the value saturates at `long`'s range and is then cut to
/// `int`, as glibc does.
fn atoi(digits: &[u8]) -> i32 {
    let value = digits
        .iter()
        .try_fold(0i64, |acc, &d| {
            acc.checked_mul(10)?.checked_add(i64::from(d - b'0'))
        })
        .unwrap_or(i64::MAX);
    value as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(o: Ordering) -> i32 {
        o as i32
    }

    #[test]
    fn natural_order_matches_net_tools() {
        // The cases from net-tools' own nstrcmp self-test.
        let cases: &[(&str, &str, i32)] = &[
            ("eth1", "eth1", 0),
            ("eth0:1", "eth0:1", 0),
            ("lan", "lan", 0),
            ("100", "100", 0),
            ("", "", 0),
            (":", ":", 0),
            ("a:b:c", "a:b:c", 0),
            ("a:", "a:", 0),
            (":a", ":a", 0),
            ("a", "aa", -1),
            ("eth0", "eth1", -1),
            ("eth1", "eth20", -1),
            ("eth20", "eth100", -1),
            ("eth1", "eth13", -1),
            ("eth", "eth2", -1),
            ("eth0:1", "eth0:2", -1),
            ("eth1:10", "eth13:10", -1),
            ("eth1:1", "eth1:13", -1),
            ("a", "a:", -1),
            ("aa", "a", 1),
            ("eth2", "eth1", 1),
            ("eth13", "eth1", 1),
            ("eth2", "eth", 1),
            ("eth2:10", "eth2:1", 1),
            ("eth2:5", "eth2:4", 1),
            ("eth3:2", "eth2:3", 1),
            ("eth13:1", "eth1:0", 1),
            ("a:", "a", 1),
            ("a1b12", "a1b2", 1),
            ("eth0", "lo", -1),
            ("vA", "vA:1", -1),
            ("eth01", "eth1", 0),
        ];
        for &(a, b, want) in cases {
            assert_eq!(
                sign(natural_cmp(a.as_bytes(), b.as_bytes())),
                want,
                "{a:?} vs {b:?}"
            );
        }
    }

    #[test]
    fn huge_numbers_wrap_like_atoi() {
        assert_eq!(atoi(b"4294967297"), 1);
        assert_eq!(atoi(b"99999999999999999999999"), -1);
        assert_eq!(atoi(b""), 0);
        // Does not panic on absurd names.
        let _ = natural_cmp(b"x99999999999999999999999999", b"x:1");
    }
}
