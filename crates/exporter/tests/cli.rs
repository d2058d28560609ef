//! Start-up as a user meets it: help, version, and a clear message with a non-zero status for
//! a bad flag, an address in use, a bad web config or a missing namespace. Needs nothing but
//! the binary.

mod common;

use std::process::{Command, Output};

use common::{TempDir, exporter};

fn run(args: &[&str]) -> Output {
    Command::new(exporter())
        .args(args)
        .output()
        .expect("run the exporter")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn help_and_version() {
    let help = run(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    let text = String::from_utf8_lossy(&help.stdout);
    for flag in [
        "--web.listen-address",
        "--web.telemetry-path",
        "--web.config.file",
        "--[no-]collector.programs",
        "--collector.remotes.top-k",
        "--netns",
        "--all-netns",
        "127.0.0.1:19573",
    ] {
        assert!(text.contains(flag), "--help lacks {flag}:\n{text}");
    }
    let version = run(&["--version"]);
    assert_eq!(version.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&version.stdout),
        format!("netstat_exporter version {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn bad_flags_exit_2_with_a_message() {
    for (args, expected) in [
        (&["--bogus"][..], "unknown flag --bogus"),
        (&["--web.listen-address"], "needs a value"),
        (&["--web.listen-address=nope"], "expected HOST:PORT"),
        (&["--collector.programs.top-k=-1"], "not a count"),
        (&["--netns", "x", "--all-netns"], "cannot be used together"),
        (&["extra"], "unexpected argument"),
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.starts_with("netstat_exporter: error: ") && err.contains(expected),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn an_address_in_use_exits_1() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let out = run(&[&format!("--web.listen-address={address}")]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("cannot listen on {address}")) && err.contains("in use"),
        "{err}"
    );
}

#[test]
fn bad_web_configs_exit_1() {
    let dir = TempDir::new("webcfg");
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let cases = [
        (
            dir.join("missing.yml").display().to_string(),
            "No such file",
        ),
        (write("syntax.yml", "basic_auth_users: [\n"), "syntax.yml"),
        (
            write(
                "unknown.yml",
                "tls_server_config:\n  client_ca_file: ca.pem\n",
            ),
            "unknown field `client_ca_file`",
        ),
        (
            write("nokey.yml", "tls_server_config:\n  cert_file: a.crt\n"),
            "both cert_file and key_file",
        ),
        (
            write(
                "nocert.yml",
                "tls_server_config:\n  cert_file: none.crt\n  key_file: none.key\n",
            ),
            "none.crt",
        ),
        (
            write("hash.yml", "basic_auth_users:\n  alice: hunter2\n"),
            "is not bcrypt",
        ),
    ];
    for (path, expected) in cases {
        let out = run(&[
            "--web.listen-address=127.0.0.1:0",
            &format!("--web.config.file={path}"),
        ]);
        assert_eq!(out.status.code(), Some(1), "{path}");
        let err = stderr(&out);
        assert!(err.contains(expected), "{path}: {err}");
    }
}

#[test]
fn a_missing_namespace_exits_1() {
    let out = run(&[
        "--web.listen-address=127.0.0.1:0",
        "--netns",
        "nse-no-such-namespace",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("cannot open network namespace \"nse-no-such-namespace\""),
        "{err}"
    );
}
