//! Bin labels beside intake and records (drawn, printed and saved on the label thread) and the label
//! printer's setting.

use super::*;

impl StationApp {
    /// Asks the storage thread for a decided package's labels, built from what was saved.
    pub(super) fn request_labels(&mut self, package_id: i64, number: String, ctx: &egui::Context) {
        let names = self.merchant_names();
        let title = format!("{number} (package #{package_id})");
        self.submit(
            ctx,
            move |store| {
                let history = store.package_history(package_id).map_err(Problem::from)?;
                labels_of(&history, |id| merchant_name(&names, id)).map_err(Problem::from)
            },
            move |result| AppEvent::BinLabels { title, result },
        );
    }

    /// The label panel of an opened record: none for a package not decided yet.
    pub(super) fn label_panel_of(&mut self, history: &PackageHistory) -> Option<LabelPanel> {
        if history.decisions.is_empty() {
            return None;
        }
        let package = &history.package;
        let number = package.rma_number.clone().unwrap_or_else(|| package.scanned_code.clone());
        let title = format!("{number} (package #{})", package.id);
        let names = self.merchant_names();
        Some(match labels_of(history, |id| merchant_name(&names, id)) {
            Ok(labels) => self.show_labels(LabelPlace::Records, title, labels),
            Err(e) => LabelPanel { title, message: Some((false, e.to_string())), ..LabelPanel::default() },
        })
    }

    /// A panel for these labels; their previews are drawn on the label thread.
    pub(super) fn show_labels(&mut self, place: LabelPlace, title: String, labels: Vec<BinLabel>) -> LabelPanel {
        self.label_generation += 1;
        let generation = self.label_generation;
        let mut panel = LabelPanel { title, labels: labels.clone(), generation, ..LabelPanel::default() };
        if let Some(worker) = &self.label_worker
            && let Err(e) = worker.submit(LabelTag { place, generation }, LabelWork::Preview(labels))
        {
            panel.message = Some((false, e.to_string()));
        }
        panel
    }

    /// Print or save the labels of a panel, on the label thread.
    pub(super) fn label_command(&mut self, place: LabelPlace, command: LabelCommand) {
        let panel = match place {
            LabelPlace::Intake => self.intake_label.as_mut(),
            LabelPlace::Records => self.records_label.as_mut(),
        };
        let (Some(panel), Some(worker)) = (panel, &self.label_worker) else { return };
        let labels = panel.labels.clone();
        let folder = self.data_dir.join("labels");
        let work = match command {
            LabelCommand::Print => match self.printer.saved.clone().flatten() {
                Some(printer) => LabelWork::Print { labels, printer },
                None => {
                    panel.message = Some((false, crate::labels::printer::PrinterError::NotConfigured.to_string()));
                    return;
                }
            },
            LabelCommand::SavePng => LabelWork::Save { labels, format: LabelFormat::Png, folder },
            LabelCommand::SavePdf => LabelWork::Save { labels, format: LabelFormat::Pdf, folder },
        };
        match worker.submit(LabelTag { place, generation: panel.generation }, work) {
            Ok(()) => {
                panel.busy = true;
                panel.message = None;
            }
            Err(e) => panel.message = Some((false, e.to_string())),
        }
    }

    pub(super) fn take_label(&mut self, result: LabelResult<LabelTag>, ctx: &egui::Context) {
        let LabelTag { place, generation } = result.tag;
        let panel = match place {
            LabelPlace::Intake => self.intake_label.as_mut(),
            LabelPlace::Records => self.records_label.as_mut(),
        };
        // An answer about labels no longer shown is dropped.
        let Some(panel) = panel.filter(|p| p.generation == generation) else { return };
        match result.outcome {
            Ok(LabelDone::Previews(pictures)) => {
                panel.previews = pictures
                    .iter()
                    .enumerate()
                    .map(|(i, picture)| {
                        let size = [picture.width as usize, picture.height as usize];
                        let image = egui::ColorImage::from_gray(size, &picture.grey);
                        ctx.load_texture(format!("label-{generation}-{i}"), image, Default::default())
                    })
                    .collect();
            }
            Ok(LabelDone::Printed { labels, printer }) => {
                panel.busy = false;
                panel.message = Some((true, format!("{labels} label(s) sent to the {printer}")));
            }
            Ok(LabelDone::Saved(paths)) => {
                panel.busy = false;
                let files: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                panel.message = Some((true, format!("saved: {}", files.join(", "))));
            }
            Err(e) => {
                panel.busy = false;
                panel.message = Some((false, e.to_string()));
            }
        }
    }

    pub(super) fn printer_command(&mut self, command: PrinterCommand, ctx: &egui::Context) {
        match command {
            PrinterCommand::Refused(message) => self.printer.message = Some((false, message)),
            PrinterCommand::Save(printer) => {
                let (actor, now) = (self.actor(), self.now());
                self.submit(
                    ctx,
                    move |store| bench::settings::set_printer(store, &actor, &now, printer.as_ref()).map(|()| printer),
                    |result| AppEvent::Printer { saved: true, result: result.map_err(Problem::from) },
                );
            }
        }
    }

    pub(super) fn refresh_printer(&mut self, ctx: &egui::Context) {
        let station = self.station.clone();
        self.submit(
            ctx,
            move |store| bench::settings::printer(store, &station).map_err(Problem::from),
            |result| AppEvent::Printer { saved: false, result },
        );
    }
}
