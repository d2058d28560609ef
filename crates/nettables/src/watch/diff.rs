//! Building a snapshot against the previous one: identities carried over, changes and rates.

use std::time::{Duration, Instant};

use super::snapshot::{Change, Observed, Rates, Snapshot, SocketKey, TcpCounters};
use crate::inet::{InetSocket, Protocol};

/// What a diff fills besides the snapshot, kept from one sample to the next so that its
/// memory is reused.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    /// The changes found.
    pub(crate) changes: Vec<Change>,
    /// `seen[i]`: whether the previous snapshot's socket `i` is still there.
    seen: Vec<bool>,
}

/// Fills `next` one socket at a time, comparing each with `previous`.
pub(crate) struct Diff<'a> {
    /// `None` for the first snapshot.
    previous: Option<&'a Snapshot>,
    next: &'a mut Snapshot,
    changes: &'a mut Vec<Change>,
    seen: &'a mut Vec<bool>,
    /// Time since the previous snapshot; `None` for the first snapshot, which reports no
    /// changes (its sockets were there before anyone looked).
    elapsed: Option<Duration>,
    /// Where the previous snapshot's next socket probably is: the kernel lists sockets in
    /// the same order from one dump to the next, so most look-ups need no hashing.
    hint: usize,
}

impl<'a> Diff<'a> {
    /// Starts `next` (emptied) as the snapshot taken at `now`, after `previous` (`None`:
    /// this is the first snapshot, there is nothing to compare with).
    pub(crate) fn new(
        previous: Option<&'a Snapshot>,
        next: &'a mut Snapshot,
        scratch: &'a mut Scratch,
        now: Instant,
    ) -> Diff<'a> {
        let Scratch { changes, seen } = scratch;
        next.clear();
        next.taken = now;
        next.wall = std::time::SystemTime::now();
        changes.clear();
        seen.clear();
        seen.resize(previous.map_or(0, |p| p.sockets.len()), false);
        let elapsed = previous.map(|p| now.saturating_duration_since(p.taken));
        Diff {
            previous,
            next,
            changes,
            seen,
            elapsed,
            hint: 0,
        }
    }

    /// Adds one listed socket. Returns its index in the new snapshot, or `None` when the
    /// snapshot already had it (a dump can meet a socket twice).
    pub(crate) fn add(
        &mut self,
        socket: &InetSocket,
        counters: Option<TcpCounters>,
    ) -> Option<u32> {
        let key = SocketKey::of(socket);
        let index = u32::try_from(self.next.sockets.len()).ok()?;
        let before = self.previous.and_then(|previous| {
            let i = match previous.sockets.get(self.hint) {
                Some(old) if old.key == key => self.hint as u32,
                _ => *previous.index.get(&key)?,
            };
            self.hint = i as usize + 1;
            Some((i, &previous.sockets[i as usize]))
        });
        let mut observed = Observed {
            key,
            socket: *socket,
            counters,
            rates: Rates::default(),
            owner: None,
            first_seen: self.next.taken,
        };
        match before {
            Some((i, old)) => {
                observed.first_seen = old.first_seen;
                if let (Some(elapsed), Some(now)) = (self.elapsed, &counters) {
                    observed.rates = rates(old.counters.as_ref(), now, elapsed);
                }
                if !self.next.push(observed) {
                    return None;
                }
                self.seen[i as usize] = true;
                if old.socket.state != socket.state && socket.protocol == Protocol::Tcp {
                    self.changes.push(Change::State {
                        index,
                        from: old.socket.state,
                    });
                }
            }
            None => {
                if let (Some(elapsed), Some(now)) = (self.elapsed, &counters) {
                    observed.rates = rates(None, now, elapsed);
                }
                if !self.next.push(observed) {
                    return None;
                }
                if self.elapsed.is_some() {
                    self.changes.push(Change::Opened { index });
                }
            }
        }
        Some(index)
    }

    /// The snapshot being built, for filling in owners.
    pub(crate) fn next(&mut self) -> &mut Snapshot {
        self.next
    }

    /// Reports every socket of the previous snapshot that was not met again as closed.
    pub(crate) fn finish(self, took: Duration) {
        for (i, seen) in self.seen.iter().enumerate() {
            if !seen && let Ok(index) = u32::try_from(i) {
                self.changes.push(Change::Closed { index });
            }
        }
        self.next.took = took;
    }
}

/// Rates from two readings of the counters `elapsed` apart. A counter that went down was
/// reset (in practice: a `/proc`-keyed socket replaced by another); its rate counts from zero.
fn rates(before: Option<&TcpCounters>, now: &TcpCounters, elapsed: Duration) -> Rates {
    let seconds = elapsed.as_secs_f64();
    if seconds <= 0.0 {
        return Rates::default();
    }
    let delta = |old: Option<u64>, new: u64| match old {
        Some(old) if old <= new => new - old,
        _ => new,
    };
    Rates {
        rx: delta(before.map(|c| c.bytes_received), now.bytes_received) as f64 / seconds,
        tx: delta(before.map(|c| c.bytes_acked), now.bytes_acked) as f64 / seconds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inet::State;

    fn tcp(local: &str, remote: &str, state: State, cookie: u64) -> InetSocket {
        InetSocket {
            cookie,
            inode: cookie,
            ..InetSocket::new(
                Protocol::Tcp,
                local.parse().unwrap(),
                remote.parse().unwrap(),
                state,
            )
        }
    }

    fn bytes(acked: u64, received: u64) -> Option<TcpCounters> {
        Some(TcpCounters {
            bytes_acked: acked,
            bytes_received: received,
            ..TcpCounters::default()
        })
    }

    /// Takes a snapshot of `sockets` at `at` after `previous`; returns it with its changes.
    fn take(
        previous: Option<&Snapshot>,
        at: Instant,
        sockets: &[(InetSocket, Option<TcpCounters>)],
    ) -> (Snapshot, Vec<Change>) {
        let (mut next, mut scratch) = (Snapshot::default(), Scratch::default());
        let mut diff = Diff::new(previous, &mut next, &mut scratch, at);
        for (socket, counters) in sockets {
            diff.add(socket, *counters);
        }
        diff.finish(Duration::ZERO);
        (next, scratch.changes)
    }

    const A: &str = "10.0.0.1:40000";
    const B: &str = "10.0.0.2:443";

    #[test]
    fn the_first_snapshot_reports_nothing_and_later_ones_report_opens_and_closes() {
        let t0 = Instant::now();
        let one = tcp(A, B, State::ESTABLISHED, 1);
        let two = tcp("10.0.0.1:40001", B, State::ESTABLISHED, 2);
        let (first, changes) = take(None, t0, &[(one, bytes(0, 0))]);
        assert!(changes.is_empty());
        assert_eq!(first.sockets()[0].rates, Rates::default());

        let t1 = t0 + Duration::from_secs(1);
        let (second, changes) = take(Some(&first), t1, &[(two, bytes(0, 0))]);
        assert_eq!(
            changes,
            vec![Change::Opened { index: 0 }, Change::Closed { index: 0 }]
        );
        assert_eq!(second.sockets()[0].first_seen, t1);
    }

    #[test]
    fn rates_come_from_counter_deltas_over_the_interval() {
        let t0 = Instant::now();
        let sock = tcp(A, B, State::ESTABLISHED, 7);
        let (first, _) = take(None, t0, &[(sock, bytes(1000, 500))]);
        let t1 = t0 + Duration::from_millis(500);
        let (second, changes) = take(Some(&first), t1, &[(sock, bytes(6000, 1500))]);
        assert!(changes.is_empty());
        let observed = second.get(SocketKey(7)).unwrap();
        assert_eq!(
            observed.rates,
            Rates {
                rx: 2000.0,
                tx: 10_000.0
            }
        );
        assert_eq!(observed.first_seen, t0, "identity carried over");
    }

    #[test]
    fn a_reset_counter_counts_from_zero() {
        let t0 = Instant::now();
        let sock = tcp(A, B, State::ESTABLISHED, 7);
        let (first, _) = take(None, t0, &[(sock, bytes(10_000, 10_000))]);
        let t1 = t0 + Duration::from_secs(2);
        let (second, _) = take(Some(&first), t1, &[(sock, bytes(300, 100))]);
        assert_eq!(
            second.sockets()[0].rates,
            Rates {
                rx: 50.0,
                tx: 150.0
            }
        );
    }

    #[test]
    fn a_new_socket_on_the_same_four_tuple_is_a_close_and_an_open() {
        let t0 = Instant::now();
        let old = tcp(A, B, State::ESTABLISHED, 100);
        let reused = tcp(A, B, State::ESTABLISHED, 101);
        let (first, _) = take(None, t0, &[(old, bytes(9000, 9000))]);
        let t1 = t0 + Duration::from_secs(1);
        let (second, changes) = take(Some(&first), t1, &[(reused, bytes(100, 0))]);
        assert_eq!(
            changes,
            vec![Change::Opened { index: 0 }, Change::Closed { index: 0 }]
        );
        let new = &second.sockets()[0];
        assert_eq!(new.first_seen, t1);
        assert_eq!(
            new.rates,
            Rates { rx: 0.0, tx: 100.0 },
            "the old socket's counters are not subtracted"
        );
    }

    #[test]
    fn state_changes_keep_the_identity() {
        let t0 = Instant::now();
        let est = tcp(A, B, State::ESTABLISHED, 5);
        let tw = tcp(A, B, State::TIME_WAIT, 5);
        let (first, _) = take(None, t0, &[(est, bytes(1, 1))]);
        let (second, changes) = take(Some(&first), t0 + Duration::from_secs(1), &[(tw, None)]);
        assert_eq!(
            changes,
            vec![Change::State {
                index: 0,
                from: State::ESTABLISHED
            }]
        );
        assert_eq!(second.sockets()[0].rates, Rates::default());
    }

    #[test]
    fn identities_hold_in_any_listing_order() {
        let t0 = Instant::now();
        let sock = |port: u16, cookie| {
            (
                tcp(&format!("10.0.0.1:{port}"), B, State::ESTABLISHED, cookie),
                bytes(u64::from(port), 0),
            )
        };
        let (a, b, c) = (sock(1, 11), sock(2, 12), sock(3, 13));
        let (first, _) = take(None, t0, &[a, b, c]);
        let t1 = t0 + Duration::from_secs(1);
        let (same, changes) = take(Some(&first), t1, &[a, b, c]);
        assert!(changes.is_empty());
        let (moved, changes) = take(Some(&same), t1 + Duration::from_secs(1), &[c, a, b]);
        assert!(changes.is_empty(), "{changes:?}");
        assert_eq!(moved.get(SocketKey(12)).unwrap().first_seen, t0);
        let (fewer, changes) = take(Some(&moved), t1 + Duration::from_secs(2), &[a, c]);
        assert_eq!(changes, vec![Change::Closed { index: 2 }]);
        assert_eq!(fewer.sockets().len(), 2);
    }

    #[test]
    fn a_socket_met_twice_in_one_dump_is_kept_once() {
        let t0 = Instant::now();
        let sock = tcp(A, B, State::ESTABLISHED, 9);
        let (snapshot, _) = take(None, t0, &[(sock, bytes(1, 1)), (sock, bytes(2, 2))]);
        assert_eq!(snapshot.sockets().len(), 1);
    }

    #[test]
    fn proc_rows_without_cookies_are_keyed_by_their_tuple_and_inode() {
        let mut a = tcp(A, B, State::ESTABLISHED, 0);
        a.inode = 1;
        let mut b = a;
        b.inode = 2;
        assert_ne!(SocketKey::of(&a), SocketKey::of(&b));
        assert_eq!(SocketKey::of(&a), SocketKey::of(&a.clone()));
        assert!(SocketKey::of(&a).0 >= 1 << 63);
        assert_eq!(SocketKey::of(&tcp(A, B, State::LISTEN, 42)), SocketKey(42));
    }
}
