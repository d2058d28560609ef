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
use std::net::IpAddr;

use nettables::inet::{InetSocket, Protocol};
use nettables::netns::Container;
use nettables::process::OwnerMap;
use nettables::unix::{Flags, UnixSocket};
use serde::{Serialize, Serializer};

use super::addr::{mapped_ipv4, push_ipv4, push_ipv6};
use super::inet::Row;
use crate::output::{Output, OutputFormat};

/// How records are written: their framing, and the namespace each one comes from
/// (`--all-netns`, `--netns`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JsonOptions<'a> {
    /// `--json` (an array) or `--json-lines`; [`OutputFormat::Text`] where a renderer writes
    /// either.
    pub format: OutputFormat,
    /// The `netns` and `container` fields.
    pub origin: Option<Origin<'a>>,
}

/// Where a record comes from under a namespace option: written as its `netns` (the label)
/// and `container` (null outside containers) fields, flattened into every record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin<'a> {
    /// The namespace's label, as the `Network namespace:` line shows it.
    pub label: &'a str,
    /// The container whose processes the namespace holds.
    pub container: Option<&'a Container>,
}

impl Serialize for Origin<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut record = serializer.serialize_struct("Origin", 2)?;
        record.serialize_field("netns", &Text(self.label.as_bytes()))?;
        record.serialize_field("container", &self.container.map(ContainerFields::new))?;
        record.end()
    }
}

/// A container: `runtime` and `id`, and for Kubernetes `pod`, `namespace` (when the node keeps
/// them) and `pod_uid`.
#[derive(Serialize)]
pub struct ContainerFields<'a> {
    runtime: &'static str,
    id: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pod: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pod_uid: Option<Text<'a>>,
}

impl<'a> ContainerFields<'a> {
    pub fn new(c: &'a Container) -> ContainerFields<'a> {
        let pod = c.pod.as_ref();
        let name = pod.and_then(|p| p.name.as_ref());
        ContainerFields {
            runtime: c.runtime.name(),
            id: Text(c.id.as_bytes()),
            pod: name.map(|n| Text(n.name.as_bytes())),
            namespace: name.map(|n| Text(n.namespace.as_bytes())),
            pod_uid: pod.map(|p| Text(p.uid.as_bytes())),
        }
    }
}

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
        to_writer(&mut *out, value)?;
    } else {
        to_writer(&mut *out, value)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Writes a value that is the whole document (`-s` in one namespace): one line either way.
pub fn document<T: Serialize>(out: &mut impl Write, value: &T) -> io::Result<()> {
    to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

/// serde_json's compact output, with DEL, the C1 controls and the bidi marks escaped as well
/// (serde_json escapes only C0), so that JSON shown on a terminal cannot drive it either.
struct TerminalSafe;

impl serde_json::ser::Formatter for TerminalSafe {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if crate::text::is_unsafe(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                write!(writer, "\\u{:04x}", u32::from(c))?;
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

fn to_writer<T: Serialize>(out: impl Write, value: &T) -> io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(out, TerminalSafe);
    value.serialize(&mut serializer).map_err(io::Error::from)
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

/// The table, endpoints and state of an Internet socket: the fields that the listing's records
/// and the event stream's share.
#[derive(Serialize)]
pub(crate) struct SocketFields<'a> {
    proto: &'static str,
    local_address: &'a str,
    local_port: u16,
    remote_address: &'a str,
    remote_port: u16,
    state: Cow<'static, str>,
}

impl<'a> SocketFields<'a> {
    /// The fields of `sock`, whose addresses `push_plain` wrote to `local` and `remote`.
    pub(crate) fn new(sock: &InetSocket, local: &'a [u8], remote: &'a [u8]) -> SocketFields<'a> {
        SocketFields {
            proto: sock.table(),
            local_address: ascii(local),
            local_port: sock.local.port(),
            remote_address: ascii(remote),
            remote_port: sock.remote.port(),
            state: inet_state(sock),
        }
    }
}

/// One Internet socket.
#[derive(Serialize)]
struct InetRecord<'a> {
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    origin: Option<Origin<'a>>,
    #[serde(flatten)]
    socket: SocketFields<'a>,
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
    options: JsonOptions<'a>,
    /// `-p`: the `pid` and `program` fields.
    owners: Option<&'a OwnerMap>,
    /// Whether records carry `local_host` and `remote_host` (host names are on).
    host_names: bool,
    /// The records' `inode` holds the owner's PID (Windows): owners are looked up by it, and
    /// `inode` is written as 0 (no socket file).
    pid_keyed: bool,
    local: Vec<u8>,
    remote: Vec<u8>,
}

impl<'a> InetWriter<'a> {
    pub fn new(
        options: JsonOptions<'a>,
        owners: Option<&'a OwnerMap>,
        host_names: bool,
    ) -> InetWriter<'a> {
        InetWriter {
            options,
            owners,
            host_names,
            pid_keyed: false,
            local: Vec::with_capacity(48),
            remote: Vec::with_capacity(48),
        }
    }

    /// For a system whose socket records hold the owner's PID where Linux's hold the inode
    /// ([`nettables::sys::OwnerKey::Pid`]).
    #[cfg(any(windows, test))]
    pub fn pid_keyed(self) -> InetWriter<'a> {
        InetWriter {
            pid_keyed: true,
            ..self
        }
    }

    /// Writes one socket, with its `--tcp-info` details if any.
    pub fn write<'r>(&mut self, out: &mut impl Sink, row: &Row<'r>) -> io::Result<()> {
        let sock = row.sock;
        for (buf, ip) in [
            (&mut self.local, sock.local.ip()),
            (&mut self.remote, sock.remote.ip()),
        ] {
            buf.clear();
            push_plain(buf, ip);
        }
        let names_on = self.host_names;
        let host = |name: Option<&'r [u8]>| names_on.then_some(name.map(Text));
        let row = InetRecord {
            origin: self.options.origin,
            socket: SocketFields::new(sock, &self.local, &self.remote),
            recv_q: sock.recv_q,
            send_q: sock.send_q,
            uid: sock.uid,
            inode: if self.pid_keyed { 0 } else { sock.inode },
            local_host: host(row.names.local_host),
            remote_host: host(row.names.remote_host),
            owner: owner_fields(self.owners, Some(sock.inode)),
            tcp_info: row.details.map(super::tcp_info::Record::new),
        };
        record(out, self.options.format, &row)
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

/// One Unix domain socket.
#[derive(Serialize)]
struct UnixRecord<'a> {
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    origin: Option<Origin<'a>>,
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
    options: JsonOptions<'_>,
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
        origin: options.origin,
        proto: "unix",
        refcnt: sock.refcnt,
        flags,
        sock_type: text(super::unix::socket_type(sock.sock_type)),
        state: text(super::unix::state(sock)),
        inode: sock.inode,
        path: sock.path.map(Text),
        owner: owner_fields(owners, sock.inode),
    };
    record(out, options.format, &row)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::render::inet::RowNames;
    use crate::render::tests::socket;
    use nettables::inet::State;
    use serde_json::{Value, json};

    fn lines_format() -> JsonOptions<'static> {
        JsonOptions {
            format: OutputFormat::JsonLines,
            origin: None,
        }
    }

    fn sock(protocol: Protocol, local: &str, remote: &str, state: State) -> InetSocket {
        let mut sock = socket(protocol, local, remote, state);
        (sock.recv_q, sock.send_q, sock.uid, sock.inode) = (3, 4, 1000, 77);
        sock
    }

    /// An in-memory [`Sink`].
    #[derive(Default)]
    pub(crate) struct Memory {
        pub(crate) bytes: Vec<u8>,
        framing: Framing,
    }

    impl Memory {
        /// The records written, one JSON value per line (`--json-lines`).
        pub(crate) fn json_lines(&self) -> Vec<Value> {
            self.bytes
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .map(|l| serde_json::from_slice(l).unwrap())
                .collect()
        }
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

    fn numeric_rows(socks: &[InetSocket]) -> Vec<Value> {
        let mut out = Memory::default();
        let mut writer = InetWriter::new(lines_format(), None, false);
        for sock in socks {
            let row = Row {
                sock,
                names: RowNames::default(),
                details: None,
            };
            writer.write(&mut out, &row).unwrap();
        }
        out.json_lines()
    }

    #[test]
    fn inet_records_hold_numbers_and_plain_addresses() {
        let lines = numeric_rows(&[
            sock(
                Protocol::Tcp,
                "[::ffff:127.0.0.1]:8080",
                "[::1]:40000",
                State::ESTABLISHED,
            ),
            sock(Protocol::Raw, "0.0.0.0:1", "0.0.0.0:0", State::CLOSE),
            sock(Protocol::UdpLite, "[::]:5020", "[::]:0", State::CLOSE),
        ]);
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
    fn pid_keyed_records_have_no_inode() {
        let mut sock = sock(Protocol::Tcp, "10.0.0.1:22", "0.0.0.0:0", State::LISTEN);
        sock.inode = 4242; // Windows' owning PID
        let row = Row {
            sock: &sock,
            names: RowNames::default(),
            details: None,
        };
        let mut out = Memory::default();
        let mut writer = InetWriter::new(lines_format(), None, false).pid_keyed();
        writer.write(&mut out, &row).unwrap();
        assert_eq!(out.json_lines()[0]["inode"], 0);
    }

    #[test]
    fn host_fields_appear_only_with_names_on() {
        let mut out = Memory::default();
        let sock = sock(Protocol::Tcp, "10.0.0.1:22", "0.0.0.0:0", State::LISTEN);
        let row = Row {
            sock: &sock,
            names: RowNames {
                local_host: Some(b"gate\x01way"),
                ..RowNames::default()
            },
            details: None,
        };
        InetWriter::new(lines_format(), None, true)
            .write(&mut out, &row)
            .unwrap();
        let v = &out.json_lines()[0];
        assert_eq!(v["local_host"], "gate\u{1}way");
        assert_eq!(v["remote_host"], Value::Null);
        assert_eq!(v["local_address"], "10.0.0.1");
    }

    #[test]
    fn json_array_framing_and_empty_array() {
        let array = JsonOptions {
            format: OutputFormat::Json,
            origin: None,
        };
        let empty = render(|out| finish(out, array.format));
        assert_eq!(empty, "[]\n");
        let two = render(|out| {
            let mut s = UnixSocket::default();
            (s.refcnt, s.flags, s.sock_type, s.state) = (2, Flags::ACCEPTING, 1, 1);
            s.inode = Some(5);
            write_unix(out, array, &s, None)?;
            write_unix(out, array, &s, None)?;
            finish(out, array.format)
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
        let labelled = JsonOptions {
            origin: Some(Origin {
                label: "ns\u{1}",
                container: None,
            }),
            ..lines_format()
        };
        let text = render(|out| {
            let mut s = UnixSocket::default();
            (s.refcnt, s.sock_type, s.state) = (1, 2, 1);
            s.path = Some(b"/tmp/a\x01\xff\"b\n");
            write_unix(out, labelled, &s, None)
        });
        assert!(
            text.contains(r#""path":"/tmp/a\u0001\ufffd\"b\n""#) || text.contains("\\u0001"),
            "{text}"
        );
        let v: Value = serde_json::from_str(text.trim()).unwrap();
        assert_eq!(v["path"], "/tmp/a\u{1}\u{fffd}\"b\n");
        assert_eq!(v["netns"], "ns\u{1}");
        assert_eq!(v["container"], Value::Null);
        assert_eq!(
            serde_json::to_value(Text(b"x\x01\xffy")).unwrap(),
            "x\u{1}\u{fffd}y"
        );
    }

    #[test]
    fn del_c1_and_bidi_marks_are_escaped() {
        let mut out = Vec::new();
        document(
            &mut out,
            &Text("a\u{7f}b\u{9b}c\u{202e}d\u{e9}\u{1}".as_bytes()),
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"a\\u007fb\\u009bc\\u202ed\u{e9}\\u0001\"\n"
        );
    }

    #[test]
    fn records_name_their_namespace_and_container() {
        use nettables::netns::{Pod, PodName, Runtime};
        let pod = Container {
            runtime: Runtime::Containerd,
            id: "ab".repeat(32),
            pod: Some(Pod {
                uid: "0b6a7c3e-1d2f".into(),
                name: Some(PodName {
                    namespace: "default".into(),
                    name: "web-0".into(),
                }),
            }),
        };
        let docker = Container {
            runtime: Runtime::Docker,
            id: "cd".repeat(32),
            pod: None,
        };
        for (container, expected) in [
            (
                &pod,
                json!({"runtime": "containerd", "id": "ab".repeat(32), "pod": "web-0", "namespace": "default", "pod_uid": "0b6a7c3e-1d2f"}),
            ),
            (&docker, json!({"runtime": "docker", "id": "cd".repeat(32)})),
        ] {
            let label = container.label();
            let options = JsonOptions {
                origin: Some(Origin {
                    label: &label,
                    container: Some(container),
                }),
                ..lines_format()
            };
            let text = render(|out| write_unix(out, options, &UnixSocket::default(), None));
            let v: Value = serde_json::from_str(text.trim()).unwrap();
            assert_eq!(v["container"], expected);
            assert_eq!(v["netns"], label.as_str());
        }
    }
}
