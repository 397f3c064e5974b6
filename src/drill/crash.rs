//! The crash drill: start a worker, kill it at a random moment (SIGKILL; `TerminateProcess` on Windows),
//! check, start it again.
//!
//! Each run starts `drill worker` on the same data folder and kills it after a seeded random delay
//! (the seed is printed, so a run's choices can be repeated; the moments a kill lands cannot, they
//! depend on the machine). The data folder is then [`check`]ed against the changes this run reported
//! committed. Every few runs a backup is taken while the worker writes; after the kill it is restored
//! into a folder of its own and checked the same way, against the changes reported before the backup
//! began. At the end every change reported committed in any run is checked once more. A long drill
//! starts a new data folder every so many runs, so that checking stays as quick as killing.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::check::{Findings, check_file};
use super::{Committed, DrillError, DrillRng, Report, RunningWorker, Step, committed, prepare};
use crate::policies::PolicySet;
use crate::storage::sqlite::SqliteStore;
use crate::storage::{Store as _, database_path, photos_path};

/// One kill in this many comes at a random moment of the worker's start rather than of its work.
const STARTING_ONE_IN: u64 = 8;

/// How a crash drill runs.
#[derive(Debug, Clone)]
pub struct CrashDrill {
    /// The station binary whose hidden `drill worker` the drill starts.
    pub binary: PathBuf,
    /// The drill's data folder (the demo data are loaded into it first).
    pub data_dir: PathBuf,
    pub kills: u64,
    pub seed: u64,
    /// A kill comes at a random moment up to this long after the worker is ready (or, one in eight, after
    /// it was started).
    pub max_delay: Duration,
    /// Every this many runs, a backup is taken while the worker writes, then restored and checked (0: never).
    pub backup_every: u64,
    /// Every this many runs, a new data folder (0: one folder throughout). Each run's check reads the whole
    /// database, so a long drill in one folder would spend its time checking rather than killing.
    pub fresh_every: u64,
    /// The time the demo data are dated by.
    pub clock: crate::clock::Clock,
}

/// What a crash drill did and found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrashReport {
    pub seed: u64,
    pub kills: u64,
    /// Changes reported committed, by step.
    pub committed: BTreeMap<Step, u64>,
    /// Where the kills landed: in a step (begun, not reported committed), `between steps`, or `starting`
    /// (before the store was open).
    pub landed: BTreeMap<String, u64>,
    /// Changes reported committed and then not found whole: must be 0.
    pub lost: u64,
    /// Runs killed mid-inspection (a sheet saved, no decision) whose package was resumed with its sheet whole.
    pub resumed: u64,
    /// Backups taken while a worker wrote, restored and checked.
    pub backups_restored: u64,
    /// Everything wrong, in words; empty when the drill passed.
    pub problems: Vec<String>,
    /// At the end of each folder: photo records checked against their files, and temporary files kills left
    /// behind (summed over the folders).
    pub photos_checked: u64,
    pub leftover_temporary_files: u64,
    pub elapsed: Duration,
}

impl CrashReport {
    pub fn passed(&self) -> bool {
        self.lost == 0 && self.problems.is_empty()
    }
}

/// Runs the drill; `progress` hears the report after each kill.
pub fn run(
    drill: &CrashDrill,
    policies: &PolicySet,
    progress: &mut dyn FnMut(&CrashReport),
) -> Result<CrashReport, DrillError> {
    let started = Instant::now();
    let mut rng = DrillRng::new(drill.seed);
    let mut report = CrashReport { seed: drill.seed, ..CrashReport::default() };
    let mut everything = Vec::new();
    let max_delay_ms = drill.max_delay.as_millis() as u64;
    let folder_of = |run: u64| match drill.fresh_every {
        0 => drill.data_dir.clone(),
        every => drill.data_dir.join(format!("folder-{}", (run - 1) / every + 1)),
    };
    let mut folder = folder_of(1);
    prepare(&folder, policies, &drill.clock.now())?;

    for run in 1..=drill.kills {
        if folder_of(run) != folder {
            finish_folder(&mut report, &folder, policies, &everything, true)?;
            everything.clear();
            folder = folder_of(run);
            prepare(&folder, policies, &drill.clock.now())?;
        }
        let database = database_path(&folder);
        let photos = photos_path(&folder);
        let backups = folder.join("drill-backups");
        let delay = Duration::from_millis(rng.below(max_delay_ms + 1));
        let worker_seed = drill.seed.wrapping_add(run);
        let mut worker = RunningWorker::spawn(&drill.binary, &folder, None, "drill", worker_seed, None)?;
        // One kill in eight comes while the worker starts (opening the store, recovering its log); the
        // others come after it is ready, so that they land in the save path itself.
        let starting = rng.below(STARTING_ONE_IN) == 0;
        if !starting {
            worker.wait_ready();
        }
        let backup = !starting && drill.backup_every > 0 && run.is_multiple_of(drill.backup_every);
        let mut taken = None;
        if backup {
            std::thread::sleep(delay / 2);
            // Everything heard before the backup begins is committed, so the backup must hold it.
            let heard = worker.heard();
            let copy = backups.join(format!("backup-{run}.sqlite3"));
            std::fs::create_dir_all(&backups)
                .map_err(|e| DrillError::Folder { path: backups.clone(), what: e.to_string() })?;
            let store = SqliteStore::open(&database, policies)?;
            match store.backup_to(&copy) {
                Ok(_) => taken = Some((copy, heard)),
                Err(e) => report.problems.push(format!("run {run}: the backup taken while the worker wrote: {e}")),
            }
            std::thread::sleep(delay / 2);
        } else {
            std::thread::sleep(delay);
        }
        let ended = worker.kill()?;
        if let Some(failure) = ended.failure {
            report.problems.push(format!("run {run}: the worker stopped by itself ({failure})"));
        } else if !ended.killed {
            report.problems.push(format!("run {run}: the worker ended before the kill"));
        }
        *report.landed.entry(landing(&ended.reports)).or_default() += 1;
        let changes = committed(&ended.reports);
        for change in &changes {
            *report.committed.entry(change.step()).or_default() += 1;
        }
        let findings = check_file(&database, &photos, policies, &changes)?;
        report.resumed += findings.resumed;
        note(&mut report, &format!("run {run}"), findings);
        if let Some((copy, heard)) = taken {
            let before = committed(&ended.reports[..heard.min(ended.reports.len())]);
            restore_and_check(&mut report, run, &copy, &photos, policies, &before)?;
        }
        everything.extend(changes);
        report.kills = run;
        report.elapsed = started.elapsed();
        progress(&report);
    }
    finish_folder(&mut report, &folder, policies, &everything, drill.fresh_every > 0)?;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Checks every change reported committed in a folder once more, at its end; a folder that passed is
/// removed when `remove` says it is one of the drill's own (a long drill would fill the disk).
fn finish_folder(
    report: &mut CrashReport,
    folder: &std::path::Path,
    policies: &PolicySet,
    everything: &[Committed],
    remove: bool,
) -> Result<(), DrillError> {
    let last = check_file(&database_path(folder), &photos_path(folder), policies, everything)?;
    report.photos_checked += last.photos_checked;
    report.leftover_temporary_files += last.leftover_temporary_files;
    let sound = last.problems.is_empty() && last.lost == 0;
    note(report, &format!("at the end of {}", folder.display()), last);
    if remove && sound && report.problems.is_empty() {
        let _ = std::fs::remove_dir_all(folder);
    }
    Ok(())
}

/// Adds a check's findings to the report.
fn note(report: &mut CrashReport, when: &str, findings: Findings) {
    report.lost += findings.lost;
    report.problems.extend(findings.problems.into_iter().map(|p| format!("{when}: {p}")));
}

/// Restores a backup into a folder of its own and checks it against the changes it must hold; the
/// folder is removed again when all is well.
fn restore_and_check(
    report: &mut CrashReport,
    run: u64,
    copy: &std::path::Path,
    photos: &std::path::Path,
    policies: &PolicySet,
    before: &[Committed],
) -> Result<(), DrillError> {
    let restored = copy.with_extension("restored");
    let database = database_path(&restored);
    match crate::storage::restore::restore(copy, &database) {
        Ok(_) => {
            let findings = check_file(&database, photos, policies, before)?;
            let sound = findings.problems.is_empty();
            note(report, &format!("run {run}, restored backup"), findings);
            report.backups_restored += 1;
            if sound {
                let _ = std::fs::remove_dir_all(&restored);
                let _ = std::fs::remove_file(copy);
            }
        }
        Err(e) => report.problems.push(format!("run {run}: the backup taken while the worker wrote: {e}")),
    }
    Ok(())
}

/// Where a kill landed, from what the worker said before it.
pub(super) fn landing(reports: &[Report]) -> String {
    match reports.last() {
        None => "starting".to_owned(),
        Some(Report::Begin(step)) => step.as_str().to_owned(),
        Some(Report::Refused) => Step::Decision.as_str().to_owned(),
        Some(Report::Ready | Report::Committed(_) | Report::Reconnected) => "between steps".to_owned(),
    }
}
