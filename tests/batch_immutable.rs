//! Issue 15, reproduction 4: a batch is immutable. Its files are kept when it is claimed, and every write
//! of it (the first, `export --batch N`, the window's "write again") writes those bytes, whatever the order
//! data says since; a kept file that was altered, or a file to record that differs from the kept one, is
//! refused with the batch and the file named; a batch claimed before the station kept files is rendered
//! once, kept, and refused if it no longer matches what was written then. Every case runs on SQLite and on
//! PostgreSQL but the last, an old SQLite file's upgrade (`schema::seal_all`), which is SQLite's alone.

use std::path::{Path, PathBuf};

use rma_station::domain::vocabulary::Queue;
use rma_station::exports::{ExportFailure, ExportReport, export_queue, write_batch};
use rma_station::storage::{BatchFile, ImportSource, Store, StoreError, database_path};
use rusqlite::Connection;

use crate::bench_store::{assert_sound, bench, decided, rma, stamp};
use crate::support::place::{Backend, Place, on_both};

const NEW_REFERENCE: &str = "pay_CHANGED_AFTER_EXPORT";

/// Imports the order of RMA `number` again with another payment reference, as a merchant's corrected
/// export would.
fn change_payment_reference(store: &mut dyn Store, number: &str, minute: u32) {
    let mut order = rma(store, number).order.record;
    assert_ne!(order.payment_reference.as_deref(), Some(NEW_REFERENCE));
    order.payment_reference = Some(NEW_REFERENCE.into());
    let source = ImportSource { file: "orders-corrected.csv".into(), sha256: "cd".repeat(32) };
    let counts = store.import_orders(&source, &[order], &stamp(minute)).unwrap();
    assert_eq!(counts.updated, 1, "the import changed the order");
}

/// The files of a report as text (they are UTF-8), for readable failures.
fn texts_of(paths: impl IntoIterator<Item = impl AsRef<Path>>) -> Vec<String> {
    paths.into_iter().map(|path| std::fs::read_to_string(path).unwrap()).collect()
}

fn written(report: &ExportReport) -> Vec<String> {
    texts_of(report.files.iter().map(|file| file.path.as_str()))
}

#[track_caller]
fn assert_batch_changed(error: &ExportFailure, batch_id: i64, file: &str, says: &str) {
    let ExportFailure::Store(StoreError::BatchChanged { batch_id: id, file: named, .. }) = error else {
        panic!("{error:?}")
    };
    assert_eq!((*id, named.as_str()), (batch_id, file), "{error}");
    let message = error.to_string();
    assert!(message.starts_with(&format!("export batch {batch_id}: {file}: ")), "{message}");
    assert!(message.contains(says), "{message}");
}

on_both!(issue_15_a_batch_written_again_after_an_import_is_the_same_bytes);
fn issue_15_a_batch_written_again_after_an_import_is_the_same_bytes(place: &Place) {
    let mut store = bench(place);
    let store = &mut *store;
    let folder = place.dir().join("exports");
    decided(store, "RMA-2026-0101", 0);
    let first = export_queue(store, Queue::Refund, &folder, &stamp(5)).unwrap().unwrap();
    let batch_id = first.batch_id.unwrap();
    let first_texts = written(&first);

    change_payment_reference(store, "RMA-2026-0101", 10);
    // The live data has moved on: rendered from it today, the batch would carry the new reference.
    let live = store.export_batch(batch_id).unwrap();
    assert_eq!(live.items[0].row.payment_reference.as_deref(), Some(NEW_REFERENCE));

    for file in &first.files {
        std::fs::remove_file(&file.path).unwrap();
    }
    let again = write_batch(store, batch_id, &folder, &stamp(20)).unwrap();
    assert_eq!(written(&again), first_texts, "the same bytes");
    assert_eq!(again.files, first.files, "the same paths, rows and SHA-256");
    assert!(written(&again).iter().all(|text| !text.contains(NEW_REFERENCE)));
    let summary = store.export_batches(Queue::Refund, 10).unwrap().remove(0);
    assert_eq!(summary.written.map(|(_, files)| files), Some(first.files.clone()), "the recorded SHA-256 stands");
    assert_sound(store);
}

on_both!(issue_15_the_command_line_writes_a_batch_again_as_it_was_claimed);
fn issue_15_the_command_line_writes_a_batch_again_as_it_was_claimed(place: &Place) {
    let mut store = bench(place);
    decided(&mut *store, "RMA-2026-0101", 0);
    drop(store);
    let dir = place.dir();
    let output = place.station(&["export", "refund"], "");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let files: Vec<PathBuf> =
        ["csv", "json"].map(|extension| dir.join(format!("exports/refund-batch-000001.{extension}"))).into();
    let before = texts_of(&files);

    change_payment_reference(&mut *place.open(), "RMA-2026-0101", 10);
    let output = place.station(&["export", "--batch", "1"], "");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(texts_of(&files), before);
}

on_both!(a_kept_file_that_was_altered_is_refused_and_nothing_is_written);
fn a_kept_file_that_was_altered_is_refused_and_nothing_is_written(place: &Place) {
    let mut store = bench(place);
    let store = &mut *store;
    let folder = place.dir().join("exports");
    decided(store, "RMA-2026-0101", 0);
    let first = export_queue(store, Queue::Refund, &folder, &stamp(5)).unwrap().unwrap();
    let batch_id = first.batch_id.unwrap();
    let first_texts = written(&first);
    // Each edit of the kept files: the batch's seal covers their names, bytes and hashes. Text and bytes
    // convert one into the other in each database's own words.
    let (to_text, to_bytes) = match place.backend() {
        Backend::Sqlite => ("CAST(bytes AS TEXT)", "CAST({} AS BLOB)"),
        Backend::Postgres => ("convert_from(bytes, 'UTF8')", "convert_to({}, 'UTF8')"),
    };
    let tampers = [
        format!(
            "UPDATE export_batch_files SET bytes = {} WHERE name LIKE '%.csv'",
            to_bytes.replace("{}", &format!("replace({to_text}, 'payment_reference', 'paid_to')"))
        ),
        // The bytes and their hash both edited (the SHA-256 of "{}").
        format!(
            "UPDATE export_batch_files SET bytes = {},
             sha256 = '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a' WHERE name LIKE '%.json'",
            to_bytes.replace("{}", "'{}'")
        ),
        "UPDATE export_batch_files SET name = '../../station.sqlite3' WHERE name LIKE '%.json'".to_owned(),
    ];
    for edit in tampers {
        // The files as kept, to put back after each edit.
        place.edit("CREATE TABLE kept AS SELECT * FROM export_batch_files");
        assert_eq!(place.edit(&edit), 1, "{edit}");
        for file in &first.files {
            std::fs::remove_file(&file.path).unwrap();
        }
        let error = write_batch(store, batch_id, &folder, &stamp(20)).unwrap_err();
        let message = error.to_string();
        assert!(message.starts_with("export batch 1 no longer holds what audit entry"), "{edit}: {message}");
        assert!(first.files.iter().all(|f| !Path::new(&f.path).exists()), "nothing written: {edit}");

        place.edit(
            "UPDATE export_batch_files SET
                 name = (SELECT k.name FROM kept k WHERE k.batch_id = export_batch_files.batch_id
                     AND k.position = export_batch_files.position),
                 bytes = (SELECT k.bytes FROM kept k WHERE k.batch_id = export_batch_files.batch_id
                     AND k.position = export_batch_files.position),
                 sha256 = (SELECT k.sha256 FROM kept k WHERE k.batch_id = export_batch_files.batch_id
                     AND k.position = export_batch_files.position);
             DROP TABLE kept",
        );
        let again = write_batch(store, batch_id, &folder, &stamp(21)).unwrap();
        assert_eq!(written(&again), first_texts, "put back, it writes as before");
    }
}

on_both!(a_file_that_differs_from_the_kept_one_is_never_recorded);
fn a_file_that_differs_from_the_kept_one_is_never_recorded(place: &Place) {
    let mut store = bench(place);
    let store = &mut *store;
    let folder = place.dir().join("exports");
    decided(store, "RMA-2026-0101", 0);
    let first = export_queue(store, Queue::Refund, &folder, &stamp(5)).unwrap().unwrap();
    let batch_id = first.batch_id.unwrap();
    let audit_before = store.counts().unwrap().audit_entries;

    let mut differing = first.files.clone();
    differing[1].sha256 = "0".repeat(64);
    let mut other = first.files.clone();
    other[0].path = folder.join("refund-batch-000002.csv").display().to_string();
    // (files offered, the file named, what the refusal says)
    let cases: [(&[BatchFile], &str, &str); 2] = [
        (&differing, "refund-batch-000001.json", "is not the batch's file"),
        (&other, "refund-batch-000002.csv", "is not a file of this batch"),
    ];
    for (files, file, says) in cases {
        let error = store.record_batch_written(batch_id, files, &stamp(20)).unwrap_err();
        assert_batch_changed(&ExportFailure::Store(error), batch_id, file, says);
    }
    assert_eq!(store.counts().unwrap().audit_entries, audit_before, "nothing recorded");
    let summary = store.export_batches(Queue::Refund, 10).unwrap().remove(0);
    assert_eq!(summary.written.map(|(_, files)| files), Some(first.files));
}

#[test]
fn a_batch_claimed_before_files_were_kept_is_rendered_once_then_fixed() {
    // SQLite's alone: the upgrade of a file from before schema 11 (`schema::seal_all`).
    let place = Place::sqlite();
    let mut store = bench(&place);
    let dir = place.dir().to_path_buf();
    let store = &mut *store;
    let folder = dir.join("exports");
    decided(store, "RMA-2026-0101", 0);
    // Batch 1 claimed and never written, batch 2 claimed and written; then, as a station before
    // migration 10 left them, neither keeps its files.
    let blocked = dir.join("blocked");
    std::fs::write(&blocked, "not a folder").unwrap();
    let unwritten = export_queue(store, Queue::Refund, &blocked, &stamp(2)).unwrap_err();
    assert!(matches!(unwritten, ExportFailure::Unwritten { batch_id: 1, .. }), "{unwritten:?}");
    decided(store, "RMA-2026-0106", 3);
    let written_before = export_queue(store, Queue::Refund, &folder, &stamp(4)).unwrap().unwrap();
    assert_eq!(written_before.batch_id, Some(2));
    let mut conn = Connection::open(database_path(&dir)).unwrap();
    assert_eq!(conn.execute("DELETE FROM export_batch_files", []).unwrap(), 4);
    // As the upgrade to schema 11 sealed such batches: as they stood, keeping nothing.
    rma_station::storage::schema::seal_all(&mut conn, &stamp(5)).unwrap();

    // Never written: rendered from today's data on its first write, kept and audited, then fixed.
    let first = write_batch(store, 1, &folder, &stamp(10)).unwrap();
    let actions: Vec<String> =
        store.audit_entries("export_batch", "1").unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions, ["claimed", "sealed", "frozen", "exported"]);
    change_payment_reference(store, "RMA-2026-0101", 11);
    let again = write_batch(store, 1, &folder, &stamp(12)).unwrap();
    assert_eq!(again.files, first.files);

    // Written before, its order changed since: today's rendering is not what was written, and is refused.
    let order = rma(store, "RMA-2026-0106").order.record;
    change_payment_reference(store, "RMA-2026-0106", 13);
    let error = write_batch(store, 2, &folder, &stamp(14)).unwrap_err();
    assert_batch_changed(&error, 2, "refund-batch-000002.csv", "claimed before the station kept its files");
    let summary = store.export_batches(Queue::Refund, 10).unwrap().remove(0);
    assert_eq!(summary.written.map(|(_, files)| files), Some(written_before.files.clone()), "the record stands");

    // Its data as it was: the same rendering, kept from then on.
    let source = ImportSource { file: "orders-as-before.csv".into(), sha256: "ef".repeat(32) };
    store.import_orders(&source, &[order], &stamp(15)).unwrap();
    let again = write_batch(store, 2, &folder, &stamp(16)).unwrap();
    assert_eq!(again.files, written_before.files);
    assert_sound(store);
}
