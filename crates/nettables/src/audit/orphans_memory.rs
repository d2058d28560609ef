//! `orphans-memory`: orphaned TCP sockets against `tcp_max_orphans`, and TCP memory against
//! `tcp_mem`, from `/proc/net/sockstat`. Both limits are machine-wide and only readable in the
//! initial network namespace; where they cannot be read this check finds nothing.

use crate::sockstat::Sockstat;

use super::{Config, Finding, Severity, Snapshot};

pub const ID: &str = "orphans-memory";

pub fn check(snapshot: &Snapshot, _config: &Config) -> Vec<Finding> {
    let Some(stat) = &snapshot.sockstat else {
        return Vec::new();
    };
    [orphans(snapshot, stat), memory(snapshot, stat)]
        .into_iter()
        .flatten()
        .collect()
}

/// The severity of `value` against a limit: warning from `warning`, critical from `critical`.
fn against(value: u64, warning: u64, critical: u64) -> Option<Severity> {
    if value >= critical {
        Some(Severity::Critical)
    } else if value >= warning {
        Some(Severity::Warning)
    } else {
        None
    }
}

/// Orphaned sockets against `tcp_max_orphans`: a warning from half of it.
fn orphans(snapshot: &Snapshot, stat: &Sockstat) -> Option<Finding> {
    let orphans = stat.tcp.orphan;
    let &[max] = snapshot
        .sysctl_numbers("net.ipv4.tcp_max_orphans")?
        .as_slice()
    else {
        return None;
    };
    let max = max.unsigned_abs();
    let severity = against(orphans, max.div_ceil(2), max)?;
    Some(Finding {
        check: ID,
        severity,
        message: format!(
            "{orphans} orphaned TCP sockets, {}% of net.ipv4.tcp_max_orphans ({max})",
            percent(orphans, max)
        ),
        evidence: vec![
            format!(
                "sockstat: TCP orphan {orphans}, inuse {}, alloc {}",
                stat.tcp.inuse, stat.tcp.alloc
            ),
            snapshot.sysctl_line("net.ipv4.tcp_max_orphans"),
            snapshot.sysctl_line("net.ipv4.tcp_orphan_retries"),
            snapshot.sysctl_line("net.ipv4.tcp_fin_timeout"),
        ],
        advice: "orphans are sockets their program closed that still send data or wait for the peer; many \
                 point at peers that stopped reading; past the limit the kernel resets them (\"too many \
                 orphaned sockets\" in dmesg); lower net.ipv4.tcp_orphan_retries and net.ipv4.tcp_fin_timeout \
                 to shorten their life (values above)"
            .to_string(),
    })
}

/// TCP memory against `tcp_mem`: a warning from its pressure level, critical at the hard limit.
fn memory(snapshot: &Snapshot, stat: &Sockstat) -> Option<Finding> {
    let &[_, pressure, high] = snapshot.sysctl_numbers("net.ipv4.tcp_mem")?.as_slice() else {
        return None;
    };
    let pages = stat.tcp.mem;
    let severity = against(pages, pressure.unsigned_abs(), high.unsigned_abs())?;
    let (at, limit) = match severity {
        Severity::Critical => ("at", "hard"),
        _ => ("above", "pressure"),
    };
    Some(Finding {
        check: ID,
        severity,
        message: format!("TCP uses {pages} pages of memory, {at} the {limit} limit of net.ipv4.tcp_mem"),
        evidence: vec![
            format!("sockstat: TCP mem {pages} pages"),
            snapshot.sysctl_line("net.ipv4.tcp_mem"),
        ],
        advice: "TCP is shrinking socket buffers (and at the hard limit drops data): find the sockets with \
                 long queues (netstat -tn, Recv-Q and Send-Q) and the programs that do not read them, or \
                 raise net.ipv4.tcp_mem (low pressure high, in pages; value above) if the machine has the memory"
            .to_string(),
    })
}

fn percent(part: u64, whole: u64) -> u64 {
    if whole == 0 {
        100
    } else {
        (u128::from(part) * 100 / u128::from(whole))
            .try_into()
            .unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::tests::snapshot;
    use crate::sockstat::parse;

    #[test]
    fn orphans_and_memory_against_the_limits() {
        let mut snap = snapshot(Vec::new());
        snap.sockstat = Some(parse(
            b"TCP: inuse 10 orphan 600 tw 3 alloc 15 mem 5000\n",
            None,
        ));
        assert!(
            check(&snap, &Config::default()).is_empty(),
            "limits unknown (as in a namespace)"
        );
        snap.sysctls
            .insert("net.ipv4.tcp_max_orphans", "2048".into());
        snap.sysctls
            .insert("net.ipv4.tcp_mem", "4000\t6000\t8000".into());
        assert!(check(&snap, &Config::default()).is_empty());
        snap.sysctls
            .insert("net.ipv4.tcp_max_orphans", "1000".into());
        snap.sysctls
            .insert("net.ipv4.tcp_mem", "1000 5000 8000".into());
        let got: Vec<_> = check(&snap, &Config::default())
            .into_iter()
            .map(|f| (f.severity, f.message))
            .collect();
        assert_eq!(
            got,
            [
                (
                    Severity::Warning,
                    "600 orphaned TCP sockets, 60% of net.ipv4.tcp_max_orphans (1000)".to_string()
                ),
                (
                    Severity::Warning,
                    "TCP uses 5000 pages of memory, above the pressure limit of net.ipv4.tcp_mem"
                        .to_string()
                ),
            ]
        );
        snap.sysctls.insert("net.ipv4.tcp_max_orphans", "0".into());
        snap.sysctls.insert("net.ipv4.tcp_mem", "1 2 3".into());
        assert!(
            check(&snap, &Config::default())
                .iter()
                .all(|f| f.severity == Severity::Critical)
        );
        snap.sysctls.insert("net.ipv4.tcp_mem", "1 2".into());
        assert_eq!(
            check(&snap, &Config::default()).len(),
            1,
            "a malformed tcp_mem is skipped"
        );
    }
}
