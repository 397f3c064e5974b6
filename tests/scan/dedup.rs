//! Repeat suppression: the same code from the same scanner within the window counts once.
//! The rule: a repeat is dropped when it comes less than the window after the scan that counted (800 ms by
//! default): 799 ms is a repeat, 800 ms counts again.

use std::time::Duration;

use rma_station::domain::scan::Deduplicator;

/// Plays (scanner, code, milliseconds) scans through a default deduplicator and checks which count.
#[track_caller]
fn check(scans: &[(&str, &str, u64)], expected: &[bool]) {
    let mut dedup = Deduplicator::default();
    let got: Vec<bool> =
        scans.iter().map(|(scanner, code, at)| dedup.accept(scanner, code, Duration::from_millis(*at))).collect();
    assert_eq!(got, expected, "scans {scans:?}");
}

#[test]
fn window_edges() {
    assert_eq!(Deduplicator::default().window(), Duration::from_millis(800));
    check(&[("s1", "A", 0), ("s1", "A", 799)], &[true, false]);
    check(&[("s1", "A", 0), ("s1", "A", 800)], &[true, true]);
    check(&[("s1", "A", 0), ("s1", "A", 801)], &[true, true]);
    check(&[("s1", "A", 1_000), ("s1", "A", 1_000)], &[true, false]);
}

#[test]
fn the_window_runs_from_the_scan_that_counted() {
    // A label held under a scanner in continuous mode counts once per window, not never again.
    check(
        &[("s1", "A", 0), ("s1", "A", 400), ("s1", "A", 799), ("s1", "A", 800), ("s1", "A", 1599)],
        &[true, false, false, true, false],
    );
}

#[test]
fn other_codes_scanners_and_clocks() {
    // Another code in between: the clerk moved on, so A counts again.
    check(&[("s1", "A", 0), ("s1", "B", 100), ("s1", "A", 200)], &[true, true, true]);
    // Two scanners are two clerks.
    check(&[("s1", "A", 0), ("s2", "A", 100), ("s1", "A", 200), ("s2", "A", 300)], &[true, true, false, false]);
    // Time going backwards (mixed clocks): the scan counts rather than being lost.
    check(&[("s1", "A", 5_000), ("s1", "A", 4_000)], &[true, true]);
}

#[test]
fn configurable_window_and_forget() {
    let mut dedup = Deduplicator::new(Duration::from_millis(200));
    assert!(dedup.accept("s1", "A", Duration::from_millis(0)));
    assert!(!dedup.accept("s1", "A", Duration::from_millis(199)));
    assert!(dedup.accept("s1", "A", Duration::from_millis(200)));
    dedup.forget("s1");
    assert!(dedup.accept("s1", "A", Duration::from_millis(201)));
}
