//! Unix domain sockets from netlink `sock_diag` (`unix_diag`), joined with `/proc/net/unix`.
//!
//! `/proc/net/unix` prints a socket's name raw, so a name holding a newline cuts its line in two
//! and the tail can be a forged line. The kernel's dump carries each name as a length-counted
//! attribute, so names, types and states come from here; `/proc/net/unix` gives the order
//! net-tools prints in, the reference count and whether the socket still has its `struct
//! socket` (the St column), joined by inode. A connection still in its listener's accept queue
//! has inode 0 and is left out of the dump; the listener's `UNIX_DIAG_ICONS` counts them, so
//! they are joined by the first line of their name (their listener's), each used once.

use std::collections::HashMap;

use super::netlink::{DumpError, Netlink, attributes, u32_at};
use crate::unix::{Flags, UnixSocket};

/// `SOCK_DIAG_BY_FAMILY` (`<linux/sock_diag.h>`).
const SOCK_DIAG_BY_FAMILY: u16 = 20;
/// `UDIAG_SHOW_NAME` (`<linux/unix_diag.h>`): ask for the `UNIX_DIAG_NAME` attribute.
const UDIAG_SHOW_NAME: u32 = 0x1;
/// `UDIAG_SHOW_ICONS`: ask a listener for `UNIX_DIAG_ICONS`.
const UDIAG_SHOW_ICONS: u32 = 0x8;
/// `UNIX_DIAG_NAME`: the bound address, `sun_path` as bound (abstract names start with NUL).
const UNIX_DIAG_NAME: u16 = 0;
/// `UNIX_DIAG_ICONS`: a listener's queued connections, a `u32` (their peer's inode) each.
const UNIX_DIAG_ICONS: u16 = 3;
/// `sizeof(struct unix_diag_req)`: family, protocol, pad, states, inode, show, cookie[2].
const REQUEST_SIZE: usize = 24;
/// `sizeof(struct unix_diag_msg)`: family, type, state, pad, inode, cookie[2].
const MESSAGE_SIZE: usize = 16;
/// `TCP_ESTABLISHED` and `TCP_LISTEN`, the `sk_state` values a Unix socket's St depends on.
const TCP_ESTABLISHED: u8 = 1;
const TCP_LISTEN: u8 = 10;
/// `SS_CONNECTING` and `SS_DISCONNECTING`: the St values of a socket without `struct socket`.
const SS_CONNECTING: u8 = 2;
const SS_DISCONNECTING: u8 = 4;

/// One socket as the dump reports it.
#[derive(Clone, Copy, Debug)]
struct Entry {
    sock_type: u16,
    /// `sk_state` (a `TCP_*` value).
    state: u8,
    /// The name as `/proc/net/unix` prints it, a range of [`UnixDiag::names`].
    name: Option<(usize, usize)>,
    /// Already printed: a second line with this inode is a forgery.
    seen: bool,
}

/// The last dump, by inode. Kept between calls so its allocations are reused.
#[derive(Default)]
pub(crate) struct UnixDiag {
    by_inode: HashMap<u64, Entry>,
    /// Sockets with inode 0 (not yet accepted), by the first line of their name.
    unaccepted: HashMap<Vec<u8>, Vec<Entry>>,
    names: Vec<u8>,
}

impl UnixDiag {
    /// Replaces the table with a fresh dump of every Unix socket in the namespace.
    pub(crate) fn dump(&mut self, netlink: &mut Netlink) -> Result<(), std::io::Error> {
        self.by_inode.clear();
        self.unaccepted.clear();
        self.names.clear();
        let mut request = [0u8; REQUEST_SIZE];
        request[0] = libc::AF_UNIX as u8;
        request[4..8].copy_from_slice(&u32::MAX.to_ne_bytes()); // every state
        request[12..16].copy_from_slice(&(UDIAG_SHOW_NAME | UDIAG_SHOW_ICONS).to_ne_bytes());
        netlink
            .dump(SOCK_DIAG_BY_FAMILY, &request, |payload| {
                self.add(payload);
                Ok::<(), std::convert::Infallible>(())
            })
            .map_err(|e| match e {
                DumpError::Kernel(e) => e,
                DumpError::Callback(never) => match never {},
            })
    }

    /// Records one `struct unix_diag_msg` and its attributes; a malformed message is skipped.
    pub(crate) fn add(&mut self, payload: &[u8]) {
        let Some(fixed) = payload.get(..MESSAGE_SIZE) else {
            return;
        };
        if fixed[0] != libc::AF_UNIX as u8 {
            return;
        }
        let (mut name, mut queued) = (None, 0);
        for (kind, value) in attributes(&payload[MESSAGE_SIZE..]) {
            match kind {
                UNIX_DIAG_NAME if name.is_none() => name = self.add_name(value),
                UNIX_DIAG_ICONS => queued = value.len() / 4,
                _ => {}
            }
        }
        let entry = Entry {
            sock_type: u16::from(fixed[1]),
            state: fixed[2],
            name,
            seen: false,
        };
        if queued > 0 {
            // A queued connection has its listener's name and type; it is connected.
            let queued_entry = Entry {
                state: TCP_ESTABLISHED,
                ..entry
            };
            let key = first_line(entry_name(&self.names, &entry));
            let entries = match self.unaccepted.get_mut(key) {
                Some(entries) => entries,
                None => self.unaccepted.entry(key.to_vec()).or_default(),
            };
            entries.extend(std::iter::repeat_n(queued_entry, queued));
        }
        let inode = u32_at(fixed, 4);
        if inode != 0 {
            self.by_inode.insert(u64::from(inode), entry);
        }
    }

    /// Appends `sun_path` as `unix_seq_show` prints it: an abstract name as `@` and the bytes
    /// after its leading NUL, a path without its terminating NUL, any other NUL as `@`.
    fn add_name(&mut self, sun_path: &[u8]) -> Option<(usize, usize)> {
        let (&first, _) = sun_path.split_first()?;
        let start = self.names.len();
        let body = if first == 0 {
            self.names.push(b'@');
            &sun_path[1..]
        } else {
            &sun_path[..sun_path.len() - 1]
        };
        self.names
            .extend(body.iter().map(|&b| if b == 0 { b'@' } else { b }));
        Some((start, self.names.len()))
    }

    /// The socket a `/proc/net/unix` line stands for, with its name, type and state from the
    /// dump, and the number of following lines its name's newlines made (to be skipped).
    /// `None` for a line whose inode the dump has not (a forgery, or a socket made since) or
    /// has already given.
    pub(crate) fn join<'a>(&'a mut self, line: &UnixSocket<'_>) -> Option<(UnixSocket<'a>, usize)> {
        let entry = match line.inode? {
            0 => self
                .unaccepted
                .get_mut(line.path.unwrap_or_default())?
                .pop()?,
            inode => {
                let entry = self.by_inode.get_mut(&inode)?;
                if entry.seen {
                    return None;
                }
                entry.seen = true;
                *entry
            }
        };
        let established = entry.state == TCP_ESTABLISHED;
        // St is SS_CONNECTED/SS_UNCONNECTED for a socket with its `struct socket`, and
        // SS_CONNECTING/SS_DISCONNECTING without; only that choice is taken from the line.
        let state = match (established, line.state) {
            (true, SS_CONNECTING) => SS_CONNECTING,
            (true, _) => 3,
            (false, SS_DISCONNECTING) => SS_DISCONNECTING,
            (false, _) => 1,
        };
        let flags = if entry.state == TCP_LISTEN {
            Flags::ACCEPTING
        } else {
            Flags::empty()
        };
        let path = entry.name.map(|(start, end)| &self.names[start..end]);
        // Each newline in the name made one more `/proc/net/unix` line.
        let newlines = path.map_or(0, |name| name.iter().filter(|&&b| b == b'\n').count());
        let sock = UnixSocket {
            refcnt: line.refcnt,
            protocol: 0,
            flags,
            sock_type: entry.sock_type,
            state,
            inode: line.inode,
            path,
        };
        Some((sock, newlines))
    }
}

/// An entry's name in `names`; empty when it has none.
fn entry_name<'n>(names: &'n [u8], entry: &Entry) -> &'n [u8] {
    entry.name.map_or(&[], |(start, end)| &names[start..end])
}

/// What `/proc/net/unix` shows of a name: the part before its first newline.
fn first_line(name: &[u8]) -> &[u8] {
    name.split(|&b| b == b'\n').next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(inode: u32, sock_type: u8, state: u8, name: Option<&[u8]>) -> Vec<u8> {
        let mut msg = vec![libc::AF_UNIX as u8, sock_type, state, 0];
        msg.extend_from_slice(&inode.to_ne_bytes());
        msg.extend_from_slice(&[0; 8]);
        if let Some(name) = name {
            msg.extend_from_slice(&u16::try_from(4 + name.len()).unwrap().to_ne_bytes());
            msg.extend_from_slice(&UNIX_DIAG_NAME.to_ne_bytes());
            msg.extend_from_slice(name);
            msg.resize(super::super::netlink::align4(msg.len()), 0);
        }
        msg
    }

    fn proc_line(inode: u64, state: u8) -> UnixSocket<'static> {
        UnixSocket {
            refcnt: 2,
            flags: Flags::ACCEPTING,
            sock_type: 1,
            state,
            inode: Some(inode),
            path: Some(b"@forged"),
            ..UnixSocket::default()
        }
    }

    #[test]
    fn names_print_as_proc_net_unix_does() {
        let mut diag = UnixDiag::default();
        diag.add(&message(7, 1, TCP_LISTEN, Some(b"/run/a.sock\0")));
        diag.add(&message(8, 2, 7, Some(b"\0abs\0tr\nail")));
        diag.add(&message(9, 5, TCP_ESTABLISHED, None));
        let (listener, skip) = diag.join(&proc_line(7, 1)).unwrap();
        assert_eq!(listener.path, Some(&b"/run/a.sock"[..]));
        assert_eq!(
            (listener.flags, listener.sock_type, skip),
            (Flags::ACCEPTING, 1, 0)
        );
        let (abs, skip) = diag.join(&proc_line(8, 4)).unwrap();
        assert_eq!(abs.path, Some(&b"@abs@tr\nail"[..]));
        assert_eq!(
            (abs.flags, abs.state, abs.sock_type, skip),
            (Flags::empty(), 4, 2, 1)
        );
        let (unnamed, _) = diag.join(&proc_line(9, 1)).unwrap();
        assert_eq!(
            (unnamed.path, unnamed.state, unnamed.sock_type),
            (None, 3, 5)
        );
    }

    #[test]
    fn unknown_and_repeated_inodes_are_dropped() {
        let mut diag = UnixDiag::default();
        diag.add(&message(7, 1, 7, Some(b"\0x")));
        assert!(diag.join(&proc_line(6, 1)).is_none());
        assert!(diag.join(&proc_line(7, 1)).is_some());
        assert!(diag.join(&proc_line(7, 1)).is_none());
        assert!(diag.join(&UnixSocket::default()).is_none());
    }

    #[test]
    fn unaccepted_sockets_join_by_name_once_each() {
        let mut diag = UnixDiag::default();
        let mut listener = message(5, 1, TCP_LISTEN, Some(b"/srv\nx\0"));
        listener.extend_from_slice(&12u16.to_ne_bytes());
        listener.extend_from_slice(&UNIX_DIAG_ICONS.to_ne_bytes());
        listener.extend_from_slice(&[0; 8]);
        diag.add(&listener);
        let mut line = proc_line(0, SS_CONNECTING);
        line.path = Some(b"/other");
        assert!(diag.join(&line).is_none());
        line.path = Some(b"/srv");
        for _ in 0..2 {
            let (sock, skip) = diag.join(&line).unwrap();
            assert_eq!(
                (sock.path, sock.state, skip),
                (Some(&b"/srv\nx"[..]), SS_CONNECTING, 1)
            );
        }
        assert!(diag.join(&line).is_none());
    }

    #[test]
    fn malformed_messages_are_skipped() {
        let mut diag = UnixDiag::default();
        diag.add(&[]);
        diag.add(&[libc::AF_UNIX as u8; 15]);
        let mut wrong_family = message(7, 1, 7, None);
        wrong_family[0] = libc::AF_INET as u8;
        diag.add(&wrong_family);
        assert!(diag.by_inode.is_empty());
        diag.add(&message(7, 1, 7, Some(b"")));
        assert_eq!(diag.join(&proc_line(7, 1)).unwrap().0.path, None);
    }
}
