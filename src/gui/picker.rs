//! The photo picker: choose photo files from a folder, by keyboard first, and attach them to the open
//! inspection at the selected checkpoint exactly as a dropped file is.
//!
//! [`Picker`] is the picker's pure state — the folder shown, which rows it shows and in what order, the
//! cursor, the photos chosen, the path typed — changed by keys and clicks and by listings as they arrive;
//! it reads no file and no clock, and is tested as data. It asks for what it needs as a
//! [`PickerAction`]: a folder listing (the app sends it to the `folder-list` thread), the files to attach,
//! or to close. [`picker_ui`] only draws it and turns keys into calls.
//!
//! Keys: Up/Down (Home/End) move the cursor, Space chooses or unchooses the photo under it and moves on,
//! Enter opens a folder or attaches the chosen photos (the one under the cursor if none is chosen),
//! Backspace goes up a folder, Ctrl+L types a path (Enter goes there), Escape closes.

use std::path::{Path, PathBuf};

use chrono::Local;
use eframe::egui;

use crate::gui::theme;
use crate::photos::hot_folder::is_photo_name;
use crate::photos::listing::{FolderEntry, ListAnswer, ListRequest};

pub const CHOOSE_PHOTOS: &str = "Choose photos… (F6)";
pub const PICKER_FOLDER: &str = "Folder";
pub const ATTACH: &str = "Attach (Enter)";
pub const NEWEST_FIRST: &str = "Newest first";
pub const UP_A_FOLDER: &str = "Up a folder (Backspace)";
pub const CLOSE_PICKER: &str = "Close (Escape)";

/// The picker's keys, as the clerk means them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickerKey {
    Up,
    Down,
    First,
    Last,
    /// Space: choose or unchoose the photo under the cursor, then move to the next row.
    Choose,
    /// Enter: open the folder under the cursor, or attach.
    Enter,
    /// Backspace: the folder above.
    Parent,
    /// Escape.
    Close,
}

/// What the picker asks the app to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickerAction {
    List(ListRequest),
    /// Attach these files, in this order, as if each had been dropped on the window.
    Attach(Vec<PathBuf>),
    Close,
}

/// The order of the photos (folders always come first, by name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// The photo just taken on top: the picker's default.
    NewestFirst,
    Name,
}

/// The picker's state; see the module's documentation.
#[derive(Debug, Clone)]
pub struct Picker {
    /// The folder listed, once a listing has arrived.
    folder: Option<PathBuf>,
    /// The path field: the folder shown, or what the clerk is typing.
    pub path_text: String,
    /// The folders and photos shown, in order.
    rows: Vec<FolderEntry>,
    cursor: usize,
    /// The photos chosen, in the order they were chosen (they may be in different folders).
    chosen: Vec<PathBuf>,
    order: Order,
    /// The listing asked for and not yet answered.
    awaiting: Option<u64>,
    next_request: u64,
    /// A row to put the cursor on when the listing asked for arrives (the folder just left, going up).
    highlight: Option<PathBuf>,
    /// The last listing's error, in words for the clerk.
    message: Option<String>,
    /// The folder holds more than a listing keeps.
    truncated: bool,
    home: Option<PathBuf>,
    /// Drawing: the cursor moved by key, so the list scrolls to show it; the list's scroll offset and
    /// height in the last frame.
    follow_cursor: bool,
    scrolled: (f32, f32),
}

/// Where the picker starts: the folder last used, else the hot folder, else ~/Pictures, else home, else
/// the root. The `folder-list` thread lists the first of these that can be listed.
pub fn start_candidates(last_used: Option<&Path>, hot_folder: Option<&Path>, home: Option<&Path>) -> Vec<PathBuf> {
    let mut candidates: Vec<PathBuf> = [last_used, hot_folder].into_iter().flatten().map(Path::to_path_buf).collect();
    if let Some(home) = home {
        candidates.push(home.join("Pictures"));
        candidates.push(home.to_path_buf());
    }
    candidates.push(PathBuf::from("/"));
    candidates
}

/// The path a clerk typed: `~` is the home folder, and a relative path is taken from the folder shown.
pub fn resolve_typed(text: &str, current: Option<&Path>, home: Option<&Path>) -> Option<PathBuf> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text == "~" {
        return home.map(Path::to_path_buf);
    }
    if let Some(rest) = text.strip_prefix("~/") {
        return home.map(|home| home.join(rest));
    }
    let path = Path::new(text);
    if path.is_absolute() {
        return Some(path.to_path_buf());
    }
    current.or(home).map(|base| base.join(path))
}

/// Whether the picker shows an entry: folders and photo files (JPEG, PNG, HEIC), never hidden ones.
pub fn shown(entry: &FolderEntry) -> bool {
    !entry.name.starts_with('.') && (entry.is_folder || is_photo_name(&entry.path))
}

/// "2.4 MB", "312 kB", "87 B": a file's size at a glance, in decimal units.
pub fn size_words(bytes: u64) -> String {
    const KB: u64 = 1_000;
    const MB: u64 = 1_000_000;
    const GB: u64 = 1_000_000_000;
    match bytes {
        b if b >= GB => format!("{}.{} GB", b / GB, b % GB / (GB / 10)),
        b if b >= MB => format!("{}.{} MB", b / MB, b % MB / (MB / 10)),
        b if b >= KB => format!("{} kB", b / KB),
        b => format!("{b} B"),
    }
}

fn sort(rows: &mut [FolderEntry], order: Order) {
    let by_name = |a: &FolderEntry, b: &FolderEntry| {
        a.name.to_lowercase().cmp(&b.name.to_lowercase()).then_with(|| a.name.cmp(&b.name))
    };
    rows.sort_by(|a, b| {
        b.is_folder.cmp(&a.is_folder).then_with(|| match (a.is_folder, order) {
            (false, Order::NewestFirst) => b.modified.cmp(&a.modified).then_with(|| by_name(a, b)),
            _ => by_name(a, b),
        })
    });
}

impl Picker {
    /// A picker that will show the first folder of `candidates` that can be listed (see
    /// [`start_candidates`]), with the request for that listing.
    pub fn open(candidates: Vec<PathBuf>, home: Option<PathBuf>) -> (Picker, ListRequest) {
        let mut picker = Picker {
            folder: None,
            path_text: String::new(),
            rows: Vec::new(),
            cursor: 0,
            chosen: Vec::new(),
            order: Order::NewestFirst,
            awaiting: None,
            next_request: 0,
            highlight: None,
            message: None,
            truncated: false,
            home,
            follow_cursor: false,
            scrolled: (0.0, 0.0),
        };
        let request = picker.request(candidates);
        (picker, request)
    }

    fn request(&mut self, candidates: Vec<PathBuf>) -> ListRequest {
        let id = self.next_request;
        self.next_request += 1;
        self.awaiting = Some(id);
        ListRequest { id, candidates }
    }

    fn list(&mut self, folder: PathBuf) -> PickerAction {
        PickerAction::List(self.request(vec![folder]))
    }

    /// Takes in a listing's answer. Only the latest request's answer counts: one that arrives after the
    /// clerk has moved on is dropped. An error keeps the folder shown and the path typed, and says why.
    pub fn listed(&mut self, answer: ListAnswer) {
        if self.awaiting != Some(answer.id) {
            return;
        }
        self.awaiting = None;
        let highlight = self.highlight.take();
        match answer.result {
            Ok(listing) => {
                let mut rows: Vec<FolderEntry> = listing.entries.into_iter().filter(shown).collect();
                sort(&mut rows, self.order);
                let target = listing.highlight.or(highlight);
                self.cursor = target.and_then(|t| rows.iter().position(|r| r.path == t)).unwrap_or(0);
                self.rows = rows;
                self.path_text = listing.folder.display().to_string();
                self.folder = Some(listing.folder);
                self.truncated = listing.truncated;
                self.message = None;
                self.follow_cursor = true;
            }
            Err(e) => self.message = Some(e.to_string()),
        }
    }

    /// A key pressed while the picker is open.
    pub fn key(&mut self, key: PickerKey) -> Option<PickerAction> {
        let last = self.rows.len().saturating_sub(1);
        self.follow_cursor = true;
        match key {
            PickerKey::Up => self.cursor = self.cursor.saturating_sub(1),
            PickerKey::Down => self.cursor = (self.cursor + 1).min(last),
            PickerKey::First => self.cursor = 0,
            PickerKey::Last => self.cursor = last,
            PickerKey::Choose => {
                if let Some(row) = self.rows.get(self.cursor).filter(|r| !r.is_folder) {
                    let path = row.path.clone();
                    self.toggle(path);
                    self.cursor = (self.cursor + 1).min(last);
                }
            }
            PickerKey::Enter => {
                return match self.rows.get(self.cursor) {
                    Some(row) if row.is_folder => {
                        let folder = row.path.clone();
                        Some(self.list(folder))
                    }
                    _ => self.attach(),
                };
            }
            PickerKey::Parent => {
                let folder = self.folder.clone()?;
                let parent = folder.parent()?.to_path_buf();
                self.highlight = Some(folder);
                return Some(self.list(parent));
            }
            PickerKey::Close => return Some(PickerAction::Close),
        }
        None
    }

    /// A click on a row: a folder opens, a photo is chosen or unchosen.
    pub fn click(&mut self, index: usize) -> Option<PickerAction> {
        let row = self.rows.get(index)?;
        self.cursor = index;
        if row.is_folder {
            let folder = row.path.clone();
            return Some(self.list(folder));
        }
        let path = row.path.clone();
        self.toggle(path);
        None
    }

    fn toggle(&mut self, path: PathBuf) {
        match self.chosen.iter().position(|p| *p == path) {
            Some(at) => {
                self.chosen.remove(at);
            }
            None => self.chosen.push(path),
        }
    }

    /// Enter in the path field: go to the folder typed (or to the folder of the file typed).
    pub fn go_to_typed(&mut self) -> Option<PickerAction> {
        let Some(path) = resolve_typed(&self.path_text, self.folder.as_deref(), self.home.as_deref()) else {
            self.message = Some("type a folder's path, or ~ for the home folder".to_owned());
            return None;
        };
        Some(self.list(path))
    }

    /// The chosen photos, or the one under the cursor if none is chosen; nothing if neither.
    pub fn attach(&self) -> Option<PickerAction> {
        if !self.chosen.is_empty() {
            return Some(PickerAction::Attach(self.chosen.clone()));
        }
        let row = self.rows.get(self.cursor).filter(|r| !r.is_folder)?;
        Some(PickerAction::Attach(vec![row.path.clone()]))
    }

    /// Sorts the rows again; the cursor stays on the same row.
    pub fn set_order(&mut self, order: Order) {
        let at = self.rows.get(self.cursor).map(|r| r.path.clone());
        self.order = order;
        sort(&mut self.rows, order);
        self.cursor = at.and_then(|at| self.rows.iter().position(|r| r.path == at)).unwrap_or(0);
        self.follow_cursor = true;
    }

    pub fn folder(&self) -> Option<&Path> {
        self.folder.as_deref()
    }

    pub fn rows(&self) -> &[FolderEntry] {
        &self.rows
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn chosen(&self) -> &[PathBuf] {
        &self.chosen
    }

    pub fn order(&self) -> Order {
        self.order
    }

    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// A listing has been asked for and has not arrived.
    pub fn loading(&self) -> bool {
        self.awaiting.is_some()
    }

    pub fn truncated(&self) -> bool {
        self.truncated
    }
}

/// The picker's keys this frame. They are consumed, so that a focused button or checkbox does not also
/// act on them; while the path field has the focus, the keys that edit text are left to it.
fn keys(ui: &egui::Ui, typing: bool) -> (Vec<PickerKey>, bool, bool) {
    use egui::{Key, Modifiers};
    let mut keys = Vec::new();
    let mut take = |input: &mut egui::InputState, key: Key, meaning: PickerKey| {
        if input.consume_key(Modifiers::NONE, key) {
            keys.push(meaning);
        }
    };
    let (go_typed, type_path) = ui.ctx().input_mut(|input| {
        take(input, Key::ArrowUp, PickerKey::Up);
        take(input, Key::ArrowDown, PickerKey::Down);
        take(input, Key::Escape, PickerKey::Close);
        let go_typed = typing && input.consume_key(Modifiers::NONE, Key::Enter);
        if !typing {
            take(input, Key::Home, PickerKey::First);
            take(input, Key::End, PickerKey::Last);
            take(input, Key::Space, PickerKey::Choose);
            take(input, Key::Enter, PickerKey::Enter);
            take(input, Key::Backspace, PickerKey::Parent);
        }
        (go_typed, input.consume_key(Modifiers::COMMAND, Key::L))
    });
    (keys, go_typed, type_path)
}

/// Draws the picker in place of the inspection screen. `heading` says what the photos are for.
#[expect(clippy::float_arithmetic, reason = "scrolling the list to the cursor is layout, never money")]
pub fn picker_ui(ui: &mut egui::Ui, picker: &mut Picker, heading: &str) -> Option<PickerAction> {
    let path_id = egui::Id::unique("photo-picker-folder");
    let typing = ui.memory(|m| m.has_focus(path_id));
    let (keys, go_typed, type_path) = keys(ui, typing);
    let mut action = None;
    for key in keys {
        action = action.or(picker.key(key));
    }
    if go_typed {
        ui.memory_mut(|m| m.surrender_focus(path_id));
        action = action.or(picker.go_to_typed());
    }

    ui.label(theme::heading(heading));
    let up = ui
        .horizontal(|ui| {
            let label = ui.label(PICKER_FOLDER);
            let field = ui
                .add(egui::TextEdit::singleline(&mut picker.path_text).id(path_id).desired_width(560.0))
                .labelled_by(label.id);
            if type_path {
                field.request_focus();
            }
            let up = ui.button(UP_A_FOLDER).clicked();
            let mut newest = picker.order == Order::NewestFirst;
            if ui.checkbox(&mut newest, NEWEST_FIRST).changed() {
                picker.set_order(if newest { Order::NewestFirst } else { Order::Name });
            }
            up
        })
        .inner;
    if up {
        action = action.or(picker.key(PickerKey::Parent));
    }
    if let Some(message) = &picker.message {
        ui.colored_label(theme::WRONG, message);
    } else if picker.loading() {
        ui.colored_label(theme::WAIT, "listing the folder…");
    } else if picker.rows.is_empty() {
        ui.label("no folders or photos (JPEG, PNG, HEIC) here");
    } else if picker.truncated {
        ui.colored_label(theme::WAIT, "a very large folder: only part of it is listed");
    }

    let row_height = theme::LIST_ROW_HEIGHT;
    let stride = row_height + ui.spacing().item_spacing.y;
    let footer = 3.0 * stride;
    let mut area = egui::ScrollArea::vertical()
        .id_salt("photo-picker-rows")
        .auto_shrink(false)
        .max_height((ui.available_height() - footer).max(stride));
    if std::mem::take(&mut picker.follow_cursor) {
        let (offset, height) = picker.scrolled;
        let top = stride * picker.cursor as f32;
        if top < offset {
            area = area.vertical_scroll_offset(top);
        } else if top + stride > offset + height {
            area = area.vertical_scroll_offset(top + stride - height);
        }
    }
    let mut clicked = None;
    let output = area.show_rows(ui, row_height, picker.rows.len(), |ui, range| {
        for index in range {
            let row = &picker.rows[index];
            let words = if row.is_folder {
                format!("{}/", row.name)
            } else {
                let mark = if picker.chosen.contains(&row.path) { "[x]" } else { "[ ]" };
                let modified = row
                    .modified
                    .map(|at| at.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default();
                format!("{mark} {}    {}    {modified}", row.name, size_words(row.size))
            };
            if ui.selectable_label(index == picker.cursor, words).clicked() {
                clicked = Some(index);
            }
        }
    });
    picker.scrolled = (output.state.clamped_offset().y, output.inner_rect.height());
    if let Some(index) = clicked {
        action = action.or(picker.click(index));
    }

    ui.separator();
    let (attach, close) = ui
        .horizontal(|ui| {
            let attach = ui.add_enabled(picker.attach().is_some(), egui::Button::new(ATTACH)).clicked();
            let close = ui.button(CLOSE_PICKER).clicked();
            ui.label(format!("{} chosen", picker.chosen.len()));
            (attach, close)
        })
        .inner;
    if attach {
        action = action.or(picker.attach());
    }
    if close {
        action = Some(PickerAction::Close);
    }
    ui.small(
        "Up/Down move · Space chooses a photo · Enter opens a folder or attaches · Backspace goes up · \
         Ctrl+L types a folder · Escape closes",
    );
    action
}
