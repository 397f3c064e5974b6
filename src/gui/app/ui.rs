//! `ui`: draws the signed-in operator's screen (or sign-in) and collects what the clerk asked for as
//! [`AppCommand`]s, which [`super::command_handling`] carries out after the frame is drawn.

use super::*;

impl StationApp {
    /// Draws the window, then carries out what the clerk asked for in it.
    pub fn draw(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let mut commands = Vec::new();
        if self.database_is_away() {
            egui::Panel::top("reach").show(ui, |ui| reach_ui(ui, &self.reach));
        }
        if self.session.is_none() {
            self.draw_sign_in(ui, &mut commands);
        } else {
            self.draw_bench(ui, &mut commands);
        }
        for command in commands {
            self.run(command, &ctx);
        }
    }

    /// The signed-in screens: the bar (tabs, scan field, banner), the label panel, the screen itself and a
    /// photo opened in full.
    fn draw_bench(&mut self, ui: &mut egui::Ui, commands: &mut Vec<AppCommand>) {
        let ctx = ui.ctx().clone();
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
                        commands.push(AppCommand::Go(screen));
                    }
                }
                if ui.button("Sign out").clicked() {
                    commands.push(AppCommand::SignOut);
                }
            });
            if self.picker.is_some() {
                // The picker has the keyboard: Enter and Escape are its own, and nothing typed is a scan.
                ui.label(egui::RichText::new("Choosing photos: Escape closes the picker").size(theme::SCAN_TEXT_SIZE));
            } else {
                let hint = self.scan_hint();
                commands.extend(scan_field_ui(ui, &mut self.scan_text, hint).map(AppCommand::Scan));
            }
            if let Some((good, message)) = &self.banner {
                ui.horizontal_wrapped(|ui| {
                    ui.colored_label(if *good { theme::GOOD } else { theme::WRONG }, message);
                    if let Some(decision_id) = self.last_decided
                        && ui.button(EVIDENCE_PACKET).clicked()
                    {
                        commands.push(AppCommand::WriteEvidence(decision_id));
                    }
                });
            }
            if notices_ui(ui, &self.notices) {
                commands.push(AppCommand::DismissNotices);
            }
        });
        if self.screen != Screen::Inspection {
            self.picker = None;
        }
        if self.picker.is_none() {
            for (screen, key, _) in Screen::TABS {
                if ctx.input(|i| i.key_pressed(key)) && (screen != Screen::Inspection || self.bench.is_some()) {
                    commands.push(AppCommand::Go(screen));
                }
            }
            if ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
                commands.push(AppCommand::Back);
            }
            commands.extend(self.bench_keys(&ctx));
        }
        if let Some((title, words)) = &self.closing {
            egui::Modal::new(egui::Id::unique("closing")).show(&ctx, |ui| {
                ui.heading(*title);
                ui.label(words);
                ui.horizontal(|ui| {
                    if ui.button(CLOSE_NOW).clicked() {
                        commands.push(AppCommand::CloseNow);
                    }
                    if ui.button(KEEP_WORKING).clicked() {
                        commands.push(AppCommand::KeepWorking);
                    }
                });
            });
        }
        if let Some((place, command)) = self.draw_label_panel(ui) {
            commands.push(AppCommand::Label(place, command));
        }
        egui::CentralPanel::default().show(ui, |ui| match self.screen {
            Screen::SignIn | Screen::Intake => {
                let view = self.intake_view();
                commands.extend(intake_ui(ui, &view, &mut self.intake_form).map(AppCommand::Intake));
            }
            Screen::Inspection => {
                let Some(view) = self.inspection_view() else { return };
                if let Some(picker) = self.picker.as_mut() {
                    let heading = format!("Photos of the {} for {}", checkpoint_words(view.checkpoint), view.title);
                    commands.extend(picker_ui(ui, picker, &heading).map(AppCommand::Picker));
                    return;
                }
                let Some(bench) = self.bench.as_mut() else { return };
                let command = inspection_ui(ui, &view, &mut bench.sheet, &mut self.inspection_form);
                commands.extend(command.map(AppCommand::Inspection));
            }
            Screen::Decision => {
                let Some(view) = self.decision_view() else { return };
                commands.extend(decision_ui(ui, &view, &mut self.override_form).map(AppCommand::Decision));
            }
            Screen::Queues => {
                let supervisor = self.is_supervisor();
                let command = queues_ui(ui, &self.queues, &mut self.queues_form, supervisor);
                commands.extend(command.map(AppCommand::Queues));
            }
            Screen::Records => {
                let supervisor = self.is_supervisor();
                let command = records_ui(ui, &self.records, &mut self.records_form, supervisor);
                commands.extend(command.map(AppCommand::Records));
            }
            Screen::Settings => {
                let supervisor = self.is_supervisor();
                let command = printer_ui(ui, &self.printer, &mut self.printer_form, supervisor);
                commands.extend(command.map(AppCommand::Printer));
                ui.add_space(8.0);
                let view = self.settings_view();
                commands.extend(settings_ui(ui, &view, &mut self.settings_form).map(AppCommand::Settings));
            }
            Screen::Dashboard => dashboard_ui(ui, &self.dashboard),
        });
        if let Some(preview) = self.preview.as_mut()
            && !preview_ui(&ctx, preview)
        {
            self.preview = None;
        }
    }

    fn draw_sign_in(&mut self, ui: &mut egui::Ui, commands: &mut Vec<AppCommand>) {
        let station = self.station_view();
        egui::Panel::right("station").resizable(true).default_size(420.0).show(ui, |ui| {
            ui.label(theme::heading(APP_NAME));
            ui.label(
                "The returns bench: scan a package, inspect it, decide it by the merchant's policy, queue the outcome.",
            );
            ui.add_space(8.0);
            commands.extend(station_ui(ui, &station).map(AppCommand::Station));
            if notices_ui(ui, &self.notices) {
                commands.push(AppCommand::DismissNotices);
            }
        });
        let view = self.sign_in.clone();
        egui::CentralPanel::default().show(ui, |ui| {
            commands.extend(sign_in_ui(ui, &view, &mut self.sign_in_form).map(AppCommand::SignIn));
        });
    }

    /// The bench's own keys: Page Down / Page Up step through the items, F6 opens the photo picker, F7
    /// takes a webcam photo, F8 opens the override.
    fn bench_keys(&self, ctx: &egui::Context) -> Vec<AppCommand> {
        use egui::Key;
        let keys: &[(Key, Screen, BenchKey)] = &[
            (Key::PageDown, Screen::Inspection, BenchKey::NextItem),
            (Key::PageUp, Screen::Inspection, BenchKey::PreviousItem),
            (Key::F6, Screen::Inspection, BenchKey::ChoosePhotos),
            (Key::F7, Screen::Inspection, BenchKey::WebcamPhoto),
            (Key::F8, Screen::Decision, BenchKey::Override),
        ];
        keys.iter()
            .filter(|(key, screen, _)| self.screen == *screen && ctx.input(|i| i.key_pressed(*key)))
            .map(|(_, _, action)| AppCommand::Key(*action))
            .collect()
    }

    fn scan_hint(&self) -> &'static str {
        match self.screen {
            Screen::Inspection => "scan each item's SKU; Enter on an empty field decides",
            Screen::Decision => "Enter confirms; Escape goes back to the inspection",
            _ => "scan a label, or type an RMA, tracking or order number and press Enter",
        }
    }

    /// The label panel beside intake or records, if the screen has one; returns what the clerk pressed.
    fn draw_label_panel(&mut self, ui: &mut egui::Ui) -> Option<(LabelPlace, LabelCommand)> {
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
