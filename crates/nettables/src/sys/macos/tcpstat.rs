//! TCP counters from `sysctl net.inet.tcp.stats` (`struct tcpstat`, xnu
//! `bsd/netinet/tcp_var.h`: a run of `u_int32_t`).
//!
//! Only the first 50 counters are read (`tcps_connattempt` … `tcps_preddat`): every release
//! lays them out the same way, while the ones after move (`tcps_pcbcachemiss`, which came
//! next, is gone from recent kernels, and newer counters were inserted in the middle).

use super::bytes::{ParseError, Record};

/// The counters every release shares, in the kernel's order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpStat {
    pub connattempt: u32,
    pub accepts: u32,
    pub connects: u32,
    pub drops: u32,
    pub conndrops: u32,
    pub closed: u32,
    pub segstimed: u32,
    pub rttupdated: u32,
    pub delack: u32,
    pub timeoutdrop: u32,
    pub rexmttimeo: u32,
    pub persisttimeo: u32,
    pub keeptimeo: u32,
    pub keepprobe: u32,
    pub keepdrops: u32,
    pub sndtotal: u32,
    pub sndpack: u32,
    pub sndbyte: u32,
    pub sndrexmitpack: u32,
    pub sndrexmitbyte: u32,
    pub sndacks: u32,
    pub sndprobe: u32,
    pub sndurg: u32,
    pub sndwinup: u32,
    pub sndctrl: u32,
    pub rcvtotal: u32,
    pub rcvpack: u32,
    pub rcvbyte: u32,
    pub rcvbadsum: u32,
    pub rcvbadoff: u32,
    pub rcvmemdrop: u32,
    pub rcvshort: u32,
    pub rcvduppack: u32,
    pub rcvdupbyte: u32,
    pub rcvpartduppack: u32,
    pub rcvpartdupbyte: u32,
    pub rcvoopack: u32,
    pub rcvoobyte: u32,
    pub rcvpackafterwin: u32,
    pub rcvbyteafterwin: u32,
    pub rcvafterclose: u32,
    pub rcvwinprobe: u32,
    pub rcvdupack: u32,
    pub rcvacktoomuch: u32,
    pub rcvackpack: u32,
    pub rcvackbyte: u32,
    pub rcvwinupd: u32,
    pub pawsdrop: u32,
    pub predack: u32,
    pub preddat: u32,
}

impl TcpStat {
    /// How many leading counters are read.
    pub const COUNTERS: usize = 50;

    /// Parses the bytes `sysctl net.inet.tcp.stats` returned; they must hold at least the
    /// shared counters.
    pub fn parse(buf: &[u8]) -> Result<TcpStat, ParseError> {
        let r = Record::whole(buf, "tcpstat");
        r.require(4 * Self::COUNTERS)?;
        let mut c = [0u32; Self::COUNTERS];
        for (i, slot) in c.iter_mut().enumerate() {
            *slot = r.u32(4 * i)?;
        }
        Ok(TcpStat {
            connattempt: c[0],
            accepts: c[1],
            connects: c[2],
            drops: c[3],
            conndrops: c[4],
            closed: c[5],
            segstimed: c[6],
            rttupdated: c[7],
            delack: c[8],
            timeoutdrop: c[9],
            rexmttimeo: c[10],
            persisttimeo: c[11],
            keeptimeo: c[12],
            keepprobe: c[13],
            keepdrops: c[14],
            sndtotal: c[15],
            sndpack: c[16],
            sndbyte: c[17],
            sndrexmitpack: c[18],
            sndrexmitbyte: c[19],
            sndacks: c[20],
            sndprobe: c[21],
            sndurg: c[22],
            sndwinup: c[23],
            sndctrl: c[24],
            rcvtotal: c[25],
            rcvpack: c[26],
            rcvbyte: c[27],
            rcvbadsum: c[28],
            rcvbadoff: c[29],
            rcvmemdrop: c[30],
            rcvshort: c[31],
            rcvduppack: c[32],
            rcvdupbyte: c[33],
            rcvpartduppack: c[34],
            rcvpartdupbyte: c[35],
            rcvoopack: c[36],
            rcvoobyte: c[37],
            rcvpackafterwin: c[38],
            rcvbyteafterwin: c[39],
            rcvafterclose: c[40],
            rcvwinprobe: c[41],
            rcvdupack: c[42],
            rcvacktoomuch: c[43],
            rcvackpack: c[44],
            rcvackbyte: c[45],
            rcvwinupd: c[46],
            pawsdrop: c[47],
            predack: c[48],
            preddat: c[49],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_in_kernel_order() {
        // Counter i holds 1000 + i, and the struct goes on past the shared part.
        let buf: Vec<u8> = (0..200u32).flat_map(|i| (1000 + i).to_le_bytes()).collect();
        let s = TcpStat::parse(&buf).unwrap();
        assert_eq!((s.connattempt, s.accepts, s.keepdrops), (1000, 1001, 1014));
        assert_eq!((s.sndtotal, s.sndctrl, s.rcvtotal), (1015, 1024, 1025));
        assert_eq!((s.rcvackbyte, s.pawsdrop, s.preddat), (1045, 1047, 1049));
        assert!(TcpStat::parse(&buf[..199]).is_err());
        assert!(TcpStat::parse(&buf[..200]).is_ok());
    }
}
