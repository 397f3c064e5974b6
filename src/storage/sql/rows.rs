//! Row loaders shared by the store's areas: an order, an RMA, a package row, a queue row, a sheet, photos
//! and decisions as stored, and the parsing of stored words and dates (a bad one is corruption, never a guess).
//! The `package_select!` and `queue_select!` macros keep each list query's text one constant, prepared once.

use chrono::NaiveDate;

use crate::domain::case::{ItemState, Referral};
use crate::domain::inspection::{InspectionSheet, SheetItem};
use crate::domain::money::Money;
use crate::domain::records::{OrderLineRecord, OrderRecord, OrderStatus, RmaRecord};
use crate::storage::sql::{Db, ToValue};
use crate::storage::{
    DecisionRow, PackageRow, PackageStage, PhotoRow, QueueRow, QueueStatus, RmaMatch, StoreError, StoredOrder,
    StoredRma, Withdrawal,
};

/// The columns of a [`PackageRow`] (read by [`package_rows`]): the package, its RMA's number and merchant, the
/// verdict of the decision that stands (`decisions_by_package`, newest id first) and whether one was withdrawn. A macro so that each query's
/// text is one constant, prepared once.
macro_rules! package_select {
    () => {
        "SELECT p.id, p.scanned_code, p.scanned_kind, p.received_at, p.operator, p.station, p.rma_id, r.number,
                r.merchant, p.note,
                (SELECT d.verdict FROM decisions d WHERE d.package_id = p.id AND d.withdrawn_at IS NULL
                 ORDER BY d.id DESC LIMIT 1),
                p.quarantined,
                EXISTS (SELECT 1 FROM decisions d WHERE d.package_id = p.id AND d.withdrawn_at IS NOT NULL)
         FROM packages p LEFT JOIN rmas r ON r.id = p.rma_id"
    };
}
pub(super) use package_select;

/// The columns of a [`QueueRow`] (read by [`queue_rows`]): the item, and from its package's RMA and order what
/// the person doing it needs. Outer joins: an item of a package decided without an RMA must still be listed.
macro_rules! queue_select {
    () => {
        "SELECT q.id, q.queue, q.package_id, q.decision_id, o.merchant, r.number, o.number, o.customer_name,
                o.customer_email, o.ship_to, o.payment_reference, o.currency, q.amount_cents, q.due_on, q.detail,
                q.code, q.status, q.reference, q.done_at, q.created_at, q.paid_before_cents
         FROM queue_items q
         LEFT JOIN packages p ON p.id = q.package_id
         LEFT JOIN rmas r ON r.id = p.rma_id
         LEFT JOIN orders o ON o.id = COALESCE(r.order_id, p.order_id)"
    };
}
pub(super) use queue_select;

pub(super) fn cents(money: Money) -> i64 {
    money.cents()
}

pub(super) fn ids(db: &dyn Db, sql: &str, key: &dyn ToValue) -> Result<Vec<i64>, StoreError> {
    db.column(sql, &[key])
}

pub(super) fn rma_match(db: &dyn Db, rma_id: i64) -> Result<RmaMatch, StoreError> {
    let rma = load_rma(db, rma_id)?;
    let order = load_order(db, rma.order_id)?;
    Ok(RmaMatch { rma, order })
}

/// Parses a stored word or date, reporting a bad one as corruption rather than guessing.
pub(super) fn stored<T: std::str::FromStr>(what: &str, text: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e: T::Err| StoreError::Corrupt { what: what.to_owned(), detail: e.to_string() })
}

pub(super) fn date(what: &str, text: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| StoreError::Corrupt { what: what.to_owned(), detail: format!("{text:?}: {e}") })
}

pub(super) fn load_order(db: &dyn Db, id: i64) -> Result<StoredOrder, StoreError> {
    let row = db
        .row(
            "SELECT merchant, number, channel, status, customer_name, customer_email, country, ship_to, currency,
                    purchased_on, delivered_on, shipping_cents, gifted, payment_reference, referral_minimum_cents,
                    referral_lifetime_cents
             FROM orders WHERE id = ?1",
            &[&id],
        )?
        .ok_or(StoreError::NotFound { what: "order", id })?;
    let (merchant, number, channel, status): (String, String, String, String) =
        (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
    let (customer_name, customer_email, country, ship_to, currency): (String, String, String, String, String) =
        (row.get(4)?, row.get(5)?, row.get(6)?, row.get(7)?, row.get(8)?);
    let (purchased_on, delivered_on, shipping, gifted): (String, Option<String>, i64, bool) =
        (row.get(9)?, row.get(10)?, row.get(11)?, row.get(12)?);
    let (payment_reference, referral_minimum, referral_lifetime): (Option<String>, Option<i64>, Option<i64>) =
        (row.get(13)?, row.get(14)?, row.get(15)?);
    let lines = db
        .rows(
            "SELECT sku, name, category, qty, unit_price_cents, on_sale, special_order, gift_card FROM order_lines
             WHERE order_id = ?1 ORDER BY position",
            &[&id],
        )?
        .iter()
        .map(|r| {
            Ok(OrderLineRecord {
                sku: r.get(0)?,
                name: r.get(1)?,
                category: r.get(2)?,
                qty: r.get(3)?,
                unit_price: Money::from_cents(r.get(4)?),
                on_sale: r.get(5)?,
                special_order: r.get(6)?,
                gift_card: r.get(7)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let status: OrderStatus = stored("order status", &status)?;
    Ok(StoredOrder {
        id,
        record: OrderRecord {
            channel: stored("order channel", &channel)?,
            status,
            purchased_on: date("order purchase date", &purchased_on)?,
            delivered_on: delivered_on.map(|d| date("order delivery date", &d)).transpose()?,
            shipping_charged: Money::from_cents(shipping),
            ship_to: if ship_to.is_empty() { Vec::new() } else { ship_to.lines().map(str::to_owned).collect() },
            referral: match (referral_minimum, referral_lifetime) {
                (Some(minimum), Some(lifetime)) => Some(Referral {
                    referred: true,
                    minimum: Money::from_cents(minimum),
                    lifetime_value: Money::from_cents(lifetime),
                }),
                _ => None,
            },
            merchant,
            number,
            customer_name,
            customer_email,
            country,
            currency,
            gifted,
            payment_reference,
            lines,
        },
    })
}

pub(super) fn load_rma(db: &dyn Db, id: i64) -> Result<StoredRma, StoreError> {
    let row = db
        .row(
            "SELECT r.merchant, r.number, r.order_id, o.number, r.kind, r.resolution, r.defective_on_arrival,
                    r.return_label_cents, r.note, r.requested_on
             FROM rmas r JOIN orders o ON o.id = r.order_id WHERE r.id = ?1",
            &[&id],
        )?
        .ok_or(StoreError::NotFound { what: "RMA", id })?;
    let (merchant, number, order_id, order_number): (String, String, i64, String) =
        (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
    let (kind, resolution, defective_on_arrival, label): (String, String, bool, i64) =
        (row.get(4)?, row.get(5)?, row.get(6)?, row.get(7)?);
    let (note, requested_on): (String, String) = (row.get(8)?, row.get(9)?);
    let expected_tracking =
        db.column("SELECT tracking_key FROM rma_tracking WHERE rma_id = ?1 ORDER BY tracking_key", &[&id])?;
    Ok(StoredRma {
        id,
        order_id,
        record: RmaRecord {
            merchant,
            number,
            order_number,
            kind: stored("RMA kind", &kind)?,
            resolution: stored("RMA resolution", &resolution)?,
            requested_on: date("RMA request date", &requested_on)?,
            defective_on_arrival,
            return_label_cost: Money::from_cents(label),
            expected_tracking,
            note,
        },
    })
}

/// Packages as lists show them, from a query over [`package_select!`]'s columns.
pub(super) fn package_rows(db: &dyn Db, sql: &str, params: &[&dyn ToValue]) -> Result<Vec<PackageRow>, StoreError> {
    let mut packages = Vec::new();
    for row in db.rows(sql, params)? {
        let rma_id: Option<i64> = row.get(6)?;
        let verdict: Option<String> = row.get(10)?;
        let quarantined: bool = row.get(11)?;
        let reopened: bool = row.get(12)?;
        let stage = match (quarantined, verdict) {
            (true, _) => PackageStage::Quarantined,
            (false, Some(verdict)) => PackageStage::Decided(stored("decision verdict", &verdict)?),
            (false, None) if reopened => PackageStage::Reopened,
            (false, None) => PackageStage::Received,
        };
        packages.push(PackageRow {
            id: row.get(0)?,
            scanned_code: row.get(1)?,
            scanned_kind: row.get(2)?,
            received_at: row.get(3)?,
            operator: row.get(4)?,
            station: row.get(5)?,
            rma_id,
            rma_number: row.get(7)?,
            merchant: row.get(8)?,
            note: row.get(9)?,
            stage,
        });
    }
    Ok(packages)
}

/// Queue items, from a query over [`queue_select!`]'s columns. An item whose package has no RMA has empty
/// merchant, numbers and customer fields rather than being left out.
pub(super) fn queue_rows(db: &dyn Db, sql: &str, params: &[&dyn ToValue]) -> Result<Vec<QueueRow>, StoreError> {
    let mut items = Vec::new();
    for row in db.rows(sql, params)? {
        let id: i64 = row.get(0)?;
        let queue: String = row.get(1)?;
        // Written by record_decision with both set; a row without them was not written by this station.
        let link = |index: usize, what: &str| -> Result<i64, StoreError> {
            row.get::<Option<i64>>(index)?.ok_or_else(|| StoreError::Corrupt {
                what: format!("queue item {id}"),
                detail: format!("it names no {what}"),
            })
        };
        let ship_to: Option<String> = row.get(9)?;
        let due_on: Option<String> = row.get(13)?;
        let status: String = row.get(16)?;
        let status = match status.as_str() {
            "open" => QueueStatus::Open,
            "done" => QueueStatus::Done {
                reference: row.get::<Option<String>>(17)?.unwrap_or_default(),
                at: row.get::<Option<String>>(18)?.unwrap_or_default(),
            },
            "withdrawn" => QueueStatus::Withdrawn,
            other => {
                return Err(StoreError::Corrupt {
                    what: format!("queue item {id}"),
                    detail: format!("unknown status {other:?}; expected open, done or withdrawn"),
                });
            }
        };
        items.push(QueueRow {
            id,
            queue: stored("queue", &queue)?,
            package_id: link(2, "package")?,
            decision_id: link(3, "decision")?,
            merchant: row.get::<Option<String>>(4)?.unwrap_or_default(),
            rma_number: row.get::<Option<String>>(5)?.unwrap_or_default(),
            order_number: row.get::<Option<String>>(6)?.unwrap_or_default(),
            customer_name: row.get::<Option<String>>(7)?.unwrap_or_default(),
            customer_email: row.get::<Option<String>>(8)?.unwrap_or_default(),
            // Stored one line per address line, as load_order reads it.
            ship_to: ship_to.map_or_else(Vec::new, |text| text.lines().map(str::to_owned).collect()),
            payment_reference: row.get(10)?,
            currency: row.get::<Option<String>>(11)?.unwrap_or_default(),
            amount: row.get::<Option<i64>>(12)?.map(Money::from_cents),
            paid_before: row.get::<Option<i64>>(20)?.map(Money::from_cents),
            due_on: due_on.map(|d| date("queue item due date", &d)).transpose()?,
            detail: row.get(14)?,
            code: row.get(15)?,
            status,
            created_at: row.get(19)?,
        });
    }
    Ok(items)
}

/// An inspection's sheet as saved: the items that arrived, in the sheet's order.
pub(super) fn load_sheet(db: &dyn Db, inspection_id: i64) -> Result<InspectionSheet, StoreError> {
    let row = db
        .row(
            "SELECT received_on, original_owner, commercial_use, proof_of_purchase FROM inspections WHERE id = ?1",
            &[&inspection_id],
        )?
        .ok_or(StoreError::NotFound { what: "inspection", id: inspection_id })?;
    let (received_on, original_owner, commercial_use, proof_of_purchase): (String, bool, bool, bool) =
        (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
    let rows = db.rows(
        "SELECT sku, name, category, expected, ordered, qty, serial, condition, sticker, disassembled, packaging, defect,
                damage_cause, notes
         FROM inspection_items WHERE inspection_id = ?1 ORDER BY position",
        &[&inspection_id],
    )?;
    let mut items = Vec::new();
    for row in rows {
        let word = |index: usize| -> Result<String, StoreError> { row.get(index) };
        items.push(SheetItem {
            sku: row.get(0)?,
            name: row.get(1)?,
            category: row.get(2)?,
            expected: row.get(3)?,
            ordered: row.get(4)?,
            received: row.get(5)?,
            serial: row.get(6)?,
            state: ItemState {
                condition: stored("item condition", &word(7)?)?,
                sticker: stored("item sticker", &word(8)?)?,
                disassembled: row.get(9)?,
                packaging: stored("item packaging", &word(10)?)?,
                defect: stored("item defect", &word(11)?)?,
                damage_cause: stored("item damage cause", &word(12)?)?,
            },
            notes: row.get(13)?,
        });
    }
    Ok(InspectionSheet {
        received_on: date("inspection receipt date", &received_on)?,
        original_owner,
        commercial_use,
        proof_of_purchase,
        items,
    })
}

/// An inspection's photo records with their ids, in the order they were recorded.
pub(super) fn load_photos(db: &dyn Db, inspection_id: i64) -> Result<Vec<(i64, PhotoRow)>, StoreError> {
    let rows = db.rows(
        "SELECT id, sha256, item_position, checkpoint, bytes, width, height, taken_at, camera_make, camera_model,
                orientation
         FROM photos WHERE inspection_id = ?1 ORDER BY id",
        &[&inspection_id],
    )?;
    let mut photos = Vec::new();
    for row in rows {
        let id: i64 = row.get(0)?;
        let checkpoint: String = row.get(3)?;
        let bytes: i64 = row.get(4)?;
        let photo = PhotoRow {
            sha256: row.get(1)?,
            inspection_id,
            item_position: row.get(2)?,
            checkpoint: stored("photo checkpoint", &checkpoint)?,
            bytes: u64::try_from(bytes).map_err(|_| StoreError::Corrupt {
                what: format!("photo {id}"),
                detail: format!("its size is {bytes} bytes"),
            })?,
            // Always written by record_photo; the columns allow NULL only because migration 2 did.
            width: row.get::<Option<u32>>(5)?.unwrap_or(0),
            height: row.get::<Option<u32>>(6)?.unwrap_or(0),
            taken_at: row.get(7)?,
            camera_make: row.get(8)?,
            camera_model: row.get(9)?,
            orientation: row.get(10)?,
        };
        photos.push((id, photo));
    }
    Ok(photos)
}

/// A package's decisions, oldest first.
pub(super) fn load_decisions(db: &dyn Db, package_id: i64) -> Result<Vec<DecisionRow>, StoreError> {
    let rows = db.rows(
        "SELECT id, inspection_id, verdict, disposition, net_cents, decision_json, policy_sha256, decided_on, operator,
                station, override_reason, approved_by, withdrawn_at, withdrawn_by, withdrawn_reason
         FROM decisions WHERE package_id = ?1 ORDER BY id",
        &[&package_id],
    )?;
    let mut decisions = Vec::new();
    for row in rows {
        let verdict: String = row.get(2)?;
        let disposition: String = row.get(3)?;
        let decided_on: String = row.get(7)?;
        decisions.push(DecisionRow {
            id: row.get(0)?,
            inspection_id: row.get(1)?,
            verdict: stored("decision verdict", &verdict)?,
            disposition: stored("decision disposition", &disposition)?,
            net: Money::from_cents(row.get(4)?),
            decision_json: row.get(5)?,
            policy_sha256: row.get(6)?,
            decided_on: date("decision date", &decided_on)?,
            operator: row.get(8)?,
            station: row.get(9)?,
            override_reason: row.get(10)?,
            approved_by: row.get(11)?,
            withdrawn: match row.get::<Option<String>>(12)? {
                Some(at) => Some(Withdrawal {
                    at,
                    by: row.get::<Option<String>>(13)?.unwrap_or_default(),
                    reason: row.get::<Option<String>>(14)?.unwrap_or_default(),
                }),
                None => None,
            },
        });
    }
    Ok(decisions)
}
