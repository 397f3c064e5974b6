//! Photo evidence (issue 5) with real camera files (`tests/fixtures/photos`, the `exif-samples`
//! collection, CC BY-SA 4.0): orientation, malformed and camera sets, the content-addressed folder and
//! `verify`, decode limits, the hot folder with a slowly written file, and the photo worker.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::sync_channel;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use image::metadata::Orientation;
use rma_station::photos::decode::{self, DecodeError, DecodeLimits, PhotoFormat, RgbaPicture, THUMBNAIL_EDGE};
use rma_station::photos::exif;
use rma_station::photos::hot_folder::{HotFolder, HotFolderEvent, Readiness, ReadyTracker, Settle, is_photo_name};
use rma_station::photos::ingest::{self, IngestError, Ingested};
use rma_station::photos::store::{PhotoCheck, PhotoFolder, PhotoHash};
use rma_station::photos::worker::{PhotoDone, PhotoWork, PhotoWorker, SubmitError};

use crate::support::fixture;

const HEIC_MESSAGE: &str = "this photo is HEIC (the iPhone's \"High Efficiency\" format), which the station does not \
                            read; on the iPhone choose Settings > Camera > Formats > \"Most Compatible\" so it takes \
                            JPEG photos, or send the photo as JPEG";

fn photo(relative: &str) -> Vec<u8> {
    let path = fixture(&format!("photos/{relative}"));
    fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn imported_at() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-21T10:00:00Z").unwrap().with_timezone(&Utc)
}

fn ingest_bytes(folder: &PhotoFolder, bytes: &[u8]) -> Result<Ingested, IngestError> {
    ingest::ingest(folder, bytes, imported_at(), &DecodeLimits::default())
}

/// Every file under a folder, recursively (temporary files included), sorted.
fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    if let Ok(entries) = fs::read_dir(root) {
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.extend(files_under(&path));
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn render(bytes: &[u8], orientation: Orientation) -> RgbaPicture {
    decode::render(bytes, THUMBNAIL_EDGE, orientation, &DecodeLimits::default()).unwrap().picture
}

/// The picture's brightness in a coarse grid of `16 × 16` cells, each cell's mean less the mean of all.
fn coarse(picture: &RgbaPicture) -> Vec<i64> {
    const CELLS: u32 = 16;
    let mut sums = vec![(0u64, 0u64); (CELLS * CELLS) as usize];
    for (i, pixel) in picture.rgba.chunks_exact(4).enumerate() {
        let (x, y) = (i as u32 % picture.width, i as u32 / picture.width);
        let cell = (y * CELLS / picture.height * CELLS + x * CELLS / picture.width) as usize;
        sums[cell].0 += u64::from(pixel[0]) + u64::from(pixel[1]) + u64::from(pixel[2]);
        sums[cell].1 += 3;
    }
    let cells: Vec<i64> = sums.into_iter().map(|(sum, n)| i64::try_from(sum / n.max(1)).unwrap()).collect();
    // Relative to the picture's own mean: `_1` of the set was saved brighter than the others (they
    // carry a colour profile, it does not), and a tone difference is not a turn.
    let mean = cells.iter().sum::<i64>() / i64::try_from(cells.len()).unwrap();
    cells.into_iter().map(|cell| cell - mean).collect()
}

/// How different two pictures of the same size look: the median difference of their coarse cells.
/// The median ignores what differs by design (the test photos carry their orientation number as a
/// big label in the middle) and JPEG noise, and still sees a picture turned or mirrored.
fn difference(a: &RgbaPicture, b: &RgbaPicture) -> u64 {
    assert_eq!((a.width, a.height), (b.width, b.height), "pictures of different sizes");
    let mut differences: Vec<u64> = coarse(a).into_iter().zip(coarse(b)).map(|(x, y)| x.abs_diff(y)).collect();
    differences.sort_unstable();
    differences[differences.len() / 2]
}

// ---------------------------------------------------------------------------------------------------
// Orientation: every one of the 8 EXIF orientations comes out upright and the same way round.

/// Within this difference two thumbnails show the same picture the same way round; every wrong turn or
/// mirror of these photos differs by far more (checked below, so the tolerance cannot hide a wrong turn).
const SAME_PICTURE: u64 = 6;

const ORIENTATIONS: [Orientation; 8] = [
    Orientation::NoTransforms,
    Orientation::FlipHorizontal,
    Orientation::Rotate180,
    Orientation::FlipVertical,
    Orientation::Rotate90FlipH,
    Orientation::Rotate90,
    Orientation::Rotate270FlipH,
    Orientation::Rotate270,
];

#[test]
fn the_orientation_set_comes_out_upright_and_the_same_way_round() {
    for (group, size) in [("landscape", (256, 192)), ("portrait", (192, 256))] {
        let mut upright = Vec::new();
        for n in 1..=8u8 {
            let name = format!("orientation/{group}_{n}.jpg");
            let bytes = photo(&name);
            let metadata = exif::read(&bytes);
            assert_eq!(metadata.orientation_number(), Some(n), "{name}: EXIF orientation");
            // The whole ingest path, as a photo is taken in.
            let folder = tempfile::tempdir().unwrap();
            let thumbnail = ingest_bytes(&PhotoFolder::new(folder.path()), &bytes).unwrap().thumbnail;
            assert_eq!((thumbnail.width, thumbnail.height), size, "{name}: upright size");
            assert_eq!(thumbnail, render(&bytes, metadata.orientation.unwrap()), "{name}: ingest and render agree");
            upright.push((name, bytes, thumbnail));
        }
        // All 8 show the same picture the same way round: every pair is alike.
        for (a_name, _, a) in &upright {
            for (b_name, _, b) in &upright {
                let seen = difference(a, b);
                assert!(seen <= SAME_PICTURE, "{a_name} and {b_name} differ by {seen}");
            }
        }
        // And the comparison has teeth: any other turn of any of them looks different.
        let (_, _, reference) = &upright[0];
        for (name, bytes, _) in &upright {
            let right = exif::read(bytes).orientation.unwrap();
            for wrong in ORIENTATIONS.into_iter().filter(|o| *o != right) {
                let turned = render(bytes, wrong);
                if (turned.width, turned.height) == size {
                    let seen = difference(reference, &turned);
                    assert!(seen > 2 * SAME_PICTURE, "{name} turned {wrong:?} differs only by {seen}");
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// The malformed set: a clear message, or the pixels without metadata; never a panic.

enum Expect {
    /// Refused with this message; nothing is stored.
    Refused(&'static str),
    /// Stored with these pixels and this camera (make, model) from its metadata.
    Pixels { size: (u32, u32), camera: Option<(&'static str, &'static str)> },
}

#[track_caller]
fn check_malformed(name: &str, expect: Expect) {
    let root = tempfile::tempdir().unwrap();
    let folder = PhotoFolder::new(root.path().join("photos"));
    let bytes = photo(&format!("malformed/{name}"));
    match (ingest_bytes(&folder, &bytes), expect) {
        (Err(error), Expect::Refused(message)) => {
            assert_eq!(error.to_string(), message, "{name}");
            assert!(files_under(root.path()).is_empty(), "{name}: a refused photo left files behind");
        }
        (Ok(ingested), Expect::Pixels { size, camera }) => {
            assert_eq!((ingested.width, ingested.height), size, "{name}: pixel size");
            let read = ingested.metadata.make.as_deref().zip(ingested.metadata.model.as_deref());
            assert_eq!(read, camera, "{name}: camera");
            if camera.is_none() {
                let m = &ingested.metadata;
                assert_eq!((m.capture_time, m.orientation, m.exif_pixel_size), (None, None, None), "{name}");
            }
            assert_eq!(folder.verify(&ingested.stored.sha256).unwrap(), PhotoCheck::Ok, "{name}: stored");
            assert_eq!(ingested.thumbnail.width.max(ingested.thumbnail.height), size.0.max(size.1).min(THUMBNAIL_EDGE));
        }
        (Ok(ingested), Expect::Refused(message)) => panic!("{name}: ingested {ingested:?}, expected {message:?}"),
        (Err(error), Expect::Pixels { .. }) => panic!("{name}: refused: {error}"),
    }
}

#[test]
fn the_malformed_set_gives_a_clear_message_or_the_pixels_without_metadata() {
    use Expect::{Pixels, Refused};
    check_malformed(
        "corrupted.jpg",
        Refused(
            "this JPEG photo is damaged and cannot be shown (found marker RES inside scan where RST4 was expected); \
             take or copy the photo again",
        ),
    );
    // EXIF blocks that crashed other readers: read as far as they go.
    check_malformed(
        "exif-35-empty.jpg",
        Pixels { size: (2164, 1626), camera: Some(("CASIO COMPUTER CO.,LTD", "EX-Z750")) },
    );
    check_malformed(
        "exif-36-memory_error.jpg",
        Pixels { size: (1600, 1200), camera: Some(("CASIO COMPUTER CO.,LTD.", "EX-M2")) },
    );
    check_malformed(
        "exif-42_IndexError.jpg",
        Pixels { size: (4032, 3024), camera: Some(("OLYMPUS IMAGING CORP.", "E-P3")) },
    );
    check_malformed(
        "exif-87_OSError.jpg",
        Pixels { size: (1488, 2240), camera: Some(("NIKON CORPORATION", "NIKON D70s")) },
    );
    // An APP1 segment holding XMP where EXIF belongs: the pixels, no metadata.
    for (name, size) in [
        ("invalid-exif-image00971.jpg", (636, 227)),
        ("invalid-exif-image01088.jpg", (425, 120)),
        ("invalid-exif-image01137.jpg", (88, 64)),
        ("invalid-exif-image01551.jpg", (61, 58)),
        ("invalid-exif-image01713.jpg", (49, 500)),
        ("invalid-exif-image01980.jpg", (284, 25)),
        ("invalid-exif-image02206.jpg", (65, 65)),
    ] {
        check_malformed(name, Pixels { size, camera: None });
    }
    // Every file in the set is in the table above.
    let listed = fs::read_dir(fixture("photos/malformed")).unwrap().count();
    assert_eq!(listed, 12);
}

#[test]
fn broken_exif_and_cut_short_photos_say_what_is_wrong() {
    let root = tempfile::tempdir().unwrap();
    let folder = PhotoFolder::new(root.path());
    // The Canon's EXIF with its TIFF byte-order mark destroyed: the pixels, no metadata, a note.
    let mut bytes = photo("camera/Canon_40D.jpg");
    let tiff = bytes.windows(6).position(|w| w == b"Exif\0\0").unwrap() + 6;
    bytes[tiff..tiff + 4].copy_from_slice(b"XX\0*");
    let ingested = ingest_bytes(&folder, &bytes).unwrap();
    assert_eq!((ingested.metadata.make.as_deref(), ingested.metadata.capture_time), (None, None));
    assert_eq!(
        ingested.metadata.note.as_deref(),
        Some("the EXIF metadata is damaged (Invalid TIFF byte order); the photo is kept without it")
    );

    // A phone photo cut in half, as a failed copy leaves it.
    let whole = photo("camera/jolla-phone.jpg");
    let error = ingest_bytes(&folder, &whole[..whole.len() / 2]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "this JPEG photo is damaged and cannot be shown (the file is cut short (truncated)); take or copy the photo again"
    );
    assert!(!decode::is_complete(&whole[..whole.len() / 2]));
    assert!(decode::is_complete(&whole));
}

// ---------------------------------------------------------------------------------------------------
// The camera set: EXIF fields read; the HEIC refused with how to set the phone to JPEG.

#[track_caller]
fn check_camera(name: &str, make: &str, model: &str, taken: &str, size: (u32, u32)) {
    let root = tempfile::tempdir().unwrap();
    let folder = PhotoFolder::new(root.path());
    let ingested = ingest_bytes(&folder, &photo(&format!("camera/{name}"))).unwrap();
    let record = ingested.record();
    assert_eq!(record.make.as_deref(), Some(make), "{name}");
    assert_eq!(record.model.as_deref(), Some(model), "{name}");
    let capture = record.capture_time.unwrap_or_else(|| panic!("{name}: no capture time"));
    assert_eq!(capture.local.to_string(), taken, "{name}");
    assert_eq!((record.width, record.height), size, "{name}");
    assert_eq!(record.orientation, Some(1), "{name}");
    assert_eq!(record.imported_at, imported_at());
    assert_eq!(record.bytes, fs::metadata(fixture(&format!("photos/camera/{name}"))).unwrap().len());
    assert_eq!(record.sha256, PhotoHash::of(&photo(&format!("camera/{name}"))));
}

#[test]
fn the_camera_set_has_its_exif_read() {
    check_camera("Canon_40D.jpg", "Canon", "Canon EOS 40D", "2008-05-30 15:56:01", (100, 68));
    check_camera("Nikon_DSCN0010_gps.jpg", "NIKON", "COOLPIX P6000", "2008-10-22 16:28:39", (640, 480));
    check_camera("jolla-phone.jpg", "Jolla", "Jolla", "2014-09-21 16:00:56", (3264, 2448));
}

#[test]
fn an_iphone_heic_is_refused_with_how_to_set_the_phone_to_jpeg() {
    let root = tempfile::tempdir().unwrap();
    let folder = PhotoFolder::new(root.path());
    let heic = photo("camera/iphone_13_pro_max.heic");
    let error = ingest_bytes(&folder, &heic).unwrap_err();
    assert_eq!(error.to_string(), HEIC_MESSAGE);
    assert!(files_under(root.path()).is_empty(), "a refused HEIC left files behind");
    // Its EXIF is still readable (the reader knows HEIF), should the station one day decode it.
    let metadata = exif::read(&heic);
    assert_eq!((metadata.make.as_deref(), metadata.model.as_deref()), (Some("Apple"), Some("iPhone 13 Pro Max")));
    let capture = metadata.capture_time.unwrap();
    assert_eq!(
        (capture.local.to_string(), capture.offset.map(|o| o.to_string())),
        ("2022-02-16 12:55:41.762".to_owned(), Some("+01:00".to_owned()))
    );
}

#[track_caller]
fn check_sniff(bytes: &[u8], expected: Result<PhotoFormat, &str>) {
    let got = decode::sniff(bytes).map_err(|e| e.to_string());
    assert_eq!(
        got.as_ref().map_err(String::as_str),
        expected.as_ref().map_err(|e| *e),
        "{:?}",
        &bytes[..bytes.len().min(16)]
    );
}

#[test]
fn files_are_recognised_by_their_first_bytes() {
    let ftyp = |major: &[u8; 4], compatible: &[u8]| {
        let mut bytes = vec![0, 0, 0, u8::try_from(16 + compatible.len()).unwrap()];
        bytes.extend_from_slice(b"ftyp");
        bytes.extend_from_slice(major);
        bytes.extend_from_slice(&[0, 0, 0, 0]);
        bytes.extend_from_slice(compatible);
        bytes
    };
    check_sniff(&photo("camera/Canon_40D.jpg"), Ok(PhotoFormat::Jpeg));
    check_sniff(b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", Ok(PhotoFormat::Png));
    check_sniff(&ftyp(b"heic", b"mif1heic"), Err(HEIC_MESSAGE));
    // Some phones write the generic HEIF brand first.
    check_sniff(&ftyp(b"mif1", b"mif1heic"), Err(HEIC_MESSAGE));
    let not_a_photo =
        |what: &str| format!("this file is {what}, not a JPEG or PNG photo; the station takes JPEG and PNG photos");
    check_sniff(&ftyp(b"avif", b"mif1avif"), Err(&not_a_photo("an AVIF image")));
    check_sniff(&ftyp(b"isom", b"isomiso2mp41"), Err(&not_a_photo("a video or other ISO media file")));
    check_sniff(b"GIF89a\x01\0\x01\0", Err(&not_a_photo("a GIF image")));
    check_sniff(b"RIFF\0\0\0\0WEBPVP8 ", Err(&not_a_photo("a WebP image")));
    check_sniff(b"II*\0\x08\0\0\0", Err(&not_a_photo("a TIFF or camera RAW file")));
    check_sniff(b"%PDF-1.7", Err(&not_a_photo("a PDF document")));
    check_sniff(b"", Err(&not_a_photo("empty")));
    check_sniff(b"IMG_0001.JPG", Err(&not_a_photo("of a kind the station does not know")));
}

// ---------------------------------------------------------------------------------------------------
// Decode limits: a hostile header cannot make the station allocate what it claims.

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A PNG that is all header: IHDR claims `width × height` RGBA pixels, one tiny IDAT, IEND.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8; 4], data: &[u8]| {
        png.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        png.extend_from_slice(&body);
        png.extend_from_slice(&crc32(&body).to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(b"IEND", &[]);
    png
}

/// A real JPEG whose frame header is rewritten to claim `width × height`.
fn jpeg_claiming(width: u16, height: u16) -> Vec<u8> {
    let mut jpeg = photo("camera/Canon_40D.jpg");
    // Walk the segments (the EXIF block holds a thumbnail JPEG with its own frame header).
    let mut at = 2;
    while jpeg[at + 1] != 0xC0 {
        at += 2 + usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
    }
    jpeg[at + 5..at + 7].copy_from_slice(&height.to_be_bytes());
    jpeg[at + 7..at + 9].copy_from_slice(&width.to_be_bytes());
    jpeg
}

#[track_caller]
fn check_refused(bytes: &[u8], limits: &DecodeLimits, message: &str) {
    let root = tempfile::tempdir().unwrap();
    let folder = PhotoFolder::new(root.path());
    let error = ingest::ingest(&folder, bytes, imported_at(), limits).unwrap_err();
    assert_eq!(error.to_string(), message);
    assert!(files_under(root.path()).is_empty(), "a refused photo left files behind");
}

#[test]
fn decode_limits_refuse_an_oversized_photo_before_allocating_it() {
    let limits = DecodeLimits::default();
    let too_large = |w: u32, h: u32, mp: u64| {
        format!(
            "this photo is {w} × {h} pixels ({mp} megapixels), more than the station decodes (100 megapixels); it may \
             be damaged or made to exhaust memory"
        )
    };
    check_refused(&png_claiming(100_000, 100_000), &limits, &too_large(100_000, 100_000, 10_000));
    check_refused(&png_claiming(1, 2_000_000_000), &limits, &too_large(1, 2_000_000_000, 2_000));
    check_refused(&jpeg_claiming(65_000, 65_000), &limits, &too_large(65_000, 65_000, 4_225));
    assert!(matches!(
        decode::dimensions(&png_claiming(100_000, 100_000), &limits),
        Err(DecodeError::TooLarge { width: 100_000, height: 100_000, .. })
    ));
    // A photo within the pixel limit but over a tight memory budget.
    let tight = DecodeLimits { max_pixels: 100_000_000, max_alloc: 64 * 1024 };
    check_refused(
        &photo("camera/jolla-phone.jpg"),
        &tight,
        "this JPEG photo needs more memory to decode than the station allows (size of decoded image exceeds maximum \
         allowed size)",
    );
    // A PNG claiming a modest size but carrying no pixels is damaged, not a crash.
    let error = ingest::ingest(
        &PhotoFolder::new(tempfile::tempdir().unwrap().path()),
        &png_claiming(64, 64),
        imported_at(),
        &limits,
    )
    .unwrap_err();
    assert!(error.to_string().starts_with("this PNG photo is damaged and cannot be shown ("), "{error}");
}

#[test]
fn pictures_fit_the_long_edge_without_being_enlarged() {
    #[track_caller]
    fn check(size: (u32, u32), long_edge: u32, expected: (u32, u32)) {
        assert_eq!(decode::fit(size.0, size.1, long_edge), expected, "{size:?} in {long_edge}");
    }
    check((4000, 3000), 256, (256, 192));
    check((3000, 4000), 256, (192, 256));
    check((100, 68), 256, (100, 68));
    check((10_000, 10), 256, (256, 1));
    check((284, 25), 256, (256, 23));
    check((0, 0), 256, (0, 0));
}

// ---------------------------------------------------------------------------------------------------
// The photo folder: content-addressed, once each, verified by rehashing.

#[test]
fn the_same_photo_put_twice_is_stored_once() {
    let root = tempfile::tempdir().unwrap();
    let folder = PhotoFolder::new(root.path().join("photos"));
    let bytes = photo("camera/Nikon_DSCN0010_gps.jpg");
    let first = folder.put(&bytes).unwrap();
    let second = folder.put(&bytes).unwrap();
    assert!(!first.already_had);
    assert!(second.already_had);
    assert_eq!((first.sha256, &first.path, first.bytes), (second.sha256, &second.path, second.bytes));
    let hex = first.sha256.to_hex();
    assert_eq!(first.path, root.path().join("photos").join(&hex[..2]).join(&hex));
    assert_eq!(fs::read(&first.path).unwrap(), bytes, "the original bytes, not re-encoded");
    assert_eq!(files_under(root.path()), vec![first.path.clone()]);
    assert_eq!(folder.list().unwrap(), vec![first.sha256]);
    // Ingesting it again stores nothing new either.
    let again = ingest_bytes(&folder, &bytes).unwrap();
    assert!(again.stored.already_had);
    assert_eq!(files_under(root.path()).len(), 1);
}

#[test]
fn verify_finds_a_photo_with_one_byte_flipped_and_a_photo_deleted() {
    let root = tempfile::tempdir().unwrap();
    let folder = PhotoFolder::new(root.path());
    let kept = folder.put(&photo("camera/Canon_40D.jpg")).unwrap();
    let flipped = folder.put(&photo("camera/Nikon_DSCN0010_gps.jpg")).unwrap();
    let deleted = folder.put(&photo("orientation/landscape_1.jpg")).unwrap();

    // Stored photos are read-only; tampering has to undo that first.
    let mut permissions = fs::metadata(&flipped.path).unwrap().permissions();
    assert!(permissions.readonly());
    #[expect(clippy::permissions_set_readonly_false, reason = "the test tampers with a stored photo on purpose")]
    permissions.set_readonly(false);
    fs::set_permissions(&flipped.path, permissions).unwrap();
    let mut bytes = fs::read(&flipped.path).unwrap();
    bytes[1000] ^= 0x01;
    fs::write(&flipped.path, &bytes).unwrap();
    fs::remove_file(&deleted.path).unwrap();

    #[track_caller]
    fn check(folder: &PhotoFolder, hash: &PhotoHash, expected: PhotoCheck) {
        assert_eq!(folder.verify(hash).unwrap(), expected, "{hash}");
    }
    check(&folder, &kept.sha256, PhotoCheck::Ok);
    check(&folder, &flipped.sha256, PhotoCheck::Altered);
    check(&folder, &deleted.sha256, PhotoCheck::Missing);
    let error = folder.read(&flipped.sha256).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("{}: cannot read the stored photo: its bytes changed since it was stored", flipped.path.display())
    );

    // Putting the originals again repairs both.
    assert!(!folder.put(&photo("camera/Nikon_DSCN0010_gps.jpg")).unwrap().already_had);
    assert!(!folder.put(&photo("orientation/landscape_1.jpg")).unwrap().already_had);
    check(&folder, &flipped.sha256, PhotoCheck::Ok);
    check(&folder, &deleted.sha256, PhotoCheck::Ok);
}

#[test]
fn a_failed_write_says_where_and_leaves_no_partial_file() {
    let root = tempfile::tempdir().unwrap();
    let folder = PhotoFolder::new(root.path());
    let bytes = photo("camera/Canon_40D.jpg");
    // Something that is not the photo sits where the photo must go, so the rename fails.
    let path = folder.path_of(&PhotoHash::of(&bytes));
    fs::create_dir_all(path.join("in-the-way")).unwrap();
    let error = folder.put(&bytes).unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with(&format!("{}: cannot move the written photo into place: ", path.display())),
        "{message}"
    );
    assert!(message.ends_with("; nothing was kept"), "{message}");
    assert_eq!(files_under(root.path()), Vec::<PathBuf>::new(), "a temporary file was left behind");

    // A photo folder that cannot be created (a file is in the way) is a clear error too.
    let blocked = root.path().join("not-a-folder");
    fs::write(&blocked, b"x").unwrap();
    let error = PhotoFolder::new(&blocked).put(&bytes).unwrap_err();
    let shard = blocked.join(&PhotoHash::of(&bytes).to_hex()[..2]);
    assert!(
        error.to_string().starts_with(&format!("{}: cannot create the photo folder: ", shard.display())),
        "{error}"
    );
}

#[test]
fn photo_hashes_are_64_hex_digits_and_nothing_else() {
    #[track_caller]
    fn check(text: &str, ok: bool) {
        assert_eq!(text.parse::<PhotoHash>().is_ok(), ok, "{text:?}");
    }
    let hash = PhotoHash::of(b"photo");
    check(&hash.to_hex(), true);
    check(&hash.to_hex().to_uppercase(), true);
    check(&hash.to_hex()[..63], false);
    check(&format!("{}0", hash.to_hex()), false);
    check(&format!("../{}", &hash.to_hex()[3..]), false);
    check(&format!("/etc/{}", &hash.to_hex()[5..]), false);
    check("", false);
    assert_eq!(hash.to_hex().to_uppercase().parse::<PhotoHash>().unwrap(), hash);
    assert_eq!(
        "zz".parse::<PhotoHash>().unwrap_err().to_string(),
        "\"zz\" is not a photo hash (64 hex digits of a SHA-256)"
    );
}

// ---------------------------------------------------------------------------------------------------
// The hot folder: a file is handed on once complete, never half-written.

#[test]
fn the_hot_folder_decides_readiness_from_two_checks_of_the_same_size() {
    let settle = Settle { interval: Duration::from_millis(300), give_up_after: Duration::from_secs(10) };
    let start = Instant::now();
    let at = |ms: u64| start + Duration::from_millis(ms);
    let path = Path::new("/hot/IMG_0001.JPG");
    let mut tracker = ReadyTracker::new(settle);
    tracker.noticed(path, at(0));

    // (time, size, whole?, expected): "whole" is only consulted once the size has held still.
    let steps: [(u64, Option<u64>, bool, Readiness); 8] = [
        (0, Some(1_000), false, Readiness::Wait),   // first sight
        (100, Some(5_000), false, Readiness::Wait), // growing
        (350, Some(5_000), false, Readiness::Wait), // held only 250 ms
        (450, Some(5_000), false, Readiness::Wait), // held 350 ms, but no end marker yet: a pause in writing
        (500, Some(9_000), false, Readiness::Wait), // growing again
        (600, Some(9_000), true, Readiness::Wait),  // whole but held only 100 ms
        (800, Some(9_000), true, Readiness::Ready), // held 300 ms and whole
        (900, Some(9_000), true, Readiness::Wait),  // handed on once only
    ];
    for (ms, size, whole, expected) in steps {
        assert_eq!(tracker.check(path, size, at(ms), || whole), expected, "at {ms} ms");
    }
    tracker.noticed(path, at(1_000));
    assert!(tracker.pending().is_empty(), "a file handed on is not taken again");
    // Deleted, then a new file of that name: a new photo.
    tracker.removed(path);
    tracker.noticed(path, at(2_000));
    assert_eq!(tracker.pending(), vec![path.to_path_buf()]);

    // A file that stopped growing but never became whole is handed on after `give_up_after`.
    let stuck = Path::new("/hot/IMG_0002.JPG");
    tracker.noticed(stuck, at(0));
    assert_eq!(tracker.check(stuck, Some(7), at(0), || false), Readiness::Wait);
    assert_eq!(tracker.check(stuck, Some(7), at(9_999), || false), Readiness::Wait);
    assert_eq!(tracker.check(stuck, Some(7), at(10_000), || false), Readiness::Ready);
    // An empty file is never ready; a file that vanished is gone.
    let empty = Path::new("/hot/IMG_0003.JPG");
    tracker.noticed(empty, at(0));
    assert_eq!(tracker.check(empty, Some(0), at(0), || true), Readiness::Wait);
    assert_eq!(tracker.check(empty, Some(0), at(60_000), || true), Readiness::Wait);
    assert_eq!(tracker.check(empty, None, at(60_001), || true), Readiness::Gone);
    assert!(!tracker.pending().contains(&empty.to_path_buf()));
    // Files present before watching began are left alone.
    let old = Path::new("/hot/yesterday.jpg");
    tracker.ignore(old.to_path_buf());
    tracker.noticed(old, at(0));
    assert!(!tracker.pending().contains(&old.to_path_buf()));
}

#[test]
fn the_hot_folder_takes_photo_names_only() {
    #[track_caller]
    fn check(name: &str, taken: bool) {
        assert_eq!(is_photo_name(Path::new(name)), taken, "{name}");
    }
    check("/hot/IMG_0001.JPG", true);
    check("/hot/img_0001.jpeg", true);
    check("/hot/scan.png", true);
    check("/hot/IMG_0002.HEIC", true);
    check("/hot/IMG_0001.JPG.part", false);
    check("/hot/.IMG_0001.JPG", false);
    check("/hot/IMG_0001.JPG~", false);
    check("/hot/IMG_0001.tmp", false);
    check("/hot/notes.txt", false);
    check("/hot/", false);
}

#[test]
fn the_hot_folder_hands_on_a_slowly_written_file_only_once_it_is_complete() {
    let hot = tempfile::tempdir().unwrap();
    fs::write(hot.path().join("earlier.jpg"), photo("camera/Canon_40D.jpg")).unwrap();
    let (sender, events) = sync_channel(8);
    let wakes = Arc::new(AtomicUsize::new(0));
    let wake = {
        let wakes = Arc::clone(&wakes);
        Arc::new(move || {
            wakes.fetch_add(1, Ordering::SeqCst);
        })
    };
    // Checks every few ms and a pause between pieces far longer than the interval: size alone would be fooled.
    let settle = Settle { interval: Duration::from_millis(40), give_up_after: Duration::from_secs(30) };
    let watcher = HotFolder::watch(hot.path(), settle, sender, wake).unwrap();

    let bytes = photo("camera/Nikon_DSCN0010_gps.jpg");
    let path = watcher.folder().join("DSCN0010.JPG");
    {
        use std::io::Write as _;
        let mut file = fs::File::create(&path).unwrap();
        for piece in bytes.chunks(bytes.len() / 5 + 1) {
            file.write_all(piece).unwrap();
            file.flush().unwrap();
            std::thread::sleep(Duration::from_millis(150));
        }
    }
    // A partial download is ignored until it is renamed to a photo name.
    let part = watcher.folder().join("IMG_0002.JPG.part");
    fs::write(&part, photo("camera/jolla-phone.jpg")).unwrap();
    fs::rename(&part, watcher.folder().join("IMG_0002.JPG")).unwrap();

    let first = events.recv_timeout(Duration::from_secs(60)).expect("the hot folder handed nothing on");
    assert_eq!(first, HotFolderEvent::Arrived { path: path.clone(), bytes: bytes.len() as u64 }, "handed on whole");
    let second = events.recv_timeout(Duration::from_secs(60)).expect("the renamed file was not handed on");
    let jolla = photo("camera/jolla-phone.jpg").len() as u64;
    assert_eq!(second, HotFolderEvent::Arrived { path: watcher.folder().join("IMG_0002.JPG"), bytes: jolla });
    drop(watcher);
    assert_eq!(wakes.load(Ordering::SeqCst), 2);
    // Nothing else was sent: not the earlier file, not the partial one, nothing twice.
    assert_eq!(events.try_iter().collect::<Vec<_>>(), Vec::new());
}

// ---------------------------------------------------------------------------------------------------
// The photo worker: results out with their tags, a wake per result, a clean stop.

#[test]
fn the_photo_worker_delivers_tagged_results_and_stops_cleanly() {
    let root = tempfile::tempdir().unwrap();
    let folder = PhotoFolder::new(root.path());
    let (sender, results) = sync_channel(8);
    let wakes = Arc::new(AtomicUsize::new(0));
    let wake = {
        let wakes = Arc::clone(&wakes);
        Arc::new(move || {
            wakes.fetch_add(1, Ordering::SeqCst);
        })
    };
    let worker = PhotoWorker::<&'static str>::spawn(
        folder.clone(),
        None,
        DecodeLimits::default(),
        crate::support::clock(),
        sender,
        wake,
    )
    .unwrap();
    let kept_elsewhere = worker.sender();

    let jolla = fixture("photos/camera/jolla-phone.jpg");
    worker.submit("picked file", PhotoWork::IngestFile(jolla.clone())).unwrap();
    worker.submit("iPhone", PhotoWork::IngestBytes(photo("camera/iphone_13_pro_max.heic"))).unwrap();
    worker.submit("missing", PhotoWork::IngestFile(root.path().join("no-such.jpg"))).unwrap();
    // Issue 15: a photo file refused for what it holds is named (a clerk adds several; the hot folder more).
    let heic_file = fixture("photos/camera/iphone_13_pro_max.heic");
    worker.submit("HEIC file", PhotoWork::IngestFile(heic_file.clone())).unwrap();
    let ingested = match results.recv_timeout(Duration::from_secs(60)).unwrap() {
        result if result.tag == "picked file" => match result.outcome {
            Ok(PhotoDone::Ingested(ingested)) => ingested,
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    assert_eq!((ingested.width, ingested.height, ingested.thumbnail.width), (3264, 2448, 256));
    let hash = ingested.stored.sha256;
    let heic = results.recv_timeout(Duration::from_secs(60)).unwrap();
    assert_eq!((heic.tag, heic.outcome.unwrap_err().to_string()), ("iPhone", HEIC_MESSAGE.to_owned()));
    let missing = results.recv_timeout(Duration::from_secs(60)).unwrap();
    assert_eq!(missing.tag, "missing");
    let message = missing.outcome.unwrap_err().to_string();
    assert!(
        message.starts_with(&format!("{}: cannot read the photo: ", root.path().join("no-such.jpg").display())),
        "{message}"
    );
    let heic_named = results.recv_timeout(Duration::from_secs(60)).unwrap();
    assert_eq!(
        (heic_named.tag, heic_named.outcome.unwrap_err().to_string()),
        ("HEIC file", format!("{}: {HEIC_MESSAGE}", heic_file.display()))
    );

    kept_elsewhere.submit("thumbnail", PhotoWork::Thumbnail(hash)).unwrap();
    kept_elsewhere.submit("preview", PhotoWork::Preview(hash)).unwrap();
    match results.recv_timeout(Duration::from_secs(60)).unwrap().outcome {
        Ok(PhotoDone::Thumbnail { hash: h, picture }) => {
            assert_eq!((h, picture.width, picture.height), (hash, 256, 192));
            assert_eq!(picture, ingested.thumbnail);
        }
        other => panic!("{other:?}"),
    }
    match results.recv_timeout(Duration::from_secs(60)).unwrap().outcome {
        Ok(PhotoDone::Preview { picture, .. }) => {
            assert_eq!((picture.width, picture.height, picture.rgba.len()), (2048, 1536, 2048 * 1536 * 4));
        }
        other => panic!("{other:?}"),
    }

    // A stored photo that was tampered with is not shown as if it were the original.
    let stored = folder.path_of(&hash);
    fs::remove_file(&stored).unwrap();
    worker.submit("gone", PhotoWork::Thumbnail(hash)).unwrap();
    let gone = results.recv_timeout(Duration::from_secs(60)).unwrap();
    assert!(
        gone.outcome
            .unwrap_err()
            .to_string()
            .starts_with(&format!("{}: cannot read the stored photo: ", stored.display()))
    );

    // Dropping the worker stops its thread although a sender is still held elsewhere.
    drop(worker);
    assert_eq!(kept_elsewhere.submit("late", PhotoWork::Thumbnail(hash)), Err(SubmitError::Stopped));
    // One wake per result, each after its result was sent (counted once the thread has been joined).
    assert_eq!(wakes.load(Ordering::SeqCst), 7);
}

#[test]
fn a_photo_worker_whose_results_nobody_drains_still_stops() {
    let root = tempfile::tempdir().unwrap();
    let (sender, results) = sync_channel(1);
    let delivered = Arc::new(AtomicUsize::new(0));
    let wake = {
        let delivered = Arc::clone(&delivered);
        Arc::new(move || {
            delivered.fetch_add(1, Ordering::SeqCst);
        })
    };
    let worker = PhotoWorker::spawn(
        PhotoFolder::new(root.path()),
        None,
        DecodeLimits::default(),
        crate::support::clock(),
        sender,
        wake,
    )
    .unwrap();
    for n in 0..4u32 {
        worker.submit(n, PhotoWork::IngestBytes(photo("camera/Canon_40D.jpg"))).unwrap();
    }
    // Once the first result fills the channel, the worker can only wait to deliver the next one.
    while delivered.load(Ordering::SeqCst) == 0 {
        std::thread::yield_now();
    }
    // Dropping must not deadlock on that wait, nor run the queued requests.
    drop(worker);
    let left: Vec<u32> = results.try_iter().map(|r| r.tag).collect();
    assert_eq!(left, vec![0]);
}
