//! `netstat_audit_findings{check,severity}`: the findings of `netstat --audit`'s checks
//! ([`nettables::audit`]), counted. Every check that runs gets a series for each severity,
//! 0 when clean, so that an alert can fire on `> 0`.
//!
//! The snapshot is the one `netstat --audit` takes, except for socket owners: they come from
//! the exporter's owner cache ([`crate::owners`]), so they can be as stale as the programs
//! collector's, and a socket whose owner is not found yet counts as one of an unknown process.

use nettables::audit::{self, CHECKS, Process, Severity, collect};

use super::Request;
use crate::exposition::{Collection, Kind, Value};

/// Runs the checks in the calling thread's namespace. Fails when part of the snapshot could
/// not be read; the findings of what could be read are exported all the same.
pub fn collect(request: &Request, metrics: &mut Collection) -> Result<(), String> {
    let (mut snapshot, notes) = collect::collect_without_owners();
    if let Some(owners) = &request.owners {
        let inodes: Vec<u64> = snapshot.sockets.iter().map(|s| s.inet.inode).collect();
        let resolved = owners.resolve(&inodes);
        snapshot.processes = resolved
            .programs
            .into_iter()
            .zip(resolved.pids)
            .map(|(name, pid)| Process {
                pid,
                name,
                exe: collect::executable_name(pid),
            })
            .collect();
        for (sock, owner) in snapshot.sockets.iter_mut().zip(resolved.owners) {
            sock.owner = owner.map(|index| index as usize);
        }
    }
    let config = request.audit.as_deref().cloned().unwrap_or_default();
    let findings = audit::audit(&snapshot, &config);
    let family = metrics.family(
        "netstat_audit_findings",
        "Findings of netstat --audit's checks, by check and severity (0 when clean).",
        Kind::Gauge,
    );
    for check in CHECKS.iter().filter(|c| !config.skip.contains(c.id)) {
        for severity in Severity::ALL {
            let count = findings
                .iter()
                .filter(|f| f.check == check.id && f.severity == severity)
                .count();
            family.push(
                vec![
                    ("check", check.id.to_string()),
                    ("severity", severity.name().to_string()),
                ],
                Value::Unsigned(count as u64),
            );
        }
    }
    if notes.is_empty() {
        Ok(())
    } else {
        Err(notes.join("; "))
    }
}
