//! Disk full and unwritable folders: the database and the photo folder on a small filesystem (a tmpfs
//! capped at a few MB), filled up while the station works. The operator must get a clear error, nothing
//! already saved may be damaged, and the station must work again once space is back.
//!
//! Mounting a tmpfs needs root (CI runs as root). Elsewhere these tests say loudly that they did not
//! run and pass; with `CI` set they fail instead, so CI can never skip them unnoticed.
//!
//! SQLite only: the database that fills the small disk is the data folder's SQLite file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use rma_station::drill::check::check_file;
use rma_station::drill::worker::WorkerSetup;
use rma_station::drill::{Committed, DrillError, Report, prepare};
use rma_station::storage::location::DatabaseLocation;
use rma_station::storage::{database_path, photos_path};
use rusqlite::Connection;

use crate::support::{POLICIES, clock};

/// A folder on a tmpfs of its own, unmounted when dropped.
pub(super) struct SmallDisk {
    mount: tempfile::TempDir,
}

impl SmallDisk {
    /// A tmpfs of `size` (`4m`); none (after saying so) where this machine may not mount one.
    pub(super) fn new(size: &str) -> Option<SmallDisk> {
        let mount = tempfile::tempdir().unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0755"), "rma-drill"])
            .arg(mount.path())
            .output();
        let failure = match out {
            Ok(out) if out.status.success() => return Some(SmallDisk { mount }),
            Ok(out) => String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            Err(e) => e.to_string(),
        };
        assert!(std::env::var_os("CI").is_none(), "CI must run the disk-full drill (as root): mount failed: {failure}");
        eprintln!("\n*** DISK-FULL DRILL NOT RUN: a size-capped tmpfs needs root (mount: {failure}) ***\n");
        None
    }

    pub(super) fn path(&self) -> &Path {
        self.mount.path()
    }

    /// Fills the disk with a file until it is full; removing the file gives the space back.
    pub(super) fn fill(&self) -> PathBuf {
        let filler = self.path().join("filler");
        let mut file = std::fs::File::create(&filler).unwrap();
        let chunk = vec![0_u8; 16 * 1024];
        while file.write_all(&chunk).is_ok() {}
        // The last partial chunk: byte by byte into whatever is left.
        while file.write_all(&[0]).is_ok() {}
        filler
    }

    /// Makes the disk read-only (or writable again).
    pub(super) fn read_only(&self, read_only: bool) {
        let option = if read_only { "remount,ro" } else { "remount,rw" };
        let status = Command::new("mount").args(["-o", option]).arg(self.path()).status().unwrap();
        assert!(status.success(), "mount -o {option} failed");
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let unmounted = Command::new("umount").arg(self.path()).status().is_ok_and(|s| s.success());
        if !unmounted {
            // Something still holds a file open there (a test that failed): detach it anyway.
            let _ = Command::new("umount").arg("--lazy").arg(self.path()).status();
        }
    }
}

/// Runs the drill worker in this process on `dir` for `packages` packages (until it fails when none):
/// what it reported committed, and how it ended.
fn work(dir: &Path, packages: Option<u64>) -> (Vec<Committed>, Result<(), DrillError>) {
    let database = DatabaseLocation::Sqlite(database_path(dir));
    let setup = WorkerSetup {
        data_dir: dir.to_path_buf(),
        database,
        station: "drill".into(),
        seed: 3,
        packages,
        clock: clock(),
    };
    let mut out = Vec::new();
    let ended = rma_station::drill::worker::run(&setup, &POLICIES, &mut out);
    let committed = String::from_utf8(out)
        .unwrap()
        .lines()
        .filter_map(|line| match line.parse().unwrap() {
            Report::Committed(change) => Some(change),
            _ => None,
        })
        .collect();
    (committed, ended)
}

/// Moves everything in the write-ahead log into the database and empties the log, so that the next write
/// must grow the log: on a full disk it then fails at once rather than after the log's slack is used.
fn empty_the_log(dir: &Path) {
    let conn = Connection::open(database_path(dir)).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
}

#[track_caller]
fn assert_sound(dir: &Path, committed: &[Committed]) {
    let findings = check_file(&database_path(dir), &photos_path(dir), &POLICIES, committed).unwrap();
    assert_eq!((findings.lost, findings.problems), (0, Vec::<String>::new()));
}

#[test]
fn a_full_disk_stops_the_save_path_with_a_clear_error_damages_nothing_and_passes_once_space_is_back() {
    let Some(disk) = SmallDisk::new("6m") else { return };
    let dir = disk.path();
    prepare(dir, &POLICIES, &clock().now()).unwrap();
    let (mut saved, ended) = work(dir, Some(3));
    ended.unwrap();

    empty_the_log(dir);
    let filler = disk.fill();
    let (more, ended) = work(dir, None);
    saved.extend(more);
    let error = ended.unwrap_err().to_string();
    eprintln!("disk full: {error}");
    assert!(error.contains("disk") && error.contains("full") && error.contains("free some space"), "{error}");

    // Space back: everything saved before and while the disk filled is there, whole, and work goes on.
    std::fs::remove_file(filler).unwrap();
    assert_sound(dir, &saved);
    let (more, ended) = work(dir, Some(3));
    ended.unwrap();
    saved.extend(more);
    assert_sound(dir, &saved);
}

#[test]
fn at_the_bench_a_full_disk_says_so_and_the_same_decision_saves_once_space_is_back() {
    use crate::bench_flow::{confirm, decide, enter, history_of, open_package};
    use crate::gui::{demo_station, scan, step_until};
    use crate::support::place::Place;
    use egui_kittest::kittest::Queryable as _;

    let Some(disk) = SmallDisk::new("8m") else { return };
    let place = Place::sqlite_in(disk.path());
    let mut harness = demo_station(&place);
    open_package(&mut harness, "RMA-2026-0101");
    for sku in ["KVM-4P-DP", "CBL-KVM-USB-2M", "CBL-KVM-USB-2M"] {
        scan(&mut harness, sku);
    }
    decide(&mut harness);

    empty_the_log(disk.path());
    let filler = disk.fill();
    enter(&mut harness);
    step_until(&mut harness, "the refusal to save", |app| {
        app.decision_view().and_then(|view| view.message).is_some_and(|m| m.starts_with("not saved: "))
    });
    let message = harness.state().decision_view().and_then(|view| view.message).unwrap();
    eprintln!("at the bench: {message}");
    assert!(message.contains("disk") && message.contains("full") && message.contains("free some space"), "{message}");
    harness.get_by_label(&message);

    // Space back: the decision still on screen is confirmed again, and saved whole.
    std::fs::remove_file(filler).unwrap();
    confirm(&mut harness);
    let history = history_of(&place, "RMA-2026-0101");
    assert_eq!((history.decisions.len(), history.queue.len()), (1, 1));
    drop(harness);
}

#[test]
fn photos_and_exports_on_a_full_disk_say_so_leave_nothing_half_written_and_work_once_space_is_back() {
    use rma_station::durable::write_file_atomically;
    use rma_station::photos::store::{PhotoCheck, PhotoFolder};

    let Some(disk) = SmallDisk::new("2m") else { return };
    let folder = PhotoFolder::new(disk.path().join("photos"));
    let first = folder.put(b"a photo stored before the disk filled").unwrap();
    let exports = disk.path().join("exports");
    std::fs::create_dir(&exports).unwrap();
    let filler = disk.fill();
    let before: Vec<_> = std::fs::read_dir(folder.root().join(&first.sha256.to_hex()[..2])).unwrap().collect();

    let photo = vec![7_u8; 64 * 1024];
    let error = folder.put(&photo).unwrap_err().to_string();
    assert!(
        error.contains("the disk is full") && error.contains("free some space") && error.contains("nothing was kept"),
        "{error}"
    );
    let export = exports.join("refund-20261121-093000.csv");
    let error = write_file_atomically(&export, &vec![b'x'; 64 * 1024]).unwrap_err().to_string();
    assert!(error.starts_with(&export.display().to_string()) && error.contains("the disk is full"), "{error}");
    // Nothing half written: no temporary files, no partial photo or export, the old photo intact.
    assert_eq!(std::fs::read_dir(&exports).unwrap().count(), 0);
    assert_eq!(folder.list().unwrap(), vec![first.sha256]);
    let shard = folder.root().join(&first.sha256.to_hex()[..2]);
    assert_eq!(std::fs::read_dir(&shard).unwrap().count(), before.len());
    assert_eq!(folder.verify(&first.sha256).unwrap(), PhotoCheck::Ok);

    std::fs::remove_file(filler).unwrap();
    let stored = folder.put(&photo).unwrap();
    assert_eq!(folder.verify(&stored.sha256).unwrap(), PhotoCheck::Ok);
    write_file_atomically(&export, &vec![b'x'; 64 * 1024]).unwrap();
    assert_eq!(std::fs::read(&export).unwrap().len(), 64 * 1024);
}

#[test]
fn an_unwritable_data_folder_is_named_in_the_error_and_nothing_saved_is_damaged() {
    let Some(disk) = SmallDisk::new("8m") else { return };
    let dir = disk.path();
    prepare(dir, &POLICIES, &clock().now()).unwrap();
    let (saved, ended) = work(dir, Some(2));
    ended.unwrap();

    // The disk turns read-only (a failing drive is remounted so by the kernel; a locked-down folder).
    disk.read_only(true);
    let (_, ended) = work(dir, None);
    let error = ended.unwrap_err().to_string();
    eprintln!("read-only: {error}");
    assert!(error.contains("read-only") || error.contains("may not write there"), "{error}");
    disk.read_only(false);
    assert_sound(dir, &saved);

    // A file where the photo folder should be: the photo is refused, naming the folder.
    let photos = photos_path(dir);
    let moved = dir.join("photos.moved");
    std::fs::rename(&photos, &moved).unwrap();
    std::fs::write(&photos, b"not a folder").unwrap();
    let (_, ended) = work(dir, None);
    let error = ended.unwrap_err().to_string();
    assert!(error.starts_with(&photos.display().to_string()), "{error}");
    std::fs::remove_file(&photos).unwrap();
    std::fs::rename(&moved, &photos).unwrap();
    let (more, ended) = work(dir, Some(1));
    ended.unwrap();
    assert_sound(dir, &[saved, more].concat());
}

#[test]
fn issue_15_a_backup_onto_a_full_disk_names_that_disk_and_leaves_nothing_there() {
    use crate::data_cli::station;

    let data = tempfile::tempdir().unwrap();
    let (ok, _, err) = station(data.path(), &["demo"]);
    assert!(ok, "{err}");
    let Some(disk) = SmallDisk::new("1m") else { return };
    let filler = disk.fill();
    let destination = disk.path().join("backup.sqlite3");
    let destination_arg = destination.to_str().unwrap();

    let (ok, out, err) = station(data.path(), &["backup", destination_arg]);
    assert!(!ok && out.is_empty(), "{out}");
    eprintln!("backup onto a full disk: {err}");
    assert!(
        err.starts_with(&format!("rma-station: {}: the disk holding this folder is full", disk.path().display())),
        "{err}"
    );
    assert!(!err.contains("holding the database"), "{err}");
    let left: Vec<_> = std::fs::read_dir(disk.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["filler"], "nothing of the backup is left, no -journal either");

    std::fs::remove_file(filler).unwrap();
    let (ok, out, err) = station(data.path(), &["backup", destination_arg]);
    assert!(ok && out.contains("integrity ok"), "{out}{err}");
}
