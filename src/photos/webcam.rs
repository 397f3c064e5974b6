//! Photos from a webcam (USB video class, through Linux's V4L2): which cameras there are, and one JPEG
//! frame from one of them, filed like any other photo.
//!
//! Capture is behind the cargo feature `webcam` (off by default), which adds `linuxvideo`, a pure-Rust
//! V4L2 library with no system library (its calls are in the `v4l2` submodule). Everything that needs no
//! device is here and built always: finding the video device nodes (`/dev/video<N>`, links followed as
//! udev's are), what the inspection screen says when there is no camera or no capture in this build, the
//! choice of frame format, and turning a camera's frame into a photo file.
//!
//! A photo from a webcam is the camera's own JPEG: the station asks for Motion-JPEG (or JPEG) frames and
//! never re-encodes one. Many cameras leave the Huffman tables out of their MJPEG frames and rely on the
//! standard ones (ITU T.81, K.3); [`frame_to_jpeg`] writes those tables into the frame, which changes no
//! pixel and no byte of the image data, so the file opens in any viewer. A camera that offers only
//! uncompressed frames (YUYV) is refused with a message rather than have the station encode a JPEG.
//!
//! Webcam capture is Linux's (V4L2): the feature is a compile error on other systems, and there
//! [`video_nodes`] finds none, so the inspection screen says that the hot folder takes the camera's place.
//!
//! The calls that touch a device run on the `webcam` thread (an
//! [`ErrandThread`](crate::worker::errand::ErrandThread)) through [`errand`], never on the UI thread.

use std::io;
use std::path::{Path, PathBuf};

#[cfg(all(feature = "webcam", not(target_os = "linux")))]
compile_error!(
    "the `webcam` feature is V4L2, Linux only: build without it; on Windows photos come from the hot folder \
     (a phone or tethered camera) or a file"
);

#[cfg(all(feature = "webcam", target_os = "linux"))]
mod v4l2;

/// Where the video device nodes are.
#[cfg(unix)]
pub const DEVICES: &str = "/dev";
/// Other systems have no video device nodes ([`video_nodes`] finds none).
#[cfg(not(unix))]
pub const DEVICES: &str = "";

/// How many requests may wait for the `webcam` thread (a capture takes about a second).
pub const QUEUE_DEPTH: usize = 2;

/// What the screen says where there is no webcam capture in this build and no camera either.
pub const NOT_BUILT: &str =
    "No webcam capture in this build: a phone or tethered camera saving into the hot folder takes its place.";

/// A camera that can take a photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Camera {
    /// Its video device node, such as `/dev/video0`.
    pub node: PathBuf,
    /// The name the driver gives it ("HD Pro Webcam C920").
    pub name: String,
}

/// The webcams this station can use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Webcams {
    /// The station was built without the `webcam` feature; these video devices are present all the same.
    NotBuilt {
        nodes: Vec<PathBuf>,
    },
    /// No camera to take photos with; why each video device present is not one.
    NoCamera {
        notes: Vec<String>,
    },
    Found(Vec<Camera>),
}

impl Webcams {
    /// What the inspection screen says about webcam photos; empty when there are cameras to use.
    pub fn words(&self) -> String {
        match self {
            Webcams::NotBuilt { nodes } if nodes.is_empty() => NOT_BUILT.to_owned(),
            Webcams::NotBuilt { nodes } => format!(
                "A camera is connected ({}), but this build has no webcam capture: build the station with \
                 --features webcam to use it. Meanwhile a phone or tethered camera saving into the hot folder \
                 takes its place.",
                nodes.iter().map(|n| n.display().to_string()).collect::<Vec<_>>().join(", ")
            ),
            Webcams::NoCamera { notes } if notes.is_empty() => {
                "No webcam found: plug in a USB webcam, or save photos into the hot folder.".to_owned()
            }
            Webcams::NoCamera { notes } => format!(
                "No webcam found ({}): plug in a USB webcam, or save photos into the hot folder.",
                notes.join("; ")
            ),
            Webcams::Found(_) => String::new(),
        }
    }
}

/// What the `webcam` thread is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebcamWork {
    /// Find the cameras again (one may have been plugged in or out).
    Find,
    /// One photo from the camera at this node.
    Capture(PathBuf),
}

/// The `webcam` thread's answer.
#[derive(Debug)]
pub enum WebcamAnswer {
    Found(Result<Webcams, String>),
    /// A photo's bytes (a whole JPEG file), or why there is none.
    Captured(Result<Vec<u8>, WebcamError>),
}

/// Why a camera gave no photo; the message is for the clerk.
#[derive(Debug, thiserror::Error)]
pub enum WebcamError {
    #[error("this build has no webcam capture (build the station with --features webcam)")]
    NotBuilt,
    #[error("{}: {source}", node.display())]
    Device { node: PathBuf, source: io::Error },
    #[error(
        "{}: the camera offers no JPEG frames (only {offered}); the station keeps a camera's own JPEG and \
         never re-encodes a photo, so use a camera that offers MJPEG, or the hot folder",
        node.display()
    )]
    NoJpeg { node: PathBuf, offered: String },
    #[error("{}: the camera sent no usable frame within {seconds} s", node.display())]
    NoFrame { node: PathBuf, seconds: u64 },
    #[error("{}: the camera's frame is not a usable JPEG: {source}", node.display())]
    Frame { node: PathBuf, source: FrameError },
}

/// Why a camera's frame is not a JPEG file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("it does not start as a JPEG does")]
    NotJpeg,
    #[error("it is cut short")]
    CutShort,
    #[error("its segment at byte {0} is damaged")]
    Damaged(usize),
}

/// Carries out one request on the calling thread (the `webcam` thread's errand).
pub fn errand(devices: &Path, work: WebcamWork) -> WebcamAnswer {
    match work {
        WebcamWork::Find => WebcamAnswer::Found(find(devices)),
        WebcamWork::Capture(node) => WebcamAnswer::Captured(capture(&node)),
    }
}

/// The video device nodes under `devices`: `video<N>` character devices, links followed, by number.
#[cfg(unix)]
pub fn video_nodes(devices: &Path) -> io::Result<Vec<PathBuf>> {
    use std::fs;
    use std::os::unix::fs::FileTypeExt as _;
    let mut nodes = Vec::new();
    for entry in fs::read_dir(devices)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(number) = name.to_str().and_then(|n| n.strip_prefix("video")).and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let path = entry.path();
        if fs::metadata(&path).is_ok_and(|m| m.file_type().is_char_device()) {
            nodes.push((number, path));
        }
    }
    nodes.sort();
    Ok(nodes.into_iter().map(|(_, path)| path).collect())
}

/// No video device nodes outside Unix: webcams there are not V4L2 devices, and the station does not capture
/// from them.
#[cfg(not(unix))]
pub fn video_nodes(_devices: &Path) -> io::Result<Vec<PathBuf>> {
    Ok(Vec::new())
}

/// The cameras among the video devices under `devices`.
pub fn find(devices: &Path) -> Result<Webcams, String> {
    let nodes = video_nodes(devices).map_err(|e| format!("{}: {e}", devices.display()))?;
    Ok(cameras(nodes))
}

#[cfg(not(all(feature = "webcam", target_os = "linux")))]
fn cameras(nodes: Vec<PathBuf>) -> Webcams {
    Webcams::NotBuilt { nodes }
}

#[cfg(all(feature = "webcam", target_os = "linux"))]
fn cameras(nodes: Vec<PathBuf>) -> Webcams {
    let mut found = Vec::new();
    let mut notes = Vec::new();
    for node in nodes {
        match v4l2::describe(&node) {
            Ok(Some(camera)) => found.push(camera),
            // A camera's second node carries metadata, not pictures: not worth a word.
            Ok(None) => {}
            Err(e) => notes.push(format!("{}: not a usable video device ({e})", node.display())),
        }
    }
    if found.is_empty() { Webcams::NoCamera { notes } } else { Webcams::Found(found) }
}

/// One photo from the camera at `node`: the camera's own JPEG.
#[cfg(all(feature = "webcam", target_os = "linux"))]
pub fn capture(node: &Path) -> Result<Vec<u8>, WebcamError> {
    v4l2::capture(node)
}

/// One photo from the camera at `node`: not in this build.
#[cfg(not(all(feature = "webcam", target_os = "linux")))]
pub fn capture(_node: &Path) -> Result<Vec<u8>, WebcamError> {
    Err(WebcamError::NotBuilt)
}

/// The frame format to ask a camera for, from the four-character codes it offers: Motion-JPEG, else
/// JPEG; nothing if it offers neither.
pub fn choose_format(offered: &[[u8; 4]]) -> Option<[u8; 4]> {
    [*b"MJPG", *b"JPEG"].into_iter().find(|wanted| offered.contains(wanted))
}

/// Four-character codes in words: "YUYV, NV12".
pub fn fourcc_words(codes: &[[u8; 4]]) -> String {
    codes.iter().map(|code| String::from_utf8_lossy(code).trim().to_owned()).collect::<Vec<_>>().join(", ")
}

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;
const DHT: u8 = 0xC4;
const TEM: u8 = 0x01;

/// A camera's frame as a JPEG file: from its start-of-image to its end-of-image marker (a driver's
/// padding after it is dropped), with the standard Huffman tables written in before the image data if the
/// frame has none of its own. A frame that has its tables and no padding is returned byte for byte.
pub fn frame_to_jpeg(frame: &[u8]) -> Result<Vec<u8>, FrameError> {
    if !frame.starts_with(&[0xFF, SOI]) {
        return Err(FrameError::NotJpeg);
    }
    let mut at = 2;
    let mut has_tables = false;
    // The segments before the image data: each is 0xFF, a marker, and (but for a few) a length.
    let scan_at = loop {
        let byte = |i: usize| frame.get(i).copied().ok_or(FrameError::CutShort);
        if byte(at)? != 0xFF {
            return Err(FrameError::Damaged(at));
        }
        let mut marker_at = at + 1;
        while byte(marker_at)? == 0xFF {
            marker_at += 1;
        }
        let marker = byte(marker_at)?;
        match marker {
            SOS => break at,
            EOI | 0x00 => return Err(FrameError::Damaged(at)),
            SOI | TEM | 0xD0..=0xD7 => at = marker_at + 1,
            _ => {
                let length = usize::from(u16::from_be_bytes([byte(marker_at + 1)?, byte(marker_at + 2)?]));
                if length < 2 {
                    return Err(FrameError::Damaged(at));
                }
                has_tables |= marker == DHT;
                at = marker_at + 1 + length;
            }
        }
    };
    // In the image data 0xFF is always followed by 0x00 or a restart marker, so the first 0xFF 0xD9 after
    // the scan's start is the end of the image.
    let end = frame[scan_at..]
        .windows(2)
        .position(|pair| pair == [0xFF, EOI])
        .map(|found| scan_at + found + 2)
        .ok_or(FrameError::CutShort)?;
    let mut jpeg = Vec::with_capacity(end + STANDARD_TABLES_LEN);
    jpeg.extend_from_slice(&frame[..scan_at]);
    if !has_tables {
        jpeg.extend_from_slice(&standard_huffman_tables());
    }
    jpeg.extend_from_slice(&frame[scan_at..end]);
    Ok(jpeg)
}

/// The four standard Huffman tables of ITU T.81 Annex K.3 (tables K.3 to K.6): class and id, the number
/// of codes of each length 1 to 16, and the values.
const STANDARD_TABLES: [(u8, [u8; 16], &[u8]); 4] = [
    (0x00, [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
    (0x10, [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D], &AC_LUMINANCE),
    (0x01, [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
    (0x11, [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77], &AC_CHROMINANCE),
];

/// The DHT segment's length on the wire: marker, length, and each table's class, counts and values.
const STANDARD_TABLES_LEN: usize = 4 + 4 * 17 + 12 + 162 + 12 + 162;

#[rustfmt::skip]
const AC_LUMINANCE: [u8; 162] = [
    0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
    0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xA1, 0x08, 0x23, 0x42, 0xB1, 0xC1, 0x15, 0x52, 0xD1, 0xF0,
    0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0A, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x25, 0x26, 0x27, 0x28,
    0x29, 0x2A, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
    0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
    0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
    0x8A, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7,
    0xA8, 0xA9, 0xAA, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3, 0xC4, 0xC5,
    0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xE1, 0xE2,
    0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8,
    0xF9, 0xFA,
];

#[rustfmt::skip]
const AC_CHROMINANCE: [u8; 162] = [
    0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
    0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xA1, 0xB1, 0xC1, 0x09, 0x23, 0x33, 0x52, 0xF0,
    0x15, 0x62, 0x72, 0xD1, 0x0A, 0x16, 0x24, 0x34, 0xE1, 0x25, 0xF1, 0x17, 0x18, 0x19, 0x1A, 0x26,
    0x27, 0x28, 0x29, 0x2A, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
    0x49, 0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
    0x69, 0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
    0x88, 0x89, 0x8A, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5,
    0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3,
    0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA,
    0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8,
    0xF9, 0xFA,
];

/// One DHT segment holding the four standard tables.
fn standard_huffman_tables() -> Vec<u8> {
    let mut segment = Vec::with_capacity(STANDARD_TABLES_LEN);
    segment.extend_from_slice(&[0xFF, DHT]);
    // The length counts itself but not the marker; it is 418 and fits two bytes.
    let length = (STANDARD_TABLES_LEN - 2) as u16;
    segment.extend_from_slice(&length.to_be_bytes());
    for (class_and_id, counts, values) in STANDARD_TABLES {
        segment.push(class_and_id);
        segment.extend_from_slice(&counts);
        segment.extend_from_slice(values);
    }
    segment
}
