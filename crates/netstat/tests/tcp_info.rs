//! `--tcp-info`: the rows stay net-tools' byte for byte, and the detail line under each TCP row
//! agrees with `ss -tin` on the same sockets (mss, cwnd, congestion algorithm).

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::{As, Netns};
use serde_json::Value;

const SOCKETS: &str = r#"{"sockets": [
 {"kind": "tcp_listen", "addr": "127.0.0.1", "port": 7101},
 {"kind": "tcp_pair", "server": ["127.0.0.1", 7102], "to_server": 5000, "to_client": 300},
 {"kind": "tcp_pair", "server": ["::1", 7103], "to_client": 70000},
 {"kind": "tcp_pair", "server": ["127.0.0.1", 7104], "then": "time_wait"},
 {"kind": "udp", "family": 4, "bind": ["127.0.0.1", 7105]}
]}"#;

fn setup(tag: &str) -> Option<Netns> {
    Netns::with_fixture(tag, SOCKETS, "tcpinfo-fixture")
}

/// `token:value` of a detail line.
fn token<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    line.split_whitespace()
        .find_map(|t| t.strip_prefix(name)?.strip_prefix(':'))
}

/// Our `-tn --tcp-info`: (local, remote) of each row → its detail line.
fn ours_details(text: &str) -> HashMap<(String, String), String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = HashMap::new();
    for pair in lines.windows(2) {
        if pair[1].starts_with('\t') && !pair[0].starts_with('\t') {
            let words: Vec<&str> = pair[0].split_whitespace().collect();
            found.insert(
                (words[3].to_string(), words[4].to_string()),
                pair[1].to_string(),
            );
        }
    }
    found
}

/// `ss -tin`: (local, remote) → detail line. ss brackets IPv6 addresses; net-tools does not.
fn ss_details(text: &str) -> HashMap<(String, String), String> {
    let plain = |a: &str| a.replace(['[', ']'], "");
    let lines: Vec<&str> = text.lines().collect();
    let mut found = HashMap::new();
    for pair in lines.windows(2) {
        if pair[1].starts_with('\t') && !pair[0].starts_with('\t') {
            let words: Vec<&str> = pair[0].split_whitespace().collect();
            found.insert((plain(words[3]), plain(words[4])), pair[1].to_string());
        }
    }
    found
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn rows_stay_net_tools_and_details_match_ss() {
    let Some(ns) = setup("tcpinfo") else { return };
    let run = ns.run(&common::ours(), &["-tn", "--tcp-info"], As::Root);
    let text = run.succeeds().stdout_text();
    // Without the detail lines, the output is net-tools' byte for byte.
    let rows: String = text
        .lines()
        .filter(|l| !l.starts_with('\t'))
        .map(|l| format!("{l}\n"))
        .collect();
    let reference = ns.run(Path::new(common::REFERENCE), &["-tn"], As::Root);
    assert_eq!(rows, reference.stdout_text());

    let ours = ours_details(&text);
    // Two pairs in both directions; TIME_WAIT sockets have no details.
    assert_eq!(ours.len(), 4, "{text}");
    assert_eq!(text.lines().filter(|l| l.contains("TIME_WAIT")).count(), 1);
    let ss_out = ns.command("ss").args(["-tin"]).output().expect("ss -tin");
    let ss = ss_details(&String::from_utf8_lossy(&ss_out.stdout));
    for (key, line) in &ours {
        let theirs = ss
            .get(key)
            .unwrap_or_else(|| panic!("{key:?} not in ss -tin: {ss:?}"));
        let congestion = |l: &str| l.split_whitespace().next().map(str::to_string);
        assert_eq!(congestion(line), congestion(theirs), "{line}\n{theirs}");
        for name in ["mss", "cwnd", "rcvmss", "wscale"] {
            assert_eq!(
                token(line, name),
                token(theirs, name),
                "{name}: {line}\n{theirs}"
            );
        }
        // ss leaves out byte counters that are zero.
        for name in ["bytes_received", "bytes_acked"] {
            assert_eq!(
                token(line, name),
                Some(token(theirs, name).unwrap_or("0")),
                "{name}: {line}\n{theirs}"
            );
        }
        assert!(
            token(line, "skmem").is_some() && token(line, "rtt").is_some(),
            "{line}"
        );
    }
    let listener = ns
        .run(&common::ours(), &["-tln", "--tcp-info"], As::Root)
        .stdout_text();
    assert_eq!(
        listener.lines().filter(|l| l.starts_with('\t')).count(),
        1,
        "{listener}"
    );
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn json_has_a_nested_tcp_info_object() {
    let Some(ns) = setup("tcpinfojson") else {
        return;
    };
    let text = ns
        .run(&common::ours(), &["-tn", "--tcp-info"], As::Root)
        .stdout_text();
    let details = ours_details(&text);
    let run = ns.run(
        &common::ours(),
        &["-tuan", "--tcp-info", "--json"],
        As::Root,
    );
    let v: Value = serde_json::from_slice(&run.stdout).expect("valid JSON");
    let mut checked = 0;
    for record in v.as_array().expect("an array") {
        let info = record.get("tcp_info");
        match (record["proto"].as_str(), record["state"].as_str()) {
            (Some("udp" | "udp6"), _) | (_, Some("TIME_WAIT")) => {
                assert!(info.is_none(), "{record}")
            }
            _ => {
                let info = info.unwrap_or_else(|| panic!("no tcp_info: {record}"));
                for key in [
                    "congestion",
                    "rto_us",
                    "rtt_us",
                    "rttvar_us",
                    "mss",
                    "cwnd",
                    "ssthresh",
                    "bytes_acked",
                    "bytes_received",
                    "retransmits",
                    "total_retrans",
                    "lost",
                    "delivery_rate_bps",
                    "pacing_rate_bps",
                    "skmem",
                ] {
                    assert!(info.get(key).is_some(), "{key} missing: {info}");
                }
                assert!(info["skmem"]["rcvbuf"].as_u64().unwrap_or(0) > 0, "{info}");
                let plain =
                    |a: &Value, p: &Value| format!("{}:{p}", a.as_str().unwrap_or_default());
                let key = (
                    plain(&record["local_address"], &record["local_port"]),
                    plain(&record["remote_address"], &record["remote_port"]),
                );
                if let Some(line) = details.get(&key) {
                    assert_eq!(
                        token(line, "mss"),
                        info["mss"].as_u64().map(|n| n.to_string()).as_deref()
                    );
                    assert_eq!(line.split_whitespace().next(), info["congestion"].as_str());
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 4, "every established socket was compared: {v}");
}
