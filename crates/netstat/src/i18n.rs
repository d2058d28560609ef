//! net-tools' translations, looked up as net-tools looks them up.
//!
//! net-tools calls `setlocale(LC_ALL, "")`, binds its `net-tools` domain to
//! `/usr/share/locale` and passes its texts through `_()`; glibc's getopt translates its errors
//! in the `libc` domain. We call the same glibc functions, so every rule comes from glibc
//! itself: `LANGUAGE`, `LC_ALL`, `LC_MESSAGES` and `LANG` precedence, a locale that does not
//! exist leaving `C` (and English, as glibc ignores `LANGUAGE` then), catalogs converted to the
//! locale's charset, no catalog giving the message id.
//!
//! A small FFI rather than a binding crate: glibc's gettext needs three functions the libc
//! crate does not declare (`bindtextdomain`, `textdomain`, `dgettext`), and the gettext-rs
//! binding returns owned UTF-8 `String`s (panicking on a translation in a legacy charset) and
//! builds gettext-sys, where we need glibc's bytes as they are. Elsewhere than on Linux every
//! lookup gives the message id.
//!
//! Renderers use [`tr!`] for a constant text, [`printf`] for a translated printf template, and
//! [`decimal_point`] for the locale's `%f`. Our own texts (help for our options, `--audit`,
//! JSON) never come here.

use std::ffi::CStr;
#[cfg(target_os = "linux")]
use std::ffi::c_char;
use std::sync::OnceLock;

/// The gettext domain a message id belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Domain {
    /// net-tools' own catalog.
    NetTools,
    /// glibc's catalog (getopt's errors).
    Libc,
}

/// Sets the locale from the environment and binds net-tools' catalog, as net-tools' `main`
/// does. Call once, before any thread starts (`setlocale` is not thread-safe).
pub fn init() {
    #[cfg(target_os = "linux")]
    glibc::init();
}

/// Back to the C locale, for what is ours alone (`--json`, `--audit`, `--live`): there even
/// the system's error texts stay English. Call before any thread starts.
pub fn english() {
    #[cfg(target_os = "linux")]
    // SAFETY: called once, before any thread exists, with a NUL-terminated constant.
    unsafe {
        libc::setlocale(libc::LC_ALL, c"C".as_ptr());
    }
}

/// The translation of `msgid` in `domain`, or `msgid` itself (without its NUL).
pub fn lookup(domain: Domain, msgid: &'static CStr) -> &'static [u8] {
    #[cfg(target_os = "linux")]
    {
        glibc::translate(domain, msgid)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = domain;
        msgid.to_bytes()
    }
}

/// A constant message id as a `&'static CStr`, checked at compile time.
pub const fn msgid(with_nul: &'static str) -> &'static CStr {
    match CStr::from_bytes_with_nul(with_nul.as_bytes()) {
        Ok(id) => id,
        Err(_) => panic!("a message id is one string without NUL"),
    }
}

/// `_("text")`: net-tools' translation of a literal, looked up once per call site.
macro_rules! tr {
    ($text:literal) => {{
        static TEXT: ::std::sync::OnceLock<&'static [u8]> = ::std::sync::OnceLock::new();
        *TEXT.get_or_init(|| {
            $crate::i18n::lookup(
                $crate::i18n::Domain::NetTools,
                const { $crate::i18n::msgid(concat!($text, "\0")) },
            )
        })
    }};
}
pub(crate) use tr;

/// The decimal point C's `%f` prints under `LC_NUMERIC`.
pub fn decimal_point() -> &'static [u8] {
    static POINT: OnceLock<Vec<u8>> = OnceLock::new();
    POINT.get_or_init(|| {
        #[cfg(target_os = "linux")]
        {
            glibc::decimal_point()
        }
        #[cfg(not(target_os = "linux"))]
        {
            b".".to_vec()
        }
    })
}

/// One argument of a printf template.
#[derive(Clone, Copy, Debug)]
pub enum Arg<'a> {
    /// `%d`, `%ld`, `%u`, `%lu`, `%x`.
    Int(i64),
    /// `%s`, or `%c` with a one-byte text.
    Str(&'a [u8]),
    /// `%f`: the number already printed with `.` as its point (the locale's point replaces it).
    Fixed(&'a [u8]),
}

/// Appends `template` with its conversions filled from `args`, as C's printf would: widths and
/// precisions count bytes, `%N$` takes argument N, and `%f` uses the locale's decimal point.
pub fn printf(out: &mut Vec<u8>, template: &[u8], args: &[Arg]) {
    let mut next = 0;
    let mut i = 0;
    while i < template.len() {
        let b = template[i];
        i += 1;
        if b != b'%' {
            out.push(b);
            continue;
        }
        let spec = Spec::parse(template, &mut i);
        if spec.conversion == b'%' {
            out.push(b'%');
            continue;
        }
        let index = spec.position.unwrap_or_else(|| {
            next += 1;
            next - 1
        });
        spec.write(out, args.get(index));
    }
}

/// One conversion: `%[N$][-][width][.precision][length]conversion`.
struct Spec {
    position: Option<usize>,
    left: bool,
    width: usize,
    precision: Option<usize>,
    conversion: u8,
}

impl Spec {
    fn parse(template: &[u8], i: &mut usize) -> Spec {
        let number = |i: &mut usize| {
            let start = *i;
            while template.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            std::str::from_utf8(&template[start..*i])
                .ok()
                .and_then(|s| s.parse::<usize>().ok())
        };
        let mut spec = Spec {
            position: None,
            left: false,
            width: 0,
            precision: None,
            conversion: b'%',
        };
        let start = *i;
        if let Some(n) = number(i) {
            if template.get(*i) == Some(&b'$') {
                *i += 1;
                spec.position = n.checked_sub(1);
            } else {
                *i = start;
            }
        }
        while let Some(&flag @ (b'-' | b'0' | b' ' | b'+' | b'#')) = template.get(*i) {
            spec.left |= flag == b'-';
            *i += 1;
        }
        spec.width = number(i).unwrap_or(0);
        if template.get(*i) == Some(&b'.') {
            *i += 1;
            spec.precision = Some(number(i).unwrap_or(0));
        }
        while template
            .get(*i)
            .is_some_and(|b| matches!(b, b'h' | b'l' | b'q' | b'j' | b'z' | b't' | b'L'))
        {
            *i += 1;
        }
        if let Some(&conversion) = template.get(*i) {
            spec.conversion = conversion;
            *i += 1;
        }
        spec
    }

    fn write(&self, out: &mut Vec<u8>, arg: Option<&Arg>) {
        let mut text: Vec<u8> = Vec::new();
        match (self.conversion, arg) {
            (b'x', Some(Arg::Int(n))) => text.extend(format!("{n:x}").bytes()),
            (_, Some(Arg::Int(n))) => text.extend(itoa::Buffer::new().format(*n).bytes()),
            (_, Some(Arg::Str(s))) => {
                let cut = self.precision.map_or(s.len(), |p| p.min(s.len()));
                text.extend_from_slice(&s[..cut]);
            }
            (_, Some(Arg::Fixed(number))) => {
                for &b in number.iter() {
                    match b {
                        b'.' => text.extend_from_slice(decimal_point()),
                        _ => text.push(b),
                    }
                }
            }
            (_, None) => {}
        }
        let pad = self.width.saturating_sub(text.len());
        if !self.left {
            out.resize(out.len() + pad, b' ');
        }
        out.extend_from_slice(&text);
        if self.left {
            out.resize(out.len() + pad, b' ');
        }
    }
}

/// The glibc calls, each documented with why it is sound.
#[cfg(target_os = "linux")]
mod glibc {
    use super::{CStr, Domain, c_char};

    unsafe extern "C" {
        fn bindtextdomain(domain: *const c_char, dir: *const c_char) -> *mut c_char;
        fn textdomain(domain: *const c_char) -> *mut c_char;
        fn dgettext(domain: *const c_char, msgid: *const c_char) -> *mut c_char;
    }

    const NET_TOOLS: &CStr = c"net-tools";
    const LIBC: &CStr = c"libc";

    pub(super) fn init() {
        // SAFETY: called once at start-up before any thread exists; every argument is a
        // NUL-terminated constant. A failure leaves the C locale, which means English.
        unsafe {
            libc::setlocale(libc::LC_ALL, c"".as_ptr());
            bindtextdomain(NET_TOOLS.as_ptr(), c"/usr/share/locale".as_ptr());
            textdomain(NET_TOOLS.as_ptr());
        }
    }

    pub(super) fn translate(domain: Domain, msgid: &'static CStr) -> &'static [u8] {
        let domain = match domain {
            Domain::NetTools => NET_TOOLS,
            Domain::Libc => LIBC,
        };
        // SAFETY: both pointers are NUL-terminated and live for the program. glibc returns
        // either `msgid` itself or a string inside a catalog it has loaded, which it keeps
        // until `setlocale` or `bindtextdomain` change (we call them only in `init`, first).
        unsafe {
            let text = dgettext(domain.as_ptr(), msgid.as_ptr());
            if text.is_null() {
                return msgid.to_bytes();
            }
            CStr::from_ptr(text).to_bytes()
        }
    }

    pub(super) fn decimal_point() -> Vec<u8> {
        // SAFETY: localeconv returns a pointer to a static structure whose decimal_point is a
        // NUL-terminated string; it is copied at once, and the locale is set only in `init`.
        unsafe {
            let conv = libc::localeconv();
            if conv.is_null() || (*conv).decimal_point.is_null() {
                return b".".to_vec();
            }
            CStr::from_ptr((*conv).decimal_point).to_bytes().to_vec()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn print(template: &[u8], args: &[Arg]) -> Vec<u8> {
        let mut out = Vec::new();
        printf(&mut out, template, args);
        out
    }

    #[test]
    fn printf_pads_by_bytes_and_takes_positions() {
        assert_eq!(
            print(
                b"%-6s|%3d|%c",
                &[Arg::Str("é".as_bytes()), Arg::Int(7), Arg::Str(b"L")]
            ),
            "é    |  7|L".as_bytes()
        );
        assert_eq!(
            print(b"%2$u of %1$s%%", &[Arg::Str(b"f"), Arg::Int(3)]),
            b"3 of f%"
        );
        assert_eq!(
            print(b"%-9.9s.", &[Arg::Str(b"abcdefghijk")]),
            b"abcdefghi."
        );
        assert_eq!(print(b"0x%x", &[Arg::Int(255)]), b"0xff");
    }

    #[test]
    fn printf_fills_timers_in_the_c_locale() {
        let args = [Arg::Fixed(b"58.66"), Arg::Int(0), Arg::Int(1)];
        assert_eq!(print(b"on (%2.2f/%ld/%d)", &args), b"on (58.66/0/1)");
    }

    #[test]
    fn untranslated_lookups_give_the_message_id() {
        assert_eq!(
            tr!("Kernel IP routing table\n"),
            b"Kernel IP routing table\n"
        );
        assert_eq!(
            lookup(Domain::Libc, c"%s: invalid option -- '%c'\n"),
            b"%s: invalid option -- '%c'\n"
        );
    }
}
