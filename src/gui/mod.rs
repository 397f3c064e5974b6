//! The station's window (egui + eframe). For now it says what the station is and which merchants'
//! policies it has loaded; the bench screens (intake, inspection, decision, queues) come next.
//!
//! The UI thread only draws: it never runs SQL, reads files, decodes images or touches a serial port.

use eframe::egui;

use crate::domain::policy::words::describe;
use crate::policies::PolicySet;

/// The window's title and the app's name in the OS.
pub const APP_NAME: &str = "RMA Station";

/// Opens the station's window and runs until it is closed.
pub fn run(policies: PolicySet) -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default().with_title(APP_NAME).with_inner_size([1024.0, 720.0]),
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    eframe::run_native(APP_NAME, options, Box::new(|_cc| Ok(Box::new(StationApp::new(&policies)))))
}

/// What the start screen shows, built once from the loaded policies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartView {
    pub merchants: Vec<MerchantSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantSummary {
    pub name: String,
    pub id: String,
    pub rule_count: usize,
    pub source: String,
}

impl StartView {
    pub fn new(policies: &PolicySet) -> StartView {
        let merchants = policies
            .iter()
            .map(|loaded| MerchantSummary {
                name: loaded.policy.merchant.name.clone(),
                id: loaded.policy.merchant.id.clone(),
                rule_count: describe(&loaded.policy).iter().map(|s| s.rules.len()).sum(),
                source: loaded.policy.merchant.source.clone(),
            })
            .collect();
        StartView { merchants }
    }
}

#[derive(Debug)]
pub struct StationApp {
    view: StartView,
}

impl StationApp {
    pub fn new(policies: &PolicySet) -> StationApp {
        StationApp { view: StartView::new(policies) }
    }
}

impl eframe::App for StationApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        start_ui(ui, &self.view);
    }
}

/// Draws the start screen.
pub fn start_ui(ui: &mut egui::Ui, view: &StartView) {
    egui::CentralPanel::default().show(ui, |ui| {
        ui.heading(APP_NAME);
        ui.label(
            "The returns bench: scan a package, inspect it, decide it by the merchant's policy, queue the outcome.",
        );
        ui.add_space(12.0);
        ui.strong("Merchant policies loaded");
        for merchant in &view.merchants {
            ui.label(format!(
                "{} ({}): {} rules from {}",
                merchant.name, merchant.id, merchant.rule_count, merchant.source
            ));
        }
    });
}
