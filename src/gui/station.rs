//! The station panel: which merchants' policies are loaded, what the database holds, and the demo
//! data offered on an empty database.

use eframe::egui;

use crate::domain::policy::words::describe;
use crate::gui::theme;
use crate::policies::PolicySet;
use crate::storage::StoreCounts;

/// The offer on an empty database.
pub const LOAD_DEMO: &str = "Load demo data";

/// The database as the panel knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseView {
    Opening,
    Ready { path: String, counts: StoreCounts },
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationView {
    pub merchants: Vec<MerchantSummary>,
    pub database: DatabaseView,
    pub demo_loading: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantSummary {
    pub name: String,
    pub id: String,
    pub rule_count: usize,
    pub source: String,
}

impl MerchantSummary {
    pub fn all(policies: &PolicySet) -> Vec<MerchantSummary> {
        policies
            .iter()
            .map(|loaded| MerchantSummary {
                name: loaded.policy.merchant.name.clone(),
                id: loaded.policy.merchant.id.clone(),
                rule_count: describe(&loaded.policy).iter().map(|s| s.rules.len()).sum(),
                source: loaded.policy.merchant.source.clone(),
            })
            .collect()
    }

    /// The line the panel shows for this merchant.
    pub fn line(&self) -> String {
        format!("{} ({}): {} rules from {}", self.name, self.id, self.rule_count, self.source)
    }
}

/// What the clerk asked of the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StationCommand {
    LoadDemo,
}

/// Draws the panel; returns what the clerk asked for.
pub fn station_ui(ui: &mut egui::Ui, view: &StationView) -> Option<StationCommand> {
    let mut command = None;
    ui.strong("Merchant policies loaded");
    for merchant in &view.merchants {
        ui.label(merchant.line());
    }
    ui.add_space(8.0);
    ui.strong("Database");
    match &view.database {
        DatabaseView::Opening => {
            ui.label("Opening the database…");
        }
        DatabaseView::Failed(message) => {
            ui.colored_label(theme::WRONG, message);
        }
        DatabaseView::Ready { path, counts } => {
            ui.label(database_line(path, counts));
            if counts.orders == 0 {
                ui.colored_label(
                    theme::WAIT,
                    "The database is empty. Import orders and RMAs, or try the station with demo data.",
                );
                if ui.add_enabled(!view.demo_loading, egui::Button::new(LOAD_DEMO)).clicked() {
                    command = Some(StationCommand::LoadDemo);
                }
            }
        }
    }
    command
}

/// "station.sqlite3: 24 orders, 20 RMAs, 0 packages".
pub fn database_line(path: &str, counts: &StoreCounts) -> String {
    format!("{path}: {} orders, {} RMAs, {} packages", counts.orders, counts.rmas, counts.packages)
}
