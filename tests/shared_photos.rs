//! Issue 16, item 7: photos shared between benches. On PostgreSQL a photo's original is kept once in the shared
//! database (`photo_originals`, `photo_blobs` in 1 MiB chunks) and each bench's photo folder is its cache, so a
//! packet or the photo viewer on any bench shows any package's photos; `verify` checks the originals where they
//! are. Bench A and bench B here are two data folders on one database. On SQLite nothing changes: the bench's
//! folder is the store, and the last case says so. Real camera JPEGs from `tests/fixtures/photos`.

use std::fs;
use std::sync::mpsc::sync_channel;

use rma_station::evidence::{EvidenceError, PacketTarget, write_packet};
use rma_station::photos::decode::DecodeLimits;
use rma_station::photos::originals::Originals;
use rma_station::photos::store::{PhotoFolder, PhotoHash};
use rma_station::photos::worker::{PhotoDone, PhotoWork, PhotoWorker};
use rma_station::storage::location::DatabaseLocation;
use rma_station::storage::worker::StorageWorker;
use rma_station::storage::{Store, StoreError, photos_path};

use crate::evidence::{RMA, decided_claim, stamp, sticker_shots};
use crate::support::place::Place;
use crate::support::{clock, fixture, run_station};

fn jpeg(name: &str) -> Vec<u8> {
    fs::read(fixture(&format!("photos/camera/{name}"))).unwrap()
}

/// A camera JPEG of more than 3 MiB: the phone's photo with bytes after its end marker, as some cameras append
/// (a decoder stops at the marker; the station stores and compares the file's bytes as they are).
fn large_jpeg() -> Vec<u8> {
    let mut bytes = jpeg("jolla-phone.jpg");
    let mut tail = 0u32;
    while bytes.len() < 3 * (1 << 20) + 12_345 {
        tail = tail.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        bytes.push((tail >> 16) as u8);
    }
    bytes
}

fn count(place: &Place, sql: &str) -> u64 {
    place.query(sql)[0][0].as_deref().unwrap().parse().unwrap()
}

fn problems_naming(store: &dyn Store, hash: &str) -> Vec<String> {
    let report = store.verify().unwrap();
    report.problems.into_iter().filter(|p| p.contains(hash)).collect()
}

/// Bench B: a data folder of its own beside bench A's, on the same database.
fn bench_b() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn a_photo_taken_on_one_bench_is_in_the_packet_and_the_evidence_command_of_another() {
    let Some(place) = Place::postgres() else { return };
    let shots = sticker_shots();
    let (store_a, decision_id) = decided_claim(&place, &shots);
    drop(store_a);

    let b = bench_b();
    let folder_b = PhotoFolder::new(photos_path(b.path()));
    let mut store_b = place.open();
    let out = b.path().join("packet.pdf");
    let receipt = write_packet(&mut *store_b, &folder_b, decision_id, PacketTarget::File(&out), &stamp(30)).unwrap();
    assert_eq!(receipt.photos, 3);
    let pdf = fs::read(&out).unwrap();
    for shot in &shots {
        let hash = PhotoHash::of(&shot.bytes);
        // Fetched, checked and cached on bench B: the very bytes bench A took, embedded as themselves.
        assert_eq!(folder_b.read(&hash).unwrap(), shot.bytes, "{hash}");
        assert!(contains(&pdf, &shot.bytes), "the packet embeds photo {hash}");
    }

    // The command line on a third bench, whose folder holds no photo at all.
    let c = bench_b();
    let DatabaseLocation::Postgres(url) = place.location() else { unreachable!() };
    let target = c.path().join("packet.pdf");
    let output = run_station(
        &[
            "--data-dir",
            c.path().to_str().unwrap(),
            "--database",
            &url.to_string(),
            "evidence",
            RMA,
            "-o",
            target.to_str().unwrap(),
        ],
        "",
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(contains(&fs::read(&target).unwrap(), &shots[0].bytes));
    assert_eq!(PhotoFolder::new(photos_path(c.path())).list().unwrap().len(), 3, "cached on bench C");
}

#[test]
fn the_photo_viewer_of_another_bench_fetches_through_the_storage_thread_and_caches_it() {
    let Some(place) = Place::postgres() else { return };
    let shots = sticker_shots();
    drop(decided_claim(&place, &shots));
    let b = bench_b();
    let folder_b = PhotoFolder::new(photos_path(b.path()));
    let storage = StorageWorker::spawn(place.open()).unwrap();
    let (results, answers) = sync_channel(4);
    let photos = PhotoWorker::spawn(
        folder_b.clone(),
        Some(Box::new(storage.client())),
        DecodeLimits::default(),
        clock(),
        results,
        std::sync::Arc::new(|| {}),
    )
    .unwrap();
    let hash = PhotoHash::of(&shots[2].bytes);
    photos.submit("preview", PhotoWork::Preview(hash)).unwrap();
    let answer = answers.recv_timeout(std::time::Duration::from_secs(30)).unwrap();
    assert!(matches!(answer.outcome, Ok(PhotoDone::Preview { hash: shown, .. }) if shown == hash), "{answer:?}");
    assert_eq!(folder_b.list().unwrap(), [hash], "the original is in bench B's cache now");
}

#[test]
fn the_same_photo_kept_twice_by_two_benches_is_stored_once() {
    let Some(place) = Place::postgres() else { return };
    let bytes = jpeg("Nikon_DSCN0010_gps.jpg");
    let hash = PhotoHash::of(&bytes);
    let (mut a, mut b) = (place.open(), place.open());
    assert!(a.shares_photos() && b.shares_photos());
    assert!(a.keep_photo_original(&hash, &bytes, &stamp(1)).unwrap(), "written the first time");
    assert!(!b.keep_photo_original(&hash, &bytes, &stamp(2)).unwrap(), "there already");
    assert!(!a.keep_photo_original(&hash, &bytes, &stamp(3)).unwrap());
    assert_eq!(count(&place, "SELECT count(*) FROM photo_originals"), 1);
    assert_eq!(count(&place, "SELECT count(*) FROM photo_blobs"), 1);
    assert_eq!(b.photo_original(&hash).unwrap(), Some(bytes.clone()));

    // Bytes that are not the photo their name says are refused before anything is written.
    let other = PhotoHash::of(&jpeg("Canon_40D.jpg"));
    let error = a.keep_photo_original(&other, &bytes, &stamp(4)).unwrap_err();
    assert!(matches!(&error, StoreError::PhotoOriginal { sha256, .. } if *sha256 == other.to_hex()), "{error}");
    assert_eq!(count(&place, "SELECT count(*) FROM photo_originals"), 1);
    assert_eq!(a.photo_original(&other).unwrap(), None);
}

#[test]
fn a_photo_of_3_mib_goes_in_four_chunks_and_comes_back_byte_identical() {
    let Some(place) = Place::postgres() else { return };
    let bytes = large_jpeg();
    let hash = PhotoHash::of(&bytes);
    let mut store = place.open();
    assert!(store.keep_photo_original(&hash, &bytes, &stamp(1)).unwrap());
    let rows = place.query(&format!(
        "SELECT chunks, bytes, (SELECT count(*) FROM photo_blobs WHERE sha256 = '{hash}'),
                (SELECT max(octet_length(data)) FROM photo_blobs WHERE sha256 = '{hash}')
         FROM photo_originals WHERE sha256 = '{hash}'"
    ));
    let row: Vec<&str> = rows[0].iter().map(|v| v.as_deref().unwrap()).collect();
    assert_eq!(row, ["4", &bytes.len().to_string(), "4", "1048576"]);
    let back = place.open().photo_original(&hash).unwrap().unwrap();
    assert!(back == bytes, "byte-identical");
    let report = store.verify().unwrap();
    assert!(report.is_sound(), "{report:?}");
}

#[test]
fn a_chunk_edited_in_the_database_is_named_by_verify_and_never_reaches_a_bench() {
    let Some(place) = Place::postgres() else { return };
    let shots = sticker_shots();
    let (store_a, decision_id) = decided_claim(&place, &shots);
    let sound = store_a.verify().unwrap();
    assert!(sound.is_sound(), "{sound:?}");
    let hash = PhotoHash::of(&shots[0].bytes);
    let edited = place.edit(&format!(
        "UPDATE photo_blobs SET data = set_byte(data, 5000, (get_byte(data, 5000) + 1) % 256)
         WHERE sha256 = '{hash}' AND chunk = 0"
    ));
    assert_eq!(edited, 1);
    let named = problems_naming(&*store_a, &hash.to_hex());
    assert_eq!(
        named,
        [format!("photo original {hash} (photo 1): ALTERED: its bytes no longer hash to its name")],
        "photo 1 is the first sticker photo"
    );

    // Bench B has no copy: the fetch refuses the bytes and nothing is cached or written.
    let b = bench_b();
    let folder_b = PhotoFolder::new(photos_path(b.path()));
    let store_b = place.open();
    let error = store_b.photo_original(&hash).unwrap_err();
    assert!(matches!(&error, StoreError::PhotoOriginal { sha256, .. } if *sha256 == hash.to_hex()), "{error}");
    let mut store_b = store_b;
    let out = b.path().join("packet.pdf");
    let error = write_packet(&mut *store_b, &folder_b, decision_id, PacketTarget::File(&out), &stamp(30)).unwrap_err();
    assert!(matches!(error, EvidenceError::Photo { .. }), "{error:?}");
    assert!(error.to_string().contains("ALTERED"), "{error}");
    assert!(!out.exists());
    assert!(!folder_b.path_of(&hash).exists(), "the cache is not filled with wrong bytes");

    // Bench A still has its own copy, which it took: its packet is written from that.
    let mut store_a = store_a;
    let folder_a = PhotoFolder::new(photos_path(place.dir()));
    let out_a = place.dir().join("packet.pdf");
    write_packet(&mut *store_a, &folder_a, decision_id, PacketTarget::File(&out_a), &stamp(31)).unwrap();

    // A chunk gone and a chunk cut short are named too.
    place.edit(&format!("DELETE FROM photo_blobs WHERE sha256 = '{hash}' AND chunk = 0"));
    let large = large_jpeg();
    let large_hash = PhotoHash::of(&large);
    store_a.keep_photo_original(&large_hash, &large, &stamp(32)).unwrap();
    place.edit(&format!(
        "UPDATE photo_blobs SET data = substring(data from 1 for 1000) WHERE sha256 = '{large_hash}' AND chunk = 2"
    ));
    assert_eq!(
        problems_naming(&*store_a, &hash.to_hex()),
        [format!("photo original {hash} (photo 1): INCOMPLETE: it is stored as 1 chunks, the database holds 0")]
    );
    assert_eq!(
        problems_naming(&*store_a, &large_hash.to_hex()),
        [format!(
            "photo original {large_hash} (no photo record names it): INCOMPLETE: it is stored as {} bytes, its chunks \
             hold {}",
            large.len(),
            large.len() - (1 << 20) + 1000
        )]
    );
}

#[test]
fn a_missing_original_is_named_by_verify_and_the_verify_command() {
    let Some(place) = Place::postgres() else { return };
    let shots = sticker_shots();
    let (store, _) = decided_claim(&place, &shots);
    let hash = PhotoHash::of(&shots[2].bytes);
    place.edit(&format!(
        "DELETE FROM photo_blobs WHERE sha256 = '{hash}'; DELETE FROM photo_originals WHERE sha256 = '{hash}'"
    ));
    assert_eq!(
        problems_naming(&*store, &hash.to_hex()),
        [format!(
            "photo original {hash} (photo 3): MISSING: it is not in the shared database, so no other bench can show it"
        )]
    );
    let b = bench_b();
    let folder_b = PhotoFolder::new(photos_path(b.path()));
    let error = Originals::cached(&folder_b, &rma_station::photos::originals::InStore(&*store)).read(&hash);
    assert!(error.unwrap_err().to_string().contains(&folder_b.path_of(&hash).display().to_string()));
    let (ok, out, _) = place.cli(&["verify"]);
    assert!(!ok, "{out}");
    assert!(out.contains(&format!("photo original {hash} (photo 3): MISSING")), "{out}");
}

#[test]
fn on_sqlite_the_bench_folder_is_the_store_and_nothing_is_shared() {
    let place = Place::sqlite();
    let mut store = place.open();
    let bytes = jpeg("Canon_40D.jpg");
    let hash = PhotoHash::of(&bytes);
    assert!(!store.shares_photos());
    assert!(!store.keep_photo_original(&hash, &bytes, &stamp(1)).unwrap(), "nothing to do");
    assert_eq!(store.photo_original(&hash).unwrap(), None);
    let folder = PhotoFolder::new(photos_path(place.dir()));
    let through_store = rma_station::photos::originals::InStore(&*store);
    let missing = Originals::cached(&folder, &through_store).read(&hash).unwrap_err().to_string();
    assert!(missing.contains(&folder.path_of(&hash).display().to_string()), "{missing}");
    folder.put(&bytes).unwrap();
    assert_eq!(Originals::cached(&folder, &through_store).read(&hash).unwrap(), bytes);
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}
