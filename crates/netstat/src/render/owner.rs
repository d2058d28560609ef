//! The `PID/Program name` column.

use nettables::process::{Owner, OwnerMap};

/// Width of the column; the text is cut to one less, as net-tools' buffer does.
pub const WIDTH: usize = 20;

/// The column text of every socket owner, made once per pass: with hundreds of thousands of
/// sockets held by a few processes, rows then only copy a prepared label.
pub struct OwnerLabels<'a> {
    owners: &'a OwnerMap,
    labels: Vec<Vec<u8>>,
}

impl<'a> OwnerLabels<'a> {
    pub fn new(owners: &'a OwnerMap) -> OwnerLabels<'a> {
        OwnerLabels {
            owners,
            labels: owners.owners().iter().map(label).collect(),
        }
    }

    /// Appends the label of the socket's owner, or `-`.
    pub fn push(&self, out: &mut Vec<u8>, inode: u64) {
        let label = self
            .owners
            .owner_id(inode)
            .filter(|_| inode != 0)
            .and_then(|id| self.labels.get(id.0 as usize));
        match label {
            Some(label) => out.extend_from_slice(label),
            None => out.push(b'-'),
        }
    }
}

/// `pid/name` ([`Owner::program`]), control characters as `?`, cut at 19 bytes.
pub fn label(owner: &Owner) -> Vec<u8> {
    let mut out = Vec::with_capacity(WIDTH);
    out.extend_from_slice(itoa::Buffer::new().format(owner.pid).as_bytes());
    out.push(b'/');
    out.extend(crate::text::sanitize(owner.program()));
    out.truncate(WIDTH - 1);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner(pid: u32, argv0: &[u8]) -> String {
        String::from_utf8(label(&Owner::new(pid, argv0))).unwrap()
    }

    #[test]
    fn labels_match_net_tools() {
        assert_eq!(
            owner(18742, b"/opt/very/long/path/averyveryverylongprogramname"),
            "18742/averyveryvery"
        );
        assert_eq!(
            owner(14623, b"sshd: nobody@pts/0 [priv]"),
            "14623/sshd: nobody@"
        );
        assert_eq!(owner(7, b""), "7/");
        assert_eq!(owner(9, b"ab\tc\x01d"), "9/ab?c?d");
        assert_eq!(owner(1, b"/usr/sbin/"), "1/");
    }
}
