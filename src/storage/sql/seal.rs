//! Seals in SQLite: each bound kind's columns and child rows as the seal reads them, a record's seal now, the
//! check a change makes before it touches a record (and packets and exports before they print one), and
//! `verify`'s pass over every record and every sealing entry. The encoding is `crate::storage::seal`'s.

use super::audit_log::append_sealed;
use crate::storage::seal::{ABSENT, Breach, Kind, Sealer, Unsound, Value as Sealed, judge};
use crate::storage::sql::{Db, Row, Value};
use crate::storage::{Stamp, StoreError};

/// The most problems of one kind `verify` reports: a badly broken file must not print a line per row.
const REPORTED: usize = 20;

/// Where a kind's records are: the table, the record id as the audit log writes it, the row's sealed
/// columns, and its child lists (name and query), each selected by the id as `?1`.
struct Layout {
    table: &'static str,
    id: &'static str,
    row: &'static str,
    lists: &'static [(&'static str, &'static str)],
}

fn layout(kind: Kind) -> Layout {
    match kind {
        Kind::Order => Layout {
            table: "orders",
            id: "CAST(id AS TEXT)",
            row: "SELECT merchant, number, channel, status, customer_name, customer_email, country, ship_to, currency,
                         purchased_on, delivered_on, shipping_cents, gifted, payment_reference, referral_minimum_cents,
                         referral_lifetime_cents
                  FROM orders WHERE id = ?1",
            lists: &[(
                "lines",
                "SELECT position, sku, name, category, qty, unit_price_cents, on_sale, special_order, gift_card
                 FROM order_lines WHERE order_id = ?1 ORDER BY position",
            )],
        },
        Kind::Rma => Layout {
            table: "rmas",
            id: "CAST(id AS TEXT)",
            row: "SELECT merchant, number, order_id, kind, resolution, requested_on, defective_on_arrival,
                         return_label_cents, note
                  FROM rmas WHERE id = ?1",
            lists: &[("tracking", "SELECT tracking_key FROM rma_tracking WHERE rma_id = ?1 ORDER BY tracking_key")],
        },
        Kind::Package => Layout {
            table: "packages",
            id: "CAST(id AS TEXT)",
            row:
                "SELECT scanned_code, scanned_kind, received_at, station, operator, rma_id, order_id, quarantined, note
                  FROM packages WHERE id = ?1",
            lists: &[],
        },
        Kind::Inspection => Layout {
            table: "inspections",
            id: "CAST(id AS TEXT)",
            row: "SELECT package_id, received_on, original_owner, commercial_use, proof_of_purchase, operator, station,
                         saved_at
                  FROM inspections WHERE id = ?1",
            lists: &[(
                "items",
                "SELECT position, sku, name, category, expected, ordered, qty, serial, condition, sticker,
                        disassembled, packaging, defect, damage_cause, notes
                 FROM inspection_items WHERE inspection_id = ?1 ORDER BY position",
            )],
        },
        Kind::Photo => Layout {
            table: "photos",
            id: "CAST(id AS TEXT)",
            row: "SELECT sha256, inspection_id, item_position, checkpoint, bytes, width, height, taken_at, camera_make,
                         camera_model, orientation, operator, station, imported_at
                  FROM photos WHERE id = ?1",
            lists: &[],
        },
        Kind::Decision => Layout {
            table: "decisions",
            id: "CAST(id AS TEXT)",
            row: "SELECT package_id, inspection_id, verdict, disposition, net_cents, decision_json, policy_sha256,
                         decided_on, operator, station, override_reason, approved_by, withdrawn_at, withdrawn_by,
                         withdrawn_reason
                  FROM decisions WHERE id = ?1",
            lists: &[],
        },
        // An item's batch is the batch's: claiming items into a batch seals the batch with their ids.
        Kind::QueueItem => Layout {
            table: "queue_items",
            id: "CAST(id AS TEXT)",
            row: "SELECT queue, package_id, decision_id, amount_cents, paid_before_cents, due_on, detail, code, status,
                         reference, created_at, done_at
                  FROM queue_items WHERE id = ?1",
            lists: &[],
        },
        Kind::ExportBatch => Layout {
            table: "export_batches",
            id: "CAST(id AS TEXT)",
            row: "SELECT queue, created_at, operator, station, written_at, files FROM export_batches WHERE id = ?1",
            lists: &[
                ("items", "SELECT id FROM queue_items WHERE batch_id = ?1 ORDER BY id"),
                (
                    "files",
                    "SELECT position, name, bytes, rows, sha256 FROM export_batch_files WHERE batch_id = ?1
                     ORDER BY position",
                ),
            ],
        },
        Kind::Operator => Layout {
            table: "operators",
            id: "CAST(id AS TEXT)",
            row: "SELECT name, role, pin_hash, active FROM operators WHERE id = ?1",
            lists: &[],
        },
        Kind::StationSetting => Layout {
            table: "station_settings",
            id: "key || '@' || station",
            row: "SELECT station, key, value FROM station_settings WHERE key || '@' || station = ?1",
            lists: &[],
        },
    }
}

/// The record's seal as it is stored now; `None` when it is not there.
pub(super) fn seal_now(db: &dyn Db, kind: Kind, id: &str) -> Result<Option<String>, StoreError> {
    let layout = layout(kind);
    let key = key(kind, id);
    let Some(row) = db.row(layout.row, &[&key])? else { return Ok(None) };
    let mut sealer = Sealer::new(kind);
    seal_row(&mut sealer, &row);
    for (name, sql) in layout.lists {
        sealer.list(name);
        db.each(sql, &[&key], &mut |row| {
            seal_row(&mut sealer, &row);
            Ok(())
        })?;
    }
    Ok(Some(sealer.finish()))
}

/// The id bound as the queries compare it: a number for a numbered record (a text would not match an
/// integer key), the text for a setting.
fn key(kind: Kind, id: &str) -> Value {
    match (kind, id.parse::<i64>()) {
        (Kind::StationSetting, _) | (_, Err(_)) => Value::Text(id.to_owned()),
        (_, Ok(number)) => Value::Integer(number),
    }
}

fn seal_row(sealer: &mut Sealer, row: &Row) {
    let values: Vec<Sealed<'_>> = row
        .values()
        .iter()
        .map(|value| match value {
            Value::Null => Sealed::Null,
            Value::Integer(n) => Sealed::Integer(*n),
            Value::Real(x) => Sealed::Real(*x),
            Value::Text(text) => Sealed::Text(text),
            Value::Blob(bytes) => Sealed::Bytes(bytes),
        })
        .collect();
    sealer.row(&values);
}

/// The latest entry that sealed the record, as `(seq, seal)`.
fn latest_seal(db: &dyn Db, kind: Kind, id: &str) -> Result<Option<(i64, String)>, StoreError> {
    let sql = "SELECT seq, content FROM audit_log WHERE entity = ?1 AND entity_id = ?2 AND content IS NOT NULL
               ORDER BY seq DESC LIMIT 1";
    db.row(sql, &[&kind.entity(), &id])?.map(|row| Ok((row.get(0)?, row.get(1)?))).transpose()
}

/// Whether the record is what its latest seal says (or absent, and never sealed).
pub(super) fn check(db: &dyn Db, kind: Kind, id: &str) -> Result<(), StoreError> {
    let now = seal_now(db, kind, id)?;
    let sealed = latest_seal(db, kind, id)?;
    judge(kind, id, now.as_deref(), sealed.as_ref().map(|(seq, seal)| (*seq, seal.as_str())))?;
    Ok(())
}

/// [`check`] for a numbered record.
pub(super) fn check_id(db: &dyn Db, kind: Kind, id: i64) -> Result<(), StoreError> {
    check(db, kind, &id.to_string())
}

/// Everything an item of money rests on before it is exported: the item, its decision, its package, and the
/// package's RMA and order, whose names, address and payment reference go into the file.
pub(super) fn check_queue_item(db: &dyn Db, item_id: i64) -> Result<(), StoreError> {
    check_id(db, Kind::QueueItem, item_id)?;
    let Some(row) = db.row("SELECT decision_id, package_id FROM queue_items WHERE id = ?1", &[&item_id])? else {
        return Ok(());
    };
    if let Some(decision) = row.get::<Option<i64>>(0)? {
        check_id(db, Kind::Decision, decision)?;
    }
    if let Some(package) = row.get::<Option<i64>>(1)? {
        check_package_claim(db, package)?;
    }
    Ok(())
}

/// A package and the RMA and order it was matched to.
pub(super) fn check_package_claim(db: &dyn Db, package_id: i64) -> Result<(), StoreError> {
    check_id(db, Kind::Package, package_id)?;
    let sql = "SELECT p.rma_id, COALESCE(r.order_id, p.order_id) FROM packages p LEFT JOIN rmas r ON r.id = p.rma_id
               WHERE p.id = ?1";
    let Some(row) = db.row(sql, &[&package_id])? else { return Ok(()) };
    if let Some(rma) = row.get::<Option<i64>>(0)? {
        check_id(db, Kind::Rma, rma)?;
    }
    if let Some(order) = row.get::<Option<i64>>(1)? {
        check_id(db, Kind::Order, order)?;
    }
    Ok(())
}

/// Appends the entry of a change to a record, sealing the record as the change left it.
pub(super) fn sealed(
    db: &dyn Db,
    stamp: &Stamp,
    kind: Kind,
    id: &str,
    action: &str,
    detail: &str,
) -> Result<(), StoreError> {
    let seal = seal_now(db, kind, id)?.unwrap_or_else(|| ABSENT.to_owned());
    append_sealed(db, stamp, kind.entity(), id, action, detail, &seal)?;
    Ok(())
}

/// Every record of every bound kind whose content the chain does not vouch for, in `verify`'s words, at most
/// [`REPORTED`] of each kind: each latest seal compared with its record now (a changed record, a removed one),
/// then the records no entry seals.
pub(super) fn problems(db: &dyn Db) -> Result<Vec<String>, StoreError> {
    let mut problems = Vec::new();
    for kind in Kind::ALL {
        let layout = layout(kind);
        let mut found = Vec::new();
        let latest = "SELECT a.entity_id, a.seq, a.content FROM audit_log a
                      WHERE a.entity = ?1 AND a.content IS NOT NULL
                        AND a.seq = (SELECT max(b.seq) FROM audit_log b WHERE b.entity = a.entity
                                     AND b.entity_id = a.entity_id AND b.content IS NOT NULL)
                        AND a.seq > ?2
                      ORDER BY a.seq LIMIT ?3";
        db.each_by_seq(latest, &[&kind.entity()], 1, &mut |row| {
            if found.len() < REPORTED {
                let (id, seq, seal): (String, i64, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
                let now = seal_now(db, kind, &id)?;
                if let Err(unsound) = judge(kind, &id, now.as_deref(), Some((seq, &seal))) {
                    found.push(unsound);
                }
            }
            Ok(())
        })?;
        let unsealed = format!(
            "SELECT {id} FROM {table} WHERE NOT EXISTS (
                 SELECT 1 FROM audit_log a WHERE a.entity = ?1 AND a.entity_id = {id} AND a.content IS NOT NULL)
             LIMIT {REPORTED}",
            id = layout.id,
            table = layout.table,
        );
        for id in db.column::<String>(&unsealed, &[&kind.entity()])? {
            found.push(Unsound { kind, id, breach: Breach::Unsealed });
        }
        problems.extend(found.into_iter().take(REPORTED).map(|unsound| unsound.to_string()));
    }
    Ok(problems)
}

/// Seals every record a database holds when it is first bound to the chain (migration 11): from then on
/// each change seals what it leaves. The entries vouch for the records as they stand at the upgrade.
pub(crate) fn seal_all(db: &dyn Db, stamp: &Stamp) -> Result<u64, StoreError> {
    let mut count = 0;
    for kind in Kind::ALL {
        let layout = layout(kind);
        let ids: Vec<String> = db.column(&format!("SELECT {} FROM {} ORDER BY 1", layout.id, layout.table), &[])?;
        for id in ids {
            sealed(db, stamp, kind, &id, "sealed", r#"{"why":"records bound to the audit chain (schema 11)"}"#)?;
            count += 1;
        }
    }
    Ok(count)
}
