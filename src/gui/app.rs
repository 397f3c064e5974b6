//! [`StationApp`]: the bench's state and its routing. `logic` takes in what the workers answered;
//! `draw` draws the signed-in operator's screen and carries out the commands its screen returns, by
//! sending work to the storage or photo thread. Screens own no state of their own beyond what they are
//! given, so everything typed lives here and survives a change of screen.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, sync_channel};
use std::time::{Duration, Instant};

use chrono::{DateTime, Local, NaiveDate, Utc};
use eframe::egui;

use crate::auth::{self, SignedIn};
use crate::devices::scanner::{ScannerEvent, ScannerReader};
use crate::domain::decision::Decision;
use crate::domain::inspection::{InspectionSheet, ItemScan};
use crate::domain::lockout::Lockout;
use crate::domain::money::Money;
use crate::domain::queue::{QueueEntry, queue_entries};
use crate::domain::scan::command::BenchCommand;
use crate::domain::scan::{Classification, Classifier, Kind, Reading, preview_text, screen_text};
use crate::domain::vocabulary::{Checkpoint, Disposition, Queue, Role};
use crate::evidence::{self, PacketTarget};
use crate::formats::case_json::{Case, decision_json};
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
use crate::gui::{APP_NAME, StationSetup, theme};
use crate::intake::IntakeMatch;
use crate::labels::printer::PrinterTarget;
use crate::labels::worker::{LabelDone, LabelResult, LabelWork, LabelWorker};
use crate::labels::{BinLabel, LabelFormat, labels_of};
use crate::photos::decode::{DecodeLimits, RgbaPicture};
use crate::photos::errand::ErrandThread;
use crate::photos::hot_folder::{HotFolder, HotFolderEvent, Settle};
use crate::photos::listing::{self, ListAnswer, ListRequest};
use crate::photos::store::{PhotoFolder, PhotoHash};
use crate::photos::webcam::{self, WebcamAnswer, WebcamWork, Webcams};
use crate::photos::worker::{PhotoDone, PhotoResult, PhotoWork, PhotoWorker};
use crate::policies::PolicySet;
use crate::storage::worker::{StorageClient, StorageWorker};
use crate::storage::{
    BatchSummary, Dashboard, DashboardPeriod, DecisionToSave, Override, PackageHistory, PackageRow, QueueRow,
    ReceivedPackage, RmaMatch, Stamp, Store, StoreCounts, StoredOrder, exports_path,
};
use crate::worker::Outbox;

/// How many answers may wait for the UI (the UI drains them every frame).
const EVENT_QUEUE: usize = 64;
/// The longest `logic` spends taking in answers in one frame, so a flood never stalls drawing.
const DRAIN_BUDGET: Duration = Duration::from_millis(4);
/// Package scans kept on the intake screen.
const RECENT_SCANS: usize = 50;
/// Today's packages shown at intake.
const TODAY_LIMIT: usize = 200;
/// Queue items loaded for a queue tab (drawn only where visible).
const QUEUE_LIMIT: usize = 20_000;
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
pub enum AppEvent {
    Counts(Result<StoreCounts, String>),
    DemoLoaded(Result<(u64, u64), String>),
    Operators(Result<Vec<(String, Role, bool)>, String>),
    /// A sign-in's answer; an error says whether it was a wrong name or PIN (which counts towards the
    /// lockout) or something else, such as a database error (which does not).
    SignedIn {
        name: String,
        result: Result<SignedIn, (bool, String)>,
    },
    /// The lookup of the scan with this sequence number.
    Matched {
        scan: u64,
        code: String,
        kind: String,
        found: Result<IntakeMatch, String>,
    },
    Searched {
        code: String,
        kind: String,
        found: Result<Vec<RmaMatch>, String>,
    },
    /// A package received and its inspection opened: package and inspection ids.
    Opened {
        claim: Box<Claim>,
        result: Result<(i64, i64), String>,
    },
    Today(Result<Vec<PackageRow>, String>),
    InspectionSaved(Result<(), String>),
    Decided {
        summary: String,
        result: Result<SavedDecision, String>,
    },
    /// An evidence packet written on request: where, or why not.
    EvidenceWritten(Result<String, String>),
    OverrideRefused {
        supervisor: String,
        message: String,
    },
    Queue {
        tab: QueueTab,
        counts: Result<(Vec<(Queue, u64)>, u64), String>,
        rows: Result<QueueRows, String>,
    },
    QueueChanged(Result<String, String>),
    Found(Result<Vec<PackageRow>, String>),
    History(Result<Box<PackageHistory>, String>),
    OperatorAdded(Result<String, String>),
    PhotoRecorded {
        inspection_id: i64,
        tile: PhotoTileData,
        result: Result<(), String>,
    },
    /// A decided package's bin labels, for the intake screen's label panel.
    BinLabels {
        title: String,
        result: Result<Vec<BinLabel>, String>,
    },
    /// This station's label printer as read from its settings, or as just saved.
    Printer {
        saved: bool,
        result: Result<Option<PrinterTarget>, String>,
    },
    Dashboard(Result<Box<Dashboard>, String>),
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

/// A confirmed decision as saved, and what became of its automatic evidence packet (none: it gets one only
/// on request).
#[derive(Debug)]
pub struct SavedDecision {
    pub id: i64,
    pub packet: Option<Result<String, String>>,
}

/// A queue tab's rows.
#[derive(Debug)]
pub enum QueueRows {
    Work(Vec<QueueRow>, Vec<BatchSummary>),
    Quarantine(Vec<PackageRow>),
}

/// A photo stored and recorded, before its thumbnail becomes a texture.
#[derive(Debug)]
pub struct PhotoTileData {
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

/// What a package on the bench was matched to.
#[derive(Debug, Clone)]
pub enum Claim {
    /// An RMA and its order.
    Rma(RmaMatch),
    /// An order, but no RMA: the merchant's policy for packages without authorization decides it.
    OrderOnly(StoredOrder),
    /// Nothing yet: the package waits in quarantine; only its label is photographed.
    Quarantined,
}

impl Claim {
    fn order(&self) -> Option<&StoredOrder> {
        match self {
            Claim::Rma(found) => Some(&found.order),
            Claim::OrderOnly(order) => Some(order),
            Claim::Quarantined => None,
        }
    }

    /// "RMA-2026-0101 · order CP-20101 · Rosa Diaz · return, refund", or the order and "no RMA".
    fn title(&self, package_id: i64) -> String {
        match self {
            Claim::Rma(found) => rma_line(found),
            Claim::OrderOnly(order) => {
                format!("order {} · {} · no RMA", order.record.number, order.record.customer_name)
            }
            Claim::Quarantined => format!("package #{package_id} in quarantine: photograph its label"),
        }
    }

    /// The number the clerk knows the package by.
    fn number(&self, package_id: i64) -> String {
        match self {
            Claim::Rma(found) => found.rma.record.number.clone(),
            Claim::OrderOnly(order) => format!("order {}", order.record.number),
            Claim::Quarantined => format!("package #{package_id}"),
        }
    }
}

/// The package on the bench: received, its inspection open, maybe decided on screen.
struct OpenPackage {
    package_id: i64,
    inspection_id: i64,
    claim: Claim,
    sheet: InspectionSheet,
    selected: usize,
    checkpoint: Checkpoint,
    photos: Vec<PhotoTile>,
    photos_pending: usize,
    /// The engine's decision on the sheet as it was when the clerk pressed Decide.
    decided: Option<Decided>,
    saving: bool,
    message: Option<String>,
}

struct Decided {
    case: Case,
    decision: Decision,
    entries: Vec<QueueEntry>,
}

pub struct StationApp {
    policies: PolicySet,
    merchants: Vec<MerchantSummary>,
    data_dir: PathBuf,
    hot_folder_path: Option<PathBuf>,
    station: String,
    database: DatabaseView,
    demo_loading: bool,
    classifier: Option<Arc<Classifier>>,
    session: Option<SignedIn>,
    screen: Screen,
    lockout: Lockout,
    sign_in: SignInView,
    sign_in_form: SignInForm,
    scan_text: String,
    recent: VecDeque<ScanRecord>,
    next_scan: u64,
    scanners: Vec<ScannerStatus>,
    pending: Option<PendingMatch>,
    intake_form: IntakeForm,
    today: Vec<PackageRow>,
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
    /// Held to be dropped with the app: their Drop stops the threads.
    _worker: Option<StorageWorker>,
    _readers: Vec<ScannerReader>,
    _hot_folder: Option<HotFolder>,
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
    started: bool,
    /// The last thing that went wrong outside a scan, in words for the clerk.
    notice: Option<String>,
    /// The notice and the bad banner last written to the log, so each is logged once.
    logged: (Option<String>, Option<String>),
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
                Err(e) => notice = Some(format!("scanner {}: its thread could not start: {e}", status.name)),
            }
            scanners.push(status);
        }
        let folder = PhotoFolder::new(crate::storage::photos_path(&setup.data_dir));
        let photo_worker = match PhotoWorker::spawn(folder, DecodeLimits::default(), photo_sender, Arc::clone(&wake)) {
            Ok(worker) => Some(worker),
            Err(e) => {
                notice = Some(format!("photos cannot be taken in: the photo thread could not start: {e}"));
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
        .map_err(|e| notice = Some(format!("the photo picker cannot list folders: its thread could not start: {e}")))
        .ok();
        let devices = setup.video_devices;
        let webcam =
            ErrandThread::spawn("webcam", webcam::QUEUE_DEPTH, webcam_sender, Arc::clone(&wake), move |work| {
                webcam::errand(&devices, work)
            })
            .map_err(|e| notice = Some(format!("webcams cannot be used: their thread could not start: {e}")))
            .ok();
        let label_worker = match LabelWorker::spawn(label_sender, Arc::clone(&wake)) {
            Ok(worker) => Some(worker),
            Err(e) => {
                notice = Some(format!("bin labels cannot be made: the label thread could not start: {e}"));
                None
            }
        };
        let hot_folder = setup.hot_folder.as_deref().and_then(|folder| {
            HotFolder::watch(folder, Settle::default(), hot_sender, Arc::clone(&wake))
                .map_err(|e| notice = Some(e.to_string()))
                .ok()
        });
        StationApp {
            merchants: MerchantSummary::all(&setup.policies),
            policies: setup.policies,
            storage: worker.as_ref().map(StorageWorker::client),
            _worker: worker,
            _readers: readers,
            _hot_folder: hot_folder,
            photo_worker,
            lister,
            webcam,
            label_worker,
            data_dir: setup.data_dir,
            hot_folder_path: setup.hot_folder,
            station: setup.station,
            database,
            demo_loading: false,
            classifier,
            session: None,
            screen: Screen::SignIn,
            lockout: Lockout::new(),
            sign_in: SignInView { has_operators: None, busy: false, message: None, demo_hint: None },
            sign_in_form: SignInForm::default(),
            scan_text: String::new(),
            recent: VecDeque::new(),
            next_scan: 0,
            scanners,
            pending: None,
            intake_form: IntakeForm::default(),
            today: Vec::new(),
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
                today: Local::now().date_naive(),
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
            started: false,
            notice,
            logged: (None, None),
        }
    }

    pub fn screen(&self) -> Screen {
        self.screen
    }

    /// The signed-in operator.
    pub fn operator(&self) -> Option<&SignedIn> {
        self.session.as_ref()
    }

    pub fn station_view(&self) -> StationView {
        StationView {
            merchants: self.merchants.clone(),
            database: self.database.clone(),
            demo_loading: self.demo_loading,
        }
    }

    pub fn sign_in_view(&self) -> SignInView {
        self.sign_in.clone()
    }

    pub fn intake_view(&self) -> IntakeView {
        IntakeView {
            scanners: self.scanners.clone(),
            recent: self.recent.iter().map(|r| r.row.clone()).collect(),
            card: self.pending.as_ref().map(|p| p.card.clone()),
            today: self.today.clone(),
        }
    }

    /// The open package's inspection, if one is open.
    pub fn inspection_view(&self) -> Option<InspectionView> {
        let bench = self.bench.as_ref()?;
        let taken: Vec<Checkpoint> = bench.photos.iter().map(|p| p.checkpoint).collect();
        let checkpoints = match &bench.claim {
            Claim::Rma(found) => self
                .policies
                .get(&found.rma.record.merchant)
                .map(|loaded| {
                    bench
                        .sheet
                        .checkpoints(&loaded.policy, found.rma.record.kind, &taken)
                        .into_iter()
                        .map(|(rule, taken)| CheckpointLine {
                            checkpoint: rule.checkpoint,
                            clause: rule.clause.id.clone(),
                            words: rule.clause.text.clone(),
                            taken,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            Claim::OrderOnly(_) | Claim::Quarantined => Vec::new(),
        };
        Some(InspectionView {
            title: bench.claim.title(bench.package_id),
            checkpoints,
            photos: bench.photos.clone(),
            selected: bench.selected,
            checkpoint: bench.checkpoint,
            photos_pending: bench.photos_pending,
            saving: bench.saving,
            photos_only: matches!(bench.claim, Claim::Quarantined),
            webcam: self.webcam_line(),
        })
    }

    /// The webcam's line on the photo panel.
    fn webcam_line(&self) -> WebcamLine {
        match &self.webcams {
            None => WebcamLine::Looking,
            Some(Webcams::Found(cameras)) => WebcamLine::Cameras {
                names: cameras.iter().map(|c| format!("{} ({})", c.name, c.node.display())).collect(),
                chosen: self.camera,
                capturing: self.capturing.is_some(),
            },
            Some(other) => WebcamLine::Unavailable(other.words()),
        }
    }

    /// The photo picker, if it is open.
    pub fn picker(&self) -> Option<&Picker> {
        self.picker.as_ref()
    }

    /// The photo opened in full, if any.
    pub fn preview(&self) -> Option<&PhotoPreview> {
        self.preview.as_ref()
    }

    /// The sheet being filled in, if a package is open.
    pub fn sheet(&self) -> Option<&InspectionSheet> {
        self.bench.as_ref().map(|b| &b.sheet)
    }

    /// The decision on screen, if the clerk has asked for one.
    pub fn decision_view(&self) -> Option<DecisionView> {
        let bench = self.bench.as_ref()?;
        let decided = bench.decided.as_ref()?;
        let currency = bench.claim.order().map_or("", |order| order.record.currency.as_str());
        let mut view =
            DecisionView::of(bench.claim.title(bench.package_id), &decided.decision, currency, &decided.entries);
        view.saving = bench.saving;
        view.message = bench.message.clone();
        Some(view)
    }

    pub fn queues_view(&self) -> &QueuesView {
        &self.queues
    }

    pub fn records_view(&self) -> &RecordsView {
        &self.records
    }

    pub fn settings_view(&self) -> SettingsView {
        SettingsView {
            station: self.station.clone(),
            data_folder: self.data_dir.display().to_string(),
            hot_folder: self.hot_folder_path.as_ref().map(|p| p.display().to_string()),
            scanners: self.scanners.clone(),
            operators: self.operators.clone(),
            supervisor: self.session.as_ref().is_some_and(|s| s.role == Role::Supervisor),
            merchants: self
                .policies
                .iter()
                .map(|loaded| {
                    (loaded.policy.merchant.name.clone(), crate::domain::policy::words::describe(&loaded.policy))
                })
                .collect(),
            message: self.settings_message.clone(),
        }
    }

    /// The label panel beside intake (the last decided package) or beside records (the open record).
    pub fn label_panel(&self, screen: Screen) -> Option<&LabelPanel> {
        match screen {
            Screen::Intake => self.intake_label.as_ref(),
            Screen::Records => self.records_label.as_ref(),
            _ => None,
        }
    }

    pub fn printer_view(&self) -> &PrinterView {
        &self.printer
    }

    pub fn dashboard_state(&self) -> &DashboardState {
        &self.dashboard
    }

    /// The last outcome shown under the scan field.
    pub fn banner(&self) -> Option<&(bool, String)> {
        self.banner.as_ref()
    }

    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// Takes in what the workers, scanners and the hot folder answered, then sends any first requests.
    pub fn logic(&mut self, ctx: &egui::Context) {
        if !self.started {
            self.started = true;
            self.refresh_counts(ctx);
            self.refresh_operators(ctx);
            self.find_webcams();
            self.refresh_printer(ctx);
        }
        let dropped: Vec<PathBuf> = ctx.input(|i| i.raw.dropped_files.iter().map(|f| f.path().to_path_buf()).collect());
        for path in dropped {
            self.add_photo(path, ctx);
        }
        let deadline = Instant::now() + DRAIN_BUDGET;
        while Instant::now() < deadline {
            if let Ok(event) = self.scanner_events.try_recv() {
                self.take_scanner_event(event, ctx);
            } else if let Ok(event) = self.events.try_recv() {
                self.apply(event, ctx);
            } else if let Ok(result) = self.photo_results.try_recv() {
                self.take_photo(result, ctx);
            } else if let Ok(result) = self.label_results.try_recv() {
                self.take_label(result, ctx);
            } else if let Ok(event) = self.hot_folder_events.try_recv() {
                match event {
                    HotFolderEvent::Arrived { path, .. } => self.add_photo(path, ctx),
                    HotFolderEvent::Trouble(message) => self.notice = Some(format!("hot folder: {message}")),
                }
            } else if let Ok(answer) = self.listings.try_recv() {
                if let Some(picker) = self.picker.as_mut() {
                    picker.listed(answer);
                }
            } else if let Ok(answer) = self.webcam_answers.try_recv() {
                self.take_webcam_answer(answer, ctx);
            } else {
                break;
            }
        }
        self.log_errors_shown();
    }

    /// Writes an error the clerk is shown (the notice, a bad banner) to the log file, once each.
    fn log_errors_shown(&mut self) {
        if self.logged.0 != self.notice {
            if let Some(text) = &self.notice {
                crate::log::shown_to_clerk(text);
            }
            self.logged.0.clone_from(&self.notice);
        }
        let banner = self.banner.as_ref().filter(|(good, _)| !good).map(|(_, text)| text);
        if self.logged.1.as_ref() != banner {
            if let Some(text) = banner {
                crate::log::shown_to_clerk(text);
            }
            self.logged.1 = banner.cloned();
        }
    }

    /// Draws the window and carries out what the clerk asked for.
    pub fn draw(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if self.session.is_none() {
            self.draw_sign_in(ui);
            return;
        }
        let mut scan_input = None;
        let mut sign_out = false;
        let mut evidence_wanted = None;
        egui::Panel::top("bar").show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.strong(APP_NAME);
                if let Some(session) = &self.session {
                    ui.label(format!("{} · {} ({})", self.station, session.name, session.role));
                }
                for (screen, _, title) in Screen::TABS {
                    let enabled = screen != Screen::Inspection || self.bench.is_some();
                    let current =
                        self.screen == screen || (screen == Screen::Inspection && self.screen == Screen::Decision);
                    if ui.add_enabled(enabled, egui::Button::selectable(current, title)).clicked() {
                        self.screen = screen;
                        self.entered(screen, &ctx);
                    }
                }
                sign_out = ui.button("Sign out").clicked();
            });
            if self.picker.is_some() {
                // The picker has the keyboard: Enter and Escape are its own, and nothing typed is a scan.
                ui.label(egui::RichText::new("Choosing photos: Escape closes the picker").size(theme::SCAN_TEXT_SIZE));
            } else {
                let hint = self.scan_hint();
                scan_input = scan_field_ui(ui, &mut self.scan_text, hint);
            }
            if let Some((good, message)) = &self.banner {
                ui.horizontal_wrapped(|ui| {
                    ui.colored_label(if *good { theme::GOOD } else { theme::WRONG }, message);
                    if let Some(decision_id) = self.last_decided
                        && ui.button(EVIDENCE_PACKET).clicked()
                    {
                        evidence_wanted = Some(decision_id);
                    }
                });
            }
            if let Some(notice) = &self.notice {
                ui.colored_label(theme::WAIT, notice);
            }
        });
        if self.screen != Screen::Inspection {
            self.picker = None;
        }
        if self.picker.is_none() {
            for (screen, key, _) in Screen::TABS {
                if ctx.input(|i| i.key_pressed(key)) && (screen != Screen::Inspection || self.bench.is_some()) {
                    self.screen = screen;
                    self.entered(screen, &ctx);
                }
            }
            if ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
                self.back();
            }
            self.bench_keys(&ctx);
        }
        if let Some(decision_id) = evidence_wanted {
            self.write_evidence(decision_id, &ctx);
        }
        if sign_out {
            self.session = None;
            self.screen = Screen::SignIn;
            return;
        }
        let label_command = self.draw_label_panel(ui);
        egui::CentralPanel::default().show(ui, |ui| match self.screen {
            Screen::SignIn | Screen::Intake => {
                let view = self.intake_view();
                if let Some(command) = intake_ui(ui, &view, &mut self.intake_form) {
                    self.intake_command(command, &ctx);
                }
            }
            Screen::Inspection => {
                let Some(view) = self.inspection_view() else { return };
                if let Some(picker) = self.picker.as_mut() {
                    let heading = format!("Photos of the {} for {}", checkpoint_words(view.checkpoint), view.title);
                    if let Some(action) = picker_ui(ui, picker, &heading) {
                        self.picker_action(action, &ctx);
                    }
                    return;
                }
                let Some(bench) = self.bench.as_mut() else { return };
                if let Some(command) = inspection_ui(ui, &view, &mut bench.sheet, &mut self.inspection_form) {
                    self.inspection_command(command, &ctx);
                }
            }
            Screen::Decision => {
                let Some(view) = self.decision_view() else { return };
                if let Some(command) = decision_ui(ui, &view, &mut self.override_form) {
                    self.decision_command(command, &ctx);
                }
            }
            Screen::Queues => {
                if let Some(command) = queues_ui(ui, &self.queues, &mut self.queues_form) {
                    self.queues_command(command, &ctx);
                }
            }
            Screen::Records => {
                if let Some(command) = records_ui(ui, &self.records, &mut self.records_form) {
                    self.records_command(command, &ctx);
                }
            }
            Screen::Settings => {
                if let Some(command) = printer_ui(ui, &self.printer, &mut self.printer_form) {
                    self.printer_command(command, &ctx);
                }
                ui.add_space(8.0);
                let view = self.settings_view();
                if let Some(command) = settings_ui(ui, &view, &mut self.settings_form) {
                    self.settings_command(command, &ctx);
                }
            }
            Screen::Dashboard => dashboard_ui(ui, &self.dashboard),
        });
        if let Some((place, command)) = label_command {
            self.label_command(place, command);
        }
        if let Some(preview) = self.preview.as_mut()
            && !preview_ui(&ctx, preview)
        {
            self.preview = None;
        }
        if let Some(input) = scan_input {
            self.scan_input(input, &ctx);
        }
    }

    fn draw_sign_in(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let station = self.station_view();
        let mut station_command = None;
        egui::Panel::right("station").resizable(true).default_size(420.0).show(ui, |ui| {
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
        let view = self.sign_in.clone();
        let mut command = None;
        egui::CentralPanel::default().show(ui, |ui| {
            command = sign_in_ui(ui, &view, &mut self.sign_in_form);
        });
        if let Some(StationCommand::LoadDemo) = station_command {
            self.load_demo(&ctx);
        }
        match command {
            Some(SignInCommand::SignIn { name, pin }) => self.sign_in_with(name, pin, &ctx),
            Some(SignInCommand::CreateFirstSupervisor { name, pin }) => self.create_first_supervisor(name, pin, &ctx),
            None => {}
        }
    }

    /// The bench's own keys: Page Down / Page Up step through the items, F6 opens the photo picker, F7
    /// takes a webcam photo, F8 opens the override.
    fn bench_keys(&mut self, ctx: &egui::Context) {
        let (down, up, f6, f7, f8) = ctx.input(|i| {
            use egui::Key;
            let pressed = |key| i.key_pressed(key);
            (pressed(Key::PageDown), pressed(Key::PageUp), pressed(Key::F6), pressed(Key::F7), pressed(Key::F8))
        });
        if self.screen == Screen::Inspection && (down || up) {
            self.step_item(down);
        }
        if self.screen == Screen::Inspection && f6 {
            self.open_picker();
        }
        if self.screen == Screen::Inspection && f7 {
            self.take_webcam_photo();
        }
        if self.screen == Screen::Decision && f8 {
            self.override_form.open = !self.override_form.open;
        }
    }

    /// Selects the next (or previous) item of the open package, wrapping around.
    fn step_item(&mut self, forward: bool) {
        let Some(bench) = self.bench.as_mut().filter(|b| !b.sheet.items.is_empty()) else { return };
        let count = bench.sheet.items.len();
        bench.selected = if forward { (bench.selected + 1) % count } else { (bench.selected + count - 1) % count };
    }

    fn scan_hint(&self) -> &'static str {
        match self.screen {
            Screen::Inspection => "scan each item's SKU; Enter on an empty field decides",
            Screen::Decision => "Enter confirms; Escape goes back to the inspection",
            _ => "scan a label, or type an RMA, tracking or order number and press Enter",
        }
    }

    /// The clock, read here at the edge: who, where and when, for a record.
    fn stamp(&self) -> Stamp {
        let operator = self.session.as_ref().map_or_else(|| "setup".to_owned(), |s| s.name.clone());
        Stamp { at: Utc::now(), station: self.station.clone(), operator }
    }

    fn today(&self) -> NaiveDate {
        Local::now().date_naive()
    }

    // ----- scans and bench commands -----

    fn scan_input(&mut self, input: ScanFieldInput, ctx: &egui::Context) {
        match input {
            ScanFieldInput::Confirm => self.confirm(ctx),
            ScanFieldInput::Scan(typed) => self.keyboard_scan(&typed, ctx),
        }
    }

    /// Enter on an empty scan field, or the CONFIRM barcode: the screen's main action.
    fn confirm(&mut self, ctx: &egui::Context) {
        match self.screen {
            Screen::Intake if self.pending.as_ref().is_some_and(|p| p.options.len() == 1) => self.open(0, ctx),
            Screen::Inspection => self.decide(ctx),
            Screen::Decision if !self.override_form.open => self.confirm_decision(ctx),
            _ => {}
        }
    }

    /// Escape or the BACK barcode.
    fn back(&mut self) {
        match self.screen {
            Screen::Decision => {
                self.screen = Screen::Inspection;
                self.override_form.open = false;
            }
            Screen::Inspection | Screen::Queues | Screen::Records | Screen::Settings | Screen::Dashboard => {
                self.screen = Screen::Intake;
            }
            Screen::Intake => self.pending = None,
            Screen::SignIn => {}
        }
    }

    fn bench_command(&mut self, command: BenchCommand, ctx: &egui::Context) {
        match command {
            BenchCommand::Confirm => self.confirm(ctx),
            BenchCommand::Back => self.back(),
            BenchCommand::NextItem => self.step_item(true),
            BenchCommand::Photo => {
                // The next photo goes to the first required checkpoint still missing.
                let missing = self.inspection_view().and_then(|v| v.checkpoints.into_iter().find(|c| !c.taken));
                if let (Some(bench), Some(line)) = (self.bench.as_mut(), missing) {
                    bench.checkpoint = line.checkpoint;
                }
            }
            BenchCommand::Hold => {
                if self.screen == Screen::Decision {
                    self.override_form.open = true;
                    self.override_form.disposition = Disposition::Hold;
                }
            }
        }
    }

    /// A keyboard-wedge scan or a typed number: screened like a serial scan, then routed by screen.
    fn keyboard_scan(&mut self, typed: &str, ctx: &egui::Context) {
        let code = typed.trim().to_owned();
        crate::log::scan_received("keyboard", &code);
        if self.obey_command("keyboard", &code, ctx) {
            return;
        }
        if let Err(reason) = screen_text(&code) {
            self.push_row(ScanRow {
                source: "keyboard".to_owned(),
                code: preview_text(&code),
                what: "not a scan".to_owned(),
                outcome: ScanOutcome::Refused(reason.to_string()),
            });
            return;
        }
        if self.screen == Screen::Intake
            && let Some(pending) = &self.pending
            && let Ok(option) = code.parse::<usize>()
            && (1..=pending.options.len()).contains(&option)
        {
            self.open(option - 1, ctx);
            return;
        }
        let Some(classifier) = &self.classifier else { return };
        let classification = classifier.classify(&code);
        self.route_scan("keyboard".to_owned(), code, classification, ctx);
    }

    /// Carries out a bench command barcode from either kind of scanner, and lists it with the scans.
    /// Returns false when the code is not a command.
    fn obey_command(&mut self, source: &str, code: &str, ctx: &egui::Context) -> bool {
        let Some(command) = BenchCommand::parse(code) else { return false };
        self.bench_command(command, ctx);
        self.push_row(ScanRow {
            source: source.to_owned(),
            code: code.to_owned(),
            what: "bench command".to_owned(),
            outcome: ScanOutcome::Command(command.label().to_owned()),
        });
        true
    }

    fn route_scan(&mut self, source: String, code: String, classification: Classification, ctx: &egui::Context) {
        let package_code = matches!(classification.kind(), Kind::RmaNumber | Kind::TrackingNumber | Kind::OrderNumber);
        if matches!(self.screen, Screen::Inspection | Screen::Decision) && !package_code {
            self.scan_item(&code, &classification);
            return;
        }
        if matches!(self.screen, Screen::Inspection | Screen::Decision) {
            self.banner =
                Some((false, format!("{code} is a package label: finish this package first (Escape goes back)")));
            return;
        }
        self.screen = Screen::Intake;
        self.look_up(source, code, classification, ctx);
    }

    /// An item's code scanned during inspection: ticks it off (or records it as unexpected).
    fn scan_item(&mut self, code: &str, classification: &Classification) {
        let Some(bench) = self.bench.as_mut() else { return };
        let sku = match &classification.reading {
            Reading::ProductCode(product) => product.digits().to_owned(),
            _ => code.to_owned(),
        };
        let (index, words) = match bench.sheet.scan_item(&sku) {
            ItemScan::Counted(index) => (index, "counted"),
            ItemScan::Unexpected(index) => (index, "not on the order: recorded as unexpected"),
        };
        bench.selected = index;
        let item = &bench.sheet.items[index];
        self.banner = Some((true, format!("{}: {words} ({} received)", item.sku, item.received)));
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
                if self.session.is_none() {
                    return;
                }
                let source = format!("scanner {scanner}");
                if !self.obey_command(&source, &code, ctx) {
                    self.route_scan(source, code, *classification, ctx);
                }
            }
        }
    }

    fn look_up(&mut self, source: String, code: String, classification: Classification, ctx: &egui::Context) {
        let seq = self.next_scan;
        self.next_scan += 1;
        let what = describe_kind(&classification);
        let kind = classification.kind().as_str().to_owned();
        let lookup = classification.clone();
        let scanned = code.clone();
        let sent = self.submit(
            ctx,
            move |store| crate::intake::find(store, &lookup).map_err(|e| e.to_string()),
            move |found| AppEvent::Matched { scan: seq, code: scanned, kind, found },
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

    // ----- commands from the screens -----

    fn intake_command(&mut self, command: IntakeCommand, ctx: &egui::Context) {
        match command {
            IntakeCommand::Open(option) => self.open(option, ctx),
            IntakeCommand::Dismiss => self.pending = None,
            IntakeCommand::Search(text) => {
                let Some(pending) = &self.pending else { return };
                let (code, kind) = (pending.card.code().to_owned(), pending.kind.clone());
                self.submit(
                    ctx,
                    move |store| crate::intake::search(store, &text).map_err(|e| e.to_string()),
                    move |found| AppEvent::Searched { code, kind, found },
                );
            }
            IntakeCommand::Quarantine { note } => self.receive(Claim::Quarantined, note, ctx),
            IntakeCommand::ReceiveWithoutRma => {
                let order = self.pending.as_ref().and_then(|p| p.order.clone());
                if let Some(order) = order {
                    self.receive(Claim::OrderOnly(order), String::new(), ctx);
                }
            }
        }
    }

    /// Receives the package against the card's option and opens its inspection.
    fn open(&mut self, option: usize, ctx: &egui::Context) {
        let Some(found) = self.pending.as_ref().and_then(|p| p.options.get(option).cloned()) else { return };
        self.receive(Claim::Rma(found), String::new(), ctx);
    }

    /// Records the card's package as received for `claim` (or quarantined), with an inspection for its
    /// items and photos, and opens that inspection.
    fn receive(&mut self, claim: Claim, note: String, ctx: &egui::Context) {
        let Some(pending) = &self.pending else { return };
        if self.bench.is_some() {
            self.banner = Some((false, "a package is already open on the bench: finish it first (F2)".to_owned()));
            return;
        }
        let package = ReceivedPackage {
            scanned_code: pending.card.code().to_owned(),
            scanned_kind: pending.kind.clone(),
            rma_id: match &claim {
                Claim::Rma(found) => Some(found.rma.id),
                _ => None,
            },
            order_id: match &claim {
                Claim::OrderOnly(order) => Some(order.id),
                _ => None,
            },
            note,
        };
        let stamp = self.stamp();
        self.pending = None;
        self.submit(
            ctx,
            move |store| {
                let package_id = store.receive_package(&package, &stamp)?;
                let inspection_id = store.start_inspection(package_id, &stamp)?;
                Ok((package_id, inspection_id))
            },
            move |result: Result<(i64, i64), crate::storage::StoreError>| AppEvent::Opened {
                claim: Box::new(claim),
                result: result.map_err(|e| e.to_string()),
            },
        );
    }

    fn inspection_command(&mut self, command: InspectionCommand, ctx: &egui::Context) {
        let Some(bench) = self.bench.as_mut() else { return };
        match command {
            InspectionCommand::Select(index) => bench.selected = index,
            InspectionCommand::Split(index) => {
                if let Some(new) = bench.sheet.split_unit(index) {
                    bench.selected = new;
                }
            }
            InspectionCommand::Checkpoint(checkpoint) => bench.checkpoint = checkpoint,
            InspectionCommand::AddPhoto(path) => self.add_photo(PathBuf::from(path), ctx),
            InspectionCommand::ChoosePhotos => self.open_picker(),
            InspectionCommand::Camera(index) => self.camera = index,
            InspectionCommand::TakeWebcamPhoto => self.take_webcam_photo(),
            InspectionCommand::OpenPhoto(sha256) => self.open_preview(sha256),
            InspectionCommand::Decide => self.decide(ctx),
        }
    }

    /// Runs the engine on the sheet as it stands (pure and fast: on this thread), saves the sheet, and
    /// shows the decision.
    fn decide(&mut self, ctx: &egui::Context) {
        let today = self.today();
        let Some(bench) = self.bench.as_mut() else { return };
        let Some(order) = bench.claim.order() else {
            // A quarantined package has nothing to decide: its label photo is taken, and it waits.
            self.bench = None;
            self.screen = Screen::Intake;
            self.refresh_today(ctx);
            return;
        };
        let merchant = &order.record.merchant;
        let Some(loaded) = self.policies.get(merchant) else {
            bench.message = Some(format!("merchant {merchant} has no policy loaded"));
            return;
        };
        let rma = match &bench.claim {
            Claim::Rma(found) => Some(found.rma.record.to_rma()),
            _ => None,
        };
        let photos = &bench.photos;
        let inspection = bench
            .sheet
            .to_inspection(|index| photos.iter().filter(|p| p.item.is_none() || p.item == Some(index)).count() as u32);
        let case = Case { merchant: merchant.clone(), order: order.record.to_order(), rma, inspection };
        let decision =
            crate::domain::engine::decide(&loaded.policy, &case.order, case.rma.as_ref(), &case.inspection, today);
        let entries = queue_entries(&decision);
        bench.decided = Some(Decided { case, decision, entries });
        bench.message = None;
        let (inspection_id, sheet, stamp) = (bench.inspection_id, bench.sheet.clone(), self.stamp());
        self.override_form = OverrideForm::default();
        self.banner = None;
        self.screen = Screen::Decision;
        self.submit(
            ctx,
            move |store| store.save_inspection(inspection_id, &sheet, &stamp).map_err(|e| e.to_string()),
            AppEvent::InspectionSaved,
        );
    }

    fn decision_command(&mut self, command: DecisionCommand, ctx: &egui::Context) {
        match command {
            DecisionCommand::Confirm => self.confirm_decision(ctx),
            DecisionCommand::Override { disposition, amount, reason, supervisor, pin } => {
                self.override_decision(disposition, &amount, reason, supervisor, pin, ctx);
            }
        }
    }

    fn decision_to_save(&self, decision: Decision, override_: Option<Override>) -> Option<DecisionToSave> {
        let bench = self.bench.as_ref()?;
        let decided = bench.decided.as_ref()?;
        let loaded = self.policies.get(&decided.case.merchant)?;
        let entries = queue_entries(&decision);
        Some(DecisionToSave {
            package_id: bench.package_id,
            inspection_id: bench.inspection_id,
            decision_json: decision_json(&decided.case, loaded, &decision).to_string(),
            policy_sha256: loaded.sha256.clone(),
            decision,
            override_,
            queue: entries,
        })
    }

    fn confirm_decision(&mut self, ctx: &egui::Context) {
        let Some(decision) = self.bench.as_ref().and_then(|b| b.decided.as_ref()).map(|d| d.decision.clone()) else {
            return;
        };
        let Some(to_save) = self.decision_to_save(decision, None) else { return };
        let Some(bench) = self.bench.as_mut() else { return };
        if bench.saving {
            return;
        }
        bench.saving = true;
        let currency = bench.claim.order().map_or(String::new(), |o| o.record.currency.clone());
        let summary = decided_summary(&bench.claim.number(bench.package_id), &currency, &to_save);
        let (sheet, stamp) = (bench.sheet.clone(), self.stamp());
        let packet = self.automatic_packet(&to_save.decision);
        self.submit(
            ctx,
            move |store| save_decision(store, &to_save, &sheet, &stamp, packet),
            move |result| AppEvent::Decided { summary, result: result.map_err(|e| e.to_string()) },
        );
    }

    fn override_decision(
        &mut self,
        disposition: Disposition,
        amount: &str,
        reason: String,
        supervisor: String,
        pin: String,
        ctx: &egui::Context,
    ) {
        let now = Utc::now();
        let today = self.today();
        let Some(bench) = self.bench.as_mut() else { return };
        let Some(decided) = bench.decided.as_ref() else { return };
        if let Err(locked) = self.lockout.check(&supervisor, now) {
            bench.message = Some(locked_words(locked, now));
            return;
        }
        let pays = matches!(disposition, Disposition::Refund | Disposition::StoreCredit);
        let net = if pays {
            match amount.parse::<Money>() {
                Ok(net) => net,
                Err(e) => {
                    bench.message = Some(format!("new amount: {e}"));
                    return;
                }
            }
        } else {
            Money::ZERO
        };
        let due_days = self.policies.get(&decided.case.merchant).map_or(0, |l| l.policy.refund.due_days);
        let engine = &decided.decision;
        let changed = engine.overridden(disposition, net, today, due_days);
        let override_ = Override {
            reason,
            approved_by: supervisor.clone(),
            engine_verdict: engine.verdict,
            engine_disposition: engine.disposition,
            engine_net: engine.money.net,
        };
        let Some(to_save) = self.decision_to_save(changed, Some(override_)) else { return };
        let stamp = self.stamp();
        let Some(bench) = self.bench.as_mut() else { return };
        bench.saving = true;
        let currency = bench.claim.order().map_or(String::new(), |o| o.record.currency.clone());
        let summary = decided_summary(&bench.claim.number(bench.package_id), &currency, &to_save);
        let (sheet, package_id) = (bench.sheet.clone(), bench.package_id);
        let packet = self.automatic_packet(&to_save.decision);
        self.submit(
            ctx,
            move |store| {
                let approver =
                    auth::authenticate(store, &supervisor, &pin).map_err(|e| e.to_string()).and_then(|signed| {
                        match signed.role {
                            Role::Supervisor => Ok(signed),
                            Role::Clerk => Err(format!("{} is not a supervisor", signed.name)),
                        }
                    });
                if let Err(message) = approver {
                    let detail = serde_json::json!({ "supervisor": supervisor, "why": message }).to_string();
                    // The refusal itself is audited; if even that fails, the clerk still hears why.
                    let _ = store.append_audit(&stamp, "package", &package_id.to_string(), "override_refused", &detail);
                    return Err(Err((supervisor, message)));
                }
                save_decision(store, &to_save, &sheet, &stamp, packet).map_err(|e| Ok(e.to_string()))
            },
            move |result: Result<SavedDecision, Result<String, (String, String)>>| match result {
                Ok(saved) => AppEvent::Decided { summary, result: Ok(saved) },
                Err(Ok(message)) => AppEvent::Decided { summary, result: Err(message) },
                Err(Err((supervisor, message))) => AppEvent::OverrideRefused { supervisor, message },
            },
        );
    }

    fn queues_command(&mut self, command: QueuesCommand, ctx: &egui::Context) {
        match command {
            QueuesCommand::Show(tab) => {
                self.queues.tab = tab;
                self.refresh_queue(ctx);
            }
            QueuesCommand::Done { id, reference } => {
                let stamp = self.stamp();
                self.queues_form.row = None;
                self.change_queues(ctx, move |store| {
                    store
                        .complete_queue_item(id, &reference, &stamp)
                        .map(|()| format!("item {id} done: {reference}"))
                        .map_err(|e| e.to_string())
                });
            }
            QueuesCommand::Match { package_id, rma_number } => {
                let stamp = self.stamp();
                self.queues_form.row = None;
                self.change_queues(ctx, move |store| {
                    let found = store.rmas_by_number(&rma_number).map_err(|e| e.to_string())?;
                    let [one] = found.as_slice() else {
                        return Err(format!("{rma_number}: {} RMAs have this number; type it exactly", found.len()));
                    };
                    store.match_package(package_id, one.rma.id, &stamp).map_err(|e| e.to_string())?;
                    Ok(format!("package #{package_id} matched to {}", one.rma.record.number))
                });
            }
            QueuesCommand::Export(queue) => {
                let (stamp, folder) = (self.stamp(), exports_path(&self.data_dir));
                self.change_queues(ctx, move |store| {
                    match crate::exports::export_queue(store, queue, &folder, &stamp) {
                        Ok(Some(report)) => Ok(report.words()),
                        Ok(None) => Ok(format!("nothing new to export: every open {queue} item is in a batch")),
                        Err(error) => Err(error.to_string()),
                    }
                });
            }
            QueuesCommand::BatchDone { batch_id, reference } => {
                let stamp = self.stamp();
                self.queues_form.row = None;
                self.change_queues(ctx, move |store| {
                    store
                        .complete_batch(batch_id, &reference, &stamp)
                        .map(|done| format!("batch {batch_id}: {done} items done: {reference}"))
                        .map_err(|e| e.to_string())
                });
            }
            QueuesCommand::WriteBatch(batch_id) => {
                let (stamp, folder) = (self.stamp(), exports_path(&self.data_dir));
                self.change_queues(ctx, move |store| {
                    crate::exports::write_batch(store, batch_id, &folder, &stamp)
                        .map(|report| report.words())
                        .map_err(|error| error.to_string())
                });
            }
        }
    }

    /// Runs a change to the queues on the storage thread; its words (or error) go on the queues screen,
    /// which then reloads.
    fn change_queues(
        &mut self,
        ctx: &egui::Context,
        change: impl FnOnce(&mut dyn Store) -> Result<String, String> + Send + 'static,
    ) {
        self.submit(ctx, change, AppEvent::QueueChanged);
    }

    fn records_command(&mut self, command: RecordsCommand, ctx: &egui::Context) {
        match command {
            RecordsCommand::Find(text) => {
                self.records.searching = true;
                self.submit(
                    ctx,
                    move |store| store.find_packages(&text, FIND_LIMIT).map_err(|e| e.to_string()),
                    AppEvent::Found,
                );
            }
            RecordsCommand::EvidencePacket(decision_id) => self.write_evidence(decision_id, ctx),
            RecordsCommand::Open(id) => {
                self.submit(
                    ctx,
                    move |store| store.package_history(id).map(Box::new).map_err(|e| e.to_string()),
                    AppEvent::History,
                );
            }
        }
    }

    fn settings_command(&mut self, command: SettingsCommand, ctx: &egui::Context) {
        match command {
            SettingsCommand::AddOperator { name, role, pin } => {
                if let Err(e) = auth::check_new_pin(&pin) {
                    self.settings_message = Some((false, e.to_string()));
                    return;
                }
                let stamp = self.stamp();
                self.submit(
                    ctx,
                    move |store| {
                        let hash = auth::hash_pin(&pin).map_err(|e| e.to_string())?;
                        store.add_operator(&name, role, &hash, &stamp).map_err(|e| e.to_string())?;
                        Ok(format!("{name} added as {role}"))
                    },
                    AppEvent::OperatorAdded,
                );
            }
        }
    }

    // ----- sign-in -----

    fn sign_in_with(&mut self, name: String, pin: String, ctx: &egui::Context) {
        let now = Utc::now();
        if let Err(locked) = self.lockout.check(&name, now) {
            self.sign_in.message = Some(locked_words(locked, now));
            return;
        }
        self.sign_in.busy = true;
        let who = name.clone();
        self.submit(
            ctx,
            move |store| {
                auth::authenticate(store, &name, &pin)
                    .map_err(|e| (matches!(e, auth::AuthError::WrongNameOrPin), e.to_string()))
            },
            move |result| AppEvent::SignedIn { name: who, result },
        );
    }

    fn create_first_supervisor(&mut self, name: String, pin: String, ctx: &egui::Context) {
        if let Err(e) = auth::check_new_pin(&pin) {
            self.sign_in.message = Some(e.to_string());
            return;
        }
        self.sign_in.busy = true;
        let stamp = self.stamp();
        let who = name.clone();
        self.submit(
            ctx,
            move |store| {
                // Only while there is no operator at all: otherwise a supervisor adds operators.
                let failed = |e: &dyn std::fmt::Display| (false, e.to_string());
                if !store.operators().map_err(|e| failed(&e))?.is_empty() {
                    return Err((false, "an operator exists already: sign in".to_owned()));
                }
                let hash = auth::hash_pin(&pin).map_err(|e| failed(&e))?;
                store.add_operator(&name, Role::Supervisor, &hash, &stamp).map_err(|e| failed(&e))?;
                Ok(SignedIn { name, role: Role::Supervisor })
            },
            move |result| AppEvent::SignedIn { name: who, result },
        );
    }

    /// Called when the clerk moves to a screen: loads what it shows. The last banner belonged to the
    /// screen left behind.
    fn entered(&mut self, screen: Screen, ctx: &egui::Context) {
        self.banner = None;
        self.last_decided = None;
        match screen {
            Screen::Intake => self.refresh_today(ctx),
            Screen::Queues => self.refresh_queue(ctx),
            Screen::Settings => self.refresh_operators(ctx),
            Screen::Dashboard => self.refresh_dashboard(ctx),
            _ => {}
        }
    }

    // ----- photos -----

    /// Sends a photo file to the photo thread for the open inspection, at the chosen checkpoint and item.
    /// Every way a file comes in (a typed path, the picker, a drop, the hot folder) comes through here.
    fn add_photo(&mut self, path: PathBuf, ctx: &egui::Context) {
        let Some(tag) = self.attach_tag() else {
            self.notice = Some(format!("{}: no inspection is open to attach this photo to", path.display()));
            return;
        };
        self.ingest(tag, PhotoWork::IngestFile(path));
        ctx.request_repaint();
    }

    /// Where a photo taken now goes: the open inspection, its selected checkpoint and item.
    fn attach_tag(&self) -> Option<PhotoTag> {
        // While a decision is being saved the inspection is closing: a photo now would miss it.
        let bench = self.bench.as_ref().filter(|b| !b.saving)?;
        Some(PhotoTag::Attach {
            inspection_id: bench.inspection_id,
            checkpoint: bench.checkpoint,
            item: Some(bench.selected),
        })
    }

    /// Queues a photo for the photo thread, counting it as pending on its inspection.
    fn ingest(&mut self, tag: PhotoTag, work: PhotoWork) {
        let Some(worker) = &self.photo_worker else { return };
        let PhotoTag::Attach { inspection_id, .. } = tag else { return };
        match worker.submit(tag, work) {
            Ok(()) => {
                if let Some(bench) = self.bench.as_mut().filter(|b| b.inspection_id == inspection_id) {
                    bench.photos_pending += 1;
                }
            }
            Err(e) => self.notice = Some(e.to_string()),
        }
    }

    /// Opens the photo picker where it makes sense to start (see `start_candidates`).
    fn open_picker(&mut self) {
        if self.picker.is_some() || self.bench.is_none() {
            return;
        }
        let candidates =
            start_candidates(self.picker_folder.as_deref(), self.hot_folder_path.as_deref(), self.home.as_deref());
        let (picker, request) = Picker::open(candidates, self.home.clone());
        self.picker = Some(picker);
        self.list_folder(request);
    }

    /// Sends a listing the picker asked for to the `folder-list` thread.
    fn list_folder(&mut self, request: ListRequest) {
        let Some(lister) = &self.lister else { return };
        if let Err(e) = lister.submit(request) {
            self.notice = Some(e.to_string());
        }
    }

    fn picker_action(&mut self, action: PickerAction, ctx: &egui::Context) {
        match action {
            PickerAction::List(request) => self.list_folder(request),
            PickerAction::Attach(paths) => {
                self.picker_folder = self.picker.take().and_then(|p| p.folder().map(Path::to_path_buf));
                for path in paths {
                    self.add_photo(path, ctx);
                }
            }
            PickerAction::Close => {
                self.picker = None;
            }
        }
    }

    /// Looks for webcams on the `webcam` thread (at start, and as each package opens: one may have been
    /// plugged in since).
    fn find_webcams(&mut self) {
        let Some(webcam) = &self.webcam else { return };
        if let Err(e) = webcam.submit(WebcamWork::Find) {
            self.notice = Some(e.to_string());
        }
    }

    /// F7 or the button: a photo from the chosen webcam, for the checkpoint and item selected now.
    fn take_webcam_photo(&mut self) {
        let Some(Webcams::Found(cameras)) = &self.webcams else { return };
        let Some(camera) = cameras.get(self.camera) else { return };
        if self.capturing.is_some() {
            return;
        }
        let Some(tag) = self.attach_tag() else { return };
        let Some(webcam) = &self.webcam else { return };
        match webcam.submit(WebcamWork::Capture(camera.node.clone())) {
            Ok(()) => self.capturing = Some(tag),
            Err(e) => self.notice = Some(e.to_string()),
        }
    }

    fn take_webcam_answer(&mut self, answer: WebcamAnswer, ctx: &egui::Context) {
        match answer {
            WebcamAnswer::Found(Ok(webcams)) => {
                if !matches!(&webcams, Webcams::Found(cameras) if self.camera < cameras.len()) {
                    self.camera = 0;
                }
                self.webcams = Some(webcams);
            }
            WebcamAnswer::Found(Err(message)) => {
                self.webcams = Some(Webcams::NoCamera { notes: vec![message] });
            }
            WebcamAnswer::Captured(result) => {
                let Some(tag) = self.capturing.take() else { return };
                match result {
                    // The camera's own JPEG, filed like any other photo.
                    Ok(jpeg) => self.ingest(tag, PhotoWork::IngestBytes(jpeg)),
                    Err(e) => self.notice = Some(format!("no webcam photo: {e}")),
                }
                ctx.request_repaint();
            }
        }
    }

    /// Opens the full view of a stored photo; the photo thread decodes it.
    fn open_preview(&mut self, sha256: String) {
        let (Some(worker), Ok(hash)) = (&self.photo_worker, sha256.parse::<PhotoHash>()) else { return };
        match worker.submit(PhotoTag::Preview, PhotoWork::Preview(hash)) {
            Ok(()) => self.preview = Some(PhotoPreview { sha256, texture: None, zoom: 1.0 }),
            Err(e) => self.notice = Some(e.to_string()),
        }
    }

    fn take_photo(&mut self, result: PhotoResult<PhotoTag>, ctx: &egui::Context) {
        let PhotoTag::Attach { inspection_id, checkpoint, item } = result.tag else {
            match result.outcome {
                Ok(PhotoDone::Preview { hash, picture }) => {
                    if let Some(preview) = self.preview.as_mut().filter(|p| p.sha256 == hash.to_string()) {
                        preview.texture = Some(texture(ctx, &preview.sha256, "preview", &picture));
                    }
                }
                Ok(_) => {}
                Err(e) => self.notice = Some(format!("the photo cannot be shown: {e}")),
            }
            return;
        };
        if let Some(bench) = self.bench.as_mut().filter(|b| b.inspection_id == inspection_id) {
            bench.photos_pending = bench.photos_pending.saturating_sub(1);
        }
        let ingested = match result.outcome {
            Ok(PhotoDone::Ingested(ingested)) => ingested,
            Ok(_) => return,
            Err(e) => {
                self.notice = Some(format!("photo not taken: {e}"));
                return;
            }
        };
        let row = ingested.record().to_row(inspection_id, item.map(|i| i as u32), checkpoint);
        let tile = PhotoTileData { sha256: row.sha256.clone(), checkpoint, item, thumbnail: ingested.thumbnail };
        let stamp = self.stamp();
        self.submit(
            ctx,
            move |store| store.record_photo(&row, &stamp).map(|_| ()).map_err(|e| e.to_string()),
            move |result| AppEvent::PhotoRecorded { inspection_id, tile, result },
        );
    }

    // ----- bin labels -----

    /// The label panel beside intake or records, if the screen has one; returns what the clerk pressed.
    fn draw_label_panel(&mut self, ui: &mut egui::Ui) -> Option<(LabelPlace, LabelCommand)> {
        let (place, panel) = match self.screen {
            Screen::Intake => (LabelPlace::Intake, self.intake_label.as_ref()?),
            Screen::Records => (LabelPlace::Records, self.records_label.as_ref()?),
            _ => return None,
        };
        let printer = self.printer.saved.as_ref().and_then(Option::as_ref);
        let mut command = None;
        egui::Panel::right("bin-label").resizable(false).default_size(330.0).show(ui, |ui| {
            command = label_panel_ui(ui, panel, printer);
        });
        command.map(|command| (place, command))
    }

    /// Asks the storage thread for a decided package's labels, built from what was saved.
    fn request_labels(&mut self, package_id: i64, number: String, ctx: &egui::Context) {
        let names = self.merchant_names();
        let title = format!("{number} (package #{package_id})");
        self.submit(
            ctx,
            move |store| {
                let history = store.package_history(package_id).map_err(|e| e.to_string())?;
                labels_of(&history, |id| merchant_name(&names, id)).map_err(|e| e.to_string())
            },
            move |result| AppEvent::BinLabels { title, result },
        );
    }

    /// The label panel of an opened record: none for a package not decided yet.
    fn label_panel_of(&mut self, history: &PackageHistory) -> Option<LabelPanel> {
        if history.decisions.is_empty() {
            return None;
        }
        let package = &history.package;
        let number = package.rma_number.clone().unwrap_or_else(|| package.scanned_code.clone());
        let title = format!("{number} (package #{})", package.id);
        let names = self.merchant_names();
        Some(match labels_of(history, |id| merchant_name(&names, id)) {
            Ok(labels) => self.show_labels(LabelPlace::Records, title, labels),
            Err(e) => LabelPanel { title, message: Some((false, e.to_string())), ..LabelPanel::default() },
        })
    }

    /// A panel for these labels; their previews are drawn on the label thread.
    fn show_labels(&mut self, place: LabelPlace, title: String, labels: Vec<BinLabel>) -> LabelPanel {
        self.label_generation += 1;
        let generation = self.label_generation;
        let mut panel = LabelPanel { title, labels: labels.clone(), generation, ..LabelPanel::default() };
        if let Some(worker) = &self.label_worker
            && let Err(e) = worker.submit(LabelTag { place, generation }, LabelWork::Preview(labels))
        {
            panel.message = Some((false, e.to_string()));
        }
        panel
    }

    /// Print or save the labels of a panel, on the label thread.
    fn label_command(&mut self, place: LabelPlace, command: LabelCommand) {
        let panel = match place {
            LabelPlace::Intake => self.intake_label.as_mut(),
            LabelPlace::Records => self.records_label.as_mut(),
        };
        let (Some(panel), Some(worker)) = (panel, &self.label_worker) else { return };
        let labels = panel.labels.clone();
        let folder = self.data_dir.join("labels");
        let work = match command {
            LabelCommand::Print => match self.printer.saved.clone().flatten() {
                Some(printer) => LabelWork::Print { labels, printer },
                None => {
                    panel.message = Some((false, crate::labels::printer::PrinterError::NotConfigured.to_string()));
                    return;
                }
            },
            LabelCommand::SavePng => LabelWork::Save { labels, format: LabelFormat::Png, folder },
            LabelCommand::SavePdf => LabelWork::Save { labels, format: LabelFormat::Pdf, folder },
        };
        match worker.submit(LabelTag { place, generation: panel.generation }, work) {
            Ok(()) => {
                panel.busy = true;
                panel.message = None;
            }
            Err(e) => panel.message = Some((false, e.to_string())),
        }
    }

    fn take_label(&mut self, result: LabelResult<LabelTag>, ctx: &egui::Context) {
        let LabelTag { place, generation } = result.tag;
        let panel = match place {
            LabelPlace::Intake => self.intake_label.as_mut(),
            LabelPlace::Records => self.records_label.as_mut(),
        };
        // An answer about labels no longer shown is dropped.
        let Some(panel) = panel.filter(|p| p.generation == generation) else { return };
        match result.outcome {
            Ok(LabelDone::Previews(pictures)) => {
                panel.previews = pictures
                    .iter()
                    .enumerate()
                    .map(|(i, picture)| {
                        let size = [picture.width as usize, picture.height as usize];
                        let image = egui::ColorImage::from_gray(size, &picture.grey);
                        ctx.load_texture(format!("label-{generation}-{i}"), image, Default::default())
                    })
                    .collect();
            }
            Ok(LabelDone::Printed { labels, printer }) => {
                panel.busy = false;
                panel.message = Some((true, format!("{labels} label(s) sent to the {printer}")));
            }
            Ok(LabelDone::Saved(paths)) => {
                panel.busy = false;
                let files: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                panel.message = Some((true, format!("saved: {}", files.join(", "))));
            }
            Err(e) => {
                panel.busy = false;
                panel.message = Some((false, e.to_string()));
            }
        }
    }

    /// Merchant ids and names, for a label made on another thread.
    fn merchant_names(&self) -> Vec<(String, String)> {
        self.policies.iter().map(|l| (l.policy.merchant.id.clone(), l.policy.merchant.name.clone())).collect()
    }

    fn printer_command(&mut self, command: PrinterCommand, ctx: &egui::Context) {
        match command {
            PrinterCommand::Refused(message) => self.printer.message = Some((false, message)),
            PrinterCommand::Save(printer) => {
                let value =
                    printer.as_ref().map_or_else(|| crate::labels::printer::NONE.to_owned(), PrinterTarget::setting);
                let stamp = self.stamp();
                self.submit(
                    ctx,
                    move |store| {
                        store.set_station_setting(crate::labels::printer::SETTING, &value, &stamp).map(|()| printer)
                    },
                    |result| AppEvent::Printer { saved: true, result: result.map_err(|e| e.to_string()) },
                );
            }
        }
    }

    fn refresh_printer(&mut self, ctx: &egui::Context) {
        let station = self.station.clone();
        self.submit(
            ctx,
            move |store| match store.station_setting(&station, crate::labels::printer::SETTING) {
                Ok(Some(value)) => PrinterTarget::from_setting(&value).map_err(|e| e.to_string()),
                Ok(None) => Ok(None),
                Err(e) => Err(e.to_string()),
            },
            |result| AppEvent::Printer { saved: false, result },
        );
    }

    fn refresh_dashboard(&mut self, ctx: &egui::Context) {
        // The bench's local day and week; the store never reads the clock.
        let period = DashboardPeriod::of(self.today(), &Local);
        self.dashboard.loading = self.submit(
            ctx,
            move |store| store.dashboard(&period).map(Box::new).map_err(|e| e.to_string()),
            AppEvent::Dashboard,
        );
    }

    // ----- answers -----

    fn apply(&mut self, event: AppEvent, ctx: &egui::Context) {
        match event {
            AppEvent::Counts(Ok(counts)) => {
                self.database = DatabaseView::Ready { path: self.database_path().display().to_string(), counts };
            }
            AppEvent::Counts(Err(message)) => self.notice = Some(message),
            AppEvent::DemoLoaded(result) => {
                self.demo_loading = false;
                self.notice = result.err();
                self.refresh_counts(ctx);
                self.refresh_operators(ctx);
            }
            AppEvent::Operators(Ok(operators)) => {
                self.sign_in.has_operators = Some(!operators.is_empty());
                let demo =
                    crate::demo::DEMO_OPERATORS.iter().all(|(name, ..)| operators.iter().any(|(n, ..)| n == name));
                self.sign_in.demo_hint = demo.then(crate::demo::operators_hint);
                self.operators = operators;
            }
            AppEvent::Operators(Err(message)) => self.notice = Some(message),
            AppEvent::SignedIn { name, result } => {
                self.sign_in.busy = false;
                let now = Utc::now();
                match result {
                    Ok(signed) => {
                        self.lockout.succeeded(&name);
                        self.sign_in.message = None;
                        self.session = Some(signed);
                        self.screen = Screen::Intake;
                        self.refresh_today(ctx);
                        self.refresh_operators(ctx);
                    }
                    Err((wrong_pin, message)) => {
                        let locked = if wrong_pin { self.lockout.failed(&name, now) } else { None };
                        self.sign_in.message = Some(locked.map_or(message, |locked| locked_words(locked, now)));
                    }
                }
            }
            AppEvent::Matched { scan, code, kind, found } => {
                if let Some(record) = self.recent.iter_mut().find(|r| r.seq == scan) {
                    record.row.outcome = match &found {
                        Ok(found) => ScanOutcome::of(found),
                        Err(message) => ScanOutcome::Failed(message.clone()),
                    };
                }
                // Only the latest package scan opens a card: an older answer arriving late must not
                // replace what the clerk is looking at.
                if scan + 1 == self.next_scan
                    && let Ok(found) = found
                {
                    self.pending = self.card_for(code, kind, found);
                }
            }
            AppEvent::Searched { code, kind, found } => match found {
                Ok(options) if !options.is_empty() => {
                    self.pending = self.card_for(code, kind, IntakeMatch::Rmas(options));
                }
                Ok(_) => self.banner = Some((false, "the search found no RMA".to_owned())),
                Err(message) => self.banner = Some((false, message)),
            },
            AppEvent::Opened { claim, result } => match result {
                Ok((package_id, inspection_id)) => {
                    let today = self.today();
                    let sheet = match claim.order() {
                        Some(order) => InspectionSheet::for_order(&order.record, today),
                        None => InspectionSheet {
                            received_on: today,
                            original_owner: true,
                            commercial_use: false,
                            proof_of_purchase: false,
                            items: Vec::new(),
                        },
                    };
                    let (words, checkpoint) = match *claim {
                        Claim::Quarantined => ("is in quarantine", Checkpoint::ShippingLabel),
                        _ => ("received", Checkpoint::Contents),
                    };
                    self.banner = Some((true, format!("{} {words}", claim.number(package_id))));
                    self.bench = Some(OpenPackage {
                        package_id,
                        inspection_id,
                        claim: *claim,
                        sheet,
                        selected: 0,
                        checkpoint,
                        photos: Vec::new(),
                        photos_pending: 0,
                        decided: None,
                        saving: false,
                        message: None,
                    });
                    self.inspection_form = InspectionForm::default();
                    // The last package's label belongs to it, not to the one now on the bench.
                    self.intake_label = None;
                    self.screen = Screen::Inspection;
                    self.refresh_today(ctx);
                    self.find_webcams();
                }
                Err(message) => self.banner = Some((false, format!("the package was not received: {message}"))),
            },
            AppEvent::Today(Ok(packages)) => self.today = packages,
            AppEvent::Today(Err(message)) | AppEvent::InspectionSaved(Err(message)) => self.notice = Some(message),
            AppEvent::InspectionSaved(Ok(())) => {}
            AppEvent::Decided { summary, result } => match result {
                Ok(saved) => {
                    if let Some(bench) = &self.bench {
                        self.request_labels(bench.package_id, bench.claim.number(bench.package_id), ctx);
                    }
                    // Only on a station whose daily view is in use: the count holds the storage thread for tens
                    // of milliseconds on a large database (BENCHMARKS.md), and the view is counted again on open.
                    if self.dashboard.view.is_some() {
                        self.refresh_dashboard(ctx);
                    }
                    self.bench = None;
                    self.override_form = OverrideForm::default();
                    let summary = match saved.packet {
                        Some(Ok(packet)) => format!("{summary}; {packet}"),
                        Some(Err(message)) => {
                            self.notice = Some(format!(
                                "the decision is saved, but its evidence packet was not written: {message}"
                            ));
                            summary
                        }
                        None => summary,
                    };
                    self.banner = Some((true, summary));
                    self.last_decided = Some(saved.id);
                    self.screen = Screen::Intake;
                    self.refresh_today(ctx);
                }
                Err(message) => {
                    if let Some(bench) = self.bench.as_mut() {
                        bench.saving = false;
                        bench.message = Some(format!("not saved: {message}"));
                    }
                }
            },
            AppEvent::EvidenceWritten(result) => {
                self.banner = Some(match result {
                    Ok(words) => (true, words),
                    Err(message) => (false, format!("the evidence packet was not written: {message}")),
                });
            }
            AppEvent::OverrideRefused { supervisor, message } => {
                self.lockout.failed(&supervisor, Utc::now());
                if let Some(bench) = self.bench.as_mut() {
                    bench.saving = false;
                    bench.message = Some(format!("override refused: {message}"));
                }
            }
            AppEvent::Queue { tab, counts, rows } => {
                self.queues.loading = false;
                match counts {
                    Ok((counts, quarantined)) => {
                        self.queues.counts = counts;
                        self.queues.quarantined = quarantined;
                    }
                    Err(message) => self.queues.message = Some((false, message)),
                }
                if tab == self.queues.tab {
                    match rows {
                        Ok(QueueRows::Work(rows, batches)) => {
                            self.queues.rows = rows;
                            self.queues.batches = batches;
                        }
                        Ok(QueueRows::Quarantine(packages)) => self.queues.quarantine = packages,
                        Err(message) => self.queues.message = Some((false, message)),
                    }
                }
            }
            AppEvent::QueueChanged(result) => {
                self.queues.message = Some(match result {
                    Ok(message) => (true, message),
                    Err(message) => (false, message),
                });
                self.refresh_queue(ctx);
            }
            AppEvent::Found(result) => {
                self.records.searching = false;
                match result {
                    Ok(results) => {
                        self.records.message = results.is_empty().then(|| "nothing found".to_owned());
                        if let [only] = results.as_slice() {
                            let id = only.id;
                            self.records_command(RecordsCommand::Open(id), ctx);
                        }
                        self.records.results = results;
                    }
                    Err(message) => self.records.message = Some(message),
                }
            }
            AppEvent::History(result) => match result {
                Ok(history) => {
                    self.records_label = self.label_panel_of(&history);
                    self.records.history = Some(history);
                }
                Err(message) => self.records.message = Some(message),
            },
            AppEvent::OperatorAdded(result) => {
                self.settings_message = Some(match result {
                    Ok(message) => (true, message),
                    Err(message) => (false, message),
                });
                self.refresh_operators(ctx);
            }
            AppEvent::PhotoRecorded { inspection_id, tile, result } => {
                let Some(bench) = self.bench.as_mut().filter(|b| b.inspection_id == inspection_id) else { return };
                match result {
                    Ok(()) => {
                        if bench.photos.iter().any(|p| p.sha256 == tile.sha256 && p.checkpoint == tile.checkpoint) {
                            return;
                        }
                        bench.photos.push(PhotoTile {
                            thumbnail: Some(texture(ctx, &tile.sha256, "thumbnail", &tile.thumbnail)),
                            sha256: tile.sha256,
                            checkpoint: tile.checkpoint,
                            item: tile.item,
                        });
                    }
                    Err(message) => self.notice = Some(format!("photo stored but not recorded: {message}")),
                }
            }
            AppEvent::BinLabels { title, result } => {
                let panel = match result {
                    Ok(labels) => self.show_labels(LabelPlace::Intake, title, labels),
                    Err(message) => LabelPanel { title, message: Some((false, message)), ..LabelPanel::default() },
                };
                self.intake_label = Some(panel);
            }
            AppEvent::Printer { saved, result } => match result {
                Ok(printer) => {
                    if saved {
                        let words = printer.as_ref().map_or("no label printer".to_owned(), |p| format!("the {p}"));
                        self.printer.message = Some((true, format!("bin labels now print on {words}")));
                    }
                    self.printer_form = PrinterForm::of(printer.as_ref());
                    self.printer.saved = Some(printer);
                }
                Err(message) => self.printer.message = Some((false, message)),
            },
            AppEvent::Dashboard(result) => {
                self.dashboard.loading = false;
                match result {
                    Ok(dashboard) => {
                        let merchant = |id: &str| {
                            self.policies.get(id).map_or_else(
                                || (id.to_owned(), String::new()),
                                |l| (l.policy.merchant.name.clone(), l.policy.merchant.currency.clone()),
                            )
                        };
                        self.dashboard.view = Some(DashboardView::of(&dashboard, merchant));
                        self.dashboard.message = None;
                    }
                    Err(message) => self.dashboard.message = Some(message),
                }
            }
        }
    }

    /// The card a finished lookup shows.
    fn card_for(&self, code: String, kind: String, found: IntakeMatch) -> Option<PendingMatch> {
        let card = match &found {
            IntakeMatch::Rmas(options) => {
                let items = match options.as_slice() {
                    [only] => {
                        only.order.record.lines.iter().map(|l| format!("{} × {} — {}", l.qty, l.sku, l.name)).collect()
                    }
                    _ => Vec::new(),
                };
                MatchCard::Rmas { code, options: options.iter().map(rma_line).collect(), items }
            }
            IntakeMatch::Orders(orders) => {
                let order = orders.first()?;
                let policy = self.policies.get(&order.record.merchant).map_or_else(String::new, |loaded| {
                    let auth = &loaded.policy.authorization;
                    format!("{}: {}", auth.clause.id, auth.clause.text)
                });
                MatchCard::NoRma { code, order: format!("order {}", order.record.number), policy }
            }
            IntakeMatch::Nothing => MatchCard::NoMatch { code },
            IntakeMatch::ItemCode => return None,
        };
        let (options, order) = match found {
            IntakeMatch::Rmas(options) => (options, None),
            IntakeMatch::Orders(mut orders) => (Vec::new(), Some(orders.swap_remove(0))),
            _ => (Vec::new(), None),
        };
        Some(PendingMatch { card, kind, options, order })
    }

    // ----- requests -----

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
            self.notice = Some(e.to_string());
        }
        queued.is_ok()
    }

    fn database_path(&self) -> PathBuf {
        crate::storage::database_path(&self.data_dir)
    }

    /// Asks the storage thread for the database's counts (as the first frame does); the answer comes in
    /// through `logic`. False when it could not be asked (no database, or its queue is full).
    pub fn refresh_counts(&mut self, ctx: &egui::Context) -> bool {
        self.submit(ctx, |store| store.counts().map_err(|e| e.to_string()), AppEvent::Counts)
    }

    fn refresh_operators(&mut self, ctx: &egui::Context) {
        self.submit(
            ctx,
            |store| {
                store
                    .operators()
                    .map(|all| all.into_iter().map(|o| (o.name, o.role, o.active)).collect())
                    .map_err(|e| e.to_string())
            },
            AppEvent::Operators,
        );
    }

    fn refresh_today(&mut self, ctx: &egui::Context) {
        let since = start_of_today();
        self.submit(
            ctx,
            move |store| store.packages_since(&since, TODAY_LIMIT).map_err(|e| e.to_string()),
            AppEvent::Today,
        );
    }

    fn refresh_queue(&mut self, ctx: &egui::Context) {
        let tab = self.queues.tab;
        self.queues.loading = true;
        self.queues.today = self.today();
        self.submit(
            ctx,
            move |store| {
                let counts = store
                    .open_queue_counts()
                    .and_then(|counts| Ok((counts, store.quarantined()?.len() as u64)))
                    .map_err(|e| e.to_string());
                let rows = match tab {
                    QueueTab::Work(queue) => store.queue_items(queue, true, QUEUE_LIMIT).and_then(|rows| {
                        let batches = if queue == Queue::Hold {
                            Vec::new()
                        } else {
                            store.export_batches(queue, BATCHES_SHOWN)?
                        };
                        Ok(QueueRows::Work(rows, batches))
                    }),
                    QueueTab::Quarantine => store.quarantined().map(QueueRows::Quarantine),
                }
                .map_err(|e| e.to_string());
                (counts, rows)
            },
            move |(counts, rows)| AppEvent::Queue { tab, counts, rows },
        );
    }

    /// Where the decision about to be confirmed writes its evidence packet without being asked, if it does:
    /// a denial or a shipping-damage claim (`evidence::written_automatically`).
    fn automatic_packet(&self, decision: &Decision) -> Option<PacketPlace> {
        let kind = match &self.bench.as_ref()?.claim {
            Claim::Rma(found) => Some(found.rma.record.kind),
            _ => None,
        };
        evidence::written_automatically(decision, kind).then(|| self.packet_place())
    }

    fn packet_place(&self) -> PacketPlace {
        PacketPlace {
            photos: PhotoFolder::new(crate::storage::photos_path(&self.data_dir)),
            folder: evidence::packets_folder(&self.data_dir),
        }
    }

    /// Writes a decision's evidence packet into the evidence folder, on the storage thread.
    fn write_evidence(&mut self, decision_id: i64, ctx: &egui::Context) {
        let (place, stamp) = (self.packet_place(), self.stamp());
        self.banner = Some((true, "writing the evidence packet…".to_owned()));
        self.submit(
            ctx,
            move |store| {
                evidence::write_packet(store, &place.photos, decision_id, PacketTarget::Folder(&place.folder), &stamp)
                    .map(|receipt| receipt.to_string())
                    .map_err(|e| e.to_string())
            },
            AppEvent::EvidenceWritten,
        );
    }

    fn load_demo(&mut self, ctx: &egui::Context) {
        // The clock is read here, at the edge; the demo's dates are moved to this day.
        let now = Local::now();
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

/// A locked name, in the words of a refused sign-in.
fn locked_words(locked: crate::domain::lockout::LockedUntil, now: DateTime<Utc>) -> String {
    auth::AuthError::Locked { minutes: locked.minutes_left(now) }.to_string()
}

/// Midnight of the local day, as the store's RFC 3339 UTC instants.
fn start_of_today() -> String {
    let midnight = Local::now().date_naive().and_hms_opt(0, 0, 0).and_then(|m| m.and_local_timezone(Local).earliest());
    let at: DateTime<Utc> = midnight.map_or_else(Utc::now, |m| m.to_utc());
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The banner after a decision is saved: "RMA-2026-0101 decided: accept — refund $45.00".
fn decided_summary(number: &str, currency: &str, saved: &DecisionToSave) -> String {
    let decision = &saved.decision;
    let mut words = format!("{number} decided: {} — {}", decision.verdict, decision.disposition);
    if !decision.money.net.is_zero() {
        words.push_str(&format!(" {}", crate::domain::policy::words::format_amount(decision.money.net, currency)));
    }
    if saved.override_.is_some() {
        words.push_str(" (override)");
    }
    let queues: Vec<&str> = saved.queue.iter().map(|e| e.queue.as_str()).collect();
    if !queues.is_empty() {
        words.push_str(&format!("; queued: {}", queues.join(", ")));
    }
    words
}

/// Where an evidence packet is read from and written to.
#[derive(Debug, Clone)]
struct PacketPlace {
    photos: PhotoFolder,
    folder: PathBuf,
}

/// Saves the sheet and the confirmed decision, then writes the decision's evidence packet if it gets one
/// without being asked. The decision stands whatever becomes of its packet: a packet that fails is
/// reported and can be written again from the Records screen.
fn save_decision(
    store: &mut dyn Store,
    to_save: &DecisionToSave,
    sheet: &InspectionSheet,
    stamp: &Stamp,
    packet: Option<PacketPlace>,
) -> Result<SavedDecision, crate::storage::StoreError> {
    store.save_inspection(to_save.inspection_id, sheet, stamp)?;
    let id = store.record_decision(to_save, stamp)?;
    let packet = packet.map(|place| {
        evidence::write_packet(store, &place.photos, id, PacketTarget::Folder(&place.folder), stamp)
            .map(|receipt| receipt.to_string())
            .map_err(|e| e.to_string())
    });
    Ok(SavedDecision { id, packet })
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
