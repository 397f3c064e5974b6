//! Policy files: `assets/policies/<merchant>.toml` parsed into a [`Policy`].
//!
//! The raw types below mirror the file one to one and refuse unknown keys; every error names the file,
//! line and column. The format itself is documented in `docs/policy-format.md`.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::domain::money::{Money, Percent};
use crate::domain::policy::{
    Authorization, CardFee, ChannelRule, CheckpointRule, Clause, CountryRule, DefectRule, FeeRate, Fees, HandlingFee,
    ItemMatcher, ItemRule, LabelDeduction, Merchant, MissingItems, NonReturnableRule, Policy, RefundRules, Resolutions,
    RestockingRate, RestockingSchedule, ReturnRules, ShippingDamageRules, WarrantyPeriod, WarrantyPeriods,
    WarrantyRules, Window,
};
use crate::domain::vocabulary::{
    Channel, Checkpoint, Condition, DamageCause, DateAnchor, Defect, Evidence, MissingItemCharge, NonReturnableKind,
    Packaging, Resolution, RmaKind, Sticker,
};
use crate::formats::Parsed;

/// The format version this station reads.
pub const SCHEMA_VERSION: u32 = 1;

/// A policy file that cannot be used, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct PolicyFileError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Parses a policy file's text. `file` names it in errors, and its stem must be the merchant id.
pub fn parse_policy(file: &str, text: &str) -> Result<Policy, PolicyFileError> {
    let at = |span: Option<Range<usize>>, message: String| {
        let (line, column) = line_column(text, span.map_or(0, |s| s.start));
        PolicyFileError { file: file.to_owned(), line, column, message }
    };
    let raw: RawPolicy = toml::from_str(text).map_err(|e| at(e.span(), e.message().trim().to_owned()))?;
    if *raw.schema.get_ref() != SCHEMA_VERSION {
        return Err(at(
            Some(raw.schema.span()),
            format!("schema {} is not supported; this station reads schema {SCHEMA_VERSION}", raw.schema.get_ref()),
        ));
    }
    let stem = std::path::Path::new(file).file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let id = raw.merchant.id.get_ref().clone();
    if !stem.is_empty() && stem != id {
        return Err(at(
            Some(raw.merchant.id.span()),
            format!("merchant id {id:?} must match the file name {stem:?}.toml"),
        ));
    }
    let policy = raw.into_policy().map_err(|Invalid { span, message }| at(Some(span), message))?;
    let patterns = [
        ("rma_number_pattern", &policy.merchant.rma_number_pattern),
        ("order_number_pattern", &policy.merchant.order_number_pattern),
    ];
    for (key, pattern) in patterns {
        let Some(pattern) = pattern else { continue };
        if let Err(e) = regex::Regex::new(pattern) {
            let reason = e.to_string().lines().last().unwrap_or_default().trim().to_owned();
            return Err(at(
                locate(text, key, pattern, |_| true),
                format!("pattern {pattern:?} is not a valid regular expression: {reason}"),
            ));
        }
    }
    // Clause ids carry the merchant's id so that a decision always says whose rule it cites.
    let prefix = format!("{id}/");
    if let Some(stray) = policy.clauses().into_iter().find(|c| !c.id.starts_with(&prefix)) {
        return Err(at(
            locate(text, "clause", &stray.id, |_| true),
            format!("clause {:?} must start with {prefix:?}", stray.id),
        ));
    }
    // One id, one wording: a decision must never cite the same clause in two ways.
    // The first wording of each id, in a map: one pass, however many rules the file has.
    let mut first_texts: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    for later in policy.clauses() {
        let first = *first_texts.entry(later.id.as_str()).or_insert(later.text.as_str());
        if first != later.text {
            // Point at the odd wording itself, in a rule citing this clause.
            let cites = |table: &DeTable<'_>| string(table, "clause") == Some(later.id.as_str());
            return Err(at(
                locate(text, "text", &later.text, cites),
                format!("clause {:?} is given two different texts; its first is {:?}", later.id, first),
            ));
        }
    }
    Ok(policy)
}

/// Where the file writes the string `value` for `key`, in a table for which `also` holds (the first such
/// place in the file). The checks made after the rules are read find what they refuse here, in the parsed
/// document, rather than by searching the text for the value: a string written with escapes or in single
/// quotes is not in the text as it reads, and a refusal must still point at its line (found by the garbage
/// drill, which also found that the search could cut a byte-order mark in two).
fn locate(text: &str, key: &str, value: &str, also: impl Fn(&DeTable<'_>) -> bool) -> Option<Range<usize>> {
    let document = DeTable::parse(text).ok()?;
    let mut found: Option<Range<usize>> = None;
    let mut tables: Vec<&DeTable<'_>> = vec![document.get_ref()];
    while let Some(table) = tables.pop() {
        for (name, spanned) in table.iter() {
            match spanned.get_ref() {
                DeValue::String(s) if name.get_ref() == key && s == value && also(table) => {
                    let span = spanned.span();
                    if found.as_ref().is_none_or(|f| span.start < f.start) {
                        found = Some(span);
                    }
                }
                DeValue::Table(inner) => tables.push(inner),
                DeValue::Array(items) => {
                    tables.extend(items.iter().filter_map(|item| match item.get_ref() {
                        DeValue::Table(inner) => Some(inner),
                        _ => None,
                    }));
                }
                _ => {}
            }
        }
    }
    found
}

/// A table's string value for `key`, if it has one.
fn string<'t>(table: &'t DeTable<'_>, key: &str) -> Option<&'t str> {
    table.iter().find(|(name, _)| name.get_ref() == key).and_then(|(_, value)| match value.get_ref() {
        DeValue::String(s) => Some(s.as_ref()),
        _ => None,
    })
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// A rule that parsed but does not make sense, with the span of the offending table or value.
struct Invalid {
    span: Range<usize>,
    message: String,
}

fn invalid<T>(span: Range<usize>, message: impl Into<String>) -> Result<T, Invalid> {
    Err(Invalid { span, message: message.into() })
}

/// A rule's clause from its `clause` and `text` keys.
fn cite(id: String, text: String) -> Clause {
    Clause { id, text }
}

fn parsed<T: Copy>(list: &[Parsed<T>]) -> Vec<T> {
    list.iter().map(|p| p.0).collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    schema: Spanned<u32>,
    merchant: RawMerchant,
    authorization: RawAuthorization,
    returns: RawReturns,
    restocking_fee: Option<RawRestocking>,
    #[serde(default)]
    fees: RawFees,
    refund: RawRefund,
    warranty: RawWarranty,
    shipping_damage: RawShippingDamage,
    referral: Option<RawClause>,
    #[serde(default)]
    evidence: RawEvidence,
}

/// A rule that is only a clause: its presence switches the rule on.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClause {
    clause: String,
    text: String,
}

impl RawClause {
    fn clause(self) -> Clause {
        cite(self.clause, self.text)
    }
}

/// The most days a policy counts (a window, a warranty, a refund's due date): ten years, so that every date
/// it gives exists and a typo of many digits is refused rather than making the due date vanish.
const MAX_DAYS: u32 = 3_650;

/// A number of days, at most [`MAX_DAYS`].
#[derive(Deserialize)]
#[serde(try_from = "u32")]
struct Days(u32);

impl TryFrom<u32> for Days {
    type Error = String;
    fn try_from(days: u32) -> Result<Days, String> {
        if days > MAX_DAYS {
            return Err(format!("{days} days; a policy counts at most {MAX_DAYS} days (ten years)"));
        }
        Ok(Days(days))
    }
}

/// An ISO 4217 currency code: three capital letters.
#[derive(Deserialize)]
#[serde(try_from = "String")]
struct Currency(String);

impl TryFrom<String> for Currency {
    type Error = String;
    fn try_from(code: String) -> Result<Currency, String> {
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Ok(Currency(code));
        }
        Err(format!("{code:?} is not a currency code of three capital letters such as \"USD\""))
    }
}

/// A list that must name at least one thing: an empty `allowed` would refuse everything without a word.
#[derive(Deserialize)]
#[serde(try_from = "Vec<T>", bound = "T: Deserialize<'de>")]
struct NonEmpty<T>(Vec<T>);

impl<T> TryFrom<Vec<T>> for NonEmpty<T> {
    type Error = &'static str;
    fn try_from(items: Vec<T>) -> Result<NonEmpty<T>, &'static str> {
        if items.is_empty() {
            return Err("must name at least one");
        }
        Ok(NonEmpty(items))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMerchant {
    id: Spanned<String>,
    name: String,
    currency: Currency,
    source: String,
    rma_number_pattern: Option<String>,
    order_number_pattern: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuthorization {
    clause: String,
    text: String,
    #[serde(default)]
    handling_fee: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWindow {
    days: Days,
    from: Parsed<DateAnchor>,
    clause: String,
    text: String,
}

impl RawWindow {
    fn window(self) -> Window {
        Window { days: self.days.0, from: self.from.0, clause: cite(self.clause, self.text) }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResolutions {
    allowed: NonEmpty<Parsed<Resolution>>,
    otherwise: Option<Parsed<Resolution>>,
    clause: String,
    text: String,
}

impl RawResolutions {
    fn resolutions(self) -> Resolutions {
        Resolutions {
            allowed: parsed(&self.allowed.0),
            otherwise: self.otherwise.map(|p| p.0),
            clause: cite(self.clause, self.text),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItemRule {
    #[serde(default)]
    conditions: Vec<Parsed<Condition>>,
    #[serde(default)]
    stickers: Vec<Parsed<Sticker>>,
    disassembled: Option<bool>,
    #[serde(default)]
    packaging: Vec<Parsed<Packaging>>,
    #[serde(default)]
    defects: Vec<Parsed<Defect>>,
    #[serde(default)]
    damage_causes: Vec<Parsed<DamageCause>>,
    evidence: Option<Parsed<Evidence>>,
    clause: String,
    text: String,
}

fn item_rules(rules: Vec<Spanned<RawItemRule>>) -> Result<Vec<ItemRule>, Invalid> {
    rules
        .into_iter()
        .map(|spanned| {
            let span = spanned.span();
            let raw = spanned.into_inner();
            let matcher = ItemMatcher {
                conditions: parsed(&raw.conditions),
                stickers: parsed(&raw.stickers),
                disassembled: raw.disassembled,
                packaging: parsed(&raw.packaging),
                defects: parsed(&raw.defects),
                damage_causes: parsed(&raw.damage_causes),
            };
            if matcher.is_empty() {
                return invalid(span, format!("rule {} tests nothing: give conditions, stickers, disassembled, packaging, defects or damage_causes", raw.clause));
            }
            // The station's evidence rule: a refusal on the goods' physical state needs a photo, so such a
            // clause must say so in the file.
            if matcher.is_physical() && raw.evidence.is_none() {
                return invalid(span, format!("rule {} tests the goods' physical state, so it needs evidence = \"photo\"", raw.clause));
            }
            Ok(ItemRule { matcher, clause: cite(raw.clause, raw.text), evidence: raw.evidence.map(|e| e.0) })
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReturns {
    window: RawWindow,
    resolutions: RawResolutions,
    #[serde(default)]
    refuse: Vec<Spanned<RawItemRule>>,
    #[serde(default)]
    non_returnable: Vec<RawNonReturnable>,
    missing_items: Spanned<RawMissingItems>,
    exchange_countries: Option<RawCountries>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNonReturnable {
    kind: Parsed<NonReturnableKind>,
    clause: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMissingItems {
    charge: Parsed<MissingItemCharge>,
    clause: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCountries {
    countries: Vec<String>,
    clause: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRestocking {
    default: Spanned<RawRate>,
    #[serde(default)]
    category: Vec<Spanned<RawRate>>,
    #[serde(default)]
    sku: Vec<Spanned<RawRate>>,
}

/// A restocking rate: the default, a category's (with `category`) or a SKU's (with `sku`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRate {
    category: Option<String>,
    sku: Option<String>,
    percent: Option<Parsed<Percent>>,
    per_unit: Option<Parsed<Money>>,
    clause: String,
    text: String,
}

impl RawRate {
    fn rate(self, span: Range<usize>) -> Result<RestockingRate, Invalid> {
        let rate = match (self.percent, self.per_unit) {
            (Some(percent), None) => FeeRate::Percent(percent.0),
            (None, Some(amount)) => FeeRate::PerUnit(amount.0),
            _ => {
                return invalid(span, format!("rate {} needs exactly one of percent or per_unit", self.clause));
            }
        };
        Ok(RestockingRate { rate, clause: cite(self.clause, self.text) })
    }
}

impl RawRestocking {
    fn schedule(self) -> Result<RestockingSchedule, Invalid> {
        let default_span = self.default.span();
        let default = self.default.into_inner();
        if default.category.is_some() || default.sku.is_some() {
            return invalid(default_span, "the default rate applies to everything: remove category and sku");
        }
        let keyed = |rates: Vec<Spanned<RawRate>>, key: &str, pick: fn(&RawRate) -> Option<&String>| {
            let mut seen: Vec<(String, RestockingRate)> = Vec::new();
            // A set beside the list: a file of tens of thousands of rates is checked in one pass, not n².
            let mut names = std::collections::HashSet::new();
            for spanned in rates {
                let span = spanned.span();
                let raw = spanned.into_inner();
                let Some(name) = pick(&raw).cloned() else {
                    return invalid(span, format!("each [[restocking_fee.{key}]] needs {key} = \"...\""));
                };
                if !names.insert(name.clone()) {
                    return invalid(span, format!("{key} {name:?} has two restocking rates"));
                }
                seen.push((name, raw.rate(span)?));
            }
            Ok(seen)
        };
        Ok(RestockingSchedule {
            default: default.rate(default_span)?,
            by_category: keyed(self.category, "category", |r| r.category.as_ref())?,
            by_sku: keyed(self.sku, "sku", |r| r.sku.as_ref())?,
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFees {
    card: Option<RawCardFee>,
    return_label: Option<RawLabel>,
    handling: Option<RawHandling>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCardFee {
    percent: Parsed<Percent>,
    fixed: Parsed<Money>,
    clause: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLabel {
    waived_if_defective_on_arrival: bool,
    clause: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHandling {
    amount: Parsed<Money>,
    clause: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRefund {
    shipping: RawShipping,
    due: RawDue,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShipping {
    refunded: bool,
    clause: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDue {
    days: Days,
    clause: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWarranty {
    from: Parsed<DateAnchor>,
    period: RawPeriods,
    channels: Option<RawChannels>,
    original_owner: Option<RawClause>,
    proof_of_purchase: Option<RawClause>,
    commercial_use: Option<RawClause>,
    defects: RawDefects,
    #[serde(default)]
    void: Vec<Spanned<RawItemRule>>,
    #[serde(default)]
    exclusions: Vec<Spanned<RawItemRule>>,
    photo: Option<RawClause>,
    resolutions: RawResolutions,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPeriods {
    default_months: u32,
    clause: String,
    text: String,
    #[serde(default)]
    category: Vec<Spanned<RawCategoryPeriod>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategoryPeriod {
    category: String,
    months: u32,
    clause: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChannels {
    allowed: NonEmpty<Parsed<Channel>>,
    clause: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefects {
    covered: Vec<Parsed<Defect>>,
    clause: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShippingDamage {
    window: RawWindow,
    damage: Spanned<RawDamage>,
    photo: Option<RawClause>,
    resolutions: RawResolutions,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDamage {
    covered_causes: Vec<Parsed<DamageCause>>,
    evidence: Option<Parsed<Evidence>>,
    clause: String,
    text: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawEvidence {
    #[serde(default)]
    checkpoint: Vec<RawCheckpoint>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheckpoint {
    kinds: Vec<Parsed<RmaKind>>,
    #[serde(default)]
    categories: Vec<String>,
    checkpoint: Parsed<Checkpoint>,
    clause: String,
    text: String,
}

impl RawPolicy {
    fn into_policy(self) -> Result<Policy, Invalid> {
        let merchant = Merchant {
            id: self.merchant.id.into_inner(),
            name: self.merchant.name,
            currency: self.merchant.currency.0,
            source: self.merchant.source,
            rma_number_pattern: self.merchant.rma_number_pattern,
            order_number_pattern: self.merchant.order_number_pattern,
        };
        let returns = self.returns;
        let missing_span = returns.missing_items.span();
        let missing = returns.missing_items.into_inner();
        let restocking = self.restocking_fee.map(RawRestocking::schedule).transpose()?;
        if missing.charge.0 == MissingItemCharge::RestockingFee && restocking.is_none() {
            return invalid(
                missing_span,
                "missing items are charged a restocking fee, but there is no [restocking_fee] schedule",
            );
        }
        let damage_span = self.shipping_damage.damage.span();
        let damage = self.shipping_damage.damage.into_inner();
        if damage.evidence.is_none() {
            return invalid(
                damage_span,
                format!(
                    "rule {} tests the goods' physical state (the damage cause), so it needs evidence = \"photo\"",
                    damage.clause
                ),
            );
        }
        let warranty = self.warranty;
        let mut by_category = Vec::new();
        let mut named = std::collections::HashSet::new();
        for spanned in warranty.period.category {
            let span = spanned.span();
            let raw = spanned.into_inner();
            if !named.insert(raw.category.clone()) {
                return invalid(span, format!("category {:?} has two warranty periods", raw.category));
            }
            by_category.push((raw.category, WarrantyPeriod { months: raw.months, clause: cite(raw.clause, raw.text) }));
        }
        let policy = Policy {
            authorization: Authorization {
                clause: cite(self.authorization.clause, self.authorization.text),
                handling_fee: self.authorization.handling_fee,
            },
            returns: ReturnRules {
                window: returns.window.window(),
                resolutions: returns.resolutions.resolutions(),
                refuse: item_rules(returns.refuse)?,
                non_returnable: returns
                    .non_returnable
                    .into_iter()
                    .map(|r| NonReturnableRule { kind: r.kind.0, clause: cite(r.clause, r.text) })
                    .collect(),
                missing_items: MissingItems { charge: missing.charge.0, clause: cite(missing.clause, missing.text) },
                exchange_countries: returns.exchange_countries.map(|c| CountryRule {
                    countries: c.countries.iter().map(|code| code.to_ascii_uppercase()).collect(),
                    clause: cite(c.clause, c.text),
                }),
            },
            restocking,
            fees: Fees {
                card: self.fees.card.map(|c| CardFee {
                    percent: c.percent.0,
                    fixed: c.fixed.0,
                    clause: cite(c.clause, c.text),
                }),
                return_label: self.fees.return_label.map(|l| LabelDeduction {
                    waived_if_defective_on_arrival: l.waived_if_defective_on_arrival,
                    clause: cite(l.clause, l.text),
                }),
                handling: self
                    .fees
                    .handling
                    .map(|h| HandlingFee { amount: h.amount.0, clause: cite(h.clause, h.text) }),
            },
            refund: RefundRules {
                shipping_refunded: self.refund.shipping.refunded,
                shipping_clause: cite(self.refund.shipping.clause, self.refund.shipping.text),
                due_days: self.refund.due.days.0,
                due_clause: cite(self.refund.due.clause, self.refund.due.text),
            },
            warranty: WarrantyRules {
                from: warranty.from.0,
                periods: WarrantyPeriods {
                    default: WarrantyPeriod {
                        months: warranty.period.default_months,
                        clause: cite(warranty.period.clause, warranty.period.text),
                    },
                    by_category,
                },
                channels: warranty
                    .channels
                    .map(|c| ChannelRule { allowed: parsed(&c.allowed.0), clause: cite(c.clause, c.text) }),
                original_owner: warranty.original_owner.map(RawClause::clause),
                proof_of_purchase: warranty.proof_of_purchase.map(RawClause::clause),
                commercial_use: warranty.commercial_use.map(RawClause::clause),
                defects: DefectRule {
                    covered: parsed(&warranty.defects.covered),
                    clause: cite(warranty.defects.clause, warranty.defects.text),
                },
                void: item_rules(warranty.void)?,
                exclusions: item_rules(warranty.exclusions)?,
                photo: warranty.photo.map(RawClause::clause),
                resolutions: warranty.resolutions.resolutions(),
            },
            shipping_damage: ShippingDamageRules {
                window: self.shipping_damage.window.window(),
                covered_causes: parsed(&damage.covered_causes),
                damage_clause: Clause { id: damage.clause, text: damage.text },
                damage_evidence: damage.evidence.map(|e| e.0),
                photo: self.shipping_damage.photo.map(RawClause::clause),
                resolutions: self.shipping_damage.resolutions.resolutions(),
            },
            referral: self.referral.map(RawClause::clause),
            evidence: self
                .evidence
                .checkpoint
                .into_iter()
                .map(|c| CheckpointRule {
                    kinds: parsed(&c.kinds),
                    categories: c.categories,
                    checkpoint: c.checkpoint.0,
                    clause: cite(c.clause, c.text),
                })
                .collect(),
            merchant,
        };
        Ok(policy)
    }
}
