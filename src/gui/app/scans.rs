//! Scans and bench keys: a keyboard-wedge or serial scan screened, then routed by screen (a bench
//! command obeyed, a package label looked up at intake, an item ticked off during inspection).

use super::*;

impl StationApp {
    /// Selects the next (or previous) item of the open package, wrapping around.
    pub(super) fn step_item(&mut self, forward: bool) {
        let Some(bench) = self.bench.as_mut().filter(|b| !b.sheet.items.is_empty()) else { return };
        let count = bench.sheet.items.len();
        bench.selected = if forward { (bench.selected + 1) % count } else { (bench.selected + count - 1) % count };
    }

    pub(super) fn scan_input(&mut self, input: ScanFieldInput, ctx: &egui::Context) {
        match input {
            ScanFieldInput::Confirm => self.confirm(ctx),
            ScanFieldInput::Scan(typed) => self.keyboard_scan(&typed, ctx),
        }
    }

    /// Enter on an empty scan field, or the CONFIRM barcode: the screen's main action.
    pub(super) fn confirm(&mut self, ctx: &egui::Context) {
        match self.screen {
            Screen::Intake => match self.pending.as_ref().map(|p| (&p.card, p.options.len())) {
                Some((MatchCard::Rmas { open_package: Some(package_id), .. }, _)) => {
                    let package_id = *package_id;
                    self.open_package(package_id, ctx);
                }
                Some((_, 1)) => self.open(0, ctx),
                _ => {}
            },
            Screen::Inspection => self.decide(ctx),
            Screen::Decision if !self.override_form.open => self.confirm_decision(ctx),
            _ => {}
        }
    }

    /// Escape or the BACK barcode.
    pub(super) fn back(&mut self) {
        match self.screen {
            Screen::Decision => {
                self.screen = Screen::Inspection;
                self.override_form.open = false;
            }
            Screen::Inspection | Screen::Queues | Screen::Records | Screen::Settings | Screen::Dashboard => {
                self.screen = Screen::Intake;
            }
            Screen::Intake => self.pending = None,
            Screen::SignIn => {}
        }
    }

    pub(super) fn bench_command(&mut self, command: BenchCommand, ctx: &egui::Context) {
        match command {
            BenchCommand::Confirm => self.confirm(ctx),
            BenchCommand::Back => self.back(),
            BenchCommand::NextItem => self.step_item(true),
            BenchCommand::Photo => {
                // The next photo goes to the first required checkpoint still missing.
                let missing = self.inspection_view().and_then(|v| v.checkpoints.into_iter().find(|c| !c.taken));
                if let (Some(bench), Some(line)) = (self.bench.as_mut(), missing) {
                    bench.checkpoint = line.checkpoint;
                }
            }
            BenchCommand::Hold => {
                if self.screen == Screen::Decision {
                    self.override_form.open = true;
                    self.override_form.disposition = Disposition::Hold;
                }
            }
        }
    }

    /// A keyboard-wedge scan or a typed number: screened like a serial scan, then routed by screen.
    pub(super) fn keyboard_scan(&mut self, typed: &str, ctx: &egui::Context) {
        let code = typed.trim().to_owned();
        crate::log::scan_received("keyboard", &code);
        if self.obey_command("keyboard", &code, ctx) {
            return;
        }
        if let Err(reason) = screen_text(&code) {
            self.push_row(ScanRow {
                source: "keyboard".to_owned(),
                code: preview_text(&code),
                what: "not a scan".to_owned(),
                outcome: ScanOutcome::Refused(reason.to_string()),
            });
            return;
        }
        if self.screen == Screen::Intake
            && let Some(pending) = &self.pending
            && let Ok(option) = code.parse::<usize>()
            && (1..=pending.options.len()).contains(&option)
        {
            self.open(option - 1, ctx);
            return;
        }
        let Some(classifier) = &self.classifier else { return };
        let classification = classifier.classify(&code);
        self.route_scan("keyboard".to_owned(), code, classification, ctx);
    }

    /// Carries out a bench command barcode from either kind of scanner, and lists it with the scans.
    /// Returns false when the code is not a command.
    pub(super) fn obey_command(&mut self, source: &str, code: &str, ctx: &egui::Context) -> bool {
        let Some(command) = BenchCommand::parse(code) else { return false };
        self.bench_command(command, ctx);
        self.push_row(ScanRow {
            source: source.to_owned(),
            code: code.to_owned(),
            what: "bench command".to_owned(),
            outcome: ScanOutcome::Command(command.label().to_owned()),
        });
        true
    }

    pub(super) fn route_scan(
        &mut self,
        source: String,
        code: String,
        classification: Classification,
        ctx: &egui::Context,
    ) {
        let package_code = matches!(classification.kind(), Kind::RmaNumber | Kind::TrackingNumber | Kind::OrderNumber);
        if matches!(self.screen, Screen::Inspection | Screen::Decision) && !package_code {
            self.scan_item(&code, &classification);
            return;
        }
        if matches!(self.screen, Screen::Inspection | Screen::Decision) {
            self.banner =
                Some((false, format!("{code} is a package label: finish this package first (Escape goes back)")));
            return;
        }
        self.screen = Screen::Intake;
        self.look_up(source, code, classification, ctx);
    }

    /// An item's code scanned during inspection: ticks it off (or records it as unexpected).
    pub(super) fn scan_item(&mut self, code: &str, classification: &Classification) {
        let Some(bench) = self.bench.as_mut() else { return };
        let sku = match &classification.reading {
            Reading::ProductCode(product) => product.digits().to_owned(),
            _ => code.to_owned(),
        };
        let (index, words) = match bench.sheet.scan_item(&sku) {
            ItemScan::Counted(index) => (index, "counted"),
            ItemScan::Unexpected(index) => (index, "not on the order: recorded as unexpected"),
        };
        bench.selected = index;
        let item = &bench.sheet.items[index];
        self.banner = Some((true, format!("{}: {words} ({} received)", item.sku, item.received)));
    }

    pub(super) fn take_scanner_event(&mut self, event: ScannerEvent, ctx: &egui::Context) {
        let status = |app: &mut StationApp, name: &str| app.scanners.iter_mut().position(|s| s.name == name);
        match event {
            ScannerEvent::Connected { scanner, .. } => {
                if let Some(i) = status(self, &scanner) {
                    self.scanners[i].state = ScannerState::Connected;
                }
            }
            ScannerEvent::Disconnected { scanner, reason } => {
                if let Some(i) = status(self, &scanner) {
                    self.scanners[i].state = ScannerState::Disconnected(reason);
                }
            }
            ScannerEvent::Refused { scanner, reason, preview } => {
                self.push_row(ScanRow {
                    source: format!("scanner {scanner}"),
                    code: preview,
                    what: "not a scan".to_owned(),
                    outcome: ScanOutcome::Refused(reason.to_string()),
                });
            }
            ScannerEvent::Scan { scanner, code, classification, .. } => {
                if let Some(i) = status(self, &scanner) {
                    self.scanners[i].last_scan = Some(code.clone());
                }
                if self.session.is_none() {
                    return;
                }
                let source = format!("scanner {scanner}");
                if !self.obey_command(&source, &code, ctx) {
                    self.route_scan(source, code, *classification, ctx);
                }
            }
        }
    }

    pub(super) fn look_up(
        &mut self,
        source: String,
        code: String,
        classification: Classification,
        ctx: &egui::Context,
    ) {
        let seq = self.next_scan;
        self.next_scan += 1;
        let what = describe_kind(&classification);
        self.last_lookup = Some((seq, code.clone()));
        let outcome = if self.database_is_away() {
            self.kept_scans.push_back((seq, code.clone()));
            ScanOutcome::Kept
        } else if self.submit_lookup(seq, code.clone(), classification, ctx) {
            ScanOutcome::Looking
        } else {
            ScanOutcome::Failed("the database is not open".to_owned())
        };
        self.recent.push_front(ScanRecord { seq, row: ScanRow { source, code, what, outcome } });
        self.recent.truncate(RECENT_SCANS);
    }

    /// Asks the storage thread what the scan `seq` matches; its answer comes back as [`AppEvent::Matched`].
    pub(super) fn submit_lookup(
        &mut self,
        seq: u64,
        code: String,
        classification: Classification,
        ctx: &egui::Context,
    ) -> bool {
        let kind = classification.kind().as_str().to_owned();
        let lookup = classification;
        let scanned = code;
        self.submit(
            ctx,
            move |store| {
                let found = crate::bench::intake::find(store, &lookup)?;
                let earlier = match &found {
                    IntakeMatch::Rmas(options) if options.len() == 1 => {
                        crate::bench::intake::received_before(store, options[0].rma.id)?
                    }
                    _ => Vec::new(),
                };
                Ok::<_, Problem>((found, earlier))
            },
            move |found| AppEvent::Matched { scan: seq, code: scanned, kind, found },
        )
    }

    pub(super) fn push_row(&mut self, row: ScanRow) {
        let seq = self.next_scan;
        self.next_scan += 1;
        self.recent.push_front(ScanRecord { seq, row });
        self.recent.truncate(RECENT_SCANS);
    }
}
