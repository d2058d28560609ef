//! Rates of the protocol counters and interface counters that the States view shows, from
//! the difference between two readings.

use std::time::Instant;

use nettables::counters::CounterSection;
use rustc_hash::FxHashMap;

use super::model::{Counter, Interface};
use crate::text;

/// The counters shown: label, section and key in `/proc/net/snmp` or `/proc/net/netstat`.
pub const KEY_COUNTERS: &[(&str, &str, &str)] = &[
    ("retransmitted segments", "Tcp", "RetransSegs"),
    ("listen queue overflows", "TcpExt", "ListenOverflows"),
    ("listen drops", "TcpExt", "ListenDrops"),
    ("resets sent", "Tcp", "OutRsts"),
    ("connections reset", "Tcp", "EstabResets"),
    ("failed connection attempts", "Tcp", "AttemptFails"),
    ("active opens", "Tcp", "ActiveOpens"),
    ("passive opens", "Tcp", "PassiveOpens"),
];

/// The key counters from one reading to the next.
#[derive(Default)]
pub struct CounterRates {
    previous: Option<(Instant, Vec<Option<u64>>)>,
    counters: Vec<Counter>,
}

impl CounterRates {
    /// Takes a reading of `sections` made at `now`; returns every key counter that is there.
    pub fn update(&mut self, sections: &[CounterSection], now: Instant) -> &[Counter] {
        let values: Vec<Option<u64>> = KEY_COUNTERS
            .iter()
            .map(|&(_, section, key)| value(sections, section, key))
            .collect();
        if self.counters.len() != KEY_COUNTERS.len() {
            self.counters = KEY_COUNTERS
                .iter()
                .map(|&(label, _, _)| Counter {
                    label,
                    total: 0,
                    rate: 0.0,
                    history: Default::default(),
                })
                .collect();
        }
        for (i, counter) in self.counters.iter_mut().enumerate() {
            let now_value = values[i];
            counter.total = now_value.unwrap_or(0);
            let before = self
                .previous
                .as_ref()
                .and_then(|(at, old)| Some((*at, old[i]?)));
            let (rate, delta) = match (before, now_value) {
                (Some((at, old)), Some(new)) => {
                    let delta = new.saturating_sub(old);
                    let seconds = now.saturating_duration_since(at).as_secs_f64();
                    let rate = if seconds > 0.0 {
                        delta as f64 / seconds
                    } else {
                        0.0
                    };
                    (rate, delta)
                }
                _ => (0.0, 0),
            };
            counter.rate = rate;
            if before.is_some() {
                counter.history.push(delta);
            }
        }
        self.previous = Some((now, values));
        &self.counters
    }
}

fn value(sections: &[CounterSection], section: &str, key: &str) -> Option<u64> {
    let section = sections.iter().find(|s| s.name == section)?;
    section
        .counters
        .iter()
        .find(|(k, _)| k == key)
        .map(|&(_, v)| v)
}

/// Interface byte, packet and error counters from one reading to the next.
#[derive(Default)]
pub struct InterfaceRates {
    previous: FxHashMap<Box<[u8]>, nettables::iface::Counters>,
    at: Option<Instant>,
}

impl InterfaceRates {
    /// Takes a reading made at `now` of each interface's name and counters; returns their
    /// rates in the same order (zero for an interface seen the first time).
    pub fn update<'a>(
        &mut self,
        readings: impl Iterator<Item = (&'a [u8], nettables::iface::Counters)>,
        now: Instant,
        out: &mut Vec<Interface>,
    ) {
        let seconds = self
            .at
            .map_or(0.0, |at| now.saturating_duration_since(at).as_secs_f64());
        let mut next = FxHashMap::default();
        for (name, counters) in readings {
            let mut interface = Interface {
                name: text::display(name),
                ..Interface::default()
            };
            if let Some(old) = self.previous.get(name)
                && seconds > 0.0
            {
                let per_second = |new: u64, old: u64| new.saturating_sub(old) as f64 / seconds;
                interface.rx_bytes = per_second(counters.rx_bytes, old.rx_bytes);
                interface.tx_bytes = per_second(counters.tx_bytes, old.tx_bytes);
                interface.rx_packets = per_second(counters.rx_packets, old.rx_packets);
                interface.tx_packets = per_second(counters.tx_packets, old.tx_packets);
                interface.errors = per_second(
                    counters.rx_errors
                        + counters.rx_dropped
                        + counters.tx_errors
                        + counters.tx_dropped,
                    old.rx_errors + old.rx_dropped + old.tx_errors + old.tx_dropped,
                );
            }
            out.push(interface);
            next.insert(Box::from(name), counters);
        }
        self.previous = next;
        self.at = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn sections(retrans: u64, drops: u64) -> Vec<CounterSection> {
        let section = |name: &str, key: &str, value| {
            let mut section = CounterSection::default();
            section.name = name.into();
            section.counters = vec![(key.into(), value)];
            section
        };
        vec![
            section("Tcp", "RetransSegs", retrans),
            section("TcpExt", "ListenDrops", drops),
        ]
    }

    #[test]
    fn counter_rates_come_from_deltas() {
        let mut rates = CounterRates::default();
        let t0 = Instant::now();
        let first = rates.update(&sections(100, 7), t0);
        assert_eq!((first[0].total, first[0].rate), (100, 0.0));
        assert_eq!(first[0].history.len(), 0);
        let second = rates.update(&sections(110, 7), t0 + Duration::from_secs(2));
        assert_eq!(second[0].rate, 5.0);
        assert_eq!(second[0].history.last(1), vec![10]);
        assert_eq!(second[2].rate, 0.0);
        assert_eq!(second[1].total, 0, "ListenOverflows is not there");
        // A counter that went down (the namespace was replaced) gives no negative rate.
        let third = rates.update(&sections(5, 7), t0 + Duration::from_secs(3));
        assert_eq!(third[0].rate, 0.0);
    }

    #[test]
    fn interface_rates_per_name() {
        let mut rates = InterfaceRates::default();
        let t0 = Instant::now();
        let counters = |bytes| {
            let mut c = nettables::iface::Counters::default();
            (c.rx_bytes, c.tx_bytes, c.rx_dropped) = (bytes, bytes * 2, bytes / 100);
            c
        };
        let mut out = Vec::new();
        rates.update([(&b"lo"[..], counters(1000))].into_iter(), t0, &mut out);
        assert_eq!(out[0].rx_bytes, 0.0);
        out.clear();
        rates.update(
            [
                (&b"lo"[..], counters(3000)),
                (&b"ev\x1bil"[..], counters(1)),
            ]
            .into_iter(),
            t0 + Duration::from_secs(2),
            &mut out,
        );
        assert_eq!(
            (out[0].rx_bytes, out[0].tx_bytes, out[0].errors),
            (1000.0, 2000.0, 10.0)
        );
        assert_eq!(out[1].name, "ev?il");
        assert_eq!(out[1].rx_bytes, 0.0, "new interface");
    }
}
