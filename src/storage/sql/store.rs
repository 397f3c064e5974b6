//! The store, written once over the SQL layer: [`SqlStore`] answers the [`Store`] contract for any
//! [`Backend`] by handing each call to the file of its area, reads on the backend's connection and every
//! change in one write transaction of the backend's ([`Backend::change`]).

use std::path::Path;

use super::{
    Backend, Db, audit_log, bench, dashboard, decisions, evidence, exports, leases, ledger, operators, orders, queues,
    sign_in,
};
use crate::domain::inspection::InspectionSheet;
use crate::domain::lease::Lease;
use crate::domain::ledger::{Ledger, PackageEntry};
use crate::domain::lockout::NameRecord;
use crate::domain::records::{OrderRecord, RmaRecord};
use crate::domain::vocabulary::{Queue, Role};
use crate::photos::store::PhotoHash;
use crate::policies::PolicySet;
use crate::storage::audit::{AuditEntry, AuditHead};
use crate::storage::{
    BatchFile, BatchSummary, Dashboard, DashboardPeriod, DecisionToSave, EvidenceRecord, ExportBatch, FrozenBatch,
    ImportCounts, ImportSource, OperatorRow, PackageHistory, PackageRow, PhotoRow, QueueRow, ReceivedPackage, Reopened,
    RmaMatch, SignInChange, Stamp, Store, StoreCounts, StoreError, StoredOrder, StoredRma, VerifyReport,
};

/// The station's store on a backend (SQLite for one bench, PostgreSQL for a warehouse).
#[derive(Debug)]
pub struct SqlStore<B> {
    pub(crate) backend: B,
}

impl<B: Backend> SqlStore<B> {
    /// The store on an opened, migrated backend, with the merchants of `policies` recorded.
    pub(crate) fn new(backend: B, policies: &PolicySet) -> Result<SqlStore<B>, StoreError> {
        let mut store = SqlStore { backend };
        store.backend.change(|db| record_merchants(db, policies))?;
        Ok(store)
    }
}

fn record_merchants(db: &dyn Db, policies: &PolicySet) -> Result<(), StoreError> {
    for loaded in policies.iter() {
        db.execute(
            "INSERT INTO merchants (id, name, policy_sha256) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, policy_sha256 = excluded.policy_sha256
             WHERE merchants.name != excluded.name OR merchants.policy_sha256 != excluded.policy_sha256",
            &[&loaded.policy.merchant.id, &loaded.policy.merchant.name, &loaded.sha256],
        )?;
    }
    Ok(())
}

/// How many records the store holds, by table.
pub(crate) fn counts(db: &dyn Db) -> Result<StoreCounts, StoreError> {
    let count = |table: &str| db.one::<u64>(&format!("SELECT count(*) FROM {table}"), &[]);
    Ok(StoreCounts {
        orders: count("orders")?,
        order_lines: count("order_lines")?,
        rmas: count("rmas")?,
        packages: count("packages")?,
        audit_entries: count("audit_log")?,
    })
}

impl<B: Backend> Store for SqlStore<B> {
    fn import_orders(
        &mut self,
        source: &ImportSource,
        records: &[OrderRecord],
        stamp: &Stamp,
    ) -> Result<ImportCounts, StoreError> {
        self.backend.change(|db| orders::import_orders(db, source, records, stamp))
    }

    fn import_rmas(
        &mut self,
        source: &ImportSource,
        records: &[RmaRecord],
        stamp: &Stamp,
    ) -> Result<ImportCounts, StoreError> {
        self.backend.change(|db| orders::import_rmas(db, source, records, stamp))
    }

    fn rmas_by_number(&self, number: &str) -> Result<Vec<RmaMatch>, StoreError> {
        orders::rmas_by_number(self.backend.db(), number)
    }

    fn rmas_by_tracking(&self, tracking: &str) -> Result<Vec<RmaMatch>, StoreError> {
        orders::rmas_by_tracking(self.backend.db(), tracking)
    }

    fn orders_by_number(&self, number: &str) -> Result<Vec<StoredOrder>, StoreError> {
        orders::orders_by_number(self.backend.db(), number)
    }

    fn rmas_of_order(&self, order_id: i64) -> Result<Vec<StoredRma>, StoreError> {
        orders::rmas_of_order(self.backend.db(), order_id)
    }

    fn search_customers(&self, prefix: &str, limit: usize) -> Result<Vec<StoredOrder>, StoreError> {
        orders::search_customers(self.backend.db(), prefix, limit)
    }

    fn append_audit(
        &mut self,
        stamp: &Stamp,
        entity: &str,
        entity_id: &str,
        action: &str,
        detail: &str,
    ) -> Result<AuditEntry, StoreError> {
        self.backend.change(|db| audit_log::append(db, stamp, entity, entity_id, action, detail))
    }

    fn audit_entries(&self, entity: &str, entity_id: &str) -> Result<Vec<AuditEntry>, StoreError> {
        audit_log::entries(self.backend.db(), entity, entity_id)
    }

    fn audit_head(&self) -> Result<AuditHead, StoreError> {
        audit_log::head(self.backend.db())
    }

    fn audit_hash_at(&self, seq: i64) -> Result<Option<String>, StoreError> {
        audit_log::hash_at(self.backend.db(), seq)
    }

    fn receive_package(&mut self, package: &ReceivedPackage, stamp: &Stamp) -> Result<i64, StoreError> {
        self.backend.change(|db| bench::receive_package(db, package, stamp))
    }

    fn start_inspection(&mut self, package_id: i64, stamp: &Stamp) -> Result<i64, StoreError> {
        self.backend.change(|db| bench::start_inspection(db, package_id, stamp))
    }

    fn record_photo(&mut self, photo: &PhotoRow, stamp: &Stamp) -> Result<i64, StoreError> {
        let shared = self.backend.shares_photos();
        self.backend.change(|db| bench::record_photo(db, photo, shared, stamp))
    }

    fn shares_photos(&self) -> bool {
        self.backend.shares_photos()
    }

    fn keep_photo_original(&mut self, hash: &PhotoHash, bytes: &[u8], stamp: &Stamp) -> Result<bool, StoreError> {
        self.backend.keep_photo_original(hash, bytes, stamp)
    }

    fn photo_original(&self, hash: &PhotoHash) -> Result<Option<Vec<u8>>, StoreError> {
        self.backend.photo_original(hash)
    }

    fn photo_hashes(&self) -> Result<Vec<String>, StoreError> {
        bench::photo_hashes(self.backend.db())
    }

    fn operators(&self) -> Result<Vec<OperatorRow>, StoreError> {
        operators::operators(self.backend.db())
    }

    fn add_operator(&mut self, name: &str, role: Role, pin_hash: &str, stamp: &Stamp) -> Result<i64, StoreError> {
        self.backend.change(|db| operators::add_operator(db, name, role, pin_hash, stamp))
    }

    fn set_pin_hash(
        &mut self,
        operator_id: i64,
        pin_hash: &str,
        action: &str,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        self.backend.change(|db| operators::set_pin_hash(db, operator_id, pin_hash, action, stamp))
    }

    fn lease(&self, package_id: i64) -> Result<Option<Lease>, StoreError> {
        leases::lease(self.backend.db(), package_id)
    }

    fn take_lease(&mut self, package_id: i64, take_over: Option<&str>, stamp: &Stamp) -> Result<Lease, StoreError> {
        self.backend.change(|db| leases::take(db, package_id, take_over, stamp))
    }

    fn release_lease(&mut self, package_id: i64, stamp: &Stamp) -> Result<(), StoreError> {
        self.backend.change(|db| leases::release(db, package_id, stamp))
    }

    fn save_inspection(
        &mut self,
        inspection_id: i64,
        sheet: &InspectionSheet,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        self.backend.change(|db| bench::save_inspection(db, inspection_id, sheet, stamp))
    }

    fn record_decision(&mut self, to_save: &DecisionToSave, stamp: &Stamp) -> Result<i64, StoreError> {
        self.backend.change(|db| decisions::record_decision(db, to_save, stamp))
    }

    fn earlier_ledger(&self, order_id: i64, package_id: i64) -> Result<Ledger, StoreError> {
        ledger::earlier(self.backend.db(), order_id, package_id)
    }

    fn reopen_package(&mut self, package_id: i64, reason: &str, stamp: &Stamp) -> Result<Reopened, StoreError> {
        self.backend.change(|db| ledger::reopen(db, package_id, reason, stamp))
    }

    fn order_packages(&self, order_id: i64) -> Result<Vec<PackageEntry>, StoreError> {
        ledger::entries(self.backend.db(), order_id)
    }

    fn queue_items(&self, queue: Queue, include_done: bool, limit: usize) -> Result<Vec<QueueRow>, StoreError> {
        queues::queue_items(self.backend.db(), queue, include_done, limit)
    }

    fn open_queue_counts(&self) -> Result<Vec<(Queue, u64)>, StoreError> {
        queues::open_queue_counts(self.backend.db())
    }

    fn claim_export_batch(&mut self, queue: Queue, stamp: &Stamp) -> Result<Option<i64>, StoreError> {
        self.backend.change(|db| exports::claim_export_batch(db, queue, stamp))
    }

    fn export_batch(&self, batch_id: i64) -> Result<ExportBatch, StoreError> {
        exports::export_batch(self.backend.db(), batch_id)
    }

    fn frozen_export_batch(&mut self, batch_id: i64, stamp: &Stamp) -> Result<FrozenBatch, StoreError> {
        self.backend.change(|db| exports::frozen_export_batch(db, batch_id, stamp))
    }

    fn record_batch_written(&mut self, batch_id: i64, files: &[BatchFile], stamp: &Stamp) -> Result<(), StoreError> {
        self.backend.change(|db| exports::record_batch_written(db, batch_id, files, stamp))
    }

    fn complete_batch(&mut self, batch_id: i64, reference: &str, stamp: &Stamp) -> Result<u64, StoreError> {
        self.backend.change(|db| exports::complete_batch(db, batch_id, reference, stamp))
    }

    fn export_batches(&self, queue: Queue, limit: usize) -> Result<Vec<BatchSummary>, StoreError> {
        exports::export_batches(self.backend.db(), queue, limit)
    }

    fn complete_queue_item(&mut self, id: i64, reference: &str, stamp: &Stamp) -> Result<(), StoreError> {
        self.backend.change(|db| queues::complete_queue_item(db, id, reference, stamp))
    }

    fn quarantined(&self) -> Result<Vec<PackageRow>, StoreError> {
        bench::quarantined(self.backend.db())
    }

    fn match_package(&mut self, package_id: i64, rma_id: i64, stamp: &Stamp) -> Result<(), StoreError> {
        self.backend.change(|db| bench::match_package(db, package_id, rma_id, stamp))
    }

    fn packages_since(&self, since: &str, limit: usize) -> Result<Vec<PackageRow>, StoreError> {
        bench::packages_since(self.backend.db(), since, limit)
    }

    fn find_packages(&self, number: &str, limit: usize) -> Result<Vec<PackageRow>, StoreError> {
        bench::find_packages(self.backend.db(), number, limit)
    }

    fn undecided_since(&self, since: &str, limit: usize) -> Result<Vec<PackageRow>, StoreError> {
        bench::undecided_since(self.backend.db(), since, limit)
    }

    fn packages_of_rma(&self, rma_id: i64) -> Result<Vec<PackageRow>, StoreError> {
        bench::packages_of_rma(self.backend.db(), rma_id)
    }

    fn package_history(&self, package_id: i64) -> Result<PackageHistory, StoreError> {
        bench::package_history(self.backend.db(), package_id)
    }

    fn decisions_of_rma(&self, rma_id: i64) -> Result<Vec<i64>, StoreError> {
        evidence::decisions_of_rma(self.backend.db(), rma_id)
    }

    fn evidence_record(&self, decision_id: i64) -> Result<EvidenceRecord, StoreError> {
        evidence::evidence_record(self.backend.db(), decision_id)
    }

    fn counts(&self) -> Result<StoreCounts, StoreError> {
        counts(self.backend.db())
    }

    fn verify(&self) -> Result<VerifyReport, StoreError> {
        self.backend.verify()
    }

    fn backup_to(&self, destination: &Path) -> Result<VerifyReport, StoreError> {
        self.backend.backup_to(destination)
    }

    fn station_setting(&self, station: &str, key: &str) -> Result<Option<String>, StoreError> {
        operators::station_setting(self.backend.db(), station, key)
    }

    fn set_station_setting(&mut self, key: &str, value: &str, stamp: &Stamp) -> Result<(), StoreError> {
        self.backend.change(|db| operators::set_station_setting(db, key, value, stamp))
    }

    fn dashboard(&self, period: &DashboardPeriod) -> Result<Dashboard, StoreError> {
        self.backend.snapshot(|db| dashboard::read(db, period))
    }

    fn sign_in_record(&self, name_key: &str) -> Result<NameRecord, StoreError> {
        sign_in::record(self.backend.db(), name_key)
    }

    fn change_sign_in_record(
        &mut self,
        name_key: &str,
        stamp: &Stamp,
        change: &mut dyn FnMut(&NameRecord) -> SignInChange,
    ) -> Result<(), StoreError> {
        self.backend.change(|db| sign_in::change(db, name_key, stamp, change))
    }
}
