//! `rma-station decide`: the spec's example end to end through the real binary, and every kind of
//! malformed case refused with one line that names the field.

use serde_json::{Value, json};

use crate::support::{fixture, run_station};

fn spec_example() -> Value {
    let text = std::fs::read_to_string(fixture("decide/spec-example.json")).unwrap_or_else(|e| panic!("fixture: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("fixture: {e}"))
}

#[test]
fn decides_the_spec_example_from_a_file_and_from_stdin() {
    let path = fixture("decide/spec-example.json").display().to_string();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture: {e}"));
    for (args, stdin) in [
        (vec!["decide", path.as_str(), "--today", "2026-09-15"], ""),
        (vec!["decide", "-", "--today", "2026-09-15"], text.as_str()),
    ] {
        let out = run_station(&args, stdin);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let decision: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("output is not JSON: {e}"));
        assert_eq!(decision["verdict"], "accept");
        assert_eq!(decision["disposition"], "refund");
        assert_eq!(
            decision["money"],
            json!({"items_accepted": "299.00", "restocking_fee": "0.00", "card_fee": "8.72", "return_label": "0.00",
                   "handling_fee": "0.00", "shipping_not_refunded": "25.00", "net": "290.28"})
        );
        assert_eq!(decision["lines"][0]["sku"], "KVM-4P");
        assert_eq!(
            [
                &decision["lines"][0]["ordered"],
                &decision["lines"][0]["received"],
                &decision["lines"][0]["accepted"],
                &decision["lines"][0]["missing"]
            ],
            [1, 1, 1, 0]
        );
        assert_eq!(decision["lines"][0]["fee"], "0.00");
        assert!(decision["reasons"].as_array().is_some_and(|r| {
            r.iter().any(|r| {
                r["clause"] == "connectpro/refund/card-fee"
                    && r["text"] == "Card processing fee 2.6% + $0.30 is non-refundable"
            })
        }));
        assert_eq!(decision["flags"], json!([]));
        assert_eq!(decision["refund_due_on"], "2026-09-29");
    }
}

/// Applies `edit` to the spec example and returns its text.
fn edited(edit: impl FnOnce(&mut Value)) -> String {
    let mut case = spec_example();
    edit(&mut case);
    serde_json::to_string_pretty(&case).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn malformed_cases_exit_non_zero_with_one_line_naming_the_field() {
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "JSON syntax",
            "{\n  \"merchant\": \"connectpro\",\n  \"order\": {\n    \"number\": \"CP-1\",,\n".to_owned(),
            "rma-station: <stdin>: JSON syntax error at line 4, column 22: key must be a string",
        ),
        (
            "truncated",
            "{\"merchant\": \"connectpro\"".to_owned(),
            "rma-station: <stdin>: JSON syntax error at line 1, column 25: EOF while parsing an object",
        ),
        (
            "empty input",
            String::new(),
            "rma-station: <stdin>: JSON syntax error at line 1, column 0: EOF while parsing a value",
        ),
        (
            "trailing garbage",
            format!("{} x", edited(|_| {})),
            "JSON syntax error at line 51, column 3: trailing characters",
        ),
        (
            "missing field",
            edited(|c| {
                if let Some(o) = c["order"].as_object_mut() {
                    o.remove("delivered_on");
                }
            }),
            "rma-station: <stdin>: order: missing field `delivered_on`",
        ),
        (
            "unknown field",
            edited(|c| c["rma"]["defective_on_arival"] = json!(true)),
            "rma-station: <stdin>: rma.defective_on_arival: unknown field `defective_on_arival`",
        ),
        (
            "wrong type",
            edited(|c| c["order"]["lines"][0]["qty"] = json!("one")),
            "rma-station: <stdin>: order.lines[0].qty: invalid type: string \"one\", expected u32",
        ),
        (
            "negative quantity",
            edited(|c| c["inspection"]["items"][0]["qty"] = json!(-1)),
            "rma-station: <stdin>: inspection.items[0].qty: invalid value: integer `-1`, expected u32",
        ),
        (
            "amount as a number",
            edited(|c| c["order"]["shipping_charged"] = json!(25.5)),
            "rma-station: <stdin>: order.shipping_charged: write 25.5 as a quoted decimal",
        ),
        (
            "negative amount",
            edited(|c| c["order"]["lines"][0]["unit_price"] = json!("-299.00")),
            "rma-station: <stdin>: order.lines[0].unit_price: \"-299.00\" is negative",
        ),
        (
            "sub-cent amount",
            edited(|c| c["rma"]["return_label_cost"] = json!("7.255")),
            "rma-station: <stdin>: rma.return_label_cost: \"7.255\" has more than two decimal places",
        ),
        (
            "unknown word",
            edited(|c| c["inspection"]["items"][0]["sticker"] = json!("peeled")),
            "rma-station: <stdin>: inspection.items[0].sticker: unknown sticker state \"peeled\"; expected one of: intact, broken, removed, altered, none",
        ),
        (
            "bad date",
            edited(|c| c["rma"]["requested_on"] = json!("10/09/2026")),
            "rma-station: <stdin>: rma.requested_on: \"10/09/2026\" is not a date written YYYY-MM-DD",
        ),
        (
            "impossible date",
            edited(|c| c["order"]["purchased_on"] = json!("2026-02-30")),
            "rma-station: <stdin>: order.purchased_on: \"2026-02-30\" is not a date written YYYY-MM-DD",
        ),
        (
            "delivered before bought",
            edited(|c| c["order"]["delivered_on"] = json!("2026-08-01")),
            "rma-station: <stdin>: order.delivered_on: 2026-08-01 is before purchased_on 2026-09-01",
        ),
        (
            "zero quantity",
            edited(|c| c["order"]["lines"][0]["qty"] = json!(0)),
            "rma-station: <stdin>: order.lines[0].qty: must be at least 1",
        ),
        (
            // Lines of one SKU are one line (issue 15, item 4), unless the policy would treat them differently.
            "one SKU on two lines of different categories",
            edited(|c| {
                let mut line = c["order"]["lines"][0].clone();
                line["category"] = json!("accessory");
                if let Some(lines) = c["order"]["lines"].as_array_mut() {
                    lines.push(line)
                }
            }),
            "rma-station: <stdin>: order.lines[1].category: \"accessory\" differs from order.lines[0], which has \
             \"kvm_switch\" for the same SKU \"KVM-4P\"; lines of one SKU must agree on category",
        ),
        (
            "one SKU past the bound over two lines",
            edited(|c| {
                c["order"]["lines"][0]["qty"] = json!(60_000);
                let line = c["order"]["lines"][0].clone();
                if let Some(lines) = c["order"]["lines"].as_array_mut() {
                    lines.push(line)
                }
            }),
            "rma-station: <stdin>: order.lines[1].qty: SKU \"KVM-4P\" comes to 120000 units with order.lines[0] and the \
             other lines of it; one SKU holds at most 100000 units on an order",
        ),
        (
            "bad country",
            edited(|c| c["order"]["country"] = json!("USA")),
            "rma-station: <stdin>: order.country: \"USA\" is not a two-letter country code such as \"US\"",
        ),
        (
            "empty SKU",
            edited(|c| c["inspection"]["items"][0]["sku"] = json!(" ")),
            "rma-station: <stdin>: inspection.items[0].sku: must not be empty",
        ),
        (
            // Issue 15: each of these panicked ("Multiplication overflowed", exit 101) or was rounded silently.
            "a price beyond Decimal",
            edited(|c| c["order"]["lines"][0]["unit_price"] = json!("79228162514264337593543950335")),
            "order.lines[0].unit_price: \"79228162514264337593543950335\" is more than 999999999.99",
        ),
        (
            "a price beyond the station's bound",
            edited(|c| c["order"]["lines"][0]["unit_price"] = json!("99999999999999999999999.99")),
            "order.lines[0].unit_price: \"99999999999999999999999.99\" is more than 999999999.99",
        ),
        (
            "a price Decimal would round",
            edited(|c| c["order"]["lines"][0]["unit_price"] = json!("9999999999999999999999999999.99")),
            "order.lines[0].unit_price: \"9999999999999999999999999999.99\" is not a decimal amount",
        ),
        (
            "a quantity beyond the bound",
            edited(|c| c["order"]["lines"][0]["qty"] = json!(4_294_967_295_u32)),
            "order.lines[0].qty: 4294967295 units; a line holds at most 100000",
        ),
        (
            "an inspected quantity beyond the bound",
            edited(|c| c["inspection"]["items"][0]["qty"] = json!(100_001)),
            "inspection.items[0].qty: 100001 units; a line holds at most 100000",
        ),
        (
            "a date without its zeros",
            edited(|c| c["order"]["purchased_on"] = json!("2026-9-1")),
            "order.purchased_on: \"2026-9-1\" is not a date written YYYY-MM-DD",
        ),
        (
            "a year before the common era",
            edited(|c| c["order"]["purchased_on"] = json!("-0001-01-01")),
            "order.purchased_on: \"-0001-01-01\" is not a date written YYYY-MM-DD",
        ),
        (
            "received before it was bought",
            edited(|c| c["inspection"]["received_on"] = json!("2020-01-01")),
            "inspection.received_on: 2020-01-01 is before the order was bought",
        ),
        (
            "received in 9999",
            edited(|c| c["inspection"]["received_on"] = json!("9999-01-01")),
            "inspection.received_on: 9999-01-01 is after the decision date 2026-09-15",
        ),
        (
            "half an amount",
            edited(|c| c["order"]["shipping_charged"] = json!("1.")),
            "order.shipping_charged: \"1.\" is not a decimal amount",
        ),
        (
            "unknown merchant",
            edited(|c| c["merchant"] = json!("acme")),
            "rma-station: <stdin>: merchant: unknown merchant \"acme\"; known merchants: connectpro, konnected",
        ),
    ];
    for (name, stdin, expected) in &cases {
        let out = run_station(&["decide", "-", "--today", "2026-09-15"], stdin);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{name}: a malformed case was decided");
        assert!(out.stdout.is_empty(), "{name}: printed a decision for a malformed case");
        assert_eq!(stderr.lines().count(), 1, "{name}: the error is not one line: {stderr}");
        assert!(
            stderr.starts_with(expected) || stderr.contains(expected),
            "{name}: expected {expected:?}, got {stderr:?}"
        );
    }
}

#[test]
fn a_case_with_a_byte_order_mark_is_decided_as_the_imports_take_one() {
    let case = format!("\u{feff}{}", serde_json::to_string_pretty(&spec_example()).unwrap());
    let out = run_station(&["decide", "-", "--today", "2026-09-15"], &case);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_missing_case_file_is_named() {
    let out = run_station(&["decide", "/nonexistent/case.json"], "");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("rma-station: /nonexistent/case.json: cannot read: "), "{stderr}");
}
