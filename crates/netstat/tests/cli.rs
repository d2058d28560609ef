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

/// Our own modes (`--audit`, `--summary`, `--by-process`, `--live`) and namespace options follow
/// net-tools' rule for its modes: a conflict is refused with status 3 and one line on stderr,
/// before anything is read (spec 0: every bad argument exits 3).
#[test]
#[ignore = "needs root, net-tools, iproute2 and python3"]
fn our_mode_conflicts() {
    let Some(ns) = Netns::new("climode") else {
        return;
    };
    let cases: &[(&[&str], &str)] = &[
        (
            &["--audit", "-r"],
            "netstat: --audit cannot be combined with -r\n",
        ),
        (
            &["-i", "--audit"],
            "netstat: --audit cannot be combined with -i\n",
        ),
        (
            &["--by-process", "-r"],
            "netstat: --by-process cannot be combined with -r\n",
        ),
        (
            &["--by-process", "-g"],
            "netstat: --by-process cannot be combined with -g\n",
        ),
        (
            &["--summary", "-i"],
            "netstat: --summary cannot be combined with -i\n",
        ),
        (
            &["--summary", "-s"],
            "netstat: --summary cannot be combined with -s\n",
        ),
        (
            &["-M", "--summary"],
            "netstat: --summary cannot be combined with -M\n",
        ),
        (
            &["--summary", "--by-process"],
            "netstat: --summary cannot be combined with --by-process\n",
        ),
        (
            &["--summary", "--audit"],
            "netstat: --audit cannot be combined with --summary\n",
        ),
        (
            &["--live", "-r"],
            "netstat: --live cannot be combined with -r\n",
        ),
        (
            &["--all-netns", "--netns", "x"],
            "netstat: --all-netns and --netns cannot be used together\n",
        ),
        (
            &["--netns-pid", "abc"],
            "netstat: --netns-pid: invalid process id 'abc'\n",
        ),
    ];
    for user in USERS {
        for (args, message) in cases {
            let run = ns.run(&ours(), args, user);
            let what = format!("netstat {} as {user:?}", args.join(" "));
            assert_eq!(run.code, Some(3), "{what}: {run:?}");
            assert!(
                run.stdout.is_empty(),
                "{what}: stdout {:?}",
                run.stdout_text()
            );
            assert_eq!(String::from_utf8_lossy(&run.stderr), *message, "{what}");
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

/// Writes what `netstat --generate KIND` prints into a fresh directory, as `file`.
fn generated(kind: &str, tag: &str, file: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("netstat-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = std::process::Command::new(ours())
        .args(["--generate", kind])
        .output()
        .unwrap();
    assert!(out.status.success(), "--generate {kind}: {out:?}");
    std::fs::write(dir.join(file), &out.stdout).unwrap();
    dir
}

/// The man page as a reader sees it (rendered by man-db): every option spelled as typed, no roff
/// escape left over, and `-Z, --context` listed as in `--help`.
#[test]
#[ignore = "needs man-db (man)"]
fn man_page_renders_clean() {
    let dir = generated("man", "man", "netstat.8");
    let rendered = std::process::Command::new("man")
        .arg("-l")
        .arg(dir.join("netstat.8"))
        .env("MANWIDTH", "100")
        .env("MANPAGER", "cat")
        .output()
        .expect("man-db's man");
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&rendered.stdout);
    assert!(rendered.status.success(), "man -l: {rendered:?}");
    assert!(!text.contains('\\'), "a roff escape shows:\n{text}");
    for spelling in [
        "--ax25, --x25",
        "-Z, --context",
        "--all-netns",
        "-p, --programs",
    ] {
        assert!(text.contains(spelling), "{spelling:?} missing:\n{text}");
    }
    let help = std::process::Command::new(ours())
        .arg("--help")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("-Z, --context"));
}

/// Bash completion offers `-?` as a word even where a one-character file name after a dash
/// exists, which an unquoted `-?` would glob-expand to.
#[test]
fn bash_completion_does_not_glob() {
    let dir = generated("complete-bash", "complete", "netstat.bash");
    std::fs::write(dir.join("-a"), "").unwrap();
    let complete = |word: &str| {
        let out = std::process::Command::new("bash")
            .current_dir(&dir)
            .arg("-c")
            .arg(format!(
                ". ./netstat.bash; COMP_WORDS=(netstat '{word}'); COMP_CWORD=1; _netstat; \
                 printf '%s\\n' \"${{COMPREPLY[@]}}\""
            ))
            .output()
            .expect("bash");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let all = complete("-");
    let _ = std::fs::remove_dir_all(&dir);
    let words: Vec<&str> = all.lines().collect();
    assert!(words.contains(&"-?"), "{words:?}");
    assert_eq!(words.iter().filter(|w| **w == "-a").count(), 1, "{words:?}");
    assert!(words.contains(&"--context"), "{words:?}");
}
