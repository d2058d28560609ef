//! Kubernetes pod names from the node's pod log directories.
//!
//! The kubelet keeps each pod's container logs in `/var/log/pods/NAMESPACE_NAME_UID/`. Neither
//! a namespace nor a pod name can hold `_` (both are DNS names), so the directory name splits
//! into the three parts unambiguously. Only directory names are read, never files.

use std::collections::HashMap;
use std::path::Path;

use super::cgroup::PodName;

/// Where the kubelet keeps pod logs.
pub const PODS_DIR: &str = "/var/log/pods";

/// Pod UID → namespace and name, from the entries of `dir`; empty when it does not exist.
pub(crate) fn pod_names(dir: &Path) -> HashMap<String, PodName> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return HashMap::new();
    };
    entries
        .flatten()
        .filter_map(|entry| parse_entry(entry.file_name().to_str()?))
        .collect()
}

/// `NAMESPACE_NAME_UID` → (UID, name).
fn parse_entry(name: &str) -> Option<(String, PodName)> {
    let mut parts = name.split('_');
    let (namespace, pod, uid) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || [namespace, pod, uid].iter().any(|p| p.is_empty()) {
        return None;
    }
    Some((
        uid.to_string(),
        PodName {
            namespace: namespace.to_string(),
            name: pod.to_string(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_names_split_into_namespace_pod_and_uid() {
        let (uid, name) = parse_entry("default_web-0_0b6a7c3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d")
            .expect("a pod directory");
        assert_eq!(uid, "0b6a7c3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d");
        assert_eq!(
            (name.namespace.as_str(), name.name.as_str()),
            ("default", "web-0")
        );
        for bad in [
            "",
            "default",
            "default_web-0",
            "a_b_c_d",
            "_web_uid",
            "ns__uid",
        ] {
            assert_eq!(parse_entry(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_directory_of_pods_is_read_by_entry_names() {
        let dir = std::env::temp_dir().join(format!("nettables-pods-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("kube-system_coredns-abc_1111-2222")).unwrap();
        std::fs::create_dir_all(dir.join("not-a-pod")).unwrap();
        let names = pod_names(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(names.len(), 1);
        assert_eq!(names["1111-2222"].name, "coredns-abc");
        assert!(pod_names(Path::new("/nonexistent/nettables/pods")).is_empty());
    }
}
