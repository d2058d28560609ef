//! Renderers: records in, text out. One module per output format and table.
