//! `netstat`: a drop-in replacement for net-tools' netstat.
//!
//! On Windows it speaks Windows netstat's language instead (the `windows` module); the
//! net-tools command line, its modes and renderers are built for Unix systems.

#[cfg(unix)]
mod app;
#[cfg(unix)]
mod audit;
#[cfg(unix)]
mod cli;
#[cfg(unix)]
mod i18n;
#[cfg(unix)]
mod live;
#[cfg(unix)]
mod modes;
#[cfg(unix)]
mod namespaces;
#[cfg(unix)]
mod output;
#[cfg(unix)]
mod render;
#[cfg(unix)]
mod resolve;
#[cfg_attr(
    windows,
    expect(
        dead_code,
        reason = "the Windows mode has no names to sanitize for display"
    )
)]
mod text;
#[cfg(any(windows, test))]
mod windows;
#[cfg(test)]
mod macos;

#[cfg(unix)]
fn main() {
    std::process::exit(app::run(std::env::args_os().collect()));
}

#[cfg(windows)]
fn main() {
    std::process::exit(windows::run::run(std::env::args_os().collect()));
}
