//! `--live`: a full-screen view of the sockets that refreshes every second.
//!
//! Data flows one way: the engine (`nettables::watch`) samples on a thread of its own
//! ([`source`]), the [`worker`] turns each sample into a [`model`] of rows, the [`screen`]
//! sorts them, resolves the names of the rows on show ([`names`], in the background) and the
//! [`view`]s draw them. Keys are handled by [`app`], which is pure; [`terminal`] is the thin
//! layer that owns the terminal.

mod app;
mod details;
mod format;
mod history;
mod model;
mod names;
mod rates;
mod screen;
mod source;
mod terminal;
mod view;
mod worker;

use std::io::{self, IsTerminal};
use std::time::Duration;

use nettables::inet::{Family, Protocol};
use nettables::watch::SamplerConfig;
use ratatui::crossterm::event::{self, Event, KeyEventKind};

use crate::cli::args::Args;
use crate::modes::Status;
use crate::modes::listing::{self, Selection};
use app::{Action, App};
use screen::{Meta, Screen};
use source::{Command, Source};
use terminal::Terminal;
use worker::Worker;

/// The interval without `-c`.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(1);

pub fn run(args: &Args) -> Status {
    if !io::stdin().is_terminal() || !io::stdout().is_terminal() {
        eprintln!(
            "netstat: --live needs a terminal (stdin and stdout); for a listing that repeats use \
             -c [SECONDS], and --json or --json-lines for machine-readable output"
        );
        return Ok(1);
    }
    let filter = match listing::parse_filter(args.filter.as_deref(), false) {
        Ok(filter) => filter,
        Err(status) => return Ok(status),
    };
    let interval = args.continuous.unwrap_or(DEFAULT_INTERVAL);
    let config = SamplerConfig::default()
        .tables(tables(args))
        .filter(filter)
        .owners(args.programs);
    let worker = Worker::new(config, crate::audit::configure(args));
    let meta = Meta {
        host: host_name(),
        netns: crate::text::display(
            args.netns_label
                .as_ref()
                .map_or("(current)", |netns| netns.label.as_str())
                .as_bytes(),
        ),
        interval,
        programs: args.programs,
    };
    let mut screen = Screen::new(App::new(!args.numeric_hosts, args.filter.clone()), meta);
    let mut terminal = match Terminal::enter() {
        Ok(terminal) => terminal,
        Err(e) => {
            eprintln!(
                "netstat: --live: cannot set up the terminal: {}",
                crate::text::strerror(&e)
            );
            return Ok(1);
        }
    };
    let mut source = Source::start(worker, interval);
    if source.inline() {
        screen.notice = Some("no thread for sampling: keys wait for samples".into());
    }
    let result = event_loop(&mut terminal, &mut screen, &mut source);
    drop(terminal);
    match result {
        Ok(()) => Ok(0),
        Err(e) => {
            eprintln!("netstat: --live: {}", crate::text::strerror(&e));
            Ok(1)
        }
    }
}

/// Draws, reads keys and takes new models until a key says quit.
fn event_loop(terminal: &mut Terminal, screen: &mut Screen, source: &mut Source) -> io::Result<()> {
    let mut dirty = true;
    loop {
        match source.next_model() {
            Ok(Some(model)) if screen.app.paused => source.recycle(model),
            Ok(Some(model)) => {
                let old = screen.show(model);
                source.recycle(old);
                dirty = true;
            }
            Ok(None) => {}
            Err(source::Stopped) => {
                if screen.notice.is_none() {
                    // Its panic message went to the screen: repaint over it.
                    screen.notice = Some("sampling stopped: the sampler failed".into());
                    terminal.clear()?;
                    dirty = true;
                }
            }
        }
        if dirty {
            terminal.draw(|frame| screen.draw(frame))?;
            dirty = false;
        }
        if !event::poll(source.patience())? {
            continue;
        }
        match event::read()? {
            Event::Key(key) if key.kind != KeyEventKind::Release => {
                let tab = screen.app.tab;
                match screen.app.key(key) {
                    Action::Quit => return Ok(()),
                    Action::Filter(filter) => source.command(Command::Filter(filter)),
                    Action::Pause(pause) => source.command(Command::Pause(pause)),
                    Action::Resort => screen.sort(tab),
                    Action::Details => screen.open_details(),
                    Action::Moved => screen.note_selection(tab),
                    Action::Redraw => {}
                }
                dirty = true;
            }
            Event::Resize(..) => dirty = true,
            _ => {}
        }
    }
}

/// The tables `-t -u -w -U -4 -6` select (as for the listing); every Internet table when none
/// is (`-x` alone, say).
fn tables(args: &Args) -> Vec<(Protocol, Family)> {
    let tables: Vec<_> = Selection::new(args).tables().collect();
    if !tables.is_empty() {
        return tables;
    }
    let every = [
        Protocol::Tcp,
        Protocol::Udp,
        Protocol::UdpLite,
        Protocol::Raw,
    ];
    Selection::both_families(&every).tables().collect()
}

fn host_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most `buf.len()` bytes into `buf`.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return "?".to_string();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    crate::text::display(&buf[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(words: &[&str]) -> Args {
        let words: Vec<std::ffi::OsString> = words.iter().map(Into::into).collect();
        crate::cli::parse(&words).unwrap()
    }

    #[test]
    fn selectors_pick_the_tables() {
        assert_eq!(tables(&parsed(&["--live"])).len(), 8);
        assert_eq!(
            tables(&parsed(&["--live", "-t"])),
            vec![
                (Protocol::Tcp, Family::Inet),
                (Protocol::Tcp, Family::Inet6)
            ]
        );
        assert_eq!(
            tables(&parsed(&["--live", "-u", "-6"])),
            vec![(Protocol::Udp, Family::Inet6)]
        );
        assert_eq!(tables(&parsed(&["--live", "-4"])).len(), 4);
        assert_eq!(
            tables(&parsed(&["--live", "-x"])).len(),
            8,
            "no Internet table named"
        );
    }

    #[test]
    fn modes_it_cannot_show_are_refused_with_status_3() {
        for flag in [
            "-r",
            "-i",
            "-s",
            "-M",
            "-g",
            "--json",
            "--json-lines",
            "--summary",
            "--by-process",
            "--audit",
            "--all-netns",
        ] {
            let words: Vec<std::ffi::OsString> = ["--live", flag].iter().map(Into::into).collect();
            let exit = crate::cli::parse(&words).unwrap_err();
            assert_eq!(exit.code, 3, "{flag}");
            assert_eq!(
                String::from_utf8_lossy(&exit.stderr),
                format!("netstat: --live cannot be combined with {flag}\n")
            );
        }
        let args = parsed(&["--live", "-c", "2", "-tunp", "--netns", "blue"]);
        assert!(args.live && args.programs);
        assert_eq!(args.continuous, Some(Duration::from_secs(2)));
    }
}
