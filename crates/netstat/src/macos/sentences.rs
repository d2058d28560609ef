//! The sentences `netstat -s` prints for each counter, in its order: the `p(...)` lines of
//! `tcp_stats`, `udp_stats`, `ip_stats` and `icmp_stats` in `network_cmds-728.60.2`'s
//! `inet.c`, with each format string as written there and the counter named as xnu's struct
//! field without its prefix (`tcps_sndtotal` is `sndtotal`), as nettables names them.
//! Extracted from the C source by a script, not retyped; ICMP's histograms and the
//! `open ... socket` lines (from other sysctls) are not here.

use super::stats::Kind::{Delivered, EndOf, Ies, P, P2, P2a, Plain, Sum};
use super::stats::Line;

/// `tcp` (`tcp_stats` of `inet.c`).
pub const TCP: &[Line] = &[
    Line(P, &["sndtotal"], "\t%u packet%s sent\n"),
    Line(
        P2,
        &["sndpack", "sndbyte"],
        "\t\t%u data packet%s (%u byte%s)\n",
    ),
    Line(
        P2,
        &["sndrexmitpack", "sndrexmitbyte"],
        "\t\t%u data packet%s (%u byte%s) retransmitted\n",
    ),
    Line(
        P,
        &["mturesent"],
        "\t\t%u resend%s initiated by MTU discovery\n",
    ),
    Line(
        P2a,
        &["sndacks", "delack"],
        "\t\t%u ack-only packet%s (%u delayed)\n",
    ),
    Line(P, &["sndurg"], "\t\t%u URG only packet%s\n"),
    Line(P, &["sndprobe"], "\t\t%u window probe packet%s\n"),
    Line(P, &["sndwinup"], "\t\t%u window update packet%s\n"),
    Line(P, &["sndctrl"], "\t\t%u control packet%s\n"),
    Line(
        P,
        &["fcholdpacket"],
        "\t\t%u data packet%s sent after flow control\n",
    ),
    Line(
        P,
        &["synchallenge"],
        "\t\t%u challenge ACK%s sent due to unexpected SYN\n",
    ),
    Line(
        P,
        &["rstchallenge"],
        "\t\t%u challenge ACK%s sent due to unexpected RST\n",
    ),
    Line(
        P,
        &["minmssdrops"],
        "\t\t%u challenge ACK%s sent due to unexpected RST\n",
    ),
    Line(
        Sum,
        &["snd_swcsum", "snd6_swcsum"],
        "\t\t%u checksummed in software\n",
    ),
    Line(
        P2,
        &["snd_swcsum", "snd_swcsum_bytes"],
        "\t\t\t%u segment%s (%u byte%s) over IPv4\n",
    ),
    Line(
        P2,
        &["snd6_swcsum", "snd6_swcsum_bytes"],
        "\t\t\t%u segment%s (%u byte%s) over IPv6\n",
    ),
    Line(P, &["rcvtotal"], "\t%u packet%s received\n"),
    Line(
        P2,
        &["rcvackpack", "rcvackbyte"],
        "\t\t%u ack%s (for %u byte%s)\n",
    ),
    Line(P, &["rcvdupack"], "\t\t%u duplicate ack%s\n"),
    Line(P, &["rcvacktoomuch"], "\t\t%u ack%s for unsent data\n"),
    Line(
        P2,
        &["rcvpack", "rcvbyte"],
        "\t\t%u packet%s (%u byte%s) received in-sequence\n",
    ),
    Line(
        P2,
        &["rcvduppack", "rcvdupbyte"],
        "\t\t%u completely duplicate packet%s (%u byte%s)\n",
    ),
    Line(P, &["pawsdrop"], "\t\t%u old duplicate packet%s\n"),
    Line(
        P,
        &["rcvmemdrop"],
        "\t\t%u received packet%s dropped due to low memory\n",
    ),
    Line(
        P2,
        &["rcvpartduppack", "rcvpartdupbyte"],
        "\t\t%u packet%s with some dup. data (%u byte%s duped)\n",
    ),
    Line(
        P2,
        &["rcvoopack", "rcvoobyte"],
        "\t\t%u out-of-order packet%s (%u byte%s)\n",
    ),
    Line(
        P2,
        &["rcvpackafterwin", "rcvbyteafterwin"],
        "\t\t%u packet%s (%u byte%s) of data after window\n",
    ),
    Line(P, &["rcvwinprobe"], "\t\t%u window probe%s\n"),
    Line(P, &["rcvwinupd"], "\t\t%u window update packet%s\n"),
    Line(
        P,
        &["recovered_pkts"],
        "\t\t%u packet%s recovered after loss\n",
    ),
    Line(
        P,
        &["rcvafterclose"],
        "\t\t%u packet%s received after close\n",
    ),
    Line(P, &["badrst"], "\t\t%u bad reset%s\n"),
    Line(P, &["rcvbadsum"], "\t\t%u discarded for bad checksum%s\n"),
    Line(
        Sum,
        &["rcv_swcsum", "rcv6_swcsum"],
        "\t\t%u checksummed in software\n",
    ),
    Line(
        P2,
        &["rcv_swcsum", "rcv_swcsum_bytes"],
        "\t\t\t%u segment%s (%u byte%s) over IPv4\n",
    ),
    Line(
        P2,
        &["rcv6_swcsum", "rcv6_swcsum_bytes"],
        "\t\t\t%u segment%s (%u byte%s) over IPv6\n",
    ),
    Line(
        P,
        &["rcvbadoff"],
        "\t\t%u discarded for bad header offset field%s\n",
    ),
    Line(
        Plain,
        &["rcvshort"],
        "\t\t%u discarded because packet too short\n",
    ),
    Line(P, &["connattempt"], "\t%u connection request%s\n"),
    Line(P, &["accepts"], "\t%u connection accept%s\n"),
    Line(P, &["badsyn"], "\t%u bad connection attempt%s\n"),
    Line(P, &["listendrop"], "\t%u listen queue overflow%s\n"),
    Line(
        P,
        &["connects"],
        "\t%u connection%s established (including accepts)\n",
    ),
    Line(
        P2,
        &["closed", "drops"],
        "\t%u connection%s closed (including %u drop%s)\n",
    ),
    Line(
        P,
        &["cachedrtt"],
        "\t\t%u connection%s updated cached RTT on close\n",
    ),
    Line(
        P,
        &["cachedrttvar"],
        "\t\t%u connection%s updated cached RTT variance on close\n",
    ),
    Line(
        P,
        &["cachedssthresh"],
        "\t\t%u connection%s updated cached ssthresh on close\n",
    ),
    Line(
        P,
        &["usedrtt"],
        "\t\t%u connection%s initialized RTT from route cache\n",
    ),
    Line(
        P,
        &["usedrttvar"],
        "\t\t%u connection%s initialized RTT variance from route cache\n",
    ),
    Line(
        P,
        &["usedssthresh"],
        "\t\t%u connection%s initialized ssthresh from route cache\n",
    ),
    Line(P, &["conndrops"], "\t%u embryonic connection%s dropped\n"),
    Line(
        P2,
        &["rttupdated", "segstimed"],
        "\t%u segment%s updated rtt (of %u attempt%s)\n",
    ),
    Line(P, &["rexmttimeo"], "\t%u retransmit timeout%s\n"),
    Line(
        P,
        &["timeoutdrop"],
        "\t\t%u connection%s dropped by rexmit timeout\n",
    ),
    Line(
        P,
        &["rxtfindrop"],
        "\t\t%u connection%s dropped after retransmitting FIN\n",
    ),
    Line(
        P,
        &["sndrexmitbad"],
        "\t\t%u unnecessary packet retransmissions%s\n",
    ),
    Line(P, &["persisttimeo"], "\t%u persist timeout%s\n"),
    Line(
        P,
        &["persistdrop"],
        "\t\t%u connection%s dropped by persist timeout\n",
    ),
    Line(P, &["keeptimeo"], "\t%u keepalive timeout%s\n"),
    Line(P, &["keepprobe"], "\t\t%u keepalive probe%s sent\n"),
    Line(
        P,
        &["keepdrops"],
        "\t\t%u connection%s dropped by keepalive\n",
    ),
    Line(
        P,
        &["ka_offload_drops"],
        "\t\t%u connection%s dropped by keepalive offload\n",
    ),
    Line(P, &["predack"], "\t%u correct ACK header prediction%s\n"),
    Line(
        P,
        &["preddat"],
        "\t%u correct data packet header prediction%s\n",
    ),
    Line(
        P,
        &["sack_recovery_episode"],
        "\t%u SACK recovery episode%s\n",
    ),
    Line(
        P,
        &["sack_rexmits"],
        "\t%u segment rexmit%s in SACK recovery episodes\n",
    ),
    Line(
        P,
        &["sack_rexmit_bytes"],
        "\t%u byte rexmit%s in SACK recovery episodes\n",
    ),
    Line(
        P,
        &["sack_rcv_blocks"],
        "\t%u SACK option%s (SACK blocks) received\n",
    ),
    Line(
        P,
        &["sack_send_blocks"],
        "\t%u SACK option%s (SACK blocks) sent\n",
    ),
    Line(
        Plain,
        &["sack_sboverflow"],
        "\t%u SACK scoreboard overflow\n",
    ),
    Line(
        P,
        &["rack_rexmits"],
        "\t%u segment%s retransmitted in RACK recovery episodes\n",
    ),
    Line(
        P,
        &["rack_recovery_episode"],
        "\t%u RACK recovery episode%s\n",
    ),
    Line(
        P,
        &["rack_reordering_timeout_recovery_episode"],
        "\t%u RACK recovery episode%s due to reordering timeout\n",
    ),
    Line(P, &["limited_txt"], "\t%u limited transmit%s done\n"),
    Line(P, &["early_rexmt"], "\t%u early retransmit%s done\n"),
    Line(
        P,
        &["sack_ackadv"],
        "\t%u time%s cumulative ack advanced along with SACK\n",
    ),
    Line(P, &["pto"], "\t%u probe timeout%s\n"),
    Line(
        P,
        &["rto_after_pto"],
        "\t\t%u time%s retransmit timeout triggered after probe\n",
    ),
    Line(
        P,
        &["probe_if"],
        "\t\t%u time%s probe packets were sent for an interface\n",
    ),
    Line(
        P,
        &["probe_if_conflict"],
        "\t\t%u time%s couldn't send probe packets for an interface\n",
    ),
    Line(
        P,
        &["tlp_recovery"],
        "\t\t%u time%s fast recovery after tail loss\n",
    ),
    Line(
        P,
        &["tlp_recoverlastpkt"],
        "\t\t%u time%s recovered last packet \n",
    ),
    Line(
        P,
        &["pto_in_recovery"],
        "\t\t%u SACK based rescue retransmit%s\n",
    ),
    Line(
        P,
        &["ecn_client_setup"],
        "\t%u client connection%s attempted to negotiate ECN\n",
    ),
    Line(
        P,
        &["ecn_client_success"],
        "\t\t%u client connection%s successfully negotiated ECN\n",
    ),
    Line(
        P,
        &["ecn_not_supported"],
        "\t\t%u time%s graceful fallback to Non-ECN connection\n",
    ),
    Line(
        P,
        &["ecn_lost_syn"],
        "\t\t%u time%s lost ECN negotiating SYN, followed by retransmission\n",
    ),
    Line(
        P,
        &["ecn_server_setup"],
        "\t\t%u server connection%s attempted to negotiate ECN\n",
    ),
    Line(
        P,
        &["ecn_server_success"],
        "\t\t%u server connection%s successfully negotiated ECN\n",
    ),
    Line(
        P,
        &["ecn_lost_synack"],
        "\t\t%u time%s lost ECN negotiating SYN-ACK, followed by retransmission\n",
    ),
    Line(
        P,
        &["ecn_recv_ce"],
        "\t\t%u time%s received congestion experienced (CE) notification\n",
    ),
    Line(
        P,
        &["ecn_recv_ece"],
        "\t\t%u time%s CWR was sent in response to ECE\n",
    ),
    Line(
        P,
        &["ecn_sent_ece"],
        "\t\t%u time%s sent ECE notification\n",
    ),
    Line(
        P,
        &["ecn_conn_recv_ce"],
        "\t\t%u connection%s received CE atleast once\n",
    ),
    Line(
        P,
        &["ecn_conn_recv_ece"],
        "\t\t%u connection%s received ECE atleast once\n",
    ),
    Line(
        P,
        &["ecn_conn_plnoce"],
        "\t\t%u connection%s using ECN have seen packet loss but no CE\n",
    ),
    Line(
        P,
        &["ecn_conn_pl_ce"],
        "\t\t%u connection%s using ECN have seen packet loss and CE\n",
    ),
    Line(
        P,
        &["ecn_conn_nopl_ce"],
        "\t\t%u connection%s using ECN received CE but no packet loss\n",
    ),
    Line(
        P,
        &["ecn_fallback_synloss"],
        "\t\t%u connection%s fell back to non-ECN due to SYN-loss\n",
    ),
    Line(
        P,
        &["ecn_fallback_reorder"],
        "\t\t%u connection%s fell back to non-ECN due to reordering\n",
    ),
    Line(
        P,
        &["ecn_fallback_ce"],
        "\t\t%u connection%s fell back to non-ECN due to excessive CE-markings\n",
    ),
    Line(
        P,
        &["ecn_fallback_droprst"],
        "\t\t%u connection%s fell back caused by connection drop due to RST\n",
    ),
    Line(
        P,
        &["ecn_fallback_droprxmt"],
        "\t\t%u connection%s fell back due to drop after multiple retransmits \n",
    ),
    Line(
        P,
        &["ecn_ace_syn_not_ect"],
        "\t\t%u time%s received AccECN SYN packet with Not-ECT\n",
    ),
    Line(
        P,
        &["ecn_ace_syn_ect1"],
        "\t\t%u time%s received AccECN SYN packet with ECT1\n",
    ),
    Line(
        P,
        &["ecn_ace_syn_ect0"],
        "\t\t%u time%s received AccECN SYN packet with ECT0\n",
    ),
    Line(
        P,
        &["ecn_ace_syn_ce"],
        "\t\t%u time%s received AccECN SYN packet with CE\n",
    ),
    Line(
        P,
        &["ecn_ace_recv_ce"],
        "\t\t%u time%s CE received in ACE field\n",
    ),
    Line(
        P,
        &["detect_reordering"],
        "\t%u time%s packet reordering was detected on a connection\n",
    ),
    Line(
        P,
        &["reordered_pkts"],
        "\t\t%u time%s transmitted packets were reordered\n",
    ),
    Line(
        P,
        &["delay_recovery"],
        "\t\t%u time%s fast recovery was delayed to handle reordering\n",
    ),
    Line(
        P,
        &["avoid_rxmt"],
        "\t\t%u time%s retransmission was avoided by delaying recovery\n",
    ),
    Line(
        P,
        &["tailloss_rto"],
        "\t%u retransmission%s due to tail loss\n",
    ),
    Line(P, &["dsack_sent"], "\t%u time%s DSACK option was sent\n"),
    Line(
        P,
        &["dsack_recvd"],
        "\t\t%u time%s DSACK option was received\n",
    ),
    Line(
        P,
        &["dsack_badrexmt"],
        "\t\t%u time%s recovered from bad retransmission using DSACK\n",
    ),
    Line(
        P,
        &["dsack_ackloss"],
        "\t\t%u time%s ignored DSACK due to ack loss\n",
    ),
    Line(
        P,
        &["dsack_recvd_old"],
        "\t\t%u time%s ignored old DSACK options\n",
    ),
    Line(
        P,
        &["pmtudbh_reverted"],
        "\t%u time%s PMTU Blackhole detection, size reverted\n",
    ),
    Line(
        P,
        &["drop_after_sleep"],
        "\t%u connection%s were dropped after long sleep\n",
    ),
    Line(
        P,
        &["tfo_cookie_sent"],
        "\t%u time%s a TFO-cookie has been announced\n",
    ),
    Line(
        P,
        &["tfo_syn_data_rcv"],
        "\t%u SYN%s with data and a valid TFO-cookie have been received\n",
    ),
    Line(
        P,
        &["tfo_cookie_req_rcv"],
        "\t%u SYN%s with TFO-cookie-request received\n",
    ),
    Line(
        P,
        &["tfo_cookie_invalid"],
        "\t%u time%s an invalid TFO-cookie has been received\n",
    ),
    Line(
        P,
        &["tfo_cookie_req"],
        "\t%u time%s we requested a TFO-cookie\n",
    ),
    Line(
        P,
        &["tfo_cookie_rcv"],
        "\t\t%u time%s the peer announced a TFO-cookie\n",
    ),
    Line(
        P,
        &["tfo_syn_data_sent"],
        "\t%u time%s we combined SYN with data and a TFO-cookie\n",
    ),
    Line(
        P,
        &["tfo_syn_data_acked"],
        "\t\t%u time%s our SYN with data has been acknowledged\n",
    ),
    Line(
        P,
        &["tfo_syn_loss"],
        "\t%u time%s a connection-attempt with TFO fell back to regular TCP\n",
    ),
    Line(
        P,
        &["tfo_blackhole"],
        "\t%u time%s a TFO-connection blackhole'd\n",
    ),
    Line(
        P,
        &["tfo_cookie_wrong"],
        "\t%u time%s a TFO-cookie we sent was wrong\n",
    ),
    Line(
        P,
        &["tfo_no_cookie_rcv"],
        "\t%u time%s did not received a TFO-cookie we asked for\n",
    ),
    Line(
        P,
        &["tfo_heuristics_disable"],
        "\t%u time%s TFO got disabled due to heuristicsn\n",
    ),
    Line(
        P,
        &["tfo_sndblackhole"],
        "\t%u time%s TFO got blackholed in the sending direction\n",
    ),
    Line(
        P,
        &["mss_to_default"],
        "\t%u time%s maximum segment size was changed to default\n",
    ),
    Line(
        P,
        &["mss_to_medium"],
        "\t%u time%s maximum segment size was changed to medium\n",
    ),
    Line(
        P,
        &["mss_to_low"],
        "\t%u time%s maximum segment size was changed to low\n",
    ),
    Line(
        P,
        &["timer_drift_le_1_ms"],
        "\t%u timer drift%s less or equal to 1 ms\n",
    ),
    Line(
        P,
        &["timer_drift_le_10_ms"],
        "\t%u timer drift%s less or equal to 10 ms\n",
    ),
    Line(
        P,
        &["timer_drift_le_20_ms"],
        "\t%u timer drift%s less or equal to 20 ms\n",
    ),
    Line(
        P,
        &["timer_drift_le_50_ms"],
        "\t%u timer drift%s less or equal to 50 ms\n",
    ),
    Line(
        P,
        &["timer_drift_le_100_ms"],
        "\t%u timer drift%s less or equal to 100 ms\n",
    ),
    Line(
        P,
        &["timer_drift_le_200_ms"],
        "\t%u timer drift%s less or equal to 200 ms\n",
    ),
    Line(
        P,
        &["timer_drift_le_500_ms"],
        "\t%u timer drift%s less or equal to 500 ms\n",
    ),
    Line(
        P,
        &["timer_drift_le_1000_ms"],
        "\t%u timer drift%s less or equal to 1000 ms\n",
    ),
    Line(
        P,
        &["timer_drift_gt_1000_ms"],
        "\t%u timer drift%s greater than to 1000 ms\n",
    ),
    Line(P, &["fin_timeout_drops"], "\t%u FIN_WAIT timeout drop%s\n"),
    Line(
        P,
        &["sc_dropped"],
        "\t%u time%s could not reply to packet\n",
    ),
    Line(
        Ies,
        &["sc_completed"],
        "\t%u successful extraction of entr%s\n",
    ),
    Line(Ies, &["sc_aborted"], "\t%u syncache entr%s aborted\n"),
    Line(P, &["sc_sendcookie"], "\t%u SYN cookie%s sent\n"),
    Line(P, &["sc_recvcookie"], "\t%u SYN cookie%s received\n"),
    Line(
        P,
        &["rst_dup_suppressed"],
        "\t%llu duplicate RST packet%s for port unreachable suppressed\n",
    ),
    Line(
        P,
        &["rst_not_suppressed"],
        "\t%llu RST packet%s for port unreachable not suppressed\n",
    ),
];

/// `udp` (`udp_stats` of `inet.c`).
pub const UDP: &[Line] = &[
    Line(P, &["ipackets"], "\t%u datagram%s received\n"),
    Line(Plain, &["hdrops"], "\t\t%u with incomplete header\n"),
    Line(Plain, &["badlen"], "\t\t%u with bad data length field\n"),
    Line(Plain, &["badsum"], "\t\t%u with bad checksum\n"),
    Line(Plain, &["nosum"], "\t\t%u with no checksum\n"),
    Line(
        Sum,
        &["rcv_swcsum", "rcv6_swcsum"],
        "\t\t%u checksummed in software\n",
    ),
    Line(
        P2,
        &["rcv_swcsum", "rcv_swcsum_bytes"],
        "\t\t\t%u datagram%s (%u byte%s) over IPv4\n",
    ),
    Line(
        P2,
        &["rcv6_swcsum", "rcv6_swcsum_bytes"],
        "\t\t\t%u datagram%s (%u byte%s) over IPv6\n",
    ),
    Line(Plain, &["noport"], "\t\t%u dropped due to no socket\n"),
    Line(
        P,
        &["noportbcast"],
        "\t\t%u broadcast/multicast datagram%s undelivered\n",
    ),
    Line(
        P,
        &["noportmcast"],
        "\t\t%u IPv6 multicast datagram%s undelivered\n",
    ),
    Line(
        P,
        &["filtermcast"],
        "\t\t%u time%s multicast source filter matched\n",
    ),
    Line(
        Plain,
        &["fullsock"],
        "\t\t%u dropped due to full socket buffers\n",
    ),
    Line(Plain, &["pcbhashmiss"], "\t\t%u not for hashed pcb\n"),
    Line(Delivered, &[], "\t\t%u delivered\n"),
    Line(P, &["opackets"], "\t%u datagram%s output\n"),
    Line(
        Sum,
        &["snd_swcsum", "snd6_swcsum"],
        "\t\t%u checksummed in software\n",
    ),
    Line(
        P2,
        &["snd_swcsum", "snd_swcsum_bytes"],
        "\t\t\t%u datagram%s (%u byte%s) over IPv4\n",
    ),
    Line(
        P2,
        &["snd6_swcsum", "snd6_swcsum_bytes"],
        "\t\t\t%u datagram%s (%u byte%s) over IPv6\n",
    ),
    Line(
        P,
        &["port_unreach_dup_suppressed"],
        "\t%llu duplicate ICMP packet%s for port unreachable suppressed\n",
    ),
    Line(
        P,
        &["port_unreach_not_suppressed"],
        "\t%llu ICMP packet%s for port unreachable not suppressed\n",
    ),
];

/// `ip` (`ip_stats` of `inet.c`).
pub const IP: &[Line] = &[
    Line(P, &["total"], "\t%u total packet%s received\n"),
    Line(P, &["badsum"], "\t\t%u bad header checksum%s\n"),
    Line(
        P2,
        &["rcv_swcsum", "rcv_swcsum_bytes"],
        "\t\t%u header%s (%u byte%s) checksummed in software\n",
    ),
    Line(
        Plain,
        &["toosmall"],
        "\t\t%u with size smaller than minimum\n",
    ),
    Line(
        Plain,
        &["tooshort"],
        "\t\t%u with data size < data length\n",
    ),
    Line(Plain, &["adj"], "\t\t%u with data size > data length\n"),
    Line(
        P,
        &["adj_hwcsum_clr"],
        "\t\t\t%u packet%s forced to software checksum\n",
    ),
    Line(
        Plain,
        &["toolong"],
        "\t\t%u with ip length > max ip packet size\n",
    ),
    Line(
        Plain,
        &["badhlen"],
        "\t\t%u with header length < data size\n",
    ),
    Line(
        Plain,
        &["badlen"],
        "\t\t%u with data length < header length\n",
    ),
    Line(Plain, &["badoptions"], "\t\t%u with bad options\n"),
    Line(
        Plain,
        &["badvers"],
        "\t\t%u with incorrect version number\n",
    ),
    Line(P, &["fragments"], "\t\t%u fragment%s received\n"),
    Line(
        Plain,
        &["fragdropped"],
        "\t\t\t%u dropped (dup or out of space)\n",
    ),
    Line(Plain, &["fragtimeout"], "\t\t\t%u dropped after timeout\n"),
    Line(Plain, &["reassembled"], "\t\t\t%u reassembled ok\n"),
    Line(P, &["delivered"], "\t\t%u packet%s for this host\n"),
    Line(
        P,
        &["noproto"],
        "\t\t%u packet%s for unknown/unsupported protocol\n",
    ),
    Line(P, &["forward"], "\t\t%u packet%s forwarded"),
    Line(P, &["fastforward"], " (%u packet%s fast forwarded)"),
    Line(EndOf, &["forward"], "\n"),
    Line(P, &["cantforward"], "\t\t%u packet%s not forwardable\n"),
    Line(
        P,
        &["notmember"],
        "\t\t%u packet%s received for unknown multicast group\n",
    ),
    Line(P, &["redirectsent"], "\t\t%u redirect%s sent\n"),
    Line(
        P,
        &["rxc_collisions"],
        "\t\t%u input packet%s not chained due to collision\n",
    ),
    Line(
        P,
        &["rxc_chained"],
        "\t\t%u input packet%s processed in a chain\n",
    ),
    Line(
        P,
        &["rxc_notchain"],
        "\t\t%u input packet%s unable to chain\n",
    ),
    Line(
        P,
        &["rxc_chainsz_gt2"],
        "\t\t%u input packet chain%s processed with length greater than 2\n",
    ),
    Line(
        P,
        &["rxc_chainsz_gt4"],
        "\t\t%u input packet chain%s processed with length greater than 4\n",
    ),
    Line(
        P,
        &["rxc_notlist"],
        "\t\t%u input packet%s did not go through list processing path\n",
    ),
    Line(
        P,
        &["rcv_if_weak_match"],
        "\t\t%u input packet%s that passed the weak ES interface address match\n",
    ),
    Line(
        P,
        &["rcv_if_no_match"],
        "\t\t%u input packet%s with no interface address match\n",
    ),
    Line(P, &["localout"], "\t%u packet%s sent from this host\n"),
    Line(
        P,
        &["rawout"],
        "\t\t%u packet%s sent with fabricated ip header\n",
    ),
    Line(
        P,
        &["odropped"],
        "\t\t%u output packet%s dropped due to no bufs, etc.\n",
    ),
    Line(
        P,
        &["noroute"],
        "\t\t%u output packet%s discarded due to no route\n",
    ),
    Line(P, &["fragmented"], "\t\t%u output datagram%s fragmented\n"),
    Line(P, &["ofragments"], "\t\t%u fragment%s created\n"),
    Line(
        P,
        &["cantfrag"],
        "\t\t%u datagram%s that can't be fragmented\n",
    ),
    Line(
        P,
        &["nogif"],
        "\t\t%u tunneling packet%s that can't find gif\n",
    ),
    Line(
        P,
        &["badaddr"],
        "\t\t%u datagram%s with bad address in header\n",
    ),
    Line(
        P,
        &["pktdropcntrl"],
        "\t\t%u packet%s dropped due to no bufs for control data\n",
    ),
    Line(
        P,
        &["necp_policy_drop"],
        "\t\t%u packet%s dropped due to NECP policy\n",
    ),
    Line(
        P2,
        &["snd_swcsum", "snd_swcsum_bytes"],
        "\t\t%u header%s (%u byte%s) checksummed in software\n",
    ),
];

/// `icmp` (`icmp_stats` of `inet.c`).
pub const ICMP: &[Line] = &[
    Line(P, &["error"], "\t%u call%s to icmp_error\n"),
    Line(
        P,
        &["oldicmp"],
        "\t%u error%s not generated 'cuz old message was icmp\n",
    ),
    Line(P, &["badcode"], "\t%u message%s with bad code fields\n"),
    Line(P, &["tooshort"], "\t%u message%s < minimum length\n"),
    Line(P, &["checksum"], "\t%u bad checksum%s\n"),
    Line(P, &["badlen"], "\t%u message%s with bad length\n"),
    Line(
        Plain,
        &["bmcastecho"],
        "\t%u multicast echo requests ignored\n",
    ),
    Line(
        Plain,
        &["bmcasttstamp"],
        "\t%u multicast timestamp requests ignored\n",
    ),
    Line(P, &["reflect"], "\t%u message response%s generated\n"),
];
