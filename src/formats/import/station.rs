//! The station's own import formats: orders and RMAs as CSV or JSON, with the columns and shapes of
//! `docs/import-formats.md`.
//!
//! Strict by design, because these files are written for the station: an unknown column or field is
//! refused (a misspelt `delivred_on` must not silently read as "not delivered"), every value is checked,
//! and one bad row fails the whole file. An order in CSV is one row per line with the order's columns
//! repeated; those columns must agree on every row of the order. Reading files and writing to the
//! database are the callers' work.

use std::collections::HashMap;

use serde::Deserialize;

use super::{
    Col, Country, CsvFile, Currency, Email, FileKind, Flag, ImportError, IsoDate, JsonItem, ParseSummary, Qty,
    Required, Row, SameSku, Tracking, parse_json_array, tracking_list, trimmed,
};
use crate::domain::case::{Referral, merge_lines};
use crate::domain::money::Money;
use crate::domain::records::{OrderLineRecord, OrderRecord, OrderStatus, RmaRecord};
use crate::domain::vocabulary::{Channel, Resolution, RmaKind};
use crate::formats::Parsed;

/// Every column of the station's order CSV, in the documented order.
pub const ORDER_COLUMNS: [&str; 24] = [
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
    "referral_minimum",
    "referral_lifetime_value",
    "sku",
    "name",
    "category",
    "qty",
    "unit_price",
    "on_sale",
    "special_order",
    "gift_card",
];

/// Every column of the station's RMA CSV, in the documented order.
pub const RMA_COLUMNS: [&str; 10] = [
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
];

/// Parses a station orders file (CSV: one row per order line; JSON: an array of orders with their lines).
pub fn parse_station_orders(
    file: &str,
    text: &str,
    kind: FileKind,
    on_progress: &mut dyn FnMut(u64),
) -> Result<(Vec<OrderRecord>, ParseSummary), ImportError> {
    match kind {
        FileKind::Csv => orders_csv(file, text, on_progress),
        FileKind::Json => {
            let (orders, summary) = parse_json_array::<JsonOrder>(file, text, on_progress)?;
            Ok((orders.into_iter().map(|o| o.0).collect(), summary))
        }
    }
}

/// Parses a station RMAs file (CSV: one row per RMA; JSON: an array of RMAs).
pub fn parse_station_rmas(
    file: &str,
    text: &str,
    kind: FileKind,
    on_progress: &mut dyn FnMut(u64),
) -> Result<(Vec<RmaRecord>, ParseSummary), ImportError> {
    match kind {
        FileKind::Csv => rmas_csv(file, text, on_progress),
        FileKind::Json => {
            let (rmas, summary) = parse_json_array::<JsonRma>(file, text, on_progress)?;
            Ok((rmas.into_iter().map(|r| r.0).collect(), summary))
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// Orders, CSV

struct OrderColumns {
    merchant: Col,
    order_number: Col,
    channel: Col,
    status: Col,
    customer_name: Col,
    customer_email: Col,
    country: Col,
    ship_to: Col,
    currency: Col,
    purchased_on: Col,
    delivered_on: Col,
    shipping_charged: Col,
    gifted: Col,
    payment_reference: Col,
    referral_minimum: Col,
    referral_lifetime_value: Col,
    sku: Col,
    name: Col,
    category: Col,
    qty: Col,
    unit_price: Col,
    on_sale: Col,
    special_order: Col,
    gift_card: Col,
}

impl OrderColumns {
    /// The order's own columns (not the line's) with their values written canonically, to find which
    /// one two rows of the same order disagree on.
    fn order_level(&self, order: &OrderRecord) -> [(Col, String); 14] {
        let referral = order.referral.as_ref();
        [
            (self.channel, order.channel.as_str().to_owned()),
            (self.status, order.status.as_str().to_owned()),
            (self.customer_name, order.customer_name.clone()),
            (self.customer_email, order.customer_email.clone()),
            (self.country, order.country.clone()),
            (self.ship_to, order.ship_to.join(" | ")),
            (self.currency, order.currency.clone()),
            (self.purchased_on, order.purchased_on.to_string()),
            (self.delivered_on, order.delivered_on.map(|d| d.to_string()).unwrap_or_default()),
            (self.shipping_charged, order.shipping_charged.to_string()),
            (self.gifted, order.gifted.to_string()),
            (self.payment_reference, order.payment_reference.clone().unwrap_or_default()),
            (self.referral_minimum, referral.map(|r| r.minimum.to_string()).unwrap_or_default()),
            (self.referral_lifetime_value, referral.map(|r| r.lifetime_value.to_string()).unwrap_or_default()),
        ]
    }
}

fn order_columns(csv: &CsvFile<'_, '_>) -> Result<OrderColumns, ImportError> {
    csv.refuse_unknown(&ORDER_COLUMNS)?;
    Ok(OrderColumns {
        merchant: csv.required("merchant")?,
        order_number: csv.required("order_number")?,
        channel: csv.optional("channel")?,
        status: csv.optional("status")?,
        customer_name: csv.required("customer_name")?,
        customer_email: csv.required("customer_email")?,
        country: csv.required("country")?,
        ship_to: csv.required("ship_to")?,
        currency: csv.required("currency")?,
        purchased_on: csv.required("purchased_on")?,
        delivered_on: csv.optional("delivered_on")?,
        shipping_charged: csv.required("shipping_charged")?,
        gifted: csv.optional("gifted")?,
        payment_reference: csv.optional("payment_reference")?,
        referral_minimum: csv.optional("referral_minimum")?,
        referral_lifetime_value: csv.optional("referral_lifetime_value")?,
        sku: csv.required("sku")?,
        name: csv.required("name")?,
        // Required although it may be empty: a policy's category rules (final-sale categories, their
        // restocking rates) would silently not apply if the column were forgotten.
        category: csv.required("category")?,
        qty: csv.required("qty")?,
        unit_price: csv.required("unit_price")?,
        on_sale: csv.optional("on_sale")?,
        special_order: csv.optional("special_order")?,
        gift_card: csv.optional("gift_card")?,
    })
}

/// An order being gathered from its rows: its order-level values as the first row wrote them.
struct Gathered {
    head: OrderRecord,
    first_line: u64,
    skus: SameSku,
}

impl Gathered {
    /// Adds the line of `row`, refused, with its column, when it cannot join an earlier line of its SKU.
    fn add(&mut self, row: &Row<'_>, c: &OrderColumns, line: OrderLineRecord) -> Result<(), ImportError> {
        if let Err((e, first)) = self.skus.add(&line, row.line()) {
            let col = match e.field() {
                "category" => c.category,
                "on_sale" => c.on_sale,
                "special_order" => c.special_order,
                "gift_card" => c.gift_card,
                _ => c.qty,
            };
            return Err(row.error(col, e.words(&format!("line {first}"))));
        }
        self.head.lines.push(line);
        match super::too_many_lines(self.head.lines.len()) {
            Some(why) => Err(row.error(c.sku, why)),
            None => Ok(()),
        }
    }
}

fn orders_csv(
    file: &str,
    text: &str,
    on_progress: &mut dyn FnMut(u64),
) -> Result<(Vec<OrderRecord>, ParseSummary), ImportError> {
    let mut csv = CsvFile::open(file, text, on_progress)?;
    let c = order_columns(&csv)?;
    let mut orders: Vec<Gathered> = Vec::new();
    // An order's rows need not be next to each other; they are gathered by merchant and number.
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    while let Some(row) = csv.next_row()? {
        let head = order_head(&row, &c)?;
        let line = order_line(&row, &c)?;
        let key = (head.merchant.clone(), head.number.clone());
        match index.get(&key) {
            Some(&i) => {
                let gathered = &mut orders[i];
                if !same_order_values(&gathered.head, &head) {
                    return Err(disagreement(&row, &c, gathered, &head));
                }
                gathered.add(&row, &c, line)?;
            }
            None => {
                index.insert(key, orders.len());
                let mut gathered = Gathered { head, first_line: row.line(), skus: SameSku::default() };
                gathered.add(&row, &c, line)?;
                orders.push(gathered);
            }
        }
    }
    let summary = ParseSummary { rows_read: csv.rows_read(), skipped: Vec::new() };
    Ok((orders.into_iter().map(|g| g.head).collect(), summary))
}

/// The order's values from one row, without lines.
fn order_head(row: &Row<'_>, c: &OrderColumns) -> Result<OrderRecord, ImportError> {
    let purchased_on = row.parse::<IsoDate>(c.purchased_on)?.0;
    let delivered_on = row.parse_optional::<IsoDate>(c.delivered_on)?.map(|d| d.0);
    if let Some(delivered) = delivered_on
        && delivered < purchased_on
    {
        return Err(row.error(c.delivered_on, format!("{delivered} is before purchased_on {purchased_on}")));
    }
    let minimum = row.parse_optional::<Money>(c.referral_minimum)?;
    let lifetime_value = row.parse_optional::<Money>(c.referral_lifetime_value)?;
    let referral = match (minimum, lifetime_value) {
        (Some(minimum), Some(lifetime_value)) => Some(Referral { referred: true, minimum, lifetime_value }),
        (None, None) => None,
        (Some(_), None) => {
            return Err(row.error(c.referral_lifetime_value, "must be given with referral_minimum (both or neither)"));
        }
        (None, Some(_)) => {
            return Err(row.error(c.referral_minimum, "must be given with referral_lifetime_value (both or neither)"));
        }
    };
    let payment_reference = Some(row.text(c.payment_reference)).filter(|r| !r.is_empty()).map(str::to_owned);
    Ok(OrderRecord {
        merchant: row.parse::<Required>(c.merchant)?.0,
        number: row.parse::<Required>(c.order_number)?.0,
        channel: row.parse_optional::<Channel>(c.channel)?.unwrap_or(Channel::Direct),
        status: row.parse_optional::<OrderStatus>(c.status)?.unwrap_or(OrderStatus::Open),
        customer_name: row.parse::<Required>(c.customer_name)?.0,
        customer_email: row.parse::<Email>(c.customer_email)?.0,
        country: row.parse::<Country>(c.country)?.0,
        ship_to: address_lines(row.text(c.ship_to)),
        currency: row.parse::<Currency>(c.currency)?.0,
        purchased_on,
        delivered_on,
        shipping_charged: row.parse::<Money>(c.shipping_charged)?,
        gifted: row.parse::<Flag>(c.gifted)?.0,
        payment_reference,
        referral,
        lines: Vec::new(),
    })
}

fn order_line(row: &Row<'_>, c: &OrderColumns) -> Result<OrderLineRecord, ImportError> {
    Ok(OrderLineRecord {
        sku: row.parse::<Required>(c.sku)?.0,
        name: row.text(c.name).to_owned(),
        category: row.text(c.category).to_owned(),
        qty: row.parse::<Qty>(c.qty)?.0,
        unit_price: row.parse::<Money>(c.unit_price)?,
        on_sale: row.parse::<Flag>(c.on_sale)?.0,
        special_order: row.parse::<Flag>(c.special_order)?.0,
        gift_card: row.parse::<Flag>(c.gift_card)?.0,
    })
}

/// Whether two rows' order-level values agree (both as parsed, so "12.3" and "12.30" agree).
fn same_order_values(first: &OrderRecord, other: &OrderRecord) -> bool {
    first.channel == other.channel
        && first.status == other.status
        && first.customer_name == other.customer_name
        && first.customer_email == other.customer_email
        && first.country == other.country
        && first.ship_to == other.ship_to
        && first.currency == other.currency
        && first.purchased_on == other.purchased_on
        && first.delivered_on == other.delivered_on
        && first.shipping_charged == other.shipping_charged
        && first.gifted == other.gifted
        && first.payment_reference == other.payment_reference
        && first.referral == other.referral
}

fn disagreement(row: &Row<'_>, c: &OrderColumns, first: &Gathered, other: &OrderRecord) -> ImportError {
    let mismatch = c.order_level(other).into_iter().zip(c.order_level(&first.head)).find(|((_, a), (_, b))| a != b);
    match mismatch {
        Some(((col, here), (_, there))) => row.error(
            col,
            format!(
                "{here:?} differs from line {} of the same order, which has {there:?}; \
                 an order's columns must agree on every row",
                first.first_line
            ),
        ),
        // Unreachable while `order_level` lists every compared value; kept as an error, never a panic.
        None => row.row_error(format!("differs from line {} of the same order", first.first_line)),
    }
}

/// Address lines written in one cell, separated by `|`.
fn address_lines(text: &str) -> Vec<String> {
    text.split('|').map(str::trim).filter(|line| !line.is_empty()).map(str::to_owned).collect()
}

// ---------------------------------------------------------------------------------------------------
// RMAs, CSV

fn rmas_csv(
    file: &str,
    text: &str,
    on_progress: &mut dyn FnMut(u64),
) -> Result<(Vec<RmaRecord>, ParseSummary), ImportError> {
    let mut csv = CsvFile::open(file, text, on_progress)?;
    csv.refuse_unknown(&RMA_COLUMNS)?;
    let merchant = csv.required("merchant")?;
    let rma_number = csv.required("rma_number")?;
    let order_number = csv.required("order_number")?;
    let kind = csv.required("kind")?;
    let resolution = csv.required("resolution")?;
    let requested_on = csv.required("requested_on")?;
    let defective_on_arrival = csv.optional("defective_on_arrival")?;
    let return_label_cost = csv.optional("return_label_cost")?;
    let expected_tracking = csv.optional("expected_tracking")?;
    let note = csv.optional("note")?;

    let mut rmas = Vec::new();
    let mut seen: HashMap<(String, String), u64> = HashMap::new();
    while let Some(row) = csv.next_row()? {
        let rma = RmaRecord {
            merchant: row.parse::<Required>(merchant)?.0,
            number: row.parse::<Required>(rma_number)?.0,
            order_number: row.parse::<Required>(order_number)?.0,
            kind: row.parse::<RmaKind>(kind)?,
            resolution: row.parse::<Resolution>(resolution)?,
            requested_on: row.parse::<IsoDate>(requested_on)?.0,
            defective_on_arrival: row.parse::<Flag>(defective_on_arrival)?.0,
            return_label_cost: row.parse_optional::<Money>(return_label_cost)?.unwrap_or(Money::ZERO),
            expected_tracking: tracking_list(row.text(expected_tracking))
                .map_err(|e| row.error(expected_tracking, e))?,
            note: row.text(note).to_owned(),
        };
        if let Some(first) = seen.insert((rma.merchant.clone(), rma.number.clone()), row.line()) {
            return Err(row.error(
                rma_number,
                format!(
                    "RMA {:?} of merchant {:?} is already on line {first}; give each RMA once",
                    rma.number, rma.merchant
                ),
            ));
        }
        rmas.push(rma);
    }
    let summary = ParseSummary { rows_read: csv.rows_read(), skipped: Vec::new() };
    Ok((rmas, summary))
}

// ---------------------------------------------------------------------------------------------------
// JSON shapes

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "an order object")]
struct RawOrder {
    merchant: Parsed<Required>,
    order_number: Parsed<Required>,
    #[serde(default)]
    channel: Option<Parsed<Channel>>,
    #[serde(default)]
    status: Option<Parsed<OrderStatus>>,
    customer_name: Parsed<Required>,
    customer_email: Parsed<Email>,
    country: Parsed<Country>,
    ship_to: Vec<String>,
    currency: Parsed<Currency>,
    purchased_on: Parsed<IsoDate>,
    #[serde(default)]
    delivered_on: Option<Parsed<IsoDate>>,
    shipping_charged: Parsed<Money>,
    #[serde(default)]
    gifted: bool,
    #[serde(default)]
    payment_reference: Option<String>,
    #[serde(default)]
    referral: Option<RawReferral>,
    lines: Vec<RawLine>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a referral object with minimum and lifetime_value")]
struct RawReferral {
    minimum: Parsed<Money>,
    lifetime_value: Parsed<Money>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "an order line object")]
struct RawLine {
    sku: Parsed<Required>,
    name: String,
    category: String,
    qty: Qty,
    unit_price: Parsed<Money>,
    #[serde(default)]
    on_sale: bool,
    #[serde(default)]
    special_order: bool,
    #[serde(default)]
    gift_card: bool,
}

/// An order from JSON, checked as a whole once its fields are read (so its errors carry a position).
#[derive(Deserialize)]
#[serde(try_from = "RawOrder")]
struct JsonOrder(OrderRecord);

impl TryFrom<RawOrder> for JsonOrder {
    type Error = String;
    fn try_from(raw: RawOrder) -> Result<JsonOrder, String> {
        let purchased_on = raw.purchased_on.0.0;
        let delivered_on = raw.delivered_on.map(|d| d.0.0);
        if let Some(delivered) = delivered_on
            && delivered < purchased_on
        {
            return Err(format!("delivered_on {delivered} is before purchased_on {purchased_on}"));
        }
        if raw.lines.is_empty() {
            return Err("lines: an order needs at least one line".to_owned());
        }
        if let Some(why) = super::too_many_lines(raw.lines.len()) {
            return Err(format!("lines: {why}"));
        }
        let lines: Vec<OrderLineRecord> = raw
            .lines
            .into_iter()
            .map(|l| OrderLineRecord {
                sku: l.sku.0.0,
                name: trimmed(&l.name),
                category: trimmed(&l.category),
                qty: l.qty.0,
                unit_price: l.unit_price.0,
                on_sale: l.on_sale,
                special_order: l.special_order,
                gift_card: l.gift_card,
            })
            .collect();
        // Lines of one SKU become one line for the engine, by the rule every edge follows.
        if let Err(e) = merge_lines(lines.iter().map(OrderLineRecord::to_line)) {
            let first = format!("lines[{}]", e.first());
            return Err(format!("lines[{}].{}: {}", e.line(), e.field(), e.words(&first)));
        }
        Ok(JsonOrder(OrderRecord {
            merchant: raw.merchant.0.0,
            number: raw.order_number.0.0,
            channel: raw.channel.map_or(Channel::Direct, |p| p.0),
            status: raw.status.map_or(OrderStatus::Open, |p| p.0),
            customer_name: raw.customer_name.0.0,
            customer_email: raw.customer_email.0.0,
            country: raw.country.0.0,
            ship_to: raw.ship_to.iter().map(|l| trimmed(l)).filter(|l| !l.is_empty()).collect(),
            currency: raw.currency.0.0,
            purchased_on,
            delivered_on,
            shipping_charged: raw.shipping_charged.0,
            gifted: raw.gifted,
            payment_reference: raw.payment_reference.map(|r| trimmed(&r)).filter(|r| !r.is_empty()),
            referral: raw.referral.map(|r| Referral {
                referred: true,
                minimum: r.minimum.0,
                lifetime_value: r.lifetime_value.0,
            }),
            lines,
        }))
    }
}

impl JsonItem for JsonOrder {
    const WHAT: &'static str = "orders";
    const EXPECTING: &'static str = "order objects";
    fn key(&self) -> (String, String) {
        (self.0.merchant.clone(), self.0.number.clone())
    }
    fn describe(&self) -> String {
        format!("order {:?} of merchant {:?}", self.0.number, self.0.merchant)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "an RMA object")]
struct RawRma {
    merchant: Parsed<Required>,
    rma_number: Parsed<Required>,
    order_number: Parsed<Required>,
    kind: Parsed<RmaKind>,
    resolution: Parsed<Resolution>,
    requested_on: Parsed<IsoDate>,
    #[serde(default)]
    defective_on_arrival: bool,
    #[serde(default)]
    return_label_cost: Option<Parsed<Money>>,
    #[serde(default)]
    expected_tracking: Vec<Parsed<Tracking>>,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize)]
#[serde(from = "RawRma")]
struct JsonRma(RmaRecord);

impl From<RawRma> for JsonRma {
    fn from(raw: RawRma) -> JsonRma {
        JsonRma(RmaRecord {
            merchant: raw.merchant.0.0,
            number: raw.rma_number.0.0,
            order_number: raw.order_number.0.0,
            kind: raw.kind.0,
            resolution: raw.resolution.0,
            requested_on: raw.requested_on.0.0,
            defective_on_arrival: raw.defective_on_arrival,
            return_label_cost: raw.return_label_cost.map_or(Money::ZERO, |p| p.0),
            expected_tracking: raw.expected_tracking.into_iter().map(|t| t.0.0).collect(),
            note: trimmed(&raw.note),
        })
    }
}

impl JsonItem for JsonRma {
    const WHAT: &'static str = "RMAs";
    const EXPECTING: &'static str = "RMA objects";
    fn key(&self) -> (String, String) {
        (self.0.merchant.clone(), self.0.number.clone())
    }
    fn describe(&self) -> String {
        format!("RMA {:?} of merchant {:?}", self.0.number, self.0.merchant)
    }
}
