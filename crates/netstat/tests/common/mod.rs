//! Differential test harness: a private network namespace, processes that hold sockets in it,
//! and byte-for-byte comparison of our `netstat` with net-tools' `/usr/bin/netstat`.
//!
//! ```ignore
//! let Some(ns) = Netns::new("conn") else { return };   // skips loudly without root/net-tools
//! ns.sh("ip addr add 10.1.0.1/24 dev lo");
//! ns.assert_same(&["-tan"], As::Root);
//! ```
#![allow(dead_code, unused_imports)] // each test binary uses a different part of the harness

use std::io::{BufRead, BufReader, Write};
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub use testkit::Run;
use testkit::run_checked;

/// net-tools' netstat, the reference.
pub const REFERENCE: &str = "/usr/bin/netstat";

/// Our binary, built by cargo for the integration tests.
pub fn ours() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_netstat"))
}

/// Whether the differential tests can run: root, net-tools, iproute2 and python3 (the socket
/// fixtures). Without them the test is skipped with a loud message; under `CI=true` a skip is
/// a failure.
pub fn prerequisites() -> bool {
    testkit::prerequisites("differential test", &[REFERENCE, "ip", "/usr/bin/python3"])
}

/// Who runs the two binaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum As {
    Root,
    /// An unprivileged user (nobody).
    Nobody,
}

/// A network namespace that exists for the life of the value, with its own `/etc/netns` files.
pub struct Netns(testkit::Netns);

impl Deref for Netns {
    type Target = testkit::Netns;
    fn deref(&self) -> &testkit::Netns {
        &self.0
    }
}

impl Netns {
    /// Creates a namespace with loopback up, or returns `None` (after a loud skip message) when
    /// the prerequisites are missing.
    pub fn new(tag: &str) -> Option<Netns> {
        prerequisites().then(|| Netns(testkit::Netns::new(&format!("nst-{tag}"))))
    }

    /// A namespace with the sockets of `spec` (see [`Netns::spawn_fixture`]), held by a root
    /// process that shows as `argv0`; `None` as [`Netns::new`].
    pub fn with_fixture(tag: &str, spec: &str, argv0: &str) -> Option<Netns> {
        let mut ns = Netns::new(tag)?;
        ns.spawn_fixture(spec, argv0, As::Root);
        Some(ns)
    }

    /// [`Netns::with_fixture`] with one TCP listener on `addr:port` (`""` is any address).
    pub fn with_listener(tag: &str, addr: &str, port: u16, argv0: &str) -> Option<Netns> {
        let spec = format!(
            r#"{{"sockets": [{{"kind": "tcp_listen", "addr": "{addr}", "port": {port}}}]}}"#
        );
        Netns::with_fixture(tag, &spec, argv0)
    }

    /// Writes `/etc/netns/<name>/<file>`, which `ip netns exec` bind-mounts over `/etc/<file>`.
    pub fn etc(&self, file: &str, contents: &str) {
        let dir = PathBuf::from("/etc/netns").join(&self.name);
        std::fs::create_dir_all(&dir).expect("create /etc/netns dir");
        std::fs::write(dir.join(file), contents).expect("write /etc/netns file");
    }

    /// Starts `fixtures/dns_peers.py` in the namespace: a name server on `NET.0.53` that
    /// answers PTR queries after `delay` seconds (or, with `"never"`, not at all), the only
    /// source of host names besides an `/etc/hosts` with `localhost` alone (five seconds a
    /// try, two tries); and `peers` connections from distinct addresses `NET.x.y` to
    /// `NET.0.1:7000`. It lives until the returned child's stdin closes.
    pub fn dns_scene(&self, net: &str, peers: usize, delay: &str) -> Child {
        let mut script =
            format!("ip addr add {net}.0.1/32 dev lo; ip addr add {net}.0.53/32 dev lo\n");
        for i in 0..peers {
            script.push_str(&format!(
                "ip addr add {net}.{}.{}/32 dev lo\n",
                1 + i / 200,
                1 + i % 200
            ));
        }
        self.sh(&script);
        self.etc(
            "resolv.conf",
            &format!("nameserver {net}.0.53\noptions timeout:5 attempts:2\n"),
        );
        self.etc(
            "nsswitch.conf",
            "hosts: files dns\nnetworks: files\npasswd: files\nservices: files\nprotocols: files\n",
        );
        self.etc("hosts", "127.0.0.1 localhost\n");
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dns_peers.py");
        let peers = peers.to_string();
        self.python(&[fixture.to_str().expect("utf-8 path"), net, &peers, delay])
    }

    /// Starts `python3 ARGS` in the namespace and waits for its "ready" line; it lives until
    /// its stdin closes (or it is killed).
    pub fn python(&self, args: &[&str]) -> Child {
        testkit::start_ready(
            self.command("/usr/bin/python3").args(args),
            "the fixture did not start",
        )
    }

    /// Starts a Python socket fixture in the namespace (see `fixtures/sockets.py`) and waits
    /// until it has built its sockets. `argv0` is the name the process shows; `user` runs it
    /// unprivileged. The process lives until the namespace is dropped.
    pub fn spawn_fixture(&mut self, spec: &str, argv0: &str, user: As) {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sockets.py");
        let privileges = match user {
            As::Root => String::new(),
            As::Nobody => "setpriv --reuid=65534 --regid=65534 --clear-groups".to_string(),
        };
        let script = format!(
            r#"exec {privileges} bash -c 'exec -a "$0" /usr/bin/python3 "$1" "$2"' "$0" "$1" "$2""#
        );
        let mut child = self
            .command("bash")
            .args([
                "-c",
                &script,
                argv0,
                fixture.to_str().expect("utf-8 path"),
                spec,
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start socket fixture");
        testkit::wait_ready(
            &mut child,
            &format!("fixture failed to build its sockets: {spec}"),
        );
        self.adopt(child);
    }

    /// Runs `binary` with `args` inside the namespace as `user`, with argv[0] = "netstat" (so
    /// that glibc's messages name the program the same way for both binaries), in the C locale.
    pub fn run(&self, binary: &Path, args: &[&str], user: As) -> Run {
        self.run_in_locale(binary, args, user, &[("LC_ALL", "C")])
    }

    /// [`Netns::run`] with the locale variables (`LANGUAGE`, `LC_*`, `LANG`) set to `locale`
    /// alone.
    pub fn run_in_locale(
        &self,
        binary: &Path,
        args: &[&str],
        user: As,
        locale: &[(&str, &str)],
    ) -> Run {
        let privileges: &[&str] = match user {
            As::Root => &[],
            As::Nobody => &[
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
            ],
        };
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.name]).args(privileges);
        cmd.args(["bash", "-c", r#"exec -a netstat "$@""#, "netstat"]);
        cmd.arg(binary).args(args);
        for (name, _) in std::env::vars_os() {
            let text = name.to_string_lossy();
            if text == "LANGUAGE" || text == "LANG" || text.starts_with("LC_") {
                cmd.env_remove(&name);
            }
        }
        cmd.envs(locale.iter().copied());
        Run::of(&mut cmd)
    }

    /// Runs both binaries with the same flags and returns (ours, reference).
    pub fn run_both(&self, args: &[&str], user: As) -> (Run, Run) {
        let reference = self.run(Path::new(REFERENCE), args, user);
        let ours = self.run(&ours(), args, user);
        (ours, reference)
    }

    /// Asserts that our output equals net-tools' byte for byte (stdout, stderr, exit status).
    pub fn assert_same(&self, args: &[&str], user: As) {
        let (ours, reference) = self.run_both(args, user);
        assert_runs_equal(
            &ours,
            &reference,
            &format!("netstat {} as {user:?}", args.join(" ")),
        );
    }
}

/// A bare second namespace (say, the far end of a veth pair), deleted on drop.
pub struct Peer(pub String);

impl Peer {
    /// Creates `<ns name>-peer`, replacing a leftover of an interrupted run.
    pub fn of(ns: &Netns) -> Peer {
        let name = format!("{}-peer", ns.name);
        let _ = Command::new("ip").args(["netns", "del", &name]).output();
        run_checked(Command::new("ip").args(["netns", "add", &name]));
        Peer(name)
    }
}

impl Netns {
    /// A namespace and its [`Peer`] with loopback up, or `None` as [`Netns::new`]. In both,
    /// IPv6 and IPv4 make their link-up traffic at once or not at all (no duplicate address
    /// detection, no router solicitations, multicast reports sent without delay), so that the
    /// interface counters stop moving as soon as the links are up.
    pub fn with_peer(tag: &str) -> Option<(Netns, Peer)> {
        let ns = Netns::new(tag)?;
        let peer = Peer::of(&ns);
        ns.sh(&format!(
            r#"set -e
            for k in ipv6.conf.X.accept_dad ipv6.conf.X.router_solicitations \
                    ipv6.conf.X.mldv1_unsolicited_report_interval \
                    ipv6.conf.X.mldv2_unsolicited_report_interval \
                    ipv4.conf.X.igmpv2_unsolicited_report_interval \
                    ipv4.conf.X.igmpv3_unsolicited_report_interval; do
                for where in "" "ip netns exec {peer}"; do
                    for x in all default; do
                        $where sysctl -qw "net.$(echo $k | sed s/X/$x/)=0"
                    done
                done
            done
            ip -n {peer} link set lo up"#,
            peer = peer.0
        ));
        Some((ns, peer))
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

/// The byte-for-byte differences of two runs (stdout, stderr, exit status), or an empty string.
pub fn differences(ours: &Run, reference: &Run) -> String {
    let mut report = String::new();
    diff_streams("stdout", &ours.stdout, &reference.stdout, &mut report);
    diff_streams("stderr", &ours.stderr, &reference.stderr, &mut report);
    if ours.code != reference.code {
        report.push_str(&format!(
            "exit status: ours {:?}, net-tools {:?}\n",
            ours.code, reference.code
        ));
    }
    report
}

/// Compares two runs and panics with a readable, line-by-line report of the differences.
pub fn assert_runs_equal(ours: &Run, reference: &Run, what: &str) {
    let report = differences(ours, reference);
    assert!(
        report.is_empty(),
        "{what}: output differs from net-tools\n{report}"
    );
}

/// Appends a description of the differing lines of one stream to `report`.
pub fn diff_streams(name: &str, ours: &[u8], reference: &[u8], report: &mut String) {
    if ours == reference {
        return;
    }
    let ours_lines: Vec<&[u8]> = ours.split(|&b| b == b'\n').collect();
    let ref_lines: Vec<&[u8]> = reference.split(|&b| b == b'\n').collect();
    report.push_str(&format!(
        "--- {name}: {} lines (ours) vs {} lines (net-tools)\n",
        ours_lines.len(),
        ref_lines.len()
    ));
    let mut shown = 0;
    for i in 0..ours_lines.len().max(ref_lines.len()) {
        let a = ours_lines.get(i).copied();
        let b = ref_lines.get(i).copied();
        if a != b && shown < 12 {
            shown += 1;
            report.push_str(&format!(
                "  line {}:\n    ours: {:?}\n    ref:  {:?}\n",
                i + 1,
                lossy(a),
                lossy(b)
            ));
        }
    }
}

fn lossy(line: Option<&[u8]>) -> String {
    line.map_or_else(
        || "<missing>".to_string(),
        |l| String::from_utf8_lossy(l).into_owned(),
    )
}

/// Writes `bytes` to a temporary file and returns its path.
pub fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = std::env::temp_dir().join(format!("nst-{}-{name}", std::process::id()));
    let mut f = std::fs::File::create(&path).expect("create temp file");
    f.write_all(bytes).expect("write temp file");
    path
}

/// A validator for the whole document, or for one definition of the schema.
pub fn validator(definition: Option<&str>) -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/netstat.schema.json");
    let mut schema: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).expect("schema")).expect("schema is JSON");
    if let Some(definition) = definition {
        schema = serde_json::json!({
            "$schema": schema["$schema"].clone(),
            "$defs": schema["$defs"].clone(),
            "$ref": format!("#/$defs/{definition}"),
        });
    }
    jsonschema::validator_for(&schema).expect("schema compiles")
}

pub fn assert_valid(validator: &jsonschema::Validator, value: &serde_json::Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}\n{value}");
}
