//! Test support shared by the integration tests of `netstat` and `netstat_exporter`: the
//! check of what a test needs, private network namespaces with the processes that live in
//! them, and uutils-style checks of one run of a binary.
//!
//! ```ignore
//! if !testkit::prerequisites("differential test", &["ip"]) { return; }
//! let ns = testkit::Netns::new("nst-conn");
//! ns.sh("ip addr add 10.1.0.1/24 dev lo");
//! ```

// Namespaces, setpriv and /proc: the tests that use this run on Linux only.
#![cfg(target_os = "linux")]

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Whether root and `tools` (names looked up on `PATH`, or absolute paths) are there. Without
/// them: a loud message and `false`, or a panic under `CI=true`, where a skip is a failure.
/// `what` names the test in the message.
pub fn prerequisites(what: &str, tools: &[&str]) -> bool {
    let mut missing = Vec::new();
    if !rustix::process::geteuid().is_root() {
        missing.push("root".to_string());
    }
    for tool in tools {
        let found = Command::new("sh")
            .args(["-c", r#"command -v "$1""#, "sh", tool])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !found {
            missing.push((*tool).to_string());
        }
    }
    if missing.is_empty() {
        return true;
    }
    skip(&format!("{what} needs {}", missing.join(", ")));
    false
}

/// Says loudly that a test is skipped, and why; under `CI=true`, where a skip is a failure,
/// panics instead.
pub fn skip(why: &str) {
    let message = format!("SKIPPED: {why}");
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{message} (a skip fails under CI=true)");
    }
    eprintln!("\n!!!!!!!!!! {message} !!!!!!!!!!\n");
}

/// A number unique in this test process, for names of namespaces and directories.
pub fn unique() -> usize {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    COUNTER.fetch_add(1, Ordering::SeqCst)
}

/// A network namespace with loopback up, removed on drop with the processes it was given
/// and its `/etc/netns` directory.
pub struct Netns {
    /// `PREFIX-PID-N`: unique among concurrent test processes.
    pub name: String,
    /// Processes to stop on drop; behind a lock so that a shared namespace can take them.
    children: Mutex<Vec<Child>>,
}

impl Netns {
    /// Creates the namespace `PREFIX-PID-N`, replacing a leftover of an interrupted run.
    pub fn new(prefix: &str) -> Netns {
        let name = format!("{prefix}-{}-{}", std::process::id(), unique());
        let _ = Command::new("ip")
            .args(["netns", "del", &name])
            .stderr(Stdio::null())
            .status();
        run_checked(Command::new("ip").args(["netns", "add", &name]));
        let ns = Netns {
            name,
            children: Mutex::new(Vec::new()),
        };
        ns.sh("ip link set lo up");
        ns
    }

    /// Runs a shell script in the namespace and returns its stdout; panics if it fails.
    pub fn sh(&self, script: &str) -> String {
        let out =
            run_checked(Command::new("ip").args(["netns", "exec", &self.name, "sh", "-c", script]));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A command that runs `program` in the namespace.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.name]).arg(program);
        cmd
    }

    /// Keeps `child` until the namespace is dropped; then its stdin is closed and it is killed.
    pub fn adopt(&self, child: Child) {
        self.children
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(child);
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let children = self
            .children
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        for child in children {
            drop(child.stdin.take()); // fixtures exit when their stdin closes
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
        let _ = std::fs::remove_dir_all(PathBuf::from("/etc/netns").join(&self.name));
    }
}

/// Reads `child`'s first line on its (piped) stdout, which must be `ready`: the fixtures say so
/// once their sockets, groups or namespaces are in place. `failure` is the assertion's message.
pub fn wait_ready(child: &mut std::process::Child, failure: &str) {
    use std::io::{BufRead, BufReader};
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("the child's stdout is piped"))
        .read_line(&mut line)
        .unwrap_or_else(|e| panic!("{failure}: {e}"));
    assert_eq!(line.trim(), "ready", "{failure}");
}

/// Starts `cmd` with stdin and stdout piped and waits for its `ready` line ([`wait_ready`],
/// with `failure` as the message). Fixtures live until their stdin closes.
pub fn start_ready(cmd: &mut Command, failure: &str) -> Child {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    wait_ready(&mut child, failure);
    child
}

/// Runs `cmd`; panics, with its stderr, unless it exits with status 0.
pub fn run_checked(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Waits until `check` is true, for `limit` at most, looking every 100 ms.
pub fn wait_for(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

/// Removes cgroup directories, innermost last in `dirs`. An emptied cgroup can be removed
/// only once the kernel has let go of its processes: each is tried for up to 2 s.
pub fn remove_cgroups(dirs: &[PathBuf]) {
    for dir in dirs.iter().rev() {
        for _ in 0..100 {
            if std::fs::remove_dir(dir).is_ok() || !dir.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The outcome of one run of a binary, with uutils-style checks that show the run when
/// they fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// What it wrote to stdout.
    pub stdout: Vec<u8>,
    /// What it wrote to stderr.
    pub stderr: Vec<u8>,
    /// Its exit status; `None` when a signal ended it.
    pub code: Option<i32>,
}

impl Run {
    /// The run of `cmd`, with stdin closed.
    pub fn of(cmd: &mut Command) -> Run {
        let out = cmd
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
        Run {
            stdout: out.stdout,
            stderr: out.stderr,
            code: out.status.code(),
        }
    }

    /// Stdout as text (invalid UTF-8 replaced).
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Stderr as text (invalid UTF-8 replaced).
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// Panics, showing stderr, unless the run exited with status 0.
    pub fn succeeds(&self) -> &Run {
        self.fails_with(0)
    }

    /// Panics, showing the run, unless it exited with status `code`.
    pub fn fails_with(&self, code: i32) -> &Run {
        assert_eq!(
            self.code,
            Some(code),
            "exit status; stderr:\n{}",
            self.stderr_text()
        );
        self
    }

    /// Panics, showing stdout, unless it contains `text`.
    pub fn stdout_has(&self, text: &str) -> &Run {
        let stdout = self.stdout_text();
        assert!(stdout.contains(text), "{text:?} not in stdout:\n{stdout}");
        self
    }

    /// Panics, showing stderr, unless it contains `text`.
    pub fn stderr_has(&self, text: &str) -> &Run {
        let stderr = self.stderr_text();
        assert!(stderr.contains(text), "{text:?} not in stderr:\n{stderr}");
        self
    }

    /// Panics, showing stdout, if it contains `text`.
    pub fn stdout_lacks(&self, text: &str) -> &Run {
        let stdout = self.stdout_text();
        assert!(!stdout.contains(text), "{text:?} in stdout:\n{stdout}");
        self
    }
}
