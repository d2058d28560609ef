//! Reverse host look-ups (address → name) through the system resolver, run concurrently with a
//! deadline and a cache.
//!
//! net-tools resolves each address in turn and waits as long as the resolver does, which with an
//! unreachable DNS server means one timeout per address. Here look-ups run on a small pool of
//! threads; [`Hosts::wait`] returns when every requested name has arrived or the pass's time
//! budget is spent, and an address whose name has not arrived prints numerically. A late answer
//! is kept for the next pass of `-c`.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
#[cfg(unix)]
use std::net::SocketAddr;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Most look-ups in flight at once.
const MAX_THREADS: usize = 32;

/// Time one pass may spend waiting for names, in total: one glibc resolver timeout, so that a
/// resolver that answers within its own timeout gives names as it does to net-tools.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(5);

/// The budget `--name-timeout` asks for: the default without it, no limit (`None`) for `0`.
pub fn budget(name_timeout: Option<Duration>) -> Option<Duration> {
    match name_timeout {
        None => Some(DEFAULT_BUDGET),
        Some(Duration::ZERO) => None,
        Some(seconds) => Some(seconds),
    }
}

type Name = Option<Arc<[u8]>>;

pub struct Hosts {
    shared: Arc<Shared>,
    /// `None`: wait as long as the resolver does, as net-tools.
    budget: Option<Duration>,
    /// What is left of the budget in this pass.
    left: Option<Duration>,
    /// Names settled for this pass: `None` means "print numerically".
    settled: HashMap<IpAddr, Name>,
    /// Addresses requested since the last `wait`, which that `wait` settles.
    asked: Vec<IpAddr>,
}

struct Shared {
    state: Mutex<State>,
    work: Condvar,
    done: Condvar,
}

#[derive(Default)]
struct State {
    queue: VecDeque<IpAddr>,
    /// Every address ever requested: `None` while its look-up runs.
    results: HashMap<IpAddr, Option<Name>>,
    threads: usize,
    idle: usize,
    pending: usize,
    /// The [`Hosts`] is gone: workers end once their look-up returns. JSON and `--all-netns`
    /// make a new one every round of `-c`, so idle workers left waiting would pile up.
    closed: bool,
}

impl Hosts {
    pub fn new(budget: Option<Duration>) -> Hosts {
        Hosts {
            shared: Arc::new(Shared {
                state: Mutex::new(State::default()),
                work: Condvar::new(),
                done: Condvar::new(),
            }),
            budget,
            left: budget,
            settled: HashMap::new(),
            asked: Vec::new(),
        }
    }

    /// Starts a new pass (`-c`): a fresh time budget, and names that arrived late become usable.
    #[cfg_attr(
        target_os = "macos",
        expect(dead_code, reason = "the macOS mode makes one pass")
    )]
    pub fn start_pass(&mut self) {
        self.left = self.budget;
        self.settled.retain(|_, name| name.is_some());
    }

    /// Starts looking up `addr` unless it is known or already under way.
    pub fn request(&mut self, addr: IpAddr) {
        if self.settled.contains_key(&addr) {
            return;
        }
        self.asked.push(addr);
        let mut state = lock(&self.shared.state);
        if state.results.contains_key(&addr) {
            return;
        }
        state.results.insert(addr, None);
        state.queue.push_back(addr);
        state.pending += 1;
        if state.idle == 0 && state.threads < MAX_THREADS {
            let shared = Arc::clone(&self.shared);
            // A worker blocked in the resolver cannot be cancelled; it is simply abandoned
            // when the program exits.
            match std::thread::Builder::new().spawn(move || worker(&shared)) {
                Ok(_) => state.threads += 1,
                // No thread can be had (a process or memory limit) and none runs: the
                // address stays a number rather than stalling the caller in the resolver.
                Err(_) if state.threads == 0 => {
                    state.queue.retain(|&queued| queued != addr);
                    state.results.insert(addr, Some(None));
                    state.pending -= 1;
                }
                Err(_) => self.shared.work.notify_one(),
            }
        } else {
            self.shared.work.notify_one();
        }
    }

    /// Waits until every requested name has arrived or this pass's budget is spent, then
    /// settles the addresses requested since the last wait for the rest of the pass.
    pub fn wait(&mut self) {
        let started = Instant::now();
        let deadline = self.left.and_then(|left| started.checked_add(left));
        let mut state = lock(&self.shared.state);
        while state.pending > 0 {
            let Some(deadline) = deadline else {
                state = match self.shared.done.wait(state) {
                    Ok(guard) => guard,
                    Err(poisoned) => poisoned.into_inner(),
                };
                continue;
            };
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            state = match self.shared.done.wait_timeout(state, deadline - now) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        for addr in self.asked.drain(..) {
            let name = state.results.get(&addr).cloned().flatten().flatten();
            self.settled.insert(addr, name);
        }
        drop(state);
        self.left = self.left.map(|left| left.saturating_sub(started.elapsed()));
    }

    /// The name of `addr` if it was settled with one; `None` prints numerically.
    pub fn name(&self, addr: IpAddr) -> Option<&[u8]> {
        self.settled.get(&addr)?.as_deref()
    }
}

impl Drop for Hosts {
    fn drop(&mut self) {
        lock(&self.shared.state).closed = true;
        self.shared.work.notify_all();
    }
}

fn lock(mutex: &Mutex<State>) -> MutexGuard<'_, State> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn worker(shared: &Shared) {
    let mut state = lock(&shared.state);
    loop {
        if state.closed {
            return;
        }
        let Some(addr) = state.queue.pop_front() else {
            state.idle += 1;
            state = match shared.work.wait(state) {
                Ok(guard) => guard,
                Err(poisoned) => poisoned.into_inner(),
            };
            state.idle -= 1;
            continue;
        };
        drop(state);
        let name = reverse_lookup(addr).map(Arc::from);
        state = lock(&shared.state);
        state.results.insert(addr, Some(name));
        state.pending -= 1;
        shared.done.notify_all();
    }
}

/// One blocking `getnameinfo(NI_NAMEREQD)`: the host's name, or `None` if it has none.
#[cfg(unix)]
fn reverse_lookup(addr: IpAddr) -> Option<Vec<u8>> {
    let sock = raw_sockaddr(SocketAddr::new(addr, 0));
    let mut host = [0 as libc::c_char; 1025];
    // SAFETY: `sock` holds a valid sockaddr of the given length, and `host` is writable for
    // its full length; getnameinfo is thread-safe.
    let rc = unsafe {
        libc::getnameinfo(
            sock.as_ptr(),
            sock.len,
            host.as_mut_ptr(),
            host.len() as libc::socklen_t,
            std::ptr::null_mut(),
            0,
            libc::NI_NAMEREQD,
        )
    };
    if rc != 0 {
        return None;
    }
    // SAFETY: on success getnameinfo wrote a NUL-terminated string into `host`.
    let name = unsafe { std::ffi::CStr::from_ptr(host.as_ptr()) };
    Some(name.to_bytes().to_vec())
}

/// A `sockaddr_in`/`sockaddr_in6` in a storage buffer.
#[cfg(unix)]
struct RawSockaddr {
    storage: libc::sockaddr_storage,
    len: libc::socklen_t,
}

#[cfg(unix)]
impl RawSockaddr {
    fn as_ptr(&self) -> *const libc::sockaddr {
        (&self.storage as *const libc::sockaddr_storage).cast()
    }
}

#[cfg(unix)]
fn raw_sockaddr(addr: SocketAddr) -> RawSockaddr {
    // SAFETY: an all-zero sockaddr_storage is valid, and it is large and aligned enough for
    // both sockaddr_in and sockaddr_in6.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = match addr {
        SocketAddr::V4(v4) => {
            let sin = libc::sockaddr_in {
                #[cfg(target_os = "macos")]
                sin_len: std::mem::size_of::<libc::sockaddr_in>() as u8,
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: v4.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(v4.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: see above.
            unsafe { std::ptr::write((&mut storage as *mut libc::sockaddr_storage).cast(), sin) };
            std::mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(v6) => {
            let sin6 = libc::sockaddr_in6 {
                #[cfg(target_os = "macos")]
                sin6_len: std::mem::size_of::<libc::sockaddr_in6>() as u8,
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: v6.port().to_be(),
                sin6_flowinfo: 0,
                sin6_addr: libc::in6_addr {
                    s6_addr: v6.ip().octets(),
                },
                sin6_scope_id: 0,
            };
            // SAFETY: see above.
            unsafe { std::ptr::write((&mut storage as *mut libc::sockaddr_storage).cast(), sin6) };
            std::mem::size_of::<libc::sockaddr_in6>()
        }
    };
    RawSockaddr {
        storage,
        len: len as libc::socklen_t,
    }
}

/// Winsock's side: `getnameinfo` and `gethostname`, after one `WSAStartup`.
#[cfg(windows)]
mod winsock {
    use std::net::IpAddr;
    use std::sync::OnceLock;

    use windows_sys::Win32::Networking::WinSock::{
        AF_INET, AF_INET6, NI_NAMEREQD, SOCKADDR, SOCKADDR_IN, SOCKADDR_IN6, WSADATA, WSAStartup,
        gethostname, getnameinfo,
    };

    /// Whether Winsock is started (once for the process; never cleaned up, as it lives as
    /// long as the program).
    fn started() -> bool {
        static STARTED: OnceLock<bool> = OnceLock::new();
        *STARTED.get_or_init(|| {
            let mut data = WSADATA::default();
            // SAFETY: `data` is a WSADATA for the call to fill; version 2.2.
            unsafe { WSAStartup(0x0202, &mut data) == 0 }
        })
    }

    /// The text of a NUL-terminated buffer a call filled.
    fn text(buffer: &[u8]) -> Vec<u8> {
        let end = buffer.iter().position(|&b| b == 0).unwrap_or(buffer.len());
        buffer[..end].to_vec()
    }

    /// One blocking `getnameinfo(NI_NAMEREQD)`: the host's name, or `None` if it has none.
    pub(super) fn reverse_lookup(addr: IpAddr) -> Option<Vec<u8>> {
        if !started() {
            return None;
        }
        let mut host = [0u8; 1025];
        let call = |sockaddr: *const SOCKADDR, length: usize, host: &mut [u8; 1025]| {
            // SAFETY: `sockaddr` points at a socket address of `length` bytes that outlives
            // the call, and `host` is writable for its full length.
            unsafe {
                getnameinfo(
                    sockaddr,
                    length as i32,
                    host.as_mut_ptr(),
                    host.len() as u32,
                    std::ptr::null_mut(),
                    0,
                    NI_NAMEREQD as i32,
                )
            }
        };
        let rc = match addr {
            IpAddr::V4(v4) => {
                let mut sin = SOCKADDR_IN {
                    sin_family: AF_INET,
                    ..SOCKADDR_IN::default()
                };
                sin.sin_addr.S_un.S_addr = u32::from_ne_bytes(v4.octets());
                let length = std::mem::size_of::<SOCKADDR_IN>();
                call((&raw const sin).cast(), length, &mut host)
            }
            IpAddr::V6(v6) => {
                let mut sin6 = SOCKADDR_IN6 {
                    sin6_family: AF_INET6,
                    ..SOCKADDR_IN6::default()
                };
                sin6.sin6_addr.u.Byte = v6.octets();
                let length = std::mem::size_of::<SOCKADDR_IN6>();
                call((&raw const sin6).cast(), length, &mut host)
            }
        };
        (rc == 0).then(|| text(&host))
    }

    /// This machine's name (`gethostname`).
    pub(super) fn machine_name() -> Option<Vec<u8>> {
        if !started() {
            return None;
        }
        let mut name = [0u8; 256];
        // SAFETY: `name` is writable for the length given.
        let rc = unsafe { gethostname(name.as_mut_ptr(), name.len() as i32) };
        (rc == 0).then(|| text(&name))
    }
}

#[cfg(windows)]
use winsock::reverse_lookup;

/// This machine's name, as Windows' netstat shows it for listening sockets' foreign side.
#[cfg(windows)]
pub fn machine_name() -> Option<Vec<u8>> {
    winsock::machine_name()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn loopback_resolves_through_etc_hosts() {
        let mut hosts = Hosts::new(Some(Duration::from_secs(5)));
        let hosts_file = std::fs::read_to_string("/etc/hosts").unwrap_or_default();
        if hosts_file
            .lines()
            .any(|l| l.starts_with("127.0.0.1") && l.contains("localhost"))
        {
            hosts.request(IpAddr::V4(Ipv4Addr::LOCALHOST));
            hosts.wait();
            assert_eq!(
                hosts.name(IpAddr::V4(Ipv4Addr::LOCALHOST)),
                Some(&b"localhost"[..])
            );
        }
        hosts.request(IpAddr::V6(Ipv6Addr::LOCALHOST));
        hosts.wait();
        assert!(hosts.settled.contains_key(&IpAddr::V6(Ipv6Addr::LOCALHOST)));
    }

    /// Every round of `--json -c` makes a new `Hosts`: the old one's workers must end.
    #[test]
    fn workers_end_with_their_hosts() {
        let mut hosts = Hosts::new(Some(Duration::from_secs(5)));
        for last in 1..=4 {
            hosts.request(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)));
        }
        hosts.wait();
        let shared = Arc::downgrade(&hosts.shared);
        assert!(lock(&hosts.shared.state).threads > 0);
        drop(hosts);
        let started = Instant::now();
        while shared.upgrade().is_some() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "resolver threads outlive their Hosts"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn an_exhausted_budget_settles_addresses_as_numeric() {
        let mut hosts = Hosts::new(Some(Duration::ZERO));
        let addr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
        hosts.request(addr);
        hosts.wait();
        assert_eq!(hosts.name(addr), None);
        assert!(hosts.settled.contains_key(&addr));
    }

    #[test]
    fn name_timeout_zero_means_no_limit() {
        assert_eq!(budget(None), Some(DEFAULT_BUDGET));
        assert_eq!(budget(Some(Duration::ZERO)), None);
        assert_eq!(
            budget(Some(Duration::from_secs(9))),
            Some(Duration::from_secs(9))
        );
    }
}
