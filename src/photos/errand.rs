//! [`ErrandThread`]: a named thread that runs one small errand at a time for the window — list a folder
//! for the photo picker, find or read a webcam — so that the UI thread never touches the file system or
//! a device itself.
//!
//! Requests go in through a bounded queue ([`ErrandThread::submit`] never blocks: a full queue is an
//! error to show, not a stall); each answer goes out on the caller's bounded channel, then `wake` is
//! called (the GUI passes a repaint request). Dropping the [`ErrandThread`] stops and joins the thread:
//! requests still queued are dropped unanswered, an errand already running finishes first, and an answer
//! nobody drains does not hold the thread. This module knows nothing of what the errands are.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;

use crate::photos::deliver;

/// Why a request could not be queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ErrandError {
    #[error("the {0} thread is still busy with earlier requests; try again in a moment")]
    Busy(&'static str),
    #[error("the {0} thread has stopped")]
    Stopped(&'static str),
}

enum Message<W> {
    Errand(W),
    Stop,
}

/// Owns one named thread that turns each request `W` into an answer `R`.
pub struct ErrandThread<W> {
    name: &'static str,
    requests: SyncSender<Message<W>>,
    closing: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl<W> std::fmt::Debug for ErrandThread<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ErrandThread").field("name", &self.name).field("running", &self.thread.is_some()).finish()
    }
}

impl<W: Send + 'static> ErrandThread<W> {
    /// Starts the thread `name`, with room for `depth` waiting requests, answering on `answers`.
    pub fn spawn<R: Send + 'static>(
        name: &'static str,
        depth: usize,
        answers: SyncSender<R>,
        wake: Arc<dyn Fn() + Send + Sync>,
        mut errand: impl FnMut(W) -> R + Send + 'static,
    ) -> io::Result<ErrandThread<W>> {
        let (requests, inbox): (_, Receiver<Message<W>>) = sync_channel(depth);
        let closing = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&closing);
        let thread = std::thread::Builder::new().name(name.to_owned()).spawn(move || {
            for message in inbox {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Message::Errand(work) = message else { break };
                if !deliver(&answers, errand(work), &stop, wake.as_ref()) {
                    break;
                }
            }
        })?;
        Ok(ErrandThread { name, requests, closing, thread: Some(thread) })
    }
}

impl<W> ErrandThread<W> {
    /// Queues a request without waiting.
    pub fn submit(&self, work: W) -> Result<(), ErrandError> {
        self.requests.try_send(Message::Errand(work)).map_err(|e| match e {
            TrySendError::Full(_) => ErrandError::Busy(self.name),
            TrySendError::Disconnected(_) => ErrandError::Stopped(self.name),
        })
    }
}

impl<W> Drop for ErrandThread<W> {
    fn drop(&mut self) {
        self.closing.store(true, Ordering::SeqCst);
        // A full queue means the thread is busy: it sees `closing` before its next request. Otherwise the
        // stop wakes a thread that is waiting.
        let _ = self.requests.try_send(Message::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
