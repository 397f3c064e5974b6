//! Export batches in SQLite: claiming a queue's open items into a batch (each item once, ever), a batch with
//! each item's money and units read from its saved decision, recording a batch's files, completing a batch,
//! and a queue's latest batches.

use rusqlite::{Connection, OptionalExtension, params};

use super::audit_log::{append, instant};
use super::rows::{queue_rows, queue_select, stored};
use super::write;
use crate::domain::vocabulary::Queue;
use crate::formats::case_json::{RecordedDecision, RecordedLine};
use crate::storage::{BatchFile, BatchSummary, ExportBatch, ExportItem, ExportUnits, QueueRow, Stamp, StoreError};

pub(super) fn claim_export_batch(
    conn: &mut Connection,
    queue: Queue,
    stamp: &Stamp,
) -> Result<Option<i64>, StoreError> {
    if queue == Queue::Hold {
        return Err(StoreError::NotBatched { queue });
    }
    let tx = write(conn)?;
    let waiting: Vec<i64> = tx
        .prepare_cached(
            "SELECT id FROM queue_items WHERE queue = ?1 AND status = 'open' AND batch_id IS NULL ORDER BY id",
        )?
        .query_map([queue.as_str()], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if waiting.is_empty() {
        return Ok(None);
    }
    tx.prepare_cached("INSERT INTO export_batches (queue, created_at, operator, station) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![queue.as_str(), instant(stamp), stamp.operator, stamp.station])?;
    let batch_id = tx.last_insert_rowid();
    // The same condition as the select, in the same IMMEDIATE transaction: no other station can have
    // claimed any of them in between.
    let claimed = tx
        .prepare_cached(
            "UPDATE queue_items SET batch_id = ?1 WHERE queue = ?2 AND status = 'open' AND batch_id IS NULL",
        )?
        .execute(params![batch_id, queue.as_str()])?;
    let detail = serde_json::json!({ "queue": queue.as_str(), "items": waiting });
    debug_assert_eq!(claimed, waiting.len());
    append(&tx, stamp, "export_batch", &batch_id.to_string(), "claimed", &detail.to_string())?;
    tx.commit()?;
    Ok(Some(batch_id))
}

pub(super) fn export_batch(conn: &Connection, batch_id: i64) -> Result<ExportBatch, StoreError> {
    let found: Option<(String, String, String, String)> = conn
        .prepare_cached("SELECT queue, created_at, operator, station FROM export_batches WHERE id = ?1")?
        .query_row([batch_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    let Some((queue, created_at, operator, station)) = found else {
        return Err(StoreError::NotFound { what: "export batch", id: batch_id });
    };
    let queue: Queue = stored("export batch queue", &queue)?;
    let rows = queue_rows(conn, concat!(queue_select!(), " WHERE q.batch_id = ?1 ORDER BY q.id"), [batch_id])?;
    let items = rows.into_iter().map(|row| export_item(conn, row)).collect::<Result<_, _>>()?;
    Ok(ExportBatch { id: batch_id, queue, created_at, operator, station, items })
}

pub(super) fn record_batch_written(
    conn: &mut Connection,
    batch_id: i64,
    files: &[BatchFile],
    stamp: &Stamp,
) -> Result<(), StoreError> {
    let tx = write(conn)?;
    let files_json = serde_json::to_string(files)
        .map_err(|e| StoreError::Corrupt { what: format!("export batch {batch_id}"), detail: e.to_string() })?;
    let updated = tx
        .prepare_cached("UPDATE export_batches SET written_at = ?2, files = ?3 WHERE id = ?1")?
        .execute(params![batch_id, instant(stamp), files_json])?;
    if updated == 0 {
        return Err(StoreError::NotFound { what: "export batch", id: batch_id });
    }
    let detail = serde_json::json!({ "files": files });
    append(&tx, stamp, "export_batch", &batch_id.to_string(), "exported", &detail.to_string())?;
    tx.commit()?;
    Ok(())
}

pub(super) fn complete_batch(
    conn: &mut Connection,
    batch_id: i64,
    reference: &str,
    stamp: &Stamp,
) -> Result<u64, StoreError> {
    let tx = write(conn)?;
    let known: Option<i64> = tx
        .prepare_cached("SELECT id FROM export_batches WHERE id = ?1")?
        .query_row([batch_id], |r| r.get(0))
        .optional()?;
    if known.is_none() {
        return Err(StoreError::NotFound { what: "export batch", id: batch_id });
    }
    let open: Vec<i64> = tx
        .prepare_cached("SELECT id FROM queue_items WHERE batch_id = ?1 AND status = 'open' ORDER BY id")?
        .query_map([batch_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let reference = reference.trim();
    let detail = serde_json::json!({ "reference": reference, "batch": batch_id }).to_string();
    for id in &open {
        tx.prepare_cached("UPDATE queue_items SET status = 'done', reference = ?2, done_at = ?3 WHERE id = ?1")?
            .execute(params![id, reference, instant(stamp)])?;
        append(&tx, stamp, "queue_item", &id.to_string(), "done", &detail)?;
    }
    tx.commit()?;
    Ok(open.len() as u64)
}

pub(super) fn export_batches(conn: &Connection, queue: Queue, limit: usize) -> Result<Vec<BatchSummary>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare_cached(
        "SELECT b.id, b.created_at, b.operator, b.written_at, b.files,
                (SELECT count(*) FROM queue_items q WHERE q.batch_id = b.id),
                (SELECT count(*) FROM queue_items q WHERE q.batch_id = b.id AND q.status = 'open')
         FROM export_batches b WHERE b.queue = ?1 ORDER BY b.id DESC LIMIT ?2",
    )?;
    let mut rows = stmt.query(params![queue.as_str(), limit])?;
    let mut batches = Vec::new();
    while let Some(row) = rows.next()? {
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
            items: row.get::<_, i64>(5)?.unsigned_abs(),
            open: row.get::<_, i64>(6)?.unsigned_abs(),
            written,
        });
    }
    Ok(batches)
}

/// A queue row with its decision's money (refund, store credit) and units (what to ship or send back).
pub(super) fn export_item(conn: &Connection, row: QueueRow) -> Result<ExportItem, StoreError> {
    let json: String = conn
        .prepare_cached("SELECT decision_json FROM decisions WHERE id = ?1")?
        .query_row([row.decision_id], |r| r.get(0))?;
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
    let mut names = conn.prepare_cached(
        "SELECT ol.name FROM queue_items q
         JOIN packages p ON p.id = q.package_id
         LEFT JOIN rmas r ON r.id = p.rma_id
         JOIN order_lines ol ON ol.order_id = COALESCE(r.order_id, p.order_id)
         WHERE q.id = ?1 AND ol.sku = ?2 ORDER BY ol.position LIMIT 1",
    )?;
    let mut units = Vec::new();
    for line in saved.lines.iter().filter(|line| units_of(line) > 0) {
        let name: Option<String> = names.query_row(params![row.id, line.sku], |r| r.get(0)).optional()?;
        units.push(ExportUnits { sku: line.sku.clone(), name: name.unwrap_or_default(), qty: units_of(line) });
    }
    Ok(ExportItem { row, money, units })
}
