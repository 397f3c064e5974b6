//! Issue 14's reproductions through the window: the clerk `sam` cannot mark a refund batch paid or change
//! the label printer (no button for it, and the use case refuses him whatever a screen offers), while the
//! supervisor can; and a sign-in lock survives closing and reopening the station over the same database.

use egui_kittest::kittest::Queryable;
use rma_station::bench::{self, Actor, BenchError};
use rma_station::domain::vocabulary::{Queue, Role};
use rma_station::gui::Screen;
use rma_station::gui::printer::{PRINTER_ADDRESS, PRINTER_KIND, SAVE_PRINTER, SUPERVISOR_SETS_PRINTER};
use rma_station::gui::queues::{BATCH_REFERENCE, MARK_BATCH_DONE, MARK_DONE, SUPERVISOR_MARKS_DONE};
use rma_station::gui::sign_in::{OPERATOR_FIELD, PIN_FIELD};
use rma_station::labels::printer::PrinterTarget;
use rma_station::storage::{QueueStatus, exports_path};

use crate::bench_flow::Bench;
use crate::gui::{app, harness as window, sign_in, step_until, type_into, with_demo};
use crate::labels::{decide_package, stamp};
use crate::support::clock;
use crate::support::place::{Place, on_both};

/// The demo data with RMA-2026-0108's refund ($596.98, the issue's) decided and exported in a batch.
fn refund_batch_exported(place: &Place) -> i64 {
    with_demo(place);
    let mut store = place.open();
    let now = clock().now();
    decide_package(&mut *store, "RMA-2026-0108", |_| {}, now.today, &stamp());
    let supervisor = Actor { name: "dana".into(), role: Role::Supervisor, station: "bench-1".into() };
    let report =
        bench::queues::export(&mut *store, &supervisor, &now, Queue::Refund, &exports_path(place.dir())).unwrap();
    report.unwrap().batch_id.unwrap()
}

/// The operator signed in at the window, as the use cases see them.
fn acting(harness: &Bench) -> Actor {
    let operator = harness.state().operator().unwrap();
    Actor { name: operator.name.clone(), role: operator.role, station: "bench-1".into() }
}

fn open_refunds(place: &Place) -> u64 {
    let store = place.open();
    store.open_queue_counts().unwrap().into_iter().find(|(q, _)| *q == Queue::Refund).unwrap().1
}

on_both!(issue_14_the_clerk_sam_cannot_mark_a_refund_batch_paid_or_change_the_printer);
fn issue_14_the_clerk_sam_cannot_mark_a_refund_batch_paid_or_change_the_printer(place: &Place) {
    let batch_id = refund_batch_exported(place);
    let mut harness = window(app(place, Vec::new()));
    sign_in(&mut harness, "sam", "1357");

    // The queues: sam sees the batch and its refund, but no button marks either paid.
    harness.key_press(eframe::egui::Key::F3);
    step_until(&mut harness, "the batch listed", |app| {
        app.queues_view().batches.iter().any(|b| b.id == batch_id && b.written.is_some())
    });
    harness.get_by_label(SUPERVISOR_MARKS_DONE);
    assert!(harness.query_by_label(MARK_BATCH_DONE).is_none(), "sam is offered to mark the batch paid");
    assert!(harness.query_by_label(MARK_DONE).is_none(), "sam is offered to mark the refund paid");
    // Settings: where labels print, but no form to change it.
    harness.key_press(eframe::egui::Key::F5);
    step_until(&mut harness, "the printer setting", |app| app.printer_view().saved == Some(None));
    harness.get_by_label(SUPERVISOR_SETS_PRINTER);
    assert!(harness.query_by_label(SAVE_PRINTER).is_none(), "sam is offered to change the printer");

    // Whatever a screen offers, the use cases refuse sam, in words that say who may.
    let sam = acting(&harness);
    let mut store = place.open();
    let now = clock().now();
    let paid = bench::queues::complete_batch(&mut *store, &sam, &now, batch_id, "payout-7").unwrap_err();
    assert!(matches!(paid, BenchError::NotPermitted { .. }));
    assert_eq!(paid.to_string(), "marking a batch paid or done is for a supervisor; sam is a clerk");
    let printer = PrinterTarget::network("10.0.4.21:9100").unwrap();
    let changed = bench::settings::set_printer(&mut *store, &sam, &now, Some(&printer)).unwrap_err();
    assert_eq!(changed.to_string(), "setting the label printer is for a supervisor; sam is a clerk");
    drop(store);
    assert_eq!(open_refunds(place), 1, "the refund is still to pay");

    // The supervisor has the buttons, and they work.
    harness.get_by_label("Sign out").click();
    harness.run();
    sign_in(&mut harness, "dana", "246810");
    harness.key_press(eframe::egui::Key::F3);
    step_until(&mut harness, "the batch listed", |app| app.queues_view().batches.iter().any(|b| b.id == batch_id));
    harness.get_by_label(MARK_BATCH_DONE).click();
    harness.run();
    type_into(&mut harness, BATCH_REFERENCE, "payout-7");
    harness.get_by_label(MARK_BATCH_DONE).click();
    step_until(&mut harness, "the batch paid", |app| {
        app.queues_view().rows.first().is_some_and(|r| matches!(r.status, QueueStatus::Done { .. }))
    });
    assert_eq!(open_refunds(place), 0);
    harness.key_press(eframe::egui::Key::F5);
    harness.run();
    choose(&mut harness, PRINTER_KIND, "network (raw port 9100)");
    type_into(&mut harness, PRINTER_ADDRESS, "10.0.4.21:9100");
    harness.get_by_label(SAVE_PRINTER).click();
    step_until(&mut harness, "the saved printer", |app| matches!(app.printer_view().saved, Some(Some(_))));
    let store = place.open();
    assert_eq!(bench::settings::printer(&*store, "bench-1").unwrap(), Some(printer));
}

fn choose(harness: &mut Bench, label: &str, option: &str) {
    harness.get_by_label(label).click();
    harness.run();
    harness.get_by_label(option).click();
    harness.run();
}

/// One sign-in attempt on the sign-in screen (the name typed first unless the field holds it from the
/// last attempt); returns what the screen then says.
fn try_pin(harness: &mut Bench, name: Option<&str>, pin: &str) -> Option<String> {
    step_until(harness, "the sign-in form", |app| app.sign_in_view().has_operators == Some(true));
    if let Some(name) = name {
        type_into(harness, OPERATOR_FIELD, name);
    }
    type_into(harness, PIN_FIELD, pin);
    harness.key_press(eframe::egui::Key::Enter);
    harness.run();
    step_until(harness, "the answer", |app| !app.sign_in_view().busy);
    harness.state().sign_in_view().message
}

on_both!(issue_14_a_lock_survives_closing_and_reopening_the_station);
fn issue_14_a_lock_survives_closing_and_reopening_the_station(place: &Place) {
    with_demo(place);
    {
        let mut harness = window(app(place, Vec::new()));
        let first = try_pin(&mut harness, Some("dana"), "0000");
        assert_eq!(first.as_deref(), Some("wrong name or PIN"));
        for _ in 0..3 {
            assert_eq!(try_pin(&mut harness, None, "0000").as_deref(), Some("wrong name or PIN"));
        }
        let locked = try_pin(&mut harness, None, "0000");
        assert_eq!(locked.as_deref(), Some("locked for 5 more minutes after 5 wrong PINs"));
    }
    // The station closed and opened again on the same database: dana's right PIN is still refused.
    let mut harness = window(app(place, Vec::new()));
    let still = try_pin(&mut harness, Some("dana"), "246810");
    assert_eq!(still.as_deref(), Some("locked for 5 more minutes after 5 wrong PINs"));
    assert_eq!(harness.state().screen(), Screen::SignIn);
    assert!(harness.state().operator().is_none());
    drop(harness);
    let store = place.open();
    let log: Vec<String> = store.audit_entries("sign_in", "dana").unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(log, ["failed", "failed", "failed", "failed", "failed", "locked", "refused_locked"]);
    assert!(store.verify().unwrap().is_sound());
    // Another operator signs in as usual.
    let mut harness = window(app(place, Vec::new()));
    sign_in(&mut harness, "sam", "1357");
}
