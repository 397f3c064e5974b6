//! The hot folder: a folder that a tethered camera or a phone app drops photos into, watched so that
//! each new photo is handed on once it is complete, never read half-written.
//!
//! Deciding when a file is ready is pure and takes the time as an argument ([`ReadyTracker`]): a file
//! is ready when its size is the same at two checks at least [`Settle::interval`] apart and its content
//! is whole (a JPEG ends with its end-of-image marker, a PNG with `IEND`, and its header decodes). A
//! file whose size stopped changing but that never becomes whole (a transfer that died) is handed on
//! after [`Settle::give_up_after`], so the clerk sees the import's error rather than nothing. Only
//! photo names count (`.jpg`, `.jpeg`, `.png`, `.heic`, `.heif`); hidden files and partial downloads
//! (`.part`, `.tmp`, `~`) are ignored until renamed. Files already in the folder when watching starts
//! are not handed on: they belong to earlier inspections.
//!
//! [`HotFolder`] is the I/O around it: the `notify` watcher (inotify on Linux) and a [`Worker`]
//! `hot-folder` that runs its own loop, checking pending files and sending [`HotFolderEvent`]s through an
//! [`Outbox`] on a bounded channel. The watcher's events are the worker's queue, and only hints: the folder is also listed every [`RESCAN_EVERY`], so an event lost to a full queue
//! loses no photo. This module does not ingest: the caller passes each path to the photo worker.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc::SyncSender;
use std::time::{Duration, Instant};

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::photos::decode::{self, DecodeError, DecodeLimits};
use crate::photos::ingest::MAX_PHOTO_BYTES;
use crate::worker::{Delivery, Inbox, Leftovers, Next, Outbox, Stop, Wake, Worker};

/// How often the folder is listed even without events.
pub const RESCAN_EVERY: Duration = Duration::from_secs(2);

/// How many file-system events may wait for the hot-folder thread; more are dropped (the rescan
/// catches up on them).
const EVENT_QUEUE: usize = 256;

/// How patiently a file is waited for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settle {
    /// Two checks of the same size at least this far apart mean the writer has paused or finished.
    pub interval: Duration,
    /// A file whose size has not changed for this long is handed on even if it does not look whole.
    pub give_up_after: Duration,
}

impl Default for Settle {
    /// 300 ms between size checks (a USB or Wi-Fi transfer writes far more often than that while it
    /// runs); 10 s before a file that stopped growing without its end marker is handed on as it is.
    fn default() -> Settle {
        Settle { interval: Duration::from_millis(300), give_up_after: Duration::from_secs(10) }
    }
}

/// What a check of one pending file decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    /// Still being written, or not checked long enough yet.
    Wait,
    /// Complete: hand it on.
    Ready,
    /// The file went away (renamed or deleted) before it was ready.
    Gone,
}

/// Whether a file name is one the hot folder hands on.
pub fn is_photo_name(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else { return false };
    if name.starts_with('.') || name.ends_with('~') {
        return false;
    }
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    matches!(extension.as_str(), "jpg" | "jpeg" | "png" | "heic" | "heif")
}

#[derive(Debug, Clone, Copy)]
struct Pending {
    /// The size at the first check that saw it, and when that was.
    size: Option<(u64, Instant)>,
    /// When the size last changed (or the file was first noticed).
    changed_at: Instant,
}

/// The pure decision of which files are ready, with time passed in.
#[derive(Debug, Clone)]
pub struct ReadyTracker {
    settle: Settle,
    pending: HashMap<PathBuf, Pending>,
    /// Handed on already, or present before watching began: not handed on (again).
    done: HashSet<PathBuf>,
}

impl ReadyTracker {
    pub fn new(settle: Settle) -> ReadyTracker {
        ReadyTracker { settle, pending: HashMap::new(), done: HashSet::new() }
    }

    /// Marks a file as one never to hand on (it was there before watching began).
    pub fn ignore(&mut self, path: PathBuf) {
        self.pending.remove(&path);
        self.done.insert(path);
    }

    /// A file appeared or changed: start waiting for it, unless it is known already.
    pub fn noticed(&mut self, path: &Path, now: Instant) {
        if !is_photo_name(path) || self.done.contains(path) || self.pending.contains_key(path) {
            return;
        }
        self.pending.insert(path.to_path_buf(), Pending { size: None, changed_at: now });
    }

    /// A file was removed: a new file of the same name later is a new photo.
    pub fn removed(&mut self, path: &Path) {
        self.pending.remove(path);
        self.done.remove(path);
    }

    /// The files being waited for, in a stable order.
    pub fn pending(&self) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = self.pending.keys().cloned().collect();
        paths.sort();
        paths
    }

    pub fn is_waiting(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Checks one pending file: `size` is its size now (`None`: gone), `whole` says whether its
    /// content is complete and is only asked once the size has held still.
    pub fn check(&mut self, path: &Path, size: Option<u64>, now: Instant, whole: impl FnOnce() -> bool) -> Readiness {
        let Some(file) = self.pending.get_mut(path) else { return Readiness::Wait };
        let Some(size) = size else {
            self.pending.remove(path);
            return Readiness::Gone;
        };
        match file.size {
            Some((seen, since)) if seen == size => {
                let held = now.saturating_duration_since(since) >= self.settle.interval;
                let stale = now.saturating_duration_since(file.changed_at) >= self.settle.give_up_after;
                if size > 0 && held && (stale || whole()) {
                    self.pending.remove(path);
                    self.done.insert(path.to_path_buf());
                    return Readiness::Ready;
                }
                Readiness::Wait
            }
            _ => {
                file.size = Some((size, now));
                file.changed_at = now;
                Readiness::Wait
            }
        }
    }
}

/// What the hot folder reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HotFolderEvent {
    /// A complete new photo file, and its size when it was found complete.
    Arrived { path: PathBuf, bytes: u64 },
    /// The watcher reported a problem (the folder was removed, too many watches); watching goes on.
    Trouble(String),
}

/// Why a folder could not be watched.
#[derive(Debug, thiserror::Error)]
pub enum HotFolderError {
    #[error("{}: cannot watch this folder: {source}", path.display())]
    Watch { path: PathBuf, source: notify::Error },
    #[error("{}: not a folder the station can read: {source}", path.display())]
    Folder { path: PathBuf, source: std::io::Error },
    #[error("cannot start the hot-folder thread: {0}")]
    Thread(std::io::Error),
}

type Hint = notify::Result<notify::Event>;

/// Watches a folder on the thread `hot-folder`; dropping it stops and joins the thread.
pub struct HotFolder {
    folder: PathBuf,
    /// Dropped first: it ends the watch and lets go of the worker's queue.
    _watcher: RecommendedWatcher,
    thread: Worker<Hint>,
}

impl std::fmt::Debug for HotFolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HotFolder").field("folder", &self.folder).field("thread", &self.thread).finish()
    }
}

impl HotFolder {
    /// Starts watching `folder`; complete new photos are sent on `events`, then `wake` is called.
    pub fn watch(
        folder: &Path,
        settle: Settle,
        events: SyncSender<HotFolderEvent>,
        wake: Wake,
    ) -> Result<HotFolder, HotFolderError> {
        let folder =
            fs::canonicalize(folder).map_err(|source| HotFolderError::Folder { path: folder.to_path_buf(), source })?;
        let mut tracker = ReadyTracker::new(settle);
        for path in list(&folder).map_err(|source| HotFolderError::Folder { path: folder.clone(), source })? {
            tracker.ignore(path);
        }
        let watch = Watch {
            folder: folder.clone(),
            tracker,
            events: Outbox::new(events, wake),
            limits: DecodeLimits::default(),
        };
        let thread = Worker::spawn_loop("hot-folder", EVENT_QUEUE, Leftovers::Abandon, move |inbox| watch.run(inbox))
            .map_err(HotFolderError::Thread)?;
        let hints = thread.submitter();
        // Runs on notify's own thread: never block it; a hint dropped to a full queue is caught up by the
        // rescan. A file that arrived before the watch began is found by the rescan too.
        let mut watcher = notify::recommended_watcher(move |event| {
            let _ = hints.submit(event);
        })
        .map_err(|source| HotFolderError::Watch { path: folder.clone(), source })?;
        watcher
            .watch(&folder, RecursiveMode::NonRecursive)
            .map_err(|source| HotFolderError::Watch { path: folder.clone(), source })?;
        Ok(HotFolder { folder, _watcher: watcher, thread })
    }

    /// The folder watched (canonical).
    pub fn folder(&self) -> &Path {
        &self.folder
    }
}

/// The photo-named files directly in `folder`.
fn list(folder: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    for entry in fs::read_dir(folder)? {
        let path = entry?.path();
        if is_photo_name(&path) {
            paths.push(path);
        }
    }
    Ok(paths)
}

struct Watch {
    folder: PathBuf,
    tracker: ReadyTracker,
    events: Outbox<HotFolderEvent>,
    limits: DecodeLimits,
}

impl Watch {
    fn run(mut self, inbox: Inbox<Hint>) {
        let mut last_scan = Instant::now();
        loop {
            // While a file is pending, check it a few times per interval; otherwise wait for events.
            let wait = if self.tracker.is_waiting() {
                (self.tracker.settle.interval / 3).max(Duration::from_millis(5))
            } else {
                RESCAN_EVERY
            };
            match inbox.next_within(wait) {
                Next::Stop => return,
                Next::Work(Ok(event)) => self.hint(&event),
                Next::Work(Err(error)) => {
                    let trouble = HotFolderEvent::Trouble(format!("{}: {error}", self.folder.display()));
                    tracing::warn!(folder = %self.folder.display(), %error, "hot folder trouble");
                    if self.events.deliver(trouble, inbox.stop()) == Delivery::Closed || inbox.stop().is_set() {
                        return;
                    }
                }
                Next::Idle => {}
            }
            let now = Instant::now();
            if now.saturating_duration_since(last_scan) >= RESCAN_EVERY {
                last_scan = now;
                // A listing that fails now (the folder is briefly gone) is retried next time.
                for path in list(&self.folder).unwrap_or_default() {
                    self.tracker.noticed(&path, now);
                }
            }
            if !self.check_pending(inbox.stop()) {
                return;
            }
        }
    }

    fn hint(&mut self, event: &notify::Event) {
        let now = Instant::now();
        for path in &event.paths {
            if path.parent() != Some(self.folder.as_path()) {
                continue;
            }
            match event.kind {
                EventKind::Remove(_) => self.tracker.removed(path),
                EventKind::Access(notify::event::AccessKind::Read | notify::event::AccessKind::Open(_)) => {}
                // A rename away from this name is reported by its old path; the check finds it gone.
                _ => self.tracker.noticed(path, now),
            }
        }
    }

    /// Checks every pending file; returns false once nobody is listening any more or the thread is to stop.
    fn check_pending(&mut self, stop: &Stop) -> bool {
        for path in self.tracker.pending() {
            let size = fs::metadata(&path).ok().filter(|m| m.is_file()).map(|m| m.len());
            let limits = self.limits;
            let whole = || size.is_some_and(|size| looks_whole(&path, size, &limits));
            let readiness = self.tracker.check(&path, size, Instant::now(), whole);
            if readiness == Readiness::Ready {
                tracing::info!(path = %path.display(), "hot folder: photo arrived");
                let arrived = HotFolderEvent::Arrived { path, bytes: size.unwrap_or(0) };
                if self.events.deliver(arrived, stop) == Delivery::Closed || stop.is_set() {
                    return false;
                }
            }
        }
        true
    }
}

/// Whether a file's content is complete: it still has the size that was checked (the writer has not
/// gone on meanwhile), its end marker is there and its header decodes. A file too big to be a photo
/// counts as whole (the import refuses it with its own message).
fn looks_whole(path: &Path, size: u64, limits: &DecodeLimits) -> bool {
    if size > MAX_PHOTO_BYTES {
        return true;
    }
    let Ok(bytes) = fs::read(path) else { return false };
    bytes.len() as u64 == size
        && decode::is_complete(&bytes)
        && !matches!(decode::dimensions(&bytes, limits), Err(DecodeError::Damaged { .. }))
}
