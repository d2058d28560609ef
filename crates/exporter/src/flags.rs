//! The command line, in the Prometheus exporter toolkit's style: long flags with dots,
//! `--flag=value` or `--flag value`, booleans negated with `--no-`. Every flag is defined once in
//! [`FLAGS`] with its help text; `--help` is made from that table.

use std::time::Duration;

use crate::collect::Collector;

/// The default port. The Prometheus wiki's default-port allocations fill 9100-9999 and go on
/// upwards from 10000; 19573 is far from both, and from `/etc/services`.
pub const DEFAULT_PORT: u16 = 19573;

/// What the command line asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Addresses to listen on, as given (`HOST:PORT`, `[V6]:PORT` or `:PORT`).
    pub listen: Vec<String>,
    pub telemetry_path: String,
    pub web_config: Option<String>,
    /// Enabled collectors, in [`Collector::ALL`] order.
    pub collectors: Vec<Collector>,
    pub programs_top_k: usize,
    pub remotes_top_k: usize,
    /// How old the socket-owner table may get before a scrape refreshes it.
    pub owners_refresh: Duration,
    /// The audit's config file (`netstat --audit-config`'s format).
    pub audit_config: Option<String>,
    pub netns: Netns,
}

/// Which network namespaces are exported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Netns {
    /// The exporter's own.
    Own,
    /// One named namespace (`ip netns add NAME`), without a `netns` label.
    Named(String),
    /// Every named namespace and the exporter's own, each series with a `netns` label.
    All,
}

/// What to do after parsing.
#[derive(Debug, PartialEq, Eq)]
pub enum Action {
    Run(Box<Config>),
    Help,
    Version,
}

/// A flag definition.
struct Flag {
    name: &'static str,
    /// The value placeholder; `None` for booleans.
    value: Option<&'static str>,
    default: &'static str,
    help: &'static str,
}

const FLAGS: &[Flag] = &[
    Flag {
        name: "web.listen-address",
        value: Some("ADDRESS"),
        default: "127.0.0.1:19573",
        help: "Address to listen on; ':PORT' means every interface. Repeat for more.",
    },
    Flag {
        name: "web.telemetry-path",
        value: Some("PATH"),
        default: "/metrics",
        help: "Path under which to expose metrics.",
    },
    Flag {
        name: "web.config.file",
        value: Some("FILE"),
        default: "",
        help: "Exporter-toolkit web config (YAML) for TLS and basic authentication.",
    },
    Flag {
        name: "collector.disable-defaults",
        value: None,
        default: "",
        help: "Start with every collector off; enable some with --collector.NAME.",
    },
    Flag {
        name: "collector.programs.top-k",
        value: Some("N"),
        default: "10",
        help: "Programs exported by name; the rest are summed as program=\"other\".",
    },
    Flag {
        name: "collector.programs.refresh",
        value: Some("DURATION"),
        default: "30s",
        help: "Rescan every process for socket owners this often, in the background (0s: after every scrape).",
    },
    Flag {
        name: "collector.remotes.top-k",
        value: Some("N"),
        default: "10",
        help: "Remote addresses exported; the rest are summed as address=\"other\".",
    },
    Flag {
        name: "collector.audit.config",
        value: Some("FILE"),
        default: "",
        help: "Allow-lists and thresholds of the audit, as for 'netstat --audit-config FILE'.",
    },
    Flag {
        name: "netns",
        value: Some("NAME"),
        default: "",
        help: "Export the namespace NAME (made by 'ip netns add') instead of our own.",
    },
    Flag {
        name: "all-netns",
        value: None,
        default: "",
        help: "Export every network namespace in use (named ones, containers', every process's), with netns, container and pod labels.",
    },
    Flag {
        name: "help",
        value: None,
        default: "",
        help: "Show this help and exit.",
    },
    Flag {
        name: "version",
        value: None,
        default: "",
        help: "Show the version and exit.",
    },
];

/// A command-line mistake, worded for the user.
#[derive(Debug, PartialEq, Eq)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn usage(message: String) -> UsageError {
    UsageError(message)
}

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Action, UsageError> {
    let mut settings = Settings::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "-h" {
            return Ok(Action::Help);
        }
        let (name, inline) = split_flag(arg)?;
        if let Some(switch) = collector_switch(name) {
            if inline.is_some() {
                return Err(usage(format!("--{name} takes no value")));
            }
            settings.enabled.push(switch);
            continue;
        }
        let value = flag_value(name, inline, &mut args)?;
        match name {
            "help" => return Ok(Action::Help),
            "version" => return Ok(Action::Version),
            _ => settings.set(name, value)?,
        }
    }
    settings.finish()
}

/// `--NAME` or `--NAME=VALUE`: the name and the inline value.
fn split_flag(arg: &str) -> Result<(&str, Option<&str>), UsageError> {
    let Some(body) = arg.strip_prefix("--") else {
        return Err(usage(format!(
            "unexpected argument {arg:?}; flags start with --, try --help"
        )));
    };
    Ok(match body.split_once('=') {
        Some((name, value)) => (name, Some(value)),
        None => (body, None),
    })
}

/// `--collector.NAME` (on) or `--no-collector.NAME` (off), for each collector.
fn collector_switch(name: &str) -> Option<(Collector, bool)> {
    let negated = name.strip_prefix("no-");
    let collector = negated
        .unwrap_or(name)
        .strip_prefix("collector.")
        .and_then(Collector::from_name)?;
    Some((collector, negated.is_none()))
}

/// The value of flag `name` of [`FLAGS`]: inline, the next argument, or `""` for a flag that
/// takes none.
fn flag_value<'a>(
    name: &str,
    inline: Option<&'a str>,
    rest: &mut std::slice::Iter<'a, String>,
) -> Result<&'a str, UsageError> {
    let Some(flag) = FLAGS.iter().find(|f| f.name == name) else {
        return Err(usage(format!("unknown flag --{name}, try --help")));
    };
    match (flag.value, inline) {
        (None, Some(_)) => Err(usage(format!("--{name} takes no value"))),
        (None, None) => Ok(""),
        (Some(_), Some(value)) => Ok(value),
        (Some(placeholder), None) => rest
            .next()
            .map(String::as_str)
            .ok_or_else(|| usage(format!("--{name} needs a value ({placeholder})"))),
    }
}

/// What the flags have said so far; [`Settings::finish`] checks it and fills in the defaults.
struct Settings {
    listen: Vec<String>,
    telemetry_path: String,
    web_config: Option<String>,
    /// Collectors switched on or off, in command-line order (the last word wins).
    enabled: Vec<(Collector, bool)>,
    disable_defaults: bool,
    programs_top_k: usize,
    remotes_top_k: usize,
    owners_refresh: Duration,
    audit_config: Option<String>,
    netns: Option<String>,
    all_netns: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            listen: Vec::new(),
            telemetry_path: "/metrics".to_string(),
            web_config: None,
            enabled: Vec::new(),
            disable_defaults: false,
            programs_top_k: 10,
            remotes_top_k: 10,
            owners_refresh: Duration::from_secs(30),
            audit_config: None,
            netns: None,
            all_netns: false,
        }
    }
}

impl Settings {
    /// Takes flag `name` (of [`FLAGS`], other than help and version) with its `value`.
    fn set(&mut self, name: &str, value: &str) -> Result<(), UsageError> {
        match name {
            "web.listen-address" => {
                check_listen_address(value)?;
                self.listen.push(value.to_string());
            }
            "web.telemetry-path" => {
                if !value.starts_with('/') || value == "/" {
                    return Err(usage(format!(
                        "--web.telemetry-path must start with / and not be / itself, not {value:?}"
                    )));
                }
                self.telemetry_path = value.to_string();
            }
            "web.config.file" => self.web_config = Some(value.to_string()),
            "collector.disable-defaults" => self.disable_defaults = true,
            "collector.programs.top-k" => self.programs_top_k = count(name, value)?,
            "collector.remotes.top-k" => self.remotes_top_k = count(name, value)?,
            "collector.programs.refresh" => {
                self.owners_refresh = parse_duration(value).ok_or_else(|| {
                    usage(format!(
                        "--{name}: {value:?} is not a duration such as 30s, 2m or 500ms"
                    ))
                })?;
            }
            "collector.audit.config" => self.audit_config = Some(value.to_string()),
            "netns" => {
                if value.is_empty() {
                    return Err(usage("--netns needs a namespace name".to_string()));
                }
                self.netns = Some(value.to_string());
            }
            "all-netns" => self.all_netns = true,
            _ => unreachable!("every flag of FLAGS is handled"),
        }
        Ok(())
    }

    /// The configuration of the run.
    fn finish(self) -> Result<Action, UsageError> {
        let netns = match (self.netns, self.all_netns) {
            (Some(_), true) => {
                return Err(usage(
                    "--netns and --all-netns cannot be used together".to_string(),
                ));
            }
            (Some(name), false) => Netns::Named(name),
            (None, true) => Netns::All,
            (None, false) => Netns::Own,
        };
        let collectors = Collector::ALL
            .iter()
            .copied()
            .filter(|&c| {
                self.enabled
                    .iter()
                    .rev()
                    .find(|(e, _)| *e == c)
                    .map_or(!self.disable_defaults && c.by_default(), |&(_, on)| on)
            })
            .collect();
        let mut listen = self.listen;
        if listen.is_empty() {
            listen.push(format!("127.0.0.1:{DEFAULT_PORT}"));
        }
        Ok(Action::Run(Box::new(Config {
            listen,
            telemetry_path: self.telemetry_path,
            web_config: self.web_config,
            collectors,
            programs_top_k: self.programs_top_k,
            remotes_top_k: self.remotes_top_k,
            owners_refresh: self.owners_refresh,
            audit_config: self.audit_config,
            netns,
        })))
    }
}

fn count(name: &str, value: &str) -> Result<usize, UsageError> {
    value
        .parse::<usize>()
        .ok()
        .filter(|&n| n <= 100_000)
        .ok_or_else(|| {
            usage(format!(
                "--{name}: {value:?} is not a count from 0 to 100000"
            ))
        })
}

/// Checks the shape of a listen address; [`crate::server`] resolves it.
fn check_listen_address(value: &str) -> Result<(), UsageError> {
    crate::server::parse_listen_address(value)
        .map(|_| ())
        .map_err(|why| usage(format!("--web.listen-address {value:?}: {why}")))
}

/// A Prometheus-style duration: a number with `ms`, `s`, `m` or `h`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let number: u64 = text[..digits].parse().ok()?;
    let millis = match &text[digits..] {
        "ms" => number,
        "s" => number.checked_mul(1000)?,
        "m" => number.checked_mul(60_000)?,
        "h" => number.checked_mul(3_600_000)?,
        _ => return None,
    };
    Some(Duration::from_millis(millis))
}

/// The `--help` text, made from [`FLAGS`] and the collector list.
pub fn help() -> String {
    let mut out = String::from(
        "usage: netstat_exporter [FLAGS]\n\n\
         A Prometheus exporter for sockets, listeners, socket owners, protocol counters and\n\
         interfaces. Metrics are served at --web.telemetry-path.\n\nFlags:\n",
    );
    let mut lines: Vec<(String, String)> = FLAGS
        .iter()
        .map(|f| {
            let left = match f.value {
                Some(v) => format!("--{}={v}", f.name),
                None => format!("--{}", f.name),
            };
            let right = if f.default.is_empty() {
                f.help.to_string()
            } else {
                format!("{} (default: {})", f.help, f.default)
            };
            (left, right)
        })
        .collect();
    lines.insert(
        0,
        (
            "-h, --help".to_string(),
            "Show this help and exit.".to_string(),
        ),
    );
    lines.retain(|(left, _)| left != "--help");
    for c in Collector::ALL {
        let default = if c.by_default() {
            "enabled"
        } else {
            "disabled"
        };
        lines.push((
            format!("--[no-]collector.{}", c.name()),
            format!("{} (default: {default})", c.help()),
        ));
    }
    let width = lines.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
    for (left, right) in lines {
        out.push_str(&format!("  {left:width$}  {right}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Config, UsageError> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        match parse(&args)? {
            Action::Run(config) => Ok(*config),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn defaults() {
        let config = run(&[]).unwrap();
        assert_eq!(config.listen, vec!["127.0.0.1:19573"]);
        assert_eq!(config.telemetry_path, "/metrics");
        assert_eq!(config.collectors, Collector::ALL[..6]);
        assert_eq!(config.audit_config, None);
        assert_eq!(config.netns, Netns::Own);
        assert_eq!(config.owners_refresh, Duration::from_secs(30));
    }

    #[test]
    fn both_spellings_of_values() {
        let a = run(&["--web.listen-address=:9999", "--web.telemetry-path", "/m"]).unwrap();
        assert_eq!(
            (a.listen[0].as_str(), a.telemetry_path.as_str()),
            (":9999", "/m")
        );
        let b = run(&["--web.listen-address", "[::1]:1", "--web.listen-address=:2"]).unwrap();
        assert_eq!(b.listen, vec!["[::1]:1", ":2"]);
    }

    #[test]
    fn collectors_on_and_off() {
        let c = run(&["--no-collector.programs", "--no-collector.counters"]).unwrap();
        assert!(!c.collectors.contains(&Collector::Programs));
        assert!(!c.collectors.contains(&Collector::Counters));
        assert!(c.collectors.contains(&Collector::Sockets));
        let c = run(&["--collector.disable-defaults", "--collector.sockets"]).unwrap();
        assert_eq!(c.collectors, vec![Collector::Sockets]);
        // The last word wins.
        let c = run(&["--no-collector.sockets", "--collector.sockets"]).unwrap();
        assert!(c.collectors.contains(&Collector::Sockets));
        // The audit is opt-in, with its own config file.
        let c = run(&["--collector.audit", "--collector.audit.config=/etc/a.conf"]).unwrap();
        assert_eq!(c.collectors, Collector::ALL);
        assert_eq!(c.audit_config.as_deref(), Some("/etc/a.conf"));
    }

    #[test]
    fn mistakes_are_explained() {
        let err = |args: &[&str]| run(args).unwrap_err().0;
        assert!(err(&["--bogus"]).contains("unknown flag --bogus"));
        assert!(err(&["--collector.nope"]).contains("unknown flag"));
        assert!(err(&["--netns"]).contains("needs a value"));
        assert!(err(&["--netns", "a", "--all-netns"]).contains("cannot be used together"));
        assert!(err(&["--collector.remotes.top-k=x"]).contains("not a count"));
        assert!(err(&["--collector.programs.refresh=5"]).contains("not a duration"));
        assert!(err(&["--web.listen-address=nonsense"]).contains("--web.listen-address"));
        assert!(err(&["--web.telemetry-path=metrics"]).contains("must start with /"));
        assert!(err(&["--all-netns=yes"]).contains("takes no value"));
        assert!(err(&["stray"]).contains("unexpected argument"));
    }

    #[test]
    fn help_and_version() {
        assert_eq!(parse(&["--help".to_string()]), Ok(Action::Help));
        assert_eq!(parse(&["-h".to_string()]), Ok(Action::Help));
        assert_eq!(parse(&["--version".to_string()]), Ok(Action::Version));
        let text = help();
        for flag in FLAGS {
            assert!(text.contains(flag.name), "{}", flag.name);
        }
        assert!(text.contains("--[no-]collector.listeners"));
        assert!(text.contains("findings of netstat --audit's checks. (default: disabled)"));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("0s"), Some(Duration::ZERO));
        assert_eq!(parse_duration("1h"), Some(Duration::from_secs(3600)));
        for bad in ["", "s", "5", "-1s", "1.5s", "1d"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
