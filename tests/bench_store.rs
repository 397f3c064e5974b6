//! The bench's own records in the store, with the demo data: operators, inspection sheets, decisions with their
//! queue items and store-credit codes, the work queues, quarantine, package search and a package's whole history
//! — each write audited in its own transaction, and the audit chain still sound at the end. Every case runs on a
//! SQLite file and on PostgreSQL (`on_both!`), but one: packages received before SQLite's migration 4, an old
//! SQLite file's upgrade, which is SQLite's alone.

use std::collections::BTreeSet;

use chrono::{DateTime, TimeZone, Utc};
use rma_station::demo::load_demo;
use rma_station::domain::engine::decide;
use rma_station::domain::inspection::InspectionSheet;
use rma_station::domain::ledger::Ledger;
use rma_station::domain::money::Money;
use rma_station::domain::queue::{QueueEntry, queue_entries};
use rma_station::domain::vocabulary::{
    Checkpoint, Condition, DamageCause, Defect, Disposition, Packaging, Queue, Role, Sticker, Verdict,
};
use rma_station::formats::case_json::{Case, decision_json};
use rma_station::storage::audit::{AuditEntry, GENESIS, entry_hash};
use rma_station::storage::schema;
use rma_station::storage::sqlite::SqliteStore;
use rma_station::storage::{
    DecisionToSave, Override, PackageStage, PhotoRow, QueueRow, QueueStatus, ReceivedPackage, RmaMatch, Stamp, Store,
    StoreError, database_path,
};
use rusqlite::Connection;

use crate::support::place::{Place, on_both};
use crate::support::{POLICIES, TODAY, date, pin_secret};

/// A store on `place` holding the demo data, dated as written (today is [`TODAY`]).
pub(crate) fn bench(place: &Place) -> Box<dyn Store> {
    let mut store = place.open();
    load_demo(&mut *store, date(TODAY), &stamp(0), &pin_secret()).unwrap();
    store
}

/// 09:00 plus `minute` minutes on [`TODAY`], at bench-1 by ana.
pub(crate) fn stamp(minute: u32) -> Stamp {
    let at = Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).single().unwrap_or(DateTime::UNIX_EPOCH);
    Stamp { at: at + chrono::Duration::minutes(i64::from(minute)), station: "bench-1".into(), operator: "ana".into() }
}

pub(crate) fn audit_total(store: &dyn Store) -> u64 {
    store.counts().unwrap().audit_entries
}

#[track_caller]
pub(crate) fn assert_sound(store: &dyn Store) {
    let report = store.verify().unwrap();
    assert!(report.is_sound(), "{report:?}");
}

pub(crate) fn rma(store: &dyn Store, number: &str) -> RmaMatch {
    let mut found = store.rmas_by_number(number).unwrap();
    assert_eq!(found.len(), 1, "RMA {number}");
    found.remove(0)
}

/// Receives a package under `scanned`, matched to `rma` (or quarantined), at `minute`.
pub(crate) fn receive(store: &mut dyn Store, scanned: &str, rma: Option<&RmaMatch>, minute: u32) -> i64 {
    let package = ReceivedPackage {
        scanned_code: scanned.into(),
        scanned_kind: if rma.is_some() { "rma_number".into() } else { "unknown".into() },
        rma_id: rma.map(|m| m.rma.id),
        order_id: None,
        note: String::new(),
        another_box: true,
    };
    store.receive_package(&package, &stamp(minute)).unwrap()
}

/// The order's items, every unit back as new.
pub(crate) fn everything_back(m: &RmaMatch) -> InspectionSheet {
    let mut sheet = InspectionSheet::for_order(&m.order.record, date(TODAY));
    for item in &mut sheet.items {
        item.received = item.ordered;
    }
    sheet
}

/// Receives, inspects and saves the sheet of a package for this RMA; returns (package, inspection).
pub(crate) fn inspected(store: &mut dyn Store, m: &RmaMatch, sheet: &InspectionSheet, minute: u32) -> (i64, i64) {
    let package = receive(store, &m.rma.record.number, Some(m), minute);
    let inspection = store.start_inspection(package, &stamp(minute)).unwrap();
    store.save_inspection(inspection, sheet, &stamp(minute)).unwrap();
    (package, inspection)
}

/// The engine's decision on this sheet (one photo per item), ready to save with its queue entries.
pub(crate) fn engine_decision(
    m: &RmaMatch,
    sheet: &InspectionSheet,
    package_id: i64,
    inspection_id: i64,
) -> DecisionToSave {
    let loaded = POLICIES.get(&m.rma.record.merchant).unwrap();
    let decision = decide(
        &loaded.policy,
        &m.order.record.engine_order().unwrap(),
        Some(&m.rma.record.to_rma()),
        &sheet.to_inspection(|_| 1),
        &Ledger::default(),
        date(TODAY),
    );
    let queue = queue_entries(&decision);
    // The decision as the bench saves it: the `decide` contract's JSON, which exports read back.
    let case = Case {
        merchant: m.rma.record.merchant.clone(),
        order: m.order.record.engine_order().unwrap(),
        rma: Some(m.rma.record.to_rma()),
        inspection: sheet.to_inspection(|_| 1),
    };
    let decision_json = decision_json(&case, loaded, &decision).to_string();
    DecisionToSave {
        package_id,
        inspection_id,
        decision,
        decision_json,
        policy_sha256: loaded.sha256.clone(),
        override_: None,
        queue,
    }
}

/// Receives, inspects (everything back as new) and decides a package for the RMA `number`.
pub(crate) fn decided(store: &mut dyn Store, number: &str, minute: u32) -> (i64, DecisionToSave) {
    let m = rma(store, number);
    let sheet = everything_back(&m);
    let (package, inspection) = inspected(store, &m, &sheet, minute);
    let to_save = engine_decision(&m, &sheet, package, inspection);
    let id = store.record_decision(&to_save, &stamp(minute + 1)).unwrap();
    (id, to_save)
}

/// Whether `code` is `SC-XXXX-XXXX-XXXX` in Crockford's base32 (no I, L, O, U).
fn well_formed_code(code: &str) -> bool {
    let groups: Vec<&str> = code.split('-').collect();
    groups.len() == 4
        && groups[0] == "SC"
        && groups[1..].iter().all(|group| {
            group.len() == 4
                && group.chars().all(|c| c.is_ascii_digit() || (c.is_ascii_uppercase() && !"ILOU".contains(c)))
        })
}

on_both!(operators_are_listed_by_name_and_a_name_is_taken_once);
fn operators_are_listed_by_name_and_a_name_is_taken_once(place: &Place) {
    // Without the demo, which brings operators of its own.
    let mut store = place.open();
    let store = &mut *store;
    assert!(store.operators().unwrap().is_empty());
    let before = audit_total(store);
    // (name, role) in the order they are added
    let added = [("zoe", Role::Supervisor), ("ana", Role::Clerk), ("Bo", Role::Clerk)];
    let mut ids = Vec::new();
    for (name, role) in added {
        ids.push(store.add_operator(name, role, &format!("$argon2id$v=19$hash-of-{name}"), &stamp(1)).unwrap());
    }
    assert_eq!(audit_total(store), before + 3, "one audit entry per operator");

    let listed: Vec<(String, Role, bool)> =
        store.operators().unwrap().into_iter().map(|o| (o.name, o.role, o.active)).collect();
    assert_eq!(
        listed,
        [
            ("Bo".to_owned(), Role::Clerk, true),
            ("ana".to_owned(), Role::Clerk, true),
            ("zoe".to_owned(), Role::Supervisor, true)
        ]
    );
    let zoe = store.operators().unwrap().into_iter().find(|o| o.name == "zoe").unwrap();
    assert_eq!((zoe.id, zoe.pin_hash.as_str()), (ids[0], "$argon2id$v=19$hash-of-zoe"));

    let error = store.add_operator("ana", Role::Supervisor, "$argon2id$other", &stamp(2)).unwrap_err();
    assert!(matches!(&error, StoreError::OperatorExists { name } if name == "ana"), "{error}");
    assert_eq!(error.to_string(), "there is already an operator named \"ana\"");
    assert_eq!(store.operators().unwrap().len(), 3);
    assert_eq!(audit_total(store), before + 3, "a refused operator was audited");

    let audit = store.audit_entries("operator", &ids[0].to_string()).unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "added");
    assert!(audit[0].detail.contains("\"role\":\"supervisor\""), "{}", audit[0].detail);
    assert!(!audit[0].detail.contains("argon2"), "the PIN hash went into the audit log: {}", audit[0].detail);
    assert_sound(store);
}

on_both!(a_saved_sheet_comes_back_in_the_package_history_without_the_items_that_did_not_arrive);
fn a_saved_sheet_comes_back_in_the_package_history_without_the_items_that_did_not_arrive(place: &Place) {
    let mut store = bench(place);
    let store = &mut *store;
    let m = rma(store, "RMA-2026-0108");
    let package = receive(store, "RMA-2026-0108", Some(&m), 1);
    let inspection = store.start_inspection(package, &stamp(1)).unwrap();

    // A first save, then the clerk goes on: the second save replaces the first whole.
    let mut sheet = InspectionSheet::for_order(&m.order.record, date("2026-11-20"));
    sheet.scan_item("KVM-4P-DP");
    store.save_inspection(inspection, &sheet, &stamp(2)).unwrap();

    sheet.scan_item("KVM-4P-DP");
    sheet.scan_item("cbl-kvm-usb-2m");
    sheet.scan_item("NOT-ON-THE-ORDER");
    let split = sheet.split_unit(0).unwrap();
    sheet.items[split].state.condition = Condition::Damaged;
    sheet.items[split].state.sticker = Sticker::Broken;
    sheet.items[split].state.packaging = Packaging::Damaged;
    sheet.items[split].state.defect = Defect::Breakage;
    sheet.items[split].state.damage_cause = DamageCause::ReturnShipping;
    sheet.items[split].state.disassembled = true;
    sheet.items[split].serial = "SN-0042".into();
    sheet.items[split].notes = "corner crushed".into();
    sheet.original_owner = false;
    sheet.commercial_use = true;
    sheet.proof_of_purchase = false;
    assert!(sheet.items.iter().any(|item| item.received == 0), "the case needs an item that did not arrive");
    store.save_inspection(inspection, &sheet, &stamp(3)).unwrap();

    let history = store.package_history(package).unwrap();
    let mut expected = sheet.clone();
    expected.items.retain(|item| item.received > 0);
    assert_eq!(history.inspections, [(inspection, expected)]);
    assert_eq!(history.rma.as_ref().map(|r| r.rma.id), Some(m.rma.id));
    assert_eq!(history.package.stage, PackageStage::Received);
    let actions: Vec<(&str, &str)> = history.audit.iter().map(|e| (e.entity.as_str(), e.action.as_str())).collect();
    assert_eq!(
        actions,
        [("package", "received"), ("inspection", "started"), ("inspection", "saved"), ("inspection", "saved")]
    );
    assert!(history.audit.windows(2).all(|pair| pair[0].seq < pair[1].seq), "not in chain order");
    let last = history.audit.last().unwrap();
    assert!(last.detail.contains("\"items\":4") && last.detail.contains("\"units\":4"), "{}", last.detail);

    let error = store.save_inspection(9999, &sheet, &stamp(4)).unwrap_err();
    assert!(matches!(error, StoreError::NotFound { what: "inspection", id: 9999 }), "{error}");
    assert_eq!(error.to_string(), "inspection 9999 does not exist");
    assert_sound(store);
}

on_both!(a_decision_writes_its_queue_items_and_their_audit_entries_in_the_same_go);
fn a_decision_writes_its_queue_items_and_their_audit_entries_in_the_same_go(place: &Place) {
    let mut store = bench(place);
    let store = &mut *store;
    // RMAs whose decisions feed different queues; every unit comes back as new.
    let cases = ["RMA-2026-0101", "RMA-2026-0102", "RMA-2026-0111", "KN-RMA-0202", "KN-RMA-0206"];
    let mut queues_seen = BTreeSet::new();
    for (n, number) in cases.into_iter().enumerate() {
        let minute = 10 * n as u32;
        let m = rma(store, number);
        let sheet = everything_back(&m);
        let (package, inspection) = inspected(store, &m, &sheet, minute);
        let to_save = engine_decision(&m, &sheet, package, inspection);
        assert!(!to_save.queue.is_empty(), "{number}: the case feeds no queue");

        let before = audit_total(store);
        let decision_id = store.record_decision(&to_save, &stamp(minute + 1)).unwrap();
        assert_eq!(audit_total(store), before + 1 + to_save.queue.len() as u64, "{number}");

        let history = store.package_history(package).unwrap();
        assert_eq!(history.decisions.len(), 1, "{number}");
        let saved = &history.decisions[0];
        assert_eq!(
            (saved.id, saved.inspection_id, saved.verdict, saved.disposition, saved.net),
            (
                decision_id,
                inspection,
                to_save.decision.verdict,
                to_save.decision.disposition,
                to_save.decision.money.net
            ),
            "{number}"
        );
        assert_eq!(
            (saved.decision_json.as_str(), saved.policy_sha256.as_str()),
            (to_save.decision_json.as_str(), to_save.policy_sha256.as_str())
        );
        assert_eq!(
            (saved.decided_on, saved.operator.as_str(), saved.station.as_str()),
            (date(TODAY), "ana", "bench-1")
        );
        assert_eq!((&saved.override_reason, &saved.approved_by), (&None, &None), "{number}");
        assert_eq!(history.package.stage, PackageStage::Decided(to_save.decision.verdict), "{number}");

        let stored: Vec<QueueEntry> = history
            .queue
            .iter()
            .map(|row| QueueEntry {
                queue: row.queue,
                amount: row.amount,
                due_on: row.due_on,
                detail: row.detail.clone(),
            })
            .collect();
        assert_eq!(stored, to_save.queue, "{number}");
        for row in &history.queue {
            queues_seen.insert(row.queue);
            assert_eq!((row.package_id, row.decision_id, &row.status), (package, decision_id, &QueueStatus::Open));
            assert_eq!(row.code.is_some(), row.queue == Queue::StoreCredit, "{number}: {:?}", row.code);
            assert_eq!((row.rma_number.as_str(), row.merchant.as_str()), (number, m.rma.record.merchant.as_str()));
            assert_eq!(row.order_number, m.order.record.number);
            assert_eq!((&row.customer_name, &row.ship_to), (&m.order.record.customer_name, &m.order.record.ship_to));
            assert_eq!(
                (&row.payment_reference, &row.currency),
                (&m.order.record.payment_reference, &m.order.record.currency)
            );
            assert_eq!(row.created_at, format!("2026-11-21T09:{:02}:00.000Z", minute + 1));
        }

        // The decision's entry, then one "created" per queue item, in that order at the chain's end.
        let tail: Vec<(String, String)> = history
            .audit
            .iter()
            .rev()
            .take(1 + to_save.queue.len())
            .rev()
            .map(|e| (e.entity.clone(), e.action.clone()))
            .collect();
        let mut expected = vec![("decision".to_owned(), "decided".to_owned())];
        expected.extend(history.queue.iter().map(|_| ("queue_item".to_owned(), "created".to_owned())));
        assert_eq!(tail, expected, "{number}");
        let decided = history.audit.iter().find(|e| e.action == "decided").unwrap();
        for field in [
            format!("\"verdict\":\"{}\"", to_save.decision.verdict),
            format!("\"disposition\":\"{}\"", to_save.decision.disposition),
            format!("\"net\":\"{}\"", to_save.decision.money.net),
        ] {
            assert!(decided.detail.contains(&field), "{number}: {field} not in {}", decided.detail);
        }
        for row in history.queue.iter().filter_map(|row| row.code.as_ref()) {
            assert!(history.audit.iter().all(|e| !e.detail.contains(row.as_str())), "a store-credit code was audited");
        }
    }
    for queue in [Queue::Refund, Queue::Exchange, Queue::StoreCredit] {
        assert!(queues_seen.contains(&queue), "no case fed the {queue} queue: {queues_seen:?}");
    }
    assert_sound(store);
}

on_both!(a_decision_for_a_missing_package_or_another_packages_inspection_writes_nothing);
fn a_decision_for_a_missing_package_or_another_packages_inspection_writes_nothing(place: &Place) {
    let mut store = bench(place);
    let store = &mut *store;
    let m = rma(store, "RMA-2026-0101");
    let sheet = everything_back(&m);
    let (package, inspection) = inspected(store, &m, &sheet, 1);
    let (other_package, _) = inspected(store, &m, &sheet, 2);
    let before = (audit_total(store), store.queue_items(Queue::Refund, true, 100).unwrap().len());
    // (package, inspection, the error's words)
    let cases = [
        (9999, inspection, "package 9999 does not exist".to_owned()),
        (other_package, inspection, format!("inspection {inspection} does not exist")),
        (package, 9999, "inspection 9999 does not exist".to_owned()),
    ];
    for (package_id, inspection_id, words) in cases {
        let to_save = engine_decision(&m, &sheet, package_id, inspection_id);
        let error = store.record_decision(&to_save, &stamp(3)).unwrap_err();
        assert_eq!(error.to_string(), words);
    }
    assert_eq!((audit_total(store), store.queue_items(Queue::Refund, true, 100).unwrap().len()), before);
    assert_sound(store);
}

on_both!(an_override_keeps_its_reason_and_approver_and_is_audited_as_overridden);
fn an_override_keeps_its_reason_and_approver_and_is_audited_as_overridden(place: &Place) {
    let mut store = bench(place);
    let store = &mut *store;
    let m = rma(store, "RMA-2026-0101");
    let mut sheet = everything_back(&m);
    sheet.items[0].state.condition = Condition::Used;
    sheet.items[0].state.damage_cause = DamageCause::Abuse;
    let (package, inspection) = inspected(store, &m, &sheet, 1);
    let mut to_save = engine_decision(&m, &sheet, package, inspection);
    let engine = to_save.decision.clone();
    // The supervisor accepts it all for a full refund.
    to_save.decision.verdict = Verdict::Accept;
    to_save.decision.disposition = Disposition::Refund;
    to_save.decision.money.net = Money::from_cents(33_890);
    to_save.queue = vec![QueueEntry {
        queue: Queue::Refund,
        amount: Some(Money::from_cents(33_890)),
        due_on: Some(date("2026-12-05")),
        detail: "refund 338.90 (goodwill)".into(),
    }];
    to_save.override_ = Some(Override {
        reason: "long-standing customer; goodwill".into(),
        approved_by: "zoe".into(),
        engine_verdict: engine.verdict,
        engine_disposition: engine.disposition,
        engine_net: engine.money.net,
    });
    let decision_id = store.record_decision(&to_save, &stamp(2)).unwrap();

    let history = store.package_history(package).unwrap();
    let saved = &history.decisions[0];
    assert_eq!(
        (saved.verdict, saved.disposition, saved.net),
        (Verdict::Accept, Disposition::Refund, Money::from_cents(33_890))
    );
    assert_eq!(saved.override_reason.as_deref(), Some("long-standing customer; goodwill"));
    assert_eq!(saved.approved_by.as_deref(), Some("zoe"));
    assert_eq!(history.package.stage, PackageStage::Decided(Verdict::Accept));

    let audit = store.audit_entries("decision", &decision_id.to_string()).unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "overridden");
    let detail: serde_json::Value = serde_json::from_str(&audit[0].detail).unwrap();
    assert_eq!(detail["verdict"], "accept");
    assert_eq!(detail["net"], "338.90");
    assert_eq!(detail["reason"], "long-standing customer; goodwill");
    assert_eq!(detail["approved_by"], "zoe");
    assert_eq!(detail["engine_verdict"], engine.verdict.as_str());
    assert_eq!(detail["engine_disposition"], engine.disposition.as_str());
    assert_eq!(detail["engine_net"], engine.money.net.to_string());
    assert_sound(store);
}

on_both!(store_credit_codes_are_well_formed_unique_and_new_for_every_decision);
fn store_credit_codes_are_well_formed_unique_and_new_for_every_decision(place: &Place) {
    let mut store = bench(place);
    let store = &mut *store;
    let mut codes = BTreeSet::new();
    // The same store-credit case decided again and again (reopened each time, so that the ledger lets it
    // be settled again): every decision gets a code of its own, withdrawn ones included.
    let m = rma(store, "KN-RMA-0202");
    let sheet = everything_back(&m);
    let (package, inspection) = inspected(store, &m, &sheet, 0);
    for round in 0..40_u32 {
        let to_save = engine_decision(&m, &sheet, package, inspection);
        assert!(to_save.queue.iter().any(|e| e.queue == Queue::StoreCredit), "KN-RMA-0202 is not store credit");
        store.record_decision(&to_save, &stamp(round)).unwrap();
        store.reopen_package(package, "decided again for the test", &stamp(round)).unwrap();
    }
    let issued: Vec<(String, Option<String>)> = place
        .query("SELECT id, code FROM queue_items WHERE queue = 'store_credit'")
        .into_iter()
        .map(|row| (row[0].clone().unwrap(), row[1].clone()))
        .collect();
    for (id, code) in issued {
        let code = code.unwrap_or_else(|| panic!("store-credit item {id} has no code"));
        assert!(well_formed_code(&code), "{code:?}");
        assert!(codes.insert(code.clone()), "code {code} issued twice");
    }
    assert_eq!(codes.len(), 40);
    // Other queues carry no code.
    for queue in Queue::ALL.iter().filter(|q| **q != Queue::StoreCredit) {
        assert!(store.queue_items(*queue, true, 1000).unwrap().iter().all(|row| row.code.is_none()), "{queue}");
    }
    // The database itself refuses a code twice.
    let taken = codes.first().unwrap();
    let error = place
        .try_edit(&format!(
            "INSERT INTO queue_items (queue, detail, created_at, code) VALUES ('store_credit', 'x', 'now', '{taken}')"
        ))
        .unwrap_err();
    assert!(error.to_uppercase().contains("UNIQUE"), "{error}");
    assert_sound(store);
}

on_both!(a_queue_lists_open_items_by_due_date_then_age_and_done_ones_after);
fn a_queue_lists_open_items_by_due_date_then_age_and_done_ones_after(place: &Place) {
    let mut store = bench(place);
    let store = &mut *store;
    let entry = |due_on: Option<&str>, detail: &str| QueueEntry {
        queue: Queue::Refund,
        amount: Some(Money::from_cents(1_000)),
        due_on: due_on.map(date),
        detail: detail.into(),
    };
    // (RMA, minute decided, entries): the same due date twice, a later due date, and none; a package each.
    let decisions = [
        ("RMA-2026-0101", 10, vec![entry(Some("2026-12-10"), "later due"), entry(None, "no due date, older")]),
        ("RMA-2026-0102", 20, vec![entry(Some("2026-12-01"), "due first, newer"), entry(None, "no due date, newer")]),
        ("RMA-2026-0103", 5, vec![entry(Some("2026-12-01"), "due first, older")]),
    ];
    for (number, minute, queue) in decisions {
        let m = rma(store, number);
        let sheet = everything_back(&m);
        let (package, inspection) = inspected(store, &m, &sheet, 1);
        let mut to_save = engine_decision(&m, &sheet, package, inspection);
        to_save.queue = queue;
        store.record_decision(&to_save, &stamp(minute)).unwrap();
    }
    let details = |rows: Vec<QueueRow>| -> Vec<String> { rows.into_iter().map(|r| r.detail).collect() };
    let open = ["due first, older", "due first, newer", "later due", "no due date, older", "no due date, newer"];
    assert_eq!(details(store.queue_items(Queue::Refund, false, 100).unwrap()), open);
    assert_eq!(details(store.queue_items(Queue::Refund, false, 2).unwrap()), open[..2]);
    assert!(store.queue_items(Queue::Exchange, true, 100).unwrap().is_empty());

    let later = store.queue_items(Queue::Refund, false, 100).unwrap()[2].id;
    let first = store.queue_items(Queue::Refund, false, 100).unwrap()[0].id;
    store.complete_queue_item(later, "re_1", &stamp(30)).unwrap();
    store.complete_queue_item(first, "re_2", &stamp(31)).unwrap();
    let still_open = ["due first, newer", "no due date, older", "no due date, newer"];
    assert_eq!(details(store.queue_items(Queue::Refund, false, 100).unwrap()), still_open);
    // Done ones after the open ones, the latest done first; the limit counts them all.
    let all = store.queue_items(Queue::Refund, true, 100).unwrap();
    assert_eq!(details(all.clone()), [&still_open[..], &["due first, older", "later due"]].concat());
    assert_eq!(all[3].status, QueueStatus::Done { reference: "re_2".into(), at: "2026-11-21T09:31:00.000Z".into() });
    assert_eq!(
        details(store.queue_items(Queue::Refund, true, 4).unwrap()),
        all[..4].iter().map(|r| r.detail.clone()).collect::<Vec<_>>()
    );
    assert_eq!(details(store.queue_items(Queue::Refund, true, 2).unwrap()), still_open[..2]);

    let counts = store.open_queue_counts().unwrap();
    let expected: Vec<(Queue, u64)> = Queue::ALL.iter().map(|&q| (q, if q == Queue::Refund { 3 } else { 0 })).collect();
    assert_eq!(counts, expected);
    assert_sound(store);
}

on_both!(a_done_queue_item_stays_done_and_an_unknown_one_is_not_found);
fn a_done_queue_item_stays_done_and_an_unknown_one_is_not_found(place: &Place) {
    let mut store = bench(place);
    let store = &mut *store;
    let (_, to_save) = decided(store, "RMA-2026-0101", 1);
    assert_eq!(to_save.queue[0].queue, Queue::Refund);
    let item = store.queue_items(Queue::Refund, false, 10).unwrap().remove(0);

    store.complete_queue_item(item.id, "  re_3Pq9 \n", &stamp(5)).unwrap();
    let done = store.queue_items(Queue::Refund, true, 10).unwrap().remove(0);
    assert_eq!(done.status, QueueStatus::Done { reference: "re_3Pq9".into(), at: "2026-11-21T09:05:00.000Z".into() });
    let audit = store.audit_entries("queue_item", &item.id.to_string()).unwrap();
    assert_eq!(audit.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["created", "done"]);
    assert!(audit[1].detail.contains("\"reference\":\"re_3Pq9\""), "{}", audit[1].detail);

    let before = audit_total(store);
    let error = store.complete_queue_item(item.id, "re_other", &stamp(6)).unwrap_err();
    assert!(matches!(&error, StoreError::AlreadyDone { id, reference } if *id == item.id && reference == "re_3Pq9"));
    assert_eq!(
        error.to_string(),
        format!("queue item {} is already done (reference \"re_3Pq9\"); nothing was changed", item.id)
    );
    assert_eq!(store.queue_items(Queue::Refund, true, 10).unwrap().remove(0), done, "a done item changed");
    assert_eq!(audit_total(store), before);

    let error = store.complete_queue_item(9999, "re_x", &stamp(7)).unwrap_err();
    assert!(matches!(error, StoreError::NotFound { what: "queue item", id: 9999 }), "{error}");
    assert_eq!(audit_total(store), before);
    assert_sound(store);
}

on_both!(a_quarantined_package_is_matched_once_and_leaves_quarantine);
fn a_quarantined_package_is_matched_once_and_leaves_quarantine(place: &Place) {
    let mut store = bench(place);
    let store = &mut *store;
    let m = rma(store, "KN-RMA-0205");
    let later = receive(store, "NO LABEL 2", None, 20);
    let older = receive(store, "NO LABEL 1", None, 10);
    let matched = receive(store, "KN-RMA-0205", Some(&m), 15);
    let quarantined: Vec<i64> = store.quarantined().unwrap().iter().map(|p| p.id).collect();
    assert_eq!(quarantined, [older, later], "oldest first, matched packages left out");
    let row = &store.quarantined().unwrap()[0];
    assert_eq!(
        (&row.stage, row.rma_id, &row.rma_number, &row.merchant, row.received_at.as_str()),
        (&PackageStage::Quarantined, None, &None, &None, "2026-11-21T09:10:00.000Z")
    );

    store.match_package(older, m.rma.id, &stamp(30)).unwrap();
    assert_eq!(store.quarantined().unwrap().iter().map(|p| p.id).collect::<Vec<_>>(), [later]);
    let history = store.package_history(older).unwrap();
    assert_eq!(history.package.stage, PackageStage::Received);
    assert_eq!(history.package.rma_number.as_deref(), Some("KN-RMA-0205"));
    assert_eq!(history.package.merchant.as_deref(), Some("konnected"));
    assert_eq!(history.rma, Some(m.clone()));
    let actions: Vec<&str> = history.audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["quarantined", "matched"]);
    assert!(history.audit[1].detail.contains(&format!("\"rma_id\":{}", m.rma.id)), "{}", history.audit[1].detail);

    let before = audit_total(store);
    // (package, RMA, the error's words)
    let cases = [
        (older, m.rma.id, format!("package {older} is not in quarantine; it is already matched to an RMA")),
        (matched, m.rma.id, format!("package {matched} is not in quarantine; it is already matched to an RMA")),
        (9999, m.rma.id, "package 9999 does not exist".to_owned()),
        (later, 9999, "RMA 9999 does not exist".to_owned()),
    ];
    for (package, rma_id, words) in cases {
        let error = store.match_package(package, rma_id, &stamp(31)).unwrap_err();
        assert_eq!(error.to_string(), words);
    }
    assert_eq!(audit_total(store), before);
    assert_eq!(store.quarantined().unwrap().len(), 1);
    assert_sound(store);
}

on_both!(packages_since_an_instant_newest_first);
fn packages_since_an_instant_newest_first(place: &Place) {
    let mut store = bench(place);
    let store = &mut *store;
    let ids: Vec<i64> = [0, 5, 10, 30].into_iter().map(|minute| receive(store, "PKG", None, minute)).collect();
    let (decision, to_save) = decided(store, "RMA-2026-0102", 40);
    // (since, limit, packages expected by index into ids; 4 is the decided one)
    let cases: [(&str, usize, &[usize]); 7] = [
        ("2026-11-21T09:05:00.000Z", 10, &[4, 3, 2, 1]),
        ("2026-11-21T09:05:00Z", 10, &[4, 3, 2, 1]),
        ("2026-11-21T10:05:00+01:00", 10, &[4, 3, 2, 1]),
        ("2026-11-21T09:05:00.001Z", 10, &[4, 3, 2]),
        ("2026-11-21", 10, &[4, 3, 2, 1, 0]),
        ("2026-11-21", 2, &[4, 3]),
        ("2026-11-22", 10, &[]),
    ];
    let all: Vec<i64> = ids.iter().copied().chain([to_save.package_id]).collect();
    for (since, limit, expected) in cases {
        let found: Vec<i64> = store.packages_since(since, limit).unwrap().iter().map(|p| p.id).collect();
        let expected: Vec<i64> = expected.iter().map(|&i| all[i]).collect();
        assert_eq!(found, expected, "since {since:?}, limit {limit}");
    }
    let newest = &store.packages_since("2026-11-21", 1).unwrap()[0];
    let history = store.package_history(newest.id).unwrap();
    assert_eq!(history.decisions[0].id, decision);
    assert_eq!(newest.stage, PackageStage::Decided(history.decisions[0].verdict));
    assert_sound(store);
}

on_both!(packages_are_found_by_every_number_a_clerk_may_type);
fn packages_are_found_by_every_number_a_clerk_may_type(place: &Place) {
    let mut store = bench(place);
    let store = &mut *store;
    let cp = rma(store, "RMA-2026-0101");
    let kn = rma(store, "KN-RMA-0201");
    // Both RMAs expect 1Z5R89390357567127.
    let by_label = receive(store, "RMA-2026-0101", Some(&cp), 1);
    let by_tracking = receive(store, "1Z5R89390357567127", Some(&kn), 2);
    let unknown = receive(store, "#Mystery Box 7", None, 3);
    let numeric = receive(store, "4242", None, 4);
    // (what is typed, packages expected, newest first)
    let cases: Vec<(String, Vec<i64>)> = vec![
        (by_label.to_string(), vec![by_label]),
        (format!(" {unknown} "), vec![unknown]),
        ("rma-2026-0101".into(), vec![by_label]),
        (" RMA-2026-0101 ".into(), vec![by_label]),
        ("kn-rma-0201".into(), vec![by_tracking]),
        ("cp-20101".into(), vec![by_label]),
        ("#KN3001".into(), vec![by_tracking]),
        ("kn3001".into(), vec![by_tracking]),
        ("1z5r 8939 0357567127".into(), vec![by_tracking, by_label]),
        ("mystery box 7".into(), vec![unknown]),
        ("#MYSTERYBOX7".into(), vec![unknown]),
        // Digits are a package id and a scanned code at once.
        ("4242".into(), vec![numeric]),
        ("RMA-2026-9999".into(), vec![]),
        ("99999999999999999999999".into(), vec![]),
        ("  ".into(), vec![]),
        ("#".into(), vec![]),
    ];
    for (typed, expected) in cases {
        let found: Vec<i64> = store.find_packages(&typed, 10).unwrap().iter().map(|p| p.id).collect();
        assert_eq!(found, expected, "{typed:?}");
    }
    assert_eq!(store.find_packages("1Z5R89390357567127", 1).unwrap().len(), 1, "the limit");
    let found = &store.find_packages("cp-20101", 10).unwrap()[0];
    assert_eq!((found.rma_number.as_deref(), found.merchant.as_deref()), (Some("RMA-2026-0101"), Some("connectpro")));
    assert_sound(store);
}

on_both!(a_package_history_tells_the_whole_story_in_chain_order);
fn a_package_history_tells_the_whole_story_in_chain_order(place: &Place) {
    let mut store = bench(place);
    let store = &mut *store;
    let m = rma(store, "KN-RMA-0202");
    let package = receive(store, "MISSING LABEL", None, 1);
    store.match_package(package, m.rma.id, &stamp(2)).unwrap();
    let inspection = store.start_inspection(package, &stamp(3)).unwrap();
    let sheet = everything_back(&m);
    store.save_inspection(inspection, &sheet, &stamp(4)).unwrap();
    let original = std::fs::read(crate::support::fixture("photos/camera/Canon_40D.jpg")).unwrap();
    let hash = rma_station::photos::store::PhotoHash::of(&original);
    let photo = PhotoRow {
        sha256: hash.to_hex(),
        inspection_id: inspection,
        item_position: Some(0),
        checkpoint: Checkpoint::Contents,
        bytes: 123_456,
        width: 4000,
        height: 3000,
        taken_at: Some("2026-11-21T10:04:00+01:00".into()),
        camera_make: Some("Canon".into()),
        camera_model: Some("EOS".into()),
        orientation: Some(1),
    };
    // Where the store shares photos, a record whose original is not there is refused; kept, it is recorded.
    if store.shares_photos() {
        let error = store.record_photo(&photo, &stamp(5)).unwrap_err();
        assert!(matches!(&error, StoreError::PhotoOriginal { sha256, .. } if *sha256 == photo.sha256), "{error}");
    }
    store.keep_photo_original(&hash, &original, &stamp(5)).unwrap();
    store.record_photo(&photo, &stamp(5)).unwrap();
    let to_save = engine_decision(&m, &sheet, package, inspection);
    let decision = store.record_decision(&to_save, &stamp(6)).unwrap();
    let item = store.queue_items(Queue::StoreCredit, false, 10).unwrap().remove(0);
    store.complete_queue_item(item.id, "GC-1", &stamp(7)).unwrap();
    // Another package's records stay out of this one's history.
    decided(store, "RMA-2026-0101", 8);

    let history = store.package_history(package).unwrap();
    assert_eq!(history.package.id, package);
    assert_eq!(history.rma, Some(m));
    assert_eq!(history.inspections, [(inspection, sheet)]);
    assert_eq!(history.photos, [photo]);
    assert_eq!(history.decisions.iter().map(|d| d.id).collect::<Vec<_>>(), [decision]);
    assert_eq!(history.queue.len(), 1);
    assert!(matches!(&history.queue[0].status, QueueStatus::Done { reference, .. } if reference == "GC-1"));
    let story: Vec<(&str, &str)> = history.audit.iter().map(|e| (e.entity.as_str(), e.action.as_str())).collect();
    assert_eq!(
        story,
        [
            ("package", "quarantined"),
            ("package", "matched"),
            ("inspection", "started"),
            ("inspection", "saved"),
            ("photo", "recorded"),
            ("decision", "decided"),
            ("queue_item", "created"),
            ("queue_item", "done"),
        ]
    );
    let error = store.package_history(9999).unwrap_err();
    assert!(matches!(error, StoreError::NotFound { what: "package", id: 9999 }), "{error}");
    assert_sound(store);
}

#[test]
fn packages_received_before_migration_4_are_found_by_their_scanned_code() {
    let dir = tempfile::tempdir().unwrap();
    let path = database_path(dir.path());
    {
        let mut conn = Connection::open(&path).unwrap();
        schema::migrate_to(&mut conn, 3).unwrap();
        conn.execute(
            "INSERT INTO packages (scanned_code, scanned_kind, received_at, station, operator, quarantined)
             VALUES (' #1z 999 aa', 'unknown', '2026-11-20T09:00:00.000Z', 'bench-1', 'ana', 1)",
            [],
        )
        .unwrap();
        // As that station wrote it: with its audit entry, which verify looks for.
        let mut entry = AuditEntry {
            seq: 1,
            at: "2026-11-20T09:00:00.000Z".into(),
            station: "bench-1".into(),
            actor: "ana".into(),
            entity: "package".into(),
            entity_id: "1".into(),
            action: "quarantined".into(),
            detail: "{}".into(),
            content: None,
            prev_hash: GENESIS.into(),
            hash: String::new(),
        };
        entry.hash = entry_hash(GENESIS, &entry);
        conn.execute(
            "INSERT INTO audit_log (seq, at, station, actor, entity, entity_id, action, detail, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            rusqlite::params![
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
            ],
        )
        .unwrap();
    }
    let store = SqliteStore::open(&path, &POLICIES).unwrap();
    let found = store.find_packages("1Z999AA", 10).unwrap();
    assert_eq!(found.iter().map(|p| p.scanned_code.as_str()).collect::<Vec<_>>(), [" #1z 999 aa"]);
    assert_eq!(found[0].stage, PackageStage::Quarantined);
    assert_eq!(store.quarantined().unwrap().len(), 1);
    assert_sound(&store);
}
