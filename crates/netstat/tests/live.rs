//! `netstat --live` driven the way a person uses it: the real binary in a real terminal (tmux,
//! 160x45), keys sent with send-keys and the screen read with capture-pane, inside a network
//! namespace with a paced bulk transfer next to idle connections (`fixtures/traffic.py`).
//!
//! Each test polls the screen for what it expects, with a deadline, instead of sleeping.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Netns, Run};

/// How long a test waits for the screen to show what it expects.
const DEADLINE: Duration = Duration::from_secs(20);

/// Whether tmux is there; without it the test is skipped loudly, and under CI=true fails.
fn tmux_available() -> bool {
    if Command::new("tmux").arg("-V").output().is_ok() {
        return true;
    }
    testkit::skip("the --live tests need tmux");
    false
}

/// A namespace with the traffic fixture running in it.
struct Scene {
    ns: Netns,
    fixture: Child,
    commands: ChildStdin,
    answers: BufReader<ChildStdout>,
}

/// What the fixture's process is called: a name with an escape sequence in it, which must
/// reach the screen as `?`.
const FIXTURE_NAME: &str = "traffic\x1b[7m";

impl Scene {
    fn new(tag: &str) -> Option<Scene> {
        let ns = Netns::new(tag)?;
        if !tmux_available() {
            return None;
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/traffic.py");
        let mut fixture = ns
            .command("bash")
            .args([
                "-c",
                r#"exec -a "$0" /usr/bin/python3 "$1""#,
                FIXTURE_NAME,
                script.to_str().unwrap(),
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the traffic fixture");
        let commands = fixture.stdin.take().unwrap();
        let mut answers = BufReader::new(fixture.stdout.take().unwrap());
        let mut line = String::new();
        answers.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready", "the traffic fixture did not start");
        Some(Scene {
            ns,
            fixture,
            commands,
            answers,
        })
    }

    fn send(&mut self, command: &str) {
        writeln!(self.commands, "{command}").unwrap();
        let mut line = String::new();
        self.answers.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ok", "fixture: {command}");
    }

    /// `netstat --live ARGS` in a new tmux session, run inside the namespace.
    fn live(&self, args: &[&str]) -> Live {
        Live::start(
            &self.ns.name,
            &format!("ip netns exec {}", self.ns.name),
            args,
        )
    }

    /// `netstat --live --netns NAME ARGS`: netstat enters the namespace itself.
    fn live_entering(&self, args: &[&str]) -> Live {
        let mut args = args.to_vec();
        args.extend(["--netns", &self.ns.name]);
        Live::start(&self.ns.name, "", &args)
    }

    /// TCP sockets by state as `ss -tan` counts them, in the header's words.
    fn ss_states(&self) -> String {
        let out = self.ns.sh("ss -tanH");
        let mut counts = std::collections::BTreeMap::new();
        for line in out.lines() {
            let Some(state) = line.split_whitespace().next() else {
                continue;
            };
            *counts.entry(ss_to_netstat(state)).or_insert(0) += 1;
        }
        // In the kernel's order of the states, as the header counts them.
        let pairs: Vec<String> = (1..=11)
            .filter_map(|n| nettables::inet::State(n).tcp_name())
            .filter_map(|s| counts.get(s).map(|n| format!("{s} {n}")))
            .collect();
        format!("TCP: {}", pairs.join("  "))
    }
}

fn ss_to_netstat(state: &str) -> &'static str {
    match state {
        "ESTAB" => "ESTABLISHED",
        "SYN-SENT" => "SYN_SENT",
        "SYN-RECV" => "SYN_RECV",
        "FIN-WAIT-1" => "FIN_WAIT1",
        "FIN-WAIT-2" => "FIN_WAIT2",
        "TIME-WAIT" => "TIME_WAIT",
        "UNCONN" | "CLOSE" => "CLOSE",
        "CLOSE-WAIT" => "CLOSE_WAIT",
        "LAST-ACK" => "LAST_ACK",
        "LISTEN" => "LISTEN",
        "CLOSING" => "CLOSING",
        _ => "UNKNOWN",
    }
}

impl Drop for Scene {
    fn drop(&mut self) {
        let _ = self.fixture.kill();
        let _ = self.fixture.wait();
    }
}

/// One run of `netstat --live` in its own tmux server.
struct Live {
    server: String,
    /// Where the wrapper writes the exit status, then `stty -a`.
    status: PathBuf,
}

impl Live {
    /// Runs netstat with `prefix` (a command that puts it in the namespace, or nothing).
    fn start(ns: &str, prefix: &str, args: &[&str]) -> Live {
        let server = format!("nst-live-{}-{ns}", std::process::id());
        let status = std::env::temp_dir().join(format!("{server}.status"));
        let _ = std::fs::remove_file(&status);
        let command = format!(
            "{prefix} {} --live {}; echo \"status $?\" > {path}.tmp; stty -a >> {path}.tmp; mv {path}.tmp {path}",
            common::ours().display(),
            args.join(" "),
            path = status.display()
        );
        let started = Command::new("tmux")
            .args(["-L", &server, "-f", "/dev/null", "-u"])
            .args(["new-session", "-d", "-x", "160", "-y", "45", "-s", "live"])
            .arg(command)
            .env("LC_ALL", "C.UTF-8")
            .status()
            .expect("run tmux");
        assert!(started.success(), "tmux new-session failed");
        Live { server, status }
    }

    fn tmux(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .args(["-L", &self.server])
            .args(args)
            .output()
            .expect("run tmux")
    }

    /// Sends tmux key names (`Tab`, `BTab`, `Enter`, `C-c`, or text with -l).
    fn keys(&self, keys: &[&str]) {
        for key in keys {
            assert!(
                self.tmux(&["send-keys", "-t", "live", key])
                    .status
                    .success()
            );
        }
    }

    /// Types `text` literally.
    fn type_text(&self, text: &str) {
        assert!(
            self.tmux(&["send-keys", "-t", "live", "-l", text])
                .status
                .success()
        );
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", "live"]).stdout)
            .into_owned()
    }

    /// Polls the screen until `ok` holds, and returns it; panics with the last screen. A
    /// screen counts once a second look finds it the same: a capture can catch a frame that
    /// is half written.
    fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ok(&screen) {
                std::thread::sleep(Duration::from_millis(30));
                if self.screen() == screen {
                    return screen;
                }
                continue;
            }
            if start.elapsed() > DEADLINE {
                panic!("the screen never showed {what}:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_text(&self, text: &str) -> String {
        self.wait_for(&format!("{text:?}"), |s| s.contains(text))
    }

    /// The exit status of netstat and `stty -a` after it, once it has exited.
    fn exited(&self) -> (i32, String) {
        let start = Instant::now();
        while start.elapsed() < DEADLINE {
            if let Ok(text) = std::fs::read_to_string(&self.status) {
                let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
                let code = first.trim_start_matches("status ").trim().parse().unwrap();
                return (code, rest.to_string());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("netstat --live did not exit:\n{}", self.screen());
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
        let _ = std::fs::remove_file(&self.status);
    }
}

/// The rows of the table on screen: the lines after the column header.
fn rows(screen: &str, header: &str) -> Vec<String> {
    screen
        .lines()
        .skip_while(|l| !l.contains(header))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// The `Recv/s` and `Send/s` cells of a Connections row.
fn rates(row: &str) -> Vec<String> {
    let words: Vec<&str> = row.split_whitespace().collect();
    (1..words.len())
        .filter(|&i| words[i].ends_with("B/s"))
        .map(|i| format!("{} {}", words[i - 1], words[i]))
        .collect()
}

#[test]
#[ignore = "needs root and tmux"]
fn the_bulk_transfer_comes_first_and_the_header_counts_match_ss() {
    let Some(scene) = Scene::new("live-bulk") else {
        return;
    };
    let live = scene.live_entering(&["-p", "-n", "-c", "0.5"]);
    // Either end of the bulk transfer is first: they swap places as their rates wobble.
    let screen = live.wait_for("the bulk transfer first with a rate", |s| {
        rows(s, "Local Address")
            .first()
            .is_some_and(|r| r.contains(":40002 ") && rates(r).iter().any(|r| !r.starts_with("0 ")))
    });
    let first = &rows(&screen, "Local Address")[0];
    assert!(
        first.starts_with("> "),
        "the busiest row is selected: {first}"
    );
    assert!(
        rates(first).iter().any(|r| r.ends_with("iB/s")),
        "KiB/s or MiB/s: {first}"
    );
    let idle = rows(&screen, "Local Address")
        .into_iter()
        .find(|r| r.contains("127.0.0.1:40001 "))
        .expect("the idle client");
    assert_eq!(rates(&idle), ["0 B/s", "0 B/s"], "{idle}");
    // The program column, sanitized: the escape in the process name shows as `?`.
    assert!(first.contains("/traffic?[7m"), "{first}");
    assert!(
        screen
            .lines()
            .next()
            .unwrap()
            .contains("netns nst-live-bulk"),
        "{screen}"
    );
    // The counts, against ss in the same namespace (nothing opens or closes meanwhile).
    let expected = scene.ss_states();
    assert_eq!(expected, "TCP: ESTABLISHED 12  LISTEN 2");
    live.wait_for(&expected, |s| s.lines().nth(1) == Some(expected.as_str()));
    live.keys(&["q"]);
    let (code, stty) = live.exited();
    assert_eq!(code, 0);
    assert!(
        stty.contains(" icanon") && stty.contains(" echo "),
        "the terminal is restored: {stty}"
    );
}

#[test]
#[ignore = "needs root and tmux"]
fn tab_shift_tab_and_number_keys_switch_views() {
    let Some(scene) = Scene::new("live-tabs") else {
        return;
    };
    let live = scene.live(&["-p", "-n", "-c", "0.5"]);
    live.wait_text("Connections: 12");
    live.keys(&["Tab"]);
    let screen = live.wait_text("Processes: ");
    let fixture = rows(&screen, "Program")
        .into_iter()
        .find(|r| r.contains("traffic?[7m"))
        .unwrap_or_else(|| panic!("the fixture's process: {screen}"));
    // 11 sockets: 2 listeners, 6 clients and the 3 accepted server ends (the 3 waiting in
    // 5002's queue belong to no process yet).
    let numbers: Vec<&str> = fixture.split_whitespace().skip(3).take(5).collect();
    assert_eq!(numbers, ["11", "9", "2", "0", "0"], "{fixture}");
    live.keys(&["Tab"]);
    let screen = live.wait_text("Listeners: 2 TCP");
    let full = rows(&screen, "Accept queue")
        .into_iter()
        .find(|r| r.contains("127.0.0.1:5002"))
        .expect("the listener with a queue");
    assert!(full.starts_with("> "), "the fullest queue first: {screen}");
    let numbers: Vec<&str> = full.split_whitespace().skip(4).take(6).collect();
    assert_eq!(numbers, ["3", "8", "3", "0", "0", "0"], "{full}");
    assert!(
        full.contains(&format!("{}{}", "█".repeat(6), "░".repeat(10))),
        "{full}"
    );
    let busy = rows(&screen, "Accept queue")
        .into_iter()
        .find(|r| r.contains("127.0.0.1:5001"))
        .unwrap();
    assert!(
        busy.split_whitespace().nth(5) == Some("3"),
        "3 established: {busy}"
    );
    live.keys(&["BTab"]);
    live.wait_text("Processes: ");
    live.keys(&["4"]);
    let screen = live.wait_text("States: TCP sockets by state over time");
    assert!(
        screen.contains("Interfaces") && screen.contains("TCP counters"),
        "{screen}"
    );
    let established = screen
        .lines()
        .find(|l| l.starts_with("ESTABLISHED"))
        .unwrap();
    assert!(
        established.contains(" 12 ") && established.contains('█'),
        "{established}"
    );
    assert!(screen.lines().any(|l| l.starts_with("lo ")), "{screen}");
    assert!(screen.contains("listen queue overflows"), "{screen}");
    live.keys(&["3"]);
    live.wait_text("Listeners: 2 TCP");
    live.keys(&["1"]);
    live.wait_text("Connections: 12");
    live.keys(&["2"]);
    live.wait_text("Processes: ");
    live.keys(&["C-c"]);
    assert_eq!(live.exited().0, 0, "Ctrl-C quits with status 0");
}

#[test]
#[ignore = "needs root and tmux"]
fn the_filter_prompt_applies_refuses_cancels_and_clears() {
    let Some(scene) = Scene::new("live-filter") else {
        return;
    };
    let live = scene.live(&["-n", "-c", "0.5"]);
    live.wait_text("Connections: 12");
    live.keys(&["/"]);
    live.wait_text("filter>");
    live.type_text("sport = :40002");
    live.keys(&["Enter"]);
    let screen = live.wait_text("Connections: 1 ");
    assert!(screen.contains("filter: sport = :40002"), "{screen}");
    let shown = rows(&screen, "Local Address");
    assert_eq!(shown.len(), 1, "{screen}");
    assert!(shown[0].contains(":40002"), "{screen}");

    // A bad expression: the error and where it is, while the view goes on.
    live.keys(&["/"]);
    live.wait_text("filter> sport = :40002");
    live.keys(&["C-u"]);
    live.type_text("dport = :x");
    live.keys(&["Enter"]);
    let screen = live.wait_text("bad filter:");
    let marker = screen.lines().find(|l| l.contains("bad filter:")).unwrap();
    assert!(
        marker.starts_with(&format!("{}^^ ", " ".repeat("filter> dport = ".len()))),
        "{marker}"
    );
    let clock = |s: &str| s.lines().next().unwrap_or_default().to_string();
    let before = clock(&screen);
    live.wait_for("the header moving on", |s| {
        clock(s) != before && s.contains("bad filter:")
    });
    live.keys(&["Escape"]);
    let screen = live.wait_for("the prompt closed", |s| !s.contains("filter> "));
    assert!(
        screen.contains("filter: sport = :40002"),
        "the filter stays: {screen}"
    );

    // An empty filter clears it.
    live.keys(&["/"]);
    live.wait_text("filter>");
    live.keys(&["C-u"]);
    live.keys(&["Enter"]);
    let screen = live.wait_text("Connections: 12");
    assert!(screen.contains("no filter"), "{screen}");
    live.keys(&["q"]);
    assert_eq!(live.exited().0, 0);
}

#[test]
#[ignore = "needs root and tmux"]
fn sort_pause_and_names_keys() {
    let Some(scene) = Scene::new("live-keys") else {
        return;
    };
    // The namespace's own services database names the server's port.
    scene.ns.etc("services", "live-svc 5001/tcp\n");
    let live = scene.live(&["-c", "0.5"]);
    // Names first (no -n): 127.0.0.1 is localhost.
    let screen = live.wait_text("localhost:40002");
    assert!(
        screen.contains("sort: rate") && screen.contains("names"),
        "{screen}"
    );
    live.keys(&["n"]);
    let screen = live.wait_text("127.0.0.1:40002");
    assert!(!screen.contains("localhost:"), "{screen}");
    assert!(screen.contains("numbers"), "{screen}");
    live.keys(&["n"]);
    live.wait_text("localhost:40002");

    live.keys(&["s"]);
    live.wait_text("sort: recv");
    for column in [
        "send", "total", "rtt", "retrans", "state", "program", "local",
    ] {
        live.keys(&["s"]);
        live.wait_text(&format!("sort: {column}"));
    }
    // Sorted by local address: port 5001's server ends before the clients on 4000x.
    let screen = live.wait_text("sorted by local");
    let first = &rows(&screen, "Local Address")[0];
    assert!(first.contains("localhost:live-svc "), "{screen}");
    live.keys(&["s", "s"]);
    live.wait_text("sort: rate");

    live.keys(&["p"]);
    let screen = live.wait_text("PAUSED");
    let header = screen.lines().next().unwrap().to_string();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        live.screen().lines().next().unwrap(),
        header,
        "paused: nothing moves"
    );
    live.keys(&["p"]);
    live.wait_for("the view going on", |s| {
        let top = s.lines().next().unwrap_or_default();
        !top.contains("PAUSED") && top != header.replace("  PAUSED", "")
    });
    live.keys(&["q"]);
    assert_eq!(live.exited().0, 0);
}

#[test]
#[ignore = "needs root and tmux"]
fn arrows_move_the_selection_and_enter_shows_details() {
    let Some(scene) = Scene::new("live-select") else {
        return;
    };
    let live = scene.live(&["-p", "-n", "-c", "0.5"]);
    live.wait_for("the bulk transfer first", |s| {
        rows(s, "Local Address")
            .first()
            .is_some_and(|r| r.contains(":40002"))
    });
    let selected = |s: &str| {
        rows(s, "Local Address")
            .iter()
            .position(|r| r.starts_with("> "))
    };
    live.keys(&["Down"]);
    live.wait_for("the second row selected", |s| selected(s) == Some(1));
    live.keys(&["End"]);
    live.wait_for("the last row selected", |s| selected(s) == Some(11));
    live.keys(&["PageUp"]);
    live.wait_for("back at the top", |s| selected(s) == Some(0));
    live.keys(&["PageDown"]);
    live.wait_for("a page down (all 12 rows fit)", |s| selected(s) == Some(11));
    live.keys(&["Up"]);
    live.wait_for("one up", |s| selected(s) == Some(10));
    live.keys(&["Home"]);
    let screen = live.wait_for("the top again", |s| selected(s) == Some(0));
    // Either end of the bulk transfer: they swap places as their rates wobble.
    assert!(rows(&screen, "Local Address")[0].contains(":40002"));

    live.keys(&["Enter"]);
    let expected = [
        "Details (Esc closes",
        "command line: traffic?[7m",
        "descriptors holding it: ",
        "TCP internals (tcp_info)",
        "cwnd:",
        "bytes_acked",
        "snd_cwnd",
    ];
    let screen = live.wait_for("the details", |s| expected.iter().all(|e| s.contains(e)));
    let socket = screen.lines().find(|l| l.contains("Socket  tcp ")).unwrap();
    assert!(
        socket.contains(":40002") && socket.contains("ESTABLISHED"),
        "{screen}"
    );
    live.keys(&["Escape"]);
    live.wait_for("the details closed", |s| !s.contains("Details (Esc closes"));
    live.keys(&["?"]);
    let screen = live.wait_text(" Keys ");
    assert!(
        screen.contains("Shift-Tab") && screen.contains("move the selection"),
        "{screen}"
    );
    live.keys(&["x"]);
    live.wait_for("the keys closed", |s| !s.contains(" Keys "));
    // Details of a process.
    live.keys(&["2"]);
    live.wait_text("Processes: ");
    live.keys(&["Enter"]);
    let screen = live.wait_text("Socket descriptors");
    assert!(
        screen.contains("tcp 127.0.0.1:5002 -> 0.0.0.0:* LISTEN"),
        "{screen}"
    );
    live.keys(&["q"]);
    assert_eq!(live.exited().0, 0);
}

#[test]
#[ignore = "needs root and tmux"]
fn opened_connections_are_marked_and_closed_ones_linger() {
    let Some(mut scene) = Scene::new("live-churn") else {
        return;
    };
    let live = scene.live(&["-n", "-c", "0.5"]);
    live.wait_text("Connections: 12");
    scene.send("open 40010");
    let screen = live.wait_text("127.0.0.1:40010");
    let opened = rows(&screen, "Local Address")
        .into_iter()
        .find(|r| r.contains("127.0.0.1:40010"))
        .unwrap();
    assert!(opened.starts_with("  +tcp "), "marked opened: {opened}");
    // The mark goes after a few ticks.
    live.wait_for("the mark gone", |s| {
        rows(s, "Local Address")
            .iter()
            .any(|r| r.starts_with("   tcp   127.0.0.1:40010"))
    });
    scene.send("close 40010");
    let screen = live.wait_text("(closed)");
    let closed = rows(&screen, "Local Address")
        .into_iter()
        .find(|r| r.contains("127.0.0.1:40010"))
        .unwrap();
    assert!(
        closed.starts_with("  -tcp ") && closed.contains("(closed)"),
        "{closed}"
    );
    live.wait_for("the closed row gone", |s| !s.contains("127.0.0.1:40010"));
    live.keys(&["q"]);
    assert_eq!(live.exited().0, 0);
}

#[test]
#[ignore = "needs root and tmux"]
fn a_small_terminal_gets_a_message_and_resizing_redraws() {
    let Some(scene) = Scene::new("live-size") else {
        return;
    };
    let live = scene.live(&["-n"]);
    live.wait_text("Connections: 12");
    live.tmux(&["resize-window", "-t", "live", "-x", "60", "-y", "10"]);
    live.wait_text("too small (60x10)");
    live.tmux(&["resize-window", "-t", "live", "-x", "160", "-y", "45"]);
    live.wait_text("Connections: 12");
    live.keys(&["q"]);
    assert_eq!(live.exited().0, 0);
}

#[test]
fn without_a_terminal_it_points_to_c_and_json() {
    let run = Run::of(Command::new(common::ours()).arg("--live"));
    run.fails_with(1).stderr_has("-c").stderr_has("--json");
    let message = run.stderr_text();
    assert!(
        message.starts_with("netstat: --live needs a terminal"),
        "{message}"
    );
    assert!(run.stdout.is_empty());
}

#[test]
fn modes_it_cannot_show_exit_3() {
    for flag in ["-r", "-i", "-s", "--json", "--audit"] {
        let out = Command::new(common::ours())
            .args(["--live", flag])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{flag}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!("netstat: --live cannot be combined with {flag}\n")
        );
    }
}
