//! Bin labels as pictures: the layout drawn at the printer's 203 dpi (812 × 1218 pixels, grey), for the
//! preview on screen and as PNG for an ordinary printer.
//!
//! The type is egui's own font (Ubuntu, as `epaint_default_fonts` embeds it), made bold by stroking each
//! glyph's outline as well as filling it; the glyphs' outlines come from skrifa and are filled by vello_cpu,
//! the CPU rasterizer epaint draws its glyphs with. The rules and the barcode's bars are whole-dot
//! rectangles, so they come out exactly black and white with no smoothing at their edges. The PNG is encoded
//! by `image`.

use std::io::Cursor;

use skrifa::instance::{LocationRef, Size};
use skrifa::outline::{DrawSettings, OutlinePen};
use skrifa::{FontRef, MetadataProvider};
use vello_cpu::color::palette::css;
use vello_cpu::kurbo::{Affine, BezPath, Rect, Stroke};
use vello_cpu::{Pixmap, RenderContext, Resources};

use crate::labels::layout::{Align, Element, HEIGHT, WIDTH, layout};
use crate::labels::{BinLabel, LabelError};

/// A label as a grey picture, one byte per pixel (0 black, 255 white), row by row.
#[derive(Clone, PartialEq, Eq)]
pub struct LabelPicture {
    pub width: u32,
    pub height: u32,
    pub grey: Vec<u8>,
}

impl std::fmt::Debug for LabelPicture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LabelPicture({}×{})", self.width, self.height)
    }
}

/// A label as PNG bytes.
pub fn png(label: &BinLabel) -> Result<Vec<u8>, LabelError> {
    let picture = picture(label)?;
    let image = image::GrayImage::from_raw(picture.width, picture.height, picture.grey)
        .ok_or_else(|| LabelError::Render("the picture's size does not match its pixels".to_owned()))?;
    let mut bytes = Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png).map_err(|e| LabelError::Render(e.to_string()))?;
    Ok(bytes.into_inner())
}

/// A label at half size (406 × 609), for the screen: a quarter of the pixels to draw and upload, and
/// still sharper than the panel shows it.
pub fn preview(label: &BinLabel) -> Result<LabelPicture, LabelError> {
    draw(label, true)
}

/// A label drawn at full size.
pub fn picture(label: &BinLabel) -> Result<LabelPicture, LabelError> {
    draw(label, false)
}

/// The label drawn at full or half size: the layout's dots scaled once, by the canvas's transform.
fn draw(label: &BinLabel, half: bool) -> Result<LabelPicture, LabelError> {
    let font = FontRef::new(epaint_default_fonts::UBUNTU_LIGHT).map_err(|e| LabelError::Render(e.to_string()))?;
    let (shrink, scale) = if half { (2, Affine::scale(0.5)) } else { (1, Affine::IDENTITY) };
    let (width, height) = (WIDTH / shrink, HEIGHT / shrink);
    // The label's size is a constant that fits u16 (vello's canvas size).
    let mut canvas = RenderContext::new(width as u16, height as u16);
    canvas.set_paint(css::WHITE);
    canvas.fill_rect(&Rect::new(0.0, 0.0, f64::from(width), f64::from(height)));
    canvas.set_paint(css::BLACK);
    canvas.set_transform(scale);
    for element in layout(label)?.elements {
        match element {
            Element::Rect { x, y, width, height } => canvas.fill_rect(&dots(x, y, width, height)),
            Element::Barcode { x, y, module, height, modules, .. } => {
                for (start, length) in crate::labels::barcode::bars(&modules) {
                    let (start, length) = (start as u32, length as u32);
                    canvas.fill_rect(&dots(x + start * module, y, length * module, height));
                }
            }
            Element::Text { x, y, width, size, align, text } => {
                draw_text(&mut canvas, scale, &font, (x, y, width, size), align, &text);
            }
        }
    }
    canvas.flush();
    let mut pixmap = Pixmap::new(width as u16, height as u16);
    canvas.render(&mut pixmap, &mut Resources::new());
    // Black on an opaque white ground: every pixel is grey, so its red channel is its grey.
    let grey = pixmap.data_as_u8_slice().chunks_exact(4).map(|pixel| pixel[0]).collect();
    Ok(LabelPicture { width, height, grey })
}

/// A rectangle of whole dots.
fn dots(x: u32, y: u32, width: u32, height: u32) -> Rect {
    Rect::new(f64::from(x), f64::from(y), f64::from(x + width), f64::from(y + height))
}

/// Sets one line of type in its box: measured with the font's own advances (shrunk further if the layout's
/// Helvetica measure still leaves it too wide for this font), then each glyph filled and stroked.
/// `place` is the line's box and type size in dots, as the layout gives them: x, y, width, size.
#[expect(clippy::float_arithmetic, reason = "glyph outlines and their placement are in fractional pixels")]
fn draw_text(
    canvas: &mut RenderContext,
    scale: Affine,
    font: &FontRef<'_>,
    place: (u32, u32, u32, u32),
    align: Align,
    text: &str,
) {
    let (x, y, width, size) = place;
    let mut em = size as f32;
    let measure = |em: f32| {
        let metrics = font.glyph_metrics(Size::new(em), LocationRef::default());
        let charmap = font.charmap();
        text.chars()
            .map(|c| charmap.map(c).or_else(|| charmap.map('?')).unwrap_or_default())
            .map(|glyph| (glyph, metrics.advance_width(glyph).unwrap_or(em / 2.0) + em * BOLD))
            .collect::<Vec<_>>()
    };
    let mut glyphs = measure(em);
    let total: f32 = glyphs.iter().map(|(_, advance)| advance).sum();
    if total > width as f32 {
        em *= width as f32 / total;
        glyphs = measure(em);
    }
    let total: f32 = glyphs.iter().map(|(_, advance)| advance).sum();
    let mut pen_x = x as f32
        + match align {
            Align::Left => 0.0,
            Align::Centre => (width as f32 - total) / 2.0,
            Align::Right => width as f32 - total,
        };
    // The line's top is `y`; capitals reach about 0.7 em above the baseline.
    let baseline = y as f32 + em * 0.78;
    let outlines = font.outline_glyphs();
    canvas.set_stroke(Stroke::new(f64::from(em * BOLD)));
    for (glyph, advance) in glyphs {
        if let Some(outline) = outlines.get(glyph) {
            let mut pen = PathPen(BezPath::new());
            let settings = DrawSettings::unhinted(Size::new(em), LocationRef::default());
            if outline.draw(settings, &mut pen).is_ok() {
                // Half the stroke sits outside the outline: start it half a stroke in. The font's y runs up.
                let origin = Affine::translate((f64::from(pen_x + em * BOLD / 2.0), f64::from(baseline)));
                canvas.set_transform(scale * origin * Affine::FLIP_Y);
                canvas.fill_path(&pen.0);
                canvas.stroke_path(&pen.0);
            }
        }
        pen_x += advance;
    }
    canvas.set_transform(scale);
}

/// How much bolder than the font's light weight: the stroke's width, as a share of the em.
const BOLD: f32 = 0.06;

/// Collects a glyph's outline as a path, in the font's y-up pixels.
struct PathPen(BezPath);

impl OutlinePen for PathPen {
    fn move_to(&mut self, x: f32, y: f32) {
        self.0.move_to((f64::from(x), f64::from(y)));
    }

    fn line_to(&mut self, x: f32, y: f32) {
        self.0.line_to((f64::from(x), f64::from(y)));
    }

    fn quad_to(&mut self, cx0: f32, cy0: f32, x: f32, y: f32) {
        self.0.quad_to((f64::from(cx0), f64::from(cy0)), (f64::from(x), f64::from(y)));
    }

    fn curve_to(&mut self, cx0: f32, cy0: f32, cx1: f32, cy1: f32, x: f32, y: f32) {
        self.0.curve_to(
            (f64::from(cx0), f64::from(cy0)),
            (f64::from(cx1), f64::from(cy1)),
            (f64::from(x), f64::from(y)),
        );
    }

    fn close(&mut self) {
        self.0.close_path();
    }
}
