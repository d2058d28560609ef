//! The macOS backend of the seam. The parsers beside it are tested on Linux; the calls that
//! feed them (sysctl, libproc, getifaddrs) are not written yet, so for now everything comes
//! from [`super::super::unsupported`] and the capabilities say so.

pub(crate) use crate::sys::unsupported::*;

use crate::sys::{Capabilities, OwnerKey};

pub(crate) const CAPABILITIES: Capabilities = Capabilities {
    system: "macos",
    inet_sockets: false,
    other_inet_protocols: false,
    unix_sockets: false,
    queues: false,
    owners: OwnerKey::None,
    holders: false,
    tcp_info: false,
    kernel_filter: false,
    events: false,
    namespaces: false,
    routes: (false, false),
    interfaces: false,
    counters: false,
    sockstat: false,
    groups: false,
    sysctl: false,
};
