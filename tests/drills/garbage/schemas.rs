//! What each format's fields hold, as the documents say (`docs/decide-json.md`, `docs/import-formats.md`):
//! the schemas the structure-aware fuzzers check a parser's answer against.

use rma_station::formats::import::station::{ORDER_COLUMNS, RMA_COLUMNS};

use super::csv_doc::{CsvSchema, Table};
use super::json_doc::Schema;
use super::nasty::Kind;

pub(super) const CASE_SCHEMA: Schema = Schema {
    known: &[
        "merchant",
        "order",
        "rma",
        "inspection",
        "number",
        "channel",
        "country",
        "purchased_on",
        "delivered_on",
        "shipping_charged",
        "gifted",
        "referral",
        "lines",
        "referred",
        "minimum",
        "lifetime_value",
        "sku",
        "category",
        "qty",
        "unit_price",
        "on_sale",
        "special_order",
        "gift_card",
        "requested_on",
        "kind",
        "resolution",
        "defective_on_arrival",
        "return_label_cost",
        "received_on",
        "original_owner",
        "commercial_use",
        "proof_of_purchase",
        "items",
        "condition",
        "sticker",
        "disassembled",
        "packaging",
        "defect",
        "damage_cause",
        "photos",
    ],
    containers: &[
        ("order", false),
        ("rma", true),
        ("inspection", false),
        ("referral", true),
        ("lines", false),
        ("items", false),
    ],
    bools: &[
        "gifted",
        "referred",
        "on_sale",
        "special_order",
        "gift_card",
        "defective_on_arrival",
        "original_owner",
        "commercial_use",
        "proof_of_purchase",
        "disassembled",
    ],
    typed: &[
        ("unit_price", Kind::Money, false),
        ("shipping_charged", Kind::Money, false),
        ("minimum", Kind::Money, false),
        ("lifetime_value", Kind::Money, false),
        ("return_label_cost", Kind::Money, true),
        ("purchased_on", Kind::Date, false),
        ("delivered_on", Kind::Date, false),
        ("requested_on", Kind::Date, false),
        ("received_on", Kind::Date, false),
    ],
    units: &["qty"],
    line_lists: &["lines", "items"],
};

pub(super) const ORDERS_JSON_SCHEMA: Schema = Schema {
    known: &[
        "merchant",
        "order_number",
        "channel",
        "status",
        "customer_name",
        "customer_email",
        "country",
        "ship_to",
        "currency",
        "purchased_on",
        "delivered_on",
        "shipping_charged",
        "gifted",
        "payment_reference",
        "referral",
        "lines",
        "minimum",
        "lifetime_value",
        "sku",
        "name",
        "category",
        "qty",
        "unit_price",
        "on_sale",
        "special_order",
        "gift_card",
    ],
    containers: &[("ship_to", false), ("referral", true), ("lines", false)],
    bools: &["gifted", "on_sale", "special_order", "gift_card"],
    typed: &[
        ("merchant", Kind::Required, false),
        ("order_number", Kind::Required, false),
        ("customer_name", Kind::Required, false),
        ("country", Kind::Country, false),
        ("currency", Kind::Currency, false),
        ("sku", Kind::Required, false),
        ("unit_price", Kind::Money, false),
        ("shipping_charged", Kind::Money, false),
        ("minimum", Kind::Money, false),
        ("lifetime_value", Kind::Money, false),
        ("purchased_on", Kind::Date, false),
        ("delivered_on", Kind::Date, true),
    ],
    units: &["qty"],
    line_lists: &["lines"],
};

pub(super) const RMAS_JSON_SCHEMA: Schema = Schema {
    known: &[
        "merchant",
        "rma_number",
        "order_number",
        "kind",
        "resolution",
        "requested_on",
        "defective_on_arrival",
        "return_label_cost",
        "expected_tracking",
        "note",
    ],
    containers: &[("expected_tracking", false)],
    bools: &["defective_on_arrival"],
    typed: &[
        ("merchant", Kind::Required, false),
        ("rma_number", Kind::Required, false),
        ("order_number", Kind::Required, false),
        ("requested_on", Kind::Date, false),
        ("return_label_cost", Kind::Money, true),
    ],
    units: &[],
    line_lists: &[],
};

fn every_row(_: &Table, _: usize, _: &str) -> bool {
    true
}

fn no_lines(_: &Table, _: usize) -> Option<String> {
    None
}

pub(super) const ORDERS_CSV_SCHEMA: CsvSchema = CsvSchema {
    only: Some(ORDER_COLUMNS.as_slice()),
    required: &[
        "merchant",
        "order_number",
        "customer_name",
        "customer_email",
        "country",
        "ship_to",
        "currency",
        "purchased_on",
        "shipping_charged",
        "sku",
        "name",
        "category",
        "qty",
        "unit_price",
    ],
    typed: &[
        ("merchant", Kind::Required, false),
        ("order_number", Kind::Required, false),
        ("customer_name", Kind::Required, false),
        ("country", Kind::Country, false),
        ("currency", Kind::Currency, false),
        ("purchased_on", Kind::Date, false),
        ("delivered_on", Kind::Date, true),
        ("shipping_charged", Kind::Money, false),
        ("gifted", Kind::Flag, true),
        ("referral_minimum", Kind::Money, true),
        ("referral_lifetime_value", Kind::Money, true),
        ("sku", Kind::Required, false),
        ("qty", Kind::Qty, false),
        ("unit_price", Kind::Money, false),
        ("on_sale", Kind::Flag, true),
        ("special_order", Kind::Flag, true),
        ("gift_card", Kind::Flag, true),
    ],
    free: &["name"],
    reads: every_row,
    line_of: |table, row| Some(format!("{}\n{}", table.cell(row, "merchant"), table.cell(row, "order_number"))),
    sku: "sku",
};

pub(super) const RMAS_CSV_SCHEMA: CsvSchema = CsvSchema {
    only: Some(RMA_COLUMNS.as_slice()),
    required: &["merchant", "rma_number", "order_number", "kind", "resolution", "requested_on"],
    typed: &[
        ("merchant", Kind::Required, false),
        ("rma_number", Kind::Required, false),
        ("order_number", Kind::Required, false),
        ("requested_on", Kind::Date, false),
        ("defective_on_arrival", Kind::Flag, true),
        ("return_label_cost", Kind::Money, true),
    ],
    free: &["note"],
    reads: every_row,
    line_of: no_lines,
    sku: "",
};

/// Shopify writes an order's own fields on its first row only; later rows' are not read.
fn shopify_first_row(table: &Table, row: usize) -> bool {
    row == 1 || table.cell(row, "Name") != table.cell(row - 1, "Name")
}

const SHOPIFY_ORDER_COLUMNS: &[&str] = &["Created at", "Fulfilled at", "Cancelled at", "Currency", "Shipping"];
const SHOPIFY_LINE_COLUMNS: &[&str] = &["Lineitem quantity", "Lineitem price", "Lineitem compare at price"];

pub(super) const SHOPIFY_SCHEMA: CsvSchema = CsvSchema {
    only: None,
    required: &[
        "Name",
        "Email",
        "Financial Status",
        "Fulfilled at",
        "Currency",
        "Shipping",
        "Created at",
        "Cancelled at",
        "Lineitem quantity",
        "Lineitem name",
        "Lineitem price",
        "Lineitem compare at price",
        "Lineitem sku",
        "Lineitem requires shipping",
        "Shipping Country",
    ],
    typed: &[
        ("Name", Kind::Required, false),
        ("Created at", Kind::Timestamp, false),
        ("Fulfilled at", Kind::Timestamp, true),
        ("Cancelled at", Kind::Timestamp, true),
        ("Currency", Kind::Currency, false),
        ("Shipping", Kind::Money, false),
        ("Lineitem requires shipping", Kind::Flag, true),
        ("Lineitem quantity", Kind::Qty, false),
        ("Lineitem price", Kind::Money, false),
        ("Lineitem compare at price", Kind::Money, true),
    ],
    free: &["Lineitem name", "Notes"],
    reads: |table, row, column| {
        if SHOPIFY_ORDER_COLUMNS.contains(&column) {
            shopify_first_row(table, row)
        } else if SHOPIFY_LINE_COLUMNS.contains(&column) {
            !table.cell(row, "Lineitem sku").is_empty()
        } else {
            true
        }
    },
    line_of: |table, row| {
        let sku = table.cell(row, "Lineitem sku");
        (!sku.is_empty()).then(|| table.cell(row, "Name").to_owned())
    },
    sku: "Lineitem sku",
};

pub(super) const CATEGORIES_SCHEMA: CsvSchema = CsvSchema {
    only: Some(&["sku", "category"]),
    required: &["sku", "category"],
    typed: &[("sku", Kind::Required, false), ("category", Kind::Required, false)],
    free: &[],
    reads: every_row,
    line_of: no_lines,
    sku: "",
};
