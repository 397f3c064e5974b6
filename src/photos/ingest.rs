//! The whole ingest of one photo: check it decodes, make its thumbnail, read its EXIF, store the
//! original durably by its hash, and hand back everything the database record needs.
//!
//! The photo is decoded before anything is written, so a file the station cannot show (HEIC, a
//! damaged JPEG, a hostile size) is refused with a message and leaves nothing behind; damaged EXIF
//! alone does not refuse a photo (its fields are `None`). The original is stored before `ingest`
//! returns, so a record made from the result always has its file.
//!
//! This module does not touch the database, the clock or threads: the caller passes the import time
//! and records the result.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use image::metadata::Orientation;

use crate::domain::vocabulary::Checkpoint;
use crate::photos::decode::{self, DecodeError, DecodeLimits, PhotoFormat, RgbaPicture, THUMBNAIL_EDGE};
use crate::photos::exif::{self, CaptureTime, PhotoMetadata};
use crate::photos::store::{PhotoFolder, PhotoHash, PhotoStoreError, StoredPhoto};
use crate::storage::PhotoRow;

/// The largest photo file taken, in bytes: far above any camera JPEG, far below exhausting memory.
pub const MAX_PHOTO_BYTES: u64 = 256 * 1024 * 1024;

/// A photo taken in: stored, described and thumbnailed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ingested {
    pub stored: StoredPhoto,
    pub format: PhotoFormat,
    /// The photo's pixel size as stored in the file (the decoder's, not what EXIF claims).
    pub width: u32,
    pub height: u32,
    pub metadata: PhotoMetadata,
    /// Upright, at most [`THUMBNAIL_EDGE`] pixels on its long edge.
    pub thumbnail: RgbaPicture,
    pub imported_at: DateTime<Utc>,
    /// The photo's bytes as stored: what the store keeps for every bench where it shares photos.
    pub original: Vec<u8>,
}

impl Ingested {
    /// The fields of the database record, in one place for the lead's store.
    pub fn record(&self) -> PhotoRecordFields {
        PhotoRecordFields {
            sha256: self.stored.sha256,
            bytes: self.stored.bytes,
            width: self.width,
            height: self.height,
            capture_time: self.metadata.capture_time,
            make: self.metadata.make.clone(),
            model: self.metadata.model.clone(),
            orientation: self.metadata.orientation_number(),
            imported_at: self.imported_at,
        }
    }
}

/// What the database records of an ingested photo (besides inspection, checkpoint, operator, station).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoRecordFields {
    pub sha256: PhotoHash,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
    pub capture_time: Option<CaptureTime>,
    pub make: Option<String>,
    pub model: Option<String>,
    /// EXIF orientation 1..=8.
    pub orientation: Option<u8>,
    pub imported_at: DateTime<Utc>,
}

impl PhotoRecordFields {
    /// The database record of this photo at a checkpoint of an inspection (of one item, or of the
    /// package as a whole).
    pub fn to_row(&self, inspection_id: i64, item_position: Option<u32>, checkpoint: Checkpoint) -> PhotoRow {
        PhotoRow {
            sha256: self.sha256.to_string(),
            inspection_id,
            item_position,
            checkpoint,
            bytes: self.bytes,
            width: self.width,
            height: self.height,
            taken_at: self.capture_time.as_ref().map(ToString::to_string),
            camera_make: self.make.clone(),
            camera_model: self.model.clone(),
            orientation: self.orientation,
        }
    }
}

/// Why a photo was not taken in. Nothing was stored unless the error is a store error after a write.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{0}")]
    Refused(#[from] DecodeError),
    #[error("{0}")]
    Store(#[from] PhotoStoreError),
    #[error("{}: cannot read the photo: {source}", path.display())]
    ReadFile { path: PathBuf, source: io::Error },
    #[error("{}: the file is {} MB, more than the {} MB a photo may be", path.display(), bytes / 1_000_000, MAX_PHOTO_BYTES / 1_000_000)]
    FileTooBig { path: PathBuf, bytes: u64 },
    /// A photo file refused for what it holds, named: a clerk adding several (or the hot folder) must know
    /// which one.
    #[error("{}: {error}", path.display())]
    RefusedFile { path: PathBuf, error: DecodeError },
}

/// Takes in one photo from its bytes.
pub fn ingest(
    folder: &PhotoFolder,
    bytes: &[u8],
    imported_at: DateTime<Utc>,
    limits: &DecodeLimits,
) -> Result<Ingested, IngestError> {
    let metadata = exif::read(bytes);
    let orientation = metadata.orientation.unwrap_or(Orientation::NoTransforms);
    let rendered = decode::render(bytes, THUMBNAIL_EDGE, orientation, limits)?;
    let stored = folder.put(bytes)?;
    Ok(Ingested {
        stored,
        format: rendered.format,
        width: rendered.width,
        height: rendered.height,
        metadata,
        thumbnail: rendered.picture,
        imported_at,
        original: bytes.to_vec(),
    })
}

/// Reads a photo file whole, refusing one larger than [`MAX_PHOTO_BYTES`] before reading it.
pub fn read_photo_file(path: &Path) -> Result<Vec<u8>, IngestError> {
    let read_error = |source| IngestError::ReadFile { path: path.to_path_buf(), source };
    let file = File::open(path).map_err(read_error)?;
    let declared = file.metadata().map_err(read_error)?.len();
    if declared > MAX_PHOTO_BYTES {
        return Err(IngestError::FileTooBig { path: path.to_path_buf(), bytes: declared });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
    // A file that grows while it is read is still capped.
    file.take(MAX_PHOTO_BYTES + 1).read_to_end(&mut bytes).map_err(read_error)?;
    if bytes.len() as u64 > MAX_PHOTO_BYTES {
        return Err(IngestError::FileTooBig { path: path.to_path_buf(), bytes: bytes.len() as u64 });
    }
    Ok(bytes)
}

/// Takes in one photo file.
pub fn ingest_file(
    folder: &PhotoFolder,
    path: &Path,
    imported_at: DateTime<Utc>,
    limits: &DecodeLimits,
) -> Result<Ingested, IngestError> {
    let bytes = read_photo_file(path)?;
    ingest(folder, &bytes, imported_at, limits).map_err(|error| match error {
        IngestError::Refused(error) => IngestError::RefusedFile { path: path.to_path_buf(), error },
        other => other,
    })
}
