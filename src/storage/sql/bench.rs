//! The bench's records: packages received (matched or quarantined), inspections and their saved
//! sheets, photo records, quarantine and matching, today's packages, finding a package by any number, and a
//! package's whole history. Each write runs in the store's write transaction, with its audit entry.

use chrono::SecondsFormat;

use super::audit_log::instant;
use super::rows::{
    ids, load_decisions, load_order, load_photos, load_sheet, package_rows, package_select, queue_rows, queue_select,
    rma_match,
};
use super::seal::{check_id, sealed};
use crate::domain::inspection::InspectionSheet;
use crate::storage::seal::Kind;
use crate::storage::sql::Db;
use crate::storage::{PackageHistory, PackageRow, PhotoRow, ReceivedPackage, Stamp, StoreError, number_key};

pub(super) fn receive_package(db: &dyn Db, package: &ReceivedPackage, stamp: &Stamp) -> Result<i64, StoreError> {
    // Asked inside the write transaction: two benches scanning the same RMA at once get one package.
    if !package.another_box {
        let existing: Option<i64> = match (package.rma_id, package.order_id) {
            (Some(rma_id), _) => db.one("SELECT min(id) FROM packages WHERE rma_id = ?1", &[&rma_id])?,
            (None, Some(order_id)) => {
                db.one("SELECT min(id) FROM packages WHERE order_id = ?1 AND rma_id IS NULL", &[&order_id])?
            }
            (None, None) => None,
        };
        if let Some(package_id) = existing {
            let what = if package.rma_id.is_some() { "RMA" } else { "order" };
            return Err(StoreError::AlreadyReceived { what, package_id });
        }
    }
    let id = db.insert(
        "INSERT INTO packages (scanned_code, scanned_kind, received_at, station, operator, rma_id, quarantined, note,
             scanned_key, order_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id",
        &[
            &package.scanned_code,
            &package.scanned_kind,
            &instant(stamp),
            &stamp.station,
            &stamp.operator,
            &package.rma_id,
            &(package.rma_id.is_none() && package.order_id.is_none()),
            &package.note,
            &number_key(&package.scanned_code),
            &package.order_id,
        ],
    )?;
    let detail = serde_json::json!({ "scanned": package.scanned_code, "kind": package.scanned_kind, "rma_id": package.rma_id, "order_id": package.order_id, "note": package.note, "another_box": package.another_box });
    let action = if package.rma_id.is_some() || package.order_id.is_some() { "received" } else { "quarantined" };
    sealed(db, stamp, Kind::Package, &id.to_string(), action, &detail.to_string())?;
    Ok(id)
}

pub(super) fn start_inspection(db: &dyn Db, package_id: i64, stamp: &Stamp) -> Result<i64, StoreError> {
    let id = db.insert(
        "INSERT INTO inspections (package_id, received_on, original_owner, commercial_use, proof_of_purchase, operator,
             station, saved_at)
         VALUES (?1, ?2, 1, 0, 1, ?3, ?4, ?5) RETURNING id",
        &[&package_id, &stamp.at.date_naive().to_string(), &stamp.operator, &stamp.station, &instant(stamp)],
    )?;
    let detail = serde_json::json!({ "package_id": package_id });
    sealed(db, stamp, Kind::Inspection, &id.to_string(), "started", &detail.to_string())?;
    Ok(id)
}

/// `shared`: the database keeps the photo originals every bench shares, so the photo's must be there already
/// (kept in an earlier transaction): no record points at an original other benches cannot get.
pub(super) fn record_photo(db: &dyn Db, photo: &PhotoRow, shared: bool, stamp: &Stamp) -> Result<i64, StoreError> {
    super::leases::check_inspection(db, photo.inspection_id, stamp)?;
    if shared && !db.exists("SELECT 1 FROM photo_originals WHERE sha256 = ?1", &[&photo.sha256])? {
        return Err(StoreError::PhotoOriginal {
            sha256: photo.sha256.clone(),
            problem: "its original is not in the shared database, so other benches could not show it; it was not \
                      recorded (the bench keeps the original first)"
                .to_owned(),
        });
    }
    let existing: Option<i64> = db.value(
        "SELECT id FROM photos WHERE inspection_id = ?1 AND sha256 = ?2 AND checkpoint = ?3",
        &[&photo.inspection_id, &photo.sha256, &photo.checkpoint.as_str()],
    )?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let id = db.insert(
        "INSERT INTO photos (sha256, inspection_id, item_position, checkpoint, bytes, width, height, taken_at,
             camera_make, camera_model, orientation, operator, station, imported_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) RETURNING id",
        &[
            &photo.sha256,
            &photo.inspection_id,
            &photo.item_position,
            &photo.checkpoint.as_str(),
            &i64::try_from(photo.bytes).unwrap_or(i64::MAX),
            &photo.width,
            &photo.height,
            &photo.taken_at,
            &photo.camera_make,
            &photo.camera_model,
            &photo.orientation,
            &stamp.operator,
            &stamp.station,
            &instant(stamp),
        ],
    )?;
    let detail = serde_json::json!({ "sha256": photo.sha256, "inspection_id": photo.inspection_id, "checkpoint": photo.checkpoint.as_str() });
    sealed(db, stamp, Kind::Photo, &id.to_string(), "recorded", &detail.to_string())?;
    Ok(id)
}

pub(super) fn photo_hashes(db: &dyn Db) -> Result<Vec<String>, StoreError> {
    db.column("SELECT DISTINCT sha256 FROM photos ORDER BY sha256", &[])
}

pub(super) fn save_inspection(
    db: &dyn Db,
    inspection_id: i64,
    sheet: &InspectionSheet,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    check_id(db, Kind::Inspection, inspection_id)?;
    super::leases::check_inspection(db, inspection_id, stamp)?;
    let updated = db.execute(
        "UPDATE inspections SET received_on = ?2, original_owner = ?3, commercial_use = ?4, proof_of_purchase = ?5,
             saved_at = ?6, operator = ?7, station = ?8
         WHERE id = ?1",
        &[
            &inspection_id,
            &sheet.received_on.to_string(),
            &sheet.original_owner,
            &sheet.commercial_use,
            &sheet.proof_of_purchase,
            &instant(stamp),
            &stamp.operator,
            &stamp.station,
        ],
    )?;
    if updated == 0 {
        return Err(StoreError::NotFound { what: "inspection", id: inspection_id });
    }
    // Items carry no identity of their own (a split or merge renumbers them): the sheet replaces them whole.
    db.execute("DELETE FROM inspection_items WHERE inspection_id = ?1", &[&inspection_id])?;
    let mut items = 0_u64;
    // Only what arrived is a record (qty > 0): an ordered item nothing of came is the order's business.
    // The position is the item's index on the sheet, the one its photos record.
    for (position, item) in sheet.items.iter().enumerate().filter(|(_, item)| item.received > 0) {
        db.execute(
            "INSERT INTO inspection_items (inspection_id, position, sku, name, category, expected, ordered, qty, serial,
                 condition, sticker, disassembled, packaging, defect, damage_cause, notes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            &[
                &inspection_id,
                &(position as i64),
                &item.sku,
                &item.name,
                &item.category,
                &item.expected,
                &item.ordered,
                &item.received,
                &item.serial,
                &item.state.condition.as_str(),
                &item.state.sticker.as_str(),
                &item.state.disassembled,
                &item.state.packaging.as_str(),
                &item.state.defect.as_str(),
                &item.state.damage_cause.as_str(),
                &item.notes,
            ],
        )?;
        items += 1;
    }
    let detail = serde_json::json!({ "items": items, "units": sheet.units_received() });
    sealed(db, stamp, Kind::Inspection, &inspection_id.to_string(), "saved", &detail.to_string())?;
    Ok(())
}

pub(super) fn quarantined(db: &dyn Db) -> Result<Vec<PackageRow>, StoreError> {
    package_rows(db, concat!(package_select!(), " WHERE p.quarantined = 1 ORDER BY p.received_at, p.id"), &[])
}

pub(super) fn match_package(db: &dyn Db, package_id: i64, rma_id: i64, stamp: &Stamp) -> Result<(), StoreError> {
    let quarantined: Option<bool> = db.value("SELECT quarantined FROM packages WHERE id = ?1", &[&package_id])?;
    match quarantined {
        None => return Err(StoreError::NotFound { what: "package", id: package_id }),
        Some(false) => return Err(StoreError::NotQuarantined { id: package_id }),
        Some(true) => check_id(db, Kind::Package, package_id)?,
    }
    let rma_number: String = db
        .value("SELECT number FROM rmas WHERE id = ?1", &[&rma_id])?
        .ok_or(StoreError::NotFound { what: "RMA", id: rma_id })?;
    db.execute("UPDATE packages SET rma_id = ?2, quarantined = 0 WHERE id = ?1", &[&package_id, &rma_id])?;
    let detail = serde_json::json!({ "rma_id": rma_id, "rma": rma_number });
    sealed(db, stamp, Kind::Package, &package_id.to_string(), "matched", &detail.to_string())?;
    Ok(())
}

pub(super) fn packages_since(db: &dyn Db, since: &str, limit: usize) -> Result<Vec<PackageRow>, StoreError> {
    // Instants are stored as RFC 3339 UTC with milliseconds, compared as text. A bound written another way
    // (an offset, no fraction) is brought to that form first, so the text order is the time order; a
    // bound that is no instant (a bare date) is a prefix of that form and compares rightly as it is.
    let since = chrono::DateTime::parse_from_rfc3339(since.trim())
        .map(|at| at.with_timezone(&chrono::Utc).to_rfc3339_opts(SecondsFormat::Millis, true))
        .unwrap_or_else(|_| since.trim().to_owned());
    package_rows(
        db,
        concat!(package_select!(), " WHERE p.received_at >= ?1 ORDER BY p.received_at DESC, p.id DESC LIMIT ?2"),
        &[&since, &i64::try_from(limit).unwrap_or(i64::MAX)],
    )
}

pub(super) fn find_packages(db: &dyn Db, number: &str, limit: usize) -> Result<Vec<PackageRow>, StoreError> {
    let key = number_key(number);
    if key.is_empty() {
        return Ok(Vec::new());
    }
    // A package id only when the text is all digits; the digits are also tried as every kind of number,
    // since tracking and order numbers may be all digits too.
    let id: Option<i64> = if key.bytes().all(|b| b.is_ascii_digit()) { key.parse().ok() } else { None };
    // Every branch is an index seek (packages by id and scanned key, rmas and orders by number key,
    // rma_tracking by its key, then packages by RMA): no scan of orders, which may hold millions.
    package_rows(
        db,
        concat!(
            package_select!(),
            " WHERE p.id IN (
                SELECT id FROM packages WHERE id = ?1
                UNION SELECT id FROM packages WHERE scanned_key = ?2
                UNION SELECT pr.id FROM rmas r2 JOIN packages pr ON pr.rma_id = r2.id WHERE r2.number_key = ?2
                UNION SELECT po.id FROM orders o JOIN rmas r3 ON r3.order_id = o.id
                    JOIN packages po ON po.rma_id = r3.id WHERE o.number_key = ?2
                UNION SELECT pn.id FROM orders o2 JOIN packages pn ON pn.order_id = o2.id WHERE o2.number_key = ?2
                UNION SELECT pt.id FROM rma_tracking t JOIN packages pt ON pt.rma_id = t.rma_id WHERE t.tracking_key = ?2
              )
              ORDER BY p.received_at DESC, p.id DESC LIMIT ?3"
        ),
        &[&id, &key, &i64::try_from(limit).unwrap_or(i64::MAX)],
    )
}

pub(super) fn package_history(db: &dyn Db, package_id: i64) -> Result<PackageHistory, StoreError> {
    let package = package_rows(db, concat!(package_select!(), " WHERE p.id = ?1"), &[&package_id])?
        .pop()
        .ok_or(StoreError::NotFound { what: "package", id: package_id })?;
    let rma = package.rma_id.map(|rma_id| rma_match(db, rma_id)).transpose()?;
    let order_id: Option<i64> = db.one("SELECT order_id FROM packages WHERE id = ?1", &[&package_id])?;
    let order = match (&rma, order_id) {
        (None, Some(order_id)) => Some(load_order(db, order_id)?),
        _ => None,
    };
    let inspection_ids = ids(db, "SELECT id FROM inspections WHERE package_id = ?1 ORDER BY id", &package_id)?;
    let inspections =
        inspection_ids.iter().map(|&id| Ok((id, load_sheet(db, id)?))).collect::<Result<Vec<_>, StoreError>>()?;
    let positions = match inspection_ids.last() {
        Some(&latest) => db
            .column::<i64>(
                "SELECT position FROM inspection_items WHERE inspection_id = ?1 ORDER BY position",
                &[&latest],
            )?
            .into_iter()
            .map(|position| usize::try_from(position).unwrap_or(usize::MAX))
            .collect(),
        None => Vec::new(),
    };
    let mut photo_ids = Vec::new();
    let mut photos = Vec::new();
    for &inspection_id in &inspection_ids {
        for (id, photo) in load_photos(db, inspection_id)? {
            photo_ids.push(id);
            photos.push(photo);
        }
    }
    let decisions = load_decisions(db, package_id)?;
    let queue = queue_rows(db, concat!(queue_select!(), " WHERE q.package_id = ?1 ORDER BY q.id"), &[&package_id])?;
    let entities = std::iter::once(("package", package_id))
        .chain(inspection_ids.iter().map(|&id| ("inspection", id)))
        .chain(photo_ids.iter().map(|&id| ("photo", id)))
        .chain(decisions.iter().map(|d| ("decision", d.id)))
        .chain(queue.iter().map(|q| ("queue_item", q.id)));
    let mut audit = Vec::new();
    for (entity, id) in entities {
        audit.extend(super::audit_log::entries(db, entity, &id.to_string())?);
    }
    audit.sort_by_key(|entry| entry.seq);
    Ok(PackageHistory { package, rma, order, inspections, positions, photos, decisions, queue, audit })
}

pub(super) fn undecided_since(db: &dyn Db, since: &str, limit: usize) -> Result<Vec<PackageRow>, StoreError> {
    // packages_by_day bounds the rows read; each is then asked for a standing decision (decisions_by_package).
    package_rows(
        db,
        concat!(
            package_select!(),
            " WHERE p.received_at >= ?1 AND p.quarantined = 0
                AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.package_id = p.id AND d.withdrawn_at IS NULL)
              ORDER BY p.received_at DESC, p.id DESC LIMIT ?2"
        ),
        &[&since, &i64::try_from(limit).unwrap_or(i64::MAX)],
    )
}

pub(super) fn packages_of_rma(db: &dyn Db, rma_id: i64) -> Result<Vec<PackageRow>, StoreError> {
    package_rows(db, concat!(package_select!(), " WHERE p.rma_id = ?1 ORDER BY p.id"), &[&rma_id])
}
