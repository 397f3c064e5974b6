//! The station's evidence rule, walked over every clause of both shipped policies (issue 17).
//!
//! For each clause a policy marks `evidence = "photo"` (it judges the goods' physical state), a claim
//! refused on it holds without a photo, citing the clause and `station/evidence/photo-required`, and the
//! same claim with a photo is denied on that clause. For the refusals that do not rest on the physical
//! state (a defect not covered, a warranty period run out, non-returnable goods), photos change nothing.
//! The claims are built from the policy data itself, so a new rule in a shipped file is walked too. A hold
//! says which item to photograph, at which checkpoint, for which clause; a denial asks for no photo.

use chrono::NaiveDate;
use rma_station::domain::case::{InspectedItem, Inspection, ItemState, Order, OrderLine, Rma, UnitPrices};
use rma_station::domain::decision::{Decision, PhotoNeeded};
use rma_station::domain::engine::{decide, station};
use rma_station::domain::ledger::Ledger;
use rma_station::domain::money::Money;
use rma_station::domain::policy::{ItemMatcher, ItemRule, Policy};
use rma_station::domain::vocabulary::{
    Channel, Checkpoint, Condition, DamageCause, Defect, Evidence, NonReturnableKind, Packaging, Resolution, RmaKind,
    Sticker, Verdict,
};

use crate::support::{POLICIES, date};

const MERCHANTS: [&str; 2] = ["connectpro", "konnected"];

fn policy(merchant: &str) -> &'static Policy {
    &POLICIES.get(merchant).unwrap_or_else(|| panic!("no built-in policy for {merchant}")).policy
}

/// An item nobody could refuse for its state, for this kind of claim under this policy.
fn sound_state(policy: &Policy, kind: RmaKind) -> ItemState {
    let mut state = ItemState {
        condition: Condition::Unused,
        sticker: Sticker::Intact,
        disassembled: false,
        packaging: Packaging::Original,
        defect: Defect::NoDefect,
        damage_cause: DamageCause::NoDamage,
    };
    match kind {
        RmaKind::Return => {}
        RmaKind::Warranty => state.defect = policy.warranty.defects.covered[0],
        RmaKind::ShippingDamage => {
            state.condition = Condition::Damaged;
            state.defect = Defect::Breakage;
            state.damage_cause = policy.shipping_damage.covered_causes[0];
        }
    }
    state
}

/// The state patched so that `matcher` matches it: the first value of every list it tests.
fn matching(mut state: ItemState, matcher: &ItemMatcher) -> ItemState {
    if let Some(&c) = matcher.conditions.first() {
        state.condition = c;
    }
    if let Some(&s) = matcher.stickers.first() {
        state.sticker = s;
    }
    if let Some(d) = matcher.disassembled {
        state.disassembled = d;
    }
    if let Some(&p) = matcher.packaging.first() {
        state.packaging = p;
    }
    if let Some(&d) = matcher.defects.first() {
        state.defect = d;
    }
    if let Some(&c) = matcher.damage_causes.first() {
        state.damage_cause = c;
    }
    assert!(matcher.matches(&state), "test state {state:?} does not meet {matcher:?}");
    state
}

/// A one-line order (delivered 2026-09-01), claim requested 2026-09-10: within every window and period
/// of both policies. `line` patches the order line.
fn claim(
    policy: &Policy,
    kind: RmaKind,
    state: ItemState,
    photos: u32,
    requested_on: &str,
    line: impl FnOnce(&mut OrderLine),
) -> Decision {
    let mut order_line = OrderLine {
        sku: "SKU-1".to_owned(),
        category: "accessory".to_owned(),
        prices: UnitPrices::single(Money::from_cents(10_000), 1),
        on_sale: false,
        special_order: false,
        gift_card: false,
    };
    line(&mut order_line);
    let order = Order {
        number: "ORDER-1".to_owned(),
        channel: Channel::Direct,
        country: "US".to_owned(),
        purchased_on: date("2026-08-28"),
        delivered_on: date("2026-09-01"),
        shipping_charged: Money::ZERO,
        gifted: false,
        referral: None,
        lines: vec![order_line],
    };
    let resolution = match kind {
        RmaKind::Return => Resolution::Refund,
        RmaKind::Warranty | RmaKind::ShippingDamage => Resolution::Replacement,
    };
    let rma = Rma {
        number: "RMA-1".to_owned(),
        requested_on: date(requested_on),
        kind,
        resolution,
        defective_on_arrival: false,
        return_label_cost: Money::ZERO,
    };
    let inspection = Inspection {
        received_on: date(requested_on),
        original_owner: true,
        commercial_use: false,
        proof_of_purchase: true,
        items: vec![InspectedItem { sku: "SKU-1".to_owned(), qty: 1, state, photos }],
    };
    let today: NaiveDate = date("2026-11-21");
    decide(policy, &order, Some(&rma), &inspection, &Ledger::default(), today)
}

fn cites(decision: &Decision, clause: &str) -> bool {
    decision.reasons.iter().any(|c| c.id == clause)
}

/// Where the bench photographs what each marked clause of the shipped policies judges, when it is not
/// the damage: the sticker and the box. Every other marked clause (condition, disassembly, a damage cause)
/// is photographed at the damage.
const NOT_AT_THE_DAMAGE: [(&str, Checkpoint); 2] = [
    ("connectpro/warranty/void/sticker", Checkpoint::WarrantySticker),
    ("konnected/3.3/packaging", Checkpoint::Packaging),
];

fn checkpoint_of(clause: &str) -> Checkpoint {
    NOT_AT_THE_DAMAGE.iter().find(|(id, _)| *id == clause).map_or(Checkpoint::Damage, |(_, c)| *c)
}

/// What a hold asks a photo of: the item's place and SKU, the checkpoints and the clause ids.
type Asked = (usize, String, Vec<Checkpoint>, Vec<String>);

fn photos_asked(decision: &Decision) -> Vec<Asked> {
    let ask = |p: &PhotoNeeded| {
        (p.item, p.sku.clone(), p.checkpoints.clone(), p.clauses.iter().map(|c| c.id.clone()).collect())
    };
    decision.photos_needed.iter().map(ask).collect()
}

/// Checks one marked clause: no photo holds with it and the station's rule; a photo denies on it.
fn expect_photo_rule(
    name: &str,
    policy: &Policy,
    kind: RmaKind,
    state: ItemState,
    clause: &str,
    out: &mut Vec<String>,
) {
    let held = claim(policy, kind, state, 0, "2026-09-10", |_| {});
    if held.verdict != Verdict::Hold || !cites(&held, clause) || !cites(&held, station::PHOTO_REQUIRED_ID) {
        out.push(format!(
            "{name}: no photo: expected hold citing {clause} and {}, got {:?} {:?}",
            station::PHOTO_REQUIRED_ID,
            held.verdict,
            held.reasons.iter().map(|c| &c.id).collect::<Vec<_>>()
        ));
    }
    let expected: Vec<Asked> = vec![(0, "SKU-1".to_owned(), vec![checkpoint_of(clause)], vec![clause.to_owned()])];
    if photos_asked(&held) != expected {
        out.push(format!("{name}: no photo: expected the photo asked as {expected:?}, got {:?}", photos_asked(&held)));
    }
    let denied = claim(policy, kind, state, 2, "2026-09-10", |_| {});
    if denied.verdict != Verdict::Deny || !cites(&denied, clause) || cites(&denied, station::PHOTO_REQUIRED_ID) {
        out.push(format!(
            "{name}: with photos: expected deny citing {clause}, got {:?} {:?}",
            denied.verdict,
            denied.reasons.iter().map(|c| &c.id).collect::<Vec<_>>()
        ));
    }
    if !denied.photos_needed.is_empty() {
        out.push(format!("{name}: with photos: a denial asks for {:?}", photos_asked(&denied)));
    }
}

/// The item rules of a kind of claim, with where they come from.
fn item_rules(policy: &Policy) -> Vec<(&'static str, RmaKind, &ItemRule)> {
    let mut rules = Vec::new();
    rules.extend(policy.returns.refuse.iter().map(|r| ("returns.refuse", RmaKind::Return, r)));
    rules.extend(policy.warranty.void.iter().map(|r| ("warranty.void", RmaKind::Warranty, r)));
    rules.extend(policy.warranty.exclusions.iter().map(|r| ("warranty.exclusions", RmaKind::Warranty, r)));
    rules
}

#[test]
fn decide_every_marked_clause_holds_without_a_photo_and_denies_with_one() {
    let mut out = Vec::new();
    let mut walked = 0;
    for merchant in MERCHANTS {
        let policy = policy(merchant);
        for (table, kind, rule) in item_rules(policy) {
            // Every item rule of the shipped files tests the goods' physical state, so each must be marked.
            if rule.evidence != Some(Evidence::Photo) {
                out.push(format!("{merchant} {table} {}: not marked evidence = \"photo\"", rule.clause.id));
                continue;
            }
            // Every value of every list the rule tests, not just the first.
            let base = matching(sound_state(policy, kind), &rule.matcher);
            let mut states = vec![base];
            states.extend(rule.matcher.conditions.iter().map(|&c| ItemState { condition: c, ..base }));
            states.extend(rule.matcher.stickers.iter().map(|&s| ItemState { sticker: s, ..base }));
            states.extend(rule.matcher.packaging.iter().map(|&p| ItemState { packaging: p, ..base }));
            states.extend(rule.matcher.damage_causes.iter().map(|&c| ItemState { damage_cause: c, ..base }));
            for state in states {
                let name = format!("{merchant} {table} {} {state:?}", rule.clause.id);
                expect_photo_rule(&name, policy, kind, state, &rule.clause.id, &mut out);
                walked += 1;
            }
        }
        // A shipping-damage claim for damage the merchant does not cover.
        let damage = &policy.shipping_damage;
        if damage.damage_evidence != Some(Evidence::Photo) {
            out.push(format!("{merchant} shipping_damage.damage: not marked evidence = \"photo\""));
        }
        for &cause in DamageCause::ALL.iter().filter(|c| !damage.covered_causes.contains(c)) {
            let state = ItemState { damage_cause: cause, ..sound_state(policy, RmaKind::ShippingDamage) };
            let name = format!("{merchant} shipping_damage.damage {cause}");
            expect_photo_rule(&name, policy, RmaKind::ShippingDamage, state, &damage.damage_clause.id, &mut out);
            walked += 1;
        }
    }
    assert!(walked > 20, "only {walked} claims walked");
    for (clause, _) in NOT_AT_THE_DAMAGE {
        let marked = MERCHANTS.iter().flat_map(|m| item_rules(policy(m))).any(|(_, _, r)| r.clause.id == clause);
        assert!(marked, "{clause} is no longer a marked clause of a shipped policy: the table above is stale");
    }
    assert!(out.is_empty(), "{} mismatch(es):\n{}\n", out.len(), out.join("\n"));
}

/// A refusal on other grounds: name, kind of claim, item state, request date, order line patch, clause.
type OtherCase<'p> = (String, RmaKind, ItemState, &'static str, LinePatch, &'p str);
type LinePatch = Box<dyn Fn(&mut OrderLine)>;

/// Refusals that do not rest on the goods' physical state deny with or without photos.
#[test]
fn decide_other_refusals_are_not_changed_by_photos() {
    let mut out = Vec::new();
    for merchant in MERCHANTS {
        let policy = policy(merchant);
        let mut cases: Vec<OtherCase<'_>> = Vec::new();
        let warranty = sound_state(policy, RmaKind::Warranty);
        for &defect in Defect::ALL.iter().filter(|d| !policy.warranty.defects.covered.contains(d)) {
            cases.push((
                format!("defect {defect}"),
                RmaKind::Warranty,
                ItemState { defect, ..warranty },
                "2026-09-10",
                Box::new(|_| {}),
                &policy.warranty.defects.clause.id,
            ));
        }
        // The default warranty period has run out (a 2026-08-28 purchase, a 2026-09-01 delivery).
        let period = &policy.warranty.periods.default;
        cases.push((
            "period run out".to_owned(),
            RmaKind::Warranty,
            warranty,
            "2030-01-10",
            Box::new(|_| {}),
            &period.clause.id,
        ));
        for rule in &policy.returns.non_returnable {
            let kind = rule.kind;
            cases.push((
                format!("non-returnable {kind}"),
                RmaKind::Return,
                sound_state(policy, RmaKind::Return),
                "2026-09-10",
                Box::new(move |line: &mut OrderLine| match kind {
                    NonReturnableKind::OnSale => line.on_sale = true,
                    NonReturnableKind::SpecialOrder => line.special_order = true,
                    NonReturnableKind::GiftCard => line.gift_card = true,
                    NonReturnableKind::GiftedOrder => {}
                }),
                &rule.clause.id,
            ));
        }
        for (name, kind, state, requested_on, line, clause) in &cases {
            if name.ends_with("gifted_order") {
                continue; // a gifted order is a flag of the order, not of the line: covered by the scenarios
            }
            for photos in [0, 2] {
                let decision = claim(policy, *kind, *state, photos, requested_on, line);
                if decision.verdict != Verdict::Deny || !cites(&decision, clause) {
                    out.push(format!(
                        "{merchant} {name}, {photos} photos: expected deny citing {clause}, got {:?} {:?}",
                        decision.verdict,
                        decision.reasons.iter().map(|c| &c.id).collect::<Vec<_>>()
                    ));
                }
            }
        }
    }
    assert!(out.is_empty(), "{} mismatch(es):\n{}\n", out.len(), out.join("\n"));
}

/// Issue 17's reproduction: a Konnected warranty claim within the year, original owner, proof of
/// purchase, the panel malfunctioning, no photo, and each physical-state exclusion as the damage cause.
/// It was denied on the clerk's word; it holds for a photo, and with one it is denied.
#[test]
fn decide_konnected_malfunction_with_an_exclusion_and_no_photo_holds() {
    let policy = policy("konnected");
    let causes = [
        "wear_and_tear",
        "accident",
        "neglect",
        "misuse",
        "abuse",
        "modification",
        "unauthorized_service",
        "fire",
        "flood",
        "natural_disaster",
    ];
    let mut out = Vec::new();
    for word in causes {
        let cause: DamageCause = word.parse().unwrap();
        let state = ItemState {
            condition: Condition::Used,
            sticker: Sticker::NoSticker,
            disassembled: false,
            packaging: Packaging::Original,
            defect: Defect::Malfunction,
            damage_cause: cause,
        };
        let exclusion = policy
            .warranty
            .exclusions
            .iter()
            .find(|r| r.matcher.damage_causes.contains(&cause))
            .unwrap_or_else(|| panic!("no exclusion for {word}"));
        let held = claim(policy, RmaKind::Warranty, state, 0, "2026-09-10", |_| {});
        if held.verdict != Verdict::Hold
            || !cites(&held, &exclusion.clause.id)
            || !cites(&held, station::PHOTO_REQUIRED_ID)
        {
            out.push(format!("{word}, no photo: got {:?} {:?}", held.verdict, held.reasons));
        }
        let denied = claim(policy, RmaKind::Warranty, state, 1, "2026-09-10", |_| {});
        if denied.verdict != Verdict::Deny || !cites(&denied, &exclusion.clause.id) {
            out.push(format!("{word}, one photo: got {:?} {:?}", denied.verdict, denied.reasons));
        }
    }
    assert!(out.is_empty(), "{} mismatch(es):\n{}\n", out.len(), out.join("\n"));
}
