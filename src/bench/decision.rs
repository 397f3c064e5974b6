//! Deciding a package: the engine's decision on the sheet as it stands, confirmed as it is or changed by
//! a supervisor's override, then saved with its queue items in one transaction.
//!
//! [`decide`] is pure (the engine takes microseconds, so the window runs it on its own thread). The one
//! place a [`DecisionToSave`] is built is [`to_save`]: the confirmation and the override both save through
//! [`save`]. An override is checked in steps so that the slow PIN check (Argon2, slow on purpose) can run
//! on a thread of its own: [`prepare_override`] (pure: the new amount and the changed decision), the PIN
//! ([`crate::auth`]), then [`confirm_override`] with the supervisor it approved, or [`refuse_override`],
//! which audits the refusal. [`override_decision`] runs the steps one after another.

use super::{Actor, BenchError, BenchPackage, Claim};
use crate::auth::{self, SignedIn};
use crate::clock::Now;
use crate::domain::decision::Decision;
use crate::domain::engine;
use crate::domain::inspection::InspectionSheet;
use crate::domain::ledger;
use crate::domain::money::Money;
use crate::domain::queue::{QueueEntry, queue_entries};
use crate::domain::vocabulary::{Disposition, Queue, Role};
use crate::evidence;
use crate::formats::case_json::{Case, decision_json};
use crate::policies::PolicySet;
use crate::storage::{DecisionToSave, Override, Reopened, Store};

/// The engine's decision on a package's sheet, with the case it was made on and what confirming queues.
#[derive(Debug, Clone, PartialEq)]
pub struct Decided {
    pub case: Case,
    pub decision: Decision,
    pub entries: Vec<QueueEntry>,
}

/// Runs the engine on the sheet as it stands, against the ledger of the order's other packages.
/// `photo_items` holds, for each photo taken, the item it shows (none: the package as a whole, which counts
/// for every item).
pub fn decide(
    policies: &PolicySet,
    package: &BenchPackage,
    sheet: &InspectionSheet,
    photo_items: &[Option<usize>],
    today: chrono::NaiveDate,
) -> Result<Decided, BenchError> {
    let claim = &package.claim;
    let Some(order) = claim.order() else { return Err(BenchError::Quarantined { package_id: package.package_id }) };
    let merchant = &order.record.merchant;
    let loaded = policies.get(merchant).ok_or_else(|| BenchError::NoPolicy { merchant: merchant.clone() })?;
    let rma = match claim {
        Claim::Rma(found) => Some(found.rma.record.to_rma()),
        _ => None,
    };
    let photos_of = |index: usize| photo_items.iter().filter(|item| item.is_none_or(|i| i == index)).count() as u32;
    // An order stored before the imports refused lines of one SKU that the policy would treat differently is
    // refused here too: no rule can be applied to units nobody can tell apart.
    let engine_order = order.record.engine_order().map_err(|e| BenchError::SameSku {
        order: order.record.number.clone(),
        line: e.line() + 1,
        field: e.field(),
        why: e.words(&format!("line {} of the order", e.first() + 1)),
    })?;
    let case =
        Case { merchant: merchant.clone(), order: engine_order, rma, inspection: sheet.to_inspection(photos_of) };
    let decision =
        engine::decide(&loaded.policy, &case.order, case.rma.as_ref(), &case.inspection, &package.earlier, today);
    let entries = queue_entries(&decision);
    Ok(Decided { case, decision, entries })
}

/// A package being decided: its records, the sheet as it stands and the engine's decision on that sheet.
#[derive(Debug, Clone, Copy)]
pub struct OnTheBench<'a> {
    pub package: &'a BenchPackage,
    pub sheet: &'a InspectionSheet,
    pub decided: &'a Decided,
}

/// A decision saved.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirmed {
    pub decision_id: i64,
    /// The decision as saved (after any override).
    pub decision: Decision,
    pub overridden: bool,
    /// The queues it put work into, in order.
    pub queued: Vec<Queue>,
    /// Whether it gets an evidence packet without being asked (a denial, refused units, a shipping-damage
    /// claim): the caller writes it next ([`super::evidence`]).
    pub packet_due: bool,
}

/// The one builder of what a confirmed decision saves: the decision as it stands, its JSON record, the
/// policy's hash and the queue entries it creates.
fn to_save(
    policies: &PolicySet,
    bench: OnTheBench<'_>,
    decision: Decision,
    override_: Option<Override>,
) -> Result<DecisionToSave, BenchError> {
    let OnTheBench { package, decided, .. } = bench;
    let merchant = &decided.case.merchant;
    let loaded = policies.get(merchant).ok_or_else(|| BenchError::NoPolicy { merchant: merchant.clone() })?;
    Ok(DecisionToSave {
        package_id: package.package_id,
        inspection_id: package.inspection_id,
        decision_json: decision_json(&decided.case, loaded, &decision).to_string(),
        policy_sha256: loaded.sha256.clone(),
        queue: queue_entries(&decision),
        decision,
        override_,
    })
}

/// Saves the sheet the decision was made on, then the decision with its queue items.
fn save(
    store: &mut dyn Store,
    actor: &Actor,
    now: &Now,
    bench: OnTheBench<'_>,
    to_save: DecisionToSave,
) -> Result<Confirmed, BenchError> {
    let OnTheBench { package, sheet, .. } = bench;
    let stamp = actor.stamp(now);
    store.save_inspection(package.inspection_id, sheet, &stamp)?;
    let decision_id = store.record_decision(&to_save, &stamp)?;
    let kind = match &package.claim {
        Claim::Rma(found) => Some(found.rma.record.kind),
        _ => None,
    };
    Ok(Confirmed {
        decision_id,
        packet_due: evidence::written_automatically(&to_save.decision, kind),
        overridden: to_save.override_.is_some(),
        queued: to_save.queue.iter().map(|entry| entry.queue).collect(),
        decision: to_save.decision,
    })
}

/// Confirms the engine's decision as it is.
pub fn confirm(
    store: &mut dyn Store,
    policies: &PolicySet,
    actor: &Actor,
    now: &Now,
    bench: OnTheBench<'_>,
) -> Result<Confirmed, BenchError> {
    let to_save = to_save(policies, bench, bench.decided.decision.clone(), None)?;
    save(store, actor, now, bench, to_save)
}

/// What a supervisor asks to change: the disposition, the amount as typed (for a refund or store credit)
/// and why; `supervisor` is the name whose PIN approves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideRequest {
    pub disposition: Disposition,
    pub amount: String,
    pub reason: String,
    pub supervisor: String,
}

/// An override whose amount is read and whose changed decision is made, waiting for the supervisor's PIN.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedOverride {
    pub decision: Decision,
    pub override_: Override,
}

/// Reads the new amount and changes the engine's decision as asked (pure).
pub fn prepare_override(
    policies: &PolicySet,
    decided: &Decided,
    request: &OverrideRequest,
    today: chrono::NaiveDate,
) -> Result<PreparedOverride, BenchError> {
    let pays = matches!(request.disposition, Disposition::Refund | Disposition::StoreCredit);
    let net = if pays {
        request.amount.parse::<Money>().map_err(|e| BenchError::Amount(e.to_string()))?
    } else {
        Money::ZERO
    };
    let due_days = policies.get(&decided.case.merchant).map_or(0, |l| l.policy.refund.due_days);
    let engine = &decided.decision;
    Ok(PreparedOverride {
        decision: engine.overridden(request.disposition, net, today, due_days),
        override_: Override {
            reason: request.reason.clone(),
            approved_by: request.supervisor.clone(),
            engine_verdict: engine.verdict,
            engine_disposition: engine.disposition,
            engine_net: engine.money.net,
        },
    })
}

/// Saves an override approved by `approver`, whose PIN was checked: refused (and the refusal audited)
/// unless the approver is a supervisor.
pub fn confirm_override(
    store: &mut dyn Store,
    policies: &PolicySet,
    actor: &Actor,
    now: &Now,
    bench: OnTheBench<'_>,
    prepared: PreparedOverride,
    approver: &SignedIn,
) -> Result<Confirmed, BenchError> {
    if approver.role != Role::Supervisor {
        let why = format!("{} is not a supervisor", approver.name);
        return Err(refuse_override(store, actor, now, bench.package, &approver.name, why));
    }
    let mut override_ = prepared.override_;
    override_.approved_by = approver.name.clone();
    let to_save = to_save(policies, bench, prepared.decision, Some(override_))?;
    save(store, actor, now, bench, to_save)
}

/// Audits a refused override on the package and returns the refusal to report. If even the audit entry
/// cannot be written, the clerk still hears why the override was refused.
pub fn refuse_override(
    store: &mut dyn Store,
    actor: &Actor,
    now: &Now,
    package: &BenchPackage,
    supervisor: &str,
    why: String,
) -> BenchError {
    let detail = serde_json::json!({ "supervisor": supervisor, "why": why }).to_string();
    let _ =
        store.append_audit(&actor.stamp(now), "package", &package.package_id.to_string(), "override_refused", &detail);
    BenchError::OverrideRefused { supervisor: supervisor.to_owned(), why }
}

/// A supervisor's reopen of a decided package, with the reason (audited): the decision is withdrawn, its
/// queue items that nobody exported or paid are withdrawn, and the package may be resumed and decided again;
/// what stood (exported or paid) is settled by the difference when it is ([`crate::storage::Store::reopen_package`]).
pub fn reopen(
    store: &mut dyn Store,
    actor: &Actor,
    now: &Now,
    package_id: i64,
    reason: &str,
) -> Result<Reopened, BenchError> {
    super::supervisor_only(actor, "reopening a decided package")?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(BenchError::NoReason { what: "a reopen" });
    }
    reopen_in_turn(store, package_id)?;
    Ok(store.reopen_package(package_id, reason, &actor.stamp(now))?)
}

/// Refuses to reopen a package whose units of a SKU bought at several prices a later package's standing
/// decision was priced after (`station/order/same-sku-lines`): decided again, this package's units would be
/// priced past the later ones, and the dearest units paid twice. The later package is reopened first.
fn reopen_in_turn(store: &mut dyn Store, package_id: i64) -> Result<(), BenchError> {
    let history = store.package_history(package_id)?;
    let Some(order) = history.rma.map(|found| found.order).or(history.order) else { return Ok(()) };
    let packages = store.order_packages(order.id)?;
    match ledger::priced_after(&order.record.to_order(), &packages, package_id) {
        Some((later, sku)) => Err(BenchError::ReopenInTurn { package_id, later, sku }),
        None => Ok(()),
    }
}

/// The whole override in one go, the PIN checked here and counted against the supervisor's lockout
/// ([`super::sign_in`]) (the CLI and the tests; the window runs the PIN check on a thread of its own).
#[expect(clippy::too_many_arguments, reason = "the override's steps each take what the whole override takes")]
pub fn override_decision(
    store: &mut dyn Store,
    policies: &PolicySet,
    actor: &Actor,
    now: &Now,
    bench: OnTheBench<'_>,
    request: &OverrideRequest,
    pin: &str,
    secret: &auth::PinSecret,
) -> Result<Confirmed, BenchError> {
    let prepared = prepare_override(policies, bench.decided, request, now.today)?;
    let supervisor = &request.supervisor;
    let candidates = super::sign_in::override_candidates(store, actor, now, bench.package, supervisor)?;
    let checked = auth::check_pin(&candidates, pin, secret);
    super::sign_in::finish_override(store, policies, actor, now, bench, prepared, supervisor, checked)
}
