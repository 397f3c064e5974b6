//! The photo worker: one named thread (`photos`) that ingests photos and makes thumbnails and
//! previews, so the window never decodes or hashes a photo itself.
//!
//! Requests go in through a bounded queue ([`PhotoSender::submit`] never blocks: a full queue is an
//! error to show, not a stall); each result goes out on the caller's bounded channel, tagged with the
//! caller's own `T` (an inspection and checkpoint, a thumbnail slot), and then `wake` is called (the GUI
//! passes a repaint request). Dropping the [`PhotoWorker`] stops the thread and joins it: work still
//! queued is dropped unanswered (a photo not ingested has no file and no record; the clerk adds it
//! again), and a result nobody is draining no longer holds the thread. A [`PhotoSender`] kept elsewhere
//! does not keep the thread alive.
//!
//! This module does not touch the database: the caller records each `Ingested` it receives.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;

use chrono::Utc;
use image::metadata::Orientation;

use crate::photos::decode::{self, DecodeError, DecodeLimits, PREVIEW_EDGE, RgbaPicture, THUMBNAIL_EDGE};
use crate::photos::deliver;
use crate::photos::exif;
use crate::photos::ingest::{self, IngestError, Ingested};
use crate::photos::store::{PhotoFolder, PhotoHash, PhotoStoreError};

/// How many requests may wait for the worker. A full queue is reported, never grown.
pub const QUEUE_DEPTH: usize = 64;

/// What the worker is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoWork {
    /// Read a photo file (a file picker, a drop, the hot folder) and ingest it.
    IngestFile(PathBuf),
    /// Ingest a photo already in memory (a webcam frame, a paste).
    IngestBytes(Vec<u8>),
    /// A [`THUMBNAIL_EDGE`] picture of a stored photo.
    Thumbnail(PhotoHash),
    /// A [`PREVIEW_EDGE`] picture of a stored photo, for the full view with zoom.
    Preview(PhotoHash),
}

/// The answer to one request, with the caller's tag.
#[derive(Debug)]
pub struct PhotoResult<T> {
    pub tag: T,
    pub outcome: Result<PhotoDone, PhotoError>,
}

/// What a request produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoDone {
    Ingested(Box<Ingested>),
    Thumbnail { hash: PhotoHash, picture: RgbaPicture },
    Preview { hash: PhotoHash, picture: RgbaPicture },
}

/// Why a request failed; the message is for the operator.
#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error(transparent)]
    Store(#[from] PhotoStoreError),
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

/// Why a request could not be queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    #[error("the photo worker is still busy with earlier photos; try again in a moment")]
    QueueFull,
    #[error("the photo worker has stopped")]
    Stopped,
}

enum Message<T> {
    Work(T, PhotoWork),
    Stop,
}

/// Owns the `photos` thread; dropping it stops and joins the thread.
pub struct PhotoWorker<T> {
    sender: PhotoSender<T>,
    closing: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// Queues requests for the photo worker; cheap to clone.
pub struct PhotoSender<T> {
    requests: SyncSender<Message<T>>,
}

impl<T> Clone for PhotoSender<T> {
    fn clone(&self) -> Self {
        PhotoSender { requests: self.requests.clone() }
    }
}

impl<T> std::fmt::Debug for PhotoSender<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PhotoSender")
    }
}

impl<T> std::fmt::Debug for PhotoWorker<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhotoWorker").field("running", &self.thread.is_some()).finish()
    }
}

impl<T: Send + 'static> PhotoWorker<T> {
    /// Starts the thread `photos`, storing into `folder` and answering on `results`.
    pub fn spawn(
        folder: PhotoFolder,
        limits: DecodeLimits,
        results: SyncSender<PhotoResult<T>>,
        wake: Arc<dyn Fn() + Send + Sync>,
    ) -> io::Result<PhotoWorker<T>> {
        let (requests, inbox) = sync_channel(QUEUE_DEPTH);
        let closing = Arc::new(AtomicBool::new(false));
        let worker = Worker { folder, limits, results, wake, closing: Arc::clone(&closing) };
        let thread = std::thread::Builder::new().name("photos".to_owned()).spawn(move || worker.run(inbox))?;
        Ok(PhotoWorker { sender: PhotoSender { requests }, closing, thread: Some(thread) })
    }

    pub fn sender(&self) -> PhotoSender<T> {
        self.sender.clone()
    }

    /// Queues a request without waiting.
    pub fn submit(&self, tag: T, work: PhotoWork) -> Result<(), SubmitError> {
        self.sender.submit(tag, work)
    }
}

impl<T> PhotoSender<T> {
    /// Queues a request without waiting.
    pub fn submit(&self, tag: T, work: PhotoWork) -> Result<(), SubmitError> {
        self.requests.try_send(Message::Work(tag, work)).map_err(|e| match e {
            TrySendError::Full(_) => SubmitError::QueueFull,
            TrySendError::Disconnected(_) => SubmitError::Stopped,
        })
    }
}

impl<T> Drop for PhotoWorker<T> {
    fn drop(&mut self) {
        self.closing.store(true, Ordering::SeqCst);
        // If the queue is full the worker is not waiting for a message: it sees `closing` before its
        // next request. If the queue has room, the stop wakes a worker that is waiting.
        let _ = self.sender.requests.try_send(Message::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Worker<T> {
    folder: PhotoFolder,
    limits: DecodeLimits,
    results: SyncSender<PhotoResult<T>>,
    wake: Arc<dyn Fn() + Send + Sync>,
    closing: Arc<AtomicBool>,
}

impl<T> Worker<T> {
    fn run(self, inbox: Receiver<Message<T>>) {
        for message in inbox {
            if self.closing.load(Ordering::SeqCst) {
                break;
            }
            let Message::Work(tag, work) = message else { break };
            let outcome = self.perform(work);
            if !deliver(&self.results, PhotoResult { tag, outcome }, &self.closing, self.wake.as_ref()) {
                break;
            }
        }
    }

    #[expect(
        clippy::disallowed_methods,
        reason = "when a photo came in, as metadata only; to be handed the app's clock with the worker type"
    )]
    fn perform(&self, work: PhotoWork) -> Result<PhotoDone, PhotoError> {
        match work {
            PhotoWork::IngestFile(path) => {
                let ingested = ingest::ingest_file(&self.folder, &path, Utc::now(), &self.limits)?;
                Ok(PhotoDone::Ingested(Box::new(ingested)))
            }
            PhotoWork::IngestBytes(bytes) => {
                let ingested = ingest::ingest(&self.folder, &bytes, Utc::now(), &self.limits)?;
                Ok(PhotoDone::Ingested(Box::new(ingested)))
            }
            PhotoWork::Thumbnail(hash) => {
                Ok(PhotoDone::Thumbnail { hash, picture: self.picture(&hash, THUMBNAIL_EDGE)? })
            }
            PhotoWork::Preview(hash) => Ok(PhotoDone::Preview { hash, picture: self.picture(&hash, PREVIEW_EDGE)? }),
        }
    }

    fn picture(&self, hash: &PhotoHash, long_edge: u32) -> Result<RgbaPicture, PhotoError> {
        let bytes = self.folder.read(hash)?;
        let orientation = exif::read(&bytes).orientation.unwrap_or(Orientation::NoTransforms);
        Ok(decode::render(&bytes, long_edge, orientation, &self.limits)?.picture)
    }
}
