//! Binary sysctl values, by name (`sysctlbyname`) or by MIB (`sysctl`).

use std::ffi::CStr;
use std::io;

use crate::{Error, Result};

/// The value of the sysctl `name` (`net.inet.tcp.pcblist_n`).
pub(crate) fn by_name(name: &CStr) -> Result<Vec<u8>> {
    read("sysctlbyname", |buf, size| {
        // SAFETY: `name` is NUL-terminated; the caller's `buf` is null (a size query) or has
        // `*size` writable bytes, and the call writes at most that many and sets `*size`.
        unsafe { libc::sysctlbyname(name.as_ptr(), buf, size, std::ptr::null_mut(), 0) }
    })
}

/// The value of the sysctl at `mib` (`{CTL_NET, PF_ROUTE, …}`).
pub(crate) fn by_mib(mib: &[libc::c_int]) -> Result<Vec<u8>> {
    let levels = libc::c_uint::try_from(mib.len()).unwrap_or(libc::c_uint::MAX);
    read("sysctl", |buf, size| {
        // SAFETY: `mib` holds `levels` ints and is only read (the binding wants `*mut`); the
        // caller's `buf` is null (a size query) or has `*size` writable bytes, and the call
        // writes at most that many and sets `*size`.
        unsafe {
            libc::sysctl(
                mib.as_ptr().cast_mut(),
                levels,
                buf,
                size,
                std::ptr::null_mut(),
                0,
            )
        }
    })
}

/// Asks `call` for the size (null buffer), then for the value. The value may grow between the
/// two calls, so the buffer has room to spare and a read that finds it too small is retried.
fn read(
    what: &'static str,
    call: impl Fn(*mut libc::c_void, *mut libc::size_t) -> libc::c_int,
) -> Result<Vec<u8>> {
    for _ in 0..8 {
        let mut size: libc::size_t = 0;
        if call(std::ptr::null_mut(), &mut size) != 0 {
            return Err(Error::system(what, io::Error::last_os_error()));
        }
        let mut buf = vec![0u8; size + size / 4 + 4096];
        let mut got = buf.len();
        if call(buf.as_mut_ptr().cast(), &mut got) == 0 {
            buf.truncate(got);
            return Ok(buf);
        }
        let e = io::Error::last_os_error();
        if e.raw_os_error() != Some(libc::ENOMEM) {
            return Err(Error::system(what, e));
        }
    }
    Err(Error::system(
        what,
        io::Error::from_raw_os_error(libc::ENOMEM),
    ))
}
