//! Container hosts (every namespace in use, named by its container) and the hardening of the
//! namespace options. No container runtime is needed: a process from `unshare --net` moved
//! into a cgroup named as a runtime names its containers' cgroups is what netstat sees on a
//! real host. Our netstat, run from the test's namespace, is compared with net-tools run inside
//! each namespace (`nsenter -t PID -n`, `ip netns exec`).

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::common::{Netns, REFERENCE, Run, assert_runs_equal, ours, prerequisites};

/// A unique tag for the names one test makes.
fn tag() -> String {
    format!("{}-{}", std::process::id(), testkit::unique())
}

/// A skip (a failure under `CI=true`) when the machine lacks what a test needs.
fn missing(what: &str) {
    testkit::skip(&format!("container test needs {what}"));
}

/// Root, net-tools, iproute2, python3, and util-linux's unshare and nsenter.
fn can_run() -> bool {
    if !prerequisites() {
        return false;
    }
    for tool in ["unshare", "nsenter"] {
        if Command::new(tool).arg("--version").output().is_err() {
            missing(tool);
            return false;
        }
    }
    true
}

/// Holds TCP listeners on the ports given as arguments (`[ADDRESS:]PORT[@DEVICE]`: on the
/// wildcard address unless given, bound to a device if given), says "ready", and keeps them
/// until stdin closes.
const LISTENER: &str = r#"
import socket, sys
keep = []
for spec in sys.argv[1:]:
    spec, _, dev = spec.partition("@")
    addr, _, port = spec.rpartition(":")
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if dev:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev.encode())
    s.bind((addr or "0.0.0.0", int(port)))
    s.listen(8)
    keep.append(s)
print("ready", flush=True)
sys.stdin.read()
"#;

/// How our netstat is run: as whom, with which pod directory, under what wrapper.
#[derive(Default)]
struct Ours<'a> {
    nobody: bool,
    pods: Option<&'a Path>,
    /// Programs to run netstat under (`unshare --user --map-root-user`).
    wrapper: &'a [&'a str],
    /// Shell commands before it (`ulimit -n 64;`).
    shell: &'a str,
}

impl Ours<'_> {
    /// Runs our netstat, with argv[0] "netstat", killed after 60 s so that a hang fails.
    fn run<S: AsRef<OsStr>>(&self, args: &[S]) -> Run {
        let mut cmd = Command::new("timeout");
        cmd.args(["-s", "KILL", "60"]).args(self.wrapper);
        if self.nobody {
            cmd.args([
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
            ]);
        }
        let script = format!(r#"{} exec -a netstat "$@""#, self.shell);
        cmd.args(["bash", "-c", &script, "netstat"])
            .arg(ours())
            .args(args)
            .env("LC_ALL", "C");
        if let Some(pods) = self.pods {
            cmd.env("NETSTAT_PODS_DIR", pods);
        }
        Run::of(&mut cmd)
    }
}

fn ours_as_root<S: AsRef<OsStr>>(args: &[S]) -> Run {
    Ours::default().run(args)
}

/// net-tools' netstat run inside the network namespace of process `pid`.
fn inside(pid: u32, args: &[&str]) -> Run {
    Run::of(
        Command::new("nsenter")
            .args(["-t", &pid.to_string(), "-n"])
            .args([
                "bash",
                "-c",
                r#"exec -a netstat "$@""#,
                "netstat",
                REFERENCE,
            ])
            .args(args)
            .env("LC_ALL", "C"),
    )
}

/// The text output split at its `Network namespace: LABEL` lines: (label, tables).
fn sections(text: &str) -> Vec<(String, String)> {
    let mut sections: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        match line.strip_prefix("Network namespace: ") {
            Some(label) => sections.push((label.to_string(), String::new())),
            None => {
                let (_, body) = sections.last_mut().expect("a header comes first");
                body.push_str(line);
                body.push('\n');
            }
        }
    }
    sections
}

/// The one section labelled `label`; panics unless there is exactly one.
fn section<'a>(sections: &'a [(String, String)], label: &str, all: &str) -> &'a str {
    let found: Vec<&str> = sections
        .iter()
        .filter(|(l, _)| l == label)
        .map(|(_, body)| body.as_str())
        .collect();
    assert_eq!(found.len(), 1, "{label:?} is listed once:\n{all}");
    found[0]
}

/// The lines of stderr about this test's namespaces (their names hold `tag`): not the note
/// about processes netstat may not examine (pid 1 of some sandboxes is out of even root's
/// reach), nor other tests' namespaces that vanish while they are walked.
fn complaints(run: &Run, tag: &str) -> Vec<String> {
    String::from_utf8_lossy(&run.stderr)
        .lines()
        .filter(|l| !l.contains("could not be examined"))
        .filter(|l| l.contains(tag) || !l.ends_with(" has gone; skipped"))
        .map(str::to_string)
        .collect()
}

/// A 64-digit container id that looks random: distinct seeds differ from the first digit.
fn container_id(seed: u64) -> String {
    let mut x = seed ^ 0x9e37_79b9_7f4a_7c15 ^ (u64::from(std::process::id()) << 20);
    (0..4)
        .map(|_| {
            // splitmix64
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            format!("{:016x}", z ^ (z >> 31))
        })
        .collect()
}

/// The cgroup hierarchies tests can make cgroups in: the unified (v2) one and a v1 one. A
/// hybrid host (this project's CI) has both, so both path forms get exercised.
struct Hierarchies {
    v2: Option<PathBuf>,
    v1: Option<PathBuf>,
}

impl Hierarchies {
    fn find() -> Option<Hierarchies> {
        const CGROUP2_SUPER_MAGIC: i64 = 0x6367_7270;
        const CGROUP_SUPER_MAGIC: i64 = 0x0027_e0eb;
        #[allow(clippy::useless_conversion)]
        let fs_type = |path: &str| rustix::fs::statfs(path).ok().map(|s| i64::from(s.f_type));
        let first = |candidates: &[&str], magic| {
            candidates
                .iter()
                .find(|p| fs_type(p) == Some(magic))
                .map(PathBuf::from)
        };
        let found = Hierarchies {
            v2: first(
                &["/sys/fs/cgroup", "/sys/fs/cgroup/unified"],
                CGROUP2_SUPER_MAGIC,
            ),
            v1: first(
                &["/sys/fs/cgroup/pids", "/sys/fs/cgroup/systemd"],
                CGROUP_SUPER_MAGIC,
            ),
        };
        if found.v2.is_none() && found.v1.is_none() {
            missing("a cgroup hierarchy under /sys/fs/cgroup");
            return None;
        }
        Some(found)
    }
}

/// A process holding TCP listeners in a network namespace, optionally moved into cgroups
/// made for it; killed, and its cgroups removed, on drop.
struct Holder {
    child: Child,
    pid: u32,
    /// Directories made for it, outermost first.
    cgroups: Vec<PathBuf>,
}

impl Holder {
    /// In a new namespace of its own, as a container's first process is.
    fn unshared(ports: &[&str]) -> Holder {
        let mut cmd = Command::new("unshare");
        cmd.args([
            "--net",
            "sh",
            "-c",
            r#"ip link set lo up && exec python3 -c "$0" "$@""#,
            LISTENER,
        ])
        .args(ports);
        Holder::start(cmd)
    }

    /// In the named namespace `ns`.
    fn in_netns(ns: &Netns, ports: &[&str]) -> Holder {
        let mut cmd = ns.command("python3");
        cmd.args(["-c", LISTENER]).args(ports);
        Holder::start(cmd)
    }

    fn start(mut cmd: Command) -> Holder {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start listener");
        testkit::wait_ready(&mut child, "the listener failed");
        Holder {
            pid: child.id(),
            child,
            cgroups: Vec::new(),
        }
    }

    /// Moves it into cgroup `relative` of hierarchy `root`, making what does not exist.
    fn move_into(&mut self, root: &Path, relative: &str) {
        let mut dir = root.to_path_buf();
        for component in relative.split('/') {
            dir.push(component);
            if !dir.exists() {
                std::fs::create_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
                self.cgroups.push(dir.clone());
            }
        }
        std::fs::write(dir.join("cgroup.procs"), self.pid.to_string())
            .unwrap_or_else(|e| panic!("move {} into {}: {e}", self.pid, dir.display()));
    }

    /// Its command name, as `pid:PID (program)` labels show it.
    fn comm(&self) -> String {
        std::fs::read_to_string(format!("/proc/{}/comm", self.pid))
            .expect("comm")
            .trim_end()
            .to_string()
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
        testkit::remove_cgroups(&self.cgroups);
    }
}

/// A docker-like container: a holder moved into `…/docker-ID.scope` (cgroup v2) or
/// `…/docker/ID` (v1).
fn docker(hierarchies: &Hierarchies, tag: &str, id: &str, port: &str) -> Holder {
    let mut holder = Holder::unshared(&[port]);
    match (&hierarchies.v2, &hierarchies.v1) {
        (Some(v2), _) => holder.move_into(v2, &format!("nst-{tag}.slice/docker-{id}.scope")),
        (None, Some(v1)) => holder.move_into(v1, &format!("nst-{tag}/docker/{id}")),
        (None, None) => unreachable!("Hierarchies::find checks"),
    }
    holder
}

/// The scene of the issue: three unnamed namespaces (a docker-like container, a Kubernetes
/// pod with its pod log directory, a plain one) and a named one, each with a listener.
struct Scene {
    docker: Holder,
    docker_id: String,
    pod: Holder,
    pod_uid: String,
    pod_id: String,
    /// `cri` (v1 cgroupfs form) or `containerd` (v2 systemd form).
    pod_runtime: &'static str,
    plain: Holder,
    named_holder: Holder,
    named: Netns,
    pods_dir: PathBuf,
}

const DOCKER_PORT: u16 = 7101;
const POD_PORT: u16 = 7102;
const PLAIN_PORT: u16 = 7103;
const NAMED_PORT: u16 = 7104;

impl Scene {
    fn new() -> Option<Scene> {
        if !can_run() {
            return None;
        }
        let hierarchies = Hierarchies::find()?;
        let tag = tag();
        let seed = testkit::unique() as u64 * 16;
        let docker_id = container_id(seed);
        let docker = docker(&hierarchies, &tag, &docker_id, &DOCKER_PORT.to_string());

        let seed_hex = &container_id(seed + 1)[..12];
        let pod_uid = format!(
            "{}-{}-4a5b-8c9d-{}",
            &seed_hex[..8],
            &seed_hex[8..12],
            &container_id(seed + 2)[..12]
        );
        let pod_id = container_id(seed + 3);
        let mut pod = Holder::unshared(&[&POD_PORT.to_string()]);
        // The pod in the other hierarchy than the docker container when there are two: the
        // cgroupfs driver's v1 form there, the systemd driver's v2 form otherwise.
        let pod_runtime = match (&hierarchies.v1, &hierarchies.v2) {
            (Some(v1), _) => {
                pod.move_into(
                    v1,
                    &format!("nst-{tag}/kubepods/besteffort/pod{pod_uid}/{pod_id}"),
                );
                "cri"
            }
            (None, Some(v2)) => {
                let slice = format!("kubepods-besteffort-pod{}", pod_uid.replace('-', "_"));
                pod.move_into(
                    v2,
                    &format!(
                        "nst-{tag}.slice/kubepods.slice/kubepods-besteffort.slice/{slice}.slice/cri-containerd-{pod_id}.scope"
                    ),
                );
                "containerd"
            }
            (None, None) => unreachable!("Hierarchies::find checks"),
        };
        let pods_dir = std::env::temp_dir().join(format!("nst-pods-{tag}"));
        std::fs::create_dir_all(pods_dir.join(format!("default_web-0_{pod_uid}")))
            .expect("pod log directory");

        let plain = Holder::unshared(&[&PLAIN_PORT.to_string()]);
        let named = Netns::new("named")?;
        let named_holder = Holder::in_netns(&named, &[&NAMED_PORT.to_string()]);
        Some(Scene {
            docker,
            docker_id,
            pod,
            pod_uid,
            pod_id,
            pod_runtime,
            plain,
            named_holder,
            named,
            pods_dir,
        })
    }

    fn ours(&self) -> Ours<'_> {
        Ours {
            pods: Some(&self.pods_dir),
            ..Ours::default()
        }
    }

    fn docker_label(&self) -> String {
        format!("docker {}", &self.docker_id[..12])
    }

    fn plain_label(&self) -> String {
        format!("pid:{} ({})", self.plain.pid, self.plain.comm())
    }

    /// (label, port, the container JSON shows, a process inside) of each namespace.
    fn expected(&self) -> Vec<(String, u16, Value, u32)> {
        let pod_container = serde_json::json!({
            "runtime": self.pod_runtime, "id": self.pod_id, "pod": "web-0",
            "namespace": "default", "pod_uid": self.pod_uid,
        });
        vec![
            (
                self.docker_label(),
                DOCKER_PORT,
                serde_json::json!({"runtime": "docker", "id": self.docker_id}),
                self.docker.pid,
            ),
            (
                "k8s default/web-0".to_string(),
                POD_PORT,
                pod_container,
                self.pod.pid,
            ),
            (self.plain_label(), PLAIN_PORT, Value::Null, self.plain.pid),
            (
                self.named.name.clone(),
                NAMED_PORT,
                Value::Null,
                self.named_holder.pid,
            ),
        ]
    }
}

impl Drop for Scene {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.pods_dir);
    }
}

/// A validator for one definition of `docs/netstat.schema.json`.
fn schema(definition: &str) -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/netstat.schema.json");
    let schema: Value =
        serde_json::from_slice(&std::fs::read(path).expect("schema")).expect("schema is JSON");
    jsonschema::validator_for(&serde_json::json!({
        "$schema": schema["$schema"].clone(),
        "$defs": schema["$defs"].clone(),
        "$ref": format!("#/$defs/{definition}"),
    }))
    .expect("schema compiles")
}

fn json_records(run: &Run, what: &str) -> Vec<Value> {
    run.succeeds();
    serde_json::from_slice(&run.stdout)
        .unwrap_or_else(|e| panic!("{what}: {e}\n{}", run.stdout_text()))
}

#[test]
#[ignore = "needs root"]
fn all_netns_lists_each_namespace_once_named_by_its_container() {
    let Some(scene) = Scene::new() else {
        return;
    };
    let expected = scene.expected();
    let ports: Vec<String> = expected.iter().map(|e| format!(":{} ", e.1)).collect();
    let run = scene.ours().run(&["--all-netns", "-tln"]);
    run.succeeds();
    let text = run.stdout_text();
    let listed = sections(&text);
    for (label, port, _, pid) in &expected {
        let body = section(&listed, label, &text);
        assert!(
            body.contains(&format!("0.0.0.0:{port} ")),
            "{label}: its listener:\n{body}"
        );
        for other in ports.iter().filter(|p| **p != format!(":{port} ")) {
            assert!(
                !body.contains(other.as_str()),
                "{label}: only its own:\n{body}"
            );
        }
        // Each namespace's tables are net-tools' inside it.
        assert_eq!(body, inside(*pid, &["-tln"]).stdout_text(), "{label}");
    }
    assert_eq!(
        listed.last().map(|(l, _)| l.as_str()),
        Some("(current)"),
        "the current namespace comes last"
    );

    // JSON: the same namespaces, each record with its label and container.
    let run = scene.ours().run(&["--all-netns", "-tln", "--json"]);
    let records = json_records(&run, "--all-netns --json");
    let inet = schema("inet_socket");
    for record in &records {
        let errors: Vec<String> = inet.iter_errors(record).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}\n{record}");
        assert!(record["netns"].is_string() && record.get("container").is_some());
    }
    for (label, port, container, _) in &expected {
        let mine: Vec<&Value> = records.iter().filter(|r| r["netns"] == *label).collect();
        assert_eq!(
            mine.iter()
                .map(|r| r["local_port"].clone())
                .collect::<Vec<_>>(),
            vec![Value::from(*port)],
            "{label}"
        );
        assert_eq!(mine[0]["container"], *container, "{label}");
    }

    // Every mode that takes --all-netns walks the same namespaces.
    let any_record = schema("record");
    for flags in [
        &["-rn"][..],
        &["-i"],
        &["-s"],
        &["--summary"],
        &["--audit"],
        &["--by-process"],
    ] {
        let mut args = vec!["--all-netns"];
        args.extend_from_slice(flags);
        let run = scene.ours().run(&args);
        // An audit grades what it finds; -r fails (as net-tools does) in a namespace without
        // routes, which other tests may have made.
        let limit = match flags {
            ["--audit"] => 2,
            ["-rn"] => 1,
            _ => 0,
        };
        assert!(
            run.code.is_some_and(|c| (0..=limit).contains(&c)),
            "{args:?}: {:?}",
            run.code
        );
        let text = run.stdout_text();
        let labels: Vec<String> = sections(&text).into_iter().map(|(l, _)| l).collect();
        for (label, ..) in &expected {
            assert_eq!(
                labels.iter().filter(|l| *l == label).count(),
                1,
                "{args:?}: {label}"
            );
        }
        if flags == ["-rn"] {
            continue; // lo alone makes no route to list
        }
        args.push("--json");
        let run = scene.ours().run(&args);
        assert!(run.code.is_some_and(|c| (0..=limit).contains(&c)));
        let value: Value = serde_json::from_slice(&run.stdout).expect("JSON");
        let records = value.as_array().expect("an array");
        if flags != ["--audit"] {
            for record in records {
                let errors: Vec<String> = any_record
                    .iter_errors(record)
                    .map(|e| e.to_string())
                    .collect();
                assert!(errors.is_empty(), "{args:?}: {errors:?}\n{record}");
            }
        }
        assert!(
            records.iter().any(|r| r["netns"] == scene.docker_label()
                && r["container"]["id"] == scene.docker_id.as_str()),
            "{args:?}: {value}"
        );
    }

    // Without root: the named namespace is reported, the containers' cannot be seen, the
    // current one is listed.
    let nobody = Ours {
        nobody: true,
        pods: Some(&scene.pods_dir),
        ..Ours::default()
    };
    let run = nobody.run(&["--all-netns", "-tln", "--json"]);
    let records = json_records(&run, "nobody --all-netns --json");
    assert!(records.iter().all(|r| r["netns"] == "(current)"));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains(&format!(
            "cannot enter network namespace {}: ",
            scene.named.name
        )),
        "{stderr}"
    );
    assert!(stderr.contains("could not be examined (other users' processes need root)"));
}

#[test]
#[ignore = "needs root"]
fn netns_picks_a_container_a_pod_or_a_process() {
    let Some(scene) = Scene::new() else {
        return;
    };
    let id = &scene.docker_id;
    let cases = [
        (id[..4].to_string(), scene.docker.pid),
        (id[..9].to_string(), scene.docker.pid),
        (id.clone(), scene.docker.pid),
        (format!("docker:{}", &id[..6]), scene.docker.pid),
        (scene.docker_label(), scene.docker.pid),
        ("k8s:default/web-0".to_string(), scene.pod.pid),
        (format!("pid:{}", scene.plain.pid), scene.plain.pid),
        (scene.plain_label(), scene.plain.pid),
    ];
    for (selector, pid) in &cases {
        for flags in [&["-tln"][..], &["-tlnp"], &["-an"]] {
            let mut args = vec!["--netns", selector.as_str()];
            args.extend_from_slice(flags);
            let run = scene.ours().run(&args);
            assert_runs_equal(&run, &inside(*pid, flags), &format!("netstat {args:?}"));
        }
    }
    // --netns-pid is --netns pid:PID.
    let pid = scene.pod.pid.to_string();
    assert_runs_equal(
        &scene.ours().run(&["--netns-pid", &pid, "-tln"]),
        &inside(scene.pod.pid, &["-tln"]),
        "--netns-pid",
    );
    // JSON names the namespace by its container.
    let run = scene
        .ours()
        .run(&["--netns", "k8s:default/web-0", "-tln", "--json"]);
    let records = json_records(&run, "--netns k8s:... --json");
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0]["netns"], "k8s default/web-0");
    assert_eq!(records[0]["container"]["pod_uid"], scene.pod_uid.as_str());
    let run = scene.ours().run(&["--netns-pid", &pid, "-tln", "--json"]);
    assert_eq!(
        json_records(&run, "--netns-pid --json")[0]["netns"],
        "k8s default/web-0"
    );
}

#[test]
#[ignore = "needs root"]
fn ambiguous_and_unknown_names_are_refused_clearly() {
    let Some(scene) = Scene::new() else {
        return;
    };
    let hierarchies = Hierarchies::find().expect("found by the scene");
    // Two more containers whose ids share their first 10 digits.
    let tag = tag();
    let first = container_id(1000 + testkit::unique() as u64);
    // The 11th digit differs by construction, so 11 digits tell them apart.
    let eleventh = if first.as_bytes()[10] == b'0' {
        '1'
    } else {
        '0'
    };
    let second = format!("{}{eleventh}{}", &first[..10], &container_id(7)[..53]);
    let _a = docker(&hierarchies, &format!("{tag}-a"), &first, "7111");
    let _b = docker(&hierarchies, &format!("{tag}-b"), &second, "7112");

    let run = scene.ours().run(&["--netns", &first[..8], "-tln"]);
    run.fails_with(1);
    assert!(run.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.starts_with(&format!(
            "netstat: '{}' matches 2 containers; give more of the id:\n",
            &first[..8]
        )),
        "{stderr}"
    );
    for id in [&first, &second] {
        assert!(
            stderr.contains(&format!("  docker {}  docker:{id}\n", &id[..12])),
            "{stderr}"
        );
    }
    // One digit more tells them apart.
    let run = scene.ours().run(&["--netns", &first[..11], "-tln"]);
    run.succeeds();
    assert!(run.stdout_text().contains("0.0.0.0:7111 "));

    for (selector, hint) in [
        ("nst-nothing-like-it", ""),
        ("k8s:default/web-1", ""),
        (
            &scene.docker_id[..3],
            " (a container id prefix needs at least 4 characters)",
        ),
    ] {
        let run = scene.ours().run(&["--netns", selector, "-tln"]);
        assert_eq!(run.code, Some(1), "{selector}");
        assert!(run.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(
            stderr.starts_with(&format!(
                "netstat: no network namespace matches '{selector}'{hint}; in use:\n"
            )),
            "{stderr}"
        );
        for (label, ..) in scene.expected() {
            assert!(
                stderr.contains(&format!("\n  {label}\n")),
                "{label}: {stderr}"
            );
        }
        assert!(stderr.contains("\n  (current)\n"));
    }
    let run = scene.ours().run(&["--netns", "pid:abc", "-tln"]);
    run.fails_with(3);
    assert_eq!(
        String::from_utf8_lossy(&run.stderr),
        "netstat: --netns pid:abc: 'abc' is not a process id\n"
    );
}

#[test]
#[ignore = "needs root"]
fn a_protected_process_is_not_a_matter_of_root() {
    if !can_run() {
        return;
    }
    let holder = Holder::unshared(&["7301"]);
    let pid = holder.pid.to_string();
    // Root in a user namespace of its own: euid 0, yet other processes are out of reach.
    let userns = Ours {
        wrapper: &["unshare", "--user", "--map-root-user"],
        ..Ours::default()
    };
    for target in [pid.as_str(), "1"] {
        let run = userns.run(&["--netns-pid", target, "-tln"]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.code, Some(1), "{stderr}");
        assert!(
            stderr.starts_with(&format!(
                "netstat: cannot open network namespace of process {target}: Permission denied ("
            )),
            "{stderr}"
        );
        assert!(!stderr.contains("need root"), "{stderr}");
        assert!(
            stderr.contains(&format!(
                "netstat runs in a user namespace that does not own process {target}"
            )),
            "{stderr}"
        );
    }
    // Unprivileged, the same refusal is a matter of root.
    let nobody = Ours {
        nobody: true,
        ..Ours::default()
    };
    let run = nobody.run(&["--netns-pid", &pid, "-tln"]);
    assert!(String::from_utf8_lossy(&run.stderr).contains("need root"));
}

/// Named namespaces without processes, made in one `ip -batch` and deleted on drop.
struct Named(Vec<String>);

impl Named {
    fn add(names: Vec<String>) -> Named {
        let lines: Vec<String> = names.iter().map(|n| format!("netns add {n}")).collect();
        ip_batch(&lines);
        Named(names)
    }
}

impl Drop for Named {
    fn drop(&mut self) {
        // One by one, quietly: the test may have deleted some, and names may hold newlines.
        for name in &self.0 {
            let _ = Command::new("ip")
                .args(["netns", "del", name])
                .stderr(Stdio::null())
                .status();
        }
    }
}

fn ip_batch(lines: &[String]) {
    let mut child = Command::new("ip")
        .args(["-batch", "-"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("ip -batch");
    let mut stdin = child.stdin.take().expect("stdin");
    for line in lines {
        writeln!(stdin, "{line}").expect("write batch");
    }
    drop(stdin);
    assert!(child.wait().expect("ip -batch").success(), "ip -batch");
}

#[test]
#[ignore = "needs root"]
fn many_namespaces_need_few_descriptors() {
    if !can_run() {
        return;
    }
    let tag = tag();
    let names: Vec<String> = (0..108).map(|i| format!("nst-fd-{tag}-{i:03}")).collect();
    let _named = Named::add(names.clone());
    let limited = Ours {
        shell: "ulimit -n 64 || exit 99;",
        ..Ours::default()
    };
    for flags in [
        &["-tln"][..],
        &["-rn"],
        &["-i"],
        &["-tlnp"],
        &["-s"],
        &["-ia", "--json"],
    ] {
        let mut args = vec!["--all-netns"];
        args.extend_from_slice(flags);
        let run = limited.run(&args);
        if flags == ["-rn"] {
            // Without a route /proc/net/route is empty: net-tools warns and fails inside such
            // a namespace, and so do we, but the walk goes on to the others.
            run.fails_with(1);
            let complaints = complaints(&run, &tag);
            assert!(complaints.len() >= 108, "{complaints:?}");
            assert!(
                complaints
                    .iter()
                    .all(|l| l == "warning: /proc/net/route does not contain required field Iface"),
                "{complaints:?}"
            );
        } else {
            run.succeeds();
            assert_eq!(complaints(&run, &tag), Vec::<String>::new(), "{args:?}");
        }
        let text = run.stdout_text();
        if flags.contains(&"--json") {
            // Every namespace has a loopback interface, so a record.
            let records: Vec<Value> = serde_json::from_str(&text).expect("JSON");
            for name in &names {
                assert!(
                    records.iter().any(|r| r["netns"] == name.as_str()),
                    "{name}"
                );
            }
        } else {
            let sections = sections(&text);
            for name in &names {
                section(&sections, name, &text);
            }
        }
    }
}

#[test]
#[ignore = "needs root"]
fn namespaces_deleted_during_a_run_are_skipped() {
    if !can_run() {
        return;
    }
    let tag = tag();
    let doomed: Vec<String> = (0..80).map(|i| format!("nst-gone-{tag}-{i:02}")).collect();
    let keep = format!("nst-gone-{tag}-zz");
    let mut all = doomed.clone();
    all.push(keep.clone());
    let _named = Named::add(all);
    // Delete them from the end of the walk's order while netstat walks from its start.
    let deleter = {
        let doomed = doomed.clone();
        std::thread::spawn(move || {
            for name in doomed.iter().rev() {
                let _ = Command::new("ip").args(["netns", "del", name]).status();
            }
        })
    };
    let mut gone = 0;
    let mut runs = 0;
    while !deleter.is_finished() && runs < 40 {
        runs += 1;
        let flags = if runs % 2 == 0 { "-i" } else { "-tln" };
        let run = ours_as_root(&["--all-netns", flags]);
        run.succeeds();
        let text = run.stdout_text();
        section(&sections(&text), &keep, &text);
        for line in complaints(&run, &tag) {
            let skipped = line.starts_with(&format!("netstat: network namespace nst-gone-{tag}-"))
                && line.ends_with(" has gone; skipped");
            assert!(skipped, "only deleted namespaces are skipped: {line}");
            gone += 1;
        }
    }
    deleter.join().expect("deleter");
    eprintln!("{runs} runs during the deletions; {gone} namespaces found gone when visited");
    let run = ours_as_root(&["--all-netns", "-tln"]);
    run.succeeds();
    assert_eq!(complaints(&run, &tag), Vec::<String>::new());
}

#[test]
#[ignore = "needs root"]
fn a_dev_filter_matches_nothing_where_the_device_is_missing() {
    if !can_run() {
        return;
    }
    let Some(with) = Netns::new("devf-a") else {
        return;
    };
    let Some(without) = Netns::new("devf-b") else {
        return;
    };
    with.sh(
        "(ip link add nstdev0 type dummy 2>/dev/null || ip link add nstdev0 type ifb)
         ip link set nstdev0 up",
    );
    let _bound = Holder::in_netns(&with, &["7201@nstdev0", "7202"]);
    let _other = Holder::in_netns(&without, &["7203"]);
    let run = ours_as_root(&["--all-netns", "-tln", "--filter", "dev nstdev0"]);
    run.succeeds();
    let text = run.stdout_text();
    let listed = sections(&text);
    let a = section(&listed, &with.name, &text);
    assert!(a.contains("0.0.0.0:7201 ") && !a.contains(":7202 "), "{a}");
    let b = section(&listed, &without.name, &text);
    assert_eq!(
        b.lines().count(),
        2,
        "headers only where there is no nstdev0:\n{b}"
    );
    let run = ours_as_root(&["--all-netns", "-tln", "--filter", "not dev nstdev0"]);
    run.succeeds();
    let text = run.stdout_text();
    let listed = sections(&text);
    let a = section(&listed, &with.name, &text);
    assert!(a.contains(":7202 ") && !a.contains(":7201 "), "{a}");
    assert!(section(&listed, &without.name, &text).contains(":7203 "));
    // In one namespace an unknown device is still an error, as in ss.
    ours_as_root(&["--netns", &without.name, "-tln", "--filter", "dev nstdev0"])
        .fails_with(1)
        .stderr_has("no interface named `nstdev0`");
}

/// Files made for a test, removed on drop.
struct Files(Vec<PathBuf>);

impl Drop for Files {
    fn drop(&mut self) {
        for path in &self.0 {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success());
}

#[test]
#[ignore = "needs root"]
fn files_that_are_not_namespaces_never_hang_or_get_read() {
    if !can_run() {
        return;
    }
    let tag = tag();
    let dir = Path::new("/run/netns");
    std::fs::create_dir_all(dir).expect("/run/netns");
    let (fifo, plain, zero) = (
        dir.join(format!("nst-fifo-{tag}")),
        dir.join(format!("nst-plain-{tag}")),
        dir.join(format!("nst-zero-{tag}")),
    );
    let _files = Files(vec![fifo.clone(), plain.clone(), zero.clone()]);
    // Other tools (ip netns list) open what is there: keep the FIFO's life short.
    mkfifo(&fifo);
    std::fs::write(&plain, "").expect("plain file");
    std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
    let run = ours_as_root(&["--all-netns", "-tln"]);
    run.succeeds();
    assert!(!run.stdout_text().contains(&format!("-{tag}\n")));
    for path in [&fifo, &plain, &zero] {
        let name = path.file_name().unwrap().to_str().unwrap();
        let run = ours_as_root(&["--netns", name, "-tln"]);
        assert_eq!(run.code, Some(1), "{name}");
        assert_eq!(
            String::from_utf8_lossy(&run.stderr),
            format!("netstat: cannot open network namespace {name}: not a namespace file\n")
        );
    }
    drop(_files);

    // /etc/netns/NAME: only regular files of bounded size stand in for /etc's.
    let Some(ns) = Netns::new("etcf") else {
        return;
    };
    ns.etc(
        "hosts",
        "10.1.0.1 etcf-own-hosts-entry\n127.0.0.1 localhost\n",
    );
    let etc = Path::new("/etc/netns").join(&ns.name);
    mkfifo(&etc.join("services"));
    std::os::unix::fs::symlink("/dev/zero", etc.join("networks")).expect("symlink");
    std::os::unix::fs::symlink("/proc/self/environ", etc.join("protocols")).expect("symlink");
    let sparse = std::fs::File::create(etc.join("gai.conf")).expect("sparse file");
    sparse.set_len(1 << 30).expect("1 GiB");
    ns.sh("ip addr add 10.1.0.1/24 dev lo");
    let _holder = Holder::in_netns(&ns, &["10.1.0.1:7401"]);
    // Host names on: the resolver reads the files that were bound.
    let run = ours_as_root(&["--netns", &ns.name, "-tl", "--json"]);
    run.succeeds();
    let mut stderr: Vec<String> = complaints(&run, &tag);
    stderr.sort();
    let path = |file: &str| etc.join(file).display().to_string();
    assert_eq!(
        stderr,
        vec![
            format!(
                "netstat: {}: not used (larger than 16 MiB)",
                path("gai.conf")
            ),
            format!(
                "netstat: {}: not used (not a regular file)",
                path("networks")
            ),
            format!(
                "netstat: {}: not used (a /proc or /sys file)",
                path("protocols")
            ),
            format!(
                "netstat: {}: not used (not a regular file)",
                path("services")
            ),
        ]
    );
    let records = json_records(&run, "-tl --json");
    assert_eq!(
        records[0]["local_host"], "etcf-own-hosts-entry",
        "hosts still applies"
    );
}

#[test]
#[ignore = "needs root"]
fn hostile_namespace_names_reach_no_terminal() {
    if !can_run() {
        return;
    }
    let tag = tag();
    let name = format!("nst-\x1b[31m-\x07-{tag}\nFAKE");
    let status = Command::new("ip").args(["netns", "add", &name]).status();
    assert!(status.expect("ip netns add").success());
    let _named = Named(vec![name.clone()]);
    let shown = format!("nst-?[31m-?-{tag}?FAKE");
    let run = ours_as_root(&["--all-netns", "-tln"]);
    run.succeeds();
    let text = run.stdout_text();
    assert!(
        text.contains(&format!("Network namespace: {shown}\nActive Internet")),
        "{text}"
    );
    assert!(!run.stdout.iter().any(|&b| b == 0x1b || b == 0x07));
    // In JSON the label is the name itself, escaped.
    let run = ours_as_root(&["--all-netns", "-tln", "--json"]);
    assert!(!run.stdout.iter().any(|&b| b == 0x1b || b == 0x07));
    json_records(&run, "--json");
    let run = ours_as_root(&["--all-netns", "-ia", "--json"]);
    let records = json_records(&run, "-ia --json");
    assert!(records.iter().any(|r| r["netns"] == name.as_str()));
    // Error messages too: what was typed, and what is listed.
    let typed = format!("\x1b]0;owned\x07-{tag}");
    let run = ours_as_root(&["--netns", &typed, "-tln"]);
    run.fails_with(1);
    assert!(!run.stderr.iter().any(|&b| b == 0x1b || b == 0x07));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.starts_with(&format!(
        "netstat: no network namespace matches '?]0;owned?-{tag}'"
    )));
    assert!(stderr.contains(&format!("\n  {shown}\n")), "{stderr}");
}
