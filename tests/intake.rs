//! Intake: every way a clerk may scan a package finds its RMA, on a real database with the demo data, SQLite and
//! PostgreSQL.

use chrono::{TimeZone, Utc};
use rma_station::bench::intake::{IntakeMatch, find};
use rma_station::demo::load_demo;
use rma_station::domain::scan::Classifier;
use rma_station::storage::Stamp;

use crate::support::place::{Place, on_both};
use crate::support::{POLICIES, date, pin_secret};

/// What a scan should find: the RMA numbers, or an order without RMAs, or nothing, or an item code.
#[derive(Debug, PartialEq)]
enum Expect {
    Rmas(&'static [&'static str]),
    OrderWithoutRma(&'static str),
    Nothing,
    ItemCode,
}

on_both!(each_kind_of_scan_finds_its_package);
fn each_kind_of_scan_finds_its_package(place: &Place) {
    let mut store = place.open();
    let stamp = Stamp {
        at: Utc.with_ymd_and_hms(2026, 11, 21, 8, 0, 0).unwrap(),
        station: "bench-1".into(),
        operator: "t".into(),
    };
    load_demo(&mut *store, date("2026-11-21"), &stamp, &pin_secret()).unwrap();
    let classifier = Classifier::new(&POLICIES.classifier_config()).unwrap();

    let cases: [(&str, Expect); 11] = [
        // An RMA label, as printed and as a scanner with an AIM id sends it.
        ("RMA-2026-0101", Expect::Rmas(&["RMA-2026-0101"])),
        ("]C0KN-RMA-0204", Expect::Rmas(&["KN-RMA-0204"])),
        // A carrier label expected by two RMAs (one per merchant): the clerk picks.
        ("1Z5R89390357567127", Expect::Rmas(&["RMA-2026-0101", "KN-RMA-0201"])),
        ("986578788855", Expect::Rmas(&["RMA-2026-0102", "KN-RMA-0203"])),
        // A USPS IMpb label: 420 + ZIP before the tracking number.
        ("]C142090210\u{1d}9400111206206406260787", Expect::Rmas(&["RMA-2026-0109"])),
        // An order number opens the order's RMAs, with or without Shopify's '#'.
        ("CP-20101", Expect::Rmas(&["RMA-2026-0101"])),
        ("#KN3001", Expect::Rmas(&["KN-RMA-0201"])),
        // An order with no RMA is found as an order.
        ("CP-20111", Expect::OrderWithoutRma("CP-20111")),
        // A label nobody expects goes to quarantine.
        ("1Z879E930346834440-X", Expect::Nothing),
        ("RMA-2026-9999", Expect::Nothing),
        // An item's barcode is for inspection, not intake.
        ("]E0012345678905", Expect::ItemCode),
    ];
    for (scanned, expected) in cases {
        let found = find(&*store, &classifier.classify(scanned)).unwrap();
        let got = match found {
            IntakeMatch::Rmas(matches) => {
                let mut numbers: Vec<String> = matches.iter().map(|m| m.rma.record.number.clone()).collect();
                let mut want: Vec<String> = match &expected {
                    Expect::Rmas(list) => list.iter().map(|s| (*s).to_owned()).collect(),
                    _ => Vec::new(),
                };
                numbers.sort();
                want.sort();
                assert_eq!(numbers, want, "{scanned:?}");
                continue;
            }
            IntakeMatch::Orders(orders) => {
                assert_eq!(orders.len(), 1, "{scanned:?}");
                match orders[0].record.number.as_str() {
                    "CP-20111" => Expect::OrderWithoutRma("CP-20111"),
                    other => panic!("{scanned:?} found order {other}"),
                }
            }
            IntakeMatch::Nothing => Expect::Nothing,
            IntakeMatch::ItemCode => Expect::ItemCode,
        };
        assert_eq!(got, expected, "{scanned:?}");
    }
}
