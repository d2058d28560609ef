//! `netstat`: a drop-in replacement for net-tools' netstat.
//!
//! On Windows it speaks Windows netstat's language instead (the `windows` module), on macOS
//! BSD netstat's (the `macos` module); the net-tools command line, its modes and renderers
//! are built for the other Unix systems. The Windows mode takes a part of them: our long
//! options from `cli`'s flag table, the socket JSON records of `render`, and the host
//! look-ups of `resolve`.

#[cfg(all(unix, not(target_os = "macos")))]
mod app;
#[cfg(all(unix, not(target_os = "macos")))]
mod audit;
#[cfg(not(target_os = "macos"))]
#[cfg_attr(windows, expect(dead_code, reason = "Windows uses a part"))]
mod cli;
#[cfg(not(target_os = "macos"))]
#[cfg_attr(windows, expect(dead_code, reason = "Windows uses a part"))]
mod i18n;
#[cfg(all(unix, not(target_os = "macos")))]
mod live;
#[cfg(any(target_os = "macos", all(unix, test)))]
mod macos;
#[cfg(all(unix, not(target_os = "macos")))]
mod modes;
#[cfg(all(unix, not(target_os = "macos")))]
mod namespaces;
#[cfg(not(target_os = "macos"))]
#[cfg_attr(windows, expect(dead_code, reason = "Windows uses a part"))]
mod output;
#[cfg(not(target_os = "macos"))]
#[cfg_attr(windows, expect(dead_code, reason = "Windows uses a part"))]
mod render;
#[cfg_attr(windows, expect(dead_code, reason = "Windows uses a part"))]
mod resolve;
#[cfg_attr(
    all(target_os = "macos", not(test)),
    expect(
        dead_code,
        reason = "the macOS mode has no names to sanitize for display"
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
