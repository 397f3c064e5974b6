//! What the screens show, read from the app's state: one plain view-model per screen (tested as data),
//! and the few accessors tests and benches use to see where the bench stands.

use super::*;

impl StationApp {
    pub fn screen(&self) -> Screen {
        self.screen
    }

    /// The signed-in operator.
    pub fn operator(&self) -> Option<&SignedIn> {
        self.session.as_ref()
    }

    /// Whether a supervisor is signed in: the screens show a supervisor's buttons only then (the use
    /// cases check the role themselves).
    pub fn is_supervisor(&self) -> bool {
        self.session.as_ref().is_some_and(|s| s.role == Role::Supervisor)
    }

    pub fn station_view(&self) -> StationView {
        StationView {
            merchants: self.merchants.clone(),
            database: self.database.clone(),
            demo_loading: self.demo_loading,
        }
    }

    pub fn sign_in_view(&self) -> SignInView {
        self.sign_in.clone()
    }

    pub fn intake_view(&self) -> IntakeView {
        IntakeView {
            scanners: self.scanners.clone(),
            recent: self.recent.iter().map(|r| r.row.clone()).collect(),
            card: self.pending.as_ref().map(|p| p.card.clone()),
            today: self.today.clone(),
            // The package on the bench is being worked on, not waiting (F2 goes back to it).
            waiting: self.waiting.iter().filter(|p| Some(p.id) != self.package_on_bench()).cloned().collect(),
        }
    }

    /// The open package's inspection, if one is open.
    pub fn inspection_view(&self) -> Option<InspectionView> {
        let bench = self.bench.as_ref()?;
        let taken: Vec<Checkpoint> = bench.photos.iter().map(|p| p.checkpoint).collect();
        let checkpoints = match &bench.package.claim {
            Claim::Rma(found) => self
                .policies
                .get(&found.rma.record.merchant)
                .map(|loaded| {
                    bench
                        .sheet
                        .checkpoints(&loaded.policy, found.rma.record.kind, &taken)
                        .into_iter()
                        .map(|(rule, taken)| CheckpointLine {
                            checkpoint: rule.checkpoint,
                            clause: rule.clause.id.clone(),
                            words: rule.clause.text.clone(),
                            taken,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            Claim::OrderOnly(_) | Claim::Quarantined => Vec::new(),
        };
        Some(InspectionView {
            title: claim_title(&bench.package.claim, bench.package.package_id),
            checkpoints,
            photos: bench.photos.clone(),
            selected: bench.selected,
            checkpoint: bench.checkpoint,
            photos_pending: bench.photos_pending,
            saving: bench.saving,
            photos_only: matches!(bench.package.claim, Claim::Quarantined),
            webcam: self.webcam_line(),
        })
    }

    /// The webcam's line on the photo panel.
    pub(super) fn webcam_line(&self) -> WebcamLine {
        match &self.webcams {
            None => WebcamLine::Looking,
            Some(Webcams::Found(cameras)) => WebcamLine::Cameras {
                names: cameras.iter().map(|c| format!("{} ({})", c.name, c.node.display())).collect(),
                chosen: self.camera,
                capturing: self.capturing.is_some(),
            },
            Some(other) => WebcamLine::Unavailable(other.words()),
        }
    }

    /// The photo picker, if it is open.
    pub fn picker(&self) -> Option<&Picker> {
        self.picker.as_ref()
    }

    /// The photo opened in full, if any.
    pub fn preview(&self) -> Option<&PhotoPreview> {
        self.preview.as_ref()
    }

    /// The id of the package on the bench, if one is open.
    pub fn package_on_bench(&self) -> Option<i64> {
        self.bench.as_ref().map(|b| b.package.package_id)
    }

    /// The sheet being filled in, if a package is open.
    pub fn sheet(&self) -> Option<&InspectionSheet> {
        self.bench.as_ref().map(|b| &b.sheet)
    }

    /// The decision on screen, if the clerk has asked for one.
    pub fn decision_view(&self) -> Option<DecisionView> {
        let bench = self.bench.as_ref()?;
        let decided = bench.decided.as_ref()?;
        let currency = bench.package.claim.order().map_or("", |order| order.record.currency.as_str());
        let mut view = DecisionView::of(
            claim_title(&bench.package.claim, bench.package.package_id),
            &decided.decision,
            &bench.sheet,
            currency,
            &decided.entries,
        );
        view.saving = bench.saving;
        view.message = bench.message.clone();
        Some(view)
    }

    pub fn queues_view(&self) -> &QueuesView {
        &self.queues
    }

    pub fn records_view(&self) -> &RecordsView {
        &self.records
    }

    pub fn settings_view(&self) -> SettingsView {
        SettingsView {
            station: self.station.clone(),
            data_folder: self.data_dir.display().to_string(),
            hot_folder: self.hot_folder_path.as_ref().map(|p| p.display().to_string()),
            scanners: self.scanners.clone(),
            operators: self.operators.clone(),
            supervisor: self.is_supervisor(),
            merchants: self
                .policies
                .iter()
                .map(|loaded| {
                    (loaded.policy.merchant.name.clone(), crate::domain::policy::words::describe(&loaded.policy))
                })
                .collect(),
            message: self.settings_message.clone(),
        }
    }

    /// The label panel beside intake (the last decided package) or beside records (the open record).
    pub fn label_panel(&self, screen: Screen) -> Option<&LabelPanel> {
        match screen {
            Screen::Intake => self.intake_label.as_ref(),
            Screen::Records => self.records_label.as_ref(),
            _ => None,
        }
    }

    pub fn printer_view(&self) -> &PrinterView {
        &self.printer
    }

    pub fn dashboard_state(&self) -> &DashboardState {
        &self.dashboard
    }

    /// The last outcome shown under the scan field.
    /// Whether the database answers, as this bench last heard.
    pub fn reach(&self) -> &crate::gui::status::Reach {
        &self.reach
    }

    pub fn banner(&self) -> Option<&(bool, String)> {
        self.banner.as_ref()
    }

    /// The newest notice's words.
    pub fn notice(&self) -> Option<&str> {
        self.notices.latest().map(|notice| notice.text.as_str())
    }

    /// Every notice not yet dismissed, oldest first.
    pub fn notices(&self) -> &Notices {
        &self.notices
    }
}
