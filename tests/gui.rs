//! The station's window, driven through egui_kittest's accessibility tree (no display, no GPU), on a
//! real SQLite file with the real storage thread.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use rma_station::gui::{APP_NAME, DatabaseView, LOAD_DEMO, MerchantSummary, StationApp, database_line};
use rma_station::storage::sqlite::SqliteStore;
use rma_station::storage::{Store, database_path};

use crate::support::POLICIES;

fn harness(app: StationApp) -> Harness<'static, StationApp> {
    Harness::new_ui_state(
        |ui, app: &mut StationApp| {
            app.logic(ui.ctx());
            app.draw(ui);
        },
        app,
    )
}

/// Steps the UI until `done` holds of the app, as answers arrive from the storage thread.
#[track_caller]
fn step_until(harness: &mut Harness<'static, StationApp>, what: &str, done: impl Fn(&StationApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(harness.state()) {
        assert!(Instant::now() < deadline, "the screen never showed {what}");
        std::thread::sleep(Duration::from_millis(5));
        harness.step();
    }
    harness.run();
}

fn ready_orders(app: &StationApp) -> Option<u64> {
    match app.view().database {
        DatabaseView::Ready { counts, .. } => Some(counts.orders),
        _ => None,
    }
}

#[test]
fn an_empty_database_offers_the_demo_and_loading_it_fills_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = database_path(dir.path());
    let store = SqliteStore::open(&path, &POLICIES);
    let mut harness = harness(StationApp::new(&POLICIES, path.clone(), store, "bench-1".into()));
    step_until(&mut harness, "the database", |app| ready_orders(app).is_some());

    harness.get_by_label(APP_NAME);
    for merchant in MerchantSummary::all(&POLICIES) {
        harness.get_by_label(&merchant.line());
    }
    harness.get_by_label(LOAD_DEMO).click();
    step_until(&mut harness, "the demo orders", |app| ready_orders(app).is_some_and(|n| n > 0));

    // What the screen says is what the database holds.
    let counts = SqliteStore::open(&path, &POLICIES).unwrap().counts().unwrap();
    assert!(counts.orders >= 20 && counts.rmas >= 18, "{counts:?}");
    harness.get_by_label(&database_line(&path.display().to_string(), &counts));
    assert!(harness.query_by_label(LOAD_DEMO).is_none(), "the demo is still offered on a full database");
}

#[test]
fn a_database_from_a_newer_station_is_named_on_screen_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = database_path(dir.path());
    rusqlite::Connection::open(&path).unwrap().execute_batch("PRAGMA user_version = 99;").unwrap();
    let store = SqliteStore::open(&path, &POLICIES);
    let mut harness = harness(StationApp::new(&POLICIES, path.clone(), store, "bench-1".into()));
    harness.run();
    let message = match harness.state().view().database {
        DatabaseView::Failed(message) => message,
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert!(message.contains("written by a newer station"), "{message}");
    harness.get_by_label(&message);
    assert!(harness.query_by_label(LOAD_DEMO).is_none());
}
