//! The drill worker: packages through the station's real save path, one after another, each committed
//! change reported on a line of its own.
//!
//! Each package goes the way the window sends it: a demo RMA's number is classified and looked up as a
//! scan, the package is received and its inspection started, photos (small PNGs, different each time)
//! are ingested into the photo folder and recorded, the sheet is saved, the engine decides, and the
//! decision is saved with its queue items. The store is owned by the storage thread, as in the window.
//! A line goes out, flushed, only after the store has answered: whatever a line says was committed.
//!
//! The worker runs until it is killed, or for a number of packages. It reads the clock (its stamps
//! and today's date), as the window does.

use std::io::Write;
use std::path::PathBuf;

use chrono::Utc;

use super::{Committed, DrillError, DrillRng, Report, Step};
use crate::domain::engine::decide;
use crate::domain::inspection::InspectionSheet;
use crate::domain::queue::queue_entries;
use crate::domain::scan::Classifier;
use crate::domain::vocabulary::Checkpoint;
use crate::formats::case_json::{Case, decision_json};
use crate::intake::IntakeMatch;
use crate::photos::decode::DecodeLimits;
use crate::photos::ingest::ingest;
use crate::photos::store::PhotoFolder;
use crate::policies::PolicySet;
use crate::storage::sqlite::SqliteStore;
use crate::storage::worker::StorageWorker;
use crate::storage::{DecisionToSave, ReceivedPackage, Stamp, database_path, photos_path};

/// What a worker works on.
#[derive(Debug, Clone)]
pub struct WorkerSetup {
    /// A data folder holding the demo data.
    pub data_dir: PathBuf,
    /// The station name on everything it writes.
    pub station: String,
    /// Chooses the RMAs, the units received and the photos.
    pub seed: u64,
    /// Stop after this many packages; none: until killed.
    pub packages: Option<u64>,
}

/// Works packages through the bench, reporting each committed change on `out`.
pub fn run(setup: &WorkerSetup, policies: &PolicySet, out: &mut dyn Write) -> Result<(), DrillError> {
    let classifier = Classifier::new(&policies.classifier_config())?;
    let today = chrono::Local::now().date_naive();
    let numbers: Vec<String> = crate::demo::demo_data(today)?.rmas.into_iter().map(|rma| rma.number).collect();
    // The store last, so that a kill before `ready` may land in its opening (recovery, merchants).
    let store = SqliteStore::open(&database_path(&setup.data_dir), policies)?;
    let worker = StorageWorker::spawn(Box::new(store)).map_err(DrillError::Thread)?;
    let storage = worker.client();
    let photos = PhotoFolder::new(photos_path(&setup.data_dir));
    let mut rng = DrillRng::new(setup.seed);
    let stamp = || Stamp { at: Utc::now(), station: setup.station.clone(), operator: "drill".to_owned() };
    say(out, &Report::Ready)?;

    let mut done = 0_u64;
    while setup.packages.is_none_or(|packages| done < packages) {
        done += 1;
        let number = numbers.get(rng.below(numbers.len() as u64) as usize).cloned().unwrap_or_default();

        say(out, &Report::Begin(Step::Scan))?;
        let classification = classifier.classify(&number);
        let scanned = classification.clone();
        let found = storage.call(move |store| crate::intake::find(store, &scanned))??;
        let IntakeMatch::Rmas(options) = found else { return Err(DrillError::NoMatch(number)) };
        let Some(found) = options.into_iter().next() else { return Err(DrillError::NoMatch(number)) };

        say(out, &Report::Begin(Step::Package))?;
        let received = ReceivedPackage {
            scanned_code: number.clone(),
            scanned_kind: classification.kind().as_str().to_owned(),
            rma_id: Some(found.rma.id),
            order_id: None,
            note: String::new(),
        };
        let at = stamp();
        let package = storage.call(move |store| store.receive_package(&received, &at))??;
        say(out, &Report::Committed(Committed::Package { package }))?;

        say(out, &Report::Begin(Step::Inspection))?;
        let at = stamp();
        let inspection = storage.call(move |store| store.start_inspection(package, &at))??;
        say(out, &Report::Committed(Committed::Inspection { package, inspection }))?;

        let shots = 1 + rng.below(2);
        for _ in 0..shots {
            say(out, &Report::Begin(Step::Photo))?;
            let ingested = ingest(&photos, &drill_photo(&mut rng)?, Utc::now(), &DecodeLimits::default())?;
            let row = ingested.record().to_row(inspection, None, Checkpoint::Contents);
            let sha256 = row.sha256.clone();
            let at = stamp();
            let photo = storage.call(move |store| store.record_photo(&row, &at))??;
            say(out, &Report::Committed(Committed::Photo { package, inspection, photo, sha256 }))?;
        }

        say(out, &Report::Begin(Step::Sheet))?;
        let mut sheet = InspectionSheet::for_order(&found.order.record, today);
        for item in &mut sheet.items {
            item.received = rng.below(u64::from(item.ordered) + 1) as u32;
        }
        let items = sheet.items.iter().filter(|item| item.received > 0).count() as u64;
        let units = u64::from(sheet.units_received());
        let (saved, at) = (sheet.clone(), stamp());
        storage.call(move |store| store.save_inspection(inspection, &saved, &at))??;
        say(out, &Report::Committed(Committed::Sheet { package, inspection, items, units }))?;

        say(out, &Report::Begin(Step::Decision))?;
        let merchant = found.order.record.merchant.clone();
        let loaded = policies.get(&merchant).ok_or_else(|| DrillError::NoPolicy(merchant.clone()))?;
        let case = Case {
            merchant,
            order: found.order.record.to_order(),
            rma: Some(found.rma.record.to_rma()),
            inspection: sheet.to_inspection(|_| shots as u32),
        };
        let decision = decide(&loaded.policy, &case.order, case.rma.as_ref(), &case.inspection, today);
        let to_save = DecisionToSave {
            package_id: package,
            inspection_id: inspection,
            decision_json: decision_json(&case, loaded, &decision).to_string(),
            policy_sha256: loaded.sha256.clone(),
            queue: queue_entries(&decision),
            decision,
            override_: None,
        };
        let queue_items = to_save.queue.len() as u64;
        let at = stamp();
        let decision = storage.call(move |store| store.record_decision(&to_save, &at))??;
        say(out, &Report::Committed(Committed::Decision { package, decision, queue_items }))?;
    }
    Ok(())
}

/// Writes one report line and flushes it: a line still in a buffer when the kill comes was never said.
fn say(out: &mut dyn Write, report: &Report) -> Result<(), DrillError> {
    writeln!(out, "{report}").and_then(|()| out.flush()).map_err(DrillError::Output)
}

/// A small PNG of random pixels: a new photo (a new file in the photo folder) every time.
fn drill_photo(rng: &mut DrillRng) -> Result<Vec<u8>, DrillError> {
    use image::ImageEncoder as _;
    const WIDTH: u32 = 24;
    const HEIGHT: u32 = 16;
    let pixels: Vec<u8> = (0..WIDTH * HEIGHT * 3).map(|_| rng.next_u64() as u8).collect();
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(&pixels, WIDTH, HEIGHT, image::ExtendedColorType::Rgb8)
        .map_err(|e| DrillError::Encode(e.to_string()))?;
    Ok(png)
}
