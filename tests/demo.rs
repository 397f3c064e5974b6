//! Demo data: every kind of RMA for every merchant, dates moved to today, only into an empty database (SQLite and
//! PostgreSQL).

use std::collections::BTreeSet;

use chrono::{TimeZone, Utc};
use rma_station::demo::{DemoError, REFERENCE_DATE, demo_data, load_demo};
use rma_station::domain::vocabulary::RmaKind;
use rma_station::storage::Stamp;

use crate::support::place::{Place, on_both};
use crate::support::{POLICIES, date, pin_secret};

#[test]
fn the_demo_holds_every_kind_of_rma_for_every_merchant() {
    let data = demo_data(REFERENCE_DATE).unwrap();
    for merchant in POLICIES.merchant_ids() {
        let kinds: BTreeSet<&str> =
            data.rmas.iter().filter(|r| r.merchant == merchant).map(|r| r.kind.as_str()).collect();
        let all: BTreeSet<&str> = RmaKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(kinds, all, "{merchant}");
        assert!(data.orders.iter().filter(|o| o.merchant == merchant).count() >= 10, "{merchant}");
    }
    // Every RMA's order is in the demo, and every RMA was requested on or after its order's delivery.
    for rma in &data.rmas {
        let order = data.orders.iter().find(|o| o.merchant == rma.merchant && o.number == rma.order_number);
        let order =
            order.unwrap_or_else(|| panic!("{}: its order {} is not in the demo", rma.number, rma.order_number));
        assert!(order.delivered_on.is_some_and(|d| d <= rma.requested_on), "{}", rma.number);
    }
}

#[test]
fn dates_move_with_today_keeping_their_distance() {
    let written = demo_data(REFERENCE_DATE).unwrap();
    for today in ["2027-03-01", "2026-01-15"] {
        let moved = demo_data(date(today)).unwrap();
        let shift = date(today) - REFERENCE_DATE;
        for (a, b) in written.rmas.iter().zip(&moved.rmas) {
            assert_eq!(b.requested_on - a.requested_on, shift, "{} on {today}", a.number);
        }
        for (a, b) in written.orders.iter().zip(&moved.orders) {
            assert_eq!(b.purchased_on - a.purchased_on, shift, "{} on {today}", a.number);
        }
    }
}

on_both!(the_demo_loads_into_an_empty_database_only);
fn the_demo_loads_into_an_empty_database_only(place: &Place) {
    let mut store = place.open();
    let stamp = Stamp {
        at: Utc.with_ymd_and_hms(2026, 11, 21, 8, 0, 0).unwrap(),
        station: "bench-1".into(),
        operator: "setup".into(),
    };
    let (orders, rmas) = load_demo(&mut *store, date("2026-12-01"), &stamp, &pin_secret()).unwrap();
    let data = demo_data(date("2026-12-01")).unwrap();
    assert_eq!((orders.new, rmas.new), (data.orders.len() as u64, data.rmas.len() as u64));
    let found = store.rmas_by_number(&data.rmas[0].number).unwrap();
    assert_eq!(found[0].rma.record.requested_on, data.rmas[0].requested_on);
    assert!(store.verify().unwrap().is_sound());

    let again = load_demo(&mut *store, date("2026-12-01"), &stamp, &pin_secret()).unwrap_err();
    assert!(matches!(again, DemoError::NotEmpty(n) if n == data.orders.len() as u64), "{again}");
}
