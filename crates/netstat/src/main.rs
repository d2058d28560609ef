//! `netstat`: a drop-in replacement for net-tools' netstat.
//!
//! On Windows it speaks Windows netstat's language instead (the `windows` module), on macOS
//! BSD netstat's (the `macos` module); the net-tools command line, its modes and renderers
//! are built for the other Unix systems. The Windows and macOS modes take a part of them: our
//! long options from `cli`'s flag table (through `extensions`, which both share), the socket
//! JSON records of `render`, and the host look-ups of `resolve`.

#[cfg(all(unix, not(target_os = "macos")))]
mod app;
#[cfg(all(unix, not(target_os = "macos")))]
mod audit;
#[cfg_attr(
    any(windows, target_os = "macos"),
    expect(dead_code, reason = "Windows and macOS use a part")
)]
mod cli;
#[cfg(any(windows, target_os = "macos", test))]
mod extensions;
#[cfg_attr(
    any(windows, target_os = "macos"),
    expect(dead_code, reason = "Windows and macOS use a part")
)]
mod i18n;
#[cfg(all(unix, not(target_os = "macos")))]
mod live;
#[cfg(any(target_os = "macos", all(unix, test)))]
mod macos;
#[cfg(all(unix, not(target_os = "macos")))]
mod modes;
#[cfg(all(unix, not(target_os = "macos")))]
mod namespaces;
#[cfg_attr(
    any(windows, target_os = "macos"),
    expect(dead_code, reason = "Windows and macOS use a part")
)]
mod output;
#[cfg_attr(
    any(windows, target_os = "macos"),
    expect(dead_code, reason = "Windows and macOS use a part")
)]
mod render;
#[cfg_attr(windows, expect(dead_code, reason = "Windows uses a part"))]
mod resolve;
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
