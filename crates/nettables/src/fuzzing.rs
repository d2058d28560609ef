//! Entry points for the fuzz targets in `fuzz/` (the `fuzzing` feature): each feeds arbitrary
//! bytes to one of the crate's private parsers the way the collector does, and drops the result.
//! Not an API: nothing outside `fuzz/` may use it.

use crate::inet::{Family, InetQuery, Protocol};
use crate::linux::unix_diag::UnixDiag;
use crate::linux::{iface, proc_inet, proc_unix, route, sock_diag};

/// The socket tables, for a selector byte: tcp, tcp6, udp, udp6, udplite, udplite6, raw, raw6.
fn table(selector: u8) -> (Protocol, Family) {
    let protocol = [
        Protocol::Tcp,
        Protocol::Udp,
        Protocol::UdpLite,
        Protocol::Raw,
    ];
    let family = [Family::Inet, Family::Inet6];
    (
        protocol[usize::from(selector >> 1) % 4],
        family[usize::from(selector & 1)],
    )
}

/// `/proc/net/{tcp,udp,udplite,raw}{,6}`: a header line, then one socket per line.
pub fn proc_inet(selector: u8, text: &[u8]) {
    let (protocol, family) = table(selector);
    for line in text.split(|&b| b == b'\n').skip(1) {
        let _ = proc_inet::parse_line(protocol, family, line);
    }
}

/// `/proc/net/unix`: the header says whether the inode column is there.
pub fn proc_unix(text: &[u8]) {
    let mut lines = text.split(|&b| b == b'\n');
    let with_inode = proc_unix::header_has_inode(lines.next().unwrap_or_default());
    for line in lines {
        let _ = proc_unix::parse_line(line, with_inode);
    }
}

/// `/proc/net/route` and `/proc/net/rt_cache`.
pub fn route(text: &[u8]) {
    let _ = route::parse_ipv4_routes(text);
    let _ = route::parse_ipv4_cache(text);
}

/// `/proc/net/ipv6_route`.
pub fn ipv6_route(text: &[u8]) {
    let _ = route::parse_ipv6_routes(text);
}

/// `/proc/net/dev` (a title line, a header line that sets the format, then devices), and each
/// line as `/proc/net/if_inet6`.
pub fn dev(text: &[u8]) {
    let mut lines = text.split(|&b| b == b'\n');
    let _title = lines.next();
    let format = iface::dev_format(lines.next().unwrap_or_default());
    for line in lines {
        let _ = iface::parse_dev_line(line, format);
    }
    for line in text.split(|&b| b == b'\n') {
        let _ = iface::parse_inet6_line(line);
    }
}

/// One `sock_diag` reply message (`inet_diag_msg` and its attributes) for the table the
/// selector names, with the TCP details asked for.
pub fn sock_diag(selector: u8, message: &[u8]) {
    let (protocol, family) = table(selector);
    let mut query = InetQuery::new(protocol, family);
    query.tcp_details = true;
    query.timer_details = true;
    let _ = sock_diag::parse(&query, message);
    let _ = sock_diag::details(&query, message);
}

/// `unix_diag` reply messages (each after a length byte, until a zero length), then
/// `/proc/net/unix` text whose lines are joined with them as the collector does.
pub fn unix_diag(data: &[u8]) {
    let mut diag = UnixDiag::default();
    let mut rest = data;
    while let Some((&len, tail)) = rest.split_first() {
        if len == 0 {
            rest = tail;
            break;
        }
        let (message, tail) = tail.split_at(usize::from(len).min(tail.len()));
        diag.add(message);
        rest = tail;
    }
    let mut lines = rest.split(|&b| b == b'\n');
    let with_inode = proc_unix::header_has_inode(lines.next().unwrap_or_default());
    for line in lines {
        if let Some(sock) = proc_unix::parse_line(line, with_inode) {
            let _ = diag.join(&sock);
        }
    }
}

/// A parsed filter compiled to inet_diag bytecode, as a query with that filter sends it.
pub fn filter_bytecode(filter: &crate::filter::Filter) {
    let _ = crate::linux::bytecode::compile(filter);
}
