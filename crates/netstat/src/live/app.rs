//! The state of the screen and what each key does to it. Pure: no terminal, no sampling; the
//! loop in `mod.rs` carries out the [`Action`]s.

use nettables::filter::Filter;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Every key, as the help window (`?`) and the README list them.
pub const KEYS: &[(&str, &str)] = &[
    ("q, Ctrl-C", "quit"),
    ("Tab, Shift-Tab", "next, previous view"),
    ("1 2 3 4", "Connections, Processes, Listeners, States"),
    (
        "/",
        "filter in ss's language, e.g. dport = :443; Enter applies, Esc cancels, empty clears",
    ),
    ("s", "sort by the next column"),
    ("p", "pause, resume"),
    ("n", "names or numbers"),
    (
        "Enter",
        "details of the selected row: tcp_info, command line, descriptors (Esc closes)",
    ),
    ("Up Down PgUp PgDn Home End", "move the selection"),
    ("?", "these keys (any key closes)"),
];

/// The four views, in tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Connections,
    Processes,
    Listeners,
    States,
}

impl Tab {
    pub const ALL: [Tab; 4] = [
        Tab::Connections,
        Tab::Processes,
        Tab::Listeners,
        Tab::States,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn title(self) -> &'static str {
        match self {
            Tab::Connections => "Connections",
            Tab::Processes => "Processes",
            Tab::Listeners => "Listeners",
            Tab::States => "States",
        }
    }

    /// The columns `s` cycles through, the default first.
    pub fn sort_columns(self) -> &'static [&'static str] {
        match self {
            Tab::Connections => &[
                "rate", "recv", "send", "total", "rtt", "retrans", "state", "program", "local",
                "remote",
            ],
            Tab::Processes => &["rate", "recv", "send", "sockets", "pid", "program"],
            Tab::Listeners => &["queue", "connections", "port", "program"],
            Tab::States => &[],
        }
    }

    fn offset(self, by: isize) -> Tab {
        let n = Tab::ALL.len() as isize;
        Tab::ALL[(self.index() as isize + by).rem_euclid(n) as usize]
    }
}

/// The selected row of a view: its place, and the identity of what is there, so the
/// selection stays on the same socket or process as rows move.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cursor {
    pub index: usize,
    pub key: Option<u64>,
}

/// The filter prompt being typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prompt {
    pub text: String,
    /// Why the last Enter was refused: message, 1-based column and width of the bad part.
    pub error: Option<(String, usize, usize)>,
}

/// What the loop must do after a key.
#[derive(Debug)]
pub enum Action {
    /// Redraw only.
    Redraw,
    Quit,
    /// Watch with this filter from now on (`None`: no filter).
    Filter(Option<Filter>),
    Pause(bool),
    /// Sort the current view again (its sort column changed).
    Resort,
    /// Load the details of the selected row.
    Details,
    /// The selection moved: note the new row's identity.
    Moved,
}

#[derive(Debug)]
pub struct App {
    pub tab: Tab,
    /// Index into each tab's [`Tab::sort_columns`].
    pub sort: [usize; 4],
    pub paused: bool,
    /// Host and service names (toggled by `n`), or numbers.
    pub names: bool,
    pub cursors: [Cursor; 4],
    /// Rows each view has, as last shown.
    pub rows: [usize; 4],
    /// Rows that fit on one page of the current view.
    pub page: usize,
    pub prompt: Option<Prompt>,
    /// The filter in force, as typed.
    pub filter: Option<String>,
    pub help: bool,
    /// The details window is open, scrolled down this many lines.
    pub details: Option<u16>,
}

impl App {
    pub fn new(names: bool, filter: Option<String>) -> App {
        App {
            tab: Tab::Connections,
            sort: [0; 4],
            paused: false,
            names,
            cursors: [Cursor::default(); 4],
            rows: [0; 4],
            page: 10,
            prompt: None,
            filter,
            help: false,
            details: None,
        }
    }

    pub fn cursor(&self) -> Cursor {
        self.cursors[self.tab.index()]
    }

    /// The name of the current view's sort column, if it sorts.
    pub fn sort_column(&self) -> Option<&'static str> {
        self.tab
            .sort_columns()
            .get(self.sort[self.tab.index()])
            .copied()
    }

    /// Applies one key press.
    pub fn key(&mut self, key: KeyEvent) -> Action {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && key.code == KeyCode::Char('c') {
            return Action::Quit;
        }
        if self.prompt.is_some() {
            return self.prompt_key(key, ctrl);
        }
        if self.help {
            self.help = false;
            return if key.code == KeyCode::Char('q') {
                Action::Quit
            } else {
                Action::Redraw
            };
        }
        if let Some(scroll) = self.details {
            return self.details_key(key.code, scroll);
        }
        self.view_key(key.code)
    }

    /// A key while the details pop-up is open, `scroll` lines down.
    fn details_key(&mut self, code: KeyCode, scroll: u16) -> Action {
        let scroll = match code {
            KeyCode::Char('q') => return Action::Quit,
            KeyCode::Esc | KeyCode::Enter => {
                self.details = None;
                return Action::Redraw;
            }
            KeyCode::Down => scroll.saturating_add(1),
            KeyCode::Up => scroll.saturating_sub(1),
            KeyCode::PageDown => scroll.saturating_add(10),
            KeyCode::PageUp => scroll.saturating_sub(10),
            _ => scroll,
        };
        self.details = Some(scroll);
        Action::Redraw
    }

    /// A key on a view: switching, sorting, moving, and the toggles.
    fn view_key(&mut self, code: KeyCode) -> Action {
        match code {
            KeyCode::Char('q') => Action::Quit,
            KeyCode::Tab => self.switch(self.tab.offset(1)),
            KeyCode::BackTab => self.switch(self.tab.offset(-1)),
            KeyCode::Char(c @ '1'..='4') => self.switch(Tab::ALL[usize::from(c as u8 - b'1')]),
            KeyCode::Char('/') => {
                self.prompt = Some(Prompt {
                    text: self.filter.clone().unwrap_or_default(),
                    error: None,
                });
                Action::Redraw
            }
            KeyCode::Char('s') => {
                let columns = self.tab.sort_columns().len();
                if columns == 0 {
                    return Action::Redraw;
                }
                let sort = &mut self.sort[self.tab.index()];
                *sort = (*sort + 1) % columns;
                Action::Resort
            }
            KeyCode::Char('p') => {
                self.paused = !self.paused;
                Action::Pause(self.paused)
            }
            KeyCode::Char('n') => {
                self.names = !self.names;
                Action::Redraw
            }
            KeyCode::Char('?') => {
                self.help = true;
                Action::Redraw
            }
            KeyCode::Enter if self.rows[self.tab.index()] > 0 && self.tab != Tab::States => {
                self.details = Some(0);
                Action::Details
            }
            KeyCode::Down => self.move_by(1),
            KeyCode::Up => self.move_by(-1),
            KeyCode::PageDown => self.move_by(self.page.max(1) as isize),
            KeyCode::PageUp => self.move_by(-(self.page.max(1) as isize)),
            KeyCode::Home => self.move_by(isize::MIN / 2),
            KeyCode::End => self.move_by(isize::MAX / 2),
            _ => Action::Redraw,
        }
    }

    fn switch(&mut self, tab: Tab) -> Action {
        self.tab = tab;
        Action::Redraw
    }

    fn move_by(&mut self, by: isize) -> Action {
        let rows = self.rows[self.tab.index()];
        let cursor = &mut self.cursors[self.tab.index()];
        let last = rows.saturating_sub(1) as isize;
        cursor.index = (cursor.index as isize).saturating_add(by).clamp(0, last) as usize;
        Action::Moved
    }

    fn prompt_key(&mut self, key: KeyEvent, ctrl: bool) -> Action {
        let Some(prompt) = self.prompt.as_mut() else {
            return Action::Redraw;
        };
        match key.code {
            KeyCode::Esc => self.prompt = None,
            KeyCode::Enter => {
                let text = prompt.text.trim().to_string();
                if text.is_empty() {
                    self.prompt = None;
                    self.filter = None;
                    return Action::Filter(None);
                }
                match Filter::parse(&text) {
                    Ok(filter) => {
                        self.prompt = None;
                        self.filter = Some(text);
                        return Action::Filter(Some(filter));
                    }
                    Err(e) => {
                        // The column counts in the trimmed text; the prompt shows it untrimmed.
                        let lead = prompt
                            .text
                            .chars()
                            .take_while(|c| c.is_whitespace())
                            .count();
                        prompt.error =
                            Some((e.message().to_string(), e.column() + lead, e.width()));
                    }
                }
            }
            KeyCode::Backspace => {
                prompt.text.pop();
                prompt.error = None;
            }
            KeyCode::Char('u') if ctrl => {
                prompt.text.clear();
                prompt.error = None;
            }
            KeyCode::Char(c) if !ctrl => {
                prompt.text.push(c);
                prompt.error = None;
            }
            _ => {}
        }
        Action::Redraw
    }

    /// After new rows arrived: the number of rows of `tab`, and where the selected row went
    /// (`None` when it is gone; the selection then stays at its place).
    pub fn rows_changed(&mut self, tab: Tab, rows: usize, selected: Option<usize>) {
        self.rows[tab.index()] = rows;
        let cursor = &mut self.cursors[tab.index()];
        if let Some(index) = selected {
            cursor.index = index;
        }
        cursor.index = cursor.index.min(rows.saturating_sub(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(app: &mut App, code: KeyCode) -> Action {
        app.key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn typed(app: &mut App, text: &str) {
        for c in text.chars() {
            press(app, KeyCode::Char(c));
        }
    }

    #[test]
    fn tabs_cycle_both_ways_and_jump_by_number() {
        let mut app = App::new(true, None);
        press(&mut app, KeyCode::Tab);
        assert_eq!(app.tab, Tab::Processes);
        press(&mut app, KeyCode::BackTab);
        press(&mut app, KeyCode::BackTab);
        assert_eq!(app.tab, Tab::States);
        press(&mut app, KeyCode::Tab);
        assert_eq!(app.tab, Tab::Connections);
        press(&mut app, KeyCode::Char('3'));
        assert_eq!(app.tab, Tab::Listeners);
        press(&mut app, KeyCode::Char('1'));
        assert_eq!(app.tab, Tab::Connections);
    }

    #[test]
    fn quit_with_q_or_ctrl_c_even_from_the_prompt() {
        let mut app = App::new(true, None);
        assert!(matches!(press(&mut app, KeyCode::Char('q')), Action::Quit));
        press(&mut app, KeyCode::Char('/'));
        assert!(matches!(
            press(&mut app, KeyCode::Char('q')),
            Action::Redraw
        ));
        assert_eq!(app.prompt.as_ref().unwrap().text, "q");
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert!(matches!(app.key(ctrl_c), Action::Quit));
    }

    #[test]
    fn the_filter_prompt_applies_refuses_cancels_and_clears() {
        let mut app = App::new(true, None);
        press(&mut app, KeyCode::Char('/'));
        typed(&mut app, "sport = :22");
        assert!(matches!(
            press(&mut app, KeyCode::Enter),
            Action::Filter(Some(_))
        ));
        assert_eq!(app.filter.as_deref(), Some("sport = :22"));
        assert!(app.prompt.is_none());

        // A bad expression keeps the prompt open with the error, and the filter unchanged.
        press(&mut app, KeyCode::Char('/'));
        assert_eq!(
            app.prompt.as_ref().unwrap().text,
            "sport = :22",
            "starts from the filter"
        );
        typed(&mut app, " and");
        assert!(matches!(press(&mut app, KeyCode::Enter), Action::Redraw));
        let (message, column, width) = app.prompt.as_ref().unwrap().error.clone().unwrap();
        assert!(!message.is_empty());
        assert_eq!((column, width), (16, 1), "just past the end");
        assert_eq!(app.filter.as_deref(), Some("sport = :22"));
        press(&mut app, KeyCode::Backspace);
        assert!(
            app.prompt.as_ref().unwrap().error.is_none(),
            "editing clears the error"
        );
        press(&mut app, KeyCode::Esc);
        assert!(app.prompt.is_none());
        assert_eq!(app.filter.as_deref(), Some("sport = :22"));

        press(&mut app, KeyCode::Char('/'));
        app.key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        typed(&mut app, "  ");
        assert!(matches!(
            press(&mut app, KeyCode::Enter),
            Action::Filter(None)
        ));
        assert_eq!(app.filter, None);
    }

    #[test]
    fn an_error_column_counts_the_leading_blanks() {
        let mut app = App::new(true, None);
        press(&mut app, KeyCode::Char('/'));
        typed(&mut app, "  sport = :x");
        press(&mut app, KeyCode::Enter);
        let (_, column, width) = app.prompt.as_ref().unwrap().error.clone().unwrap();
        assert_eq!((column, width), (11, 2), "`:x` in the text as typed");
    }

    #[test]
    fn sort_pause_names_help() {
        let mut app = App::new(false, None);
        assert_eq!(app.sort_column(), Some("rate"));
        assert!(matches!(
            press(&mut app, KeyCode::Char('s')),
            Action::Resort
        ));
        assert_eq!(app.sort_column(), Some("recv"));
        for _ in 0..9 {
            press(&mut app, KeyCode::Char('s'));
        }
        assert_eq!(app.sort_column(), Some("rate"), "cycles");
        press(&mut app, KeyCode::Char('4'));
        assert!(matches!(
            press(&mut app, KeyCode::Char('s')),
            Action::Redraw
        ));
        assert_eq!(app.sort_column(), None);
        assert!(matches!(
            press(&mut app, KeyCode::Char('p')),
            Action::Pause(true)
        ));
        assert!(matches!(
            press(&mut app, KeyCode::Char('p')),
            Action::Pause(false)
        ));
        press(&mut app, KeyCode::Char('n'));
        assert!(app.names);
        press(&mut app, KeyCode::Char('?'));
        assert!(app.help);
        press(&mut app, KeyCode::Char('x'));
        assert!(!app.help, "any key closes the help");
    }

    #[test]
    fn the_selection_moves_within_the_rows_and_follows_them() {
        let mut app = App::new(true, None);
        app.page = 5;
        app.rows_changed(Tab::Connections, 12, None);
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Down);
        assert_eq!(app.cursor().index, 2);
        press(&mut app, KeyCode::PageDown);
        assert_eq!(app.cursor().index, 7);
        press(&mut app, KeyCode::PageDown);
        assert_eq!(app.cursor().index, 11);
        press(&mut app, KeyCode::Up);
        assert_eq!(app.cursor().index, 10);
        press(&mut app, KeyCode::PageUp);
        press(&mut app, KeyCode::PageUp);
        assert_eq!(app.cursor().index, 0);
        press(&mut app, KeyCode::End);
        assert_eq!(app.cursor().index, 11);
        press(&mut app, KeyCode::Home);
        assert_eq!(app.cursor().index, 0);
        app.rows_changed(Tab::Connections, 12, Some(4));
        assert_eq!(app.cursor().index, 4, "the selected row moved");
        app.rows_changed(Tab::Connections, 3, None);
        assert_eq!(app.cursor().index, 2, "rows went away");
        app.rows_changed(Tab::Connections, 0, None);
        press(&mut app, KeyCode::Down);
        assert_eq!(app.cursor().index, 0);
    }

    #[test]
    fn details_open_on_a_row_scroll_and_close() {
        let mut app = App::new(true, None);
        assert!(
            matches!(press(&mut app, KeyCode::Enter), Action::Redraw),
            "no rows"
        );
        app.rows_changed(Tab::Connections, 3, None);
        assert!(matches!(press(&mut app, KeyCode::Enter), Action::Details));
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::PageDown);
        assert_eq!(app.details, Some(11));
        press(&mut app, KeyCode::Tab);
        assert_eq!(app.tab, Tab::Connections, "keys go to the details window");
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.details, None);
        press(&mut app, KeyCode::Char('4'));
        app.rows_changed(Tab::States, 5, None);
        assert!(matches!(press(&mut app, KeyCode::Enter), Action::Redraw));
    }
}
