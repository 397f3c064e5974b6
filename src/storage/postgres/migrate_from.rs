//! `migrate-from` (issue 16, item 8): one bench's SQLite history moved into the warehouse's PostgreSQL database,
//! then checked there.
//!
//! The bench's file is opened with `SqliteStore::open`, so an older bench is brought to the latest schema first
//! (which seals its records), and it must verify before anything is copied: a tampered bench is refused, not
//! moved. Then, in one read snapshot of the file and ONE write transaction of the target that holds the
//! backend's write lock (`PgBackend::change`), every SQLite table is copied row for row, ids as they are (the
//! audit entries name them), in batches of multi-row INSERTs read with `Db::each`; the photo files of the bench's
//! folder go into the shared originals (`photo_originals`, `photo_blobs` in 1 MiB chunks), each file's SHA-256
//! checked as it is read; and every identity sequence is moved past the copied ids. A target that already holds
//! anything but its merchants is refused inside that transaction, so two moves at once cannot both find it empty.
//! Any refusal or failure rolls the whole transaction back: the target is left as it was. The audit log's
//! append-only triggers stay on throughout: they fire on UPDATE, DELETE and TRUNCATE, and the copy only inserts.
//!
//! After the commit the copy is checked from a connection of its own, as any bench would open it
//! (`PgStore::connect`, `Store::verify`): its audit head must be the bench's, and every table must hold as many
//! rows as were copied. Those differences are returned, not raised, so that the caller can print them all.
//!
//! The tables and their columns are read from the two catalogs rather than listed here, so a table a later
//! migration adds to both schemas (`tests/postgres_schema.rs` keeps them equal) is moved without a change here.
//! This module reads SQLite only through the SQL layer; it never writes the bench's file beyond what opening
//! it does.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};

use super::originals::{self, Refused};
use super::{PgBackend, PgStore, connect, schema};
use crate::photos::store::{PhotoFolder, PhotoHash};
use crate::policies::PolicySet;
use crate::storage::audit::{AuditHead, GENESIS};
use crate::storage::location::DatabaseUrl;
use crate::storage::sql::{Backend, Db, Row, ToValue, Value};
use crate::storage::sqlite::SqliteStore;
use crate::storage::{Store, StoreError, VerifyReport, database_path, photos_path};

/// Rows per INSERT: enough that a round trip carries much, few enough that a statement stays small.
const ROWS_PER_INSERT: usize = 500;
/// A batch is sent early once its values reach this size (export files and decisions can be large).
const BYTES_PER_INSERT: usize = 8 << 20;
/// The protocol counts a statement's parameters in 16 bits.
const MAX_PARAMETERS: usize = u16::MAX as usize;
/// Tables the target may already hold rows of: every bench that connects records its merchants (no history),
/// and the schema's own version.
const NOT_HISTORY: [&str; 2] = ["merchants", "schema_version"];
/// The tables only PostgreSQL has, filled from the bench's photo folder rather than from its file.
const PHOTO_ORIGINALS: &str = "photo_originals";
const PHOTO_BLOBS: &str = "photo_blobs";

/// What was moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    /// The target, as its URL shows it without a password.
    pub database: String,
    /// Each table with the rows copied into it, in the order copied; the photo tables last.
    pub tables: Vec<(String, u64)>,
    /// Photo files copied, and their bytes.
    pub photos: u64,
    pub photo_bytes: u64,
    /// The bench's audit head, as copied.
    pub head: AuditHead,
}

/// The copy as a bench connecting to the target finds it.
#[derive(Debug)]
pub struct Checked {
    pub report: VerifyReport,
    pub head: AuditHead,
    /// Every way the copy differs from the bench, in words; empty when it is the bench's history, whole.
    pub differences: Vec<String>,
}

/// How far the copy is: rows and photo files done of all there are (counted before the copy starts).
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    pub table: &'a str,
    pub done: u64,
    pub total: u64,
}

/// Why a bench was not moved. Every one of these leaves the target as it was, except [`MoveError::Differs`],
/// which the caller raises after printing what [`check`] found in a committed copy.
#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    #[error(
        "migrate-from moves a bench into the warehouse's PostgreSQL database: name it with --database \
         postgres://USER@HOST[:PORT]/DB (or in station.toml of the --data-dir folder)"
    )]
    NoTarget,
    #[error("{}: no station database here (station.sqlite3); give the data folder of the bench to move", folder.display())]
    NoBench { folder: PathBuf },
    #[error(
        "the database {database} is not empty: it already holds {holds}; migrate-from copies a bench only into an \
         empty database (create a new one, README \"Several benches\"); nothing was copied"
    )]
    NotEmpty { database: String, holds: String },
    #[error("{}: the bench's database does not verify, so it was not moved (nothing was copied): {}", path.display(), problems.join("; "))]
    SourceUnsound { path: PathBuf, problems: Vec<String> },
    #[error("photo {hash} ({}): {problem}; the move stopped and nothing was copied", path.display())]
    Photo { hash: String, path: PathBuf, problem: String },
    #[error("table {table}: {problem}; nothing was copied")]
    Table { table: String, problem: String },
    #[error(
        "the copy in {database} differs from the bench in {count} way(s), listed above; it is committed there: drop \
         that database, create it again, and move the bench once the cause is found"
    )]
    Differs { database: String, count: usize },
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// Moves the bench whose data folder is `bench` into the URL's database (which must hold no history), then
/// checks the copy there. `at` stamps the photo originals. The copy is committed when this returns `Ok`, even
/// with differences in its [`Checked`]: the caller says so and fails.
pub fn migrate_from(
    bench: &Path,
    url: &DatabaseUrl,
    policies: &PolicySet,
    at: DateTime<Utc>,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<(Moved, Checked), MoveError> {
    let path = database_path(bench);
    // Opening creates a missing file; a mistyped folder must not be "moved" as an empty bench.
    if !path.is_file() {
        return Err(MoveError::NoBench { folder: bench.to_path_buf() });
    }
    let sqlite = SqliteStore::open(&path, policies)?;
    let before = sqlite.verify()?;
    if !before.is_sound() {
        let mut problems = before.problems.clone();
        problems.extend(before.chain_break.as_ref().map(|broken| format!("audit chain: {broken}")));
        return Err(MoveError::SourceUnsound { path, problems });
    }
    let mut client = connect::connect(url)?;
    schema::migrate(&mut client)?;
    let mut target = PgBackend::new(client, url);
    let photos = PhotoFolder::new(photos_path(bench));
    let stored_at = at.to_rfc3339_opts(SecondsFormat::Millis, true);
    let mover = Mover { photos: &photos, stored_at: &stored_at, database: url.to_string() };
    // A refusal inside the transaction must roll it back, which only an Err of StoreError does: it waits here
    // meanwhile, and comes out as itself.
    let mut stopped: Option<MoveError> = None;
    let mut stop = |error: MoveError| {
        let words = error.to_string();
        stopped = Some(error);
        StoreError::Database { detail: words }
    };
    // The bench's file is read in one snapshot, so a station still writing to it cannot tear the copy.
    let copied = sqlite
        .backend
        .snapshot(|source| target.change(|destination| mover.run(source, destination, progress).map_err(&mut stop)));
    let moved = match (copied, stopped) {
        (Ok(moved), _) => moved,
        (Err(_), Some(refused)) => return Err(refused),
        (Err(error), None) => return Err(MoveError::Store(error)),
    };
    drop(target);
    let checked = check(&moved, url, policies, &sqlite)?;
    Ok((moved, checked))
}

/// The copy as a bench finds it on a connection of its own: `verify`, the head, each table's rows; and whether
/// the bench itself moved on meanwhile (a station left open writes what the snapshot did not see).
pub fn check(
    moved: &Moved,
    url: &DatabaseUrl,
    policies: &PolicySet,
    bench: &SqliteStore,
) -> Result<Checked, MoveError> {
    let store = PgStore::connect(url, policies)?;
    let report = store.verify()?;
    let head = store.audit_head()?;
    let mut differences: Vec<String> = report.problems.iter().map(|p| format!("verify: {p}")).collect();
    if let Some(broken) = &report.chain_break {
        differences.push(format!("verify: the audit chain is broken: {broken}"));
    }
    if head != moved.head {
        differences.push(format!("the audit head there is {head}, the bench's is {}", moved.head));
    }
    let db = store.backend.db();
    for (table, copied) in &moved.tables {
        let there = db.one::<u64>(&format!("SELECT count(*) FROM {}", ident(table)), &[])?;
        if there != *copied {
            differences.push(format!("{table}: {there} rows there, {copied} copied"));
        }
    }
    let now = bench.audit_head()?;
    if now != moved.head {
        differences.push(format!(
            "the bench wrote to its database during the move (its head is now {now}, {} was copied): close every \
             station on it before moving",
            moved.head
        ));
    }
    Ok(Checked { report, head, differences })
}

/// One SQLite table to copy: its columns, and the tables its foreign keys point at.
#[derive(Debug)]
struct Table {
    name: String,
    columns: Vec<String>,
    parents: BTreeSet<String>,
}

/// A target column's name and type (`information_schema`'s word for it).
type Columns = Vec<(String, String)>;

/// What the copy needs besides the two databases.
struct Mover<'a> {
    photos: &'a PhotoFolder,
    stored_at: &'a str,
    database: String,
}

impl Mover<'_> {
    fn run(
        &self,
        source: &dyn Db,
        target: &dyn Db,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Moved, MoveError> {
        let targets = target_columns(target)?;
        refuse_unless_empty(target, &targets, &self.database)?;
        let tables = in_copy_order(source_tables(source)?)?;
        let mut rows = Vec::with_capacity(tables.len());
        for table in &tables {
            let count = source.one::<u64>(&format!("SELECT count(*) FROM {}", ident(&table.name)), &[])?;
            rows.push(count);
        }
        let files = photo_files(source, self.photos)?;
        let mut done = 0;
        let total = rows.iter().sum::<u64>() + files.len() as u64;
        let mut copied = Vec::with_capacity(tables.len() + 2);
        for (table, expected) in tables.iter().zip(rows) {
            let columns = matching_columns(table, &targets)?;
            let count = copy_table(source, target, table, &columns, &mut |n| {
                progress(Progress { table: &table.name, done: done + n, total });
            })?;
            if count != expected {
                return Err(MoveError::Table {
                    table: table.name.clone(),
                    problem: format!("{count} rows read, where the snapshot counted {expected}"),
                });
            }
            done += count;
            copied.push((table.name.clone(), count));
        }
        let (mut photos, mut photo_bytes, mut chunks) = (0, 0, 0);
        for hash in &files {
            let (bytes, pieces) = copy_photo(target, self.photos, hash, self.stored_at)?;
            (photos, photo_bytes, chunks) = (photos + 1, photo_bytes + bytes, chunks + pieces);
            done += 1;
            progress(Progress { table: PHOTO_ORIGINALS, done, total });
        }
        copied.push((PHOTO_ORIGINALS.to_owned(), photos));
        copied.push((PHOTO_BLOBS.to_owned(), chunks));
        move_sequences(target)?;
        // Counted again inside the transaction: a difference found here still rolls everything back.
        for (table, count) in &copied {
            let there = target.one::<u64>(&format!("SELECT count(*) FROM {}", ident(table)), &[])?;
            if there != *count {
                return Err(MoveError::Table {
                    table: table.clone(),
                    problem: format!("{there} rows after the copy, where {count} were copied"),
                });
            }
        }
        let head = match source.row("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", &[])? {
            Some(row) => AuditHead { seq: row.get(0)?, hash: row.get(1)? },
            None => AuditHead { seq: 0, hash: GENESIS.to_owned() },
        };
        Ok(Moved { database: self.database.clone(), tables: copied, photos, photo_bytes, head })
    }
}

/// Every column of every table of the target's schema, by table.
fn target_columns(target: &dyn Db) -> Result<BTreeMap<String, Columns>, StoreError> {
    let mut tables: BTreeMap<String, Columns> = BTreeMap::new();
    for row in target.rows(
        "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
         WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
        &[],
    )? {
        tables.entry(row.get(0)?).or_default().push((row.get(1)?, row.get(2)?));
    }
    Ok(tables)
}

/// Refuses a target that holds anything but its merchants and schema version, naming what it holds. Runs after
/// the write lock is taken, so a second move started at the same moment finds the first one's rows.
fn refuse_unless_empty(target: &dyn Db, tables: &BTreeMap<String, Columns>, database: &str) -> Result<(), MoveError> {
    let mut held = Vec::new();
    for table in tables.keys().filter(|t| !NOT_HISTORY.contains(&t.as_str())) {
        let rows = target.one::<u64>(&format!("SELECT count(*) FROM {}", ident(table)), &[])?;
        if rows > 0 {
            held.push(format!("{table} ({rows} rows)"));
        }
    }
    if held.is_empty() {
        return Ok(());
    }
    Err(MoveError::NotEmpty { database: database.to_owned(), holds: held.join(", ") })
}

/// The bench's tables, each with its columns and the tables it refers to, from SQLite's own catalog.
fn source_tables(source: &dyn Db) -> Result<Vec<Table>, StoreError> {
    let names: Vec<String> = source.column(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        &[],
    )?;
    let mut tables = Vec::with_capacity(names.len());
    for name in names {
        let columns = source.column("SELECT name FROM pragma_table_info(?1) ORDER BY cid", &[&name])?;
        let parents = source
            .column::<String>("SELECT \"table\" FROM pragma_foreign_key_list(?1)", &[&name])?
            .into_iter()
            .filter(|parent| *parent != name)
            .collect();
        tables.push(Table { name, columns, parents });
    }
    Ok(tables)
}

/// The tables in an order where each comes after those its foreign keys point at (the target checks every
/// key at once, on each insert), by name where the keys leave a choice.
fn in_copy_order(mut left: Vec<Table>) -> Result<Vec<Table>, MoveError> {
    let mut ordered: Vec<Table> = Vec::with_capacity(left.len());
    while !left.is_empty() {
        let placed: BTreeSet<&str> = ordered.iter().map(|t| t.name.as_str()).collect();
        let Some(next) = left.iter().position(|t| t.parents.iter().all(|p| placed.contains(p.as_str()))) else {
            let names: Vec<&str> = left.iter().map(|t| t.name.as_str()).collect();
            return Err(MoveError::Table {
                table: names.join(", "),
                problem: "their foreign keys point at each other or at a table that is missing".to_owned(),
            });
        };
        ordered.push(left.remove(next));
    }
    Ok(ordered)
}

/// The target's columns of a bench's table, which must be the same columns (in any order).
fn matching_columns(table: &Table, targets: &BTreeMap<String, Columns>) -> Result<Columns, MoveError> {
    let refused = |problem: String| MoveError::Table { table: table.name.clone(), problem };
    let Some(target) = targets.get(&table.name) else {
        return Err(refused("the PostgreSQL schema has no such table (is this station older than the bench?)".into()));
    };
    let theirs: BTreeSet<&str> = target.iter().map(|(name, _)| name.as_str()).collect();
    let ours: BTreeSet<&str> = table.columns.iter().map(String::as_str).collect();
    if theirs != ours {
        let only = |a: &BTreeSet<&str>, b: &BTreeSet<&str>| a.difference(b).copied().collect::<Vec<_>>().join(", ");
        return Err(refused(format!(
            "the two schemas differ: only the bench has [{}], only PostgreSQL has [{}]",
            only(&ours, &theirs),
            only(&theirs, &ours)
        )));
    }
    Ok(table
        .columns
        .iter()
        .map(|column| target.iter().find(|(name, _)| name == column).cloned().unwrap_or_default())
        .collect())
}

/// Copies one table's rows, read one at a time and written in multi-row INSERTs; `copied` hears the rows
/// written so far. The number of rows copied.
fn copy_table(
    source: &dyn Db,
    target: &dyn Db,
    table: &Table,
    columns: &Columns,
    copied: &mut dyn FnMut(u64),
) -> Result<u64, MoveError> {
    let width = columns.len().max(1);
    let per_insert = ROWS_PER_INSERT.min(MAX_PARAMETERS / width);
    let select = format!(
        "SELECT {} FROM {}",
        columns.iter().map(|(name, _)| ident(name)).collect::<Vec<_>>().join(", "),
        ident(&table.name)
    );
    // A full batch's statement is written once: with thousands of parameters, writing it is not free.
    let full = insert_sql(table, columns, per_insert);
    let mut batch = Batch { values: Vec::with_capacity(per_insert * width), rows: 0, bytes: 0 };
    let mut total = 0u64;
    let mut read = |row: Row| -> Result<(), StoreError> {
        for (value, (_, kind)) in row.0.into_iter().zip(columns) {
            batch.bytes += size(&value);
            batch.values.push(for_column(value, kind));
        }
        batch.rows += 1;
        if batch.rows == per_insert {
            total += insert(target, table, &full, &mut batch)?;
            copied(total);
        } else if batch.bytes >= BYTES_PER_INSERT {
            total += insert(target, table, &insert_sql(table, columns, batch.rows), &mut batch)?;
            copied(total);
        }
        Ok(())
    };
    source.each(&select, &[], &mut read)?;
    if batch.rows > 0 {
        total += insert(target, table, &insert_sql(table, columns, batch.rows), &mut batch)?;
        copied(total);
    }
    Ok(total)
}

/// Rows read and not yet written.
struct Batch {
    values: Vec<Value>,
    rows: usize,
    bytes: usize,
}

/// The INSERT of `rows` rows into the table. Merchants already recorded by a bench that connected before are
/// the same merchants: the bench's record of them replaces theirs.
fn insert_sql(table: &Table, columns: &Columns, rows: usize) -> String {
    let names: Vec<String> = columns.iter().map(|(name, _)| ident(name)).collect();
    let width = names.len();
    let rows: Vec<String> = (0..rows)
        .map(|row| {
            let numbers: Vec<String> = (1..=width).map(|column| format!("?{}", row * width + column)).collect();
            format!("({})", numbers.join(", "))
        })
        .collect();
    let mut sql = format!("INSERT INTO {} ({}) VALUES {}", ident(&table.name), names.join(", "), rows.join(", "));
    if table.name == "merchants" {
        sql.push_str(" ON CONFLICT (id) DO UPDATE SET name = excluded.name, policy_sha256 = excluded.policy_sha256");
    }
    sql
}

/// Writes the batch's rows with `sql` (made by [`insert_sql`] for as many rows), and empties it.
fn insert(target: &dyn Db, table: &Table, sql: &str, batch: &mut Batch) -> Result<u64, StoreError> {
    let params: Vec<&dyn ToValue> = batch.values.iter().map(|value| value as &dyn ToValue).collect();
    let written = target.execute(sql, &params).map_err(|error| match error {
        StoreError::Database { detail } => StoreError::Database { detail: format!("copying {}: {detail}", table.name) },
        other => other,
    })?;
    batch.values.clear();
    (batch.rows, batch.bytes) = (0, 0);
    Ok(written)
}

/// A value as the target's column takes it: SQLite may hold a blob column's bytes as text.
fn for_column(value: Value, kind: &str) -> Value {
    match value {
        Value::Text(text) if kind == "bytea" => Value::Blob(text.into_bytes()),
        other => other,
    }
}

fn size(value: &Value) -> usize {
    match value {
        Value::Null | Value::Integer(_) | Value::Real(_) => 8,
        Value::Text(text) => text.len(),
        Value::Blob(bytes) => bytes.len(),
    }
}

/// Every photo to copy: each file of the bench's photo folder, and each photo its records name (whose file
/// must then be there), by hash.
fn photo_files(source: &dyn Db, photos: &PhotoFolder) -> Result<BTreeSet<PhotoHash>, MoveError> {
    let mut hashes: BTreeSet<PhotoHash> = photos
        .list()
        .map_err(|e| StoreError::Io { path: photos.root().to_path_buf(), what: e.to_string() })?
        .into_iter()
        .collect();
    for text in source.column::<String>("SELECT DISTINCT sha256 FROM photos ORDER BY sha256", &[])? {
        let hash = text.parse::<PhotoHash>().map_err(|e| MoveError::Photo {
            hash: text.clone(),
            path: photos.root().to_path_buf(),
            problem: format!("the bench records a photo by a hash that is none: {e}"),
        })?;
        hashes.insert(hash);
    }
    Ok(hashes)
}

/// Copies one photo file into the shared originals ([`originals::write`], a chunk at a time, hashing it as it is
/// read): a file that is missing, or whose bytes are no longer those its name hashes, stops the move (the
/// transaction rolls back, so the chunks already written go too). Its size and number of chunks.
fn copy_photo(
    target: &dyn Db,
    photos: &PhotoFolder,
    hash: &PhotoHash,
    stored_at: &str,
) -> Result<(u64, u64), MoveError> {
    let path = photos.path_of(hash);
    let refused = |problem: String| MoveError::Photo { hash: hash.to_hex(), path: path.clone(), problem };
    let unreadable = |e: &io::Error| refused(format!("cannot be read: {}", crate::durable::describe(e)));
    let mut file = match File::open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(refused("MISSING: the bench records this photo but its file is gone".to_owned()));
        }
        Err(e) => return Err(unreadable(&e)),
    };
    let size = file.metadata().map_err(|e| unreadable(&e))?.len();
    match originals::write(target, hash, size, &mut file, stored_at) {
        // The folder lists each photo once, and the database was empty: every photo is written.
        Ok(chunks) => Ok((size, chunks.unwrap_or(0))),
        Err(Refused::Changed { size, read }) => {
            Err(refused(format!("its file changed while it was read ({size} bytes, then {read})")))
        }
        Err(Refused::Altered) => {
            Err(refused("ALTERED: its file no longer has the bytes its name is the hash of".to_owned()))
        }
        Err(Refused::Read(e)) => Err(unreadable(&e)),
        Err(Refused::Store(e)) => Err(MoveError::Store(e)),
    }
}

/// Moves every identity sequence past the largest id copied into its column, so the next row a bench inserts
/// gets the next id (the copy gave every id itself, which a sequence does not see).
fn move_sequences(target: &dyn Db) -> Result<(), StoreError> {
    let identities = target.rows(
        "SELECT table_name::text, column_name::text FROM information_schema.columns
         WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name",
        &[],
    )?;
    for row in identities {
        let (table, column): (String, String) = (row.get(0)?, row.get(1)?);
        // `false`: the value given is the next one handed out (1 for a table the bench left empty).
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence(?1, ?2), (SELECT coalesce(max({}), 0) FROM {}) + 1, false)",
            ident(&column),
            ident(&table)
        );
        target.one::<i64>(&sql, &[&ident(&table), &column])?;
    }
    Ok(())
}

/// A table or column name as both dialects quote it.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
