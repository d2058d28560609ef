//! `--by-process`: a planted process is listed with its pid, user, command line, and every
//! Internet socket it holds under the right descriptor (checked against /proc/<pid>/fd); each
//! socket row is net-tools' row for that socket.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{As, Netns};
use serde_json::Value;

const SOCKETS: &str = r#"{"sockets": [
 {"kind": "tcp_listen", "addr": "127.0.0.1", "port": 7201},
 {"kind": "tcp_pair", "server": ["127.0.0.1", 7202]},
 {"kind": "udp", "family": 6, "bind": ["::1", 7203]},
 {"kind": "unix_listen", "type": "stream", "path": "@byproc-unix"}
]}"#;

/// The fixture's pid (the only process in the namespace) and its socket descriptors → inode.
fn planted(ns: &mut Netns) -> (u32, BTreeMap<u32, u64>) {
    ns.spawn_fixture(SOCKETS, "byproc-fixture", As::Nobody);
    let pids = ns.sh(&format!("ip netns pids {}", ns.name));
    let pid: u32 = pids
        .split_whitespace()
        .next()
        .and_then(|p| p.parse().ok())
        .expect("fixture pid");
    let mut fds = BTreeMap::new();
    for entry in std::fs::read_dir(format!("/proc/{pid}/fd")).expect("fd dir") {
        let entry = entry.expect("fd entry");
        let target = std::fs::read_link(entry.path())
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(inode) = target
            .strip_prefix("socket:[")
            .and_then(|t| t.strip_suffix(']'))
        {
            fds.insert(
                entry
                    .file_name()
                    .to_string_lossy()
                    .parse()
                    .expect("fd number"),
                inode.parse().expect("inode"),
            );
        }
    }
    (pid, fds)
}

/// Inodes of Internet sockets, from net-tools' `-tuwane` (inode column).
fn internet_inodes(ns: &Netns) -> BTreeMap<u64, String> {
    let text = ns
        .run(Path::new(common::REFERENCE), &["-tuwane"], As::Root)
        .stdout_text();
    text.lines()
        .skip(2)
        // The inode is the last column (a UDP row has no state word).
        .filter_map(|l| Some((l.split_whitespace().last()?.parse().ok()?, l.to_string())))
        .collect()
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn lists_the_planted_process_with_its_descriptors() {
    let Some(mut ns) = Netns::new("byproc") else {
        return;
    };
    let (pid, fds) = planted(&mut ns);
    let inet = internet_inodes(&ns);
    // The Internet sockets among the process's descriptors (the UNIX listener is not one).
    let expected: BTreeMap<u32, u64> = fds
        .iter()
        .filter(|(_, i)| inet.contains_key(i))
        .map(|(&f, &i)| (f, i))
        .collect();
    assert_eq!(
        expected.len(),
        4,
        "listener, both ends of the pair, UDP: {fds:?}"
    );
    assert!(fds.len() > expected.len(), "the UNIX socket is held too");

    let run = ns.run(&common::ours(), &["--by-process", "-n", "-e"], As::Root);
    run.succeeds();
    let text = run.stdout_text();
    let header = format!("PID {pid} user 65534: byproc-fixture ");
    let block: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with(&header))
        .skip(1)
        .take_while(|l| !l.starts_with("PID "))
        .collect();
    assert!(!block.is_empty(), "no block for pid {pid}:\n{text}");
    let mut listed = BTreeMap::new();
    for row in &block {
        let (fd, rest) = row.split_at(7);
        let fd: u32 = fd.trim().parse().expect("fd column");
        let inode: u64 = rest
            .split_whitespace()
            .last()
            .and_then(|i| i.parse().ok())
            .expect("inode column");
        listed.insert(fd, inode);
        // The rest of the row is net-tools' row for the same socket.
        assert_eq!(rest, inet[&inode], "row of fd {fd}");
    }
    assert_eq!(listed, expected, "{text}");
    assert!(
        text.starts_with(
            "Active Internet connections by process (servers and established)\nFD     Proto"
        ),
        "{text}"
    );

    // Names on: the user is named; -l keeps only the listeners.
    let named = ns
        .run(&common::ours(), &["--by-process", "-l"], As::Root)
        .stdout_text();
    assert!(
        named.contains(&format!("PID {pid} user nobody: byproc-fixture ")),
        "{named}"
    );
    let rows: Vec<&str> = named
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert_eq!(rows.len(), 2, "{named}");
    assert!(
        rows[0].contains(":7201 ") && rows[1].contains(":7203 "),
        "{named}"
    );
    assert!(
        named.contains("\"sockets\": [? {"),
        "newlines of the command line are made safe: {named}"
    );
    assert!(!named.contains("ESTABLISHED"), "{named}");
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn json_lists_pid_user_command_and_descriptors() {
    let Some(mut ns) = Netns::new("byprocjson") else {
        return;
    };
    let (pid, fds) = planted(&mut ns);
    let inet = internet_inodes(&ns);
    let run = ns.run(&common::ours(), &["--by-process", "--json"], As::Root);
    let v: Value = serde_json::from_slice(&run.stdout).expect("valid JSON");
    let record = v
        .as_array()
        .expect("array")
        .iter()
        .find(|r| r["pid"] == pid)
        .expect("the fixture's record");
    assert_eq!(record["uid"], 65534);
    assert_eq!(record["user"], "nobody");
    assert!(
        record["command"]
            .as_str()
            .unwrap()
            .starts_with("byproc-fixture "),
        "{record}"
    );
    let listed: BTreeMap<u32, u64> = record["sockets"]
        .as_array()
        .expect("sockets")
        .iter()
        .map(|s| {
            (
                s["fd"].as_u64().unwrap() as u32,
                s["inode"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected: BTreeMap<u32, u64> = fds
        .into_iter()
        .filter(|(_, i)| inet.contains_key(i))
        .collect();
    assert_eq!(listed, expected);
    let udp = record["sockets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["proto"] == "udp6")
        .expect("udp6 socket");
    assert_eq!(
        (udp["local_address"].as_str(), udp["local_port"].as_u64()),
        (Some("::1"), Some(7203))
    );
}
