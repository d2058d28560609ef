//! IPv4 network number → name, from the NSS networks database (`/etc/networks`), cached.

use std::collections::HashMap;
#[cfg(target_os = "linux")]
use std::ffi::CStr;
use std::net::Ipv4Addr;
#[cfg(target_os = "linux")]
use std::sync::{Mutex, PoisonError};

#[derive(Debug)]
pub struct Networks {
    cache: HashMap<Ipv4Addr, Option<Box<[u8]>>>,
    /// The networks database: NSS, or the tests' fixture.
    lookup: fn(Ipv4Addr) -> Option<Box<[u8]>>,
}

impl Networks {
    pub fn new() -> Networks {
        Networks {
            cache: HashMap::new(),
            lookup,
        }
    }

    /// Looks up network `addr`, unless it was looked up before.
    pub fn request(&mut self, addr: Ipv4Addr) {
        self.cache
            .entry(addr)
            .or_insert_with(|| (self.lookup)(addr));
    }

    /// The name of network `addr` (for example `link-local` for 169.254.0.0), if it was
    /// [requested](Networks::request) and the networks database has one.
    pub fn name(&self, addr: Ipv4Addr) -> Option<&[u8]> {
        self.cache.get(&addr)?.as_deref()
    }
}

/// `getnetbyaddr` returns static storage that the next call overwrites, so calls take turns.
#[cfg(target_os = "linux")]
static GETNETBYADDR: Mutex<()> = Mutex::new(());

/// The `libc` crate declares `getnetbyaddr` for Linux only; elsewhere networks go unnamed.
#[cfg(not(target_os = "linux"))]
fn lookup(_: Ipv4Addr) -> Option<Box<[u8]>> {
    None
}

#[cfg(target_os = "linux")]
fn lookup(addr: Ipv4Addr) -> Option<Box<[u8]>> {
    let _turn = GETNETBYADDR.lock().unwrap_or_else(PoisonError::into_inner);
    // SAFETY: the lock keeps other threads from overwriting the result, which is checked for
    // NULL and copied before the lock is released.
    unsafe {
        let entry = libc::getnetbyaddr(u32::from(addr), libc::AF_INET);
        if entry.is_null() || (*entry).n_name.is_null() {
            return None;
        }
        Some(CStr::from_ptr((*entry).n_name).to_bytes().into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A networks database of one entry. The real one (NSS, `/etc/networks`) is exercised by
    /// the route test, in a namespace with its own `/etc/networks`.
    fn fixture(addr: Ipv4Addr) -> Option<Box<[u8]>> {
        (addr == Ipv4Addr::new(169, 254, 0, 0)).then(|| b"link-local"[..].into())
    }

    #[test]
    fn requested_networks_are_named_from_the_database() {
        let mut networks = Networks {
            lookup: fixture,
            ..Networks::new()
        };
        let (link_local, unnamed) = (Ipv4Addr::new(169, 254, 0, 0), Ipv4Addr::new(203, 0, 113, 0));
        assert_eq!(networks.name(link_local), None, "not requested yet");
        networks.request(link_local);
        networks.request(unnamed);
        assert_eq!(networks.name(link_local), Some(&b"link-local"[..]));
        assert_eq!(networks.name(unnamed), None);
        // A second request is answered from the cache.
        networks.lookup = |_| panic!("looked up twice");
        networks.request(link_local);
    }
}
