//! The drill commands: `drill crash`, `drill two-stations`, `drill benches`, and the hidden `drill worker`
//! they start.
//!
//! A drill runs in a data folder of its own (a new one under the system's temporary folder, or an
//! empty `--data-dir`), never in a station's: it fills it with the demo data and works it hard. The
//! folder is removed when the drill passes and kept, for a look, when it does not. The figures are the
//! ones RELIABILITY.md records.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{CliError, print};
use crate::clock::Clock;
use crate::drill::benches::{BenchesDrill, BenchesReport};
use crate::drill::crash::{CrashDrill, CrashReport};
use crate::drill::two_stations::{TwoStations, TwoStationsReport};
use crate::drill::worker::WorkerSetup;
use crate::drill::{DrillError, Step};
use crate::policies::PolicySet;
use crate::storage::location::DatabaseLocation;

/// How often the crash drill prints its progress.
const PROGRESS_EVERY: u64 = 100;

/// How often the crash drill takes a backup, and starts a new data folder.
#[derive(Debug, Clone, Copy)]
pub(super) struct Every {
    pub backup: u64,
    pub fresh_folder: u64,
}

/// `drill crash`: kills the save path `kills` times and checks after each.
pub(super) fn crash(
    policies: &PolicySet,
    data_dir: Option<&Path>,
    kills: u64,
    seed: Option<u64>,
    max_delay_ms: u64,
    every: Every,
) -> Result<(), CliError> {
    let seed = seed.unwrap_or_else(fresh_seed);
    let folder = drill_folder(data_dir, "crash", seed)?;
    print(&format!("crash drill: seed {seed}, {kills} kills, data folder {}\n", folder.display()))?;
    let drill = CrashDrill {
        binary: current_binary()?,
        data_dir: folder.clone(),
        kills,
        seed,
        max_delay: Duration::from_millis(max_delay_ms),
        backup_every: every.backup,
        fresh_every: every.fresh_folder,
        clock: Clock::System,
    };
    let mut progress = |report: &CrashReport| {
        if report.kills.is_multiple_of(PROGRESS_EVERY) {
            let committed: u64 = report.committed.values().sum();
            let _ = print(&format!(
                "  {} kills: {committed} changes committed, {} lost, {} problems\n",
                report.kills,
                report.lost,
                report.problems.len()
            ));
        }
    };
    let report = crate::drill::crash::run(&drill, policies, &mut progress)?;
    print(&crash_words(&report))?;
    finish(&folder, report.passed())
}

fn crash_words(report: &CrashReport) -> String {
    let mut out = String::new();
    let landed: Vec<String> = report.landed.iter().map(|(place, n)| format!("{place} {n}")).collect();
    let _ = writeln!(out, "kills landed: {}", landed.join(", "));
    let _ = writeln!(out, "committed: {}", steps(report.committed.iter().map(|(step, n)| (*step, *n))));
    let _ = writeln!(out, "backups taken while the worker wrote, restored and checked: {}", report.backups_restored);
    let _ = writeln!(out, "killed mid-inspection, resumed with the sheet whole: {}", report.resumed);
    let _ = writeln!(
        out,
        "photos checked: {}; temporary files left by kills (never recorded): {}",
        report.photos_checked, report.leftover_temporary_files
    );
    problems_words(&mut out, report.lost, &report.problems);
    let per_kill = report.elapsed.as_millis() / u128::from(report.kills.max(1));
    let _ = writeln!(out, "time: {:.1?} ({per_kill} ms per kill)", report.elapsed);
    out
}

/// `drill two-stations`: two workers on one file, `packages` each.
pub(super) fn two_stations(
    policies: &PolicySet,
    data_dir: Option<&Path>,
    packages: u64,
    seed: Option<u64>,
) -> Result<(), CliError> {
    let seed = seed.unwrap_or_else(fresh_seed);
    let folder = drill_folder(data_dir, "two-stations", seed)?;
    print(&format!(
        "two stations, one file: seed {seed}, {packages} packages each, data folder {}\n",
        folder.display()
    ))?;
    let drill =
        TwoStations { binary: current_binary()?, data_dir: folder.clone(), packages, seed, clock: Clock::System };
    let report = crate::drill::two_stations::run(&drill, policies)?;
    print(&two_stations_words(&report))?;
    finish(&folder, report.passed())
}

fn two_stations_words(report: &TwoStationsReport) -> String {
    let mut out = String::new();
    for station in crate::drill::two_stations::STATIONS {
        let mine = report.committed.iter().filter(|((s, _), _)| s == station).map(|((_, step), n)| (*step, *n));
        let _ = writeln!(out, "{station} committed: {}", steps(mine));
    }
    let _ = writeln!(out, "packages interleaved between the stations: {} switches", report.interleavings);
    let _ = writeln!(out, "units settled twice, or a card fee kept twice: {}", report.double_settlements);
    problems_words(&mut out, report.lost, &report.problems);
    let _ = writeln!(out, "time: {:.1?}", report.elapsed);
    out
}

/// What `drill benches` was asked for.
#[derive(Debug, Clone)]
pub(super) struct BenchesRun {
    pub benches: u64,
    pub packages: u64,
    pub seed: Option<u64>,
    pub kills: u64,
    pub restart_server: Option<String>,
}

/// `drill benches`: benches at once on one PostgreSQL database, killed and restarted, the server restarted once.
pub(super) fn benches(
    policies: &PolicySet,
    database: Option<&str>,
    data_dir: Option<&Path>,
    run: BenchesRun,
) -> Result<(), CliError> {
    let url = match DatabaseLocation::choose(Some(database.ok_or(DrillError::NoDatabase)?), Path::new("."))? {
        DatabaseLocation::Postgres(url) => url,
        DatabaseLocation::Sqlite(_) => return Err(DrillError::NoDatabase.into()),
    };
    let seed = run.seed.unwrap_or_else(fresh_seed);
    let folder = drill_folder(data_dir, "benches", seed)?;
    print(&format!(
        "benches drill: seed {seed}, {} benches, {} packages in all, {} kills, {}; database {url}, folders in {}\n",
        run.benches,
        run.packages,
        run.kills,
        if run.restart_server.is_some() { "one server restart" } else { "no server restart (no --restart-server)" },
        folder.display()
    ))?;
    let drill = BenchesDrill {
        binary: current_binary()?,
        folder: folder.clone(),
        database: url,
        benches: run.benches,
        packages: run.packages,
        kills: run.kills,
        seed,
        restart_server: run.restart_server,
        clock: Clock::System,
    };
    let report = crate::drill::benches::run(&drill, policies).inspect_err(|_| {
        // A refused database leaves the folder as it was made, empty: it goes (a folder with anything in it stays).
        let _ = std::fs::remove_dir(&folder);
    })?;
    print(&benches_words(&report))?;
    finish(&folder, report.passed())
}

fn benches_words(report: &BenchesReport) -> String {
    let mut out = String::new();
    let decided: Vec<String> = report.decided.iter().map(|(bench, n)| format!("{bench} {n}")).collect();
    let _ = writeln!(out, "decided: {}", decided.join(", "));
    let _ = writeln!(out, "committed: {}", steps(report.committed.iter().map(|(step, n)| (*step, *n))));
    let landed: Vec<String> = report.landed.iter().map(|(place, n)| format!("{place} {n}")).collect();
    let _ = writeln!(out, "benches killed and restarted: {} (landed: {})", report.kills, landed.join(", "));
    let took = report.server_restart_took.map_or_else(String::new, |took| format!(" (the command took {took:.1?})"));
    let _ = writeln!(
        out,
        "server restarts: {}{took}; reconnections by the benches: {}",
        report.server_restarts, report.reconnections
    );
    let _ =
        writeln!(out, "confirms refused (goods settled by another bench meanwhile, decided again): {}", report.refused);
    let _ = writeln!(
        out,
        "verify: {}",
        if report.verify_problems == 0 { "clean".to_owned() } else { format!("{} problems", report.verify_problems) }
    );
    let _ = writeln!(out, "doubled (a unit settled twice, or a fee kept twice): {}", report.doubled);
    problems_words(&mut out, report.lost, &report.problems);
    let _ = writeln!(out, "time: {:.1?}", report.elapsed);
    out
}

/// The hidden `drill settle`: one box of `rma` decided, and confirmed when told to on standard input, on the
/// data folder's database or the one `--database` names.
pub(super) fn settle(
    policies: &PolicySet,
    database: Option<&str>,
    data_dir: Option<&Path>,
    station: &str,
    rma: &str,
) -> Result<(), CliError> {
    let data_dir = data_dir.ok_or(DrillError::NoDataDir)?;
    let mut store = crate::storage::open(&DatabaseLocation::choose(database, data_dir)?, policies)?;
    let mut go = std::io::stdin().lock();
    crate::drill::settle::run(&mut *store, station, rma, policies, &mut go, &mut std::io::stdout().lock())?;
    Ok(())
}

/// The hidden `drill worker`: the save path in a loop, reporting each committed change, on the data folder's
/// database or the one `--database` names.
pub(super) fn worker(
    policies: &PolicySet,
    database: Option<&str>,
    data_dir: Option<&Path>,
    station: &str,
    seed: u64,
    packages: Option<u64>,
) -> Result<(), CliError> {
    // Never the platform's data folder: a worker must not work on a real station's records.
    let data_dir = data_dir.ok_or(DrillError::NoDataDir)?;
    let setup = WorkerSetup {
        database: DatabaseLocation::choose(database, data_dir)?,
        data_dir: data_dir.to_path_buf(),
        station: station.to_owned(),
        seed,
        packages,
        clock: Clock::System,
    };
    let mut out = std::io::stdout().lock();
    crate::drill::worker::run(&setup, policies, &mut out)?;
    Ok(())
}

fn steps(counts: impl Iterator<Item = (Step, u64)>) -> String {
    counts.map(|(step, n)| format!("{} {n}", step.as_str())).collect::<Vec<_>>().join(", ")
}

fn problems_words(out: &mut String, lost: u64, problems: &[String]) {
    let _ = writeln!(out, "lost: {lost}; problems: {}", if problems.is_empty() { "none" } else { "" });
    for problem in problems.iter().take(20) {
        let _ = writeln!(out, "  {problem}");
    }
    if problems.len() > 20 {
        let _ = writeln!(out, "  … and {} more", problems.len() - 20);
    }
}

/// The drill's folder: an empty one given, or a new one under the system's temporary folder.
fn drill_folder(data_dir: Option<&Path>, drill: &str, seed: u64) -> Result<PathBuf, CliError> {
    let folder = match data_dir {
        Some(folder) => folder.to_path_buf(),
        None => std::env::temp_dir().join(format!("rma-station-{drill}-drill-{seed}-{}", std::process::id())),
    };
    let empty = match std::fs::read_dir(&folder) {
        Ok(mut entries) => entries.next().is_none(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
        Err(e) => return Err(DrillError::Folder { path: folder, what: e.to_string() }.into()),
    };
    if !empty {
        let what = "not empty: a drill runs in a folder of its own, never on a station's data".to_owned();
        return Err(DrillError::Folder { path: folder, what }.into());
    }
    std::fs::create_dir_all(&folder).map_err(|e| DrillError::Folder { path: folder.clone(), what: e.to_string() })?;
    Ok(folder)
}

/// Removes a passed drill's folder; keeps a failed one's and says so.
fn finish(folder: &Path, passed: bool) -> Result<(), CliError> {
    if passed {
        let _ = std::fs::remove_dir_all(folder);
        Ok(())
    } else {
        print(&format!("the drill's data folder is kept for a look: {}\n", folder.display()))?;
        Err(CliError::DrillFailed)
    }
}

fn current_binary() -> Result<PathBuf, CliError> {
    std::env::current_exe().map_err(|source| DrillError::Spawn { binary: PathBuf::from("rma-station"), source }.into())
}

/// A seed when none is given: different each run, printed so the run's choices can be repeated.
fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    (nanos as u64) ^ u64::from(std::process::id()).rotate_left(32)
}
