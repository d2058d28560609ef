//! Port → service name, from the NSS services and protocols databases, loaded once. (Not a
//! kernel table, but the audit names listeners' ports with it, in netstat and the exporter.)

use std::cell::OnceCell;
use std::collections::HashMap;
#[cfg(unix)]
use std::ffi::CStr;
#[cfg(unix)]
use std::sync::{Mutex, PoisonError};

/// Which services table a port is looked up in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceTable {
    /// Services with protocol `tcp`.
    Tcp,
    /// Services with protocol `udp`.
    Udp,
    /// Raw sockets: services with protocol `raw`, then every /etc/protocols entry.
    Raw,
}

/// Service names by port, as net-tools loads them: when a number appears twice, the entry
/// read last wins. The databases are read on first use.
#[derive(Debug, Default)]
pub struct Services {
    tables: OnceCell<Tables>,
}

#[derive(Debug, Default)]
struct Tables {
    tcp: HashMap<u16, Box<[u8]>>,
    udp: HashMap<u16, Box<[u8]>>,
    raw: HashMap<u16, Box<[u8]>>,
}

/// The NSS enumeration functions keep their position and their result in process-wide static
/// storage, so loads take turns, whichever thread they run on.
#[cfg(unix)]
static ENUMERATION: Mutex<()> = Mutex::new(());

#[cfg(unix)]
unsafe extern "C" {
    // glibc has these; the libc crate does not declare them.
    fn setprotoent(stayopen: libc::c_int);
    fn getprotoent() -> *mut libc::protoent;
    fn endprotoent();
}

impl Services {
    /// An empty cache; the databases are read by the first [`Services::name`].
    pub fn new() -> Services {
        Services::default()
    }

    /// The service name of `port`, if the databases have one.
    pub fn name(&self, table: ServiceTable, port: u16) -> Option<&[u8]> {
        let tables = self.tables.get_or_init(Tables::load);
        let map = match table {
            ServiceTable::Tcp => &tables.tcp,
            ServiceTable::Udp => &tables.udp,
            ServiceTable::Raw => &tables.raw,
        };
        map.get(&port).map(|name| &name[..])
    }
}

impl Tables {
    /// Windows has no NSS enumeration: its `services` file is read as `getservbyport` reads
    /// it (`%SystemRoot%\System32\drivers\etc\services`); none gives numeric ports.
    #[cfg(not(unix))]
    fn load() -> Tables {
        let root = std::env::var_os("SystemRoot").unwrap_or_else(|| r"C:\Windows".into());
        let path = std::path::Path::new(&root).join(r"System32\drivers\etc\services");
        std::fs::read(path).map_or_else(|_| Tables::default(), |text| Tables::parse(&text))
    }

    /// The lines of a services file, `name port/protocol [aliases] [# comment]`; the first
    /// entry of a port wins, as `getservbyport` finds it.
    #[cfg(any(not(unix), test))]
    fn parse(text: &[u8]) -> Tables {
        let mut tables = Tables::default();
        for line in text.split(|&b| b == b'\n') {
            let line = line.split(|&b| b == b'#').next().unwrap_or_default();
            let mut words = line
                .split(u8::is_ascii_whitespace)
                .filter(|w| !w.is_empty());
            let (Some(name), Some(port)) = (words.next(), words.next()) else {
                continue;
            };
            let mut port = port.splitn(2, |&b| b == b'/');
            let number = std::str::from_utf8(port.next().unwrap_or_default())
                .ok()
                .and_then(|n| n.parse::<u16>().ok());
            let table = match port.next() {
                Some(b"tcp") => &mut tables.tcp,
                Some(b"udp") => &mut tables.udp,
                _ => continue,
            };
            if let Some(number) = number {
                table.entry(number).or_insert_with(|| name.into());
            }
        }
        tables
    }

    #[cfg(unix)]
    fn load() -> Tables {
        let mut tables = Tables::default();
        let _turn = ENUMERATION.lock().unwrap_or_else(PoisonError::into_inner);
        // SAFETY: the lock keeps any other thread out of these functions while they run, and
        // every pointer they return is checked for NULL and copied before the next call.
        unsafe {
            libc::setservent(1);
            loop {
                let entry = libc::getservent();
                if entry.is_null() {
                    break;
                }
                let entry = &*entry;
                if entry.s_name.is_null() || entry.s_proto.is_null() {
                    continue;
                }
                tables.add_service(
                    CStr::from_ptr(entry.s_name).to_bytes(),
                    u16::from_be(entry.s_port as u16),
                    CStr::from_ptr(entry.s_proto).to_bytes(),
                );
            }
            libc::endservent();

            setprotoent(1);
            loop {
                let entry = getprotoent();
                if entry.is_null() {
                    break;
                }
                let entry = &*entry;
                if entry.p_name.is_null() {
                    continue;
                }
                tables.add_protocol(CStr::from_ptr(entry.p_name).to_bytes(), entry.p_proto);
            }
            endprotoent();
        }
        tables
    }

    /// Adds a services entry (read after the ones before it, so it wins over them).
    #[cfg(any(unix, test))]
    fn add_service(&mut self, name: &[u8], port: u16, protocol: &[u8]) {
        let table = match protocol {
            b"tcp" => &mut self.tcp,
            b"udp" => &mut self.udp,
            b"raw" => &mut self.raw,
            _ => return,
        };
        table.insert(port, name.into());
    }

    /// Adds a protocols entry to the raw table, where it wins over every services entry.
    #[cfg(any(unix, test))]
    fn add_protocol(&mut self, name: &[u8], number: i32) {
        if let Ok(number) = u16::try_from(number) {
            self.raw.insert(number, name.into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tables loaded from `services` and `protocols` text (their file formats), as the NSS
    /// enumeration hands them over: services first, in file order.
    fn load(services: &str, protocols: &str) -> Services {
        let mut tables = Tables::default();
        for line in services.lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (port, protocol) = fields[1].split_once('/').expect("port/protocol");
            tables.add_service(
                fields[0].as_bytes(),
                port.parse().expect("port"),
                protocol.as_bytes(),
            );
        }
        for line in protocols.lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            tables.add_protocol(fields[0].as_bytes(), fields[1].parse().expect("number"));
        }
        Services {
            tables: OnceCell::from(tables),
        }
    }

    #[test]
    fn the_last_entry_read_wins() {
        let services = load(
            "ssh 22/tcp\nsecure-shell 22/tcp\ndomain 53/udp\nrawsvc 1/raw\nsctpsvc 9/sctp\n",
            "ip 0 IP\nhopopt 0 HOPOPT\nicmp 1 ICMP\nbig 70000 BIG\n",
        );
        assert_eq!(
            services.name(ServiceTable::Tcp, 22),
            Some(&b"secure-shell"[..])
        );
        assert_eq!(services.name(ServiceTable::Udp, 53), Some(&b"domain"[..]));
        assert_eq!(services.name(ServiceTable::Udp, 22), None);
        // Raw sockets: protocols are read after services, and win.
        assert_eq!(services.name(ServiceTable::Raw, 1), Some(&b"icmp"[..]));
        assert_eq!(services.name(ServiceTable::Raw, 0), Some(&b"hopopt"[..]));
        // Protocols other than tcp, udp and raw, and numbers beyond 16 bits (70000 is not
        // cut to 4464), are left out; so is what no file lists.
        for (table, port) in [(ServiceTable::Tcp, 9), (ServiceTable::Raw, 4464)] {
            assert_eq!(services.name(table, port), None, "{table:?} {port}");
        }
        assert_eq!(services.name(ServiceTable::Udp, 65000), None);
    }

    #[test]
    fn a_windows_services_file_first_entry_wins() {
        let text = b"# Network services\r\necho   7/tcp\r\nssh 22/tcp # The Secure Shell\r\n\
                     shell 22/tcp\r\ndomain 53/udp nameserver\r\nbad x/tcp\r\nodd 9/ddp\r\n";
        let tables = Tables::parse(text);
        assert_eq!(tables.tcp.get(&22).map(|n| &n[..]), Some(&b"ssh"[..]));
        assert_eq!(tables.tcp.get(&7).map(|n| &n[..]), Some(&b"echo"[..]));
        assert_eq!(tables.udp.get(&53).map(|n| &n[..]), Some(&b"domain"[..]));
        assert_eq!(
            (tables.tcp.len(), tables.udp.len(), tables.raw.len()),
            (2, 1, 0)
        );
    }
}
