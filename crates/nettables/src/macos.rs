//! What macOS says about its sockets beyond the library's records: the kernel's own fields,
//! as BSD netstat prints them with `-A`, `-L`, `-b` and `-v`, and its Unix-domain section.
//!
//! The records are defined on every system (so that code formatting them builds and is
//! tested anywhere); the functions that read them exist on macOS only. There,
//! `inet_sockets` and `unix_sockets` read the same socket lists as the library's
//! collectors (`net.inet.{tcp,udp}.pcblist_n`, `net.local.{stream,dgram}.pcblist_n`), a list
//! that changed while the kernel copied it read again; a socket whose records do not decode is
//! left out. The handles (`pcb`, `vnode`, ...) are the kernel's hashed addresses
//! (`VM_KERNEL_ADDRHASH`): stable for one boot, comparable with each other and with those of
//! `proc_pidfdinfo`, never real addresses.

#[cfg(target_os = "macos")]
use crate::Result;
use crate::inet::InetSocket;
#[cfg(target_os = "macos")]
use crate::inet::Protocol;
#[cfg(any(target_os = "macos", test))]
use crate::sys::macos::pcblist::UnixPcb;

/// The listen queue of a socket (`so_qlen`, `so_incqlen`, `so_qlimit`), as `netstat -L`
/// prints it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListenQueue {
    /// Connections ready to be accepted.
    pub ready: u16,
    /// Connections still in their handshake.
    pub incomplete: u16,
    /// The backlog; 0 for sockets that do not listen.
    pub limit: u16,
}

/// Traffic of a socket in one class (`struct data_stats`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DataStats {
    /// Packets received.
    pub rx_packets: u64,
    /// Bytes received.
    pub rx_bytes: u64,
    /// Packets sent.
    pub tx_packets: u64,
    /// Bytes sent.
    pub tx_bytes: u64,
}

/// The socket layer's fields of a socket (`struct xsocket_n`, its two `xsockbuf_n` and its
/// `xsockstat_n`), the same for Internet and Unix sockets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SocketDetail {
    /// The receive buffer's high-water mark (`sb_hiwat`), `netstat -v`'s rhiwat.
    pub receive_hiwat: u32,
    /// The send buffer's high-water mark, shiwat.
    pub send_hiwat: u32,
    /// The last process that used the socket (`so_last_pid`).
    pub last_pid: u32,
    /// The process the socket works for when it is delegated (`so_e_pid`), else 0.
    pub effective_pid: u32,
    /// `so_state`: the `SS_*` bits.
    pub so_state: i16,
    /// `so_options`: the `SO_*` options set.
    pub so_options: u32,
    /// The socket's generation number (`so_gencnt`).
    pub gencnt: u64,
    /// `so_flags` and `so_flags1`: the kernel's private flags.
    pub flags: u32,
    /// See `flags`.
    pub flags1: u32,
    /// The use and retain counts (`so_usecount`, `so_retaincnt`).
    pub usecount: i32,
    /// See `usecount`.
    pub retaincnt: i32,
    /// The socket filters attached (`xso_filter_flags`).
    pub filter_flags: u32,
    /// Traffic per class (`xst_tc_stats`): `[0]` is the data (`SO_STATS_DATA`, what
    /// `netstat -b` prints), `[1]` what was dropped for want of buffer space
    /// (`SO_STATS_SBNOSPACE`), then two more the kernel keeps.
    pub traffic: [DataStats; 4],
}

/// An Internet socket with the kernel's fields (`xinpcb_n` and the socket layer's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BsdSocket {
    /// The socket as every system's collectors give it. `inode` is the socket's handle
    /// (`xso_so`), the key of [`crate::process::OwnerMap`]; `cookie` the PCB's generation
    /// number, higher for newer sockets.
    pub socket: InetSocket,
    /// An IPv6 socket that also takes IPv4 (netstat's `tcp46`).
    pub dual_stack: bool,
    /// The kernel chose the local port (`INP_ANONPORT`); netstat then names the foreign port
    /// rather than the local one.
    pub anonymous_port: bool,
    /// The protocol control block's handle, `netstat -A`'s Socket column: TCP's `inp_ppcb`,
    /// the others' `so_pcb`.
    pub pcb: u64,
    /// The flow hash (`inp_flowhash`), `netstat -A`'s Flowhash.
    pub flow_hash: u32,
    /// The listen queue, `netstat -L`'s qlen/incqlen/maxqlen.
    pub listen_queue: ListenQueue,
    /// The socket layer's fields.
    pub detail: SocketDetail,
}

/// A Unix-domain socket with the handles BSD netstat prints (`xunpcb_n`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BsdUnixSocket {
    /// The socket's handle (`xso_so`), the key of [`crate::process::OwnerMap`].
    pub handle: u64,
    /// `so_type`: 1 stream, 2 datagram, 5 seqpacket.
    pub sock_type: u16,
    /// Bytes waiting in the receive buffer (`sb_cc`), Recv-Q.
    pub recv_q: u32,
    /// Bytes waiting in the send buffer, Send-Q.
    pub send_q: u32,
    /// The PCB (`xunp_unpp`), netstat's Address column.
    pub pcb: u64,
    /// The vnode the socket is bound to (`xunp_vnode`), netstat's Inode column; 0 if none.
    pub vnode: u64,
    /// The PCB of the connected peer (`xunp_conn`), Conn; 0 if none.
    pub conn: u64,
    /// The first socket connected to this one (`xunp_refs`), Refs.
    pub refs: u64,
    /// The next socket connected to the same peer (`xunp_reflink`), Nextref.
    pub reflink: u64,
    /// The bound path (`xu_addr`), without its NUL; `None` when the socket is not bound.
    pub path: Option<Box<[u8]>>,
    /// The socket layer's fields.
    pub detail: SocketDetail,
}

#[cfg(any(target_os = "macos", test))]
impl From<&UnixPcb<'_>> for BsdUnixSocket {
    fn from(p: &UnixPcb<'_>) -> BsdUnixSocket {
        BsdUnixSocket {
            handle: p.socket.inode.unwrap_or(0),
            sock_type: p.socket.sock_type,
            recv_q: p.queues.0,
            send_q: p.queues.1,
            pcb: p.pcb,
            vnode: p.vnode,
            conn: p.conn,
            refs: p.refs,
            reflink: p.reflink,
            path: p.socket.path.map(Box::from),
            detail: p.detail,
        }
    }
}

/// The sockets of `protocol` (TCP or UDP), IPv4 and IPv6 together, in the kernel's order
/// (newest first). Other protocols are [`crate::Error`]'s unsupported.
#[cfg(target_os = "macos")]
pub fn inet_sockets(protocol: Protocol) -> Result<Vec<BsdSocket>> {
    crate::sys::macos::backend::inet_pcbs(protocol)
}

/// The Unix-domain sockets, stream sockets first, then datagram ones (as netstat lists
/// them), each in the kernel's order.
#[cfg(target_os = "macos")]
pub fn unix_sockets() -> Result<Vec<BsdUnixSocket>> {
    let mut all = Vec::new();
    crate::sys::macos::backend::for_each_unix_pcb(|pcb| {
        all.push(BsdUnixSocket::from(pcb));
        Ok::<(), std::convert::Infallible>(())
    })
    .map_err(|e| match e {
        crate::ReadError::Source(e) => e,
        crate::ReadError::Callback(never) => match never {},
    })?;
    Ok(all)
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;
    use crate::inet::Protocol;
    use crate::sys::macos::pcblist::PcbList;
    use crate::sys::macos::pcblist::tests::{Builder, Spec};

    #[test]
    fn inet_records_carry_the_kernel_fields() {
        let lo = Ipv4Addr::new(192, 168, 1, 221);
        let far = Ipv4Addr::new(140, 82, 113, 26);
        let spec = Spec::v4((lo, 54860), (far, 443), Some(4));
        let buf = Builder::new(1).socket(&spec).finish(1);
        let list = PcbList::parse(&buf, Protocol::Tcp).unwrap();
        let got: Vec<BsdSocket> = list.sockets().map(|s| s.unwrap().bsd).collect();
        let s = &got[0];
        assert_eq!(s.socket.local, "192.168.1.221:54860".parse().unwrap());
        assert_eq!(s.socket.inode, 0x7fb0_3cb9_5fad_8165);
        assert_eq!((s.pcb, s.flow_hash), (0x2222, 0x6a3d6e4));
        assert!(s.anonymous_port && !s.dual_stack);
        let q = s.listen_queue;
        assert_eq!((q.ready, q.incomplete, q.limit), (3, 1, 128));
        let d = s.detail;
        assert_eq!((d.receive_hiwat, d.send_hiwat), (131072, 131072));
        assert_eq!((d.last_pid, d.effective_pid), (4242, 0));
        assert_eq!((d.so_state, d.so_options), (0x2, 0x4));
        assert_eq!((d.gencnt, d.flags, d.flags1), (0x77, 0x8000, 0x10));
        assert_eq!((d.usecount, d.retaincnt, d.filter_flags), (2, 1, 0x3));
        let data = d.traffic[0];
        assert_eq!(
            (
                data.rx_packets,
                data.rx_bytes,
                data.tx_packets,
                data.tx_bytes
            ),
            (5, 4958, 6, 3996)
        );
    }

    #[test]
    fn unix_records_carry_the_handles_and_path() {
        let buf = crate::sys::macos::pcblist::tests::unix_list();
        let list = PcbList::parse_unix(&buf).unwrap();
        let got: Vec<BsdUnixSocket> = list
            .unix_sockets()
            .map(|s| BsdUnixSocket::from(&s.unwrap()))
            .collect();
        let l = &got[0];
        assert_eq!(l.path.as_deref(), Some(&b"/var/run/mDNSResponder"[..]));
        assert_eq!((l.handle, l.sock_type), (0xa1, 1));
        assert_eq!((l.recv_q, l.send_q), (1, 0));
        assert_eq!((l.pcb, l.vnode, l.conn), (0x7fb0_3cb9_4a63_a7cd, 0x5555, 0));
        assert_eq!((l.refs, l.reflink), (0x6666, 0x7777));
        assert_eq!((l.detail.receive_hiwat, l.detail.last_pid), (8192, 4242));
        assert_eq!(l.detail.traffic[0].rx_bytes, 4958);
        let c = &got[1];
        assert_eq!((c.path.as_deref(), c.conn), (None, 0x7fb0_3cb9_4a63_b2bd));
        assert_eq!(got[2].sock_type, 2);
    }
}
