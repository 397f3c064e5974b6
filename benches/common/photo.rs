//! The 12-megapixel camera JPEG the photo benches ingest (`photo_ingest`, and `frame_time`'s drop of
//! photos on the window), and distinct copies of it for taking in many photos at once.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::BenchResult;

/// The strength of the Gaussian noise that makes the test photo as big as a real 12 MP camera JPEG
/// (about 4.7 MB at q90, against 1.3 MB for the smooth upscale).
pub const CAMERA_NOISE: &str = "0.7";

/// The 4000 × 3000 q90 test photo in `work`, made once (with Gaussian noise of this strength if given, so
/// the file is as big as a real camera's); and what made it. ImageMagick scales the Jolla phone photo of
/// the test fixtures up and keeps its EXIF, as a camera file has; without ImageMagick the `image` crate
/// makes it, without EXIF or noise.
pub fn twelve_megapixel_photo(work: &Path, noise: Option<&str>) -> BenchResult<(PathBuf, &'static str)> {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/photos/camera/jolla-phone.jpg");
    let suffix = noise.map_or_else(String::new, |n| format!("-noise{n}"));
    let magick = work.join(format!("camera-12mp{suffix}-imagemagick.jpg"));
    let plain = work.join("camera-12mp-image.jpg");
    if magick.exists() {
        return Ok((magick, "ImageMagick"));
    }
    fs::create_dir_all(work)?;
    if which("convert").is_some() {
        let mut convert = Command::new("convert");
        convert.arg(&source).args(["-resize", "4000x3000!"]);
        if let Some(noise) = noise {
            convert.args(["-attenuate", noise, "+noise", "Gaussian"]);
        }
        let status = convert.args(["-quality", "90"]).arg(&magick).status()?;
        if status.success() && magick.exists() {
            return Ok((magick, "ImageMagick"));
        }
    }
    if !plain.exists() {
        let image = image::open(&source)?.resize_exact(4000, 3000, image::imageops::FilterType::Triangle).into_rgb8();
        let mut file = fs::File::create(&plain)?;
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut file, 90).encode_image(&image)?;
    }
    Ok((plain, "the image crate, without EXIF or noise"))
}

/// `count` copies of the JPEG `photo` in `dir` (`photo-01.jpg` …), made once: each has a comment segment
/// (`COM`) of its own after the `APPn` segments (EXIF stays where it was), so each has its own SHA-256 and
/// is a photo of its own to the station, while its pixels and its decoding cost are the original's.
pub fn distinct_copies(photo: &Path, dir: &Path, count: usize) -> BenchResult<Vec<PathBuf>> {
    fs::create_dir_all(dir)?;
    let mut original = None;
    let mut paths = Vec::with_capacity(count);
    for k in 1..=count {
        let path = dir.join(format!("photo-{k:02}.jpg"));
        if !path.exists() {
            let bytes = match original {
                Some(ref bytes) => bytes,
                None => original.insert(fs::read(photo)?),
            };
            let copy = with_comment(bytes, &format!("rma-station bench photo {k} of {count}"))
                .ok_or_else(|| format!("{}: not a JPEG with segments to walk", photo.display()))?;
            // Written under a temporary name first: an interrupted run leaves no cut-short photo behind.
            let partial = dir.join(format!(".photo-{k:02}.partial"));
            fs::write(&partial, copy)?;
            fs::rename(&partial, &path)?;
        }
        paths.push(path);
    }
    Ok(paths)
}

/// The JPEG `bytes` with a comment segment holding `text` inserted after its `APPn` segments.
fn with_comment(bytes: &[u8], text: &str) -> Option<Vec<u8>> {
    if bytes.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut at = 2;
    while let [0xFF, marker, high, low, ..] = *bytes.get(at..)? {
        if !(0xE0..=0xEF).contains(&marker) {
            break;
        }
        at += 2 + usize::from(u16::from_be_bytes([high, low]));
    }
    let length = u16::try_from(text.len() + 2).ok()?;
    let mut out = Vec::with_capacity(bytes.len() + text.len() + 4);
    out.extend_from_slice(bytes.get(..at)?);
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(bytes.get(at..)?);
    Some(out)
}

/// The program's path if it is on `PATH`.
pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(program)).find(|p| p.is_file())
}
