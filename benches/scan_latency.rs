//! Scan latency (issue 4): from the last byte of a scan arriving to the classified event being
//! delivered, under steady scanning, compared with the wire time of the code itself.
//!
//! Two figures. The station's own processing — framing, the repeat window and classification, from
//! bytes in hand to the event ready to send — is timed on the same bytes in one thread: the issue's
//! target (p99 under 1 % of the wire time) is for this. End to end, a real pseudo-terminal pair stands
//! in for the scanner: this process writes each scan into the master end and notes the instant its
//! last byte is written; the station's reader thread reads the slave end, processes it and sends the
//! event; the latency is the instant this process receives it minus the write instant, so it also
//! holds the kernel waking two sleeping threads. Run with `cargo bench --bench scan_latency`
//! (`RMA_BENCH_SCANS` scans, 2,000 by default).

// Ratios and milliseconds in a report, not money: the project's float ban is about amounts.
#![expect(clippy::float_arithmetic, reason = "timing ratios in a benchmark report")]
// A benchmark's report is its output.
#![expect(clippy::print_stdout, reason = "the benchmark prints its table")]

use std::sync::Arc;
use std::time::{Duration, Instant};

use rma_station::domain::scan::{Classifier, Deduplicator, Framer, FramerConfig, FramerEvent};
use rma_station::policies::PolicySet;

/// A realistic mix of 18- to 26-character codes: carrier labels, RMA labels, a UPC, GS1 with an AIM id.
const CODES: [&str; 4] = ["]C01Z5R89390357567127", "]C0RMA-2026-", "]E0012345678905", "]C10109501101530003\x1d21SN"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let scans: usize = std::env::var("RMA_BENCH_SCANS").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000);
    let policies = PolicySet::built_in()?;
    let classifier = Arc::new(Classifier::new(&policies.classifier_config())?);
    // Distinct codes: the repeat window must not swallow any.
    let scan_bytes: Vec<String> = (0..scans).map(|i| format!("{}{i:06}\r", CODES[i % CODES.len()])).collect();
    let mean_len = scan_bytes.iter().map(String::len).sum::<usize>() / scans;
    // 8N1: 10 bits a byte at 9600 baud.
    let wire = Duration::from_micros(mean_len as u64 * 10 * 1_000_000 / 9600);

    let processing = percentiles(processing_times(&classifier, &scan_bytes));
    // The end-to-end path needs a pseudo-terminal: Unix only; elsewhere its figures are zero and said so.
    #[cfg(unix)]
    let end_to_end = percentiles(end_to_end_times(classifier, &scan_bytes)?);
    #[cfg(not(unix))]
    let end_to_end = {
        drop(classifier);
        eprintln!("scan_latency: no end-to-end figures here (they need a Unix pseudo-terminal)");
        (Duration::ZERO, Duration::ZERO, Duration::ZERO)
    };

    let share = |d: Duration| d.as_secs_f64() / wire.as_secs_f64() * 100.0;
    println!(
        "| scans | mean code length | wire time at 9600 baud | processing p50 / p99 | processing p99 / wire time | end to end on a pty p50 / p99 / max | end-to-end p99 / wire time |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    println!(
        "| {scans} | {mean_len} bytes | {:.1} ms | {} µs / {} µs | {:.3} % | {} µs / {} µs / {} µs | {:.2} % |",
        wire.as_secs_f64() * 1e3,
        processing.0.as_micros(),
        processing.1.as_micros(),
        share(processing.1),
        end_to_end.0.as_micros(),
        end_to_end.1.as_micros(),
        end_to_end.2.as_micros(),
        share(end_to_end.1)
    );
    Ok(())
}

/// The reader's own work per scan, on this thread.
fn processing_times(classifier: &Classifier, scans: &[String]) -> Vec<Duration> {
    let mut framer = Framer::new(FramerConfig::default());
    let mut repeats = Deduplicator::default();
    let mut times = Vec::with_capacity(scans.len());
    for (i, bytes) in scans.iter().enumerate() {
        let started = Instant::now();
        for event in framer.push(std::hint::black_box(bytes.as_bytes()), Duration::from_millis(i as u64)) {
            if let FramerEvent::Scan(scan) = event
                && repeats.accept("bench", &scan.code, scan.at)
            {
                let aim = scan.symbology.map(|s| s.aim_id()).unwrap_or_default();
                std::hint::black_box(classifier.classify(&format!("{aim}{}", scan.code)));
            }
        }
        times.push(started.elapsed());
    }
    times
}

/// From writing a scan's last byte into a pty to receiving its classified event from the reader thread.
#[cfg(unix)]
fn end_to_end_times(
    classifier: Arc<Classifier>,
    scans: &[String],
) -> Result<Vec<Duration>, Box<dyn std::error::Error>> {
    use std::io::Write as _;
    use std::sync::mpsc::sync_channel;

    use rma_station::devices::scanner::{ScannerConfig, ScannerEvent, ScannerReader};
    use serialport::{SerialPort as _, TTYPort};

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
    let mut times = Vec::with_capacity(scans.len());
    for bytes in scans {
        master.write_all(bytes.as_bytes())?;
        master.flush()?;
        let arrived = Instant::now();
        match events.recv_timeout(Duration::from_secs(10))? {
            ScannerEvent::Scan { .. } => times.push(Instant::now() - arrived),
            other => return Err(format!("expected a scan, got {other:?}").into()),
        }
        // Steady scanning: a few milliseconds apart, far faster than by hand.
        std::thread::sleep(Duration::from_millis(2));
    }
    Ok(times)
}

/// p50, p99 and the maximum.
fn percentiles(mut times: Vec<Duration>) -> (Duration, Duration, Duration) {
    times.sort();
    let at = |q: usize| times[(times.len() * q / 100).min(times.len() - 1)];
    (at(50), at(99), times[times.len() - 1])
}
