//! Names for numbers: hosts, networks, services, users. Each has its own cache; host look-ups
//! run concurrently under a deadline so that a dead DNS server cannot stall the run.
//!
//! Every resolver works in two steps: `request` what will be shown (host look-ups start in
//! the background, the others are answered at once), then read the answers with `name`,
//! which only borrows, so a row can hold all its names at once.
//!
//! The macOS mode uses the host look-ups only (its services come from nettables directly).

pub mod hosts;
#[cfg(all(unix, not(target_os = "macos")))]
pub mod networks;
#[cfg(all(unix, not(target_os = "macos")))]
pub use nettables::services;
#[cfg(all(unix, not(target_os = "macos")))]
pub mod sockets;
#[cfg(all(unix, not(target_os = "macos")))]
pub mod users;

/// Every resolver a socket table needs, with their caches, kept for the whole run.
#[cfg(all(unix, not(target_os = "macos")))]
pub struct Resolvers {
    pub hosts: hosts::Hosts,
    pub networks: networks::Networks,
    pub services: services::Services,
    pub users: users::Users,
}

#[cfg(all(unix, not(target_os = "macos")))]
impl Resolvers {
    /// `name_timeout`: `--name-timeout`, see [`hosts::budget`].
    pub fn new(name_timeout: Option<std::time::Duration>) -> Resolvers {
        Resolvers {
            hosts: hosts::Hosts::new(hosts::budget(name_timeout)),
            networks: networks::Networks::new(),
            services: services::Services::new(),
            users: users::Users::new(),
        }
    }
}
