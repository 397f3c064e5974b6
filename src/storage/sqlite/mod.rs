//! The SQLite backend: one bench's database file, with WAL and `synchronous=FULL`, every change in an
//! IMMEDIATE transaction (no other station writes between its reads and its writes), money in integer cents.
//!
//! The store itself is written once over the SQL layer (`crate::storage::sql`); this folder holds what only
//! SQLite does: opening the file (`mod`), the layer on rusqlite (`db`), its errors in the station's words
//! (`error`), the numbered migrations (`schema`), `verify`'s integrity checks and checked backups
//! (`verify`) and `restore`. rusqlite is named only under this folder.

pub mod changes;
mod db;
mod error;
pub mod restore;
pub mod schema;
mod verify;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::policies::PolicySet;
use crate::storage::sql::{Backend, Db, SqlStore};
use crate::storage::{StoreError, VerifyReport};
use schema::LATEST;

/// How long a write waits for another station's transaction before reporting the database busy.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The store on one SQLite file.
pub type SqliteStore = SqlStore<SqliteBackend>;

/// A SQLite database file, opened and migrated.
#[derive(Debug)]
pub struct SqliteBackend {
    conn: Connection,
    path: PathBuf,
}

/// Why opening failed, before it is put in words that name the file: SQLite's own error is kept whole
/// until then, so that "cannot open" (a read-only disk or folder) can be told from the rest.
enum Opening {
    Sqlite(rusqlite::Error),
    Store(StoreError),
}

impl From<rusqlite::Error> for Opening {
    fn from(error: rusqlite::Error) -> Opening {
        Opening::Sqlite(error)
    }
}

impl From<StoreError> for Opening {
    fn from(error: StoreError) -> Opening {
        Opening::Store(error)
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`, refuses a newer schema without touching it,
    /// migrates an older one and records the merchants of `policies`. An error names the file.
    pub fn open(path: &Path, policies: &PolicySet) -> Result<SqliteStore, StoreError> {
        let cannot_open = |detail: String| StoreError::Io {
            path: path.to_path_buf(),
            what: format!("cannot open the database: {detail}"),
        };
        SqliteStore::open_unnamed(path, policies).map_err(|error| match error {
            // The station writes beside its database (the log, the shared index) even to read it.
            Opening::Sqlite(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::CannotOpen) => StoreError::Io {
                path: path.to_path_buf(),
                what: format!(
                    "cannot open the database for writing ({e}); the station must be able to write in its folder: \
                     is the disk read-only, or the folder locked?"
                ),
            },
            Opening::Sqlite(e) => match StoreError::from(e) {
                StoreError::Database { detail } => cannot_open(detail),
                other => other,
            },
            Opening::Store(StoreError::Database { detail }) => cannot_open(detail),
            Opening::Store(other) => other,
        })
    }

    fn open_unnamed(path: &Path, policies: &PolicySet) -> Result<SqliteStore, Opening> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            crate::durable::create_folder(parent)
                .map_err(|e| StoreError::io(parent, "cannot create the folder", &e))?;
        }
        let mut conn = Connection::open(path)?;
        // Before the first read: another station may hold the file a moment (setting up a new one, say).
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Read the version before anything writes: a newer station's database must stay untouched.
        let found = schema::version(&conn)?;
        if found > LATEST {
            return Err(StoreError::NewerSchema { path: path.to_path_buf(), found, supported: LATEST }.into());
        }
        use_write_ahead_log(&conn, path)?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        schema::migrate(&mut conn)?;
        Ok(SqlStore::new(SqliteBackend { conn, path: path.to_path_buf() }, policies)?)
    }

    pub fn path(&self) -> &Path {
        &self.backend.path
    }
}

impl Backend for SqliteBackend {
    fn db(&self) -> &dyn Db {
        &self.conn
    }

    fn change<T>(&mut self, change: impl FnOnce(&dyn Db) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let tx = write(&mut self.conn)?;
        let changed = change(&tx)?;
        tx.commit()?;
        Ok(changed)
    }

    fn snapshot<T>(&self, read: impl FnOnce(&dyn Db) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let snapshot = self.conn.unchecked_transaction()?;
        let read = read(&snapshot)?;
        snapshot.commit()?;
        Ok(read)
    }

    fn verify(&self) -> Result<VerifyReport, StoreError> {
        verify::verify_connection(&self.conn)
    }

    fn backup_to(&self, destination: &Path) -> Result<VerifyReport, StoreError> {
        verify::backup_to(&self.conn, destination)
    }
}

/// A write transaction: IMMEDIATE, so it waits for another station's write (up to the busy timeout) at its
/// start rather than failing halfway.
fn write(conn: &mut Connection) -> Result<Transaction<'_>, StoreError> {
    Ok(conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
}

/// Switches the file to write-ahead logging (once for a new file; the mode is kept in the file). The switch
/// needs the file alone for a moment, and SQLite answers "busy" at once, without waiting, when another
/// station is opening the new file at the same time: so it is retried here, within the busy timeout.
fn use_write_ahead_log(conn: &Connection, path: &Path) -> Result<(), Opening> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0)) {
            Ok(mode) if mode.eq_ignore_ascii_case("wal") => return Ok(()),
            Ok(mode) => {
                return Err(StoreError::Io {
                    path: path.to_path_buf(),
                    what: format!("cannot use write-ahead logging (journal mode {mode})"),
                }
                .into());
            }
            Err(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => return Err(e.into()),
        }
    }
}
