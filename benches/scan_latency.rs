//! Scan latency (issue 4): from the last byte of a scan arriving on the port to the classified event
//! being delivered, under steady scanning, compared with the wire time of the code itself.
//!
//! A real pseudo-terminal pair stands in for the scanner: this process writes each scan into the
//! master end and notes the instant its last byte is written; the station's own reader thread reads
//! the slave end, frames, de-duplicates, classifies and sends the event on its channel; the latency is
//! the instant this process receives it minus the write instant. Run with
//! `cargo bench --bench scan_latency` (`RMA_BENCH_SCANS` scans, 2,000 by default).

// Ratios and milliseconds in a report, not money: the project's float ban is about amounts.
#![expect(clippy::float_arithmetic, reason = "timing ratios in a benchmark report")]
// A benchmark's report is its output.
#![expect(clippy::print_stdout, reason = "the benchmark prints its table")]

use std::io::Write;
use std::sync::Arc;
use std::sync::mpsc::sync_channel;
use std::time::{Duration, Instant};

use rma_station::devices::scanner::{ScannerConfig, ScannerEvent, ScannerReader};
use rma_station::domain::scan::{Classifier, FramerConfig};
use rma_station::policies::PolicySet;
use serialport::{SerialPort, TTYPort};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let scans: usize = std::env::var("RMA_BENCH_SCANS").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000);
    let policies = PolicySet::built_in()?;
    let classifier = Arc::new(Classifier::new(&policies.classifier_config())?);
    let (mut master, slave) = TTYPort::pair()?;
    let port = slave.name().ok_or("the pty has no name")?;
    drop(slave);
    let (sender, events) = sync_channel(64);
    let config = ScannerConfig {
        name: "bench".into(),
        port,
        baud: 9600,
        framing: FramerConfig::default(),
        repeat_window: Duration::from_millis(800),
    };
    let _reader = ScannerReader::spawn(config, classifier, sender, Arc::new(|| {}))?;
    match events.recv_timeout(Duration::from_secs(10))? {
        ScannerEvent::Connected { .. } => {}
        other => return Err(format!("expected Connected, got {other:?}").into()),
    }

    // A realistic mix of 18- to 22-character codes: carrier labels, RMA labels, GS1 with an AIM id.
    let codes = ["]C01Z5R89390357567127", "]C0RMA-2026-", "]E0012345678905", "]C10109501101530003\x1d21SN"];
    let mut latencies = Vec::with_capacity(scans);
    let mut code_bytes = 0usize;
    for i in 0..scans {
        // Distinct codes: the repeat window must not swallow any.
        let code = format!("{}{i:06}\r", codes[i % codes.len()]);
        code_bytes += code.len();
        master.write_all(code.as_bytes())?;
        master.flush()?;
        let arrived = Instant::now();
        match events.recv_timeout(Duration::from_secs(10))? {
            ScannerEvent::Scan { .. } => latencies.push(Instant::now() - arrived),
            other => return Err(format!("expected a scan, got {other:?}").into()),
        }
        // Steady scanning: a few milliseconds apart, far faster than by hand.
        std::thread::sleep(Duration::from_millis(2));
    }
    latencies.sort();
    let at = |q: usize| latencies[(latencies.len() * q / 100).min(latencies.len() - 1)];
    let mean_len = code_bytes / scans;
    // 8N1: 10 bits a byte at 9600 baud.
    let wire = Duration::from_micros(mean_len as u64 * 10 * 1_000_000 / 9600);
    let (p50, p99, max) = (at(50), at(99), latencies[latencies.len() - 1]);
    // The classifier alone, on the same codes, in this thread: how much of the latency it is.
    let classifier = Classifier::new(&policies.classifier_config())?;
    let mut alone = Vec::with_capacity(scans);
    for i in 0..scans {
        let code = format!("{}{i:06}", codes[i % codes.len()]);
        let started = Instant::now();
        std::hint::black_box(classifier.classify(std::hint::black_box(&code)));
        alone.push(started.elapsed());
    }
    alone.sort();
    let classify_at = |q: usize| alone[(alone.len() * q / 100).min(alone.len() - 1)];
    println!(
        "| scans | mean code length | wire time at 9600 baud | p50 | p99 | max | p99 / wire time | classification alone p50 / p99 |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    println!(
        "| {scans} | {mean_len} bytes | {:.1} ms | {} µs | {} µs | {} µs | {:.2} % | {} µs / {} µs |",
        wire.as_secs_f64() * 1e3,
        p50.as_micros(),
        p99.as_micros(),
        max.as_micros(),
        p99.as_secs_f64() / wire.as_secs_f64() * 100.0,
        classify_at(50).as_micros(),
        classify_at(99).as_micros()
    );
    Ok(())
}
