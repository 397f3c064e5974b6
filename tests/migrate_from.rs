//! Issue 16, item 8: `migrate-from` moves a bench's SQLite history into an empty PostgreSQL database of the test
//! server and verifies it there: the demo data with decisions, an export batch and real camera photos
//! (`tests/fixtures/photos`) moved whole, its audit head the bench's; a second move refused with nothing changed;
//! the next decision on PostgreSQL numbered after the copied ids; and a tampered, incomplete or altered bench
//! refused before anything is kept. Without a server each test says loudly that it did not run
//! (`support::pg`).

use std::path::Path;

use rma_station::domain::vocabulary::{Checkpoint, Queue};
use rma_station::exports::export_queue;
use rma_station::photos::decode::DecodeLimits;
use rma_station::photos::ingest::ingest;
use rma_station::photos::store::PhotoFolder;
use rma_station::storage::postgres::PgStore;
use rma_station::storage::postgres::migrate_from::{MoveError, Moved, Progress, migrate_from};
use rma_station::storage::{Store, database_path, photos_path};
use rusqlite::Connection;

use crate::bench_store::{bench, everything_back, inspected, rma, stamp};
use crate::labels::decide_package;
use crate::support::place::Place;
use crate::support::{POLICIES, TODAY, date, fixture, pg, run_station};

/// A bench on its SQLite file, and its store.
struct Bench {
    place: Place,
    store: Box<dyn Store>,
}

/// The demo bench in `dir`, with two returns decided (a refund and a denial's return to the customer), the
/// refunds exported as a batch, a package inspected with two camera photos and left undecided, and a photo in
/// the folder that no record names (a bench stopped between storing a photo and recording it). The photos span
/// one chunk (small JPEGs) and several (a 2 MB HEIC).
fn busy_bench() -> Bench {
    let place = Place::sqlite();
    let mut b = Bench { store: bench(&place), place };
    decide_package(&mut *b.store, "RMA-2026-0108", |_| {}, date(TODAY), &stamp(1));
    decide_package(&mut *b.store, "RMA-2026-0106", |_| {}, date(TODAY), &stamp(2));
    let exports = b.place.dir().join("exports");
    export_queue(&mut *b.store, Queue::Refund, &exports, &stamp(3)).unwrap().unwrap();
    let m = rma(&*b.store, "RMA-2026-0109");
    let (_, inspection) = inspected(&mut *b.store, &m, &everything_back(&m), 4);
    let folder = PhotoFolder::new(photos_path(b.place.dir()));
    for (n, file) in ["photos/camera/Canon_40D.jpg", "photos/camera/jolla-phone.jpg"].into_iter().enumerate() {
        let bytes = std::fs::read(fixture(file)).unwrap();
        let taken = ingest(&folder, &bytes, stamp(5).at, &DecodeLimits::default()).unwrap();
        let row = taken.record().to_row(inspection, Some(0), [Checkpoint::Damage, Checkpoint::Contents][n]);
        b.store.record_photo(&row, &stamp(5)).unwrap();
    }
    folder.put(&std::fs::read(fixture("photos/camera/iphone_13_pro_max.heic")).unwrap()).unwrap();
    b
}

fn moved(
    data: &Path,
    db: &pg::TestDatabase,
) -> Result<(Moved, rma_station::storage::postgres::migrate_from::Checked), MoveError> {
    let mut seen = 0;
    let mut progress = |p: Progress<'_>| {
        assert!(p.done >= seen && p.done <= p.total, "{p:?}");
        seen = p.done;
    };
    migrate_from(data, &db.parsed(), &POLICIES, stamp(30).at, &mut progress)
}

/// Rows of `table` in the target, by hand.
fn rows(db: &pg::TestDatabase, table: &str) -> i64 {
    db.connect().query_one(&format!("SELECT count(*) FROM {table}"), &[]).unwrap().get(0)
}

#[test]
fn a_busy_bench_moves_whole_with_its_photos_and_verifies_with_its_own_head() {
    let b = busy_bench();
    let Some(db) = pg::database() else { return };
    let (moved, checked) = moved(b.place.dir(), &db).unwrap();
    assert!(checked.differences.is_empty(), "{:?}", checked.differences);
    assert!(checked.report.is_sound(), "{:?}", checked.report);
    let head = b.store.audit_head().unwrap();
    assert_eq!((moved.head.clone(), checked.head.clone()), (head.clone(), head.clone()));
    assert_eq!(checked.report.audit_entries, head.seq as u64);

    // Every table of the bench, as many rows there as here; the photo originals from the folder.
    let conn = Connection::open(database_path(b.place.dir())).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(moved.tables.len(), tables.len() + 2, "{:?}", moved.tables);
    for table in &tables {
        let here: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap();
        let copied = moved.tables.iter().find(|(t, _)| t == table).map(|(_, n)| *n as i64);
        assert_eq!((copied, rows(&db, table)), (Some(here), here), "{table}");
    }
    for (table, least) in [("decisions", 2), ("queue_items", 2), ("export_batch_files", 2), ("photos", 2)] {
        assert!(rows(&db, table) >= least, "{table}: the bench's history, not only the demo's");
    }
    let files = ["Canon_40D.jpg", "jolla-phone.jpg", "iphone_13_pro_max.heic"];
    let sizes: u64 =
        files.iter().map(|f| std::fs::metadata(fixture(&format!("photos/camera/{f}"))).unwrap().len()).sum();
    assert_eq!((moved.photos, moved.photo_bytes, rows(&db, "photo_originals")), (3, sizes, 3));
    // 2,182,707 bytes: three chunks of at most 1 MiB; each small JPEG one.
    assert_eq!(rows(&db, "photo_blobs"), 5);
    let mut client = db.connect();
    for file in files {
        let original = std::fs::read(fixture(&format!("photos/camera/{file}"))).unwrap();
        let hash = rma_station::photos::store::PhotoHash::of(&original).to_hex();
        let chunks: Vec<Vec<u8>> = client
            .query("SELECT data FROM photo_blobs WHERE sha256 = $1 ORDER BY chunk", &[&hash])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(chunks.concat(), original, "{file}, byte for byte");
    }

    // A bench on the server finds the same history: lookups, a package's whole story, the queues.
    let pg_store = PgStore::connect(&db.parsed(), &POLICIES).unwrap();
    for number in ["RMA-2026-0108", "RMA-2026-0106", "RMA-2026-0109"] {
        let there = pg_store.find_packages(number, 5).unwrap();
        assert_eq!(there, b.store.find_packages(number, 5).unwrap(), "{number}");
        let package = there[0].id;
        assert_eq!(pg_store.package_history(package).unwrap(), b.store.package_history(package).unwrap());
    }
    assert_eq!(pg_store.export_batches(Queue::Refund, 5).unwrap(), b.store.export_batches(Queue::Refund, 5).unwrap());
    assert_eq!(pg_store.operators().unwrap(), b.store.operators().unwrap());
}

#[test]
fn a_second_move_into_the_same_database_is_refused_and_changes_nothing() {
    let b = busy_bench();
    let Some(db) = pg::database() else { return };
    let first = run_station(&["--database", db.url(), "migrate-from", &b.place.dir().display().to_string()], "");
    let said = String::from_utf8_lossy(&first.stdout);
    assert!(first.status.success(), "{said}\n{}", String::from_utf8_lossy(&first.stderr));
    let head = b.store.audit_head().unwrap();
    assert!(said.contains(&format!("audit head: {head}")), "{said}");
    assert!(said.contains("verified there: integrity ok"), "{said}");
    let orders = rows(&db, "orders");
    assert!(
        said.lines().any(|l| l.split_whitespace().collect::<Vec<_>>() == ["orders", &orders.to_string()]),
        "{said}"
    );
    let before: Vec<i64> = ["orders", "audit_log", "photo_blobs", "merchants"].iter().map(|t| rows(&db, t)).collect();

    // Again, the same bench and a fresh one: both refused, the database named with what it holds.
    let other = busy_bench();
    for again in [&b, &other] {
        let refused =
            run_station(&["--database", db.url(), "migrate-from", &again.place.dir().display().to_string()], "");
        let error = String::from_utf8_lossy(&refused.stderr);
        assert!(!refused.status.success(), "{error}");
        assert!(error.contains(&format!("the database {} is not empty", db.url())), "{error}");
        assert!(error.contains(&format!("orders ({orders} rows)")) && error.contains("nothing was copied"), "{error}");
    }
    let after: Vec<i64> = ["orders", "audit_log", "photo_blobs", "merchants"].iter().map(|t| rows(&db, t)).collect();
    assert_eq!(after, before);
    let store = PgStore::connect(&db.parsed(), &POLICIES).unwrap();
    assert_eq!(store.audit_head().unwrap(), head);
    assert!(store.verify().unwrap().is_sound());
}

#[test]
fn after_the_move_the_next_decision_on_postgres_gets_the_next_ids_and_the_chain_still_verifies() {
    let b = busy_bench();
    let Some(db) = pg::database() else { return };
    moved(b.place.dir(), &db).unwrap();
    let last = |table: &str, id: &str| -> i64 {
        db.connect().query_one(&format!("SELECT max({id}) FROM {table}"), &[]).unwrap().get(0)
    };
    let (packages, decisions, items, seq) =
        (last("packages", "id"), last("decisions", "id"), last("queue_items", "id"), last("audit_log", "seq"));
    let mut store = PgStore::connect(&db.parsed(), &POLICIES).unwrap();
    let (package, _) = decide_package(&mut store, "RMA-2026-0101", |_| {}, date(TODAY), &stamp(40));
    assert_eq!(package, packages + 1);
    let history = store.package_history(package).unwrap();
    assert_eq!(history.decisions[0].id, decisions + 1);
    assert!(history.queue.iter().all(|item| item.id > items), "{:?}", history.queue);
    let head = store.audit_head().unwrap();
    assert!(head.seq > seq);
    let entries = store.audit_entries("package", &package.to_string()).unwrap();
    assert_eq!(entries[0].seq, seq + 1, "the chain goes on from the bench's head");
    let report = store.verify().unwrap();
    assert!(report.is_sound(), "{report:?}");
    assert_eq!(report.audit_entries, head.seq as u64);
}

#[test]
fn a_refund_edited_on_the_bench_is_refused_and_nothing_is_copied() {
    let b = busy_bench();
    let Some(db) = pg::database() else { return };
    let item = b.store.queue_items(Queue::Refund, true, 1).unwrap().remove(0).id;
    let conn = Connection::open(database_path(b.place.dir())).unwrap();
    conn.execute("UPDATE queue_items SET amount_cents = 999999 WHERE id = ?1", [item]).unwrap();
    let error = moved(b.place.dir(), &db).unwrap_err();
    let MoveError::SourceUnsound { path, problems } = &error else { panic!("{error:?}") };
    assert_eq!(path, &database_path(b.place.dir()));
    let named = format!("queue item {item} no longer holds what audit entry");
    assert!(problems.iter().any(|p| p.contains(&named)), "{problems:?}");
    assert!(error.to_string().contains("does not verify, so it was not moved (nothing was copied)"), "{error}");
    // Refused before the server was touched: not even the schema was made.
    assert_eq!(rma_station::storage::postgres::schema::version(&mut db.connect()).unwrap(), 0);
}

/// What is done to a stored photo's file.
type Damage = fn(&Path);

#[test]
fn a_missing_or_altered_photo_stops_the_move_with_its_name_and_nothing_is_copied() {
    let jolla = std::fs::read(fixture("photos/camera/jolla-phone.jpg")).unwrap();
    let hash = rma_station::photos::store::PhotoHash::of(&jolla);
    let cases: [(&str, Damage); 2] = [
        ("MISSING: the bench records this photo but its file is gone", |file| std::fs::remove_file(file).unwrap()),
        ("ALTERED: its file no longer has the bytes its name is the hash of", |file| {
            let mut permissions = std::fs::metadata(file).unwrap().permissions();
            #[expect(clippy::permissions_set_readonly_false, reason = "a test alters a stored photo on purpose")]
            permissions.set_readonly(false);
            std::fs::set_permissions(file, permissions).unwrap();
            let mut bytes = std::fs::read(file).unwrap();
            bytes[1000] ^= 1;
            std::fs::write(file, bytes).unwrap();
        }),
    ];
    for (said, damage) in cases {
        let b = busy_bench();
        let Some(db) = pg::database() else { return };
        let file = PhotoFolder::new(photos_path(b.place.dir())).path_of(&hash);
        damage(&file);
        let error = moved(b.place.dir(), &db).unwrap_err();
        let MoveError::Photo { hash: named, path, problem } = &error else { panic!("{error:?}") };
        assert_eq!((named, path, problem.as_str()), (&hash.to_hex(), &file, said));
        assert!(error.to_string().contains("the move stopped and nothing was copied"), "{error}");
        for table in ["orders", "audit_log", "photo_originals", "photo_blobs"] {
            assert_eq!(rows(&db, table), 0, "{said}: {table}");
        }
    }
}

#[test]
fn migrate_from_needs_a_postgres_database_and_a_bench() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let refused = run_station(&["--data-dir", &data, "migrate-from", &data], "");
    let error = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(error.contains("--database postgres://"), "{error}");
    let Some(db) = pg::database() else { return };
    let nothing = run_station(&["--database", db.url(), "migrate-from", &data], "");
    let error = String::from_utf8_lossy(&nothing.stderr);
    assert!(!nothing.status.success());
    assert!(error.contains("no station database here (station.sqlite3)"), "{error}");
    assert!(!database_path(dir.path()).exists(), "no empty bench made where there was none");
}
