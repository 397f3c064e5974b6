//! Issue 15, reproductions 5 and 6: `-o` never writes onto the station's own files (the database and its
//! `-wal`/`-shm`, photo originals), nor onto an existing file without `--force`; a backup takes its name only
//! when it is whole, and a backup killed midway neither leaves a file at that name nor blocks the next one.
//! (A backup onto a full disk is in `drills::disk_full`.)

use std::fs;
use std::path::Path;

use rma_station::domain::vocabulary::Condition;
use rma_station::photos::store::{PhotoCheck, PhotoFolder};
use rma_station::storage::{database_path, photos_path};

use crate::data_cli::station;
use crate::labels::{decide_package, demo_store, stamp};
use crate::support::{TODAY, date};

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
