//! What makes tampering and steering show: the audit chain's head, kept away from the station, finds a
//! chain rewritten whole or cut short (which the chain alone cannot); photo and export paths are made
//! only from hashes and the station's own words, so no input — a planted record, a scan — can point
//! them outside their folders.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use rma_station::domain::vocabulary::Queue;
use rma_station::formats::export::export_file_name;
use rma_station::photos::store::{PhotoFolder, PhotoHash};
use rma_station::storage::audit::{AuditEntry, AuditHead, GENESIS, entry_hash};
use rusqlite::Connection;

use crate::data_cli::station;
use crate::support::fixture;
use crate::support::place::{Place, on_both};

/// A database of two imports (orders, then RMAs: an entry for each and one per record sealing it) and its
/// head as printed.
fn two_imports() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    for (what, file) in [("orders", "import/station-orders.csv"), ("rmas", "import/station-rmas.csv")] {
        assert!(station(dir.path(), &["import", what, &fixture(file).display().to_string()]).0);
    }
    let (ok, head, err) = station(dir.path(), &["audit", "head"]);
    assert!(ok, "{err}");
    let parsed: AuditHead = head.trim().parse().unwrap();
    assert_eq!(parsed.seq, 8);
    (dir, head.trim().to_owned())
}

fn entries(conn: &Connection) -> Vec<AuditEntry> {
    let mut stmt = conn
        .prepare("SELECT seq, at, station, actor, entity, entity_id, action, detail, prev_hash, hash, content FROM audit_log ORDER BY seq")
        .unwrap();
    stmt.query_map([], |r| {
        Ok(AuditEntry {
            seq: r.get(0)?,
            at: r.get(1)?,
            station: r.get(2)?,
            actor: r.get(3)?,
            entity: r.get(4)?,
            entity_id: r.get(5)?,
            action: r.get(6)?,
            detail: r.get(7)?,
            prev_hash: r.get(8)?,
            hash: r.get(9)?,
            content: r.get(10)?,
        })
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[test]
fn a_saved_head_stays_valid_while_the_log_grows() {
    let (dir, head) = two_imports();
    let shopify = fixture("import/shopify-orders.csv").display().to_string();
    let categories = fixture("import/categories.csv").display().to_string();
    let args = ["import", "shopify-orders", &shopify, "--merchant", "konnected", "--categories", &categories];
    assert!(station(dir.path(), &args).0);
    let (_, grown, _) = station(dir.path(), &["audit", "head"]);
    assert!(grown.trim().parse::<AuditHead>().unwrap().seq > 8, "{grown}");
    let (ok, out, err) = station(dir.path(), &["verify", "--head", &head]);
    assert!(ok, "{err}\n{out}");
    assert!(out.contains(&format!("audit head {head}: still in the chain, unchanged\n")), "{out}");
}

/// What a forger with the database does: changes the first entry, recomputes every hash after it so that the
/// chain is consistent again, and puts the trigger back.
fn rewrite_whole(data: &std::path::Path) {
    let conn = Connection::open(data.join("station.sqlite3")).unwrap();
    conn.execute_batch("DROP TRIGGER audit_log_no_update").unwrap();
    // The forger changes the first entry and recomputes every hash after it: the chain is consistent again.
    let mut prev = GENESIS.to_owned();
    for mut entry in entries(&conn) {
        if entry.seq == 1 {
            entry.detail = r#"{"file":"nothing to see"}"#.to_owned();
        }
        entry.prev_hash = prev.clone();
        entry.hash = entry_hash(&prev, &entry);
        conn.execute(
            "UPDATE audit_log SET detail = ?2, prev_hash = ?3, hash = ?4 WHERE seq = ?1",
            rusqlite::params![entry.seq, entry.detail, entry.prev_hash, entry.hash],
        )
        .unwrap();
        prev = entry.hash;
    }
    // And puts the trigger back, or `verify` would name it missing.
    conn.execute_batch(
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
             BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    )
    .unwrap();
}

#[test]
fn a_chain_rewritten_whole_passes_its_own_check_but_not_the_saved_head() {
    let (dir, head) = two_imports();
    rewrite_whole(dir.path());
    let (ok, out, _) = station(dir.path(), &["verify"]);
    assert!(ok, "the rewrite should fool the chain alone: {out}");
    let (ok, out, err) = station(dir.path(), &["verify", "--head", &head]);
    assert!(!ok);
    assert!(out.contains(&format!("audit head {head}: REWRITTEN: entry 8 no longer has that hash\n")), "{out}");
    assert_eq!(err.trim(), "rma-station: verification failed");
}

/// Issue 15: the head kept in the exports folder (by `audit anchor`, each export batch and the window once a
/// day) catches the whole-chain rewrite with no head copied by hand.
#[test]
fn a_chain_rewritten_whole_is_caught_by_the_head_kept_in_the_exports_folder() {
    let (dir, head) = two_imports();
    let (ok, out, err) = station(dir.path(), &["audit", "anchor"]);
    assert!(ok, "{err}");
    let anchor = dir.path().join("exports").join("audit-heads.txt");
    assert!(out.contains(&format!("audit head {head} added to {}", anchor.display())), "{out}");
    let (ok, out, err) = station(dir.path(), &["verify"]);
    assert!(ok, "{err}\n{out}");
    assert!(out.contains("1 checked, all still in the chain"), "{out}");
    rewrite_whole(dir.path());
    let (ok, out, _) = station(dir.path(), &["verify"]);
    assert!(!ok, "the rewrite passed the kept head: {out}");
    let expected = format!("{}:1: audit head {head}: REWRITTEN: entry 8 no longer has that hash", anchor.display());
    assert!(out.contains(&expected), "{out}");
    // A line cut short by a crash mid-append is named and skipped, never taken for a head.
    std::fs::write(&anchor, format!("{}\n2026-12-06T10:00:00Z 7:ab", std::fs::read_to_string(&anchor).unwrap()))
        .unwrap();
    let (_, out, _) = station(dir.path(), &["verify"]);
    assert!(out.contains(&format!("{}:2: not a head", anchor.display())), "{out}");
    // The next head starts a line of its own.
    assert!(station(dir.path(), &["audit", "anchor"]).0);
    let (_, out, _) = station(dir.path(), &["verify"]);
    assert!(out.contains("2 checked, 1 no longer there"), "{out}");
}

on_both!(each_export_batch_keeps_the_head_beside_its_files);
fn each_export_batch_keeps_the_head_beside_its_files(place: &Place) {
    let mut store = crate::bench_store::bench(place);
    crate::bench_store::decided(&mut *store, "RMA-2026-0108", 1);
    drop(store);
    let (ok, out, err) = place.cli(&["export", "refund"]);
    assert!(ok, "{err}");
    assert!(out.contains("refund batch 1"), "{out}");
    let kept = std::fs::read_to_string(place.dir().join("exports").join("audit-heads.txt")).unwrap();
    assert_eq!(kept.lines().count(), 1, "{kept}");
    assert!(kept.trim_end().ends_with(" refund batch 1"), "{kept}");
    let (ok, out, _) = place.cli(&["verify"]);
    assert!(ok && out.contains("1 checked, all still in the chain"), "{out}");
}

#[test]
fn a_chain_cut_short_passes_its_own_check_but_not_the_saved_head() {
    let (dir, head) = two_imports();
    let conn = Connection::open(dir.path().join("station.sqlite3")).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 8;
         CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
             BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    )
    .unwrap();
    drop(conn);
    assert!(station(dir.path(), &["verify"]).0, "a cut at the end leaves a consistent chain");
    let (ok, out, _) = station(dir.path(), &["verify", "--head", &head]);
    assert!(!ok);
    assert!(
        out.contains(&format!(
            "audit head {head}: MISSING: the log has 7 entries, not entry 8; entries were removed\n"
        )),
        "{out}"
    );
}

#[test]
fn a_head_that_is_not_seq_colon_hash_is_refused_with_what_was_expected() {
    let (dir, _) = two_imports();
    for bad in ["2", "x:abc", "-1:0000", "2:../../etc/passwd"] {
        let (ok, _, err) = station(dir.path(), &["verify", &format!("--head={bad}")]);
        assert!(!ok);
        assert!(
            err.contains("is not an audit head; expected the entry number, a colon and its 64 hex digit hash"),
            "{err}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever the photo, its file lies two levels under the photo folder, in the shard named by its hash.
    #[test]
    fn a_photo_path_is_always_inside_the_photo_folder(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let root = std::path::Path::new("/data/photos");
        let hash = PhotoHash::of(&bytes);
        let path = PhotoFolder::new(root).path_of(&hash);
        let inside: Vec<_> = path.strip_prefix(root).unwrap().components().collect();
        prop_assert_eq!(inside.len(), 2);
        prop_assert!(inside.iter().all(|c| matches!(c, std::path::Component::Normal(_))));
        let name = hash.to_hex();
        prop_assert_eq!(path.file_name().and_then(|n| n.to_str()), Some(name.as_str()));
    }
}

#[test]
fn a_planted_photo_record_pointing_outside_the_folder_is_reported_and_never_followed() {
    let dir = tempfile::tempdir().unwrap();
    super::crash::worked(dir.path(), 1);
    let outside = dir.path().join("secret.txt");
    std::fs::write(&outside, b"not a photo").unwrap();
    let planted = format!("../../{}", outside.display());
    let conn = Connection::open(dir.path().join("station.sqlite3")).unwrap();
    conn.execute(
        "INSERT INTO photos (sha256, inspection_id, checkpoint, bytes, operator, station, imported_at)
         VALUES (?1, 1, 'contents', 11, 'x', 'x', '2026-11-21T09:00:00.000Z')",
        [&planted],
    )
    .unwrap();
    drop(conn);
    let (ok, out, _) = station(dir.path(), &["verify"]);
    assert!(!ok);
    assert!(out.contains(&format!("photo {planted}: the recorded hash is not valid: ")), "{out}");
    assert_eq!(std::fs::read(&outside).unwrap(), b"not a photo");
}

#[test]
fn an_export_file_name_is_the_queues_word_and_digits_only() {
    let folder = std::path::Path::new("/data/exports");
    let instants = [
        Utc.with_ymd_and_hms(2026, 11, 21, 9, 30, 0).unwrap(),
        Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
    ];
    for queue in Queue::ALL {
        for at in instants {
            let name = export_file_name(*queue, at);
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'),
                "{name}"
            );
            assert!(!name.starts_with('.') && name.ends_with(".csv"), "{name}");
            assert_eq!(folder.join(&name).parent(), Some(folder), "{name}");
        }
    }
    assert_eq!(export_file_name(Queue::StoreCredit, instants[0]), "store-credit-20261121-093000.csv");
}

on_both!(the_window_keeps_the_days_head_once_a_day);
/// The window keeps the day's head at its start, once a day however often it starts.
fn the_window_keeps_the_days_head_once_a_day(place: &Place) {
    crate::gui::with_demo(place);
    let anchor = place.dir().join("exports").join("audit-heads.txt");
    let day_lines =
        || std::fs::read_to_string(&anchor).map_or(0, |text| text.lines().filter(|l| l.ends_with(" day")).count());
    for start in 0..2 {
        let mut harness = crate::gui::harness(crate::gui::app(place, Vec::new()));
        crate::gui::step_until(&mut harness, "the day's head kept", |_| day_lines() == 1);
        // Give a second start the time it would take to write a second line, had it one to write.
        for _ in 0..20 {
            harness.step();
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(day_lines(), 1, "start {start}");
    }
    let (ok, out, _) = place.cli(&["verify"]);
    assert!(ok && out.contains("1 checked, all still in the chain"), "{out}");
}
