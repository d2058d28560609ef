//! The `Active Internet connections` table (spec §2; `protopr`, `inetprint` and `inet6print`
//! of `inet.c`): which sockets `-a`, `-L` and `-f` select, the header, and the rows with
//! `-A` kernel handles, `-L` listen queues, `-b` byte counters and `-v` socket-layer fields
//! (726–741's layout), addresses as `-n`, `-W` and `-l` write them. Rows come in the kernel's
//! order, TCP then UDP. The `-b`/`-v` columns are shared with the Unix-domain section. With
//! `--json` or `--json-lines` the same rows are the schema's `inet_socket` records instead.

use std::io::{self, Write};
use std::net::IpAddr;

use nettables::inet::{Family, InetSocket, Protocol, State};
use nettables::macos::SocketDetail;
use nettables::process::OwnerMap;

use crate::output::OutputFormat;
use crate::render::inet::{Row as InetRow, RowNames};
use crate::render::json::{self, InetWriter, JsonOptions, Sink};
use crate::text::{pad_left, pad_right, write_sanitized};

/// The columns and widths the flags choose.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Columns {
    /// `-A`: the socket's PCB handle and flow hash first; address columns 18 wide.
    pub pcb: bool,
    /// `-b`: received and sent bytes last.
    pub bytes: bool,
    /// `-L`: listen queues instead of Proto, queues, foreign address and state.
    pub listen: bool,
    /// `-W`: IPv4 addresses not truncated.
    pub wide: bool,
    /// `-l`: address columns 45 wide, IPv6 hosts up to 39.
    pub long: bool,
    /// `-v`, counted: the socket layer's fields (and the byte counters, as `-b`); `-vv` adds
    /// packet counts and the effective process.
    pub verbose: u8,
}

/// One row to write.
#[derive(Clone, Copy, Debug)]
pub struct Row<'a> {
    pub socket: &'a InetSocket,
    /// An IPv6 socket that takes IPv4 too (`tcp46`): printed as IPv4, as BSD does.
    pub dual_stack: bool,
    pub local: EndNames<'a>,
    pub foreign: EndNames<'a>,
    /// `None` when the kernel's extra fields were not read (no `-A`, `-L`, `-b`, `-v`).
    pub kernel: Option<KernelDetail<'a>>,
}

/// What the kernel reports about a socket beyond the library's record: the columns of `-A`,
/// `-L`, `-b` and `-v`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KernelDetail<'a> {
    /// TCP: `inp_ppcb`; others: `so_pcb` (hashed kernel addresses).
    pub pcb: u64,
    pub flow_hash: u32,
    /// `so_qlen`, `so_incqlen`, `so_qlimit`.
    pub listen_queue: (u16, u16, u16),
    pub stats: Stats<'a>,
}

/// The socket layer's columns of `-b` and `-v` (`print_socket_stats_data`), in Internet and
/// Unix rows alike.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats<'a> {
    pub detail: SocketDetail,
    /// The names of the processes `detail.last_pid` and `detail.effective_pid` (BSD:
    /// `proc_name`); empty when unknown.
    pub process: &'a [u8],
    pub eprocess: &'a [u8],
}

/// The names of one end of a socket, as the resolver found them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EndNames<'a> {
    /// The port was to be named (without `-n`, and for the side BSD names): with `-A` the
    /// host is then cut to 12 characters rather than 16.
    pub port_named: bool,
    /// The host's name and the port's service name; `None` prints the number.
    pub host: Option<&'a [u8]>,
    pub service: Option<&'a [u8]>,
    /// The interface name of an IPv6 address's scope (`fe80::1%lo0`).
    pub zone: Option<&'a [u8]>,
}

/// Which sockets are listed: TCP sockets that are closed or listening only with `-a`; with
/// `-L` only those with a listen queue (`so_qlimit`, the library's `backlog`).
pub fn selects(sock: &InetSocket, all: bool, listen: bool) -> bool {
    let tcp = sock.protocol == Protocol::Tcp;
    if !all && tcp && matches!(sock.state, State::CLOSE | State::LISTEN) {
        return false;
    }
    !listen || sock.backlog.is_some_and(|limit| limit != 0)
}

/// Writes the title and the column header (once, before the first row; an empty table prints
/// nothing).
pub fn write_header(out: &mut impl Write, columns: Columns, all: bool) -> io::Result<()> {
    let mut text = Vec::with_capacity(256);
    if columns.listen {
        text.extend_from_slice(b"Current listen queue sizes (qlen/incqlen/maxqlen)\n");
    } else {
        text.extend_from_slice(b"Active Internet connections");
        if all {
            text.extend_from_slice(b" (including servers)");
        }
        text.push(b'\n');
    }
    if columns.pcb {
        text.extend_from_slice(b"Socket           Flowhash ");
    }
    if columns.listen {
        pad_left(&mut text, b"Listen", 14)?;
        text.push(b' ');
        // BSD pads the title; the capture in the spec (§2.6) was copied without it.
        pad_left(
            &mut text,
            b"Local Address",
            if columns.long { 39 } else { 22 },
        )?;
        text.push(b'\n');
        return out.write_all(&text);
    }
    text.extend_from_slice(b"Proto Recv-Q Send-Q  ");
    let width = address_width(columns);
    pad_left(&mut text, b"Local Address", width)?;
    text.push(b' ');
    pad_left(&mut text, b"Foreign Address", width)?;
    text.push(b' ');
    pad_left(&mut text, b"(state)", 11)?;
    write_stats_header(&mut text, columns)?;
    text.push(b'\n');
    out.write_all(&text)
}

/// The titles of the `-b`/`-v` columns (`print_socket_stats_format`).
pub fn write_stats_header(text: &mut Vec<u8>, columns: Columns) -> io::Result<()> {
    let verbose = columns.verbose;
    if columns.bytes || verbose > 0 {
        match verbose {
            0 | 1 => write!(text, " {:>12} {:>12}", "rxbytes", "txbytes")?,
            _ => write!(
                text,
                " {:>12}/{:<9} {:>12}/{:<9}",
                "rxbytes", "packets", "txbytes", "packets"
            )?,
        }
    }
    if verbose > 0 {
        write!(
            text,
            " {:>7} {:>7} {:>16}:{:<6}",
            "rhiwat", "shiwat", "process", "pid"
        )?;
        if verbose > 1 {
            write!(text, " {:>16}:{:<6}", "eprocess", "epid")?;
        }
        write!(
            text,
            " {:>5} {:>8} {:>16} {:>8} {:>8} {:>6} {:>6} {:>5}",
            "state", "options", "gencnt", "flags", "flags1", "usecnt", "rtncnt", "fltrs"
        )?;
    }
    Ok(())
}

/// The `-b`/`-v` columns of one row (`print_socket_stats_data`); process names are
/// sanitized, not cut, as `%16s` leaves them.
pub fn write_stats(line: &mut Vec<u8>, columns: Columns, stats: &Stats) -> io::Result<()> {
    let verbose = columns.verbose;
    let d = &stats.detail;
    let data = d.traffic[0];
    if columns.bytes || verbose > 0 {
        match verbose {
            0 | 1 => write!(line, " {:12} {:12}", data.rx_bytes, data.tx_bytes)?,
            _ => write!(
                line,
                " {:12}/{:<9} {:12}/{:<9}",
                data.rx_bytes, data.rx_packets, data.tx_bytes, data.tx_packets
            )?,
        }
    }
    if verbose == 0 {
        return Ok(());
    }
    write!(line, " {:7} {:7} ", d.receive_hiwat, d.send_hiwat)?;
    process_pid(line, stats.process, &d.last_pid.to_string())?;
    if verbose > 1 {
        line.push(b' ');
        let (name, pid) = match d.effective_pid {
            0 => (&b""[..], String::new()),
            pid => (stats.eprocess, pid.to_string()),
        };
        process_pid(line, name, &pid)?;
    }
    write!(
        line,
        " {:05x} {:08x} {:016x} {:08x} {:08x} {:6} {:6} {:06x}",
        // `so_state` is a short, promoted to int by printf.
        i32::from(d.so_state) as u32,
        d.so_options,
        d.gencnt,
        d.flags,
        d.flags1,
        d.usecount,
        d.retaincnt,
        d.filter_flags
    )
}

/// `%16s:%-6s`: the process name right-aligned in 16, a colon, the pid left-aligned in 6.
fn process_pid(line: &mut Vec<u8>, name: &[u8], pid: &str) -> io::Result<()> {
    let mut field = Vec::with_capacity(32);
    write_sanitized(&mut field, name)?;
    pad_right(line, &field, 16)?;
    line.push(b':');
    pad_left(line, pid.as_bytes(), 6)
}

/// Writes `row` in `columns`; `line` is scratch space, kept between rows.
pub fn write_row(
    out: &mut impl Write,
    row: &Row,
    columns: Columns,
    line: &mut Vec<u8>,
) -> io::Result<()> {
    let sock = row.socket;
    let kernel = row.kernel.unwrap_or_default();
    line.clear();
    if columns.pcb {
        write!(line, "{:16x} {:8x} ", kernel.pcb, kernel.flow_hash)?;
    }
    let tcp = sock.protocol == Protocol::Tcp;
    if columns.listen {
        let (qlen, incqlen, qlimit) = kernel.listen_queue;
        pad_left(line, format!("{qlen}/{incqlen}/{qlimit}").as_bytes(), 14)?;
        line.push(b' ');
    } else {
        line.extend_from_slice(match sock.protocol {
            Protocol::Tcp => b"tcp",
            Protocol::Udp | Protocol::UdpLite => b"udp",
            Protocol::Raw => b"raw",
        });
        line.extend_from_slice(match (sock.family, row.dual_stack) {
            (_, true) => b"46",
            (Family::Inet, false) => b"4 ",
            (Family::Inet6, false) => b"6 ",
        });
        let mut num = itoa::Buffer::new();
        line.push(b' ');
        pad_right(line, num.format(sock.recv_q).as_bytes(), 6)?;
        line.push(b' ');
        pad_right(line, num.format(sock.send_q).as_bytes(), 6)?;
        line.extend_from_slice(b"  ");
    }
    let v4 = row.dual_stack || sock.family == Family::Inet;
    let ends = [(sock.local, &row.local), (sock.remote, &row.foreign)];
    // -L shows the local end only.
    for (end, names) in &ends[..if columns.listen { 1 } else { 2 }] {
        address(line, columns, v4, end.ip(), end.port(), names)?;
    }
    // The state: TCP only, not with -L; other protocols get 11 spaces, -L or not.
    match state_name(sock.state) {
        _ if !tcp => crate::text::write_spaces(line, 11)?,
        _ if columns.listen => {}
        Some(name) => pad_left(line, name.as_bytes(), 11)?,
        // A state outside BSD's eleven; the library keeps no raw number for it.
        None => pad_left(line, sock.state.0.to_string().as_bytes(), 11)?,
    }
    write_stats(line, columns, &kernel.stats)?;
    line.push(b'\n');
    out.write_all(line)
}

/// Address columns: 45 with `-l`, 18 with `-A`, else 22.
/// `--json`, `--json-lines`: the rows as `inet_socket` records, written by the renderer of
/// Linux's listing. Their `inode` is the kernel's socket handle, by which `owners` are found;
/// `host` names the ends when host names are on (no `-n`).
pub fn write_records<'n>(
    out: &mut impl Sink,
    format: OutputFormat,
    rows: &[InetSocket],
    owners: Option<&OwnerMap>,
    host: Option<impl Fn(IpAddr) -> Option<&'n [u8]>>,
) -> io::Result<()> {
    let options = JsonOptions {
        format,
        origin: None,
    };
    let mut writer = InetWriter::new(options, owners, host.is_some());
    for sock in rows {
        let name = |ip| host.as_ref().and_then(|host| host(ip));
        let row = InetRow {
            sock,
            names: RowNames {
                local_host: name(sock.local.ip()),
                remote_host: name(sock.remote.ip()),
                ..RowNames::default()
            },
            details: None,
        };
        writer.write(out, &row)?;
    }
    json::finish(out, format)
}

fn address_width(columns: Columns) -> usize {
    if columns.long {
        45
    } else if columns.pcb {
        18
    } else {
        22
    }
}

/// One end as `inetprint` (IPv4, and dual-stack sockets) or `inet6print` write it: the host
/// (`*` for the wildcard) cut to 16 characters, `.`, the port (`*` for 0), cut to the column
/// and followed by a space. IPv4 puts a space after the port inside the column and is not cut
/// with `-W`; IPv6 hosts are cut to 39 with `-l`.
fn address(
    line: &mut Vec<u8>,
    columns: Columns,
    v4: bool,
    ip: IpAddr,
    port: u16,
    names: &EndNames,
) -> io::Result<()> {
    let mut field = Vec::with_capacity(64);
    match names.host {
        _ if ip.is_unspecified() || ip.to_canonical().is_unspecified() => field.push(b'*'),
        Some(host) => write_sanitized(&mut field, host)?,
        None => match ip {
            IpAddr::V4(v4) => write!(field, "{v4}")?,
            // A dual-stack socket's IPv4 end is the mapped address's last four bytes.
            IpAddr::V6(v6) if v4 => write!(
                field,
                "{}",
                v6.to_ipv4_mapped()
                    .unwrap_or(v6.to_ipv4().unwrap_or(std::net::Ipv4Addr::UNSPECIFIED))
            )?,
            IpAddr::V6(v6) => {
                write!(field, "{v6}")?;
                if let Some(zone) = names.zone {
                    field.push(b'%');
                    write_sanitized(&mut field, zone)?;
                }
            }
        },
    }
    let host_cut = if v4 && columns.wide {
        usize::MAX
    } else if !v4 && columns.long {
        39
    } else if columns.pcb && names.port_named {
        12
    } else {
        16
    };
    field.truncate(host_cut);
    field.push(b'.');
    match (names.service, port) {
        (_, 0) => field.push(b'*'),
        (Some(service), _) => {
            let start = field.len();
            write_sanitized(&mut field, service)?;
            field.truncate(start + 15);
        }
        (None, _) => field.extend_from_slice(itoa::Buffer::new().format(port).as_bytes()),
    }
    if v4 {
        field.push(b' ');
    }
    let width = address_width(columns);
    if !(v4 && columns.wide) {
        field.truncate(width);
    }
    pad_left(line, &field, width)?;
    line.push(b' ');
    Ok(())
}

/// BSD's name of a TCP state (`tcpstates[]`).
pub fn state_name(state: State) -> Option<&'static str> {
    Some(match state {
        State::CLOSE => "CLOSED",
        State::LISTEN => "LISTEN",
        State::SYN_SENT => "SYN_SENT",
        State::SYN_RECV => "SYN_RCVD",
        State::ESTABLISHED => "ESTABLISHED",
        State::CLOSE_WAIT => "CLOSE_WAIT",
        State::FIN_WAIT1 => "FIN_WAIT_1",
        State::CLOSING => "CLOSING",
        State::LAST_ACK => "LAST_ACK",
        State::FIN_WAIT2 => "FIN_WAIT_2",
        State::TIME_WAIT => "TIME_WAIT",
        _ => return None,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::render::json::tests::Memory;
    use crate::windows::connections::tests::sock;

    fn tcp(local: &str, remote: &str, state: State) -> InetSocket {
        sock(Protocol::Tcp, local, remote, state)
    }

    fn named<'a>(host: Option<&'a str>, service: Option<&'a str>) -> EndNames<'a> {
        EndNames {
            host: host.map(str::as_bytes),
            zone: None,
            port_named: true,
            service: service.map(str::as_bytes),
        }
    }

    fn row<'a>(socket: &'a InetSocket, local: EndNames<'a>, foreign: EndNames<'a>) -> Row<'a> {
        Row {
            socket,
            dual_stack: false,
            local,
            foreign,
            kernel: None,
        }
    }

    #[test]
    fn records_follow_the_schema_with_the_kernel_handle_as_inode() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/netstat.schema.json");
        let schema: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let one = serde_json::json!({
            "$schema": schema["$schema"].clone(),
            "$defs": schema["$defs"].clone(),
            "$ref": "#/$defs/inet_socket",
        });
        let one = jsonschema::validator_for(&one).unwrap();
        let mut listener = tcp("0.0.0.0:22", "0.0.0.0:0", State::LISTEN);
        listener.inode = 0x7fb0_3cb9_5fad_8165;
        let mut udp = sock(Protocol::Udp, "[::1]:5353", "[::1]:53", State::ESTABLISHED);
        udp.inode = 0xa1;
        let rows = [listener, udp];
        let loopback = |ip: IpAddr| ip.is_loopback().then_some(&b"localhost"[..]);
        let mut out = Memory::default();
        write_records(&mut out, OutputFormat::Json, &rows, None, Some(loopback)).unwrap();
        let records: serde_json::Value = serde_json::from_slice(&out.bytes).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&records)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?}\n{records}");
        assert_eq!(records[0]["inode"], 0x7fb0_3cb9_5fad_8165_u64);
        assert_eq!(records[0]["proto"], "tcp");
        assert_eq!(records[0]["state"], "LISTEN");
        assert_eq!(records[0]["local_host"], serde_json::Value::Null);
        assert_eq!(records[1]["proto"], "udp6");
        assert_eq!(records[1]["remote_host"], "localhost");
        assert!(records[1].get("pid").is_none(), "no owners asked for");
        // -n: no host fields; --json-lines: one record per line; none: an empty array.
        type HostName = fn(IpAddr) -> Option<&'static [u8]>;
        let numbers: Option<HostName> = None;
        let mut lines = Memory::default();
        write_records(&mut lines, OutputFormat::JsonLines, &rows, None, numbers).unwrap();
        let lines = String::from_utf8(lines.bytes).unwrap();
        assert_eq!(lines.lines().count(), 2);
        for line in lines.lines() {
            let record: serde_json::Value = serde_json::from_str(line).unwrap();
            assert!(record.get("local_host").is_none(), "{line}");
            assert!(one.iter_errors(&record).next().is_none(), "{line}");
        }
        let mut empty = Memory::default();
        write_records(&mut empty, OutputFormat::Json, &[], None, numbers).unwrap();
        assert_eq!(empty.bytes, b"[]\n");
    }

    /// The `-b` columns' data counters, all else zero.
    pub(crate) fn data_stats(rx_bytes: u64, tx_bytes: u64) -> Stats<'static> {
        let mut stats = Stats::default();
        stats.detail.traffic[0].rx_bytes = rx_bytes;
        stats.detail.traffic[0].tx_bytes = tx_bytes;
        stats
    }

    /// What `header` and then `row`, once a row, write (with one scratch line between them).
    pub(crate) fn render<T>(
        header: impl FnOnce(&mut Vec<u8>) -> io::Result<()>,
        rows: &[T],
        mut row: impl FnMut(&mut Vec<u8>, &T, &mut Vec<u8>) -> io::Result<()>,
    ) -> String {
        let mut out = Vec::new();
        header(&mut out).unwrap();
        let mut line = Vec::new();
        for r in rows {
            row(&mut out, r, &mut line).unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    fn table(columns: Columns, all: bool, rows: &[Row]) -> String {
        render(
            |out| write_header(out, columns, all),
            rows,
            |out, row, line| write_row(out, row, columns, line),
        )
    }

    #[test]
    fn rows_match_the_10_14_capture() {
        // jc's osx-10.14.6/netstat.out (spec §2.3), trailing spaces kept; 728 writes the same.
        let mac = Some("kbrazil-mac.attlocal.net");
        let est = tcp(
            "192.168.1.221:62979",
            "40.77.18.167:443",
            State::ESTABLISHED,
        );
        let v6 = tcp(
            "[2600:1700:bab0:d40::1]:62485",
            "[2607:f8b0:4003:c0b::6d]:993",
            State::ESTABLISHED,
        );
        let mut cw = tcp(
            "192.168.1.221:62664",
            "93.87.236.35:5000",
            State::CLOSE_WAIT,
        );
        cw.recv_q = 31;
        let tw = tcp(
            "[2600:1700:bab0:d40::1]:62983",
            "[2600:9000:2202:9a00::1]:443",
            State::TIME_WAIT,
        );
        let mdns = sock(Protocol::Udp, "0.0.0.0:5353", "0.0.0.0:0", State::CLOSE);
        let dual = sock(Protocol::Udp, "[::]:61224", "[::]:0", State::CLOSE);
        let local_port = |host| EndNames {
            port_named: false,
            ..named(host, None)
        };
        let rows = [
            row(&est, local_port(mac), named(None, Some("https"))),
            row(
                &v6,
                local_port(mac),
                named(Some("ob-in-x6d.1e100.net"), Some("imaps")),
            ),
            row(
                &cw,
                local_port(mac),
                named(
                    Some("93.87.236.35.bc.googleusercontent.com"),
                    Some("sunproxyadmin"),
                ),
            ),
            row(&tw, local_port(mac), named(None, Some("https"))),
            row(&mdns, named(None, Some("mdns")), named(None, None)),
            Row {
                dual_stack: true,
                ..row(&dual, named(None, None), named(None, None))
            },
        ];
        let text = table(Columns::default(), false, &rows);
        assert_eq!(
            text,
            "Active Internet connections\n\
             Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)    \n\
             tcp4       0      0  kbrazil-mac.attl.62979 40.77.18.167.https     ESTABLISHED\n\
             tcp6       0      0  kbrazil-mac.attl.62485 ob-in-x6d.1e100..imaps ESTABLISHED\n\
             tcp4      31      0  kbrazil-mac.attl.62664 93.87.236.35.bc..sunpr CLOSE_WAIT \n\
             tcp6       0      0  kbrazil-mac.attl.62983 2600:9000:2202:9.https TIME_WAIT  \n\
             udp4       0      0  *.mdns                 *.*                               \n\
             udp46      0      0  *.61224                *.*                               \n"
        );
    }

    #[test]
    fn numeric_scoped_and_long_ipv6() {
        let s = tcp(
            "[fe80::aede:48ff:fe00:1122%8]:61677",
            "[fe80::aede:48ff:fe33:4455%8]:49617",
            State::ESTABLISHED,
        );
        let zone = EndNames {
            zone: Some(b"en5"),
            ..EndNames::default()
        };
        let rows = [row(&s, zone, zone)];
        let text = table(Columns::default(), true, &rows);
        assert!(text.starts_with("Active Internet connections (including servers)\n"));
        assert!(text.ends_with(
            "tcp6       0      0  fe80::aede:48ff:.61677 fe80::aede:48ff:.49617 ESTABLISHED\n"
        ));
        let long = table(
            Columns {
                long: true,
                ..Columns::default()
            },
            false,
            &rows,
        );
        let lines: Vec<&str> = long.lines().collect();
        assert_eq!(
            lines[1],
            format!(
                "Proto Recv-Q Send-Q  {:45} {:45} (state)    ",
                "Local Address", "Foreign Address"
            )
        );
        assert_eq!(
            lines[2],
            format!(
                "tcp6       0      0  {:45} {:45} ESTABLISHED",
                "fe80::aede:48ff:fe00:1122%en5.61677", "fe80::aede:48ff:fe33:4455%en5.49617"
            )
        );
    }

    #[test]
    fn pcb_and_byte_columns_match_the_abn_capture() {
        // jc's osx-10.14.6/netstat-Abn.out (spec §2.5) has 543's 10-wide byte columns; 728
        // writes them 12 wide, so only the part before them is compared byte for byte.
        let s = tcp(
            "192.168.1.221:54860",
            "140.82.113.26:443",
            State::ESTABLISHED,
        );
        let u = sock(Protocol::Udp, "0.0.0.0:58043", "0.0.0.0:0", State::CLOSE);
        let columns = Columns {
            pcb: true,
            bytes: true,
            ..Columns::default()
        };
        let rows = [
            Row {
                kernel: Some(KernelDetail {
                    pcb: 0x7fb0_3cb9_4d50_5aed,
                    flow_hash: 0xcedd_0cbf,
                    stats: data_stats(4958, 3996),
                    ..KernelDetail::default()
                }),
                ..row(&s, EndNames::default(), EndNames::default())
            },
            Row {
                kernel: Some(KernelDetail {
                    pcb: 0x7fb0_3cb9_3c70_600d,
                    flow_hash: 0x7776_62f1,
                    stats: data_stats(48, 76),
                    ..KernelDetail::default()
                }),
                ..row(&u, EndNames::default(), EndNames::default())
            },
        ];
        let text = table(columns, false, &rows);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[1],
            "Socket           Flowhash Proto Recv-Q Send-Q  Local Address      Foreign Address    (state)          rxbytes      txbytes"
        );
        assert_eq!(
            lines[2],
            "7fb03cb94d505aed cedd0cbf tcp4       0      0  192.168.1.221.5486 140.82.113.26.443  ESTABLISHED         4958         3996"
        );
        assert_eq!(
            lines[3],
            "7fb03cb93c70600d 777662f1 udp4       0      0  *.58043            *.*                                      48           76"
        );
    }

    #[test]
    fn verbose_columns_follow_the_726_formats() {
        // No capture of 726+ shows -v (spec §10); the bytes follow print_socket_stats_format
        // and print_socket_stats_data: -v adds the byte counters, -vv packets and the
        // effective process.
        let s = tcp("127.0.0.1:8080", "127.0.0.1:50123", State::ESTABLISHED);
        let mut detail = SocketDetail::default();
        let data = &mut detail.traffic[0];
        (
            data.rx_bytes,
            data.rx_packets,
            data.tx_bytes,
            data.tx_packets,
        ) = (4958, 5, 3996, 6);
        (detail.receive_hiwat, detail.send_hiwat) = (131072, 131072);
        (detail.last_pid, detail.effective_pid) = (4242, 77);
        (detail.so_state, detail.so_options, detail.gencnt) = (0x102, 0x4, 0x77);
        (detail.flags, detail.flags1) = (0x8000, 0x10);
        (detail.usecount, detail.retaincnt, detail.filter_flags) = (2, 1, 3);
        let stats = Stats {
            detail,
            process: b"nginx",
            eprocess: b"launchd-helper-with-a-long-name",
        };
        let r = Row {
            kernel: Some(KernelDetail {
                stats,
                ..KernelDetail::default()
            }),
            ..row(&s, EndNames::default(), EndNames::default())
        };
        let v = Columns {
            verbose: 1,
            ..Columns::default()
        };
        let text = table(v, false, &[r]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[1],
            concat!(
                "Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)    ",
                "      rxbytes      txbytes",
                "  rhiwat  shiwat          process:pid   ",
                " state  options           gencnt    flags   flags1 usecnt rtncnt fltrs"
            )
        );
        assert_eq!(
            lines[2],
            concat!(
                "tcp4       0      0  127.0.0.1.8080         127.0.0.1.50123        ESTABLISHED",
                "         4958         3996",
                "  131072  131072            nginx:4242  ",
                " 00102 00000004 0000000000000077 00008000 00000010      2      1 000003"
            )
        );
        let vv = Columns {
            verbose: 2,
            ..Columns::default()
        };
        let text = table(vv, false, &[r]);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[1].contains(concat!(
            "(state)          rxbytes/packets        txbytes/packets  ",
            "  rhiwat  shiwat          process:pid            eprocess:epid   state"
        )));
        assert!(lines[2].contains(concat!(
            "ESTABLISHED         4958/5                 3996/6        ",
            "  131072  131072            nginx:4242   launchd-helper-with-a-long-name:77     00102"
        )));
        let mut negative = Stats::default();
        negative.detail.so_state = -1;
        let mut line = Vec::new();
        write_stats(&mut line, v, &negative).unwrap();
        assert!(String::from_utf8(line).unwrap().contains(" ffffffff "));
    }

    #[test]
    fn wide_keeps_ipv4_whole_and_listen_queues() {
        let s = tcp(
            "192.168.1.221:62979",
            "40.77.18.167:443",
            State::ESTABLISHED,
        );
        let names = named(Some("kbrazil-mac.attlocal.net"), None);
        let text = table(
            Columns {
                wide: true,
                ..Columns::default()
            },
            false,
            &[row(&s, names, EndNames::default())],
        );
        assert!(text.ends_with(
            "tcp4       0      0  kbrazil-mac.attlocal.net.62979  40.77.18.167.443       ESTABLISHED\n"
        ));
        let mut listener = sock(Protocol::Tcp, "0.0.0.0:80", "0.0.0.0:0", State::LISTEN);
        listener.backlog = Some(128);
        assert!(!selects(&listener, false, false));
        assert!(selects(&listener, true, true));
        let udp = sock(Protocol::Udp, "0.0.0.0:53", "0.0.0.0:0", State::CLOSE);
        assert!(selects(&udp, false, false) && !selects(&udp, true, true));
        let text = table(
            Columns {
                listen: true,
                ..Columns::default()
            },
            true,
            &[Row {
                kernel: Some(KernelDetail {
                    listen_queue: (10, 0, 128),
                    ..KernelDetail::default()
                }),
                ..row(&listener, EndNames::default(), EndNames::default())
            }],
        );
        // The nginx capture of spec §2.6, with the padding BSD's formats give.
        assert_eq!(
            text,
            "Current listen queue sizes (qlen/incqlen/maxqlen)\n\
             Listen         Local Address         \n\
             10/0/128       *.80                   \n"
        );
    }

    #[test]
    fn every_state_has_its_bsd_spelling() {
        // tcpstates[] of tcp_fsm.h, by the library's state.
        let spelled = [
            (State::CLOSE, "CLOSED"),
            (State::LISTEN, "LISTEN"),
            (State::SYN_SENT, "SYN_SENT"),
            (State::SYN_RECV, "SYN_RCVD"),
            (State::ESTABLISHED, "ESTABLISHED"),
            (State::CLOSE_WAIT, "CLOSE_WAIT"),
            (State::FIN_WAIT1, "FIN_WAIT_1"),
            (State::CLOSING, "CLOSING"),
            (State::LAST_ACK, "LAST_ACK"),
            (State::FIN_WAIT2, "FIN_WAIT_2"),
            (State::TIME_WAIT, "TIME_WAIT"),
        ];
        for (state, name) in spelled {
            assert_eq!(state_name(state), Some(name));
        }
        assert_eq!(state_name(State(0)), None);
    }
}
