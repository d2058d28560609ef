//! Small text helpers shared by the renderers.

use std::io::{self, Write};

/// The text C's `strerror` (and so `perror`) gives for an error: Rust's message without its
/// ` (os error N)` suffix.
pub fn strerror(e: &io::Error) -> String {
    let text = e.to_string();
    match text.rfind(" (os error ") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}

/// The text for a library error as C's `perror` would word its cause: [`strerror`] of the
/// system's error behind it, or the error's own text when there is none.
pub fn reason(e: &nettables::Error) -> String {
    match e.os_error() {
        Some(os) => strerror(os),
        None => e.to_string(),
    }
}

/// Writes `bytes` with control characters (0x00-0x1f, 0x7f) replaced by `?`, so that a hostile
/// process name or path cannot drive the terminal.
pub fn write_sanitized(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    let mut rest = bytes;
    while let Some(pos) = rest.iter().position(|&b| is_control(b)) {
        out.write_all(&rest[..pos])?;
        out.write_all(b"?")?;
        rest = &rest[pos + 1..];
    }
    out.write_all(rest)
}

/// `bytes` with control characters replaced by `?`, without allocating.
pub fn sanitize(bytes: &[u8]) -> impl Iterator<Item = u8> + '_ {
    bytes.iter().map(|&b| if is_control(b) { b'?' } else { b })
}

/// `bytes` with control characters replaced by `?`.
pub fn sanitized(bytes: &[u8]) -> Vec<u8> {
    sanitize(bytes).collect()
}

/// `bytes` as text for a terminal screen: invalid UTF-8 as U+FFFD, and every control
/// character (C0, DEL and the C1 range, which some terminals obey too) as `?`.
pub fn display(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

fn is_control(b: u8) -> bool {
    b < 0x20 || b == 0x7f
}

/// Writes `text` left-justified in `width` columns (never truncated), like C's `%-Ns`.
pub fn pad_left(out: &mut impl Write, text: &[u8], width: usize) -> io::Result<()> {
    out.write_all(text)?;
    write_spaces(out, width.saturating_sub(text.len()))
}

/// Writes `text` right-justified in `width` columns (never truncated), like C's `%Ns`.
pub fn pad_right(out: &mut impl Write, text: &[u8], width: usize) -> io::Result<()> {
    write_spaces(out, width.saturating_sub(text.len()))?;
    out.write_all(text)
}

pub fn write_spaces(out: &mut impl Write, n: usize) -> io::Result<()> {
    const SPACES: &[u8; 64] = &[b' '; 64];
    let mut left = n;
    while left > 0 {
        let chunk = left.min(SPACES.len());
        out.write_all(&SPACES[..chunk])?;
        left -= chunk;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_question_marks() {
        let mut out = Vec::new();
        write_sanitized(&mut out, b"ab\tc\x01d\x7f\xc3\xa9").unwrap();
        assert_eq!(out, b"ab?c?d?\xc3\xa9");
        assert_eq!(sanitized(b"\x1b[31m"), b"?[31m");
        assert_eq!(
            display(b"a\x1bb\xc2\x9bc\xff\xc3\xa9"),
            "a?b?c\u{fffd}\u{e9}"
        );
    }

    #[test]
    fn strerror_drops_the_os_error_suffix() {
        assert_eq!(
            strerror(&io::Error::from_raw_os_error(libc::ENOENT)),
            "No such file or directory"
        );
        assert_eq!(strerror(&io::Error::other("plain")), "plain");
    }

    #[test]
    fn padding_never_truncates() {
        let mut out = Vec::new();
        pad_left(&mut out, b"abc", 5).unwrap();
        pad_right(&mut out, b"12", 4).unwrap();
        pad_left(&mut out, b"toolong", 3).unwrap();
        assert_eq!(out, b"abc    12toolong");
    }
}
