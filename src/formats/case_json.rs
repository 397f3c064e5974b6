//! The `rma-station decide` contract: a case as JSON in, a decision as JSON out.
//!
//! Input is strict: unknown fields are refused (a misspelt `defective_on_arival` must not silently
//! default), and every error names the field path, with line and column for JSON syntax errors. The
//! contract is `docs/decide-json.md`.

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::domain::case::{
    InspectedItem, Inspection, ItemState, MAX_LINES, Order, OrderLine, Referral, Rma, SameSkuLines, UnitPrices,
    check_units,
};
use crate::domain::decision::{Decision, MoneyBreakdown};
use crate::domain::engine::decide;
use crate::domain::ledger::Ledger;
use crate::domain::money::Money;
use crate::domain::policy::Clause;
use crate::domain::vocabulary::{Channel, Condition, DamageCause, Defect, Packaging, Resolution, RmaKind, Sticker};
use crate::formats::Parsed;
use crate::formats::import::IsoDate;
use crate::policies::{LoadedPolicy, PolicySet};

/// Why a case cannot be decided. Each variant prints as one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("JSON syntax error at line {line}, column {column}: {message}")]
    Syntax { line: usize, column: usize, message: String },
    #[error("{path}: {message}")]
    Field { path: String, message: String },
    #[error("merchant: unknown merchant {merchant:?}; known merchants: {known}")]
    UnknownMerchant { merchant: String, known: String },
}

/// A validated case, ready for the engine.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub merchant: String,
    pub order: Order,
    pub rma: Option<Rma>,
    pub inspection: Inspection,
}

/// Parses, decides and renders one case: what `rma-station decide` prints.
pub fn decide_case_json(text: &str, policies: &PolicySet, today: NaiveDate) -> Result<Value, CaseError> {
    let case = parse_case(text)?;
    if case.inspection.received_on > today {
        let received = case.inspection.received_on;
        return field_error("inspection.received_on", format!("{received} is after the decision date {today}"));
    }
    let loaded = policies.get(&case.merchant).ok_or_else(|| CaseError::UnknownMerchant {
        merchant: case.merchant.clone(),
        known: policies.merchant_ids().join(", "),
    })?;
    // A case on its own: the `decide` contract knows of no other package of the order.
    let decision = decide(&loaded.policy, &case.order, case.rma.as_ref(), &case.inspection, &Ledger::default(), today);
    Ok(decision_json(&case, loaded, &decision))
}

/// Parses a case's JSON text into domain values.
pub fn parse_case(text: &str) -> Result<Case, CaseError> {
    // A byte-order mark, as some Windows editors write, is taken as the JSON imports take it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let raw: RawCase = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() || path == "." {
            CaseError::Syntax { line: inner.line(), column: inner.column(), message: bare_message(&inner) }
        } else {
            CaseError::Field {
                path,
                message: format!("{} (line {}, column {})", bare_message(&inner), inner.line(), inner.column()),
            }
        }
    })?;
    deserializer.end().map_err(|e| CaseError::Syntax {
        line: e.line(),
        column: e.column(),
        message: bare_message(&e),
    })?;
    raw.into_case()
}

/// serde_json's message without its trailing " at line L column C", which the caller words itself.
fn bare_message(error: &serde_json::Error) -> String {
    let full = error.to_string();
    match full.rfind(" at line ") {
        Some(cut) => full[..cut].to_owned(),
        None => full,
    }
}

fn field_error<T>(path: impl Into<String>, message: impl Into<String>) -> Result<T, CaseError> {
    Err(CaseError::Field { path: path.into(), message: message.into() })
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a case object with merchant, order, rma and inspection")]
struct RawCase {
    merchant: String,
    order: RawOrder,
    #[serde(default)]
    rma: Option<RawRma>,
    inspection: RawInspection,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "an order object")]
struct RawOrder {
    number: String,
    #[serde(default)]
    channel: Option<Parsed<Channel>>,
    country: String,
    purchased_on: Parsed<IsoDate>,
    delivered_on: Parsed<IsoDate>,
    shipping_charged: Parsed<Money>,
    #[serde(default)]
    gifted: bool,
    #[serde(default)]
    referral: Option<RawReferral>,
    lines: Vec<RawLine>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a referral object")]
struct RawReferral {
    referred: bool,
    minimum: Parsed<Money>,
    lifetime_value: Parsed<Money>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "an order line object")]
struct RawLine {
    sku: String,
    category: String,
    qty: u32,
    unit_price: Parsed<Money>,
    #[serde(default)]
    on_sale: bool,
    #[serde(default)]
    special_order: bool,
    #[serde(default)]
    gift_card: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "an RMA object or null")]
struct RawRma {
    number: String,
    requested_on: Parsed<IsoDate>,
    kind: Parsed<RmaKind>,
    resolution: Parsed<Resolution>,
    #[serde(default)]
    defective_on_arrival: bool,
    #[serde(default)]
    return_label_cost: Option<Parsed<Money>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "an inspection object")]
struct RawInspection {
    received_on: Parsed<IsoDate>,
    #[serde(default = "yes")]
    original_owner: bool,
    #[serde(default)]
    commercial_use: bool,
    #[serde(default = "yes")]
    proof_of_purchase: bool,
    items: Vec<RawItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "an inspected item object")]
struct RawItem {
    sku: String,
    qty: u32,
    condition: Parsed<Condition>,
    sticker: Parsed<Sticker>,
    #[serde(default)]
    disassembled: bool,
    packaging: Parsed<Packaging>,
    defect: Parsed<Defect>,
    damage_cause: Parsed<DamageCause>,
    photos: u32,
}

impl RawCase {
    fn into_case(self) -> Result<Case, CaseError> {
        let order = self.order.into_order()?;
        let inspection = self.inspection.into_inspection()?;
        if inspection.received_on < order.purchased_on {
            return field_error(
                "inspection.received_on",
                format!("{} is before the order was bought ({})", inspection.received_on, order.purchased_on),
            );
        }
        let rma = self.rma.map(|raw| Rma {
            number: raw.number,
            requested_on: raw.requested_on.0.0,
            kind: raw.kind.0,
            resolution: raw.resolution.0,
            defective_on_arrival: raw.defective_on_arrival,
            return_label_cost: raw.return_label_cost.map_or(Money::ZERO, |p| p.0),
        });
        if let Some(rma) = &rma
            && rma.number.trim().is_empty()
        {
            return field_error("rma.number", "must not be empty");
        }
        Ok(Case { merchant: self.merchant, order, rma, inspection })
    }
}

impl RawOrder {
    fn into_order(self) -> Result<Order, CaseError> {
        if self.number.trim().is_empty() {
            return field_error("order.number", "must not be empty");
        }
        let country = self.country.trim().to_ascii_uppercase();
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
            return field_error(
                "order.country",
                format!("{:?} is not a two-letter country code such as \"US\"", self.country),
            );
        }
        let (purchased_on, delivered_on) = (self.purchased_on.0.0, self.delivered_on.0.0);
        if delivered_on < purchased_on {
            return field_error("order.delivered_on", format!("{delivered_on} is before purchased_on {purchased_on}"));
        }
        if self.lines.len() > MAX_LINES {
            return field_error("order.lines", format!("{} lines; an order has at most {MAX_LINES}", self.lines.len()));
        }
        // Lines of one SKU are one line whose units keep their own prices, by the rule the imports follow
        // (`merge_lines`): lines that differ in what the policy tests are refused.
        let mut lines = SameSkuLines::default();
        for (i, raw) in self.lines.into_iter().enumerate() {
            let path = |field: &str| format!("order.lines[{i}].{field}");
            check_sku(&raw.sku, &path("sku"))?;
            if let Err(why) = check_units(raw.qty) {
                return field_error(path("qty"), why);
            }
            let line = OrderLine {
                sku: raw.sku,
                category: raw.category,
                prices: UnitPrices::single(raw.unit_price.0, raw.qty),
                on_sale: raw.on_sale,
                special_order: raw.special_order,
                gift_card: raw.gift_card,
            };
            if let Err(e) = lines.push(line) {
                return field_error(path(e.field()), e.words(&format!("order.lines[{}]", e.first())));
            }
        }
        let lines = lines.into_lines();
        Ok(Order {
            number: self.number,
            channel: self.channel.map_or(Channel::Direct, |p| p.0),
            country,
            purchased_on,
            delivered_on,
            shipping_charged: self.shipping_charged.0,
            gifted: self.gifted,
            referral: self.referral.map(|r| Referral {
                referred: r.referred,
                minimum: r.minimum.0,
                lifetime_value: r.lifetime_value.0,
            }),
            lines,
        })
    }
}

impl RawInspection {
    fn into_inspection(self) -> Result<Inspection, CaseError> {
        if self.items.len() > MAX_LINES {
            return field_error(
                "inspection.items",
                format!("{} items; an inspection has at most {MAX_LINES}", self.items.len()),
            );
        }
        let mut items = Vec::with_capacity(self.items.len());
        for (i, raw) in self.items.into_iter().enumerate() {
            check_sku(&raw.sku, &format!("inspection.items[{i}].sku"))?;
            if let Err(why) = check_units(raw.qty) {
                return field_error(format!("inspection.items[{i}].qty"), why);
            }
            items.push(InspectedItem {
                sku: raw.sku,
                qty: raw.qty,
                state: ItemState {
                    condition: raw.condition.0,
                    sticker: raw.sticker.0,
                    disassembled: raw.disassembled,
                    packaging: raw.packaging.0,
                    defect: raw.defect.0,
                    damage_cause: raw.damage_cause.0,
                },
                photos: raw.photos,
            });
        }
        Ok(Inspection {
            received_on: self.received_on.0.0,
            original_owner: self.original_owner,
            commercial_use: self.commercial_use,
            proof_of_purchase: self.proof_of_purchase,
            items,
        })
    }
}

fn check_sku(sku: &str, path: &str) -> Result<(), CaseError> {
    if sku.trim().is_empty() {
        return field_error(path, "must not be empty");
    }
    Ok(())
}

/// The decision as the contract's JSON, with the extra fields the station adds.
pub fn decision_json(case: &Case, loaded: &LoadedPolicy, decision: &Decision) -> Value {
    let money = &decision.money;
    json!({
        "merchant": case.merchant,
        "order": case.order.number,
        "rma": case.rma.as_ref().map(|r| r.number.clone()),
        "verdict": decision.verdict.as_str(),
        "disposition": decision.disposition.as_str(),
        "money": {
            "items_accepted": money.items_accepted.to_string(),
            "restocking_fee": money.restocking_fee.to_string(),
            "card_fee": money.card_fee.to_string(),
            "return_label": money.return_label.to_string(),
            "handling_fee": money.handling_fee.to_string(),
            "shipping_not_refunded": money.shipping_not_refunded.to_string(),
            "net": money.net.to_string(),
        },
        "lines": decision.lines.iter().map(|line| json!({
            "sku": line.sku,
            "ordered": line.ordered,
            "received": line.received,
            "accepted": line.accepted,
            "missing": line.missing,
            "fee": line.fee.to_string(),
            "refused": line.refused,
            "outcome": line.outcome.as_str(),
            "clauses": line.clauses,
        })).collect::<Vec<_>>(),
        "reasons": decision.reasons.iter().map(|c| json!({ "clause": c.id, "text": c.text })).collect::<Vec<_>>(),
        "flags": decision.flags.iter().map(|f| f.as_str()).collect::<Vec<_>>(),
        "decided_on": decision.decided_on.to_string(),
        "refund_due_on": decision.refund_due_on.map(|d| d.to_string()),
        "policy": { "file": loaded.file, "sha256": loaded.sha256 },
    })
}

/// A decision's own record (the `decide` contract's JSON, kept when it was confirmed), read back: the one
/// reader of what [`decision_json`] writes, for exports, labels, the daily view, records and evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedDecision {
    pub merchant: String,
    pub order: String,
    pub rma: Option<String>,
    pub money: MoneyBreakdown,
    pub lines: Vec<RecordedLine>,
    pub reasons: Vec<Clause>,
    pub flags: Vec<String>,
    pub refund_due_on: Option<NaiveDate>,
    /// The policy file the decision was made by.
    pub policy_file: String,
}

/// One SKU's outcome as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedLine {
    pub sku: String,
    pub ordered: u32,
    pub received: u32,
    pub accepted: u32,
    pub refused: u32,
    pub missing: u32,
    pub fee: Money,
    /// `accepted`, `refused`, `partial`, `hold`, `not_received`.
    pub outcome: String,
}

/// The decision JSON's fields read back (as [`decision_json`] writes them).
#[derive(Deserialize)]
struct DecisionJson {
    merchant: String,
    order: String,
    rma: Option<String>,
    money: MoneyJson,
    lines: Vec<LineJson>,
    reasons: Vec<ReasonJson>,
    flags: Vec<String>,
    refund_due_on: Option<Parsed<NaiveDate>>,
    policy: PolicyJson,
}

#[derive(Deserialize)]
struct MoneyJson {
    items_accepted: Parsed<Money>,
    restocking_fee: Parsed<Money>,
    card_fee: Parsed<Money>,
    return_label: Parsed<Money>,
    handling_fee: Parsed<Money>,
    shipping_not_refunded: Parsed<Money>,
    net: Parsed<Money>,
}

#[derive(Deserialize)]
struct LineJson {
    sku: String,
    ordered: u32,
    received: u32,
    accepted: u32,
    refused: u32,
    missing: u32,
    fee: Parsed<Money>,
    outcome: String,
}

#[derive(Deserialize)]
struct ReasonJson {
    clause: String,
    text: String,
}

#[derive(Deserialize)]
struct PolicyJson {
    file: String,
}

impl RecordedDecision {
    /// Reads a decision's recorded JSON.
    pub fn parse(json: &str) -> Result<RecordedDecision, serde_json::Error> {
        let raw: DecisionJson = serde_json::from_str(json)?;
        let m = raw.money;
        Ok(RecordedDecision {
            merchant: raw.merchant,
            order: raw.order,
            rma: raw.rma,
            money: MoneyBreakdown {
                items_accepted: m.items_accepted.0,
                restocking_fee: m.restocking_fee.0,
                card_fee: m.card_fee.0,
                return_label: m.return_label.0,
                handling_fee: m.handling_fee.0,
                shipping_not_refunded: m.shipping_not_refunded.0,
                net: m.net.0,
            },
            lines: raw
                .lines
                .into_iter()
                .map(|l| RecordedLine {
                    sku: l.sku,
                    ordered: l.ordered,
                    received: l.received,
                    accepted: l.accepted,
                    refused: l.refused,
                    missing: l.missing,
                    fee: l.fee.0,
                    outcome: l.outcome,
                })
                .collect(),
            reasons: raw.reasons.into_iter().map(|r| Clause { id: r.clause, text: r.text }).collect(),
            flags: raw.flags,
            refund_due_on: raw.refund_due_on.map(|d| d.0),
            policy_file: raw.policy.file,
        })
    }
}
