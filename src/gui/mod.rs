//! The station's window (egui + eframe). For now: the start screen, which says what the station is,
//! which merchants' policies are loaded and what the database holds, and offers the demo data on an
//! empty database. The bench screens (intake, inspection, decision, queues) come next.
//!
//! The UI thread only draws and routes: database work goes to the storage thread through
//! [`StorageClient::submit`], whose answers come back as [`AppEvent`]s drained in `logic` under a time
//! budget, with a repaint request so they show in the next frame.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use eframe::egui;

use crate::domain::policy::words::describe;
use crate::policies::PolicySet;
use crate::storage::sqlite::SqliteStore;
use crate::storage::worker::{StorageClient, StorageWorker};
use crate::storage::{Stamp, StoreCounts, StoreError};

/// The window's title and the app's name in the OS.
pub const APP_NAME: &str = "RMA Station";
/// The start screen's offer on an empty database.
pub const LOAD_DEMO: &str = "Load demo data";

/// How many answers from workers may wait for the UI; workers never block on a full queue for long
/// because the UI drains it every frame.
const EVENT_QUEUE: usize = 64;
/// The longest `logic` spends draining events in one frame, so a flood never stalls drawing.
const DRAIN_BUDGET: Duration = Duration::from_millis(4);

/// Opens the database in `data_dir` and the station's window, and runs until it is closed.
pub fn run(policies: PolicySet, data_dir: &Path, station: String) -> eframe::Result {
    let path = crate::storage::database_path(data_dir);
    let store = SqliteStore::open(&path, &policies);
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default().with_title(APP_NAME).with_inner_size([1024.0, 720.0]),
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    eframe::run_native(
        APP_NAME,
        options,
        Box::new(move |_cc| Ok(Box::new(StationApp::new(&policies, path, store, station)))),
    )
}

/// Answers from the workers.
#[derive(Debug)]
pub enum AppEvent {
    Counts(Result<StoreCounts, String>),
    DemoLoaded(Result<(u64, u64), String>),
}

/// What the start screen asks the app to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartCommand {
    LoadDemo,
}

/// The database as the start screen knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseView {
    Opening,
    Ready { path: String, counts: StoreCounts },
    Failed(String),
}

/// What the start screen shows: plain data, built from the app's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartView {
    pub merchants: Vec<MerchantSummary>,
    pub database: DatabaseView,
    /// The last thing that went wrong, in words for the clerk.
    pub notice: Option<String>,
    pub demo_loading: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantSummary {
    pub name: String,
    pub id: String,
    pub rule_count: usize,
    pub source: String,
}

impl MerchantSummary {
    pub fn all(policies: &PolicySet) -> Vec<MerchantSummary> {
        policies
            .iter()
            .map(|loaded| MerchantSummary {
                name: loaded.policy.merchant.name.clone(),
                id: loaded.policy.merchant.id.clone(),
                rule_count: describe(&loaded.policy).iter().map(|s| s.rules.len()).sum(),
                source: loaded.policy.merchant.source.clone(),
            })
            .collect()
    }

    /// The line the start screen shows for this merchant.
    pub fn line(&self) -> String {
        format!("{} ({}): {} rules from {}", self.name, self.id, self.rule_count, self.source)
    }
}

#[derive(Debug)]
pub struct StationApp {
    merchants: Vec<MerchantSummary>,
    path: PathBuf,
    station: String,
    database: DatabaseView,
    notice: Option<String>,
    demo_loading: bool,
    storage: Option<StorageClient>,
    /// Held only to be dropped with the app: its Drop stops the storage thread after pending work.
    _worker: Option<StorageWorker>,
    events: Receiver<AppEvent>,
    event_sender: SyncSender<AppEvent>,
    /// Whether the first counts request has been sent (it needs the egui context to wake the UI).
    started: bool,
}

impl StationApp {
    /// The app over an opened store (or the reason it could not be opened).
    pub fn new(
        policies: &PolicySet,
        path: PathBuf,
        store: Result<SqliteStore, StoreError>,
        station: String,
    ) -> StationApp {
        let (event_sender, events) = sync_channel(EVENT_QUEUE);
        let (worker, database) = match store.map(|s| StorageWorker::spawn(Box::new(s))) {
            Ok(Ok(worker)) => (Some(worker), DatabaseView::Opening),
            Ok(Err(e)) => (None, DatabaseView::Failed(format!("the storage thread could not start: {e}"))),
            Err(e) => (None, DatabaseView::Failed(e.to_string())),
        };
        StationApp {
            merchants: MerchantSummary::all(policies),
            storage: worker.as_ref().map(StorageWorker::client),
            _worker: worker,
            path,
            station,
            database,
            notice: None,
            demo_loading: false,
            events,
            event_sender,
            started: false,
        }
    }

    pub fn view(&self) -> StartView {
        StartView {
            merchants: self.merchants.clone(),
            database: self.database.clone(),
            notice: self.notice.clone(),
            demo_loading: self.demo_loading,
        }
    }

    /// Takes in what the workers answered, then sends any first requests.
    pub fn logic(&mut self, ctx: &egui::Context) {
        if !self.started {
            self.started = true;
            self.refresh_counts(ctx);
        }
        let deadline = Instant::now() + DRAIN_BUDGET;
        while Instant::now() < deadline {
            let Ok(event) = self.events.try_recv() else { break };
            self.apply(event, ctx);
        }
    }

    /// Draws the screen and carries out what the clerk asked for.
    pub fn draw(&mut self, ui: &mut egui::Ui) {
        if let Some(StartCommand::LoadDemo) = start_ui(ui, &self.view()) {
            self.load_demo(ui.ctx());
        }
    }

    fn apply(&mut self, event: AppEvent, ctx: &egui::Context) {
        match event {
            AppEvent::Counts(Ok(counts)) => {
                self.database = DatabaseView::Ready { path: self.path.display().to_string(), counts };
            }
            AppEvent::Counts(Err(message)) => self.notice = Some(message),
            AppEvent::DemoLoaded(result) => {
                self.demo_loading = false;
                match result {
                    Ok(_) => self.notice = None,
                    Err(message) => self.notice = Some(message),
                }
                self.refresh_counts(ctx);
            }
        }
    }

    /// Sends `work` to the storage thread; its answer comes back as an event and wakes the UI.
    fn submit<R: Send + 'static>(
        &mut self,
        ctx: &egui::Context,
        work: impl FnOnce(&mut dyn crate::storage::Store) -> R + Send + 'static,
        event: fn(R) -> AppEvent,
    ) -> bool {
        let Some(storage) = &self.storage else { return false };
        let (sender, ctx) = (self.event_sender.clone(), ctx.clone());
        let queued = storage.submit(work, move |answer| {
            // The UI may be closing; an answer nobody waits for is dropped.
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

impl eframe::App for StationApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        StationApp::logic(self, ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.draw(ui);
    }
}

/// Draws the start screen; returns what the clerk asked for.
pub fn start_ui(ui: &mut egui::Ui, view: &StartView) -> Option<StartCommand> {
    let mut command = None;
    egui::CentralPanel::default().show(ui, |ui| {
        ui.heading(APP_NAME);
        ui.label(
            "The returns bench: scan a package, inspect it, decide it by the merchant's policy, queue the outcome.",
        );
        ui.add_space(12.0);
        ui.strong("Merchant policies loaded");
        for merchant in &view.merchants {
            ui.label(merchant.line());
        }
        ui.add_space(12.0);
        ui.strong("Database");
        match &view.database {
            DatabaseView::Opening => {
                ui.label("Opening the database…");
            }
            DatabaseView::Failed(message) => {
                ui.colored_label(ui.visuals().error_fg_color, message);
            }
            DatabaseView::Ready { path, counts } => {
                ui.label(database_line(path, counts));
                if counts.orders == 0 {
                    ui.label("The database is empty. Import orders and RMAs, or try the station with demo data.");
                    let button = ui.add_enabled(!view.demo_loading, egui::Button::new(LOAD_DEMO));
                    if button.clicked() {
                        command = Some(StartCommand::LoadDemo);
                    }
                }
            }
        }
        if let Some(notice) = &view.notice {
            ui.colored_label(ui.visuals().warn_fg_color, notice);
        }
    });
    command
}

/// "station.sqlite3: 24 orders, 20 RMAs, 0 packages".
pub fn database_line(path: &str, counts: &StoreCounts) -> String {
    format!("{path}: {} orders, {} RMAs, {} packages", counts.orders, counts.rmas, counts.packages)
}
