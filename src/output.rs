//! Where a command may write a file it is told to (`-o FILE`, `--record FILE`, a backup's destination): never
//! onto the station's own files, and onto an existing file only when the operator says `--force`.
//!
//! The station's files are the database with its `-wal`, `-shm` and `-journal`, and everything under the data
//! folder's `photos`, `exports` and `logs`. Paths are compared as the system resolves them: links followed and
//! `..` taken away, so a link into the data folder is caught like the path itself. A file not there yet cannot
//! be resolved, so its folder is, and its name joined back on.
//!
//! This module only decides; it writes nothing. The write itself is `crate::durable`'s. Between this check and
//! the write another program could still create the file; the check is for an operator's slip, not a race.

use std::fs;
use std::path::{Path, PathBuf};

use crate::storage::{database_path, exports_path, photos_path};

/// How many links in a row are followed by hand (for a link whose target does not exist yet) before giving
/// up; the system's own limit is of the same order.
const MAX_LINKS: usize = 40;

/// The files beside the database that SQLite owns, with what each is.
const DATABASE_FILES: [(&str, &str); 4] = [
    ("", "the station's database"),
    ("-wal", "the station's database's write-ahead log"),
    ("-shm", "the station's database's shared-memory index"),
    ("-journal", "the station's database's journal"),
];

/// Why a command will not write where it was told to; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum OutputRefused {
    #[error("{} is {what}{}; choose another file", path.display(), leads_to(path, real))]
    Database { path: PathBuf, real: PathBuf, what: &'static str },
    #[error("{} is in the station's {folder} folder{}, which only the station writes; choose another file", path.display(), leads_to(path, real))]
    StationFolder { path: PathBuf, real: PathBuf, folder: &'static str },
    #[error("{} exists; add --force to replace it", path.display())]
    Exists { path: PathBuf },
}

/// Refuses `path` if it is one of the station's files in `data_dir` (when there is a data folder), or if
/// anything is there already (a file, a link, even a broken one) and `force` is not given.
pub fn check(path: &Path, data_dir: Option<&Path>, force: bool) -> Result<(), OutputRefused> {
    check_not_station_file(path, data_dir)?;
    if !force && fs::symlink_metadata(path).is_ok() {
        return Err(OutputRefused::Exists { path: path.to_path_buf() });
    }
    Ok(())
}

/// Refuses `path` if it is, or leads to, one of the station's files in `data_dir`. Whether something is there
/// already is left to the caller (a backup never replaces a file, with or without `--force`).
pub fn check_not_station_file(path: &Path, data_dir: Option<&Path>) -> Result<(), OutputRefused> {
    // No data folder (none given, none on this platform, or not created yet): no station files to protect.
    let Some(data) = data_dir.and_then(|dir| fs::canonicalize(dir).ok()) else { return Ok(()) };
    // A path whose folder does not exist cannot be written at all; the write says so.
    let Some(real) = resolve(path) else { return Ok(()) };
    let refused = |what| OutputRefused::Database { path: path.to_path_buf(), real: real.clone(), what };
    for database in [database_path(&data), real_or_same(&database_path(&data))] {
        for (suffix, what) in DATABASE_FILES {
            let mut name = database.clone().into_os_string();
            name.push(suffix);
            if real == Path::new(&name) {
                return Err(refused(what));
            }
        }
    }
    let folders =
        [("photo", photos_path(&data)), ("exports", exports_path(&data)), ("log", crate::log::logs_path(&data))];
    for (folder, inside) in folders {
        if real.starts_with(&inside) || real.starts_with(real_or_same(&inside)) {
            return Err(OutputRefused::StationFolder { path: path.to_path_buf(), real, folder });
        }
    }
    Ok(())
}

/// Where `path` really leads: links followed and `..` resolved. A file not there yet (or a link to one) is its
/// resolved folder joined with its name. None if its folder does not exist or the links go round in a circle.
fn resolve(path: &Path) -> Option<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        if let Ok(real) = fs::canonicalize(&current) {
            return Some(real);
        }
        let folder = match current.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        // A link whose target is not there yet: follow it by hand (a relative target is read from the link's
        // folder; joining an absolute one replaces the folder, as the system reads it).
        if let Ok(target) = fs::read_link(&current) {
            current = folder.join(target);
            continue;
        }
        let name = current.file_name()?;
        return fs::canonicalize(folder).ok().map(|folder| folder.join(name));
    }
    None
}

/// The path resolved if it exists (a photo folder may be a link to another disk), else as it is.
fn real_or_same(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// " (it leads to REAL)" when the path given is not plainly the file it reaches (a link, `..`).
fn leads_to(path: &Path, real: &Path) -> String {
    match std::path::absolute(path) {
        Ok(absolute) if absolute == real => String::new(),
        _ => format!(" (it leads to {})", real.display()),
    }
}
