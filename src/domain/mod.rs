//! The pure core of the station: money, the case vocabulary, policies, the decision engine and the
//! scanning rules. Nothing in here does I/O, spawns threads or reads the clock; `tests/tidy.rs` checks it.

pub mod bin;
pub mod case;
pub mod decision;
pub mod engine;
pub mod inspection;
pub mod lease;
pub mod ledger;
pub mod lockout;
pub mod money;
pub mod policy;
pub mod queue;
pub mod records;
pub mod scan;
pub mod vocabulary;
