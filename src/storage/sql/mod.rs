//! The store's one way to talk SQL, whatever the database: a [`Db`] runs a statement with [`Value`]s bound and
//! gives back [`Row`]s of values. The store's areas (`crate::storage::areas`) are written once against it; each
//! backend (`sqlite`, `postgres`) implements it for its driver and holds what only it does (opening, schema,
//! backups).
//!
//! Statements are written in the dialect both databases share, with SQLite's numbered parameters (`?1`); a
//! PostgreSQL backend rewrites them to `$1` ([`numbered_for_postgres`]). Where the dialects differ the area
//! asks [`Db::dialect`]. Integers are `i64` (PostgreSQL columns are BIGINT), flags 0 or 1, money integer
//! cents, times the text SQLite stores: the same Rust types read and write both.

mod audit_log;
mod bench;
pub(crate) mod consistency;
mod dashboard;
mod decisions;
mod evidence;
mod exports;
mod leases;
mod ledger;
mod operators;
mod orders;
mod queues;
mod rows;
pub(crate) mod seal;
mod sign_in;
mod store;

use std::path::Path;

pub use store::SqlStore;

use crate::photos::store::PhotoHash;
use crate::storage::{Stamp, StoreError, VerifyReport};

/// What the store needs of a database beyond statements: its connection for reads, one write transaction at
/// a time that no other writer interleaves with (every change appends to the one audit chain), a consistent
/// snapshot for reads that must agree, and its own integrity checks and backups.
pub trait Backend: Send + std::fmt::Debug {
    fn db(&self) -> &dyn Db;
    /// Runs `change` in one write transaction: committed when it returns `Ok`, rolled back otherwise.
    fn change<T>(&mut self, change: impl FnOnce(&dyn Db) -> Result<T, StoreError>) -> Result<T, StoreError>;
    /// Runs `read` in one read transaction, so everything it reads describes the same moment.
    fn snapshot<T>(&self, read: impl FnOnce(&dyn Db) -> Result<T, StoreError>) -> Result<T, StoreError>;
    /// The database's own checks, the records' (`consistency`) and the audit chain.
    fn verify(&self) -> Result<VerifyReport, StoreError>;
    /// A checked copy of the whole database at `destination`.
    fn backup_to(&self, destination: &Path) -> Result<VerifyReport, StoreError>;
    /// Whether the database keeps the photo originals every bench shares; without, each bench's photo folder
    /// is the only store of its photos and the two calls below have nothing to do.
    fn shares_photos(&self) -> bool {
        false
    }
    /// Keeps a photo's original for every bench (see [`crate::storage::Store::keep_photo_original`]).
    fn keep_photo_original(&mut self, _hash: &PhotoHash, _bytes: &[u8], _stamp: &Stamp) -> Result<bool, StoreError> {
        Ok(false)
    }
    /// A shared photo original, checked (see [`crate::storage::Store::photo_original`]).
    fn photo_original(&self, _hash: &PhotoHash) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(None)
    }
}

/// Which SQL a statement may use where the two databases differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A value bound to a statement or read from a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// A Rust value as a statement's parameter.
pub trait ToValue {
    fn to_value(&self) -> Value;
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

impl ToValue for i64 {
    fn to_value(&self) -> Value {
        Value::Integer(*self)
    }
}

impl ToValue for i32 {
    fn to_value(&self) -> Value {
        Value::Integer(i64::from(*self))
    }
}

impl ToValue for u8 {
    fn to_value(&self) -> Value {
        Value::Integer(i64::from(*self))
    }
}

impl ToValue for u32 {
    fn to_value(&self) -> Value {
        Value::Integer(i64::from(*self))
    }
}

impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Integer(i64::from(*self))
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_owned())
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}

impl ToValue for [u8] {
    fn to_value(&self) -> Value {
        Value::Blob(self.to_vec())
    }
}

impl ToValue for Vec<u8> {
    fn to_value(&self) -> Value {
        Value::Blob(self.clone())
    }
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

/// A row's value as a Rust value; the error says what was found instead.
pub trait FromValue: Sized {
    fn from_value(value: &Value) -> Result<Self, String>;
}

impl FromValue for Value {
    fn from_value(value: &Value) -> Result<Self, String> {
        Ok(value.clone())
    }
}

impl FromValue for i64 {
    fn from_value(value: &Value) -> Result<Self, String> {
        match value {
            Value::Integer(n) => Ok(*n),
            other => Err(format!("expected an integer, found {other:?}")),
        }
    }
}

impl FromValue for u32 {
    fn from_value(value: &Value) -> Result<Self, String> {
        let n = i64::from_value(value)?;
        u32::try_from(n).map_err(|_| format!("expected a count, found {n}"))
    }
}

impl FromValue for u8 {
    fn from_value(value: &Value) -> Result<Self, String> {
        let n = i64::from_value(value)?;
        u8::try_from(n).map_err(|_| format!("expected a small number, found {n}"))
    }
}

impl FromValue for u64 {
    fn from_value(value: &Value) -> Result<Self, String> {
        let n = i64::from_value(value)?;
        u64::try_from(n).map_err(|_| format!("expected a count, found {n}"))
    }
}

impl FromValue for bool {
    fn from_value(value: &Value) -> Result<Self, String> {
        Ok(i64::from_value(value)? != 0)
    }
}

impl FromValue for String {
    fn from_value(value: &Value) -> Result<Self, String> {
        match value {
            Value::Text(text) => Ok(text.clone()),
            other => Err(format!("expected text, found {other:?}")),
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(value: &Value) -> Result<Self, String> {
        match value {
            Value::Blob(bytes) => Ok(bytes.clone()),
            Value::Text(text) => Ok(text.as_bytes().to_vec()),
            other => Err(format!("expected bytes, found {other:?}")),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value) -> Result<Self, String> {
        match value {
            Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// One row of a result, its values in the statement's column order.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Value>);

impl Row {
    /// Column `index` as a `T`; a missing column or another type is the database's fault, said so.
    pub fn get<T: FromValue>(&self, index: usize) -> Result<T, StoreError> {
        let value = self.0.get(index).ok_or_else(|| StoreError::Database {
            detail: format!("the statement gives no column {index} (it has {})", self.0.len()),
        })?;
        T::from_value(value).map_err(|detail| StoreError::Database { detail: format!("column {index}: {detail}") })
    }

    pub fn values(&self) -> &[Value] {
        &self.0
    }
}

/// A connection or a transaction of a backend. Every call prepares (and caches) its statement.
pub trait Db {
    fn dialect(&self) -> Dialect;
    /// Runs a statement; the number of rows it changed.
    fn execute(&self, sql: &str, params: &[&dyn ToValue]) -> Result<u64, StoreError>;
    /// Every row a query gives.
    fn rows(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Vec<Row>, StoreError>;
    /// The first row a query gives, if any; the rest are not read.
    fn row(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Option<Row>, StoreError>;
    /// Each row a query gives, one at a time. By default the rows are read whole first, so that a visit may ask
    /// the connection more (PostgreSQL's client reads a result set whole anyway; [`each_by_seq`](#method.each_by_seq)
    /// pages through the audit log); SQLite streams them.
    fn each(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        visit: &mut dyn FnMut(Row) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        for found in self.rows(sql, params)? {
            visit(found)?;
        }
        Ok(())
    }
}

/// How many rows [`each_by_seq`] reads at a time.
pub const PAGE: i64 = 5000;

impl dyn Db + '_ {
    /// Each row of a query over the audit log in the log's order, read [`PAGE`] rows at a time so that no
    /// backend holds the whole log (a PostgreSQL client reads a result set whole). `sql` takes the last `seq` seen
    /// as its last parameter and ends `WHERE … seq > ?N ORDER BY seq LIMIT ?M` (the page size, the parameter
    /// after it); `seq_column` is where the row has its `seq`.
    pub fn each_by_seq(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        seq_column: usize,
        visit: &mut dyn FnMut(Row) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut after = i64::MIN;
        loop {
            let rows = {
                let last = after;
                let mut all = params.to_vec();
                all.push(&last);
                all.push(&PAGE);
                self.rows(sql, &all)?
            };
            let read = rows.len() as i64;
            for row in rows {
                after = row.get(seq_column)?;
                visit(row)?;
            }
            if read < PAGE {
                return Ok(());
            }
        }
    }

    /// The first column of the first row, if any.
    pub fn value<T: FromValue>(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Option<T>, StoreError> {
        self.row(sql, params)?.map(|row| row.get(0)).transpose()
    }

    /// The first column of the only row a query must give (an aggregate, say).
    pub fn one<T: FromValue>(&self, sql: &str, params: &[&dyn ToValue]) -> Result<T, StoreError> {
        self.value(sql, params)?
            .ok_or_else(|| StoreError::Database { detail: format!("no row from: {}", first_line(sql)) })
    }

    /// The first column of every row.
    pub fn column<T: FromValue>(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Vec<T>, StoreError> {
        self.rows(sql, params)?.iter().map(|row| row.get(0)).collect()
    }

    pub fn exists(&self, sql: &str, params: &[&dyn ToValue]) -> Result<bool, StoreError> {
        Ok(self.row(sql, params)?.is_some())
    }

    /// Runs an `INSERT … RETURNING id` and gives the id.
    pub fn insert(&self, sql: &str, params: &[&dyn ToValue]) -> Result<i64, StoreError> {
        self.one(sql, params)
    }
}

fn first_line(sql: &str) -> &str {
    sql.trim().lines().next().unwrap_or_default()
}

/// A statement's `?N` parameters as PostgreSQL numbers them (`$N`), outside quoted text and names.
pub fn numbered_for_postgres(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    for c in sql.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '?' => {
                out.push('$');
                continue;
            }
            None => {}
        }
        out.push(c);
    }
    out
}

/// Word to the other benches that something changed, sent when the transaction commits (PostgreSQL's NOTIFY on
/// [`crate::storage::changes::CHANNEL`]). Changes that append to the audit log are announced by the backend at
/// every commit; this is for what the log does not hold (a lease changing hands). A SQLite file's benches are on
/// one computer and read the file's own change counter instead.
pub fn announce(db: &dyn Db, heard: &crate::storage::changes::Heard) -> Result<(), StoreError> {
    if db.dialect() == Dialect::Postgres {
        db.execute("SELECT pg_notify(?1, ?2)", &[&crate::storage::changes::CHANNEL, &heard.to_string()])?;
    }
    Ok(())
}
