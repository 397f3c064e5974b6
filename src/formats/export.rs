//! Queue exports for the people who pay refunds and ship goods: one CSV row per queue item.
//!
//! Pure: [`queue_csv`] takes queue rows and gives CSV bytes (a header row, then one row per item; amounts
//! as plain decimals such as `12.50`, address lines joined with ` / `). Writing them to disk so that a
//! reader never sees half a file is `crate::durable::write_file_atomically`'s job, not this module's.

use chrono::{DateTime, Utc};

use crate::domain::vocabulary::Queue;
use crate::records::{QueueRow, QueueStatus};

/// The export's columns, in order: the header row.
pub const QUEUE_COLUMNS: [&str; 17] = [
    "queue",
    "item_id",
    "merchant",
    "rma",
    "order",
    "customer",
    "email",
    "ship_to",
    "payment_reference",
    "currency",
    "amount",
    "due_on",
    "detail",
    "code",
    "status",
    "reference",
    "created_at",
];

/// What joins the lines of an address in one cell.
pub const ADDRESS_LINE_SEPARATOR: &str = " / ";

/// The file name of a queue's export made at `at`, such as `refund-20261121-093000.csv`: the queue's own
/// word and the time's digits, nothing typed, so no input can steer an export out of the exports folder.
pub fn export_file_name(queue: Queue, at: DateTime<Utc>) -> String {
    format!("{}-{}.csv", queue.as_str().replace('_', "-"), at.format("%Y%m%d-%H%M%S"))
}

/// The queue items as CSV: the header row ([`QUEUE_COLUMNS`]), then one row per item in the order given.
/// Missing values (no amount, no code, an open item's reference) are empty cells.
pub fn queue_csv(rows: &[QueueRow]) -> Vec<u8> {
    let records: Vec<[String; 17]> = rows.iter().map(queue_record).collect();
    csv_bytes(&QUEUE_COLUMNS, &records)
}

/// A header row and records as CSV bytes.
pub fn csv_bytes<R: AsRef<[String]>>(header: &[&str], records: &[R]) -> Vec<u8> {
    let mut out = Vec::new();
    let written = write_csv(&mut out, header, records);
    // Writing to memory cannot fail, and the csv writer is flexible about record lengths only when told
    // to: every caller builds its records from the header's own columns.
    debug_assert!(written.is_ok(), "CSV into memory failed: {written:?}");
    out
}

fn write_csv<R: AsRef<[String]>>(out: &mut Vec<u8>, header: &[&str], records: &[R]) -> csv::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(header)?;
    for record in records {
        writer.write_record(record.as_ref())?;
    }
    writer.flush()?;
    Ok(())
}

/// A text cell that a spreadsheet will show as text, never run: a cell starting with `=`, `+`, `-`, `@`,
/// a tab or a carriage return is a formula to Excel and LibreOffice (a customer named
/// `=HYPERLINK(...)` would otherwise run in the payment person's spreadsheet), so it gets a leading `'`,
/// which spreadsheets hide and a program reading the file strips ([`spreadsheet_text`]).
pub fn spreadsheet_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The text a [`spreadsheet_safe`] cell stands for.
pub fn spreadsheet_text(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

/// One queue item's cells, in [`QUEUE_COLUMNS`] order.
fn queue_record(row: &QueueRow) -> [String; 17] {
    let (status, reference) = match &row.status {
        QueueStatus::Open => ("open", ""),
        QueueStatus::Done { reference, .. } => ("done", reference.as_str()),
        QueueStatus::Withdrawn => ("withdrawn", ""),
    };
    let text = |value: &str| spreadsheet_safe(value).into_owned();
    [
        row.queue.as_str().to_owned(),
        row.id.to_string(),
        text(&row.merchant),
        text(&row.rma_number),
        text(&row.order_number),
        text(&row.customer_name),
        text(&row.customer_email),
        text(&row.ship_to.join(ADDRESS_LINE_SEPARATOR)),
        text(row.payment_reference.as_deref().unwrap_or_default()),
        text(&row.currency),
        row.amount.map(|amount| amount.to_string()).unwrap_or_default(),
        row.due_on.map(|date| date.format("%Y-%m-%d").to_string()).unwrap_or_default(),
        text(&row.detail),
        text(row.code.as_deref().unwrap_or_default()),
        status.to_owned(),
        text(reference),
        row.created_at.clone(),
    ]
}
