//! Checking a SQLite database: `verify` (integrity and foreign keys, then the records and the audit chain as
//! every backend checks them)
//! and a checked backup with `VACUUM INTO` under a temporary name, renamed into place once whole and verified. `restore` checks a backup with the same `verify_connection`.

use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::storage::sql::consistency::records_and_chain;
use crate::storage::{StoreError, VerifyReport};

/// Writes a checked copy of the database to `destination`, which must not exist: `VACUUM INTO` a temporary
/// file beside it (`.NAME.partial-PID`), the copy verified and flushed to disk, then renamed to its name and
/// the folder flushed. A copy that does not verify is not kept (the report says why). On any failure the
/// temporary file and SQLite's files beside it are removed, so the name only ever holds a whole, checked
/// backup; a process killed midway leaves at most a temporary file, which the next backup to that name
/// removes.
pub(super) fn backup_to(conn: &Connection, destination: &Path) -> Result<VerifyReport, StoreError> {
    if fs::symlink_metadata(destination).is_ok() {
        return Err(StoreError::BackupExists { path: destination.to_path_buf() });
    }
    let io = |what: &str| StoreError::Io { path: destination.to_path_buf(), what: what.to_owned() };
    let name = destination.file_name().ok_or_else(|| io("names a folder, not a file"))?.to_string_lossy();
    let folder = match destination.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !folder.is_dir() {
        return Err(io(&format!("cannot write: the folder {} does not exist", folder.display())));
    }
    let prefix = format!(".{name}.partial-");
    remove_leftovers(&folder, &prefix);
    let partial = folder.join(format!("{prefix}{}", std::process::id()));
    let written = write_checked(conn, &partial, &folder, destination);
    if !matches!(written, Ok(ref report) if report.is_sound()) {
        remove_partial(&partial);
    }
    let mut report = written?;
    if !report.is_sound() {
        report.problems.push(format!("the copy did not verify, so {} was not written", destination.display()));
        return Ok(report);
    }
    crate::durable::sync_folder(&folder).map_err(|e| {
        StoreError::io(&folder, "the backup is written, but this folder could not be flushed to disk", &e)
    })?;
    Ok(report)
}

/// `VACUUM INTO` `partial`, verified, flushed and renamed to `destination`: the copy's report (a copy that
/// does not verify is not renamed).
fn write_checked(
    conn: &Connection,
    partial: &Path,
    folder: &Path,
    destination: &Path,
) -> Result<VerifyReport, StoreError> {
    let text = partial.to_str().ok_or_else(|| StoreError::Io {
        path: destination.to_path_buf(),
        what: "the path is not valid UTF-8".to_owned(),
    })?;
    // VACUUM INTO reads one consistent snapshot while other connections keep writing. Its errors here are the
    // destination's (the source is only read), so a full disk is the destination's disk.
    conn.execute("VACUUM INTO ?1", [text]).map_err(|error| match StoreError::from(error) {
        StoreError::DiskFull => StoreError::BackupDiskFull { folder: folder.to_path_buf() },
        StoreError::DiskWrite { detail } => StoreError::BackupWrite { folder: folder.to_path_buf(), detail },
        other => other,
    })?;
    let report = {
        let copy = Connection::open_with_flags(partial, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        verify_connection(&copy)?
    };
    if !report.is_sound() {
        return Ok(report);
    }
    // SQLite does not flush what VACUUM INTO wrote; the rename must not reach the disk before the bytes do.
    fs::File::open(partial)
        .and_then(|file| file.sync_all())
        .map_err(|e| StoreError::io(destination, "the backup could not be flushed to disk; nothing was kept", &e))?;
    if fs::symlink_metadata(destination).is_ok() {
        return Err(StoreError::BackupExists { path: destination.to_path_buf() });
    }
    fs::rename(partial, destination)
        .map_err(|e| StoreError::io(destination, "the backup could not be put in place; nothing was kept", &e))?;
    Ok(report)
}

/// Removes the temporary files of earlier backups to this name that were killed midway (`PREFIX<pid>` and
/// SQLite's files beside it). Nothing else in the folder is touched.
fn remove_leftovers(folder: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(folder) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(prefix)) else { continue };
        let pid = ["-journal", "-wal", "-shm"].iter().find_map(|s| rest.strip_suffix(s)).unwrap_or(rest);
        if !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Removes a temporary backup file and SQLite's files beside it, whichever exist.
fn remove_partial(partial: &Path) {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let mut name = partial.as_os_str().to_owned();
        name.push(suffix);
        let _ = fs::remove_file(PathBuf::from(name));
    }
}

pub(super) fn verify_connection(conn: &Connection) -> Result<VerifyReport, StoreError> {
    // A backup from before schema 11 has no seals: its entries are read as they were written.
    let sealed: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM pragma_table_info('audit_log') WHERE name = 'content')",
        [],
        |r| r.get(0),
    )?;
    let mut problems: Vec<String> = {
        let mut stmt = conn.prepare("PRAGMA integrity_check")?;
        stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?
    };
    problems.retain(|p| p != "ok");
    {
        let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
        let broken = stmt.query_map([], |r| {
            Ok(format!(
                "{} row {} points at a missing {}",
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?
            ))
        })?;
        for problem in broken {
            problems.push(problem?);
        }
    }
    records_and_chain(conn, problems, sealed)
}
