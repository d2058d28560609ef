//! `--netns`, `--netns-pid` and `--all-netns`: run from the test's own namespace, our netstat
//! must show what net-tools shows when run inside the namespace (`ip netns exec`), and refuse
//! clearly when it lacks the privileges to enter one. Containers' namespaces: `containers`.

mod common;
#[path = "netns/containers.rs"]
mod containers;

use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::{As, Netns, REFERENCE, Run, assert_runs_equal, ours};
use serde_json::Value;

/// Runs our netstat from the test's namespace (not inside `ns`), with argv[0] "netstat".
fn outside(args: &[&str], user: As) -> Run {
    let mut cmd = Command::new("bash");
    cmd.args(["-c", r#"exec -a netstat "$@""#, "netstat"]);
    if user == As::Nobody {
        cmd = Command::new("setpriv");
        cmd.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "bash",
            "-c",
            r#"exec -a netstat "$@""#,
            "netstat",
        ]);
    }
    run_ours(&mut cmd, args)
}

/// Runs `cmd`, a prefix that ends by running its arguments, with our netstat and `args`.
fn run_ours(cmd: &mut Command, args: &[&str]) -> Run {
    let out = cmd
        .arg(ours())
        .args(args)
        .stdin(Stdio::null())
        .env("LC_ALL", "C")
        .output()
        .expect("run netstat");
    Run {
        stdout: out.stdout,
        stderr: out.stderr,
        code: out.status.code(),
    }
}

/// A namespace with a listener on `port`, an established pair, a UDP socket and a Unix socket,
/// and a route.
fn namespace(tag: &str, port: u16) -> Option<Netns> {
    let mut ns = Netns::new(tag)?;
    ns.sh("ip addr add 10.1.0.1/24 dev lo
         (ip link add sink0 type dummy 2>/dev/null || ip link add sink0 type ifb)
         ip link set sink0 up
         ip addr add 10.9.0.1/24 dev sink0");
    let spec = format!(
        r#"{{"sockets": [
          {{"kind": "tcp_listen", "addr": "", "port": {port}}},
          {{"kind": "tcp_pair", "server": ["10.1.0.1", {pair}]}},
          {{"kind": "udp", "family": 4, "bind": ["", {port}]}},
          {{"kind": "unix_listen", "path": "@{tag}-{port}"}}
        ]}}"#,
        pair = port + 1
    );
    ns.spawn_fixture(&spec, "/usr/bin/nsholder", As::Root);
    Some(ns)
}

const FLAG_SETS: &[&[&str]] = &[
    &["-an"],
    &["-tulnp"],
    &["-anp"],
    &["-rn"],
    &["-xa"],
    &["-gn"],
];

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn netns_shows_what_running_inside_shows() {
    let Some(ns) = namespace("nsname", 5200) else {
        return;
    };
    for flags in FLAG_SETS {
        let reference = ns.run(Path::new(REFERENCE), flags, As::Root);
        let mut args = vec!["--netns", ns.name.as_str()];
        args.extend_from_slice(flags);
        let ours = outside(&args, As::Root);
        assert_runs_equal(&ours, &reference, &format!("netstat {}", args.join(" ")));
    }
    // The namespace's own /etc files apply, as with `ip netns exec`: names come from its hosts.
    ns.etc(
        "hosts",
        "10.1.0.1 nsname-own-hosts-entry\n127.0.0.1 localhost\n",
    );
    ns.etc(
        "nsswitch.conf",
        "hosts: files\nnetworks: files\nservices: files\nprotocols: files\npasswd: files\n",
    );
    for flags in [&["-a"][..], &["-tp"], &["-ae"]] {
        let reference = ns.run(Path::new(REFERENCE), flags, As::Root);
        assert!(
            reference.stdout_text().contains("nsname-own-hosts-e"),
            "the hosts entry is used"
        );
        let mut args = vec!["--netns", ns.name.as_str()];
        args.extend_from_slice(flags);
        let ours = outside(&args, As::Root);
        assert_runs_equal(&ours, &reference, &format!("netstat {}", args.join(" ")));
    }
    let run = outside(&["--netns", &ns.name, "-tln"], As::Root);
    assert!(
        run.stdout_text().contains(":5200 "),
        "the namespace's listener:\n{}",
        run.stdout_text()
    );
    // JSON records name their namespace.
    let run = outside(&["--netns", &ns.name, "-tln", "--json"], As::Root);
    let records: Vec<Value> = serde_json::from_slice(&run.stdout).expect("JSON");
    assert!(
        records
            .iter()
            .any(|r| r["local_port"] == 5200 && r["netns"] == ns.name.as_str())
    );
}

/// A process that lives in `ns` until it is killed.
fn sleeper(ns: &Netns) -> Child {
    // `ip netns exec` enters the namespace and execs, so the child's pid is the sleeper's.
    ns.command("sleep")
        .arg("600")
        .stdin(Stdio::null())
        .spawn()
        .expect("start sleeper")
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn netns_pid_shows_the_namespace_of_a_process() {
    let Some(ns) = namespace("nspid", 5210) else {
        return;
    };
    let mut child = sleeper(&ns);
    let pid = child.id().to_string();
    // `ip netns exec` enters the namespace just after it starts: wait for that.
    let own = std::fs::read_link("/proc/self/ns/net").expect("own namespace");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while std::fs::read_link(format!("/proc/{pid}/ns/net"))
        .ok()
        .as_ref()
        == Some(&own)
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the sleeper never left our namespace"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    for flags in FLAG_SETS {
        let reference = ns.run(Path::new(REFERENCE), flags, As::Root);
        let mut args = vec!["--netns-pid", pid.as_str()];
        args.extend_from_slice(flags);
        assert_runs_equal(
            &outside(&args, As::Root),
            &reference,
            &format!("netstat {}", args.join(" ")),
        );
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn all_netns_covers_every_namespace() {
    let Some(a) = namespace("nsalla", 5220) else {
        return;
    };
    let Some(b) = namespace("nsallb", 5230) else {
        return;
    };
    let run = outside(&["--all-netns", "-tln"], As::Root);
    run.succeeds();
    let text = run.stdout_text();
    // Split the output at the headers: namespace → its tables.
    let mut sections: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        match line.strip_prefix("Network namespace: ") {
            Some(name) => sections.push((name.to_string(), String::new())),
            None => {
                let (_, body) = sections.last_mut().expect("a header comes first");
                body.push_str(line);
                body.push('\n');
            }
        }
    }
    let section = |name: &str| {
        sections
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, body)| body.as_str())
    };
    let body_a = section(&a.name).expect("namespace a is listed");
    let body_b = section(&b.name).expect("namespace b is listed");
    assert!(
        body_a.contains("0.0.0.0:5220 ") && !body_a.contains(":5230 "),
        "{body_a}"
    );
    assert!(
        body_b.contains("0.0.0.0:5230 ") && !body_b.contains(":5220 "),
        "{body_b}"
    );
    assert!(body_a.starts_with("Active Internet connections (only servers)\n"));
    assert_eq!(
        sections.last().map(|(n, _)| n.as_str()),
        Some("(current)"),
        "the current namespace comes last"
    );
    // Each namespace's tables are those of net-tools inside it.
    let reference = a.run(Path::new(REFERENCE), &["-tln"], As::Root);
    assert_eq!(body_a, reference.stdout_text());

    // JSON: one array, every record tagged with its namespace.
    let run = outside(&["--all-netns", "-tuln", "--json"], As::Root);
    let records: Vec<Value> = serde_json::from_slice(&run.stdout).expect("one JSON array");
    let ports = |ns: &str| -> Vec<(String, u64)> {
        records
            .iter()
            .filter(|r| r["netns"] == ns)
            .map(|r| {
                (
                    r["proto"].as_str().unwrap_or("").to_string(),
                    r["local_port"].as_u64().unwrap_or(0),
                )
            })
            .collect()
    };
    assert_eq!(
        ports(&a.name),
        vec![("tcp".to_string(), 5220), ("udp".to_string(), 5220)]
    );
    assert_eq!(
        ports(&b.name),
        vec![("tcp".to_string(), 5230), ("udp".to_string(), 5230)]
    );
    assert!(records.iter().all(|r| r["netns"].is_string()));

    // -s: an array of objects, one per namespace.
    let run = outside(&["--all-netns", "-s", "--json"], As::Root);
    let stats: Vec<Value> = serde_json::from_slice(&run.stdout).expect("JSON array");
    assert!(
        stats
            .iter()
            .any(|s| s["netns"] == a.name.as_str() && s["Tcp"]["PassiveOpens"].as_u64() >= Some(1))
    );
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn unprivileged_runs_are_refused_clearly() {
    let Some(ns) = namespace("nspriv", 5240) else {
        return;
    };
    let mut child = sleeper(&ns);
    let pid = child.id().to_string();
    let cases: [(&[&str], &str); 3] = [
        (
            &["--netns", &ns.name, "-tln"],
            "cannot enter network namespace",
        ),
        (
            &["--netns", &ns.name, "-tln", "--json"],
            "cannot enter network namespace",
        ),
        (
            &["--netns-pid", &pid, "-tln"],
            "cannot open network namespace",
        ),
    ];
    for (args, message) in cases {
        let run = outside(args, As::Nobody);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.code, Some(1), "{args:?}: {stderr}");
        assert!(
            run.stdout.is_empty(),
            "{args:?}: no partial answer, got {}",
            run.stdout_text()
        );
        assert!(
            stderr.starts_with("netstat: ") && stderr.contains(message),
            "{args:?}: {stderr}"
        );
        assert!(
            stderr.contains("need root"),
            "{args:?}: says what is missing: {stderr}"
        );
    }
    // --all-netns reports the namespaces it cannot enter, and lists the others.
    let run = outside(&["--all-netns", "-tln"], As::Nobody);
    let stderr = String::from_utf8_lossy(&run.stderr);
    run.succeeds();
    assert!(
        run.stdout_text()
            .contains("Network namespace: (current)\nActive Internet connections"),
        "{}",
        run.stdout_text()
    );
    let refused = format!("netstat: cannot enter network namespace {}: ", ns.name);
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with(&refused) && l.contains("need root")),
        "{stderr}"
    );
    assert!(
        !run.stdout_text()
            .contains(&format!("Network namespace: {}\n", ns.name))
    );
    // A name that matches nothing lists what there is.
    let run = outside(&["--netns", "nst-no-such-namespace", "-an"], As::Root);
    run.fails_with(1);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.starts_with(
            "netstat: no network namespace matches 'nst-no-such-namespace'; in use:\n"
        ),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("\n  {}\n", ns.name)), "{stderr}");
    assert!(stderr.contains("\n  (current)\n"), "{stderr}");
    assert!(run.stdout.is_empty());
    let _ = child.kill();
    let _ = child.wait();
}

/// Runs our netstat from the test's namespace under `timeout 10`: exit 124 means it hung.
fn outside_within_10s(args: &[&str]) -> Run {
    run_ours(Command::new("timeout").arg("10"), args)
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn untrusted_namespace_files_never_hang_or_flood() {
    let Some(ns) = Netns::new("untrusted") else {
        return;
    };
    // /etc/netns/NAME: a FIFO, a link to a /proc file, a 17 MiB sparse file. Each is left out,
    // with a word on stderr, and the run goes on.
    let etc = Path::new("/etc/netns").join(&ns.name);
    std::fs::create_dir_all(&etc).expect("create /etc/netns dir");
    let made = Command::new("mkfifo")
        .arg(etc.join("resolv.conf"))
        .status()
        .expect("mkfifo");
    assert!(made.success());
    std::os::unix::fs::symlink("/proc/self/environ", etc.join("hosts")).expect("symlink");
    std::fs::File::create(etc.join("networks"))
        .and_then(|f| f.set_len(17 << 20))
        .expect("sparse file");
    let run = outside_within_10s(&["--netns", &ns.name, "-an"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.code, Some(0), "{stderr}");
    for (file, reason) in [
        ("resolv.conf", "not a regular file"),
        ("hosts", "a /proc or /sys file"),
        ("networks", "larger than 16 MiB"),
    ] {
        let line = format!(
            "netstat: {}: not used ({reason})\n",
            etc.join(file).display()
        );
        assert!(stderr.contains(&line), "{line}{stderr}");
    }
    let _ = std::fs::remove_dir_all(&etc);

    // A FIFO under /run/netns is no namespace: refused at once, 3 for the audit.
    let fifo = format!("nst-fifo-{}", std::process::id());
    let path = Path::new("/run/netns").join(&fifo);
    let made = Command::new("mkfifo").arg(&path).status().expect("mkfifo");
    assert!(made.success());
    let run = outside_within_10s(&["--netns", &fifo, "-an"]);
    let audit = outside_within_10s(&["--netns", &fifo, "--audit"]);
    let _ = std::fs::remove_file(&path);
    assert!(
        ![Some(0), Some(124)].contains(&run.code) && !run.stderr.is_empty(),
        "{run:?}"
    );
    assert_eq!(audit.code, Some(3), "{audit:?}");
}
