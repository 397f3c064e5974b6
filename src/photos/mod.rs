//! Photo evidence (issue 5), everything but the database records and the screens: the content-addressed
//! photo folder, EXIF metadata, decoding with limits and orientation, the whole ingest of one photo,
//! the `photos` worker thread, the hot folder, folder listings for the photo picker, and webcams.
//!
//! The pieces are layered: `store`, `exif` and `decode` know nothing of each other; `ingest` combines
//! them for one photo and is pure of the database and the clock; `worker` and `hot_folder` own threads
//! and only move requests and results; `listing` and `webcam` are errands that small named threads
//! (`errand`) run so the window never reads a folder or a device itself. This module does not record
//! photos in the database or draw them: the caller records what `ingest` returns and shows the pictures
//! it is sent.

pub mod decode;
pub mod errand;
pub mod exif;
pub mod hot_folder;
pub mod ingest;
pub mod listing;
pub mod store;
pub mod webcam;
pub mod worker;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError};
use std::time::Duration;

/// How long a thread waits before offering a result again to a full channel.
const RETRY_FULL_CHANNEL: Duration = Duration::from_millis(5);

/// Sends `value` on a bounded channel, waiting while it is full, then calls `wake`.
///
/// Waiting is done by retrying rather than by a blocking `send`, so that a thread whose results
/// nobody drains any more (the window is closing) notices `closing` and gives up instead of blocking
/// its owner's join. Returns whether the value was delivered.
pub(crate) fn deliver<V>(to: &SyncSender<V>, value: V, closing: &AtomicBool, wake: &dyn Fn()) -> bool {
    let mut value = value;
    loop {
        match to.try_send(value) {
            Ok(()) => {
                wake();
                return true;
            }
            Err(TrySendError::Disconnected(_)) => return false,
            Err(TrySendError::Full(back)) => {
                if closing.load(Ordering::SeqCst) {
                    return false;
                }
                value = back;
                std::thread::sleep(RETRY_FULL_CHANNEL);
            }
        }
    }
}
