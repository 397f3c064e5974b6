//! The audit log: appending a chained entry inside the transaction of the change it records, and reading
//! entries, the head and the hash at a number. The chain's rules (what an entry's hash covers) are
//! `crate::storage::audit`'s.

use chrono::SecondsFormat;

use crate::storage::audit::{AuditEntry, AuditHead, GENESIS, entry_hash};
use crate::storage::sql::{Db, Row};
use crate::storage::{Stamp, StoreError};

/// The columns of an [`AuditEntry`], in the order [`audit_entry`] reads them.
macro_rules! audit_columns {
    () => {
        "seq, at, station, actor, entity, entity_id, action, detail, prev_hash, hash, content"
    };
}
pub(super) use audit_columns;

pub(super) fn entries(db: &dyn Db, entity: &str, entity_id: &str) -> Result<Vec<AuditEntry>, StoreError> {
    let sql = concat!("SELECT ", audit_columns!(), " FROM audit_log WHERE entity = ?1 AND entity_id = ?2 ORDER BY seq");
    db.rows(sql, &[&entity, &entity_id])?.iter().map(audit_entry).collect()
}

pub(super) fn hash_at(db: &dyn Db, seq: i64) -> Result<Option<String>, StoreError> {
    if seq == 0 {
        return Ok(Some(GENESIS.to_owned()));
    }
    db.value("SELECT hash FROM audit_log WHERE seq = ?1", &[&seq])
}

/// Appends an audit entry inside the change's transaction, chained to the last one. An entry of a change to a
/// record bound to the chain is written by `seal::sealed` instead, which seals the record.
pub(super) fn append(
    db: &dyn Db,
    stamp: &Stamp,
    entity: &str,
    entity_id: &str,
    action: &str,
    detail: &str,
) -> Result<AuditEntry, StoreError> {
    append_entry(db, stamp, [entity, entity_id, action, detail], None)
}

/// Appends an audit entry that carries the seal of the record it changed.
pub(super) fn append_sealed(
    db: &dyn Db,
    stamp: &Stamp,
    entity: &str,
    entity_id: &str,
    action: &str,
    detail: &str,
    seal: &str,
) -> Result<AuditEntry, StoreError> {
    append_entry(db, stamp, [entity, entity_id, action, detail], Some(seal.to_owned()))
}

fn append_entry(
    db: &dyn Db,
    stamp: &Stamp,
    [entity, entity_id, action, detail]: [&str; 4],
    content: Option<String>,
) -> Result<AuditEntry, StoreError> {
    let head = head(db)?;
    let mut entry = AuditEntry {
        seq: head.seq + 1,
        at: instant(stamp),
        station: stamp.station.clone(),
        actor: stamp.operator.clone(),
        entity: entity.to_owned(),
        entity_id: entity_id.to_owned(),
        action: action.to_owned(),
        detail: detail.to_owned(),
        content,
        prev_hash: head.hash,
        hash: String::new(),
    };
    entry.hash = entry_hash(&entry.prev_hash, &entry);
    db.execute(
        "INSERT INTO audit_log (seq, at, station, actor, entity, entity_id, action, detail, prev_hash, hash, content)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        &[
            &entry.seq,
            &entry.at,
            &entry.station,
            &entry.actor,
            &entry.entity,
            &entry.entity_id,
            &entry.action,
            &entry.detail,
            &entry.prev_hash,
            &entry.hash,
            &entry.content,
        ],
    )?;
    Ok(entry)
}

/// A stamp's instant as stored: RFC 3339, UTC, milliseconds.
pub(super) fn instant(stamp: &Stamp) -> String {
    stamp.at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// An entry from a row of [`audit_columns`].
pub(super) fn audit_entry(row: &Row) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        seq: row.get(0)?,
        at: row.get(1)?,
        station: row.get(2)?,
        actor: row.get(3)?,
        entity: row.get(4)?,
        entity_id: row.get(5)?,
        action: row.get(6)?,
        detail: row.get(7)?,
        prev_hash: row.get(8)?,
        hash: row.get(9)?,
        content: row.get(10)?,
    })
}

/// The log's latest entry (one index seek), or the genesis head of an empty log.
pub(super) fn head(db: &dyn Db) -> Result<AuditHead, StoreError> {
    let last = db.row("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", &[])?;
    match last {
        Some(row) => Ok(AuditHead { seq: row.get(0)?, hash: row.get(1)? }),
        None => Ok(AuditHead { seq: 0, hash: GENESIS.to_owned() }),
    }
}
