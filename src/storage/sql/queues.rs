//! The work queues: a queue's items (open first, by due date then age), the open count of each
//! queue, and marking an item done (final, audited).

use super::audit_log::instant;
use super::rows::{queue_rows, queue_select};
use super::seal::{check_queue_item, sealed};
use crate::domain::vocabulary::Queue;
use crate::storage::seal::Kind;
use crate::storage::sql::Db;
use crate::storage::{QueueRow, Stamp, StoreError};

pub(super) fn queue_items(
    db: &dyn Db,
    queue: Queue,
    include_done: bool,
    limit: usize,
) -> Result<Vec<QueueRow>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut rows = queue_rows(
        db,
        concat!(
            queue_select!(),
            " WHERE q.queue = ?1 AND q.status = 'open'
              ORDER BY q.due_on IS NULL, q.due_on, q.created_at, q.id LIMIT ?2"
        ),
        &[&queue.as_str(), &limit],
    )?;
    let room = limit.saturating_sub(rows.len() as i64);
    if include_done && room > 0 {
        // The latest done first: the done list is for checking recent work, and it only grows.
        rows.extend(queue_rows(
            db,
            concat!(
                queue_select!(),
                " WHERE q.queue = ?1 AND q.status = 'done' ORDER BY q.done_at DESC, q.id DESC LIMIT ?2"
            ),
            &[&queue.as_str(), &room],
        )?);
    }
    Ok(rows)
}

pub(super) fn open_queue_counts(db: &dyn Db) -> Result<Vec<(Queue, u64)>, StoreError> {
    // One index seek per queue: a GROUP BY over the status would read every done item of the years.
    let sql = "SELECT count(*) FROM queue_items WHERE queue = ?1 AND status = 'open'";
    Queue::ALL.iter().map(|&queue| Ok((queue, db.one::<u64>(sql, &[&queue.as_str()])?))).collect()
}

pub(super) fn complete_queue_item(db: &dyn Db, id: i64, reference: &str, stamp: &Stamp) -> Result<(), StoreError> {
    let found: Option<(String, Option<String>)> = db
        .row("SELECT status, reference FROM queue_items WHERE id = ?1", &[&id])?
        .map(|row| Ok::<_, StoreError>((row.get(0)?, row.get(1)?)))
        .transpose()?;
    match found {
        None => return Err(StoreError::NotFound { what: "queue item", id }),
        Some((status, stored_reference)) if status == "done" => {
            return Err(StoreError::AlreadyDone { id, reference: stored_reference.unwrap_or_default() });
        }
        Some((status, _)) if status == "withdrawn" => return Err(StoreError::Withdrawn { id }),
        Some(_) => {}
    }
    // Trimmed: a reference is pasted or scanned, and a stray space must not make it another reference.
    let reference = reference.trim();
    mark_done(db, id, reference, &serde_json::json!({ "reference": reference }).to_string(), stamp)
}

/// Marks an item done with its reference inside the change's transaction, audited as `done` with `detail`: the one way an item
/// is done (by hand, by its batch, or as a hold decided again). Refused on an item, or records it rests on,
/// that the chain does not vouch for: paying it would settle money nobody decided.
pub(super) fn mark_done(db: &dyn Db, id: i64, reference: &str, detail: &str, stamp: &Stamp) -> Result<(), StoreError> {
    check_queue_item(db, id)?;
    db.execute(
        "UPDATE queue_items SET status = 'done', reference = ?2, done_at = ?3 WHERE id = ?1",
        &[&id, &reference, &instant(stamp)],
    )?;
    sealed(db, stamp, Kind::QueueItem, &id.to_string(), "done", detail)?;
    Ok(())
}
