//! The sign-in lockout's records: each name's wrong PINs and lock (migration 8), read for a
//! check and changed in the store's write transaction with the audit entries of the change. The rule that
//! decides the change is the domain's ([`crate::domain::lockout`]), given by the caller; this file only
//! reads and writes what it is handed.

use chrono::{DateTime, SecondsFormat, Utc};

use super::audit_log::append;
use super::rows::stored;
use crate::domain::lockout::NameRecord;
use crate::storage::sql::Db;
use crate::storage::{SignInChange, Stamp, StoreError};

/// The audit entity of a name's sign-in attempts.
const ENTITY: &str = "sign_in";

pub(super) fn record(db: &dyn Db, name_key: &str) -> Result<NameRecord, StoreError> {
    let failures = db
        .column::<String>("SELECT at FROM sign_in_failures WHERE name_key = ?1 ORDER BY at", &[&name_key])?
        .iter()
        .map(|at| instant(at))
        .collect::<Result<Vec<_>, _>>()?;
    let locked_until = db
        .value::<String>("SELECT locked_until FROM sign_in_locks WHERE name_key = ?1", &[&name_key])?
        .map(|until| instant(&until))
        .transpose()?;
    Ok(NameRecord { failures, locked_until })
}

pub(super) fn change(
    db: &dyn Db,
    name_key: &str,
    stamp: &Stamp,
    change: &mut dyn FnMut(&NameRecord) -> SignInChange,
) -> Result<(), StoreError> {
    let before = record(db, name_key)?;
    let SignInChange { record: after, audit } = change(&before);
    if after != before {
        db.execute("DELETE FROM sign_in_failures WHERE name_key = ?1", &[&name_key])?;
        for at in &after.failures {
            db.execute("INSERT INTO sign_in_failures (name_key, at) VALUES (?1, ?2)", &[&name_key, &as_text(*at)])?;
        }
        db.execute("DELETE FROM sign_in_locks WHERE name_key = ?1", &[&name_key])?;
        if let Some(until) = after.locked_until {
            db.execute(
                "INSERT INTO sign_in_locks (name_key, locked_until) VALUES (?1, ?2)",
                &[&name_key, &as_text(until)],
            )?;
        }
    }
    for (action, detail) in &audit {
        append(db, stamp, ENTITY, name_key, action, detail)?;
    }
    Ok(())
}

/// An instant as stored: RFC 3339, UTC, milliseconds (so text order is time order).
fn as_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn instant(text: &str) -> Result<DateTime<Utc>, StoreError> {
    stored("sign-in time", text)
}
