//! The label worker: one named thread (`labels`) that draws label previews, writes label files and sends
//! print jobs to the label printer, so the window never rasterizes, writes a file or waits on a printer.
//!
//! It is a [`Worker`] like every other thread of the station. Requests go in through a bounded queue
//! ([`LabelWorker::submit`] never blocks: a full queue is an error to show); each answer goes out through
//! an [`Outbox`] on the caller's bounded channel with the caller's tag, then `wake` is called. Dropping the
//! worker stops the thread after the request in hand and joins it; requests still queued are dropped
//! unanswered.

use std::io;
use std::path::PathBuf;
use std::sync::mpsc::SyncSender;

use crate::labels::png::{LabelPicture, preview};
use crate::labels::printer::{PrinterTarget, send};
use crate::labels::{BinLabel, LabelError, LabelFormat, file_in, write, zpl};
use crate::worker::{Leftovers, Outbox, Stop, Wake, Worker};

/// How many requests may wait. A clerk presses a button at a time; a full queue means a stuck printer.
pub const QUEUE_DEPTH: usize = 16;

/// What the worker is asked to do with a package's labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelWork {
    /// Draw each label for the screen, at half size.
    Preview(Vec<BinLabel>),
    /// Send the labels as one ZPL job to the printer.
    Print { labels: Vec<BinLabel>, printer: PrinterTarget },
    /// Write the labels in `format` into `folder` (created if missing), named by the package.
    Save { labels: Vec<BinLabel>, format: LabelFormat, folder: PathBuf },
}

/// What a request produced.
#[derive(Debug)]
pub enum LabelDone {
    Previews(Vec<LabelPicture>),
    /// Printed: how many labels, and where.
    Printed {
        labels: usize,
        printer: String,
    },
    Saved(Vec<PathBuf>),
}

/// The answer to one request, with the caller's tag.
#[derive(Debug)]
pub struct LabelResult<T> {
    pub tag: T,
    pub outcome: Result<LabelDone, LabelError>,
}

/// Why a request could not be queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    #[error("the label printer is still busy with earlier labels; try again in a moment")]
    QueueFull,
    #[error("the label worker has stopped")]
    Stopped,
}

/// Owns the `labels` thread; dropping it stops and joins the thread.
pub struct LabelWorker<T> {
    thread: Worker<(T, LabelWork)>,
}

impl<T> std::fmt::Debug for LabelWorker<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LabelWorker").field("thread", &self.thread).finish()
    }
}

impl<T: Send + 'static> LabelWorker<T> {
    /// Starts the thread `labels`, answering on `results`.
    pub fn spawn(results: SyncSender<LabelResult<T>>, wake: Wake) -> io::Result<LabelWorker<T>> {
        let outbox = Outbox::new(results, wake);
        let thread = Worker::spawn("labels", QUEUE_DEPTH, Leftovers::Abandon, move |(tag, work), stop: &Stop| {
            let _ = outbox.deliver(LabelResult { tag, outcome: perform(work) }, stop);
        })?;
        Ok(LabelWorker { thread })
    }

    /// Queues a request without waiting.
    pub fn submit(&self, tag: T, work: LabelWork) -> Result<(), SubmitError> {
        self.thread.submit((tag, work)).map_err(|e| match e {
            crate::worker::SubmitError::Full => SubmitError::QueueFull,
            crate::worker::SubmitError::Stopped => SubmitError::Stopped,
        })
    }
}

fn perform(work: LabelWork) -> Result<LabelDone, LabelError> {
    match work {
        LabelWork::Preview(labels) => Ok(LabelDone::Previews(labels.iter().map(preview).collect::<Result<_, _>>()?)),
        LabelWork::Print { labels, printer } => {
            send(&printer, zpl::zpl(&labels)?.as_bytes())?;
            Ok(LabelDone::Printed { labels: labels.len(), printer: printer.to_string() })
        }
        LabelWork::Save { labels, format, folder } => {
            std::fs::create_dir_all(&folder)
                .map_err(|e| LabelError::Folder { path: folder.clone(), reason: e.to_string() })?;
            Ok(LabelDone::Saved(write(&labels, format, &file_in(&folder, &labels, format))?))
        }
    }
}
