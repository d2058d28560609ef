//! Containers recognised from a process's cgroup path (`/proc/PID/cgroup`).
//!
//! Every container runtime puts a container's processes in a cgroup of its own whose name holds
//! the container's id, so the path tells which container a process belongs to without asking
//! the runtime. The forms recognised, under cgroup v2 (`0::/PATH`) and v1 (`N:CONTROLLERS:/PATH`):
//!
//! | runtime | cgroup path (systemd driver / cgroupfs driver) |
//! |---|---|
//! | Docker | `…/docker-ID.scope` / `/docker/ID` |
//! | containerd (CRI) | `…/kubepods-…-podUID.slice/cri-containerd-ID.scope` |
//! | CRI-O | `…/crio-ID.scope` |
//! | Podman | `…/libpod-ID.scope` / `/libpod_parent/libpod-ID` |
//! | Kubernetes, runtime not named | `/kubepods/CLASS/podUID/ID` |
//! | LXC | `/lxc.payload.NAME` / `/lxc/NAME` |
//! | systemd-nspawn | `/machine.slice/machine-NAME.scope` |
//!
//! The runtimes' helper processes (`crio-conmon-…`, `libpod-conmon-…`, `lxc.monitor.…`) run in
//! the host's namespaces and are not containers.

/// A container runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Runtime {
    /// Docker (also under Kubernetes, with dockershim).
    Docker,
    /// containerd's CRI plugin (Kubernetes).
    Containerd,
    /// CRI-O (Kubernetes, OpenShift).
    CriO,
    /// Podman.
    Podman,
    /// LXC (and LXD).
    Lxc,
    /// systemd-nspawn machines.
    SystemdNspawn,
    /// A Kubernetes container whose cgroup (cgroupfs driver) does not name the runtime.
    Cri,
}

impl Runtime {
    /// Every runtime, in the order [`Runtime::name`] documents.
    pub const ALL: [Runtime; 7] = [
        Runtime::Docker,
        Runtime::Containerd,
        Runtime::CriO,
        Runtime::Podman,
        Runtime::Lxc,
        Runtime::SystemdNspawn,
        Runtime::Cri,
    ];

    /// The name used in labels and JSON: `docker`, `containerd`, `cri-o`, `podman`, `lxc`,
    /// `systemd-nspawn`, `cri`.
    pub fn name(self) -> &'static str {
        match self {
            Runtime::Docker => "docker",
            Runtime::Containerd => "containerd",
            Runtime::CriO => "cri-o",
            Runtime::Podman => "podman",
            Runtime::Lxc => "lxc",
            Runtime::SystemdNspawn => "systemd-nspawn",
            Runtime::Cri => "cri",
        }
    }

    /// The runtime named `name` ([`Runtime::name`], or the short forms `crio` and `nspawn`).
    pub fn from_name(name: &str) -> Option<Runtime> {
        match name {
            "crio" => Some(Runtime::CriO),
            "nspawn" => Some(Runtime::SystemdNspawn),
            _ => Runtime::ALL.into_iter().find(|r| r.name() == name),
        }
    }

    /// Whether ids are hexadecimal digests, shown shortened to 12 digits as `docker ps` does
    /// (LXC and systemd-nspawn name their containers instead).
    fn hex_ids(self) -> bool {
        !matches!(self, Runtime::Lxc | Runtime::SystemdNspawn)
    }
}

/// A Kubernetes pod.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pod {
    /// The pod's UID, from the cgroup path.
    pub uid: String,
    /// The pod's Kubernetes namespace and name, when the node keeps them (see
    /// [`Sources::pods_dir`](super::Sources::pods_dir)).
    pub name: Option<PodName>,
}

/// Where a pod is known by people: `NAMESPACE/NAME`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PodName {
    /// The pod's Kubernetes namespace (`default`, `kube-system`).
    pub namespace: String,
    /// The pod's name (`web-0`).
    pub name: String,
}

/// A container, as a process's cgroup path shows it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Container {
    /// Which runtime made it.
    pub runtime: Runtime,
    /// The container's id (hexadecimal) or, for LXC and systemd-nspawn, its name.
    pub id: String,
    /// The Kubernetes pod it belongs to.
    pub pod: Option<Pod>,
}

impl Container {
    /// The container of a process, from the text of its `/proc/PID/cgroup`: the first line
    /// whose path names one. `None` for processes outside containers.
    ///
    /// ```
    /// use nettables::netns::{Container, Runtime};
    ///
    /// let id = "3f2a9c1b7e4d".repeat(5) + "0123";
    /// let c = Container::from_cgroup(&format!("0::/system.slice/docker-{id}.scope\n")).unwrap();
    /// assert_eq!((c.runtime, c.short_id()), (Runtime::Docker, "3f2a9c1b7e4d"));
    /// ```
    pub fn from_cgroup(text: &str) -> Option<Container> {
        text.lines().find_map(|line| {
            // hierarchy-ID:controller-list:path; the path may itself hold ':'.
            let mut fields = line.splitn(3, ':');
            let path = fields.nth(2)?;
            from_path(path)
        })
    }

    /// The id as people see it: 12 hexadecimal digits (as `docker ps`, `crictl ps` and
    /// `podman ps` show it), or the whole name for LXC and systemd-nspawn.
    pub fn short_id(&self) -> &str {
        if self.runtime.hex_ids() {
            self.id.get(..12).unwrap_or(&self.id)
        } else {
            &self.id
        }
    }

    /// The label of the namespace this container runs in: `k8s NAMESPACE/POD` for a pod whose
    /// name is known, `k8s pod UID` for one whose name is not, `RUNTIME ID` otherwise.
    pub fn label(&self) -> String {
        match &self.pod {
            Some(Pod {
                name: Some(name), ..
            }) => format!("k8s {}/{}", name.namespace, name.name),
            Some(Pod { uid, name: None }) => format!("k8s pod {uid}"),
            None => format!("{} {}", self.runtime.name(), self.short_id()),
        }
    }
}

/// The container a cgroup path names; the innermost one when containers nest.
fn from_path(path: &str) -> Option<Container> {
    let components: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    let mut pod_uid = None;
    let mut found: Option<(Runtime, String)> = None;
    let mut kubepods = false;
    for (i, component) in components.iter().enumerate() {
        let previous = i.checked_sub(1).map(|p| components[p]);
        if let Some(uid) = pod_slice(component) {
            pod_uid = Some(uid);
            continue;
        }
        if *component == "kubepods" || component.starts_with("kubepods.") {
            kubepods = true;
        }
        if kubepods && let Some(uid) = component.strip_prefix("pod").filter(|u| is_uid(u)) {
            pod_uid = Some(uid.to_string());
            continue;
        }
        if let Some(container) = container_component(component, previous, pod_uid.is_some()) {
            found = Some(container);
        }
    }
    let (runtime, id) = found?;
    Some(Container {
        runtime,
        id,
        pod: pod_uid.map(|uid| Pod { uid, name: None }),
    })
}

/// One path component that names a container. `previous` is the component before it;
/// `in_pod` tells whether a Kubernetes pod's cgroup encloses it.
fn container_component(
    component: &str,
    previous: Option<&str>,
    in_pod: bool,
) -> Option<(Runtime, String)> {
    const SCOPES: [(&str, Runtime); 4] = [
        ("docker-", Runtime::Docker),
        ("cri-containerd-", Runtime::Containerd),
        ("crio-", Runtime::CriO),
        ("libpod-", Runtime::Podman),
    ];
    for (prefix, runtime) in SCOPES {
        let Some(rest) = component.strip_prefix(prefix) else {
            continue;
        };
        // `libpod-ID` without `.scope` is Podman's cgroupfs form.
        let id = rest.strip_suffix(".scope").unwrap_or(rest);
        if is_hex_id(id) {
            return Some((runtime, id.to_string()));
        }
    }
    if is_hex_id(component) {
        match previous {
            Some("docker") => return Some((Runtime::Docker, component.to_string())),
            _ if in_pod => return Some((Runtime::Cri, component.to_string())),
            _ => {}
        }
    }
    if let Some(name) = component.strip_prefix("lxc.payload.") {
        return (!name.is_empty()).then(|| (Runtime::Lxc, name.to_string()));
    }
    if previous == Some("lxc") && !component.starts_with("lxc.") {
        return Some((Runtime::Lxc, component.to_string()));
    }
    let machine = component.strip_prefix("machine-")?.strip_suffix(".scope")?;
    (!machine.is_empty()).then(|| (Runtime::SystemdNspawn, unescape_unit(machine)))
}

/// The pod UID in a systemd-driver pod slice (`kubepods-besteffort-pod<uid>.slice`, with the
/// UID's dashes written as underscores).
fn pod_slice(component: &str) -> Option<String> {
    let slice = component.strip_suffix(".slice")?;
    if !slice.starts_with("kubepods") {
        return None;
    }
    let (_, uid) = slice.rsplit_once("-pod")?;
    let uid = uid.replace('_', "-");
    is_uid(&uid).then_some(uid)
}

/// A pod UID: hexadecimal digits and dashes (a UUID).
fn is_uid(text: &str) -> bool {
    text.len() >= 8 && text.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

/// A container id: a hexadecimal digest (runtimes use 64 digits; 12 is the short form).
fn is_hex_id(text: &str) -> bool {
    text.len() >= 12 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// systemd's unit-name escaping: `\x2d` stands for `-` (machine names may hold dashes).
fn unescape_unit(name: &str) -> String {
    let bytes = name.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = bytes
            .get(i..i + 4)
            .filter(|e| e.starts_with(b"\\x"))
            .and_then(|e| std::str::from_utf8(&e[2..]).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 4;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "3f2a9c1b7e4d5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";
    const UID: &str = "0b6a7c3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d";

    fn parse(text: &str) -> Option<(Runtime, String, Option<String>)> {
        Container::from_cgroup(text).map(|c| (c.runtime, c.id, c.pod.map(|p| p.uid)))
    }

    fn container(runtime: Runtime, id: &str) -> Option<(Runtime, String, Option<String>)> {
        Some((runtime, id.to_string(), None))
    }

    fn in_pod(runtime: Runtime, id: &str) -> Option<(Runtime, String, Option<String>)> {
        Some((runtime, id.to_string(), Some(UID.to_string())))
    }

    #[test]
    fn docker_in_both_cgroup_versions() {
        let v2 = format!("0::/system.slice/docker-{ID}.scope\n");
        assert_eq!(parse(&v2), container(Runtime::Docker, ID));
        // cgroup v1 with the cgroupfs driver: every controller shows /docker/ID.
        let v1 = format!(
            "12:pids:/docker/{ID}\n11:memory:/docker/{ID}\n1:name=systemd:/docker/{ID}\n0::/\n"
        );
        assert_eq!(parse(&v1), container(Runtime::Docker, ID));
        // cgroup v1 with the systemd driver.
        let v1_systemd = format!("4:cpu,cpuacct:/system.slice/docker-{ID}.scope\n");
        assert_eq!(parse(&v1_systemd), container(Runtime::Docker, ID));
        // The daemon itself is no container.
        assert_eq!(parse("0::/system.slice/docker.service\n"), None);
    }

    #[test]
    fn kubernetes_with_containerd_cri_o_and_cgroupfs() {
        let slice = format!(
            "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{}.slice",
            UID.replace('-', "_")
        );
        let containerd = format!("0::/{slice}/cri-containerd-{ID}.scope\n");
        assert_eq!(parse(&containerd), in_pod(Runtime::Containerd, ID));
        let v1 = format!("7:memory:/{slice}/cri-containerd-{ID}.scope\n");
        assert_eq!(parse(&v1), in_pod(Runtime::Containerd, ID));
        let guaranteed = format!(
            "0::/kubepods.slice/kubepods-pod{}.slice/crio-{ID}.scope\n",
            UID.replace('-', "_")
        );
        assert_eq!(parse(&guaranteed), in_pod(Runtime::CriO, ID));
        // cgroupfs driver: no runtime in the path.
        let cgroupfs = format!("5:pids:/kubepods/burstable/pod{UID}/{ID}\n");
        assert_eq!(parse(&cgroupfs), in_pod(Runtime::Cri, ID));
        let cgroupfs_v2 = format!("0::/kubepods/pod{UID}/{ID}\n");
        assert_eq!(parse(&cgroupfs_v2), in_pod(Runtime::Cri, ID));
        // dockershim: Docker's scope inside a pod.
        let dockershim = format!("0::/{slice}/docker-{ID}.scope\n");
        assert_eq!(parse(&dockershim), in_pod(Runtime::Docker, ID));
        // A pod's slice alone names no container.
        assert_eq!(parse(&format!("0::/{slice}\n")), None);
    }

    /// Each of `cgroups` (with `{ID}` standing for [`ID`]) is the container `expected` names
    /// by runtime and id; with `None`, in no container.
    fn assert_containers(expected: Option<(Runtime, &str)>, cgroups: &[&str]) {
        for cgroup in cgroups {
            let text = format!("{}\n", cgroup.replace("{ID}", ID));
            let expected = expected.and_then(|(runtime, id)| container(runtime, id));
            assert_eq!(parse(&text), expected, "{cgroup}");
        }
    }

    #[test]
    fn cri_o_and_podman_but_not_their_monitors() {
        assert_containers(
            Some((Runtime::CriO, ID)),
            &["0::/machine.slice/crio-{ID}.scope"],
        );
        assert_containers(
            Some((Runtime::Podman, ID)),
            &[
                "0::/machine.slice/libpod-{ID}.scope",
                // Podman with --cgroupns=private puts the payload one level down.
                "0::/machine.slice/libpod-{ID}.scope/container",
                // Rootless Podman, under the user's manager.
                "0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-{ID}.scope",
                // cgroupfs driver, v1.
                "3:cpuset:/libpod_parent/libpod-{ID}",
            ],
        );
        // Their monitors (conmon) are not containers.
        assert_containers(
            None,
            &[
                "0::/system.slice/crio-conmon-{ID}.scope",
                "0::/machine.slice/libpod-conmon-{ID}.scope",
            ],
        );
    }

    #[test]
    fn lxc_and_systemd_nspawn_by_name() {
        let web01 = [
            "0::/lxc.payload.web01",
            "10:pids:/lxc.payload.web01/init.scope",
        ];
        assert_containers(Some((Runtime::Lxc, "web01")), &web01);
        assert_containers(
            Some((Runtime::Lxc, "old-style")),
            &["6:devices:/lxc/old-style"],
        );
        assert_containers(None, &["0::/lxc.monitor.web01"]);
        let nspawn = "0::/machine.slice/machine-build\\x2dbox.scope/payload";
        assert_containers(Some((Runtime::SystemdNspawn, "build-box")), &[nspawn]);
        let nspawn_v1 = "1:name=systemd:/machine.slice/machine-db.scope";
        assert_containers(Some((Runtime::SystemdNspawn, "db")), &[nspawn_v1]);
    }

    #[test]
    fn ordinary_processes_are_in_no_container() {
        for text in [
            "0::/\n",
            "0::/init.scope\n",
            "0::/user.slice/user-1000.slice/session-3.scope\n",
            "12:pids:/\n1:name=systemd:/system.slice/ssh.service\n0::/system.slice/ssh.service\n",
            "4:memory:/process_api/6bfd899e5299a14b0cd6d5deaa8c1b5e\n",
            "0::/system.slice/docker-notanid.scope\n",
            "",
            "garbage without colons",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn nested_containers_name_the_innermost() {
        let inner = "a".repeat(64);
        assert_eq!(
            parse(&format!("0::/docker/{ID}/docker/{inner}\n")),
            container(Runtime::Docker, &inner)
        );
    }

    #[test]
    fn labels_and_short_ids() {
        let mut c = Container {
            runtime: Runtime::Docker,
            id: ID.to_string(),
            pod: None,
        };
        assert_eq!(c.label(), "docker 3f2a9c1b7e4d");
        c.pod = Some(Pod {
            uid: UID.to_string(),
            name: None,
        });
        assert_eq!(c.label(), format!("k8s pod {UID}"));
        c.pod = Some(Pod {
            uid: UID.to_string(),
            name: Some(PodName {
                namespace: "default".into(),
                name: "web-0".into(),
            }),
        });
        assert_eq!(c.label(), "k8s default/web-0");
        let lxc = Container {
            runtime: Runtime::Lxc,
            id: "a-long-container-name".into(),
            pod: None,
        };
        assert_eq!(lxc.label(), "lxc a-long-container-name");
        for runtime in Runtime::ALL {
            assert_eq!(Runtime::from_name(runtime.name()), Some(runtime));
        }
        assert_eq!(Runtime::from_name("crio"), Some(Runtime::CriO));
        assert_eq!(Runtime::from_name("k8s"), None);
    }
}
