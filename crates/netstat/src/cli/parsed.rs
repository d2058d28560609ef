//! The option accumulators (net-tools' `flag_*` variables) and the rules that turn them into
//! [`Args`].

use std::ffi::OsStr;
use std::time::Duration;

use super::Exit;
use super::args::{Args, Mode, Netns, OutputFormat, Tables};
use crate::i18n::{Arg, printf, tr};

/// Address-family aliases accepted by `-A` and the long family options: alias, canonical name.
const FAMILY_ALIASES: &[(&str, &str)] = &[
    ("ax25", "ax25"),
    ("ip", "inet"),
    ("ip6", "inet6"),
    ("ipx", "ipx"),
    ("rose", "rose"),
    ("appletalk", "ddp"),
    ("netrom", "netrom"),
    ("inet", "inet"),
    ("inet6", "inet6"),
    ("ddp", "ddp"),
    ("unix", "unix"),
    ("tcpip", "inet"),
    ("econet", "ec"),
    ("x25", "x25"),
    ("ash", "ash"),
    ("bluetooth", "bluetooth"),
];

/// Options as they accumulate, in command-line order.
#[derive(Debug, Default)]
pub struct Parsed {
    pub args: Args,
    pub interfaces: u32,
    pub route: u32,
    pub masquerade: u32,
    pub statistics: u32,
    pub tcp: bool,
    pub udp: bool,
    pub udplite: bool,
    pub sctp: bool,
    pub raw: bool,
    pub l2cap: bool,
    pub rfcomm: bool,
    tables: Tables,
    bluetooth: bool,
}

impl Parsed {
    /// Appends a comma-separated list of families, as `-A` does.
    pub fn add_families(&mut self, list: &str) -> Result<(), Exit> {
        for alias in list.split(',') {
            let Some(&(_, name)) = FAMILY_ALIASES.iter().find(|(a, _)| *a == alias) else {
                let mut text = Vec::new();
                let template = tr!("Unknown address family `%s'.\n");
                printf(&mut text, template, &[Arg::Str(alias.as_bytes())]);
                return Err(Exit::message_err(&String::from_utf8_lossy(&text), 1));
            };
            match name {
                "inet" => self.args.inet = true,
                "inet6" => self.args.inet6 = true,
                "unix" => self.tables.unix = true,
                "ipx" => self.tables.ipx = true,
                "ax25" => self.tables.ax25 = true,
                "x25" => self.tables.x25 = true,
                "netrom" => self.tables.netrom = true,
                "rose" => self.tables.rose = true,
                "bluetooth" => self.bluetooth = true,
                _ => {}
            }
            self.args.families.push(name);
        }
        Ok(())
    }

    /// `-c [SECONDS]`.
    pub fn set_continuous(&mut self, value: Option<&OsStr>) -> Result<(), Exit> {
        let seconds = match value {
            None => 1.0,
            Some(text) => match text.to_str().and_then(|t| t.parse::<f64>().ok()) {
                Some(s) if s.is_finite() && (0.01..=86_400.0).contains(&s) => s,
                _ => {
                    let shown = text.to_string_lossy();
                    return Err(Exit::usage_error(format!("invalid interval -- '{shown}'")));
                }
            },
        };
        self.args.continuous = Some(Duration::from_secs_f64(seconds));
        Ok(())
    }

    /// `--name-timeout SECONDS`: a number of seconds, `0` for no limit.
    pub fn set_name_timeout(&mut self, value: Option<&OsStr>) -> Result<(), Exit> {
        let text = value.unwrap_or_default();
        match text.to_str().and_then(|t| t.parse::<f64>().ok()) {
            Some(s) if s.is_finite() && (0.0..=86_400.0).contains(&s) => {
                self.args.name_timeout = Some(Duration::from_secs_f64(s));
                Ok(())
            }
            _ => {
                let shown = crate::text::display(text.as_encoded_bytes());
                Err(Exit::usage_error(format!(
                    "--name-timeout: invalid number of seconds -- '{shown}'"
                )))
            }
        }
    }

    /// A conflict between our own modes (`--live`, `--audit`, `--summary`, `--by-process`) and
    /// net-tools' modes or each other: the first of ours (in that order) and what it meets. Refused
    /// with status 3, as net-tools refuses two of its own modes.
    fn mode_conflict(&self) -> Option<(&'static str, &'static str)> {
        let args = &self.args;
        let ours = [
            (args.live, "--live"),
            (args.audit.enabled, "--audit"),
            (args.summary, "--summary"),
            (args.by_process, "--by-process"),
        ];
        let (_, mode) = ours.iter().find(|(given, _)| *given)?;
        let mut others = vec![
            (self.route > 0, "-r"),
            (self.interfaces > 0, "-i"),
            (self.statistics > 0, "-s"),
            (self.masquerade > 0, "-M"),
            (args.groups, "-g"),
        ];
        others.extend(ours.iter().filter(|(_, flag)| flag != mode));
        if args.live {
            // A full-screen view cannot honour a format or several namespaces either.
            others.extend([
                (args.format == OutputFormat::Json, "--json"),
                (args.format == OutputFormat::JsonLines, "--json-lines"),
                (args.netns == Netns::All, "--all-netns"),
            ]);
        }
        let other = others
            .into_iter()
            .find_map(|(given, flag)| given.then_some(flag))?;
        Some((mode, other))
    }

    /// The first option given that `--events` cannot honour: another mode, or one array of
    /// JSON for an endless stream.
    fn events_conflict(&self) -> Option<&'static str> {
        let args = &self.args;
        if !args.events {
            return None;
        }
        [
            (self.route > 0, "-r"),
            (self.interfaces > 0, "-i"),
            (self.statistics > 0, "-s"),
            (self.masquerade > 0, "-M"),
            (args.groups, "-g"),
            (args.live, "--live"),
            (args.summary, "--summary"),
            (args.by_process, "--by-process"),
            (args.audit.enabled, "--audit"),
            (args.continuous.is_some(), "-c"),
            (
                args.format == OutputFormat::Json,
                "--json (a stream is not one array; use --json-lines)",
            ),
        ]
        .into_iter()
        .find_map(|(given, flag)| given.then_some(flag))
    }

    /// Applies net-tools' rules: one mode at most, and the protocol/family defaults.
    pub fn finish(mut self) -> Result<Args, Exit> {
        if self.interfaces + self.route + self.masquerade + self.statistics > 1 {
            return Err(Exit::usage_only());
        }
        if let Some((mode, other)) = self.mode_conflict() {
            return Err(Exit::message_err(
                &format!("netstat: {mode} cannot be combined with {other}\n"),
                3,
            ));
        }
        if let Some(flag) = self.events_conflict() {
            return Err(Exit::message_err(
                &format!("netstat: --events cannot be combined with {flag}\n"),
                3,
            ));
        }
        let args = &mut self.args;
        args.mode = if self.masquerade > 0 {
            Mode::Masquerade
        } else if self.statistics > 0 {
            Mode::Statistics
        } else if self.route > 0 {
            Mode::Route
        } else if self.interfaces > 0 {
            Mode::Interfaces
        } else {
            Mode::Connections
        };
        let any_protocol = self.tcp || self.sctp || self.udp || self.udplite || self.raw;
        if (args.inet || args.inet6 || self.statistics > 0) && !any_protocol {
            (self.tcp, self.sctp, self.udp, self.udplite, self.raw) =
                (true, true, true, true, true);
            args.protocols_implied = true;
        }
        if (self.tcp || self.sctp || self.udp || self.udplite || self.raw || args.groups)
            && !(args.inet || args.inet6)
        {
            args.inet = true;
            args.inet6 = true;
        }
        if self.bluetooth && !(self.l2cap || self.rfcomm) {
            self.l2cap = true;
            self.rfcomm = true;
        }
        let tables = Tables {
            tcp: self.tcp,
            udp: self.udp,
            udplite: self.udplite,
            sctp: self.sctp,
            raw: self.raw,
            l2cap: self.l2cap,
            rfcomm: self.rfcomm,
            ..self.tables
        };
        args.tables_requested = tables != Tables::default() || args.groups;
        args.tables = tables;
        Ok(self.args)
    }
}
