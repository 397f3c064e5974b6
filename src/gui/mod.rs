//! The station's window (egui + eframe): the intake screen (scan field, scanners, what each scan
//! found) beside the station panel (merchants, database, demo data). The bench screens that follow a
//! match (inspection, decision, queues) come next.
//!
//! The UI thread only draws and routes. Database work goes to the storage thread through
//! [`StorageClient::submit`]; serial scanners are read by their own threads. Both answer through
//! bounded channels drained in [`StationApp::logic`] under a time budget, and wake the UI so an answer
//! shows in the next frame.

pub mod intake;
pub mod station;
pub mod theme;

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use eframe::egui;

use crate::devices::scanner::{ScannerConfig, ScannerEvent, ScannerReader};
use crate::domain::scan::{Classification, Classifier, Kind, Reading, preview_text, screen_text};
use crate::gui::intake::{IntakeCommand, IntakeView, ScanOutcome, ScanRow, ScannerState, ScannerStatus, intake_ui};
use crate::gui::station::{DatabaseView, MerchantSummary, StationCommand, StationView, station_ui};
use crate::intake::IntakeMatch;
use crate::policies::PolicySet;
use crate::storage::sqlite::SqliteStore;
use crate::storage::worker::{StorageClient, StorageWorker};
use crate::storage::{Stamp, Store, StoreCounts, StoreError};

/// The window's title and the app's name in the OS.
pub const APP_NAME: &str = "RMA Station";

/// How many answers may wait for the UI (the UI drains them every frame).
const EVENT_QUEUE: usize = 64;
/// The longest `logic` spends taking in answers in one frame, so a flood never stalls drawing.
const DRAIN_BUDGET: Duration = Duration::from_millis(4);
/// Package scans kept on the intake screen.
const RECENT_SCANS: usize = 50;

/// What the window needs to start.
#[derive(Debug)]
pub struct StationSetup {
    pub policies: PolicySet,
    pub database: PathBuf,
    pub store: Result<SqliteStore, StoreError>,
    pub station: String,
    pub scanners: Vec<ScannerConfig>,
}

/// Opens the window and runs until it is closed.
pub fn run(policies: PolicySet, data_dir: &Path, station: String, scanners: Vec<ScannerConfig>) -> eframe::Result {
    let database = crate::storage::database_path(data_dir);
    let store = SqliteStore::open(&database, &policies);
    let setup = StationSetup { policies, database, store, station, scanners };
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default().with_title(APP_NAME).with_inner_size([1280.0, 800.0]),
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    eframe::run_native(
        APP_NAME,
        options,
        Box::new(move |cc| {
            theme::apply(&cc.egui_ctx);
            let ctx = cc.egui_ctx.clone();
            Ok(Box::new(StationApp::new(setup, Arc::new(move || ctx.request_repaint()))))
        }),
    )
}

/// Answers from the workers.
#[derive(Debug)]
pub enum AppEvent {
    Counts(Result<StoreCounts, String>),
    DemoLoaded(Result<(u64, u64), String>),
    /// The lookup of the scan with this sequence number.
    Matched {
        scan: u64,
        found: Result<IntakeMatch, String>,
    },
}

struct ScanRecord {
    seq: u64,
    row: ScanRow,
}

pub struct StationApp {
    merchants: Vec<MerchantSummary>,
    path: PathBuf,
    station: String,
    database: DatabaseView,
    demo_loading: bool,
    classifier: Option<Arc<Classifier>>,
    scan_text: String,
    recent: VecDeque<ScanRecord>,
    next_scan: u64,
    scanners: Vec<ScannerStatus>,
    storage: Option<StorageClient>,
    /// Held to be dropped with the app: their Drop stops the threads.
    _worker: Option<StorageWorker>,
    _readers: Vec<ScannerReader>,
    events: Receiver<AppEvent>,
    event_sender: SyncSender<AppEvent>,
    scanner_events: Receiver<ScannerEvent>,
    started: bool,
    /// The last thing that went wrong outside a scan, in words for the clerk.
    notice: Option<String>,
}

impl std::fmt::Debug for StationApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StationApp")
            .field("station", &self.station)
            .field("database", &self.database)
            .finish_non_exhaustive()
    }
}

impl StationApp {
    /// Starts the storage thread and one reader thread per scanner. `wake` asks for a repaint.
    pub fn new(setup: StationSetup, wake: Arc<dyn Fn() + Send + Sync>) -> StationApp {
        let (event_sender, events) = sync_channel(EVENT_QUEUE);
        let (scanner_sender, scanner_events) = sync_channel(EVENT_QUEUE);
        let mut notice = None;
        let (worker, database) = match setup.store.map(|s| StorageWorker::spawn(Box::new(s))) {
            Ok(Ok(worker)) => (Some(worker), DatabaseView::Opening),
            Ok(Err(e)) => (None, DatabaseView::Failed(format!("the storage thread could not start: {e}"))),
            Err(e) => (None, DatabaseView::Failed(e.to_string())),
        };
        let classifier = match Classifier::new(&setup.policies.classifier_config()) {
            Ok(classifier) => Some(Arc::new(classifier)),
            Err(e) => {
                notice = Some(format!("scans cannot be classified: {e}"));
                None
            }
        };
        let mut readers = Vec::new();
        let mut scanners = Vec::new();
        for config in setup.scanners {
            let status = ScannerStatus { name: config.name.clone(), state: ScannerState::Waiting, last_scan: None };
            let Some(classifier) = &classifier else { break };
            match ScannerReader::spawn(config, Arc::clone(classifier), scanner_sender.clone(), Arc::clone(&wake)) {
                Ok(reader) => readers.push(reader),
                Err(e) => notice = Some(format!("scanner {}: its thread could not start: {e}", status.name)),
            }
            scanners.push(status);
        }
        StationApp {
            merchants: MerchantSummary::all(&setup.policies),
            storage: worker.as_ref().map(StorageWorker::client),
            _worker: worker,
            _readers: readers,
            path: setup.database,
            station: setup.station,
            database,
            demo_loading: false,
            classifier,
            scan_text: String::new(),
            recent: VecDeque::new(),
            next_scan: 0,
            scanners,
            events,
            event_sender,
            scanner_events,
            started: false,
            notice,
        }
    }

    pub fn station_view(&self) -> StationView {
        StationView {
            merchants: self.merchants.clone(),
            database: self.database.clone(),
            demo_loading: self.demo_loading,
        }
    }

    pub fn intake_view(&self) -> IntakeView {
        IntakeView { scanners: self.scanners.clone(), recent: self.recent.iter().map(|r| r.row.clone()).collect() }
    }

    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// Takes in what the workers and scanners answered, then sends any first requests.
    pub fn logic(&mut self, ctx: &egui::Context) {
        if !self.started {
            self.started = true;
            self.refresh_counts(ctx);
        }
        let deadline = Instant::now() + DRAIN_BUDGET;
        while Instant::now() < deadline {
            if let Ok(event) = self.scanner_events.try_recv() {
                self.take_scanner_event(event, ctx);
            } else if let Ok(event) = self.events.try_recv() {
                self.apply(event, ctx);
            } else {
                break;
            }
        }
    }

    /// Draws the window and carries out what the clerk asked for.
    pub fn draw(&mut self, ui: &mut egui::Ui) {
        let station = self.station_view();
        let intake = self.intake_view();
        let mut station_command = None;
        egui::Panel::right("station").resizable(true).default_size(380.0).show(ui, |ui| {
            ui.label(theme::heading(APP_NAME));
            ui.label(
                "The returns bench: scan a package, inspect it, decide it by the merchant's policy, queue the outcome.",
            );
            ui.add_space(8.0);
            station_command = station_ui(ui, &station);
            if let Some(notice) = &self.notice {
                ui.colored_label(theme::WAIT, notice);
            }
        });
        let mut intake_command = None;
        egui::CentralPanel::default().show(ui, |ui| {
            intake_command = intake_ui(ui, &intake, &mut self.scan_text);
        });
        if let Some(StationCommand::LoadDemo) = station_command {
            self.load_demo(ui.ctx());
        }
        if let Some(IntakeCommand::Scan(code)) = intake_command {
            self.keyboard_scan(&code, ui.ctx());
        }
    }

    fn take_scanner_event(&mut self, event: ScannerEvent, ctx: &egui::Context) {
        let status = |app: &mut StationApp, name: &str| app.scanners.iter_mut().position(|s| s.name == name);
        match event {
            ScannerEvent::Connected { scanner } => {
                if let Some(i) = status(self, &scanner) {
                    self.scanners[i].state = ScannerState::Connected;
                }
            }
            ScannerEvent::Disconnected { scanner, reason } => {
                if let Some(i) = status(self, &scanner) {
                    self.scanners[i].state = ScannerState::Disconnected(reason);
                }
            }
            ScannerEvent::Refused { scanner, reason, preview } => {
                self.push_row(ScanRow {
                    source: format!("scanner {scanner}"),
                    code: preview,
                    what: "not a scan".to_owned(),
                    outcome: ScanOutcome::Refused(reason.to_string()),
                });
            }
            ScannerEvent::Scan { scanner, code, classification, .. } => {
                if let Some(i) = status(self, &scanner) {
                    self.scanners[i].last_scan = Some(code.clone());
                }
                self.look_up(format!("scanner {scanner}"), code, *classification, ctx);
            }
        }
    }

    /// A keyboard-wedge scan or a typed number: screened like a serial scan, then classified the same.
    fn keyboard_scan(&mut self, typed: &str, ctx: &egui::Context) {
        let code = typed.trim().to_owned();
        if let Err(reason) = screen_text(&code) {
            self.push_row(ScanRow {
                source: "keyboard".to_owned(),
                code: preview_text(&code),
                what: "not a scan".to_owned(),
                outcome: ScanOutcome::Refused(reason.to_string()),
            });
            return;
        }
        let Some(classifier) = &self.classifier else { return };
        let classification = classifier.classify(&code);
        self.look_up("keyboard".to_owned(), code, classification, ctx);
    }

    fn look_up(&mut self, source: String, code: String, classification: Classification, ctx: &egui::Context) {
        let seq = self.next_scan;
        self.next_scan += 1;
        let what = describe_kind(&classification);
        let lookup = classification.clone();
        let sent = self.submit(
            ctx,
            move |store| crate::intake::find(store, &lookup).map_err(|e| e.to_string()),
            move |found| AppEvent::Matched { scan: seq, found },
        );
        let outcome =
            if sent { ScanOutcome::Looking } else { ScanOutcome::Failed("the database is not open".to_owned()) };
        self.recent.push_front(ScanRecord { seq, row: ScanRow { source, code, what, outcome } });
        self.recent.truncate(RECENT_SCANS);
    }

    fn push_row(&mut self, row: ScanRow) {
        let seq = self.next_scan;
        self.next_scan += 1;
        self.recent.push_front(ScanRecord { seq, row });
        self.recent.truncate(RECENT_SCANS);
    }

    fn apply(&mut self, event: AppEvent, ctx: &egui::Context) {
        match event {
            AppEvent::Counts(Ok(counts)) => {
                self.database = DatabaseView::Ready { path: self.path.display().to_string(), counts };
            }
            AppEvent::Counts(Err(message)) => self.notice = Some(message),
            AppEvent::DemoLoaded(result) => {
                self.demo_loading = false;
                self.notice = result.err();
                self.refresh_counts(ctx);
            }
            AppEvent::Matched { scan, found } => {
                if let Some(record) = self.recent.iter_mut().find(|r| r.seq == scan) {
                    record.row.outcome = match found {
                        Ok(found) => ScanOutcome::of(&found),
                        Err(message) => ScanOutcome::Failed(message),
                    };
                }
            }
        }
    }

    /// Sends `work` to the storage thread; its answer comes back as an event and wakes the UI.
    fn submit<R: Send + 'static>(
        &mut self,
        ctx: &egui::Context,
        work: impl FnOnce(&mut dyn Store) -> R + Send + 'static,
        event: impl FnOnce(R) -> AppEvent + Send + 'static,
    ) -> bool {
        let Some(storage) = &self.storage else { return false };
        let (sender, ctx) = (self.event_sender.clone(), ctx.clone());
        let queued = storage.submit(work, move |answer| {
            // The window may be closing; an answer nobody waits for is dropped.
            let _ = sender.send(event(answer));
            ctx.request_repaint();
        });
        if let Err(e) = &queued {
            self.notice = Some(e.to_string());
        }
        queued.is_ok()
    }

    fn refresh_counts(&mut self, ctx: &egui::Context) {
        self.submit(ctx, |store| store.counts().map_err(|e| e.to_string()), AppEvent::Counts);
    }

    fn load_demo(&mut self, ctx: &egui::Context) {
        // The clock is read here, at the edge; the demo's dates are moved to this day.
        let now = chrono::Local::now();
        let stamp = Stamp { at: now.to_utc(), station: self.station.clone(), operator: "setup".to_owned() };
        let today = now.date_naive();
        self.demo_loading = self.submit(
            ctx,
            move |store| {
                crate::demo::load_demo(store, today, &stamp)
                    .map(|(orders, rmas)| (orders.new, rmas.new))
                    .map_err(|e| e.to_string())
            },
            AppEvent::DemoLoaded,
        );
    }
}

/// What a scan is, in words: "tracking number (UPS)", "RMA number (merchant id)".
fn describe_kind(classification: &Classification) -> String {
    let kind = classification.kind();
    let detail = match &classification.reading {
        Reading::TrackingNumber(tracking) => Some(tracking.courier_name.clone()),
        Reading::RmaNumber(found) | Reading::OrderNumber(found) => Some(found.merchant.clone()),
        _ => None,
    };
    let words = match kind {
        Kind::RmaNumber => "RMA number",
        Kind::TrackingNumber => "tracking number",
        Kind::Gs1 => "GS1 data",
        Kind::ProductCode => "product code",
        Kind::OrderNumber => "order number",
        Kind::Unknown => "unrecognized code",
    };
    match detail {
        Some(detail) => format!("{words} ({detail})"),
        None => words.to_owned(),
    }
}

impl eframe::App for StationApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        StationApp::logic(self, ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.draw(ui);
    }
}
