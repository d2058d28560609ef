//! The Internet socket table in net-tools' text format.

use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr};

use nettables::inet::{Family, InetSocket, Protocol, State, TimerKind};

use super::addr::{mapped_ipv4, push_endpoint, push_ipv4, push_ipv6};
use super::owner::{self, OwnerLabels};
use crate::cli::args::Args;
use crate::resolve::Names;
use crate::resolve::services::ServiceTable;
use crate::text::pad_left;

/// Writes the two header lines of the Internet table.
pub fn write_header(out: &mut impl Write, args: &Args) -> io::Result<()> {
    out.write_all(b"Active Internet connections ")?;
    out.write_all(scope(args))?;
    out.write_all(
        b"\nProto Recv-Q Send-Q Local Address           Foreign Address         State      ",
    )?;
    if args.extend > 0 {
        out.write_all(b" User       Inode     ")?;
    }
    if args.programs {
        out.write_all(b" PID/Program name    ")?;
    }
    if args.timers {
        out.write_all(b" Timer")?;
    }
    out.write_all(b"\n")
}

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
}

/// The scope `-a` and `-l` ask for.
pub fn scope(args: &Args) -> &'static [u8] {
    let scope = if args.all {
        Scope::All
    } else if args.listening {
        Scope::Listening
    } else {
        Scope::Connected
    };
    scope.title()
}

/// Whether net-tools names this IPv4 address from the networks database rather than the hosts
/// one. It means to test the host part under a /24 mask, but applies the mask to the address in
/// network byte order, so on little-endian machines it tests the *first* octet.
fn uses_networks(v4: Ipv4Addr) -> bool {
    let tested = if cfg!(target_endian = "little") { 0 } else { 3 };
    v4.octets()[tested] == 0
}

/// The addresses whose host names a row needs (IPv4 addresses in 0.0.0.0/8 use the networks
/// database instead, wildcards and IPv4-mapped addresses print numerically).
pub fn host_lookups(sock: &InetSocket) -> impl Iterator<Item = IpAddr> {
    [sock.local.ip(), sock.remote.ip()]
        .into_iter()
        .filter(|ip| match ip {
            IpAddr::V4(v4) => !v4.is_unspecified() && !uses_networks(*v4),
            IpAddr::V6(v6) => !v6.is_unspecified() && mapped_ipv4(v6).is_none(),
        })
}

/// Formats rows into a reused scratch buffer, then writes them out.
pub struct RowWriter<'a> {
    args: &'a Args,
    line: Vec<u8>,
    host: Vec<u8>,
    port: Vec<u8>,
}

impl<'a> RowWriter<'a> {
    pub fn new(args: &'a Args) -> RowWriter<'a> {
        RowWriter {
            args,
            line: Vec::with_capacity(256),
            host: Vec::with_capacity(64),
            port: Vec::with_capacity(32),
        }
    }

    /// Writes one row. Host names come from `names.hosts`, which must have been given the
    /// row's addresses and waited on beforehand (unless hosts are numeric).
    pub fn write(
        &mut self,
        out: &mut impl Write,
        sock: &InetSocket,
        names: &mut Names,
        owners: Option<&OwnerLabels<'_>>,
    ) -> io::Result<()> {
        let args = self.args;
        let line = &mut self.line;
        line.clear();
        // net-tools prints "%-4s  " for TCP and raw and "%-5s " for UDP: the same columns.
        pad_left(line, proto_column(sock).as_bytes(), 6)?;
        let mut num = itoa::Buffer::new();
        crate::text::pad_right(line, num.format(sock.recv_q).as_bytes(), 6)?;
        line.push(b' ');
        crate::text::pad_right(line, num.format(sock.send_q).as_bytes(), 6)?;
        line.push(b' ');

        for (ip, port) in [
            (sock.local.ip(), sock.local.port()),
            (sock.remote.ip(), sock.remote.port()),
        ] {
            self.host.clear();
            push_host(&mut self.host, ip, args.numeric_hosts, names);
            self.port.clear();
            push_port(
                &mut self.port,
                sock.protocol,
                port,
                args.numeric_ports,
                names,
            );
            let start = line.len();
            push_endpoint(line, &self.host, &self.port, args.wide);
            let used = line.len() - start;
            crate::text::write_spaces(line, 23usize.saturating_sub(used))?;
            line.push(b' ');
        }

        match sock.protocol {
            Protocol::Tcp => pad_left(line, tcp_state(sock.state).as_bytes(), 11)?,
            Protocol::Udp | Protocol::UdpLite => {
                pad_left(line, udp_state(sock.state).as_bytes(), 11)?
            }
            Protocol::Raw => pad_left(line, num.format(sock.state.0).as_bytes(), 11)?,
        }

        if args.extend > 0 {
            line.push(b' ');
            match names.users.name(sock.uid).filter(|_| !args.numeric_users) {
                Some(user) => {
                    let start = line.len();
                    line.extend(crate::text::sanitize(user));
                    let used = line.len() - start;
                    crate::text::write_spaces(line, 10usize.saturating_sub(used))?;
                }
                None => pad_left(line, num.format(sock.uid).as_bytes(), 10)?,
            }
            line.push(b' ');
            pad_left(line, num.format(sock.inode).as_bytes(), 10)?;
        }
        if let Some(owners) = owners {
            line.push(b' ');
            let start = line.len();
            owners.push(line, sock.inode);
            let used = line.len() - start;
            crate::text::write_spaces(line, owner::WIDTH.saturating_sub(used))?;
        }
        if args.timers {
            line.push(b' ');
            push_timer(line, sock);
        }
        line.push(b'\n');
        out.write_all(line)
    }
}

/// Appends the host part: a name, or the numeric form with net-tools' special cases.
fn push_host(out: &mut Vec<u8>, ip: IpAddr, numeric: bool, names: &mut Names) {
    match ip {
        IpAddr::V4(v4) => push_host_v4(out, v4, numeric, names),
        IpAddr::V6(v6) => {
            if let Some(v4) = mapped_ipv4(&v6) {
                push_ipv4(out, v4);
            } else if v6.is_unspecified() {
                out.extend_from_slice(if numeric { b"::" } else { b"[::]" });
            } else if numeric {
                push_ipv6(out, v6);
            } else {
                match names.hosts.name(IpAddr::V6(v6)) {
                    Some(name) => out.extend(crate::text::sanitize(name)),
                    None => push_ipv6(out, v6),
                }
            }
        }
    }
}

fn push_host_v4(out: &mut Vec<u8>, v4: Ipv4Addr, numeric: bool, names: &mut Names) {
    if numeric || v4.is_unspecified() {
        return push_ipv4(out, v4);
    }
    let name = if uses_networks(v4) {
        names.networks.name(v4)
    } else {
        names.hosts.name(IpAddr::V4(v4))
    };
    match name {
        Some(name) => out.extend(crate::text::sanitize(name)),
        None => push_ipv4(out, v4),
    }
}

/// Appends the port part: `*` for 0, else a service name unless numeric. UDP-Lite ports are
/// never named.
fn push_port(out: &mut Vec<u8>, protocol: Protocol, port: u16, numeric: bool, names: &mut Names) {
    if port == 0 {
        out.push(b'*');
        return;
    }
    let table = match protocol {
        Protocol::Tcp => Some(ServiceTable::Tcp),
        Protocol::Udp => Some(ServiceTable::Udp),
        Protocol::Raw => Some(ServiceTable::Raw),
        Protocol::UdpLite => None,
    };
    match table
        .filter(|_| !numeric)
        .and_then(|t| names.services.name(t, port))
    {
        Some(name) => out.extend(crate::text::sanitize(name)),
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

/// Appends the `-o` text: `on (1.23/0/0)` and friends. TCP times are in clock ticks (1/100 s);
/// UDP and raw sockets never have a timer.
fn push_timer(out: &mut Vec<u8>, sock: &InetSocket) {
    let timer = &sock.timer;
    let centis = u64::try_from(timer.expires.as_millis() / 10).unwrap_or(u64::MAX);
    let seconds = format!("{}.{:02}", centis / 100, centis % 100);
    let (retrans, probes) = (timer.retransmits, timer.probes);
    let kind = timer.kind;
    let text = if sock.protocol == Protocol::Tcp {
        match kind {
            TimerKind::OFF => format!("off (0.00/{retrans}/{probes})"),
            TimerKind::RETRANSMIT => format!("on ({seconds}/{retrans}/{probes})"),
            TimerKind::KEEPALIVE => format!("keepalive ({seconds}/{retrans}/{probes})"),
            TimerKind::TIME_WAIT => format!("timewait ({seconds}/{retrans}/{probes})"),
            TimerKind::PROBE => format!("probe ({seconds}/{retrans}/{probes})"),
            TimerKind(other) => format!("unkn-{other} ({seconds}/{retrans}/{probes})"),
        }
    } else {
        match kind {
            TimerKind::OFF => format!("off (0.00/{retrans}/{probes})"),
            TimerKind(n @ (1 | 2)) => format!("on{n} ({seconds}/{retrans}/{probes})"),
            TimerKind(other) => format!("unkn-{other} ({seconds}/{retrans}/{probes})"),
        }
    };
    out.extend_from_slice(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use nettables::inet::Timer;

    use std::time::Duration;

    fn sock(protocol: Protocol, local: &str, remote: &str, state: State) -> InetSocket {
        let mut sock = InetSocket::new(
            protocol,
            local.parse().unwrap(),
            remote.parse().unwrap(),
            state,
        );
        (sock.recv_q, sock.inode) = (1234, 1028034);
        sock
    }

    fn numeric_args() -> Args {
        Args {
            numeric_hosts: true,
            numeric_ports: true,
            numeric_users: true,
            ..Args::default()
        }
    }

    fn render(args: &Args, sock: &InetSocket) -> String {
        let mut out = Vec::new();
        let mut names = Names::new();
        RowWriter::new(args)
            .write(&mut out, sock, &mut names, None)
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn numeric_tcp_row() {
        let row = render(
            &numeric_args(),
            &sock(
                Protocol::Tcp,
                "127.0.0.1:8080",
                "127.0.0.1:35980",
                State::ESTABLISHED,
            ),
        );
        assert_eq!(
            row,
            "tcp     1234      0 127.0.0.1:8080          127.0.0.1:35980         ESTABLISHED\n"
        );
    }

    #[test]
    fn numeric_ipv6_listener_and_mapped_peer() {
        let row = render(
            &numeric_args(),
            &sock(Protocol::Tcp, "[::]:80", "[::]:0", State::LISTEN),
        );
        assert_eq!(
            row,
            "tcp6    1234      0 :::80                   :::*                    LISTEN     \n"
        );
        let row = render(
            &numeric_args(),
            &sock(
                Protocol::Tcp,
                "[::ffff:127.0.0.1]:5010",
                "[::ffff:127.0.0.1]:50598",
                State::ESTABLISHED,
            ),
        );
        assert!(row.starts_with(
            "tcp6    1234      0 127.0.0.1:5010          127.0.0.1:50598         ESTABLISHED"
        ));
    }

    #[test]
    fn raw_state_is_a_number_and_udp_unconnected_is_blank() {
        let row = render(
            &numeric_args(),
            &sock(Protocol::Raw, "0.0.0.0:1", "0.0.0.0:0", State::CLOSE),
        );
        assert_eq!(
            row,
            "raw     1234      0 0.0.0.0:1               0.0.0.0:*               7          \n"
        );
        let row = render(
            &numeric_args(),
            &sock(Protocol::Udp, "0.0.0.0:514", "0.0.0.0:0", State::CLOSE),
        );
        assert_eq!(
            row,
            "udp     1234      0 0.0.0.0:514             0.0.0.0:*                          \n"
        );
    }

    #[test]
    fn extend_and_timer_columns() {
        let mut args = numeric_args();
        args.extend = 1;
        args.timers = true;
        let mut s = sock(
            Protocol::Tcp,
            "127.0.0.1:22",
            "127.0.0.1:40000",
            State::ESTABLISHED,
        );
        s.uid = 65534;
        s.timer.kind = TimerKind::KEEPALIVE;
        s.timer.expires = Duration::from_millis(7_199_287);
        let row = render(&args, &s);
        assert!(
            row.ends_with("ESTABLISHED 65534      1028034    keepalive (7199.28/0/0)\n"),
            "{row:?}"
        );
        s.timer = Timer::default();
        s.protocol = Protocol::Udp;
        assert!(render(&args, &s).ends_with(" off (0.00/0/0)\n"));
    }

    #[test]
    fn states_past_the_table_are_unknown() {
        assert_eq!(tcp_state(State(12)), "UNKNOWN");
        assert_eq!(tcp_state(State(0)), "");
    }
}
