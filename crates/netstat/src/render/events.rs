//! `--events`: one line per connection event, as text columns (like bcc's tcplife) or as one
//! JSON object per line.
//!
//! Addresses and ports are always numbers: a stream must not wait on a name service.

use std::borrow::Cow;
use std::io::{self, Write};
use std::time::{Duration, SystemTime};

use nettables::inet::{InetSocket, State};
use nettables::watch::events::{CloseSource, Event, EventKind, SocketEvent};
use serde::Serialize;

use super::json::{Origin, Sink, SocketFields, Text, inet_state, push_plain, record};
use super::owner;
use crate::output::OutputFormat;
use crate::text;

/// Column widths of the text form.
const ENDPOINT: usize = 23;
const STATE: usize = 11;
const DURATION: usize = 8;
const BYTES: usize = 10;

/// The text header, with a `NETNS` column last when events come from namespaces.
pub fn write_header(out: &mut impl Write, netns: bool) -> io::Result<()> {
    let mut line = b"TIME        ".to_vec();
    line.push(b' ');
    for (title, width) in [
        (&b"EVENT"[..], 5),
        (b"PROTO", 5),
        (b"LOCAL", ENDPOINT),
        (b"REMOTE", ENDPOINT),
        (b"STATE", STATE),
        (b"PID/PROGRAM", owner::WIDTH - 1),
    ] {
        pad(&mut line, title, width);
    }
    right(&mut line, b"DURATION", DURATION);
    right(&mut line, b"SENT", BYTES);
    right(&mut line, b"RECEIVED", BYTES);
    line.extend_from_slice(if netns { b"  NETNS\n" } else { b"\n" });
    out.write_all(&line)
}

/// Writes events as text lines, reusing its buffers: no allocation per event.
#[derive(Default)]
pub struct TextWriter {
    line: Vec<u8>,
    /// One column's text, before it is padded into `line`.
    cell: Vec<u8>,
}

impl TextWriter {
    /// One event; `netns` is the label of the namespace it comes from, if shown.
    pub fn write(
        &mut self,
        out: &mut impl Write,
        event: &Event,
        netns: Option<&str>,
    ) -> io::Result<()> {
        let line = &mut self.line;
        line.clear();
        match event {
            Event::Lost { time, overflows } => {
                line.extend_from_slice(&clock(*time));
                line.extend_from_slice(b" lost  the kernel dropped events: ");
                line.extend_from_slice(itoa::Buffer::new().format(*overflows).as_bytes());
                line.extend_from_slice(b" receive buffer overflow(s)");
            }
            Event::Socket(e) => {
                line.extend_from_slice(&clock(e.time));
                line.push(b' ');
                pad(line, kind_name(e.kind).as_bytes(), 5);
                pad(line, e.socket.table().as_bytes(), 5);
                for addr in [e.socket.local, e.socket.remote] {
                    self.cell.clear();
                    push_plain(&mut self.cell, addr.ip());
                    self.cell.push(b':');
                    let mut port = itoa::Buffer::new();
                    self.cell
                        .extend_from_slice(port.format(addr.port()).as_bytes());
                    pad(line, &self.cell, ENDPOINT);
                }
                pad(line, inet_state(&e.socket).as_bytes(), STATE);
                match &e.owner {
                    Some(o) => pad(line, &owner::label(o), owner::WIDTH - 1),
                    None => pad(line, b"-", owner::WIDTH - 1),
                }
                self.cell.clear();
                match e.duration {
                    Some(d) => write!(self.cell, "{:.3}", d.as_secs_f64())?,
                    None => self.cell.push(b'-'),
                }
                right(line, &self.cell, DURATION);
                let (mut sent, mut received) = (itoa::Buffer::new(), itoa::Buffer::new());
                let (sent, received) = match (e.kind, e.counters) {
                    (EventKind::Close, Some(c)) => (
                        sent.format(c.bytes_acked),
                        received.format(c.bytes_received),
                    ),
                    _ => ("-", "-"),
                };
                right(line, sent.as_bytes(), BYTES);
                right(line, received.as_bytes(), BYTES);
                if let EventKind::State { from } = e.kind {
                    let from = state_name(&e.socket, from);
                    line.extend_from_slice(b"  was ");
                    line.extend_from_slice(from.as_bytes());
                }
            }
        }
        if let Some(label) = netns {
            line.extend_from_slice(b"  ");
            line.extend(text::sanitize(label.as_bytes()));
        }
        line.push(b'\n');
        out.write_all(line)
    }
}

/// `text` and a space, padded with spaces to `width` (never cut).
fn pad(line: &mut Vec<u8>, text: &[u8], width: usize) {
    line.extend_from_slice(text);
    line.resize(line.len() + width.saturating_sub(text.len()), b' ');
    line.push(b' ');
}

/// `text` right-aligned in `width`, after a space.
fn right(line: &mut Vec<u8>, text: &[u8], width: usize) {
    line.resize(line.len() + width.saturating_sub(text.len()), b' ');
    line.extend_from_slice(text);
}

/// The name `socket` would show in state `state`.
fn state_name(socket: &InetSocket, state: State) -> Cow<'static, str> {
    let mut then = *socket;
    then.state = state;
    inet_state(&then)
}

fn kind_name(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Open => "open",
        EventKind::Close => "close",
        EventKind::State { .. } => "state",
    }
}

/// One event of `--json-lines`.
#[derive(Serialize)]
struct SocketRecord<'a> {
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    origin: Option<Origin<'a>>,
    time: String,
    event: &'static str,
    #[serde(flatten)]
    socket: SocketFields<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_state: Option<Cow<'static, str>>,
    pid: Option<u32>,
    program: Option<Text<'a>>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    close: Option<CloseFields>,
}

/// What a `close` adds.
#[derive(Serialize)]
struct CloseFields {
    bytes_sent: Option<u64>,
    bytes_received: Option<u64>,
    retransmits: Option<u32>,
    rtt_us: Option<u32>,
    duration: Option<f64>,
    source: &'static str,
}

/// A `lost` event of `--json-lines`.
#[derive(Serialize)]
struct LostRecord<'a> {
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    origin: Option<Origin<'a>>,
    time: String,
    event: &'static str,
    overflows: u64,
}

/// Writes one event as a JSON line.
pub fn write_json(
    out: &mut impl Sink,
    event: &Event,
    origin: Option<Origin<'_>>,
) -> io::Result<()> {
    match event {
        Event::Lost { time, overflows } => record(
            out,
            OutputFormat::JsonLines,
            &LostRecord {
                origin,
                time: rfc3339(*time),
                event: "lost",
                overflows: *overflows,
            },
        ),
        Event::Socket(e) => write_socket(out, e, origin),
    }
}

fn write_socket(
    out: &mut impl Sink,
    e: &SocketEvent,
    origin: Option<Origin<'_>>,
) -> io::Result<()> {
    let (mut local, mut remote) = (Vec::with_capacity(48), Vec::with_capacity(48));
    push_plain(&mut local, e.socket.local.ip());
    push_plain(&mut remote, e.socket.remote.ip());
    let close = (e.kind == EventKind::Close).then(|| CloseFields {
        bytes_sent: e.counters.map(|c| c.bytes_acked),
        bytes_received: e.counters.map(|c| c.bytes_received),
        retransmits: e.counters.map(|c| c.retransmits),
        rtt_us: e.counters.map(|c| c.rtt_us),
        duration: e.duration.map(seconds),
        source: match e.source {
            CloseSource::Kernel => "kernel",
            CloseSource::Sampled => "sampled",
        },
    });
    let previous_state = match e.kind {
        EventKind::State { from } => Some(state_name(&e.socket, from)),
        _ => None,
    };
    let owner = e.owner.as_deref();
    record(
        out,
        OutputFormat::JsonLines,
        &SocketRecord {
            origin,
            time: rfc3339(e.time),
            event: kind_name(e.kind),
            socket: SocketFields::new(&e.socket, &local, &remote),
            previous_state,
            pid: owner.map(|o| o.pid),
            program: owner.map(|o| Text(o.program())),
            close,
        },
    )
}

/// Seconds, to the millisecond.
fn seconds(d: Duration) -> f64 {
    (d.as_millis() as f64) / 1000.0
}

/// `2026-12-07T18:45:01.123Z`: RFC 3339 in UTC, with milliseconds.
fn rfc3339(at: SystemTime) -> String {
    let since = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = since.as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60,
        since.subsec_millis()
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `18:45:01.123`, in local time.
fn clock(at: SystemTime) -> [u8; 12] {
    let since = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    let t = libc::time_t::try_from(since.as_secs()).unwrap_or(0);
    // SAFETY: an all-zero `tm` is valid, and localtime_r (the thread-safe form) only reads
    // `t` and writes the `tm` it is given.
    let tm = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        libc::localtime_r(&t, &mut tm);
        tm
    };
    let mut out = [0u8; 12];
    // Exactly 12 bytes for any time localtime_r gives; written in place, no allocation.
    let _ = write!(
        &mut out[..],
        "{:02}:{:02}:{:02}.{:03}",
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        since.subsec_millis()
    );
    out
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use nettables::inet::{Protocol, State};
    use nettables::process::Owner;
    use nettables::watch::TcpCounters;

    use super::*;
    use crate::render::tests::socket;

    struct Lines(Vec<u8>, crate::render::json::Framing);

    impl Write for Lines {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Sink for Lines {
        fn framing(&mut self) -> &mut crate::render::json::Framing {
            &mut self.1
        }
    }

    fn close() -> Event {
        Event::Socket(SocketEvent {
            kind: EventKind::Close,
            time: SystemTime::UNIX_EPOCH + Duration::from_millis(1_765_132_001_123),
            socket: socket(
                Protocol::Tcp,
                "127.0.0.1:40000",
                "127.0.0.1:5001",
                State::CLOSE,
            ),
            owner: Some(Arc::new(Owner::new(42, b"/usr/bin/curl\x1b"))),
            counters: Some(TcpCounters {
                bytes_acked: 1002,
                bytes_received: 1001,
                retransmits: 1,
                rtt_us: 50,
                ..TcpCounters::default()
            }),
            duration: Some(Duration::from_millis(2999)),
            source: CloseSource::Kernel,
        })
    }

    #[test]
    fn rfc3339_is_utc_with_milliseconds() {
        let at = SystemTime::UNIX_EPOCH + Duration::from_millis(951_782_400_007);
        assert_eq!(rfc3339(at), "2000-02-29T00:00:00.007Z");
        assert_eq!(rfc3339(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn a_close_as_json_has_its_counters_duration_and_owner() {
        let mut out = Lines(Vec::new(), Default::default());
        write_json(&mut out, &close(), None).unwrap();
        let line = String::from_utf8(out.0).unwrap();
        assert_eq!(
            line,
            "{\"time\":\"2025-12-07T18:26:41.123Z\",\"event\":\"close\",\"proto\":\"tcp\",\
             \"local_address\":\"127.0.0.1\",\"local_port\":40000,\"remote_address\":\"127.0.0.1\",\
             \"remote_port\":5001,\"state\":\"CLOSE\",\"pid\":42,\"program\":\"curl\\u001b\",\
             \"bytes_sent\":1002,\"bytes_received\":1001,\"retransmits\":1,\"rtt_us\":50,\
             \"duration\":2.999,\"source\":\"kernel\"}\n"
        );
        let mut out = Lines(Vec::new(), Default::default());
        let lost = Event::Lost {
            time: SystemTime::UNIX_EPOCH,
            overflows: 3,
        };
        write_json(&mut out, &lost, None).unwrap();
        assert_eq!(
            String::from_utf8(out.0).unwrap(),
            "{\"time\":\"1970-01-01T00:00:00.000Z\",\"event\":\"lost\",\"overflows\":3}\n"
        );
    }

    #[test]
    fn a_close_as_text_lines_up_under_the_header() {
        let mut out = Vec::new();
        write_header(&mut out, false).unwrap();
        TextWriter::default()
            .write(&mut out, &close(), Some("ns\x1b"))
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            &lines[1][12..],
            " close tcp   127.0.0.1:40000         127.0.0.1:5001          CLOSE       42/curl?               2.999      1002      1001  ns?"
        );
        for column in ["PID/PROGRAM", "SENT", "RECEIVED"] {
            let at = lines[0].find(column).unwrap();
            let end = at + column.len();
            assert!(
                lines[1].get(at..end).is_some(),
                "{column} lines up: {lines:#?}"
            );
        }
        // Left-aligned columns start under their title, right-aligned ones end under it.
        let at = |column: &str| lines[0].find(column).unwrap();
        assert!(lines[1][at("PID/PROGRAM")..].starts_with("42/curl?"));
        for (column, value) in [
            ("DURATION", "2.999"),
            ("SENT", "1002"),
            ("RECEIVED", "1001"),
        ] {
            let end = at(column) + column.len();
            assert!(lines[1][..end].ends_with(value), "{column}: {lines:#?}");
        }

        // An open has no duration and shows no counters.
        let Event::Socket(mut open) = close() else {
            unreachable!()
        };
        (open.kind, open.duration) = (EventKind::Open, None);
        let mut out = Vec::new();
        TextWriter::default()
            .write(&mut out, &Event::Socket(open), None)
            .unwrap();
        let line = String::from_utf8(out).unwrap();
        assert!(
            line.ends_with(" 42/curl?                   -         -         -\n"),
            "{line:?}"
        );
    }
}
