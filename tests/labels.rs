//! Bin labels: which bin each decided unit goes to (tables), the ZPL checked command by command, the PNG's
//! bars read back as Code 128, the PDF's pages, bars and type, printing to a real TCP listener and a real
//! pseudo-terminal, and `rma-station label` on a real database whose decisions went through the store's own
//! save path.

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
#[cfg(unix)]
use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use rma_station::bench::decision::OnTheBench;
use rma_station::bench::intake::Arrival;
use rma_station::bench::{self, Actor, Claim};
use rma_station::clock::Now;
use rma_station::domain::bin::{BinGroup, LineUnits, bin_for_state, sort_into_bins};
use rma_station::domain::case::ItemState;
use rma_station::domain::decision::Decision;
use rma_station::domain::inspection::{AS_NEW, InspectionSheet, SheetItem};
use rma_station::domain::vocabulary::{
    Bin, Condition, DamageCause, Defect, Disposition, Packaging, Role, Sticker, Verdict,
};
use rma_station::gui::labels::{PRINT_LABEL, SAVE_PDF, SAVE_PNG};
use rma_station::gui::printer::{PRINTER_ADDRESS, PRINTER_KIND, SAVE_PRINTER};
use rma_station::gui::records::FIND_FIELD;
use rma_station::gui::{Screen, StationApp};
use rma_station::labels::barcode::code128_modules;
use rma_station::labels::printer::{PrinterError, PrinterTarget, send};
use rma_station::labels::worker::{LabelDone, LabelWork, LabelWorker};
use rma_station::labels::{BinLabel, LabelFormat, labels_of, pdf, png, zpl};
use rma_station::storage::sqlite::SqliteStore;
use rma_station::storage::{ReceivedPackage, Stamp, Store, database_path};
#[cfg(unix)]
use serialport::{SerialPort, TTYPort};

use crate::bench_flow::open_and_decide;
use crate::gui::{demo_station, demo_station_as, step_until, type_into};
use crate::support::place::{Place, on_both};
use crate::support::{POLICIES, TODAY, date, pin_secret};

// ----- the real save path, shared with the dashboard's tests -----

/// Who decided, where and when.
pub fn stamp_at(at: DateTime<Utc>) -> Stamp {
    Stamp { at, station: "bench-1".into(), operator: "ana".into() }
}

/// 10:00 UTC on [`TODAY`].
pub fn stamp() -> Stamp {
    stamp_at(Utc.with_ymd_and_hms(2026, 11, 21, 10, 0, 0).single().unwrap())
}

/// A demo store in a temporary folder, its dates as written (today is [`TODAY`]).
pub fn demo_store(dir: &Path) -> SqliteStore {
    let mut store = SqliteStore::open(&database_path(dir), &POLICIES).unwrap();
    rma_station::demo::load_demo(&mut store, date(TODAY), &stamp(), &pin_secret()).unwrap();
    store
}

/// [`demo_store`] on either backend.
pub fn demo_on(place: &Place) -> Box<dyn Store> {
    let mut store = place.open();
    rma_station::demo::load_demo(&mut *store, date(TODAY), &stamp(), &pin_secret()).unwrap();
    store
}

/// Receives, inspects and decides a package for the RMA `number` through the bench's use cases, as the
/// window does: every ordered unit back as new, then `edit` on the sheet; the engine on `today` (one photo
/// per item); the decision confirmed. Returns the package id and the decision.
pub fn decide_package(
    store: &mut dyn Store,
    number: &str,
    edit: impl FnOnce(&mut InspectionSheet),
    today: NaiveDate,
    stamp: &Stamp,
) -> (i64, Decision) {
    let found = store.rmas_by_number(number).unwrap().remove(0);
    let actor = Actor { name: stamp.operator.clone(), role: Role::Clerk, station: stamp.station.clone() };
    let now = Now { at: stamp.at, today, offset: chrono::FixedOffset::east_opt(0).unwrap() };
    let arrival = Arrival {
        scanned_code: number.into(),
        scanned_kind: "rma_number".into(),
        claim: Claim::Rma(found),
        note: String::new(),
        another_box: false,
    };
    let received = bench::intake::receive(store, &actor, &now, arrival).unwrap();
    let mut sheet = received.sheet;
    for item in &mut sheet.items {
        item.received = item.ordered;
    }
    edit(&mut sheet);
    let photos: Vec<Option<usize>> = (0..sheet.items.len()).map(Some).collect();
    let package = received.package;
    let decided = bench::decision::decide(&POLICIES, &package, &sheet, &photos, today).unwrap();
    let on_bench = OnTheBench { package: &package, sheet: &sheet, decided: &decided };
    bench::decision::confirm(store, &POLICIES, &actor, &now, on_bench).unwrap();
    (package.package_id, decided.decision)
}

/// A merchant's name from the built-in policies.
pub fn merchant_name(id: &str) -> String {
    POLICIES.get(id).map_or_else(|| id.to_owned(), |l| l.policy.merchant.name.clone())
}

// ----- bins -----

fn state(edit: impl FnOnce(&mut ItemState)) -> ItemState {
    let mut state = AS_NEW;
    edit(&mut state);
    state
}

#[test]
fn an_accepted_unit_goes_to_the_bin_its_state_calls_for() {
    #[track_caller]
    fn check(state: ItemState, expected: Bin) {
        assert_eq!(bin_for_state(&state), expected, "{state:?}");
    }
    let table: &[(ItemState, Bin)] = &[
        (AS_NEW, Bin::Restock),
        (state(|s| s.condition = Condition::Sealed), Bin::Restock),
        (state(|s| s.sticker = Sticker::NoSticker), Bin::Restock),
        (state(|s| s.condition = Condition::Used), Bin::Refurbish),
        (state(|s| s.sticker = Sticker::Broken), Bin::Refurbish),
        (state(|s| s.sticker = Sticker::Removed), Bin::Refurbish),
        (state(|s| s.disassembled = true), Bin::Refurbish),
        (state(|s| s.packaging = Packaging::Damaged), Bin::Refurbish),
        (state(|s| s.packaging = Packaging::Missing), Bin::Refurbish),
        (state(|s| s.defect = Defect::Malfunction), Bin::Refurbish),
        (state(|s| s.defect = Defect::Manufacturing), Bin::Refurbish),
        (
            state(|s| {
                s.condition = Condition::Damaged;
                s.damage_cause = DamageCause::OutboundShipping;
            }),
            Bin::Refurbish,
        ),
        (
            state(|s| {
                s.damage_cause = DamageCause::PowerSurge;
                s.defect = Defect::Malfunction;
            }),
            Bin::Refurbish,
        ),
        // Broken but not damaged (a part snapped off a used unit): repairable.
        (
            state(|s| {
                s.condition = Condition::Used;
                s.defect = Defect::Breakage;
            }),
            Bin::Refurbish,
        ),
        (
            state(|s| {
                s.condition = Condition::Damaged;
                s.defect = Defect::Breakage;
            }),
            Bin::Scrap,
        ),
        (state(|s| s.damage_cause = DamageCause::Fire), Bin::Scrap),
        (state(|s| s.damage_cause = DamageCause::Flood), Bin::Scrap),
        (state(|s| s.damage_cause = DamageCause::NaturalDisaster), Bin::Scrap),
        (state(|s| s.damage_cause = DamageCause::War), Bin::Scrap),
        (state(|s| s.damage_cause = DamageCause::CivilUnrest), Bin::Scrap),
        // Scrap wins over as-new packaging: a flooded unit in its box is still flooded.
        (
            state(|s| {
                s.condition = Condition::Sealed;
                s.damage_cause = DamageCause::Flood;
            }),
            Bin::Scrap,
        ),
    ];
    for (state, expected) in table {
        check(*state, *expected);
    }
}

fn item(sku: &str, ordered: u32, received: u32, state: ItemState) -> SheetItem {
    SheetItem {
        sku: sku.into(),
        name: String::new(),
        category: String::new(),
        expected: ordered > 0,
        ordered,
        received,
        serial: String::new(),
        state,
        notes: String::new(),
    }
}

fn line(sku: &str, ordered: u32, accepted: u32, refused: u32) -> LineUnits {
    LineUnits { sku: sku.into(), ordered, accepted, refused }
}

fn sheet(items: Vec<SheetItem>) -> InspectionSheet {
    InspectionSheet {
        received_on: date(TODAY),
        original_owner: true,
        commercial_use: false,
        proof_of_purchase: true,
        items,
    }
}

#[test]
fn a_decided_package_is_sorted_into_one_group_per_bin() {
    let used = state(|s| s.condition = Condition::Used);
    let burnt = state(|s| s.damage_cause = DamageCause::Fire);
    type Expected = &'static [(Bin, &'static [(&'static str, u32)])];
    type Row = (&'static str, Disposition, Vec<LineUnits>, Vec<SheetItem>, Expected);
    let table: Vec<Row> = vec![
        (
            "everything back as new and accepted: one restock label",
            Disposition::Refund,
            vec![line("KVM", 1, 1, 0), line("CBL", 2, 2, 0)],
            vec![item("KVM", 1, 1, AS_NEW), item("CBL", 2, 2, AS_NEW)],
            &[(Bin::Restock, &[("KVM", 1), ("CBL", 2)])],
        ),
        (
            "accepted but used: refurbish",
            Disposition::Refund,
            vec![line("KVM", 1, 1, 0)],
            vec![item("KVM", 1, 1, used)],
            &[(Bin::Refurbish, &[("KVM", 1)])],
        ),
        (
            "a denial sends everything back",
            Disposition::ReturnToCustomer,
            vec![line("KVM", 1, 0, 1), line("CBL", 2, 0, 2)],
            vec![item("KVM", 1, 1, AS_NEW), item("CBL", 2, 2, used)],
            &[(Bin::ReturnToCustomer, &[("KVM", 1), ("CBL", 2)])],
        ),
        (
            "a hold keeps every unit together, whatever its line says",
            Disposition::Hold,
            vec![line("KVM", 1, 0, 0), line("CBL", 2, 0, 1)],
            vec![item("KVM", 1, 1, AS_NEW), item("CBL", 2, 2, used)],
            &[(Bin::Hold, &[("KVM", 1), ("CBL", 2)])],
        ),
        (
            "mixed lines: the accepted SKU restocked, the refused one sent back",
            Disposition::Refund,
            vec![line("KVM", 1, 1, 0), line("CBL", 2, 0, 2)],
            vec![item("KVM", 1, 1, AS_NEW), item("CBL", 2, 2, used)],
            &[(Bin::Restock, &[("KVM", 1)]), (Bin::ReturnToCustomer, &[("CBL", 2)])],
        ),
        (
            "units beyond the ordered quantity go back, the ordered one is restocked",
            Disposition::Refund,
            vec![line("KVM", 1, 1, 1)],
            vec![item("KVM", 1, 2, AS_NEW)],
            &[(Bin::Restock, &[("KVM", 1)]), (Bin::ReturnToCustomer, &[("KVM", 1)])],
        ),
        (
            "the excess is the sheet's last units: the ordered new one is restocked, the used extra sent back",
            Disposition::Refund,
            vec![line("KVM", 1, 1, 1)],
            vec![item("KVM", 1, 1, AS_NEW), item("KVM", 1, 1, used)],
            &[(Bin::Restock, &[("KVM", 1)]), (Bin::ReturnToCustomer, &[("KVM", 1)])],
        ),
        (
            "an item nobody ordered goes back",
            Disposition::Refund,
            vec![line("KVM", 1, 1, 0), line("STRAY", 0, 0, 1)],
            vec![item("KVM", 1, 1, AS_NEW), item("STRAY", 0, 1, AS_NEW)],
            &[(Bin::Restock, &[("KVM", 1)]), (Bin::ReturnToCustomer, &[("STRAY", 1)])],
        ),
        (
            "all units accepted in two states: each to its own bin",
            Disposition::Refund,
            vec![line("CBL", 2, 2, 0)],
            vec![item("CBL", 2, 1, AS_NEW), item("CBL", 2, 1, used)],
            &[(Bin::Restock, &[("CBL", 1)]), (Bin::Refurbish, &[("CBL", 1)])],
        ),
        (
            "one SKU in one state, partly refused: the accepted ones by their state, the rest back",
            Disposition::Refund,
            vec![line("CBL", 3, 2, 1)],
            vec![item("CBL", 3, 3, used)],
            &[(Bin::Refurbish, &[("CBL", 2)]), (Bin::ReturnToCustomer, &[("CBL", 1)])],
        ),
        (
            "one SKU in two states, partly refused: which state was accepted is unknown, so a person sorts them",
            Disposition::Refund,
            vec![line("CBL", 2, 1, 1), line("KVM", 1, 1, 0)],
            vec![item("CBL", 2, 1, AS_NEW), item("CBL", 2, 1, used), item("KVM", 1, 1, AS_NEW)],
            &[(Bin::Restock, &[("KVM", 1)]), (Bin::Hold, &[("CBL", 2)])],
        ),
        (
            "a burnt unit accepted under warranty is scrapped",
            Disposition::Replacement,
            vec![line("PANEL", 1, 1, 0)],
            vec![item("PANEL", 1, 1, burnt)],
            &[(Bin::Scrap, &[("PANEL", 1)])],
        ),
        (
            "an override that accepts everything accepts the excess too",
            Disposition::Refund,
            vec![line("KVM", 1, 2, 0)],
            vec![item("KVM", 1, 1, AS_NEW), item("KVM", 1, 1, used)],
            &[(Bin::Restock, &[("KVM", 1)]), (Bin::Refurbish, &[("KVM", 1)])],
        ),
        (
            "counts that do not add up are not guessed at",
            Disposition::Refund,
            vec![line("KVM", 2, 1, 0)],
            vec![item("KVM", 2, 2, AS_NEW)],
            &[(Bin::Hold, &[("KVM", 2)])],
        ),
        (
            "units the decision has no line for are held",
            Disposition::Refund,
            vec![line("KVM", 1, 1, 0)],
            vec![item("KVM", 1, 1, AS_NEW), item("ODD", 0, 1, AS_NEW)],
            &[(Bin::Restock, &[("KVM", 1)]), (Bin::Hold, &[("ODD", 1)])],
        ),
        (
            "nothing arrived: nothing to label",
            Disposition::Refund,
            vec![line("KVM", 1, 0, 0)],
            vec![item("KVM", 1, 0, AS_NEW)],
            &[],
        ),
    ];
    for (why, disposition, lines, items, expected) in table {
        let groups = sort_into_bins(disposition, &lines, &sheet(items));
        let expected: Vec<BinGroup> = expected
            .iter()
            .map(|(bin, units)| BinGroup {
                bin: *bin,
                units: units.iter().map(|(sku, n)| ((*sku).to_owned(), *n)).collect(),
            })
            .collect();
        assert_eq!(groups, expected, "{why}");
    }
}

// ----- the label's formats -----

/// The label of the partial return the README walks through: two switches and two cable kits restocked.
fn restock_label() -> BinLabel {
    BinLabel {
        merchant: "ConnectPRO".into(),
        number: "RMA-2026-0108".into(),
        order_number: "CP-20108".into(),
        package_id: 12,
        decided_on: date(TODAY),
        verdict: Verdict::Accept,
        disposition: Disposition::Refund,
        station: "bench-1".into(),
        bin: Bin::Restock,
        units: vec![("KVM-4P-DP".into(), 2), ("CBL-KVM-USB-2M".into(), 2)],
        index: 1,
        count: 1,
    }
}

#[test]
fn the_zpl_of_a_label_is_exactly_the_expected_commands() {
    let expected = [
        "^XA",     // start of the label format
        "^CI28",   // UTF-8
        "^PW812",  // 4 in at 203 dpi
        "^LL1218", // 6 in
        "^LH0,0",  // home at the top left
        "^FO30,30^A0N,44,44^FDConnectPRO^FS",
        "^FO542,30^FB240,1,0,R^A0N,44,44^FD2026-11-21^FS",
        "^FO30,92^GB752,4,4^FS",
        // RESTOCK as large as fits 752 dots of Helvetica-Bold (4889 thousandths of the em): 153 dots.
        "^FO30,213^FB752,1,0,C^A0N,153,153^FDRESTOCK^FS",
        "^FO30,480^GB752,4,4^FS",
        // 178 modules of 3 dots, centred: (812 - 534) / 2 = 139; code set B, no interpretation line.
        "^FO139,505^BY3^BCN,190,N,N,N^FD>:RMA-2026-0108^FS",
        "^FO30,712^FB752,1,0,C^A0N,60,60^FDRMA-2026-0108^FS",
        "^FO30,792^GB752,4,4^FS",
        "^FO30,815^A0N,44,44^FD2 x KVM-4P-DP^FS",
        "^FO30,869^A0N,44,44^FD2 x CBL-KVM-USB-2M^FS",
        "^FO30,1110^A0N,32,32^FDorder CP-20108 | package #12^FS",
        "^FO30,1152^A0N,32,32^FDaccept, refund | bench-1 | label 1 of 1^FS",
        "^XZ",
    ];
    let zpl = zpl::zpl(&[restock_label()]).unwrap();
    let commands: Vec<&str> = zpl.lines().collect();
    for (i, (got, want)) in commands.iter().zip(expected.iter()).enumerate() {
        assert_eq!(got, want, "command {i}");
    }
    assert_eq!(commands.len(), expected.len(), "{zpl}");
    assert!(zpl.ends_with("^XZ\n"));
}

#[test]
fn two_bins_are_two_formats_in_one_job_and_zpl_control_characters_are_escaped() {
    let mut back = restock_label();
    (back.bin, back.index, back.count) = (Bin::ReturnToCustomer, 2, 2);
    back.units = vec![("CBL^USB_2M~X".into(), 1)];
    let mut first = restock_label();
    first.count = 2;
    let zpl = zpl::zpl(&[first, back]).unwrap();
    assert_eq!(zpl.matches("^XA\n").count(), 2, "{zpl}");
    assert_eq!(zpl.matches("^XZ\n").count(), 2, "{zpl}");
    let second = &zpl[zpl.rfind("^XA").unwrap()..];
    // RETURN TO CUSTOMER is set on two lines, split where the longer line is shortest, at one size.
    assert!(second.contains("^FO30,151^FB752,1,0,C^A0N,128,128^FDRETURN TO^FS\n"), "{second}");
    assert!(second.contains("^FO30,300^FB752,1,0,C^A0N,128,128^FDCUSTOMER^FS\n"), "{second}");
    // ^ and ~ would start ZPL commands, _ is the hex marker: sent as hex under ^FH.
    assert!(second.contains("^FO30,815^A0N,44,44^FH^FD1 x CBL_5EUSB_5F2M_7EX^FS\n"), "{second}");
    assert!(second.contains("^FDaccept, refund | bench-1 | label 2 of 2^FS"), "{second}");
}

#[test]
fn a_number_that_cannot_be_a_zebra_barcode_is_refused_with_its_reason() {
    let mut label = restock_label();
    label.number = "RMA>1".into();
    let error = zpl::zpl(&[label]).unwrap_err().to_string();
    assert_eq!(error, "cannot encode \"RMA>1\" as Code 128: '>' cannot be sent to a Zebra printer in a Code 128 field");
    let mut label = restock_label();
    label.number = "RMA-ÄÖ".into();
    let error = png::png(&label).unwrap_err().to_string();
    assert!(error.starts_with("cannot encode \"RMA-ÄÖ\" as Code 128"), "{error}");
}

/// The PNG's pixels, decoded by `image`.
fn decode_png(bytes: &[u8]) -> image::GrayImage {
    image::load_from_memory_with_format(bytes, image::ImageFormat::Png).unwrap().to_luma8()
}

fn bits(modules: &[u8]) -> String {
    modules.iter().map(|m| if *m == 1 { '1' } else { '0' }).collect()
}

#[test]
fn the_png_is_4_by_6_inches_at_203_dpi_and_its_bars_read_back_as_the_rma_number() {
    let label = restock_label();
    let picture = decode_png(&png::png(&label).unwrap());
    assert_eq!(picture.dimensions(), (812, 1218));

    // Across the middle of the bars: from the first dark pixel to the last, whole modules of one width.
    let y = 600;
    let dark = |x: u32| picture.get_pixel(x, y).0[0] < 128;
    let first = (0..812).find(|&x| dark(x)).unwrap();
    let last = (0..812).rev().find(|&x| dark(x)).unwrap();
    let expected = code128_modules(&label.number).unwrap();
    let width = last + 1 - first;
    assert_eq!(width % expected.len() as u32, 0, "bars {first}..={last} are not whole modules");
    let module = width / expected.len() as u32;
    assert!(module >= 2, "modules of {module} dot(s) are too thin for a thermal head");
    // Each module read at its centre; the bars are pure black and white, no grey at their edges.
    let read: Vec<u8> = (0..expected.len() as u32).map(|i| u8::from(dark(first + i * module + module / 2))).collect();
    assert_eq!(bits(&read), bits(&expected));
    for x in first..=last {
        let value = picture.get_pixel(x, y).0[0];
        assert!(value == 0 || value == 255, "grey {value} at x {x}");
    }
    // Ten modules of white either side (the quiet zone).
    assert!((first - 10 * module..first).all(|x| !dark(x)));
    assert!((last + 1..=last + 10 * module).all(|x| !dark(x)));

    // The bin's word is drawn in its band, and another bin draws another picture.
    let ink = |picture: &image::GrayImage, rows: std::ops::Range<u32>| {
        rows.flat_map(|y| (0..812).map(move |x| (x, y))).filter(|&(x, y)| picture.get_pixel(x, y).0[0] < 128).count()
    };
    assert!(ink(&picture, 110..470) > 5_000, "no RESTOCK in large letters");
    let mut scrap = label.clone();
    scrap.bin = Bin::Scrap;
    let scrap = decode_png(&png::png(&scrap).unwrap());
    assert_ne!(ink(&picture, 110..470), ink(&scrap, 110..470));
    assert_eq!(ink(&picture, 480..800), ink(&scrap, 480..800), "the barcode and number do not depend on the bin");
}

/// The rectangles of a PDF content stream as (x, y, width, height), in the order drawn.
fn rectangles(pdf: &str) -> Vec<[i64; 4]> {
    pdf.lines()
        .filter_map(|line| line.strip_suffix(" re"))
        .map(|numbers| {
            let n: Vec<i64> = numbers.split(' ').map(|n| n.parse().unwrap()).collect();
            [n[0], n[1], n[2], n[3]]
        })
        .collect()
}

#[test]
fn the_pdf_has_a_4_by_6_page_per_label_with_the_bars_and_the_bin_in_helvetica_bold() {
    let label = restock_label();
    let mut back = label.clone();
    (back.bin, back.index, back.count) = (Bin::ReturnToCustomer, 2, 2);
    let bytes = pdf::pdf(&[label.clone(), back]).unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    assert!(text.starts_with("%PDF-"), "{}", &text[..20]);
    assert!(text.trim_end().ends_with("%%EOF"));
    assert!(text.contains("/Count 2"), "two pages");
    assert_eq!(text.matches("/MediaBox [0 0 288 432]").count(), 2, "4 × 6 inches in points");
    assert!(text.contains("/BaseFont /Helvetica-Bold"));
    // Drawn in printer dots: one scale of 72/203 per page.
    assert_eq!(text.matches("0.3546798 0 0 0.3546798 0 0 cm").count(), 2, "{text}");
    assert!(text.contains("(RESTOCK) Tj"));
    assert!(text.contains("(RETURN TO) Tj") && text.contains("(CUSTOMER) Tj"));
    assert!(text.contains("(RMA-2026-0108) Tj"));

    // The first page's bars (190 dots high) rebuilt into modules: the RMA number's Code 128.
    let first_page = &text[..text.find("(RETURN TO) Tj").unwrap()];
    let bars: Vec<[i64; 4]> = rectangles(first_page).into_iter().filter(|r| r[3] == 190).collect();
    let origin = bars[0][0];
    let module = 3;
    let mut modules = Vec::new();
    for [x, y, width, _] in &bars {
        assert_eq!(*y, 1218 - 505 - 190, "bars on one line, measured from the page's foot");
        let start = ((x - origin) / module) as usize;
        modules.resize(start, 0);
        modules.resize(start + (width / module) as usize, 1);
    }
    assert_eq!(bits(&modules), bits(&code128_modules(&label.number).unwrap()));
}

// ----- printing -----

fn job() -> Vec<u8> {
    zpl::zpl(&[restock_label()]).unwrap().into_bytes()
}

#[test]
fn a_network_printer_receives_the_whole_job_on_its_raw_port() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let printer = std::thread::Builder::new()
        .name("test-printer".into())
        .spawn(move || {
            let (mut connection, _) = listener.accept().unwrap();
            let mut received = Vec::new();
            connection.read_to_end(&mut received).unwrap();
            received
        })
        .unwrap();
    let target = PrinterTarget::network(&address.to_string()).unwrap();
    send(&target, &job()).unwrap();
    assert_eq!(printer.join().unwrap(), job());
}

#[cfg(unix)]
#[test]
fn a_serial_printer_receives_the_exact_bytes_on_a_pseudo_terminal() {
    // The pair's own end of the printer's side stays open for the whole test: when the last one closes, the
    // line hangs up, and a read on the cable's other end reports the hang-up before the bytes still queued.
    let (mut master, slave) = TTYPort::pair().unwrap();
    let port = slave.name().unwrap();
    master.set_timeout(Duration::from_secs(10)).unwrap();
    let target = PrinterTarget::serial(&port, "9600").unwrap();
    // The job (under a kilobyte) fits the line's buffer: written whole before anyone reads it.
    send(&target, &job()).unwrap();
    let mut received = vec![0; job().len()];
    master.read_exact(&mut received).unwrap();
    assert_eq!(received, job());
    drop(slave);
}

#[test]
fn an_absent_printer_is_a_clear_error_naming_it() {
    // A port that was free a moment ago: nothing listens there now.
    let free = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let target = PrinterTarget::network(&free.to_string()).unwrap();
    let error = send(&target, &job()).unwrap_err();
    assert!(matches!(error, PrinterError::Connect { .. }), "{error:?}");
    let words = error.to_string();
    assert!(words.starts_with(&format!("label printer network printer {free}: cannot connect: ")), "{words}");
    assert!(words.ends_with("is it switched on, and is the setting right (Settings, F5)?"), "{words}");

    let target = PrinterTarget::serial("/dev/no-such-printer", "9600").unwrap();
    let words = send(&target, &job()).unwrap_err().to_string();
    assert!(
        words.starts_with("label printer serial port /dev/no-such-printer at 9600 baud: cannot connect"),
        "{words}"
    );
}

#[test]
fn printer_settings_parse_as_typed_and_as_stored_or_say_what_is_wrong() {
    let network = |host: &str, port| Ok(PrinterTarget::Network { host: host.into(), port });
    let table: &[(&str, Result<PrinterTarget, &str>)] = &[
        ("10.0.4.21:9100", network("10.0.4.21", 9100).map_err(|_: ()| "")),
        (" zebra-bench-1 ", network("zebra-bench-1", 9100).map_err(|_: ()| "")),
        ("zebra.local:6101", network("zebra.local", 6101).map_err(|_: ()| "")),
        ("[fd00::5]:9100", network("fd00::5", 9100).map_err(|_: ()| "")),
        ("", Err("the printer's address is empty: give host:port, e.g. 10.0.4.21:9100")),
        (
            "10.0.4.21:port",
            Err(
                "printer address \"10.0.4.21:port\": the port is not a number from 1 to 65535; give host:port, e.g. 10.0.4.21:9100",
            ),
        ),
        (
            "10.0.4.21:0",
            Err(
                "printer address \"10.0.4.21:0\": the port is not a number from 1 to 65535; give host:port, e.g. 10.0.4.21:9100",
            ),
        ),
        (
            "fd00::5",
            Err("printer address \"fd00::5\": an IPv6 address goes in brackets; give host:port, e.g. 10.0.4.21:9100"),
        ),
        // A serial port typed into the network field.
        (
            "/dev/ttyUSB0",
            Err(
                "printer address \"/dev/ttyUSB0\": the host is not a name or an address; give host:port, e.g. 10.0.4.21:9100",
            ),
        ),
    ];
    for (typed, expected) in table {
        let parsed = PrinterTarget::network(typed).map_err(|e| e.to_string());
        assert_eq!(parsed, expected.clone().map_err(str::to_owned), "{typed:?}");
    }
    assert_eq!(
        PrinterTarget::serial("/dev/ttyUSB0", ""),
        Ok(PrinterTarget::Serial { port: "/dev/ttyUSB0".into(), baud: 9600 })
    );
    assert_eq!(
        PrinterTarget::serial("", "9600").unwrap_err().to_string(),
        "the serial port is empty: give its path, e.g. /dev/ttyUSB0 or COM3"
    );
    assert_eq!(
        PrinterTarget::serial("/dev/ttyUSB0", "fast").unwrap_err().to_string(),
        "baud \"fast\" is not a speed: give a number such as 9600"
    );
    // Stored and read back as the same printer.
    for target in [
        PrinterTarget::Serial { port: "/dev/rma-printer".into(), baud: 19200 },
        PrinterTarget::Network { host: "10.0.4.21".into(), port: 9100 },
        PrinterTarget::Network { host: "fd00::5".into(), port: 9100 },
    ] {
        assert_eq!(PrinterTarget::from_setting(&target.setting()), Ok(Some(target.clone())), "{}", target.setting());
    }
    assert_eq!(PrinterTarget::from_setting("none"), Ok(None));
    assert_eq!(
        PrinterTarget::from_setting("lpt1").unwrap_err().to_string(),
        "stored label printer \"lpt1\" is not a printer setting (expected none, serial:PORT@BAUD or tcp:HOST:PORT)"
    );
}

#[test]
fn the_label_thread_prints_and_saves_off_the_caller_s_thread() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let printer = PrinterTarget::network(&listener.local_addr().unwrap().to_string()).unwrap();
    let (results, answers) = std::sync::mpsc::sync_channel(4);
    let worker = LabelWorker::spawn(results, Arc::new(|| {})).unwrap();
    let folder = tempfile::tempdir().unwrap();
    let labels = vec![restock_label()];
    worker.submit(1, LabelWork::Print { labels: labels.clone(), printer }).unwrap();
    let (mut connection, _) = listener.accept().unwrap();
    let mut received = Vec::new();
    connection.read_to_end(&mut received).unwrap();
    assert_eq!(received, job());
    let printed = answers.recv().unwrap();
    assert_eq!(printed.tag, 1);
    assert!(matches!(printed.outcome, Ok(LabelDone::Printed { labels: 1, .. })), "{:?}", printed.outcome);

    let inside = folder.path().join("labels");
    worker.submit(2, LabelWork::Save { labels, format: LabelFormat::Pdf, folder: inside.clone() }).unwrap();
    let saved = answers.recv().unwrap();
    let Ok(LabelDone::Saved(paths)) = saved.outcome else { panic!("{:?}", saved.outcome) };
    assert_eq!(paths, [inside.join("RMA-2026-0108-package-12.pdf")]);
    assert!(std::fs::read(&paths[0]).unwrap().starts_with(b"%PDF-"));
}

// ----- from the store -----

on_both!(a_decided_package_s_labels_come_from_what_the_store_saved);
fn a_decided_package_s_labels_come_from_what_the_store_saved(place: &Place) {
    let mut store = demo_on(place);
    // Two switches and two cable kits back; the power adapters not: a partial return, refunded.
    let (package, _) = decide_package(
        &mut *store,
        "RMA-2026-0108",
        |sheet| sheet.items.retain(|item| item.sku != "PSU-12V-2A"),
        date(TODAY),
        &stamp(),
    );
    let history = store.package_history(package).unwrap();
    let labels = labels_of(&history, merchant_name).unwrap();
    let expected = BinLabel { package_id: package, ..restock_label() };
    assert_eq!(labels, [expected]);

    // A package received but not decided has no label yet.
    let found = store.rmas_by_number("RMA-2026-0101").unwrap().remove(0);
    let received = ReceivedPackage {
        scanned_code: "RMA-2026-0101".into(),
        scanned_kind: "rma_number".into(),
        rma_id: Some(found.rma.id),
        order_id: None,
        note: String::new(),
        another_box: false,
    };
    let waiting = store.receive_package(&received, &stamp()).unwrap();
    let error = labels_of(&store.package_history(waiting).unwrap(), merchant_name).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("package #{waiting} has no decision yet: its bin label is printed once it is decided")
    );
}

on_both!(the_label_command_writes_each_format_from_a_real_database);
fn the_label_command_writes_each_format_from_a_real_database(place: &Place) {
    let mut store = demo_on(place);
    // The switch back as new, the cable kits used, all accepted: two bins, two labels.
    let (package, _) = decide_package(
        &mut *store,
        "RMA-2026-0101",
        |sheet| {
            for item in &mut sheet.items {
                item.state.condition = if item.sku == "KVM-4P-DP" { Condition::Unused } else { Condition::Used };
            }
        },
        date(TODAY),
        &stamp(),
    );
    let labels = labels_of(&store.package_history(package).unwrap(), merchant_name).unwrap();
    let bins: Vec<Bin> = labels.iter().map(|l| l.bin).collect();
    drop(store);
    let out = tempfile::tempdir().unwrap();
    let path = |name: &str| out.path().join(name);

    let zpl_file = path("label.zpl");
    let run = place.station(&["label", "rma-2026-0101", "--format", "zpl", "-o", zpl_file.to_str().unwrap()], "");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let names: Vec<&str> = labels.iter().map(|l| l.bin.words()).collect();
    assert_eq!(
        String::from_utf8_lossy(&run.stdout),
        format!(
            "rma-2026-0101: package #{package}, {} label(s) ({}) written to {}\n",
            labels.len(),
            names.join(", "),
            zpl_file.display()
        )
    );
    assert_eq!(std::fs::read_to_string(&zpl_file).unwrap(), zpl::zpl(&labels).unwrap());

    let png_file = path("label.png");
    let run = place.station(&["label", "CP-20101", "--format", "png", "-o", png_file.to_str().unwrap()], "");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(std::fs::read(&png_file).unwrap(), png::png(&labels[0]).unwrap());
    assert_eq!(std::fs::read(path("label-2.png")).unwrap(), png::png(&labels[1]).unwrap());

    let pdf_file = path("label.pdf");
    let run = place.station(&["label", &package.to_string(), "-o", pdf_file.to_str().unwrap()], "");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(std::fs::read(&pdf_file).unwrap(), pdf::pdf(&labels).unwrap());
    assert_eq!(bins, [Bin::Restock, Bin::Refurbish]);

    // What cannot be labelled says what and where, and writes nothing.
    let nowhere = path("nowhere.zpl");
    let run = place.station(&["label", "RMA-2099-9999", "-o", nowhere.to_str().unwrap()], "");
    assert!(!run.status.success());
    assert_eq!(
        String::from_utf8_lossy(&run.stderr).trim_end(),
        "rma-station: RMA-2099-9999: no package found by this number (an RMA, order or tracking number, or a package id)"
    );
    let missing = path("no-such-folder/label.pdf");
    let run = place.station(&["label", "RMA-2026-0101", "-o", missing.to_str().unwrap()], "");
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains(&missing.display().to_string()) && stderr.contains("does not exist"), "{stderr}");
    assert!(!nowhere.exists() && !missing.exists());
}

// ----- the window -----

/// Chooses `option` in the combo box labelled `label`.
fn choose(harness: &mut Harness<'static, StationApp>, label: &str, option: &str) {
    harness.get_by_label(label).click();
    harness.run();
    harness.get_by_label(option).click();
    harness.run();
}

on_both!(after_confirming_the_bench_shows_the_label_prints_it_on_the_network_printer_and_saves_it);
fn after_confirming_the_bench_shows_the_label_prints_it_on_the_network_printer_and_saves_it(place: &Place) {
    // A supervisor sets the printer up (a clerk may not: tests/gui_roles.rs), then works a return.
    let mut harness = demo_station_as(place, "dana", "246810");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();

    // Settings: a serial printer without its port is refused and saves nothing; the network printer's address
    // is saved for this station, in the database, audited.
    harness.key_press(eframe::egui::Key::F5);
    step_until(&mut harness, "the printer setting", |app| app.printer_view().saved == Some(None));
    harness.get_by_label("Bin labels print on: no printer set up (labels can still be saved as PNG or PDF)");
    choose(&mut harness, PRINTER_KIND, "serial port");
    harness.get_by_label(SAVE_PRINTER).click();
    harness.run();
    harness.get_by_label("the serial port is empty: give its path, e.g. /dev/ttyUSB0 or COM3");
    choose(&mut harness, PRINTER_KIND, "network (raw port 9100)");
    type_into(&mut harness, PRINTER_ADDRESS, &address);
    harness.get_by_label(SAVE_PRINTER).click();
    step_until(&mut harness, "the saved printer", |app| matches!(app.printer_view().saved, Some(Some(_))));
    harness.get_by_label(&format!("Bin labels print on: the network printer {address}"));
    {
        let store = place.open();
        assert_eq!(store.station_setting("bench-1", "label_printer").unwrap(), Some(format!("tcp:{address}")));
        let audit = store.audit_entries("station_setting", "label_printer@bench-1").unwrap();
        assert_eq!(audit.last().map(|e| e.action.as_str()), Some("setting_changed"));
    }

    // A return through the bench; once confirmed, intake shows its bin label.
    harness.key_press(eframe::egui::Key::Escape);
    harness.run();
    open_and_decide(&mut harness, "RMA-2026-0101", &["KVM-4P-DP", "CBL-KVM-USB-2M", "CBL-KVM-USB-2M"]);
    harness.key_press(eframe::egui::Key::Enter);
    step_until(&mut harness, "the label and its preview", |app| {
        app.screen() == Screen::Intake && app.label_panel(Screen::Intake).is_some_and(|p| p.previews.len() == 1)
    });
    let words = "RESTOCK: 1 x KVM-4P-DP, 2 x CBL-KVM-USB-2M";
    harness.get_by_label(words);
    harness.get_by_label(&format!("label preview: {words}"));
    let labels = harness.state().label_panel(Screen::Intake).unwrap().labels.clone();

    // Print: the ZPL reaches the printer's raw port.
    let printer = std::thread::Builder::new()
        .name("test-printer".into())
        .spawn(move || {
            let (mut connection, _) = listener.accept().unwrap();
            let mut received = Vec::new();
            connection.read_to_end(&mut received).unwrap();
            received
        })
        .unwrap();
    harness.get_by_label(PRINT_LABEL).click();
    step_until(&mut harness, "the printed label", |app| {
        app.label_panel(Screen::Intake).is_some_and(|p| p.message.as_ref().is_some_and(|(good, _)| *good))
    });
    assert_eq!(printer.join().unwrap(), zpl::zpl(&labels).unwrap().into_bytes());
    harness.get_by_label(&format!("1 label(s) sent to the network printer {address}"));

    // Save as PDF: into the station's labels folder, named by the package.
    harness.get_by_label(SAVE_PDF).click();
    step_until(&mut harness, "the saved label", |app| {
        app.label_panel(Screen::Intake).is_some_and(|p| p.message.as_ref().is_some_and(|(_, m)| m.starts_with("saved")))
    });
    let package = labels[0].package_id;
    let file = place.dir().join("labels").join(format!("RMA-2026-0101-package-{package}.pdf"));
    assert_eq!(std::fs::read(&file).unwrap(), pdf::pdf(&labels).unwrap());
    harness.get_by_label(&format!("saved: {}", file.display()));

    // The record shows the same label for a reprint.
    harness.key_press(eframe::egui::Key::F4);
    harness.run();
    type_into(&mut harness, FIND_FIELD, "RMA-2026-0101");
    harness.key_press(eframe::egui::Key::Enter);
    step_until(&mut harness, "the record's label", |app| {
        app.label_panel(Screen::Records).is_some_and(|p| p.labels == labels && p.previews.len() == 1)
    });
    harness.get_by_label(words);
}

on_both!(without_a_printer_the_label_can_still_be_saved_and_print_says_where_to_set_one);
fn without_a_printer_the_label_can_still_be_saved_and_print_says_where_to_set_one(place: &Place) {
    let mut harness = demo_station(place);
    let mut store = place.open();
    decide_package(&mut *store, "KN-RMA-0201", |_| {}, crate::support::clock().now().today, &stamp());
    drop(store);
    harness.key_press(eframe::egui::Key::F4);
    harness.run();
    type_into(&mut harness, FIND_FIELD, "KN-RMA-0201");
    harness.key_press(eframe::egui::Key::Enter);
    // The buttons wait for the preview: what is saved is what was seen.
    step_until(&mut harness, "the record's label and its preview", |app| {
        app.label_panel(Screen::Records).is_some_and(|p| p.previews.len() == 1)
    });
    harness.get_by_label("no label printer is set up (Settings, F5): save the label as PDF to print it");
    assert!(harness.get_by_label(PRINT_LABEL).accesskit_node().is_disabled(), "Print without a printer");
    harness.get_by_label(SAVE_PNG).click();
    step_until(&mut harness, "the saved picture", |app| {
        app.label_panel(Screen::Records).is_some_and(|p| p.message.as_ref().is_some_and(|(good, _)| *good))
    });
    let labels = harness.state().label_panel(Screen::Records).unwrap().labels.clone();
    let file = place.dir().join("labels").join(format!("KN-RMA-0201-package-{}.png", labels[0].package_id));
    assert_eq!(std::fs::read(&file).unwrap(), png::png(&labels[0]).unwrap());
}
