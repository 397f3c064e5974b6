//! The queues screen: refunds (amount, due date, overdue in red), exchanges and replacements (what to
//! ship), store credit (with its code), returns to the customer, holds, and the quarantine of packages
//! matched to no RMA. Each item can be marked done with a reference. Refunds, store credit, exchanges,
//! replacements and returns export in batches (CSV and JSON; an item goes into one batch only, see
//! `crate::exports`), with the queue's latest batches listed and a batch whose files were never written
//! offered to be written again; holds export as a list.
//!
//! Lists are drawn only where visible, so ten thousand items cost what a screenful does.

use chrono::NaiveDate;
use eframe::egui;

use crate::domain::policy::words::format_amount;
use crate::domain::vocabulary::Queue;
use crate::gui::theme;
use crate::gui::words::local_time;
use crate::storage::{BatchSummary, PackageRow, QueueRow, QueueStatus};

pub const EXPORT: &str = "Export new batch";
pub const EXPORT_LIST: &str = "Export list";
pub const WRITE_AGAIN: &str = "Write again";
pub const MARK_BATCH_DONE: &str = "Mark batch done";
pub const BATCH_REFERENCE: &str = "Payment run or shipment reference";
/// How many of a queue's latest batches the screen lists.
pub const BATCHES_SHOWN: usize = 5;
pub const REFERENCE: &str = "Reference";
pub const MARK_DONE: &str = "Mark done";
/// What a clerk sees instead of the buttons that mark work paid or done.
pub const SUPERVISOR_MARKS_DONE: &str = "A supervisor marks items and batches paid or done.";
pub const RMA_TO_MATCH: &str = "RMA number to match";
pub const MATCH: &str = "Match";

/// A tab of the queues screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueTab {
    Work(Queue),
    Quarantine,
}

impl QueueTab {
    pub fn title(self) -> String {
        match self {
            QueueTab::Work(queue) => queue_title(queue).to_owned(),
            QueueTab::Quarantine => "Quarantine".to_owned(),
        }
    }
}

pub fn queue_title(queue: Queue) -> &'static str {
    match queue {
        Queue::Refund => "Refunds",
        Queue::Exchange => "Exchanges",
        Queue::Replacement => "Replacements",
        Queue::StoreCredit => "Store credit",
        Queue::ReturnToCustomer => "Return to customer",
        Queue::Hold => "Holds",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuesView {
    /// Open items per queue, and the quarantine's size.
    pub counts: Vec<(Queue, u64)>,
    pub quarantined: u64,
    pub tab: QueueTab,
    pub rows: Vec<QueueRow>,
    /// The tab's latest export batches, newest first.
    pub batches: Vec<BatchSummary>,
    pub quarantine: Vec<PackageRow>,
    pub today: NaiveDate,
    pub loading: bool,
    /// The last export or action, in words.
    pub message: Option<(bool, String)>,
}

/// What the clerk has typed on the queues screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueuesForm {
    /// The row whose text field is open.
    pub row: Option<Row>,
    pub text: String,
}

/// A row of the queues screen that takes a typed reference or number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// A queue item, to mark done.
    Item(i64),
    /// An export batch, to mark all its open items done at once.
    Batch(i64),
    /// A quarantined package, to match to an RMA.
    Package(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueuesCommand {
    Show(QueueTab),
    Done { id: i64, reference: String },
    Match { package_id: i64, rma_number: String },
    Export(Queue),
    WriteBatch(i64),
    BatchDone { batch_id: i64, reference: String },
}

/// One line of a queue item: "RMA-2026-0101 · Rosa Diaz · $45.00 · due 2026-12-05 · refund $45.00 for …".
pub fn queue_line(row: &QueueRow) -> String {
    let mut parts = vec![row.rma_number.clone(), format!("order {}", row.order_number), row.customer_name.clone()];
    if let Some(amount) = row.amount {
        parts.push(format_amount(amount, &row.currency));
    }
    if let Some(due) = row.due_on {
        parts.push(format!("due {due}"));
    }
    if let Some(code) = &row.code {
        parts.push(format!("code {code}"));
    }
    parts.push(row.detail.clone());
    if let QueueStatus::Done { reference, .. } = &row.status {
        parts.push(format!("done: {reference}"));
    }
    parts.join(" · ")
}

/// "Batch 7 · 2026-11-21 10:02 · 12 items, 3 open · sam".
pub fn batch_line(batch: &BatchSummary) -> String {
    format!(
        "Batch {} · {} · {} items, {} open · {}",
        batch.id,
        local_time(&batch.created_at),
        batch.items,
        batch.open,
        batch.operator
    )
}

/// The queues screen. `supervisor`: the operator may mark items and batches paid or done (a clerk sees
/// the work and exports it; the use case refuses a clerk's mark too, whatever the screen shows).
pub fn queues_ui(
    ui: &mut egui::Ui,
    view: &QueuesView,
    form: &mut QueuesForm,
    supervisor: bool,
) -> Option<QueuesCommand> {
    let mut command = None;
    ui.horizontal_wrapped(|ui| {
        for (queue, open) in &view.counts {
            let tab = QueueTab::Work(*queue);
            if ui.selectable_label(view.tab == tab, format!("{} ({open})", queue_title(*queue))).clicked() {
                command = Some(QueuesCommand::Show(tab));
            }
        }
        let tab = QueueTab::Quarantine;
        if ui.selectable_label(view.tab == tab, format!("Quarantine ({})", view.quarantined)).clicked() {
            command = Some(QueuesCommand::Show(tab));
        }
    });
    ui.horizontal(|ui| {
        ui.label(theme::heading(&view.tab.title()));
        if let QueueTab::Work(queue) = view.tab
            && ui.button(if queue == Queue::Hold { EXPORT_LIST } else { EXPORT }).clicked()
        {
            command = Some(QueuesCommand::Export(queue));
        }
        if view.loading {
            ui.colored_label(theme::WAIT, "loading…");
        }
    });
    if let Some((good, message)) = &view.message {
        ui.colored_label(if *good { theme::GOOD } else { theme::WRONG }, message);
    }
    if !supervisor && matches!(view.tab, QueueTab::Work(_)) {
        ui.label(SUPERVISOR_MARKS_DONE);
    }
    if matches!(view.tab, QueueTab::Work(_)) {
        for batch in &view.batches {
            ui.horizontal(|ui| {
                ui.label(batch_line(batch));
                match &batch.written {
                    Some((_, files)) => {
                        let names: Vec<&str> = files
                            .iter()
                            .map(|file| file.path.rsplit(['/', '\\']).next().unwrap_or(&file.path))
                            .collect();
                        ui.label(names.join(", "));
                        if supervisor
                            && batch.open > 0
                            && row_action(ui, form, Row::Batch(batch.id), BATCH_REFERENCE, MARK_BATCH_DONE)
                        {
                            let reference = std::mem::take(&mut form.text);
                            command = Some(QueuesCommand::BatchDone { batch_id: batch.id, reference });
                        }
                    }
                    None => {
                        ui.colored_label(theme::WRONG, "files not written");
                        if ui.button(WRITE_AGAIN).clicked() {
                            command = Some(QueuesCommand::WriteBatch(batch.id));
                        }
                    }
                }
            });
        }
    }
    ui.separator();
    let row_height = theme::LIST_ROW_HEIGHT;
    match view.tab {
        QueueTab::Work(_) => {
            egui::ScrollArea::vertical().auto_shrink(false).show_rows(ui, row_height, view.rows.len(), |ui, range| {
                for row in &view.rows[range] {
                    ui.horizontal(|ui| {
                        let open = row.status == QueueStatus::Open;
                        let overdue = open && row.due_on.is_some_and(|due| due < view.today);
                        let colour = if overdue {
                            theme::WRONG
                        } else if open {
                            ui.visuals().text_color()
                        } else {
                            theme::GOOD
                        };
                        if supervisor && open && row_action(ui, form, Row::Item(row.id), REFERENCE, MARK_DONE) {
                            command =
                                Some(QueuesCommand::Done { id: row.id, reference: std::mem::take(&mut form.text) });
                        }
                        // One line per item so the list scrolls by rows; the whole line shows on hover.
                        let line = queue_line(row);
                        ui.add(egui::Label::new(egui::RichText::new(&line).color(colour)).truncate())
                            .on_hover_text(line);
                    });
                }
            });
        }
        QueueTab::Quarantine => {
            egui::ScrollArea::vertical().auto_shrink(false).show_rows(
                ui,
                row_height,
                view.quarantine.len(),
                |ui, range| {
                    for package in &view.quarantine[range] {
                        ui.horizontal(|ui| {
                            if row_action(ui, form, Row::Package(package.id), RMA_TO_MATCH, MATCH) {
                                command = Some(QueuesCommand::Match {
                                    package_id: package.id,
                                    rma_number: std::mem::take(&mut form.text),
                                });
                            }
                            ui.label(format!(
                                "#{} · scanned {} · {} · {}",
                                package.id, package.scanned_code, package.received_at, package.note
                            ));
                        });
                    }
                },
            );
        }
    }
    command
}

/// A row's button, which opens a text field for the reference (or RMA number) and its confirm button.
/// Returns true when the clerk confirmed a non-empty text.
fn row_action(ui: &mut egui::Ui, form: &mut QueuesForm, row: Row, field: &str, action: &str) -> bool {
    if form.row != Some(row) {
        if ui.button(action).clicked() {
            form.row = Some(row);
            form.text.clear();
        }
        return false;
    }
    let label = ui.label(field);
    let edit = ui.add(egui::TextEdit::singleline(&mut form.text).desired_width(180.0)).labelled_by(label.id);
    let entered = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    (ui.button(action).clicked() || entered) && !form.text.trim().is_empty()
}
