//! The station's one theme: type sizes and the green/amber/red of good, waiting and wrong. Screens take
//! their colours and sizes from here, never from literals of their own.

use eframe::egui::{Color32, FontId, RichText};

/// The scan field's type: readable at arm's length.
pub const SCAN_TEXT_SIZE: f32 = 28.0;
/// Headings and the verdict.
pub const HEADING_SIZE: f32 = 24.0;
/// The verdict on the decision screen: the one thing read from across the bench.
pub const VERDICT_SIZE: f32 = 40.0;
/// A row of a long list (a line of body text beside a button), for lists drawn only where visible.
pub const LIST_ROW_HEIGHT: f32 = 30.0;
/// Everything else.
pub const BODY_SIZE: f32 = 17.0;
/// A word list's drop-down: at most this many rows a column, and room for them, so that no choice is
/// ever scrolled out of sight (egui's default, one column 200 points high, showed 8 of the 16 damage causes).
pub const CHOICE_ROWS: usize = 8;
pub const CHOICE_LIST_HEIGHT: f32 = 300.0;

/// Found, accepted, connected.
pub const GOOD: Color32 = Color32::from_rgb(0x3f, 0xb9, 0x50);
/// Waiting, no match yet, needs a look.
pub const WAIT: Color32 = Color32::from_rgb(0xe3, 0xa0, 0x08);
/// Refused, disconnected, an error.
pub const WRONG: Color32 = Color32::from_rgb(0xe5, 0x48, 0x4d);

pub fn scan_font() -> FontId {
    FontId::proportional(SCAN_TEXT_SIZE)
}

pub fn heading(text: &str) -> RichText {
    RichText::new(text).size(HEADING_SIZE).strong()
}

/// Applies the body size to the whole window.
pub fn apply(ctx: &eframe::egui::Context) {
    ctx.all_styles_mut(|style| {
        for font in style.text_styles.values_mut() {
            font.size = font.size.max(BODY_SIZE);
        }
    });
}

/// Two columns side by side, their text left-aligned. (`Ui::columns` lays columns out justified, and egui
/// then stretches the word spacing of every label that wraps.)
pub fn two_columns<A, B>(
    ui: &mut eframe::egui::Ui,
    left: impl FnOnce(&mut eframe::egui::Ui) -> A,
    right: impl FnOnce(&mut eframe::egui::Ui) -> B,
) -> (A, B) {
    use eframe::egui::{Align, Layout};
    ui.columns(2, |columns| {
        let [first, second] = columns else { unreachable!("ui.columns(2) gives two columns") };
        let a = first.with_layout(Layout::top_down(Align::LEFT), left).inner;
        let b = second.with_layout(Layout::top_down(Align::LEFT), right).inner;
        (a, b)
    })
}
