//! The settings screen: this station's name and data folder, its scanners (as started from the command
//! line) with their live state, the operators (a supervisor adds them), and each merchant's policy in
//! plain words, read-only: policies change by editing their files, which `policy check` validates.

use eframe::egui;

use crate::domain::policy::words::Section;
use crate::domain::vocabulary::Role;
use crate::gui::intake::ScannerStatus;
use crate::gui::theme;

pub const NEW_OPERATOR: &str = "New operator's name";
pub const NEW_PIN: &str = "New operator's PIN";
pub const ADD_OPERATOR: &str = "Add operator";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsView {
    pub station: String,
    pub data_folder: String,
    pub hot_folder: Option<String>,
    pub scanners: Vec<ScannerStatus>,
    /// Name, role, active.
    pub operators: Vec<(String, Role, bool)>,
    pub supervisor: bool,
    /// Merchant name and its rules in words.
    pub merchants: Vec<(String, Vec<Section>)>,
    pub message: Option<(bool, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsForm {
    pub name: String,
    pub pin: String,
    pub role: Role,
}

impl Default for SettingsForm {
    fn default() -> SettingsForm {
        SettingsForm { name: String::new(), pin: String::new(), role: Role::Clerk }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingsCommand {
    AddOperator { name: String, role: Role, pin: String },
}

pub fn settings_ui(ui: &mut egui::Ui, view: &SettingsView, form: &mut SettingsForm) -> Option<SettingsCommand> {
    let mut command = None;
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.label(theme::heading("Station"));
        ui.label(format!("Station name: {} (set with --station)", view.station));
        ui.label(format!("Data folder: {} (set with --data-dir)", view.data_folder));
        ui.label(match &view.hot_folder {
            Some(folder) => format!("Photo hot folder: {folder}"),
            None => "Photo hot folder: none (set with --hot-folder)".to_owned(),
        });
        ui.add_space(8.0);
        ui.label(theme::heading("Scanners"));
        if view.scanners.is_empty() {
            ui.label("No serial scanner configured (add one with --scanner PORT). Keyboard-wedge scanners type into the scan field.");
        }
        for scanner in &view.scanners {
            let (colour, state) = scanner.state.words();
            ui.colored_label(colour, format!("{}: {state}", scanner.name));
            ui.label(format!("    {} (set on the command line: --scanner, --scanner-baud, --scanner-suffix)", scanner.setup));
            // The test scan: any barcode scanned now shows here, so a clerk can check a scanner and its
            // suffix setting without opening a package.
            ui.label(match &scanner.last_scan {
                Some(code) => format!("    test scan: last read {code}"),
                None => "    test scan: scan any barcode; it shows here".to_owned(),
            });
        }
        ui.add_space(8.0);
        ui.label(theme::heading("Operators"));
        for (name, role, active) in &view.operators {
            ui.label(format!("{name} · {role}{}", if *active { "" } else { " · inactive" }));
        }
        if view.supervisor {
            ui.horizontal(|ui| {
                let label = ui.label(NEW_OPERATOR);
                ui.add(egui::TextEdit::singleline(&mut form.name).desired_width(200.0)).labelled_by(label.id);
                let label = ui.label(NEW_PIN);
                ui.add(egui::TextEdit::singleline(&mut form.pin).password(true).desired_width(120.0))
                    .labelled_by(label.id);
                let label = ui.label("Role");
                egui::ComboBox::from_id_salt("new-role")
                    .selected_text(form.role.as_str())
                    .show_ui(ui, |ui| {
                        for role in Role::ALL {
                            ui.selectable_value(&mut form.role, *role, role.as_str());
                        }
                    })
                    .response
                    .labelled_by(label.id);
                if ui.button(ADD_OPERATOR).clicked() && !form.name.trim().is_empty() {
                    command = Some(SettingsCommand::AddOperator {
                        name: form.name.trim().to_owned(),
                        role: form.role,
                        pin: std::mem::take(&mut form.pin),
                    });
                }
            });
        } else {
            ui.label("A supervisor adds operators.");
        }
        if let Some((good, message)) = &view.message {
            ui.colored_label(if *good { theme::GOOD } else { theme::WRONG }, message);
        }
        ui.add_space(8.0);
        ui.label(theme::heading("Merchant policies (read-only)"));
        for (name, sections) in &view.merchants {
            egui::CollapsingHeader::new(name).show(ui, |ui| {
                for section in sections {
                    ui.strong(section.title);
                    for rule in &section.rules {
                        ui.label(format!("• {}  [{}]", rule.words, rule.clause.id));
                    }
                }
            });
        }
    });
    command
}
