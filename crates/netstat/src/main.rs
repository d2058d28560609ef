//! `netstat`: a drop-in replacement for net-tools' netstat.

mod app;
mod audit;
mod cli;
mod modes;
mod output;
mod render;
mod resolve;
mod text;

fn main() {
    std::process::exit(app::run(std::env::args_os().collect()));
}
