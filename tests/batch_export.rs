//! Export batches for the people after the bench, on a real database with every demo RMA decided: each
//! queue's CSV and JSON read back and compared with what was decided and stored; a second export takes
//! nothing already exported (nothing is paid or shipped twice); a batch whose files could not be written
//! is written again, never claimed again, and gives the same bytes; every write is audited with its
//! files' hashes; and the command line does the same. Every store case runs on SQLite and on PostgreSQL.

use std::collections::BTreeMap;
use std::path::Path;

use rma_station::domain::vocabulary::{Condition, DamageCause, Defect, Queue, RmaKind};
use rma_station::exports::{ExportFailure, export_queue, write_batch};
use rma_station::formats::batch_export::columns;
use rma_station::formats::export::{spreadsheet_safe, spreadsheet_text};
use rma_station::policies::sha256_hex;
use rma_station::storage::{BatchFile, DecisionToSave, QueueRow, QueueStatus, Store, StoreError};
use serde_json::Value;

use crate::bench_store::{assert_sound, bench, decided, engine_decision, everything_back, inspected, rma, stamp};
use crate::support::place::{Place, on_both};

const DEMO_RMAS: [&str; 20] = [
    "RMA-2026-0101",
    "RMA-2026-0102",
    "RMA-2026-0103",
    "RMA-2026-0104",
    "RMA-2026-0105",
    "RMA-2026-0106",
    "RMA-2026-0107",
    "RMA-2026-0108",
    "RMA-2026-0109",
    "RMA-2026-0110",
    "RMA-2026-0111",
    "KN-RMA-0201",
    "KN-RMA-0202",
    "KN-RMA-0203",
    "KN-RMA-0204",
    "KN-RMA-0205",
    "KN-RMA-0206",
    "KN-RMA-0207",
    "KN-RMA-0208",
    "KN-RMA-0209",
];

/// The queues that export in batches.
const BATCHED: [Queue; 5] =
    [Queue::Refund, Queue::StoreCredit, Queue::Exchange, Queue::Replacement, Queue::ReturnToCustomer];

/// The demo data with every RMA received, inspected as its claim says (everything back; a warranty
/// claim's units malfunctioning, a shipping-damage claim's damaged on the way out) and decided, so that
/// every queue gets items; the decisions by decision id.
fn everything_decided(place: &Place) -> (Box<dyn Store>, BTreeMap<i64, DecisionToSave>) {
    let mut store = bench(place);
    let mut decisions = BTreeMap::new();
    for (n, number) in DEMO_RMAS.into_iter().enumerate() {
        let m = rma(&*store, number);
        let mut sheet = everything_back(&m);
        for item in &mut sheet.items {
            match m.rma.record.kind {
                RmaKind::Warranty => (item.state.condition, item.state.defect) = (Condition::Used, Defect::Malfunction),
                RmaKind::ShippingDamage => {
                    (item.state.condition, item.state.damage_cause) =
                        (Condition::Damaged, DamageCause::OutboundShipping);
                }
                RmaKind::Return => {}
            }
        }
        let minute = 2 * n as u32;
        let (package, inspection) = inspected(&mut *store, &m, &sheet, minute);
        let to_save = engine_decision(&m, &sheet, package, inspection);
        let id = store.record_decision(&to_save, &stamp(minute + 1)).unwrap();
        decisions.insert(id, to_save);
    }
    (store, decisions)
}

/// A CSV file as maps of column to (spreadsheet-decoded) text.
fn read_csv(path: &str) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            headers.iter().cloned().zip(record.iter().map(|cell| spreadsheet_text(cell).to_owned())).collect()
        })
        .collect();
    (headers, rows)
}

fn file_of<'a>(files: &'a [BatchFile], extension: &str) -> &'a BatchFile {
    files.iter().find(|file| file.path.ends_with(extension)).unwrap_or_else(|| panic!("no {extension} in {files:?}"))
}

/// The open items of a queue as the queues screen lists them, by id.
fn open_items(store: &dyn Store, queue: Queue) -> BTreeMap<i64, QueueRow> {
    store.queue_items(queue, false, usize::MAX).unwrap().into_iter().map(|row| (row.id, row)).collect()
}

on_both!(every_queue_exports_a_batch_that_reads_back_as_the_database_holds_it);
fn every_queue_exports_a_batch_that_reads_back_as_the_database_holds_it(place: &Place) {
    let (mut store, decisions) = everything_decided(place);
    let folder = place.dir().join("exports");
    for queue in BATCHED {
        let open = open_items(&*store, queue);
        assert!(!open.is_empty(), "the demo decisions put nothing in the {queue} queue: this test would prove nothing");
        let report = export_queue(&mut *store, queue, &folder, &stamp(100)).unwrap().unwrap();
        assert_eq!(report.items, open.len() as u64, "{queue}");
        let batch_id = report.batch_id.unwrap();

        let csv = file_of(&report.files, ".csv");
        let (headers, rows) = read_csv(&csv.path);
        assert_eq!(headers, columns(queue), "{queue}");
        assert_eq!(csv.rows, rows.len() as u64, "{queue}");
        assert_eq!(csv.sha256, sha256_hex(&std::fs::read(&csv.path).unwrap()), "{queue}");

        let json = file_of(&report.files, ".json");
        let document: Value = serde_json::from_slice(&std::fs::read(&json.path).unwrap()).unwrap();
        assert_eq!((document["batch"].as_i64(), document["queue"].as_str()), (Some(batch_id), Some(queue.as_str())));
        let items = document["items"].as_array().unwrap();
        assert_eq!(items.len(), open.len(), "{queue}");

        // Every item once, as stored, with its decision's money or units.
        let mut units_from_csv: BTreeMap<i64, Vec<(String, u32)>> = BTreeMap::new();
        for row in &rows {
            assert_eq!(row["batch"], batch_id.to_string());
            let id: i64 = row["item_id"].parse().unwrap();
            let stored = &open[&id];
            let decision = &decisions[&stored.decision_id].decision;
            assert_eq!(
                (&row["rma"], &row["order"], &row["customer"], &row["email"]),
                (&stored.rma_number, &stored.order_number, &stored.customer_name, &stored.customer_email),
            );
            match queue {
                Queue::Refund => {
                    let money = &decision.money;
                    let fees = [
                        ("items_accepted", money.items_accepted),
                        ("restocking_fee", money.restocking_fee),
                        ("card_fee", money.card_fee),
                        ("return_label", money.return_label),
                        ("handling_fee", money.handling_fee),
                        ("net", money.net),
                    ];
                    for (column, amount) in fees {
                        assert_eq!(row[column], amount.to_string(), "{} {column}", stored.rma_number);
                    }
                    assert_eq!(row["net"], stored.amount.unwrap().to_string());
                    assert_eq!(row["payment_reference"], stored.payment_reference.clone().unwrap_or_default());
                    assert_eq!(row["due_on"], stored.due_on.unwrap().to_string());
                }
                Queue::StoreCredit => {
                    assert_eq!(row["code"], stored.code.clone().unwrap());
                    assert_eq!(row["amount"], decision.money.net.to_string());
                }
                _ => {
                    assert_eq!(row["ship_to"], stored.ship_to.join(" / "));
                    units_from_csv.entry(id).or_default().push((row["sku"].clone(), row["qty"].parse().unwrap()));
                }
            }
        }
        let ids: Vec<i64> = items.iter().map(|item| item["item_id"].as_i64().unwrap()).collect();
        assert_eq!(ids, open.keys().copied().collect::<Vec<_>>(), "{queue}: the JSON holds every item once, in order");
        for item in items {
            let stored = &open[&item["item_id"].as_i64().unwrap()];
            let decision = &decisions[&stored.decision_id].decision;
            assert_eq!(item["ship_to"], serde_json::json!(stored.ship_to));
            assert_eq!(item["amount"].as_str(), stored.amount.map(|m| m.to_string()).as_deref());
            let expected_units: Vec<(String, u32)> = decision
                .lines
                .iter()
                .map(|line| {
                    let qty = match queue {
                        Queue::Exchange | Queue::Replacement => line.accepted,
                        Queue::ReturnToCustomer => line.refused,
                        _ => 0,
                    };
                    (line.sku.clone(), qty)
                })
                .filter(|(_, qty)| *qty > 0)
                .collect();
            let json_units: Vec<(String, u32)> = item["units"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| (u["sku"].as_str().unwrap().to_owned(), u["qty"].as_u64().unwrap() as u32))
                .collect();
            assert_eq!(json_units, expected_units, "{}", stored.rma_number);
            if let Some(csv_units) = units_from_csv.get(&stored.id) {
                assert_eq!(csv_units, &expected_units, "{}", stored.rma_number);
            }
            if matches!(queue, Queue::Refund | Queue::StoreCredit) {
                assert_eq!(item["money"]["net"].as_str(), Some(decision.money.net.to_string().as_str()));
            } else {
                assert!(item["money"].is_null());
                assert!(!expected_units.is_empty(), "{}: an item with nothing to pick or return", stored.rma_number);
            }
        }

        // Audited: what was claimed, and each file with its rows and hash.
        let audit = store.audit_entries("export_batch", &batch_id.to_string()).unwrap();
        let actions: Vec<&str> = audit.iter().map(|entry| entry.action.as_str()).collect();
        assert_eq!(actions, ["claimed", "exported"], "{queue}");
        for file in &report.files {
            assert!(audit[1].detail.contains(&file.sha256), "{queue}: {}", audit[1].detail);
        }
    }
    assert_sound(&*store);
}

on_both!(exporting_again_takes_only_what_no_batch_holds_so_nothing_is_paid_twice);
fn exporting_again_takes_only_what_no_batch_holds_so_nothing_is_paid_twice(place: &Place) {
    let mut store = bench(place);
    let store = &mut *store;
    let folder = place.dir().join("exports");
    let (first_decision, _) = decided(store, "RMA-2026-0101", 0);
    let first = export_queue(store, Queue::Refund, &folder, &stamp(5)).unwrap().unwrap();
    assert_eq!(first.items, 1);
    assert!(export_queue(store, Queue::Refund, &folder, &stamp(6)).unwrap().is_none(), "nothing new, no batch");

    let (second_decision, _) = decided(store, "RMA-2026-0106", 10);
    let second = export_queue(store, Queue::Refund, &folder, &stamp(15)).unwrap().unwrap();
    let in_batch = |batch_id: Option<i64>| -> Vec<i64> {
        store.export_batch(batch_id.unwrap()).unwrap().items.iter().map(|item| item.row.decision_id).collect()
    };
    assert_eq!(in_batch(first.batch_id), [first_decision]);
    assert_eq!(in_batch(second.batch_id), [second_decision]);

    // Paid items are still the batch's items, and the batch written again is the same file.
    let item = store.export_batch(first.batch_id.unwrap()).unwrap().items[0].row.id;
    store.complete_queue_item(item, "payout 2026-11-21", &stamp(20)).unwrap();
    let again = write_batch(store, first.batch_id.unwrap(), &folder, &stamp(30)).unwrap();
    assert_eq!(again.files, first.files, "the same paths, rows and hashes");
    let batches = store.export_batches(Queue::Refund, 10).unwrap();
    assert_eq!(batches.iter().map(|b| (b.id, b.items, b.open)).collect::<Vec<_>>(), [(2, 1, 1), (1, 1, 0)]);
    assert!(batches.iter().all(|b| b.written.is_some()));

    // The payment run that paid a batch marks its open items done at once, each audited.
    assert_eq!(store.complete_batch(2, " payout-7 ", &stamp(40)).unwrap(), 1);
    assert_eq!(store.complete_batch(2, "payout-8", &stamp(41)).unwrap(), 0, "done is final");
    assert_eq!(store.complete_batch(1, "payout-8", &stamp(41)).unwrap(), 0);
    let item = store.export_batch(2).unwrap().items[0].row.clone();
    assert!(matches!(&item.status, QueueStatus::Done { reference, .. } if reference == "payout-7"), "{item:?}");
    let audit = store.audit_entries("queue_item", &item.id.to_string()).unwrap();
    assert_eq!(audit.last().map(|e| e.action.as_str()), Some("done"));
    let error = store.complete_batch(9, "payout-9", &stamp(42)).unwrap_err();
    assert_eq!(error.to_string(), "export batch 9 does not exist");
    assert_sound(store);
}

on_both!(a_batch_whose_files_could_not_be_written_is_written_again_and_never_claimed_again);
fn a_batch_whose_files_could_not_be_written_is_written_again_and_never_claimed_again(place: &Place) {
    let mut store = bench(place);
    let store = &mut *store;
    decided(store, "RMA-2026-0101", 0);
    // A file where the exports folder should be: the folder cannot be made.
    let blocked = place.dir().join("blocked");
    std::fs::write(&blocked, "not a folder").unwrap();
    let error = export_queue(store, Queue::Refund, &blocked, &stamp(5)).unwrap_err();
    let ExportFailure::Unwritten { batch_id, .. } = &error else { panic!("{error:?}") };
    let message = error.to_string();
    assert!(message.starts_with(&format!("batch {batch_id} claimed its items but its files were not written: ")));
    assert!(message.contains(&blocked.display().to_string()), "{message}");

    let summary = &store.export_batches(Queue::Refund, 10).unwrap()[0];
    assert_eq!((summary.id, summary.items, &summary.written), (*batch_id, 1, &None));
    assert!(export_queue(store, Queue::Refund, &blocked, &stamp(6)).unwrap().is_none(), "its item stays in its batch");

    let folder = place.dir().join("exports");
    let written = write_batch(store, *batch_id, &folder, &stamp(7)).unwrap();
    assert_eq!((written.batch_id, written.items), (Some(*batch_id), 1));
    let names: Vec<String> = written.files.iter().map(|f| file_name(&f.path)).collect();
    assert_eq!(names, [format!("refund-batch-{batch_id:06}.csv"), format!("refund-batch-{batch_id:06}.json")]);
    assert!(store.export_batches(Queue::Refund, 10).unwrap()[0].written.is_some());
}

fn file_name(path: &str) -> String {
    Path::new(path).file_name().unwrap().to_string_lossy().into_owned()
}

on_both!(holds_export_as_a_list_and_are_never_batched);
fn holds_export_as_a_list_and_are_never_batched(place: &Place) {
    let mut store = bench(place);
    let store = &mut *store;
    let error = store.claim_export_batch(Queue::Hold, &stamp(0)).unwrap_err();
    assert!(matches!(error, StoreError::NotBatched { queue: Queue::Hold }), "{error:?}");
    let folder = place.dir().join("exports");
    let report = export_queue(store, Queue::Hold, &folder, &stamp(1)).unwrap().unwrap();
    assert_eq!((report.batch_id, report.items, report.files.len()), (None, 0, 1));
    assert!(report.words().starts_with("hold list: 0 items written to "), "{}", report.words());
}

#[test]
fn a_cell_a_spreadsheet_would_run_is_kept_as_text_and_reads_back_as_given() {
    // (cell text, as written to the file)
    let cases = [
        ("Ana Lima", "Ana Lima"),
        ("=HYPERLINK(\"http://x\",\"pay\")", "'=HYPERLINK(\"http://x\",\"pay\")"),
        ("+1 555 0100", "'+1 555 0100"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindented", "'\tindented"),
        ("\rcarriage", "'\rcarriage"),
        ("'quoted already", "'quoted already"),
        ("", ""),
        ("a=b", "a=b"),
    ];
    for (text, written) in cases {
        assert_eq!(spreadsheet_safe(text), written, "{text:?}");
        assert_eq!(spreadsheet_text(written), text, "{written:?}");
    }
}

on_both!(the_command_line_exports_a_batch_and_writes_one_again);
fn the_command_line_exports_a_batch_and_writes_one_again(place: &Place) {
    let mut store = bench(place);
    decided(&mut *store, "RMA-2026-0101", 0);
    drop(store);

    let output = place.station(&["export", "refund"], "");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.starts_with("refund batch 1: 1 items written to "), "{stdout}");
    assert!(stdout.contains("refund-batch-000001.csv") && stdout.contains("refund-batch-000001.json"), "{stdout}");

    let output = place.station(&["export", "refund"], "");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "nothing new to export: every open item of the queue is already in a batch\n"
    );
    let output = place.station(&["export", "--batch", "1"], "");
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("refund batch 1: 1 items"));

    // (arguments, what standard error says)
    let refused: [(&[&str], &str); 2] = [
        (&["export", "--batch", "7"], "export batch 7 does not exist"),
        (&["export", "refunds"], "unknown queue \"refunds\""),
    ];
    for (args, says) in refused {
        let output = place.station(args, "");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}
