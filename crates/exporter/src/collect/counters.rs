//! Every counter of `/proc/net/snmp`, `/proc/net/netstat` and `/proc/net/snmp6`, one family
//! each, named `netstat_<section>_<key>_total` ([`metric_name`]; gauges without `_total`).

use nettables::counters::{self, CounterFile};
use rustc_hash::FxHashSet;

use crate::exposition::{Collection, Kind, Value, valid_name};

/// The files, and whether each must exist (IPv6 and the Linux extensions may be missing).
const FILES: [(CounterFile, bool); 3] = [
    (CounterFile::Snmp, true),
    (CounterFile::Netstat, false),
    (CounterFile::Snmp6, false),
];

/// The values that are levels or settings, not counts since boot.
const GAUGES: &[(&str, &str)] = &[
    ("Ip", "Forwarding"),
    ("Ip", "DefaultTTL"),
    ("Tcp", "RtoAlgorithm"),
    ("Tcp", "RtoMin"),
    ("Tcp", "RtoMax"),
    ("Tcp", "MaxConn"),
    ("Tcp", "CurrEstab"),
];

/// Whether `section: key` is a gauge.
pub fn is_gauge(section: &str, key: &str) -> bool {
    GAUGES.contains(&(section, key))
}

/// The metric name of a counter (the rules and examples are in `docs/exporter.md`): `netstat_`, the section in lower case, `_`, the key in
/// snake_case, and `_total` for counters. In `/proc/net/snmp6` keys repeat their section
/// (`Ip6InReceives` in `Ip6`), which is dropped first.
///
/// ```text
/// Tcp: RetransSegs          -> netstat_tcp_retrans_segs_total
/// TcpExt: ListenOverflows   -> netstat_tcpext_listen_overflows_total
/// TcpExt: TCPSynRetrans     -> netstat_tcpext_tcp_syn_retrans_total
/// TcpExt: DelayedACKs       -> netstat_tcpext_delayed_acks_total
/// Ip6: Ip6InReceives        -> netstat_ip6_in_receives_total
/// Tcp: CurrEstab (gauge)    -> netstat_tcp_curr_estab
/// ```
pub fn metric_name(section: &str, key: &str) -> String {
    let key = match key.strip_prefix(section) {
        Some(rest) if !rest.is_empty() => rest,
        _ => key,
    };
    let mut name = String::with_capacity(16 + section.len() + key.len());
    name.push_str("netstat_");
    for c in section.chars() {
        name.push(if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            '_'
        });
    }
    name.push('_');
    snake_case(key, &mut name);
    if !is_gauge(section, key) {
        name.push_str("_total");
    }
    name
}

/// CamelCase to snake_case. A word starts at an upper-case letter after a lower-case letter or
/// a digit, and at the last capital of an acronym followed by a lower-case letter (`TCPSyn` →
/// `tcp_syn`), except a plural `s` (`ACKs` → `acks`, `RTOs` → `rtos`). A one-letter word joins
/// the next (`HMac` → `hmac`, `ReqQFull` → `req_qfull`): alone it would read as a unit (`h`,
/// `s`, `m`), which promtool's lint refuses. Anything not a letter or digit separates words.
fn snake_case(word: &str, out: &mut String) {
    let chars: Vec<char> = word.chars().collect();
    let mut words: Vec<String> = vec![String::new()];
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            words.push(String::new());
            continue;
        }
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next = chars.get(i + 1).copied();
            let after = chars.get(i + 2).copied();
            let plural = next == Some('s') && after.is_none_or(|a| !a.is_ascii_lowercase());
            let acronym_end = prev.is_ascii_uppercase()
                && next.is_some_and(|n| n.is_ascii_lowercase())
                && !plural;
            if prev.is_ascii_lowercase() || prev.is_ascii_digit() || acronym_end {
                words.push(String::new());
            }
        }
        if let Some(last) = words.last_mut() {
            last.push(c.to_ascii_lowercase());
        }
    }
    words.retain(|w| !w.is_empty());
    let mut first = true;
    let mut glue = false;
    for w in &words {
        if !first && !glue {
            out.push('_');
        }
        out.push_str(w);
        first = false;
        glue = w.len() == 1 && w.chars().all(|c| c.is_ascii_alphabetic());
    }
}

/// Adds every counter of the three files.
pub fn collect(out: &mut Collection) -> Result<(), String> {
    let mut seen = FxHashSet::default();
    for (file, required) in FILES {
        let parsed = match counters::load(file) {
            Ok(parsed) => parsed,
            Err(e) if !required && e.is_not_available() => continue,
            Err(e) => return Err(e.to_string()),
        };
        for section in &parsed.sections {
            for (key, value) in &section.counters {
                let name = metric_name(&section.name, key);
                // A name the kernel could make twice, or one no parser accepts, is left out.
                if !valid_name(&name) || !seen.insert(name.clone()) {
                    continue;
                }
                let gauge = is_gauge(&section.name, key);
                let help = format!("{}: {key} ({})", section.name, file.path());
                let family = out.family(
                    &name,
                    &help,
                    if gauge { Kind::Gauge } else { Kind::Counter },
                );
                // Gauges may be negative (`MaxConn` is -1): the parser wraps them like strtoull.
                let value = if gauge {
                    Value::Signed(*value as i64)
                } else {
                    Value::Unsigned(*value)
                };
                family.push(Vec::new(), value);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_the_issue_and_the_docs() {
        // Section, key and the metric name, one case a line.
        let cases = "
            Tcp      RetransSegs          netstat_tcp_retrans_segs_total
            TcpExt   ListenOverflows      netstat_tcpext_listen_overflows_total
            TcpExt   TCPSynRetrans        netstat_tcpext_tcp_syn_retrans_total
            TcpExt   DelayedACKs          netstat_tcpext_delayed_acks_total
            TcpExt   DelayedACKLost       netstat_tcpext_delayed_ack_lost_total
            TcpExt   TCPSpuriousRTOs      netstat_tcpext_tcp_spurious_rtos_total
            TcpExt   TCPMD5NotFound       netstat_tcpext_tcpmd5_not_found_total
            TcpExt   TW                   netstat_tcpext_tw_total
            TcpExt   ListenDrops          netstat_tcpext_listen_drops_total
            TcpExt   SyncookiesSent       netstat_tcpext_syncookies_sent_total
            Udp      RcvbufErrors         netstat_udp_rcvbuf_errors_total
            Udp6     Udp6InErrors         netstat_udp6_in_errors_total
            TcpExt   PAWSEstab            netstat_tcpext_paws_estab_total
            IpExt    InNoECTPkts          netstat_ipext_in_no_ect_pkts_total
            IcmpMsg  InType3              netstat_icmpmsg_in_type3_total
            MPTcpExt MPJoinAckHMacFailure netstat_mptcpext_mp_join_ack_hmac_failure_total
            TcpExt   TCPReqQFullDoCookies netstat_tcpext_tcp_req_qfull_do_cookies_total
            Ip6      Ip6InReceives        netstat_ip6_in_receives_total
            Icmp6    Icmp6InType134       netstat_icmp6_in_type134_total
            UdpLite6 UdpLite6InErrors     netstat_udplite6_in_errors_total
            MPTcpExt MPCapableSYNRX       netstat_mptcpext_mp_capable_synrx_total
            Tcp      CurrEstab            netstat_tcp_curr_estab
            Tcp      RtoMin               netstat_tcp_rto_min
            Ip       DefaultTTL           netstat_ip_default_ttl
        ";
        for case in cases.lines().filter(|l| !l.trim().is_empty()) {
            let [section, key, want] = case.split_whitespace().collect::<Vec<_>>()[..] else {
                panic!("{case}");
            };
            assert_eq!(metric_name(section, key), want, "{section}: {key}");
        }
    }

    #[test]
    fn odd_text_still_makes_valid_names() {
        assert_eq!(metric_name("A-b", "xx.yy"), "netstat_a_b_xx_yy_total");
        assert!(valid_name(&metric_name("Ip6", "Ip6")));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn every_live_key_gets_a_valid_unique_name() {
        let mut out = Collection::default();
        collect(&mut out).expect("counters");
        let names: Vec<&str> = out.families.iter().map(|f| f.name.as_str()).collect();
        assert!(
            names.contains(&"netstat_tcp_retrans_segs_total"),
            "{names:?}"
        );
        assert!(names.contains(&"netstat_tcp_curr_estab"));
        let mut dedup = names.clone();
        dedup.sort_unstable();
        dedup.dedup();
        assert_eq!(dedup.len(), names.len());
        for family in &out.families {
            assert!(valid_name(&family.name), "{}", family.name);
            assert_eq!(
                family.kind == Kind::Counter,
                family.name.ends_with("_total")
            );
            assert_eq!(family.samples.len(), 1);
        }
        let max_conn = out
            .families
            .iter()
            .find(|f| f.name == "netstat_tcp_max_conn")
            .expect("MaxConn");
        assert_eq!(max_conn.samples[0].value, Value::Signed(-1));
    }
}
