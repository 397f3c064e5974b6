//! A policy in plain words, as a clerk reads it: sections of rules, each with its clause.
//!
//! `rma-station policy show` prints this, and the station's settings screen shows the same sections, so
//! both say the same thing. Pure: it only formats the [`Policy`] it is given.

use crate::domain::engine::station;
use crate::domain::money::Money;
use crate::domain::policy::{Clause, FeeRate, ItemMatcher, ItemRule, Policy, Resolutions, Window};
use crate::domain::vocabulary::{Checkpoint, Evidence};

/// A heading and its rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: &'static str,
    pub rules: Vec<RuleWords>,
}

/// One rule in plain words, with the clause it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleWords {
    pub words: String,
    pub clause: Clause,
}

/// The whole policy in plain words.
pub fn describe(policy: &Policy) -> Vec<Section> {
    let money = |amount: Money| format_amount(amount, &policy.merchant.currency);
    let rule = |words: String, clause: &Clause| RuleWords { words, clause: clause.clone() };
    let mut sections = Vec::new();

    let auth = &policy.authorization;
    let mut refused = "A package that arrives without an RMA is refused and sent back to the customer".to_owned();
    if let (true, Some(fee)) = (auth.handling_fee, &policy.fees.handling) {
        refused.push_str(&format!(", and the handling fee of {} is charged", money(fee.amount)));
    }
    sections.push(Section { title: "Packages without an RMA", rules: vec![rule(format!("{refused}."), &auth.clause)] });

    let returns = &policy.returns;
    let mut rules = vec![
        rule(window_words("A return must be requested", &returns.window), &returns.window.clause),
        rule(resolution_words("A return can be resolved by", &returns.resolutions), &returns.resolutions.clause),
    ];
    rules.extend(returns.non_returnable.iter().map(|r| {
        rule(
            format!("Not returnable: {}. Such items are sent back to the customer.", r.kind.as_str().replace('_', " ")),
            &r.clause,
        )
    }));
    rules.extend(returns.refuse.iter().map(|r| rule(format!("Refused: {}.", matcher_words(&r.matcher)), &r.clause)));
    let missing = match policy.returns.missing_items.charge {
        crate::domain::vocabulary::MissingItemCharge::RestockingFee => {
            "Ordered items that do not come back are charged a restocking fee (below)."
        }
        crate::domain::vocabulary::MissingItemCharge::NotRefunded => {
            "Ordered items that do not come back are simply not refunded; there is no restocking fee."
        }
    };
    rules.push(rule(missing.to_owned(), &returns.missing_items.clause));
    if let Some(domestic) = &returns.exchange_countries {
        rules.push(rule(format!("Exchanges are sent only to: {}.", domestic.countries.join(", ")), &domestic.clause));
    }
    sections.push(Section { title: "Returns", rules });

    if let Some(schedule) = &policy.restocking {
        let rate = |rate: &FeeRate| match rate {
            FeeRate::Percent(p) => format!("{p} of the missing items' value"),
            FeeRate::PerUnit(amount) => format!("{} per missing unit", money(*amount)),
        };
        let mut rules = vec![rule(format!("Any item: {}.", rate(&schedule.default.rate)), &schedule.default.clause)];
        rules.extend(
            schedule.by_category.iter().map(|(c, r)| rule(format!("Category {c}: {}.", rate(&r.rate)), &r.clause)),
        );
        rules.extend(schedule.by_sku.iter().map(|(s, r)| rule(format!("SKU {s}: {}.", rate(&r.rate)), &r.clause)));
        sections.push(Section { title: "Restocking fees for items not returned", rules });
    }

    let mut rules = Vec::new();
    if let Some(card) = &policy.fees.card {
        rules.push(rule(
            format!(
                "Card processing fee: {} of the whole order total (items and shipping) + {}.",
                card.percent,
                money(card.fixed)
            ),
            &card.clause,
        ));
    }
    if let Some(label) = &policy.fees.return_label {
        let except = if label.waived_if_defective_on_arrival {
            ", except when the product was defective or damaged on arrival"
        } else {
            ""
        };
        rules.push(rule(format!("The prepaid return label is deducted{except}."), &label.clause));
    }
    if let Some(fee) = &policy.fees.handling {
        rules.push(rule(
            format!(
                "Handling fee: {} once per package holding non-returnable or unauthorized goods.",
                money(fee.amount)
            ),
            &fee.clause,
        ));
    }
    let refund = &policy.refund;
    let shipping = if refund.shipping_refunded {
        "Original shipping is refunded."
    } else {
        "Original shipping is never refunded."
    };
    rules.push(rule(shipping.to_owned(), &refund.shipping_clause));
    rules.push(rule(format!("Refunds are due {} days after the decision.", refund.due_days), &refund.due_clause));
    rules.push(rule(
        "Station rule: units of one product bought at different prices (a free promotional unit beside a paid one) \
         are valued from the lowest price paid upward, so a refund never exceeds what was paid for the units returned."
            .to_owned(),
        &station::same_sku_lines(),
    ));
    sections.push(Section { title: "Refunds and what is deducted", rules });

    let warranty = &policy.warranty;
    let from = warranty.from.as_str().replace('_', " ");
    let mut rules = vec![rule(
        format!(
            "Any product: {} from the date it was {from}, checked on the day the claim was requested.",
            months_words(warranty.periods.default.months)
        ),
        &warranty.periods.default.clause,
    )];
    rules.extend(warranty.periods.by_category.iter().map(|(category, period)| {
        rule(format!("Category {category}: {}.", months_words(period.months)), &period.clause)
    }));
    if let Some(channels) = &warranty.channels {
        let allowed: Vec<&str> = channels.allowed.iter().map(|c| c.as_str()).collect();
        rules.push(rule(format!("Only for products bought through: {}.", allowed.join(", ")), &channels.clause));
    }
    if let Some(clause) = &warranty.original_owner {
        rules.push(rule("Only the original owner is covered.".to_owned(), clause));
    }
    if let Some(clause) = &warranty.proof_of_purchase {
        rules.push(rule("Proof of purchase is required; without it the claim is held.".to_owned(), clause));
    }
    if let Some(clause) = &warranty.commercial_use {
        rules.push(rule("Commercial use is not covered.".to_owned(), clause));
    }
    let covered: Vec<&str> = warranty.defects.covered.iter().map(|d| d.as_str()).collect();
    rules.push(rule(format!("Covers defects: {}.", covered.join(", ")), &warranty.defects.clause));
    rules.extend(warranty.void.iter().map(|r| rule(format!("Void if: {}.", matcher_words(&r.matcher)), &r.clause)));
    rules.extend(
        warranty.exclusions.iter().map(|r| rule(format!("Not covered: {}.", matcher_words(&r.matcher)), &r.clause)),
    );
    if let Some(clause) = &warranty.photo {
        rules.push(rule("No remedy without a photo of the item; without one the claim is held.".to_owned(), clause));
    }
    rules.push(rule(resolution_words("A covered claim gets", &warranty.resolutions), &warranty.resolutions.clause));
    sections.push(Section { title: "Warranty", rules });

    let damage = &policy.shipping_damage;
    let causes: Vec<String> = damage.covered_causes.iter().map(|c| c.as_str().replace('_', " ")).collect();
    let mut rules = vec![
        rule(window_words("A shipping-damage claim must be requested", &damage.window), &damage.window.clause),
        rule(format!("Covers damage caused by: {}.", causes.join(", ")), &damage.damage_clause),
    ];
    if let Some(clause) = &damage.photo {
        rules.push(rule("No remedy without a photo of the damage; without one the claim is held.".to_owned(), clause));
    }
    rules.push(rule(resolution_words("A covered claim gets", &damage.resolutions), &damage.resolutions.clause));
    sections.push(Section { title: "Damaged in shipping", rules });

    if let Some(clause) = &policy.referral {
        sections.push(Section {
            title: "Referral credit",
            rules: vec![rule(
                "When a referred customer's return drops their lifetime order value below the referral minimum, the referrer's credit is flagged for rescission.".to_owned(),
                clause,
            )],
        });
    }

    let mut rules: Vec<RuleWords> = policy
        .evidence
        .iter()
        .map(|e| {
            let kinds: Vec<String> = e.kinds.iter().map(|k| k.as_str().replace('_', " ")).collect();
            let categories = if e.categories.is_empty() {
                String::new()
            } else {
                format!(" of category {}", e.categories.join(", "))
            };
            rule(
                format!(
                    "{} claims{categories}: photograph the {}.",
                    kinds.join(", "),
                    e.checkpoint.as_str().replace('_', " ")
                ),
                &e.clause,
            )
        })
        .collect();
    rules.push(rule(
        "Station rule: refusing an item for its physical state (sticker, disassembly, damage, condition, packaging) needs a photo of it; without one the package is held.".to_owned(),
        &station::photo_required(),
    ));
    sections.push(Section { title: "Photos", rules });
    sections.push(Section { title: PHOTO_CLAUSES, rules: photo_clauses(policy) });
    sections
}

/// The title of the section that lists the clauses a policy marks `evidence = "photo"`.
pub const PHOTO_CLAUSES: &str = "Refusals that need a photo of the item";

/// Every clause the policy marks `evidence = "photo"`: what it refuses, and where the bench photographs it.
fn photo_clauses(policy: &Policy) -> Vec<RuleWords> {
    let words = |what: String, clause: &Clause, checkpoints: &[Checkpoint]| {
        let places: Vec<String> = checkpoints.iter().map(|c| format!("the {}", c.as_str().replace('_', " "))).collect();
        RuleWords {
            words: format!(
                "{what}: refused only with a photo of {}; without one the package is held.",
                places.join(" and ")
            ),
            clause: clause.clone(),
        }
    };
    let marked = |what: &'static str, rules: &[ItemRule]| -> Vec<RuleWords> {
        rules
            .iter()
            .filter(|r| r.needs_photo())
            .map(|r| words(format!("{what}{}", matcher_words(&r.matcher)), &r.clause, &r.matcher.checkpoints()))
            .collect()
    };
    let mut rules = marked("A return with ", &policy.returns.refuse);
    rules.extend(marked("Warranty void if ", &policy.warranty.void));
    rules.extend(marked("Warranty not covering ", &policy.warranty.exclusions));
    let damage = &policy.shipping_damage;
    if damage.damage_evidence == Some(Evidence::Photo) {
        let causes: Vec<String> = damage.covered_causes.iter().map(|c| c.as_str().replace('_', " ")).collect();
        let what = format!("A shipping-damage claim for damage not caused by {}", causes.join(" or "));
        rules.push(words(what, &damage.damage_clause, &damage.damage_checkpoints()));
    }
    rules
}

/// "$12.30" for dollars, "12.30 EUR" for any other currency.
pub fn format_amount(amount: Money, currency: &str) -> String {
    if currency == "USD" { format!("${amount}") } else { format!("{amount} {currency}") }
}

fn window_words(what: &str, window: &Window) -> String {
    format!(
        "{what} within {} days of the date it was {} (that date is day 0).",
        window.days,
        window.from.as_str().replace('_', " ")
    )
}

fn resolution_words(what: &str, resolutions: &Resolutions) -> String {
    let allowed: Vec<String> = resolutions.allowed.iter().map(|r| r.as_str().replace('_', " ")).collect();
    let otherwise = match resolutions.otherwise {
        Some(r) => format!("; anything else asked for gets {}", r.as_str().replace('_', " ")),
        None => "; anything else waits until the customer chooses".to_owned(),
    };
    format!("{what} {}{otherwise}.", allowed.join(" or "))
}

fn months_words(months: u32) -> String {
    match (months / 12, months % 12) {
        (1, 0) => "1 year".to_owned(),
        (years, 0) => format!("{years} years"),
        _ if months == 1 => "1 month".to_owned(),
        _ => format!("{months} months"),
    }
}

fn matcher_words(matcher: &ItemMatcher) -> String {
    fn list<T: Copy>(name: &str, values: &[T], word: fn(T) -> &'static str) -> Option<String> {
        (!values.is_empty()).then(|| {
            let words: Vec<String> = values.iter().map(|v| word(*v).replace('_', " ")).collect();
            format!("{name} {}", words.join(" or "))
        })
    }
    let parts: Vec<String> = [
        list("condition", &matcher.conditions, |c| c.as_str()),
        list("warranty sticker", &matcher.stickers, |s| s.as_str()),
        matcher.disassembled.map(|d| if d { "disassembled".to_owned() } else { "not disassembled".to_owned() }),
        list("packaging", &matcher.packaging, |p| p.as_str()),
        list("defect", &matcher.defects, |d| d.as_str()),
        list("damage caused by", &matcher.damage_causes, |c| c.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    parts.join(", with ")
}
