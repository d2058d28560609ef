//! `netstat`: a drop-in replacement for net-tools' netstat.
//!
//! On Windows it speaks Windows netstat's language instead (the `windows` module); the
//! net-tools command line, its modes and renderers are built for Unix systems.

#[cfg(unix)]
mod app;
#[cfg(unix)]
mod audit;
#[cfg_attr(
    windows,
    expect(
        dead_code,
        reason = "the Windows mode takes only the long options and socket JSON"
    )
)]
mod cli;
#[cfg_attr(
    windows,
    expect(
        dead_code,
        reason = "the Windows mode takes only the long options and socket JSON"
    )
)]
mod i18n;
#[cfg(unix)]
mod live;
#[cfg(unix)]
mod modes;
#[cfg(unix)]
mod namespaces;
#[cfg_attr(
    windows,
    expect(
        dead_code,
        reason = "the Windows mode takes only the long options and socket JSON"
    )
)]
mod output;
#[cfg_attr(
    windows,
    expect(
        dead_code,
        reason = "the Windows mode takes only the long options and socket JSON"
    )
)]
mod render;
#[cfg(unix)]
mod resolve;
mod text;
#[cfg(any(windows, test))]
mod windows;

#[cfg(unix)]
fn main() {
    std::process::exit(app::run(std::env::args_os().collect()));
}

#[cfg(windows)]
fn main() {
    std::process::exit(windows::run::run(std::env::args_os().collect()));
}
