//! A return's ledger: for every line of an order, what all the packages and decisions of all its RMAs did
//! with its units, and which order-level charges were already kept.
//!
//! The engine is given the ledger of the *other* packages of the order ([`Ledger::build`] over them), so a
//! unit is never settled twice and a charge kept once per order (the card fee) or once per RMA (the
//! return label) is not kept again on a second box. The store builds the same ledger inside the
//! transaction that records a decision and refuses one that would settle a unit twice, so no path that
//! bypasses the engine can. Pure: the store gathers the entries, nothing here reads anything.

use crate::domain::case::Order;
use crate::domain::money::Money;
use crate::domain::vocabulary::Disposition;

/// One package of the order as the ledger counts it: what its sheet says arrived and its live decision.
#[derive(Debug, Clone, PartialEq)]
pub struct PackageEntry {
    pub package_id: i64,
    /// The RMA it was received for (none: matched to the order only).
    pub rma: Option<String>,
    /// Units received, by SKU, as the package's sheet says.
    pub received: Vec<(String, u32)>,
    /// The decision that stands (not withdrawn by a reopen), if the package was decided.
    pub decision: Option<DecisionEntry>,
}

/// What a standing decision did with a package's units and which charges it kept.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionEntry {
    pub decision_id: i64,
    pub disposition: Disposition,
    /// SKU, units accepted, units refused (sent back) and units charged as missing.
    pub lines: Vec<DecidedLine>,
    pub card_fee: Money,
    pub return_label: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecidedLine {
    pub sku: String,
    pub accepted: u32,
    pub refused: u32,
    pub missing: u32,
}

/// One line of the order across its packages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerLine {
    pub sku: String,
    pub ordered: u32,
    /// Units that arrived, in every package (decided or not).
    pub received: u32,
    /// Units refunded, credited, exchanged or replaced by a standing decision.
    pub settled: u32,
    /// Units refused by a standing decision: they go back to the customer.
    pub sent_back: u32,
    /// Units a standing return decision counted as missing (not refunded; maybe charged a restocking fee).
    pub missing: u32,
}

impl LedgerLine {
    /// Units of the line already spoken for: on the bench or settled, and not sent back. A package
    /// decided against this ledger may accept only what is left of the order.
    pub fn taken(&self) -> u32 {
        self.received.saturating_sub(self.sent_back).max(self.settled)
    }
}

/// The ledger of an order (or of its packages but one).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ledger {
    pub lines: Vec<LedgerLine>,
    /// The decision that kept the order's card fee, if one did.
    pub card_fee_kept_by: Option<i64>,
    /// For each RMA whose return label was deducted: its number and the decision that kept it.
    pub labels_kept: Vec<(String, i64)>,
}

impl Ledger {
    /// Counts the packages' units and charges against the order's lines. Units of a SKU the order does not
    /// have get a line of their own, ordered 0.
    pub fn build<'a>(order: &Order, packages: impl IntoIterator<Item = &'a PackageEntry>) -> Ledger {
        let mut ledger = Ledger {
            lines: order
                .lines
                .iter()
                .map(|line| LedgerLine { sku: line.sku.clone(), ordered: line.qty(), ..LedgerLine::default() })
                .collect(),
            ..Ledger::default()
        };
        for package in packages {
            for (sku, units) in &package.received {
                ledger.line_mut(sku).received += units;
            }
            let Some(decision) = &package.decision else { continue };
            if decision.disposition == Disposition::Hold {
                // A hold settles nothing and sends nothing back yet; it waits to be decided again.
                continue;
            }
            for line in &decision.lines {
                let counted = ledger.line_mut(&line.sku);
                if decision.disposition.settles() {
                    counted.settled += line.accepted;
                }
                counted.sent_back += line.refused;
                counted.missing += line.missing;
            }
            if decision.card_fee > Money::ZERO {
                ledger.card_fee_kept_by.get_or_insert(decision.decision_id);
            }
            if let (Some(rma), true) = (&package.rma, decision.return_label > Money::ZERO)
                && !ledger.labels_kept.iter().any(|(kept, _)| kept == rma)
            {
                ledger.labels_kept.push((rma.clone(), decision.decision_id));
            }
        }
        ledger
    }

    /// The line of `sku` (an empty one when nothing of it was ordered or received).
    pub fn line(&self, sku: &str) -> LedgerLine {
        self.lines
            .iter()
            .find(|line| line.sku == sku)
            .cloned()
            .unwrap_or_else(|| LedgerLine { sku: sku.to_owned(), ..LedgerLine::default() })
    }

    fn line_mut(&mut self, sku: &str) -> &mut LedgerLine {
        let index = match self.lines.iter().position(|line| line.sku == sku) {
            Some(index) => index,
            None => {
                self.lines.push(LedgerLine { sku: sku.to_owned(), ..LedgerLine::default() });
                self.lines.len() - 1
            }
        };
        &mut self.lines[index]
    }

    /// The decision that kept the return label of `rma`, if one did.
    pub fn label_kept_by(&self, rma: &str) -> Option<i64> {
        self.labels_kept.iter().find(|(kept, _)| kept == rma).map(|(_, decision)| *decision)
    }
}

/// The package, other than `package_id`, whose standing decision settled units of a SKU bought at several
/// prices after `package_id`'s standing decision settled some of it, with that SKU; `None` when there is none.
///
/// Units are priced from the cheapest up, past those the order's other packages had settled
/// (`station/order/same-sku-lines`), so a later decision was priced past this package's units. Were this
/// package's decision withdrawn and made again, its units would be priced past the later ones: the dearest
/// units paid twice. So the later package is reopened first (`bench::decision::reopen`).
pub fn priced_after(order: &Order, packages: &[PackageEntry], package_id: i64) -> Option<(i64, String)> {
    let settling = |entry: &PackageEntry| entry.decision.as_ref().filter(|d| d.disposition.settles()).cloned();
    let accepted = |decision: &DecisionEntry, sku: &str| decision.lines.iter().any(|l| l.sku == sku && l.accepted > 0);
    let mine = packages.iter().find(|entry| entry.package_id == package_id).and_then(settling)?;
    let several = |sku: &str| order.line(sku).is_some_and(|line| line.prices.several());
    for line in mine.lines.iter().filter(|line| line.accepted > 0 && several(&line.sku)) {
        let later = packages
            .iter()
            .filter(|entry| entry.package_id != package_id)
            .find(|entry| settling(entry).is_some_and(|d| d.decision_id > mine.decision_id && accepted(&d, &line.sku)));
        if let Some(later) = later {
            return Some((later.package_id, line.sku.clone()));
        }
    }
    None
}
