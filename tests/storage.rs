//! The store on real databases: all-or-nothing and idempotent imports, lookups, the append-only hash-chained
//! audit log, `verify` and the worker thread, on SQLite and on PostgreSQL (`on_both!`); and SQLite's own
//! file, which stays SQLite's alone: migrations from every earlier SQLite schema, refusing a newer one (the
//! file left untouched, no WAL file made), and backups taken while another connection writes.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rma_station::domain::money::Money;
use rma_station::domain::records::{OrderLineRecord, OrderRecord, OrderStatus, RmaRecord};
use rma_station::domain::vocabulary::{Channel, Resolution, RmaKind};
use rma_station::storage::audit::ChainBreak;
use rma_station::storage::schema::{self, LATEST};
use rma_station::storage::sqlite::SqliteStore;
use rma_station::storage::worker::StorageWorker;
use rma_station::storage::{ImportCounts, ImportSource, Stamp, Store, StoreError, database_path};
use rusqlite::Connection;

use crate::support::POLICIES;
use crate::support::place::{Backend, Place, on_both};

pub(crate) fn stamp(minute: u32) -> Stamp {
    Stamp {
        at: Utc.with_ymd_and_hms(2026, 11, 21, 9, minute, 0).single().unwrap_or(DateTime::UNIX_EPOCH),
        station: "bench-1".into(),
        operator: "ana".into(),
    }
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

pub(crate) fn source(file: &str) -> ImportSource {
    ImportSource { file: file.into(), sha256: "ab".repeat(32) }
}

pub fn order(merchant: &str, number: &str, customer: &str, email: &str) -> OrderRecord {
    OrderRecord {
        merchant: merchant.into(),
        number: number.into(),
        channel: Channel::Direct,
        status: OrderStatus::Open,
        customer_name: customer.into(),
        customer_email: email.into(),
        country: "US".into(),
        ship_to: vec![customer.into(), "1 Main St".into(), "Springfield, IL 62701".into()],
        currency: "USD".into(),
        purchased_on: day("2026-09-01"),
        delivered_on: Some(day("2026-09-04")),
        shipping_charged: Money::from_cents(2500),
        gifted: false,
        payment_reference: Some("pay_123".into()),
        referral: None,
        lines: vec![
            OrderLineRecord {
                sku: "KVM-4P".into(),
                name: "4-port KVM switch".into(),
                category: "kvm_switch".into(),
                qty: 1,
                unit_price: Money::from_cents(29900),
                on_sale: false,
                special_order: false,
                gift_card: false,
            },
            OrderLineRecord {
                sku: "CBL-USB".into(),
                name: "USB cable".into(),
                category: "accessory".into(),
                qty: 2,
                unit_price: Money::from_cents(700),
                on_sale: false,
                special_order: false,
                gift_card: false,
            },
        ],
    }
}

pub(crate) fn rma(merchant: &str, number: &str, order_number: &str, tracking: &[&str]) -> RmaRecord {
    RmaRecord {
        merchant: merchant.into(),
        number: number.into(),
        order_number: order_number.into(),
        kind: RmaKind::Return,
        resolution: Resolution::Refund,
        requested_on: day("2026-09-10"),
        defective_on_arrival: false,
        return_label_cost: Money::from_cents(725),
        expected_tracking: tracking.iter().map(|t| (*t).to_owned()).collect(),
        note: "customer changed their mind".into(),
    }
}

struct TempStore {
    _dir: tempfile::TempDir,
    pub(crate) path: PathBuf,
}

fn temp_path() -> TempStore {
    let dir = tempfile::tempdir().unwrap();
    let path = database_path(dir.path());
    TempStore { _dir: dir, path }
}

fn open(path: &Path) -> SqliteStore {
    SqliteStore::open(path, &POLICIES).unwrap_or_else(|e| panic!("open {}: {e}", path.display()))
}

/// A store on `place` holding two orders and one RMA.
pub(crate) fn stocked(place: &Place) -> Box<dyn Store> {
    let mut store = place.open();
    let orders = [
        order("connectpro", "CP-10023", "Ana Lima", "ana@example.com"),
        order("konnected", "#1001", "Bo Chen", "bo@example.org"),
    ];
    store.import_orders(&source("orders.csv"), &orders, &stamp(0)).unwrap();
    store
        .import_rmas(
            &source("rmas.csv"),
            &[rma("connectpro", "RMA-2026-0001", "CP-10023", &["1Z 5R8 939 0357567127"])],
            &stamp(1),
        )
        .unwrap();
    store
}

#[test]
fn migrates_from_empty_and_from_every_earlier_version_keeping_the_data() {
    for start in 0..LATEST {
        let temp = temp_path();
        {
            let mut conn = Connection::open(&temp.path).unwrap();
            schema::migrate_to(&mut conn, start).unwrap();
            assert_eq!(schema::version(&conn).unwrap(), start);
            if start >= 1 {
                // Data written at the earlier version survives the later migrations.
                conn.execute(
                    "INSERT INTO merchants (id, name, policy_sha256) VALUES ('connectpro', 'ConnectPRO', 'x')",
                    [],
                )
                .unwrap();
            }
        }
        let store = open(&temp.path);
        drop(store);
        let conn = Connection::open(&temp.path).unwrap();
        assert_eq!(schema::version(&conn).unwrap(), LATEST, "from version {start}");
        let merchants: i64 = conn.query_row("SELECT count(*) FROM merchants", [], |r| r.get(0)).unwrap();
        assert_eq!(merchants, 2, "from version {start}");
        let journal: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(journal, "wal");
    }
}

#[test]
fn a_database_from_a_newer_station_is_refused_and_left_untouched() {
    let temp = temp_path();
    {
        let conn = Connection::open(&temp.path).unwrap();
        conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;").unwrap();
    }
    let before = std::fs::read(&temp.path).unwrap();
    let error = SqliteStore::open(&temp.path, &POLICIES).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "{}: this database was written by a newer station (schema 99; this station knows up to {LATEST}); it was not touched",
            temp.path.display()
        )
    );
    assert_eq!(std::fs::read(&temp.path).unwrap(), before, "the newer database was modified");
    assert!(!temp.path.with_extension("sqlite3-wal").exists(), "a WAL file was created");
}

on_both!(importing_the_same_orders_twice_changes_nothing_and_a_changed_order_is_updated);
fn importing_the_same_orders_twice_changes_nothing_and_a_changed_order_is_updated(place: &Place) {
    let mut store = place.open();
    let orders = vec![
        order("connectpro", "CP-1", "Ana Lima", "ana@example.com"),
        order("connectpro", "CP-2", "Bo Chen", "bo@example.com"),
    ];
    let first = store.import_orders(&source("a.csv"), &orders, &stamp(0)).unwrap();
    assert_eq!(first, ImportCounts { new: 2, updated: 0, unchanged: 0 });
    let audit_after_first = store.counts().unwrap().audit_entries;
    let bytes_before = store.counts().unwrap();

    let again = store.import_orders(&source("a.csv"), &orders, &stamp(1)).unwrap();
    assert_eq!(again, ImportCounts { new: 0, updated: 0, unchanged: 2 });
    assert_eq!(store.counts().unwrap(), bytes_before, "a repeated import changed the database");
    assert_eq!(store.counts().unwrap().audit_entries, audit_after_first);

    let mut changed = orders.clone();
    changed[1].lines.pop();
    changed[1].delivered_on = Some(day("2026-09-05"));
    let third = store.import_orders(&source("b.csv"), &changed, &stamp(2)).unwrap();
    assert_eq!(third, ImportCounts { new: 0, updated: 1, unchanged: 1 });
    let stored = store.orders_by_number("cp-2").unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].record, changed[1], "the stored order is not what was imported");
    let audit = store.audit_entries("import", "b.csv").unwrap();
    assert_eq!(audit.len(), 1);
    assert!(audit[0].detail.contains("\"updated\":1"), "{}", audit[0].detail);
    assert_eq!((audit[0].station.as_str(), audit[0].actor.as_str()), ("bench-1", "ana"));
}

on_both!(a_bad_record_stops_the_import_and_nothing_of_it_is_written);
fn a_bad_record_stops_the_import_and_nothing_of_it_is_written(place: &Place) {
    let mut store = stocked(place);
    let before = store.counts().unwrap();

    let orders = vec![
        order("connectpro", "CP-3", "Cy Diaz", "cy@example.com"),
        order("acme", "A-1", "Di Evans", "di@example.com"),
    ];
    let error = store.import_orders(&source("bad.csv"), &orders, &stamp(5)).unwrap_err();
    assert_eq!(error.to_string(), "merchant \"acme\" has no policy file; known merchants: connectpro, konnected");
    assert_eq!(store.counts().unwrap(), before);
    assert!(store.orders_by_number("CP-3").unwrap().is_empty(), "half an import was written");

    let rmas = vec![rma("connectpro", "RMA-2026-0002", "CP-10023", &[]), rma("konnected", "KN-RMA-0009", "#9999", &[])];
    let error = store.import_rmas(&source("bad-rmas.csv"), &rmas, &stamp(6)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "RMA KN-RMA-0009: order #9999 of merchant konnected is not known; import the orders first"
    );
    assert!(store.rmas_by_number("RMA-2026-0002").unwrap().is_empty(), "half an import was written");
    assert_eq!(store.counts().unwrap(), before);
}

on_both!(finds_rmas_and_orders_by_every_number_a_clerk_may_scan);
fn finds_rmas_and_orders_by_every_number_a_clerk_may_scan(place: &Place) {
    let store = stocked(place);
    // (what was scanned or typed, RMA numbers expected)
    let by_rma = [("RMA-2026-0001", 1), ("rma-2026-0001", 1), (" RMA-2026-0001 ", 1), ("RMA-2026-0002", 0)];
    for (scanned, expected) in by_rma {
        assert_eq!(store.rmas_by_number(scanned).unwrap().len(), expected, "RMA {scanned:?}");
    }
    let found = &store.rmas_by_number("RMA-2026-0001").unwrap()[0];
    assert_eq!(found.order.record.number, "CP-10023");
    assert_eq!(found.rma.record.return_label_cost, Money::from_cents(725));
    assert_eq!(found.rma.record.expected_tracking, ["1Z5R89390357567127"]);

    for scanned in ["1Z5R89390357567127", "1z5r89390357567127", "1Z 5R8 939 0357567127"] {
        let matches = store.rmas_by_tracking(scanned).unwrap();
        assert_eq!(matches.len(), 1, "tracking {scanned:?}");
        assert_eq!(matches[0].rma.record.number, "RMA-2026-0001");
    }
    for (scanned, merchant) in [("CP-10023", "connectpro"), ("#1001", "konnected"), ("1001", "konnected")] {
        let orders = store.orders_by_number(scanned).unwrap();
        assert_eq!(
            orders.iter().map(|o| o.record.merchant.as_str()).collect::<Vec<_>>(),
            [merchant],
            "order {scanned:?}"
        );
    }
    let cp = &store.orders_by_number("CP-10023").unwrap()[0];
    assert_eq!(store.rmas_of_order(cp.id).unwrap().len(), 1);

    // Prefix search on name or email, case-insensitive; % and _ are plain characters.
    let cases: [(&str, &[&str]); 5] =
        [("ana", &["CP-10023"]), ("ANA L", &["CP-10023"]), ("bo@ex", &["#1001"]), ("b", &["#1001"]), ("%", &[])];
    for (prefix, expected) in cases {
        let found: Vec<String> =
            store.search_customers(prefix, 10).unwrap().into_iter().map(|o| o.record.number).collect();
        assert_eq!(found, expected, "prefix {prefix:?}");
    }
}

on_both!(the_audit_log_refuses_updates_and_deletes);
fn the_audit_log_refuses_updates_and_deletes(place: &Place) {
    let store = stocked(place);
    assert!(store.counts().unwrap().audit_entries >= 2);
    let sqls = [
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 1",
        // PostgreSQL's TRUNCATE removes rows without firing row triggers: a trigger of its own refuses it.
        if place.backend() == Backend::Postgres { "TRUNCATE audit_log" } else { "DELETE FROM audit_log" },
    ];
    for sql in sqls {
        let error = place.try_edit(sql).unwrap_err();
        assert!(error.contains("the audit log is append-only"), "{sql}: {error}");
    }
    assert!(store.verify().unwrap().is_sound());
}

on_both!(verify_names_an_append_only_trigger_that_was_dropped);
fn verify_names_an_append_only_trigger_that_was_dropped(place: &Place) {
    for trigger in ["audit_log_no_update", "audit_log_no_delete"] {
        let place = place.another();
        let store = stocked(&place);
        place.edit(&place.drop_trigger(trigger));
        let report = store.verify().unwrap();
        assert!(!report.is_sound(), "{trigger}");
        assert!(
            report.problems.iter().any(|p| p.starts_with(&format!("the trigger {trigger} is missing"))),
            "{trigger}: {:?}",
            report.problems
        );
    }
}

on_both!(verify_finds_the_first_altered_or_missing_audit_entry);
fn verify_finds_the_first_altered_or_missing_audit_entry(place: &Place) {
    // (what the tamperer does with the triggers out of the way, the break verify must report)
    let cases: [(&str, ChainBreak); 3] = [
        ("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2", ChainBreak::Altered { seq: 2 }),
        ("DELETE FROM audit_log WHERE seq = 2", ChainBreak::Link { seq: 3 }),
        ("UPDATE audit_log SET detail = 'x', hash = 'y' WHERE seq = 1", ChainBreak::Altered { seq: 1 }),
    ];
    for (tampering, expected) in cases {
        let place = place.another();
        let mut store = stocked(&place);
        store.append_audit(&stamp(9), "package", "1", "received", "{}").unwrap();
        let head_before = store.verify().unwrap().head_hash;
        place.edit(&format!(
            "{}; {}; {tampering}",
            place.drop_trigger("audit_log_no_update"),
            place.drop_trigger("audit_log_no_delete")
        ));
        let report = store.verify().unwrap();
        assert_eq!(report.chain_break, Some(expected.clone()), "{tampering}");
        assert!(!report.is_sound());
        assert!(report.head_hash == head_before || tampering.starts_with("DELETE"), "{tampering}");
    }
}

#[test]
fn a_backup_taken_while_another_connection_writes_is_consistent_and_verifies() {
    let place = Place::sqlite();
    let store = stocked(&place);
    let writer_path = database_path(place.dir());
    let writer = std::thread::Builder::new()
        .name("test-writer".into())
        .spawn(move || {
            let mut other = open(&writer_path);
            for i in 0..200 {
                let number = format!("CP-W{i}");
                other
                    .import_orders(
                        &source("stream.csv"),
                        &[order("connectpro", &number, "Writer", "w@example.com")],
                        &stamp(10),
                    )
                    .unwrap();
            }
        })
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut backups = Vec::new();
    for i in 0..5 {
        let destination = dir.path().join(format!("backup-{i}.sqlite3"));
        let report = store.backup_to(&destination).unwrap();
        assert!(report.is_sound(), "backup {i}: {report:?}");
        backups.push(destination);
    }
    writer.join().unwrap();
    for backup in &backups {
        let copy = Connection::open(backup).unwrap();
        let orders: i64 = copy.query_row("SELECT count(*) FROM orders", [], |r| r.get(0)).unwrap();
        let audited: i64 =
            copy.query_row("SELECT count(*) FROM audit_log WHERE entity_id = 'stream.csv'", [], |r| r.get(0)).unwrap();
        // Each streamed order came with its own audit entry in the same transaction: a consistent copy has both or neither.
        assert_eq!(orders - 2, audited, "{}", backup.display());
    }
    let error = store.backup_to(&backups[0]).unwrap_err();
    assert!(matches!(error, StoreError::BackupExists { .. }), "{error}");
}

on_both!(the_worker_thread_owns_the_store_and_answers_calls_and_submissions);
fn the_worker_thread_owns_the_store_and_answers_calls_and_submissions(place: &Place) {
    let worker = StorageWorker::spawn(stocked(place)).unwrap();
    let client = worker.client();
    let counts = client.call(|store| store.counts()).unwrap().unwrap();
    assert_eq!(counts.orders, 2);

    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    client
        .submit(
            |store| store.rmas_by_number("RMA-2026-0001").map(|m| m.len()),
            move |found| {
                let thread = std::thread::current().name().map(str::to_owned);
                tx.send((found.ok(), thread)).unwrap();
            },
        )
        .unwrap();
    assert_eq!(rx.recv().unwrap(), (Some(1), Some("storage".to_owned())));
    drop(worker);
    assert!(matches!(client.call(|store| store.counts()), Err(StoreError::WorkerGone)));
}
