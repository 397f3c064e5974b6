//! The serial scanner reader on real pseudo-terminals. The reader opens a stable name (a symlink, as
//! a udev rule makes one) that the test points at a fresh pty pair for each "plug-in"; closing the
//! pty's master end is the unplug. Time limits here only stop a hung test; nothing is timed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, sync_channel};
use std::time::Duration;

use rma_station::devices::scanner::{ScannerConfig, ScannerEvent, ScannerReader};
use rma_station::domain::scan::{Classifier, FramerConfig, Kind, RefusalReason};
use serialport::{SerialPort, TTYPort};

use crate::support::POLICIES;

/// Long enough for any loaded machine; only a hang ever reaches it.
const HANG: Duration = Duration::from_secs(20);

/// A scanner "plugged in" under a stable name: the master end of a pty whose slave the name points at.
pub(crate) struct Plugged {
    master: TTYPort,
}

/// Creates a pty pair and atomically points `link` at its slave, as udev would on plug-in.
pub(crate) fn plug_in(link: &Path) -> Plugged {
    let (master, slave) = TTYPort::pair().unwrap();
    let slave_path = slave.name().unwrap();
    drop(slave);
    let staging = link.with_extension("new");
    let _ = std::fs::remove_file(&staging);
    std::os::unix::fs::symlink(&slave_path, &staging).unwrap();
    std::fs::rename(&staging, link).unwrap();
    Plugged { master }
}

impl Plugged {
    pub(crate) fn send(&mut self, bytes: &[u8]) {
        self.master.write_all(bytes).unwrap();
        self.master.flush().unwrap();
    }
}

pub(crate) struct Bench {
    _dir: tempfile::TempDir,
    pub(crate) link: PathBuf,
    pub(crate) events: Receiver<ScannerEvent>,
    reader: Option<ScannerReader>,
}

pub(crate) fn start() -> (Bench, Plugged) {
    start_with(FramerConfig::default())
}

fn start_with(framing: FramerConfig) -> (Bench, Plugged) {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("rma-scanner-left");
    let plugged = plug_in(&link);
    let (sender, events) = sync_channel(64);
    let config = ScannerConfig {
        name: "left".into(),
        port: link.display().to_string(),
        baud: 9600,
        framing,
        repeat_window: Duration::from_millis(800),
    };
    let classifier = Arc::new(Classifier::new(&POLICIES.classifier_config()).unwrap());
    let reader = ScannerReader::spawn(config, classifier, sender, Arc::new(|| {})).unwrap();
    let bench = Bench { _dir: dir, link, events, reader: Some(reader) };
    bench.expect_connected();
    (bench, plugged)
}

impl Bench {
    pub(crate) fn next(&self) -> ScannerEvent {
        self.events.recv_timeout(HANG).unwrap_or_else(|e| panic!("no event from the reader: {e}"))
    }

    #[track_caller]
    pub(crate) fn expect_connected(&self) {
        match self.next() {
            ScannerEvent::Connected { scanner, .. } => assert_eq!(scanner, "left"),
            other => panic!("expected Connected, got {other:?}"),
        }
    }

    /// Expects a scan of `code` and returns what it was classified as.
    #[track_caller]
    pub(crate) fn expect_scan(&self, code: &str) -> Kind {
        match self.next() {
            ScannerEvent::Scan { code: got, classification, .. } => {
                assert_eq!(got, code);
                classification.kind()
            }
            other => panic!("expected the scan {code:?}, got {other:?}"),
        }
    }

    #[track_caller]
    fn expect_disconnected(&self) {
        match self.next() {
            ScannerEvent::Disconnected { scanner, .. } => assert_eq!(scanner, "left"),
            other => panic!("expected Disconnected, got {other:?}"),
        }
    }

    #[track_caller]
    pub(crate) fn expect_quiet(&self) {
        if let Ok(event) = self.events.recv_timeout(Duration::from_millis(150)) {
            panic!("expected nothing more, got {event:?}");
        }
    }
}

impl Drop for Bench {
    fn drop(&mut self) {
        // Stopping the reader must not hang, whatever state it is in.
        drop(self.reader.take());
    }
}

#[test]
fn scans_arrive_whole_once_and_without_their_aim_prefix() {
    let (bench, mut scanner) = start();
    scanner.send(b"]E0012345678905\r");
    assert_eq!(bench.expect_scan("012345678905"), Kind::ProductCode);
    // One scan split across writes, then CRLF.
    scanner.send(b"RMA-2026");
    scanner.send(b"-0001\r\n");
    assert_eq!(bench.expect_scan("RMA-2026-0001"), Kind::RmaNumber);
    // The same label read twice in a row by a trigger held down counts once.
    scanner.send(b"1Z5R89390357567127\r1Z5R89390357567127\r");
    assert_eq!(bench.expect_scan("1Z5R89390357567127"), Kind::TrackingNumber);
    // A control character is refused with a warning, never passed on.
    scanner.send(b"AB\x07CD\r");
    match bench.next() {
        ScannerEvent::Refused { reason, .. } => {
            assert!(matches!(reason, RefusalReason::ControlCharacter { .. }), "{reason:?}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // GS1 data keep their GS separators.
    scanner.send(b"]C10109501101530003\x1d10ABC123\r");
    assert_eq!(bench.expect_scan("0109501101530003\u{1d}10ABC123"), Kind::Gs1);
    bench.expect_quiet();
}

#[test]
fn a_scan_cut_off_by_an_unplug_is_dropped_and_the_scanner_comes_back_on_its_stable_name() {
    // The reader must have read the partial scan before the unplug (a hangup discards unread input), and
    // no idle gap may end it first: with the gap far away, the wait for the read can be generous, so a
    // loaded machine (parallel tests, other builds) does not make the reader late for it.
    let (bench, mut scanner) = start_with(FramerConfig { idle_gap: HANG, ..FramerConfig::default() });
    scanner.send(b"1Z5R8939");
    std::thread::sleep(Duration::from_millis(300));
    drop(scanner);
    match bench.next() {
        ScannerEvent::Refused { reason, .. } => assert!(matches!(reason, RefusalReason::CutOff { .. }), "{reason:?}"),
        other => panic!("expected the cut-off scan to be refused, got {other:?}"),
    }
    bench.expect_disconnected();

    // Plugged back in: udev points the same name at a new device node.
    let mut scanner = plug_in(&bench.link);
    bench.expect_connected();
    scanner.send(b"1Z5R89390357567127\r");
    assert_eq!(bench.expect_scan("1Z5R89390357567127"), Kind::TrackingNumber);
    bench.expect_quiet();
}

/// Runs every capture in `hardware/captures/` through the same rules the reader applies.
fn play(capture: &[u8]) -> Vec<Result<(Kind, String), String>> {
    use rma_station::domain::scan::{Deduplicator, Framer, FramerEvent};
    let classifier = Classifier::new(&POLICIES.classifier_config()).unwrap();
    let mut framer = Framer::new(FramerConfig::default());
    let mut repeats = Deduplicator::default();
    let mut out = Vec::new();
    for event in framer.push(capture, Duration::ZERO) {
        match event {
            FramerEvent::Scan(scan) if repeats.accept("bench", &scan.code, scan.at) => {
                let aim = scan.symbology.map(|s| s.aim_id()).unwrap_or_default();
                let classified = classifier.classify(&format!("{aim}{}", scan.code));
                out.push(Ok((classified.kind(), classified.normalized())));
            }
            FramerEvent::Scan(_) => {}
            FramerEvent::Refused { reason, .. } => out.push(Err(reason.to_string())),
        }
    }
    out
}

#[test]
fn every_capture_in_the_hardware_folder_frames_and_classifies_as_expected() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("hardware/captures");
    let mut played = 0;
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        let results = play(&std::fs::read(&path).unwrap());
        assert!(!results.is_empty(), "{}: no scans", path.display());
        // Nothing a capture yields may carry a control character other than GS.
        for (kind, code) in results.iter().flatten() {
            assert!(!code.chars().any(|c| c.is_control() && c != '\u{1d}'), "{}: {kind:?} {code:?}", path.display());
        }
        played += 1;
    }
    assert!(played >= 2);

    let demo = play(&std::fs::read(folder.join("demo-session-cr-aim.bin")).unwrap());
    let kinds: Vec<Kind> = demo.iter().map(|r| r.as_ref().map(|(k, _)| *k).unwrap()).collect();
    use Kind::*;
    assert_eq!(
        kinds,
        [
            RmaNumber,
            TrackingNumber,
            RmaNumber,
            TrackingNumber,
            RmaNumber,
            TrackingNumber,
            RmaNumber,
            TrackingNumber,
            ProductCode,
            TrackingNumber,
            Gs1,
            RmaNumber
        ]
    );
    // The IMpb label's 420+ZIP prefix is stripped to the tracking number.
    assert_eq!(demo[9], Ok((TrackingNumber, "9400111206206406260787".to_owned())));

    let trouble = play(&std::fs::read(folder.join("trouble-session-cr-aim.bin")).unwrap());
    assert_eq!(trouble.len(), 5, "{trouble:?}");
    assert_eq!(trouble.iter().filter(|r| r.is_err()).count(), 3, "{trouble:?}");
    assert_eq!(trouble[0], Ok((RmaNumber, "RMA-2026-0101".to_owned())));
    assert_eq!(trouble[4], Ok((ProductCode, "012345678905".to_owned())));
}

#[test]
fn simulate_scanner_plays_a_capture_into_a_port_byte_for_byte() {
    let capture = Path::new(env!("CARGO_MANIFEST_DIR")).join("hardware/captures/demo-session-cr-aim.bin");
    let expected = std::fs::read(&capture).unwrap();
    let (mut master, slave) = TTYPort::pair().unwrap();
    let slave_path = slave.name().unwrap();
    drop(slave);
    master.set_timeout(Duration::from_millis(200)).unwrap();
    let capture_arg = capture.display().to_string();
    let reader = std::thread::Builder::new()
        .name("test-capture-reader".into())
        .spawn(move || {
            let mut got = Vec::new();
            let mut buffer = [0u8; 512];
            let deadline = std::time::Instant::now() + HANG;
            while got.len() < expected.len() && std::time::Instant::now() < deadline {
                if let Ok(n) = std::io::Read::read(&mut master, &mut buffer) {
                    got.extend_from_slice(&buffer[..n]);
                }
            }
            (got, expected)
        })
        .unwrap();
    let out = crate::support::run_station(
        &["simulate-scanner", "--port", &slave_path, "--baud", "115200", "--pause-ms", "0", &capture_arg],
        "",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (got, expected) = reader.join().unwrap();
    assert_eq!(got, expected);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("sent {} bytes to {slave_path} at 115200 baud\n", expected.len())
    );
}

/// Starts `rma-station listen` on a fresh pty with `args`; returns the pty's master end, the process,
/// and its output lines once it has said it is connected.
fn listen(args: &[&str]) -> (TTYPort, std::process::Child, impl Iterator<Item = serde_json::Value>) {
    use std::io::BufRead;
    let (master, slave) = TTYPort::pair().unwrap();
    let slave_path = slave.name().unwrap();
    drop(slave);
    let mut child = std::process::Command::new(crate::support::station_binary())
        .args(["listen", "--port", &slave_path])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(&line.unwrap()).unwrap());
    assert_eq!(lines.next().unwrap()["event"], "connected");
    (master, child, lines)
}

#[test]
fn listen_prints_each_classified_scan_as_a_json_line() {
    let (mut master, mut child, lines) = listen(&["--count", "2"]);
    master.write_all(b"]C0RMA-2026-0101\rAB\x07C\r]E0012345678905\r").unwrap();
    let rest: Vec<serde_json::Value> = lines.collect();
    assert!(child.wait().unwrap().success());
    assert_eq!(rest.len(), 3, "{rest:?}");
    assert_eq!((rest[0]["event"].as_str(), rest[0]["scan"]["kind"].as_str()), (Some("scan"), Some("rma_number")));
    assert_eq!(rest[0]["scan"]["merchant"], "connectpro");
    assert_eq!(rest[1]["event"], "refused");
    assert_eq!(
        (rest[2]["scan"]["kind"].as_str(), rest[2]["scan"]["normalized"].as_str()),
        (Some("product_code"), Some("012345678905"))
    );
}

#[test]
fn listen_with_no_suffix_ends_a_scan_at_the_pause() {
    let (mut master, mut child, mut lines) = listen(&["--count", "1", "--scanner-suffix", "none"]);
    // A scanner programmed with no suffix: the code, then silence.
    master.write_all(b"]C0RMA-2026-0102").unwrap();
    let scan = lines.next().unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(
        (scan["scan"]["kind"].as_str(), scan["scan"]["normalized"].as_str()),
        (Some("rma_number"), Some("RMA-2026-0102"))
    );
}

#[test]
fn a_slow_window_loses_no_scan_and_a_full_channel_never_holds_the_reader_at_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("rma-scanner-left");
    let mut scanner = plug_in(&link);
    // Room for one event only: the window is slow to take them in.
    let (sender, events) = sync_channel(1);
    let config = ScannerConfig {
        name: "left".into(),
        port: link.display().to_string(),
        baud: 9600,
        framing: FramerConfig::default(),
        repeat_window: Duration::from_millis(800),
    };
    let classifier = Arc::new(Classifier::new(&POLICIES.classifier_config()).unwrap());
    let reader = ScannerReader::spawn(config, classifier, sender, Arc::new(|| {})).unwrap();
    assert!(matches!(events.recv_timeout(HANG).unwrap(), ScannerEvent::Connected { .. }));
    scanner.send(b"RMA-2026-0001\rRMA-2026-0002\rRMA-2026-0003\r");
    // Each scan waits for room (the reader's patience is far longer than these pauses): none is lost.
    for code in ["RMA-2026-0001", "RMA-2026-0002", "RMA-2026-0003"] {
        std::thread::sleep(Duration::from_millis(300));
        match events.recv_timeout(HANG).unwrap() {
            ScannerEvent::Scan { code: got, .. } => assert_eq!(got, code),
            other => panic!("expected the scan {code}, got {other:?}"),
        }
    }
    // Two more: one fills the channel, the other waits for room. Closing the window must not wait for it.
    scanner.send(b"RMA-2026-0004\rRMA-2026-0005\r");
    std::thread::sleep(Duration::from_millis(300));
    let (done, closed) = sync_channel(1);
    std::thread::Builder::new()
        .name("closing".into())
        .spawn(move || {
            drop(reader);
            let _ = done.send(());
        })
        .unwrap();
    assert!(closed.recv_timeout(Duration::from_secs(1)).is_ok(), "the reader held the window's close");
    drop(scanner);
}
