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
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::durable::sync_folder;

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
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
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
        let digits = text.as_bytes();
        if digits.len() != 64 {
            return Err(bad());
        }
        let mut hash = [0u8; 32];
        for (byte, pair) in hash.iter_mut().zip(digits.chunks_exact(2)) {
            let high = hex_value(pair[0]).ok_or_else(bad)?;
            let low = hex_value(pair[1]).ok_or_else(bad)?;
            *byte = (high << 4) | low;
        }
        Ok(PhotoHash(hash))
    }
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
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
    #[error("{}: cannot create the photo folder: {}", path.display(), describe(source))]
    CreateFolder { path: PathBuf, source: io::Error },
    #[error("{}: cannot write the photo: {}; nothing was kept", path.display(), describe(source))]
    Write { path: PathBuf, source: io::Error },
    #[error("{}: cannot move the written photo into place: {}; nothing was kept", path.display(), describe(source))]
    Rename { path: PathBuf, source: io::Error },
    #[error("{}: cannot read the stored photo: {}", path.display(), describe(source))]
    Read { path: PathBuf, source: io::Error },
    #[error("{}: cannot list the photo folder: {}", path.display(), describe(source))]
    List { path: PathBuf, source: io::Error },
}

/// An I/O error in the words an operator acts on: a full disk says so first.
fn describe(error: &io::Error) -> String {
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

/// Temporary files start with this, so that `list` and a person looking at the folder can tell them
/// from photos (a photo's name is 64 hex digits, never starting with a dot). A write cut off by a crash
/// leaves one behind; it is never listed, verified or recorded as a photo.
pub const TEMP_PREFIX: &str = ".incoming-";

/// Distinguishes temporary files of concurrent writes from this process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

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

        let temp = shard.join(format!(
            "{TEMP_PREFIX}{}-{}-{}",
            &sha256.to_hex()[..16],
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        if let Err(error) = write_durably(&temp, bytes) {
            let _ = fs::remove_file(&temp);
            return Err(PhotoStoreError::Write { path: temp, source: error });
        }
        if let Err(error) = fs::rename(&temp, &path) {
            let _ = fs::remove_file(&temp);
            return Err(PhotoStoreError::Rename { path, source: error });
        }
        // The rename is only durable once the folder's entry for it is on disk.
        sync_folder(&shard).map_err(|source| PhotoStoreError::Write { path: shard.clone(), source })?;
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

/// Writes a new file, flushes it to disk and makes it read-only: a stored photo is evidence.
fn write_durably(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    let mut permissions = file.metadata()?.permissions();
    permissions.set_readonly(true);
    file.set_permissions(permissions)?;
    Ok(())
}
