//! The `Active LOCAL (UNIX) domain sockets` section (spec §3; `unixdomainpr_n` of `unix.c`):
//! the kernel's handles of each socket, its queues, the `-b`/`-v` columns of the Internet
//! table, and the bound path. Stream sockets come first, then datagram ones, each in the
//! kernel's order; `-a` does not matter here.

use std::io::{self, Write};

use super::sockets::{Columns, Stats, write_stats, write_stats_header};
use crate::text::{pad_left, pad_right, write_sanitized};

/// One Unix-domain socket to write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnixRow<'a> {
    /// `xunp_unpp`, the Address column.
    pub pcb: u64,
    /// `so_type`: 1 stream, 2 dgram, ...
    pub sock_type: u16,
    pub recv_q: u32,
    pub send_q: u32,
    /// `xunp_vnode` (titled Inode), `xunp_conn`, `xunp_refs`, `xunp_reflink`.
    pub vnode: u64,
    pub conn: u64,
    pub refs: u64,
    pub reflink: u64,
    /// The bound path; `None` when the socket is not bound.
    pub path: Option<&'a [u8]>,
    pub stats: Stats<'a>,
}

/// Writes the title and the column header (once, before the first row; no sockets print
/// nothing). Only `bytes` and `verbose` of `columns` matter here.
pub fn write_header(out: &mut impl Write, columns: Columns) -> io::Result<()> {
    let mut text = Vec::with_capacity(256);
    text.extend_from_slice(b"Active LOCAL (UNIX) domain sockets\n");
    write!(
        text,
        "{:<16} {:<6} {:<6} {:<6} {:>16} {:>16} {:>16} {:>16}",
        "Address", "Type", "Recv-Q", "Send-Q", "Inode", "Conn", "Refs", "Nextref"
    )?;
    write_stats_header(&mut text, columns)?;
    text.extend_from_slice(b" Addr\n");
    out.write_all(&text)
}

/// Writes `row`; `line` is scratch space, kept between rows.
pub fn write_row(
    out: &mut impl Write,
    row: &UnixRow,
    columns: Columns,
    line: &mut Vec<u8>,
) -> io::Result<()> {
    line.clear();
    write!(line, "{:16x} ", row.pcb)?;
    pad_left(line, type_name(row.sock_type).as_bytes(), 6)?;
    let mut num = itoa::Buffer::new();
    line.push(b' ');
    pad_right(line, num.format(row.recv_q).as_bytes(), 6)?;
    line.push(b' ');
    pad_right(line, num.format(row.send_q).as_bytes(), 6)?;
    write!(
        line,
        " {:16x} {:16x} {:16x} {:16x}",
        row.vnode, row.conn, row.refs, row.reflink
    )?;
    write_stats(line, columns, &row.stats)?;
    if let Some(path) = row.path {
        line.push(b' ');
        write_sanitized(line, path)?;
    }
    line.push(b'\n');
    out.write_all(line)
}

/// BSD's `socktype[]` name of a socket type; `#N` for one past its table.
fn type_name(sock_type: u16) -> std::borrow::Cow<'static, str> {
    match sock_type {
        0 => "#0".into(),
        1 => "stream".into(),
        2 => "dgram".into(),
        3 => "raw".into(),
        4 => "rdm".into(),
        5 => "seqpacket".into(),
        n => format!("#{n}").into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::macos::sockets::tests::{data_stats, render};

    fn section(columns: Columns, rows: &[UnixRow]) -> String {
        render(
            |out| write_header(out, columns),
            rows,
            |out, row, line| write_row(out, row, columns, line),
        )
    }

    #[test]
    fn rows_match_the_10_14_capture() {
        // jc's osx-10.14.6/netstat.out (spec §3); 728 writes the same without -b/-v.
        let rows = [
            UnixRow {
                pcb: 0x7fb0_3cb9_4a63_a7cd,
                sock_type: 1,
                recv_q: 1,
                conn: 0x7fb0_3cb9_4a63_cedd,
                ..UnixRow::default()
            },
            UnixRow {
                pcb: 0x7fb0_3cb9_4a63_b065,
                sock_type: 1,
                conn: 0x7fb0_3cb9_4a63_b2bd,
                path: Some(
                    b"/Users/kbrazil/Library/Containers/com.docker.docker/Data/docker.raw.sock",
                ),
                ..UnixRow::default()
            },
        ];
        assert_eq!(
            section(Columns::default(), &rows),
            "Active LOCAL (UNIX) domain sockets\n\
             Address          Type   Recv-Q Send-Q            Inode             Conn             Refs          Nextref Addr\n\
             7fb03cb94a63a7cd stream      1      0                0 7fb03cb94a63cedd                0                0\n\
             7fb03cb94a63b065 stream      0      0                0 7fb03cb94a63b2bd                0                0 /Users/kbrazil/Library/Containers/com.docker.docker/Data/docker.raw.sock\n"
        );
    }

    #[test]
    fn byte_and_verbose_columns_come_before_the_path() {
        // No capture of 726+ shows these; the bytes follow unixdomainpr_n's printf formats.
        let mut stats = data_stats(4958, 3996);
        let d = &mut stats.detail;
        (d.receive_hiwat, d.send_hiwat, d.last_pid) = (8192, 2048, 93);
        (d.so_options, d.gencnt, d.usecount) = (0x4, 0x77, 1);
        let row = UnixRow {
            pcb: 0xa1,
            sock_type: 2,
            path: Some(b"/var/run/syslog\x1b[2J"),
            stats: Stats {
                process: b"syslogd",
                ..stats
            },
            ..UnixRow::default()
        };
        let bytes = Columns {
            bytes: true,
            ..Columns::default()
        };
        let text = section(bytes, &[row]);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[1].ends_with("          Nextref      rxbytes      txbytes Addr"));
        assert!(
            lines[2].ends_with("                0         4958         3996 /var/run/syslog?[2J")
        );
        let verbose = Columns {
            verbose: 1,
            ..Columns::default()
        };
        let text = section(verbose, &[row]);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[1].ends_with(
            "      rxbytes      txbytes  rhiwat  shiwat          process:pid    state  options           gencnt    flags   flags1 usecnt rtncnt fltrs Addr"
        ));
        assert!(lines[2].starts_with("              a1 dgram       0      0 "));
        assert!(lines[2].ends_with(
            "         4958         3996    8192    2048          syslogd:93     00000 00000004 0000000000000077 00000000 00000000      1      0 000000 /var/run/syslog?[2J"
        ));
    }
}
