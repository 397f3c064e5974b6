//! Where everything sits on a bin label, in printer dots, once for every format: ZPL, PNG and PDF each
//! draw this layout (ZPL lets the printer draw the barcode and the type).
//!
//! The label is 4 × 6 inches at 203 dpi (812 × 1218 dots), portrait. 4 × 6 is the roll a returns bench's
//! Zebra already holds for carrier labels, so one printer serves both without changing rolls, and it has
//! room for the bin in letters readable from across an aisle above a barcode a scanner reads at arm's length.
//! All positions are whole dots, so no format rounds anything.
//!
//! Type sizes are fitted to their box with the widths of Helvetica-Bold (the PDF's font, from Adobe's
//! metrics), which is wider than a Zebra's condensed font 0, so what fits here fits on the printer too.

use crate::labels::BinLabel;
use crate::labels::barcode::{BarcodeError, code128_modules};

/// The printer's resolution: 8 dots per millimetre, the common Zebra desktop and industrial head.
pub const DPI: u32 = 203;
/// 4 inches.
pub const WIDTH: u32 = 812;
/// 6 inches.
pub const HEIGHT: u32 = 1218;
/// White space around everything.
pub const MARGIN: u32 = 30;
/// The width between the margins.
const INNER: u32 = WIDTH - 2 * MARGIN;
/// Code 128 wants 10 modules of white each side of the bars.
const QUIET_MODULES: u32 = 10;
/// The bin's words: as large as fits, up to this size for a short word on one line...
const BIN_SIZE: u32 = 200;
/// ...and this for words set on two lines.
const BIN_TWO_LINE_SIZE: u32 = 160;
/// Where the bin's words may go: between the rules at 92 and 480.
const BIN_TOP: u32 = 110;
const BIN_HEIGHT: u32 = 360;
/// The bars' height: about 23 mm.
const BAR_HEIGHT: u32 = 190;
/// Lines of units listed; a package with more SKUs in one bin lists the first ones and how many more.
const UNIT_LINES: usize = 5;

/// How a line of type sits in its box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Centre,
    Right,
}

/// One thing drawn on the label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Element {
    /// A line of type in a box `width` dots wide from `x`; `y` is the top of the line and `size` its em in
    /// dots (already fitted to the box).
    Text { x: u32, y: u32, width: u32, size: u32, align: Align, text: String },
    /// A black rectangle (the rules).
    Rect { x: u32, y: u32, width: u32, height: u32 },
    /// A Code 128 barcode of `data`, code set B: its modules (1 dark) start at `x`, `module` dots each.
    Barcode { x: u32, y: u32, module: u32, height: u32, data: String, modules: Vec<u8> },
}

/// A label's elements, drawn in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub elements: Vec<Element>,
}

/// Lays out one label.
pub fn layout(label: &BinLabel) -> Result<Layout, BarcodeError> {
    let mut elements = Vec::new();
    let text = |x, y, width, size, align, words: String| Element::Text {
        x,
        y,
        width,
        size: fit(&words, size, width),
        align,
        text: words,
    };
    let rule = |y| Element::Rect { x: MARGIN, y, width: INNER, height: 4 };

    // Whose and when, small, across the top.
    elements.push(text(MARGIN, MARGIN, 500, 44, Align::Left, label.merchant.clone()));
    elements.push(text(WIDTH - MARGIN - 240, MARGIN, 240, 44, Align::Right, label.decided_on.to_string()));
    elements.push(rule(92));

    // The bin, as large as fits.
    let lines = bin_lines(label.bin.words());
    match lines.as_slice() {
        [one] => {
            let size = fit(one, BIN_SIZE, INNER);
            elements.push(text(MARGIN, BIN_TOP + (BIN_HEIGHT - size) / 2, INNER, size, Align::Centre, one.clone()));
        }
        lines => {
            let size = lines.iter().map(|line| fit(line, BIN_TWO_LINE_SIZE, INNER)).min().unwrap_or(BIN_TWO_LINE_SIZE);
            let gap = size / 6;
            let total = size * lines.len() as u32 + gap * (lines.len() as u32 - 1);
            let mut y = BIN_TOP + BIN_HEIGHT.saturating_sub(total) / 2;
            for line in lines {
                elements.push(text(MARGIN, y, INNER, size, Align::Centre, line.clone()));
                y += size + gap;
            }
        }
    }
    elements.push(rule(480));

    // The package's number as Code 128, centred with its quiet zones, and in type below.
    let modules = code128_modules(&label.number)?;
    let count = modules.len() as u32;
    // The widest module that fits with its quiet zones; 3 dots (0.375 mm) for a typical RMA number.
    let module = (1..=4).rev().find(|m| (count + 2 * QUIET_MODULES) * m <= INNER).unwrap_or(1);
    let x = WIDTH.saturating_sub(count * module) / 2;
    elements.push(Element::Barcode { x, y: 505, module, height: BAR_HEIGHT, data: label.number.clone(), modules });
    elements.push(text(MARGIN, 712, INNER, 60, Align::Centre, label.number.clone()));
    elements.push(rule(792));

    // What goes in this bin.
    let shown = if label.units.len() > UNIT_LINES { UNIT_LINES - 1 } else { label.units.len() };
    let mut y = 815;
    for (sku, count) in &label.units[..shown] {
        elements.push(text(MARGIN, y, INNER, 44, Align::Left, format!("{count} x {sku}")));
        y += 54;
    }
    if shown < label.units.len() {
        let more = label.units.len() - shown;
        elements.push(text(MARGIN, y, INNER, 44, Align::Left, format!("+ {more} more SKUs: see the package's record")));
    }

    // The package and the decision, small, at the foot.
    let order = format!("order {} | package #{}", label.order_number, label.package_id);
    elements.push(text(MARGIN, 1110, INNER, 32, Align::Left, order));
    let decided = format!(
        "{}, {} | {} | label {} of {}",
        label.verdict,
        label.disposition.as_str().replace('_', " "),
        label.station,
        label.index,
        label.count
    );
    elements.push(text(MARGIN, 1152, INNER, 32, Align::Left, decided));
    Ok(Layout { elements })
}

/// The bin's words on as few lines as fit at a readable size: one word per label but RETURN TO CUSTOMER,
/// which is set on two lines split where the longer line is shortest.
fn bin_lines(words: &str) -> Vec<String> {
    if fit(words, BIN_SIZE, INNER) >= BIN_TWO_LINE_SIZE || !words.contains(' ') {
        return vec![words.to_owned()];
    }
    let spaces = words.match_indices(' ').map(|(i, _)| i);
    let best = spaces.min_by_key(|&i| units(&words[..i]).max(units(&words[i + 1..])));
    match best {
        Some(i) => vec![words[..i].to_owned(), words[i + 1..].to_owned()],
        None => vec![words.to_owned()],
    }
}

/// The largest size up to `size` at which `text` fits `width` dots.
pub fn fit(text: &str, size: u32, width: u32) -> u32 {
    match (width * 1000).checked_div(units(text)) {
        Some(fits) => size.min(fits).max(1),
        None => size,
    }
}

/// The width of `text` in Helvetica-Bold, in thousandths of the em.
pub fn units(text: &str) -> u32 {
    text.chars().map(helvetica_bold_width).sum()
}

/// Helvetica-Bold's advance widths (Adobe's AFM, thousandths of the em) for printable ASCII; anything else
/// is set as a Latin-1 letter or `?`, about as wide as a capital.
pub fn helvetica_bold_width(c: char) -> u32 {
    const ASCII: [u32; 95] = [
        278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, // space to /
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, // 0 to ?
        975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, // @ to O
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, // P to _
        333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, // ` to o
        611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, // p to ~
    ];
    let code = c as u32;
    match code {
        32..=126 => ASCII[(code - 32) as usize],
        _ => 611,
    }
}
