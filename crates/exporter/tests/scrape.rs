//! Planted sockets in a private namespace: every value the exporter reports is checked against
//! `ss` (and the namespace's own `/proc/net` files), and promtool accepts the output.

mod common;

use std::collections::BTreeMap;
use std::process::{Command, Stdio};

use common::*;

/// ss's state names as the exporter names them (UDP's UNCONN is the kernel's CLOSE).
fn state_label(ss_state: &str) -> String {
    match ss_state {
        "ESTAB" => "established".to_string(),
        "UNCONN" => "close".to_string(),
        "FIN-WAIT-1" => "fin_wait1".to_string(),
        "FIN-WAIT-2" => "fin_wait2".to_string(),
        other => other.to_ascii_lowercase().replace('-', "_"),
    }
}

/// A line of `ss -H -n`: state, Recv-Q, Send-Q, local, peer, and the rest (users).
struct Row {
    state: String,
    recv_q: u64,
    send_q: u64,
    local: String,
    peer: String,
    rest: String,
}

fn rows(lines: &[String]) -> Vec<Row> {
    lines
        .iter()
        .map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            assert!(words.len() >= 5, "an ss line: {line}");
            Row {
                state: words[0].to_string(),
                recv_q: words[1].parse().expect("Recv-Q"),
                send_q: words[2].parse().expect("Send-Q"),
                local: words[3].to_string(),
                peer: words[4].to_string(),
                rest: words[5..].join(" "),
            }
        })
        .collect()
}

/// `127.0.0.1:7001` → ("127.0.0.1", "7001"); `[::1]:22` → ("::1", "22").
fn split_address(text: &str) -> (String, String) {
    let (host, port) = text.rsplit_once(':').expect("HOST:PORT");
    let host = host.trim_start_matches('[').trim_end_matches(']');
    (host.to_string(), port.to_string())
}

#[test]
#[ignore = "needs root, iproute2, python3 and promtool"]
fn planted_sockets_match_ss() {
    if !prerequisites(&["promtool"]) {
        return;
    }
    let mut ns = Netns::new("nse-plant");
    ns.plant(&[]);
    let exporter = Exporter::for_netns(&ns, &["--collector.programs.refresh=0s"]);
    let m = exporter.metrics();

    // Every collector worked.
    m.assert_collectors_succeeded(&[]);

    // Listeners: queue and backlog are ss's Recv-Q and Send-Q of the LISTEN rows.
    let listeners = rows(&ns.ss("-tln"));
    assert_eq!(listeners.len(), 2);
    for row in &listeners {
        let (address, port) = split_address(&row.local);
        let labels = [("address", address.as_str()), ("port", port.as_str())];
        assert_eq!(
            m.get("netstat_tcp_listener_queue", &labels),
            Some(row.recv_q as f64),
            "queue of {}",
            row.local
        );
        assert_eq!(
            m.get("netstat_tcp_listener_backlog", &labels),
            Some(row.send_q as f64),
            "backlog of {}",
            row.local
        );
    }
    let queued = [("address", "127.0.0.1"), ("port", "7001")];
    assert_eq!(m.get("netstat_tcp_listener_queue", &queued), Some(5.0));
    assert_eq!(m.get("netstat_tcp_listener_backlog", &queued), Some(8.0));

    // Connections per listener and state: ss's non-listening rows on the listener's port.
    let tcp = rows(&ns.ss("-tan"));
    let mut per_listener: BTreeMap<(String, String), f64> = BTreeMap::new();
    for row in tcp.iter().filter(|r| r.state != "LISTEN") {
        let (_, port) = split_address(&row.local);
        if port == "7001" || port == "7002" {
            *per_listener
                .entry((port, state_label(&row.state)))
                .or_default() += 1.0;
        }
    }
    assert_eq!(
        per_listener.get(&("7001".to_string(), "established".to_string())),
        Some(&5.0)
    );
    assert_eq!(
        per_listener.get(&("7002".to_string(), "established".to_string())),
        Some(&10.0)
    );
    let reported = m.matching("netstat_tcp_listener_connections", &[]);
    assert_eq!(reported.len(), per_listener.len(), "{reported:?}");
    for ((port, state), count) in &per_listener {
        let labels = [
            ("address", "127.0.0.1"),
            ("port", port.as_str()),
            ("state", state.as_str()),
        ];
        assert_eq!(
            m.get("netstat_tcp_listener_connections", &labels),
            Some(*count),
            "{labels:?}"
        );
    }

    // Sockets by protocol, family and state.
    let mut expected: BTreeMap<String, f64> = BTreeMap::new();
    for (proto, flag) in [("tcp", "-t"), ("udp", "-u"), ("raw", "-w")] {
        for (family, version) in [("ipv4", "-4"), ("ipv6", "-6")] {
            for row in rows(&ns.ss(&format!("{flag} {version} -an"))) {
                let key = format!(
                    "netstat_sockets{{proto=\"{proto}\",family=\"{family}\",state=\"{}\"}}",
                    state_label(&row.state)
                );
                *expected.entry(key).or_default() += 1.0;
            }
        }
    }
    let inet: BTreeMap<String, f64> = m
        .matching("netstat_sockets", &[])
        .into_iter()
        .filter(|(k, _)| !k.contains("proto=\"unix\""))
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    assert_eq!(inet, expected);
    assert_eq!(
        m.get(
            "netstat_sockets",
            &[("proto", "udp"), ("family", "ipv4"), ("state", "close")]
        ),
        Some(1.0)
    );
    let unix_total: f64 = m
        .matching("netstat_sockets", &["proto=\"unix\""])
        .iter()
        .map(|(_, v)| v)
        .sum();
    assert_eq!(unix_total, ns.ss("-xa").len() as f64, "unix sockets");

    // Sockets of the planting program, by protocol and state, against ss -p.
    let mut by_program: BTreeMap<(String, String), f64> = BTreeMap::new();
    for (proto, flag) in [("tcp", "-t"), ("udp", "-u")] {
        for row in rows(&ns.ss(&format!("{flag} -anp"))) {
            if row.rest.contains(&format!("((\"{PROGRAM}\"")) {
                *by_program
                    .entry((proto.to_string(), state_label(&row.state)))
                    .or_default() += 1.0;
            }
        }
    }
    let expected_programs = BTreeMap::from([
        (("tcp".to_string(), "listen".to_string()), 2.0),
        // 5 queued and 10 accepted clients, 10 accepted server ends.
        (("tcp".to_string(), "established".to_string()), 25.0),
        (("udp".to_string(), "close".to_string()), 1.0),
    ]);
    assert_eq!(by_program, expected_programs, "ss -p");
    for ((proto, state), count) in &by_program {
        let labels = [
            ("program", PROGRAM),
            ("proto", proto.as_str()),
            ("state", state.as_str()),
        ];
        assert_eq!(
            m.get("netstat_program_sockets", &labels),
            Some(*count),
            "{labels:?}"
        );
    }

    // Established connections per peer.
    let estab = rows(&ns.ss("-tan"))
        .into_iter()
        .filter(|r| r.state == "ESTAB")
        .map(|r| split_address(&r.peer).0)
        .fold(BTreeMap::<String, f64>::new(), |mut acc, peer| {
            *acc.entry(peer).or_default() += 1.0;
            acc
        });
    assert_eq!(estab.get("127.0.0.1"), Some(&30.0));
    let remotes: BTreeMap<String, f64> = m
        .matching("netstat_remote_connections", &[])
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let expected_remotes: BTreeMap<String, f64> = estab
        .iter()
        .map(|(peer, n)| {
            (
                format!("netstat_remote_connections{{address=\"{peer}\"}}"),
                *n,
            )
        })
        .collect();
    assert_eq!(remotes, expected_remotes);

    // Counters are the namespace's own: 15 connections were opened in it, and only there.
    assert_eq!(ns.snmp("Tcp", "ActiveOpens"), 15);
    assert_eq!(m.get("netstat_tcp_active_opens_total", &[]), Some(15.0));
    assert_eq!(
        m.get("netstat_tcp_curr_estab", &[]),
        Some(ns.snmp("Tcp", "CurrEstab") as f64)
    );
    assert_eq!(m.get("netstat_tcp_max_conn", &[]), Some(-1.0));
    assert!(
        m.text
            .contains("# TYPE netstat_tcpext_listen_overflows_total counter")
    );

    // Interfaces: the namespace has only lo.
    let devices = m.matching("netstat_network_receive_packets_total", &[]);
    assert_eq!(devices.len(), 1, "{devices:?}");
    let dev = ns.sh("cat /proc/net/dev");
    let lo: Vec<u64> = dev
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("lo:"))
        .expect("lo in /proc/net/dev")
        .split_whitespace()
        .map(|w| w.parse().unwrap())
        .collect();
    let lo_labels = [("device", "lo")];
    assert_eq!(
        m.get("netstat_network_receive_bytes_total", &lo_labels),
        Some(lo[0] as f64)
    );
    assert_eq!(
        m.get("netstat_network_transmit_packets_total", &lo_labels),
        Some(lo[9] as f64)
    );

    // Self-monitoring.
    assert!(m.get("netstat_scrape_duration_seconds", &[]).unwrap() > 0.0);
    assert_eq!(
        m.get(
            "netstat_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        Some(1.0)
    );

    // promtool's checks, lint included.
    promtool_check(&m.text).unwrap_or_else(|e| panic!("promtool check metrics: {e}"));
}

#[test]
#[ignore = "needs root, iproute2 and python3"]
fn top_k_limits_keep_totals() {
    if !prerequisites(&[]) {
        return;
    }
    let mut ns = Netns::new("nse-topk");
    ns.plant(&[]);
    let all = Exporter::for_netns(&ns, &[]).metrics();
    let cut = Exporter::for_netns(
        &ns,
        &[
            "--collector.remotes.top-k=0",
            "--collector.programs.top-k=0",
        ],
    )
    .metrics();
    let total =
        |m: &Metrics, name: &str| -> f64 { m.matching(name, &[]).iter().map(|(_, v)| v).sum() };
    for name in ["netstat_remote_connections", "netstat_program_sockets"] {
        assert_eq!(total(&all, name), total(&cut, name), "{name}");
    }
    assert_eq!(
        cut.get("netstat_remote_connections", &[("address", "other")]),
        Some(30.0)
    );
    assert_eq!(
        cut.get(
            "netstat_program_sockets",
            &[("program", "other"), ("proto", "tcp"), ("state", "listen")]
        ),
        Some(2.0)
    );
    // Collectors switched off are absent, and their success series too.
    let only = Exporter::for_netns(
        &ns,
        &["--collector.disable-defaults", "--collector.listeners"],
    )
    .metrics();
    assert!(only.matching("netstat_sockets", &[]).is_empty());
    assert!(only.get("netstat_tcp_active_opens_total", &[]).is_none());
    assert_eq!(
        only.matching("netstat_collector_success", &[]),
        vec![("netstat_collector_success{collector=\"listeners\"}", 1.0)]
    );
}

/// `netstat_sockets` of one family against `ss` (TCP, UDP, raw).
fn assert_family_matches_ss(ns: &Netns, m: &Metrics, family: &str, version: &str) {
    let mut expected: BTreeMap<String, f64> = BTreeMap::new();
    for (proto, flag) in [("tcp", "-t"), ("udp", "-u"), ("raw", "-w")] {
        for row in rows(&ns.ss(&format!("{flag} {version} -an"))) {
            let key = format!(
                "netstat_sockets{{proto=\"{proto}\",family=\"{family}\",state=\"{}\"}}",
                state_label(&row.state)
            );
            *expected.entry(key).or_default() += 1.0;
        }
    }
    let reported: BTreeMap<String, f64> = m
        .matching("netstat_sockets", &[&format!("family=\"{family}\"")])
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    assert_eq!(reported, expected, "{family}");
}

#[test]
#[ignore = "needs root, iproute2 and python3"]
fn ipv6_tables_are_read_whenever_they_hold_sockets() {
    if !prerequisites(&[]) {
        return;
    }
    // In use, with a TIME_WAIT socket besides.
    let mut ns = Netns::new("nse-ipv6");
    ns.plant(&["--ipv6"]);
    let m = Exporter::for_netns(&ns, &[]).metrics();
    assert_family_matches_ss(&ns, &m, "ipv6", "-6");
    assert_eq!(
        m.get(
            "netstat_tcp_listener_connections",
            &[
                ("address", "::1"),
                ("port", "7104"),
                ("state", "established")
            ]
        ),
        Some(2.0)
    );
    assert_eq!(
        m.get(
            "netstat_sockets",
            &[("proto", "udp"), ("family", "ipv6"), ("state", "close")]
        ),
        Some(1.0)
    );
    // Nothing IPv6 in use but a TIME_WAIT socket: the table is still read (the exporter
    // skips a table only when the namespace's counters say it is empty).
    let mut quiet = Netns::new("nse-tw6");
    quiet.plant(&["--time-wait-ipv6"]);
    let m = Exporter::for_netns(&quiet, &[]).metrics();
    assert_eq!(quiet.ss("-t -6 -an state time-wait").len(), 1);
    assert_family_matches_ss(&quiet, &m, "ipv6", "-6");
    assert_eq!(
        m.get(
            "netstat_sockets",
            &[("proto", "tcp"), ("family", "ipv6"), ("state", "time_wait")]
        ),
        Some(1.0)
    );
}

/// promtool's verdict on an exposition: `Err` with its complaints.
fn promtool_check(text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut promtool = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool");
    promtool
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write to promtool");
    let out = promtool.wait_with_output().expect("promtool");
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

#[test]
#[ignore = "needs root, iproute2, python3 and promtool"]
fn audit_findings_count_planted_conditions() {
    if !prerequisites(&["promtool"]) {
        return;
    }
    let mut ns = Netns::new("audit");
    let audit = |ns: &Netns, extra: &[&str]| {
        let mut args = vec!["--collector.audit", "--collector.programs.refresh=0s"];
        args.extend_from_slice(extra);
        Exporter::for_netns(ns, &args).metrics()
    };
    let findings = |m: &Metrics| m.matching("netstat_audit_findings", &[]).len();

    // Clean: every check and severity is there, at 0.
    let clean = audit(&ns, &[]);
    assert_eq!(findings(&clean), 9 * 3, "{}", clean.text);
    assert!(
        clean
            .matching("netstat_audit_findings", &[])
            .iter()
            .all(|&(_, v)| v == 0.0),
        "{}",
        clean.text
    );
    assert_eq!(
        clean.get("netstat_collector_success", &[("collector", "audit")]),
        Some(1.0)
    );
    // Off by default.
    let default = Exporter::for_netns(&ns, &[]).metrics();
    assert_eq!(findings(&default), 0);

    // A listener on a backdoor port.
    ns.plant(&["--listen", "4444", "0"]);
    let m = audit(&ns, &[]);
    let series = |check: &str, severity: &str| {
        m.get(
            "netstat_audit_findings",
            &[("check", check), ("severity", severity)],
        )
    };
    assert_eq!(
        series("suspicious-listener", "critical"),
        Some(1.0),
        "{}",
        m.text
    );
    assert_eq!(series("suspicious-listener", "warning"), Some(0.0));
    assert_eq!(
        series("exposed-listener", "warning"),
        Some(0.0),
        "on loopback"
    );
    let total: f64 = m
        .matching("netstat_audit_findings", &["severity=\"critical\""])
        .iter()
        .map(|(_, v)| v)
        .sum();
    assert_eq!(total, 1.0, "{}", m.text);
    promtool_check(&m.text).unwrap_or_else(|e| panic!("promtool check metrics: {e}"));

    // The same settings as netstat --audit-config: allowed, and a check skipped.
    let dir = TempDir::new("audit");
    let config = dir.join("audit.conf");
    std::fs::write(
        &config,
        "allow-listener = 127.0.0.1:4444 # the lab's\nskip = retransmits\n",
    )
    .expect("config");
    let flag = format!("--collector.audit.config={}", config.display());
    let quiet = audit(&ns, &[&flag]);
    assert_eq!(findings(&quiet), 8 * 3, "{}", quiet.text);
    assert!(
        quiet
            .matching("netstat_audit_findings", &["retransmits"])
            .is_empty()
    );
    assert_eq!(
        quiet.get(
            "netstat_audit_findings",
            &[("check", "suspicious-listener"), ("severity", "critical")]
        ),
        Some(0.0)
    );

    // A bad config file stops the start, with its line named and nothing of it quoted.
    std::fs::write(&config, "API_TOKEN=hunter2\n").expect("config");
    let out = Command::new(exporter())
        .args([
            "--web.listen-address=127.0.0.1:0",
            "--collector.audit",
            &flag,
        ])
        .output()
        .expect("run the exporter");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("audit.conf:1: unknown setting"), "{stderr}");
    assert!(
        !stderr.contains("hunter2") && !stderr.contains("API_TOKEN"),
        "{stderr}"
    );
    let out = Command::new(exporter())
        .args([
            "--web.listen-address=127.0.0.1:0",
            "--collector.audit",
            "--collector.audit.config=/dev/zero",
        ])
        .output()
        .expect("run the exporter");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
}
