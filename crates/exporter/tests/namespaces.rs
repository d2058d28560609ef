//! `--all-netns`: each namespace is read on its own thread, and every series lands under the
//! right `netns` label. Two namespaces get different sockets, counters and interfaces; were a
//! collector thread reading the main thread's `/proc/net`, their counters and devices would be
//! the host's and the same for both.

mod common;

use std::process::Command;

use common::*;

fn listener_connections(m: &Metrics, netns: &str, port: &str) -> Option<f64> {
    m.get(
        "netstat_tcp_listener_connections",
        &[
            ("netns", netns),
            ("address", "127.0.0.1"),
            ("port", port),
            ("state", "established"),
        ],
    )
}

#[test]
#[ignore = "needs root, iproute2 and python3"]
fn all_netns_keeps_namespaces_apart() {
    if !prerequisites(&[]) {
        return;
    }
    let mut a = Netns::new("nse-nsa");
    a.plant(&["--listen", "7101", "3"]);
    let mut b = Netns::new("nse-nsb");
    b.plant(&["--listen", "7202", "7"]);
    b.sh("ip link add nse-v0 type veth peer name nse-v1");
    let exporter = Exporter::start(
        Command::new(exporter()),
        &["--web.listen-address=127.0.0.1:0", "--all-netns"],
    );
    let m = exporter.metrics();

    assert_eq!(listener_connections(&m, &a.name, "7101"), Some(3.0));
    assert_eq!(listener_connections(&m, &b.name, "7202"), Some(7.0));
    assert_eq!(listener_connections(&m, &a.name, "7202"), None);
    assert_eq!(listener_connections(&m, &b.name, "7101"), None);
    let remotes = |ns: &Netns| {
        m.get(
            "netstat_remote_connections",
            &[("netns", &ns.name), ("address", "127.0.0.1")],
        )
    };
    assert_eq!(remotes(&a), Some(6.0));
    assert_eq!(remotes(&b), Some(14.0));

    // Counters and interfaces come from each namespace's own /proc/net files.
    for (ns, opens) in [(&a, 3), (&b, 7)] {
        assert_eq!(ns.snmp("Tcp", "ActiveOpens"), opens);
        assert_eq!(
            m.get("netstat_tcp_active_opens_total", &[("netns", &ns.name)]),
            Some(opens as f64),
            "{}",
            ns.name
        );
        m.assert_collectors_succeeded(&[("netns", &ns.name)]);
    }
    let devices = |ns: &Netns| -> Vec<String> {
        m.matching(
            "netstat_network_receive_bytes_total",
            &[&format!("netns=\"{}\"", ns.name)],
        )
        .into_iter()
        .map(|(k, _)| k.rsplit("device=").next().unwrap().to_string())
        .collect()
    };
    assert_eq!(devices(&a), vec!["\"lo\"}"]);
    assert_eq!(devices(&b), vec!["\"lo\"}", "\"nse-v0\"}", "\"nse-v1\"}"]);
    // Our own namespace is there too, under the name netstat --all-netns gives it.
    assert_eq!(
        m.get(
            "netstat_collector_success",
            &[("netns", "(current)"), ("collector", "sockets")]
        ),
        Some(1.0)
    );
    // Programs: the planting process holds its sockets in its own namespace only.
    let program = |ns: &Netns| {
        m.get(
            "netstat_program_sockets",
            &[
                ("netns", &ns.name),
                ("program", PROGRAM),
                ("proto", "tcp"),
                ("state", "established"),
            ],
        )
    };
    assert_eq!(program(&a), Some(6.0));
    assert_eq!(program(&b), Some(14.0));

    // Namespaces come and go while the exporter runs.
    let b_name = b.name.clone();
    drop(b);
    let mut c = Netns::new("nse-nsc");
    c.plant(&["--listen", "7303", "2"]);
    let m = exporter.metrics();
    assert!(
        m.matching("netstat_sockets", &[&format!("netns=\"{b_name}\"")])
            .is_empty(),
        "a removed namespace is still exported"
    );
    assert_eq!(listener_connections(&m, &c.name, "7303"), Some(2.0));
    assert_eq!(listener_connections(&m, &a.name, "7101"), Some(3.0));
}

/// A process in a network namespace of its own (`unshare --net`), listening on `port`, moved
/// into a cgroup named as Docker names its containers' cgroups: what a container host looks
/// like to the exporter, without a runtime. Killed, and its cgroups removed, on drop.
struct Container {
    child: std::process::Child,
    cgroups: Vec<std::path::PathBuf>,
}

impl Container {
    fn docker(id: &str, port: u16) -> Container {
        let listener = "import socket, sys\n\
            s = socket.socket(); s.bind(('0.0.0.0', int(sys.argv[1]))); s.listen(8)\n\
            print('ready', flush=True); sys.stdin.read()";
        let mut child = Command::new("unshare")
            .args(["--net", "python3", "-c", listener, &port.to_string()])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("unshare");
        testkit::wait_ready(&mut child, "the namespace holder did not start");
        // The unified hierarchy (v2 paths) where there is one, else v1's pids hierarchy.
        let (root, path) = if std::path::Path::new("/sys/fs/cgroup/cgroup.procs").exists() {
            ("/sys/fs/cgroup", format!("nst-exp.slice/docker-{id}.scope"))
        } else if std::path::Path::new("/sys/fs/cgroup/unified/cgroup.procs").exists() {
            (
                "/sys/fs/cgroup/unified",
                format!("nst-exp.slice/docker-{id}.scope"),
            )
        } else {
            ("/sys/fs/cgroup/pids", format!("nst-exp/docker/{id}"))
        };
        let mut container = Container {
            child,
            cgroups: Vec::new(),
        };
        let mut dir = std::path::PathBuf::from(root);
        for part in path.split('/') {
            dir.push(part);
            if !dir.exists() {
                std::fs::create_dir(&dir).unwrap();
                container.cgroups.push(dir.clone());
            }
        }
        std::fs::write(dir.join("cgroup.procs"), container.child.id().to_string()).unwrap();
        container
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        testkit::remove_cgroups(&self.cgroups);
    }
}

#[test]
#[ignore = "needs root, util-linux and python3"]
fn all_netns_labels_container_namespaces_by_their_container() {
    if !prerequisites(&["unshare"]) {
        return;
    }
    let id = format!("{:0>64}", format!("{:x}", std::process::id()) + "c0ffee");
    let _container = Container::docker(&id, 7404);
    let exporter = Exporter::start(
        Command::new(exporter()),
        &["--web.listen-address=127.0.0.1:0", "--all-netns"],
    );
    let m = exporter.metrics();
    let label = format!("docker {}", &id[..12]);
    let container = format!("docker://{id}");
    assert_eq!(
        m.get(
            "netstat_tcp_listener_backlog",
            &[
                ("netns", &label),
                ("container", &container),
                ("address", "0.0.0.0"),
                ("port", "7404"),
            ],
        ),
        Some(8.0),
        "{:?}",
        m.matching("netstat_tcp_listener_backlog", &["7404"])
    );
}

#[test]
#[ignore = "needs root, iproute2 and util-linux"]
fn a_failing_collector_reports_0_and_the_rest_answers() {
    if !prerequisites(&["unshare", "nsenter"]) {
        return;
    }
    let ns = Netns::new("fail");
    // In a mount namespace of its own, so that its /proc/net can be taken away from it alone.
    let mut command = Command::new("unshare");
    command
        .args(["-m", "--propagation", "private"])
        .arg(exporter());
    let exporter = Exporter::start(
        command,
        &[
            "--web.listen-address=127.0.0.1:0",
            "--netns",
            &ns.name,
            "--collector.audit",
        ],
    );
    // Every thread's /proc/thread-self/net becomes an empty directory: the collectors that
    // read /proc/net files fail, the socket collectors (netlink) do not.
    let pid = exporter.pid();
    let hide = format!("for t in /proc/{pid}/task/*; do mount -t tmpfs none $t/net; done");
    testkit::run_checked(Command::new("nsenter").args([
        "-t",
        &pid.to_string(),
        "-m",
        "sh",
        "-c",
        &hide,
    ]));
    for scrape in 0..2 {
        let m = exporter.metrics();
        let success = |c: &str| m.get("netstat_collector_success", &[("collector", c)]);
        for (collector, ok) in [
            ("sockets", 1.0),
            ("listeners", 1.0),
            ("remotes", 1.0),
            ("counters", 0.0),
            ("network", 0.0),
            ("audit", 0.0),
        ] {
            assert_eq!(success(collector), Some(ok), "scrape {scrape}: {collector}");
        }
        assert!(m.get("netstat_tcp_active_opens_total", &[]).is_none());
        assert!(!m.matching("netstat_audit_findings", &[]).is_empty());
        assert!(m.get("netstat_scrape_duration_seconds", &[]).is_some());
    }
}
