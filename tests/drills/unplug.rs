//! The unplug drill: a scanner on a real pseudo-terminal, scanning, unplugged and plugged back in 500
//! times — half the time in the middle of a scan, one time in ten staying away a while. Every whole
//! scan must arrive once and whole, a scan the unplug cut off must never arrive (it may be reported as
//! refused, or be lost in the pulled cable), and the reader must never hang.

use rma_station::devices::scanner::ScannerEvent;
use rma_station::domain::scan::RefusalReason;
use rma_station::drill::DrillRng;

use super::size;
use crate::scanner::{Bench, Plugged, plug_in, start};

/// Writes `bytes` in random pieces, as a scanner's bytes reach the port.
fn send_in_pieces(scanner: &mut Plugged, bytes: &[u8], rng: &mut DrillRng) {
    let mut rest = bytes;
    while !rest.is_empty() {
        let cut = 1 + rng.below(rest.len() as u64) as usize;
        scanner.send(&rest[..cut]);
        rest = &rest[cut..];
    }
}

/// Reads the reader's events after an unplug, up to its disconnection: one refusal of `partial` at most,
/// never a scan. Returns whether the partial scan was reported refused.
#[track_caller]
fn expect_unplugged(bench: &Bench, partial: Option<&str>) -> bool {
    let mut cut_off_reported = false;
    loop {
        match bench.next() {
            // Cut off by the unplug, or — when the unplug came later than the idle gap, as on a loaded
            // machine — refused for stalling without its suffix first. Either way refused, never delivered.
            ScannerEvent::Refused {
                reason: RefusalReason::CutOff { .. } | RefusalReason::NoTerminator { .. },
                preview,
                ..
            } => {
                let partial =
                    partial.unwrap_or_else(|| panic!("a cut-off reported with no scan under way: {preview:?}"));
                assert!(!cut_off_reported, "a second cut-off: {preview:?}");
                assert!(partial.starts_with(&preview), "the cut-off {preview:?} is not the start of {partial:?}");
                cut_off_reported = true;
            }
            ScannerEvent::Disconnected { .. } => return cut_off_reported,
            other => panic!("after an unplug, expected at most a cut-off, then the disconnection; got {other:?}"),
        }
    }
}

#[test]
fn five_hundred_unplugs_while_scanning_lose_double_and_truncate_nothing() {
    let cycles = size("RMA_DRILL_UNPLUGS", 500);
    let mut rng = DrillRng::new(size("RMA_DRILL_SEED", 8));
    let (bench, mut scanner) = start();
    let (mut whole, mut cut, mut cut_reported, mut stayed_away) = (0_u64, 0_u64, 0_u64, 0_u64);
    for cycle in 0..cycles {
        for k in 0..1 + rng.below(3) {
            let code = format!("RMA-{cycle:05}-{k}");
            send_in_pieces(&mut scanner, format!("{code}\r").as_bytes(), &mut rng);
            // The next event is this scan, whole: not a piece of it, not the one before it again.
            bench.expect_scan(&code);
            whole += 1;
        }
        let partial = (rng.below(2) == 0).then(|| format!("CUT-{cycle:05}"));
        if let Some(partial) = &partial {
            let bytes = partial.as_bytes();
            send_in_pieces(&mut scanner, &bytes[..1 + rng.below(bytes.len() as u64 - 1) as usize], &mut rng);
            cut += 1;
        }
        let reported = if rng.below(10) == 0 {
            // Pulled out: the name is gone, and the reader has noticed, before it is plugged back in.
            std::fs::remove_file(&bench.link).unwrap();
            drop(scanner);
            let reported = expect_unplugged(&bench, partial.as_deref());
            scanner = plug_in(&bench.link);
            stayed_away += 1;
            reported
        } else {
            // A hot swap: the new device is under the name before the old one is gone.
            let next = plug_in(&bench.link);
            drop(scanner);
            scanner = next;
            expect_unplugged(&bench, partial.as_deref())
        };
        bench.expect_connected();
        cut_reported += u64::from(reported);
    }
    scanner.send(b"LAST\r");
    bench.expect_scan("LAST");
    bench.expect_quiet();
    eprintln!(
        "unplug drill: {cycles} unplugs ({stayed_away} staying away), {whole} whole scans each delivered once; \
         {cut} scans cut off: {cut_reported} reported refused, {} lost in the cable, none delivered",
        cut - cut_reported
    );
}
