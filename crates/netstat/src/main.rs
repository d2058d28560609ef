//! `netstat`: a drop-in replacement for net-tools' netstat.
//!
//! On Windows it speaks Windows netstat's language instead (the `windows` module); the
//! net-tools modes are built for Unix systems. The Windows mode takes a part of the others:
//! our long options from `cli`'s flag table, the socket JSON records of `render`, and the
//! host look-ups of `resolve`.

#[cfg(unix)]
mod app;
#[cfg(unix)]
mod audit;
#[cfg_attr(windows, expect(dead_code, reason = "Windows uses a part"))]
mod cli;
#[cfg_attr(windows, expect(dead_code, reason = "Windows uses a part"))]
mod i18n;
#[cfg(unix)]
mod live;
#[cfg(unix)]
mod modes;
#[cfg(unix)]
mod namespaces;
#[cfg_attr(windows, expect(dead_code, reason = "Windows uses a part"))]
mod output;
#[cfg_attr(windows, expect(dead_code, reason = "Windows uses a part"))]
mod render;
#[cfg_attr(windows, expect(dead_code, reason = "Windows uses a part"))]
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
