//! Names for numbers: hosts, networks, services, users. Each has its own cache; host look-ups
//! run concurrently under a deadline so that a dead DNS server cannot stall the run.

pub mod hosts;
pub mod networks;
pub mod services;
pub mod users;
