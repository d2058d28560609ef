//! The BSD netstat of macOS: its command line and its output formats, byte for byte as
//! `network_cmds-728.60.2` (macOS 26.2) writes them (`/work/shared/spec/netstat-macos.md`).
//!
//! That release is the target because it is the last one before the 730 rewrite, which prints
//! the socket table's titles 45 columns wide while its rows stay 22 wide (spec §2.2: a
//! regression, no capture confirms it). Formats the captures of older releases show and 728
//! still writes (the socket rows of 10.14, `-ib` of 26.5) are the tests' references.
//!
//! Pure: the renderers take records already collected and names already resolved, the grammar
//! takes the words of the command line. Compiled on macOS and for tests, so Linux checks
//! them; the macOS mode, `run`, puts them to work on macOS, and writes the socket listing as
//! JSON records with `--json`/`--json-lines` (the renderer Linux's netstat uses).
//!
//! - [`cli`]: `-a -A -b -f FAMILY -i -I IF -l -L -n -p PROTO -r -s -v -W -w WAIT`, a
//!   trailing interval, and our long options (`--help`, `--version`, and
//!   [`crate::extensions`]' `--json`, `--json-lines`, `--filter EXPR`);
//! - [`sockets`]: the `Active Internet connections` table, `-A`, `-b`, `-L`, `-v`, `-W`, `-l`;
//! - [`unix`]: the `Active LOCAL (UNIX) domain sockets` section;
//! - [`route`]: the `-r` routing tables;
//! - [`iface`]: the `-i` interface table, `-b`;
//! - [`stats`]: the `-s` per-protocol sentences;
//! - [`support`]: what the mode refuses up front (our long options with anything but the
//!   socket listing too), and what a command line keeps.

pub mod cli;
pub mod iface;
pub mod route;
#[cfg(target_os = "macos")]
pub mod run;
pub mod sockets;
pub mod stats;
pub mod support;
pub mod unix;
