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
    /// Windows has no NSS enumeration: ports stay numeric there.
    #[cfg(not(unix))]
    fn load() -> Tables {
        Tables::default()
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
                let name: Box<[u8]> = CStr::from_ptr(entry.s_name).to_bytes().into();
                let port = u16::from_be(entry.s_port as u16);
                match CStr::from_ptr(entry.s_proto).to_bytes() {
                    b"tcp" => tables.tcp.insert(port, name),
                    b"udp" => tables.udp.insert(port, name),
                    b"raw" => tables.raw.insert(port, name),
                    _ => None,
                };
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
                if let Ok(number) = u16::try_from(entry.p_proto) {
                    tables
                        .raw
                        .insert(number, CStr::from_ptr(entry.p_name).to_bytes().into());
                }
            }
            endprotoent();
        }
        tables
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_entries_resolve_when_the_databases_have_them() {
        let services = Services::new();
        // /etc/services and /etc/protocols exist on every Debian system (netbase).
        if std::path::Path::new("/etc/services").exists() {
            assert_eq!(services.name(ServiceTable::Tcp, 22), Some(&b"ssh"[..]));
        }
        if std::path::Path::new("/etc/protocols").exists() {
            assert_eq!(services.name(ServiceTable::Raw, 1), Some(&b"icmp"[..]));
            // Protocol 0 is listed as both `ip` and `hopopt`; the last entry read wins.
            assert_eq!(services.name(ServiceTable::Raw, 0), Some(&b"hopopt"[..]));
        }
        assert_eq!(services.name(ServiceTable::Udp, 65000), None);
    }
}
