//! `-r`: the routing tables against net-tools, in a namespace holding a veth pair (peer in a
//! second namespace), a link without carrier, an interface left DOWN, gateway, host, metric,
//! mss/window/rtt and reject routes, IPv6 routes via global and link-local gateways, and
//! hosts/networks entries long enough to be cut.

mod common;

use common::{As, Netns, Peer, REFERENCE, assert_runs_equal, differences, ours};

const HOSTS: &str = "127.0.0.1 localhost
10.1.0.2 a-very-long-peer-hostname.example.internal
10.7.7.7 hostroute-target-long-name.example
10.50.0.0 net-as-host-entry
255.255.255.255 bcast-name
::1 localhost ip6-localhost ip6-loopback
fd01::2 v6peer-with-a-rather-long-name.example
fd04:: v6-network-named-in-hosts
";

const NETWORKS: &str = "link-local 169.254.0.0
a-very-long-network-name-here 192.168.50.0
short 10.60.0.0
zero-net 0.0.0.0
";

fn build() -> Option<(Netns, Peer)> {
    let (ns, peer) = Netns::with_peer("route")?;
    ns.etc("hosts", HOSTS);
    ns.etc("networks", NETWORKS);
    // Names missing from the files must fail at once, not wait for an unreachable server.
    ns.etc("resolv.conf", "nameserver 127.0.0.1\n");
    let script = format!(
        r#"set -e
        ip link add vA type veth peer name vB netns {peer}
        ip -n {peer} link set vB up
        ip link set vA up
        ip addr add 10.1.0.1/24 dev vA
        ip -6 addr add fd01::1/64 dev vA nodad
        # No carrier: the far end stays down, the routes stay (flagged linkdown).
        ip link add vC type veth peer name vD netns {peer}
        ip link set vC up
        ip addr add 10.3.0.1/24 dev vC
        # Administratively down: no routes at all.
        ip link add vDown type veth peer name vDownPeer
        ip addr add 10.4.0.1/24 dev vDown
        ip route add default via 10.1.0.2
        ip route add 10.7.7.7 via 10.1.0.2
        ip route add 192.168.50.0/24 via 10.1.0.2 metric 5
        ip route add 10.20.0.0/16 via 10.1.0.2 metric 4294967295
        ip route add 10.50.0.0/16 via 10.1.0.2 mtu lock 1400 window 8000 rtt 30ms
        ip route add 10.60.0.0/16 via 10.1.0.2 advmss 1300
        ip route add 10.12.0.0/16 via 10.1.0.2 dev vA onlink
        ip route add 10.30.0.0/16 via 10.3.0.2
        ip route add unreachable 10.9.0.0/16
        ip route add prohibit 10.10.0.0/16 metric 9
        ip route add blackhole 10.11.0.0/16
        ip route add 169.254.0.0/16 dev vA
        ip route add 0.0.0.0/8 dev vA
        ip route add 255.255.255.255/32 dev vA
        ip -6 route add default via fd01::2
        ip -6 route add fd02::/64 via fd01::2 metric 7
        ip -6 route add unreachable fd03::/64
        ip -6 route add fd04::/64 dev vA metric 4294967295
        ip -6 route add fd05::5/128 via fe80::1 dev vA
        "#,
        peer = peer.0
    );
    ns.sh(&script);
    Some((ns, peer))
}

const FLAG_SETS: &[&[&str]] = &[
    &["-r"],
    &["-rn"],
    &["-re"],
    &["-ree"],
    &["-reee"],
    &["-reeee"],
    &["-reeeee"],
    &["-rne"],
    &["-rnee"],
    &["-rC"],
    &["-rCe"],
    &["-rCee"],
    &["-rF"],
    &["-rFC"],
    &["-rFCee"],
    &["-rN"],
    &["-rNee"],
    &["--numeric-hosts", "-r"],
    &["-r", "--numeric-ports"],
    &["-r", "--numeric-users"],
    &["-r6"],
    &["-rn6"],
    &["-rN6"],
    &["-r6ee"],
    &["-r", "--numeric-hosts", "-6"],
    &["-r", "-A", "inet6"],
    &["--route", "--inet6"],
    &["-r", "--ip"],
    &["-r", "-4", "-6"],
    &["-r", "-6", "-4"],
    &["-r", "-Ainet,inet6"],
    &["-r", "-Ainet,inet"],
    &["-rC6"],
    &["-rFC6"],
    &["-rv"],
    &["-rW"],
    &["-rx"],
    &["-r", "-A", "unix"],
    &["-r", "-A", "inet,unix"],
    &["-r", "-A", "unix,inet"],
    &["-r", "-A", "inet,ax25"],
    &["-r", "-A", "ax25"],
    &["-r", "-A", "ipx"],
    &["-r", "-A", "ddp"],
    &["-r", "-A", "netrom"],
    &["-r", "-A", "x25"],
    &["-r", "-A", "rose"],
    &["-r", "-A", "econet"],
    &["-r", "-A", "ash"],
    &["-r", "--bluetooth"],
    &["-r", "-A", "inet,,inet6"],
];

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn route_tables_match_net_tools() {
    let Some((ns, _peer)) = build() else { return };
    // The setup must really show what the comparisons are about.
    let table = ns.run(&ours(), &["-r"], As::Root).stdout_text();
    for needle in [
        "a-very-long-pee ",
        "hostroute-targe ",
        "a-very-long-net ",
        "default ",
        "link-local ",
        "bcast-name ",
    ] {
        assert!(table.contains(needle), "missing {needle:?} in\n{table}");
    }
    assert!(
        table.contains("!         - -          - -\n"),
        "no reject route in\n{table}"
    );
    assert!(
        !table.contains("10.4.0.0"),
        "the DOWN interface's route is listed\n{table}"
    );
    let table6 = ns.run(&ours(), &["-r6"], As::Root).stdout_text();
    assert!(
        table6.contains("v6peer-with-a-rather-long-name.example UG "),
        "{table6}"
    );
    assert!(table6.contains(" -1 "), "{table6}");
    for flags in FLAG_SETS {
        for user in [As::Root, As::Nobody] {
            assert_same_once_settled(&ns, flags, user);
        }
    }
}

/// The kernel counts a route's `Use` as packets take it, and the namespace's own IPv6
/// neighbour and multicast traffic can move the count between the two runs. The tolerance:
/// the outputs must be equal in one of three back-to-back pairs of runs.
fn assert_same_once_settled(ns: &Netns, flags: &[&str], user: As) {
    let mut report = String::new();
    for _ in 0..3 {
        let (ours, reference) = ns.run_both(flags, user);
        report = differences(&ours, &reference);
        if report.is_empty() {
            return;
        }
    }
    panic!(
        "netstat {} as {user:?}: output differs from net-tools\n{report}",
        flags.join(" ")
    );
}

/// `-c` prints the whole table, title included, once a second. The two programs are stopped
/// after the same time; their pass counts may differ by one, but every pass must equal the
/// single-shot table.
#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn continuous_reprints_the_whole_table() {
    let Some((ns, _peer)) = build() else { return };
    let single = ns.run(std::path::Path::new(REFERENCE), &["-rn"], As::Root);
    let mut passes = Vec::new();
    for binary in [ours(), REFERENCE.into()] {
        let out = ns
            .command("timeout")
            .args(["-s", "INT", "2.5"])
            .arg(&binary)
            .arg("-rnc")
            .env("LC_ALL", "C")
            .output()
            .expect("run netstat -rnc");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let count = text.matches("Kernel IP routing table\n").count();
        assert!(
            (2..=3).contains(&count),
            "{binary:?}: {count} passes in 2.5 s"
        );
        assert_eq!(text, single.stdout_text().repeat(count), "{binary:?} -rnc");
        passes.push(count);
    }
    assert!(passes[0].abs_diff(passes[1]) <= 1, "pass counts {passes:?}");
    let (a, b) = ns.run_both(&["-rn"], As::Root);
    assert_runs_equal(&a, &b, "netstat -rn after -c");
}
