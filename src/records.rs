//! The station's work records as plain values: queue items ([`QueueRow`]) and export batches
//! ([`ExportBatch`], and [`FrozenBatch`], its files as claimed) as the store lists them and the exports
//! write them.
//!
//! Shared by `storage`, which reads and writes them, and `formats`, which turns them into files, and so
//! part of neither: formats never import storage. No I/O and no SQL here; `storage` re-exports them.

use crate::domain::money::Money;
use crate::domain::vocabulary::Queue;

/// Whether a queue item still needs doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueStatus {
    Open,
    /// Done, with the reference given (refund id, tracking number) and when (RFC 3339 UTC).
    Done {
        reference: String,
        at: String,
    },
    /// Taken back by a supervisor's reopen before anybody exported or paid it: never to be done.
    Withdrawn,
}

/// One item of a work queue, with what the person doing it needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRow {
    pub id: i64,
    pub queue: Queue,
    pub package_id: i64,
    pub decision_id: i64,
    pub merchant: String,
    pub rma_number: String,
    pub order_number: String,
    pub customer_name: String,
    pub customer_email: String,
    /// The order's ship-to address lines (for shipping and returns).
    pub ship_to: Vec<String>,
    pub payment_reference: Option<String>,
    pub currency: String,
    pub amount: Option<Money>,
    /// An adjustment after a reopen: what the package's withdrawn decisions already paid in this queue;
    /// `amount` is then the difference (negative: to recover from the customer).
    pub paid_before: Option<Money>,
    pub due_on: Option<chrono::NaiveDate>,
    pub detail: String,
    /// The store-credit code (store credit only): unique and unguessable.
    pub code: Option<String>,
    pub status: QueueStatus,
    /// RFC 3339 UTC.
    pub created_at: String,
}

/// Units of one SKU on an exported item: what to pick and ship, or what to send back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportUnits {
    pub sku: String,
    /// The order line's catalogue name; empty for a unit that was not ordered.
    pub name: String,
    pub qty: u32,
}

/// One queue item as an export carries it: the queue row, the decision's money breakdown (refund and
/// store credit) and its units (accepted units to ship for exchanges and replacements, refused units for
/// a return to the customer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportItem {
    pub row: QueueRow,
    pub money: Option<crate::domain::decision::MoneyBreakdown>,
    pub units: Vec<ExportUnits>,
}

/// An export batch: the items it claimed, oldest first, and who claimed them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportBatch {
    pub id: i64,
    pub queue: Queue,
    /// RFC 3339 UTC.
    pub created_at: String,
    pub operator: String,
    pub station: String,
    pub items: Vec<ExportItem>,
}

/// A batch's files as they were rendered when it was claimed (or, for a batch claimed before batches kept
/// their bytes, when it was first written again): the exact bytes every write of the batch puts on disk.
/// The store keeps them; nothing renders a frozen batch from today's order data again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrozenBatch {
    pub id: i64,
    pub queue: Queue,
    /// Queue items in the batch.
    pub items: u64,
    /// The CSV, then the JSON.
    pub files: Vec<FrozenFile>,
}

/// One file of a [`FrozenBatch`]: its name in the exports folder, its bytes, its data rows (items for the
/// JSON) and the SHA-256 of its bytes (lower-case hex) recorded with them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrozenFile {
    pub name: String,
    pub bytes: Vec<u8>,
    pub rows: u64,
    pub sha256: String,
}
