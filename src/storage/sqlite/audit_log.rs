//! The audit log in SQLite: appending a chained entry inside the transaction of the change it records,
//! and reading entries, the head and the hash at a number. The chain's rules (what an entry's hash covers)
//! are `crate::storage::audit`'s.

use chrono::SecondsFormat;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::write;
use crate::storage::audit::{AuditEntry, AuditHead, GENESIS, entry_hash};
use crate::storage::{Stamp, StoreError};

pub(super) fn append_own(
    conn: &mut Connection,
    stamp: &Stamp,
    entity: &str,
    entity_id: &str,
    action: &str,
    detail: &str,
) -> Result<AuditEntry, StoreError> {
    let tx = write(conn)?;
    let entry = append(&tx, stamp, entity, entity_id, action, detail)?;
    tx.commit()?;
    Ok(entry)
}

/// The columns of an [`AuditEntry`], in the order [`audit_row`] reads them.
macro_rules! audit_columns {
    () => {
        "seq, at, station, actor, entity, entity_id, action, detail, prev_hash, hash, content"
    };
}
pub(super) use audit_columns;

pub(super) fn entries(conn: &Connection, entity: &str, entity_id: &str) -> Result<Vec<AuditEntry>, StoreError> {
    let mut stmt = conn.prepare_cached(concat!(
        "SELECT ",
        audit_columns!(),
        " FROM audit_log WHERE entity = ?1 AND entity_id = ?2 ORDER BY seq"
    ))?;
    let entries = stmt.query_map(params![entity, entity_id], audit_row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(entries)
}

pub(super) fn hash_at(conn: &Connection, seq: i64) -> Result<Option<String>, StoreError> {
    if seq == 0 {
        return Ok(Some(GENESIS.to_owned()));
    }
    Ok(conn.prepare_cached("SELECT hash FROM audit_log WHERE seq = ?1")?.query_row([seq], |r| r.get(0)).optional()?)
}

/// Appends an audit entry inside `tx`, chained to the last one. An entry of a change to a record bound to
/// the chain is written by `seal::sealed` instead, which seals the record.
pub(super) fn append(
    tx: &Transaction<'_>,
    stamp: &Stamp,
    entity: &str,
    entity_id: &str,
    action: &str,
    detail: &str,
) -> Result<AuditEntry, StoreError> {
    append_entry(tx, stamp, entity, entity_id, action, detail, None)
}

/// Appends an audit entry that carries the seal of the record it changed.
pub(super) fn append_sealed(
    tx: &Transaction<'_>,
    stamp: &Stamp,
    entity: &str,
    entity_id: &str,
    action: &str,
    detail: &str,
    seal: &str,
) -> Result<AuditEntry, StoreError> {
    append_entry(tx, stamp, entity, entity_id, action, detail, Some(seal.to_owned()))
}

fn append_entry(
    tx: &Transaction<'_>,
    stamp: &Stamp,
    entity: &str,
    entity_id: &str,
    action: &str,
    detail: &str,
    content: Option<String>,
) -> Result<AuditEntry, StoreError> {
    let last: Option<(i64, String)> = tx
        .query_row("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, prev_hash) = last.map_or((1, GENESIS.to_owned()), |(seq, hash)| (seq + 1, hash));
    let mut entry = AuditEntry {
        seq,
        at: instant(stamp),
        station: stamp.station.clone(),
        actor: stamp.operator.clone(),
        entity: entity.to_owned(),
        entity_id: entity_id.to_owned(),
        action: action.to_owned(),
        detail: detail.to_owned(),
        content,
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry_hash(&entry.prev_hash, &entry);
    tx.prepare_cached(
        "INSERT INTO audit_log (seq, at, station, actor, entity, entity_id, action, detail, prev_hash, hash, content)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        entry.seq,
        entry.at,
        entry.station,
        entry.actor,
        entry.entity,
        entry.entity_id,
        entry.action,
        entry.detail,
        entry.prev_hash,
        entry.hash,
        entry.content
    ])?;
    Ok(entry)
}

/// A stamp's instant as stored: RFC 3339, UTC, milliseconds.
pub(super) fn instant(stamp: &Stamp) -> String {
    stamp.at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(super) fn audit_row(r: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.get(0)?,
        at: r.get(1)?,
        station: r.get(2)?,
        actor: r.get(3)?,
        entity: r.get(4)?,
        entity_id: r.get(5)?,
        action: r.get(6)?,
        detail: r.get(7)?,
        prev_hash: r.get(8)?,
        hash: r.get(9)?,
        content: r.get(10)?,
    })
}

/// The log's latest entry (one index seek), or the genesis head of an empty log.
pub(super) fn head(conn: &Connection) -> Result<AuditHead, StoreError> {
    let last = conn
        .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok(AuditHead { seq: r.get(0)?, hash: r.get(1)? }))
        .optional()?;
    Ok(last.unwrap_or_else(|| AuditHead { seq: 0, hash: GENESIS.to_owned() }))
}
