//! Demo data for a first start: realistic orders and RMAs of every kind for each merchant, so the
//! station shows real work at once.
//!
//! The data are files (`assets/demo/orders.json`, `rmas.json`, in the station's own import format),
//! not code, so no merchant is named here. They are dated around [`REFERENCE_DATE`]; loading shifts
//! every date by the days between it and today, so return windows are as open as the files intend.
//! Demo data only ever go into an empty database.

use chrono::{Days, NaiveDate};

use crate::domain::records::{OrderRecord, RmaRecord};
use crate::domain::vocabulary::Role;
use crate::formats::import::{FileKind, ImportError, parse_station_orders, parse_station_rmas};
use crate::hex::sha256_hex;
use crate::storage::{ImportCounts, ImportSource, Stamp, Store, StoreError};

const ORDERS: &str = include_str!("../assets/demo/orders.json");
const RMAS: &str = include_str!("../assets/demo/rmas.json");

/// The demo's operators: name, role and PIN. Added with the demo data when the station has no operator
/// yet, and named on the sign-in screen, so a first start can be tried at once.
pub const DEMO_OPERATORS: &[(&str, Role, &str)] = &[("sam", Role::Clerk, "1357"), ("dana", Role::Supervisor, "246810")];

/// The sign-in screen's line about the demo operators.
pub fn operators_hint() -> String {
    let who: Vec<String> =
        DEMO_OPERATORS.iter().map(|(name, role, pin)| format!("{name} ({role}), PIN {pin}")).collect();
    format!("Demo operators: {}.", who.join("; "))
}

/// The day the demo files were written around.
pub const REFERENCE_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2026, 11, 21) {
    Some(date) => date,
    None => NaiveDate::MIN,
};

#[derive(Debug, Clone, PartialEq)]
pub struct DemoData {
    pub orders: Vec<OrderRecord>,
    pub rmas: Vec<RmaRecord>,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the database already holds {0} orders; demo data only go into an empty database (use another --data-dir)")]
    NotEmpty(u64),
    #[error("the built-in demo data are broken: {0}")]
    Data(#[from] ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the demo operators' PINs could not be hashed: {0}")]
    Pin(#[from] crate::auth::AuthError),
}

/// The demo orders and RMAs, dated as if written today.
pub fn demo_data(today: NaiveDate) -> Result<DemoData, ImportError> {
    let mut ignore = |_| {};
    let (mut orders, _) = parse_station_orders("assets/demo/orders.json", ORDERS, FileKind::Json, &mut ignore)?;
    let (mut rmas, _) = parse_station_rmas("assets/demo/rmas.json", RMAS, FileKind::Json, &mut ignore)?;
    let shift = |date: NaiveDate| -> NaiveDate {
        let days = (today - REFERENCE_DATE).num_days();
        let moved = if days >= 0 {
            date.checked_add_days(Days::new(days as u64))
        } else {
            date.checked_sub_days(Days::new(days.unsigned_abs()))
        };
        moved.unwrap_or(date)
    };
    for order in &mut orders {
        order.purchased_on = shift(order.purchased_on);
        order.delivered_on = order.delivered_on.map(shift);
    }
    for rma in &mut rmas {
        rma.requested_on = shift(rma.requested_on);
    }
    Ok(DemoData { orders, rmas })
}

/// Loads the demo into an empty store. Returns what was written (orders, RMAs).
pub fn load_demo(
    store: &mut dyn Store,
    today: NaiveDate,
    stamp: &Stamp,
    secret: &crate::auth::PinSecret,
) -> Result<(ImportCounts, ImportCounts), DemoError> {
    let held = store.counts()?.orders;
    if held > 0 {
        return Err(DemoError::NotEmpty(held));
    }
    let data = demo_data(today)?;
    let orders = store.import_orders(
        &ImportSource { file: "demo orders".into(), sha256: sha256_hex(ORDERS.as_bytes()) },
        &data.orders,
        stamp,
    )?;
    let rmas = store.import_rmas(
        &ImportSource { file: "demo RMAs".into(), sha256: sha256_hex(RMAS.as_bytes()) },
        &data.rmas,
        stamp,
    )?;
    if store.operators()?.is_empty() {
        for (name, role, pin) in DEMO_OPERATORS {
            store.add_operator(name, *role, &crate::auth::hash_pin(pin, *role, secret)?, stamp)?;
        }
    }
    Ok((orders, rmas))
}
