//! [`StationApp`]: the bench's state, split as rerun splits its app. This file holds the state and starts
//! the workers; `logic` takes in what they answered; `ui` draws and collects the clerk's commands;
//! `command_handling` turns each command into a use case of [`crate::bench`] on the worker that owns what
//! it needs (`scans`, `operators`, `photos`, `labels` and `files` hold the longer flows; `live` what other
//! benches changed and what the bench does while its database is away; `views` builds what each screen
//! shows). Screens own no state of their own beyond what they are given, so everything
//! typed lives here and survives a change of screen.

mod command_handling;
mod files;
use command_handling::{AppCommand, BenchKey};
use files::{FileAnswer, FileWork, PacketPlace, file_errand};
mod labels;
mod live;
pub use live::kept_work_path;
mod logic;
mod operators;
use operators::{PinAnswer, PinCheck, PinWork, pin_errand};
mod photos;
mod scans;
mod ui;
mod views;

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use eframe::egui;

use crate::auth::{self, AuthError, SignedIn};
use crate::bench::decision::{Confirmed, Decided, OnTheBench, OverrideRequest, PreparedOverride};
use crate::bench::intake::IntakeMatch;
use crate::bench::intake::{Arrival, Received, Resumed};
use crate::bench::operators::SETUP;
use crate::bench::{self, Actor, BenchError, BenchPackage, Claim};
use crate::clock::{Clock, Now};
use crate::devices::scanner::{ScannerEvent, ScannerReader};
use crate::domain::inspection::{InspectionSheet, ItemScan};
use crate::domain::scan::command::BenchCommand;
use crate::domain::scan::{Classification, Classifier, Kind, Reading, preview_text, screen_text};
use crate::domain::vocabulary::{Checkpoint, Disposition, Queue, Role};
use crate::evidence::{self, PacketReceipt, PacketTarget};
use crate::exports::{ExportReport, ToWrite};
use crate::formats::kept_work::{KeptSheet, KeptWork};
use crate::gui::dashboard::{DashboardState, DashboardView, dashboard_ui};
use crate::gui::decision::{DecisionCommand, DecisionView, OverrideForm, decision_ui};
use crate::gui::inspection::{
    CheckpointLine, InspectionCommand, InspectionForm, InspectionView, PhotoPreview, PhotoTile, WebcamLine,
    checkpoint_words, inspection_ui, preview_ui,
};
use crate::gui::intake::{
    IntakeCommand, IntakeForm, IntakeView, MatchCard, ScanFieldInput, ScanOutcome, ScanRow, ScannerState,
    ScannerStatus, intake_ui, rma_line, scan_field_ui,
};
use crate::gui::labels::{LabelCommand, LabelPanel, label_panel_ui};
use crate::gui::picker::{Picker, PickerAction, picker_ui, start_candidates};
use crate::gui::printer::{PrinterCommand, PrinterForm, PrinterView, printer_ui};
use crate::gui::queues::{BATCHES_SHOWN, QueueTab, QueuesCommand, QueuesForm, QueuesView, queues_ui};
use crate::gui::records::{EVIDENCE_PACKET, RecordsCommand, RecordsForm, RecordsView, records_ui};
use crate::gui::settings::{SettingsCommand, SettingsForm, SettingsView, settings_ui};
use crate::gui::sign_in::{SignInCommand, SignInForm, SignInView, sign_in_ui};
use crate::gui::station::{DatabaseView, MerchantSummary, StationCommand, StationView, station_ui};
use crate::gui::status::{Level, Notices, Reach, notices_ui, reach_ui};
use crate::gui::{APP_NAME, StationSetup, theme};
use crate::labels::printer::PrinterTarget;
use crate::labels::worker::{LabelDone, LabelResult, LabelWork, LabelWorker};
use crate::labels::{BinLabel, LabelFormat, labels_of};
use crate::photos::decode::{DecodeLimits, RgbaPicture};
use crate::photos::hot_folder::{HotFolder, HotFolderEvent, Settle};
use crate::photos::listing::{self, ListAnswer, ListRequest};
use crate::photos::originals::SharedOriginals;
use crate::photos::store::{PhotoFolder, PhotoHash};
use crate::photos::webcam::{self, WebcamAnswer, WebcamWork, Webcams};
use crate::photos::worker::{PhotoDone, PhotoResult, PhotoWork, PhotoWorker};
use crate::policies::PolicySet;
use crate::storage::changes::{ChangeFeed, FeedEvent};
use crate::storage::location::DatabaseLocation;
use crate::storage::worker::{StorageClient, StorageWorker};
use crate::storage::{
    BatchSummary, Dashboard, EvidenceRecord, OperatorRow, PackageHistory, PackageRow, QueueRow, RmaMatch, Stamp, Store,
    StoreCounts, StoredOrder, exports_path,
};
use crate::worker::Outbox;
use crate::worker::errand::ErrandThread;

/// How many answers may wait for the UI (the UI drains them every frame).
const EVENT_QUEUE: usize = 64;
/// The longest `logic` spends taking in answers in one frame, so a flood never stalls drawing.
const DRAIN_BUDGET: Duration = Duration::from_millis(4);
/// How long the sheet on screen may differ from the saved one before it is saved: the most of a clerk's
/// work a close, a crash or a kill can lose. Short enough to lose little, long enough that typing a
/// note is not a write per key.
/// The words of the dialog a close with a package on the bench shows.
pub const CLOSING_TITLE: &str = "The package on the bench is saved";
pub const CLOSING_AWAY_TITLE: &str = "The database is away";
pub const CLOSE_NOW: &str = "Close the station";
pub const KEEP_WORKING: &str = "Keep working";
const AUTOSAVE_AFTER: Duration = Duration::from_millis(500);
/// Why a decision is not confirmed while the database is away.
pub const DECISION_WAITS: &str = "not confirmed: the database is away, and a decision is made on the records every bench \
     shares; the sheet is kept here — confirm again when the banner is gone";
/// Package scans kept on the intake screen.
const RECENT_SCANS: usize = 50;
/// Today's packages shown at intake.
const TODAY_LIMIT: usize = 200;
/// Queue items loaded for a queue tab (drawn only where visible).
const QUEUE_LIMIT: usize = 20_000;
/// Requests that may wait for the `pin-check` and `files` threads.
const ERRAND_QUEUE: usize = 16;
/// Records search results.
const FIND_LIMIT: usize = 100;

/// The screens of a signed-in station.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    SignIn,
    Intake,
    Inspection,
    Decision,
    Queues,
    Records,
    Settings,
    Dashboard,
}

impl Screen {
    /// The tabs across the top, with their keys.
    const TABS: [(Screen, egui::Key, &'static str); 6] = [
        (Screen::Intake, egui::Key::F1, "Intake (F1)"),
        (Screen::Inspection, egui::Key::F2, "Inspection (F2)"),
        (Screen::Queues, egui::Key::F3, "Queues (F3)"),
        (Screen::Records, egui::Key::F4, "Records (F4)"),
        (Screen::Settings, egui::Key::F5, "Settings (F5)"),
        (Screen::Dashboard, egui::Key::F9, "Daily view (F9)"),
    ];
}

/// Answers from the workers.
#[derive(Debug)]
enum AppEvent {
    Counts(Result<StoreCounts, Problem>),
    DemoLoaded(Result<(u64, u64), Problem>),
    Operators(Result<Vec<(String, Role, bool)>, Problem>),
    /// The operators a PIN may belong to, read for a sign-in or an override; the PIN is checked next on
    /// the `pin-check` thread.
    Candidates {
        purpose: PinCheck,
        pin: String,
        result: Result<Vec<OperatorRow>, Problem>,
    },
    /// A sign-in's PIN checked and its outcome recorded against the name's lockout, or why not.
    SignedIn(Result<SignedIn, Problem>),
    /// The first supervisor of a new station added (and signed in), or why not.
    FirstSupervisor(Result<SignedIn, Problem>),
    /// The lookup of the scan with this sequence number.
    Matched {
        scan: u64,
        code: String,
        kind: String,
        /// What the scan matched, and the packages received before for its only RMA.
        found: Result<(IntakeMatch, Vec<PackageHistory>), Problem>,
    },
    /// A supervisor's reopen of a decided package, done or refused.
    Reopened {
        package_id: i64,
        result: Result<crate::storage::Reopened, Problem>,
    },
    /// The audit chain's head, to keep outside the database today.
    HeadToAnchor(Result<crate::storage::AuditHead, Problem>),
    /// A decided package asked to be opened: its record is shown.
    ShowRecord(i64),
    /// A package received before, opened on the bench again.
    Resumed(Result<Box<Resumed>, Problem>),
    Searched {
        code: String,
        kind: String,
        found: Result<Vec<RmaMatch>, Problem>,
    },
    /// A package received and its inspection opened.
    Opened(Result<Box<Received>, Problem>),
    Today(Result<Vec<PackageRow>, Problem>),
    /// Packages received and not decided.
    Waiting(Result<Vec<PackageRow>, Problem>),
    InspectionSaved(Result<(), Problem>),
    /// The lease on the package on the bench renewed, or refused (another bench took it over).
    LeaseRenewed(Result<(), Problem>),
    /// A decision saved for the package known by `number`.
    Decided {
        number: String,
        currency: String,
        result: Result<Box<Confirmed>, Problem>,
    },
    /// An evidence packet written on request: where, or why not.
    EvidenceWritten {
        prefix: Option<String>,
        result: Result<String, Problem>,
    },
    /// What an export is to write, read (and for a new batch, claimed) on the storage thread.
    ExportClaimed(Result<Claimed, Problem>),
    /// An evidence packet's record, read to be written on the `files` thread.
    PacketRecord {
        prefix: Option<String>,
        result: Result<Box<EvidenceRecord>, Problem>,
    },
    OverrideRefused(String),
    Queue {
        tab: QueueTab,
        counts: Result<(Vec<(Queue, u64)>, u64), Problem>,
        rows: Result<QueueRows, Problem>,
    },
    QueueChanged(Result<String, Problem>),
    Found(Result<Vec<PackageRow>, Problem>),
    History(Result<Box<PackageHistory>, Problem>),
    OperatorAdded(Result<String, Problem>),
    PhotoRecorded {
        inspection_id: i64,
        tile: PhotoTileData,
        result: Result<(), Problem>,
    },
    /// A decided package's bin labels, for the intake screen's label panel.
    BinLabels {
        title: String,
        result: Result<Vec<BinLabel>, Problem>,
    },
    /// This station's label printer as read from its settings, or as just saved.
    Printer {
        saved: bool,
        result: Result<Option<PrinterTarget>, Problem>,
    },
    Dashboard(Result<Box<Dashboard>, Problem>),
}

/// Where a label panel is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LabelPlace {
    Intake,
    Records,
}

/// What a label request is for: the panel, and which of its packages (a newer package's labels replace it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LabelTag {
    place: LabelPlace,
    generation: u64,
}

/// Why a worker did not answer with what was asked: the typed error of the part that failed. It reaches
/// the screen as it is and is put into words once, where it is shown (and logged).
#[derive(Debug, thiserror::Error)]
enum Problem {
    #[error("{0}")]
    Bench(#[from] BenchError),
    #[error("{0}")]
    Store(#[from] crate::storage::StoreError),
    #[error("{0}")]
    Auth(#[from] AuthError),
    #[error("{0}")]
    Evidence(#[from] crate::evidence::EvidenceError),
    #[error("{0}")]
    Export(#[from] crate::exports::ExportFailure),
    #[error("{0}")]
    Label(#[from] crate::labels::LabelError),
    #[error("{0}")]
    PrinterSetting(#[from] crate::labels::printer::PrinterSettingError),
    #[error("{0}")]
    Demo(#[from] crate::demo::DemoError),
    #[error("{0}")]
    HotFolder(#[from] crate::photos::hot_folder::HotFolderError),
}

/// What an export found to write.
#[derive(Debug)]
enum Claimed {
    Write(Box<ToWrite>),
    NothingNew(Queue),
}

/// A queue tab's rows.
#[derive(Debug)]
enum QueueRows {
    Work(Vec<QueueRow>, Vec<BatchSummary>),
    Quarantine(Vec<PackageRow>),
}

/// A photo stored and recorded, before its thumbnail becomes a texture.
#[derive(Debug)]
struct PhotoTileData {
    pub sha256: String,
    pub checkpoint: Checkpoint,
    pub item: Option<usize>,
    pub thumbnail: RgbaPicture,
}

/// What a photo request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PhotoTag {
    /// A photo for this inspection, at this checkpoint, of this item.
    Attach { inspection_id: i64, checkpoint: Checkpoint, item: Option<usize> },
    /// The full view of a stored photo.
    Preview,
}

struct ScanRecord {
    seq: u64,
    row: ScanRow,
}

/// The last package scan's match, with the RMAs it offers.
struct PendingMatch {
    card: MatchCard,
    kind: String,
    options: Vec<RmaMatch>,
    /// The order of a package that has no RMA.
    order: Option<StoredOrder>,
}

/// "RMA-2026-0101 · order CP-20101 · Rosa Diaz · return, refund", or the order and "no RMA".
fn claim_title(claim: &Claim, package_id: i64) -> String {
    match claim {
        Claim::Rma(found) => rma_line(found),
        Claim::OrderOnly(order) => format!("order {} · {} · no RMA", order.record.number, order.record.customer_name),
        Claim::Quarantined => format!("package #{package_id} in quarantine: photograph its label"),
    }
}

/// The package on the bench: received, its inspection open, maybe decided on screen.
struct OpenPackage {
    package: BenchPackage,
    sheet: InspectionSheet,
    selected: usize,
    checkpoint: Checkpoint,
    photos: Vec<PhotoTile>,
    photos_pending: usize,
    /// The engine's decision on the sheet as it was when the clerk pressed Decide.
    decided: Option<Decided>,
    /// The sheet as last sent to the store, and since when the sheet on screen differs from it: the
    /// clerk's work is saved as it happens, at most [`AUTOSAVE_AFTER`] behind.
    saved_sheet: InspectionSheet,
    changed_at: Option<Instant>,
    /// When this bench last renewed its lease on the package (receiving or resuming it took one).
    renewed_at: Instant,
    /// The last save of the sheet failed for the database's absence: it is sent again when it is back.
    unsent: bool,
    saving: bool,
    message: Option<String>,
}

pub struct StationApp {
    policies: PolicySet,
    /// The one clock: every stamp, every "today" and the lockout's times come from it.
    clock: Clock,
    merchants: Vec<MerchantSummary>,
    data_dir: PathBuf,
    /// Where the database is: the SQLite file's path, or the PostgreSQL URL (never with its password).
    database_name: String,
    hot_folder_path: Option<PathBuf>,
    station: String,
    database: DatabaseView,
    demo_loading: bool,
    classifier: Option<Arc<Classifier>>,
    session: Option<SignedIn>,
    screen: Screen,
    sign_in: SignInView,
    sign_in_form: SignInForm,
    scan_text: String,
    recent: VecDeque<ScanRecord>,
    next_scan: u64,
    scanners: Vec<ScannerStatus>,
    pending: Option<PendingMatch>,
    intake_form: IntakeForm,
    today: Vec<PackageRow>,
    /// Packages received and not decided, newest first.
    waiting: Vec<PackageRow>,
    /// Set at sign-in: the first list of waiting packages puts this station's latest back on the bench,
    /// where a close or a crash left it.
    resume_on_start: bool,
    /// A close asked for with a package on the bench: what the clerk is told before the window closes.
    closing: Option<(&'static str, String)>,
    /// The clerk chose to close after reading it.
    close_confirmed: bool,
    bench: Option<OpenPackage>,
    inspection_form: InspectionForm,
    /// The photo opened in full, over whatever screen is showing.
    preview: Option<PhotoPreview>,
    /// The photo picker, open over the inspection screen.
    picker: Option<Picker>,
    /// The folder the picker last attached photos from, where it opens next.
    picker_folder: Option<PathBuf>,
    home: Option<PathBuf>,
    /// The webcams found (none yet while looking), the one chosen, and the photo being taken with its
    /// destination, fixed when the clerk pressed the key.
    webcams: Option<Webcams>,
    camera: usize,
    capturing: Option<PhotoTag>,
    override_form: OverrideForm,
    queues: QueuesView,
    queues_form: QueuesForm,
    records: RecordsView,
    records_form: RecordsForm,
    operators: Vec<(String, Role, bool)>,
    settings_message: Option<(bool, String)>,
    settings_form: SettingsForm,
    printer: PrinterView,
    printer_form: PrinterForm,
    /// The last decided package's labels (beside intake) and the open record's (beside records).
    intake_label: Option<LabelPanel>,
    records_label: Option<LabelPanel>,
    /// Counts the label panels filled, so a preview drawn for a package no longer shown is dropped.
    label_generation: u64,
    dashboard: DashboardState,
    /// The last outcome worth telling the clerk (good or not), shown under the scan field.
    banner: Option<(bool, String)>,
    /// The decision just confirmed, whose evidence packet the bar offers while its banner shows.
    last_decided: Option<i64>,
    storage: Option<StorageClient>,
    photo_worker: Option<PhotoWorker<PhotoTag>>,
    /// The `folder-list` thread: folder listings for the picker.
    lister: Option<ErrandThread<ListRequest>>,
    /// The `webcam` thread: finds cameras and takes photos with them.
    webcam: Option<ErrandThread<WebcamWork>>,
    label_worker: Option<LabelWorker<LabelTag>>,
    /// The `pin-check` thread: Argon2 for sign-ins, overrides and new PINs, off the storage thread.
    pins: Option<ErrandThread<PinWork>>,
    /// The station's PIN secret, for the `pin-check` thread and the demo's operators.
    pin_secret: Arc<crate::auth::PinSecret>,
    /// The `files` thread: evidence packets laid out and written, off the storage thread.
    files: Option<ErrandThread<FileWork>>,
    /// Held to be dropped with the app: their Drop stops the threads.
    _worker: Option<StorageWorker>,
    _readers: Vec<ScannerReader>,
    /// Set once the `files` thread has started the watch.
    hot_folder: Option<HotFolder>,
    events: Receiver<AppEvent>,
    /// The storage thread's way back: answers are delivered without ever blocking that thread, so the
    /// window can close with answers it never took in.
    answers: Outbox<AppEvent>,
    scanner_events: Receiver<ScannerEvent>,
    photo_results: Receiver<PhotoResult<PhotoTag>>,
    hot_folder_events: Receiver<HotFolderEvent>,
    listings: Receiver<ListAnswer>,
    webcam_answers: Receiver<WebcamAnswer>,
    label_results: Receiver<LabelResult<LabelTag>>,
    pin_answers: Receiver<PinAnswer>,
    file_answers: Receiver<FileAnswer>,
    started: bool,
    /// What went wrong outside the clerk's current action, kept until dismissed.
    notices: Notices,
    /// Whether the database answers, as the `changes` thread last said.
    reach: Reach,
    /// Package scans made while the database was away, in order: looked up when it is back.
    kept_scans: VecDeque<(u64, String)>,
    /// When work refused for the database's absence is sent again.
    resend_at: Option<Instant>,
    /// The kept work as last handed to the `files` thread to keep in the data folder.
    kept_written: KeptWork,
    /// A sheet kept by an earlier run of this bench, put back when its package is opened.
    restored_sheet: Option<KeptSheet>,
    /// The latest package scan looked up, to look it up again when other benches change something.
    last_lookup: Option<(u64, String)>,
    /// Since when other benches' news waits to be read into the screen.
    news_since: Option<Instant>,
    /// The `changes` thread: what other benches changed, and whether the database answers.
    _feed: Option<ChangeFeed>,
    feed_events: Receiver<FeedEvent>,
    /// The last banner that said something went wrong, as written to the log (so it is logged once).
    logged_banner: Option<String>,
}

impl std::fmt::Debug for StationApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StationApp")
            .field("station", &self.station)
            .field("screen", &self.screen)
            .field("database", &self.database)
            .finish_non_exhaustive()
    }
}
impl StationApp {
    /// Starts the storage, photo, scanner and hot-folder threads. `wake` asks for a repaint.
    pub fn new(setup: StationSetup, wake: Arc<dyn Fn() + Send + Sync>) -> StationApp {
        let (event_sender, events) = sync_channel(EVENT_QUEUE);
        let (scanner_sender, scanner_events) = sync_channel(EVENT_QUEUE);
        let (photo_sender, photo_results) = sync_channel(EVENT_QUEUE);
        let (hot_sender, hot_folder_events) = sync_channel(EVENT_QUEUE);
        let (listing_sender, listings) = sync_channel(EVENT_QUEUE);
        let (webcam_sender, webcam_answers) = sync_channel(EVENT_QUEUE);
        let (label_sender, label_results) = sync_channel(EVENT_QUEUE);
        let (pin_sender, pin_answers) = sync_channel(EVENT_QUEUE);
        let (file_sender, file_answers) = sync_channel(EVENT_QUEUE);
        let (feed_sender, feed_events) = sync_channel(EVENT_QUEUE);
        let mut notices = Notices::default();
        let database_name = match &setup.database {
            DatabaseLocation::Sqlite(path) => path.display().to_string(),
            DatabaseLocation::Postgres(url) => url.to_string(),
        };
        let feed = ChangeFeed::spawn(setup.database.clone(), feed_sender, Arc::clone(&wake))
            .map_err(|e| {
                notices.push(
                    Level::Error,
                    format!("other benches' changes are not shown: the thread could not start: {e}"),
                )
            })
            .ok();
        let (worker, database) = match setup.store.map(StorageWorker::spawn) {
            Ok(Ok(worker)) => (Some(worker), DatabaseView::Opening),
            Ok(Err(e)) => (None, DatabaseView::Failed(format!("the storage thread could not start: {e}"))),
            Err(e) => (None, DatabaseView::Failed(e.to_string())),
        };
        let classifier = match Classifier::new(&setup.policies.classifier_config()) {
            Ok(classifier) => Some(Arc::new(classifier)),
            Err(e) => {
                notices.push(Level::Error, format!("scans cannot be classified: {e}"));
                None
            }
        };
        let mut readers = Vec::new();
        let mut scanners = Vec::new();
        for config in setup.scanners {
            let setup = format!(
                "{}, {} baud, {:?} suffix, repeats within {} ms count once",
                config.port,
                config.baud,
                config.framing.terminator,
                config.repeat_window.as_millis()
            );
            let status =
                ScannerStatus { name: config.name.clone(), setup, state: ScannerState::Waiting, last_scan: None };
            let Some(classifier) = &classifier else { break };
            match ScannerReader::spawn(config, Arc::clone(classifier), scanner_sender.clone(), Arc::clone(&wake)) {
                Ok(reader) => readers.push(reader),
                Err(e) => {
                    notices.push(Level::Error, format!("scanner {}: its thread could not start: {e}", status.name))
                }
            }
            scanners.push(status);
        }
        let folder = PhotoFolder::new(crate::storage::photos_path(&setup.data_dir));
        // A photo another bench took is fetched through the storage thread, by the photo thread, never this one.
        let shared = worker.as_ref().map(|w| Box::new(w.client()) as Box<dyn SharedOriginals + Send>);
        let photo_worker = match PhotoWorker::spawn(
            folder,
            shared,
            DecodeLimits::default(),
            setup.clock.clone(),
            photo_sender,
            Arc::clone(&wake),
        ) {
            Ok(worker) => Some(worker),
            Err(e) => {
                notices.push(Level::Error, format!("photos cannot be taken in: the photo thread could not start: {e}"));
                None
            }
        };
        let lister = ErrandThread::spawn(
            "folder-list",
            listing::QUEUE_DEPTH,
            listing_sender,
            Arc::clone(&wake),
            listing::answer,
        )
        .map_err(|e| {
            notices.push(Level::Error, format!("the photo picker cannot list folders: its thread could not start: {e}"))
        })
        .ok();
        let devices = setup.video_devices;
        let webcam =
            ErrandThread::spawn("webcam", webcam::QUEUE_DEPTH, webcam_sender, Arc::clone(&wake), move |work| {
                webcam::errand(&devices, work)
            })
            .map_err(|e| {
                notices.push(Level::Error, format!("webcams cannot be used: their thread could not start: {e}"))
            })
            .ok();
        let label_worker = match LabelWorker::spawn(label_sender, Arc::clone(&wake)) {
            Ok(worker) => Some(worker),
            Err(e) => {
                notices.push(Level::Error, format!("bin labels cannot be made: the label thread could not start: {e}"));
                None
            }
        };
        let pin_secret = Arc::new(setup.pin_secret);
        let secret = Arc::clone(&pin_secret);
        let pin_check = move |work| pin_errand(work, &secret);
        let pins = ErrandThread::spawn("pin-check", ERRAND_QUEUE, pin_sender, Arc::clone(&wake), pin_check)
            .map_err(|e| {
                notices.push(Level::Error, format!("PINs cannot be checked: their thread could not start: {e}"))
            })
            .ok();
        let files = ErrandThread::spawn("files", ERRAND_QUEUE, file_sender, Arc::clone(&wake), file_errand)
            .map_err(|e| {
                notices.push(
                    Level::Error,
                    format!("evidence packets cannot be written: their thread could not start: {e}"),
                )
            })
            .ok();
        // The hot folder is listed (what is there already is not new) on the `files` thread, not here.
        if let (Some(folder), Some(files)) = (&setup.hot_folder, &files) {
            let work = FileWork::WatchHotFolder { folder: folder.clone(), events: hot_sender, wake: Arc::clone(&wake) };
            if let Err(e) = files.submit(work) {
                notices.push(Level::Error, format!("the hot folder is not watched: {e}"));
            }
        }
        let clock = setup.clock;
        StationApp {
            merchants: MerchantSummary::all(&setup.policies),
            policies: setup.policies,
            storage: worker.as_ref().map(StorageWorker::client),
            _worker: worker,
            _readers: readers,
            hot_folder: None,
            photo_worker,
            lister,
            webcam,
            label_worker,
            pins,
            files,
            data_dir: setup.data_dir,
            database_name,
            pin_secret,
            hot_folder_path: setup.hot_folder,
            station: setup.station,
            database,
            demo_loading: false,
            classifier,
            session: None,
            screen: Screen::SignIn,
            sign_in: SignInView { has_operators: None, busy: false, message: None, demo_hint: None },
            sign_in_form: SignInForm::default(),
            scan_text: String::new(),
            recent: VecDeque::new(),
            next_scan: 0,
            scanners,
            pending: None,
            intake_form: IntakeForm::default(),
            today: Vec::new(),
            waiting: Vec::new(),
            resume_on_start: false,
            closing: None,
            close_confirmed: false,
            bench: None,
            inspection_form: InspectionForm::default(),
            preview: None,
            picker: None,
            picker_folder: None,
            home: dirs::home_dir(),
            webcams: None,
            camera: 0,
            capturing: None,
            override_form: OverrideForm::default(),
            queues: QueuesView {
                counts: Queue::ALL.iter().map(|q| (*q, 0)).collect(),
                quarantined: 0,
                tab: QueueTab::Work(Queue::Refund),
                rows: Vec::new(),
                batches: Vec::new(),
                quarantine: Vec::new(),
                today: clock.now().today,
                loading: false,
                message: None,
            },
            queues_form: QueuesForm::default(),
            records: RecordsView::default(),
            records_form: RecordsForm::default(),
            operators: Vec::new(),
            settings_message: None,
            settings_form: SettingsForm::default(),
            printer: PrinterView::default(),
            printer_form: PrinterForm::default(),
            intake_label: None,
            records_label: None,
            label_generation: 0,
            dashboard: DashboardState::default(),
            banner: None,
            last_decided: None,
            events,
            answers: Outbox::new(event_sender, Arc::clone(&wake)),
            scanner_events,
            photo_results,
            hot_folder_events,
            listings,
            webcam_answers,
            label_results,
            pin_answers,
            file_answers,
            started: false,
            notices,
            reach: Reach::Connected,
            kept_scans: VecDeque::new(),
            resend_at: None,
            kept_written: KeptWork::default(),
            restored_sheet: None,
            last_lookup: None,
            news_since: None,
            _feed: feed,
            feed_events,
            logged_banner: None,
            clock,
        }
    }

    /// Who is acting at this bench: the signed-in operator, or the station's setup before anyone has.
    fn actor(&self) -> Actor {
        match &self.session {
            Some(session) => Actor { name: session.name.clone(), role: session.role, station: self.station.clone() },
            None => Actor { name: SETUP.to_owned(), role: Role::Clerk, station: self.station.clone() },
        }
    }

    /// The time now, from the clock the app was given.
    fn now(&self) -> Now {
        self.clock.now()
    }

    /// Who, where and when, for a record made now.
    fn stamp(&self) -> Stamp {
        self.actor().stamp(&self.now())
    }

    /// Merchant ids and names, for a label made on another thread.
    fn merchant_names(&self) -> Vec<(String, String)> {
        self.policies.iter().map(|l| (l.policy.merchant.id.clone(), l.policy.merchant.name.clone())).collect()
    }

    /// Sends `work` to the storage thread; its answer comes back as an event and wakes the UI.
    fn submit<R: Send + 'static>(
        &mut self,
        ctx: &egui::Context,
        work: impl FnOnce(&mut dyn Store) -> R + Send + 'static,
        event: impl FnOnce(R) -> AppEvent + Send + 'static,
    ) -> bool {
        let Some(storage) = &self.storage else { return false };
        let ctx = ctx.clone();
        let answers = self.answers.with_wake(Arc::new(move || ctx.request_repaint()));
        let queued = storage.submit_to(work, answers, event);
        if let Err(e) = &queued {
            self.notices.push(Level::Error, e.to_string());
        }
        queued.is_ok()
    }
}

/// A merchant's name by its id (the id itself for a merchant no policy names).
fn merchant_name(names: &[(String, String)], id: &str) -> String {
    names.iter().find(|(known, _)| known == id).map_or_else(|| id.to_owned(), |(_, name)| name.clone())
}

/// A decoded picture as a texture the screen can draw.
fn texture(ctx: &egui::Context, sha256: &str, what: &str, picture: &RgbaPicture) -> egui::TextureHandle {
    let image =
        egui::ColorImage::from_rgba_unmultiplied([picture.width as usize, picture.height as usize], &picture.rgba);
    ctx.load_texture(format!("{what}-{sha256}"), image, Default::default())
}

/// The banner after a decision is saved: "RMA-2026-0101 decided: accept — refund $45.00".
fn decided_summary(number: &str, currency: &str, saved: &Confirmed) -> String {
    let decision = &saved.decision;
    let mut words = format!("{number} decided: {} — {}", decision.verdict, decision.disposition);
    if !decision.money.net.is_zero() {
        words.push_str(&format!(" {}", crate::domain::policy::words::format_amount(decision.money.net, currency)));
    }
    if saved.overridden {
        words.push_str(" (override)");
    }
    let queues: Vec<&str> = saved.queued.iter().map(|queue| queue.as_str()).collect();
    if !queues.is_empty() {
        words.push_str(&format!("; queued: {}", queues.join(", ")));
    }
    words
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
