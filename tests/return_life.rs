//! A return's life through the window (issue 14's reproductions on screen): a rescanned RMA says what
//! became of its package and opens it instead of a second one; another box of a split shipment settles
//! nothing twice; a package matched from quarantine opens for inspection when its RMA is scanned. On SQLite and
//! on PostgreSQL (`on_both!`).

use egui_kittest::kittest::Queryable;
use rma_station::bench::intake::{Arrival, match_quarantined, receive};
use rma_station::bench::{Actor, Claim};
use rma_station::domain::vocabulary::{Queue, Role, Verdict};
use rma_station::gui::intake::{ANOTHER_BOX, MatchCard, open_package_words};
use rma_station::gui::{Screen, StationApp};

use crate::bench_flow::{Bench, confirm, decide, enter, open_and_decide};
use crate::gui::{app, demo_station, harness, scan, sign_in, step_until, with_demo};
use crate::support::clock;
use crate::support::place::{Place, on_both};

/// Everything order CP-20108 holds, scanned item by item.
const EVERYTHING: [&str; 6] =
    ["KVM-4P-DP", "KVM-4P-DP", "CBL-KVM-USB-2M", "CBL-KVM-USB-2M", "PSU-12V-2A", "PSU-12V-2A"];

/// Scans `label` and waits for a card that names a package received before.
fn card_of_earlier(harness: &mut Bench, label: &str) -> i64 {
    scan(harness, label);
    step_until(harness, "a card naming the earlier package", |app: &StationApp| {
        matches!(app.intake_view().card, Some(MatchCard::Rmas { open_package: Some(_), .. }))
    });
    match harness.state().intake_view().card {
        Some(MatchCard::Rmas { open_package: Some(id), .. }) => id,
        _ => unreachable!(),
    }
}

on_both!(a_rescanned_rma_shows_its_package_and_another_box_refunds_nothing_twice);
fn a_rescanned_rma_shows_its_package_and_another_box_refunds_nothing_twice(place: &Place) {
    let mut harness = demo_station(place);
    open_and_decide(&mut harness, "RMA-2026-0108", &EVERYTHING);
    confirm(&mut harness);

    // Scanned again: the card says so, with what was queued, and offers the package, not a new one.
    let package = card_of_earlier(&mut harness, "RMA-2026-0108");
    harness.get_by_label(&open_package_words(package));
    harness.get_by_label(ANOTHER_BOX);
    let Some(MatchCard::Rmas { earlier, .. }) = harness.state().intake_view().card else { unreachable!() };
    assert!(
        earlier[0].contains("by sam") && earlier[0].contains("Refunds") || earlier[0].contains("refund"),
        "{earlier:?}"
    );
    // Enter opens it: decided, so its record.
    enter(&mut harness);
    step_until(&mut harness, "the package's record", |app| app.screen() == Screen::Records);

    // Another box by the clerk's choice, with the same goods: denied, nothing refunded again.
    harness.key_press(eframe::egui::Key::Escape);
    harness.run();
    card_of_earlier(&mut harness, "RMA-2026-0108");
    harness.get_by_label(ANOTHER_BOX).click();
    harness.run();
    step_until(&mut harness, "the inspection", |app| app.screen() == Screen::Inspection);
    assert_ne!(harness.state().package_on_bench(), Some(package));
    for item in EVERYTHING {
        scan(&mut harness, item);
    }
    decide(&mut harness);
    assert_eq!(harness.state().decision_view().unwrap().verdict, Verdict::Deny);
    confirm(&mut harness);

    let store = place.open();
    let refunds = store.queue_items(Queue::Refund, true, 100).unwrap();
    assert_eq!(refunds.iter().filter(|row| row.rma_number == "RMA-2026-0108").count(), 1, "{refunds:#?}");
    assert_eq!(store.find_packages("RMA-2026-0108", 10).unwrap().len(), 2, "the first box and the other box");
}

on_both!(a_package_matched_from_quarantine_opens_for_inspection_when_its_rma_is_scanned_even_after_a_restart);
fn a_package_matched_from_quarantine_opens_for_inspection_when_its_rma_is_scanned_even_after_a_restart(place: &Place) {
    with_demo(place);
    let quarantined = {
        let mut store = place.open();
        // Received at another bench: this one does not open it by itself at sign-in.
        let (clerk, now) = (Actor { name: "sam".into(), role: Role::Clerk, station: "bench-2".into() }, clock().now());
        let arrival = Arrival {
            scanned_code: "TORN-LABEL".into(),
            scanned_kind: "unknown".into(),
            claim: Claim::Quarantined,
            note: "label torn".into(),
            another_box: false,
        };
        let package = receive(&mut *store, &clerk, &now, arrival).unwrap().package.package_id;
        match_quarantined(&mut *store, &clerk, &now, package, "RMA-2026-0104").unwrap();
        package
    };
    for _restart in 0..2 {
        let mut harness = harness(app(place, Vec::new()));
        sign_in(&mut harness, "sam", "1357");
        assert_eq!(card_of_earlier(&mut harness, "RMA-2026-0104"), quarantined);
        enter(&mut harness);
        step_until(&mut harness, "the inspection", |app| app.screen() == Screen::Inspection);
        assert_eq!(harness.state().package_on_bench(), Some(quarantined));
        assert!(harness.state().sheet().is_some_and(|sheet| !sheet.items.is_empty()));
    }
    let store = place.open();
    assert_eq!(store.find_packages("RMA-2026-0104", 10).unwrap().len(), 1, "one box, one package");
}

/// The sheet of a package as the database holds it (its latest inspection's items, by SKU and notes).
fn saved_units(place: &Place, package_id: i64) -> Vec<(String, u32, String)> {
    let store = place.open();
    let history = store.package_history(package_id).unwrap();
    let (_, sheet) = history.inspections.last().unwrap();
    sheet.items.iter().map(|item| (item.sku.clone(), item.received, item.notes.clone())).collect()
}

on_both!(work_on_the_bench_is_saved_as_it_happens_and_the_station_reopens_with_it_after_a_close_or_a_kill);
fn work_on_the_bench_is_saved_as_it_happens_and_the_station_reopens_with_it_after_a_close_or_a_kill(place: &Place) {
    let mut harness = demo_station(place);
    crate::bench_flow::open_package(&mut harness, "RMA-2026-0108");
    let package = harness.state().package_on_bench().unwrap();
    scan(&mut harness, "KVM-4P-DP");
    scan(&mut harness, "KVM-4P-DP");
    crate::gui::type_into(&mut harness, "Notes", "lid scratched");
    // Saved within about a second, without a Decide or anything else from the clerk.
    step_until(&mut harness, "the sheet saved", |_| {
        saved_units(place, package) == [("KVM-4P-DP".to_owned(), 2, "lid scratched".to_owned())]
    });

    // The window's close button: the close waits, the sheet is saved now, and the clerk is told where.
    scan(&mut harness, "CBL-KVM-USB-2M");
    crate::gui::ask_to_close(&mut harness);
    harness.get_by_label(rma_station::gui::CLOSING_TITLE);
    harness.get_by_label_contains("opens on this bench where you left it");
    step_until(&mut harness, "the sheet saved at the close", |_| saved_units(place, package).len() == 2);
    harness.get_by_label(rma_station::gui::CLOSE_NOW).click();
    harness.run();
    drop(harness);

    // Started again: the same package is on the bench, as it was left.
    let mut harness = crate::gui::harness(app(place, Vec::new()));
    sign_in(&mut harness, "sam", "1357");
    step_until(&mut harness, "the package back on the bench", |app| app.package_on_bench() == Some(package));
    let sheet = harness.state().sheet().unwrap().clone();
    let kvm = sheet.items.iter().find(|item| item.sku == "KVM-4P-DP").unwrap();
    assert_eq!((kvm.received, kvm.notes.as_str()), (2, "lid scratched"));
    assert_eq!(sheet.units_received(), 3);

    // A kill: no close at all, the process simply gone. What was on screen a second before is there.
    scan(&mut harness, "PSU-12V-2A");
    step_until(&mut harness, "the sheet saved", |_| saved_units(place, package).len() == 3);
    drop(harness);
    let mut harness = crate::gui::harness(app(place, Vec::new()));
    sign_in(&mut harness, "sam", "1357");
    step_until(&mut harness, "the package back on the bench", |app| app.package_on_bench() == Some(package));
    assert_eq!(harness.state().sheet().unwrap().units_received(), 4);
    // Decided now, the units scanned before the restart are not charged as missing.
    crate::bench_flow::decide(&mut harness);
    let view = harness.state().decision_view().unwrap();
    assert!(
        view.lines.iter().any(|line| line.starts_with("KVM-4P-DP: 2 ordered, 2 received, 2 accepted")),
        "{:?}",
        view.lines
    );
    let store = place.open();
    assert_eq!(store.find_packages("RMA-2026-0108", 10).unwrap().len(), 1, "one box, one package");
}

/// Opens the record of the one package of `rma` on the Records screen.
fn open_record(harness: &mut Bench, rma: &str) {
    harness.key_press(eframe::egui::Key::F4);
    harness.run();
    step_until(harness, "the records screen", |app| app.screen() == Screen::Records);
    crate::gui::type_into(harness, rma_station::gui::records::FIND_FIELD, rma);
    harness.key_press(eframe::egui::Key::Enter);
    harness.run();
    step_until(harness, "a result", |app| !app.records_view().results.is_empty());
    let id = harness.state().records_view().results[0].id;
    harness.get_by_label_contains(&format!("package #{id} ")).click();
    harness.run();
    step_until(harness, "the record", |app| app.records_view().history.is_some());
}

on_both!(a_supervisor_reopens_a_decided_package_with_a_reason_and_a_clerk_cannot);
fn a_supervisor_reopens_a_decided_package_with_a_reason_and_a_clerk_cannot(place: &Place) {
    let mut harness = demo_station(place);
    open_and_decide(&mut harness, "RMA-2026-0108", &EVERYTHING);
    confirm(&mut harness);
    open_record(&mut harness, "RMA-2026-0108");
    assert!(harness.query_by_label(rma_station::gui::records::REOPEN).is_none(), "a clerk has no reopen");
    harness.get_by_label_contains("A supervisor reopens a decided package");
    drop(harness);

    let mut harness = crate::gui::harness(app(place, Vec::new()));
    sign_in(&mut harness, "dana", "246810");
    open_record(&mut harness, "RMA-2026-0108");
    crate::gui::type_into(&mut harness, rma_station::gui::records::REOPEN_REASON, "a unit was used after all");
    harness.get_by_label(rma_station::gui::records::REOPEN).click();
    harness.run();
    step_until(&mut harness, "the package back on the bench", |app| app.screen() == Screen::Inspection);
    let package = harness.state().package_on_bench().unwrap();
    // One unit used: the sheet changed, decided again; the first refund (never exported) was withdrawn.
    decide(&mut harness);
    confirm(&mut harness);
    let store = place.open();
    let history = store.package_history(package).unwrap();
    let statuses: Vec<_> = history.queue.iter().map(|row| (row.queue, row.status.clone())).collect();
    assert_eq!(
        statuses.iter().filter(|(queue, status)| *queue == Queue::Refund && *status == rma_station::records::QueueStatus::Withdrawn).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(store.queue_items(Queue::Refund, false, 10).unwrap().len(), 1, "one refund stands");
    let withdrawn = history.decisions.iter().find(|d| d.withdrawn.is_some()).unwrap();
    assert_eq!(withdrawn.withdrawn.as_ref().unwrap().reason, "a unit was used after all");
    assert!(history.audit.iter().any(|entry| entry.action == "reopened" && entry.actor == "dana"));
}

on_both!(fees_that_take_the_whole_value_queue_nothing_to_pay_and_the_screen_says_why);
fn fees_that_take_the_whole_value_queue_nothing_to_pay_and_the_screen_says_why(place: &Place) {
    let mut harness = demo_station(place);
    open_and_decide(&mut harness, "RMA-2026-0101", &["CBL-KVM-USB-2M"]);
    let view = harness.state().decision_view().unwrap();
    assert_eq!(view.disposition, rma_station::domain::vocabulary::Disposition::Refund);
    assert_eq!(view.queue.len(), 1, "{:?}", view.queue);
    assert!(view.queue[0].starts_with("nothing to pay: the fees take the whole value"), "{:?}", view.queue);
    harness.get_by_label_contains("nothing to pay: the fees take the whole value");
    confirm(&mut harness);
    let store = place.open();
    let refunds = store.queue_items(Queue::Refund, true, 100).unwrap();
    assert!(refunds.iter().all(|row| row.rma_number != "RMA-2026-0101"), "a 0.00 refund was queued: {refunds:#?}");
}

on_both!(a_box_with_nothing_of_the_order_is_denied_on_the_station_rule_that_says_so);
fn a_box_with_nothing_of_the_order_is_denied_on_the_station_rule_that_says_so(place: &Place) {
    let mut harness = demo_station(place);
    open_and_decide(&mut harness, "RMA-2026-0108", &[]);
    let view = harness.state().decision_view().unwrap();
    assert_eq!(view.verdict, Verdict::Deny);
    let station_rule = rma_station::domain::engine::station::NOTHING_RECEIVED_ID;
    assert_eq!(view.reasons.first().map(|(id, _)| id.as_str()), Some(station_rule), "{:?}", view.reasons);
    harness.get_by_label(station_rule);
    harness.get_by_label_contains("Nothing that was ordered arrived in this package");
    assert!(
        view.queue[0].starts_with("nothing: no money is owed and nothing arrived to send back"),
        "{:?}",
        view.queue
    );
}

on_both!(a_package_open_at_another_bench_says_where_and_is_not_opened_here);
/// Issue 16, leases: a package open at another bench is named with that bench, its clerk and since when, and is
/// not opened here; once that bench closes it, it opens here.
fn a_package_open_at_another_bench_says_where_and_is_not_opened_here(place: &Place) {
    with_demo(place);
    let package = {
        let mut store = place.open();
        let clerk = Actor { name: "lee".into(), role: Role::Clerk, station: "bench-2".into() };
        let found = store.rmas_by_number("RMA-2026-0104").unwrap().remove(0);
        let arrival = Arrival {
            scanned_code: "RMA-2026-0104".into(),
            scanned_kind: "rma_number".into(),
            claim: Claim::Rma(found),
            note: String::new(),
            another_box: false,
        };
        receive(&mut *store, &clerk, &clock().now(), arrival).unwrap().package.package_id
    };
    let mut harness = harness(app(place, Vec::new()));
    sign_in(&mut harness, "sam", "1357");
    assert_eq!(card_of_earlier(&mut harness, "RMA-2026-0104"), package);
    enter(&mut harness);
    let held = format!("package #{package} is open at bench-2 by lee since");
    step_until(&mut harness, "the refusal naming the other bench", |app: &StationApp| {
        app.banner().is_some_and(|(_, words)| words.contains(&held))
    });
    assert_eq!(harness.state().package_on_bench(), None, "not opened here");
    harness.get_by_label_contains(&held);

    // Bench 2 closes it: it opens here.
    let mut store = place.open();
    let clerk = Actor { name: "lee".into(), role: Role::Clerk, station: "bench-2".into() };
    rma_station::bench::intake::close(&mut *store, &clerk, &clock().now(), package).unwrap();
    assert_eq!(card_of_earlier(&mut harness, "RMA-2026-0104"), package);
    enter(&mut harness);
    step_until(&mut harness, "the inspection", |app| app.screen() == Screen::Inspection);
    assert_eq!(harness.state().package_on_bench(), Some(package));
    assert_eq!(store.lease(package).unwrap().map(|lease| lease.station), Some("bench-1".to_owned()));
}
