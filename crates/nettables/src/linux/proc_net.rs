//! Where the `/proc/net` files of the calling thread's network namespace are.
//!
//! `/proc/net` links to `/proc/self/net`, which shows the namespace of the process's main
//! thread, while netlink and ioctl sockets belong to the namespace of the thread that creates
//! them. Opening through `/proc/thread-self/net` makes the files follow the calling thread too,
//! so a thread that entered another namespace reads that namespace's tables. For a
//! single-threaded program both name the same files. Paths keep their `/proc/net/...` spelling
//! everywhere else (messages, constants, errors); only the open goes through [`resolve`].

use std::path::PathBuf;
use std::sync::OnceLock;

const PROC_NET: &str = "/proc/net/";
const THREAD_SELF_NET: &str = "/proc/thread-self/net/";

/// Where `path` is for the calling thread: a `/proc/net/...` path goes through
/// `/proc/thread-self/net/`, any other stays as it is, and so does every path on kernels before
/// 3.17, which have no `/proc/thread-self`.
pub fn resolve(path: &str) -> PathBuf {
    static HAS_THREAD_SELF: OnceLock<bool> = OnceLock::new();
    let has = *HAS_THREAD_SELF.get_or_init(|| std::path::Path::new(THREAD_SELF_NET).is_dir());
    match path.strip_prefix(PROC_NET) {
        Some(rest) if has => PathBuf::from(format!("{THREAD_SELF_NET}{rest}")),
        _ => PathBuf::from(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_net_paths_go_through_thread_self() {
        assert_eq!(
            resolve("/proc/net/tcp6"),
            PathBuf::from("/proc/thread-self/net/tcp6")
        );
        assert_eq!(resolve("/proc/sys/net"), PathBuf::from("/proc/sys/net"));
        assert_eq!(
            std::fs::read(resolve("/proc/net/snmp")).expect("snmp"),
            std::fs::read("/proc/net/snmp").expect("snmp")
        );
    }
}
