//! Numbers as a person reads them: rates and sizes in binary units, round-trip times, bars
//! and sparklines.

use std::time::Duration;

const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/// `0 B`, `512 B`, `1.9 KiB`, `23.4 MiB`, `118 GiB`: one decimal below 100 of a unit.
pub fn bytes(n: f64) -> String {
    let mut value = n.max(0.0);
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value:.0} B")
    } else if value < 99.95 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

/// `1.9 MiB/s`.
pub fn rate(bytes_per_second: f64) -> String {
    format!("{}/s", bytes(bytes_per_second))
}

/// Events per second: `0/s`, `0.5/s`, `12/s`, `1.2k/s`.
pub fn per_second(events: f64) -> String {
    let events = events.max(0.0);
    if events == 0.0 {
        "0/s".to_string()
    } else if events < 10.0 {
        format!("{events:.1}/s")
    } else if events < 10_000.0 {
        format!("{events:.0}/s")
    } else {
        format!("{:.1}k/s", events / 1000.0)
    }
}

/// A round-trip time given in microseconds: `0.05 ms`, `12.3 ms`, `1.20 s`.
pub fn rtt(us: u32) -> String {
    let ms = f64::from(us) / 1000.0;
    if ms < 1.0 {
        format!("{ms:.2} ms")
    } else if ms < 1000.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// A short duration: `850 µs`, `12 ms`, `1.2 s`.
pub fn duration(d: Duration) -> String {
    let us = d.as_micros();
    if us < 1000 {
        format!("{us} µs")
    } else if us < 10_000_000 {
        format!("{} ms", us / 1000)
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// An interval as `-c` takes it: `1 s`, `0.5 s`.
pub fn interval(d: Duration) -> String {
    let text = format!("{:.2}", d.as_secs_f64());
    format!("{} s", text.trim_end_matches('0').trim_end_matches('.'))
}

/// `fill` of `capacity` as a bar of `width` cells: `████░░░░░░`. A bar with anything in it
/// shows at least one full cell.
pub fn bar(fill: u32, capacity: u32, width: usize) -> String {
    let full = if capacity == 0 || fill == 0 {
        usize::from(fill > 0) * width
    } else {
        let cells = (u64::from(fill.min(capacity)) * width as u64).div_ceil(u64::from(capacity));
        cells as usize
    };
    let full = full.min(width);
    let mut text = "█".repeat(full);
    text.push_str(&"░".repeat(width - full));
    text
}

const TICKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The last `width` values as a sparkline scaled to their largest; older values on the left,
/// blanks where there is no history yet. Zero is the lowest tick, so a line is always seen.
pub fn sparkline(values: &[u64], width: usize) -> String {
    let shown = &values[values.len().saturating_sub(width)..];
    let max = shown.iter().copied().max().unwrap_or(0);
    let mut line = " ".repeat(width - shown.len());
    for &value in shown {
        let level = if max == 0 {
            0
        } else {
            ((value as u128 * 7).div_ceil(max as u128)) as usize
        };
        line.push(TICKS[level.min(7)]);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_rates_in_binary_units() {
        assert_eq!(bytes(0.0), "0 B");
        assert_eq!(bytes(1023.0), "1023 B");
        assert_eq!(bytes(1024.0), "1.0 KiB");
        assert_eq!(rate(2_000_000.0), "1.9 MiB/s");
        assert_eq!(rate(99.97 * 1024.0 * 1024.0), "100 MiB/s");
        assert_eq!(bytes(5.0 * 1024f64.powi(6)), "5120 PiB");
        assert_eq!(bytes(-3.0), "0 B");
    }

    #[test]
    fn counts_times_and_intervals() {
        assert_eq!(per_second(0.0), "0/s");
        assert_eq!(per_second(0.5), "0.5/s");
        assert_eq!(per_second(123.4), "123/s");
        assert_eq!(per_second(12_345.0), "12.3k/s");
        assert_eq!(rtt(50), "0.05 ms");
        assert_eq!(rtt(12_345), "12.3 ms");
        assert_eq!(rtt(1_200_000), "1.20 s");
        assert_eq!(duration(Duration::from_micros(850)), "850 µs");
        assert_eq!(duration(Duration::from_millis(12)), "12 ms");
        assert_eq!(duration(Duration::from_secs(12)), "12.0 s");
        assert_eq!(interval(Duration::from_secs(1)), "1 s");
        assert_eq!(interval(Duration::from_millis(500)), "0.5 s");
    }

    #[test]
    fn bars_round_up_and_stay_in_width() {
        assert_eq!(bar(0, 128, 4), "░░░░");
        assert_eq!(bar(1, 128, 4), "█░░░");
        assert_eq!(bar(64, 128, 4), "██░░");
        assert_eq!(bar(500, 128, 4), "████");
        assert_eq!(bar(3, 0, 2), "██");
    }

    #[test]
    fn sparklines_scale_to_their_window() {
        assert_eq!(sparkline(&[], 3), "   ");
        assert_eq!(sparkline(&[0, 0], 3), " ▁▁");
        assert_eq!(sparkline(&[1, 2, 4, 8], 4), "▂▃▅█");
        assert_eq!(
            sparkline(&[100, 1, 2], 2),
            "▅█",
            "only the shown values scale"
        );
    }
}
