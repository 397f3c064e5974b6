//! The queries behind an evidence packet: one decision with everything the packet shows of it, and the
//! decisions of an RMA. It reads through the store's own row loaders.

use super::audit_log::{audit_columns, audit_entry};
use super::rows::{load_decisions, load_order, load_photos, load_sheet, package_rows, package_select, rma_match};
use super::seal::{check_id, check_package_claim};
use crate::storage::seal::Kind;
use crate::storage::sql::Db;
use crate::storage::{EvidencePhoto, EvidenceRecord, StoreError};

/// Every decision of the packages received for the RMA with this id, oldest first.
pub(super) fn decisions_of_rma(db: &dyn Db, rma_id: i64) -> Result<Vec<i64>, StoreError> {
    // packages_by_rma, then decisions_by_package: an RMA has a package or two, never a scan of decisions.
    db.column(
        "SELECT d.id FROM packages p JOIN decisions d ON d.package_id = p.id WHERE p.rma_id = ?1 ORDER BY d.id",
        &[&rma_id],
    )
}

/// The decision `decision_id` with its package, order, RMA (if any), inspection sheet, photos and the audit
/// entry that recorded it.
pub(super) fn evidence_record(db: &dyn Db, decision_id: i64) -> Result<EvidenceRecord, StoreError> {
    let not_found = || StoreError::NotFound { what: "decision", id: decision_id };
    let package_id: i64 =
        db.value("SELECT package_id FROM decisions WHERE id = ?1", &[&decision_id])?.ok_or_else(not_found)?;
    let decision = load_decisions(db, package_id)?.into_iter().find(|d| d.id == decision_id).ok_or_else(not_found)?;
    // A packet is evidence: it prints nothing the chain does not vouch for.
    check_id(db, Kind::Decision, decision_id)?;
    check_package_claim(db, package_id)?;
    check_id(db, Kind::Inspection, decision.inspection_id)?;
    let corrupt =
        |detail: &str| StoreError::Corrupt { what: format!("decision {decision_id}"), detail: detail.to_owned() };
    let package = package_rows(db, concat!(package_select!(), " WHERE p.id = ?1"), &[&package_id])?
        .pop()
        .ok_or_else(|| corrupt("its package is gone"))?;
    let (rma, order) = match package.rma_id {
        Some(rma_id) => {
            let found = rma_match(db, rma_id)?;
            (Some(found.rma), found.order)
        }
        None => {
            // A package decided without an RMA was matched to its order (the merchant's rule for those).
            let order_id: Option<i64> = db.one("SELECT order_id FROM packages WHERE id = ?1", &[&package_id])?;
            (None, load_order(db, order_id.ok_or_else(|| corrupt("its package has neither an RMA nor an order"))?)?)
        }
    };
    let merchant_name: String = db
        .value("SELECT name FROM merchants WHERE id = ?1", &[&order.record.merchant])?
        .unwrap_or_else(|| order.record.merchant.clone());
    let sheet = load_sheet(db, decision.inspection_id)?;
    let mut photos = Vec::new();
    for (id, photo) in load_photos(db, decision.inspection_id)? {
        check_id(db, Kind::Photo, id)?;
        let item_sku: Option<String> = match photo.item_position {
            Some(position) => db.value(
                "SELECT sku FROM inspection_items WHERE inspection_id = ?1 AND position = ?2",
                &[&decision.inspection_id, &position],
            )?,
            None => None,
        };
        let recorded = db
            .row("SELECT imported_at, operator FROM photos WHERE id = ?1", &[&id])?
            .ok_or(StoreError::NotFound { what: "photo", id })?;
        let (recorded_at, recorded_by) = (recorded.get(0)?, recorded.get(1)?);
        photos.push(EvidencePhoto { photo, item_sku, recorded_at, recorded_by });
    }
    // A decision's own entry is written in its transaction: `decided`, or `overridden` with the override.
    let sql = concat!(
        "SELECT ",
        audit_columns!(),
        " FROM audit_log WHERE entity = 'decision' AND entity_id = ?1 AND action IN ('decided', 'overridden')
         ORDER BY seq LIMIT 1"
    );
    let decision_entry = db
        .row(sql, &[&decision_id.to_string()])?
        .map(|row| audit_entry(&row))
        .transpose()?
        .ok_or_else(|| corrupt("the audit log has no entry recording it"))?;
    Ok(EvidenceRecord { merchant_name, order, rma, package, sheet, decision, decision_entry, photos })
}
