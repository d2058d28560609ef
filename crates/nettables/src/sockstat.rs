//! Socket usage totals of `/proc/net/sockstat` and `/proc/net/sockstat6`: how many sockets each
//! protocol has, how many TCP sockets are orphaned or in TIME_WAIT, and how much memory TCP and
//! UDP hold. The kernel keeps these counts itself, so reading them costs nothing, however many
//! sockets there are.
//!
//! ```
//! use nettables::sockstat::parse;
//!
//! let v4 = b"sockets: used 91\nTCP: inuse 5 orphan 1 tw 7 alloc 9 mem 3\nUDP: inuse 2 mem 4\n";
//! let v6 = b"TCP6: inuse 2\n";
//! let stat = parse(v4, Some(v6));
//! assert_eq!((stat.tcp.orphan, stat.tcp.tw, stat.tcp6.inuse), (1, 7, 2));
//!
//! // On Linux, `read` parses the live files of the current network namespace.
//! if let Ok(live) = nettables::sockstat::read() {
//!     assert!(live.tcp.alloc >= live.tcp.inuse || live.tcp.alloc == 0);
//! }
//! ```
//!
//! Parsing never fails: a line or counter that is missing, unknown or not a number leaves its
//! field at 0, and a number too large for `u64` counts as `u64::MAX`.

use crate::Result;

/// The counters of one protocol line (`UDP: inuse 2 mem 4`). A counter the line does not have
/// is 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Usage {
    /// Sockets in use (hashed in the protocol's tables).
    pub inuse: u64,
    /// TCP: sockets no longer attached to a file (closed by their process, still sending).
    pub orphan: u64,
    /// TCP: sockets in TIME_WAIT.
    pub tw: u64,
    /// TCP: sockets allocated, in any state.
    pub alloc: u64,
    /// TCP, UDP: memory in pages (`tcp_mem` / `udp_mem` units), machine-wide.
    pub mem: u64,
    /// FRAG: bytes held by IP fragments waiting for reassembly.
    pub memory: u64,
}

/// One reading of `/proc/net/sockstat` and `/proc/net/sockstat6`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Sockstat {
    /// `sockets: used`: every socket of the machine, all families.
    pub sockets_used: u64,
    /// `TCP:` (IPv4 and IPv6 together, but `inuse` counts IPv4 only).
    pub tcp: Usage,
    /// `UDP:`
    pub udp: Usage,
    /// `UDPLITE:`
    pub udplite: Usage,
    /// `RAW:`
    pub raw: Usage,
    /// IPv4 fragment queues (`inuse`) and their `memory`.
    pub frag: Usage,
    /// `TCP6:` (only `inuse`).
    pub tcp6: Usage,
    /// `UDP6:`
    pub udp6: Usage,
    /// `UDPLITE6:`
    pub udplite6: Usage,
    /// `RAW6:`
    pub raw6: Usage,
    /// IPv6 fragment queues.
    pub frag6: Usage,
    /// Whether `/proc/net/sockstat6` was there (no IPv6 in the kernel otherwise).
    pub ipv6: bool,
}

impl Sockstat {
    /// `ss -s`'s TCP total: allocated sockets plus TIME_WAIT ones, which the kernel keeps as
    /// lighter objects outside the allocation count.
    pub fn tcp_total(&self) -> u64 {
        self.tcp.alloc.saturating_add(self.tcp.tw)
    }

    /// TCP sockets allocated but in no table (`ss -s`'s "closed"). The counters are read
    /// without a lock, so this may be negative for a moment.
    pub fn tcp_closed(&self) -> i64 {
        let hashed =
            i128::from(self.tcp.inuse) + i128::from(self.tcp6.inuse) - i128::from(self.tcp.tw);
        let closed = i128::from(self.tcp.alloc) - hashed;
        i64::try_from(closed).unwrap_or(if closed < 0 { i64::MIN } else { i64::MAX })
    }

    fn section(&mut self, name: &[u8]) -> Option<&mut Usage> {
        Some(match name {
            b"TCP" => &mut self.tcp,
            b"UDP" => &mut self.udp,
            b"UDPLITE" => &mut self.udplite,
            b"RAW" => &mut self.raw,
            b"FRAG" => &mut self.frag,
            b"TCP6" => &mut self.tcp6,
            b"UDP6" => &mut self.udp6,
            b"UDPLITE6" => &mut self.udplite6,
            b"RAW6" => &mut self.raw6,
            b"FRAG6" => &mut self.frag6,
            _ => return None,
        })
    }
}

/// Reads both files of the current network namespace. A missing `sockstat6` (no IPv6) is not
/// an error: [`Sockstat::ipv6`] is then false.
pub fn read() -> Result<Sockstat> {
    crate::sys::imp::sockstat()
}

/// Parses the text of `/proc/net/sockstat` and, when there is one, `/proc/net/sockstat6`.
///
/// Each line is `NAME: key value key value ...`; unknown names and keys are skipped, so newer
/// kernels that add counters still parse.
pub fn parse(sockstat: &[u8], sockstat6: Option<&[u8]>) -> Sockstat {
    let mut stat = Sockstat {
        ipv6: sockstat6.is_some(),
        ..Sockstat::default()
    };
    for line in sockstat
        .split(|&b| b == b'\n')
        .chain(sockstat6.unwrap_or_default().split(|&b| b == b'\n'))
    {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let name = &line[..colon];
        let mut words = line[colon + 1..]
            .split(u8::is_ascii_whitespace)
            .filter(|w| !w.is_empty());
        while let (Some(key), Some(value)) = (words.next(), words.next()) {
            let Some(value) = number(value) else { continue };
            if name == b"sockets" {
                if key == b"used" {
                    stat.sockets_used = value;
                }
                continue;
            }
            let Some(usage) = stat.section(name) else {
                break;
            };
            match key {
                b"inuse" => usage.inuse = value,
                b"orphan" => usage.orphan = value,
                b"tw" => usage.tw = value,
                b"alloc" => usage.alloc = value,
                b"mem" => usage.mem = value,
                b"memory" => usage.memory = value,
                _ => {}
            }
        }
    }
    stat
}

/// A decimal counter; saturates at `u64::MAX`. The kernel prints some as signed `int`, which a
/// race can make negative for a moment: those read as 0.
fn number(word: &[u8]) -> Option<u64> {
    if word.first() == Some(&b'-') && word.len() > 1 && word[1..].iter().all(u8::is_ascii_digit) {
        return Some(0);
    }
    if word.is_empty() || !word.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        word.iter()
            .try_fold(0u64, |acc, &d| {
                acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
            })
            .unwrap_or(u64::MAX),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const V4: &[u8] = b"sockets: used 1234\n\
        TCP: inuse 10 orphan 2 tw 3 alloc 15 mem 206\n\
        UDP: inuse 5 mem 1\n\
        UDPLITE: inuse 0\n\
        RAW: inuse 1\n\
        FRAG: inuse 4 memory 8192\n";
    const V6: &[u8] = b"TCP6: inuse 3\nUDP6: inuse 2\nUDPLITE6: inuse 0\nRAW6: inuse 7\nFRAG6: inuse 0 memory 0\n";

    #[test]
    fn captured_files() {
        let s = parse(V4, Some(V6));
        assert_eq!(s.sockets_used, 1234);
        assert_eq!(
            s.tcp,
            Usage {
                inuse: 10,
                orphan: 2,
                tw: 3,
                alloc: 15,
                mem: 206,
                memory: 0
            }
        );
        assert_eq!((s.udp.inuse, s.udp.mem, s.raw.inuse), (5, 1, 1));
        assert_eq!((s.frag.inuse, s.frag.memory), (4, 8192));
        assert_eq!((s.tcp6.inuse, s.udp6.inuse, s.raw6.inuse), (3, 2, 7));
        assert_eq!(s.tcp_total(), 15 + 3, "ss counts TIME_WAIT in the total");
        assert_eq!(s.tcp_closed(), 15 - (10 + 3 - 3));
        assert!(s.ipv6);
        assert!(!parse(V4, None).ipv6);
        let racing = parse(b"TCP: inuse 9 tw 0 alloc 2", None);
        assert_eq!(
            racing.tcp_closed(),
            -7,
            "counters read without a lock may not add up"
        );
    }

    #[test]
    fn hostile_input_never_panics_and_keeps_what_it_can() {
        let s = parse(
            b"TCP: inuse x orphan 9 tw\nUDP inuse 5\n:\n\n\xff\xfe: a b\nsockets: used",
            None,
        );
        assert_eq!((s.tcp.inuse, s.tcp.orphan, s.tcp.tw), (0, 9, 0));
        assert_eq!(s.udp.inuse, 0, "a line without a colon is skipped");
        assert_eq!(s.sockets_used, 0);
        let s = parse(
            b"TCP: inuse 99999999999999999999999 orphan -1 tw -\nNEW: foo 1\nTCP: future 3 mem 2",
            Some(b""),
        );
        assert_eq!(
            (s.tcp.inuse, s.tcp.orphan, s.tcp.tw, s.tcp.mem),
            (u64::MAX, 0, 0, 2)
        );
        assert_eq!(parse(b"", None), Sockstat::default());
        // Truncated in the middle of a line.
        assert_eq!(parse(b"TCP: inuse 10 orph", None).tcp.inuse, 10);
    }
}
