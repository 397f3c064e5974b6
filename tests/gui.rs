//! The station's window, driven through egui_kittest's accessibility tree (no display, no GPU), on a
//! real SQLite file with the real storage thread, and a scanner on a real pseudo-terminal.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use rma_station::devices::scanner::ScannerConfig;
use rma_station::domain::scan::FramerConfig;
use rma_station::gui::intake::{SCAN_FIELD, ScanOutcome, ScannerState};
use rma_station::gui::station::{DatabaseView, LOAD_DEMO, MerchantSummary, database_line};
use rma_station::gui::{APP_NAME, StationApp, StationSetup};
use rma_station::storage::sqlite::SqliteStore;
use rma_station::storage::{Stamp, Store, database_path};
use serialport::{SerialPort, TTYPort};

use crate::support::{POLICIES, date};

fn app(database: &Path, scanners: Vec<ScannerConfig>) -> StationApp {
    let store = SqliteStore::open(database, &POLICIES);
    let setup = StationSetup {
        policies: POLICIES.clone(),
        database: database.to_path_buf(),
        store,
        station: "bench-1".into(),
        scanners,
    };
    StationApp::new(setup, Arc::new(|| {}))
}

fn harness(app: StationApp) -> Harness<'static, StationApp> {
    Harness::new_ui_state(
        |ui, app: &mut StationApp| {
            app.logic(ui.ctx());
            app.draw(ui);
        },
        app,
    )
}

/// Steps the UI until `done` holds, as answers arrive from the worker threads.
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

fn orders_shown(app: &StationApp) -> Option<u64> {
    match app.station_view().database {
        DatabaseView::Ready { counts, .. } => Some(counts.orders),
        _ => None,
    }
}

fn with_demo(dir: &Path) -> std::path::PathBuf {
    let path = database_path(dir);
    let mut store = SqliteStore::open(&path, &POLICIES).unwrap();
    let stamp = Stamp {
        at: Utc.with_ymd_and_hms(2026, 11, 21, 8, 0, 0).unwrap(),
        station: "bench-1".into(),
        operator: "setup".into(),
    };
    rma_station::demo::load_demo(&mut store, date("2026-11-21"), &stamp).unwrap();
    path
}

#[test]
fn an_empty_database_offers_the_demo_and_loading_it_fills_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = database_path(dir.path());
    let mut harness = harness(app(&path, Vec::new()));
    step_until(&mut harness, "the database", |app| orders_shown(app).is_some());

    harness.get_by_label(APP_NAME);
    for merchant in MerchantSummary::all(&POLICIES) {
        harness.get_by_label(&merchant.line());
    }
    harness.get_by_label(LOAD_DEMO).click();
    step_until(&mut harness, "the demo orders", |app| orders_shown(app).is_some_and(|n| n > 0));

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
    let mut harness = harness(app(&path, Vec::new()));
    harness.run();
    let message = match harness.state().station_view().database {
        DatabaseView::Failed(message) => message,
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert!(message.contains("written by a newer station"), "{message}");
    harness.get_by_label(&message);
    assert!(harness.query_by_label(LOAD_DEMO).is_none());
}

fn first_outcome(app: &StationApp) -> Option<ScanOutcome> {
    app.intake_view().recent.first().map(|row| row.outcome.clone())
}

#[test]
fn a_keyboard_wedge_scan_into_the_scan_field_finds_its_rma() {
    let dir = tempfile::tempdir().unwrap();
    let path = with_demo(dir.path());
    let mut harness = harness(app(&path, Vec::new()));
    step_until(&mut harness, "the database", |app| orders_shown(app).is_some());

    // A wedge scanner types the code and presses Enter, like a hurried clerk.
    harness.get_by_label(SCAN_FIELD).type_text("rma-2026-0101");
    harness.key_press(eframe::egui::Key::Enter);
    step_until(&mut harness, "the match", |app| matches!(first_outcome(app), Some(ScanOutcome::Found(_))));
    let row = &harness.state().intake_view().recent[0];
    assert_eq!(row.headline(), "keyboard: rma-2026-0101 — RMA number (connectpro)");
    let line = "RMA-2026-0101 · order CP-20101 · Rosa Diaz · return, refund";
    assert_eq!(row.outcome, ScanOutcome::Found(vec![line.to_owned()]));
    harness.get_by_label(&format!("    {line}"));

    // The field is empty again and still has the focus: the next scan goes in at once.
    harness.get_by_label(SCAN_FIELD).type_text("NO-SUCH-LABEL");
    harness.key_press(eframe::egui::Key::Enter);
    step_until(&mut harness, "no match", |app| first_outcome(app) == Some(ScanOutcome::NoMatch));
    assert_eq!(harness.state().intake_view().recent.len(), 2);
}

#[test]
fn a_serial_scan_shows_its_match_and_the_scanner_its_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = with_demo(dir.path());
    let (mut master, slave) = TTYPort::pair().unwrap();
    let port = slave.name().unwrap();
    drop(slave);
    let scanner = ScannerConfig {
        name: "left".into(),
        port,
        baud: 9600,
        framing: FramerConfig::default(),
        repeat_window: Duration::from_millis(800),
    };
    let mut harness = harness(app(&path, vec![scanner]));
    step_until(&mut harness, "the scanner connected", |app| {
        app.intake_view().scanners[0].state == ScannerState::Connected
    });
    harness.get_by_label("scanner left: connected");

    master.write_all(b"]C01Z5R89390357567127\r").unwrap();
    step_until(&mut harness, "the match", |app| matches!(first_outcome(app), Some(ScanOutcome::Found(_))));
    let view = harness.state().intake_view();
    assert_eq!(view.recent[0].headline(), "scanner left: 1Z5R89390357567127 — tracking number (UPS)");
    match &view.recent[0].outcome {
        ScanOutcome::Found(lines) => assert_eq!(lines.len(), 2, "the label is expected by two RMAs: {lines:?}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(view.scanners[0].last_scan.as_deref(), Some("1Z5R89390357567127"));

    drop(master);
    step_until(&mut harness, "the unplug", |app| {
        matches!(app.intake_view().scanners[0].state, ScannerState::Disconnected(_))
    });
}

#[test]
fn a_refused_keyboard_scan_is_shown_with_its_direction_override_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let path = with_demo(dir.path());
    let mut harness = harness(app(&path, Vec::new()));
    step_until(&mut harness, "the database", |app| orders_shown(app).is_some());
    harness.get_by_label(SCAN_FIELD).type_text("RMA\u{202e}1010");
    harness.key_press(eframe::egui::Key::Enter);
    harness.run();
    let row = &harness.state().intake_view().recent[0];
    // Shown as it is, the override would reverse the text after it on screen: it must be visible instead.
    assert_eq!(row.code, "RMA\\u{202e}1010");
    assert!(!row.code.contains('\u{202e}'));
    assert!(matches!(&row.outcome, ScanOutcome::Refused(reason) if reason.contains("direction")), "{:?}", row.outcome);
}
