//! `netstat_exporter`: sockets, listeners, socket owners, protocol counters and interfaces for
//! Prometheus, from the `nettables` library.
//!
//! Flow: command line ([`flags`]) → web config ([`web_config`]) → listening sockets → scrape
//! engine ([`scrape`]: one thread per namespace, [`namespaces`]; [`collect`]ors; [`owners`])
//! → HTTP ([`server`], [`auth`]) → [`exposition`] formats.

mod auth;
mod collect;
mod exposition;
mod flags;
mod namespaces;
mod owners;
mod scrape;
mod server;
mod web_config;

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use flags::Action;

/// A bad command line.
const EXIT_USAGE: u8 = 2;
/// Could not start: bad web config, address in use, namespace not reachable.
const EXIT_FAILURE: u8 = 1;

fn main() -> ExitCode {
    let args: Result<Vec<String>, _> = std::env::args_os()
        .skip(1)
        .map(|a| a.into_string())
        .collect();
    let Ok(args) = args else {
        eprintln!("netstat_exporter: error: arguments must be valid UTF-8");
        return ExitCode::from(EXIT_USAGE);
    };
    let config = match flags::parse(&args) {
        Ok(Action::Run(config)) => config,
        Ok(Action::Help) => {
            let _ = std::io::stdout().write_all(flags::help().as_bytes());
            return ExitCode::SUCCESS;
        }
        Ok(Action::Version) => {
            let _ = writeln!(
                std::io::stdout(),
                "netstat_exporter version {}",
                env!("CARGO_PKG_VERSION")
            );
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("netstat_exporter: error: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match run(&config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("netstat_exporter: error: {e}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

fn run(config: &flags::Config) -> Result<(), String> {
    let web = match &config.web_config {
        Some(path) => web_config::load(path)?,
        None => web_config::WebConfig::default(),
    };
    let listeners = config
        .listen
        .iter()
        .map(|address| server::bind(address))
        .collect::<Result<Vec<_>, _>>()?;
    let scraper = scrape::Scraper::new(config)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    for listener in &listeners {
        if let Ok(address) = listener.local_addr() {
            eprintln!(
                "netstat_exporter: listening on {address}{}, metrics at {}",
                if web.tls.is_some() { " (TLS)" } else { "" },
                config.telemetry_path
            );
        }
    }
    let app = Arc::new(server::App {
        scraper,
        auth: auth::Auth::new(web.users),
        telemetry_path: config.telemetry_path.clone(),
        tls: web.tls.map(tokio_rustls::TlsAcceptor::from),
        connections: Arc::new(tokio::sync::Semaphore::new(server::MAX_CONNECTIONS)),
    });
    runtime
        .block_on(server::run(listeners, app))
        .map_err(|e| format!("serving: {e}"))
}
