//! Connections: one row per socket with its rates, totals, round-trip time and
//! retransmits; busiest first. New connections are highlighted, closed ones dimmed.

use std::net::SocketAddr;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Cell, Row as TableRow};

use super::super::format;
use super::super::model::{Conn, Mark, Model};
use super::{Named, Pane, indexed, right, sort_asc, sort_desc, table};

/// Sorts the model's connections by `column` (one of the tab's sort columns).
pub fn order(model: &Model, column: &str, order: &mut Vec<u32>) {
    let at = indexed(&model.connections, order);
    match column {
        "recv" => sort_desc(order, |i| at(i).rates.rx),
        "send" => sort_desc(order, |i| at(i).rates.tx),
        "total" => sort_desc(order, |i| at(i).total_bytes().unwrap_or(0) as f64),
        "rtt" => sort_desc(order, |i| {
            at(i).counters.map_or(-1.0, |c| f64::from(c.rtt_us))
        }),
        "retrans" => sort_desc(order, |i| {
            at(i).counters.map_or(-1.0, |c| f64::from(c.retransmits))
        }),
        "state" => sort_asc(order, |i| at(i).socket.state.0),
        "program" => sort_asc(order, |i| {
            at(i).owner.as_ref().map(|o| (&o.argv0[..], o.pid))
        }),
        "local" => sort_asc(order, |i| address_key(at(i).socket.local)),
        "remote" => sort_asc(order, |i| address_key(at(i).socket.remote)),
        _ => sort_desc(order, |i| at(i).rates.total()),
    }
}

fn address_key(addr: SocketAddr) -> (std::net::IpAddr, u16) {
    (addr.ip().to_canonical(), addr.port())
}

/// The identity of row `index`, for keeping the selection on it.
pub fn key(model: &Model, index: u32) -> u64 {
    model.connections[index as usize].key.0
}

/// A connection ready to draw: names resolved.
pub type Row<'a> = Named<'a, Conn>;

/// Draws the rows (the visible part of the sorted list) with `selected` highlighted.
/// The columns after the state, with their widths; on a narrow screen the last ones go first
/// (then the program), so that the addresses keep [`ADDRESS`] cells each.
const NUMBERS: [(&str, u16); 5] = [
    ("Recv/s", 10),
    ("Send/s", 10),
    ("Total", 8),
    ("RTT", 8),
    ("Retr", 4),
];
const ADDRESS: u16 = 17;
const PROGRAM: u16 = 18;

/// How many of [`NUMBERS`] fit, and whether the program column does, on `width` cells.
fn columns(width: u16, programs: bool) -> (usize, bool) {
    // Selection marker 2, mark and protocol 6, state 11, and a gap before each column.
    let fixed = |numbers: usize, program: bool| -> u16 {
        let mut cells = 2 + 6 + 1 + 1 + 1 + 11;
        if program {
            cells += 1 + PROGRAM;
        }
        cells + NUMBERS[..numbers].iter().map(|(_, w)| 1 + w).sum::<u16>()
    };
    let fits = |numbers, program| fixed(numbers, program) + 2 * ADDRESS <= width;
    for program in [programs, false] {
        if let Some(numbers) = (2..=NUMBERS.len()).rev().find(|&n| fits(n, program)) {
            return (numbers, program);
        }
    }
    (2, false)
}

/// Draws the rows (the visible part of the sorted list) with `selected` highlighted.
pub fn render(frame: &mut Frame, area: Rect, rows: &[Row], pane: Pane) {
    let (numbers, program) = columns(area.width, pane.programs);
    let mut header = vec![
        Cell::from(" Proto"),
        Cell::from("Local Address"),
        Cell::from("Foreign Address"),
        Cell::from("State"),
    ];
    let mut widths = vec![
        Constraint::Length(6),
        Constraint::Fill(1),
        Constraint::Fill(1),
        Constraint::Length(11),
    ];
    if program {
        header.push(Cell::from("PID/Program"));
        widths.push(Constraint::Length(PROGRAM));
    }
    for &(name, width) in &NUMBERS[..numbers] {
        header.push(right(name.to_string()));
        widths.push(Constraint::Length(width));
    }
    let body = rows.iter().map(|row| {
        let conn = row.record;
        let (mark, style) = match conn.mark {
            Mark::Opened => (
                '+',
                Style::new().fg(Color::Green).add_modifier(Modifier::BOLD),
            ),
            Mark::Closed => (
                '-',
                Style::new().fg(Color::DarkGray).add_modifier(Modifier::DIM),
            ),
            Mark::Steady => (' ', Style::new()),
        };
        let state = if conn.mark == Mark::Closed {
            "(closed)"
        } else {
            super::state(&conn.socket)
        };
        let mut cells = vec![
            Cell::from(format!("{mark}{}", super::protocol(&conn.socket))),
            Cell::from(row.local.clone()),
            Cell::from(row.remote.clone()),
            Cell::from(state),
        ];
        if program {
            cells.push(Cell::from(row.program.clone()));
        }
        let counted = conn.counters.is_some() && conn.mark != Mark::Closed;
        let rate = |r: f64| if counted { format::rate(r) } else { "-".into() };
        let mut values = vec![rate(conn.rates.rx), rate(conn.rates.tx)];
        match conn.counters {
            Some(c) => values.extend([
                format::bytes(c.bytes_acked.saturating_add(c.bytes_received) as f64),
                format::rtt(c.rtt_us),
                c.retransmits.to_string(),
            ]),
            None => values.extend(["-", "-", "-"].map(String::from)),
        }
        cells.extend(values.into_iter().take(numbers).map(right));
        TableRow::new(cells).style(style)
    });
    pane.draw(frame, area, table(header, widths, body));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::model::tests::{busy, observed, owned};
    use crate::live::names::Names;
    use crate::live::view::tests::screen_lines;
    use nettables::inet::State;
    use nettables::watch::TcpCounters;

    fn model() -> Model {
        let mut bulk = busy(
            observed("127.0.0.1:40002", "127.0.0.1:5001", State::ESTABLISHED, 2),
            0.0,
            2_000_000.0,
        );
        bulk.counters = Some(TcpCounters {
            bytes_acked: 10 << 20,
            rtt_us: 50,
            retransmits: 3,
            ..TcpCounters::default()
        });
        let current = vec![
            observed("127.0.0.1:40001", "127.0.0.1:5001", State::ESTABLISHED, 1),
            owned(bulk, 42, "/usr/bin/python3"),
            observed("0.0.0.0:5353", "0.0.0.0:0", State::CLOSE, 3),
        ];
        let gone = observed("127.0.0.1:40009", "127.0.0.1:5001", State::ESTABLISHED, 9);
        let closed = [Conn::of(&gone, Mark::Closed)];
        let mut model = Model::default();
        model.add_sockets(&current, |k| k.0 == 1, closed.iter(), true);
        model
    }

    fn draw(model: &Model, column: &str, programs: bool) -> Vec<String> {
        let mut order = Vec::new();
        super::order(model, column, &mut order);
        let mut names = Names::new();
        let rows = super::super::resolve(&model.connections, &order, &mut names, false);
        screen_lines(150, 8, |f| {
            render(
                f,
                f.area(),
                &rows,
                Pane {
                    title: "Connections".into(),
                    selected: Some(0),
                    programs,
                },
            )
        })
    }

    #[test]
    fn busiest_first_with_rates_totals_and_marks() {
        let lines = draw(&model(), "rate", true);
        assert!(lines[0].contains("Connections"), "{lines:#?}");
        assert!(lines[1].contains("Local Address") && lines[1].contains("PID/Program"));
        let first = &lines[2];
        assert!(first.starts_with(">"), "selected: {first}");
        assert!(first.contains("127.0.0.1:40002"), "{lines:#?}");
        assert!(first.contains("42/python3"));
        assert!(first.contains("1.9 MiB/s") && first.contains("10.0 MiB"));
        assert!(first.contains("0.05 ms") && first.trim_end().ends_with('3'));
        let opened = lines.iter().find(|l| l.contains(":40001")).unwrap();
        assert!(opened.starts_with("  +tcp "), "{opened}");
        let closed = lines.iter().find(|l| l.contains(":40009")).unwrap();
        assert!(
            closed.contains("(closed)") && closed.contains(" - "),
            "{closed}"
        );
        let udp = lines.iter().find(|l| l.contains(":5353")).unwrap();
        assert!(udp.contains("udp") && udp.contains(" - "), "{udp}");
    }

    #[test]
    fn other_sort_columns() {
        let model = model();
        let first = |column| draw(&model, column, false)[2].clone();
        assert!(
            first("local").contains("0.0.0.0:5353"),
            "addresses ascending"
        );
        assert!(first("retrans").contains(":40002"));
        assert!(!draw(&model, "rate", false)[1].contains("PID/Program"));
    }

    #[test]
    fn narrow_screens_drop_columns_before_the_addresses_shrink() {
        assert_eq!(columns(160, true), (5, true));
        assert_eq!(columns(120, true), (5, true));
        assert_eq!(columns(110, true), (3, true));
        assert_eq!(columns(100, true), (2, true), "-p asked for the program");
        assert_eq!(columns(80, true), (2, false));
        assert_eq!(columns(80, false), (2, false));
    }
}
