//! Queue exports for the people who pay refunds and ship goods: one CSV row per queue item, written
//! to disk so that a reader never sees half a file.
//!
//! [`queue_csv`] is pure: queue rows in, CSV bytes out (a header row, then one row per item; amounts
//! as plain decimals such as `12.50`, address lines joined with ` / `). [`write_file_atomically`] writes
//! bytes to a temporary file in the target's own folder, flushes it to disk, renames it over the
//! target and flushes the folder, so the file is either the old one or the whole new one, even after a
//! power cut. A failed write removes its temporary file and says which path it could not write.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};

use crate::domain::vocabulary::Queue;
use crate::durable::sync_folder;

use crate::storage::{QueueRow, QueueStatus};

/// The export's columns, in order: the header row.
pub const QUEUE_COLUMNS: [&str; 17] = [
    "queue",
    "item_id",
    "merchant",
    "rma",
    "order",
    "customer",
    "email",
    "ship_to",
    "payment_reference",
    "currency",
    "amount",
    "due_on",
    "detail",
    "code",
    "status",
    "reference",
    "created_at",
];

/// What joins the lines of an address in one cell.
pub const ADDRESS_LINE_SEPARATOR: &str = " / ";

/// Why a file could not be written; each names the file (and the folder where that is the trouble).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{}: cannot write: the folder {} does not exist", path.display(), folder.display())]
    NoFolder { path: PathBuf, folder: PathBuf },
    #[error("{}: cannot write: it names a folder, not a file", path.display())]
    NotAFile { path: PathBuf },
    #[error("{}: cannot write: {}; nothing was changed", path.display(), describe(source))]
    Write { path: PathBuf, source: io::Error },
    #[error("{}: written, but its folder {} could not be flushed to disk: {}; the file may not survive a power cut", path.display(), folder.display(), describe(source))]
    SyncFolder { path: PathBuf, folder: PathBuf, source: io::Error },
}

/// The file name of a queue's export made at `at`, such as `refund-20261121-093000.csv`: the queue's own
/// word and the time's digits, nothing typed, so no input can steer an export out of the exports folder.
pub fn export_file_name(queue: Queue, at: DateTime<Utc>) -> String {
    format!("{}-{}.csv", queue.as_str().replace('_', "-"), at.format("%Y%m%d-%H%M%S"))
}

/// The queue items as CSV: the header row ([`QUEUE_COLUMNS`]), then one row per item in the order given.
/// Missing values (no amount, no code, an open item's reference) are empty cells.
pub fn queue_csv(rows: &[QueueRow]) -> Vec<u8> {
    let records: Vec<[String; 17]> = rows.iter().map(queue_record).collect();
    csv_bytes(&QUEUE_COLUMNS, &records)
}

/// A header row and records as CSV bytes.
pub fn csv_bytes<R: AsRef<[String]>>(header: &[&str], records: &[R]) -> Vec<u8> {
    let mut out = Vec::new();
    let written = write_csv(&mut out, header, records);
    // Writing to memory cannot fail, and the csv writer is flexible about record lengths only when told
    // to: every caller builds its records from the header's own columns.
    debug_assert!(written.is_ok(), "CSV into memory failed: {written:?}");
    out
}

fn write_csv<R: AsRef<[String]>>(out: &mut Vec<u8>, header: &[&str], records: &[R]) -> csv::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(header)?;
    for record in records {
        writer.write_record(record.as_ref())?;
    }
    writer.flush()?;
    Ok(())
}

/// A text cell that a spreadsheet will show as text, never run: a cell starting with `=`, `+`, `-`, `@`,
/// a tab or a carriage return is a formula to Excel and LibreOffice (a customer named
/// `=HYPERLINK(...)` would otherwise run in the payment person's spreadsheet), so it gets a leading `'`,
/// which spreadsheets hide and a program reading the file strips ([`spreadsheet_text`]).
pub fn spreadsheet_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The text a [`spreadsheet_safe`] cell stands for.
pub fn spreadsheet_text(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

/// One queue item's cells, in [`QUEUE_COLUMNS`] order.
fn queue_record(row: &QueueRow) -> [String; 17] {
    let (status, reference) = match &row.status {
        QueueStatus::Open => ("open", ""),
        QueueStatus::Done { reference, .. } => ("done", reference.as_str()),
    };
    let text = |value: &str| spreadsheet_safe(value).into_owned();
    [
        row.queue.as_str().to_owned(),
        row.id.to_string(),
        text(&row.merchant),
        text(&row.rma_number),
        text(&row.order_number),
        text(&row.customer_name),
        text(&row.customer_email),
        text(&row.ship_to.join(ADDRESS_LINE_SEPARATOR)),
        text(row.payment_reference.as_deref().unwrap_or_default()),
        text(&row.currency),
        row.amount.map(|amount| amount.to_string()).unwrap_or_default(),
        row.due_on.map(|date| date.format("%Y-%m-%d").to_string()).unwrap_or_default(),
        text(&row.detail),
        text(row.code.as_deref().unwrap_or_default()),
        status.to_owned(),
        text(reference),
        row.created_at.clone(),
    ]
}

/// Temporary files start with this (hidden on Unix), then the target's name.
const TEMP_PREFIX: &str = ".";
/// Distinguishes temporary files of concurrent writes from this process; the process id does between
/// processes, and a leftover file of the same name is skipped, never reused.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);
/// How many leftover temporary names to step over before giving up.
const TEMP_ATTEMPTS: u32 = 100;

/// Writes `bytes` to `path` so that a reader sees either the old file or the whole new one: a new
/// temporary file in the same folder, fsync, rename over `path`, fsync the folder. On failure the
/// temporary file is removed and `path` is as it was.
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    let Some(name) = path.file_name() else { return Err(ExportError::NotAFile { path: path.to_path_buf() }) };
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let write_error = |source| ExportError::Write { path: path.to_path_buf(), source };

    let (temp, mut file) = create_temp(&folder, &name.to_string_lossy()).map_err(|source| {
        if source.kind() == io::ErrorKind::NotFound && !folder.is_dir() {
            ExportError::NoFolder { path: path.to_path_buf(), folder: folder.clone() }
        } else {
            write_error(source)
        }
    })?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    drop(file);
    if let Err(source) = written {
        let _ = fs::remove_file(&temp);
        return Err(write_error(source));
    }
    if let Err(source) = fs::rename(&temp, path) {
        let _ = fs::remove_file(&temp);
        if path.is_dir() {
            return Err(ExportError::NotAFile { path: path.to_path_buf() });
        }
        return Err(write_error(source));
    }
    // The rename is only durable once the folder's entry for it is on disk.
    sync_folder(&folder).map_err(|source| ExportError::SyncFolder { path: path.to_path_buf(), folder, source })
}

/// A new temporary file beside the target, named `.<target>.<pid>-<n>.tmp`; never an existing one.
fn create_temp(folder: &Path, target: &str) -> io::Result<(PathBuf, File)> {
    let mut last_error = None;
    for _ in 0..TEMP_ATTEMPTS {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = folder.join(format!("{TEMP_PREFIX}{target}.{}-{n}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => last_error = Some(error),
            Err(error) => return Err(error),
        }
    }
    Err(last_error.unwrap_or_else(|| io::Error::other("no free temporary file name")))
}

/// An I/O error in the words an operator acts on: a full disk says so first.
fn describe(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
            format!("the disk is full ({error}); free some space and try again")
        }
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
            format!("the station may not write there ({error})")
        }
        _ => error.to_string(),
    }
}
