//! A photo's original by its hash, wherever the bench finds it: the one place every reader asks (an evidence
//! packet, the photo viewer's thumbnails and full view, the `evidence` command).
//!
//! The bench's photo folder comes first. Where the store shares photos between benches (PostgreSQL), that
//! folder is the bench's cache: a photo another bench took, or one whose cached copy is gone or altered, is
//! fetched from the store, checked against its hash, written into the folder durably (repairing a damaged
//! copy) and then used, so the next read is local. Bytes that are not the photo are never cached nor handed
//! out. Where the store does not share photos (SQLite), the folder is the only store and a missing photo stays
//! missing, in the folder's own words.
//!
//! This module does not know how the store is reached: a [`SharedOriginals`] is the store itself on the
//! thread that owns it, or a [`StorageClient`] that asks the storage thread (from the window's `photos` and
//! `files` threads, never from the UI thread).

use crate::photos::store::{PhotoFolder, PhotoHash, PhotoStoreError};
use crate::storage::worker::StorageClient;
use crate::storage::{Store, StoreError};

/// Where a bench fetches the originals it has not cached: the store's shared photos.
pub trait SharedOriginals {
    /// The shared original, checked against its hash by the store; none when the store has none.
    fn fetch(&self, hash: &PhotoHash) -> Result<Option<Vec<u8>>, StoreError>;
}

/// The store itself, on the thread that owns it.
#[derive(Debug, Clone, Copy)]
pub struct InStore<'a>(pub &'a dyn Store);

impl SharedOriginals for InStore<'_> {
    fn fetch(&self, hash: &PhotoHash) -> Result<Option<Vec<u8>>, StoreError> {
        if self.0.shares_photos() { self.0.photo_original(hash) } else { Ok(None) }
    }
}

/// Waits for the storage thread's answer: only for threads other than the window's UI thread.
impl SharedOriginals for StorageClient {
    fn fetch(&self, hash: &PhotoHash) -> Result<Option<Vec<u8>>, StoreError> {
        let hash = *hash;
        self.call(move |store| InStore(store).fetch(&hash))?
    }
}

/// Why no original could be had.
#[derive(Debug, thiserror::Error)]
pub enum OriginalError {
    /// The folder's own words (missing, altered, unreadable), where the store has no copy either.
    #[error("{0}")]
    Folder(#[from] PhotoStoreError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("photo {0}: the store gave bytes that are not this photo; they were not used nor cached")]
    NotThePhoto(PhotoHash),
}

/// A bench's originals: its photo folder, and the store's shared photos behind it when there are any.
#[derive(Clone, Copy)]
pub struct Originals<'a> {
    folder: &'a PhotoFolder,
    shared: Option<&'a dyn SharedOriginals>,
}

impl std::fmt::Debug for Originals<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Originals").field("folder", &self.folder).field("shared", &self.shared.is_some()).finish()
    }
}

impl<'a> Originals<'a> {
    /// The folder alone: the bench's own photos (what a SQLite bench has, and tests of the folder).
    pub fn folder(folder: &'a PhotoFolder) -> Originals<'a> {
        Originals { folder, shared: None }
    }

    /// The folder as the cache of `shared`.
    pub fn cached(folder: &'a PhotoFolder, shared: &'a dyn SharedOriginals) -> Originals<'a> {
        Originals { folder, shared: Some(shared) }
    }

    /// The photo's original bytes, checked against its hash: from the folder, or else fetched, checked and
    /// cached first.
    pub fn read(&self, hash: &PhotoHash) -> Result<Vec<u8>, OriginalError> {
        let local = match self.folder.read(hash) {
            Ok(bytes) => return Ok(bytes),
            Err(local) => local,
        };
        let Some(shared) = self.shared else { return Err(local.into()) };
        let Some(bytes) = shared.fetch(hash)? else { return Err(local.into()) };
        if PhotoHash::of(&bytes) != *hash {
            return Err(OriginalError::NotThePhoto(*hash));
        }
        self.folder.put(&bytes)?;
        Ok(bytes)
    }
}
