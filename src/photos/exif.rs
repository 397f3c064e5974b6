//! A photo's EXIF metadata: capture time, camera make and model, orientation and the pixel size the
//! camera wrote down.
//!
//! Metadata is a nice-to-have beside the pixels: damaged or hostile EXIF (the malformed test photos
//! crashed other readers) gives fields of `None` and a note saying what was wrong, never an error, a
//! panic or a hang, so the photo itself is still kept. A parse that gets partway keeps what it read.
//! Text fields are cleaned (control characters dropped, length capped) because they reach the screen
//! and the database.
//!
//! This module does not decode pixels or apply the orientation (see `decode`); the pixel size that
//! counts is the decoder's, EXIF's is only what the camera claimed.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use ::exif::{Exif, Field, In, Reader, Tag, Value};
use chrono::{FixedOffset, NaiveDate, NaiveDateTime};
use image::metadata::Orientation;

/// The longest make or model kept, in characters; real ones are far shorter.
const MAX_TEXT_CHARS: usize = 64;

/// What the photo's EXIF says, as far as it could be read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PhotoMetadata {
    /// When the photo was taken (DateTimeOriginal, else DateTimeDigitized, else DateTime).
    pub capture_time: Option<CaptureTime>,
    pub make: Option<String>,
    pub model: Option<String>,
    /// How the pixels must be turned to stand upright (EXIF Orientation 1..=8).
    pub orientation: Option<Orientation>,
    /// The pixel size the camera recorded (PixelXDimension × PixelYDimension), which editors often leave stale.
    pub exif_pixel_size: Option<(u32, u32)>,
    /// Why some or all of the metadata could not be read; `None` when it read cleanly or there was none.
    pub note: Option<String>,
}

/// A capture time as the camera wrote it: local wall-clock time, and the UTC offset if it recorded one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptureTime {
    pub local: NaiveDateTime,
    pub offset: Option<FixedOffset>,
}

/// As the store records it: `2008-05-30T15:56:01` and, when the camera said, `+02:00`.
impl std::fmt::Display for CaptureTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.local.format("%Y-%m-%dT%H:%M:%S"))?;
        match self.offset {
            Some(offset) => write!(f, "{offset}"),
            None => Ok(()),
        }
    }
}

impl PhotoMetadata {
    /// The EXIF orientation number (1..=8) for the record, if the photo has a valid one.
    pub fn orientation_number(&self) -> Option<u8> {
        self.orientation.map(Orientation::to_exif)
    }
}

/// Reads the metadata of a JPEG, PNG or HEIF photo. Never fails: bad metadata gives `None` fields.
pub fn read(bytes: &[u8]) -> PhotoMetadata {
    // The EXIF reader is well fuzzed, but a hostile file must never take the photo worker down with it.
    match catch_unwind(AssertUnwindSafe(|| read_exif(bytes))) {
        Ok(metadata) => metadata,
        Err(_) => PhotoMetadata {
            note: Some(
                "the EXIF metadata could not be read (the reader failed on it); the photo is kept without it".into(),
            ),
            ..PhotoMetadata::default()
        },
    }
}

fn read_exif(bytes: &[u8]) -> PhotoMetadata {
    let mut reader = Reader::new();
    reader.continue_on_error(true);
    let (exif, problems) = match reader.read_from_container(&mut Cursor::new(bytes)) {
        Ok(exif) => (exif, Vec::new()),
        Err(::exif::Error::PartialResult(partial)) => partial.into_inner(),
        Err(::exif::Error::NotFound(_)) => return PhotoMetadata::default(),
        Err(error) => {
            return PhotoMetadata {
                note: Some(format!("the EXIF metadata is damaged ({error}); the photo is kept without it")),
                ..PhotoMetadata::default()
            };
        }
    };
    let mut metadata = PhotoMetadata {
        capture_time: capture_time(&exif),
        make: text(&exif, Tag::Make),
        model: text(&exif, Tag::Model),
        orientation: number(&exif, Tag::Orientation)
            .and_then(|n| u8::try_from(n).ok())
            .and_then(Orientation::from_exif),
        exif_pixel_size: number(&exif, Tag::PixelXDimension).zip(number(&exif, Tag::PixelYDimension)),
        note: None,
    };
    if let Some(first) = problems.first() {
        let more = match problems.len() {
            1 => String::new(),
            n => format!(" and {} more problem{}", n - 1, if n == 2 { "" } else { "s" }),
        };
        metadata.note =
            Some(format!("part of the EXIF metadata is damaged ({first}{more}); what was readable is kept"));
    }
    metadata
}

fn field(exif: &Exif, tag: Tag) -> Option<&Field> {
    exif.get_field(tag, In::PRIMARY)
}

fn ascii(exif: &Exif, tag: Tag) -> Option<&[u8]> {
    match &field(exif, tag)?.value {
        Value::Ascii(parts) => parts.first().map(Vec::as_slice),
        _ => None,
    }
}

/// A text field, cleaned for the screen: NULs, control and direction-override characters dropped,
/// surrounding space trimmed, at most [`MAX_TEXT_CHARS`] characters; empty is `None`.
fn text(exif: &Exif, tag: Tag) -> Option<String> {
    let raw = ascii(exif, tag)?;
    let cleaned: String = String::from_utf8_lossy(raw)
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .take(MAX_TEXT_CHARS)
        .collect();
    let trimmed = cleaned.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

fn number(exif: &Exif, tag: Tag) -> Option<u32> {
    field(exif, tag)?.value.get_uint(0)
}

fn capture_time(exif: &Exif) -> Option<CaptureTime> {
    [
        (Tag::DateTimeOriginal, Tag::OffsetTimeOriginal, Tag::SubSecTimeOriginal),
        (Tag::DateTimeDigitized, Tag::OffsetTimeDigitized, Tag::SubSecTimeDigitized),
        (Tag::DateTime, Tag::OffsetTime, Tag::SubSecTime),
    ]
    .into_iter()
    .find_map(|(time, offset, subsec)| {
        let mut parsed = ::exif::DateTime::from_ascii(ascii(exif, time)?).ok()?;
        if let Some(raw) = ascii(exif, subsec) {
            // A damaged sub-second field only loses the fraction.
            if parsed.parse_subsec(raw).is_err() {
                parsed.nanosecond = None;
            }
        }
        if let Some(raw) = ascii(exif, offset)
            && parsed.parse_offset(raw).is_err()
        {
            parsed.offset = None;
        }
        to_capture_time(&parsed)
    })
}

/// A calendar-checked time: "0000:00:00 00:00:00" and month 13 are no time at all.
fn to_capture_time(parsed: &::exif::DateTime) -> Option<CaptureTime> {
    let date = NaiveDate::from_ymd_opt(i32::from(parsed.year), u32::from(parsed.month), u32::from(parsed.day))?;
    let local = date.and_hms_nano_opt(
        u32::from(parsed.hour),
        u32::from(parsed.minute),
        u32::from(parsed.second),
        parsed.nanosecond.unwrap_or(0),
    )?;
    let offset = parsed.offset.and_then(|minutes| FixedOffset::east_opt(i32::from(minutes) * 60));
    Some(CaptureTime { local, offset })
}
