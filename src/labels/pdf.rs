//! Bin labels as PDF for an ordinary printer: one 4 × 6 inch page per label, printed at actual size.
//!
//! Each page's drawing is scaled once from points to the layout's printer dots (72/203), so every
//! position is the layout's whole number. Rules and the barcode's bars are filled rectangles; type is
//! Helvetica-Bold, one of the base-14 fonts every PDF reader has, so nothing is embedded. It is set in
//! WinAnsi encoding: Latin-1 letters print as themselves, anything else as `?`.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

use crate::labels::barcode::bars;
use crate::labels::layout::{Align, Element, HEIGHT, helvetica_bold_width, layout};
use crate::labels::{BinLabel, LabelError};

/// The page in points: 4 × 6 inches.
const PAGE_WIDTH: f32 = 288.0;
const PAGE_HEIGHT: f32 = 432.0;
/// One printer dot in points (72 / 203), so the page's drawing is in the layout's dots.
const DOT: f32 = 0.354_679_8;
const FONT: Name<'static> = Name(b"F1");

/// Every label, one page each, in order.
pub fn pdf(labels: &[BinLabel]) -> Result<Vec<u8>, LabelError> {
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let font = Ref::new(3);
    let pages: Vec<(Ref, Ref)> = (0..labels.len() as i32).map(|i| (Ref::new(4 + 2 * i), Ref::new(5 + 2 * i))).collect();
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(pages.iter().map(|(page, _)| *page)).count(labels.len() as i32);
    pdf.type1_font(font).base_font(Name(b"Helvetica-Bold")).encoding_predefined(Name(b"WinAnsiEncoding"));
    for (label, &(page_id, content_id)) in labels.iter().zip(&pages) {
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT)).parent(tree).contents(content_id);
        page.resources().fonts().pair(FONT, font);
        page.finish();
        let content = page_content(label)?;
        pdf.stream(content_id, &content);
    }
    Ok(pdf.finish())
}

/// One label's drawing. PDF's y runs up from the foot of the page; the layout's runs down from the top.
fn page_content(label: &BinLabel) -> Result<Vec<u8>, LabelError> {
    let mut content = Content::new();
    content.transform([DOT, 0.0, 0.0, DOT, 0.0, 0.0]);
    content.set_fill_gray(0.0);
    let up = |y: u32, height: u32| HEIGHT.saturating_sub(y + height) as f32;
    for element in layout(label)?.elements {
        match element {
            Element::Rect { x, y, width, height } => {
                content.rect(x as f32, up(y, height), width as f32, height as f32);
                content.fill_nonzero();
            }
            Element::Barcode { x, y, module, height, modules, .. } => {
                for (start, length) in bars(&modules) {
                    let (start, length) = (start as u32, length as u32);
                    content.rect((x + start * module) as f32, up(y, height), (length * module) as f32, height as f32);
                }
                content.fill_nonzero();
            }
            Element::Text { x, y, width, size, align, text } => {
                let units: u32 = text.chars().map(helvetica_bold_width).sum();
                let set = units * size / 1000;
                let left = match align {
                    Align::Left => x,
                    Align::Centre => x + width.saturating_sub(set) / 2,
                    Align::Right => x + width.saturating_sub(set),
                };
                // The baseline sits 78% of the em below the line's top, as in the picture.
                let baseline = y + size * 78 / 100;
                content.begin_text();
                content.set_font(FONT, size as f32);
                content.next_line(left as f32, up(baseline, 0));
                content.show(Str(&win_ansi(&text)));
                content.end_text();
            }
        }
    }
    Ok(content.finish().into_vec())
}

/// Text in WinAnsi bytes: ASCII and Latin-1 as they are, anything else `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match u8::try_from(u32::from(c)) {
            Ok(byte) if (0x20..0x7f).contains(&byte) || byte >= 0xa0 => byte,
            _ => b'?',
        })
        .collect()
}
