//! Issue 16: one store contract, two backends. The cases here are the first that ran on both, across the
//! station's areas (a return end to end, settled once, two benches at once, a tamper, the lockout and the daily
//! view); the rest of the contract runs on both where it lives (`bench_store`, `ledger`, `tamper`, …), each case
//! by `on_both!` (`support::place`).

use std::sync::{Arc, Barrier};

use rma_station::bench::decision::OnTheBench;
use rma_station::bench::intake::Arrival;
use rma_station::bench::{self, Actor, Claim};
use rma_station::clock::Now;
use rma_station::domain::vocabulary::{Queue, Role, Verdict};
use rma_station::exports::{ExportFailure, export_queue};
use rma_station::storage::StoreError;
use rma_station::storage::seal::Kind;

use crate::bench_store::{bench, stamp};
use crate::labels::decide_package;
use crate::support::place::{Backend, Place, on_both};
use crate::support::{POLICIES, TODAY, date, pin_secret};

on_both!(a_return_goes_from_scan_to_refund_and_export_and_verifies);
fn a_return_goes_from_scan_to_refund_and_export_and_verifies(place: &Place) {
    let mut store = bench(place);
    let found = store.rmas_by_number("rma-2026-0108").unwrap();
    assert_eq!(found.len(), 1, "the number as a scanner reads it");
    let tracking = found[0].rma.record.expected_tracking.clone();
    assert!(!tracking.is_empty());
    assert_eq!(store.rmas_by_tracking(&tracking[0]).unwrap().len(), 1);
    let (package, decision) = decide_package(&mut *store, "RMA-2026-0108", |_| {}, date(TODAY), &stamp(1));
    assert_eq!(decision.verdict, Verdict::Accept);
    let history = store.package_history(package).unwrap();
    assert_eq!(history.decisions.len(), 1);
    let refunds = store.queue_items(Queue::Refund, false, 10).unwrap();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].amount, Some(decision.money.net));
    let exports = tempfile::tempdir().unwrap();
    let report = export_queue(&mut *store, Queue::Refund, exports.path(), &stamp(5)).unwrap().unwrap();
    assert_eq!(report.files.len(), 2);
    assert_eq!(store.export_batches(Queue::Refund, 5).unwrap().len(), 1);
    let report = store.verify().unwrap();
    assert!(report.is_sound(), "{report:?}");
    let head = store.audit_head().unwrap();
    assert_eq!(store.audit_hash_at(head.seq).unwrap(), Some(head.hash));
    assert_eq!(report.audit_entries, head.seq as u64);
    // Prefix search orders and compares text byte by byte on both (COLLATE "C" on PostgreSQL).
    let customer = &found[0].order.record.customer_name;
    let hits = store.search_customers(&customer[..3], 10).unwrap();
    assert!(hits.iter().any(|o| &o.record.customer_name == customer), "{customer}");
}

on_both!(a_package_is_settled_once_and_its_decision_is_not_taken_twice);
fn a_package_is_settled_once_and_its_decision_is_not_taken_twice(place: &Place) {
    let mut store = bench(place);
    let (package, _) = decide_package(&mut *store, "RMA-2026-0106", |_| {}, date(TODAY), &stamp(1));
    let history = store.package_history(package).unwrap();
    let inspection = history.inspections[0].0;
    let first = crate::bench_store::engine_decision(
        &store.rmas_by_number("RMA-2026-0106").unwrap().remove(0),
        &history.inspections[0].1,
        package,
        inspection,
    );
    let again = store.record_decision(&first, &stamp(3)).unwrap_err();
    assert!(matches!(again, StoreError::AlreadyDecided { .. }), "{again:?}");
    // Another bench's reopen and decision go through the same rule.
    let mut other = place.open();
    other.reopen_package(package, "recount", &stamp(4)).unwrap();
    other.record_decision(&first, &stamp(5)).unwrap();
    assert!(other.verify().unwrap().is_sound());
}

on_both!(two_benches_confirming_one_rma_at_the_same_moment_settle_it_once);
fn two_benches_confirming_one_rma_at_the_same_moment_settle_it_once(place: &Place) {
    let mut store = bench(place);
    let m = store.rmas_by_number("RMA-2026-0108").unwrap().remove(0);
    let sheet = crate::bench_store::everything_back(&m);
    // One box received, inspected and decided by the engine on each bench, then confirmed at once.
    let mut decisions = Vec::new();
    for minute in [1, 2] {
        let package = store
            .receive_package(
                &rma_station::storage::ReceivedPackage {
                    scanned_code: m.rma.record.number.clone(),
                    scanned_kind: "rma_number".into(),
                    rma_id: Some(m.rma.id),
                    order_id: None,
                    note: String::new(),
                    another_box: true,
                },
                &stamp(minute),
            )
            .unwrap();
        let inspection = store.start_inspection(package, &stamp(minute)).unwrap();
        store.save_inspection(inspection, &sheet, &stamp(minute)).unwrap();
        decisions.push(crate::bench_store::engine_decision(&m, &sheet, package, inspection));
    }
    drop(store);
    let start = Arc::new(Barrier::new(2));
    let outcomes: Vec<Result<i64, StoreError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = decisions
            .iter()
            .map(|decision| {
                let start = Arc::clone(&start);
                let mut bench = place.open();
                scope.spawn(move || {
                    start.wait();
                    bench.record_decision(decision, &stamp(10))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let settled = outcomes.iter().filter(|o| o.is_ok()).count();
    assert_eq!(settled, 1, "{outcomes:?}");
    assert!(
        outcomes.iter().any(|o| matches!(o, Err(StoreError::AlreadySettled { .. }))),
        "the other is refused: {outcomes:?}"
    );
    let store = place.open();
    assert_eq!(store.queue_items(Queue::Refund, false, 10).unwrap().len(), 1);
    assert!(store.verify().unwrap().is_sound());
}

on_both!(a_refund_edited_behind_the_stations_back_is_named_and_not_exported);
fn a_refund_edited_behind_the_stations_back_is_named_and_not_exported(place: &Place) {
    let mut store = bench(place);
    decide_package(&mut *store, "RMA-2026-0108", |_| {}, date(TODAY), &stamp(1));
    assert!(store.verify().unwrap().is_sound());
    let item = store.queue_items(Queue::Refund, false, 1).unwrap().remove(0).id;
    assert_eq!(place.edit(&format!("UPDATE queue_items SET amount_cents = 999999 WHERE id = {item}")), 1);
    let report = store.verify().unwrap();
    let named = format!("queue item {item} no longer holds what audit entry");
    assert!(report.problems.iter().any(|p| p.contains(&named)), "{:?}", report.problems);
    let exports = tempfile::tempdir().unwrap();
    let error = export_queue(&mut *store, Queue::Refund, exports.path(), &stamp(5)).unwrap_err();
    let ExportFailure::Store(StoreError::Unsound(unsound)) = &error else { panic!("{error:?}") };
    assert_eq!(unsound.kind, Kind::QueueItem);
    // The audit log's triggers dropped (SQLite) or disabled (PostgreSQL) are named.
    let untrigger = match place.backend() {
        Backend::Sqlite => "DROP TRIGGER audit_log_no_update",
        Backend::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update",
    };
    place.edit(untrigger);
    let report = store.verify().unwrap();
    assert!(
        report.problems.iter().any(|p| p.contains("the trigger audit_log_no_update is missing")),
        "{:?}",
        report.problems
    );
    // And an operator promoted by hand signs in as nobody.
    place.edit("UPDATE operators SET role = 'supervisor' WHERE name = 'sam'");
    let now = crate::support::clock().now();
    let refused = bench::sign_in::sign_in(&mut *store, "bench-1", &now, "sam", "1357", &pin_secret()).unwrap_err();
    assert!(refused.to_string().contains("no longer holds what audit entry"), "{refused}");
}

on_both!(the_lockout_and_the_daily_view_read_the_same_on_both);
fn the_lockout_and_the_daily_view_read_the_same_on_both(place: &Place) {
    let mut store = bench(place);
    decide_package(&mut *store, "RMA-2026-0108", |_| {}, date(TODAY), &stamp(1));
    let now = crate::support::clock().now();
    for _ in 0..5 {
        bench::sign_in::sign_in(&mut *store, "bench-1", &now, "sam", "0000", &pin_secret()).unwrap_err();
    }
    let locked = bench::sign_in::sign_in(&mut *store, "bench-1", &now, "sam", "1357", &pin_secret()).unwrap_err();
    assert!(locked.to_string().contains("locked"), "{locked}");
    // Another bench sees the lock.
    let mut other = place.open();
    let still = bench::sign_in::sign_in(&mut *other, "bench-2", &now, "sam", "1357", &pin_secret()).unwrap_err();
    assert!(still.to_string().contains("locked"), "{still}");
    let period = rma_station::storage::DashboardPeriod::at(&now, &crate::support::clock());
    let dashboard = store.dashboard(&period).unwrap();
    let decided: u64 = dashboard.merchants.iter().flat_map(|m| m.verdicts_today.iter().map(|(_, n)| *n)).sum();
    assert_eq!(decided, 1);
    assert_eq!(dashboard.audit_head, store.audit_head().unwrap());
}

/// A clerk or supervisor at `station`, `minutes` after 09:00 on [`TODAY`].
fn at_bench(station: &str, name: &str, role: Role, minutes: i64) -> (Actor, Now) {
    let actor = Actor { name: name.into(), role, station: station.into() };
    let at = stamp(0).at + chrono::Duration::minutes(minutes);
    (actor, Now { at, today: date(TODAY), offset: chrono::FixedOffset::east_opt(0).unwrap() })
}

on_both!(a_package_open_at_one_bench_is_looked_at_not_changed_at_another_until_its_lease_lapses_or_is_taken_over);
fn a_package_open_at_one_bench_is_looked_at_not_changed_at_another_until_its_lease_lapses_or_is_taken_over(
    place: &Place,
) {
    let mut one = bench(place);
    let mut two = place.open();
    let (ana, at_one) = at_bench("bench-1", "ana", Role::Clerk, 1);
    let found = one.rmas_by_number("RMA-2026-0108").unwrap().remove(0);
    let arrival = Arrival {
        scanned_code: "RMA-2026-0108".into(),
        scanned_kind: "rma_number".into(),
        claim: Claim::Rma(found),
        note: String::new(),
        another_box: false,
    };
    let received = bench::intake::receive(&mut *one, &ana, &at_one, arrival).unwrap();
    let package = received.package.package_id;
    let lease = two.lease(package).unwrap().expect("the receiving bench holds it");
    assert_eq!((lease.station.as_str(), lease.operator.as_str()), ("bench-1", "ana"));

    // Another bench scanning it a minute later: told where and by whom, and may look but not change it.
    let (sam, at_two) = at_bench("bench-2", "sam", Role::Clerk, 2);
    let refused = bench::intake::resume(&mut *two, &sam, &at_two, package).unwrap_err();
    assert!(refused.to_string().contains("is open at bench-1 by ana since 09:01 UTC"), "{refused}");
    assert_eq!(two.package_history(package).unwrap().package.id, package, "it can be looked at");
    let edit = two.save_inspection(received.package.inspection_id, &received.sheet, &sam.stamp(&at_two));
    assert!(matches!(edit, Err(StoreError::HeldElsewhere(_))), "{edit:?}");
    let m = two.rmas_by_number("RMA-2026-0108").unwrap().remove(0);
    let decision = crate::bench_store::engine_decision(&m, &received.sheet, package, received.package.inspection_id);
    let decided = two.record_decision(&decision, &sam.stamp(&at_two));
    assert!(matches!(decided, Err(StoreError::HeldElsewhere(_))), "{decided:?}");

    // Renewed by its bench, it holds; a supervisor takes it over with a reason, audited.
    bench::intake::renew(&mut *one, &ana, &at_bench("bench-1", "ana", Role::Clerk, 2).1, package).unwrap();
    let (dana, at_two) = at_bench("bench-2", "dana", Role::Supervisor, 3);
    let no_reason = bench::intake::take_over(&mut *two, &dana, &at_two, package, " ").unwrap_err();
    assert!(no_reason.to_string().contains("needs a reason"), "{no_reason}");
    let clerk = bench::intake::take_over(&mut *two, &sam, &at_two, package, "ana went home").unwrap_err();
    assert!(clerk.to_string().contains("supervisor"), "{clerk}");
    bench::intake::take_over(&mut *two, &dana, &at_two, package, "ana went home").unwrap();
    let taken = one.audit_entries("package", &package.to_string()).unwrap();
    assert!(taken.iter().any(|e| e.action == "lease_taken_over" && e.detail.contains("ana went home")));
    let back = bench::intake::renew(&mut *one, &ana, &at_bench("bench-1", "ana", Role::Clerk, 4).1, package);
    assert!(back.is_err(), "the first bench lost it: {back:?}");

    // Bench 2 goes quiet: three minutes later its lease has lapsed and bench 1 opens the package again.
    let (ana, later) = at_bench("bench-1", "ana", Role::Clerk, 7);
    bench::intake::resume(&mut *one, &ana, &later, package).unwrap();
    // Decided, it leaves the bench: nobody holds it.
    let decided = bench::decision::decide(&POLICIES, &received.package, &received.sheet, &[], later.today).unwrap();
    let on_bench = OnTheBench { package: &received.package, sheet: &received.sheet, decided: &decided };
    bench::decision::confirm(&mut *one, &POLICIES, &ana, &later, on_bench).unwrap();
    assert_eq!(two.lease(package).unwrap(), None);
    assert!(one.verify().unwrap().is_sound());
}
