//! Issue 15, reproduction 1: records bound to the audit chain. Someone with a copy of the data folder and
//! `sqlite3`, or with `psql` on the warehouse's server, edits, adds or removes a record behind the station's
//! back; `verify` names the record and the entry that vouched for it, and nothing moves money, prints evidence
//! or grants authority on it. Every case runs on SQLite and on PostgreSQL (`on_both!`) but two that are
//! SQLite's alone: a backup file restored, and an old SQLite file sealed by its upgrade (`schema::seal_all`).

use rma_station::bench::{self, BenchError};
use rma_station::domain::vocabulary::Queue;
use rma_station::exports::{ExportFailure, export_queue};
use rma_station::storage::restore::restore;
use rma_station::storage::seal::{Breach, Kind, Sealer, Unsound, Value, judge};
use rma_station::storage::{Store, StoreError, database_path};
use rusqlite::Connection;

use crate::bench_store::{assert_sound, bench, decided, stamp};
use crate::support::place::{Backend, Place, on_both};

/// Demo data with two refunds decided (RMA-2026-0108 and RMA-2026-0106), a printer set, and verify clean.
fn two_refunds(place: &Place) -> Box<dyn Store> {
    let mut store = bench(place);
    decided(&mut *store, "RMA-2026-0108", 1);
    decided(&mut *store, "RMA-2026-0106", 3);
    store.set_station_setting("label_printer", "tcp:10.0.4.21:9100", &stamp(5)).unwrap();
    assert_sound(&*store);
    store
}

const ORDER_OF_0108: &str = "(SELECT order_id FROM rmas WHERE number = 'RMA-2026-0108')";

on_both!(verify_names_every_kind_of_record_edited_added_or_removed_behind_the_stations_back);
fn verify_names_every_kind_of_record_edited_added_or_removed_behind_the_stations_back(place: &Place) {
    // (the edit, the words of the problem verify must report)
    let mut cases: Vec<(String, &str)> = vec![
        (
            "UPDATE queue_items SET amount_cents = 999999 WHERE queue = 'refund' AND id = (SELECT min(id) FROM queue_items WHERE queue = 'refund')".into(),
            "queue item 1 no longer holds what audit entry",
        ),
        ("UPDATE queue_items SET detail = 'pay me' WHERE queue = 'refund'".into(), "no longer holds what audit entry"),
        ("UPDATE queue_items SET status = 'done', reference = 'x' WHERE queue = 'refund'".into(), "queue item"),
        ("UPDATE decisions SET net_cents = net_cents + 1 WHERE id = 1".into(), "decision 1 no longer holds"),
        ("UPDATE decisions SET verdict = 'hold', disposition = 'hold' WHERE id = 2".into(), "decision 2 no longer holds"),
        (
            "UPDATE decisions SET decision_json = replace(decision_json, '\"net\"', '\"net\" ') WHERE id = 1".into(),
            "decision 1 no longer holds",
        ),
        ("UPDATE decisions SET withdrawn_at = '2026-11-21T10:00:00.000Z' WHERE id = 1".into(), "decision 1"),
        (
            format!("UPDATE order_lines SET unit_price_cents = unit_price_cents + 100 WHERE order_id = {ORDER_OF_0108}"),
            "order ",
        ),
        (format!("UPDATE orders SET payment_reference = 'pay_mallory' WHERE id = {ORDER_OF_0108}"), "order "),
        ("UPDATE rmas SET return_label_cents = 0 WHERE number = 'RMA-2026-0108'".into(), "RMA "),
        (
            "DELETE FROM rma_tracking WHERE rma_id = (SELECT max(id) FROM rmas);
             DELETE FROM rmas WHERE id = (SELECT max(id) FROM rmas)"
                .into(),
            "which is not in the database",
        ),
        ("UPDATE packages SET operator = 'mallory' WHERE id = 1".into(), "package 1 no longer holds"),
        ("UPDATE inspection_items SET qty = qty + 1 WHERE inspection_id = 1".into(), "inspection sheet 1"),
        ("UPDATE operators SET role = 'supervisor' WHERE role = 'clerk'".into(), "operator "),
        ("UPDATE operators SET pin_hash = 'x' WHERE name = 'dana'".into(), "operator "),
        (
            "UPDATE station_settings SET value = 'tcp:10.6.6.6:9100'".into(),
            "station setting label_printer@bench-1 no longer holds",
        ),
        (
            "INSERT INTO queue_items (queue, detail, status, created_at, amount_cents)
             VALUES ('refund', 'by hand', 'open', '2026-11-21T10:00:00.000Z', 5000)"
                .into(),
            "has no audit entry that vouches for its content",
        ),
        (place.drop_trigger("audit_log_no_update"), "the trigger audit_log_no_update is missing"),
        (place.drop_trigger("audit_log_no_delete"), "the trigger audit_log_no_delete is missing"),
    ];
    if place.backend() == Backend::Sqlite {
        // An amount stored as text: SQLite keeps what it is given in a column of any declared type, so the
        // record's content changes with its value the same. PostgreSQL's BIGINT column stores the number.
        cases.push(("UPDATE queue_items SET amount_cents = '30419' WHERE queue = 'refund'".into(), "queue item"));
    }
    drop(two_refunds(place));
    for (sql, says) in cases {
        // Each edit on a copy of the same two refunds.
        let place = place.copy();
        let store = place.open();
        assert!(place.edit(&sql) > 0 || sql.starts_with("DROP"), "{sql}: changed nothing");
        let report = store.verify().unwrap();
        assert!(!report.is_sound(), "{sql}: verify passed");
        assert!(report.problems.iter().any(|p| p.contains(says)), "{sql}: {:?}", report.problems);
    }
}

on_both!(a_seal_edited_in_its_entry_breaks_the_chain);
fn a_seal_edited_in_its_entry_breaks_the_chain(place: &Place) {
    let store = two_refunds(place);
    place.edit(&format!(
        "{};
         UPDATE audit_log SET content = 'c1:' || substr(hash, 1, 64) WHERE seq = (SELECT max(seq) FROM audit_log
             WHERE entity = 'queue_item');",
        place.drop_trigger("audit_log_no_update")
    ));
    let report = store.verify().unwrap();
    let broken = report.chain_break.expect("the chain must break").to_string();
    assert!(broken.contains("was altered after it was written"), "{broken}");
}

on_both!(issue_15_the_refund_edited_in_the_database_is_not_exported_and_the_cli_says_why);
fn issue_15_the_refund_edited_in_the_database_is_not_exported_and_the_cli_says_why(place: &Place) {
    let mut store = two_refunds(place);
    place.edit("UPDATE queue_items SET amount_cents = 999999 WHERE id = 1");
    let folder = place.dir().join("exports");
    let error = export_queue(&mut *store, Queue::Refund, &folder, &stamp(10)).unwrap_err();
    let ExportFailure::Store(StoreError::Unsound(unsound)) = &error else { panic!("{error:?}") };
    assert_eq!((unsound.kind, unsound.id.as_str()), (Kind::QueueItem, "1"));
    assert!(matches!(unsound.breach, Breach::Changed { .. }));
    assert!(!folder.join("refund-batch-000001.csv").exists(), "nothing written");
    assert!(store.export_batches(Queue::Refund, 5).unwrap().is_empty(), "nothing claimed");
    drop(store);

    let output = place.station(&["export", "refund"], "");
    let (out, err) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(!output.status.success(), "{out}");
    assert!(err.contains("queue item 1 no longer holds what audit entry"), "{err}");
    assert!(err.contains("rma-station verify"), "{err}");
    assert!(!err.contains("9999.99"), "{err}");
}

on_both!(nothing_is_paid_decided_or_reopened_on_records_the_chain_does_not_vouch_for);
fn nothing_is_paid_decided_or_reopened_on_records_the_chain_does_not_vouch_for(place: &Place) {
    let mut store = two_refunds(place);
    // A queue item marked done by hand is refused, and so is one whose amount was edited.
    place.edit("UPDATE queue_items SET amount_cents = 1 WHERE id = 1");
    let dana = crate::roles::as_role("dana", rma_station::domain::vocabulary::Role::Supervisor);
    let now = crate::support::clock().now();
    let error = bench::queues::complete_item(&mut *store, &dana, &now, 1, "payout-1").unwrap_err();
    assert!(matches!(error, BenchError::Store(StoreError::Unsound(_))), "{error:?}");

    // The order's price edited: deciding the order's next package is refused (the engine would price it by
    // the edited line), and so is a supervisor's reopen of a package of that order.
    let fresh_place = place.another();
    let mut fresh = crate::bench_store::bench(&fresh_place);
    fresh_place.edit(
        "UPDATE order_lines SET unit_price_cents = unit_price_cents * 10
         WHERE order_id = (SELECT order_id FROM rmas WHERE number = 'RMA-2026-0108')",
    );
    let m = crate::bench_store::rma(&*fresh, "RMA-2026-0108");
    let sheet = crate::bench_store::everything_back(&m);
    let (package, inspection) = crate::bench_store::inspected(&mut *fresh, &m, &sheet, 1);
    let to_save = crate::bench_store::engine_decision(&m, &sheet, package, inspection);
    let error = fresh.record_decision(&to_save, &stamp(2)).unwrap_err();
    let StoreError::Unsound(Unsound { kind: Kind::Order, .. }) = &error else { panic!("{error:?}") };
    assert!(error.to_string().contains("nothing was done"), "{error}");

    let error = store.reopen_package(1, "recount", &stamp(20)).unwrap_err();
    assert!(matches!(error, StoreError::Unsound(_)), "{error:?}");
}

on_both!(a_clerk_promoted_by_hand_signs_in_as_nobody);
fn a_clerk_promoted_by_hand_signs_in_as_nobody(place: &Place) {
    let mut store = bench(place);
    place.edit("UPDATE operators SET role = 'supervisor' WHERE name = 'sam'");
    let now = crate::support::clock().now();
    let secret = crate::support::pin_secret();
    let error = bench::sign_in::sign_in(&mut *store, "bench-1", &now, "sam", "1357", &secret).unwrap_err();
    assert!(error.to_string().contains("operator"), "{error}");
    assert!(error.to_string().contains("no longer holds what audit entry"), "{error}");
}

#[test]
fn a_backup_whose_refund_was_edited_is_not_restored() {
    let store = two_refunds(&Place::sqlite());
    let backups = tempfile::tempdir().unwrap();
    let backup = backups.path().join("copy.sqlite3");
    assert!(store.backup_to(&backup).unwrap().is_sound());
    let conn = Connection::open(&backup).unwrap();
    conn.execute("UPDATE queue_items SET amount_cents = 999999 WHERE id = 1", []).unwrap();
    drop(conn);
    let target = backups.path().join("restored").join("station.sqlite3");
    let error = restore(&backup, &target).unwrap_err();
    assert!(matches!(error, StoreError::BackupUnsound { .. }), "{error:?}");
    assert!(error.to_string().contains("queue item 1 no longer holds what audit entry"), "{error}");
    assert!(!target.exists());
}

#[test]
fn a_database_from_before_seals_is_sealed_as_it_stands_when_it_is_upgraded() {
    // Records written by this station, their seals then taken away as a station before schema 11 kept none:
    // the upgrade step seals every record once, and verify is clean again.
    let place = Place::sqlite();
    let store = two_refunds(&place);
    let mut conn = Connection::open(database_path(place.dir())).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET content = NULL;
         CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
             BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    )
    .unwrap();
    let unsealed = store.verify().unwrap();
    assert!(unsealed.problems.iter().any(|p| p.contains("has no audit entry that vouches")), "{unsealed:?}");
    let sealed = rma_station::storage::schema::seal_all(&mut conn, &stamp(30)).unwrap();
    let records: i64 = conn
        .query_row(
            "SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM rmas) + (SELECT count(*) FROM packages)
                  + (SELECT count(*) FROM inspections) + (SELECT count(*) FROM photos)
                  + (SELECT count(*) FROM decisions) + (SELECT count(*) FROM queue_items)
                  + (SELECT count(*) FROM export_batches) + (SELECT count(*) FROM operators)
                  + (SELECT count(*) FROM station_settings)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(sealed, records as u64);
    // The chain's hashes covered the seals taken away, so the rewrite shows there; the records are vouched for.
    let report = store.verify().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

#[test]
fn a_seal_is_its_values_with_their_types_and_places() {
    let seal = |kind: Kind, rows: &[&[Value<'_>]]| {
        let mut sealer = Sealer::new(kind);
        for row in rows {
            sealer.row(row);
        }
        sealer.finish()
    };
    let base = seal(Kind::QueueItem, &[&[Value::Text("refund"), Value::Integer(30419)]]);
    let others = [
        seal(Kind::QueueItem, &[&[Value::Text("refund"), Value::Text("30419")]]),
        seal(Kind::QueueItem, &[&[Value::Text("refund"), Value::Real(30419.0)]]),
        seal(Kind::QueueItem, &[&[Value::Text("refund"), Value::Integer(30420)]]),
        seal(Kind::QueueItem, &[&[Value::Text("refund")], &[Value::Integer(30419)]]),
        seal(Kind::Decision, &[&[Value::Text("refund"), Value::Integer(30419)]]),
        seal(Kind::QueueItem, &[&[Value::Text("refund"), Value::Integer(30419), Value::Null]]),
        seal(Kind::QueueItem, &[&[Value::Bytes(b"refund"), Value::Integer(30419)]]),
    ];
    for other in others {
        assert_ne!(base, other);
    }
    assert_eq!(base, seal(Kind::QueueItem, &[&[Value::Text("refund"), Value::Integer(30419)]]));
    assert!(base.starts_with("c1:") && base.len() == 67, "{base}");
}

#[test]
fn judging_a_record_against_its_seal_names_each_breach() {
    let kind = Kind::Rma;
    assert_eq!(judge(kind, "5", Some("c1:a"), Some((9, "c1:a"))), Ok(()));
    assert_eq!(judge(kind, "5", None, Some((9, "absent"))), Ok(()));
    assert_eq!(judge(kind, "5", None, None), Ok(()));
    let breach = |now, sealed| judge(kind, "5", now, sealed).unwrap_err().breach;
    // (the record now, its latest seal, the breach)
    let cases = [
        (Some("c1:b"), Some((9, "c1:a")), Breach::Changed { seq: 9 }),
        (None, Some((9, "c1:a")), Breach::Gone { seq: 9 }),
        (Some("c1:b"), None, Breach::Unsealed),
        (Some("c1:b"), Some((9, "absent")), Breach::Changed { seq: 9 }),
    ];
    for (now, sealed, expected) in cases {
        assert_eq!(breach(now, sealed), expected, "{now:?} {sealed:?}");
    }
}

on_both!(a_photo_swapped_for_another_file_is_named_and_no_packet_embeds_it);
fn a_photo_swapped_for_another_file_is_named_and_no_packet_embeds_it(place: &Place) {
    use rma_station::evidence::{PacketTarget, write_packet};
    use rma_station::photos::decode::DecodeLimits;
    use rma_station::photos::ingest::ingest;
    use rma_station::photos::store::PhotoFolder;
    use rma_station::storage::photos_path;

    let dir = place.dir();
    let (mut store, decision_id) = crate::evidence::decided_claim(place, &crate::evidence::sticker_shots());
    // The forger's photo goes into the photo folder by its own hash, and the first photo's row points at it:
    // the folder holds what the row says, so only the seal can tell.
    let folder = PhotoFolder::new(photos_path(dir));
    let fake = std::fs::read(crate::support::fixture("photos/camera/Canon_40D.jpg")).unwrap();
    let fake = ingest(&folder, &fake, crate::evidence::stamp(20).at, &DecodeLimits::default()).unwrap().record();
    let swapped = place.edit(&format!("UPDATE photos SET sha256 = '{}' WHERE id = 1", fake.sha256));
    assert_eq!(swapped, 1);
    let report = store.verify().unwrap();
    assert!(report.problems.iter().any(|p| p.contains("photo 1 no longer holds what audit entry")), "{report:?}");

    let out = dir.join("packet.pdf");
    let error = write_packet(&mut *store, &folder, decision_id, PacketTarget::File(&out), &crate::evidence::stamp(30))
        .unwrap_err();
    assert!(error.to_string().contains("photo 1 no longer holds what audit entry"), "{error}");
    assert!(!out.exists(), "no packet written");
}

on_both!(verify_reads_the_chain_and_the_seals_page_by_page_and_finds_an_edit_past_the_first_page);
/// `verify` pages through the audit log (a PostgreSQL client would otherwise hold it whole): an order sealed
/// past the first page and edited, and an entry past it altered, are both found, and a sound log stays sound.
fn verify_reads_the_chain_and_the_seals_page_by_page_and_finds_an_edit_past_the_first_page(place: &Place) {
    let mut store = place.open();
    let many = rma_station::storage::sql::PAGE + 200;
    let orders: Vec<_> = (0..many)
        .map(|n| crate::storage::order("connectpro", &format!("CP-{n:06}"), "Rosa Diaz", "rosa@example.com"))
        .collect();
    store.import_orders(&crate::storage::source("orders.csv"), &orders, &crate::bench_store::stamp(0)).unwrap();
    let sound = store.verify().unwrap();
    assert!(sound.is_sound(), "{:?}", sound.problems);
    assert!(sound.audit_entries > many as u64, "{}", sound.audit_entries);

    let last = format!("CP-{:06}", many - 1);
    place.edit(&format!("UPDATE orders SET customer_name = 'Mallory' WHERE number = '{last}'"));
    let report = store.verify().unwrap();
    assert!(report.problems.iter().any(|p| p.contains("order") && p.contains("changed")), "{:?}", report.problems);
    place.edit(&format!(
        "{}; UPDATE audit_log SET detail = 'edited' WHERE seq = (SELECT max(seq) FROM audit_log)",
        place.drop_trigger("audit_log_no_update")
    ));
    let broken = store.verify().unwrap().chain_break.expect("the chain must break").to_string();
    assert!(broken.contains("was altered after it was written"), "{broken}");
}
