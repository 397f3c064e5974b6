//! Photo pixels: thumbnails and previews of JPEG and PNG photos, turned upright by their EXIF
//! orientation, with limits so that a hostile file cannot exhaust memory.
//!
//! JPEGs are decoded at 1/2, 1/4 or 1/8 scale in the DCT domain when only a smaller picture is wanted
//! (`jpeg-decoder`'s `scale`), so a 256-pixel thumbnail of a 12-megapixel photo never decodes 12
//! million pixels; the last step to the exact size is an area-averaging reduction. PNGs are decoded
//! whole by `image`. HEIC and HEIF files (iPhones by default) are recognised by their `ftyp` brand and
//! refused with a message saying how to set the phone to JPEG. A damaged, truncated or oversized file
//! is an error with a message for the operator, never a panic: the decoders run under `catch_unwind`
//! as a last guard so the photo worker survives a decoder bug.
//!
//! This module does not read EXIF (the caller passes the orientation), touch files or threads: it
//! turns bytes into pixels.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, GrayImage, ImageBuffer, ImageDecoder, ImageFormat, ImageReader, Luma, RgbImage};

/// The long edge of a thumbnail, in pixels.
pub const THUMBNAIL_EDGE: u32 = 256;

/// The long edge of a preview (the full photo on screen, with zoom), in pixels.
pub const PREVIEW_EDGE: u32 = 2048;

/// What the station decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoFormat {
    Jpeg,
    Png,
}

impl PhotoFormat {
    pub fn name(self) -> &'static str {
        match self {
            PhotoFormat::Jpeg => "JPEG",
            PhotoFormat::Png => "PNG",
        }
    }
}

/// Bounds on what a photo may make the decoder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    /// The largest photo, in pixels (width × height), that is decoded at all.
    pub max_pixels: u64,
    /// The most memory, in bytes, that one decode may allocate for its buffers.
    pub max_alloc: u64,
}

impl Default for DecodeLimits {
    /// 100 megapixels (the largest camera sensors a bench meets are about 60) and 1 GiB of buffers.
    fn default() -> DecodeLimits {
        DecodeLimits { max_pixels: 100_000_000, max_alloc: 1 << 30 }
    }
}

/// Pixels ready to show: 8-bit RGBA, row by row, `width * height * 4` bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct RgbaPicture {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

impl std::fmt::Debug for RgbaPicture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RgbaPicture({}×{})", self.width, self.height)
    }
}

/// A decoded picture and the photo it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub format: PhotoFormat,
    /// The photo's own pixel size as stored in the file (before the orientation is applied).
    pub width: u32,
    pub height: u32,
    /// The picture, upright and fitted inside the requested long edge (never enlarged).
    pub picture: RgbaPicture,
}

/// Why a photo could not be decoded; each message says what the operator can do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error(
        "this photo is HEIC (the iPhone's \"High Efficiency\" format), which the station does not read; on the \
         iPhone choose Settings > Camera > Formats > \"Most Compatible\" so it takes JPEG photos, or send the photo \
         as JPEG"
    )]
    Heic,
    #[error("this file is {what}, not a JPEG or PNG photo; the station takes JPEG and PNG photos")]
    Unsupported { what: String },
    #[error(
        "this photo is {width} × {height} pixels ({} megapixels), more than the station decodes ({} megapixels); \
         it may be damaged or made to exhaust memory",
        pixels(*width, *height) / 1_000_000,
        max_pixels / 1_000_000
    )]
    TooLarge { width: u32, height: u32, max_pixels: u64 },
    #[error("this {} photo is damaged and cannot be shown ({detail}); take or copy the photo again", format.name())]
    Damaged { format: PhotoFormat, detail: String },
    #[error("this {} photo needs more memory to decode than the station allows ({detail})", format.name())]
    OutOfBudget { format: PhotoFormat, detail: String },
    #[error("the {} decoder failed on this photo; it cannot be shown", format.name())]
    DecoderFailed { format: PhotoFormat },
}

fn pixels(width: u32, height: u32) -> u64 {
    u64::from(width) * u64::from(height)
}

/// Recognises a photo by its first bytes, refusing HEIC with its own message.
pub fn sniff(bytes: &[u8]) -> Result<PhotoFormat, DecodeError> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(PhotoFormat::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(PhotoFormat::Png);
    }
    if let Some(brands) = ftyp_brands(bytes) {
        const AVIF: [&[u8; 4]; 2] = [b"avif", b"avis"];
        const HEIF: [&[u8; 4]; 11] =
            [b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1", b"mif2"];
        if brands.iter().any(|b| AVIF.contains(b)) {
            return Err(DecodeError::Unsupported { what: "an AVIF image".into() });
        }
        if brands.iter().any(|b| HEIF.contains(b)) {
            return Err(DecodeError::Heic);
        }
        return Err(DecodeError::Unsupported { what: "a video or other ISO media file".into() });
    }
    let what = if bytes.is_empty() {
        "empty"
    } else if bytes.starts_with(b"GIF8") {
        "a GIF image"
    } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        "a WebP image"
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        "a TIFF or camera RAW file"
    } else if bytes.starts_with(b"BM") {
        "a BMP image"
    } else if bytes.starts_with(b"%PDF") {
        "a PDF document"
    } else {
        "of a kind the station does not know"
    };
    Err(DecodeError::Unsupported { what: what.into() })
}

fn brand(bytes: &[u8]) -> Option<&[u8; 4]> {
    bytes.try_into().ok()
}

/// The brands of an ISO media file's leading `ftyp` box (major brand, then compatible brands).
fn ftyp_brands(bytes: &[u8]) -> Option<Vec<&[u8; 4]>> {
    if bytes.get(4..8) != Some(b"ftyp") {
        return None;
    }
    let declared = usize::try_from(u32::from_be_bytes(bytes.get(0..4)?.try_into().ok()?)).ok()?;
    let end = declared.min(bytes.len()).min(4096);
    let mut brands: Vec<&[u8; 4]> = Vec::new();
    brands.extend(bytes.get(8..12).and_then(brand));
    if end > 16 {
        brands.extend(bytes[16..end].chunks_exact(4).filter_map(brand));
    }
    Some(brands)
}

/// The photo's format and stored pixel size from its header alone, checked against the limits.
pub fn dimensions(bytes: &[u8], limits: &DecodeLimits) -> Result<(PhotoFormat, u32, u32), DecodeError> {
    let format = sniff(bytes)?;
    guarded(format, || {
        let (width, height) = match format {
            PhotoFormat::Jpeg => {
                let mut decoder = jpeg_decoder(bytes, limits);
                decoder.read_info().map_err(jpeg_error)?;
                let info = decoder.info().ok_or_else(|| damaged(format, "no image header"))?;
                (u32::from(info.width), u32::from(info.height))
            }
            PhotoFormat::Png => png_decoder(bytes, limits)?.dimensions(),
        };
        check_size(format, width, height, limits)?;
        Ok((format, width, height))
    })
}

/// How a JPEG's samples are coded, for a container that carries the JPEG as it is (a PDF's DCTDecode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JpegColour {
    /// One 8-bit component.
    Gray,
    /// Three 8-bit components (YCbCr, as cameras write them, or RGB).
    Rgb,
    /// Four 8-bit components, as Adobe's programs write them (inverted).
    Cmyk,
    /// One component of more than 8 bits (12-bit or lossless JPEG).
    DeepGray,
}

/// A JPEG's stored pixel size and colour coding, from its header alone, checked against the limits.
pub fn jpeg_header(bytes: &[u8], limits: &DecodeLimits) -> Result<(u32, u32, JpegColour), DecodeError> {
    let format = PhotoFormat::Jpeg;
    if sniff(bytes)? != format {
        return Err(DecodeError::Unsupported { what: "a PNG photo, not a JPEG".into() });
    }
    guarded(format, || {
        let mut decoder = jpeg_decoder(bytes, limits);
        decoder.read_info().map_err(jpeg_error)?;
        let info = decoder.info().ok_or_else(|| damaged(format, "no image header"))?;
        let (width, height) = (u32::from(info.width), u32::from(info.height));
        check_size(format, width, height, limits)?;
        let colour = match info.pixel_format {
            jpeg_decoder::PixelFormat::L8 => JpegColour::Gray,
            jpeg_decoder::PixelFormat::L16 => JpegColour::DeepGray,
            jpeg_decoder::PixelFormat::RGB24 => JpegColour::Rgb,
            jpeg_decoder::PixelFormat::CMYK32 => JpegColour::Cmyk,
        };
        Ok((width, height, colour))
    })
}

/// A PNG photo's pixels, whole and as stored (no orientation applied), within the limits.
pub fn png_pixels(bytes: &[u8], limits: &DecodeLimits) -> Result<DynamicImage, DecodeError> {
    let format = sniff(bytes)?;
    if format != PhotoFormat::Png {
        return Err(DecodeError::Unsupported { what: "a JPEG photo, not a PNG".into() });
    }
    guarded(format, || decode_png(bytes, limits).map(|(_, _, image)| image))
}

/// Decodes the photo into a picture whose long edge is at most `long_edge`, upright by `orientation`.
pub fn render(
    bytes: &[u8],
    long_edge: u32,
    orientation: Orientation,
    limits: &DecodeLimits,
) -> Result<Rendered, DecodeError> {
    let format = sniff(bytes)?;
    let (width, height, image) = guarded(format, || match format {
        PhotoFormat::Jpeg => decode_jpeg(bytes, long_edge, limits),
        PhotoFormat::Png => decode_png(bytes, limits),
    })?;
    let (fit_width, fit_height) = fit(width, height, long_edge);
    let mut image = if (image.width(), image.height()) == (fit_width, fit_height) {
        image
    } else if image.width() >= fit_width && image.height() >= fit_height {
        // Area averaging: every source pixel counts, so a reduction does not alias.
        image.thumbnail_exact(fit_width, fit_height)
    } else {
        // A scaled JPEG a pixel short of the target on one side, after rounding.
        image.resize_exact(fit_width, fit_height, FilterType::Triangle)
    };
    // Turning the small picture is cheap; the long edge is the same either way round.
    image.apply_orientation(orientation);
    let rgba = image.into_rgba8();
    let picture = RgbaPicture { width: rgba.width(), height: rgba.height(), rgba: rgba.into_raw() };
    Ok(Rendered { format, width, height, picture })
}

/// The size that fits `width × height` inside a square of `long_edge`, keeping the aspect ratio and
/// never enlarging; each side is at least one pixel.
pub fn fit(width: u32, height: u32, long_edge: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= long_edge || long == 0 {
        return (width, height);
    }
    let scaled = |side: u32| {
        let side = (u64::from(side) * u64::from(long_edge) + u64::from(long) / 2) / u64::from(long);
        u32::try_from(side).unwrap_or(long_edge).max(1)
    };
    (scaled(width), scaled(height))
}

/// Whether a JPEG or PNG file has its end marker, i.e. is not still being written or cut short.
/// Other kinds of file have no marker that is checked here and count as complete.
pub fn is_complete(bytes: &[u8]) -> bool {
    match sniff(bytes) {
        Ok(PhotoFormat::Jpeg) => {
            // Some cameras pad the file after the end-of-image marker.
            let end = bytes.iter().rposition(|&b| b != 0x00).map_or(0, |i| i + 1);
            bytes[..end].ends_with(&[0xFF, 0xD9])
        }
        Ok(PhotoFormat::Png) => bytes.ends_with(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82]),
        Err(_) => true,
    }
}

fn check_size(format: PhotoFormat, width: u32, height: u32, limits: &DecodeLimits) -> Result<(), DecodeError> {
    if width == 0 || height == 0 {
        return Err(damaged(format, "its header gives it no pixels"));
    }
    if pixels(width, height) > limits.max_pixels {
        return Err(DecodeError::TooLarge { width, height, max_pixels: limits.max_pixels });
    }
    Ok(())
}

/// Runs a decoder, turning a panic inside it into an error.
fn guarded<T>(format: PhotoFormat, decode: impl FnOnce() -> Result<T, DecodeError>) -> Result<T, DecodeError> {
    catch_unwind(AssertUnwindSafe(decode)).unwrap_or(Err(DecodeError::DecoderFailed { format }))
}

fn damaged(format: PhotoFormat, detail: impl Into<String>) -> DecodeError {
    DecodeError::Damaged { format, detail: detail.into() }
}

fn jpeg_decoder<'a>(bytes: &'a [u8], limits: &DecodeLimits) -> jpeg_decoder::Decoder<Cursor<&'a [u8]>> {
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.set_max_decoding_buffer_size(usize::try_from(limits.max_alloc).unwrap_or(usize::MAX));
    decoder
}

fn jpeg_error(error: jpeg_decoder::Error) -> DecodeError {
    let format = PhotoFormat::Jpeg;
    match error {
        jpeg_decoder::Error::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            damaged(format, "the file is cut short (truncated)")
        }
        jpeg_decoder::Error::Format(detail) if detail.contains("maximum") => {
            DecodeError::OutOfBudget { format, detail }
        }
        jpeg_decoder::Error::Format(detail) => damaged(format, detail),
        jpeg_decoder::Error::Unsupported(feature) => {
            damaged(format, format!("it uses a JPEG feature the station cannot decode ({feature:?})"))
        }
        other => damaged(format, other.to_string()),
    }
}

/// Decodes a JPEG at the smallest DCT scale (1, 1/2, 1/4, 1/8) that still covers `long_edge`.
fn decode_jpeg(bytes: &[u8], long_edge: u32, limits: &DecodeLimits) -> Result<(u32, u32, DynamicImage), DecodeError> {
    let format = PhotoFormat::Jpeg;
    let mut decoder = jpeg_decoder(bytes, limits);
    decoder.read_info().map_err(jpeg_error)?;
    let info = decoder.info().ok_or_else(|| damaged(format, "no image header"))?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    check_size(format, width, height, limits)?;
    let (fit_width, fit_height) = fit(width, height, long_edge);
    // Both fit within the photo's own u16 sides.
    let request = |side: u32| u16::try_from(side).unwrap_or(u16::MAX);
    decoder.scale(request(fit_width), request(fit_height)).map_err(jpeg_error)?;
    let data = decoder.decode().map_err(jpeg_error)?;
    let info = decoder.info().ok_or_else(|| damaged(format, "no image header"))?;
    let (out_width, out_height) = (u32::from(info.width), u32::from(info.height));
    let short = || damaged(format, "the decoder returned fewer pixels than the header promised");
    let image = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 => {
            DynamicImage::ImageLuma8(GrayImage::from_raw(out_width, out_height, data).ok_or_else(short)?)
        }
        jpeg_decoder::PixelFormat::L16 => {
            let samples: Vec<u16> = data.chunks_exact(2).map(|b| u16::from_ne_bytes([b[0], b[1]])).collect();
            let image: ImageBuffer<Luma<u16>, Vec<u16>> =
                ImageBuffer::from_raw(out_width, out_height, samples).ok_or_else(short)?;
            DynamicImage::ImageLuma16(image)
        }
        jpeg_decoder::PixelFormat::RGB24 => {
            DynamicImage::ImageRgb8(RgbImage::from_raw(out_width, out_height, data).ok_or_else(short)?)
        }
        jpeg_decoder::PixelFormat::CMYK32 => {
            DynamicImage::ImageRgb8(RgbImage::from_raw(out_width, out_height, cmyk_to_rgb(&data)).ok_or_else(short)?)
        }
    };
    Ok((width, height, image))
}

/// CMYK (as jpeg-decoder gives it, Adobe's inversion undone) to RGB, in integers.
fn cmyk_to_rgb(cmyk: &[u8]) -> Vec<u8> {
    let mut rgb = Vec::with_capacity(cmyk.len() / 4 * 3);
    for pixel in cmyk.chunks_exact(4) {
        let k = 255 - u16::from(pixel[3]);
        for &ink in &pixel[..3] {
            let channel = (255 - u16::from(ink)) * k / 255;
            rgb.push(u8::try_from(channel).unwrap_or(u8::MAX));
        }
    }
    rgb
}

/// The memory budget for `image`; the pixel limit is checked by [`check_size`] once the header is read,
/// so that an oversized photo gets the same message whatever its format.
fn image_limits(limits: &DecodeLimits) -> image::Limits {
    let mut image_limits = image::Limits::default();
    image_limits.max_alloc = Some(limits.max_alloc);
    image_limits
}

fn png_error(error: image::ImageError) -> DecodeError {
    let format = PhotoFormat::Png;
    match error {
        image::ImageError::Limits(limit) => DecodeError::OutOfBudget { format, detail: limit.to_string() },
        image::ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            damaged(format, "the file is cut short (truncated)")
        }
        other => damaged(format, other.to_string()),
    }
}

fn png_decoder<'a>(bytes: &'a [u8], limits: &DecodeLimits) -> Result<impl ImageDecoder + 'a, DecodeError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), ImageFormat::Png);
    reader.limits(image_limits(limits));
    reader.into_decoder().map_err(png_error)
}

fn decode_png(bytes: &[u8], limits: &DecodeLimits) -> Result<(u32, u32, DynamicImage), DecodeError> {
    let format = PhotoFormat::Png;
    let decoder = png_decoder(bytes, limits)?;
    let (width, height) = decoder.dimensions();
    check_size(format, width, height, limits)?;
    let image = DynamicImage::from_decoder(decoder).map_err(png_error)?;
    Ok((width, height, image))
}
