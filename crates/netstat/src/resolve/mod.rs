//! Names for numbers: hosts, networks, services, users. Each has its own cache; host look-ups
//! run concurrently under a deadline so that a dead DNS server cannot stall the run.

pub mod hosts;
pub mod networks;
pub mod services;
pub mod users;

/// Every resolver a socket table needs, with their caches, kept for the whole run.
pub struct Names {
    pub hosts: hosts::Hosts,
    pub networks: networks::Networks,
    pub services: services::Services,
    pub users: users::Users,
}

impl Names {
    pub fn new() -> Names {
        Names {
            hosts: hosts::Hosts::new(hosts::DEFAULT_BUDGET),
            networks: networks::Networks::new(),
            services: services::Services::new(),
            users: users::Users::new(),
        }
    }
}
