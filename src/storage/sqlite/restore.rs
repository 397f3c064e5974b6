//! Restoring a backup (`rma-station backup`) as the data folder's database.
//!
//! The backup is checked before anything is written: SQLite's `integrity_check`, foreign keys, whole
//! changes and the audit chain, and a schema this station knows. It is then copied beside the
//! database's place, flushed to disk, renamed into place and the folder flushed, so a crash during a
//! restore leaves either no database or the whole backup. A restore never overwrites a database, nor
//! starts next to a leftover `-wal` or `-shm` file, which SQLite would apply to the restored file as if
//! it were its own. Photos are not in a backup: they stay in the photo folder (`verify` says if any
//! recorded photo's file is missing).

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::schema::{self, LATEST};
use super::verify::verify_connection;
use crate::durable::{Step, replace_file};
use crate::storage::{StoreError, VerifyReport};

/// Restores `backup` as the database at `database`, which must not exist yet. Returns the backup's check.
pub fn restore(backup: &Path, database: &Path) -> Result<VerifyReport, StoreError> {
    for existing in companions(database) {
        if existing.exists() {
            return Err(StoreError::RestoreOver { path: existing });
        }
    }
    let report = check_backup(backup)?;
    let folder = match database.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    crate::durable::create_folder(&folder).map_err(|e| StoreError::io(&folder, "cannot create the folder", &e))?;
    let name = database.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let copy = |file: &mut File| File::open(backup).and_then(|mut from| io::copy(&mut from, file)).map(|_| ());
    replace_file(database, &format!(".{name}.restoring-"), false, copy).map_err(|error| {
        let (path, what) = match error.step {
            Step::Create | Step::Write => (error.temp.as_path(), "cannot copy the backup here"),
            Step::Flush => (error.temp.as_path(), "cannot flush the copy to disk"),
            Step::Rename => (database, "cannot move the copy into place"),
            Step::SyncFolder => (error.folder.as_path(), "restored, but the folder could not be flushed to disk"),
        };
        StoreError::io(path, what, &error.source)
    })?;
    Ok(report)
}

/// The database file and the journal files SQLite keeps beside it.
fn companions(database: &Path) -> [PathBuf; 3] {
    let with = |suffix: &str| {
        let mut name = database.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    [database.to_path_buf(), with("-wal"), with("-shm")]
}

/// Opens the backup read-only and checks it; an unsound backup (or a file that is no database) is refused.
fn check_backup(backup: &Path) -> Result<VerifyReport, StoreError> {
    if !backup.is_file() {
        return Err(StoreError::Io { path: backup.to_path_buf(), what: "there is no backup file here".to_owned() });
    }
    let unsound = |problem: String| StoreError::BackupUnsound { path: backup.to_path_buf(), problem };
    let conn =
        Connection::open_with_flags(backup, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| unsound(e.to_string()))?;
    let found = schema::version(&conn).map_err(|e| unsound(e.to_string()))?;
    if found > LATEST {
        return Err(StoreError::NewerSchema { path: backup.to_path_buf(), found, supported: LATEST });
    }
    let report = verify_connection(&conn).map_err(|e| unsound(e.to_string()))?;
    let problem = report.problems.first().cloned().or_else(|| report.chain_break.as_ref().map(ToString::to_string));
    match problem {
        Some(problem) => Err(unsound(problem)),
        None => Ok(report),
    }
}
