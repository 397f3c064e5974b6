//! What makes tampering and steering show: the audit chain's head, kept away from the station, finds a
//! chain rewritten whole or cut short (which the chain alone cannot); photo and export paths are made
//! only from hashes and the station's own words, so no input — a planted record, a scan — can point
//! them outside their folders. The chain's cases run on SQLite and on PostgreSQL (`on_both!`): a forger with
//! `sqlite3` drops and recreates a trigger, one with `psql` disables and enables it.

use crate::support::fixture;
use crate::support::place::{Backend, Place, on_both};
use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use rma_station::domain::vocabulary::Queue;
use rma_station::formats::export::export_file_name;
use rma_station::photos::store::{PhotoFolder, PhotoHash};
use rma_station::storage::audit::{AuditEntry, AuditHead, GENESIS, entry_hash};

/// A database of two imports (orders, then RMAs: an entry for each and one per record sealing it) and its
/// head as printed.
fn two_imports(place: &Place) -> String {
    for (what, file) in [("orders", "import/station-orders.csv"), ("rmas", "import/station-rmas.csv")] {
        assert!(place.cli(&["import", what, &fixture(file).display().to_string()]).0);
    }
    let (ok, head, err) = place.cli(&["audit", "head"]);
    assert!(ok, "{err}");
    let parsed: AuditHead = head.trim().parse().unwrap();
    assert_eq!(parsed.seq, 8);
    head.trim().to_owned()
}

/// The audit log as the database holds it.
fn entries(place: &Place) -> Vec<AuditEntry> {
    let rows = place.query(
        "SELECT seq, at, station, actor, entity, entity_id, action, detail, prev_hash, hash, content FROM audit_log
         ORDER BY seq",
    );
    let text = |row: &[Option<String>], i: usize| row[i].clone().unwrap();
    rows.iter()
        .map(|r| AuditEntry {
            seq: text(r, 0).parse().unwrap(),
            at: text(r, 1),
            station: text(r, 2),
            actor: text(r, 3),
            entity: text(r, 4),
            entity_id: text(r, 5),
            action: text(r, 6),
            detail: text(r, 7),
            prev_hash: text(r, 8),
            hash: text(r, 9),
            content: r[10].clone(),
        })
        .collect()
}

/// Runs `sql` on the audit log with its append-only trigger `trigger` out of the way, then puts the trigger back
/// as it was, as a forger who knows `verify` looks for it would.
fn behind_the_trigger(place: &Place, trigger: &str, sql: &str) {
    let script = match place.backend() {
        Backend::Sqlite => {
            let event = if trigger == "audit_log_no_update" { "UPDATE" } else { "DELETE" };
            format!(
                "DROP TRIGGER {trigger}; {sql};
                 CREATE TRIGGER {trigger} BEFORE {event} ON audit_log
                     BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
            )
        }
        Backend::Postgres => format!(
            "ALTER TABLE audit_log DISABLE TRIGGER {trigger}; {sql}; ALTER TABLE audit_log ENABLE TRIGGER {trigger}"
        ),
    };
    place.edit(&script);
}

on_both!(a_saved_head_stays_valid_while_the_log_grows);
fn a_saved_head_stays_valid_while_the_log_grows(place: &Place) {
    let head = two_imports(place);
    let shopify = fixture("import/shopify-orders.csv").display().to_string();
    let categories = fixture("import/categories.csv").display().to_string();
    let args = ["import", "shopify-orders", &shopify, "--merchant", "konnected", "--categories", &categories];
    assert!(place.cli(&args).0);
    let (_, grown, _) = place.cli(&["audit", "head"]);
    assert!(grown.trim().parse::<AuditHead>().unwrap().seq > 8, "{grown}");
    let (ok, out, err) = place.cli(&["verify", "--head", &head]);
    assert!(ok, "{err}\n{out}");
    assert!(out.contains(&format!("audit head {head}: still in the chain, unchanged\n")), "{out}");
}

/// What a forger with the database does: changes the first entry, recomputes every hash after it so that the
/// chain is consistent again, and puts the trigger back.
fn rewrite_whole(place: &Place) {
    let quoted = |text: &str| format!("'{}'", text.replace('\'', "''"));
    let mut prev = GENESIS.to_owned();
    let mut updates = Vec::new();
    for mut entry in entries(place) {
        if entry.seq == 1 {
            entry.detail = r#"{"file":"nothing to see"}"#.to_owned();
        }
        entry.prev_hash = prev.clone();
        entry.hash = entry_hash(&prev, &entry);
        updates.push(format!(
            "UPDATE audit_log SET detail = {}, prev_hash = {}, hash = {} WHERE seq = {}",
            quoted(&entry.detail),
            quoted(&entry.prev_hash),
            quoted(&entry.hash),
            entry.seq
        ));
        prev = entry.hash;
    }
    behind_the_trigger(place, "audit_log_no_update", &updates.join("; "));
}

on_both!(a_chain_rewritten_whole_passes_its_own_check_but_not_the_saved_head);
fn a_chain_rewritten_whole_passes_its_own_check_but_not_the_saved_head(place: &Place) {
    let head = two_imports(place);
    rewrite_whole(place);
    let (ok, out, _) = place.cli(&["verify"]);
    assert!(ok, "the rewrite should fool the chain alone: {out}");
    let (ok, out, err) = place.cli(&["verify", "--head", &head]);
    assert!(!ok);
    assert!(out.contains(&format!("audit head {head}: REWRITTEN: entry 8 no longer has that hash\n")), "{out}");
    assert_eq!(err.trim(), "rma-station: verification failed");
}

on_both!(a_chain_rewritten_whole_is_caught_by_the_head_kept_in_the_exports_folder);
/// Issue 15: the head kept in the exports folder (by `audit anchor`, each export batch and the window once a
/// day) catches the whole-chain rewrite with no head copied by hand.
fn a_chain_rewritten_whole_is_caught_by_the_head_kept_in_the_exports_folder(place: &Place) {
    let head = two_imports(place);
    let (ok, out, err) = place.cli(&["audit", "anchor"]);
    assert!(ok, "{err}");
    let anchor = place.dir().join("exports").join("audit-heads.txt");
    assert!(out.contains(&format!("audit head {head} added to {}", anchor.display())), "{out}");
    let (ok, out, err) = place.cli(&["verify"]);
    assert!(ok, "{err}\n{out}");
    assert!(out.contains("1 checked, all still in the chain"), "{out}");
    rewrite_whole(place);
    let (ok, out, _) = place.cli(&["verify"]);
    assert!(!ok, "the rewrite passed the kept head: {out}");
    let expected = format!("{}:1: audit head {head}: REWRITTEN: entry 8 no longer has that hash", anchor.display());
    assert!(out.contains(&expected), "{out}");
    // A line cut short by a crash mid-append is named and skipped, never taken for a head.
    std::fs::write(&anchor, format!("{}\n2026-12-06T10:00:00Z 7:ab", std::fs::read_to_string(&anchor).unwrap()))
        .unwrap();
    let (_, out, _) = place.cli(&["verify"]);
    assert!(out.contains(&format!("{}:2: not a head", anchor.display())), "{out}");
    // The next head starts a line of its own.
    assert!(place.cli(&["audit", "anchor"]).0);
    let (_, out, _) = place.cli(&["verify"]);
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

on_both!(a_chain_cut_short_passes_its_own_check_but_not_the_saved_head);
fn a_chain_cut_short_passes_its_own_check_but_not_the_saved_head(place: &Place) {
    let head = two_imports(place);
    behind_the_trigger(place, "audit_log_no_delete", "DELETE FROM audit_log WHERE seq = 8");
    assert!(place.cli(&["verify"]).0, "a cut at the end leaves a consistent chain");
    let (ok, out, _) = place.cli(&["verify", "--head", &head]);
    assert!(!ok);
    assert!(
        out.contains(&format!(
            "audit head {head}: MISSING: the log has 7 entries, not entry 8; entries were removed\n"
        )),
        "{out}"
    );
}

on_both!(a_head_that_is_not_seq_colon_hash_is_refused_with_what_was_expected);
fn a_head_that_is_not_seq_colon_hash_is_refused_with_what_was_expected(place: &Place) {
    two_imports(place);
    for bad in ["2", "x:abc", "-1:0000", "2:../../etc/passwd"] {
        let (ok, _, err) = place.cli(&["verify", &format!("--head={bad}")]);
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

on_both!(a_planted_photo_record_pointing_outside_the_folder_is_reported_and_never_followed);
fn a_planted_photo_record_pointing_outside_the_folder_is_reported_and_never_followed(place: &Place) {
    // A package on the bench with its inspection, for the planted row to hang on.
    let mut store = crate::bench_store::bench(place);
    let m = crate::bench_store::rma(&*store, "RMA-2026-0101");
    let (_, inspection) = crate::bench_store::inspected(&mut *store, &m, &crate::bench_store::everything_back(&m), 1);
    drop(store);
    let outside = place.dir().join("secret.txt");
    std::fs::write(&outside, b"not a photo").unwrap();
    let planted = format!("../../{}", outside.display());
    place.edit(&format!(
        "INSERT INTO photos (sha256, inspection_id, checkpoint, bytes, operator, station, imported_at)
         VALUES ('{planted}', {inspection}, 'contents', 11, 'x', 'x', '2026-11-21T09:00:00.000Z')"
    ));
    let (ok, out, _) = place.cli(&["verify"]);
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
