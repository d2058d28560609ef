//! Protocol counters from `sysctl net.inet.{tcp,udp,ip,icmp}.stats`: `struct tcpstat`
//! (`bsd/netinet/tcp_var.h`), `struct udpstat` (`udp_var.h`), `struct ipstat` (`ip_var.h`),
//! `struct icmpstat` (`icmp_var.h`), each a run of `u_int32_t`.
//!
//! Only the leading counters every release lays out the same way are read; later ones moved
//! between releases (`tcps_pcbcachemiss`, which followed `tcps_preddat`, is gone from recent
//! kernels, and newer counters were inserted in the middle; UDP and IP grew checksum and
//! chaining counters). Counters are named after their field without its prefix
//! (`tcps_connattempt` → `connattempt`, `udpps_pcbcachemiss` → `pcbcachemiss`); an array
//! field gives one counter per element, `outhist[0]` … `outhist[40]`.

use std::ffi::CStr;

use super::bytes::{ParseError, Record};
use crate::counters::CounterSection;

/// One counter structure: the sysctl that returns it, the section it becomes, and its leading
/// fields in kernel order (`name[N]` for an array of N).
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    pub sysctl: &'static CStr,
    pub section: &'static str,
    pub fields: &'static [&'static str],
}

/// `struct tcpstat`, `tcps_connattempt` … `tcps_preddat`.
pub const TCP: Layout = Layout {
    sysctl: c"net.inet.tcp.stats",
    section: "tcp",
    fields: &[
        "connattempt",
        "accepts",
        "connects",
        "drops",
        "conndrops",
        "closed",
        "segstimed",
        "rttupdated",
        "delack",
        "timeoutdrop",
        "rexmttimeo",
        "persisttimeo",
        "keeptimeo",
        "keepprobe",
        "keepdrops",
        "sndtotal",
        "sndpack",
        "sndbyte",
        "sndrexmitpack",
        "sndrexmitbyte",
        "sndacks",
        "sndprobe",
        "sndurg",
        "sndwinup",
        "sndctrl",
        "rcvtotal",
        "rcvpack",
        "rcvbyte",
        "rcvbadsum",
        "rcvbadoff",
        "rcvmemdrop",
        "rcvshort",
        "rcvduppack",
        "rcvdupbyte",
        "rcvpartduppack",
        "rcvpartdupbyte",
        "rcvoopack",
        "rcvoobyte",
        "rcvpackafterwin",
        "rcvbyteafterwin",
        "rcvafterclose",
        "rcvwinprobe",
        "rcvdupack",
        "rcvacktoomuch",
        "rcvackpack",
        "rcvackbyte",
        "rcvwinupd",
        "pawsdrop",
        "predack",
        "preddat",
    ],
};

/// `struct udpstat`, `udps_ipackets` … `udps_filtermcast`.
pub const UDP: Layout = Layout {
    sysctl: c"net.inet.udp.stats",
    section: "udp",
    fields: &[
        "ipackets",
        "hdrops",
        "badsum",
        "badlen",
        "noport",
        "noportbcast",
        "fullsock",
        "pcbcachemiss",
        "pcbhashmiss",
        "opackets",
        "fastout",
        "nosum",
        "noportmcast",
        "filtermcast",
    ],
};

/// `struct ipstat`, `ips_total` … `ips_pktdropcntrl`.
pub const IP: Layout = Layout {
    sysctl: c"net.inet.ip.stats",
    section: "ip",
    fields: &[
        "total",
        "badsum",
        "tooshort",
        "toosmall",
        "badhlen",
        "badlen",
        "fragments",
        "fragdropped",
        "fragtimeout",
        "forward",
        "fastforward",
        "cantforward",
        "redirectsent",
        "noproto",
        "delivered",
        "localout",
        "odropped",
        "reassembled",
        "fragmented",
        "ofragments",
        "cantfrag",
        "badoptions",
        "noroute",
        "badvers",
        "rawout",
        "toolong",
        "notmember",
        "nogif",
        "badaddr",
        "pktdropcntrl",
    ],
};

/// `struct icmpstat`, whole (`ICMP_MAXTYPE` is 40: histograms of 41 message types).
pub const ICMP: Layout = Layout {
    sysctl: c"net.inet.icmp.stats",
    section: "icmp",
    fields: &[
        "error",
        "oldshort",
        "oldicmp",
        "outhist[41]",
        "badcode",
        "tooshort",
        "checksum",
        "badlen",
        "reflect",
        "inhist[41]",
        "bmcastecho",
        "bmcasttstamp",
    ],
};

/// The protocols of `CounterFile::Snmp`, in netstat's order.
pub const SNMP: [Layout; 4] = [TCP, UDP, IP, ICMP];

impl Layout {
    /// The counter names, arrays expanded.
    fn names(&self) -> impl Iterator<Item = String> + '_ {
        self.fields.iter().flat_map(|field| {
            let array = field
                .strip_suffix(']')
                .and_then(|f| f.split_once('['))
                .and_then(|(name, n)| Some((name, n.parse::<usize>().ok()?)));
            let names: Vec<String> = match array {
                Some((name, n)) => (0..n).map(|i| format!("{name}[{i}]")).collect(),
                None => vec![(*field).to_string()],
            };
            names
        })
    }

    /// Parses the bytes the layout's sysctl returned; they must hold every counter read.
    pub fn parse(&self, buf: &[u8]) -> Result<CounterSection, ParseError> {
        let r = Record::whole(buf, self.section);
        let names: Vec<String> = self.names().collect();
        r.require(4 * names.len())?;
        let mut counters = Vec::with_capacity(names.len());
        for (i, name) in names.into_iter().enumerate() {
            counters.push((name, u64::from(r.u32(4 * i)?)));
        }
        Ok(CounterSection {
            name: self.section.to_string(),
            counters,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A structure whose counter i holds 1000 + i and goes on past the part that is read.
    fn counting(n: u32) -> Vec<u8> {
        (0..n).flat_map(|i| (1000 + i).to_le_bytes()).collect()
    }

    fn value(section: &CounterSection, name: &str) -> Option<u64> {
        section
            .counters
            .iter()
            .find(|(key, _)| key == name)
            .map(|&(_, v)| v)
    }

    #[test]
    fn snmp_sections_in_netstat_order() {
        let sections = SNMP.map(|layout| (layout.section, layout.sysctl.to_str().unwrap()));
        assert_eq!(
            sections,
            [
                ("tcp", "net.inet.tcp.stats"),
                ("udp", "net.inet.udp.stats"),
                ("ip", "net.inet.ip.stats"),
                ("icmp", "net.inet.icmp.stats"),
            ]
        );
    }

    #[test]
    fn tcp_counters_in_kernel_order() {
        let buf = counting(200);
        let s = TCP.parse(&buf).unwrap();
        assert_eq!(s.name, "tcp");
        assert_eq!(s.counters.len(), 50);
        assert_eq!(s.counters[0], ("connattempt".to_string(), 1000));
        let pick = ["accepts", "keepdrops", "sndtotal", "sndctrl", "rcvtotal"];
        assert_eq!(
            pick.map(|name| value(&s, name)),
            [1001, 1014, 1015, 1024, 1025].map(Some)
        );
        assert_eq!(s.counters[49], ("preddat".to_string(), 1049));
        assert!(TCP.parse(&buf[..199]).is_err());
        assert!(TCP.parse(&buf[..200]).is_ok());
    }

    #[test]
    fn udp_ip_and_icmp() {
        let buf = counting(120);
        let udp = UDP.parse(&buf).unwrap();
        assert_eq!((udp.name.as_str(), udp.counters.len()), ("udp", 14));
        assert_eq!(value(&udp, "pcbcachemiss"), Some(1007));
        assert_eq!(value(&udp, "opackets"), Some(1009));
        let ip = IP.parse(&buf).unwrap();
        assert_eq!(
            (value(&ip, "total"), value(&ip, "delivered")),
            (Some(1000), Some(1014))
        );
        assert_eq!(ip.counters.last().unwrap().0, "pktdropcntrl");

        // sizeof(struct icmpstat) is 92 counters: 3, 41, 5, 41, 2.
        let icmp = ICMP.parse(&counting(92)).unwrap();
        assert_eq!(icmp.counters.len(), 92);
        assert_eq!(icmp.counters[3], ("outhist[0]".to_string(), 1003));
        assert_eq!(value(&icmp, "outhist[40]"), Some(1043));
        assert_eq!(value(&icmp, "badcode"), Some(1044));
        assert_eq!(value(&icmp, "inhist[8]"), Some(1057));
        assert_eq!(value(&icmp, "bmcasttstamp"), Some(1091));
        assert!(ICMP.parse(&counting(91)).is_err());
    }
}
