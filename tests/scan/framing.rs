//! Framing: whole scans out of bytes in any chunking, and refusals with a reason.

use std::time::Duration;

use proptest::prelude::*;
use rma_station::domain::scan::{Framer, FramerConfig, FramerEvent, RefusalReason, Terminator};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A compact, comparable picture of an event: `scan ]C1 CODE`, `scan CODE` or `refused <reason kind>`.
fn describe(event: &FramerEvent) -> String {
    match event {
        FramerEvent::Scan(scan) => match scan.symbology {
            Some(s) => format!("scan {} {}", s.aim_id(), scan.code),
            None => format!("scan {}", scan.code),
        },
        FramerEvent::Refused { reason, .. } => format!("refused {}", reason_kind(reason)),
    }
}

fn reason_kind(reason: &RefusalReason) -> &'static str {
    match reason {
        RefusalReason::ControlCharacter { .. } => "control",
        RefusalReason::DirectionControl { .. } => "direction",
        RefusalReason::InvalidUtf8 { .. } => "utf8",
        RefusalReason::TooLong { .. } => "too-long",
        RefusalReason::NoTerminator { .. } => "no-terminator",
        RefusalReason::CutOff { .. } => "cut-off",
        RefusalReason::Empty { .. } => "empty",
    }
}

fn config(terminator: Terminator) -> FramerConfig {
    FramerConfig { terminator, idle_gap: ms(50), max_len: 32 }
}

/// Feeds `bytes` in one push at t=0, then lets the idle gap pass.
#[track_caller]
fn check(bytes: &[u8], expected: &[&str]) {
    let mut framer = Framer::new(config(Terminator::Cr));
    let mut events = framer.push(bytes, ms(0));
    events.extend(framer.idle(ms(1000)));
    let got: Vec<String> = events.iter().map(describe).collect();
    assert_eq!(got, expected, "input {:?}", String::from_utf8_lossy(bytes));
}

#[test]
fn terminators_aim_ids_and_gs() {
    check(b"ABC123\r", &["scan ABC123"]);
    check(b"ABC123\n", &["scan ABC123"]);
    check(b"ABC123\r\n", &["scan ABC123"]);
    check(b"A\rB\nC\r\nD\n\rE\r", &["scan A", "scan B", "scan C", "scan D", "scan E"]);
    // Empty lines (a scanner sending CR LF LF, or a stray terminator) are nothing, not empty scans.
    check(b"\r\n\r\n\n\r", &[]);
    check(b"]C10109501101530003\r", &["scan ]C1 0109501101530003"]);
    check(b"]E0036000291452\r\n", &["scan ]E0 036000291452"]);
    check(b"]Q1https://example.test/x\r", &["scan ]Q1 https://example.test/x"]);
    check(b"]d2010950110153000310ABC\x1d21XYZ\r", &["scan ]d2 010950110153000310ABC\u{1d}21XYZ"]);
    // `]` not followed by letter + alphanumeric is data, not an identifier.
    check(b"]1AB\r", &["scan ]1AB"]);
    check(b"]C1\r", &["refused empty"]);
    check("Ümlaut-Größe\r".as_bytes(), &["scan Ümlaut-Größe"]);
}

#[test]
fn refusals() {
    check(b"AB\x07C\r", &["refused control"]);
    check(b"\x1b[2JRM\r", &["refused control"]);
    check(b"AB\tC\r", &["refused control"]);
    check(b"AB\x7fC\r", &["refused control"]);
    check("AB\u{85}C\r".as_bytes(), &["refused control"]);
    for bidi in [
        '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
        '\u{200E}', '\u{200F}',
    ] {
        check(format!("RMA{bidi}123\r").as_bytes(), &["refused direction"]);
    }
    check(b"AB\xffC\r", &["refused utf8"]);
    check(b"AB\xc3\r", &["refused utf8"]);
    // 32 bytes is the limit in these tests: 32 passes, 33 is refused whole, and the next scan is clean.
    check(&[b"A".repeat(32), b"\r".to_vec()].concat(), &[&format!("scan {}", "A".repeat(32))]);
    check(&[b"A".repeat(33), b"\rOK\r".to_vec()].concat(), &["refused too-long", "scan OK"]);
    check(&[vec![b'7'; 10_000], b"\r".to_vec()].concat(), &["refused too-long"]);
    // A refusal never swallows the neighbours.
    check(b"GOOD1\rB\x00AD\rGOOD2\r", &["scan GOOD1", "refused control", "scan GOOD2"]);
}

#[test]
fn refusal_messages_are_readable_and_previews_are_safe() {
    let mut framer = Framer::new(config(Terminator::Cr));
    let events = framer.push("RMA\u{202E}321\r".as_bytes(), ms(0));
    let [FramerEvent::Refused { reason, preview }] = events.as_slice() else {
        panic!("expected one refusal, got {events:?}");
    };
    assert_eq!(
        reason.to_string(),
        "Unicode direction control U+202E at position 4; it would make the code display in a different order \
         than it was scanned"
    );
    assert_eq!(preview, "RMA\\u{202e}321");
    assert!(preview.chars().all(|c| c.is_ascii_graphic() || c == ' '));
}

#[test]
fn idle_gap_ends_a_scan_only_without_a_suffix() {
    // No suffix: the gap ends the scan; 49 ms is still the same scan, 50 ms ends it.
    let mut framer = Framer::new(config(Terminator::None));
    assert!(framer.push(b"1Z5R8939", ms(0)).is_empty());
    assert!(framer.push(b"0357567127", ms(20)).is_empty());
    assert!(framer.idle(ms(69)).is_empty());
    let events: Vec<String> = framer.idle(ms(70)).iter().map(describe).collect();
    assert_eq!(events, ["scan 1Z5R89390357567127"]);
    assert!(framer.push(b"FIRST", ms(1000)).is_empty());
    let events: Vec<String> = framer.idle(ms(1100)).iter().map(describe).collect();
    assert_eq!(events, ["scan FIRST"]);

    // With a suffix, a gap mid-scan means the rest never came: refused, never delivered cut short.
    let mut framer = Framer::new(config(Terminator::Cr));
    assert!(framer.push(b"1Z5R8939", ms(0)).is_empty());
    let events = framer.idle(ms(50));
    assert_eq!(events.iter().map(describe).collect::<Vec<_>>(), ["refused no-terminator"]);
    let events: Vec<String> = framer.push(b"0357567127\r", ms(60)).iter().map(describe).collect();
    assert_eq!(events, ["scan 0357567127"], "the tail after the gap is its own (short) scan, not glued on");
}

#[test]
fn a_late_read_is_not_a_gap() {
    // A reader thread delayed on a loaded machine gets a scan's bytes in reads stamped 200 ms apart, though they
    // arrived back to back. Without an `idle` call (a read that returned nothing), that is one scan, whole.
    for terminator in [Terminator::Cr, Terminator::None] {
        let mut framer = Framer::new(config(terminator));
        assert!(framer.push(b"1Z5R8939", ms(0)).is_empty());
        let mut events = framer.push(b"0357567127\r", ms(200));
        events.extend(framer.idle(ms(1000)));
        let got: Vec<String> = events.iter().map(describe).collect();
        assert_eq!(got, ["scan 1Z5R89390357567127"], "{terminator:?}");
    }
}

#[test]
fn reset_drops_a_scan_cut_off_by_an_unplug() {
    let mut framer = Framer::new(config(Terminator::CrLf));
    assert!(framer.reset().is_none(), "nothing pending, nothing to report");
    assert!(framer.push(b"1Z5R89390357", ms(0)).is_empty());
    let event = framer.reset().map(|e| describe(&e));
    assert_eq!(event.as_deref(), Some("refused cut-off"));
    assert!(!framer.has_pending());
    let events: Vec<String> = framer.push(b"1Z5R89390357567127\r\n", ms(5)).iter().map(describe).collect();
    assert_eq!(events, ["scan 1Z5R89390357567127"]);
    // An LF after a reset is not taken for the tail of a CRLF from before it.
    assert!(framer.push(b"AB\r", ms(10)).len() == 1);
    framer.reset();
    assert_eq!(framer.push(b"\nCD\r", ms(20)).iter().map(describe).collect::<Vec<_>>(), ["scan CD"]);
}

/// One generated scan: the text sent and what the framer must report for it.
#[derive(Debug, Clone)]
struct Item {
    bytes: Vec<u8>,
    expected: String,
}

fn clean_item() -> impl Strategy<Value = Item> {
    (prop::option::of(prop::sample::select(vec!["]C1", "]E0", "]d2", "]Q1"])), "[ -~]{1,20}", prop::bool::ANY).prop_map(
        |(aim, text, with_gs)| {
            let mut code = text.clone();
            if with_gs {
                code.push('\u{1d}');
                code.push_str("21X");
            }
            let raw = format!("{}{}", aim.unwrap_or(""), code);
            // Text that itself starts like an AIM identifier is reported as one: compute what the framer must say.
            let (symbology, rest) = rma_station::domain::scan::Symbology::split_prefix(&raw);
            let expected = match symbology {
                _ if rest.is_empty() => "refused empty".to_owned(),
                Some(s) => format!("scan {} {}", s.aim_id(), rest),
                None => format!("scan {rest}"),
            };
            Item { bytes: raw.into_bytes(), expected }
        },
    )
}

fn bad_item() -> impl Strategy<Value = Item> {
    let bad: Vec<(&'static str, &'static str)> = vec![
        ("\u{7}", "refused control"),
        ("\u{0}", "refused control"),
        ("\u{1b}", "refused control"),
        ("\u{202e}", "refused direction"),
        ("\u{2066}", "refused direction"),
        ("\u{200f}", "refused direction"),
    ];
    ("[A-Z0-9]{0,8}", prop::sample::select(bad), "[A-Z0-9]{0,8}").prop_map(|(a, (bad, expected), b)| Item {
        bytes: format!("{a}{bad}{b}").into_bytes(),
        expected: expected.to_owned(),
    })
}

fn too_long_item() -> impl Strategy<Value = Item> {
    "[A-Z0-9]{33,80}".prop_map(|text| Item { bytes: text.into_bytes(), expected: "refused too-long".to_owned() })
}

fn item() -> impl Strategy<Value = Item> {
    prop_oneof![6 => clean_item(), 2 => bad_item(), 1 => too_long_item()]
}

fn terminator_bytes() -> impl Strategy<Value = &'static [u8]> {
    prop::sample::select(vec![&b"\r"[..], &b"\n"[..], &b"\r\n"[..]])
}

/// Splits `bytes` at the given cut points (taken modulo the length).
fn split(bytes: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    points.sort_unstable();
    let mut chunks = Vec::new();
    let mut start = 0;
    for point in points {
        chunks.push(bytes[start..point].to_vec());
        start = point;
    }
    chunks.push(bytes[start..].to_vec());
    chunks
}

proptest! {
    /// Any split of the byte stream into chunks yields the same scans and refusals, in order.
    #[test]
    fn any_chunking_yields_the_same_scans(
        items in prop::collection::vec((item(), terminator_bytes()), 0..12),
        cuts in prop::collection::vec(0usize..2000, 0..40),
    ) {
        let mut stream = Vec::new();
        for (item, terminator) in &items {
            stream.extend_from_slice(&item.bytes);
            stream.extend_from_slice(terminator);
        }
        let expected: Vec<String> = items.iter().map(|(item, _)| item.expected.clone()).collect();

        let mut framer = Framer::new(config(Terminator::Cr));
        let mut got = Vec::new();
        for chunk in split(&stream, &cuts) {
            got.extend(framer.push(&chunk, ms(0)).iter().map(describe));
        }
        prop_assert_eq!(&got, &expected);
        prop_assert!(!framer.has_pending());
    }

    /// Without a suffix, scans separated by pauses come out whole however each one was chunked.
    #[test]
    fn any_chunking_without_suffix(
        texts in prop::collection::vec("[A-Z0-9]{1,20}", 1..8),
        cuts in prop::collection::vec(0usize..100, 0..10),
    ) {
        let mut framer = Framer::new(config(Terminator::None));
        let mut got = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            let start = ms(1000 * i as u64);
            for (j, chunk) in split(text.as_bytes(), &cuts).iter().enumerate() {
                // Chunks of one scan arrive 1 ms apart: well inside the idle gap.
                got.extend(framer.push(chunk, start + ms(j as u64)).iter().map(describe));
                // The reader polls during short silences too; they are not the end of the scan.
                got.extend(framer.idle(start + ms(j as u64 + 10)).iter().map(describe));
            }
            // Then a read times out well after the scan: that ends it.
            got.extend(framer.idle(start + ms(500)).iter().map(describe));
        }
        let expected: Vec<String> = texts.iter().map(|t| format!("scan {t}")).collect();
        prop_assert_eq!(got, expected);
    }

    /// Arbitrary bytes never panic, never leave a scan with a forbidden character, and never exceed the limit.
    #[test]
    fn arbitrary_bytes_never_pass_unsafe_text(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let mut framer = Framer::new(config(Terminator::Cr));
        let mut events = framer.push(&bytes, ms(0));
        events.extend(framer.push(b"\r", ms(1)));
        for event in events {
            if let FramerEvent::Scan(scan) = event {
                prop_assert!(rma_station::domain::scan::screen_text(&scan.code).is_ok());
                prop_assert!(!scan.code.is_empty() && scan.code.len() <= 32);
            }
        }
    }
}
