//! Benches on one database at scale (issue 16): eight benches at once on one database holding a million
//! orders, each looking RMAs up by number and by tracking number and confirming decisions, on PostgreSQL over
//! loopback or on SQLite.
//!
//! The database is filled as `storage_scale` fills it (`benches/common`: N orders of 3 lines, one RMA each,
//! `import_orders` / `import_rmas` in batches of 10,000), unless it already holds exactly N orders (then it
//! is used as it is: filling a PostgreSQL database with a million orders takes minutes). Then each bench, a
//! thread with a store of its own (its own connection, as a bench process has), runs for the time given in a
//! loop: 10 RMA lookups and 10 tracking lookups (random numbers, one in ten not there), timed each, and one
//! package of a random RMA through the bench's use cases: `receive` (another box), `save_sheet` (every unit
//! back), `decide`, then `confirm`, timed: the store's transaction with the ledger check, the decision, its
//! queue items and audit entry (on PostgreSQL under the warehouse's write lock). A confirm the store refuses
//! because another bench settled the goods meanwhile is counted and decided again; its time is not a sample.
//! The first 2 s of every bench are a warm-up, not timed.
//!
//! `RMA_BENCH_PACE_MS` paces each bench: a round (the lookups and the package) begins every that many
//! milliseconds on average (jittered by half either way, so benches do not march in step), as clerks do, rather
//! than one after another as fast as the machine goes (0, the default: the database saturated). A change visible
//! on another bench: a `changes` thread follows the database as a bench's window does (`ChangeFeed`: NOTIFY on
//! PostgreSQL, the file's counter on SQLite) and notes when it hears of each confirmed decision; the time from the
//! confirm's return to that is the sample (the window then reads its screen again within 250 ms).
//!
//! ```text
//! cargo bench --bench benches_scale                                   # SQLite, 1,000,000 orders, 8 benches
//! RMA_BENCH_DATABASE_URL=postgres://… cargo bench --bench benches_scale   # PostgreSQL (an empty database)
//! cargo bench --bench benches_scale -- 10000                          # fewer orders
//! ```
//!
//! `RMA_BENCH_BENCHES` (8) and `RMA_BENCH_SECONDS` (60) change the benches and the time; `RMA_BENCH_DIR` keeps the
//! SQLite database in that folder (and reuses it). A Markdown row for BENCHMARKS.md goes to stdout.

mod common;

use std::collections::HashMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{BenchResult, Rng, import_generated, millis, percentile, stamp, ups_tracking};
use rma_station::bench::Actor;
use rma_station::bench::decision::{OnTheBench, confirm, decide};
use rma_station::bench::inspection::save_sheet;
use rma_station::bench::intake::{Arrival, receive};
use rma_station::bench::{BenchError, Claim, earlier_ledger};
use rma_station::clock::Clock;
use rma_station::domain::vocabulary::Role;
use rma_station::policies::PolicySet;
use rma_station::storage::changes::{ChangeFeed, FeedEvent};
use rma_station::storage::location::{DatabaseLocation, DatabaseUrl};
use rma_station::storage::{Store, StoreError, database_path};

const LOOKUPS_PER_ROUND: usize = 10;
const MISS_EVERY: u64 = 10;
const WARM_UP: Duration = Duration::from_secs(2);

/// What one bench measured, in nanoseconds.
#[derive(Debug, Default)]
struct Samples {
    rma: Vec<u64>,
    tracking: Vec<u64>,
    confirm: Vec<u64>,
    refused: u64,
    /// Each timed confirm's decision and when the store returned it.
    confirmed: Vec<(i64, Instant)>,
}

fn main() -> BenchResult<()> {
    let size: u64 = match std::env::args().skip(1).find(|a| !a.starts_with('-')) {
        Some(text) => text.parse()?,
        None => std::env::var("RMA_BENCH_SIZE").ok().map_or(Ok(1_000_000), |t| t.parse())?,
    };
    let benches: u64 = std::env::var("RMA_BENCH_BENCHES").ok().map_or(Ok(8), |t| t.parse())?;
    let seconds: u64 = std::env::var("RMA_BENCH_SECONDS").ok().map_or(Ok(60), |t| t.parse())?;
    let pace = Duration::from_millis(std::env::var("RMA_BENCH_PACE_MS").ok().map_or(Ok(0), |t| t.parse())?);
    let policies = PolicySet::built_in()?;
    let merchants: Vec<String> = policies.merchant_ids().into_iter().map(str::to_owned).collect();

    let mut _temporary = None;
    let (location, backend) = match std::env::var("RMA_BENCH_DATABASE_URL") {
        Ok(url) => (DatabaseLocation::Postgres(DatabaseUrl::parse(&url)?), "PostgreSQL"),
        Err(_) => {
            let folder = match std::env::var_os("RMA_BENCH_DIR") {
                Some(folder) => PathBuf::from(folder),
                None => _temporary.insert(tempfile::Builder::new().prefix("rma-benches-").tempdir()?).path().to_owned(),
            };
            std::fs::create_dir_all(&folder)?;
            (DatabaseLocation::Sqlite(database_path(&folder)), "SQLite")
        }
    };
    eprintln!("benches_scale: {backend}, {size} orders, {benches} benches, {seconds} s, {location}");
    {
        let mut store = rma_station::storage::open(&location, &policies)?;
        let orders = store.counts()?.orders;
        if orders == size {
            eprintln!("   the database holds {size} orders already: used as it is");
        } else if orders == 0 {
            let began = Instant::now();
            let mut rng = Rng(0x5EED_0001 ^ size);
            import_generated(&mut *store, size, &merchants, &mut rng, &stamp()?)?;
            eprintln!("   filled in {:.1?}", began.elapsed());
        } else {
            return Err(format!("{location} holds {orders} orders, neither none nor {size}").into());
        }
    }

    // Another bench's window, listening: when it heard of each decision.
    let heard: Arc<Mutex<HashMap<i64, Instant>>> = Arc::default();
    let (news, told) = sync_channel(1024);
    let feed = ChangeFeed::spawn(location.clone(), news, Arc::new(|| {}))?;
    let listener = {
        let heard = Arc::clone(&heard);
        std::thread::Builder::new().name("listener".into()).spawn(move || {
            for event in told {
                let at = Instant::now();
                if let FeedEvent::Changed { recorded, .. } = event {
                    let mut heard = heard.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                    for entry in recorded.iter().filter(|entry| entry.entity == "decision") {
                        if let Ok(id) = entry.entity_id.parse() {
                            heard.entry(id).or_insert(at);
                        }
                    }
                }
            }
        })?
    };

    let policies = Arc::new(policies);
    let mut threads = Vec::new();
    for k in 0..benches {
        let (location, policies) = (location.clone(), Arc::clone(&policies));
        let run = move || bench(k, size, &location, &policies, Duration::from_secs(seconds), pace);
        threads.push(std::thread::Builder::new().name(format!("bench-{}", k + 1)).spawn(run)?);
    }
    let mut all = Samples::default();
    for thread in threads {
        let samples = thread.join().map_err(|_| "a bench thread panicked")??;
        all.rma.extend(samples.rma);
        all.tracking.extend(samples.tracking);
        all.confirm.extend(samples.confirm);
        all.refused += samples.refused;
        all.confirmed.extend(samples.confirmed);
    }
    // The last notifications may still be on their way.
    std::thread::sleep(Duration::from_secs(2));
    drop(feed);
    listener.join().map_err(|_| "the listener panicked")?;
    let heard = heard.lock().map_err(|_| "the listener panicked")?;
    let mut visible: Vec<u64> = all
        .confirmed
        .iter()
        .map(|(id, confirmed)| {
            heard.get(id).map_or(u64::MAX, |at| at.saturating_duration_since(*confirmed).as_nanos() as u64)
        })
        .collect();
    let unheard = visible.iter().filter(|&&v| v == u64::MAX).count();
    visible.retain(|&v| v != u64::MAX);
    for samples in [&mut all.rma, &mut all.tracking, &mut all.confirm, &mut visible] {
        samples.sort_unstable();
    }
    let cell = |s: &[u64]| {
        format!(
            "{} / {} / {}",
            millis(percentile(s, 50)),
            millis(percentile(s, 99)),
            millis(s.last().copied().unwrap_or(0))
        )
    };
    let row = format!(
        "| {backend} | {size} | {benches} | {} | {} ({}) | {} ({}) | {} ({}, {} refused) | {} ({}, {unheard} unheard) |\n",
        if pace.is_zero() { "none".to_owned() } else { format!("{} ms", pace.as_millis()) },
        cell(&all.rma),
        all.rma.len(),
        cell(&all.tracking),
        all.tracking.len(),
        cell(&all.confirm),
        all.confirm.len(),
        all.refused,
        cell(&visible),
        visible.len(),
    );
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(row.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// One bench: its own store, lookups and packages until `time` is up.
fn bench(
    k: u64,
    size: u64,
    location: &DatabaseLocation,
    policies: &PolicySet,
    time: Duration,
    pace: Duration,
) -> Result<Samples, String> {
    let error = |e: &dyn std::fmt::Display| format!("bench-{}: {e}", k + 1);
    let mut store = rma_station::storage::open(location, policies).map_err(|e| error(&e))?;
    let store: &mut dyn Store = &mut *store;
    let actor = Actor { name: "bench".to_owned(), role: Role::Clerk, station: format!("bench-{}", k + 1) };
    let mut rng = Rng(0xBE4C_0000 + k);
    let mut samples = Samples::default();
    let started = Instant::now();
    while started.elapsed() < WARM_UP + time {
        let round = Instant::now();
        let timed = started.elapsed() >= WARM_UP;
        for _ in 0..LOOKUPS_PER_ROUND {
            let miss = rng.one_in(MISS_EVERY);
            let i = if miss { size + rng.below(size) } else { rng.below(size) };
            let (number, tracking) = (format!("RMA-{i}"), ups_tracking(i));
            let began = Instant::now();
            let found = store.rmas_by_number(&number).map_err(|e| error(&e))?;
            let by_number = began.elapsed();
            let began = Instant::now();
            let by_tracking = store.rmas_by_tracking(&tracking).map_err(|e| error(&e))?;
            let by_tracking_took = began.elapsed();
            if found.len() != usize::from(!miss) || by_tracking.len() != usize::from(!miss) {
                return Err(error(&format!("{number} / {tracking}: found {} / {}", found.len(), by_tracking.len())));
            }
            if timed {
                samples.rma.push(by_number.as_nanos() as u64);
                samples.tracking.push(by_tracking_took.as_nanos() as u64);
            }
        }
        match package(store, policies, &actor, &format!("RMA-{}", rng.below(size)), &mut samples.refused) {
            Ok((took, decision_id)) if timed => {
                samples.confirm.push(took.as_nanos() as u64);
                samples.confirmed.push((decision_id, Instant::now()));
            }
            Ok(_) => {}
            // The generator sometimes gives an order two lines of one SKU that disagree (on sale and not): the
            // engine refuses to decide such an order, as it should; the bench takes the next RMA.
            Err(BenchError::SameSku { .. }) => {}
            Err(e) => return Err(error(&e)),
        }
        if !pace.is_zero() {
            // Half to one and a half of the pace, so that the benches do not march in step.
            let this_round = pace / 2 + pace * rng.below(1000) as u32 / 1000;
            std::thread::sleep(this_round.saturating_sub(round.elapsed()));
        }
    }
    Ok(samples)
}

/// Receives another box of `number`, saves its sheet with every unit back, decides and confirms it; the time of
/// the confirm that the store took, and the decision's id. (An order the engine cannot decide, `SameSku`, is left
/// received.)
fn package(
    store: &mut dyn Store,
    policies: &PolicySet,
    actor: &Actor,
    number: &str,
    refused: &mut u64,
) -> Result<(Duration, i64), BenchError> {
    let now = Clock::System.now();
    let found = store.rmas_by_number(number)?.into_iter().next().ok_or(StoreError::NotFound { what: "RMA", id: 0 })?;
    let arrival = Arrival {
        scanned_code: number.to_owned(),
        scanned_kind: "rma_number".to_owned(),
        claim: Claim::Rma(found),
        note: String::new(),
        another_box: true,
    };
    let received = receive(store, actor, &now, arrival)?;
    let mut package = received.package;
    let mut sheet = received.sheet;
    for item in &mut sheet.items {
        item.received = item.ordered;
    }
    save_sheet(store, actor, &now, package.inspection_id, &sheet)?;
    loop {
        let decided = decide(policies, &package, &sheet, &[], now.today)?;
        let began = Instant::now();
        match confirm(store, policies, actor, &now, OnTheBench { package: &package, sheet: &sheet, decided: &decided })
        {
            Ok(confirmed) => return Ok((began.elapsed(), confirmed.decision_id)),
            Err(BenchError::Store(StoreError::AlreadySettled { .. } | StoreError::ChargedTwice { .. })) => {
                *refused += 1;
                package.earlier = earlier_ledger(&*store, &package.claim, package.package_id)?;
            }
            Err(other) => return Err(other),
        }
    }
}
