//! SQLite's errors in the store's backend-neutral words: a busy or locked file is [`StoreError::Busy`], a full
//! disk [`StoreError::DiskFull`], a failed write of the database's files [`StoreError::DiskWrite`], and the rest
//! [`StoreError::Database`] with SQLite's own message. The only place a rusqlite error becomes a `StoreError`.

use crate::storage::StoreError;

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> StoreError {
        match error.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => StoreError::Busy,
            Some(rusqlite::ErrorCode::DiskFull) => StoreError::DiskFull,
            Some(rusqlite::ErrorCode::SystemIoFailure) => StoreError::DiskWrite { detail: error.to_string() },
            _ => StoreError::Database { detail: error.to_string() },
        }
    }
}
