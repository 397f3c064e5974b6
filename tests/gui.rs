//! The station's window, driven through egui_kittest's accessibility tree (no display, no GPU), on a
//! real SQLite file or PostgreSQL database (`on_both!`) with the real storage thread, and a scanner on a real
//! pseudo-terminal. A SQLite file from a newer station is SQLite's alone.

#[cfg(unix)]
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use rma_station::devices::scanner::ScannerConfig;
#[cfg(unix)]
use rma_station::domain::scan::FramerConfig;
#[cfg(unix)]
use rma_station::gui::intake::ScannerState;
use rma_station::gui::intake::{SCAN_FIELD, ScanOutcome};
use rma_station::gui::sign_in::{OPERATOR_FIELD, PIN_FIELD, SIGN_IN};
use rma_station::gui::station::{DatabaseView, LOAD_DEMO, MerchantSummary, database_line};
use rma_station::gui::{APP_NAME, Screen, StationApp, StationSetup};
use rma_station::storage::location::DatabaseLocation;
use rma_station::storage::{Stamp, database_path};
#[cfg(unix)]
use serialport::{SerialPort, TTYPort};

use crate::support::place::{Place, on_both};
use crate::support::{POLICIES, clock, pin_secret};

/// The station on a place's data folder and database, with the real storage, photo and scanner threads.
pub fn app(place: &Place, scanners: Vec<ScannerConfig>) -> StationApp {
    let (dir, location) = (place.dir(), place.location());
    let mut setup =
        StationSetup::open(POLICIES.clone(), dir, &location, "bench-1".into(), scanners, None, pin_secret());
    setup.clock = clock();
    StationApp::new(setup, Arc::new(|| {}))
}

pub fn harness(app: StationApp) -> Harness<'static, StationApp> {
    // Worker threads answer while a step runs and each answer asks for a repaint, so the window may take
    // a few more frames than kittest's default 4 to settle.
    Harness::builder().with_size(eframe::egui::vec2(1280.0, 900.0)).with_max_steps(64).build_ui_state(
        |ui, app: &mut StationApp| {
            app.logic(ui.ctx());
            app.draw(ui);
        },
        app,
    )
}

/// Steps the UI until `done` holds, as answers arrive from the worker threads.
#[track_caller]
pub fn step_until(harness: &mut Harness<'static, StationApp>, what: &str, done: impl Fn(&StationApp) -> bool) {
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

/// A place with the demo data (and its operators), dated today as the window will see it.
pub fn with_demo(place: &Place) {
    let mut store = place.open();
    let now = clock().now();
    let stamp = Stamp { at: now.at, station: "bench-1".into(), operator: "setup".into() };
    rma_station::demo::load_demo(&mut *store, now.today, &stamp, &pin_secret()).unwrap();
}

/// Signs in through the sign-in screen, as a clerk would: name, PIN, Enter.
#[track_caller]
pub fn sign_in(harness: &mut Harness<'static, StationApp>, name: &str, pin: &str) {
    step_until(harness, "the sign-in form", |app| app.sign_in_view().has_operators == Some(true));
    type_into(harness, OPERATOR_FIELD, name);
    type_into(harness, PIN_FIELD, pin);
    harness.key_press(eframe::egui::Key::Enter);
    // Intake, or the package this station left on the bench, back where it was.
    step_until(harness, "the bench", |app| matches!(app.screen(), Screen::Intake | Screen::Inspection));
}

/// Focuses the field labelled `label` (as a click or Tab would), then types `text` into it.
pub fn type_into(harness: &mut Harness<'static, StationApp>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run();
    harness.get_by_label(label).type_text(text);
    harness.run();
}

/// The station signed in as the demo clerk, with a serial scanner "left" on a real pseudo-terminal
/// (9600 baud, CR suffix); the returned end is the scanner's side of the cable. Unix only (a pty).
#[cfg(unix)]
pub fn station_with_scanner(place: &Place) -> (TTYPort, Harness<'static, StationApp>) {
    let (master, slave) = TTYPort::pair().unwrap();
    let port = slave.name().unwrap();
    drop(slave);
    let scanner = ScannerConfig {
        name: "left".into(),
        port,
        baud: 9600,
        framing: FramerConfig::default(),
        repeat_window: Duration::from_millis(800),
    };
    let mut harness = harness(app(place, vec![scanner]));
    sign_in(&mut harness, "sam", "1357");
    step_until(&mut harness, "the scanner connected", |app| {
        app.intake_view().scanners[0].state == ScannerState::Connected
    });
    (master, harness)
}

/// The window's close button pressed (or the system asking the window to close).
pub fn ask_to_close(harness: &mut Harness<'static, StationApp>) {
    harness
        .input_mut()
        .viewports
        .entry(eframe::egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(eframe::egui::ViewportEvent::Close);
    harness.run();
}

/// A keyboard-wedge scan: the code typed into the scan field, then Enter.
pub fn scan(harness: &mut Harness<'static, StationApp>, code: &str) {
    type_into(harness, SCAN_FIELD, code);
    harness.key_press(eframe::egui::Key::Enter);
    harness.run();
}

/// The demo station, signed in as the demo clerk.
pub fn demo_station(place: &Place) -> Harness<'static, StationApp> {
    demo_station_as(place, "sam", "1357")
}

/// The demo station, signed in as a demo operator (sam, a clerk, PIN 1357; dana, a supervisor, PIN 246810).
pub fn demo_station_as(place: &Place, name: &str, pin: &str) -> Harness<'static, StationApp> {
    with_demo(place);
    let mut harness = harness(app(place, Vec::new()));
    sign_in(&mut harness, name, pin);
    harness
}

on_both!(an_empty_database_offers_the_demo_and_loading_it_fills_the_database);
fn an_empty_database_offers_the_demo_and_loading_it_fills_the_database(place: &Place) {
    let mut harness = harness(app(place, Vec::new()));
    step_until(&mut harness, "the database", |app| orders_shown(app).is_some());

    harness.get_by_label(APP_NAME);
    for merchant in MerchantSummary::all(&POLICIES) {
        harness.get_by_label(&merchant.line());
    }
    harness.get_by_label(LOAD_DEMO).click();
    step_until(&mut harness, "the demo orders", |app| orders_shown(app).is_some_and(|n| n > 0));

    // What the screen says is what the database holds, and where it is: the file, or the server's database
    // (its URL as the station writes it, never with a password).
    let counts = place.open().counts().unwrap();
    assert!(counts.orders >= 20 && counts.rmas >= 18, "{counts:?}");
    let named = match place.location() {
        DatabaseLocation::Sqlite(path) => path.display().to_string(),
        DatabaseLocation::Postgres(url) => url.to_string(),
    };
    harness.get_by_label(&database_line(&named, &counts));
    assert!(harness.query_by_label(LOAD_DEMO).is_none(), "the demo is still offered on a full database");

    // The demo brings its operators, named on the sign-in screen, and the clerk can sign in at once.
    step_until(&mut harness, "the demo operators", |app| app.sign_in_view().demo_hint.is_some());
    harness.get_by_label(&rma_station::demo::operators_hint());
    type_into(&mut harness, OPERATOR_FIELD, "Sam");
    type_into(&mut harness, PIN_FIELD, "1357");
    harness.get_by_label(SIGN_IN).click();
    step_until(&mut harness, "the intake screen", |app| app.screen() == Screen::Intake);
    assert_eq!(harness.state().operator().map(|o| o.name.as_str()), Some("sam"));
}

#[test]
fn a_database_from_a_newer_station_is_named_on_screen_not_a_crash() {
    let place = &Place::sqlite();
    let path = database_path(place.dir());
    rusqlite::Connection::open(&path).unwrap().execute_batch("PRAGMA user_version = 99;").unwrap();
    let mut harness = harness(app(place, Vec::new()));
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

on_both!(a_keyboard_wedge_scan_into_the_scan_field_finds_its_rma);
fn a_keyboard_wedge_scan_into_the_scan_field_finds_its_rma(place: &Place) {
    let mut harness = demo_station(place);

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

#[cfg(unix)]
on_both!(a_serial_scan_shows_its_match_and_the_scanner_its_state);
#[cfg(unix)]
fn a_serial_scan_shows_its_match_and_the_scanner_its_state(place: &Place) {
    with_demo(place);
    let (mut master, mut harness) = station_with_scanner(place);
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

    // Settings shows how the scanner is set up, and the test-scan readout.
    harness.key_press(eframe::egui::Key::F5);
    harness.run();
    harness.get_by_label("    test scan: last read 1Z5R89390357567127");

    drop(master);
    step_until(&mut harness, "the unplug", |app| {
        matches!(app.intake_view().scanners[0].state, ScannerState::Disconnected(_))
    });
}

#[test]
fn a_refused_keyboard_scan_is_shown_with_its_direction_override_escaped() {
    let place = &Place::sqlite();
    let mut harness = demo_station(place);
    harness.get_by_label(SCAN_FIELD).type_text("RMA\u{202e}1010");
    harness.key_press(eframe::egui::Key::Enter);
    harness.run();
    let row = &harness.state().intake_view().recent[0];
    // Shown as it is, the override would reverse the text after it on screen: it must be visible instead.
    assert_eq!(row.code, "RMA\\u{202e}1010");
    assert!(!row.code.contains('\u{202e}'));
    assert!(matches!(&row.outcome, ScanOutcome::Refused(reason) if reason.contains("direction")), "{:?}", row.outcome);
}
