//! The bench's use cases (`src/bench`) called directly on a SQLite file and on PostgreSQL (`on_both!`), as the
//! CLI and the drills call them: a package received, decided and confirmed; a supervisor's override approved, refused for a
//! clerk and for a wrong PIN (each refusal audited, nothing saved); who may add operators; and the words
//! of what is refused.

use rma_station::bench::decision::{OnTheBench, OverrideRequest, confirm, decide, override_decision};
use rma_station::bench::intake::{Arrival, Received, match_quarantined, receive};
use rma_station::bench::operators::{add_first_supervisor, add_operator};
use rma_station::bench::{Actor, BenchError, BenchPackage, Claim};
use rma_station::clock::Now;
use rma_station::domain::vocabulary::{Checkpoint, DamageCause, Defect, Disposition, Queue, Role, Verdict};
use rma_station::gui::decision::DecisionView;
use rma_station::storage::Store;

use crate::support::place::{Place, on_both};
use crate::support::{POLICIES, clock, pin_secret};

fn clerk() -> Actor {
    Actor { name: "sam".into(), role: Role::Clerk, station: "bench-1".into() }
}

fn supervisor() -> Actor {
    Actor { name: "dana".into(), role: Role::Supervisor, station: "bench-1".into() }
}

/// The demo data (with its operators sam, a clerk, PIN 1357, and dana, a supervisor, PIN 246810) dated by the
/// tests' clock, and the package of `rma` received with every ordered unit back as new.
fn received(place: &Place, rma: &str) -> (Box<dyn Store>, Received, Now) {
    let now = clock().now();
    let mut store = place.open();
    rma_station::demo::load_demo(&mut *store, now.today, &clerk().stamp(&now), &pin_secret()).unwrap();
    let found = store.rmas_by_number(rma).unwrap().remove(0);
    let arrival = Arrival {
        scanned_code: rma.into(),
        scanned_kind: "rma_number".into(),
        claim: Claim::Rma(found),
        note: String::new(),
        another_box: false,
    };
    let mut received = receive(&mut *store, &clerk(), &now, arrival).unwrap();
    for item in &mut received.sheet.items {
        item.received = item.ordered;
    }
    (store, received, now)
}

fn audit_actions(store: &dyn Store, package_id: i64) -> Vec<String> {
    store.package_history(package_id).unwrap().audit.iter().map(|e| e.action.clone()).collect()
}

on_both!(a_package_received_decided_and_confirmed_saves_its_decision_and_queue_items);
fn a_package_received_decided_and_confirmed_saves_its_decision_and_queue_items(place: &Place) {
    let (mut store, Received { package, sheet }, now) = received(place, "RMA-2026-0101");
    let decided = decide(&POLICIES, &package, &sheet, &[], now.today).unwrap();
    let bench = OnTheBench { package: &package, sheet: &sheet, decided: &decided };
    let confirmed = confirm(&mut *store, &POLICIES, &clerk(), &now, bench).unwrap();
    assert_eq!(confirmed.decision, decided.decision);
    assert!(!confirmed.overridden);
    let history = store.package_history(package.package_id).unwrap();
    assert_eq!(history.decisions.len(), 1);
    assert_eq!(history.decisions[0].id, confirmed.decision_id);
    assert_eq!(history.queue.iter().map(|row| row.queue).collect::<Vec<_>>(), confirmed.queued);
    assert_eq!(history.inspections[0].1, sheet, "the sheet the decision was made on is saved with it");
    assert!(store.verify().unwrap().is_sound());
}

on_both!(a_photo_hold_names_the_sheet_item_to_photograph_past_items_that_did_not_come_back);
/// A hold for want of a photo names the item to photograph by its place on the sheet, which counts items of
/// which nothing came back (the engine's inspection leaves them out); only a photo of that item lifts it.
fn a_photo_hold_names_the_sheet_item_to_photograph_past_items_that_did_not_come_back(place: &Place) {
    let (_store, Received { package, mut sheet }, now) = received(place, "KN-RMA-0209");
    assert_eq!(sheet.items.iter().map(|i| i.sku.as_str()).collect::<Vec<_>>(), ["KN-PRO-PANEL", "KN-MOTION"]);
    // The panel stayed at home; the motion sensor came back, damaged in an accident.
    sheet.items[0].received = 0;
    sheet.items[1].state.defect = Defect::Manufacturing;
    sheet.items[1].state.damage_cause = DamageCause::Accident;
    let decide_with =
        |photo_items: &[Option<usize>]| decide(&POLICIES, &package, &sheet, photo_items, now.today).unwrap();

    for photo_items in [&[][..], &[Some(0)][..]] {
        let decided = decide_with(photo_items);
        assert_eq!(decided.decision.verdict, Verdict::Hold, "photos of {photo_items:?}");
        let view = DecisionView::of(String::new(), &decided.decision, &sheet, "USD", &decided.entries);
        let [needed] = view.photos.as_slice() else { panic!("{:?}", view.photos) };
        assert_eq!((needed.item, needed.checkpoints.as_slice()), (Some(1), [Checkpoint::Damage].as_slice()));
        assert_eq!(needed.what, "Photograph the damage: KN-MOTION (Motion sensor)");
        assert_eq!(
            needed.why,
            [
                "It would be refused on konnected/6.2.2/misuse: \u{201c}We do not cover accident, misuse, neglect or abuse\u{201d}"
            ]
        );
    }
    let decided = decide_with(&[Some(1)]);
    assert_eq!(decided.decision.verdict, Verdict::Deny, "{:?}", decided.decision.reasons);
    assert!(decided.decision.photos_needed.is_empty());
    let view = DecisionView::of(String::new(), &decided.decision, &sheet, "USD", &decided.entries);
    assert!(view.photos.is_empty());
}

on_both!(an_override_is_saved_for_a_supervisor_and_refused_and_audited_otherwise);
fn an_override_is_saved_for_a_supervisor_and_refused_and_audited_otherwise(place: &Place) {
    struct Case {
        supervisor: &'static str,
        pin: &'static str,
        refused: Option<&'static str>,
    }
    let cases = [
        Case { supervisor: "dana", pin: "246810", refused: None },
        Case { supervisor: "sam", pin: "1357", refused: Some("sam is not a supervisor") },
        Case { supervisor: "dana", pin: "0000", refused: Some("wrong name or PIN") },
        Case { supervisor: "nobody", pin: "246810", refused: Some("wrong name or PIN") },
    ];
    let (store, Received { package, sheet }, now) = received(place, "RMA-2026-0101");
    drop(store);
    for case in cases {
        // Each case on a copy of the same package on the bench.
        let fresh = place.copy();
        let mut store = fresh.open();
        let decided = decide(&POLICIES, &package, &sheet, &[], now.today).unwrap();
        let request = OverrideRequest {
            disposition: Disposition::StoreCredit,
            amount: "12.34".into(),
            reason: "goodwill".into(),
            supervisor: case.supervisor.into(),
        };
        let bench = OnTheBench { package: &package, sheet: &sheet, decided: &decided };
        let result =
            override_decision(&mut *store, &POLICIES, &clerk(), &now, bench, &request, case.pin, &pin_secret());
        let history = store.package_history(package.package_id).unwrap();
        match case.refused {
            None => {
                let confirmed = result.unwrap();
                assert!(confirmed.overridden);
                assert_eq!(confirmed.decision.disposition, Disposition::StoreCredit);
                assert_eq!(history.decisions[0].approved_by.as_deref(), Some("dana"));
                assert_eq!(history.queue.iter().map(|r| r.queue).collect::<Vec<_>>(), vec![Queue::StoreCredit]);
                assert!(audit_actions(&*store, package.package_id).contains(&"overridden".to_owned()));
            }
            Some(why) => {
                let error = result.unwrap_err();
                assert!(
                    matches!(&error, BenchError::OverrideRefused { why: said, .. } if said == why),
                    "{}: {error}",
                    case.supervisor
                );
                assert_eq!(error.to_string(), format!("override refused: {why}"));
                assert!(history.decisions.is_empty() && history.queue.is_empty(), "nothing is saved");
                assert!(audit_actions(&*store, package.package_id).contains(&"override_refused".to_owned()));
            }
        }
        assert!(store.verify().unwrap().is_sound());
    }
}

on_both!(an_override_amount_that_is_not_money_is_refused_before_any_pin_is_checked);
fn an_override_amount_that_is_not_money_is_refused_before_any_pin_is_checked(place: &Place) {
    let (mut store, Received { package, sheet }, now) = received(place, "RMA-2026-0101");
    let decided = decide(&POLICIES, &package, &sheet, &[], now.today).unwrap();
    let request = OverrideRequest {
        disposition: Disposition::Refund,
        amount: "12,50".into(),
        reason: "typo".into(),
        supervisor: "dana".into(),
    };
    let bench = OnTheBench { package: &package, sheet: &sheet, decided: &decided };
    let error = override_decision(&mut *store, &POLICIES, &clerk(), &now, bench, &request, "246810", &pin_secret())
        .unwrap_err();
    assert!(matches!(error, BenchError::Amount(_)), "{error}");
    assert!(error.to_string().starts_with("new amount: "), "{error}");
    assert!(!audit_actions(&*store, package.package_id).iter().any(|a| a == "override_refused"));
}

on_both!(only_a_supervisor_adds_operators_and_the_first_supervisor_only_on_an_empty_station);
fn only_a_supervisor_adds_operators_and_the_first_supervisor_only_on_an_empty_station(place: &Place) {
    let (mut store, _, now) = received(place, "RMA-2026-0101");
    let hash = rma_station::auth::hash_pin("8642", Role::Clerk, &crate::support::pin_secret()).unwrap();
    let refused = add_operator(&mut *store, &clerk(), &now, "lee", Role::Clerk, &hash).unwrap_err();
    assert_eq!(refused.to_string(), "adding an operator is for a supervisor; sam is a clerk");
    assert!(!store.operators().unwrap().iter().any(|op| op.name == "lee"));
    add_operator(&mut *store, &supervisor(), &now, "lee", Role::Clerk, &hash).unwrap();
    assert!(store.operators().unwrap().iter().any(|op| op.name == "lee" && op.role == Role::Clerk));
    let exists = add_first_supervisor(&mut *store, "bench-1", &now, "eve", &hash).unwrap_err();
    assert_eq!(exists.to_string(), "an operator exists already: sign in");

    let empty = place.another();
    let mut fresh = empty.open();
    let signed = add_first_supervisor(&mut *fresh, "bench-1", &now, "eve", &hash).unwrap();
    assert_eq!((signed.name.as_str(), signed.role), ("eve", Role::Supervisor));
}

on_both!(refusals_say_what_and_where);
fn refusals_say_what_and_where(place: &Place) {
    let (mut store, Received { package, sheet }, now) = received(place, "RMA-2026-0101");
    let quarantined = decide(
        &POLICIES,
        &BenchPackage { package_id: 77, claim: Claim::Quarantined, ..package.clone() },
        &sheet,
        &[],
        now.today,
    )
    .unwrap_err();
    assert_eq!(quarantined.to_string(), "package #77 is in quarantine: match it to an RMA before it is decided");
    let unknown = match_quarantined(&mut *store, &clerk(), &now, package.package_id, "RMA-9999-0000").unwrap_err();
    assert_eq!(unknown.to_string(), "RMA-9999-0000: 0 RMAs have this number; type it exactly");
    let decided = decide(&POLICIES, &package, &sheet, &[], now.today).unwrap();
    assert_eq!(decided.decision.verdict, Verdict::Accept);
}
