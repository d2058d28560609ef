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
        let at = |i: usize| u32_at(raw, i * 4);
        Some(SocketMemory {
            rmem_alloc: at(0)?,
            rcvbuf: at(1)?,
            wmem_alloc: at(2)?,
            sndbuf: at(3)?,
            fwd_alloc: at(4)?,
            wmem_queued: at(5)?,
            optmem: at(6)?,
            backlog: at(7),
            drops: at(8),
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
        let byte = |at: usize| raw.get(at).copied().unwrap_or(0);
        let word = |at: usize| u32_at(raw, at).unwrap_or(0);
        Some(TcpInfo {
            state: byte(0),
            ca_state: byte(1),
            retransmits: byte(2),
            probes: byte(3),
            backoff: byte(4),
            options: byte(5),
            snd_wscale: byte(6) & 0x0f,
            rcv_wscale: byte(6) >> 4,
            rto: word(8),
            ato: word(12),
            snd_mss: word(16),
            rcv_mss: word(20),
            unacked: word(24),
            sacked: word(28),
            lost: word(32),
            retrans: word(36),
            pmtu: word(60),
            rcv_ssthresh: word(64),
            rtt: word(68),
            rttvar: word(72),
            snd_ssthresh: word(76),
            snd_cwnd: word(80),
            advmss: word(84),
            reordering: word(88),
            rcv_rtt: word(92),
            rcv_space: word(96),
            total_retrans: word(100),
            pacing_rate: u64_at(raw, 104),
            max_pacing_rate: u64_at(raw, 112),
            bytes_acked: u64_at(raw, 120),
            bytes_received: u64_at(raw, 128),
            segs_out: u32_at(raw, 136),
            segs_in: u32_at(raw, 140),
            notsent_bytes: u32_at(raw, 144),
            min_rtt: u32_at(raw, 148),
            data_segs_in: u32_at(raw, 152),
            data_segs_out: u32_at(raw, 156),
            delivery_rate: u64_at(raw, 160),
            // The flag shares byte 7 with fields of the first struct, but arrived with the rate.
            delivery_rate_app_limited: (raw.len() >= 168).then_some(byte(7) & 1 != 0),
            busy_time: u64_at(raw, 168),
            rwnd_limited: u64_at(raw, 176),
            sndbuf_limited: u64_at(raw, 184),
            delivered: u32_at(raw, 192),
            delivered_ce: u32_at(raw, 196),
            bytes_sent: u64_at(raw, 200),
            bytes_retrans: u64_at(raw, 208),
            dsack_dups: u32_at(raw, 216),
            reord_seen: u32_at(raw, 220),
            rcv_ooopack: u32_at(raw, 224),
            snd_wnd: u32_at(raw, 228),
        })
    }
}

fn u32_at(raw: &[u8], at: usize) -> Option<u32> {
    let b = raw.get(at..at.checked_add(4)?)?;
    Some(u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
}

fn u64_at(raw: &[u8], at: usize) -> Option<u64> {
    let b = raw.get(at..at.checked_add(8)?)?;
    Some(u64::from_ne_bytes([
        b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
    ]))
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
