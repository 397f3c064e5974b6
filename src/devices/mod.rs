//! The station's hardware edges: each device is owned by one named thread that only moves bytes, and
//! talks to the rest of the station through bounded channels. The rules (framing, classification) are
//! in the pure core (`crate::domain::scan`). Serial ports are opened here only: [`serial::open`] is how the
//! label printer and the command line open theirs.

pub mod scanner;
pub mod serial;
