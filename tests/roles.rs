//! Who may do what, enforced by the bench's use cases whatever a screen shows (issue 14, "roles not
//! enforced"): a table of every step restricted to a supervisor and a few that a clerk takes, each run as
//! a clerk and as a supervisor on a fresh demo database. A refused step says who may take it and writes
//! nothing, not even an audit entry. On SQLite and on PostgreSQL (`on_both!`).

use std::path::PathBuf;

use rma_station::auth::SignedIn;
use rma_station::bench::decision::{OnTheBench, OverrideRequest, confirm, confirm_override, decide, prepare_override};
use rma_station::bench::intake::{Arrival, Received, match_quarantined, receive};
use rma_station::bench::{self, Actor, BenchError, Claim};
use rma_station::clock::Now;
use rma_station::domain::vocabulary::{Disposition, Queue, Role};
use rma_station::labels::printer::PrinterTarget;
use rma_station::storage::{Store, exports_path};

use crate::labels::{decide_package, demo_on, stamp};
use crate::support::place::{Place, on_both};
use crate::support::{POLICIES, clock};

/// A demo database with a refund decided and exported (its batch's files written), so there is an item
/// and a batch to mark paid.
struct Bench {
    exports: PathBuf,
    store: Box<dyn Store>,
    now: Now,
    batch_id: i64,
    item_id: i64,
}

fn bench(place: &Place) -> Bench {
    let exported = exported(place);
    bench_on(place, exported)
}

/// Puts the demo data and its exported refund on `place`; the batch's and the item's ids.
fn exported(place: &Place) -> (i64, i64) {
    let mut store = demo_on(place);
    let now = clock().now();
    decide_package(&mut *store, "RMA-2026-0108", |_| {}, now.today, &stamp());
    let exports = exports_path(place.dir());
    let supervisor = as_role("dana", Role::Supervisor);
    let report = bench::queues::export(&mut *store, &supervisor, &now, Queue::Refund, &exports).unwrap().unwrap();
    let item_id = store.queue_items(Queue::Refund, false, 10).unwrap()[0].id;
    (report.batch_id.unwrap(), item_id)
}

/// The bench on a place that [`exported`] prepared (or a copy of one).
fn bench_on(place: &Place, (batch_id, item_id): (i64, i64)) -> Bench {
    Bench { exports: exports_path(place.dir()), store: place.open(), now: clock().now(), batch_id, item_id }
}

pub(crate) fn as_role(name: &str, role: Role) -> Actor {
    Actor { name: name.into(), role, station: "bench-1".into() }
}

/// The package of `rma` received by `actor`, every unit back as new.
fn received(bench: &mut Bench, actor: &Actor, rma: &str) -> Result<Received, BenchError> {
    let found = bench.store.rmas_by_number(rma).unwrap().remove(0);
    let arrival = Arrival {
        scanned_code: rma.into(),
        scanned_kind: "rma_number".into(),
        claim: Claim::Rma(found),
        note: "".into(),
        another_box: false,
    };
    let mut received = receive(&mut *bench.store, actor, &bench.now, arrival)?;
    for item in &mut received.sheet.items {
        item.received = item.ordered;
    }
    Ok(received)
}

type Step = fn(&mut Bench, &Actor) -> Result<(), BenchError>;

/// Each step, and the words of its refusal for a clerk (`None`: a clerk may take it).
const STEPS: &[(&str, Option<&str>, Step)] = &[
    ("receive a package", None, |bench, actor| received(bench, actor, "RMA-2026-0101").map(drop)),
    ("save the inspection sheet", None, |bench, actor| {
        let Received { package, sheet } = received(bench, actor, "RMA-2026-0101")?;
        bench::inspection::save_sheet(&mut *bench.store, actor, &bench.now, package.inspection_id, &sheet)
    }),
    ("decide and confirm by the policy", None, |bench, actor| {
        let Received { package, sheet } = received(bench, actor, "RMA-2026-0101")?;
        let decided = decide(&POLICIES, &package, &sheet, &[], bench.now.today)?;
        let on_bench = OnTheBench { package: &package, sheet: &sheet, decided: &decided };
        confirm(&mut *bench.store, &POLICIES, actor, &bench.now, on_bench).map(drop)
    }),
    ("match a quarantined package", None, |bench, actor| {
        let arrival = Arrival {
            scanned_code: "UNKNOWN-LABEL".into(),
            scanned_kind: "unknown".into(),
            claim: Claim::Quarantined,
            note: "a box".into(),
            another_box: false,
        };
        let package = receive(&mut *bench.store, actor, &bench.now, arrival)?.package;
        match_quarantined(&mut *bench.store, actor, &bench.now, package.package_id, "RMA-2026-0104").map(drop)
    }),
    ("export a queue", None, |bench, actor| {
        let folder = bench.exports.clone();
        bench::queues::export(&mut *bench.store, actor, &bench.now, Queue::StoreCredit, &folder).map(drop)
    }),
    ("write a batch's files again", None, |bench, actor| {
        let (folder, batch_id) = (bench.exports.clone(), bench.batch_id);
        bench::queues::write_batch(&mut *bench.store, actor, &bench.now, batch_id, &folder).map(drop)
    }),
    ("mark a queue item paid", Some("marking a queue item paid or done is for a supervisor"), |bench, actor| {
        bench::queues::complete_item(&mut *bench.store, actor, &bench.now, bench.item_id, "re_1")
    }),
    ("mark a refund batch paid", Some("marking a batch paid or done is for a supervisor"), |bench, actor| {
        bench::queues::complete_batch(&mut *bench.store, actor, &bench.now, bench.batch_id, "payout-1").map(drop)
    }),
    ("change the label printer", Some("setting the label printer is for a supervisor"), |bench, actor| {
        let printer = PrinterTarget::network("10.0.4.21:9100").unwrap();
        bench::settings::set_printer(&mut *bench.store, actor, &bench.now, Some(&printer))
    }),
    ("add an operator", Some("adding an operator is for a supervisor"), |bench, actor| {
        let hash = rma_station::auth::hash_pin("8642", Role::Clerk, &crate::support::pin_secret()).unwrap();
        bench::operators::add_operator(&mut *bench.store, actor, &bench.now, "lee", Role::Clerk, &hash)
    }),
];

on_both!(each_step_is_taken_or_refused_by_role_in_the_use_case);
fn each_step_is_taken_or_refused_by_role_in_the_use_case(place: &Place) {
    let exported = exported(place);
    for (step, refused, run) in STEPS {
        for (actor, is_clerk) in [(as_role("sam", Role::Clerk), true), (as_role("dana", Role::Supervisor), false)] {
            // Each step on a copy of the same start.
            let fresh = place.copy();
            let mut bench = bench_on(&fresh, exported);
            let head = bench.store.audit_head().unwrap();
            let result = run(&mut bench, &actor);
            let context = format!("{step} as {} ({})", actor.name, actor.role);
            match refused.filter(|_| is_clerk) {
                None => assert!(result.is_ok(), "{context}: {}", result.unwrap_err()),
                Some(words) => {
                    let error = result.expect_err(&context);
                    assert!(matches!(error, BenchError::NotPermitted { .. }), "{context}: {error}");
                    assert_eq!(error.to_string(), format!("{words}; sam is a clerk"), "{context}");
                    assert_eq!(bench.store.audit_head().unwrap(), head, "{context}: a refusal wrote something");
                }
            }
            assert!(bench.store.verify().unwrap().is_sound(), "{context}");
        }
    }
}

on_both!(what_a_refused_clerk_tried_is_left_as_it_was);
fn what_a_refused_clerk_tried_is_left_as_it_was(place: &Place) {
    let mut bench = bench(place);
    let sam = as_role("sam", Role::Clerk);
    let (batch_id, item_id) = (bench.batch_id, bench.item_id);
    bench::queues::complete_batch(&mut *bench.store, &sam, &bench.now, batch_id, "payout-1").unwrap_err();
    bench::queues::complete_item(&mut *bench.store, &sam, &bench.now, item_id, "re_1").unwrap_err();
    let printer = PrinterTarget::network("10.0.4.21:9100").unwrap();
    bench::settings::set_printer(&mut *bench.store, &sam, &bench.now, Some(&printer)).unwrap_err();
    assert_eq!(bench.store.open_queue_counts().unwrap().iter().find(|(q, _)| *q == Queue::Refund).unwrap().1, 1);
    assert_eq!(bench::settings::printer(&*bench.store, "bench-1").unwrap(), None);

    // The supervisor's same steps go through, each audited under the supervisor's name.
    let dana = as_role("dana", Role::Supervisor);
    assert_eq!(bench::queues::complete_batch(&mut *bench.store, &dana, &bench.now, batch_id, "payout-1").unwrap(), 1);
    bench::settings::set_printer(&mut *bench.store, &dana, &bench.now, Some(&printer)).unwrap();
    assert_eq!(bench::settings::printer(&*bench.store, "bench-1").unwrap(), Some(printer));
    let audit = bench.store.audit_entries("station_setting", "label_printer@bench-1").unwrap();
    assert_eq!(audit.last().map(|e| (e.action.as_str(), e.actor.as_str())), Some(("setting_changed", "dana")));
}

on_both!(an_override_is_approved_only_by_a_supervisor);
fn an_override_is_approved_only_by_a_supervisor(place: &Place) {
    let exported = exported(place);
    for (approver, approved) in [("sam", false), ("dana", true)] {
        let fresh = place.copy();
        let mut bench = bench_on(&fresh, exported);
        let sam = as_role("sam", Role::Clerk);
        let Received { package, sheet } = received(&mut bench, &sam, "RMA-2026-0101").unwrap();
        let decided = decide(&POLICIES, &package, &sheet, &[], bench.now.today).unwrap();
        let request = OverrideRequest {
            disposition: Disposition::StoreCredit,
            amount: "10.00".into(),
            reason: "goodwill".into(),
            supervisor: approver.into(),
        };
        let prepared = prepare_override(&POLICIES, &decided, &request, bench.now.today).unwrap();
        let on_bench = OnTheBench { package: &package, sheet: &sheet, decided: &decided };
        let role = if approved { Role::Supervisor } else { Role::Clerk };
        let signed = SignedIn { name: approver.into(), role, rekeyed: None };
        let result = confirm_override(&mut *bench.store, &POLICIES, &sam, &bench.now, on_bench, prepared, &signed);
        match result {
            Ok(confirmed) => assert!(approved && confirmed.overridden, "{approver}"),
            Err(error) => {
                assert!(!approved, "{approver}: {error}");
                assert_eq!(error.to_string(), "override refused: sam is not a supervisor");
            }
        }
    }
}
