//! The interface table: the short `-i` rows and the ifconfig-style `-ie` blocks, with
//! net-tools' column widths, flag letters, hardware names and byte units.

use std::io::{self, Write};

use nettables::iface::{Counters, DeviceMap, Flags, Inet6Address, Interface};

use crate::i18n::{Arg, printf, tr};
use crate::render::addr::{push_ipv4, push_ipv6};
use crate::text::pad_left;

/// The title, through net-tools' catalog.
pub fn title() -> &'static [u8] {
    tr!("Kernel Interface table\n")
}
pub const SHORT_HEADER: &[u8] =
    b"Iface             MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg\n";

/// One row of the short table.
pub fn write_short(out: &mut impl Write, iface: &Interface) -> io::Result<()> {
    let mut line = Vec::with_capacity(128);
    pad_left(&mut line, &iface.name[..iface.name.len().min(15)], 15)?;
    write!(line, " {:5} ", iface.mtu)?;
    match &iface.stats {
        // RX-OVR is left-justified in net-tools.
        Some(s) => write!(
            line,
            "{:8} {:6} {:6} {:<6} {:8} {:6} {:6} {:6} ",
            s.rx_packets,
            s.rx_errors,
            s.rx_dropped,
            s.rx_fifo,
            s.tx_packets,
            s.tx_errors,
            s.tx_dropped,
            s.tx_fifo
        )?,
        None => pad_left(&mut line, tr!("     - no statistics available -"), 56)?,
    }
    let f = iface.flags;
    if f.is_empty() {
        line.extend_from_slice(tr!("[NO FLAGS]"));
    }
    const LETTERS: [(Flags, u8); 13] = [
        (Flags::ALLMULTI, b'A'),
        (Flags::BROADCAST, b'B'),
        (Flags::DEBUG, b'D'),
        (Flags::LOOPBACK, b'L'),
        (Flags::MULTICAST, b'M'),
        (Flags::PROMISC, b'P'),
        (Flags::NOTRAILERS, b'N'),
        (Flags::NOARP, b'O'),
        (Flags::POINTOPOINT, b'P'),
        (Flags::SLAVE, b's'),
        (Flags::MASTER, b'm'),
        (Flags::RUNNING, b'R'),
        (Flags::UP, b'U'),
    ];
    line.extend(
        LETTERS
            .iter()
            .filter(|&&(flag, _)| f.contains(flag))
            .map(|&(_, letter)| letter),
    );
    line.push(b'\n');
    out.write_all(&line)
}

/// `flags=4163<UP,BROADCAST,RUNNING,MULTICAST>`, including net-tools' odd forms for flag sets
/// with no known names (`flags=0<`, `flags=32768`).
fn flags_word(flags: Flags) -> Vec<u8> {
    // net-tools' order: SLAVE before MASTER, and no PORTSEL or AUTOMEDIA.
    const SHOWN: [Flags; 13] = [
        Flags::UP,
        Flags::BROADCAST,
        Flags::DEBUG,
        Flags::LOOPBACK,
        Flags::POINTOPOINT,
        Flags::NOTRAILERS,
        Flags::RUNNING,
        Flags::NOARP,
        Flags::PROMISC,
        Flags::ALLMULTI,
        Flags::SLAVE,
        Flags::MASTER,
        Flags::MULTICAST,
    ];
    // The kernel's flags are a C short here.
    let mut word = format!("flags={}<", flags.bits() as i16).into_bytes();
    if flags.is_empty() {
        word.push(b'>');
    }
    for flag in SHOWN.into_iter().filter(|&flag| flags.contains(flag)) {
        word.extend_from_slice(flag_name(flag));
    }
    close_list(&mut word);
    word
}

/// A flag's `NAME,` through net-tools' catalog.
fn flag_name(flag: Flags) -> &'static [u8] {
    match flag {
        Flags::UP => tr!("UP,"),
        Flags::BROADCAST => tr!("BROADCAST,"),
        Flags::DEBUG => tr!("DEBUG,"),
        Flags::LOOPBACK => tr!("LOOPBACK,"),
        Flags::POINTOPOINT => tr!("POINTOPOINT,"),
        Flags::NOTRAILERS => tr!("NOTRAILERS,"),
        Flags::RUNNING => tr!("RUNNING,"),
        Flags::NOARP => tr!("NOARP,"),
        Flags::PROMISC => tr!("PROMISC,"),
        Flags::ALLMULTI => tr!("ALLMULTI,"),
        Flags::SLAVE => tr!("SLAVE,"),
        Flags::MASTER => tr!("MASTER,"),
        _ => tr!("MULTICAST,"),
    }
}

/// net-tools ends a `NAME,NAME,` list by turning its last comma into `>`; with no names, the
/// last character is dropped instead.
fn close_list(word: &mut Vec<u8>) {
    if word.last() == Some(&b',') {
        word.pop();
        word.push(b'>');
    } else {
        word.pop();
    }
}

/// `<global>`, `<link>`, `<compat,global>`..., or nothing when no scope bit is known.
fn scope_word(scope: u8) -> Vec<u8> {
    const COMPAT: u8 = 0x80;
    let mut word = b"<".to_vec();
    let mut rest = scope;
    if rest & COMPAT != 0 {
        word.extend_from_slice(tr!("compat,"));
        rest -= COMPAT;
    }
    if rest == 0 {
        word.extend_from_slice(tr!("global,"));
    }
    for (bit, name) in [
        (0x20, tr!("link,")),
        (0x40, tr!("site,")),
        (0x10, tr!("host,")),
    ] {
        if rest & bit != 0 {
            word.extend_from_slice(name);
        }
    }
    close_list(&mut word);
    word
}

/// Formats the hardware address (net-tools' 32-byte buffer) of one hardware type.
type Printer = fn(&[u8; 32]) -> Vec<u8>;

/// How net-tools names and prints a hardware address type.
struct HwType {
    name: &'static str,
    /// Through net-tools' catalog.
    title: &'static [u8],
    print: Option<Printer>,
}

/// net-tools' hardware table for this build, in its search order (the first match wins).
fn hw_type(arphrd: u16) -> HwType {
    let (name, title, print): (_, _, Option<Printer>) = match arphrd {
        772 => ("loop", tr!("Local Loopback"), None),
        256 => ("slip", tr!("Serial Line IP"), None),
        257 => ("cslip", tr!("VJ Serial Line IP"), None),
        258 => ("slip6", tr!("6-bit Serial Line IP"), None),
        259 => ("cslip6", tr!("VJ 6-bit Serial Line IP"), None),
        264 => ("adaptive", tr!("Adaptive Serial Line IP"), None),
        781 => ("ash", tr!("Ash"), Some(print_ash)),
        1 => (
            "ether",
            tr!("Ethernet"),
            Some(|a| hex_join(&a[..6], b':', false)),
        ),
        3 => ("ax25", tr!("AMPR AX.25"), Some(print_callsign)),
        0 => ("netrom", tr!("AMPR NET/ROM"), Some(print_callsign)),
        270 => (
            "rose",
            tr!("AMPR ROSE"),
            Some(|a| hex_join(&a[..5], b'\0', false)),
        ),
        768 => ("tunnel", tr!("IPIP Tunnel"), Some(|_| Vec::new())),
        512 => ("ppp", tr!("Point-to-Point Protocol"), None),
        513 => ("hdlc", tr!("(Cisco)-HDLC"), None),
        516 => ("lapb", tr!("LAPB"), None),
        7 => (
            "arcnet",
            tr!("ARCnet"),
            Some(|a| hex_join(&a[..1], b'\0', true)),
        ),
        15 => (
            "dlci",
            tr!("Frame Relay DLCI"),
            Some(|a| i16::from_ne_bytes([a[0], a[1]]).to_string().into_bytes()),
        ),
        770 => ("frad", tr!("Frame Relay Access Device"), None),
        776 => ("sit", tr!("IPv6-in-IPv4"), None),
        774 => (
            "fddi",
            tr!("Fiber Distributed Data Interface"),
            Some(|a| hex_join(&a[..6], b'-', true)),
        ),
        780 => (
            "hippi",
            tr!("HIPPI"),
            Some(|a| hex_join(&a[..6], b':', true)),
        ),
        783 => (
            "irda",
            tr!("IrLAP"),
            Some(|a| hex_join(&[a[3], a[2], a[1], a[0]], b':', false)),
        ),
        782 => ("ec", tr!("Econet"), None),
        271 => (
            "x25",
            tr!("generic X.25"),
            Some(|a| a.iter().copied().take_while(|&b| b != 0).collect()),
        ),
        27 => (
            "eui64",
            tr!("Generic EUI-64"),
            Some(|a| hex_join(&a[..8], b':', true)),
        ),
        _ => (
            "unspec",
            tr!("UNSPEC"),
            Some(|a| hex_join(&a[..16], b'-', true)),
        ),
    };
    HwType { name, title, print }
}

/// Two hex digits per byte, joined by `sep` (none for `\0`).
fn hex_join(bytes: &[u8], sep: u8, upper: bool) -> Vec<u8> {
    let mut text = Vec::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && sep != 0 {
            text.push(sep);
        }
        let _ = if upper {
            write!(text, "{b:02X}")
        } else {
            write!(text, "{b:02x}")
        };
    }
    text
}

/// An AX.25 / NET/ROM callsign: six shifted characters up to a blank, then `-SSID`.
fn print_callsign(addr: &[u8; 32]) -> Vec<u8> {
    let mut call: Vec<u8> = addr[..6]
        .iter()
        .map(|b| b >> 1)
        .take_while(|&c| c != b' ' && c != 0)
        .collect();
    let ssid = (addr[6] & 0x1e) >> 1;
    if ssid != 0 {
        let _ = write!(call, "-{ssid}");
    }
    call
}

/// Ash: one hex digit (or two) per byte up to a 0xc9 or 0xff terminator, in brackets.
fn print_ash(addr: &[u8; 32]) -> Vec<u8> {
    let mut text = b"[".to_vec();
    for b in addr.iter().take_while(|&&b| b != 0xc9 && b != 0xff) {
        let _ = write!(text, "{b:x}");
    }
    text.push(b']');
    text
}

/// The byte count as net-tools abbreviates it: 1024 steps, truncated to one decimal.
/// Returns the whole part, the tenth and the unit.
pub fn byte_units(bytes: u64) -> (u64, u64, &'static str) {
    const KIB: u64 = 1 << 10;
    let mut short = bytes.wrapping_mul(10);
    let unit = if bytes > 1 << 60 {
        short = bytes / 115_292_150_460_684_697; // 2^60 / 10, as net-tools divides
        "EiB"
    } else {
        let (divisor, unit) = match bytes {
            b if b > KIB.pow(5) => (KIB.pow(5), "PiB"),
            b if b > KIB.pow(4) => (KIB.pow(4), "TiB"),
            b if b > KIB.pow(3) => (KIB.pow(3), "GiB"),
            b if b > KIB.pow(2) => (KIB.pow(2), "MiB"),
            b if b > KIB => (KIB, "KiB"),
            _ => (1, "B"),
        };
        short /= divisor;
        unit
    };
    (short / 10, short % 10, unit)
}

/// One ifconfig-style block, followed by its empty line. `inet6` holds all IPv6 addresses;
/// those of this device are printed.
pub fn write_long(
    out: &mut impl Write,
    iface: &Interface,
    inet6: &[Inet6Address],
) -> io::Result<()> {
    let mut b = Vec::with_capacity(1024);
    b.extend_from_slice(&iface.name);
    b.extend_from_slice(b": ");
    b.extend_from_slice(&flags_word(iface.flags));
    writeln!(b, "  mtu {}", iface.mtu)?;
    push_inet(&mut b, iface);
    for a in inet6.iter().filter(|a| a.device == iface.name) {
        let mut address = Vec::with_capacity(40);
        push_ipv6(&mut address, a.address);
        let prefix = Arg::Int(i64::from(a.prefix_len));
        let template = tr!("        %s %s  prefixlen %d");
        printf(
            &mut b,
            template,
            &[Arg::Str(b"inet6"), Arg::Str(&address), prefix],
        );
        let scope = Arg::Int(i64::from(a.scope));
        printf(&mut b, tr!("  scopeid 0x%x"), &[scope]);
        b.extend_from_slice(&scope_word(a.scope));
        b.push(b'\n');
    }
    push_hardware(&mut b, iface)?;
    push_media(&mut b, iface)?;
    if let Some(s) = &iface.stats {
        // CSLIP and CSLIP6 count compressed packets.
        let compressed = matches!(iface.hw_type, 257 | 259);
        push_counters(&mut b, &Direction::rx(s), compressed)?;
        push_counters(&mut b, &Direction::tx(s), compressed)?;
    }
    push_device(&mut b, &iface.map)?;
    b.push(b'\n');
    out.write_all(&b)
}

/// `inet ADDR  netmask MASK  broadcast ...  destination ...`, when the interface has IPv4.
fn push_inet(b: &mut Vec<u8>, iface: &Interface) {
    let Some(v4) = &iface.ipv4 else { return };
    b.extend_from_slice(b"        inet ");
    push_ipv4(b, v4.address);
    let mut address = Vec::with_capacity(16);
    let mut push = |b: &mut Vec<u8>, template: &[u8], addr| {
        address.clear();
        push_v4_or_unset(&mut address, addr);
        printf(b, template, &[Arg::Str(&address)]);
    };
    push(b, tr!("  netmask %s"), v4.netmask);
    if iface.flags.contains(Flags::BROADCAST) {
        push(b, tr!("  broadcast %s"), v4.broadcast);
    }
    if iface.flags.contains(Flags::POINTOPOINT) {
        push(b, tr!("  destination %s"), v4.destination);
    }
    b.push(b'\n');
}

/// The hardware line: type, address, queue length, and the type's title.
fn push_hardware(b: &mut Vec<u8>, iface: &Interface) -> io::Result<()> {
    let hw = hw_type(iface.hw_type);
    b.extend_from_slice(b"        ");
    b.extend_from_slice(hw.name.as_bytes());
    if let Some(print) = hw.print {
        // net-tools keeps 8 address bytes in a zeroed 32-byte buffer.
        let mut addr = [0u8; 32];
        addr[..8].copy_from_slice(&iface.hw_addr);
        b.push(b' ');
        b.extend_from_slice(&print(&addr));
    }
    if let Some(qlen) = iface.tx_queue_len.filter(|&q| q != -1) {
        printf(b, tr!("  txqueuelen %d"), &[Arg::Int(i64::from(qlen))]);
    }
    b.extend_from_slice(b"  (");
    b.extend_from_slice(hw.title);
    b.extend_from_slice(b")\n");
    Ok(())
}

/// `media PORT[autoselect]`, for drivers that can select their port.
fn push_media(b: &mut Vec<u8>, iface: &Interface) -> io::Result<()> {
    if !iface.flags.contains(Flags::PORTSEL) {
        return Ok(());
    }
    const PORTS: [&str; 7] = [
        "unknown",
        "10base2",
        "10baseT",
        "AUI",
        "100baseT",
        "100baseTX",
        "100baseFX",
    ];
    let port = PORTS
        .get(usize::from(iface.map.port))
        .copied()
        .unwrap_or("(null)");
    write!(b, "        media {port}")?;
    if iface.flags.contains(Flags::AUTOMEDIA) {
        b.extend_from_slice(b"autoselect");
    }
    b.push(b'\n');
    Ok(())
}

/// One direction's counters, with net-tools' wording for each (through its catalog).
struct Direction {
    packets_line: &'static [u8],
    compressed_line: &'static [u8],
    errors_line: &'static [u8],
    packets: u64,
    bytes: u64,
    compressed: u64,
    /// The counts of the errors line, in its order.
    errors: [u64; 5],
}

impl Direction {
    fn rx(s: &Counters) -> Direction {
        Direction {
            packets_line: tr!("RX packets %llu  bytes %llu (%lu.%lu %s)\n"),
            compressed_line: tr!("RX compressed:%lu\n"),
            errors_line: tr!("RX errors %lu  dropped %lu  overruns %lu  frame %lu\n"),
            packets: s.rx_packets,
            bytes: s.rx_bytes,
            compressed: s.rx_compressed,
            errors: [s.rx_errors, s.rx_dropped, s.rx_fifo, s.rx_frame, 0],
        }
    }

    fn tx(s: &Counters) -> Direction {
        Direction {
            packets_line: tr!("TX packets %llu  bytes %llu (%lu.%lu %s)\n"),
            compressed_line: tr!("TX compressed %lu\n"),
            errors_line: tr!(
                "TX errors %lu  dropped %lu overruns %lu  carrier %lu  collisions %lu\n"
            ),
            packets: s.tx_packets,
            bytes: s.tx_bytes,
            compressed: s.tx_compressed,
            errors: [
                s.tx_errors,
                s.tx_dropped,
                s.tx_fifo,
                s.tx_carrier,
                s.collisions,
            ],
        }
    }
}

/// A counter as printf's `%llu` argument (the kernel's counters fit; a larger one saturates).
fn count(n: u64) -> Arg<'static> {
    Arg::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// `RX packets N  bytes N (N.N KiB)`, the compressed count where the link has one (net-tools
/// words the two directions differently), then the errors.
fn push_counters(b: &mut Vec<u8>, d: &Direction, compressed: bool) -> io::Result<()> {
    const INDENT: &[u8] = b"        ";
    let (whole, tenth, unit) = byte_units(d.bytes);
    b.extend_from_slice(INDENT);
    let args = [
        count(d.packets),
        count(d.bytes),
        count(whole),
        count(tenth),
        Arg::Str(unit.as_bytes()),
    ];
    printf(b, d.packets_line, &args);
    if compressed {
        b.extend_from_slice(INDENT);
        printf(b, d.compressed_line, &[count(d.compressed)]);
    }
    b.extend_from_slice(INDENT);
    printf(b, d.errors_line, &d.errors.map(count));
    Ok(())
}

/// The `device` line of the legacy resources, when the device has any.
fn push_device(b: &mut Vec<u8>, m: &DeviceMap) -> io::Result<()> {
    if m.irq == 0 && m.mem_start == 0 && m.dma == 0 && m.base_addr < 0x100 {
        return Ok(());
    }
    b.extend_from_slice(b"        device ");
    if m.irq != 0 {
        write!(b, "interrupt {}  ", m.irq)?;
    }
    if m.base_addr >= 0x100 {
        write!(b, "base 0x{:x}  ", m.base_addr)?;
    }
    if m.mem_start != 0 {
        let (start, end) = (count(m.mem_start), count(m.mem_end));
        printf(b, tr!("memory 0x%lx-%lx  "), &[start, end]);
    }
    if m.dma != 0 {
        printf(b, tr!("  dma 0x%x"), &[Arg::Int(i64::from(m.dma))]);
    }
    b.push(b'\n');
    Ok(())
}

fn push_v4_or_unset(b: &mut Vec<u8>, addr: Option<std::net::Ipv4Addr>) {
    match addr {
        Some(a) => push_ipv4(b, a),
        None => b.extend_from_slice(b"[NONE SET]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nettables::iface::Ipv4Config;

    fn iface(name: &str, flags: u16) -> Interface {
        let mut iface = Interface::default();
        iface.name = name.as_bytes().into();
        iface.flags = Flags::from_bits_retain(flags);
        iface.mtu = 1500;
        iface.tx_queue_len = Some(1000);
        iface.hw_type = 1;
        iface.hw_addr = [0x02, 0xfc, 0, 0, 0, 1, 0, 0];
        iface.stats = Some(Counters::default());
        iface
    }

    fn text(f: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut out = Vec::new();
        f(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn byte_units_truncate_to_one_decimal() {
        assert_eq!(byte_units(0), (0, 0, "B"));
        assert_eq!(byte_units(1024), (1024, 0, "B"));
        assert_eq!(byte_units(1025), (1, 0, "KiB"));
        assert_eq!(byte_units(3193), (3, 1, "KiB"));
        assert_eq!(byte_units(86724), (84, 6, "KiB"));
        assert_eq!(byte_units(18827329), (17, 9, "MiB"));
        assert_eq!(byte_units(213693938), (203, 7, "MiB"));
        assert_eq!(byte_units(1 << 40), (1024, 0, "GiB"));
        assert_eq!(byte_units((1 << 50) + 1), (1, 0, "PiB"));
        assert_eq!(byte_units((1 << 60) + 1), (1, 0, "EiB"));
        assert_eq!(byte_units(u64::MAX), (16, 0, "EiB"));
    }

    #[test]
    fn short_rows() {
        let mut lo = iface("lo", 0x49);
        lo.mtu = 65536;
        let stats = lo.stats.as_mut().unwrap();
        (stats.rx_packets, stats.tx_packets) = (1090, 1090);
        assert_eq!(
            text(|o| write_short(o, &lo)),
            "lo              65536     1090      0      0 0          1090      0      0      0 LRU\n"
        );
        let mut alias = iface("vA:1", 0x1043);
        alias.stats = None;
        assert_eq!(
            text(|o| write_short(o, &alias)),
            "vA:1             1500      - no statistics available -                        BMRU\n"
        );
        let long = iface("abcdefghijklmnopq", 0);
        assert!(text(|o| write_short(o, &long)).starts_with("abcdefghijklmno  1500 "));
        assert!(text(|o| write_short(o, &long)).ends_with(" [NO FLAGS]\n"));
        let all = iface("x", 0x1fff);
        assert!(text(|o| write_short(o, &all)).ends_with(" ABDLMPNOPsmRU\n"));
    }

    #[test]
    fn flag_and_scope_words() {
        let word = |bits| flags_word(Flags::from_bits_retain(bits));
        assert_eq!(word(4163), b"flags=4163<UP,BROADCAST,RUNNING,MULTICAST>");
        assert_eq!(word(0), b"flags=0<");
        assert_eq!(word(0x8000), b"flags=-32768");
        assert_eq!(scope_word(0), b"<global>");
        assert_eq!(scope_word(0x20), b"<link>");
        assert_eq!(scope_word(0x10), b"<host>");
        assert_eq!(scope_word(0x80), b"<compat,global>");
        assert_eq!(scope_word(0x01), b"");
    }

    #[test]
    fn long_block_with_every_part() {
        let mut eth = iface("eth0", 0x1053);
        let mut v4 = Ipv4Config::new("192.0.2.2".parse().unwrap());
        v4.netmask = Some("255.255.255.0".parse().unwrap());
        v4.destination = Some("192.0.2.9".parse().unwrap());
        eth.ipv4 = Some(v4);
        let map = &mut eth.map;
        (map.mem_start, map.mem_end, map.base_addr) = (0xfe00, 0xfeff, 0x300);
        (map.irq, map.dma) = (11, 3);
        let stats = eth.stats.as_mut().unwrap();
        (stats.rx_bytes, stats.tx_bytes, stats.collisions) = (2048, 5, 7);
        let mut v6 = Inet6Address::new("fe80::fc:ff:fe00:1".parse().unwrap(), 64, b"eth0");
        (v6.ifindex, v6.scope, v6.flags) = (2, 0x20, 0x80);
        let v6 = [v6];
        assert_eq!(
            text(|o| write_long(o, &eth, &v6)),
            "eth0: flags=4179<UP,BROADCAST,POINTOPOINT,RUNNING,MULTICAST>  mtu 1500\n\
             \x20       inet 192.0.2.2  netmask 255.255.255.0  broadcast [NONE SET]  destination 192.0.2.9\n\
             \x20       inet6 fe80::fc:ff:fe00:1  prefixlen 64  scopeid 0x20<link>\n\
             \x20       ether 02:fc:00:00:00:01  txqueuelen 1000  (Ethernet)\n\
             \x20       RX packets 0  bytes 2048 (2.0 KiB)\n\
             \x20       RX errors 0  dropped 0  overruns 0  frame 0\n\
             \x20       TX packets 0  bytes 5 (5.0 B)\n\
             \x20       TX errors 0  dropped 0 overruns 0  carrier 0  collisions 7\n\
             \x20       device interrupt 11  base 0x300  memory 0xfe00-feff    dma 0x3\n\n"
        );
    }

    #[test]
    fn hardware_names() {
        let mut t = iface("tun0", 0x10d1);
        t.hw_type = 0xfffe;
        t.tx_queue_len = Some(500);
        t.stats = None;
        assert_eq!(
            text(|o| write_long(o, &t, &[])),
            "tun0: flags=4305<UP,POINTOPOINT,RUNNING,NOARP,MULTICAST>  mtu 1500\n\
             \x20       unspec 02-FC-00-00-00-01-00-00-00-00-00-00-00-00-00-00  txqueuelen 500  (UNSPEC)\n\n"
        );
        t.hw_type = 772;
        t.tx_queue_len = None;
        assert!(text(|o| write_long(o, &t, &[])).contains("\n        loop  (Local Loopback)\n"));
        t.hw_type = 768;
        assert!(text(|o| write_long(o, &t, &[])).contains("\n        tunnel   (IPIP Tunnel)\n"));
        t.hw_type = 15;
        t.hw_addr = [0x10, 0, 0, 0, 0, 0, 0, 0];
        assert!(
            text(|o| write_long(o, &t, &[])).contains("\n        dlci 16  (Frame Relay DLCI)\n")
        );
        t.hw_type = 3;
        t.hw_addr = [b'N' << 1, b'0' << 1, b'C' << 1, b' ' << 1, 0, 0, 5 << 1, 0];
        assert!(text(|o| write_long(o, &t, &[])).contains("\n        ax25 N0C-5  (AMPR AX.25)\n"));
    }

    #[test]
    fn compressed_counts_of_cslip_links() {
        let mut sl = iface("sl0", 0x1051);
        sl.hw_type = 257;
        let stats = sl.stats.as_mut().unwrap();
        (stats.rx_compressed, stats.tx_compressed) = (3, 4);
        let block = text(|o| write_long(o, &sl, &[]));
        assert!(
            block.contains(
                "\n        RX compressed:3\n        RX errors 0  dropped 0  overruns 0  frame 0\n"
            ),
            "{block}"
        );
        assert!(
            block.contains("\n        TX compressed 4\n        TX errors 0  dropped 0 overruns 0"),
            "{block}"
        );
    }
}
