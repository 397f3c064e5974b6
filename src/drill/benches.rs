//! The benches drill (issue 16): several bench processes working the same RMAs at once on one PostgreSQL
//! database, benches killed at random and restarted, and the server restarted once under them.
//!
//! The database must be empty: the drill loads the demo data into it and works it hard, so it is never a
//! warehouse's own (it refuses one that holds orders, packages or audit entries, rather than making a schema
//! of its own beside them). Each bench is the hidden `drill worker` with a data folder of its own (its
//! photos; its log), `--database` the drill's URL and station `bench-K`; each receives another box of a
//! random demo RMA again and again, so the benches decide the same goods against each other all the time and
//! the store's ledger must refuse every second settlement. The packages (`--packages`, in all) are shared out
//! among the benches.
//!
//! What happens to them is chosen by the seed and by progress, not by the clock, so that it lands in the run
//! however fast the machine is: at seeded points of the packages decided so far, a random running bench is
//! killed (SIGKILL) a few milliseconds later and started again at once with what it has left to do (it first
//! finishes the packages it received and did not decide, under its own lease), and once, around the middle,
//! the drill runs the operator's `--restart-server` command (the drill cannot know how a server is restarted;
//! `scripts/postgres-test-server restart DIR` restarts a test server with `pg_ctl restart -m immediate`). The
//! benches carry on through the restart by opening their store again ([`super::worker`]).
//!
//! Afterwards the database is [`check`]ed against every change any bench reported committed (lost), every
//! order's ledger is counted (a unit settled twice or a fee kept twice: doubled), and `verify` runs on it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::check::check;
use super::crash::landing;
use super::{Committed, DrillError, DrillRng, Report, RunningWorker, Step, committed, load_demo};
use crate::policies::PolicySet;
use crate::storage::location::{DatabaseLocation, DatabaseUrl};
use crate::storage::photos_path;

/// How long the drill waits for the benches to decide one more package before it calls them stuck: longer than
/// a server restart and the benches' reconnecting ([`super::worker`] tries for 90 s).
const STALLED_AFTER: Duration = Duration::from_secs(120);
/// How often the drill looks at the benches.
const POLL: Duration = Duration::from_millis(5);
/// A kill comes up to this long after its point in the run is reached, so that it lands inside a step.
const KILL_WITHIN_MS: u64 = 40;

/// How a benches drill runs.
#[derive(Debug, Clone)]
pub struct BenchesDrill {
    /// The station binary whose hidden `drill worker` is each bench.
    pub binary: PathBuf,
    /// The drill's folder: each bench's data folder (`bench-K`) is made in it.
    pub folder: PathBuf,
    /// An empty PostgreSQL database.
    pub database: DatabaseUrl,
    pub benches: u64,
    /// Packages decided in all, shared out among the benches.
    pub packages: u64,
    /// Benches killed (and restarted) during the run.
    pub kills: u64,
    pub seed: u64,
    /// A shell command that restarts the server, run once in the middle; none: the server is not restarted.
    pub restart_server: Option<String>,
    /// The time the demo data are dated by.
    pub clock: crate::clock::Clock,
}

/// What the benches did and what the check found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BenchesReport {
    pub seed: u64,
    /// Changes reported committed, by step, over all benches.
    pub committed: BTreeMap<Step, u64>,
    /// Packages decided, per bench.
    pub decided: BTreeMap<String, u64>,
    /// Where the kills landed (as the crash drill counts them).
    pub landed: BTreeMap<String, u64>,
    pub kills: u64,
    /// Server restarts run, and how long the command took.
    pub server_restarts: u64,
    pub server_restart_took: Option<Duration>,
    /// Times a bench lost its connection and opened its store again.
    pub reconnections: u64,
    /// Confirms the store refused because another bench had settled the goods (decided again) or held the
    /// package: the race lost, as it must be.
    pub refused: u64,
    /// Changes reported committed and not found whole.
    pub lost: u64,
    /// Units settled beyond what was ordered, or a card fee kept twice.
    pub doubled: u64,
    /// Problems `verify` found in the database afterwards.
    pub verify_problems: u64,
    pub problems: Vec<String>,
    pub elapsed: Duration,
}

impl BenchesReport {
    pub fn passed(&self) -> bool {
        self.lost == 0 && self.doubled == 0 && self.verify_problems == 0 && self.problems.is_empty()
    }
}

/// A bench: its name, folder, share of the packages and what its processes said so far.
struct Bench {
    index: u64,
    station: String,
    folder: PathBuf,
    quota: u64,
    /// What its ended processes said.
    said: Vec<Report>,
    /// Processes started (the first, and one after each kill).
    starts: u64,
    running: Option<RunningWorker>,
    /// Failed by itself: not started again.
    failed: bool,
}

impl Bench {
    fn decided(&self) -> u64 {
        let ended = self.said.iter().filter(|r| matches!(r, Report::Committed(Committed::Decision { .. }))).count();
        ended as u64 + self.running.as_ref().map_or(0, RunningWorker::heard_decisions)
    }

    /// Starts the bench's next process on what it has left to do (none when it is done).
    fn start(&mut self, drill: &BenchesDrill) -> Result<(), DrillError> {
        let left = self.quota.saturating_sub(self.decided());
        if left == 0 || self.failed {
            return Ok(());
        }
        self.starts += 1;
        // Each process of each bench chooses its own RMAs and units.
        let seed = drill.seed.wrapping_add(self.index.wrapping_mul(1_000_003)).wrapping_add(self.starts);
        let worker =
            RunningWorker::spawn(&drill.binary, &self.folder, Some(&drill.database), &self.station, seed, Some(left))?;
        self.running = Some(worker);
        Ok(())
    }
}

/// Runs the drill.
pub fn run(drill: &BenchesDrill, policies: &PolicySet) -> Result<BenchesReport, DrillError> {
    let started = Instant::now();
    let location = DatabaseLocation::Postgres(drill.database.clone());
    prepare(&location, policies, &drill.clock.now())?;
    let mut rng = DrillRng::new(drill.seed);
    let mut report = BenchesReport { seed: drill.seed, ..BenchesReport::default() };

    let count = drill.benches.max(1);
    let mut benches = Vec::new();
    for index in 0..count {
        let station = format!("bench-{}", index + 1);
        let folder = drill.folder.join(&station);
        std::fs::create_dir_all(&folder)
            .map_err(|e| DrillError::Folder { path: folder.clone(), what: e.to_string() })?;
        let quota = drill.packages / count + u64::from(index < drill.packages % count);
        benches.push(Bench {
            index,
            station,
            folder,
            quota,
            said: Vec::new(),
            starts: 0,
            running: None,
            failed: false,
        });
    }
    for bench in &mut benches {
        bench.start(drill)?;
    }

    // The points (packages decided, in all) at which a bench is killed, and the one at which the server restarts.
    let at = |rng: &mut DrillRng, from: u64, to: u64| {
        drill.packages * from / 100 + rng.below(drill.packages * (to - from) / 100 + 1)
    };
    let mut kills: Vec<u64> = (0..drill.kills).map(|_| at(&mut rng, 5, 95)).collect();
    kills.sort_unstable();
    kills.reverse();
    let mut restart = drill.restart_server.as_ref().map(|command| (at(&mut rng, 30, 70), command.clone()));

    let mut last_progress = (0, Instant::now());
    loop {
        for bench in &mut benches {
            if bench.running.as_mut().is_some_and(RunningWorker::has_ended) {
                collect(bench, false, &mut report)?;
            }
        }
        let decided: u64 = benches.iter().map(Bench::decided).sum();
        if benches.iter().all(|bench| bench.running.is_none()) {
            break;
        }
        if decided != last_progress.0 {
            last_progress = (decided, Instant::now());
        } else if last_progress.1.elapsed() > STALLED_AFTER {
            report.problems.push(format!("the benches decided nothing for {} s: stopped", STALLED_AFTER.as_secs()));
            for bench in &mut benches {
                collect(bench, true, &mut report)?;
            }
            break;
        }
        if restart.as_ref().is_some_and(|(point, _)| decided >= *point)
            && let Some((_, command)) = restart.take()
        {
            restart_server(&command, &mut report);
        }
        if kills.last().is_some_and(|point| decided >= *point) {
            kills.pop();
            let running: Vec<usize> = (0..benches.len()).filter(|&i| benches[i].running.is_some()).collect();
            if let Some(&chosen) = running.get(rng.below(running.len() as u64) as usize) {
                std::thread::sleep(Duration::from_millis(rng.below(KILL_WITHIN_MS + 1)));
                let bench = &mut benches[chosen];
                collect(bench, true, &mut report)?;
                report.kills += 1;
                bench.start(drill)?;
            }
        }
        std::thread::sleep(POLL);
    }

    let mut everything = Vec::new();
    for bench in &benches {
        let changes = committed(&bench.said);
        let decided = changes.iter().filter(|c| c.step() == Step::Decision).count() as u64;
        report.decided.insert(bench.station.clone(), decided);
        if decided < bench.quota {
            report.problems.push(format!("{} decided {decided} of its {} packages", bench.station, bench.quota));
        }
        for change in &changes {
            *report.committed.entry(change.step()).or_default() += 1;
        }
        report.reconnections += bench.said.iter().filter(|r| **r == Report::Reconnected).count() as u64;
        report.refused += bench.said.iter().filter(|r| **r == Report::Refused).count() as u64;
        everything.extend(changes);
    }
    if restart.is_some() {
        report.problems.push("the run ended before the server's restart was due".to_owned());
    }
    let photos: Vec<PathBuf> = benches.iter().map(|bench| photos_path(&bench.folder)).collect();
    let findings = check(&location, &photos, policies, &everything)?;
    report.lost = findings.lost;
    report.doubled = findings.double_settlements;
    report.verify_problems = findings.verify_problems;
    report.problems.extend(findings.problems);
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Loads the demo data into the drill's database, which must be empty.
fn prepare(location: &DatabaseLocation, policies: &PolicySet, now: &crate::clock::Now) -> Result<(), DrillError> {
    let mut store = crate::storage::open(location, policies)?;
    let counts = store.counts()?;
    if counts.orders > 0 || counts.packages > 0 || counts.audit_entries > 0 {
        return Err(DrillError::NotEmpty {
            database: location.to_string(),
            orders: counts.orders,
            packages: counts.packages,
            audit_entries: counts.audit_entries,
        });
    }
    load_demo(&mut *store, now)
}

/// Ends a bench's process (killed, or ended by itself) and keeps what it said.
fn collect(bench: &mut Bench, kill: bool, report: &mut BenchesReport) -> Result<(), DrillError> {
    let Some(worker) = bench.running.take() else { return Ok(()) };
    let ended = if kill { worker.kill()? } else { worker.end()? };
    if kill {
        *report.landed.entry(landing(&ended.reports)).or_default() += 1;
    }
    if let Some(failure) = ended.failure {
        bench.failed = true;
        report.problems.push(format!("{} (process {}) failed: {failure}", bench.station, bench.starts));
    }
    bench.said.extend(ended.reports);
    Ok(())
}

/// Runs the operator's restart command (`sh -c`), while the benches work on.
fn restart_server(command: &str, report: &mut BenchesReport) {
    let began = Instant::now();
    let ran = std::process::Command::new("sh").arg("-c").arg(command).stdin(std::process::Stdio::null()).output();
    report.server_restart_took = Some(began.elapsed());
    match ran {
        Ok(output) if output.status.success() => report.server_restarts += 1,
        Ok(output) => report.problems.push(format!(
            "the server restart ({command}) failed, {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )),
        Err(e) => report.problems.push(format!("the server restart ({command}) could not run: {e}")),
    }
}
