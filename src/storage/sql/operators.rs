//! Operators and station settings: the operator list (PIN hashes only, never audited), adding an
//! operator, and a station's own settings (audited as `station_setting/<key>@<station>`).

use super::rows::stored;
use super::seal::{check_id, sealed};
use crate::domain::vocabulary::Role;
use crate::storage::seal::{Kind, setting_id};
use crate::storage::sql::Db;
use crate::storage::{OperatorRow, Stamp, StoreError};

/// Every operator, each checked against its seal: a role or PIN set outside the station (a clerk promoted by
/// hand) is refused, so nobody signs in or approves on authority the chain does not vouch for.
pub(super) fn operators(db: &dyn Db) -> Result<Vec<OperatorRow>, StoreError> {
    let rows = db.rows("SELECT id, name, role, pin_hash, active FROM operators ORDER BY name, id", &[])?;
    let mut operators = Vec::new();
    for row in rows {
        check_id(db, Kind::Operator, row.get(0)?)?;
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
    db: &dyn Db,
    name: &str,
    role: Role,
    pin_hash: &str,
    stamp: &Stamp,
) -> Result<i64, StoreError> {
    // Asked inside the write transaction, so no other station can take the name in between; the UNIQUE
    // constraint stays the last word.
    if db.exists("SELECT 1 FROM operators WHERE name = ?1", &[&name])? {
        return Err(StoreError::OperatorExists { name: name.to_owned() });
    }
    let id = db.insert(
        "INSERT INTO operators (name, role, pin_hash, active) VALUES (?1, ?2, ?3, 1) RETURNING id",
        &[&name, &role.as_str(), &pin_hash],
    )?;
    // The PIN hash stays out of the audit log: the log is shown on screens and exported.
    let detail = serde_json::json!({ "name": name, "role": role.as_str() });
    sealed(db, stamp, Kind::Operator, &id.to_string(), "added", &detail.to_string())?;
    Ok(id)
}

pub(super) fn set_pin_hash(
    db: &dyn Db,
    operator_id: i64,
    pin_hash: &str,
    action: &str,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    check_id(db, Kind::Operator, operator_id)?;
    let name: String = db
        .value("SELECT name FROM operators WHERE id = ?1", &[&operator_id])?
        .ok_or(StoreError::NotFound { what: "operator", id: operator_id })?;
    db.execute("UPDATE operators SET pin_hash = ?2 WHERE id = ?1", &[&operator_id, &pin_hash])?;
    let detail = serde_json::json!({ "name": name });
    sealed(db, stamp, Kind::Operator, &operator_id.to_string(), action, &detail.to_string())?;
    Ok(())
}

pub(super) fn station_setting(db: &dyn Db, station: &str, key: &str) -> Result<Option<String>, StoreError> {
    db.value("SELECT value FROM station_settings WHERE station = ?1 AND key = ?2", &[&station, &key])
}

pub(super) fn set_station_setting(db: &dyn Db, key: &str, value: &str, stamp: &Stamp) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO station_settings (station, key, value) VALUES (?1, ?2, ?3)
         ON CONFLICT (station, key) DO UPDATE SET value = excluded.value",
        &[&stamp.station, &key, &value],
    )?;
    let detail = serde_json::json!({ "key": key, "value": value });
    let id = setting_id(&stamp.station, key);
    sealed(db, stamp, Kind::StationSetting, &id, "setting_changed", &detail.to_string())?;
    Ok(())
}
