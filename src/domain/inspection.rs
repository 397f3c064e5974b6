//! The inspection sheet the clerk fills in at the bench: the order's items ticked off as they are
//! scanned or counted, items that arrived without being ordered, each group's state, and which of the
//! policy's photo checkpoints are still missing.
//!
//! The sheet is what the store saves and what the engine's [`Inspection`] is built from; it does not
//! decide anything itself.

use chrono::NaiveDate;

use crate::domain::case::{InspectedItem, Inspection, ItemState};
use crate::domain::policy::{CheckpointRule, Policy};
use crate::domain::records::OrderRecord;
use crate::domain::vocabulary::{Checkpoint, Condition, DamageCause, Defect, Packaging, RmaKind, Sticker};

#[derive(Debug, Clone, PartialEq)]
pub struct InspectionSheet {
    pub received_on: NaiveDate,
    pub original_owner: bool,
    pub commercial_use: bool,
    pub proof_of_purchase: bool,
    pub items: Vec<SheetItem>,
}

/// Units of one SKU found in one state. An ordered SKU starts as one item with nothing received; a
/// unit in another state is split off into an item of its own.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetItem {
    pub sku: String,
    /// The catalogue name, or empty for an item nobody ordered.
    pub name: String,
    pub category: String,
    /// Whether the SKU is on the order.
    pub expected: bool,
    /// Units on the order (0 for an unexpected item). Split items share the order's count.
    pub ordered: u32,
    pub received: u32,
    pub serial: String,
    pub state: ItemState,
    pub notes: String,
}

/// What a scanned item code did to the sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemScan {
    /// One more unit of this (ordered) item arrived.
    Counted(usize),
    /// The code is not on the order: recorded as an item that arrived unexpected.
    Unexpected(usize),
}

/// The state an item is assumed to be in until the clerk says otherwise: what most returns look like.
pub const AS_NEW: ItemState = ItemState {
    condition: Condition::Unused,
    sticker: Sticker::Intact,
    disassembled: false,
    packaging: Packaging::Original,
    defect: Defect::NoDefect,
    damage_cause: DamageCause::NoDamage,
};

impl InspectionSheet {
    /// A fresh sheet for a package of this order: one line per ordered SKU, nothing received yet.
    pub fn for_order(order: &OrderRecord, received_on: NaiveDate) -> InspectionSheet {
        let mut items: Vec<SheetItem> = Vec::new();
        for line in &order.lines {
            match items.iter_mut().find(|item| item.sku == line.sku) {
                Some(item) => item.ordered += line.qty,
                None => items.push(SheetItem {
                    sku: line.sku.clone(),
                    name: line.name.clone(),
                    category: line.category.clone(),
                    expected: true,
                    ordered: line.qty,
                    received: 0,
                    serial: String::new(),
                    state: AS_NEW,
                    notes: String::new(),
                }),
            }
        }
        InspectionSheet { received_on, original_owner: true, commercial_use: false, proof_of_purchase: true, items }
    }

    /// The sheet as the clerk left it, from what was saved of it: the saved items (those that arrived) back
    /// at their places, and the order's items nothing of arrived yet in the places between (a sheet keeps
    /// its ordered SKUs in order, and a split or an unexpected item only ever comes after them), so an
    /// item's photos still point at it.
    pub fn resumed(order: Option<&OrderRecord>, saved: InspectionSheet, positions: &[usize]) -> InspectionSheet {
        let fresh = order.map(|order| InspectionSheet::for_order(order, saved.received_on));
        let mut waiting = fresh
            .map(|sheet| sheet.items)
            .unwrap_or_default()
            .into_iter()
            .filter(|item| !saved.items.iter().any(|arrived| arrived.sku == item.sku))
            .collect::<std::collections::VecDeque<_>>();
        let mut placed: Vec<(usize, SheetItem)> = positions.iter().copied().zip(saved.items).collect();
        placed.sort_by_key(|(position, _)| *position);
        let mut items = Vec::new();
        for (position, item) in placed {
            while items.len() < position
                && let Some(gap) = waiting.pop_front()
            {
                items.push(gap);
            }
            items.push(item);
        }
        items.extend(waiting);
        InspectionSheet { items, ..saved }
    }

    /// Counts a scanned SKU: the first item of that SKU still short of its order gets the unit (or the
    /// first of that SKU when all are complete); an unknown code becomes an unexpected item.
    pub fn scan_item(&mut self, code: &str) -> ItemScan {
        let code = code.trim();
        let same = |item: &SheetItem| item.sku.eq_ignore_ascii_case(code);
        let short = self.items.iter().position(|item| same(item) && item.expected && item.received < item.ordered);
        if let Some(index) = short.or_else(|| self.items.iter().position(|item| same(item) && item.expected)) {
            self.items[index].received += 1;
            return ItemScan::Counted(index);
        }
        if let Some(index) = self.items.iter().position(same) {
            self.items[index].received += 1;
            return ItemScan::Unexpected(index);
        }
        self.items.push(SheetItem {
            sku: code.to_owned(),
            name: String::new(),
            category: String::new(),
            expected: false,
            ordered: 0,
            received: 1,
            serial: String::new(),
            state: AS_NEW,
            notes: String::new(),
        });
        ItemScan::Unexpected(self.items.len() - 1)
    }

    /// Moves one received unit of item `index` into a new item right after it, to be given its own state.
    /// Returns the new item's index, or `None` when the item has fewer than two units.
    pub fn split_unit(&mut self, index: usize) -> Option<usize> {
        let item = self.items.get_mut(index)?;
        if item.received < 2 {
            return None;
        }
        item.received -= 1;
        let mut unit = item.clone();
        unit.received = 1;
        unit.serial.clear();
        self.items.insert(index + 1, unit);
        Some(index + 1)
    }

    /// Units received across all items.
    pub fn units_received(&self) -> u32 {
        // Saturating: a sheet is the clerk's counting, not bounded at an edge like a case's lines.
        self.items.iter().fold(0_u32, |sum, item| sum.saturating_add(item.received))
    }

    /// Ordered units that have not arrived, per SKU (a SKU split over several items counts once).
    pub fn missing(&self) -> Vec<(String, u32)> {
        let mut missing: Vec<(String, u32)> = Vec::new();
        for item in self.items.iter().filter(|item| item.expected) {
            if missing.iter().any(|(sku, _)| *sku == item.sku) {
                continue;
            }
            let received: u32 =
                self.items.iter().filter(|other| other.sku == item.sku).map(|other| other.received).sum();
            if received < item.ordered {
                missing.push((item.sku.clone(), item.ordered - received));
            }
        }
        missing
    }

    /// The inspection as the engine sees it: the items that arrived, each with the photos that show it.
    /// `photos(index)` counts the photos of item `index`, including those of the package as a whole.
    pub fn to_inspection(&self, photos: impl Fn(usize) -> u32) -> Inspection {
        Inspection {
            received_on: self.received_on,
            original_owner: self.original_owner,
            commercial_use: self.commercial_use,
            proof_of_purchase: self.proof_of_purchase,
            items: self
                .items
                .iter()
                .enumerate()
                .filter(|(_, item)| item.received > 0)
                .map(|(index, item)| InspectedItem {
                    sku: item.sku.clone(),
                    qty: item.received,
                    state: item.state,
                    photos: photos(index),
                })
                .collect(),
        }
    }

    /// The sheet item that item `inspected` of [`Self::to_inspection`] was made from (the inspection leaves
    /// out the items of which nothing was received).
    pub fn sheet_index(&self, inspected: usize) -> Option<usize> {
        self.items.iter().enumerate().filter(|(_, item)| item.received > 0).nth(inspected).map(|(index, _)| index)
    }

    /// The photo checkpoints the policy requires for this claim and these items, with whether a photo
    /// has been taken at each (`taken` lists the checkpoints photographed so far).
    pub fn checkpoints<'p>(
        &self,
        policy: &'p Policy,
        kind: RmaKind,
        taken: &[Checkpoint],
    ) -> Vec<(&'p CheckpointRule, bool)> {
        policy
            .evidence
            .iter()
            .filter(|rule| rule.kinds.contains(&kind))
            .filter(|rule| {
                rule.categories.is_empty()
                    || self.items.iter().any(|item| item.received > 0 && rule.categories.contains(&item.category))
            })
            .map(|rule| (rule, taken.contains(&rule.checkpoint)))
            .collect()
    }
}
