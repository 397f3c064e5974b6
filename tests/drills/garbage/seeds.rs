//! The documents the structure-aware fuzzers start from: the fixtures, the demo data (`assets/demo`) as the
//! station's own CSV and as `decide` cases, and the built-in policy files.

use std::sync::LazyLock;

use rma_station::formats::case_json::{Case, parse_case};
use rma_station::formats::import::station::{ORDER_COLUMNS, RMA_COLUMNS};
use serde_json::{Value, json};

use super::csv_doc::Table;
use super::file;
use super::toml_doc::T;
use crate::support::TODAY;

fn demo(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo").join(name);
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn json_file(relative: &str) -> Value {
    serde_json::from_slice(&file(relative)).unwrap()
}

/// A value as a CSV cell: text as is, numbers and booleans written out, nothing as empty.
fn cell(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// The demo orders as the station's order CSV, one row per line.
fn demo_orders_csv() -> Table {
    let mut rows = vec![ORDER_COLUMNS.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>()];
    for order in demo("orders.json").as_array().unwrap() {
        for line in order["lines"].as_array().unwrap() {
            rows.push(
                ORDER_COLUMNS
                    .iter()
                    .map(|&column| match column {
                        "ship_to" => order["ship_to"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|l| l.as_str().unwrap())
                            .collect::<Vec<_>>()
                            .join(" | "),
                        "referral_minimum" => cell(order["referral"].get("minimum")),
                        "referral_lifetime_value" => cell(order["referral"].get("lifetime_value")),
                        _ => cell(line.get(column).or_else(|| order.get(column))),
                    })
                    .collect(),
            );
        }
    }
    Table(rows)
}

/// The demo RMAs as the station's RMA CSV.
fn demo_rmas_csv() -> Table {
    let mut rows = vec![RMA_COLUMNS.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>()];
    for rma in demo("rmas.json").as_array().unwrap() {
        rows.push(
            RMA_COLUMNS
                .iter()
                .map(|&column| match column {
                    "expected_tracking" => rma["expected_tracking"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|t| t.as_str().unwrap())
                        .collect::<Vec<_>>()
                        .join("; "),
                    _ => cell(rma.get(column)),
                })
                .collect(),
        );
    }
    Table(rows)
}

/// Item states the demo cases take in turn, so that the engine accepts, refuses and charges.
const STATES: [[&str; 5]; 4] = [
    ["sealed", "intact", "original", "none", "none"],
    ["used", "intact", "original", "manufacturing", "none"],
    ["damaged", "broken", "damaged", "breakage", "outbound_shipping"],
    ["unused", "removed", "missing", "none", "none"],
];

/// Every demo RMA as a `decide` case: its order and the units ordered, received today.
fn demo_cases() -> Vec<Value> {
    let orders = demo("orders.json");
    let mut cases = vec![json_file("decide/spec-example.json")];
    for (n, rma) in demo("rmas.json").as_array().unwrap().iter().enumerate() {
        let Some(order) = orders
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["merchant"] == rma["merchant"] && o["order_number"] == rma["order_number"])
        else {
            continue;
        };
        let lines = order["lines"].as_array().unwrap();
        let referral = match &order["referral"] {
            Value::Null => Value::Null,
            r => json!({ "referred": true, "minimum": r["minimum"], "lifetime_value": r["lifetime_value"] }),
        };
        let flag = |v: &Value, key: &str| v.get(key).cloned().unwrap_or(Value::Bool(false));
        cases.push(json!({
            "merchant": rma["merchant"],
            "order": {
                "number": order["order_number"],
                "channel": order["channel"],
                "country": order["country"],
                "purchased_on": order["purchased_on"],
                "delivered_on": if order["delivered_on"].is_null() { &order["purchased_on"] } else { &order["delivered_on"] },
                "shipping_charged": order["shipping_charged"],
                "gifted": order["gifted"],
                "referral": referral,
                "lines": lines.iter().map(|l| json!({
                    "sku": l["sku"], "category": l["category"], "qty": l["qty"], "unit_price": l["unit_price"],
                    "on_sale": flag(l, "on_sale"), "special_order": flag(l, "special_order"),
                    "gift_card": flag(l, "gift_card"),
                })).collect::<Vec<_>>(),
            },
            "rma": {
                "number": rma["rma_number"],
                "requested_on": rma["requested_on"],
                "kind": rma["kind"],
                "resolution": rma["resolution"],
                "defective_on_arrival": rma["defective_on_arrival"],
                "return_label_cost": rma["return_label_cost"],
            },
            "inspection": {
                "received_on": TODAY,
                "items": lines.iter().enumerate().map(|(i, l)| {
                    let [condition, sticker, packaging, defect, damage_cause] = STATES[(n + i) % STATES.len()];
                    json!({
                        "sku": l["sku"], "qty": l["qty"], "condition": condition, "sticker": sticker,
                        "disassembled": false, "packaging": packaging, "defect": defect,
                        "damage_cause": damage_cause, "photos": (n + i) % 3,
                    })
                }).collect::<Vec<_>>(),
            },
        }));
    }
    cases
}

pub(super) static CASES: LazyLock<Vec<Value>> = LazyLock::new(demo_cases);

/// The demo cases as the engine takes them, to decide under fuzzed policies.
pub(super) static PARSED_CASES: LazyLock<Vec<Case>> =
    LazyLock::new(|| CASES.iter().map(|c| parse_case(&c.to_string()).unwrap()).collect());

pub(super) static ORDERS_CSV: LazyLock<Vec<Table>> = LazyLock::new(|| {
    vec![Table::parse(&String::from_utf8(file("import/station-orders.csv")).unwrap()), demo_orders_csv()]
});
pub(super) static RMAS_CSV: LazyLock<Vec<Table>> =
    LazyLock::new(|| vec![Table::parse(&String::from_utf8(file("import/station-rmas.csv")).unwrap()), demo_rmas_csv()]);
pub(super) static ORDERS_JSON: LazyLock<Vec<Value>> =
    LazyLock::new(|| vec![json_file("import/station-orders.json"), demo("orders.json")]);
pub(super) static RMAS_JSON: LazyLock<Vec<Value>> =
    LazyLock::new(|| vec![json_file("import/station-rmas.json"), demo("rmas.json")]);
pub(super) static SHOPIFY: LazyLock<Table> =
    LazyLock::new(|| Table::parse(&String::from_utf8(file("import/shopify-orders.csv")).unwrap()));
pub(super) static CATEGORIES: LazyLock<Table> =
    LazyLock::new(|| Table::parse(&String::from_utf8(file("import/categories.csv")).unwrap()));

pub(super) const POLICY_FILES: [&str; 2] = ["connectpro.toml", "konnected.toml"];

pub(super) static POLICY_DOCS: LazyLock<Vec<T>> = LazyLock::new(|| {
    POLICY_FILES
        .iter()
        .map(|name| {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/policies").join(name);
            let table: toml::Table = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            T::Table(table.iter().map(|(k, v)| (k.clone(), T::from_value(v))).collect())
        })
        .collect()
});
