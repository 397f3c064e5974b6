//! Evidence packets (issue 7), read back as a person's PDF reader would: each packet here is parsed by an
//! independent reader (lopdf), not by the code that wrote it. A warranty claim denied for its broken
//! sticker, photographed with real camera JPEGs (`tests/fixtures/photos`): the PDF's text carries the RMA,
//! every clause in the merchant's words, the operator, station and checkpoints, and the decision's audit
//! entry; each SHA-256 printed is the hash of the stored file; each embedded image stream is the original
//! file's bytes. Also: a PNG photo embedded losslessly, a missing photo refused, the command line's
//! errors, the packet written by itself when the clerk confirms a denial, and the Records screen's button.
//! The packets from the store and the command line run on SQLite and on PostgreSQL (`on_both!`).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use egui_kittest::kittest::Queryable;
use image::{DynamicImage, GenericImageView, ImageFormat, Rgba, RgbaImage};
use lopdf::{Document, Object, ObjectId};
use rma_station::bench::decision::OnTheBench;
use rma_station::bench::intake::{Arrival, Received};
use rma_station::bench::{self, Actor, Claim};
use rma_station::clock::Now;
use rma_station::demo::load_demo;
use rma_station::domain::vocabulary::{Checkpoint, Defect, Role, Sticker, Verdict};
use rma_station::evidence::text::{self, Face};
use rma_station::evidence::{
    EvidenceError, PacketTarget, decision_for_rma, gather, packets_folder, pdf, write_packet, written_automatically,
};
use rma_station::gui::Screen;
use rma_station::gui::inspection::checkpoint_words;
use rma_station::gui::records::{EVIDENCE_PACKET, FIND_FIELD, evidence_button};
use rma_station::photos::decode::DecodeLimits;
use rma_station::photos::ingest::ingest;
use rma_station::photos::store::PhotoFolder;
use rma_station::storage::{PhotoRow, Stamp, Store, photos_path};
use sha2::{Digest, Sha256};

use crate::bench_flow::{broken_sticker_claim, confirm, decide as decide_on_screen, enter};
use crate::gui::{demo_station, step_until, type_into};
use crate::support::place::{Backend, Place, on_both};
use crate::support::{POLICIES, TODAY, date, fixture, pin_secret};

pub(crate) const RMA: &str = "RMA-2026-0103";
const SKU: &str = "KVM-8P-RACK";

/// 09:00 plus `minute` minutes on [`TODAY`], by ana at bench-7.
pub(crate) fn stamp(minute: i64) -> Stamp {
    let at = Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).single().unwrap_or(DateTime::UNIX_EPOCH);
    Stamp { at: at + chrono::Duration::minutes(minute), station: "bench-7".into(), operator: "ana".into() }
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A photo taken in at a checkpoint: of the rack switch (`on_item`) or of the package as a whole.
pub(crate) struct Shot {
    checkpoint: Checkpoint,
    on_item: bool,
    pub(crate) bytes: Vec<u8>,
}

fn shot(checkpoint: Checkpoint, on_item: bool, relative: &str) -> Shot {
    Shot { checkpoint, on_item, bytes: fs::read(fixture(&format!("photos/{relative}"))).unwrap() }
}

/// The three photos of the broken-sticker claim: two of the sticker (a phone's 3264 × 2448 photo and one
/// saved sideways, EXIF orientation 6) and the box it came in.
pub(crate) fn sticker_shots() -> Vec<Shot> {
    vec![
        shot(Checkpoint::WarrantySticker, true, "camera/jolla-phone.jpg"),
        shot(Checkpoint::WarrantySticker, true, "orientation/portrait_6.jpg"),
        shot(Checkpoint::Packaging, false, "camera/Canon_40D.jpg"),
    ]
}

/// A data folder with the demo data in which the rack switch of RMA-2026-0103 came back with its warranty
/// sticker broken, was photographed (`shots`), and was decided by the engine and saved as the bench saves
/// a confirmed decision. Returns the store and the decision's id.
pub(crate) fn decided_claim(place: &Place, shots: &[Shot]) -> (Box<dyn Store>, i64) {
    let dir = place.dir();
    let mut store = place.open();
    load_demo(&mut *store, date(TODAY), &stamp(0), &pin_secret()).unwrap();
    let found = store.rmas_by_number(RMA).unwrap().remove(0);
    let actor = Actor { name: "ana".into(), role: Role::Clerk, station: "bench-7".into() };
    let at = |minute: i64| Now {
        at: stamp(minute).at,
        today: date(TODAY),
        offset: chrono::FixedOffset::east_opt(0).unwrap(),
    };
    let arrival = Arrival {
        scanned_code: RMA.into(),
        scanned_kind: "rma_number".into(),
        claim: Claim::Rma(found),
        note: String::new(),
        another_box: false,
    };
    let Received { package, mut sheet } = bench::intake::receive(&mut *store, &actor, &at(1), arrival).unwrap();
    let inspection_id = package.inspection_id;
    let item = sheet.items.iter().position(|i| i.sku == SKU).unwrap();
    sheet.items[item].received = 1;
    sheet.items[item].state.sticker = Sticker::Broken;
    sheet.items[item].state.defect = Defect::Malfunction;
    let folder = PhotoFolder::new(photos_path(dir));
    for (minute, shot) in (2..).zip(shots) {
        let taken = ingest(&folder, &shot.bytes, stamp(minute).at, &DecodeLimits::default()).unwrap().record();
        let row = PhotoRow {
            sha256: taken.sha256.to_string(),
            inspection_id,
            item_position: shot.on_item.then_some(item as u32),
            checkpoint: shot.checkpoint,
            bytes: taken.bytes,
            width: taken.width,
            height: taken.height,
            taken_at: taken.capture_time.map(|t| t.to_string()),
            camera_make: taken.make,
            camera_model: taken.model,
            orientation: taken.orientation,
        };
        store.keep_photo_original(&taken.sha256, &shot.bytes, &stamp(minute)).unwrap();
        store.record_photo(&row, &stamp(minute)).unwrap();
    }
    bench::inspection::save_sheet(&mut *store, &actor, &at(8), inspection_id, &sheet).unwrap();
    let photos: Vec<Option<usize>> = shots.iter().map(|s| s.on_item.then_some(item)).collect();
    let decided = bench::decision::decide(&POLICIES, &package, &sheet, &photos, date(TODAY)).unwrap();
    let decision_id = bench::decision::confirm(
        &mut *store,
        &POLICIES,
        &actor,
        &at(9),
        OnTheBench { package: &package, sheet: &sheet, decided: &decided },
    )
    .unwrap()
    .decision_id;
    (store, decision_id)
}

/// A PDF read back by lopdf: each page's text (whitespace as single spaces) and its images' raw streams.
struct ReadBack {
    pages: Vec<PageReadBack>,
}

struct PageReadBack {
    text: String,
    images: Vec<EmbeddedImage>,
}

/// An image a page draws.
struct EmbeddedImage {
    filter: String,
    /// The stream's bytes as stored in the PDF.
    stored: Vec<u8>,
    /// As lopdf decodes them (a Flate stream inflated; a DCT stream as stored).
    decoded: Vec<u8>,
}

impl ReadBack {
    fn of(bytes: &[u8]) -> ReadBack {
        let doc = Document::load_mem(bytes).unwrap_or_else(|e| panic!("lopdf cannot read the packet: {e}"));
        let pages = doc
            .get_pages()
            .into_iter()
            .map(|(number, id)| {
                let text = doc.extract_text(&[number]).unwrap();
                PageReadBack { text: normalized(&text), images: page_images(&doc, id) }
            })
            .collect();
        ReadBack { pages }
    }

    fn text(&self) -> String {
        self.pages.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join(" ")
    }
}

fn page_images(doc: &Document, page: ObjectId) -> Vec<EmbeddedImage> {
    let (resources, _) = doc.get_page_resources(page).unwrap();
    let Some(resources) = resources else { return Vec::new() };
    let Ok(objects) = resources.get(b"XObject").and_then(Object::as_dict) else { return Vec::new() };
    objects
        .iter()
        .map(|(_, reference)| {
            let stream = doc.get_object(reference.as_reference().unwrap()).unwrap().as_stream().unwrap();
            assert_eq!(stream.dict.get(b"Subtype").unwrap().as_name().unwrap(), b"Image");
            let filter = String::from_utf8_lossy(stream.dict.get(b"Filter").unwrap().as_name().unwrap()).into_owned();
            let decoded = stream.decompressed_content().unwrap_or_else(|_| stream.content.clone());
            EmbeddedImage { filter, stored: stream.content.clone(), decoded }
        })
        .collect()
}

/// The first 64-hex-digit word that follows `label` in `text`.
fn hash_after<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    text.match_indices(&format!("{label} ")).find_map(|(at, found)| {
        let word = text[at + found.len()..].split(' ').next()?;
        (word.len() == 64 && word.bytes().all(|b| b.is_ascii_hexdigit())).then_some(word)
    })
}

fn normalized(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

on_both!(a_denial_with_sticker_photos_shows_its_clauses_people_and_each_photos_true_hash);
fn a_denial_with_sticker_photos_shows_its_clauses_people_and_each_photos_true_hash(place: &Place) {
    let dir = place.dir();
    let shots = sticker_shots();
    let (mut store, decision_id) = decided_claim(place, &shots);
    let folder = PhotoFolder::new(photos_path(dir));
    assert_eq!(decision_for_rma(&*store, "rma-2026-0103", None).unwrap(), decision_id, "found as a clerk types it");

    let out = dir.join("packet.pdf");
    let receipt = write_packet(&mut *store, &folder, decision_id, PacketTarget::File(&out), &stamp(30)).unwrap();
    let bytes = fs::read(&out).unwrap();
    assert_eq!((receipt.sha256.as_str(), receipt.bytes), (sha256(&bytes).as_str(), bytes.len() as u64));
    let pdf = ReadBack::of(&bytes);
    assert_eq!(pdf.pages.len(), receipt.pages);
    let text = pdf.text();

    // The decision as the store holds it, and the words it rests on.
    let history = store.package_history(store.find_packages(RMA, 5).unwrap()[0].id).unwrap();
    let decision = &history.decisions[0];
    assert_eq!(decision.verdict, Verdict::Deny);
    let recorded: serde_json::Value = serde_json::from_str(&decision.decision_json).unwrap();
    let reasons = recorded["reasons"].as_array().unwrap();
    assert!(reasons.iter().any(|r| r["clause"].as_str().unwrap().contains("sticker")), "{reasons:?}");
    for reason in reasons {
        let (clause, words) = (reason["clause"].as_str().unwrap(), normalized(reason["text"].as_str().unwrap()));
        assert!(text.contains(clause), "clause {clause} missing from:\n{text}");
        assert!(text.contains(&format!("“{words}”")), "the merchant's words of {clause} missing: {words}\n{text}");
    }
    for expected in [
        "Evidence packet: RMA-2026-0103",
        "DENY — return to customer",
        "Aiko Tanaka",
        "aiko.tanaka@example.net",
        "CP-20103",
        "condition unused, warranty sticker broken",
        "Port 5 gives no picture.",
        "by ana at bench-7",
        "warranty sticker · item KVM-8P-RACK",
        "packaging · the package as a whole",
        "Canon EOS 40D",
        "Generated 2026-11-21 09:30:00 UTC by ana at bench-7",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }

    // Its place in the audit chain, as the chain holds it.
    let entry = history.audit.iter().find(|e| e.entity == "decision" && e.action == "decided").unwrap();
    assert!(text.contains(&format!("Audit entry #{} · decided decision {decision_id}", entry.seq)), "{text}");
    assert_eq!(hash_after(&text, "Entry hash"), Some(entry.hash.as_str()), "the entry's hash");
    assert_eq!(hash_after(&text, "Previous hash"), Some(entry.prev_hash.as_str()), "the hash it chains to");

    // Every page: the RMA in its header and "page n of N" in its footer.
    let total = pdf.pages.len();
    for (index, page) in pdf.pages.iter().enumerate() {
        assert!(page.text.contains("Evidence packet · RMA-2026-0103"), "page {}: {}", index + 1, page.text);
        assert!(page.text.contains(&format!("page {} of {total}", index + 1)), "page {}: {}", index + 1, page.text);
    }

    // One page per photo: the printed hash is the stored file's, and the page draws that file's own bytes.
    let mut printed = BTreeSet::new();
    for (index, shot) in shots.iter().enumerate() {
        let title = format!("Photo {} of {}: ", index + 1, shots.len());
        let page = pdf.pages.iter().find(|p| p.text.contains(&title)).unwrap_or_else(|| panic!("no page {title}"));
        let hash = hash_after(&page.text, "SHA-256").unwrap_or_else(|| panic!("no hash on {}", page.text));
        let stored = photos_path(dir).join(&hash[..2]).join(hash);
        assert_eq!(sha256(&fs::read(&stored).unwrap()), hash, "the hash printed is the stored file's");
        assert_eq!(hash, sha256(&shot.bytes), "and the camera file's");
        let [image] = page.images.as_slice() else { panic!("{} images on a photo page", page.images.len()) };
        assert_eq!(image.filter, "DCTDecode");
        assert!(image.stored == shot.bytes, "the image stream is not the original JPEG's bytes");
        assert!(page.text.contains(checkpoint_words(shot.checkpoint)), "{}", page.text);
        printed.insert(hash.to_owned());
    }
    let recorded_hashes: BTreeSet<String> = history.photos.iter().map(|p| p.sha256.clone()).collect();
    assert_eq!(printed, recorded_hashes);

    // The packet's own audit entry names the file and its hash, and the chain is still sound.
    let after = store.package_history(history.package.id).unwrap();
    let written = after.audit.iter().find(|e| e.action == "evidence_packet").expect("the packet's audit entry");
    assert_eq!((written.entity.as_str(), written.entity_id.as_str()), ("decision", decision_id.to_string().as_str()));
    let detail: serde_json::Value = serde_json::from_str(&written.detail).unwrap();
    assert_eq!(detail["sha256"], sha256(&bytes));
    assert_eq!(detail["file"], out.display().to_string());
    assert!(store.verify().unwrap().is_sound());
}

on_both!(a_png_photo_is_embedded_pixel_for_pixel_with_its_transparency);
fn a_png_photo_is_embedded_pixel_for_pixel_with_its_transparency(place: &Place) {
    // A real camera photo, saved as a PNG with a transparent corner, as a phone app or a screenshot might.
    let camera = image::load_from_memory(&fs::read(fixture("photos/camera/Canon_40D.jpg")).unwrap()).unwrap();
    let mut pixels: RgbaImage = camera.to_rgba8();
    pixels.put_pixel(0, 0, Rgba([10, 20, 30, 0]));
    let mut png = Vec::new();
    DynamicImage::ImageRgba8(pixels.clone()).write_to(&mut std::io::Cursor::new(&mut png), ImageFormat::Png).unwrap();

    let dir = place.dir();
    let shots = [Shot { checkpoint: Checkpoint::WarrantySticker, on_item: true, bytes: png.clone() }];
    let (mut store, decision_id) = decided_claim(place, &shots);
    let folder = PhotoFolder::new(photos_path(dir));
    let out = dir.join("packet.pdf");
    write_packet(&mut *store, &folder, decision_id, PacketTarget::File(&out), &stamp(30)).unwrap();
    let pdf = ReadBack::of(&fs::read(&out).unwrap());
    let page = pdf.pages.iter().find(|p| p.text.contains("Photo 1 of 1")).unwrap();
    assert_eq!(hash_after(&page.text, "SHA-256"), Some(sha256(&png).as_str()));
    let [image] = page.images.as_slice() else { panic!("{} images", page.images.len()) };
    assert_eq!(image.filter, "FlateDecode");
    let rgb: Vec<u8> = pixels.pixels().flat_map(|p| [p[0], p[1], p[2]]).collect();
    assert!(image.decoded == rgb, "the embedded pixels differ from the PNG's");

    // The alpha channel is the image's soft mask, every value kept.
    let doc = Document::load_mem(&fs::read(&out).unwrap()).unwrap();
    let mask = doc
        .objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .find(|s| s.dict.get(b"SMask").is_ok())
        .map(|s| doc.get_object(s.dict.get(b"SMask").unwrap().as_reference().unwrap()).unwrap().as_stream().unwrap())
        .expect("a soft mask");
    let alpha: Vec<u8> = pixels.pixels().map(|p| p[3]).collect();
    assert!(mask.decompressed_content().unwrap() == alpha);
    assert_eq!(camera.dimensions(), pixels.dimensions());
}

on_both!(a_photo_gone_from_the_folder_stops_the_packet_and_nothing_is_written);
fn a_photo_gone_from_the_folder_stops_the_packet_and_nothing_is_written(place: &Place) {
    let dir = place.dir();
    let shots = sticker_shots();
    let (mut store, decision_id) = decided_claim(place, &shots);
    let gone = sha256(&shots[1].bytes);
    let path = photos_path(dir).join(&gone[..2]).join(&gone);
    fs::remove_file(&path).unwrap();
    if place.backend() == Backend::Postgres {
        // The folder is only this bench's cache there: the photo is gone when the shared original is gone too.
        place.edit(&format!(
            "DELETE FROM photo_blobs WHERE sha256 = '{gone}'; DELETE FROM photo_originals WHERE sha256 = '{gone}'"
        ));
    }
    let audit_before = store.counts().unwrap().audit_entries;

    let folder = PhotoFolder::new(photos_path(dir));
    let out = dir.join("packet.pdf");
    let error = write_packet(&mut *store, &folder, decision_id, PacketTarget::File(&out), &stamp(30)).unwrap_err();
    assert!(matches!(error, EvidenceError::Photo { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.starts_with(&format!("photo {gone} (warranty sticker) of decision {decision_id}: ")), "{message}");
    assert!(message.contains(&path.display().to_string()) && message.contains("no packet was written"), "{message}");
    assert!(!out.exists());
    assert_eq!(store.counts().unwrap().audit_entries, audit_before, "nothing audited");
}

/// The station binary on a place.
fn station(place: &Place, args: &[&str]) -> (bool, String, String) {
    let output = place.station(args, "");
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (output.status.success(), text(&output.stdout), text(&output.stderr))
}

on_both!(the_evidence_command_writes_the_packet_or_says_what_is_wrong);
fn the_evidence_command_writes_the_packet_or_says_what_is_wrong(place: &Place) {
    let dir = place.dir();
    let (store, decision_id) = decided_claim(place, &sticker_shots());
    drop(store);
    let out = dir.join("packet.pdf");
    let target = out.to_str().unwrap();

    let (ok, stdout, stderr) = station(place, &["evidence", RMA, "-o", target]);
    assert!(ok, "{stderr}");
    let bytes = fs::read(&out).unwrap();
    assert!(stdout.starts_with(&format!("evidence packet for {RMA} (")), "{stdout}");
    assert!(stdout.contains(&format!("written to {target}")) && stdout.contains(&sha256(&bytes)), "{stdout}");
    assert!(stdout.contains(&format!("audited on decision {decision_id}")), "{stdout}");
    assert!(ReadBack::of(&bytes).text().contains("DENY — return to customer"));

    let missing_folder = dir.join("no-such-folder/packet.pdf");
    let refusals = [
        (vec!["evidence", "RMA-1999-0001", "-o", target], "rma-station: RMA RMA-1999-0001: no RMA has this number\n"),
        (
            vec!["evidence", "RMA-2026-0104", "-o", target],
            "rma-station: RMA RMA-2026-0104: not decided yet; a packet shows a decision, so confirm one at the bench first\n",
        ),
        (
            vec!["evidence", RMA, "--merchant", "nobody", "-o", target],
            "rma-station: RMA RMA-2026-0103: no RMA has this number for merchant nobody\n",
        ),
    ];
    for (args, expected) in refusals {
        let (ok, stdout, stderr) = station(place, &args);
        assert!(!ok && stdout.is_empty(), "{args:?}: {stdout}");
        assert_eq!(stderr, expected, "{args:?}");
    }
    let (ok, _, stderr) = station(place, &["evidence", RMA, "-o", missing_folder.to_str().unwrap()]);
    assert!(!ok);
    assert_eq!(
        stderr,
        format!(
            "rma-station: {}: cannot write: the folder {} does not exist\n",
            missing_folder.display(),
            missing_folder.parent().unwrap().display()
        )
    );
    assert_eq!(fs::read(&out).unwrap(), bytes, "a refused command leaves the packet written before alone");
}

on_both!(characters_the_font_lacks_are_written_as_their_codes_and_the_footer_says_so);
fn characters_the_font_lacks_are_written_as_their_codes_and_the_footer_says_so(place: &Place) {
    let dir = place.dir();
    let (store, decision_id) = decided_claim(place, &[]);
    let folder = PhotoFolder::new(photos_path(dir));
    let mut packet = gather(&*store, &folder, decision_id, &stamp(30)).unwrap();
    packet.record.order.record.customer_name = "Łukasz Żółć — Zoë “Ann” Müller".into();
    let pdf = ReadBack::of(&pdf::render(&packet).bytes);
    let text = pdf.text();
    assert!(text.contains("[U+0141]ukasz [U+017B]ó[U+0142][U+0107] — Zoë “Ann” Müller"), "{text}");
    for page in &pdf.pages {
        assert!(page.text.contains("are written as their codes"), "{}", page.text);
    }
}

#[test]
fn winansi_encoding_keeps_latin_1_and_writes_every_other_character_as_its_code() {
    #[track_caller]
    fn check(input: &str, bytes: &[u8], replaced: bool) {
        let encoded = text::encode(input);
        assert_eq!((encoded.bytes.as_slice(), encoded.replaced), (bytes, replaced), "{input:?}");
    }
    check("RMA-2026-0103", b"RMA-2026-0103", false);
    check("Zoë Müller", b"Zo\xEB M\xFCller", false);
    check("“quoted” – € …", b"\x93quoted\x94 \x96 \x80 \x85", false);
    check("Łódź", b"[U+0141]\xF3d[U+017A]", true);
    check("名", b"[U+540D]", true);
    check("a\tb", b"a b", false);
    check("one\r\ntwo\rthree\nfour", b"one\ntwo\nthree\nfour", false);
    check("bell\u{7}", b"bell[U+0007]", true);
    check("\u{202E}evil", b"[U+202E]evil", true);
}

#[test]
fn wrapped_lines_fit_their_width_and_keep_every_character() {
    let size = 9.5;
    let words = text::encode(&format!(
        "Products with a broken, removed or altered warranty sticker are not covered. {} end\nnext paragraph",
        "f".repeat(200)
    ));
    for width in [60.0_f32, 120.0, 300.0, 504.0] {
        let lines = text::wrap(Face::Regular, size, &words.bytes, width);
        for line in &lines {
            assert!(
                text::width(Face::Regular, line, size) <= width,
                "{:?} wider than {width}",
                String::from_utf8_lossy(line)
            );
        }
        let rejoined: Vec<u8> = lines.join(&b" "[..]);
        let squash = |bytes: &[u8]| bytes.iter().filter(|b| !b" \n".contains(b)).copied().collect::<Vec<u8>>();
        assert_eq!(squash(&rejoined), squash(&words.bytes), "width {width}: characters lost or added");
    }
    // A line break always breaks; Helvetica's widths are the font's own.
    assert_eq!(text::wrap(Face::Regular, size, b"a\nb", 504.0), [b"a".to_vec(), b"b".to_vec()]);
    assert_eq!(text::width(Face::Regular, b"Hello", 10.0), (722.0 + 556.0 + 222.0 + 222.0 + 556.0) / 100.0);
    assert_eq!(text::width(Face::Bold, b"Hello", 10.0), (722.0 + 556.0 + 278.0 + 278.0 + 611.0) / 100.0);
    assert_eq!(text::width(Face::Mono, &[b'0'; 64], 8.0), 64.0 * 4.8);
}

#[test]
fn the_placement_matrix_turns_each_exif_orientation_upright_as_the_photo_module_does() {
    // A 3 × 2 picture of six distinct pixels, turned by `image` (as thumbnails and previews are) and mapped
    // through the packet's matrix: every stored pixel must land where `image` puts it.
    let (width, height) = (3_u32, 2_u32);
    let stored = RgbaImage::from_fn(width, height, |x, y| Rgba([x as u8 * 80, y as u8 * 120, 7, 255]));
    for orientation in 1..=8_u8 {
        let mut upright = DynamicImage::ImageRgba8(stored.clone());
        upright.apply_orientation(image::metadata::Orientation::from_exif(orientation).unwrap());
        let [a, b, c, d, e, f] = pdf::orientation_matrix(Some(orientation));
        let (upright_width, upright_height) = (upright.width(), upright.height());
        for (x, y, pixel) in stored.enumerate_pixels() {
            // The pixel's centre in the image's unit square (PDF: the first row is at the top, v = 1).
            let u = (x as f32 + 0.5) / width as f32;
            let v = 1.0 - (y as f32 + 0.5) / height as f32;
            let (s, t) = (a * u + c * v + e, b * u + d * v + f);
            let column = (s * upright_width as f32).floor() as u32;
            let row = ((1.0 - t) * upright_height as f32).floor() as u32;
            assert_eq!(upright.get_pixel(column, row), *pixel, "orientation {orientation}: pixel ({x}, {y})");
        }
    }
    assert_eq!(pdf::orientation_matrix(None), pdf::orientation_matrix(Some(1)));
    assert_eq!(pdf::orientation_matrix(Some(9)), pdf::orientation_matrix(Some(1)));
}

#[test]
fn denials_and_damage_claims_get_a_packet_by_themselves_and_others_only_on_request() {
    use rma_station::domain::decision::{Decision, LineOutcome, LineResult, MoneyBreakdown};
    use rma_station::domain::money::Money;
    use rma_station::domain::vocabulary::{Disposition, RmaKind};
    let decision = |verdict, refused| Decision {
        verdict,
        disposition: Disposition::Refund,
        money: MoneyBreakdown::default(),
        lines: vec![LineResult {
            sku: SKU.into(),
            ordered: 2,
            received: 2,
            accepted: 2 - refused,
            refused,
            missing: 0,
            fee: Money::ZERO,
            outcome: LineOutcome::Partial,
            clauses: Vec::new(),
        }],
        reasons: Vec::new(),
        flags: Vec::new(),
        decided_on: date(TODAY),
        refund_due_on: None,
        photos_needed: Vec::new(),
    };
    let table = [
        (Verdict::Deny, 2, Some(RmaKind::Warranty), true),
        (Verdict::Deny, 2, None, true),
        (Verdict::Partial, 1, Some(RmaKind::Return), true),
        (Verdict::Accept, 0, Some(RmaKind::ShippingDamage), true),
        (Verdict::Hold, 0, Some(RmaKind::ShippingDamage), true),
        (Verdict::Accept, 0, Some(RmaKind::Return), false),
        (Verdict::Hold, 0, Some(RmaKind::Warranty), false),
        (Verdict::Accept, 0, None, false),
    ];
    for (verdict, refused, kind, expected) in table {
        assert_eq!(written_automatically(&decision(verdict, refused), kind), expected, "{verdict} {refused} {kind:?}");
    }
}

fn evidence_files(data: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(packets_folder(data))
        .map(|entries| entries.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

on_both!(confirming_a_denial_at_the_bench_writes_its_packet_and_records_writes_one_on_request);
fn confirming_a_denial_at_the_bench_writes_its_packet_and_records_writes_one_on_request(place: &Place) {
    let mut harness = demo_station(place);
    broken_sticker_claim(&mut harness);
    harness.get_by_label("warranty sticker").click();
    harness.run();
    let photo = fixture("photos/camera/jolla-phone.jpg");
    type_into(&mut harness, rma_station::gui::inspection::PHOTO_FILE, &photo.display().to_string());
    enter(&mut harness);
    step_until(&mut harness, "the photo", |app| app.inspection_view().is_some_and(|v| v.photos.len() == 1));
    decide_on_screen(&mut harness);
    confirm(&mut harness);

    // The denial's packet is written after the decision, on the `files` thread, and the banner says where.
    step_until(&mut harness, "the packet written", |app| {
        app.banner().is_some_and(|(good, words)| *good && words.contains("; evidence packet for"))
    });
    let files = evidence_files(place.dir());
    let [packet] = files.as_slice() else { panic!("{files:?}") };
    assert!(packet.file_name().unwrap().to_str().unwrap().starts_with("RMA-2026-0103-decision-"), "{packet:?}");
    let (_, banner) = harness.state().banner().cloned().unwrap();
    assert!(banner.contains(&format!("written to {}", packet.display())), "{banner}");
    let pdf = ReadBack::of(&fs::read(packet).unwrap());
    assert!(pdf.text().contains("DENY — return to customer") && pdf.text().contains("by sam at bench-1"));
    let original = fs::read(&photo).unwrap();
    assert!(pdf.pages.iter().any(|p| p.images.iter().any(|image| image.stored == original)));

    // The bar offers it again for the decision just confirmed.
    harness.get_by_label(EVIDENCE_PACKET).click();
    step_until(&mut harness, "the packet written again", |app| {
        app.banner().is_some_and(|(good, words)| *good && words.starts_with("evidence packet for"))
    });

    // Records: the decision's own button writes it on request.
    harness.key_press(eframe::egui::Key::F4);
    harness.run();
    assert_eq!(harness.state().screen(), Screen::Records);
    type_into(&mut harness, FIND_FIELD, RMA);
    enter(&mut harness);
    step_until(&mut harness, "the history", |app| app.records_view().history.is_some());
    let decision_id = harness.state().records_view().history.as_ref().unwrap().decisions[0].id;
    harness.get_by_label(&evidence_button(decision_id)).click();
    step_until(&mut harness, "the packet written from Records", |app| {
        app.banner().is_some_and(|(good, words)| *good && words.starts_with("evidence packet for"))
    });
    let store = place.open();
    let written = store.audit_entries("decision", &decision_id.to_string()).unwrap();
    let packets = written.iter().filter(|e| e.action == "evidence_packet").count();
    assert_eq!(packets, 3, "automatic, from the bar, from Records: {written:?}");
    assert_eq!(evidence_files(place.dir()), files, "written again under the same name");
}

on_both!(an_accepted_return_gets_no_packet_by_itself);
fn an_accepted_return_gets_no_packet_by_itself(place: &Place) {
    let mut harness = demo_station(place);
    crate::bench_flow::open_package(&mut harness, "RMA-2026-0101");
    for sku in ["KVM-4P-DP", "CBL-KVM-USB-2M", "CBL-KVM-USB-2M"] {
        crate::gui::scan(&mut harness, sku);
    }
    decide_on_screen(&mut harness);
    assert_eq!(harness.state().decision_view().unwrap().verdict, Verdict::Accept);
    confirm(&mut harness);
    assert!(evidence_files(place.dir()).is_empty());
    harness.get_by_label(EVIDENCE_PACKET);
}
