//! The audit chain's head kept outside the database: `exports/audit-heads.txt`, one line per head, appended
//! at each export batch and once a day. A whole-chain rewrite (every hash recomputed after an edit) passes the
//! chain's own check; it cannot also match heads that left the database before it, so `verify` checks every
//! head in this file against the chain. The file travels with the exports, to the people who pay, away from
//! the database.
//!
//! A line is `INSTANT SEQ:HASH WHY` (`2026-12-06T14:05:00Z 57:ab… batch 3`). Appending is not atomic, so a
//! line cut by a crash is reported by [`heads`] and skipped, never taken for a head.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};

use crate::storage::AuditHead;

pub const FILE_NAME: &str = "audit-heads.txt";

/// The anchor file in an exports folder.
pub fn path(exports: &Path) -> PathBuf {
    exports.join(FILE_NAME)
}

/// Appends `head` with the moment and why, and flushes it to disk.
pub fn append(exports: &Path, head: &AuditHead, at: DateTime<Utc>, why: &str) -> std::io::Result<()> {
    use std::io::{Read as _, Seek as _};
    crate::durable::create_folder(exports)?;
    let mut file = std::fs::OpenOptions::new().create(true).read(true).append(true).open(path(exports))?;
    // A line a crash cut short must not swallow this one: start on a line of its own.
    let mut last = [b'\n'];
    if file.metadata()?.len() > 0 {
        file.seek(std::io::SeekFrom::End(-1))?;
        file.read_exact(&mut last)?;
    }
    let start = if last[0] == b'\n' { "" } else { "\n" };
    writeln!(file, "{start}{} {head} {why}", at.to_rfc3339_opts(SecondsFormat::Secs, true))?;
    file.sync_all()
}

/// A line of the file: when it was written and the head it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchored {
    pub line: usize,
    pub at: DateTime<Utc>,
    pub head: AuditHead,
}

/// Every head in the file (none if there is no file yet), and the numbers of the lines that are not heads.
pub fn heads(exports: &Path) -> std::io::Result<(Vec<Anchored>, Vec<usize>)> {
    let text = match std::fs::read_to_string(path(exports)) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
        Err(error) => return Err(error),
    };
    let mut anchored = Vec::new();
    let mut broken = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let mut words = line.split_whitespace();
        let at = words.next().and_then(|w| DateTime::parse_from_rfc3339(w).ok());
        let head = words.next().and_then(|w| w.parse::<AuditHead>().ok());
        match (at, head) {
            (Some(at), Some(head)) => anchored.push(Anchored { line: index + 1, at: at.with_timezone(&Utc), head }),
            _ => broken.push(index + 1),
        }
    }
    Ok((anchored, broken))
}

/// Whether a head was anchored on or after `since` (the start of the bench's day): once a day is enough.
pub fn anchored_since(exports: &Path, since: DateTime<Utc>) -> bool {
    heads(exports).is_ok_and(|(heads, _)| heads.iter().any(|anchored| anchored.at >= since))
}
