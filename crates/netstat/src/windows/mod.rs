//! Windows netstat's language: its command line and its output formats, byte for byte as
//! Windows 10/11 write them (`/work/shared/spec/netstat-windows.md`). Every line ends in CRLF.
//!
//! Pure: the renderers take records already collected and resolved, the grammar takes the
//! words of the command line. Compiled on Windows and for tests, so Linux checks them; the
//! Windows mode, [`run`], puts them to work on Windows.
//!
//! - [`cli`]: `-a -b -e -f -n -o -p PROTO -q -r -s -t -x -y`, a trailing interval, and our
//!   long options;
//! - [`connections`]: the `Active Connections` table, with `-o` PIDs, `-b` owners and `-t`
//!   offload states, and which rows `-a`/`-q`/`-p` select, in Windows' order;
//! - [`names`]: which name the foreign column shows without `-n`;
//! - [`ethernet`]: the `-e` interface statistics;
//! - [`stats`]: the `-s` per-protocol sections;
//! - [`route`]: the `-r` tables (the layout of `route print`);
//! - [`records`]: the library's records as those renderers take them.

pub mod cli;
pub mod connections;
pub mod ethernet;
pub mod names;
pub mod records;
pub mod route;
#[cfg(windows)]
pub mod run;
pub mod stats;

#[cfg(test)]
mod jc;

/// The end of every line.
pub const CRLF: &[u8] = b"\r\n";
