//! Listeners: each TCP listener with its accept queue against its backlog as a bar, the
//! connections to its port by state, and its owner; the fullest queue first, since a
//! listener about to overflow is what an operator looks for.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Style};
use ratatui::widgets::{Cell, Row as TableRow};

use super::super::format;
use super::super::model::{Listener, Model};
use super::{Named, Pane, indexed, right, sort_asc, sort_desc, table};

/// Cells of the accept-queue bar.
const BAR: usize = 16;

pub fn order(model: &Model, column: &str, order: &mut Vec<u32>) {
    let at = indexed(&model.listeners, order);
    match column {
        "connections" => sort_desc(order, |i| f64::from(at(i).peers.total())),
        "port" => sort_asc(order, |i| {
            (at(i).socket.local.port(), at(i).socket.local.ip())
        }),
        "program" => sort_asc(order, |i| {
            at(i).owner.as_ref().map(|o| (&o.argv0[..], o.pid))
        }),
        // Fullest first; among empty queues, the busiest port.
        _ => sort_desc(order, |i| {
            at(i).fill() * 1e9 + f64::from(at(i).peers.total())
        }),
    }
}

pub fn key(model: &Model, index: u32) -> u64 {
    model.listeners[index as usize].key.0
}

/// A listener ready to draw: names resolved.
pub type Row<'a> = Named<'a, Listener>;

pub fn render(frame: &mut Frame, area: Rect, rows: &[Row], pane: Pane) {
    let programs = pane.programs;
    let mut header = vec![
        Cell::from("Proto"),
        Cell::from("Local Address"),
        Cell::from("Accept queue"),
        right("Queued".into()),
        right("Backlog".into()),
        right("Estab".into()),
        right("SynRecv".into()),
        right("CloseWait".into()),
        right("TimeWait".into()),
    ];
    let mut widths = vec![
        Constraint::Length(5),
        Constraint::Fill(1),
        Constraint::Length(BAR as u16),
        Constraint::Length(6),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(9),
        Constraint::Length(8),
    ];
    if programs {
        header.push(Cell::from("PID/Program"));
        widths.push(Constraint::Length(18));
    }
    let body = rows.iter().map(|row| {
        let l = row.record;
        let backlog = l.backlog();
        let bar = format::bar(l.queue(), backlog.unwrap_or(0), BAR);
        let colour = match l.fill() {
            f if f >= 0.9 => Color::Red,
            f if f >= 0.5 => Color::Yellow,
            _ => Color::Green,
        };
        let mut cells = vec![
            Cell::from(super::protocol(&l.socket)),
            Cell::from(row.local.clone()),
            Cell::from(bar).style(Style::new().fg(colour)),
            right(l.queue().to_string()),
            right(backlog.map_or_else(|| "?".into(), |b| b.to_string())),
            right(l.peers.established.to_string()),
            right(l.peers.syn_recv.to_string()),
            right(l.peers.close_wait.to_string()),
            right(l.peers.time_wait.to_string()),
        ];
        if programs {
            cells.push(Cell::from(row.program.clone()));
        }
        TableRow::new(cells)
    });
    pane.draw(frame, area, table(header, widths, body));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::model::tests::{observed, owned};
    use crate::live::names::Names;
    use crate::live::view::tests::screen_lines;
    use nettables::inet::State;

    #[test]
    fn the_fullest_queue_first_with_its_bar_and_peers() {
        let mut busy = observed("0.0.0.0:80", "0.0.0.0:0", State::LISTEN, 1);
        busy.socket.recv_q = 96;
        busy.socket.backlog = Some(128);
        let mut idle = owned(
            observed("127.0.0.1:22", "0.0.0.0:0", State::LISTEN, 2),
            5,
            "sshd",
        );
        idle.socket.backlog = Some(128);
        let current = vec![
            idle,
            busy,
            observed("10.0.0.1:80", "10.0.0.2:1000", State::ESTABLISHED, 3),
            observed("10.0.0.1:80", "10.0.0.2:1001", State::SYN_RECV, 4),
        ];
        let mut model = Model::default();
        model.add_sockets(&current, |_| false, [].iter(), true);
        let mut order = Vec::new();
        super::order(&model, "queue", &mut order);
        let rows = super::super::resolve(&model.listeners, &order, &mut Names::new(), false);
        let lines = screen_lines(140, 5, |f| {
            render(
                f,
                f.area(),
                &rows,
                Pane {
                    title: "Listeners".into(),
                    selected: Some(1),
                    programs: true,
                },
            )
        });
        let first = &lines[2];
        assert!(first.contains("0.0.0.0:80"), "{lines:#?}");
        assert!(
            first.contains(&format!("{}{}", "█".repeat(12), "░".repeat(4))),
            "{first}"
        );
        let numbers: Vec<&str> = first.split_whitespace().skip(3).take(6).collect();
        assert_eq!(numbers, ["96", "128", "1", "1", "0", "0"], "{first}");
        let second = &lines[3];
        assert!(
            second.starts_with(">") && second.contains("5/sshd"),
            "{second}"
        );
        super::order(&model, "port", &mut order);
        assert_eq!(key(&model, order[0]), 2);
    }
}
