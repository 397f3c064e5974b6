//! [`ErrandThread`]: a named thread that runs one small errand at a time for the window — list a folder
//! for the photo picker, find or read a webcam — so that the UI thread never touches the file system or
//! a device itself.
//!
//! It is a [`Worker`] like every other thread of the station. Requests go in through a bounded queue
//! ([`ErrandThread::submit`] never blocks: a full queue is an error to show, not a stall); each answer goes
//! out through an [`Outbox`] on the caller's bounded channel, then `wake` is called (the GUI passes a
//! repaint request). Dropping the [`ErrandThread`] stops and joins the thread: requests still queued are
//! dropped unanswered, an errand already running finishes first, and an answer nobody drains does not
//! hold the thread. This module knows nothing of what the errands are.

use std::io;
use std::sync::mpsc::SyncSender;

use crate::worker::{self, Leftovers, Outbox, Stop, Wake, Worker};

/// Why a request could not be queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ErrandError {
    #[error("the {0} thread is still busy with earlier requests; try again in a moment")]
    Busy(&'static str),
    #[error("the {0} thread has stopped")]
    Stopped(&'static str),
}

/// Owns one named thread that turns each request `W` into an answer `R`.
pub struct ErrandThread<W> {
    name: &'static str,
    thread: Worker<W>,
}

impl<W> std::fmt::Debug for ErrandThread<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ErrandThread").field("name", &self.name).field("thread", &self.thread).finish()
    }
}

impl<W: Send + 'static> ErrandThread<W> {
    /// Starts the thread `name`, with room for `depth` waiting requests, answering on `answers`.
    pub fn spawn<R: Send + 'static>(
        name: &'static str,
        depth: usize,
        answers: SyncSender<R>,
        wake: Wake,
        mut errand: impl FnMut(W) -> R + Send + 'static,
    ) -> io::Result<ErrandThread<W>> {
        let outbox = Outbox::new(answers, wake);
        let thread = Worker::spawn(name, depth, Leftovers::Abandon, move |work, stop: &Stop| {
            let _ = outbox.deliver(errand(work), stop);
        })?;
        Ok(ErrandThread { name, thread })
    }

    /// Queues a request without waiting.
    pub fn submit(&self, work: W) -> Result<(), ErrandError> {
        self.thread.submit(work).map_err(|e| match e {
            worker::SubmitError::Full => ErrandError::Busy(self.name),
            worker::SubmitError::Stopped => ErrandError::Stopped(self.name),
        })
    }
}
