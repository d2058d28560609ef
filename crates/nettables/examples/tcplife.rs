//! Every TCP connection as it closes, with its owner, duration and bytes, like bcc's tcplife.
//!
//! `cargo run --example tcplife`; stop it with Ctrl-C.

use nettables::watch::events::{Event, EventKind, EventSource, EventsConfig};

fn main() -> Result<(), nettables::Error> {
    let mut source = EventSource::new(EventsConfig {
        udp: false,
        ..EventsConfig::default()
    })?;
    let mut batch = Vec::new();
    loop {
        batch.clear();
        source.poll(&mut batch)?;
        for event in &batch {
            match event {
                Event::Socket(e) if e.kind == EventKind::Close => {
                    let counters = e.counters.unwrap_or_default();
                    let pid = e.owner.as_ref().map(|o| o.pid);
                    println!(
                        "{:?} {} -> {} tx {} rx {} ms {:?}",
                        pid,
                        e.socket.local,
                        e.socket.remote,
                        counters.bytes_acked,
                        counters.bytes_received,
                        e.duration.map(|d| d.as_millis()),
                    );
                }
                Event::Lost { overflows, .. } => println!("lost ({overflows} overflows)"),
                Event::Socket(_) => {}
            }
        }
    }
}
