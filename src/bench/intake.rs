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
use crate::domain::scan::{Classification, Kind};
use crate::storage::{ReceivedPackage, RmaMatch, Store, StoreError, StoredOrder};

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
    };
    let stamp = actor.stamp(now);
    let package_id = store.receive_package(&package, &stamp)?;
    let inspection_id = store.start_inspection(package_id, &stamp)?;
    let sheet = match arrival.claim.order() {
        Some(order) => InspectionSheet::for_order(&order.record, now.today),
        None => InspectionSheet {
            received_on: now.today,
            original_owner: true,
            commercial_use: false,
            proof_of_purchase: false,
            items: Vec::new(),
        },
    };
    Ok(Received { package: BenchPackage { package_id, inspection_id, claim: arrival.claim }, sheet })
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
