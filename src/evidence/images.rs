//! The photos of an evidence packet as PDF image streams, and how each is turned upright: a JPEG's own
//! bytes (DCTDecode, so its printed SHA-256 is the stream's), a PNG decoded and compressed losslessly with
//! its alpha as a soft mask, or the reason a photo cannot be carried. Pure: bytes in, streams out.

use std::borrow::Cow;
use std::collections::BTreeMap;

use image::DynamicImage;
use miniz_oxide::deflate::compress_to_vec_zlib;
use pdf_writer::Filter;

use crate::evidence::EvidencePacket;
use crate::photos::decode::{DecodeLimits, JpegColour, jpeg_header, png_pixels, sniff};

/// The PDF's placement of an image's unit square that turns the stored picture upright by its EXIF
/// orientation (1..=8; anything else is taken as 1): `[a b c d e f]` maps the image's unit square onto the
/// upright picture's unit square. Scaling and moving it onto the page is a second matrix.
pub fn orientation_matrix(orientation: Option<u8>) -> [f32; 6] {
    match orientation {
        Some(2) => [-1.0, 0.0, 0.0, 1.0, 1.0, 0.0],
        Some(3) => [-1.0, 0.0, 0.0, -1.0, 1.0, 1.0],
        Some(4) => [1.0, 0.0, 0.0, -1.0, 0.0, 1.0],
        Some(5) => [0.0, -1.0, -1.0, 0.0, 1.0, 1.0],
        Some(6) => [0.0, -1.0, 1.0, 0.0, 0.0, 1.0],
        Some(7) => [0.0, 1.0, 1.0, 0.0, 0.0, 0.0],
        Some(8) => [0.0, 1.0, -1.0, 0.0, 1.0, 0.0],
        _ => [1.0, 0.0, 0.0, 1.0, 0.0, 0.0],
    }
}

/// Whether the orientation turns the picture a quarter (its upright width is its stored height).
pub(super) fn quarter_turn(orientation: Option<u8>) -> bool {
    matches!(orientation, Some(5..=8))
}

/// An image stream ready to embed: a JPEG's bytes borrowed from the packet, a PNG's pixels compressed.
pub(super) struct ImageStream<'a> {
    pub(super) data: Cow<'a, [u8]>,
    pub(super) filter: Filter,
    pub(super) width: u32,
    pub(super) height: u32,
    pub(super) colour: ColourSpace,
    pub(super) bits: i32,
    /// CMYK JPEGs from Adobe's programs store their inks inverted.
    pub(super) inverted: bool,
    /// A PNG's alpha channel, Flate-compressed, as wide and tall as the picture.
    pub(super) alpha: Option<Vec<u8>>,
}

#[derive(Clone, Copy)]
pub(super) enum ColourSpace {
    Gray,
    Rgb,
    Cmyk,
}

/// Each photo's image stream by SHA-256, or why the PDF cannot carry it.
pub(super) type Images<'a> = BTreeMap<String, Result<ImageStream<'a>, String>>;

/// Each photo's image stream by SHA-256 (a photo at two checkpoints is embedded once), or why it cannot be.
pub(super) fn prepare_images(packet: &EvidencePacket) -> Images<'_> {
    let limits = DecodeLimits::default();
    let mut images = BTreeMap::new();
    for photo in &packet.record.photos {
        let sha256 = &photo.photo.sha256;
        if images.contains_key(sha256) {
            continue;
        }
        let stream = match packet.originals.get(sha256) {
            Some(bytes) => image_stream(bytes, &limits),
            None => Err("its original was not supplied to the packet".to_owned()),
        };
        images.insert(sha256.clone(), stream);
    }
    images
}

fn image_stream<'a>(bytes: &'a [u8], limits: &DecodeLimits) -> Result<ImageStream<'a>, String> {
    match sniff(bytes).map_err(|e| e.to_string())? {
        crate::photos::decode::PhotoFormat::Jpeg => {
            let (width, height, colour) = jpeg_header(bytes, limits).map_err(|e| e.to_string())?;
            let (colour, inverted) = match colour {
                JpegColour::Gray => (ColourSpace::Gray, false),
                JpegColour::Rgb => (ColourSpace::Rgb, false),
                JpegColour::Cmyk => (ColourSpace::Cmyk, true),
                JpegColour::DeepGray => {
                    return Err("it is a JPEG of more than 8 bits per sample, which a PDF cannot carry as it is".into());
                }
            };
            Ok(ImageStream {
                data: Cow::Borrowed(bytes),
                filter: Filter::DctDecode,
                width,
                height,
                colour,
                bits: 8,
                inverted,
                alpha: None,
            })
        }
        crate::photos::decode::PhotoFormat::Png => png_stream(png_pixels(bytes, limits).map_err(|e| e.to_string())?),
    }
}

/// A PNG's pixels as they are: 8 or 16 bits, grey or colour, alpha apart. Nothing is rounded or dropped.
fn png_stream(image: DynamicImage) -> Result<ImageStream<'static>, String> {
    let (width, height) = (image.width(), image.height());
    let sixteen = |samples: &[u16]| samples.iter().flat_map(|s| s.to_be_bytes()).collect::<Vec<u8>>();
    // (colour samples, alpha samples, colour space, bits)
    let (samples, alpha, colour, bits): (Vec<u8>, Option<Vec<u8>>, ColourSpace, i32) = match image {
        DynamicImage::ImageLuma8(pixels) => (pixels.into_raw(), None, ColourSpace::Gray, 8),
        DynamicImage::ImageRgb8(pixels) => (pixels.into_raw(), None, ColourSpace::Rgb, 8),
        DynamicImage::ImageLumaA8(pixels) => {
            let raw = pixels.into_raw();
            (
                raw.iter().step_by(2).copied().collect(),
                Some(raw.iter().skip(1).step_by(2).copied().collect()),
                ColourSpace::Gray,
                8,
            )
        }
        DynamicImage::ImageRgba8(pixels) => {
            let raw = pixels.into_raw();
            let colour = raw.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
            let alpha = raw.chunks_exact(4).map(|p| p[3]).collect();
            (colour, Some(alpha), ColourSpace::Rgb, 8)
        }
        DynamicImage::ImageLuma16(pixels) => (sixteen(&pixels.into_raw()), None, ColourSpace::Gray, 16),
        DynamicImage::ImageRgb16(pixels) => (sixteen(&pixels.into_raw()), None, ColourSpace::Rgb, 16),
        DynamicImage::ImageLumaA16(pixels) => {
            let raw = pixels.into_raw();
            let grey: Vec<u16> = raw.iter().step_by(2).copied().collect();
            let alpha: Vec<u16> = raw.iter().skip(1).step_by(2).copied().collect();
            (sixteen(&grey), Some(sixteen(&alpha)), ColourSpace::Gray, 16)
        }
        DynamicImage::ImageRgba16(pixels) => {
            let raw = pixels.into_raw();
            let colour: Vec<u16> = raw.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
            let alpha: Vec<u16> = raw.chunks_exact(4).map(|p| p[3]).collect();
            (sixteen(&colour), Some(sixteen(&alpha)), ColourSpace::Rgb, 16)
        }
        other => return Err(format!("its pixels are {:?}, which the packet does not embed", other.color())),
    };
    let level = miniz_oxide::deflate::CompressionLevel::DefaultLevel as u8;
    Ok(ImageStream {
        data: Cow::Owned(compress_to_vec_zlib(&samples, level)),
        filter: Filter::FlateDecode,
        width,
        height,
        colour,
        bits,
        inverted: false,
        alpha: alpha.map(|alpha| compress_to_vec_zlib(&alpha, level)),
    })
}
