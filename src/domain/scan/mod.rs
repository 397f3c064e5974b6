//! Scanning core: framing scanner bytes into scans, dropping repeats, and knowing what a scan is.
//!
//! Everything here is pure (sans-IO): no port, no file, no thread, no clock. Time is passed in as a `Duration`
//! on the caller's clock (e.g. since the reader started). The serial reader thread owns the port and only moves
//! bytes into a [`Framer`]; the GUI's keyboard-wedge field screens its text with [`screen_text`]; both send the
//! code to the same [`Classifier`].

pub mod classify;
pub mod command;
pub mod dedup;
pub mod framing;
pub mod gs1;
pub mod product_code;
pub mod symbology;
pub mod tracking;

pub use classify::{
    Classification, Classifier, ClassifierConfig, ClassifierError, Kind, MerchantMatch, MerchantPattern, Reading,
};
pub use command::BenchCommand;
pub use dedup::Deduplicator;
pub use framing::{Framer, FramerConfig, FramerEvent, GS, RefusalReason, Scan, Terminator, preview_text, screen_text};
pub use gs1::{Gs1Data, Gs1Element, Gs1Error, parse_gs1};
pub use product_code::{ProductCode, ProductCodeError, ProductFormat, gs1_check_digit};
pub use symbology::{Symbology, SymbologyFamily};
pub use tracking::{CourierData, CourierDataError, TrackingDetail, TrackingNumber};
