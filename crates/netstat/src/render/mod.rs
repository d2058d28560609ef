//! Renderers: records in, text out. One module per output format and table.

pub mod addr;
pub mod inet;
pub mod owner;
pub mod unix;
