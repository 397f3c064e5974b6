//! Exports from the queues to the people after the bench, the same from the window and the command line.
//!
//! A refund, store-credit, pick or return export is a **batch**: the store first claims every open item
//! not yet exported (committed and audited), then the batch's CSV and JSON are written atomically, then
//! their row counts and SHA-256 are recorded and audited. The order matters: an item is in one batch
//! only, so it is paid or shipped from one file only. A crash or a full disk between the claim and the
//! files leaves a batch without files, which is written again ([`write_batch`]), never claimed anew.
//! A batch is immutable: its files are rendered in the claim's transaction and kept by the store
//! ([`FrozenBatch`]), and every write, the first or again, writes those very bytes after checking them
//! against their SHA-256; an import that changes an order since changes no batch. Holds are bench work, not a payment or a shipment: their
//! export is a plain list of what is open and done. The three steps ([`claim`], [`write_files`],
//! [`record`]) are apart so that the window writes the files on its `files` thread, never on the storage
//! thread; the CLI runs them in a row ([`export_queue`], [`write_batch`]).

use std::io;
use std::path::{Path, PathBuf};

use crate::domain::vocabulary::Queue;
use crate::durable::{WriteError, write_file_atomically};
use crate::formats::export::{export_file_name, queue_csv};
use crate::hex::sha256_hex;
use crate::storage::{AuditHead, BatchFile, FrozenBatch, QueueRow, Stamp, Store, StoreError};

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReport {
    pub queue: Queue,
    /// The batch, for a batch export.
    pub batch_id: Option<i64>,
    /// Queue items in it.
    pub items: u64,
    pub files: Vec<BatchFile>,
}

impl ExportReport {
    /// "refund batch 7: 3 items written to /data/exports/refund-batch-000007.csv and ….json".
    pub fn words(&self) -> String {
        let what = match self.batch_id {
            Some(id) => format!("{} batch {id}", self.queue),
            None => format!("{} list", self.queue),
        };
        let files: Vec<&str> = self.files.iter().map(|file| file.path.as_str()).collect();
        format!("{what}: {} items written to {}", self.items, files.join(" and "))
    }
}

/// Why an export did not happen, or happened only in part.
#[derive(Debug, thiserror::Error)]
pub enum ExportFailure {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Write(#[from] WriteError),
    #[error("{}: cannot create the exports folder: {source}", path.display())]
    Folder { path: PathBuf, source: io::Error },
    #[error(
        "batch {batch_id} claimed its items but its files were not written: {error}. Its items stay in batch \
         {batch_id} and no other export takes them; write the batch again once this is fixed"
    )]
    Unwritten { batch_id: i64, error: Box<ExportFailure> },
    #[error("{}: cannot add the audit chain's head: {}", path.display(), crate::durable::describe(source))]
    Anchor { path: PathBuf, source: io::Error },
}

/// What an export is to write, as read from the store: a claimed batch, or a queue's whole list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToWrite {
    /// A batch's kept files, and the audit chain's head when it was read: anchored beside the files
    /// ([`crate::anchor`]).
    Batch {
        batch: FrozenBatch,
        head: AuditHead,
    },
    List {
        queue: Queue,
        rows: Vec<QueueRow>,
    },
}

/// Exports `queue`: a new batch of every item not yet exported, or for holds the whole list. `None` when
/// there is nothing new to export. The three steps, for a caller that writes files away from the store:
/// [`claim`], [`write_files`], [`record`].
pub fn export_queue(
    store: &mut dyn Store,
    queue: Queue,
    folder: &Path,
    stamp: &Stamp,
) -> Result<Option<ExportReport>, ExportFailure> {
    let Some(to_write) = claim(store, queue, stamp)? else { return Ok(None) };
    write_and_record(store, &to_write, folder, stamp).map(Some)
}

/// Writes a batch's CSV and JSON into `folder` (again, after a failure, or for a lost file) and records
/// them. The files are the bytes kept when the batch was claimed: writing a batch twice gives the same bytes.
pub fn write_batch(
    store: &mut dyn Store,
    batch_id: i64,
    folder: &Path,
    stamp: &Stamp,
) -> Result<ExportReport, ExportFailure> {
    let to_write = claimed(store, batch_id, stamp)?;
    write_files(&to_write, folder, stamp).and_then(|report| record(store, &report, stamp).map(|()| report))
}

fn write_and_record(
    store: &mut dyn Store,
    to_write: &ToWrite,
    folder: &Path,
    stamp: &Stamp,
) -> Result<ExportReport, ExportFailure> {
    write_files(to_write, folder, stamp)
        .and_then(|report| record(store, &report, stamp).map(|()| report))
        .map_err(|error| unwritten(to_write, error))
}

/// Step one, on the store: claims every open, unexported item of `queue` into a new batch (audited), or
/// for holds reads the whole list. `None` when there is nothing new.
pub fn claim(store: &mut dyn Store, queue: Queue, stamp: &Stamp) -> Result<Option<ToWrite>, ExportFailure> {
    if queue == Queue::Hold {
        return Ok(Some(ToWrite::List { queue, rows: store.queue_items(queue, true, usize::MAX)? }));
    }
    let Some(batch_id) = store.claim_export_batch(queue, stamp)? else { return Ok(None) };
    claimed(store, batch_id, stamp).map(Some)
}

/// A batch already claimed, to write (again): its kept files, checked by the store. A batch claimed before
/// the station kept batches' files is rendered once now and kept (see [`Store::frozen_export_batch`]).
pub fn claimed(store: &mut dyn Store, batch_id: i64, stamp: &Stamp) -> Result<ToWrite, ExportFailure> {
    let batch = store.frozen_export_batch(batch_id, stamp)?;
    Ok(ToWrite::Batch { batch, head: store.audit_head()? })
}

/// Step two, files only: writes the batch's kept CSV and JSON (or the list's CSV, named by the time) into
/// `folder`, atomically. A kept file whose bytes no longer match its SHA-256 is refused, and nothing of the
/// batch is written.
pub fn write_files(to_write: &ToWrite, folder: &Path, stamp: &Stamp) -> Result<ExportReport, ExportFailure> {
    create_folder(folder)?;
    match to_write {
        ToWrite::Batch { batch, head } => {
            for file in &batch.files {
                let actual = sha256_hex(&file.bytes);
                if actual != file.sha256 {
                    let problem = format!("the kept bytes have SHA-256 {actual}, not the {} recorded", file.sha256);
                    let (batch_id, file) = (batch.id, file.name.clone());
                    return Err(StoreError::BatchChanged { batch_id, file, problem }.into());
                }
            }
            let files = batch
                .files
                .iter()
                .map(|file| write(&folder.join(&file.name), &file.bytes, file.rows))
                .collect::<Result<Vec<_>, _>>()?;
            crate::anchor::append(folder, head, stamp.at, &format!("{} batch {}", batch.queue, batch.id))
                .map_err(|source| ExportFailure::Anchor { path: crate::anchor::path(folder), source })?;
            Ok(ExportReport { queue: batch.queue, batch_id: Some(batch.id), items: batch.items, files })
        }
        ToWrite::List { queue, rows } => {
            let path = folder.join(export_file_name(*queue, stamp.at));
            let file = write(&path, &queue_csv(rows), rows.len() as u64)?;
            Ok(ExportReport { queue: *queue, batch_id: None, items: rows.len() as u64, files: vec![file] })
        }
    }
}

/// Step three, on the store: records a batch's files (row counts and SHA-256; the store refuses any but the
/// kept files), or audits a list written.
pub fn record(store: &mut dyn Store, report: &ExportReport, stamp: &Stamp) -> Result<(), ExportFailure> {
    match report.batch_id {
        Some(batch_id) => store.record_batch_written(batch_id, &report.files, stamp)?,
        None => {
            for file in &report.files {
                let detail = serde_json::json!({ "file": file.path, "rows": file.rows, "sha256": file.sha256 });
                store.append_audit(stamp, "export", report.queue.as_str(), "exported", &detail.to_string())?;
            }
        }
    }
    Ok(())
}

/// A batch claimed whose files failed says so: its items stay in it and are written again, never claimed
/// again. A list has nothing claimed.
pub fn unwritten(to_write: &ToWrite, error: ExportFailure) -> ExportFailure {
    match to_write {
        ToWrite::Batch { batch, .. } => ExportFailure::Unwritten { batch_id: batch.id, error: Box::new(error) },
        ToWrite::List { .. } => error,
    }
}

fn create_folder(folder: &Path) -> Result<(), ExportFailure> {
    std::fs::create_dir_all(folder).map_err(|source| ExportFailure::Folder { path: folder.to_path_buf(), source })
}

fn write(path: &Path, bytes: &[u8], rows: u64) -> Result<BatchFile, ExportFailure> {
    write_file_atomically(path, bytes)?;
    Ok(BatchFile { path: path.display().to_string(), rows, sha256: sha256_hex(bytes) })
}
