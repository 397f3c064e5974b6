//! The decision screen: the engine's verdict in large type, the disposition and money breakdown, each
//! line's outcome, every reason with its policy clause and the merchant's words, and the queue entries
//! confirming will create. The clerk confirms; an override (another disposition or amount) needs a
//! reason and a supervisor's PIN. A package held for want of a photo says, under the verdict, which item
//! to photograph at which checkpoint and the clause it would be refused on, with a button that goes back
//! to the inspection with that item and checkpoint chosen.

use eframe::egui;

use crate::domain::decision::{Decision, PhotoNeeded};
use crate::domain::inspection::InspectionSheet;
use crate::domain::policy::words::format_amount;
use crate::domain::queue::QueueEntry;
use crate::domain::vocabulary::{Checkpoint, Disposition, Verdict};
use crate::gui::inspection::checkpoint_words;
use crate::gui::theme;

pub const CONFIRM: &str = "Confirm (Enter)";
pub const OVERRIDE: &str = "Override… (F8)";
pub const OVERRIDE_DISPOSITION: &str = "New disposition";
pub const OVERRIDE_AMOUNT: &str = "New amount";
pub const OVERRIDE_REASON: &str = "Reason for the override";
pub const SUPERVISOR: &str = "Supervisor";
pub const SUPERVISOR_PIN: &str = "Supervisor PIN";
pub const APPLY_OVERRIDE: &str = "Approve override";
pub const PHOTO_NEEDED: &str = "Photo needed before this can be refused";
/// Why a photo is needed at all: the station's evidence rule in a clerk's words.
pub const PHOTO_RULE: &str =
    "Refusing an item for its physical state needs a photo of it, so the package is held until there is one.";

/// The button that goes back to take the photo at `checkpoint`: "Take the damage photo".
pub fn take_photo(checkpoint: Checkpoint) -> String {
    format!("Take the {} photo", checkpoint_words(checkpoint))
}

/// The decision as the screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionView {
    pub title: String,
    pub verdict: Verdict,
    pub disposition: Disposition,
    /// "Items accepted $120.00", "Restocking fee -$18.00"…, then "Net $102.00".
    pub money: Vec<String>,
    pub due: Option<String>,
    /// One per SKU: "KVM-4P: 2 ordered, 1 received, 1 accepted, 1 missing (fee $9.00) — partial".
    pub lines: Vec<String>,
    /// Clause id and the merchant's words.
    pub reasons: Vec<(String, String)>,
    pub flags: Vec<String>,
    /// What confirming will queue, e.g. "refund: refund $102.00 for 1 × KVM-4P".
    pub queue: Vec<String>,
    /// What the hold waits for: one per item that needs a photo before it can be refused.
    pub photos: Vec<PhotoLine>,
    pub saving: bool,
    pub message: Option<String>,
}

/// An item the decision is held for until it is photographed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoLine {
    /// The sheet item to photograph, when the sheet still has it.
    pub item: Option<usize>,
    pub checkpoints: Vec<Checkpoint>,
    /// "Photograph the warranty sticker: KVM-4P (4-port KVM switch)".
    pub what: String,
    /// One per clause: "It would be refused on <clause id>: “<the merchant's words>”".
    pub why: Vec<String>,
}

impl PhotoLine {
    fn of(needed: &PhotoNeeded, sheet: &InspectionSheet) -> PhotoLine {
        let item = sheet.sheet_index(needed.item);
        let name = item.and_then(|i| sheet.items.get(i)).map(|i| i.name.as_str()).unwrap_or_default();
        let name = if name.is_empty() { String::new() } else { format!(" ({name})") };
        let places: Vec<String> = needed.checkpoints.iter().map(|c| format!("the {}", checkpoint_words(*c))).collect();
        PhotoLine {
            item,
            checkpoints: needed.checkpoints.clone(),
            what: format!("Photograph {}: {}{name}", places.join(" and "), needed.sku),
            why: needed
                .clauses
                .iter()
                .map(|c| format!("It would be refused on {}: \u{201c}{}\u{201d}", c.id, c.text.trim()))
                .collect(),
        }
    }
}

impl DecisionView {
    /// The view of `decision`, made on `sheet` (which names the items a photo is needed of).
    pub fn of(
        title: String,
        decision: &Decision,
        sheet: &InspectionSheet,
        currency: &str,
        entries: &[QueueEntry],
    ) -> DecisionView {
        let amount = |money| format_amount(money, currency);
        let m = &decision.money;
        let mut money = vec![format!("Items accepted {}", amount(m.items_accepted))];
        for (what, fee) in [
            ("Restocking fee", m.restocking_fee),
            ("Card processing fee", m.card_fee),
            ("Return label", m.return_label),
            ("Handling fee", m.handling_fee),
        ] {
            if !fee.is_zero() {
                money.push(format!("{what} -{}", amount(fee)));
            }
        }
        money.push(format!("Net {}", amount(m.net)));
        if !m.shipping_not_refunded.is_zero() {
            money.push(format!("(The original shipping, {}, is not refunded.)", amount(m.shipping_not_refunded)));
        }
        DecisionView {
            title,
            verdict: decision.verdict,
            disposition: decision.disposition,
            money,
            due: decision.refund_due_on.map(|day| format!("Refund due by {day}")),
            lines: decision
                .lines
                .iter()
                .map(|line| {
                    let mut words = format!(
                        "{}: {} ordered, {} received, {} accepted",
                        line.sku, line.ordered, line.received, line.accepted
                    );
                    if line.refused > 0 {
                        words.push_str(&format!(", {} refused", line.refused));
                    }
                    if line.missing > 0 {
                        words.push_str(&format!(", {} missing", line.missing));
                    }
                    if !line.fee.is_zero() {
                        words.push_str(&format!(" (fee {})", amount(line.fee)));
                    }
                    words.push_str(&format!(" — {}", line.outcome.as_str().replace('_', " ")));
                    words
                })
                .collect(),
            reasons: decision.reasons.iter().map(|c| (c.id.clone(), c.text.clone())).collect(),
            flags: decision.flags.iter().map(|f| f.as_str().replace('_', " ")).collect(),
            queue: if entries.is_empty() {
                vec![nothing_queued(decision)]
            } else {
                entries
                    .iter()
                    .map(|e| {
                        let amount = e.amount.map(|a| format!("{} ", format_amount(a, currency))).unwrap_or_default();
                        format!("{}: {amount}{}", crate::gui::queues::queue_title(e.queue), e.detail)
                    })
                    .collect()
            },
            photos: decision.photos_needed.iter().map(|needed| PhotoLine::of(needed, sheet)).collect(),
            saving: false,
            message: None,
        }
    }
}

/// Why confirming queues nothing, so the clerk is not left with an empty list to wonder about.
fn nothing_queued(decision: &Decision) -> String {
    if decision.disposition.settles() && decision.money.net.is_zero() && !decision.money.items_accepted.is_zero() {
        "nothing to pay: the fees take the whole value of what was accepted (the decision records them)".to_owned()
    } else {
        "nothing: no money is owed and nothing arrived to send back (the decision is recorded with its reasons)"
            .to_owned()
    }
}

/// The verdict's colour.
pub fn verdict_colour(verdict: Verdict) -> egui::Color32 {
    match verdict {
        Verdict::Accept => theme::GOOD,
        Verdict::Partial | Verdict::Hold => theme::WAIT,
        Verdict::Deny => theme::WRONG,
    }
}

/// The override being filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideForm {
    pub open: bool,
    pub disposition: Disposition,
    pub amount: String,
    pub reason: String,
    pub supervisor: String,
    pub pin: String,
}

impl Default for OverrideForm {
    fn default() -> OverrideForm {
        OverrideForm {
            open: false,
            disposition: Disposition::Hold,
            amount: String::new(),
            reason: String::new(),
            supervisor: String::new(),
            pin: String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecisionCommand {
    Confirm,
    /// Back to the inspection to photograph this sheet item (if known) at this checkpoint.
    TakePhoto {
        item: Option<usize>,
        checkpoint: Checkpoint,
    },
    Override {
        disposition: Disposition,
        amount: String,
        reason: String,
        supervisor: String,
        pin: String,
    },
}

pub fn decision_ui(ui: &mut egui::Ui, view: &DecisionView, form: &mut OverrideForm) -> Option<DecisionCommand> {
    let mut command = None;
    ui.label(theme::heading(&view.title));
    ui.label(
        egui::RichText::new(format!(
            "{} — {}",
            view.verdict.as_str().to_uppercase(),
            view.disposition.as_str().replace('_', " ")
        ))
        .size(theme::VERDICT_SIZE)
        .strong()
        .color(verdict_colour(view.verdict)),
    );
    if !view.photos.is_empty() {
        command = photos_needed_ui(ui, &view.photos);
    }
    theme::two_columns(
        ui,
        |ui| {
            for line in &view.money {
                ui.label(line);
            }
            if let Some(due) = &view.due {
                ui.label(due);
            }
            ui.add_space(6.0);
            ui.strong("Items");
            for line in &view.lines {
                ui.label(line);
            }
            if !view.flags.is_empty() {
                ui.colored_label(theme::WAIT, format!("Flags: {}", view.flags.join(", ")));
            }
            ui.add_space(6.0);
            ui.strong("Confirming will queue");
            for entry in &view.queue {
                ui.label(entry);
            }
        },
        |ui| {
            ui.strong("Why: the policy's clauses");
            egui::ScrollArea::vertical().id_salt("reasons").show(ui, |ui| {
                for (id, text) in &view.reasons {
                    ui.label(egui::RichText::new(id).monospace());
                    ui.indent(id, |ui| ui.label(text.trim()));
                }
            });
        },
    );
    ui.separator();
    ui.horizontal(|ui| {
        let confirm = egui::Button::new(egui::RichText::new(CONFIRM).size(theme::HEADING_SIZE));
        if ui.add_enabled(!view.saving && !form.open, confirm).clicked() {
            command = Some(DecisionCommand::Confirm);
        }
        if ui.add_enabled(!view.saving, egui::Button::new(OVERRIDE)).clicked() {
            form.open = !form.open;
        }
        if view.saving {
            ui.colored_label(theme::WAIT, "saving…");
        }
    });
    if let Some(message) = &view.message {
        ui.colored_label(theme::WRONG, message);
    }
    if form.open {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            command = override_ui(ui, view, form).or(command.take());
        });
    }
    command
}

/// What the hold waits for: each item to photograph, where, and the clause it would be refused on.
fn photos_needed_ui(ui: &mut egui::Ui, photos: &[PhotoLine]) -> Option<DecisionCommand> {
    let mut command = None;
    egui::Frame::group(ui.style()).stroke(egui::Stroke::new(2.0, theme::WAIT)).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(egui::RichText::new(PHOTO_NEEDED).size(theme::HEADING_SIZE).strong().color(theme::WAIT));
        for line in photos {
            ui.add_space(4.0);
            ui.strong(&line.what);
            for why in &line.why {
                ui.label(why);
            }
            ui.horizontal_wrapped(|ui| {
                for checkpoint in &line.checkpoints {
                    if ui.button(egui::RichText::new(take_photo(*checkpoint)).strong()).clicked() {
                        command = Some(DecisionCommand::TakePhoto { item: line.item, checkpoint: *checkpoint });
                    }
                }
                ui.label("then decide again (Enter).");
            });
        }
        ui.add_space(4.0);
        ui.small(PHOTO_RULE);
    });
    command
}

fn override_ui(ui: &mut egui::Ui, view: &DecisionView, form: &mut OverrideForm) -> Option<DecisionCommand> {
    let mut command = None;
    ui.strong("Override: another disposition or amount, approved by a supervisor");
    egui::Grid::new("override").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
        let label = ui.label(OVERRIDE_DISPOSITION);
        egui::ComboBox::from_id_salt("override-disposition")
            .selected_text(form.disposition.as_str().replace('_', " "))
            .show_ui(ui, |ui| {
                for option in Disposition::ALL {
                    ui.selectable_value(&mut form.disposition, *option, option.as_str().replace('_', " "));
                }
            })
            .response
            .labelled_by(label.id);
        ui.end_row();
        if matches!(form.disposition, Disposition::Refund | Disposition::StoreCredit) {
            let label = ui.label(OVERRIDE_AMOUNT);
            ui.add(egui::TextEdit::singleline(&mut form.amount).hint_text("e.g. 45.00")).labelled_by(label.id);
            ui.end_row();
        }
        for (name, text, secret) in [
            (OVERRIDE_REASON, &mut form.reason, false),
            (SUPERVISOR, &mut form.supervisor, false),
            (SUPERVISOR_PIN, &mut form.pin, true),
        ] {
            let label = ui.label(name);
            ui.add(egui::TextEdit::singleline(text).password(secret).desired_width(320.0)).labelled_by(label.id);
            ui.end_row();
        }
    });
    let ready = !form.reason.trim().is_empty() && !form.supervisor.trim().is_empty() && !form.pin.is_empty();
    if ui.add_enabled(ready && !view.saving, egui::Button::new(APPLY_OVERRIDE)).clicked() {
        command = Some(DecisionCommand::Override {
            disposition: form.disposition,
            amount: form.amount.trim().to_owned(),
            reason: form.reason.trim().to_owned(),
            supervisor: form.supervisor.trim().to_owned(),
            pin: std::mem::take(&mut form.pin),
        });
    }
    command
}
