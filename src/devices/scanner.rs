//! A serial barcode scanner: one reader thread per scanner, owning its port.
//!
//! The thread opens the port (8N1 at the configured baud), feeds every read into a
//! [`Framer`] and every finished scan through a [`Deduplicator`], and reports [`ScannerEvent`]s on a
//! bounded channel. Each reader is a [`Worker`] (`scanner:<name>`) running its own read loop, which checks
//! the stop flag at every read timeout, so dropping the [`ScannerReader`] ends it within [`READ_TIMEOUT`].
//!
//! A full channel is waited on for up to [`SCAN_PATIENCE`], never longer and not at all once the reader
//! is stopping. A scan is a package or an item the clerk is holding, so the reader would rather wait than
//! drop it: while it waits the port keeps the bytes (the kernel's line buffer holds hundreds of scans), so
//! a slow window delays scans but loses none. A window that takes no event for ten seconds is stalled, not
//! slow: the scan is then dropped and logged as lost with its scanner and code (as is every scan taken
//! in), and the reader goes on reading rather than hang on a window that may be closing. Unplugging is
//! normal: any read error other than a timeout is a disconnect, a
//! scan cut off by it is dropped (reported, never delivered half), and the thread keeps reopening it
//! with a backoff capped at [`MAX_BACKOFF`], reporting `Connected` again when the scanner is back. It
//! reopens the same port — a device node, the stable name a udev rule gives it, `COM3` — unless the
//! scanner is a USB device the system now lists under another name (Windows may give a scanner plugged
//! back in another COM number): then it follows the device ([`ports::locate`]). A scanner configured as
//! `usb:VID:PID:SERIAL` is looked up by that identity at every connect.

use std::convert::Infallible;
use std::io::ErrorKind;
use std::sync::Arc;
use std::sync::mpsc::SyncSender;
use std::time::{Duration, Instant};

use crate::devices::ports::{self, Located, UsbId};
use crate::domain::scan::{
    Classification, Classifier, Deduplicator, Framer, FramerConfig, FramerEvent, RefusalReason, Symbology,
};
use crate::worker::{Delivery, Inbox, Leftovers, Outbox, Stop, Wake, Worker};

/// How long one read waits for bytes. It also bounds how late an idle gap is noticed and how quickly
/// the thread sees a stop request, so it must not exceed the framer's idle gap.
pub const READ_TIMEOUT: Duration = Duration::from_millis(20);
/// The first wait before reopening a port that is gone.
pub const FIRST_BACKOFF: Duration = Duration::from_millis(50);
/// The longest wait between attempts: a scanner plugged back in is live again within this.
pub const MAX_BACKOFF: Duration = Duration::from_millis(1600);
/// The longest the reader waits for room in a full channel before a scan is dropped (and logged as lost).
pub const SCAN_PATIENCE: Duration = Duration::from_secs(10);

/// One scanner's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannerConfig {
    /// The name the bench knows it by ("bench-left").
    pub name: String,
    /// `/dev/ttyACM0`, a udev name such as `/dev/rma-scanner-left`, `COM3`, or a USB identity
    /// `usb:05E0:1701:S123` (see [`ports`]).
    pub port: String,
    /// 9600 or 115200 in practice; the scanner is set to the same.
    pub baud: u32,
    pub framing: FramerConfig,
    /// The same code from this scanner within this window counts once.
    pub repeat_window: Duration,
}

/// What a reader reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScannerEvent {
    /// Open on `port` (the name opened, which for a `usb:` scanner or a renumbered one is not the
    /// configured one).
    Connected {
        scanner: String,
        port: String,
    },
    Disconnected {
        scanner: String,
        reason: String,
    },
    /// A whole scan, classified; `at` is when its last byte was framed.
    Scan {
        scanner: String,
        code: String,
        symbology: Option<Symbology>,
        classification: Box<Classification>,
        at: Instant,
    },
    /// Bytes that were not a good scan: shown to the clerk as a warning, never passed on.
    Refused {
        scanner: String,
        reason: RefusalReason,
        preview: String,
    },
}

/// Owns a reader thread; dropping it stops the thread and waits for it.
#[derive(Debug)]
pub struct ScannerReader {
    _thread: Worker<Infallible>,
}

impl ScannerReader {
    /// Starts the thread `scanner:<name>`. `wake` runs after each event is sent (the GUI passes a
    /// repaint request).
    pub fn spawn(
        config: ScannerConfig,
        classifier: Arc<Classifier>,
        events: SyncSender<ScannerEvent>,
        wake: Wake,
    ) -> std::io::Result<ScannerReader> {
        let events = Outbox::new(events, wake).with_patience(SCAN_PATIENCE);
        let name = format!("scanner:{}", config.name);
        // Nothing is ever queued for a reader: its queue carries only the stop message.
        let thread = Worker::spawn_loop(name, 1, Leftovers::Abandon, move |inbox: Inbox<Infallible>| {
            Reader { config, classifier, events, stop: inbox.stop().clone() }.run();
        })?;
        Ok(ScannerReader { _thread: thread })
    }
}

struct Reader {
    config: ScannerConfig,
    classifier: Arc<Classifier>,
    events: Outbox<ScannerEvent>,
    stop: Stop,
}

/// Whether the reader should keep going.
enum Flow {
    Go,
    Stop,
}

impl Reader {
    fn run(self) {
        let started = Instant::now();
        let mut framer = Framer::new(self.config.framing.clone());
        let mut repeats = Deduplicator::new(self.config.repeat_window);
        let mut backoff = FIRST_BACKOFF;
        // The state last reported, so that a scanner that stays away is reported once, not per attempt.
        let mut reported_absent = false;
        // The USB identity of the device last opened for this scanner, when the system lists it.
        let mut seen: Option<UsbId> = None;
        while !self.stopping() {
            let opened = match self.locate(seen.as_ref()) {
                Located::Open(name) => self.open(&name).map(|port| (name, port)).map_err(|e| e.to_string()),
                Located::Absent(reason) => Err(reason),
            };
            let (name, mut port) = match opened {
                Ok(opened) => opened,
                Err(reason) => {
                    if !reported_absent {
                        reported_absent = true;
                        if let Flow::Stop = self.send(ScannerEvent::Disconnected { scanner: self.name(), reason }) {
                            return;
                        }
                    }
                    self.sleep(backoff);
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
            };
            reported_absent = false;
            backoff = FIRST_BACKOFF;
            seen = ports::identity(&name, &ports::list().unwrap_or_default()).or(seen);
            if let Flow::Stop = self.send(ScannerEvent::Connected { scanner: self.name(), port: name }) {
                return;
            }
            let reason = match self.read_until_lost(port.as_mut(), &mut framer, &mut repeats, started) {
                Ok(Flow::Stop) => return,
                Ok(Flow::Go) => continue,
                Err(reason) => reason,
            };
            // A scan the unplug cut off is dropped and said so.
            if let Some(event) = framer.reset().and_then(|cut| self.event_of(cut, &mut repeats, started))
                && let Flow::Stop = self.send(event)
            {
                return;
            }
            reported_absent = true;
            if let Flow::Stop = self.send(ScannerEvent::Disconnected { scanner: self.name(), reason }) {
                return;
            }
        }
    }

    /// Which port to open now: the configured one, unless it is a USB identity or the device `seen` on it
    /// is listed elsewhere ([`ports::locate`]). The ports are listed only then: a plain name needs no list.
    fn locate(&self, seen: Option<&UsbId>) -> Located {
        let configured = self.config.port.as_str();
        if seen.is_none() && !configured.starts_with(ports::USB_PREFIX) {
            return Located::Open(configured.to_owned());
        }
        match ports::list() {
            Ok(listed) => ports::locate(configured, seen, &listed),
            Err(e) => Located::Absent(format!("the serial ports could not be listed: {e}")),
        }
    }

    /// Opens `name` 8N1 at the configured baud; each read waits at most [`READ_TIMEOUT`].
    fn open(&self, name: &str) -> serialport::Result<Box<dyn serialport::SerialPort>> {
        serialport::new(name, self.config.baud)
            .data_bits(serialport::DataBits::Eight)
            .parity(serialport::Parity::None)
            .stop_bits(serialport::StopBits::One)
            .flow_control(serialport::FlowControl::None)
            .timeout(READ_TIMEOUT)
            .open()
    }

    /// Reads until the port is lost (the reason) or the reader is stopped.
    fn read_until_lost(
        &self,
        port: &mut dyn serialport::SerialPort,
        framer: &mut Framer,
        repeats: &mut Deduplicator,
        started: Instant,
    ) -> Result<Flow, String> {
        let mut buffer = [0u8; 256];
        while !self.stopping() {
            let events = match port.read(&mut buffer) {
                // End of file: the other end of the line is gone.
                Ok(0) => return Err("the scanner's line was closed".to_owned()),
                Ok(n) => framer.push(&buffer[..n], started.elapsed()),
                Err(e) if e.kind() == ErrorKind::TimedOut || e.kind() == ErrorKind::Interrupted => {
                    framer.idle(started.elapsed())
                }
                Err(e) => return Err(e.to_string()),
            };
            for event in events {
                if let Some(event) = self.event_of(event, repeats, started)
                    && let Flow::Stop = self.send(event)
                {
                    return Ok(Flow::Stop);
                }
            }
        }
        Ok(Flow::Stop)
    }

    /// The event to report for a framer event; `None` for a repeat within the window.
    fn event_of(&self, event: FramerEvent, repeats: &mut Deduplicator, started: Instant) -> Option<ScannerEvent> {
        match event {
            FramerEvent::Scan(scan) => {
                repeats.accept(&self.config.name, &scan.code, scan.at).then(|| {
                    // The classifier reads the AIM identifier too: it tells a product code from a
                    // carrier's number made of the same digits.
                    let aim = scan.symbology.map(|s| s.aim_id()).unwrap_or_default();
                    let classification = Box::new(self.classifier.classify(&format!("{aim}{}", scan.code)));
                    let at = started + scan.at;
                    ScannerEvent::Scan {
                        scanner: self.name(),
                        code: scan.code,
                        symbology: scan.symbology,
                        classification,
                        at,
                    }
                })
            }
            FramerEvent::Refused { reason, preview } => {
                Some(ScannerEvent::Refused { scanner: self.name(), reason, preview })
            }
        }
    }

    /// Sends an event, waiting a while if the channel is full; stops if nobody listens any more.
    fn send(&self, event: ScannerEvent) -> Flow {
        let scanner = self.config.name.as_str();
        let lost = match &event {
            ScannerEvent::Scan { code, .. } => {
                crate::log::scan_received(scanner, code);
                Some(code.clone())
            }
            ScannerEvent::Refused { reason, preview, .. } => {
                tracing::warn!(scanner, %reason, preview, "scan refused");
                None
            }
            ScannerEvent::Connected { port, .. } => {
                tracing::info!(scanner, port, configured = %self.config.port, "scanner connected");
                None
            }
            ScannerEvent::Disconnected { reason, .. } => {
                tracing::warn!(scanner, reason, "scanner disconnected");
                None
            }
        };
        match self.events.deliver(event, &self.stop) {
            Delivery::Delivered => Flow::Go,
            Delivery::Dropped if self.stopping() => Flow::Stop,
            Delivery::Dropped => {
                if let Some(code) = lost {
                    tracing::error!(
                        scanner,
                        code,
                        "scan lost: the window took no scanner event for {} s",
                        SCAN_PATIENCE.as_secs()
                    );
                }
                Flow::Go
            }
            Delivery::Closed => Flow::Stop,
        }
    }

    fn sleep(&self, total: Duration) {
        self.stop.sleep(total);
    }

    fn stopping(&self) -> bool {
        self.stop.is_set()
    }

    fn name(&self) -> String {
        self.config.name.clone()
    }
}
