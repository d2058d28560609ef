//! Interfaces and their counters from the messages of `sysctl {CTL_NET, PF_ROUTE, 0, 0,
//! NET_RT_IFLIST2, 0}` that `netstat -i` reads (`struct if_msghdr2` with a `struct if_data64`
//! per interface, `struct ifa_msghdr` per address); 64-bit counters, where the `if_data` of
//! `getifaddrs` has 32-bit ones that wrap. Layouts of xnu's
//! `bsd/net/if_var.h` (`#pragma pack(4)`) and `bsd/net/if.h`.

use std::net::{Ipv4Addr, Ipv6Addr};

use rustc_hash::FxHashMap;

use super::bytes::{ParseError, Record, check_message_lengths};
use super::sockaddr::{
    AF_INET, AF_INET6, Addrs, RTAX_BRD, RTAX_IFA, RTAX_IFP, RTAX_NETMASK, SockAddr,
};
use crate::iface::{Counters, Flags, Inet6Address, Interface, Ipv4Config};

/// `ifm_type` of an interface message (`RTM_IFINFO2`).
pub const RTM_IFINFO2: u8 = 0x12;
/// `ifam_type` of an address message (`RTM_NEWADDR`).
pub const RTM_NEWADDR: u8 = 0xc;

/// The counters and properties of an interface (`struct if_data64`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IfData {
    /// `IFT_*` (ethernet 0x06, loopback 0x18 …).
    pub kind: u8,
    /// Hardware address length.
    pub addr_len: u8,
    pub mtu: u32,
    pub metric: u32,
    /// Line speed, bits per second.
    pub baudrate: u64,
    pub in_packets: u64,
    pub in_errors: u64,
    pub out_packets: u64,
    pub out_errors: u64,
    pub collisions: u64,
    pub in_bytes: u64,
    pub out_bytes: u64,
    pub in_multicasts: u64,
    pub out_multicasts: u64,
    pub in_drops: u64,
    /// Packets for a protocol the system does not speak.
    pub no_proto: u64,
    /// Last administrative change (`ifi_lastchange`, a `timeval32`): seconds and
    /// microseconds.
    pub last_change: (i32, i32),
}

/// Offsets in `struct if_data64`: the counters are `u_int64_t` from `ifi_baudrate`.
mod if_data64 {
    pub const TYPE: usize = 0;
    pub const ADDRLEN: usize = 3;
    pub const MTU: usize = 8;
    pub const METRIC: usize = 12;
    pub const BAUDRATE: usize = 16;
    pub const LASTCHANGE: usize = 120;
}

impl IfData {
    /// `sizeof(struct if_data64)`.
    pub const SIZE64: usize = 128;

    /// Parses a `struct if_data64`.
    pub fn parse64(buf: &[u8]) -> Result<IfData, ParseError> {
        use if_data64 as f;
        let r = Record::whole(buf, "if_data64");
        r.require(Self::SIZE64)?;
        // The i-th counter from ifi_baudrate.
        let counter = |i: usize| r.u64(f::BAUDRATE + 8 * i);
        Ok(IfData {
            kind: r.u8(f::TYPE)?,
            addr_len: r.u8(f::ADDRLEN)?,
            mtu: r.u32(f::MTU)?,
            metric: r.u32(f::METRIC)?,
            baudrate: counter(0)?,
            in_packets: counter(1)?,
            in_errors: counter(2)?,
            out_packets: counter(3)?,
            out_errors: counter(4)?,
            collisions: counter(5)?,
            in_bytes: counter(6)?,
            out_bytes: counter(7)?,
            in_multicasts: counter(8)?,
            out_multicasts: counter(9)?,
            in_drops: counter(10)?,
            no_proto: counter(11)?,
            last_change: (r.i32(f::LASTCHANGE)?, r.i32(f::LASTCHANGE + 4)?),
        })
    }
}

/// Offsets in `struct if_msghdr2` (160 bytes) and `struct ifa_msghdr` (20 bytes).
mod msghdr {
    pub const VERSION: usize = 2;
    pub const TYPE: usize = 3;
    pub const ADDRS: usize = 4;
    pub const FLAGS: usize = 8;
    pub const INDEX: usize = 12;
    pub const IFM_SND_LEN: usize = 16;
    pub const IFM_SND_MAXLEN: usize = 20;
    pub const IFM_SND_DROPS: usize = 24;
    pub const IFM_DATA: usize = 32;
    pub const IF_MSGHDR2_SIZE: usize = 32 + 128;
    pub const IFAM_METRIC: usize = 16;
    pub const IFA_MSGHDR_SIZE: usize = 20;
}

/// One message of an `NET_RT_IFLIST2` dump.
#[derive(Clone, Debug, PartialEq, Eq)]
#[expect(
    clippy::large_enum_variant,
    reason = "messages are decoded one at a time, never stored in bulk"
)]
pub enum InterfaceMessage {
    /// An interface (`RTM_IFINFO2`), with its link-layer address when present.
    Interface {
        index: u16,
        /// `IFF_*` flags.
        flags: u32,
        /// The send queue: length, limit, drops.
        send_queue: (i32, i32, i32),
        data: IfData,
        link: Option<SockAddr>,
    },
    /// An address of the interface announced before it (`RTM_NEWADDR`), by `RTAX_*`
    /// position (`RTAX_IFA` is the address, `RTAX_NETMASK` its mask, position 7 the
    /// broadcast or peer address).
    Address {
        index: u16,
        flags: u32,
        metric: i32,
        addrs: Addrs,
    },
}

/// An interface dump whose framing has been checked; [`Interfaces::iter`] decodes it.
#[derive(Clone, Copy, Debug)]
pub struct Interfaces<'a> {
    buf: &'a [u8],
}

impl<'a> Interfaces<'a> {
    /// Checks that the messages of `buf` tile it, each length inside the buffer.
    pub fn parse(buf: &'a [u8]) -> Result<Interfaces<'a>, ParseError> {
        check_message_lengths(buf, "if_msghdr")?;
        Ok(Interfaces { buf })
    }

    /// The interface and address messages, in kernel order; other message types (multicast
    /// memberships) are skipped. A message too short for what it announces gives an error in
    /// its place.
    pub fn iter(&self) -> impl Iterator<Item = Result<InterfaceMessage, ParseError>> + 'a {
        let buf = self.buf;
        let mut offset = 0;
        std::iter::from_fn(move || {
            loop {
                // The framing was checked by `parse`.
                let len = Record::at(buf, offset, 4, "if_msghdr").ok()?.u16(0).ok()? as usize;
                let at = offset;
                offset += len;
                let bytes = buf.get(at..at + len)?;
                let m = Record::whole(bytes, "if_msghdr");
                match m.u8(msghdr::TYPE).ok()? {
                    RTM_IFINFO2 => return Some(interface(m, bytes)),
                    RTM_NEWADDR => return Some(address(m, bytes)),
                    _ => continue,
                }
            }
        })
    }
}

fn check_version(m: &Record) -> Result<(), ParseError> {
    let version = m.u8(msghdr::VERSION)?;
    if version != super::route::RTM_VERSION {
        return Err(m.bad_value(msghdr::VERSION, u64::from(version)));
    }
    Ok(())
}

fn interface(m: Record, bytes: &[u8]) -> Result<InterfaceMessage, ParseError> {
    check_version(&m)?;
    m.require(msghdr::IF_MSGHDR2_SIZE)?;
    let addrs = Addrs::parse(bytes, msghdr::IF_MSGHDR2_SIZE, m.i32(msghdr::ADDRS)?)?;
    Ok(InterfaceMessage::Interface {
        index: m.u16(msghdr::INDEX)?,
        flags: m.u32(msghdr::FLAGS)?,
        send_queue: (
            m.i32(msghdr::IFM_SND_LEN)?,
            m.i32(msghdr::IFM_SND_MAXLEN)?,
            m.i32(msghdr::IFM_SND_DROPS)?,
        ),
        data: IfData::parse64(m.slice(msghdr::IFM_DATA, IfData::SIZE64)?)?,
        link: addrs.get(RTAX_IFP).cloned(),
    })
}

fn address(m: Record, bytes: &[u8]) -> Result<InterfaceMessage, ParseError> {
    check_version(&m)?;
    m.require(msghdr::IFA_MSGHDR_SIZE)?;
    Ok(InterfaceMessage::Address {
        index: m.u16(msghdr::INDEX)?,
        flags: m.u32(msghdr::FLAGS)?,
        metric: m.i32(msghdr::IFAM_METRIC)?,
        addrs: Addrs::parse(bytes, msghdr::IFA_MSGHDR_SIZE, m.i32(msghdr::ADDRS)?)?,
    })
}

/// The interfaces and IPv6 addresses of an `NET_RT_IFLIST2` dump, as the library's records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    /// Interfaces in kernel (index) order.
    pub interfaces: Vec<Interface>,
    /// IPv6 addresses in kernel order.
    pub inet6: Vec<Inet6Address>,
}

impl Table {
    /// Builds the records from a dump: each interface from its `RTM_IFINFO2` message, its
    /// first IPv4 address and every IPv6 address from the `RTM_NEWADDR` messages that follow.
    /// Messages that do not decode are skipped.
    pub fn from_dump(dump: &Interfaces) -> Table {
        let mut table = Table::default();
        let mut by_index = FxHashMap::default();
        for message in dump.iter().filter_map(Result::ok) {
            match message {
                InterfaceMessage::Interface {
                    index,
                    flags,
                    send_queue,
                    data,
                    link,
                } => {
                    by_index.insert(index, table.interfaces.len());
                    table.interfaces.push(library_interface(
                        flags,
                        send_queue,
                        &data,
                        link.as_ref(),
                    ));
                }
                InterfaceMessage::Address { index, addrs, .. } => {
                    let Some(&at) = by_index.get(&index) else {
                        continue;
                    };
                    let iface = &mut table.interfaces[at];
                    match addrs.get(RTAX_IFA) {
                        Some(SockAddr::Inet(v4)) if iface.ipv4.is_none() => {
                            iface.ipv4 = Some(ipv4_config(*v4.ip(), iface.flags, &addrs));
                        }
                        Some(SockAddr::Inet6(v6)) => {
                            let prefix_len = addrs
                                .get(RTAX_NETMASK)
                                .and_then(|mask| mask.prefix_len(AF_INET6))
                                .unwrap_or(128);
                            let mut address = Inet6Address::new(*v6.ip(), prefix_len, &iface.name);
                            address.ifindex = u32::from(index);
                            address.scope = inet6_scope(v6.ip());
                            table.inet6.push(address);
                        }
                        _ => {}
                    }
                }
            }
        }
        table
    }
}

/// `IFF_MULTICAST` of macOS, which is 0x1000 on Linux.
const IFF_MULTICAST: u32 = 0x8000;
/// The `IFF_*` bits macOS and Linux share: `UP` … `ALLMULTI` but 0x20, which is
/// `IFF_SMART` on macOS and `IFF_NOTRAILERS` on Linux.
const IFF_SHARED: u32 = 0x3df;

/// One interface message as the library's record.
fn library_interface(
    flags: u32,
    send_queue: (i32, i32, i32),
    data: &IfData,
    link: Option<&SockAddr>,
) -> Interface {
    let mut iface = Interface {
        flags: Flags::from_bits_retain((flags & IFF_SHARED) as u16),
        mtu: i32::try_from(data.mtu).unwrap_or(i32::MAX),
        metric: i32::try_from(data.metric).unwrap_or(i32::MAX),
        tx_queue_len: Some(send_queue.1),
        hw_type: arphrd(data.kind),
        stats: Some(Counters {
            rx_bytes: data.in_bytes,
            rx_packets: data.in_packets,
            rx_errors: data.in_errors,
            rx_dropped: data.in_drops,
            rx_multicast: data.in_multicasts,
            tx_bytes: data.out_bytes,
            tx_packets: data.out_packets,
            tx_errors: data.out_errors,
            tx_dropped: u64::try_from(send_queue.2).unwrap_or(0),
            collisions: data.collisions,
            ..Counters::default()
        }),
        ..Interface::default()
    };
    if flags & IFF_MULTICAST != 0 {
        iface.flags |= Flags::MULTICAST;
    }
    if let Some(SockAddr::Link(link)) = link {
        iface.name = link.name.clone();
        let n = link.address.len().min(iface.hw_addr.len());
        iface.hw_addr[..n].copy_from_slice(&link.address[..n]);
    }
    iface
}

/// The `ARPHRD_*` type of an `IFT_*` one: Ethernet (and bridges of it), loopback, PPP,
/// FireWire; `ARPHRD_NONE` for the rest (tunnels, cellular …).
fn arphrd(ift: u8) -> u16 {
    match ift {
        0x06 | 0xd1 => 1, // IFT_ETHER, IFT_BRIDGE: ARPHRD_ETHER
        0x18 => 772,      // IFT_LOOP: ARPHRD_LOOPBACK
        0x17 => 512,      // IFT_PPP: ARPHRD_PPP
        0x90 => 24,       // IFT_IEEE1394: ARPHRD_IEEE1394
        _ => 0xfffe,      // ARPHRD_NONE
    }
}

/// An IPv4 address with its netmask, and its broadcast or peer address (`RTAX_BRD` holds
/// either, by the interface's flags).
fn ipv4_config(address: Ipv4Addr, flags: Flags, addrs: &Addrs) -> Ipv4Config {
    let mut config = Ipv4Config::new(address);
    config.netmask = addrs
        .get(RTAX_NETMASK)
        .and_then(|mask| mask.mask_bits(AF_INET))
        .map(|(bits, _)| Ipv4Addr::from((bits >> 96) as u32));
    let other = match addrs.get(RTAX_BRD) {
        Some(SockAddr::Inet(v4)) => Some(*v4.ip()),
        _ => None,
    };
    if flags.contains(Flags::POINTOPOINT) {
        config.destination = other;
    } else if flags.contains(Flags::BROADCAST) {
        config.broadcast = other;
    }
    config
}

/// The scope bits `/proc/net/if_inet6` gives an IPv6 address on Linux: 0x10 loopback, 0x20 link, 0x40 site, 0 global.
fn inet6_scope(address: &Ipv6Addr) -> u8 {
    let [first, second, ..] = address.octets();
    match (first, second & 0xc0) {
        _ if address.is_loopback() => 0x10,
        (0xfe, 0x80) => 0x20,
        (0xfe, 0xc0) => 0x40,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::macos::sockaddr::tests::{sdl, sin, sin6, trimmed_mask};

    fn if_data64(ibytes: u64, obytes: u64) -> Vec<u8> {
        let mut d = vec![0u8; IfData::SIZE64];
        d[0] = 0x06; // IFT_ETHER
        d[3] = 6;
        d[8..12].copy_from_slice(&1500u32.to_le_bytes());
        d[16..24].copy_from_slice(&1_000_000_000u64.to_le_bytes()); // baudrate
        d[24..32].copy_from_slice(&11259u64.to_le_bytes()); // ipackets
        d[40..48].copy_from_slice(&4707u64.to_le_bytes()); // opackets
        d[64..72].copy_from_slice(&ibytes.to_le_bytes());
        d[72..80].copy_from_slice(&obytes.to_le_bytes());
        d[120..124].copy_from_slice(&1_700_000_000i32.to_le_bytes());
        d
    }

    fn ifinfo2(index: u16, data: &[u8], link: &[u8]) -> Vec<u8> {
        let mut m = vec![0u8; 32];
        m[2] = 5;
        m[3] = RTM_IFINFO2;
        m[4..8].copy_from_slice(&0x10i32.to_le_bytes()); // RTA_IFP
        m[8..12].copy_from_slice(&0x8863u32.to_le_bytes()); // UP|BROADCAST|RUNNING|SIMPLEX|MULTICAST
        m[12..14].copy_from_slice(&index.to_le_bytes());
        m[20..24].copy_from_slice(&50i32.to_le_bytes()); // ifm_snd_maxlen
        m.extend_from_slice(data);
        m.extend_from_slice(link);
        let len = m.len() as u16;
        m[0..2].copy_from_slice(&len.to_le_bytes());
        m
    }

    fn newaddr(index: u16, sockaddrs: &[Vec<u8>], mask: i32) -> Vec<u8> {
        let mut m = vec![0u8; 20];
        m[2] = 5;
        m[3] = RTM_NEWADDR;
        m[4..8].copy_from_slice(&mask.to_le_bytes());
        m[12..14].copy_from_slice(&index.to_le_bytes());
        for sa in sockaddrs {
            m.extend_from_slice(sa);
        }
        let len = m.len() as u16;
        m[0..2].copy_from_slice(&len.to_le_bytes());
        m
    }

    #[test]
    fn an_interface_and_its_address() {
        let mac = [0xc6, 0x66, 0x6c, 0xd3, 0x09, 0x29];
        let mut buf = ifinfo2(7, &if_data64(14_571_601, 1_052_393), &sdl(7, b"en0", &mac));
        // A multicast membership message (RTM_NEWMADDR2) in between is skipped.
        buf.extend([8u8, 0, 5, 0x13, 0, 0, 0, 0]);
        buf.extend(newaddr(
            7,
            &[trimmed_mask([255, 255, 255, 0]), sin([192, 168, 1, 221])],
            0x4 | 0x20,
        ));

        let got: Vec<_> = Interfaces::parse(&buf)
            .unwrap()
            .iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(got.len(), 2);
        let InterfaceMessage::Interface {
            index,
            flags,
            send_queue,
            data,
            link,
        } = &got[0]
        else {
            panic!("{got:?}")
        };
        assert_eq!((*index, *flags, send_queue.1), (7, 0x8863, 50));
        assert_eq!(
            (data.mtu, data.in_packets, data.out_packets),
            (1500, 11259, 4707)
        );
        assert_eq!((data.in_bytes, data.out_bytes), (14_571_601, 1_052_393));
        assert_eq!(data.last_change.0, 1_700_000_000);
        let Some(SockAddr::Link(link)) = link else {
            panic!()
        };
        assert_eq!((&*link.name, &*link.address), (&b"en0"[..], &mac[..]));
        let InterfaceMessage::Address { index, addrs, .. } = &got[1] else {
            panic!()
        };
        assert_eq!(*index, 7);
        assert_eq!(
            addrs.get(RTAX_IFA),
            Some(&SockAddr::Inet("192.168.1.221:0".parse().unwrap()))
        );
        assert_eq!(
            addrs.get(RTAX_NETMASK).unwrap().prefix_len(AF_INET),
            Some(24)
        );
    }

    #[test]
    fn a_dump_becomes_the_library_records() {
        let mac = [0xc6, 0x66, 0x6c, 0xd3, 0x09, 0x29];
        let mut data = if_data64(14_571_601, 1_052_393);
        data[48..56].copy_from_slice(&3u64.to_le_bytes()); // ifi_oerrors
        data[96..104].copy_from_slice(&2u64.to_le_bytes()); // ifi_iqdrops
        let mut buf = ifinfo2(7, &data, &sdl(7, b"en0", &mac));
        buf[24..28].copy_from_slice(&5i32.to_le_bytes()); // ifm_snd_drops
        // RTAX_NETMASK, RTAX_IFA, RTAX_BRD.
        let v4 = [
            trimmed_mask([255, 255, 255, 0]),
            sin([192, 168, 1, 221]),
            sin([192, 168, 1, 255]),
        ];
        buf.extend(newaddr(7, &v4, 0x4 | 0x20 | 0x80));
        let second = [trimmed_mask([255, 0, 0, 0]), sin([10, 0, 0, 1])];
        buf.extend(newaddr(7, &second, 0x4 | 0x20));
        let mut ll = [0u8; 16];
        ll[..2].copy_from_slice(&[0xfe, 0x80]);
        ll[3] = 7; // KAME scope
        ll[15] = 1;
        let mut mask = [0u8; 16];
        mask[..8].fill(0xff);
        buf.extend(newaddr(7, &[sin6(mask, 0), sin6(ll, 0)], 0x4 | 0x20));
        // The loopback, up but not multicast.
        let mut lo = if_data64(1, 1);
        lo[0] = 0x18; // IFT_LOOP
        let mut lo = ifinfo2(1, &lo, &sdl(1, b"lo0", &[]));
        lo[8..12].copy_from_slice(&0x49u32.to_le_bytes()); // UP|LOOPBACK|RUNNING
        buf.extend(lo);
        buf.extend(newaddr(
            1,
            &[sin6([0; 16], 0), sin6(Ipv6Addr::LOCALHOST.octets(), 0)],
            0x4 | 0x20,
        ));
        // An address of an interface the dump did not announce.
        buf.extend(newaddr(9, &[sin([10, 9, 9, 9])], 0x20));

        let table = Table::from_dump(&Interfaces::parse(&buf).unwrap());
        assert_eq!(table.interfaces.len(), 2);
        let en0 = &table.interfaces[0];
        assert_eq!(&*en0.name, b"en0");
        assert_eq!(
            en0.flags,
            Flags::UP | Flags::BROADCAST | Flags::RUNNING | Flags::MULTICAST,
            "SMART and SIMPLEX have no Linux bit, MULTICAST moves"
        );
        assert_eq!(
            (en0.mtu, en0.tx_queue_len, en0.hw_type),
            (1500, Some(50), 1)
        );
        assert_eq!(en0.hw_addr[..6], mac);
        let ipv4 = en0.ipv4.unwrap();
        assert_eq!(
            ipv4.address,
            Ipv4Addr::new(192, 168, 1, 221),
            "the first address"
        );
        assert_eq!(ipv4.netmask, Some(Ipv4Addr::new(255, 255, 255, 0)));
        assert_eq!(ipv4.broadcast, Some(Ipv4Addr::new(192, 168, 1, 255)));
        assert_eq!(ipv4.destination, None);
        let stats = en0.stats.unwrap();
        assert_eq!((stats.rx_packets, stats.rx_bytes), (11259, 14_571_601));
        assert_eq!((stats.tx_packets, stats.tx_bytes), (4707, 1_052_393));
        assert_eq!(
            (stats.tx_errors, stats.rx_dropped, stats.tx_dropped),
            (3, 2, 5)
        );
        let lo0 = &table.interfaces[1];
        assert_eq!(
            (&*lo0.name, lo0.hw_type, lo0.ipv4),
            (&b"lo0"[..], 772, None)
        );
        assert_eq!(lo0.flags, Flags::UP | Flags::LOOPBACK | Flags::RUNNING);

        assert_eq!(table.inet6.len(), 2);
        let link_local = &table.inet6[0];
        assert_eq!(link_local.address, "fe80::1".parse::<Ipv6Addr>().unwrap());
        assert_eq!((link_local.prefix_len, link_local.scope), (64, 0x20));
        assert_eq!((&*link_local.device, link_local.ifindex), (&b"en0"[..], 7));
        let loopback = &table.inet6[1];
        assert_eq!((loopback.prefix_len, loopback.scope), (0, 0x10));
        assert_eq!(&*loopback.device, b"lo0");
    }

    #[test]
    fn a_point_to_point_address_has_a_peer() {
        let mut data = if_data64(0, 0);
        data[0] = 0x01; // IFT_OTHER, as utun interfaces are
        let mut buf = ifinfo2(20, &data, &sdl(20, b"utun3", &[]));
        buf[8..12].copy_from_slice(&0x8051u32.to_le_bytes()); // UP|POINTOPOINT|RUNNING|MULTICAST
        let addrs = [
            sin([255, 255, 255, 255]),
            sin([10, 8, 0, 2]),
            sin([10, 8, 0, 1]),
        ];
        buf.extend(newaddr(20, &addrs, 0x4 | 0x20 | 0x80));
        let table = Table::from_dump(&Interfaces::parse(&buf).unwrap());
        let utun = &table.interfaces[0];
        assert!(utun.flags.contains(Flags::POINTOPOINT | Flags::MULTICAST));
        assert_eq!(utun.hw_type, 0xfffe, "IFT_OTHER has no ARPHRD type");
        let ipv4 = utun.ipv4.unwrap();
        assert_eq!(ipv4.address, Ipv4Addr::new(10, 8, 0, 2));
        assert_eq!(ipv4.netmask, Some(Ipv4Addr::BROADCAST));
        assert_eq!(
            (ipv4.destination, ipv4.broadcast),
            (Some(Ipv4Addr::new(10, 8, 0, 1)), None)
        );
    }

    #[test]
    fn broken_dumps() {
        let good = ifinfo2(1, &if_data64(1, 2), &sdl(1, b"lo0", &[]));
        for cut in 1..good.len() {
            assert!(Interfaces::parse(&good[..cut]).is_err(), "cut at {cut}");
        }
        // A header claiming fewer bytes than an if_msghdr2.
        let mut short = good[..40].to_vec();
        short[0..2].copy_from_slice(&40u16.to_le_bytes());
        let got: Vec<_> = Interfaces::parse(&short).unwrap().iter().collect();
        assert!(matches!(got[..], [Err(ParseError::Truncated { .. })]));
        let mut seed = 0x1234_5678_9abc_def0u64;
        for _ in 0..3000 {
            let mut b = good.clone();
            b.extend(newaddr(1, &[sin([127, 0, 0, 1])], 0x20));
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = seed as usize % b.len();
            b[at] = (seed >> 32) as u8;
            if let Ok(dump) = Interfaces::parse(&b) {
                dump.iter().for_each(drop);
            }
        }
    }
}
