//! `netstat`: a drop-in replacement for net-tools' netstat.
//!
//! On Windows it speaks Windows netstat's language instead (the `windows` module), on macOS
//! BSD netstat's (the `macos` module); the net-tools command line, its modes and renderers
//! are built for the other Unix systems.

#[cfg(all(unix, not(target_os = "macos")))]
mod app;
#[cfg(all(unix, not(target_os = "macos")))]
mod audit;
#[cfg(all(unix, not(target_os = "macos")))]
mod cli;
#[cfg(all(unix, not(target_os = "macos")))]
mod i18n;
#[cfg(all(unix, not(target_os = "macos")))]
mod live;
#[cfg(any(target_os = "macos", all(unix, test)))]
mod macos;
#[cfg(all(unix, not(target_os = "macos")))]
mod modes;
#[cfg(all(unix, not(target_os = "macos")))]
mod namespaces;
#[cfg(all(unix, not(target_os = "macos")))]
mod output;
#[cfg(all(unix, not(target_os = "macos")))]
mod render;
#[cfg(unix)]
mod resolve;
#[cfg_attr(
    all(any(windows, target_os = "macos"), not(test)),
    expect(
        dead_code,
        reason = "the Windows and macOS modes have no names to sanitize for display"
    )
)]
mod text;
#[cfg(any(windows, test))]
mod windows;

#[cfg(all(unix, not(target_os = "macos")))]
fn main() {
    std::process::exit(app::run(std::env::args_os().collect()));
}

#[cfg(windows)]
fn main() {
    std::process::exit(windows::run::run(std::env::args_os().collect()));
}

#[cfg(target_os = "macos")]
fn main() {
    std::process::exit(macos::run::run(std::env::args_os().collect()));
}
