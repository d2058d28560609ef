//! States: TCP sockets per state with their recent history as sparklines, then each
//! interface's traffic and the rates of the counters that tell trouble (retransmits, listen
//! queue overflows and drops, resets).

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Row, Table};

use super::super::format;
use super::super::model::Model;
use super::{block, header_style, tcp_state_name};

/// The view's title, on the rule above the states.
const TITLE: &str = "States: TCP sockets by state over time";

/// Draws the view; `interval` is the time between two samples of the history.
pub fn render(frame: &mut Frame, area: Rect, model: &Model, interval: Duration) {
    let [top, bottom] = Layout::vertical([Constraint::Length(14), Constraint::Fill(1)]).areas(area);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .spacing(2)
            .areas(bottom);
    states(frame, top, model, interval);
    interfaces(frame, left, model);
    counters(frame, right, model);
}

fn number(text: String) -> Cell<'static> {
    Cell::from(Line::from(text).alignment(Alignment::Right))
}

/// `10 min`, `45 s`: how much time `samples` ticks cover.
fn span(samples: usize, interval: Duration) -> String {
    let seconds = (interval.as_secs_f64() * samples as f64).round() as u64;
    if seconds >= 120 {
        format!("{} min", seconds / 60)
    } else {
        format!("{seconds} s")
    }
}

fn states(frame: &mut Frame, area: Rect, model: &Model, interval: Duration) {
    let fixed = 12 + 9 + 9 + 3 + 2;
    let width = usize::from(area.width).saturating_sub(fixed).max(1);
    let shown = model
        .state_history
        .iter()
        .map(|s| s.len().min(width))
        .max()
        .unwrap_or(0);
    let header = Row::new(vec![
        Cell::from("TCP state"),
        number("Now".into()),
        number("Max".into()),
        Cell::from(format!("last {}", span(shown, interval))),
    ])
    .style(header_style());
    let rows = (1..12).map(|n| {
        let series = model.state_history.get(n);
        let history = series.map(|s| s.last(width)).unwrap_or_default();
        let max = history.iter().copied().max().unwrap_or(0);
        Row::new(vec![
            Cell::from(tcp_state_name(n)),
            number(model.states[n].to_string()),
            number(max.to_string()),
            Cell::from(format::sparkline(&history, width)),
        ])
    });
    let widths = [
        Constraint::Length(12),
        Constraint::Length(9),
        Constraint::Length(9),
        Constraint::Fill(1),
    ];
    let table = Table::new(rows, widths)
        .header(header)
        .block(block(TITLE.to_string()));
    frame.render_widget(table, area);
}

fn interfaces(frame: &mut Frame, area: Rect, model: &Model) {
    let header = Row::new(vec![
        Cell::from("Interface"),
        number("Rx/s".into()),
        number("Tx/s".into()),
        number("Rx pkts".into()),
        number("Tx pkts".into()),
        number("Err+drop".into()),
    ])
    .style(header_style());
    let rows = model.interfaces.iter().map(|i| {
        Row::new(vec![
            Cell::from(i.name.clone()),
            number(format::rate(i.rx_bytes)),
            number(format::rate(i.tx_bytes)),
            number(format::per_second(i.rx_packets)),
            number(format::per_second(i.tx_packets)),
            number(format::per_second(i.errors)),
        ])
    });
    let widths = [
        Constraint::Fill(1),
        Constraint::Length(10),
        Constraint::Length(10),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(8),
    ];
    let table = Table::new(rows, widths)
        .header(header)
        .block(block("Interfaces".into()));
    frame.render_widget(table, area);
}

fn counters(frame: &mut Frame, area: Rect, model: &Model) {
    let fixed = 27 + 12 + 9 + 3;
    let width = usize::from(area.width).saturating_sub(fixed).max(1);
    let header = Row::new(vec![
        Cell::from("Counter"),
        number("Total".into()),
        number("Rate".into()),
        Cell::from("History"),
    ])
    .style(header_style());
    let rows = model.counters.iter().map(|c| {
        Row::new(vec![
            Cell::from(c.label),
            number(c.total.to_string()),
            number(format::per_second(c.rate)),
            Cell::from(format::sparkline(&c.history.last(width), width)),
        ])
    });
    let widths = [
        Constraint::Length(27),
        Constraint::Length(12),
        Constraint::Length(9),
        Constraint::Fill(1),
    ];
    let table = Table::new(rows, widths)
        .header(header)
        .block(block("TCP counters".into()));
    frame.render_widget(table, area);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::history::Series;
    use crate::live::model::{Counter, Interface};
    use crate::live::view::tests::screen_lines;

    #[test]
    fn states_with_sparklines_interfaces_and_counters() {
        let mut model = Model::default();
        model.states[1] = 62;
        model.states[10] = 3;
        model.state_history = vec![Series::default(); 12];
        for count in [10, 30, 62] {
            model.state_history[1].push(count);
            model.state_history[10].push(3);
        }
        model.interfaces.push(Interface {
            name: "lo".into(),
            rx_bytes: 2_000_000.0,
            tx_bytes: 2_000_000.0,
            rx_packets: 40.0,
            ..Interface::default()
        });
        let mut history = Series::default();
        history.push(0);
        history.push(4);
        model.counters.push(Counter {
            label: "retransmitted segments",
            total: 1234,
            rate: 4.0,
            history,
        });
        let lines = screen_lines(140, 24, |f| {
            render(f, f.area(), &model, Duration::from_secs(1))
        });
        assert!(
            lines[1].contains("TCP state") && lines[1].contains("last 3 s"),
            "{lines:#?}"
        );
        let established = &lines[2];
        assert!(established.starts_with("ESTABLISHED"), "{lines:#?}");
        assert!(
            established.contains("62") && established.contains("▃▅█"),
            "{established}"
        );
        let listen = lines.iter().find(|l| l.starts_with("LISTEN")).unwrap();
        assert!(listen.contains("███"), "{listen}");
        let lo = lines.iter().find(|l| l.starts_with("lo ")).unwrap();
        assert!(lo.contains("1.9 MiB/s") && lo.contains("40/s"), "{lo}");
        let retrans = lines
            .iter()
            .find(|l| l.contains("retransmitted segments"))
            .unwrap();
        assert!(
            retrans.contains("1234") && retrans.contains("4.0/s") && retrans.contains("▁█"),
            "{retrans}"
        );
        assert_eq!(span(600, Duration::from_secs(1)), "10 min");
    }
}
