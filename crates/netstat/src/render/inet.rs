//! The Internet socket table in net-tools' text format.

use std::io::{self, Write};
use std::net::IpAddr;

use nettables::inet::{Family, InetSocket, Protocol, State, TimerKind};
use nettables::tcp_info::TcpDetails;

use super::addr::{mapped_ipv4, push_endpoint, push_ipv4, push_ipv6};
use super::owner::{self, OwnerLabels};
use crate::i18n::{Arg, printf, tr};
use crate::text::{pad_left, pad_right, sanitize, write_spaces};

/// Which sockets a table shows (`-a`, `-l` or neither), as its title says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scope {
    /// Neither: every socket but the servers.
    #[default]
    Connected,
    /// `-l`: only the servers.
    Listening,
    /// `-a`: every socket.
    All,
}

impl Scope {
    /// `(w/o servers)`, `(only servers)` or `(servers and established)`.
    pub fn title(self) -> &'static [u8] {
        match self {
            Scope::Connected => b"(w/o servers)",
            Scope::Listening => b"(only servers)",
            Scope::All => b"(servers and established)",
        }
    }

    /// [`Scope::title`] through net-tools' catalog, as net-tools' tables print it.
    pub fn localized_title(self) -> &'static [u8] {
        match self {
            Scope::Connected => tr!("(w/o servers)"),
            Scope::Listening => tr!("(only servers)"),
            Scope::All => tr!("(servers and established)"),
        }
    }
}

/// The title and columns of the socket tables, as the command line chose them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Columns {
    /// Which sockets the title says are shown.
    pub scope: Scope,
    /// `-e`: the User and Inode columns.
    pub user_inode: bool,
    /// `-p`: the PID/Program name column.
    pub programs: bool,
    /// `-o`: the Timer column.
    pub timers: bool,
    /// `-W`: addresses are never cut to the column.
    pub wide: bool,
    /// `-n` for hosts: the unspecified IPv6 address shows as `::` rather than `[::]`.
    pub numeric_hosts: bool,
}

/// The names one row shows, looked up beforehand; `None` shows the number.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RowNames<'a> {
    pub local_host: Option<&'a [u8]>,
    pub local_service: Option<&'a [u8]>,
    pub remote_host: Option<&'a [u8]>,
    pub remote_service: Option<&'a [u8]>,
    /// The owner's user name (`-e`).
    pub user: Option<&'a [u8]>,
}

/// One row to write: the socket, its names, and its `--tcp-info` details if any.
#[derive(Clone, Copy, Debug)]
pub struct Row<'a> {
    pub sock: &'a InetSocket,
    pub names: RowNames<'a>,
    pub details: Option<&'a TcpDetails>,
}

/// Writes the two header lines of the Internet table.
pub fn write_header(out: &mut impl Write, columns: &Columns) -> io::Result<()> {
    out.write_all(tr!("Active Internet connections "))?;
    out.write_all(columns.scope.localized_title())?;
    out.write_all(tr!(
        "\nProto Recv-Q Send-Q Local Address           Foreign Address         State      "
    ))?;
    if columns.user_inode {
        out.write_all(tr!(" User       Inode     "))?;
    }
    if columns.programs {
        out.write_all(b" PID/Program name    ")?;
    }
    if columns.timers {
        out.write_all(tr!(" Timer"))?;
    }
    out.write_all(b"\n")
}

/// Formats rows into a reused scratch buffer, then writes them out.
pub struct RowWriter<'a> {
    columns: Columns,
    /// The `-p` column's labels; no column without them.
    owners: Option<&'a OwnerLabels<'a>>,
    line: Vec<u8>,
    host: Vec<u8>,
    port: Vec<u8>,
}

impl<'a> RowWriter<'a> {
    pub fn new(columns: Columns, owners: Option<&'a OwnerLabels<'a>>) -> RowWriter<'a> {
        RowWriter {
            columns,
            owners,
            line: Vec::with_capacity(256),
            host: Vec::with_capacity(64),
            port: Vec::with_capacity(32),
        }
    }

    /// Writes one row, and its `--tcp-info` details on a second line.
    pub fn write(&mut self, out: &mut impl Write, row: &Row<'_>) -> io::Result<()> {
        let (columns, sock, names) = (self.columns, row.sock, &row.names);
        let line = &mut self.line;
        line.clear();
        // net-tools prints "%-4s  " for TCP and raw and "%-5s " for UDP: the same columns.
        pad_left(line, proto_column(sock).as_bytes(), 6)?;
        let mut num = itoa::Buffer::new();
        pad_right(line, num.format(sock.recv_q).as_bytes(), 6)?;
        line.push(b' ');
        pad_right(line, num.format(sock.send_q).as_bytes(), 6)?;
        line.push(b' ');

        for (addr, host, service) in [
            (sock.local, names.local_host, names.local_service),
            (sock.remote, names.remote_host, names.remote_service),
        ] {
            self.host.clear();
            push_host(&mut self.host, addr.ip(), host, columns.numeric_hosts);
            self.port.clear();
            push_port(&mut self.port, addr.port(), service);
            let start = line.len();
            push_endpoint(line, &self.host, &self.port, columns.wide);
            let used = line.len() - start;
            write_spaces(line, 23usize.saturating_sub(used))?;
            line.push(b' ');
        }

        match sock.protocol {
            Protocol::Tcp => pad_left(line, localized_state(tcp_state(sock.state)), 11)?,
            Protocol::Udp | Protocol::UdpLite => {
                pad_left(line, localized_state(udp_state(sock.state)), 11)?
            }
            Protocol::Raw => pad_left(line, num.format(sock.state.0).as_bytes(), 11)?,
        }

        if columns.user_inode {
            line.push(b' ');
            match names.user {
                Some(user) => {
                    let start = line.len();
                    line.extend(sanitize(user));
                    let used = line.len() - start;
                    write_spaces(line, 10usize.saturating_sub(used))?;
                }
                None => pad_left(line, num.format(sock.uid).as_bytes(), 10)?,
            }
            line.push(b' ');
            pad_left(line, num.format(sock.inode).as_bytes(), 10)?;
        }
        if let Some(owners) = self.owners {
            line.push(b' ');
            let start = line.len();
            owners.push(line, sock.inode);
            let used = line.len() - start;
            write_spaces(line, owner::WIDTH.saturating_sub(used))?;
        }
        if columns.timers {
            line.push(b' ');
            push_timer(line, sock);
        }
        line.push(b'\n');
        out.write_all(line)?;
        match row.details {
            Some(details) => super::tcp_info::write_line(out, details),
            None => Ok(()),
        }
    }
}

/// Appends the host part: its name, or the number in net-tools' form (IPv4-mapped addresses
/// as IPv4, the IPv6 wildcard as `[::]` unless hosts are numeric).
fn push_host(out: &mut Vec<u8>, ip: IpAddr, name: Option<&[u8]>, numeric: bool) {
    if let Some(name) = name {
        out.extend(sanitize(name));
        return;
    }
    match ip {
        IpAddr::V4(v4) => push_ipv4(out, v4),
        IpAddr::V6(v6) => match mapped_ipv4(&v6) {
            Some(v4) => push_ipv4(out, v4),
            None if v6.is_unspecified() => {
                out.extend_from_slice(if numeric { b"::" } else { b"[::]" })
            }
            None => push_ipv6(out, v6),
        },
    }
}

/// Appends the port part: `*` for 0, else its service name or its number.
fn push_port(out: &mut Vec<u8>, port: u16, name: Option<&[u8]>) {
    match name {
        _ if port == 0 => out.push(b'*'),
        Some(name) => out.extend(sanitize(name)),
        None => out.extend_from_slice(itoa::Buffer::new().format(port).as_bytes()),
    }
}

/// The Proto column: the table's label, but net-tools abbreviates UDP-Lite to `udpl`.
fn proto_column(sock: &InetSocket) -> &'static str {
    match (sock.protocol, sock.family) {
        (Protocol::UdpLite, Family::Inet) => "udpl",
        (Protocol::UdpLite, Family::Inet6) => "udpl6",
        _ => sock.table(),
    }
}

/// net-tools' TCP state column: the kernel's names, blank for 0, `UNKNOWN` past the table.
pub fn tcp_state(state: State) -> &'static str {
    match state {
        State(0) => "",
        _ => state.tcp_name().unwrap_or("UNKNOWN"),
    }
}

/// net-tools' UDP state column: `ESTABLISHED` when connected, blank when not.
pub fn udp_state(state: State) -> &'static str {
    match state {
        State::ESTABLISHED => "ESTABLISHED",
        State::CLOSE => "",
        _ => "UNKNOWN",
    }
}

/// A state column's text through net-tools' catalog (the blank state is not looked up).
fn localized_state(name: &'static str) -> &'static [u8] {
    match name {
        "ESTABLISHED" => tr!("ESTABLISHED"),
        "SYN_SENT" => tr!("SYN_SENT"),
        "SYN_RECV" => tr!("SYN_RECV"),
        "FIN_WAIT1" => tr!("FIN_WAIT1"),
        "FIN_WAIT2" => tr!("FIN_WAIT2"),
        "TIME_WAIT" => tr!("TIME_WAIT"),
        "CLOSE" => tr!("CLOSE"),
        "CLOSE_WAIT" => tr!("CLOSE_WAIT"),
        "LAST_ACK" => tr!("LAST_ACK"),
        "LISTEN" => tr!("LISTEN"),
        "CLOSING" => tr!("CLOSING"),
        "UNKNOWN" => tr!("UNKNOWN"),
        other => other.as_bytes(),
    }
}

/// Appends the `-o` text: `on (1.23/0/0)` and friends. TCP times are in clock ticks (1/100 s);
/// UDP and raw sockets never have a timer.
fn push_timer(out: &mut Vec<u8>, sock: &InetSocket) {
    let timer = &sock.timer;
    let centis = u64::try_from(timer.expires.as_millis() / 10).unwrap_or(u64::MAX);
    let seconds = format!("{}.{:02}", centis / 100, centis % 100);
    let seconds = Arg::Fixed(seconds.as_bytes());
    let (retrans, probes) = (
        Arg::Int(i64::from(timer.retransmits)),
        Arg::Int(i64::from(timer.probes)),
    );
    let kind = timer.kind;
    let unknown = Arg::Int(i64::from(kind.0));
    let (template, args) = if sock.protocol == Protocol::Tcp {
        match kind {
            TimerKind::OFF => (tr!("off (0.00/%ld/%d)"), vec![retrans, probes]),
            TimerKind::RETRANSMIT => (tr!("on (%2.2f/%ld/%d)"), vec![seconds, retrans, probes]),
            TimerKind::KEEPALIVE => (
                tr!("keepalive (%2.2f/%ld/%d)"),
                vec![seconds, retrans, probes],
            ),
            TimerKind::TIME_WAIT => (
                tr!("timewait (%2.2f/%ld/%d)"),
                vec![seconds, retrans, probes],
            ),
            TimerKind::PROBE => (tr!("probe (%2.2f/%ld/%d)"), vec![seconds, retrans, probes]),
            _ => (
                tr!("unkn-%d (%2.2f/%ld/%d)"),
                vec![unknown, seconds, retrans, probes],
            ),
        }
    } else {
        match kind {
            TimerKind::OFF => (tr!("off (0.00/%ld/%d)"), vec![retrans, probes]),
            TimerKind(1 | 2) => (
                tr!("on%d (%2.2f/%ld/%d)"),
                vec![unknown, seconds, retrans, probes],
            ),
            _ => (
                tr!("unkn-%d (%2.2f/%ld/%d)"),
                vec![unknown, seconds, retrans, probes],
            ),
        }
    };
    printf(out, template, &args);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::socket;
    use nettables::inet::Timer;

    use std::time::Duration;

    fn sock(protocol: Protocol, local: &str, remote: &str, state: State) -> InetSocket {
        let mut sock = socket(protocol, local, remote, state);
        (sock.recv_q, sock.inode) = (1234, 1028034);
        sock
    }

    fn numeric() -> Columns {
        Columns {
            numeric_hosts: true,
            ..Columns::default()
        }
    }

    fn render(columns: Columns, sock: &InetSocket, names: RowNames<'_>) -> String {
        let mut out = Vec::new();
        let row = Row {
            sock,
            names,
            details: None,
        };
        RowWriter::new(columns, None).write(&mut out, &row).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn numeric_row(sock: &InetSocket) -> String {
        render(numeric(), sock, RowNames::default())
    }

    #[test]
    fn numeric_tcp_row() {
        let row = numeric_row(&sock(
            Protocol::Tcp,
            "127.0.0.1:8080",
            "127.0.0.1:35980",
            State::ESTABLISHED,
        ));
        assert_eq!(
            row,
            "tcp     1234      0 127.0.0.1:8080          127.0.0.1:35980         ESTABLISHED\n"
        );
    }

    #[test]
    fn numeric_ipv6_listener_and_mapped_peer() {
        let row = numeric_row(&sock(Protocol::Tcp, "[::]:80", "[::]:0", State::LISTEN));
        assert_eq!(
            row,
            "tcp6    1234      0 :::80                   :::*                    LISTEN     \n"
        );
        let row = numeric_row(&sock(
            Protocol::Tcp,
            "[::ffff:127.0.0.1]:5010",
            "[::ffff:127.0.0.1]:50598",
            State::ESTABLISHED,
        ));
        assert!(row.starts_with(
            "tcp6    1234      0 127.0.0.1:5010          127.0.0.1:50598         ESTABLISHED"
        ));
        let wildcard = sock(Protocol::UdpLite, "[::]:5020", "[::]:0", State::CLOSE);
        assert!(
            render(Columns::default(), &wildcard, RowNames::default())
                .starts_with("udpl6   1234      0 [::]:5020               [::]:*")
        );
    }

    #[test]
    fn names_are_shown_made_safe_and_cut() {
        let s = sock(
            Protocol::Tcp,
            "10.0.0.1:22",
            "10.0.0.2:40000",
            State::ESTABLISHED,
        );
        let names = RowNames {
            local_host: Some(b"gate\x1bway"),
            local_service: Some(b"ssh"),
            remote_host: Some(b"a-very-long-peer-hostname.example.internal"),
            ..RowNames::default()
        };
        assert_eq!(
            render(Columns::default(), &s, names),
            "tcp     1234      0 gate?way:ssh            a-very-long-peer-:40000 ESTABLISHED\n"
        );
    }

    #[test]
    fn raw_state_is_a_number_and_udp_unconnected_is_blank() {
        let row = numeric_row(&sock(Protocol::Raw, "0.0.0.0:1", "0.0.0.0:0", State::CLOSE));
        assert_eq!(
            row,
            "raw     1234      0 0.0.0.0:1               0.0.0.0:*               7          \n"
        );
        let row = numeric_row(&sock(
            Protocol::Udp,
            "0.0.0.0:514",
            "0.0.0.0:0",
            State::CLOSE,
        ));
        assert_eq!(
            row,
            "udp     1234      0 0.0.0.0:514             0.0.0.0:*                          \n"
        );
    }

    #[test]
    fn extend_and_timer_columns() {
        let columns = Columns {
            user_inode: true,
            timers: true,
            ..numeric()
        };
        let mut s = sock(
            Protocol::Tcp,
            "127.0.0.1:22",
            "127.0.0.1:40000",
            State::ESTABLISHED,
        );
        s.uid = 65534;
        s.timer.kind = TimerKind::KEEPALIVE;
        s.timer.expires = Duration::from_millis(7_199_287);
        let row = render(columns, &s, RowNames::default());
        assert!(
            row.ends_with("ESTABLISHED 65534      1028034    keepalive (7199.28/0/0)\n"),
            "{row:?}"
        );
        let named = RowNames {
            user: Some(b"nobody"),
            ..RowNames::default()
        };
        assert!(render(columns, &s, named).contains(" ESTABLISHED nobody     1028034 "));
        s.timer = Timer::default();
        s.protocol = Protocol::Udp;
        assert!(render(columns, &s, RowNames::default()).ends_with(" off (0.00/0/0)\n"));
    }

    #[test]
    fn states_past_the_table_are_unknown() {
        assert_eq!(tcp_state(State(12)), "UNKNOWN");
        assert_eq!(tcp_state(State(0)), "");
    }
}
