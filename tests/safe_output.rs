//! Issue 15, reproductions 5 and 6: `-o` never writes onto the station's own files (the database and its
//! `-wal`/`-shm`, photo originals), nor onto an existing file without `--force`; a backup takes its name only
//! when it is whole, and a backup killed midway neither leaves a file at that name nor blocks the next one.
//! (A backup onto a full disk is in `drills::disk_full`.)
//!
//! SQLite only: these guard the SQLite file in the data folder (its `-wal`/`-shm`) and its backup files.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use rma_station::domain::vocabulary::Condition;
use rma_station::photos::store::{PhotoCheck, PhotoFolder};
use rma_station::storage::sqlite::SqliteStore;
use rma_station::storage::{Store, database_path, photos_path};
use rusqlite::Connection;

use crate::data_cli::station;
use crate::labels::{decide_package, demo_store, stamp};
use crate::support::{POLICIES, TODAY, date, station_binary};

/// A data folder with the demo data, RMA-2026-0101 decided (the switch back as new, its cables used: two
/// bins, two labels), and one photo original stored; the photo's path.
fn decided_folder(dir: &Path) -> std::path::PathBuf {
    let mut store = demo_store(dir);
    let edit = |sheet: &mut rma_station::domain::inspection::InspectionSheet| {
        for item in &mut sheet.items {
            item.state.condition = if item.sku == "KVM-4P-DP" { Condition::Unused } else { Condition::Used };
        }
    };
    decide_package(&mut store, "RMA-2026-0101", edit, date(TODAY), &stamp());
    drop(store);
    let folder = PhotoFolder::new(photos_path(dir));
    let stored = folder.put(b"a photo original, named by its hash").unwrap();
    folder.path_of(&stored.sha256)
}

/// Runs a command that must be refused: its error message (standard output empty).
#[track_caller]
fn refused(data: &Path, args: &[&str]) -> String {
    let (ok, out, err) = station(data, args);
    assert!(!ok && out.is_empty(), "{args:?} was not refused: {out}");
    err
}

#[test]
fn issue_15_evidence_and_label_never_write_onto_the_database_or_a_photo_original() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let photo = decided_folder(data);
    let database = database_path(data);
    let db = database.to_str().unwrap();
    let before = fs::read(&database).unwrap();

    let err = refused(data, &["evidence", "RMA-2026-0101", "-o", db]);
    assert_eq!(err, format!("rma-station: {db} is the station's database; choose another file\n"));
    // --force replaces an ordinary file, never the station's own.
    let err = refused(data, &["label", "RMA-2026-0101", "--format", "png", "-o", db, "--force"]);
    assert!(err.contains("is the station's database; choose another file"), "{err}");
    let wal = format!("{db}-wal");
    let err = refused(data, &["label", "RMA-2026-0101", "-o", &wal, "--force"]);
    assert!(err.contains("is the station's database's write-ahead log; choose another file"), "{err}");

    let original = photo.to_str().unwrap();
    let err = refused(data, &["label", "RMA-2026-0101", "--format", "png", "-o", original, "--force"]);
    assert!(err.contains("is in the station's photo folder, which only the station writes"), "{err}");
    // A link from elsewhere into the data folder is followed, whether its target exists or not yet.
    let elsewhere = tempfile::tempdir().unwrap();
    for (link, target) in [("db.pdf", database.clone()), ("shm.pdf", data.join("station.sqlite3-shm"))] {
        let link = elsewhere.path().join(link);
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let err = refused(data, &["evidence", "RMA-2026-0101", "-o", link.to_str().unwrap(), "--force"]);
        assert!(err.contains("(it leads to ") && err.contains("database"), "{err}");
    }
    let folder_link = elsewhere.path().join("data");
    std::os::unix::fs::symlink(data, &folder_link).unwrap();
    let through = folder_link.join("photos/../station.sqlite3");
    let err = refused(data, &["evidence", "RMA-2026-0101", "-o", through.to_str().unwrap()]);
    assert!(err.contains("is the station's database"), "{err}");

    assert_eq!(fs::read(&database).unwrap(), before, "the database is untouched");
    let folder = PhotoFolder::new(photos_path(data));
    let hashes = folder.list().unwrap();
    assert_eq!(folder.verify(&hashes[0]).unwrap(), PhotoCheck::Ok, "the photo original is untouched");
    let (ok, _, err) = station(data, &["verify"]);
    assert!(ok, "{err}");
}

#[test]
fn issue_15_an_existing_file_is_replaced_only_with_force_and_nothing_is_written_when_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    decided_folder(data);
    let out = tempfile::tempdir().unwrap();
    let packet = out.path().join("packet.pdf");
    fs::write(&packet, b"keep me").unwrap();
    let target = packet.to_str().unwrap();

    let err = refused(data, &["evidence", "RMA-2026-0101", "-o", target]);
    assert_eq!(err, format!("rma-station: {target} exists; add --force to replace it\n"));
    assert_eq!(fs::read(&packet).unwrap(), b"keep me");
    let (ok, _, err) = station(data, &["evidence", "RMA-2026-0101", "-o", target, "--force"]);
    assert!(ok, "{err}");
    assert!(fs::read(&packet).unwrap().starts_with(b"%PDF"));

    // Two PNG labels: the second name is taken, so neither is written.
    let first = out.path().join("label.png");
    let second = out.path().join("label-2.png");
    fs::write(&second, b"keep me too").unwrap();
    let err = refused(data, &["label", "RMA-2026-0101", "--format", "png", "-o", first.to_str().unwrap()]);
    assert_eq!(err, format!("rma-station: {} exists; add --force to replace it\n", second.display()));
    assert!(!first.exists());
    assert_eq!(fs::read(&second).unwrap(), b"keep me too");

    let sheet = out.path().join("sheet.svg");
    fs::write(&sheet, b"old").unwrap();
    let err = refused(data, &["bench-sheet", "-o", sheet.to_str().unwrap()]);
    assert!(err.contains("exists; add --force to replace it"), "{err}");
    let (ok, _, err) = station(data, &["bench-sheet", "-o", sheet.to_str().unwrap(), "--force"]);
    assert!(ok, "{err}");
    assert!(fs::read(&sheet).unwrap().starts_with(b"<"));
}

/// The names in a folder, sorted.
fn names(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(folder).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn issue_15_leftovers_of_a_killed_backup_do_not_block_the_next_and_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let out = tempfile::tempdir().unwrap();
    let pid = std::process::id();
    for leftover in [
        format!(".backup.sqlite3.partial-{pid}"),
        ".backup.sqlite3.partial-4000001-journal".into(),
        ".backup.sqlite3.partial-notes".into(),
    ] {
        fs::write(out.path().join(leftover), b"half a backup").unwrap();
    }
    let destination = out.path().join("backup.sqlite3");
    let report = store.backup_to(&destination).unwrap();
    assert!(report.is_sound(), "{report:?}");
    // Only files of the temporary name's exact shape are removed; anything else is not the backup's.
    assert_eq!(names(out.path()), [".backup.sqlite3.partial-notes", "backup.sqlite3"]);
    let copy = Connection::open(&destination).unwrap();
    let check: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
}

#[test]
fn issue_15_a_backup_killed_midway_leaves_no_file_at_its_name_and_a_rerun_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    drop(SqliteStore::open(&database_path(data), &POLICIES).unwrap());
    // Ballast, so that the copy takes long enough to be killed midway.
    let conn = Connection::open(database_path(data)).unwrap();
    conn.execute_batch("CREATE TABLE ballast(b BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 48) INSERT INTO ballast SELECT randomblob(1048576) FROM n;").unwrap();
    drop(conn);
    let out = tempfile::tempdir().unwrap();
    let destination = out.path().join("backup.sqlite3");
    let (data_arg, destination_arg) = (data.to_str().unwrap(), destination.to_str().unwrap());

    let mut child = Command::new(station_binary())
        .args(["--data-dir", data_arg, "backup", destination_arg])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Killed the moment its first file appears in the destination folder.
    let seen = loop {
        let seen = names(out.path());
        if !seen.is_empty() {
            break seen;
        }
        assert!(child.try_wait().unwrap().is_none(), "the backup ended before any file of it was seen");
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(seen.iter().all(|name| name.starts_with(".backup.sqlite3.partial-")), "{seen:?}");
    assert!(!destination.exists(), "a killed backup left a file at its name: {:?}", names(out.path()));

    let (ok, report, err) = station(data, &["backup", destination_arg]);
    assert!(ok, "{err}");
    assert!(report.contains("integrity ok"), "{report}");
    assert_eq!(names(out.path()), ["backup.sqlite3"]);
}
