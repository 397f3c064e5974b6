//! Command handling: each screen's command turned into the bench's use case ([`crate::bench`]) on the
//! worker that owns what it needs, its answer coming back as an [`AppEvent`].

use super::*;

/// What the clerk asked for in a frame: a screen's command, a key or a button of the bar. The frame
/// collects them while it draws; [`StationApp::run`] carries them out after it.
#[derive(Debug)]
pub(super) enum AppCommand {
    Go(Screen),
    Back,
    SignOut,
    Key(BenchKey),
    Scan(ScanFieldInput),
    WriteEvidence(i64),
    DismissNotices,
    Station(StationCommand),
    SignIn(SignInCommand),
    Intake(IntakeCommand),
    Inspection(InspectionCommand),
    Picker(PickerAction),
    Decision(DecisionCommand),
    Queues(QueuesCommand),
    Records(RecordsCommand),
    Printer(PrinterCommand),
    Settings(SettingsCommand),
    Label(LabelPlace, LabelCommand),
    /// The clerk read that the open package is saved and closes the window after all.
    CloseNow,
    /// The clerk stays: the close is forgotten.
    KeepWorking,
}

/// The bench's keys beside the screens' own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BenchKey {
    NextItem,
    PreviousItem,
    ChoosePhotos,
    WebcamPhoto,
    Override,
}

impl StationApp {
    /// Carries out one command.
    pub(super) fn run(&mut self, command: AppCommand, ctx: &egui::Context) {
        match command {
            AppCommand::Go(screen) => {
                self.screen = screen;
                self.entered(screen, ctx);
            }
            AppCommand::Back => self.back(),
            AppCommand::SignOut => {
                self.session = None;
                self.screen = Screen::SignIn;
                // The next at the bench is often someone else: the name signed out does not stay typed.
                self.sign_in_form = SignInForm::default();
            }
            AppCommand::Key(BenchKey::NextItem) => self.step_item(true),
            AppCommand::Key(BenchKey::PreviousItem) => self.step_item(false),
            AppCommand::Key(BenchKey::ChoosePhotos) => self.open_picker(),
            AppCommand::Key(BenchKey::WebcamPhoto) => self.take_webcam_photo(),
            AppCommand::Key(BenchKey::Override) => self.override_form.open = !self.override_form.open,
            AppCommand::Scan(input) => self.scan_input(input, ctx),
            AppCommand::WriteEvidence(decision_id) => self.write_packet(decision_id, None, ctx),
            AppCommand::DismissNotices => self.notices.dismiss(),
            AppCommand::Station(StationCommand::LoadDemo) => self.load_demo(ctx),
            AppCommand::SignIn(SignInCommand::SignIn { name, pin }) => self.sign_in_with(name, pin, ctx),
            AppCommand::SignIn(SignInCommand::CreateFirstSupervisor { name, pin }) => {
                self.create_first_supervisor(name, pin);
            }
            AppCommand::Intake(command) => self.intake_command(command, ctx),
            AppCommand::Inspection(command) => self.inspection_command(command, ctx),
            AppCommand::Picker(action) => self.picker_action(action, ctx),
            AppCommand::Decision(command) => self.decision_command(command, ctx),
            AppCommand::Queues(command) => self.queues_command(command, ctx),
            AppCommand::Records(command) => self.records_command(command, ctx),
            AppCommand::Printer(command) => self.printer_command(command, ctx),
            AppCommand::Settings(command) => self.settings_command(command),
            AppCommand::Label(place, command) => self.label_command(place, command),
            AppCommand::CloseNow => {
                self.closing = None;
                self.close_confirmed = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            AppCommand::KeepWorking => self.closing = None,
        }
    }

    pub(super) fn intake_command(&mut self, command: IntakeCommand, ctx: &egui::Context) {
        match command {
            IntakeCommand::Open(option) => self.open(option, ctx),
            IntakeCommand::Dismiss => self.pending = None,
            IntakeCommand::Search(text) => {
                let Some(pending) = &self.pending else { return };
                let (code, kind) = (pending.card.code().to_owned(), pending.kind.clone());
                self.submit(
                    ctx,
                    move |store| crate::bench::intake::search(store, &text).map_err(Problem::from),
                    move |found| AppEvent::Searched { code, kind, found },
                );
            }
            IntakeCommand::Quarantine { note } => self.receive(Claim::Quarantined, note, false, ctx),
            IntakeCommand::OpenPackage(package_id) => self.open_package(package_id, ctx),
            IntakeCommand::AnotherBox => {
                if let Some(found) = self.pending.as_ref().and_then(|p| p.options.first().cloned()) {
                    self.receive(Claim::Rma(found), String::new(), true, ctx);
                }
            }
            IntakeCommand::ReceiveWithoutRma => {
                let order = self.pending.as_ref().and_then(|p| p.order.clone());
                if let Some(order) = order {
                    self.receive(Claim::OrderOnly(order), String::new(), false, ctx);
                }
            }
        }
    }

    /// Receives the package against the card's option and opens its inspection.
    pub(super) fn open(&mut self, option: usize, ctx: &egui::Context) {
        let Some(found) = self.pending.as_ref().and_then(|p| p.options.get(option).cloned()) else { return };
        self.receive(Claim::Rma(found), String::new(), false, ctx);
    }

    /// Whether a package is already on the bench (and the clerk told so): one package at a time.
    fn bench_busy(&mut self) -> bool {
        if self.bench.is_some() {
            self.banner = Some((false, "a package is already open on the bench: finish it first (F2)".to_owned()));
        }
        self.bench.is_some()
    }

    /// Opens a package received before: its record when its decision stands (a supervisor's reopen comes
    /// before it is decided again), else the package back on the bench as it was saved.
    pub(super) fn open_package(&mut self, package_id: i64, ctx: &egui::Context) {
        if self.bench_busy() {
            return;
        }
        self.pending = None;
        let (actor, now) = (self.actor(), self.now());
        self.submit(
            ctx,
            move |store| match bench::intake::resume(store, &actor, &now, package_id) {
                Err(BenchError::Decided { .. }) => Ok(None),
                other => other.map(Some).map_err(Problem::from),
            },
            move |result| match result {
                Ok(Some(resumed)) => AppEvent::Resumed(Ok(Box::new(resumed))),
                Ok(None) => AppEvent::ShowRecord(package_id),
                Err(problem) => AppEvent::Resumed(Err(problem)),
            },
        );
    }

    /// Receives the card's package against `claim` (or quarantines it) and opens its inspection;
    /// `another_box`: a further box of a split shipment for a claim received before.
    pub(super) fn receive(&mut self, claim: Claim, note: String, another_box: bool, ctx: &egui::Context) {
        if self.pending.is_none() || self.bench_busy() {
            return;
        }
        let Some(pending) = &self.pending else { return };
        let arrival = Arrival {
            scanned_code: pending.card.code().to_owned(),
            scanned_kind: pending.kind.clone(),
            claim,
            note,
            another_box,
        };
        let (actor, now) = (self.actor(), self.now());
        self.pending = None;
        self.submit(
            ctx,
            move |store| bench::intake::receive(store, &actor, &now, arrival).map_err(Problem::from),
            |result| AppEvent::Opened(result.map(Box::new)),
        );
    }

    pub(super) fn inspection_command(&mut self, command: InspectionCommand, ctx: &egui::Context) {
        let Some(bench) = self.bench.as_mut() else { return };
        match command {
            InspectionCommand::Select(index) => bench.selected = index,
            InspectionCommand::Split(index) => {
                if let Some(new) = bench.sheet.split_unit(index) {
                    bench.selected = new;
                }
            }
            InspectionCommand::Checkpoint(checkpoint) => bench.checkpoint = checkpoint,
            InspectionCommand::AddPhoto(path) => self.add_photo(PathBuf::from(path), ctx),
            InspectionCommand::ChoosePhotos => self.open_picker(),
            InspectionCommand::Camera(index) => self.camera = index,
            InspectionCommand::TakeWebcamPhoto => self.take_webcam_photo(),
            InspectionCommand::OpenPhoto(sha256) => self.open_preview(sha256),
            InspectionCommand::Decide => self.decide(ctx),
        }
    }

    /// Runs the engine on the sheet as it stands (pure and fast: on this thread), saves the sheet, and
    /// shows the decision. A quarantined package has nothing to decide: its label photo is taken, and it
    /// waits.
    pub(super) fn decide(&mut self, ctx: &egui::Context) {
        let now = self.now();
        let Some(bench) = self.bench.as_mut() else { return };
        let photo_items: Vec<Option<usize>> = bench.photos.iter().map(|p| p.item).collect();
        let package = &bench.package;
        match bench::decision::decide(&self.policies, package, &bench.sheet, &photo_items, now.today) {
            Ok(decided) => bench.decided = Some(decided),
            Err(BenchError::Quarantined { .. }) => {
                self.bench = None;
                self.screen = Screen::Intake;
                self.refresh_today(ctx);
                return;
            }
            Err(error) => {
                bench.message = Some(error.to_string());
                return;
            }
        }
        bench.message = None;
        let (inspection_id, sheet, actor) = (package.inspection_id, bench.sheet.clone(), self.actor());
        self.override_form = OverrideForm::default();
        self.banner = None;
        self.screen = Screen::Decision;
        self.submit(
            ctx,
            move |store| {
                bench::inspection::save_sheet(store, &actor, &now, inspection_id, &sheet).map_err(Problem::from)
            },
            AppEvent::InspectionSaved,
        );
    }

    pub(super) fn decision_command(&mut self, command: DecisionCommand, ctx: &egui::Context) {
        match command {
            DecisionCommand::Confirm => self.confirm_decision(ctx),
            DecisionCommand::TakePhoto { item, checkpoint } => {
                // Back to the inspection with the item and checkpoint chosen: the next photo lands there.
                if let Some(bench) = self.bench.as_mut() {
                    if let Some(item) = item.filter(|&i| i < bench.sheet.items.len()) {
                        bench.selected = item;
                    }
                    bench.checkpoint = checkpoint;
                }
                self.back();
            }
            DecisionCommand::Override { disposition, amount, reason, supervisor, pin } => {
                self.override_decision(OverrideRequest { disposition, amount, reason, supervisor }, pin, ctx);
            }
        }
    }

    /// Confirms the engine's decision on screen, on the storage thread; a packet that is due is written
    /// after it ([`StationApp::write_packet`]).
    pub(super) fn confirm_decision(&mut self, ctx: &egui::Context) {
        if self.database_is_away() {
            self.banner = Some((false, DECISION_WAITS.to_owned()));
            return;
        }
        let (actor, now, policies) = (self.actor(), self.now(), self.policies.clone());
        let Some(bench) = self.bench.as_mut() else { return };
        let Some(decided) = bench.decided.clone() else { return };
        if bench.saving {
            return;
        }
        bench.saving = true;
        let (package, sheet) = (bench.package.clone(), bench.sheet.clone());
        let number = package.claim.number(package.package_id);
        let currency = package.claim.currency();
        self.submit(
            ctx,
            move |store| {
                let bench = OnTheBench { package: &package, sheet: &sheet, decided: &decided };
                bench::decision::confirm(store, &policies, &actor, &now, bench)
            },
            move |result| AppEvent::Decided { number, currency, result: result.map(Box::new).map_err(Problem::from) },
        );
    }

    pub(super) fn queues_command(&mut self, command: QueuesCommand, ctx: &egui::Context) {
        match command {
            QueuesCommand::Show(tab) => {
                self.queues.tab = tab;
                self.refresh_queue(ctx);
            }
            QueuesCommand::Done { id, reference } => {
                self.queues_form.row = None;
                self.change_queues(ctx, move |store, actor, now| {
                    bench::queues::complete_item(store, actor, now, id, &reference)?;
                    Ok(format!("item {id} done: {reference}"))
                });
            }
            QueuesCommand::Match { package_id, rma_number } => {
                self.queues_form.row = None;
                self.change_queues(ctx, move |store, actor, now| {
                    let number = bench::intake::match_quarantined(store, actor, now, package_id, &rma_number)?;
                    Ok(format!("package #{package_id} matched to {number}"))
                });
            }
            QueuesCommand::Export(queue) => {
                let (actor, now) = (self.actor(), self.now());
                self.submit(
                    ctx,
                    move |store| match bench::queues::claim_export(store, &actor, &now, queue) {
                        Ok(Some(to_write)) => Ok(Claimed::Write(Box::new(to_write))),
                        Ok(None) => Ok(Claimed::NothingNew(queue)),
                        Err(error) => Err(Problem::from(error)),
                    },
                    AppEvent::ExportClaimed,
                );
            }
            QueuesCommand::BatchDone { batch_id, reference } => {
                self.queues_form.row = None;
                self.change_queues(ctx, move |store, actor, now| {
                    let done = bench::queues::complete_batch(store, actor, now, batch_id, &reference)?;
                    Ok(format!("batch {batch_id}: {done} items done: {reference}"))
                });
            }
            QueuesCommand::WriteBatch(batch_id) => {
                let (actor, now) = (self.actor(), self.now());
                self.submit(
                    ctx,
                    move |store| {
                        let to_write =
                            bench::queues::claimed_batch(store, &actor, &now, batch_id).map_err(Problem::from)?;
                        Ok(Claimed::Write(Box::new(to_write)))
                    },
                    AppEvent::ExportClaimed,
                );
            }
        }
    }

    /// What an export is to write has been read (a batch claimed, or the list): the `files` thread writes it.
    pub(super) fn export_claimed(&mut self, result: Result<Claimed, Problem>) {
        let message = match result {
            Ok(Claimed::Write(to_write)) => {
                let work = FileWork::Export { to_write, folder: exports_path(&self.data_dir), stamp: self.stamp() };
                match self.files.as_ref().map(|files| files.submit(work)) {
                    Some(Ok(())) => return,
                    Some(Err(e)) => (false, e.to_string()),
                    None => (false, "the files thread is not running".to_owned()),
                }
            }
            Ok(Claimed::NothingNew(queue)) => {
                (true, format!("nothing new to export: every open {queue} item is in a batch"))
            }
            Err(problem) => (false, problem.to_string()),
        };
        self.queues.message = Some(message);
    }

    /// An export's files written on the `files` thread: recorded on the storage thread, then the queues
    /// screen says where they went.
    pub(super) fn export_written(&mut self, result: Result<ExportReport, Problem>, ctx: &egui::Context) {
        match result {
            Ok(report) => self.change_queues(ctx, move |store, actor, now| {
                bench::queues::record_export(store, actor, now, &report)?;
                Ok(report.words())
            }),
            Err(problem) => self.queues.message = Some((false, problem.to_string())),
        }
    }

    /// Runs a change to the queues on the storage thread, by this operator now; its words (or error) go on
    /// the queues screen, which then reloads.
    pub(super) fn change_queues(
        &mut self,
        ctx: &egui::Context,
        change: impl FnOnce(&mut dyn Store, &Actor, &Now) -> Result<String, BenchError> + Send + 'static,
    ) {
        let (actor, now) = (self.actor(), self.now());
        self.submit(ctx, move |store| change(store, &actor, &now).map_err(Problem::from), AppEvent::QueueChanged);
    }

    pub(super) fn records_command(&mut self, command: RecordsCommand, ctx: &egui::Context) {
        match command {
            RecordsCommand::Find(text) => {
                self.records.searching = true;
                self.submit(
                    ctx,
                    move |store| store.find_packages(&text, FIND_LIMIT).map_err(Problem::from),
                    AppEvent::Found,
                );
            }
            RecordsCommand::EvidencePacket(decision_id) => self.write_packet(decision_id, None, ctx),
            RecordsCommand::Reopen { package_id, reason } => {
                let (actor, now) = (self.actor(), self.now());
                self.submit(
                    ctx,
                    move |store| {
                        bench::decision::reopen(store, &actor, &now, package_id, &reason).map_err(Problem::from)
                    },
                    move |result| AppEvent::Reopened { package_id, result },
                );
            }
            RecordsCommand::Open(id) => {
                self.submit(
                    ctx,
                    move |store| store.package_history(id).map(Box::new).map_err(Problem::from),
                    AppEvent::History,
                );
            }
        }
    }

    pub(super) fn settings_command(&mut self, command: SettingsCommand) {
        match command {
            SettingsCommand::AddOperator { name, role, pin } => self.add_operator(name, role, pin),
        }
    }

    /// Called when the clerk moves to a screen: loads what it shows. The last banner belonged to the
    /// screen left behind.
    pub(super) fn entered(&mut self, screen: Screen, ctx: &egui::Context) {
        self.banner = None;
        self.last_decided = None;
        match screen {
            Screen::Intake => self.refresh_today(ctx),
            Screen::Queues => self.refresh_queue(ctx),
            Screen::Settings => self.refresh_operators(ctx),
            Screen::Dashboard => self.refresh_dashboard(ctx),
            _ => {}
        }
    }

    pub(super) fn refresh_dashboard(&mut self, ctx: &egui::Context) {
        // The bench's local day and week; the store never reads the clock.
        let period = crate::storage::DashboardPeriod::at(&self.now(), &self.clock);
        self.dashboard.loading = self.submit(
            ctx,
            move |store| store.dashboard(&period).map(Box::new).map_err(Problem::from),
            AppEvent::Dashboard,
        );
    }

    /// Asks the storage thread for the database's counts (as the first frame does); the answer comes in
    /// through `logic`. False when it could not be asked (no database, or its queue is full).
    pub fn refresh_counts(&mut self, ctx: &egui::Context) -> bool {
        self.submit(ctx, |store| store.counts().map_err(Problem::from), AppEvent::Counts)
    }

    pub(super) fn refresh_operators(&mut self, ctx: &egui::Context) {
        self.submit(
            ctx,
            |store| {
                store
                    .operators()
                    .map(|all| all.into_iter().map(|o| (o.name, o.role, o.active)).collect())
                    .map_err(Problem::from)
            },
            AppEvent::Operators,
        );
    }

    pub(super) fn refresh_today(&mut self, ctx: &egui::Context) {
        let since = self.now().start_of_today().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        self.submit(
            ctx,
            move |store| store.packages_since(&since, TODAY_LIMIT).map_err(Problem::from),
            AppEvent::Today,
        );
        let now = self.now();
        self.submit(ctx, move |store| bench::intake::unfinished(store, &now).map_err(Problem::from), AppEvent::Waiting);
    }

    /// A close asked for (the window's close button, the system) with a package on the bench: the close
    /// waits while the sheet is saved now and the clerk reads where the work will be.
    pub(super) fn close_asked(&mut self, ctx: &egui::Context) {
        if self.close_confirmed || !ctx.input(|i| i.viewport().close_requested()) {
            return;
        }
        if self.database_is_away() && (self.bench.is_some() || !self.kept_scans.is_empty()) {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.closing = Some((CLOSING_AWAY_TITLE, self.kept_only_here()));
            return;
        }
        let Some(bench) = &self.bench else { return };
        ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
        let id = bench.package.package_id;
        let number = bench.package.claim.number(id);
        self.autosave(true, ctx);
        self.closing = Some((
            CLOSING_TITLE,
            format!(
                "{number} (package #{id}) is saved as it is now. When the station starts again it opens on this \
             bench where you left it; it is also listed at intake under \"Received, not decided\"."
            ),
        ));
    }

    /// Saves the sheet on screen when it has differed from the saved one for [`AUTOSAVE_AFTER`] (or at once,
    /// `now_please`, when the window is closing): a close, a crash or a kill loses at most that much.
    pub(super) fn autosave(&mut self, now_please: bool, ctx: &egui::Context) {
        let away = self.database_is_away();
        let Some(bench) = self.bench.as_mut() else { return };
        if bench.sheet == bench.saved_sheet && !bench.unsent {
            bench.changed_at = None;
            return;
        }
        if away {
            // Kept on screen, unsaved, until the database is back (`live` then saves it at once).
            return;
        }
        let since = *bench.changed_at.get_or_insert_with(Instant::now);
        let waited = since.elapsed();
        if !now_please && waited < AUTOSAVE_AFTER {
            ctx.request_repaint_after(AUTOSAVE_AFTER - waited);
            return;
        }
        bench.changed_at = None;
        bench.unsent = false;
        bench.saved_sheet = bench.sheet.clone();
        let (inspection_id, sheet, actor, now) =
            (bench.package.inspection_id, bench.sheet.clone(), self.actor(), self.now());
        self.submit(
            ctx,
            move |store| {
                bench::inspection::save_sheet(store, &actor, &now, inspection_id, &sheet).map_err(Problem::from)
            },
            AppEvent::InspectionSaved,
        );
    }

    /// Renews this bench's lease on the package on the bench every [`crate::domain::lease::RENEW_EVERY`], so that other benches
    /// see it open here, and a bench that is gone frees it when its lease lapses.
    pub(super) fn keep_lease(&mut self, ctx: &egui::Context) {
        if self.database_is_away() {
            return;
        }
        let Some(bench) = self.bench.as_mut() else { return };
        let every = crate::domain::lease::RENEW_EVERY.to_std().unwrap_or(Duration::from_secs(30));
        let waited = bench.renewed_at.elapsed();
        if waited < every {
            ctx.request_repaint_after(every - waited);
            return;
        }
        bench.renewed_at = Instant::now();
        let (package_id, actor, now) = (bench.package.package_id, self.actor(), self.now());
        self.submit(
            ctx,
            move |store| bench::intake::renew(store, &actor, &now, package_id).map(drop).map_err(Problem::from),
            AppEvent::LeaseRenewed,
        );
    }

    pub(super) fn refresh_queue(&mut self, ctx: &egui::Context) {
        let tab = self.queues.tab;
        self.queues.loading = true;
        self.queues.today = self.now().today;
        self.submit(
            ctx,
            move |store| {
                let counts = store
                    .open_queue_counts()
                    .and_then(|counts| Ok((counts, store.quarantined()?.len() as u64)))
                    .map_err(Problem::from);
                let rows = match tab {
                    QueueTab::Work(queue) => store.queue_items(queue, true, QUEUE_LIMIT).and_then(|rows| {
                        let batches = if queue == Queue::Hold {
                            Vec::new()
                        } else {
                            store.export_batches(queue, BATCHES_SHOWN)?
                        };
                        Ok(QueueRows::Work(rows, batches))
                    }),
                    QueueTab::Quarantine => store.quarantined().map(QueueRows::Quarantine),
                }
                .map_err(Problem::from);
                (counts, rows)
            },
            move |(counts, rows)| AppEvent::Queue { tab, counts, rows },
        );
    }

    pub(super) fn packet_place(&self) -> PacketPlace {
        PacketPlace {
            photos: PhotoFolder::new(crate::storage::photos_path(&self.data_dir)),
            storage: self.storage.clone(),
            folder: evidence::packets_folder(&self.data_dir),
        }
    }

    /// Writes a decision's evidence packet into the evidence folder: its record read on the storage
    /// thread, the file written on the `files` thread, its audit entry on the storage thread again. The
    /// banner then shows `prefix` (the decision's summary, for a packet written without being asked) and
    /// where the packet went.
    pub(super) fn write_packet(&mut self, decision_id: i64, prefix: Option<String>, ctx: &egui::Context) {
        if prefix.is_none() {
            self.banner = Some((true, "writing the evidence packet…".to_owned()));
        }
        self.submit(
            ctx,
            move |store| store.evidence_record(decision_id).map(Box::new).map_err(Problem::from),
            move |result| AppEvent::PacketRecord { prefix, result },
        );
    }

    /// Once a day, at the station's start, the audit chain's head goes into the exports folder's anchor file
    /// (read on `storage`; on `files`, appended unless one was kept today), so that a rewrite of the whole
    /// chain is caught by `verify`.
    pub(super) fn anchor_today(&mut self, ctx: &egui::Context) {
        self.submit(ctx, |store| store.audit_head().map_err(Problem::from), AppEvent::HeadToAnchor);
    }

    /// A packet's record is read: the `files` thread lays it out and writes it.
    pub(super) fn packet_record_read(&mut self, prefix: Option<String>, result: Result<Box<EvidenceRecord>, Problem>) {
        let record = match result {
            Ok(record) => record,
            Err(problem) => return self.packet_failed(prefix, problem.to_string()),
        };
        let work = FileWork::Packet { record, place: self.packet_place(), stamp: self.stamp(), prefix };
        if let Some(files) = &self.files
            && let Err(e) = files.submit(work)
        {
            self.notices.push(Level::Error, format!("the evidence packet was not written: {e}"));
        }
    }

    /// A packet written on the `files` thread: its audit entry goes on the decision.
    pub(super) fn packet_written(
        &mut self,
        prefix: Option<String>,
        result: Result<PacketReceipt, Problem>,
        ctx: &egui::Context,
    ) {
        let receipt = match result {
            Ok(receipt) => receipt,
            Err(problem) => return self.packet_failed(prefix, problem.to_string()),
        };
        let stamp = self.stamp();
        self.submit(
            ctx,
            move |store| {
                evidence::record_written(store, &receipt, &stamp).map(|()| receipt.to_string()).map_err(Problem::from)
            },
            move |result| AppEvent::EvidenceWritten { prefix, result },
        );
    }

    /// A packet that was not written: a packet asked for says so in the banner; one written without being
    /// asked leaves the decision's banner and adds a notice (the decision stands; Records writes it again).
    pub(super) fn packet_failed(&mut self, prefix: Option<String>, message: String) {
        match prefix {
            Some(_) => self.notices.push(
                Level::Error,
                format!("the decision is saved, but its evidence packet was not written: {message}"),
            ),
            None => self.banner = Some((false, format!("the evidence packet was not written: {message}"))),
        }
    }

    pub(super) fn load_demo(&mut self, ctx: &egui::Context) {
        // The demo's dates are moved to this day.
        let now = self.now();
        let stamp = Stamp { at: now.at, station: self.station.clone(), operator: SETUP.to_owned() };
        let today = now.today;
        let secret = Arc::clone(&self.pin_secret);
        self.demo_loading = self.submit(
            ctx,
            move |store| {
                crate::demo::load_demo(store, today, &stamp, &secret)
                    .map(|(orders, rmas)| (orders.new, rmas.new))
                    .map_err(Problem::from)
            },
            AppEvent::DemoLoaded,
        );
    }
}
