//! The Linux backend: netlink sock_diag for Internet sockets, /proc for everything only /proc has.

pub(crate) mod bytecode;
pub(crate) mod counters;
pub(crate) mod groups;
pub(crate) mod iface;
pub(crate) mod netlink;
pub(crate) mod netns;
pub(crate) mod proc_inet;
pub(crate) mod proc_unix;
pub(crate) mod process;
pub(crate) mod route;
pub(crate) mod sock_diag;
pub(crate) mod sockstat;
pub(crate) mod sysctl;
