//! `/proc/sys` files, behind [`crate::sysctl::read`].

use std::io::{self, Read};

/// Longest value read; longer ones (none of the numeric ones) are cut.
const MAX_VALUE: u64 = 64 * 1024;

pub(crate) fn read(path: &str) -> io::Result<String> {
    let mut text = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_VALUE)
        .read_to_end(&mut text)?;
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
        assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
    }
}
