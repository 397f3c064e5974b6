//! Photo evidence (issue 5), everything but the database records and the screens: the content-addressed
//! photo folder, EXIF metadata, decoding with limits and orientation, the whole ingest of one photo,
//! the `photos` worker thread, the hot folder, folder listings for the photo picker, and webcams.
//!
//! The pieces are layered: `store`, `exif` and `decode` know nothing of each other; `originals` is the one way
//! a photo is read by its hash (the folder, or the store's shared photos behind it as a cache); `ingest` combines
//! them for one photo and is pure of the database and the clock; `worker` and `hot_folder` own threads (each a
//! [`crate::worker::Worker`]) and only move requests and results; `listing` and `webcam` are errands that
//! small named threads ([`crate::worker::errand`]) run so the window never reads a folder or a device itself. This module does not record
//! photos in the database or draw them: the caller records what `ingest` returns and shows the pictures
//! it is sent.

pub mod decode;
pub mod exif;
pub mod hot_folder;
pub mod ingest;
pub mod listing;
pub mod originals;
pub mod store;
pub mod webcam;
pub mod worker;
