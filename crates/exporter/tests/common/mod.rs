//! Test harness for the exporter: private network namespaces with planted sockets, the
//! exporter started in or for them, a raw HTTP client, a metrics parser and `ss` readers.
//!
//! Tests that need root or tools call [`prerequisites`] first: without them the test is
//! skipped with a loud message, and under `CI=true` a missing prerequisite is a failure.
#![allow(dead_code)] // each test binary uses a different part of the harness

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::time::Duration;

/// The exporter binary cargo built for the tests.
pub fn exporter() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_netstat_exporter"))
}

/// Ports the planted sockets use inside a test namespace.
pub const QUEUED_PORT: u16 = 7001;
pub const ACCEPTED_PORT: u16 = 7002;
pub const UDP_PORT: u16 = 7003;
/// The name the planting process shows (argv[0] and comm).
pub const PROGRAM: &str = "plantd";

/// Whether root, `ss`, `ip`, python3 and `tools` are there. Without them: a loud skip, or a
/// panic under `CI=true`.
pub fn prerequisites(tools: &[&str]) -> bool {
    let needed: Vec<&str> = ["ip", "ss", "/usr/bin/python3"]
        .iter()
        .chain(tools)
        .copied()
        .collect();
    testkit::prerequisites("exporter test", &needed)
}

// The tests name their namespaces `nse-TAG`, so that a leftover shows which test made it.
pub use testkit::Netns;

/// What the exporter's tests do in a namespace.
pub trait Planting {
    /// Plants the sockets of `fixtures/plant.py` (5 connections queued on an 8-deep listener,
    /// 10 accepted on another, a UDP socket, all held by [`PROGRAM`]), or `connections` outgoing
    /// connections to one listener on `port` when `connections` is given.
    fn plant(&mut self, args: &[&str]);
    /// Runs `ss ARGS` in the namespace and returns its lines (without the header).
    fn ss(&self, args: &str) -> Vec<String>;
    /// One value of `/proc/net/snmp` (`section`, `key`) in the namespace.
    fn snmp(&self, section: &str, key: &str) -> i64;
}

impl Planting for Netns {
    fn plant(&mut self, args: &[&str]) {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plant.py");
        let mut child = Command::new("ip")
            .args(["netns", "exec", &self.name, "bash", "-c"])
            .arg(r#"exec -a "$0" /usr/bin/python3 "$@""#)
            .arg(PROGRAM)
            .arg(&fixture)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the socket fixture");
        testkit::wait_ready(&mut child, &format!("the fixture could not plant {args:?}"));
        self.adopt(child);
    }

    fn ss(&self, args: &str) -> Vec<String> {
        self.sh(&format!("ss -H {args}"))
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect()
    }

    fn snmp(&self, section: &str, key: &str) -> i64 {
        let text = self.sh("cat /proc/net/snmp");
        let lines: Vec<&str> = text.lines().collect();
        for pair in lines.chunks(2) {
            let (Some(keys), Some(values)) = (pair.first(), pair.get(1)) else {
                continue;
            };
            if keys.split(':').next() != Some(section) {
                continue;
            }
            let keys = keys.split_whitespace().skip(1);
            let values = values.split_whitespace().skip(1);
            for (k, v) in keys.zip(values) {
                if k == key {
                    return v.parse().expect("a number");
                }
            }
        }
        panic!("no {section}: {key} in /proc/net/snmp");
    }
}

/// A running exporter, stopped on drop.
pub struct Exporter {
    child: Child,
    /// Where it listens (from its "listening on" line).
    pub address: String,
    stderr: Option<BufReader<ChildStderr>>,
}

impl Exporter {
    /// Starts `command` (the exporter, perhaps through `ip netns exec`) with `args` and waits
    /// for its "listening on ADDRESS" line.
    pub fn start(mut command: Command, args: &[&str]) -> Exporter {
        let mut child = command
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the exporter");
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
        let mut line = String::new();
        stderr.read_line(&mut line).expect("exporter stderr");
        let address = line
            .strip_prefix("netstat_exporter: listening on ")
            .and_then(|rest| rest.split([',', ' ']).next())
            .unwrap_or_else(|| panic!("the exporter did not start: {line}"))
            .to_string();
        Exporter {
            child,
            address,
            stderr: Some(stderr),
        }
    }

    /// Started in the host namespace for `--netns NAME` (so its own HTTP sockets stay out of
    /// the namespace it reports).
    pub fn for_netns(ns: &Netns, extra: &[&str]) -> Exporter {
        let mut args = vec!["--web.listen-address=127.0.0.1:0", "--netns", &ns.name];
        args.extend_from_slice(extra);
        Exporter::start(Command::new(exporter()), &args)
    }

    /// `GET /metrics`: the body of a 200 answer.
    pub fn metrics(&self) -> Metrics {
        let response = http(&self.address, &get("/metrics", ""));
        assert_eq!(response.status, 200, "{response:?}");
        Metrics::parse(&response.body)
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process is still running.
    pub fn running(&mut self) -> bool {
        self.child.try_wait().ok().flatten().is_none()
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Show what it logged, for failing tests.
        if let Some(mut stderr) = self.stderr.take() {
            let mut rest = String::new();
            let _ = stderr.read_to_string(&mut rest);
            if !rest.is_empty() {
                eprintln!("exporter stderr:\n{rest}");
            }
        }
    }
}

/// A minimal GET request that asks the server to close after answering.
pub fn get(path: &str, extra_headers: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: test\r\n{extra_headers}Connection: close\r\n\r\n")
        .into_bytes()
}

/// An HTTP answer.
#[derive(Debug, Default)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends raw `request` bytes and reads the answer until the server closes (10 s at most).
/// Status 0: no answer at all.
pub fn http(address: &str, request: &[u8]) -> Response {
    let mut stream = TcpStream::connect(address).expect("connect to the exporter");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // The server may answer and close before it has read everything (a refused head).
    let _ = stream.write_all(request);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    parse_response(&raw)
}

pub fn parse_response(raw: &[u8]) -> Response {
    let text = String::from_utf8_lossy(raw);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return Response::default();
    };
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body: body.to_string(),
    }
}

/// Parsed samples: series text (`name{labels}`) → value.
#[derive(Debug, Default)]
pub struct Metrics {
    pub series: BTreeMap<String, f64>,
    pub text: String,
}

impl Metrics {
    pub fn parse(text: &str) -> Metrics {
        let mut series = BTreeMap::new();
        for line in text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let (key, value) = line.rsplit_once(' ').expect("a sample line");
            series.insert(key.to_string(), value.parse().expect("a number"));
        }
        Metrics {
            series,
            text: text.to_string(),
        }
    }

    /// The value of `name` with exactly these labels, in the exporter's label order.
    pub fn get(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let key = if labels.is_empty() {
            name.to_string()
        } else {
            let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
            format!("{name}{{{}}}", inner.join(","))
        };
        self.series.get(&key).copied()
    }

    /// Asserts that every collector reported success, for the series with `labels` first.
    pub fn assert_collectors_succeeded(&self, labels: &[(&str, &str)]) {
        for collector in [
            "sockets",
            "listeners",
            "programs",
            "remotes",
            "counters",
            "network",
        ] {
            let mut labels = labels.to_vec();
            labels.push(("collector", collector));
            let value = self.get("netstat_collector_success", &labels);
            assert_eq!(value, Some(1.0), "{labels:?}");
        }
    }

    /// Like [`Metrics::get`], 0 when the series is absent.
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.get(name, labels).unwrap_or(0.0)
    }

    /// Every series of `name` whose labels contain `with` (`k="v"` pieces).
    pub fn matching(&self, name: &str, with: &[&str]) -> Vec<(&str, f64)> {
        self.series
            .iter()
            .filter(|(k, _)| k.starts_with(&format!("{name}{{")) || k.as_str() == name)
            .filter(|(k, _)| with.iter().all(|w| k.contains(w)))
            .map(|(k, &v)| (k.as_str(), v))
            .collect()
    }
}

/// A fresh temporary directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!(
            "nse-{tag}-{}-{}",
            std::process::id(),
            testkit::unique()
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("temp dir");
        TempDir(path)
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
