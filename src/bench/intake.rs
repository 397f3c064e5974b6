//! Intake: what a package's scan finds in the store, receiving the package against what it matched, and
//! matching a quarantined package later.
//!
//! A classified scan is looked up by what it is: an RMA label by RMA number, a carrier label by the
//! tracking numbers RMAs expect, an order number among orders. A code the classifier could not place
//! (a merchant whose RMA pattern is not configured, an odd label) is tried as each of those in turn, so
//! a package is never lost to classification. Product codes and GS1 item data identify items, not
//! packages: they are scanned during inspection.

use super::{Actor, BenchError, BenchPackage, Claim};
use crate::clock::Now;
use crate::domain::inspection::InspectionSheet;
use crate::domain::lease::Lease;
use crate::domain::scan::{Classification, Kind};
use crate::domain::vocabulary::Verdict;
use crate::storage::{
    PackageHistory, PackageStage, PhotoRow, ReceivedPackage, RmaMatch, Store, StoreError, StoredOrder,
};

/// What a scan at intake found.
#[derive(Debug, Clone, PartialEq)]
pub enum IntakeMatch {
    /// RMAs this package may belong to (several: the clerk picks one).
    Rmas(Vec<RmaMatch>),
    /// Orders with this number but the package has no RMA of its own here (the clerk picks the RMA).
    Orders(Vec<StoredOrder>),
    /// Nothing: search by customer, or quarantine the package.
    Nothing,
    /// An item's code, not a package's.
    ItemCode,
}

/// Looks a scan up in the store.
pub fn find(store: &dyn Store, scan: &Classification) -> Result<IntakeMatch, StoreError> {
    let code = scan.normalized();
    let found = match scan.kind() {
        Kind::RmaNumber => rmas(store.rmas_by_number(&code)?),
        Kind::TrackingNumber => rmas(store.rmas_by_tracking(&code)?),
        Kind::OrderNumber => orders(store, store.orders_by_number(&code)?)?,
        Kind::ProductCode | Kind::Gs1 => IntakeMatch::ItemCode,
        Kind::Unknown => {
            let by_rma = rmas(store.rmas_by_number(&code)?);
            let by_tracking = rmas(store.rmas_by_tracking(&code)?);
            match (by_rma, by_tracking) {
                (IntakeMatch::Nothing, IntakeMatch::Nothing) => orders(store, store.orders_by_number(&code)?)?,
                (IntakeMatch::Nothing, found) | (found, _) => found,
            }
        }
    };
    Ok(found)
}

fn rmas(found: Vec<RmaMatch>) -> IntakeMatch {
    if found.is_empty() { IntakeMatch::Nothing } else { IntakeMatch::Rmas(found) }
}

/// An order number opens its RMAs when it has any; an order without RMAs is shown as an order.
fn orders(store: &dyn Store, found: Vec<StoredOrder>) -> Result<IntakeMatch, StoreError> {
    if found.is_empty() {
        return Ok(IntakeMatch::Nothing);
    }
    let mut matches = Vec::new();
    for order in &found {
        for rma in store.rmas_of_order(order.id)? {
            matches.push(RmaMatch { rma, order: order.clone() });
        }
    }
    Ok(if matches.is_empty() { IntakeMatch::Orders(found) } else { IntakeMatch::Rmas(matches) })
}

/// How many orders a customer search looks at.
const SEARCH_LIMIT: usize = 20;

/// The RMAs a clerk's search finds: by order number, then by customer name or email prefix.
pub fn search(store: &dyn Store, text: &str) -> Result<Vec<RmaMatch>, StoreError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let mut orders = store.orders_by_number(text)?;
    if orders.is_empty() {
        orders = store.search_customers(text, SEARCH_LIMIT)?;
    }
    let mut matches = Vec::new();
    for order in &orders {
        for rma in store.rmas_of_order(order.id)? {
            matches.push(RmaMatch { rma, order: order.clone() });
        }
    }
    Ok(matches)
}

/// A package on the bench, as scanned, and what the clerk matched it to.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrival {
    pub scanned_code: String,
    /// What the classifier said the code is (`rma_number`, `tracking_number`…).
    pub scanned_kind: String,
    pub claim: Claim,
    /// The clerk's note (a quarantined package's description).
    pub note: String,
    /// Another box of a split shipment for a claim that has a package already (the clerk's explicit
    /// choice): only units not yet received can be accepted from it.
    pub another_box: bool,
}

/// A package received: its records, and the sheet its inspection starts from.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    pub package: BenchPackage,
    pub sheet: InspectionSheet,
}

/// Records the package as received for its claim (or quarantined), opens its inspection, and gives the
/// sheet to fill in: the order's items, received today (a quarantined package has none yet).
pub fn receive(store: &mut dyn Store, actor: &Actor, now: &Now, arrival: Arrival) -> Result<Received, BenchError> {
    let package = ReceivedPackage {
        scanned_code: arrival.scanned_code,
        scanned_kind: arrival.scanned_kind,
        rma_id: match &arrival.claim {
            Claim::Rma(found) => Some(found.rma.id),
            _ => None,
        },
        order_id: match &arrival.claim {
            Claim::OrderOnly(order) => Some(order.id),
            _ => None,
        },
        note: arrival.note,
        another_box: arrival.another_box,
    };
    let stamp = actor.stamp(now);
    let package_id = store.receive_package(&package, &stamp)?;
    let inspection_id = store.start_inspection(package_id, &stamp)?;
    // Open on this bench from now on; a package put in quarantine is on the shelf, open nowhere.
    if !matches!(arrival.claim, Claim::Quarantined) {
        store.take_lease(package_id, None, &stamp)?;
    }
    let sheet = match arrival.claim.order() {
        Some(order) => InspectionSheet::for_order(&order.record, now.today),
        None => empty_sheet(now.today),
    };
    let earlier = super::earlier_ledger(&*store, &arrival.claim, package_id)?;
    Ok(Received { package: BenchPackage { package_id, inspection_id, claim: arrival.claim, earlier }, sheet })
}

/// The sheet of a package in quarantine: nothing known of it yet.
fn empty_sheet(received_on: chrono::NaiveDate) -> InspectionSheet {
    InspectionSheet {
        received_on,
        original_owner: true,
        commercial_use: false,
        proof_of_purchase: false,
        items: Vec::new(),
    }
}

/// Matches a quarantined package to the RMA numbered `rma_number` (exactly one RMA must have it); returns
/// the RMA's number as stored.
pub fn match_quarantined(
    store: &mut dyn Store,
    actor: &Actor,
    now: &Now,
    package_id: i64,
    rma_number: &str,
) -> Result<String, BenchError> {
    let found = store.rmas_by_number(rma_number)?;
    let [one] = found.as_slice() else {
        return Err(BenchError::AmbiguousRma { number: rma_number.to_owned(), count: found.len() });
    };
    store.match_package(package_id, one.rma.id, &actor.stamp(now))?;
    Ok(one.rma.record.number.clone())
}

/// The packages received for an RMA before this scan, each with its whole story (decisions, queue items
/// and whether they were paid or shipped), oldest first: what the match card tells the clerk.
pub fn received_before(store: &dyn Store, rma_id: i64) -> Result<Vec<PackageHistory>, StoreError> {
    store.packages_of_rma(rma_id)?.iter().map(|package| store.package_history(package.id)).collect()
}

/// How far back the bench looks for packages received and not decided.
pub const UNFINISHED_DAYS: i64 = 30;
/// How many of them it lists.
const UNFINISHED_LIMIT: usize = 50;

/// Packages received in the last [`UNFINISHED_DAYS`] and not decided (or reopened), newest first: what
/// intake offers to resume, and what a station opens again after a close or a crash.
pub fn unfinished(store: &dyn Store, now: &Now) -> Result<Vec<crate::storage::PackageRow>, StoreError> {
    let since = now.at - chrono::TimeDelta::days(UNFINISHED_DAYS);
    store.undecided_since(&since.to_rfc3339_opts(chrono::SecondsFormat::Millis, true), UNFINISHED_LIMIT)
}

/// A package on record opened on the bench again, where it was left: its sheet as last saved (at most
/// about a second behind the clerk) and the photos taken of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Resumed {
    pub package: BenchPackage,
    pub sheet: InspectionSheet,
    pub photos: Vec<PhotoRow>,
}

/// Opens a package that is not decided (received, matched from quarantine, on hold, or reopened) on the
/// bench again. A package whose decision stands is viewed, not resumed: a supervisor's reopen comes first.
pub fn resume(store: &mut dyn Store, actor: &Actor, now: &Now, package_id: i64) -> Result<Resumed, BenchError> {
    let history = store.package_history(package_id)?;
    // Open here only if no other bench has it open; refused, the clerk is told where and by whom.
    if !matches!(history.package.stage, PackageStage::Quarantined | PackageStage::Decided(_))
        || history.package.stage == PackageStage::Decided(Verdict::Hold)
    {
        store.take_lease(package_id, None, &actor.stamp(now))?;
    }
    match history.package.stage {
        PackageStage::Quarantined => return Err(BenchError::Quarantined { package_id }),
        PackageStage::Decided(verdict) if verdict != Verdict::Hold => {
            return Err(BenchError::Decided { package_id, verdict });
        }
        _ => {}
    }
    let claim = match (history.rma, history.order) {
        (Some(found), _) => Claim::Rma(found),
        (None, Some(order)) => Claim::OrderOnly(order),
        (None, None) => return Err(BenchError::Quarantined { package_id }),
    };
    let (inspection_id, sheet) = match history.inspections.last() {
        Some((id, saved)) => {
            (*id, InspectionSheet::resumed(claim.order().map(|o| &o.record), saved.clone(), &history.positions))
        }
        None => {
            let id = store.start_inspection(package_id, &actor.stamp(now))?;
            let order = claim.order().map(|o| &o.record);
            (id, order.map_or_else(|| empty_sheet(now.today), |order| InspectionSheet::for_order(order, now.today)))
        }
    };
    let photos = history.photos.into_iter().filter(|photo| photo.inspection_id == inspection_id).collect();
    let earlier = super::earlier_ledger(&*store, &claim, package_id)?;
    Ok(Resumed { package: BenchPackage { package_id, inspection_id, claim, earlier }, sheet, photos })
}

/// Keeps the package open on this bench: the window renews its lease every [`crate::domain::lease::RENEW_EVERY`]
/// while the package is on the bench. Refused if another bench took it over meanwhile.
pub fn renew(store: &mut dyn Store, actor: &Actor, now: &Now, package_id: i64) -> Result<Lease, BenchError> {
    Ok(store.take_lease(package_id, None, &actor.stamp(now))?)
}

/// Gives the package up: it left this bench without a decision (the clerk moved on, the window closed).
pub fn close(store: &mut dyn Store, actor: &Actor, now: &Now, package_id: i64) -> Result<(), BenchError> {
    Ok(store.release_lease(package_id, &actor.stamp(now))?)
}

/// A supervisor takes over a package another bench has open (that bench is stuck, or its clerk gone home),
/// with a reason that is audited with whom it was taken from, and opens it here.
pub fn take_over(
    store: &mut dyn Store,
    actor: &Actor,
    now: &Now,
    package_id: i64,
    reason: &str,
) -> Result<Resumed, BenchError> {
    super::supervisor_only(actor, "take over a package another bench has open")?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(BenchError::NoReason { what: "taking over a package" });
    }
    store.take_lease(package_id, Some(reason), &actor.stamp(now))?;
    resume(store, actor, now, package_id)
}
