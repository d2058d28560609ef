//! uid → user name, through NSS (`getpwuid_r`), cached.

use std::collections::HashMap;
use std::ffi::CStr;

#[derive(Debug, Default)]
pub struct Users {
    cache: HashMap<u32, Option<Box<[u8]>>>,
}

impl Users {
    pub fn new() -> Users {
        Users::default()
    }

    /// Looks up `uid`, unless it was looked up before.
    pub fn request(&mut self, uid: u32) {
        self.cache.entry(uid).or_insert_with(|| lookup(uid));
    }

    /// The user name of `uid`, if it was [requested](Users::request) and the password database
    /// has one.
    pub fn name(&self, uid: u32) -> Option<&[u8]> {
        self.cache.get(&uid)?.as_deref()
    }
}

fn lookup(uid: u32) -> Option<Box<[u8]>> {
    let mut buf = vec![0u8; 4096];
    loop {
        // SAFETY: `pwd` and `buf` outlive the call; the name pointer points into `buf`,
        // which is still alive when it is copied.
        unsafe {
            let mut pwd: libc::passwd = std::mem::zeroed();
            let mut result: *mut libc::passwd = std::ptr::null_mut();
            let rc = libc::getpwuid_r(
                uid,
                &mut pwd,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut result,
            );
            if rc == libc::ERANGE && buf.len() < 1 << 20 {
                buf.resize(buf.len() * 2, 0);
                continue;
            }
            if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
                return None;
            }
            return Some(CStr::from_ptr(pwd.pw_name).to_bytes().into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_root_and_unknown_uids_have_no_name() {
        let mut users = Users::new();
        assert_eq!(users.name(0), None, "not asked for");
        users.request(0);
        users.request(3_999_999_999);
        assert_eq!(users.name(0), Some(&b"root"[..]));
        assert_eq!(users.name(3_999_999_999), None);
    }
}
