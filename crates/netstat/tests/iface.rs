//! `-i`: the interface table against net-tools, in a namespace holding veth pairs (one peer in a
//! second namespace), a DOWN interface, alias labels, IPv6 scopes, a tun device and tun devices
//! relabelled to other hardware types, with names that sort naturally.

mod common;

use common::{As, Netns, Peer, Run, assert_runs_equal};

/// Makes a tun device `hwN` of ARPHRD type N (TUNSETLINK) for each N in argv, kept after the
/// script exits. A tun device has no hardware address, so every type prints a defined
/// (all-zero) address.
const RELABEL: &str = r#"
import fcntl, os, struct, sys
for arphrd in sys.argv[1:]:
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", b"hw" + arphrd.encode(), 0x1001))  # TUNSETIFF tun|no_pi
    fcntl.ioctl(fd, 0x400454cd, int(arphrd))  # TUNSETLINK
    fcntl.ioctl(fd, 0x400454cb, 1)  # TUNSETPERSIST
    os.close(fd)
"#;

/// Counts on vA: datagrams to a closed port of the peer (which answers some with ICMP errors),
/// then the event that ends the exchange: a TCP connection to a closed port, refused. The
/// peer handles packets in order, so once the RST is in, every reply to the datagrams is too.
const TRAFFIC: &str = r#"
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(20): s.sendto(b"x" * 1200, ("10.9.0.2", 9))
try:
    socket.create_connection(("10.9.0.2", 9), timeout=10)
    raise SystemExit("port 9 of the peer is open")
except ConnectionRefusedError:
    pass
"#;

/// The namespace and its peer. The link-up traffic happens at once ([`Netns::with_peer`]) and
/// the rest waits for its end ([`TRAFFIC`]), so the counters are still when this returns.
fn build() -> Option<(Netns, Peer)> {
    let (ns, peer) = Netns::with_peer("iface")?;
    let script = format!(
        r#"set -e
        ip link add vA address 02:00:00:00:09:01 type veth \
            peer name peer0 address 02:00:00:00:09:02 netns {peer}
        # Fixed neighbours: no ARP, and no confirmation probe seconds after the last packet.
        ip neigh add 10.9.0.2 lladdr 02:00:00:00:09:02 dev vA nud permanent
        ip -n {peer} neigh add 10.9.0.1 lladdr 02:00:00:00:09:01 dev peer0 nud permanent
        ip -n {peer} link set peer0 up
        ip -n {peer} addr add 10.9.0.2/24 dev peer0
        ip link set vA mtu 1400 up
        ip addr add 10.9.0.1/24 dev vA
        ip addr add 10.9.1.1/24 brd 10.9.1.255 dev vA label vA:1
        ip addr add 10.9.2.1/24 dev vA label vA:10
        ip -6 addr add fd01::1/64 dev vA nodad
        ip link add eth2 type veth peer name eth10
        ip link set eth2 mtu 9000 up
        ip link set eth10 down
        ip link add br0 type bridge
        ip link set br0 up promisc on allmulticast on
        ip -6 addr add ::1.2.3.4/96 dev br0 nodad
        ip -6 addr add fec0::1/10 dev br0 nodad
        ip link add abcdefghijklmno type bridge
        ip link set abcdefghijklmno up
        ip tuntap add mode tun tun0
        ip link set tun0 up
        ip addr add 10.8.0.1 peer 10.8.0.2 dev tun0
        python3 -c '{RELABEL}' 0 3 7 15 27 256 257 271 512 513 516 768 770 772 774 776 780 782 783
        ip link set hw512 up
        ip link set hw776 up
        python3 -c '{TRAFFIC}'
        "#,
        peer = peer.0,
    );
    ns.sh(&script);
    Some((ns, peer))
}

/// Every interface's counters.
fn counters(ns: &Netns) -> String {
    ns.sh("cat /proc/net/dev")
}

/// Compares both binaries, and proves that no counter moved meanwhile; a run during which one
/// did (which the namespace should never do) is repeated.
fn assert_same_quiet(ns: &Netns, args: &[&str], user: As) {
    for _ in 0..5 {
        let before = counters(ns);
        let (ours, reference) = ns.run_both(args, user);
        if counters(ns) == before {
            assert_runs_equal(
                &ours,
                &reference,
                &format!("netstat {} as {user:?}", args.join(" ")),
            );
            return;
        }
    }
    panic!("counters kept moving during netstat {}", args.join(" "));
}

const FLAG_SETS: &[&[&str]] = &[
    &["-i"],
    &["-in"],
    &["-ia"],
    &["-iv"],
    &["-ie"],
    &["-iea"],
    &["-iee"],
    &["-ine"],
    &["--interfaces", "-a", "-e"],
];

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn interface_table_matches_net_tools() {
    let Some((ns, _peer)) = build() else { return };
    // The fixture must really show what it is meant to test.
    let (ours, _) = ns.run_both(&["-iea"], As::Root);
    let text = ours.stdout_text();
    for needle in [
        "vA:1: flags=",
        "inet6 fd01::1  prefixlen 64  scopeid 0x0<global>",
        "scopeid 0x20<link>",
        "scopeid 0x40<site>",
        "scopeid 0x80<compat,global>",
        "destination 10.8.0.2",
        "unspec 00-00-00-00-00-00-00-00-00-00-00-00-00-00-00-00",
        "RX compressed:0",
        "(Point-to-Point Protocol)",
        "(IPv6-in-IPv4)",
        "abcdefghijklmno: flags=",
        "eth10: flags=4098<BROADCAST,MULTICAST>  mtu 1500",
    ] {
        assert!(text.contains(needle), "fixture lacks {needle:?}:\n{text}");
    }
    let (short, _) = ns.run_both(&["-ia"], As::Root);
    let short = short.stdout_text();
    let order: Vec<&str> = short
        .lines()
        .skip(2)
        .filter_map(|l| l.split(' ').next())
        .collect();
    let pos = |name: &str| {
        order
            .iter()
            .position(|n| *n == name)
            .unwrap_or_else(|| panic!("{name} missing: {order:?}"))
    };
    assert!(pos("eth2") < pos("eth10") && pos("vA") < pos("vA:1") && pos("vA:1") < pos("vA:10"));
    assert!(short.contains("vA:1             1400      - no statistics available -"));

    for user in [As::Root, As::Nobody] {
        for args in FLAG_SETS {
            assert_same_quiet(&ns, args, user);
        }
    }
}

/// Runs `binary -ic` (plus `extra`) for a few passes and returns its output.
fn continuous(ns: &Netns, binary: &str, extra: &str) -> Run {
    let out = ns
        .command("timeout")
        .args(["-s", "INT", "2.5", binary, "-ic"])
        .args(extra.split_whitespace())
        .env("LC_ALL", "C")
        .output()
        .expect("run timeout");
    Run {
        stdout: out.stdout,
        stderr: out.stderr,
        code: out.status.code(),
    }
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn continuous_mode_prints_the_title_once() {
    let Some((ns, _peer)) = build() else { return };
    let ours_path = common::ours();
    let ours_path = ours_path.to_str().expect("utf-8 path");
    for extra in ["", "-e"] {
        // Repeated while a counter moves during the runs (the peer may still send).
        let mut attempts = 0;
        let (ours, reference) = loop {
            let before = counters(&ns);
            // Side by side: each run takes its 2.5 s however busy the other is.
            let runs = std::thread::scope(|scope| {
                let ours = scope.spawn(|| continuous(&ns, ours_path, extra));
                let reference = continuous(&ns, common::REFERENCE, extra);
                (ours.join().expect("our run"), reference)
            });
            attempts += 1;
            if counters(&ns) == before {
                break runs;
            }
            assert!(attempts < 5, "counters kept moving during -ic {extra}");
        };
        for run in [&ours, &reference] {
            assert_eq!(
                run.stdout_text().matches("Kernel Interface table").count(),
                1
            );
        }
        // Every pass repeats the first; compare the first pass of each byte for byte.
        let pass = |run: &Run| -> String {
            let text = run.stdout_text();
            let body = text
                .trim_start_matches("Kernel Interface table\n")
                .to_string();
            let marker = body.lines().next().unwrap_or_default().to_string() + "\n";
            let second = body[1..].find(&marker).map_or(body.len(), |i| i + 1);
            assert!(second < body.len(), "only one pass in {text:?}");
            body[..second].to_string()
        };
        assert_eq!(
            pass(&ours),
            pass(&reference),
            "-ic {extra}: first pass differs"
        );
        assert!(ours.stdout_text().matches(&pass(&ours)).count() >= 2);
        assert_eq!(ours.stderr, reference.stderr);
    }
}
