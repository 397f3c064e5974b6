//! The SQL layer ([`Db`]) on a PostgreSQL connection or transaction, and the backend ([`PgBackend`]): statements
//! rewritten to `$N` and prepared once per connection, values bound by the type the server infers for each
//! parameter, every change in one transaction that first takes the warehouse's write lock.

use std::cell::{Cell, RefCell, RefMut};
use std::collections::HashMap;
use std::error::Error;
use std::path::Path;
use std::time::{Duration, Instant};

use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, GenericClient, Statement};

use super::connect::{database_error, reconnect};
use crate::storage::changes::CHANNEL;
use crate::storage::location::DatabaseUrl;

use super::originals;
use crate::photos::store::PhotoHash;
use crate::storage::sql::consistency::records_and_chain;
use crate::storage::sql::{Backend, Db, Dialect, Row, ToValue, Value, numbered_for_postgres};
use crate::storage::{Stamp, StoreError, VerifyReport};

/// The advisory lock every write transaction takes first: the audit chain is one sequence for the whole
/// warehouse, so changes are serialized across benches as SQLite's IMMEDIATE serializes them on one file.
/// Reads never take it.
const WRITE_LOCK: i64 = 0x524d_4153_5441; // "RMASTA"

/// How often a lost connection is tried again, at most: in between, work is refused at once as
/// [`StoreError::ServerAway`] rather than each request waiting on a server that is not there.
const RECONNECT_EVERY: Duration = Duration::from_secs(1);

/// Prepared statements by the station's SQL text: named statements live as long as the connection, whatever
/// the transactions around them did.
type Statements = RefCell<HashMap<String, Statement>>;

/// A value bound to a parameter of the type the server inferred for it.
#[derive(Debug)]
struct Bound(Value);

impl ToSql for Bound {
    fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match (&self.0, ty) {
            (Value::Null, _) => Ok(IsNull::Yes),
            (Value::Integer(n), &Type::INT8) => n.to_sql(ty, out),
            (Value::Integer(n), &Type::INT4) => i32::try_from(*n)?.to_sql(ty, out),
            (Value::Integer(n), &Type::INT2) => i16::try_from(*n)?.to_sql(ty, out),
            (Value::Integer(n), &Type::BOOL) => (*n != 0).to_sql(ty, out),
            (Value::Integer(n), &Type::FLOAT8) => (*n as f64).to_sql(ty, out),
            (Value::Integer(n), &Type::TEXT | &Type::VARCHAR) => n.to_string().to_sql(ty, out),
            (Value::Real(x), &Type::FLOAT8) => x.to_sql(ty, out),
            (Value::Text(text), &Type::TEXT | &Type::VARCHAR | &Type::BPCHAR | &Type::NAME | &Type::UNKNOWN) => {
                text.as_str().to_sql(&Type::TEXT, out)
            }
            (Value::Text(text), &Type::JSON | &Type::JSONB) => text.as_str().to_sql(&Type::TEXT, out),
            (Value::Blob(bytes), &Type::BYTEA) => bytes.as_slice().to_sql(ty, out),
            (value, ty) => Err(format!("cannot bind {value:?} to a parameter of type {ty}").into()),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A column's value read by its type.
struct Read(Value);

impl<'a> FromSql<'a> for Read {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Read, Box<dyn Error + Sync + Send>> {
        let value = match *ty {
            Type::INT8 => Value::Integer(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Integer(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT2 => Value::Integer(i64::from(i16::from_sql(ty, raw)?)),
            Type::BOOL => Value::Integer(i64::from(bool::from_sql(ty, raw)?)),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::BYTEA => Value::Blob(Vec::<u8>::from_sql(ty, raw)?),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                Value::Text(String::from_sql(&Type::TEXT, raw)?)
            }
            ref other => return Err(format!("the station reads no column of type {other}").into()),
        };
        Ok(Read(value))
    }

    fn from_sql_null(_: &Type) -> Result<Read, Box<dyn Error + Sync + Send>> {
        Ok(Read(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

fn row(row: &postgres::Row) -> Result<Row, StoreError> {
    (0..row.len())
        .map(|i| row.try_get::<_, Read>(i).map(|read| read.0).map_err(|e| database_error(&e)))
        .collect::<Result<Vec<_>, _>>()
        .map(Row)
}

/// The layer on a client or a transaction of one connection.
struct Session<'a, C: GenericClient> {
    client: RefCell<&'a mut C>,
    statements: &'a Statements,
}

impl<C: GenericClient> Session<'_, C> {
    fn statement(&self, sql: &str) -> Result<Statement, StoreError> {
        if let Some(statement) = self.statements.borrow().get(sql) {
            return Ok(statement.clone());
        }
        let statement =
            self.client.borrow_mut().prepare(&numbered_for_postgres(sql)).map_err(|e| database_error(&e))?;
        self.statements.borrow_mut().insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }

    /// Runs `sql`'s prepared statement with `params` bound, through `call` (a query or an execute).
    fn run<T>(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        call: impl FnOnce(&mut C, &Statement, &[&(dyn ToSql + Sync)]) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        let statement = self.statement(sql)?;
        let bound: Vec<Bound> = params.iter().map(|p| Bound(p.to_value())).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = bound.iter().map(|b| b as &(dyn ToSql + Sync)).collect();
        call(&mut self.client.borrow_mut(), &statement, &refs).map_err(|e| database_error(&e))
    }

    fn query(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Vec<postgres::Row>, StoreError> {
        self.run(sql, params, |client, statement, refs| client.query(statement, refs))
    }
}

impl<C: GenericClient> Db for Session<'_, C> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute(&self, sql: &str, params: &[&dyn ToValue]) -> Result<u64, StoreError> {
        self.run(sql, params, |client, statement, refs| client.execute(statement, refs))
    }

    fn rows(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Vec<Row>, StoreError> {
        self.query(sql, params)?.iter().map(row).collect()
    }

    fn row(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Option<Row>, StoreError> {
        self.query(sql, params)?.first().map(row).transpose()
    }
}

/// One connection to the warehouse's server, for reads outside a transaction; a connection lost (the server
/// restarted, the network cut) is opened again by the next request, at most once every [`RECONNECT_EVERY`].
pub struct PgConnection {
    client: RefCell<Client>,
    statements: Statements,
    url: DatabaseUrl,
    /// Whether a lost connection is opened again (a listener's is not: its LISTEN would be lost with it).
    reconnects: bool,
    last_try: Cell<Option<Instant>>,
}

impl PgConnection {
    fn new(client: Client, url: &DatabaseUrl, reconnects: bool) -> PgConnection {
        let (statements, last_try) = (RefCell::default(), Cell::new(None));
        PgConnection { client: RefCell::new(client), statements, url: url.clone(), reconnects, last_try }
    }

    /// A connection that is not opened again when lost: the caller opens a new one (and listens again).
    pub(super) fn once(client: Client, url: &DatabaseUrl) -> PgConnection {
        PgConnection::new(client, url, false)
    }

    /// The client, connected again first where its connection was lost. Statements prepared on the lost
    /// connection died with it. (A connection that died while idle, the server restarted or the network cut,
    /// is found lost only by the next statement sent on it: [`PgConnection::read`] and [`PgBackend::change`] then
    /// send what they can safely send again on a new one.)
    pub(super) fn client(&self) -> Result<RefMut<'_, Client>, StoreError> {
        let mut client = self.client.borrow_mut();
        if client.is_closed() {
            if !self.reconnects {
                return Err(StoreError::ServerAway { detail: "the connection to it was lost".to_owned() });
            }
            if self.last_try.get().is_some_and(|at| at.elapsed() < RECONNECT_EVERY) {
                return Err(StoreError::ServerAway { detail: "the connection to it was lost".to_owned() });
            }
            self.last_try.set(Some(Instant::now()));
            *client = reconnect(&self.url)?;
            self.statements.borrow_mut().clear();
            tracing::info!(database = %self.url, "connected to the database again");
        }
        Ok(client)
    }

    fn session<T>(&self, run: impl FnOnce(&Session<'_, Client>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut client = self.client()?;
        run(&Session { client: RefCell::new(&mut *client), statements: &self.statements })
    }

    /// The client in a transaction just begun by `begin`. BEGIN changes nothing, so on a connection that turns
    /// out lost by it (idle through a server restart or a network cut) it is sent again on a new one.
    fn begun(&self, begin: &str) -> Result<RefMut<'_, Client>, StoreError> {
        let mut client = self.client()?;
        match client.batch_execute(begin) {
            Ok(()) => return Ok(client),
            Err(e) if !(self.reconnects && client.is_closed()) => return Err(database_error(&e)),
            Err(_) => {}
        }
        drop(client);
        let mut client = self.client()?;
        client.batch_execute(begin).map_err(|e| database_error(&e))?;
        Ok(client)
    }

    /// `body` in one transaction begun by `begin`: committed if it succeeds, rolled back if not.
    fn transaction<T>(
        &self,
        begin: &str,
        body: impl FnOnce(&Session<'_, Client>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut client = self.begun(begin)?;
        let done = {
            let session = Session { client: RefCell::new(&mut *client), statements: &self.statements };
            body(&session).and_then(|answer| {
                session.client.borrow_mut().batch_execute("COMMIT").map_err(|e| database_error(&e))?;
                Ok(answer)
            })
        };
        if done.is_err() && !client.is_closed() {
            // Whatever failed, the transaction ends here; a connection that cannot even roll back is lost, and
            // the server rolls back on its own.
            let _ = client.batch_execute("ROLLBACK");
        }
        done
    }

    /// A read, asked once more on a new connection when the connection it went on turned out lost: a read
    /// changes nothing, so asking again is safe (a write outside a transaction is not asked again).
    fn read<T>(&self, run: impl Fn(&Session<'_, Client>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        match self.session(&run) {
            Err(StoreError::ServerAway { .. }) if self.reconnects && self.client.borrow().is_closed() => {
                self.session(&run)
            }
            other => other,
        }
    }
}

impl Db for PgConnection {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute(&self, sql: &str, params: &[&dyn ToValue]) -> Result<u64, StoreError> {
        self.session(|s| s.execute(sql, params))
    }

    fn rows(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Vec<Row>, StoreError> {
        self.read(|s| s.rows(sql, params))
    }

    fn row(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Option<Row>, StoreError> {
        self.read(|s| s.row(sql, params))
    }
}

/// The warehouse's PostgreSQL database, connected and migrated.
pub struct PgBackend {
    connection: PgConnection,
    /// Where it is, as `verify` and errors name it (never with a password).
    label: String,
}

impl std::fmt::Debug for PgBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgBackend").field("database", &self.label).finish_non_exhaustive()
    }
}

impl PgBackend {
    /// The backend on `client`, a connection to `url`'s database (which it connects to again when lost).
    pub fn new(client: Client, url: &DatabaseUrl) -> PgBackend {
        PgBackend { connection: PgConnection::new(client, url, true), label: url.to_string() }
    }

    pub fn label(&self) -> &str {
        &self.label
    }
}

impl Backend for PgBackend {
    fn db(&self) -> &dyn Db {
        &self.connection
    }

    /// One transaction under the write lock. At its commit the other benches hear of it (NOTIFY, with the
    /// newest audit entry's number, sent only if the transaction commits): they read what changed from the
    /// audit log (`crate::storage::changes`).
    fn change<T>(&mut self, change: impl FnOnce(&dyn Db) -> Result<T, StoreError>) -> Result<T, StoreError> {
        self.connection.transaction("BEGIN", |session| {
            session.execute("SELECT pg_advisory_xact_lock(?1)", &[&WRITE_LOCK])?;
            let changed = change(session)?;
            session.execute("SELECT pg_notify(?1, 'seq:' || COALESCE(max(seq), 0)) FROM audit_log", &[&CHANNEL])?;
            Ok(changed)
        })
    }

    fn snapshot<T>(&self, read: impl FnOnce(&dyn Db) -> Result<T, StoreError>) -> Result<T, StoreError> {
        self.connection.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", |session| read(session))
    }

    fn verify(&self) -> Result<VerifyReport, StoreError> {
        // The server keeps its own pages whole; the records and the chain are checked as on any backend, then
        // the shared photo originals, one at a time, a chunk at a time.
        let mut report = records_and_chain(&self.connection, Vec::new(), true)?;
        report.problems.extend(originals::problems(&self.connection)?);
        Ok(report)
    }

    fn shares_photos(&self) -> bool {
        true
    }

    /// In a transaction of its own that does not take the warehouse's write lock: an original touches no audit
    /// chain (the photo's record, sealed, names its hash), so megabytes of chunks going up never hold up
    /// another bench's decision. Two benches keeping the same photo at once meet on its primary key.
    fn keep_photo_original(&mut self, hash: &PhotoHash, bytes: &[u8], stamp: &Stamp) -> Result<bool, StoreError> {
        let stored_at = stamp.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        self.connection.transaction("BEGIN", |session| originals::keep(session, hash, bytes, &stored_at))
    }

    fn photo_original(&self, hash: &PhotoHash) -> Result<Option<Vec<u8>>, StoreError> {
        // In one snapshot: an original read while another bench writes it is read whole or not at all.
        self.snapshot(|db| originals::fetch(db, hash))
    }

    fn backup_to(&self, _destination: &Path) -> Result<VerifyReport, StoreError> {
        Err(StoreError::NotOnThisBackend {
            what: "a backup file",
            instead: "a shared server is backed up by its own tools (pg_dump or pg_basebackup), whole, for every bench",
        })
    }
}
