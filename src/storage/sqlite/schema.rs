//! The database schema as numbered migrations, applied in order at start.
//!
//! `PRAGMA user_version` holds the number of migrations applied. A migration is never edited once
//! released: a change is a new migration. A database whose version is newer than this station knows is
//! refused before anything touches it (see `SqliteStore::open`).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, Transaction};

use crate::storage::{Stamp, StoreError};

/// Migration `n` (1-based) takes a database from version `n - 1` to `n`.
pub const MIGRATIONS: &[&str] = &[
    // 1: what the merchants tell the station (orders, RMAs) and the audit log.
    r#"
    CREATE TABLE merchants (
        id            TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        policy_sha256 TEXT NOT NULL
    );

    CREATE TABLE orders (
        id                      INTEGER PRIMARY KEY,
        merchant                TEXT NOT NULL REFERENCES merchants(id),
        number                  TEXT NOT NULL,
        -- The number as a scanner or a clerk types it: upper case, no '#', no spaces.
        number_key              TEXT NOT NULL,
        channel                 TEXT NOT NULL,
        status                  TEXT NOT NULL,
        customer_name           TEXT NOT NULL,
        customer_email          TEXT NOT NULL,
        -- Lower-case copies for prefix search.
        customer_name_key       TEXT NOT NULL,
        customer_email_key      TEXT NOT NULL,
        country                 TEXT NOT NULL,
        ship_to                 TEXT NOT NULL,
        currency                TEXT NOT NULL,
        purchased_on            TEXT NOT NULL,
        delivered_on            TEXT,
        shipping_cents          INTEGER NOT NULL CHECK (shipping_cents >= 0),
        gifted                  INTEGER NOT NULL,
        payment_reference       TEXT,
        referral_minimum_cents  INTEGER,
        referral_lifetime_cents INTEGER,
        -- SHA-256 of the imported record: importing the same order again changes nothing.
        content_hash            TEXT NOT NULL,
        UNIQUE (merchant, number)
    );
    CREATE INDEX orders_by_number ON orders(number_key);
    CREATE INDEX orders_by_customer_name ON orders(customer_name_key);
    CREATE INDEX orders_by_customer_email ON orders(customer_email_key);

    CREATE TABLE order_lines (
        order_id         INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
        position         INTEGER NOT NULL,
        sku              TEXT NOT NULL,
        name             TEXT NOT NULL,
        category         TEXT NOT NULL,
        qty              INTEGER NOT NULL CHECK (qty > 0),
        unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0),
        on_sale          INTEGER NOT NULL,
        special_order    INTEGER NOT NULL,
        gift_card        INTEGER NOT NULL,
        PRIMARY KEY (order_id, position)
    ) WITHOUT ROWID;
    CREATE INDEX order_lines_by_sku ON order_lines(order_id, sku);

    CREATE TABLE rmas (
        id                   INTEGER PRIMARY KEY,
        merchant             TEXT NOT NULL REFERENCES merchants(id),
        number               TEXT NOT NULL,
        number_key           TEXT NOT NULL,
        order_id             INTEGER NOT NULL REFERENCES orders(id),
        kind                 TEXT NOT NULL,
        resolution           TEXT NOT NULL,
        requested_on         TEXT NOT NULL,
        defective_on_arrival INTEGER NOT NULL,
        return_label_cents   INTEGER NOT NULL CHECK (return_label_cents >= 0),
        note                 TEXT NOT NULL,
        content_hash         TEXT NOT NULL,
        UNIQUE (merchant, number)
    );
    CREATE INDEX rmas_by_number ON rmas(number_key);
    CREATE INDEX rmas_by_order ON rmas(order_id);

    CREATE TABLE rma_tracking (
        tracking_key TEXT NOT NULL,
        rma_id       INTEGER NOT NULL REFERENCES rmas(id) ON DELETE CASCADE,
        PRIMARY KEY (tracking_key, rma_id)
    ) WITHOUT ROWID;

    -- Append-only and hash-chained: each entry's hash covers its fields and the previous entry's hash.
    CREATE TABLE audit_log (
        seq       INTEGER PRIMARY KEY,
        at        TEXT NOT NULL,
        station   TEXT NOT NULL,
        actor     TEXT NOT NULL,
        entity    TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        action    TEXT NOT NULL,
        detail    TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash      TEXT NOT NULL
    );
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    "#,
    // 2: the bench's own records: packages received, inspections, photos, decisions, queues, operators.
    r#"
    CREATE TABLE operators (
        id        INTEGER PRIMARY KEY,
        name      TEXT NOT NULL UNIQUE,
        role      TEXT NOT NULL CHECK (role IN ('clerk', 'supervisor')),
        pin_hash  TEXT NOT NULL,
        active    INTEGER NOT NULL DEFAULT 1
    );

    CREATE TABLE packages (
        id           INTEGER PRIMARY KEY,
        scanned_code TEXT NOT NULL,
        scanned_kind TEXT NOT NULL,
        received_at  TEXT NOT NULL,
        station      TEXT NOT NULL,
        operator     TEXT NOT NULL,
        rma_id       INTEGER REFERENCES rmas(id),
        quarantined  INTEGER NOT NULL,
        note         TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX packages_by_rma ON packages(rma_id);
    CREATE INDEX packages_by_day ON packages(received_at);

    CREATE TABLE inspections (
        id                INTEGER PRIMARY KEY,
        package_id        INTEGER NOT NULL REFERENCES packages(id),
        received_on       TEXT NOT NULL,
        original_owner    INTEGER NOT NULL,
        commercial_use    INTEGER NOT NULL,
        proof_of_purchase INTEGER NOT NULL,
        operator          TEXT NOT NULL,
        station           TEXT NOT NULL,
        saved_at          TEXT NOT NULL
    );
    CREATE INDEX inspections_by_package ON inspections(package_id);

    CREATE TABLE inspection_items (
        inspection_id INTEGER NOT NULL REFERENCES inspections(id) ON DELETE CASCADE,
        position      INTEGER NOT NULL,
        sku           TEXT NOT NULL,
        serial        TEXT NOT NULL DEFAULT '',
        qty           INTEGER NOT NULL CHECK (qty > 0),
        condition     TEXT NOT NULL,
        sticker       TEXT NOT NULL,
        disassembled  INTEGER NOT NULL,
        packaging     TEXT NOT NULL,
        defect        TEXT NOT NULL,
        damage_cause  TEXT NOT NULL,
        expected      INTEGER NOT NULL,
        notes         TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (inspection_id, position)
    ) WITHOUT ROWID;

    CREATE TABLE photos (
        id            INTEGER PRIMARY KEY,
        sha256        TEXT NOT NULL,
        inspection_id INTEGER NOT NULL REFERENCES inspections(id),
        item_position INTEGER,
        checkpoint    TEXT NOT NULL,
        bytes         INTEGER NOT NULL,
        width         INTEGER,
        height        INTEGER,
        taken_at      TEXT,
        camera_make   TEXT,
        camera_model  TEXT,
        orientation   INTEGER,
        operator      TEXT NOT NULL,
        station       TEXT NOT NULL,
        imported_at   TEXT NOT NULL,
        UNIQUE (inspection_id, sha256, checkpoint)
    );
    CREATE INDEX photos_by_hash ON photos(sha256);

    CREATE TABLE decisions (
        id            INTEGER PRIMARY KEY,
        package_id    INTEGER NOT NULL REFERENCES packages(id),
        inspection_id INTEGER NOT NULL REFERENCES inspections(id),
        verdict       TEXT NOT NULL,
        disposition   TEXT NOT NULL,
        net_cents     INTEGER NOT NULL CHECK (net_cents >= 0),
        -- The engine's whole answer as decided at that moment (money, lines, reasons, flags).
        decision_json TEXT NOT NULL,
        policy_sha256 TEXT NOT NULL,
        decided_on    TEXT NOT NULL,
        operator      TEXT NOT NULL,
        station       TEXT NOT NULL,
        override_reason TEXT,
        approved_by   TEXT
    );
    CREATE INDEX decisions_by_package ON decisions(package_id);

    CREATE TABLE queue_items (
        id          INTEGER PRIMARY KEY,
        queue       TEXT NOT NULL,
        package_id  INTEGER REFERENCES packages(id),
        decision_id INTEGER REFERENCES decisions(id),
        amount_cents INTEGER,
        due_on      TEXT,
        detail      TEXT NOT NULL,
        status      TEXT NOT NULL DEFAULT 'open',
        reference   TEXT,
        created_at  TEXT NOT NULL,
        done_at     TEXT
    );
    CREATE INDEX queue_items_open ON queue_items(queue, status);
    "#,
    // 3: an RMA's tracking numbers by RMA. rma_tracking's key starts with the tracking number, so loading
    // an RMA (every RMA lookup), replacing its numbers and the cascade from rmas each scanned the whole
    // table: 37 ms per RMA lookup at 1M RMAs (BENCHMARKS.md).
    r#"
    CREATE INDEX rma_tracking_by_rma ON rma_tracking(rma_id);
    "#,
    // 4: what the bench screens need of its records: store-credit codes, a sheet that reloads whole, and
    // indexes for a package's history, the queues and package search (no query may scan a table that grows
    // with the years: orders, packages, queue items, the audit log).
    r#"
    -- A store-credit code is a bearer secret: unique, and absent for every other queue.
    ALTER TABLE queue_items ADD COLUMN code TEXT;
    CREATE UNIQUE INDEX queue_items_by_code ON queue_items(code) WHERE code IS NOT NULL;
    CREATE INDEX queue_items_by_package ON queue_items(package_id);
    CREATE INDEX queue_items_by_decision ON queue_items(decision_id);
    -- Done items pile up over the years: (queue, status, done_at) serves the open list, the open counts and
    -- the latest done items of a queue; it covers what queue_items_open did.
    CREATE INDEX queue_items_by_queue ON queue_items(queue, status, done_at);
    DROP INDEX queue_items_open;

    CREATE INDEX decisions_by_inspection ON decisions(inspection_id);

    -- The sheet's catalogue name, category and ordered count, so a saved sheet reloads as it was saved.
    ALTER TABLE inspection_items ADD COLUMN name TEXT NOT NULL DEFAULT '';
    ALTER TABLE inspection_items ADD COLUMN category TEXT NOT NULL DEFAULT '';
    ALTER TABLE inspection_items ADD COLUMN ordered INTEGER NOT NULL DEFAULT 0;

    -- The scanned code as number_key normalizes it (upper case, no spaces, no leading '#'), for search.
    -- Existing rows are keyed here in SQL: the scan framer refuses control characters, so a stored code holds
    -- no whitespace but spaces, and trim/ltrim/replace/upper match number_key on it (upper() folds ASCII
    -- only; scanned labels are ASCII).
    ALTER TABLE packages ADD COLUMN scanned_key TEXT NOT NULL DEFAULT '';
    UPDATE packages SET scanned_key = upper(replace(ltrim(trim(scanned_code), '#'), ' ', ''));
    CREATE INDEX packages_by_scanned_key ON packages(scanned_key);

    -- A package's history reads the audit entries of its package, inspections, photos, decisions and queue
    -- items by entity; without this every history would read the whole log.
    CREATE INDEX audit_log_by_entity ON audit_log(entity, entity_id);
    "#,
    // 5: a package matched to an order but to no RMA (the merchant's policy for unauthorized packages decides
    // it) is no longer quarantined, and its queue items reach the order's customer and address.
    r#"
    ALTER TABLE packages ADD COLUMN order_id INTEGER REFERENCES orders(id);
    CREATE INDEX packages_by_order ON packages(order_id);
    "#,
    // 6: export batches. An open refund, store credit, pick or return item goes into exactly one batch, the
    // batch is claimed (committed) before its files are written, and only unbatched items are claimed: an
    // item can be paid or shipped from one file only, whatever crashes in between.
    r#"
    CREATE TABLE export_batches (
        id         INTEGER PRIMARY KEY,
        queue      TEXT NOT NULL,
        created_at TEXT NOT NULL,
        operator   TEXT NOT NULL,
        station    TEXT NOT NULL,
        -- NULL until the batch's files are on disk; then when, and the files as JSON [{path, rows, sha256}].
        written_at TEXT,
        files      TEXT
    );
    CREATE INDEX export_batches_by_queue ON export_batches(queue, id);
    ALTER TABLE queue_items ADD COLUMN batch_id INTEGER REFERENCES export_batches(id);
    CREATE INDEX queue_items_by_batch ON queue_items(batch_id) WHERE batch_id IS NOT NULL;
    "#,
    // 7: the daily view and the bench's label printer. The dashboard reads this week's decisions by their day
    // (decisions grow with the years: no scan), and each bench keeps settings of its own, such as where its
    // label printer is, in the database beside its records, backed up with them and changed with an audit entry.
    r#"
    CREATE INDEX decisions_by_day ON decisions(decided_on);

    CREATE TABLE station_settings (
        station TEXT NOT NULL,
        key     TEXT NOT NULL,
        value   TEXT NOT NULL,
        PRIMARY KEY (station, key)
    ) WITHOUT ROWID;
    "#,
    // 8: a return's ledger. A supervisor's reopen withdraws a package's decision: it stays, marked, for the
    // record, and the ledger (what is settled, what was kept) counts only decisions that stand.
    r#"
    ALTER TABLE decisions ADD COLUMN withdrawn_at TEXT;
    ALTER TABLE decisions ADD COLUMN withdrawn_by TEXT;
    ALTER TABLE decisions ADD COLUMN withdrawn_reason TEXT;
    -- A refund or store credit decided after a reopen whose earlier payment stood (paid, or exported to be
    -- paid) is queued as the difference: paid_before_cents is what the withdrawn decisions paid, amount_cents
    -- the difference still owed (an overpayment is a hold to recover, never a negative payment). A reopen
    -- marks the items nobody exported 'withdrawn'.
    ALTER TABLE queue_items ADD COLUMN paid_before_cents INTEGER;
    "#,
    // 9: the lockout kept in the database: each name's wrong PINs and lock, keyed as sign-in
    // compares names (trimmed, lower case), so that a restart keeps a lock and a second station on the same
    // file sees it. Rows hold only what still counts (a good PIN or a lock clears the wrong PINs); the story
    // of every attempt, lock and unlock is in the audit log (`sign_in/<name>`).
    r#"
    CREATE TABLE sign_in_failures (
        name_key TEXT NOT NULL,
        at       TEXT NOT NULL
    );
    CREATE INDEX sign_in_failures_by_name ON sign_in_failures(name_key, at);

    CREATE TABLE sign_in_locks (
        name_key     TEXT PRIMARY KEY,
        locked_until TEXT NOT NULL
    ) WITHOUT ROWID;
    "#,
    // 10: batches are immutable. A batch's files (its CSV and its JSON) are rendered when it is claimed, in
    // the claim's transaction, and kept here byte for byte with their SHA-256 (also in the claim's audit
    // entry): every write of the batch, the first or again, writes these bytes, and a file recorded as
    // written must have this hash. A batch claimed before this migration has no rows here until it is
    // first written again: it is then rendered once from the data (refused if that differs from a file
    // already recorded for it) and kept from then on.
    r#"
    CREATE TABLE export_batch_files (
        batch_id INTEGER NOT NULL REFERENCES export_batches(id),
        position INTEGER NOT NULL,
        name     TEXT NOT NULL,
        bytes    BLOB NOT NULL,
        rows     INTEGER NOT NULL CHECK (rows >= 0),
        sha256   TEXT NOT NULL,
        PRIMARY KEY (batch_id, position),
        UNIQUE (batch_id, name)
    );
    "#,
    // 11: records bound to the audit chain. The entry of every change to an order, RMA, package, sheet,
    // photo, decision, queue item, batch, operator or setting carries the record's seal (`storage::seal`),
    // and its hash covers it. Every record already here is sealed as it stands, in this migration's
    // transaction (`after`).
    r#"
    ALTER TABLE audit_log ADD COLUMN content TEXT;
    "#,
    // 12: leases, not locks. A bench that opens a package holds a lease on it (renewed while it is open, lapsing
    // when the bench is gone); another bench may look but not change or decide it. A lease is the bench's state,
    // not a record: taking one over and handing one on are audited, renewals are not.
    r#"
    CREATE TABLE package_leases (
        package_id INTEGER PRIMARY KEY REFERENCES packages(id),
        station    TEXT NOT NULL,
        operator   TEXT NOT NULL,
        since      TEXT NOT NULL,
        until      TEXT NOT NULL
    ) WITHOUT ROWID;
    "#,
];

/// The schema version this station writes.
pub const LATEST: u32 = MIGRATIONS.len() as u32;

/// The version a database is at.
pub fn version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Applies every migration after the database's version, each in its own transaction with the new
/// version number, so a crash leaves the database at a whole version. Returns the versions applied.
pub fn migrate(conn: &mut Connection) -> Result<Vec<u32>, StoreError> {
    migrate_to(conn, LATEST)
}

/// Migrates up to `target` (tests build every earlier version this way).
///
/// The version is read again inside each migration's write transaction: two stations opening the same
/// new file at once both see it unmigrated, and the one that waited for the other's lock must not apply
/// the same migration a second time.
pub fn migrate_to(conn: &mut Connection, target: u32) -> Result<Vec<u32>, StoreError> {
    let mut applied = Vec::new();
    while version(conn)? < target {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let from = version(&tx)?;
        let Some(sql) = MIGRATIONS.get(from as usize).filter(|_| from < target) else { break };
        let number = from + 1;
        tx.execute_batch(sql)?;
        after(&tx, number)?;
        tx.pragma_update(None, "user_version", number)?;
        tx.commit()?;
        applied.push(number);
    }
    Ok(applied)
}

/// Seals every record as it stands, in one transaction: what migration 11 does once. Tests use it to rebuild
/// by hand a state an older station left (a batch that kept no files) as the upgrade would have sealed it.
pub fn seal_all(conn: &mut Connection, stamp: &Stamp) -> Result<u64, StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let sealed = crate::storage::sql::seal::seal_all(&tx, stamp)?;
    tx.commit()?;
    Ok(sealed)
}

/// What a migration does beyond its SQL, in its transaction.
fn after(tx: &Transaction<'_>, number: u32) -> Result<(), StoreError> {
    if number == 11 {
        // No clock is handed to the store when it opens, and this happens once per database: the entries are
        // stamped with SQLite's own clock, and only when there is something to seal (never in a new file).
        let holds_records: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM audit_log)", [], |r| r.get(0))?;
        if holds_records {
            let now: String = tx.query_row("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')", [], |r| r.get(0))?;
            let at = DateTime::parse_from_rfc3339(&now)
                .map_err(|e| StoreError::Corrupt { what: "SQLite's clock".to_owned(), detail: e.to_string() })?
                .with_timezone(&Utc);
            let stamp = Stamp { at, station: "schema upgrade".to_owned(), operator: "station".to_owned() };
            crate::storage::sql::seal::seal_all(tx, &stamp)?;
        }
    }
    Ok(())
}
