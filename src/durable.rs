//! Durability helpers shared by everything that writes files the station must not lose (photo
//! originals, exports): the folder fsync that makes a rename itself survive a power cut.

use std::io;
use std::path::Path;

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
