//! The records screen: find a package by any number (package, RMA, order, tracking, the code scanned)
//! and read its whole story: the scan, the inspection, the photos, the decision, the queue items and
//! every audit entry, in order.

use eframe::egui;

use crate::formats::case_json::RecordedDecision;
use crate::gui::inspection::{checkpoint_words, item_line};
use crate::gui::intake::stage_words;
use crate::gui::queues::queue_line;
use crate::gui::theme;
use crate::gui::words::local_time;
use crate::storage::{PackageHistory, PackageRow};

pub const FIND_FIELD: &str = "Find by any number";
/// The button that writes a decision's evidence packet (PDF) into the evidence folder.
pub const EVIDENCE_PACKET: &str = "Evidence packet";
/// The reason a supervisor gives to reopen a decided package, and the button that does it.
pub const REOPEN_REASON: &str = "Why reopen it";
pub const REOPEN: &str = "Reopen: withdraw this decision (supervisor)";

/// The Records screen's evidence button of one decision: "Evidence packet of decision 12".
pub fn evidence_button(decision_id: i64) -> String {
    format!("{EVIDENCE_PACKET} of decision {decision_id}")
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordsView {
    pub results: Vec<PackageRow>,
    pub history: Option<Box<PackageHistory>>,
    pub searching: bool,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordsForm {
    pub text: String,
    pub reopen_reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordsCommand {
    Find(String),
    Open(i64),
    /// Write the evidence packet of this decision.
    EvidencePacket(i64),
    /// A supervisor withdraws the decision that stands on this package, for this reason.
    Reopen {
        package_id: i64,
        reason: String,
    },
}

/// Draws the records screen; `supervisor`: the one signed in may reopen a decided package.
pub fn records_ui(
    ui: &mut egui::Ui,
    view: &RecordsView,
    form: &mut RecordsForm,
    supervisor: bool,
) -> Option<RecordsCommand> {
    let mut command = None;
    ui.horizontal(|ui| {
        let label = ui.label(FIND_FIELD);
        let field = ui.add(egui::TextEdit::singleline(&mut form.text).desired_width(360.0)).labelled_by(label.id);
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (entered || ui.button("Find").clicked()) && !form.text.trim().is_empty() {
            command = Some(RecordsCommand::Find(form.text.trim().to_owned()));
        }
        if view.searching {
            ui.colored_label(theme::WAIT, "searching…");
        }
    });
    if let Some(message) = &view.message {
        ui.colored_label(theme::WAIT, message);
    }
    let (opened, asked) = theme::two_columns(
        ui,
        |ui| {
            let mut command = None;
            egui::ScrollArea::vertical().id_salt("results").show(ui, |ui| {
                for package in &view.results {
                    let (colour, stage) = stage_words(&package.stage);
                    let rma = package.rma_number.as_deref().unwrap_or("no RMA");
                    let line =
                        format!("package #{} · {rma} · {} · {stage}", package.id, local_time(&package.received_at));
                    let open = view.history.as_ref().is_some_and(|h| h.package.id == package.id);
                    if ui.selectable_label(open, egui::RichText::new(line).color(colour)).clicked() {
                        command = Some(RecordsCommand::Open(package.id));
                    }
                }
            });
            command
        },
        |ui| {
            let history = view.history.as_ref()?;
            let reason = &mut form.reopen_reason;
            egui::ScrollArea::vertical()
                .id_salt("history")
                .show(ui, |ui| history_ui(ui, history, reason, supervisor))
                .inner
        },
    );
    command.or(opened).or(asked)
}

/// Draws a package's story; returns the evidence packet or the reopen asked for, if any.
fn history_ui(
    ui: &mut egui::Ui,
    history: &PackageHistory,
    reason: &mut String,
    supervisor: bool,
) -> Option<RecordsCommand> {
    let mut command = None;
    let package = &history.package;
    ui.label(theme::heading(&format!("Package #{}", package.id)));
    if history.decisions.iter().any(|decision| decision.withdrawn.is_none()) {
        if supervisor {
            // One under the other: the column is narrow beside a bin label, and a row too wide would put the
            // button under the label panel, out of reach.
            let label = ui.label(REOPEN_REASON);
            ui.add(egui::TextEdit::singleline(reason).desired_width(ui.available_width().min(320.0)))
                .labelled_by(label.id);
            if ui.add_enabled(!reason.trim().is_empty(), egui::Button::new(REOPEN)).clicked() {
                command = Some(RecordsCommand::Reopen { package_id: history.package.id, reason: reason.clone() });
            }
        } else {
            ui.label("A supervisor reopens a decided package (it withdraws the decision and what nobody paid yet).");
        }
    }
    ui.label(format!(
        "scanned {} ({}) at {} by {} on {}",
        package.scanned_code,
        package.scanned_kind.replace('_', " "),
        local_time(&package.received_at),
        package.operator,
        package.station
    ));
    if !package.note.is_empty() {
        ui.label(format!("note: {}", package.note));
    }
    if let Some(found) = &history.rma {
        ui.label(crate::gui::intake::rma_line(found));
    }
    for (id, sheet) in &history.inspections {
        ui.strong(format!("Inspection {id} (received {})", sheet.received_on));
        for item in &sheet.items {
            let state = &item.state;
            ui.label(format!(
                "{} · {}, sticker {}, packaging {}, defect {}, cause {}{}",
                item_line(item),
                state.condition,
                state.sticker,
                state.packaging,
                state.defect,
                state.damage_cause,
                if item.notes.is_empty() { String::new() } else { format!(" · {}", item.notes) }
            ));
        }
    }
    if !history.photos.is_empty() {
        ui.strong("Photos");
        for photo in &history.photos {
            ui.label(format!(
                "{} · {}×{} · {} · {}",
                checkpoint_words(photo.checkpoint),
                photo.width,
                photo.height,
                photo.taken_at.as_deref().unwrap_or("no capture time"),
                photo.sha256
            ));
        }
    }
    for decision in &history.decisions {
        ui.strong(format!("Decision {}: {} — {}", decision.id, decision.verdict, decision.disposition));
        ui.label(format!("net {} on {} by {}", decision.net, decision.decided_on, decision.operator));
        for missing in missing_lines(&decision.decision_json) {
            ui.colored_label(theme::WAIT, missing);
        }
        if let (Some(reason), Some(by)) = (&decision.override_reason, &decision.approved_by) {
            ui.colored_label(theme::WAIT, format!("overridden, approved by {by}: {reason}"));
        }
        if let Some(withdrawn) = &decision.withdrawn {
            ui.colored_label(
                theme::WAIT,
                format!("withdrawn {} by {}: {}", local_time(&withdrawn.at), withdrawn.by, withdrawn.reason),
            );
        }
        if ui.button(evidence_button(decision.id)).clicked() {
            command = Some(RecordsCommand::EvidencePacket(decision.id));
        }
    }
    if !history.queue.is_empty() {
        ui.strong("Queue");
        for row in &history.queue {
            ui.label(format!("{}: {}", row.queue, queue_line(row)));
        }
    }
    ui.strong("Audit trail");
    for entry in &history.audit {
        ui.label(
            egui::RichText::new(format!(
                "{} {} {} {}/{} {}",
                entry.seq, entry.at, entry.actor, entry.entity, entry.entity_id, entry.action
            ))
            .monospace(),
        );
    }
    command
}

/// The ordered units that never arrived, from a saved decision's JSON: "missing: 2 × PSU-12V-2A (fee 10.00)".
/// The inspection keeps only what arrived; the decision is where the shortfall is recorded.
fn missing_lines(decision_json: &str) -> Vec<String> {
    let Ok(decision) = RecordedDecision::parse(decision_json) else { return Vec::new() };
    decision
        .lines
        .iter()
        .filter(|line| line.missing > 0)
        .map(|line| {
            let fee = if line.fee.is_zero() { String::new() } else { format!(" (fee {})", line.fee) };
            format!("missing: {} × {}{fee}", line.missing, line.sku)
        })
        .collect()
}
