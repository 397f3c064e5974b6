//! The bin label panel: beside intake after a decision is confirmed, and beside a decided package's
//! record. It previews each of the package's labels (drawn on the `labels` thread, shown as a texture) with
//! the bin and units in words, and offers to print them on the bench's label printer or save them as PNG or
//! PDF into the station's `labels` folder.

use eframe::egui;

use crate::gui::theme;
use crate::labels::BinLabel;
use crate::labels::printer::PrinterTarget;

pub const PRINT_LABEL: &str = "Print label";
pub const SAVE_PNG: &str = "Save label PNG";
pub const SAVE_PDF: &str = "Save label PDF";
/// The preview's size on screen: a 4 × 6 label, 1.5 times as tall as it is wide.
const PREVIEW_SIZE: [f32; 2] = [300.0, 450.0];

/// The labels of one decided package, and what the panel says about them.
#[derive(Clone, Default)]
pub struct LabelPanel {
    /// Whose labels: "RMA-2026-0108 (package #12)".
    pub title: String,
    pub labels: Vec<BinLabel>,
    /// One per label once the labels thread has drawn it.
    pub previews: Vec<egui::TextureHandle>,
    /// A print or save is under way.
    pub busy: bool,
    /// The last outcome (good or not), or why the package has no label.
    pub message: Option<(bool, String)>,
    /// Which request filled the panel: answers about earlier labels are dropped.
    pub generation: u64,
}

impl std::fmt::Debug for LabelPanel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LabelPanel")
            .field("title", &self.title)
            .field("labels", &self.labels)
            .field("previews", &self.previews.len())
            .field("busy", &self.busy)
            .field("message", &self.message)
            .finish()
    }
}

impl LabelPanel {
    /// Each label in words: "RESTOCK: 2 x KVM-4P-DP, 2 x CBL-KVM-USB-2M".
    pub fn lines(&self) -> Vec<String> {
        self.labels.iter().map(label_words).collect()
    }
}

/// A label in words, as the panel lists it.
pub fn label_words(label: &BinLabel) -> String {
    let units: Vec<String> = label.units.iter().map(|(sku, count)| format!("{count} x {sku}")).collect();
    format!("{}: {}", label.bin.words(), units.join(", "))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelCommand {
    Print,
    SavePng,
    SavePdf,
}

/// Draws the panel; `printer` is where Print sends the labels, if a printer is set up.
pub fn label_panel_ui(ui: &mut egui::Ui, panel: &LabelPanel, printer: Option<&PrinterTarget>) -> Option<LabelCommand> {
    let mut command = None;
    ui.label(theme::heading("Bin label"));
    ui.label(&panel.title);
    egui::ScrollArea::vertical().id_salt("bin-labels").show(ui, |ui| {
        for (i, words) in panel.lines().iter().enumerate() {
            match panel.previews.get(i) {
                Some(texture) => {
                    ui.add(
                        egui::Image::new((texture.id(), egui::Vec2::from(PREVIEW_SIZE)))
                            .alt_text(format!("label preview: {words}")),
                    );
                }
                None => {
                    ui.colored_label(theme::WAIT, "drawing the label…");
                }
            }
            ui.label(words);
            ui.add_space(6.0);
        }
        if !panel.labels.is_empty() {
            let plural = if panel.labels.len() > 1 { "s" } else { "" };
            ui.label(match printer {
                Some(printer) => format!("prints {} label{plural} on the {printer}", panel.labels.len()),
                None => "no label printer is set up (Settings, F5): save the label as PDF to print it".to_owned(),
            });
            ui.horizontal_wrapped(|ui| {
                if ui.add_enabled(!panel.busy && printer.is_some(), egui::Button::new(PRINT_LABEL)).clicked() {
                    command = Some(LabelCommand::Print);
                }
                if ui.add_enabled(!panel.busy, egui::Button::new(SAVE_PNG)).clicked() {
                    command = Some(LabelCommand::SavePng);
                }
                if ui.add_enabled(!panel.busy, egui::Button::new(SAVE_PDF)).clicked() {
                    command = Some(LabelCommand::SavePdf);
                }
            });
        }
        if panel.busy {
            ui.colored_label(theme::WAIT, "working…");
        }
        if let Some((good, message)) = &panel.message {
            ui.colored_label(if *good { theme::GOOD } else { theme::WRONG }, message);
        }
    });
    command
}
