//! The SQLite [`Store`]: WAL with `synchronous=FULL`, every write in an IMMEDIATE transaction, money
//! in integer cents, and the audit entry of a change written in the change's own transaction.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{NaiveDate, SecondsFormat};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, Transaction, TransactionBehavior, params};

use crate::domain::case::{ItemState, Referral};
use crate::domain::inspection::{InspectionSheet, SheetItem};
use crate::domain::money::Money;
use crate::domain::records::{OrderLineRecord, OrderRecord, OrderStatus, RmaRecord};
use crate::domain::vocabulary::{Queue, Role};
use crate::formats::case_json::{RecordedDecision, RecordedLine};
use crate::hex::sha256_hex;
use crate::policies::PolicySet;
use crate::storage::audit::{AuditEntry, AuditHead, ChainCheck, GENESIS, entry_hash};
use crate::storage::schema::{self, LATEST};
use crate::storage::{
    BatchFile, BatchSummary, DecisionRow, DecisionToSave, EvidenceRecord, ExportBatch, ExportItem, ExportUnits,
    ImportCounts, ImportSource, OperatorRow, PackageHistory, PackageRow, PackageStage, PhotoRow, QueueRow, QueueStatus,
    ReceivedPackage, RmaMatch, Stamp, Store, StoreCounts, StoreError, StoredOrder, StoredRma, VerifyReport, number_key,
};

/// How long a write waits for another station's transaction before reporting the database busy.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`, refuses a newer schema without touching it,
    /// migrates an older one and records the merchants of `policies`. An error names the file.
    pub fn open(path: &Path, policies: &PolicySet) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_unnamed(path, policies).map_err(|error| match error {
            // The station writes beside its database (the log, the shared index) even to read it.
            StoreError::Sqlite(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::CannotOpen) => StoreError::Io {
                path: path.to_path_buf(),
                what: format!(
                    "cannot open the database for writing ({e}); the station must be able to write in its folder: \
                     is the disk read-only, or the folder locked?"
                ),
            },
            StoreError::Sqlite(e) => {
                StoreError::Io { path: path.to_path_buf(), what: format!("cannot open the database: {e}") }
            }
            other => other,
        })
    }

    fn open_unnamed(path: &Path, policies: &PolicySet) -> Result<SqliteStore, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::io(parent, "cannot create the folder", &e))?;
        }
        let mut conn = Connection::open(path)?;
        // Before the first read: another station may hold the file a moment (setting up a new one, say).
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Read the version before anything writes: a newer station's database must stay untouched.
        let found = schema::version(&conn)?;
        if found > LATEST {
            return Err(StoreError::NewerSchema { path: path.to_path_buf(), found, supported: LATEST });
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

    fn record_merchants(&mut self, policies: &PolicySet) -> Result<(), StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
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

    fn write(&mut self) -> Result<Transaction<'_>, StoreError> {
        Ok(self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
    }
}

/// Switches the file to write-ahead logging (once for a new file; the mode is kept in the file). The switch
/// needs the file alone for a moment, and SQLite answers "busy" at once, without waiting, when another
/// station is opening the new file at the same time: so it is retried here, within the busy timeout.
fn use_write_ahead_log(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0)) {
            Ok(mode) if mode.eq_ignore_ascii_case("wal") => return Ok(()),
            Ok(mode) => {
                return Err(StoreError::Io {
                    path: path.to_path_buf(),
                    what: format!("cannot use write-ahead logging (journal mode {mode})"),
                });
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

/// Appends an audit entry inside `tx`, chained to the last one.
fn append(
    tx: &Transaction<'_>,
    stamp: &Stamp,
    entity: &str,
    entity_id: &str,
    action: &str,
    detail: &str,
) -> Result<AuditEntry, StoreError> {
    let last: Option<(i64, String)> = tx
        .query_row("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, prev_hash) = last.map_or((1, GENESIS.to_owned()), |(seq, hash)| (seq + 1, hash));
    let mut entry = AuditEntry {
        seq,
        at: instant(stamp),
        station: stamp.station.clone(),
        actor: stamp.operator.clone(),
        entity: entity.to_owned(),
        entity_id: entity_id.to_owned(),
        action: action.to_owned(),
        detail: detail.to_owned(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry_hash(&entry.prev_hash, &entry);
    tx.prepare_cached(
        "INSERT INTO audit_log (seq, at, station, actor, entity, entity_id, action, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        entry.seq,
        entry.at,
        entry.station,
        entry.actor,
        entry.entity,
        entry.entity_id,
        entry.action,
        entry.detail,
        entry.prev_hash,
        entry.hash
    ])?;
    Ok(entry)
}

/// A stamp's instant as stored: RFC 3339, UTC, milliseconds.
fn instant(stamp: &Stamp) -> String {
    stamp.at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn known_merchants(tx: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = tx.prepare_cached("SELECT id FROM merchants ORDER BY id")?;
    let ids = stmt.query_map([], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
    Ok(ids)
}

fn check_merchant(known: &[String], merchant: &str) -> Result<(), StoreError> {
    if known.iter().any(|m| m == merchant) {
        Ok(())
    } else {
        Err(StoreError::UnknownMerchant { merchant: merchant.to_owned(), known: known.join(", ") })
    }
}

/// The id and content hash of the stored record with this merchant and number, if any.
fn stored_version(
    tx: &Transaction<'_>,
    table: &str,
    merchant: &str,
    number: &str,
) -> Result<Option<(i64, String)>, StoreError> {
    let sql = format!("SELECT id, content_hash FROM {table} WHERE merchant = ?1 AND number = ?2");
    Ok(tx.prepare_cached(&sql)?.query_row(params![merchant, number], |r| Ok((r.get(0)?, r.get(1)?))).optional()?)
}

/// A fingerprint of a record's content: equal records, equal fingerprints.
fn content_hash(record: &impl std::fmt::Debug) -> String {
    sha256_hex(format!("{record:?}").as_bytes())
}

fn import_detail(source: &ImportSource, records: usize, counts: &ImportCounts) -> String {
    serde_json::json!({
        "file": source.file, "sha256": source.sha256, "records": records,
        "new": counts.new, "updated": counts.updated, "unchanged": counts.unchanged,
    })
    .to_string()
}

fn cents(money: Money) -> i64 {
    money.cents()
}

/// The columns of a [`PackageRow`] (read by [`package_rows`]): the package, its RMA's number and merchant, and
/// the latest decision's verdict (`decisions_by_package`, newest id first). A macro so that each query's
/// text is one constant, prepared once.
macro_rules! package_select {
    () => {
        "SELECT p.id, p.scanned_code, p.scanned_kind, p.received_at, p.operator, p.station, p.rma_id, r.number,
                r.merchant, p.note,
                (SELECT d.verdict FROM decisions d WHERE d.package_id = p.id ORDER BY d.id DESC LIMIT 1),
                p.quarantined
         FROM packages p LEFT JOIN rmas r ON r.id = p.rma_id"
    };
}

/// The columns of a [`QueueRow`] (read by [`queue_rows`]): the item, and from its package's RMA and order what
/// the person doing it needs. Outer joins: an item of a package decided without an RMA must still be listed.
macro_rules! queue_select {
    () => {
        "SELECT q.id, q.queue, q.package_id, q.decision_id, o.merchant, r.number, o.number, o.customer_name,
                o.customer_email, o.ship_to, o.payment_reference, o.currency, q.amount_cents, q.due_on, q.detail,
                q.code, q.status, q.reference, q.done_at, q.created_at
         FROM queue_items q
         LEFT JOIN packages p ON p.id = q.package_id
         LEFT JOIN rmas r ON r.id = p.rma_id
         LEFT JOIN orders o ON o.id = COALESCE(r.order_id, p.order_id)"
    };
}

mod evidence;

impl Store for SqliteStore {
    fn import_orders(
        &mut self,
        source: &ImportSource,
        records: &[OrderRecord],
        stamp: &Stamp,
    ) -> Result<ImportCounts, StoreError> {
        let tx = self.write()?;
        let known = known_merchants(&tx)?;
        let mut counts = ImportCounts::default();
        for record in records {
            check_merchant(&known, &record.merchant)?;
            let hash = content_hash(record);
            let existing = stored_version(&tx, "orders", &record.merchant, &record.number)?;
            if !counts.tally(existing.as_ref().map(|(_, stored)| stored.as_str()), &hash) {
                continue;
            }
            tx.prepare_cached(
                    "INSERT INTO orders (merchant, number, number_key, channel, status, customer_name, customer_email,
                         customer_name_key, customer_email_key, country, ship_to, currency, purchased_on, delivered_on,
                         shipping_cents, gifted, payment_reference, referral_minimum_cents, referral_lifetime_cents,
                         content_hash)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)
                     ON CONFLICT (merchant, number) DO UPDATE SET
                         number_key = excluded.number_key, channel = excluded.channel, status = excluded.status,
                         customer_name = excluded.customer_name, customer_email = excluded.customer_email,
                         customer_name_key = excluded.customer_name_key, customer_email_key = excluded.customer_email_key,
                         country = excluded.country, ship_to = excluded.ship_to, currency = excluded.currency,
                         purchased_on = excluded.purchased_on, delivered_on = excluded.delivered_on,
                         shipping_cents = excluded.shipping_cents, gifted = excluded.gifted,
                         payment_reference = excluded.payment_reference,
                         referral_minimum_cents = excluded.referral_minimum_cents,
                         referral_lifetime_cents = excluded.referral_lifetime_cents, content_hash = excluded.content_hash
",
                )?
                .execute(
                    params![
                        record.merchant,
                        record.number,
                        number_key(&record.number),
                        record.channel.as_str(),
                        record.status.as_str(),
                        record.customer_name,
                        record.customer_email,
                        record.customer_name.to_lowercase(),
                        record.customer_email.to_lowercase(),
                        record.country,
                        record.ship_to.join("\n"),
                        record.currency,
                        record.purchased_on.to_string(),
                        record.delivered_on.map(|d| d.to_string()),
                        cents(record.shipping_charged),
                        record.gifted,
                        record.payment_reference,
                        record.referral.as_ref().map(|r| cents(r.minimum)),
                        record.referral.as_ref().map(|r| cents(r.lifetime_value)),
                        hash,
                    ])?;
            // The upsert's own RETURNING made imports a third slower (BENCHMARKS.md); the id is known.
            let id = existing.map_or_else(|| tx.last_insert_rowid(), |(id, _)| id);
            // An order's lines are replaced as a whole: lines carry no identity of their own.
            tx.prepare_cached("DELETE FROM order_lines WHERE order_id = ?1")?.execute([id])?;
            let mut insert_line = tx.prepare_cached(
                "INSERT INTO order_lines (order_id, position, sku, name, category, qty, unit_price_cents, on_sale, special_order, gift_card)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for (position, line) in record.lines.iter().enumerate() {
                insert_line.execute(params![
                    id,
                    position as i64,
                    line.sku,
                    line.name,
                    line.category,
                    line.qty,
                    cents(line.unit_price),
                    line.on_sale,
                    line.special_order,
                    line.gift_card
                ])?;
            }
        }
        if counts.new + counts.updated > 0 {
            append(
                &tx,
                stamp,
                "import",
                &source.file,
                "import_orders",
                &import_detail(source, records.len(), &counts),
            )?;
        }
        tx.commit()?;
        Ok(counts)
    }

    fn import_rmas(
        &mut self,
        source: &ImportSource,
        records: &[RmaRecord],
        stamp: &Stamp,
    ) -> Result<ImportCounts, StoreError> {
        let tx = self.write()?;
        let known = known_merchants(&tx)?;
        let mut counts = ImportCounts::default();
        for record in records {
            check_merchant(&known, &record.merchant)?;
            let order_id: i64 = tx
                .prepare_cached("SELECT id FROM orders WHERE merchant = ?1 AND number = ?2")?
                .query_row(params![record.merchant, record.order_number], |r| r.get(0))
                .optional()?
                .ok_or_else(|| StoreError::UnknownOrder {
                    rma: record.number.clone(),
                    merchant: record.merchant.clone(),
                    order_number: record.order_number.clone(),
                })?;
            let hash = content_hash(record);
            let existing = stored_version(&tx, "rmas", &record.merchant, &record.number)?;
            if !counts.tally(existing.as_ref().map(|(_, stored)| stored.as_str()), &hash) {
                continue;
            }
            tx.prepare_cached(
                "INSERT INTO rmas (merchant, number, number_key, order_id, kind, resolution, requested_on,
                         defective_on_arrival, return_label_cents, note, content_hash)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                     ON CONFLICT (merchant, number) DO UPDATE SET
                         number_key = excluded.number_key, order_id = excluded.order_id, kind = excluded.kind,
                         resolution = excluded.resolution, requested_on = excluded.requested_on,
                         defective_on_arrival = excluded.defective_on_arrival,
                         return_label_cents = excluded.return_label_cents, note = excluded.note,
                         content_hash = excluded.content_hash
",
            )?
            .execute(params![
                record.merchant,
                record.number,
                number_key(&record.number),
                order_id,
                record.kind.as_str(),
                record.resolution.as_str(),
                record.requested_on.to_string(),
                record.defective_on_arrival,
                cents(record.return_label_cost),
                record.note,
                hash,
            ])?;
            // The upsert's own RETURNING made imports a third slower (BENCHMARKS.md); the id is known.
            let id = existing.map_or_else(|| tx.last_insert_rowid(), |(id, _)| id);
            tx.prepare_cached("DELETE FROM rma_tracking WHERE rma_id = ?1")?.execute([id])?;
            let mut insert_tracking =
                tx.prepare_cached("INSERT OR IGNORE INTO rma_tracking (tracking_key, rma_id) VALUES (?1, ?2)")?;
            for tracking in &record.expected_tracking {
                insert_tracking.execute(params![number_key(tracking), id])?;
            }
        }
        if counts.new + counts.updated > 0 {
            append(&tx, stamp, "import", &source.file, "import_rmas", &import_detail(source, records.len(), &counts))?;
        }
        tx.commit()?;
        Ok(counts)
    }

    fn rmas_by_number(&self, number: &str) -> Result<Vec<RmaMatch>, StoreError> {
        let ids = ids(&self.conn, "SELECT id FROM rmas WHERE number_key = ?1 ORDER BY id", &number_key(number))?;
        ids.into_iter().map(|id| rma_match(&self.conn, id)).collect()
    }

    fn rmas_by_tracking(&self, tracking: &str) -> Result<Vec<RmaMatch>, StoreError> {
        let ids = ids(
            &self.conn,
            "SELECT rma_id FROM rma_tracking WHERE tracking_key = ?1 ORDER BY rma_id",
            &number_key(tracking),
        )?;
        ids.into_iter().map(|id| rma_match(&self.conn, id)).collect()
    }

    fn orders_by_number(&self, number: &str) -> Result<Vec<StoredOrder>, StoreError> {
        let ids = ids(&self.conn, "SELECT id FROM orders WHERE number_key = ?1 ORDER BY id", &number_key(number))?;
        ids.into_iter().map(|id| load_order(&self.conn, id)).collect()
    }

    fn rmas_of_order(&self, order_id: i64) -> Result<Vec<StoredRma>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT id FROM rmas WHERE order_id = ?1 ORDER BY requested_on, id")?;
        let ids = stmt.query_map([order_id], |r| r.get(0))?.collect::<Result<Vec<i64>, _>>()?;
        ids.into_iter().map(|id| load_rma(&self.conn, id)).collect()
    }

    fn search_customers(&self, prefix: &str, limit: usize) -> Result<Vec<StoredOrder>, StoreError> {
        let key = prefix.trim().to_lowercase();
        if key.is_empty() {
            return Ok(Vec::new());
        }
        // A range on the index, not LIKE: LIKE would treat % and _ in the prefix as wildcards.
        let upper = format!("{key}\u{10FFFF}");
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM orders WHERE customer_name_key >= ?1 AND customer_name_key < ?2
             UNION
             SELECT id FROM orders WHERE customer_email_key >= ?1 AND customer_email_key < ?2
             ORDER BY id DESC LIMIT ?3",
        )?;
        let ids = stmt.query_map(params![key, upper, limit as i64], |r| r.get(0))?.collect::<Result<Vec<i64>, _>>()?;
        ids.into_iter().map(|id| load_order(&self.conn, id)).collect()
    }

    fn append_audit(
        &mut self,
        stamp: &Stamp,
        entity: &str,
        entity_id: &str,
        action: &str,
        detail: &str,
    ) -> Result<AuditEntry, StoreError> {
        let tx = self.write()?;
        let entry = append(&tx, stamp, entity, entity_id, action, detail)?;
        tx.commit()?;
        Ok(entry)
    }

    fn audit_entries(&self, entity: &str, entity_id: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, at, station, actor, entity, entity_id, action, detail, prev_hash, hash
             FROM audit_log WHERE entity = ?1 AND entity_id = ?2 ORDER BY seq",
        )?;
        let entries = stmt.query_map(params![entity, entity_id], audit_row)?.collect::<Result<Vec<_>, _>>()?;
        Ok(entries)
    }

    fn audit_head(&self) -> Result<AuditHead, StoreError> {
        Ok(AuditHead::read(&self.conn)?)
    }

    fn audit_hash_at(&self, seq: i64) -> Result<Option<String>, StoreError> {
        if seq == 0 {
            return Ok(Some(GENESIS.to_owned()));
        }
        Ok(self
            .conn
            .prepare_cached("SELECT hash FROM audit_log WHERE seq = ?1")?
            .query_row([seq], |r| r.get(0))
            .optional()?)
    }

    fn receive_package(&mut self, package: &ReceivedPackage, stamp: &Stamp) -> Result<i64, StoreError> {
        let tx = self.write()?;
        tx.prepare_cached(
            "INSERT INTO packages (scanned_code, scanned_kind, received_at, station, operator, rma_id, quarantined, note,
                 scanned_key, order_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            package.scanned_code,
            package.scanned_kind,
            instant(stamp),
            stamp.station,
            stamp.operator,
            package.rma_id,
            package.rma_id.is_none() && package.order_id.is_none(),
            package.note,
            number_key(&package.scanned_code),
            package.order_id,
        ])?;
        let id = tx.last_insert_rowid();
        let detail = serde_json::json!({ "scanned": package.scanned_code, "kind": package.scanned_kind, "rma_id": package.rma_id, "order_id": package.order_id, "note": package.note });
        let action = if package.rma_id.is_some() || package.order_id.is_some() { "received" } else { "quarantined" };
        append(&tx, stamp, "package", &id.to_string(), action, &detail.to_string())?;
        tx.commit()?;
        Ok(id)
    }

    fn start_inspection(&mut self, package_id: i64, stamp: &Stamp) -> Result<i64, StoreError> {
        let tx = self.write()?;
        tx.prepare_cached(
            "INSERT INTO inspections (package_id, received_on, original_owner, commercial_use, proof_of_purchase, operator, station, saved_at)
             VALUES (?1, ?2, 1, 0, 1, ?3, ?4, ?5)",
        )?
        .execute(params![package_id, stamp.at.date_naive().to_string(), stamp.operator, stamp.station, instant(stamp)])?;
        let id = tx.last_insert_rowid();
        append(
            &tx,
            stamp,
            "inspection",
            &id.to_string(),
            "started",
            &serde_json::json!({ "package_id": package_id }).to_string(),
        )?;
        tx.commit()?;
        Ok(id)
    }

    fn record_photo(&mut self, photo: &PhotoRow, stamp: &Stamp) -> Result<i64, StoreError> {
        let tx = self.write()?;
        let existing: Option<i64> = tx
            .prepare_cached("SELECT id FROM photos WHERE inspection_id = ?1 AND sha256 = ?2 AND checkpoint = ?3")?
            .query_row(params![photo.inspection_id, photo.sha256, photo.checkpoint.as_str()], |r| r.get(0))
            .optional()?;
        if let Some(id) = existing {
            return Ok(id);
        }
        tx.prepare_cached(
            "INSERT INTO photos (sha256, inspection_id, item_position, checkpoint, bytes, width, height, taken_at,
                 camera_make, camera_model, orientation, operator, station, imported_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?
        .execute(params![
            photo.sha256,
            photo.inspection_id,
            photo.item_position,
            photo.checkpoint.as_str(),
            photo.bytes as i64,
            photo.width,
            photo.height,
            photo.taken_at,
            photo.camera_make,
            photo.camera_model,
            photo.orientation,
            stamp.operator,
            stamp.station,
            instant(stamp),
        ])?;
        let id = tx.last_insert_rowid();
        let detail = serde_json::json!({ "sha256": photo.sha256, "inspection_id": photo.inspection_id, "checkpoint": photo.checkpoint.as_str() });
        append(&tx, stamp, "photo", &id.to_string(), "recorded", &detail.to_string())?;
        tx.commit()?;
        Ok(id)
    }

    fn photo_hashes(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT DISTINCT sha256 FROM photos ORDER BY sha256")?;
        let hashes = stmt.query_map([], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
        Ok(hashes)
    }

    fn operators(&self) -> Result<Vec<OperatorRow>, StoreError> {
        let mut stmt =
            self.conn.prepare_cached("SELECT id, name, role, pin_hash, active FROM operators ORDER BY name, id")?;
        let mut rows = stmt.query([])?;
        let mut operators = Vec::new();
        while let Some(row) = rows.next()? {
            let role: String = row.get(2)?;
            operators.push(OperatorRow {
                id: row.get(0)?,
                name: row.get(1)?,
                role: stored("operator role", &role)?,
                pin_hash: row.get(3)?,
                active: row.get(4)?,
            });
        }
        Ok(operators)
    }

    fn add_operator(&mut self, name: &str, role: Role, pin_hash: &str, stamp: &Stamp) -> Result<i64, StoreError> {
        let tx = self.write()?;
        // Asked inside the write transaction, so no other station can take the name in between; the UNIQUE
        // constraint stays the last word.
        if tx.prepare_cached("SELECT 1 FROM operators WHERE name = ?1")?.exists([name])? {
            return Err(StoreError::OperatorExists { name: name.to_owned() });
        }
        tx.prepare_cached("INSERT INTO operators (name, role, pin_hash, active) VALUES (?1, ?2, ?3, 1)")?
            .execute(params![name, role.as_str(), pin_hash])?;
        let id = tx.last_insert_rowid();
        // The PIN hash stays out of the audit log: the log is shown on screens and exported.
        let detail = serde_json::json!({ "name": name, "role": role.as_str() });
        append(&tx, stamp, "operator", &id.to_string(), "added", &detail.to_string())?;
        tx.commit()?;
        Ok(id)
    }

    fn save_inspection(
        &mut self,
        inspection_id: i64,
        sheet: &InspectionSheet,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        let tx = self.write()?;
        let updated = tx
            .prepare_cached(
                "UPDATE inspections SET received_on = ?2, original_owner = ?3, commercial_use = ?4, proof_of_purchase = ?5,
                     saved_at = ?6, operator = ?7, station = ?8
                 WHERE id = ?1",
            )?
            .execute(params![
                inspection_id,
                sheet.received_on.to_string(),
                sheet.original_owner,
                sheet.commercial_use,
                sheet.proof_of_purchase,
                instant(stamp),
                stamp.operator,
                stamp.station,
            ])?;
        if updated == 0 {
            return Err(StoreError::NotFound { what: "inspection", id: inspection_id });
        }
        // Items carry no identity of their own (a split or merge renumbers them): the sheet replaces them whole.
        tx.prepare_cached("DELETE FROM inspection_items WHERE inspection_id = ?1")?.execute([inspection_id])?;
        let mut items = 0_u64;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO inspection_items (inspection_id, position, sku, name, category, expected, ordered, qty, serial,
                     condition, sticker, disassembled, packaging, defect, damage_cause, notes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            )?;
            // Only what arrived is a record (qty > 0): an ordered item nothing of came is the order's business.
            // The position is the item's index on the sheet, the one its photos record.
            for (position, item) in sheet.items.iter().enumerate().filter(|(_, item)| item.received > 0) {
                insert.execute(params![
                    inspection_id,
                    position as i64,
                    item.sku,
                    item.name,
                    item.category,
                    item.expected,
                    item.ordered,
                    item.received,
                    item.serial,
                    item.state.condition.as_str(),
                    item.state.sticker.as_str(),
                    item.state.disassembled,
                    item.state.packaging.as_str(),
                    item.state.defect.as_str(),
                    item.state.damage_cause.as_str(),
                    item.notes,
                ])?;
                items += 1;
            }
        }
        let detail = serde_json::json!({ "items": items, "units": sheet.units_received() });
        append(&tx, stamp, "inspection", &inspection_id.to_string(), "saved", &detail.to_string())?;
        tx.commit()?;
        Ok(())
    }

    fn record_decision(&mut self, to_save: &DecisionToSave, stamp: &Stamp) -> Result<i64, StoreError> {
        let path = self.path.clone();
        let tx = self.write()?;
        if !tx.prepare_cached("SELECT 1 FROM packages WHERE id = ?1")?.exists([to_save.package_id])? {
            return Err(StoreError::NotFound { what: "package", id: to_save.package_id });
        }
        // An inspection of another package is, for this package, no inspection at all: refused the same way,
        // so a decision can never sit on one package with another's sheet.
        if !tx
            .prepare_cached("SELECT 1 FROM inspections WHERE id = ?1 AND package_id = ?2")?
            .exists(params![to_save.inspection_id, to_save.package_id])?
        {
            return Err(StoreError::NotFound { what: "inspection", id: to_save.inspection_id });
        }
        let decision = &to_save.decision;
        let override_ = to_save.override_.as_ref();
        tx.prepare_cached(
            "INSERT INTO decisions (package_id, inspection_id, verdict, disposition, net_cents, decision_json, policy_sha256,
                 decided_on, operator, station, override_reason, approved_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?
        .execute(params![
            to_save.package_id,
            to_save.inspection_id,
            decision.verdict.as_str(),
            decision.disposition.as_str(),
            cents(decision.money.net),
            to_save.decision_json,
            to_save.policy_sha256,
            decision.decided_on.to_string(),
            stamp.operator,
            stamp.station,
            override_.map(|o| o.reason.as_str()),
            override_.map(|o| o.approved_by.as_str()),
        ])?;
        let decision_id = tx.last_insert_rowid();
        let mut detail = serde_json::json!({
            "package_id": to_save.package_id,
            "inspection_id": to_save.inspection_id,
            "verdict": decision.verdict.as_str(),
            "disposition": decision.disposition.as_str(),
            "net": decision.money.net.to_string(),
            "policy_sha256": to_save.policy_sha256,
            "queue_items": to_save.queue.len(),
        });
        let action = match (override_, detail.as_object_mut()) {
            (Some(o), Some(fields)) => {
                fields.insert("reason".into(), o.reason.clone().into());
                fields.insert("approved_by".into(), o.approved_by.clone().into());
                fields.insert("engine_verdict".into(), o.engine_verdict.as_str().into());
                fields.insert("engine_disposition".into(), o.engine_disposition.as_str().into());
                fields.insert("engine_net".into(), o.engine_net.to_string().into());
                "overridden"
            }
            _ => "decided",
        };
        append(&tx, stamp, "decision", &decision_id.to_string(), action, &detail.to_string())?;
        for entry in &to_save.queue {
            let code = if entry.queue == Queue::StoreCredit { Some(fresh_code(&tx, &path)?) } else { None };
            tx.prepare_cached(
                "INSERT INTO queue_items (queue, package_id, decision_id, amount_cents, due_on, detail, status, created_at, code)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7, ?8)",
            )?
            .execute(params![
                entry.queue.as_str(),
                to_save.package_id,
                decision_id,
                entry.amount.map(cents),
                entry.due_on.map(|d| d.to_string()),
                entry.detail,
                instant(stamp),
                code,
            ])?;
            let item_id = tx.last_insert_rowid();
            // The store-credit code stays out of the audit log: whoever reads it can spend it, and the log is
            // shown on screens and exported. The entry says that a code was issued; the item holds it.
            let detail = serde_json::json!({
                "decision_id": decision_id,
                "queue": entry.queue.as_str(),
                "amount": entry.amount.map(|m| m.to_string()),
                "due_on": entry.due_on.map(|d| d.to_string()),
                "detail": entry.detail,
                "code_issued": code.is_some(),
            });
            append(&tx, stamp, "queue_item", &item_id.to_string(), "created", &detail.to_string())?;
        }
        tx.commit()?;
        Ok(decision_id)
    }

    fn queue_items(&self, queue: Queue, include_done: bool, limit: usize) -> Result<Vec<QueueRow>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut rows = queue_rows(
            &self.conn,
            concat!(
                queue_select!(),
                " WHERE q.queue = ?1 AND q.status = 'open'
                  ORDER BY q.due_on IS NULL, q.due_on, q.created_at, q.id LIMIT ?2"
            ),
            params![queue.as_str(), limit],
        )?;
        let room = limit.saturating_sub(rows.len() as i64);
        if include_done && room > 0 {
            // The latest done first: the done list is for checking recent work, and it only grows.
            rows.extend(queue_rows(
                &self.conn,
                concat!(
                    queue_select!(),
                    " WHERE q.queue = ?1 AND q.status = 'done' ORDER BY q.done_at DESC, q.id DESC LIMIT ?2"
                ),
                params![queue.as_str(), room],
            )?);
        }
        Ok(rows)
    }

    fn open_queue_counts(&self) -> Result<Vec<(Queue, u64)>, StoreError> {
        // One index seek per queue: a GROUP BY over the status would read every done item of the years.
        let mut stmt =
            self.conn.prepare_cached("SELECT count(*) FROM queue_items WHERE queue = ?1 AND status = 'open'")?;
        Queue::ALL
            .iter()
            .map(|&queue| {
                let open: i64 = stmt.query_row([queue.as_str()], |r| r.get(0))?;
                Ok((queue, open.unsigned_abs()))
            })
            .collect()
    }

    fn claim_export_batch(&mut self, queue: Queue, stamp: &Stamp) -> Result<Option<i64>, StoreError> {
        if queue == Queue::Hold {
            return Err(StoreError::NotBatched { queue });
        }
        let tx = self.write()?;
        let waiting: Vec<i64> = tx
            .prepare_cached(
                "SELECT id FROM queue_items WHERE queue = ?1 AND status = 'open' AND batch_id IS NULL ORDER BY id",
            )?
            .query_map([queue.as_str()], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        if waiting.is_empty() {
            return Ok(None);
        }
        tx.prepare_cached("INSERT INTO export_batches (queue, created_at, operator, station) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![queue.as_str(), instant(stamp), stamp.operator, stamp.station])?;
        let batch_id = tx.last_insert_rowid();
        // The same condition as the select, in the same IMMEDIATE transaction: no other station can have
        // claimed any of them in between.
        let claimed = tx
            .prepare_cached(
                "UPDATE queue_items SET batch_id = ?1 WHERE queue = ?2 AND status = 'open' AND batch_id IS NULL",
            )?
            .execute(params![batch_id, queue.as_str()])?;
        let detail = serde_json::json!({ "queue": queue.as_str(), "items": waiting });
        debug_assert_eq!(claimed, waiting.len());
        append(&tx, stamp, "export_batch", &batch_id.to_string(), "claimed", &detail.to_string())?;
        tx.commit()?;
        Ok(Some(batch_id))
    }

    fn export_batch(&self, batch_id: i64) -> Result<ExportBatch, StoreError> {
        let found: Option<(String, String, String, String)> = self
            .conn
            .prepare_cached("SELECT queue, created_at, operator, station FROM export_batches WHERE id = ?1")?
            .query_row([batch_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .optional()?;
        let Some((queue, created_at, operator, station)) = found else {
            return Err(StoreError::NotFound { what: "export batch", id: batch_id });
        };
        let queue: Queue = stored("export batch queue", &queue)?;
        let rows =
            queue_rows(&self.conn, concat!(queue_select!(), " WHERE q.batch_id = ?1 ORDER BY q.id"), [batch_id])?;
        let items = rows.into_iter().map(|row| export_item(&self.conn, row)).collect::<Result<_, _>>()?;
        Ok(ExportBatch { id: batch_id, queue, created_at, operator, station, items })
    }

    fn record_batch_written(&mut self, batch_id: i64, files: &[BatchFile], stamp: &Stamp) -> Result<(), StoreError> {
        let tx = self.write()?;
        let files_json = serde_json::to_string(files)
            .map_err(|e| StoreError::Corrupt { what: format!("export batch {batch_id}"), detail: e.to_string() })?;
        let updated = tx
            .prepare_cached("UPDATE export_batches SET written_at = ?2, files = ?3 WHERE id = ?1")?
            .execute(params![batch_id, instant(stamp), files_json])?;
        if updated == 0 {
            return Err(StoreError::NotFound { what: "export batch", id: batch_id });
        }
        let detail = serde_json::json!({ "files": files });
        append(&tx, stamp, "export_batch", &batch_id.to_string(), "exported", &detail.to_string())?;
        tx.commit()?;
        Ok(())
    }

    fn complete_batch(&mut self, batch_id: i64, reference: &str, stamp: &Stamp) -> Result<u64, StoreError> {
        let tx = self.write()?;
        let known: Option<i64> = tx
            .prepare_cached("SELECT id FROM export_batches WHERE id = ?1")?
            .query_row([batch_id], |r| r.get(0))
            .optional()?;
        if known.is_none() {
            return Err(StoreError::NotFound { what: "export batch", id: batch_id });
        }
        let open: Vec<i64> = tx
            .prepare_cached("SELECT id FROM queue_items WHERE batch_id = ?1 AND status = 'open' ORDER BY id")?
            .query_map([batch_id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let reference = reference.trim();
        let detail = serde_json::json!({ "reference": reference, "batch": batch_id }).to_string();
        for id in &open {
            tx.prepare_cached("UPDATE queue_items SET status = 'done', reference = ?2, done_at = ?3 WHERE id = ?1")?
                .execute(params![id, reference, instant(stamp)])?;
            append(&tx, stamp, "queue_item", &id.to_string(), "done", &detail)?;
        }
        tx.commit()?;
        Ok(open.len() as u64)
    }

    fn export_batches(&self, queue: Queue, limit: usize) -> Result<Vec<BatchSummary>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(
            "SELECT b.id, b.created_at, b.operator, b.written_at, b.files,
                    (SELECT count(*) FROM queue_items q WHERE q.batch_id = b.id),
                    (SELECT count(*) FROM queue_items q WHERE q.batch_id = b.id AND q.status = 'open')
             FROM export_batches b WHERE b.queue = ?1 ORDER BY b.id DESC LIMIT ?2",
        )?;
        let mut rows = stmt.query(params![queue.as_str(), limit])?;
        let mut batches = Vec::new();
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let written_at: Option<String> = row.get(3)?;
            let files: Option<String> = row.get(4)?;
            let written = match (written_at, files) {
                (Some(at), Some(files)) => Some((
                    at,
                    serde_json::from_str(&files).map_err(|e| StoreError::Corrupt {
                        what: format!("export batch {id}"),
                        detail: format!("its list of files: {e}"),
                    })?,
                )),
                _ => None,
            };
            batches.push(BatchSummary {
                id,
                queue,
                created_at: row.get(1)?,
                operator: row.get(2)?,
                items: row.get::<_, i64>(5)?.unsigned_abs(),
                open: row.get::<_, i64>(6)?.unsigned_abs(),
                written,
            });
        }
        Ok(batches)
    }

    fn complete_queue_item(&mut self, id: i64, reference: &str, stamp: &Stamp) -> Result<(), StoreError> {
        let tx = self.write()?;
        let found: Option<(String, Option<String>)> = tx
            .prepare_cached("SELECT status, reference FROM queue_items WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match found {
            None => return Err(StoreError::NotFound { what: "queue item", id }),
            Some((status, stored_reference)) if status == "done" => {
                return Err(StoreError::AlreadyDone { id, reference: stored_reference.unwrap_or_default() });
            }
            Some(_) => {}
        }
        // Trimmed: a reference is pasted or scanned, and a stray space must not make it another reference.
        let reference = reference.trim();
        tx.prepare_cached("UPDATE queue_items SET status = 'done', reference = ?2, done_at = ?3 WHERE id = ?1")?
            .execute(params![id, reference, instant(stamp)])?;
        let detail = serde_json::json!({ "reference": reference });
        append(&tx, stamp, "queue_item", &id.to_string(), "done", &detail.to_string())?;
        tx.commit()?;
        Ok(())
    }

    fn quarantined(&self) -> Result<Vec<PackageRow>, StoreError> {
        package_rows(
            &self.conn,
            concat!(package_select!(), " WHERE p.quarantined = 1 ORDER BY p.received_at, p.id"),
            [],
        )
    }

    fn match_package(&mut self, package_id: i64, rma_id: i64, stamp: &Stamp) -> Result<(), StoreError> {
        let tx = self.write()?;
        let quarantined: Option<bool> = tx
            .prepare_cached("SELECT quarantined FROM packages WHERE id = ?1")?
            .query_row([package_id], |r| r.get(0))
            .optional()?;
        match quarantined {
            None => return Err(StoreError::NotFound { what: "package", id: package_id }),
            Some(false) => return Err(StoreError::NotQuarantined { id: package_id }),
            Some(true) => {}
        }
        let rma_number: String = tx
            .prepare_cached("SELECT number FROM rmas WHERE id = ?1")?
            .query_row([rma_id], |r| r.get(0))
            .optional()?
            .ok_or(StoreError::NotFound { what: "RMA", id: rma_id })?;
        tx.prepare_cached("UPDATE packages SET rma_id = ?2, quarantined = 0 WHERE id = ?1")?
            .execute(params![package_id, rma_id])?;
        let detail = serde_json::json!({ "rma_id": rma_id, "rma": rma_number });
        append(&tx, stamp, "package", &package_id.to_string(), "matched", &detail.to_string())?;
        tx.commit()?;
        Ok(())
    }

    fn packages_since(&self, since: &str, limit: usize) -> Result<Vec<PackageRow>, StoreError> {
        // Instants are stored as RFC 3339 UTC with milliseconds, compared as text. A bound written another way
        // (an offset, no fraction) is brought to that form first, so the text order is the time order; a
        // bound that is no instant (a bare date) is a prefix of that form and compares rightly as it is.
        let since = chrono::DateTime::parse_from_rfc3339(since.trim())
            .map(|at| at.with_timezone(&chrono::Utc).to_rfc3339_opts(SecondsFormat::Millis, true))
            .unwrap_or_else(|_| since.trim().to_owned());
        package_rows(
            &self.conn,
            concat!(package_select!(), " WHERE p.received_at >= ?1 ORDER BY p.received_at DESC, p.id DESC LIMIT ?2"),
            params![since, i64::try_from(limit).unwrap_or(i64::MAX)],
        )
    }

    fn find_packages(&self, number: &str, limit: usize) -> Result<Vec<PackageRow>, StoreError> {
        let key = number_key(number);
        if key.is_empty() {
            return Ok(Vec::new());
        }
        // A package id only when the text is all digits; the digits are also tried as every kind of number,
        // since tracking and order numbers may be all digits too.
        let id: Option<i64> = if key.bytes().all(|b| b.is_ascii_digit()) { key.parse().ok() } else { None };
        // Every branch is an index seek (packages by id and scanned key, rmas and orders by number key,
        // rma_tracking by its key, then packages by RMA): no scan of orders, which may hold millions.
        package_rows(
            &self.conn,
            concat!(
                package_select!(),
                " WHERE p.id IN (
                    SELECT id FROM packages WHERE id = ?1
                    UNION SELECT id FROM packages WHERE scanned_key = ?2
                    UNION SELECT pr.id FROM rmas r2 JOIN packages pr ON pr.rma_id = r2.id WHERE r2.number_key = ?2
                    UNION SELECT po.id FROM orders o JOIN rmas r3 ON r3.order_id = o.id
                        JOIN packages po ON po.rma_id = r3.id WHERE o.number_key = ?2
                    UNION SELECT pn.id FROM orders o2 JOIN packages pn ON pn.order_id = o2.id WHERE o2.number_key = ?2
                    UNION SELECT pt.id FROM rma_tracking t JOIN packages pt ON pt.rma_id = t.rma_id WHERE t.tracking_key = ?2
                  )
                  ORDER BY p.received_at DESC, p.id DESC LIMIT ?3"
            ),
            params![id, key, i64::try_from(limit).unwrap_or(i64::MAX)],
        )
    }

    fn package_history(&self, package_id: i64) -> Result<PackageHistory, StoreError> {
        let package = package_rows(&self.conn, concat!(package_select!(), " WHERE p.id = ?1"), [package_id])?
            .pop()
            .ok_or(StoreError::NotFound { what: "package", id: package_id })?;
        let rma = package.rma_id.map(|rma_id| rma_match(&self.conn, rma_id)).transpose()?;
        let inspection_ids =
            ids_of(&self.conn, "SELECT id FROM inspections WHERE package_id = ?1 ORDER BY id", package_id)?;
        let inspections = inspection_ids
            .iter()
            .map(|&id| Ok((id, load_sheet(&self.conn, id)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let mut photo_ids = Vec::new();
        let mut photos = Vec::new();
        for &inspection_id in &inspection_ids {
            for (id, photo) in load_photos(&self.conn, inspection_id)? {
                photo_ids.push(id);
                photos.push(photo);
            }
        }
        let decisions = load_decisions(&self.conn, package_id)?;
        let queue =
            queue_rows(&self.conn, concat!(queue_select!(), " WHERE q.package_id = ?1 ORDER BY q.id"), [package_id])?;
        let entities = std::iter::once(("package", package_id))
            .chain(inspection_ids.iter().map(|&id| ("inspection", id)))
            .chain(photo_ids.iter().map(|&id| ("photo", id)))
            .chain(decisions.iter().map(|d| ("decision", d.id)))
            .chain(queue.iter().map(|q| ("queue_item", q.id)));
        let mut audit = Vec::new();
        for (entity, id) in entities {
            audit.extend(self.audit_entries(entity, &id.to_string())?);
        }
        audit.sort_by_key(|entry| entry.seq);
        Ok(PackageHistory { package, rma, inspections, photos, decisions, queue, audit })
    }

    fn decisions_of_rma(&self, rma_id: i64) -> Result<Vec<i64>, StoreError> {
        evidence::decisions_of_rma(&self.conn, rma_id)
    }

    fn evidence_record(&self, decision_id: i64) -> Result<EvidenceRecord, StoreError> {
        evidence::evidence_record(&self.conn, decision_id)
    }

    fn counts(&self) -> Result<StoreCounts, StoreError> {
        let count = |table: &str| -> Result<u64, StoreError> {
            let n: i64 = self.conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
            Ok(n as u64)
        };
        Ok(StoreCounts {
            orders: count("orders")?,
            order_lines: count("order_lines")?,
            rmas: count("rmas")?,
            packages: count("packages")?,
            audit_entries: count("audit_log")?,
        })
    }

    fn verify(&self) -> Result<VerifyReport, StoreError> {
        verify_connection(&self.conn)
    }

    fn backup_to(&self, destination: &Path) -> Result<VerifyReport, StoreError> {
        if destination.exists() {
            return Err(StoreError::BackupExists { path: destination.to_path_buf() });
        }
        let text = destination.to_str().ok_or_else(|| StoreError::Io {
            path: destination.to_path_buf(),
            what: "the path is not valid UTF-8".to_owned(),
        })?;
        // VACUUM INTO reads one consistent snapshot while other connections keep writing.
        self.conn.execute("VACUUM INTO ?1", [text])?;
        let copy = Connection::open_with_flags(destination, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        verify_connection(&copy)
    }

    fn station_setting(&self, station: &str, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM station_settings WHERE station = ?1 AND key = ?2")?
            .query_row(params![station, key], |r| r.get(0))
            .optional()?)
    }

    fn set_station_setting(&mut self, key: &str, value: &str, stamp: &Stamp) -> Result<(), StoreError> {
        let tx = self.write()?;
        tx.prepare_cached(
            "INSERT INTO station_settings (station, key, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (station, key) DO UPDATE SET value = excluded.value",
        )?
        .execute(params![stamp.station, key, value])?;
        let detail = serde_json::json!({ "key": key, "value": value });
        append(&tx, stamp, "station", &stamp.station, "setting_changed", &detail.to_string())?;
        tx.commit()?;
        Ok(())
    }

    fn dashboard(&self, period: &crate::storage::DashboardPeriod) -> Result<crate::storage::Dashboard, StoreError> {
        crate::storage::dashboard::read(&self.conn, period)
    }
}

pub(super) fn verify_connection(conn: &Connection) -> Result<VerifyReport, StoreError> {
    let mut problems: Vec<String> = {
        let mut stmt = conn.prepare("PRAGMA integrity_check")?;
        stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?
    };
    problems.retain(|p| p != "ok");
    {
        let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
        let broken = stmt.query_map([], |r| {
            Ok(format!(
                "{} row {} points at a missing {}",
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?
            ))
        })?;
        for problem in broken {
            problems.push(problem?);
        }
    }
    // Whole changes only mean something in a sound file (and a damaged one may not answer the queries).
    if problems.is_empty() {
        problems.extend(crate::storage::consistency::problems(conn)?);
    }
    let mut chain = ChainCheck::default();
    let mut stmt = conn.prepare(
        "SELECT seq, at, station, actor, entity, entity_id, action, detail, prev_hash, hash FROM audit_log ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        chain.check(&audit_row(row)?);
    }
    Ok(VerifyReport {
        problems,
        audit_entries: chain.entries,
        head_hash: chain.head().to_owned(),
        chain_break: chain.first_break,
    })
}

fn audit_row(r: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.get(0)?,
        at: r.get(1)?,
        station: r.get(2)?,
        actor: r.get(3)?,
        entity: r.get(4)?,
        entity_id: r.get(5)?,
        action: r.get(6)?,
        detail: r.get(7)?,
        prev_hash: r.get(8)?,
        hash: r.get(9)?,
    })
}

fn ids(conn: &Connection, sql: &str, key: &str) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let ids = stmt.query_map([key], |r| r.get(0))?.collect::<Result<Vec<i64>, _>>()?;
    Ok(ids)
}

fn rma_match(conn: &Connection, rma_id: i64) -> Result<RmaMatch, StoreError> {
    let rma = load_rma(conn, rma_id)?;
    let order = load_order(conn, rma.order_id)?;
    Ok(RmaMatch { rma, order })
}

/// Parses a stored word or date, reporting a bad one as corruption rather than guessing.
fn stored<T: std::str::FromStr>(what: &str, text: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e: T::Err| StoreError::Corrupt { what: what.to_owned(), detail: e.to_string() })
}

fn date(what: &str, text: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| StoreError::Corrupt { what: what.to_owned(), detail: format!("{text:?}: {e}") })
}

fn load_order(conn: &Connection, id: i64) -> Result<StoredOrder, StoreError> {
    type OrderRow = (
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        i64,
        bool,
        Option<String>,
        Option<i64>,
        Option<i64>,
    );
    let row: OrderRow = conn.prepare_cached(
        "SELECT merchant, number, channel, status, customer_name, customer_email, country, ship_to, currency,
                purchased_on, delivered_on, shipping_cents, gifted, payment_reference, referral_minimum_cents, referral_lifetime_cents
         FROM orders WHERE id = ?1",
    )?
    .query_row([id], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?, r.get(11)?, r.get(12)?, r.get(13)?, r.get(14)?, r.get(15)?))
    })?;
    let (
        merchant,
        number,
        channel,
        status,
        customer_name,
        customer_email,
        country,
        ship_to,
        currency,
        purchased_on,
        delivered_on,
        shipping,
        gifted,
        payment_reference,
        referral_minimum,
        referral_lifetime,
    ) = row;
    let mut stmt = conn.prepare_cached(
        "SELECT sku, name, category, qty, unit_price_cents, on_sale, special_order, gift_card FROM order_lines WHERE order_id = ?1 ORDER BY position",
    )?;
    let lines = stmt
        .query_map([id], |r| {
            Ok(OrderLineRecord {
                sku: r.get(0)?,
                name: r.get(1)?,
                category: r.get(2)?,
                qty: r.get(3)?,
                unit_price: Money::from_cents(r.get(4)?),
                on_sale: r.get(5)?,
                special_order: r.get(6)?,
                gift_card: r.get(7)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let status: OrderStatus = stored("order status", &status)?;
    Ok(StoredOrder {
        id,
        record: OrderRecord {
            channel: stored("order channel", &channel)?,
            status,
            purchased_on: date("order purchase date", &purchased_on)?,
            delivered_on: delivered_on.map(|d| date("order delivery date", &d)).transpose()?,
            shipping_charged: Money::from_cents(shipping),
            ship_to: if ship_to.is_empty() { Vec::new() } else { ship_to.lines().map(str::to_owned).collect() },
            referral: match (referral_minimum, referral_lifetime) {
                (Some(minimum), Some(lifetime)) => Some(Referral {
                    referred: true,
                    minimum: Money::from_cents(minimum),
                    lifetime_value: Money::from_cents(lifetime),
                }),
                _ => None,
            },
            merchant,
            number,
            customer_name,
            customer_email,
            country,
            currency,
            gifted,
            payment_reference,
            lines,
        },
    })
}

fn load_rma(conn: &Connection, id: i64) -> Result<StoredRma, StoreError> {
    type RmaRow = (String, String, i64, String, String, String, bool, i64, String, String);
    let row: RmaRow = conn
        .prepare_cached(
            "SELECT r.merchant, r.number, r.order_id, o.number, r.kind, r.resolution, r.defective_on_arrival,
                    r.return_label_cents, r.note, r.requested_on
             FROM rmas r JOIN orders o ON o.id = r.order_id WHERE r.id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
            ))
        })?;
    let (merchant, number, order_id, order_number, kind, resolution, defective_on_arrival, label, note, requested_on) =
        row;
    let mut stmt =
        conn.prepare_cached("SELECT tracking_key FROM rma_tracking WHERE rma_id = ?1 ORDER BY tracking_key")?;
    let expected_tracking = stmt.query_map([id], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
    Ok(StoredRma {
        id,
        order_id,
        record: RmaRecord {
            merchant,
            number,
            order_number,
            kind: stored("RMA kind", &kind)?,
            resolution: stored("RMA resolution", &resolution)?,
            requested_on: date("RMA request date", &requested_on)?,
            defective_on_arrival,
            return_label_cost: Money::from_cents(label),
            expected_tracking,
            note,
        },
    })
}

/// Packages as lists show them, from a query over [`package_select!`]'s columns.
fn package_rows(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> Result<Vec<PackageRow>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    let mut packages = Vec::new();
    while let Some(row) = rows.next()? {
        let rma_id: Option<i64> = row.get(6)?;
        let verdict: Option<String> = row.get(10)?;
        let quarantined: bool = row.get(11)?;
        let stage = match (quarantined, verdict) {
            (true, _) => PackageStage::Quarantined,
            (false, Some(verdict)) => PackageStage::Decided(stored("decision verdict", &verdict)?),
            (false, None) => PackageStage::Received,
        };
        packages.push(PackageRow {
            id: row.get(0)?,
            scanned_code: row.get(1)?,
            scanned_kind: row.get(2)?,
            received_at: row.get(3)?,
            operator: row.get(4)?,
            station: row.get(5)?,
            rma_id,
            rma_number: row.get(7)?,
            merchant: row.get(8)?,
            note: row.get(9)?,
            stage,
        });
    }
    Ok(packages)
}

/// Queue items, from a query over [`queue_select!`]'s columns. An item whose package has no RMA has empty
/// merchant, numbers and customer fields rather than being left out.
/// A queue row with its decision's money (refund, store credit) and units (what to ship or send back).
fn export_item(conn: &Connection, row: QueueRow) -> Result<ExportItem, StoreError> {
    let json: String = conn
        .prepare_cached("SELECT decision_json FROM decisions WHERE id = ?1")?
        .query_row([row.decision_id], |r| r.get(0))?;
    let saved = RecordedDecision::parse(&json).map_err(|e| StoreError::Corrupt {
        what: format!("decision {} of queue item {}", row.decision_id, row.id),
        detail: e.to_string(),
    })?;
    let money = matches!(row.queue, Queue::Refund | Queue::StoreCredit).then_some(saved.money);
    let units_of = |line: &RecordedLine| match row.queue {
        Queue::Exchange | Queue::Replacement => line.accepted,
        Queue::ReturnToCustomer => line.refused,
        Queue::Refund | Queue::StoreCredit | Queue::Hold => 0,
    };
    let mut names = conn.prepare_cached(
        "SELECT ol.name FROM queue_items q
         JOIN packages p ON p.id = q.package_id
         LEFT JOIN rmas r ON r.id = p.rma_id
         JOIN order_lines ol ON ol.order_id = COALESCE(r.order_id, p.order_id)
         WHERE q.id = ?1 AND ol.sku = ?2 ORDER BY ol.position LIMIT 1",
    )?;
    let mut units = Vec::new();
    for line in saved.lines.iter().filter(|line| units_of(line) > 0) {
        let name: Option<String> = names.query_row(params![row.id, line.sku], |r| r.get(0)).optional()?;
        units.push(ExportUnits { sku: line.sku.clone(), name: name.unwrap_or_default(), qty: units_of(line) });
    }
    Ok(ExportItem { row, money, units })
}

fn queue_rows(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> Result<Vec<QueueRow>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    let mut items = Vec::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let queue: String = row.get(1)?;
        // Written by record_decision with both set; a row without them was not written by this station.
        let link = |index: usize, what: &str| -> Result<i64, StoreError> {
            row.get::<_, Option<i64>>(index)?.ok_or_else(|| StoreError::Corrupt {
                what: format!("queue item {id}"),
                detail: format!("it names no {what}"),
            })
        };
        let ship_to: Option<String> = row.get(9)?;
        let due_on: Option<String> = row.get(13)?;
        let status: String = row.get(16)?;
        let status = match status.as_str() {
            "open" => QueueStatus::Open,
            "done" => QueueStatus::Done {
                reference: row.get::<_, Option<String>>(17)?.unwrap_or_default(),
                at: row.get::<_, Option<String>>(18)?.unwrap_or_default(),
            },
            other => {
                return Err(StoreError::Corrupt {
                    what: format!("queue item {id}"),
                    detail: format!("unknown status {other:?}; expected open or done"),
                });
            }
        };
        items.push(QueueRow {
            id,
            queue: stored("queue", &queue)?,
            package_id: link(2, "package")?,
            decision_id: link(3, "decision")?,
            merchant: row.get::<_, Option<String>>(4)?.unwrap_or_default(),
            rma_number: row.get::<_, Option<String>>(5)?.unwrap_or_default(),
            order_number: row.get::<_, Option<String>>(6)?.unwrap_or_default(),
            customer_name: row.get::<_, Option<String>>(7)?.unwrap_or_default(),
            customer_email: row.get::<_, Option<String>>(8)?.unwrap_or_default(),
            // Stored one line per address line, as load_order reads it.
            ship_to: ship_to.map_or_else(Vec::new, |text| text.lines().map(str::to_owned).collect()),
            payment_reference: row.get(10)?,
            currency: row.get::<_, Option<String>>(11)?.unwrap_or_default(),
            amount: row.get::<_, Option<i64>>(12)?.map(Money::from_cents),
            due_on: due_on.map(|d| date("queue item due date", &d)).transpose()?,
            detail: row.get(14)?,
            code: row.get(15)?,
            status,
            created_at: row.get(19)?,
        });
    }
    Ok(items)
}

fn ids_of(conn: &Connection, sql: &str, id: i64) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let ids = stmt.query_map([id], |r| r.get(0))?.collect::<Result<Vec<i64>, _>>()?;
    Ok(ids)
}

/// An inspection's sheet as saved: the items that arrived, in the sheet's order.
fn load_sheet(conn: &Connection, inspection_id: i64) -> Result<InspectionSheet, StoreError> {
    let (received_on, original_owner, commercial_use, proof_of_purchase): (String, bool, bool, bool) = conn
        .prepare_cached(
            "SELECT received_on, original_owner, commercial_use, proof_of_purchase FROM inspections WHERE id = ?1",
        )?
        .query_row([inspection_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    let mut stmt = conn.prepare_cached(
        "SELECT sku, name, category, expected, ordered, qty, serial, condition, sticker, disassembled, packaging, defect,
                damage_cause, notes
         FROM inspection_items WHERE inspection_id = ?1 ORDER BY position",
    )?;
    let mut rows = stmt.query([inspection_id])?;
    let mut items = Vec::new();
    while let Some(row) = rows.next()? {
        let word = |index: usize| -> rusqlite::Result<String> { row.get(index) };
        items.push(SheetItem {
            sku: row.get(0)?,
            name: row.get(1)?,
            category: row.get(2)?,
            expected: row.get(3)?,
            ordered: row.get(4)?,
            received: row.get(5)?,
            serial: row.get(6)?,
            state: ItemState {
                condition: stored("item condition", &word(7)?)?,
                sticker: stored("item sticker", &word(8)?)?,
                disassembled: row.get(9)?,
                packaging: stored("item packaging", &word(10)?)?,
                defect: stored("item defect", &word(11)?)?,
                damage_cause: stored("item damage cause", &word(12)?)?,
            },
            notes: row.get(13)?,
        });
    }
    Ok(InspectionSheet {
        received_on: date("inspection receipt date", &received_on)?,
        original_owner,
        commercial_use,
        proof_of_purchase,
        items,
    })
}

/// An inspection's photo records with their ids, in the order they were recorded.
fn load_photos(conn: &Connection, inspection_id: i64) -> Result<Vec<(i64, PhotoRow)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, sha256, item_position, checkpoint, bytes, width, height, taken_at, camera_make, camera_model,
                orientation
         FROM photos WHERE inspection_id = ?1 ORDER BY id",
    )?;
    let mut rows = stmt.query([inspection_id])?;
    let mut photos = Vec::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let checkpoint: String = row.get(3)?;
        let bytes: i64 = row.get(4)?;
        let photo = PhotoRow {
            sha256: row.get(1)?,
            inspection_id,
            item_position: row.get(2)?,
            checkpoint: stored("photo checkpoint", &checkpoint)?,
            bytes: u64::try_from(bytes).map_err(|_| StoreError::Corrupt {
                what: format!("photo {id}"),
                detail: format!("its size is {bytes} bytes"),
            })?,
            // Always written by record_photo; the columns allow NULL only because migration 2 did.
            width: row.get::<_, Option<u32>>(5)?.unwrap_or(0),
            height: row.get::<_, Option<u32>>(6)?.unwrap_or(0),
            taken_at: row.get(7)?,
            camera_make: row.get(8)?,
            camera_model: row.get(9)?,
            orientation: row.get(10)?,
        };
        photos.push((id, photo));
    }
    Ok(photos)
}

/// A package's decisions, oldest first.
fn load_decisions(conn: &Connection, package_id: i64) -> Result<Vec<DecisionRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, inspection_id, verdict, disposition, net_cents, decision_json, policy_sha256, decided_on, operator,
                station, override_reason, approved_by
         FROM decisions WHERE package_id = ?1 ORDER BY id",
    )?;
    let mut rows = stmt.query([package_id])?;
    let mut decisions = Vec::new();
    while let Some(row) = rows.next()? {
        let verdict: String = row.get(2)?;
        let disposition: String = row.get(3)?;
        let decided_on: String = row.get(7)?;
        decisions.push(DecisionRow {
            id: row.get(0)?,
            inspection_id: row.get(1)?,
            verdict: stored("decision verdict", &verdict)?,
            disposition: stored("decision disposition", &disposition)?,
            net: Money::from_cents(row.get(4)?),
            decision_json: row.get(5)?,
            policy_sha256: row.get(6)?,
            decided_on: date("decision date", &decided_on)?,
            operator: row.get(8)?,
            station: row.get(9)?,
            override_reason: row.get(10)?,
            approved_by: row.get(11)?,
        });
    }
    Ok(decisions)
}

/// Crockford's base32 alphabet: no I, L, O or U, so a code read aloud or typed from a slip is not misread.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// How many fresh codes to draw before concluding the random source is broken: with 60 random bits a second
/// clash is already beyond belief.
const CODE_ATTEMPTS: usize = 8;

/// A store-credit code from 60 random bits: `SC-XXXX-XXXX-XXXX`, twelve Crockford symbols of 5 bits each.
fn store_credit_code(random: u64) -> String {
    let mut code = String::from("SC");
    for symbol in 0..12 {
        if symbol % 4 == 0 {
            code.push('-');
        }
        let index = (random >> (5 * symbol)) & 0x1f;
        code.push(char::from(CROCKFORD[index as usize]));
    }
    code
}

/// A store-credit code no queue item holds yet, drawn from the operating system's random source: a code is
/// spent by whoever presents it, so it must not be guessable from the ones issued before.
fn fresh_code(tx: &Transaction<'_>, database: &Path) -> Result<String, StoreError> {
    for _ in 0..CODE_ATTEMPTS {
        let mut bytes = [0_u8; 8];
        getrandom::getrandom(&mut bytes).map_err(|e| StoreError::Io {
            path: database.to_path_buf(),
            what: format!("cannot draw a store-credit code from the system's random source: {e}"),
        })?;
        let code = store_credit_code(u64::from_le_bytes(bytes));
        // Asked inside the write transaction, so no other station can issue the same code in between; the
        // unique index stays the last word.
        if !tx.prepare_cached("SELECT 1 FROM queue_items WHERE code = ?1")?.exists([&code])? {
            return Ok(code);
        }
    }
    Err(StoreError::Io {
        path: database.to_path_buf(),
        what: format!(
            "the system's random source gave {CODE_ATTEMPTS} store-credit codes in a row that were already issued; \
             it is not random, so no code was issued"
        ),
    })
}
