//! The `PID/Program name` column.

use nettables::process::{Owner, OwnerMap};

/// Width of the column; the text is cut to one less, as net-tools' buffer does.
pub const WIDTH: usize = 20;

/// Appends `pid/name` for the socket's owner, or `-`. The name is argv[0], reduced to its last
/// path component when it is absolute; control characters become `?`; the text is cut at 19
/// bytes.
pub fn push_owner(out: &mut Vec<u8>, owners: &OwnerMap, inode: u64) {
    match owners.get(inode).filter(|_| inode != 0) {
        Some(owner) => push_pid_name(out, owner),
        None => out.push(b'-'),
    }
}

fn push_pid_name(out: &mut Vec<u8>, owner: &Owner) {
    let start = out.len();
    out.extend_from_slice(itoa::Buffer::new().format(owner.pid).as_bytes());
    out.push(b'/');
    let argv0 = &owner.argv0[..];
    let name = match argv0.first() {
        Some(b'/') => argv0.rsplit(|&b| b == b'/').next().unwrap_or(argv0),
        _ => argv0,
    };
    out.extend(name.iter().map(|&b| if b < 0x20 || b == 0x7f { b'?' } else { b }));
    out.truncate(start + (out.len() - start).min(WIDTH - 1));
}
