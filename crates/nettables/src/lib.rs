//! Typed records of the kernel's network tables, and the collectors that read them.
//!
//! `nettables` turns what the kernel knows about sockets, routes, interfaces, protocol counters and
//! multicast groups into plain Rust values, with no formatting. Socket tables are *streamed*: a
//! collector calls you back once per socket with a borrowed record, so listing 400,000 sockets
//! costs no more memory than listing ten.
//!
//! ```no_run
//! use nettables::inet::{Family, InetQuery, Protocol, StateMask};
//! use nettables::SocketReader;
//!
//! let mut reader = SocketReader::new();
//! let query = InetQuery::new(Protocol::Tcp, Family::Inet).states(StateMask::LISTEN);
//! reader.for_each_inet(&query, |sock| {
//!     println!("{} listens (inode {})", sock.local, sock.inode);
//!     Ok::<(), std::convert::Infallible>(())
//! })?;
//! # Ok::<(), nettables::Error>(())
//! ```
//!
//! What is here:
//! - [`SocketReader`] with [`inet`] and [`unix`]: socket tables (netlink sock_diag, `/proc`);
//!   [`filter`]: `ss`-style filter expressions, also compiled to kernel bytecode;
//!   [`tcp_info`]: TCP internals; [`process`]: which process owns each socket.
//! - [`route`], [`iface`], [`groups`]: routing, interface and multicast tables;
//!   [`if_table`]: the IF-MIB interface table (Windows).
//! - [`counters`] (`/proc/net/snmp` and friends), [`sockstat`], [`sysctl`].
//! - [`netns`]: entering another network namespace.
//! - [`audit`]: checks of what looks unhealthy or unsafe, over one snapshot of all the above;
//!   [`services`]: port names from the services database.
//! - [`Error`]: why a table could not be read; [`ReadError`] also carries a callback's error.
//!
//! Everything above is the same on every system. [`sys`] is the seam under it: one backend per
//! system (Linux, Windows, macOS, and one that says "unsupported" anywhere else), and
//! [`sys::capabilities`], what the running system can do. On Linux, `linux` also offers the
//! `/proc` paths and parsers (of `/proc/net/tcp`, `/proc/net/route`, `/proc/net/dev` ...) for
//! text read elsewhere. [`macos`] has the records of the kernel's own fields of each socket on
//! macOS (PCB handles, listen queues, buffer sizes, traffic) and of Unix-domain sockets'
//! handles, as BSD netstat prints them, and on macOS the functions that read them.

#![warn(missing_docs)]

pub mod audit;
pub mod counters;
pub mod filter;
pub mod groups;
pub mod if_table;
pub mod iface;
pub mod inet;
pub mod netns;
pub mod process;
pub mod route;
pub mod services;
pub mod sockstat;
pub mod sysctl;
pub mod tcp_info;
pub mod unix;
pub mod watch;

mod error;
mod reader;
pub use error::{Error, ReadError, Result};
pub use reader::{SocketReader, Source};

#[cfg(target_os = "linux")]
pub mod linux;
pub mod macos;

/// Entry points for `fuzz/` into the private parsers; not an API.
#[cfg(all(feature = "fuzzing", target_os = "linux"))]
#[doc(hidden)]
pub mod fuzzing;

pub mod sys;
