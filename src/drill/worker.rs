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
//!
//! The store is the data folder's SQLite file or the warehouse's PostgreSQL database (`--database`). On
//! PostgreSQL a bench outlives the server: when a call finds it away (`StoreError::ServerAway`), the worker
//! waits a moment with backoff, says `reconnected`, and carries on; the store connects again by itself, as the
//! window's does. What the cut-off step did is unknown (its commit may or may not have happened), so it is
//! never reported committed; the package it was on is this bench's, under its lease, and is resumed like
//! every package this bench received and did not decide: a restarted worker (after a kill) and a reconnected
//! one first finish those, through the clerk's own `resume`.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::{Committed, DrillError, DrillRng, Report, Step};
use crate::bench::decision::{Decided, OnTheBench, confirm, decide};
use crate::bench::inspection::{record_photo, save_sheet};
use crate::bench::intake::{Arrival, IntakeMatch, find, receive, resume};
use crate::bench::{Actor, BenchError, BenchPackage, Claim, earlier_ledger};
use crate::clock::Clock;
use crate::domain::inspection::InspectionSheet;
use crate::domain::scan::Classifier;
use crate::domain::vocabulary::{Checkpoint, Role};
use crate::photos::decode::DecodeLimits;
use crate::photos::ingest::ingest;
use crate::photos::store::PhotoFolder;
use crate::policies::PolicySet;
use crate::storage::location::DatabaseLocation;
use crate::storage::worker::StorageWorker;
use crate::storage::{Store, StoreError, photos_path};

/// How long a worker keeps trying to reach a server that went away before it gives up: a restart takes
/// seconds; a server gone for longer is a failure the drill reports.
const RECONNECT_FOR: Duration = Duration::from_secs(90);
/// The first wait before trying again, doubled after each failure up to [`BACKOFF_MAX`].
const BACKOFF_FIRST: Duration = Duration::from_millis(50);
const BACKOFF_MAX: Duration = Duration::from_secs(1);
/// How far back a bench looks for packages it received and did not decide.
const OWN_PACKAGES_SINCE: chrono::Duration = chrono::Duration::days(1);

/// What a worker works on.
#[derive(Debug, Clone)]
pub struct WorkerSetup {
    /// The worker's own folder: its photos (and the SQLite file, when that is the database).
    pub data_dir: PathBuf,
    /// The database holding the demo data.
    pub database: DatabaseLocation,
    /// The station name on everything it writes.
    pub station: String,
    /// Chooses the RMAs, the units received and the photos.
    pub seed: u64,
    /// Stop after this many packages decided; none: until killed.
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
    let mut storage = Storage::open(&setup.database, policies)?;
    let photos = PhotoFolder::new(photos_path(&setup.data_dir));
    let mut rng = DrillRng::new(setup.seed);
    let actor = Actor { name: "drill".to_owned(), role: Role::Clerk, station: setup.station.clone() };
    let bench = Bench { policies, actor: &actor, clock: &clock };
    say(out, &Report::Ready)?;

    let mut done = 0_u64;
    // At the start (perhaps after a kill) and after each reconnection: first this bench's own packages.
    let mut own_first = true;
    while setup.packages.is_none_or(|packages| done < packages) {
        let outcome = if own_first {
            match bench.own_undecided(&mut storage)? {
                Some(Some(package)) => bench.sheet_and_decision(&mut storage, package, out)?,
                Some(None) => {
                    own_first = false;
                    continue;
                }
                None => Outcome::Cut,
            }
        } else {
            let number = numbers.get(rng.below(numbers.len() as u64) as usize).cloned().unwrap_or_default();
            bench.new_package(&mut storage, &classifier, &photos, &number, &mut rng, out)?
        };
        match outcome {
            Outcome::Decided => {
                done += 1;
                storage.went_through();
            }
            Outcome::Left => storage.went_through(),
            Outcome::Cut => {
                say(out, &Report::Reconnected)?;
                own_first = true;
            }
        }
    }
    Ok(())
}

/// How a package's turn at the bench ended.
enum Outcome {
    /// Decided and confirmed, and reported.
    Decided,
    /// Left undecided on purpose: another bench holds it.
    Left,
    /// The server went away in a step; the worker waited a moment for it (the store connects again by itself).
    /// The step's outcome is unknown.
    Cut,
}

/// The bench's store on its storage thread. A server that goes away is waited for: the store connects again by
/// itself (`PgBackend`), and the step that met the absence is reported cut.
struct Storage {
    worker: StorageWorker,
    /// Since when steps have met the server away, with none gone through since.
    cut_since: Option<Instant>,
    /// The next wait for it.
    backoff: Duration,
}

impl Storage {
    /// Opens the store; on PostgreSQL a server that cannot be reached yet is tried again, with backoff, for
    /// [`RECONNECT_FOR`].
    fn open(location: &DatabaseLocation, policies: &PolicySet) -> Result<Storage, DrillError> {
        let worker = StorageWorker::spawn(open_with_backoff(location, policies)?).map_err(DrillError::Thread)?;
        Ok(Storage { worker, cut_since: None, backoff: BACKOFF_FIRST })
    }

    /// Runs a use case on the storage thread. `Ok(None)`: the server was away (and has been waited for a
    /// moment); the use case's outcome is unknown.
    fn call<T, F>(&mut self, work: F) -> Result<Option<T>, DrillError>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Store) -> Result<T, BenchError> + Send + 'static,
    {
        match self.worker.client().call(work)? {
            Ok(answer) => Ok(Some(answer)),
            Err(BenchError::Store(error @ StoreError::ServerAway { .. })) => {
                self.wait_for_server(error)?;
                Ok(None)
            }
            Err(error) => Err(error.into()),
        }
    }

    /// A package's turn went through: the server is there.
    fn went_through(&mut self) {
        self.cut_since = None;
        self.backoff = BACKOFF_FIRST;
    }

    /// Waits a moment, longer each time, unless the server has been away for [`RECONNECT_FOR`].
    fn wait_for_server(&mut self, cause: StoreError) -> Result<(), DrillError> {
        if self.cut_since.get_or_insert_with(Instant::now).elapsed() > RECONNECT_FOR {
            return Err(cause.into());
        }
        std::thread::sleep(self.backoff);
        self.backoff = (self.backoff * 2).min(BACKOFF_MAX);
        Ok(())
    }
}

/// Opens the store, trying a PostgreSQL server again with backoff until [`RECONNECT_FOR`] has passed.
fn open_with_backoff(location: &DatabaseLocation, policies: &PolicySet) -> Result<Box<dyn Store>, DrillError> {
    let started = Instant::now();
    let mut wait = BACKOFF_FIRST;
    loop {
        match crate::storage::open(location, policies) {
            Ok(store) => return Ok(store),
            Err(StoreError::ServerAway { .. } | StoreError::Database { .. })
                if matches!(location, DatabaseLocation::Postgres(_)) && started.elapsed() < RECONNECT_FOR =>
            {
                std::thread::sleep(wait);
                wait = (wait * 2).min(BACKOFF_MAX);
            }
            Err(error) => return Err(error.into()),
        }
    }
}

/// One package on this bench: as received, or as resumed.
struct OnBench {
    package: BenchPackage,
    sheet: InspectionSheet,
    photos: usize,
}

/// The clerk at this bench: who, by which policies and clock.
struct Bench<'a> {
    policies: &'a PolicySet,
    actor: &'a Actor,
    clock: &'a Clock,
}

impl Bench<'_> {
    /// This bench's latest package received and not decided (`Some(None)`: none; `None`: the connection was
    /// cut), resumed as the clerk resumes it.
    fn own_undecided(&self, storage: &mut Storage) -> Result<Option<Option<OnBench>>, DrillError> {
        let now = self.clock.now();
        let since = (now.at - OWN_PACKAGES_SINCE).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let by = self.actor.clone();
        storage.call(move |store| {
            let mine = store.undecided_since(&since, 1000)?.into_iter().find(|row| row.station == by.station);
            match mine {
                None => Ok(None),
                Some(row) => resume(store, &by, &now, row.id).map(|resumed| {
                    Some(OnBench { package: resumed.package, sheet: resumed.sheet, photos: resumed.photos.len() })
                }),
            }
        })
    }

    /// A new box of `number`: scanned, received, photographed, then its sheet and decision.
    fn new_package(
        &self,
        storage: &mut Storage,
        classifier: &Classifier,
        photos: &PhotoFolder,
        number: &str,
        rng: &mut DrillRng,
        out: &mut dyn Write,
    ) -> Result<Outcome, DrillError> {
        say(out, &Report::Begin(Step::Scan))?;
        let classification = classifier.classify(number);
        let scanned = classification.clone();
        let Some(found) = storage.call(move |store| Ok(find(store, &scanned)?))? else { return Ok(Outcome::Cut) };
        let IntakeMatch::Rmas(options) = found else { return Err(DrillError::NoMatch(number.to_owned())) };
        let Some(found) = options.into_iter().next() else { return Err(DrillError::NoMatch(number.to_owned())) };

        say(out, &Report::Begin(Step::Package))?;
        let arrival = Arrival {
            scanned_code: number.to_owned(),
            scanned_kind: classification.kind().as_str().to_owned(),
            claim: Claim::Rma(found),
            note: String::new(),
            // The drill works the same RMAs again and again: each time another box of a split shipment.
            another_box: true,
        };
        // Receiving records the package, then opens its inspection: two commits, reported as such.
        let (at, by) = (self.clock.now(), self.actor.clone());
        let Some(received) = storage.call(move |store| receive(store, &by, &at, arrival))? else {
            return Ok(Outcome::Cut);
        };
        let (package, inspection) = (received.package.package_id, received.package.inspection_id);
        say(out, &Report::Committed(Committed::Package { package }))?;
        say(out, &Report::Begin(Step::Inspection))?;
        say(out, &Report::Committed(Committed::Inspection { package, inspection }))?;

        let shots = 1 + rng.below(2);
        for _ in 0..shots {
            say(out, &Report::Begin(Step::Photo))?;
            let ingested = ingest(photos, &drill_photo(rng)?, self.clock.now().at, &DecodeLimits::default())?;
            let row = ingested.record().to_row(inspection, None, Checkpoint::Contents);
            let sha256 = row.sha256.clone();
            let (at, by) = (self.clock.now(), self.actor.clone());
            let original = ingested.original;
            let Some(photo) = storage.call(move |store| record_photo(store, &by, &at, &row, &original))? else {
                return Ok(Outcome::Cut);
            };
            say(out, &Report::Committed(Committed::Photo { package, inspection, photo, sha256 }))?;
        }
        let open = OnBench { package: received.package, sheet: received.sheet, photos: shots as usize };
        self.sheet_and_decision(storage, open, out)
    }

    /// Fills in the sheet (some units of each item back), saves it, decides and confirms: a new package's, or one
    /// of this bench's own resumed.
    fn sheet_and_decision(
        &self,
        storage: &mut Storage,
        open: OnBench,
        out: &mut dyn Write,
    ) -> Result<Outcome, DrillError> {
        let OnBench { package: mut bench, mut sheet, photos } = open;
        let (package, inspection) = (bench.package_id, bench.inspection_id);
        say(out, &Report::Begin(Step::Sheet))?;
        // The units back are the package's own (drawn from its id), not this process's: a package resumed after
        // a kill or a lost connection is saved again with the same sheet, so every sheet reported for it holds.
        let mut units_back = DrillRng::new(package as u64 ^ 0x5eed_5ee7);
        for item in &mut sheet.items {
            item.received = units_back.below(u64::from(item.ordered) + 1) as u32;
        }
        let items = sheet.items.iter().filter(|item| item.received > 0).count() as u64;
        let units = u64::from(sheet.units_received());
        let (saved, at, by) = (sheet.clone(), self.clock.now(), self.actor.clone());
        if storage.call(move |store| save_sheet(store, &by, &at, inspection, &saved))?.is_none() {
            return Ok(Outcome::Cut);
        }
        say(out, &Report::Committed(Committed::Sheet { package, inspection, items, units }))?;

        say(out, &Report::Begin(Step::Decision))?;
        let at = self.clock.now();
        let photo_items = vec![None; photos];
        // Another station may settle the same goods between our reading of the ledger and our confirming:
        // the store refuses, and the clerk decides again on the ledger as it is now.
        let (decided, confirmed): (Decided, _) = loop {
            let decided = decide(self.policies, &bench, &sheet, &photo_items, at.today)?;
            let (policies, by, saved, decision, on_bench) =
                (self.policies.clone(), self.actor.clone(), sheet.clone(), decided.clone(), bench.clone());
            let confirmed = storage.worker.client().call(move |store| {
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
                    say(out, &Report::Refused)?;
                    let claim = bench.claim.clone();
                    match storage.call(move |store| Ok(earlier_ledger(&*store, &claim, package)?))? {
                        Some(earlier) => bench.earlier = earlier,
                        None => return Ok(Outcome::Cut),
                    }
                }
                // Another bench took the package over: it is theirs to decide now.
                Err(BenchError::Store(StoreError::HeldElsewhere(_))) => {
                    say(out, &Report::Refused)?;
                    return Ok(Outcome::Left);
                }
                Err(BenchError::Store(error @ StoreError::ServerAway { .. })) => {
                    storage.wait_for_server(error)?;
                    return Ok(Outcome::Cut);
                }
                other => break (decided, other?),
            }
        };
        let queue_items = decided.entries.len() as u64;
        say(out, &Report::Committed(Committed::Decision { package, decision: confirmed.decision_id, queue_items }))?;
        Ok(Outcome::Decided)
    }
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
