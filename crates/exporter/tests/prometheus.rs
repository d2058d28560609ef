//! A real Prometheus (Debian's `prometheus`) scrapes the exporter inside a namespace with
//! planted sockets; the test asks Prometheus's HTTP API what it stored.

mod common;

use std::process::{Child, Stdio};
use std::time::Duration;

use common::*;
use testkit::wait_for;

const EXPORTER_PORT: u16 = 19573;
const PROMETHEUS_PORT: u16 = 19090;

/// Prometheus, stopped on drop.
struct Prometheus(Child);

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs an instant query in the namespace; the first result's value, if any.
fn query(ns: &Netns, promql: &str) -> Option<f64> {
    let out = ns
        .command("curl")
        .args([
            "-s",
            "-m",
            "5",
            "--data-urlencode",
            &format!("query={promql}"),
            &format!("http://127.0.0.1:{PROMETHEUS_PORT}/api/v1/query"),
        ])
        .output()
        .ok()?;
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    let value = answer["data"]["result"].get(0)?["value"][1].as_str()?;
    value.parse().ok()
}

#[test]
#[ignore = "needs root, iproute2, python3, prometheus and curl"]
fn prometheus_scrapes_the_exporter() {
    if !prerequisites(&["prometheus", "curl"]) {
        return;
    }
    let mut ns = Netns::new("nse-prom");
    ns.plant(&[]);
    let _exporter = Exporter::start(
        ns.command(exporter()),
        &[
            &format!("--web.listen-address=127.0.0.1:{EXPORTER_PORT}"),
            "--collector.audit",
        ],
    );
    let dir = TempDir::new("prom");
    std::fs::write(
        dir.join("prometheus.yml"),
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n\
             scrape_configs:\n  - job_name: netstat\n    static_configs:\n\
             \x20     - targets: ['127.0.0.1:{EXPORTER_PORT}']\n"
        ),
    )
    .unwrap();
    let child = ns
        .command("prometheus")
        .arg(format!(
            "--config.file={}",
            dir.join("prometheus.yml").display()
        ))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{PROMETHEUS_PORT}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start prometheus");
    let _prometheus = Prometheus(child);

    assert!(
        wait_for(Duration::from_secs(60), || query(
            &ns,
            "up{job=\"netstat\"}"
        ) == Some(1.0)),
        "Prometheus never saw the exporter up"
    );
    // A scrape or two later, every planted value is stored as ss sees it.
    let ss_established_7002 = ns.ss("-tn state established '( sport = :7002 )'").len() as f64;
    assert_eq!(ss_established_7002, 10.0);
    let checks = [
        ("netstat_tcp_listener_queue{port=\"7001\"}".to_string(), 5.0),
        (
            "netstat_tcp_listener_backlog{port=\"7001\"}".to_string(),
            8.0,
        ),
        (
            "netstat_tcp_listener_connections{port=\"7002\",state=\"established\"}".to_string(),
            ss_established_7002,
        ),
        (
            format!("netstat_program_sockets{{program=\"{PROGRAM}\",state=\"listen\"}}"),
            2.0,
        ),
        (
            "netstat_sockets{proto=\"udp\",family=\"ipv4\",state=\"close\"}".to_string(),
            ns.ss("-u -4 -an").len() as f64,
        ),
        // The audit, from the same socket read: every check and severity stored, nothing
        // critical in the planted scene (loopback listeners, ordinary ports).
        ("count(netstat_audit_findings)".to_string(), 27.0),
        (
            "sum(netstat_audit_findings{severity=\"critical\"})".to_string(),
            0.0,
        ),
    ];
    for (promql, want) in &checks {
        assert!(
            wait_for(Duration::from_secs(20), || query(&ns, promql)
                == Some(*want)),
            "{promql}: Prometheus has {:?}, want {want}",
            query(&ns, promql)
        );
    }
    // A moving counter (Prometheus's own connections count too): between the 15 planted
    // connections and what the namespace's /proc/net/snmp says now.
    let opens = query(&ns, "netstat_tcp_active_opens_total").expect("ActiveOpens");
    assert!(
        (15.0..=ns.snmp("Tcp", "ActiveOpens") as f64).contains(&opens),
        "{opens}"
    );
    assert_eq!(
        query(&ns, "min(min_over_time(netstat_collector_success[1m]))"),
        Some(1.0)
    );
    // Prometheus asked for OpenMetrics and got it.
    let format = ns.sh(&format!(
        "curl -s -o /dev/null -w '%{{content_type}}' -H 'Accept: application/openmetrics-text;version=1.0.0' http://127.0.0.1:{EXPORTER_PORT}/metrics"
    ));
    assert!(
        format.starts_with("application/openmetrics-text"),
        "{format}"
    );
}

/// The fenced block of the README whose first line is `# NAME`.
fn readme_block(name: &str) -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md");
    let start = readme
        .find(&format!("```yaml\n# {name}\n"))
        .unwrap_or_else(|| panic!("no {name} block in the README"));
    let body = &readme[start + "```yaml\n".len()..];
    body[..body.find("```").expect("end of block")].to_string()
}

#[test]
#[ignore = "needs promtool"]
fn the_readme_scrape_config_and_rules_pass_promtool() {
    if !prerequisites(&["promtool"]) {
        return;
    }
    let dir = TempDir::new("readme");
    let rules = dir.join("netstat-rules.yml");
    std::fs::write(&rules, readme_block("netstat-rules.yml")).unwrap();
    let out = std::process::Command::new("promtool")
        .args(["check", "rules"])
        .arg(&rules)
        .output()
        .expect("promtool");
    assert!(
        out.status.success(),
        "promtool check rules: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The files the config names, made where it can find them.
    let (ca, password) = (dir.join("ca.crt"), dir.join("password"));
    std::fs::write(&ca, "").unwrap();
    std::fs::write(&password, "secret\n").unwrap();
    let config = readme_block("prometheus.yml")
        .replace("/etc/prometheus/netstat_exporter.crt", ca.to_str().unwrap())
        .replace(
            "/etc/prometheus/netstat_exporter.password",
            password.to_str().unwrap(),
        );
    let config_path = dir.join("prometheus.yml");
    std::fs::write(&config_path, config).unwrap();
    let out = std::process::Command::new("promtool")
        .args(["check", "config", "--syntax-only"])
        .arg(&config_path)
        .output()
        .expect("promtool");
    assert!(
        out.status.success(),
        "promtool check config: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
