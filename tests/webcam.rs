//! Webcam photos (issue 5) without a camera (this machine has none): finding video device nodes in a
//! folder of our own (links to `/dev/null`, a real character device that is not a camera), what the
//! screen says when there is no camera or no capture in this build, the choice of frame format, and a
//! camera's MJPEG frame made a JPEG file — the camera's own bytes, with the standard Huffman tables
//! written in where the frame leaves them out — checked against real JPEGs.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::PathBuf;

use eframe::egui::Key;
use egui_kittest::kittest::Queryable;
use rma_station::gui::inspection::{TAKE_WEBCAM_PHOTO, WebcamLine};
use rma_station::gui::{StationApp, StationSetup};
use rma_station::photos::webcam::{
    self, FrameError, WebcamAnswer, WebcamError, WebcamWork, Webcams, choose_format, fourcc_words, frame_to_jpeg,
    video_nodes,
};

use crate::bench_flow::open_package;
use crate::gui::{harness, sign_in, step_until, with_demo};
use crate::support::sqlite_in;
use crate::support::{POLICIES, fixture, pin_secret};

/// A folder standing in for `/dev`: video nodes that are links to `/dev/null` (a character device, as a
/// camera's node is), and things that are not video nodes.
fn devices_with(nodes: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in nodes {
        symlink("/dev/null", dir.path().join(name)).unwrap();
    }
    dir
}

#[test]
fn video_nodes_are_character_devices_named_video_and_a_number_in_numeric_order() {
    let dir = devices_with(&["video10", "video0", "video9", "vbi0", "videox", "radio0"]);
    fs::write(dir.path().join("video2"), b"a regular file").unwrap();
    symlink(dir.path().join("nowhere"), dir.path().join("video3")).unwrap();
    let found = video_nodes(dir.path()).unwrap();
    let expected: Vec<PathBuf> = ["video0", "video9", "video10"].iter().map(|n| dir.path().join(n)).collect();
    assert_eq!(found, expected);
    assert!(video_nodes(&dir.path().join("missing")).is_err());
}

#[test]
fn with_no_video_device_the_screen_says_there_is_no_webcam_and_what_takes_its_place() {
    let dir = devices_with(&[]);
    let found = webcam::find(dir.path()).unwrap();
    #[cfg(not(feature = "webcam"))]
    {
        assert_eq!(found, Webcams::NotBuilt { nodes: Vec::new() });
        assert_eq!(found.words(), webcam::NOT_BUILT);
    }
    #[cfg(feature = "webcam")]
    {
        assert_eq!(found, Webcams::NoCamera { notes: Vec::new() });
        assert_eq!(found.words(), "No webcam found: plug in a USB webcam, or save photos into the hot folder.");
    }
}

#[test]
fn a_video_device_that_this_build_cannot_use_is_named() {
    let dir = devices_with(&["video0"]);
    let node = dir.path().join("video0");
    let found = webcam::find(dir.path()).unwrap();
    #[cfg(not(feature = "webcam"))]
    {
        assert_eq!(found, Webcams::NotBuilt { nodes: vec![node.clone()] });
        let words = found.words();
        assert!(words.starts_with(&format!("A camera is connected ({}), but this build", node.display())), "{words}");
        assert!(words.contains("--features webcam"), "{words}");
    }
    #[cfg(feature = "webcam")]
    {
        // /dev/null opens, but it answers no V4L2 question: not a camera, and the screen says so.
        let Webcams::NoCamera { notes } = &found else { panic!("{found:?}") };
        let [note] = notes.as_slice() else { panic!("{notes:?}") };
        assert!(note.starts_with(&format!("{}: not a usable video device (", node.display())), "{note}");
        assert!(found.words().starts_with("No webcam found ("), "{}", found.words());
    }
}

#[test]
fn finding_webcams_in_a_folder_that_cannot_be_read_says_which() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-dev");
    let answer = webcam::errand(&missing, WebcamWork::Find);
    let WebcamAnswer::Found(Err(message)) = answer else { panic!("{answer:?}") };
    assert!(message.starts_with(&format!("{}: ", missing.display())), "{message}");
}

#[test]
fn a_capture_from_something_that_is_not_a_camera_is_an_error_not_a_photo() {
    let dir = devices_with(&["video0"]);
    let answer = webcam::errand(dir.path(), WebcamWork::Capture(dir.path().join("video0")));
    let WebcamAnswer::Captured(result) = answer else { panic!("{answer:?}") };
    let error = result.unwrap_err();
    #[cfg(not(feature = "webcam"))]
    assert!(matches!(error, WebcamError::NotBuilt), "{error:?}");
    #[cfg(feature = "webcam")]
    assert!(matches!(&error, WebcamError::Device { node, .. } if node.ends_with("video0")), "{error:?}");
}

#[test]
fn the_camera_is_asked_for_motion_jpeg_else_jpeg_and_never_for_uncompressed_frames() {
    #[track_caller]
    fn check(offered: &[&[u8; 4]], expected: Option<&[u8; 4]>) {
        let offered: Vec<[u8; 4]> = offered.iter().map(|code| **code).collect();
        assert_eq!(choose_format(&offered), expected.copied(), "{}", fourcc_words(&offered));
    }
    check(&[b"YUYV", b"MJPG"], Some(b"MJPG"));
    check(&[b"JPEG"], Some(b"JPEG"));
    check(&[b"JPEG", b"MJPG"], Some(b"MJPG"));
    check(&[b"YUYV", b"NV12"], None);
    check(&[b"H264"], None);
    check(&[], None);
    assert_eq!(fourcc_words(&[*b"YUYV", *b"NV12", *b"Y16 "]), "YUYV, NV12, Y16");
    let refused = WebcamError::NoJpeg { node: PathBuf::from("/dev/video0"), offered: "YUYV".to_owned() };
    assert!(refused.to_string().contains("offers no JPEG frames (only YUYV)"), "{refused}");
    assert!(refused.to_string().contains("never re-encodes"), "{refused}");
}

// ----- frames to JPEG files -----

/// The Huffman tables of a JPEG's DHT segments before its image data: (class and id) to (counts, values).
type Tables = BTreeMap<u8, (Vec<u8>, Vec<u8>)>;

/// The segments before the image data: (marker, offset of its 0xFF, length including the marker).
fn segments(jpeg: &[u8]) -> Vec<(u8, usize, usize)> {
    let mut found = Vec::new();
    let mut at = 2;
    loop {
        assert_eq!(jpeg[at], 0xFF, "a segment at {at}");
        let marker = jpeg[at + 1];
        let length = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]])) + 2;
        found.push((marker, at, length));
        if marker == 0xDA {
            return found;
        }
        at += length;
    }
}

fn tables(jpeg: &[u8]) -> Tables {
    let mut tables = Tables::new();
    for (_, at, length) in segments(jpeg).into_iter().filter(|(marker, ..)| *marker == 0xC4) {
        let mut body = &jpeg[at + 4..at + length];
        while let [class_and_id, rest @ ..] = body {
            let counts = rest[..16].to_vec();
            let total: usize = counts.iter().map(|c| usize::from(*c)).sum();
            tables.insert(*class_and_id, (counts, rest[16..16 + total].to_vec()));
            body = &rest[16 + total..];
        }
    }
    tables
}

/// A JPEG without its DHT segments: what many webcams send as an MJPEG frame.
fn without_tables(jpeg: &[u8]) -> Vec<u8> {
    let mut frame = jpeg.to_vec();
    for (_, at, length) in segments(jpeg).into_iter().rev().filter(|(marker, ..)| *marker == 0xC4) {
        frame.drain(at..at + length);
    }
    frame
}

/// A colour photo encoded by `image`'s encoder, which writes the standard tables of ITU T.81 K.3.
fn encoded_with_standard_tables() -> Vec<u8> {
    let photo = fs::read(fixture("photos/camera/Nikon_DSCN0010_gps.jpg")).unwrap();
    let pixels = image::load_from_memory(&photo).unwrap().to_rgb8();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85).encode_image(&pixels).unwrap();
    jpeg
}

#[test]
fn a_frame_with_its_own_tables_is_kept_byte_for_byte_and_padding_after_its_end_is_dropped() {
    for name in ["Canon_40D.jpg", "Nikon_DSCN0010_gps.jpg", "jolla-phone.jpg"] {
        let camera = fs::read(fixture(&format!("photos/camera/{name}"))).unwrap();
        assert_eq!(frame_to_jpeg(&camera).unwrap(), camera, "{name}");
        let mut padded = camera.clone();
        padded.extend_from_slice(&[0; 4096]);
        assert_eq!(frame_to_jpeg(&padded).unwrap(), camera, "{name} with a driver's padding");
    }
}

#[test]
fn a_frame_without_tables_gets_the_standard_ones_and_shows_the_same_picture() {
    let original = encoded_with_standard_tables();
    assert_eq!(tables(&original).len(), 4, "the encoder writes four tables");
    let frame = without_tables(&original);
    assert!(tables(&frame).is_empty());

    let jpeg = frame_to_jpeg(&frame).unwrap();
    assert_eq!(tables(&jpeg), tables(&original), "the standard tables, as an independent encoder writes them");
    assert_eq!(jpeg.len(), frame.len() + 420, "one DHT segment added, nothing else changed");
    let dht = segments(&jpeg).into_iter().find(|(marker, ..)| *marker == 0xC4).unwrap();
    let sos = segments(&jpeg).into_iter().find(|(marker, ..)| *marker == 0xDA).unwrap();
    assert_eq!(dht.1 + dht.2, sos.1, "written just before the image data");
    assert_eq!(&jpeg[sos.1..], &frame[sos.1 - 420..], "the image data is the camera's, untouched");

    let shown = image::load_from_memory(&jpeg).unwrap().to_rgb8();
    let meant = image::load_from_memory(&original).unwrap().to_rgb8();
    assert_eq!(shown.dimensions(), meant.dimensions());
    assert!(shown.as_raw() == meant.as_raw(), "the same pixels as the original");
}

#[test]
fn a_frame_that_is_not_a_whole_jpeg_is_refused_with_the_reason() {
    let camera = fs::read(fixture("photos/camera/Canon_40D.jpg")).unwrap();
    let first_segment_length = usize::from(u16::from_be_bytes([camera[4], camera[5]]));
    let cases: [(&str, Vec<u8>, FrameError); 6] = [
        ("nothing", Vec::new(), FrameError::NotJpeg),
        ("a GIF", b"GIF89a\x01\x00\x01\x00".to_vec(), FrameError::NotJpeg),
        ("the start marker alone", vec![0xFF, 0xD8], FrameError::CutShort),
        ("cut in the image data", camera[..camera.len() / 2].to_vec(), FrameError::CutShort),
        ("cut in a header segment", camera[..2 + first_segment_length / 2].to_vec(), FrameError::CutShort),
        ("junk where a segment starts", vec![0xFF, 0xD8, 0x12, 0x34], FrameError::Damaged(2)),
    ];
    for (what, frame, expected) in cases {
        assert_eq!(frame_to_jpeg(&frame), Err(expected), "{what}");
    }
    let mut ends_early = vec![0xFF, 0xD8];
    ends_early.extend_from_slice(&[0xFF, 0xD9]);
    assert_eq!(frame_to_jpeg(&ends_early), Err(FrameError::Damaged(2)), "an end with no image");
}

// ----- the inspection screen -----

#[test]
fn the_inspection_screen_says_why_there_is_no_webcam_and_f7_takes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let devices = devices_with(&[]);
    with_demo(&crate::support::place::Place::sqlite_in(dir.path()));
    let mut setup = StationSetup::open(
        POLICIES.clone(),
        dir.path(),
        &sqlite_in(dir.path()),
        "bench-1".into(),
        Vec::new(),
        None,
        pin_secret(),
    );
    setup.video_devices = devices.path().to_path_buf();
    setup.clock = crate::support::clock();
    let mut harness = harness(StationApp::new(setup, std::sync::Arc::new(|| {})));
    sign_in(&mut harness, "sam", "1357");
    open_package(&mut harness, "RMA-2026-0109");
    step_until(&mut harness, "the webcam line", |app| {
        app.inspection_view().is_some_and(|v| v.webcam != WebcamLine::Looking)
    });
    let expected = webcam::find(devices.path()).unwrap().words();
    assert_eq!(harness.state().inspection_view().unwrap().webcam, WebcamLine::Unavailable(expected.clone()));
    harness.get_by_label(&expected);
    assert!(harness.query_by_label(TAKE_WEBCAM_PHOTO).is_none());

    harness.key_press(Key::F7);
    harness.run();
    let view = harness.state().inspection_view().unwrap();
    assert_eq!((view.photos.len(), view.photos_pending), (0, 0), "no photo, and nothing waiting for one");
}
