//! Export batches: claiming a queue's open items into a batch (each item once, ever) and keeping
//! its files as rendered then, a batch with each item's money and units read from its saved decision,
//! a batch's kept files (checked), recording a batch's files (only the kept ones), completing a batch, and
//! a queue's latest batches.

use std::path::Path;

use serde_json::Value;

use super::audit_log::instant;
use super::rows::{queue_rows, queue_select, stored};
use super::seal::{check_id, check_queue_item, sealed};
use crate::domain::vocabulary::Queue;
use crate::formats::batch_export::frozen;
use crate::formats::case_json::{RecordedDecision, RecordedLine};
use crate::storage::seal::Kind;
use crate::storage::sql::Db;
use crate::storage::{
    BatchFile, BatchSummary, ExportBatch, ExportItem, ExportUnits, FrozenBatch, FrozenFile, QueueRow, Stamp, StoreError,
};

pub(super) fn claim_export_batch(db: &dyn Db, queue: Queue, stamp: &Stamp) -> Result<Option<i64>, StoreError> {
    if queue == Queue::Hold {
        return Err(StoreError::NotBatched { queue });
    }
    let waiting: Vec<i64> = db.column(
        "SELECT id FROM queue_items WHERE queue = ?1 AND status = 'open' AND batch_id IS NULL ORDER BY id",
        &[&queue.as_str()],
    )?;
    if waiting.is_empty() {
        return Ok(None);
    }
    // Nothing is sent to be paid or shipped on records the chain does not vouch for: the batch is refused
    // whole, naming the first such record, until a supervisor has seen `verify`'s report.
    for &item in &waiting {
        check_queue_item(db, item)?;
    }
    let batch_id = db.insert(
        "INSERT INTO export_batches (queue, created_at, operator, station) VALUES (?1, ?2, ?3, ?4) RETURNING id",
        &[&queue.as_str(), &instant(stamp), &stamp.operator, &stamp.station],
    )?;
    // The same condition as the select, in the same IMMEDIATE transaction: no other station can have
    // claimed any of them in between.
    let claimed = db.execute(
        "UPDATE queue_items SET batch_id = ?1 WHERE queue = ?2 AND status = 'open' AND batch_id IS NULL",
        &[&batch_id, &queue.as_str()],
    )?;
    debug_assert_eq!(claimed, waiting.len() as u64);
    // The files are rendered now, from the items as claimed, and kept: every write of the batch writes
    // these bytes. Their hashes go into the claim's audit entry, which vouches for them from then on.
    let kept = freeze(db, batch_id)?;
    let detail = serde_json::json!({ "queue": queue.as_str(), "items": waiting, "files": files_detail(&kept) });
    sealed(db, stamp, Kind::ExportBatch, &batch_id.to_string(), "claimed", &detail.to_string())?;
    Ok(Some(batch_id))
}

pub(super) fn export_batch(db: &dyn Db, batch_id: i64) -> Result<ExportBatch, StoreError> {
    let Some(found) =
        db.row("SELECT queue, created_at, operator, station FROM export_batches WHERE id = ?1", &[&batch_id])?
    else {
        return Err(StoreError::NotFound { what: "export batch", id: batch_id });
    };
    let (queue, created_at, operator, station): (String, String, String, String) =
        (found.get(0)?, found.get(1)?, found.get(2)?, found.get(3)?);
    let queue: Queue = stored("export batch queue", &queue)?;
    let rows = queue_rows(db, concat!(queue_select!(), " WHERE q.batch_id = ?1 ORDER BY q.id"), &[&batch_id])?;
    let items = rows.into_iter().map(|row| export_item(db, row)).collect::<Result<_, _>>()?;
    Ok(ExportBatch { id: batch_id, queue, created_at, operator, station, items })
}

pub(super) fn frozen_export_batch(db: &dyn Db, batch_id: i64, stamp: &Stamp) -> Result<FrozenBatch, StoreError> {
    if let Some(batch) = kept(db, batch_id)? {
        return Ok(batch);
    }
    // A batch claimed before migration 10 kept nothing: rendered once from its items as the store holds
    // them now, and kept from then on. If it was written before, what was written is the batch: a
    // rendering that differs (its order data changed since) is refused, not recorded over it.
    let batch = freeze(db, batch_id)?;
    let recorded: Option<String> = db.one("SELECT files FROM export_batches WHERE id = ?1", &[&batch_id])?;
    for written in recorded.as_deref().map(|json| recorded_files(batch_id, json)).transpose()?.unwrap_or_default() {
        let name = file_name(&written.path);
        if let Some(file) = batch.files.iter().find(|file| file.name == name)
            && file.sha256 != written.sha256
        {
            return Err(changed(
                batch_id,
                &name,
                format!(
                    "the batch was claimed before the station kept its files, and rendered from today's data it is \
                     no longer the file written before (SHA-256 {} then, {} now); the file written then is the batch",
                    written.sha256, file.sha256
                ),
            ));
        }
    }
    let detail = serde_json::json!({ "files": files_detail(&batch) });
    sealed(db, stamp, Kind::ExportBatch, &batch_id.to_string(), "frozen", &detail.to_string())?;
    Ok(batch)
}

pub(super) fn record_batch_written(
    db: &dyn Db,
    batch_id: i64,
    files: &[BatchFile],
    stamp: &Stamp,
) -> Result<(), StoreError> {
    // Only the kept files are recorded, with their rows and hash: a batch's recorded SHA-256 never changes.
    let Some(batch) = kept(db, batch_id)? else {
        return Err(changed(batch_id, "its files", "were never kept; write the batch again first".to_owned()));
    };
    for written in files {
        let name = file_name(&written.path);
        let Some(file) = batch.files.iter().find(|file| file.name == name) else {
            return Err(changed(batch_id, &name, "is not a file of this batch".to_owned()));
        };
        if (file.rows, file.sha256.as_str()) != (written.rows, written.sha256.as_str()) {
            return Err(changed(
                batch_id,
                &name,
                format!(
                    "the file written ({} rows, SHA-256 {}) is not the batch's file ({} rows, SHA-256 {})",
                    written.rows, written.sha256, file.rows, file.sha256
                ),
            ));
        }
    }
    let files_json = serde_json::to_string(files)
        .map_err(|e| StoreError::Corrupt { what: format!("export batch {batch_id}"), detail: e.to_string() })?;
    let updated = db.execute(
        "UPDATE export_batches SET written_at = ?2, files = ?3 WHERE id = ?1",
        &[&batch_id, &instant(stamp), &files_json],
    )?;
    if updated == 0 {
        return Err(StoreError::NotFound { what: "export batch", id: batch_id });
    }
    let detail = serde_json::json!({ "files": files });
    sealed(db, stamp, Kind::ExportBatch, &batch_id.to_string(), "exported", &detail.to_string())?;
    Ok(())
}

/// Renders batch `batch_id`'s files from its items as the store holds them now and keeps them.
fn freeze(db: &dyn Db, batch_id: i64) -> Result<FrozenBatch, StoreError> {
    let batch = frozen(&export_batch(db, batch_id)?);
    for (position, file) in batch.files.iter().enumerate() {
        let rows = i64::try_from(file.rows).unwrap_or(i64::MAX);
        db.execute(
            "INSERT INTO export_batch_files (batch_id, position, name, bytes, rows, sha256)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            &[&batch_id, &(position as i64), &file.name, &file.bytes, &rows, &file.sha256],
        )?;
    }
    Ok(batch)
}

/// A batch's kept files, `None` if it kept none (claimed before migration 10 and not written since). The
/// batch's seal covers its files' bytes and hashes and its items: an edit of any of them is refused.
fn kept(db: &dyn Db, batch_id: i64) -> Result<Option<FrozenBatch>, StoreError> {
    let sql = "SELECT queue, (SELECT count(*) FROM queue_items q WHERE q.batch_id = b.id) FROM export_batches b
               WHERE b.id = ?1";
    let Some(found) = db.row(sql, &[&batch_id])? else {
        return Err(StoreError::NotFound { what: "export batch", id: batch_id });
    };
    let (queue, items): (String, u64) = (found.get(0)?, found.get(1)?);
    check_id(db, Kind::ExportBatch, batch_id)?;
    let queue = stored("export batch queue", &queue)?;
    let files: Vec<FrozenFile> = db
        .rows(
            "SELECT name, bytes, rows, sha256 FROM export_batch_files WHERE batch_id = ?1 ORDER BY position",
            &[&batch_id],
        )?
        .iter()
        .map(|r| Ok(FrozenFile { name: r.get(0)?, bytes: r.get(1)?, rows: r.get(2)?, sha256: r.get(3)? }))
        .collect::<Result<_, StoreError>>()?;
    if files.is_empty() {
        return Ok(None);
    }
    Ok(Some(FrozenBatch { id: batch_id, queue, items, files }))
}

/// A batch's files as an audit entry names them.
fn files_detail(batch: &FrozenBatch) -> Value {
    batch
        .files
        .iter()
        .map(|file| serde_json::json!({ "name": file.name, "rows": file.rows, "sha256": file.sha256 }))
        .collect()
}

fn recorded_files(batch_id: i64, json: &str) -> Result<Vec<BatchFile>, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt {
        what: format!("export batch {batch_id}"),
        detail: format!("its list of files: {e}"),
    })
}

fn file_name(path: &str) -> String {
    Path::new(path).file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_else(|| path.to_owned())
}

fn changed(batch_id: i64, file: &str, problem: String) -> StoreError {
    StoreError::BatchChanged { batch_id, file: file.to_owned(), problem }
}

pub(super) fn complete_batch(db: &dyn Db, batch_id: i64, reference: &str, stamp: &Stamp) -> Result<u64, StoreError> {
    if !db.exists("SELECT id FROM export_batches WHERE id = ?1", &[&batch_id])? {
        return Err(StoreError::NotFound { what: "export batch", id: batch_id });
    }
    let open: Vec<i64> =
        db.column("SELECT id FROM queue_items WHERE batch_id = ?1 AND status = 'open' ORDER BY id", &[&batch_id])?;
    let reference = reference.trim();
    let detail = serde_json::json!({ "reference": reference, "batch": batch_id }).to_string();
    for &id in &open {
        super::queues::mark_done(db, id, reference, &detail, stamp)?;
    }
    Ok(open.len() as u64)
}

pub(super) fn export_batches(db: &dyn Db, queue: Queue, limit: usize) -> Result<Vec<BatchSummary>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = db.rows(
        "SELECT b.id, b.created_at, b.operator, b.written_at, b.files,
                (SELECT count(*) FROM queue_items q WHERE q.batch_id = b.id),
                (SELECT count(*) FROM queue_items q WHERE q.batch_id = b.id AND q.status = 'open')
         FROM export_batches b WHERE b.queue = ?1 ORDER BY b.id DESC LIMIT ?2",
        &[&queue.as_str(), &limit],
    )?;
    let mut batches = Vec::new();
    for row in rows {
        let id: i64 = row.get(0)?;
        let written_at: Option<String> = row.get(3)?;
        let files: Option<String> = row.get(4)?;
        let written = match (written_at, files) {
            (Some(at), Some(files)) => Some((
                at,
                serde_json::from_str(&files).map_err(|e| StoreError::Corrupt {
                    what: format!("export batch {id}"),
                    detail: format!("its list of files: {e}"),
                })?,
            )),
            _ => None,
        };
        batches.push(BatchSummary {
            id,
            queue,
            created_at: row.get(1)?,
            operator: row.get(2)?,
            items: row.get(5)?,
            open: row.get(6)?,
            written,
        });
    }
    Ok(batches)
}

/// A queue row with its decision's money (refund, store credit) and units (what to ship or send back).
pub(super) fn export_item(db: &dyn Db, row: QueueRow) -> Result<ExportItem, StoreError> {
    let json: String = db.one("SELECT decision_json FROM decisions WHERE id = ?1", &[&row.decision_id])?;
    let saved = RecordedDecision::parse(&json).map_err(|e| StoreError::Corrupt {
        what: format!("decision {} of queue item {}", row.decision_id, row.id),
        detail: e.to_string(),
    })?;
    let money = matches!(row.queue, Queue::Refund | Queue::StoreCredit).then_some(saved.money);
    let units_of = |line: &RecordedLine| match row.queue {
        Queue::Exchange | Queue::Replacement => line.accepted,
        Queue::ReturnToCustomer => line.refused,
        Queue::Refund | Queue::StoreCredit | Queue::Hold => 0,
    };
    let names = "SELECT ol.name FROM queue_items q
                 JOIN packages p ON p.id = q.package_id
                 LEFT JOIN rmas r ON r.id = p.rma_id
                 JOIN order_lines ol ON ol.order_id = COALESCE(r.order_id, p.order_id)
                 WHERE q.id = ?1 AND ol.sku = ?2 ORDER BY ol.position LIMIT 1";
    let mut units = Vec::new();
    for line in saved.lines.iter().filter(|line| units_of(line) > 0) {
        let name: Option<String> = db.value(names, &[&row.id, &line.sku])?;
        units.push(ExportUnits { sku: line.sku.clone(), name: name.unwrap_or_default(), qty: units_of(line) });
    }
    Ok(ExportItem { row, money, units })
}
