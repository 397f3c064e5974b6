//! Leases on packages: which bench has a package open, read, taken (or renewed, or taken over by a supervisor)
//! and released, and the check every change to a package makes in its transaction. The rule is the domain's
//! ([`crate::domain::lease`]); the times are the stamps'.

use chrono::{DateTime, SecondsFormat, Utc};

use super::audit_log::append;
use super::rows::stored;
use crate::domain::lease::Lease;
use crate::storage::changes::Heard;
use crate::storage::sql::{Db, announce};
use crate::storage::{Stamp, StoreError};

pub(super) fn lease(db: &dyn Db, package_id: i64) -> Result<Option<Lease>, StoreError> {
    let row =
        db.row("SELECT station, operator, since, until FROM package_leases WHERE package_id = ?1", &[&package_id])?;
    row.map(|row| {
        Ok(Lease {
            package_id,
            station: row.get(0)?,
            operator: row.get(1)?,
            since: instant(&row.get::<String>(2)?)?,
            until: instant(&row.get::<String>(3)?)?,
        })
    })
    .transpose()
}

/// Refuses a change to the package while another bench's lease on it holds.
pub(super) fn check(db: &dyn Db, package_id: i64, stamp: &Stamp) -> Result<(), StoreError> {
    match lease(db, package_id)? {
        Some(lease) if !lease.allows(&stamp.station, stamp.at) => Err(StoreError::HeldElsewhere(lease)),
        _ => Ok(()),
    }
}

/// [`check`] for the package an inspection is of.
pub(super) fn check_inspection(db: &dyn Db, inspection_id: i64, stamp: &Stamp) -> Result<(), StoreError> {
    match db.value::<i64>("SELECT package_id FROM inspections WHERE id = ?1", &[&inspection_id])? {
        Some(package_id) => check(db, package_id, stamp),
        None => Ok(()),
    }
}

/// Takes (or renews) the lease for the stamp's bench. Another bench's lease that still holds is refused, unless
/// a supervisor takes it over (`take_over`: the reason, audited with whom it was taken from). A lease that
/// changes hands is audited; a renewal is not.
pub(super) fn take(db: &dyn Db, package_id: i64, take_over: Option<&str>, stamp: &Stamp) -> Result<Lease, StoreError> {
    if !db.exists("SELECT 1 FROM packages WHERE id = ?1", &[&package_id])? {
        return Err(StoreError::NotFound { what: "package", id: package_id });
    }
    let before = lease(db, package_id)?;
    let held_elsewhere = before.as_ref().filter(|lease| !lease.allows(&stamp.station, stamp.at));
    match (held_elsewhere, take_over) {
        (Some(lease), None) => return Err(StoreError::HeldElsewhere(lease.clone())),
        (Some(lease), Some(reason)) => {
            let detail = serde_json::json!({
                "from_station": lease.station, "from_operator": lease.operator, "reason": reason,
            });
            append(db, stamp, "package", &package_id.to_string(), "lease_taken_over", &detail.to_string())?;
        }
        (None, _) => {}
    }
    let lease = Lease::taken(before.as_ref(), package_id, &stamp.station, &stamp.operator, stamp.at);
    let renewal = before.as_ref().is_some_and(|held| held.station == stamp.station && held.holds(stamp.at));
    if !renewal {
        announce(db, &Heard::Lease(package_id))?;
    }
    db.execute(
        "INSERT INTO package_leases (package_id, station, operator, since, until) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (package_id) DO UPDATE SET station = excluded.station, operator = excluded.operator,
             since = excluded.since, until = excluded.until",
        &[&package_id, &lease.station, &lease.operator, &text(lease.since), &text(lease.until)],
    )?;
    Ok(lease)
}

/// Gives the package up, if the stamp's bench holds it.
pub(super) fn release(db: &dyn Db, package_id: i64, stamp: &Stamp) -> Result<(), StoreError> {
    let released = db
        .execute("DELETE FROM package_leases WHERE package_id = ?1 AND station = ?2", &[&package_id, &stamp.station])?;
    if released > 0 {
        announce(db, &Heard::Lease(package_id))?;
    }
    Ok(())
}

fn text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn instant(text: &str) -> Result<DateTime<Utc>, StoreError> {
    stored("lease time", text)
}
