//! `--audit`: the library's checks ([`nettables::audit`]) over one snapshot, configured from
//! the command line and shown as text ([`render`]) or JSON.
//!
//! Exit status: 0 when no finding is above info, 1 with a warning, 2 with a critical finding,
//! 3 when the audit cannot run (a bad option or config file, a namespace that cannot be
//! entered, output that cannot be written).

mod render;

use nettables::audit::config::{self, FileError};
use nettables::audit::{CHECKS, audit, check_ids, collect};
use serde::Serialize;

pub use nettables::audit::{Config, Finding, Severity};

use crate::cli::args::{Args, OutputFormat};
use crate::modes::Status;
use crate::output::Output;
use crate::render::json;

/// The status of an audit that could not run.
pub const FAILED: i32 = 3;

/// The exit status of a run whose worst finding has this severity.
fn status(severity: Severity) -> i32 {
    match severity {
        Severity::Info => 0,
        Severity::Warning => 1,
        Severity::Critical => 2,
    }
}

/// A finding as a JSON record: under a namespace option, with the namespace's `netns` and
/// `container` first, then exactly the finding's five fields.
#[derive(Serialize)]
struct Located<'a> {
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    origin: Option<json::Origin<'a>>,
    check: &'a str,
    severity: &'a str,
    message: &'a str,
    evidence: &'a [String],
    advice: &'a str,
}

/// The settings: defaults, then the config file, then the options.
pub fn configure(args: &Args) -> Result<Config, String> {
    let ids = check_ids();
    let mut config = Config::default();
    if let Some(path) = &args.audit.config {
        let name = path.display().to_string();
        let text = config::read_text(path).map_err(|e| match e {
            FileError::Io(e) => format!("cannot read {name}: {}", crate::text::strerror(&e)),
            FileError::Refused(why) => format!("cannot read {name}: {why}"),
        })?;
        config.read_file(&name, &text, &ids)?;
    }
    for (key, value) in &args.audit.settings {
        config
            .set(key, value, &ids)
            .map_err(|e| format!("option: {e}"))?;
    }
    Ok(config)
}

/// Reads the kernel once and runs every check, for a view that shows findings as they come
/// (`--live`); notes about what could not be read are left out.
pub fn check(config: &Config) -> Vec<Finding> {
    let (snapshot, _notes) = collect::collect();
    audit(&snapshot, config)
}

/// Whether the audit refuses these options before looking at anything (the same in every
/// namespace).
pub fn refuses(args: &Args) -> bool {
    configure(args).is_err()
}

pub fn run(args: &Args, out: &mut Output) -> Status {
    let config = match configure(args) {
        Ok(config) => config,
        Err(e) => {
            eprintln!(
                "netstat: --audit: {}",
                String::from_utf8_lossy(&crate::text::sanitized(e.as_bytes()))
            );
            return Ok(FAILED);
        }
    };
    let (snapshot, notes) = collect::collect();
    for note in notes {
        eprintln!("netstat: --audit: {note}");
    }
    let findings = audit(&snapshot, &config);
    match args.format {
        OutputFormat::Text => render::text(out, &findings, CHECKS.len() - config.skip.len())?,
        format => {
            let origin = crate::modes::listing::json_options(args).origin;
            for f in &findings {
                let record = Located {
                    origin,
                    check: f.check,
                    severity: f.severity.name(),
                    message: &f.message,
                    evidence: &f.evidence,
                    advice: &f.advice,
                };
                json::record(out, format, &record)?;
            }
        }
    }
    Ok(findings
        .iter()
        .map(|f| status(f.severity))
        .max()
        .unwrap_or(0))
}
