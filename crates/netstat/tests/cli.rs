//! The command line: usage errors, mode and family conflicts, help and version, and the quiet
//! end on a closed pipe, compared with net-tools in an empty namespace (so output is stable).
//!
//! After an option error only the first stderr line (the error itself), stdout and the exit
//! status must match: the usage text that follows is our own (spec 0.6). Everything else is
//! compared byte for byte.

mod common;

use std::time::{Duration, Instant};

use common::{As, Netns, Run, assert_runs_equal, diff_streams, ours};

const USERS: [As; 2] = [As::Root, As::Nobody];

fn first_line(bytes: &[u8]) -> &[u8] {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .next()
        .unwrap_or_default()
}

/// An option error: the same first stderr line, stdout and status, and usage text after it.
fn assert_usage_error(ns: &Netns, args: &[&str], user: As) {
    let (ours, reference) = ns.run_both(args, user);
    let what = format!("netstat {} as {user:?}", args.join(" "));
    assert_eq!(
        reference.code,
        Some(3),
        "{what}: net-tools did not fail with usage: {reference:?}"
    );
    let mut report = String::new();
    diff_streams("stdout", &ours.stdout, &reference.stdout, &mut report);
    diff_streams(
        "stderr line 1",
        first_line(&ours.stderr),
        first_line(&reference.stderr),
        &mut report,
    );
    if ours.code != reference.code {
        report.push_str(&format!(
            "exit status: ours {:?}, net-tools {:?}\n",
            ours.code, reference.code
        ));
    }
    assert!(
        report.is_empty(),
        "{what}: differs from net-tools\n{report}"
    );
    let text = String::from_utf8_lossy(&ours.stderr);
    assert!(
        text.contains("usage: netstat"),
        "{what}: no usage text after the error:\n{text}"
    );
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn option_errors() {
    let Some(ns) = Netns::new("cliopt") else {
        return;
    };
    let cases: &[&[&str]] = &[
        &["-L"],
        &["-T"],
        &["-I"],
        &["-tL"],
        &["-Lt"],
        &["foo", "-L", "bar"],
        &["-L", "-A", "bogus"],
        &["-L", "-Z"],
        &["-L", "-h"],
        &["-L", "-?"],
        &["-ir", "-L"],
        &["--bogus"],
        &["--bogus=3"],
        &["--num"],
        &["--in"],
        &["--u"],
        &["--r"],
        &["--t"],
        &["--n"],
        &["--c"],
        &["--co"],
        &["--s"],
        &["--v"],
        &["--protocol"],
        &["--prot"],
        &["--tcp=x"],
        &["--help=x"],
        &["--version=1"],
        &["--numeric="],
        &["--symbolic=1"],
        &["-A"],
        &["-tA"],
        // Two modes: the usage alone, with no error line.
        &["-ir"],
        &["-is"],
        &["-rs"],
        &["-iM"],
        &["-Ms"],
        &["-r", "-i", "-n"],
        &["-?"],
        &["-?", "-L"],
        &["-t?"],
    ];
    for user in USERS {
        for args in cases {
            assert_usage_error(&ns, args, user);
        }
    }
}

#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn family_and_mode_errors() {
    let Some(ns) = Netns::new("clifam") else {
        return;
    };
    let cases: &[&[&str]] = &[
        &["-A", "bogus"],
        &["-A", "inet,bogus"],
        &["-A", ""],
        &["-A", "inet,"],
        &["--protocol="],
        &["--protocol=unix,x"],
        &["-x", "-A", "bogus"],
        &["-A", "bogus", "-L"],
        &["-M"],
        &["-M", "-c"],
        &["-e", "-M"],
        &["-Mn"],
        &["--masquerade"],
        &["-Z"],
        &["-Z", "-L"],
        &["-ZM"],
        &["--context"],
        &["--ipx"],
        &["--ax25"],
        &["--netrom"],
        &["--rose"],
        &["--x25"],
        &["-A", "ipx"],
        &["-A", "ax25,inet", "-n"],
        &["-2"],
        &["-f"],
        &["--bluetooth"],
        &["--l2cap"],
        &["--rfcomm"],
        &["-S"],
        &["-s", "-A", "unix"],
        &["-s", "-4", "-6"],
        &["-s", "-6", "-4"],
        &["-s", "-x"],
        &["-s", "-A", "inet,inet"],
        &["-s", "-A", "ipx"],
        &["-s", "-A", "bluetooth"],
        &["-s", "--ddp"],
    ];
    for user in USERS {
        for args in cases {
            ns.assert_same(args, user);
        }
    }
}

/// Families that print the default listing or nothing special; operands are ignored.
#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn accepted_oddities() {
    let Some(ns) = Netns::new("cliodd") else {
        return;
    };
    let cases: &[&[&str]] = &[
        &["--ddp"],
        &["-d"],
        &["-dn"],
        &["-A", "tcpip", "-n"],
        &["-A", "econet", "-n"],
        &["-A", "ash", "-n"],
        &["-A", "appletalk", "-n"],
        &["--appletalk"],
        &["-A", "ip", "-n"],
        &["-A", "ip6", "-n"],
        &["--ip", "-n"],
        &["--e"],
        &["-"],
        &["--"],
        &["--", "-L"],
        &["foo", "-tn", "bar"],
        &["--listen", "--wid", "--numeric-h"],
    ];
    for user in USERS {
        for args in cases {
            ns.assert_same(args, user);
        }
    }
}

/// Route mode refuses families it has no table for (net-tools' route_info). These depend on
/// the route mode (modes/route.rs), not on option parsing.
#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn route_family_errors() {
    let Some(ns) = Netns::new("clirt") else {
        return;
    };
    let cases: &[&[&str]] = &[
        &["-rx"],
        &["-r", "-A", "unix"],
        &["-rn", "-A", "inet,unix"],
        &["-r", "-A", "ddp"],
        &["-r", "-A", "x25"],
        &["-r", "-A", "netrom"],
        &["-r", "-A", "bluetooth"],
    ];
    for user in USERS {
        for args in cases {
            ns.assert_same(args, user);
        }
    }
}

/// `--tcpip` makes net-tools print a garbled internal-error line and select nothing; we treat
/// it as `--inet` (spec 0.4), so our run equals net-tools' `--inet`.
#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn tcpip_is_inet() {
    let Some(ns) = Netns::new("clitcpip") else {
        return;
    };
    for user in USERS {
        let reference = ns.run(
            std::path::Path::new(common::REFERENCE),
            &["--inet", "-n"],
            user,
        );
        let ours = ns.run(&ours(), &["--tcpip", "-n"], user);
        assert_runs_equal(
            &ours,
            &reference,
            &format!("netstat --tcpip -n as {user:?}"),
        );
        let quirk = ns.run(
            std::path::Path::new(common::REFERENCE),
            &["--tcpip", "-n"],
            user,
        );
        assert!(
            String::from_utf8_lossy(&quirk.stderr).contains("Internal Error"),
            "{quirk:?}"
        );
    }
}

/// Help and version texts are our own: status 0, text on stdout, nothing on stderr.
#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn help_and_version() {
    let Some(ns) = Netns::new("clihelp") else {
        return;
    };
    let cases: &[(&[&str], &str)] = &[
        (&["-h"], "Usage"),
        (&["--help"], "Usage"),
        (&["--he"], "Usage"),
        (&["-th"], "Usage"),
        (&["-h", "-L"], "Usage"),
        (&["-h", "-ir"], "Usage"),
        (&["-V"], "netstat"),
        (&["--version"], "netstat"),
        (&["--vers"], "netstat"),
        (&["-V", "--bogus"], "netstat"),
        (&["-Vh"], "netstat"),
    ];
    for user in USERS {
        for (args, expected) in cases {
            let (ours, reference) = ns.run_both(args, user);
            let what = format!("netstat {} as {user:?}", args.join(" "));
            assert_eq!(reference.code, Some(0), "{what}: net-tools: {reference:?}");
            assert_eq!(ours.code, Some(0), "{what}: {ours:?}");
            assert!(
                ours.stderr.is_empty(),
                "{what}: stderr {:?}",
                String::from_utf8_lossy(&ours.stderr)
            );
            assert!(
                ours.stdout_text().contains(expected),
                "{what}: stdout {:?}",
                ours.stdout_text()
            );
        }
    }
    // Help is different from version, and version is not the help text.
    let help = ns.run(&ours(), &["-h"], As::Root).stdout_text();
    let version = ns.run(&ours(), &["-V"], As::Root).stdout_text();
    assert_ne!(help, version);
    assert!(
        help.contains("--groups") && help.contains("--route"),
        "{help}"
    );
}

/// `netstat -anc | head -1`: when the reader goes away, netstat is killed by SIGPIPE with
/// nothing on stderr, as net-tools is.
#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn broken_pipe_ends_quietly() {
    let Some(ns) = Netns::new("clipipe") else {
        return;
    };
    ns.sh("ip addr add 10.5.0.1/24 dev lo");
    let pipeline = |binary: &std::path::Path, args: &str| -> (Run, Duration) {
        let script = format!(
            "exec 3>&2; ({} {args} 2>&3; echo \"status=$?\" >&3) | head -1 >/dev/null",
            binary.display()
        );
        let started = Instant::now();
        let out = ns
            .command("bash")
            .args(["-c", &script])
            .output()
            .expect("run the pipeline");
        (
            Run {
                stdout: out.stdout,
                stderr: out.stderr,
                code: out.status.code(),
            },
            started.elapsed(),
        )
    };
    for args in ["-anc", "-gnc", "-xc", "-ic", "-rnc"] {
        let (reference, _) = pipeline(std::path::Path::new(common::REFERENCE), args);
        let (ours, elapsed) = pipeline(&ours(), args);
        assert!(
            reference.stderr.ends_with(b"status=141\n"),
            "net-tools {args}: {reference:?}"
        );
        assert_eq!(
            ours.stderr, b"status=141\n",
            "netstat {args} | head -1: {ours:?}"
        );
        if args != "-gnc" {
            // net-tools' second -g pass also warns about a bogus igmp6 line (spec 0.4).
            assert_runs_equal(&ours, &reference, &format!("netstat {args} | head -1"));
        }
        assert!(
            elapsed < Duration::from_secs(10),
            "netstat {args} | head -1 took {elapsed:?}"
        );
    }
}
