//! Exports from the queues to the people after the bench, the same from the window and the command
//! line: runs on whichever thread owns the store.
//!
//! A refund, store-credit, pick or return export is a **batch**: the store first claims every open item
//! not yet exported (committed and audited), then the batch's CSV and JSON are written atomically, then
//! their row counts and SHA-256 are recorded and audited. The order matters: an item is in one batch
//! only, so it is paid or shipped from one file only. A crash or a full disk between the claim and the
//! files leaves a batch without files, which is written again ([`write_batch`]), never claimed anew;
//! writing a batch again gives the same bytes. Holds are bench work, not a payment or a shipment: their
//! export is a plain list of what is open and done ([`export_list`]).

use std::io;
use std::path::{Path, PathBuf};

use crate::domain::vocabulary::Queue;
use crate::durable::{WriteError, write_file_atomically};
use crate::formats::batch_export::{batch_csv, batch_json, file_stem};
use crate::formats::export::{export_file_name, queue_csv};
use crate::hex::sha256_hex;
use crate::storage::{BatchFile, Stamp, Store, StoreError};

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
}

/// Exports `queue`: a new batch of every item not yet exported, or for holds the whole list. `None` when
/// there is nothing new to export.
pub fn export_queue(
    store: &mut dyn Store,
    queue: Queue,
    folder: &Path,
    stamp: &Stamp,
) -> Result<Option<ExportReport>, ExportFailure> {
    if queue == Queue::Hold {
        return export_list(store, queue, folder, stamp).map(Some);
    }
    let Some(batch_id) = store.claim_export_batch(queue, stamp)? else { return Ok(None) };
    write_batch(store, batch_id, folder, stamp)
        .map(Some)
        .map_err(|error| ExportFailure::Unwritten { batch_id, error: Box::new(error) })
}

/// Writes a batch's CSV and JSON into `folder` (again, after a failure, or for a lost file) and records
/// them. The files hold the items as they were claimed: writing a batch twice gives the same bytes.
pub fn write_batch(
    store: &mut dyn Store,
    batch_id: i64,
    folder: &Path,
    stamp: &Stamp,
) -> Result<ExportReport, ExportFailure> {
    let batch = store.export_batch(batch_id)?;
    create_folder(folder)?;
    let stem = file_stem(&batch);
    let (csv, csv_rows) = batch_csv(&batch);
    let (json, json_items) = batch_json(&batch);
    let files = [("csv", csv, csv_rows), ("json", json, json_items)]
        .into_iter()
        .map(|(extension, bytes, rows)| write(&folder.join(format!("{stem}.{extension}")), &bytes, rows))
        .collect::<Result<Vec<_>, _>>()?;
    store.record_batch_written(batch_id, &files, stamp)?;
    Ok(ExportReport { queue: batch.queue, batch_id: Some(batch_id), items: batch.items.len() as u64, files })
}

/// Writes a queue's whole list (open, then the latest done) as one CSV, named by the time, and audits it.
pub fn export_list(
    store: &mut dyn Store,
    queue: Queue,
    folder: &Path,
    stamp: &Stamp,
) -> Result<ExportReport, ExportFailure> {
    let rows = store.queue_items(queue, true, usize::MAX)?;
    create_folder(folder)?;
    let file = write(&folder.join(export_file_name(queue, stamp.at)), &queue_csv(&rows), rows.len() as u64)?;
    let detail = serde_json::json!({ "file": file.path, "rows": file.rows, "sha256": file.sha256 });
    store.append_audit(stamp, "export", queue.as_str(), "exported", &detail.to_string())?;
    Ok(ExportReport { queue, batch_id: None, items: rows.len() as u64, files: vec![file] })
}

fn create_folder(folder: &Path) -> Result<(), ExportFailure> {
    std::fs::create_dir_all(folder).map_err(|source| ExportFailure::Folder { path: folder.to_path_buf(), source })
}

fn write(path: &Path, bytes: &[u8], rows: u64) -> Result<BatchFile, ExportFailure> {
    write_file_atomically(path, bytes)?;
    Ok(BatchFile { path: path.display().to_string(), rows, sha256: sha256_hex(bytes) })
}
