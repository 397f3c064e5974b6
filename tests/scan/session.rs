//! The whole pure pipeline over a byte capture: framer, then repeat suppression, then classification, the way
//! the serial reader thread will drive it. The capture (`tests/fixtures/scan/synthetic-session-cr-aim.bin`) is
//! synthetic, written to look like a scanner set to CR suffix with AIM IDs on: a USPS IMpb GS1-128 label with
//! FNC1, an EAN-13 read twice, a Code 128 RMA label, a burst of line noise, a QR code hiding a direction override,
//! a GS1 DataMatrix, a UPS label ended by CRLF, a UPC-A, and a scan cut off by an unplug at the end.

use std::time::Duration;

use rma_station::domain::scan::{
    Classifier, ClassifierConfig, Deduplicator, Framer, FramerConfig, FramerEvent, MerchantPattern, RefusalReason,
    Terminator,
};
use rma_station::formats::scan_json::classification_json;

const CAPTURE: &[u8] = include_bytes!("../fixtures/scan/synthetic-session-cr-aim.bin");

/// One byte on the wire at 9600 baud, 8N1 (10 bits).
const BYTE_TIME: Duration = Duration::from_micros(1042);

/// Plays the capture in reads of `chunk` bytes, each stamped with the wire time of its last byte.
fn play(chunk: usize) -> Vec<String> {
    let config = ClassifierConfig {
        rma_patterns: vec![MerchantPattern { merchant: "Merchant A".into(), pattern: r"RMA-\d{6}".into() }],
        order_patterns: vec![],
    };
    let classifier = Classifier::new(&config).expect("test pattern compiles");
    let mut framer = Framer::new(FramerConfig { terminator: Terminator::Cr, ..FramerConfig::default() });
    let mut dedup = Deduplicator::default();
    let mut events = Vec::new();
    for (i, bytes) in CAPTURE.chunks(chunk).enumerate() {
        let arrived = BYTE_TIME * u32::try_from((i * chunk + bytes.len()) as u64).expect("small capture");
        events.extend(framer.push(bytes, arrived));
    }
    // The scanner is unplugged before the last scan's CR arrives.
    events.extend(framer.reset());

    let mut out = Vec::new();
    for event in events {
        match event {
            FramerEvent::Scan(scan) => {
                if !dedup.accept("bench-1", &scan.code, scan.at) {
                    out.push(format!("repeat {}", scan.code));
                    continue;
                }
                let report = classification_json(&classifier.classify(&scan.code));
                let carrier = report["carrier"].as_str().map(|c| format!(" {c}")).unwrap_or_default();
                out.push(format!(
                    "{} {}{} {}",
                    scan.symbology.map(|s| s.aim_id()).unwrap_or_default(),
                    report["kind"].as_str().unwrap_or_default(),
                    carrier,
                    report["normalized"].as_str().unwrap_or_default()
                ));
            }
            FramerEvent::Refused { reason, .. } => out.push(
                match reason {
                    RefusalReason::ControlCharacter { .. } => "refused control",
                    RefusalReason::DirectionControl { .. } => "refused direction",
                    RefusalReason::InvalidUtf8 { .. } => "refused utf8",
                    RefusalReason::CutOff { .. } => "refused cut-off",
                    _ => "refused other",
                }
                .to_owned(),
            ),
        }
    }
    out
}

#[test]
fn capture_played_in_any_read_size() {
    let expected = [
        "]C1 tracking_number usps 9261290113185417468510",
        "]E0 product_code 4006381333931",
        "repeat 4006381333931",
        "]C0 rma_number RMA-123456",
        "refused utf8",
        "refused direction",
        "]d2 gs1 (01)09501101530003(17)261231(10)LOT42(21)SN0001",
        "]C0 tracking_number ups 1Z5R89390357567127",
        "]E0 product_code 036000291452",
        "refused cut-off",
    ];
    // One byte per read (a slow poll), a typical 7-byte read, 64-byte reads, and the whole capture at once.
    for chunk in [1, 7, 64, CAPTURE.len()] {
        assert_eq!(play(chunk), expected, "reads of {chunk} bytes");
    }
}
