//! Opening a serial port the station's way: 8 data bits, no parity, one stop bit (8N1), no flow control,
//! a timeout on every read and write, and exclusive access (a second opener, such as another station process
//! or a terminal program, is refused rather than left to steal bytes). The label printer and the command
//! line's `simulate-scanner` and `listen` open their ports here; they get a [`SerialLine`] to read and write and
//! never name the serial port crate.
//!
//! It does not decide what a timeout means: a caller reading treats `TimedOut` as "no data yet", a caller
//! writing as a failed write.

use std::fmt;
use std::io::{self, Read, Write};
use std::time::Duration;

use serialport::{DataBits, FlowControl, Parity, SerialPort, StopBits};

/// A serial port's name as this system writes one, for the screens' hints.
#[cfg(windows)]
pub const EXAMPLE_PORT: &str = "COM3";
/// A serial port's name as this system writes one, for the screens' hints.
#[cfg(not(windows))]
pub const EXAMPLE_PORT: &str = "/dev/ttyUSB0";

/// An open serial port: bytes in and out.
pub struct SerialLine {
    port: Box<dyn SerialPort>,
    path: String,
}

impl fmt::Debug for SerialLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SerialLine").field("path", &self.path).finish_non_exhaustive()
    }
}

/// Opens `path` (a device node, a udev name or COM3) at `baud`, 8N1 without flow control, exclusively; each
/// read or write waits at most `timeout`. The error's words are the operating system's, as the serial port
/// crate reports them.
pub fn open(path: &str, baud: u32, timeout: Duration) -> io::Result<SerialLine> {
    let builder = serialport::new(path, baud)
        .data_bits(DataBits::Eight)
        .parity(Parity::None)
        .stop_bits(StopBits::One)
        .flow_control(FlowControl::None)
        .timeout(timeout);
    // Unix lets a second process open a terminal unless asked not to (TIOCEXCL); Windows opens a COM port for
    // one process only, always, and serialport has no such setting there.
    #[cfg(unix)]
    let builder = builder.exclusive(true);
    let port = builder.open()?;
    Ok(SerialLine { port, path: path.to_owned() })
}

impl SerialLine {
    /// Bytes written but not yet sent down the line.
    pub fn bytes_to_write(&self) -> io::Result<u32> {
        Ok(self.port.bytes_to_write()?)
    }
}

impl Read for SerialLine {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        self.port.read(buffer)
    }
}

impl Write for SerialLine {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.port.write(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.port.flush()
    }
}
