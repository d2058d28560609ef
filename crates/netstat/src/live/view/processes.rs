//! Processes: each process with its sockets by state, its listeners and its traffic;
//! busiest first. What nethogs shows, without packet capture.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Paragraph, Row as TableRow};

use super::super::format;
use super::super::model::{Model, Process};
use super::super::names;
use super::{Pane, block, indexed, right, sort_asc, sort_desc, table};

pub fn order(model: &Model, column: &str, order: &mut Vec<u32>) {
    let at = indexed(&model.processes, order);
    match column {
        "recv" => sort_desc(order, |i| at(i).rates.rx),
        "send" => sort_desc(order, |i| at(i).rates.tx),
        "sockets" => sort_desc(order, |i| f64::from(at(i).sockets())),
        "pid" => sort_asc(order, |i| at(i).pid().unwrap_or(u32::MAX)),
        "program" => sort_asc(order, |i| at(i).owner.as_ref().map(|o| &o.argv0[..])),
        _ => sort_desc(order, |i| at(i).rates.total()),
    }
}

/// The pid (`u64::MAX` for the sockets without a known owner).
pub fn key(model: &Model, index: u32) -> u64 {
    model.processes[index as usize]
        .pid()
        .map_or(u64::MAX, u64::from)
}

/// A process ready to draw.
pub struct Row<'a> {
    pub process: &'a Process,
    pub pid: String,
    pub program: String,
}

pub fn resolve<'a>(model: &'a Model, shown: &[u32]) -> Vec<Row<'a>> {
    shown
        .iter()
        .map(|&i| {
            let process = &model.processes[i as usize];
            let (pid, program) = match &process.owner {
                Some(owner) => (owner.pid.to_string(), names::command(owner)),
                None => ("-".into(), "(owner not found)".into()),
            };
            Row {
                process,
                pid,
                program,
            }
        })
        .collect()
}

pub fn render(frame: &mut Frame, area: Rect, rows: &[Row], pane: Pane) {
    if !pane.programs {
        let text = "Owners are not watched: start with -p (as root, to see every process).";
        frame.render_widget(Paragraph::new(text).block(block(pane.title)), area);
        return;
    }
    let mut header = vec![right("PID".into()), Cell::from("Program")];
    for name in [
        "Sockets",
        "ESTABLISHED",
        "LISTEN",
        "Other TCP",
        "UDP/raw",
        "Recv/s",
        "Send/s",
    ] {
        header.push(right(name.into()));
    }
    let widths = vec![
        Constraint::Length(8),
        Constraint::Fill(1),
        Constraint::Length(8),
        Constraint::Length(11),
        Constraint::Length(7),
        Constraint::Length(9),
        Constraint::Length(8),
        Constraint::Length(11),
        Constraint::Length(11),
    ];
    let body = rows.iter().map(|row| {
        let p = row.process;
        TableRow::new(vec![
            right(row.pid.clone()),
            Cell::from(row.program.clone()),
            right(p.sockets().to_string()),
            right(p.established().to_string()),
            right(p.listeners().to_string()),
            right(p.other_tcp().to_string()),
            right(p.datagram.to_string()),
            right(format::rate(p.rates.rx)),
            right(format::rate(p.rates.tx)),
        ])
    });
    pane.draw(frame, area, table(header, widths, body));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::model::tests::sample;
    use crate::live::view::tests::screen_lines;

    fn model() -> Model {
        let current = sample(
            "
            1 | 0.0.0.0:22     | 0.0.0.0:0     | LISTEN      |              | 10 sshd: /usr/sbin/sshd -D
            2 | 10.0.0.1:22    | 10.0.0.9:5000 | ESTABLISHED | 10 0         | 10 sshd: /usr/sbin/sshd -D
            3 | 10.0.0.1:40000 | 10.0.0.9:443  | ESTABLISHED | 3000000 1000 | 77 /usr/bin/curl
            4 | 0.0.0.0:68     | 0.0.0.0:0     | CLOSE       |              | 77 /usr/bin/curl
            5 | 10.0.0.1:9     | 10.0.0.9:9    | CLOSE_WAIT  |              |
            ",
        );
        let mut model = Model::default();
        model.add_sockets(&current, |_| false, [].iter(), true);
        model
    }

    #[test]
    fn busiest_process_first_with_sockets_by_state() {
        let model = model();
        let mut order = Vec::new();
        super::order(&model, "rate", &mut order);
        let rows = resolve(&model, &order);
        let lines = screen_lines(120, 7, |f| {
            render(
                f,
                f.area(),
                &rows,
                Pane {
                    title: "Processes".into(),
                    selected: Some(0),
                    programs: true,
                },
            )
        });
        assert!(
            lines[1].contains("PID") && lines[1].contains("ESTABLISHED"),
            "{lines:#?}"
        );
        let curl = &lines[2];
        assert!(
            curl.starts_with(">") && curl.contains("77") && curl.contains("curl"),
            "{lines:#?}"
        );
        assert!(curl.contains("2.9 MiB/s"), "{curl}");
        let sshd = &lines[3];
        assert!(sshd.contains("sshd: /usr/sbin/sshd -D"), "{sshd}");
        let numbers: Vec<&str> = sshd.split_whitespace().skip(4).take(5).collect();
        assert_eq!(numbers, ["2", "1", "1", "0", "0"], "{sshd}");
        assert!(lines[4].contains("(owner not found)"), "{lines:#?}");
        super::order(&model, "pid", &mut order);
        assert_eq!(key(&model, order[0]), 10);
        assert_eq!(key(&model, order[2]), u64::MAX);
    }

    #[test]
    fn without_owners_it_says_how_to_get_them() {
        let lines = screen_lines(100, 4, |f| {
            render(
                f,
                f.area(),
                &[],
                Pane {
                    title: "Processes".into(),
                    selected: None,
                    programs: false,
                },
            )
        });
        assert!(lines[1].contains("start with -p"), "{lines:#?}");
    }
}
