//! The intake screen: the scan field that always has focus (keyboard-wedge scanners type into it),
//! the serial scanners' live status, and the package scans so far with what each found.

use eframe::egui;

use crate::gui::theme;
use crate::intake::IntakeMatch;

/// The scan field's accessible name.
pub const SCAN_FIELD: &str = "Scan";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeView {
    pub scanners: Vec<ScannerStatus>,
    /// Newest first.
    pub recent: Vec<ScanRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannerStatus {
    pub name: String,
    pub state: ScannerState,
    pub last_scan: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScannerState {
    Waiting,
    Connected,
    Disconnected(String),
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanOutcome {
    Looking,
    /// One line per RMA (or order) the package may belong to.
    Found(Vec<String>),
    NoMatch,
    ItemCode,
    Refused(String),
    Failed(String),
}

impl ScanOutcome {
    /// The words of a finished lookup.
    pub fn of(found: &IntakeMatch) -> ScanOutcome {
        match found {
            IntakeMatch::Rmas(matches) => ScanOutcome::Found(
                matches
                    .iter()
                    .map(|m| {
                        let rma = &m.rma.record;
                        format!(
                            "{} · order {} · {} · {}, {}",
                            rma.number, m.order.record.number, m.order.record.customer_name, rma.kind, rma.resolution
                        )
                    })
                    .collect(),
            ),
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

impl ScanRow {
    /// The row's headline, e.g. "scanner left: 1Z5R89390357567127 — tracking number (UPS)".
    pub fn headline(&self) -> String {
        format!("{}: {} — {}", self.source, self.code, self.what)
    }
}

/// What the clerk asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntakeCommand {
    /// Enter in the scan field: a keyboard-wedge scan or a typed number.
    Scan(String),
}

/// Draws the intake screen; `scan_text` is the scan field's contents, kept by the app so nothing typed
/// is lost between frames.
pub fn intake_ui(ui: &mut egui::Ui, view: &IntakeView, scan_text: &mut String) -> Option<IntakeCommand> {
    let mut command = None;
    ui.label(theme::heading("Intake"));
    ui.horizontal(|ui| {
        let label = ui.label(egui::RichText::new(SCAN_FIELD).size(theme::SCAN_TEXT_SIZE));
        let field = ui.add(
            egui::TextEdit::singleline(scan_text)
                .font(theme::scan_font())
                .desired_width(f32::INFINITY)
                .hint_text("scan a label, or type an RMA, tracking or order number and press Enter"),
        );
        let field = field.labelled_by(label.id);
        if field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            let code = std::mem::take(scan_text);
            if !code.trim().is_empty() {
                command = Some(IntakeCommand::Scan(code));
            }
            field.request_focus();
        }
        // The scan field keeps the focus whenever nothing else has it: a scan is never typed into
        // the void.
        if ui.memory(|m| m.focused().is_none()) {
            field.request_focus();
        }
    });
    ui.horizontal_wrapped(|ui| {
        for scanner in &view.scanners {
            let (colour, state) = match &scanner.state {
                ScannerState::Waiting => (theme::WAIT, "waiting for the port".to_owned()),
                ScannerState::Connected => (theme::GOOD, "connected".to_owned()),
                ScannerState::Disconnected(reason) => (theme::WRONG, format!("disconnected: {reason}")),
            };
            let last = scanner.last_scan.as_deref().map(|s| format!(", last scan {s}")).unwrap_or_default();
            ui.colored_label(colour, format!("scanner {}: {state}{last}", scanner.name));
        }
    });
    ui.separator();
    egui::ScrollArea::vertical().show(ui, |ui| {
        for row in &view.recent {
            ui.label(row.headline());
            let (colour, lines) = match &row.outcome {
                ScanOutcome::Looking => (theme::WAIT, vec!["looking…".to_owned()]),
                ScanOutcome::Found(lines) => (theme::GOOD, lines.clone()),
                ScanOutcome::NoMatch => {
                    (theme::WAIT, vec!["no match: search by customer, or quarantine the package".to_owned()])
                }
                ScanOutcome::ItemCode => (theme::WAIT, vec!["an item's code: scan items during inspection".to_owned()]),
                ScanOutcome::Refused(reason) => (theme::WRONG, vec![format!("refused: {reason}")]),
                ScanOutcome::Failed(reason) => (theme::WRONG, vec![format!("could not look it up: {reason}")]),
            };
            for line in lines {
                ui.colored_label(colour, format!("    {line}"));
            }
        }
    });
    command
}
