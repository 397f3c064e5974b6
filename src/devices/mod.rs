//! The station's hardware edges: each device is owned by one named thread that only moves bytes, and
//! talks to the rest of the station through bounded channels. The rules (framing, classification) are
//! in the pure core (`crate::domain::scan`).

pub mod scanner;
