//! Allow-lists and thresholds: defaults, the `--audit-*` options and the config file.
//!
//! The config file has one `key = value` per line; `#` starts a comment. The keys are those of
//! `--audit-set`, and the other options are short for one of them (`--audit-allow X` is
//! `allow-listener = X`). List keys add to their list and take comma-separated values; a
//! threshold given twice keeps the last value. The file is read first, then the options.
//!
//! The audit may be allowed through sudo, so the file is read with care ([`read_text`]: a
//! regular file of bounded size, opened without blocking) and a mistake in it is reported by
//! line and setting, never by quoting what the file holds.

use std::collections::BTreeSet;
use std::io::{self, Read};
use std::net::{IpAddr, SocketAddr};
use std::path::Path;

use super::Sock;
use super::net::unmapped;

/// Ports that backdoors, trojans and IRC bots are known to listen on or call.
pub const SUSPICIOUS_PORTS: &[u16] = &[
    1243, 1337, 1524, 2745, 3127, 4444, 5554, 6660, 6661, 6662, 6663, 6664, 6665, 6666, 6667, 6668,
    6669, 6697, 9996, 12345, 12346, 20034, 27374, 31337, 31338, 54320, 54321,
];

/// Remote ports of everyday outgoing connections: web, mail, name and time services, remote
/// shells, directories.
pub const USUAL_REMOTE_PORTS: &[u16] = &[
    20, 21, 22, 25, 53, 80, 88, 110, 123, 143, 389, 443, 465, 587, 636, 853, 993, 995, 8080, 8443,
];

/// Program names of common server daemons: a listener of theirs needs no service name.
pub const KNOWN_SERVICES: &[&str] = &[
    "apache2",
    "avahi-daemon",
    "caddy",
    "chronyd",
    "containerd",
    "cupsd",
    "dnsmasq",
    "docker-proxy",
    "dockerd",
    "exim4",
    "haproxy",
    "httpd",
    "master",
    "memcached",
    "mongod",
    "mysqld",
    "named",
    "nginx",
    "ntpd",
    "postgres",
    "redis-server",
    "rpcbind",
    "smbd",
    "sshd",
    "systemd",
    "systemd-resolve",
    "unbound",
];

/// Whether a listener is expected: an address (`None` for any) and a port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListenerPattern {
    /// The local address; `None` for any.
    pub address: Option<IpAddr>,
    /// The local port.
    pub port: u16,
}

impl ListenerPattern {
    /// `*:PORT`, `IPv4:PORT` or `[IPv6]:PORT`.
    pub fn parse(text: &str) -> Result<ListenerPattern, String> {
        let wrong = || format!("'{text}' is not ADDRESS:PORT (e.g. 0.0.0.0:22, [::]:443, *:53)");
        if let Some(port) = text.strip_prefix("*:") {
            return Ok(ListenerPattern {
                address: None,
                port: port.parse().map_err(|_| wrong())?,
            });
        }
        let addr: SocketAddr = text.parse().map_err(|_| wrong())?;
        Ok(ListenerPattern {
            address: Some(unmapped(addr.ip())),
            port: addr.port(),
        })
    }

    /// Whether `sock` listens where the pattern says.
    pub fn matches(&self, sock: &Sock) -> bool {
        let local = sock.inet.local;
        local.port() == self.port && self.address.is_none_or(|a| a == unmapped(local.ip()))
    }
}

/// What the checks compare against.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// `allow-listener`: listeners that are expected, even on all interfaces.
    pub allow_listeners: Vec<ListenerPattern>,
    /// `allow-port`: remote ports that are expected, on top of [`USUAL_REMOTE_PORTS`].
    pub allow_ports: BTreeSet<u16>,
    /// `allow-program`: programs that are known services, on top of [`KNOWN_SERVICES`].
    pub allow_programs: BTreeSet<String>,
    /// `skip`: checks not to run.
    pub skip: BTreeSet<String>,
    /// `time-wait`: TIME_WAIT sockets that make a build-up.
    pub time_wait: u64,
    /// `syn-recv`: half-open connections of one listener that make a flood.
    pub syn_recv: u64,
    /// `close-wait`: CLOSE_WAIT sockets of one process that make a leak.
    pub close_wait: u64,
    /// `retransmits`: percent of TCP segments sent again.
    pub retransmits: f64,
    /// `interface-errors`: percent of an interface's packets with errors or dropped.
    pub interface_errors: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            allow_listeners: Vec::new(),
            allow_ports: BTreeSet::new(),
            allow_programs: BTreeSet::new(),
            skip: BTreeSet::new(),
            time_wait: 10_000,
            syn_recv: 100,
            close_wait: 20,
            retransmits: 2.0,
            interface_errors: 1.0,
        }
    }
}

/// The settings a config file and `--audit-set` know.
pub const KEYS: &[&str] = &[
    "allow-listener",
    "allow-port",
    "allow-program",
    "skip",
    "time-wait",
    "syn-recv",
    "close-wait",
    "retransmits",
    "interface-errors",
];

/// A threshold makes a warning; this many times it makes the finding critical.
pub const CRITICAL_FACTOR: u64 = 10;

impl Config {
    /// Applies one setting. `checks` are the check ids `skip` accepts.
    pub fn set(&mut self, key: &str, value: &str, checks: &[&str]) -> Result<(), String> {
        let items = || value.split(',').map(str::trim).filter(|v| !v.is_empty());
        if !KEYS.contains(&key) {
            return Err(format!("unknown setting '{key}'"));
        }
        if value.trim().is_empty() {
            return Err(format!("{key}: missing value"));
        }
        match key {
            "allow-listener" => {
                for item in items() {
                    self.allow_listeners.push(ListenerPattern::parse(item)?);
                }
            }
            "allow-port" => {
                for item in items() {
                    let port = item
                        .parse()
                        .map_err(|_| format!("allow-port: '{item}' is not a port number"))?;
                    self.allow_ports.insert(port);
                }
            }
            "allow-program" => self.allow_programs.extend(items().map(String::from)),
            "skip" => {
                for item in items() {
                    if !checks.contains(&item) {
                        return Err(format!(
                            "skip: no check is called '{item}' (checks: {})",
                            checks.join(", ")
                        ));
                    }
                    self.skip.insert(item.to_string());
                }
            }
            "time-wait" => self.time_wait = count(key, value)?,
            "syn-recv" => self.syn_recv = count(key, value)?,
            "close-wait" => self.close_wait = count(key, value)?,
            "retransmits" => self.retransmits = percent(key, value)?,
            "interface-errors" => self.interface_errors = percent(key, value)?,
            _ => return Err(format!("unknown setting '{key}'")),
        }
        Ok(())
    }

    /// Applies the settings of a config file; the error names the line and the setting, but
    /// quotes nothing of the file.
    pub fn read_file(&mut self, name: &str, text: &str, checks: &[&str]) -> Result<(), String> {
        for (number, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                return Err(format!("{name}:{}: expected 'key = value'", number + 1));
            };
            let (key, value) = (key.trim(), value.trim());
            self.set(key, value, checks)
                .map_err(|_| format!("{name}:{}: {}", number + 1, expected(key, value, checks)))?;
        }
        Ok(())
    }

    /// Whether `program`, an executable's name, is a known service.
    pub fn is_known_service(&self, program: &str) -> bool {
        KNOWN_SERVICES.contains(&program) || self.allow_programs.contains(program)
    }

    /// Whether connections to `port` are everyday ones.
    pub fn is_usual_remote_port(&self, port: u16) -> bool {
        USUAL_REMOTE_PORTS.contains(&port) || self.allow_ports.contains(&port)
    }

    /// Whether `sock` is on the listener allow-list.
    pub fn is_allowed_listener(&self, sock: &Sock) -> bool {
        self.allow_listeners.iter().any(|p| p.matches(sock))
    }
}

/// What a setting from a file should have been, in words that quote nothing of the file but
/// the names of our own settings.
fn expected(key: &str, value: &str, checks: &[&str]) -> String {
    if !KEYS.contains(&key) {
        return format!("unknown setting (settings: {})", KEYS.join(", "));
    }
    if value.is_empty() {
        return format!("{key}: missing value");
    }
    let what = match key {
        "allow-listener" => {
            "ADDRESS:PORT, comma-separated (e.g. 0.0.0.0:22, [::]:443, *:53)".to_string()
        }
        "allow-port" => "port numbers, comma-separated".to_string(),
        "skip" => format!(
            "check names, comma-separated (checks: {})",
            checks.join(", ")
        ),
        "retransmits" | "interface-errors" => "a percentage above 0 and at most 100".to_string(),
        _ => "a positive whole number".to_string(),
    };
    format!("{key}: expected {what}")
}

/// The largest config file read: thousands of allow-list entries fit many times over.
pub const FILE_MAX: u64 = 1 << 20;

/// Why a config file was not read.
#[derive(Debug)]
pub enum FileError {
    /// It could not be opened or read.
    Io(io::Error),
    /// It is not something to read settings from: "not a regular file", "larger than 1 MiB",
    /// "a /proc or /sys file".
    Refused(&'static str),
}

/// The text of a config file. Only a regular file of at most [`FILE_MAX`] bytes on a disk
/// file system is read; it is opened without blocking, so a FIFO or a device cannot hang the
/// run or fill memory, and checked before a byte is read.
pub fn read_text(path: &Path) -> Result<String, FileError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let mut file = options.open(path).map_err(FileError::Io)?;
    let meta = file.metadata().map_err(FileError::Io)?;
    if !meta.is_file() {
        return Err(FileError::Refused("not a regular file"));
    }
    if meta.len() > FILE_MAX {
        return Err(FileError::Refused("larger than 1 MiB"));
    }
    // /proc and /sys files say they are empty, and may hold anything (or never end).
    #[cfg(target_os = "linux")]
    if crate::linux::netns::is_proc_or_sys(&file) {
        return Err(FileError::Refused("a /proc or /sys file"));
    }
    let mut bytes = Vec::new();
    // It may have grown since it was looked at.
    (&mut file)
        .take(FILE_MAX + 1)
        .read_to_end(&mut bytes)
        .map_err(FileError::Io)?;
    if bytes.len() as u64 > FILE_MAX {
        return Err(FileError::Refused("larger than 1 MiB"));
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A threshold count: a positive whole number.
fn count(key: &str, value: &str) -> Result<u64, String> {
    match value.trim().replace('_', "").parse() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("{key}: '{value}' is not a positive whole number")),
    }
}

/// A percentage above 0 and at most 100.
fn percent(key: &str, value: &str) -> Result<f64, String> {
    let text = value.trim().trim_end_matches('%');
    match text.parse::<f64>() {
        Ok(p) if p > 0.0 && p <= 100.0 => Ok(p),
        _ => Err(format!(
            "{key}: '{value}' is not a percentage above 0 and at most 100"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::tests::sock;
    use crate::inet::State;

    const CHECKS: &[&str] = &["time-wait", "retransmits"];

    #[test]
    fn file_settings_lists_and_thresholds() {
        let mut config = Config::default();
        let text = "# expected\nallow-listener = *:22, 127.0.0.1:5432 # db\n\n  allow-port=5432\nallow-port = 6379,\n\
                    allow-program = myd\nskip = retransmits\ntime-wait = 20_000\ntime-wait = 30000\nretransmits = 5%\n\
                    interface-errors = 0.5\nsyn-recv = 7\nclose-wait = 9\n";
        config.read_file("a.conf", text, CHECKS).unwrap();
        assert_eq!(config.allow_listeners.len(), 2);
        assert_eq!(config.allow_ports, BTreeSet::from([5432, 6379]));
        assert!(
            config.is_known_service("myd")
                && config.is_known_service("sshd")
                && !config.is_known_service("nc")
        );
        assert!(
            config.is_usual_remote_port(443)
                && config.is_usual_remote_port(6379)
                && !config.is_usual_remote_port(6667)
        );
        assert_eq!(config.skip, BTreeSet::from(["retransmits".to_string()]));
        assert_eq!(
            (config.time_wait, config.syn_recv, config.close_wait),
            (30_000, 7, 9)
        );
        assert_eq!((config.retransmits, config.interface_errors), (5.0, 0.5));
    }

    #[test]
    fn bad_settings_name_their_line() {
        let bad = |text: &str| Config::default().read_file("f", text, CHECKS).unwrap_err();
        assert_eq!(bad("\nallow-port 22"), "f:2: expected 'key = value'");
        assert!(
            bad("colour = red").starts_with("f:1: unknown setting (settings: allow-listener, ")
        );
        assert_eq!(
            bad("allow-port = 70000"),
            "f:1: allow-port: expected port numbers, comma-separated"
        );
        assert!(bad("time-wait = -5").ends_with("time-wait: expected a positive whole number"));
        assert!(bad("time-wait = 0").contains("positive whole number"));
        assert!(bad("retransmits = NaN").contains("percentage"));
        assert!(bad("retransmits = 101").contains("percentage"));
        assert!(bad("skip = everything").contains("checks: time-wait, retransmits"));
        assert!(bad("allow-listener = 22").contains("expected ADDRESS:PORT"));
        assert!(bad("allow-listener = *:x").contains("expected ADDRESS:PORT"));
        assert_eq!(bad("time-wait ="), "f:1: time-wait: missing value");
        // Nothing of the file is quoted: it may be one the user cannot read.
        for secret in [
            "SHELL=/bin/bash",
            "\u{0}=\u{ff}",
            "colour =",
            "skip = s3cret",
            "allow-port = s3cret",
        ] {
            let e = bad(secret);
            for word in ["SHELL", "bash", "colour", "s3cret", "\u{0}", "\u{fffd}"] {
                assert!(!e.contains(word), "{secret:?}: {e}");
            }
        }
        // Options are the user's own words, and are quoted.
        let e = Config::default()
            .set("allow-port", "x1", CHECKS)
            .unwrap_err();
        assert!(e.contains("'x1'"), "{e}");
    }

    #[test]
    fn only_small_regular_files_are_read() {
        let dir = std::env::temp_dir().join(format!("nettables-audit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let refused = |path: &Path| match read_text(path) {
            Err(FileError::Refused(why)) => why,
            other => panic!("{path:?}: {other:?}"),
        };
        let fifo = dir.join("fifo");
        let c_fifo = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c_fifo.as_ptr(), 0o600) }, 0);
        assert_eq!(refused(&fifo), "not a regular file", "and no hang");
        assert_eq!(refused(Path::new("/dev/zero")), "not a regular file");
        assert_eq!(
            refused(Path::new("/proc/self/environ")),
            "a /proc or /sys file"
        );
        let sparse = dir.join("sparse");
        std::fs::File::create(&sparse)
            .unwrap()
            .set_len(1 << 30)
            .unwrap();
        assert_eq!(refused(&sparse), "larger than 1 MiB");
        let plain = dir.join("plain");
        std::fs::write(&plain, "skip = retransmits\n").unwrap();
        assert_eq!(read_text(&plain).unwrap(), "skip = retransmits\n");
        assert!(matches!(
            read_text(&dir.join("none")),
            Err(FileError::Io(_))
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn listener_patterns() {
        let any = ListenerPattern::parse("*:22").unwrap();
        let v4 = ListenerPattern::parse("0.0.0.0:22").unwrap();
        let v6 = ListenerPattern::parse("[::]:22").unwrap();
        let mapped = ListenerPattern::parse("[::ffff:127.0.0.1]:22").unwrap();
        let s4 = sock("0.0.0.0:22", "0.0.0.0:0", State::LISTEN, None);
        let s6 = sock("[::]:22", "[::]:0", State::LISTEN, None);
        let lo = sock("[::ffff:127.0.0.1]:22", "[::]:0", State::LISTEN, None);
        assert!(any.matches(&s4) && any.matches(&s6) && any.matches(&lo));
        assert!(v4.matches(&s4) && !v4.matches(&s6));
        assert!(v6.matches(&s6) && !v6.matches(&s4));
        assert!(
            mapped.matches(&lo) && ListenerPattern::parse("127.0.0.1:22").unwrap().matches(&lo)
        );
        assert!(!ListenerPattern::parse("*:23").unwrap().matches(&s4));
    }
}
