//! `rma-station simulate-scanner` and `rma-station listen`: trying a bench without a scanner, and
//! trying a scanner without the station's window.
//!
//! `simulate-scanner` plays a byte capture into a serial port or pseudo-terminal at the scanner's
//! speed (8N1 sends 10 bits a byte), pausing between scans as a clerk would. `listen` runs the same
//! reader thread as the station and prints every event as one JSON line; `--record` keeps the raw
//! bytes as a new capture. `ports` lists the serial ports, to choose a scanner's.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::sync_channel;
use std::time::{Duration, Instant};

use serde_json::json;

use super::{CliError, print, read_bytes};
use crate::devices::scanner::{ScannerConfig, ScannerEvent, ScannerReader};
use crate::devices::serial::{self, SerialLine};
use crate::domain::scan::{Classifier, FramerConfig, Terminator};
use crate::formats::scan_json::classification_json;
use crate::policies::PolicySet;

/// The suffix a scanner is programmed to send after each code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum Suffix {
    Cr,
    Lf,
    Crlf,
    /// No suffix: a pause ends a scan.
    None,
}

/// The serial scanners' settings from the command line.
#[derive(Debug, Clone, Copy)]
pub(super) struct Settings {
    pub baud: u32,
    pub suffix: Suffix,
    pub repeat_window_ms: u64,
}

/// A scanner's settings for a port given on the command line, named by its port's file name.
pub(super) fn config(index: usize, port: &str, settings: &Settings) -> ScannerConfig {
    let name =
        Path::new(port).file_name().and_then(|n| n.to_str()).map_or_else(|| format!("{}", index + 1), str::to_owned);
    let terminator = match settings.suffix {
        Suffix::Cr => Terminator::Cr,
        Suffix::Lf => Terminator::Lf,
        Suffix::Crlf => Terminator::CrLf,
        Suffix::None => Terminator::None,
    };
    ScannerConfig {
        name,
        port: port.to_owned(),
        baud: settings.baud,
        framing: FramerConfig { terminator, ..FramerConfig::default() },
        repeat_window: Duration::from_millis(settings.repeat_window_ms),
    }
}

/// Plays `capture` into `port`.
pub(super) fn simulate(port: &str, capture: &Path, baud: u32, pause: Duration) -> Result<(), CliError> {
    let bytes = read_bytes(capture)?;
    let mut serial = open(port, baud)?;
    // Each byte takes 10 bit times on the wire; write in small bursts so the pacing is real.
    let byte_time = Duration::from_nanos(10 * 1_000_000_000 / u64::from(baud.max(1)));
    let started = Instant::now();
    let mut sent = 0usize;
    for chunk in bytes.split_inclusive(|b| *b == b'\r' || *b == b'\n') {
        for burst in chunk.chunks(16) {
            serial.write_all(burst).map_err(|e| port_error(port, e))?;
            sent += burst.len();
            let due = started + byte_time * sent as u32;
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
        }
        if chunk.ends_with(b"\r") || chunk.ends_with(b"\n") {
            std::thread::sleep(pause);
        }
    }
    serial.flush().map_err(|e| port_error(port, e))?;
    // Closing the port hangs up the line, and a line hung up discards what it has not delivered yet:
    // wait for the output queue to empty, then a few byte times more, as a scanner stays powered.
    let drained_by = Instant::now() + Duration::from_secs(2);
    while serial.bytes_to_write().is_ok_and(|queued| queued > 0) && Instant::now() < drained_by {
        std::thread::sleep(byte_time.max(Duration::from_millis(1)));
    }
    std::thread::sleep((byte_time * 16).max(Duration::from_millis(100)));
    print(&format!("sent {sent} bytes to {port} at {baud} baud\n"))
}

/// Prints the serial ports the system lists ([`crate::devices::ports::table`]).
pub(super) fn ports() -> Result<(), CliError> {
    let listed = crate::devices::ports::list().map_err(CliError::Ports)?;
    print(&crate::devices::ports::table(&listed))
}

/// Listens on `port` and prints events until `count` scans (or forever).
pub(super) fn listen(
    policies: &PolicySet,
    port: &str,
    settings: &Settings,
    count: Option<u64>,
    record: Option<&Path>,
) -> Result<(), CliError> {
    if let Some(path) = record {
        return record_raw(port, settings.baud, path, count);
    }
    let classifier = Arc::new(Classifier::new(&policies.classifier_config())?);
    let (sender, events) = sync_channel(64);
    let config = config(0, port, settings);
    let _reader = ScannerReader::spawn(config, classifier, sender, Arc::new(|| {})).map_err(CliError::Thread)?;
    let mut scans = 0u64;
    for event in events {
        let line = match &event {
            ScannerEvent::Connected { port, .. } => json!({ "event": "connected", "port": port }),
            ScannerEvent::Disconnected { reason, .. } => json!({ "event": "disconnected", "reason": reason }),
            ScannerEvent::Refused { reason, preview, .. } => {
                json!({ "event": "refused", "reason": reason.to_string(), "preview": preview })
            }
            ScannerEvent::Scan { classification, .. } => {
                scans += 1;
                json!({ "event": "scan", "scan": classification_json(classification) })
            }
        };
        print(&format!("{line}\n"))?;
        if count.is_some_and(|n| scans >= n) {
            break;
        }
    }
    Ok(())
}

/// Copies raw bytes from the port into a capture file until `count` line ends (or interrupted).
fn record_raw(port: &str, baud: u32, path: &Path, count: Option<u64>) -> Result<(), CliError> {
    let mut serial = open(port, baud)?;
    let mut file = std::fs::File::create(path).map_err(|source| CliError::Read { path: path.to_path_buf(), source })?;
    let mut buffer = [0u8; 256];
    let mut ends = 0u64;
    while count.is_none_or(|n| ends < n) {
        match serial.read(&mut buffer) {
            Ok(n) => {
                file.write_all(&buffer[..n]).and_then(|()| file.flush()).map_err(CliError::Output)?;
                ends += buffer[..n].iter().filter(|b| **b == b'\r').count() as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(e) => return Err(port_error(port, e)),
        }
    }
    print(&format!("recorded {ends} scans from {port} into {}\n", path.display()))
}

fn open(port: &str, baud: u32) -> Result<SerialLine, CliError> {
    serial::open(port, baud, Duration::from_millis(100)).map_err(|e| port_error(port, e))
}

fn port_error(port: &str, error: std::io::Error) -> CliError {
    CliError::Port { port: port.to_owned(), reason: error.to_string() }
}
