//! Protocol counters from `GetIpStatisticsEx`, `GetIcmpStatisticsEx`, `GetTcpStatisticsEx`
//! and `GetUdpStatisticsEx`, one family at a time, as the sections Linux's counter files
//! have. Windows' structures hold the same RFC 1213 (MIB-II) counters, so they get Linux's
//! names: IPv4 as `/proc/net/snmp` (`Ip`, `Icmp`, `IcmpMsg`, `Tcp`, `Udp`, keys unprefixed),
//! IPv6 as `/proc/net/snmp6` (`Ip6`, `Icmp6`, `Udp6`, keys prefixed with the section).
//!
//! What Linux has no name for keeps its MIB-II name in the same style: `RoutingDiscards`
//! (`ipRoutingDiscards`), and a `Tcp6` section, since Windows counts TCP per family where
//! Linux has one `Tcp` section for both.

use windows_sys::Win32::Foundation::NO_ERROR;
use windows_sys::Win32::NetworkManagement::IpHelper::{
    GetIcmpStatisticsEx, GetIpStatisticsEx, GetTcpStatisticsEx, GetUdpStatisticsEx,
    MIB_ICMP_EX_XPSP1, MIB_IPSTATS_LH, MIB_TCPSTATS_LH, MIB_UDPSTATS, MIBICMPSTATS_EX_XPSP1,
};
use windows_sys::Win32::Networking::WinSock::{AF_INET, AF_INET6};

use crate::counters::{CounterFile, CounterSection, Counters};
use crate::{Error, Result};

/// One family's sections: their names and the prefix of their keys.
struct Family {
    af: u16,
    ip: &'static str,
    icmp: &'static str,
    tcp: &'static str,
    udp: &'static str,
    /// `""` for IPv4 (`InReceives`), the section name for IPv6 (`Ip6InReceives`).
    prefixed: bool,
}

const IPV4: Family = Family {
    af: AF_INET,
    ip: "Ip",
    icmp: "Icmp",
    tcp: "Tcp",
    udp: "Udp",
    prefixed: false,
};

const IPV6: Family = Family {
    af: AF_INET6,
    ip: "Ip6",
    icmp: "Icmp6",
    tcp: "Tcp6",
    udp: "Udp6",
    prefixed: true,
};

pub(crate) fn counters(file: CounterFile) -> Result<Counters> {
    let family = match file {
        CounterFile::Snmp => IPV4,
        CounterFile::Snmp6 => IPV6,
        CounterFile::Netstat | CounterFile::SctpSnmp => {
            return Err(Error::NotAvailable {
                what: file.path().into(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "Windows keeps no such counters",
                ),
            });
        }
    };
    let mut sections = vec![ip(&family)?];
    sections.extend(icmp(&family)?);
    sections.push(tcp(&family)?);
    sections.push(udp(&family)?);
    Ok(Counters {
        sections,
        ..Counters::default()
    })
}

/// Checks a statistics call's status.
fn checked(call: &'static str, status: u32) -> Result<()> {
    match status {
        NO_ERROR => Ok(()),
        status => Err(Error::system(
            call,
            std::io::Error::from_raw_os_error(status as i32),
        )),
    }
}

/// A section with its keys prefixed as the family names them.
fn section<K: AsRef<str>>(family: &Family, name: &str, counters: &[(K, u32)]) -> CounterSection {
    let prefix = if family.prefixed { name } else { "" };
    CounterSection {
        name: name.to_string(),
        counters: counters
            .iter()
            .map(|(key, value)| (format!("{prefix}{}", key.as_ref()), u64::from(*value)))
            .collect(),
    }
}

fn ip(family: &Family) -> Result<CounterSection> {
    let mut s = MIB_IPSTATS_LH::default();
    // SAFETY: the call fills the structure it is given, and nothing else.
    checked("GetIpStatisticsEx", unsafe {
        GetIpStatisticsEx(&mut s, u32::from(family.af))
    })?;
    // SAFETY: both members of the union are a 32-bit integer.
    let forwarding = unsafe { s.Anonymous.dwForwarding };
    let head: &[(&str, u32)] = if family.prefixed {
        &[]
    } else {
        &[("Forwarding", forwarding), ("DefaultTTL", s.dwDefaultTTL)]
    };
    // Linux's IPv6 name for forwarded datagrams.
    let forwarded = if family.prefixed {
        "OutForwDatagrams"
    } else {
        "ForwDatagrams"
    };
    let counters = [
        ("InReceives", s.dwInReceives),
        ("InHdrErrors", s.dwInHdrErrors),
        ("InAddrErrors", s.dwInAddrErrors),
        (forwarded, s.dwForwDatagrams),
        ("InUnknownProtos", s.dwInUnknownProtos),
        ("InDiscards", s.dwInDiscards),
        ("InDelivers", s.dwInDelivers),
        ("OutRequests", s.dwOutRequests),
        ("OutDiscards", s.dwOutDiscards),
        ("OutNoRoutes", s.dwOutNoRoutes),
        ("ReasmTimeout", s.dwReasmTimeout),
        ("ReasmReqds", s.dwReasmReqds),
        ("ReasmOKs", s.dwReasmOks),
        ("ReasmFails", s.dwReasmFails),
        ("FragOKs", s.dwFragOks),
        ("FragFails", s.dwFragFails),
        ("FragCreates", s.dwFragCreates),
        ("RoutingDiscards", s.dwRoutingDiscards),
    ];
    let all: Vec<_> = head.iter().chain(&counters).copied().collect();
    Ok(section(family, family.ip, &all))
}

/// RFC 1213's ICMP counters by message type (`icmpInDestUnreachs` is type 3 ...), which
/// `/proc/net/snmp`'s `Icmp` section also has.
const ICMP_NAMES: [(&str, usize); 11] = [
    ("DestUnreachs", 3),
    ("TimeExcds", 11),
    ("ParmProbs", 12),
    ("SrcQuenchs", 4),
    ("Redirects", 5),
    ("Echos", 8),
    ("EchoReps", 0),
    ("Timestamps", 13),
    ("TimestampReps", 14),
    ("AddrMasks", 17),
    ("AddrMaskReps", 18),
];

/// IPv4: `Icmp` (messages, errors and the named types), then `IcmpMsg` (`InTypeN` and
/// `OutTypeN` of every type seen) if any type was. IPv6: one `Icmp6` section with both.
fn icmp(family: &Family) -> Result<Vec<CounterSection>> {
    let mut s = MIB_ICMP_EX_XPSP1::default();
    // SAFETY: the call fills the structure it is given, and nothing else.
    checked("GetIcmpStatisticsEx", unsafe {
        GetIcmpStatisticsEx(&mut s, u32::from(family.af))
    })?;
    let (received, sent) = (&s.icmpInStats, &s.icmpOutStats);
    let mut counters: Vec<(String, u32)> = Vec::new();
    for (direction, stats) in [("In", received), ("Out", sent)] {
        counters.push((format!("{direction}Msgs"), stats.dwMsgs));
        counters.push((format!("{direction}Errors"), stats.dwErrors));
        if !family.prefixed {
            for (name, ty) in ICMP_NAMES {
                counters.push((format!("{direction}{name}"), stats.rgdwTypeCount[ty]));
            }
        }
    }
    let by_type = by_type(received, sent);
    if family.prefixed {
        counters.extend(by_type);
        return Ok(vec![section(family, family.icmp, &counters)]);
    }
    let mut sections = vec![section(family, family.icmp, &counters)];
    if !by_type.is_empty() {
        sections.push(section(family, "IcmpMsg", &by_type));
    }
    Ok(sections)
}

/// `InTypeN` and `OutTypeN` of each type with a count, as Linux lists them.
fn by_type(received: &MIBICMPSTATS_EX_XPSP1, sent: &MIBICMPSTATS_EX_XPSP1) -> Vec<(String, u32)> {
    let mut counters = Vec::new();
    for ty in 0..256 {
        for (direction, stats) in [("In", received), ("Out", sent)] {
            let count = stats.rgdwTypeCount[ty];
            if count != 0 {
                counters.push((format!("{direction}Type{ty}"), count));
            }
        }
    }
    counters
}

fn tcp(family: &Family) -> Result<CounterSection> {
    let mut s = MIB_TCPSTATS_LH::default();
    // SAFETY: the call fills the structure it is given, and nothing else.
    checked("GetTcpStatisticsEx", unsafe {
        GetTcpStatisticsEx(&mut s, u32::from(family.af))
    })?;
    // SAFETY: both members of the union are a 32-bit integer.
    let algorithm = unsafe { s.Anonymous.dwRtoAlgorithm };
    Ok(section(
        family,
        family.tcp,
        &[
            ("RtoAlgorithm", algorithm),
            ("RtoMin", s.dwRtoMin),
            ("RtoMax", s.dwRtoMax),
            ("MaxConn", s.dwMaxConn),
            ("ActiveOpens", s.dwActiveOpens),
            ("PassiveOpens", s.dwPassiveOpens),
            ("AttemptFails", s.dwAttemptFails),
            ("EstabResets", s.dwEstabResets),
            ("CurrEstab", s.dwCurrEstab),
            ("InSegs", s.dwInSegs),
            ("OutSegs", s.dwOutSegs),
            ("RetransSegs", s.dwRetransSegs),
            ("InErrs", s.dwInErrs),
            ("OutRsts", s.dwOutRsts),
        ],
    ))
}

fn udp(family: &Family) -> Result<CounterSection> {
    let mut s = MIB_UDPSTATS::default();
    // SAFETY: the call fills the structure it is given, and nothing else.
    checked("GetUdpStatisticsEx", unsafe {
        GetUdpStatisticsEx(&mut s, u32::from(family.af))
    })?;
    Ok(section(
        family,
        family.udp,
        &[
            ("InDatagrams", s.dwInDatagrams),
            ("NoPorts", s.dwNoPorts),
            ("InErrors", s.dwInErrors),
            ("OutDatagrams", s.dwOutDatagrams),
        ],
    ))
}
