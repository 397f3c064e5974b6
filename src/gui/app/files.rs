//! The `files` thread's work: what the window needs written or read from disk that holds no database
//! work (an evidence packet laid out and written, an export's files, the hot folder's first listing when its
//! watch starts),
//! so neither the UI thread nor the storage thread waits for it.

use super::*;
use crate::anchor;
use crate::formats::kept_work::KeptWork;
use crate::photos::originals::Originals;

/// Where an evidence packet is read from and written to: the photo folder, and the storage thread for the
/// originals it has not cached (asked from the `files` thread, which waits for it; the UI thread never does).
#[derive(Debug, Clone)]
pub(super) struct PacketPlace {
    pub(super) photos: PhotoFolder,
    pub(super) storage: Option<StorageClient>,
    pub(super) folder: PathBuf,
}

/// Work for the `files` thread: the files the window writes that hold no database work (evidence packets:
/// photos read back, pages laid out, the file written), so the storage thread never waits for them.
pub(super) enum FileWork {
    Packet {
        record: Box<EvidenceRecord>,
        place: PacketPlace,
        stamp: Stamp,
        prefix: Option<String>,
    },
    /// An export's files (a batch's CSV and JSON, or a list's CSV).
    Export {
        to_write: Box<ToWrite>,
        folder: PathBuf,
        stamp: Stamp,
    },
    /// Keeps the audit chain's head in the exports folder's anchor file, unless one was kept since the start
    /// of the bench's day ([`crate::anchor`]).
    Anchor {
        head: crate::storage::AuditHead,
        folder: PathBuf,
        stamp: Stamp,
        since: chrono::DateTime<chrono::Utc>,
    },
    /// Keeps the work kept while the database is away in `path` (JSON), or removes the file when nothing is.
    Keep {
        path: PathBuf,
        json: Option<String>,
    },
    /// Reads what a bench closed or killed while its database was away kept.
    ReadKept {
        path: PathBuf,
    },
    /// Starts watching the hot folder (the photos there already are listed first, as not new).
    WatchHotFolder {
        folder: PathBuf,
        events: SyncSender<HotFolderEvent>,
        wake: crate::worker::Wake,
    },
}

/// What the `files` thread answered.
#[derive(Debug)]
pub(super) enum FileAnswer {
    Packet {
        prefix: Option<String>,
        result: Result<PacketReceipt, Problem>,
    },
    HotFolder(Result<HotFolder, Problem>),
    Exported(Result<ExportReport, Problem>),
    /// The day's head kept (`true`), already kept today (`false`), or why it could not be (tried again at
    /// the next start).
    Anchored(Result<bool, String>),
    /// The kept work read at the start (none kept), or why it could not be; or why it could not be kept.
    Kept(Result<Option<KeptWork>, String>),
}

/// The `files` thread's errand.
pub(super) fn file_errand(work: FileWork) -> FileAnswer {
    match work {
        FileWork::Packet { record, place, stamp, prefix } => {
            let target = PacketTarget::Folder(&place.folder);
            let originals = match &place.storage {
                Some(storage) => Originals::cached(&place.photos, storage),
                None => Originals::folder(&place.photos),
            };
            let result = evidence::write_file(*record, &originals, target, &stamp).map_err(Problem::from);
            FileAnswer::Packet { prefix, result }
        }
        FileWork::Export { to_write, folder, stamp } => FileAnswer::Exported(
            crate::exports::write_files(&to_write, &folder, &stamp)
                .map_err(|error| Problem::from(crate::exports::unwritten(&to_write, error))),
        ),
        FileWork::Anchor { head, folder, stamp, since } => {
            FileAnswer::Anchored(if anchor::anchored_since(&folder, since) {
                Ok(false)
            } else {
                anchor::append(&folder, &head, stamp.at, "day")
                    .map(|()| true)
                    .map_err(|e| crate::durable::about(&anchor::path(&folder), "cannot add the audit head", &e))
            })
        }
        FileWork::Keep { path, json } => {
            let kept = match json {
                Some(json) => crate::durable::write_file_atomically(&path, json.as_bytes()).map_err(|e| e.to_string()),
                None => crate::durable::remove_if_there(&path)
                    .map_err(|e| crate::durable::about(&path, "cannot remove the kept work", &e)),
            };
            FileAnswer::Kept(kept.map(|()| None))
        }
        FileWork::ReadKept { path } => FileAnswer::Kept(match crate::durable::read_if_there(&path) {
            Ok(Some(text)) => crate::formats::kept_work::parse(&text, &path.display().to_string()).map(Some),
            Ok(None) => Ok(None),
            Err(e) => Err(crate::durable::about(&path, "cannot read the kept work", &e)),
        }),
        FileWork::WatchHotFolder { folder, events, wake } => {
            FileAnswer::HotFolder(HotFolder::watch(&folder, Settle::default(), events, wake).map_err(Problem::from))
        }
    }
}
