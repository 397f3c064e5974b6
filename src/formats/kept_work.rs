//! The work a bench keeps while its database is away (issue 16): the package scans not yet looked up, in
//! order, and the sheet of the package on the bench as the clerk left it, unsaved. The window keeps it in
//! `kept-work.json` in the data folder, so that a bench killed or closed before the database is back loses
//! none of it: the next start looks the scans up and puts the sheet back on the package when it is opened.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::case::ItemState;
use crate::domain::inspection::{InspectionSheet, SheetItem};
use crate::formats::Parsed;

/// What was kept.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KeptWork {
    /// Package scans, oldest first.
    pub scans: Vec<String>,
    pub sheet: Option<KeptSheet>,
}

/// A sheet not yet saved, with the inspection it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct KeptSheet {
    pub inspection_id: i64,
    pub sheet: InspectionSheet,
}

impl KeptWork {
    pub fn is_empty(&self) -> bool {
        self.scans.is_empty() && self.sheet.is_none()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWork {
    scans: Vec<String>,
    sheet: Option<RawSheet>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSheet {
    inspection_id: i64,
    received_on: Parsed<NaiveDate>,
    original_owner: bool,
    commercial_use: bool,
    proof_of_purchase: bool,
    items: Vec<RawItem>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    sku: String,
    name: String,
    category: String,
    expected: bool,
    ordered: u32,
    received: u32,
    serial: String,
    condition: Parsed<crate::domain::vocabulary::Condition>,
    sticker: Parsed<crate::domain::vocabulary::Sticker>,
    disassembled: bool,
    packaging: Parsed<crate::domain::vocabulary::Packaging>,
    defect: Parsed<crate::domain::vocabulary::Defect>,
    damage_cause: Parsed<crate::domain::vocabulary::DamageCause>,
    notes: String,
}

/// The kept work as JSON.
pub fn to_json(work: &KeptWork) -> String {
    let sheet = work.sheet.as_ref().map(|kept| RawSheet {
        inspection_id: kept.inspection_id,
        received_on: Parsed(kept.sheet.received_on),
        original_owner: kept.sheet.original_owner,
        commercial_use: kept.sheet.commercial_use,
        proof_of_purchase: kept.sheet.proof_of_purchase,
        items: kept
            .sheet
            .items
            .iter()
            .map(|item| RawItem {
                sku: item.sku.clone(),
                name: item.name.clone(),
                category: item.category.clone(),
                expected: item.expected,
                ordered: item.ordered,
                received: item.received,
                serial: item.serial.clone(),
                condition: Parsed(item.state.condition),
                sticker: Parsed(item.state.sticker),
                disassembled: item.state.disassembled,
                packaging: Parsed(item.state.packaging),
                defect: Parsed(item.state.defect),
                damage_cause: Parsed(item.state.damage_cause),
                notes: item.notes.clone(),
            })
            .collect(),
    });
    let raw = RawWork { scans: work.scans.clone(), sheet };
    serde_json::to_string_pretty(&raw).unwrap_or_default()
}

/// Reads kept work back; an error says where in `file`.
pub fn parse(text: &str, file: &str) -> Result<KeptWork, String> {
    let raw: RawWork =
        serde_json::from_str(text).map_err(|e| format!("{file}: line {}, column {}: {e}", e.line(), e.column()))?;
    let sheet = raw.sheet.map(|sheet| KeptSheet {
        inspection_id: sheet.inspection_id,
        sheet: InspectionSheet {
            received_on: sheet.received_on.0,
            original_owner: sheet.original_owner,
            commercial_use: sheet.commercial_use,
            proof_of_purchase: sheet.proof_of_purchase,
            items: sheet
                .items
                .into_iter()
                .map(|item| SheetItem {
                    sku: item.sku,
                    name: item.name,
                    category: item.category,
                    expected: item.expected,
                    ordered: item.ordered,
                    received: item.received,
                    serial: item.serial,
                    state: ItemState {
                        condition: item.condition.0,
                        sticker: item.sticker.0,
                        disassembled: item.disassembled,
                        packaging: item.packaging.0,
                        defect: item.defect.0,
                        damage_cause: item.damage_cause.0,
                    },
                    notes: item.notes,
                })
                .collect(),
        },
    });
    Ok(KeptWork { scans: raw.scans, sheet })
}
