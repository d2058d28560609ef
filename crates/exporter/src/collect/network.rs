//! Interface counters of `/proc/net/dev`: `netstat_network_{receive,transmit}_*_total`.

use nettables::iface::Counters;

use crate::exposition::{Collection, Kind, Value};

/// Reads one counter of a device.
type Field = fn(&Counters) -> u64;

/// Family name suffix, help, and the field of each counter.
const COUNTERS: [(&str, &str, Field); 8] = [
    ("receive_bytes", "Bytes received", |c| c.rx_bytes),
    ("receive_packets", "Packets received", |c| c.rx_packets),
    ("receive_errors", "Receive errors", |c| c.rx_errors),
    ("receive_drops", "Received packets dropped", |c| {
        c.rx_dropped
    }),
    ("transmit_bytes", "Bytes sent", |c| c.tx_bytes),
    ("transmit_packets", "Packets sent", |c| c.tx_packets),
    ("transmit_errors", "Transmit errors", |c| c.tx_errors),
    ("transmit_drops", "Packets dropped on sending", |c| {
        c.tx_dropped
    }),
];

pub fn collect(out: &mut Collection) -> Result<(), String> {
    let devices = nettables::iface::device_counters().map_err(|e| e.to_string())?;
    for (suffix, help, field) in COUNTERS {
        let family = out.family(
            &format!("netstat_network_{suffix}_total"),
            &format!("{help} by the interface (/proc/net/dev)."),
            Kind::Counter,
        );
        for (name, counters) in &devices {
            family.push(
                vec![("device", String::from_utf8_lossy(name).into_owned())],
                Value::Unsigned(field(counters)),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn loopback_is_listed() {
        let mut out = Collection::default();
        collect(&mut out).expect("/proc/net/dev");
        assert_eq!(out.families.len(), 8);
        let bytes = &out.families[0];
        assert_eq!(bytes.name, "netstat_network_receive_bytes_total");
        assert!(
            bytes
                .samples
                .iter()
                .any(|s| s.labels == vec![("device", "lo".to_string())]),
            "{bytes:?}"
        );
    }
}
