//! The label printer's part of the settings screen: none, a serial port (path and speed) or a network
//! printer (host:port, raw port 9100), saved in the database as this station's own setting. What is typed
//! is checked here, at the edge, and refused with what to type instead; nothing is saved until it parses.

use eframe::egui;

use crate::gui::theme;
use crate::labels::printer::{DEFAULT_BAUD, PrinterSettingError, PrinterTarget};

pub const PRINTER_KIND: &str = "Printer connection";
pub const PRINTER_PORT: &str = "Printer's serial port";
pub const PRINTER_BAUD: &str = "Printer's baud";
pub const PRINTER_ADDRESS: &str = "Printer's address (host:port)";
pub const SAVE_PRINTER: &str = "Save printer";
/// What a clerk sees instead of the printer's form.
pub const SUPERVISOR_SETS_PRINTER: &str = "A supervisor sets the label printer.";

/// How the printer is reached, as the combo box offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrinterKind {
    None,
    Serial,
    Network,
}

impl PrinterKind {
    const ALL: [PrinterKind; 3] = [PrinterKind::None, PrinterKind::Serial, PrinterKind::Network];

    fn words(self) -> &'static str {
        match self {
            PrinterKind::None => "none",
            PrinterKind::Serial => "serial port",
            PrinterKind::Network => "network (raw port 9100)",
        }
    }
}

/// What the clerk types; kept by the app so it survives a change of screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrinterForm {
    pub kind: PrinterKind,
    pub port: String,
    pub baud: String,
    pub address: String,
}

impl Default for PrinterForm {
    fn default() -> PrinterForm {
        PrinterForm {
            kind: PrinterKind::None,
            port: String::new(),
            baud: DEFAULT_BAUD.to_string(),
            address: String::new(),
        }
    }
}

impl PrinterForm {
    /// The form showing a saved printer.
    pub fn of(printer: Option<&PrinterTarget>) -> PrinterForm {
        let mut form = PrinterForm::default();
        match printer {
            Some(PrinterTarget::Serial { port, baud }) => {
                (form.kind, form.port, form.baud) = (PrinterKind::Serial, port.clone(), baud.to_string());
            }
            Some(target @ PrinterTarget::Network { .. }) => {
                form.kind = PrinterKind::Network;
                form.address = target.setting().trim_start_matches("tcp:").to_owned();
            }
            None => {}
        }
        form
    }

    /// The printer the form describes (`None`: no printer), or what is wrong with it.
    pub fn target(&self) -> Result<Option<PrinterTarget>, PrinterSettingError> {
        match self.kind {
            PrinterKind::None => Ok(None),
            PrinterKind::Serial => PrinterTarget::serial(&self.port, &self.baud).map(Some),
            PrinterKind::Network => PrinterTarget::network(&self.address).map(Some),
        }
    }
}

/// The printer as saved, and the last outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrinterView {
    /// `None` until the setting is read.
    pub saved: Option<Option<PrinterTarget>>,
    pub message: Option<(bool, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrinterCommand {
    Save(Option<PrinterTarget>),
    /// What was typed is not a printer: why, for the clerk.
    Refused(String),
}

/// The printer's part of settings. `supervisor`: the operator may change it (a clerk sees where labels
/// print; the use case refuses a clerk's change too, whatever the screen shows).
pub fn printer_ui(
    ui: &mut egui::Ui,
    view: &PrinterView,
    form: &mut PrinterForm,
    supervisor: bool,
) -> Option<PrinterCommand> {
    let mut command = None;
    ui.label(theme::heading("Label printer"));
    ui.label(match &view.saved {
        None => "reading this station's printer…".to_owned(),
        Some(None) => "Bin labels print on: no printer set up (labels can still be saved as PNG or PDF)".to_owned(),
        Some(Some(printer)) => format!("Bin labels print on: the {printer}"),
    });
    if !supervisor {
        ui.label(SUPERVISOR_SETS_PRINTER);
        if let Some((good, message)) = &view.message {
            ui.colored_label(if *good { theme::GOOD } else { theme::WRONG }, message);
        }
        return None;
    }
    ui.horizontal_wrapped(|ui| {
        let label = ui.label(PRINTER_KIND);
        egui::ComboBox::from_id_salt("printer-kind")
            .selected_text(form.kind.words())
            .show_ui(ui, |ui| {
                for kind in PrinterKind::ALL {
                    ui.selectable_value(&mut form.kind, kind, kind.words());
                }
            })
            .response
            .labelled_by(label.id);
        match form.kind {
            PrinterKind::None => {}
            PrinterKind::Serial => {
                let label = ui.label(PRINTER_PORT);
                ui.add(
                    egui::TextEdit::singleline(&mut form.port)
                        .hint_text(crate::devices::serial::EXAMPLE_PORT)
                        .desired_width(200.0),
                )
                .labelled_by(label.id);
                let label = ui.label(PRINTER_BAUD);
                ui.add(egui::TextEdit::singleline(&mut form.baud).desired_width(80.0)).labelled_by(label.id);
            }
            PrinterKind::Network => {
                let label = ui.label(PRINTER_ADDRESS);
                ui.add(egui::TextEdit::singleline(&mut form.address).hint_text("10.0.4.21:9100").desired_width(220.0))
                    .labelled_by(label.id);
            }
        }
        if ui.button(SAVE_PRINTER).clicked() {
            match form.target() {
                Ok(target) => command = Some(PrinterCommand::Save(target)),
                Err(e) => command = Some(PrinterCommand::Refused(e.to_string())),
            }
        }
    });
    if let Some((good, message)) = &view.message {
        ui.colored_label(if *good { theme::GOOD } else { theme::WRONG }, message);
    }
    command
}
