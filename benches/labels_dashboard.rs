//! Bin labels and the daily view: how long a label takes in each format (the `labels` thread's work for a
//! preview, a print job, a saved file), and how long the daily view's one storage query holds the storage
//! thread on a large database, where a scan arriving meanwhile waits behind it.
//!
//! Labels: the README's restock label, each format made `RMA_BENCH_RUNS` times (200) after 20 untimed:
//! layout and ZPL, the PDF, the full-size picture with its PNG encoding, and the half-size preview.
//!
//! Daily view: `Store::dashboard` on a copy of the database `frame_time` builds and caches
//! (`target/bench-data/frame-time-1000000/station.sqlite3`: 1,000,000 orders with their RMAs, the demo's,
//! 10,000 decided packages with open refunds), or the database named by `RMA_BENCH_DB`. The copy is opened
//! (migrated to this station's schema), then the query runs for the Sunday of the week in which most of the
//! open refunds were decided, so the week holds as many decisions as the database allows. Without such a
//! database this part is skipped with a note (`cargo bench --bench frame_time` builds it).
//!
//! ```text
//! cargo bench --bench labels_dashboard
//! RMA_BENCH_DB=/path/to/station.sqlite3 cargo bench --bench labels_dashboard
//! ```
#![expect(clippy::print_stdout, reason = "the benchmark prints its tables")]

mod common;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::Local;
use common::{BenchResult, grouped, micros, millis, percentile};
use rma_station::domain::vocabulary::{Bin, Disposition, Queue, Verdict};
use rma_station::labels::{BinLabel, pdf, png, zpl};
use rma_station::policies::PolicySet;
use rma_station::storage::sqlite::SqliteStore;
use rma_station::storage::{DashboardPeriod, Store};

const DEFAULT_RUNS: usize = 200;
const WARM_UP: usize = 20;
const DASHBOARD_RUNS: usize = 30;

fn main() -> BenchResult<()> {
    let runs = match std::env::var("RMA_BENCH_RUNS") {
        Ok(text) => text.parse()?,
        Err(_) => DEFAULT_RUNS,
    };
    let label = BinLabel {
        merchant: "ConnectPRO".into(),
        number: "RMA-2026-0108".into(),
        order_number: "CP-20108".into(),
        package_id: 12,
        decided_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 21).ok_or("date")?,
        verdict: Verdict::Accept,
        disposition: Disposition::Refund,
        station: "bench-1".into(),
        bin: Bin::Restock,
        units: vec![("KVM-4P-DP".into(), 2), ("CBL-KVM-USB-2M".into(), 2)],
        index: 1,
        count: 1,
    };
    let labels = [label.clone()];
    println!("| Label format ({runs} runs) | p50 | p99 | bytes |");
    println!("|---|---:|---:|---:|");
    time("layout + ZPL", runs, || Ok(zpl::zpl(&labels)?.len()))?;
    time("PDF", runs, || Ok(pdf::pdf(&labels)?.len()))?;
    time("PNG, 812 × 1218 (draw + encode)", runs, || Ok(png::png(&label)?.len()))?;
    time("preview, 406 × 609", runs, || Ok(png::preview(&label)?.grey.len()))?;

    let Some(source) = database()? else {
        eprintln!(
            "no frame_time database: build one with `cargo bench --bench frame_time` or name one with RMA_BENCH_DB"
        );
        return Ok(());
    };
    let copy = tempfile::tempdir()?;
    let path = copy.path().join("station.sqlite3");
    eprintln!("copying {} to {}", source.display(), path.display());
    std::fs::copy(&source, &path)?;
    let policies = PolicySet::built_in()?;
    let began = Instant::now();
    let store = SqliteStore::open(&path, &policies)?;
    eprintln!("opened (and migrated) in {} ms", millis(began.elapsed().as_nanos() as u64));
    // The week in which most of the refunds still open were decided (the due date less the merchant's days
    // to pay): the most decisions the query can meet.
    let mut weeks: Vec<(chrono::NaiveDate, u64)> = Vec::new();
    for refund in store.queue_items(Queue::Refund, false, usize::MAX)? {
        let (Some(due), Some(loaded)) = (refund.due_on, policies.get(&refund.merchant)) else { continue };
        let decided = due - chrono::Days::new(u64::from(loaded.policy.refund.due_days));
        let monday = DashboardPeriod::of(decided, &Local).week_start;
        match weeks.iter_mut().find(|(week, _)| *week == monday) {
            Some((_, n)) => *n += 1,
            None => weeks.push((monday, 1)),
        }
    }
    let (monday, _) = weeks.iter().max_by_key(|(_, n)| *n).ok_or("the database has no open refund")?;
    // Its Sunday: the whole week counts.
    let period = DashboardPeriod::of(*monday + chrono::Days::new(6), &Local);
    let counts = store.counts()?;
    let mut times = Vec::new();
    let mut figures = None;
    for _ in 0..DASHBOARD_RUNS + 3 {
        let began = Instant::now();
        figures = Some(black_box(store.dashboard(&period)?));
        times.push(began.elapsed().as_nanos() as u64);
    }
    let times = &mut times[3..];
    times.sort_unstable();
    let figures = figures.ok_or("no run")?;
    let decided: u64 = figures.merchants.iter().map(|m| m.decided_week()).sum();
    let owed: u64 = figures.merchants.iter().map(|m| m.refunds_owed).sum();
    println!();
    println!(
        "| Daily view ({DASHBOARD_RUNS} runs after 3) | orders | packages | decisions in the week | open refunds | p50 | p99 |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    println!(
        "| `Store::dashboard` | {} | {} | {} | {} | {} ms | {} ms |",
        grouped(counts.orders),
        grouped(counts.packages),
        grouped(decided),
        grouped(owed),
        millis(percentile(times, 50)),
        millis(percentile(times, 99))
    );
    Ok(())
}

/// Times `work` `runs` times after a warm-up and prints a table row.
fn time(what: &str, runs: usize, mut work: impl FnMut() -> BenchResult<usize>) -> BenchResult<()> {
    let mut size = 0;
    for _ in 0..WARM_UP {
        size = black_box(work()?);
    }
    let mut times: Vec<u64> = Vec::with_capacity(runs);
    for _ in 0..runs {
        let began = Instant::now();
        size = black_box(work()?);
        times.push(began.elapsed().as_nanos() as u64);
    }
    times.sort_unstable();
    println!(
        "| {what} | {} µs | {} µs | {} |",
        micros(percentile(&times, 50)),
        micros(percentile(&times, 99)),
        grouped(size as u64)
    );
    Ok(())
}

/// The database to query: `RMA_BENCH_DB`, or frame_time's cached one.
fn database() -> BenchResult<Option<PathBuf>> {
    if let Ok(path) = std::env::var("RMA_BENCH_DB") {
        return Ok(Some(PathBuf::from(path)));
    }
    let cached = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/frame-time-1000000/station.sqlite3");
    Ok(cached.exists().then_some(cached))
}
