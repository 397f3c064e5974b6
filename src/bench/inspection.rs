//! The inspection of a package on the bench: its sheet saved as the clerk fills it in, and its photos
//! recorded once the photo folder holds them.

use super::{Actor, BenchError};
use crate::clock::Now;
use crate::domain::inspection::InspectionSheet;
use crate::storage::{PhotoRow, Store};

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
/// record's id.
pub fn record_photo(store: &mut dyn Store, actor: &Actor, now: &Now, photo: &PhotoRow) -> Result<i64, BenchError> {
    Ok(store.record_photo(photo, &actor.stamp(now))?)
}
