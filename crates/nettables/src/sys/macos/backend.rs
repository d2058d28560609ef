//! The macOS backend of the seam. The parsers beside it are tested on Linux; the calls that
//! feed them (sysctl, libproc, getifaddrs) are not written yet, so for now everything comes
//! from [`super::super::unsupported`] and the capabilities say so.

pub(crate) use crate::sys::unsupported::*;

use crate::sys::Capabilities;

pub(crate) const CAPABILITIES: Capabilities = Capabilities {
    system: "macos",
    ..crate::sys::unsupported::CAPABILITIES
};
