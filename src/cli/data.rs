//! The data commands: `import orders|rmas|shopify-orders`, `verify`, `backup` and `restore`.
//!
//! Each reads its file here, parses it with `crate::formats::import`, and hands the records to the
//! storage thread, which writes them in one transaction. Progress and summaries go to the terminal.

use std::fmt::Write as _;
use std::path::Path;

use chrono::FixedOffset;
use indicatif::{ProgressBar, ProgressStyle};

use super::{CliError, print, read_input};
use crate::domain::records::{OrderRecord, RmaRecord};
use crate::formats::import::{
    CategoryMap, FileKind, ParseSummary, parse_category_map, parse_shopify_orders, parse_station_orders,
    parse_station_rmas,
};
use crate::hex::sha256_hex;
use crate::photos::store::{PhotoCheck, PhotoFolder, PhotoHash};
use crate::storage::worker::StorageClient;
use crate::storage::{AuditHead, ImportCounts, ImportSource, Stamp, VerifyReport};

/// Which kind of file an import reads.
#[derive(Debug, Clone)]
pub(super) enum ImportKind {
    Orders,
    Rmas,
    Shopify { merchant: String, categories: Option<std::path::PathBuf>, warehouse: FixedOffset },
}

enum Parsed {
    Orders(Vec<OrderRecord>),
    Rmas(Vec<RmaRecord>),
}

/// Imports one file, all or nothing, and prints what it did.
pub(super) fn import(store: &StorageClient, kind: ImportKind, path: &Path, stamp: Stamp) -> Result<(), CliError> {
    let text = read_input(path)?;
    let file = path.display().to_string();
    let bar = ProgressBar::new(text.len() as u64).with_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {bytes}/{total_bytes} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(format!("reading {file}"));
    let mut on_progress = |bytes: u64| bar.set_position(bytes);
    let (parsed, summary) = match kind {
        ImportKind::Orders => {
            let (records, summary) =
                parse_station_orders(&file, &text, FileKind::from_file_name(&file)?, &mut on_progress)?;
            (Parsed::Orders(records), summary)
        }
        ImportKind::Rmas => {
            let (records, summary) =
                parse_station_rmas(&file, &text, FileKind::from_file_name(&file)?, &mut on_progress)?;
            (Parsed::Rmas(records), summary)
        }
        ImportKind::Shopify { merchant, categories, warehouse } => {
            let categories = match categories {
                Some(map) => parse_category_map(&map.display().to_string(), &read_input(&map)?)?,
                None => CategoryMap::default(),
            };
            let (records, summary) =
                parse_shopify_orders(&file, &text, &merchant, &categories, warehouse, &mut on_progress)?;
            (Parsed::Orders(records), summary)
        }
    };
    bar.finish_and_clear();
    let source = ImportSource { file: file.clone(), sha256: sha256_hex(text.as_bytes()) };
    let (what, count, counts) = match parsed {
        Parsed::Orders(records) => {
            let count = records.len();
            let counts = store.call(move |s| s.import_orders(&source, &records, &stamp))??;
            ("orders", count, counts)
        }
        Parsed::Rmas(records) => {
            let count = records.len();
            let counts = store.call(move |s| s.import_rmas(&source, &records, &stamp))??;
            ("RMAs", count, counts)
        }
    };
    print(&import_summary(&file, what, count, &summary, &counts))
}

fn import_summary(file: &str, what: &str, records: usize, summary: &ParseSummary, counts: &ImportCounts) -> String {
    let mut out = format!(
        "{file}: {} rows read, {records} {what}: {} new, {} updated, {} unchanged\n",
        summary.rows_read, counts.new, counts.updated, counts.unchanged
    );
    if !summary.skipped.is_empty() {
        let _ = writeln!(out, "{} rows left out on purpose:", summary.skipped.len());
        for row in &summary.skipped {
            let _ = writeln!(out, "  line {}: {}", row.line, row.reason);
        }
    }
    out
}

/// Whether a head saved earlier is still in the chain with the same hash, and the line that says so.
fn head_kept(store: &StorageClient, saved: &AuditHead, entries: u64) -> Result<(bool, String), CliError> {
    let seq = saved.seq;
    let now = store.call(move |s| s.audit_hash_at(seq))??;
    let kept = now.as_deref() == Some(saved.hash.as_str());
    let words = match now {
        Some(_) if kept => format!("audit head {saved}: still in the chain, unchanged"),
        Some(_) => format!("audit head {saved}: REWRITTEN: entry {seq} no longer has that hash"),
        None => {
            format!("audit head {saved}: MISSING: the log has {entries} entries, not entry {seq}; entries were removed")
        }
    };
    Ok((kept, words))
}

/// Checks the database, its audit chain (against a head saved earlier, if given, and every head the exports
/// folder's anchor file keeps, [`crate::anchor`]) and every recorded photo's file; fails if anything is wrong.
pub(super) fn verify(store: &StorageClient, data: &Path, saved_head: Option<AuditHead>) -> Result<(), CliError> {
    let report = store.call(|s| s.verify())??;
    let mut out = report_words("database", &report);
    let mut head_kept = true;
    if let Some(saved) = saved_head {
        let (kept, words) = self::head_kept(store, &saved, report.audit_entries)?;
        head_kept = kept;
        let _ = writeln!(out, "{words}");
    }
    let exports = crate::storage::exports_path(data);
    let anchor = crate::anchor::path(&exports);
    let (anchored, broken) =
        crate::anchor::heads(&exports).map_err(|source| CliError::Read { path: anchor.clone(), source })?;
    let mut rewritten = 0;
    for kept in &anchored {
        let (still, words) = self::head_kept(store, &kept.head, report.audit_entries)?;
        if !still {
            rewritten += 1;
            let _ = writeln!(out, "{}:{}: {words}", anchor.display(), kept.line);
        }
    }
    for line in &broken {
        let _ = writeln!(out, "{}:{line}: not a head (a line cut short?); skipped", anchor.display());
    }
    if !anchored.is_empty() {
        let _ = writeln!(
            out,
            "audit heads kept in {}: {} checked, {}",
            anchor.display(),
            anchored.len(),
            if rewritten == 0 { "all still in the chain".to_owned() } else { format!("{rewritten} no longer there") }
        );
    }
    head_kept &= rewritten == 0;
    let (hashes, shared) = store.call(|s| s.photo_hashes().map(|hashes| (hashes, s.shares_photos())))??;
    let folder = PhotoFolder::new(crate::storage::photos_path(data));
    let (mut bad, mut cached) = (0usize, 0usize);
    for text in &hashes {
        let check = match text.parse::<PhotoHash>() {
            Ok(hash) => folder.verify(&hash).map_err(|e| e.to_string()),
            Err(e) => Err(format!("the recorded hash is not valid: {e}")),
        };
        let problem = match check {
            Ok(PhotoCheck::Ok) => {
                cached += 1;
                continue;
            }
            // Where the store shares photos the folder is this bench's cache: a photo not in it is fetched
            // when it is needed, and the store's own check above covers the original.
            Ok(PhotoCheck::Missing) if shared => continue,
            Ok(PhotoCheck::Missing) => "MISSING: its file is gone".to_owned(),
            Ok(PhotoCheck::Altered) if shared => {
                "ALTERED: this bench's cached copy no longer has the bytes recorded (the shared original is fetched \
                 again in its place when the photo is next needed)"
                    .to_owned()
            }
            Ok(PhotoCheck::Altered) => "ALTERED: its file no longer has the bytes recorded".to_owned(),
            Err(reason) => reason,
        };
        bad += 1;
        let _ = writeln!(out, "photo {text}: {problem}");
    }
    let verdict = if bad == 0 { "all present and unaltered".to_owned() } else { format!("{bad} with problems") };
    if shared {
        let _ = writeln!(
            out,
            "photos: {} checked in the shared database{}; {cached} cached in this bench's folder, {verdict}",
            hashes.len(),
            if report.problems.iter().any(|p| p.starts_with("photo original ")) { " (problems above)" } else { "" }
        );
    } else {
        let _ = writeln!(out, "photos: {} checked, {verdict}", hashes.len());
    }
    print(&out)?;
    if report.is_sound() && bad == 0 && head_kept { Ok(()) } else { Err(CliError::VerifyFailed) }
}

/// Restores a backup as the data folder's database, after checking it.
pub(super) fn restore(backup: &Path, data_dir: &Path) -> Result<(), CliError> {
    let database = crate::storage::database_path(data_dir);
    let report = crate::storage::restore::restore(backup, &database)?;
    print(&format!(
        "restored {} to {}: the backup verified ({} audit entries, head {})\n",
        backup.display(),
        database.display(),
        report.audit_entries,
        report.head_hash
    ))
}

/// Writes a checked copy of the database to `destination`.
pub(super) fn backup(store: &StorageClient, destination: &Path) -> Result<(), CliError> {
    let target = destination.to_path_buf();
    let report = store.call(move |s| s.backup_to(&target))??;
    print(&report_words(&format!("backup {}", destination.display()), &report))?;
    if report.is_sound() { Ok(()) } else { Err(CliError::VerifyFailed) }
}

fn report_words(what: &str, report: &VerifyReport) -> String {
    let mut out = String::new();
    if report.problems.is_empty() {
        let _ = writeln!(out, "{what}: integrity ok");
    }
    for problem in &report.problems {
        let _ = writeln!(out, "{what}: PROBLEM: {problem}");
    }
    match &report.chain_break {
        None => {
            let _ =
                writeln!(out, "audit log: {} entries, chain intact, head {}", report.audit_entries, report.head_hash);
        }
        Some(broken) => {
            let _ = writeln!(out, "audit log: BROKEN: {broken} ({} entries read)", report.audit_entries);
        }
    }
    out
}
