//! The socket counter files of `/proc/net`, behind [`crate::sockstat::read`].

use crate::Result;
use crate::sockstat::{Sockstat, parse};

pub(crate) fn read() -> Result<Sockstat> {
    let sockstat = super::read_file("/proc/net/sockstat")?;
    // Without IPv6 there is no sockstat6; its counters stay at zero.
    let sockstat6 = super::read_file("/proc/net/sockstat6").ok();
    Ok(parse(&sockstat, sockstat6.as_deref()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_this_namespace() {
        let _held = std::net::UdpSocket::bind("127.0.0.1:0").expect("a UDP socket");
        let stat = super::read().expect("/proc/net/sockstat");
        assert!(stat.sockets_used > 0 && stat.udp.inuse > 0, "{stat:?}");
    }
}
