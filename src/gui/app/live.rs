//! `live`: what the `changes` thread tells (issue 16). Another bench's change reads again what this bench
//! shows; the database away puts a banner over every screen, keeps scans and sheet edits here and holds
//! decisions back; the database back sends what was kept, in order, and reads everything shown again.

use super::*;
use crate::gui::status::Reach;
use crate::storage::StoreError;
use crate::storage::changes::FeedEvent;

/// How soon work refused for the database's absence is sent again, when the `changes` thread says it answers
/// (the storage thread's own connection may still be the lost one, and connects again at its next request).
const RESEND_AFTER: Duration = Duration::from_secs(1);

/// The least time between two readings of the screen for other benches' news: a burst of changes (an
/// import, a batch) is one reading, and news is still shown well within a second.
const NEWS_EVERY: Duration = Duration::from_millis(250);

impl StationApp {
    pub(super) fn take_news(&mut self, event: FeedEvent, ctx: &egui::Context) {
        match event {
            FeedEvent::Changed { recorded, leases } => {
                let ours = self.bench.as_ref().map(|bench| bench.package.package_id);
                // Another bench touching the package on this one (a take-over, a decision): the lease is
                // renewed at once, so that a package taken over says so now rather than at the next renewal.
                let touched = ours.is_some_and(|id| {
                    leases.contains(&id)
                        || recorded.iter().any(|r| {
                            r.station != self.station && r.entity == "package" && r.entity_id == id.to_string()
                        })
                });
                if touched {
                    self.lease_due_now();
                }
                self.news_since.get_or_insert_with(Instant::now);
            }
            FeedEvent::Resync => {
                self.news_since.get_or_insert_with(Instant::now);
            }
            FeedEvent::Away { why } => self.database_away(why),
            FeedEvent::Connected => {
                if let Reach::Away { since, .. } = std::mem::take(&mut self.reach) {
                    tracing::info!(since, "the database answers again: sending what was kept");
                    self.banner = Some((true, format!("the database is back (it was away since {since})")));
                    self.send_kept(ctx);
                    self.refresh_counts(ctx);
                    self.news_since.get_or_insert_with(Instant::now);
                }
            }
        }
    }

    /// The database cannot be reached: said once, over every screen, until it is back.
    fn database_away(&mut self, why: String) {
        if self.reach == Reach::Connected {
            let since = self.now().at.with_timezone(&self.now().offset).format("%H:%M:%S").to_string();
            crate::log::shown_to_clerk(&crate::gui::status::away_banner(&since));
            self.reach = Reach::Away { since, why };
        }
    }

    pub(super) fn database_is_away(&self) -> bool {
        self.reach != Reach::Connected
    }

    /// Whether a worker's failure was the database's absence: then what it was for is kept, and sent again
    /// shortly (whether the database is away is the `changes` thread's to say).
    pub(super) fn away_in(&mut self, problem: &Problem) -> bool {
        let away = matches!(
            problem,
            Problem::Store(StoreError::ServerAway { .. })
                | Problem::Bench(BenchError::Store(StoreError::ServerAway { .. }))
        );
        if away {
            self.resend_at.get_or_insert_with(|| Instant::now() + RESEND_AFTER);
        }
        away
    }

    /// Sends again what was kept, once the database answers and [`RESEND_AFTER`] has passed.
    pub(super) fn resend_kept(&mut self, ctx: &egui::Context) {
        let Some(at) = self.resend_at else { return };
        if self.database_is_away() {
            return;
        }
        let now = Instant::now();
        if now < at {
            ctx.request_repaint_after(at - now);
            return;
        }
        self.resend_at = None;
        self.send_kept(ctx);
    }

    /// Reads again what the screen shows, when other benches changed something and the last reading is
    /// [`NEWS_EVERY`] old.
    pub(super) fn read_news(&mut self, ctx: &egui::Context) {
        let Some(since) = self.news_since else { return };
        if self.session.is_none() || self.database_is_away() {
            return;
        }
        let waited = since.elapsed();
        if waited < NEWS_EVERY {
            ctx.request_repaint_after(NEWS_EVERY - waited);
            return;
        }
        self.news_since = None;
        match self.screen {
            Screen::Intake => {
                self.refresh_today(ctx);
                // The card of the latest scan is looked up again: another bench may have received its RMA.
                if self.pending.is_some()
                    && let Some((seq, code)) = self.last_lookup.clone()
                    && seq + 1 == self.next_scan
                {
                    self.look_up_again(seq, code, ctx);
                }
            }
            Screen::Queues => self.refresh_queue(ctx),
            Screen::Dashboard => self.refresh_dashboard(ctx),
            Screen::Settings => self.refresh_operators(ctx),
            Screen::Records => {
                if let Some(id) = self.records.history.as_ref().map(|history| history.package.id) {
                    self.records_command(RecordsCommand::Open(id), ctx);
                }
            }
            Screen::Inspection | Screen::Decision | Screen::SignIn => {}
        }
    }

    /// What a close now would lose while the database is away: the close dialog's words.
    pub(super) fn kept_only_here(&self) -> String {
        let mut kept = Vec::new();
        if let Some(bench) = &self.bench
            && (bench.unsent || bench.sheet != bench.saved_sheet)
        {
            let id = bench.package.package_id;
            kept.push(format!("the latest edits of {} (package #{id})", bench.package.claim.number(id)));
        }
        if !self.kept_scans.is_empty() {
            kept.push(format!("{} scan(s) not yet looked up", self.kept_scans.len()));
        }
        if kept.is_empty() {
            return "The database is away, but everything on this bench was saved before it went: the station \
                    opens where you left it when it starts again."
                .to_owned();
        }
        format!(
            "The database is away: {} are kept on this bench, in its data folder, until it is back. Keep working \
             and they are sent by themselves; close now and they are sent when the station next starts with the \
             database there.",
            kept.join(" and ")
        )
    }

    /// A scan kept while the database is away, in the order scanned.
    pub(super) fn keep_scan(&mut self, seq: u64, code: String) {
        if let Some(record) = self.recent.iter_mut().find(|r| r.seq == seq) {
            record.row.outcome = ScanOutcome::Kept;
        }
        self.kept_scans.push_back((seq, code));
    }

    /// The database is back: the kept scans are looked up in order (the latest opens its card) and the sheet
    /// saved, and the package on the bench is renewed.
    fn send_kept(&mut self, ctx: &egui::Context) {
        while let Some((seq, code)) = self.kept_scans.pop_front() {
            self.look_up_again(seq, code, ctx);
        }
        self.lease_due_now();
        self.autosave(true, ctx);
    }

    /// The work kept on this bench now: the scans not looked up, and the sheet not saved while the database is
    /// away.
    fn kept_now(&self) -> KeptWork {
        let sheet = self
            .bench
            .as_ref()
            .filter(|bench| bench.unsent || (self.database_is_away() && bench.sheet != bench.saved_sheet))
            .map(|bench| KeptSheet { inspection_id: bench.package.inspection_id, sheet: bench.sheet.clone() })
            // A sheet from the last run stays kept until its package is opened.
            .or_else(|| self.restored_sheet.clone());
        KeptWork { scans: self.kept_scans.iter().map(|(_, code)| code.clone()).collect(), sheet }
    }

    /// Keeps the kept work in the data folder whenever it changes (on the `files` thread), and removes the file
    /// once everything is sent: a bench killed while its database is away loses none of it.
    pub(super) fn journal_kept(&mut self) {
        let nothing_kept = self.kept_scans.is_empty()
            && self.restored_sheet.is_none()
            && !self.bench.as_ref().is_some_and(|bench| bench.unsent);
        if nothing_kept && !self.database_is_away() && self.kept_written.is_empty() {
            return;
        }
        let now = self.kept_now();
        if now == self.kept_written {
            return;
        }
        let Some(files) = &self.files else { return };
        let json = (!now.is_empty()).then(|| crate::formats::kept_work::to_json(&now));
        match files.submit(FileWork::Keep { path: kept_work_path(&self.data_dir), json }) {
            Ok(()) => self.kept_written = now,
            Err(e) => self.notices.push(Level::Warning, format!("the work kept on this bench is not in a file: {e}")),
        }
    }

    /// Asks for the work an earlier run of this bench kept (answered by [`StationApp::kept_read`]).
    pub(super) fn read_kept(&mut self) {
        if let Some(files) = &self.files
            && let Err(e) = files.submit(FileWork::ReadKept { path: kept_work_path(&self.data_dir) })
        {
            self.notices.push(Level::Error, format!("the work kept on this bench could not be read: {e}"));
        }
    }

    /// The kept work read at the start (its scans are looked up as soon as the database answers, its sheet put
    /// back on its package when that is opened), or a failure to keep or read it.
    pub(super) fn kept_read(&mut self, result: Result<Option<KeptWork>, String>) {
        match result {
            Ok(Some(work)) => {
                tracing::info!(scans = work.scans.len(), sheet = work.sheet.is_some(), "work kept by the last run");
                for code in &work.scans {
                    let seq = self.next_scan;
                    self.push_row(ScanRow {
                        source: "kept".to_owned(),
                        code: code.clone(),
                        what: "scanned while the database was away".to_owned(),
                        outcome: ScanOutcome::Kept,
                    });
                    self.kept_scans.push_back((seq, code.clone()));
                }
                self.restored_sheet = work.sheet.clone();
                self.kept_written = work;
                self.resend_at = Some(Instant::now());
            }
            Ok(None) => {}
            Err(problem) => self.notices.push(Level::Error, problem),
        }
    }

    /// Makes the lease on the package on the bench due: `keep_lease` renews it at the next frame.
    fn lease_due_now(&mut self) {
        let every = crate::domain::lease::RENEW_EVERY.to_std().unwrap_or_default();
        if let Some(bench) = self.bench.as_mut() {
            bench.renewed_at = Instant::now().checked_sub(every).unwrap_or(bench.renewed_at);
        }
    }

    /// Looks up the scan `seq` again (its row and, if it is the latest, its card are updated).
    fn look_up_again(&mut self, seq: u64, code: String, ctx: &egui::Context) {
        let Some(classifier) = &self.classifier else { return };
        let classification = classifier.classify(&code);
        self.submit_lookup(seq, code, classification, ctx);
    }
}

/// Where a bench keeps the work it keeps while its database is away.
pub fn kept_work_path(data_dir: &Path) -> PathBuf {
    data_dir.join("kept-work.json")
}
