//! Money: the one rounding rule, parsing, and properties of every decision's money over random orders.

use proptest::prelude::*;
use rma_station::domain::case::{InspectedItem, Inspection, ItemState, Order, OrderLine, Referral, Rma, UnitPrices};
use rma_station::domain::decision::Decision;
use rma_station::domain::engine::decide;
use rma_station::domain::ledger::Ledger;
use rma_station::domain::money::{Money, MoneyError, Percent};
use rma_station::domain::vocabulary::{
    Channel, Condition, DamageCause, Defect, Packaging, Resolution, RmaKind, Sticker, Verdict,
};

use crate::support::{POLICIES, date};

#[track_caller]
fn money(text: &str) -> Money {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[track_caller]
fn percent(text: &str) -> Percent {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn percentages_round_half_away_from_zero_once() {
    // (amount, percent, expected): the halves are where half-to-even (Decimal's default) would differ.
    let cases = [
        ("324.00", "2.6", "8.42"), // 8.424
        ("0.25", "10", "0.03"),    // 0.025: half-to-even would give 0.02
        ("0.35", "10", "0.04"),    // 0.035
        ("0.05", "10", "0.01"),    // 0.005: half-to-even would give 0.00
        ("16.50", "15", "2.48"),   // 2.475: half-to-even would give 2.48 as well
        ("16.30", "15", "2.45"),   // 2.445: half-to-even would give 2.44
        ("33.30", "15", "5.00"),   // 4.995
        ("100.00", "0", "0.00"),
        ("100.00", "100", "100.00"),
        ("0.00", "15", "0.00"),
        ("999999.99", "2.6", "26000.00"), // 25999.99974
    ];
    for (amount, pct, expected) in cases {
        assert_eq!(money(amount).percent_of(percent(pct)).to_string(), expected, "{pct}% of {amount}");
    }
}

#[test]
fn amounts_parse_to_cents_or_say_why_not() {
    let good =
        [("12.3", "12.30"), ("12", "12.00"), ("0", "0.00"), ("0.10", "0.10"), ("7.250", "7.25"), (" 5.00 ", "5.00")];
    for (text, shown) in good {
        assert_eq!(money(text).to_string(), shown, "{text}");
    }
    let bad = [
        ("-1.00", MoneyError::Negative("-1.00".into())),
        ("1.005", MoneyError::SubCent("1.005".into())),
        ("1e3", MoneyError::NotANumber("1e3".into())),
        ("", MoneyError::NotANumber(String::new())),
        ("$5", MoneyError::NotANumber("$5".into())),
        ("+5", MoneyError::NotANumber("+5".into())),
        ("1.", MoneyError::NotANumber("1.".into())),
        (".5", MoneyError::NotANumber(".5".into())),
        ("-0", MoneyError::Negative("-0".into())),
        ("1000000000.00", MoneyError::TooLarge("1000000000.00".into())),
        ("79228162514264337593543950335", MoneyError::TooLarge("79228162514264337593543950335".into())),
        ("9999999999999999999999999999.99", MoneyError::NotANumber("9999999999999999999999999999.99".into())),
    ];
    for (text, error) in bad {
        assert_eq!(text.parse::<Money>(), Err(error), "{text:?}");
    }
    assert_eq!("100.5".parse::<Percent>(), Err(MoneyError::OverHundredPercent("100.5".into())));
    assert_eq!(Money::from_cents(1234).to_string(), "12.34");
    assert_eq!(money("12.34").cents(), 1234);
    assert_eq!(money("999999999.99").cents(), rma_station::domain::money::MAX_CENTS, "the bound itself is taken");
}

/// Mostly items in good order (so that refunds are common), sometimes any state at all.
fn state_strategy() -> impl Strategy<Value = ItemState> {
    let good = ItemState {
        condition: Condition::Sealed,
        sticker: Sticker::Intact,
        disassembled: false,
        packaging: Packaging::Original,
        defect: Defect::NoDefect,
        damage_cause: DamageCause::NoDamage,
    };
    let defective = ItemState { defect: Defect::Manufacturing, ..good };
    let shipped_broken = ItemState {
        condition: Condition::Damaged,
        damage_cause: DamageCause::OutboundShipping,
        defect: Defect::Breakage,
        ..good
    };
    prop_oneof![
        4 => Just(good),
        2 => Just(defective),
        1 => Just(shipped_broken),
        3 => any_state(),
    ]
}

fn any_state() -> impl Strategy<Value = ItemState> {
    (
        prop::sample::select(Condition::ALL),
        prop::sample::select(Sticker::ALL),
        any::<bool>(),
        prop::sample::select(Packaging::ALL),
        prop::sample::select(Defect::ALL),
        prop::sample::select(DamageCause::ALL),
    )
        .prop_map(|(condition, sticker, disassembled, packaging, defect, damage_cause)| ItemState {
            condition,
            sticker,
            disassembled,
            packaging,
            defect,
            damage_cause,
        })
}

/// A random order, RMA and inspection: prices up to $5,000, up to five lines, any item states, any
/// kind and resolution, dates in and out of every window.
fn case_strategy() -> impl Strategy<Value = (usize, Order, Option<Rma>, Inspection)> {
    let line = (
        prop::sample::select(&["kvm_switch", "accessory", "sensor", "alarm_panel", "cable"][..]),
        1u32..=4,
        // Cheap lines too, where a flat per-unit fee would exceed the price.
        prop_oneof![1 => 0i64..=25, 1 => 0i64..=1_000, 3 => 0i64..=500_000],
        prop::array::uniform3(prop::bool::weighted(0.1)),
    );
    let lines = prop::collection::vec(line, 1..=5);
    let received = prop::collection::vec((prop_oneof![3 => 1u32..=2, 1 => 0u32..=5], state_strategy(), 0u32..=2), 5);
    (
        0..POLICIES.merchant_ids().len(),
        lines,
        received,
        (
            prop_oneof![1 => Just(0i64), 3 => 0i64..=10_000],
            any::<bool>(),
            prop::option::of((0i64..=50_000, 0i64..=100_000)),
        ),
        (prop::sample::select(RmaKind::ALL), prop::sample::select(Resolution::ALL), any::<bool>(), 0i64..=2_000),
        (
            0u64..=60,
            prop_oneof![4 => 0u64..=15, 2 => 16u64..=70, 1 => 0u64..=900],
            prop::bool::weighted(0.9),
            prop::bool::weighted(0.15),
            prop::bool::weighted(0.9),
            prop::bool::weighted(0.9),
        ),
    )
        .prop_map(|(merchant, lines, received, order_extra, rma_parts, timing)| {
            let (shipping, gifted, referral) = order_extra;
            let (kind, resolution, defective, label) = rma_parts;
            let (delivery_days, request_days, has_rma, third_party, owner, proof) = timing;
            let purchased_on = date("2025-01-31");
            let delivered_on = purchased_on + chrono::Days::new(delivery_days);
            let order_lines: Vec<OrderLine> = lines
                .iter()
                .enumerate()
                .map(|(i, (category, qty, cents, [sale, special, gift]))| OrderLine {
                    sku: format!("SKU-{i}"),
                    category: (*category).to_owned(),
                    prices: UnitPrices::single(Money::from_cents(*cents), *qty),
                    on_sale: *sale,
                    special_order: *special,
                    gift_card: *gift,
                })
                .collect();
            let items = received
                .iter()
                .enumerate()
                // Slots follow the order's lines; the one after them is an unordered SKU, sent sometimes.
                .filter(|(i, (qty, _, _))| *qty > 0 && (*i < lines.len() || (*i == lines.len() && shipping % 7 == 0)))
                .map(|(i, (qty, state, photos))| InspectedItem {
                    // Slots beyond the order's lines are SKUs the order does not have.
                    sku: format!("SKU-{i}"),
                    qty: *qty,
                    state: *state,
                    photos: *photos,
                })
                .collect();
            let order = Order {
                number: "ORDER-1".into(),
                channel: if third_party { Channel::ThirdParty } else { Channel::Direct },
                country: if gifted { "CA".into() } else { "US".into() },
                purchased_on,
                delivered_on,
                shipping_charged: Money::from_cents(shipping),
                gifted: gifted && shipping % 5 == 0,
                referral: referral.map(|(minimum, lifetime)| Referral {
                    referred: true,
                    minimum: Money::from_cents(minimum),
                    lifetime_value: Money::from_cents(lifetime),
                }),
                lines: order_lines,
            };
            let requested_on = delivered_on + chrono::Days::new(request_days);
            let rma = has_rma.then(|| Rma {
                number: "RMA-1".into(),
                requested_on,
                kind,
                resolution,
                defective_on_arrival: defective,
                return_label_cost: Money::from_cents(label),
            });
            let inspection = Inspection {
                received_on: requested_on + chrono::Days::new(3),
                original_owner: owner,
                commercial_use: !owner && proof,
                proof_of_purchase: proof,
                items,
            };
            (merchant, order, rma, inspection)
        })
}

/// The same cases pushed to the edges' bounds (issue 15): prices up to 999,999,999.99, quantities up to
/// 100,000 a line, ordered and received, often exactly at the bound. Whatever the edges accept must decide,
/// never panic, and add up.
fn bounded_case_strategy() -> impl Strategy<Value = (usize, Order, Option<Rma>, Inspection)> {
    use rma_station::domain::case::MAX_UNITS;
    use rma_station::domain::money::MAX_CENTS;
    let extreme = (0i64..=MAX_CENTS, 1u32..=MAX_UNITS, prop::bool::weighted(0.4));
    (case_strategy(), prop::collection::vec(extreme, 6), 0i64..=MAX_CENTS).prop_map(
        |((merchant, mut order, rma, mut inspection), extremes, shipping)| {
            for (line, (cents, qty, at_bound)) in order.lines.iter_mut().zip(&extremes) {
                let price = Money::from_cents(if *at_bound { MAX_CENTS } else { *cents });
                line.prices = UnitPrices::single(price, if *at_bound { MAX_UNITS } else { *qty });
            }
            for (item, (_, qty, at_bound)) in inspection.items.iter_mut().zip(&extremes) {
                item.qty = if *at_bound { MAX_UNITS } else { *qty };
            }
            order.shipping_charged = Money::from_cents(shipping);
            (merchant, order, rma, inspection)
        },
    )
}

/// The contract's money rules for one decision (`docs/decide-json.md`): also run on every case the garbage
/// drill's fuzzers get accepted (`tests/drills/garbage/structured.rs`).
pub(crate) fn check_money(order: &Order, decision: &Decision) {
    let m = &decision.money;
    let fees = [m.restocking_fee, m.card_fee, m.return_label, m.handling_fee, m.shipping_not_refunded, m.net];
    assert!(fees.iter().all(|f| f.cents() >= 0), "negative money: {m:?}");

    // Each unit of a line at the price paid for it, cheapest first: the units that come back are priced from
    // the cheapest up and the missing ones are the dearest (docs/decide-json.md). The garbage drill's cases
    // give one SKU several prices; these cases one price a line.
    let worth = |sku: &str, count: u32, dearest_first: bool| -> Money {
        let Some(line) = order.line(sku) else { return Money::ZERO };
        let mut tiers = line.prices.tiers().to_vec();
        if dearest_first {
            tiers.reverse();
        }
        let mut left = count;
        let mut sum = Money::ZERO;
        for (price, units) in tiers {
            let taken = units.min(left);
            sum = sum + price.times(taken);
            left -= taken;
        }
        sum
    };
    let paid_for_accepted: Money = decision.lines.iter().map(|l| worth(&l.sku, l.accepted, false)).sum();
    assert_eq!(m.items_accepted, paid_for_accepted, "items_accepted is not the accepted units' price");
    assert!(m.net <= m.items_accepted, "net above what was paid for the accepted lines: {m:?}");

    for line in &decision.lines {
        let missing_value = worth(&line.sku, line.missing, true);
        assert!(line.fee <= missing_value, "line fee above the missing value: {line:?}");
        assert!(line.accepted + line.refused <= line.received, "units counted twice: {line:?}");
    }
    assert_eq!(m.restocking_fee, decision.lines.iter().map(|l| l.fee).sum(), "restocking fee is not the lines' sum");
    assert!(m.card_fee <= order.total(), "card fee above the order total");

    let pays_money = matches!(
        decision.disposition,
        rma_station::domain::vocabulary::Disposition::Refund
            | rma_station::domain::vocabulary::Disposition::StoreCredit
    );
    if pays_money {
        assert_eq!(m.net, m.items_accepted.saturating_sub(m.deductions()), "breakdown does not add up: {m:?}");
    } else {
        assert!(m.net.is_zero(), "money paid without a refund or store credit: {m:?}");
        assert!((m.restocking_fee + m.card_fee + m.return_label).is_zero(), "deductions without a refund: {m:?}");
    }
    if decision.verdict == Verdict::Hold {
        assert_eq!(*m, Default::default(), "a hold decided money");
        assert!(decision.lines.iter().all(|l| l.accepted == 0), "a hold accepted units");
    }
    assert!(!decision.reasons.is_empty(), "a decision without reasons");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4_000, .. ProptestConfig::default() })]

    #[test]
    fn money_rules_hold_for_random_orders((merchant, order, rma, inspection) in case_strategy()) {
        let policy = &POLICIES.iter().nth(merchant).unwrap_or_else(|| panic!("policy {merchant}")).policy;
        let decision = decide(policy, &order, rma.as_ref(), &inspection, &Ledger::default(), date("2026-11-21"));
        check_money(&order, &decision);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1_000, .. ProptestConfig::default() })]

    #[test]
    fn money_rules_hold_at_the_bounds_the_edges_allow((merchant, order, rma, inspection) in bounded_case_strategy()) {
        let policy = &POLICIES.iter().nth(merchant).unwrap_or_else(|| panic!("policy {merchant}")).policy;
        let decision = decide(policy, &order, rma.as_ref(), &inspection, &Ledger::default(), date("2026-11-21"));
        check_money(&order, &decision);
    }
}
