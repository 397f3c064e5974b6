//! A return's ledger: the packages of an order, what each one's sheet says arrived and the
//! decision that stands on it, read for the engine and checked again inside the transaction that records a
//! decision ([`check`]), so nothing that bypasses the window can settle a unit twice.

use super::audit_log::{append, instant};
use super::rows::{load_order, stored};
use super::seal::{check_id, sealed};
use crate::domain::decision::Decision;
use crate::domain::ledger::{DecidedLine, DecisionEntry, Ledger, PackageEntry};
use crate::domain::money::Money;
use crate::domain::queue::QueueEntry;
use crate::domain::vocabulary::{Disposition, Queue, Verdict};
use crate::formats::case_json::RecordedDecision;
use crate::storage::seal::Kind;
use crate::storage::sql::Db;
use crate::storage::{Reopened, Stamp, StoreError};

/// The order a package belongs to (through its RMA or directly) and its RMA's number, if it is matched.
pub(super) fn claim_of_package(db: &dyn Db, package_id: i64) -> Result<(Option<i64>, Option<String>), StoreError> {
    let row = db
        .row(
            "SELECT COALESCE(r.order_id, p.order_id), r.number FROM packages p LEFT JOIN rmas r ON r.id = p.rma_id
             WHERE p.id = ?1",
            &[&package_id],
        )?
        .ok_or(StoreError::NotFound { what: "package", id: package_id })?;
    Ok((row.get(0)?, row.get(1)?))
}

/// Every package of the order, oldest first, with what arrived in it and the decision that stands on it.
pub(super) fn entries(db: &dyn Db, order_id: i64) -> Result<Vec<PackageEntry>, StoreError> {
    // Two index seeks (rmas_by_order then packages_by_rma; packages_by_order), never a scan of packages.
    let found = db.rows(
        "SELECT p.id, r.number FROM rmas r JOIN packages p ON p.rma_id = r.id WHERE r.order_id = ?1
         UNION ALL
         SELECT p.id, NULL FROM packages p WHERE p.order_id = ?1 AND p.rma_id IS NULL
         ORDER BY 1",
        &[&order_id],
    )?;
    found.iter().map(|row| entry(db, row.get(0)?, row.get(1)?)).collect()
}

fn entry(db: &dyn Db, package_id: i64, rma: Option<String>) -> Result<PackageEntry, StoreError> {
    // The latest inspection's sheet is what arrived (a package has one; the latest is the one worked on).
    let received = db
        .rows(
            "SELECT sku, CAST(sum(qty) AS BIGINT) FROM inspection_items
             WHERE inspection_id = (SELECT max(id) FROM inspections WHERE package_id = ?1)
             GROUP BY sku ORDER BY min(position)",
            &[&package_id],
        )?
        .iter()
        .map(|row| Ok((row.get::<String>(0)?, row.get::<u32>(1)?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    let decision = standing(db, package_id)?
        .map(|Standing { id: decision_id, disposition, json, .. }| {
            let recorded = RecordedDecision::parse(&json)
                .map_err(|e| StoreError::Corrupt { what: format!("decision {decision_id}"), detail: e.to_string() })?;
            Ok::<_, StoreError>(DecisionEntry {
                decision_id,
                disposition,
                lines: recorded
                    .lines
                    .iter()
                    .map(|line| DecidedLine {
                        sku: line.sku.clone(),
                        accepted: line.accepted,
                        refused: line.refused,
                        missing: line.missing,
                    })
                    .collect(),
                card_fee: recorded.money.card_fee,
                return_label: recorded.money.return_label,
            })
        })
        .transpose()?;
    Ok(PackageEntry { package_id, rma, received, decision })
}

/// The decision that stands on a package: its latest, unless a supervisor's reopen withdrew it.
struct Standing {
    id: i64,
    verdict: Verdict,
    disposition: Disposition,
    json: String,
}

fn standing(db: &dyn Db, package_id: i64) -> Result<Option<Standing>, StoreError> {
    let row = db.row(
        "SELECT id, verdict, disposition, decision_json FROM decisions
         WHERE package_id = ?1 AND withdrawn_at IS NULL ORDER BY id DESC LIMIT 1",
        &[&package_id],
    )?;
    row.map(|row| {
        Ok(Standing {
            id: row.get(0)?,
            verdict: stored("decision verdict", &row.get::<String>(1)?)?,
            disposition: stored("decision disposition", &row.get::<String>(2)?)?,
            json: row.get(3)?,
        })
    })
    .transpose()
}

/// The ledger of the order's packages other than `package_id` (the order's whole ledger if it has no
/// other), with the order's lines.
pub(super) fn earlier(db: &dyn Db, order_id: i64, package_id: i64) -> Result<Ledger, StoreError> {
    let order = load_order(db, order_id)?.record.to_order();
    let entries = entries(db, order_id)?;
    Ok(Ledger::build(&order, entries.iter().filter(|entry| entry.package_id != package_id)))
}

/// Refuses a decision on `package_id` that the ledger does not allow: a second decision on a package whose
/// decision stands (only a hold is decided again; a supervisor's reopen withdraws the rest), units settled
/// beyond what the order's other packages left, or a charge kept once already kept. Runs inside the
/// recording transaction, so two stations deciding the same goods at once cannot both pass it.
pub(super) fn check(db: &dyn Db, package_id: i64, decision: &Decision) -> Result<(), StoreError> {
    if let Some(standing) = standing(db, package_id)?
        && standing.verdict != Verdict::Hold
    {
        return Err(StoreError::AlreadyDecided { package_id, decision_id: standing.id });
    }
    let (Some(order_id), rma) = claim_of_package(db, package_id)? else { return Ok(()) };
    check_order_history(db, order_id)?;
    let earlier = earlier(db, order_id, package_id)?;
    if decision.disposition.settles() {
        for line in decision.lines.iter().filter(|line| line.accepted > 0) {
            let before = earlier.line(&line.sku);
            if before.settled + line.accepted > before.ordered {
                return Err(StoreError::AlreadySettled {
                    sku: line.sku.clone(),
                    ordered: before.ordered,
                    settled: before.settled,
                    asked: line.accepted,
                });
            }
        }
    }
    let charged_twice = |what: &'static str, by: Option<i64>| match by {
        Some(decision_id) => Err(StoreError::ChargedTwice { what, decision_id }),
        None => Ok(()),
    };
    if !decision.money.card_fee.is_zero() {
        charged_twice("card fee", earlier.card_fee_kept_by)?;
    }
    if let (Some(rma), false) = (rma, decision.money.return_label.is_zero()) {
        charged_twice("return label", earlier.label_kept_by(&rma))?;
    }
    Ok(())
}

/// Withdraws the decision that stands on a package (a supervisor's reopen, with the reason): its queue
/// items that nobody exported or paid are withdrawn; those exported or paid stand, and the package's next
/// decision is queued as the difference from them ([`paid_before`]). All in one transaction, audited.
pub(super) fn reopen(db: &dyn Db, package_id: i64, reason: &str, stamp: &Stamp) -> Result<Reopened, StoreError> {
    let Some(Standing { id: decision_id, .. }) = standing(db, package_id)? else {
        claim_of_package(db, package_id)?;
        return Err(StoreError::NotDecided { package_id });
    };
    if let (Some(order_id), _) = claim_of_package(db, package_id)? {
        check_order_history(db, order_id)?;
    }
    db.execute(
        "UPDATE decisions SET withdrawn_at = ?2, withdrawn_by = ?3, withdrawn_reason = ?4 WHERE id = ?1",
        &[&decision_id, &instant(stamp), &stamp.operator, &reason],
    )?;
    let withdrawn: Vec<i64> = db.column(
        "SELECT id FROM queue_items WHERE decision_id = ?1 AND status = 'open' AND batch_id IS NULL ORDER BY id",
        &[&decision_id],
    )?;
    for &item in &withdrawn {
        db.execute(
            "UPDATE queue_items SET status = 'withdrawn', done_at = ?2 WHERE id = ?1",
            &[&item, &instant(stamp)],
        )?;
        let detail = serde_json::json!({ "decision_id": decision_id, "reason": reason });
        sealed(db, stamp, Kind::QueueItem, &item.to_string(), "withdrawn", &detail.to_string())?;
    }
    let standing_items: Vec<i64> = db.column(
        "SELECT id FROM queue_items WHERE decision_id = ?1 AND status != 'withdrawn' ORDER BY id",
        &[&decision_id],
    )?;
    let detail = serde_json::json!({
        "decision_id": decision_id,
        "reason": reason,
        "withdrawn_items": withdrawn,
        "standing_items": standing_items,
    });
    sealed(db, stamp, Kind::Decision, &decision_id.to_string(), "withdrawn", &detail.to_string())?;
    append(db, stamp, "package", &package_id.to_string(), "reopened", &detail.to_string())?;
    Ok(Reopened { decision_id, withdrawn, standing: standing_items })
}

/// Refuses when a record the order's ledger is read from is not what the chain vouches for: its packages,
/// their sheets, every decision on them (a withdrawal set by hand would free units to be settled again) and
/// their queue items (what was paid before a reopen).
fn check_order_history(db: &dyn Db, order_id: i64) -> Result<(), StoreError> {
    let records = db
        .rows(
            "WITH package AS (
                 SELECT p.id FROM rmas r JOIN packages p ON p.rma_id = r.id WHERE r.order_id = ?1
                 UNION SELECT id FROM packages WHERE order_id = ?1)
             SELECT 'package', id FROM package
             UNION ALL SELECT 'inspection', i.id FROM inspections i JOIN package ON package.id = i.package_id
             UNION ALL SELECT 'decision', d.id FROM decisions d JOIN package ON package.id = d.package_id
             UNION ALL SELECT 'queue_item', q.id FROM queue_items q JOIN package ON package.id = q.package_id",
            &[&order_id],
        )?
        .iter()
        .map(|row| Ok((row.get::<String>(0)?, row.get::<i64>(1)?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    check_id(db, Kind::Order, order_id)?;
    for (entity, id) in records {
        if let Some(kind) = Kind::from_entity(&entity) {
            check_id(db, kind, id)?;
        }
    }
    Ok(())
}

/// What the package's withdrawn decisions paid (or sent to be paid) in `queue`: their items that were
/// exported or done, never withdrawn. Adjustments count too, so a package reopened twice is adjusted
/// against everything paid before.
pub(super) fn paid_before(db: &dyn Db, package_id: i64, queue: Queue) -> Result<Money, StoreError> {
    let cents: i64 = db.one(
        "SELECT CAST(COALESCE(sum(q.amount_cents), 0) AS BIGINT) FROM queue_items q JOIN decisions d ON d.id = q.decision_id
         WHERE q.package_id = ?1 AND q.queue = ?2 AND d.withdrawn_at IS NOT NULL AND q.status != 'withdrawn'",
        &[&package_id, &queue.as_str()],
    )?;
    Ok(Money::from_cents(cents))
}

/// The queue entries a decision creates, adjusted for what the package's withdrawn decisions paid: a refund
/// or store credit becomes the difference (with what was paid before), nothing when it is the same, and an
/// overpayment becomes a hold to recover it, never a negative payment. A package never reopened queues its
/// entries as they are.
pub(super) fn adjusted(
    db: &dyn Db,
    package_id: i64,
    entries: &[QueueEntry],
) -> Result<Vec<(QueueEntry, Option<Money>)>, StoreError> {
    let mut adjusted = Vec::new();
    for entry in entries {
        if !paying(entry.queue) {
            adjusted.push((entry.clone(), None));
            continue;
        }
        let paid = paid_before(db, package_id, entry.queue)?;
        let owed = entry.amount.unwrap_or(Money::ZERO);
        if paid.is_zero() {
            adjusted.push((entry.clone(), None));
        } else if owed > paid {
            let detail = format!("adjustment: {paid} paid before the reopen, {owed} owed now; {}", entry.detail);
            adjusted.push((QueueEntry { amount: Some(owed - paid), detail, ..entry.clone() }, Some(paid)));
        } else if paid > owed {
            adjusted.push((recover(entry.queue, paid, owed), None));
        }
    }
    // A queue paid before that the new decision pays nothing in: all of it was overpaid.
    for queue in [Queue::Refund, Queue::StoreCredit] {
        if !entries.iter().any(|entry| entry.queue == queue) {
            let paid = paid_before(db, package_id, queue)?;
            if !paid.is_zero() {
                adjusted.push((recover(queue, paid, Money::ZERO), None));
            }
        }
    }
    Ok(adjusted)
}

/// A hold for whoever recovers an overpayment: the station never queues a negative payment.
fn recover(queue: Queue, paid: Money, owed: Money) -> QueueEntry {
    QueueEntry {
        queue: Queue::Hold,
        amount: None,
        due_on: None,
        detail: format!(
            "recover {} of {} overpaid: {paid} was paid before the reopen, {owed} is owed now",
            paid - owed,
            queue.as_str().replace('_', " ")
        ),
    }
}

fn paying(queue: Queue) -> bool {
    matches!(queue, Queue::Refund | Queue::StoreCredit)
}
