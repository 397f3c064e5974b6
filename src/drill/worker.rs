//! The drill worker: packages through the station's real save path, one after another, each committed
//! change reported on a line of its own.
//!
//! Each package goes the way the window sends it: a demo RMA's number is classified and looked up as a
//! scan, the package is received and its inspection started, photos (small PNGs, different each time)
//! are ingested into the photo folder and recorded, the sheet is saved, the engine decides, and the
//! decision is saved with its queue items. The store is owned by the storage thread, as in the window.
//! A line goes out, flushed, only after the store has answered: whatever a line says was committed.
//! Each step is the bench's own use case ([`crate::bench`]), the one the window runs for a clerk, so the
//! crash drill kills the clerk's path. The worker runs until it is killed, or for a number of packages.
//! It takes its time from the clock it is given (the system's, from the command line).

use std::io::Write;
use std::path::PathBuf;

use super::{Committed, DrillError, DrillRng, Report, Step};
use crate::bench::decision::{OnTheBench, confirm, decide};
use crate::bench::inspection::{record_photo, save_sheet};
use crate::bench::intake::{Arrival, IntakeMatch, find, receive};
use crate::bench::{Actor, BenchError, Claim, earlier_ledger};
use crate::clock::Clock;
use crate::domain::scan::Classifier;
use crate::domain::vocabulary::{Checkpoint, Role};
use crate::photos::decode::DecodeLimits;
use crate::photos::ingest::ingest;
use crate::photos::store::PhotoFolder;
use crate::policies::PolicySet;
use crate::storage::sqlite::SqliteStore;
use crate::storage::worker::StorageWorker;
use crate::storage::{StoreError, database_path, photos_path};

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
    pub clock: Clock,
}

/// Works packages through the bench, reporting each committed change on `out`.
pub fn run(setup: &WorkerSetup, policies: &PolicySet, out: &mut dyn Write) -> Result<(), DrillError> {
    let classifier = Classifier::new(&policies.classifier_config())?;
    let clock = setup.clock.clone();
    let numbers: Vec<String> =
        crate::demo::demo_data(clock.now().today)?.rmas.into_iter().map(|rma| rma.number).collect();
    // The store last, so that a kill before `ready` may land in its opening (recovery, merchants).
    let store = SqliteStore::open(&database_path(&setup.data_dir), policies)?;
    let worker = StorageWorker::spawn(Box::new(store)).map_err(DrillError::Thread)?;
    let storage = worker.client();
    let photos = PhotoFolder::new(photos_path(&setup.data_dir));
    let mut rng = DrillRng::new(setup.seed);
    let actor = Actor { name: "drill".to_owned(), role: Role::Clerk, station: setup.station.clone() };
    say(out, &Report::Ready)?;

    let mut done = 0_u64;
    while setup.packages.is_none_or(|packages| done < packages) {
        done += 1;
        let number = numbers.get(rng.below(numbers.len() as u64) as usize).cloned().unwrap_or_default();

        say(out, &Report::Begin(Step::Scan))?;
        let classification = classifier.classify(&number);
        let scanned = classification.clone();
        let found = storage.call(move |store| find(store, &scanned))??;
        let IntakeMatch::Rmas(options) = found else { return Err(DrillError::NoMatch(number)) };
        let Some(found) = options.into_iter().next() else { return Err(DrillError::NoMatch(number)) };

        say(out, &Report::Begin(Step::Package))?;
        let arrival = Arrival {
            scanned_code: number.clone(),
            scanned_kind: classification.kind().as_str().to_owned(),
            claim: Claim::Rma(found),
            note: String::new(),
            // The drill works the same RMAs again and again: each time another box of a split shipment.
            another_box: true,
        };
        // Receiving records the package, then opens its inspection: two commits, reported as such.
        let (at, by) = (clock.now(), actor.clone());
        let received = storage.call(move |store| receive(store, &by, &at, arrival))??;
        let (package, inspection) = (received.package.package_id, received.package.inspection_id);
        say(out, &Report::Committed(Committed::Package { package }))?;
        say(out, &Report::Begin(Step::Inspection))?;
        say(out, &Report::Committed(Committed::Inspection { package, inspection }))?;

        let shots = 1 + rng.below(2);
        for _ in 0..shots {
            say(out, &Report::Begin(Step::Photo))?;
            let ingested = ingest(&photos, &drill_photo(&mut rng)?, clock.now().at, &DecodeLimits::default())?;
            let row = ingested.record().to_row(inspection, None, Checkpoint::Contents);
            let sha256 = row.sha256.clone();
            let (at, by) = (clock.now(), actor.clone());
            let original = ingested.original;
            let photo = storage.call(move |store| record_photo(store, &by, &at, &row, &original))??;
            say(out, &Report::Committed(Committed::Photo { package, inspection, photo, sha256 }))?;
        }

        say(out, &Report::Begin(Step::Sheet))?;
        let mut sheet = received.sheet.clone();
        for item in &mut sheet.items {
            item.received = rng.below(u64::from(item.ordered) + 1) as u32;
        }
        let items = sheet.items.iter().filter(|item| item.received > 0).count() as u64;
        let units = u64::from(sheet.units_received());
        let (saved, at, by) = (sheet.clone(), clock.now(), actor.clone());
        storage.call(move |store| save_sheet(store, &by, &at, inspection, &saved))??;
        say(out, &Report::Committed(Committed::Sheet { package, inspection, items, units }))?;

        say(out, &Report::Begin(Step::Decision))?;
        let at = clock.now();
        let photo_items = vec![None; shots as usize];
        let mut bench = received.package;
        // Another station may settle the same goods between our reading of the ledger and our confirming:
        // the store refuses, and the clerk decides again on the ledger as it is now.
        let (decided, confirmed) = loop {
            let decided = decide(policies, &bench, &sheet, &photo_items, at.today)?;
            let (policies, by, saved, decision, on_bench) =
                (policies.clone(), actor.clone(), sheet.clone(), decided.clone(), bench.clone());
            let confirmed = storage.call(move |store| {
                confirm(
                    store,
                    &policies,
                    &by,
                    &at,
                    OnTheBench { package: &on_bench, sheet: &saved, decided: &decision },
                )
            })?;
            match confirmed {
                Err(BenchError::Store(StoreError::AlreadySettled { .. } | StoreError::ChargedTwice { .. })) => {
                    let claim = bench.claim.clone();
                    bench.earlier = storage.call(move |store| earlier_ledger(&*store, &claim, package))??;
                }
                other => break (decided, other?),
            }
        };
        let queue_items = decided.entries.len() as u64;
        say(out, &Report::Committed(Committed::Decision { package, decision: confirmed.decision_id, queue_items }))?;
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
