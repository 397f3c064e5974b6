//! The photo worker: one named thread (`photos`) that ingests photos and makes thumbnails and
//! previews, so the window never decodes or hashes a photo itself.
//!
//! It is a [`Worker`] like every other thread of the station. Requests go in through a bounded queue
//! ([`PhotoSender::submit`] never blocks: a full queue is an error to show, not a stall); each result goes
//! out through an [`Outbox`] on the caller's bounded channel, tagged with the caller's own `T` (an
//! inspection and checkpoint, a thumbnail slot), and then `wake` is called (the GUI passes a repaint
//! request). Dropping the [`PhotoWorker`] stops the thread and joins it: work still queued is dropped
//! unanswered (a photo not ingested has no file and no record; the clerk adds it again), and a result
//! nobody is draining no longer holds the thread. A [`PhotoSender`] kept elsewhere does not keep the
//! thread alive.
//!
//! This module does not touch the database: the caller records each `Ingested` it receives. A picture of a
//! photo the folder lacks is fetched through the `shared` it was given (the storage thread's client).

use std::io;
use std::path::PathBuf;
use std::sync::mpsc::SyncSender;

use image::metadata::Orientation;

use crate::clock::Clock;
use crate::photos::decode::{self, DecodeError, DecodeLimits, PREVIEW_EDGE, RgbaPicture, THUMBNAIL_EDGE};
use crate::photos::exif;
use crate::photos::ingest::{self, IngestError, Ingested};
use crate::photos::originals::{OriginalError, Originals, SharedOriginals};
use crate::photos::store::{PhotoFolder, PhotoHash, PhotoStoreError};
use crate::worker::{self, Leftovers, Outbox, Stop, Submitter, Wake, Worker};

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
    #[error(transparent)]
    Original(#[from] OriginalError),
}

/// Why a request could not be queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    #[error("the photo worker is still busy with earlier photos; try again in a moment")]
    QueueFull,
    #[error("the photo worker has stopped")]
    Stopped,
}

impl From<worker::SubmitError> for SubmitError {
    fn from(error: worker::SubmitError) -> SubmitError {
        match error {
            worker::SubmitError::Full => SubmitError::QueueFull,
            worker::SubmitError::Stopped => SubmitError::Stopped,
        }
    }
}

/// Owns the `photos` thread; dropping it stops and joins the thread.
pub struct PhotoWorker<T> {
    sender: PhotoSender<T>,
    thread: Worker<(T, PhotoWork)>,
}

/// Queues requests for the photo worker; cheap to clone.
pub struct PhotoSender<T> {
    requests: Submitter<(T, PhotoWork)>,
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
        f.debug_struct("PhotoWorker").field("thread", &self.thread).finish()
    }
}

impl<T: Send + 'static> PhotoWorker<T> {
    /// Starts the thread `photos`, storing into `folder` and answering on `results`; `clock` says when each
    /// photo came in. `shared`: where the pictures of photos the folder lacks are fetched from (the store's
    /// shared photos, the folder their cache; see [`crate::photos::originals`]).
    pub fn spawn(
        folder: PhotoFolder,
        shared: Option<Box<dyn SharedOriginals + Send>>,
        limits: DecodeLimits,
        clock: Clock,
        results: SyncSender<PhotoResult<T>>,
        wake: Wake,
    ) -> io::Result<PhotoWorker<T>> {
        let photos = Photos { folder, shared, limits, clock };
        let outbox = Outbox::new(results, wake);
        let thread = Worker::spawn("photos", QUEUE_DEPTH, Leftovers::Abandon, move |(tag, work), stop: &Stop| {
            let outcome = photos.perform(work);
            let _ = outbox.deliver(PhotoResult { tag, outcome }, stop);
        })?;
        Ok(PhotoWorker { sender: PhotoSender { requests: thread.submitter() }, thread })
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
        Ok(self.requests.submit((tag, work))?)
    }
}

/// What the `photos` thread owns: the photo folder (and the way to the originals it has not cached) and the
/// decoding limits.
struct Photos {
    folder: PhotoFolder,
    shared: Option<Box<dyn SharedOriginals + Send>>,
    limits: DecodeLimits,
    clock: Clock,
}

impl Photos {
    fn perform(&self, work: PhotoWork) -> Result<PhotoDone, PhotoError> {
        match work {
            PhotoWork::IngestFile(path) => {
                let ingested = ingest::ingest_file(&self.folder, &path, self.clock.now().at, &self.limits)?;
                Ok(PhotoDone::Ingested(Box::new(ingested)))
            }
            PhotoWork::IngestBytes(bytes) => {
                let ingested = ingest::ingest(&self.folder, &bytes, self.clock.now().at, &self.limits)?;
                Ok(PhotoDone::Ingested(Box::new(ingested)))
            }
            PhotoWork::Thumbnail(hash) => {
                Ok(PhotoDone::Thumbnail { hash, picture: self.picture(&hash, THUMBNAIL_EDGE)? })
            }
            PhotoWork::Preview(hash) => Ok(PhotoDone::Preview { hash, picture: self.picture(&hash, PREVIEW_EDGE)? }),
        }
    }

    fn picture(&self, hash: &PhotoHash, long_edge: u32) -> Result<RgbaPicture, PhotoError> {
        let bytes = match &self.shared {
            Some(shared) => Originals::cached(&self.folder, shared.as_ref()),
            None => Originals::folder(&self.folder),
        }
        .read(hash)?;
        let orientation = exif::read(&bytes).orientation.unwrap_or(Orientation::NoTransforms);
        Ok(decode::render(&bytes, long_edge, orientation, &self.limits)?.picture)
    }
}
