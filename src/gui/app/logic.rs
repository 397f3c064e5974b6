//! `logic`: takes in what the workers, scanners and the hot folder answered, under a time budget, and
//! applies each answer to the app's state. Nothing here draws.

use super::*;

impl StationApp {
    /// Takes in what the workers, scanners and the hot folder answered, then sends any first requests.
    pub fn logic(&mut self, ctx: &egui::Context) {
        if !self.started {
            self.started = true;
            self.refresh_counts(ctx);
            self.refresh_operators(ctx);
            self.find_webcams();
            self.refresh_printer(ctx);
            self.anchor_today(ctx);
            self.read_kept();
        }
        let dropped: Vec<PathBuf> = ctx.input(|i| i.raw.dropped_files.iter().map(|f| f.path().to_path_buf()).collect());
        for path in dropped {
            self.add_photo(path, ctx);
        }
        self.autosave(false, ctx);
        self.keep_lease(ctx);
        self.close_asked(ctx);
        let deadline = Instant::now() + DRAIN_BUDGET;
        while Instant::now() < deadline {
            if let Ok(event) = self.scanner_events.try_recv() {
                self.take_scanner_event(event, ctx);
            } else if let Ok(event) = self.events.try_recv() {
                self.apply(event, ctx);
            } else if let Ok(result) = self.photo_results.try_recv() {
                self.take_photo(result, ctx);
            } else if let Ok(result) = self.label_results.try_recv() {
                self.take_label(result, ctx);
            } else if let Ok(event) = self.hot_folder_events.try_recv() {
                match event {
                    HotFolderEvent::Arrived { path, .. } => self.add_photo(path, ctx),
                    HotFolderEvent::Trouble(message) => {
                        self.notices.push(Level::Warning, format!("hot folder: {message}"))
                    }
                }
            } else if let Ok(answer) = self.listings.try_recv() {
                if let Some(picker) = self.picker.as_mut() {
                    picker.listed(answer);
                }
            } else if let Ok(answer) = self.webcam_answers.try_recv() {
                self.take_webcam_answer(answer, ctx);
            } else if let Ok(answer) = self.pin_answers.try_recv() {
                self.pin_answer(answer, ctx);
            } else if let Ok(event) = self.feed_events.try_recv() {
                self.take_news(event, ctx);
            } else if let Ok(answer) = self.file_answers.try_recv() {
                match answer {
                    FileAnswer::HotFolder(Ok(watch)) => self.hot_folder = Some(watch),
                    FileAnswer::HotFolder(Err(problem)) => self.notices.push(Level::Error, problem.to_string()),
                    FileAnswer::Packet { prefix, result } => self.packet_written(prefix, result, ctx),
                    FileAnswer::Exported(result) => self.export_written(result, ctx),
                    FileAnswer::Anchored(Ok(_)) => {}
                    FileAnswer::Anchored(Err(problem)) => self.notices.push(Level::Warning, problem),
                    FileAnswer::Kept(result) => self.kept_read(result),
                }
            } else {
                break;
            }
        }
        self.read_news(ctx);
        self.resend_kept(ctx);
        self.journal_kept();
        self.log_bad_banner();
    }

    /// Writes a banner that says something went wrong to the log, once (notices log themselves).
    fn log_bad_banner(&mut self) {
        let bad = self.banner.as_ref().filter(|(good, _)| !good).map(|(_, text)| text);
        if self.logged_banner.as_ref() != bad {
            if let Some(text) = bad {
                crate::log::shown_to_clerk(text);
            }
            self.logged_banner = bad.cloned();
        }
    }

    pub(super) fn apply(&mut self, event: AppEvent, ctx: &egui::Context) {
        match event {
            AppEvent::Counts(Ok(counts)) => {
                self.database = DatabaseView::Ready { path: self.database_name.clone(), counts };
            }
            AppEvent::Counts(Err(problem)) => self.notices.push(Level::Error, problem.to_string()),
            AppEvent::DemoLoaded(result) => {
                self.demo_loading = false;
                if let Err(problem) = result {
                    self.notices.push(Level::Error, problem.to_string());
                }
                self.refresh_counts(ctx);
                self.refresh_operators(ctx);
            }
            AppEvent::Operators(Ok(operators)) => {
                self.sign_in.has_operators = Some(!operators.is_empty());
                let demo =
                    crate::demo::DEMO_OPERATORS.iter().all(|(name, ..)| operators.iter().any(|(n, ..)| n == name));
                self.sign_in.demo_hint = demo.then(crate::demo::operators_hint);
                self.operators = operators;
            }
            AppEvent::Operators(Err(problem)) => self.notices.push(Level::Error, problem.to_string()),
            AppEvent::Candidates { purpose, pin, result } => self.candidates_read(purpose, pin, result),
            AppEvent::FirstSupervisor(result) => {
                self.sign_in.busy = false;
                match result {
                    Ok(signed) => self.signed_in(signed, ctx),
                    Err(problem) => self.sign_in.message = Some(problem.to_string()),
                }
            }
            AppEvent::SignedIn(result) => {
                self.sign_in.busy = false;
                match result {
                    Ok(signed) => self.signed_in(signed, ctx),
                    Err(problem) => self.sign_in.message = Some(problem.to_string()),
                }
            }
            AppEvent::Matched { scan, code, kind: _, found: Err(problem) } if self.away_in(&problem) => {
                self.keep_scan(scan, code);
            }
            AppEvent::Matched { scan, code, kind, found } => {
                if let Some(record) = self.recent.iter_mut().find(|r| r.seq == scan) {
                    record.row.outcome = match &found {
                        Ok((found, _)) => ScanOutcome::of(found),
                        Err(problem) => ScanOutcome::Failed(problem.to_string()),
                    };
                }
                // Only the latest package scan opens a card: an older answer arriving late must not
                // replace what the clerk is looking at.
                if scan + 1 == self.next_scan
                    && let Ok((found, earlier)) = found
                {
                    self.pending = self.card_for(code, kind, found, &earlier);
                }
            }
            AppEvent::Searched { code, kind, found } => match found {
                Ok(options) if !options.is_empty() => {
                    self.pending = self.card_for(code, kind, IntakeMatch::Rmas(options), &[]);
                }
                Ok(_) => self.banner = Some((false, "the search found no RMA".to_owned())),
                Err(problem) => self.banner = Some((false, problem.to_string())),
            },
            AppEvent::Opened(result) => match result {
                Ok(received) => {
                    let Received { package, sheet } = *received;
                    let words = match package.claim {
                        Claim::Quarantined => "is in quarantine",
                        _ => "received",
                    };
                    self.banner = Some((true, format!("{} {words}", package.claim.number(package.package_id))));
                    self.put_on_bench(package, sheet, Vec::new(), ctx);
                }
                Err(message) => self.banner = Some((false, format!("the package was not received: {message}"))),
            },
            AppEvent::Reopened { package_id, result } => match result {
                Ok(reopened) => {
                    self.records_form.reopen_reason.clear();
                    self.banner = Some((
                        true,
                        format!(
                            "package #{package_id} reopened: decision {} withdrawn with {} queue item(s) nobody had \
                             exported; {} stood (paid or exported) and its next decision is queued as the difference",
                            reopened.decision_id,
                            reopened.withdrawn.len(),
                            reopened.standing.len()
                        ),
                    ));
                    self.records_command(RecordsCommand::Open(package_id), ctx);
                    self.open_package(package_id, ctx);
                }
                Err(problem) => self.records.message = Some(problem.to_string()),
            },
            AppEvent::HeadToAnchor(Ok(head)) => {
                let since = self.now().start_of_today();
                let work = FileWork::Anchor { head, folder: exports_path(&self.data_dir), stamp: self.stamp(), since };
                if let Some(files) = &self.files {
                    let _ = files.submit(work);
                }
            }
            AppEvent::HeadToAnchor(Err(problem)) => self.notices.push(Level::Warning, problem.to_string()),
            AppEvent::ShowRecord(package_id) => {
                self.screen = Screen::Records;
                self.records_command(RecordsCommand::Open(package_id), ctx);
            }
            AppEvent::Resumed(result) => match result {
                Ok(resumed) => {
                    let Resumed { package, sheet, photos } = *resumed;
                    let number = package.claim.number(package.package_id);
                    self.banner =
                        Some((true, format!("{number}: package #{} resumed as it was saved", package.package_id)));
                    let tiles = photos
                        .into_iter()
                        .map(|photo| PhotoTile {
                            sha256: photo.sha256,
                            checkpoint: photo.checkpoint,
                            item: photo.item_position.and_then(|p| usize::try_from(p).ok()),
                            thumbnail: None,
                        })
                        .collect();
                    self.put_on_bench(package, sheet, tiles, ctx);
                }
                Err(message) => self.banner = Some((false, format!("the package was not opened: {message}"))),
            },
            AppEvent::Today(Ok(packages)) => self.today = packages,
            AppEvent::Waiting(Ok(packages)) => {
                let mine = packages.iter().find(|package| package.station == self.station).map(|package| package.id);
                self.waiting = packages;
                if std::mem::take(&mut self.resume_on_start)
                    && self.bench.is_none()
                    && let Some(package_id) = mine
                {
                    self.open_package(package_id, ctx);
                }
            }
            AppEvent::Waiting(Err(problem)) => self.notices.push(Level::Error, problem.to_string()),
            AppEvent::InspectionSaved(Err(problem)) if self.away_in(&problem) => {
                // Kept on the bench: sent again when the database is back.
                if let Some(bench) = self.bench.as_mut() {
                    bench.unsent = true;
                }
            }
            AppEvent::LeaseRenewed(Err(problem)) if self.away_in(&problem) => {}
            AppEvent::Today(Err(problem)) | AppEvent::InspectionSaved(Err(problem)) => {
                self.notices.push(Level::Error, problem.to_string())
            }
            AppEvent::InspectionSaved(Ok(())) | AppEvent::LeaseRenewed(Ok(())) => {}
            AppEvent::LeaseRenewed(Err(problem)) => {
                self.notices.push(Level::Error, format!("this package is no longer open on this bench: {problem}"));
            }
            AppEvent::Decided { number, currency, result } => match result {
                Ok(confirmed) => {
                    let summary = decided_summary(&number, &currency, &confirmed);
                    if let Some(bench) = &self.bench {
                        self.request_labels(bench.package.package_id, number, ctx);
                    }
                    // Only on a station whose daily view is in use: the count holds the storage thread for tens
                    // of milliseconds on a large database (BENCHMARKS.md), and the view is counted again on open.
                    if self.dashboard.view.is_some() {
                        self.refresh_dashboard(ctx);
                    }
                    self.bench = None;
                    self.override_form = OverrideForm::default();
                    // The packet is written after the decision, off the storage thread: the next scan's
                    // lookup does not wait for it. Its words join the banner when it is written.
                    if confirmed.packet_due {
                        self.write_packet(confirmed.decision_id, Some(summary.clone()), ctx);
                    }
                    self.banner = Some((true, summary));
                    self.last_decided = Some(confirmed.decision_id);
                    self.screen = Screen::Intake;
                    self.refresh_today(ctx);
                }
                Err(message) => {
                    if let Some(bench) = self.bench.as_mut() {
                        bench.saving = false;
                        bench.message = Some(format!("not saved: {message}"));
                    }
                }
            },
            AppEvent::ExportClaimed(result) => self.export_claimed(result),
            AppEvent::PacketRecord { prefix, result } => self.packet_record_read(prefix, result),
            AppEvent::EvidenceWritten { prefix, result } => match (prefix, result) {
                // Still the banner of the decision it belongs to: the packet's words join it.
                (Some(summary), Ok(words)) => {
                    if self.banner.as_ref().is_some_and(|(_, shown)| *shown == summary) {
                        self.banner = Some((true, format!("{summary}; {words}")));
                    }
                }
                (None, Ok(words)) => self.banner = Some((true, words)),
                (prefix, Err(problem)) => self.packet_failed(prefix, problem.to_string()),
            },
            AppEvent::OverrideRefused(message) => {
                if let Some(bench) = self.bench.as_mut() {
                    bench.saving = false;
                    bench.message = Some(format!("override refused: {message}"));
                }
            }
            AppEvent::Queue { tab, counts, rows } => {
                self.queues.loading = false;
                match counts {
                    Ok((counts, quarantined)) => {
                        self.queues.counts = counts;
                        self.queues.quarantined = quarantined;
                    }
                    Err(problem) => self.queues.message = Some((false, problem.to_string())),
                }
                if tab == self.queues.tab {
                    match rows {
                        Ok(QueueRows::Work(rows, batches)) => {
                            self.queues.rows = rows;
                            self.queues.batches = batches;
                        }
                        Ok(QueueRows::Quarantine(packages)) => self.queues.quarantine = packages,
                        Err(problem) => self.queues.message = Some((false, problem.to_string())),
                    }
                }
            }
            AppEvent::QueueChanged(result) => {
                self.queues.message = Some(match result {
                    Ok(message) => (true, message),
                    Err(problem) => (false, problem.to_string()),
                });
                self.refresh_queue(ctx);
            }
            AppEvent::Found(result) => {
                self.records.searching = false;
                match result {
                    Ok(results) => {
                        self.records.message = results.is_empty().then(|| "nothing found".to_owned());
                        if let [only] = results.as_slice() {
                            let id = only.id;
                            self.records_command(RecordsCommand::Open(id), ctx);
                        }
                        self.records.results = results;
                    }
                    Err(problem) => self.records.message = Some(problem.to_string()),
                }
            }
            AppEvent::History(result) => match result {
                Ok(history) => {
                    self.records_label = self.label_panel_of(&history);
                    self.records.history = Some(history);
                }
                Err(problem) => self.records.message = Some(problem.to_string()),
            },
            AppEvent::OperatorAdded(result) => {
                self.settings_message = Some(match result {
                    Ok(message) => (true, message),
                    Err(problem) => (false, problem.to_string()),
                });
                self.refresh_operators(ctx);
            }
            AppEvent::PhotoRecorded { inspection_id, tile, result } => {
                let Some(bench) = self.bench.as_mut().filter(|b| b.package.inspection_id == inspection_id) else {
                    return;
                };
                match result {
                    Ok(()) => {
                        if bench.photos.iter().any(|p| p.sha256 == tile.sha256 && p.checkpoint == tile.checkpoint) {
                            return;
                        }
                        bench.photos.push(PhotoTile {
                            thumbnail: Some(texture(ctx, &tile.sha256, "thumbnail", &tile.thumbnail)),
                            sha256: tile.sha256,
                            checkpoint: tile.checkpoint,
                            item: tile.item,
                        });
                    }
                    Err(message) => {
                        self.notices.push(Level::Error, format!("photo stored but not recorded: {message}"))
                    }
                }
            }
            AppEvent::BinLabels { title, result } => {
                let panel = match result {
                    Ok(labels) => self.show_labels(LabelPlace::Intake, title, labels),
                    Err(problem) => {
                        LabelPanel { title, message: Some((false, problem.to_string())), ..LabelPanel::default() }
                    }
                };
                self.intake_label = Some(panel);
            }
            AppEvent::Printer { saved, result } => match result {
                Ok(printer) => {
                    if saved {
                        let words = printer.as_ref().map_or("no label printer".to_owned(), |p| format!("the {p}"));
                        self.printer.message = Some((true, format!("bin labels now print on {words}")));
                    }
                    self.printer_form = PrinterForm::of(printer.as_ref());
                    self.printer.saved = Some(printer);
                }
                Err(problem) => self.printer.message = Some((false, problem.to_string())),
            },
            AppEvent::Dashboard(result) => {
                self.dashboard.loading = false;
                match result {
                    Ok(dashboard) => {
                        let merchant = |id: &str| {
                            self.policies.get(id).map_or_else(
                                || (id.to_owned(), String::new()),
                                |l| (l.policy.merchant.name.clone(), l.policy.merchant.currency.clone()),
                            )
                        };
                        self.dashboard.view = Some(DashboardView::of(&dashboard, merchant));
                        self.dashboard.message = None;
                    }
                    Err(problem) => self.dashboard.message = Some(problem.to_string()),
                }
            }
        }
    }

    /// Puts a package on the bench with its sheet (and the photos taken of it) and opens its inspection.
    fn put_on_bench(
        &mut self,
        package: BenchPackage,
        sheet: InspectionSheet,
        photos: Vec<PhotoTile>,
        ctx: &egui::Context,
    ) {
        let checkpoint =
            if matches!(package.claim, Claim::Quarantined) { Checkpoint::ShippingLabel } else { Checkpoint::Contents };
        // The sheet this bench kept while its database was away, unsaved when it was closed: back on its package,
        // and sent (`unsent`).
        let kept = self.restored_sheet.take_if(|kept| kept.inspection_id == package.inspection_id);
        let unsent = kept.is_some();
        let on_screen = kept.map_or_else(|| sheet.clone(), |kept| kept.sheet);
        self.bench = Some(OpenPackage {
            package,
            saved_sheet: sheet,
            changed_at: None,
            renewed_at: Instant::now(),
            unsent,
            sheet: on_screen,
            selected: 0,
            checkpoint,
            photos,
            photos_pending: 0,
            decided: None,
            saving: false,
            message: None,
        });
        self.inspection_form = InspectionForm::default();
        // The last package's label belongs to it, not to the one now on the bench.
        self.intake_label = None;
        self.screen = Screen::Inspection;
        self.refresh_today(ctx);
        self.find_webcams();
    }

    /// The card a finished lookup shows.
    pub(super) fn card_for(
        &self,
        code: String,
        kind: String,
        found: IntakeMatch,
        earlier: &[PackageHistory],
    ) -> Option<PendingMatch> {
        let card = match &found {
            IntakeMatch::Rmas(options) => {
                let items = match options.as_slice() {
                    [only] => {
                        only.order.record.lines.iter().map(|l| format!("{} × {} — {}", l.qty, l.sku, l.name)).collect()
                    }
                    _ => Vec::new(),
                };
                MatchCard::Rmas {
                    code,
                    options: options.iter().map(rma_line).collect(),
                    items,
                    earlier: earlier.iter().map(crate::gui::intake::earlier_words).collect(),
                    open_package: earlier.last().map(|history| history.package.id),
                }
            }
            IntakeMatch::Orders(orders) => {
                let order = orders.first()?;
                let policy = self.policies.get(&order.record.merchant).map_or_else(String::new, |loaded| {
                    let auth = &loaded.policy.authorization;
                    format!("{}: {}", auth.clause.id, auth.clause.text)
                });
                MatchCard::NoRma { code, order: format!("order {}", order.record.number), policy }
            }
            IntakeMatch::Nothing => MatchCard::NoMatch { code },
            IntakeMatch::ItemCode => return None,
        };
        let (options, order) = match found {
            IntakeMatch::Rmas(options) => (options, None),
            IntakeMatch::Orders(mut orders) => (Vec::new(), Some(orders.swap_remove(0))),
            _ => (Vec::new(), None),
        };
        Some(PendingMatch { card, kind, options, order })
    }
}
