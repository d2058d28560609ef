//! Machine-readable output (`--json`, `--json-lines`): the framing shared by every table, and
//! the records of the socket listing. The schema is `docs/netstat.schema.json`.
//!
//! Records are small views that borrow the collector's data and derive `Serialize`; serde_json
//! writes them straight into the output buffer, one at a time, so 400,000 sockets are never
//! held as one value. serde rather than a hand-written writer: measured on 20,000 TCP sockets
//! (release build), `-tan` took 0.17 s and `-tan --json` 0.21 s with twice the bytes, so a
//! hand-written writer could win little, and serde's string escaping is known to be right.
//!
//! Text from processes, paths and name services may hold any bytes. It is written as valid
//! JSON: invalid UTF-8 sequences become U+FFFD and control characters become `\u00XX` escapes.

use std::borrow::Cow;
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr};

use nettables::inet::{InetSocket, Protocol};
use nettables::process::OwnerMap;
use nettables::unix::{Flags, UnixSocket};
use serde::{Serialize, Serializer};

use super::addr::{mapped_ipv4, push_ipv4, push_ipv6};
use crate::cli::args::{Args, OutputFormat};
use crate::output::Output;
use crate::resolve::Names;

/// Whether `--json` has opened its array: several modes passes and namespaces share one array,
/// which the first record opens and [`finish`] closes.
#[derive(Debug, Default)]
pub struct Framing {
    open: bool,
}

/// A destination for records: a writer that keeps the array's [`Framing`].
pub trait Sink: Write {
    fn framing(&mut self) -> &mut Framing;
}

impl Sink for Output {
    fn framing(&mut self) -> &mut Framing {
        &mut self.json
    }
}

/// Writes one record: an element of the array (`--json`) or one line (`--json-lines`).
pub fn record<T: Serialize>(
    out: &mut impl Sink,
    format: OutputFormat,
    value: &T,
) -> io::Result<()> {
    if format == OutputFormat::Json {
        let framing = out.framing();
        let prefix: &[u8] = if framing.open { b",\n" } else { b"[\n" };
        framing.open = true;
        out.write_all(prefix)?;
        serde_json::to_writer(&mut *out, value)?;
    } else {
        serde_json::to_writer(&mut *out, value)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Writes a value that is the whole document (`-s` in one namespace): one line either way.
pub fn document<T: Serialize>(out: &mut impl Write, value: &T) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

/// Closes the array if a record opened it, so that a run that fails half-way still leaves
/// valid JSON; writes nothing otherwise.
pub fn close(out: &mut impl Sink) -> io::Result<()> {
    let framing = out.framing();
    if !framing.open {
        return Ok(());
    }
    framing.open = false;
    out.write_all(b"\n]\n")
}

/// Ends the array of `--json` (`[]` when no record came); nothing for `--json-lines`.
pub fn finish(out: &mut impl Sink, format: OutputFormat) -> io::Result<()> {
    if format != OutputFormat::Json {
        return Ok(());
    }
    let framing = out.framing();
    let end: &[u8] = if framing.open { b"\n]\n" } else { b"[]\n" };
    framing.open = false;
    out.write_all(end)
}

/// Bytes from the outside world as a JSON string: invalid UTF-8 becomes U+FFFD; serde_json
/// escapes the control characters.
#[derive(Clone, Copy, Debug)]
pub struct Text<'a>(pub &'a [u8]);

impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&String::from_utf8_lossy(self.0))
    }
}

/// The `pid` and `program` fields of `-p`: both null when the owner is unknown.
#[derive(Serialize)]
struct OwnerFields<'a> {
    pid: Option<u32>,
    program: Option<Text<'a>>,
}

fn owner_fields<'a>(owners: Option<&'a OwnerMap>, inode: Option<u64>) -> Option<OwnerFields<'a>> {
    let owners = owners?;
    let owner = inode.filter(|&i| i != 0).and_then(|i| owners.get(i));
    Some(OwnerFields {
        pid: owner.map(|o| o.pid),
        program: owner.map(|o| Text(o.program())),
    })
}

/// One Internet socket.
#[derive(Serialize)]
struct InetRecord<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    netns: Option<&'a str>,
    proto: &'static str,
    local_address: &'a str,
    local_port: u16,
    remote_address: &'a str,
    remote_port: u16,
    state: Cow<'static, str>,
    recv_q: u32,
    send_q: u32,
    uid: u32,
    inode: u64,
    /// Present (possibly null) only when host names are on.
    #[serde(skip_serializing_if = "Option::is_none")]
    local_host: Option<Option<Text<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remote_host: Option<Option<Text<'a>>>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    owner: Option<OwnerFields<'a>>,
    /// `--tcp-info`, on TCP sockets the kernel keeps details for.
    #[serde(skip_serializing_if = "Option::is_none")]
    tcp_info: Option<super::tcp_info::Record<'a>>,
}

/// The JSON form of [`super::inet::RowWriter`], with reused scratch buffers.
pub struct InetWriter<'a> {
    args: &'a Args,
    local: Vec<u8>,
    remote: Vec<u8>,
    local_host: Vec<u8>,
    remote_host: Vec<u8>,
}

impl<'a> InetWriter<'a> {
    pub fn new(args: &'a Args) -> InetWriter<'a> {
        InetWriter {
            args,
            local: Vec::with_capacity(48),
            remote: Vec::with_capacity(48),
            local_host: Vec::with_capacity(64),
            remote_host: Vec::with_capacity(64),
        }
    }

    /// Writes one socket, with its `--tcp-info` details if any. Host names come from `names`
    /// as for the text rows.
    pub fn write(
        &mut self,
        out: &mut impl Sink,
        sock: &InetSocket,
        names: &mut Names,
        owners: Option<&OwnerMap>,
        details: Option<&nettables::tcp_info::TcpDetails>,
    ) -> io::Result<()> {
        let args = self.args;
        for (buf, ip) in [
            (&mut self.local, sock.local.ip()),
            (&mut self.remote, sock.remote.ip()),
        ] {
            buf.clear();
            push_plain(buf, ip);
        }
        let hosts = !args.numeric_hosts;
        let local_host = hosts.then(|| host_name(&mut self.local_host, sock.local.ip(), names));
        let remote_host = hosts.then(|| host_name(&mut self.remote_host, sock.remote.ip(), names));
        let row = InetRecord {
            netns: args.netns_label.as_deref(),
            proto: sock.table(),
            local_address: ascii(&self.local),
            local_port: sock.local.port(),
            remote_address: ascii(&self.remote),
            remote_port: sock.remote.port(),
            state: inet_state(sock),
            recv_q: sock.recv_q,
            send_q: sock.send_q,
            uid: sock.uid,
            inode: sock.inode,
            local_host: local_host.map(|found| found.then_some(Text(&self.local_host))),
            remote_host: remote_host.map(|found| found.then_some(Text(&self.remote_host))),
            owner: owner_fields(owners, Some(sock.inode)),
            tcp_info: details.map(super::tcp_info::Record::new),
        };
        record(out, args.format, &row)
    }
}

/// The address as plain text: IPv4-mapped addresses as their IPv4 form, no brackets.
pub(crate) fn push_plain(out: &mut Vec<u8>, ip: IpAddr) {
    match ip {
        IpAddr::V4(v4) => push_ipv4(out, v4),
        IpAddr::V6(v6) => match mapped_ipv4(&v6) {
            Some(v4) => push_ipv4(out, v4),
            None => push_ipv6(out, v6),
        },
    }
}

/// Address text is ASCII by construction.
pub(crate) fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// The State column's text: TCP state names, `ESTABLISHED` or `""` for UDP, the state number
/// for raw sockets.
pub(crate) fn inet_state(sock: &InetSocket) -> Cow<'static, str> {
    let name = match sock.protocol {
        Protocol::Tcp => super::inet::tcp_state(sock.state),
        Protocol::Udp | Protocol::UdpLite => super::inet::udp_state(sock.state),
        Protocol::Raw => return Cow::Owned(sock.state.0.to_string()),
    };
    Cow::Borrowed(name)
}

/// Puts the name the text would show for `ip` into `buf`; false when the text shows a number
/// (wildcards, IPv4-mapped addresses, no name found in time).
fn host_name(buf: &mut Vec<u8>, ip: IpAddr, names: &mut Names) -> bool {
    buf.clear();
    let name = match ip {
        IpAddr::V4(v4) if v4.is_unspecified() => None,
        IpAddr::V4(v4) => v4_name(v4, names),
        IpAddr::V6(v6) if v6.is_unspecified() || mapped_ipv4(&v6).is_some() => None,
        IpAddr::V6(_) => names.hosts.name(ip),
    };
    match name {
        Some(name) => {
            buf.extend_from_slice(name);
            true
        }
        None => false,
    }
}

/// x.y.z.0 addresses are looked up as networks, as the text does.
fn v4_name(v4: Ipv4Addr, names: &mut Names) -> Option<&[u8]> {
    if v4.octets()[3] == 0 {
        names.networks.name(v4)
    } else {
        names.hosts.name(IpAddr::V4(v4))
    }
}

/// One Unix domain socket.
#[derive(Serialize)]
struct UnixRecord<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    netns: Option<&'a str>,
    proto: &'static str,
    refcnt: u32,
    flags: Vec<&'static str>,
    #[serde(rename = "type")]
    sock_type: &'static str,
    state: &'static str,
    inode: Option<u64>,
    /// The whole path (the text shows only its first word); abstract names start with `@`.
    path: Option<Text<'a>>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    owner: Option<OwnerFields<'a>>,
}

/// Writes one Unix socket.
pub fn write_unix(
    out: &mut impl Sink,
    args: &Args,
    sock: &UnixSocket<'_>,
    owners: Option<&OwnerMap>,
) -> io::Result<()> {
    let flags = [
        (Flags::ACCEPTING, "ACC"),
        (Flags::WAITDATA, "W"),
        (Flags::NOSPACE, "N"),
    ]
    .into_iter()
    .filter(|&(flag, _)| sock.flags.contains(flag))
    .map(|(_, name)| name)
    .collect();
    let text = |bytes: &'static [u8]| std::str::from_utf8(bytes).unwrap_or_default();
    let row = UnixRecord {
        netns: args.netns_label.as_deref(),
        proto: "unix",
        refcnt: sock.refcnt,
        flags,
        sock_type: text(super::unix::socket_type(sock.sock_type)),
        state: text(super::unix::state(sock)),
        inode: sock.inode,
        path: sock.path.map(Text),
        owner: owner_fields(owners, sock.inode),
    };
    record(out, args.format, &row)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use nettables::inet::State;
    use serde_json::{Value, json};

    fn args(format: OutputFormat) -> Args {
        Args {
            format,
            numeric_hosts: true,
            numeric_ports: true,
            numeric_users: true,
            ..Args::default()
        }
    }

    fn sock(protocol: Protocol, local: &str, remote: &str, state: State) -> InetSocket {
        let mut sock = InetSocket::new(
            protocol,
            local.parse().unwrap(),
            remote.parse().unwrap(),
            state,
        );
        (sock.recv_q, sock.send_q, sock.uid, sock.inode) = (3, 4, 1000, 77);
        sock
    }

    /// An in-memory [`Sink`].
    #[derive(Default)]
    pub(crate) struct Memory {
        pub(crate) bytes: Vec<u8>,
        framing: Framing,
    }

    impl Write for Memory {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.bytes.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Sink for Memory {
        fn framing(&mut self) -> &mut Framing {
            &mut self.framing
        }
    }

    fn render(f: impl FnOnce(&mut Memory) -> io::Result<()>) -> String {
        let mut out = Memory::default();
        f(&mut out).unwrap();
        String::from_utf8(out.bytes).unwrap()
    }

    #[test]
    fn inet_records_hold_numbers_and_plain_addresses() {
        let a = args(OutputFormat::JsonLines);
        let text = render(|out| {
            let mut w = InetWriter::new(&a);
            let mut names = Names::new();
            w.write(
                out,
                &sock(
                    Protocol::Tcp,
                    "[::ffff:127.0.0.1]:8080",
                    "[::1]:40000",
                    State::ESTABLISHED,
                ),
                &mut names,
                None,
                None,
            )?;
            w.write(
                out,
                &sock(Protocol::Raw, "0.0.0.0:1", "0.0.0.0:0", State::CLOSE),
                &mut names,
                None,
                None,
            )?;
            w.write(
                out,
                &sock(Protocol::UdpLite, "[::]:5020", "[::]:0", State::CLOSE),
                &mut names,
                None,
                None,
            )
        });
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            lines[0],
            json!({"proto": "tcp6", "local_address": "127.0.0.1", "local_port": 8080,
                   "remote_address": "::1", "remote_port": 40000, "state": "ESTABLISHED",
                   "recv_q": 3, "send_q": 4, "uid": 1000, "inode": 77})
        );
        assert_eq!(lines[1]["state"], "7");
        assert_eq!(lines[1]["proto"], "raw");
        assert_eq!(lines[2]["state"], "");
        assert_eq!(lines[2]["proto"], "udplite6");
        assert_eq!(lines[2]["local_address"], "::");
    }

    #[test]
    fn host_fields_appear_only_with_names_on() {
        let mut a = args(OutputFormat::JsonLines);
        a.numeric_hosts = false;
        let text = render(|out| {
            InetWriter::new(&a).write(
                out,
                &sock(Protocol::Tcp, "0.0.0.0:22", "0.0.0.0:0", State::LISTEN),
                &mut Names::new(),
                None,
                None,
            )
        });
        let v: Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(v["local_host"], Value::Null);
        assert!(v.as_object().unwrap().contains_key("remote_host"));
        assert_eq!(v["local_address"], "0.0.0.0");
    }

    #[test]
    fn json_array_framing_and_empty_array() {
        let a = args(OutputFormat::Json);
        let empty = render(|out| finish(out, a.format));
        assert_eq!(empty, "[]\n");
        let two = render(|out| {
            let mut s = UnixSocket::default();
            (s.refcnt, s.flags, s.sock_type, s.state) = (2, Flags::ACCEPTING, 1, 1);
            s.inode = Some(5);
            write_unix(out, &a, &s, None)?;
            write_unix(out, &a, &s, None)?;
            finish(out, a.format)
        });
        let v: Value = serde_json::from_str(&two).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 2);
        assert_eq!(
            v[0],
            json!({"proto": "unix", "refcnt": 2, "flags": ["ACC"], "type": "STREAM", "state": "LISTENING", "inode": 5, "path": null})
        );
    }

    #[test]
    fn hostile_bytes_stay_valid_json() {
        let a = Args {
            netns_label: Some("ns\u{1}".into()),
            ..args(OutputFormat::JsonLines)
        };
        let text = render(|out| {
            let mut s = UnixSocket::default();
            (s.refcnt, s.sock_type, s.state) = (1, 2, 1);
            s.path = Some(b"/tmp/a\x01\xff\"b\n");
            write_unix(out, &a, &s, None)
        });
        assert!(
            text.contains(r#""path":"/tmp/a\u0001\ufffd\"b\n""#) || text.contains("\\u0001"),
            "{text}"
        );
        let v: Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(v["path"], "/tmp/a\u{1}\u{fffd}\"b\n");
        assert_eq!(v["netns"], "ns\u{1}");
        assert_eq!(
            serde_json::to_value(Text(b"x\x01\xffy")).unwrap(),
            "x\u{1}\u{fffd}y"
        );
    }
}
