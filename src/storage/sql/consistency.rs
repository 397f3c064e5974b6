//! Whether every change the database holds is whole: what `verify` adds to SQLite's own checks.
//!
//! Each change of the bench writes its rows and its audit entry in one transaction, so however a
//! station stops (a crash, a kill, a power cut) every record has the audit entry that created it and
//! every such entry has its record. A saved sheet's entry says how many items it wrote, and a
//! decision's entry how many queue items it created, so a sheet or a decision cut in half shows too.
//! A difference means the file holds part of a change: a torn copy, a hand edit, or a bug. This module
//! only reads; the words it returns are `verify`'s problems. It also checks that the audit log's
//! append-only triggers are still there, and that every record bound to the chain still holds what its
//! latest entry sealed (`seal::problems`).

use super::audit_log::{audit_columns, audit_entry};
use crate::storage::audit::ChainCheck;
use crate::storage::sql::{Db, Dialect};
use crate::storage::{StoreError, VerifyReport};

/// The most problems of one kind reported: a badly broken file must not print a line per row.
const REPORTED: i64 = 20;

/// A record table, the audit entity its rows are logged as, and the actions that create a row.
struct Records {
    table: &'static str,
    entity: &'static str,
    created_by: &'static str,
}

const RECORDS: [Records; 6] = [
    Records { table: "operators", entity: "operator", created_by: "'added'" },
    Records { table: "packages", entity: "package", created_by: "'received', 'quarantined'" },
    Records { table: "inspections", entity: "inspection", created_by: "'started'" },
    Records { table: "photos", entity: "photo", created_by: "'recorded'" },
    Records { table: "decisions", entity: "decision", created_by: "'decided', 'overridden'" },
    Records { table: "queue_items", entity: "queue_item", created_by: "'created'" },
];

/// The triggers that keep the audit log append-only (migration 1). Without them the log can be edited in
/// place, so their absence is a problem of its own, whatever the chain says.
const AUDIT_TRIGGERS: [&str; 2] = ["audit_log_no_update", "audit_log_no_delete"];

/// Every change the database holds only part of, in words; empty when each is whole.
/// `sealed`: the database is of schema 11 or later, so its records are bound to the chain.
fn problems(db: &dyn Db, sealed: bool) -> Result<Vec<String>, StoreError> {
    let mut problems = Vec::new();
    let trigger_named = match db.dialect() {
        Dialect::Sqlite => "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
        // A trigger a superuser disabled (ALTER TABLE … DISABLE TRIGGER) guards nothing: counted as missing.
        Dialect::Postgres => "SELECT 1 FROM pg_trigger WHERE tgname = ?1 AND NOT tgisinternal AND tgenabled != 'D'",
    };
    for trigger in AUDIT_TRIGGERS {
        let present = db.exists(trigger_named, &[&trigger])?;
        if !present {
            problems.push(format!(
                "the trigger {trigger} is missing: the audit log can be changed in place (it was dropped by hand)"
            ));
        }
    }
    for records in &RECORDS {
        let Records { table, entity, created_by } = records;
        let unlogged = format!(
            "SELECT t.id FROM {table} t WHERE NOT EXISTS (
                 SELECT 1 FROM audit_log a
                 WHERE a.entity = '{entity}' AND a.entity_id = CAST(t.id AS TEXT) AND a.action IN ({created_by}))
             ORDER BY t.id LIMIT {REPORTED}"
        );
        for id in db.column::<i64>(&unlogged, &[])? {
            problems.push(format!("{entity} {id} has no audit entry of its creation"));
        }
        let orphaned = format!(
            "SELECT a.seq, a.entity_id FROM audit_log a
             WHERE a.entity = '{entity}' AND a.action IN ({created_by})
               AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.id = CAST(a.entity_id AS INTEGER))
             ORDER BY a.seq LIMIT {REPORTED}"
        );
        for row in db.rows(&orphaned, &[])? {
            let (seq, id): (i64, String) = (row.get(0)?, row.get(1)?);
            problems.push(format!("audit entry {seq} records {entity} {id}, which is not in the database"));
        }
    }
    // A sheet is saved whole: its last save's entry counts the items it wrote.
    let items = counted(db.dialect(), "a.detail", "items");
    let sheets = format!(
        "SELECT id, said, held FROM (
             SELECT i.id,
                    (SELECT {items} FROM audit_log a
                     WHERE a.entity = 'inspection' AND a.entity_id = CAST(i.id AS TEXT) AND a.action = 'saved'
                     ORDER BY a.seq DESC LIMIT 1) AS said,
                    (SELECT count(*) FROM inspection_items t WHERE t.inspection_id = i.id) AS held
             FROM inspections i) counted
         WHERE COALESCE(said, 0) != held ORDER BY id LIMIT {REPORTED}"
    );
    for row in db.rows(&sheets, &[])? {
        let (id, said, held): (i64, Option<i64>, i64) = (row.get(0)?, row.get(1)?, row.get(2)?);
        problems.push(format!(
            "inspection {id}: its last save wrote {} items, the database holds {held}",
            said.unwrap_or(0)
        ));
    }
    // A decision and its queue items are one transaction: its entry counts the items.
    let queue_items = counted(db.dialect(), "a.detail", "queue_items");
    let decisions = format!(
        "SELECT id, said, held FROM (
             SELECT d.id, {queue_items} AS said,
                    (SELECT count(*) FROM queue_items q WHERE q.decision_id = d.id) AS held
             FROM decisions d JOIN audit_log a
               ON a.entity = 'decision' AND a.entity_id = CAST(d.id AS TEXT) AND a.action IN ('decided', 'overridden'))
             counted
         WHERE said IS NOT NULL AND said != held ORDER BY id LIMIT {REPORTED}"
    );
    for row in db.rows(&decisions, &[])? {
        let (id, said, held): (i64, i64, i64) = (row.get(0)?, row.get(1)?, row.get(2)?);
        problems.push(format!("decision {id}: it created {said} queue items, the database holds {held}"));
    }
    if sealed {
        problems.extend(super::seal::problems(db)?);
    }
    Ok(problems)
}

/// `verify`'s checks every backend shares, after the database's own (`found`): whole changes and seals, only
/// when the database's own checks passed (a damaged file may not answer the queries), and the audit chain read
/// whole. `sealed`: the database is of a schema whose records are bound to the chain.
pub(crate) fn records_and_chain(db: &dyn Db, found: Vec<String>, sealed: bool) -> Result<VerifyReport, StoreError> {
    let mut found = found;
    if found.is_empty() {
        found.extend(problems(db, sealed)?);
    }
    let mut chain = ChainCheck::default();
    let entries = if sealed {
        concat!("SELECT ", audit_columns!(), " FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2")
    } else {
        "SELECT seq, at, station, actor, entity, entity_id, action, detail, prev_hash, hash, NULL
         FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2"
    };
    db.each_by_seq(entries, &[], 0, &mut |row| {
        chain.check(&audit_entry(&row)?);
        Ok(())
    })?;
    Ok(VerifyReport {
        problems: found,
        audit_entries: chain.entries,
        head_hash: chain.head().to_owned(),
        chain_break: chain.first_break,
    })
}

/// An entry's detail's count `key` (a JSON number) as an integer, in the dialect's JSON functions.
fn counted(dialect: Dialect, detail: &str, key: &str) -> String {
    match dialect {
        Dialect::Sqlite => format!("json_extract({detail}, '$.{key}')"),
        Dialect::Postgres => format!("CAST(({detail}::json ->> '{key}') AS BIGINT)"),
    }
}
