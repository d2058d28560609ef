//! Names in the foreign column without `-n` (spec §2.3): the local side stays numeric, as on
//! Windows 10 and later; the foreign host becomes its name, its first label only unless `-f`
//! asks for the fully qualified one; a listening or bound socket's unspecified foreign side
//! becomes this machine's name. An address without a name stays a number. Ports stay numbers:
//! this build has no services database to name them from.

use nettables::inet::InetSocket;

/// Whether the socket's foreign host is worth looking up: it has one.
pub fn wants_lookup(sock: &InetSocket) -> bool {
    !sock.remote.ip().is_unspecified()
}

/// The host the foreign column shows, or `None` for the number. `name` is the reverse
/// look-up of the foreign address, `machine` this machine's name.
pub fn foreign_host<'a>(
    sock: &InetSocket,
    name: Option<&'a [u8]>,
    machine: &'a [u8],
    fqdn: bool,
) -> Option<&'a [u8]> {
    let tcp = sock.protocol == nettables::inet::Protocol::Tcp;
    let name = match wants_lookup(sock) {
        true => name?,
        // An unconnected UDP socket keeps its `*:*`.
        false if tcp && !machine.is_empty() => machine,
        false => return None,
    };
    if fqdn {
        return Some(name);
    }
    Some(name.split(|&b| b == b'.').next().unwrap_or(name))
}

/// `host:port`, as the column shows a named endpoint.
pub fn with_port(host: &[u8], port: u16) -> Vec<u8> {
    let mut text = host.to_vec();
    text.push(b':');
    text.extend_from_slice(itoa::Buffer::new().format(port).as_bytes());
    text
}

#[cfg(test)]
mod tests {
    use nettables::inet::State;

    use super::*;
    use crate::windows::connections::tests::{tcp, udp};

    #[test]
    fn short_names_unless_fqdn_and_numbers_without_one() {
        let est = tcp("10.0.0.1:5000", "140.82.114.22:443", State::ESTABLISHED);
        let name = Some(&b"lb-140-82-114-22-iad.github.com"[..]);
        assert!(wants_lookup(&est));
        assert_eq!(
            foreign_host(&est, name, b"pc01", false),
            Some(&b"lb-140-82-114-22-iad"[..])
        );
        assert_eq!(foreign_host(&est, name, b"pc01", true), name);
        assert_eq!(foreign_host(&est, None, b"pc01", false), None);
        assert_eq!(
            with_port(b"lb-140-82-114-22-iad", 443),
            b"lb-140-82-114-22-iad:443"
        );
    }

    #[test]
    fn listeners_show_the_machine_and_udp_endpoints_stay_stars() {
        let listen = tcp("[::]:80", "[::]:0", State::LISTEN);
        assert!(!wants_lookup(&listen));
        assert_eq!(
            foreign_host(&listen, None, b"TMP215-75-G2", false),
            Some(&b"TMP215-75-G2"[..])
        );
        assert_eq!(foreign_host(&listen, None, b"", false), None);
        let dns = udp("0.0.0.0:53", "0.0.0.0:0");
        assert_eq!(foreign_host(&dns, None, b"pc01", false), None);
        let connected = udp("127.0.0.1:5000", "127.0.0.1:53");
        assert_eq!(
            foreign_host(&connected, Some(b"localhost"), b"pc01", false),
            Some(&b"localhost"[..])
        );
    }
}
