//! Kernel parameters, read by their `sysctl` names (`net.ipv4.tcp_tw_reuse`).
//!
//! Values under `net.` belong to the network namespace of the reader, so they describe the same
//! namespace as the socket tables.
//!
//! ```
//! use nettables::sysctl::{numbers, path};
//!
//! assert_eq!(path("net.ipv4.ip_local_port_range").as_deref(), Some("/proc/sys/net/ipv4/ip_local_port_range"));
//! assert_eq!(numbers("32768\t60999"), Some(vec![32768, 60999]));
//!
//! // On Linux, `read` returns the current text.
//! if let Ok(text) = nettables::sysctl::read("net.ipv4.ip_local_port_range") {
//!     assert_eq!(numbers(&text).map(|n| n.len()), Some(2));
//! }
//! ```

use crate::{Error, Result};

/// Longest name accepted; real ones are far shorter.
const MAX_NAME: usize = 256;

/// The file of a parameter under `/proc/sys`, or `None` for a name that is not one.
///
/// As with `sysctl(8)`, dots separate the components unless the name has a slash, which then
/// separates them instead (for names with a dot inside, such as `net/ipv4/conf/eth0.5/forwarding`).
/// Empty components, `..` and NUL bytes are refused, so a name never leaves `/proc/sys`.
pub fn path(name: &str) -> Option<String> {
    if name.is_empty() || name.len() > MAX_NAME || name.contains('\0') {
        return None;
    }
    let separator = if name.contains('/') { '/' } else { '.' };
    let mut path = String::from("/proc/sys");
    for part in name.split(separator) {
        if part.is_empty() || part == "." || part == ".." || part.contains('/') {
            return None;
        }
        path.push('/');
        path.push_str(part);
    }
    Some(path)
}

/// The current value of a parameter, without its trailing newline. A name that is not valid
/// gives [`Error::InvalidName`]; one the kernel lacks, [`Error::NotAvailable`] (for example
/// `net.ipv4.tcp_mem` inside a network namespace, where it is not shown).
pub fn read(name: &str) -> Result<String> {
    let Some(path) = path(name) else {
        return Err(Error::InvalidName {
            kind: "sysctl",
            name: name.to_string(),
        });
    };
    crate::sys::imp::sysctl(path)
}

/// The whitespace-separated integers of a value (`"32768\t60999"`, `"2"`); `None` when the
/// value is empty or any word is not an integer that fits `i64`.
pub fn numbers(text: &str) -> Option<Vec<i64>> {
    let values: Vec<i64> = text
        .split_ascii_whitespace()
        .map(|w| w.parse().ok())
        .collect::<Option<_>>()?;
    (!values.is_empty()).then_some(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_into_proc_sys_only() {
        assert_eq!(
            path("net.core.somaxconn").as_deref(),
            Some("/proc/sys/net/core/somaxconn")
        );
        assert_eq!(
            path("net/ipv4/conf/eth0.5/rp_filter").as_deref(),
            Some("/proc/sys/net/ipv4/conf/eth0.5/rp_filter")
        );
        for bad in [
            "",
            ".",
            "net..ipv4",
            "net.ipv4.",
            "../etc/passwd",
            "net/../../etc",
            "a\0b",
            "/net/ipv4",
            "net//x",
        ] {
            assert_eq!(path(bad), None, "{bad:?}");
        }
        assert_eq!(path(&"a.".repeat(200)), None);
        assert!(matches!(
            read("../../etc/shadow"),
            Err(Error::InvalidName { .. })
        ));
    }

    #[test]
    fn numbers_of_odd_values() {
        assert_eq!(numbers("2\n"), Some(vec![2]));
        assert_eq!(
            numbers(" 4096 \t 131072 6291456 "),
            Some(vec![4096, 131072, 6291456])
        );
        assert_eq!(numbers("-1"), Some(vec![-1]));
        for bad in [
            "",
            "  \n",
            "1 x",
            "99999999999999999999",
            "1.5",
            "cubic reno",
        ] {
            assert_eq!(numbers(bad), None, "{bad:?}");
        }
    }
}
