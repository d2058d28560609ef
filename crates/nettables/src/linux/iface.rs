//! Interfaces from `/proc/net/dev`, `SIOCGIFCONF` and the per-interface `SIOCGIF*` ioctls, and
//! IPv6 addresses from `/proc/net/if_inet6`: the sources net-tools reads, so that names, alias
//! labels and values come out exactly as it sees them.

use std::cmp::Ordering;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsRawFd, OwnedFd};

use crate::{Error, Result};

use crate::iface::{
    Counters, DeviceMap, Flags, Inet6Address, Interface, Ipv4Config, Listing, natural_cmp,
};

/// Which columns a `/proc/net/dev` line has, told apart by the second header line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DevFormat {
    /// Linux 1.x: packets, errs, drop, fifo, frame / packets, errs, drop, fifo, colls, carrier.
    Packets,
    /// Linux 2.0: bytes added on both sides.
    Bytes,
    /// Linux 2.2 onwards: compressed and multicast added; all 16 counters.
    Full,
}

/// Detects the line format from the header line that names the columns.
pub fn dev_format(header: &[u8]) -> DevFormat {
    if contains(header, b"compressed") {
        DevFormat::Full
    } else if contains(header, b"bytes") {
        DevFormat::Bytes
    } else {
        DevFormat::Packets
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Parses one data line of `/proc/net/dev` into the device name and its counters. Like the
/// `sscanf` net-tools uses, counters after the first unreadable one stay 0. `None` when the
/// line has no name.
pub fn parse_dev_line(line: &[u8], format: DevFormat) -> Option<(&[u8], Counters)> {
    let (name, rest) = split_dev_name(line);
    if name.is_empty() {
        return None;
    }
    // Each format's columns, as positions in the full (Linux 2.2+) line.
    const FULL: [usize; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
    const BYTES: [usize; 13] = [0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14];
    const PACKETS: [usize; 11] = [1, 2, 3, 4, 5, 9, 10, 11, 12, 13, 14];
    let columns: &[usize] = match format {
        DevFormat::Full => &FULL,
        DevFormat::Bytes => &BYTES,
        DevFormat::Packets => &PACKETS,
    };
    let mut counters = Counters::default();
    let mut rest = rest;
    for &column in columns {
        let Some((value, after)) = scan_u64(rest) else {
            break;
        };
        *COUNTER_FIELDS[column](&mut counters) = value;
        rest = after;
    }
    Some((name, counters))
}

/// The counters of a full `/proc/net/dev` line, in its order.
const COUNTER_FIELDS: [fn(&mut Counters) -> &mut u64; 16] = [
    |c| &mut c.rx_bytes,
    |c| &mut c.rx_packets,
    |c| &mut c.rx_errors,
    |c| &mut c.rx_dropped,
    |c| &mut c.rx_fifo,
    |c| &mut c.rx_frame,
    |c| &mut c.rx_compressed,
    |c| &mut c.rx_multicast,
    |c| &mut c.tx_bytes,
    |c| &mut c.tx_packets,
    |c| &mut c.tx_errors,
    |c| &mut c.tx_dropped,
    |c| &mut c.tx_fifo,
    |c| &mut c.collisions,
    |c| &mut c.tx_carrier,
    |c| &mut c.tx_compressed,
];

/// Splits `  name: counters` into the name and what follows the colon. A `name:N:` prefix is
/// an old-style alias whose `:N` belongs to the name. Like net-tools, the name stops at 15
/// bytes; the counters are then read from where it stopped, so a 15-byte name (the longest
/// Linux allows, printed with no blank before its colon) gets no counters at all.
fn split_dev_name(line: &[u8]) -> (&[u8], &[u8]) {
    const MAX: usize = 15;
    let start = line
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(line.len());
    let line = &line[start..];
    let mut i = 0;
    while i < line.len() && !line[i].is_ascii_whitespace() {
        if line[i] == b':' {
            let digits = line[i + 1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            let end = i + 1 + digits;
            if i + 1 + digits < MAX && line.get(end) == Some(&b':') {
                return (&line[..end], &line[end + 1..]);
            }
            return (&line[..i], &line[i + 1..]);
        }
        i += 1;
        if i == MAX {
            break;
        }
    }
    (&line[..i], &line[i..])
}

/// `%lu` of `sscanf`: optional white space, an optional sign, decimal digits. Too large a
/// value saturates; a minus sign negates modulo 2^64, as `strtoul` does.
fn scan_u64(text: &[u8]) -> Option<(u64, &[u8])> {
    let start = text.iter().position(|b| !b.is_ascii_whitespace())?;
    let mut rest = &text[start..];
    let negative = match rest.first() {
        Some(b'-') => {
            rest = &rest[1..];
            true
        }
        Some(b'+') => {
            rest = &rest[1..];
            false
        }
        _ => false,
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let value = rest[..digits]
        .iter()
        .try_fold(0u64, |acc, &d| {
            acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        })
        .unwrap_or(u64::MAX);
    let value = if negative && value != u64::MAX {
        value.wrapping_neg()
    } else {
        value
    };
    Some((value, &rest[digits..]))
}

/// Parses one line of `/proc/net/if_inet6`:
/// `fe800000000000000000000000000001 02 40 20 80     eth0`.
pub fn parse_inet6_line(line: &[u8]) -> Option<Inet6Address> {
    let mut words = line
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty());
    let hex = words.next()?;
    if hex.len() != 32 {
        return None;
    }
    let mut octets = [0u8; 16];
    for (octet, pair) in octets.iter_mut().zip(hex.chunks_exact(2)) {
        *octet = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    let ifindex = hex_field(words.next()?, 8)?;
    let prefix_len = u8::try_from(hex_field(words.next()?, 2)?).ok()?;
    let scope = u8::try_from(hex_field(words.next()?, 2)?).ok()?;
    let flags = u8::try_from(hex_field(words.next()?, 2)?).ok()?;
    let device = words.next()?;
    if words.next().is_some() {
        return None;
    }
    Some(Inet6Address {
        address: Ipv6Addr::from(octets),
        ifindex,
        prefix_len,
        scope,
        flags,
        device: device.into(),
    })
}

fn hex_field(word: &[u8], max_len: usize) -> Option<u32> {
    if word.is_empty() || word.len() > max_len {
        return None;
    }
    u32::from_str_radix(std::str::from_utf8(word).ok()?, 16).ok()
}

pub(crate) fn inet6_addresses() -> Result<Vec<Inet6Address>> {
    let text = super::read_file("/proc/net/if_inet6")?;
    Ok(text
        .split(|&b| b == b'\n')
        .filter_map(parse_inet6_line)
        .collect())
}

/// One name of the merged list, with the counters of its `/proc/net/dev` line if it had one.
struct Entry {
    name: Box<[u8]>,
    stats: Option<Counters>,
}

/// Adds `name` to the sorted list the way net-tools' interface cache does: search back from
/// the end for the first entry not greater than `name`; an equal one is reused.
fn insert_name<'a>(entries: &'a mut Vec<Entry>, name: &[u8]) -> &'a mut Entry {
    let mut at = entries.len();
    while at > 0 {
        match natural_cmp(&entries[at - 1].name, name) {
            Ordering::Equal => return &mut entries[at - 1],
            Ordering::Less => break,
            Ordering::Greater => at -= 1,
        }
    }
    entries.insert(
        at,
        Entry {
            name: name.into(),
            stats: None,
        },
    );
    &mut entries[at]
}

pub(crate) fn list() -> Result<Listing> {
    let sock = inet_socket().map_err(|e| Error::system("socket", e))?;
    let mut listing = Listing::default();
    let mut entries = Vec::new();
    if let Err(e) = read_proc_dev(&mut entries) {
        listing.dev_error = Some(e);
    }
    match ifconf_names(&sock) {
        Ok(names) => {
            for name in names {
                insert_name(&mut entries, &name);
            }
        }
        Err(e) => listing.conf_error = Some(Error::system("SIOCGIFCONF", e)),
    }
    if listing.dev_error.is_some()
        && let Some(e) = listing.conf_error.take()
    {
        return Err(e);
    }
    for entry in entries {
        match fetch(&sock, entry.name, entry.stats) {
            Ok(iface) => listing.interfaces.push(iface),
            Err((name, e)) => {
                listing.unreadable = Some((name, Error::system("SIOCGIFFLAGS", e)));
                break;
            }
        }
    }
    Ok(listing)
}

fn read_proc_dev(entries: &mut Vec<Entry>) -> Result<()> {
    for_each_dev_line(|name, counters| insert_name(entries, name).stats = Some(counters))
}

pub(crate) fn device_counters() -> Result<Vec<(Box<[u8]>, Counters)>> {
    let mut devices = Vec::new();
    for_each_dev_line(|name, counters| devices.push((name.into(), counters)))?;
    Ok(devices)
}

/// Calls `each` with the name and counters of every device line of `/proc/net/dev`.
fn for_each_dev_line(mut each: impl FnMut(&[u8], Counters)) -> Result<()> {
    let text = super::read_file("/proc/net/dev")?;
    let mut lines = text.split(|&b| b == b'\n');
    let _title = lines.next();
    let format = match lines.next() {
        Some(header) => dev_format(header),
        None => return Ok(()),
    };
    for line in lines {
        if let Some((name, counters)) = parse_dev_line(line, format) {
            each(name, counters);
        }
    }
    Ok(())
}

/// The socket the ioctls go through.
fn inet_socket() -> io::Result<OwnedFd> {
    use rustix::net::{AddressFamily, SocketFlags, SocketType};
    Ok(rustix::net::socket_with(
        AddressFamily::INET,
        SocketType::DGRAM,
        SocketFlags::CLOEXEC,
        None,
    )?)
}

/// The names `SIOCGIFCONF` reports: one per IPv4 address label, so alias labels appear here.
fn ifconf_names(sock: &OwnedFd) -> io::Result<Vec<Box<[u8]>>> {
    const REQ: usize = std::mem::size_of::<libc::ifreq>();
    let mut count = 32;
    loop {
        // SAFETY: ifreq is plain old data; all-zero is a valid value.
        let mut reqs: Vec<libc::ifreq> = vec![unsafe { std::mem::zeroed() }; count];
        let len = (count * REQ) as libc::c_int;
        let mut conf = libc::ifconf {
            ifc_len: len,
            ifc_ifcu: libc::__c_anonymous_ifc_ifcu {
                ifcu_req: reqs.as_mut_ptr(),
            },
        };
        // SAFETY: `conf` points at `count` writable ifreqs and says so in ifc_len.
        if unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCGIFCONF, &mut conf) } < 0 {
            return Err(io::Error::last_os_error());
        }
        if conf.ifc_len == len {
            count *= 2; // the list may have been cut short
            continue;
        }
        let filled = usize::try_from(conf.ifc_len).unwrap_or(0) / REQ;
        return Ok(reqs
            .iter()
            .take(filled)
            .map(|r| name_bytes(&r.ifr_name))
            .collect());
    }
}

fn name_bytes(raw: &[libc::c_char; libc::IFNAMSIZ]) -> Box<[u8]> {
    raw.iter()
        .map(|&c| c as u8)
        .take_while(|&b| b != 0)
        .collect()
}

/// One interface, asked about by name with the `SIOCGIF*` ioctls net-tools uses.
struct Device<'a> {
    sock: &'a OwnedFd,
    name: &'a [u8],
}

impl Device<'_> {
    /// Issues one `SIOCGIF*` ioctl, returning the filled request.
    fn ask(&self, cmd: libc::c_ulong) -> io::Result<libc::ifreq> {
        // SAFETY: ifreq is plain old data; all-zero is a valid value.
        let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
        // The name is cut to 15 bytes, as `strncpy` into `ifr_name` does.
        for (dst, &src) in req
            .ifr_name
            .iter_mut()
            .zip(self.name.iter().take(libc::IFNAMSIZ - 1))
        {
            *dst = src as libc::c_char;
        }
        // SAFETY: every SIOCGIF* request used here reads and writes one `struct ifreq`, which
        // `req` is, for the whole call.
        if unsafe { libc::ioctl(self.sock.as_raw_fd(), cmd, &mut req) } < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(req)
    }

    /// `SIOCGIFFLAGS`: the low 16 bits of the flags.
    fn flags(&self) -> io::Result<u16> {
        let req = self.ask(libc::SIOCGIFFLAGS)?;
        // SAFETY: SIOCGIFFLAGS fills `ifr_flags`.
        Ok(unsafe { req.ifr_ifru.ifru_flags } as u16)
    }

    /// `SIOCGIFHWADDR`: the hardware type and the first 8 bytes of the address.
    fn hw_addr(&self) -> Option<(u16, [u8; 8])> {
        let req = self.ask(libc::SIOCGIFHWADDR).ok()?;
        // SAFETY: SIOCGIFHWADDR fills `ifr_hwaddr`.
        let sa = unsafe { req.ifr_ifru.ifru_hwaddr };
        let mut addr = [0u8; 8];
        for (dst, &src) in addr.iter_mut().zip(sa.sa_data.iter()) {
            *dst = src as u8;
        }
        Some((sa.sa_family, addr))
    }

    /// `SIOCGIFMTU`, `SIOCGIFMETRIC` or `SIOCGIFTXQLEN`: one `int`.
    fn int(&self, cmd: libc::c_ulong) -> Option<i32> {
        let req = self.ask(cmd).ok()?;
        // SAFETY: these requests fill the union's int, which `ifr_mtu`, `ifr_metric`,
        // `ifr_qlen` and `ifr_ifindex` all name.
        Some(unsafe { req.ifr_ifru.ifru_ifindex })
    }

    /// `SIOCGIFMAP`: the legacy resources.
    fn map(&self) -> Option<DeviceMap> {
        let req = self.ask(libc::SIOCGIFMAP).ok()?;
        // SAFETY: SIOCGIFMAP fills `ifr_map`.
        let m = unsafe { req.ifr_ifru.ifru_map };
        #[allow(clippy::unnecessary_cast)] // c_ulong is 32 bits on some targets
        Some(DeviceMap {
            mem_start: m.mem_start as u64,
            mem_end: m.mem_end as u64,
            base_addr: m.base_addr,
            irq: m.irq,
            dma: m.dma,
            port: m.port,
        })
    }

    /// `SIOCGIFADDR` and the other address requests: an IPv4 address, if one is set.
    fn ipv4(&self, cmd: libc::c_ulong) -> Option<Ipv4Addr> {
        let req = self.ask(cmd).ok()?;
        // SAFETY: the address requests fill `ifr_addr` (and its aliases, which share it).
        let addr = unsafe { req.ifr_ifru.ifru_addr };
        if addr.sa_family != libc::AF_INET as libc::sa_family_t {
            return None;
        }
        // sockaddr_in: port in sa_data[0..2], address in sa_data[2..6].
        let d = addr.sa_data;
        Some(Ipv4Addr::new(
            d[2] as u8, d[3] as u8, d[4] as u8, d[5] as u8,
        ))
    }
}

fn fetch(
    sock: &OwnedFd,
    name: Box<[u8]>,
    stats: Option<Counters>,
) -> std::result::Result<Interface, (Box<[u8]>, io::Error)> {
    let flags = Device { sock, name: &name }.flags();
    let raw_flags = match flags {
        Ok(flags) => flags,
        Err(e) => return Err((name, e)),
    };
    let device = Device { sock, name: &name };
    // Without a hardware address, net-tools reads the type from a request that still holds
    // the flags.
    let (hw_type, hw_addr) = device.hw_addr().unwrap_or((raw_flags, [0; 8]));
    let ipv4 = device.ipv4(libc::SIOCGIFADDR).map(|address| Ipv4Config {
        address,
        destination: device.ipv4(libc::SIOCGIFDSTADDR),
        broadcast: device.ipv4(libc::SIOCGIFBRDADDR),
        netmask: device.ipv4(libc::SIOCGIFNETMASK),
    });
    Ok(Interface {
        flags: Flags::from_bits_retain(raw_flags),
        mtu: device.int(libc::SIOCGIFMTU).unwrap_or(0),
        metric: device.int(libc::SIOCGIFMETRIC).unwrap_or(0),
        tx_queue_len: device.int(libc::SIOCGIFTXQLEN),
        hw_type,
        hw_addr,
        map: device.map().unwrap_or_default(),
        ipv4,
        stats,
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &[u8] =
        b" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed";

    #[test]
    fn detects_header_versions() {
        assert_eq!(dev_format(HEADER), DevFormat::Full);
        assert_eq!(
            dev_format(b" face |bytes    packets errs drop fifo frame|bytes    packets errs drop fifo colls carrier"),
            DevFormat::Bytes
        );
        assert_eq!(
            dev_format(b" face |packets errs drop fifo frame|packets errs drop fifo colls carrier"),
            DevFormat::Packets
        );
        assert_eq!(dev_format(b""), DevFormat::Packets);
    }

    #[test]
    fn parses_captured_lines() {
        let line = b"  eth0: 18827329    1158    0    0    0     0          0         0    86724    1020    0    0    0     0       0          0";
        let (name, c) = parse_dev_line(line, DevFormat::Full).unwrap();
        assert_eq!(name, b"eth0");
        assert_eq!(
            (c.rx_bytes, c.rx_packets, c.tx_bytes, c.tx_packets),
            (18827329, 1158, 86724, 1020)
        );
        let line = b"    lo:    3193      29    1    2    3     4          5         6     3193      29    7    8    9    10      11         12";
        let (name, c) = parse_dev_line(line, DevFormat::Full).unwrap();
        assert_eq!(name, b"lo");
        assert_eq!(
            [
                c.rx_errors,
                c.rx_dropped,
                c.rx_fifo,
                c.rx_frame,
                c.rx_compressed,
                c.rx_multicast
            ],
            [1, 2, 3, 4, 5, 6]
        );
        assert_eq!(
            [
                c.tx_errors,
                c.tx_dropped,
                c.tx_fifo,
                c.collisions,
                c.tx_carrier,
                c.tx_compressed
            ],
            [7, 8, 9, 10, 11, 12]
        );
        // A 15-byte name fills net-tools' buffer: it then reads no counters (it shows zeros).
        let (name, c) = parse_dev_line(
            b"abcdefghijklmno:       12 3 0 0 0 0 0 0 4 5",
            DevFormat::Full,
        )
        .unwrap();
        assert_eq!((name, c), (&b"abcdefghijklmno"[..], Counters::default()));
        let (name, c) = parse_dev_line(b"abcdefghijklmn: 12", DevFormat::Full).unwrap();
        assert_eq!((name, c.rx_bytes), (&b"abcdefghijklmn"[..], 12));
    }

    #[test]
    fn old_formats_and_alias_names() {
        let (name, c) = parse_dev_line(
            b"eth0:1:  10 20 30 40 50 60 70 80 90 100 110",
            DevFormat::Packets,
        )
        .unwrap();
        assert_eq!(name, b"eth0:1");
        assert_eq!(
            (c.rx_packets, c.tx_packets, c.tx_carrier, c.rx_bytes),
            (10, 60, 110, 0)
        );
        let (_, c) =
            parse_dev_line(b"eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13", DevFormat::Bytes).unwrap();
        assert_eq!(
            (c.rx_bytes, c.tx_bytes, c.tx_carrier, c.rx_multicast),
            (1, 7, 13, 0)
        );
    }

    #[test]
    fn hostile_dev_lines() {
        // Truncated: the counters that are present are kept, the rest stay 0.
        let (name, c) = parse_dev_line(b"eth0: 5 6", DevFormat::Full).unwrap();
        assert_eq!(
            (name, c.rx_bytes, c.rx_packets, c.rx_errors),
            (&b"eth0"[..], 5, 6, 0)
        );
        // A bad number stops the scan there.
        let (_, c) = parse_dev_line(b"eth0: 5 x 7", DevFormat::Full).unwrap();
        assert_eq!((c.rx_bytes, c.rx_packets, c.rx_errors), (5, 0, 0));
        // Overflow saturates, a sign wraps like strtoul.
        let (_, c) = parse_dev_line(b"eth0: 999999999999999999999999 -1", DevFormat::Full).unwrap();
        assert_eq!((c.rx_bytes, c.rx_packets), (u64::MAX, u64::MAX));
        // No colon (pre-1.2 kernels): the name ends at the blank.
        let (name, c) = parse_dev_line(b"eth0 7", DevFormat::Full).unwrap();
        assert_eq!((name, c.rx_bytes), (&b"eth0"[..], 7));
        assert!(parse_dev_line(b"", DevFormat::Full).is_none());
        assert!(parse_dev_line(b"    ", DevFormat::Full).is_none());
        assert!(parse_dev_line(b": 1 2 3", DevFormat::Full).is_none());
        let (name, _) = parse_dev_line(b"eth0:", DevFormat::Full).unwrap();
        assert_eq!(name, b"eth0");
    }

    #[test]
    fn parses_if_inet6() {
        let a = parse_inet6_line(b"fe8000000000000000fc00fffe000001 02 40 20 80     eth0").unwrap();
        assert_eq!(a.address, "fe80::fc:ff:fe00:1".parse::<Ipv6Addr>().unwrap());
        assert_eq!(
            (a.ifindex, a.prefix_len, a.scope, a.flags),
            (2, 64, 0x20, 0x80)
        );
        assert_eq!(&*a.device, b"eth0");
        let lo =
            parse_inet6_line(b"00000000000000000000000000000001 01 80 10 80       lo").unwrap();
        assert_eq!(
            (lo.address, lo.prefix_len, lo.scope),
            (Ipv6Addr::LOCALHOST, 128, 0x10)
        );
    }

    #[test]
    fn hostile_if_inet6_lines() {
        let cases: &[&[u8]] = &[
            b"",
            b"fe80",
            b"fe8000000000000000fc00fffe000001 02 40 20 80",
            b"fe8000000000000000fc00fffe00000Z 02 40 20 80 eth0",
            b"fe8000000000000000fc00fffe000001 02 400 20 80 eth0",
            b"fe8000000000000000fc00fffe000001 02 4g 20 80 eth0",
            b"fe8000000000000000fc00fffe000001 123456789 40 20 80 eth0",
            b"fe8000000000000000fc00fffe000001 02 40 20 80 eth0 extra",
            "fe8000000000000000fc00fffe0000é1 02 40 20 80 eth0".as_bytes(),
        ];
        for line in cases {
            assert!(
                parse_inet6_line(line).is_none(),
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn merged_names_are_sorted_and_deduplicated() {
        let mut entries = Vec::new();
        for name in ["lo", "eth10", "eth2", "vA", "eth10", "vA:1", "eth01", "abc"] {
            insert_name(&mut entries, name.as_bytes());
        }
        let names: Vec<_> = entries
            .iter()
            .map(|e| String::from_utf8_lossy(&e.name).into_owned())
            .collect();
        assert_eq!(names, ["abc", "eth01", "eth2", "eth10", "lo", "vA", "vA:1"]);
        // A name equal in natural order (eth1 == eth01) reuses the first entry.
        insert_name(&mut entries, b"eth1").stats = Some(Counters::default());
        assert_eq!(entries.len(), 7);
        assert_eq!(&*entries[1].name, b"eth01");
        assert!(entries[1].stats.is_some());
    }
}
