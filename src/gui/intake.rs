//! The intake screen: what the last package scan matched (open it, pick one of several, search, or
//! quarantine the package), the serial scanners' live status, today's packages and the scans so far.
//! The scan field itself is the station's one field at the top of every screen ([`scan_field_ui`]).

use eframe::egui;

use crate::bench::intake::IntakeMatch;
use crate::gui::theme;
use crate::storage::{PackageRow, PackageStage, RmaMatch};

/// The scan field's accessible name.
pub const SCAN_FIELD: &str = "Scan";
pub const RECEIVE: &str = "Receive and inspect (Enter)";
pub const RECEIVE_WITHOUT_RMA: &str = "Receive without an RMA (the policy decides)";
pub const DISMISS: &str = "Dismiss (Escape)";
pub const ANOTHER_BOX: &str = "Another box for this RMA (a split shipment)";

/// The button that resumes a package received and not decided.
pub fn resume_words(package_id: i64) -> String {
    format!("Resume #{package_id}")
}

/// The button that opens a package received before: resumed if it is not decided, viewed if it is.
pub fn open_package_words(package_id: i64) -> String {
    format!("Open package #{package_id} (Enter)")
}
pub const QUARANTINE: &str = "Quarantine the package";
pub const QUARANTINE_NOTE: &str = "Quarantine note";
pub const SEARCH_FIELD: &str = "Search by order number, customer name or email";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeView {
    pub scanners: Vec<ScannerStatus>,
    /// Newest first.
    pub recent: Vec<ScanRow>,
    /// The last package scan's match, waiting for the clerk.
    pub card: Option<MatchCard>,
    /// Packages received today, newest first.
    pub today: Vec<PackageRow>,
    /// Packages received and not decided (or reopened), newest first: each can be resumed.
    pub waiting: Vec<PackageRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannerStatus {
    pub name: String,
    /// How it is set up: "/dev/rma-scanner-left, 9600 baud, CR suffix".
    pub setup: String,
    pub state: ScannerState,
    pub last_scan: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScannerState {
    Waiting,
    Connected,
    Disconnected(String),
}

impl ScannerState {
    /// The state in words and its colour, as intake and settings show it.
    pub fn words(&self) -> (egui::Color32, String) {
        match self {
            ScannerState::Waiting => (theme::WAIT, "waiting for the port".to_owned()),
            ScannerState::Connected => (theme::GOOD, "connected".to_owned()),
            ScannerState::Disconnected(reason) => (theme::WRONG, format!("disconnected: {reason}")),
        }
    }
}

/// One scan at intake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanRow {
    /// "keyboard" or the scanner's name.
    pub source: String,
    pub code: String,
    /// What the code is, in words: "tracking number (UPS)", "RMA number".
    pub what: String,
    pub outcome: ScanOutcome,
}

/// A scan's words while the database is away.
pub const KEPT_SCAN: &str = "kept on this bench: looked up when the database is back";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanOutcome {
    Looking,
    /// Kept on this bench while the database is away, looked up when it is back.
    Kept,
    /// One line per RMA (or order) the package may belong to.
    Found(Vec<String>),
    NoMatch,
    ItemCode,
    Refused(String),
    Failed(String),
    /// A bench command barcode, carried out.
    Command(String),
}

impl ScanOutcome {
    /// The words of a finished lookup.
    pub fn of(found: &IntakeMatch) -> ScanOutcome {
        match found {
            IntakeMatch::Rmas(matches) => ScanOutcome::Found(matches.iter().map(rma_line).collect()),
            IntakeMatch::Orders(orders) => ScanOutcome::Found(
                orders
                    .iter()
                    .map(|o| format!("order {} · {} · no RMA yet", o.record.number, o.record.customer_name))
                    .collect(),
            ),
            IntakeMatch::Nothing => ScanOutcome::NoMatch,
            IntakeMatch::ItemCode => ScanOutcome::ItemCode,
        }
    }
}

/// "RMA-2026-0101 · order CP-20101 · Rosa Diaz · return, refund".
pub fn rma_line(found: &RmaMatch) -> String {
    let rma = &found.rma.record;
    format!(
        "{} · order {} · {} · {}, {}",
        rma.number, found.order.record.number, found.order.record.customer_name, rma.kind, rma.resolution
    )
}

impl ScanRow {
    /// The row's headline, e.g. "scanner left: 1Z5R89390357567127 — tracking number (UPS)".
    pub fn headline(&self) -> String {
        format!("{}: {} — {}", self.source, self.code, self.what)
    }
}

/// What the last package scan found, as the clerk must act on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchCard {
    /// RMAs to open: one (Enter opens it) or several (type its number in the scan field, or click). An RMA
    /// received before lists its packages (`earlier`, in words) and Enter opens the latest of them.
    Rmas { code: String, options: Vec<String>, items: Vec<String>, earlier: Vec<String>, open_package: Option<i64> },
    /// An order with no RMA: what the merchant's policy says about such a package.
    NoRma { code: String, order: String, policy: String },
    /// Nothing matched (or the search found nothing yet).
    NoMatch { code: String },
}

impl MatchCard {
    pub fn code(&self) -> &str {
        match self {
            MatchCard::Rmas { code, .. } | MatchCard::NoRma { code, .. } | MatchCard::NoMatch { code } => code,
        }
    }
}

/// What the clerk has typed on the intake screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntakeForm {
    pub search: String,
    pub note: String,
}

/// What the clerk asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntakeCommand {
    /// Receive the package against option `n` of the card and open its inspection.
    Open(usize),
    Search(String),
    Quarantine {
        note: String,
    },
    /// An order's package without an RMA: receive it and let the merchant's policy decide it.
    ReceiveWithoutRma,
    /// Open a package received before: resume it if it is not decided, view its record if it is.
    OpenPackage(i64),
    /// Receive the scanned box as a further box of a split shipment for the card's only RMA.
    AnotherBox,
    Dismiss,
}

/// What the scan field was given: Enter with text (a scan or a typed number) or Enter on an empty field
/// (the screen's main action).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanFieldInput {
    Scan(String),
    Confirm,
}

/// The station's scan field: keyboard-wedge scanners type into it, so it takes the focus back
/// whenever no other field has it; `scan_text` is kept by the app so nothing typed is lost.
pub fn scan_field_ui(ui: &mut egui::Ui, scan_text: &mut String, hint: &str) -> Option<ScanFieldInput> {
    let mut input = None;
    ui.horizontal(|ui| {
        let label = ui.label(egui::RichText::new(SCAN_FIELD).size(theme::SCAN_TEXT_SIZE));
        let field = ui.add(
            egui::TextEdit::singleline(scan_text).font(theme::scan_font()).desired_width(f32::INFINITY).hint_text(hint),
        );
        let field = field.labelled_by(label.id);
        if field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            let code = std::mem::take(scan_text);
            input = Some(if code.trim().is_empty() { ScanFieldInput::Confirm } else { ScanFieldInput::Scan(code) });
            field.request_focus();
        }
        if ui.memory(|m| m.focused().is_none()) {
            field.request_focus();
        }
    });
    input
}

/// Draws the intake screen.
pub fn intake_ui(ui: &mut egui::Ui, view: &IntakeView, form: &mut IntakeForm) -> Option<IntakeCommand> {
    let mut command = None;
    if !view.scanners.is_empty() {
        ui.horizontal_wrapped(|ui| {
            for scanner in &view.scanners {
                let (colour, state) = scanner.state.words();
                let last = scanner.last_scan.as_deref().map(|s| format!(", last scan {s}")).unwrap_or_default();
                ui.colored_label(colour, format!("scanner {}: {state}{last}", scanner.name));
            }
        });
    }
    if let Some(card) = &view.card {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            command = card_ui(ui, card, form);
        });
    }
    ui.separator();
    theme::two_columns(
        ui,
        |ui| {
            if !view.waiting.is_empty() {
                ui.strong(format!("Received, not decided ({})", view.waiting.len()));
                for package in &view.waiting {
                    let rma = package.rma_number.as_deref().unwrap_or("order, no RMA");
                    ui.horizontal(|ui| {
                        if ui.button(resume_words(package.id)).clicked() {
                            command = Some(IntakeCommand::OpenPackage(package.id));
                        }
                        let received = crate::gui::words::local_time(&package.received_at);
                        ui.label(format!("{rma} · {} · received {received} at {}", package.operator, package.station));
                    });
                }
                ui.separator();
            }
            ui.strong(format!("Today's packages ({})", view.today.len()));
            egui::ScrollArea::vertical().id_salt("today").show(ui, |ui| {
                for package in &view.today {
                    let (colour, stage) = stage_words(&package.stage);
                    let rma = package.rma_number.as_deref().unwrap_or("no RMA");
                    ui.colored_label(colour, format!("#{} · {rma} · {stage}", package.id));
                }
            });
        },
        |ui| {
            ui.strong("Scans");
            egui::ScrollArea::vertical().id_salt("scans").show(ui, |ui| {
                for row in &view.recent {
                    ui.label(row.headline());
                    let (colour, lines) = outcome_lines(&row.outcome);
                    for line in lines {
                        ui.colored_label(colour, format!("    {line}"));
                    }
                }
            });
        },
    );
    command
}

fn card_ui(ui: &mut egui::Ui, card: &MatchCard, form: &mut IntakeForm) -> Option<IntakeCommand> {
    let mut command = None;
    match card {
        MatchCard::Rmas { code, options, items, earlier, open_package } => {
            ui.label(format!("Scanned {code}"));
            if let ([only], Some(package_id)) = (options.as_slice(), open_package) {
                ui.colored_label(theme::WAIT, theme::heading(&format!("{only}: received before")));
                for line in earlier {
                    ui.label(format!("    {line}"));
                }
                ui.horizontal(|ui| {
                    if ui.button(open_package_words(*package_id)).clicked() {
                        command = Some(IntakeCommand::OpenPackage(*package_id));
                    }
                    if ui.button(ANOTHER_BOX).clicked() {
                        command = Some(IntakeCommand::AnotherBox);
                    }
                    if ui.button(DISMISS).clicked() {
                        command = Some(IntakeCommand::Dismiss);
                    }
                });
                return command;
            }
            if let [only] = options.as_slice() {
                ui.colored_label(theme::GOOD, theme::heading(only));
                for item in items {
                    ui.label(format!("    {item}"));
                }
                ui.horizontal(|ui| {
                    if ui.button(RECEIVE).clicked() {
                        command = Some(IntakeCommand::Open(0));
                    }
                    if ui.button(DISMISS).clicked() {
                        command = Some(IntakeCommand::Dismiss);
                    }
                });
                return command;
            } else {
                ui.colored_label(theme::WAIT, theme::heading(&format!("{} RMAs match", options.len())));
                ui.label("Type the option's number in the scan field and press Enter, or click it.");
                for (index, option) in options.iter().enumerate() {
                    if ui.button(format!("{} · {option}", index + 1)).clicked() {
                        command = Some(IntakeCommand::Open(index));
                    }
                }
            }
        }
        MatchCard::NoRma { code, order, policy } => {
            ui.colored_label(theme::WAIT, theme::heading(&format!("{code}: {order}, but no RMA")));
            ui.label(format!("The merchant's policy for a package without an RMA: {policy}"));
            if ui.button(RECEIVE_WITHOUT_RMA).clicked() {
                command = Some(IntakeCommand::ReceiveWithoutRma);
            }
        }
        MatchCard::NoMatch { code } => {
            ui.colored_label(theme::WAIT, theme::heading(&format!("{code}: no match")));
        }
    }
    if !matches!(card, MatchCard::Rmas { options, .. } if options.len() == 1) {
        command = command.or(search_and_quarantine_ui(ui, form));
    }
    if ui.button(DISMISS).clicked() {
        command = Some(IntakeCommand::Dismiss);
    }
    command
}

fn search_and_quarantine_ui(ui: &mut egui::Ui, form: &mut IntakeForm) -> Option<IntakeCommand> {
    let mut command = None;
    ui.horizontal(|ui| {
        let label = ui.label(SEARCH_FIELD);
        let field = ui.add(egui::TextEdit::singleline(&mut form.search).desired_width(320.0)).labelled_by(label.id);
        if (field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) || ui.button("Search").clicked())
            && !form.search.trim().is_empty()
        {
            command = Some(IntakeCommand::Search(form.search.trim().to_owned()));
        }
    });
    ui.horizontal(|ui| {
        let label = ui.label(QUARANTINE_NOTE);
        ui.add(egui::TextEdit::singleline(&mut form.note).desired_width(320.0)).labelled_by(label.id);
        if ui.button(QUARANTINE).clicked() {
            command = Some(IntakeCommand::Quarantine { note: std::mem::take(&mut form.note) });
        }
    });
    command
}

/// A package received before for the scanned RMA, in one line: when, where, by whom, how it was decided,
/// and what it queued with whether that was paid or shipped.
pub fn earlier_words(history: &crate::storage::PackageHistory) -> String {
    let package = &history.package;
    let mut words = format!(
        "package #{} · received {} at {} by {} · {}",
        package.id,
        crate::gui::words::local_time(&package.received_at),
        package.station,
        package.operator,
        stage_words(&package.stage).1
    );
    if let Some(decision) = history.decisions.iter().rev().find(|d| d.withdrawn.is_none()) {
        words.push_str(&format!(", {}", decision.disposition.as_str().replace('_', " ")));
    }
    for item in &history.queue {
        let amount = item.amount.map(|a| format!(" {a}")).unwrap_or_default();
        let status = match &item.status {
            crate::records::QueueStatus::Open => "open".to_owned(),
            crate::records::QueueStatus::Done { reference, .. } => format!("done ({reference})"),
            crate::records::QueueStatus::Withdrawn => "withdrawn".to_owned(),
        };
        words.push_str(&format!(" · {}{amount}: {status}", crate::gui::queues::queue_title(item.queue)));
    }
    words
}

/// A package's stage in words and colour.
pub fn stage_words(stage: &PackageStage) -> (egui::Color32, String) {
    match stage {
        PackageStage::Quarantined => (theme::WAIT, "quarantined".to_owned()),
        PackageStage::Received => (theme::WAIT, "received, not decided".to_owned()),
        PackageStage::Reopened => (theme::WAIT, "reopened, not decided".to_owned()),
        PackageStage::Decided(verdict) => (theme::GOOD, format!("decided: {verdict}")),
    }
}

fn outcome_lines(outcome: &ScanOutcome) -> (egui::Color32, Vec<String>) {
    match outcome {
        ScanOutcome::Looking => (theme::WAIT, vec!["looking…".to_owned()]),
        ScanOutcome::Kept => (theme::WAIT, vec![KEPT_SCAN.to_owned()]),
        ScanOutcome::Found(lines) => (theme::GOOD, lines.clone()),
        ScanOutcome::NoMatch => {
            (theme::WAIT, vec!["no match: search by customer, or quarantine the package".to_owned()])
        }
        ScanOutcome::ItemCode => (theme::WAIT, vec!["an item's code: scan items during inspection".to_owned()]),
        ScanOutcome::Refused(reason) => (theme::WRONG, vec![format!("refused: {reason}")]),
        ScanOutcome::Failed(reason) => (theme::WRONG, vec![format!("could not look it up: {reason}")]),
        ScanOutcome::Command(what) => (theme::GOOD, vec![what.clone()]),
    }
}
