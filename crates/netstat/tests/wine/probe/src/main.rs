//! Prints the IP Helper tables, one record per line, tab-separated, so a Linux test can compare
//! them with `ss` in the same network namespace:
//!
//! - `tcp`: `TCP <local> <remote> <MIB state number> <pid>`, IPv4 then IPv6
//!   (`GetExtendedTcpTable`, `TCP_TABLE_OWNER_PID_ALL`);
//! - `udp`: `UDP <local> <pid>` (`GetExtendedUdpTable`, `UDP_TABLE_OWNER_PID`);
//! - `own`: listens on 127.0.0.1 itself, then prints `OWN <port> <own pid> <pid in the table>`;
//! - `if`: `IF <index> <alias> <MAC> <MTU> <in octets> <out octets>` (`GetIfTable2`);
//! - `route`: `ROUTE <prefix>/<len> <next hop> <if index> <metric>` (`GetIpForwardTable2`);
//! - `stats`: `STAT <4|6> <MIB name> <value>` from the four `Get*StatisticsEx` calls.
//!
//! A call that fails prints `ERR <call> <status>`; the exit status is then 1. Addresses are
//! written as Rust's `SocketAddr` writes them (`[::1]:80`, a zone as `%N`).

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use windows_sys::Win32::Foundation::{ERROR_INSUFFICIENT_BUFFER, NO_ERROR};
use windows_sys::Win32::NetworkManagement::IpHelper::{
    FreeMibTable, GetExtendedTcpTable, GetExtendedUdpTable, GetIcmpStatisticsEx, GetIfTable2,
    GetIpForwardTable2, GetIpStatisticsEx, GetTcpStatisticsEx, GetUdpStatisticsEx,
    MIB_ICMP_EX_XPSP1, MIB_IF_TABLE2, MIB_IPFORWARD_TABLE2, MIB_IPSTATS_LH, MIB_TCP6ROW_OWNER_PID,
    MIB_TCPROW_OWNER_PID, MIB_TCPSTATS_LH, MIB_UDP6ROW_OWNER_PID, MIB_UDPROW_OWNER_PID,
    MIB_UDPSTATS, TCP_TABLE_OWNER_PID_ALL, UDP_TABLE_OWNER_PID,
};
use windows_sys::Win32::Networking::WinSock::{AF_INET, AF_INET6, SOCKADDR_INET};

fn main() {
    let what = std::env::args().nth(1).unwrap_or_default();
    let ok = match what.as_str() {
        "tcp" => tcp(),
        "udp" => udp(),
        "own" => own(),
        "if" => interfaces(),
        "route" => routes(),
        "stats" => stats(),
        _ => {
            eprintln!("usage: wine-probe tcp|udp|own|if|route|stats");
            false
        }
    };
    std::process::exit(if ok { 0 } else { 1 });
}

/// One row of an owner-PID table: (local, remote, MIB state, pid).
type Row = (SocketAddr, Option<SocketAddr>, u32, u32);

fn tcp() -> bool {
    let mut ok = true;
    for family in [AF_INET, AF_INET6] {
        match tcp_rows(family) {
            Ok(rows) => {
                for (local, remote, state, pid) in rows {
                    let remote = remote.map_or(String::new(), |r| r.to_string());
                    println!("TCP\t{local}\t{remote}\t{state}\t{pid}");
                }
            }
            Err(status) => {
                println!("ERR\tGetExtendedTcpTable\t{status}");
                ok = false;
            }
        }
    }
    ok
}

fn udp() -> bool {
    let mut ok = true;
    for family in [AF_INET, AF_INET6] {
        match udp_rows(family) {
            Ok(rows) => {
                for (local, _, _, pid) in rows {
                    println!("UDP\t{local}\t{pid}");
                }
            }
            Err(status) => {
                println!("ERR\tGetExtendedUdpTable\t{status}");
                ok = false;
            }
        }
    }
    ok
}

fn own() -> bool {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().expect("local address").port();
    match tcp_rows(AF_INET) {
        Ok(rows) => {
            let seen = rows
                .iter()
                .find(|row| row.0.port() == port)
                .map(|row| row.3);
            let seen = seen.map_or("missing".to_string(), |pid| pid.to_string());
            println!("OWN\t{port}\t{}\t{seen}", std::process::id());
            true
        }
        Err(status) => {
            println!("ERR\tGetExtendedTcpTable\t{status}");
            false
        }
    }
}

/// Calls a `GetExtended*Table` function twice: once for the size, once for the rows.
fn extended_table(call: impl Fn(*mut core::ffi::c_void, &mut u32) -> u32) -> Result<Vec<u8>, u32> {
    let mut size = 0u32;
    for _ in 0..4 {
        // u64 elements keep the buffer aligned for the rows.
        let mut buf = vec![0u64; (size as usize).div_ceil(8).max(1)];
        let mut have = (buf.len() * 8) as u32;
        match call(buf.as_mut_ptr().cast(), &mut have) {
            NO_ERROR => {
                let bytes: Vec<u8> = buf.iter().flat_map(|word| word.to_ne_bytes()).collect();
                return Ok(bytes[..(have as usize).min(bytes.len())].to_vec());
            }
            ERROR_INSUFFICIENT_BUFFER => size = have + 4096,
            status => return Err(status),
        }
    }
    Err(ERROR_INSUFFICIENT_BUFFER)
}

/// The rows of a table laid out as `u32 count` then `count` records of type `T`.
/// Only for the `MIB_*ROW_OWNER_PID` types.
fn rows<T: Copy>(table: &[u8]) -> Vec<T> {
    let count = u32::from_ne_bytes(table[..4].try_into().expect("count")) as usize;
    let first = std::mem::align_of::<T>().max(4);
    let size = std::mem::size_of::<T>();
    assert!(
        first + count * size <= table.len(),
        "table shorter than its count"
    );
    (0..count)
        .map(|i| {
            let row = &table[first + i * size..first + (i + 1) * size];
            // SAFETY: `row` holds size_of::<T>() bytes, and the row types are plain integers
            // and byte arrays, for which any bytes are a value.
            unsafe { std::ptr::read_unaligned(row.as_ptr().cast::<T>()) }
        })
        .collect()
}

fn port(raw: u32) -> u16 {
    u16::from_be(raw as u16)
}

fn v4(addr: u32, raw_port: u32) -> SocketAddr {
    SocketAddr::V4(SocketAddrV4::new(
        Ipv4Addr::from(addr.to_ne_bytes()),
        port(raw_port),
    ))
}

fn v6(addr: [u8; 16], scope: u32, raw_port: u32) -> SocketAddr {
    SocketAddr::V6(SocketAddrV6::new(
        Ipv6Addr::from(addr),
        port(raw_port),
        0,
        scope,
    ))
}

fn tcp_rows(family: u16) -> Result<Vec<Row>, u32> {
    // SAFETY: `buf` points to `size` writable bytes (see `extended_table`).
    let table = extended_table(|buf, size| unsafe {
        GetExtendedTcpTable(buf, size, 1, u32::from(family), TCP_TABLE_OWNER_PID_ALL, 0)
    })?;
    Ok(if family == AF_INET {
        rows::<MIB_TCPROW_OWNER_PID>(&table)
            .into_iter()
            .map(|r| {
                let local = v4(r.dwLocalAddr, r.dwLocalPort);
                let remote = v4(r.dwRemoteAddr, r.dwRemotePort);
                (local, Some(remote), r.dwState, r.dwOwningPid)
            })
            .collect()
    } else {
        rows::<MIB_TCP6ROW_OWNER_PID>(&table)
            .into_iter()
            .map(|r| {
                let local = v6(r.ucLocalAddr, r.dwLocalScopeId, r.dwLocalPort);
                let remote = v6(r.ucRemoteAddr, r.dwRemoteScopeId, r.dwRemotePort);
                (local, Some(remote), r.dwState, r.dwOwningPid)
            })
            .collect()
    })
}

fn udp_rows(family: u16) -> Result<Vec<Row>, u32> {
    // SAFETY: `buf` points to `size` writable bytes (see `extended_table`).
    let table = extended_table(|buf, size| unsafe {
        GetExtendedUdpTable(buf, size, 1, u32::from(family), UDP_TABLE_OWNER_PID, 0)
    })?;
    Ok(if family == AF_INET {
        rows::<MIB_UDPROW_OWNER_PID>(&table)
            .into_iter()
            .map(|r| (v4(r.dwLocalAddr, r.dwLocalPort), None, 0, r.dwOwningPid))
            .collect()
    } else {
        rows::<MIB_UDP6ROW_OWNER_PID>(&table)
            .into_iter()
            .map(|r| {
                (
                    v6(r.ucLocalAddr, r.dwLocalScopeId, r.dwLocalPort),
                    None,
                    0,
                    r.dwOwningPid,
                )
            })
            .collect()
    })
}

fn interfaces() -> bool {
    let mut table: *mut MIB_IF_TABLE2 = std::ptr::null_mut();
    // SAFETY: the function stores a table it allocated in `table`.
    let status = unsafe { GetIfTable2(&mut table) };
    if status != NO_ERROR {
        println!("ERR\tGetIfTable2\t{status}");
        return false;
    }
    // SAFETY: on success `table` holds `NumEntries` rows, valid until FreeMibTable.
    let rows = unsafe {
        std::slice::from_raw_parts((*table).Table.as_ptr(), (*table).NumEntries as usize)
    };
    for row in rows {
        let alias = String::from_utf16_lossy(&row.Alias);
        let alias = alias.trim_end_matches('\0');
        let length = (row.PhysicalAddressLength as usize).min(row.PhysicalAddress.len());
        let mac: Vec<String> = row.PhysicalAddress[..length]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        println!(
            "IF\t{}\t{alias}\t{}\t{}\t{}\t{}",
            row.InterfaceIndex,
            mac.join(":"),
            row.Mtu,
            row.InOctets,
            row.OutOctets
        );
    }
    // SAFETY: the table came from GetIfTable2 and is not used after this.
    unsafe { FreeMibTable(table.cast()) };
    true
}

fn sockaddr_inet(addr: &SOCKADDR_INET) -> String {
    // SAFETY: `si_family` says which member of the union is set.
    unsafe {
        match addr.si_family {
            AF_INET => Ipv4Addr::from(addr.Ipv4.sin_addr.S_un.S_addr.to_ne_bytes()).to_string(),
            AF_INET6 => Ipv6Addr::from(addr.Ipv6.sin6_addr.u.Byte).to_string(),
            other => format!("family{other}"),
        }
    }
}

fn routes() -> bool {
    let mut ok = true;
    for family in [AF_INET, AF_INET6] {
        let mut table: *mut MIB_IPFORWARD_TABLE2 = std::ptr::null_mut();
        // SAFETY: the function stores a table it allocated in `table`.
        let status = unsafe { GetIpForwardTable2(family, &mut table) };
        if status != NO_ERROR {
            println!("ERR\tGetIpForwardTable2\t{status}");
            ok = false;
            continue;
        }
        // SAFETY: on success `table` holds `NumEntries` rows, valid until FreeMibTable.
        let rows = unsafe {
            std::slice::from_raw_parts((*table).Table.as_ptr(), (*table).NumEntries as usize)
        };
        for row in rows {
            let prefix = sockaddr_inet(&row.DestinationPrefix.Prefix);
            let len = row.DestinationPrefix.PrefixLength;
            let hop = sockaddr_inet(&row.NextHop);
            println!(
                "ROUTE\t{prefix}/{len}\t{hop}\t{}\t{}",
                row.InterfaceIndex, row.Metric
            );
        }
        // SAFETY: the table came from GetIpForwardTable2 and is not used after this.
        unsafe { FreeMibTable(table.cast()) };
    }
    ok
}

fn stats() -> bool {
    let mut ok = true;
    let mut report = |call: &str, family: u16, status: u32, values: &[(&str, u32)]| {
        if status != NO_ERROR {
            println!("ERR\t{call}\t{status}");
            ok = false;
            return;
        }
        let family = if family == AF_INET { 4 } else { 6 };
        for (name, value) in values {
            println!("STAT\t{family}\t{name}\t{value}");
        }
    };
    for family in [AF_INET, AF_INET6] {
        let mut ip = MIB_IPSTATS_LH::default();
        // SAFETY: each of these calls fills the structure it is given.
        let status = unsafe { GetIpStatisticsEx(&mut ip, u32::from(family)) };
        let values = [
            ("Ip.InReceives", ip.dwInReceives),
            ("Ip.InDelivers", ip.dwInDelivers),
            ("Ip.OutRequests", ip.dwOutRequests),
        ];
        report("GetIpStatisticsEx", family, status, &values);
        let mut tcp = MIB_TCPSTATS_LH::default();
        // SAFETY: as above.
        let status = unsafe { GetTcpStatisticsEx(&mut tcp, u32::from(family)) };
        let values = [
            ("Tcp.ActiveOpens", tcp.dwActiveOpens),
            ("Tcp.PassiveOpens", tcp.dwPassiveOpens),
            ("Tcp.CurrEstab", tcp.dwCurrEstab),
            ("Tcp.InSegs", tcp.dwInSegs),
            ("Tcp.OutSegs", tcp.dwOutSegs),
        ];
        report("GetTcpStatisticsEx", family, status, &values);
        let mut udp = MIB_UDPSTATS::default();
        // SAFETY: as above.
        let status = unsafe { GetUdpStatisticsEx(&mut udp, u32::from(family)) };
        let values = [
            ("Udp.InDatagrams", udp.dwInDatagrams),
            ("Udp.NoPorts", udp.dwNoPorts),
            ("Udp.OutDatagrams", udp.dwOutDatagrams),
        ];
        report("GetUdpStatisticsEx", family, status, &values);
        let mut icmp = MIB_ICMP_EX_XPSP1::default();
        // SAFETY: as above.
        let status = unsafe { GetIcmpStatisticsEx(&mut icmp, u32::from(family)) };
        let values = [
            ("Icmp.InMsgs", icmp.icmpInStats.dwMsgs),
            ("Icmp.OutMsgs", icmp.icmpOutStats.dwMsgs),
        ];
        report("GetIcmpStatisticsEx", family, status, &values);
    }
    ok
}
