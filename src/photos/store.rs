//! The photo folder: original photo files stored by their content, durably, once each.
//!
//! A photo is kept as the exact bytes it arrived with, never re-encoded, in a file named by the
//! SHA-256 of those bytes: `root/ab/abcdef…` (the first two hex digits shard the folder). The name only
//! ever comes from the hash, so no user input (a file name from a camera, a path from a drop) can
//! steer where a file is written. A write goes to a temporary file in the same folder, is flushed to
//! disk (fsync), renamed into place and the folder is flushed too, so after `put` returns the photo
//! survives a power cut; a failed write removes its temporary file, so a full disk leaves nothing half
//! written behind. The same photo put twice is stored once.
//!
//! This module does not decode photos, read EXIF or record anything in the database: the caller
//! records the hash only after `put` has returned.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::durable::{Step, about, replace_file, sync_folder};

use sha2::{Digest, Sha256};

/// The SHA-256 of a photo's bytes: its identity and its file name.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhotoHash([u8; 32]);

impl PhotoHash {
    /// The hash of these bytes.
    pub fn of(bytes: &[u8]) -> PhotoHash {
        PhotoHash(Sha256::digest(bytes).into())
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// 64 lower-case hex digits.
    pub fn to_hex(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for PhotoHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::hex::encode(&self.0))
    }
}

impl fmt::Debug for PhotoHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhotoHash({self})")
    }
}

/// A photo hash written as text was not 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a photo hash (64 hex digits of a SHA-256)")]
pub struct BadPhotoHash(pub String);

impl FromStr for PhotoHash {
    type Err = BadPhotoHash;

    fn from_str(text: &str) -> Result<PhotoHash, BadPhotoHash> {
        let bad = || BadPhotoHash(text.chars().take(80).collect());
        crate::hex::decode(text).map(PhotoHash).ok_or_else(bad)
    }
}

/// The folder of stored photos (under the station's data folder).
#[derive(Debug, Clone)]
pub struct PhotoFolder {
    root: PathBuf,
}

/// A photo as `put` left it on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPhoto {
    pub sha256: PhotoHash,
    /// Where the original lies: `root/ab/abcdef…`.
    pub path: PathBuf,
    /// The photo's size in bytes.
    pub bytes: u64,
    /// The folder already held this exact photo; nothing was written.
    pub already_had: bool,
}

/// What a rehash of a stored photo found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoCheck {
    /// The file is there and its bytes still hash to its name.
    Ok,
    /// There is no file for this hash.
    Missing,
    /// The file is there but its bytes changed since they were stored.
    Altered,
}

/// Why the photo folder could not store or read a photo. Each names the file or folder concerned.
#[derive(Debug, thiserror::Error)]
pub enum PhotoStoreError {
    #[error("{}", about(path, "cannot create the photo folder", source))]
    CreateFolder { path: PathBuf, source: io::Error },
    #[error("{}; nothing was kept", about(path, "cannot write the photo", source))]
    Write { path: PathBuf, source: io::Error },
    #[error("{}; nothing was kept", about(path, "cannot move the written photo into place", source))]
    Rename { path: PathBuf, source: io::Error },
    #[error("{}", about(path, "cannot read the stored photo", source))]
    Read { path: PathBuf, source: io::Error },
    #[error("{}", about(path, "cannot list the photo folder", source))]
    List { path: PathBuf, source: io::Error },
}

/// Temporary files start with this, so that `list` and a person looking at the folder can tell them
/// from photos (a photo's name is 64 hex digits, never starting with a dot). A write cut off by a crash
/// leaves one behind; it is never listed, verified or recorded as a photo.
pub const TEMP_PREFIX: &str = ".incoming-";

impl PhotoFolder {
    /// The photo folder at `root`; it is created on the first `put`.
    pub fn new(root: impl Into<PathBuf>) -> PhotoFolder {
        PhotoFolder { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the photo with this hash lies (whether or not it is there).
    pub fn path_of(&self, hash: &PhotoHash) -> PathBuf {
        let hex = hash.to_hex();
        self.root.join(&hex[..2]).join(hex)
    }

    /// Stores `bytes` durably under their hash, unless the folder already holds them.
    ///
    /// A file already under that name whose bytes no longer match (altered or cut short) is replaced,
    /// so putting the original again repairs a damaged copy.
    pub fn put(&self, bytes: &[u8]) -> Result<StoredPhoto, PhotoStoreError> {
        let sha256 = PhotoHash::of(bytes);
        let path = self.path_of(&sha256);
        let size = bytes.len() as u64;
        if self.check_file(&path, &sha256)? == PhotoCheck::Ok {
            return Ok(StoredPhoto { sha256, path, bytes: size, already_had: true });
        }
        let shard = path.parent().unwrap_or(&self.root).to_path_buf();
        self.create_shard(&shard)?;

        // Written read-only: a stored photo is evidence.
        let temp_prefix = format!("{TEMP_PREFIX}{}-", &sha256.to_hex()[..16]);
        replace_file(&path, &temp_prefix, true, |file| file.write_all(bytes)).map_err(|error| match error.step {
            Step::Create | Step::Write | Step::Flush => {
                PhotoStoreError::Write { path: error.temp, source: error.source }
            }
            Step::Rename => PhotoStoreError::Rename { path: path.clone(), source: error.source },
            Step::SyncFolder => PhotoStoreError::Write { path: error.folder, source: error.source },
        })?;
        Ok(StoredPhoto { sha256, path, bytes: size, already_had: false })
    }

    /// Rehashes the stored photo with this hash.
    pub fn verify(&self, hash: &PhotoHash) -> Result<PhotoCheck, PhotoStoreError> {
        self.check_file(&self.path_of(hash), hash)
    }

    /// The stored photo's original bytes, checked against their hash.
    pub fn read(&self, hash: &PhotoHash) -> Result<Vec<u8>, PhotoStoreError> {
        let path = self.path_of(hash);
        let bytes = fs::read(&path).map_err(|source| PhotoStoreError::Read { path: path.clone(), source })?;
        if PhotoHash::of(&bytes) != *hash {
            let source = io::Error::new(io::ErrorKind::InvalidData, "its bytes changed since it was stored");
            return Err(PhotoStoreError::Read { path, source });
        }
        Ok(bytes)
    }

    /// Every photo in the folder, by hash, sorted; temporary files and strangers are left out.
    pub fn list(&self) -> Result<Vec<PhotoHash>, PhotoStoreError> {
        let mut hashes = Vec::new();
        let shards = match fs::read_dir(&self.root) {
            Ok(shards) => shards,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(hashes),
            Err(source) => return Err(PhotoStoreError::List { path: self.root.clone(), source }),
        };
        for shard in shards {
            let shard = shard.map_err(|source| PhotoStoreError::List { path: self.root.clone(), source })?;
            if !shard.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let shard_path = shard.path();
            let files = fs::read_dir(&shard_path)
                .map_err(|source| PhotoStoreError::List { path: shard_path.clone(), source })?;
            for file in files {
                let file = file.map_err(|source| PhotoStoreError::List { path: shard_path.clone(), source })?;
                let name = file.file_name();
                let Some(hash) = name.to_str().and_then(|n| n.parse::<PhotoHash>().ok()) else { continue };
                // Only a file in its own shard is a stored photo.
                if shard.file_name().to_str() == Some(&hash.to_hex()[..2]) {
                    hashes.push(hash);
                }
            }
        }
        hashes.sort();
        Ok(hashes)
    }

    fn create_shard(&self, shard: &Path) -> Result<(), PhotoStoreError> {
        if shard.is_dir() {
            return Ok(());
        }
        let created_root = !self.root.is_dir();
        fs::create_dir_all(shard)
            .map_err(|source| PhotoStoreError::CreateFolder { path: shard.to_path_buf(), source })?;
        // A new folder only survives a power cut once its parent's entry for it is on disk.
        let mut synced = vec![self.root.clone()];
        if created_root && let Some(parent) = self.root.parent() {
            synced.push(parent.to_path_buf());
        }
        for folder in synced {
            sync_folder(&folder).map_err(|source| PhotoStoreError::CreateFolder { path: folder.clone(), source })?;
        }
        Ok(())
    }

    /// Streams the file through SHA-256 (a stored photo is never read whole just to check it).
    fn check_file(&self, path: &Path, hash: &PhotoHash) -> Result<PhotoCheck, PhotoStoreError> {
        let mut file = match File::open(path) {
            Ok(file) => file,
            // A shard or root that is a file, not a folder, holds no photo either.
            Err(error) if matches!(error.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory) => {
                return Ok(PhotoCheck::Missing);
            }
            Err(source) => return Err(PhotoStoreError::Read { path: path.to_path_buf(), source }),
        };
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; 256 * 1024];
        loop {
            match file.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => hasher.update(&buffer[..n]),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                // A folder where a photo should be is "not the photo", and `put` replaces it or says why not.
                Err(error) if error.kind() == io::ErrorKind::IsADirectory => return Ok(PhotoCheck::Altered),
                Err(source) => return Err(PhotoStoreError::Read { path: path.to_path_buf(), source }),
            }
        }
        let actual: [u8; 32] = hasher.finalize().into();
        Ok(if actual == hash.0 { PhotoCheck::Ok } else { PhotoCheck::Altered })
    }
}
