//! Issue 15, item 4: an order that names one SKU on several lines (a free promotional line beside the paid
//! one, as Shopify exports often carry) prices each unit by its own line. Identical units cannot be told
//! apart at the bench, so the units that come back are priced from the cheapest up (the free unit goes back
//! first), and a second package is priced from the next unit up; lines that the policy would treat
//! differently are refused with their file, line and field. The reproduction (two KVM-4P-DP lines at 299.00
//! and 1.00) through `decide`, the station CSV and the Shopify CSV into a real store (SQLite and PostgreSQL),
//! and across two boxes.

use proptest::prelude::*;
use rma_station::bench::decision::{OnTheBench, confirm, decide, reopen};
use rma_station::bench::intake::{Arrival, Received, receive, resume};
use rma_station::bench::{Actor, BenchError, Claim};
use rma_station::clock::Now;
use rma_station::domain::case::{InspectedItem, Inspection, MAX_UNITS};
use rma_station::domain::decision::Decision;
use rma_station::domain::engine::{self, station};
use rma_station::domain::inspection::AS_NEW;
use rma_station::domain::ledger::{DecidedLine, DecisionEntry, Ledger, PackageEntry};
use rma_station::domain::money::Money;
use rma_station::domain::records::{OrderLineRecord, OrderRecord, OrderStatus, RmaRecord};
use rma_station::domain::vocabulary::{Channel, Disposition, Resolution, RmaKind, Role};
use rma_station::formats::import::{
    CategoryMap, FileKind, parse_shopify_orders, parse_station_orders, parse_station_rmas,
};
use rma_station::storage::{ImportSource, Store};
use serde_json::{Value, json};

use crate::support::place::{Place, on_both};
use crate::support::{POLICIES, clock, date};

const SKU: &str = "KVM-4P-DP";

#[track_caller]
fn money(text: &str) -> Money {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The figures of one package of the reproduction's order (shipping 25.00, ConnectPRO's policy: a card fee
/// of 2.6% + 0.30 on the whole order, 15% restocking on the units not returned).
#[derive(Debug, PartialEq)]
struct Figures {
    accepted: &'static str,
    restocking: &'static str,
    card: &'static str,
    net: &'static str,
}

/// The reproduction's prices in the order its lines give them, the units returned, what they come to.
type Row = (&'static str, [&'static str; 2], u32, Figures);

/// Returning one unit is priced at the cheapest (the free unit goes back first) whichever line came first;
/// the unit kept is the dearest, so its restocking fee is taken of 299.00. Both back: exactly what was paid.
/// The old code priced every unit at the first line's price (598.00 for both, or 2.00), and `decide` refused
/// the order.
const ONE_BOX: [Row; 4] = [
    (
        "one unit back, paid line first",
        ["299.00", "1.00"],
        1,
        Figures { accepted: "1.00", restocking: "44.85", card: "8.75", net: "0.00" },
    ),
    (
        "one unit back, free line first",
        ["1.00", "299.00"],
        1,
        Figures { accepted: "1.00", restocking: "44.85", card: "8.75", net: "0.00" },
    ),
    (
        "both back, paid line first",
        ["299.00", "1.00"],
        2,
        Figures { accepted: "300.00", restocking: "0.00", card: "8.75", net: "291.25" },
    ),
    (
        "both back, free line first",
        ["1.00", "299.00"],
        2,
        Figures { accepted: "300.00", restocking: "0.00", card: "8.75", net: "291.25" },
    ),
];

#[track_caller]
fn check_figures(name: &str, decision: &Decision, expected: &Figures) {
    let m = &decision.money;
    let got = [m.items_accepted, m.restocking_fee, m.card_fee, m.net].map(|a| a.to_string());
    let want = [expected.accepted, expected.restocking, expected.card, expected.net];
    assert_eq!(got, want, "{name}: accepted, restocking, card fee, net: {decision:#?}");
    assert!(
        decision.reasons.iter().any(|c| c.id == station::SAME_SKU_LINES_ID),
        "{name}: the decision does not say how the units were priced: {:#?}",
        decision.reasons
    );
    let line = decision.lines.iter().find(|l| l.sku == SKU).unwrap();
    assert_eq!(line.ordered, 2, "{name}: the two lines are one line of two units: {:#?}", decision.lines);
    assert!(line.clauses.iter().any(|c| c == station::SAME_SKU_LINES_ID), "{name}: {line:?}");
}

// ------------------------------------------------------------------------------------------------------
// `decide`: the contract accepts the same SKU twice, by the imports' rule.

fn case_json(prices: [&str; 2], returned: u32) -> Value {
    let line = |price: &str| json!({ "sku": SKU, "category": "kvm_switch", "qty": 1, "unit_price": price });
    json!({
        "merchant": "connectpro",
        "order": {
            "number": "CP-30001", "country": "US", "purchased_on": "2026-11-10", "delivered_on": "2026-11-12",
            "shipping_charged": "25.00", "lines": [line(prices[0]), line(prices[1])]
        },
        "rma": { "number": "RMA-2026-3001", "requested_on": "2026-11-18", "kind": "return", "resolution": "refund" },
        "inspection": {
            "received_on": "2026-11-21",
            "items": [{ "sku": SKU, "qty": returned, "condition": "unused", "sticker": "intact",
                        "packaging": "original", "defect": "none", "damage_cause": "none", "photos": 1 }]
        }
    })
}

#[test]
fn issue_15_decide_prices_each_unit_of_one_sku_by_its_own_line() {
    for (name, prices, returned, expected) in &ONE_BOX {
        let out = crate::support::decide(&case_json(*prices, *returned));
        let m = &out["money"];
        let got = ["items_accepted", "restocking_fee", "card_fee", "net"].map(|k| m[k].as_str().unwrap().to_owned());
        assert_eq!(got, [expected.accepted, expected.restocking, expected.card, expected.net], "{name}: {out:#}");
        assert_eq!(out["lines"].as_array().unwrap().len(), 1, "{name}: one line for the SKU: {out:#}");
        assert_eq!(out["lines"][0]["ordered"], 2, "{name}");
        let cited: Vec<&str> =
            out["reasons"].as_array().unwrap().iter().map(|r| r["clause"].as_str().unwrap()).collect();
        assert!(cited.contains(&station::SAME_SKU_LINES_ID), "{name}: {cited:?}");
    }
}

// ------------------------------------------------------------------------------------------------------
// The imports into a real store, decided through the bench's use cases.

fn clerk() -> Actor {
    Actor { name: "sam".into(), role: Role::Clerk, station: "bench-1".into() }
}

fn supervisor() -> Actor {
    Actor { name: "dana".into(), role: Role::Supervisor, station: "bench-1".into() }
}

/// The station's order CSV of the reproduction, its lines at `prices` in that order.
fn station_csv(prices: [&str; 2]) -> String {
    let head = "merchant,order_number,customer_name,customer_email,country,ship_to,currency,purchased_on,delivered_on,\
                shipping_charged,sku,name,category,qty,unit_price";
    let row = |price: &str| {
        format!(
            "connectpro,CP-30001,Rosa Diaz,rosa@example.com,US,500 Market St,USD,2026-11-10,2026-11-12,25.00,\
             {SKU},KVM switch 4-port DisplayPort,kvm_switch,1,{price}\n"
        )
    };
    format!("{head}\n{}{}", row(prices[0]), row(prices[1]))
}

/// Shopify's export of the same order: the paid line item and a promotional one of the same SKU.
fn shopify_csv(prices: [&str; 2]) -> String {
    let head = "Name,Email,Financial Status,Fulfilled at,Currency,Shipping,Created at,Cancelled at,Lineitem quantity,\
                Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,\
                Shipping Name,Shipping Country";
    format!(
        "{head}\n\
         CP-30001,rosa@example.com,paid,2026-11-12 10:00:00 +0000,USD,25.00,2026-11-10 10:00:00 +0000,,1,\
         KVM switch,{},,{SKU},true,Rosa Diaz,US\n\
         CP-30001,,,,,,,,1,KVM switch,{},,{SKU},true,,\n",
        prices[0], prices[1]
    )
}

const RMAS_CSV: &str = "merchant,rma_number,order_number,kind,resolution,requested_on\n\
                        connectpro,RMA-2026-3001,CP-30001,return,refund,2026-11-18\n";

#[derive(Debug, Clone, Copy)]
enum Import {
    StationCsv,
    ShopifyCsv,
}

fn parsed_orders(import: Import, prices: [&str; 2]) -> Vec<OrderRecord> {
    let result = match import {
        Import::StationCsv => parse_station_orders("orders.csv", &station_csv(prices), FileKind::Csv, &mut |_| {}),
        Import::ShopifyCsv => {
            let categories = rma_station::formats::import::parse_category_map(
                "categories.csv",
                &format!("sku,category\n{SKU},kvm_switch\n"),
            )
            .unwrap();
            let utc = chrono::FixedOffset::east_opt(0).unwrap();
            parse_shopify_orders("orders_export.csv", &shopify_csv(prices), "connectpro", &categories, utc, &mut |_| {})
        }
    };
    result.unwrap_or_else(|e| panic!("{import:?}: {e}")).0
}

/// A store on `place` holding `orders` and the reproduction's RMA, as `rma-station import` leaves it.
fn stocked(place: &Place, orders: &[OrderRecord]) -> (Box<dyn Store>, Now) {
    let now = clock().now();
    let mut store = place.open();
    let source = |file: &str| ImportSource { file: file.into(), sha256: "ab".repeat(32) };
    store.import_orders(&source("orders.csv"), orders, &clerk().stamp(&now)).unwrap();
    let rmas = parse_station_rmas("rmas.csv", RMAS_CSV, FileKind::Csv, &mut |_| {}).unwrap().0;
    store.import_rmas(&source("rmas.csv"), &rmas, &clerk().stamp(&now)).unwrap();
    (store, now)
}

/// A box of the reproduction's RMA with `units` of the SKU back as new (`another_box` for a second box).
fn arrive(store: &mut dyn Store, now: &Now, units: u32, another_box: bool) -> Received {
    let found = store.rmas_by_number("RMA-2026-3001").unwrap().remove(0);
    let arrival = Arrival {
        scanned_code: "RMA-2026-3001".into(),
        scanned_kind: "rma_number".into(),
        claim: Claim::Rma(found),
        note: String::new(),
        another_box,
    };
    let mut received = receive(store, &clerk(), now, arrival).unwrap();
    assert_eq!(received.sheet.items.len(), 1, "the sheet shows the SKU once: {:#?}", received.sheet.items);
    assert_eq!(received.sheet.items[0].ordered, 2);
    received.sheet.items[0].received = units;
    received
}

/// Decides and confirms the box; its decision.
fn settle(store: &mut dyn Store, now: &Now, received: &Received) -> Decision {
    let Received { package, sheet } = received;
    let decided = decide(&POLICIES, package, sheet, &[], now.today).unwrap();
    confirm(store, &POLICIES, &clerk(), now, OnTheBench { package, sheet, decided: &decided }).unwrap();
    decided.decision
}

on_both!(issue_15_imported_orders_price_each_unit_of_one_sku_by_its_own_line_at_the_bench);
fn issue_15_imported_orders_price_each_unit_of_one_sku_by_its_own_line_at_the_bench(place: &Place) {
    for import in [Import::StationCsv, Import::ShopifyCsv] {
        for (name, prices, returned, expected) in &ONE_BOX {
            let name = format!("{import:?}, {name}");
            let orders = parsed_orders(import, *prices);
            assert_eq!(orders[0].lines.len(), 2, "{name}: the order keeps both lines as written");
            let fresh = place.another();
            let (mut store, now) = stocked(&fresh, &orders);
            let received = arrive(&mut *store, &now, *returned, false);
            let decision = settle(&mut *store, &now, &received);
            check_figures(&name, &decision, expected);
            let refunds: Vec<Money> = store
                .queue_items(rma_station::domain::vocabulary::Queue::Refund, true, 10)
                .unwrap()
                .into_iter()
                .filter_map(|row| row.amount)
                .collect();
            let expected_refunds = if expected.net == "0.00" { vec![] } else { vec![money(expected.net)] };
            assert_eq!(refunds, expected_refunds, "{name}: the refund queued");
        }
    }
}

on_both!(issue_15_a_second_box_is_priced_from_the_next_unit_up_and_reopened_in_turn);
fn issue_15_a_second_box_is_priced_from_the_next_unit_up_and_reopened_in_turn(place: &Place) {
    for prices in [["299.00", "1.00"], ["1.00", "299.00"]] {
        let name = format!("lines {prices:?}");
        let fresh = place.another();
        let (mut store, now) = stocked(&fresh, &parsed_orders(Import::StationCsv, prices));
        let first_box = arrive(&mut *store, &now, 1, false);
        let first = settle(&mut *store, &now, &first_box);
        check_figures(&name, &first, &Figures { accepted: "1.00", restocking: "44.85", card: "8.75", net: "0.00" });

        // The first box settled the cheapest unit; the second is the next one up, and nothing is missing.
        let second_box = arrive(&mut *store, &now, 1, true);
        let second = settle(&mut *store, &now, &second_box);
        check_figures(&name, &second, &Figures { accepted: "299.00", restocking: "0.00", card: "0.00", net: "299.00" });
        assert_eq!(first.money.items_accepted + second.money.items_accepted, money("300.00"), "{name}");

        // Reopening the first box before the second would price its unit past the second's: refused.
        let refused = reopen(&mut *store, &supervisor(), &now, first_box.package.package_id, "recount").unwrap_err();
        assert!(matches!(&refused, BenchError::ReopenInTurn { sku, .. } if sku == SKU), "{name}: {refused}");
        assert!(refused.to_string().contains("reopen package #"), "{refused}");
        // In turn, both are decided again to the same sum.
        reopen(&mut *store, &supervisor(), &now, second_box.package.package_id, "recount").unwrap();
        reopen(&mut *store, &supervisor(), &now, first_box.package.package_id, "recount").unwrap();
        let again = |store: &mut dyn Store, received: &Received| {
            let mut resumed = resume(store, &clerk(), &now, received.package.package_id).unwrap();
            resumed.sheet.items[0].received = 1;
            settle(store, &now, &Received { package: resumed.package, sheet: resumed.sheet })
        };
        let first_again = again(&mut *store, &first_box);
        let second_again = again(&mut *store, &second_box);
        assert_eq!(
            (first_again.money.items_accepted, second_again.money.items_accepted),
            (money("1.00"), money("299.00")),
            "{name}"
        );
    }
}

// ------------------------------------------------------------------------------------------------------
// Lines the policy would treat differently: refused at every edge, with the place.

#[test]
fn issue_15_lines_of_one_sku_that_the_policy_would_treat_differently_are_refused_where_they_are() {
    let why = "lines of one SKU must agree on category, on_sale, special_order and gift_card, because identical \
               units cannot be told apart at the bench and the policy cannot apply two rules to them";
    let csv = station_csv(["299.00", "1.00"]);
    let csv_on_sale = csv
        .replace("qty,unit_price", "qty,unit_price,on_sale")
        .replace("1,299.00\n", "1,299.00,no\n")
        .replace("1,1.00\n", "1,1.00,yes\n");
    let mut json_order = json!([{
        "merchant": "connectpro", "order_number": "CP-30001", "customer_name": "Rosa Diaz", "customer_email": "",
        "country": "US", "ship_to": [], "currency": "USD", "purchased_on": "2026-11-10", "shipping_charged": "25.00",
        "lines": [
            { "sku": SKU, "name": "", "category": "kvm_switch", "qty": 1, "unit_price": "299.00" },
            { "sku": SKU, "name": "", "category": "kvm_switch", "qty": 1, "unit_price": "1.00", "gift_card": true }
        ]
    }]);
    let json_text = serde_json::to_string_pretty(&json_order).unwrap();
    json_order[0]["lines"][1]["gift_card"] = json!(false);
    json_order[0]["lines"][1]["qty"] = json!(MAX_UNITS);
    let json_too_many = serde_json::to_string_pretty(&json_order).unwrap();
    let shopify = shopify_csv(["299.00", "1.00"]).replacen(",,KVM-4P-DP", ",299.00,KVM-4P-DP", 2);
    let categories = CategoryMap::default();
    let utc = chrono::FixedOffset::east_opt(0).unwrap();
    let cases: [(&str, Result<_, _>, String); 5] = [
        (
            "station CSV, another category",
            parse_station_orders(
                "orders.csv",
                &csv.replacen("kvm_switch,1,1.00", "accessory,1,1.00", 1),
                FileKind::Csv,
                &mut |_| {},
            ),
            format!(
                "orders.csv:3: column \"category\": \"accessory\" differs from line 2, which has \"kvm_switch\" for the \
                 same SKU \"{SKU}\"; {why}"
            ),
        ),
        (
            "station CSV, one line on sale",
            parse_station_orders("orders.csv", &csv_on_sale, FileKind::Csv, &mut |_| {}),
            format!(
                "orders.csv:3: column \"on_sale\": true differs from line 2, which has false for the same SKU \"{SKU}\"; {why}"
            ),
        ),
        (
            "station JSON, one line a gift card",
            parse_station_orders("orders.json", &json_text, FileKind::Json, &mut |_| {}),
            format!(
                "orders.json:30:1: [0]: lines[1].gift_card: true differs from lines[0], which has false for the same SKU \
                 \"{SKU}\"; {why}"
            ),
        ),
        (
            "station JSON, more units of the SKU than a line may hold",
            parse_station_orders("orders.json", &json_too_many, FileKind::Json, &mut |_| {}),
            format!(
                "orders.json:30:1: [0]: lines[1].qty: SKU \"{SKU}\" comes to 100001 units with lines[0] and the other \
                 lines of it; one SKU holds at most {MAX_UNITS} units on an order"
            ),
        ),
        (
            "Shopify, the promotional line below the compare-at price",
            parse_shopify_orders("orders_export.csv", &shopify, "connectpro", &categories, utc, &mut |_| {}),
            format!(
                "orders_export.csv:3: column \"Lineitem compare at price\": this line item of SKU \"{SKU}\" is on sale \
                 (compare at price above its price) and line 2's is not; lines of one SKU must agree, because \
                 identical units cannot be told apart at the bench and the policy cannot apply two rules to them"
            ),
        ),
    ];
    for (name, result, expected) in cases {
        match result {
            Ok((orders, _)) => panic!("{name}: imported {orders:#?}"),
            Err(e) => assert_eq!(e.to_string(), expected, "{name}"),
        }
    }
}

on_both!(issue_15_an_order_stored_with_lines_of_one_sku_that_disagree_is_not_decided);
/// An order stored before the imports refused such lines is refused at the decide step, never priced.
fn issue_15_an_order_stored_with_lines_of_one_sku_that_disagree_is_not_decided(place: &Place) {
    let mut orders = parsed_orders(Import::StationCsv, ["299.00", "1.00"]);
    orders[0].lines[1].on_sale = true;
    let (mut store, now) = stocked(place, &orders);
    let Received { package, sheet } = arrive(&mut *store, &now, 2, false);
    let refused = decide(&POLICIES, &package, &sheet, &[], now.today).unwrap_err();
    assert!(matches!(&refused, BenchError::SameSku { line: 2, field: "on_sale", .. }), "{refused:?}");
    assert_eq!(
        refused.to_string(),
        format!(
            "order CP-30001, line 2, on_sale: true differs from line 1 of the order, which has false for the same SKU \
             \"{SKU}\"; lines of one SKU must agree on category, on_sale, special_order and gift_card, because \
             identical units cannot be told apart at the bench and the policy cannot apply two rules to them. The \
             order cannot be decided: correct its lines and import it again"
        )
    );
}

// ------------------------------------------------------------------------------------------------------
// Property: whatever the split of a SKU into lines and whichever units come back, in one box or two, what
// is accepted never exceeds what was paid for that many units, computed here on its own: every unit's
// price, sorted, the cheapest taken first.

fn record(lines: &[(i64, u32)]) -> OrderRecord {
    OrderRecord {
        merchant: "connectpro".into(),
        number: "CP-30001".into(),
        channel: Channel::Direct,
        status: OrderStatus::Open,
        customer_name: "Rosa Diaz".into(),
        customer_email: String::new(),
        country: "US".into(),
        ship_to: Vec::new(),
        currency: "USD".into(),
        purchased_on: date("2026-11-10"),
        delivered_on: Some(date("2026-11-12")),
        shipping_charged: Money::ZERO,
        gifted: false,
        payment_reference: None,
        referral: None,
        lines: lines
            .iter()
            .map(|&(cents, qty)| OrderLineRecord {
                sku: SKU.into(),
                name: String::new(),
                category: "kvm_switch".into(),
                qty,
                unit_price: Money::from_cents(cents),
                on_sale: false,
                special_order: false,
                gift_card: false,
            })
            .collect(),
    }
}

fn returned(units: u32) -> Inspection {
    Inspection {
        received_on: date("2026-11-21"),
        original_owner: true,
        commercial_use: false,
        proof_of_purchase: true,
        items: vec![InspectedItem { sku: SKU.into(), qty: units, state: AS_NEW, photos: 1 }],
    }
}

/// The ledger of one earlier box that settled `accepted` units under `decision`.
fn after(order: &rma_station::domain::case::Order, decision: &Decision, received: u32) -> Ledger {
    let line = decision.lines.iter().find(|l| l.sku == SKU).unwrap();
    let entry = PackageEntry {
        package_id: 1,
        rma: Some("RMA-2026-3001".into()),
        received: vec![(SKU.into(), received)],
        decision: Some(DecisionEntry {
            decision_id: 1,
            disposition: decision.disposition,
            lines: vec![DecidedLine {
                sku: SKU.into(),
                accepted: line.accepted,
                refused: line.refused,
                missing: line.missing,
            }],
            card_fee: decision.money.card_fee,
            return_label: decision.money.return_label,
        }),
    };
    Ledger::build(order, [&entry])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn issue_15_what_is_accepted_never_exceeds_what_was_paid_for_the_units_returned(
        lines in prop::collection::vec((0i64..=100_000, 1u32..=4), 1..=5),
        first_pick in 0u32..1_000,
        second_pick in 0u32..1_000,
    ) {
        let record = record(&lines);
        let order = record.engine_order().unwrap();
        let rma = RmaRecord {
            merchant: "connectpro".into(),
            number: "RMA-2026-3001".into(),
            order_number: "CP-30001".into(),
            kind: RmaKind::Return,
            resolution: Resolution::Refund,
            requested_on: date("2026-11-18"),
            defective_on_arrival: false,
            return_label_cost: Money::ZERO,
            expected_tracking: Vec::new(),
            note: String::new(),
        }
        .to_rma();
        let policy = &POLICIES.get("connectpro").unwrap().policy;
        // Every unit's price, cheapest first, counted apart from the engine.
        let mut units: Vec<i64> = lines.iter().flat_map(|&(cents, qty)| std::iter::repeat_n(cents, qty as usize)).collect();
        units.sort_unstable();
        let ordered = units.len() as u32;
        let cheapest = |skip: u32, count: u32| {
            Money::from_cents(units.iter().skip(skip as usize).take(count as usize).sum::<i64>())
        };
        let paid = Money::from_cents(units.iter().sum::<i64>());

        let first_units = 1 + first_pick % ordered;
        let first = engine::decide(policy, &order, Some(&rma), &returned(first_units), &Ledger::default(), date("2026-11-21"));
        prop_assert_eq!(first.disposition, Disposition::Refund);
        prop_assert_eq!(first.money.items_accepted, cheapest(0, first_units));
        prop_assert!(first.money.net <= first.money.items_accepted);
        // The units kept are the dearest: the restocking fee is taken of no more than was paid for them.
        prop_assert!(first.money.restocking_fee <= paid - cheapest(0, first_units));
        if first_units == ordered {
            prop_assert_eq!(first.money.items_accepted, paid, "all units back is exactly what was paid");
        }

        let left = ordered - first_units;
        if left > 0 {
            let second_units = 1 + second_pick % left;
            let earlier = after(&order, &first, first_units);
            let second = engine::decide(policy, &order, Some(&rma), &returned(second_units), &earlier, date("2026-11-21"));
            prop_assert_eq!(second.money.items_accepted, cheapest(first_units, second_units));
            let both = first.money.items_accepted + second.money.items_accepted;
            prop_assert_eq!(both, cheapest(0, first_units + second_units));
            prop_assert!(both <= paid);
        }
    }
}
