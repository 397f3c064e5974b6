//! Frames and scan-to-screen: how long the station's window takes to draw each screen, and how long a
//! scan takes to show its match, on a database of 1,000,000 orders with 10,000 open refunds.
//!
//! The database is built once through the public API and cached in `target/bench-data/frame-time-N/`
//! (rebuilt when its `complete` marker is missing): the demo's orders and RMAs (realistic RMA labels to
//! scan), N generated orders with one RMA each (the generator `storage_scale` uses, in `benches/common`), a
//! supervisor, and 10,000 packages received, inspected and decided by the engine (`receive_package`,
//! `start_inspection`, `save_inspection`, then `record_decision` with the `queue_entries` of a real
//! `decide`), each leaving one open refund. A database too small for 10,000 refunded RMAs receives a second
//! package for them, and more, in turn. Each run then receives packages "today" until the intake list's
//! 200 are there (a first run of the day adds up to 200 undecided packages to the cached database), and
//! opens one more package itself, for the inspection and decision screens; it never confirms a decision.
//!
//! The window is the real `StationApp` with its storage, photo and scanner threads, driven headless by
//! egui_kittest at 1280 × 800 points, 1 pixel per point, with the station's theme. Every frame is a full
//! egui pass: the whole UI is laid out again. Two series per screen, each after a warm-up:
//!
//! - **kittest frame**: `Harness::step()`: the egui pass with `logic` + `draw`, plus the AccessKit tree
//!   egui builds for the harness and kittest's update of its copy.
//! - **window frame**: the same app on the same context as eframe runs it when no screen reader is active:
//!   AccessKit off, `Context::run_ui` with `logic` + `draw` (inside the scope kittest wraps the app in, so
//!   both series share widget state), then `Context::tessellate` of the frame's shapes: the UI thread's
//!   work for a frame up to the OpenGL calls, which are not measured (there is no GPU here).
//!
//! Each frame's wall time and this thread's CPU time are taken. The CPU time comes from
//! `/proc/thread-self/schedstat`, read after a yield (which brings the kernel's count up to date), so a
//! frame that waited for a CPU on a busy machine shows as slow in wall time only.
//!
//! Scan-to-screen: a label written into a pseudo-terminal that the station's serial reader thread reads
//! (as `tests/bench_flow.rs` does), or typed into the scan field with Enter (a keyboard-wedge scanner; one
//! frame per input event), timed to the end of the frame whose `intake_view().card` shows that label's
//! match. Meanwhile the window waits as eframe's event loop does: a frame runs when a thread asks for a
//! repaint (the app's `wake`, egui's repaint callback that the storage thread's answers trigger) or when
//! the last frame asked for one. Two labels alternate, so the scanner's repeat window never swallows one
//! (A, B, A counts three times).
//!
//! Photos dropped on the window (issue 5): last, back on the open package's inspection (F2), 20 distinct
//! 12-megapixel camera JPEGs are dropped at once, as egui's `dropped_files` in one frame's raw input (how
//! eframe hands a drop on). Window frames (AccessKit off, as above) then run every 16.7 ms, as a window
//! that redraws every frame of a 60 Hz display does, until the 20th thumbnail shows, and 120 more with
//! nothing coming, the baseline. The photos are made once in `target/bench-data/photos-12mp/` (by
//! `common::photo`, as `photo_ingest` makes its own); their stored copies are removed from the station's
//! photo folder before the drop, so each is stored anew. The screen with the 20 thumbnails is then measured
//! as the others are.
//!
//! ```text
//! cargo bench --bench frame_time                           # 1,000,000 orders (a first run builds the database)
//! RMA_BENCH_ORDERS=10000 cargo bench --bench frame_time    # a quick run
//! ```
//!
//! `RMA_BENCH_FRAMES` (300, at least 200) frames per series and screen, `RMA_BENCH_SCANS` (120, at least
//! 100) scans per path. Both series of the scrolling queue scroll the same list, 8 rows a frame: past about
//! 600 frames they reach its end. Progress goes to stderr; the Markdown tables for BENCHMARKS.md go to stdout.
//!
//! Unix only: the scanner is a pseudo-terminal and the CPU clock `/proc`. Elsewhere the benchmark builds
//! (so that `cargo check --all-targets` passes for Windows) and only says so.

#![cfg_attr(
    not(unix),
    expect(dead_code, unused_imports, reason = "on other systems main only says the bench needs Unix")
)]

mod common;

use std::fmt::Write as _;
use std::hint::black_box;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, sync_channel};
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use common::photo::{CAMERA_NOISE, distinct_copies, twelve_megapixel_photo};
use common::{BenchResult, Rng, grouped, import_generated, micros, millis, percentile};
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use rma_station::auth::hash_pin;
use rma_station::bench::decision::{Decided, OnTheBench};
use rma_station::bench::intake::Arrival;
use rma_station::bench::{self, Actor, BenchPackage, Claim};
use rma_station::clock::{Clock, Now};
use rma_station::demo::{REFERENCE_DATE, demo_data};
use rma_station::devices::scanner::ScannerConfig;
use rma_station::domain::inspection::InspectionSheet;
use rma_station::domain::ledger::Ledger;
use rma_station::domain::scan::{Classifier, FramerConfig, Kind};
use rma_station::domain::vocabulary::{Queue, Role, Verdict};
use rma_station::gui::inspection::PHOTO_FILE;
use rma_station::gui::intake::{MatchCard, SCAN_FIELD, ScannerState};
use rma_station::gui::queues::queue_line;
use rma_station::gui::records::FIND_FIELD;
use rma_station::gui::sign_in::{OPERATOR_FIELD, PIN_FIELD};
use rma_station::gui::{Screen, StationApp, StationSetup, theme};
use rma_station::photos::store::{PhotoFolder, PhotoHash};
use rma_station::policies::PolicySet;
use rma_station::storage::sqlite::SqliteStore;
use rma_station::storage::{ImportSource, ReceivedPackage, RmaMatch, Stamp, Store, database_path, photos_path};
#[cfg(unix)]
use serialport::{SerialPort, TTYPort};

const DEFAULT_ORDERS: u64 = 1_000_000;
/// Open refunds in the database: the refund tab loads them all.
const QUEUE_ITEMS: usize = 10_000;
/// Packages received today, as many as the intake screen lists.
const TODAY_PACKAGES: usize = 200;
const DEFAULT_FRAMES: usize = 300;
const MIN_FRAMES: usize = 200;
const WARM_UP_FRAMES: usize = 30;
const DEFAULT_SCANS: usize = 120;
const MIN_SCANS: usize = 100;
/// The frame budget the screens are held to.
const TARGET: Duration = Duration::from_millis(4);
/// The longest anything may take to appear before the bench gives up.
const PATIENCE: Duration = Duration::from_secs(60);
const OPERATOR: &str = "bench-supervisor";
const PIN: &str = "246810";
const STATION: &str = "bench-1";
/// The window's size in points (as `gui::run` opens it).
const WINDOW: egui::Vec2 = egui::vec2(1280.0, 800.0);
/// A brisk wheel scroll: 240 points (8 rows) a frame.
const SCROLL: egui::Vec2 = egui::vec2(0.0, -240.0);
/// Photos dropped on the window at once, onto the open inspection (issue 5).
const PHOTOS_DROPPED: usize = 20;
/// The frame budget while dropped photos come in: one frame of a 60 Hz display.
const PHOTO_TARGET: Duration = Duration::from_millis(16);
/// A 60 Hz display's frame interval: a window that redraws every frame starts one frame per interval.
const FRAME_INTERVAL: Duration = Duration::from_micros(16_667);
/// Frames run at that pace after the last thumbnail, with nothing arriving: the drop's frames' baseline.
const SETTLED_FRAMES: usize = 120;

type Bench = Harness<'static, StationApp>;

#[cfg(not(unix))]
fn main() {
    eprintln!("frame_time: this benchmark needs Unix (a pseudo-terminal for the scanner, /proc for CPU time)");
}

#[cfg(unix)]
fn main() -> BenchResult<()> {
    let orders = env_number("RMA_BENCH_ORDERS", DEFAULT_ORDERS as usize)? as u64;
    let frames = env_number("RMA_BENCH_FRAMES", DEFAULT_FRAMES)?.max(MIN_FRAMES);
    let scans = env_number("RMA_BENCH_SCANS", DEFAULT_SCANS)?.max(MIN_SCANS);
    let policies = PolicySet::built_in()?;
    let classifier = Classifier::new(&policies.classifier_config())?;
    let bench_data = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let dir = bench_data.join(format!("frame-time-{orders}"));
    eprintln!("frame_time: {orders} orders, {frames} frames per series, {scans} scans per path, {}", dir.display());
    let load_at_start = load_average();
    eprintln!("   load average at start: {load_at_start}");

    prepare(&dir, orders, &policies, &classifier)?;
    let (labels, find_key) = {
        let mut store = SqliteStore::open(&database_path(&dir), &policies)?;
        let added = top_up_today(&mut store, orders, &classifier)?;
        eprintln!("   packages received today: {added} added to reach {TODAY_PACKAGES}");
        let counts = store.counts()?;
        let open: u64 = store.open_queue_counts()?.iter().map(|(_, n)| n).sum();
        eprintln!("   database: {counts:?}, {open} open queue items");
        (scan_labels(&store, &classifier)?, first_refund_package(&store)?)
    };
    let db_bytes = std::fs::metadata(database_path(&dir))?.len();

    // The station, with a serial scanner on a pseudo-terminal.
    let (mut master, slave) = TTYPort::pair()?;
    let port = slave.name().ok_or("the pty has no name")?;
    drop(slave);
    let scanner = ScannerConfig {
        name: "bench".into(),
        port,
        baud: 9600,
        framing: FramerConfig::default(),
        repeat_window: REPEAT_WINDOW,
    };
    let database = rma_station::storage::location::DatabaseLocation::Sqlite(rma_station::storage::database_path(&dir));
    let setup =
        StationSetup::open(policies.clone(), &dir, &database, STATION.into(), vec![scanner], None, bench_secret());
    // Repaint requests from other threads, as instants a frame is due: the app's `wake` (scanner, photo and
    // hot-folder threads) and egui's repaint callback (the storage thread's answers call `request_repaint`).
    let (repaint, repaints) = sync_channel::<Instant>(1_024);
    let wake = repaint.clone();
    // A full channel already holds a due frame: a request that does not fit is not needed.
    let app = StationApp::new(
        setup,
        Arc::new(move || {
            let _ = wake.try_send(Instant::now());
        }),
    );
    let mut harness: Bench = Harness::builder()
        .with_size(WINDOW)
        .with_context_setup(move |ctx| {
            theme::apply(ctx);
            ctx.set_request_repaint_callback(move |info| {
                if let Some(due) = Instant::now().checked_add(info.delay) {
                    let _ = repaint.try_send(due);
                }
            });
        })
        .build_ui_state(
            |ui, app: &mut StationApp| {
                app.logic(ui.ctx());
                app.draw(ui);
            },
            app,
        );
    sign_in(&mut harness)?;
    step_until(&mut harness, "the scanner connected", |app| {
        app.intake_view().scanners.first().is_some_and(|s| s.state == ScannerState::Connected)
    })?;

    let mut cpu = CpuClock::open();
    let cpu_overhead = cpu.overhead();
    eprintln!(
        "   CPU clock: a pair of readings costs {} µs of CPU",
        cpu_overhead.map_or_else(|| "n/a".to_owned(), micros)
    );

    // Scan to screen. The check for the match clones the intake view (today's packages, the scans): what
    // it costs is part of each scan's time.
    let check = {
        let mut times: Vec<u64> = (0..100)
            .map(|_| {
                let began = Instant::now();
                black_box(shows(harness.state(), &labels[0]));
                began.elapsed().as_nanos() as u64
            })
            .collect();
        times.sort_unstable();
        Duration::from_nanos(percentile(&times, 50))
    };
    eprintln!("   checking the card once costs {} µs (median)", micros(check.as_nanos() as u64));
    eprintln!("\n== scan to screen: {} and {} alternately", labels[0], labels[1]);
    let serial = scan_to_screen(&mut harness, &mut cpu, &repaints, &labels, scans, |label| {
        master.write_all(format!("{label}\r").as_bytes())?;
        master.flush()?;
        Ok(Vec::new())
    })?;
    report_scans("serial scanner (pty)", &serial);
    focus(&mut harness, SCAN_FIELD)?;
    let keyboard = scan_to_screen(&mut harness, &mut cpu, &repaints, &labels, scans, |label| Ok(wedge_events(label)))?;
    report_scans("keyboard wedge", &keyboard);

    // Frames, screen by screen.
    let mut screens = Vec::new();
    let intake = harness.state().intake_view();
    screens.push(measure(
        &mut harness,
        &mut cpu,
        "Intake",
        format!(
            "match card of {}, {} rows of scans, {} of today's packages",
            intake.card.as_ref().map_or("nothing", MatchCard::code),
            intake.recent.len(),
            intake.today.len()
        ),
        frames,
        &[],
    )?);

    harness.key_press(egui::Key::Enter);
    step_until(&mut harness, "the inspection", |app| app.screen() == Screen::Inspection)?;
    // Every ordered unit scanned in, as the clerk does.
    let skus: Vec<String> = harness.state().sheet().map_or_else(Vec::new, |sheet| {
        sheet.items.iter().flat_map(|item| std::iter::repeat_n(item.sku.clone(), item.ordered as usize)).collect()
    });
    for sku in &skus {
        for event in wedge_events(sku) {
            harness.event(event);
        }
        harness.run_ok();
    }
    let (items, received) = harness.state().sheet().map_or((0, 0), |s| (s.items.len(), s.units_received()));
    if received as usize != skus.len() {
        return Err(format!("{} units scanned in, {received} received", skus.len()).into());
    }
    screens.push(measure(
        &mut harness,
        &mut cpu,
        "Inspection",
        format!("{}'s package open: items {items}, units scanned in {received}", labels[1]),
        frames,
        &[],
    )?);

    harness.key_press(egui::Key::Enter);
    step_until(&mut harness, "the decision", |app| app.screen() == Screen::Decision)?;
    let verdict = harness.state().decision_view().map(|v| format!("{} — {}", v.verdict, v.disposition));
    screens.push(measure(
        &mut harness,
        &mut cpu,
        "Decision",
        format!("the engine's decision: {}", verdict.unwrap_or_default()),
        frames,
        &[],
    )?);

    harness.key_press(egui::Key::F3);
    let asked = Instant::now();
    step_until(&mut harness, "the refund queue", |app| {
        let view = app.queues_view();
        !view.loading && view.rows.len() >= QUEUE_ITEMS
    })?;
    let queue_load = asked.elapsed();
    let rows = harness.state().queues_view().rows.len();
    eprintln!("   refund tab: {rows} rows loaded {} ms after F3", millis(queue_load.as_nanos() as u64));
    screens.push(measure(
        &mut harness,
        &mut cpu,
        "Queues",
        format!("refund tab, {} rows loaded, still", grouped(rows as u64)),
        frames,
        &[],
    )?);
    let first_row = harness.state().queues_view().rows.first().map(queue_line).unwrap_or_default();
    harness.hover_at(egui::pos2(640.0, 500.0));
    harness.run_ok();
    let wheel = egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: SCROLL,
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Wheel,
        modifiers: egui::Modifiers::default(),
    };
    screens.push(measure(
        &mut harness,
        &mut cpu,
        "Queues, scrolling",
        format!("refund tab, {} rows, the wheel scrolling 240 points (8 rows) every frame", grouped(rows as u64)),
        frames,
        std::slice::from_ref(&wheel),
    )?);
    if harness.query_all_by_label(&first_row).next().is_some() {
        return Err("the refund list did not scroll: its first row is still on screen".into());
    }

    harness.key_press(egui::Key::F4);
    step_until(&mut harness, "the records screen", |app| app.screen() == Screen::Records)?;
    type_into(&mut harness, FIND_FIELD, &find_key)?;
    harness.key_press(egui::Key::Enter);
    step_until(&mut harness, "the package's history", |app| app.records_view().history.is_some())?;
    let audit = harness.state().records_view().history.as_ref().map_or(0, |h| h.audit.len());
    screens.push(measure(
        &mut harness,
        &mut cpu,
        "Records",
        format!("package #{find_key}'s history open: {audit} audit entries"),
        frames,
        &[],
    )?);

    harness.key_press(egui::Key::F5);
    step_until(&mut harness, "the settings screen", |app| app.screen() == Screen::Settings)?;
    screens.push(measure(&mut harness, &mut cpu, "Settings", "policies folded".to_owned(), frames, &[])?);
    let names: Vec<String> = policies.iter().map(|loaded| loaded.policy.merchant.name.clone()).collect();
    for name in &names {
        let header = harness.query_all_by_label(name).next().ok_or_else(|| format!("no header {name:?}"))?;
        header.click();
        harness.run_ok();
    }
    screens.push(measure(
        &mut harness,
        &mut cpu,
        "Settings, policies open",
        format!("every merchant's policy unfolded ({})", names.len()),
        frames,
        &[],
    )?);

    // Photos dropped on the open package's inspection, all at once.
    let (photo, made_by) = twelve_megapixel_photo(&bench_data.join("photos-12mp"), Some(CAMERA_NOISE))?;
    let photo_bytes = std::fs::metadata(&photo)?.len();
    let paths = distinct_copies(&photo, &bench_data.join("photos-12mp/distinct"), PHOTOS_DROPPED)?;
    let photos = drop_photos(&mut harness, &mut cpu, &dir, &paths)?;
    screens.push(measure(
        &mut harness,
        &mut cpu,
        "Inspection, photos shown",
        format!("the same package with the {PHOTOS_DROPPED} dropped photos' thumbnails"),
        frames,
        &[],
    )?);
    // A denial with four 12 MP photos confirmed, then the next package scanned at once (issue 13): the
    // packet is written on the `files` thread, so the next scan's match must not wait for it.
    let denials = denial_then_scan(&mut harness, &labels, &paths[..DENIAL_PHOTOS], |label| {
        master.write_all(format!("{label}\r").as_bytes())?;
        master.flush()?;
        Ok(())
    })?;
    let load_at_end = load_average();
    eprintln!("   load average at end: {load_at_end}");

    let mut out = String::new();
    frame_table(&mut out, &screens)?;
    out.push('\n');
    scan_table(&mut out, &[("serial scanner (pty)", &serial), ("keyboard wedge (scan field + Enter)", &keyboard)])?;
    out.push('\n');
    photo_tables(&mut out, &photos)?;
    out.push('\n');
    denial_table(&mut out, &denials)?;
    writeln!(
        out,
        "\nThe photos: {PHOTOS_DROPPED} copies of a 4000 × 3000 q90 JPEG of {} bytes made by {made_by}, each with a \
         comment segment of its own (its own SHA-256); their stored copies removed before the drop, so each \
         is stored anew.\n",
        grouped(photo_bytes)
    )?;
    writeln!(
        out,
        "Database: {} orders, {} MiB; the refund tab's {} rows loaded {} ms after F3. {frames} frames per series \
         after {WARM_UP_FRAMES} of warm-up; a frame's CPU time includes {} µs of reading the clock; a scan's time \
         includes {} µs per check of the card. Load average {load_at_start} at the start, {load_at_end} at the end.",
        grouped(orders),
        grouped(db_bytes >> 20),
        grouped(rows as u64),
        millis(queue_load.as_nanos() as u64),
        cpu_overhead.map_or_else(|| "n/a".to_owned(), micros),
        micros(check.as_nanos() as u64),
    )?;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

fn env_number(name: &str, default: usize) -> BenchResult<usize> {
    match std::env::var(name) {
        Ok(text) => Ok(text.trim().replace('_', "").parse().map_err(|e| format!("{name}={text:?}: {e}"))?),
        Err(_) => Ok(default),
    }
}

// ----- the database -----

/// Builds the cached database unless its `complete` marker says a finished one is there.
fn prepare(dir: &Path, orders: u64, policies: &PolicySet, classifier: &Classifier) -> BenchResult<()> {
    let marker = dir.join("complete");
    if marker.exists() {
        eprintln!("   reusing the database in {}", dir.display());
        return Ok(());
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    eprintln!("\n== building the database ({orders} orders, {QUEUE_ITEMS} open refunds)");
    let began = Instant::now();
    let mut store = SqliteStore::open(&database_path(dir), policies)?;
    let stamp = common::stamp()?;
    let demo = demo_data(REFERENCE_DATE)?;
    store.import_orders(&ImportSource { file: "demo orders".into(), sha256: String::new() }, &demo.orders, &stamp)?;
    store.import_rmas(&ImportSource { file: "demo RMAs".into(), sha256: String::new() }, &demo.rmas, &stamp)?;
    let merchants: Vec<String> = policies.merchant_ids().into_iter().map(str::to_owned).collect();
    import_generated(&mut store, orders, &merchants, &mut Rng(0x5EED_0001 ^ orders), &stamp)?;
    store.add_operator(OPERATOR, Role::Supervisor, &hash_pin(PIN, Role::Supervisor, &bench_secret())?, &stamp)?;
    queue_refunds(&mut store, orders, policies, classifier, &stamp)?;
    drop(store);
    std::fs::write(
        &marker,
        format!(
            "{orders} generated orders with their RMAs, the demo's, {QUEUE_ITEMS} open refunds; built by benches/frame_time.rs\n"
        ),
    )?;
    eprintln!("   built in {:.1?}", began.elapsed());
    Ok(())
}

/// A package of `found` inspected (everything ordered arrived, as new) and decided on `today` by the
/// bench's own use case.
fn decide_received(
    found: &RmaMatch,
    policies: &PolicySet,
    today: chrono::NaiveDate,
) -> BenchResult<(InspectionSheet, Decided)> {
    let mut sheet = InspectionSheet::for_order(&found.order.record, today);
    for item in &mut sheet.items {
        item.received = item.ordered;
    }
    // The order's first package: nothing of it was received or settled before.
    let package =
        BenchPackage { package_id: 0, inspection_id: 0, claim: Claim::Rma(found.clone()), earlier: Ledger::default() };
    let decided = bench::decision::decide(policies, &package, &sheet, &[], today)?;
    Ok((sheet, decided))
}

/// Receives, inspects and decides packages for the generated RMAs in order, keeping those the engine
/// refunds, until [`QUEUE_ITEMS`] refunds are open. A small database has too few such RMAs: an order's
/// goods are refunded once (the return's ledger), so its queue holds as many refunds as it has.
fn queue_refunds(
    store: &mut SqliteStore,
    orders: u64,
    policies: &PolicySet,
    classifier: &Classifier,
    stamp: &Stamp,
) -> BenchResult<()> {
    let began = Instant::now();
    let actor = Actor { name: stamp.operator.clone(), role: Role::Supervisor, station: stamp.station.clone() };
    let mut made = 0;
    let mut tried = 0;
    let mut i = 0;
    while made < QUEUE_ITEMS {
        if i >= orders {
            eprintln!("   {orders} orders refund {made} times: the queue holds {made} open refunds");
            break;
        }
        let number = format!("RMA-{i}");
        i += 1;
        tried += 1;
        let found = store.rmas_by_number(&number)?;
        let [found] = found.as_slice() else { return Err(format!("{number}: not exactly one RMA").into()) };
        let found = found.clone();
        // Decided two days after the customer asked: the package has just come back.
        let today = found.rma.record.requested_on + TimeDelta::days(2);
        let (sheet, decided) = decide_received(&found, policies, today)?;
        if !matches!(decided.entries.as_slice(), [entry] if entry.queue == Queue::Refund) {
            continue;
        }
        let now = Now { at: stamp.at, today, offset: chrono::FixedOffset::east_opt(0).ok_or("UTC")? };
        let arrival = Arrival {
            scanned_code: found.rma.record.number.clone(),
            scanned_kind: classifier.classify(&found.rma.record.number).kind().as_str().to_owned(),
            claim: Claim::Rma(found),
            note: String::new(),
            another_box: false,
        };
        let received = bench::intake::receive(store, &actor, &now, arrival)?;
        let on_bench = OnTheBench { package: &received.package, sheet: &sheet, decided: &decided };
        bench::decision::confirm(store, policies, &actor, &now, on_bench)?;
        made += 1;
        if made % 1_000 == 0 {
            eprintln!("   refunds: {made}/{QUEUE_ITEMS} ({tried} RMAs decided) in {:.1?}", began.elapsed());
        }
    }
    Ok(())
}

/// Receives packages now, matched to generated RMAs, until [`TODAY_PACKAGES`] were received today.
fn top_up_today(store: &mut SqliteStore, orders: u64, classifier: &Classifier) -> BenchResult<usize> {
    let have = store.packages_since(&start_of_today(), TODAY_PACKAGES)?.len();
    let stamp = Stamp { at: Clock::System.now().at, station: STATION.to_owned(), operator: OPERATOR.to_owned() };
    for k in have..TODAY_PACKAGES {
        let number = format!("RMA-{}", orders - 1 - (k as u64 % orders));
        let found = store.rmas_by_number(&number)?;
        let [found] = found.as_slice() else { return Err(format!("{number}: not exactly one RMA").into()) };
        let package = ReceivedPackage {
            scanned_code: number.clone(),
            scanned_kind: classifier.classify(&number).kind().as_str().to_owned(),
            rma_id: Some(found.rma.id),
            order_id: None,
            note: String::new(),
            another_box: true,
        };
        store.receive_package(&package, &stamp)?;
    }
    Ok(TODAY_PACKAGES.saturating_sub(have))
}

/// Local midnight as RFC 3339 UTC, as the intake screen asks for today's packages.
fn start_of_today() -> String {
    Clock::System.now().start_of_today().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Two of the demo's RMA labels that the classifier reads as RMA numbers and that match one RMA each.
fn scan_labels(store: &SqliteStore, classifier: &Classifier) -> BenchResult<[String; 2]> {
    let mut labels = Vec::new();
    for rma in demo_data(REFERENCE_DATE)?.rmas {
        if classifier.classify(&rma.number).kind() == Kind::RmaNumber && store.rmas_by_number(&rma.number)?.len() == 1 {
            labels.push(rma.number);
        }
        if labels.len() == 2 {
            break;
        }
    }
    match <[String; 2]>::try_from(labels) {
        Ok(labels) => Ok(labels),
        Err(found) => Err(format!("the demo has too few RMA labels to scan: {found:?}").into()),
    }
}

/// The package of the first open refund, by its id: a package with a whole history for the records screen.
/// (Found by its RMA number, it could be one of several packages of that RMA in a small database.)
fn first_refund_package(store: &SqliteStore) -> BenchResult<String> {
    let rows = store.queue_items(Queue::Refund, false, 1)?;
    Ok(rows.first().ok_or("no open refund")?.package_id.to_string())
}

// ----- driving the window -----

/// Steps the window until `done` holds, as answers arrive from the worker threads, then lets it settle.
fn step_until(harness: &mut Bench, what: &str, done: impl Fn(&StationApp) -> bool) -> BenchResult<()> {
    let began = Instant::now();
    while !done(harness.state()) {
        if began.elapsed() > PATIENCE {
            let app = harness.state();
            return Err(format!(
                "the window never showed {what} (screen {:?}, banner {:?}, notice {:?})",
                app.screen(),
                app.banner(),
                app.notice()
            )
            .into());
        }
        std::thread::sleep(Duration::from_millis(2));
        harness.step();
    }
    harness.run_ok();
    Ok(())
}

/// Focuses the field labelled `label`, as a click or Tab would.
fn focus(harness: &mut Bench, label: &str) -> BenchResult<()> {
    harness.query_all_by_label(label).next().ok_or_else(|| format!("no field {label:?}"))?.focus();
    harness.run_ok();
    Ok(())
}

fn type_into(harness: &mut Bench, label: &str, text: &str) -> BenchResult<()> {
    focus(harness, label)?;
    harness.query_all_by_label(label).next().ok_or_else(|| format!("no field {label:?}"))?.type_text(text);
    harness.run_ok();
    Ok(())
}

fn sign_in(harness: &mut Bench) -> BenchResult<()> {
    step_until(harness, "the sign-in form", |app| app.sign_in_view().has_operators == Some(true))?;
    type_into(harness, OPERATOR_FIELD, OPERATOR)?;
    type_into(harness, PIN_FIELD, PIN)?;
    harness.key_press(egui::Key::Enter);
    step_until(harness, "the intake screen", |app| app.screen() == Screen::Intake)
}

/// What a keyboard-wedge scanner sends: the label's text, then Enter (a key down and up).
fn wedge_events(label: &str) -> Vec<egui::Event> {
    let key = |pressed| egui::Event::Key {
        key: egui::Key::Enter,
        physical_key: None,
        pressed,
        repeat: false,
        modifiers: egui::Modifiers::default(),
    };
    vec![egui::Event::Text(label.to_owned()), key(true), key(false)]
}

/// Whether the intake screen's card shows `label`'s match.
fn shows(app: &StationApp, label: &str) -> bool {
    matches!(app.intake_view().card, Some(MatchCard::Rmas { ref code, .. }) if code == label)
}

/// One scan's way to the screen.
struct ScanTime {
    took: Duration,
    /// Frames run from the scan to the frame that showed it, that one included.
    frames: u64,
    /// egui passes in those frames: a frame runs a second pass when the first asked to be discarded (a
    /// layout that changed size), and the second pass takes in what arrived meanwhile.
    passes: u64,
    /// The UI thread's CPU time meanwhile (nanoseconds): its frames, and its waiting for them.
    ui_cpu: Option<u64>,
}

/// Scans `labels` alternately `scans` times. `send` delivers a label: by itself (a serial scanner; it
/// returns no events) or as the events it returns, for the window to take in (a keyboard wedge: `step`
/// runs one frame per event, as eframe runs one per input event). Then the window waits for repaints as
/// eframe's event loop does ([`next_frame`]) until the frame that shows the label's match.
fn scan_to_screen(
    harness: &mut Bench,
    cpu: &mut CpuClock,
    repaints: &Receiver<Instant>,
    labels: &[String; 2],
    scans: usize,
    mut send: impl FnMut(&str) -> BenchResult<Vec<egui::Event>>,
) -> BenchResult<Vec<ScanTime>> {
    let mut times = Vec::with_capacity(scans);
    for k in 0..scans {
        let label = &labels[k % 2];
        // Requests the frames already run have served.
        while repaints.try_recv().is_ok() {}
        let cpu_before = cpu.now();
        let events = send(label)?;
        let sent = Instant::now();
        let give_up = sent + PATIENCE;
        let passes_before = harness.ctx.cumulative_pass_nr();
        let mut frames = events.len() as u64;
        if !events.is_empty() {
            for event in events {
                harness.event(event);
            }
            harness.step();
        }
        while !shows(harness.state(), label) {
            next_frame(harness, repaints, give_up).map_err(|e| format!("scan {k} ({label}): {e}"))?;
            frames += 1;
        }
        let took = sent.elapsed();
        let ui_cpu = cpu_before.zip(cpu.now()).map(|(a, b)| b.saturating_sub(a));
        times.push(ScanTime { took, frames, passes: harness.ctx.cumulative_pass_nr() - passes_before, ui_cpu });
        // The clerk's next scan comes later: let the window go idle first.
        std::thread::sleep(Duration::from_millis(20));
        harness.run_ok();
    }
    Ok(times)
}

/// Sleeps until a frame is due, then runs it: due when another thread asked for a repaint, or when the last
/// frame asked for one (its `repaint_delay`, which eframe also honours).
fn next_frame(harness: &mut Bench, repaints: &Receiver<Instant>, give_up: Instant) -> BenchResult<()> {
    let delay = harness.output().viewport_output.get(&egui::ViewportId::ROOT).map(|v| v.repaint_delay);
    let mut due = delay.and_then(|delay| Instant::now().checked_add(delay));
    loop {
        while let Ok(at) = repaints.try_recv() {
            due = Some(due.map_or(at, |d| d.min(at)));
        }
        let now = Instant::now();
        if due.is_some_and(|d| d <= now) {
            harness.step();
            return Ok(());
        }
        if now >= give_up {
            return Err("nothing asked for a repaint in time".into());
        }
        match repaints.recv_timeout(due.unwrap_or(give_up).min(give_up) - now) {
            Ok(at) => due = Some(due.map_or(at, |d| d.min(at))),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return Err("the repaint channel closed".into()),
        }
    }
}

fn report_scans(what: &str, times: &[ScanTime]) {
    let sorted = sorted_ns(times.iter().map(|t| t.took));
    eprintln!(
        "   {what}: {} scans, p50 {} ms, p99 {} ms, max {} ms",
        times.len(),
        millis(percentile(&sorted, 50)),
        millis(percentile(&sorted, 99)),
        millis(sorted.last().copied().unwrap_or(0))
    );
}

// ----- a denial's packet, then the next scan -----

/// The scanner's repeat window: the same code again within it counts once.
const REPEAT_WINDOW: Duration = Duration::from_millis(800);
/// Photos on each denial of [`denial_then_scan`].
const DENIAL_PHOTOS: usize = 4;
/// Denials confirmed, each followed by a scan.
const DENIALS: usize = 5;

/// One denial confirmed and the scan after it.
struct DenialRound {
    /// From Enter on the decision to the screen back at intake (the decision saved).
    saved: Duration,
    /// From the next label written to the frame that shows its match.
    next_match: Duration,
    /// From Enter on the decision to the frame whose banner says where the packet went.
    packet: Duration,
    /// Whether the match showed before the packet was written.
    match_first: bool,
}

/// Confirms the open package first (the bench must be free), then [`DENIALS`] times: `labels[0]`'s package
/// opened by a scan, nothing of it received and `photos` attached (the engine denies it, so its packet is
/// written without being asked), confirmed, and `labels[1]` scanned as soon as intake is back.
fn denial_then_scan(
    harness: &mut Bench,
    labels: &[String; 2],
    photos: &[PathBuf],
    mut scan: impl FnMut(&str) -> BenchResult<()>,
) -> BenchResult<Vec<DenialRound>> {
    eprintln!("\n== {DENIALS} denials with {} photos of 12 MP confirmed, each followed by a scan", photos.len());
    harness.key_press(egui::Key::F2);
    step_until(harness, "the inspection", |app| app.screen() == Screen::Inspection)?;
    harness.key_press(egui::Key::Enter);
    step_until(harness, "the decision", |app| app.screen() == Screen::Decision)?;
    harness.key_press(egui::Key::Enter);
    step_until(harness, "the bench free", |app| app.screen() == Screen::Intake)?;
    let mut rounds = Vec::with_capacity(DENIALS);
    for round in 0..DENIALS {
        scan(&labels[0])?;
        step_until(harness, "the denial's match", |app| shows(app, &labels[0]))?;
        harness.key_press(egui::Key::Enter);
        step_until(harness, "the inspection", |app| app.screen() == Screen::Inspection)?;
        for photo in photos {
            type_into(harness, PHOTO_FILE, &photo.display().to_string())?;
            harness.key_press(egui::Key::Enter);
            harness.run_ok();
        }
        step_until(harness, "the photos", |app| photo_counts(app) == (0, photos.len()))?;
        focus(harness, SCAN_FIELD)?;
        harness.key_press(egui::Key::Enter);
        step_until(harness, "the decision", |app| app.screen() == Screen::Decision)?;
        let verdict = harness.state().decision_view().map(|v| v.verdict);
        if verdict != Some(Verdict::Deny) {
            return Err(format!("{}: the engine decided {verdict:?}, not a denial", labels[0]).into());
        }
        // Enter on the empty scan field confirms, as a clerk's next keystroke or scanner does.
        focus(harness, SCAN_FIELD)?;
        let confirmed = Instant::now();
        harness.key_press(egui::Key::Enter);
        let give_up = confirmed + PATIENCE;
        while harness.state().screen() != Screen::Intake {
            poll_frame(harness, give_up).map_err(|e| stuck(harness, round, "the decision saved", &e))?;
        }
        let saved = confirmed.elapsed();
        scan(&labels[1])?;
        let scanned = Instant::now();
        let packet_written = |app: &StationApp| app.banner().is_some_and(|(_, w)| w.contains("evidence packet for"));
        let mut packet = None;
        while !shows(harness.state(), &labels[1]) {
            poll_frame(harness, give_up).map_err(|e| stuck(harness, round, "the next match", &e))?;
            if packet.is_none() && packet_written(harness.state()) {
                packet = Some(confirmed.elapsed());
            }
        }
        let next_match = scanned.elapsed();
        let match_first = packet.is_none();
        while packet.is_none() {
            poll_frame(harness, give_up).map_err(|e| stuck(harness, round, "the packet", &e))?;
            if packet_written(harness.state()) {
                packet = Some(confirmed.elapsed());
            }
        }
        let packet = packet.unwrap_or_default();
        eprintln!(
            "   round {round}: decision saved {} ms, next match {} ms, packet written {} ms after Enter{}",
            millis(saved.as_nanos() as u64),
            millis(next_match.as_nanos() as u64),
            millis(packet.as_nanos() as u64),
            if match_first { "" } else { " (before the match)" }
        );
        rounds.push(DenialRound { saved, next_match, packet, match_first });
        harness.run_ok();
        // The next round scans both labels again: past the scanner's repeat window, so neither counts once.
        std::thread::sleep(REPEAT_WINDOW + Duration::from_millis(200));
    }
    Ok(rounds)
}

/// A frame every millisecond, whatever asked for one: the denial rounds compare two answers' times (the
/// next match and the packet) to a millisecond, without depending on how each asks for a repaint.
fn poll_frame(harness: &mut Bench, give_up: Instant) -> BenchResult<()> {
    if Instant::now() >= give_up {
        return Err("the window showed nothing new in time".into());
    }
    std::thread::sleep(Duration::from_millis(1));
    harness.step();
    Ok(())
}

/// A frame that never came during a denial round, with what the window showed.
fn stuck(harness: &Bench, round: usize, waiting: &str, error: &dyn std::fmt::Display) -> String {
    let app = harness.state();
    format!(
        "round {round}, waiting for {waiting}: {error} (screen {:?}, banner {:?}, notices {:?}, decision {:?})",
        app.screen(),
        app.banner(),
        app.notices().iter().map(|n| n.text.as_str()).collect::<Vec<_>>(),
        app.decision_view().and_then(|v| v.message)
    )
}

fn denial_table(out: &mut String, rounds: &[DenialRound]) -> std::fmt::Result {
    let p = |pick: fn(&DenialRound) -> Duration, q: usize| {
        let sorted = sorted_ns(rounds.iter().map(pick));
        millis(percentile(&sorted, q))
    };
    writeln!(out, "| a denial with {DENIAL_PHOTOS} photos of 12 MP confirmed, then the next scan | p50 | max |")?;
    writeln!(out, "|---|---|---|")?;
    writeln!(
        out,
        "| Enter to the decision saved (intake back) | {} ms | {} ms |",
        p(|r| r.saved, 50),
        p(|r| r.saved, 100)
    )?;
    writeln!(
        out,
        "| the next label to its match on screen | {} ms | {} ms |",
        p(|r| r.next_match, 50),
        p(|r| r.next_match, 100)
    )?;
    writeln!(
        out,
        "| Enter to the packet written (banner) | {} ms | {} ms |",
        p(|r| r.packet, 50),
        p(|r| r.packet, 100)
    )?;
    let first = rounds.iter().filter(|r| r.match_first).count();
    writeln!(out, "\nThe next scan's match showed before the packet was written in {first} of {} rounds.", rounds.len())
}

// ----- photos dropped on the window -----

/// A file dropped on the window, as eframe's winit integration hands it to egui (`NativeFile` there).
#[derive(Debug)]
struct DroppedPath(PathBuf);

impl egui::DroppedFile for DroppedPath {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// One window frame while dropped photos come in.
struct PhotoFrame {
    frame: WindowFrame,
    /// Ingested photos the frame's `logic` took in from the photo thread (and sent on to be recorded).
    taken: usize,
    /// Thumbnails the frame added to the inspection's photos (a texture each).
    shown: usize,
}

struct PhotoDrop {
    frames: Vec<PhotoFrame>,
    /// The [`SETTLED_FRAMES`] after the last thumbnail, at the same pace.
    settled: Vec<WindowFrame>,
    /// From the start of the frame that took the drop in to the end of the frame that showed the first
    /// thumbnail, and the last.
    first: Duration,
    last: Duration,
}

/// The open inspection's (photos being stored, thumbnails shown).
fn photo_counts(app: &StationApp) -> (usize, usize) {
    app.inspection_view().map_or((0, 0), |view| {
        (view.photos_pending, view.photos.iter().filter(|tile| tile.thumbnail.is_some()).count())
    })
}

/// Goes back to the open package's inspection (F2) and drops `paths` on the window at once: egui's
/// `dropped_files` in one frame's raw input, as eframe passes a drop on. Then runs a window frame (see
/// [`window_frame`]) every [`FRAME_INTERVAL`], as a window does that redraws every frame of a 60 Hz display
/// (a frame that runs late waits for the next interval), until every photo's thumbnail is shown, and
/// [`SETTLED_FRAMES`] more with nothing arriving. Each photo's stored copy is removed from the station's
/// photo folder first, so each is stored anew.
fn drop_photos(harness: &mut Bench, cpu: &mut CpuClock, dir: &Path, paths: &[PathBuf]) -> BenchResult<PhotoDrop> {
    let folder = PhotoFolder::new(photos_path(dir));
    for path in paths {
        match std::fs::remove_file(folder.path_of(&PhotoHash::of(&std::fs::read(path)?))) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    harness.key_press(egui::Key::F2);
    step_until(harness, "the inspection", |app| app.screen() == Screen::Inspection)?;
    let title = harness.state().inspection_view().map(|view| view.title).unwrap_or_default();
    eprintln!("\n== {} photos dropped at once on {title}", paths.len());
    if photo_counts(harness.state()) != (0, 0) {
        return Err("the inspection already has photos: the drop would not start from none".into());
    }
    let notice = harness.state().notice().map(str::to_owned);

    let ctx = harness.ctx.clone();
    ctx.disable_accesskit();
    let app = harness.state_mut();
    for _ in 0..WARM_UP_FRAMES {
        window_frame(&ctx, app, cpu, window_input());
    }
    let dropped = paths.iter().map(|path| Arc::new(DroppedPath(path.clone())) as egui::DroppedFileHandle).collect();
    let mut input = egui::RawInput { dropped_files: dropped, ..window_input() };
    let mut frames = Vec::new();
    let (mut taken_so_far, mut first) = (0, None);
    let began = Instant::now();
    let mut due = began;
    loop {
        sleep_until(due);
        let (_, shown_before) = photo_counts(app);
        let frame = window_frame(&ctx, app, cpu, std::mem::replace(&mut input, window_input()));
        let ended = began.elapsed();
        let (pending, shown) = photo_counts(app);
        let taken = paths.len().saturating_sub(pending);
        frames.push(PhotoFrame { frame, taken: taken - taken_so_far, shown: shown - shown_before });
        taken_so_far = taken;
        if shown > 0 && first.is_none() {
            first = Some(ended);
        }
        if shown >= paths.len() {
            let mut settled = Vec::with_capacity(SETTLED_FRAMES);
            for _ in 0..SETTLED_FRAMES {
                due = next_interval(due);
                sleep_until(due);
                settled.push(window_frame(&ctx, app, cpu, window_input()));
            }
            ctx.enable_accesskit();
            harness.run_ok();
            let result = PhotoDrop { frames, settled, first: first.unwrap_or(ended), last: ended };
            report_photo_drop(&result);
            return Ok(result);
        }
        if app.notice() != notice.as_deref() {
            return Err(format!("a photo was not taken in: {:?}", app.notice()).into());
        }
        if ended > PATIENCE {
            return Err(format!("only {shown} of {} thumbnails shown after {PATIENCE:?}", paths.len()).into());
        }
        due = next_interval(due);
    }
}

/// The start of the next frame interval after the frame due at `due`: the next one still to come, as a
/// frame that ran late waits for the display's next refresh.
fn next_interval(mut due: Instant) -> Instant {
    let now = Instant::now();
    due += FRAME_INTERVAL;
    while due <= now {
        due += FRAME_INTERVAL;
    }
    due
}

fn sleep_until(due: Instant) {
    if let Some(wait) = due.checked_duration_since(Instant::now()) {
        std::thread::sleep(wait);
    }
}

fn report_photo_drop(drop: &PhotoDrop) {
    let frames = &drop.frames;
    let cpu: Vec<u64> = frames.iter().filter_map(|f| f.frame.cpu).collect();
    let wall: Vec<u64> = frames.iter().map(|f| f.frame.wall.as_nanos() as u64).collect();
    let settled: Vec<u64> = drop.settled.iter().filter_map(|f| f.cpu).collect();
    eprintln!(
        "   {} frames; first thumbnail after {} ms, the last after {} ms; frame CPU {} ms, wall {} ms (p50 / p99 / \
         max); then, nothing coming, CPU {} ms",
        frames.len(),
        millis(drop.first.as_nanos() as u64),
        millis(drop.last.as_nanos() as u64),
        spread(&cpu),
        spread(&wall),
        spread(&settled)
    );
}

/// The frames of a photo drop by what their `logic` did (the drop itself, taking an ingested photo in,
/// making a thumbnail's texture, nothing but drawing), and then the settled frames after it.
fn photo_kinds(drop: &PhotoDrop) -> [(String, Vec<&WindowFrame>); 5] {
    let mut kinds = [
        ("took in the drop: handed the files to the photo thread".to_owned(), Vec::new()),
        ("took in an ingested photo: sent it on to be recorded".to_owned(), Vec::new()),
        ("took in a recorded photo: made its thumbnail's texture".to_owned(), Vec::new()),
        ("took in nothing: drew the screen only, photos still coming".to_owned(), Vec::new()),
        (
            format!("after the last thumbnail, nothing coming (the next {SETTLED_FRAMES})"),
            drop.settled.iter().collect(),
        ),
    ];
    for (n, frame) in drop.frames.iter().enumerate() {
        let kind = match (n, frame.taken, frame.shown) {
            (0, _, _) => 0,
            (_, _, 1..) => 2,
            (_, 1.., 0) => 1,
            _ => 3,
        };
        kinds[kind].1.push(&frame.frame);
    }
    kinds
}

fn photo_tables(out: &mut String, drop: &PhotoDrop) -> std::fmt::Result {
    let frames = &drop.frames;
    let ns = |f: fn(&WindowFrame) -> Duration| -> Vec<u64> {
        frames.iter().map(|p| f(&p.frame).as_nanos() as u64).collect()
    };
    let cpu: Vec<u64> = frames.iter().filter_map(|f| f.frame.cpu).collect();
    let wall = ns(|f| f.wall);
    let target = PHOTO_TARGET.as_nanos() as u64;
    let over = |ns: &[u64]| ns.iter().filter(|&&t| t >= target).count();
    let under = match (cpu.iter().all(|&t| t < target), over(&wall)) {
        (true, 0) => "yes, every frame".to_owned(),
        (true, n) => format!("yes by CPU; {n} frame(s) over by wall time (the thread waited for a CPU)"),
        (false, _) => format!("**no**: {} frame(s) over by CPU time", over(&cpu)),
    };
    writeln!(
        out,
        "| Photos dropped at once | Window frames run | Drop to first · last thumbnail (ms) | Frame CPU p50 / p99 / max \
         (ms) | Frame wall p50 / p99 / max (ms) | app `logic`, wall p50 / p99 / max (ms) | app `draw`, wall p50 / \
         p99 / max (ms) | Frames of 16 ms or more, CPU · wall | Under 16 ms |"
    )?;
    writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|---:|---|")?;
    writeln!(
        out,
        "| {PHOTOS_DROPPED} | {} | {} · {} | {} | {} | {} | {} | {} · {} | {under} |",
        frames.len(),
        millis(drop.first.as_nanos() as u64),
        millis(drop.last.as_nanos() as u64),
        spread(&cpu),
        spread(&wall),
        spread(&ns(|f| f.logic)),
        spread(&ns(|f| f.draw)),
        over(&cpu),
        over(&wall),
    )?;
    out.push('\n');
    writeln!(
        out,
        "| 60 Hz window frames whose app … | Frames | Frame CPU p50 / p99 / max (ms) | app `logic`, wall p50 / p99 \
         / max (ms) | app `draw`, wall p50 / p99 / max (ms) | Textures set |"
    )?;
    writeln!(out, "|---|---:|---:|---:|---:|---:|")?;
    for (what, kind) in photo_kinds(drop) {
        let cpu: Vec<u64> = kind.iter().filter_map(|f| f.cpu).collect();
        let ns =
            |f: fn(&WindowFrame) -> Duration| -> Vec<u64> { kind.iter().map(|w| f(w).as_nanos() as u64).collect() };
        let textures: usize = kind.iter().map(|f| f.textures).sum();
        writeln!(
            out,
            "| {what} | {} | {} | {} | {} | {textures} |",
            kind.len(),
            spread(&cpu),
            spread(&ns(|f| f.logic)),
            spread(&ns(|f| f.draw))
        )?;
    }
    Ok(())
}

// ----- measuring frames -----

/// Per frame of a series: its wall time and this thread's CPU time, in nanoseconds.
#[derive(Default)]
struct Series {
    wall: Vec<u64>,
    cpu: Vec<u64>,
}

impl Series {
    fn push(&mut self, wall: Duration, cpu: Option<u64>) {
        self.wall.push(wall.as_nanos() as u64);
        self.cpu.extend(cpu);
    }
}

struct ScreenResult {
    name: &'static str,
    shows: String,
    /// `Harness::step()`.
    kittest: Series,
    /// `run_ui` + `tessellate`, AccessKit off.
    window: Series,
    /// Wall times of the window frames' parts: `run_ui`, `tessellate`, and the app's `logic` + `draw`
    /// inside `run_ui`.
    pass: Vec<u64>,
    tessellate: Vec<u64>,
    app: Vec<u64>,
    shapes: usize,
    vertices: usize,
}

/// Times `frames` frames of the screen on show, each given `events`, both ways (see the module's comment).
fn measure(
    harness: &mut Bench,
    cpu: &mut CpuClock,
    name: &'static str,
    shows: String,
    frames: usize,
    events: &[egui::Event],
) -> BenchResult<ScreenResult> {
    eprintln!("\n== {name}: {shows}");
    let screen = harness.state().screen();
    // kittest frames.
    let mut kittest = Series::default();
    for n in 0..WARM_UP_FRAMES + frames {
        for event in events {
            harness.event(event.clone());
        }
        let cpu_before = cpu.now();
        let began = Instant::now();
        harness.step();
        let took = began.elapsed();
        let cpu_used = cpu_before.zip(cpu.now()).map(|(a, b)| b.saturating_sub(a));
        if n >= WARM_UP_FRAMES {
            kittest.push(took, cpu_used);
        }
    }

    // Window frames: the same context and app, AccessKit off, then tessellation.
    let ctx = harness.ctx.clone();
    ctx.disable_accesskit();
    let app = harness.state_mut();
    let mut window = Series::default();
    let (mut pass, mut tessellate, mut app_times) =
        (Vec::with_capacity(frames), Vec::with_capacity(frames), Vec::with_capacity(frames));
    let (mut shapes, mut vertices) = (0, 0);
    for n in 0..WARM_UP_FRAMES + frames {
        let frame = window_frame(&ctx, app, cpu, egui::RawInput { events: events.to_vec(), ..window_input() });
        if n >= WARM_UP_FRAMES {
            window.push(frame.wall, frame.cpu);
            pass.push(frame.pass.as_nanos() as u64);
            tessellate.push((frame.wall - frame.pass).as_nanos() as u64);
            app_times.push((frame.logic + frame.draw).as_nanos() as u64);
            shapes = frame.shapes;
            vertices = frame.vertices;
        }
    }
    ctx.enable_accesskit();
    harness.step();
    if harness.state().screen() != screen {
        return Err(format!("{name}: the screen changed while it was measured").into());
    }
    let result = ScreenResult { name, shows, kittest, window, pass, tessellate, app: app_times, shapes, vertices };
    eprintln!(
        "   window frame wall {} ms, CPU {} ms; kittest frame wall {} ms, CPU {} ms (p50 / p99 / max); {} shapes, {} vertices",
        spread(&result.window.wall),
        spread(&result.window.cpu),
        spread(&result.kittest.wall),
        spread(&result.kittest.cpu),
        result.shapes,
        result.vertices
    );
    Ok(result)
}

/// A window's input for the next frame: its size, and nothing else yet.
fn window_input() -> egui::RawInput {
    egui::RawInput { screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, WINDOW)), ..Default::default() }
}

/// What one window frame cost and drew.
struct WindowFrame {
    /// The whole frame: the egui pass and tessellation.
    wall: Duration,
    /// This thread's CPU time for it (nanoseconds).
    cpu: Option<u64>,
    /// The egui pass (`run_ui`), and within it the app's `logic` and `draw`.
    pass: Duration,
    logic: Duration,
    draw: Duration,
    shapes: usize,
    vertices: usize,
    /// Textures the frame created or changed (`textures_delta.set`), which the painter would upload next.
    textures: usize,
}

/// One frame as eframe runs it on the UI thread when no screen reader is active (AccessKit off on `ctx`):
/// `Context::run_ui` with the app's `logic` and `draw`, then `Context::tessellate`. The OpenGL calls that
/// would follow (texture uploads, drawing) are not part of it.
fn window_frame(ctx: &egui::Context, app: &mut StationApp, cpu: &mut CpuClock, input: egui::RawInput) -> WindowFrame {
    let (mut logic, mut draw) = (Duration::ZERO, Duration::ZERO);
    let cpu_before = cpu.now();
    let began = Instant::now();
    let output = ctx.run_ui(input, |ui| {
        // The scope and margin egui_kittest wraps its app in (its `AppKind::run_ui`), so that kittest and
        // window frames see the same widget ids and share focus, scroll offsets and folded sections. eframe
        // has no such wrapper; it costs one frame rectangle.
        ui.scope_builder(egui::UiBuilder::new(), |ui| {
            egui::Frame::central_panel(ui.style()).outer_margin(8.0).inner_margin(0.0).show(ui, |ui| {
                let began = Instant::now();
                app.logic(ui.ctx());
                logic = began.elapsed();
                app.draw(ui);
                draw = began.elapsed() - logic;
            });
        });
    });
    let pass = began.elapsed();
    let shapes = output.shapes.len();
    let meshes = ctx.tessellate(output.shapes, output.pixels_per_point);
    let wall = began.elapsed();
    let cpu = cpu_before.zip(cpu.now()).map(|(a, b)| b.saturating_sub(a));
    let vertices = meshes.iter().map(|m| primitive_vertices(&m.primitive)).sum();
    black_box(meshes);
    WindowFrame { wall, cpu, pass, logic, draw, shapes, vertices, textures: output.textures_delta.set.len() }
}

fn primitive_vertices(primitive: &egui::epaint::Primitive) -> usize {
    match primitive {
        egui::epaint::Primitive::Mesh(mesh) => mesh.vertices.len(),
        egui::epaint::Primitive::Callback(_) => 0,
    }
}

/// This thread's CPU time, from `/proc/thread-self/schedstat` (its first field: nanoseconds on a CPU). The
/// kernel brings a running thread's count up to date when the thread enters the scheduler, so each reading
/// yields first; then the count is exact to the nanosecond, however the thread was preempted.
struct CpuClock {
    file: Option<std::fs::File>,
    buffer: [u8; 128],
}

impl CpuClock {
    fn open() -> CpuClock {
        CpuClock { file: std::fs::File::open("/proc/thread-self/schedstat").ok(), buffer: [0; 128] }
    }

    #[cfg(not(unix))]
    fn now(&mut self) -> Option<u64> {
        None
    }

    #[cfg(unix)]
    fn now(&mut self) -> Option<u64> {
        use std::os::unix::fs::FileExt as _;
        let file = self.file.as_ref()?;
        std::thread::yield_now();
        let read = file.read_at(&mut self.buffer, 0).ok()?;
        std::str::from_utf8(&self.buffer[..read]).ok()?.split_whitespace().next()?.parse().ok()
    }

    /// What a pair of readings adds to a frame's CPU time (median of 1,000 empty pairs).
    fn overhead(&mut self) -> Option<u64> {
        let mut pairs: Vec<u64> =
            (0..1_000).filter_map(|_| self.now().zip(self.now()).map(|(a, b)| b.saturating_sub(a))).collect();
        pairs.sort_unstable();
        (!pairs.is_empty()).then(|| percentile(&pairs, 50))
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| text.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

fn sorted_ns(times: impl Iterator<Item = Duration>) -> Vec<u64> {
    let mut ns: Vec<u64> = times.map(|t| t.as_nanos() as u64).collect();
    ns.sort_unstable();
    ns
}

fn sorted_copy(ns: &[u64]) -> Vec<u64> {
    let mut sorted = ns.to_vec();
    sorted.sort_unstable();
    sorted
}

/// "p50 / p99 / max" in milliseconds; "n/a" for no samples.
fn spread(ns: &[u64]) -> String {
    if ns.is_empty() {
        return "n/a".to_owned();
    }
    let sorted = sorted_copy(ns);
    format!(
        "{} / {} / {}",
        millis(percentile(&sorted, 50)),
        millis(percentile(&sorted, 99)),
        millis(sorted.last().copied().unwrap_or(0))
    )
}

/// "p50 / p99" in milliseconds.
fn spread2(ns: &[u64]) -> String {
    let sorted = sorted_copy(ns);
    format!("{} / {}", millis(percentile(&sorted, 50)), millis(percentile(&sorted, 99)))
}

/// Whether a screen's window frames keep to the budget: by CPU time (the work), and by wall time (what the
/// clerk would see on this machine, preemption included).
fn verdict(s: &ScreenResult) -> String {
    let target = TARGET.as_nanos() as u64;
    let p99 = |ns: &[u64]| percentile(&sorted_copy(ns), 99);
    let (cpu, wall) = (p99(&s.window.cpu), p99(&s.window.wall));
    match (s.window.cpu.is_empty() || cpu < target, wall < target) {
        (true, true) => "yes".to_owned(),
        (true, false) => format!("yes by CPU; wall p99 {} ms (the thread waited for a CPU)", millis(wall)),
        (false, _) => format!("**no**: CPU p99 {} ms", millis(cpu)),
    }
}

fn frame_table(out: &mut String, screens: &[ScreenResult]) -> std::fmt::Result {
    writeln!(
        out,
        "| Screen | On screen | Window frame CPU p50 / p99 / max (ms) | Window frame wall p50 / p99 / max (ms) | \
         egui pass · tessellation, wall p50 / p99 (ms) | app `logic` + `draw`, wall p50 / p99 (ms) | \
         kittest frame CPU p50 / p99 / max (ms) | kittest frame wall p50 / p99 / max (ms) | Shapes · vertices | \
         Under 4 ms |"
    )?;
    writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|---|")?;
    for s in screens {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} · {} | {} | {} | {} | {} · {} | {} |",
            s.name,
            s.shows,
            spread(&s.window.cpu),
            spread(&s.window.wall),
            spread2(&s.pass),
            spread2(&s.tessellate),
            spread2(&s.app),
            spread(&s.kittest.cpu),
            spread(&s.kittest.wall),
            grouped(s.shapes as u64),
            grouped(s.vertices as u64),
            verdict(s),
        )?;
    }
    Ok(())
}

fn scan_table(out: &mut String, paths: &[(&str, &[ScanTime])]) -> std::fmt::Result {
    writeln!(
        out,
        "| Scan arrives by | Scans | Scan to the frame showing its match p50 / p99 / max (ms) | \
         UI thread's CPU meanwhile p50 / p99 / max (ms) | Frames run p50 / max | egui passes p50 / max |"
    )?;
    writeln!(out, "|---|---:|---:|---:|---:|---:|")?;
    for (what, times) in paths {
        let ns: Vec<u64> = times.iter().map(|t| t.took.as_nanos() as u64).collect();
        let frames = sorted_copy(&times.iter().map(|t| t.frames).collect::<Vec<u64>>());
        let passes = sorted_copy(&times.iter().map(|t| t.passes).collect::<Vec<u64>>());
        let ui_cpu: Vec<u64> = times.iter().filter_map(|t| t.ui_cpu).collect();
        writeln!(
            out,
            "| {what} | {} | {} | {} | {} / {} | {} / {} |",
            times.len(),
            spread(&ns),
            spread(&ui_cpu),
            percentile(&frames, 50),
            frames.last().copied().unwrap_or(0),
            percentile(&passes, 50),
            passes.last().copied().unwrap_or(0),
        )?;
    }
    Ok(())
}

/// The PIN secret of the benchmark's throwaway station.
fn bench_secret() -> rma_station::auth::PinSecret {
    rma_station::auth::PinSecret::from_bytes([0x42; 32])
}
