//! The station's log file: what a support person asks for first. One file a day in the data folder's
//! `logs` (`rma-station.YYYY-MM-DD.log`, the date in UTC, 30 kept), one plain line per event at INFO and
//! above: every worker thread's start and stop and a panicked join (the [`crate::worker`] type writes
//! those), every error shown to the clerk ([`shown_to_clerk`]), and every scan with its source (the serial
//! reader, and the window for the keyboard).
//!
//! Lines are written by `tracing-appender`'s own writer thread, so logging never waits on the disk; its
//! [`LogGuard`] flushes what is left when it is dropped and is held for the life of the process. This
//! module does not decide what is logged, only where it goes.

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::fmt::time::ChronoLocal;

/// The log files' folder inside the data folder.
pub fn logs_path(data_dir: &Path) -> PathBuf {
    data_dir.join("logs")
}

/// How many daily files are kept: a month, enough to look back at a complaint about last week's returns.
pub const KEEP_FILES: usize = 30;

/// Keeps the log's writer thread alive; dropping it flushes the lines still queued.
#[derive(Debug)]
#[must_use = "the log stops (and lines are lost) when the guard is dropped"]
pub struct LogGuard {
    _writer: WorkerGuard,
}

/// Why the log file could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("{}: cannot keep the log file here: {source}", path.display())]
    Folder { path: PathBuf, source: std::io::Error },
    #[error("{}: cannot keep the log file here: {source}", path.display())]
    File { path: PathBuf, source: tracing_appender::rolling::InitError },
    #[error("a log was already set up for this process")]
    AlreadySet,
}

/// A subscriber writing to the data folder's log file, for a caller that installs it (the process's
/// [`init`], or a test's scoped `tracing::subscriber::with_default`).
pub fn file_subscriber(
    data_dir: &Path,
) -> Result<(impl tracing::Subscriber + Send + Sync + 'static, LogGuard), LogError> {
    let folder = logs_path(data_dir);
    std::fs::create_dir_all(&folder).map_err(|source| LogError::Folder { path: folder.clone(), source })?;
    let files = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("rma-station")
        .filename_suffix("log")
        .max_log_files(KEEP_FILES)
        .build(&folder)
        .map_err(|source| LogError::File { path: folder.clone(), source })?;
    let (writer, guard) = tracing_appender::non_blocking(files);
    let subscriber = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        // Local time with its offset: what the clerk's clock said, and unambiguous.
        .with_timer(ChronoLocal::new("%Y-%m-%dT%H:%M:%S%.3f%:z".to_owned()))
        .with_thread_names(true)
        .with_target(false)
        .finish();
    Ok((subscriber, LogGuard { _writer: guard }))
}

/// Sends the whole process's log to the data folder's log file; keep the guard until the process ends.
pub fn init(data_dir: &Path) -> Result<LogGuard, LogError> {
    let (subscriber, guard) = file_subscriber(data_dir)?;
    tracing::subscriber::set_global_default(subscriber).map_err(|_| LogError::AlreadySet)?;
    Ok(guard)
}

/// An error the clerk was shown, as they read it.
pub fn shown_to_clerk(message: &str) {
    tracing::error!(shown = message, "error shown to the clerk");
}

/// A scan taken in, with where it came from (a serial scanner's name, or `keyboard`).
pub fn scan_received(source: &str, code: &str) {
    tracing::info!(source, code, "scan received");
}
