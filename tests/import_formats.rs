//! Import formats: each well-formed file read field by field (the station's CSV and JSON, a Shopify
//! orders export, the category map), each broken file's error asserted exactly (file, physical line,
//! column, reason), and properties: station CSV written then parsed gives the same records, and no
//! input makes any parser panic.

use std::fs;
use std::path::Path;

use chrono::{FixedOffset, NaiveDate};
use proptest::prelude::*;
use rma_station::domain::case::Referral;
use rma_station::domain::money::Money;
use rma_station::domain::records::{OrderLineRecord, OrderRecord, OrderStatus, RmaRecord};
use rma_station::domain::vocabulary::{Channel, Resolution, RmaKind};
use rma_station::formats::import::station::{ORDER_COLUMNS, RMA_COLUMNS};
use rma_station::formats::import::{
    CategoryMap, FileKind, ImportError, ParseSummary, SkippedRow, parse_category_map, parse_shopify_orders,
    parse_station_orders, parse_station_rmas,
};

use crate::support::date;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import").join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[track_caller]
fn money(text: &str) -> Money {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn utc() -> FixedOffset {
    FixedOffset::east_opt(0).unwrap_or_else(|| panic!("UTC is a valid offset"))
}

fn us_eastern_standard() -> FixedOffset {
    FixedOffset::west_opt(5 * 3600).unwrap_or_else(|| panic!("-05:00 is a valid offset"))
}

fn kind_of(file: &str) -> FileKind {
    FileKind::from_file_name(file).unwrap_or_else(|e| panic!("{e}"))
}

fn orders(file: &str, text: &str) -> Result<(Vec<OrderRecord>, ParseSummary), ImportError> {
    parse_station_orders(file, text, kind_of(file), &mut |_| {})
}

fn rmas(file: &str, text: &str) -> Result<(Vec<RmaRecord>, ParseSummary), ImportError> {
    parse_station_rmas(file, text, kind_of(file), &mut |_| {})
}

fn shopify(file: &str, text: &str, tz: FixedOffset) -> Result<(Vec<OrderRecord>, ParseSummary), ImportError> {
    let categories = parse_category_map("categories.csv", &fixture("categories.csv"))
        .unwrap_or_else(|e| panic!("categories parse: {e}"));
    parse_shopify_orders(file, text, "konnected", &categories, tz, &mut |_| {})
}

/// Asserts that a parse failed with exactly `expected` as its one-line message.
#[track_caller]
fn check_error<T: std::fmt::Debug>(result: Result<T, ImportError>, expected: &str) {
    match result {
        Ok(value) => panic!("expected the error\n  {expected}\nbut the parse succeeded: {value:?}"),
        Err(error) => assert_eq!(error.to_string(), expected),
    }
}

fn line(sku: &str, name: &str, category: &str, qty: u32, price: &str) -> OrderLineRecord {
    OrderLineRecord {
        sku: sku.into(),
        name: name.into(),
        category: category.into(),
        qty,
        unit_price: money(price),
        on_sale: false,
        special_order: false,
        gift_card: false,
    }
}

// ---------------------------------------------------------------------------------------------------
// Well-formed files

/// The three orders of `station-orders.csv` and `station-orders.json`, written out by hand.
fn expected_station_orders() -> Vec<OrderRecord> {
    vec![
        OrderRecord {
            merchant: "connectpro".into(),
            number: "CP-10023".into(),
            channel: Channel::Direct,
            status: OrderStatus::Open,
            customer_name: "Rosa Diaz".into(),
            customer_email: "rosa.diaz@example.com".into(),
            country: "US".into(),
            ship_to: vec!["Rosa Diaz".into(), "500 Market St, Suite 2".into(), "San Francisco, CA 94105".into()],
            currency: "USD".into(),
            purchased_on: date("2026-09-01"),
            delivered_on: Some(date("2026-09-04")),
            shipping_charged: money("25.00"),
            gifted: false,
            payment_reference: Some("ch_3Nx1Ab".into()),
            referral: None,
            lines: vec![
                line("KVM-4P", "4-port KVM switch, DisplayPort", "kvm_switch", 1, "299.00"),
                OrderLineRecord {
                    on_sale: true,
                    ..line("CBL-DP-2M", "DisplayPort cable 2 m", "accessory", 2, "12.50")
                },
            ],
        },
        OrderRecord {
            merchant: "connectpro".into(),
            number: "CP-10024".into(),
            channel: Channel::ThirdParty,
            status: OrderStatus::Open,
            customer_name: "Tom Reyes".into(),
            customer_email: String::new(),
            country: "GB".into(),
            ship_to: vec!["10 Downing Lane".into(), "London SW1A 2AA".into()],
            currency: "GBP".into(),
            purchased_on: date("2026-09-03"),
            delivered_on: None,
            shipping_charged: money("0.00"),
            gifted: true,
            payment_reference: None,
            referral: Some(Referral { referred: true, minimum: money("100.00"), lifetime_value: money("180.00") }),
            lines: vec![OrderLineRecord {
                special_order: true,
                ..line("EXT-HDBT", "HDBaseT extender", "extender", 1, "450.00")
            }],
        },
        OrderRecord {
            merchant: "konnected".into(),
            number: "KN1001".into(),
            channel: Channel::Direct,
            status: OrderStatus::Cancelled,
            customer_name: "Ng, Mai".into(),
            customer_email: "MAI.NG@EXAMPLE.COM".into(),
            country: "CA".into(),
            ship_to: vec!["Mai Ng".into(), "7 Rue Sainte-Catherine".into(), "Montréal, QC H2X 1K4".into()],
            currency: "CAD".into(),
            purchased_on: date("2026-10-02"),
            delivered_on: None,
            shipping_charged: money("9.99"),
            gifted: false,
            payment_reference: None,
            referral: None,
            lines: vec![OrderLineRecord { gift_card: true, ..line("KN-GIFT-50", "Gift card", "", 1, "50.00") }],
        },
    ]
}

#[test]
fn station_orders_csv_and_json_read_field_by_field() {
    let expected = expected_station_orders();
    for (file, rows) in [("station-orders.csv", 4), ("station-orders.json", 3)] {
        let (parsed, summary) = orders(file, &fixture(file)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed.len(), expected.len(), "{file}");
        for (got, want) in parsed.iter().zip(&expected) {
            assert_eq!(got, want, "{file}: order {}", want.number);
        }
        assert_eq!(summary, ParseSummary { rows_read: rows, skipped: vec![] }, "{file}");
    }
}

fn expected_station_rmas() -> Vec<RmaRecord> {
    vec![
        RmaRecord {
            merchant: "connectpro".into(),
            number: "RMA-2026-0001".into(),
            order_number: "CP-10023".into(),
            kind: RmaKind::Return,
            resolution: Resolution::Refund,
            requested_on: date("2026-09-10"),
            defective_on_arrival: false,
            return_label_cost: Money::ZERO,
            expected_tracking: vec!["1Z999AA10123456784".into()],
            note: String::new(),
        },
        RmaRecord {
            merchant: "connectpro".into(),
            number: "RMA-2026-0002".into(),
            order_number: "CP-10024".into(),
            kind: RmaKind::Warranty,
            resolution: Resolution::Replacement,
            requested_on: date("2026-09-20"),
            defective_on_arrival: true,
            return_label_cost: money("8.95"),
            expected_tracking: vec!["1Z999AA10123456784".into(), "9400111899223197428490".into()],
            note: "Customer says \"no picture\", since day one.\nCall before shipping the replacement.".into(),
        },
        RmaRecord {
            merchant: "konnected".into(),
            number: "KN-RMA-0001".into(),
            order_number: "KN1001".into(),
            kind: RmaKind::ShippingDamage,
            resolution: Resolution::Exchange,
            requested_on: date("2026-10-05"),
            defective_on_arrival: false,
            return_label_cost: Money::ZERO,
            expected_tracking: vec![],
            note: "Box crushed in transit".into(),
        },
    ]
}

#[test]
fn station_rmas_csv_and_json_read_field_by_field() {
    let expected = expected_station_rmas();
    for file in ["station-rmas.csv", "station-rmas.json"] {
        let (parsed, summary) = rmas(file, &fixture(file)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed.len(), expected.len(), "{file}");
        for (got, want) in parsed.iter().zip(&expected) {
            assert_eq!(got, want, "{file}: RMA {}", want.number);
        }
        assert_eq!(summary, ParseSummary { rows_read: 3, skipped: vec![] }, "{file}");
    }
}

#[test]
fn station_csv_lines_are_physical_with_crlf_blank_lines_and_a_byte_order_mark() {
    // The same file with Windows line breaks, a byte-order mark and blank lines between rows reads the
    // same; and an error in it still names the line an editor shows.
    let text = fixture("station-orders.csv");
    let windows = format!("\u{feff}{}", text.replace('\n', "\r\n\r\n"));
    let (parsed, _) = orders("orders.csv", &windows).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed, expected_station_orders());
    let broken = windows.replace("EXT-HDBT,HDBaseT extender,extender,1,", "EXT-HDBT,HDBaseT extender,extender,0,");
    check_error(orders("orders.csv", &broken), "orders.csv:7: column \"qty\": must be at least 1");
}

#[test]
fn a_shopify_export_reads_as_shopify_writes_it() {
    let (parsed, summary) =
        shopify("orders_export.csv", &fixture("shopify-orders.csv"), utc()).unwrap_or_else(|e| panic!("{e}"));
    let numbers: Vec<&str> = parsed.iter().map(|o| o.number.as_str()).collect();
    assert_eq!(numbers, ["#KN1001", "#KN1002", "#KN1003", "#KN1004", "#KN1005"]);

    // Three line items; the first row's address and notes span lines 2 to 4 of the file.
    let order = &parsed[0];
    assert_eq!(order.merchant, "konnected");
    assert_eq!(order.channel, Channel::Direct);
    assert_eq!(order.status, OrderStatus::Open);
    assert_eq!(order.customer_name, "Dana Whitfield");
    assert_eq!(order.customer_email, "dana.whitfield@example.com");
    assert_eq!(order.country, "US");
    assert_eq!(
        order.ship_to,
        [
            "Dana Whitfield",
            "Whitfield & Sons, Ltd.",
            "12 Harbour Road",
            "Building B, Unit 4",
            "Portland, ME 04101",
            "US"
        ]
    );
    assert_eq!(order.currency, "USD");
    assert_eq!(order.purchased_on, date("2025-12-07"));
    assert_eq!(order.delivered_on, Some(date("2025-12-09")));
    assert_eq!(order.shipping_charged, money("12.50"));
    assert!(!order.gifted);
    assert_eq!(order.payment_reference.as_deref(), Some("c29384756.1"));
    assert_eq!(order.referral, None);
    assert_eq!(
        order.lines,
        [
            // Compare-at 249.00 above the price 199.00: on sale.
            OrderLineRecord { on_sale: true, ..line("KN-HUB-2", "Alarm Hub 2", "hub", 1, "199.00") },
            line("KN-SENSOR-DW", "Door/Window Sensor", "sensor", 3, "24.99"),
            // Compare-at equal to the price is not a sale; no category in the map leaves it empty.
            line("KN-SIREN", "Indoor Siren", "", 1, "59.00"),
        ]
    );

    // Cancelled (and refunded): the cancellation wins. Never fulfilled: no delivery date.
    let cancelled = &parsed[1];
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert_eq!(cancelled.delivered_on, None);
    assert_eq!(cancelled.ship_to, ["Lee Park", "88 Elm St", "Apt 3", "Albany, NY 12207", "US"]);
    assert_eq!(cancelled.lines, [line("KN-SIREN", "Indoor Siren", "", 1, "59.00")]);

    // Refunded; created 2025-12-09 22:15 at -05:00, which is 2025-12-10 at a UTC warehouse.
    let refunded = &parsed[2];
    assert_eq!(refunded.status, OrderStatus::Refunded);
    assert_eq!(refunded.purchased_on, date("2025-12-10"));
    assert_eq!(refunded.delivered_on, Some(date("2025-12-11")));
    assert_eq!(refunded.shipping_charged, money("7.95"));
    assert_eq!(refunded.lines, [line("KN-MOTION", "Motion Sensor", "sensor", 2, "24.99")]);

    // Partially refunded stays open; its tip row is skipped.
    let partial = &parsed[3];
    assert_eq!(partial.status, OrderStatus::Open);
    assert_eq!(partial.lines, [line("KN-HUB-2", "Alarm Hub 2", "hub", 1, "199.00")]);

    // Euros, shipped to Germany to someone other than the buyer; the zip's apostrophe is Shopify's.
    let euros = &parsed[4];
    assert_eq!(euros.currency, "EUR");
    assert_eq!(euros.country, "DE");
    assert_eq!(euros.customer_name, "Jonas Becker");
    assert_eq!(euros.ship_to, ["Mia Becker", "Bergweg 7", "Leipzig, SN 04109", "DE"]);
    assert_eq!(euros.purchased_on, date("2025-12-13"));
    assert_eq!(euros.delivered_on, Some(date("2025-12-15")));
    assert_eq!(
        euros.lines,
        [OrderLineRecord { on_sale: true, ..line("KN-SMOKE", "Smart Smoke Detector", "detector", 1, "89.90") }]
    );

    assert_eq!(summary.rows_read, 9);
    assert_eq!(
        summary.skipped,
        [
            SkippedRow {
                line: 10,
                reason: "line item \"Tip\" of order #KN1004: no SKU and needs no shipping, so not goods (a tip, a gift card, a fee)".into(),
            },
            SkippedRow {
                line: 12,
                reason: "line item \"Gift Card - $50\" of order #KN1006: no SKU and needs no shipping, so not goods (a tip, a gift card, a fee)".into(),
            },
            SkippedRow {
                line: 12,
                reason: "order #KN1006: none of its line items are goods, so nothing of it can be returned".into(),
            },
        ]
    );
}

#[test]
fn shopify_timestamps_become_dates_in_the_warehouse_time_zone() {
    // #KN1003 was created 2025-12-09 22:15 -0500 and fulfilled 2025-12-10 23:40 -0500.
    let text = fixture("shopify-orders.csv");
    let cases = [(utc(), "2025-12-10", "2025-12-11"), (us_eastern_standard(), "2025-12-09", "2025-12-10")];
    for (tz, purchased, delivered) in cases {
        let (parsed, _) = shopify("orders_export.csv", &text, tz).unwrap_or_else(|e| panic!("{e}"));
        let order = parsed.iter().find(|o| o.number == "#KN1003").unwrap_or_else(|| panic!("#KN1003 is not imported"));
        assert_eq!((order.purchased_on, order.delivered_on), (date(purchased), Some(date(delivered))), "at {tz}");
    }
}

#[test]
fn the_category_map_reads_sku_and_category() {
    let map = parse_category_map("categories.csv", &fixture("categories.csv")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(map.len(), 4);
    assert_eq!(map.get("KN-MOTION"), Some("sensor"));
    assert_eq!(map.get("KN-SIREN"), None);
    assert!(CategoryMap::default().is_empty());
}

#[test]
fn progress_reports_bytes_read_and_ends_at_the_file_size() {
    let mut rma_text = String::from("merchant,rma_number,order_number,kind,resolution,requested_on\n");
    for i in 0..2500 {
        rma_text.push_str(&format!("m,R-{i:05},O-1,return,refund,2026-01-01\n"));
    }
    let mut reports = Vec::new();
    parse_station_rmas("rmas.csv", &rma_text, FileKind::Csv, &mut |bytes| reports.push(bytes))
        .unwrap_or_else(|e| panic!("parses: {e}"));
    assert_eq!(reports.len(), 3, "{reports:?}");
    assert!(reports.windows(2).all(|w| w[0] < w[1]), "{reports:?}");
    assert_eq!(reports.last().copied(), Some(rma_text.len() as u64));

    let mut json = String::from("[");
    for i in 0..1500 {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&format!(
            r#"{{"merchant":"m","rma_number":"R-{i}","order_number":"O","kind":"return","resolution":"refund","requested_on":"2026-01-01"}}"#
        ));
    }
    json.push(']');
    let mut reports = Vec::new();
    parse_station_rmas("rmas.json", &json, FileKind::Json, &mut |bytes| reports.push(bytes))
        .unwrap_or_else(|e| panic!("parses: {e}"));
    assert_eq!(reports.len(), 2, "{reports:?}");
    assert!(reports[0] > 0 && reports[0] < json.len() as u64, "{reports:?}");
    assert_eq!(reports[1], json.len() as u64);
}

#[test]
fn file_kinds_come_from_the_extension() {
    assert_eq!(FileKind::from_file_name("a/b/Orders.CSV").ok(), Some(FileKind::Csv));
    assert_eq!(FileKind::from_file_name("rmas.json").ok(), Some(FileKind::Json));
    check_error(
        FileKind::from_file_name("orders.xlsx"),
        "orders.xlsx: cannot tell the format from the file name: name it .csv or .json",
    );
}

// ---------------------------------------------------------------------------------------------------
// Broken files: every message exactly

/// A one-order station CSV whose row can be changed column by column.
struct OrderRow(Vec<(&'static str, String)>);

impl OrderRow {
    fn good() -> OrderRow {
        let values = [
            "connectpro",
            "CP-1",
            "direct",
            "open",
            "Rosa Diaz",
            "rosa@example.com",
            "US",
            "Rosa Diaz | 1 Main St",
            "USD",
            "2026-09-01",
            "2026-09-04",
            "25.00",
            "no",
            "",
            "",
            "",
            "KVM-4P",
            "KVM switch",
            "kvm_switch",
            "1",
            "299.00",
            "no",
            "no",
            "no",
        ];
        OrderRow(ORDER_COLUMNS.iter().zip(values).map(|(c, v)| (*c, v.to_owned())).collect())
    }

    fn with(mut self, column: &str, value: &str) -> OrderRow {
        let cell = self.0.iter_mut().find(|(c, _)| *c == column).unwrap_or_else(|| panic!("no column {column}"));
        cell.1 = value.to_owned();
        self
    }

    fn csv_line(&self) -> String {
        let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(vec![]);
        writer.write_record(self.0.iter().map(|(_, v)| v)).unwrap_or_else(|e| panic!("write: {e}"));
        String::from_utf8(writer.into_inner().unwrap_or_else(|e| panic!("flush: {e}")))
            .unwrap_or_else(|e| panic!("utf-8: {e}"))
    }
}

fn order_header() -> String {
    format!("{}\n", ORDER_COLUMNS.join(","))
}

/// A station order file: the header and these rows.
fn order_file(rows: &[OrderRow]) -> String {
    let mut text = order_header();
    for row in rows {
        text.push_str(&row.csv_line());
    }
    text
}

#[test]
fn broken_station_order_csv_files_say_where_and_why() {
    let good = OrderRow::good;
    let one = |row: OrderRow| order_file(&[good(), row.with("order_number", "CP-2")]);
    let all_columns = ORDER_COLUMNS.join(", ");
    let cases: Vec<(String, String)> = vec![
        (String::new(), "orders.csv: the file is empty; expected a header row naming the columns".into()),
        ("\n\n".into(), "orders.csv: the file is empty; expected a header row naming the columns".into()),
        (order_header(), "orders.csv:1: the file has a header row but no data rows".into()),
        (
            order_file(&[good()]).replacen(",unit_price", ",price", 1),
            format!("orders.csv:1: column \"price\": unknown column; the columns are: {all_columns}"),
        ),
        (
            order_file(&[good()]).replacen(",unit_price,", ",", 1).replacen(",299.00,", ",", 1),
            "orders.csv:1: column \"unit_price\": required, but missing from the header row".into(),
        ),
        (
            order_file(&[good()]).replacen(",name,", ",sku,", 1),
            "orders.csv:1: column \"sku\": appears twice in the header row".into(),
        ),
        (
            format!("{},\n", ORDER_COLUMNS.join(",")),
            "orders.csv:1: the header row has an empty column name (a trailing comma?)".into(),
        ),
        (one(good().with("unit_price", "abc")), "orders.csv:3: column \"unit_price\": \"abc\" is not a decimal amount such as \"12.30\"".into()),
        (one(good().with("unit_price", "12.345")), "orders.csv:3: column \"unit_price\": \"12.345\" has more than two decimal places".into()),
        (one(good().with("shipping_charged", "-5")), "orders.csv:3: column \"shipping_charged\": \"-5\" is negative; amounts are never below zero".into()),
        (one(good().with("qty", "0")), "orders.csv:3: column \"qty\": must be at least 1".into()),
        // Issue 15: this price was stored as i64::MAX cents and the import said it succeeded.
        (one(good().with("unit_price", "99999999999999999999999.99")), "orders.csv:3: column \"unit_price\": \"99999999999999999999999.99\" is more than 999999999.99, the largest amount the station takes".into()),
        (
            // 1,001 lines of one order, from line 2: the 1,001st (file line 1002) is one too many.
            order_file(&(0..1001).map(|i| good().with("sku", &format!("SKU-{i}"))).collect::<Vec<_>>()),
            "orders.csv:1002: column \"sku\": the order has more than 1000 lines, the most the station takes".into(),
        ),
        (one(good().with("qty", "4294967295")), "orders.csv:3: column \"qty\": 4294967295 units; a line holds at most 100000".into()),
        (one(good().with("qty", "1.5")), "orders.csv:3: column \"qty\": \"1.5\" is not a whole number of units such as \"2\"".into()),
        (one(good().with("qty", "")), "orders.csv:3: column \"qty\": must not be empty".into()),
        (one(good().with("sku", " ")), "orders.csv:3: column \"sku\": must not be empty".into()),
        (one(good().with("merchant", "")), "orders.csv:3: column \"merchant\": must not be empty".into()),
        (one(good().with("customer_name", "")), "orders.csv:3: column \"customer_name\": must not be empty".into()),
        (one(good().with("purchased_on", "2026-13-01")), "orders.csv:3: column \"purchased_on\": \"2026-13-01\" is not a date written YYYY-MM-DD".into()),
        (one(good().with("purchased_on", "01/09/2026")), "orders.csv:3: column \"purchased_on\": \"01/09/2026\" is not a date written YYYY-MM-DD".into()),
        (one(good().with("delivered_on", "2026-08-30")), "orders.csv:3: column \"delivered_on\": 2026-08-30 is before purchased_on 2026-09-01".into()),
        (one(good().with("channel", "web")), "orders.csv:3: column \"channel\": unknown channel \"web\"; expected one of: direct, third_party".into()),
        (one(good().with("status", "shipped")), "orders.csv:3: column \"status\": unknown order status \"shipped\"; expected one of: open, cancelled, refunded".into()),
        (
            one(good().with("gifted", "maybe")),
            "orders.csv:3: column \"gifted\": \"maybe\" is not a yes/no value: write true or false (yes/no and 1/0 work too; empty means false)".into(),
        ),
        (one(good().with("country", "USA")), "orders.csv:3: column \"country\": \"USA\" is not a two-letter country code such as \"US\"".into()),
        (one(good().with("currency", "$")), "orders.csv:3: column \"currency\": \"$\" is not a three-letter currency code such as \"USD\"".into()),
        (one(good().with("customer_email", "rosa.example.com")), "orders.csv:3: column \"customer_email\": \"rosa.example.com\" is not an email address".into()),
        (
            one(good().with("referral_minimum", "100.00")),
            "orders.csv:3: column \"referral_lifetime_value\": must be given with referral_minimum (both or neither)".into(),
        ),
        (
            one(good().with("referral_lifetime_value", "100.00")),
            "orders.csv:3: column \"referral_minimum\": must be given with referral_lifetime_value (both or neither)".into(),
        ),
        // The order's columns repeat on each of its rows and must agree; the error names both rows.
        (
            order_file(&[good(), good().with("sku", "CBL-1"), good().with("sku", "CBL-2").with("customer_email", "b@example.com")]),
            "orders.csv:4: column \"customer_email\": \"b@example.com\" differs from line 2 of the same order, which has \"rosa@example.com\"; an order's columns must agree on every row".into(),
        ),
        (
            order_file(&[good(), good().with("sku", "CBL-1").with("shipping_charged", "20")]),
            "orders.csv:3: column \"shipping_charged\": \"20.00\" differs from line 2 of the same order, which has \"25.00\"; an order's columns must agree on every row".into(),
        ),
        (
            format!("{}{}", order_file(&[good()]), good().csv_line().replacen(",", ",,", 1)),
            "orders.csv:3: this row has 25 values but the header row has 24 (a comma too many or too few, or a quote not closed?)".into(),
        ),
        (
            format!("{}\n\nstray text\n", order_file(&[good()])),
            "orders.csv:5: this row has 1 value but the header row has 24 (a comma too many or too few, or a quote not closed?)".into(),
        ),
        (
            format!("{}{}", order_file(&[good()]), good().csv_line().replacen(",no,no,no", ",no,no,\"no", 1)),
            "orders.csv:3: a quoted value opened on this line is never closed (a missing \")".into(),
        ),
        // A value spanning lines 3 and 4: an error later in that row names the line its value is on,
        // and an error on the next row names that row's own line.
        (
            order_file(&[good(), good().with("order_number", "CP-2").with("ship_to", "Rosa Diaz\n1 Main St").with("unit_price", "x")]),
            "orders.csv:4: column \"unit_price\": \"x\" is not a decimal amount such as \"12.30\"".into(),
        ),
        (
            order_file(&[good().with("ship_to", "Rosa Diaz\n1 Main St"), good().with("order_number", "CP-2").with("qty", "0")]),
            "orders.csv:4: column \"qty\": must be at least 1".into(),
        ),
    ];
    for (text, expected) in cases {
        check_error(orders("orders.csv", &text), &expected);
    }
}

#[test]
fn broken_station_order_json_files_say_where_and_why() {
    let order = |extra: &str| {
        format!(
            r#"{{"merchant": "connectpro", "order_number": "CP-1", "customer_name": "Rosa Diaz",
  "customer_email": "", "country": "US", "ship_to": [], "currency": "USD", "purchased_on": "2026-09-01",
  "shipping_charged": "0.00"{extra}}}"#
        )
    };
    let with_line = |line: &str| order(&format!(",\n  \"lines\": [{line}]"));
    let good_line = r#"{"sku": "A", "name": "", "category": "", "qty": 1, "unit_price": "1.00"}"#;
    let fields = "`merchant`, `order_number`, `channel`, `status`, `customer_name`, `customer_email`, `country`, `ship_to`, `currency`, `purchased_on`, `delivered_on`, `shipping_charged`, `gifted`, `payment_reference`, `referral`, `lines`";
    let cases: Vec<(String, String)> = vec![
        (String::new(), "orders.json: the file is empty; expected a JSON array of orders".into()),
        ("{}".into(), "orders.json:1:1: invalid type: map, expected an array of order objects".into()),
        ("[]".into(), "orders.json:1:2: the array is empty: the file holds no orders".into()),
        (format!("[{}", with_line(good_line)), "orders.json:4:86: EOF while parsing a list".into()),
        (format!("[{}] x", with_line(good_line)), "orders.json:4:89: trailing characters".into()),
        (
            format!("[{}]", with_line(r#"{"sku": "A", "name": "", "category": "", "qty": 1, "unit_price": 12.5}"#)),
            "orders.json:4:82: [0].lines[0].unit_price: write 12.5 as a quoted decimal such as \"12.5\": a binary float cannot hold every amount exactly".into(),
        ),
        (
            format!("[{}]", with_line(r#"{"sku": "A", "name": "", "category": "", "qty": 0, "unit_price": "1.00"}"#)),
            "orders.json:4:62: [0].lines[0].qty: must be at least 1".into(),
        ),
        (
            format!("[{}]", with_line(r#"{"sku": "", "name": "", "category": "", "qty": 1, "unit_price": "1.00"}"#)),
            "orders.json:4:22: [0].lines[0].sku: must not be empty".into(),
        ),
        (
            format!("[{}]", with_line(r#"{"sku": "A", "category": "", "qty": 1, "unit_price": "1.00"}"#)),
            "orders.json:4:72: [0].lines[0]: missing field `name`".into(),
        ),
        (format!("[{}]", order(",\n  \"lines\": []")), "orders.json:4:15: [0]: lines: an order needs at least one line".into()),
        (
            format!("[{}]", order(",\n  \"delivred_on\": \"2026-09-02\", \"lines\": []")),
            format!("orders.json:4:16: [0].delivred_on: unknown field `delivred_on`, expected one of {fields}"),
        ),
        (
            format!("[{}]", order(",\n  \"delivered_on\": \"2026-08-01\", \"lines\": [{}]").replace("{}", good_line)),
            "orders.json:4:117: [0]: delivered_on 2026-08-01 is before purchased_on 2026-09-01".into(),
        ),
        (
            format!("[{}]", with_line(good_line).replace("\"US\"", "\"USA\"")),
            "orders.json:2:40: [0].country: \"USA\" is not a two-letter country code such as \"US\"".into(),
        ),
        (
            format!("[{},\n{}]", with_line(good_line), with_line(good_line)),
            "orders.json:8:87: [1]: order \"CP-1\" of merchant \"connectpro\" is also [0]; give each once".into(),
        ),
    ];
    for (text, expected) in cases {
        check_error(orders("orders.json", &text), &expected);
    }
}

#[test]
fn broken_station_rma_files_say_where_and_why() {
    let header = format!("{}\n", RMA_COLUMNS.join(","));
    let row = "connectpro,RMA-1,CP-1,return,refund,2026-09-10,no,0.00,1Z999AA10123456784,\n";
    let json = |extra: &str| {
        format!(
            r#"[{{"merchant": "m", "rma_number": "R-1", "order_number": "O-1", "kind": "return", "resolution": "refund",
  "requested_on": "2026-09-10"{extra}}}]"#
        )
    };
    let cases: Vec<(&str, String, String)> = vec![
        ("rmas.csv", header.clone(), "rmas.csv:1: the file has a header row but no data rows".into()),
        (
            "rmas.csv",
            format!("{}{row}", header.replace(",requested_on", "")).replace(",2026-09-10", ""),
            "rmas.csv:1: column \"requested_on\": required, but missing from the header row".into(),
        ),
        (
            "rmas.csv",
            format!("{header}{}", row.replace(",return,", ",refund,")),
            "rmas.csv:2: column \"kind\": unknown RMA kind \"refund\"; expected one of: return, warranty, shipping_damage".into(),
        ),
        (
            "rmas.csv",
            format!("{header}{}", row.replace(",refund,", ",credit,")),
            "rmas.csv:2: column \"resolution\": unknown resolution \"credit\"; expected one of: refund, exchange, store_credit, replacement".into(),
        ),
        (
            "rmas.csv",
            format!("{header}{}", row.replace("1Z999AA10123456784", "\"1Z999AA10123456784, 1Z999AA10123456785\"")),
            "rmas.csv:2: column \"expected_tracking\": \"1Z999AA10123456784,\" is not a tracking number (letters and digits only; separate several with spaces or \";\")".into(),
        ),
        (
            "rmas.csv",
            format!("{header}{}", row.replace("1Z999AA10123456784", "1Z 999 AA1 0123 456 784")),
            "rmas.csv:2: column \"expected_tracking\": \"1Z\" is too short for a tracking number: write each number without spaces inside it, and separate several with spaces or \";\"".into(),
        ),
        (
            "rmas.csv",
            format!("{header}{}", row.replace(",0.00,", ",free,")),
            "rmas.csv:2: column \"return_label_cost\": \"free\" is not a decimal amount such as \"12.30\"".into(),
        ),
        (
            "rmas.csv",
            format!("{header}{row}{}{row}", row.replace("RMA-1", "RMA-2")),
            "rmas.csv:4: column \"rma_number\": RMA \"RMA-1\" of merchant \"connectpro\" is already on line 2; give each RMA once".into(),
        ),
        (
            "rmas.json",
            json(r#", "expected_tracking": "1Z999AA10123456784""#),
            "rmas.json:2:73: [0].expected_tracking: invalid type: string \"1Z999AA10123456784\", expected a sequence".into(),
        ),
        (
            "rmas.json",
            json(r#", "return_label_cost": 8.95"#),
            "rmas.json:2:58: [0].return_label_cost: write 8.95 as a quoted decimal such as \"8.95\": a binary float cannot hold every amount exactly".into(),
        ),
        (
            "rmas.json",
            json("").replace("}]", "}, ") + &json("")[1..],
            "rmas.json:3:32: [1]: RMA \"R-1\" of merchant \"m\" is also [0]; give each once".into(),
        ),
    ];
    for (file, text, expected) in cases {
        check_error(rmas(file, &text), &expected);
    }
}

/// The Shopify columns the station reads, and a few it ignores.
const SHOPIFY_HEADER: &str = "Name,Email,Financial Status,Paid at,Fulfilled at,Currency,Shipping,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Shipping Name,Shipping Address1,Shipping City,Shipping Zip,Shipping Country,Notes,Cancelled at,Billing Country";

fn shopify_row(name: &str, change: &[(usize, &str)]) -> String {
    let mut cells = vec![
        name,
        "ann@example.com",
        "paid",
        "2025-12-07 19:08:27 +0000",
        "",
        "USD",
        "5.00",
        "2025-12-07 19:08:25 +0000",
        "1",
        "Widget",
        "10.00",
        "",
        "W-1",
        "true",
        "Ann Lee",
        "1 Main St",
        "Austin",
        "'78701",
        "US",
        "",
        "",
        "US",
    ];
    for (i, value) in change {
        cells[*i] = value;
    }
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(vec![]);
    writer.write_record(&cells).unwrap_or_else(|e| panic!("write: {e}"));
    String::from_utf8(writer.into_inner().unwrap_or_else(|e| panic!("flush: {e}")))
        .unwrap_or_else(|e| panic!("utf-8: {e}"))
}

/// A later row of an order: its name and line item only.
fn shopify_item_row(name: &str, sku: &str) -> String {
    shopify_row(
        name,
        &[
            (1, ""),
            (2, ""),
            (3, ""),
            (5, ""),
            (6, ""),
            (7, ""),
            (12, sku),
            (14, ""),
            (15, ""),
            (16, ""),
            (17, ""),
            (18, ""),
            (21, ""),
        ],
    )
}

#[test]
fn broken_shopify_exports_say_where_and_why() {
    let file = |rows: &[String]| format!("{SHOPIFY_HEADER}\n{}", rows.concat());
    let first = |change: &[(usize, &str)]| shopify_row("#1001", change);
    let multi_line_notes = first(&[(19, "Ring twice,\nthen wait.\nThanks!")]);
    let cases: Vec<(String, String)> = vec![
        (String::new(), "orders_export.csv: the file is empty; expected a header row naming the columns".into()),
        (format!("{SHOPIFY_HEADER}\n"), "orders_export.csv:1: the file has a header row but no data rows".into()),
        (
            file(&[first(&[])]).replacen(",Lineitem compare at price", "", 1),
            "orders_export.csv:1: column \"Lineitem compare at price\": required, but missing from the header row".into(),
        ),
        (
            file(&[first(&[(7, "2025-12-07T19:08:25Z")])]),
            "orders_export.csv:2: column \"Created at\": \"2025-12-07T19:08:25Z\" is not a Shopify timestamp such as \"2025-12-07 19:08:25 +0000\"".into(),
        ),
        (
            file(&[first(&[(4, "2025-12-06 10:00:00 +0000")])]),
            "orders_export.csv:2: column \"Fulfilled at\": 2025-12-06 is before the order was created (2025-12-07)".into(),
        ),
        (
            file(&[first(&[(12, "")])]),
            "orders_export.csv:2: column \"Lineitem sku\": is empty, but the item needs shipping: the station matches returned goods by SKU, so give the product a SKU in Shopify".into(),
        ),
        (file(&[first(&[(8, "0")])]), "orders_export.csv:2: column \"Lineitem quantity\": must be at least 1".into()),
        (
            file(&[first(&[(10, "10,00")])]),
            "orders_export.csv:2: column \"Lineitem price\": \"10,00\" is not a decimal amount such as \"12.30\"".into(),
        ),
        (
            file(&[first(&[(18, ""), (21, "")])]),
            "orders_export.csv:2: column \"Shipping Country\": is empty, and so is Billing Country: order #1001 needs a country".into(),
        ),
        (
            file(&[first(&[(13, "sometimes")])]),
            "orders_export.csv:2: column \"Lineitem requires shipping\": \"sometimes\" is not a yes/no value: write true or false (yes/no and 1/0 work too; empty means false)".into(),
        ),
        // Rows re-sorted so that an order's first row is not the one with its fields.
        (
            file(&[shopify_item_row("#1001", "W-2"), first(&[])]),
            "orders_export.csv:2: column \"Created at\": is empty on the first row of order #1001, which carries the order's fields".into(),
        ),
        (
            file(&[first(&[]), shopify_row("#1002", &[]), shopify_item_row("#1001", "W-2")]),
            "orders_export.csv:4: column \"Name\": order #1001 appears again; its rows began on line 2. Shopify writes an order's rows together: was the file edited, or two exports joined?".into(),
        ),
        // Notes spanning lines 2 to 4: the next row starts on line 5, and a value after the notes in the
        // same row is on line 4.
        (
            file(&[multi_line_notes.clone(), shopify_item_row("#1001", "W-2").replace(",10.00,", ",ten,")]),
            "orders_export.csv:5: column \"Lineitem price\": \"ten\" is not a decimal amount such as \"12.30\"".into(),
        ),
        (
            file(&[first(&[(19, "Ring twice,\nthen wait.\nThanks!"), (20, "yesterday")])]),
            "orders_export.csv:4: column \"Cancelled at\": \"yesterday\" is not a Shopify timestamp such as \"2025-12-07 19:08:25 +0000\"".into(),
        ),
        (
            file(&[first(&[(15, "1 Main St\nSuite 5"), (18, "USA")])]),
            "orders_export.csv:3: column \"Shipping Country\": \"USA\" is not a two-letter country code such as \"US\"".into(),
        ),
    ];
    for (text, expected) in cases {
        check_error(shopify("orders_export.csv", &text, utc()), &expected);
    }
    check_error(
        parse_shopify_orders(
            "orders_export.csv",
            &file(&[first(&[])]),
            " ",
            &CategoryMap::default(),
            utc(),
            &mut |_| {},
        ),
        "orders_export.csv: no merchant id given: say whose orders these are (--merchant ID)",
    );
}

#[test]
fn shopify_later_rows_add_line_items_and_fall_back_to_billing_country() {
    let text = format!(
        "{SHOPIFY_HEADER}\n{}{}",
        shopify_row("#1001", &[(18, "")]),
        shopify_item_row("#1001", "KN-SMOKE").replace(",10.00,,", ",10.00,12.00,")
    );
    let (parsed, summary) = shopify("orders_export.csv", &text, utc()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary, ParseSummary { rows_read: 2, skipped: vec![] });
    assert_eq!(parsed.len(), 1);
    assert_eq!(parsed[0].country, "US");
    assert_eq!(parsed[0].ship_to, ["Ann Lee", "1 Main St", "Austin, 78701", "US"]);
    assert_eq!(
        parsed[0].lines,
        [
            line("W-1", "Widget", "", 1, "10.00"),
            OrderLineRecord { on_sale: true, ..line("KN-SMOKE", "Widget", "detector", 1, "10.00") },
        ]
    );
}

#[test]
fn broken_category_maps_say_where_and_why() {
    let cases = [
        ("", "categories.csv: the file is empty; expected a header row naming the columns"),
        ("sku\nA\n", "categories.csv:1: column \"category\": required, but missing from the header row"),
        (
            "sku,category,price\nA,b,1\n",
            "categories.csv:1: column \"price\": unknown column; the columns are: sku, category",
        ),
        ("sku,category\nA,hub\nB,\n", "categories.csv:3: column \"category\": must not be empty"),
        (
            "sku,category\nA,hub\nB,hub\nA,sensor\n",
            "categories.csv:4: column \"sku\": SKU \"A\" is already on line 2; give each SKU once",
        ),
    ];
    for (text, expected) in cases {
        check_error(parse_category_map("categories.csv", text), expected);
    }
}

// ---------------------------------------------------------------------------------------------------
// Properties

/// Text as a merchant's system might write it: commas, quotes and line breaks included, no spaces at
/// either end (the parsers trim them).
fn text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9é]([A-Za-z0-9é ,\"'#&|\n-]{0,12}[A-Za-z0-9é])?"
}

fn address_line() -> impl Strategy<Value = String> {
    "[A-Za-z0-9]([A-Za-z0-9 ,\"'#&\n-]{0,12}[A-Za-z0-9])?"
}

fn amount() -> impl Strategy<Value = Money> {
    (0i64..100_000_000).prop_map(Money::from_cents)
}

fn day() -> impl Strategy<Value = NaiveDate> {
    (0i64..3650).prop_map(|d| date("2020-01-01") + chrono::Duration::days(d))
}

fn optional_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text())
}

fn order_line() -> impl Strategy<Value = OrderLineRecord> {
    (
        text(),
        prop_oneof![Just(String::new()), text()],
        prop_oneof![Just(String::new()), text()],
        1u32..10_000,
        amount(),
        any::<(bool, bool, bool)>(),
    )
        .prop_map(|(sku, name, category, qty, unit_price, (on_sale, special_order, gift_card))| OrderLineRecord {
            sku,
            name,
            category,
            qty,
            unit_price,
            on_sale,
            special_order,
            gift_card,
        })
}

fn order() -> impl Strategy<Value = OrderRecord> {
    let who = (
        "[a-z]{1,10}",
        prop_oneof![Just(Channel::Direct), Just(Channel::ThirdParty)],
        prop_oneof![Just(OrderStatus::Open), Just(OrderStatus::Cancelled), Just(OrderStatus::Refunded)],
        text(),
        prop_oneof![Just(String::new()), "[a-z.]{1,8}@[a-z]{1,8}\\.[a-z]{2,3}"],
        "[A-Z]{2}",
        proptest::collection::vec(address_line(), 0..4),
        "[A-Z]{3}",
    );
    let when = (
        day(),
        proptest::option::of(0i64..60),
        amount(),
        any::<bool>(),
        optional_text(),
        proptest::option::of((amount(), amount())),
        proptest::collection::vec(order_line(), 1..4),
    );
    (who, when).prop_map(
        |(
            (merchant, channel, status, customer_name, customer_email, country, ship_to, currency),
            (purchased_on, delivered_after, shipping_charged, gifted, payment_reference, referral, mut lines),
        )| {
            // Lines of one SKU may come twice at their own prices, but must agree on what the policy tests
            // (issue 15, item 4): a later line takes the first one's.
            for i in 1..lines.len() {
                if let Some(first) = lines[..i].iter().find(|l| l.sku == lines[i].sku).cloned() {
                    let line = &mut lines[i];
                    (line.category, line.on_sale, line.special_order, line.gift_card) =
                        (first.category, first.on_sale, first.special_order, first.gift_card);
                }
            }
            OrderRecord {
                merchant,
                number: String::new(),
                channel,
                status,
                customer_name,
                customer_email,
                country,
                ship_to,
                currency,
                purchased_on,
                delivered_on: delivered_after.map(|d| purchased_on + chrono::Duration::days(d)),
                shipping_charged,
                gifted,
                payment_reference,
                referral: referral.map(|(minimum, lifetime_value)| Referral {
                    referred: true,
                    minimum,
                    lifetime_value,
                }),
                lines,
            }
        },
    )
}

/// Writes orders as the station's CSV, one row per line, as a merchant's system would.
fn write_orders_csv(orders: &[OrderRecord]) -> String {
    let mut writer = csv::Writer::from_writer(vec![]);
    writer.write_record(ORDER_COLUMNS).unwrap_or_else(|e| panic!("header: {e}"));
    let opt = |m: Option<Money>| m.map(|m| m.to_string()).unwrap_or_default();
    for o in orders {
        for l in &o.lines {
            let referral = o.referral.as_ref();
            writer
                .write_record([
                    o.merchant.clone(),
                    o.number.clone(),
                    o.channel.as_str().to_owned(),
                    o.status.as_str().to_owned(),
                    o.customer_name.clone(),
                    o.customer_email.clone(),
                    o.country.clone(),
                    o.ship_to.join(" | "),
                    o.currency.clone(),
                    o.purchased_on.to_string(),
                    o.delivered_on.map(|d| d.to_string()).unwrap_or_default(),
                    o.shipping_charged.to_string(),
                    o.gifted.to_string(),
                    o.payment_reference.clone().unwrap_or_default(),
                    opt(referral.map(|r| r.minimum)),
                    opt(referral.map(|r| r.lifetime_value)),
                    l.sku.clone(),
                    l.name.clone(),
                    l.category.clone(),
                    l.qty.to_string(),
                    l.unit_price.to_string(),
                    l.on_sale.to_string(),
                    l.special_order.to_string(),
                    l.gift_card.to_string(),
                ])
                .unwrap_or_else(|e| panic!("row: {e}"));
        }
    }
    String::from_utf8(writer.into_inner().unwrap_or_else(|e| panic!("flush: {e}")))
        .unwrap_or_else(|e| panic!("utf-8: {e}"))
}

fn rma() -> impl Strategy<Value = RmaRecord> {
    (
        "[a-z]{1,10}",
        text(),
        prop_oneof![Just(RmaKind::Return), Just(RmaKind::Warranty), Just(RmaKind::ShippingDamage)],
        prop_oneof![
            Just(Resolution::Refund),
            Just(Resolution::Exchange),
            Just(Resolution::StoreCredit),
            Just(Resolution::Replacement)
        ],
        day(),
        any::<bool>(),
        amount(),
        proptest::collection::vec("[A-Z0-9]{8,22}", 0..3),
        prop_oneof![Just(String::new()), text()],
    )
        .prop_map(
            |(
                merchant,
                order_number,
                kind,
                resolution,
                requested_on,
                defective_on_arrival,
                return_label_cost,
                expected_tracking,
                note,
            )| {
                RmaRecord {
                    merchant,
                    number: String::new(),
                    order_number,
                    kind,
                    resolution,
                    requested_on,
                    defective_on_arrival,
                    return_label_cost,
                    expected_tracking,
                    note,
                }
            },
        )
}

fn write_rmas_csv(rmas: &[RmaRecord]) -> String {
    let mut writer = csv::Writer::from_writer(vec![]);
    writer.write_record(RMA_COLUMNS).unwrap_or_else(|e| panic!("header: {e}"));
    for r in rmas {
        writer
            .write_record([
                r.merchant.clone(),
                r.number.clone(),
                r.order_number.clone(),
                r.kind.as_str().to_owned(),
                r.resolution.as_str().to_owned(),
                r.requested_on.to_string(),
                r.defective_on_arrival.to_string(),
                r.return_label_cost.to_string(),
                r.expected_tracking.join("; "),
                r.note.clone(),
            ])
            .unwrap_or_else(|e| panic!("row: {e}"));
    }
    String::from_utf8(writer.into_inner().unwrap_or_else(|e| panic!("flush: {e}")))
        .unwrap_or_else(|e| panic!("utf-8: {e}"))
}

/// Random text that often looks like CSV or JSON, so that parsers get past their first checks.
fn noise() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..400).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        "[a-zA-Z0-9 ,;:|\"'#@.{}\\[\\]\n\r\u{feff}-]{0,300}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn station_order_csv_written_then_parsed_gives_the_same_orders(
        mut generated in proptest::collection::vec(order(), 1..6),
    ) {
        for (i, order) in generated.iter_mut().enumerate() {
            order.number = format!("N-{i}");
        }
        let text = write_orders_csv(&generated);
        let (parsed, summary) = orders("orders.csv", &text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(summary.rows_read, generated.iter().map(|o| o.lines.len() as u64).sum::<u64>());
        prop_assert_eq!(parsed, generated);
    }

    #[test]
    fn station_rma_csv_written_then_parsed_gives_the_same_rmas(mut generated in proptest::collection::vec(rma(), 1..6)) {
        for (i, rma) in generated.iter_mut().enumerate() {
            rma.number = format!("R-{i}");
        }
        let text = write_rmas_csv(&generated);
        let (parsed, _) = rmas("rmas.csv", &text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(parsed, generated);
    }

    #[test]
    fn no_input_makes_a_parser_panic(body in noise()) {
        let categories = CategoryMap::default();
        let shopify_text = format!("{SHOPIFY_HEADER}\n{body}");
        let order_text = format!("{}{body}", order_header());
        for text in [body.as_str(), shopify_text.as_str(), order_text.as_str()] {
            let _ = parse_station_orders("o.csv", text, FileKind::Csv, &mut |_| {});
            let _ = parse_station_orders("o.json", text, FileKind::Json, &mut |_| {});
            let _ = parse_station_rmas("r.csv", text, FileKind::Csv, &mut |_| {});
            let _ = parse_station_rmas("r.json", text, FileKind::Json, &mut |_| {});
            let _ = parse_shopify_orders("s.csv", text, "m", &categories, utc(), &mut |_| {});
            let _ = parse_category_map("c.csv", text);
        }
    }

    #[test]
    fn a_row_with_line_breaks_never_shifts_the_lines_of_later_errors(breaks in 0usize..5, blank_lines in 0usize..3) {
        let ship_to = vec!["Rosa Diaz"; breaks + 1].join("\n");
        let text = format!(
            "{}{}{}",
            order_header(),
            OrderRow::good().with("ship_to", &ship_to).csv_line(),
            "\n".repeat(blank_lines) + &OrderRow::good().with("order_number", "CP-2").with("qty", "0").csv_line()
        );
        let error = orders("orders.csv", &text).expect_err("qty 0 is refused");
        prop_assert_eq!(error.line, 3 + breaks as u64 + blank_lines as u64);
    }
}
