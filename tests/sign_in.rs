//! The lockout kept in the database (issue 14, "a lockout forgotten"): five wrong PINs lock a name for
//! every station on the file and across a restart, each wrong PIN, lock, refusal and unlock is in the audit
//! log, and a locked supervisor's override is refused and recorded as refused. On SQLite files and on
//! PostgreSQL databases (`on_both!`).

use chrono::TimeDelta;
use rma_station::bench::decision::{OnTheBench, OverrideRequest, decide, override_decision};
use rma_station::bench::intake::{Arrival, Received, receive};
use rma_station::bench::sign_in::{SIGNING_IN, sign_in};
use rma_station::bench::{Actor, BenchError, Claim};
use rma_station::clock::Now;
use rma_station::domain::vocabulary::{Disposition, Role};
use rma_station::storage::Store;

use crate::labels::demo_on;
use crate::support::place::{Place, on_both};
use crate::support::{POLICIES, clock, pin_secret};

/// The tests' clock, `minutes` on.
fn after(minutes: i64) -> Now {
    let mut now = clock().now();
    now.at += TimeDelta::minutes(minutes);
    now
}

/// The audit log of a name's sign-in attempts: (action, station, actor) in order.
fn attempts(store: &dyn Store, name: &str) -> Vec<(String, String, String)> {
    let entries = store.audit_entries("sign_in", name).unwrap();
    entries.into_iter().map(|e| (e.action, e.station, e.actor)).collect()
}

fn entry(action: &str, station: &str) -> (String, String, String) {
    (action.into(), station.into(), SIGNING_IN.into())
}

on_both!(a_lock_survives_closing_the_station_and_every_attempt_is_audited);
fn a_lock_survives_closing_the_station_and_every_attempt_is_audited(place: &Place) {
    drop(demo_on(place));
    {
        let mut store = place.open();
        for n in 1..=4 {
            let refused = sign_in(&mut *store, "bench-1", &after(0), "dana", "0000", &pin_secret()).unwrap_err();
            assert_eq!(refused.to_string(), "wrong name or PIN", "attempt {n}");
        }
        let locked = sign_in(&mut *store, "bench-1", &after(1), "Dana", "0000", &pin_secret()).unwrap_err();
        assert_eq!(locked.to_string(), "locked for 5 more minutes after 5 wrong PINs");
    }
    // The station closed and opened again: dana is still locked, even with the right PIN.
    let mut store = place.open();
    let still = sign_in(&mut *store, "bench-1", &after(2), "dana", "246810", &pin_secret()).unwrap_err();
    assert_eq!(still.to_string(), "locked for 4 more minutes after 5 wrong PINs");
    // Another name is not affected.
    sign_in(&mut *store, "bench-1", &after(2), "sam", "1357", &pin_secret()).unwrap();
    // Once the lock has run out the right PIN signs in, and the lock's end is recorded then.
    let dana = sign_in(&mut *store, "bench-1", &after(6), "dana", "246810", &pin_secret()).unwrap();
    assert_eq!((dana.name.as_str(), dana.role), ("dana", Role::Supervisor));

    let mut expected = vec![entry("failed", "bench-1"); 5];
    expected.extend([entry("locked", "bench-1"), entry("refused_locked", "bench-1"), entry("unlocked", "bench-1")]);
    assert_eq!(attempts(&*store, "dana"), expected);
    let log = store.audit_entries("sign_in", "dana").unwrap();
    let counts: Vec<&str> = log.iter().take(5).map(|e| e.detail.as_str()).collect();
    assert_eq!(counts[4], r#"{"count":5,"of":5}"#, "{counts:?}");
    assert!(log[5].detail.contains(r#""until":"2026-11-21T12:06:00Z""#), "{}", log[5].detail);
    assert!(log[7].detail.contains("the lock ran out"), "{}", log[7].detail);
    // A PIN never reaches the log.
    assert!(log.iter().all(|e| !e.detail.contains("0000") && !e.detail.contains("246810")));
    assert!(attempts(&*store, "sam").is_empty(), "a good PIN with nothing to forget writes nothing");
    assert!(store.verify().unwrap().is_sound());
}

on_both!(a_good_pin_after_wrong_ones_is_an_unlock_and_the_count_starts_again);
fn a_good_pin_after_wrong_ones_is_an_unlock_and_the_count_starts_again(place: &Place) {
    let mut store = demo_on(place);
    for _ in 0..4 {
        sign_in(&mut *store, "bench-1", &after(0), "sam", "0000", &pin_secret()).unwrap_err();
    }
    sign_in(&mut *store, "bench-1", &after(0), "sam", "1357", &pin_secret()).unwrap();
    let unlocked = store.audit_entries("sign_in", "sam").unwrap().pop().unwrap();
    assert_eq!(unlocked.action, "unlocked");
    assert!(unlocked.detail.contains(r#""failures_forgotten":4"#), "{}", unlocked.detail);
    for _ in 0..4 {
        sign_in(&mut *store, "bench-1", &after(1), "sam", "0000", &pin_secret()).unwrap_err();
    }
    sign_in(&mut *store, "bench-1", &after(1), "sam", "1357", &pin_secret()).unwrap();
}

on_both!(a_second_station_on_the_same_file_counts_and_sees_the_same_lock);
fn a_second_station_on_the_same_file_counts_and_sees_the_same_lock(place: &Place) {
    drop(demo_on(place));
    let (mut left, mut right) = (place.open(), place.open());
    for _ in 0..3 {
        sign_in(&mut *left, "bench-1", &after(0), "dana", "0000", &pin_secret()).unwrap_err();
    }
    sign_in(&mut *right, "bench-2", &after(0), "dana", "1111", &pin_secret()).unwrap_err();
    let locked = sign_in(&mut *right, "bench-2", &after(0), "dana", "2222", &pin_secret()).unwrap_err();
    assert_eq!(locked.to_string(), "locked for 5 more minutes after 5 wrong PINs");
    let refused = sign_in(&mut *left, "bench-1", &after(1), "dana", "246810", &pin_secret()).unwrap_err();
    assert!(matches!(refused, BenchError::Auth(rma_station::auth::AuthError::Locked { minutes: 4 })), "{refused}");
    let stations: Vec<String> =
        attempts(&*left, "dana").into_iter().map(|(action, station, _)| format!("{action}@{station}")).collect();
    assert_eq!(
        stations,
        [
            "failed@bench-1",
            "failed@bench-1",
            "failed@bench-1",
            "failed@bench-2",
            "failed@bench-2",
            "locked@bench-2",
            "refused_locked@bench-1"
        ]
    );
}

fn clerk() -> Actor {
    Actor { name: "sam".into(), role: Role::Clerk, station: "bench-1".into() }
}

/// RMA-2026-0101 received by sam, every unit back, with the engine's decision on it.
fn on_the_bench(store: &mut dyn Store) -> (Received, rma_station::bench::decision::Decided) {
    let found = store.rmas_by_number("RMA-2026-0101").unwrap().remove(0);
    let arrival = Arrival {
        scanned_code: "RMA-2026-0101".into(),
        scanned_kind: "rma_number".into(),
        claim: Claim::Rma(found),
        note: String::new(),
        another_box: false,
    };
    let mut received = receive(store, &clerk(), &after(0), arrival).unwrap();
    for item in &mut received.sheet.items {
        item.received = item.ordered;
    }
    let Received { package, sheet } = &received;
    let decided = decide(&POLICIES, package, sheet, &[], after(0).today).unwrap();
    (received, decided)
}

fn credit(supervisor: &str) -> OverrideRequest {
    OverrideRequest {
        disposition: Disposition::StoreCredit,
        amount: "10.00".into(),
        reason: "goodwill".into(),
        supervisor: supervisor.into(),
    }
}

on_both!(an_override_by_a_locked_out_supervisor_is_refused_and_recorded_as_refused);
fn an_override_by_a_locked_out_supervisor_is_refused_and_recorded_as_refused(place: &Place) {
    let mut store = demo_on(place);
    let (Received { package, sheet }, decided) = on_the_bench(&mut *store);
    let bench = OnTheBench { package: &package, sheet: &sheet, decided: &decided };
    for _ in 0..5 {
        sign_in(&mut *store, "bench-2", &after(0), "dana", "0000", &pin_secret()).unwrap_err();
    }
    // Her right PIN on sam's bench: refused without being checked, and the refusal audited on the package.
    let refused =
        override_decision(&mut *store, &POLICIES, &clerk(), &after(1), bench, &credit("dana"), "246810", &pin_secret());
    let error = refused.unwrap_err();
    assert_eq!(error.to_string(), "override refused: dana is locked for 4 more minutes after 5 wrong PINs");
    let history = store.package_history(package.package_id).unwrap();
    assert!(history.decisions.is_empty(), "a refused override saved a decision");
    let refusal = history.audit.iter().find(|e| e.action == "override_refused").expect("the refusal is audited");
    assert!(refusal.detail.contains("locked") && refusal.actor == "sam", "{refusal:?}");

    // Once the lock has run out her PIN approves it.
    let confirmed =
        override_decision(&mut *store, &POLICIES, &clerk(), &after(6), bench, &credit("dana"), "246810", &pin_secret());
    assert!(confirmed.unwrap().overridden);
    assert!(store.verify().unwrap().is_sound());
}

on_both!(wrong_override_pins_count_towards_the_supervisors_lock);
fn wrong_override_pins_count_towards_the_supervisors_lock(place: &Place) {
    let mut store = demo_on(place);
    let (Received { package, sheet }, decided) = on_the_bench(&mut *store);
    let bench = OnTheBench { package: &package, sheet: &sheet, decided: &decided };
    for _ in 0..4 {
        let error = override_decision(
            &mut *store,
            &POLICIES,
            &clerk(),
            &after(0),
            bench,
            &credit("dana"),
            "0000",
            &pin_secret(),
        );
        assert_eq!(error.unwrap_err().to_string(), "override refused: wrong name or PIN");
    }
    let fifth =
        override_decision(&mut *store, &POLICIES, &clerk(), &after(0), bench, &credit("dana"), "0000", &pin_secret());
    assert_eq!(
        fifth.unwrap_err().to_string(),
        "override refused: wrong name or PIN; dana is now locked for 5 more minutes after 5 wrong PINs"
    );
    // The override's PINs locked her sign-in too; the wrong PINs are audited under her name, by sam's bench.
    let refused = sign_in(&mut *store, "bench-1", &after(1), "dana", "246810", &pin_secret()).unwrap_err();
    assert_eq!(refused.to_string(), "locked for 4 more minutes after 5 wrong PINs");
    let log = store.audit_entries("sign_in", "dana").unwrap();
    assert_eq!(log.iter().filter(|e| e.action == "failed" && e.actor == "sam").count(), 5);
    let refusals = store.audit_entries("package", &package.package_id.to_string()).unwrap();
    assert_eq!(refusals.iter().filter(|e| e.action == "override_refused").count(), 5);
}
