//! RMA Station: the returns bench of a warehouse. See ARCHITECTURE.md for the map.

pub mod anchor;
pub mod auth;
pub mod bench;
pub mod cli;
pub mod clock;
pub mod demo;
pub mod devices;
pub mod domain;
pub mod drill;
pub mod durable;
pub mod evidence;
pub mod exports;
pub mod formats;
pub mod gui;
pub mod hex;
pub mod labels;
pub mod log;
pub mod output;
pub mod photos;
pub mod policies;
pub mod records;
pub mod storage;
pub mod worker;
