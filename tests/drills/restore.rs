//! `backup` and `restore` through the real binary: a backup restores into an empty folder and verifies;
//! a restore never overwrites a database, never starts beside a leftover journal, and refuses a file
//! that is no database or a backup that does not verify, writing nothing. (The crash drill restores
//! backups taken while a worker writes.)
//!
//! SQLite only: backup files and restoring them are the SQLite file's; a shared PostgreSQL server is backed up
//! and restored by its own tools (the station says so: `data_cli::backup_writes_a_checked_copy_and_never_overwrites::postgres`).

use std::path::Path;

use rma_station::drill::Committed;
use rusqlite::Connection;

use super::crash::worked;
use crate::data_cli::station;

/// Copies the photo folder (`photos/ab/abcd…`): a backup holds the database, not the photos.
fn copy_photos(from: &Path, to: &Path) {
    for shard in std::fs::read_dir(from.join("photos")).unwrap() {
        let shard = shard.unwrap().path();
        let target = to.join("photos").join(shard.file_name().unwrap());
        std::fs::create_dir_all(&target).unwrap();
        for file in std::fs::read_dir(&shard).unwrap() {
            let file = file.unwrap().path();
            std::fs::copy(&file, target.join(file.file_name().unwrap())).unwrap();
        }
    }
}

#[test]
fn a_backup_restores_into_an_empty_folder_and_verifies_with_its_photos() {
    let bench = tempfile::tempdir().unwrap();
    let photos = worked(bench.path(), 3).iter().filter(|c| matches!(c, Committed::Photo { .. })).count();
    let backup = bench.path().join("backup.sqlite3").display().to_string();
    assert!(station(bench.path(), &["backup", &backup]).0);

    let new_machine = tempfile::tempdir().unwrap();
    copy_photos(bench.path(), new_machine.path());
    let (ok, out, err) = station(new_machine.path(), &["restore", &backup]);
    assert!(ok, "{err}\n{out}");
    let database = new_machine.path().join("station.sqlite3");
    assert!(out.starts_with(&format!("restored {backup} to {}: the backup verified (", database.display())), "{out}");
    assert!(out.contains("database: integrity ok\naudit log: "), "{out}");
    assert!(out.ends_with(&format!("photos: {photos} checked, all present and unaltered\n")), "{out}");
    let packages: i64 =
        Connection::open(&database).unwrap().query_row("SELECT count(*) FROM packages", [], |r| r.get(0)).unwrap();
    assert_eq!(packages, 3);

    // Without its photos, the restored database says which recorded photos are missing.
    let bare = tempfile::tempdir().unwrap();
    let (ok, out, _) = station(bare.path(), &["restore", &backup]);
    assert!(!ok);
    assert!(out.contains("MISSING: its file is gone"), "{out}");
}

#[test]
fn a_restore_never_overwrites_and_refuses_what_does_not_verify_writing_nothing() {
    let bench = tempfile::tempdir().unwrap();
    worked(bench.path(), 2);
    let backups = tempfile::tempdir().unwrap();
    let backup = backups.path().join("good.sqlite3");
    let backup_arg = backup.display().to_string();
    assert!(station(bench.path(), &["backup", &backup_arg]).0);

    // Over a database, or beside a leftover journal: refused, and named.
    let (ok, _, err) = station(bench.path(), &["restore", &backup_arg]);
    assert!(!ok);
    let database = bench.path().join("station.sqlite3");
    assert_eq!(
        err.trim(),
        format!(
            "rma-station: {}: a database is already there; a restore never overwrites one — move it away (with any -wal and -shm files beside it) first",
            database.display()
        )
    );
    let leftover = tempfile::tempdir().unwrap();
    std::fs::write(leftover.path().join("station.sqlite3-wal"), b"an old journal").unwrap();
    let (ok, _, err) = station(leftover.path(), &["restore", &backup_arg]);
    assert!(!ok);
    assert!(err.contains("station.sqlite3-wal: a database is already there"), "{err}");

    // Backups that are not what they should be. Each is refused before anything is written.
    let garbage = backups.path().join("garbage.sqlite3");
    std::fs::write(&garbage, vec![b'x'; 8192]).unwrap();
    let altered = backups.path().join("altered.sqlite3");
    std::fs::copy(&backup, &altered).unwrap();
    Connection::open(&altered)
        .unwrap()
        .execute_batch(
            "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET detail = '{}' WHERE seq = 3;
             CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                 BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
        )
        .unwrap();
    let torn = backups.path().join("torn.sqlite3");
    std::fs::copy(&backup, &torn).unwrap();
    let item: i64 = {
        let conn = Connection::open(&torn).unwrap();
        let item = conn.query_row("SELECT id FROM queue_items LIMIT 1", [], |r| r.get(0)).unwrap();
        conn.execute("DELETE FROM queue_items WHERE id = ?1", [item]).unwrap();
        item
    };
    for (file, problem) in [
        (&garbage, "file is not a database".to_owned()),
        (&altered, "audit entry 3 was altered after it was written".to_owned()),
        (&torn, format!("records queue_item {item}, which is not in the database")),
        (&backups.path().join("absent.sqlite3"), "there is no backup file here".to_owned()),
    ] {
        let empty = tempfile::tempdir().unwrap();
        let (ok, _, err) = station(empty.path(), &["restore", &file.display().to_string()]);
        assert!(!ok, "{}", file.display());
        assert!(err.starts_with(&format!("rma-station: {}: ", file.display())) && err.contains(&problem), "{err}");
        assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0, "{}: something was written", file.display());
    }
}
