//! Text for the evidence packet's PDF in the fonts every PDF reader has built in (Helvetica, Helvetica-Bold
//! and Courier), so nothing is embedded: WinAnsi encoding, the fonts' widths, and wrapping lines to a width.
//!
//! WinAnsi holds Latin-1 and a few more (curly quotes, dashes, the euro). A character outside it is written
//! as its code, `[U+0141]`, so a name the font cannot show still reaches the page whole and recognisably
//! different, never dropped or silently turned into a look-alike. Pure: strings in, bytes and widths out.

use std::fmt::Write as _;

/// The built-in fonts the packet uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    Regular,
    Bold,
    /// Fixed width, for hashes: every digit lines up and none is mistaken for another.
    Mono,
}

impl Face {
    pub const ALL: [Face; 3] = [Face::Regular, Face::Bold, Face::Mono];

    /// The PDF's name for the built-in font.
    pub fn base_font(self) -> &'static [u8] {
        match self {
            Face::Regular => b"Helvetica",
            Face::Bold => b"Helvetica-Bold",
            Face::Mono => b"Courier",
        }
    }

    /// The name a page's resources give the font.
    pub fn resource(self) -> &'static [u8] {
        match self {
            Face::Regular => b"F1",
            Face::Bold => b"F2",
            Face::Mono => b"F3",
        }
    }

    /// A WinAnsi byte's advance, in thousandths of the font size.
    fn advance(self, byte: u8) -> u16 {
        let index = usize::from(byte.saturating_sub(FIRST_CODE));
        match self {
            Face::Regular => HELVETICA.get(index).copied().unwrap_or(0),
            Face::Bold => HELVETICA_BOLD.get(index).copied().unwrap_or(0),
            Face::Mono => COURIER_ADVANCE,
        }
    }
}

/// Text in WinAnsi bytes, and whether any character had to be written as its code.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Encoded {
    pub bytes: Vec<u8>,
    pub replaced: bool,
}

/// Encodes `text` in WinAnsi. A tab is a space; a line break (`\n`, `\r\n` or `\r`) is kept as `\n` for
/// [`wrap`] to break at; any other character WinAnsi lacks (and control characters) becomes `[U+XXXX]`.
pub fn encode(text: &str) -> Encoded {
    let mut encoded = Encoded::default();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => encoded.bytes.push(b'\n'),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' => encoded.bytes.push(b'\n'),
            '\t' => encoded.bytes.push(b' '),
            _ => match winansi(c) {
                Some(byte) => encoded.bytes.push(byte),
                None => {
                    let mut code = String::new();
                    let _ = write!(code, "[U+{:04X}]", u32::from(c));
                    encoded.bytes.extend_from_slice(code.as_bytes());
                    encoded.replaced = true;
                }
            },
        }
    }
    encoded
}

/// The WinAnsi byte of a character, if it has one (control characters have none: they print nothing).
pub fn winansi(c: char) -> Option<u8> {
    let code = u32::from(c);
    match code {
        0x20..=0x7E | 0xA0..=0xFF => u8::try_from(code).ok(),
        _ => Some(match c {
            '€' => 0x80,
            '‚' => 0x82,
            'ƒ' => 0x83,
            '„' => 0x84,
            '…' => 0x85,
            '†' => 0x86,
            '‡' => 0x87,
            'ˆ' => 0x88,
            '‰' => 0x89,
            'Š' => 0x8A,
            '‹' => 0x8B,
            'Œ' => 0x8C,
            'Ž' => 0x8E,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '˜' => 0x98,
            '™' => 0x99,
            'š' => 0x9A,
            '›' => 0x9B,
            'œ' => 0x9C,
            'ž' => 0x9E,
            'Ÿ' => 0x9F,
            _ => return None,
        }),
    }
}

/// The width of WinAnsi bytes set in `face` at `size` points, in points.
pub fn width(face: Face, bytes: &[u8], size: f32) -> f32 {
    let thousandths: u32 = bytes.iter().map(|&b| u32::from(face.advance(b))).sum();
    points(thousandths, size)
}

#[expect(clippy::float_arithmetic, reason = "a width on the page in points; no money passes through here")]
fn points(thousandths: u32, size: f32) -> f32 {
    // Exact in f32: a line's thousandths stay far below 2^24.
    thousandths as f32 * size / 1000.0
}

/// Breaks WinAnsi text into lines no wider than `max_width` points: at `\n`, else at the last space that
/// fits. A word wider than the whole line (a hash, a long code) is cut where the line ends. An empty
/// text is one empty line, so a blank value still takes its place.
pub fn wrap(face: Face, size: f32, bytes: &[u8], max_width: f32) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    for paragraph in bytes.split(|&b| b == b'\n') {
        let mut line: Vec<u8> = Vec::new();
        for word in paragraph.split(|&b| b == b' ') {
            let joined = if line.is_empty() { word.len() } else { line.len() + 1 + word.len() };
            let mut candidate = Vec::with_capacity(joined);
            if !line.is_empty() {
                candidate.extend_from_slice(&line);
                candidate.push(b' ');
            }
            candidate.extend_from_slice(word);
            if width(face, &candidate, size) <= max_width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // The word starts a line of its own; one wider than a line is cut into line-wide pieces.
            let mut rest = word;
            while width(face, rest, size) > max_width {
                let fits =
                    (1..=rest.len()).take_while(|&n| width(face, &rest[..n], size) <= max_width).last().unwrap_or(1);
                lines.push(rest[..fits].to_vec());
                rest = &rest[fits..];
            }
            line = rest.to_vec();
        }
        lines.push(line);
    }
    lines
}

/// The first WinAnsi code the width tables hold (the space).
const FIRST_CODE: u8 = 0x20;

/// Courier's one advance.
const COURIER_ADVANCE: u16 = 600;

/// Helvetica's advances for WinAnsi codes 0x20..=0xFF, from the Adobe font metrics (the same in URW's
/// metric-compatible Nimbus Sans). Codes WinAnsi leaves undefined are 0: [`encode`] never writes them.
#[rustfmt::skip]
const HELVETICA: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // 0x20
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0x30
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // 0x40
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // 0x50
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // 0x60
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 0, // 0x70
    556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, // 0x80
    0, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667, // 0x90
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333, // 0xA0
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611, // 0xB0
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, // 0xC0
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, // 0xD0
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, // 0xE0
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500, // 0xF0
];

/// Helvetica-Bold's advances for WinAnsi codes 0x20..=0xFF, as [`HELVETICA`].
#[rustfmt::skip]
const HELVETICA_BOLD: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, // 0x20
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, // 0x30
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, // 0x40
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, // 0x50
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, // 0x60
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 0, // 0x70
    556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, // 0x80
    0, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667, // 0x90
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333, // 0xA0
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611, // 0xB0
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, // 0xC0
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, // 0xD0
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278, // 0xE0
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556, // 0xF0
];
