//! Where a decided package's units go in the warehouse: the bin each unit is carried to after the bench,
//! printed in large letters on its bin label.
//!
//! A bin is a warehouse word, not the customer's [`Disposition`]: a refunded unit may be restocked,
//! refurbished or scrapped depending on the state it arrived in. Units the decision accepted go by their
//! state ([`bin_for_state`]); units it refused go back to the customer; a held package waits whole. Pure:
//! the decision's per-SKU counts and the inspection sheet in, groups of units per bin out.

use crate::domain::case::ItemState;
use crate::domain::decision::LineResult;
use crate::domain::inspection::InspectionSheet;
use crate::domain::vocabulary::{Bin, Condition, DamageCause, Defect, Disposition, Packaging, Sticker};

/// One SKU of a decision as the bins need it: what the order had, and how many units were accepted and
/// refused. Built from the engine's [`LineResult`] or from a saved decision's lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineUnits {
    pub sku: String,
    pub ordered: u32,
    pub accepted: u32,
    pub refused: u32,
}

impl From<&LineResult> for LineUnits {
    fn from(line: &LineResult) -> LineUnits {
        LineUnits { sku: line.sku.clone(), ordered: line.ordered, accepted: line.accepted, refused: line.refused }
    }
}

/// Units of one SKU as (count, the state they arrived in), in the sheet's order.
type Segments<'a> = Vec<(u32, &'a ItemState)>;

/// The units of one package that go to one bin, per SKU in the decision's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinGroup {
    pub bin: Bin,
    pub units: Vec<(String, u32)>,
}

impl BinGroup {
    pub fn unit_count(&self) -> u32 {
        self.units.iter().map(|(_, count)| count).sum()
    }
}

impl Bin {
    /// The bin in the large letters of its label.
    pub fn words(self) -> &'static str {
        match self {
            Bin::Restock => "RESTOCK",
            Bin::Refurbish => "REFURBISH",
            Bin::Scrap => "SCRAP",
            Bin::ReturnToCustomer => "RETURN TO CUSTOMER",
            Bin::Hold => "HOLD",
        }
    }
}

/// Where an accepted unit goes, by the state it arrived in:
/// - SCRAP: burnt, flooded or caught in a disaster, war or unrest (electronics that may not be safe to power
///   up again), or damaged and broken (a cracked case is not worth a repair at the bench);
/// - RESTOCK: as new — sealed or unused, sticker intact (or none), never opened up, in its original
///   packaging, no defect, no damage: it can be sold again as it is;
/// - REFURBISH: everything else — opened, used, defective, or needing new packaging.
pub fn bin_for_state(state: &ItemState) -> Bin {
    let hazard = matches!(
        state.damage_cause,
        DamageCause::Fire
            | DamageCause::Flood
            | DamageCause::NaturalDisaster
            | DamageCause::War
            | DamageCause::CivilUnrest
    );
    if hazard || (state.condition == Condition::Damaged && state.defect == Defect::Breakage) {
        return Bin::Scrap;
    }
    let as_new = matches!(state.condition, Condition::Sealed | Condition::Unused)
        && matches!(state.sticker, Sticker::Intact | Sticker::NoSticker)
        && !state.disassembled
        && state.packaging == Packaging::Original
        && state.defect == Defect::NoDefect
        && state.damage_cause == DamageCause::NoDamage;
    if as_new { Bin::Restock } else { Bin::Refurbish }
}

/// Sorts a decided package's units into bins: one group per bin that gets any unit, in [`Bin::ALL`] order.
/// A package whose units all go to one bin (the usual case) has one group, so one label.
///
/// - A hold (`disposition` hold): every unit that arrived waits in HOLD, whatever its line says.
/// - Refused units go back to the customer. The engine matches units to the order in the sheet's order, so
///   units beyond the ordered quantity — refused as not ordered — are the sheet's last ones.
/// - Accepted units go by their state ([`bin_for_state`]).
/// - The decision counts per SKU, not per state: when one SKU's units within the order arrived in different
///   states and were partly accepted, the decision does not say which state was accepted. Guessing could
///   restock the unit that should go back, so those units go to HOLD for a person to sort.
/// - Units the decision has no line for (the sheet and the decision disagree) also go to HOLD.
pub fn sort_into_bins(disposition: Disposition, lines: &[LineUnits], sheet: &InspectionSheet) -> Vec<BinGroup> {
    let arrived: Vec<(&str, u32, &ItemState)> = sheet
        .items
        .iter()
        .filter(|item| item.received > 0)
        .map(|item| (item.sku.as_str(), item.received, &item.state))
        .collect();
    let mut sorted: Vec<(Bin, &str, u32)> = Vec::new();
    if disposition == Disposition::Hold {
        sorted.extend(arrived.iter().map(|&(sku, received, _)| (Bin::Hold, sku, received)));
        return grouped(&sorted);
    }
    for line in lines {
        let sku = line.sku.as_str();
        // Within the order first, in the sheet's order; the rest is excess.
        let mut room = line.ordered;
        let (mut within, mut excess): (Segments<'_>, Segments<'_>) = (Vec::new(), Vec::new());
        for &(_, received, state) in arrived.iter().filter(|(item_sku, ..)| *item_sku == sku) {
            let taken = received.min(room);
            room -= taken;
            within.push((taken, state));
            excess.push((received - taken, state));
        }
        let units = |segments: &[(u32, &ItemState)]| segments.iter().map(|(count, _)| count).sum::<u32>();
        let (within_units, excess_units) = (units(&within), units(&excess));
        if line.accepted + line.refused != within_units + excess_units {
            // The counts do not add up: nothing can be sorted safely.
            sorted.push((Bin::Hold, sku, within_units + excess_units));
            continue;
        }
        // The engine refuses the excess before anything within the order.
        let refused_excess = line.refused.min(excess_units);
        split(&excess, excess_units - refused_excess, refused_excess, sku, &mut sorted);
        split(&within, within_units - (line.refused - refused_excess), line.refused - refused_excess, sku, &mut sorted);
    }
    for &(sku, received, _) in &arrived {
        if !lines.iter().any(|line| line.sku == sku) {
            sorted.push((Bin::Hold, sku, received));
        }
    }
    grouped(&sorted)
}

/// Sorts units of one SKU, `accepted` of them accepted and `refused` refused, given as (count, state)
/// segments: accepted units go by their state, refused ones back to the customer. When both happen and the
/// units differ in state, which state was accepted is unknown: they all go to HOLD.
fn split<'a>(
    segments: &[(u32, &ItemState)],
    accepted: u32,
    refused: u32,
    sku: &'a str,
    sorted: &mut Vec<(Bin, &'a str, u32)>,
) {
    let segments: Vec<(u32, &ItemState)> = segments.iter().copied().filter(|(count, _)| *count > 0).collect();
    let one_state = segments.windows(2).all(|pair| pair[0].1 == pair[1].1);
    if accepted == 0 {
        sorted.push((Bin::ReturnToCustomer, sku, refused));
    } else if refused == 0 {
        sorted.extend(segments.iter().map(|&(count, state)| (bin_for_state(state), sku, count)));
    } else if let (true, Some(&(_, state))) = (one_state, segments.first()) {
        sorted.push((bin_for_state(state), sku, accepted));
        sorted.push((Bin::ReturnToCustomer, sku, refused));
    } else {
        sorted.push((Bin::Hold, sku, accepted + refused));
    }
}

/// Units per bin, SKUs in the order first met and counted once each, empty bins left out.
fn grouped(sorted: &[(Bin, &str, u32)]) -> Vec<BinGroup> {
    Bin::ALL
        .iter()
        .filter_map(|&bin| {
            let mut units: Vec<(String, u32)> = Vec::new();
            for &(_, sku, count) in sorted.iter().filter(|(b, _, count)| *b == bin && *count > 0) {
                match units.iter_mut().find(|(known, _)| known == sku) {
                    Some((_, total)) => *total += count,
                    None => units.push((sku.to_owned(), count)),
                }
            }
            (!units.is_empty()).then_some(BinGroup { bin, units })
        })
        .collect()
}
