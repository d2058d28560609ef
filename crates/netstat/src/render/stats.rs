//! `netstat -s`: counter sections as net-tools' sentences, with its indent rules and quirks.
//!
//! Each known section has a table of key → sentence. The tables are listed in net-tools' own
//! order: net-tools finds a key with a C binary search over them, and where that order is not
//! sorted the search misses keys that are present. Those keys are [`Kind::Raw`] here and print
//! like unknown keys, as `Key: N` when non-zero.

use crate::i18n::tr;
use std::io::{self, Write};

use nettables::counters::CounterSection;

/// Which known sections print, from `-w` (raw: Ip, Icmp), `-t`, `-u` and `-S`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Filter {
    pub raw: bool,
    pub tcp: bool,
    pub udp: bool,
    pub sctp: bool,
}

/// The section tables in use: `/proc/net/snmp`, `netstat` and `sctp/snmp` know the IPv4 names,
/// `/proc/net/snmp6` the IPv6 ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableSet {
    Inet,
    Inet6,
}

impl TableSet {
    fn tables(self) -> &'static [Table] {
        match self {
            TableSet::Inet => INET,
            TableSet::Inet6 => INET6,
        }
    }
}

/// How a known key prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Printed even when 0.
    Always,
    /// Printed only when non-zero.
    NonZero,
    /// An ICMP input histogram line (non-zero only, indent 8).
    InHistogram,
    /// An ICMP output histogram line (non-zero only, indent 8).
    OutHistogram,
    /// Never printed: a static setting, or a sentence net-tools left empty.
    Skip,
    /// Net-tools' lookup misses it, so it prints as an unknown key.
    Raw,
}

/// The indent state that carries from one line to the next.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum State {
    #[default]
    Plain,
    InHistogram,
    OutHistogram,
}

impl State {
    fn indent(self) -> &'static str {
        match self {
            State::Plain => "    ",
            State::InHistogram | State::OutHistogram => "        ",
        }
    }
}

#[derive(Debug)]
struct Entry {
    key: &'static str,
    kind: Kind,
    /// The sentence; `{}` stands for the value.
    text: &'static str,
}

const fn always(key: &'static str, text: &'static str) -> Entry {
    Entry {
        key,
        kind: Kind::Always,
        text,
    }
}

const fn nonzero(key: &'static str, text: &'static str) -> Entry {
    Entry {
        key,
        kind: Kind::NonZero,
        text,
    }
}

const fn hist_in(key: &'static str, text: &'static str) -> Entry {
    Entry {
        key,
        kind: Kind::InHistogram,
        text,
    }
}

const fn hist_out(key: &'static str, text: &'static str) -> Entry {
    Entry {
        key,
        kind: Kind::OutHistogram,
        text,
    }
}

const fn skip(key: &'static str) -> Entry {
    Entry {
        key,
        kind: Kind::Skip,
        text: "",
    }
}

const fn raw(key: &'static str) -> Entry {
    Entry {
        key,
        kind: Kind::Raw,
        text: "",
    }
}

/// A known section: its name, the flag that shows it, and its keys.
struct Table {
    name: &'static str,
    group: Group,
    entries: &'static [Entry],
}

#[derive(Clone, Copy)]
enum Group {
    Raw,
    Tcp,
    Udp,
    Sctp,
}

const INET: &[Table] = &[
    Table {
        name: "Ip",
        group: Group::Raw,
        entries: IP,
    },
    Table {
        name: "Icmp",
        group: Group::Raw,
        entries: ICMP,
    },
    Table {
        name: "Tcp",
        group: Group::Tcp,
        entries: TCP,
    },
    Table {
        name: "Udp",
        group: Group::Udp,
        entries: UDP,
    },
    Table {
        name: "Sctp",
        group: Group::Sctp,
        entries: SCTP,
    },
    Table {
        name: "TcpExt",
        group: Group::Tcp,
        entries: TCP_EXT,
    },
];

const INET6: &[Table] = &[
    Table {
        name: "Ip6",
        group: Group::Raw,
        entries: IP6,
    },
    Table {
        name: "Icmp6",
        group: Group::Raw,
        entries: ICMP6,
    },
    Table {
        name: "Udp6",
        group: Group::Udp,
        entries: UDP6,
    },
    // snmp6 has no Tcp6 keys; net-tools knows the title with the IPv4 table.
    Table {
        name: "Tcp6",
        group: Group::Tcp,
        entries: TCP,
    },
];

const IP: &[Entry] = &[
    skip("DefaultTTL"),
    raw("Forwarding"),
    always("ForwDatagrams", "{} forwarded"),
    nonzero("FragCreates", "{} fragments created"),
    nonzero("FragFails", "{} outgoing packets failed fragmentation"),
    nonzero("FragOKs", "{} outgoing packets fragmented ok"),
    nonzero("InAddrErrors", "{} with invalid addresses"),
    always("InDelivers", "{} incoming packets delivered"),
    always("InDiscards", "{} incoming packets discarded"),
    nonzero("InHdrErrors", "{} with invalid headers"),
    always("InReceives", "{} total packets received"),
    nonzero("InUnknownProtos", "{} with unknown protocol"),
    nonzero("OutDiscards", "{} outgoing packets dropped"),
    nonzero("OutNoRoutes", "{} dropped because of missing route"),
    always("OutRequests", "{} requests sent out"),
    nonzero("ReasmFails", "{} packet reassemblies failed"),
    nonzero("ReasmOKs", "{} packets reassembled ok"),
    nonzero("ReasmReqds", "{} reassemblies required"),
    nonzero("ReasmTimeout", "{} fragments dropped after timeout"),
];

const IP6: &[Entry] = &[
    nonzero("Ip6FragCreates", "{} fragments created"),
    nonzero("Ip6FragFails", "{} outgoing packets failed fragmentation"),
    nonzero("Ip6FragOKs", "{} outgoing packets fragmented ok"),
    nonzero("Ip6InAddrErrors", "{} with invalid addresses"),
    always("Ip6InDelivers", "{} incoming packets delivered"),
    always("Ip6InDiscards", "{} incoming packets discarded"),
    nonzero("Ip6InHdrErrors", "{} with invalid headers"),
    nonzero("Ip6InMcastPkts", "{} incoming multicast packets"),
    nonzero("Ip6InNoRoutes", "{} incoming packets with no route"),
    always("Ip6InReceives", "{} total packets received"),
    nonzero("Ip6InTooBigErrors", "{} with packets too big"),
    nonzero("Ip6InTruncatedPkts", "{} with truncated packets"),
    nonzero("Ip6InUnknownProtos", "{} with unknown protocol"),
    nonzero("Ip6OutDiscards", "{} outgoing packets dropped"),
    always("Ip6OutForwDatagrams", "{} forwarded"),
    nonzero("Ip6OutMcastPkts", "{} outgoing multicast packets"),
    nonzero("Ip6OutNoRoutes", "{} dropped because of missing route"),
    always("Ip6OutRequests", "{} requests sent out"),
    nonzero("Ip6ReasmFails", "{} packet reassemblies failed"),
    nonzero("Ip6ReasmOKs", "{} packets reassembled ok"),
    nonzero("Ip6ReasmReqds", "{} reassemblies required"),
    nonzero("Ip6ReasmTimeout", "{} fragments dropped after timeout"),
];

const ICMP: &[Entry] = &[
    hist_in("InAddrMaskReps", "address mask replies: {}"),
    hist_in("InAddrMasks", "address mask request: {}"),
    hist_in("InDestUnreachs", "destination unreachable: {}"),
    hist_in("InEchoReps", "echo replies: {}"),
    hist_in("InEchos", "echo requests: {}"),
    always("InErrors", "{} input ICMP message failed"),
    always("InMsgs", "{} ICMP messages received"),
    hist_in("InParmProbs", "wrong parameters: {}"),
    hist_in("InRedirects", "redirects: {}"),
    hist_in("InSrcQuenchs", "source quenches: {}"),
    hist_in("InTimeExcds", "timeout in transit: {}"),
    hist_in("InTimestampReps", "timestamp reply: {}"),
    hist_in("InTimestamps", "timestamp request: {}"),
    hist_out("OutAddrMaskReps", "address mask replies: {}"),
    hist_out("OutAddrMasks", "address mask requests: {}"),
    hist_out("OutDestUnreachs", "destination unreachable: {}"),
    hist_out("OutEchoReps", "echo replies: {}"),
    hist_out("OutEchos", "echo requests: {}"),
    always("OutErrors", "{} ICMP messages failed"),
    always("OutMsgs", "{} ICMP messages sent"),
    hist_out("OutParmProbs", "wrong parameters: {}"),
    hist_out("OutRedirects", "redirect: {}"),
    hist_out("OutSrcQuenchs", "source quench: {}"),
    hist_out("OutTimeExcds", "time exceeded: {}"),
    hist_out("OutTimestampReps", "timestamp replies: {}"),
    hist_out("OutTimestamps", "timestamp requests: {}"),
];

const ICMP6: &[Entry] = &[
    hist_in("Icmp6InDestUnreachs", "destination unreachable: {}"),
    hist_in("Icmp6InEchoReplies", "echo replies: {}"),
    hist_in("Icmp6InEchos", "echo requests: {}"),
    always("Icmp6InErrors", "{} input ICMP message failed"),
    hist_in("Icmp6InGroupMembQueries", "group member queries: {}"),
    hist_in("Icmp6InGroupMembReductions", "group member reductions: {}"),
    hist_in("Icmp6InGroupMembResponses", "group member responses: {}"),
    always("Icmp6InMsgs", "{} ICMP messages received"),
    hist_in(
        "Icmp6InNeighborAdvertisements",
        "neighbour advertisement: {}",
    ),
    hist_in("Icmp6InNeighborSolicits", "neighbour solicits: {}"),
    hist_in("Icmp6InParmProblems", "parameter problem: {}"),
    hist_in("Icmp6InPktTooBigs", "packets too big: {}"),
    hist_in("Icmp6InRedirects", "redirects: {}"),
    hist_in("Icmp6InRouterAdvertisements", "router advertisement: {}"),
    hist_in("Icmp6InRouterSolicits", "router solicits: {}"),
    hist_in("Icmp6InTimeExcds", "received ICMPv6 time exceeded: {}"),
    hist_out("Icmp6OutDestUnreachs", "destination unreachable: {}"),
    hist_out("Icmp6OutEchoReplies", "echo replies: {}"),
    hist_out("Icmp6OutEchos", "echo requests: {}"),
    hist_out("Icmp6OutGroupMembQueries", "group member queries: {}"),
    hist_out("Icmp6OutGroupMembReductions", "group member reductions: {}"),
    hist_out("Icmp6OutGroupMembResponses", "group member responses: {}"),
    always("Icmp6OutMsgs", "{} ICMP messages sent"),
    hist_out(
        "Icmp6OutNeighborAdvertisements",
        "neighbor advertisements: {}",
    ),
    hist_out("Icmp6OutNeighborSolicits", "neighbor solicits: {}"),
    hist_out("Icmp6OutParmProblems", "parameter problem: {}"),
    hist_out("Icmp6OutPktTooBigs", "packets too big: {}"),
    hist_out("Icmp6OutRedirects", "redirects: {}"),
    // net-tools' table spells this key with a trailing space, so it never matches.
    raw("Icmp6OutRouterAdvertisements"),
    hist_out("Icmp6OutRouterSolicits", "router solicits: {}"),
    hist_out("Icmp6OutTimeExcds", "sent ICMPv6 time exceeded: {}"),
];

const TCP: &[Entry] = &[
    always("ActiveOpens", "{} active connection openings"),
    always("AttemptFails", "{} failed connection attempts"),
    always("CurrEstab", "{} connections established"),
    always("EstabResets", "{} connection resets received"),
    always("InErrs", "{} bad segments received"),
    always("InSegs", "{} segments received"),
    skip("MaxConn"),
    always("OutRsts", "{} resets sent"),
    always("OutSegs", "{} segments sent out"),
    always("PassiveOpens", "{} passive connection openings"),
    always("RetransSegs", "{} segments retransmitted"),
    skip("RtoAlgorithm"),
    skip("RtoMax"),
    skip("RtoMin"),
];

const UDP: &[Entry] = &[
    always("InDatagrams", "{} packets received"),
    always("InErrors", "{} packet receive errors"),
    always("NoPorts", "{} packets to unknown port received"),
    always("OutDatagrams", "{} packets sent"),
    always("RcvbufErrors", "{} receive buffer errors"),
    always("SndbufErrors", "{} send buffer errors"),
];

const UDP6: &[Entry] = &[
    always("Udp6InDatagrams", "{} packets received"),
    always("Udp6InErrors", "{} packet receive errors"),
    always("Udp6NoPorts", "{} packets to unknown port received"),
    always("Udp6OutDatagrams", "{} packets sent"),
];

const TCP_EXT: &[Entry] = &[
    nonzero(
        "DelayedACKLocked",
        "{} delayed acks further delayed because of locked socket",
    ),
    nonzero("DelayedACKLost", "Quick ack mode was activated {} times"),
    nonzero("DelayedACKs", "{} delayed acks sent"),
    nonzero(
        "EmbryonicRsts",
        "{} resets received for embryonic SYN_RECV sockets",
    ),
    nonzero("ListenDrops", "{} SYNs to LISTEN sockets dropped"),
    nonzero(
        "ListenOverflows",
        "{} times the listen queue of a socket overflowed",
    ),
    nonzero(
        "LockDroppedIcmps",
        "{} ICMP packets dropped because socket was locked",
    ),
    nonzero(
        "OfoPruned",
        "{} packets dropped from out-of-order queue because of socket buffer overrun",
    ),
    nonzero(
        "OutOfWindowIcmps",
        "{} ICMP packets dropped because they were out-of-window",
    ),
    nonzero(
        "PAWSActive",
        "{} active connections rejected because of time stamp",
    ),
    nonzero(
        "PAWSEstab",
        "{} packets rejected in established connections because of timestamp",
    ),
    nonzero(
        "PAWSPassive",
        "{} passive connections rejected because of time stamp",
    ),
    nonzero(
        "PruneCalled",
        "{} packets pruned from receive queue because of socket buffer overrun",
    ),
    nonzero("RcvPruned", "{} packets pruned from receive queue"),
    nonzero(
        "SockMallocOOM",
        "Ran {} times out of system memory during packet sending",
    ),
    nonzero("SyncookiesFailed", "{} invalid SYN cookies received"),
    nonzero("SyncookiesRecv", "{} SYN cookies received"),
    nonzero("SyncookiesSent", "{} SYN cookies sent"),
    nonzero(
        "TCPAbortFailed",
        "{} times unable to send RST due to no memory",
    ),
    nonzero(
        "TCPAbortOnClose",
        "{} connections reset due to early user close",
    ),
    nonzero(
        "TCPAbortOnData",
        "{} connections reset due to unexpected data",
    ),
    nonzero(
        "TCPAbortOnLinger",
        "{} connections aborted after user close in linger timeout",
    ),
    nonzero(
        "TCPAbortOnMemory",
        "{} connections aborted due to memory pressure",
    ),
    nonzero(
        "TCPAbortOnSyn",
        "{} connections reset due to unexpected SYN",
    ),
    nonzero("TCPAbortOnTimeout", "{} connections aborted due to timeout"),
    nonzero(
        "TCPDirectCopyFromBacklog",
        "{} bytes directly in process context from backlog",
    ),
    raw("TCPDirectCopyFromPrequeue"),
    raw("TCPDSACKOfoRecv"),
    raw("TCPDSACKOfoSent"),
    raw("TCPDSACKOldSent"),
    raw("TCPDSACKRecv"),
    raw("TCPDSackUndo"),
    raw("TCPDSACKUndo"),
    nonzero("TCPFACKReorder", "Detected reordering {} times using FACK"),
    nonzero("TCPFastRetrans", "{} fast retransmits"),
    nonzero("TCPForwardRetrans", "{} forward retransmits"),
    nonzero(
        "TCPFullUndo",
        "{} congestion windows fully recovered without slow start",
    ),
    nonzero("TCPHPAcks", "{} predicted acknowledgments"),
    always("TCPHPHits", "{} packet headers predicted"),
    nonzero(
        "TCPHPHitsToUser",
        "{} packet headers predicted and directly queued to user",
    ),
    nonzero("TCPLossFailures", "{} timeouts in loss state"),
    raw("TCPLoss"),
    nonzero(
        "TCPLossUndo",
        "{} congestion windows recovered without slow start after partial ack",
    ),
    nonzero("TCPLostRetransmits", "{} retransmits lost"),
    nonzero("TCPMemoryPressures", "TCP ran low on memory {} times"),
    nonzero(
        "TCPPartialUndo",
        "{} congestion windows partially recovered using Hoe heuristic",
    ),
    nonzero(
        "TCPPrequeued",
        "{} packets directly queued to recvmsg prequeue",
    ),
    raw("TCPPrequeueDropped"),
    nonzero(
        "TCPPureAcks",
        "{} acknowledgments not containing data payload received",
    ),
    nonzero(
        "TCPRcvCollapsed",
        "{} packets collapsed in receive queue due to low socket buffer",
    ),
    nonzero("TCPRenoFailures", "{} timeouts after reno fast retransmit"),
    raw("TCPRenoRecoveryFailed"),
    raw("TCPRenoRecoveryFail"),
    nonzero(
        "TCPRenoRecovery",
        "{} times recovered from packet loss due to fast retransmit",
    ),
    nonzero(
        "TCPRenoReorder",
        "Detected reordering {} times using reno fast retransmit",
    ),
    raw("TCPSackFailures"),
    raw("TCPSackRecoveryFail"),
    raw("TCPSackRecovery"),
    raw("TCPSACKReneging"),
    nonzero("TCPSACKReorder", "Detected reordering {} times using SACK"),
    nonzero(
        "TCPSchedulerFailed",
        "{} times receiver scheduled too late for direct processing",
    ),
    nonzero("TCPSlowStartRetrans", "{} retransmits in slow start"),
    raw("TCPTimeouts"),
    nonzero(
        "TCPTSReorder",
        "Detected reordering {} times using time stamp",
    ),
    raw("TWKilled"),
    nonzero("TW", "{} TCP sockets finished time wait in fast timer"),
    nonzero("TWRecycled", "{} time wait sockets recycled by time stamp"),
];

const SCTP: &[Entry] = &[
    always("SctpAborteds", "{} Number of Aborteds "),
    always("SctpActiveEstabs", "{} Active Associations"),
    always(
        "SctpChecksumErrors",
        "{} Number of Packets with invalid Checksum",
    ),
    always("SctpCurrEstab", "{} Current Associations"),
    always("SctpFragUsrMsgs", "{} Number of messages fragmented"),
    always("SctpInCtrlChunks", "{} Number of control chunks received"),
    always("SctpInOrderChunks", "{} Number of ordered chunks received"),
    always("SctpInSCTPPacks", "{} Number of SCTP packets received"),
    always(
        "SctpInUnorderChunks",
        "{} Number of Unordered chunks received",
    ),
    always("SctpOutCtrlChunks", "{} Number of control chunks sent"),
    always("SctpOutOfBlues", "{} Number of Out of Blue packets"),
    always("SctpOutOrderChunks", "{} Number of ordered chunks sent"),
    always("SctpOutSCTPPacks", "{} Number of SCTP packets sent"),
    always("SctpOutUnorderChunks", "{} Number of Unordered chunks sent"),
    always("SctpPassiveEstabs", "{} Passive Associations"),
    always("SctpReasmUsrMsgs", "{} Number of messages reassembled "),
    always("SctpShutdowns", "{} Number of Graceful Terminations"),
];

/// Writes sections one after another. The indent state carries across sections and files, as
/// in net-tools.
#[derive(Debug)]
pub struct StatsRenderer {
    filter: Filter,
    state: State,
}

impl StatsRenderer {
    pub fn new(filter: Filter) -> StatsRenderer {
        StatsRenderer {
            filter,
            state: State::Plain,
        }
    }

    /// Writes one section: its title unless the filter hides it (unknown sections always
    /// show), then its counters.
    pub fn section(
        &mut self,
        out: &mut impl Write,
        set: TableSet,
        section: &CounterSection,
    ) -> io::Result<()> {
        let table = set.tables().iter().find(|t| t.name == section.name);
        if let Some(table) = table {
            // A known title resets the indent even when its section is filtered out.
            self.state = State::Plain;
            if !self.shows(table.group) {
                return Ok(());
            }
        }
        writeln!(out, "{}:", section.name)?;
        let entries = table.map_or(&[][..], |t| t.entries);
        for (key, value) in &section.counters {
            self.counter(out, entries, (key, *value))?;
        }
        Ok(())
    }

    /// Whether the filter lets a section of this name through (unknown sections always pass).
    pub fn shows_section(&self, set: TableSet, name: &str) -> bool {
        set.tables()
            .iter()
            .find(|t| t.name == name)
            .is_none_or(|t| self.shows(t.group))
    }

    fn shows(&self, group: Group) -> bool {
        match group {
            Group::Raw => self.filter.raw,
            Group::Tcp => self.filter.tcp,
            Group::Udp => self.filter.udp,
            Group::Sctp => self.filter.sctp,
        }
    }

    /// One counter, `(key, value)`, described by its entry among `entries` if it has one.
    fn counter(
        &mut self,
        out: &mut impl Write,
        entries: &[Entry],
        (key, value): (&str, u64),
    ) -> io::Result<()> {
        let entry = entries.iter().find(|e| e.key == key && e.kind != Kind::Raw);
        let Some(entry) = entry else {
            // Unknown to net-tools, or missed by its lookup: `Key: N` at the current indent.
            if value != 0 {
                writeln!(out, "{}{key}: {value}", self.state.indent())?;
            }
            return Ok(());
        };
        let state = match entry.kind {
            Kind::Skip => return Ok(()),
            Kind::InHistogram => State::InHistogram,
            Kind::OutHistogram => State::OutHistogram,
            Kind::Always | Kind::NonZero | Kind::Raw => State::Plain,
        };
        if state != State::Plain && state != self.state {
            // The title comes at the indent of the line before it, even for a zero value.
            let title = match state {
                State::InHistogram => tr!("ICMP input histogram:"),
                _ => tr!("ICMP output histogram:"),
            };
            out.write_all(self.state.indent().as_bytes())?;
            out.write_all(title)?;
            out.write_all(b"\n")?;
        }
        if value != 0 || entry.kind == Kind::Always {
            let (before, after) = entry.text.split_once("{}").unwrap_or((entry.text, ""));
            writeln!(out, "{}{before}{value}{after}", state.indent())?;
        }
        self.state = state;
        Ok(())
    }
}

/// The known sections of `set` with their keys in net-tools' order, for tests that build input.
#[cfg(test)]
pub(crate) fn known_keys(set: TableSet) -> Vec<(&'static str, Vec<&'static str>)> {
    set.tables()
        .iter()
        .map(|t| (t.name, t.entries.iter().map(|e| e.key).collect()))
        .collect()
}

#[cfg(test)]
mod tests {
    use nettables::counters::{CounterFile, parse};

    use super::*;

    const ALL: Filter = Filter {
        raw: true,
        tcp: true,
        udp: true,
        sctp: true,
    };

    fn render(filter: Filter, files: &[(CounterFile, &str)]) -> String {
        let mut renderer = StatsRenderer::new(filter);
        let mut out = Vec::new();
        for &(file, text) in files {
            let set = if file == CounterFile::Snmp6 {
                TableSet::Inet6
            } else {
                TableSet::Inet
            };
            for section in parse(file, text.as_bytes()).sections {
                renderer.section(&mut out, set, &section).unwrap();
            }
        }
        String::from_utf8(out).unwrap()
    }

    /// net-tools finds a key with glibc's bsearch (halve [lo, hi) by strcmp).
    fn c_bsearch(entries: &[Entry], key: &str) -> bool {
        let (mut lo, mut hi) = (0, entries.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            // The one key net-tools stores with a trailing space.
            let probe = match entries[mid].key {
                "Icmp6OutRouterAdvertisements" => "Icmp6OutRouterAdvertisements ",
                other => other,
            };
            match key.as_bytes().cmp(probe.as_bytes()) {
                std::cmp::Ordering::Less => hi = mid,
                std::cmp::Ordering::Greater => lo = mid + 1,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }

    #[test]
    fn raw_kinds_are_exactly_the_keys_binary_search_misses() {
        let mut missed = Vec::new();
        for table in INET.iter().chain(INET6) {
            for entry in table.entries {
                let found = c_bsearch(table.entries, entry.key);
                assert_eq!(
                    found,
                    entry.kind != Kind::Raw,
                    "{}.{}",
                    table.name,
                    entry.key
                );
                if !found && !missed.contains(&entry.key) {
                    missed.push(entry.key);
                }
            }
        }
        // Spec 6.3 / 11.13: Forwarding, 17 TcpExt keys, and Icmp6OutRouterAdvertisements.
        assert_eq!(missed.len(), 19, "{missed:?}");
    }

    #[test]
    fn every_snmp_key_non_zero() {
        let snmp = "\
Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates OutTransmits
Ip: 1 64 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20
Icmp: InMsgs InErrors InCsumErrors InDestUnreachs InTimeExcds InParmProbs InSrcQuenchs InRedirects InEchos InEchoReps InTimestamps InTimestampReps InAddrMasks InAddrMaskReps OutMsgs OutErrors OutRateLimitGlobal OutRateLimitHost OutDestUnreachs OutTimeExcds OutParmProbs OutSrcQuenchs OutRedirects OutEchos OutEchoReps OutTimestamps OutTimestampReps OutAddrMasks OutAddrMaskReps
Icmp: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29
IcmpMsg: InType3 OutType3
IcmpMsg: 4 19
Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors
Tcp: 1 200 120000 -1 5 6 7 8 9 10 11 12 13 14 15
Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
Udp: 1 2 3 4 5 6 7 8 9
UdpLite: InDatagrams NoPorts
UdpLite: 0 0
";
        let expected = "\
Ip:
    Forwarding: 1
    3 total packets received
    4 with invalid headers
    5 with invalid addresses
    6 forwarded
    7 with unknown protocol
    8 incoming packets discarded
    9 incoming packets delivered
    10 requests sent out
    11 outgoing packets dropped
    12 dropped because of missing route
    13 fragments dropped after timeout
    14 reassemblies required
    15 packets reassembled ok
    16 packet reassemblies failed
    17 outgoing packets fragmented ok
    18 outgoing packets failed fragmentation
    19 fragments created
    OutTransmits: 20
Icmp:
    1 ICMP messages received
    2 input ICMP message failed
    InCsumErrors: 3
    ICMP input histogram:
        destination unreachable: 4
        timeout in transit: 5
        wrong parameters: 6
        source quenches: 7
        redirects: 8
        echo requests: 9
        echo replies: 10
        timestamp request: 11
        timestamp reply: 12
        address mask request: 13
        address mask replies: 14
    15 ICMP messages sent
    16 ICMP messages failed
    OutRateLimitGlobal: 17
    OutRateLimitHost: 18
    ICMP output histogram:
        destination unreachable: 19
        time exceeded: 20
        wrong parameters: 21
        source quench: 22
        redirect: 23
        echo requests: 24
        echo replies: 25
        timestamp requests: 26
        timestamp replies: 27
        address mask requests: 28
        address mask replies: 29
IcmpMsg:
        InType3: 4
        OutType3: 19
Tcp:
    5 active connection openings
    6 passive connection openings
    7 failed connection attempts
    8 connection resets received
    9 connections established
    10 segments received
    11 segments sent out
    12 segments retransmitted
    13 bad segments received
    14 resets sent
    InCsumErrors: 15
Udp:
    1 packets received
    2 packets to unknown port received
    3 packet receive errors
    4 packets sent
    5 receive buffer errors
    6 send buffer errors
    InCsumErrors: 7
    IgnoredMulti: 8
    MemErrors: 9
UdpLite:
";
        assert_eq!(render(ALL, &[(CounterFile::Snmp, snmp)]), expected);
    }

    #[test]
    fn tcp_ext_raw_and_sentences() {
        let netstat = "\
TcpExt: SyncookiesSent TW TCPTimeouts DelayedACKLost PAWSEstab TCPDSACKOldSent TCPHPHits TCPHPAcks TWKilled NewKey
TcpExt: 1 2 3 4 5 6 0 0 0 0
IpExt: InOctets OutOctets
IpExt: 10 0
MPTcpExt: MPCapableSYNRX
MPTcpExt: 0
";
        let expected = "\
TcpExt:
    1 SYN cookies sent
    2 TCP sockets finished time wait in fast timer
    TCPTimeouts: 3
    Quick ack mode was activated 4 times
    5 packets rejected in established connections because of timestamp
    TCPDSACKOldSent: 6
    0 packet headers predicted
IpExt:
    InOctets: 10
MPTcpExt:
";
        assert_eq!(render(ALL, &[(CounterFile::Netstat, netstat)]), expected);
    }

    #[test]
    fn histogram_titles_even_for_zero_and_indent_carries() {
        // An output entry right after an input one puts its title at indent 8; a zero value
        // still prints the title; an unknown section keeps the indent, a known one resets it.
        let snmp = "\
Icmp: InMsgs InDestUnreachs OutEchos OutMsgs OutTimeExcds
Icmp: 1 2 3 4 0
IcmpMsg: InType3
IcmpMsg: 2
Udp: InDatagrams
Udp: 0
";
        let expected = "\
Icmp:
    1 ICMP messages received
    ICMP input histogram:
        destination unreachable: 2
        ICMP output histogram:
        echo requests: 3
    4 ICMP messages sent
    ICMP output histogram:
IcmpMsg:
        InType3: 2
Udp:
    0 packets received
";
        assert_eq!(render(ALL, &[(CounterFile::Snmp, snmp)]), expected);
    }

    #[test]
    fn filters_hide_known_sections_but_never_unknown_ones() {
        let snmp = "\
Icmp: InDestUnreachs
Icmp: 2
IcmpMsg: InType3 OutType0
IcmpMsg: 2 0
Tcp: ActiveOpens
Tcp: 7
Udp: InDatagrams
Udp: 1
";
        let tcp_only = Filter {
            raw: false,
            tcp: true,
            udp: false,
            sctp: false,
        };
        // Icmp is hidden but resets the indent, so IcmpMsg prints at 4.
        let expected = "IcmpMsg:\n    InType3: 2\nTcp:\n    7 active connection openings\n";
        assert_eq!(render(tcp_only, &[(CounterFile::Snmp, snmp)]), expected);
        let sctp = "SctpCurrEstab 0\nSctpRtxChunks 4\nSctpT1InitExpireds 0\n";
        let expected = "Sctp:\n    0 Current Associations\n    SctpRtxChunks: 4\n";
        assert_eq!(render(ALL, &[(CounterFile::SctpSnmp, sctp)]), expected);
        assert_eq!(render(tcp_only, &[(CounterFile::SctpSnmp, sctp)]), "");
    }

    #[test]
    fn every_snmp6_key_non_zero() {
        let snmp6 = "\
Ip6InReceives 1
Ip6InHdrErrors 2
Ip6InTooBigErrors 3
Ip6InNoRoutes 4
Ip6InAddrErrors 5
Ip6InUnknownProtos 6
Ip6InTruncatedPkts 7
Ip6InDiscards 8
Ip6InDelivers 9
Ip6OutForwDatagrams 10
Ip6OutRequests 11
Ip6OutDiscards 12
Ip6OutNoRoutes 13
Ip6ReasmTimeout 14
Ip6ReasmReqds 15
Ip6ReasmOKs 16
Ip6ReasmFails 17
Ip6FragOKs 18
Ip6FragFails 19
Ip6FragCreates 20
Ip6InMcastPkts 21
Ip6OutMcastPkts 22
Ip6InOctets 23
Icmp6InMsgs 1
Icmp6InErrors 2
Icmp6OutMsgs 3
Icmp6OutErrors 4
Icmp6InDestUnreachs 5
Icmp6InPktTooBigs 6
Icmp6InTimeExcds 7
Icmp6InParmProblems 8
Icmp6InEchos 9
Icmp6InEchoReplies 10
Icmp6InGroupMembQueries 11
Icmp6InGroupMembResponses 12
Icmp6InGroupMembReductions 13
Icmp6InRouterSolicits 14
Icmp6InRouterAdvertisements 15
Icmp6InNeighborSolicits 16
Icmp6InNeighborAdvertisements 17
Icmp6InRedirects 18
Icmp6OutDestUnreachs 19
Icmp6OutPktTooBigs 20
Icmp6OutTimeExcds 21
Icmp6OutParmProblems 22
Icmp6OutEchos 23
Icmp6OutEchoReplies 24
Icmp6OutGroupMembQueries 25
Icmp6OutGroupMembResponses 26
Icmp6OutGroupMembReductions 27
Icmp6OutRouterSolicits 28
Icmp6OutRouterAdvertisements 29
Icmp6OutNeighborSolicits 30
Icmp6OutNeighborAdvertisements 31
Icmp6OutRedirects 32
Icmp6InType1 33
Udp6InDatagrams 1
Udp6NoPorts 2
Udp6InErrors 3
Udp6OutDatagrams 4
Udp6RcvbufErrors 5
UdpLite6InDatagrams 0
";
        // The mode passes only the Tcp section of /proc/net/snmp after snmp6.
        let snmp = "Tcp: ActiveOpens OutRsts\nTcp: 3 0\n";
        let expected = "\
Ip6:
    1 total packets received
    2 with invalid headers
    3 with packets too big
    4 incoming packets with no route
    5 with invalid addresses
    6 with unknown protocol
    7 with truncated packets
    8 incoming packets discarded
    9 incoming packets delivered
    10 forwarded
    11 requests sent out
    12 outgoing packets dropped
    13 dropped because of missing route
    14 fragments dropped after timeout
    15 reassemblies required
    16 packets reassembled ok
    17 packet reassemblies failed
    18 outgoing packets fragmented ok
    19 outgoing packets failed fragmentation
    20 fragments created
    21 incoming multicast packets
    22 outgoing multicast packets
    Ip6InOctets: 23
Icmp6:
    1 ICMP messages received
    2 input ICMP message failed
    3 ICMP messages sent
    Icmp6OutErrors: 4
    ICMP input histogram:
        destination unreachable: 5
        packets too big: 6
        received ICMPv6 time exceeded: 7
        parameter problem: 8
        echo requests: 9
        echo replies: 10
        group member queries: 11
        group member responses: 12
        group member reductions: 13
        router solicits: 14
        router advertisement: 15
        neighbour solicits: 16
        neighbour advertisement: 17
        redirects: 18
        ICMP output histogram:
        destination unreachable: 19
        packets too big: 20
        sent ICMPv6 time exceeded: 21
        parameter problem: 22
        echo requests: 23
        echo replies: 24
        group member queries: 25
        group member responses: 26
        group member reductions: 27
        router solicits: 28
        Icmp6OutRouterAdvertisements: 29
        neighbor solicits: 30
        neighbor advertisements: 31
        redirects: 32
        Icmp6InType1: 33
Udp6:
    1 packets received
    2 packets to unknown port received
    3 packet receive errors
    4 packets sent
    Udp6RcvbufErrors: 5
UdpLite6:
Tcp:
    3 active connection openings
    0 resets sent
";
        assert_eq!(
            render(
                ALL,
                &[(CounterFile::Snmp6, snmp6), (CounterFile::Snmp, snmp)]
            ),
            expected
        );
    }
}
