//! The Unix domain socket table in net-tools' text format.

use std::io::{self, Write};

use nettables::unix::{Flags, UnixSocket};

use super::inet::Columns;
use super::owner::{self, OwnerLabels};
use crate::i18n::tr;
use crate::text::{pad_left, write_spaces};

/// Writes the two header lines of the Unix table (of `columns`, only the scope and `-p`
/// apply).
pub fn write_header(out: &mut impl Write, columns: &Columns) -> io::Result<()> {
    out.write_all(tr!("Active UNIX domain sockets "))?;
    out.write_all(columns.scope.localized_title())?;
    out.write_all(tr!(
        "\nProto RefCnt Flags       Type       State         I-Node  "
    ))?;
    if columns.programs {
        out.write_all(b" PID/Program name    ")?;
    }
    out.write_all(tr!(" Path\n"))
}

pub struct RowWriter {
    line: Vec<u8>,
}

impl RowWriter {
    pub fn new() -> RowWriter {
        RowWriter {
            line: Vec::with_capacity(256),
        }
    }

    pub fn write(
        &mut self,
        out: &mut impl Write,
        sock: &UnixSocket<'_>,
        owners: Option<&OwnerLabels<'_>>,
    ) -> io::Result<()> {
        let line = &mut self.line;
        line.clear();
        pad_left(line, if sock.protocol == 0 { b"unix" } else { b"??" }, 5)?;
        line.push(b' ');
        let mut num = itoa::Buffer::new();
        pad_left(line, num.format(sock.refcnt).as_bytes(), 6)?;
        line.push(b' ');
        let flags_start = line.len();
        line.extend_from_slice(b"[ ");
        for (bit, text) in [
            (Flags::ACCEPTING, &b"ACC "[..]),
            (Flags::WAITDATA, b"W "),
            (Flags::NOSPACE, b"N "),
        ] {
            if sock.flags.contains(bit) {
                line.extend_from_slice(text);
            }
        }
        line.push(b']');
        let used = line.len() - flags_start;
        write_spaces(line, 11usize.saturating_sub(used))?;
        line.push(b' ');
        pad_left(line, localized(socket_type(sock.sock_type)), 10)?;
        line.push(b' ');
        pad_left(line, localized(state(sock)), 13)?;
        line.push(b' ');
        match sock.inode {
            Some(inode) => {
                pad_left(line, num.format(inode).as_bytes(), 8)?;
                line.push(b' ');
            }
            None => line.extend_from_slice(b"-        "),
        }
        if let Some(owners) = owners {
            let start = line.len();
            match sock.inode {
                Some(inode) => owners.push(line, inode),
                None => line.push(b'-'),
            }
            let used = line.len() - start;
            write_spaces(line, owner::WIDTH.saturating_sub(used))?;
            line.push(b' ');
        }
        // net-tools reads the path with scanf("%s"): only its first word is shown.
        if let Some(path) = sock.path {
            let word = path
                .split(|b| b.is_ascii_whitespace())
                .next()
                .unwrap_or_default();
            line.extend(crate::text::sanitize(word));
        }
        line.push(b'\n');
        out.write_all(line)
    }
}

pub fn socket_type(sock_type: u16) -> &'static [u8] {
    match sock_type {
        1 => b"STREAM",
        2 => b"DGRAM",
        3 => b"RAW",
        4 => b"RDM",
        5 => b"SEQPACKET",
        _ => b"UNKNOWN",
    }
}

pub fn state(sock: &UnixSocket<'_>) -> &'static [u8] {
    match sock.state {
        0 => b"FREE",
        1 if sock.is_listening() => b"LISTENING",
        1 => b"",
        2 => b"CONNECTING",
        3 => b"CONNECTED",
        4 => b"DISCONNECTING",
        _ => b"UNKNOWN",
    }
}

/// A type or state through net-tools' catalog (the blank state is not looked up).
fn localized(text: &'static [u8]) -> &'static [u8] {
    match text {
        b"STREAM" => tr!("STREAM"),
        b"DGRAM" => tr!("DGRAM"),
        b"RAW" => tr!("RAW"),
        b"RDM" => tr!("RDM"),
        b"SEQPACKET" => tr!("SEQPACKET"),
        b"FREE" => tr!("FREE"),
        b"LISTENING" => tr!("LISTENING"),
        b"CONNECTING" => tr!("CONNECTING"),
        b"CONNECTED" => tr!("CONNECTED"),
        b"DISCONNECTING" => tr!("DISCONNECTING"),
        b"UNKNOWN" => tr!("UNKNOWN"),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(sock: &UnixSocket<'_>) -> String {
        let mut out = Vec::new();
        RowWriter::new().write(&mut out, sock, None).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn sock(
        flags: Flags,
        sock_type: u16,
        state: u8,
        path: Option<&'static [u8]>,
    ) -> UnixSocket<'static> {
        let mut sock = UnixSocket::default();
        (sock.refcnt, sock.flags, sock.sock_type, sock.state) = (2, flags, sock_type, state);
        (sock.inode, sock.path) = (Some(1028060), path);
        sock
    }

    #[test]
    fn rows_match_net_tools() {
        assert_eq!(
            render(&sock(Flags::ACCEPTING, 1, 1, Some(b"/run/demo/srv.sock"))),
            "unix  2      [ ACC ]     STREAM     LISTENING     1028060  /run/demo/srv.sock\n"
        );
        assert_eq!(
            render(&sock(Flags::empty(), 2, 1, None)),
            "unix  2      [ ]         DGRAM                    1028060  \n"
        );
        assert_eq!(
            render(&sock(
                Flags::empty(),
                1,
                3,
                Some(b"/run/demo/with space.sock")
            )),
            "unix  2      [ ]         STREAM     CONNECTED     1028060  /run/demo/with\n"
        );
        assert_eq!(
            render(&sock(Flags::all(), 9, 7, Some(b"@a\x1bb"))),
            "unix  2      [ ACC W N ] UNKNOWN    UNKNOWN       1028060  @a?b\n"
        );
    }

    #[test]
    fn old_kernels_without_inode_and_foreign_protocols() {
        let mut s = sock(Flags::empty(), 2, 1, Some(b"/dev/log"));
        s.inode = None;
        s.protocol = 1;
        assert_eq!(
            render(&s),
            "??    2      [ ]         DGRAM                    -        /dev/log\n"
        );
    }
}
