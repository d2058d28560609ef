//! `/proc/sys` files, behind [`crate::sysctl::read`].

use crate::Result;

/// Longest value read; longer ones (none of the numeric ones) are cut.
const MAX_VALUE: u64 = 64 * 1024;

pub(crate) fn read(path: String) -> Result<String> {
    let mut text = super::read_at_most(path, MAX_VALUE)?;
    while text.last().is_some_and(|b| b.is_ascii_whitespace()) {
        text.pop();
    }
    Ok(String::from_utf8_lossy(&text).into_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn live_and_missing_parameters() {
        let range =
            crate::sysctl::read("net.ipv4.ip_local_port_range").expect("ip_local_port_range");
        assert_eq!(
            crate::sysctl::numbers(&range).map(|n| n.len()),
            Some(2),
            "{range:?}"
        );
        let missing = crate::sysctl::read("net.ipv4.no_such_parameter").unwrap_err();
        assert!(missing.is_not_available(), "{missing}");
    }
}
