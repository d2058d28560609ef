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

/// Writes `bytes` as [`sanitized`] makes them, so that a hostile process name or path cannot
/// drive the terminal.
pub fn write_sanitized(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    if bytes.is_ascii() {
        let mut rest = bytes;
        while let Some(pos) = rest.iter().position(|&b| is_control(b)) {
            out.write_all(&rest[..pos])?;
            out.write_all(b"?")?;
            rest = &rest[pos + 1..];
        }
        return out.write_all(rest);
    }
    out.write_all(&sanitized(bytes))
}

/// `bytes` as [`sanitized`] makes them; ASCII (the common case) without allocating.
pub fn sanitize(bytes: &[u8]) -> impl Iterator<Item = u8> + '_ {
    let (ascii, other) = if bytes.is_ascii() {
        (bytes, Vec::new())
    } else {
        (&[][..], sanitized(bytes))
    };
    ascii
        .iter()
        .map(|&b| if is_control(b) { b'?' } else { b })
        .chain(other)
}

/// `bytes` with every character that can drive a terminal replaced by `?`: the C0 controls
/// and DEL, the C1 controls (U+0080-U+009F, such as CSI U+009B and NEL U+0085, which some
/// terminals obey), a raw 0x80-0x9f byte that is not part of valid UTF-8 (the same C1 code to
/// an 8-bit terminal), and the bidi marks that reorder what follows (U+200E/F,
/// U+202A-U+202E, U+2066-U+2069). Other bytes, invalid UTF-8 included, are kept as given.
pub fn sanitized(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if is_unsafe(c) {
                out.push(b'?');
            } else {
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
            }
        }
        for &b in chunk.invalid() {
            out.push(if is_control(b) || (0x80..=0x9f).contains(&b) {
                b'?'
            } else {
                b
            });
        }
    }
    out
}

/// `bytes` as text for a terminal screen: invalid UTF-8 as U+FFFD, and every character
/// [`sanitized`] replaces as `?`.
pub fn display(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .chars()
        .map(|c| if is_unsafe(c) { '?' } else { c })
        .collect()
}

fn is_control(b: u8) -> bool {
    b < 0x20 || b == 0x7f
}

/// A control character (C0, DEL, C1) or a bidi mark.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
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

/// The message for a `--filter` expression that does not parse: the reason, then the
/// expression with a marker under the bad part.
pub fn bad_filter(text: &str, e: &nettables::filter::ParseError) -> String {
    // Control characters would move the marker; they show as blanks.
    let shown: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!(
        "netstat: bad --filter expression: {}\n  {shown}\n  {}{}\n",
        e.message(),
        " ".repeat(e.column().saturating_sub(1)),
        "^".repeat(e.width())
    )
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
    fn c1_controls_raw_c1_bytes_and_bidi_marks_become_question_marks() {
        assert_eq!(sanitized(b"a\xc2\x9bb\xc2\x85c"), b"a?b?c");
        assert_eq!(
            sanitized(b"x\x9by\xe9z"),
            b"x?y\xe9z",
            "a raw 0x9b; Latin-1 kept"
        );
        assert_eq!(
            sanitized("l\u{202e}r\u{2066}i\u{200f}.\u{e9}".as_bytes()),
            "l?r?i?.\u{e9}".as_bytes()
        );
        let mut out = Vec::new();
        write_sanitized(&mut out, "p\u{9b}31m\u{202e}".as_bytes()).unwrap();
        assert_eq!(out, b"p?31m?");
        assert_eq!(sanitize(b"\x1b\xc2\x9b").collect::<Vec<u8>>(), b"??");
        assert_eq!(display("a\u{202e}b".as_bytes()), "a?b");
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
