//! Checks one thing netstat.exe cannot: which owner wine reports for a socket of the program
//! asking. It listens on 127.0.0.1, reads its own row of `GetExtendedTcpTable`
//! (`TCP_TABLE_OWNER_PID_ALL`), and prints `OWN <port> <own pid> <pid in the table>`
//! (tab-separated). A call that fails prints `ERR <call> <status>`; the exit status is then 1.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};

use windows_sys::Win32::Foundation::{ERROR_INSUFFICIENT_BUFFER, NO_ERROR};
use windows_sys::Win32::NetworkManagement::IpHelper::{
    GetExtendedTcpTable, MIB_TCPROW_OWNER_PID, TCP_TABLE_OWNER_PID_ALL,
};
use windows_sys::Win32::Networking::WinSock::AF_INET;

fn main() {
    std::process::exit(if own() { 0 } else { 1 });
}

/// One row of the owner-PID table: (local, pid).
type Row = (SocketAddr, u32);

fn own() -> bool {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().expect("local address").port();
    match tcp_rows() {
        Ok(rows) => {
            let seen = rows
                .iter()
                .find(|row| row.0.port() == port)
                .map(|row| row.1);
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

fn tcp_rows() -> Result<Vec<Row>, u32> {
    // SAFETY: `buf` points to `size` writable bytes (see `extended_table`).
    let table = extended_table(|buf, size| unsafe {
        GetExtendedTcpTable(buf, size, 1, u32::from(AF_INET), TCP_TABLE_OWNER_PID_ALL, 0)
    })?;
    Ok(rows::<MIB_TCPROW_OWNER_PID>(&table)
        .into_iter()
        .map(|r| (v4(r.dwLocalAddr, r.dwLocalPort), r.dwOwningPid))
        .collect())
}
