//! Unix domain sockets.

bitflags::bitflags! {
    /// A Unix socket's flags as `/proc/net/unix` shows them. Bits without a name here are kept
    /// as the kernel set them.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct Flags: u32 {
        /// `__SO_ACCEPTCON`: the socket is listening.
        const ACCEPTING = 0x10000;
        /// `__SO_WAITDATA` (old kernels only): a reader waits for data.
        const WAITDATA = 0x20000;
        /// `__SO_NOSPACE` (old kernels only): a writer waits for buffer space.
        const NOSPACE = 0x40000;
    }
}

/// One Unix domain socket. The path is borrowed from the collector's buffer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnixSocket<'a> {
    /// Reference count of the kernel socket.
    pub refcnt: u32,
    /// Protocol number; always 0 for Unix sockets.
    pub protocol: u32,
    /// Socket flags.
    pub flags: Flags,
    /// Socket type: 1 stream, 2 datagram, 3 raw, 4 RDM, 5 seqpacket.
    pub sock_type: u16,
    /// Socket state: 0 free, 1 unconnected, 2 connecting, 3 connected, 4 disconnecting.
    pub state: u8,
    /// Socket inode, `None` on kernels too old to report it.
    pub inode: Option<u64>,
    /// Bound path as the kernel prints it: abstract names start with `@`; `None` when unnamed.
    pub path: Option<&'a [u8]>,
}

impl UnixSocket<'_> {
    /// Whether the socket listens for connections.
    pub fn is_listening(&self) -> bool {
        self.flags.contains(Flags::ACCEPTING)
    }
}
