//! Import change detection (issue 13): the content hash is an explicit, versioned encoding of a record, the
//! same for the same record, different for any field changed, stable across builds (golden hashes), and a
//! hash of the `Debug` era is settled by comparing content, not by reporting every record updated (on SQLite
//! and on PostgreSQL).

use rma_station::domain::money::Money;
use rma_station::domain::records::{OrderRecord, RmaRecord};
use rma_station::domain::vocabulary::{Channel, Resolution, RmaKind};
use rma_station::storage::ImportCounts;
use rma_station::storage::record_hash::{is_current, order_hash, rma_hash};

use crate::storage::{order, rma, source, stamp};
use crate::support::place::{Place, on_both};

/// A field's name and a change of it.
type Change<T> = (&'static str, fn(&mut T));

fn fixed_order() -> OrderRecord {
    order("connectpro", "CP-10023", "Ana Lima", "ana@example.com")
}

fn fixed_rma() -> RmaRecord {
    rma("connectpro", "RMA-2026-0001", "CP-10023", &["1Z 5R8 939 0357567127"])
}

#[test]
fn the_same_record_hashes_the_same_and_the_hash_names_its_version() {
    assert_eq!(order_hash(&fixed_order()), order_hash(&fixed_order().clone()));
    assert_eq!(rma_hash(&fixed_rma()), rma_hash(&fixed_rma()));
    assert!(order_hash(&fixed_order()).starts_with("v1:"));
    assert!(is_current(&order_hash(&fixed_order())));
    assert!(is_current(&rma_hash(&fixed_rma())));
    // The Debug era's hashes were 64 bare hex digits: another version, compared by content.
    assert!(!is_current(&"ab".repeat(32)));
    assert!(!is_current("v2:00"));
}

#[test]
fn the_encoding_is_stable_golden_hashes() {
    // Written by hand from the encoding in src/storage/record_hash.rs (and checked with an independent
    // script): if one of these changes, every stored hash changes, so it must be a new version instead.
    assert_eq!(order_hash(&fixed_order()), GOLDEN_ORDER);
    assert_eq!(rma_hash(&fixed_rma()), GOLDEN_RMA);
}

const GOLDEN_ORDER: &str = "v1:406df30415e02622d63cd2de9a0d0bcc674c76e2ce1d68f5ef993196f6225659";
const GOLDEN_RMA: &str = "v1:f593edab30ef84a810d89f80ead1b73ef5c473b59b48571b04767794307a70b6";

#[test]
fn every_field_of_an_order_changes_its_hash() {
    let changes: Vec<Change<OrderRecord>> = vec![
        ("merchant", |o| o.merchant = "konnected".into()),
        ("number", |o| o.number = "CP-10024".into()),
        ("channel", |o| o.channel = Channel::ThirdParty),
        ("status", |o| o.status = rma_station::domain::records::OrderStatus::Cancelled),
        ("customer_name", |o| o.customer_name = "Ana Lima Jr".into()),
        ("customer_email", |o| o.customer_email = "ana@example.org".into()),
        ("country", |o| o.country = "CA".into()),
        ("ship_to", |o| o.ship_to.push("Suite 2".into())),
        ("ship_to lines", |o| o.ship_to = vec![o.ship_to.concat()]),
        ("currency", |o| o.currency = "CAD".into()),
        ("purchased_on", |o| o.purchased_on = o.purchased_on.succ_opt().unwrap()),
        ("delivered_on", |o| o.delivered_on = None),
        ("shipping_charged", |o| o.shipping_charged = Money::from_cents(2501)),
        ("gifted", |o| o.gifted = true),
        ("payment_reference", |o| o.payment_reference = None),
        ("payment_reference text", |o| o.payment_reference = Some("pay_124".into())),
        ("referral", |o| {
            o.referral = Some(rma_station::domain::case::Referral {
                referred: true,
                minimum: Money::from_cents(0),
                lifetime_value: Money::from_cents(0),
            });
        }),
        ("a line's sku", |o| o.lines[0].sku = "KVM-8P".into()),
        ("a line's name", |o| o.lines[0].name.push('!')),
        ("a line's category", |o| o.lines[0].category = "cable".into()),
        ("a line's qty", |o| o.lines[0].qty = 2),
        ("a line's price", |o| o.lines[0].unit_price = Money::from_cents(29901)),
        ("a line's sale", |o| o.lines[0].on_sale = true),
        ("a line's special order", |o| o.lines[0].special_order = true),
        ("a line's gift card", |o| o.lines[0].gift_card = true),
        ("lines", |o| o.lines.clear()),
    ];
    let mut seen = vec![order_hash(&fixed_order())];
    for (field, change) in changes {
        let mut changed = fixed_order();
        change(&mut changed);
        let hash = order_hash(&changed);
        assert!(!seen.contains(&hash), "changing {field} did not change the hash");
        seen.push(hash);
    }
}

#[test]
fn every_field_of_an_rma_changes_its_hash() {
    let changes: Vec<Change<RmaRecord>> = vec![
        ("merchant", |r| r.merchant = "konnected".into()),
        ("number", |r| r.number = "RMA-2026-0002".into()),
        ("order_number", |r| r.order_number = "CP-10024".into()),
        ("kind", |r| r.kind = RmaKind::Warranty),
        ("resolution", |r| r.resolution = Resolution::Exchange),
        ("requested_on", |r| r.requested_on = r.requested_on.succ_opt().unwrap()),
        ("defective_on_arrival", |r| r.defective_on_arrival = true),
        ("return_label_cost", |r| r.return_label_cost = Money::from_cents(0)),
        ("expected_tracking", |r| r.expected_tracking.clear()),
        ("note", |r| r.note.clear()),
    ];
    let mut seen = vec![rma_hash(&fixed_rma())];
    for (field, change) in changes {
        let mut changed = fixed_rma();
        change(&mut changed);
        let hash = rma_hash(&changed);
        assert!(!seen.contains(&hash), "changing {field} did not change the hash");
        seen.push(hash);
    }
}

on_both!(a_hash_of_the_debug_era_is_settled_by_content_once);
fn a_hash_of_the_debug_era_is_settled_by_content_once(place: &Place) {
    let mut store = place.open();
    let orders = [fixed_order(), order("konnected", "#1001", "Bo Chen", "bo@example.org")];
    store.import_orders(&source("orders.csv"), &orders, &stamp(0)).unwrap();
    store.import_rmas(&source("rmas.csv"), &[fixed_rma()], &stamp(1)).unwrap();
    // As a station before v1 left them: a bare SHA-256 of the Debug text (any 64 hex digits will do).
    place.edit(&format!(
        "UPDATE orders SET content_hash = '{0}'; UPDATE rmas SET content_hash = '{0}';",
        "0f".repeat(32)
    ));

    // The same content: unchanged, nothing audited, and the hash brought to v1.
    let audit_before = store.counts().unwrap().audit_entries;
    let mut changed = orders.clone();
    changed[1].customer_name = "Bo Chen-Li".into();
    let counts = store.import_orders(&source("orders.csv"), &orders[..1], &stamp(2)).unwrap();
    assert_eq!(counts, ImportCounts { new: 0, updated: 0, unchanged: 1 });
    let counts = store.import_rmas(&source("rmas.csv"), &[fixed_rma()], &stamp(3)).unwrap();
    assert_eq!(counts, ImportCounts { new: 0, updated: 0, unchanged: 1 });
    assert_eq!(store.counts().unwrap().audit_entries, audit_before);
    let hashes: Vec<String> = place
        .query("SELECT content_hash FROM orders ORDER BY id")
        .into_iter()
        .map(|row| row[0].clone().unwrap())
        .collect();
    assert_eq!(hashes, [order_hash(&orders[0]), "0f".repeat(32)]);

    // Changed content behind an old hash: updated, and from then on compared by its v1 hash.
    let counts = store.import_orders(&source("orders.csv"), &changed, &stamp(4)).unwrap();
    assert_eq!(counts, ImportCounts { new: 0, updated: 1, unchanged: 1 });
    let counts = store.import_orders(&source("orders.csv"), &changed, &stamp(5)).unwrap();
    assert_eq!(counts, ImportCounts { new: 0, updated: 0, unchanged: 2 });
}
