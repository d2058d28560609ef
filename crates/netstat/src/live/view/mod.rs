//! The views: each sorts its rows, resolves the names of the rows on screen, and draws them.
//! This module has what they share, and the frame around them (in `frame`).

pub mod connections;
pub mod details;
pub mod frame;
pub mod listeners;
pub mod processes;
pub mod states;

use nettables::inet::{Family, InetSocket, Protocol, State};
use nettables::process::Owner;
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Cell, HighlightSpacing, Row, Table, TableState};

use super::model::{Conn, Listener};
use super::names::{self, Names};

/// Where the selection is on screen, and how far the rows are scrolled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    /// Index of the first row shown.
    pub offset: usize,
    /// How many rows fit.
    pub rows: usize,
}

impl Window {
    /// The window of `rows` lines that shows `cursor`, moved as little as possible from
    /// `offset`.
    pub fn around(cursor: usize, offset: usize, rows: usize) -> Window {
        let offset = if cursor < offset {
            cursor
        } else if rows > 0 && cursor >= offset + rows {
            cursor + 1 - rows
        } else {
            offset
        };
        Window { offset, rows }
    }

    /// The part of `order` shown.
    pub fn slice<'a>(&self, order: &'a [u32]) -> &'a [u32] {
        let start = self.offset.min(order.len());
        let end = (start + self.rows).min(order.len());
        &order[start..end]
    }
}

/// Rows of a table's body in `area`: one line goes to the title and one to the header.
pub fn body_rows(area: Rect) -> usize {
    usize::from(area.height.saturating_sub(2))
}

/// The block around a view: its title on the top rule.
pub fn block(title: String) -> Block<'static> {
    Block::new()
        .borders(Borders::TOP)
        .title(Line::from(format!(" {title} ")))
}

pub fn header_style() -> Style {
    Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
}

pub fn selected_style() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}

/// What a table view shows around its rows.
pub struct Pane {
    /// The title on the view's top rule.
    pub title: String,
    /// The row under the cursor, counted from the first row shown.
    pub selected: Option<usize>,
    /// Whether owners are watched (`-p`): the program column.
    pub programs: bool,
}

/// The marker in front of the selected row.
pub const SELECTED: &str = "> ";

/// A cell with its text against the right edge, for numbers.
pub fn right<'a>(text: String) -> Cell<'a> {
    Cell::from(Line::from(text).alignment(Alignment::Right))
}

/// A table of `rows` under `header`, in the views' style.
pub fn table<'a>(
    header: Vec<Cell<'a>>,
    widths: Vec<Constraint>,
    rows: impl IntoIterator<Item = Row<'a>>,
) -> Table<'a> {
    Table::new(rows, widths).header(Row::new(header).style(header_style()))
}

impl Pane {
    /// Draws `table` in `area` under the pane's title, the selected row highlighted.
    pub fn draw(self, frame: &mut Frame, area: Rect, table: Table) {
        let table = table
            .block(block(self.title))
            .highlight_symbol(SELECTED)
            .highlight_spacing(HighlightSpacing::Always)
            .row_highlight_style(selected_style());
        let mut state = TableState::default().with_selected(self.selected);
        frame.render_stateful_widget(table, area, &mut state);
    }
}

/// Fills `order` with every index of `rows` (the model's order, ready to be sorted) and
/// returns the reader of row `i` that sort keys are made with.
fn indexed<'a, T>(
    rows: &'a [T],
    order: &mut Vec<u32>,
) -> impl Fn(u32) -> &'a T + Copy + use<'a, T> {
    order.clear();
    order.extend(0..rows.len() as u32);
    move |i| &rows[i as usize]
}

/// A row of a socket view: a socket and its owner.
pub trait SocketRow {
    fn socket(&self) -> &InetSocket;
    fn owner(&self) -> Option<&Owner>;
}

impl SocketRow for Conn {
    fn socket(&self) -> &InetSocket {
        &self.socket
    }
    fn owner(&self) -> Option<&Owner> {
        self.owner.as_deref()
    }
}

impl SocketRow for Listener {
    fn socket(&self) -> &InetSocket {
        &self.socket
    }
    fn owner(&self) -> Option<&Owner> {
        self.owner.as_deref()
    }
}

/// A socket row ready to draw: its endpoints and owner as text.
pub struct Named<'a, T> {
    pub record: &'a T,
    pub local: String,
    pub remote: String,
    pub program: String,
}

/// Resolves the names of the rows `shown` (indexes into `records`); host names are asked
/// for first, so that those that arrive in time are used.
pub fn resolve<'a, T: SocketRow>(
    records: &'a [T],
    shown: &[u32],
    names: &mut Names,
    named: bool,
) -> Vec<Named<'a, T>> {
    let rows = || shown.iter().map(|&i| &records[i as usize]);
    if named {
        names.prefetch(rows().flat_map(|r| [r.socket().local, r.socket().remote]));
    }
    rows()
        .map(|record| {
            let socket = record.socket();
            Named {
                record,
                local: names.endpoint(socket.local, socket.protocol, named),
                remote: names.endpoint(socket.remote, socket.protocol, named),
                program: names::program(record.owner()),
            }
        })
        .collect()
}

/// `tcp`, `udp6`, `raw`, as netstat names the tables.
pub fn protocol(socket: &InetSocket) -> &'static str {
    let v6 = socket.family == Family::Inet6;
    match (socket.protocol, v6) {
        (Protocol::Tcp, false) => "tcp",
        (Protocol::Tcp, true) => "tcp6",
        (Protocol::Udp, false) => "udp",
        (Protocol::Udp, true) => "udp6",
        (Protocol::UdpLite, false) => "udpl",
        (Protocol::UdpLite, true) => "udpl6",
        (Protocol::Raw, false) => "raw",
        (Protocol::Raw, true) => "raw6",
    }
}

/// The state as netstat prints it: TCP's names, `ESTABLISHED` for a connected datagram
/// socket, blank for an unconnected one.
pub fn state(socket: &InetSocket) -> &'static str {
    match socket.protocol {
        Protocol::Tcp => crate::render::inet::tcp_state(socket.state),
        _ => crate::render::inet::udp_state(socket.state),
    }
}

/// The name of TCP state number `n`.
pub fn tcp_state_name(n: usize) -> &'static str {
    let state = State(u8::try_from(n).unwrap_or(0));
    crate::render::inet::tcp_state(state)
}

/// Orders rows by a number, largest first, ties broken by index so equal rows keep still.
/// The keys are read once into one array and sorted there: at 200,000 rows, comparing
/// through the rows themselves costs a cache miss per comparison.
fn sort_desc(order: &mut [u32], key: impl Fn(u32) -> f64) {
    let mut keyed: Vec<(f64, u32)> = order.iter().map(|&i| (key(i), i)).collect();
    keyed.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for (slot, (_, i)) in order.iter_mut().zip(keyed) {
        *slot = i;
    }
}

/// Orders rows by `key`, ascending, ties broken by index; keys are read once, as above.
fn sort_asc<T: Ord>(order: &mut [u32], key: impl Fn(u32) -> T) {
    let mut keyed: Vec<(T, u32)> = order.iter().map(|&i| (key(i), i)).collect();
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    for (slot, (_, i)) in order.iter_mut().zip(keyed) {
        *slot = i;
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    /// What `draw` puts on a `width` × `height` screen, line by line, trailing blanks cut.
    pub(crate) fn screen_lines(
        width: u16,
        height: u16,
        draw: impl FnOnce(&mut ratatui::Frame),
    ) -> Vec<String> {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(draw).unwrap();
        let buffer = terminal.backend().buffer();
        (0..buffer.area.height)
            .map(|y| {
                let line: String = (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect();
                line.trim_end().to_string()
            })
            .collect()
    }

    #[test]
    fn the_window_follows_the_cursor() {
        assert_eq!(Window::around(0, 0, 10).offset, 0);
        assert_eq!(Window::around(12, 0, 10).offset, 3);
        assert_eq!(Window::around(5, 3, 10).offset, 3);
        assert_eq!(Window::around(1, 3, 10).offset, 1);
        let order: Vec<u32> = (0..5).collect();
        assert_eq!(
            Window {
                offset: 3,
                rows: 10
            }
            .slice(&order),
            &[3, 4]
        );
        assert_eq!(
            Window {
                offset: 9,
                rows: 10
            }
            .slice(&order),
            &[] as &[u32]
        );
    }

    #[test]
    fn sorting_is_stable_on_ties() {
        let values = [1.0, 3.0, 3.0, 0.0, 2.0];
        let mut order: Vec<u32> = (0..5).collect();
        sort_desc(&mut order, |i| values[i as usize]);
        assert_eq!(&order[..2], &[1, 2]);
        let mut order: Vec<u32> = (0..5).collect();
        sort_asc(&mut order, |i| [5, 1, 1, 0, 9][i as usize]);
        assert_eq!(order, vec![3, 1, 2, 0, 4]);
    }
}
