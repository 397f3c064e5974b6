//! [`Worker`]: the one way the station runs work on a thread of its own. Every long-lived thread of the
//! station (storage, photos, labels, the errands, each serial scanner, the hot folder) is a `Worker`, so
//! they all start, answer, stop and report in the same way.
//!
//! - **A named thread** that owns its resource (a database connection, a port, a watcher); its start and
//!   its stop are logged with its name, and a panic is logged when the thread is joined.
//! - **A bounded queue in.** [`Submitter::submit`] never waits: a full queue is [`SubmitError::Full`], an
//!   error to show, never a stall of the window.
//! - **Non-blocking delivery out.** An [`Outbox`] `try_send`s to its owner's bounded channel and then
//!   calls `wake`. While the owner is slow it retries for at most its patience; after that, or at once
//!   while the worker is stopping, the value is dropped, counted and logged. A worker never waits on its
//!   owner without bound, so the owner can always join it, even with its channel full and never read.
//! - **One stop protocol.** Dropping the [`Worker`] sets its [`Stop`] flag, queues a stop message (which
//!   wakes a thread waiting for work; a full queue means it is not waiting) and joins the thread. Queued
//!   requests are then either finished or abandoned ([`Leftovers`]); a [`Submitter`] still held elsewhere
//!   is refused from then on and does not keep the thread alive. A thread that runs its own loop (a port
//!   read with a timeout) checks the flag at each turn ([`Inbox::stop`], [`Stop::sleep`]).
//!
//! This module knows nothing of what the work is. `tests/tidy.rs` checks that no other module starts a
//! thread of its own. [`errand`] is the small form the window uses most: one request in, one answer out.

pub mod errand;

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TryRecvError, TrySendError, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What a worker calls after delivering a value (the GUI passes a repaint request, the CLI a no-op).
pub type Wake = Arc<dyn Fn() + Send + Sync>;

/// How long a worker retries a full channel before it drops the value. The window takes in answers every
/// frame, so a channel full for a whole second means a stalled window, not a slow one.
pub const PATIENCE: Duration = Duration::from_secs(1);
/// How often a waiting worker offers a value again, and the slice [`Stop::sleep`] sleeps in: the longest a
/// stop waits for a worker that is waiting.
const RETRY: Duration = Duration::from_millis(5);

/// A worker's stop flag: set once, when its owner drops the [`Worker`].
#[derive(Debug, Clone, Default)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    fn set(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Sleeps for `total`, waking early for a stop; returns false if the worker is stopping.
    pub fn sleep(&self, total: Duration) -> bool {
        let until = Instant::now() + total;
        while !self.is_set() {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return true;
            }
            std::thread::sleep(left.min(RETRY));
        }
        false
    }
}

/// What happens to requests still queued when the worker is told to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leftovers {
    /// They are carried out first (the storage thread: a save the clerk asked for is still saved).
    Finish,
    /// They are dropped unanswered (pictures, listings: nobody is left to look at them).
    Abandon,
}

/// Why a request could not be queued. Each worker's own error type words it for the clerk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    #[error("the worker is still busy with earlier work")]
    Full,
    #[error("the worker has stopped")]
    Stopped,
}

enum Message<In> {
    Work(In),
    Stop,
}

/// Queues requests for a worker; cheap to clone. It does not keep the worker alive.
pub struct Submitter<In> {
    queue: SyncSender<Message<In>>,
    stop: Stop,
}

impl<In> Clone for Submitter<In> {
    fn clone(&self) -> Self {
        Submitter { queue: self.queue.clone(), stop: self.stop.clone() }
    }
}

impl<In> std::fmt::Debug for Submitter<In> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Submitter").field("stopped", &self.stop.is_set()).finish()
    }
}

impl<In> Submitter<In> {
    /// Queues a request without waiting.
    pub fn submit(&self, work: In) -> Result<(), SubmitError> {
        if self.stop.is_set() {
            return Err(SubmitError::Stopped);
        }
        self.queue.try_send(Message::Work(work)).map_err(|e| match e {
            TrySendError::Full(_) => SubmitError::Full,
            TrySendError::Disconnected(_) => SubmitError::Stopped,
        })
    }

    /// Queues a request, waiting for room: only for a caller that waits for the answer anyway (a command
    /// on the command line), never the window.
    pub fn submit_waiting(&self, work: In) -> Result<(), SubmitError> {
        if self.stop.is_set() {
            return Err(SubmitError::Stopped);
        }
        self.queue.send(Message::Work(work)).map_err(|_| SubmitError::Stopped)
    }
}

/// What [`Inbox::next_within`] found.
#[derive(Debug)]
pub enum Next<In> {
    Work(In),
    /// Nothing arrived in time.
    Idle,
    /// The worker is to stop.
    Stop,
}

/// The worker's end of its queue, on its own thread.
pub struct Inbox<In> {
    queue: Receiver<Message<In>>,
    stop: Stop,
    leftovers: Leftovers,
}

impl<In> std::fmt::Debug for Inbox<In> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inbox").field("stopping", &self.stop.is_set()).field("leftovers", &self.leftovers).finish()
    }
}

impl<In> Inbox<In> {
    /// The next request, waiting for it; `None` once the worker is to stop (after the queued requests, if
    /// they are to be finished).
    pub fn next(&self) -> Option<In> {
        loop {
            let message = match (self.stop.is_set(), self.leftovers) {
                (true, Leftovers::Abandon) => return None,
                (true, Leftovers::Finish) => self.queue.try_recv().ok()?,
                (false, _) => self.queue.recv().ok()?,
            };
            // A stop message only wakes the thread: the flag, set before it was sent, decides.
            if let Message::Work(work) = message
                && !(self.stop.is_set() && self.leftovers == Leftovers::Abandon)
            {
                return Some(work);
            }
        }
    }

    /// The next request if one comes within `wait`, for a worker with a loop of its own.
    pub fn next_within(&self, wait: Duration) -> Next<In> {
        let deadline = Instant::now() + wait;
        loop {
            let received = match (self.stop.is_set(), self.leftovers) {
                (true, Leftovers::Abandon) => return Next::Stop,
                (true, Leftovers::Finish) => match self.queue.try_recv() {
                    Ok(message) => message,
                    Err(TryRecvError::Empty | TryRecvError::Disconnected) => return Next::Stop,
                },
                (false, _) => match self.queue.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                    Ok(message) => message,
                    Err(RecvTimeoutError::Timeout) => return Next::Idle,
                    Err(RecvTimeoutError::Disconnected) => return Next::Stop,
                },
            };
            if let Message::Work(work) = received
                && !(self.stop.is_set() && self.leftovers == Leftovers::Abandon)
            {
                return Next::Work(work);
            }
        }
    }

    /// The worker's stop flag, for a loop that waits on something other than this queue.
    pub fn stop(&self) -> &Stop {
        &self.stop
    }
}

/// Owns a named thread; dropping it stops the thread and joins it.
pub struct Worker<In> {
    name: Arc<str>,
    submitter: Submitter<In>,
    thread: Option<JoinHandle<()>>,
}

impl<In> std::fmt::Debug for Worker<In> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker").field("name", &self.name).field("running", &self.thread.is_some()).finish()
    }
}

impl<In: Send + 'static> Worker<In> {
    /// Starts the thread `name`, with room for `depth` waiting requests, handling each in turn.
    pub fn spawn(
        name: impl Into<String>,
        depth: usize,
        leftovers: Leftovers,
        mut handle: impl FnMut(In, &Stop) + Send + 'static,
    ) -> io::Result<Worker<In>> {
        Worker::spawn_loop(name, depth, leftovers, move |inbox| {
            while let Some(work) = inbox.next() {
                handle(work, inbox.stop());
            }
        })
    }

    /// Starts the thread `name` running `body`, a loop of its own (a port read with a timeout, a folder
    /// rescanned) that takes requests from its [`Inbox`] when it chooses and ends when [`Stop`] is set.
    pub fn spawn_loop(
        name: impl Into<String>,
        depth: usize,
        leftovers: Leftovers,
        body: impl FnOnce(Inbox<In>) + Send + 'static,
    ) -> io::Result<Worker<In>> {
        let name: Arc<str> = Arc::from(name.into());
        let stop = Stop::default();
        let (queue, inbox) = sync_channel(depth);
        let inbox = Inbox { queue: inbox, stop: stop.clone(), leftovers };
        // The thread logs where its starter logs (the log file, or a test's own subscriber).
        let dispatch = tracing::dispatcher::get_default(Clone::clone);
        let named = Arc::clone(&name);
        let thread = std::thread::Builder::new().name(name.to_string()).spawn(move || {
            tracing::dispatcher::with_default(&dispatch, || {
                tracing::info!(worker = %named, "worker started");
                body(inbox);
                tracing::info!(worker = %named, "worker stopped");
            });
        })?;
        Ok(Worker { name, submitter: Submitter { queue, stop }, thread: Some(thread) })
    }
}

impl<In> Worker<In> {
    /// A handle that queues requests; held elsewhere, it does not keep the thread alive.
    pub fn submitter(&self) -> Submitter<In> {
        self.submitter.clone()
    }

    /// Queues a request without waiting.
    pub fn submit(&self, work: In) -> Result<(), SubmitError> {
        self.submitter.submit(work)
    }

    /// The thread's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl<In> Drop for Worker<In> {
    fn drop(&mut self) {
        self.submitter.stop.set();
        // Wakes a thread waiting for work. If the queue is full the thread is not waiting: it sees the flag
        // before its next request.
        let _ = self.submitter.queue.try_send(Message::Stop);
        if let Some(thread) = self.thread.take()
            && let Err(panic) = thread.join()
        {
            let reason = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_owned());
            tracing::error!(worker = %self.name, panic = %reason, "worker panicked");
        }
    }
}

/// What became of a delivered value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Delivery {
    Delivered,
    /// The owner's channel stayed full (or the worker is stopping): the value was dropped and counted.
    Dropped,
    /// The owner is gone.
    Closed,
}

/// A worker's way back to its owner: a bounded channel and a wake. Cheap to clone; clones share the count
/// of values dropped and whether the owner is known to be stalled.
pub struct Outbox<T> {
    to: SyncSender<T>,
    wake: Wake,
    patience: Duration,
    shared: Arc<Congestion>,
}

#[derive(Debug, Default)]
struct Congestion {
    /// Set when a value was dropped and nothing delivered since: the owner is stalled, so later values
    /// are dropped at once rather than each waiting out the patience.
    stalled: AtomicBool,
    dropped: AtomicU64,
}

impl<T> Clone for Outbox<T> {
    fn clone(&self) -> Self {
        Outbox {
            to: self.to.clone(),
            wake: Arc::clone(&self.wake),
            patience: self.patience,
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T> std::fmt::Debug for Outbox<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox")
            .field("patience", &self.patience)
            .field("dropped", &self.shared.dropped.load(Ordering::Relaxed))
            .finish()
    }
}

impl<T> Outbox<T> {
    /// Delivers on `to`, calling `wake` after each value, with [`PATIENCE`].
    pub fn new(to: SyncSender<T>, wake: Wake) -> Outbox<T> {
        Outbox { to, wake, patience: PATIENCE, shared: Arc::default() }
    }

    /// The same outbox with another patience.
    pub fn with_patience(mut self, patience: Duration) -> Outbox<T> {
        self.patience = patience;
        self
    }

    /// The same channel and count with another wake.
    pub fn with_wake(&self, wake: Wake) -> Outbox<T> {
        Outbox { wake, ..self.clone() }
    }

    /// How many values were dropped because the owner's channel stayed full.
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::SeqCst)
    }

    /// Sends `value` to the owner, then wakes it. Never waits longer than the patience, and not at all
    /// once `stop` is set or the owner is known to be stalled.
    pub fn deliver(&self, value: T, stop: &Stop) -> Delivery {
        let deadline = Instant::now() + self.patience;
        let mut value = value;
        loop {
            match self.to.try_send(value) {
                Ok(()) => {
                    if self.shared.stalled.swap(false, Ordering::SeqCst) {
                        tracing::info!(
                            thread = thread_name(),
                            dropped = self.dropped(),
                            "the owner takes answers again"
                        );
                    }
                    (self.wake)();
                    return Delivery::Delivered;
                }
                Err(TrySendError::Disconnected(_)) => return Delivery::Closed,
                Err(TrySendError::Full(back)) => {
                    let stalled = self.shared.stalled.load(Ordering::SeqCst);
                    if stop.is_set() || stalled || Instant::now() >= deadline {
                        let dropped = self.shared.dropped.fetch_add(1, Ordering::SeqCst) + 1;
                        if !stop.is_set() && !self.shared.stalled.swap(true, Ordering::SeqCst) {
                            tracing::warn!(
                                thread = thread_name(),
                                dropped,
                                patience_ms = self.patience.as_millis(),
                                "the owner took nothing within the patience: answers are dropped until it does"
                            );
                        }
                        return Delivery::Dropped;
                    }
                    value = back;
                    std::thread::sleep(RETRY);
                }
            }
        }
    }
}

fn thread_name() -> String {
    std::thread::current().name().unwrap_or("unnamed").to_owned()
}
