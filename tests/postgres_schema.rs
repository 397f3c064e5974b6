//! The PostgreSQL schema (issue 16) on the real test server: the same tables, columns, keys, constraints and
//! indexes as SQLite's latest schema, migrated exactly once by eight benches starting together, a newer or a
//! foreign database refused untouched, the audit log append-only, and `empty`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Barrier};

use rma_station::storage::StoreError;
use rma_station::storage::postgres::schema::{self, LATEST};

use crate::support::pg;

/// What both backends must agree on about one table.
#[derive(Debug, Default, PartialEq, Eq)]
struct Table {
    /// In order: name, type (PostgreSQL's word), NOT NULL, default, position in the primary key (0: none),
    /// numbered by the database when an insert gives none.
    columns: Vec<(String, String, bool, Option<String>, i64, bool)>,
    /// Column, referenced table, referenced column, on delete.
    foreign_keys: BTreeSet<(String, String, String, String)>,
    /// Column lists of UNIQUE constraints.
    uniques: BTreeSet<Vec<String>>,
    /// Named indexes: name, columns, unique, partial.
    indexes: BTreeSet<(String, Vec<String>, bool, bool)>,
    /// How many CHECK constraints.
    checks: usize,
}

/// SQLite's latest schema as a real SQLite database built by its migrations shows it.
fn sqlite_tables() -> BTreeMap<String, Table> {
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    schema_sqlite::migrate(&mut conn).unwrap();
    let names: Vec<(String, String)> = conn
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut tables = BTreeMap::new();
    for (name, sql) in names {
        let mut table = Table::default();
        let mut stmt = conn.prepare(&format!("PRAGMA table_info({name})")).unwrap();
        let columns: Vec<(String, String, bool, Option<String>, i64)> = stmt
            .query_map([], |r| Ok((r.get(1)?, r.get(2)?, r.get::<_, i64>(3)? == 1, r.get(4)?, r.get(5)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let single_integer_key = columns.iter().filter(|c| c.4 > 0).count() == 1;
        for (column, kind, not_null, default, pk) in columns {
            let kind = match kind.as_str() {
                "INTEGER" => "bigint",
                "TEXT" => "text",
                "BLOB" => "bytea",
                other => panic!("{name}.{column}: a SQLite type the PostgreSQL schema has no rule for: {other}"),
            };
            // A key column is NOT NULL in PostgreSQL whatever SQLite's table_info says; a lone INTEGER PRIMARY
            // KEY is SQLite's rowid, numbered when an insert gives none (not in a WITHOUT ROWID table).
            let identity = pk == 1 && single_integer_key && kind == "bigint" && !sql.contains("WITHOUT ROWID");
            table.columns.push((column, kind.to_owned(), not_null || pk > 0, default, pk, identity));
        }
        let mut stmt = conn.prepare(&format!("PRAGMA foreign_key_list({name})")).unwrap();
        table.foreign_keys = stmt
            .query_map([], |r| Ok((r.get(3)?, r.get(2)?, r.get(4)?, r.get(6)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let indexes: Vec<(String, bool, String, bool)> = conn
            .prepare(&format!("PRAGMA index_list({name})"))
            .unwrap()
            .query_map([], |r| Ok((r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for (index, unique, origin, partial) in indexes {
            let columns: Vec<String> = conn
                .prepare(&format!("PRAGMA index_info('{index}')"))
                .unwrap()
                .query_map([], |r| r.get(2))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            match origin.as_str() {
                "u" => _ = table.uniques.insert(columns),
                "c" => _ = table.indexes.insert((index, columns, unique, partial)),
                _ => {} // the primary key, compared by its columns above
            }
        }
        table.checks = sql.matches("CHECK (").count();
        tables.insert(name, table);
    }
    tables
}

/// SQLite's migrations under a name that says which backend's they are.
mod schema_sqlite {
    pub use rma_station::storage::sqlite::schema::migrate;
}

/// The tables only PostgreSQL has: its schema version and the photo originals shared by every bench.
const POSTGRES_ONLY: [&str; 3] = ["schema_version", "photo_originals", "photo_blobs"];

/// The migrated PostgreSQL database as its catalog shows it.
fn postgres_tables(client: &mut postgres::Client) -> BTreeMap<String, Table> {
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    let columns = client
        .query(
            "SELECT c.table_name::text, c.column_name::text, c.data_type::text, c.is_nullable = 'NO',
                    c.column_default::text, coalesce(k.ordinal_position, 0)::bigint, c.is_identity = 'YES'
             FROM information_schema.columns c
             LEFT JOIN information_schema.table_constraints t
               ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.constraint_type = 'PRIMARY KEY'
             LEFT JOIN information_schema.key_column_usage k
               ON k.constraint_schema = t.constraint_schema AND k.constraint_name = t.constraint_name
              AND k.column_name = c.column_name
             WHERE c.table_schema = current_schema()
             ORDER BY c.table_name, c.ordinal_position",
            &[],
        )
        .unwrap();
    for row in columns {
        let default: Option<String> = row.get(4);
        // PostgreSQL writes a text default with its type: ''::text is SQLite's ''.
        let default = default.map(|d| d.trim_end_matches("::text").to_owned());
        tables.entry(row.get(0)).or_default().columns.push((
            row.get(1),
            row.get(2),
            row.get(3),
            default,
            row.get(5),
            row.get(6),
        ));
    }
    let constraints = client
        .query(
            "SELECT conrelid::regclass::text, contype::text,
                    array(SELECT a.attname::text FROM unnest(conkey) WITH ORDINALITY k(n, i)
                          JOIN pg_attribute a ON a.attrelid = conrelid AND a.attnum = k.n ORDER BY k.i),
                    confrelid::regclass::text,
                    array(SELECT a.attname::text FROM unnest(confkey) WITH ORDINALITY k(n, i)
                          JOIN pg_attribute a ON a.attrelid = confrelid AND a.attnum = k.n ORDER BY k.i),
                    confdeltype::text
             FROM pg_constraint WHERE connamespace = current_schema()::regnamespace",
            &[],
        )
        .unwrap();
    for row in constraints {
        let table = tables.entry(row.get(0)).or_default();
        let columns: Vec<String> = row.get(2);
        match row.get::<_, String>(1).as_str() {
            "f" => {
                let referenced: Vec<String> = row.get(4);
                let on_delete = match row.get::<_, String>(5).as_str() {
                    "a" => "NO ACTION",
                    "c" => "CASCADE",
                    other => panic!("an ON DELETE SQLite's schema never uses: {other}"),
                };
                table.foreign_keys.insert((
                    columns[0].clone(),
                    row.get(3),
                    referenced[0].clone(),
                    on_delete.to_owned(),
                ));
            }
            "u" => _ = table.uniques.insert(columns),
            "c" => table.checks += 1,
            _ => {} // the primary key, compared by its columns
        }
    }
    let indexes = client
        .query(
            "SELECT t.relname::text, i.relname::text, x.indisunique, x.indpred IS NOT NULL,
                    array(SELECT pg_get_indexdef(x.indexrelid, k, true) FROM generate_series(1, x.indnatts) k ORDER BY k)
             FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
             WHERE t.relnamespace = current_schema()::regnamespace
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
            &[],
        )
        .unwrap();
    for row in indexes {
        tables.entry(row.get(0)).or_default().indexes.insert((row.get(1), row.get(4), row.get(2), row.get(3)));
    }
    tables
}

#[test]
fn the_postgres_schema_is_sqlites_latest_table_by_table() {
    let Some(database) = pg::database() else { return };
    let mut client = database.connect();
    assert_eq!(schema::migrate(&mut client).unwrap(), (1..=LATEST).collect::<Vec<_>>());
    let mut postgres = postgres_tables(&mut client);
    for only in POSTGRES_ONLY {
        assert!(postgres.remove(only).is_some(), "{only} is missing");
    }
    let sqlite = sqlite_tables();
    assert_eq!(
        postgres.keys().collect::<Vec<_>>(),
        sqlite.keys().collect::<Vec<_>>(),
        "a SQLite migration without its PostgreSQL twin (or the other way round)?"
    );
    for (name, expected) in &sqlite {
        let found = &postgres[name];
        assert_eq!(found.columns, expected.columns, "{name}: columns (name, type, not null, default, key, identity)");
        assert_eq!(found.foreign_keys, expected.foreign_keys, "{name}: foreign keys");
        assert_eq!(found.uniques, expected.uniques, "{name}: unique constraints");
        assert_eq!(found.indexes, expected.indexes, "{name}: indexes");
        assert_eq!(found.checks, expected.checks, "{name}: CHECK constraints");
    }
}

#[test]
fn every_text_column_compares_byte_by_byte_as_sqlite_does() {
    let Some(database) = pg::database() else { return };
    let mut client = database.connect();
    schema::migrate(&mut client).unwrap();
    let other: Vec<String> = client
        .query(
            "SELECT table_name || '.' || column_name FROM information_schema.columns
             WHERE table_schema = current_schema() AND data_type = 'text' AND collation_name IS DISTINCT FROM 'C'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(other, Vec::<String>::new(), "text columns not COLLATE \"C\"");
    // Byte order, whatever the server's locale: upper case before lower, and the store's prefix range holds.
    client.batch_execute("INSERT INTO merchants VALUES ('b', 'x', 'x'), ('B', 'x', 'x'), ('a', 'x', 'x')").unwrap();
    let ids: Vec<String> =
        client.query("SELECT id FROM merchants ORDER BY id", &[]).unwrap().iter().map(|r| r.get(0)).collect();
    assert_eq!(ids, ["B", "a", "b"]);
    let in_range: i64 = client
        .query_one("SELECT count(*) FROM merchants WHERE id >= 'a' AND id < 'a' || chr(1114111)", &[])
        .unwrap()
        .get(0);
    assert_eq!(in_range, 1);
}

#[test]
fn eight_benches_migrating_one_new_database_at_once_apply_it_exactly_once() {
    let Some(database) = pg::database() else { return };
    const BENCHES: usize = 8;
    // Each bench connects first, then all migrate at the same moment.
    let start = Arc::new(Barrier::new(BENCHES));
    let benches: Vec<_> = (0..BENCHES)
        .map(|bench| {
            let url = database.parsed();
            let start = Arc::clone(&start);
            std::thread::Builder::new()
                .name(format!("bench-{bench}"))
                .spawn(move || {
                    let mut client = rma_station::storage::postgres::connect::connect(&url).unwrap();
                    start.wait();
                    schema::migrate(&mut client)
                })
                .unwrap()
        })
        .collect();
    let mut applied: Vec<Vec<u32>> = benches.into_iter().map(|b| b.join().unwrap().unwrap()).collect();
    applied.sort();
    let mut expected = vec![Vec::new(); BENCHES - 1];
    expected.push((1..=LATEST).collect());
    assert_eq!(applied, expected, "one bench applies every migration, the others none");

    let mut client = database.connect();
    assert_eq!(schema::version(&mut client).unwrap(), LATEST);
    let rows: i64 = client.query_one("SELECT count(*) FROM schema_version", &[]).unwrap().get(0);
    assert_eq!(rows, i64::from(LATEST));
    assert_eq!(schema::migrate(&mut client).unwrap(), Vec::<u32>::new(), "a later start applies nothing");
}

#[test]
fn a_database_of_a_newer_station_is_refused_untouched() {
    let Some(database) = pg::database() else { return };
    let mut client = database.connect();
    assert_eq!(schema::version(&mut client).unwrap(), 0);
    schema::migrate(&mut client).unwrap();
    // A newer station's schema: a version this one does not know, and a table it no longer has.
    let newer = i64::from(LATEST) + 1;
    client
        .execute("INSERT INTO schema_version (version, applied_at) VALUES ($1, '2027-01-01T00:00:00.000Z')", &[&newer])
        .unwrap();
    client.batch_execute("DROP TABLE photo_blobs").unwrap();
    match schema::migrate(&mut client) {
        Err(e @ StoreError::NewerSchema { found, supported, .. }) => {
            assert_eq!((i64::from(found), supported), (newer, LATEST));
            let message = e.to_string();
            assert!(
                message.contains("written by a newer station") && message.contains("it was not touched"),
                "{message}"
            );
            assert!(message.contains("PostgreSQL database rma_test_"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let absent: bool = client.query_one("SELECT to_regclass('photo_blobs') IS NULL", &[]).unwrap().get(0);
    assert!(absent, "the newer database was changed");
    assert_eq!(schema::version(&mut client).unwrap(), LATEST + 1);
}

#[test]
fn a_database_holding_someone_elses_tables_is_refused_untouched() {
    let Some(database) = pg::database() else { return };
    let mut client = database.connect();
    client.batch_execute("CREATE TABLE invoices (id BIGINT)").unwrap();
    let message = schema::migrate(&mut client).unwrap_err().to_string();
    assert!(message.contains("already holds tables that are not the station's (invoices)"), "{message}");
    let tables: i64 =
        client.query_one("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()", &[]).unwrap().get(0);
    assert_eq!(tables, 1);
}

#[test]
fn the_audit_log_is_append_only() {
    let Some(database) = pg::database() else { return };
    let mut client = database.connect();
    schema::migrate(&mut client).unwrap();
    client
        .batch_execute(
            "INSERT INTO audit_log (seq, at, station, actor, entity, entity_id, action, detail, prev_hash, hash)
             VALUES (1, '2026-11-21T12:00:00.000Z', 'bench-1', 'sam', 'package', '1', 'received', '', 'g', 'h')",
        )
        .unwrap();
    let cases = [
        ("UPDATE audit_log SET detail = 'changed'", "audit_log_no_update"),
        ("DELETE FROM audit_log", "audit_log_no_delete"),
        ("TRUNCATE audit_log", "audit_log_no_truncate"),
    ];
    for (sql, trigger) in cases {
        let e = client.batch_execute(sql).unwrap_err();
        let db = e.as_db_error().unwrap_or_else(|| panic!("{sql}: {e}"));
        assert_eq!(db.message(), "the audit log is append-only", "{sql}");
        let named: bool = client
            .query_one("SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = $1 AND tgenabled = 'O')", &[&trigger])
            .unwrap()
            .get(0);
        assert!(named, "{trigger}");
    }
    let entries: i64 = client.query_one("SELECT count(*) FROM audit_log", &[]).unwrap().get(0);
    assert_eq!(entries, 1);
}

#[test]
fn a_database_is_empty_until_it_holds_an_order_an_rma_a_package_or_an_audit_entry() {
    let Some(database) = pg::database() else { return };
    let merchant = "INSERT INTO merchants VALUES ('m', 'Merchant', 'sha');";
    let order = "INSERT INTO orders (id, merchant, number, number_key, channel, status, customer_name, customer_email,
                     customer_name_key, customer_email_key, country, ship_to, currency, purchased_on, shipping_cents,
                     gifted, content_hash)
                 VALUES (1, 'm', '1001', '1001', 'web', 'delivered', 'A', 'a@x', 'a', 'a@x', 'US', '', 'USD',
                     '2026-11-01', 0, 0, 'h');";
    let cases: Vec<(&str, String, bool)> = vec![
        ("nothing", String::new(), true),
        // Merchants, operators and settings are not history: a new warehouse may have set them up first.
        ("a merchant", merchant.to_owned(), true),
        (
            "an operator and a setting",
            "INSERT INTO operators (name, role, pin_hash) VALUES ('dana', 'supervisor', 'x');
             INSERT INTO station_settings VALUES ('bench-1', 'printer', 'none');"
                .to_owned(),
            true,
        ),
        ("an order", format!("{merchant}{order}"), false),
        // An RMA alone, its order's key unchecked for the case (rolled back with it), so that the RMAs count.
        (
            "an RMA",
            format!(
                "{merchant}
                 ALTER TABLE rmas DISABLE TRIGGER ALL;
                 INSERT INTO rmas (merchant, number, number_key, order_id, kind, resolution, requested_on,
                     defective_on_arrival, return_label_cents, note, content_hash)
                 VALUES ('m', 'R1', 'R1', 999, 'return', 'refund', '2026-11-02', 0, 0, '', 'h');"
            ),
            false,
        ),
        (
            "a package",
            "INSERT INTO packages (scanned_code, scanned_kind, received_at, station, operator, quarantined)
             VALUES ('X1', 'unknown', '2026-11-21T12:00:00.000Z', 'bench-1', 'sam', 1);"
                .to_owned(),
            false,
        ),
        (
            "an audit entry",
            "INSERT INTO audit_log (at, station, actor, entity, entity_id, action, detail, prev_hash, hash)
             VALUES ('2026-11-21T12:00:00.000Z', 'bench-1', 'sam', 'operator', '1', 'added', '', 'g', 'h');"
                .to_owned(),
            false,
        ),
    ];
    let mut client = database.connect();
    schema::migrate(&mut client).unwrap();
    for (what, sql, empty) in cases {
        // Each case in a transaction rolled back: the next starts from the empty database again.
        let mut tx = client.transaction().unwrap();
        tx.batch_execute(&sql).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(schema::empty(&mut tx).unwrap(), empty, "{what}");
        tx.rollback().unwrap();
    }
}

#[test]
fn photo_chunks_hold_at_most_one_mebibyte_of_an_original_stored_once() {
    let Some(database) = pg::database() else { return };
    let mut client = database.connect();
    schema::migrate(&mut client).unwrap();
    client.batch_execute("INSERT INTO photo_originals VALUES ('abc', 1048577, 2, '2026-11-21T12:00:00.000Z')").unwrap();
    let insert = "INSERT INTO photo_blobs (sha256, chunk, data) VALUES ($1, $2, $3)";
    let cases: &[(&str, i64, usize, bool)] = &[
        ("abc", 0, 1024 * 1024, true),
        ("abc", 1, 1, true),
        ("abc", 1, 1, false),               // the same chunk twice
        ("abc", 2, 1024 * 1024 + 1, false), // more than 1 MiB
        ("abc", 3, 0, false),               // an empty chunk
        ("abc", -1, 1, false),              // a chunk before the first
        ("def", 0, 1, false),               // a chunk of no stored original
    ];
    for (sha256, chunk, size, accepted) in cases {
        let data = vec![0xA5_u8; *size];
        let result = client.execute(insert, &[sha256, chunk, &data]);
        assert_eq!(result.is_ok(), *accepted, "{sha256} chunk {chunk} of {size} bytes: {result:?}");
    }
    let (chunks, bytes): (i64, i64) = client
        .query_one("SELECT count(*), sum(octet_length(data))::bigint FROM photo_blobs WHERE sha256 = 'abc'", &[])
        .map(|row| (row.get(0), row.get(1)))
        .unwrap();
    assert_eq!((chunks, bytes), (2, 1024 * 1024 + 1));
}
