//! Renderers: records in, text out. One module per output format and table.

pub mod addr;
pub mod iface;
pub mod inet;
pub mod owner;
pub mod stats;
pub mod unix;
