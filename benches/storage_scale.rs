//! Storage at scale (issue 3): how the SQLite store behaves with 10k, 100k and 1M orders.
//!
//! For each size N the bench builds a fresh database in a temporary folder through the public API
//! (`SqliteStore::open` with the built-in policies, `import_orders` / `import_rmas` in batches of 10,000
//! records, one transaction each): N orders of 3 lines each, one RMA per order, each RMA expecting one
//! tracking number (every tenth a second one). It then measures:
//!
//! - the database's size (after closing, so the WAL is checkpointed) and bytes per 1,000 orders;
//! - lookups by RMA number, tracking number and order number (`rmas_by_number`, `rmas_by_tracking`,
//!   `orders_by_number`) on a reopened store: random keys, 90% hits and 10% misses, p50 and p99;
//! - a Shopify "Orders export" CSV of N more orders (3 goods rows each, a tip row on every 50th order,
//!   quoted values with commas and line breaks): parse time and `import_orders` time (batches of 10,000
//!   orders into the same, already filled database), each in rows per second.
//!
//! Run (release):
//!
//! ```text
//! cargo bench --bench storage_scale                          # 10000,100000,1000000
//! RMA_BENCH_SIZES=10000 cargo bench --bench storage_scale    # a quick run
//! cargo bench --bench storage_scale -- 10000,100000          # sizes as an argument
//! ```
//!
//! The generator (`order`, `rma`, its fixed-seed `Rng`) and the batched import are shared with
//! `frame_time` in `benches/common`.
//!
//! `RMA_BENCH_KEEP=1` keeps each database (with the Shopify orders added) for a look with `sqlite3`.
//! Progress goes to stderr; the Markdown tables for BENCHMARKS.md go to stdout. Random data come from a
//! fixed-seed generator, so every run builds the same databases. Merchants are the built-in policies'
//! ids; no merchant is named here.

mod common;

use std::fmt::Write as _;
use std::hint::black_box;
use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeDelta};
use common::{
    BATCH, BenchResult, CITIES, FIRST_NAMES, LAST_NAMES, LINES_PER_ORDER, Rng, SKUS, base_date, category, grouped,
    import_generated, micros, percentile, product_name, progress, sku, stamp, ups_tracking,
};
use rma_station::formats::import::{parse_category_map, parse_shopify_orders};
use rma_station::policies::{PolicySet, sha256_hex};
use rma_station::storage::sqlite::SqliteStore;
use rma_station::storage::{ImportSource, Store, database_path};

const DEFAULT_SIZES: &[u64] = &[10_000, 100_000, 1_000_000];
/// Timed lookups per kind (after an untimed warm-up), unless the time budget runs out first.
const LOOKUPS: usize = 20_000;
const WARM_UP: usize = 1_000;
const WARM_UP_BUDGET: Duration = Duration::from_secs(2);
const LOOKUP_BUDGET: Duration = Duration::from_secs(20);
/// One lookup in this many asks for a number that is not there.
const MISS_EVERY: u64 = 10;

fn main() -> BenchResult<()> {
    let sizes = sizes()?;
    let policies = PolicySet::built_in()?;
    let merchants: Vec<String> = policies.merchant_ids().into_iter().map(str::to_owned).collect();
    if merchants.is_empty() {
        return Err("the built-in policy set has no merchants".into());
    }
    eprintln!("storage_scale: sizes {sizes:?}, merchants {merchants:?}");
    let mut results = Vec::new();
    for &size in &sizes {
        results.push(measure(size, &policies, &merchants)?);
    }
    let mut out = String::new();
    summary_table(&mut out, &results)?;
    out.push('\n');
    detail_table(&mut out, &results)?;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// Sizes from `RMA_BENCH_SIZES`, else the first argument that is not a flag (cargo passes `--bench`),
/// else the defaults. Either is a comma-separated list of order counts.
fn sizes() -> BenchResult<Vec<u64>> {
    let given =
        std::env::var("RMA_BENCH_SIZES").ok().or_else(|| std::env::args().skip(1).find(|a| !a.starts_with('-')));
    let Some(text) = given else { return Ok(DEFAULT_SIZES.to_vec()) };
    let sizes = text
        .split(',')
        .map(|s| s.trim().replace('_', "").parse::<u64>().map_err(|e| format!("size {s:?}: {e}")))
        .collect::<Result<Vec<u64>, String>>()?;
    if sizes.contains(&0) {
        return Err("sizes must be positive order counts".into());
    }
    Ok(sizes)
}

struct Latency {
    samples: usize,
    misses: usize,
    p50_ns: u64,
    p99_ns: u64,
    max_ns: u64,
    hit_p99_ns: u64,
    miss_p99_ns: u64,
}

struct SizeResult {
    orders: u64,
    build_orders: Duration,
    build_rmas: Duration,
    db_bytes: u64,
    by_rma: Latency,
    by_tracking: Latency,
    by_order: Latency,
    shopify_rows: u64,
    shopify_orders: u64,
    shopify_bytes: u64,
    shopify_parse: Duration,
    shopify_import: Duration,
}

fn measure(size: u64, policies: &PolicySet, merchants: &[String]) -> BenchResult<SizeResult> {
    let dir = tempfile::Builder::new().prefix("rma-bench-").tempdir()?;
    let path = database_path(dir.path());
    let stamp = stamp()?;
    eprintln!("\n== {size} orders, database {}", path.display());

    // Build: orders, then RMAs, each in batches of BATCH records per transaction.
    let (build_orders, build_rmas) = {
        let mut store = SqliteStore::open(&path, policies)?;
        let mut rng = Rng(0x5EED_0001 ^ size);
        let timed = import_generated(&mut store, size, merchants, &mut rng, &stamp)?;
        let counts = store.counts()?;
        eprintln!("   stored: {counts:?}");
        // Dropping the store closes the last connection, which checkpoints the WAL into the file.
        timed
    };
    let db_bytes = file_size(&path)? + file_size(&path.with_extension("sqlite3-wal")).unwrap_or(0);
    eprintln!("   database: {} bytes", db_bytes);

    // Lookups on a reopened store: SQLite's own cache starts empty; the OS page cache is warm.
    let mut store = SqliteStore::open(&path, policies)?;
    let mut rng = Rng(0x5EED_0002 ^ size);
    let by_rma = lookups(
        "RMA number",
        size,
        &mut rng,
        |i| format!("RMA-{i}"),
        |key| store.rmas_by_number(key).map(|r| r.len()),
    )?;
    let by_tracking =
        lookups("tracking number", size, &mut rng, ups_tracking, |key| store.rmas_by_tracking(key).map(|r| r.len()))?;
    let by_order = lookups(
        "order number",
        size,
        &mut rng,
        |i| format!("ORD-{i}"),
        |key| store.orders_by_number(key).map(|o| o.len()),
    )?;

    // Shopify: N more orders for the first merchant, parsed then imported into this filled database.
    let merchant = &merchants[0];
    let categories = parse_category_map("bench-categories.csv", &category_csv())?;
    let text = shopify_csv(size, &mut Rng(0x5EED_0003 ^ size))?;
    let file = "bench-shopify-orders.csv";
    eprintln!("   Shopify CSV: {} bytes", text.len());
    let warehouse = chrono::FixedOffset::west_opt(5 * 3600).ok_or("bad offset")?;
    let began = Instant::now();
    let (records, summary) = parse_shopify_orders(file, &text, merchant, &categories, warehouse, &mut |_| {})?;
    let shopify_parse = began.elapsed();
    eprintln!(
        "   Shopify parse: {} rows, {} orders, {} skipped in {:?}",
        summary.rows_read,
        records.len(),
        summary.skipped.len(),
        shopify_parse
    );
    if records.len() as u64 != size {
        return Err(format!("Shopify: expected {size} orders, parsed {}", records.len()).into());
    }
    let source = ImportSource { file: file.to_owned(), sha256: sha256_hex(text.as_bytes()) };
    let shopify_bytes = text.len() as u64;
    drop(text);
    let mut shopify_import = Duration::ZERO;
    for (n, chunk) in records.chunks(BATCH).enumerate() {
        let began = Instant::now();
        let counts = store.import_orders(&source, chunk, &stamp)?;
        shopify_import += began.elapsed();
        if counts.new != chunk.len() as u64 {
            return Err(format!("Shopify batch {n}: expected all new, got {counts:?}").into());
        }
        progress("Shopify orders", ((n + 1) * BATCH).min(records.len()) as u64, size, shopify_import);
    }
    drop(store);
    if std::env::var_os("RMA_BENCH_KEEP").is_some() {
        eprintln!("   kept {} (RMA_BENCH_KEEP)", dir.keep().display());
    }
    Ok(SizeResult {
        orders: size,
        build_orders,
        build_rmas,
        db_bytes,
        by_rma,
        by_tracking,
        by_order,
        shopify_rows: summary.rows_read,
        shopify_orders: records.len() as u64,
        shopify_bytes,
        shopify_parse,
        shopify_import,
    })
}

fn file_size(path: &Path) -> std::io::Result<u64> {
    std::fs::metadata(path).map(|m| m.len())
}

/// Times `lookup` on random keys: `key(i)` for a stored `i` (expects exactly one result) or, one time in
/// `MISS_EVERY`, for an `i` past the last one (expects none).
fn lookups(
    what: &str,
    size: u64,
    rng: &mut Rng,
    key: impl Fn(u64) -> String,
    mut lookup: impl FnMut(&str) -> Result<usize, rma_station::storage::StoreError>,
) -> BenchResult<Latency> {
    let mut one = || -> BenchResult<(bool, u64)> {
        let miss = rng.one_in(MISS_EVERY);
        let i = if miss { size + rng.below(size) } else { rng.below(size) };
        let key = key(i);
        let began = Instant::now();
        let found = black_box(lookup(black_box(&key))?);
        let took = began.elapsed().as_nanos() as u64;
        if found != usize::from(!miss) {
            return Err(format!("{what} {key}: expected {} result(s), got {found}", usize::from(!miss)).into());
        }
        Ok((miss, took))
    };
    let warming = Instant::now();
    for _ in 0..WARM_UP {
        one()?;
        if warming.elapsed() > WARM_UP_BUDGET {
            break;
        }
    }
    let mut hits = Vec::with_capacity(LOOKUPS);
    let mut misses = Vec::with_capacity(LOOKUPS / MISS_EVERY as usize + 1);
    let started = Instant::now();
    while hits.len() + misses.len() < LOOKUPS {
        let (miss, took) = one()?;
        if miss {
            misses.push(took);
        } else {
            hits.push(took);
        }
        if started.elapsed() > LOOKUP_BUDGET {
            eprintln!("   {what}: time budget spent after {} timed lookups", hits.len() + misses.len());
            break;
        }
    }
    let mut all: Vec<u64> = hits.iter().chain(&misses).copied().collect();
    all.sort_unstable();
    hits.sort_unstable();
    misses.sort_unstable();
    let latency = Latency {
        samples: all.len(),
        misses: misses.len(),
        p50_ns: percentile(&all, 50),
        p99_ns: percentile(&all, 99),
        max_ns: all.last().copied().unwrap_or(0),
        hit_p99_ns: percentile(&hits, 99),
        miss_p99_ns: percentile(&misses, 99),
    };
    eprintln!(
        "   {what}: {} lookups, p50 {} µs, p99 {} µs, max {} µs",
        latency.samples,
        micros(latency.p50_ns),
        micros(latency.p99_ns),
        micros(latency.max_ns)
    );
    Ok(latency)
}

/// A count per second, from a count and the time it took.
fn per_second(count: u64, took: Duration) -> u64 {
    let ns = took.as_nanos().max(1);
    (u128::from(count) * 1_000_000_000 / ns) as u64
}

/// Seconds with one decimal.
fn seconds(took: Duration) -> String {
    let tenths = (took.as_millis() + 50) / 100;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// Bytes as MiB with one decimal.
fn mebibytes(bytes: u64) -> String {
    let tenths = (bytes * 10 + (1 << 19)) >> 20;
    format!("{}.{}", tenths / 10, tenths % 10)
}

fn category_csv() -> String {
    let mut text = String::from("sku,category\n");
    for k in 0..SKUS {
        text.push_str(&format!("{},{}\n", sku(k), category(k)));
    }
    text
}

/// Shopify's "Orders export" header, every column, as Shopify writes it.
const SHOPIFY_HEADER: &str = "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,\
Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,\
Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,\
Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,\
Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,Shipping Address1,\
Shipping Address2,Shipping Company,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,\
Note Attributes,Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,\
Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,\
Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,\
Billing Province Name,Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,Payment References";

/// One CSV row being filled by column name.
struct CsvRow {
    names: Vec<&'static str>,
    values: Vec<String>,
}

impl CsvRow {
    fn new(header: &'static str) -> CsvRow {
        let names: Vec<&'static str> = header.split(',').collect();
        let values = vec![String::new(); names.len()];
        CsvRow { names, values }
    }

    fn set(&mut self, name: &str, value: impl std::fmt::Display) -> BenchResult<()> {
        let index = self.names.iter().position(|n| *n == name).ok_or_else(|| format!("no column {name:?}"))?;
        let slot = &mut self.values[index];
        slot.clear();
        write!(slot, "{value}")?;
        Ok(())
    }

    /// Writes the row and empties it for the next one.
    fn write_to(&mut self, out: &mut String) {
        for (k, value) in self.values.iter_mut().enumerate() {
            if k > 0 {
                out.push(',');
            }
            if value.contains([',', '"', '\n', '\r']) {
                out.push('"');
                out.push_str(&value.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(value);
            }
            value.clear();
        }
        out.push('\n');
    }
}

fn shopify_time(date: NaiveDate, seconds_of_day: u64, offset: &str) -> String {
    let (h, m, s) = (seconds_of_day / 3600, seconds_of_day / 60 % 60, seconds_of_day % 60);
    format!("{date} {h:02}:{m:02}:{s:02} {offset}")
}

fn money_text(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// A Shopify "Orders export" of `orders` orders named `#{1001 + n}`: 3 goods rows each, a tip row (not
/// goods, skipped by the parser) on every 50th, some cancelled or refunded, some sale items, some quoted
/// values with commas, quotes and line breaks, zip codes with Shopify's leading apostrophe.
fn shopify_csv(orders: u64, rng: &mut Rng) -> BenchResult<String> {
    let base = base_date()?;
    let mut out = String::with_capacity(orders as usize * 1_000);
    out.push_str(SHOPIFY_HEADER);
    out.push('\n');
    let mut row = CsvRow::new(SHOPIFY_HEADER);
    for n in 0..orders {
        let name = format!("#{}", 1001 + n);
        let first = rng.pick(FIRST_NAMES);
        let last = rng.pick(LAST_NAMES);
        let email = format!("{}.{}{n}@example.net", first.to_lowercase(), last.to_lowercase());
        let (city, province, province_name, zip) = *rng.pick(CITIES);
        let offset = if rng.one_in(3) { "-0500" } else { "+0000" };
        let created_day = base + TimeDelta::days(rng.below(700) as i64);
        let created_second = rng.below(86_000);
        let created = shopify_time(created_day, created_second, offset);
        let fulfilled = (!rng.one_in(10))
            .then(|| shopify_time(created_day + TimeDelta::days(1 + rng.below(5) as i64), rng.below(86_000), offset));
        let cancelled = rng.one_in(50);
        let financial = match rng.below(40) {
            0 => "refunded",
            1 => "partially_refunded",
            _ => "paid",
        };
        let items: Vec<(u64, u64, u64, Option<u64>)> = (0..LINES_PER_ORDER)
            .map(|_| {
                let k = rng.below(SKUS);
                let price = 999 + rng.below(30_000);
                // A fifth of the SKUs on sale, the same for every line of one: lines of one SKU that disagree on
                // it are refused (issue 15: identical units cannot be told apart at the bench).
                let compare = k.is_multiple_of(5).then_some(price + 500);
                (k, 1 + rng.below(3), price, compare)
            })
            .collect();
        let subtotal: u64 = items.iter().map(|(_, q, p, _)| q * p).sum();
        let shipping = rng.below(1_500);
        let tip = n.is_multiple_of(50);

        for (position, &(k, qty, price, compare)) in items.iter().enumerate() {
            row.set("Name", &name)?;
            row.set("Email", &email)?;
            row.set("Created at", &created)?;
            row.set("Lineitem quantity", qty)?;
            row.set("Lineitem name", product_name(k))?;
            row.set("Lineitem price", money_text(price))?;
            if let Some(compare) = compare {
                row.set("Lineitem compare at price", money_text(compare))?;
            }
            row.set("Lineitem sku", sku(k))?;
            row.set("Lineitem requires shipping", "true")?;
            row.set("Lineitem taxable", "true")?;
            row.set("Lineitem fulfillment status", if fulfilled.is_some() { "fulfilled" } else { "pending" })?;
            row.set("Vendor", "Bench Goods")?;
            row.set("Lineitem discount", "0.00")?;
            if position == 0 {
                let full_name = format!("{first} {last}");
                let street = format!("{} Harbour Road", 1 + rng.below(999));
                row.set("Financial Status", financial)?;
                row.set("Paid at", &created)?;
                row.set("Fulfillment Status", if fulfilled.is_some() { "fulfilled" } else { "unfulfilled" })?;
                if let Some(fulfilled) = &fulfilled {
                    row.set("Fulfilled at", fulfilled)?;
                }
                row.set("Accepts Marketing", if rng.one_in(2) { "yes" } else { "no" })?;
                row.set("Currency", "USD")?;
                row.set("Subtotal", money_text(subtotal))?;
                row.set("Shipping", money_text(shipping))?;
                row.set("Taxes", "0.00")?;
                row.set("Total", money_text(subtotal + shipping))?;
                row.set("Shipping Method", "Standard")?;
                for side in ["Billing", "Shipping"] {
                    row.set(&format!("{side} Name"), &full_name)?;
                    row.set(&format!("{side} Street"), &street)?;
                    row.set(&format!("{side} Address1"), &street)?;
                    row.set(&format!("{side} City"), city)?;
                    row.set(&format!("{side} Zip"), format!("'{zip}"))?;
                    row.set(&format!("{side} Province"), province)?;
                    row.set(&format!("{side} Country"), "US")?;
                    row.set(&format!("{side} Province Name"), province_name)?;
                }
                if rng.one_in(10) {
                    // What makes a CSV parser work: commas, quotes and line breaks inside quoted values.
                    row.set("Shipping Address1", format!("{street}\nBuilding B, Unit 4"))?;
                    row.set("Shipping Company", format!("{last} & Sons, Ltd."))?;
                    row.set("Notes", "Leave at the back door, please.\nRing twice, \"the dog\" barks.")?;
                }
                if cancelled {
                    row.set("Cancelled at", shopify_time(created_day, created_second + 300, offset))?;
                }
                row.set("Payment Method", "Shopify Payments")?;
                row.set("Payment Reference", format!("c{}.1", 30_000_000 + n))?;
                row.set("Refunded Amount", if financial == "paid" { "0.00" } else { "20.00" })?;
                row.set("Outstanding Balance", "0.00")?;
                row.set("Id", 5_900_000_000_000 + n)?;
                row.set("Risk Level", "Low")?;
                row.set("Source", "web")?;
            }
            row.write_to(&mut out);
        }
        if tip {
            row.set("Name", &name)?;
            row.set("Lineitem quantity", 1)?;
            row.set("Lineitem name", "Tip")?;
            row.set("Lineitem price", "5.00")?;
            row.set("Lineitem requires shipping", "false")?;
            row.set("Lineitem taxable", "false")?;
            row.set("Lineitem fulfillment status", "fulfilled")?;
            row.set("Lineitem discount", "0.00")?;
            row.write_to(&mut out);
        }
    }
    Ok(out)
}

fn summary_table(out: &mut String, results: &[SizeResult]) -> std::fmt::Result {
    writeln!(
        out,
        "| Orders | Build (s) | DB size (MiB) | Bytes per 1,000 orders | RMA lookup p50 / p99 (µs) | \
         Tracking lookup p50 / p99 (µs) | Order lookup p50 / p99 (µs) | Shopify parse (rows/s) | \
         Shopify import (rows/s) |"
    )?;
    writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|")?;
    for r in results {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} / {} | {} / {} | {} / {} | {} | {} |",
            grouped(r.orders),
            seconds(r.build_orders + r.build_rmas),
            mebibytes(r.db_bytes),
            grouped(r.db_bytes * 1_000 / r.orders),
            micros(r.by_rma.p50_ns),
            micros(r.by_rma.p99_ns),
            micros(r.by_tracking.p50_ns),
            micros(r.by_tracking.p99_ns),
            micros(r.by_order.p50_ns),
            micros(r.by_order.p99_ns),
            grouped(per_second(r.shopify_rows, r.shopify_parse)),
            grouped(per_second(r.shopify_rows, r.shopify_import)),
        )?;
    }
    Ok(())
}

fn detail_table(out: &mut String, results: &[SizeResult]) -> std::fmt::Result {
    writeln!(
        out,
        "| Orders | Orders import (orders/s) | RMA import (RMAs/s) | Timed lookups, RMA · tracking · order (misses) | \
         p99 hits / misses, RMA · tracking · order (µs) | Slowest lookup, RMA · tracking · order (µs) | \
         Shopify CSV (MiB, rows) | Shopify parse / import (s) | Shopify import (orders/s) |"
    )?;
    writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|")?;
    for r in results {
        writeln!(
            out,
            "| {} | {} | {} | {} ({}) · {} ({}) · {} ({}) | {} / {} · {} / {} · {} / {} | {} · {} · {} | {}, {} | {} / {} | {} |",
            grouped(r.orders),
            grouped(per_second(r.orders, r.build_orders)),
            grouped(per_second(r.orders, r.build_rmas)),
            grouped(r.by_rma.samples as u64),
            grouped(r.by_rma.misses as u64),
            grouped(r.by_tracking.samples as u64),
            grouped(r.by_tracking.misses as u64),
            grouped(r.by_order.samples as u64),
            grouped(r.by_order.misses as u64),
            micros(r.by_rma.hit_p99_ns),
            micros(r.by_rma.miss_p99_ns),
            micros(r.by_tracking.hit_p99_ns),
            micros(r.by_tracking.miss_p99_ns),
            micros(r.by_order.hit_p99_ns),
            micros(r.by_order.miss_p99_ns),
            micros(r.by_rma.max_ns),
            micros(r.by_tracking.max_ns),
            micros(r.by_order.max_ns),
            mebibytes(r.shopify_bytes),
            grouped(r.shopify_rows),
            seconds(r.shopify_parse),
            seconds(r.shopify_import),
            grouped(per_second(r.shopify_orders, r.shopify_import)),
        )?;
    }
    Ok(())
}
