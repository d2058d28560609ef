//! Bounds-checked reads of the little-endian C structures the macOS kernel hands out.
//!
//! Every macOS machine is little-endian (x86_64 and arm64), so fields are read as little-endian
//! whatever the host: the parsers and their tests give the same answers on Linux.

use std::fmt;

/// Why a kernel buffer could not be parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// The buffer ends before a field `what` needs: `need` bytes at `offset`.
    Truncated {
        what: &'static str,
        offset: usize,
        need: usize,
    },
    /// A record's own length field is impossible (too short for its kind, or past the end).
    BadLength {
        what: &'static str,
        offset: usize,
        len: usize,
    },
    /// A field holds a value the format does not allow.
    BadValue {
        what: &'static str,
        offset: usize,
        value: u64,
    },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ParseError::Truncated { what, offset, need } => {
                write!(f, "{what}: {need} bytes at offset {offset} are missing")
            }
            ParseError::BadLength { what, offset, len } => {
                write!(f, "{what} at offset {offset}: impossible length {len}")
            }
            ParseError::BadValue {
                what,
                offset,
                value,
            } => write!(f, "{what} at offset {offset}: unexpected value {value:#x}"),
        }
    }
}

impl std::error::Error for ParseError {}

/// A structure of `len` bytes starting at `base` in a larger buffer, read field by field. Each
/// read checks the structure's bounds, not only the buffer's.
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    /// What the structure is (for errors).
    pub what: &'static str,
    bytes: &'a [u8],
    /// Offset of the structure in the buffer it came from (for errors).
    base: usize,
}

impl<'a> Record<'a> {
    /// The structure `what` of `len` bytes at `offset` of `buf`.
    pub fn at(
        buf: &'a [u8],
        offset: usize,
        len: usize,
        what: &'static str,
    ) -> Result<Record<'a>, ParseError> {
        let bytes = offset
            .checked_add(len)
            .and_then(|end| buf.get(offset..end))
            .ok_or(ParseError::Truncated {
                what,
                offset,
                need: len,
            })?;
        Ok(Record {
            what,
            bytes,
            base: offset,
        })
    }

    /// The whole of `buf` as the structure `what`.
    pub fn whole(buf: &'a [u8], what: &'static str) -> Record<'a> {
        Record {
            what,
            bytes: buf,
            base: 0,
        }
    }

    /// Fails unless the structure has at least `len` bytes.
    pub fn require(&self, len: usize) -> Result<(), ParseError> {
        if self.bytes.len() < len {
            return Err(ParseError::Truncated {
                what: self.what,
                offset: self.base + self.bytes.len(),
                need: len - self.bytes.len(),
            });
        }
        Ok(())
    }

    /// `N` bytes at `offset` of the structure.
    pub fn array<const N: usize>(&self, offset: usize) -> Result<[u8; N], ParseError> {
        let slice = self.slice(offset, N)?;
        let mut out = [0; N];
        out.copy_from_slice(slice);
        Ok(out)
    }

    /// `len` bytes at `offset` of the structure.
    pub fn slice(&self, offset: usize, len: usize) -> Result<&'a [u8], ParseError> {
        offset
            .checked_add(len)
            .and_then(|end| self.bytes.get(offset..end))
            .ok_or(ParseError::Truncated {
                what: self.what,
                offset: self.base.saturating_add(offset),
                need: len,
            })
    }

    pub fn u8(&self, offset: usize) -> Result<u8, ParseError> {
        Ok(self.array::<1>(offset)?[0])
    }

    pub fn u16(&self, offset: usize) -> Result<u16, ParseError> {
        self.array(offset).map(u16::from_le_bytes)
    }

    pub fn i16(&self, offset: usize) -> Result<i16, ParseError> {
        self.array(offset).map(i16::from_le_bytes)
    }

    /// A 16-bit field in network byte order (ports).
    pub fn u16_be(&self, offset: usize) -> Result<u16, ParseError> {
        self.array(offset).map(u16::from_be_bytes)
    }

    pub fn u32(&self, offset: usize) -> Result<u32, ParseError> {
        self.array(offset).map(u32::from_le_bytes)
    }

    pub fn i32(&self, offset: usize) -> Result<i32, ParseError> {
        self.array(offset).map(i32::from_le_bytes)
    }

    pub fn u64(&self, offset: usize) -> Result<u64, ParseError> {
        self.array(offset).map(u64::from_le_bytes)
    }

    /// An error about the field at `offset` holding `value`.
    pub fn bad_value(&self, offset: usize, value: u64) -> ParseError {
        ParseError::BadValue {
            what: self.what,
            offset: self.base.saturating_add(offset),
            value,
        }
    }
}

/// Checks that the routing-socket messages of `buf` (`what`: their header's name) tile it:
/// each one's length, the `u16` it starts with, covers at least its 4-byte start and ends
/// inside the buffer. The layout `rt_msghdr`, `if_msghdr` and their kin share.
pub fn check_message_lengths(buf: &[u8], what: &'static str) -> Result<(), ParseError> {
    let mut offset = 0;
    while offset < buf.len() {
        let len = Record::at(buf, offset, 4, what)?.u16(0)? as usize;
        if len < 4 || Record::at(buf, offset, len, what).is_err() {
            return Err(ParseError::BadLength { what, offset, len });
        }
        offset += len;
    }
    Ok(())
}

/// `len` rounded up to a multiple of 8, as the kernel's `ROUNDUP64` places records of a
/// `pcblist_n` buffer; 8 for 0.
pub fn roundup64(len: usize) -> usize {
    if len == 0 { 8 } else { len.div_ceil(8) * 8 }
}

/// `len` rounded up to a multiple of 4, as the routing socket's `ROUNDUP32` places sockaddrs;
/// 4 for 0.
pub fn roundup32(len: usize) -> usize {
    if len == 0 { 4 } else { len.div_ceil(4) * 4 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stay_inside_the_record() {
        let buf = [1u8, 0, 0, 0, 2, 0, 0, 0, 0xff];
        let record = Record::at(&buf, 4, 4, "test").unwrap();
        assert_eq!(record.u32(0), Ok(2));
        // The buffer has a fifth byte, the record does not.
        assert_eq!(
            record.u16(3),
            Err(ParseError::Truncated {
                what: "test",
                offset: 7,
                need: 2
            })
        );
        assert!(record.u64(usize::MAX - 2).is_err());
        assert!(Record::at(&buf, 6, 4, "test").is_err());
        assert!(Record::at(&buf, usize::MAX, 2, "test").is_err());
    }

    #[test]
    fn message_lengths_must_tile_the_buffer() {
        let two = [4u8, 0, 9, 9, 6, 0, 9, 9, 9, 9];
        assert_eq!(check_message_lengths(&two, "m"), Ok(()));
        let past_the_end = [4u8, 0, 9, 9, 7, 0, 9, 9, 9, 9];
        assert_eq!(
            check_message_lengths(&past_the_end, "m"),
            Err(ParseError::BadLength {
                what: "m",
                offset: 4,
                len: 7
            })
        );
        assert_eq!(
            check_message_lengths(&[3, 0, 9, 9], "m"),
            Err(ParseError::BadLength {
                what: "m",
                offset: 0,
                len: 3
            })
        );
        assert!(matches!(
            check_message_lengths(&[4, 0, 9, 9, 4, 0], "m"),
            Err(ParseError::Truncated { offset: 4, .. })
        ));
    }

    #[test]
    fn roundups_match_the_kernel_macros() {
        assert_eq!(
            [0, 1, 8, 9, 104, 204].map(roundup64),
            [8, 8, 8, 16, 104, 208]
        );
        assert_eq!([0, 1, 4, 5, 16, 28].map(roundup32), [4, 4, 4, 8, 16, 28]);
    }
}
