//! Unix domain sockets from `/proc/net/unix`: the only source of the reference count.

use crate::unix::{Flags, UnixSocket};

/// Whether the header line announces the inode column (every kernel since 2.2 does).
pub fn header_has_inode(header: &[u8]) -> bool {
    header.windows(5).any(|w| w == b"Inode")
}

/// Parses one data line (without its newline). `None` for a malformed line.
pub fn parse_line(line: &[u8], with_inode: bool) -> Option<UnixSocket<'_>> {
    let mut rest = line;
    let mut field = || -> Option<&[u8]> {
        let start = rest.iter().position(|b| !b.is_ascii_whitespace())?;
        let tail = &rest[start..];
        let len = tail
            .iter()
            .position(|b| b.is_ascii_whitespace())
            .unwrap_or(tail.len());
        let (word, after) = tail.split_at(len);
        rest = after;
        Some(word)
    };
    let num = field()?;
    if num.last() != Some(&b':') {
        return None;
    }
    let refcnt = hex_u32(field()?)?;
    let protocol = hex_u32(field()?)?;
    let flags = Flags::from_bits_retain(hex_u32(field()?)?);
    let sock_type = u16::try_from(hex_u32(field()?)?).ok()?;
    let state = u8::try_from(hex_u32(field()?)?).ok()?;
    let inode = if with_inode {
        Some(std::str::from_utf8(field()?).ok()?.parse().ok()?)
    } else {
        None
    };
    // The path is everything after the single separating space; it may contain spaces.
    let path = match rest.split_first() {
        Some((b' ', path)) if !path.is_empty() => Some(path),
        _ => None,
    };
    Some(UnixSocket {
        refcnt,
        protocol,
        flags,
        sock_type,
        state,
        inode,
        path,
    })
}

fn hex_u32(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 8 {
        return None;
    }
    u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_listener_with_spaced_path() {
        let line = b"0000000000000000: 00000002 00000000 00010000 0001 01 1028062 /run/demo/with space.sock";
        let sock = parse_line(line, true).unwrap();
        assert_eq!(
            (sock.refcnt, sock.flags, sock.sock_type, sock.state),
            (2, Flags::ACCEPTING, 1, 1)
        );
        assert_eq!(sock.inode, Some(1028062));
        assert_eq!(sock.path, Some(&b"/run/demo/with space.sock"[..]));
        assert!(sock.is_listening());
    }

    #[test]
    fn unnamed_and_abstract_sockets() {
        let unnamed = parse_line(
            b"0000000000000000: 00000003 00000000 00000000 0001 03 1028065",
            true,
        )
        .unwrap();
        assert_eq!(unnamed.path, None);
        let abs = parse_line(
            b"0000000000000000: 00000002 00000000 00010000 0001 01 1028061 @demo-abstract",
            true,
        )
        .unwrap();
        assert_eq!(abs.path, Some(&b"@demo-abstract"[..]));
    }

    #[test]
    fn old_format_without_inode() {
        let sock = parse_line(
            b"c1b2d3e4: 00000002 00000000 00000000 0002 01 /dev/log",
            false,
        )
        .unwrap();
        assert_eq!(sock.inode, None);
        assert_eq!(sock.path, Some(&b"/dev/log"[..]));
        assert!(header_has_inode(
            b"Num       RefCount Protocol Flags    Type St Inode Path"
        ));
        assert!(!header_has_inode(
            b"Num       RefCount Protocol Flags    Type St Path"
        ));
    }

    #[test]
    fn hostile_lines_are_rejected() {
        let cases: &[&[u8]] = &[
            b"",
            b"0000: 2",
            b"0000000000000000 00000002 00000000 00010000 0001 01 5",
            b"0000000000000000: 0000000Z 00000000 00010000 0001 01 5",
            b"0000000000000000: 00000002 00000000 00010000 FFFFFF 01 5",
            b"0000000000000000: 00000002 00000000 00010000 0001 01 99999999999999999999999",
            b"0000000000000000: 123456789 00000000 00010000 0001 01 5",
        ];
        for line in cases {
            assert!(
                parse_line(line, true).is_none(),
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
