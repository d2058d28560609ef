//! `netstat`: a drop-in replacement for net-tools' netstat.

mod app;
mod audit;
mod cli;
mod i18n;
mod live;
mod modes;
mod namespaces;
mod output;
mod render;
mod resolve;
mod text;
#[cfg(any(windows, test))]
#[cfg_attr(
    not(test),
    expect(
        dead_code,
        reason = "the Windows mode that uses these is not built yet"
    )
)]
mod windows;

fn main() {
    std::process::exit(app::run(std::env::args_os().collect()));
}
