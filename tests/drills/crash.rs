//! The crash drill: the real save path in a child process, killed with SIGKILL at random moments, and
//! the check after each kill. The check is itself checked: it must find a lost change, a decision
//! without its queue item, a sheet cut short and a photo record without its file.
//!
//! SQLite only: the drill kills writers of the data folder's SQLite file (its WAL after SIGKILL), restores
//! backup files of it mid-drill and starts fresh folders; its check reads that file. Two benches racing on
//! PostgreSQL are `drills::race` (on both).

use std::time::Duration;

use rma_station::drill::check::check_file;
use rma_station::drill::crash::{CrashDrill, run};
use rma_station::drill::worker::WorkerSetup;
use rma_station::drill::{Committed, Report, Step, prepare};
use rma_station::photos::store::PhotoFolder;
use rma_station::storage::location::DatabaseLocation;
use rma_station::storage::{database_path, photos_path};
use rusqlite::Connection;

use super::size;
use crate::support::{POLICIES, clock, station_binary};

#[test]
fn two_hundred_kills_at_random_moments_lose_nothing_reported_committed() {
    let dir = tempfile::tempdir().unwrap();
    let kills = size("RMA_DRILL_KILLS", 200);
    let seed = size("RMA_DRILL_SEED", 20_261_121);
    let drill = CrashDrill {
        binary: station_binary(),
        data_dir: dir.path().join("station"),
        kills,
        seed,
        max_delay: Duration::from_millis(100),
        backup_every: 10,
        fresh_every: 0,
        clock: clock(),
    };
    let report = run(&drill, &POLICIES, &mut |_| {}).unwrap();
    // The figures RELIABILITY.md records (shown with --nocapture).
    eprintln!("crash drill: {report:#?}");
    assert!(report.passed(), "{:#?}", report.problems);
    assert_eq!((report.kills, report.lost), (kills, 0));
    // A drill whose kills all missed the save path would prove nothing: packages went the whole way,
    // and kills landed inside the writes themselves.
    assert!(report.committed.get(&Step::Decision).is_some_and(|n| *n > 0), "{report:#?}");
    let inside_writes: Vec<&String> = report
        .landed
        .keys()
        .filter(|place| ["package", "inspection", "photo", "sheet", "decision"].contains(&place.as_str()))
        .collect();
    assert!(inside_writes.len() >= 2, "kills landed only {:?}", report.landed);
    assert!(report.backups_restored > 0, "{report:#?}");
    // Kills that landed in a decision came after the sheet was saved: those before the decision's commit left
    // a package that was resumed whole (the others were decided, and are checked as such).
    assert!(report.resumed > 0 || !report.landed.contains_key("decision"), "{report:#?}");
}

/// A data folder with the demo data and `packages` packages worked through the whole save path, in this
/// process; returns what the worker reported committed.
pub(super) fn worked(dir: &std::path::Path, packages: u64) -> Vec<Committed> {
    prepare(dir, &POLICIES, &clock().now()).unwrap();
    let setup = WorkerSetup {
        data_dir: dir.to_path_buf(),
        database: DatabaseLocation::Sqlite(database_path(dir)),
        station: "drill".into(),
        seed: 7,
        packages: Some(packages),
        clock: clock(),
    };
    let mut out = Vec::new();
    rma_station::drill::worker::run(&setup, &POLICIES, &mut out).unwrap();
    let reports: Vec<Report> = String::from_utf8(out).unwrap().lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(reports.first(), Some(&Report::Ready));
    reports
        .into_iter()
        .filter_map(|r| match r {
            Report::Committed(change) => Some(change),
            _ => None,
        })
        .collect()
}

#[track_caller]
fn problems(dir: &std::path::Path, committed: &[Committed]) -> (u64, Vec<String>) {
    let findings = check_file(&database_path(dir), &photos_path(dir), &POLICIES, committed).unwrap();
    (findings.lost, findings.problems)
}

#[test]
fn the_worker_reports_every_step_of_each_package_and_a_sound_folder_passes_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let committed = worked(dir.path(), 6);
    let steps: Vec<Step> = committed.iter().map(Committed::step).collect();
    for step in [Step::Package, Step::Inspection, Step::Photo, Step::Sheet, Step::Decision] {
        assert!(steps.contains(&step), "{step:?} never reported: {steps:?}");
    }
    assert_eq!(steps.iter().filter(|s| **s == Step::Decision).count(), 6);
    assert_eq!(problems(dir.path(), &committed), (0, Vec::new()));
}

#[test]
fn the_check_finds_a_lost_change_a_torn_decision_a_cut_sheet_and_a_photo_without_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let committed = worked(dir.path(), 6);

    // A change reported committed that the store does not hold.
    let phantom = Committed::Decision { package: 1, decision: 999, queue_items: 1 };
    let (lost, found) = problems(dir.path(), &[phantom]);
    assert_eq!(lost, 1);
    assert!(found[0].contains("but the decision is gone"), "{found:?}");

    let conn = Connection::open(database_path(dir.path())).unwrap();
    // A decision that lost its queue item, as if written in two transactions and cut between them.
    let (decision, item): (i64, i64) = conn
        .query_row("SELECT decision_id, id FROM queue_items ORDER BY id LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    conn.execute("DELETE FROM queue_items WHERE id = ?1", [item]).unwrap();
    // A sheet that lost an item.
    let inspection: i64 = conn
        .query_row("SELECT inspection_id FROM inspection_items ORDER BY inspection_id LIMIT 1", [], |r| r.get(0))
        .unwrap();
    conn.execute("DELETE FROM inspection_items WHERE inspection_id = ?1 AND position = (SELECT min(position) FROM inspection_items WHERE inspection_id = ?1)", [inspection]).unwrap();
    drop(conn);
    // A photo record whose file is gone.
    let photo = committed.iter().find_map(|c| match c {
        Committed::Photo { sha256, .. } => Some(sha256.clone()),
        _ => None,
    });
    let path = PhotoFolder::new(photos_path(dir.path())).path_of(&photo.unwrap().parse().unwrap());
    std::fs::remove_file(&path).unwrap();

    let (lost, found) = problems(dir.path(), &committed);
    let text = found.join("\n");
    for expected in [
        format!("decision {decision}: it created 1 queue items, the database holds 0"),
        format!("records queue_item {item}, which is not in the database"),
        format!("inspection {inspection}: its last save wrote"),
        "is recorded but its file is gone".to_owned(),
        "but some of its queue items are gone".to_owned(),
        "but the sheet holds other items".to_owned(),
    ] {
        assert!(text.contains(&expected), "missing {expected:?} in:\n{text}");
    }
    assert!(lost >= 2, "{lost}: {text}");
}
