//! Renderers: records in, text out. One module per output format and table.

pub mod addr;
pub mod by_process;
#[cfg(unix)]
pub mod events;
pub mod groups;
pub mod iface;
pub mod inet;
pub mod json;
pub mod json_groups;
pub mod json_iface;
pub mod json_route;
pub mod json_stats;
pub mod owner;
pub mod route;
pub mod stats;
pub mod summary;
pub mod tcp_info;
pub mod unix;

#[cfg(test)]
pub(crate) mod tests {
    use nettables::inet::{InetSocket, Protocol, State};

    /// A socket between two `addr:port` texts.
    pub(crate) fn socket(
        protocol: Protocol,
        local: &str,
        remote: &str,
        state: State,
    ) -> InetSocket {
        InetSocket::new(
            protocol,
            local.parse().unwrap(),
            remote.parse().unwrap(),
            state,
        )
    }
}
