//! Files the station must not lose, and the words of an I/O error: the one atomic write (a temporary file
//! beside the target, fsync, rename, fsync the folder) that photo originals, exports, labels, evidence packets
//! and a restored database all go through, and the one wording of an I/O error about a path
//! (`PATH: what: error`, a full disk saying so first).
//!
//! On Windows (NTFS) the same steps hold but one: a folder cannot be opened and flushed there, and NTFS
//! journals the rename itself, so there is no folder fsync. The rename replaces the target as on Unix:
//! `std::fs::rename` is `MoveFileExW` (with `MOVEFILE_REPLACE_EXISTING`) or `SetFileInformationByHandle`
//! there, "replacing the original file if `to` already exists" (std's documentation); only a read-only
//! target must first be made writable, which Windows refuses to replace.
//!
//! This module knows nothing of what it writes: callers say what fills the file and put each step's failure
//! in their own words.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Flushes a folder's entries to disk (on Unix a folder is opened and fsynced like a file), so a file
/// renamed into it is still there after a crash.
#[cfg(unix)]
pub fn sync_folder(folder: &Path) -> io::Result<()> {
    std::fs::File::open(folder)?.sync_all()
}

/// Windows has no folder fsync; NTFS journals the rename itself.
#[cfg(not(unix))]
pub fn sync_folder(_folder: &Path) -> io::Result<()> {
    Ok(())
}

/// An I/O error in the words an operator acts on: a full disk says so first.
pub fn describe(error: &io::Error) -> String {
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

/// Creates a folder and its parents. A link in the way that points nowhere (a `--data-dir` on a drive that is
/// not mounted, say) is named with where it points, instead of the system's "File exists".
pub fn create_folder(path: &Path) -> io::Result<()> {
    std::fs::create_dir_all(path).map_err(|error| {
        let dangling = path.ancestors().find(|place| {
            std::fs::symlink_metadata(place).is_ok_and(|meta| meta.file_type().is_symlink()) && !place.exists()
        });
        match dangling.and_then(|link| Some((link, std::fs::read_link(link).ok()?))) {
            Some((link, target)) => io::Error::new(
                io::ErrorKind::NotFound,
                format!("{} is a link to {}, which does not exist", link.display(), target.display()),
            ),
            None => error,
        }
    })
}

/// How every I/O error about a file or folder reads: `PATH: what: error`, the error [`describe`]d.
pub fn about(path: &Path, what: &str, error: &io::Error) -> String {
    format!("{}: {what}: {}", path.display(), describe(error))
}

/// The step of an atomic write that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Creating the temporary file beside the target.
    Create,
    /// Filling it.
    Write,
    /// Flushing it to disk (and making it read-only when asked).
    Flush,
    /// Renaming it over the target.
    Rename,
    /// Flushing the folder after the rename: the file is in place but may not survive a power cut.
    SyncFolder,
}

/// Why an atomic write failed: the step, the temporary file and folder involved, and the I/O error. Before
/// [`Step::SyncFolder`] the temporary file has been removed and the target is as it was.
#[derive(Debug)]
pub struct AtomicWriteError {
    pub step: Step,
    pub temp: PathBuf,
    pub folder: PathBuf,
    pub source: io::Error,
}

/// Distinguishes temporary files of concurrent writes from this process; the process id does between
/// processes, and a leftover file of the same name is skipped, never reused.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);
/// How many leftover temporary names to step over before giving up.
const TEMP_ATTEMPTS: u32 = 100;

/// Writes `path` so that a reader sees either the old file (or none) or the whole new one, even after a power
/// cut: a new temporary file `<temp_prefix><pid>-<n>.tmp` in the target's folder is filled by `fill`, flushed
/// to disk (and made read-only if `read_only`), renamed over `path`, and the folder flushed. A failure before
/// the rename removes the temporary file.
pub fn replace_file(
    path: &Path,
    temp_prefix: &str,
    read_only: bool,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<(), AtomicWriteError> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let failed =
        |step, temp: &Path, source| AtomicWriteError { step, temp: temp.to_path_buf(), folder: folder.clone(), source };
    let (temp, mut file) = create_temp(&folder, temp_prefix).map_err(|(temp, e)| failed(Step::Create, &temp, e))?;
    let filled = fill(&mut file).map_err(|e| (Step::Write, e)).and_then(|()| {
        let flushed = file.sync_all().and_then(|()| {
            if read_only {
                let mut permissions = file.metadata()?.permissions();
                permissions.set_readonly(true);
                file.set_permissions(permissions)?;
            }
            Ok(())
        });
        flushed.map_err(|e| (Step::Flush, e))
    });
    drop(file);
    if let Err((step, source)) = filled {
        let _ = fs::remove_file(&temp);
        return Err(failed(step, &temp, source));
    }
    // Windows refuses to replace a read-only file (a damaged photo original being repaired is one); Unix
    // renames over it as over any file.
    #[cfg(windows)]
    make_replaceable(path);
    if let Err(source) = fs::rename(&temp, path) {
        let _ = fs::remove_file(&temp);
        return Err(failed(Step::Rename, &temp, source));
    }
    // The rename is only durable once the folder's entry for it is on disk.
    sync_folder(&folder).map_err(|source| failed(Step::SyncFolder, &temp, source))
}

/// Clears the read-only attribute of an existing file at `path`, so that a rename may replace it. A failure
/// is left for the rename to report.
#[cfg(windows)]
fn make_replaceable(path: &Path) {
    if let Ok(metadata) = fs::symlink_metadata(path)
        && metadata.is_file()
        && metadata.permissions().readonly()
    {
        let mut permissions = metadata.permissions();
        #[expect(clippy::permissions_set_readonly_false, reason = "Windows only: clears an attribute, no mode bits")]
        permissions.set_readonly(false);
        let _ = fs::set_permissions(path, permissions);
    }
}

/// A new temporary file in `folder`, never an existing one; on failure, the last name tried.
fn create_temp(folder: &Path, prefix: &str) -> Result<(PathBuf, File), (PathBuf, io::Error)> {
    let mut last = None;
    for _ in 0..TEMP_ATTEMPTS {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = folder.join(format!("{prefix}{}-{n}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => last = Some((temp, error)),
            Err(error) => return Err((temp, error)),
        }
    }
    Err(last.unwrap_or_else(|| (folder.to_path_buf(), io::Error::other("no free temporary file name"))))
}

/// Why a file could not be written; each names the file (and the folder where that is the trouble).
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{}: cannot write: the folder {} does not exist", path.display(), folder.display())]
    NoFolder { path: PathBuf, folder: PathBuf },
    #[error("{}: cannot write: it names a folder, not a file", path.display())]
    NotAFile { path: PathBuf },
    #[error("{}; nothing was changed", about(path, "cannot write", source))]
    Write { path: PathBuf, source: io::Error },
    #[error("{}: written, but its folder {} could not be flushed to disk: {}; the file may not survive a power cut", path.display(), folder.display(), describe(source))]
    SyncFolder { path: PathBuf, folder: PathBuf, source: io::Error },
}

/// Writes `bytes` to `path` atomically ([`replace_file`]; the temporary file is `.<name>.<pid>-<n>.tmp`).
/// On failure `path` is as it was, and the error says which path could not be written and why.
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let Some(name) = path.file_name() else { return Err(WriteError::NotAFile { path: path.to_path_buf() }) };
    let prefix = format!(".{}.", name.to_string_lossy());
    replace_file(path, &prefix, false, |file| file.write_all(bytes)).map_err(|error| {
        let AtomicWriteError { step, folder, source, .. } = error;
        match step {
            Step::Create if source.kind() == io::ErrorKind::NotFound && !folder.is_dir() => {
                WriteError::NoFolder { path: path.to_path_buf(), folder }
            }
            Step::Rename if path.is_dir() => WriteError::NotAFile { path: path.to_path_buf() },
            Step::SyncFolder => WriteError::SyncFolder { path: path.to_path_buf(), folder, source },
            Step::Create | Step::Write | Step::Flush | Step::Rename => {
                WriteError::Write { path: path.to_path_buf(), source }
            }
        }
    })
}

/// Removes the file at `path`; one already gone is no error.
pub fn remove_if_there(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// The text of the file at `path`, or none where there is no file.
pub fn read_if_there(path: &Path) -> std::io::Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}
