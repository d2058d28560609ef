//! `netstat -e`: interface statistics summed over the interfaces (spec §3). No empty line
//! before the title; `-e -s` follows the block with the `-s` sections, which start with one.

use std::io::{self, Write};

use super::CRLF;
use crate::text::{pad_left, pad_right};

/// The counters of one direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Traffic {
    pub bytes: u64,
    pub unicast_packets: u64,
    pub non_unicast_packets: u64,
    pub discards: u64,
    pub errors: u64,
}

/// What `-e` prints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EthernetStats {
    pub received: Traffic,
    pub sent: Traffic,
    /// Received packets of protocols the system does not speak (received only).
    pub unknown_protocols: u64,
}

/// Writes the `Interface Statistics` block.
pub fn write(out: &mut impl Write, stats: &EthernetStats) -> io::Result<()> {
    let mut text = Vec::with_capacity(512);
    text.extend_from_slice(b"Interface Statistics\r\n\r\n");
    text.extend_from_slice(b"                           Received            Sent\r\n\r\n");
    let (r, s) = (&stats.received, &stats.sent);
    let rows = [
        ("Bytes", r.bytes, s.bytes),
        ("Unicast packets", r.unicast_packets, s.unicast_packets),
        (
            "Non-unicast packets",
            r.non_unicast_packets,
            s.non_unicast_packets,
        ),
        ("Discards", r.discards, s.discards),
        ("Errors", r.errors, s.errors),
    ];
    let mut num = itoa::Buffer::new();
    for (label, received, sent) in rows {
        // `%-20s %14lu %15lu`: the columns end at 35 and 51.
        pad_left(&mut text, label.as_bytes(), 20)?;
        text.push(b' ');
        pad_right(&mut text, num.format(received).as_bytes(), 14)?;
        text.push(b' ');
        pad_right(&mut text, num.format(sent).as_bytes(), 15)?;
        text.extend_from_slice(CRLF);
    }
    pad_left(&mut text, b"Unknown protocols", 20)?;
    text.push(b' ');
    pad_right(
        &mut text,
        num.format(stats.unknown_protocols).as_bytes(),
        14,
    )?;
    text.extend_from_slice(CRLF);
    out.write_all(&text)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample() -> EthernetStats {
        EthernetStats {
            received: Traffic {
                bytes: 4268697340,
                unicast_packets: 204561365,
                non_unicast_packets: 5962365,
                discards: 0,
                errors: 0,
            },
            sent: Traffic {
                bytes: 3633365601,
                unicast_packets: 216948742,
                non_unicast_packets: 113644,
                discards: 0,
                errors: 0,
            },
            unknown_protocols: 0,
        }
    }

    #[test]
    fn matches_a_captured_block() {
        let mut out = Vec::new();
        write(&mut out, &sample()).unwrap();
        // The capture of spec §3, with CRLF line ends.
        let expected = "Interface Statistics\r\n\
            \r\n\
            \x20                          Received            Sent\r\n\
            \r\n\
            Bytes                    4268697340      3633365601\r\n\
            Unicast packets           204561365       216948742\r\n\
            Non-unicast packets         5962365          113644\r\n\
            Discards                          0               0\r\n\
            Errors                            0               0\r\n\
            Unknown protocols                 0\r\n";
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }
}
