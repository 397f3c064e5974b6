//! Intake: what a package's scan finds in the store.
//!
//! A classified scan is looked up by what it is: an RMA label by RMA number, a carrier label by the
//! tracking numbers RMAs expect, an order number among orders. A code the classifier could not place
//! (a merchant whose RMA pattern is not configured, an odd label) is tried as each of those in turn, so
//! a package is never lost to classification. Product codes and GS1 item data identify items, not
//! packages: they are scanned during inspection.

use crate::domain::scan::{Classification, Kind};
use crate::storage::{RmaMatch, Store, StoreError, StoredOrder};

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
