//! Export batches as files for the people after the bench: the refund list a payment person pays from
//! (with the fee breakdown and the original payment reference), the store-credit codes to issue, the
//! pick lists of exchanges and replacements, and the list of what goes back to which customer's address.
//!
//! Pure: a batch in, bytes out, the same bytes every time for the same batch. The bytes are rendered
//! once, when the batch is claimed ([`frozen`]), and kept by the store: a batch written again after a
//! crash is those bytes, whatever the order data says since. Each batch is one CSV (one
//! row per item; per SKU for pick and return lists) and one JSON document of the same items.

use serde_json::{Value, json};

use crate::domain::vocabulary::Queue;
use crate::formats::export::{ADDRESS_LINE_SEPARATOR, csv_bytes, spreadsheet_safe};
use crate::hex::sha256_hex;
use crate::records::{ExportBatch, ExportItem, ExportUnits, FrozenBatch, FrozenFile};

/// The refund list: what a payment person needs to pay each refund once. An adjustment after a reopen
/// says what was paid before (`paid_before`); its `net` is the difference still to pay.
pub const REFUND_COLUMNS: [&str; 17] = [
    "batch",
    "item_id",
    "merchant",
    "rma",
    "order",
    "customer",
    "email",
    "payment_reference",
    "currency",
    "items_accepted",
    "restocking_fee",
    "card_fee",
    "return_label",
    "handling_fee",
    "paid_before",
    "net",
    "due_on",
];

/// The store-credit list: each code to issue with its amount.
pub const STORE_CREDIT_COLUMNS: [&str; 10] =
    ["batch", "item_id", "merchant", "rma", "order", "customer", "email", "currency", "amount", "code"];

/// The pick list of exchanges and replacements: one row per SKU to pick and ship.
pub const PICK_COLUMNS: [&str; 11] =
    ["batch", "item_id", "merchant", "rma", "order", "customer", "email", "ship_to", "sku", "name", "qty"];

/// What goes back to the customer: one row per SKU, with the address and the reason.
pub const RETURN_COLUMNS: [&str; 12] =
    ["batch", "item_id", "merchant", "rma", "order", "customer", "email", "ship_to", "sku", "name", "qty", "reason"];

/// The header row of a queue's batch CSV.
pub fn columns(queue: Queue) -> &'static [&'static str] {
    match queue {
        Queue::Refund => &REFUND_COLUMNS,
        Queue::StoreCredit => &STORE_CREDIT_COLUMNS,
        Queue::Exchange | Queue::Replacement => &PICK_COLUMNS,
        Queue::ReturnToCustomer | Queue::Hold => &RETURN_COLUMNS,
    }
}

/// The file name without extension: `refund-batch-000007`, `return-to-customer-batch-000012`.
pub fn file_stem(batch: &ExportBatch) -> String {
    batch_stem(batch.queue, batch.id)
}

/// The file name without extension of batch `id` of `queue`.
pub fn batch_stem(queue: Queue, id: i64) -> String {
    format!("{}-batch-{:06}", queue.as_str().replace('_', "-"), id)
}

/// The names of a batch's files, in the order [`frozen`] renders them: the CSV, then the JSON.
pub fn batch_file_names(queue: Queue, id: i64) -> [String; 2] {
    let stem = batch_stem(queue, id);
    [format!("{stem}.csv"), format!("{stem}.json")]
}

/// The batch's files, rendered once to be kept: its CSV and its JSON, each with its name, rows and SHA-256.
/// The store calls this when it claims a batch and keeps the result; every write of the batch writes
/// those bytes, never a new rendering.
pub fn frozen(batch: &ExportBatch) -> FrozenBatch {
    let [csv_name, json_name] = batch_file_names(batch.queue, batch.id);
    let (csv, csv_rows) = batch_csv(batch);
    let (json, json_items) = batch_json(batch);
    let files = [(csv_name, csv, csv_rows), (json_name, json, json_items)]
        .into_iter()
        .map(|(name, bytes, rows)| FrozenFile { name, sha256: sha256_hex(&bytes), bytes, rows })
        .collect();
    FrozenBatch { id: batch.id, queue: batch.queue, items: batch.items.len() as u64, files }
}

/// The batch as CSV: the header row of [`columns`], then its rows; returns the bytes and the number of
/// data rows. Text cells are made safe to open in a spreadsheet ([`spreadsheet_safe`]).
pub fn batch_csv(batch: &ExportBatch) -> (Vec<u8>, u64) {
    let rows: Vec<Vec<String>> = batch.items.iter().flat_map(|item| csv_rows(batch, item)).collect();
    let bytes = csv_bytes(columns(batch.queue), &rows);
    (bytes, rows.len() as u64)
}

fn csv_rows(batch: &ExportBatch, item: &ExportItem) -> Vec<Vec<String>> {
    let row = &item.row;
    let text = |value: &str| spreadsheet_safe(value).into_owned();
    let head = vec![
        batch.id.to_string(),
        row.id.to_string(),
        text(&row.merchant),
        text(&row.rma_number),
        text(&row.order_number),
        text(&row.customer_name),
        text(&row.customer_email),
    ];
    let amount = |money: Option<crate::domain::money::Money>| money.map(|m| m.to_string()).unwrap_or_default();
    match batch.queue {
        Queue::Refund => {
            let money = item.money.unwrap_or_default();
            let mut cells = head;
            cells.extend([
                text(row.payment_reference.as_deref().unwrap_or_default()),
                text(&row.currency),
                money.items_accepted.to_string(),
                money.restocking_fee.to_string(),
                money.card_fee.to_string(),
                money.return_label.to_string(),
                money.handling_fee.to_string(),
                amount(row.paid_before),
                amount(row.amount),
                row.due_on.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
            ]);
            vec![cells]
        }
        Queue::StoreCredit => {
            let mut cells = head;
            cells.extend([text(&row.currency), amount(row.amount), text(row.code.as_deref().unwrap_or_default())]);
            vec![cells]
        }
        Queue::Exchange | Queue::Replacement | Queue::ReturnToCustomer | Queue::Hold => {
            let ship_to = text(&row.ship_to.join(ADDRESS_LINE_SEPARATOR));
            let with_reason = columns(batch.queue).len() == RETURN_COLUMNS.len();
            units_or_detail(item)
                .into_iter()
                .map(|units| {
                    let mut cells = head.clone();
                    cells.extend([ship_to.clone(), text(&units.sku), text(&units.name), units.qty.to_string()]);
                    if with_reason {
                        cells.push(text(&row.detail));
                    }
                    cells
                })
                .collect()
        }
    }
}

/// An item's units; an item whose decision names none (it should not happen) still gets one row, with
/// its detail as the name, so it is never silently left out of the list.
fn units_or_detail(item: &ExportItem) -> Vec<ExportUnits> {
    if item.units.is_empty() {
        vec![ExportUnits { sku: String::new(), name: item.row.detail.clone(), qty: 0 }]
    } else {
        item.units.clone()
    }
}

/// The batch as a JSON document: the batch (id, queue, when, who) and its items, each with every field
/// a program paying or shipping from it needs. Returns the bytes and the number of items.
pub fn batch_json(batch: &ExportBatch) -> (Vec<u8>, u64) {
    let items: Vec<Value> = batch.items.iter().map(item_json).collect();
    let document = json!({
        "batch": batch.id,
        "queue": batch.queue.as_str(),
        "created_at": batch.created_at,
        "operator": batch.operator,
        "station": batch.station,
        "items": items,
    });
    let mut bytes = serde_json::to_vec_pretty(&document).unwrap_or_default();
    bytes.push(b'\n');
    (bytes, batch.items.len() as u64)
}

fn item_json(item: &ExportItem) -> Value {
    let row = &item.row;
    let money = item.money.map(|m| {
        json!({
            "items_accepted": m.items_accepted.to_string(),
            "restocking_fee": m.restocking_fee.to_string(),
            "card_fee": m.card_fee.to_string(),
            "return_label": m.return_label.to_string(),
            "handling_fee": m.handling_fee.to_string(),
            "shipping_not_refunded": m.shipping_not_refunded.to_string(),
            "net": m.net.to_string(),
        })
    });
    json!({
        "item_id": row.id,
        "merchant": row.merchant,
        "rma": row.rma_number,
        "order": row.order_number,
        "customer": { "name": row.customer_name, "email": row.customer_email },
        "ship_to": row.ship_to,
        "payment_reference": row.payment_reference,
        "currency": row.currency,
        "amount": row.amount.map(|m| m.to_string()),
        "paid_before": row.paid_before.map(|m| m.to_string()),
        "money": money,
        "due_on": row.due_on.map(|d| d.format("%Y-%m-%d").to_string()),
        "code": row.code,
        "units": item.units.iter().map(|u| json!({ "sku": u.sku, "name": u.name, "qty": u.qty })).collect::<Vec<_>>(),
        "detail": row.detail,
    })
}
