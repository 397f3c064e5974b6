//! Bench commands: which scanned codes the scan field obeys (near misses are not commands), and the
//! bench sheet the real binary prints them on, checked down to the Code 128 modules of its bars.

use std::path::Path;

use barcoders::sym::code128::Code128;
use regex::Regex;
use rma_station::domain::scan::BenchCommand;
use rma_station::domain::scan::command::PREFIX;

use crate::support::run_station;

#[test]
fn command_codes_parse_trimmed_and_case_insensitive_and_near_misses_do_not() {
    let table: &[(&str, Option<BenchCommand>)] = &[
        ("RMA-STATION:CONFIRM", Some(BenchCommand::Confirm)),
        ("RMA-STATION:NEXT-ITEM", Some(BenchCommand::NextItem)),
        ("RMA-STATION:PHOTO", Some(BenchCommand::Photo)),
        ("RMA-STATION:HOLD", Some(BenchCommand::Hold)),
        ("RMA-STATION:BACK", Some(BenchCommand::Back)),
        ("rma-station:confirm", Some(BenchCommand::Confirm)),
        ("Rma-Station:Next-Item", Some(BenchCommand::NextItem)),
        ("  RMA-STATION:HOLD  ", Some(BenchCommand::Hold)),
        ("RMA-STATION:BACK\r\n", Some(BenchCommand::Back)),
        ("\tRMA-STATION:PHOTO\n", Some(BenchCommand::Photo)),
        // Near misses.
        ("", None),
        ("   ", None),
        ("CONFIRM", None),
        ("RMA-STATION:", None),
        ("RMA-STATION", None),
        ("RMA-STATION:CONFIRMED", None),
        ("RMA-STATION:CONFIRM!", None),
        ("XRMA-STATION:CONFIRM", None),
        ("RMA-STATION:CONFIRM RMA-STATION:CONFIRM", None),
        ("RMA-STATION: CONFIRM", None),
        ("RMA-STATION :CONFIRM", None),
        ("RMA-STATION::CONFIRM", None),
        ("RMA-STATION;CONFIRM", None),
        ("RMA_STATION:CONFIRM", None),
        ("RMASTATION:CONFIRM", None),
        ("RMA-STATION:NEXT ITEM", None),
        ("RMA-STATION:NEXTITEM", None),
        ("RMA-STATION:NEXT_ITEM", None),
        ("RMA-STATION:NEXT", None),
        ("RMA-STATION:ITEM", None),
        ("RMA-STATION:PHOTOS", None),
        ("RMA-STATION:HOL", None),
        ("RMA-STATION:GO-BACK", None),
        ("RMA-STAT1ON:BACK", None),
        ("RMA-STATION:C0NFIRM", None),
        // Only ASCII letters fold: a dotless ı or a Kelvin sign is not an i or a K.
        ("rma-statıon:confirm", None),
        ("RMA-STATION:BAC\u{212A}", None),
        ("RMA-STATION:CONFIRM\u{0}", None),
        ("]C0RMA-STATION:CONFIRM", None),
        ("RMA-12345", None),
    ];
    for (code, expected) in table {
        assert_eq!(BenchCommand::parse(code), *expected, "{code:?}");
    }
}

#[test]
fn every_command_round_trips_through_its_code_and_has_its_own_label() {
    let mut labels = Vec::new();
    for command in BenchCommand::ALL {
        assert!(command.code().starts_with(PREFIX), "{}", command.code());
        assert_eq!(BenchCommand::parse(command.code()), Some(command));
        assert_eq!(BenchCommand::parse(&command.code().to_lowercase()), Some(command));
        assert!(!labels.contains(&command.label()), "{} twice", command.label());
        labels.push(command.label());
    }
    assert_eq!(labels, ["Confirm", "Next item", "Photo", "Hold", "Back"]);
}

/// The modules of one barcode group of the sheet (1 dark, 0 light), rebuilt from its bars: rectangles
/// in tenths of a millimetre, 0.5 mm (5) to the module, all 22 mm (220) high on one line.
fn modules_of(svg: &str, code: &str) -> Vec<u8> {
    let group = Regex::new(&format!(
        r##"(?s)<g class="barcode" data-code="{}" fill="#000000" stroke="none">(.*?)</g>"##,
        regex::escape(code)
    ))
    .unwrap();
    let bars = group.captures(svg).unwrap_or_else(|| panic!("no barcode group for {code}"))[1].to_owned();
    let rect = Regex::new(r#"^<rect x="(\d+)" y="(\d+)" width="(\d+)" height="220"/>"#).unwrap();
    let mut modules = Vec::new();
    let mut origin_and_top = None;
    let mut rest = bars.as_str();
    while let Some(found) = rect.captures(rest) {
        let [x, y, width] = [1, 2, 3].map(|i| found[i].parse::<usize>().unwrap());
        let (origin, top) = *origin_and_top.get_or_insert((x, y));
        assert_eq!(y, top, "the bars of {code} are not on one line");
        assert!((x - origin) % 5 == 0 && width % 5 == 0, "a bar of {code} is not whole modules: x {x}, width {width}");
        let (start, length) = ((x - origin) / 5, width / 5);
        assert!(start > modules.len() || modules.is_empty(), "bars of {code} overlap or touch at module {start}");
        modules.resize(start, 0);
        modules.resize(start + length, 1);
        rest = &rest[found[0].len()..];
    }
    assert!(rest.is_empty(), "unexpected markup in the barcode of {code}: {rest}");
    modules
}

fn bits(modules: &[u8]) -> String {
    modules.iter().map(|m| if *m == 1 { '1' } else { '0' }).collect()
}

fn write_sheet(folder: &Path) -> (String, String) {
    let output = folder.join("bench-sheet.svg");
    let out = run_station(&["bench-sheet", "-o", &output.display().to_string()], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (String::from_utf8(out.stdout).unwrap(), std::fs::read_to_string(&output).unwrap())
}

#[test]
fn the_bench_sheet_prints_every_command_as_code_128_with_its_label() {
    let folder = tempfile::tempdir().unwrap();
    let (stdout, svg) = write_sheet(folder.path());
    let output = folder.path().join("bench-sheet.svg");
    assert_eq!(
        stdout,
        format!("{}: bench sheet with 5 commands; print it at 100% scale (actual size)\n", output.display())
    );
    // Written atomically: the sheet and nothing else is left in the folder.
    let names: Vec<String> = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["bench-sheet.svg"]);

    // One A4 page in millimetres, with its title.
    assert!(svg.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains(r#"width="210mm" height="297mm" viewBox="0 0 2100 2970""#));
    assert!(svg.contains(">RMA Station — bench commands</text>"));
    assert!(svg.trim_end().ends_with("</svg>"));

    assert_eq!(svg.matches("<g class=\"barcode\"").count(), BenchCommand::ALL.len());
    for command in BenchCommand::ALL {
        assert_eq!(svg.matches(&format!("data-code=\"{}\"", command.code())).count(), 1, "{}", command.code());
        assert!(svg.contains(&format!(">{}</text>", command.label())), "label {}", command.label());
        // The bars are barcoders' Code 128 encoding of the command in code set B, bar for bar.
        let encoded = Code128::new(format!("Ɓ{}", command.code())).unwrap().encode();
        assert_eq!(bits(&modules_of(&svg, command.code())), bits(&encoded), "{}", command.code());
    }

    // Independently of barcoders: Start B first, the stop pattern last, 11 modules per character.
    let confirm = bits(&modules_of(&svg, "RMA-STATION:CONFIRM"));
    assert!(confirm.starts_with("11010010000"), "{confirm}");
    assert!(confirm.ends_with("1100011101011"), "{confirm}");
    // Start, 19 characters, check character (11 modules each), stop (13).
    assert_eq!(confirm.len(), 11 + 19 * 11 + 11 + 13);
    // "R" in code set B is 11000101110, right after the start character.
    assert_eq!(&confirm[11..22], "11000101110");
}

#[test]
fn the_sheet_in_the_hardware_folder_is_what_the_command_writes() {
    let folder = tempfile::tempdir().unwrap();
    let (_, svg) = write_sheet(folder.path());
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("hardware/bench-sheet.svg");
    let committed = std::fs::read_to_string(&committed).unwrap();
    assert!(
        committed == svg,
        "hardware/bench-sheet.svg is stale: regenerate it with `rma-station bench-sheet -o hardware/bench-sheet.svg`"
    );
}

#[test]
fn a_sheet_for_a_missing_folder_names_the_path() {
    let folder = tempfile::tempdir().unwrap();
    let output = folder.path().join("no-such-folder/bench-sheet.svg");
    let out = run_station(&["bench-sheet", "-o", &output.display().to_string()], "");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&output.display().to_string()), "{stderr}");
    assert!(stderr.contains("does not exist"), "{stderr}");
}
