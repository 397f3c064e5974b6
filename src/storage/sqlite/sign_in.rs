//! The sign-in lockout's records in SQLite: each name's wrong PINs and lock (migration 8), read for a
//! check and changed in one IMMEDIATE transaction with the audit entries of the change. The rule that
//! decides the change is the domain's ([`crate::domain::lockout`]), given by the caller; this file only
//! reads and writes what it is handed.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::audit_log::append;
use super::rows::stored;
use super::write;
use crate::domain::lockout::NameRecord;
use crate::storage::{SignInChange, Stamp, StoreError};

/// The audit entity of a name's sign-in attempts.
const ENTITY: &str = "sign_in";

pub(super) fn record(conn: &Connection, name_key: &str) -> Result<NameRecord, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT at FROM sign_in_failures WHERE name_key = ?1 ORDER BY at")?;
    let failures = stmt
        .query_map([name_key], |r| r.get::<_, String>(0))?
        .map(|at| instant(&at?))
        .collect::<Result<Vec<_>, _>>()?;
    let locked_until = conn
        .prepare_cached("SELECT locked_until FROM sign_in_locks WHERE name_key = ?1")?
        .query_row([name_key], |r| r.get::<_, String>(0))
        .optional()?
        .map(|until| instant(&until))
        .transpose()?;
    Ok(NameRecord { failures, locked_until })
}

pub(super) fn change(
    conn: &mut Connection,
    name_key: &str,
    stamp: &Stamp,
    change: &mut dyn FnMut(&NameRecord) -> SignInChange,
) -> Result<(), StoreError> {
    let tx = write(conn)?;
    let before = record(&tx, name_key)?;
    let SignInChange { record: after, audit } = change(&before);
    if after != before {
        tx.prepare_cached("DELETE FROM sign_in_failures WHERE name_key = ?1")?.execute([name_key])?;
        let mut insert = tx.prepare_cached("INSERT INTO sign_in_failures (name_key, at) VALUES (?1, ?2)")?;
        for at in &after.failures {
            insert.execute(params![name_key, as_text(*at)])?;
        }
        tx.prepare_cached("DELETE FROM sign_in_locks WHERE name_key = ?1")?.execute([name_key])?;
        if let Some(until) = after.locked_until {
            tx.prepare_cached("INSERT INTO sign_in_locks (name_key, locked_until) VALUES (?1, ?2)")?
                .execute(params![name_key, as_text(until)])?;
        }
    }
    for (action, detail) in &audit {
        append(&tx, stamp, ENTITY, name_key, action, detail)?;
    }
    tx.commit()?;
    Ok(())
}

/// An instant as stored: RFC 3339, UTC, milliseconds (so text order is time order).
fn as_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn instant(text: &str) -> Result<DateTime<Utc>, StoreError> {
    stored("sign-in time", text)
}
