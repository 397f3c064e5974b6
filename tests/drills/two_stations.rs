//! Two stations, one file: two real processes writing the same database at once, stations opening a
//! new file together, and a database kept busy by another station — waited for, then reported.
//!
//! SQLite only: one file shared by two processes on one host, its migration by whoever opens it first and its
//! busy timeout. On PostgreSQL benches share a server (`drills::race`, `contract`).

use std::process::{Command, Stdio};
use std::time::Duration;

use rma_station::drill::Step;
use rma_station::drill::two_stations::{STATIONS, TwoStations, run};
use rusqlite::Connection;

use super::size;
use crate::data_cli::station;
use crate::support::{POLICIES, clock, fixture, station_binary};

#[test]
fn two_stations_writing_one_file_at_once_both_finish_and_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let packages = size("RMA_DRILL_PACKAGES", 25);
    let drill = TwoStations {
        binary: station_binary(),
        data_dir: dir.path().to_path_buf(),
        packages,
        seed: 11,
        clock: clock(),
    };
    let report = run(&drill, &POLICIES).unwrap();
    eprintln!("two stations: {report:#?}");
    assert!(report.passed(), "{:#?}", report.problems);
    for station in STATIONS {
        assert_eq!(report.committed.get(&(station.to_owned(), Step::Decision)), Some(&packages), "{report:#?}");
    }
    // Their writes really alternated in the file, rather than one station running after the other.
    assert!(report.interleavings > 0, "{report:#?}");
}

#[test]
fn stations_opening_a_new_file_at_the_same_moment_migrate_it_once() {
    for round in 0..8 {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().display().to_string();
        let stations: Vec<_> = (0..6)
            .map(|_| {
                Command::new(station_binary())
                    .args(["--data-dir", &data, "verify"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in stations {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "round {round}: {}", String::from_utf8_lossy(&out.stderr));
        }
    }
}

#[test]
fn a_busy_database_is_waited_for_and_the_user_is_told_when_it_stays_busy() {
    let dir = tempfile::tempdir().unwrap();
    assert!(station(dir.path(), &["import", "orders", &fixture("import/station-orders.csv").display().to_string()]).0);
    let other_station = Connection::open(dir.path().join("station.sqlite3")).unwrap();
    let rmas = |file: &str| fixture(&format!("import/{file}")).display().to_string();

    // Another station holds the write lock for a moment: the import waits for it, then succeeds.
    other_station.execute_batch("BEGIN IMMEDIATE").unwrap();
    let data = dir.path().display().to_string();
    let waiting = Command::new(station_binary())
        .args(["--data-dir", &data, "import", "rmas", &rmas("station-rmas.csv")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let mut waiting = waiting;
    assert!(waiting.try_wait().unwrap().is_none(), "the import gave up at once instead of waiting");
    other_station.execute_batch("COMMIT").unwrap();
    let out = waiting.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).ends_with("3 RMAs: 3 new, 0 updated, 0 unchanged\n"));

    // Held past the busy timeout: the user is told, in words, and nothing is written.
    other_station.execute_batch("BEGIN IMMEDIATE").unwrap();
    let (ok, _, err) = station(dir.path(), &["import", "orders", &rmas("station-orders.json")]);
    other_station.execute_batch("ROLLBACK").unwrap();
    assert!(!ok);
    assert_eq!(
        err.trim(),
        "rma-station: the database is busy (another station is writing) and did not free up in time; try again"
    );
    let entries: i64 = other_station.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0)).unwrap();
    assert_eq!(entries, 8, "the refused import wrote something");
}
