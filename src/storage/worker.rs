//! The storage worker: one named thread owns the [`Store`]; everyone else sends it work through a
//! bounded channel and gets the answer back. It is a [`Worker`] like every other thread of the station.
//!
//! The CLI waits for its answer ([`StorageClient::call`]). The GUI must never wait on SQL, so it hands
//! over an [`Outbox`] ([`StorageClient::submit_to`]): the answer is delivered without ever blocking this
//! thread (a window that takes nothing in loses answers, counted and logged, but never hangs the store).
//! Dropping the [`StorageWorker`] stops the thread after the work already queued (a save the clerk asked
//! for is still saved) and joins it; clients still held elsewhere get [`StoreError::WorkerGone`] from then
//! on rather than keeping the thread alive.

use crate::storage::{Store, StoreError};
use crate::worker::{self, Leftovers, Outbox, Stop, Submitter, Worker};

/// How much work may wait for the worker. A full queue is reported, never grown.
pub const QUEUE_DEPTH: usize = 256;

type Job = Box<dyn FnOnce(&mut dyn Store, &Stop) + Send>;

/// Owns the storage thread.
#[derive(Debug)]
pub struct StorageWorker {
    client: StorageClient,
    _thread: Worker<Job>,
}

/// Sends work to the storage thread; cheap to clone.
#[derive(Clone)]
pub struct StorageClient {
    jobs: Submitter<Job>,
}

impl std::fmt::Debug for StorageClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StorageClient")
    }
}

/// Why work could not be queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    #[error("the database is still busy with earlier work; try again in a moment")]
    QueueFull,
    #[error("the storage worker has stopped")]
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

impl StorageWorker {
    /// Starts the thread `storage` owning `store`.
    pub fn spawn(mut store: Box<dyn Store>) -> std::io::Result<StorageWorker> {
        let thread = Worker::spawn("storage", QUEUE_DEPTH, Leftovers::Finish, move |job: Job, stop: &Stop| {
            job(store.as_mut(), stop);
        })?;
        Ok(StorageWorker { client: StorageClient { jobs: thread.submitter() }, _thread: thread })
    }

    pub fn client(&self) -> StorageClient {
        self.client.clone()
    }
}

impl StorageClient {
    /// Runs `work` on the storage thread and waits for its answer (for the CLI and tests, never the UI).
    pub fn call<R, F>(&self, work: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut dyn Store) -> R + Send + 'static,
    {
        let (reply, answer) = std::sync::mpsc::sync_channel(1);
        let job: Job = Box::new(move |store, _| {
            // The caller waits on a channel of its own with room for this one answer: this never blocks.
            let _ = reply.try_send(work(store));
        });
        self.jobs.submit_waiting(job).map_err(|_| StoreError::WorkerGone)?;
        answer.recv().map_err(|_| StoreError::WorkerGone)
    }

    /// Queues `work` without waiting; `done` runs on the storage thread with the answer, and must not
    /// block it (a test's own channel with room; the window uses [`StorageClient::submit_to`]).
    pub fn submit<R, F, D>(&self, work: F, done: D) -> Result<(), SubmitError>
    where
        F: FnOnce(&mut dyn Store) -> R + Send + 'static,
        D: FnOnce(R) + Send + 'static,
    {
        let job: Job = Box::new(move |store, _| done(work(store)));
        Ok(self.jobs.submit(job)?)
    }

    /// Queues `work` without waiting; its answer, made into an event by `event`, goes to `outbox` (which
    /// drops it, counted and logged, rather than block this thread on an owner that takes nothing in).
    pub fn submit_to<R, E, F, M>(&self, work: F, outbox: Outbox<E>, event: M) -> Result<(), SubmitError>
    where
        E: Send + 'static,
        F: FnOnce(&mut dyn Store) -> R + Send + 'static,
        M: FnOnce(R) -> E + Send + 'static,
    {
        let job: Job = Box::new(move |store, stop| {
            let _ = outbox.deliver(event(work(store)), stop);
        });
        Ok(self.jobs.submit(job)?)
    }
}
