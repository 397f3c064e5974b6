//! Bin labels as ZPL II, the language of Zebra thermal printers: one `^XA … ^XZ` format per label, all of a
//! package's labels in one job.
//!
//! Each format sets UTF-8 (`^CI28`), the label's width and length in dots, then draws the layout: type in
//! the printer's scalable font 0 (`^A0`, centred or right-aligned in a one-line `^FB` block), rules as
//! `^GB` boxes, and the barcode as `^BC` Code 128 that the printer encodes itself, started explicitly in
//! code set B (`>:`) as the station's own drawings are, with no interpretation line (the number is set in
//! type under it). Text that holds a ZPL control character (`^`, `~`) or the hex marker `_` is sent with
//! `^FH` and those characters as `_XX` hex; control characters are sent as spaces.

use crate::labels::barcode::BarcodeError;
use crate::labels::layout::{Align, Element, HEIGHT, WIDTH, layout};
use crate::labels::{BinLabel, LabelError};

/// The ZPL of every label, in order.
pub fn zpl(labels: &[BinLabel]) -> Result<String, LabelError> {
    let mut out = String::new();
    for label in labels {
        out.push_str(&format!("^XA\n^CI28\n^PW{WIDTH}\n^LL{HEIGHT}\n^LH0,0\n"));
        for element in layout(label)?.elements {
            match element {
                Element::Text { x, y, width, size, align, text } => {
                    let block = match align {
                        Align::Left => String::new(),
                        Align::Centre => format!("^FB{width},1,0,C"),
                        Align::Right => format!("^FB{width},1,0,R"),
                    };
                    out.push_str(&format!("^FO{x},{y}{block}^A0N,{size},{size}{}^FS\n", field(&text)));
                }
                Element::Rect { x, y, width, height } => {
                    out.push_str(&format!("^FO{x},{y}^GB{width},{height},{}^FS\n", width.min(height)));
                }
                Element::Barcode { x, y, module, height, data, .. } => {
                    out.push_str(&format!(
                        "^FO{x},{y}^BY{module}^BCN,{height},N,N,N^FD>:{}^FS\n",
                        barcode_data(&data)?
                    ));
                }
            }
        }
        out.push_str("^XZ\n");
    }
    Ok(out)
}

/// `^FD` and the text, with `^FH` and hex escapes when the text holds `^`, `~` or `_`.
fn field(text: &str) -> String {
    let text: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if !text.contains(['^', '~', '_']) {
        return format!("^FD{text}");
    }
    let escaped: String = text
        .chars()
        .map(|c| match c {
            '^' | '~' | '_' => format!("_{:02X}", c as u32),
            c => c.to_string(),
        })
        .collect();
    format!("^FH^FD{escaped}")
}

/// The barcode's field data in code set B. `^`, `~` and `>` need ZPL's invocation codes there, and
/// anything outside printable ASCII is not in code set B: such a number is refused rather than printed
/// as a barcode that reads differently from its text.
fn barcode_data(data: &str) -> Result<&str, BarcodeError> {
    match data.chars().find(|c| !(' '..='~').contains(c) || matches!(c, '^' | '~' | '>')) {
        Some(c) => Err(BarcodeError {
            code: data.to_owned(),
            reason: format!("{c:?} cannot be sent to a Zebra printer in a Code 128 field"),
        }),
        None => Ok(data),
    }
}
