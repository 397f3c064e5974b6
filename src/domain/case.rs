//! A return case as the engine sees it: the order, the RMA (if the package had one) and the inspection.
//!
//! These are validated domain values; the JSON, CSV and database shapes live at the edges and are
//! converted into these. Nothing here reads files or the clock.

use chrono::NaiveDate;

use crate::domain::money::Money;
use crate::domain::vocabulary::{Channel, Condition, DamageCause, Defect, Packaging, Resolution, RmaKind, Sticker};

/// The most units one order line or one inspected item may hold, and the most lines an order or items an
/// inspection may have: the edges refuse more. Within them every sum of units fits a `u32` and every amount
/// of a case (at most [`crate::domain::money::MAX_CENTS`] a unit) fits exactly.
pub const MAX_UNITS: u32 = 100_000;
pub const MAX_LINES: usize = 1_000;

/// A number of units as the edges take it: at least 1, at most [`MAX_UNITS`]; else why not, in words.
pub fn check_units(units: u32) -> Result<u32, String> {
    match units {
        0 => Err("must be at least 1".to_owned()),
        n if n > MAX_UNITS => Err(format!("{n} units; a line holds at most {MAX_UNITS}")),
        n => Ok(n),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub number: String,
    pub channel: Channel,
    /// ISO 3166-1 alpha-2 code of the ship-to address, upper case.
    pub country: String,
    pub purchased_on: NaiveDate,
    pub delivered_on: NaiveDate,
    pub shipping_charged: Money,
    pub gifted: bool,
    pub referral: Option<Referral>,
    /// One line per SKU (the edges refuse an order that names a SKU twice).
    pub lines: Vec<OrderLine>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderLine {
    pub sku: String,
    /// Free text from the merchant's catalogue; an unknown category takes the policy's defaults.
    pub category: String,
    pub qty: u32,
    pub unit_price: Money,
    pub on_sale: bool,
    pub special_order: bool,
    pub gift_card: bool,
}

/// The customer came through a referral: returning goods may undo the referrer's credit.
#[derive(Debug, Clone, PartialEq)]
pub struct Referral {
    pub referred: bool,
    pub minimum: Money,
    pub lifetime_value: Money,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rma {
    pub number: String,
    pub requested_on: NaiveDate,
    pub kind: RmaKind,
    pub resolution: Resolution,
    pub defective_on_arrival: bool,
    /// A prepaid return label the merchant issued.
    pub return_label_cost: Money,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    pub received_on: NaiveDate,
    pub original_owner: bool,
    pub commercial_use: bool,
    pub proof_of_purchase: bool,
    pub items: Vec<InspectedItem>,
}

/// Units of one SKU that arrived in the same state.
#[derive(Debug, Clone, PartialEq)]
pub struct InspectedItem {
    pub sku: String,
    pub qty: u32,
    pub state: ItemState,
    /// Photos taken of this item's state.
    pub photos: u32,
}

/// What the clerk found, as the policy rules test it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemState {
    pub condition: Condition,
    pub sticker: Sticker,
    pub disassembled: bool,
    pub packaging: Packaging,
    pub defect: Defect,
    pub damage_cause: DamageCause,
}

impl Order {
    /// sum(qty x unit price) + shipping charged: what a percentage fee on the order is taken of.
    pub fn total(&self) -> Money {
        self.lines.iter().map(|line| line.unit_price.times(line.qty)).sum::<Money>() + self.shipping_charged
    }

    pub fn line(&self, sku: &str) -> Option<&OrderLine> {
        self.lines.iter().find(|line| line.sku == sku)
    }
}
