//! `--filter` against iproute2's `ss` (spec 10.2): in a namespace with listeners, established
//! pairs on several ports, IPv4, IPv6, IPv4-mapped and TIME_WAIT sockets, `netstat -tanW
//! --filter EXPR` must select the same set of (local, remote, state) as `ss -tan EXPR`.

mod common;

use std::collections::BTreeSet;

use common::{As, Netns, ours};

const POPULATION: &str = r#"{"sockets": [
 {"kind": "tcp_listen", "addr": "10.1.0.1", "port": 22},
 {"kind": "tcp_listen", "addr": "", "port": 80},
 {"kind": "tcp_listen", "addr": "::", "port": 443, "v6only": false, "pending": 2, "connect_host": "127.0.0.1"},
 {"kind": "tcp_listen", "addr": "::1", "port": 8080, "pending": 1},
 {"kind": "tcp_listen", "addr": "fd01::1", "port": 5000, "v6only": true},
 {"kind": "tcp_pair", "server": ["127.0.0.1", 5005]},
 {"kind": "tcp_pair", "server": ["10.1.0.2", 5006], "client_bind": "10.1.0.1"},
 {"kind": "tcp_pair", "server": ["10.1.0.2", 5999], "client_bind": "10.1.0.1"},
 {"kind": "tcp_pair", "server": ["127.0.0.1", 6000], "then": "time_wait"},
 {"kind": "tcp_pair", "server": ["127.0.0.1", 5007], "then": "fin_wait2"},
 {"kind": "tcp_pair", "server": ["fd01::2", 5011], "client_bind": "fd01::1"},
 {"kind": "tcp_pair", "server": ["::1", 5012]}
]}"#;

/// (our expression, ss's words when they differ). ss takes `state` clauses before the
/// expression and knows no `and` after them.
const CASES: &[(&str, Option<&str>)] = &[
    ("sport = :22", None),
    ("sport == 22", None),
    ("dport = :5006", None),
    ("sport eq :5999", None),
    ("sport >= :5000 and sport < :6000", None),
    ("sport ge :5005 && sport le :5011", None),
    ("dport gt :5000", None),
    ("dport > :6000 || dport lt :1", None),
    ("! dport = :5006", None),
    ("not sport != :80", None),
    ("sport neq :443", None),
    ("( dport = :443 or dport = :8080 )", None),
    ("dst 10.1.0.2", None),
    ("dst = 10.1.0.2:5006", None),
    ("src != 10.1.0.2", Some("! src 10.1.0.2")),
    ("src 127.0.0.1/8", None),
    ("src 127/8", None),
    ("src 10.1.0.0/31", None),
    ("dst [::1]", None),
    ("src [::1]:8080", None),
    ("src fd01::/16", None),
    ("src [fd01::1]:5000", None),
    ("dst [fd01::/64]", None),
    ("src 0.0.0.0/0", None),
    ("src ::/0", None),
    ("src [::ffff:127.0.0.1]", None),
    ("src *:443", None),
    ("dport = :*", None),
    ("dev lo", None),
    ("state established", None),
    ("state ESTABLISHED state time-wait", None),
    ("state connected", None),
    ("state synchronized", None),
    ("state bucket", None),
    ("state big", None),
    ("state all", None),
    ("state listening", None),
    ("state syn-recv", None),
    ("state fin-wait-2 state close-wait", None),
    ("exclude listening", None),
    ("excl bucket exclude listening", None),
    ("state established ( dport = :5006 or sport = :5006 )", None),
    ("state connected dport = :5006 or sport = :5006", None),
    ("state listening src 10.0.0.0/8 or src ::/0", None),
    (
        "state established and not ( dport = :5006 or dport = :5005 )",
        Some("state established ! ( dport = :5006 or dport = :5005 )"),
    ),
    (
        "( sport = :5005 or dport = :5005 ) and not src 10.0.0.0/8",
        None,
    ),
    (
        "not ( src 127.0.0.1 or ( dst fd01::/64 and not sport = :5011 ) )",
        None,
    ),
    (
        "( ( sport le :1024 ) or ( dport ge :6000 and ( src 127.0.0.1 ) ) )",
        None,
    ),
    ("sport = :5999 dst 10.1.0.1", None),
];

type Tuple = (String, String, String);

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn filters_select_what_ss_selects() {
    let Some(mut ns) = Netns::new("filter") else {
        return;
    };
    if std::process::Command::new("ss").arg("-V").output().is_err() {
        panic!("iproute2's ss is needed for the filter comparison");
    }
    ns.sh(
        "ip addr add 10.1.0.1/24 dev lo && ip addr add 10.1.0.2/24 dev lo && \
         ip -6 addr add fd01::1/64 dev lo nodad && ip -6 addr add fd01::2/64 dev lo nodad",
    );
    ns.spawn_fixture(POPULATION, "filtertest", As::Root);

    let everything = ours_set(&ns, "");
    let states: BTreeSet<&str> = everything.iter().map(|t| t.2.as_str()).collect();
    for wanted in [
        "LISTEN",
        "ESTABLISHED",
        "TIME_WAIT",
        "FIN_WAIT2",
        "CLOSE_WAIT",
    ] {
        assert!(
            states.contains(wanted),
            "fixture lacks {wanted}: {everything:?}"
        );
    }
    assert!(
        everything.iter().any(|t| t.0 == "127.0.0.1:443"),
        "no IPv4-mapped socket: {everything:?}"
    );
    assert_eq!(
        ss_set(&ns, "", None),
        everything,
        "unfiltered listings differ"
    );

    let mut failures = Vec::new();
    let mut narrowed = 0;
    for &(expr, ss_words) in CASES {
        let ours = ours_set(&ns, expr);
        let ss = ss_set(&ns, ss_words.unwrap_or(expr), single_state(expr));
        if ours != ss {
            let only_ours: Vec<_> = ours.difference(&ss).collect();
            let only_ss: Vec<_> = ss.difference(&ours).collect();
            failures.push(format!(
                "{expr:?}: only ours {only_ours:?}, only ss {only_ss:?}"
            ));
        }
        if !ours.is_empty() && ours.len() < everything.len() {
            narrowed += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "--filter differs from ss:\n{}",
        failures.join("\n")
    );
    // Guard against comparing empty or unfiltered tables.
    assert!(
        narrowed >= CASES.len() - 4,
        "only {narrowed} of {} cases selected a proper subset",
        CASES.len()
    );
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn bad_expressions_exit_1_before_any_output() {
    let Some(ns) = Netns::new("filterr") else {
        return;
    };
    for (expr, needle) in [
        (
            "sport = :80 or sport = :81 and dport = :5",
            "( sport = :80 or sport = :81 ) and dport = :5",
        ),
        ("( dport = :80", "unbalanced `(`"),
        ("dport = :99999", "out of range"),
        ("src 10.0.0.0/33", "prefix length"),
        ("state listen", "unknown state `listen`"),
    ] {
        let run = ns.run(&ours(), &["-tan", "--filter", expr], As::Root);
        run.fails_with(1)
            .stderr_has(needle)
            .stderr_has(&format!("\n  {expr}\n"));
        assert!(run.stdout.is_empty(), "{expr}: {run:?}");
        let stderr = run.stderr_text();
        assert!(
            stderr.starts_with("netstat: bad --filter expression: "),
            "{stderr}"
        );
    }
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn a_filter_hides_unix_sockets() {
    let spec = r#"{"sockets": [{"kind": "tcp_listen", "addr": "127.0.0.1", "port": 22},
        {"kind": "tcp_listen", "addr": "127.0.0.1", "port": 23},
        {"kind": "unix_listen", "path": "@filtertest"}]}"#;
    let Some(ns) = Netns::with_fixture("filteru", spec, "filtertest") else {
        return;
    };
    let plain = ns.run(&ours(), &["-an"], As::Root).stdout_text();
    assert!(plain.contains("@filtertest"), "{plain}");
    ns.run(&ours(), &["-an", "--filter", "sport = :22"], As::Root)
        .succeeds()
        .stdout_has("127.0.0.1:22 ")
        .stdout_lacks("127.0.0.1:23 ")
        .stdout_lacks("UNIX")
        .stdout_lacks("@filtertest");
}

/// Our rows as (local, remote, state).
fn ours_set(ns: &Netns, expr: &str) -> BTreeSet<Tuple> {
    let mut args = vec!["-tanW"];
    if !expr.is_empty() {
        args.extend(["--filter", expr]);
    }
    ns.run(&ours(), &args, As::Root)
        .succeeds()
        .stdout_text()
        .lines()
        .skip(2)
        .map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            assert!(f.len() >= 6, "short netstat line {line:?}");
            (endpoint(f[3]), endpoint(f[4]), f[5].to_string())
        })
        .collect()
}

/// ss's rows as (local, remote, state). ss hides the State column when one state is selected;
/// `state` is then that state.
fn ss_set(ns: &Netns, expr: &str, state: Option<&str>) -> BTreeSet<Tuple> {
    let mut cmd = ns.command("ss");
    cmd.args(["-tanH"]).args(expr.split_whitespace());
    let out = cmd.output().expect("run ss");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "ss {expr}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let (state, rest) = match state {
                Some(state) if f.first().is_some_and(|w| w.parse::<u64>().is_ok()) => {
                    (state.to_string(), &f[..])
                }
                _ => (ss_state(f[0]), &f[1..]),
            };
            assert!(rest.len() >= 4, "short ss line {line:?}");
            (endpoint(rest[2]), endpoint(rest[3]), state)
        })
        .collect()
}

/// `addr:port` in a form both tools agree on: no brackets, IPv4-mapped as IPv4, every wildcard
/// address as `*`, port `*` as 0.
fn endpoint(text: &str) -> String {
    let colon = text
        .rfind(':')
        .unwrap_or_else(|| panic!("no port in {text:?}"));
    let (host, port) = (&text[..colon], &text[colon + 1..]);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let host = host
        .strip_prefix("::ffff:")
        .filter(|h| h.contains('.'))
        .unwrap_or(host);
    let host = match host {
        "*" | "0.0.0.0" | "::" => "*",
        other => other,
    };
    let port = if port == "*" { "0" } else { port };
    format!("{host}:{port}")
}

fn ss_state(name: &str) -> String {
    match name {
        "ESTAB" => "ESTABLISHED",
        "UNCONN" => "CLOSE",
        other => return other.replace('-', "_").replace("WAIT_", "WAIT"),
    }
    .to_string()
}

/// The netstat name of the one state an expression selects, if it selects exactly one.
fn single_state(expr: &str) -> Option<&'static str> {
    let words: Vec<&str> = expr.split_whitespace().collect();
    let clauses = words
        .iter()
        .filter(|w| ["state", "exclude", "excl"].contains(w))
        .count();
    if clauses != 1 || words.first() != Some(&"state") {
        return None;
    }
    Some(match words.get(1)?.to_ascii_lowercase().as_str() {
        "established" => "ESTABLISHED",
        "syn-sent" => "SYN_SENT",
        "syn-recv" => "SYN_RECV",
        "fin-wait-1" => "FIN_WAIT1",
        "fin-wait-2" => "FIN_WAIT2",
        "time-wait" => "TIME_WAIT",
        "close-wait" => "CLOSE_WAIT",
        "last-ack" => "LAST_ACK",
        "listening" => "LISTEN",
        "closing" => "CLOSING",
        _ => return None,
    })
}
