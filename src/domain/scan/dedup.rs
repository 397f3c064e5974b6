//! Repeat suppression: the same code from the same scanner within a short window counts once.
//!
//! Scanners re-read a label that stays under the beam, and clerks double-press; both must not count an item
//! twice. This module only decides "counts or not" from the scanner, the code and the time passed in; it never
//! reads the clock and does not frame or classify.
//!
//! The rule, precisely: a scan is a repeat when the last scan that *counted* from the same scanner had the same
//! code and came less than `window` earlier. At exactly `window` it counts again (799 ms: repeat; 800 ms: counts).
//! The window runs from the scan that counted, not from the latest repeat, so a label held under a scanner in
//! continuous mode counts once per window rather than never again. A different code in between ends the window:
//! A, B, A counts three times, because the clerk moved on. If the time goes backwards (a caller mixing clocks),
//! the scan counts: losing a scan is worse than counting one twice, which the clerk can see and undo.

use std::collections::HashMap;
use std::time::Duration;

#[derive(Debug)]
pub struct Deduplicator {
    window: Duration,
    /// Per scanner: the last code that counted, and when.
    last: HashMap<String, (String, Duration)>,
}

impl Deduplicator {
    /// 800 ms: longer than a scanner's re-read of a label left under the beam, shorter than a clerk takes to pick
    /// up and scan a second, identical item.
    pub const DEFAULT_WINDOW: Duration = Duration::from_millis(800);

    pub fn new(window: Duration) -> Self {
        Deduplicator { window, last: HashMap::new() }
    }

    pub fn window(&self) -> Duration {
        self.window
    }

    /// Returns true when the scan counts, false when it is a repeat to drop.
    pub fn accept(&mut self, scanner: &str, code: &str, now: Duration) -> bool {
        if let Some((last_code, counted_at)) = self.last.get(scanner)
            && last_code == code
            && let Some(elapsed) = now.checked_sub(*counted_at)
            && elapsed < self.window
        {
            return false;
        }
        self.last.insert(scanner.to_owned(), (code.to_owned(), now));
        true
    }

    /// Forgets a scanner's last scan (e.g. after it was unplugged and plugged back in, a rescan must count).
    pub fn forget(&mut self, scanner: &str) {
        self.last.remove(scanner);
    }
}

impl Default for Deduplicator {
    fn default() -> Self {
        Deduplicator::new(Self::DEFAULT_WINDOW)
    }
}
