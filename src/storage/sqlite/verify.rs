//! Checking a SQLite database: counts, `verify` (integrity, foreign keys, whole changes, the audit chain)
//! and a checked backup with `VACUUM INTO`. `restore` checks a backup with the same `verify_connection`.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::audit_log::audit_row;
use crate::storage::audit::ChainCheck;
use crate::storage::{StoreCounts, StoreError, VerifyReport};

pub(super) fn counts(conn: &Connection) -> Result<StoreCounts, StoreError> {
    let count = |table: &str| -> Result<u64, StoreError> {
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
        Ok(n as u64)
    };
    Ok(StoreCounts {
        orders: count("orders")?,
        order_lines: count("order_lines")?,
        rmas: count("rmas")?,
        packages: count("packages")?,
        audit_entries: count("audit_log")?,
    })
}

pub(super) fn verify(conn: &Connection) -> Result<VerifyReport, StoreError> {
    verify_connection(conn)
}

pub(super) fn backup_to(conn: &Connection, destination: &Path) -> Result<VerifyReport, StoreError> {
    if destination.exists() {
        return Err(StoreError::BackupExists { path: destination.to_path_buf() });
    }
    let text = destination.to_str().ok_or_else(|| StoreError::Io {
        path: destination.to_path_buf(),
        what: "the path is not valid UTF-8".to_owned(),
    })?;
    // VACUUM INTO reads one consistent snapshot while other connections keep writing.
    conn.execute("VACUUM INTO ?1", [text])?;
    let copy = Connection::open_with_flags(destination, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    verify_connection(&copy)
}

pub(super) fn verify_connection(conn: &Connection) -> Result<VerifyReport, StoreError> {
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
    // Whole changes only mean something in a sound file (and a damaged one may not answer the queries).
    if problems.is_empty() {
        problems.extend(super::consistency::problems(conn)?);
    }
    let mut chain = ChainCheck::default();
    let mut stmt = conn.prepare(
        "SELECT seq, at, station, actor, entity, entity_id, action, detail, prev_hash, hash FROM audit_log ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        chain.check(&audit_row(row)?);
    }
    Ok(VerifyReport {
        problems,
        audit_entries: chain.entries,
        head_hash: chain.head().to_owned(),
        chain_break: chain.first_break,
    })
}
