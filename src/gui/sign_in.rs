//! The sign-in screen: operator name and PIN. On a station with no operators yet it creates the first
//! supervisor instead (or the demo data brings its demo operators). The PIN is checked on the storage
//! thread: Argon2 is deliberately slow and must never stall a frame.

use eframe::egui;

use crate::gui::theme;

pub const OPERATOR_FIELD: &str = "Operator";
pub const PIN_FIELD: &str = "PIN";
pub const SIGN_IN: &str = "Sign in";
pub const CREATE_SUPERVISOR: &str = "Create the first supervisor";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInView {
    /// `None` while the operators are being counted.
    pub has_operators: Option<bool>,
    /// A PIN check is on its way.
    pub busy: bool,
    /// Why the last attempt failed.
    pub message: Option<String>,
    /// The demo operators' names and PINs, when the demo data is loaded.
    pub demo_hint: Option<String>,
}

/// What the clerk has typed; kept by the app so nothing is lost between frames.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignInForm {
    pub name: String,
    pub pin: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInCommand {
    SignIn { name: String, pin: String },
    CreateFirstSupervisor { name: String, pin: String },
}

pub fn sign_in_ui(ui: &mut egui::Ui, view: &SignInView, form: &mut SignInForm) -> Option<SignInCommand> {
    let first = view.has_operators == Some(false);
    ui.label(theme::heading(if first { "First start" } else { "Who is at the bench?" }));
    if first {
        ui.label("No operator is set up on this station yet. The first one is a supervisor, who can add the others.");
    }
    let mut submit = false;
    egui::Grid::new("sign-in").num_columns(2).spacing([12.0, 8.0]).show(ui, |ui| {
        let label = ui.label(OPERATOR_FIELD);
        let name = ui.add(egui::TextEdit::singleline(&mut form.name).desired_width(280.0)).labelled_by(label.id);
        if ui.memory(|m| m.focused().is_none()) {
            name.request_focus();
        }
        ui.end_row();
        let label = ui.label(PIN_FIELD);
        let pin =
            ui.add(egui::TextEdit::singleline(&mut form.pin).password(true).desired_width(280.0)).labelled_by(label.id);
        submit |= pin.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        ui.end_row();
    });
    let button = if first { CREATE_SUPERVISOR } else { SIGN_IN };
    submit |= ui.add_enabled(!view.busy, egui::Button::new(button)).clicked();
    if view.busy {
        ui.colored_label(theme::WAIT, "checking…");
    }
    if let Some(message) = &view.message {
        ui.colored_label(theme::WRONG, message);
    }
    if let Some(hint) = &view.demo_hint {
        ui.add_space(8.0);
        ui.label(hint);
    }
    if !submit || view.busy || form.name.trim().is_empty() {
        return None;
    }
    let name = form.name.trim().to_owned();
    let pin = std::mem::take(&mut form.pin);
    Some(if first { SignInCommand::CreateFirstSupervisor { name, pin } } else { SignInCommand::SignIn { name, pin } })
}
