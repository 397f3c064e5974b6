//! Queue exports: the CSV read back field by field (fees, a store-credit code, a multi-line address,
//! commas, quotes and line breaks), cells a spreadsheet would run as formulas, and the atomic write: no
//! temporary file left behind,
//! an existing file replaced, and errors that name the path.

use std::path::Path;

use chrono::NaiveDate;
use rma_station::domain::money::Money;
use rma_station::domain::vocabulary::Queue;
use rma_station::durable::write_file_atomically;
use rma_station::formats::export::{QUEUE_COLUMNS, queue_csv};
use rma_station::storage::{QueueRow, QueueStatus};

fn rows() -> Vec<QueueRow> {
    vec![
        QueueRow {
            id: 41,
            queue: Queue::Refund,
            package_id: 7,
            decision_id: 9,
            merchant: "konnected".into(),
            rma_number: "RMA-10042".into(),
            order_number: "#1042".into(),
            customer_name: "Ana Lima".into(),
            customer_email: "ana@example.com".into(),
            ship_to: vec!["12 Rua Augusta".into(), "Lisboa 1100-053".into()],
            payment_reference: Some("ch_3PqX9".into()),
            currency: "EUR".into(),
            amount: Some("110.49".parse().unwrap()),
            paid_before: None,
            due_on: Some(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()),
            detail: "refund 129.99 less restocking fee 15% 19.50".into(),
            code: None,
            status: QueueStatus::Open,
            created_at: "2026-11-21T09:14:00Z".into(),
        },
        QueueRow {
            id: 42,
            queue: Queue::StoreCredit,
            package_id: 8,
            decision_id: 10,
            merchant: "connectpro".into(),
            rma_number: "CP-7781".into(),
            order_number: "CP-5501".into(),
            customer_name: "Bo Berg".into(),
            customer_email: "bo@example.org".into(),
            ship_to: vec!["Storgatan 1".into()],
            payment_reference: None,
            currency: "USD".into(),
            amount: Some(Money::from_cents(1250)),
            paid_before: None,
            due_on: None,
            detail: "store credit".into(),
            code: Some("SC-7Q4M-X9KD-2WPA".into()),
            status: QueueStatus::Done { reference: "issued in shop admin".into(), at: "2026-11-21T10:00:00Z".into() },
            created_at: "2026-11-21T09:20:00Z".into(),
        },
        QueueRow {
            id: 43,
            queue: Queue::Exchange,
            package_id: 9,
            decision_id: 11,
            merchant: "konnected".into(),
            rma_number: "RMA-10043".into(),
            order_number: "#1043".into(),
            customer_name: "O'Neil, Pat".into(),
            customer_email: "pat@example.net".into(),
            ship_to: vec![
                "Pat O'Neil".into(),
                "Unit 4, 99 \"Harbour\" Road".into(),
                "Cork T12 X2Y3".into(),
                "Ireland".into(),
            ],
            payment_reference: Some("pi_88".into()),
            currency: "EUR".into(),
            amount: None,
            paid_before: None,
            due_on: Some(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
            detail: "send size M, \"navy\" instead of size L\nsecond line: gift wrap".into(),
            code: None,
            status: QueueStatus::Open,
            created_at: "2026-11-21T09:30:00Z".into(),
        },
    ]
}

const EXPECTED: [[&str; 17]; 3] = [
    [
        "refund",
        "41",
        "konnected",
        "RMA-10042",
        "#1042",
        "Ana Lima",
        "ana@example.com",
        "12 Rua Augusta / Lisboa 1100-053",
        "ch_3PqX9",
        "EUR",
        "110.49",
        "2026-11-28",
        "refund 129.99 less restocking fee 15% 19.50",
        "",
        "open",
        "",
        "2026-11-21T09:14:00Z",
    ],
    [
        "store_credit",
        "42",
        "connectpro",
        "CP-7781",
        "CP-5501",
        "Bo Berg",
        "bo@example.org",
        "Storgatan 1",
        "",
        "USD",
        "12.50",
        "",
        "store credit",
        "SC-7Q4M-X9KD-2WPA",
        "done",
        "issued in shop admin",
        "2026-11-21T09:20:00Z",
    ],
    [
        "exchange",
        "43",
        "konnected",
        "RMA-10043",
        "#1043",
        "O'Neil, Pat",
        "pat@example.net",
        "Pat O'Neil / Unit 4, 99 \"Harbour\" Road / Cork T12 X2Y3 / Ireland",
        "pi_88",
        "EUR",
        "",
        "2026-12-01",
        "send size M, \"navy\" instead of size L\nsecond line: gift wrap",
        "",
        "open",
        "",
        "2026-11-21T09:30:00Z",
    ],
];

#[test]
fn the_queue_csv_reads_back_field_by_field() {
    let bytes = queue_csv(&rows());
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header, QUEUE_COLUMNS);
    assert_eq!(
        header.join(","),
        "queue,item_id,merchant,rma,order,customer,email,ship_to,payment_reference,currency,amount,due_on,detail,code,status,reference,created_at"
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), EXPECTED.len());
    for (n, (record, expected)) in records.iter().zip(EXPECTED).enumerate() {
        assert_eq!(record.len(), QUEUE_COLUMNS.len(), "row {n}");
        for ((column, got), want) in QUEUE_COLUMNS.iter().zip(record.iter()).zip(expected) {
            assert_eq!(got, want, "row {n}, column {column}");
        }
    }
    // The comma, the quotes and the line break are quoted, not lost or split.
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("\"send size M, \"\"navy\"\" instead of size L\nsecond line: gift wrap\""), "{text}");
}

#[test]
fn an_empty_queue_is_the_header_alone() {
    assert_eq!(String::from_utf8(queue_csv(&[])).unwrap(), format!("{}\n", QUEUE_COLUMNS.join(",")));
}

fn folder_names(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(folder).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn an_export_is_written_whole_and_leaves_no_temporary_file() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("refunds.csv");
    let bytes = queue_csv(&rows());
    write_file_atomically(&path, &bytes).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    assert_eq!(folder_names(folder.path()), ["refunds.csv"]);

    // Writing again replaces the file, and still leaves nothing else behind.
    let fewer = queue_csv(&rows()[..1]);
    write_file_atomically(&path, &fewer).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), fewer);
    assert_eq!(folder_names(folder.path()), ["refunds.csv"]);

    write_file_atomically(&folder.path().join("none.csv"), &queue_csv(&[])).unwrap();
    assert_eq!(folder_names(folder.path()), ["none.csv", "refunds.csv"]);
}

#[test]
fn writing_where_it_cannot_names_the_path_and_leaves_nothing() {
    let folder = tempfile::tempdir().unwrap();
    let missing = folder.path().join("no-such-folder").join("refunds.csv");
    let error = write_file_atomically(&missing, b"queue\n").unwrap_err().to_string();
    assert_eq!(
        error,
        format!(
            "{}: cannot write: the folder {} does not exist",
            missing.display(),
            folder.path().join("no-such-folder").display()
        )
    );

    // A folder where the file should be is not replaced.
    let taken = folder.path().join("refunds.csv");
    std::fs::create_dir(&taken).unwrap();
    let error = write_file_atomically(&taken, b"queue\n").unwrap_err().to_string();
    assert_eq!(error, format!("{}: cannot write: it names a folder, not a file", taken.display()));
    assert!(taken.is_dir());
    assert_eq!(folder_names(folder.path()), ["refunds.csv"]);
}
