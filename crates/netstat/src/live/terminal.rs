//! The terminal while the view runs: raw mode and the alternate screen, put back however the
//! view ends: a return, an error, or a panic on the screen's thread.

use std::io::{self, Stdout, stdout};
use std::sync::{Once, OnceLock};
use std::thread::ThreadId;

use ratatui::Frame;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::cursor::{Hide, Show};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};

/// The thread that owns the screen; a panic there must give the terminal back before the
/// message prints. (A panic elsewhere leaves the screen to its thread.)
static SCREEN_THREAD: OnceLock<ThreadId> = OnceLock::new();

pub struct Terminal {
    inner: ratatui::Terminal<CrosstermBackend<Stdout>>,
}

impl Terminal {
    /// Takes the terminal over: raw mode, alternate screen, no cursor.
    pub fn enter() -> io::Result<Terminal> {
        install_panic_hook();
        let _ = SCREEN_THREAD.set(std::thread::current().id());
        enable_raw_mode()?;
        // From here on, dropping `restore` (on an early return) puts the terminal back.
        let restore = Restore;
        execute!(stdout(), EnterAlternateScreen, Hide)?;
        let inner = ratatui::Terminal::new(CrosstermBackend::new(stdout()))?;
        std::mem::forget(restore);
        Ok(Terminal { inner })
    }

    pub fn draw(&mut self, draw: impl FnOnce(&mut Frame)) -> io::Result<()> {
        self.inner.draw(draw).map(|_| ())
    }

    /// Repaints everything at the next draw (after something else wrote to the screen).
    pub fn clear(&mut self) -> io::Result<()> {
        self.inner.clear()
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        restore();
    }
}

/// Restores the terminal when dropped.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        restore();
    }
}

fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(stdout(), LeaveAlternateScreen, Show);
}

fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if SCREEN_THREAD.get() == Some(&std::thread::current().id()) {
                restore();
            }
            previous(info);
        }));
    });
}
