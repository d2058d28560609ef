//! The tables IP Helper allocates itself (`GetIfTable2`, `GetIpForwardTable2`,
//! `GetUnicastIpAddressTable`): a count, then that many rows, freed with `FreeMibTable`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::ptr::NonNull;

use windows_sys::Win32::Foundation::NO_ERROR;
use windows_sys::Win32::NetworkManagement::IpHelper::{
    FreeMibTable, MIB_IF_ROW2, MIB_IF_TABLE2, MIB_IPFORWARD_ROW2, MIB_IPFORWARD_TABLE2,
    MIB_UNICASTIPADDRESS_ROW, MIB_UNICASTIPADDRESS_TABLE,
};
use windows_sys::Win32::Networking::WinSock::{AF_INET, AF_INET6, SOCKADDR_INET};

use crate::{Error, Result};

/// A table type: `NumEntries`, then `Table[NumEntries]`.
pub(crate) trait Rows {
    type Row;
    fn count(&self) -> u32;
    fn first(&self) -> *const Self::Row;
}

macro_rules! rows {
    ($table:ty, $row:ty) => {
        impl Rows for $table {
            type Row = $row;
            fn count(&self) -> u32 {
                self.NumEntries
            }
            fn first(&self) -> *const $row {
                self.Table.as_ptr()
            }
        }
    };
}

rows!(MIB_IF_TABLE2, MIB_IF_ROW2);
rows!(MIB_IPFORWARD_TABLE2, MIB_IPFORWARD_ROW2);
rows!(MIB_UNICASTIPADDRESS_TABLE, MIB_UNICASTIPADDRESS_ROW);

/// A table IP Helper allocated; freed when dropped.
pub(crate) struct MibTable<T: Rows> {
    table: NonNull<T>,
}

impl<T: Rows> MibTable<T> {
    /// Calls `get`, which stores a table it allocated in its argument and returns a
    /// `WIN32_ERROR`.
    pub(crate) fn read(call: &'static str, get: impl FnOnce(*mut *mut T) -> u32) -> Result<Self> {
        let mut table: *mut T = std::ptr::null_mut();
        let status = get(&mut table);
        if status != NO_ERROR {
            return Err(Error::system(
                call,
                std::io::Error::from_raw_os_error(status as i32),
            ));
        }
        let table = NonNull::new(table)
            .ok_or_else(|| Error::system(call, std::io::Error::other("no table returned")))?;
        Ok(MibTable { table })
    }

    pub(crate) fn rows(&self) -> &[T::Row] {
        // SAFETY: `table` is the table the call allocated, alive until `drop`; IP Helper lays
        // out `count()` rows one after another from `first()`.
        unsafe {
            let table = self.table.as_ref();
            std::slice::from_raw_parts(table.first(), table.count() as usize)
        }
    }
}

impl<T: Rows> Drop for MibTable<T> {
    fn drop(&mut self) {
        // SAFETY: the table came from IP Helper, which says to free it with FreeMibTable; it
        // is freed once, and no row borrowed from it outlives `self`.
        unsafe { FreeMibTable(self.table.as_ptr().cast()) };
    }
}

/// The address in a `SOCKADDR_INET`; `None` for a family other than IPv4 and IPv6.
pub(crate) fn ip(addr: &SOCKADDR_INET) -> Option<IpAddr> {
    // SAFETY: every member of the union starts with the family, so reading it is sound
    // whichever member is set; the family then says which member to read.
    unsafe {
        match addr.si_family {
            AF_INET => Some(IpAddr::V4(Ipv4Addr::from(
                addr.Ipv4.sin_addr.S_un.S_addr.to_ne_bytes(),
            ))),
            AF_INET6 => Some(IpAddr::V6(Ipv6Addr::from(addr.Ipv6.sin6_addr.u.Byte))),
            _ => None,
        }
    }
}

/// A NUL-terminated UTF-16 string, as UTF-8 bytes (unpaired surrogates become U+FFFD).
pub(crate) fn wide(text: &[u16]) -> Box<[u8]> {
    let len = text.iter().position(|&c| c == 0).unwrap_or(text.len());
    String::from_utf16_lossy(&text[..len])
        .into_bytes()
        .into_boxed_slice()
}

/// The IPv4 netmask of a prefix length (`/24` → `255.255.255.0`).
pub(crate) fn ipv4_mask(prefix_len: u8) -> Ipv4Addr {
    let zeros = 32 - u32::from(prefix_len.min(32));
    Ipv4Addr::from(u32::MAX.checked_shl(zeros).unwrap_or(0))
}
