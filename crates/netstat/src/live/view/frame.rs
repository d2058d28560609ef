//! What every view shares on screen: the header (host, namespace, time, TCP states, cost of
//! the last sample), the tab bar, the audit banner and the footer with the filter prompt;
//! the help window and the too-small notice.

use std::time::{Duration, SystemTime};

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Tabs, Wrap};

use super::super::app::{App, KEYS, Tab};
use super::super::format;
use super::tcp_state_name;
use crate::audit::{Finding, Severity};
use crate::text;

/// The smallest screen the views fit on.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 15;

/// What the header says.
pub struct Header<'a> {
    pub host: &'a str,
    pub netns: &'a str,
    pub wall: Option<SystemTime>,
    pub took: Duration,
    pub interval: Duration,
    pub paused: bool,
    /// TCP sockets by state number.
    pub states: &'a [usize; 12],
    pub sockets: usize,
}

pub fn header(frame: &mut Frame, area: Rect, header: &Header) {
    let time = header.wall.map_or_else(|| "-".to_string(), clock);
    let mut first = vec![
        Span::styled("netstat --live", Style::new().add_modifier(Modifier::BOLD)),
        Span::raw(format!(
            "  host {}  netns {}  {time}  {} sockets  sample took {}  every {}",
            header.host,
            header.netns,
            header.sockets,
            format::duration(header.took),
            format::interval(header.interval)
        )),
    ];
    if header.paused {
        first.push(Span::styled(
            "  PAUSED",
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ));
    }
    let states: Vec<String> = (1..12)
        .filter(|&n| header.states[n] > 0)
        .map(|n| format!("{} {}", tcp_state_name(n), header.states[n]))
        .collect();
    let second = if states.is_empty() {
        "TCP: no sockets".to_string()
    } else {
        format!("TCP: {}", states.join("  "))
    };
    let text = vec![Line::from(first), Line::from(second)];
    frame.render_widget(Paragraph::new(text), area);
}

/// `2026-12-04 02:13:05`, in local time.
pub fn clock(at: SystemTime) -> String {
    let seconds = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let t = libc::time_t::try_from(seconds).unwrap_or(0);
    // SAFETY: an all-zero `tm` is valid, and localtime_r only reads `t` and writes the `tm`
    // it is given (it is the thread-safe form).
    let tm = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            return seconds.to_string();
        }
        tm
    };
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    )
}

pub fn tabs(frame: &mut Frame, area: Rect, current: Tab) {
    let titles = Tab::ALL
        .iter()
        .map(|t| format!("{} {}", t.index() + 1, t.title()));
    let tabs = Tabs::new(titles)
        .select(current.index())
        .highlight_style(Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD))
        .divider("│");
    frame.render_widget(tabs, area);
}

/// One line about the audit's findings, the worst first, when there are any.
pub fn banner(frame: &mut Frame, area: Rect, findings: &[Finding]) {
    let Some(worst) = findings.first() else {
        return;
    };
    let (label, colour) = match worst.severity {
        Severity::Critical => ("CRITICAL", Color::Red),
        Severity::Warning => ("WARNING", Color::Yellow),
        Severity::Info => ("INFO", Color::Blue),
    };
    let more = if findings.len() > 1 {
        format!(
            "  (+{} more; netstat --audit tells all)",
            findings.len() - 1
        )
    } else {
        String::new()
    };
    let line = Line::from(vec![
        Span::styled(
            format!(" audit {label} "),
            Style::new()
                .fg(Color::Black)
                .bg(colour)
                .add_modifier(Modifier::BOLD),
        ),
        Span::raw(format!(
            " {}: {}{more}",
            worst.check,
            text::display(worst.message.as_bytes())
        )),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

/// Lines the footer needs: two while a refused filter's error shows.
pub fn footer_height(app: &App) -> u16 {
    match &app.prompt {
        Some(prompt) if prompt.error.is_some() => 2,
        _ => 1,
    }
}

const PROMPT: &str = "filter> ";

/// The filter prompt, or the filter, the sort column, a notice and the key hint.
pub fn footer(frame: &mut Frame, area: Rect, app: &App, notice: Option<&str>) {
    if let Some(prompt) = &app.prompt {
        let mut lines = vec![Line::from(vec![
            Span::styled(PROMPT, Style::new().add_modifier(Modifier::BOLD)),
            Span::raw(prompt.text.clone()),
            Span::styled(" ", Style::new().add_modifier(Modifier::REVERSED)),
        ])];
        if let Some((message, column, width)) = &prompt.error {
            let pad = PROMPT.len() + column.saturating_sub(1);
            lines.push(Line::from(vec![
                Span::raw(" ".repeat(pad)),
                Span::styled("^".repeat(*width), Style::new().fg(Color::Red)),
                Span::styled(
                    format!(" bad filter: {message}"),
                    Style::new().fg(Color::Red),
                ),
            ]));
        }
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }
    let mut parts = vec![match &app.filter {
        Some(filter) => format!("filter: {}", text::display(filter.as_bytes())),
        None => "no filter".to_string(),
    }];
    if let Some(column) = app.sort_column() {
        parts.push(format!("sort: {column}"));
    }
    parts.push(if app.names { "names" } else { "numbers" }.to_string());
    let mut spans = vec![Span::raw(parts.join("  │  "))];
    if let Some(notice) = notice {
        spans.push(Span::styled(
            format!("  │  {notice}"),
            Style::new().fg(Color::Yellow),
        ));
    }
    spans.push(Span::styled(
        "  │  ? keys  q quit",
        Style::new().add_modifier(Modifier::DIM),
    ));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A window of `width` × `height` cells in the middle of `area` (cut to fit).
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

pub fn help(frame: &mut Frame, area: Rect) {
    let mut lines: Vec<Line> = KEYS
        .iter()
        .map(|(keys, what)| Line::from(format!(" {keys:<27} {what}")))
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(
        " Rows: + opened lately, - closed lately (kept dimmed for a few ticks).",
    ));
    let window = centered(area, 120, lines.len() as u16 + 2);
    frame.render_widget(Clear, window);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Keys ")),
        window,
    );
}

pub fn too_small(frame: &mut Frame, area: Rect) {
    let text = format!(
        "The terminal is too small ({}x{}): --live needs {MIN_WIDTH}x{MIN_HEIGHT}. q quits.",
        area.width, area.height
    );
    let [middle] = Layout::vertical([Constraint::Length(3)])
        .flex(ratatui::layout::Flex::Center)
        .areas(area);
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), middle);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::view::tests::screen_lines;

    #[test]
    fn the_header_names_the_states_present() {
        let mut states = [0; 12];
        states[1] = 62;
        states[10] = 3;
        states[6] = 12;
        let header_text = Header {
            host: "box",
            netns: "blue",
            wall: None,
            took: Duration::from_millis(12),
            interval: Duration::from_secs(1),
            paused: true,
            states: &states,
            sockets: 80,
        };
        let lines = screen_lines(150, 2, |f| header(f, f.area(), &header_text));
        assert!(
            lines[0].starts_with("netstat --live  host box  netns blue  -  80 sockets  sample took 12 ms  every 1 s  PAUSED"),
            "{lines:#?}"
        );
        assert_eq!(lines[1], "TCP: ESTABLISHED 62  TIME_WAIT 12  LISTEN 3");
    }

    #[test]
    fn the_prompt_underlines_a_refused_filter() {
        let mut app = App::new(true, Some("sport = :22".into()));
        let lines = screen_lines(100, 1, |f| footer(f, f.area(), &app, Some("note")));
        assert!(
            lines[0].starts_with("filter: sport = :22  │  sort: rate  │  names  │  note"),
            "{lines:#?}"
        );
        app.prompt = Some(crate::live::app::Prompt {
            text: "sport = :x".into(),
            error: Some(("expected a port".into(), 9, 2)),
        });
        assert_eq!(footer_height(&app), 2);
        let lines = screen_lines(100, 2, |f| footer(f, f.area(), &app, None));
        assert_eq!(lines[0], "filter> sport = :x");
        assert_eq!(lines[1], "                ^^ bad filter: expected a port");
    }

    #[test]
    fn banner_tabs_help_and_too_small() {
        let findings = [
            Finding {
                check: "suspicious-listener",
                severity: Severity::Critical,
                message: "nc\u{1b}[2J listens on 4444".into(),
                evidence: vec![],
                advice: String::new(),
            },
            Finding {
                check: "exposed-listener",
                severity: Severity::Warning,
                message: "x".into(),
                evidence: vec![],
                advice: String::new(),
            },
        ];
        let lines = screen_lines(120, 1, |f| banner(f, f.area(), &findings));
        assert_eq!(
            lines[0],
            " audit CRITICAL  suspicious-listener: nc?[2J listens on 4444  (+1 more; netstat --audit tells all)"
        );
        let lines = screen_lines(120, 1, |f| tabs(f, f.area(), Tab::Listeners));
        assert!(
            lines[0].contains("1 Connections │ 2 Processes │ 3 Listeners │ 4 States"),
            "{lines:#?}"
        );
        let lines = screen_lines(130, 16, |f| help(f, f.area()));
        assert!(
            lines
                .iter()
                .any(|l| l.contains("Shift-Tab") && l.contains("previous view")),
            "{lines:#?}"
        );
        let lines = screen_lines(40, 8, |f| too_small(f, f.area()));
        assert!(lines.join(" ").contains("too small (40x8)"), "{lines:#?}");
    }
}
