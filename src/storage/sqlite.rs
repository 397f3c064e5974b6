//! The SQLite [`Store`]: WAL with `synchronous=FULL`, every write in an IMMEDIATE transaction, money
//! in integer cents, and the audit entry of a change written in the change's own transaction.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{NaiveDate, SecondsFormat};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, Transaction, TransactionBehavior, params};

use crate::domain::case::Referral;
use crate::domain::money::Money;
use crate::domain::records::{OrderLineRecord, OrderRecord, OrderStatus, RmaRecord};
use crate::policies::{PolicySet, sha256_hex};
use crate::storage::audit::{AuditEntry, ChainCheck, GENESIS, entry_hash};
use crate::storage::schema::{self, LATEST};
use crate::storage::{
    ImportCounts, ImportSource, PhotoRow, ReceivedPackage, RmaMatch, Stamp, Store, StoreCounts, StoreError,
    StoredOrder, StoredRma, VerifyReport, number_key,
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
    /// migrates an older one and records the merchants of `policies`.
    pub fn open(path: &Path, policies: &PolicySet) -> Result<SqliteStore, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::Io {
                path: parent.to_path_buf(),
                what: format!("cannot create the folder: {e}"),
            })?;
        }
        let mut conn = Connection::open(path)?;
        // Read the version before anything writes: a newer station's database must stay untouched.
        let found = schema::version(&conn)?;
        if found > LATEST {
            return Err(StoreError::NewerSchema { path: path.to_path_buf(), found, supported: LATEST });
        }
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Io {
                path: path.to_path_buf(),
                what: format!("cannot use write-ahead logging (journal mode {mode})"),
            });
        }
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

    fn receive_package(&mut self, package: &ReceivedPackage, stamp: &Stamp) -> Result<i64, StoreError> {
        let tx = self.write()?;
        tx.prepare_cached(
            "INSERT INTO packages (scanned_code, scanned_kind, received_at, station, operator, rma_id, quarantined, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            package.scanned_code,
            package.scanned_kind,
            instant(stamp),
            stamp.station,
            stamp.operator,
            package.rma_id,
            package.rma_id.is_none(),
            package.note,
        ])?;
        let id = tx.last_insert_rowid();
        let detail = serde_json::json!({ "scanned": package.scanned_code, "kind": package.scanned_kind, "rma_id": package.rma_id, "note": package.note });
        let action = if package.rma_id.is_some() { "received" } else { "quarantined" };
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
}

fn verify_connection(conn: &Connection) -> Result<VerifyReport, StoreError> {
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
