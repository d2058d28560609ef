//! `-g`: the multicast group table, compared byte for byte with net-tools.
//!
//! Real memberships come from a Python process joining IPv4 and IPv6 groups on loopback and on
//! veth interfaces. Hostile tables (bad hex, short lines, huge counts, missing files) are fed to
//! both binaries through a tmpfs mounted over /proc in a private mount namespace.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::{As, Netns, REFERENCE, Run, assert_runs_equal, ours};

/// Joins the groups named on the command line ("GROUP@INTERFACE"), prints "ready" and holds
/// the memberships until stdin closes. Joining twice raises the kernel's count.
const JOINER: &str = r#"
import socket, struct, sys
held = []
for spec in sys.argv[1:]:
    group, ifname = spec.split("@")
    index = socket.if_nametoindex(ifname)
    if ":" in group:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        mreq = socket.inet_pton(socket.AF_INET6, group) + struct.pack("@I", index)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        mreq = socket.inet_aton(group) + socket.inet_aton("0.0.0.0") + struct.pack("@i", index)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    held.append(s)
print("ready", flush=True)
sys.stdin.read()
"#;

/// The joining process; it leaves its groups when dropped.
struct Joiner(Child);

impl Joiner {
    fn start(ns: &Netns, groups: &[&str]) -> Joiner {
        let mut child = ns
            .command("/usr/bin/python3")
            .arg("-c")
            .arg(JOINER)
            .args(groups)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the group joiner");
        testkit::wait_ready(&mut child, &format!("the joiner failed to join {groups:?}"));
        Joiner(child)
    }
}

impl Drop for Joiner {
    fn drop(&mut self) {
        drop(self.0.stdin.take());
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn setup(ns: &Netns) {
    ns.sh(
        "ip link add va type veth peer name vb && ip link set va up && ip link set vb up\n\
         ip link add averyverylongnm type veth peer name midsizename12 \
           && ip link set averyverylongnm up && ip link set midsizename12 up\n\
         ip addr add 10.9.0.1/24 dev va",
    );
    ns.etc(
        "hosts",
        "127.0.0.1 localhost\n\
         224.0.0.1 all-systems.mcast.net\n\
         239.1.2.3 a-multicast-group-with-a-rather-long-name.example.internal\n\
         ::1 localhost ip6-localhost ip6-loopback\n\
         ff02::1 ip6-allnodes\n\
         ff05::1:3 site-group\n",
    );
    ns.etc("nsswitch.conf", "hosts: files\nnetworks: files\n");
}

const GROUPS: &[&str] = &[
    "239.1.2.3@va",
    "239.1.2.3@averyverylongnm",
    "239.255.0.7@midsizename12",
    "239.255.0.7@midsizename12",
    "ff05::1:3@va",
    "ff05::1:3@va",
    "ff12::abcd@averyverylongnm",
    "ff15::1@lo",
];

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn real_memberships() {
    let Some(ns) = Netns::new("groups") else {
        return;
    };
    setup(&ns);
    let _joiner = Joiner::start(&ns, GROUPS);
    // The table must hold what the test joined, or the comparison proves little.
    let (ours, _) = ns.run_both(&["-gn"], As::Root);
    let text = ours.stdout_text();
    for expected in [
        "va              1      239.1.2.3",
        "averyverylongnm 1      239.1.2.3",
        "midsizename12   2      239.255.0.7",
        "va              2      ff05::1:3",
        "lo              1      ff15::1",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    for user in [As::Root, As::Nobody] {
        for args in [
            &["-g"][..],
            &["-gn"],
            &["--groups", "--numeric-hosts"],
            &["-g", "--numeric-ports"],
            &["-g", "-A", "inet6"],
            &["-gn", "-6"],
            &["-g", "-4"],
            &["-g", "-4", "-6"],
            &["-g", "-t"],
            &["-gx"],
            &["-gW", "-v"],
            &["foo", "-g", "bar"],
        ] {
            ns.assert_same(args, user);
        }
    }
}

/// `-gc` repeats one correct table every second (net-tools garbles the second pass, which is a
/// deliberate difference): every pass of ours must equal net-tools' single-shot output.
#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn continuous_passes_repeat_the_table() {
    let Some(ns) = Netns::new("groupsc") else {
        return;
    };
    setup(&ns);
    let _joiner = Joiner::start(&ns, GROUPS);
    let once = ns.run(Path::new(REFERENCE), &["-gn"], As::Root);
    once.succeeds();
    let script = format!("timeout -s INT 2.5 {} -gnc; true", ours().display());
    let out = ns
        .command("sh")
        .args(["-c", &script])
        .env("LC_ALL", "C")
        .output()
        .expect("run -gnc");
    let text = String::from_utf8_lossy(&out.stdout);
    let single = once.stdout_text();
    let passes = text.matches("IPv6/IPv4 Group Memberships\n").count();
    assert!(passes >= 2, "expected at least two passes, got:\n{text}");
    assert_eq!(text.as_ref(), single.repeat(passes), "a later pass differs");
    assert!(
        out.stderr.is_empty(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `binary` as `user` with a fake /proc holding only `igmp` and `igmp6` (None: absent).
fn run_fake(
    ns: &Netns,
    binary: &Path,
    igmp: Option<&[u8]>,
    igmp6: Option<&[u8]>,
    args: &[&str],
    user: As,
) -> Run {
    let dir = std::env::temp_dir().join(format!("nst-groups-{}-{}", std::process::id(), ns.name));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut setup = String::from("set -e; mount -t tmpfs none /proc; mkdir /proc/net\n");
    for (name, contents) in [("igmp", igmp), ("igmp6", igmp6)] {
        if let Some(bytes) = contents {
            let file = dir.join(name);
            std::fs::write(&file, bytes).expect("write fake table");
            setup.push_str(&format!("cp {} /proc/net/{name}\n", file.display()));
        }
    }
    setup.push_str("chmod -R a+rX /proc\n");
    let privileges = match user {
        As::Root => "",
        As::Nobody => "setpriv --reuid=65534 --regid=65534 --clear-groups",
    };
    setup.push_str(&format!(
        r#"exec {privileges} bash -c 'exec -a netstat "$@"' netstat "$@""#
    ));
    let out = ns
        .command("unshare")
        .args(["-m", "sh", "-c", &setup, "sh"])
        .arg(binary)
        .args(args)
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .output()
        .expect("run with a fake /proc");
    let _ = std::fs::remove_dir_all(&dir);
    Run {
        stdout: out.stdout,
        stderr: out.stderr,
        code: out.status.code(),
    }
}

fn assert_same_fake(
    ns: &Netns,
    igmp: Option<&[u8]>,
    igmp6: Option<&[u8]>,
    args: &[&str],
    user: As,
) {
    let reference = run_fake(ns, Path::new(REFERENCE), igmp, igmp6, args, user);
    let ours = run_fake(ns, &ours(), igmp, igmp6, args, user);
    assert_runs_equal(
        &ours,
        &reference,
        &format!("netstat {} as {user:?} with fake tables", args.join(" ")),
    );
}

/// Bogus and overflowing lines of `/proc/net/igmp`; the library's parser tests read it too.
const HOSTILE_IGMP: &[u8] = include_bytes!("../../nettables/tests/fixtures/igmp-hostile");

const HOSTILE_IGMP6: &[u8] =
    b"1    lo              ff020000000000000000000000000001     1 0000000C 0\n\
    bad\n\
    1 lo zz 1\n\
    1    lo              00000000000000000000000000000000     1 0000000C 0\n\
    1    lo              fe800000000000000000000000000001     1 0000000C 0\n\
    2\tva\tff050000000000000000000000010003\t99999999999\n\
    1 verylongdevicename0 ff020000000000000000000000000001 1\n\
    1 lo ff020000000000000000000000000001ffffffff 9\n\
    1 lo ff020000000000000000000000000001\n\
    \n\
    3 va ff0200000000000000000001ff4b08b9 -1\n";

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn hostile_tables() {
    let Some(ns) = Netns::new("groupsfake") else {
        return;
    };
    setup(&ns);
    for user in [As::Root, As::Nobody] {
        for args in [
            &["-g"][..],
            &["-gn"],
            &["-g", "-6"],
            &["-gn", "-A", "inet6"],
        ] {
            assert_same_fake(&ns, Some(HOSTILE_IGMP), Some(HOSTILE_IGMP6), args, user);
        }
    }
    // The parse really saw the hostile lines.
    let run = run_fake(
        &ns,
        &ours(),
        Some(HOSTILE_IGMP),
        Some(HOSTILE_IGMP6),
        &["-gn"],
        As::Root,
    );
    let text = run.stdout_text();
    assert!(
        text.contains("verylongname15c 1215752191 224.0.0.1\n"),
        "{text}"
    );
    assert!(
        text.contains("abcdefghijkl    7      239.1.2.3\n"),
        "{text}"
    );
    assert!(String::from_utf8_lossy(&run.stderr).contains("warning, got bogus igmp6 line 8.\n"));
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn missing_and_unreadable_tables() {
    let Some(ns) = Netns::new("groupsmiss") else {
        return;
    };
    let igmp6 = Some(HOSTILE_IGMP6);
    let igmp = Some(HOSTILE_IGMP);
    for user in [As::Root, As::Nobody] {
        // No IPv4 table: reported, status 1, but the IPv6 rows still print.
        assert_same_fake(&ns, None, igmp6, &["-gn"], user);
        assert_same_fake(&ns, None, igmp6, &["-g", "-A", "inet6"], user);
        // No IPv6 table: silent.
        assert_same_fake(&ns, igmp, None, &["-gn"], user);
        assert_same_fake(&ns, igmp, None, &["-gn", "-6"], user);
        assert_same_fake(&ns, None, None, &["-gn"], user);
        // With -4 the protocols are implied and the missing table is silent; the connection
        // table printed first is empty in this namespace.
        assert_same_fake(&ns, None, None, &["-gn", "-4"], user);
    }
    let status = run_fake(&ns, &ours(), None, igmp6, &["-gn"], As::Root).code;
    assert_eq!(status, Some(1));
}

/// An IPv4 table that cannot be opened for a reason other than absence or permission:
/// net-tools prints perror's line and exits 255.
#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn unopenable_table_is_an_error() {
    let Some(ns) = Netns::new("groupsloop") else {
        return;
    };
    let script = "set -e; mount -t tmpfs none /proc; mkdir /proc/net; ln -s igmp /proc/net/igmp\n\
                  exec bash -c 'exec -a netstat \"$@\"' netstat \"$@\"";
    let run = |binary: &Path| {
        let out = ns
            .command("unshare")
            .args(["-m", "sh", "-c", script, "sh"])
            .arg(binary)
            .arg("-gn")
            .env("LC_ALL", "C")
            .output()
            .expect("run with a looping table");
        Run {
            stdout: out.stdout,
            stderr: out.stderr,
            code: out.status.code(),
        }
    };
    let reference = run(Path::new(REFERENCE));
    assert_eq!(reference.code, Some(255));
    assert_runs_equal(&run(&ours()), &reference, "netstat -gn with a symlink loop");
    // Permission: a table only root may read is "no support" for nobody.
    let script = "set -e; mount -t tmpfs none /proc; mkdir /proc/net; chmod 755 /proc /proc/net\n\
                  echo 'Idx Device' > /proc/net/igmp; chmod 000 /proc/net/igmp\n\
                  exec setpriv --reuid=65534 --regid=65534 --clear-groups bash -c 'exec -a netstat \"$@\"' netstat \"$@\"";
    let run = |binary: &Path| {
        let out = Command::new("ip")
            .args([
                "netns", "exec", &ns.name, "unshare", "-m", "sh", "-c", script, "sh",
            ])
            .arg(binary)
            .arg("-gn")
            .env("LC_ALL", "C")
            .output()
            .expect("run with an unreadable table");
        Run {
            stdout: out.stdout,
            stderr: out.stderr,
            code: out.status.code(),
        }
    };
    let reference = run(Path::new(REFERENCE));
    assert_eq!(reference.code, Some(1));
    assert_runs_equal(
        &run(&ours()),
        &reference,
        "netstat -gn with an unreadable table",
    );
}
