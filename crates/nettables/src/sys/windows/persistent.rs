//! Persistent IPv4 routes (`route -p add`): Windows keeps them in the registry, one value a
//! route under `HKLM\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters\PersistentRoutes`,
//! named `destination,mask,gateway,metric` (a metric of -1: the interface's default).

use std::net::Ipv4Addr;

use windows_sys::Win32::Foundation::{ERROR_FILE_NOT_FOUND, ERROR_NO_MORE_ITEMS, NO_ERROR};
use windows_sys::Win32::System::Registry::{
    HKEY, HKEY_LOCAL_MACHINE, KEY_QUERY_VALUE, RegCloseKey, RegEnumValueW, RegOpenKeyExW,
};

use crate::route::{Flags, Ipv4Route, RouteMetrics};
use crate::{Error, Result};

const KEY: &str = r"SYSTEM\CurrentControlSet\Services\Tcpip\Parameters\PersistentRoutes";

/// An open registry key, closed when dropped.
struct Key(HKEY);

impl Drop for Key {
    fn drop(&mut self) {
        // SAFETY: the key was opened by RegOpenKeyExW and is closed once.
        unsafe { RegCloseKey(self.0) };
    }
}

fn failed(call: &'static str, status: u32) -> Error {
    Error::system(call, std::io::Error::from_raw_os_error(status as i32))
}

/// The names of the key's values; none when the key does not exist (no persistent route).
fn value_names() -> Result<Vec<String>> {
    let path: Vec<u16> = KEY.encode_utf16().chain([0]).collect();
    let mut key: HKEY = std::ptr::null_mut();
    // SAFETY: `path` is NUL-terminated UTF-16; the call stores an open key in `key`.
    let status = unsafe {
        RegOpenKeyExW(
            HKEY_LOCAL_MACHINE,
            path.as_ptr(),
            0,
            KEY_QUERY_VALUE,
            &mut key,
        )
    };
    match status {
        NO_ERROR => {}
        ERROR_FILE_NOT_FOUND => return Ok(Vec::new()),
        status => return Err(failed("RegOpenKeyExW", status)),
    }
    let key = Key(key);
    let mut names = Vec::new();
    // Value names are at most 16,383 characters.
    let mut name = vec![0u16; 16_384];
    for index in 0.. {
        let mut length = name.len() as u32;
        // SAFETY: `name` is writable for `length` characters; the other outputs are not asked
        // for (null).
        let status = unsafe {
            RegEnumValueW(
                key.0,
                index,
                name.as_mut_ptr(),
                &mut length,
                std::ptr::null(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
        match status {
            NO_ERROR => names.push(String::from_utf16_lossy(&name[..length as usize])),
            ERROR_NO_MORE_ITEMS => break,
            status => return Err(failed("RegEnumValueW", status)),
        }
    }
    Ok(names)
}

/// One value name as a route; `None` if it is not one. The metric -1 (default) is kept.
pub(crate) fn parse(name: &str) -> Option<Ipv4Route> {
    let mut fields = name.split(',');
    let mut address = || fields.next()?.trim().parse::<Ipv4Addr>().ok();
    let (destination, mask, gateway) = (address()?, address()?, address()?);
    let metric = fields.next()?.trim().parse::<i32>().ok()?;
    let mut flags = Flags::UP;
    flags.set(Flags::GATEWAY, !gateway.is_unspecified());
    Some(Ipv4Route {
        destination,
        mask,
        gateway,
        flags,
        metrics: RouteMetrics {
            metric,
            ..RouteMetrics::default()
        },
        ..Ipv4Route::default()
    })
}

pub(crate) fn ipv4_persistent_routes() -> Result<Vec<Ipv4Route>> {
    Ok(value_names()?.iter().filter_map(|n| parse(n)).collect())
}
