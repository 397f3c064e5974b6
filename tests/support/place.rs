//! Issue 16: one store contract, two backends. A [`Place`] is where a test's database is, a SQLite file in a
//! data folder or a fresh PostgreSQL database of the test server beside a data folder of its own, with ways to
//! open stores on it (more than one: more benches), to point the station's window or command line at it, and
//! to edit or read the database behind the station's back as someone with `sqlite3` or `psql` would.
//!
//! [`on_both!`] makes two tests of one case, `NAME::sqlite` and `NAME::postgres`, so that a failure names its
//! backend. Without the test server the PostgreSQL test says loudly that it did not run (`pg::database`), and
//! fails when `CI` is set.

use std::path::{Path, PathBuf};

use rma_station::storage::location::DatabaseLocation;
use rma_station::storage::sqlite::SqliteStore;
use rma_station::storage::{Store, database_path};
use rusqlite::Connection;
use rusqlite::types::ValueRef;

use super::{POLICIES, pg};

/// Which database a place is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where a case's database is. The data folder holds what a bench keeps of its own on either backend
/// (exports, evidence, photos, labels, `station.toml`), and on SQLite the database file too.
pub struct Place {
    dir: PathBuf,
    /// The data folder when the place made it (removed with the place).
    _made: Option<tempfile::TempDir>,
    pg: Option<pg::TestDatabase>,
}

impl Place {
    /// A fresh SQLite file in a fresh data folder.
    pub fn sqlite() -> Place {
        let made = tempfile::tempdir().unwrap();
        Place { dir: made.path().to_path_buf(), _made: Some(made), pg: None }
    }

    /// The SQLite file in a data folder the test made itself (a small disk, say).
    pub fn sqlite_in(dir: &Path) -> Place {
        Place { dir: dir.to_path_buf(), _made: None, pg: None }
    }

    /// A fresh database on the test server, or None (said loudly) where there is none.
    pub fn postgres() -> Option<Place> {
        let made = tempfile::tempdir().unwrap();
        Some(Place { dir: made.path().to_path_buf(), _made: Some(made), pg: Some(pg::database()?) })
    }

    /// Another fresh place on the same backend: a second warehouse beside the first.
    pub fn another(&self) -> Place {
        match self.backend() {
            Backend::Sqlite => Place::sqlite(),
            Backend::Postgres => Place::postgres().unwrap(),
        }
    }

    /// A copy of this place as it stands, its data folder and its database, as a restored backup would be: a
    /// case that needs the same start several times makes it once. No store may be open on this place.
    pub fn copy(&self) -> Place {
        let made = tempfile::tempdir().unwrap();
        copy_folder(self.dir(), made.path());
        Place { dir: made.path().to_path_buf(), _made: Some(made), pg: self.pg.as_ref().map(pg::TestDatabase::copy) }
    }

    pub fn backend(&self) -> Backend {
        if self.pg.is_some() { Backend::Postgres } else { Backend::Sqlite }
    }

    /// The bench's data folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the station finds the database, as `--database` or `station.toml` would say.
    pub fn location(&self) -> DatabaseLocation {
        match &self.pg {
            None => DatabaseLocation::Sqlite(database_path(self.dir())),
            Some(db) => DatabaseLocation::Postgres(db.plain()),
        }
    }

    /// The arguments that run the station's command line on this place: `--data-dir`, and `--database` on
    /// PostgreSQL.
    pub fn args(&self) -> Vec<String> {
        let mut args = vec!["--data-dir".to_owned(), self.dir().display().to_string()];
        if let Some(db) = &self.pg {
            args.extend(["--database".to_owned(), db.plain().to_string()]);
        }
        args
    }

    /// Runs the station's command line on this place with `args`, feeding `stdin`.
    pub fn station(&self, args: &[&str], stdin: &str) -> std::process::Output {
        let place = self.args();
        let all: Vec<&str> = place.iter().map(String::as_str).chain(args.iter().copied()).collect();
        super::run_station(&all, stdin)
    }

    /// [`Place::station`] with no input: whether it succeeded, and its standard output and error as text.
    pub fn cli(&self, args: &[&str]) -> (bool, String, String) {
        let output = self.station(args, "");
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        (output.status.success(), text(&output.stdout), text(&output.stderr))
    }

    /// A store on the database: one more bench.
    pub fn open(&self) -> Box<dyn Store> {
        match &self.pg {
            None => Box::new(SqliteStore::open(&database_path(self.dir()), &POLICIES).unwrap()),
            Some(db) => Box::new(rma_station::storage::postgres::PgStore::connect(&db.plain(), &POLICIES).unwrap()),
        }
    }

    /// Runs SQL (statements separated by `;`) on the database behind the station's back; the rows changed.
    #[track_caller]
    pub fn edit(&self, sql: &str) -> u64 {
        self.try_edit(sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// [`Place::edit`], with the database's refusal in its own words.
    pub fn try_edit(&self, sql: &str) -> Result<u64, String> {
        match &self.pg {
            None => {
                let conn = Connection::open(database_path(self.dir())).unwrap();
                // As `sqlite3` opens a file (this build turns them on by default); PostgreSQL always keeps them.
                conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
                let before = conn.total_changes();
                conn.execute_batch(sql).map_err(|e| e.to_string())?;
                Ok(conn.total_changes() - before)
            }
            Some(db) => {
                let mut client = client(db);
                // One transaction, as `execute_batch` on SQLite is one script: a refused statement keeps nothing.
                let mut tx = client.transaction().map_err(|e| e.to_string())?;
                let mut changed = 0;
                for statement in sql.split(';').filter(|s| !s.trim().is_empty()) {
                    changed += tx.execute(statement, &[]).map_err(|e| postgres_words(&e))?;
                }
                tx.commit().map_err(|e| e.to_string())?;
                Ok(changed)
            }
        }
    }

    /// The rows of a query, each value as text (as `sqlite3` and `psql` print them; NULL as None).
    #[track_caller]
    pub fn query(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        match &self.pg {
            None => {
                let conn = Connection::open(database_path(self.dir())).unwrap();
                let mut statement = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
                let columns = statement.column_count();
                let rows = statement.query_map([], |row| {
                    (0..columns)
                        .map(|i| {
                            Ok(match row.get_ref(i)? {
                                ValueRef::Null => None,
                                ValueRef::Integer(n) => Some(n.to_string()),
                                ValueRef::Real(x) => Some(x.to_string()),
                                ValueRef::Text(text) | ValueRef::Blob(text) => {
                                    Some(String::from_utf8_lossy(text).into_owned())
                                }
                            })
                        })
                        .collect::<Result<Vec<_>, rusqlite::Error>>()
                });
                rows.unwrap().collect::<Result<_, _>>().unwrap_or_else(|e| panic!("{sql}: {e}"))
            }
            Some(db) => {
                // The simple query protocol answers every value as text.
                let messages = client(db).simple_query(sql).unwrap_or_else(|e| panic!("{sql}: {}", postgres_words(&e)));
                messages
                    .into_iter()
                    .filter_map(|message| match message {
                        postgres::SimpleQueryMessage::Row(row) => {
                            Some((0..row.len()).map(|i| row.get(i).map(str::to_owned)).collect())
                        }
                        _ => None,
                    })
                    .collect()
            }
        }
    }

    /// The SQL that drops one of the audit log's triggers, in the database's own words.
    pub fn drop_trigger(&self, trigger: &str) -> String {
        match self.backend() {
            Backend::Sqlite => format!("DROP TRIGGER {trigger}"),
            Backend::Postgres => format!("DROP TRIGGER {trigger} ON audit_log"),
        }
    }
}

/// A connection to a place's database, as `psql` would make one.
fn client(db: &pg::TestDatabase) -> postgres::Client {
    rma_station::storage::postgres::connect::connect(&db.plain()).unwrap()
}

/// Copies a folder's files and folders, recursively.
fn copy_folder(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir(&target).unwrap();
            copy_folder(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A server's refusal with its message, not only "db error".
fn postgres_words(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => error.to_string(),
    }
}

/// Makes two tests of a case `fn NAME(place: &Place)`: `NAME::sqlite` on a SQLite file and `NAME::postgres` on
/// a database of the test server. Written above the case, where `#[test]` would be.
macro_rules! on_both {
    ($case:ident) => {
        mod $case {
            #[test]
            fn sqlite() {
                super::$case(&$crate::support::place::Place::sqlite());
            }

            #[test]
            fn postgres() {
                if let Some(place) = $crate::support::place::Place::postgres() {
                    super::$case(&place);
                }
            }
        }
    };
}

pub(crate) use on_both;
