//! Which serial ports there are, and which one a scanner is on now.
//!
//! A port is named as its system names it: `COM3` on Windows, `/dev/ttyACM0` on Linux (the serial port
//! crate lists them: Windows' registry of COM ports, Linux's `/sys/class/tty`). A USB scanner also has an
//! identity that does not change when it is plugged into another socket: its vendor and product id and,
//! for most scanners, a serial number, written `usb:05E0:1701:S123` ([`UsbId`]). Windows may give a
//! scanner another COM number when it comes back (on another USB socket, or one without a serial number),
//! and Linux numbers `ttyACM` devices in plugging order, so the scanner's reader finds it again by that
//! identity ([`locate`]): a scanner may be configured by it (`--scanner usb:05E0:1701:S123`), and a scanner
//! configured by its port name is followed to its new name once it has been seen on the old one.
//!
//! Everything here but [`list`] is pure, so the choice of port is tested without hardware. This module
//! opens no port ([`super::serial`] and the scanner's reader do).

use std::fmt;
use std::io;
use std::str::FromStr;

/// A USB serial device's identity: vendor id, product id and, when the device has one, its serial number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsbId {
    pub vid: u16,
    pub pid: u16,
    pub serial: Option<String>,
}

/// The prefix that marks a port given by its USB identity rather than its name.
pub const USB_PREFIX: &str = "usb:";

impl fmt::Display for UsbId {
    /// `usb:05E0:1701:S123`, or `usb:05E0:1701` without a serial number: what `--scanner` takes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{USB_PREFIX}{:04X}:{:04X}", self.vid, self.pid)?;
        match &self.serial {
            Some(serial) => write!(f, ":{serial}"),
            None => Ok(()),
        }
    }
}

/// Why a `usb:` port could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{given:?}: {why}; write a USB scanner as usb:VID:PID or usb:VID:PID:SERIAL, e.g. usb:05E0:1701:S123")]
pub struct BadUsbId {
    pub given: String,
    pub why: &'static str,
}

impl FromStr for UsbId {
    type Err = BadUsbId;

    fn from_str(given: &str) -> Result<UsbId, BadUsbId> {
        let bad = |why| BadUsbId { given: given.to_owned(), why };
        let rest = given.strip_prefix(USB_PREFIX).ok_or_else(|| bad("it does not start with usb:"))?;
        // The serial number is the rest after the second colon, colons and all.
        let mut parts = rest.splitn(3, ':');
        let hex = |part: Option<&str>| {
            part.filter(|p| p.len() == 4)
                .and_then(|p| u16::from_str_radix(p, 16).ok())
                .ok_or_else(|| bad("the vendor and product ids are four hexadecimal digits each"))
        };
        let vid = hex(parts.next())?;
        let pid = hex(parts.next())?;
        let serial = match parts.next() {
            None => None,
            Some("") => return Err(bad("the serial number after the last colon is empty")),
            Some(serial) => Some(serial.to_owned()),
        };
        Ok(UsbId { vid, pid, serial })
    }
}

impl UsbId {
    /// Whether `other` is this device: the same ids, and the same serial number when this one names one.
    pub fn matches(&self, other: &UsbId) -> bool {
        self.vid == other.vid
            && self.pid == other.pid
            && self.serial.as_ref().is_none_or(|serial| other.serial.as_ref() == Some(serial))
    }
}

/// A serial port as the system lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortInfo {
    /// `COM3`, `/dev/ttyACM0`.
    pub name: String,
    /// Its USB identity, for a USB serial device.
    pub usb: Option<UsbId>,
    /// What the device calls itself ("Symbol Bar Code Scanner"), when it says.
    pub product: Option<String>,
}

/// The serial ports the system lists now, by name (`COM3` before `COM10`).
pub fn list() -> io::Result<Vec<PortInfo>> {
    // Without libudev the serial port crate reads Linux's /sys/class/tty, and panics where it is missing
    // (a chroot, a bare container): there is nothing to list there.
    #[cfg(target_os = "linux")]
    if !std::path::Path::new("/sys/class/tty").is_dir() {
        return Ok(Vec::new());
    }
    let ports: Vec<PortInfo> = serialport::available_ports()?
        .into_iter()
        .map(|port| {
            let (usb, product) = match port.port_type {
                serialport::SerialPortType::UsbPort(usb) => {
                    (Some(UsbId { vid: usb.vid, pid: usb.pid, serial: usb.serial_number }), usb.product)
                }
                _ => (None, None),
            };
            PortInfo { name: port.port_name, usb, product }
        })
        .collect();
    Ok(sorted(ports))
}

/// Ports in the order they are shown: by name, the trailing number as a number (`COM3` before `COM10`).
pub fn sorted(mut ports: Vec<PortInfo>) -> Vec<PortInfo> {
    ports.sort_by_key(|port| sort_key(&port.name));
    ports
}

/// Orders names by their text with the trailing number as a number: `COM3` before `COM10`.
fn sort_key(name: &str) -> (String, u64, String) {
    let stem = name.trim_end_matches(|c: char| c.is_ascii_digit());
    (stem.to_owned(), name[stem.len()..].parse().unwrap_or(0), name.to_owned())
}

/// Whether two port names name one port: Windows' COM names are the same in any case and with or without
/// the `\\.\` device prefix (`com3`, `\\.\COM3`); other names only when equal.
pub fn same_name(a: &str, b: &str) -> bool {
    let com = |name: &str| {
        let name = name.strip_prefix(r"\\.\").unwrap_or(name);
        let digits = name.get(3..).filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
        (name.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("COM")) && digits.is_some())
            .then(|| name.to_ascii_uppercase())
    };
    a == b || matches!((com(a), com(b)), (Some(a), Some(b)) if a == b)
}

/// Where to open a scanner now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Located {
    /// Open this port.
    Open(String),
    /// Nothing to open: why, in the clerk's words.
    Absent(String),
}

/// Where a scanner configured as `configured` (a port name, or a [`UsbId`] as `usb:…`) is now, among
/// `ports`. `seen` is the identity of the device last opened for it, if it was a listed USB device.
///
/// A `usb:` scanner is the one listed port carrying that identity. A scanner given by name is followed by
/// its `seen` identity: to the port carrying it now (Windows renumbered it, or Linux did); while no port
/// carries it, the configured port is opened only if it is not listed as another device, so that a port
/// number handed on to another device is not read as the scanner. A name that is not listed (a udev name,
/// a pseudo-terminal) is opened as it is.
pub fn locate(configured: &str, seen: Option<&UsbId>, ports: &[PortInfo]) -> Located {
    let carrying = |id: &UsbId| ports.iter().filter(|p| p.usb.as_ref().is_some_and(|usb| id.matches(usb))).collect();
    if configured.starts_with(USB_PREFIX) {
        return match configured.parse::<UsbId>() {
            Err(bad) => Located::Absent(bad.to_string()),
            Ok(id) => match one(carrying(&id)) {
                Ok(port) => Located::Open(port.name.clone()),
                Err(0) => Located::Absent(format!("no port has the USB device {id} (is the scanner plugged in?)")),
                Err(n) => Located::Absent(format!(
                    "{n} ports have the USB device {id}: add the scanner's serial number (see `rma-station ports`)"
                )),
            },
        };
    }
    if let Some(id) = seen {
        if let Ok(port) = one(carrying(id)) {
            return Located::Open(port.name.clone());
        }
        if let Some(other) = ports.iter().find(|p| same_name(&p.name, configured) && p.usb.as_ref() != Some(id)) {
            let what = other.usb.as_ref().map_or_else(|| "a device that is not USB".to_owned(), UsbId::to_string);
            return Located::Absent(format!("{configured} is now {what}, not the scanner ({id})"));
        }
    }
    Located::Open(configured.to_owned())
}

/// The identity of the device on port `name`, if it is a listed USB device.
pub fn identity(name: &str, ports: &[PortInfo]) -> Option<UsbId> {
    ports.iter().find(|port| same_name(&port.name, name)).and_then(|port| port.usb.clone())
}

/// The one port of several, or how many there were.
fn one(ports: Vec<&PortInfo>) -> Result<&PortInfo, usize> {
    match ports.as_slice() {
        [port] => Ok(port),
        _ => Err(ports.len()),
    }
}

/// The ports as `rma-station ports` prints them: one a line, the name first, then a USB device's identity
/// (what `--scanner` takes to follow the device whatever its name) and what it calls itself.
pub fn table(ports: &[PortInfo]) -> String {
    if ports.is_empty() {
        return "no serial ports: plug the scanner in, set to USB serial (CDC-ACM / virtual COM) mode\n".to_owned();
    }
    let width = ports.iter().map(|port| port.name.len()).max().unwrap_or(0);
    let mut text = String::new();
    for port in ports {
        let usb = port.usb.as_ref().map_or_else(|| "(not USB)".to_owned(), UsbId::to_string);
        let product = port.product.as_deref().map(|p| format!("  {p}")).unwrap_or_default();
        text.push_str(&format!("{:width$}  {usb}{product}\n", port.name));
    }
    text
}
