//! A SQLite file's news for the `changes` thread (`crate::storage::changes`): benches sharing one file are on
//! one computer, and the file's own change counter (`PRAGMA data_version`, which moves when another connection
//! commits) says when to read the audit log again.

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use crate::storage::StoreError;
use crate::storage::changes::{News, Source};
use crate::storage::sql::Db;

/// How often the counter is read.
const POLL: Duration = Duration::from_millis(200);

/// A read-only connection to the file and the counter as last read.
pub(crate) struct FileCounter {
    connection: Connection,
    version: i64,
}

impl FileCounter {
    pub(crate) fn open(path: &Path) -> Result<FileCounter, StoreError> {
        let connection = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        connection.busy_timeout(super::BUSY_TIMEOUT)?;
        let version = data_version(&connection)?;
        Ok(FileCounter { connection, version })
    }
}

fn data_version(connection: &Connection) -> Result<i64, StoreError> {
    Ok(connection.query_row("PRAGMA data_version", [], |row| row.get(0))?)
}

impl Source for FileCounter {
    fn db(&self) -> &dyn Db {
        &self.connection
    }

    fn wait(&mut self, wait: Duration) -> Result<News, StoreError> {
        let until = Instant::now() + wait;
        loop {
            let version = data_version(&self.connection)?;
            if version != self.version {
                self.version = version;
                return Ok(News { log: true, leases: Vec::new() });
            }
            if Instant::now() >= until {
                return Ok(News::default());
            }
            std::thread::sleep(POLL);
        }
    }
}
