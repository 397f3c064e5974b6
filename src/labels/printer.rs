//! The bench's label printer: where it is (none, a serial port, or a network printer's raw port 9100),
//! parsed from what the clerk types in Settings and from the stored setting, and [`send`], which hands it
//! the bytes of a print job.
//!
//! Sending blocks (a connect, a write to a slow serial line), so only the `labels` thread calls it; every
//! wait is bounded and every failure names the printer and what to check.

use std::fmt;
use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::devices::serial;

/// The setting's key in the station's settings.
pub const SETTING: &str = "label_printer";
/// The stored value of "no printer".
pub const NONE: &str = "none";
/// Zebra's raw print port (also called JetDirect or socket printing).
pub const RAW_PORT: u16 = 9100;
/// A serial Zebra's factory speed.
pub const DEFAULT_BAUD: u32 = 9600;
/// How long a network printer may take to accept the connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long one write may wait (a printer out of paper stops reading).
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the label printer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrinterTarget {
    /// A serial port (a device path or udev name, or COM3), 8N1 at `baud`.
    Serial { port: String, baud: u32 },
    /// A network printer's raw port.
    Network { host: String, port: u16 },
}

/// A printer setting that cannot be used, in words for the person typing it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrinterSettingError {
    #[error("the serial port is empty: give its path, e.g. /dev/ttyUSB0 or COM3")]
    EmptyPort,
    #[error("baud {0:?} is not a speed: give a number such as 9600")]
    Baud(String),
    #[error("the printer's address is empty: give host:port, e.g. 10.0.4.21:9100")]
    EmptyAddress,
    #[error("printer address {address:?}: {reason}; give host:port, e.g. 10.0.4.21:9100")]
    Address { address: String, reason: String },
    #[error("stored label printer {0:?} is not a printer setting (expected none, serial:PORT@BAUD or tcp:HOST:PORT)")]
    Stored(String),
}

/// Why a job did not reach the printer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrinterError {
    #[error("no label printer is set up for this station: choose one in Settings (F5), or save the label as PDF")]
    NotConfigured,
    #[error(
        "label printer {printer}: cannot connect: {reason}; is it switched on, and is the setting right (Settings, F5)?"
    )]
    Connect { printer: String, reason: String },
    #[error("label printer {printer}: the label was not sent whole: {reason}; check the printer and print again")]
    Write { printer: String, reason: String },
}

impl PrinterTarget {
    /// A serial printer from the port path and the speed as typed.
    pub fn serial(port: &str, baud: &str) -> Result<PrinterTarget, PrinterSettingError> {
        let port = port.trim();
        if port.is_empty() {
            return Err(PrinterSettingError::EmptyPort);
        }
        let baud = match baud.trim() {
            "" => DEFAULT_BAUD,
            text => text.parse().ok().filter(|b| *b > 0).ok_or_else(|| PrinterSettingError::Baud(text.to_owned()))?,
        };
        Ok(PrinterTarget::Serial { port: port.to_owned(), baud })
    }

    /// A network printer from `host:port` as typed; the port is 9100 when left out. An IPv6 address is
    /// written in brackets, `[fd00::5]:9100`.
    pub fn network(address: &str) -> Result<PrinterTarget, PrinterSettingError> {
        let address = address.trim();
        if address.is_empty() {
            return Err(PrinterSettingError::EmptyAddress);
        }
        let bad =
            |reason: &str| PrinterSettingError::Address { address: address.to_owned(), reason: reason.to_owned() };
        let (host, port) = match address.rsplit_once(':') {
            // A bare IPv6 address has colons but no brackets: it needs them to carry a port.
            Some((host, _)) if host.contains(':') && !host.starts_with('[') => {
                return Err(bad("an IPv6 address goes in brackets"));
            }
            Some((host, port)) => (
                host,
                port.parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| bad("the port is not a number from 1 to 65535"))?,
            ),
            None => (address, RAW_PORT),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control() || c == '/') {
            return Err(bad("the host is not a name or an address"));
        }
        Ok(PrinterTarget::Network { host: host.to_owned(), port })
    }

    /// The stored setting: [`NONE`] is no printer.
    pub fn from_setting(value: &str) -> Result<Option<PrinterTarget>, PrinterSettingError> {
        let stored = || PrinterSettingError::Stored(value.to_owned());
        if value == NONE {
            return Ok(None);
        }
        if let Some(serial) = value.strip_prefix("serial:") {
            let (port, baud) = serial.rsplit_once('@').ok_or_else(stored)?;
            return PrinterTarget::serial(port, baud).map(Some).map_err(|_| stored());
        }
        if let Some(address) = value.strip_prefix("tcp:") {
            return PrinterTarget::network(address).map(Some).map_err(|_| stored());
        }
        Err(stored())
    }

    /// The value stored for this printer: `serial:/dev/ttyUSB0@9600` or `tcp:10.0.4.21:9100`.
    pub fn setting(&self) -> String {
        match self {
            PrinterTarget::Serial { port, baud } => format!("serial:{port}@{baud}"),
            PrinterTarget::Network { .. } => format!("tcp:{}", self.address()),
        }
    }

    /// `host:port`, with an IPv6 host in brackets.
    fn address(&self) -> String {
        match self {
            PrinterTarget::Network { host, port } if host.contains(':') => format!("[{host}]:{port}"),
            PrinterTarget::Network { host, port } => format!("{host}:{port}"),
            PrinterTarget::Serial { port, .. } => port.clone(),
        }
    }
}

impl fmt::Display for PrinterTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrinterTarget::Serial { port, baud } => write!(f, "serial port {port} at {baud} baud"),
            PrinterTarget::Network { .. } => write!(f, "network printer {}", self.address()),
        }
    }
}

/// Sends a whole job to the printer and returns once the bytes are handed over: to the network printer's
/// socket, closed for writing, or to the serial port's buffer.
pub fn send(target: &PrinterTarget, job: &[u8]) -> Result<(), PrinterError> {
    let printer = target.to_string();
    let connect = |reason: String| PrinterError::Connect { printer: printer.clone(), reason };
    let write = |reason: String| PrinterError::Write { printer: printer.clone(), reason };
    match target {
        PrinterTarget::Network { .. } => {
            let address = target.address();
            let mut last = format!("{address} has no address");
            for socket in address.to_socket_addrs().map_err(|e| connect(e.to_string()))? {
                match TcpStream::connect_timeout(&socket, CONNECT_TIMEOUT) {
                    Ok(mut stream) => {
                        stream.set_write_timeout(Some(WRITE_TIMEOUT)).map_err(|e| write(e.to_string()))?;
                        stream.write_all(job).and_then(|()| stream.flush()).map_err(|e| write(e.to_string()))?;
                        // Closing our side tells the printer the job is complete.
                        return stream.shutdown(std::net::Shutdown::Write).map_err(|e| write(e.to_string()));
                    }
                    Err(e) => last = e.to_string(),
                }
            }
            Err(connect(last))
        }
        PrinterTarget::Serial { port, baud } => {
            let mut serial = serial::open(port, *baud, WRITE_TIMEOUT).map_err(|e| connect(e.to_string()))?;
            // Once written, the bytes are the port's: closing it waits for the line to drain them. No tcdrain
            // (`flush`) on top: pseudo-terminals and some USB adapters refuse it although the bytes go out.
            serial.write_all(job).map_err(|e| write(e.to_string()))
        }
    }
}
