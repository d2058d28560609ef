//! The `-g` table: multicast memberships as net-tools prints them.

use std::io::{self, Write};
use std::net::IpAddr;

use nettables::groups::Membership;

use super::addr::{push_ipv4, push_ipv6};
use crate::i18n::tr;
use crate::text::{pad_left, write_sanitized};

/// Writes the three header lines (net-tools built with IPv6 prefixes an untranslated "IPv6/").
pub fn write_header(out: &mut impl Write) -> io::Result<()> {
    out.write_all(b"IPv6/")?;
    out.write_all(tr!("IPv4 Group Memberships\n"))?;
    out.write_all(tr!("Interface       RefCnt Group\n"))?;
    out.write_all(b"--------------- ------ ---------------------\n")
}

/// net-tools copies names into a 128-byte buffer.
const NAME_MAX: usize = 127;

/// The group column: numeric, or `name` when there is one.
/// Unspecified addresses print as `0.0.0.0` and `[::]` unless numeric (`::`).
pub fn group_text(group: IpAddr, numeric: bool, name: Option<&[u8]>) -> Vec<u8> {
    let mut text = Vec::new();
    match (group, name) {
        (_, Some(name)) if !numeric => text.extend_from_slice(&name[..name.len().min(NAME_MAX)]),
        (IpAddr::V6(v6), _) if v6.is_unspecified() && !numeric => text.extend_from_slice(b"[::]"),
        (IpAddr::V4(v4), _) => push_ipv4(&mut text, v4),
        (IpAddr::V6(v6), _) => push_ipv6(&mut text, v6),
    }
    text
}

/// One row: interface `%-15s`, count `%-6d`, group.
pub fn write_row(out: &mut impl Write, member: &Membership, group: &[u8]) -> io::Result<()> {
    let mut interface = Vec::with_capacity(15);
    write_sanitized(&mut interface, &member.interface)?;
    pad_left(out, &interface, 15)?;
    out.write_all(b" ")?;
    pad_left(out, itoa::Buffer::new().format(member.users).as_bytes(), 6)?;
    out.write_all(b" ")?;
    write_sanitized(out, group)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn row(interface: &[u8], users: i32, group: &[u8]) -> String {
        let member = Membership::new(interface, users, IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        let mut out = Vec::new();
        write_row(&mut out, &member, group).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn rows_pad_but_never_cut() {
        assert_eq!(
            row(b"lo", 1, b"224.0.0.1"),
            "lo              1      224.0.0.1\n"
        );
        assert_eq!(
            row(b"verylongname15c", -2147483648, b"g"),
            "verylongname15c -2147483648 g\n"
        );
        assert_eq!(
            row(b"a\x1bb", 1234567, b"x\ty"),
            "a?b             1234567 x?y\n"
        );
    }

    #[test]
    fn group_forms() {
        let v4 = |s: &str| IpAddr::V4(s.parse().unwrap());
        let v6 = |s: &str| IpAddr::V6(s.parse().unwrap());
        assert_eq!(
            group_text(v4("224.0.0.1"), false, Some(b"all-systems.mcast.net")),
            b"all-systems.mcast.net"
        );
        assert_eq!(
            group_text(v4("224.0.0.1"), true, Some(b"ignored")),
            b"224.0.0.1"
        );
        assert_eq!(group_text(v4("0.0.0.0"), false, None), b"0.0.0.0");
        assert_eq!(
            group_text(IpAddr::V6(Ipv6Addr::UNSPECIFIED), false, None),
            b"[::]"
        );
        assert_eq!(
            group_text(IpAddr::V6(Ipv6Addr::UNSPECIFIED), true, None),
            b"::"
        );
        assert_eq!(
            group_text(v6("ff02::1:ff4b:8b9"), false, None),
            b"ff02::1:ff4b:8b9"
        );
        assert_eq!(
            group_text(v6("::ffff:224.0.0.1"), true, None),
            b"::ffff:224.0.0.1"
        );
        assert_eq!(
            group_text(v4("224.0.0.1"), false, Some(&[b'n'; 300])).len(),
            NAME_MAX
        );
    }
}
