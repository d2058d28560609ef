//! The `--filter` expression parser (ss syntax), then its compilation to inet_diag bytecode.
#![no_main]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use libfuzzer_sys::fuzz_target;
use nettables::filter::{Filter, Resolver};

/// Names that resolve without the system's databases, so runs are fast and repeatable but the
/// parser's name paths (services, hosts with several addresses, interfaces) are taken.
struct FixedNames;

impl Resolver for FixedNames {
    fn service(&self, name: &str) -> Vec<u16> {
        match name {
            "http" => vec![80],
            "domain" => vec![53, 53],
            _ => Vec::new(),
        }
    }
    fn host(&self, name: &str) -> Vec<IpAddr> {
        match name {
            "localhost" => vec![Ipv4Addr::LOCALHOST.into(), Ipv6Addr::LOCALHOST.into()],
            _ => Vec::new(),
        }
    }
    fn interface(&self, name: &str) -> Option<u32> {
        (name == "lo").then_some(1)
    }
}

fuzz_target!(|text: &str| {
    if let Ok(filter) = Filter::parse_with(text, &FixedNames) {
        nettables::fuzzing::filter_bytecode(&filter);
    }
});
