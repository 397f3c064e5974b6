//! Framing: turns the bytes a scanner sends, as they arrive, into whole scans, and refuses anything that is not a
//! clean scan with a visible reason.
//!
//! The framer is sans-IO: it never reads a port and never reads the clock. The serial reader thread feeds it bytes
//! with the time they arrived (`push`), tells it when a read timed out (`idle`) and when the port was lost
//! (`reset`). It does not decide what a code means (`classify`) or whether it is a repeat (`dedup`).
//!
//! Rules, and why:
//! - CR, LF and CRLF each end a scan, whatever suffix the scanner is set to, so a scanner reprogrammed from CR to
//!   CRLF never yields an empty or doubled scan. A lone terminator (an empty line) is ignored.
//! - With [`Terminator::None`] the idle gap ends a scan. With a suffix configured, an idle gap in the middle of a
//!   scan means the rest never came: the partial scan is refused, never delivered cut short.
//! - Only [`Framer::idle`] (the reader saw silence: a read returned no data) ends a scan by time, never the
//!   spacing of `push` calls. A reader thread that was late (a loaded machine) gets a scan's bytes in chunks
//!   stamped far apart although they arrived back to back; judging the gap from those stamps would refuse a
//!   good scan, or, without a suffix, split it in two. So the reader must call `idle` whenever a read times out,
//!   with a read timeout no longer than the idle gap for a scanner without suffix.
//! - A scan is data, never a command or a path: control characters (except GS, the GS1 separator), Unicode
//!   direction controls, invalid UTF-8 and over-long input are refused whole, with a reason the operator can read.

use std::time::Duration;

use super::symbology::Symbology;

/// ASCII group separator: how scanners send FNC1 inside GS1 data. It is part of the data and kept.
pub const GS: char = '\u{1d}';

/// How the scanner marks the end of a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Terminator {
    /// Carriage return (the usual factory setting for serial scanners).
    Cr,
    /// Line feed.
    Lf,
    /// CR followed by LF.
    CrLf,
    /// No suffix: a pause in the byte stream (the idle gap) ends a scan.
    None,
}

/// Settings for one scanner's framer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FramerConfig {
    pub terminator: Terminator,
    /// A pause this long ends a scan (no suffix) or abandons a partial one (with a suffix).
    pub idle_gap: Duration,
    /// Longest scan accepted, in bytes, not counting the terminator.
    pub max_len: usize,
}

impl FramerConfig {
    /// 50 ms: at 9600 baud a byte takes about 1 ms and a scanner sends a code in one burst, so 50 ms of silence is
    /// the end of a code, yet it is far below the few hundred milliseconds between two scans by hand.
    pub const DEFAULT_IDLE_GAP: Duration = Duration::from_millis(50);
    /// 512 bytes holds any linear barcode and any GS1 DataMatrix/QR a parcel or product carries; longer input
    /// from a serial line is line noise or a scanner in the wrong mode.
    pub const DEFAULT_MAX_LEN: usize = 512;
}

impl Default for FramerConfig {
    fn default() -> Self {
        FramerConfig { terminator: Terminator::Cr, idle_gap: Self::DEFAULT_IDLE_GAP, max_len: Self::DEFAULT_MAX_LEN }
    }
}

/// One complete, clean scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    /// The code, with the AIM identifier removed. May contain [`GS`] (GS1 data); contains no other control
    /// character and no direction control.
    pub code: String,
    /// The symbology, when the scanner sent an AIM identifier.
    pub symbology: Option<Symbology>,
    /// When the scan's last byte (or terminator) arrived, on the caller's clock.
    pub at: Duration,
}

/// Why input was refused instead of delivered as a scan. The `Display` text is meant for the operator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefusalReason {
    #[error("control character U+{code:04X} at position {position}; a scan is data, never a command")]
    ControlCharacter { code: u32, position: usize },
    #[error(
        "Unicode direction control U+{code:04X} at position {position}; it would make the code display in a \
         different order than it was scanned"
    )]
    DirectionControl { code: u32, position: usize },
    #[error("not valid UTF-8 text (from byte {byte_offset}); check the scanner's baud rate and character set")]
    InvalidUtf8 { byte_offset: usize },
    #[error(
        "{len} bytes without an end of scan, more than the {max} allowed; line noise or a scanner in the wrong mode"
    )]
    TooLong { len: usize, max: usize },
    #[error(
        "{len} bytes and then nothing for {gap_ms} ms, without the scanner's end-of-scan suffix; the scan may be \
         cut short, so it was dropped: scan it again"
    )]
    NoTerminator { len: usize, gap_ms: u128 },
    #[error("the scanner was disconnected {len} bytes into a scan; the partial scan was dropped: scan it again")]
    CutOff { len: usize },
    #[error("symbology identifier {aim_id} with no code after it")]
    Empty { aim_id: String },
}

/// What the framer reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FramerEvent {
    Scan(Scan),
    /// Input that was not passed on. `preview` is the start of the refused input, made printable ASCII (every
    /// other character escaped as `\u{..}`), so it is safe to show.
    Refused {
        reason: RefusalReason,
        preview: String,
    },
}

/// Checks text that did not come through the framer (a keyboard-wedge scan typed into the GUI) by the same rules:
/// no control character except GS and no Unicode direction control.
pub fn screen_text(text: &str) -> Result<(), RefusalReason> {
    for (index, ch) in text.chars().enumerate() {
        let position = index + 1;
        if is_direction_control(ch) {
            return Err(RefusalReason::DirectionControl { code: u32::from(ch), position });
        }
        if ch.is_control() && ch != GS {
            return Err(RefusalReason::ControlCharacter { code: u32::from(ch), position });
        }
    }
    Ok(())
}

/// Unicode characters that change the display order of the text around them (embeddings, overrides, isolates
/// and marks). U+061C is the Arabic letter mark, a direction mark like U+200E/U+200F.
fn is_direction_control(ch: char) -> bool {
    matches!(ch, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Longest preview of refused input, in characters; enough to recognise it, short enough for a status line.
const PREVIEW_CHARS: usize = 40;

fn preview(bytes: &[u8]) -> String {
    preview_text(&String::from_utf8_lossy(bytes))
}

/// Refused input made safe to show: printable ASCII as is, anything else (control characters, direction
/// overrides) as a visible `\u{..}` escape, cut to a status line's length. Serial and keyboard refusals
/// are both shown this way.
pub fn preview_text(text: &str) -> String {
    let mut out = String::new();
    for ch in text.chars().take(PREVIEW_CHARS) {
        if ch.is_ascii_graphic() || ch == ' ' {
            out.push(ch);
        } else {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(ch)));
        }
    }
    if text.chars().count() > PREVIEW_CHARS {
        out.push('…');
    }
    out
}

/// Frames one scanner's byte stream. Keep one per scanner, across reads.
#[derive(Debug)]
pub struct Framer {
    config: FramerConfig,
    /// Bytes of the scan in progress, up to `max_len`; beyond that only `len` grows, so noise cannot use memory.
    buf: Vec<u8>,
    /// Bytes of the scan in progress, including those not kept.
    len: usize,
    last_byte_at: Option<Duration>,
    /// The previous byte was CR: an LF right after it belongs to the same CRLF, not to an empty scan.
    after_cr: bool,
}

impl Framer {
    pub fn new(config: FramerConfig) -> Self {
        Framer { config, buf: Vec::new(), len: 0, last_byte_at: None, after_cr: false }
    }

    pub fn config(&self) -> &FramerConfig {
        &self.config
    }

    /// Whether part of a scan is waiting for the rest.
    pub fn has_pending(&self) -> bool {
        self.len > 0
    }

    /// Feeds bytes that arrived at `now` (any chunking: one byte or many scans at once). The time stamps the
    /// scan; it does not end one (see the module documentation).
    pub fn push(&mut self, bytes: &[u8], now: Duration) -> Vec<FramerEvent> {
        let mut events = Vec::new();
        if bytes.is_empty() {
            return events;
        }
        for &byte in bytes {
            match byte {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\r' | b'\n' => {
                    self.after_cr = byte == b'\r';
                    self.finish(now, &mut events);
                }
                _ => {
                    self.after_cr = false;
                    if self.len < self.config.max_len {
                        self.buf.push(byte);
                    }
                    self.len = self.len.saturating_add(1);
                }
            }
        }
        self.last_byte_at = Some(now);
        events
    }

    /// Tells the framer that nothing arrived up to `now` (the serial read timed out). Ends a scan from a scanner
    /// with no suffix once the idle gap has passed, or abandons a partial scan from one with a suffix.
    pub fn idle(&mut self, now: Duration) -> Vec<FramerEvent> {
        let mut events = Vec::new();
        self.end_if_idle(now, &mut events);
        events
    }

    /// The port was lost (unplug). A scan in progress is dropped, never delivered half; the returned event says so.
    pub fn reset(&mut self) -> Option<FramerEvent> {
        let event = (self.len > 0).then(|| FramerEvent::Refused {
            reason: RefusalReason::CutOff { len: self.len },
            preview: preview(&self.buf),
        });
        self.clear();
        self.after_cr = false;
        self.last_byte_at = None;
        event
    }

    fn clear(&mut self) {
        self.buf.clear();
        self.len = 0;
    }

    fn end_if_idle(&mut self, now: Duration, events: &mut Vec<FramerEvent>) {
        let Some(last) = self.last_byte_at else {
            return;
        };
        // A clock that went backwards gives no gap rather than a false one.
        let gap = now.saturating_sub(last);
        if gap < self.config.idle_gap {
            return;
        }
        // After a pause, an LF no longer belongs to an earlier CR.
        self.after_cr = false;
        if self.len == 0 {
            return;
        }
        if self.config.terminator == Terminator::None {
            self.finish(last, events);
        } else {
            events.push(FramerEvent::Refused {
                reason: RefusalReason::NoTerminator { len: self.len, gap_ms: gap.as_millis() },
                preview: preview(&self.buf),
            });
            self.clear();
        }
    }

    /// Ends the scan in progress: delivers it if it is clean, refuses it otherwise.
    fn finish(&mut self, at: Duration, events: &mut Vec<FramerEvent>) {
        if self.len == 0 {
            return;
        }
        let event = if self.len > self.config.max_len {
            FramerEvent::Refused {
                reason: RefusalReason::TooLong { len: self.len, max: self.config.max_len },
                preview: preview(&self.buf),
            }
        } else {
            match check_scan(&self.buf, at) {
                Ok(scan) => FramerEvent::Scan(scan),
                Err(reason) => FramerEvent::Refused { reason, preview: preview(&self.buf) },
            }
        };
        events.push(event);
        self.clear();
    }
}

fn check_scan(bytes: &[u8], at: Duration) -> Result<Scan, RefusalReason> {
    let text =
        std::str::from_utf8(bytes).map_err(|error| RefusalReason::InvalidUtf8 { byte_offset: error.valid_up_to() })?;
    screen_text(text)?;
    let (symbology, code) = Symbology::split_prefix(text);
    if code.is_empty() {
        // Only reachable with an identifier: an empty scan never gets here.
        let aim_id = symbology.map(|s| s.aim_id()).unwrap_or_default();
        return Err(RefusalReason::Empty { aim_id });
    }
    Ok(Scan { code: code.to_owned(), symbology, at })
}
