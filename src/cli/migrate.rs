//! `migrate-from DATA_DIR`: moves an existing bench's SQLite history into the warehouse's empty PostgreSQL
//! database (`--database`, or `station.toml` in the data folder), then prints what was copied, table by
//! table, and how the copy verified there. The work is `storage::postgres::migrate_from`'s; this file chooses
//! the target, shows progress and says the outcome.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use super::{CliError, data_folder, print};
use crate::clock::Now;
use crate::policies::PolicySet;
use crate::storage::location::DatabaseLocation;
use crate::storage::postgres::migrate_from::{Checked, MoveError, Moved, migrate_from};

/// Moves the bench of `bench` (a data folder) into the database `--database` names.
pub(super) fn run(
    database: Option<&str>,
    data_dir: Option<&Path>,
    bench: &Path,
    policies: &PolicySet,
    now: &Now,
) -> Result<(), CliError> {
    let url = match DatabaseLocation::choose(database, &data_folder(data_dir)?)? {
        DatabaseLocation::Postgres(url) => url,
        DatabaseLocation::Sqlite(_) => return Err(MoveError::NoTarget.into()),
    };
    let started = Instant::now();
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut on_progress = |progress: crate::storage::postgres::migrate_from::Progress<'_>| {
        bar.set_length(progress.total);
        bar.set_position(progress.done);
        bar.set_message(format!("copying {}", progress.table));
    };
    let moved = migrate_from(bench, &url, policies, now.at, &mut on_progress);
    bar.finish_and_clear();
    let (moved, checked) = moved?;
    print(&words(bench, &moved, &checked, started.elapsed().as_secs_f64()))?;
    if checked.differences.is_empty() {
        Ok(())
    } else {
        Err(MoveError::Differs { database: moved.database, count: checked.differences.len() }.into())
    }
}

/// What was copied (table: rows), the photos, the head, and the check.
fn words(bench: &Path, moved: &Moved, checked: &Checked, seconds: f64) -> String {
    let mut out = format!("moved the bench {} into {} in {seconds:.1} s:\n", bench.display(), moved.database);
    let width = moved.tables.iter().map(|(table, _)| table.len()).max().unwrap_or(0);
    for (table, rows) in &moved.tables {
        let _ = writeln!(out, "  {table:<width$}  {rows}");
    }
    let _ =
        writeln!(out, "photos: {} files, {} bytes, each checked against its SHA-256", moved.photos, moved.photo_bytes);
    let _ = writeln!(out, "audit head: {} (the bench's)", moved.head);
    if checked.differences.is_empty() {
        let _ = writeln!(
            out,
            "verified there: integrity ok, {} audit entries, chain intact, head {}; every table holds what was copied",
            checked.report.audit_entries, checked.head
        );
    }
    for difference in &checked.differences {
        let _ = writeln!(out, "DIFFERENCE: {difference}");
    }
    out
}
