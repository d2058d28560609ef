//! `interface-errors`: receive or transmit errors and drops above a small share of an
//! interface's packets.

use crate::iface::Counters;

use super::{Config, Finding, Snapshot, graded};

pub const ID: &str = "interface-errors";

/// Fewer bad packets than this are noise, whatever their share.
const MIN_BAD: u64 = 10;

pub fn check(snapshot: &Snapshot, config: &Config) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (name, c) in &snapshot.interfaces {
        for direction in [Direction::Rx, Direction::Tx] {
            let (packets, errors, dropped, detail) = direction.counters(c);
            let bad = errors.saturating_add(dropped);
            if bad < MIN_BAD {
                continue;
            }
            let percent = bad as f64 * 100.0 / packets.saturating_add(bad) as f64;
            let Some(severity) = graded(percent, config.interface_errors) else {
                continue;
            };
            let label = direction.label();
            findings.push(Finding {
                check: ID,
                severity,
                message: format!(
                    "{name}: {percent:.1}% of {label} packets failed ({errors} errors, {dropped} dropped; threshold {}%)",
                    config.interface_errors
                ),
                evidence: vec![format!("{name} {label}: {packets} packets, {errors} errors, {dropped} dropped, {detail}")],
                advice: format!(
                    "errors point at the link or driver (cable, duplex, `ethtool -S {name}`); drops at full rings or a \
                     busy CPU (`ethtool -g {name}`, {}); the counters add up since the interface came up; if this \
                     share is normal here, raise the threshold with --audit-set interface-errors=PERCENT",
                    snapshot.sysctl_line("net.core.netdev_max_backlog")
                ),
            });
        }
    }
    findings
}

#[derive(Clone, Copy)]
enum Direction {
    Rx,
    Tx,
}

impl Direction {
    fn label(self) -> &'static str {
        match self {
            Direction::Rx => "RX",
            Direction::Tx => "TX",
        }
    }

    /// Packets, errors, drops, and the details of the errors.
    fn counters(self, c: &Counters) -> (u64, u64, u64, String) {
        match self {
            Direction::Rx => (
                c.rx_packets,
                c.rx_errors,
                c.rx_dropped,
                format!("{} overruns, {} frame", c.rx_fifo, c.rx_frame),
            ),
            Direction::Tx => (
                c.tx_packets,
                c.tx_errors,
                c.tx_dropped,
                format!(
                    "{} overruns, {} carrier, {} collisions",
                    c.tx_fifo, c.tx_carrier, c.collisions
                ),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Severity;
    use crate::audit::tests::{config, outline, snapshot};

    #[test]
    fn shares_per_interface_and_direction() {
        let mut snap = snapshot(Vec::new());
        let counters = |set: fn(&mut Counters)| {
            let mut c = Counters::default();
            set(&mut c);
            c
        };
        let bad_rx = counters(|c| {
            (c.rx_packets, c.rx_errors, c.rx_dropped) = (990, 6, 4);
            (c.tx_packets, c.tx_dropped) = (1_000_000, 9);
        });
        let noisy = counters(|c| c.rx_errors = 9);
        let tx = counters(|c| (c.tx_packets, c.tx_errors, c.tx_carrier) = (100, 100, 100));
        let huge = counters(|c| {
            (c.rx_packets, c.rx_errors, c.rx_dropped) = (u64::MAX, u64::MAX, u64::MAX)
        });
        snap.interfaces = vec![
            ("eth0".into(), bad_rx),
            ("lo".into(), noisy),
            ("wan0".into(), tx),
            ("x".into(), huge),
        ];
        let findings = check(&snap, &Config::default());
        assert_eq!(
            outline(&findings),
            [
                (
                    Severity::Warning,
                    "eth0: 1.0% of RX packets failed (6 errors, 4 dropped; threshold 1%)"
                ),
                (
                    Severity::Critical,
                    "wan0: 50.0% of TX packets failed (100 errors, 0 dropped; threshold 1%)"
                ),
                (
                    Severity::Critical,
                    "x: 100.0% of RX packets failed (18446744073709551615 errors, 18446744073709551615 dropped; threshold 1%)"
                ),
            ]
        );
        assert_eq!(
            findings[1].evidence,
            ["wan0 TX: 100 packets, 100 errors, 0 dropped, 0 overruns, 100 carrier, 0 collisions"]
        );
        assert_eq!(
            check(&snap, &config(&[("interface-errors", "60")])).len(),
            1
        );
    }
}
