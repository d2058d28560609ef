//! The screen: the app state, the model on show with each view's sorted rows, the names, and
//! the details window; [`Screen::draw`] turns them into a frame.

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::app::{App, Tab};
use super::details::{Details, Subject};
use super::model::{Mark, Model};
use super::names::Names;
use super::view::frame::{self, Header, MIN_HEIGHT, MIN_WIDTH};
use super::view::{self, Pane, Window, connections, listeners, processes, states};

/// What does not change while the view runs.
pub struct Meta {
    pub host: String,
    pub netns: String,
    pub interval: Duration,
    /// `-p`: owners are watched.
    pub programs: bool,
}

pub struct Screen {
    pub app: App,
    meta: Meta,
    model: Model,
    /// Sorted row indexes of Connections, Processes and Listeners.
    orders: [Vec<u32>; 3],
    /// Which of `orders` wait to be sorted for the model on show: a view is sorted when it is
    /// looked at, not at every tick while another view is up.
    unsorted: [bool; 3],
    /// First row shown, per view.
    offsets: [usize; 4],
    /// Connections marked opened and closed, in the model on show.
    marks: (usize, usize),
    names: Names,
    details: Option<Details>,
    /// Something the user should know that is not in the model (the sampler stopped).
    pub notice: Option<String>,
}

/// The views that have rows to sort and select.
const LISTS: [Tab; 3] = [Tab::Connections, Tab::Processes, Tab::Listeners];

impl Screen {
    pub fn new(app: App, meta: Meta) -> Screen {
        Screen {
            app,
            meta,
            model: Model::default(),
            orders: Default::default(),
            unsorted: [false; 3],
            offsets: [0; 4],
            marks: (0, 0),
            names: Names::new(),
            details: None,
            notice: None,
        }
    }

    /// Shows `model` from now on; returns the one it replaces, for reuse.
    pub fn show(&mut self, model: Model) -> Model {
        let old = std::mem::replace(&mut self.model, model);
        let count = |mark| {
            self.model
                .connections
                .iter()
                .filter(|c| c.mark == mark)
                .count()
        };
        self.marks = (count(Mark::Opened), count(Mark::Closed));
        self.unsorted = [true; 3];
        old
    }

    /// Sorts `tab`'s rows if the model changed since they were last sorted.
    fn sorted(&mut self, tab: Tab) {
        if let Some(slot) = LISTS.iter().position(|&t| t == tab)
            && self.unsorted[slot]
        {
            self.sort(tab);
        }
    }

    /// Sorts a view's rows by its sort column. A selection the user moved stays on the same
    /// row; one never moved stays on the first, the busiest.
    pub fn sort(&mut self, tab: Tab) {
        let Some(slot) = LISTS.iter().position(|&t| t == tab) else {
            return;
        };
        self.unsorted[slot] = false;
        let column = tab.sort_columns()[self.app.sort[tab.index()]];
        let order = &mut self.orders[slot];
        let model = &self.model;
        let key: fn(&Model, u32) -> u64 = match tab {
            Tab::Connections => {
                connections::order(model, column, order);
                connections::key
            }
            Tab::Processes => {
                processes::order(model, column, order);
                processes::key
            }
            _ => {
                listeners::order(model, column, order);
                listeners::key
            }
        };
        let selected = self.app.cursors[tab.index()]
            .key
            .and_then(|k| order.iter().position(|&i| key(model, i) == k));
        self.app.rows_changed(tab, order.len(), selected);
    }

    /// Remembers what the selection of `tab` is on, after it moved.
    pub fn note_selection(&mut self, tab: Tab) {
        self.sorted(tab);
        let Some(slot) = LISTS.iter().position(|&t| t == tab) else {
            return;
        };
        let cursor = &mut self.app.cursors[tab.index()];
        let Some(&index) = self.orders[slot].get(cursor.index) else {
            cursor.key = None;
            return;
        };
        cursor.key = Some(match tab {
            Tab::Connections => connections::key(&self.model, index),
            Tab::Processes => processes::key(&self.model, index),
            _ => listeners::key(&self.model, index),
        });
    }

    /// Reads the details of the selected row (a one-off query).
    pub fn open_details(&mut self) {
        self.sorted(self.app.tab);
        self.details = self.subject().map(Details::load);
        if self.details.is_none() {
            self.app.details = None;
        }
    }

    fn subject(&self) -> Option<Subject> {
        let tab = self.app.tab;
        let slot = LISTS.iter().position(|&t| t == tab)?;
        let index = *self.orders[slot].get(self.app.cursor().index)? as usize;
        let model = &self.model;
        Some(match tab {
            Tab::Connections => {
                let conn = &model.connections[index];
                Subject::Socket {
                    socket: conn.socket,
                    owner: conn.owner.clone(),
                    rates: conn.rates,
                }
            }
            Tab::Listeners => {
                let listener = &model.listeners[index];
                Subject::Socket {
                    socket: listener.socket,
                    owner: listener.owner.clone(),
                    rates: Default::default(),
                }
            }
            _ => {
                let process = model.processes[index].clone();
                let pid = process.pid();
                let owned_by = |owner: &Option<std::sync::Arc<nettables::process::Owner>>| {
                    owner.as_ref().map(|o| o.pid) == pid
                };
                let sockets = model
                    .connections
                    .iter()
                    .filter(|c| c.mark != Mark::Closed && owned_by(&c.owner))
                    .map(|c| c.socket)
                    .chain(
                        model
                            .listeners
                            .iter()
                            .filter(|l| owned_by(&l.owner))
                            .map(|l| l.socket),
                    )
                    .collect();
                Subject::Process { process, sockets }
            }
        })
    }

    pub fn draw(&mut self, frame: &mut Frame) {
        let area = frame.area();
        self.sorted(self.app.tab);
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            frame::too_small(frame, area);
            return;
        }
        let model = &self.model;
        let banner = u16::from(!model.findings.is_empty());
        let [head, tab_bar, banner_area, body, foot] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Length(1),
            Constraint::Length(banner),
            Constraint::Fill(1),
            Constraint::Length(frame::footer_height(&self.app)),
        ])
        .areas(area);
        let header = Header {
            host: &self.meta.host,
            netns: &self.meta.netns,
            wall: model.wall,
            took: model.took,
            interval: self.meta.interval,
            paused: self.app.paused,
            states: &model.states,
            sockets: model.connections.len().saturating_sub(self.marks.1) + model.listeners.len(),
        };
        frame::header(frame, head, &header);
        frame::tabs(frame, tab_bar, self.app.tab);
        frame::banner(frame, banner_area, &model.findings);
        self.app.page = view::body_rows(body).max(1);
        self.draw_view(frame, body);
        let notice = self
            .notice
            .as_deref()
            .or(self.model.error.as_deref())
            .or_else(|| {
                let owners = self.model.owners;
                (owners.watched && owners.incomplete)
                    .then_some("some owners are unknown: run as root to see them all")
            });
        frame::footer(frame, foot, &self.app, notice);
        if self.app.help {
            frame::help(frame, area);
        }
        if let (Some(scroll), Some(details)) = (self.app.details, &self.details) {
            let window = frame::centered(
                area,
                area.width.saturating_sub(4),
                area.height.saturating_sub(4),
            );
            let lines = view::details::lines(details, &mut self.names, window.width - 2);
            frame.render_widget(Clear, window);
            let block = Block::bordered().title(" Details (Esc closes, arrows scroll) ");
            let paragraph = Paragraph::new(lines)
                .block(block)
                .wrap(Wrap { trim: false })
                .scroll((scroll, 0));
            frame.render_widget(paragraph, window);
        }
    }

    fn draw_view(&mut self, frame: &mut Frame, body: ratatui::layout::Rect) {
        let tab = self.app.tab;
        let model = &self.model;
        let cursor = self.app.cursor();
        let offset = &mut self.offsets[tab.index()];
        let window = Window::around(cursor.index, *offset, self.app.page);
        *offset = window.offset;
        let selected = |rows: usize| (rows > 0).then(|| cursor.index - window.offset);
        let sort = self.app.sort_column().unwrap_or_default();
        let waiting = model.tick == 0;
        let programs = self.meta.programs;
        self.names.begin();
        match tab {
            Tab::Connections => {
                let shown = window.slice(&self.orders[0]);
                let rows =
                    view::resolve(&model.connections, shown, &mut self.names, self.app.names);
                let (opened, closed) = self.marks;
                let title = if waiting {
                    "Connections: waiting for the first sample".to_string()
                } else {
                    format!(
                        "Connections: {} ({opened} opened, {closed} closed lately), sorted by {sort}",
                        model.connections.len() - closed
                    )
                };
                let pane = Pane {
                    title,
                    selected: selected(rows.len()),
                    programs,
                };
                connections::render(frame, body, &rows, pane);
            }
            Tab::Processes => {
                let shown = window.slice(&self.orders[1]);
                let rows = processes::resolve(model, shown);
                let title = format!("Processes: {}, sorted by {sort}", model.processes.len());
                let pane = Pane {
                    title,
                    selected: selected(rows.len()),
                    programs,
                };
                processes::render(frame, body, &rows, pane);
            }
            Tab::Listeners => {
                let shown = window.slice(&self.orders[2]);
                let rows = view::resolve(&model.listeners, shown, &mut self.names, self.app.names);
                let title = format!("Listeners: {} TCP, sorted by {sort}", model.listeners.len());
                let pane = Pane {
                    title,
                    selected: selected(rows.len()),
                    programs,
                };
                listeners::render(frame, body, &rows, pane);
            }
            Tab::States => {
                states::render(frame, body, model, self.meta.interval);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::model::tests::{busy, observed, owned};
    use crate::live::view::tests::screen_lines;
    use nettables::inet::State;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn screen() -> Screen {
        let meta = Meta {
            host: "box".into(),
            netns: "(current)".into(),
            interval: Duration::from_secs(1),
            programs: true,
        };
        Screen::new(App::new(false, None), meta)
    }

    fn model(bulk_rate: f64) -> Model {
        let current = vec![
            owned(
                observed("127.0.0.1:5001", "0.0.0.0:0", State::LISTEN, 1),
                7,
                "srv",
            ),
            owned(
                busy(
                    observed("127.0.0.1:40001", "127.0.0.1:5001", State::ESTABLISHED, 2),
                    0.0,
                    10.0,
                ),
                7,
                "srv",
            ),
            owned(
                busy(
                    observed("127.0.0.1:40002", "127.0.0.1:5001", State::ESTABLISHED, 3),
                    0.0,
                    bulk_rate,
                ),
                8,
                "bulk",
            ),
        ];
        let mut model = Model {
            tick: 1,
            ..Model::default()
        };
        model.add_sockets(&current, |_| false, [].iter(), true);
        model
    }

    fn press(screen: &mut Screen, code: KeyCode) {
        let action = screen.app.key(KeyEvent::new(code, KeyModifiers::NONE));
        if let crate::live::app::Action::Moved = action {
            let tab = screen.app.tab;
            screen.note_selection(tab);
        }
    }

    #[test]
    fn the_selection_stays_on_its_connection_as_rows_resort() {
        let mut screen = screen();
        screen.show(model(5000.0));
        let lines = screen_lines(160, 20, |f| screen.draw(f));
        assert!(
            lines[5].starts_with("> ") && lines[5].contains(":40002"),
            "{lines:#?}"
        );
        press(&mut screen, KeyCode::Down);
        screen.show(model(1.0));
        let lines = screen_lines(160, 20, |f| screen.draw(f));
        let selected = lines.iter().find(|l| l.starts_with("> ")).unwrap();
        assert!(selected.contains(":40001"), "{lines:#?}");
        assert!(lines[5].contains(":40001"), "now busiest: {lines:#?}");
    }

    #[test]
    fn every_view_draws_with_header_tabs_and_footer() {
        let mut screen = screen();
        screen.show(model(5000.0));
        for (key, expect) in [
            (
                KeyCode::Char('1'),
                "Connections: 2 (0 opened, 0 closed lately), sorted by rate",
            ),
            (KeyCode::Char('2'), "Processes: 2, sorted by rate"),
            (KeyCode::Char('3'), "Listeners: 1 TCP, sorted by queue"),
            (KeyCode::Char('4'), "States: TCP sockets by state over time"),
        ] {
            press(&mut screen, key);
            let lines = screen_lines(160, 30, |f| screen.draw(f));
            assert!(lines[0].contains("host box  netns (current)"), "{lines:#?}");
            assert_eq!(lines[1], "TCP: ESTABLISHED 2  LISTEN 1");
            assert!(lines[2].contains("1 Connections"), "{lines:#?}");
            assert!(lines[3].contains(expect), "{key:?}: {lines:#?}");
            assert!(lines[29].contains("? keys  q quit"), "{lines:#?}");
        }
        let lines = screen_lines(60, 10, |f| screen.draw(f));
        assert!(lines.join(" ").contains("too small"), "{lines:#?}");
    }
}
