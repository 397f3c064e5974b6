//! Benches on one PostgreSQL server (issue 16): three bench processes working the same demo RMAs at once,
//! benches killed at random and restarted, and the server restarted under them (`pg_ctl restart -m
//! immediate`). Nothing reported committed may be lost, no unit settled twice, and the database must verify.
//!
//! PostgreSQL only, on a server of the test's own: the drill restarts its server, which must never be the one
//! the other tests share (`tests/support/pg.rs`).

use rma_station::drill::Step;
use rma_station::drill::benches::{BenchesDrill, run};

use crate::support::pg::own_server;
use crate::support::{POLICIES, clock, station_binary};

#[test]
fn benches_killed_and_a_server_restarted_lose_nothing_and_settle_nothing_twice() {
    let Some(server) = own_server() else { return };
    let folder = tempfile::tempdir().unwrap();
    let drill = BenchesDrill {
        binary: station_binary(),
        folder: folder.path().to_path_buf(),
        database: server.database("benches_drill"),
        benches: 3,
        packages: 45,
        kills: 6,
        seed: 16,
        restart_server: Some(server.restart_command()),
        clock: clock(),
    };
    let report = run(&drill, &POLICIES).unwrap();
    eprintln!("benches drill: {report:#?}");
    assert!(report.passed(), "{:#?}", report.problems);
    assert_eq!((report.lost, report.doubled, report.verify_problems), (0, 0, 0), "{report:#?}");
    assert_eq!(report.committed.get(&Step::Decision), Some(&45), "{report:#?}");
    assert_eq!((report.kills, report.server_restarts), (6, 1), "{report:#?}");
    // The restart cut the benches off, and they came back by themselves.
    assert!(report.reconnections > 0, "{report:#?}");
}

#[test]
fn a_database_that_is_not_empty_is_refused() {
    let Some(server) = own_server() else { return };
    let folder = tempfile::tempdir().unwrap();
    let database = server.database("not_empty");
    let location = rma_station::storage::location::DatabaseLocation::Postgres(database.clone());
    let mut store = rma_station::storage::open(&location, &POLICIES).unwrap();
    let stamp = rma_station::storage::Stamp { at: clock().now().at, station: "t".into(), operator: "t".into() };
    let secret = rma_station::auth::PinSecret::random().unwrap();
    rma_station::demo::load_demo(&mut *store, clock().now().today, &stamp, &secret).unwrap();
    drop(store);
    let drill = BenchesDrill {
        binary: station_binary(),
        folder: folder.path().to_path_buf(),
        database,
        benches: 2,
        packages: 2,
        kills: 0,
        seed: 1,
        restart_server: None,
        clock: clock(),
    };
    let refused = run(&drill, &POLICIES).unwrap_err().to_string();
    assert!(refused.contains("is not empty"), "{refused}");
}
