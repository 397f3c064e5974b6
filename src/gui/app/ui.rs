//! `ui`: draws the signed-in operator's screen (or sign-in) and collects what the clerk asked for as
//! [`AppCommand`]s, which [`super::command_handling`] carries out after the frame is drawn.

use super::*;

impl StationApp {
    /// Draws the window and carries out what the clerk asked for.
    pub fn draw(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if self.session.is_none() {
            self.draw_sign_in(ui);
            return;
        }
        let mut scan_input = None;
        let mut sign_out = false;
        let mut evidence_wanted = None;
        egui::Panel::top("bar").show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.strong(APP_NAME);
                if let Some(session) = &self.session {
                    ui.label(format!("{} · {} ({})", self.station, session.name, session.role));
                }
                for (screen, _, title) in Screen::TABS {
                    let enabled = screen != Screen::Inspection || self.bench.is_some();
                    let current =
                        self.screen == screen || (screen == Screen::Inspection && self.screen == Screen::Decision);
                    if ui.add_enabled(enabled, egui::Button::selectable(current, title)).clicked() {
                        self.screen = screen;
                        self.entered(screen, &ctx);
                    }
                }
                sign_out = ui.button("Sign out").clicked();
            });
            if self.picker.is_some() {
                // The picker has the keyboard: Enter and Escape are its own, and nothing typed is a scan.
                ui.label(egui::RichText::new("Choosing photos: Escape closes the picker").size(theme::SCAN_TEXT_SIZE));
            } else {
                let hint = self.scan_hint();
                scan_input = scan_field_ui(ui, &mut self.scan_text, hint);
            }
            if let Some((good, message)) = &self.banner {
                ui.horizontal_wrapped(|ui| {
                    ui.colored_label(if *good { theme::GOOD } else { theme::WRONG }, message);
                    if let Some(decision_id) = self.last_decided
                        && ui.button(EVIDENCE_PACKET).clicked()
                    {
                        evidence_wanted = Some(decision_id);
                    }
                });
            }
            if let Some(notice) = &self.notice {
                ui.colored_label(theme::WAIT, notice);
            }
        });
        if self.screen != Screen::Inspection {
            self.picker = None;
        }
        if self.picker.is_none() {
            for (screen, key, _) in Screen::TABS {
                if ctx.input(|i| i.key_pressed(key)) && (screen != Screen::Inspection || self.bench.is_some()) {
                    self.screen = screen;
                    self.entered(screen, &ctx);
                }
            }
            if ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
                self.back();
            }
            self.bench_keys(&ctx);
        }
        if let Some(decision_id) = evidence_wanted {
            self.write_evidence(decision_id, &ctx);
        }
        if sign_out {
            self.session = None;
            self.screen = Screen::SignIn;
            return;
        }
        let label_command = self.draw_label_panel(ui);
        egui::CentralPanel::default().show(ui, |ui| match self.screen {
            Screen::SignIn | Screen::Intake => {
                let view = self.intake_view();
                if let Some(command) = intake_ui(ui, &view, &mut self.intake_form) {
                    self.intake_command(command, &ctx);
                }
            }
            Screen::Inspection => {
                let Some(view) = self.inspection_view() else { return };
                if let Some(picker) = self.picker.as_mut() {
                    let heading = format!("Photos of the {} for {}", checkpoint_words(view.checkpoint), view.title);
                    if let Some(action) = picker_ui(ui, picker, &heading) {
                        self.picker_action(action, &ctx);
                    }
                    return;
                }
                let Some(bench) = self.bench.as_mut() else { return };
                if let Some(command) = inspection_ui(ui, &view, &mut bench.sheet, &mut self.inspection_form) {
                    self.inspection_command(command, &ctx);
                }
            }
            Screen::Decision => {
                let Some(view) = self.decision_view() else { return };
                if let Some(command) = decision_ui(ui, &view, &mut self.override_form) {
                    self.decision_command(command, &ctx);
                }
            }
            Screen::Queues => {
                if let Some(command) = queues_ui(ui, &self.queues, &mut self.queues_form) {
                    self.queues_command(command, &ctx);
                }
            }
            Screen::Records => {
                if let Some(command) = records_ui(ui, &self.records, &mut self.records_form) {
                    self.records_command(command, &ctx);
                }
            }
            Screen::Settings => {
                if let Some(command) = printer_ui(ui, &self.printer, &mut self.printer_form) {
                    self.printer_command(command, &ctx);
                }
                ui.add_space(8.0);
                let view = self.settings_view();
                if let Some(command) = settings_ui(ui, &view, &mut self.settings_form) {
                    self.settings_command(command, &ctx);
                }
            }
            Screen::Dashboard => dashboard_ui(ui, &self.dashboard),
        });
        if let Some((place, command)) = label_command {
            self.label_command(place, command);
        }
        if let Some(preview) = self.preview.as_mut()
            && !preview_ui(&ctx, preview)
        {
            self.preview = None;
        }
        if let Some(input) = scan_input {
            self.scan_input(input, &ctx);
        }
    }

    pub(super) fn draw_sign_in(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let station = self.station_view();
        let mut station_command = None;
        egui::Panel::right("station").resizable(true).default_size(420.0).show(ui, |ui| {
            ui.label(theme::heading(APP_NAME));
            ui.label(
                "The returns bench: scan a package, inspect it, decide it by the merchant's policy, queue the outcome.",
            );
            ui.add_space(8.0);
            station_command = station_ui(ui, &station);
            if let Some(notice) = &self.notice {
                ui.colored_label(theme::WAIT, notice);
            }
        });
        let view = self.sign_in.clone();
        let mut command = None;
        egui::CentralPanel::default().show(ui, |ui| {
            command = sign_in_ui(ui, &view, &mut self.sign_in_form);
        });
        if let Some(StationCommand::LoadDemo) = station_command {
            self.load_demo(&ctx);
        }
        match command {
            Some(SignInCommand::SignIn { name, pin }) => self.sign_in_with(name, pin, &ctx),
            Some(SignInCommand::CreateFirstSupervisor { name, pin }) => self.create_first_supervisor(name, pin, &ctx),
            None => {}
        }
    }

    /// The bench's own keys: Page Down / Page Up step through the items, F6 opens the photo picker, F7
    /// takes a webcam photo, F8 opens the override.
    pub(super) fn bench_keys(&mut self, ctx: &egui::Context) {
        let (down, up, f6, f7, f8) = ctx.input(|i| {
            use egui::Key;
            let pressed = |key| i.key_pressed(key);
            (pressed(Key::PageDown), pressed(Key::PageUp), pressed(Key::F6), pressed(Key::F7), pressed(Key::F8))
        });
        if self.screen == Screen::Inspection && (down || up) {
            self.step_item(down);
        }
        if self.screen == Screen::Inspection && f6 {
            self.open_picker();
        }
        if self.screen == Screen::Inspection && f7 {
            self.take_webcam_photo();
        }
        if self.screen == Screen::Decision && f8 {
            self.override_form.open = !self.override_form.open;
        }
    }

    pub(super) fn scan_hint(&self) -> &'static str {
        match self.screen {
            Screen::Inspection => "scan each item's SKU; Enter on an empty field decides",
            Screen::Decision => "Enter confirms; Escape goes back to the inspection",
            _ => "scan a label, or type an RMA, tracking or order number and press Enter",
        }
    }

    /// The label panel beside intake or records, if the screen has one; returns what the clerk pressed.
    pub(super) fn draw_label_panel(&mut self, ui: &mut egui::Ui) -> Option<(LabelPlace, LabelCommand)> {
        let (place, panel) = match self.screen {
            Screen::Intake => (LabelPlace::Intake, self.intake_label.as_ref()?),
            Screen::Records => (LabelPlace::Records, self.records_label.as_ref()?),
            _ => return None,
        };
        let printer = self.printer.saved.as_ref().and_then(Option::as_ref);
        let mut command = None;
        egui::Panel::right("bin-label").resizable(false).default_size(330.0).show(ui, |ui| {
            command = label_panel_ui(ui, panel, printer);
        });
        command.map(|command| (place, command))
    }
}
