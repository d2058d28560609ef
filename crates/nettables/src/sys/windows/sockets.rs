//! TCP and UDP sockets from `GetExtendedTcpTable` / `GetExtendedUdpTable`
//! (`TCP_TABLE_OWNER_PID_ALL`, `UDP_TABLE_OWNER_PID`), IPv4 and IPv6. Each row names its
//! owning process, which goes in the record's `inode` (see the module above).

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use windows_sys::Win32::Foundation::{ERROR_INSUFFICIENT_BUFFER, NO_ERROR};
use windows_sys::Win32::NetworkManagement::IpHelper::{
    GetExtendedTcpTable, GetExtendedUdpTable, MIB_TCP6ROW_OWNER_PID, MIB_TCPROW_OWNER_PID,
    MIB_UDP6ROW_OWNER_PID, MIB_UDPROW_OWNER_PID, TCP_TABLE_OWNER_PID_ALL, UDP_TABLE_OWNER_PID,
};
use windows_sys::Win32::Networking::WinSock::{AF_INET, AF_INET6};

use crate::inet::{Family, InetSocket, Protocol, State};
use crate::{Error, Result};

/// A table's bytes: `DWORD dwNumEntries`, then the rows (8-byte aligned storage).
struct Table {
    words: Vec<u64>,
}

impl Table {
    /// Calls `fill(buffer, size)` until the buffer is large enough; tables grow between calls.
    fn read(
        what: &'static str,
        mut fill: impl FnMut(*mut core::ffi::c_void, *mut u32) -> u32,
    ) -> Result<Table> {
        let mut size: u32 = 0;
        let mut words: Vec<u64> = Vec::new();
        for _ in 0..8 {
            match fill(words.as_mut_ptr().cast(), &mut size) {
                NO_ERROR => return Ok(Table { words }),
                ERROR_INSUFFICIENT_BUFFER => {
                    // Room for rows that appear before the next call.
                    let bytes = size as usize + size as usize / 4 + 64;
                    words = vec![0; bytes.div_ceil(8)];
                    size = u32::try_from(words.len() * 8).unwrap_or(u32::MAX);
                }
                code => {
                    return Err(Error::system(
                        what,
                        std::io::Error::from_raw_os_error(code as i32),
                    ));
                }
            }
        }
        Err(Error::system(
            what,
            std::io::Error::from_raw_os_error(ERROR_INSUFFICIENT_BUFFER as i32),
        ))
    }

    /// The rows, as many as both the count and the buffer hold.
    fn rows<R: Copy>(&self) -> impl Iterator<Item = R> + '_ {
        let bytes = self.words.len() * 8;
        let count = self
            .words
            .first()
            .map_or(0, |w| (*w & 0xffff_ffff) as usize);
        // Rows start after the count, at the alignment of the row type (4 for every row here).
        let start = std::mem::align_of::<R>().max(4);
        let fits = bytes.saturating_sub(start) / std::mem::size_of::<R>();
        let base = self.words.as_ptr().cast::<u8>();
        (0..count.min(fits)).map(move |i| {
            // SAFETY: row `i` lies inside the buffer (bounded by `fits` above); the rows are
            // plain integers and byte arrays, valid for any bits; read_unaligned needs no
            // alignment.
            unsafe {
                base.add(start + i * std::mem::size_of::<R>())
                    .cast::<R>()
                    .read_unaligned()
            }
        })
    }
}

/// A port as the tables keep it: network order in the low 16 bits of a DWORD.
fn port(raw: u32) -> u16 {
    u16::from_be((raw & 0xffff) as u16)
}

/// An IPv4 address as the tables keep it: network order in a DWORD.
fn v4(raw: u32, port_raw: u32) -> SocketAddr {
    SocketAddr::V4(SocketAddrV4::new(
        Ipv4Addr::from(raw.to_ne_bytes()),
        port(port_raw),
    ))
}

fn v6(raw: [u8; 16], scope: u32, port_raw: u32) -> SocketAddr {
    SocketAddr::V6(SocketAddrV6::new(
        Ipv6Addr::from(raw),
        port(port_raw),
        0,
        scope,
    ))
}

/// `MIB_TCP_STATE` as the library's [`State`].
fn tcp_state(raw: u32) -> State {
    match raw {
        1 => State::CLOSE,
        2 => State::LISTEN,
        3 => State::SYN_SENT,
        4 => State::SYN_RECV,
        5 => State::ESTABLISHED,
        6 => State::FIN_WAIT1,
        7 => State::FIN_WAIT2,
        8 => State::CLOSE_WAIT,
        9 => State::CLOSING,
        10 => State::LAST_ACK,
        11 => State::TIME_WAIT,
        // DELETE_TCB: being torn down.
        _ => State::CLOSE,
    }
}

fn unspecified(family: Family) -> SocketAddr {
    match family {
        Family::Inet => SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)),
        Family::Inet6 => SocketAddr::from((Ipv6Addr::UNSPECIFIED, 0)),
    }
}

fn owned(mut sock: InetSocket, pid: u32) -> InetSocket {
    sock.inode = u64::from(pid);
    sock
}

/// Every socket of one table, in the system's order.
pub(crate) fn inet_sockets(protocol: Protocol, family: Family) -> Result<Vec<InetSocket>> {
    let af = u32::from(match family {
        Family::Inet => AF_INET,
        Family::Inet6 => AF_INET6,
    });
    let sockets = match protocol {
        Protocol::Tcp => {
            let table = Table::read("GetExtendedTcpTable", |buf, size| {
                // SAFETY: `buf` has `*size` writable bytes (or is null with size 0, which asks
                // for the size); the call writes at most that many.
                unsafe { GetExtendedTcpTable(buf, size, 0, af, TCP_TABLE_OWNER_PID_ALL, 0) }
            })?;
            match family {
                Family::Inet => table
                    .rows::<MIB_TCPROW_OWNER_PID>()
                    .map(|r| {
                        let sock = InetSocket::new(
                            protocol,
                            v4(r.dwLocalAddr, r.dwLocalPort),
                            v4(r.dwRemoteAddr, r.dwRemotePort),
                            tcp_state(r.dwState),
                        );
                        owned(sock, r.dwOwningPid)
                    })
                    .collect(),
                Family::Inet6 => table
                    .rows::<MIB_TCP6ROW_OWNER_PID>()
                    .map(|r| {
                        let sock = InetSocket::new(
                            protocol,
                            v6(r.ucLocalAddr, r.dwLocalScopeId, r.dwLocalPort),
                            v6(r.ucRemoteAddr, r.dwRemoteScopeId, r.dwRemotePort),
                            tcp_state(r.dwState),
                        );
                        owned(sock, r.dwOwningPid)
                    })
                    .collect(),
            }
        }
        Protocol::Udp => {
            let table = Table::read("GetExtendedUdpTable", |buf, size| {
                // SAFETY: as for the TCP table.
                unsafe { GetExtendedUdpTable(buf, size, 0, af, UDP_TABLE_OWNER_PID, 0) }
            })?;
            let remote = unspecified(family);
            match family {
                Family::Inet => table
                    .rows::<MIB_UDPROW_OWNER_PID>()
                    .map(|r| {
                        let local = v4(r.dwLocalAddr, r.dwLocalPort);
                        owned(
                            InetSocket::new(protocol, local, remote, State::CLOSE),
                            r.dwOwningPid,
                        )
                    })
                    .collect(),
                Family::Inet6 => table
                    .rows::<MIB_UDP6ROW_OWNER_PID>()
                    .map(|r| {
                        let local = v6(r.ucLocalAddr, r.dwLocalScopeId, r.dwLocalPort);
                        owned(
                            InetSocket::new(protocol, local, remote, State::CLOSE),
                            r.dwOwningPid,
                        )
                    })
                    .collect(),
            }
        }
        Protocol::UdpLite | Protocol::Raw => {
            return Err(Error::unsupported("raw and UDP-Lite socket tables"));
        }
    };
    Ok(sockets)
}
