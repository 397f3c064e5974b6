//! The command line: with no subcommand the station's window opens; subcommands are the headless tools.
//!
//! Arguments are parsed into typed values here (clap) and each command returns a `Result`; `main`
//! reports an error once, as one line, and chooses the exit code. The headless commands never touch the
//! window: with no subcommand [`run`] only gathers what the window needs ([`Invocation::Window`]) and
//! `main` opens it.

mod bench_sheet;
mod classify;
mod data;
mod decide;
mod drill;
mod evidence;
mod label;
mod migrate;
mod policy;
mod scanner;

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

use crate::bench::Actor;
use crate::clock::{Clock, Now};
use crate::domain::vocabulary::Queue;
use crate::formats::case_json::CaseError;
use crate::formats::policy_toml::PolicyFileError;
use crate::policies::{PolicySet, PolicySetError};
use crate::storage::location::{DatabaseLocation, LocationError};
use crate::storage::worker::StorageWorker;
use crate::storage::{Stamp, default_data_dir};

/// The parsed command line ([`parse`]), run by [`run`].
#[derive(Debug, Parser)]
#[command(name = "rma-station", version, about = "Returns bench station: scan, inspect, decide by policy, queue.")]
pub struct Cli {
    /// A folder of `<merchant>.toml` policy files that add merchants or replace the built-in ones.
    #[arg(long, global = true, value_name = "DIR")]
    policy_dir: Option<PathBuf>,
    /// The station's data folder (its database lives there); the platform's data folder by default.
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// The warehouse's shared database, `postgres://USER@HOST[:PORT]/DB[?sslmode=require]`, for several benches
    /// (also read from `station.toml` in the data folder); without it, the SQLite file in the data folder.
    #[arg(long, global = true, value_name = "URL")]
    database: Option<String>,
    /// The station's PIN secret, a file outside the data folder (made at first need): by default
    /// `$RMA_STATION_PIN_SECRET`, else `pin-secret` in the platform's preferences folder. The benches that
    /// share a database share this file.
    #[arg(long, global = true, value_name = "FILE")]
    pin_secret: Option<PathBuf>,
    /// This bench's name, written on every record it makes.
    #[arg(long, global = true, value_name = "NAME", default_value = "bench-1")]
    station: String,
    /// A serial scanner for the window to read (a device or udev name, COM3, or a USB scanner's identity
    /// usb:VID:PID:SERIAL as `ports` lists it); repeat for more.
    #[arg(long = "scanner", value_name = "PORT")]
    scanners: Vec<String>,
    /// The serial scanners' speed.
    #[arg(long, value_name = "BAUD", default_value_t = 9600)]
    scanner_baud: u32,
    /// What ends a scan from the serial scanners: the suffix they are programmed to send.
    #[arg(long, value_enum, value_name = "SUFFIX", default_value = "cr", global = true)]
    scanner_suffix: scanner::Suffix,
    /// The same code from the same scanner within this many milliseconds counts once.
    #[arg(long, value_name = "MS", default_value_t = 800, global = true)]
    repeat_window_ms: u64,
    /// A folder a tethered camera or phone app saves photos into: each new photo is attached to the
    /// inspection open on the bench, at the checkpoint selected.
    #[arg(long, value_name = "DIR")]
    hot_folder: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decide one case (JSON, see docs/decide-json.md) and print the decision as JSON.
    Decide {
        /// The case file, or `-` for standard input.
        case: PathBuf,
        /// The decision date (YYYY-MM-DD); today's local date when left out.
        #[arg(long, value_name = "DATE")]
        today: Option<NaiveDate>,
    },
    /// Say what each scanned code is (RMA, tracking number, GS1, product code, order number), as JSON lines.
    Classify {
        #[arg(required = true)]
        codes: Vec<String>,
    },
    /// Import orders or RMAs (all or nothing; importing a file again changes nothing).
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// Play a scanner capture into a serial port or pseudo-terminal, at the scanner's speed.
    SimulateScanner {
        /// The port to write into, e.g. /tmp/scanner-in (one end of a socat pair) or /dev/ttyUSB0.
        #[arg(long)]
        port: String,
        /// A capture of what a scanner sends (hardware/captures/*.bin).
        capture: PathBuf,
        #[arg(long, default_value_t = 9600)]
        baud: u32,
        /// The pause after each scan, as between two scans by hand.
        #[arg(long, default_value_t = 400)]
        pause_ms: u64,
    },
    /// Read a scanner and print each scan, classified, as a JSON line (a test scan at the bench).
    Listen {
        #[arg(long)]
        port: String,
        #[arg(long, default_value_t = 9600)]
        baud: u32,
        /// Stop after this many scans.
        #[arg(long)]
        count: Option<u64>,
        /// Write the raw bytes to this file instead: a new capture for simulate-scanner and the tests.
        #[arg(long, value_name = "FILE")]
        record: Option<PathBuf>,
        /// Replace the --record file if it exists.
        #[arg(long, requires = "record")]
        force: bool,
    },
    /// List the serial ports (COM3 on Windows, /dev/ttyACM0 on Linux), each USB device with its identity
    /// (usb:VID:PID:SERIAL): what to give --scanner.
    Ports,
    /// Fill an empty database with demo orders and RMAs of every kind, dated around today.
    Demo,
    /// Check the database and its audit chain; reports the first broken link.
    Verify {
        /// An audit head printed earlier (`audit head`, the daily report): the entry must still have that
        /// hash, or the chain was rewritten.
        #[arg(long, value_name = "SEQ:HASH")]
        head: Option<crate::storage::AuditHead>,
    },
    /// Write a consistent, checked copy of the database while the station runs.
    Backup {
        /// The new file (never overwritten, never one of the station's files). It is written under a
        /// temporary name beside it (`.NAME.partial-PID`), checked, and only then renamed to NAME.
        destination: PathBuf,
    },
    /// Restore a backup as the data folder's database (which must not exist yet), then verify it.
    Restore {
        /// A file written by `backup`.
        backup: PathBuf,
    },
    /// Move an existing bench's SQLite history (orders, RMAs, packages, decisions, queues, batches, the audit
    /// chain, photos, operators) into the empty PostgreSQL database of --database, then verify it there. A
    /// database that already holds history is refused.
    MigrateFrom {
        /// The bench's data folder: its station.sqlite3 and its photos folder. Close every station on it first.
        #[arg(value_name = "DATA_DIR")]
        bench: PathBuf,
    },
    /// The audit log's head.
    Audit {
        #[command(subcommand)]
        action: AuditCommand,
    },
    /// Reliability drills (RELIABILITY.md): kill the save path at random moments, or run two stations on one
    /// file, and check that nothing committed was lost.
    Drill {
        #[command(subcommand)]
        action: DrillCommand,
    },
    /// Write the bench sheet: the command barcodes the scan field obeys, as an A4 SVG to print at 100%.
    BenchSheet {
        /// The SVG file to write (never one of the station's files; an existing file only with --force).
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// Replace the output file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Export a queue for the people after the bench. Refunds, store credit, exchanges and replacements
    /// (pick lists) and returns to customers go out in batches of every item not yet exported, as CSV and
    /// JSON: an item is in one batch only, so nothing is paid or shipped twice. Holds go out as a list.
    Export {
        /// refund, store_credit, exchange, replacement, return_to_customer or hold.
        #[arg(required_unless_present = "batch", value_parser = parse_queue)]
        queue: Option<Queue>,
        /// Write this existing batch again (after a failed write, or for a lost file) instead of a new one.
        #[arg(long, value_name = "ID", conflicts_with = "queue")]
        batch: Option<i64>,
        /// The folder the files go to; the data folder's `exports` by default.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Write the evidence packet (PDF) of an RMA's latest decision: the return, the decision and its
    /// clauses, the photos with their SHA-256, and the decision's place in the audit chain.
    Evidence {
        /// The RMA number, as printed on its label.
        rma: String,
        /// The PDF file to write (never one of the station's files; an existing file only with --force).
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// Replace the output file if it exists.
        #[arg(long)]
        force: bool,
        /// The merchant, when several merchants have an RMA with this number.
        #[arg(long, value_name = "ID")]
        merchant: Option<String>,
    },
    /// Write a decided package's bin labels (ZPL for a Zebra, PNG or PDF for an ordinary printer).
    Label {
        /// The package's RMA, order or tracking number, or its package id.
        number: String,
        #[arg(long, value_enum, default_value = "pdf")]
        format: label::Format,
        /// The file to write (never one of the station's files; an existing file only with --force);
        /// further PNG labels go beside it as NAME-2.png…
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// Replace the output file(s) if they exist.
        #[arg(long)]
        force: bool,
    },
    /// Check or show merchant policies.
    Policy {
        #[command(subcommand)]
        action: PolicyCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// The station's orders file, CSV or JSON (docs/import-formats.md).
    Orders { file: PathBuf },
    /// The station's RMAs file, CSV or JSON (docs/import-formats.md).
    Rmas { file: PathBuf },
    /// A Shopify "Orders export" CSV, as Shopify writes it.
    ShopifyOrders {
        file: PathBuf,
        /// Whose orders these are: a merchant id of the policy files.
        #[arg(long, value_name = "ID")]
        merchant: String,
        /// A CSV of `sku,category` (Shopify's export names no category).
        #[arg(long, value_name = "FILE")]
        categories: Option<PathBuf>,
        /// The warehouse's UTC offset, e.g. -05:00; the machine's own when left out.
        #[arg(long, value_name = "OFFSET", allow_hyphen_values = true)]
        utc_offset: Option<chrono::FixedOffset>,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Print the latest audit entry as `SEQ:HASH`, to keep away from the station (the daily report does).
    Head,
    /// Add the latest audit entry to the exports folder's `audit-heads.txt`, which `verify` checks (the window
    /// does it once a day, and each export batch does it too).
    Anchor,
}

#[derive(Debug, Subcommand)]
enum DrillCommand {
    /// Kill the save path (scan, inspection, photo, decision, queue) with SIGKILL at random moments, and check
    /// after each kill that every change reported committed is there, whole.
    Crash {
        #[arg(long, default_value_t = 200)]
        kills: u64,
        /// Repeats a run's choices (printed when left out).
        #[arg(long)]
        seed: Option<u64>,
        /// A kill comes at a random moment up to this long after the worker is ready.
        #[arg(long, value_name = "MS", default_value_t = 30)]
        max_delay_ms: u64,
        /// Every this many kills, a backup is taken while the worker writes, then restored and checked.
        #[arg(long, value_name = "N", default_value_t = 10)]
        backup_every: u64,
        /// Every this many kills, a new data folder (0: one throughout): each check reads the whole database.
        #[arg(long, value_name = "N", default_value_t = 500)]
        fresh_every: u64,
    },
    /// Two stations working on one database file at once; then check that nothing of either was lost.
    TwoStations {
        /// Packages each station works through.
        #[arg(long, default_value_t = 50)]
        packages: u64,
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Several benches (processes) working the same RMAs at once on one empty PostgreSQL database (--database),
    /// benches killed at random and restarted, the server restarted once; then check that nothing was lost,
    /// no unit settled twice, and that the database verifies.
    Benches {
        /// Bench processes at once (stations bench-1, bench-2, …).
        #[arg(long, default_value_t = 8)]
        benches: u64,
        /// Packages decided in all, shared out among the benches.
        #[arg(long, default_value_t = 400)]
        packages: u64,
        #[arg(long)]
        seed: Option<u64>,
        /// Benches killed (SIGKILL) at random moments and started again.
        #[arg(long, default_value_t = 16)]
        kills: u64,
        /// A shell command that restarts the database server, run once mid-run (e.g.
        /// `scripts/postgres-test-server restart DIR`); without it the server is not restarted.
        #[arg(long, value_name = "COMMAND")]
        restart_server: Option<String>,
    },
    /// One box of an RMA received and decided, confirmed when a line comes on standard input (what the race
    /// test starts two of at once).
    #[command(hide = true)]
    Settle {
        #[arg(long)]
        rma: String,
    },
    /// The save path in a loop, one line per committed change (what the drills start and kill).
    #[command(hide = true)]
    Worker {
        #[arg(long)]
        seed: u64,
        /// Stop after this many packages (until killed when left out).
        #[arg(long)]
        packages: Option<u64>,
    },
}

#[derive(Debug, Subcommand)]
enum PolicyCommand {
    /// Validate policy files: every error with its file, line and column.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print a merchant's rules in plain words, with the clause each comes from.
    Show { merchant: String },
}

/// Everything a command can fail with; `main` prints it once.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{source_name}: {error}")]
    Case { source_name: String, error: CaseError },
    #[error("{0}")]
    PolicyFile(#[from] PolicyFileError),
    #[error("{0}")]
    Location(#[from] LocationError),
    #[error("{0}")]
    PolicySet(#[from] PolicySetError),
    #[error("{}: cannot read: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("{}", crate::durable::about(path, "cannot write", source))]
    Write { path: PathBuf, source: io::Error },
    #[error("unknown merchant {merchant:?}; known merchants: {known}")]
    UnknownMerchant { merchant: String, known: String },
    #[error("policy check failed: {0} file(s) with errors")]
    PolicyCheckFailed(usize),
    #[error("cannot write the output: {0}")]
    Output(io::Error),
    #[error("{0}")]
    Refused(#[from] crate::output::OutputRefused),
    #[error("{0}")]
    Classifier(#[from] crate::domain::scan::ClassifierError),
    #[error("{0}")]
    Import(#[from] crate::formats::import::ImportError),
    #[error("{0}")]
    Store(#[from] crate::storage::StoreError),
    #[error("{0}")]
    Demo(#[from] crate::demo::DemoError),
    #[error(transparent)]
    Secret(#[from] crate::auth::secret::SecretError),
    #[error("verification failed")]
    VerifyFailed,
    #[error("{0}")]
    Drill(#[from] crate::drill::DrillError),
    #[error("the drill found problems (listed above)")]
    DrillFailed,
    #[error("no data folder: this platform has none; give one with --data-dir")]
    NoDataDir,
    #[error("{port}: {reason}")]
    Port { port: String, reason: String },
    #[error("the serial ports could not be listed: {0}")]
    Ports(io::Error),
    #[error("a worker thread could not start: {0}")]
    Thread(io::Error),
    #[error("{0}")]
    Export(#[from] crate::durable::WriteError),
    #[error("{0}")]
    QueueExport(#[from] crate::exports::ExportFailure),
    #[error("{0}")]
    Bench(#[from] crate::bench::BenchError),
    #[error("{0}")]
    Evidence(#[from] crate::evidence::EvidenceError),
    #[error("cannot encode {code:?} as Code 128: {reason}")]
    Barcode { code: String, reason: String },
    #[error("{0}")]
    Label(#[from] crate::labels::LabelError),
    #[error("{number}: no package found by this number (an RMA, order or tracking number, or a package id)")]
    NoPackage { number: String },
    #[error("{0}")]
    Move(#[from] crate::storage::postgres::migrate_from::MoveError),
}

/// What the command line asked for: the window, with what it needs to open, or a command that has run.
#[derive(Debug)]
pub enum Invocation {
    Window(Box<WindowArgs>),
    Done(ExitCode),
}

/// What the station's window is opened with.
#[derive(Debug)]
pub struct WindowArgs {
    pub policies: PolicySet,
    pub data_dir: PathBuf,
    /// Where the database is: the data folder's SQLite file, or the warehouse's server.
    pub database: DatabaseLocation,
    pub station: String,
    pub scanners: Vec<crate::devices::scanner::ScannerConfig>,
    pub hot_folder: Option<PathBuf>,
    /// The station's PIN secret, read (or made) before the window opens.
    pub pin_secret: crate::auth::PinSecret,
}

/// Parses the arguments (clap prints help, or a usage error and exits).
pub fn parse() -> Cli {
    Cli::parse()
}

impl Cli {
    /// The data folder whose log file the command writes to: the window's, and that of each command that
    /// works on the station's data (import, demo, verify, backup, export, audit, evidence, label). Not the
    /// tools without a data folder, nor `restore` (a refused backup must leave the folder as it was) or the
    /// drills (their folders are their own and thrown away). A command logs only into a folder that exists.
    pub fn log_folder(&self) -> Option<PathBuf> {
        let logs = match &self.command {
            None => true,
            Some(command) => matches!(
                command,
                Command::Import { .. }
                    | Command::Demo
                    | Command::Verify { .. }
                    | Command::Backup { .. }
                    | Command::Export { .. }
                    | Command::Audit { .. }
                    | Command::Evidence { .. }
                    | Command::Label { .. }
            ),
        };
        // A command does not make a data folder only to log in it (a mistyped --data-dir stays absent).
        let folder = data_folder(self.data_dir.as_deref()).ok().filter(|_| logs)?;
        (self.command.is_none() || folder.is_dir()).then_some(folder)
    }
}

/// Runs the command, or gathers what the window needs.
pub fn run(cli: Cli) -> Result<Invocation, CliError> {
    let policies = load_policies(cli.policy_dir.as_deref())?;
    // The one clock of a command: read here, at the edge, and passed in everywhere else.
    let clock = Clock::System;
    match cli.command {
        None => {
            let folder = data_folder(cli.data_dir.as_deref())?;
            let settings = scanner::Settings {
                baud: cli.scanner_baud,
                suffix: cli.scanner_suffix,
                repeat_window_ms: cli.repeat_window_ms,
            };
            let scanners =
                cli.scanners.iter().enumerate().map(|(i, port)| scanner::config(i, port, &settings)).collect();
            let pin_secret = station_secret(cli.pin_secret.as_deref(), &folder)?;
            let database = DatabaseLocation::choose(cli.database.as_deref(), &folder)?;
            return Ok(Invocation::Window(Box::new(WindowArgs {
                pin_secret,
                policies,
                database,
                data_dir: folder,
                station: cli.station,
                scanners,
                hot_folder: cli.hot_folder,
            })));
        }
        Some(Command::Decide { case, today }) => {
            let today = today.unwrap_or_else(|| clock.now().today);
            decide::run(&case, &policies, today)?;
        }
        Some(Command::Classify { codes }) => classify::run(&policies, &codes)?,
        Some(Command::Import { what }) => {
            let (kind, file) = match what {
                ImportCommand::Orders { file } => (data::ImportKind::Orders, file),
                ImportCommand::Rmas { file } => (data::ImportKind::Rmas, file),
                ImportCommand::ShopifyOrders { file, merchant, categories, utc_offset } => {
                    let warehouse = utc_offset.unwrap_or_else(|| clock.now().offset);
                    (data::ImportKind::Shopify { merchant, categories, warehouse }, file)
                }
            };
            let worker = open_store(cli.database.as_deref(), cli.data_dir.as_deref(), &policies)?;
            data::import(&worker.client(), kind, &file, stamp(&cli.station, &clock.now()))?;
        }
        Some(Command::SimulateScanner { port, capture, baud, pause_ms }) => {
            scanner::simulate(&port, &capture, baud, std::time::Duration::from_millis(pause_ms))?;
        }
        Some(Command::Listen { port, baud, count, record, force }) => {
            if let Some(path) = &record {
                crate::output::check(path, data_folder(cli.data_dir.as_deref()).ok().as_deref(), force)?;
            }
            let settings =
                scanner::Settings { baud, suffix: cli.scanner_suffix, repeat_window_ms: cli.repeat_window_ms };
            scanner::listen(&policies, &port, &settings, count, record.as_deref())?;
        }
        Some(Command::Ports) => scanner::ports()?,
        Some(Command::Demo) => {
            let worker = open_store(cli.database.as_deref(), cli.data_dir.as_deref(), &policies)?;
            let now = clock.now();
            let stamp = stamp(&cli.station, &now);
            let today = now.today;
            let secret = station_secret(cli.pin_secret.as_deref(), &data_folder(cli.data_dir.as_deref())?)?;
            let (orders, rmas) = worker.client().call(move |s| crate::demo::load_demo(s, today, &stamp, &secret))??;
            print(&format!("demo data loaded: {} orders, {} RMAs\n", orders.new, rmas.new))?;
        }
        Some(Command::Verify { head }) => {
            let folder = data_folder(cli.data_dir.as_deref())?;
            let store = open_store(cli.database.as_deref(), Some(&folder), &policies)?;
            data::verify(&store.client(), &folder, head)?;
        }
        Some(Command::Backup { destination }) => {
            let folder = data_folder(cli.data_dir.as_deref())?;
            crate::output::check_not_station_file(&destination, Some(&folder))?;
            data::backup(&open_store(cli.database.as_deref(), Some(&folder), &policies)?.client(), &destination)?;
        }
        Some(Command::Export { queue, batch, dir }) => {
            let folder = data_folder(cli.data_dir.as_deref())?;
            let target = dir.unwrap_or_else(|| crate::storage::exports_path(&folder));
            let worker = open_store(cli.database.as_deref(), Some(&folder), &policies)?;
            let (actor, now) = (actor(&cli.station), clock.now());
            let report = worker.client().call(move |store| match (batch, queue) {
                (Some(batch_id), _) => {
                    crate::bench::queues::write_batch(store, &actor, &now, batch_id, &target).map(Some)
                }
                (None, Some(queue)) => crate::bench::queues::export(store, &actor, &now, queue, &target),
                (None, None) => Ok(None),
            })??;
            match report {
                Some(report) => print(&format!("{}\n", report.words()))?,
                None => print("nothing new to export: every open item of the queue is already in a batch\n")?,
            }
        }
        Some(Command::Restore { backup }) => {
            let folder = data_folder(cli.data_dir.as_deref())?;
            // A backup file is one bench's SQLite database; a shared server is restored by its own tools.
            if let DatabaseLocation::Postgres(_) = DatabaseLocation::choose(cli.database.as_deref(), &folder)? {
                return Err(CliError::Store(crate::storage::StoreError::NotOnThisBackend {
                    what: "restoring a backup file",
                    instead: "this station uses the shared PostgreSQL database; restore that server with its own tools",
                }));
            }
            data::restore(&backup, &folder)?;
            data::verify(&open_store(cli.database.as_deref(), Some(&folder), &policies)?.client(), &folder, None)?;
        }
        Some(Command::MigrateFrom { bench }) => {
            migrate::run(cli.database.as_deref(), cli.data_dir.as_deref(), &bench, &policies, &clock.now())?;
        }
        Some(Command::Audit { action: AuditCommand::Anchor }) => {
            let folder = data_folder(cli.data_dir.as_deref())?;
            let head =
                open_store(cli.database.as_deref(), Some(&folder), &policies)?.client().call(|s| s.audit_head())??;
            let exports = crate::storage::exports_path(&folder);
            let path = crate::anchor::path(&exports);
            crate::anchor::append(&exports, &head, clock.now().at, "by hand")
                .map_err(|source| CliError::Write { path: path.clone(), source })?;
            print(&format!("audit head {head} added to {}\n", path.display()))?;
        }
        Some(Command::Audit { action: AuditCommand::Head }) => {
            let head = open_store(cli.database.as_deref(), cli.data_dir.as_deref(), &policies)?
                .client()
                .call(|s| s.audit_head())??;
            print(&format!("{head}\n"))?;
        }
        Some(Command::Drill { action }) => match action {
            DrillCommand::Crash { kills, seed, max_delay_ms, backup_every, fresh_every } => {
                let every = drill::Every { backup: backup_every, fresh_folder: fresh_every };
                drill::crash(&policies, cli.data_dir.as_deref(), kills, seed, max_delay_ms, every)?;
            }
            DrillCommand::TwoStations { packages, seed } => {
                drill::two_stations(&policies, cli.data_dir.as_deref(), packages, seed)?;
            }
            DrillCommand::Settle { rma } => {
                drill::settle(&policies, cli.database.as_deref(), cli.data_dir.as_deref(), &cli.station, &rma)?;
            }
            DrillCommand::Benches { benches, packages, seed, kills, restart_server } => {
                let run = drill::BenchesRun { benches, packages, seed, kills, restart_server };
                drill::benches(&policies, cli.database.as_deref(), cli.data_dir.as_deref(), run)?;
            }
            DrillCommand::Worker { seed, packages } => {
                let database = cli.database.as_deref();
                drill::worker(&policies, database, cli.data_dir.as_deref(), &cli.station, seed, packages)?;
            }
        },
        Some(Command::BenchSheet { output, force }) => {
            crate::output::check(&output, data_folder(cli.data_dir.as_deref()).ok().as_deref(), force)?;
            bench_sheet::run(&output)?;
        }
        Some(Command::Evidence { rma, output, merchant, force }) => {
            let folder = data_folder(cli.data_dir.as_deref())?;
            let worker = open_store(cli.database.as_deref(), Some(&folder), &policies)?;
            let photos = crate::storage::photos_path(&folder);
            let target = OutputFile { path: &output, data_dir: &folder, force };
            evidence::run(&worker.client(), &photos, &rma, merchant, target, stamp(&cli.station, &clock.now()))?;
        }
        Some(Command::Label { number, format, output, force }) => {
            let folder = data_folder(cli.data_dir.as_deref())?;
            let target = OutputFile { path: &output, data_dir: &folder, force };
            label::run(
                &open_store(cli.database.as_deref(), Some(&folder), &policies)?.client(),
                &policies,
                &number,
                format,
                target,
            )?;
        }
        Some(Command::Policy { action: PolicyCommand::Check { files } }) => policy::check(&files)?,
        Some(Command::Policy { action: PolicyCommand::Show { merchant } }) => policy::show(&policies, &merchant)?,
    }
    Ok(Invocation::Done(ExitCode::SUCCESS))
}

/// A queue's name as the vocabulary spells it; `store-credit` is taken for `store_credit`.
fn parse_queue(text: &str) -> Result<Queue, String> {
    text.replace('-', "_").parse().map_err(|e: crate::domain::vocabulary::UnknownWord| e.to_string())
}

/// Opens the station's database on its storage thread.
/// The data folder: the one given, or the platform's.
fn data_folder(data_dir: Option<&Path>) -> Result<PathBuf, CliError> {
    match data_dir {
        Some(folder) => Ok(folder.to_path_buf()),
        None => default_data_dir().ok_or(CliError::NoDataDir),
    }
}

/// The station's PIN secret: `--pin-secret`, `RMA_STATION_PIN_SECRET` or the platform's, made at first
/// need, and never inside the data folder.
fn station_secret(given: Option<&Path>, data_dir: &Path) -> Result<crate::auth::PinSecret, CliError> {
    let path = crate::auth::secret::secret_path(given, Some(data_dir))?;
    Ok(crate::auth::PinSecret::load_or_create(&path)?)
}

/// Opens the station's database (`--database`, `station.toml`, or the data folder's SQLite file) on its
/// storage thread.
fn open_store(
    database: Option<&str>,
    data_dir: Option<&Path>,
    policies: &PolicySet,
) -> Result<StorageWorker, CliError> {
    let folder = data_folder(data_dir)?;
    let location = DatabaseLocation::choose(database, &folder)?;
    let store = crate::storage::open(&location, policies)?;
    StorageWorker::spawn(store).map_err(CliError::Thread)
}

/// Who is acting: the person at the terminal (`cli:$USER`), at this bench. Whoever can run the station's
/// commands on its data folder holds what a supervisor may do.
fn actor(station: &str) -> Actor {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".to_owned());
    Actor {
        name: format!("cli:{user}"),
        role: crate::domain::vocabulary::Role::Supervisor,
        station: station.to_owned(),
    }
}

/// Who is acting, where and when, for what a command records.
fn stamp(station: &str, now: &Now) -> Stamp {
    actor(station).stamp(now)
}

fn load_policies(folder: Option<&Path>) -> Result<PolicySet, CliError> {
    let built_in = PolicySet::built_in()?;
    Ok(match folder {
        Some(folder) => built_in.with_folder(folder)?,
        None => built_in,
    })
}

/// Reads a file, or standard input for `-`.
fn read_input(path: &Path) -> Result<String, CliError> {
    let read_error = |source| CliError::Read { path: path.to_path_buf(), source };
    if path == Path::new("-") {
        let mut text = String::new();
        io::stdin().read_to_string(&mut text).map_err(read_error)?;
        Ok(text)
    } else {
        std::fs::read_to_string(path).map_err(read_error)
    }
}

/// Reads a file's bytes.
fn read_bytes(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|source| CliError::Read { path: path.to_path_buf(), source })
}

/// The file a command was told to write (`-o`), with the data folder whose files it must never replace and
/// whether an existing file may be (`--force`).
#[derive(Debug, Clone, Copy)]
struct OutputFile<'a> {
    path: &'a Path,
    data_dir: &'a Path,
    force: bool,
}

impl OutputFile<'_> {
    /// Refuses `path` (the output file, or one written beside it) before anything is written
    /// (`crate::output::check`).
    fn check(&self, path: &Path) -> Result<(), CliError> {
        Ok(crate::output::check(path, Some(self.data_dir), self.force)?)
    }
}

/// Writes the command's output to standard output.
fn print(text: &str) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush()).map_err(CliError::Output)
}
