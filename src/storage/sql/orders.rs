//! Orders and RMAs: imports that upsert by merchant + number in one transaction (a record whose
//! content hash is unchanged is left alone, so importing a file twice changes nothing), and the lookups by
//! number, tracking number and customer that a scan or a search makes, each an index seek.

use super::audit_log::append;
use super::rows::{cents, ids, load_order, load_rma, rma_match};
use super::seal::sealed;
use crate::domain::records::{OrderRecord, RmaRecord};
use crate::storage::record_hash;
use crate::storage::seal::Kind;
use crate::storage::sql::Db;
use crate::storage::{ImportCounts, ImportSource, RmaMatch, Stamp, StoreError, StoredOrder, StoredRma, number_key};

pub(super) fn import_orders(
    db: &dyn Db,
    source: &ImportSource,
    records: &[OrderRecord],
    stamp: &Stamp,
) -> Result<ImportCounts, StoreError> {
    let known = known_merchants(db)?;
    let mut counts = ImportCounts::default();
    for record in records {
        check_merchant(&known, &record.merchant)?;
        let hash = record_hash::order_hash(record);
        let existing = stored_version(db, "orders", &record.merchant, &record.number)?;
        let stored =
            comparable(db, "orders", existing.as_ref(), &hash, |id| Ok(load_order(db, id)?.record == *record))?;
        if !counts.tally(stored, &hash) {
            continue;
        }
        db.execute(
            "INSERT INTO orders (merchant, number, number_key, channel, status, customer_name, customer_email,
                     customer_name_key, customer_email_key, country, ship_to, currency, purchased_on, delivered_on,
                     shipping_cents, gifted, payment_reference, referral_minimum_cents, referral_lifetime_cents,
                     content_hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)
                 ON CONFLICT (merchant, number) DO UPDATE SET
                     number_key = excluded.number_key, channel = excluded.channel, status = excluded.status,
                     customer_name = excluded.customer_name, customer_email = excluded.customer_email,
                     customer_name_key = excluded.customer_name_key, customer_email_key = excluded.customer_email_key,
                     country = excluded.country, ship_to = excluded.ship_to, currency = excluded.currency,
                     purchased_on = excluded.purchased_on, delivered_on = excluded.delivered_on,
                     shipping_cents = excluded.shipping_cents, gifted = excluded.gifted,
                     payment_reference = excluded.payment_reference,
                     referral_minimum_cents = excluded.referral_minimum_cents,
                     referral_lifetime_cents = excluded.referral_lifetime_cents, content_hash = excluded.content_hash",
            &[
                &record.merchant,
                &record.number,
                &number_key(&record.number),
                &record.channel.as_str(),
                &record.status.as_str(),
                &record.customer_name,
                &record.customer_email,
                &record.customer_name.to_lowercase(),
                &record.customer_email.to_lowercase(),
                &record.country,
                &record.ship_to.join("\n"),
                &record.currency,
                &record.purchased_on.to_string(),
                &record.delivered_on.map(|d| d.to_string()),
                &cents(record.shipping_charged),
                &record.gifted,
                &record.payment_reference,
                &record.referral.as_ref().map(|r| cents(r.minimum)),
                &record.referral.as_ref().map(|r| cents(r.lifetime_value)),
                &hash,
            ],
        )?;
        let id = record_id(db, "orders", existing.as_ref(), &record.merchant, &record.number)?;
        // An order's lines are replaced as a whole: lines carry no identity of their own.
        db.execute("DELETE FROM order_lines WHERE order_id = ?1", &[&id])?;
        for (position, line) in record.lines.iter().enumerate() {
            db.execute(
                "INSERT INTO order_lines (order_id, position, sku, name, category, qty, unit_price_cents, on_sale,
                     special_order, gift_card)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                &[
                    &id,
                    &(position as i64),
                    &line.sku,
                    &line.name,
                    &line.category,
                    &line.qty,
                    &cents(line.unit_price),
                    &line.on_sale,
                    &line.special_order,
                    &line.gift_card,
                ],
            )?;
        }
        seal_imported(db, stamp, Kind::Order, id, existing.is_some(), source, &record.number)?;
    }
    if counts.new + counts.updated > 0 {
        append(db, stamp, "import", &source.file, "import_orders", &import_detail(source, records.len(), &counts))?;
    }
    Ok(counts)
}

pub(super) fn import_rmas(
    db: &dyn Db,
    source: &ImportSource,
    records: &[RmaRecord],
    stamp: &Stamp,
) -> Result<ImportCounts, StoreError> {
    let known = known_merchants(db)?;
    let mut counts = ImportCounts::default();
    for record in records {
        check_merchant(&known, &record.merchant)?;
        let order_id: i64 = db
            .value(
                "SELECT id FROM orders WHERE merchant = ?1 AND number = ?2",
                &[&record.merchant, &record.order_number],
            )?
            .ok_or_else(|| StoreError::UnknownOrder {
                rma: record.number.clone(),
                merchant: record.merchant.clone(),
                order_number: record.order_number.clone(),
            })?;
        let hash = record_hash::rma_hash(record);
        let existing = stored_version(db, "rmas", &record.merchant, &record.number)?;
        let stored =
            comparable(db, "rmas", existing.as_ref(), &hash, |id| Ok(same_rma(&load_rma(db, id)?.record, record)))?;
        if !counts.tally(stored, &hash) {
            continue;
        }
        db.execute(
            "INSERT INTO rmas (merchant, number, number_key, order_id, kind, resolution, requested_on,
                     defective_on_arrival, return_label_cents, note, content_hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT (merchant, number) DO UPDATE SET
                     number_key = excluded.number_key, order_id = excluded.order_id, kind = excluded.kind,
                     resolution = excluded.resolution, requested_on = excluded.requested_on,
                     defective_on_arrival = excluded.defective_on_arrival,
                     return_label_cents = excluded.return_label_cents, note = excluded.note,
                     content_hash = excluded.content_hash",
            &[
                &record.merchant,
                &record.number,
                &number_key(&record.number),
                &order_id,
                &record.kind.as_str(),
                &record.resolution.as_str(),
                &record.requested_on.to_string(),
                &record.defective_on_arrival,
                &cents(record.return_label_cost),
                &record.note,
                &hash,
            ],
        )?;
        let id = record_id(db, "rmas", existing.as_ref(), &record.merchant, &record.number)?;
        db.execute("DELETE FROM rma_tracking WHERE rma_id = ?1", &[&id])?;
        for tracking in &record.expected_tracking {
            db.execute(
                "INSERT INTO rma_tracking (tracking_key, rma_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                &[&number_key(tracking), &id],
            )?;
        }
        seal_imported(db, stamp, Kind::Rma, id, existing.is_some(), source, &record.number)?;
    }
    if counts.new + counts.updated > 0 {
        append(db, stamp, "import", &source.file, "import_rmas", &import_detail(source, records.len(), &counts))?;
    }
    Ok(counts)
}

/// The entry of one record an import wrote, sealing it as written.
fn seal_imported(
    db: &dyn Db,
    stamp: &Stamp,
    kind: Kind,
    id: i64,
    existed: bool,
    source: &ImportSource,
    number: &str,
) -> Result<(), StoreError> {
    let action = if existed { "updated" } else { "imported" };
    let detail = serde_json::json!({ "number": number, "file": source.file, "sha256": source.sha256 });
    sealed(db, stamp, kind, &id.to_string(), action, &detail.to_string())
}

pub(super) fn rmas_by_number(db: &dyn Db, number: &str) -> Result<Vec<RmaMatch>, StoreError> {
    let ids = ids(db, "SELECT id FROM rmas WHERE number_key = ?1 ORDER BY id", &number_key(number))?;
    ids.into_iter().map(|id| rma_match(db, id)).collect()
}

pub(super) fn rmas_by_tracking(db: &dyn Db, tracking: &str) -> Result<Vec<RmaMatch>, StoreError> {
    let ids =
        ids(db, "SELECT rma_id FROM rma_tracking WHERE tracking_key = ?1 ORDER BY rma_id", &number_key(tracking))?;
    ids.into_iter().map(|id| rma_match(db, id)).collect()
}

pub(super) fn orders_by_number(db: &dyn Db, number: &str) -> Result<Vec<StoredOrder>, StoreError> {
    let ids = ids(db, "SELECT id FROM orders WHERE number_key = ?1 ORDER BY id", &number_key(number))?;
    ids.into_iter().map(|id| load_order(db, id)).collect()
}

pub(super) fn rmas_of_order(db: &dyn Db, order_id: i64) -> Result<Vec<StoredRma>, StoreError> {
    let ids: Vec<i64> = db.column("SELECT id FROM rmas WHERE order_id = ?1 ORDER BY requested_on, id", &[&order_id])?;
    ids.into_iter().map(|id| load_rma(db, id)).collect()
}

pub(super) fn search_customers(db: &dyn Db, prefix: &str, limit: usize) -> Result<Vec<StoredOrder>, StoreError> {
    let key = prefix.trim().to_lowercase();
    if key.is_empty() {
        return Ok(Vec::new());
    }
    // A range on the index, not LIKE: LIKE would treat % and _ in the prefix as wildcards.
    let upper = format!("{key}\u{10FFFF}");
    let ids: Vec<i64> = db.column(
        "SELECT id FROM orders WHERE customer_name_key >= ?1 AND customer_name_key < ?2
         UNION
         SELECT id FROM orders WHERE customer_email_key >= ?1 AND customer_email_key < ?2
         ORDER BY id DESC LIMIT ?3",
        &[&key, &upper, &i64::try_from(limit).unwrap_or(i64::MAX)],
    )?;
    ids.into_iter().map(|id| load_order(db, id)).collect()
}

pub(super) fn known_merchants(db: &dyn Db) -> Result<Vec<String>, StoreError> {
    db.column("SELECT id FROM merchants ORDER BY id", &[])
}

pub(super) fn check_merchant(known: &[String], merchant: &str) -> Result<(), StoreError> {
    if known.iter().any(|m| m == merchant) {
        Ok(())
    } else {
        Err(StoreError::UnknownMerchant { merchant: merchant.to_owned(), known: known.join(", ") })
    }
}

/// The id and content hash of the stored record with this merchant and number, if any.
pub(super) fn stored_version(
    db: &dyn Db,
    table: &str,
    merchant: &str,
    number: &str,
) -> Result<Option<(i64, String)>, StoreError> {
    let sql = format!("SELECT id, content_hash FROM {table} WHERE merchant = ?1 AND number = ?2");
    db.row(&sql, &[&merchant, &number])?.map(|row| Ok((row.get(0)?, row.get(1)?))).transpose()
}

/// The id of the record an upsert just wrote: the one it updated, or the new one found by its key (one index
/// seek; an upsert's own RETURNING made imports a third slower, BENCHMARKS.md).
fn record_id(
    db: &dyn Db,
    table: &str,
    existing: Option<&(i64, String)>,
    merchant: &str,
    number: &str,
) -> Result<i64, StoreError> {
    match existing {
        Some((id, _)) => Ok(*id),
        None => db.one(&format!("SELECT id FROM {table} WHERE merchant = ?1 AND number = ?2"), &[&merchant, &number]),
    }
}

/// The stored hash to tally `hash` against. A hash of the current encoding is compared as it is. One of another
/// version (the `Debug`-printed hashes before `v1`, or a later version's) cannot be compared as text, and
/// recomputing a million of them in a migration would rewrite every row: so the record is compared by content
/// with what is stored instead, only when an import brings it. The same content is reported unchanged and its
/// stored hash brought to the current version (a derived column, not a record: no audit entry); a different
/// one is reported updated and written as any change is.
fn comparable<'a>(
    db: &dyn Db,
    table: &str,
    existing: Option<&'a (i64, String)>,
    hash: &'a str,
    same_content: impl FnOnce(i64) -> Result<bool, StoreError>,
) -> Result<Option<&'a str>, StoreError> {
    match existing {
        Some((id, stored)) if !record_hash::is_current(stored) && same_content(*id)? => {
            let sql = format!("UPDATE {table} SET content_hash = ?2 WHERE id = ?1");
            db.execute(&sql, &[id, &hash])?;
            Ok(Some(hash))
        }
        other => Ok(other.map(|(_, stored)| stored.as_str())),
    }
}

/// Whether a stored RMA holds what `record` says: its tracking numbers are stored as lookup keys (normalized,
/// each once), so they are compared that way.
fn same_rma(stored: &RmaRecord, record: &RmaRecord) -> bool {
    let keys = |rma: &RmaRecord| {
        let mut keys: Vec<String> = rma.expected_tracking.iter().map(|t| number_key(t)).collect();
        keys.sort();
        keys.dedup();
        keys
    };
    RmaRecord { expected_tracking: keys(stored), ..stored.clone() }
        == RmaRecord { expected_tracking: keys(record), ..record.clone() }
}

pub(super) fn import_detail(source: &ImportSource, records: usize, counts: &ImportCounts) -> String {
    serde_json::json!({
        "file": source.file, "sha256": source.sha256, "records": records,
        "new": counts.new, "updated": counts.updated, "unchanged": counts.unchanged,
    })
    .to_string()
}
