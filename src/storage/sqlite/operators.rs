//! Operators and station settings in SQLite: the operator list (PIN hashes only, never audited), adding an
//! operator, and a station's own settings (audited as `station_setting/<key>@<station>`).

use rusqlite::{Connection, OptionalExtension, params};

use super::rows::stored;
use super::seal::{check_id, sealed};
use super::write;
use crate::domain::vocabulary::Role;
use crate::storage::seal::{Kind, setting_id};
use crate::storage::{OperatorRow, Stamp, StoreError};

/// Every operator, each checked against its seal: a role or PIN set outside the station (a clerk promoted by
/// hand) is refused, so nobody signs in or approves on authority the chain does not vouch for.
pub(super) fn operators(conn: &Connection) -> Result<Vec<OperatorRow>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT id, name, role, pin_hash, active FROM operators ORDER BY name, id")?;
    let mut rows = stmt.query([])?;
    let mut operators = Vec::new();
    while let Some(row) = rows.next()? {
        check_id(conn, Kind::Operator, row.get(0)?)?;
        let role: String = row.get(2)?;
        operators.push(OperatorRow {
            id: row.get(0)?,
            name: row.get(1)?,
            role: stored("operator role", &role)?,
            pin_hash: row.get(3)?,
            active: row.get(4)?,
        });
    }
    Ok(operators)
}

pub(super) fn add_operator(
    conn: &mut Connection,
    name: &str,
    role: Role,
    pin_hash: &str,
    stamp: &Stamp,
) -> Result<i64, StoreError> {
    let tx = write(conn)?;
    // Asked inside the write transaction, so no other station can take the name in between; the UNIQUE
    // constraint stays the last word.
    if tx.prepare_cached("SELECT 1 FROM operators WHERE name = ?1")?.exists([name])? {
        return Err(StoreError::OperatorExists { name: name.to_owned() });
    }
    tx.prepare_cached("INSERT INTO operators (name, role, pin_hash, active) VALUES (?1, ?2, ?3, 1)")?
        .execute(params![name, role.as_str(), pin_hash])?;
    let id = tx.last_insert_rowid();
    // The PIN hash stays out of the audit log: the log is shown on screens and exported.
    let detail = serde_json::json!({ "name": name, "role": role.as_str() });
    sealed(&tx, stamp, Kind::Operator, &id.to_string(), "added", &detail.to_string())?;
    tx.commit()?;
    Ok(id)
}

pub(super) fn set_pin_hash(
    conn: &mut Connection,
    operator_id: i64,
    pin_hash: &str,
    action: &str,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    let tx = write(conn)?;
    check_id(&tx, Kind::Operator, operator_id)?;
    let name: String = tx
        .prepare_cached("SELECT name FROM operators WHERE id = ?1")?
        .query_row([operator_id], |r| r.get(0))
        .optional()?
        .ok_or(StoreError::NotFound { what: "operator", id: operator_id })?;
    tx.prepare_cached("UPDATE operators SET pin_hash = ?2 WHERE id = ?1")?.execute(params![operator_id, pin_hash])?;
    let detail = serde_json::json!({ "name": name });
    sealed(&tx, stamp, Kind::Operator, &operator_id.to_string(), action, &detail.to_string())?;
    tx.commit()?;
    Ok(())
}

pub(super) fn station_setting(conn: &Connection, station: &str, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT value FROM station_settings WHERE station = ?1 AND key = ?2")?
        .query_row(params![station, key], |r| r.get(0))
        .optional()?)
}

pub(super) fn set_station_setting(
    conn: &mut Connection,
    key: &str,
    value: &str,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    let tx = write(conn)?;
    tx.prepare_cached(
        "INSERT INTO station_settings (station, key, value) VALUES (?1, ?2, ?3)
         ON CONFLICT (station, key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![stamp.station, key, value])?;
    let detail = serde_json::json!({ "key": key, "value": value });
    let id = setting_id(&stamp.station, key);
    sealed(&tx, stamp, Kind::StationSetting, &id, "setting_changed", &detail.to_string())?;
    tx.commit()?;
    Ok(())
}
