//! The data commands through the real binary on a real database, a SQLite file or a PostgreSQL database
//! (`on_both!`, the binary given `--database`): imports with their summaries, a broken file that writes
//! nothing, `verify` on a sound and on a tampered database and on photos, and `backup` (a SQLite file's copy;
//! refused on a shared server, which its own tools back up).

use std::path::Path;

use rma_station::storage::location::DatabaseLocation;
use rusqlite::Connection;

use crate::support::place::{Backend, Place, on_both};
use crate::support::{fixture, run_station};

/// Runs the station binary on a data folder: whether it succeeded, its standard output and error.
pub fn station(data: &Path, args: &[&str]) -> (bool, String, String) {
    let dir = data.display().to_string();
    let mut all = vec!["--data-dir", dir.as_str()];
    all.extend_from_slice(args);
    let out = run_station(&all, "");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn path(relative: &str) -> String {
    fixture(relative).display().to_string()
}

on_both!(imports_report_what_they_did_and_a_second_import_changes_nothing);
fn imports_report_what_they_did_and_a_second_import_changes_nothing(place: &Place) {
    let orders = path("import/station-orders.csv");
    let (ok, out, err) = place.cli(&["import", "orders", &orders]);
    assert!(ok, "{err}");
    assert_eq!(out, format!("{orders}: 4 rows read, 3 orders: 3 new, 0 updated, 0 unchanged\n"));

    let rmas = path("import/station-rmas.csv");
    let (ok, out, err) = place.cli(&["import", "rmas", &rmas]);
    assert!(ok, "{err}");
    assert!(out.ends_with("3 RMAs: 3 new, 0 updated, 0 unchanged\n"), "{out}");

    // The JSON file holds the same orders as the CSV file.
    let (ok, out, _) = place.cli(&["import", "orders", &path("import/station-orders.json")]);
    assert!(ok);
    assert!(out.ends_with("3 orders: 0 new, 0 updated, 3 unchanged\n"), "{out}");

    let shopify = path("import/shopify-orders.csv");
    let categories = path("import/categories.csv");
    let args = [
        "import",
        "shopify-orders",
        &shopify,
        "--merchant",
        "konnected",
        "--categories",
        &categories,
        "--utc-offset",
        "-05:00",
    ];
    let (ok, first, err) = place.cli(&args);
    assert!(ok, "{err}");
    assert!(
        first.contains(
            "5 orders: 5 new, 0 updated, 0 unchanged\n3 rows left out on purpose:\n  line 10: line item \"Tip\""
        ),
        "{first}"
    );
    // On SQLite, the file itself does not grow either.
    let database = data_file(place);
    let before = database.as_ref().map(|file| std::fs::read(file).unwrap());
    let (ok, again, _) = place.cli(&args);
    assert!(ok);
    assert!(again.contains("5 orders: 0 new, 0 updated, 5 unchanged"), "{again}");
    let count = |sql: &str| place.query(sql)[0][0].as_deref().unwrap().parse::<i64>().unwrap();
    assert_eq!(
        count("SELECT count(*) FROM audit_log WHERE entity = 'import'"),
        3,
        "one audit entry per import that changed something"
    );
    assert_eq!(
        count("SELECT count(*) FROM audit_log WHERE entity IN ('order', 'rma')"),
        count("SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM rmas)"),
        "and one per record it wrote, sealing it"
    );
    if let (Some(file), Some(before)) = (database, before) {
        assert_eq!(std::fs::read(file).unwrap().len(), before.len());
    }
}

/// The SQLite file of a place on SQLite.
fn data_file(place: &Place) -> Option<std::path::PathBuf> {
    match place.location() {
        DatabaseLocation::Sqlite(file) => Some(file),
        DatabaseLocation::Postgres(_) => None,
    }
}

on_both!(a_broken_file_stops_with_file_line_and_column_and_writes_nothing);
fn a_broken_file_stops_with_file_line_and_column_and_writes_nothing(place: &Place) {
    let (ok, _, err) = place.cli(&["import", "orders", &path("import/station-orders.csv")]);
    assert!(ok, "{err}");
    let broken_dir = tempfile::tempdir().unwrap();
    let broken = broken_dir.path().join("more-orders.csv");
    let good = std::fs::read_to_string(fixture("import/station-orders.csv")).unwrap();
    // A new order first, then a bad price on the last line: the new order must not be written either.
    let mut lines: Vec<String> = good.lines().map(str::to_owned).collect();
    let new_order = lines[1].replace("CP-10023", "CP-20000");
    lines.insert(1, new_order);
    let last = lines.len() - 1;
    lines[last] = lines[last].replacen(",50.00,", ",5O.00,", 1);
    assert!(lines[last].contains("5O.00"), "the fixture changed: {}", lines[last]);
    std::fs::write(&broken, lines.join("\n") + "\n").unwrap();

    let (ok, out, err) = place.cli(&["import", "orders", &broken.display().to_string()]);
    assert!(!ok);
    assert!(out.is_empty());
    assert_eq!(
        err.trim(),
        format!(
            "rma-station: {}:{}: column \"unit_price\": \"5O.00\" is not a decimal amount such as \"12.30\"",
            broken.display(),
            last + 1
        )
    );
    let orders = place.query("SELECT count(*) FROM orders");
    assert_eq!(orders[0][0].as_deref(), Some("3"), "a broken file wrote something");
}

on_both!(verify_passes_a_sound_database_and_names_the_first_broken_audit_entry);
fn verify_passes_a_sound_database_and_names_the_first_broken_audit_entry(place: &Place) {
    for (what, file) in [("orders", "import/station-orders.csv"), ("rmas", "import/station-rmas.csv")] {
        assert!(place.cli(&["import", what, &path(file)]).0);
    }
    let (ok, out, _) = place.cli(&["verify"]);
    assert!(ok);
    assert!(out.starts_with("database: integrity ok\naudit log: 8 entries, chain intact, head "), "{out}");

    place.edit(&format!(
        "{}; UPDATE audit_log SET detail = '{{}}' WHERE seq = 1",
        place.drop_trigger("audit_log_no_update")
    ));
    let (ok, out, err) = place.cli(&["verify"]);
    assert!(!ok);
    assert!(
        out.contains("audit log: BROKEN: audit entry 1 was altered after it was written (8 entries read)"),
        "{out}"
    );
    assert_eq!(err.trim(), "rma-station: verification failed");
}

on_both!(backup_writes_a_checked_copy_and_never_overwrites);
fn backup_writes_a_checked_copy_and_never_overwrites(place: &Place) {
    assert!(place.cli(&["import", "orders", &path("import/station-orders.csv")]).0);
    let target = tempfile::tempdir().unwrap();
    let copy = target.path().join("copy.sqlite3");
    let copy_arg = copy.display().to_string();
    if place.backend() == Backend::Postgres {
        // A shared server is backed up whole by its own tools, for every bench: the station writes no file.
        let (ok, out, err) = place.cli(&["backup", &copy_arg]);
        assert!(!ok && out.is_empty(), "{out}");
        assert!(err.contains("a backup file is not made by the station on this database"), "{err}");
        assert!(err.contains("pg_dump"), "{err}");
        assert!(!copy.exists());
        return;
    }
    let (ok, out, err) = place.cli(&["backup", &copy_arg]);
    assert!(ok, "{err}");
    assert!(out.starts_with(&format!("backup {copy_arg}: integrity ok\naudit log: 4 entries, chain intact")), "{out}");
    let orders: i64 =
        Connection::open(&copy).unwrap().query_row("SELECT count(*) FROM orders", [], |r| r.get(0)).unwrap();
    assert_eq!(orders, 3);
    let (ok, _, err) = place.cli(&["backup", &copy_arg]);
    assert!(!ok);
    assert_eq!(err.trim(), format!("rma-station: {copy_arg}: already exists; a backup never overwrites a file"));
}

on_both!(verify_finds_a_photo_altered_by_one_byte_and_a_photo_deleted);
fn verify_finds_a_photo_altered_by_one_byte_and_a_photo_deleted(place: &Place) {
    use chrono::{TimeZone, Utc};
    use rma_station::domain::vocabulary::Checkpoint;
    use rma_station::photos::store::PhotoFolder;
    use rma_station::storage::{PhotoRow, ReceivedPackage, Stamp, photos_path};

    let stamp = Stamp {
        at: Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).unwrap(),
        station: "bench-1".into(),
        operator: "ana".into(),
    };
    let mut store = place.open();
    let package = ReceivedPackage {
        scanned_code: "1Z999".into(),
        scanned_kind: "unknown".into(),
        rma_id: None,
        order_id: None,
        note: "no label".into(),
        another_box: false,
    };
    let package_id = store.receive_package(&package, &stamp).unwrap();
    let inspection = store.start_inspection(package_id, &stamp).unwrap();
    let folder = PhotoFolder::new(photos_path(place.dir()));
    let mut stored = Vec::new();
    for (file, checkpoint) in
        [("camera/Canon_40D.jpg", Checkpoint::ShippingLabel), ("camera/jolla-phone.jpg", Checkpoint::Packaging)]
    {
        let bytes = std::fs::read(fixture(&format!("photos/{file}"))).unwrap();
        let photo = folder.put(&bytes).unwrap();
        // Where the store shares photos (PostgreSQL) the original goes there first; on SQLite nothing to do.
        let kept = store.keep_photo_original(&photo.sha256, &bytes, &stamp).unwrap();
        assert_eq!(kept, place.backend() == Backend::Postgres);
        let row = PhotoRow {
            sha256: photo.sha256.to_string(),
            inspection_id: inspection,
            item_position: None,
            checkpoint,
            bytes: photo.bytes,
            width: 0,
            height: 0,
            taken_at: None,
            camera_make: None,
            camera_model: None,
            orientation: None,
        };
        store.record_photo(&row, &stamp).unwrap();
        // The same photo at the same checkpoint is recorded once.
        store.record_photo(&row, &stamp).unwrap();
        stored.push(photo);
    }
    assert_eq!(store.photo_hashes().unwrap().len(), 2);
    let audited = store.audit_entries("package", &package_id.to_string()).unwrap();
    assert_eq!(audited[0].action, "quarantined");
    drop(store);

    let (ok, out, err) = place.cli(&["verify"]);
    assert!(ok, "{out}{err}");
    let sound = match place.backend() {
        Backend::Sqlite => "photos: 2 checked, all present and unaltered\n",
        Backend::Postgres => {
            "photos: 2 checked in the shared database; 2 cached in this bench's folder, all present and unaltered\n"
        }
    };
    assert!(out.ends_with(sound), "{out}");

    let altered = &stored[0].path;
    let mut bytes = std::fs::read(altered).unwrap();
    bytes[1000] ^= 0x01;
    let mut permissions = std::fs::metadata(altered).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false, reason = "the test plays someone tampering with the file")]
    permissions.set_readonly(false);
    std::fs::set_permissions(altered, permissions).unwrap();
    std::fs::write(altered, bytes).unwrap();
    std::fs::remove_file(&stored[1].path).unwrap();

    let (ok, out, _) = place.cli(&["verify"]);
    assert!(!ok);
    if place.backend() == Backend::Postgres {
        // The folder is the bench's cache: a copy gone is fetched when needed, a copy altered is named.
        let altered = format!("photo {}: ALTERED: this bench's cached copy no longer has the bytes", stored[0].sha256);
        assert!(out.contains(&altered), "{out}");
        assert!(!out.contains(&stored[1].sha256.to_string()), "{out}");
        assert!(
            out.ends_with(
                "photos: 2 checked in the shared database; 0 cached in this bench's folder, 1 with problems\n"
            ),
            "{out}"
        );
        return;
    }
    assert!(
        out.contains(&format!("photo {}: ALTERED: its file no longer has the bytes recorded", stored[0].sha256)),
        "{out}"
    );
    assert!(out.contains(&format!("photo {}: MISSING: its file is gone", stored[1].sha256)), "{out}");
    assert!(out.ends_with("photos: 2 checked, 2 with problems\n"), "{out}");
}

/// Issue 15: a `--data-dir` that is a link to nowhere (a drive not mounted) said "cannot create the folder:
/// File exists"; it now says which link points where.
#[cfg(unix)]
#[test]
fn a_data_folder_that_is_a_dangling_link_is_named_with_where_it_points() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("data");
    let gone = dir.path().join("unmounted-drive");
    std::os::unix::fs::symlink(&gone, &link).unwrap();
    let (ok, _, stderr) = station(&link, &["verify"]);
    assert!(!ok);
    let expected = format!("{} is a link to {}, which does not exist", link.display(), gone.display());
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(!stderr.contains("File exists"), "{stderr}");
}
