//! Reliability drills: the station's real save path, killed at random moments or run by two stations
//! on one file, and a check afterwards that nothing reported saved was lost.
//!
//! A drill has two sides in two processes. The worker ([`worker`], `rma-station drill worker`, hidden
//! from `--help`) receives packages, photographs them, saves their sheets and decisions through the
//! station's own storage thread and photo store, and prints one line per committed change, flushed,
//! *after* the store said it was committed: those lines are the promises. The drill ([`crash`],
//! [`two_stations`], [`benches`]) starts workers, kills them (SIGKILL; `TerminateProcess` on Windows) at seeded random moments, and then
//! [`check`]s the data folder: every promise is kept, no change is held in part, every photo record
//! has its file, the audit chain verifies and SQLite's `integrity_check` passes.
//!
//! The lines are [`Report`]s: one type writes and parses them, so the two sides cannot drift apart.

pub mod benches;
pub mod check;
pub mod crash;
pub mod settle;
pub mod two_stations;
pub mod worker;

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// A small seeded random source (SplitMix64): a drill's choices repeat from its seed, which it prints.
/// Not for secrets.
#[derive(Debug, Clone)]
pub struct DrillRng(u64);

impl DrillRng {
    pub fn new(seed: u64) -> DrillRng {
        DrillRng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
}

/// What a worker says, one line each: the step it is about to take, or a change the store committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// The store is open; the worker starts work.
    Ready,
    /// About to take this step (`scan`, `package`, `inspection`, `photo`, `sheet`, `decision`): the step
    /// a kill interrupted is the last one begun and not reported committed.
    Begin(Step),
    /// A change the store reported committed: it must survive any kill from now on.
    Committed(Committed),
    /// The store refused a confirm as it should when benches race: the goods were settled by another bench
    /// since the ledger was read (decided again), or another bench holds the package (left to it).
    Refused,
    /// The connection to the server was cut in a step (its outcome unknown, never reported) and the store was
    /// opened again.
    Reconnected,
}

/// The steps of one package through the bench, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    Scan,
    Package,
    Inspection,
    Photo,
    Sheet,
    Decision,
}

impl Step {
    pub const ALL: [Step; 6] = [Step::Scan, Step::Package, Step::Inspection, Step::Photo, Step::Sheet, Step::Decision];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Scan => "scan",
            Step::Package => "package",
            Step::Inspection => "inspection",
            Step::Photo => "photo",
            Step::Sheet => "sheet",
            Step::Decision => "decision",
        }
    }
}

/// A committed change and what it must still hold after a kill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Committed {
    Package {
        package: i64,
    },
    Inspection {
        package: i64,
        inspection: i64,
    },
    Photo {
        package: i64,
        inspection: i64,
        photo: i64,
        sha256: String,
    },
    /// A saved sheet: its items that arrived and their units.
    Sheet {
        package: i64,
        inspection: i64,
        items: u64,
        units: u64,
    },
    Decision {
        package: i64,
        decision: i64,
        queue_items: u64,
    },
}

impl Committed {
    pub fn step(&self) -> Step {
        match self {
            Committed::Package { .. } => Step::Package,
            Committed::Inspection { .. } => Step::Inspection,
            Committed::Photo { .. } => Step::Photo,
            Committed::Sheet { .. } => Step::Sheet,
            Committed::Decision { .. } => Step::Decision,
        }
    }

    pub fn package(&self) -> i64 {
        match self {
            Committed::Package { package }
            | Committed::Inspection { package, .. }
            | Committed::Photo { package, .. }
            | Committed::Sheet { package, .. }
            | Committed::Decision { package, .. } => *package,
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Report::Ready => write!(f, "ready"),
            Report::Refused => write!(f, "refused"),
            Report::Reconnected => write!(f, "reconnected"),
            Report::Begin(step) => write!(f, "begin {}", step.as_str()),
            Report::Committed(Committed::Package { package }) => write!(f, "ok package {package}"),
            Report::Committed(Committed::Inspection { package, inspection }) => {
                write!(f, "ok inspection {package} {inspection}")
            }
            Report::Committed(Committed::Photo { package, inspection, photo, sha256 }) => {
                write!(f, "ok photo {package} {inspection} {photo} {sha256}")
            }
            Report::Committed(Committed::Sheet { package, inspection, items, units }) => {
                write!(f, "ok sheet {package} {inspection} {items} {units}")
            }
            Report::Committed(Committed::Decision { package, decision, queue_items }) => {
                write!(f, "ok decision {package} {decision} {queue_items}")
            }
        }
    }
}

/// A worker's line the drill does not understand (a torn last line is not one: it never ends in a
/// line break, and the drill drops it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the drill worker said {0:?}, which is not a drill report")]
pub struct BadReport(pub String);

impl FromStr for Report {
    type Err = BadReport;

    fn from_str(line: &str) -> Result<Report, BadReport> {
        let bad = || BadReport(line.chars().take(200).collect());
        let words: Vec<&str> = line.split_whitespace().collect();
        let number =
            |index: usize| -> Result<i64, BadReport> { words.get(index).and_then(|w| w.parse().ok()).ok_or_else(bad) };
        let count =
            |index: usize| -> Result<u64, BadReport> { words.get(index).and_then(|w| w.parse().ok()).ok_or_else(bad) };
        let report = match words.as_slice() {
            ["ready"] => Report::Ready,
            ["refused"] => Report::Refused,
            ["reconnected"] => Report::Reconnected,
            ["begin", step] => Report::Begin(Step::ALL.into_iter().find(|s| s.as_str() == *step).ok_or_else(bad)?),
            ["ok", "package", _] => Report::Committed(Committed::Package { package: number(2)? }),
            ["ok", "inspection", _, _] => {
                Report::Committed(Committed::Inspection { package: number(2)?, inspection: number(3)? })
            }
            ["ok", "photo", _, _, _, sha256] => Report::Committed(Committed::Photo {
                package: number(2)?,
                inspection: number(3)?,
                photo: number(4)?,
                sha256: (*sha256).to_owned(),
            }),
            ["ok", "sheet", _, _, _, _] => Report::Committed(Committed::Sheet {
                package: number(2)?,
                inspection: number(3)?,
                items: count(4)?,
                units: count(5)?,
            }),
            ["ok", "decision", _, _, _] => Report::Committed(Committed::Decision {
                package: number(2)?,
                decision: number(3)?,
                queue_items: count(4)?,
            }),
            _ => return Err(bad()),
        };
        Ok(report)
    }
}

/// Why a drill could not run (a drill that runs and finds a problem reports it; it does not fail here).
#[derive(Debug, thiserror::Error)]
pub enum DrillError {
    #[error("{0}")]
    Store(#[from] crate::storage::StoreError),
    #[error("{0}")]
    Bench(#[from] crate::bench::BenchError),
    #[error("{0}")]
    Demo(#[from] crate::demo::DemoError),
    #[error(transparent)]
    Secret(#[from] crate::auth::secret::SecretError),
    #[error("{0}")]
    DemoData(#[from] crate::formats::import::ImportError),
    #[error("{0}")]
    Photo(#[from] crate::photos::ingest::IngestError),
    #[error("{0}")]
    Classifier(#[from] crate::domain::scan::ClassifierError),
    #[error("{0}")]
    Report(#[from] BadReport),
    #[error("the drill's photo could not be encoded: {0}")]
    Encode(String),
    #[error("the demo RMA {0} was not found by scanning its number")]
    NoMatch(String),
    #[error("merchant {0} has no policy loaded")]
    NoPolicy(String),
    #[error("{}: cannot start the drill worker: {source}", binary.display())]
    Spawn { binary: PathBuf, source: std::io::Error },
    #[error("the drill worker's output could not be read or written: {0}")]
    Output(std::io::Error),
    #[error("{}: {what}", path.display())]
    Folder { path: PathBuf, what: String },
    #[error("a drill worker needs --data-dir: it never works in a station's own data folder")]
    NoDataDir,
    #[error(
        "{database} is not empty ({orders} orders, {packages} packages, {audit_entries} audit entries): the benches drill loads the demo data into an empty database of its own and works it hard; create one for it (CREATE DATABASE …) and give its URL"
    )]
    NotEmpty { database: String, orders: u64, packages: u64, audit_entries: u64 },
    #[error("the benches drill needs --database URL: an empty PostgreSQL database the benches share")]
    NoDatabase,
    #[error("a drill thread could not start: {0}")]
    Thread(std::io::Error),
}

/// A worker process and the thread reading its lines.
struct RunningWorker {
    child: std::process::Child,
    /// Every whole line the worker has said so far (the drill reads it while the worker runs).
    lines: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    /// Ends when the worker's output does; gives what it said on standard error.
    reader: std::thread::JoinHandle<String>,
}

/// How a worker ended.
struct Ended {
    reports: Vec<Report>,
    /// Killed by the drill (SIGKILL, or `TerminateProcess` on Windows), rather than ending by itself.
    killed: bool,
    /// Ended by itself with an error: its exit status and what it said.
    failure: Option<String>,
}

impl RunningWorker {
    /// Starts `binary drill worker` on `data_dir` as station `station`, on the data folder's SQLite file or
    /// the PostgreSQL database `database` names.
    fn spawn(
        binary: &std::path::Path,
        data_dir: &std::path::Path,
        database: Option<&crate::storage::location::DatabaseUrl>,
        station: &str,
        seed: u64,
        packages: Option<u64>,
    ) -> Result<RunningWorker, DrillError> {
        use std::io::{BufRead as _, Read as _};
        use std::process::{Command, Stdio};
        let mut command = Command::new(binary);
        command.arg("--data-dir").arg(data_dir);
        if let Some(url) = database {
            // The URL as it shows (without its password); a password goes in the worker's PGPASSWORD, never on a
            // command line others may read.
            command.arg("--database").arg(url.to_string());
            if let Some(password) = &url.password {
                command.env("PGPASSWORD", password.expose());
            }
        }
        command.args(["--station", station, "drill", "worker", "--seed"]);
        command.arg(seed.to_string());
        if let Some(packages) = packages {
            command.args(["--packages", &packages.to_string()]);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| DrillError::Spawn { binary: binary.to_path_buf(), source })?;
        let (Some(stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(DrillError::Output(std::io::Error::other("the worker's output is not connected")));
        };
        let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let heard = std::sync::Arc::clone(&lines);
        let reader = std::thread::Builder::new()
            .name(format!("drill:{station}"))
            .spawn(move || {
                let mut stdout = std::io::BufReader::new(stdout);
                let mut line = Vec::new();
                // A line cut off by the kill has no line break: it was never said whole, and is dropped.
                while stdout.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
                    if line.ends_with(b"\n")
                        && let Ok(mut heard) = heard.lock()
                    {
                        heard.push(String::from_utf8_lossy(&line).trim_end().to_owned());
                    }
                    line.clear();
                }
                let mut said = String::new();
                let _ = stderr.read_to_string(&mut said);
                said
            })
            .map_err(DrillError::Thread);
        match reader {
            Ok(reader) => Ok(RunningWorker { child, lines, reader }),
            Err(error) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(error)
            }
        }
    }

    /// Waits until the worker says it is ready; false if it ended (or hung) first.
    fn wait_ready(&mut self) -> bool {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while std::time::Instant::now() < deadline {
            if self.heard() > 0 {
                return true;
            }
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        false
    }

    /// How many packages the worker has reported decided so far.
    fn heard_decisions(&self) -> u64 {
        self.lines.lock().map_or(0, |lines| lines.iter().filter(|line| line.starts_with("ok decision ")).count() as u64)
    }

    /// Whether the worker has ended (by itself: the drill has not collected it yet).
    fn has_ended(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }

    /// How many whole lines the worker has said so far.
    fn heard(&self) -> usize {
        self.lines.lock().map_or(0, |lines| lines.len())
    }

    /// Kills the worker (`Child::kill`: SIGKILL on Unix, `TerminateProcess` on Windows) and collects what
    /// it said.
    fn kill(mut self) -> Result<Ended, DrillError> {
        // Whether the kill found it running: on Windows the kill leaves no signal, only exit code 1.
        let running = matches!(self.child.try_wait(), Ok(None));
        let _ = self.child.kill();
        self.ended(running)
    }

    /// Waits for the worker to end by itself and collects what it said.
    fn end(self) -> Result<Ended, DrillError> {
        self.ended(false)
    }

    /// Waits for the worker and collects what it said; `killed_running`: the drill killed it while it ran.
    fn ended(mut self, killed_running: bool) -> Result<Ended, DrillError> {
        let status = self.child.wait().map_err(DrillError::Output)?;
        let said = self.reader.join().unwrap_or_default();
        let lines = self.lines.lock().map(|lines| lines.clone()).unwrap_or_default();
        let reports = lines.iter().map(|line| line.parse()).collect::<Result<Vec<Report>, BadReport>>()?;
        let killed = was_killed(&status, killed_running);
        let failure = (!killed && !status.success()).then(|| format!("{status}: {}", said.trim()));
        Ok(Ended { reports, killed, failure })
    }
}

/// Whether the worker ended by the drill's kill. On Unix the status says so itself (signal 9).
#[cfg(unix)]
fn was_killed(status: &std::process::ExitStatus, _killed_running: bool) -> bool {
    use std::os::unix::process::ExitStatusExt as _;
    status.signal() == Some(9)
}

/// On Windows `Child::kill` is `TerminateProcess` with exit code 1: a worker found running and then ended
/// with code 1 was killed. (A worker failing by itself in the instant between the look and the kill would
/// also end with 1; the drill's check of the data folder still runs.)
#[cfg(windows)]
fn was_killed(status: &std::process::ExitStatus, killed_running: bool) -> bool {
    killed_running && status.code() == Some(1)
}

#[cfg(not(any(unix, windows)))]
fn was_killed(_status: &std::process::ExitStatus, _killed_running: bool) -> bool {
    false
}

/// The changes a worker reported committed.
fn committed(reports: &[Report]) -> Vec<Committed> {
    reports
        .iter()
        .filter_map(|report| match report {
            Report::Committed(change) => Some(change.clone()),
            _ => None,
        })
        .collect()
}

/// Loads the demo data into a drill's data folder, unless it holds them already.
pub fn prepare(
    data_dir: &std::path::Path,
    policies: &crate::policies::PolicySet,
    now: &crate::clock::Now,
) -> Result<(), DrillError> {
    let location = crate::storage::location::DatabaseLocation::Sqlite(crate::storage::database_path(data_dir));
    load_demo(&mut *crate::storage::open(&location, policies)?, now)
}

/// Loads the demo data into a drill's store, unless it holds them already.
fn load_demo(store: &mut dyn crate::storage::Store, now: &crate::clock::Now) -> Result<(), DrillError> {
    if store.counts()?.orders == 0 {
        let stamp = crate::storage::Stamp { at: now.at, station: "drill".to_owned(), operator: "drill".to_owned() };
        // Nobody signs in to a drill's folder (thrown away): its demo PINs are keyed with a secret of its own,
        // forgotten at once, and the station's secret is neither needed nor made.
        let secret = crate::auth::PinSecret::random()?;
        crate::demo::load_demo(store, now.today, &stamp, &secret)?;
    }
    Ok(())
}
