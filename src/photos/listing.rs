//! Folder listings for the photo picker: what a folder holds (name, folder or file, size, time modified),
//! read on the `folder-list` thread (an [`ErrandThread`](crate::worker::errand::ErrandThread)) so the
//! window never reads the file system itself.
//!
//! A listing is everything in the folder, up to [`MAX_ENTRIES`]; choosing what to show (folders and
//! photos, not hidden files) and in which order is the picker's own pure business. Symbolic links are
//! followed, so a link to a folder opens like a folder; a link to nothing is left out. A path that names a
//! file lists the file's folder with the file picked out. The folder listed is named by its absolute path. Errors name the folder and say what went wrong
//! in words a clerk can act on (no such folder, permission denied).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

/// The most entries one listing holds; a bigger folder is listed in part, and says so.
pub const MAX_ENTRIES: usize = 50_000;

/// How many listings may wait for the `folder-list` thread.
pub const QUEUE_DEPTH: usize = 8;

/// One thing in a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderEntry {
    pub path: PathBuf,
    /// The name as shown (a name that is not UTF-8 is shown with replacement characters; `path` is exact).
    pub name: String,
    pub is_folder: bool,
    /// Bytes; 0 for a folder.
    pub size: u64,
    pub modified: Option<DateTime<Utc>>,
}

/// What a folder holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    pub folder: PathBuf,
    pub entries: Vec<FolderEntry>,
    /// More than [`MAX_ENTRIES`] were there: the rest are left out.
    pub truncated: bool,
    /// The file the request named, to be picked out in its folder.
    pub highlight: Option<PathBuf>,
}

/// Why a folder could not be listed; the message is for the clerk.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error("{}: no such folder (it may have been moved, renamed or unplugged)", path.display())]
    NotFound { path: PathBuf },
    #[error("{}: permission denied: the station's user may not open this folder", path.display())]
    PermissionDenied { path: PathBuf },
    #[error("{}: cannot be listed: {source}", path.display())]
    Other { path: PathBuf, source: io::Error },
}

impl ListError {
    /// The error of reading `path`, in the clerk's words.
    pub fn from_io(path: &Path, source: io::Error) -> ListError {
        let path = path.to_path_buf();
        match source.kind() {
            io::ErrorKind::NotFound => ListError::NotFound { path },
            io::ErrorKind::PermissionDenied => ListError::PermissionDenied { path },
            _ => ListError::Other { path, source },
        }
    }
}

/// A listing the picker asks for, with its own number so an answer that comes too late is recognised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRequest {
    pub id: u64,
    /// Folders (or files) to try in turn: the first that can be listed is. Errors are those of the first.
    pub candidates: Vec<PathBuf>,
}

/// The answer to a [`ListRequest`].
#[derive(Debug)]
pub struct ListAnswer {
    pub id: u64,
    pub result: Result<Listing, ListError>,
}

/// Carries out a request on the calling thread (the `folder-list` thread's errand).
pub fn answer(request: ListRequest) -> ListAnswer {
    let mut first_error = None;
    for candidate in &request.candidates {
        match list(candidate) {
            Ok(listing) => return ListAnswer { id: request.id, result: Ok(listing) },
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    let result = Err(first_error.unwrap_or_else(|| ListError::NotFound { path: PathBuf::new() }));
    ListAnswer { id: request.id, result }
}

/// Lists `path`, or the folder of the file `path` names with that file picked out. The folder is named
/// by its absolute path without links or `..` (a relative hot folder, a typed `../photos`), so that
/// going up a folder always has somewhere to go; errors name the path as it was asked for.
pub fn list(path: &Path) -> Result<Listing, ListError> {
    let absolute = fs::canonicalize(path).map_err(|e| ListError::from_io(path, e))?;
    let metadata = fs::metadata(&absolute).map_err(|e| ListError::from_io(path, e))?;
    if !metadata.is_dir()
        && let Some(folder) = absolute.parent()
    {
        let mut listing = list_folder(folder)?;
        listing.highlight = Some(absolute);
        return Ok(listing);
    }
    list_folder(&absolute)
}

fn list_folder(folder: &Path) -> Result<Listing, ListError> {
    let read = fs::read_dir(folder).map_err(|e| ListError::from_io(folder, e))?;
    let mut entries = Vec::new();
    let mut truncated = false;
    for entry in read {
        let entry = entry.map_err(|e| ListError::from_io(folder, e))?;
        if entries.len() == MAX_ENTRIES {
            truncated = true;
            break;
        }
        let path = entry.path();
        // Follows links; a dangling link, or a file removed since the folder was read, is left out.
        let Ok(metadata) = fs::metadata(&path) else { continue };
        let is_folder = metadata.is_dir();
        entries.push(FolderEntry {
            name: entry.file_name().to_string_lossy().into_owned(),
            is_folder,
            size: if is_folder { 0 } else { metadata.len() },
            modified: metadata.modified().ok().map(DateTime::<Utc>::from),
            path,
        });
    }
    Ok(Listing { folder: folder.to_path_buf(), entries, truncated, highlight: None })
}
