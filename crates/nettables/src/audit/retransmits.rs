//! `retransmits`: the share of TCP segments sent again (`RetransSegs / OutSegs`).

use super::{Config, Finding, Snapshot, graded};

pub const ID: &str = "retransmits";

/// Below this many segments sent, the rate means little.
const MIN_SEGMENTS: u64 = 1000;

const DETAILS: &[(&str, &str)] = &[
    ("Tcp", "RetransSegs"),
    ("Tcp", "OutSegs"),
    ("TcpExt", "TCPTimeouts"),
    ("TcpExt", "TCPLostRetransmit"),
    ("TcpExt", "TCPSynRetrans"),
    ("TcpExt", "TCPFastRetrans"),
];

pub fn check(snapshot: &Snapshot, config: &Config) -> Vec<Finding> {
    let (Some(retrans), Some(out)) = (
        snapshot.counter("Tcp", "RetransSegs"),
        snapshot.counter("Tcp", "OutSegs"),
    ) else {
        return Vec::new();
    };
    if out < MIN_SEGMENTS {
        return Vec::new();
    }
    let percent = retrans as f64 * 100.0 / out as f64;
    let Some(severity) = graded(percent, config.retransmits) else {
        return Vec::new();
    };
    vec![Finding {
        check: ID,
        severity,
        message: format!("{percent:.1}% of TCP segments were retransmitted ({retrans} of {out}; threshold {}%)", config.retransmits),
        evidence: snapshot.counter_lines(DETAILS),
        advice: "the counters add up since boot (or since the namespace was made): look for loss on the path, \
                 interface errors (netstat -i) and the TcpExt details (netstat -s); netstat -to shows which \
                 connections are retransmitting now; if this rate is normal here, raise the threshold with \
                 --audit-set retransmits=PERCENT"
            .to_string(),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Severity;
    use crate::audit::tests::snapshot;
    use crate::counters::CounterSection;

    fn with(retrans: u64, out: u64) -> Snapshot {
        let mut snap = snapshot(Vec::new());
        snap.counters.push(CounterSection::new(
            "Tcp",
            &[("OutSegs", out), ("RetransSegs", retrans)],
        ));
        snap
    }

    #[test]
    fn rate_against_the_threshold() {
        let config = Config::default();
        assert!(check(&with(19, 1000), &config).is_empty());
        let f = &check(&with(20, 1000), &config)[0];
        assert_eq!(
            (f.severity, f.message.as_str()),
            (
                Severity::Warning,
                "2.0% of TCP segments were retransmitted (20 of 1000; threshold 2%)"
            )
        );
        assert_eq!(f.evidence, ["Tcp.RetransSegs = 20", "Tcp.OutSegs = 1000"]);
        assert_eq!(
            check(&with(200, 1000), &config)[0].severity,
            Severity::Critical
        );
        assert!(
            check(&with(500, 999), &config).is_empty(),
            "too few segments to judge"
        );
        assert!(
            check(&with(u64::MAX, u64::MAX), &config)[0]
                .message
                .starts_with("100.0%")
        );
        assert!(
            check(&snapshot(Vec::new()), &config).is_empty(),
            "no counters, no finding"
        );
    }
}
