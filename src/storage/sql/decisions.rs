//! Saving a decision: the decision, its queue items (a store-credit item with a fresh unguessable
//! code) and their audit entries, in one transaction or not at all.

use super::audit_log::instant;
use super::rows::cents;
use super::seal::{check_id, check_package_claim, sealed};
use crate::domain::vocabulary::Queue;
use crate::storage::seal::Kind;
use crate::storage::sql::Db;
use crate::storage::{DecisionToSave, Stamp, StoreError};

pub(super) fn record_decision(db: &dyn Db, to_save: &DecisionToSave, stamp: &Stamp) -> Result<i64, StoreError> {
    if !db.exists("SELECT 1 FROM packages WHERE id = ?1", &[&to_save.package_id])? {
        return Err(StoreError::NotFound { what: "package", id: to_save.package_id });
    }
    // An inspection of another package is, for this package, no inspection at all: refused the same way,
    // so a decision can never sit on one package with another's sheet.
    if !db.exists(
        "SELECT 1 FROM inspections WHERE id = ?1 AND package_id = ?2",
        &[&to_save.inspection_id, &to_save.package_id],
    )? {
        return Err(StoreError::NotFound { what: "inspection", id: to_save.inspection_id });
    }
    // The decision was made on these records as the bench read them: the package's order (its prices), its
    // RMA and the sheet. Money moves only on records the chain vouches for.
    check_package_claim(db, to_save.package_id)?;
    super::leases::check(db, to_save.package_id, stamp)?;
    check_id(db, Kind::Inspection, to_save.inspection_id)?;
    let decision = &to_save.decision;
    super::ledger::check(db, to_save.package_id, decision)?;
    let queue = super::ledger::adjusted(db, to_save.package_id, &to_save.queue)?;
    let override_ = to_save.override_.as_ref();
    let decision_id = db.insert(
        "INSERT INTO decisions (package_id, inspection_id, verdict, disposition, net_cents, decision_json, policy_sha256,
             decided_on, operator, station, override_reason, approved_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING id",
        &[
            &to_save.package_id,
            &to_save.inspection_id,
            &decision.verdict.as_str(),
            &decision.disposition.as_str(),
            &cents(decision.money.net),
            &to_save.decision_json,
            &to_save.policy_sha256,
            &decision.decided_on.to_string(),
            &stamp.operator,
            &stamp.station,
            &override_.map(|o| o.reason.as_str()),
            &override_.map(|o| o.approved_by.as_str()),
        ],
    )?;
    // A hold decided again: what the hold waited for came, so its item in the hold queue is done.
    let held: Vec<i64> = db.column(
        "SELECT id FROM queue_items WHERE package_id = ?1 AND queue = 'hold' AND status = 'open'",
        &[&to_save.package_id],
    )?;
    let reference = format!("decided again: decision {decision_id}");
    let detail = serde_json::json!({ "reference": reference }).to_string();
    for item in held {
        super::queues::mark_done(db, item, &reference, &detail, stamp)?;
    }
    let mut detail = serde_json::json!({
        "package_id": to_save.package_id,
        "inspection_id": to_save.inspection_id,
        "verdict": decision.verdict.as_str(),
        "disposition": decision.disposition.as_str(),
        "net": decision.money.net.to_string(),
        "policy_sha256": to_save.policy_sha256,
        "queue_items": queue.len(),
    });
    let action = match (override_, detail.as_object_mut()) {
        (Some(o), Some(fields)) => {
            fields.insert("reason".into(), o.reason.clone().into());
            fields.insert("approved_by".into(), o.approved_by.clone().into());
            fields.insert("engine_verdict".into(), o.engine_verdict.as_str().into());
            fields.insert("engine_disposition".into(), o.engine_disposition.as_str().into());
            fields.insert("engine_net".into(), o.engine_net.to_string().into());
            "overridden"
        }
        _ => "decided",
    };
    sealed(db, stamp, Kind::Decision, &decision_id.to_string(), action, &detail.to_string())?;
    for (entry, paid_before) in &queue {
        let code = if entry.queue == Queue::StoreCredit { Some(fresh_code(db)?) } else { None };
        let item_id = db.insert(
            "INSERT INTO queue_items (queue, package_id, decision_id, amount_cents, due_on, detail, status, created_at, code,
                 paid_before_cents)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7, ?8, ?9) RETURNING id",
            &[
                &entry.queue.as_str(),
                &to_save.package_id,
                &decision_id,
                &entry.amount.map(cents),
                &entry.due_on.map(|d| d.to_string()),
                &entry.detail,
                &instant(stamp),
                &code,
                &paid_before.map(cents),
            ],
        )?;
        // The store-credit code stays out of the audit log: whoever reads it can spend it, and the log is
        // shown on screens and exported. The entry says that a code was issued; the item holds it.
        let detail = serde_json::json!({
            "decision_id": decision_id,
            "queue": entry.queue.as_str(),
            "amount": entry.amount.map(|m| m.to_string()),
            "due_on": entry.due_on.map(|d| d.to_string()),
            "detail": entry.detail,
            "code_issued": code.is_some(),
            "paid_before": paid_before.map(|m| m.to_string()),
        });
        sealed(db, stamp, Kind::QueueItem, &item_id.to_string(), "created", &detail.to_string())?;
    }
    // Decided, the package leaves the bench that had it open.
    super::leases::release(db, to_save.package_id, stamp)?;
    Ok(decision_id)
}

/// Crockford's base32 alphabet: no I, L, O or U, so a code read aloud or typed from a slip is not misread.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// How many fresh codes to draw before concluding the random source is broken: with 60 random bits a second
/// clash is already beyond belief.
const CODE_ATTEMPTS: usize = 8;

/// A store-credit code from 60 random bits: `SC-XXXX-XXXX-XXXX`, twelve Crockford symbols of 5 bits each.
pub(super) fn store_credit_code(random: u64) -> String {
    let mut code = String::from("SC");
    for symbol in 0..12 {
        if symbol % 4 == 0 {
            code.push('-');
        }
        let index = (random >> (5 * symbol)) & 0x1f;
        code.push(char::from(CROCKFORD[index as usize]));
    }
    code
}

/// A store-credit code no queue item holds yet, drawn from the operating system's random source: a code is
/// spent by whoever presents it, so it must not be guessable from the ones issued before.
pub(super) fn fresh_code(db: &dyn Db) -> Result<String, StoreError> {
    for _ in 0..CODE_ATTEMPTS {
        let mut bytes = [0_u8; 8];
        getrandom::getrandom(&mut bytes).map_err(|e| StoreError::Random { detail: e.to_string() })?;
        let code = store_credit_code(u64::from_le_bytes(bytes));
        // Asked inside the write transaction, so no other station can issue the same code in between; the
        // unique index stays the last word.
        if !db.exists("SELECT 1 FROM queue_items WHERE code = ?1", &[&code])? {
            return Ok(code);
        }
    }
    Err(StoreError::Random {
        detail: format!(
            "it gave {CODE_ATTEMPTS} store-credit codes in a row that were already issued; it is not random"
        ),
    })
}
