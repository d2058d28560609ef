//! A minimal netlink dump client: one request, then every reply message, parsed in place.
//!
//! Hand-written rather than built on `netlink-packet-*`: those crates decode each message into
//! owned values, and at 400,000 sockets that allocation is most of the run time. Every length
//! read from the kernel is checked before it is used.

use std::io;
use std::os::fd::OwnedFd;

use rustix::net::netlink::SocketAddrNetlink;
use rustix::net::{AddressFamily, RecvFlags, SendFlags, SocketFlags, SocketType};

pub(crate) const NLMSG_HDRLEN: usize = 16;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_DUMP: u16 = 0x300;

/// Receive buffer size. Large enough that the kernel fills each read with many sockets.
const RECV_BUFFER: usize = 256 * 1024;

/// Why a dump stopped: the kernel (or the socket) failed, or the callback did.
pub(crate) enum DumpError<E> {
    Kernel(io::Error),
    Callback(E),
}

impl<E> From<io::Error> for DumpError<E> {
    fn from(e: io::Error) -> Self {
        DumpError::Kernel(e)
    }
}

/// A netlink socket of one protocol, with its receive buffer, reused across dumps.
pub(crate) struct Netlink {
    fd: OwnedFd,
    buf: Vec<u8>,
    seq: u32,
}

impl Netlink {
    pub(crate) fn open(protocol: rustix::net::Protocol) -> io::Result<Netlink> {
        let fd = rustix::net::socket_with(
            AddressFamily::NETLINK,
            SocketType::DGRAM,
            SocketFlags::CLOEXEC,
            Some(protocol),
        )?;
        // A bigger socket buffer lets the kernel queue more of the dump between our reads.
        let _ = rustix::net::sockopt::set_socket_recv_buffer_size(&fd, 4 * RECV_BUFFER);
        Ok(Netlink {
            fd,
            buf: vec![0; RECV_BUFFER],
            seq: 0,
        })
    }

    /// Sends a dump request of `kind` with `body`, then calls `each` with the payload of every
    /// reply message until the kernel says the dump is done. A kernel error ends the dump with
    /// that error.
    pub(crate) fn dump<E>(
        &mut self,
        kind: u16,
        body: &[u8],
        mut each: impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), DumpError<E>> {
        self.seq = self.seq.wrapping_add(1);
        let mut request = Vec::with_capacity(NLMSG_HDRLEN + body.len());
        let len =
            u32::try_from(NLMSG_HDRLEN + body.len()).map_err(|_| invalid("request too long"))?;
        request.extend_from_slice(&len.to_ne_bytes());
        request.extend_from_slice(&kind.to_ne_bytes());
        request.extend_from_slice(&(NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
        request.extend_from_slice(&self.seq.to_ne_bytes());
        request.extend_from_slice(&0u32.to_ne_bytes());
        request.extend_from_slice(body);
        rustix::net::sendto(
            &self.fd,
            &request,
            SendFlags::empty(),
            &SocketAddrNetlink::new(0, 0),
        )
        .map_err(io::Error::from)?;

        loop {
            let (n, _) = loop {
                match rustix::net::recv(&self.fd, &mut self.buf[..], RecvFlags::empty()) {
                    Err(rustix::io::Errno::INTR) => continue,
                    other => break other.map_err(io::Error::from)?,
                }
            };
            let mut rest = &self.buf[..n.min(self.buf.len())];
            while !rest.is_empty() {
                let header = rest
                    .get(..NLMSG_HDRLEN)
                    .ok_or_else(|| invalid("short netlink header"))?;
                let msg_len = u32_at(header, 0) as usize;
                let msg_kind = u16::from_ne_bytes([header[4], header[5]]);
                let msg_seq = u32_at(header, 8);
                if msg_len < NLMSG_HDRLEN || msg_len > rest.len() {
                    return Err(invalid("bad netlink message length").into());
                }
                let payload = &rest[NLMSG_HDRLEN..msg_len];
                rest = rest.get(align4(msg_len)..).unwrap_or(&[]);
                if msg_seq != self.seq {
                    continue; // left over from an earlier, abandoned dump
                }
                match msg_kind {
                    // A dump that fails in the kernel (no raw_diag module: ENOENT) ends with
                    // NLMSG_DONE carrying the negative errno.
                    NLMSG_DONE => match payload
                        .get(..4)
                        .map(|b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
                    {
                        Some(errno) if errno < 0 => {
                            return Err(io::Error::from_raw_os_error(-errno).into());
                        }
                        _ => return Ok(()),
                    },
                    NLMSG_ERROR => {
                        let errno = payload
                            .get(..4)
                            .map_or(0, |b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]));
                        if errno == 0 {
                            return Ok(());
                        }
                        return Err(io::Error::from_raw_os_error(-errno).into());
                    }
                    _ => each(payload).map_err(DumpError::Callback)?,
                }
            }
        }
    }
}

pub(crate) fn align4(n: usize) -> usize {
    (n + 3) & !3
}

pub(crate) fn u32_at(bytes: &[u8], at: usize) -> u32 {
    match bytes.get(at..at + 4) {
        Some(b) => u32::from_ne_bytes([b[0], b[1], b[2], b[3]]),
        None => 0,
    }
}

pub(crate) fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

/// Iterates the route attributes (`struct rtattr`) in `bytes`, yielding (type, payload).
/// Stops at the first malformed attribute.
pub(crate) fn attributes(mut bytes: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let head = bytes.get(..4)?;
        let len = u16::from_ne_bytes([head[0], head[1]]) as usize;
        let kind = u16::from_ne_bytes([head[2], head[3]]);
        if len < 4 || len > bytes.len() {
            bytes = &[];
            return None;
        }
        let payload = &bytes[4..len];
        bytes = bytes.get(align4(len)..).unwrap_or(&[]);
        Some((kind, payload))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_stop_at_malformed_lengths() {
        // One good attribute (len 6, padded to 8), then one claiming more bytes than exist.
        let bytes = [6, 0, 2, 0, 0xaa, 0xbb, 0, 0, 40, 0, 3, 0, 1];
        let found: Vec<_> = attributes(&bytes).collect();
        assert_eq!(found, vec![(2u16, &[0xaa, 0xbb][..])]);
        assert_eq!(
            attributes(&[2, 0, 1, 0]).count(),
            0,
            "len below header size"
        );
        assert_eq!(attributes(&[]).count(), 0);
    }

    #[test]
    fn u32_at_out_of_range_is_zero() {
        assert_eq!(u32_at(&[1, 2, 3], 0), 0);
        assert_eq!(u32_at(&1u32.to_ne_bytes(), 0), 1);
    }
}
