//! The inspection screen: the RMA's expected items ticked off as their SKUs are scanned (or counted by
//! hand), items that arrived without being ordered, each item's state, and the photo checkpoints the
//! merchant's policy requires with their thumbnails and what is still missing.
//!
//! Photos come from a typed path, the photo picker, a drop on the window, the hot folder or a webcam.
//!
//! The sheet being edited belongs to the app (nothing typed is lost); this screen only draws it and
//! edits it in place, and asks for everything else by command.

use eframe::egui;

use crate::domain::inspection::{InspectionSheet, SheetItem};
use crate::domain::vocabulary::{Checkpoint, Condition, DamageCause, Defect, Packaging, Sticker};
use crate::gui::picker::CHOOSE_PHOTOS;
use crate::gui::theme;

pub const DECIDE: &str = "Decide (Enter)";
pub const DONE: &str = "Done (Enter)";
pub const PHOTO_FILE: &str = "Photo file";
pub const ADD_PHOTO: &str = "Add photo";
pub const TAKE_WEBCAM_PHOTO: &str = "Take webcam photo (F7)";
pub const CAMERA: &str = "Camera";
pub const RECEIVED: &str = "Received";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionView {
    /// "RMA-2026-0101 · order CP-20101 · Rosa Diaz · return, refund".
    pub title: String,
    /// The policy's required checkpoints for this claim.
    pub checkpoints: Vec<CheckpointLine>,
    pub photos: Vec<PhotoTile>,
    /// The item the next photo, scan or key applies to.
    pub selected: usize,
    /// Where the next photo goes.
    pub checkpoint: Checkpoint,
    /// Photos being ingested.
    pub photos_pending: usize,
    pub saving: bool,
    /// A quarantined package: nothing to inspect or decide, only its label to photograph.
    pub photos_only: bool,
    pub webcam: WebcamLine,
}

/// The webcam's part of the photo panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebcamLine {
    /// The cameras are being looked for.
    Looking,
    /// No camera to take photos with, and why.
    Unavailable(String),
    /// Cameras to take a photo with, the one chosen, and whether a photo is being taken.
    Cameras { names: Vec<String>, chosen: usize, capturing: bool },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointLine {
    pub checkpoint: Checkpoint,
    pub clause: String,
    pub words: String,
    pub taken: bool,
}

/// A photo of this inspection, with its thumbnail once decoded.
#[derive(Clone)]
pub struct PhotoTile {
    pub sha256: String,
    pub checkpoint: Checkpoint,
    /// The item it shows, or none for the package.
    pub item: Option<usize>,
    pub thumbnail: Option<egui::TextureHandle>,
}

impl PartialEq for PhotoTile {
    fn eq(&self, other: &PhotoTile) -> bool {
        self.sha256 == other.sha256 && self.checkpoint == other.checkpoint && self.item == other.item
    }
}

impl Eq for PhotoTile {}

impl std::fmt::Debug for PhotoTile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhotoTile").field("sha256", &self.sha256).field("checkpoint", &self.checkpoint).finish()
    }
}

/// A photo opened in full: its texture once the photo thread has decoded it, and the zoom.
#[derive(Clone)]
pub struct PhotoPreview {
    pub sha256: String,
    pub texture: Option<egui::TextureHandle>,
    pub zoom: f32,
}

impl std::fmt::Debug for PhotoPreview {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhotoPreview").field("sha256", &self.sha256).field("zoom", &self.zoom).finish()
    }
}

/// The full photo in its own window, zoomable (slider, or scroll with Ctrl held), scrolling when larger
/// than the window. Returns false once the clerk closes it.
#[expect(clippy::float_arithmetic, reason = "the zoom is a display scale, never money")]
pub fn preview_ui(ctx: &egui::Context, preview: &mut PhotoPreview) -> bool {
    let mut open = true;
    egui::Window::new("Photo").open(&mut open).default_size([900.0, 700.0]).show(ctx, |ui| {
        ui.horizontal(|ui| {
            ui.add(egui::Slider::new(&mut preview.zoom, 0.25..=4.0).logarithmic(true).text("Zoom"));
            ui.small(&preview.sha256);
        });
        let zoom = ui.input(|i| i.zoom_delta());
        preview.zoom = (preview.zoom * zoom).clamp(0.25, 4.0);
        match &preview.texture {
            Some(texture) => {
                egui::ScrollArea::both().show(ui, |ui| {
                    ui.add(egui::Image::new(texture).fit_to_original_size(preview.zoom));
                });
            }
            None => {
                ui.label("decoding…");
            }
        }
    });
    open
}

/// What the clerk has typed outside the sheet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InspectionForm {
    pub photo_path: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InspectionCommand {
    Select(usize),
    Split(usize),
    Checkpoint(Checkpoint),
    AddPhoto(String),
    /// Open the photo picker.
    ChoosePhotos,
    /// Choose the webcam, by its place in the list.
    Camera(usize),
    TakeWebcamPhoto,
    OpenPhoto(String),
    Decide,
}

/// A checkpoint's name in words.
pub fn checkpoint_words(checkpoint: Checkpoint) -> &'static str {
    match checkpoint {
        Checkpoint::WarrantySticker => "warranty sticker",
        Checkpoint::Damage => "damage",
        Checkpoint::Contents => "contents",
        Checkpoint::Packaging => "packaging",
        Checkpoint::ShippingLabel => "shipping label",
        Checkpoint::SerialPlate => "serial plate",
        Checkpoint::Other => "other",
    }
}

/// An item's one-line summary: "OK 2/2 KVM-4P — 4-port KVM switch" (SHORT: not all arrived; NOT ORDERED).
pub fn item_line(item: &SheetItem) -> String {
    let mark = if !item.expected {
        "NOT ORDERED"
    } else if item.received >= item.ordered {
        "OK"
    } else {
        "SHORT"
    };
    let count = if item.expected { format!("{}/{}", item.received, item.ordered) } else { item.received.to_string() };
    let name = if item.name.is_empty() { String::new() } else { format!(" — {}", item.name) };
    format!("{mark} {count} {}{name}", item.sku)
}

pub fn inspection_ui(
    ui: &mut egui::Ui,
    view: &InspectionView,
    sheet: &mut InspectionSheet,
    form: &mut InspectionForm,
) -> Option<InspectionCommand> {
    ui.label(theme::heading(&view.title));
    if view.photos_only {
        let photo = photos_ui(ui, view, form);
        let done = ui.add(egui::Button::new(egui::RichText::new(DONE).size(theme::HEADING_SIZE))).clicked();
        return if done { Some(InspectionCommand::Decide) } else { photo };
    }
    ui.horizontal(|ui| {
        ui.checkbox(&mut sheet.original_owner, "Sent by the original buyer");
        ui.checkbox(&mut sheet.proof_of_purchase, "Proof of purchase");
        ui.checkbox(&mut sheet.commercial_use, "Commercial use");
    });
    let (items, photos) = theme::two_columns(
        ui,
        |ui| {
            let mut command = None;
            ui.strong("Items: scan each SKU, or set the count by hand (Page Down: next item)");
            egui::ScrollArea::vertical().id_salt("items").show(ui, |ui| {
                for index in 0..sheet.items.len() {
                    let selected = index == view.selected;
                    let line = item_line(&sheet.items[index]);
                    let colour = item_colour(&sheet.items[index]);
                    if ui.selectable_label(selected, egui::RichText::new(line).color(colour)).clicked() {
                        command = Some(InspectionCommand::Select(index));
                    }
                    if selected {
                        egui::Frame::group(ui.style()).show(ui, |ui| {
                            if item_ui(ui, index, &mut sheet.items[index]) {
                                command = Some(InspectionCommand::Split(index));
                            }
                        });
                    }
                }
                let missing = sheet.missing();
                if !missing.is_empty() {
                    let words: Vec<String> = missing.iter().map(|(sku, n)| format!("{n} × {sku}")).collect();
                    ui.colored_label(theme::WAIT, format!("Missing: {}", words.join(", ")));
                }
            });
            command
        },
        |ui| photos_ui(ui, view, form),
    );
    let mut command = photos.or(items);
    ui.separator();
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!view.saving, egui::Button::new(egui::RichText::new(DECIDE).size(theme::HEADING_SIZE)))
            .clicked()
        {
            command = Some(InspectionCommand::Decide);
        }
        if view.photos_pending > 0 {
            ui.colored_label(theme::WAIT, format!("{} photo(s) being stored…", view.photos_pending));
        }
    });
    command
}

fn item_colour(item: &SheetItem) -> egui::Color32 {
    if !item.expected {
        theme::WAIT
    } else if item.received >= item.ordered {
        theme::GOOD
    } else {
        theme::WRONG
    }
}

/// The selected item's editors. Returns whether the clerk asked to split a unit off.
fn item_ui(ui: &mut egui::Ui, index: usize, item: &mut SheetItem) -> bool {
    let mut split = false;
    egui::Grid::new(("item", index)).num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
        let label = ui.label(RECEIVED);
        ui.add(egui::DragValue::new(&mut item.received).range(0..=999)).labelled_by(label.id);
        ui.end_row();
        choice(ui, ("condition", index), "Condition", &mut item.state.condition, Condition::ALL);
        choice(ui, ("sticker", index), "Warranty sticker", &mut item.state.sticker, Sticker::ALL);
        choice(ui, ("packaging", index), "Packaging", &mut item.state.packaging, Packaging::ALL);
        choice(ui, ("defect", index), "Defect", &mut item.state.defect, Defect::ALL);
        choice(ui, ("cause", index), "Damage cause", &mut item.state.damage_cause, DamageCause::ALL);
        ui.label("Disassembled");
        ui.checkbox(&mut item.state.disassembled, "opened or taken apart");
        ui.end_row();
        let label = ui.label("Serial");
        ui.add(egui::TextEdit::singleline(&mut item.serial).desired_width(240.0)).labelled_by(label.id);
        ui.end_row();
        let label = ui.label("Notes");
        ui.add(egui::TextEdit::multiline(&mut item.notes).desired_rows(2).desired_width(240.0)).labelled_by(label.id);
        ui.end_row();
    });
    if item.received > 1 && ui.button("Split one unit off (another state)").clicked() {
        split = true;
    }
    split
}

fn choice<T: Copy + PartialEq + std::fmt::Display>(
    ui: &mut egui::Ui,
    id: (&str, usize),
    label: &str,
    value: &mut T,
    all: &[T],
) {
    let label = ui.label(label);
    egui::ComboBox::from_id_salt(id)
        .selected_text(value.to_string())
        .height(theme::CHOICE_LIST_HEIGHT)
        .show_ui(ui, |ui| {
            // Columns side by side, read downwards: a long list shows whole even low in a short window.
            ui.horizontal_top(|ui| {
                for column in all.chunks(theme::CHOICE_ROWS) {
                    ui.vertical(|ui| {
                        for option in column {
                            ui.selectable_value(value, *option, option.to_string());
                        }
                    });
                }
            });
        })
        .response
        .labelled_by(label.id);
    ui.end_row();
}

/// The webcam's line: a camera to choose and a button to take a photo, or why there is none.
fn webcam_ui(ui: &mut egui::Ui, webcam: &WebcamLine) -> Option<InspectionCommand> {
    let mut command = None;
    match webcam {
        WebcamLine::Looking => {
            ui.small("looking for webcams…");
        }
        WebcamLine::Unavailable(why) => {
            ui.small(why);
        }
        WebcamLine::Cameras { names, chosen, capturing } => {
            ui.horizontal(|ui| {
                if names.len() > 1 {
                    let label = ui.label(CAMERA);
                    let shown = names.get(*chosen).map_or("", String::as_str);
                    egui::ComboBox::from_id_salt("camera")
                        .selected_text(shown)
                        .show_ui(ui, |ui| {
                            for (index, name) in names.iter().enumerate() {
                                if ui.selectable_label(index == *chosen, name).clicked() {
                                    command = Some(InspectionCommand::Camera(index));
                                }
                            }
                        })
                        .response
                        .labelled_by(label.id);
                } else if let Some(name) = names.first() {
                    ui.label(name);
                }
                if ui.add_enabled(!capturing, egui::Button::new(TAKE_WEBCAM_PHOTO)).clicked() {
                    command = Some(InspectionCommand::TakeWebcamPhoto);
                }
                if *capturing {
                    ui.colored_label(theme::WAIT, "taking a photo…");
                }
            });
        }
    }
    command
}

fn photos_ui(ui: &mut egui::Ui, view: &InspectionView, form: &mut InspectionForm) -> Option<InspectionCommand> {
    let mut command = None;
    ui.strong("Photos the policy requires");
    if view.checkpoints.is_empty() {
        ui.label("none for this claim");
    }
    for line in &view.checkpoints {
        let (colour, state) = if line.taken { (theme::GOOD, "taken") } else { (theme::WRONG, "MISSING") };
        ui.colored_label(colour, format!("{}: {state}", checkpoint_words(line.checkpoint)))
            .on_hover_text(format!("{}: {}", line.clause, line.words));
    }
    ui.add_space(6.0);
    ui.horizontal_wrapped(|ui| {
        ui.label("Next photo:");
        for checkpoint in Checkpoint::ALL {
            if ui.selectable_label(view.checkpoint == *checkpoint, checkpoint_words(*checkpoint)).clicked() {
                command = Some(InspectionCommand::Checkpoint(*checkpoint));
            }
        }
    });
    ui.horizontal(|ui| {
        let label = ui.label(PHOTO_FILE);
        let field = ui.add(egui::TextEdit::singleline(&mut form.photo_path).desired_width(260.0)).labelled_by(label.id);
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button(ADD_PHOTO).clicked() || entered) && !form.photo_path.trim().is_empty() {
            command = Some(InspectionCommand::AddPhoto(std::mem::take(&mut form.photo_path).trim().to_owned()));
        }
    });
    if ui.button(CHOOSE_PHOTOS).clicked() {
        command = Some(InspectionCommand::ChoosePhotos);
    }
    ui.label("…or drop photo files on the window, or save them into the hot folder.");
    if let Some(webcam) = webcam_ui(ui, &view.webcam) {
        command = Some(webcam);
    }
    egui::ScrollArea::vertical().id_salt("photos").show(ui, |ui| {
        ui.horizontal_wrapped(|ui| {
            for tile in &view.photos {
                ui.vertical(|ui| {
                    let clicked = match &tile.thumbnail {
                        Some(texture) => ui
                            .add(
                                egui::Image::new(texture)
                                    .max_size(egui::vec2(128.0, 128.0))
                                    .sense(egui::Sense::click()),
                            )
                            .clicked(),
                        None => ui.button("decoding…").clicked(),
                    };
                    let view = ui.small_button(format!("view {}", checkpoint_words(tile.checkpoint))).clicked();
                    if clicked || view {
                        command = Some(InspectionCommand::OpenPhoto(tile.sha256.clone()));
                    }
                });
            }
        });
    });
    command
}
