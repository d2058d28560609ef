//! The details window (Enter): the selected socket with its full `tcp_info` and its owner's
//! command line and descriptors, or the selected process with each of its sockets.

use nettables::inet::InetSocket;
use nettables::process::Owner;
use nettables::tcp_info::{TcpDetails, TcpInfo};
use nettables::watch::Rates;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::super::details::{Details, Holder, Subject};
use super::super::format;
use super::super::model::Process;
use super::super::names::Names;
use crate::text;

/// Width of one `name value` cell of the `tcp_info` grid.
const FIELD: usize = 46;

/// The window's lines, for a window `width` cells wide. Addresses are numeric: a detail is
/// exact.
pub fn lines(details: &Details, names: &mut Names, width: u16) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    match &details.subject {
        Subject::Socket {
            socket,
            owner,
            rates,
        } => {
            let shown = details.fresh.as_ref().unwrap_or(socket);
            out.push(heading(&format!("Socket  {}", describe(shown, names))));
            if details.fresh.is_none() {
                out.push(Line::from(
                    "  gone: it closed since the last sample; this is how it was seen",
                ));
            }
            out.extend(socket_ids(shown, rates));
            out.push(Line::from(""));
            out.push(heading("Owner"));
            owner_section(&mut out, owner.as_deref(), &details.holder, shown.inode);
            out.push(Line::from(""));
            out.push(heading("TCP internals (tcp_info)"));
            tcp_section(&mut out, details.tcp.as_ref(), width);
        }
        Subject::Process { process, sockets } => {
            process_section(&mut out, process, &details.holder);
            if let Ok(Some(holder)) = &details.holder {
                out.push(Line::from(""));
                out.push(heading("Socket descriptors"));
                for &(fd, inode) in &holder.sockets {
                    let socket = sockets.iter().find(|s| s.inode == inode);
                    let what = match socket {
                        Some(socket) => describe(socket, names),
                        None => format!("inode {inode} (not a watched Internet socket)"),
                    };
                    out.push(Line::from(format!("  fd {fd:<6} {what}")));
                }
            }
        }
    }
    out
}

/// The socket's identities, queues and rates.
fn socket_ids(socket: &InetSocket, rates: &Rates) -> [Line<'static>; 2] {
    let mut ids = format!(
        "  cookie {}  inode {}  uid {}  Recv-Q {}  Send-Q {}",
        socket.cookie, socket.inode, socket.uid, socket.recv_q, socket.send_q
    );
    if let Some(backlog) = socket.backlog {
        ids.push_str(&format!("  backlog {backlog}"));
    }
    let rates = format!(
        "  receiving {}, sending {}",
        format::rate(rates.rx),
        format::rate(rates.tx)
    );
    [Line::from(ids), Line::from(rates)]
}

/// The owner of the socket with `inode`, and which of its descriptors hold it.
fn owner_section(
    out: &mut Vec<Line<'static>>,
    owner: Option<&Owner>,
    holder: &Result<Option<Holder>, String>,
    inode: u64,
) {
    match (owner, holder) {
        (None, _) => out.push(Line::from(
            "  not known (TIME_WAIT and pending sockets have none; -p finds the others)",
        )),
        (Some(_), Err(e)) => out.push(Line::from(format!("  {e}"))),
        (Some(owner), Ok(None)) => out.push(Line::from(format!(
            "  pid {}: exited, or no longer holds a socket",
            owner.pid
        ))),
        (Some(_), Ok(Some(holder))) => {
            owner_lines(out, holder);
            let fds: Vec<String> = holder
                .sockets
                .iter()
                .filter(|&&(_, held)| held == inode && inode != 0)
                .map(|(fd, _)| fd.to_string())
                .collect();
            out.push(Line::from(format!(
                "  descriptors holding it: {} (of {} socket descriptors)",
                if fds.is_empty() {
                    "none".to_string()
                } else {
                    fds.join(", ")
                },
                holder.sockets.len()
            )));
        }
    }
}

/// The `--tcp-info` line, then every `tcp_info` field in a grid for a window `width` wide.
fn tcp_section(out: &mut Vec<Line<'static>>, tcp: Option<&TcpDetails>, width: u16) {
    let Some(tcp) = tcp else {
        out.push(Line::from(
            "  none: not a TCP socket, gone, or a state the kernel keeps no tcp_info for",
        ));
        return;
    };
    let mut line = Vec::new();
    let _ = crate::render::tcp_info::write_line(&mut line, tcp);
    // The line as `--tcp-info` prints it: a tab first, a newline last.
    let tokens = line.trim_ascii();
    out.push(Line::from(format!("  {}", text::display(tokens))));
    if let Some(info) = &tcp.info {
        let per_line = (usize::from(width) / FIELD).max(1);
        out.extend(fields(info).chunks(per_line).map(|row| {
            Line::from(
                row.iter()
                    .map(|(name, value)| format!("  {name:<25}{value:>19}"))
                    .collect::<String>(),
            )
        }));
    }
}

/// The process's totals, and its owner (or why it is unknown).
fn process_section(
    out: &mut Vec<Line<'static>>,
    process: &Process,
    holder: &Result<Option<Holder>, String>,
) {
    let title = match process.pid() {
        Some(pid) => format!("Process {pid}"),
        None => "Sockets whose owner was not found".to_string(),
    };
    out.push(heading(&title));
    out.push(Line::from(format!(
        "  {} sockets: {} ESTABLISHED, {} LISTEN, {} other TCP, {} UDP/raw; receiving {}, sending {}",
        process.sockets(),
        process.established(),
        process.listeners(),
        process.other_tcp(),
        process.datagram,
        format::rate(process.rates.rx),
        format::rate(process.rates.tx)
    )));
    match holder {
        Err(e) => out.push(Line::from(format!("  {e}"))),
        Ok(None) if process.pid().is_some() => {
            out.push(Line::from("  exited, or no longer holds a socket"));
        }
        Ok(None) => {}
        Ok(Some(holder)) => owner_lines(out, holder),
    }
}

fn heading(text: &str) -> Line<'static> {
    Line::from(Span::styled(
        text.to_string(),
        Style::new().add_modifier(Modifier::BOLD),
    ))
}

/// `tcp 127.0.0.1:40002 -> 127.0.0.1:5001 ESTABLISHED`
fn describe(socket: &InetSocket, names: &mut Names) -> String {
    let local = names.endpoint(socket.local, socket.protocol, false);
    let remote = names.endpoint(socket.remote, socket.protocol, false);
    format!(
        "{} {local} -> {remote} {}",
        super::protocol(socket),
        super::state(socket)
    )
}

fn owner_lines(out: &mut Vec<Line<'static>>, holder: &Holder) {
    let uid = holder.uid.map_or_else(|| "?".into(), |u| u.to_string());
    out.push(Line::from(format!("  pid {}  uid {uid}", holder.pid)));
    out.push(Line::from(format!(
        "  command line: {}",
        text::display(&holder.cmdline)
    )));
}

/// Every field of `tcp_info` the kernel sent, with its unit.
fn fields(info: &TcpInfo) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    macro_rules! plain {
        ($($name:ident),*) => { $( out.push((stringify!($name), info.$name.to_string())); )* };
    }
    macro_rules! micros {
        ($($name:ident),*) => { $( out.push((stringify!($name), format!("{} µs", info.$name))); )* };
    }
    macro_rules! optional {
        ($($name:ident),*) => { $( if let Some(v) = info.$name { out.push((stringify!($name), v.to_string())); } )* };
    }
    plain!(
        state,
        ca_state,
        retransmits,
        probes,
        backoff,
        options,
        snd_wscale,
        rcv_wscale
    );
    micros!(rto, ato);
    plain!(
        snd_mss,
        rcv_mss,
        unacked,
        sacked,
        lost,
        retrans,
        pmtu,
        rcv_ssthresh
    );
    micros!(rtt, rttvar);
    plain!(snd_ssthresh, snd_cwnd, advmss, reordering);
    micros!(rcv_rtt);
    plain!(rcv_space, total_retrans);
    optional!(
        pacing_rate,
        max_pacing_rate,
        bytes_acked,
        bytes_received,
        segs_out,
        segs_in,
        notsent_bytes,
        min_rtt,
        data_segs_in,
        data_segs_out,
        delivery_rate,
        delivery_rate_app_limited,
        busy_time,
        rwnd_limited,
        sndbuf_limited,
        delivered,
        delivered_ce,
        bytes_sent,
        bytes_retrans,
        dsack_dups,
        reord_seen,
        rcv_ooopack,
        snd_wnd
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use nettables::inet::{Protocol, State};
    use nettables::process::Owner;
    use nettables::tcp_info::TcpDetails;
    use nettables::watch::Rates;
    use std::sync::Arc;

    fn text(lines: &[Line]) -> String {
        lines
            .iter()
            .map(|l| {
                l.spans
                    .iter()
                    .map(|s| s.content.as_ref())
                    .collect::<String>()
                    + "\n"
            })
            .collect()
    }

    #[test]
    fn a_socket_with_its_owner_and_every_tcp_info_field() {
        let mut socket = InetSocket::new(
            Protocol::Tcp,
            "127.0.0.1:40002".parse().unwrap(),
            "127.0.0.1:5001".parse().unwrap(),
            State::ESTABLISHED,
        );
        (socket.inode, socket.cookie) = (77, 5);
        let mut info = TcpInfo::default();
        (info.rtt, info.snd_cwnd, info.bytes_acked) = (50, 10, Some(123));
        let mut tcp = TcpDetails::default();
        tcp.info = Some(info);
        let details = Details {
            subject: Subject::Socket {
                socket,
                owner: Some(Arc::new(Owner::new(42, b"python3"))),
                rates: Rates { rx: 0.0, tx: 2e6 },
            },
            fresh: Some(socket),
            tcp: Some(tcp),
            holder: Ok(Some(Holder {
                pid: 42,
                uid: Some(0),
                cmdline: b"python3 -c \x1b[2J"[..].into(),
                sockets: vec![(3, 76), (7, 77)],
            })),
        };
        let shown = text(&lines(&details, &mut Names::new(), 140));
        assert!(
            shown.contains("tcp 127.0.0.1:40002 -> 127.0.0.1:5001 ESTABLISHED"),
            "{shown}"
        );
        assert!(shown.contains("cookie 5  inode 77"));
        assert!(shown.contains("sending 1.9 MiB/s"));
        assert!(shown.contains("command line: python3 -c ?[2J"), "{shown}");
        assert!(shown.contains("descriptors holding it: 7 (of 2 socket descriptors)"));
        assert!(
            shown.contains("rtt:0.05/0") && shown.contains("cwnd:10"),
            "{shown}"
        );
        assert!(shown.contains("bytes_acked") && shown.contains("snd_cwnd"));
        assert!(
            !shown.contains("bytes_retrans"),
            "fields the kernel did not send are left out"
        );
    }

    #[test]
    fn a_gone_socket_and_a_process() {
        let socket = InetSocket::new(
            Protocol::Udp,
            "0.0.0.0:53".parse().unwrap(),
            "0.0.0.0:0".parse().unwrap(),
            State::CLOSE,
        );
        let gone = Details {
            subject: Subject::Socket {
                socket,
                owner: None,
                rates: Rates::default(),
            },
            fresh: None,
            tcp: None,
            holder: Ok(None),
        };
        let shown = text(&lines(&gone, &mut Names::new(), 140));
        assert!(
            shown.contains("gone:") && shown.contains("Owner\n  not known"),
            "{shown}"
        );

        let process = crate::live::model::Process {
            owner: Some(Arc::new(Owner::new(9, b"dnsd"))),
            datagram: 1,
            ..Default::default()
        };
        let mut held = socket;
        held.inode = 5;
        let details = Details {
            subject: Subject::Process {
                process,
                sockets: vec![held],
            },
            fresh: None,
            tcp: None,
            holder: Ok(Some(Holder {
                pid: 9,
                uid: None,
                cmdline: b"dnsd --port 53"[..].into(),
                sockets: vec![(4, 5), (6, 8)],
            })),
        };
        let shown = text(&lines(&details, &mut Names::new(), 140));
        assert!(
            shown.contains("Process 9") && shown.contains("1 sockets"),
            "{shown}"
        );
        assert!(
            shown.contains("fd 4      udp 0.0.0.0:53 -> 0.0.0.0:*"),
            "{shown}"
        );
        assert!(
            shown.contains("fd 6      inode 8 (not a watched Internet socket)"),
            "{shown}"
        );
    }
}
