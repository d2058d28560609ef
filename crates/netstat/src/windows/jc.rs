//! Real parsers read our Windows output: jc's Windows `netstat` parser and its `route print`
//! parser (jc 1.23 or later; Debian's 1.22 has neither, so CI installs jc from PyPI).

use std::io::Write;
use std::process::{Command, Stdio};

use nettables::inet::State;
use serde_json::Value;

use super::connections::tests::{PIDS, row, table, tcp, udp};
use super::connections::{Columns, Owner, Row};

/// Runs `jc PARSER` on `input`; `None` (after a loud message) when jc is missing outside CI.
fn jc(parser: &str, input: &str) -> Option<Value> {
    let program = std::env::var("JC").unwrap_or_else(|_| "jc".to_string());
    let child = Command::new(&program)
        .arg(parser)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            let message = format!("SKIPPED: {program} {parser}: {e} (pip install jc)");
            assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}");
            eprintln!("\n!!!!!!!!!! {message} !!!!!!!!!!\n");
            return None;
        }
    };
    child
        .stdin
        .take()
        .expect("jc stdin")
        .write_all(input.as_bytes())
        .expect("feed jc");
    let out = child.wait_with_output().expect("run jc");
    assert!(
        out.status.success(),
        "jc {parser} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("jc prints JSON"))
}

#[test]
#[ignore = "needs jc 1.23 or later (pip install jc)"]
fn jc_reads_the_connection_table() {
    let listen = tcp("0.0.0.0:135", "0.0.0.0:0", State::LISTEN);
    let est6 = tcp("[::1]:5000", "[::1]:6000", State::ESTABLISHED);
    let dns = udp("0.0.0.0:53", "0.0.0.0:0");
    let udp6 = udp("[fe80::1%9]:1900", "[::]:0");
    let svchost: &[&[u8]] = &[b"RpcSs"];
    let rows = [
        Row {
            owner: Some(Owner::Known {
                image: b"svchost.exe",
                components: svchost,
            }),
            ..row(&listen, 1712)
        },
        row(&est6, 4242),
        row(&dns, 4808),
        row(&udp6, 8844),
    ];

    let text = table(PIDS, &rows);
    let Some(parsed) = jc("--netstat", &text) else {
        return;
    };
    let rows = parsed.as_array().expect("a list of connections");
    assert_eq!(rows.len(), 4, "{parsed:#}");
    let field = |i: usize, key: &str| rows[i][key].clone();
    assert_eq!(field(0, "proto"), "TCP");
    assert_eq!(field(0, "local_address"), "0.0.0.0");
    assert_eq!(field(0, "local_port_num"), 135);
    assert_eq!(field(0, "state"), "LISTENING");
    assert_eq!(field(0, "pid"), 1712);
    assert_eq!(field(0, "program_name"), "[svchost.exe]");
    assert_eq!(field(1, "local_address"), "[::1]");
    assert_eq!(field(1, "foreign_port_num"), 6000);
    assert_eq!(field(2, "proto"), "UDP");
    assert_eq!(field(2, "foreign_address"), "*");
    assert_eq!(field(2, "pid"), 4808);
    assert_eq!(field(3, "local_address"), "[fe80::1%9]");

    // Without -o the UDP rows end in padding; jc still reads them.
    let plain = table(Columns::default(), &[row(&listen, 0), row(&dns, 0)]);
    let parsed = jc("--netstat", &plain).expect("jc ran a moment ago");
    assert_eq!(parsed[1]["local_port_num"], 53, "{parsed:#}");
    assert_eq!(parsed[0]["state"], "LISTENING");
}

#[test]
#[ignore = "needs jc 1.23 or later (pip install jc)"]
fn jc_reads_the_route_tables() {
    let text = super::route::tests::sample();
    let Some(parsed) = jc("--route-print", &text) else {
        return;
    };
    let interfaces = parsed["interface_list"].as_array().expect("interfaces");
    assert_eq!(interfaces.len(), 3, "{parsed:#}");
    assert_eq!(interfaces[0]["interface_index"], 8);
    assert_eq!(interfaces[0]["mac_address"], "00:ff:58:60:5f:61");
    assert_eq!(
        interfaces[2]["description"],
        "Software Loopback Interface 1"
    );
    let active = parsed["ipv4_route_table"]["active_routes"]
        .as_array()
        .expect("IPv4 routes");
    assert_eq!(active.len(), 3);
    assert_eq!(active[0]["gateway"], "192.168.31.1");
    assert_eq!(active[1]["gateway"], "On-link");
    assert_eq!(active[1]["metric"], 331);
    let persistent = parsed["ipv4_route_table"]["persistent_routes"]
        .as_array()
        .expect("persistent routes");
    assert_eq!(persistent[0]["gateway_address"], "157.55.80.1");
    let v6 = parsed["ipv6_route_table"]["active_routes"]
        .as_array()
        .expect("IPv6 routes");
    assert_eq!(v6.len(), 3);
    assert_eq!(
        v6[1]["network_destination"],
        "fe80::244e:2f1e:2096:62b2/128"
    );
    assert_eq!(v6[1]["gateway"], "On-link");
}
