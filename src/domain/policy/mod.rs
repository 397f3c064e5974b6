//! A merchant's return and warranty policy as validated data.
//!
//! Every rule carries the [`Clause`] it comes from, so that every decision can cite the merchant's own
//! words. The policy files (`assets/policies/*.toml`) are parsed into this model at the edge
//! (`crate::formats::policy_toml`); nothing here knows any merchant by name, reads a file or the clock.

pub mod words;

use chrono::{Months, NaiveDate};

use crate::domain::case::{ItemState, Order};
use crate::domain::money::{Money, Percent};
use crate::domain::vocabulary::{
    Channel, Checkpoint, Condition, DamageCause, DateAnchor, Defect, Evidence, MissingItemCharge, NonReturnableKind,
    Packaging, Resolution, RmaKind, Sticker,
};

/// A policy clause: a stable id such as `merchant/refund/card-fee` and the merchant's words (or a
/// faithful one-line summary of them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub id: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub merchant: Merchant,
    /// What happens to a package that arrives without an RMA.
    pub authorization: Authorization,
    pub returns: ReturnRules,
    pub restocking: Option<RestockingSchedule>,
    pub fees: Fees,
    pub refund: RefundRules,
    pub warranty: WarrantyRules,
    pub shipping_damage: ShippingDamageRules,
    /// Referral credit that a return can undo; `None` when the merchant runs no referral programme.
    pub referral: Option<Clause>,
    /// Photos the bench must take before it decides.
    pub evidence: Vec<CheckpointRule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merchant {
    /// The file name's stem: `assets/policies/<id>.toml`.
    pub id: String,
    pub name: String,
    pub currency: String,
    /// The document these rules were read from.
    pub source: String,
    /// Regular expressions the scan classifier uses to recognise this merchant's numbers.
    pub rma_number_pattern: Option<String>,
    pub order_number_pattern: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Authorization {
    pub clause: Clause,
    /// Whether an unauthorized package is charged the handling fee.
    pub handling_fee: bool,
}

/// A period of whole days counted from a date of the order: day 0 is the date itself, and the window
/// is met on day N when N <= days.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub days: u32,
    pub from: DateAnchor,
    pub clause: Clause,
}

/// Which resolutions a kind of claim can get, and what is given instead of one it cannot.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolutions {
    pub allowed: Vec<Resolution>,
    /// Given instead of a resolution that is not allowed; `None` puts the case on hold for the customer
    /// to choose.
    pub otherwise: Option<Resolution>,
    pub clause: Clause,
}

/// A test of an item's inspected state: every field that is set must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemMatcher {
    pub conditions: Vec<Condition>,
    pub stickers: Vec<Sticker>,
    pub disassembled: Option<bool>,
    pub packaging: Vec<Packaging>,
    pub defects: Vec<Defect>,
    pub damage_causes: Vec<DamageCause>,
}

/// A rule that refuses an item whose state matches.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemRule {
    pub matcher: ItemMatcher,
    pub clause: Clause,
    /// `Some(Photo)`: the rule judges the goods' physical state, so a refusal on it needs a photo.
    pub evidence: Option<Evidence>,
}

impl ItemRule {
    /// Whether a refusal under this rule needs a photo of the item (the station's evidence rule).
    pub fn needs_photo(&self) -> bool {
        self.evidence == Some(Evidence::Photo)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReturnRules {
    pub window: Window,
    pub resolutions: Resolutions,
    /// Conditions under which a returned item is refused.
    pub refuse: Vec<ItemRule>,
    pub non_returnable: Vec<NonReturnableRule>,
    pub missing_items: MissingItems,
    /// Exchanges are sent only to these countries; `None` means anywhere.
    pub exchange_countries: Option<CountryRule>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NonReturnableRule {
    pub kind: NonReturnableKind,
    pub clause: Clause,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MissingItems {
    pub charge: MissingItemCharge,
    pub clause: Clause,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CountryRule {
    /// ISO 3166-1 alpha-2 codes, upper case.
    pub countries: Vec<String>,
    pub clause: Clause,
}

/// How much is kept for each ordered unit that was not returned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FeeRate {
    /// A percentage of the missing units' value, rounded once for the line.
    Percent(Percent),
    /// A flat amount per missing unit.
    PerUnit(Money),
}

#[derive(Debug, Clone, PartialEq)]
pub struct RestockingRate {
    pub rate: FeeRate,
    pub clause: Clause,
}

/// The restocking fee schedule: a SKU's own rate wins over its category's, which wins over the default.
#[derive(Debug, Clone, PartialEq)]
pub struct RestockingSchedule {
    pub default: RestockingRate,
    pub by_category: Vec<(String, RestockingRate)>,
    pub by_sku: Vec<(String, RestockingRate)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fees {
    pub card: Option<CardFee>,
    pub return_label: Option<LabelDeduction>,
    pub handling: Option<HandlingFee>,
}

/// The card processing fee kept on every refund: a percentage of the whole order total plus a fixed part.
#[derive(Debug, Clone, PartialEq)]
pub struct CardFee {
    pub percent: Percent,
    pub fixed: Money,
    pub clause: Clause,
}

/// The merchant's prepaid return label is deducted from the refund.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelDeduction {
    /// The label is the merchant's cost when the product was defective on arrival (or damaged on the
    /// way to the customer).
    pub waived_if_defective_on_arrival: bool,
    pub clause: Clause,
}

/// A flat fee once per package for goods returned that no authorization could cover.
#[derive(Debug, Clone, PartialEq)]
pub struct HandlingFee {
    pub amount: Money,
    pub clause: Clause,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RefundRules {
    pub shipping_refunded: bool,
    pub shipping_clause: Clause,
    /// The refund queue shows a due date this many days after the decision.
    pub due_days: u32,
    pub due_clause: Clause,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WarrantyRules {
    pub from: DateAnchor,
    pub periods: WarrantyPeriods,
    /// The warranty holds only for products bought through these channels.
    pub channels: Option<ChannelRule>,
    /// Only the original owner is covered.
    pub original_owner: Option<Clause>,
    /// Without proof of purchase the claim waits (hold).
    pub proof_of_purchase: Option<Clause>,
    /// Commercial use is not covered.
    pub commercial_use: Option<Clause>,
    pub defects: DefectRule,
    /// States that void the warranty.
    pub void: Vec<ItemRule>,
    /// Damage the warranty does not cover.
    pub exclusions: Vec<ItemRule>,
    /// A covered item is given a remedy only with a photo of it (hold without one).
    pub photo: Option<Clause>,
    pub resolutions: Resolutions,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChannelRule {
    pub allowed: Vec<Channel>,
    pub clause: Clause,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DefectRule {
    pub covered: Vec<Defect>,
    pub clause: Clause,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WarrantyPeriod {
    pub months: u32,
    pub clause: Clause,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WarrantyPeriods {
    pub default: WarrantyPeriod,
    pub by_category: Vec<(String, WarrantyPeriod)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ShippingDamageRules {
    pub window: Window,
    /// Damage causes a shipping-damage claim covers.
    pub covered_causes: Vec<DamageCause>,
    pub damage_clause: Clause,
    /// `Some(Photo)`: refusing a damage cause judges the goods' physical state, so it needs a photo.
    pub damage_evidence: Option<Evidence>,
    pub photo: Option<Clause>,
    pub resolutions: Resolutions,
}

/// A photo checkpoint required before a decision, for some kinds of claim and (optionally) some
/// categories of product.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckpointRule {
    pub kinds: Vec<RmaKind>,
    /// Empty: every category.
    pub categories: Vec<String>,
    pub checkpoint: Checkpoint,
    pub clause: Clause,
}

impl Policy {
    /// Every clause the policy cites, in file order (a clause may appear more than once).
    pub fn clauses(&self) -> Vec<&Clause> {
        let mut all = vec![&self.authorization.clause, &self.returns.window.clause, &self.returns.resolutions.clause];
        all.extend(self.returns.refuse.iter().map(|r| &r.clause));
        all.extend(self.returns.non_returnable.iter().map(|r| &r.clause));
        all.push(&self.returns.missing_items.clause);
        all.extend(self.returns.exchange_countries.iter().map(|c| &c.clause));
        if let Some(schedule) = &self.restocking {
            all.push(&schedule.default.clause);
            all.extend(schedule.by_category.iter().chain(&schedule.by_sku).map(|(_, r)| &r.clause));
        }
        all.extend(self.fees.card.iter().map(|f| &f.clause));
        all.extend(self.fees.return_label.iter().map(|f| &f.clause));
        all.extend(self.fees.handling.iter().map(|f| &f.clause));
        all.extend([&self.refund.shipping_clause, &self.refund.due_clause]);
        let warranty = &self.warranty;
        all.push(&warranty.periods.default.clause);
        all.extend(warranty.periods.by_category.iter().map(|(_, p)| &p.clause));
        all.extend(warranty.channels.iter().map(|c| &c.clause));
        all.extend(warranty.original_owner.iter().chain(&warranty.proof_of_purchase).chain(&warranty.commercial_use));
        all.push(&warranty.defects.clause);
        all.extend(warranty.void.iter().chain(&warranty.exclusions).map(|r| &r.clause));
        all.extend(warranty.photo.iter());
        all.push(&warranty.resolutions.clause);
        let damage = &self.shipping_damage;
        all.extend([&damage.window.clause, &damage.damage_clause]);
        all.extend(damage.photo.iter());
        all.push(&damage.resolutions.clause);
        all.extend(self.referral.iter());
        all.extend(self.evidence.iter().map(|e| &e.clause));
        all
    }
}

impl DateAnchor {
    /// The order's date this anchor names.
    pub fn date_of(self, order: &Order) -> NaiveDate {
        match self {
            DateAnchor::PurchasedOn => order.purchased_on,
            DateAnchor::DeliveredOn => order.delivered_on,
        }
    }
}

impl Window {
    /// Day N of the window on `on` (day 0 is the anchor date itself; negative before it).
    pub fn day_number(&self, order: &Order, on: NaiveDate) -> i64 {
        (on - self.from.date_of(order)).num_days()
    }

    pub fn is_met(&self, order: &Order, on: NaiveDate) -> bool {
        self.day_number(order, on) <= i64::from(self.days)
    }
}

impl Resolutions {
    /// What is granted for `requested`: itself, the fallback, or `None` (the customer must choose).
    pub fn grant(&self, requested: Resolution) -> Option<Resolution> {
        if self.allowed.contains(&requested) { Some(requested) } else { self.otherwise }
    }
}

impl ItemMatcher {
    pub fn matches(&self, state: &ItemState) -> bool {
        fn any_of<T: PartialEq>(list: &[T], value: &T) -> bool {
            list.is_empty() || list.contains(value)
        }
        any_of(&self.conditions, &state.condition)
            && any_of(&self.stickers, &state.sticker)
            && self.disassembled.is_none_or(|d| d == state.disassembled)
            && any_of(&self.packaging, &state.packaging)
            && any_of(&self.defects, &state.defect)
            && any_of(&self.damage_causes, &state.damage_cause)
    }

    /// Whether a refusal by this matcher rests on the goods' physical state (and so needs a photo).
    pub fn is_physical(&self) -> bool {
        !self.conditions.is_empty()
            || !self.stickers.is_empty()
            || self.disassembled.is_some()
            || !self.packaging.is_empty()
            || !self.damage_causes.is_empty()
    }

    pub fn is_empty(&self) -> bool {
        *self == ItemMatcher::default()
    }

    /// Where the bench photographs what this matcher judges of the goods' physical state, in the order it
    /// tests it: the sticker at the warranty sticker, the box at the packaging, and the item's condition,
    /// disassembly or damage at the damage. Empty for a matcher that tests no physical state (a defect).
    pub fn checkpoints(&self) -> Vec<Checkpoint> {
        let tested = [
            (!self.conditions.is_empty(), Checkpoint::Damage),
            (!self.stickers.is_empty(), Checkpoint::WarrantySticker),
            (self.disassembled.is_some(), Checkpoint::Damage),
            (!self.packaging.is_empty(), Checkpoint::Packaging),
            (!self.damage_causes.is_empty(), Checkpoint::Damage),
        ];
        let mut checkpoints = Vec::new();
        for (tests, checkpoint) in tested {
            if tests && !checkpoints.contains(&checkpoint) {
                checkpoints.push(checkpoint);
            }
        }
        checkpoints
    }

    /// Whether the state meets this rule's leading test but escapes it through a later one: the rule
    /// "condition used, with defect none" refuses used items unless broken, so a broken used item is
    /// its exception. Tests lead in the order conditions, stickers, disassembled, packaging, defects,
    /// damage causes.
    pub fn is_exception_for(&self, state: &ItemState) -> bool {
        let tests: [Option<bool>; 6] = [
            (!self.conditions.is_empty()).then(|| self.conditions.contains(&state.condition)),
            (!self.stickers.is_empty()).then(|| self.stickers.contains(&state.sticker)),
            self.disassembled.map(|d| d == state.disassembled),
            (!self.packaging.is_empty()).then(|| self.packaging.contains(&state.packaging)),
            (!self.defects.is_empty()).then(|| self.defects.contains(&state.defect)),
            (!self.damage_causes.is_empty()).then(|| self.damage_causes.contains(&state.damage_cause)),
        ];
        let mut tested = tests.into_iter().flatten();
        tested.next() == Some(true) && tested.any(|met| !met)
    }
}

impl RestockingSchedule {
    /// The rate for a SKU: its own, else its category's, else the default.
    pub fn rate_for(&self, sku: &str, category: &str) -> &RestockingRate {
        self.by_sku
            .iter()
            .find(|(s, _)| s == sku)
            .or_else(|| self.by_category.iter().find(|(c, _)| c == category))
            .map_or(&self.default, |(_, rate)| rate)
    }
}

impl ShippingDamageRules {
    /// Where the bench photographs the damage a claim is refused for.
    pub fn damage_checkpoints(&self) -> Vec<Checkpoint> {
        vec![Checkpoint::Damage]
    }
}

impl WarrantyPeriods {
    pub fn for_category(&self, category: &str) -> &WarrantyPeriod {
        self.by_category.iter().find(|(c, _)| c == category).map_or(&self.default, |(_, period)| period)
    }
}

impl WarrantyPeriod {
    /// The last day of cover for a product whose warranty starts on `start`. Calendar months: a
    /// warranty starting on 31 January ends on the last day of the month it reaches.
    pub fn last_day(&self, start: NaiveDate) -> NaiveDate {
        start.checked_add_months(Months::new(self.months)).unwrap_or(NaiveDate::MAX)
    }
}

impl CheckpointRule {
    pub fn applies(&self, kind: RmaKind, category: &str) -> bool {
        self.kinds.contains(&kind) && (self.categories.is_empty() || self.categories.iter().any(|c| c == category))
    }
}
