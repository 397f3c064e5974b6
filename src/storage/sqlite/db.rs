//! The SQL layer ([`Db`]) on a SQLite connection or transaction: statements prepared once and cached by
//! rusqlite, values bound and read as the layer's [`Value`]s.

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, Transaction};

use crate::storage::StoreError;
use crate::storage::sql::{Db, Dialect, Row, ToValue, Value};

struct Bound(Value);

impl rusqlite::ToSql for Bound {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match &self.0 {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Integer(n) => ToSqlOutput::Borrowed(ValueRef::Integer(*n)),
            Value::Real(x) => ToSqlOutput::Borrowed(ValueRef::Real(*x)),
            Value::Text(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
            Value::Blob(bytes) => ToSqlOutput::Borrowed(ValueRef::Blob(bytes)),
        })
    }
}

fn bound(params: &[&dyn ToValue]) -> Vec<Bound> {
    params.iter().map(|param| Bound(param.to_value())).collect()
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let count = r.as_ref().column_count();
    let mut values = Vec::with_capacity(count);
    for i in 0..count {
        values.push(match r.get_ref(i)? {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(n) => Value::Integer(n),
            ValueRef::Real(x) => Value::Real(x),
            // Text SQLite holds that is not UTF-8 is read as the bytes it is.
            ValueRef::Text(bytes) => {
                std::str::from_utf8(bytes).map_or_else(|_| Value::Blob(bytes.to_vec()), |s| Value::Text(s.to_owned()))
            }
            ValueRef::Blob(bytes) => Value::Blob(bytes.to_vec()),
        });
    }
    Ok(Row(values))
}

impl Db for Connection {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute(&self, sql: &str, params: &[&dyn ToValue]) -> Result<u64, StoreError> {
        let changed = self.prepare_cached(sql)?.execute(rusqlite::params_from_iter(bound(params)))?;
        Ok(changed as u64)
    }

    fn rows(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Vec<Row>, StoreError> {
        let mut stmt = self.prepare_cached(sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(bound(params)), row)?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn row(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Option<Row>, StoreError> {
        let mut stmt = self.prepare_cached(sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(bound(params)))?;
        Ok(rows.next()?.map(row).transpose()?)
    }

    fn each(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        visit: &mut dyn FnMut(Row) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut stmt = self.prepare_cached(sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(bound(params)))?;
        while let Some(r) = rows.next()? {
            visit(row(r)?)?;
        }
        Ok(())
    }
}

impl Db for Transaction<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute(&self, sql: &str, params: &[&dyn ToValue]) -> Result<u64, StoreError> {
        Db::execute(&**self, sql, params)
    }

    fn rows(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Vec<Row>, StoreError> {
        Db::rows(&**self, sql, params)
    }

    fn row(&self, sql: &str, params: &[&dyn ToValue]) -> Result<Option<Row>, StoreError> {
        Db::row(&**self, sql, params)
    }

    fn each(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        visit: &mut dyn FnMut(Row) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        Db::each(&**self, sql, params, visit)
    }
}
