//! `--audit`: each condition is planted in a private network namespace and must give its
//! finding, with the documented exit status (0 nothing above info, 1 warning, 2 critical) and
//! the JSON shape (exactly `check`, `severity`, `message`, `evidence`, `advice`).

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::{As, Netns, ours, temp_file};
use serde_json::Value;

/// Runs `netstat --audit --json EXTRA...` in the namespace: the findings and the exit status.
fn audit(ns: &Netns, extra: &[&str]) -> (Vec<Value>, i32) {
    let mut args = vec!["--audit", "--json"];
    args.extend_from_slice(extra);
    let run = ns.run(&ours(), &args, As::Root);
    let text = run.stdout_text();
    let value: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"));
    let findings = value
        .as_array()
        .unwrap_or_else(|| panic!("not an array:\n{text}"))
        .clone();
    for finding in &findings {
        assert_shape(finding);
    }
    (findings, run.code.expect("exit status"))
}

/// Exactly the five fields, with their types.
fn assert_shape(finding: &Value) {
    let object = finding
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {finding}"));
    let keys: BTreeSet<&str> = object.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from(["check", "severity", "message", "evidence", "advice"]),
        "{finding}"
    );
    assert!(
        ["info", "warning", "critical"].contains(&finding["severity"].as_str().unwrap_or("")),
        "{finding}"
    );
    for field in ["check", "message", "advice"] {
        assert!(
            finding[field]
                .as_str()
                .is_some_and(|s| !s.is_empty() && !s.contains('\n')),
            "{field}: {finding}"
        );
    }
    let evidence = finding["evidence"]
        .as_array()
        .unwrap_or_else(|| panic!("evidence: {finding}"));
    assert!(
        !evidence.is_empty() && evidence.iter().all(Value::is_string),
        "{finding}"
    );
}

/// The findings of one check.
fn of<'a>(findings: &'a [Value], check: &str) -> Vec<&'a Value> {
    findings.iter().filter(|f| f["check"] == check).collect()
}

/// Whether any evidence line of `finding` contains `needle`.
fn evidence_has(finding: &Value, needle: &str) -> bool {
    finding["evidence"].as_array().is_some_and(|lines| {
        lines
            .iter()
            .any(|l| l.as_str().is_some_and(|l| l.contains(needle)))
    })
}

/// Runs the audit until `done` accepts its findings (the kernel settles some states
/// asynchronously), for at most 5 seconds; returns the last run.
fn audit_until(ns: &Netns, extra: &[&str], done: impl Fn(&[Value]) -> bool) -> (Vec<Value>, i32) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (findings, code) = audit(ns, extra);
        if done(&findings) || Instant::now() > deadline {
            return (findings, code);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn clean_namespace_has_no_findings_and_exits_0() {
    let Some(ns) = Netns::new("audclean") else {
        return;
    };
    let (findings, code) = audit(&ns, &[]);
    assert_eq!((findings.len(), code), (0, 0), "{findings:#?}");
    let text = ns.run(&ours(), &["--audit"], As::Root);
    assert_eq!(
        (text.stdout_text().as_str(), text.code),
        ("No findings (9 checks).\n", Some(0))
    );
    assert_eq!(
        text.stderr,
        b"",
        "{}",
        String::from_utf8_lossy(&text.stderr)
    );
    let lines = ns.run(&ours(), &["--audit", "--json-lines"], As::Root);
    assert_eq!((lines.stdout, lines.code), (Vec::new(), Some(0)));
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn backdoor_listener_is_critical_and_exits_2() {
    let Some(ns) = Netns::with_listener("audbackdoor", "", 4444, "shellcatcher") else {
        return;
    };
    let (findings, code) = audit(&ns, &[]);
    assert_eq!(code, 2, "{findings:#?}");
    let suspicious = of(&findings, "suspicious-listener");
    assert_eq!(suspicious.len(), 1, "{findings:#?}");
    assert_eq!(suspicious[0]["severity"], "critical");
    assert!(
        evidence_has(suspicious[0], "tcp 0.0.0.0:4444 LISTEN, shellcatcher (pid "),
        "{findings:#?}"
    );
    let exposed = of(&findings, "exposed-listener");
    assert_eq!(exposed.len(), 1, "{findings:#?}");
    assert_eq!(exposed[0]["severity"], "warning");
    assert!(
        exposed[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("port 4444")
    );
    assert_eq!(findings[0]["severity"], "critical", "worst first");

    // The text form: severity, check and message, then indented evidence and advice.
    let text = ns.run(&ours(), &["--audit"], As::Root);
    let out = text.stdout_text();
    text.fails_with(2);
    assert!(
        out.starts_with("CRITICAL suspicious-listener: tcp port 4444 "),
        "{out}"
    );
    assert!(
        out.contains("\n    evidence:\n      tcp 0.0.0.0:4444 LISTEN, shellcatcher (pid ")
            && out.contains("\n    advice: "),
        "{out}"
    );
    assert!(
        out.ends_with("2 findings: 1 critical, 1 warning, 0 info (9 checks).\n"),
        "{out}"
    );

    // Quieted by the allow-list, from an option or from the config file.
    let (findings, code) = audit(&ns, &["--audit-allow", "*:4444"]);
    assert_eq!((findings.len(), code), (0, 0), "{findings:#?}");
    let config = temp_file(
        "audit.conf",
        b"# the lab's listener\nallow-listener = 0.0.0.0:4444\n",
    );
    let (findings, code) = audit(
        &ns,
        &["--audit-config", config.to_str().unwrap_or_default()],
    );
    assert_eq!((findings.len(), code), (0, 0), "{findings:#?}");
    // Only the exposure is skipped: the backdoor port stays critical.
    let (findings, code) = audit(&ns, &["--audit-set", "skip=exposed-listener"]);
    assert_eq!((findings.len(), code), (1, 2), "{findings:#?}");
    let _ = std::fs::remove_file(config);
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn bad_settings_exit_3_with_a_message() {
    let Some(ns) = Netns::new("audbad") else {
        return;
    };
    let bad = temp_file("audit-bad.conf", b"allow-port = 22\ncolour = red\n");
    let cases: [(&[&str], &str); 4] = [
        (
            &["--audit-time-wait", "many"],
            "netstat: --audit: option: time-wait: 'many' is not a positive whole number\n",
        ),
        (
            &["--audit-set", "skip=everything"],
            "netstat: --audit: option: skip: no check is called 'everything'",
        ),
        (
            &["--audit-config", bad.to_str().unwrap_or_default()],
            ":2: unknown setting (settings: allow-listener, ",
        ),
        (
            &["--audit-config", "/nonexistent/audit.conf"],
            "cannot read /nonexistent/audit.conf: No such file or directory\n",
        ),
    ];
    for (extra, message) in cases {
        let mut args = vec!["--audit"];
        args.extend_from_slice(extra);
        let run = ns.run(&ours(), &args, As::Root);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(
            (run.code, run.stdout.is_empty()),
            (Some(3), true),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    let _ = std::fs::remove_file(bad);
}

/// Bare SYNs from spoofed sources: the SYN-ACKs go to a dummy device that swallows them, so
/// every connection stays half-open.
const SYN_FLOOD: &str = r#"
import socket, struct, sys
dst, dport, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def csum(data):
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
for n in range(count):
    src = "10.99.%d.%d" % (n // 200, n % 200 + 1)
    tcp = struct.pack("!HHIIBBHHH", 40000 + n, dport, 1000 + n, 0, 5 << 4, 0x02, 64240, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64, 6, 0, socket.inet_aton(src), socket.inet_aton(dst))
    raw.sendto(ip + tcp, (dst, 0))
"#;

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn syn_flood_on_one_listener() {
    let Some(mut ns) = Netns::new("audsyn") else {
        return;
    };
    ns.sh("ip addr add 10.1.0.1/32 dev lo
         (ip link add sink0 type dummy 2>/dev/null || ip link add sink0 type ifb)
         ip link set sink0 up
         ip route add 10.99.0.0/16 dev sink0");
    let spec = r#"{"sockets": [{"kind": "tcp_listen", "addr": "10.1.0.1", "port": 8080, "backlog": 1024}]}"#;
    ns.spawn_fixture(spec, "webserver", As::Root);
    let sent = ns
        .command("python3")
        .args(["-c", SYN_FLOOD, "10.1.0.1", "8080", "300"])
        .status()
        .expect("python3");
    assert!(sent.success());
    // sink0 counts the SYN-ACKs it swallows as drops (an ifb device does), which is an
    // interface-errors finding of its own: skipped here.
    let skip = ["--audit-set", "skip=interface-errors"];
    let (findings, code) = audit_until(&ns, &skip, |f| {
        of(f, "syn-flood")
            .first()
            .is_some_and(|f| evidence_has(f, "300 SYN_RECV"))
    });
    let flood = of(&findings, "syn-flood");
    assert_eq!(flood.len(), 1, "{findings:#?}");
    let message = flood[0]["message"].as_str().unwrap_or("");
    assert!(
        message.starts_with("300 half-open connections on port 8080 (http-alt) (webserver (pid "),
        "{message}"
    );
    assert!(
        message.ends_with(") from 300 addresses (threshold 100)"),
        "{message}"
    );
    for needle in [
        "300 SYN_RECV to 10.1.0.1:8080 from 300 addresses",
        "tcp 10.1.0.1:8080 LISTEN, webserver",
        "TcpExt.ListenOverflows = ",
        "TcpExt.ListenDrops = ",
        "TcpExt.SyncookiesSent = ",
        "net.ipv4.tcp_syncookies = 1",
    ] {
        assert!(evidence_has(flood[0], needle), "{needle}: {findings:#?}");
    }
    assert_eq!(
        (flood[0]["severity"].as_str(), code),
        (Some("warning"), 1),
        "{findings:#?}"
    );
    // Ten times the threshold makes it critical.
    let (findings, code) = audit(
        &ns,
        &[
            "--audit-set",
            "syn-recv=30",
            "--audit-set",
            "skip=interface-errors",
        ],
    );
    assert_eq!(
        (of(&findings, "syn-flood")[0]["severity"].as_str(), code),
        (Some("critical"), 2)
    );
}

/// Many short connections on loopback, closed by the client first: each leaves the client's
/// end in TIME_WAIT.
const TIME_WAIT: &str = r#"
import socket, sys
count = int(sys.argv[1])
listener = socket.socket()
listener.bind(("127.0.0.1", 9000))
listener.listen(1024)
for _ in range(count):
    client = socket.create_connection(("127.0.0.1", 9000))
    server, _ = listener.accept()
    client.close()
    server.close()
"#;

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn time_wait_build_up() {
    let Some(ns) = Netns::new("audtw") else {
        return;
    };
    // No reuse of TIME_WAIT ports, so that every connection leaves one behind.
    ns.sh("sysctl -qw net.ipv4.tcp_tw_reuse=0 net.ipv4.tcp_max_tw_buckets=262144 net.ipv4.ip_local_port_range='32768 60999'");
    let made = ns
        .command("python3")
        .args(["-c", TIME_WAIT, "10500"])
        .status()
        .expect("python3");
    assert!(made.success());
    let (findings, code) = audit(&ns, &[]);
    let tw = of(&findings, "time-wait");
    assert_eq!(tw.len(), 1, "{findings:#?}");
    let message = tw[0]["message"].as_str().unwrap_or("");
    let total: u64 = message
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(total >= 10_400, "{message}");
    assert!(
        message.contains("TCP sockets in TIME_WAIT (threshold 10000)"),
        "{message}"
    );
    assert!(
        evidence_has(tw[0], "127.0.0.1 -> 127.0.0.1:9000: "),
        "{findings:#?}"
    );
    assert!(
        evidence_has(tw[0], "local ports")
            && tw[0]["evidence"][0]
                .as_str()
                .unwrap_or("")
                .contains("% of the 28232 local ports"),
        "{findings:#?}"
    );
    for needle in [
        "net.ipv4.tcp_tw_reuse = 0",
        "net.ipv4.tcp_max_tw_buckets = 262144",
        "net.ipv4.ip_local_port_range = ",
    ] {
        assert!(evidence_has(tw[0], needle), "{needle}: {findings:#?}");
    }
    assert_eq!(
        (tw[0]["severity"].as_str(), code),
        (Some("warning"), 1),
        "{findings:#?}"
    );
    // A higher threshold quiets it.
    let (findings, code) = audit(&ns, &["--audit-time-wait", "20000"]);
    assert_eq!(
        (of(&findings, "time-wait").len(), code),
        (0, 0),
        "{findings:#?}"
    );
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn close_wait_pile_up_in_one_process() {
    let Some(mut ns) = Netns::new("audcw") else {
        return;
    };
    let pairs: Vec<String> = (0..40)
        .map(|i| {
            format!(
                r#"{{"kind": "tcp_pair", "server": ["127.0.0.1", {}], "then": "fin_wait2"}}"#,
                7000 + i
            )
        })
        .collect();
    ns.spawn_fixture(
        &format!(r#"{{"sockets": [{}]}}"#, pairs.join(",")),
        "leaky",
        As::Root,
    );
    let (findings, code) = audit(&ns, &[]);
    let cw = of(&findings, "close-wait");
    assert_eq!(cw.len(), 1, "{findings:#?}");
    let message = cw[0]["message"].as_str().unwrap_or("");
    assert!(
        message.starts_with("leaky (pid ")
            && message.ends_with(" holds 40 sockets in CLOSE_WAIT (threshold 20)"),
        "{message}"
    );
    assert!(
        evidence_has(cw[0], "127.0.0.1:7000 -> 127.0.0.1:"),
        "{findings:#?}"
    );
    assert_eq!(
        (cw[0]["severity"].as_str(), code),
        (Some("warning"), 1),
        "{findings:#?}"
    );
    let (findings, code) = audit(&ns, &["--audit-set", "close-wait=50"]);
    assert_eq!(
        (of(&findings, "close-wait").len(), code),
        (0, 0),
        "{findings:#?}"
    );
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn connection_to_an_irc_port() {
    let Some(mut ns) = Netns::new("audirc") else {
        return;
    };
    ns.sh("ip addr add 10.1.0.1/32 dev lo; ip addr add 10.1.0.2/32 dev lo");
    let spec = r#"{"sockets": [{"kind": "tcp_pair", "server": ["10.1.0.2", 6667], "client_bind": "10.1.0.1"}]}"#;
    ns.spawn_fixture(spec, "bot", As::Root);
    let (findings, code) = audit(&ns, &[]);
    let irc: Vec<_> = of(&findings, "unusual-remote-port")
        .into_iter()
        .filter(|f| f["message"].as_str().unwrap_or("").contains("port 6667"))
        .collect();
    assert_eq!(irc.len(), 1, "{findings:#?}");
    assert_eq!(irc[0]["severity"], "warning");
    assert!(
        irc[0]["message"]
            .as_str()
            .unwrap_or("")
            .starts_with("bot (pid "),
        "{findings:#?}"
    );
    assert!(
        evidence_has(irc[0], " -> 10.1.0.2:6667: 1 connection"),
        "{findings:#?}"
    );
    assert_eq!(code, 1, "{findings:#?}");
    // Allowed, the IRC port is quiet; the server's end (a remote ephemeral port) is only info.
    let (findings, code) = audit(&ns, &["--audit-allow-port", "6667"]);
    assert!(
        findings
            .iter()
            .all(|f| f["severity"] == "info"
                && !f["message"].as_str().unwrap_or("").contains("6667 ")),
        "{findings:#?}"
    );
    assert_eq!(code, 0);
}

/// Runs `netstat ARGS` in the namespace with a deadline: `None` when it had to be killed.
fn run_within(ns: &Netns, args: &[&str], seconds: u64) -> Option<(i32, String)> {
    let mut child = ns
        .command(ours().to_str().unwrap_or_default())
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start netstat");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    Some((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn config_files_are_read_with_limits_and_never_quoted() {
    let Some(ns) = Netns::new("audcfg") else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("nst-audcfg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let fifo = dir.join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let sparse = dir.join("sparse.conf");
    std::fs::File::create(&sparse)
        .and_then(|f| f.set_len(1 << 30))
        .expect("sparse file");
    let secret = dir.join("secret.conf");
    std::fs::write(&secret, "API_TOKEN=hunter2\n").expect("secret file");
    let cases = [
        (fifo.to_str().unwrap_or_default(), "not a regular file"),
        ("/dev/zero", "not a regular file"),
        ("/proc/self/environ", "a /proc or /sys file"),
        (sparse.to_str().unwrap_or_default(), "larger than 1 MiB"),
        (
            secret.to_str().unwrap_or_default(),
            ":1: unknown setting (settings: ",
        ),
    ];
    for (path, message) in cases {
        let (code, stderr) = run_within(&ns, &["--audit", "--audit-config", path], 10)
            .unwrap_or_else(|| panic!("{path}: still running after 10 s"));
        assert_eq!(code, 3, "{path}: {stderr}");
        assert!(stderr.contains(message), "{path}: {stderr}");
        for leaked in ["SHELL", "PATH=", "API_TOKEN", "hunter2"] {
            assert!(!stderr.contains(leaked), "{path}: {stderr}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn a_failed_audit_exits_3() {
    let Some(ns) = Netns::new("audfail") else {
        return;
    };
    let missing = format!("nst-none-{}", std::process::id());
    let run = std::process::Command::new(ours())
        .args(["--audit", "--netns", &missing])
        .output()
        .expect("run netstat");
    assert_eq!(
        run.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // Output that cannot be written, in text and in JSON; a finding is there to be written.
    let mut ns = ns;
    ns.spawn_fixture(
        r#"{"sockets": [{"kind": "tcp_listen", "addr": "", "port": 4444}]}"#,
        "shellcatcher",
        As::Root,
    );
    for format in ["--audit", "--json"] {
        let script = format!("exec {} --audit {format} > /dev/full", ours().display());
        let status = ns
            .command("sh")
            .args(["-c", &script])
            .status()
            .expect("run netstat");
        assert_eq!(status.code(), Some(3), "{format}");
    }
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn known_services_are_known_by_their_executable_not_argv0() {
    // A Python listener that calls itself sshd, on a port with no service name.
    let Some(ns) = Netns::with_listener("audexe", "", 9999, "sshd") else {
        return;
    };
    let (findings, code) = audit(&ns, &[]);
    let suspicious = of(&findings, "suspicious-listener");
    assert_eq!(suspicious.len(), 1, "{findings:#?}");
    let message = suspicious[0]["message"].as_str().unwrap_or("");
    assert!(
        message.starts_with("tcp port 9999 has no service name and sshd (pid ")
            && message.ends_with(" is not a known service"),
        "{findings:#?}"
    );
    assert!(
        suspicious[0]["advice"]
            .as_str()
            .unwrap_or("")
            .contains("allow-program=python3"),
        "{findings:#?}"
    );
    assert_eq!(code, 1);
    // Naming the real program makes it a service.
    let exe = std::fs::canonicalize("/usr/bin/python3").expect("python3");
    let exe = exe.file_name().unwrap_or_default().to_string_lossy();
    let (findings, _) = audit(&ns, &["--audit-set", &format!("allow-program={exe}")]);
    assert!(
        of(&findings, "suspicious-listener").is_empty(),
        "{findings:#?}"
    );
}

/// Runs `netstat ARGS` as nobody in the namespace, under a private `/proc` mounted with
/// `hidepid=2` (in a mount namespace of its own).
fn under_hidepid(ns: &Netns, args: &str) -> (String, String) {
    let script = format!(
        "mount -t proc -o hidepid=2 proc /proc && \
         exec setpriv --reuid=65534 --regid=65534 --clear-groups {} {args}",
        ours().display()
    );
    let out = ns
        .command("unshare")
        .args(["-m", "--propagation", "private", "sh", "-c", &script])
        .output()
        .expect("run unshare");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn hidden_processes_are_reported() {
    let Some(ns) = Netns::with_listener("audhide", "127.0.0.1", 8080, "rootd") else {
        return;
    };
    let (stdout, stderr) = under_hidepid(&ns, "--summary --json");
    let summary: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\n{stderr}"));
    let summary = summary.get(0).unwrap_or(&summary);
    assert_eq!(summary["processes_incomplete"], true, "{stdout}\n{stderr}");
    let (_, stderr) = under_hidepid(&ns, "--audit");
    assert!(
        stderr.contains("netstat: --audit: /proc hides other users' processes (hidepid)"),
        "{stderr}"
    );
    // Root sees every process: nothing is incomplete.
    let run = ns.run(&ours(), &["--summary", "--json"], As::Root);
    let summary: Value = serde_json::from_slice(&run.stdout).expect("JSON");
    let summary = summary.get(0).unwrap_or(&summary);
    assert_eq!(summary["processes_incomplete"], false);
}
