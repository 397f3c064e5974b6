//! Two stations, one file: two worker processes on the same data folder at once.
//!
//! Both work through their packages at full speed, so their write transactions queue for SQLite's
//! lock again and again; a station that finds the file busy waits (the store's busy timeout) and
//! carries on. Each must end by itself having done all its packages, and afterwards the folder is
//! [`check`]ed against everything both reported committed: no change of one station may be lost or
//! torn by the other's, and the audit chain, which both append to, must verify.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::check::check_file;
use super::{DrillError, RunningWorker, Step, committed, prepare};
use crate::policies::PolicySet;
use crate::storage::{database_path, photos_path};

/// How a two-station drill runs.
#[derive(Debug, Clone)]
pub struct TwoStations {
    /// The station binary whose hidden `drill worker` the drill starts, twice.
    pub binary: PathBuf,
    pub data_dir: PathBuf,
    /// Packages each station works through.
    pub packages: u64,
    pub seed: u64,
    /// The time the demo data are dated by.
    pub clock: crate::clock::Clock,
}

/// The stations' names.
pub const STATIONS: [&str; 2] = ["drill-a", "drill-b"];

/// What the two stations did and what the check found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TwoStationsReport {
    /// Changes reported committed, per station and step.
    pub committed: BTreeMap<(String, Step), u64>,
    /// How often the next package received belongs to the other station: how finely their writes
    /// interleaved in the one file (0 would mean one simply waited for the other to finish).
    pub interleavings: u64,
    pub lost: u64,
    /// Units settled beyond what was ordered, or a card fee kept twice (see [`super::check::Findings`]).
    pub double_settlements: u64,
    pub problems: Vec<String>,
    pub elapsed: Duration,
}

impl TwoStationsReport {
    pub fn passed(&self) -> bool {
        self.lost == 0 && self.double_settlements == 0 && self.problems.is_empty()
    }
}

pub fn run(drill: &TwoStations, policies: &PolicySet) -> Result<TwoStationsReport, DrillError> {
    let started = Instant::now();
    prepare(&drill.data_dir, policies, &drill.clock.now())?;
    let mut workers = Vec::new();
    for (index, station) in STATIONS.iter().enumerate() {
        let seed = drill.seed.wrapping_add(index as u64);
        workers.push((
            station,
            RunningWorker::spawn(&drill.binary, &drill.data_dir, None, station, seed, Some(drill.packages))?,
        ));
    }
    let mut report = TwoStationsReport::default();
    let mut everything = Vec::new();
    let mut packages: Vec<(i64, &str)> = Vec::new();
    for (station, worker) in workers {
        let ended = worker.end()?;
        if let Some(failure) = ended.failure {
            report.problems.push(format!("station {station} failed: {failure}"));
        }
        let changes = committed(&ended.reports);
        let done = changes.iter().filter(|c| c.step() == Step::Decision).count() as u64;
        if done != drill.packages {
            report.problems.push(format!("station {station} decided {done} of its {} packages", drill.packages));
        }
        for change in &changes {
            *report.committed.entry(((*station).to_owned(), change.step())).or_default() += 1;
            if change.step() == Step::Package {
                packages.push((change.package(), station));
            }
        }
        everything.extend(changes);
    }
    packages.sort();
    report.interleavings = packages.windows(2).filter(|pair| pair[0].1 != pair[1].1).count() as u64;
    let findings = check_file(&database_path(&drill.data_dir), &photos_path(&drill.data_dir), policies, &everything)?;
    report.lost = findings.lost;
    report.double_settlements = findings.double_settlements;
    report.problems.extend(findings.problems);
    report.elapsed = started.elapsed();
    Ok(report)
}
