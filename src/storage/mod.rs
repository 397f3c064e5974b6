//! The station's durable store: the [`Store`] contract, its plain types and errors, and its one backend so
//! far, one SQLite database file on the bench machine ([`sqlite`]).
//!
//! Everything outside this module sees the [`Store`] trait and the plain types below, never SQL: a
//! warehouse whose benches share one PostgreSQL database later gets a second `Store`, not a rewrite.
//! Nothing here names rusqlite: [`StoreError`] is backend-neutral, and the SQLite backend turns its own
//! errors into it.
//! One worker thread owns the connection ([`worker`]); the GUI and the CLI send it work through a
//! handle. Money is stored as integer cents, dates as `YYYY-MM-DD`, instants as RFC 3339 UTC.

pub mod audit;
pub mod changes;
pub mod dashboard;
pub mod location;
pub mod postgres;
pub mod record_hash;
pub mod seal;
pub mod sql;
pub mod sqlite;
pub mod worker;

// SQLite's own migrations and restore, kept at their old paths for the CLI, drills and tests.
pub use sqlite::{restore, schema};

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::domain::decision::Decision;
use crate::domain::inspection::InspectionSheet;
use crate::domain::lease::Lease;
use crate::domain::ledger::{Ledger, PackageEntry};
use crate::domain::lockout::NameRecord;
use crate::domain::money::Money;
use crate::domain::queue::QueueEntry;
use crate::domain::records::{OrderRecord, RmaRecord};
use crate::domain::vocabulary::{Queue, Role, Verdict};
use crate::photos::store::PhotoHash;
use crate::policies::PolicySet;
pub use audit::{AuditEntry, AuditHead, ChainBreak};
pub use dashboard::{Dashboard, DashboardPeriod, FeesKept, MerchantFigures};
// The work records the store lists and the exports write; they live outside storage so that formats
// need not name it.
pub use crate::records::{ExportBatch, ExportItem, ExportUnits, FrozenBatch, FrozenFile, QueueRow, QueueStatus};

/// Who did something, where and when: on every record a session writes and every audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub at: DateTime<Utc>,
    pub station: String,
    pub operator: String,
}

/// The file an import came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSource {
    pub file: String,
    pub sha256: String,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
}

impl ImportCounts {
    /// Counts a record against the stored version's content hash (`None`: not stored yet). Returns
    /// whether it must be written: an unchanged record is left alone.
    pub fn tally(&mut self, stored_hash: Option<&str>, hash: &str) -> bool {
        match stored_hash {
            Some(stored) if stored == hash => {
                self.unchanged += 1;
                false
            }
            Some(_) => {
                self.updated += 1;
                true
            }
            None => {
                self.new += 1;
                true
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoredOrder {
    pub id: i64,
    pub record: OrderRecord,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoredRma {
    pub id: i64,
    pub order_id: i64,
    pub record: RmaRecord,
}

/// An RMA with its order: what a scan of an RMA label or tracking number opens.
#[derive(Debug, Clone, PartialEq)]
pub struct RmaMatch {
    pub rma: StoredRma,
    pub order: StoredOrder,
}

/// A package as it arrived at the bench: what was scanned, and the RMA it was matched to (or none:
/// quarantined until it is matched).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedPackage {
    pub scanned_code: String,
    /// What the classifier said the code is (`rma_number`, `tracking_number`…).
    pub scanned_kind: String,
    pub rma_id: Option<i64>,
    /// The order a package without an RMA was matched to: the merchant's policy for packages without
    /// authorization decides it. Neither RMA nor order: quarantined until it is matched.
    pub order_id: Option<i64>,
    pub note: String,
    /// A second box of a split shipment for an RMA (or order) that has a package already: the clerk's
    /// explicit choice. Without it the store refuses a second package, so one box is one package.
    pub another_box: bool,
}

/// A photo's record: the stored original (named by its SHA-256) and what was read from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoRow {
    pub sha256: String,
    pub inspection_id: i64,
    /// The inspected item it shows, or none for the package as a whole.
    pub item_position: Option<u32>,
    pub checkpoint: crate::domain::vocabulary::Checkpoint,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
    /// As the camera recorded it (local time, with its offset when known).
    pub taken_at: Option<String>,
    pub camera_make: Option<String>,
    pub camera_model: Option<String>,
    pub orientation: Option<u8>,
}

/// A station operator. The PIN is kept only as its Argon2id hash (a PHC string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorRow {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub pin_hash: String,
    pub active: bool,
}

/// Where a package stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackageStage {
    /// Matched to no RMA yet.
    Quarantined,
    /// Received (its inspection open); not decided yet.
    Received,
    /// Decided, with the verdict of the decision that stands (a hold is decided again).
    Decided(Verdict),
    /// Its decision withdrawn by a supervisor's reopen: to be inspected and decided again.
    Reopened,
}

/// A package as lists show it: today's packages, quarantine, search results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageRow {
    pub id: i64,
    pub scanned_code: String,
    pub scanned_kind: String,
    /// RFC 3339 UTC.
    pub received_at: String,
    pub operator: String,
    pub station: String,
    pub rma_id: Option<i64>,
    /// The RMA's number and merchant, when matched.
    pub rma_number: Option<String>,
    pub merchant: Option<String>,
    pub note: String,
    pub stage: PackageStage,
}

/// A decision to save: the engine's answer as confirmed (or overridden) at the bench, with the queue
/// entries it creates. Saved with its entries and audit entry in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionToSave {
    pub package_id: i64,
    pub inspection_id: i64,
    /// The decision as it stands after any override.
    pub decision: Decision,
    /// The whole decision as JSON (the `decide` contract's shape), kept as the record of what was shown.
    pub decision_json: String,
    pub policy_sha256: String,
    pub override_: Option<Override>,
    pub queue: Vec<QueueEntry>,
}

/// A reopen done: the decision withdrawn, its queue items withdrawn (nobody had exported or paid them) and
/// those that stand (exported or paid: the next decision is queued as the difference from them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reopened {
    pub decision_id: i64,
    pub withdrawn: Vec<i64>,
    pub standing: Vec<i64>,
}

/// A supervisor-approved change to the engine's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub reason: String,
    /// The supervisor whose PIN approved it.
    pub approved_by: String,
    /// What the engine had decided, for the audit entry.
    pub engine_verdict: Verdict,
    pub engine_disposition: crate::domain::vocabulary::Disposition,
    pub engine_net: Money,
}

/// A file written for an export batch.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BatchFile {
    pub path: String,
    pub rows: u64,
    pub sha256: String,
}

/// A batch in the list of a queue's batches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchSummary {
    pub id: i64,
    pub queue: Queue,
    pub created_at: String,
    pub operator: String,
    pub items: u64,
    /// Its items not yet done.
    pub open: u64,
    /// When its files were last written, and which; `None` for a batch claimed but never written (a
    /// crash or a full disk between the claim and the files): write it again, never claim its items anew.
    pub written: Option<(String, Vec<BatchFile>)>,
}

/// A decision as saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRow {
    pub id: i64,
    pub inspection_id: i64,
    pub verdict: Verdict,
    pub disposition: crate::domain::vocabulary::Disposition,
    pub net: Money,
    pub decision_json: String,
    pub policy_sha256: String,
    pub decided_on: chrono::NaiveDate,
    pub operator: String,
    pub station: String,
    pub override_reason: Option<String>,
    pub approved_by: Option<String>,
    /// Withdrawn by a supervisor's reopen: when (RFC 3339 UTC), by whom and why. A withdrawn decision is
    /// kept for the record and counts for nothing.
    pub withdrawn: Option<Withdrawal>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawal {
    pub at: String,
    pub by: String,
    pub reason: String,
}

/// Everything the station knows about one package, for the records screen.
#[derive(Debug, Clone, PartialEq)]
pub struct PackageHistory {
    pub package: PackageRow,
    pub rma: Option<RmaMatch>,
    /// The order of a package received without an RMA.
    pub order: Option<StoredOrder>,
    /// Inspection id and sheet, oldest first.
    pub inspections: Vec<(i64, InspectionSheet)>,
    /// For each item of the latest inspection's saved sheet, its place on the sheet as the clerk had it
    /// (the place its photos record): a sheet resumed puts them back there.
    pub positions: Vec<usize>,
    pub photos: Vec<PhotoRow>,
    pub decisions: Vec<DecisionRow>,
    pub queue: Vec<QueueRow>,
    /// The audit entries of the package and of its inspections, photos, decisions and queue items, in
    /// chain order.
    pub audit: Vec<AuditEntry>,
}

/// Everything an evidence packet shows of one decision, as the store holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceRecord {
    /// The merchant's name as its policy file gives it.
    pub merchant_name: String,
    pub order: StoredOrder,
    /// None: the package came without an RMA and was decided by the merchant's rule for those.
    pub rma: Option<StoredRma>,
    pub package: PackageRow,
    /// The inspection the decision was made on.
    pub sheet: InspectionSheet,
    pub decision: DecisionRow,
    /// The audit entry that recorded the decision (`decided` or `overridden`): its place in the chain.
    pub decision_entry: AuditEntry,
    /// The inspection's photos, in the order they were recorded.
    pub photos: Vec<EvidencePhoto>,
}

/// A photo of an evidence packet: its record, the item it shows and who recorded it when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidencePhoto {
    pub photo: PhotoRow,
    /// The SKU of the item it shows; none for the package as a whole.
    pub item_sku: Option<String>,
    /// RFC 3339 UTC.
    pub recorded_at: String,
    pub recorded_by: String,
}

/// How much the store holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreCounts {
    pub orders: u64,
    pub order_lines: u64,
    pub rmas: u64,
    pub packages: u64,
    pub audit_entries: u64,
}

/// The result of checking a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// `PRAGMA integrity_check` and `foreign_key_check` problems; empty when sound.
    pub problems: Vec<String>,
    pub audit_entries: u64,
    pub chain_break: Option<ChainBreak>,
    /// The latest audit hash: print it on the daily report so a rewrite of the whole chain shows.
    pub head_hash: String,
}

impl VerifyReport {
    pub fn is_sound(&self) -> bool {
        self.problems.is_empty() && self.chain_break.is_none()
    }
}

/// Everything storage can fail with, in words for the person at the bench.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}: this database was written by a newer station (schema {found}; this station knows up to {supported}); it was not touched", path.display())]
    NewerSchema { path: PathBuf, found: u32, supported: u32 },
    #[error("merchant {merchant:?} has no policy file; known merchants: {known}")]
    UnknownMerchant { merchant: String, known: String },
    #[error("RMA {rma}: order {order_number} of merchant {merchant} is not known; import the orders first")]
    UnknownOrder { rma: String, merchant: String, order_number: String },
    #[error("the database is busy (another station is writing) and did not free up in time; try again")]
    Busy,
    #[error("the disk holding the database is full; nothing of this change was saved — free some space and try again")]
    DiskFull,
    /// SQLite could not write a file (the database, its log or its shared-memory index): on a full disk
    /// this is often what SQLite says rather than "full", so the words say both.
    #[error(
        "the disk holding the database could not be written ({detail}); nothing of this change was saved — if the disk is full, free some space and try again"
    )]
    DiskWrite { detail: String },
    #[error("{}: {what}", path.display())]
    Io { path: PathBuf, what: String },
    #[error("{}: already exists; a backup never overwrites a file", path.display())]
    BackupExists { path: PathBuf },
    #[error("{}: the disk holding this folder is full, so the backup was not written and nothing of it was left there; free some space on that disk (or choose another) and try again", folder.display())]
    BackupDiskFull { folder: PathBuf },
    /// SQLite could not write the backup's file: on a full disk this is often what SQLite says.
    #[error("{}: the backup could not be written in this folder ({detail}) and nothing of it was left there; if its disk is full, free some space on it and try again", folder.display())]
    BackupWrite { folder: PathBuf, detail: String },
    #[error("{}: a database is already there; a restore never overwrites one — move it away (with any -wal and -shm files beside it) first", path.display())]
    RestoreOver { path: PathBuf },
    #[error("{}: the backup does not verify ({problem}); nothing was restored", path.display())]
    BackupUnsound { path: PathBuf, problem: String },
    #[error("the stored {what} is not valid: {detail}")]
    Corrupt { what: String, detail: String },
    /// Any other failure of the database, in the backend's own words (SQLite's message, later PostgreSQL's).
    #[error("database error: {detail}")]
    Database { detail: String },
    #[error("there is already an operator named {name:?}")]
    OperatorExists { name: String },
    #[error("{what} {id} does not exist")]
    NotFound { what: &'static str, id: i64 },
    #[error("queue item {id} is already done (reference {reference:?}); nothing was changed")]
    AlreadyDone { id: i64, reference: String },
    #[error("package {id} is not in quarantine; it is already matched to an RMA")]
    NotQuarantined { id: i64 },
    #[error("the {queue} queue is not exported in batches: it is work at the bench, not a payment or a shipment")]
    NotBatched { queue: Queue },
    #[error(
        "package {package_id} was decided already (decision {decision_id}); a supervisor's reopen withdraws a decision before it is decided again"
    )]
    AlreadyDecided { package_id: i64, decision_id: i64 },
    #[error(
        "{sku}: {asked} more unit(s) cannot be settled: the order has {ordered} and {settled} are settled already (refunded, credited, exchanged or replaced); nothing was saved — decide the package again"
    )]
    AlreadySettled { sku: String, ordered: u32, settled: u32, asked: u32 },
    #[error(
        "the {what} of this order was kept already by decision {decision_id}; nothing was saved — decide the package again"
    )]
    ChargedTwice { what: &'static str, decision_id: i64 },
    #[error(
        "package #{package_id} was received for this {what} already: open it, or receive this one as another box of a split shipment"
    )]
    AlreadyReceived { what: &'static str, package_id: i64 },
    #[error("package {package_id} has no decision that stands: there is nothing to reopen")]
    NotDecided { package_id: i64 },
    #[error("queue item {id} was withdrawn by a reopen; it is not to be done")]
    Withdrawn { id: i64 },
    /// A batch's files are the bytes kept when it was claimed: a kept file that no longer matches its
    /// SHA-256, or a file to record (or render again) that differs from the kept one, is refused.
    #[error("export batch {batch_id}: {file}: {problem}; nothing was written or recorded")]
    BatchChanged { batch_id: i64, file: String, problem: String },
    /// A record the change, packet or export rests on is not what the audit chain vouches for: nothing is
    /// done with it until a supervisor has seen `verify`'s report.
    #[error(
        "{0}; nothing was done with it. `rma-station verify` lists every such record: restore a sound backup or ask a supervisor"
    )]
    Unsound(#[from] seal::Unsound),
    /// Something one backend does that another leaves to other tools (a backup file of a shared server).
    #[error("{what} is not made by the station on this database: {instead}")]
    NotOnThisBackend { what: &'static str, instead: &'static str },
    /// Another bench has the package open (its lease holds): it may be looked at here, not changed or decided.
    #[error(
        "package #{} is open at {} by {} since {} UTC: it can be looked at here but not changed or decided until that bench closes it, its lease lapses (2 minutes after that bench stops renewing it) or a supervisor takes it over",
        .0.package_id, .0.station, .0.operator, .0.since.format("%H:%M")
    )]
    HeldElsewhere(crate::domain::lease::Lease),
    /// The operating system's random source failed or is not random: no store-credit code was issued.
    #[error("cannot draw a store-credit code from the system's random source ({detail}); no code was issued")]
    Random { detail: String },
    /// The database server cannot be reached: stopped, restarting, or the network to it cut. Nothing of what
    /// was asked was done; the bench reconnects by itself.
    #[error(
        "the database server cannot be reached ({detail}); nothing of this was saved — this bench reconnects by itself"
    )]
    ServerAway { detail: String },
    /// A photo's original in the shared database is refused: bytes that are not the photo its name is the hash
    /// of, an original cut short or altered there, or a record whose original other benches cannot get.
    #[error("photo {sha256}: {problem}")]
    PhotoOriginal { sha256: String, problem: String },
    #[error("the storage worker has stopped")]
    WorkerGone,
}

/// Opens the station's store where `location` says: the SQLite file (created at first start), or the
/// warehouse's PostgreSQL database (migrated once, whichever bench comes first).
pub fn open(location: &location::DatabaseLocation, policies: &PolicySet) -> Result<Box<dyn Store>, StoreError> {
    Ok(match location {
        location::DatabaseLocation::Sqlite(path) => Box::new(sqlite::SqliteStore::open(path, policies)?),
        location::DatabaseLocation::Postgres(url) => Box::new(postgres::PgStore::connect(url, policies)?),
    })
}

impl StoreError {
    /// An I/O error about a file or folder of the store, worded as every I/O error about a path is
    /// ([`crate::durable::about`]): `PATH: what: error`.
    pub fn io(path: &Path, what: &str, error: &std::io::Error) -> StoreError {
        StoreError::Io { path: path.to_path_buf(), what: format!("{what}: {}", crate::durable::describe(error)) }
    }
}

/// What the station asks of its store. Every write runs in one transaction and appends to the audit
/// log in that same transaction.
pub trait Store: Send + std::fmt::Debug {
    /// Upserts orders by merchant + number, all or nothing. Orders identical to what is stored are left
    /// untouched, so importing a file twice changes nothing.
    fn import_orders(
        &mut self,
        source: &ImportSource,
        records: &[OrderRecord],
        stamp: &Stamp,
    ) -> Result<ImportCounts, StoreError>;
    /// Upserts RMAs by merchant + number, all or nothing; every RMA's order must be known.
    fn import_rmas(
        &mut self,
        source: &ImportSource,
        records: &[RmaRecord],
        stamp: &Stamp,
    ) -> Result<ImportCounts, StoreError>;
    /// RMAs whose number is `number` (as scanned: case, spaces and a leading `#` do not matter).
    fn rmas_by_number(&self, number: &str) -> Result<Vec<RmaMatch>, StoreError>;
    /// RMAs expecting a package under this carrier tracking number.
    fn rmas_by_tracking(&self, tracking: &str) -> Result<Vec<RmaMatch>, StoreError>;
    /// Orders whose number is `number`, any merchant.
    fn orders_by_number(&self, number: &str) -> Result<Vec<StoredOrder>, StoreError>;
    /// The RMAs of an order, oldest first.
    fn rmas_of_order(&self, order_id: i64) -> Result<Vec<StoredRma>, StoreError>;
    /// Orders whose customer name or email starts with `prefix` (case-insensitive), newest first.
    fn search_customers(&self, prefix: &str, limit: usize) -> Result<Vec<StoredOrder>, StoreError>;
    /// Appends an audit entry on its own (changes that carry their own transaction append inside it).
    fn append_audit(
        &mut self,
        stamp: &Stamp,
        entity: &str,
        entity_id: &str,
        action: &str,
        detail: &str,
    ) -> Result<AuditEntry, StoreError>;
    fn audit_entries(&self, entity: &str, entity_id: &str) -> Result<Vec<AuditEntry>, StoreError>;
    /// The latest audit entry's number and hash, for the daily report (see [`AuditHead`]).
    fn audit_head(&self) -> Result<AuditHead, StoreError>;
    /// The hash of audit entry `seq` (the genesis hash for 0), or none if the log has no such entry:
    /// checks a head saved earlier against the chain as it is now.
    fn audit_hash_at(&self, seq: i64) -> Result<Option<String>, StoreError>;
    /// Records a package received at the bench; returns its id.
    fn receive_package(&mut self, package: &ReceivedPackage, stamp: &Stamp) -> Result<i64, StoreError>;
    /// Opens the inspection of a received package; returns its id.
    fn start_inspection(&mut self, package_id: i64, stamp: &Stamp) -> Result<i64, StoreError>;
    /// Records a photo already stored durably in the photo folder (the file first, then the record, so a
    /// record never points at a missing file). The same photo at the same checkpoint is recorded once. On a
    /// store that shares photos its original must be kept there first ([`Store::keep_photo_original`]): a
    /// record whose original other benches cannot get is refused ([`StoreError::PhotoOriginal`]).
    fn record_photo(&mut self, photo: &PhotoRow, stamp: &Stamp) -> Result<i64, StoreError>;
    /// Whether the store keeps the photo originals every bench shares (PostgreSQL). Without (SQLite), the
    /// bench's photo folder is the only store of its photos; with, that folder is the bench's cache.
    fn shares_photos(&self) -> bool;
    /// Keeps a photo's original where every bench can get it, once however often it is kept (the hash of
    /// `bytes` checked against `hash` before anything is written); whether it was written now. On a store that
    /// does not share photos, nothing to do.
    fn keep_photo_original(&mut self, hash: &PhotoHash, bytes: &[u8], stamp: &Stamp) -> Result<bool, StoreError>;
    /// The shared original of a photo, its bytes checked against its hash; none when the store has no such
    /// original (always, on a store that does not share photos). An original found incomplete or altered is
    /// refused ([`StoreError::PhotoOriginal`]), never returned.
    fn photo_original(&self, hash: &PhotoHash) -> Result<Option<Vec<u8>>, StoreError>;
    /// The SHA-256 of every photo recorded, for `verify`.
    fn photo_hashes(&self) -> Result<Vec<String>, StoreError>;
    /// Every operator, active or not, by name.
    fn operators(&self) -> Result<Vec<OperatorRow>, StoreError>;
    /// Adds an operator (the PIN already hashed); a name is unique.
    fn add_operator(&mut self, name: &str, role: Role, pin_hash: &str, stamp: &Stamp) -> Result<i64, StoreError>;
    /// Replaces an operator's PIN hash (an older unkeyed hash keyed at their sign-in), audited as `action`.
    fn set_pin_hash(&mut self, operator_id: i64, pin_hash: &str, action: &str, stamp: &Stamp)
    -> Result<(), StoreError>;
    /// The lease on a package: which bench has it open, until when.
    fn lease(&self, package_id: i64) -> Result<Option<Lease>, StoreError>;
    /// Takes or renews the stamp's bench's lease on a package; another bench's lease that holds is refused
    /// (`HeldElsewhere`) unless `take_over` gives a supervisor's reason, which is audited.
    fn take_lease(&mut self, package_id: i64, take_over: Option<&str>, stamp: &Stamp) -> Result<Lease, StoreError>;
    /// Gives up the stamp's bench's lease on a package (a package closed, decided or left).
    fn release_lease(&mut self, package_id: i64, stamp: &Stamp) -> Result<(), StoreError>;
    /// Saves the inspection's sheet over what was saved of it before (items replaced as a whole).
    fn save_inspection(&mut self, inspection_id: i64, sheet: &InspectionSheet, stamp: &Stamp)
    -> Result<(), StoreError>;
    /// Saves a confirmed decision and its queue entries (store-credit entries get a fresh unguessable
    /// code) in one transaction, audited as `decided` or, with an override, `overridden`. Refused, with
    /// nothing saved, when the return's ledger does not allow it: the package's decision stands already
    /// (only a hold is decided again), a unit would be settled twice, or a charge kept once per order or
    /// RMA would be kept again.
    fn record_decision(&mut self, decision: &DecisionToSave, stamp: &Stamp) -> Result<i64, StoreError>;
    /// The ledger of an order's packages other than `package_id`: what the engine decides that package
    /// against ([`crate::domain::ledger`]).
    fn earlier_ledger(&self, order_id: i64, package_id: i64) -> Result<Ledger, StoreError>;
    /// A supervisor's reopen of a decided package, with the reason: the decision is withdrawn (kept, marked),
    /// its queue items nobody exported or paid are withdrawn, and the package may be decided again; a refund
    /// or store credit then decided is queued as the difference from what stood. Audited.
    fn reopen_package(&mut self, package_id: i64, reason: &str, stamp: &Stamp) -> Result<Reopened, StoreError>;
    /// Every package of an order, oldest first, as its ledger counts it.
    fn order_packages(&self, order_id: i64) -> Result<Vec<PackageEntry>, StoreError>;
    /// A queue's items, open ones first by due date then age; `include_done` adds the done ones.
    fn queue_items(&self, queue: Queue, include_done: bool, limit: usize) -> Result<Vec<QueueRow>, StoreError>;
    /// Open items per queue (every queue listed, zero included), in [`Queue::ALL`] order.
    fn open_queue_counts(&self) -> Result<Vec<(Queue, u64)>, StoreError>;
    /// Marks a queue item done with its reference (refund id, tracking number…). Done is final.
    fn complete_queue_item(&mut self, id: i64, reference: &str, stamp: &Stamp) -> Result<(), StoreError>;
    /// Packages matched to no RMA yet, oldest first.
    fn quarantined(&self) -> Result<Vec<PackageRow>, StoreError>;
    /// Matches a quarantined package to an RMA, leaving quarantine.
    fn match_package(&mut self, package_id: i64, rma_id: i64, stamp: &Stamp) -> Result<(), StoreError>;
    /// Packages received at or after `since` (RFC 3339 UTC), newest first.
    fn packages_since(&self, since: &str, limit: usize) -> Result<Vec<PackageRow>, StoreError>;
    /// Claims every open, not yet exported item of `queue` (not holds) into a new export batch, audited,
    /// and returns the batch's id; `None` when there is nothing new. Claimed items are never claimed again.
    fn claim_export_batch(&mut self, queue: Queue, stamp: &Stamp) -> Result<Option<i64>, StoreError>;
    /// A batch with its items as the store holds them today (their order data read now).
    fn export_batch(&self, batch_id: i64) -> Result<ExportBatch, StoreError>;
    /// A batch's files as kept when it was claimed, checked against their SHA-256 and against the audit
    /// entry that recorded them ([`StoreError::BatchChanged`] when they differ). A batch claimed before the
    /// station kept batches' files is rendered from its items once, kept and audited (`frozen`), and
    /// refused if that differs from a file already recorded for it.
    fn frozen_export_batch(&mut self, batch_id: i64, stamp: &Stamp) -> Result<FrozenBatch, StoreError>;
    /// Records that a batch's files are on disk (replacing an earlier write's: the same files, as each must
    /// be the kept file of [`Store::frozen_export_batch`], rows and SHA-256, or it is refused), audited with each file's
    /// row count and SHA-256.
    fn record_batch_written(&mut self, batch_id: i64, files: &[BatchFile], stamp: &Stamp) -> Result<(), StoreError>;
    /// Marks every open item of a batch done with one reference (the payment run that paid it, the
    /// shipment that took it), each audited as `complete_queue_item` does; returns how many.
    fn complete_batch(&mut self, batch_id: i64, reference: &str, stamp: &Stamp) -> Result<u64, StoreError>;
    /// A queue's latest batches, newest first.
    fn export_batches(&self, queue: Queue, limit: usize) -> Result<Vec<BatchSummary>, StoreError>;
    /// Packages by any number: the package id, the scanned code, an RMA, order or expected tracking
    /// number (normalized like [`number_key`]). Newest first.
    fn find_packages(&self, number: &str, limit: usize) -> Result<Vec<PackageRow>, StoreError>;
    /// Packages received at or after `since` (RFC 3339 UTC), matched and with no decision that stands:
    /// received and not decided yet, or reopened. Newest first.
    fn undecided_since(&self, since: &str, limit: usize) -> Result<Vec<PackageRow>, StoreError>;
    /// The packages received for an RMA, oldest first.
    fn packages_of_rma(&self, rma_id: i64) -> Result<Vec<PackageRow>, StoreError>;
    /// A package's whole story.
    fn package_history(&self, package_id: i64) -> Result<PackageHistory, StoreError>;
    /// Every decision of the packages received for this RMA, oldest first.
    fn decisions_of_rma(&self, rma_id: i64) -> Result<Vec<i64>, StoreError>;
    /// One decision with everything its evidence packet shows.
    fn evidence_record(&self, decision_id: i64) -> Result<EvidenceRecord, StoreError>;
    fn counts(&self) -> Result<StoreCounts, StoreError>;
    /// Integrity and the audit chain.
    fn verify(&self) -> Result<VerifyReport, StoreError>;
    /// A consistent copy while the station runs, checked before it is reported good.
    fn backup_to(&self, destination: &Path) -> Result<VerifyReport, StoreError>;
    /// One of a station's own settings (its label printer…), or none if it was never set.
    fn station_setting(&self, station: &str, key: &str) -> Result<Option<String>, StoreError>;
    /// Sets a setting of the stamp's station, audited (`station/<name>`, `setting_changed`).
    fn set_station_setting(&mut self, key: &str, value: &str, stamp: &Stamp) -> Result<(), StoreError>;
    /// The daily view's figures for a day and its week, read in one snapshot.
    fn dashboard(&self, period: &DashboardPeriod) -> Result<Dashboard, StoreError>;
    /// The sign-in record (wrong PINs and lock) of a name, keyed as sign-in compares names
    /// ([`crate::domain::lockout::name_key`]); empty for a name never tried.
    fn sign_in_record(&self, name_key: &str) -> Result<NameRecord, StoreError>;
    /// Changes a name's sign-in record in one write transaction: `change` is given the record as it stands
    /// inside the transaction (so two stations never both count from the same record) and returns the
    /// record to keep and the audit entries (`sign_in/<name_key>`) that go with it.
    fn change_sign_in_record(
        &mut self,
        name_key: &str,
        stamp: &Stamp,
        change: &mut dyn FnMut(&NameRecord) -> SignInChange,
    ) -> Result<(), StoreError>;
}

/// A name's sign-in record to keep, with its audit entries as (action, detail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInChange {
    pub record: NameRecord,
    pub audit: Vec<(&'static str, String)>,
}

/// The normalized form of an order, RMA or tracking number for lookups: upper case, no spaces, no
/// leading `#` — the way a scanner or a hurried clerk may give it.
pub fn number_key(number: &str) -> String {
    number.trim().trim_start_matches('#').chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect()
}

/// The station's database file in a data folder.
pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join("station.sqlite3")
}

/// The folder of photo originals in a data folder.
pub fn photos_path(data_dir: &Path) -> PathBuf {
    data_dir.join("photos")
}

/// The folder exports are written to in a data folder.
pub fn exports_path(data_dir: &Path) -> PathBuf {
    data_dir.join("exports")
}

/// The platform's data folder for the station: `~/.local/share/rma-station` on Linux,
/// `%LOCALAPPDATA%\rma-station` (`C:\Users\<name>\AppData\Local\rma-station`) on Windows. The local
/// folder, not the roaming one: a roaming profile would copy a live SQLite database and its photos to a
/// server at every sign-out. On Linux both are the same folder.
pub fn default_data_dir() -> Option<PathBuf> {
    dirs::data_local_dir().map(|dir| dir.join("rma-station"))
}
