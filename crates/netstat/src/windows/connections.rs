//! The `Active Connections` table (spec §2): which sockets `-a`, `-q` and `-p` select, in
//! Windows' order, and the rows with `-o` PIDs, `-b` owners and `-t` offload states.

use std::cmp::Ordering;
use std::io::{self, Write};
use std::net::SocketAddr;

use nettables::inet::{Family, InetSocket, Protocol, State};

use super::CRLF;
use crate::text::{pad_left, write_sanitized};

/// One of the four groups Windows lists connections in, in its order; `-p` picks one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    Tcp,
    TcpV6,
    Udp,
    UdpV6,
}

impl Group {
    /// The group of a socket; `None` for tables Windows does not list (raw, UDP-Lite).
    pub fn of(sock: &InetSocket) -> Option<Group> {
        match (sock.protocol, sock.family) {
            (Protocol::Tcp, Family::Inet) => Some(Group::Tcp),
            (Protocol::Tcp, Family::Inet6) => Some(Group::TcpV6),
            (Protocol::Udp, Family::Inet) => Some(Group::Udp),
            (Protocol::Udp, Family::Inet6) => Some(Group::UdpV6),
            (Protocol::UdpLite | Protocol::Raw, _) => None,
        }
    }
}

/// Which rows to list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// `-a`: listeners and UDP endpoints too.
    pub all: bool,
    /// `-q`: as `-a`, and bound TCP ports that do not listen.
    pub bound: bool,
    /// `-p`: one group only.
    pub group: Option<Group>,
}

impl Selection {
    /// Whether the socket is listed. Without `-a`/`-q` only TCP connections are (not
    /// listeners, not UDP), as the documentation says; real Windows shows SYN_SENT and the
    /// FIN states then too.
    pub fn selects(&self, sock: &InetSocket) -> bool {
        let Some(group) = Group::of(sock) else {
            return false;
        };
        if self.group.is_some_and(|g| g != group) {
            return false;
        }
        let tcp = sock.protocol == Protocol::Tcp;
        if is_bound(sock) {
            return self.bound;
        }
        if self.all || self.bound {
            return true;
        }
        tcp && sock.state != State::LISTEN
    }
}

/// A TCP socket bound to a port and neither listening nor connected (`BOUND`, shown by `-q`).
fn is_bound(sock: &InetSocket) -> bool {
    sock.protocol == Protocol::Tcp && sock.state == State::CLOSE && sock.remote.port() == 0
}

/// Windows' row order: TCP, TCPv6, UDP, UDPv6; inside each, by local address (numerically),
/// then local port. (Checked over 208 rows of a real capture, spec §2.4.)
pub fn order(a: &InetSocket, b: &InetSocket) -> Ordering {
    let key = |s: &InetSocket| (Group::of(s), s.local.ip(), s.local.port());
    key(a).cmp(&key(b))
}

/// Columns besides the first four.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Columns {
    /// `-o`: the owning process id.
    pub pid: bool,
    /// `-t`: the offload state.
    pub offload: bool,
}

/// A connection's offload state (`-t`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    not(test),
    expect(
        dead_code,
        reason = "IP Helper's offload state is not read: every row is InHost"
    )
)]
pub enum Offload {
    #[default]
    InHost,
    Offloading,
    Offloaded,
    Uploading,
}

impl Offload {
    fn name(self) -> &'static [u8] {
        match self {
            Offload::InHost => b"InHost",
            Offload::Offloading => b"Offloading",
            Offload::Offloaded => b"Offloaded",
            Offload::Uploading => b"Uploading",
        }
    }
}

/// Who owns a connection, for `-b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner<'a> {
    /// The process's executable (`svchost.exe`), and the components that made the
    /// connection inside it (service names such as `RpcSs`), innermost first.
    Known {
        image: &'a [u8],
        components: &'a [&'a [u8]],
    },
    /// The owner could not be read (not elevated, or a system process).
    Unknown,
}

/// One row to write.
#[derive(Clone, Copy, Debug)]
pub struct Row<'a> {
    pub socket: &'a InetSocket,
    /// The owning process; 0 when there is none (TIME_WAIT) or it is unknown.
    pub pid: u32,
    /// The foreign endpoint as names (`svr01:https`), when names were resolved; without it
    /// the endpoint is written numerically. Windows 10 and later keep the local side numeric.
    pub foreign_names: Option<&'a [u8]>,
    pub offload: Offload,
    /// For `-b`: the owner, written on lines below the row.
    pub owner: Option<Owner<'a>>,
}

const TITLE: &[u8] = b"\r\nActive Connections\r\n\r\n";
const HEADER: &[u8] = b"  Proto  Local Address          Foreign Address        State";

/// Writes the title and the column header.
pub fn write_header(out: &mut impl Write, columns: Columns) -> io::Result<()> {
    out.write_all(TITLE)?;
    out.write_all(HEADER)?;
    if columns.pid {
        out.write_all(b"           PID")?;
    }
    if columns.offload {
        out.write_all(b"           Offload State")?;
        // -t puts an empty line under the header (spec §2.7).
        out.write_all(CRLF)?;
    }
    out.write_all(CRLF)
}

/// Writes one row, then its `-b` lines. `line` is scratch space, reused between rows.
pub fn write_row(
    out: &mut impl Write,
    columns: Columns,
    row: &Row,
    line: &mut Vec<u8>,
) -> io::Result<()> {
    let sock = row.socket;
    line.clear();
    line.extend_from_slice(b"  ");
    let proto: &[u8] = match sock.protocol {
        Protocol::Tcp => b"TCP",
        Protocol::Udp | Protocol::UdpLite => b"UDP",
        Protocol::Raw => b"RAW",
    };
    pad_left(line, proto, 5)?;
    line.extend_from_slice(b"  ");
    endpoint(line, &sock.local)?;
    line.extend_from_slice(b"  ");
    match row.foreign_names {
        Some(names) => {
            let start = line.len();
            write_sanitized(line, names)?;
            let written = line.len() - start;
            crate::text::write_spaces(line, 21usize.saturating_sub(written))?;
        }
        None if sock.protocol != Protocol::Tcp && sock.remote.ip().is_unspecified() => {
            pad_left(line, b"*:*", 21)?;
        }
        None => endpoint(line, &sock.remote)?,
    }
    line.extend_from_slice(b"  ");
    let state = state_name(sock);
    if columns.pid || columns.offload {
        // Every column but the last is padded: the state to 12, then four spaces.
        pad_left(line, state.as_bytes(), 12)?;
        line.extend_from_slice(b"    ");
        if columns.pid {
            line.extend_from_slice(itoa::Buffer::new().format(row.pid).as_bytes());
            if columns.offload {
                line.push(b'\t'); // Server 2003's -to format; unverified since (spec §2.7)
            }
        }
        if columns.offload {
            pad_left(line, row.offload.name(), 12)?;
        }
    } else {
        line.extend_from_slice(state.as_bytes());
    }
    line.extend_from_slice(CRLF);
    out.write_all(line)?;
    if let Some(owner) = row.owner {
        write_owner(out, row.pid, owner)?;
    }
    Ok(())
}

/// `a.b.c.d:port` or `[v6%zone]:port`, padded to 21 (longer ones push the rest right).
fn endpoint(line: &mut Vec<u8>, addr: &SocketAddr) -> io::Result<()> {
    let start = line.len();
    // Rust writes endpoints as Windows does: brackets for IPv6, the zone as `%index`.
    write!(line, "{addr}")?;
    let written = line.len() - start;
    crate::text::write_spaces(line, 21usize.saturating_sub(written))
}

/// The state column: Windows' spelling, empty for UDP.
pub fn state_name(sock: &InetSocket) -> std::borrow::Cow<'static, str> {
    if sock.protocol != Protocol::Tcp {
        return "".into();
    }
    if is_bound(sock) {
        return "BOUND".into();
    }
    let name = match sock.state {
        State::ESTABLISHED => "ESTABLISHED",
        State::SYN_SENT => "SYN_SENT",
        State::SYN_RECV => "SYN_RECEIVED",
        State::FIN_WAIT1 => "FIN_WAIT_1",
        State::FIN_WAIT2 => "FIN_WAIT_2",
        State::TIME_WAIT => "TIME_WAIT",
        State::CLOSE => "CLOSED",
        State::CLOSE_WAIT => "CLOSE_WAIT",
        State::LAST_ACK => "LAST_ACK",
        State::LISTEN => "LISTENING",
        State::CLOSING => "CLOSING",
        State(other) => return other.to_string().into(),
    };
    name.into()
}

/// The `-b` lines under a row: components indented by two, the executable in brackets
/// indented by one, or the failure line. Rows without a process (PID 0) get none.
fn write_owner(out: &mut impl Write, pid: u32, owner: Owner) -> io::Result<()> {
    if pid == 0 {
        return Ok(());
    }
    match owner {
        Owner::Known { image, components } => {
            for component in components {
                out.write_all(b"  ")?;
                write_sanitized(out, component)?;
                out.write_all(CRLF)?;
            }
            out.write_all(b" [")?;
            write_sanitized(out, image)?;
            out.write_all(b"]")?;
            out.write_all(CRLF)
        }
        Owner::Unknown => {
            out.write_all(b" Can not obtain ownership information")?;
            out.write_all(CRLF)
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sock(protocol: Protocol, local: &str, remote: &str, state: State) -> InetSocket {
        InetSocket::new(
            protocol,
            local.parse().unwrap(),
            remote.parse().unwrap(),
            state,
        )
    }

    pub(crate) fn tcp(local: &str, remote: &str, state: State) -> InetSocket {
        sock(Protocol::Tcp, local, remote, state)
    }

    /// A UDP socket; `remote` is the unspecified address when it is not connected.
    pub(crate) fn udp(local: &str, remote: &str) -> InetSocket {
        sock(Protocol::Udp, local, remote, State::CLOSE)
    }

    /// The columns of `-o`.
    pub(crate) const PIDS: Columns = Columns {
        pid: true,
        offload: false,
    };

    pub(crate) fn table(columns: Columns, rows: &[Row]) -> String {
        let mut out = Vec::new();
        write_header(&mut out, columns).unwrap();
        let mut line = Vec::new();
        for row in rows {
            write_row(&mut out, columns, row, &mut line).unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    pub(crate) fn row(socket: &InetSocket, pid: u32) -> Row<'_> {
        Row {
            socket,
            pid,
            foreign_names: None,
            offload: Offload::InHost,
            owner: None,
        }
    }

    #[test]
    fn rows_with_pids_match_a_windows_10_capture() {
        // Verbatim rows of jc's netstat-aon.out (spec §2.2), CRLF and trailing spaces kept.
        let listen = tcp("0.0.0.0:135", "0.0.0.0:0", State::LISTEN);
        let tw = tcp(
            "192.168.31.221:4713",
            "157.240.252.61:5222",
            State::TIME_WAIT,
        );
        let dns = udp("0.0.0.0:53", "0.0.0.0:0");
        let ssdp = udp("[fe80::244e:2f1e:2096:62b2%9]:1900", "[::]:0");
        let text = table(
            PIDS,
            &[
                row(&listen, 1712),
                row(&tw, 0),
                row(&dns, 4808),
                row(&ssdp, 8844),
            ],
        );
        assert_eq!(
            text,
            "\r\nActive Connections\r\n\r\n\
             \x20 Proto  Local Address          Foreign Address        State           PID\r\n\
             \x20 TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       1712\r\n\
             \x20 TCP    192.168.31.221:4713    157.240.252.61:5222    TIME_WAIT       0\r\n\
             \x20 UDP    0.0.0.0:53             *:*                                    4808\r\n\
             \x20 UDP    [fe80::244e:2f1e:2096:62b2%9]:1900  *:*                                    8844\r\n"
        );
        // Column offsets of the header (spec §2.1).
        let header = text.lines().nth(3).unwrap();
        for (name, at) in [
            ("Proto", 2),
            ("Local Address", 9),
            ("Foreign Address", 32),
            ("State", 55),
            ("PID", 71),
        ] {
            assert_eq!(header.find(name), Some(at), "{name}");
        }
    }

    #[test]
    fn rows_without_pids_end_after_the_state_or_in_padding() {
        let est = tcp("127.0.0.1:1031", "127.0.0.1:1032", State::ESTABLISHED);
        let dns = udp("0.0.0.0:53", "0.0.0.0:0");
        let v6 = tcp("[::]:135", "[::]:0", State::LISTEN);
        let text = table(
            Columns::default(),
            &[row(&est, 0), row(&v6, 0), row(&dns, 0)],
        );
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(
            lines[3],
            "  Proto  Local Address          Foreign Address        State"
        );
        assert_eq!(
            lines[4],
            "  TCP    127.0.0.1:1031         127.0.0.1:1032         ESTABLISHED"
        );
        assert_eq!(
            lines[5],
            "  TCP    [::]:135               [::]:0                 LISTENING"
        );
        // *:* and 20 spaces: the line is 55 long (spec §2.2).
        assert_eq!(
            lines[6],
            format!("  UDP    0.0.0.0:53             *:*{}", " ".repeat(20))
        );
        assert_eq!(lines[6].len(), 55);
        assert_eq!(lines[7], "");
    }

    #[test]
    fn long_addresses_push_the_columns_right_by_two_spaces() {
        // spec §2.2, S7: an overflowing address is followed by exactly two spaces.
        let a = "[2001:0:9d38:6ab8:20:23e1:2df3:9a56]:50395";
        let b = "[2001:0:9d38:6ab8:20:23e1:2df3:9a56]:8080";
        let s = sock(Protocol::Tcp, a, b, State::TIME_WAIT);
        let text = table(PIDS, &[row(&s, 0)]);
        assert!(
            text.ends_with(&format!("  TCP    {a}  {b}  TIME_WAIT       0\r\n")),
            "{text:?}"
        );
    }

    #[test]
    fn every_state_has_its_windows_spelling() {
        let names: Vec<String> = [
            State::ESTABLISHED,
            State::SYN_SENT,
            State::SYN_RECV,
            State::FIN_WAIT1,
            State::FIN_WAIT2,
            State::TIME_WAIT,
            State::CLOSE_WAIT,
            State::LAST_ACK,
            State::LISTEN,
            State::CLOSING,
            State(42),
        ]
        .into_iter()
        .map(|st| state_name(&sock(Protocol::Tcp, "10.0.0.1:1", "10.0.0.2:2", st)).into_owned())
        .collect();
        assert_eq!(
            names,
            [
                "ESTABLISHED",
                "SYN_SENT",
                "SYN_RECEIVED",
                "FIN_WAIT_1",
                "FIN_WAIT_2",
                "TIME_WAIT",
                "CLOSE_WAIT",
                "LAST_ACK",
                "LISTENING",
                "CLOSING",
                "42"
            ]
        );
        let bound = tcp("0.0.0.0:22", "0.0.0.0:0", State::CLOSE);
        assert_eq!(state_name(&bound), "BOUND");
        let closed = tcp("10.0.0.1:5", "10.0.0.2:80", State::CLOSE);
        assert_eq!(state_name(&closed), "CLOSED");
    }

    #[test]
    fn owner_lines_match_a_b_capture() {
        // jc's netstat-aonb.out (spec §2.6).
        let rpc = tcp("0.0.0.0:135", "0.0.0.0:0", State::LISTEN);
        let smb = tcp("0.0.0.0:445", "0.0.0.0:0", State::LISTEN);
        let tw = tcp(
            "192.168.31.221:4713",
            "157.240.252.61:5222",
            State::TIME_WAIT,
        );
        let web = tcp(
            "192.168.31.221:4714",
            "212.199.140.34:443",
            State::ESTABLISHED,
        );
        let rpcss: &[&[u8]] = &[b"RpcSs"];
        let rows = [
            Row {
                owner: Some(Owner::Known {
                    image: b"svchost.exe",
                    components: rpcss,
                }),
                ..row(&rpc, 1712)
            },
            Row {
                owner: Some(Owner::Unknown),
                ..row(&smb, 4)
            },
            Row {
                owner: Some(Owner::Unknown),
                ..row(&tw, 0)
            },
            Row {
                owner: Some(Owner::Known {
                    image: b"What\x1bsApp.exe",
                    components: &[],
                }),
                ..row(&web, 33968)
            },
        ];
        let text = table(PIDS, &rows);
        let body: Vec<&str> = text.split("\r\n").skip(4).collect();
        assert_eq!(
            body,
            [
                "  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       1712",
                "  RpcSs",
                " [svchost.exe]",
                "  TCP    0.0.0.0:445            0.0.0.0:0              LISTENING       4",
                " Can not obtain ownership information",
                "  TCP    192.168.31.221:4713    157.240.252.61:5222    TIME_WAIT       0",
                "  TCP    192.168.31.221:4714    212.199.140.34:443     ESTABLISHED     33968",
                " [What?sApp.exe]",
                "",
            ]
        );
    }

    #[test]
    fn offload_states_and_resolved_names() {
        let s = tcp("10.10.10.14:80", "10.10.14.16:51528", State::CLOSE_WAIT);
        let text = table(
            Columns {
                pid: false,
                offload: true,
            },
            &[row(&s, 0)],
        );
        assert_eq!(
            text,
            "\r\nActive Connections\r\n\r\n\
             \x20 Proto  Local Address          Foreign Address        State           Offload State\r\n\
             \r\n\
             \x20 TCP    10.10.10.14:80         10.10.14.16:51528      CLOSE_WAIT      InHost      \r\n"
        );
        let names = [
            Offload::InHost,
            Offload::Offloading,
            Offload::Offloaded,
            Offload::Uploading,
        ]
        .map(Offload::name);
        assert_eq!(
            names,
            [&b"InHost"[..], b"Offloading", b"Offloaded", b"Uploading"]
        );
        let named = Row {
            foreign_names: Some(b"lb-140-82-114-22-iad:https"),
            ..row(&s, 0)
        };
        let text = table(Columns::default(), &[named]);
        assert!(text.ends_with(
            "  TCP    10.10.10.14:80         lb-140-82-114-22-iad:https  CLOSE_WAIT\r\n"
        ));
    }

    #[test]
    fn selection_and_order() {
        let est6 = tcp("[::1]:5000", "[::1]:6000", State::ESTABLISHED);
        let listen = tcp("0.0.0.0:135", "0.0.0.0:0", State::LISTEN);
        let bound = tcp("0.0.0.0:22", "0.0.0.0:0", State::CLOSE);
        let syn = tcp("10.0.0.1:40000", "10.0.0.9:80", State::SYN_SENT);
        let udp6 = udp("[::]:500", "[::]:0");
        let dns = udp("0.0.0.0:53", "0.0.0.0:0");
        let est = tcp("10.0.0.1:22", "10.0.0.9:5000", State::ESTABLISHED);
        let raw = sock(Protocol::Raw, "0.0.0.0:1", "0.0.0.0:0", State::CLOSE);
        let all = [&est6, &listen, &bound, &syn, &udp6, &dns, &est, &raw];
        let pick = |sel: Selection| {
            let mut rows: Vec<&InetSocket> =
                all.iter().copied().filter(|s| sel.selects(s)).collect();
            rows.sort_by(|a, b| order(a, b));
            rows.iter().map(|s| s.local.to_string()).collect::<Vec<_>>()
        };
        assert_eq!(
            pick(Selection::default()),
            ["10.0.0.1:22", "10.0.0.1:40000", "[::1]:5000"]
        );
        let listed_by_a = [
            "0.0.0.0:135",
            "10.0.0.1:22",
            "10.0.0.1:40000",
            "[::1]:5000",
            "0.0.0.0:53",
            "[::]:500",
        ];
        assert_eq!(
            pick(Selection {
                all: true,
                ..Selection::default()
            }),
            listed_by_a
        );
        // -q: as -a, and the bound port, in its place in the order.
        let mut listed_by_q = vec!["0.0.0.0:22"];
        listed_by_q.extend(listed_by_a);
        assert_eq!(
            pick(Selection {
                bound: true,
                ..Selection::default()
            }),
            listed_by_q
        );
        assert_eq!(
            pick(Selection {
                all: true,
                bound: false,
                group: Some(Group::UdpV6)
            }),
            ["[::]:500"]
        );
    }
}
