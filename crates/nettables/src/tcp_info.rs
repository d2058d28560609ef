//! TCP internals of one socket (what `ss -i -m` shows): the kernel's `struct tcp_info`, the
//! congestion control algorithm and the socket's memory counters.
//!
//! Ask for them with [`crate::inet::InetQuery::tcp_details`] and list with
//! [`crate::SocketReader::for_each_inet_detailed`]. TIME_WAIT and pending (SYN_RECV) sockets
//! have none: the kernel keeps only a small stub for them.
//!
//! `struct tcp_info` grew over the years. The kernel copies as much of it as it has, so an
//! older kernel sends a shorter struct: [`TcpInfo::parse`] reads only the fields that fit, and
//! leaves the later ones `None`.

/// Congestion control algorithm names are at most 15 bytes (`TCP_CA_NAME_MAX` is 16).
const CONGESTION_MAX: usize = 16;

/// What the kernel reported about one TCP socket; each part is absent when the kernel did not
/// send it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TcpDetails {
    /// `struct tcp_info` (`INET_DIAG_INFO`).
    pub info: Option<TcpInfo>,
    /// The congestion control algorithm (`INET_DIAG_CONG`).
    pub congestion: Option<Congestion>,
    /// The socket's memory (`INET_DIAG_SKMEMINFO`).
    pub memory: Option<SocketMemory>,
}

impl TcpDetails {
    /// Whether the kernel sent nothing at all.
    pub fn is_empty(&self) -> bool {
        self.info.is_none() && self.congestion.is_none() && self.memory.is_none()
    }
}

/// A congestion control algorithm's name (`cubic`, `bbr`, ...), kept inline.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Congestion {
    bytes: [u8; CONGESTION_MAX],
    len: u8,
}

impl Congestion {
    /// The name from a NUL-terminated kernel string; `None` when empty. Longer names are cut
    /// at 16 bytes.
    pub fn from_kernel(raw: &[u8]) -> Option<Congestion> {
        let name = raw.split(|&b| b == 0).next().unwrap_or_default();
        let name = &name[..name.len().min(CONGESTION_MAX)];
        if name.is_empty() {
            return None;
        }
        let mut bytes = [0u8; CONGESTION_MAX];
        bytes[..name.len()].copy_from_slice(name);
        Some(Congestion {
            bytes,
            len: name.len() as u8,
        })
    }

    /// The name's bytes (not necessarily UTF-8).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

impl std::fmt::Debug for Congestion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_bytes()))
    }
}

/// A socket's memory, in bytes (`INET_DIAG_SKMEMINFO`, `ss -m`'s `skmem`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SocketMemory {
    /// Receive queue memory (`r`).
    pub rmem_alloc: u32,
    /// Receive buffer limit (`rb`).
    pub rcvbuf: u32,
    /// Transmit queue memory in flight (`t`).
    pub wmem_alloc: u32,
    /// Send buffer limit (`tb`).
    pub sndbuf: u32,
    /// Memory reserved but not yet used (`f`).
    pub fwd_alloc: u32,
    /// Memory queued for sending (`w`).
    pub wmem_queued: u32,
    /// Option memory (`o`).
    pub optmem: u32,
    /// Backlog queue (`bl`); `None` from kernels older than 3.11.
    pub backlog: Option<u32>,
    /// Packets dropped before reaching the socket (`d`); `None` from kernels older than 4.6.
    pub drops: Option<u32>,
}

impl SocketMemory {
    /// Parses the array of u32s; `None` when shorter than the seven original counters.
    pub fn parse(raw: &[u8]) -> Option<SocketMemory> {
        // `SK_MEMINFO_RMEM_ALLOC` ... `SK_MEMINFO_DROPS` of <linux/sock_diag.h>, in order.
        let mut f = Fields { raw, at: 0 };
        Some(SocketMemory {
            rmem_alloc: f.u32()?,
            rcvbuf: f.u32()?,
            wmem_alloc: f.u32()?,
            sndbuf: f.u32()?,
            fwd_alloc: f.u32()?,
            wmem_queued: f.u32()?,
            optmem: f.u32()?,
            backlog: f.u32(),
            drops: f.u32(),
        })
    }
}

/// The fields of `struct tcp_info` worth showing. Times are in microseconds, rates in bytes
/// per second. Fields added after Linux 2.6.12's struct are `None` when the kernel's struct
/// is too short to hold them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TcpInfo {
    /// The socket's state (`TCP_ESTABLISHED` = 1 ...).
    pub state: u8,
    /// Congestion avoidance state: 0 open, 1 disorder, 2 CWR, 3 recovery, 4 loss.
    pub ca_state: u8,
    /// Retransmissions of the current segment (the retransmit timer's count).
    pub retransmits: u8,
    /// Unanswered zero-window or keepalive probes.
    pub probes: u8,
    /// Exponential backoff of the retransmit timer.
    pub backoff: u8,
    /// Negotiated options: 1 timestamps, 2 SACK, 4 window scaling, 8 ECN, 16 ECN seen, 32 SYN data.
    pub options: u8,
    /// Window scale shift the peer applies to our window (0 without window scaling).
    pub snd_wscale: u8,
    /// Window scale shift we apply to the peer's window.
    pub rcv_wscale: u8,
    /// Retransmission timeout.
    pub rto: u32,
    /// Delayed-ACK timeout.
    pub ato: u32,
    /// Maximum segment size for sending.
    pub snd_mss: u32,
    /// Estimated maximum segment size the peer sends.
    pub rcv_mss: u32,
    /// Segments sent but not yet acknowledged.
    pub unacked: u32,
    /// Segments acknowledged selectively.
    pub sacked: u32,
    /// Segments considered lost.
    pub lost: u32,
    /// Segments being retransmitted.
    pub retrans: u32,
    /// Path MTU.
    pub pmtu: u32,
    /// Slow-start threshold of the receive window.
    pub rcv_ssthresh: u32,
    /// Smoothed round-trip time.
    pub rtt: u32,
    /// Round-trip time variation.
    pub rttvar: u32,
    /// Slow-start threshold, in segments; [`TcpInfo::INFINITE_SSTHRESH`] until the first loss.
    pub snd_ssthresh: u32,
    /// Congestion window, in segments.
    pub snd_cwnd: u32,
    /// Advertised MSS.
    pub advmss: u32,
    /// Reordering the sender tolerates, in segments.
    pub reordering: u32,
    /// Receiver-side round-trip estimate.
    pub rcv_rtt: u32,
    /// Receive space the autotuning aims for.
    pub rcv_space: u32,
    /// Retransmitted segments over the connection's life.
    pub total_retrans: u32,
    /// The rate the sender paces at.
    pub pacing_rate: Option<u64>,
    /// The limit set with `SO_MAX_PACING_RATE` (`u64::MAX` for none).
    pub max_pacing_rate: Option<u64>,
    /// Bytes the peer acknowledged (RFC 4898 `tcpEStatsAppHCThruOctetsAcked`).
    pub bytes_acked: Option<u64>,
    /// Bytes received in order (`tcpEStatsAppHCThruOctetsReceived`).
    pub bytes_received: Option<u64>,
    /// Segments sent, retransmissions included.
    pub segs_out: Option<u32>,
    /// Segments received.
    pub segs_in: Option<u32>,
    /// Bytes written but not yet sent.
    pub notsent_bytes: Option<u32>,
    /// Lowest round-trip time seen.
    pub min_rtt: Option<u32>,
    /// Segments received that carried data.
    pub data_segs_in: Option<u32>,
    /// Segments sent that carried data.
    pub data_segs_out: Option<u32>,
    /// Recent delivery rate.
    pub delivery_rate: Option<u64>,
    /// Whether the delivery rate was limited by the application rather than the network.
    pub delivery_rate_app_limited: Option<bool>,
    /// Time spent sending data.
    pub busy_time: Option<u64>,
    /// Time the sender was limited by the peer's receive window.
    pub rwnd_limited: Option<u64>,
    /// Time the sender was limited by the send buffer.
    pub sndbuf_limited: Option<u64>,
    /// Segments delivered (acknowledged, selectively or cumulatively).
    pub delivered: Option<u32>,
    /// Segments delivered with an ECN congestion mark.
    pub delivered_ce: Option<u32>,
    /// Bytes sent, including retransmissions.
    pub bytes_sent: Option<u64>,
    /// Bytes retransmitted.
    pub bytes_retrans: Option<u64>,
    /// Duplicate segments the peer reported with D-SACK.
    pub dsack_dups: Option<u32>,
    /// Reorderings seen.
    pub reord_seen: Option<u32>,
    /// Out-of-order packets received.
    pub rcv_ooopack: Option<u32>,
    /// The peer's advertised receive window, in bytes.
    pub snd_wnd: Option<u32>,
}

impl TcpInfo {
    /// `snd_ssthresh` before any loss (`TCP_INFINITE_SSTHRESH`).
    pub const INFINITE_SSTHRESH: u32 = 0x7fff_ffff;
    /// Bytes of the struct every supported kernel sends (up to `tcpi_total_retrans`).
    pub const MIN_LEN: usize = 104;

    /// Parses the kernel's `struct tcp_info` (native byte order). `None` when shorter than
    /// [`TcpInfo::MIN_LEN`]; later fields are read only when the struct holds them.
    pub fn parse(raw: &[u8]) -> Option<TcpInfo> {
        if raw.len() < TcpInfo::MIN_LEN {
            return None;
        }
        // The fields in the order of `struct tcp_info` in <linux/tcp.h>; the struct has no
        // padding, so each starts where the one before ends.
        let mut f = Fields { raw, at: 0 };
        // tcpi_state ... tcpi_options, then two bytes of bit fields: tcpi_snd_wscale:4 and
        // tcpi_rcv_wscale:4, then tcpi_delivery_rate_app_limited:1 (and fastopen bits).
        let head: [u8; 8] = std::array::from_fn(|_| f.byte());
        let mut info = TcpInfo {
            state: head[0],
            ca_state: head[1],
            retransmits: head[2],
            probes: head[3],
            backoff: head[4],
            options: head[5],
            snd_wscale: head[6] & 0x0f,
            rcv_wscale: head[6] >> 4,
            rto: f.word(),
            ato: f.word(),
            snd_mss: f.word(),
            rcv_mss: f.word(),
            unacked: f.word(),
            sacked: f.word(),
            lost: f.word(),
            retrans: f.word(),
            // tcpi_fackets and the four tcpi_last_* times are not kept.
            pmtu: f.skip_words(5).word(),
            rcv_ssthresh: f.word(),
            rtt: f.word(),
            rttvar: f.word(),
            snd_ssthresh: f.word(),
            snd_cwnd: f.word(),
            advmss: f.word(),
            reordering: f.word(),
            rcv_rtt: f.word(),
            rcv_space: f.word(),
            total_retrans: f.word(),
            pacing_rate: f.u64(),
            max_pacing_rate: f.u64(),
            bytes_acked: f.u64(),
            bytes_received: f.u64(),
            segs_out: f.u32(),
            segs_in: f.u32(),
            notsent_bytes: f.u32(),
            min_rtt: f.u32(),
            data_segs_in: f.u32(),
            data_segs_out: f.u32(),
            delivery_rate: f.u64(),
            delivery_rate_app_limited: None,
            busy_time: f.u64(),
            rwnd_limited: f.u64(),
            sndbuf_limited: f.u64(),
            delivered: f.u32(),
            delivered_ce: f.u32(),
            bytes_sent: f.u64(),
            bytes_retrans: f.u64(),
            dsack_dups: f.u32(),
            reord_seen: f.u32(),
            rcv_ooopack: f.u32(),
            snd_wnd: f.u32(),
        };
        // The flag sits in the first bytes, but arrived with the delivery rate.
        info.delivery_rate_app_limited = info.delivery_rate.map(|_| head[7] & 1 != 0);
        Some(info)
    }
}

/// A cursor over a kernel struct in native byte order: each read takes the next field, and a
/// field past the end of a shorter (older) struct reads as `None`.
struct Fields<'a> {
    raw: &'a [u8],
    at: usize,
}

impl Fields<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let field = self.raw.get(self.at..self.at.checked_add(N)?)?;
        self.at += N;
        field.try_into().ok()
    }

    fn byte(&mut self) -> u8 {
        self.take::<1>().map_or(0, |[b]| b)
    }

    fn u32(&mut self) -> Option<u32> {
        let value = self.take().map(u32::from_ne_bytes);
        if value.is_none() {
            self.at = self.raw.len();
        }
        value
    }

    fn u64(&mut self) -> Option<u64> {
        let value = self.take().map(u64::from_ne_bytes);
        if value.is_none() {
            self.at = self.raw.len();
        }
        value
    }

    /// A field every supported kernel sends (0 if not).
    fn word(&mut self) -> u32 {
        self.u32().unwrap_or(0)
    }

    fn skip_words(&mut self, n: usize) -> &mut Self {
        for _ in 0..n {
            self.u32();
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `struct tcp_info` captured with `getsockopt(TCP_INFO)` from a loopback connection on
    /// Linux 6.18, x86_64 (280 bytes; bbr, mss 32768, cwnd 11, rtt 27 us). inet_diag sends the
    /// same struct.
    const CAPTURED: &str = "010000000007aa01e01c0300409c00000080000018020000000000000000000000000000000000000000000038000000\
        000000003800000038000000ffff0000d7ff00001b0000000c000000ffffff7f0b000000cbff00000300000000000000\
        d7ff0000000000005010d6c707000000ffffffffffffffff060000000000000001000000000000000400000003000000\
        00000000160000000100000001000000d145c75800000000000000000000000000000000000000000000000000000000\
        020000000000000005000000000000000000000000000000000000000000000000000000000001000000010000000000\
        00000000000000000000000000000000000000000000000000000000000000000000000000000000";

    fn captured() -> Vec<u8> {
        let hex: Vec<u8> = CAPTURED.bytes().filter(u8::is_ascii_hexdigit).collect();
        hex.chunks(2)
            .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
            .collect()
    }

    #[test]
    fn parses_a_captured_struct() {
        let raw = captured();
        assert_eq!(raw.len(), 280);
        let info = TcpInfo::parse(&raw).unwrap();
        assert_eq!(
            (info.state, info.options, info.snd_wscale, info.rcv_wscale),
            (1, 7, 10, 10)
        );
        assert_eq!(
            (info.rto, info.ato, info.snd_mss, info.rcv_mss),
            (204_000, 40_000, 32_768, 536)
        );
        assert_eq!(
            (info.rtt, info.rttvar, info.snd_ssthresh, info.snd_cwnd),
            (27, 12, TcpInfo::INFINITE_SSTHRESH, 11)
        );
        assert_eq!(
            (info.pmtu, info.advmss, info.reordering, info.total_retrans),
            (65_535, 65_483, 3, 0)
        );
        assert_eq!(
            (info.pacing_rate, info.max_pacing_rate),
            (Some(33_417_465_936), Some(u64::MAX))
        );
        assert_eq!(
            (info.bytes_acked, info.bytes_received, info.bytes_sent),
            (Some(6), Some(1), Some(5))
        );
        assert_eq!(info.delivery_rate, Some(1_489_454_545));
        assert_eq!(info.delivery_rate_app_limited, Some(true));
        assert_eq!(
            (info.segs_out, info.segs_in, info.min_rtt),
            (Some(4), Some(3), Some(22))
        );
        assert_eq!((info.delivered, info.snd_wnd), (Some(2), Some(65_536)));
    }

    #[test]
    fn a_shorter_struct_leaves_later_fields_empty() {
        let raw = captured();
        // Linux 2.6.x: up to total_retrans.
        let old = TcpInfo::parse(&raw[..104]).unwrap();
        assert_eq!((old.snd_mss, old.snd_cwnd), (32_768, 11));
        assert_eq!(
            (old.pacing_rate, old.bytes_acked, old.delivery_rate),
            (None, None, None)
        );
        assert_eq!(old.delivery_rate_app_limited, None);
        // Linux 4.1: bytes_received but not segs_out; a cut mid-field drops that field.
        let mid = TcpInfo::parse(&raw[..140]).unwrap();
        assert_eq!(
            (mid.bytes_received, mid.segs_out, mid.segs_in),
            (Some(1), Some(4), None)
        );
        let cut = TcpInfo::parse(&raw[..131]).unwrap();
        assert_eq!((cut.bytes_acked, cut.bytes_received), (Some(6), None));
        assert_eq!(TcpInfo::parse(&raw[..103]), None);
        assert_eq!(TcpInfo::parse(&[]), None);
        // A longer struct from a newer kernel is fine.
        let mut newer = raw.clone();
        newer.extend_from_slice(&[0xff; 64]);
        assert_eq!(TcpInfo::parse(&newer), TcpInfo::parse(&raw));
    }

    #[test]
    fn congestion_names_and_memory() {
        assert_eq!(
            Congestion::from_kernel(b"cubic\0").unwrap().as_bytes(),
            b"cubic"
        );
        assert_eq!(Congestion::from_kernel(b"bbr").unwrap().as_bytes(), b"bbr");
        assert_eq!(Congestion::from_kernel(b"\0junk"), None);
        assert_eq!(
            Congestion::from_kernel(&[b'x'; 40])
                .unwrap()
                .as_bytes()
                .len(),
            16
        );
        let words: Vec<u8> = (1u32..=9).flat_map(u32::to_ne_bytes).collect();
        let memory = SocketMemory::parse(&words).unwrap();
        assert_eq!(
            (
                memory.rmem_alloc,
                memory.optmem,
                memory.backlog,
                memory.drops
            ),
            (1, 7, Some(8), Some(9))
        );
        let old = SocketMemory::parse(&words[..30]).unwrap();
        assert_eq!((old.backlog, old.drops), (None, None));
        assert_eq!(SocketMemory::parse(&words[..27]), None);
    }
}
