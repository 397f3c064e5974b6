//! Issue 16, live benches and faults: the `changes` thread tells a bench what the others changed (read from the
//! audit log, woken by PostgreSQL's notifications or a SQLite file's change counter), catches up after the
//! database was away, and says when it is away; a store whose server went away refuses work with the reason and
//! connects again by itself. The server's absence is a cut cable (`support::cable`), never the shared server
//! stopped.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, sync_channel};
use std::time::{Duration, Instant};

use egui_kittest::kittest::Queryable;
use rma_station::bench::intake::{Arrival, receive};
use rma_station::bench::{self, Actor, Claim};
use rma_station::clock::Now;
use rma_station::domain::vocabulary::{Queue, Role};
use rma_station::gui::app::{DECISION_WAITS, kept_work_path};
use rma_station::gui::intake::{KEPT_SCAN, MatchCard, ScanOutcome};
use rma_station::gui::status::Reach;
use rma_station::gui::{Screen, StationApp, StationSetup};
use rma_station::storage::changes::{ChangeFeed, FeedEvent, Heard, Recorded};
use rma_station::storage::location::DatabaseLocation;
use rma_station::storage::postgres::PgStore;
use rma_station::storage::{Store, StoreError};

use crate::bench_flow::{Bench, confirm, decide, enter, open_package};
use crate::bench_store::{bench, stamp};
use crate::gui::{harness, scan, sign_in, step_until, with_demo};
use crate::support::cable::Cable;
use crate::support::place::{Backend, Place, on_both};
use crate::support::{POLICIES, TODAY, clock, date, pin_secret};

/// A feed on `location`, connected, and its events.
fn feed(location: DatabaseLocation) -> (ChangeFeed, Receiver<FeedEvent>) {
    let (sender, events) = sync_channel(256);
    let feed = ChangeFeed::spawn(location, sender, Arc::new(|| {})).unwrap();
    until(&events, "that it is connected", |event| *event == FeedEvent::Connected);
    (feed, events)
}

/// Takes events until one satisfies `wanted` (the events before it are returned with it).
#[track_caller]
fn until(events: &Receiver<FeedEvent>, what: &str, wanted: impl Fn(&FeedEvent) -> bool) -> Vec<FeedEvent> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok(event) => {
                let done = wanted(&event);
                seen.push(event);
                if done {
                    return seen;
                }
            }
            Err(_) => panic!("the feed never told {what}; it told {seen:?}"),
        }
    }
}

fn recorded(events: &[FeedEvent]) -> Vec<Recorded> {
    events
        .iter()
        .flat_map(|event| match event {
            FeedEvent::Changed { recorded, .. } => recorded.clone(),
            _ => Vec::new(),
        })
        .collect()
}

fn arrival(store: &dyn Store, rma: &str) -> Arrival {
    Arrival {
        scanned_code: rma.into(),
        scanned_kind: "rma_number".into(),
        claim: Claim::Rma(store.rmas_by_number(rma).unwrap().remove(0)),
        note: String::new(),
        another_box: false,
    }
}

fn clerk(station: &str) -> Actor {
    Actor { name: "ana".into(), role: Role::Clerk, station: station.into() }
}

/// A minute past the demo's morning.
fn now() -> Now {
    Now { at: stamp(1).at, today: date(TODAY), offset: chrono::FixedOffset::east_opt(0).unwrap() }
}

/// Receives a package for `rma` at `station`: its id.
fn receive_at(store: &mut dyn Store, station: &str, rma: &str) -> i64 {
    let arrival = arrival(store, rma);
    receive(store, &clerk(station), &now(), arrival).unwrap().package.package_id
}

#[test]
fn what_a_notification_says_is_ids_only_and_read_back_as_written() {
    for heard in [Heard::Seq(0), Heard::Seq(9_000_000_000), Heard::Lease(17)] {
        assert_eq!(heard.to_string().parse::<Heard>(), Ok(heard));
    }
    assert_eq!(Heard::Lease(17).to_string(), "lease:17");
    for bad in ["", "seq", "seq:", "seq:x", "lease:1.5", "decision:3", "seq:1:2"] {
        assert!(bad.parse::<Heard>().is_err(), "{bad:?} was understood");
    }
}

#[test]
fn kept_work_that_is_not_the_stations_own_is_refused_saying_where() {
    use rma_station::formats::kept_work::parse;
    assert_eq!(parse(r#"{"scans": ["RMA-1"], "sheet": null}"#, "k.json").unwrap().scans, ["RMA-1"]);
    let bad = parse("{\n  \"scans\": [1]\n}", "k.json").unwrap_err();
    assert!(bad.starts_with("k.json: line 2, column"), "{bad}");
    let unknown = parse(r#"{"scans": [], "sheet": null, "other": 1}"#, "k.json").unwrap_err();
    assert!(unknown.contains("unknown field"), "{unknown}");
}

on_both!(a_change_at_one_bench_is_told_to_another_with_its_audit_entries_in_order);
fn a_change_at_one_bench_is_told_to_another_with_its_audit_entries_in_order(place: &Place) {
    let mut store = bench(place);
    let (_feed, events) = feed(place.location());
    // Nothing before the feed started is news; what follows is.
    let package_id = receive_at(&mut *store, "bench-2", "RMA-2026-0108");
    let package = package_id.to_string();
    let told = until(&events, "the package received", |event| {
        recorded(std::slice::from_ref(event)).iter().any(|r| r.entity == "package" && r.entity_id == package)
    });
    let entries = recorded(&told);
    assert!(entries.windows(2).all(|pair| pair[0].seq < pair[1].seq), "in the log's order: {entries:?}");
    assert!(entries.iter().all(|entry| entry.station == "bench-2"), "{entries:?}");
    let expected = store.audit_entries("package", &package).unwrap();
    assert!(expected.iter().all(|entry| entries.iter().any(|told| told.seq == entry.seq)), "{entries:?}");

    if place.backend() == Backend::Postgres {
        // A lease changing hands is not in the log: it is told by its package's id.
        bench::intake::close(&mut *store, &clerk("bench-2"), &now(), package_id).unwrap();
        until(
            &events,
            "the lease released",
            |event| matches!(event, FeedEvent::Changed { leases, .. } if leases == &[package_id]),
        );
    }
}

/// The database of a PostgreSQL place, through a cable the test can cut.
fn through_cable(place: &Place) -> Option<(Cable, rma_station::storage::location::DatabaseUrl)> {
    let DatabaseLocation::Postgres(url) = place.location() else { return None };
    let cable = Cable::to(&url);
    let url = cable.url(&url);
    Some((cable, url))
}

#[test]
fn a_bench_whose_server_goes_away_is_told_at_once_and_catches_up_on_what_it_missed() {
    let Some(place) = Place::postgres() else { return };
    let mut store = bench(&place);
    let (cable, url) = through_cable(&place).unwrap();
    let (_feed, events) = feed(DatabaseLocation::Postgres(url));
    let first = receive_at(&mut *store, "bench-1", "RMA-2026-0101").to_string();
    until(&events, "the first package", |event| {
        recorded(std::slice::from_ref(event)).iter().any(|r| r.entity_id == first && r.entity == "package")
    });

    cable.cut();
    let told = until(&events, "that the server is away", |event| matches!(event, FeedEvent::Away { .. }));
    let FeedEvent::Away { why } = told.last().unwrap() else { unreachable!() };
    assert!(why.contains("cannot be reached"), "{why}");

    // Meanwhile the other benches work on: their notifications never reach this one.
    let second = receive_at(&mut *store, "bench-2", "RMA-2026-0104").to_string();
    cable.mend();
    let told = until(&events, "that the server is back", |event| *event == FeedEvent::Connected);
    let caught_up = recorded(&told);
    assert!(caught_up.iter().any(|r| r.entity == "package" && r.entity_id == second), "{told:?}");
    assert!(!told.iter().any(|event| matches!(event, FeedEvent::Away { .. })), "told once: {told:?}");
}

#[test]
fn a_store_whose_server_goes_away_refuses_work_saying_so_and_connects_again_by_itself() {
    let Some(place) = Place::postgres() else { return };
    drop(bench(&place));
    let (cable, url) = through_cable(&place).unwrap();
    let mut store = PgStore::connect(&url, &POLICIES).unwrap();
    assert!(store.counts().unwrap().orders > 0);

    cable.cut();
    let refused = store.counts().unwrap_err();
    assert!(matches!(refused, StoreError::ServerAway { .. }), "{refused:?}");
    assert!(refused.to_string().contains("nothing of this was saved"), "{refused}");
    let claim = arrival(&*place.open(), "RMA-2026-0101");
    let not_received = receive(&mut store, &clerk("bench-1"), &now(), claim.clone());
    assert!(not_received.is_err());

    cable.mend();
    let deadline = Instant::now() + Duration::from_secs(30);
    let received = loop {
        match receive(&mut store, &clerk("bench-1"), &now(), claim.clone()) {
            Ok(received) => break received,
            Err(error) if Instant::now() < deadline => {
                assert!(error.to_string().contains("cannot be reached"), "{error}");
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(error) => panic!("never connected again: {error}"),
        }
    };
    let package = received.package.package_id;
    assert_eq!(place.open().package_history(package).unwrap().package.id, package, "saved once, on the server");
    assert!(store.verify().unwrap().is_sound());
}

/// A station window at `station` with a data folder of its own, on `location`.
fn window(dir: &std::path::Path, location: &DatabaseLocation, station: &str) -> Bench {
    let mut setup = StationSetup::open(POLICIES.clone(), dir, location, station.into(), Vec::new(), None, pin_secret());
    setup.clock = clock();
    harness(StationApp::new(setup, Arc::new(|| {})))
}

/// The units received on the package's sheet as the database last saved it.
fn units_saved(store: &dyn Store, package: i64) -> u32 {
    let history = store.package_history(package).unwrap();
    history.inspections.last().map_or(0, |(_, sheet)| sheet.units_received())
}

fn card_shown(app: &StationApp, rma: &str) -> bool {
    matches!(app.intake_view().card, Some(MatchCard::Rmas { ref code, .. }) if code == rma)
}

on_both!(two_windows_on_one_database_scanning_the_same_rma_at_once_end_with_one_decision_and_one_refund);
/// Issue 16, done when: two real station windows on one database, scanning the same RMA at the same time, end
/// with one decision and one refund. What one bench receives shows on the other's intake screen by itself.
fn two_windows_on_one_database_scanning_the_same_rma_at_once_end_with_one_decision_and_one_refund(place: &Place) {
    with_demo(place);
    let elsewhere = tempfile::tempdir().unwrap();
    let mut one = window(place.dir(), &place.location(), "bench-1");
    let mut two = window(elsewhere.path(), &place.location(), "bench-2");
    sign_in(&mut one, "sam", "1357");
    sign_in(&mut two, "dana", "246810");

    // Both scan the label and press Enter before either hears back.
    scan(&mut one, "RMA-2026-0101");
    scan(&mut two, "RMA-2026-0101");
    step_until(&mut one, "the match card", |app| card_shown(app, "RMA-2026-0101"));
    step_until(&mut two, "the match card", |app| card_shown(app, "RMA-2026-0101"));
    enter(&mut one);
    enter(&mut two);
    let deadline = Instant::now() + Duration::from_secs(30);
    let (mut winner, mut loser) = loop {
        one.step();
        two.step();
        let refused = |app: &StationApp| app.screen() == Screen::Intake && app.banner().is_some_and(|(good, _)| !good);
        match (one.state().screen(), two.state().screen()) {
            (Screen::Inspection, _) if refused(two.state()) => break (one, two),
            (_, Screen::Inspection) if refused(one.state()) => break (two, one),
            (Screen::Inspection, Screen::Inspection) => panic!("both benches opened the package"),
            _ => assert!(Instant::now() < deadline, "the race never settled"),
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let refusal = loser.state().banner().unwrap().1.clone();
    assert!(refusal.contains("open at bench-") || refusal.contains("received for this RMA already"), "{refusal}");
    let package = winner.state().package_on_bench().unwrap();

    // The loser's intake lists the package received at the other bench without anyone asking it to.
    step_until(&mut loser, "the other bench's package", |app| {
        app.intake_view().waiting.iter().any(|p| p.id == package)
    });

    for sku in ["KVM-4P-DP", "CBL-KVM-USB-2M", "CBL-KVM-USB-2M"] {
        scan(&mut winner, sku);
    }
    decide(&mut winner);
    // The loser tries again while the winner is on the decision: looked at, not opened.
    scan(&mut loser, "RMA-2026-0101");
    step_until(
        &mut loser,
        "the card of the open package",
        |app| matches!(app.intake_view().card, Some(MatchCard::Rmas { open_package: Some(id), .. }) if id == package),
    );
    enter(&mut loser);
    step_until(&mut loser, "the refusal", |app| {
        app.banner().is_some_and(|(good, words)| !good && words.contains("is open at bench-"))
    });
    assert_eq!(loser.state().package_on_bench(), None);
    confirm(&mut winner);

    let store = place.open();
    assert_eq!(store.find_packages("RMA-2026-0101", 10).unwrap().len(), 1, "one package");
    let history = store.package_history(package).unwrap();
    assert_eq!(history.decisions.len(), 1, "one decision");
    let refunds: Vec<_> = history.queue.iter().filter(|item| item.queue == Queue::Refund).collect();
    assert_eq!(refunds.len(), 1, "one refund: {:?}", history.queue);
    assert_eq!(store.queue_items(Queue::Refund, true, 100).unwrap().len(), 1);
    assert!(store.verify().unwrap().is_sound());
}

#[test]
fn a_window_whose_database_goes_away_says_so_keeps_scans_and_edits_refuses_to_confirm_and_sends_them_when_back() {
    let Some(place) = Place::postgres() else { return };
    with_demo(&place);
    let (cable, url) = through_cable(&place).unwrap();
    let mut bench = window(place.dir(), &DatabaseLocation::Postgres(url), "bench-1");
    sign_in(&mut bench, "sam", "1357");

    // The cable is cut: every screen says so at once.
    cable.cut();
    step_until(&mut bench, "the banner", |app| matches!(app.reach(), Reach::Away { .. }));
    bench.get_by_label_contains("DATABASE AWAY since");
    // A package scanned meanwhile is kept, in order, and looked up when the database is back.
    scan(&mut bench, "RMA-2026-0101");
    assert_eq!(bench.state().intake_view().recent[0].outcome, ScanOutcome::Kept);
    bench.get_by_label_contains(KEPT_SCAN);
    cable.mend();
    step_until(&mut bench, "the kept scan's card", |app| card_shown(app, "RMA-2026-0101"));
    assert_eq!(bench.state().reach(), &Reach::Connected);
    enter(&mut bench);
    step_until(&mut bench, "the inspection", |app| app.screen() == Screen::Inspection);
    let package = bench.state().package_on_bench().unwrap();
    scan(&mut bench, "KVM-4P-DP");

    // Cut again mid-inspection: the edits stay on the bench, the decision waits and says why.
    cable.cut();
    step_until(&mut bench, "the banner", |app| matches!(app.reach(), Reach::Away { .. }));
    scan(&mut bench, "CBL-KVM-USB-2M");
    scan(&mut bench, "CBL-KVM-USB-2M");
    decide(&mut bench);
    bench.get_by_label_contains("DATABASE AWAY since");
    enter(&mut bench);
    step_until(&mut bench, "the refusal", |app| app.banner().is_some_and(|(_, words)| words == DECISION_WAITS));
    let store = place.open();
    assert!(units_saved(&*store, package) < 3, "the server never saw the edits made while it was away");
    assert!(store.package_history(package).unwrap().decisions.is_empty(), "nothing decided while away");
    // A close now: the window asks first, naming the edits kept on the bench, and the clerk keeps working.
    crate::gui::ask_to_close(&mut bench);
    bench.get_by_label(rma_station::gui::app::CLOSING_AWAY_TITLE);
    bench.get_by_label_contains(&format!("the latest edits of RMA-2026-0101 (package #{package})"));
    bench.get_by_label(rma_station::gui::KEEP_WORKING).click();
    bench.run();

    // Back: the edits are sent by themselves, and the decision is confirmed on the shared records.
    cable.mend();
    step_until(&mut bench, "the database back", |app| app.reach() == &Reach::Connected);
    step_until(&mut bench, "the kept edits sent", |_| units_saved(&*store, package) == 3);
    confirm(&mut bench);
    let history = store.package_history(package).unwrap();
    assert_eq!(history.decisions.len(), 1);
    assert!(store.verify().unwrap().is_sound());
}

#[test]
fn a_bench_killed_while_its_database_is_away_finds_its_kept_scans_and_sheet_at_the_next_start() {
    let Some(place) = Place::postgres() else { return };
    with_demo(&place);
    let (cable, url) = through_cable(&place).unwrap();
    let location = DatabaseLocation::Postgres(url);
    let mut bench = window(place.dir(), &location, "bench-1");
    sign_in(&mut bench, "sam", "1357");
    open_package(&mut bench, "RMA-2026-0101");
    let package = bench.state().package_on_bench().unwrap();
    bench.key_press(eframe::egui::Key::Escape);
    bench.run();

    // Away: a package scanned at intake and the sheet filled in are kept, and kept in the data folder.
    cable.cut();
    step_until(&mut bench, "the banner", |app| matches!(app.reach(), Reach::Away { .. }));
    scan(&mut bench, "RMA-2026-0104");
    bench.key_press(eframe::egui::Key::F2);
    bench.run();
    for sku in ["KVM-4P-DP", "CBL-KVM-USB-2M", "CBL-KVM-USB-2M"] {
        scan(&mut bench, sku);
    }
    let file = kept_work_path(place.dir());
    let kept = |_: &StationApp| -> bool {
        let Ok(text) = std::fs::read_to_string(&file) else { return false };
        let work = rma_station::formats::kept_work::parse(&text, "kept-work.json").unwrap();
        work.scans == ["RMA-2026-0104"] && work.sheet.is_some_and(|kept| kept.sheet.units_received() == 3)
    };
    step_until(&mut bench, "the kept work in its file", kept);
    // Killed: no close, nothing saved on the way out.
    drop(bench);
    let store = place.open();
    assert!(units_saved(&*store, package) < 3, "the server never saw the edits");

    // The next start, the database back: the scan is looked up and the sheet is back on its package, and sent.
    cable.mend();
    let mut again = window(place.dir(), &location, "bench-1");
    sign_in(&mut again, "sam", "1357");
    step_until(&mut again, "the package back on the bench", |app| app.package_on_bench() == Some(package));
    assert_eq!(again.state().sheet().map(|sheet| sheet.units_received()), Some(3));
    step_until(&mut again, "the kept scan looked up", |app| {
        app.intake_view()
            .recent
            .iter()
            .any(|row| row.code == "RMA-2026-0104" && matches!(row.outcome, ScanOutcome::Found(_)))
    });
    step_until(&mut again, "the kept sheet sent", |_| units_saved(&*store, package) == 3);
    step_until(&mut again, "the kept work's file gone", |_| !file.exists());
}
