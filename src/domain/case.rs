//! A return case as the engine sees it: the order, the RMA (if the package had one) and the inspection.
//!
//! These are validated domain values; the JSON, CSV and database shapes live at the edges and are
//! converted into these. Nothing here reads files or the clock.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::domain::money::Money;
use crate::domain::vocabulary::{Channel, Condition, DamageCause, Defect, Packaging, Resolution, RmaKind, Sticker};

/// The most units one order line (and one SKU of an order, its lines together) or one inspected item may
/// hold, and the most lines an order or items an inspection may have: the edges refuse more. Within them every sum of units fits a `u32` and every amount
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
    /// One line per SKU: the lines of one SKU an order names are one line whose units keep their own
    /// prices ([`merge_lines`]).
    pub lines: Vec<OrderLine>,
}

/// All the units of one SKU on an order.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderLine {
    pub sku: String,
    /// Free text from the merchant's catalogue; an unknown category takes the policy's defaults.
    pub category: String,
    /// What was paid for each unit; their count is the quantity ordered.
    pub prices: UnitPrices,
    pub on_sale: bool,
    pub special_order: bool,
    pub gift_card: bool,
}

impl OrderLine {
    /// Units ordered.
    pub fn qty(&self) -> u32 {
        self.prices.units()
    }
}

/// What was paid for each unit of an order line, kept cheapest first.
///
/// On a returns bench identical units of one SKU cannot be told apart, so lines of the same SKU are one line
/// whose units keep their own prices, and the units that come back are priced from the lowest price paid
/// upward: the rule retailers apply to a buy-one-get-one return (the free unit goes back first). Whichever
/// units the customer sends, what they are priced at never exceeds what was paid for them; all of them back
/// is exactly the sum paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitPrices {
    /// (price, units) by rising price: one entry a price, each with at least one unit.
    tiers: Vec<(Money, u32)>,
}

impl UnitPrices {
    /// `units` units all at `price`.
    pub fn single(price: Money, units: u32) -> UnitPrices {
        let mut prices = UnitPrices { tiers: Vec::new() };
        prices.add(price, units);
        prices
    }

    /// Adds `units` units at `price`. The count saturates rather than wrap: [`merge_lines`] refuses a SKU of
    /// more than [`MAX_UNITS`] before it gets here, and the edges refuse more lines and units than fit.
    fn add(&mut self, price: Money, units: u32) {
        if units == 0 {
            return;
        }
        match self.tiers.binary_search_by(|(tier, _)| tier.cmp(&price)) {
            Ok(at) => self.tiers[at].1 = self.tiers[at].1.saturating_add(units),
            Err(at) => self.tiers.insert(at, (price, units)),
        }
    }

    /// Units in all.
    pub fn units(&self) -> u32 {
        self.tiers.iter().fold(0u32, |sum, (_, units)| sum.saturating_add(*units))
    }

    /// The sum paid for all the units.
    pub fn total(&self) -> Money {
        self.tiers.iter().map(|(price, units)| price.times(*units)).sum()
    }

    /// (price, units) from the cheapest price up.
    pub fn tiers(&self) -> &[(Money, u32)] {
        &self.tiers
    }

    /// Whether the units were bought at more than one price: only then does it matter which are priced.
    pub fn several(&self) -> bool {
        self.tiers.len() > 1
    }

    /// What was paid for `count` units counted upward from the cheapest, past the `skip` cheapest (those an
    /// earlier package settled). Units past the line's own have no price, since nothing was paid for them;
    /// the engine never asks for them, as it accepts no more units than were ordered.
    pub fn value_of(&self, skip: u32, count: u32) -> Money {
        let (mut skip, mut count) = (skip, count);
        let mut value = Money::ZERO;
        for &(price, units) in &self.tiers {
            let passed = skip.min(units);
            skip -= passed;
            let taken = (units - passed).min(count);
            count -= taken;
            value = value + price.times(taken);
        }
        value
    }

    /// What was paid for the `count` dearest units: those a customer kept, since the units that come back
    /// are priced from the cheapest up.
    pub fn dearest(&self, count: u32) -> Money {
        let units = self.units();
        self.value_of(units.saturating_sub(count), count)
    }
}

/// Why lines of one SKU cannot be one line. `first` and `line` are places in the lines as given, from 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SameSkuError {
    /// The lines differ in a fact the policy tests (`category`, `on_sale`, `special_order`, `gift_card`):
    /// no rule can be applied to units nobody can tell apart, so neither line's is taken.
    Differs { sku: String, first: usize, line: usize, field: &'static str, first_value: String, value: String },
    /// The SKU's lines up to `line` hold more than [`MAX_UNITS`] units.
    TooManyUnits { sku: String, first: usize, line: usize, units: u64 },
}

impl SameSkuError {
    /// The line the error is about (the later of the two).
    pub fn line(&self) -> usize {
        match self {
            SameSkuError::Differs { line, .. } | SameSkuError::TooManyUnits { line, .. } => *line,
        }
    }

    /// The first line of the SKU.
    pub fn first(&self) -> usize {
        match self {
            SameSkuError::Differs { first, .. } | SameSkuError::TooManyUnits { first, .. } => *first,
        }
    }

    /// The field of [`Self::line`] at fault: `category`, `on_sale`, `special_order`, `gift_card` or `qty`.
    pub fn field(&self) -> &'static str {
        match self {
            SameSkuError::Differs { field, .. } => field,
            SameSkuError::TooManyUnits { .. } => "qty",
        }
    }

    /// The reason in words, the first line of the SKU named as the caller's format names it (`line 3`,
    /// `order.lines[0]`).
    pub fn words(&self, first_named: &str) -> String {
        match self {
            SameSkuError::Differs { sku, first_value, value, .. } => format!(
                "{value} differs from {first_named}, which has {first_value} for the same SKU {sku:?}; lines of one \
                 SKU must agree on category, on_sale, special_order and gift_card, because identical units cannot \
                 be told apart at the bench and the policy cannot apply two rules to them"
            ),
            SameSkuError::TooManyUnits { sku, units, .. } => format!(
                "SKU {sku:?} comes to {units} units with {first_named} and the other lines of it; one SKU holds at \
                 most {MAX_UNITS} units on an order"
            ),
        }
    }
}

/// The lines of an order as the engine takes them: one per SKU, in the order SKUs first appear, each unit
/// at the price its own line gave. Lines of one SKU that differ in what the policy tests are refused, and so
/// is a SKU of more than [`MAX_UNITS`] units. Every edge that takes an order (the imports, `decide`) goes
/// through here, so they agree.
pub fn merge_lines(lines: impl IntoIterator<Item = OrderLine>) -> Result<Vec<OrderLine>, SameSkuError> {
    let mut merged = SameSkuLines::default();
    for line in lines {
        merged.push(line)?;
    }
    Ok(merged.lines)
}

/// Lines gathered one at a time by SKU (an import checks each row as it reads it, to name that row).
#[derive(Debug, Clone, Default)]
pub struct SameSkuLines {
    lines: Vec<OrderLine>,
    /// For each merged line: the place of the first line given for it.
    first: Vec<usize>,
    by_sku: HashMap<String, usize>,
    given: usize,
}

impl SameSkuLines {
    /// Takes the next line given, joining it to an earlier line of its SKU when it can be.
    pub fn push(&mut self, line: OrderLine) -> Result<(), SameSkuError> {
        let place = self.given;
        self.given += 1;
        let Some(&at) = self.by_sku.get(&line.sku) else {
            self.by_sku.insert(line.sku.clone(), self.lines.len());
            self.lines.push(line);
            self.first.push(place);
            return Ok(());
        };
        let (existing, first) = (&mut self.lines[at], self.first[at]);
        if let Some((field, first_value, value)) = differing_rule(existing, &line) {
            return Err(SameSkuError::Differs { sku: line.sku, first, line: place, field, first_value, value });
        }
        let units = u64::from(existing.qty()) + u64::from(line.qty());
        if units > u64::from(MAX_UNITS) {
            return Err(SameSkuError::TooManyUnits { sku: line.sku, first, line: place, units });
        }
        for &(price, count) in line.prices.tiers() {
            existing.prices.add(price, count);
        }
        Ok(())
    }

    /// Takes the next line even when [`Self::push`] would refuse it: its units join its SKU's line at their
    /// own prices, under the first line's rules. Only for counting units (a ledger), never for pricing: the
    /// imports refuse such an order, and the bench refuses to decide one stored before they did.
    pub fn push_counting(&mut self, line: OrderLine) {
        let sku = line.sku.clone();
        let prices = line.prices.clone();
        if self.push(line).is_err()
            && let Some(&at) = self.by_sku.get(&sku)
        {
            for &(price, count) in prices.tiers() {
                self.lines[at].prices.add(price, count);
            }
        }
    }

    /// The lines, one per SKU.
    pub fn into_lines(self) -> Vec<OrderLine> {
        self.lines
    }
}

/// The first fact the policy tests on which two lines of one SKU differ: (field, first's value, other's).
fn differing_rule(first: &OrderLine, other: &OrderLine) -> Option<(&'static str, String, String)> {
    let flag = |field: &'static str, a: bool, b: bool| (a != b).then(|| (field, a.to_string(), b.to_string()));
    if first.category != other.category {
        return Some(("category", format!("{:?}", first.category), format!("{:?}", other.category)));
    }
    flag("on_sale", first.on_sale, other.on_sale)
        .or_else(|| flag("special_order", first.special_order, other.special_order))
        .or_else(|| flag("gift_card", first.gift_card, other.gift_card))
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
    /// What was paid for every unit + shipping charged: what a percentage fee on the order is taken of.
    pub fn total(&self) -> Money {
        self.lines.iter().map(|line| line.prices.total()).sum::<Money>() + self.shipping_charged
    }

    pub fn line(&self, sku: &str) -> Option<&OrderLine> {
        self.lines.iter().find(|line| line.sku == sku)
    }
}
