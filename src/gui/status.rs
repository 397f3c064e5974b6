//! Notices: what went wrong outside the clerk's current action (a worker that could not start, a save
//! that failed, a photo not taken, the hot folder in trouble), each with its level, kept in a queue
//! under the scan field until the clerk dismisses them. A later notice never hides an earlier one unseen:
//! the newest few are shown with a count of the rest, and the same words again count up on one line.

use std::collections::VecDeque;

use eframe::egui;

use crate::gui::theme;

/// How many notices are kept; beyond that the oldest go, counted.
const KEPT: usize = 50;
/// How many are shown under the scan field at once.
pub const SHOWN: usize = 3;
/// The dismiss button's words.
pub const DISMISS: &str = "Dismiss notices";

/// How bad a notice is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Something to know or to try again (a busy queue, a photo with nowhere to go).
    Warning,
    /// Something failed: work not saved, a part of the station not running.
    Error,
}

/// One notice, and how often it came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub level: Level,
    pub text: String,
    pub times: u32,
}

/// The notices not yet dismissed, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notices {
    list: VecDeque<Notice>,
    /// Notices that fell off the front of a full queue.
    dropped: u64,
}

impl Notices {
    /// Adds a notice; the same words as the newest one count up on its line instead.
    pub fn push(&mut self, level: Level, text: impl Into<String>) {
        let text = text.into();
        // What a support person asks for first: every error the clerk was shown, in the log file.
        match level {
            Level::Error => crate::log::shown_to_clerk(&text),
            Level::Warning => tracing::warn!(shown = text.as_str(), "warning shown to the clerk"),
        }
        if let Some(last) = self.list.back_mut().filter(|n| n.text == text && n.level == level) {
            last.times += 1;
            return;
        }
        self.list.push_back(Notice { level, text, times: 1 });
        while self.list.len() > KEPT {
            self.list.pop_front();
            self.dropped += 1;
        }
    }

    /// The newest notice.
    pub fn latest(&self) -> Option<&Notice> {
        self.list.back()
    }

    /// Every notice kept, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Notice> {
        self.list.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Notices kept and dropped that the clerk has not dismissed.
    pub fn waiting(&self) -> u64 {
        self.list.len() as u64 + self.dropped
    }

    pub fn dismiss(&mut self) {
        self.list.clear();
        self.dropped = 0;
    }
}

/// Draws the newest notices (errors red, warnings amber) with a count of the others; returns true when
/// the clerk dismissed them.
pub fn notices_ui(ui: &mut egui::Ui, notices: &Notices) -> bool {
    if notices.is_empty() {
        return false;
    }
    let shown: Vec<&Notice> = notices.iter().rev().take(SHOWN).collect();
    for notice in shown.iter().rev() {
        let colour = match notice.level {
            Level::Warning => theme::WAIT,
            Level::Error => theme::WRONG,
        };
        let times = if notice.times > 1 { format!(" (×{})", notice.times) } else { String::new() };
        ui.colored_label(colour, format!("{}{times}", notice.text));
    }
    let mut dismissed = false;
    ui.horizontal(|ui| {
        let more = notices.waiting().saturating_sub(shown.len() as u64);
        if more > 0 {
            ui.label(format!("and {more} earlier"));
        }
        dismissed = ui.button(DISMISS).clicked();
    });
    dismissed
}

/// Whether the station's database answers, as the `changes` thread last said.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Reach {
    #[default]
    Connected,
    /// Away since this time of the bench's day ("10:02:13"), and why.
    Away { since: String, why: String },
}

/// The banner over every screen while the database is away: what is kept here and what waits.
pub fn away_banner(since: &str) -> String {
    format!(
        "DATABASE AWAY since {since}: scans and sheet edits are kept on this bench and sent when it is back; \
         decisions wait for it (money is decided on the shared records). Reconnecting by itself…"
    )
}

/// Draws the banner while the database is away; nothing when it answers.
pub fn reach_ui(ui: &mut egui::Ui, reach: &Reach) {
    if let Reach::Away { since, why } = reach {
        ui.colored_label(theme::WRONG, egui::RichText::new(away_banner(since)).strong()).on_hover_text(why);
    }
}
