//! The inspection of a package on the bench: its sheet saved as the clerk fills it in, and its photos
//! recorded once the photo folder holds them (and, where the store shares photos, once the store does).

use super::{Actor, BenchError};
use crate::clock::Now;
use crate::domain::inspection::InspectionSheet;
use crate::photos::store::PhotoHash;
use crate::storage::{PhotoRow, Store, StoreError};

/// Saves the sheet over what was saved of it before.
pub fn save_sheet(
    store: &mut dyn Store,
    actor: &Actor,
    now: &Now,
    inspection_id: i64,
    sheet: &InspectionSheet,
) -> Result<(), BenchError> {
    Ok(store.save_inspection(inspection_id, sheet, &actor.stamp(now))?)
}

/// Records a photo the photo folder has stored durably (the file first, then its record); returns the
/// record's id. Where the store shares photos between benches, the photo's `original` bytes are kept there
/// first (once, however often), so that no record names a photo other benches cannot get.
pub fn record_photo(
    store: &mut dyn Store,
    actor: &Actor,
    now: &Now,
    photo: &PhotoRow,
    original: &[u8],
) -> Result<i64, BenchError> {
    let stamp = actor.stamp(now);
    if store.shares_photos() {
        let hash = photo
            .sha256
            .parse::<PhotoHash>()
            .map_err(|e| StoreError::PhotoOriginal { sha256: photo.sha256.clone(), problem: e.to_string() })?;
        store.keep_photo_original(&hash, original, &stamp)?;
    }
    Ok(store.record_photo(photo, &stamp)?)
}
