//! `-g` as JSON: one record per membership (`ifname`, `family`, `address`, `users`), the group
//! name in `group_host` only when host names are on.

use std::io;
use std::net::IpAddr;

use nettables::groups::Membership;
use serde::Serialize;

use super::addr::{push_ipv4, push_ipv6};
use super::json::{self, JsonOptions, Sink, Text};

#[derive(Serialize)]
struct Record<'a> {
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    origin: Option<json::Origin<'a>>,
    ifname: Text<'a>,
    family: &'static str,
    address: String,
    users: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_host: Option<Option<Text<'a>>>,
}

/// Writes one membership; `name` is `None` when host names are off, else the group's
/// symbolic name if one was found.
pub fn write(
    out: &mut impl Sink,
    options: JsonOptions<'_>,
    member: &Membership,
    name: Option<Option<&[u8]>>,
) -> io::Result<()> {
    let mut address = Vec::with_capacity(40);
    let family = match member.group {
        IpAddr::V4(v4) => {
            push_ipv4(&mut address, v4);
            "inet"
        }
        IpAddr::V6(v6) => {
            push_ipv6(&mut address, v6);
            "inet6"
        }
    };
    let record = Record {
        origin: options.origin,
        ifname: Text(&member.interface),
        family,
        address: String::from_utf8_lossy(&address).into_owned(),
        users: member.users,
        group_host: name.map(|name| name.map(Text)),
    };
    json::record(out, options.format, &record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::OutputFormat;
    use crate::render::json::tests::Memory;
    use serde_json::json;

    #[test]
    fn memberships_are_numeric_with_names_apart() {
        let member = Membership::new(b"lo\x01", 2, "ff02::1".parse().unwrap());
        let options = JsonOptions {
            format: OutputFormat::JsonLines,
            origin: None,
        };
        let mut out = Memory::default();
        write(&mut out, options, &member, None).unwrap();
        write(&mut out, options, &member, Some(Some(b"ip6-allnodes"))).unwrap();
        let lines = out.json_lines();
        assert_eq!(
            lines[0],
            json!({"ifname": "lo\u{1}", "family": "inet6", "address": "ff02::1", "users": 2})
        );
        assert_eq!(lines[1]["group_host"], "ip6-allnodes");
        assert_eq!(lines[1]["address"], "ff02::1");
    }
}
