//! The storage worker: one named thread owns the [`Store`]; everyone else sends it work through a
//! bounded channel and gets the answer back.
//!
//! The CLI waits for its answer ([`StorageClient::call`]). The GUI must never wait on SQL, so it hands
//! over a callback ([`StorageClient::submit`]) that runs on the worker with the result, and typically
//! sends it into the GUI's own channel and wakes the UI. Dropping the [`StorageWorker`] queues a stop
//! behind the work already queued, then joins the thread; clients still held elsewhere get
//! [`StoreError::WorkerGone`] from then on rather than keeping the thread alive.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;

use crate::storage::{Store, StoreError};

/// How much work may wait for the worker. A full queue is reported, never grown.
pub const QUEUE_DEPTH: usize = 256;

type Job = Box<dyn FnOnce(&mut dyn Store) + Send>;

enum Message {
    Run(Job),
    Stop,
}

/// Owns the storage thread.
#[derive(Debug)]
pub struct StorageWorker {
    client: StorageClient,
    thread: Option<JoinHandle<()>>,
}

/// Sends work to the storage thread; cheap to clone.
#[derive(Clone)]
pub struct StorageClient {
    jobs: SyncSender<Message>,
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

impl StorageWorker {
    /// Starts the thread `storage` owning `store`.
    pub fn spawn(store: Box<dyn Store>) -> std::io::Result<StorageWorker> {
        let (jobs, inbox) = sync_channel::<Message>(QUEUE_DEPTH);
        let thread = std::thread::Builder::new().name("storage".to_owned()).spawn(move || run(store, inbox))?;
        Ok(StorageWorker { client: StorageClient { jobs }, thread: Some(thread) })
    }

    pub fn client(&self) -> StorageClient {
        self.client.clone()
    }
}

fn run(mut store: Box<dyn Store>, inbox: Receiver<Message>) {
    for message in inbox {
        match message {
            Message::Run(job) => job(store.as_mut()),
            Message::Stop => break,
        }
    }
}

impl Drop for StorageWorker {
    fn drop(&mut self) {
        // The stop waits behind queued work; if the thread is already gone there is nothing to stop.
        let _ = self.client.jobs.send(Message::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl StorageClient {
    /// Runs `work` on the storage thread and waits for its answer (for the CLI and tests, never the UI).
    pub fn call<R, F>(&self, work: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut dyn Store) -> R + Send + 'static,
    {
        let (reply, answer) = sync_channel(1);
        let job: Job = Box::new(move |store| {
            let _ = reply.send(work(store));
        });
        self.jobs.send(Message::Run(job)).map_err(|_| StoreError::WorkerGone)?;
        answer.recv().map_err(|_| StoreError::WorkerGone)
    }

    /// Queues `work` without waiting; `done` runs on the storage thread with the answer.
    pub fn submit<R, F, D>(&self, work: F, done: D) -> Result<(), SubmitError>
    where
        F: FnOnce(&mut dyn Store) -> R + Send + 'static,
        D: FnOnce(R) + Send + 'static,
    {
        let job: Job = Box::new(move |store| done(work(store)));
        self.jobs.try_send(Message::Run(job)).map_err(|e| match e {
            TrySendError::Full(_) => SubmitError::QueueFull,
            TrySendError::Disconnected(_) => SubmitError::Stopped,
        })
    }
}
