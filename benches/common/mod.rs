//! What the benches share: the fixed-seed generator of orders and RMAs (`order`, `rma`, the `Rng` behind
//! them), the batched import that fills a store with them, the integer formatting of the reports, and (in
//! `photo`) the 12-megapixel camera JPEG the photo benches take in.
//!
//! Included by each bench as `mod common;`, so every bench builds the same data from the same seed. Each
//! bench uses its own part of it; what one leaves unused is not dead code for the other.
#![allow(dead_code, reason = "each bench that includes this module uses only part of it")]

pub mod photo;

use std::error::Error;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use rma_station::domain::case::Referral;
use rma_station::domain::money::Money;
use rma_station::domain::records::{OrderLineRecord, OrderRecord, OrderStatus, RmaRecord};
use rma_station::domain::vocabulary::{Channel, Resolution, RmaKind};
use rma_station::storage::{ImportSource, Stamp, Store};

pub type BenchResult<T> = Result<T, Box<dyn Error>>;

/// Records per `import_orders` / `import_rmas` call: one transaction each.
pub const BATCH: usize = 10_000;
pub const LINES_PER_ORDER: u64 = 3;
/// SKUs in the generated catalogue.
pub const SKUS: u64 = 500;

/// SplitMix64: small, fast, and the same sequence on every machine.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform enough in `0..n` for test data (n is far below 2^64).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

pub const FIRST_NAMES: &[&str] =
    &["Dana", "Lee", "Sam", "Ana", "Jonas", "Mia", "Pat", "Noor", "Kofi", "Yuki", "Ines", "Ravi"];
pub const LAST_NAMES: &[&str] =
    &["Whitfield", "Park", "Ortiz", "Silva", "Becker", "Kim", "Haddad", "Mensah", "Tanaka", "Moreau", "Iyer", "Novak"];
pub const CITIES: &[(&str, &str, &str, &str)] = &[
    ("Portland", "ME", "Maine", "04101"),
    ("Albany", "NY", "New York", "12207"),
    ("Chicago", "IL", "Illinois", "60611"),
    ("Newark", "NJ", "New Jersey", "07102"),
    ("Austin", "TX", "Texas", "78701"),
    ("Denver", "CO", "Colorado", "80202"),
];
pub const PRODUCTS: &[&str] =
    &["Hub", "Door/Window Sensor", "Motion Sensor", "Indoor Siren", "Smoke Detector", "Keypad"];

pub fn sku(k: u64) -> String {
    format!("SKU-{k:04}")
}

pub fn product_name(k: u64) -> String {
    format!("{} {}", PRODUCTS[(k % PRODUCTS.len() as u64) as usize], k / PRODUCTS.len() as u64 + 1)
}

pub fn category(k: u64) -> String {
    format!("category-{}", k % 7)
}

/// The tracking numbers RMA `i` expects: a UPS-style one for every RMA, a USPS-style one for every tenth.
pub fn tracking_numbers(i: u64) -> Vec<String> {
    let mut numbers = vec![ups_tracking(i)];
    if i.is_multiple_of(10) {
        numbers.push(format!("9400{i:018}"));
    }
    numbers
}

pub fn ups_tracking(i: u64) -> String {
    // Shipper code from the number itself, so a lookup can rebuild it without storing anything.
    let shipper = (i.wrapping_mul(2_654_435_761) >> 8) % 1_679_616; // 36^4
    format!("1Z{}{:02}{i:010}", base36(shipper, 4), i % 97)
}

fn base36(mut n: u64, width: usize) -> String {
    const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        *slot = DIGITS[(n % 36) as usize];
        n /= 36;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn base_date() -> BenchResult<NaiveDate> {
    NaiveDate::from_ymd_opt(2024, 1, 1).ok_or_else(|| "bad base date".into())
}

pub fn stamp() -> BenchResult<Stamp> {
    let at: DateTime<Utc> = DateTime::from_timestamp(1_765_000_000, 0).ok_or("bad timestamp")?;
    Ok(Stamp { at, station: "bench".to_owned(), operator: "bench".to_owned() })
}

/// Order `i` of the generated database: `ORD-{i}`, 3 lines, a merchant in turn.
pub fn order(i: u64, merchants: &[String], rng: &mut Rng, base: NaiveDate) -> OrderRecord {
    let first = rng.pick(FIRST_NAMES);
    let last = rng.pick(LAST_NAMES);
    let (city, province, _, zip) = *rng.pick(CITIES);
    let purchased_on = base + TimeDelta::days(rng.below(700) as i64);
    let delivered_on = (!rng.one_in(20)).then(|| purchased_on + TimeDelta::days(1 + rng.below(6) as i64));
    let lines = (0..LINES_PER_ORDER)
        .map(|_| {
            let k = rng.below(SKUS);
            OrderLineRecord {
                sku: sku(k),
                name: product_name(k),
                category: category(k),
                qty: 1 + rng.below(3) as u32,
                unit_price: Money::from_cents(999 + rng.below(30_000) as i64),
                on_sale: rng.one_in(5),
                special_order: rng.one_in(50),
                gift_card: false,
            }
        })
        .collect();
    OrderRecord {
        merchant: merchants[(i % merchants.len() as u64) as usize].clone(),
        number: format!("ORD-{i}"),
        channel: if rng.one_in(4) { Channel::ThirdParty } else { Channel::Direct },
        status: match rng.below(100) {
            0 => OrderStatus::Cancelled,
            1 => OrderStatus::Refunded,
            _ => OrderStatus::Open,
        },
        customer_name: format!("{first} {last}"),
        customer_email: format!("{}.{}{i}@example.com", first.to_lowercase(), last.to_lowercase()),
        country: "US".to_owned(),
        ship_to: vec![
            format!("{first} {last}"),
            format!("{} Harbour Road", 1 + rng.below(999)),
            format!("{city}, {province} {zip}"),
            "US".to_owned(),
        ],
        currency: "USD".to_owned(),
        purchased_on,
        delivered_on,
        shipping_charged: Money::from_cents(rng.below(1_500) as i64),
        gifted: rng.one_in(30),
        payment_reference: Some(format!("c{}.1", 29_000_000 + i)),
        referral: rng.one_in(50).then(|| Referral {
            referred: true,
            minimum: Money::from_cents(5_000),
            lifetime_value: Money::from_cents(rng.below(50_000) as i64),
        }),
        lines,
    }
}

/// RMA `i`, for order `ORD-{i}`.
pub fn rma(i: u64, merchants: &[String], rng: &mut Rng, base: NaiveDate) -> RmaRecord {
    RmaRecord {
        merchant: merchants[(i % merchants.len() as u64) as usize].clone(),
        number: format!("RMA-{i}"),
        order_number: format!("ORD-{i}"),
        kind: *rng.pick(RmaKind::ALL),
        resolution: *rng.pick(Resolution::ALL),
        requested_on: base + TimeDelta::days(30 + rng.below(700) as i64),
        defective_on_arrival: rng.one_in(25),
        return_label_cost: Money::from_cents(if rng.one_in(3) { 0 } else { 650 + rng.below(900) as i64 }),
        expected_tracking: tracking_numbers(i),
        note: if rng.one_in(10) { "Customer says the box was crushed.".to_owned() } else { String::new() },
    }
}

/// Fills `store` with the generated orders `ORD-0` … and then their RMAs `RMA-0` …, `size` of each, in
/// batches of [`BATCH`] records (one transaction each), drawing from `rng`. Returns the time spent inside
/// `import_orders` and inside `import_rmas` (generation not included). Progress goes to stderr.
pub fn import_generated(
    store: &mut dyn Store,
    size: u64,
    merchants: &[String],
    rng: &mut Rng,
    stamp: &Stamp,
) -> BenchResult<(Duration, Duration)> {
    let base = base_date()?;
    let mut timed_orders = Duration::ZERO;
    let mut batch = Vec::with_capacity(BATCH);
    let mut start = 0;
    while start < size {
        let end = (start + BATCH as u64).min(size);
        batch.clear();
        batch.extend((start..end).map(|i| order(i, merchants, rng, base)));
        let source = ImportSource { file: format!("bench-orders-{start}"), sha256: String::new() };
        let began = Instant::now();
        let counts = store.import_orders(&source, &batch, stamp)?;
        timed_orders += began.elapsed();
        if counts.new != batch.len() as u64 {
            return Err(format!("orders {start}..{end}: expected all new, got {counts:?}").into());
        }
        start = end;
        progress("orders", start, size, timed_orders);
    }
    let mut timed_rmas = Duration::ZERO;
    let mut batch = Vec::with_capacity(BATCH);
    let mut start = 0;
    while start < size {
        let end = (start + BATCH as u64).min(size);
        batch.clear();
        batch.extend((start..end).map(|i| rma(i, merchants, rng, base)));
        let source = ImportSource { file: format!("bench-rmas-{start}"), sha256: String::new() };
        let began = Instant::now();
        let counts = store.import_rmas(&source, &batch, stamp)?;
        timed_rmas += began.elapsed();
        if counts.new != batch.len() as u64 {
            return Err(format!("RMAs {start}..{end}: expected all new, got {counts:?}").into());
        }
        start = end;
        progress("RMAs", start, size, timed_rmas);
    }
    Ok((timed_orders, timed_rmas))
}

pub fn progress(what: &str, done: u64, total: u64, elapsed: Duration) {
    if done == total || done.is_multiple_of(100_000) {
        eprintln!("   {what}: {done}/{total} in {elapsed:.1?}");
    }
}

/// Nearest-rank percentile of sorted samples.
pub fn percentile(sorted: &[u64], p: usize) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (sorted.len() * p).div_ceil(100).max(1);
    sorted[rank - 1]
}

/// Nanoseconds as microseconds with one decimal, in integers (no floating point in this package).
pub fn micros(ns: u64) -> String {
    let tenths = (ns + 50) / 100;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// Nanoseconds as milliseconds with two decimals, in integers.
pub fn millis(ns: u64) -> String {
    let hundredths = (ns + 5_000) / 10_000;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// Thousands separated by commas.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
