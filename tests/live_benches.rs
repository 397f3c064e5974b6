//! Issue 16, live benches and faults: the `changes` thread tells a bench what the others changed (read from the
//! audit log, woken by PostgreSQL's notifications or a SQLite file's change counter), catches up after the
//! database was away, and says when it is away; a store whose server went away refuses work with the reason and
//! connects again by itself. The server's absence is a cut cable (`support::cable`), never the shared server
//! stopped.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, sync_channel};
use std::time::{Duration, Instant};

use rma_station::bench::intake::{Arrival, receive};
use rma_station::bench::{self, Actor, Claim};
use rma_station::clock::Now;
use rma_station::domain::vocabulary::Role;
use rma_station::storage::changes::{ChangeFeed, FeedEvent, Heard, Recorded};
use rma_station::storage::location::DatabaseLocation;
use rma_station::storage::postgres::PgStore;
use rma_station::storage::{Store, StoreError};

use crate::bench_store::{bench, stamp};
use crate::support::cable::Cable;
use crate::support::place::{Backend, Place, on_both};
use crate::support::{POLICIES, TODAY, date};

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
