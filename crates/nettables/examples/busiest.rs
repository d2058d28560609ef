//! Prints the five busiest TCP connections every second, with their owners and what opened
//! and closed since the last look: `cargo run --release --example busiest`.

use std::time::Duration;

use nettables::inet::{Family, Protocol};
use nettables::watch::{Change, Sampler, SamplerConfig};

fn main() -> Result<(), nettables::Error> {
    let config = SamplerConfig::default()
        .tables(vec![
            (Protocol::Tcp, Family::Inet),
            (Protocol::Tcp, Family::Inet6),
        ])
        .owners(true);
    let mut sampler = Sampler::new(config);
    loop {
        let sample = sampler.sample()?;
        let (mut opened, mut closed) = (0, 0);
        for change in sample.changes {
            match change {
                Change::Opened { .. } => opened += 1,
                Change::Closed { .. } => closed += 1,
                Change::State { .. } => {}
            }
        }
        let current = sample.current;
        println!(
            "{} sockets, {opened} opened, {closed} closed, sampled in {:?}",
            current.sockets().len(),
            current.took()
        );
        let mut busiest: Vec<_> = current.sockets().iter().collect();
        busiest.sort_by(|a, b| b.rates.total().total_cmp(&a.rates.total()));
        for observed in busiest.iter().take(5) {
            let owner = observed.owner.as_ref().map_or_else(
                || "-".to_string(),
                |o| format!("{}/{}", o.pid, String::from_utf8_lossy(&o.argv0)),
            );
            println!(
                "  {:<24} {:<24} in {:>12.0} B/s  out {:>12.0} B/s  {owner}",
                observed.socket.local, observed.socket.remote, observed.rates.rx, observed.rates.tx
            );
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}
