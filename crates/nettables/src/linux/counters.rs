//! Counter files from `/proc/net`.

use std::io::Read;

use crate::counters::LoadError;

/// The whole text of a counter file.
pub(crate) fn read(path: &str) -> Result<Vec<u8>, LoadError> {
    let mut file = std::fs::File::open(path).map_err(LoadError::Open)?;
    let mut text = Vec::with_capacity(8 * 1024);
    file.read_to_end(&mut text).map_err(LoadError::Read)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_is_an_open_error() {
        let err = read("/proc/net/no-such-counter-file").unwrap_err();
        assert!(matches!(err, LoadError::Open(e) if e.kind() == std::io::ErrorKind::NotFound));
    }

    #[test]
    fn reads_snmp() {
        let text = read("/proc/net/snmp").expect("/proc/net/snmp");
        assert!(text.starts_with(b"Ip: "));
    }
}
