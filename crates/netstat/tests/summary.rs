//! `--summary`: the totals equal `ss -s` on the same namespace, the per-state counts equal what
//! net-tools lists, and the JSON record says the same as the text.

mod common;

use common::{As, Netns};
use serde_json::Value;

const SOCKETS: &str = r#"{"sockets": [
 {"kind": "tcp_listen", "addr": "127.0.0.1", "port": 7001, "pending": 1},
 {"kind": "tcp_listen", "addr": "", "port": 7002, "family": 6, "v6only": true},
 {"kind": "tcp_pair", "server": ["127.0.0.1", 7003]},
 {"kind": "tcp_pair", "server": ["127.0.0.1", 7004], "then": "time_wait"},
 {"kind": "tcp_pair", "server": ["::1", 7005]},
 {"kind": "tcp_pair", "server": ["127.0.0.1", 7006], "then": "fin_wait2"},
 {"kind": "udp", "family": 4, "bind": ["127.0.0.1", 7007]},
 {"kind": "udp", "family": 6, "bind": ["::1", 7008]},
 {"kind": "udp", "family": 4, "bind": ["127.0.0.1", 7009], "connect": ["127.0.0.1", 7007]},
 {"kind": "raw", "family": 4, "proto": 253, "bind": "127.0.0.1"},
 {"kind": "raw", "family": 6, "proto": 253, "bind": "::1"}
]}"#;

/// The numbers of the `ss -s` block: `Total`, the TCP line, then each transport row.
#[derive(Debug)]
struct Totals {
    total: i64,
    /// total, estab, closed, orphaned, timewait
    tcp: [i64; 5],
    /// (name, total, ipv4, ipv6)
    transport: Vec<(String, [i64; 3])>,
}

fn numbers(text: &str) -> Vec<i64> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '-'))
        .filter_map(|w| w.parse().ok())
        .collect()
}

fn parse_ss_block(text: &str) -> Totals {
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 9, "short summary:\n{text}");
    assert!(
        lines[0].starts_with("Total: ") && lines[1].starts_with("TCP:   "),
        "{text}"
    );
    assert_eq!(lines[3], "Transport Total     IP        IPv6");
    let tcp = numbers(lines[1]);
    Totals {
        total: numbers(lines[0])[0],
        tcp: [tcp[0], tcp[1], tcp[2], tcp[3], tcp[4]],
        transport: lines[4..9]
            .iter()
            .map(|line| {
                let (name, rest) = line.split_once('\t').expect("tab after the transport name");
                let n = numbers(rest);
                (name.to_string(), [n[0], n[1], n[2]])
            })
            .collect(),
    }
}

fn setup(tag: &str) -> Option<Netns> {
    Netns::with_fixture(tag, SOCKETS, "summary-fixture")
}

fn ss_summary(ns: &Netns) -> String {
    let out = ns.command("ss").arg("-s").output().expect("run ss -s");
    assert!(out.status.success());
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn totals_match_ss_s() {
    let Some(ns) = setup("sum") else { return };
    // The kernel-wide counters (sockets used, TCP allocated, orphans) move with whatever else
    // runs on the machine: ours must lie between two ss readings taken around it, give or take
    // the few sockets the tools themselves open.
    let before = parse_ss_block(&ss_summary(&ns));
    let run = ns.run(&common::ours(), &["--summary"], As::Root);
    let after = parse_ss_block(&ss_summary(&ns));
    run.succeeds();
    let text = run.stdout_text();
    let ours = parse_ss_block(&text);
    let between = |what: &str, ours: i64, a: i64, b: i64| {
        let slack = 4;
        assert!(
            ours >= a.min(b) - slack && ours <= a.max(b) + slack,
            "{what}: ours {ours}, ss {a} then {b}\n{text}"
        );
    };
    between("Total", ours.total, before.total, after.total);
    for (i, what) in ["TCP total", "estab", "closed", "orphaned", "timewait"]
        .iter()
        .enumerate()
    {
        between(what, ours.tcp[i], before.tcp[i], after.tcp[i]);
    }
    // Counted in this namespace only, where nothing moves: exact.
    assert_eq!(ours.tcp[1], after.tcp[1], "estab\n{text}");
    assert_eq!(ours.tcp[4], after.tcp[4], "timewait\n{text}");
    assert_eq!(ours.transport, after.transport, "transport rows\n{text}");
    assert_eq!(
        ours.transport[1].1,
        [3, 2, 1],
        "our UDP sockets are counted"
    );
    // And the block's layout is ss's, byte for byte (trailing spaces and the blank lines).
    let ss_text = ss_summary(&ns);
    let layout = |t: &str| {
        t.lines()
            .skip(2)
            .take(8)
            .map(|l| l.replace(|c: char| c.is_ascii_digit(), "0"))
            .collect::<Vec<_>>()
    };
    assert_eq!(layout(&text), layout(&ss_text));
}

/// `(proto, state) -> count` from our "Sockets by protocol and state" section.
fn state_counts(text: &str) -> Vec<(String, String, u64)> {
    let section = text
        .split("Sockets by protocol and state:\n")
        .nth(1)
        .expect("state section");
    section
        .lines()
        .take_while(|l| !l.is_empty())
        .filter_map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            Some((
                words.first()?.to_string(),
                words.get(1)?.to_string(),
                words.get(2)?.parse().ok()?,
            ))
        })
        .collect()
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn state_counts_and_listeners_match_net_tools_listing() {
    let Some(ns) = setup("sumstates") else { return };
    let ours = ns
        .run(&common::ours(), &["--summary"], As::Root)
        .stdout_text();
    let counts = state_counts(&ours);
    let reference = ns
        .run(
            std::path::Path::new(common::REFERENCE),
            &["-tanuw"],
            As::Root,
        )
        .stdout_text();
    // net-tools' rows, counted the same way (UDP/raw "CLOSE" shows as an empty or 7 state).
    let mut expected: Vec<(String, String, u64)> = Vec::new();
    for line in reference.lines().skip(2) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let proto = words[0].to_string();
        let state = match (proto.as_str(), words.get(5)) {
            (p, Some(s)) if p.starts_with("tcp") => s.to_string(),
            (p, Some(&"ESTABLISHED")) if p.starts_with("udp") => "ESTABLISHED".into(),
            (p, Some(&"1")) if p.starts_with("raw") => "ESTABLISHED".into(),
            _ => "CLOSE".into(),
        };
        match expected
            .iter_mut()
            .find(|(p, s, _)| *p == proto && *s == state)
        {
            Some(entry) => entry.2 += 1,
            None => expected.push((proto, state, 1)),
        }
    }
    let mut got = counts.clone();
    got.sort();
    expected.sort();
    assert_eq!(got, expected, "{ours}\n{reference}");
    assert!(
        counts
            .iter()
            .any(|(p, s, n)| p == "tcp" && s == "TIME_WAIT" && *n == 1),
        "{ours}"
    );

    let listeners = ours
        .split("Listeners by local address:\n")
        .nth(1)
        .expect("listener section");
    assert!(
        listeners.contains("  127.0.0.1 ") && listeners.contains(" tcp:7001 udp:7007"),
        "{listeners}"
    );
    assert!(
        listeners.contains(" tcp6:7002") && listeners.contains(" udp6:7008"),
        "{listeners}"
    );
    assert!(
        !listeners.contains("7009"),
        "a connected UDP socket is no listener: {listeners}"
    );

    let top = ours
        .split("Processes holding the most Internet sockets:\n")
        .nth(1)
        .expect("process section");
    let fixture = top
        .lines()
        .find(|l| l.ends_with("summary-fixture"))
        .unwrap_or_else(|| panic!("{top}"));
    let held: u64 = fixture
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("socket count");
    // Two listeners, three open pairs (the TIME_WAIT pair is closed), the pending client,
    // three UDP and two raw sockets.
    assert_eq!(held, 14, "{fixture}");
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn json_says_what_the_text_says() {
    let Some(ns) = setup("sumjson") else { return };
    let text = ns
        .run(&common::ours(), &["--summary"], As::Root)
        .stdout_text();
    let run = ns.run(&common::ours(), &["--summary", "--json"], As::Root);
    let v: Value = serde_json::from_slice(&run.stdout).expect("valid JSON");
    let record = &v.as_array().expect("an array")[0];
    let ours = parse_ss_block(&text);
    assert_eq!(record["tcp"]["established"], ours.tcp[1]);
    assert_eq!(record["tcp"]["timewait"], ours.tcp[4]);
    for (i, (name, numbers)) in ours.transport.iter().enumerate() {
        let row = &record["transport"][i];
        assert_eq!(row["transport"], name.as_str());
        assert_eq!(
            [&row["total"], &row["ipv4"], &row["ipv6"]],
            [numbers[0], numbers[1], numbers[2]]
                .map(Value::from)
                .each_ref()
        );
    }
    for (proto, state, count) in state_counts(&text) {
        let found = record["states"].as_array().unwrap().iter().any(|s| {
            s["proto"] == proto.as_str() && s["state"] == state.as_str() && s["count"] == count
        });
        assert!(found, "{proto} {state} {count} in {}", record["states"]);
    }
    let listeners = record["listeners"].as_array().expect("listeners");
    let lo = listeners
        .iter()
        .find(|l| l["address"] == "127.0.0.1")
        .expect("127.0.0.1 listeners");
    assert_eq!(lo["count"], 2);
    assert_eq!(
        lo["sockets"][0],
        serde_json::json!({"proto": "tcp", "port": 7001})
    );
    assert!(
        record["top_processes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["program"] == "summary-fixture")
    );
    let lines = ns
        .run(&common::ours(), &["--summary", "--json-lines"], As::Root)
        .stdout_text();
    assert_eq!(lines.lines().count(), 1);
}
