//! Structure-aware fuzzing of every parser that takes a merchant's or a clerk's file (issue 15, item 9): the
//! `decide` case JSON, the station's orders and RMAs as CSV and JSON, Shopify's orders export with its
//! category map, and policy files. Each target starts from a real document (the fixtures and the demo data),
//! changes it field by field — values from [`super::nasty`], keys given twice or unknown, columns doubled or
//! missing, rows doubled, line breaks inside values, an order grown past 1,000 lines — and then, one case
//! in four, damages its bytes as the older targets do.
//!
//! Each parser must answer without a panic or a hang (each case runs on its own thread, [`super::answers`])
//! with either an error that says where (file, line, column or field) or values inside the documented bounds:
//! amounts at most [`MAX_CENTS`], units 1 to [`MAX_UNITS`], at most [`MAX_LINES`] lines, dates written
//! `YYYY-MM-DD`. When the documents say a value must be refused ([`super::nasty::refuses`] and the formats'
//! schemas), the parser must refuse it, and when that value is the only change, the error must name its
//! line and its column or field. A case the `decide` contract accepts is decided, and so are the demo cases
//! under every policy file a parser accepts, and their money must add up as the contract says
//! ([`crate::money::check_money`]).
//!
//! `RMA_FUZZ_CASES` sets the number of cases per target, as for the older targets.

use chrono::{FixedOffset, NaiveDate};
use proptest::prelude::*;
use rma_station::domain::case::{MAX_LINES, MAX_UNITS};
use rma_station::domain::engine::decide;
use rma_station::domain::ledger::Ledger;
use rma_station::domain::money::{MAX_CENTS, Money};
use rma_station::domain::policy::{FeeRate, Policy};
use rma_station::domain::records::{OrderRecord, RmaRecord};
use rma_station::formats::case_json::{CaseError, decide_case_json, parse_case};
use rma_station::formats::import::{
    FileKind, ImportError, parse_category_map, parse_shopify_orders, parse_station_orders, parse_station_rmas,
};
use serde_json::Value;

use super::csv_doc::{self, CsvEdit, CsvSchema, Style, Table, csv_edit};
use super::json_doc::{self, J, JsonEdit, Schema, json_edit};
use super::schemas::{
    CASE_SCHEMA, CATEGORIES_SCHEMA, ORDERS_CSV_SCHEMA, ORDERS_JSON_SCHEMA, RMAS_CSV_SCHEMA, RMAS_JSON_SCHEMA,
    SHOPIFY_SCHEMA,
};
use super::seeds::{
    CASES, CATEGORIES, ORDERS_CSV, ORDERS_JSON, PARSED_CASES, POLICY_DOCS, POLICY_FILES, RMAS_CSV, RMAS_JSON, SHOPIFY,
};
use super::toml_doc::{self, TomlEdit, toml_edit};
use super::{Damage, answers, config, damaged, damages};
use crate::support::{POLICIES, TODAY, date};

// ---------------------------------------------------------------------------------------------------
// Damage to the bytes after the edits, and what an answer must be.

/// Byte-order marks put before a JSON or TOML document (0, 1 as Windows writes it, or 2), and damage to its
/// bytes one case in four.
fn raw() -> impl Strategy<Value = (usize, Option<Vec<Damage>>)> {
    (prop_oneof![6 => Just(0_usize), 3 => Just(1), 1 => Just(2)], prop::option::weighted(0.25, damages()))
}

fn finish(text: String, damage: &Option<Vec<Damage>>) -> String {
    match damage {
        Some(damage) => String::from_utf8_lossy(&damaged(text.as_bytes(), damage)).into_owned(),
        None => text,
    }
}

/// What the edits let a test expect: must the parser refuse, and where exactly (line, and column or field
/// when known) when one change alone made the document wrong.
#[derive(Debug, Clone, Default)]
struct Expect {
    refuse: bool,
    at: Option<(u64, Option<String>)>,
}

#[track_caller]
fn money_in_bounds(what: &str, money: Money) {
    assert!((0..=MAX_CENTS).contains(&money.cents()), "{what} {money} is outside 0 to 999999999.99");
}

#[track_caller]
fn date_in_bounds(what: &str, date: NaiveDate) {
    let written = date.to_string();
    assert!(written.len() == 10 && !written.starts_with(['-', '+']), "{what} {written} is not a YYYY-MM-DD date");
}

fn orders_in_bounds(orders: &[OrderRecord]) {
    for order in orders {
        let what = format!("order {:?}", order.number);
        assert!(!order.merchant.is_empty() && !order.number.is_empty(), "{what}: no merchant or number");
        assert!((1..=MAX_LINES).contains(&order.lines.len()), "{what}: {} lines", order.lines.len());
        assert!(order.country.len() == 2 && order.currency.len() == 3, "{what}: {order:?}");
        money_in_bounds(&what, order.shipping_charged);
        date_in_bounds(&what, order.purchased_on);
        if let Some(delivered) = order.delivered_on {
            date_in_bounds(&what, delivered);
            assert!(delivered >= order.purchased_on, "{what}: delivered before it was bought");
        }
        if let Some(referral) = &order.referral {
            money_in_bounds(&what, referral.minimum);
            money_in_bounds(&what, referral.lifetime_value);
        }
        for line in &order.lines {
            assert!(!line.sku.trim().is_empty(), "{what}: a line without a SKU");
            assert!((1..=MAX_UNITS).contains(&line.qty), "{what}: {} units", line.qty);
            money_in_bounds(&what, line.unit_price);
        }
    }
}

fn rmas_in_bounds(rmas: &[RmaRecord]) {
    for rma in rmas {
        let what = format!("RMA {:?}", rma.number);
        assert!(!rma.merchant.is_empty() && !rma.number.is_empty() && !rma.order_number.is_empty(), "{what}");
        money_in_bounds(&what, rma.return_label_cost);
        date_in_bounds(&what, rma.requested_on);
        for tracking in &rma.expected_tracking {
            assert!(tracking.len() >= 8 && tracking.bytes().all(|b| b.is_ascii_alphanumeric()), "{what}: {tracking:?}");
        }
    }
}

/// An import's answer: within the bounds, or an error that names the file and a line (or says it is about
/// the whole file), and that is where the one change that made the file wrong was.
#[track_caller]
fn check_import_answer<T>(
    file: &str,
    result: &Result<T, ImportError>,
    expect: &Expect,
    in_bounds: impl FnOnce(&T),
    input: &str,
) {
    match result {
        Ok(records) => {
            assert!(!expect.refuse, "{file}: accepted what the format refuses; the input:\n{input}");
            in_bounds(records);
        }
        Err(error) => {
            let words = error.to_string();
            assert!(words.starts_with(file) && !error.message.trim().is_empty(), "{words}");
            if let Some((line, column)) = &expect.at {
                assert_eq!(error.line, *line, "{words}: not the line changed; the input:\n{input}");
                if column.is_some() {
                    assert_eq!(&error.column, column, "{words}: not the column changed; the input:\n{input}");
                }
            }
        }
    }
}

/// Edits a table and says what may be expected of it: a refusal where the documents call for one, and its
/// place when one change alone made the file wrong and its bytes are as written.
fn edit_table(seed: &Table, edits: &[CsvEdit], style: Style, schema: &CsvSchema) -> (String, Expect) {
    let mut table = seed.clone();
    let mut changes = 0;
    for edit in edits {
        if !edit.apply(&mut table, schema) {
            changes += 1;
        }
    }
    let (text, lines) = csv_doc::write(&table, style);
    if style.boms > 1 {
        return (text, Expect::default());
    }
    let refusals = csv_doc::refusals(&table, schema);
    let at = match refusals.as_slice() {
        [(row, column)] if changes == 1 => {
            let row_lines = &lines[*row];
            if *row == 0 {
                Some((row_lines[0] as u64, None))
            } else if column.is_empty() {
                // A row of the wrong length: the line it starts on.
                Some((row_lines[0] as u64, None))
            } else {
                let c = table.col(column).unwrap();
                Some((row_lines[c] as u64, Some(column.clone())))
            }
        }
        _ => None,
    };
    (text, Expect { refuse: !refusals.is_empty(), at })
}

/// The same for a JSON document, whose places are field paths as the parsers write them.
fn edit_json(seed: &Value, edits: &[JsonEdit], boms: usize, schema: &Schema) -> (String, Expect) {
    let mut doc = J::from_value(seed);
    for edit in edits {
        edit.apply(&mut doc, schema);
    }
    let (text, lines) = json_doc::write(&doc);
    let text = format!("{}{text}", "\u{feff}".repeat(boms));
    if boms > 1 {
        return (text, Expect::default());
    }
    let refusals = json_doc::refusals(&doc, schema);
    let at = match (refusals.as_slice(), edits) {
        ([path], [JsonEdit::Set(..) | JsonEdit::SetTyped(..)]) => {
            let line = lines.iter().find(|(p, _)| p == path).map_or(0, |(_, l)| *l);
            Some((line as u64, Some(json_doc::display(&doc, path))))
        }
        _ => None,
    };
    (text, Expect { refuse: !refusals.is_empty(), at })
}

// ---------------------------------------------------------------------------------------------------
// The targets.

proptest! {
    #![proptest_config(config())]

    #[test]
    fn case_json_is_refused_where_it_is_wrong_or_decided_adding_up(
        seed in 0..CASES.len(),
        edits in prop::collection::vec(json_edit(), 1..5),
        (boms, damage) in raw(),
    ) {
        let (text, expect) = edit_json(&CASES[seed], &edits, boms, &CASE_SCHEMA);
        let expect = if damage.is_some() { Expect::default() } else { expect };
        let input = finish(text, &damage);
        answers("case json", move || check_case(&input, &expect));
    }

    #[test]
    fn station_csv_is_refused_where_it_is_wrong_or_read_within_the_bounds(
        rmas in any::<bool>(),
        seed in 0..2_usize,
        edits in prop::collection::vec(csv_edit(), 1..5),
        style in csv_doc::style(),
        damage in prop::option::weighted(0.25, damages()),
    ) {
        let (file, seeds, schema) =
            if rmas { ("rmas.csv", &*RMAS_CSV, &RMAS_CSV_SCHEMA) } else { ("orders.csv", &*ORDERS_CSV, &ORDERS_CSV_SCHEMA) };
        let (text, expect) = edit_table(&seeds[seed], &edits, style, schema);
        let expect = if damage.is_some() { Expect::default() } else { expect };
        let input = finish(text, &damage);
        answers("station csv", move || {
            let mut ignore = |_| {};
            if rmas {
                let result = parse_station_rmas(file, &input, FileKind::Csv, &mut ignore);
                check_import_answer(file, &result, &expect, |(rmas, _)| rmas_in_bounds(rmas), &input);
            } else {
                let result = parse_station_orders(file, &input, FileKind::Csv, &mut ignore);
                check_import_answer(file, &result, &expect, |(orders, _)| orders_in_bounds(orders), &input);
            }
        });
    }

    #[test]
    fn station_json_is_refused_where_it_is_wrong_or_read_within_the_bounds(
        rmas in any::<bool>(),
        seed in 0..2_usize,
        edits in prop::collection::vec(json_edit(), 1..5),
        (boms, damage) in raw(),
    ) {
        let (file, seeds, schema) = if rmas {
            ("rmas.json", &*RMAS_JSON, &RMAS_JSON_SCHEMA)
        } else {
            ("orders.json", &*ORDERS_JSON, &ORDERS_JSON_SCHEMA)
        };
        let (text, expect) = edit_json(&seeds[seed], &edits, boms, schema);
        let expect = if damage.is_some() { Expect::default() } else { expect };
        let input = finish(text, &damage);
        answers("station json", move || {
            let mut ignore = |_| {};
            if rmas {
                let result = parse_station_rmas(file, &input, FileKind::Json, &mut ignore);
                check_import_answer(file, &result, &expect, |(rmas, _)| rmas_in_bounds(rmas), &input);
            } else {
                let result = parse_station_orders(file, &input, FileKind::Json, &mut ignore);
                check_import_answer(file, &result, &expect, |(orders, _)| orders_in_bounds(orders), &input);
            }
        });
    }

    #[test]
    fn shopify_csv_is_refused_where_it_is_wrong_or_read_within_the_bounds(
        edits in prop::collection::vec(csv_edit(), 1..5),
        map_edits in prop::collection::vec(csv_edit(), 0..2),
        style in csv_doc::style(),
        damage in prop::option::weighted(0.25, damages()),
    ) {
        let (text, expect) = edit_table(&SHOPIFY, &edits, style, &SHOPIFY_SCHEMA);
        let expect = if damage.is_some() { Expect::default() } else { expect };
        let input = finish(text, &damage);
        let (map_text, map_expect) =
            edit_table(&CATEGORIES, &map_edits, csv_doc::Style { boms: 0, ..style }, &CATEGORIES_SCHEMA);
        answers("shopify csv", move || {
            let map = parse_category_map("categories.csv", &map_text);
            check_import_answer("categories.csv", &map, &map_expect, |_| {}, &map_text);
            let map = map.unwrap_or_default();
            let warehouse = FixedOffset::west_opt(5 * 3600).unwrap();
            let result = parse_shopify_orders("export.csv", &input, "konnected", &map, warehouse, &mut |_| {});
            check_import_answer("export.csv", &result, &expect, |(orders, _)| orders_in_bounds(orders), &input);
        });
    }

    #[test]
    fn policy_files_are_refused_where_they_are_wrong_or_decide_adding_up(
        which in 0..2_usize,
        edits in prop::collection::vec(toml_edit(), 1..5),
        (boms, damage) in raw(),
    ) {
        let name = POLICY_FILES[which];
        let merchant = name.trim_end_matches(".toml");
        let mut doc = POLICY_DOCS[which].clone();
        for edit in &edits {
            edit.apply(&mut doc);
        }
        let (text, lines) = toml_doc::write(&doc, boms);
        let refusals = toml_doc::refusals(&doc, merchant);
        let clean = damage.is_none() && boms < 2;
        let expect = Expect {
            refuse: clean && !refusals.is_empty(),
            at: match (refusals.as_slice(), edits.as_slice()) {
                ([path], [TomlEdit::Set(..) | TomlEdit::SetTyped(..)]) if clean => {
                    // An inline list's element is on its list's line.
                    let line = (0..=path.len()).rev().find_map(|n| lines.iter().find(|(p, _)| p[..] == path[..n]));
                    line.map(|(_, l)| (*l as u64, None))
                }
                _ => None,
            },
        };
        let input = finish(text, &damage);
        answers("policy file", move || check_policy(name, &input, &expect));
    }
}

fn check_case(input: &str, expect: &Expect) {
    let case = match parse_case(input) {
        Err(error) => {
            let words = error.to_string();
            // Where: the line of a syntax error or of a value serde refused (in the message), or the path of
            // a field refused once read (an empty order number).
            let (line, path) = match &error {
                CaseError::Syntax { line, .. } => (Some(*line as u64), None),
                CaseError::Field { path, message } => (Some(field_line(message)).filter(|&l| l > 0), Some(path)),
                CaseError::UnknownMerchant { .. } => panic!("the merchant is not parsed here: {words}"),
            };
            assert!(line.is_some() || path.is_some_and(|p| !p.is_empty()), "{words}: says not where");
            if let Some((expected_line, field)) = &expect.at {
                if let Some(line) = line {
                    assert_eq!(line, *expected_line, "{words}: not the line changed; the input:\n{input}");
                }
                if let (Some(path), Some(field)) = (path, field) {
                    assert_eq!(path, field, "{words}: not the field changed; the input:\n{input}");
                }
            }
            return;
        }
        Ok(case) => case,
    };
    assert!(!expect.refuse, "accepted what the contract refuses; the input:\n{input}");
    let order = &case.order;
    for (what, date) in [("purchased_on", order.purchased_on), ("delivered_on", order.delivered_on)] {
        date_in_bounds(what, date);
    }
    date_in_bounds("received_on", case.inspection.received_on);
    assert!(case.inspection.received_on >= order.purchased_on, "received before it was bought");
    assert!(order.lines.len() <= MAX_LINES && case.inspection.items.len() <= MAX_LINES);
    money_in_bounds("shipping_charged", order.shipping_charged);
    for line in &order.lines {
        // One SKU's lines are one engine line: together still at most MAX_UNITS.
        assert!((1..=MAX_UNITS).contains(&line.qty()), "{line:?}");
        for (price, _) in line.prices.tiers() {
            money_in_bounds("unit_price", *price);
        }
    }
    for item in &case.inspection.items {
        assert!((1..=MAX_UNITS).contains(&item.qty), "{item:?}");
    }
    if let Some(rma) = &case.rma {
        date_in_bounds("requested_on", rma.requested_on);
        money_in_bounds("return_label_cost", rma.return_label_cost);
    }
    // The whole contract, as `rma-station decide` runs it: an answer either way.
    let _ = decide_case_json(input, &POLICIES, date(TODAY));
    if let Some(loaded) = POLICIES.get(&case.merchant) {
        // Decided on the day it was received at the latest, so that cases received in 9999 are decided too.
        let today = case.inspection.received_on.max(date(TODAY));
        let decision = decide(&loaded.policy, order, case.rma.as_ref(), &case.inspection, &Ledger::default(), today);
        crate::money::check_money(order, &decision);
    }
}

/// The line in a field error's "(line L, column C)".
fn field_line(message: &str) -> u64 {
    let tail = message.rsplit_once("(line ").map_or("", |(_, tail)| tail);
    tail.split(',').next().and_then(|n| n.parse().ok()).unwrap_or(0)
}

fn check_policy(name: &str, input: &str, expect: &Expect) {
    match rma_station::policies::load(name, input) {
        Err(error) => {
            let words = error.to_string();
            assert!(words.starts_with(&format!("{name}:{}:{}: ", error.line, error.column)), "{words}");
            assert!(error.line >= 1 && error.column >= 1 && !error.message.trim().is_empty(), "{words}");
            if let Some((line, _)) = expect.at {
                assert_eq!(error.line as u64, line, "{words}: not the line changed; the file:\n{input}");
            }
        }
        Ok(loaded) => {
            assert!(!expect.refuse, "{name}: accepted what the format refuses; the file:\n{input}");
            policy_in_bounds(&loaded.policy);
            for case in PARSED_CASES.iter() {
                let today = date(TODAY);
                let decision =
                    decide(&loaded.policy, &case.order, case.rma.as_ref(), &case.inspection, &Ledger::default(), today);
                crate::money::check_money(&case.order, &decision);
            }
        }
    }
}

fn policy_in_bounds(policy: &Policy) {
    let days = [policy.returns.window.days, policy.shipping_damage.window.days, policy.refund.due_days];
    assert!(days.iter().all(|&d| d <= 3_650), "{days:?} days");
    let currency = &policy.merchant.currency;
    assert!(currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase()), "{currency:?}");
    for allowed in [
        &policy.returns.resolutions.allowed,
        &policy.warranty.resolutions.allowed,
        &policy.shipping_damage.resolutions.allowed,
    ] {
        assert!(!allowed.is_empty(), "a resolution rule that allows nothing");
    }
    if let Some(card) = &policy.fees.card {
        money_in_bounds("card fee", card.fixed);
    }
    if let Some(handling) = &policy.fees.handling {
        money_in_bounds("handling fee", handling.amount);
    }
    if let Some(schedule) = &policy.restocking {
        let rates = std::iter::once(&schedule.default)
            .chain(schedule.by_category.iter().map(|(_, r)| r))
            .chain(schedule.by_sku.iter().map(|(_, r)| r));
        for rate in rates {
            if let FeeRate::PerUnit(amount) = rate.rate {
                money_in_bounds("restocking fee", amount);
            }
        }
    }
    let prefix = format!("{}/", policy.merchant.id);
    assert!(policy.clauses().iter().all(|c| c.id.starts_with(&prefix)), "a clause outside {prefix}");
}
