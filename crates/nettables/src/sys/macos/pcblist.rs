//! The socket lists of `sysctl net.inet.tcp.pcblist_n`, `net.inet.udp.pcblist_n` and
//! `net.local.{stream,dgram}.pcblist_n`.
//!
//! The buffer is a `struct xinpgen`, then for every socket the records `xinpcb_n`, `xsocket_n`,
//! `xsockbuf_n` (receive), `xsockbuf_n` (send), `xsockstat_n` and, for TCP, `xtcpcb_n`, each
//! starting on an 8-byte boundary, and a second `xinpgen` at the end (xnu
//! `bsd/netinet/in_pcblist.c`, `get_pcblist_n`). Unix sockets are framed the same way
//! (`struct xunpgen` has the layout of `xinpgen`), with `xunpcb_n` in place of `xinpcb_n`
//! and no `xtcpcb_n` (`bsd/kern/uipc_usrreq.c`, `unp_pcblist_n`). Every record begins with its length and kind;
//! like netstat, the walk goes by length, tells records apart by kind and skips kinds it does
//! not know. Layouts are those of `bsd/netinet/in_pcb.h`, `bsd/sys/socketvar.h` and
//! `bsd/netinet/tcp_var.h`, all `#pragma pack(4)`.

use std::net::SocketAddr;

use super::bytes::{ParseError, Record, roundup64};
use super::{inet_endpoint, tcp_state};
use crate::inet::{Family, InetSocket, Protocol, State};
use crate::macos::{BsdSocket, DataStats, ListenQueue, SocketDetail};
use crate::unix::{Flags as UnixFlags, UnixSocket};

/// `struct xinpgen`: the buffer's header and trailer.
mod xinpgen {
    pub const SIZE: usize = 24;
    pub const LEN: usize = 0;
    pub const COUNT: usize = 4;
    pub const GEN: usize = 8;
    pub const SOGEN: usize = 16;
}

/// The `xi_len`/`xi_kind` pair every record starts with.
const KIND: usize = 4;

/// Record kinds (`XSO_*`, `bsd/sys/socketvar.h`).
const XSO_SOCKET: u32 = 0x001;
const XSO_RCVBUF: u32 = 0x002;
const XSO_SNDBUF: u32 = 0x004;
const XSO_STATS: u32 = 0x008;
const XSO_INPCB: u32 = 0x010;
const XSO_TCPCB: u32 = 0x020;
const XSO_UNPCB: u32 = 0x200;

/// `struct xinpcb_n`, through `inp_flowhash` (older kernels end there).
mod xinpcb_n {
    pub const INP_FPORT: usize = 16;
    pub const INP_LPORT: usize = 18;
    pub const INP_PPCB: usize = 20;
    pub const INP_GENCNT: usize = 28;
    pub const INP_FLAGS: usize = 36;
    pub const INP_VFLAG: usize = 44;
    pub const INP_FADDR: usize = 48;
    pub const INP_LADDR: usize = 64;
    pub const INP_FLOWHASH: usize = 96;
    pub const NEEDED: usize = 100;
}

/// `inp_flags`: the local port was chosen by the kernel.
const INP_ANONPORT: u32 = 0x40;

/// `struct xsocket_n`, through `so_e_pid` (then the fields newer kernels add).
mod xsocket_n {
    pub const XSO_SO: usize = 8;
    pub const SO_TYPE: usize = 16;
    pub const SO_OPTIONS: usize = 20;
    pub const SO_STATE: usize = 26;
    pub const SO_PCB: usize = 28;
    pub const SO_QLEN: usize = 44;
    pub const SO_INCQLEN: usize = 46;
    pub const SO_QLIMIT: usize = 48;
    pub const SO_UID: usize = 64;
    pub const SO_LAST_PID: usize = 68;
    pub const SO_E_PID: usize = 72;
    pub const NEEDED: usize = 76;
    // Later fields, 0 when a record is too old to have them.
    pub const SO_GENCNT: usize = 76;
    pub const SO_FLAGS: usize = 84;
    pub const SO_FLAGS1: usize = 88;
    pub const SO_USECOUNT: usize = 92;
    pub const SO_RETAINCNT: usize = 96;
    pub const XSO_FILTER_FLAGS: usize = 100;
}

/// `struct xunpcb_n`, through `xu_au` (the bound address, a `struct sockaddr_un` in 256
/// bytes).
mod xunpcb_n {
    pub const XUNP_UNPP: usize = 8;
    pub const XUNP_VNODE: usize = 16;
    pub const XUNP_CONN: usize = 32;
    pub const XUNP_REFS: usize = 40;
    pub const XUNP_REFLINK: usize = 48;
    pub const XUNP_GENCNT: usize = 68;
    pub const XU_ADDR: usize = 76;
    pub const NEEDED: usize = 76 + 256;
}

/// `struct xsockbuf_n`.
mod xsockbuf_n {
    pub const SB_CC: usize = 8;
    pub const SB_HIWAT: usize = 12;
    pub const NEEDED: usize = 16;
}

/// `struct xsockstat_n`: four `struct data_stats` of four `u_int64_t`.
mod xsockstat_n {
    pub const XST_TC_STATS: usize = 8;
    pub const NEEDED: usize = 8 + 4 * 32;
}

/// `struct xtcpcb_n`, through `t_state`.
mod xtcpcb_n {
    pub const T_STATE: usize = 36;
    pub const NEEDED: usize = 40;
}

/// A generation stamp of a socket list (`struct xinpgen`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Generation {
    /// Sockets in the list when the stamp was taken.
    pub count: u32,
    /// The protocol's PCB generation (`xig_gen`).
    pub pcb: u64,
    /// The socket layer's generation (`xig_sogen`).
    pub socket: u64,
}

/// One socket of a `pcblist_n` buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PcbSocket {
    /// The socket with the kernel's fields. Its `socket.inode` holds the kernel's handle of
    /// the socket (`xso_so`), which `proc_pidfdinfo` reports for the same socket (`soi_so`):
    /// the key that joins sockets to processes. `socket.cookie` is the PCB's generation
    /// number (`inp_gencnt`), which no later socket of the protocol gets again;
    /// `socket.backlog` a listener's `so_qlimit`.
    pub bsd: BsdSocket,
    /// The TCP state as macOS numbers it (`TCPS_CLOSED` 0 … `TCPS_TIME_WAIT` 10); `None` for
    /// UDP. `bsd.socket.state` holds it translated, or `State(0)` for a number outside 0–10.
    pub tcp_state: Option<i32>,
}

/// A parsed `pcblist_n` buffer whose framing has been checked: the header, every record's
/// length and the trailer. [`PcbList::sockets`] decodes the records.
#[derive(Clone, Copy, Debug)]
pub struct PcbList<'a> {
    /// The list's protocol; `None` for Unix sockets.
    protocol: Option<Protocol>,
    /// The stamp before the list.
    pub header: Generation,
    /// The stamp after it. If it differs from the header, sockets came or went while the
    /// kernel copied the list (netstat: "Some tcp sockets may have been created or deleted").
    pub trailer: Generation,
    /// The buffer up to the trailer: the header, then the records. Records are read from
    /// it at their offsets in the buffer, so errors name those offsets as they are.
    body: &'a [u8],
}

impl<'a> PcbList<'a> {
    /// Checks the framing of `buf`, the result of `sysctl net.inet.tcp.pcblist_n`
    /// (`protocol` TCP) or `net.inet.udp.pcblist_n` (UDP).
    pub fn parse(buf: &'a [u8], protocol: Protocol) -> Result<PcbList<'a>, ParseError> {
        PcbList::frame(buf, Some(protocol))
    }

    /// Checks the framing of `buf`, the result of `sysctl net.local.stream.pcblist_n` or
    /// `net.local.dgram.pcblist_n`.
    pub fn parse_unix(buf: &'a [u8]) -> Result<PcbList<'a>, ParseError> {
        PcbList::frame(buf, None)
    }

    /// [`PcbList::parse`] of an Internet list, [`PcbList::parse_unix`] (`protocol` `None`)
    /// of a Unix one.
    pub fn frame(buf: &'a [u8], protocol: Option<Protocol>) -> Result<PcbList<'a>, ParseError> {
        let header = generation(buf, 0)?;
        let mut offset = roundup64(xinpgen::SIZE);
        loop {
            let start = Record::at(buf, offset, 8, "pcblist record")?;
            let len = start.u32(0)? as usize;
            if len <= xinpgen::SIZE {
                // netstat's rule: a record this short is the trailing xinpgen.
                let trailer = generation(buf, offset)?;
                return Ok(PcbList {
                    protocol,
                    header,
                    trailer,
                    body: buf.get(..offset).unwrap_or_default(),
                });
            }
            Record::at(buf, offset, len, "pcblist record").map_err(|_| ParseError::BadLength {
                what: "pcblist record",
                offset,
                len,
            })?;
            offset = offset
                .checked_add(roundup64(len))
                .ok_or(ParseError::BadLength {
                    what: "pcblist record",
                    offset,
                    len,
                })?;
        }
    }

    /// Whether sockets came or went while the kernel copied the list.
    pub fn changed(&self) -> bool {
        self.header != self.trailer
    }

    /// The sockets, in kernel order. A socket whose records are incomplete or malformed gives
    /// an error in its place; the walk goes on with the next one. Sockets made after the
    /// header's stamp are skipped, as netstat skips them.
    pub fn sockets(&self) -> Sockets<'a> {
        Sockets(self.groups())
    }

    /// The sockets of a Unix list ([`PcbList::parse_unix`]), as [`PcbList::sockets`] gives
    /// those of an Internet one.
    pub fn unix_sockets(&self) -> UnixSockets<'a> {
        UnixSockets(self.groups())
    }

    fn groups(&self) -> Groups<'a> {
        Groups {
            list: *self,
            offset: roundup64(xinpgen::SIZE),
            parts: Parts::default(),
        }
    }
}

fn generation(buf: &[u8], offset: usize) -> Result<Generation, ParseError> {
    let r = Record::at(buf, offset, xinpgen::SIZE, "xinpgen")?;
    let len = r.u32(xinpgen::LEN)?;
    if len as usize != xinpgen::SIZE {
        return Err(ParseError::BadLength {
            what: "xinpgen",
            offset,
            len: len as usize,
        });
    }
    Ok(Generation {
        count: r.u32(xinpgen::COUNT)?,
        pcb: r.u64(xinpgen::GEN)?,
        socket: r.u64(xinpgen::SOGEN)?,
    })
}

/// The records of one socket seen so far.
#[derive(Clone, Copy, Debug, Default)]
struct Parts<'a> {
    start: Option<usize>,
    /// `xinpcb_n`, or `xunpcb_n` in a Unix list.
    pcb: Option<Record<'a>>,
    socket: Option<Record<'a>>,
    rcv: Option<Record<'a>>,
    snd: Option<Record<'a>>,
    stats: Option<Record<'a>>,
    tcpcb: Option<Record<'a>>,
}

impl Parts<'_> {
    fn complete(&self, protocol: Option<Protocol>) -> bool {
        self.pcb.is_some()
            && self.socket.is_some()
            && self.rcv.is_some()
            && self.snd.is_some()
            && self.stats.is_some()
            && (protocol != Some(Protocol::Tcp) || self.tcpcb.is_some())
    }

    fn is_empty(&self) -> bool {
        self.start.is_none()
    }
}

/// The records of a [`PcbList`] grouped by socket: each group starts with a PCB record
/// (`xinpcb_n` or `xunpcb_n`) and is complete when it has every record its kind needs.
#[derive(Clone, Debug)]
struct Groups<'a> {
    list: PcbList<'a>,
    offset: usize,
    parts: Parts<'a>,
}

impl<'a> Groups<'a> {
    /// The next complete group, or an error for one that ended early.
    fn next_group(&mut self) -> Option<Result<Parts<'a>, ParseError>> {
        let body = self.list.body;
        let unix = self.list.protocol.is_none();
        loop {
            if self.offset >= body.len() {
                // A socket still missing records at the end of the list.
                let parts = std::mem::take(&mut self.parts);
                return (!parts.is_empty()).then(|| Err(incomplete(&parts, unix)));
            }
            // The framing was checked by `PcbList::parse`; these reads cannot fail.
            let head = Record::at(body, self.offset, 8, "pcblist record").ok()?;
            let (len, kind) = (head.u32(0).ok()? as usize, head.u32(KIND).ok()?);
            let record = Record::at(body, self.offset, len, record_name(kind)).ok()?;
            let at = self.offset;
            self.offset += roundup64(len);

            let pcb_kind = if unix { XSO_UNPCB } else { XSO_INPCB };
            if kind == pcb_kind && !self.parts.is_empty() {
                let unfinished = std::mem::take(&mut self.parts);
                self.parts.start = Some(at);
                self.parts.pcb = Some(record);
                return Some(Err(incomplete(&unfinished, unix)));
            }
            let slot = match kind {
                _ if kind == pcb_kind => &mut self.parts.pcb,
                XSO_SOCKET => &mut self.parts.socket,
                XSO_RCVBUF => &mut self.parts.rcv,
                XSO_SNDBUF => &mut self.parts.snd,
                XSO_STATS => &mut self.parts.stats,
                XSO_TCPCB if !unix => &mut self.parts.tcpcb,
                _ => continue, // a kind this parser does not know
            };
            *slot = Some(record);
            self.parts.start.get_or_insert(at);
            if self.parts.complete(self.list.protocol) {
                return Some(Ok(std::mem::take(&mut self.parts)));
            }
        }
    }

    /// The next socket `decode` makes of a group (with its generation), skipping those newer
    /// than the list's header.
    fn next_socket<T>(
        &mut self,
        decode: impl Fn(&Parts<'a>) -> Result<(T, u64), ParseError>,
    ) -> Option<Result<T, ParseError>> {
        loop {
            let parts = match self.next_group()? {
                Ok(parts) => parts,
                Err(e) => return Some(Err(e)),
            };
            match decode(&parts) {
                Ok((_, gencnt)) if gencnt > self.list.header.pcb => continue,
                Ok((sock, _)) => return Some(Ok(sock)),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// Iterator over the sockets of a [`PcbList`].
#[derive(Clone, Debug)]
pub struct Sockets<'a>(Groups<'a>);

impl Iterator for Sockets<'_> {
    type Item = Result<PcbSocket, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        let protocol = self.0.list.protocol?;
        self.0.next_socket(|parts| decode(parts, protocol))
    }
}

/// Iterator over the sockets of a Unix [`PcbList`].
#[derive(Clone, Debug)]
pub struct UnixSockets<'a>(Groups<'a>);

impl<'a> Iterator for UnixSockets<'a> {
    type Item = Result<UnixPcb<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next_socket(decode_unix)
    }
}

fn record_name(kind: u32) -> &'static str {
    match kind {
        XSO_INPCB => "xinpcb_n",
        XSO_UNPCB => "xunpcb_n",
        XSO_SOCKET => "xsocket_n",
        XSO_RCVBUF | XSO_SNDBUF => "xsockbuf_n",
        XSO_STATS => "xsockstat_n",
        XSO_TCPCB => "xtcpcb_n",
        _ => "pcblist record",
    }
}

fn incomplete(parts: &Parts, unix: bool) -> ParseError {
    let pcb = if unix { "xunpcb_n" } else { "xinpcb_n" };
    let missing = [
        (parts.pcb.is_none(), pcb),
        (parts.socket.is_none(), "xsocket_n"),
        (parts.rcv.is_none(), "xsockbuf_n (receive)"),
        (parts.snd.is_none(), "xsockbuf_n (send)"),
        (parts.stats.is_none(), "xsockstat_n"),
        (parts.tcpcb.is_none(), "xtcpcb_n"),
    ]
    .into_iter()
    .find_map(|(absent, name)| absent.then_some(name))
    .unwrap_or("pcblist record");
    ParseError::Truncated {
        what: missing,
        offset: parts.start.unwrap_or(0),
        need: 8,
    }
}

/// Builds the socket from its records; also returns the PCB's generation.
fn decode(parts: &Parts, protocol: Protocol) -> Result<(PcbSocket, u64), ParseError> {
    let (Some(inp), Some(so), Some(rcv), Some(snd), Some(stats)) =
        (parts.pcb, parts.socket, parts.rcv, parts.snd, parts.stats)
    else {
        unreachable!("decode is called on complete parts only");
    };
    inp.require(xinpcb_n::NEEDED)?;
    so.require(xsocket_n::NEEDED)?;
    rcv.require(xsockbuf_n::NEEDED)?;
    snd.require(xsockbuf_n::NEEDED)?;

    let vflag = inp.u8(xinpcb_n::INP_VFLAG)?;
    let laddr = inp.array::<16>(xinpcb_n::INP_LADDR)?;
    let faddr = inp.array::<16>(xinpcb_n::INP_FADDR)?;
    let (family, local) = inet_endpoint(vflag, laddr, inp.u16_be(xinpcb_n::INP_LPORT)?)
        .ok_or_else(|| inp.bad_value(xinpcb_n::INP_VFLAG, u64::from(vflag)))?;
    let (_, remote) = inet_endpoint(vflag, faddr, inp.u16_be(xinpcb_n::INP_FPORT)?)
        .ok_or_else(|| inp.bad_value(xinpcb_n::INP_VFLAG, u64::from(vflag)))?;

    let tcp_raw = match (protocol, parts.tcpcb) {
        (Protocol::Tcp, Some(tcpcb)) => {
            tcpcb.require(xtcpcb_n::NEEDED)?;
            Some(tcpcb.i32(xtcpcb_n::T_STATE)?)
        }
        _ => None,
    };
    let state = match tcp_raw {
        Some(raw) => tcp_state(raw),
        None if connected(&remote) => State::ESTABLISHED,
        None => State::CLOSE,
    };

    let mut socket = InetSocket::new(protocol, local, remote, state);
    socket.family = family;
    socket.recv_q = rcv.u32(xsockbuf_n::SB_CC)?;
    socket.send_q = snd.u32(xsockbuf_n::SB_CC)?;
    socket.uid = so.u32(xsocket_n::SO_UID)?;
    socket.inode = so.u64(xsocket_n::XSO_SO)?;
    let gencnt = inp.u64(xinpcb_n::INP_GENCNT)?;
    socket.cookie = gencnt;
    let qlimit = so.u16(xsocket_n::SO_QLIMIT)?;
    if socket.state == State::LISTEN {
        socket.backlog = Some(u32::from(qlimit));
    }

    let pcb = match protocol {
        Protocol::Tcp => inp.u64(xinpcb_n::INP_PPCB)?,
        _ => so.u64(xsocket_n::SO_PCB)?,
    };
    let bsd = BsdSocket {
        socket,
        dual_stack: family == Family::Inet6 && vflag & super::INP_IPV4 != 0,
        anonymous_port: inp.u32(xinpcb_n::INP_FLAGS)? & INP_ANONPORT != 0,
        pcb,
        flow_hash: inp.u32(xinpcb_n::INP_FLOWHASH)?,
        listen_queue: ListenQueue {
            ready: so.u16(xsocket_n::SO_QLEN)?,
            incomplete: so.u16(xsocket_n::SO_INCQLEN)?,
            limit: qlimit,
        },
        detail: socket_detail(&so, &rcv, &snd, &stats)?,
    };
    let sock = PcbSocket {
        bsd,
        tcp_state: tcp_raw,
    };
    Ok((sock, gencnt))
}

/// The socket layer's fields of `xsocket_n`, the two `xsockbuf_n` and `xsockstat_n`.
fn socket_detail(
    so: &Record,
    rcv: &Record,
    snd: &Record,
    stats: &Record,
) -> Result<SocketDetail, ParseError> {
    stats.require(xsockstat_n::NEEDED)?;
    let mut traffic = [DataStats::default(); 4];
    for (i, entry) in traffic.iter_mut().enumerate() {
        let at = xsockstat_n::XST_TC_STATS + i * 32;
        entry.rx_packets = stats.u64(at)?;
        entry.rx_bytes = stats.u64(at + 8)?;
        entry.tx_packets = stats.u64(at + 16)?;
        entry.tx_bytes = stats.u64(at + 24)?;
    }
    let late = |at| so.u32(at).unwrap_or(0);
    Ok(SocketDetail {
        receive_hiwat: rcv.u32(xsockbuf_n::SB_HIWAT)?,
        send_hiwat: snd.u32(xsockbuf_n::SB_HIWAT)?,
        last_pid: so.u32(xsocket_n::SO_LAST_PID)?,
        effective_pid: so.u32(xsocket_n::SO_E_PID)?,
        so_state: so.i16(xsocket_n::SO_STATE)?,
        so_options: so.u32(xsocket_n::SO_OPTIONS)?,
        gencnt: so.u64(xsocket_n::SO_GENCNT).unwrap_or(0),
        flags: late(xsocket_n::SO_FLAGS),
        flags1: late(xsocket_n::SO_FLAGS1),
        usecount: late(xsocket_n::SO_USECOUNT) as i32,
        retaincnt: late(xsocket_n::SO_RETAINCNT) as i32,
        filter_flags: late(xsocket_n::XSO_FILTER_FLAGS),
        traffic,
    })
}

/// One socket of a Unix `pcblist_n` buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnixPcb<'a> {
    /// The socket in the library's terms. `inode` holds the socket's handle (`xso_so`), the
    /// key to its owner as for Internet sockets; `refcnt` the socket's use count
    /// (`so_usecount`, 0 when the record is too old to have it); `path` borrows the list.
    pub socket: UnixSocket<'a>,
    /// Bytes waiting in the receive and send buffers (`sb_cc`).
    pub queues: (u32, u32),
    /// The handles netstat prints: the PCB (`xunp_unpp`, its Address column), the bound
    /// vnode (titled Inode), the connected peer's PCB, the first and next referencing
    /// sockets (Refs, Nextref).
    pub pcb: u64,
    pub vnode: u64,
    pub conn: u64,
    pub refs: u64,
    pub reflink: u64,
    /// The socket layer's fields.
    pub detail: SocketDetail,
}

/// `so_options`: the socket listens (`SO_ACCEPTCONN`).
const SO_ACCEPTCONN: u32 = 0x2;
/// `so_state` bits (`SS_ISCONNECTED`, `SS_ISCONNECTING`, `SS_ISDISCONNECTING`) and the Linux
/// state (`SS_*` of `/proc/net/unix`) each stands for; none set is 1, unconnected.
const SO_STATES: [(i16, u8); 3] = [(0x8, 4), (0x4, 2), (0x2, 3)];

/// Builds a Unix socket from its records; also returns the PCB's generation.
fn decode_unix<'a>(parts: &Parts<'a>) -> Result<(UnixPcb<'a>, u64), ParseError> {
    let (Some(unp), Some(so), Some(rcv), Some(snd), Some(stats)) =
        (parts.pcb, parts.socket, parts.rcv, parts.snd, parts.stats)
    else {
        unreachable!("decode_unix is called on complete parts only");
    };
    unp.require(xunpcb_n::NEEDED)?;
    so.require(xsocket_n::NEEDED)?;
    rcv.require(xsockbuf_n::NEEDED)?;
    snd.require(xsockbuf_n::NEEDED)?;

    let state_bits = so.i16(xsocket_n::SO_STATE)?;
    let state = SO_STATES
        .iter()
        .find(|&&(bit, _)| state_bits & bit != 0)
        .map_or(1, |&(_, state)| state);
    let mut flags = UnixFlags::empty();
    if so.u32(xsocket_n::SO_OPTIONS)? & SO_ACCEPTCONN != 0 {
        flags |= UnixFlags::ACCEPTING;
    }
    let socket = UnixSocket {
        refcnt: so.u32(xsocket_n::SO_USECOUNT).unwrap_or(0),
        protocol: 0,
        flags,
        sock_type: so.u16(xsocket_n::SO_TYPE)?,
        state,
        inode: Some(so.u64(xsocket_n::XSO_SO)?),
        path: unix_path(&unp)?,
    };
    let pcb = UnixPcb {
        socket,
        queues: (rcv.u32(xsockbuf_n::SB_CC)?, snd.u32(xsockbuf_n::SB_CC)?),
        pcb: unp.u64(xunpcb_n::XUNP_UNPP)?,
        vnode: unp.u64(xunpcb_n::XUNP_VNODE)?,
        conn: unp.u64(xunpcb_n::XUNP_CONN)?,
        refs: unp.u64(xunpcb_n::XUNP_REFS)?,
        reflink: unp.u64(xunpcb_n::XUNP_REFLINK)?,
        detail: socket_detail(&so, &rcv, &snd, &stats)?,
    };
    Ok((pcb, unp.u64(xunpcb_n::XUNP_GENCNT)?))
}

/// The bound path of `xu_addr` (`sun_len`, `sun_family`, `sun_path`): the bytes `sun_len`
/// covers up to the first NUL; `None` when the socket is not bound.
fn unix_path<'a>(unp: &Record<'a>) -> Result<Option<&'a [u8]>, ParseError> {
    let sun_len = usize::from(unp.u8(xunpcb_n::XU_ADDR)?);
    // sun_len counts its own two header bytes; the union holds at most 256.
    let path_len = sun_len.saturating_sub(2).min(254);
    let raw = unp.slice(xunpcb_n::XU_ADDR + 2, path_len)?;
    let path = raw.split(|&b| b == 0).next().unwrap_or_default();
    Ok((!path.is_empty()).then_some(path))
}

fn connected(remote: &SocketAddr) -> bool {
    !remote.ip().is_unspecified() || remote.port() != 0
}

#[cfg(test)]
pub(crate) mod tests {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    use super::*;
    use crate::sys::macos::INP_IPV6;

    /// Builds buffers laid out as `get_pcblist_n` writes them.
    pub(crate) struct Builder {
        pub buf: Vec<u8>,
    }

    /// One socket to write.
    #[derive(Clone)]
    pub(crate) struct Spec {
        pub vflag: u8,
        pub local: (IpAddr, u16),
        pub remote: (IpAddr, u16),
        pub tcp_state: Option<i32>,
        pub so: u64,
        pub gencnt: u64,
        pub recv_q: u32,
        pub send_q: u32,
        pub uid: u32,
        pub pid: u32,
    }

    impl Spec {
        pub fn v4(local: (Ipv4Addr, u16), remote: (Ipv4Addr, u16), tcp_state: Option<i32>) -> Spec {
            Spec {
                vflag: crate::sys::macos::INP_IPV4,
                local: (IpAddr::V4(local.0), local.1),
                remote: (IpAddr::V4(remote.0), remote.1),
                tcp_state,
                so: 0x7fb0_3cb9_5fad_8165,
                gencnt: 10,
                recv_q: 0,
                send_q: 0,
                uid: 501,
                pid: 4242,
            }
        }

        pub fn v6(local: (Ipv6Addr, u16), remote: (Ipv6Addr, u16), tcp_state: Option<i32>) -> Spec {
            Spec {
                vflag: INP_IPV6,
                local: (IpAddr::V6(local.0), local.1),
                remote: (IpAddr::V6(remote.0), remote.1),
                ..Spec::v4(
                    (Ipv4Addr::UNSPECIFIED, 0),
                    (Ipv4Addr::UNSPECIFIED, 0),
                    tcp_state,
                )
            }
        }
    }

    fn addr16(ip: IpAddr) -> [u8; 16] {
        match ip {
            // struct in_addr_4in6: three zero words, then the address.
            IpAddr::V4(v4) => {
                let mut out = [0; 16];
                out[12..].copy_from_slice(&v4.octets());
                out
            }
            IpAddr::V6(v6) => v6.octets(),
        }
    }

    fn put(buf: &mut [u8], at: usize, bytes: &[u8]) {
        buf[at..at + bytes.len()].copy_from_slice(bytes);
    }

    pub(crate) fn xinpgen(count: u32, gen_: u64, sogen: u64) -> Vec<u8> {
        let mut r = vec![0; 24];
        put(&mut r, 0, &24u32.to_le_bytes());
        put(&mut r, 4, &count.to_le_bytes());
        put(&mut r, 8, &gen_.to_le_bytes());
        put(&mut r, 16, &sogen.to_le_bytes());
        r
    }

    fn record(kind: u32, size: usize) -> Vec<u8> {
        let mut r = vec![0; size];
        put(&mut r, 0, &(size as u32).to_le_bytes());
        put(&mut r, 4, &kind.to_le_bytes());
        r
    }

    pub(crate) fn xinpcb_n(s: &Spec) -> Vec<u8> {
        let mut r = record(XSO_INPCB, 104);
        put(&mut r, 8, &0x1111u64.to_le_bytes()); // xi_inpp
        put(&mut r, 16, &s.remote.1.to_be_bytes()); // inp_fport
        put(&mut r, 18, &s.local.1.to_be_bytes()); // inp_lport
        put(&mut r, 20, &0x2222u64.to_le_bytes()); // inp_ppcb
        put(&mut r, 28, &s.gencnt.to_le_bytes()); // inp_gencnt
        put(&mut r, 36, &INP_ANONPORT.to_le_bytes()); // inp_flags
        r[44] = s.vflag;
        r[45] = 64; // inp_ip_ttl
        r[46] = 6; // inp_ip_p
        put(&mut r, 48, &addr16(s.remote.0));
        put(&mut r, 64, &addr16(s.local.0));
        put(&mut r, 96, &0x6a3d6e4u32.to_le_bytes()); // inp_flowhash
        r
    }

    pub(crate) fn xsocket_n(s: &Spec) -> Vec<u8> {
        let mut r = record(XSO_SOCKET, 104);
        put(&mut r, 8, &s.so.to_le_bytes()); // xso_so
        put(&mut r, 16, &1i16.to_le_bytes()); // so_type SOCK_STREAM
        put(&mut r, 28, &0x3333u64.to_le_bytes()); // so_pcb
        put(&mut r, 36, &6i32.to_le_bytes()); // xso_protocol
        put(&mut r, 40, &2i32.to_le_bytes()); // xso_family
        put(&mut r, 44, &3i16.to_le_bytes()); // so_qlen
        put(&mut r, 46, &1i16.to_le_bytes()); // so_incqlen
        put(&mut r, 48, &128i16.to_le_bytes()); // so_qlimit
        put(&mut r, 64, &s.uid.to_le_bytes()); // so_uid
        put(&mut r, 68, &s.pid.to_le_bytes()); // so_last_pid
        put(&mut r, 72, &0u32.to_le_bytes()); // so_e_pid
        put(&mut r, 20, &0x4u32.to_le_bytes()); // so_options SO_KEEPALIVE
        put(&mut r, 26, &0x2i16.to_le_bytes()); // so_state SS_ISCONNECTED
        put(&mut r, 76, &0x77u64.to_le_bytes()); // so_gencnt
        put(&mut r, 84, &0x8000u32.to_le_bytes()); // so_flags
        put(&mut r, 88, &0x10u32.to_le_bytes()); // so_flags1
        put(&mut r, 92, &2i32.to_le_bytes()); // so_usecount
        put(&mut r, 96, &1i32.to_le_bytes()); // so_retaincnt
        put(&mut r, 100, &3u32.to_le_bytes()); // xso_filter_flags
        r
    }

    pub(crate) fn xsockbuf_n(kind: u32, cc: u32, hiwat: u32) -> Vec<u8> {
        let mut r = record(kind, 32);
        put(&mut r, 8, &cc.to_le_bytes());
        put(&mut r, 12, &hiwat.to_le_bytes());
        r
    }

    pub(crate) fn xsockstat_n() -> Vec<u8> {
        let mut r = record(XSO_STATS, 136);
        for (i, v) in [5u64, 4958, 6, 3996].into_iter().enumerate() {
            put(&mut r, 8 + i * 8, &v.to_le_bytes());
        }
        r
    }

    pub(crate) fn xtcpcb_n(state: i32) -> Vec<u8> {
        let mut r = record(XSO_TCPCB, 204);
        put(&mut r, 36, &state.to_le_bytes());
        r
    }

    impl Builder {
        pub fn new(count: u32) -> Builder {
            Builder {
                buf: xinpgen(count, 100, 200),
            }
        }

        /// Appends one record, padded to 8 bytes (ROUNDUP64).
        pub fn push(&mut self, record: &[u8]) -> &mut Builder {
            self.buf.extend_from_slice(record);
            self.buf.resize(self.buf.len().div_ceil(8) * 8, 0xee);
            self
        }

        pub fn socket(&mut self, s: &Spec) -> &mut Builder {
            self.push(&xinpcb_n(s));
            self.push(&xsocket_n(s));
            self.push(&xsockbuf_n(XSO_RCVBUF, s.recv_q, 131072));
            self.push(&xsockbuf_n(XSO_SNDBUF, s.send_q, 131072));
            self.push(&xsockstat_n());
            if let Some(state) = s.tcp_state {
                self.push(&xtcpcb_n(state));
            }
            self
        }

        pub fn finish(&mut self, count: u32) -> Vec<u8> {
            let mut buf = self.buf.clone();
            buf.extend_from_slice(&xinpgen(count, 100, 200));
            buf
        }
    }

    fn sockets(buf: &[u8], protocol: Protocol) -> Vec<Result<PcbSocket, ParseError>> {
        PcbList::parse(buf, protocol).unwrap().sockets().collect()
    }

    #[test]
    fn tcp_sockets_of_both_families() {
        let lo = Ipv4Addr::new(192, 168, 1, 221);
        let far = Ipv4Addr::new(140, 82, 113, 26);
        let mut established = Spec::v4((lo, 54860), (far, 443), Some(4));
        established.recv_q = 31;
        established.send_q = 7;
        let mut listener = Spec::v6(
            (Ipv6Addr::UNSPECIFIED, 62981),
            (Ipv6Addr::UNSPECIFIED, 0),
            Some(1),
        );
        listener.vflag = crate::sys::macos::INP_IPV4 | INP_IPV6;
        let buf = Builder::new(2)
            .socket(&established)
            .socket(&listener)
            .finish(2);

        let list = PcbList::parse(&buf, Protocol::Tcp).unwrap();
        assert!(!list.changed());
        assert_eq!(list.header.count, 2);
        let got: Vec<PcbSocket> = list.sockets().map(Result::unwrap).collect();
        assert_eq!(got.len(), 2);

        let s = &got[0];
        assert_eq!(s.bsd.socket.protocol, Protocol::Tcp);
        assert_eq!(s.bsd.socket.family, Family::Inet);
        assert_eq!(s.bsd.socket.local, "192.168.1.221:54860".parse().unwrap());
        assert_eq!(s.bsd.socket.remote, "140.82.113.26:443".parse().unwrap());
        assert_eq!(s.bsd.socket.state, State::ESTABLISHED);
        assert_eq!((s.bsd.socket.recv_q, s.bsd.socket.send_q), (31, 7));
        assert_eq!(s.bsd.socket.uid, 501);
        assert_eq!(s.bsd.socket.inode, 0x7fb0_3cb9_5fad_8165);
        assert_eq!((s.bsd.socket.cookie, s.bsd.socket.backlog), (10, None));
        assert_eq!(s.tcp_state, Some(4));
        assert!(!s.bsd.dual_stack);
        assert!(s.bsd.anonymous_port);
        assert_eq!((s.bsd.pcb, s.bsd.flow_hash), (0x2222, 0x6a3d6e4));
        assert_eq!(s.bsd.detail.last_pid, 4242);
        assert_eq!(
            s.bsd.listen_queue,
            ListenQueue {
                ready: 3,
                incomplete: 1,
                limit: 128
            }
        );
        assert_eq!(
            (s.bsd.detail.receive_hiwat, s.bsd.detail.send_hiwat),
            (131072, 131072)
        );
        assert_eq!(s.bsd.detail.traffic[0].rx_bytes, 4958);
        assert_eq!(s.bsd.detail.traffic[0].tx_bytes, 3996);

        let l = &got[1];
        assert_eq!(l.bsd.socket.family, Family::Inet6);
        assert_eq!(l.bsd.socket.local, "[::]:62981".parse().unwrap());
        assert_eq!(l.bsd.socket.state, State::LISTEN);
        assert_eq!(l.bsd.socket.backlog, Some(128));
        assert!(l.bsd.dual_stack);
    }

    #[test]
    fn every_tcp_state_translates() {
        let expected = [
            State::CLOSE,
            State::LISTEN,
            State::SYN_SENT,
            State::SYN_RECV,
            State::ESTABLISHED,
            State::CLOSE_WAIT,
            State::FIN_WAIT1,
            State::CLOSING,
            State::LAST_ACK,
            State::FIN_WAIT2,
            State::TIME_WAIT,
        ];
        let mut b = Builder::new(12);
        for raw in 0..=11 {
            b.socket(&Spec::v4(
                (Ipv4Addr::LOCALHOST, 1000 + raw as u16),
                (Ipv4Addr::LOCALHOST, 80),
                Some(raw),
            ));
        }
        let got: Vec<PcbSocket> = sockets(&b.finish(12), Protocol::Tcp)
            .into_iter()
            .map(Result::unwrap)
            .collect();
        for (sock, want) in got.iter().zip(expected) {
            assert_eq!(sock.bsd.socket.state, want, "TCPS {:?}", sock.tcp_state);
        }
        assert_eq!(
            got[11].bsd.socket.state,
            State(0),
            "a state past TIME_WAIT has no name"
        );
        assert_eq!(got[11].tcp_state, Some(11));
    }

    #[test]
    fn udp_sockets_have_no_tcpcb() {
        let bound = Spec::v4(
            (Ipv4Addr::UNSPECIFIED, 5353),
            (Ipv4Addr::UNSPECIFIED, 0),
            None,
        );
        let connected = Spec::v4((Ipv4Addr::LOCALHOST, 5354), (Ipv4Addr::LOCALHOST, 53), None);
        let buf = Builder::new(2).socket(&bound).socket(&connected).finish(2);
        let got: Vec<PcbSocket> = sockets(&buf, Protocol::Udp)
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(got[0].bsd.socket.state, State::CLOSE);
        assert_eq!(got[0].bsd.socket.local, "0.0.0.0:5353".parse().unwrap());
        assert_eq!(got[1].bsd.socket.state, State::ESTABLISHED);
        assert_eq!(got[0].tcp_state, None);
        assert_eq!(got[0].bsd.pcb, 0x3333, "UDP's -A handle is so_pcb");
    }

    #[test]
    fn kame_scope_moves_into_the_scope_id() {
        let mut embedded = Ipv6Addr::new(0xfe80, 4, 0, 0, 0, 0, 0, 1).octets();
        embedded[2..4].copy_from_slice(&4u16.to_be_bytes());
        let s = Spec::v6(
            (Ipv6Addr::from(embedded), 5000),
            (Ipv6Addr::UNSPECIFIED, 0),
            Some(1),
        );
        let buf = Builder::new(1).socket(&s).finish(1);
        let got = sockets(&buf, Protocol::Tcp).remove(0).unwrap();
        assert_eq!(got.bsd.socket.local, "[fe80::1%4]:5000".parse().unwrap());
    }

    #[test]
    fn unknown_kinds_are_skipped_and_newer_sockets_too() {
        let mut b = Builder::new(2);
        let s = Spec::v4((Ipv4Addr::LOCALHOST, 1), (Ipv4Addr::LOCALHOST, 2), Some(4));
        b.push(&xinpcb_n(&s))
            .push(&record(0x400, 40))
            .push(&xsocket_n(&s));
        b.push(&xsockbuf_n(XSO_RCVBUF, 0, 0))
            .push(&xsockbuf_n(XSO_SNDBUF, 0, 0));
        b.push(&xsockstat_n()).push(&xtcpcb_n(4));
        let mut young = s.clone();
        young.gencnt = 101; // made after the header's stamp (100)
        b.socket(&young);
        let got = sockets(&b.finish(2), Protocol::Tcp);
        assert_eq!(got.len(), 1);
        assert!(got[0].is_ok());
    }

    #[test]
    fn a_changed_generation_is_reported() {
        let mut b = Builder::new(0);
        let mut buf = b.finish(0);
        let len = buf.len();
        buf[len - 16..len - 8].copy_from_slice(&101u64.to_le_bytes());
        let list = PcbList::parse(&buf, Protocol::Tcp).unwrap();
        assert!(list.changed());
        assert_eq!(list.sockets().count(), 0);
    }

    #[test]
    fn incomplete_sockets_are_errors_and_the_walk_goes_on() {
        let s = Spec::v4((Ipv4Addr::LOCALHOST, 1), (Ipv4Addr::LOCALHOST, 2), Some(4));
        let mut b = Builder::new(2);
        b.push(&xinpcb_n(&s)).push(&xsocket_n(&s)); // the rest is missing
        b.socket(&s);
        b.push(&xinpcb_n(&s)); // and again at the end
        let got = sockets(&b.finish(2), Protocol::Tcp);
        assert_eq!(got.len(), 3);
        assert!(matches!(
            got[0],
            Err(ParseError::Truncated {
                what: "xsockbuf_n (receive)",
                offset: 24,
                ..
            })
        ));
        assert!(got[1].is_ok());
        assert!(matches!(
            got[2],
            Err(ParseError::Truncated {
                what: "xsocket_n",
                ..
            })
        ));
    }

    #[test]
    fn short_records_and_bad_families_are_errors() {
        let s = Spec::v4((Ipv4Addr::LOCALHOST, 1), (Ipv4Addr::LOCALHOST, 2), None);
        let mut short = xsocket_n(&s);
        short.truncate(60); // ends before so_uid
        short[0..4].copy_from_slice(&60u32.to_le_bytes());
        let mut b = Builder::new(1);
        b.push(&xinpcb_n(&s)).push(&short);
        b.push(&xsockbuf_n(XSO_RCVBUF, 0, 0))
            .push(&xsockbuf_n(XSO_SNDBUF, 0, 0))
            .push(&xsockstat_n());
        let got = sockets(&b.finish(1), Protocol::Udp);
        assert!(
            matches!(
                got[0],
                Err(ParseError::Truncated {
                    what: "xsocket_n",
                    ..
                })
            ),
            "{got:?}"
        );

        let mut neither = s.clone();
        neither.vflag = 0;
        let got = sockets(&Builder::new(1).socket(&neither).finish(1), Protocol::Udp);
        assert!(
            matches!(
                got[0],
                Err(ParseError::BadValue {
                    what: "xinpcb_n",
                    // `inp_vflag` of the first record, counted from the buffer's start.
                    offset: 68,
                    ..
                })
            ),
            "{got:?}"
        );
    }

    #[test]
    fn broken_framing_is_refused() {
        let s = Spec::v4((Ipv4Addr::LOCALHOST, 1), (Ipv4Addr::LOCALHOST, 2), Some(4));
        let good = Builder::new(1).socket(&s).finish(1);
        assert!(PcbList::parse(&good, Protocol::Tcp).is_ok());
        // Every cut of the buffer fails cleanly (no trailer, or a record past the end).
        for cut in 0..good.len() {
            assert!(
                PcbList::parse(&good[..cut], Protocol::Tcp).is_err(),
                "cut at {cut}"
            );
        }
        // A header with the wrong length.
        let mut bad = good.clone();
        bad[0] = 20;
        assert!(matches!(
            PcbList::parse(&bad, Protocol::Tcp),
            Err(ParseError::BadLength {
                what: "xinpgen",
                ..
            })
        ));
        // A record longer than the buffer.
        let mut bad = good.clone();
        bad[24..28].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            PcbList::parse(&bad, Protocol::Tcp),
            Err(ParseError::BadLength { offset: 24, .. })
        ));
        // A record of length 0 would be taken for the trailer, and its length checked.
        let mut bad = good;
        bad[24..28].copy_from_slice(&0u32.to_le_bytes());
        assert!(PcbList::parse(&bad, Protocol::Tcp).is_err());
    }

    /// An `xunpcb_n` bound to `path` (unbound if empty), connected to `conn`.
    fn xunpcb_n(unpp: u64, conn: u64, gencnt: u64, path: &[u8]) -> Vec<u8> {
        let mut r = record(XSO_UNPCB, 588);
        put(&mut r, 8, &unpp.to_le_bytes()); // xunp_unpp
        put(&mut r, 16, &0x5555u64.to_le_bytes()); // xunp_vnode
        put(&mut r, 32, &conn.to_le_bytes()); // xunp_conn
        put(&mut r, 40, &0x6666u64.to_le_bytes()); // xunp_refs
        put(&mut r, 48, &0x7777u64.to_le_bytes()); // xunp_reflink
        put(&mut r, 68, &gencnt.to_le_bytes()); // xunp_gencnt
        if !path.is_empty() {
            // sockaddr_un: sun_len covers the header and the path with its NUL.
            r[76] = (2 + path.len() + 1) as u8;
            r[77] = 1; // AF_UNIX
            put(&mut r, 78, path);
        }
        r
    }

    /// The records of one Unix socket: type, `so_options`, `so_state`.
    fn unix_socket(b: &mut Builder, unp: &[u8], so: u64, kind: (i16, u32, i16)) {
        let mut spec = Spec::v4((Ipv4Addr::LOCALHOST, 0), (Ipv4Addr::LOCALHOST, 0), None);
        spec.so = so;
        let mut socket = xsocket_n(&spec);
        put(&mut socket, 16, &kind.0.to_le_bytes()); // so_type
        put(&mut socket, 20, &kind.1.to_le_bytes()); // so_options
        put(&mut socket, 26, &kind.2.to_le_bytes()); // so_state
        put(&mut socket, 92, &2u32.to_le_bytes()); // so_usecount
        b.push(unp).push(&socket);
        b.push(&xsockbuf_n(XSO_RCVBUF, 1, 8192))
            .push(&xsockbuf_n(XSO_SNDBUF, 0, 8192))
            .push(&xsockstat_n());
    }

    /// A Unix list: a bound listener, a connected unbound socket, a bound datagram socket,
    /// and one made after the header's stamp.
    pub(crate) fn unix_list() -> Vec<u8> {
        let mut b = Builder::new(4);
        let listening = xunpcb_n(0x7fb0_3cb9_4a63_a7cd, 0, 50, b"/var/run/mDNSResponder");
        unix_socket(&mut b, &listening, 0xa1, (1, 0x2, 0)); // SO_ACCEPTCONN
        let connected = xunpcb_n(0x7fb0_3cb9_4a63_b065, 0x7fb0_3cb9_4a63_b2bd, 51, b"");
        unix_socket(&mut b, &connected, 0xa2, (1, 0, 0x2)); // SS_ISCONNECTED
        let datagram = xunpcb_n(0x7fb0_3cb9_4a63_0001, 0, 52, b"/tmp/d");
        unix_socket(&mut b, &datagram, 0xa3, (2, 0, 0));
        let young = xunpcb_n(0x7fb0_3cb9_4a63_0002, 0, 101, b"");
        unix_socket(&mut b, &young, 0xa4, (1, 0, 0)); // made after the header's stamp
        b.finish(4)
    }

    #[test]
    fn unix_sockets() {
        let buf = unix_list();

        let list = PcbList::parse_unix(&buf).unwrap();
        let got: Vec<UnixPcb> = list.unix_sockets().map(Result::unwrap).collect();
        assert_eq!(got.len(), 3);
        let l = &got[0];
        assert_eq!(l.socket.path, Some(&b"/var/run/mDNSResponder"[..]));
        assert!(l.socket.is_listening());
        assert_eq!((l.socket.sock_type, l.socket.state), (1, 1));
        assert_eq!((l.socket.inode, l.socket.refcnt), (Some(0xa1), 2));
        assert_eq!((l.pcb, l.vnode, l.conn), (0x7fb0_3cb9_4a63_a7cd, 0x5555, 0));
        assert_eq!(l.queues, (1, 0));
        let c = &got[1];
        assert_eq!((c.socket.path, c.socket.state), (None, 3));
        assert!(!c.socket.is_listening());
        assert_eq!(c.conn, 0x7fb0_3cb9_4a63_b2bd);
        assert_eq!(
            (got[2].socket.sock_type, got[2].socket.path),
            (2, Some(&b"/tmp/d"[..]))
        );

        // An Internet walk of a Unix list finds no socket (the records lack their PCB), and
        // the other way round.
        assert!(sockets(&buf, Protocol::Tcp).iter().all(Result::is_err));
        let s = Spec::v4((Ipv4Addr::LOCALHOST, 1), (Ipv4Addr::LOCALHOST, 2), Some(4));
        let inet = Builder::new(1).socket(&s).finish(1);
        let list = PcbList::parse_unix(&inet).unwrap();
        assert!(list.unix_sockets().all(|s| s.is_err()));
    }

    #[test]
    fn broken_unix_records() {
        let mut b = Builder::new(2);
        // A socket missing its buffers, then one whose xunpcb_n is cut before xu_addr ends.
        let s = Spec::v4((Ipv4Addr::LOCALHOST, 0), (Ipv4Addr::LOCALHOST, 0), None);
        b.push(&xunpcb_n(1, 0, 1, b"/a")).push(&xsocket_n(&s));
        let mut short = xunpcb_n(2, 0, 1, b"");
        short.truncate(200);
        short[0..4].copy_from_slice(&200u32.to_le_bytes());
        unix_socket(&mut b, &short, 0xb2, (1, 0, 0));
        let mut overlong = xunpcb_n(3, 0, 1, b"");
        overlong[76] = 255; // sun_len past the union: the path stops at the union's end
        unix_socket(&mut b, &overlong, 0xb3, (1, 0, 0));
        let buf = b.finish(2);
        let got: Vec<_> = PcbList::parse_unix(&buf).unwrap().unix_sockets().collect();
        assert!(matches!(
            got[0],
            Err(ParseError::Truncated {
                what: "xsockbuf_n (receive)",
                ..
            })
        ));
        assert!(matches!(
            got[1],
            Err(ParseError::Truncated {
                what: "xunpcb_n",
                ..
            })
        ));
        assert_eq!(got[2].as_ref().unwrap().socket.path, None);
        assert_eq!(got.len(), 3);

        let mut seed = 0x0123_4567_89ab_cdefu64;
        for _ in 0..2000 {
            let mut noisy = buf.clone();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = seed as usize % noisy.len();
            noisy[at] = (seed >> 32) as u8;
            noisy.truncate((seed >> 40) as usize % (noisy.len() + 1));
            if let Ok(list) = PcbList::parse_unix(&noisy) {
                list.unix_sockets().for_each(drop);
            }
        }
    }

    #[test]
    fn garbage_never_panics() {
        // A deterministic pseudo-random sweep: structured prefixes with noise after them.
        let s = Spec::v4((Ipv4Addr::LOCALHOST, 1), (Ipv4Addr::LOCALHOST, 2), Some(4));
        let good = Builder::new(1).socket(&s).finish(1);
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for round in 0..2000 {
            let mut buf = good.clone();
            for _ in 0..(round % 7 + 1) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let at = (seed as usize) % buf.len();
                buf[at] = (seed >> 32) as u8;
            }
            buf.truncate((seed >> 40) as usize % (buf.len() + 1));
            for protocol in [Protocol::Tcp, Protocol::Udp] {
                if let Ok(list) = PcbList::parse(&buf, protocol) {
                    list.sockets().for_each(drop);
                }
            }
        }
    }
}
