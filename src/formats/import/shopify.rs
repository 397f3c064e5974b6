//! Shopify's "Orders export" CSV, read as Shopify writes it, into order records; and the small
//! `sku,category` file that supplies the product categories Shopify's export does not carry.
//!
//! Columns are found by their header names and the many this station does not need are ignored. The
//! export writes one row per line item with the order's own fields only on its first row; timestamps
//! carry their offset and become calendar dates in the warehouse's time zone, which the caller passes
//! in (this module never reads the local zone or the clock). How each column is read is documented in
//! `docs/import-formats.md`. Reading the file and writing to the database are the callers' work.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::{DateTime, Datelike as _, FixedOffset, NaiveDate};

use super::{
    Col, Country, CsvFile, Currency, Email, Flag, ImportError, ParseSummary, Qty, Required, Row, SameSku, SkippedRow,
};
use crate::domain::case::SameSkuError;
use crate::domain::money::Money;
use crate::domain::records::{OrderLineRecord, OrderRecord, OrderStatus};
use crate::domain::vocabulary::Channel;

/// Product categories by SKU, for exports (like Shopify's) that carry none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CategoryMap {
    by_sku: HashMap<String, String>,
}

impl CategoryMap {
    /// The category of `sku`, if the map names it. SKUs are compared exactly, as written.
    pub fn get(&self, sku: &str) -> Option<&str> {
        self.by_sku.get(sku).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.by_sku.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_sku.is_empty()
    }
}

/// Parses a `sku,category` CSV file (header row `sku,category`). A SKU given twice is an error.
pub fn parse_category_map(file: &str, text: &str) -> Result<CategoryMap, ImportError> {
    let mut no_progress = |_: u64| {};
    let mut csv = CsvFile::open(file, text, &mut no_progress)?;
    csv.refuse_unknown(&["sku", "category"])?;
    let sku_col = csv.required("sku")?;
    let category_col = csv.required("category")?;
    let mut by_sku: HashMap<String, String> = HashMap::new();
    let mut lines: HashMap<String, u64> = HashMap::new();
    while let Some(row) = csv.next_row()? {
        let sku = row.parse::<Required>(sku_col)?.0;
        let category = row.parse::<Required>(category_col)?.0;
        if let Some(first) = lines.insert(sku.clone(), row.line()) {
            return Err(row.error(sku_col, format!("SKU {sku:?} is already on line {first}; give each SKU once")));
        }
        by_sku.insert(sku, category);
    }
    Ok(CategoryMap { by_sku })
}

/// The Shopify columns this station reads. The export has many more; they are ignored.
struct ShopifyColumns {
    name: Col,
    email: Col,
    financial_status: Col,
    fulfilled_at: Col,
    currency: Col,
    shipping: Col,
    created_at: Col,
    cancelled_at: Col,
    payment_reference: Col,
    quantity: Col,
    item_name: Col,
    price: Col,
    compare_at_price: Col,
    sku: Col,
    requires_shipping: Col,
    billing_name: Col,
    billing_country: Col,
    shipping_name: Col,
    shipping_street: Col,
    shipping_address1: Col,
    shipping_address2: Col,
    shipping_company: Col,
    shipping_city: Col,
    shipping_zip: Col,
    shipping_province: Col,
    shipping_country: Col,
}

impl ShopifyColumns {
    fn find(csv: &CsvFile<'_, '_>) -> Result<ShopifyColumns, ImportError> {
        // Required: every column whose absence would silently change a record (a missing "Cancelled at"
        // would make every cancelled order open; a missing "Lineitem compare at price", every sale item
        // a full-price one). Optional: the address details and the names, which only fill text.
        Ok(ShopifyColumns {
            name: csv.required("Name")?,
            email: csv.required("Email")?,
            financial_status: csv.required("Financial Status")?,
            fulfilled_at: csv.required("Fulfilled at")?,
            currency: csv.required("Currency")?,
            shipping: csv.required("Shipping")?,
            created_at: csv.required("Created at")?,
            cancelled_at: csv.required("Cancelled at")?,
            payment_reference: csv.optional("Payment Reference")?,
            quantity: csv.required("Lineitem quantity")?,
            item_name: csv.required("Lineitem name")?,
            price: csv.required("Lineitem price")?,
            compare_at_price: csv.required("Lineitem compare at price")?,
            sku: csv.required("Lineitem sku")?,
            requires_shipping: csv.required("Lineitem requires shipping")?,
            billing_name: csv.optional("Billing Name")?,
            billing_country: csv.optional("Billing Country")?,
            shipping_name: csv.optional("Shipping Name")?,
            shipping_street: csv.optional("Shipping Street")?,
            shipping_address1: csv.optional("Shipping Address1")?,
            shipping_address2: csv.optional("Shipping Address2")?,
            shipping_company: csv.optional("Shipping Company")?,
            shipping_city: csv.optional("Shipping City")?,
            shipping_zip: csv.optional("Shipping Zip")?,
            shipping_province: csv.optional("Shipping Province")?,
            shipping_country: csv.required("Shipping Country")?,
        })
    }
}

/// A Shopify timestamp such as `2025-12-07 19:08:25 +0000`.
#[derive(Debug, Clone, Copy)]
struct ShopifyTime(DateTime<FixedOffset>);

impl FromStr for ShopifyTime {
    type Err = String;
    fn from_str(text: &str) -> Result<ShopifyTime, String> {
        // The shape first: chrono alone also takes one-digit fields, signed years, runs of spaces and an
        // offset with a colon, none of which Shopify writes (found by the garbage drill).
        let trimmed = text.trim();
        let parsed = super::written_as(trimmed, "9999-99-99 99:99:99 #9999")
            .then(|| DateTime::parse_from_str(trimmed, "%Y-%m-%d %H:%M:%S %z").ok())
            .flatten();
        parsed
            .map(ShopifyTime)
            .ok_or_else(|| format!("{text:?} is not a Shopify timestamp such as \"2025-12-07 19:08:25 +0000\""))
    }
}

impl ShopifyTime {
    /// The calendar date at the warehouse: the day a clerk would have written down. A date outside the years
    /// 0000 to 9999 (a timestamp at the calendar's very edge, moved by its offset) is refused, as every date
    /// of the station is written YYYY-MM-DD.
    fn date_in(self, warehouse: FixedOffset) -> Result<NaiveDate, String> {
        let date = self.0.with_timezone(&warehouse).date_naive();
        if !(0..=9999).contains(&date.year()) {
            return Err(format!("{} is the date {date} at the warehouse, outside the years 0000 to 9999", self.0));
        }
        Ok(date)
    }
}

/// Parses a Shopify "Orders export" CSV into order records for `merchant` (a policy's merchant id).
///
/// `categories` supplies each SKU's category (empty when the map does not name it); `warehouse` is the
/// time zone in which timestamps become dates. Line items that are not goods (no SKU and no shipping:
/// a tip) are skipped with a reason in the summary, and so is an order left with no goods at all.
pub fn parse_shopify_orders(
    file: &str,
    text: &str,
    merchant: &str,
    categories: &CategoryMap,
    warehouse: FixedOffset,
    on_progress: &mut dyn FnMut(u64),
) -> Result<(Vec<OrderRecord>, ParseSummary), ImportError> {
    let merchant = merchant.trim();
    if merchant.is_empty() {
        return Err(ImportError::whole_file(file, "no merchant id given: say whose orders these are (--merchant ID)"));
    }
    let mut csv = CsvFile::open(file, text, on_progress)?;
    let c = ShopifyColumns::find(&csv)?;
    let mut orders: Vec<OrderRecord> = Vec::new();
    let mut skipped: Vec<SkippedRow> = Vec::new();
    // Orders already finished, with the line their rows began on: Shopify writes an order's rows
    // together, so a name coming back means an edited file or two exports joined.
    let mut finished: HashMap<String, u64> = HashMap::new();
    // The order being read, the line its rows began on, and its lines joined by SKU as the engine will take
    // them (a free promotional line of a SKU beside its paid line is common in Shopify exports).
    let mut current: Option<(OrderRecord, u64, SameSku)> = None;

    while let Some(row) = csv.next_row()? {
        let name = row.parse::<Required>(c.name)?.0;
        let continues = current.as_ref().is_some_and(|(order, _, _)| order.number == name);
        if !continues {
            if let Some((order, first_line, _)) = current.take() {
                finish(order, first_line, &mut orders, &mut skipped, &mut finished);
            }
            if let Some(first) = finished.get(&name) {
                return Err(row.error(
                    c.name,
                    format!(
                        "order {name} appears again; its rows began on line {first}. Shopify writes an order's rows \
                         together: was the file edited, or two exports joined?"
                    ),
                ));
            }
            current = Some((order_head(&row, &c, merchant, &name, warehouse)?, row.line(), SameSku::default()));
        }
        if let Some((order, _, skus)) = current.as_mut() {
            match line_item(&row, &c, categories)? {
                Some(line) => {
                    if let Err((e, first)) = skus.add(&line, row.line()) {
                        return Err(same_sku_error(&row, &c, &e, first));
                    }
                    order.lines.push(line);
                    if let Some(why) = super::too_many_lines(order.lines.len()) {
                        return Err(row.error(c.sku, why));
                    }
                }
                None => skipped.push(SkippedRow {
                    line: row.line(),
                    reason: format!(
                        "line item {:?} of order {name}: no SKU and needs no shipping, so not goods \
                         (a tip, a gift card, a fee)",
                        row.text(c.item_name)
                    ),
                }),
            }
        }
    }
    if let Some((order, first_line, _)) = current.take() {
        finish(order, first_line, &mut orders, &mut skipped, &mut finished);
    }
    Ok((orders, ParseSummary { rows_read: csv.rows_read(), skipped }))
}

/// A line item that cannot join the earlier line of its SKU. Shopify's lines of one SKU share its category (from
/// the map) and are never special orders or gift cards, so they can differ only in being on sale, which the
/// station reads from the compare-at price; or be too many units together.
fn same_sku_error(row: &Row<'_>, c: &ShopifyColumns, e: &SameSkuError, first: u64) -> ImportError {
    match e {
        SameSkuError::Differs { sku, field: "on_sale", value, .. } => {
            let (here, there) = if value == "true" { ("on sale", "not") } else { ("not on sale", "on sale") };
            row.error(
                c.compare_at_price,
                format!(
                    "this line item of SKU {sku:?} is {here} (compare at price above its price) and line {first}'s is \
                     {there}; lines of one SKU must agree, because identical units cannot be told apart at the bench \
                     and the policy cannot apply two rules to them"
                ),
            )
        }
        SameSkuError::Differs { .. } => row.error(c.sku, e.words(&format!("line {first}"))),
        SameSkuError::TooManyUnits { .. } => row.error(c.quantity, e.words(&format!("line {first}"))),
    }
}

fn finish(
    order: OrderRecord,
    first_line: u64,
    orders: &mut Vec<OrderRecord>,
    skipped: &mut Vec<SkippedRow>,
    finished: &mut HashMap<String, u64>,
) {
    finished.insert(order.number.clone(), first_line);
    if order.lines.is_empty() {
        skipped.push(SkippedRow {
            line: first_line,
            reason: format!(
                "order {}: none of its line items are goods, so nothing of it can be returned",
                order.number
            ),
        });
    } else {
        orders.push(order);
    }
}

/// The order's own fields, from its first row.
fn order_head(
    row: &Row<'_>,
    c: &ShopifyColumns,
    merchant: &str,
    name: &str,
    warehouse: FixedOffset,
) -> Result<OrderRecord, ImportError> {
    // Later rows of an order leave these empty, so an empty one here most likely means the rows were
    // re-sorted; say so.
    let first_row = |col: Col| -> Result<&str, ImportError> {
        match row.text(col) {
            "" => {
                Err(row
                    .error(col, format!("is empty on the first row of order {name}, which carries the order's fields")))
            }
            text => Ok(text),
        }
    };
    first_row(c.created_at)?;
    first_row(c.currency)?;
    first_row(c.shipping)?;
    let purchased_on =
        row.parse::<ShopifyTime>(c.created_at)?.date_in(warehouse).map_err(|e| row.error(c.created_at, e))?;
    // "Fulfilled at" is the latest evidence of delivery the export carries: the day the goods left.
    let delivered_on = match row.parse_optional::<ShopifyTime>(c.fulfilled_at)? {
        Some(time) => Some(time.date_in(warehouse).map_err(|e| row.error(c.fulfilled_at, e))?),
        None => None,
    };
    if let Some(delivered) = delivered_on
        && delivered < purchased_on
    {
        return Err(row.error(c.fulfilled_at, format!("{delivered} is before the order was created ({purchased_on})")));
    }
    let cancelled = row.parse_optional::<ShopifyTime>(c.cancelled_at)?.is_some();
    // A cancelled order is usually refunded as well; the cancellation is the more telling fact (the goods
    // may never have shipped). "partially_refunded" leaves the order open: goods may still come back.
    let status = if cancelled {
        OrderStatus::Cancelled
    } else if row.text(c.financial_status).eq_ignore_ascii_case("refunded") {
        OrderStatus::Refunded
    } else {
        OrderStatus::Open
    };
    let country = match (row.text(c.shipping_country), row.text(c.billing_country)) {
        ("", "") => {
            return Err(row.error(
                c.shipping_country,
                format!("is empty, and so is Billing Country: order {name} needs a country"),
            ));
        }
        ("", _) => row.parse::<Country>(c.billing_country)?.0,
        _ => row.parse::<Country>(c.shipping_country)?.0,
    };
    let customer_name = match row.text(c.billing_name) {
        "" => row.text(c.shipping_name),
        billing => billing,
    };
    let payment_reference = Some(row.text(c.payment_reference)).filter(|r| !r.is_empty()).map(str::to_owned);
    Ok(OrderRecord {
        merchant: merchant.to_owned(),
        number: name.to_owned(),
        // The merchant's own shop.
        channel: Channel::Direct,
        status,
        customer_name: customer_name.to_owned(),
        customer_email: row.parse::<Email>(c.email)?.0,
        country: country.clone(),
        ship_to: ship_to(row, c, &country),
        currency: row.parse::<Currency>(c.currency)?.0,
        purchased_on,
        delivered_on,
        shipping_charged: row.parse::<Money>(c.shipping)?,
        // The export does not say whether an order was a gift.
        gifted: false,
        payment_reference,
        referral: None,
        lines: Vec::new(),
    })
}

/// The shipping address as lines: name, company, street lines, "City, Province Zip", country code. A
/// value with line breaks in it gives a line for each.
fn ship_to(row: &Row<'_>, c: &ShopifyColumns, country: &str) -> Vec<String> {
    let mut street = vec![row.text(c.shipping_address1), row.text(c.shipping_address2)];
    if street.iter().all(|s| s.is_empty()) {
        // Older exports, or a trimmed one, may carry only the combined street.
        street = vec![row.text(c.shipping_street)];
    }
    // Shopify writes a zip with a leading apostrophe ('04101) so that spreadsheets keep its leading zero.
    let zip = row.text(c.shipping_zip).trim_start_matches('\'');
    let region =
        [row.text(c.shipping_province), zip].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ");
    let locality = match (row.text(c.shipping_city), region.as_str()) {
        (city, "") => city.to_owned(),
        ("", region) => region.to_owned(),
        (city, region) => format!("{city}, {region}"),
    };
    let mut parts = vec![row.text(c.shipping_name), row.text(c.shipping_company)];
    parts.extend(street);
    let mut lines: Vec<String> =
        parts.iter().flat_map(|p| p.lines()).map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
    if !locality.is_empty() {
        lines.push(locality);
    }
    lines.push(country.to_owned());
    lines
}

/// One line item, or `None` when it is not goods.
fn line_item(
    row: &Row<'_>,
    c: &ShopifyColumns,
    categories: &CategoryMap,
) -> Result<Option<OrderLineRecord>, ImportError> {
    let sku = row.text(c.sku);
    let requires_shipping = row.parse::<Flag>(c.requires_shipping)?.0;
    if sku.is_empty() {
        if !requires_shipping {
            return Ok(None);
        }
        return Err(row.error(
            c.sku,
            "is empty, but the item needs shipping: the station matches returned goods by SKU, \
             so give the product a SKU in Shopify",
        ));
    }
    let unit_price = row.parse::<Money>(c.price)?;
    let compare_at = row.parse_optional::<Money>(c.compare_at_price)?;
    Ok(Some(OrderLineRecord {
        sku: sku.to_owned(),
        name: row.text(c.item_name).to_owned(),
        category: categories.get(sku).unwrap_or_default().to_owned(),
        qty: row.parse::<Qty>(c.quantity)?.0,
        unit_price,
        // Shopify's sign of a markdown: the "compare at" price is the regular one.
        on_sale: compare_at.is_some_and(|regular| regular > unit_price),
        special_order: false,
        gift_card: false,
    }))
}
