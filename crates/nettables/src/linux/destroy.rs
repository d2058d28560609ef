//! The kernel's broadcast of freed sockets: a `NETLINK_SOCK_DIAG` socket in the
//! `SKNLGRP_*_DESTROY` multicast groups, which receives every TCP and UDP socket of its
//! network namespace as it is freed, with its final `tcp_info`.
//!
//! The groups need no privilege (`sock_diag` lets anyone receive them). When the socket's
//! receive buffer overflows the kernel drops messages and the next read fails with `ENOBUFS`;
//! that is counted, never hidden.

use std::io;
use std::os::fd::OwnedFd;
use std::time::Duration;

use rustix::net::netlink::SocketAddrNetlink;
use rustix::net::sockopt::{self, Timeout};
use rustix::net::{AddressFamily, RecvFlags, SocketFlags, SocketType};

use super::netlink::{NLMSG_HDRLEN, align4, u32_at};
use super::sock_diag;
use crate::inet::InetSocket;
use crate::tcp_info::TcpInfo;

/// `enum sknetlink_groups` (`<linux/sock_diag.h>`): group `n` is bit `n - 1` of the bind mask.
const SKNLGRP_INET_TCP_DESTROY: u32 = 1;
const SKNLGRP_INET_UDP_DESTROY: u32 = 2;
const SKNLGRP_INET6_TCP_DESTROY: u32 = 3;
const SKNLGRP_INET6_UDP_DESTROY: u32 = 4;

/// One read's buffer: many messages of about 350 bytes each.
const READ_BUFFER: usize = 256 * 1024;

/// A socket in the destroy groups of the namespace it was made in.
pub(crate) struct DestroyListener {
    fd: OwnedFd,
    buf: Vec<u8>,
    receive_buffer: usize,
}

/// What one [`DestroyListener::receive`] came to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Received {
    /// Reads that failed with `ENOBUFS`: each means the kernel dropped at least one message.
    pub(crate) overflows: u64,
}

impl DestroyListener {
    /// Joins the TCP groups, the UDP groups, or both, asking for a receive buffer of
    /// `receive_buffer` bytes: `SO_RCVBUFFORCE` when the caller may exceed `rmem_max`
    /// (`CAP_NET_ADMIN`), `SO_RCVBUF` (capped by `net.core.rmem_max`) otherwise.
    pub(crate) fn open(tcp: bool, udp: bool, receive_buffer: usize) -> io::Result<DestroyListener> {
        let fd = rustix::net::socket_with(
            AddressFamily::NETLINK,
            SocketType::DGRAM,
            SocketFlags::CLOEXEC,
            Some(rustix::net::netlink::SOCK_DIAG),
        )?;
        if sockopt::set_socket_recv_buffer_size_force(&fd, receive_buffer).is_err() {
            // Not allowed: the largest the system lets anyone have.
            let _ = sockopt::set_socket_recv_buffer_size(&fd, receive_buffer);
        }
        let group = |n: u32| 1u32 << (n - 1);
        let mut groups = 0;
        if tcp {
            groups |= group(SKNLGRP_INET_TCP_DESTROY) | group(SKNLGRP_INET6_TCP_DESTROY);
        }
        if udp {
            groups |= group(SKNLGRP_INET_UDP_DESTROY) | group(SKNLGRP_INET6_UDP_DESTROY);
        }
        rustix::net::bind(&fd, &SocketAddrNetlink::new(0, groups))?;
        // The kernel reports twice what it reserves (its bookkeeping overhead).
        let receive_buffer = sockopt::socket_recv_buffer_size(&fd).map_or(0, |n| n / 2);
        Ok(DestroyListener {
            fd,
            buf: vec![0; READ_BUFFER],
            receive_buffer,
        })
    }

    /// The receive buffer the kernel granted, in bytes of messages.
    pub(crate) fn receive_buffer(&self) -> usize {
        self.receive_buffer
    }

    /// Waits up to `wait` for the first message, then reads whatever else is queued without
    /// waiting, calling `each` for every socket. Messages that do not parse are skipped.
    pub(crate) fn receive(
        &mut self,
        wait: Duration,
        mut each: impl FnMut(&InetSocket, Option<&TcpInfo>),
    ) -> io::Result<Received> {
        let mut received = Received::default();
        // SO_RCVTIMEO rather than poll: a zero timeout would mean "forever".
        let wait = (!wait.is_zero()).then_some(wait);
        let mut flags = RecvFlags::empty();
        if wait.is_some() {
            sockopt::set_socket_timeout(&self.fd, Timeout::Recv, wait)?;
        } else {
            flags = RecvFlags::DONTWAIT;
        }
        loop {
            match rustix::net::recv(&self.fd, &mut self.buf[..], flags) {
                Ok((n, _)) => {
                    each_message(&self.buf[..n.min(self.buf.len())], &mut each);
                }
                Err(rustix::io::Errno::NOBUFS) => received.overflows += 1,
                Err(rustix::io::Errno::AGAIN | rustix::io::Errno::INTR) => return Ok(received),
                Err(e) => return Err(e.into()),
            }
            flags = RecvFlags::DONTWAIT;
        }
    }
}

/// Calls `each` for every destroy message in one datagram; returns how many parsed.
fn each_message(mut rest: &[u8], each: &mut impl FnMut(&InetSocket, Option<&TcpInfo>)) -> usize {
    let mut count = 0;
    while rest.len() >= NLMSG_HDRLEN {
        let len = u32_at(rest, 0) as usize;
        if len < NLMSG_HDRLEN || len > rest.len() {
            break;
        }
        if let Some((socket, info)) = sock_diag::parse_destroyed(&rest[NLMSG_HDRLEN..len]) {
            each(&socket, info.as_ref());
            count += 1;
        }
        rest = rest.get(align4(len)..).unwrap_or(&[]);
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A netlink message holding a minimal UDP destroy message for local port `port`.
    fn message(port: u16) -> Vec<u8> {
        let mut body = vec![0u8; 72];
        body[0] = libc::AF_INET as u8;
        body[4..6].copy_from_slice(&port.to_be_bytes());
        body.extend_from_slice(&[5, 0, 10, 0, 17, 0, 0, 0]); // INET_DIAG_PROTOCOL: UDP
        let mut msg = ((NLMSG_HDRLEN + body.len()) as u32).to_ne_bytes().to_vec();
        msg.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        msg.extend_from_slice(&body);
        msg
    }

    #[test]
    fn every_message_of_a_datagram_is_read_until_a_bad_length() {
        let mut datagram = [message(53), message(123)].concat();
        let mut ports = Vec::new();
        let count = each_message(&datagram, &mut |s, _| ports.push(s.local.port()));
        assert_eq!((count, ports.as_slice()), (2, &[53, 123][..]));

        datagram.extend_from_slice(&[200, 0, 0, 0, 20, 0, 0, 0]); // claims 200 bytes
        ports.clear();
        assert_eq!(
            each_message(&datagram, &mut |s, _| ports.push(s.local.port())),
            2
        );
        assert_eq!(each_message(&datagram[..10], &mut |_, _| {}), 0);
    }
}
