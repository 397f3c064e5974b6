//! The return's ledger on SQLite and on PostgreSQL (`on_both!`), through the bench's use cases: a unit is settled once,
//! one box is one package, a charge kept once per order or RMA is not kept again on a second box, a
//! supervisor's reopen withdraws what nobody exported and queues the difference from what stood, and a
//! package is resumed where it was left. Each reproduction of issue 14 that lives below the window is
//! here; those on screen are in `bench_flow`.

use rma_station::bench::decision::{Decided, OnTheBench, confirm, decide, reopen};
use rma_station::bench::intake::{Arrival, Received, receive, resume};
use rma_station::bench::{Actor, BenchError, BenchPackage, Claim};
use rma_station::clock::Now;
use rma_station::domain::engine::station;
use rma_station::domain::inspection::InspectionSheet;
use rma_station::domain::ledger::Ledger;
use rma_station::domain::money::Money;
use rma_station::domain::vocabulary::{Disposition, Queue, Role, Verdict};
use rma_station::records::QueueStatus;
use rma_station::storage::{Store, StoreError};

use crate::support::place::{Place, on_both};
use crate::support::{POLICIES, clock, pin_secret};

fn clerk() -> Actor {
    Actor { name: "sam".into(), role: Role::Clerk, station: "bench-1".into() }
}

fn supervisor() -> Actor {
    Actor { name: "dana".into(), role: Role::Supervisor, station: "bench-1".into() }
}

fn demo_store(place: &Place) -> (Box<dyn Store>, Now) {
    let now = clock().now();
    let mut store = place.open();
    rma_station::demo::load_demo(&mut *store, now.today, &clerk().stamp(&now), &pin_secret()).unwrap();
    (store, now)
}

/// Receives a box for `rma` (`another_box`: as a further box of a split shipment).
fn arrive(store: &mut dyn Store, now: &Now, rma: &str, another_box: bool) -> Result<Received, BenchError> {
    let found = store.rmas_by_number(rma).unwrap().remove(0);
    let arrival = Arrival {
        scanned_code: rma.into(),
        scanned_kind: "rma_number".into(),
        claim: Claim::Rma(found),
        note: String::new(),
        another_box,
    };
    receive(store, &clerk(), now, arrival)
}

/// Everything order CP-20108 (RMA-2026-0108) holds.
const EVERYTHING: [(&str, u32); 3] = [("KVM-4P-DP", 2), ("CBL-KVM-USB-2M", 2), ("PSU-12V-2A", 2)];

/// The sheet with `units` of each SKU received (as new); SKUs not named stay at 0.
fn with_units(mut sheet: InspectionSheet, units: &[(&str, u32)]) -> InspectionSheet {
    for item in &mut sheet.items {
        item.received = units.iter().find(|(sku, _)| *sku == item.sku).map_or(0, |(_, n)| *n);
    }
    sheet
}

/// Decides and confirms the sheet; returns the engine's decision and what confirming answered.
fn settle(
    store: &mut dyn Store,
    now: &Now,
    package: &BenchPackage,
    sheet: &InspectionSheet,
) -> (Decided, Result<rma_station::bench::decision::Confirmed, BenchError>) {
    let decided = decide(&POLICIES, package, sheet, &[], now.today).unwrap();
    let bench = OnTheBench { package, sheet, decided: &decided };
    let confirmed = confirm(store, &POLICIES, &clerk(), now, bench);
    (decided, confirmed)
}

fn refunds(store: &dyn Store) -> Vec<(Money, Option<Money>)> {
    store
        .queue_items(Queue::Refund, true, 100)
        .unwrap()
        .into_iter()
        .map(|row| (row.amount.unwrap(), row.paid_before))
        .collect()
}

on_both!(a_rescanned_rma_opens_no_second_package_and_its_goods_are_never_refunded_twice);
fn a_rescanned_rma_opens_no_second_package_and_its_goods_are_never_refunded_twice(place: &Place) {
    let (mut store, now) = demo_store(place);
    let Received { package, sheet } = arrive(&mut *store, &now, "RMA-2026-0108", false).unwrap();
    let sheet = with_units(sheet, &EVERYTHING);
    let (decided, confirmed) = settle(&mut *store, &now, &package, &sheet);
    confirmed.unwrap();
    assert_eq!(decided.decision.disposition, Disposition::Refund);
    let paid = decided.decision.money.net;
    assert_eq!(refunds(&*store), [(paid, None)]);

    // The same RMA scanned again: no second package.
    let again = arrive(&mut *store, &now, "RMA-2026-0108", false).unwrap_err();
    assert!(
        matches!(again, BenchError::Store(StoreError::AlreadyReceived { package_id, .. }) if package_id == package.package_id),
        "{again}"
    );
    // Nor a second decision on the first package.
    let (_, twice) = settle(&mut *store, &now, &package, &sheet);
    assert!(matches!(twice, Err(BenchError::Store(StoreError::AlreadyDecided { .. }))), "{twice:?}");

    // Another box, by the clerk's choice, with the same goods: nothing of it is settled again.
    let Received { package: second, sheet: second_sheet } = arrive(&mut *store, &now, "RMA-2026-0108", true).unwrap();
    let second_sheet = with_units(second_sheet, &EVERYTHING);
    let (decided, confirmed) = settle(&mut *store, &now, &second, &second_sheet);
    confirmed.unwrap();
    assert_eq!(decided.decision.verdict, Verdict::Deny, "{:#?}", decided.decision);
    assert!(decided.decision.reasons.iter().any(|c| c.id == station::ALREADY_RETURNED_ID));
    assert_eq!(refunds(&*store), [(paid, None)], "one refund, whatever was scanned");

    // A decision made on a stale ledger (as a second station would, or a path around the engine) is
    // refused by the store inside its transaction.
    let Received { package: third, sheet: third_sheet } = arrive(&mut *store, &now, "RMA-2026-0108", true).unwrap();
    let stale = BenchPackage { earlier: Ledger::default(), ..third };
    let third_sheet = with_units(third_sheet, &[("KVM-4P-DP", 1)]);
    let (decided, confirmed) = settle(&mut *store, &now, &stale, &third_sheet);
    assert_eq!(decided.decision.disposition, Disposition::Refund, "the stale ledger would pay again");
    let refused = confirmed.unwrap_err();
    assert!(matches!(refused, BenchError::Store(StoreError::AlreadySettled { .. })), "{refused}");
    assert!(refused.to_string().contains("KVM-4P-DP"), "{refused}");
    assert_eq!(refunds(&*store), [(paid, None)]);
    assert!(store.verify().unwrap().is_sound());
}

on_both!(a_split_shipment_settles_each_unit_once_and_keeps_the_card_fee_once);
fn a_split_shipment_settles_each_unit_once_and_keeps_the_card_fee_once(place: &Place) {
    let (mut store, now) = demo_store(place);
    let Received { package, sheet } = arrive(&mut *store, &now, "RMA-2026-0108", false).unwrap();
    let (first, confirmed) = settle(&mut *store, &now, &package, &with_units(sheet, &[("KVM-4P-DP", 1)]));
    confirmed.unwrap();
    assert!(!first.decision.money.card_fee.is_zero());

    let Received { package: second, sheet } = arrive(&mut *store, &now, "RMA-2026-0108", true).unwrap();
    let sheet = with_units(sheet, &[("KVM-4P-DP", 2), ("CBL-KVM-USB-2M", 1)]);
    let (decided, confirmed) = settle(&mut *store, &now, &second, &sheet);
    confirmed.unwrap();
    let lines = &decided.decision.lines;
    let kvm = lines.iter().find(|line| line.sku == "KVM-4P-DP").unwrap();
    assert_eq!((kvm.received, kvm.accepted, kvm.refused, kvm.missing), (2, 1, 1, 0), "{lines:#?}");
    assert!(decided.decision.money.card_fee.is_zero(), "{:#?}", decided.decision.money);
    assert!(decided.decision.reasons.iter().any(|c| c.id == station::CHARGED_ONCE_ID));

    let order = store.rmas_by_number("RMA-2026-0108").unwrap().remove(0).order;
    let ledger = Ledger::build(&order.record.to_order(), &store.order_packages(order.id).unwrap());
    let kvm = ledger.line("KVM-4P-DP");
    assert_eq!((kvm.ordered, kvm.received, kvm.settled, kvm.sent_back), (2, 3, 2, 1));
}

on_both!(fees_that_take_the_whole_value_queue_no_refund_and_count_only_what_was_withheld);
fn fees_that_take_the_whole_value_queue_no_refund_and_count_only_what_was_withheld(place: &Place) {
    let (mut store, now) = demo_store(place);
    let Received { package, sheet } = arrive(&mut *store, &now, "RMA-2026-0101", false).unwrap();
    let sheet = with_units(sheet, &[("CBL-KVM-USB-2M", 1)]);
    let (decided, confirmed) = settle(&mut *store, &now, &package, &sheet);
    let confirmed = confirmed.unwrap();
    let money = decided.decision.money;
    assert_eq!(decided.decision.disposition, Disposition::Refund);
    assert!(money.net.is_zero() && money.deductions() > money.items_accepted, "{money:#?}");
    assert!(!confirmed.queued.contains(&Queue::Refund), "{:?}", confirmed.queued);
    assert!(refunds(&*store).is_empty());
    assert_eq!(money.withheld().deductions(), money.items_accepted);
    let period = rma_station::storage::DashboardPeriod::at(&now, &clock());
    let dashboard = store.dashboard(&period).unwrap();
    let kept = dashboard.merchants.iter().map(|m| m.fees_week.total()).fold(Money::ZERO, |a, b| a + b);
    assert_eq!(kept, money.items_accepted, "fees kept are what was withheld, never more than the value accepted");
}

on_both!(a_denial_with_nothing_received_cites_the_station_rule);
fn a_denial_with_nothing_received_cites_the_station_rule(place: &Place) {
    let (mut store, now) = demo_store(place);
    let Received { package, mut sheet } = arrive(&mut *store, &now, "RMA-2026-0108", false).unwrap();
    sheet = with_units(sheet, &[]);
    sheet.scan_item("NOT-ORDERED-1");
    sheet.items.last_mut().unwrap().received = 0;
    let decided = decide(&POLICIES, &package, &sheet, &[], now.today).unwrap();
    assert_eq!(decided.decision.verdict, Verdict::Deny);
    assert_eq!(decided.decision.reasons[0].id, station::NOTHING_RECEIVED_ID, "{:#?}", decided.decision.reasons);
    assert!(decided.entries.is_empty());
}

on_both!(a_reopen_withdraws_what_nobody_exported_and_queues_the_difference_from_what_was_paid);
fn a_reopen_withdraws_what_nobody_exported_and_queues_the_difference_from_what_was_paid(place: &Place) {
    let (mut store, now) = demo_store(place);
    let Received { package, sheet } = arrive(&mut *store, &now, "RMA-2026-0108", false).unwrap();
    let one = with_units(sheet.clone(), &[("KVM-4P-DP", 1)]);
    let (first, confirmed) = settle(&mut *store, &now, &package, &one);
    confirmed.unwrap();

    // Only a supervisor reopens, and only with a reason.
    let refused = reopen(&mut *store, &clerk(), &now, package.package_id, "counted wrong").unwrap_err();
    assert!(refused.to_string().contains("is for a supervisor"), "{refused}");
    assert!(matches!(
        reopen(&mut *store, &supervisor(), &now, package.package_id, "  "),
        Err(BenchError::NoReason { .. })
    ));

    // Not exported yet: the refund is withdrawn, and the new decision queues the whole amount.
    let reopened =
        reopen(&mut *store, &supervisor(), &now, package.package_id, "a second unit was in the box").unwrap();
    assert_eq!(reopened.withdrawn.len(), 1);
    let withdrawn = store.package_history(package.package_id).unwrap().queue;
    assert!(withdrawn.iter().all(|row| row.status == QueueStatus::Withdrawn), "{withdrawn:#?}");
    let done = store.complete_queue_item(withdrawn[0].id, "re_1", &clerk().stamp(&now)).unwrap_err();
    assert!(matches!(done, StoreError::Withdrawn { .. }), "{done}");
    let resumed = resume(&mut *store, &clerk(), &now, package.package_id).unwrap();
    let two = with_units(resumed.sheet, &[("KVM-4P-DP", 2)]);
    let (second, confirmed) = settle(&mut *store, &now, &resumed.package, &two);
    confirmed.unwrap();
    assert!(second.decision.money.net > first.decision.money.net);
    assert_eq!(refunds(&*store), [(second.decision.money.net, None)]);

    // Exported and paid: reopening leaves the payment standing, and a lower decision queues no refund
    // but a hold to recover the difference; a higher one would queue only the difference.
    let batch = store.claim_export_batch(Queue::Refund, &clerk().stamp(&now)).unwrap().unwrap();
    store.complete_batch(batch, "run-1", &supervisor().stamp(&now)).unwrap();
    let reopened = reopen(&mut *store, &supervisor(), &now, package.package_id, "one unit is used").unwrap();
    assert_eq!((reopened.withdrawn.len(), reopened.standing.len()), (0, 1));
    let resumed = resume(&mut *store, &clerk(), &now, package.package_id).unwrap();
    let (third, confirmed) =
        settle(&mut *store, &now, &resumed.package, &with_units(resumed.sheet, &[("KVM-4P-DP", 1)]));
    confirmed.unwrap();
    assert_eq!(refunds(&*store), [(second.decision.money.net, None)], "no second payment");
    let holds = store.queue_items(Queue::Hold, false, 10).unwrap();
    let over = second.decision.money.net - third.decision.money.net;
    assert!(
        holds.iter().any(|row| row.detail.starts_with(&format!("recover {over} of refund overpaid"))),
        "{holds:#?}"
    );

    let reopened = reopen(&mut *store, &supervisor(), &now, package.package_id, "both units fine after all");
    reopened.unwrap();
    let resumed = resume(&mut *store, &clerk(), &now, package.package_id).unwrap();
    let all = with_units(resumed.sheet, &EVERYTHING);
    let (fourth, confirmed) = settle(&mut *store, &now, &resumed.package, &all);
    confirmed.unwrap();
    let paid = second.decision.money.net;
    let open: Vec<_> = store.queue_items(Queue::Refund, false, 10).unwrap();
    assert_eq!(open.len(), 1, "{open:#?}");
    assert_eq!((open[0].amount, open[0].paid_before), (Some(fourth.decision.money.net - paid), Some(paid)));
    assert!(open[0].detail.starts_with("adjustment:"), "{}", open[0].detail);
    let actions: Vec<String> =
        store.package_history(package.package_id).unwrap().audit.into_iter().map(|e| e.action).collect();
    assert_eq!(actions.iter().filter(|a| *a == "reopened").count(), 3, "{actions:?}");
    assert!(store.verify().unwrap().is_sound());
}

on_both!(a_package_is_resumed_where_it_was_left_after_the_store_is_opened_again);
fn a_package_is_resumed_where_it_was_left_after_the_store_is_opened_again(place: &Place) {
    let (package_id, saved) = {
        let (mut store, now) = demo_store(place);
        let Received { package, sheet } = arrive(&mut *store, &now, "RMA-2026-0108", false).unwrap();
        let mut sheet = with_units(sheet, &[("CBL-KVM-USB-2M", 1)]);
        // The second SKU counted twice and one unit split off with a defect and a note.
        sheet.scan_item("KVM-4P-DP");
        sheet.scan_item("KVM-4P-DP");
        let kvm = sheet.items.iter().position(|item| item.sku == "KVM-4P-DP").unwrap();
        let split = sheet.split_unit(kvm).unwrap();
        sheet.items[split].notes = "scratched lid".into();
        rma_station::bench::inspection::save_sheet(&mut *store, &clerk(), &now, package.inspection_id, &sheet).unwrap();
        (package.package_id, sheet)
    };
    let mut store = place.open();
    let now = clock().now();
    let resumed = resume(&mut *store, &clerk(), &now, package_id).unwrap();
    assert_eq!(resumed.sheet, saved, "the sheet comes back as it was, items in their places");
    // Not a second package: the scan of the RMA says where the first one is.
    let again = arrive(&mut *store, &now, "RMA-2026-0108", false).unwrap_err();
    assert!(again.to_string().contains(&format!("package #{package_id}")), "{again}");
}

on_both!(a_quarantined_package_matched_later_opens_for_inspection_and_is_the_rmas_only_box);
fn a_quarantined_package_matched_later_opens_for_inspection_and_is_the_rmas_only_box(place: &Place) {
    let (mut store, now) = demo_store(place);
    let arrival = Arrival {
        scanned_code: "UNREADABLE-LABEL".into(),
        scanned_kind: "unknown".into(),
        claim: Claim::Quarantined,
        note: "label torn".into(),
        another_box: false,
    };
    let quarantined = receive(&mut *store, &clerk(), &now, arrival).unwrap().package;
    let refused = resume(&mut *store, &clerk(), &now, quarantined.package_id).unwrap_err();
    assert!(matches!(refused, BenchError::Quarantined { .. }), "{refused}");
    rma_station::bench::intake::match_quarantined(&mut *store, &clerk(), &now, quarantined.package_id, "RMA-2026-0104")
        .unwrap();
    let resumed = resume(&mut *store, &clerk(), &now, quarantined.package_id).unwrap();
    assert!(matches!(resumed.package.claim, Claim::Rma(_)));
    assert!(!resumed.sheet.items.is_empty() && resumed.sheet.items.iter().all(|item| item.expected));
    let again = arrive(&mut *store, &now, "RMA-2026-0104", false).unwrap_err();
    assert!(again.to_string().contains(&format!("package #{}", quarantined.package_id)), "{again}");
}

on_both!(a_hold_decided_again_closes_its_hold_item_and_settles_once);
fn a_hold_decided_again_closes_its_hold_item_and_settles_once(place: &Place) {
    let (mut store, now) = demo_store(place);
    let Received { package, sheet } = arrive(&mut *store, &now, "KN-RMA-0204", false).unwrap();
    let mut sheet = with_units(sheet, &[("KN-PRO-PANEL", 1)]);
    sheet.items[0].state.defect = rma_station::domain::vocabulary::Defect::Manufacturing;
    // No photo of the damaged part: held.
    let (held, confirmed) = settle(&mut *store, &now, &package, &sheet);
    confirmed.unwrap();
    assert_eq!(held.decision.verdict, Verdict::Hold, "{:#?}", held.decision);
    assert_eq!(store.queue_items(Queue::Hold, false, 10).unwrap().len(), 1);
    // The photo came: resumed and decided again; the hold item is done, the replacement queued once.
    let resumed = resume(&mut *store, &clerk(), &now, package.package_id).unwrap();
    let decided = decide(&POLICIES, &resumed.package, &resumed.sheet, &[None], now.today).unwrap();
    assert_eq!(decided.decision.disposition, Disposition::Replacement, "{:#?}", decided.decision);
    let bench = OnTheBench { package: &resumed.package, sheet: &resumed.sheet, decided: &decided };
    confirm(&mut *store, &POLICIES, &clerk(), &now, bench).unwrap();
    assert!(store.queue_items(Queue::Hold, false, 10).unwrap().is_empty(), "the hold item is still open");
    assert_eq!(store.queue_items(Queue::Replacement, false, 10).unwrap().len(), 1);
    // And a third decision on it is refused: the replacement stands.
    let bench = OnTheBench { package: &resumed.package, sheet: &resumed.sheet, decided: &decided };
    let again = confirm(&mut *store, &POLICIES, &clerk(), &now, bench).unwrap_err();
    assert!(matches!(again, BenchError::Store(StoreError::AlreadyDecided { .. })), "{again}");
    assert!(store.verify().unwrap().is_sound());
}
