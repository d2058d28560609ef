//! The multicast membership tables in `/proc/net`.

use std::io;

/// The whole text of a `/proc` table (its size is reported as 0, so it is read to the end).
pub(crate) fn read(path: &str) -> io::Result<Vec<u8>> {
    std::fs::read(path)
}
