//! Names in the foreign column without `-n` (spec §2.3): the local side stays numeric, as on
//! Windows 10 and later; the foreign host becomes its name, its first label only unless `-f`
//! asks for the fully qualified one; a listening or bound socket's unspecified foreign side
//! becomes this machine's name. Ports become service names (Windows' `services` file). An
//! address or port without a name stays a number.

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

/// The foreign column: the host (or its number) and the service (or the port); `None`, the
/// plain number, when neither has a name.
pub fn foreign_column(
    sock: &InetSocket,
    host: Option<&[u8]>,
    service: Option<&[u8]>,
) -> Option<Vec<u8>> {
    if host.is_none() && service.is_none() {
        return None;
    }
    let mut text = match host {
        Some(host) => host.to_vec(),
        // The endpoint as the numeric column writes it (`[fe80::1%9]`), without its port.
        None => {
            let endpoint = sock.remote.to_string();
            let (address, _) = endpoint.rsplit_once(':').unwrap_or((&endpoint, ""));
            address.as_bytes().to_vec()
        }
    };
    text.push(b':');
    match service {
        Some(service) => text.extend_from_slice(service),
        None => text.extend_from_slice(itoa::Buffer::new().format(sock.remote.port()).as_bytes()),
    }
    Some(text)
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
        let short = Some(&b"lb-140-82-114-22-iad"[..]);
        let https = Some(&b"https"[..]);
        let column = |host, service| foreign_column(&est, host, service).map(String::from_utf8);
        assert_eq!(
            column(short, https),
            Some(Ok("lb-140-82-114-22-iad:https".into()))
        );
        assert_eq!(
            column(short, None),
            Some(Ok("lb-140-82-114-22-iad:443".into()))
        );
        assert_eq!(column(None, https), Some(Ok("140.82.114.22:https".into())));
        assert_eq!(column(None, None), None);
        let v6 = tcp("[::1]:5000", "[fe80::1%9]:443", State::ESTABLISHED);
        assert_eq!(
            foreign_column(&v6, None, https).unwrap(),
            b"[fe80::1%9]:https"
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
