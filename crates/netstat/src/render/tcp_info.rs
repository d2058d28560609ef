//! `--tcp-info`: a TCP socket's internals, as the indented line under its row (with the tokens
//! `ss -i -m` uses) or as the `tcp_info` object of its JSON record.

use std::io::{self, Write};

use nettables::tcp_info::{SocketMemory, TcpDetails, TcpInfo};
use serde::Serialize;

use super::json::Text;

/// Writes the second line: a tab, then `name:value` tokens. Fields the kernel did not send are
/// left out.
pub fn write_line(out: &mut impl Write, details: &TcpDetails) -> io::Result<()> {
    let mut line = Vec::with_capacity(256);
    line.push(b'\t');
    if let Some(name) = &details.congestion {
        line.push(b' ');
        line.extend(crate::text::sanitized(name.as_bytes()));
    }
    let mut token = |text: String| {
        line.push(b' ');
        line.extend_from_slice(text.as_bytes());
    };
    if let Some(info) = &details.info {
        if info.options & 4 != 0 {
            token(format!("wscale:{},{}", info.snd_wscale, info.rcv_wscale));
        }
        token(format!("rto:{}", millis(info.rto)));
        token(format!("rtt:{}/{}", millis(info.rtt), millis(info.rttvar)));
        token(format!("mss:{}", info.snd_mss));
        token(format!("rcvmss:{}", info.rcv_mss));
        token(format!("cwnd:{}", info.snd_cwnd));
        if let Some(ssthresh) = ssthresh(info) {
            token(format!("ssthresh:{ssthresh}"));
        }
        for (name, value) in [
            ("bytes_sent", info.bytes_sent),
            ("bytes_acked", info.bytes_acked),
            ("bytes_received", info.bytes_received),
        ] {
            if let Some(value) = value {
                token(format!("{name}:{value}"));
            }
        }
        token(format!(
            "retrans:{}/{}",
            info.retransmits, info.total_retrans
        ));
        token(format!("lost:{}", info.lost));
        if let Some(rate) = info.delivery_rate {
            token(format!("delivery_rate:{}", bits_per_second(rate)));
        }
        if let Some(rate) = pacing_rate(info) {
            token(format!("pacing_rate:{}", bits_per_second(rate)));
        }
    }
    if let Some(m) = &details.memory {
        token(format!(
            "skmem:(r{},rb{},t{},tb{},f{},w{},o{},bl{},d{})",
            m.rmem_alloc,
            m.rcvbuf,
            m.wmem_alloc,
            m.sndbuf,
            m.fwd_alloc,
            m.wmem_queued,
            m.optmem,
            m.backlog.unwrap_or(0),
            m.drops.unwrap_or(0)
        ));
    }
    line.push(b'\n');
    out.write_all(&line)
}

/// The slow-start threshold, unless it is still "infinite" (no loss yet) or unset (listeners).
fn ssthresh(info: &TcpInfo) -> Option<u32> {
    (info.snd_ssthresh != 0 && info.snd_ssthresh < TcpInfo::INFINITE_SSTHRESH)
        .then_some(info.snd_ssthresh)
}

/// The pacing rate, unless unlimited (all ones).
fn pacing_rate(info: &TcpInfo) -> Option<u64> {
    info.pacing_rate.filter(|&rate| rate != u64::MAX)
}

/// Microseconds as milliseconds, with up to three decimals and no trailing zeros (`204`,
/// `0.027`, `1.5`).
fn millis(us: u32) -> String {
    let text = format!("{}.{:03}", us / 1000, us % 1000);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A rate in bytes per second as bits per second, scaled as ss does (`1.5Gbps`, `800bps`).
fn bits_per_second(bytes: u64) -> String {
    let bits = bytes as f64 * 8.0;
    match bits {
        b if b >= 1e9 => format!("{:.1}Gbps", b / 1e9),
        b if b >= 1e6 => format!("{:.1}Mbps", b / 1e6),
        b if b >= 1e3 => format!("{:.1}Kbps", b / 1e3),
        b => format!("{b:.0}bps"),
    }
}

/// The `tcp_info` object of a JSON record. Times are in microseconds, rates in bits per second;
/// what the kernel did not send is null.
#[derive(Serialize)]
pub struct Record<'a> {
    congestion: Option<Text<'a>>,
    rto_us: Option<u32>,
    rtt_us: Option<u32>,
    rttvar_us: Option<u32>,
    mss: Option<u32>,
    rcv_mss: Option<u32>,
    cwnd: Option<u32>,
    /// Null while "infinite" (before the first loss).
    ssthresh: Option<u32>,
    bytes_sent: Option<u64>,
    bytes_acked: Option<u64>,
    bytes_received: Option<u64>,
    /// Retransmissions of the current segment.
    retransmits: Option<u8>,
    total_retrans: Option<u32>,
    lost: Option<u32>,
    delivery_rate_bps: Option<u64>,
    /// Null when unlimited.
    pacing_rate_bps: Option<u64>,
    skmem: Option<Memory>,
}

#[derive(Serialize)]
struct Memory {
    rmem_alloc: u32,
    rcvbuf: u32,
    wmem_alloc: u32,
    sndbuf: u32,
    fwd_alloc: u32,
    wmem_queued: u32,
    optmem: u32,
    backlog: Option<u32>,
    drops: Option<u32>,
}

impl<'a> Record<'a> {
    pub fn new(details: &'a TcpDetails) -> Record<'a> {
        let info = details.info.as_ref();
        let field = |f: fn(&TcpInfo) -> u32| info.map(f);
        let bits = |rate: u64| rate.saturating_mul(8);
        Record {
            congestion: details.congestion.as_ref().map(|c| Text(c.as_bytes())),
            rto_us: field(|i| i.rto),
            rtt_us: field(|i| i.rtt),
            rttvar_us: field(|i| i.rttvar),
            mss: field(|i| i.snd_mss),
            rcv_mss: field(|i| i.rcv_mss),
            cwnd: field(|i| i.snd_cwnd),
            ssthresh: info.and_then(ssthresh),
            bytes_sent: info.and_then(|i| i.bytes_sent),
            bytes_acked: info.and_then(|i| i.bytes_acked),
            bytes_received: info.and_then(|i| i.bytes_received),
            retransmits: info.map(|i| i.retransmits),
            total_retrans: field(|i| i.total_retrans),
            lost: field(|i| i.lost),
            delivery_rate_bps: info.and_then(|i| i.delivery_rate).map(bits),
            pacing_rate_bps: info.and_then(pacing_rate).map(bits),
            skmem: details.memory.as_ref().map(memory),
        }
    }
}

fn memory(m: &SocketMemory) -> Memory {
    Memory {
        rmem_alloc: m.rmem_alloc,
        rcvbuf: m.rcvbuf,
        wmem_alloc: m.wmem_alloc,
        sndbuf: m.sndbuf,
        fwd_alloc: m.fwd_alloc,
        wmem_queued: m.wmem_queued,
        optmem: m.optmem,
        backlog: m.backlog,
        drops: m.drops,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nettables::tcp_info::Congestion;

    fn details() -> TcpDetails {
        let mut i = TcpInfo::default();
        (i.options, i.snd_wscale, i.rcv_wscale) = (7, 7, 10);
        (i.rto, i.rtt, i.rttvar) = (204_000, 27, 1_500);
        (i.snd_mss, i.rcv_mss, i.snd_cwnd) = (32_768, 536, 10);
        (i.snd_ssthresh, i.total_retrans) = (TcpInfo::INFINITE_SSTHRESH, 2);
        (i.bytes_acked, i.bytes_received) = (Some(6), Some(1));
        (i.delivery_rate, i.pacing_rate) = (Some(186_181_818), Some(u64::MAX));
        let mut memory = SocketMemory::default();
        (memory.rcvbuf, memory.sndbuf, memory.backlog) = (131_072, 2_626_560, None);
        let mut details = TcpDetails::default();
        details.info = Some(i);
        details.congestion = Congestion::from_kernel(b"cu\x1bbic\0");
        details.memory = Some(memory);
        details
    }

    #[test]
    fn text_line_uses_ss_tokens() {
        let mut out = Vec::new();
        write_line(&mut out, &details()).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\t cu?bic wscale:7,10 rto:204 rtt:0.027/1.5 mss:32768 rcvmss:536 cwnd:10 bytes_acked:6 \
             bytes_received:1 retrans:0/2 lost:0 delivery_rate:1.5Gbps skmem:(r0,rb131072,t0,tb2626560,f0,w0,o0,bl0,d0)\n"
        );
        let mut out = Vec::new();
        let mut named = TcpDetails::default();
        named.congestion = Congestion::from_kernel(b"bbr");
        write_line(&mut out, &named).unwrap();
        assert_eq!(out, b"\t bbr\n", "a listener-less socket with only a name");
    }

    #[test]
    fn json_object_has_nulls_for_what_is_missing() {
        let details = details();
        let v = serde_json::to_value(Record::new(&details)).unwrap();
        assert_eq!(v["congestion"], "cu\u{1b}bic");
        assert_eq!(
            (v["mss"].as_u64(), v["cwnd"].as_u64(), v["rto_us"].as_u64()),
            (Some(32_768), Some(10), Some(204_000))
        );
        assert!(
            v["ssthresh"].is_null() && v["pacing_rate_bps"].is_null() && v["bytes_sent"].is_null()
        );
        assert_eq!(v["delivery_rate_bps"], 1_489_454_544u64);
        assert!(v["skmem"]["backlog"].is_null());
        let empty = TcpDetails::default();
        let v = serde_json::to_value(Record::new(&empty)).unwrap();
        assert!(
            v.as_object()
                .unwrap()
                .values()
                .all(serde_json::Value::is_null)
        );
    }

    #[test]
    fn units() {
        assert_eq!(
            (millis(204_000), millis(27), millis(1_500), millis(0)),
            ("204".into(), "0.027".into(), "1.5".into(), "0".into())
        );
        assert_eq!(bits_per_second(100), "800bps");
        assert_eq!(bits_per_second(125_000), "1.0Mbps");
        assert_eq!(bits_per_second(u64::MAX / 8), "18446744073.7Gbps");
    }
}
