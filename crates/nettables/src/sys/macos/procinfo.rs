//! Which sockets a process holds: `proc_pidinfo(pid, PROC_PIDLISTFDS)` lists its descriptors
//! (`struct proc_fdinfo`), and `proc_pidfdinfo(pid, fd, PROC_PIDFDSOCKETINFO)` describes one
//! socket (`struct socket_fdinfo`). Layouts of xnu's `bsd/sys/proc_info.h`, natural alignment
//! (no packing), LP64.
//!
//! `soi_so` is the handle `pcblist_n` gives the same socket (`xso_so`): the key that joins a
//! socket list to its owners, as the inode does on Linux.

use super::bytes::{ParseError, Record};
use super::sockaddr::{AF_INET, AF_INET6};
use super::{inet_endpoint, tcp_state};
use crate::inet::{InetSocket, Protocol, State};

/// `proc_fdtype` of a socket descriptor (`PROX_FDTYPE_SOCKET`).
pub const PROX_FDTYPE_SOCKET: u32 = 2;

/// `sizeof(struct proc_fdinfo)`: `int32_t proc_fd; uint32_t proc_fdtype;`.
const PROC_FDINFO_SIZE: usize = 8;

/// One descriptor of a process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FdEntry {
    pub fd: i32,
    /// `PROX_FDTYPE_*`.
    pub kind: u32,
}

/// The descriptors in the bytes `proc_pidinfo(PROC_PIDLISTFDS)` filled (its return value is
/// their length).
pub fn parse_fd_list(buf: &[u8]) -> Result<impl Iterator<Item = FdEntry> + '_, ParseError> {
    if !buf.len().is_multiple_of(PROC_FDINFO_SIZE) {
        return Err(ParseError::BadLength {
            what: "proc_fdinfo list",
            offset: 0,
            len: buf.len(),
        });
    }
    Ok(buf.chunks_exact(PROC_FDINFO_SIZE).map(|entry| FdEntry {
        fd: i32::from_le_bytes([entry[0], entry[1], entry[2], entry[3]]),
        kind: u32::from_le_bytes([entry[4], entry[5], entry[6], entry[7]]),
    }))
}

/// Offsets in `struct socket_fdinfo` (`struct proc_fileinfo pfi` of 24 bytes, then
/// `struct socket_info psi`, whose `struct vinfo_stat soi_stat` is 136 bytes).
mod socket_fdinfo {
    pub const SIZE: usize = 792;
    pub const VST_UID: usize = 24 + 16;
    pub const SOI_SO: usize = 160;
    pub const SOI_PCB: usize = 168;
    pub const SOI_TYPE: usize = 176;
    pub const SOI_PROTOCOL: usize = 180;
    pub const SOI_FAMILY: usize = 184;
    pub const SOI_STATE: usize = 192;
    pub const SOI_QLEN: usize = 194;
    pub const SOI_INCQLEN: usize = 196;
    pub const SOI_QLIMIT: usize = 198;
    /// `soi_rcv.sbi_cc`, then `soi_snd.sbi_cc` (each `struct sockbuf_info` is 24 bytes).
    pub const SOI_RCV_CC: usize = 208;
    pub const SOI_SND_CC: usize = 232;
    pub const SOI_KIND: usize = 256;
    /// The `soi_proto` union; for IP sockets a `struct in_sockinfo` (TCP: the start of a
    /// `struct tcp_sockinfo`).
    pub const INSI_FPORT: usize = 264;
    pub const INSI_LPORT: usize = 268;
    pub const INSI_GENCNT: usize = 272;
    pub const INSI_VFLAG: usize = 288;
    pub const INSI_FADDR: usize = 296;
    pub const INSI_LADDR: usize = 312;
    /// `sizeof(struct in_sockinfo)` is 80.
    pub const IN_END: usize = 264 + 80;
    pub const TCPSI_STATE: usize = 344;
    pub const TCP_END: usize = 348;
}

/// `soi_kind` values (`SOCKINFO_*`).
pub const SOCKINFO_IN: i32 = 1;
pub const SOCKINFO_TCP: i32 = 2;

/// `SOCK_RAW`: any protocol over a raw socket is [`Protocol::Raw`].
const SOCK_RAW: i32 = 3;

/// The (`soi_type`, `soi_protocol`) pairs of TCP (`SOCK_STREAM`, `IPPROTO_TCP`) and UDP
/// (`SOCK_DGRAM`, `IPPROTO_UDP`) sockets.
const TRANSPORTS: [((i32, i32), Protocol); 2] = [((1, 6), Protocol::Tcp), ((2, 17), Protocol::Udp)];

/// What `proc_pidfdinfo(PROC_PIDFDSOCKETINFO)` says about one socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SocketFdInfo {
    /// The socket's handle (`soi_so`), equal to `xso_so` in `pcblist_n`.
    pub so: u64,
    /// The protocol control block's handle (`soi_pcb`).
    pub pcb: u64,
    /// `AF_*` (macOS numbers: `AF_INET` 2, `AF_INET6` 30, `AF_UNIX` 1).
    pub family: i32,
    /// `SOCK_*`.
    pub socket_type: i32,
    /// `IPPROTO_*`.
    pub protocol: i32,
    /// `SOCKINFO_*`: which member of the protocol union is filled.
    pub kind: i32,
    /// `SS_*` socket state bits (`soi_state`).
    pub state_bits: i16,
    /// Connections ready, incomplete, and the backlog (`soi_qlen`, `soi_incqlen`,
    /// `soi_qlimit`).
    pub listen_queue: (i16, i16, i16),
    /// For TCP, UDP and raw IP sockets: the socket in the library's terms, with `inode` set
    /// to [`SocketFdInfo::so`], `cookie` to the PCB's generation number (as `pcblist_n`
    /// gives it) and `uid` to the socket's owner.
    pub inet: Option<InetSocket>,
    /// The TCP state as macOS numbers it (`TSI_S_*`), for TCP sockets.
    pub tcp_state: Option<i32>,
}

impl SocketFdInfo {
    /// Parses the bytes `proc_pidfdinfo(PROC_PIDFDSOCKETINFO)` filled. Sockets of other
    /// families need only the generic part; IP sockets need their `in_sockinfo` (and TCP its
    /// state) within the buffer.
    pub fn parse(buf: &[u8]) -> Result<SocketFdInfo, ParseError> {
        use socket_fdinfo as f;
        let r = Record::whole(buf, "socket_fdinfo");
        r.require(f::INSI_FPORT)?;
        let mut info = SocketFdInfo {
            so: r.u64(f::SOI_SO)?,
            pcb: r.u64(f::SOI_PCB)?,
            family: r.i32(f::SOI_FAMILY)?,
            socket_type: r.i32(f::SOI_TYPE)?,
            protocol: r.i32(f::SOI_PROTOCOL)?,
            kind: r.i32(f::SOI_KIND)?,
            state_bits: r.i16(f::SOI_STATE)?,
            listen_queue: (
                r.i16(f::SOI_QLEN)?,
                r.i16(f::SOI_INCQLEN)?,
                r.i16(f::SOI_QLIMIT)?,
            ),
            inet: None,
            tcp_state: None,
        };
        if !matches!(info.kind, SOCKINFO_IN | SOCKINFO_TCP)
            || ![AF_INET, AF_INET6].map(i32::from).contains(&info.family)
        {
            return Ok(info);
        }
        r.require(if info.kind == SOCKINFO_TCP {
            f::TCP_END
        } else {
            f::IN_END
        })?;
        // insi_lport/insi_fport are ints holding the port as the PCB keeps it: in network
        // order, so its two bytes come first.
        let vflag = r.u8(f::INSI_VFLAG)?;
        let bad_vflag = || r.bad_value(f::INSI_VFLAG, u64::from(vflag));
        let (family, local) =
            inet_endpoint(vflag, r.array(f::INSI_LADDR)?, r.u16_be(f::INSI_LPORT)?)
                .ok_or_else(bad_vflag)?;
        let (_, remote) = inet_endpoint(vflag, r.array(f::INSI_FADDR)?, r.u16_be(f::INSI_FPORT)?)
            .ok_or_else(bad_vflag)?;
        if info.kind == SOCKINFO_TCP {
            info.tcp_state = Some(r.i32(f::TCPSI_STATE)?);
        }
        let transport = TRANSPORTS
            .iter()
            .find(|(key, _)| *key == (info.socket_type, info.protocol));
        let protocol = match transport {
            Some(&(_, protocol)) => protocol,
            None if info.socket_type == SOCK_RAW => Protocol::Raw,
            None => return Ok(info),
        };
        let state = match info.tcp_state {
            Some(raw) => tcp_state(raw),
            None if !remote.ip().is_unspecified() => State::ESTABLISHED,
            None => State::CLOSE,
        };
        let mut sock = InetSocket::new(protocol, local, remote, state);
        sock.family = family;
        sock.recv_q = r.u32(f::SOI_RCV_CC)?;
        sock.send_q = r.u32(f::SOI_SND_CC)?;
        sock.uid = r.u32(f::VST_UID)?;
        sock.inode = info.so;
        sock.cookie = r.u64(f::INSI_GENCNT)?;
        if sock.state == State::LISTEN {
            sock.backlog = u32::try_from(info.listen_queue.2).ok();
        }
        info.inet = Some(sock);
        Ok(info)
    }
}

/// `sizeof(struct socket_fdinfo)`: the buffer to hand `proc_pidfdinfo`.
pub const SOCKET_FDINFO_SIZE: usize = socket_fdinfo::SIZE;

#[cfg(test)]
pub(crate) mod tests {
    use std::net::{IpAddr, Ipv6Addr};

    use super::*;
    use crate::inet::Family;
    use crate::sys::macos::{INP_IPV4, INP_IPV6};

    fn put(buf: &mut [u8], at: usize, bytes: &[u8]) {
        buf[at..at + bytes.len()].copy_from_slice(bytes);
    }

    /// A TCP/IPv4 socket: `AF_INET` 2, `SOCK_STREAM` 1, `IPPROTO_TCP` 6.
    fn tcp4(vflag: u8) -> Vec<u8> {
        fdinfo(SOCKINFO_TCP, 2, 1, 6, vflag)
    }

    /// An established TCP connection 192.168.1.221:54860 → 140.82.113.26:443 whose socket
    /// handle is `so`.
    pub(crate) fn tcp_fdinfo(so: u64) -> Vec<u8> {
        let mut b = tcp4(INP_IPV4);
        put(&mut b, 296 + 12, &[140, 82, 113, 26]); // insi_faddr (in4in6_addr)
        put(&mut b, 312 + 12, &[192, 168, 1, 221]); // insi_laddr
        put(&mut b, 272, &99u64.to_le_bytes()); // insi_gencnt
        put(&mut b, 344, &4i32.to_le_bytes()); // tcpsi_state ESTABLISHED
        put(&mut b, 160, &so.to_le_bytes()); // soi_so
        b
    }

    /// A `socket_fdinfo` as the kernel fills it for an IP socket.
    fn fdinfo(kind: i32, family: i32, ty: i32, proto: i32, vflag: u8) -> Vec<u8> {
        let mut b = vec![0u8; SOCKET_FDINFO_SIZE];
        put(&mut b, 40, &501u32.to_le_bytes()); // soi_stat.vst_uid
        put(&mut b, 160, &0x7fb0_3cb9_5fad_8165u64.to_le_bytes()); // soi_so
        put(&mut b, 168, &0x7fb0_3cb9_5fad_0001u64.to_le_bytes()); // soi_pcb
        put(&mut b, 176, &ty.to_le_bytes());
        put(&mut b, 180, &proto.to_le_bytes());
        put(&mut b, 184, &family.to_le_bytes());
        put(&mut b, 192, &0x0002i16.to_le_bytes()); // SS_ISCONNECTED
        put(&mut b, 198, &128i16.to_le_bytes()); // soi_qlimit
        put(&mut b, 208, &31u32.to_le_bytes()); // soi_rcv.sbi_cc
        put(&mut b, 232, &7u32.to_le_bytes()); // soi_snd.sbi_cc
        put(&mut b, 256, &kind.to_le_bytes()); // soi_kind
        // in_sockinfo: ports as ints holding network-order shorts.
        put(&mut b, 264, &443u16.to_be_bytes()); // insi_fport
        put(&mut b, 268, &54860u16.to_be_bytes()); // insi_lport
        b[288] = vflag;
        b
    }

    #[test]
    fn a_tcp_socket_of_a_process() {
        let info = SocketFdInfo::parse(&tcp_fdinfo(0x7fb0_3cb9_5fad_8165)).unwrap();
        assert_eq!(info.so, 0x7fb0_3cb9_5fad_8165);
        assert_eq!(info.listen_queue, (0, 0, 128));
        assert_eq!(info.tcp_state, Some(4));
        let sock = info.inet.unwrap();
        assert_eq!(sock.protocol, Protocol::Tcp);
        assert_eq!(sock.local, "192.168.1.221:54860".parse().unwrap());
        assert_eq!(sock.remote, "140.82.113.26:443".parse().unwrap());
        assert_eq!(sock.state, State::ESTABLISHED);
        assert_eq!((sock.recv_q, sock.send_q, sock.uid), (31, 7, 501));
        assert_eq!(sock.inode, info.so, "the join key with pcblist_n");
        assert_eq!((sock.cookie, sock.backlog), (99, None));
    }

    #[test]
    fn a_udp6_socket() {
        // AF_INET6, SOCK_DGRAM, IPPROTO_UDP
        let mut b = fdinfo(SOCKINFO_IN, 30, 2, 17, INP_IPV6);
        put(&mut b, 264, &0u16.to_be_bytes());
        put(&mut b, 268, &5353u16.to_be_bytes());
        put(&mut b, 312, &Ipv6Addr::LOCALHOST.octets());
        // Only the in_sockinfo is needed: a buffer cut right after it still parses.
        let info = SocketFdInfo::parse(&b[..socket_fdinfo::IN_END]).unwrap();
        let sock = info.inet.unwrap();
        assert_eq!(sock.family, Family::Inet6);
        assert_eq!(sock.local, "[::1]:5353".parse().unwrap());
        assert_eq!(sock.remote.ip(), IpAddr::V6(Ipv6Addr::UNSPECIFIED));
        assert_eq!(sock.state, State::CLOSE);
        assert_eq!(info.tcp_state, None);
    }

    #[test]
    fn other_families_need_only_the_generic_part() {
        let b = fdinfo(3, 1, 1, 0, 0); // SOCKINFO_UN, AF_UNIX, SOCK_STREAM
        let info = SocketFdInfo::parse(&b[..264]).unwrap();
        assert_eq!((info.family, info.kind, info.inet), (1, 3, None));
    }

    #[test]
    fn truncated_and_garbage_buffers_are_errors() {
        let mut b = tcp4(INP_IPV4);
        put(&mut b, 344, &1i32.to_le_bytes()); // LISTEN
        let listener = SocketFdInfo::parse(&b).unwrap().inet.unwrap();
        assert_eq!(listener.backlog, Some(128));
        for cut in 0..socket_fdinfo::TCP_END {
            assert!(SocketFdInfo::parse(&b[..cut]).is_err(), "cut at {cut}");
        }
        assert!(SocketFdInfo::parse(&b[..socket_fdinfo::TCP_END]).is_ok());
        b[288] = 0; // no version flag
        assert!(matches!(
            SocketFdInfo::parse(&b),
            Err(ParseError::BadValue { offset: 288, .. })
        ));
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..2000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = seed as usize % b.len();
            b[at] = (seed >> 24) as u8;
            let _ = SocketFdInfo::parse(&b[..(seed >> 40) as usize % (b.len() + 1)]);
        }
    }

    #[test]
    fn descriptor_lists() {
        let mut b = Vec::new();
        for (fd, kind) in [(0i32, 1u32), (3, PROX_FDTYPE_SOCKET), (7, 6)] {
            b.extend_from_slice(&fd.to_le_bytes());
            b.extend_from_slice(&kind.to_le_bytes());
        }
        let sockets: Vec<i32> = parse_fd_list(&b)
            .unwrap()
            .filter(|e| e.kind == PROX_FDTYPE_SOCKET)
            .map(|e| e.fd)
            .collect();
        assert_eq!(sockets, [3]);
        assert!(parse_fd_list(&b[..5]).is_err());
        assert_eq!(parse_fd_list(&[]).unwrap().count(), 0);
    }
}
