//! The SQLite [`Store`]: WAL with `synchronous=FULL`, every write in an IMMEDIATE transaction, money
//! in integer cents, and the audit entry of a change written in the change's own transaction.
//!
//! This file opens the database and answers the [`Store`] contract by handing each call to the file of its
//! area: `orders` (imports and lookups), `bench` (packages, inspections, photos), `decisions`, `queues`,
//! `exports` (batches), `operators` (and station settings), `sign_in` (the lockout's records), `audit_log`,
//! `verify` (and backups), `evidence` and `dashboard`; `rows` holds the row loaders they share. rusqlite is named only under this
//! folder: its errors become the backend-neutral [`StoreError`] in `error`, and `schema` (migrations),
//! `consistency` and `restore` are SQLite's own.

mod audit_log;
mod bench;
mod consistency;
mod dashboard;
mod db;
mod decisions;
mod error;
mod evidence;
mod exports;
mod ledger;
mod operators;
mod orders;
mod queues;
pub mod restore;
mod rows;
pub mod schema;
mod seal;
mod sign_in;
mod verify;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior, params};

use crate::domain::inspection::InspectionSheet;
use crate::domain::ledger::{Ledger, PackageEntry};
use crate::domain::lockout::NameRecord;
use crate::domain::records::{OrderRecord, RmaRecord};
use crate::domain::vocabulary::{Queue, Role};
use crate::policies::PolicySet;
use crate::storage::audit::{AuditEntry, AuditHead};
use crate::storage::sql::Db;
use crate::storage::{
    BatchFile, BatchSummary, Dashboard, DashboardPeriod, DecisionToSave, EvidenceRecord, ExportBatch, FrozenBatch,
    ImportCounts, ImportSource, OperatorRow, PackageHistory, PackageRow, PhotoRow, QueueRow, ReceivedPackage, Reopened,
    RmaMatch, SignInChange, Stamp, Store, StoreCounts, StoreError, StoredOrder, StoredRma, VerifyReport,
};
use schema::LATEST;

/// How long a write waits for another station's transaction before reporting the database busy.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
}

/// Why opening failed, before it is put in words that name the file: SQLite's own error is kept whole
/// until then, so that "cannot open" (a read-only disk or folder) can be told from the rest.
enum Opening {
    Sqlite(rusqlite::Error),
    Store(StoreError),
}

impl From<rusqlite::Error> for Opening {
    fn from(error: rusqlite::Error) -> Opening {
        Opening::Sqlite(error)
    }
}

impl From<StoreError> for Opening {
    fn from(error: StoreError) -> Opening {
        Opening::Store(error)
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`, refuses a newer schema without touching it,
    /// migrates an older one and records the merchants of `policies`. An error names the file.
    pub fn open(path: &Path, policies: &PolicySet) -> Result<SqliteStore, StoreError> {
        let cannot_open = |detail: String| StoreError::Io {
            path: path.to_path_buf(),
            what: format!("cannot open the database: {detail}"),
        };
        SqliteStore::open_unnamed(path, policies).map_err(|error| match error {
            // The station writes beside its database (the log, the shared index) even to read it.
            Opening::Sqlite(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::CannotOpen) => StoreError::Io {
                path: path.to_path_buf(),
                what: format!(
                    "cannot open the database for writing ({e}); the station must be able to write in its folder: \
                     is the disk read-only, or the folder locked?"
                ),
            },
            Opening::Sqlite(e) => match StoreError::from(e) {
                StoreError::Database { detail } => cannot_open(detail),
                other => other,
            },
            Opening::Store(StoreError::Database { detail }) => cannot_open(detail),
            Opening::Store(other) => other,
        })
    }

    fn open_unnamed(path: &Path, policies: &PolicySet) -> Result<SqliteStore, Opening> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            crate::durable::create_folder(parent)
                .map_err(|e| StoreError::io(parent, "cannot create the folder", &e))?;
        }
        let mut conn = Connection::open(path)?;
        // Before the first read: another station may hold the file a moment (setting up a new one, say).
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Read the version before anything writes: a newer station's database must stay untouched.
        let found = schema::version(&conn)?;
        if found > LATEST {
            return Err(StoreError::NewerSchema { path: path.to_path_buf(), found, supported: LATEST }.into());
        }
        use_write_ahead_log(&conn, path)?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        schema::migrate(&mut conn)?;
        let mut store = SqliteStore { conn, path: path.to_path_buf() };
        store.record_merchants(policies)?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs a change in one IMMEDIATE transaction, committed when it returns `Ok` and rolled back otherwise:
    /// no other station writes between its reads and its writes.
    fn change<T>(&mut self, change: impl FnOnce(&dyn Db) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let tx = write(&mut self.conn)?;
        let changed = change(&tx)?;
        tx.commit()?;
        Ok(changed)
    }

    fn record_merchants(&mut self, policies: &PolicySet) -> Result<(), StoreError> {
        let tx = write(&mut self.conn)?;
        {
            let mut upsert = tx.prepare_cached(
                "INSERT INTO merchants (id, name, policy_sha256) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, policy_sha256 = excluded.policy_sha256
                 WHERE name != excluded.name OR policy_sha256 != excluded.policy_sha256",
            )?;
            for loaded in policies.iter() {
                upsert.execute(params![loaded.policy.merchant.id, loaded.policy.merchant.name, loaded.sha256])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

/// A write transaction: IMMEDIATE, so it waits for another station's write (up to the busy timeout) at its
/// start rather than failing halfway.
fn write(conn: &mut Connection) -> Result<Transaction<'_>, StoreError> {
    Ok(conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
}

/// Switches the file to write-ahead logging (once for a new file; the mode is kept in the file). The switch
/// needs the file alone for a moment, and SQLite answers "busy" at once, without waiting, when another
/// station is opening the new file at the same time: so it is retried here, within the busy timeout.
fn use_write_ahead_log(conn: &Connection, path: &Path) -> Result<(), Opening> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0)) {
            Ok(mode) if mode.eq_ignore_ascii_case("wal") => return Ok(()),
            Ok(mode) => {
                return Err(StoreError::Io {
                    path: path.to_path_buf(),
                    what: format!("cannot use write-ahead logging (journal mode {mode})"),
                }
                .into());
            }
            Err(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

impl Store for SqliteStore {
    fn import_orders(
        &mut self,
        source: &ImportSource,
        records: &[OrderRecord],
        stamp: &Stamp,
    ) -> Result<ImportCounts, StoreError> {
        self.change(|db| orders::import_orders(db, source, records, stamp))
    }

    fn import_rmas(
        &mut self,
        source: &ImportSource,
        records: &[RmaRecord],
        stamp: &Stamp,
    ) -> Result<ImportCounts, StoreError> {
        self.change(|db| orders::import_rmas(db, source, records, stamp))
    }

    fn rmas_by_number(&self, number: &str) -> Result<Vec<RmaMatch>, StoreError> {
        orders::rmas_by_number(&self.conn, number)
    }

    fn rmas_by_tracking(&self, tracking: &str) -> Result<Vec<RmaMatch>, StoreError> {
        orders::rmas_by_tracking(&self.conn, tracking)
    }

    fn orders_by_number(&self, number: &str) -> Result<Vec<StoredOrder>, StoreError> {
        orders::orders_by_number(&self.conn, number)
    }

    fn rmas_of_order(&self, order_id: i64) -> Result<Vec<StoredRma>, StoreError> {
        orders::rmas_of_order(&self.conn, order_id)
    }

    fn search_customers(&self, prefix: &str, limit: usize) -> Result<Vec<StoredOrder>, StoreError> {
        orders::search_customers(&self.conn, prefix, limit)
    }

    fn append_audit(
        &mut self,
        stamp: &Stamp,
        entity: &str,
        entity_id: &str,
        action: &str,
        detail: &str,
    ) -> Result<AuditEntry, StoreError> {
        let tx = write(&mut self.conn)?;
        let entry = audit_log::append(&tx, stamp, entity, entity_id, action, detail)?;
        tx.commit()?;
        Ok(entry)
    }

    fn audit_entries(&self, entity: &str, entity_id: &str) -> Result<Vec<AuditEntry>, StoreError> {
        audit_log::entries(&self.conn, entity, entity_id)
    }

    fn audit_head(&self) -> Result<AuditHead, StoreError> {
        audit_log::head(&self.conn)
    }

    fn audit_hash_at(&self, seq: i64) -> Result<Option<String>, StoreError> {
        audit_log::hash_at(&self.conn, seq)
    }

    fn receive_package(&mut self, package: &ReceivedPackage, stamp: &Stamp) -> Result<i64, StoreError> {
        self.change(|db| bench::receive_package(db, package, stamp))
    }

    fn start_inspection(&mut self, package_id: i64, stamp: &Stamp) -> Result<i64, StoreError> {
        self.change(|db| bench::start_inspection(db, package_id, stamp))
    }

    fn record_photo(&mut self, photo: &PhotoRow, stamp: &Stamp) -> Result<i64, StoreError> {
        self.change(|db| bench::record_photo(db, photo, stamp))
    }

    fn photo_hashes(&self) -> Result<Vec<String>, StoreError> {
        bench::photo_hashes(&self.conn)
    }

    fn operators(&self) -> Result<Vec<OperatorRow>, StoreError> {
        operators::operators(&self.conn)
    }

    fn add_operator(&mut self, name: &str, role: Role, pin_hash: &str, stamp: &Stamp) -> Result<i64, StoreError> {
        self.change(|db| operators::add_operator(db, name, role, pin_hash, stamp))
    }

    fn set_pin_hash(
        &mut self,
        operator_id: i64,
        pin_hash: &str,
        action: &str,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        self.change(|db| operators::set_pin_hash(db, operator_id, pin_hash, action, stamp))
    }

    fn save_inspection(
        &mut self,
        inspection_id: i64,
        sheet: &InspectionSheet,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        self.change(|db| bench::save_inspection(db, inspection_id, sheet, stamp))
    }

    fn record_decision(&mut self, to_save: &DecisionToSave, stamp: &Stamp) -> Result<i64, StoreError> {
        {
            let path = self.path.clone();
            self.change(|db| decisions::record_decision(db, &path, to_save, stamp))
        }
    }

    fn earlier_ledger(&self, order_id: i64, package_id: i64) -> Result<Ledger, StoreError> {
        ledger::earlier(&self.conn, order_id, package_id)
    }

    fn reopen_package(&mut self, package_id: i64, reason: &str, stamp: &Stamp) -> Result<Reopened, StoreError> {
        self.change(|db| ledger::reopen(db, package_id, reason, stamp))
    }

    fn order_packages(&self, order_id: i64) -> Result<Vec<PackageEntry>, StoreError> {
        ledger::entries(&self.conn, order_id)
    }

    fn queue_items(&self, queue: Queue, include_done: bool, limit: usize) -> Result<Vec<QueueRow>, StoreError> {
        queues::queue_items(&self.conn, queue, include_done, limit)
    }

    fn open_queue_counts(&self) -> Result<Vec<(Queue, u64)>, StoreError> {
        queues::open_queue_counts(&self.conn)
    }

    fn claim_export_batch(&mut self, queue: Queue, stamp: &Stamp) -> Result<Option<i64>, StoreError> {
        self.change(|db| exports::claim_export_batch(db, queue, stamp))
    }

    fn export_batch(&self, batch_id: i64) -> Result<ExportBatch, StoreError> {
        exports::export_batch(&self.conn, batch_id)
    }

    fn frozen_export_batch(&mut self, batch_id: i64, stamp: &Stamp) -> Result<FrozenBatch, StoreError> {
        self.change(|db| exports::frozen_export_batch(db, batch_id, stamp))
    }

    fn record_batch_written(&mut self, batch_id: i64, files: &[BatchFile], stamp: &Stamp) -> Result<(), StoreError> {
        self.change(|db| exports::record_batch_written(db, batch_id, files, stamp))
    }

    fn complete_batch(&mut self, batch_id: i64, reference: &str, stamp: &Stamp) -> Result<u64, StoreError> {
        self.change(|db| exports::complete_batch(db, batch_id, reference, stamp))
    }

    fn export_batches(&self, queue: Queue, limit: usize) -> Result<Vec<BatchSummary>, StoreError> {
        exports::export_batches(&self.conn, queue, limit)
    }

    fn complete_queue_item(&mut self, id: i64, reference: &str, stamp: &Stamp) -> Result<(), StoreError> {
        self.change(|db| queues::complete_queue_item(db, id, reference, stamp))
    }

    fn quarantined(&self) -> Result<Vec<PackageRow>, StoreError> {
        bench::quarantined(&self.conn)
    }

    fn match_package(&mut self, package_id: i64, rma_id: i64, stamp: &Stamp) -> Result<(), StoreError> {
        self.change(|db| bench::match_package(db, package_id, rma_id, stamp))
    }

    fn packages_since(&self, since: &str, limit: usize) -> Result<Vec<PackageRow>, StoreError> {
        bench::packages_since(&self.conn, since, limit)
    }

    fn find_packages(&self, number: &str, limit: usize) -> Result<Vec<PackageRow>, StoreError> {
        bench::find_packages(&self.conn, number, limit)
    }

    fn undecided_since(&self, since: &str, limit: usize) -> Result<Vec<PackageRow>, StoreError> {
        bench::undecided_since(&self.conn, since, limit)
    }

    fn packages_of_rma(&self, rma_id: i64) -> Result<Vec<PackageRow>, StoreError> {
        bench::packages_of_rma(&self.conn, rma_id)
    }

    fn package_history(&self, package_id: i64) -> Result<PackageHistory, StoreError> {
        bench::package_history(&self.conn, package_id)
    }

    fn decisions_of_rma(&self, rma_id: i64) -> Result<Vec<i64>, StoreError> {
        evidence::decisions_of_rma(&self.conn, rma_id)
    }

    fn evidence_record(&self, decision_id: i64) -> Result<EvidenceRecord, StoreError> {
        evidence::evidence_record(&self.conn, decision_id)
    }

    fn counts(&self) -> Result<StoreCounts, StoreError> {
        verify::counts(&self.conn)
    }

    fn verify(&self) -> Result<VerifyReport, StoreError> {
        verify::verify(&self.conn)
    }

    fn backup_to(&self, destination: &Path) -> Result<VerifyReport, StoreError> {
        verify::backup_to(&self.conn, destination)
    }

    fn station_setting(&self, station: &str, key: &str) -> Result<Option<String>, StoreError> {
        operators::station_setting(&self.conn, station, key)
    }

    fn set_station_setting(&mut self, key: &str, value: &str, stamp: &Stamp) -> Result<(), StoreError> {
        self.change(|db| operators::set_station_setting(db, key, value, stamp))
    }

    fn dashboard(&self, period: &DashboardPeriod) -> Result<Dashboard, StoreError> {
        let snapshot = self.conn.unchecked_transaction()?;
        let dashboard = dashboard::read(&snapshot, period)?;
        snapshot.commit()?;
        Ok(dashboard)
    }

    fn sign_in_record(&self, name_key: &str) -> Result<NameRecord, StoreError> {
        sign_in::record(&self.conn, name_key)
    }

    fn change_sign_in_record(
        &mut self,
        name_key: &str,
        stamp: &Stamp,
        change: &mut dyn FnMut(&NameRecord) -> SignInChange,
    ) -> Result<(), StoreError> {
        self.change(|db| sign_in::change(db, name_key, stamp, change))
    }
}
