//! The station's hardware edges: each device is owned by one named thread that only moves bytes, and
//! talks to the rest of the station through bounded channels. The rules (framing, classification) are
//! in the pure core (`crate::domain::scan`). Serial ports are opened here only: [`serial::open`] is how the
//! label printer and the command line open theirs; [`ports`] lists the ports and finds a USB scanner again
//! by its identity when the system gives it another name.

pub mod ports;
pub mod scanner;
pub mod serial;
