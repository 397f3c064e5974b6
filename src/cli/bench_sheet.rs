//! `rma-station bench-sheet -o FILE.svg`: the bench commands as Code 128 barcodes on one A4 page.
//!
//! Each [`BenchCommand`] is encoded by `barcoders` (Code 128, code set B, see `crate::labels::barcode`) and drawn as one black
//! rectangle per bar (modules of 0.5 mm), with a quiet zone of 10 modules each side and its label in
//! large type underneath. The page is 210 × 297 mm; all coordinates are whole tenths of a
//! millimetre, so no float arithmetic is needed and the printout measures true at 100 % scale. The
//! file is written atomically.

use std::path::Path;

use crate::cli::{CliError, print};
use crate::domain::scan::BenchCommand;
use crate::durable::write_file_atomically;
use crate::labels::barcode::{bars, code128_modules};

/// The page in tenths of a millimetre (A4 portrait).
const PAGE_WIDTH: usize = 2100;
const PAGE_HEIGHT: usize = 2970;
/// One Code 128 module (the narrowest bar): 0.5 mm, easy for any scanner at arm's length.
const MODULE: usize = 5;
/// Code 128 asks for at least 10 modules of white either side of the bars.
const QUIET_ZONE_MODULES: usize = 10;
/// The bars' height: 22 mm.
const BAR_HEIGHT: usize = 220;
/// Where the first command's bars begin, and the distance from one command to the next.
const FIRST_TOP: usize = 440;
const PITCH: usize = 480;

/// The sheet's title.
pub const TITLE: &str = "RMA Station — bench commands";

/// Writes the bench sheet to `output` and says where it went.
pub fn run(output: &Path) -> Result<(), CliError> {
    let svg = bench_sheet_svg()?;
    write_file_atomically(output, svg.as_bytes())?;
    print(&format!(
        "{}: bench sheet with {} commands; print it at 100% scale (actual size)\n",
        output.display(),
        BenchCommand::ALL.len()
    ))
}

/// The whole page as SVG text.
fn bench_sheet_svg() -> Result<String, CliError> {
    let mut svg = String::new();
    let centre = PAGE_WIDTH / 2;
    let sans = "font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\"";
    svg.push_str(&format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"210mm\" height=\"297mm\" \
         viewBox=\"0 0 {PAGE_WIDTH} {PAGE_HEIGHT}\">\n\
         <title>{title}</title>\n\
         <rect width=\"{PAGE_WIDTH}\" height=\"{PAGE_HEIGHT}\" fill=\"#ffffff\"/>\n\
         <text x=\"{centre}\" y=\"260\" {sans} font-size=\"80\" font-weight=\"bold\" text-anchor=\"middle\">{title}</text>\n\
         <text x=\"{centre}\" y=\"340\" {sans} font-size=\"36\" text-anchor=\"middle\">\
         Scan a command instead of reaching for the keyboard. Print at 100% scale (actual size).</text>\n",
        title = escape(TITLE),
    ));
    let mut top = FIRST_TOP;
    for command in BenchCommand::ALL {
        command_block(&mut svg, command, top)?;
        top += PITCH;
    }
    svg.push_str(&format!(
        "<text x=\"{centre}\" y=\"2880\" {sans} font-size=\"28\" text-anchor=\"middle\" fill=\"#555555\">\
         Regenerate: rma-station bench-sheet -o hardware/bench-sheet.svg</text>\n</svg>\n"
    ));
    Ok(svg)
}

/// One command: its bars, centred on the page with their quiet zones, the label and the code in type.
fn command_block(svg: &mut String, command: BenchCommand, top: usize) -> Result<(), CliError> {
    let modules = code128_modules(command.code()).map_err(|e| CliError::Barcode { code: e.code, reason: e.reason })?;
    let width = modules.len() * MODULE;
    let quiet = QUIET_ZONE_MODULES * MODULE;
    let left = PAGE_WIDTH.saturating_sub(width) / 2;
    debug_assert!(left >= quiet, "{} does not fit the page with its quiet zone", command.code());
    let centre = PAGE_WIDTH / 2;
    let code = escape(command.code());
    svg.push_str(&format!(
        "<g class=\"bench-command\" id=\"{id}\">\n<g class=\"barcode\" data-code=\"{code}\" fill=\"#000000\" stroke=\"none\">",
        id = command.code().to_ascii_lowercase().replace(':', "-"),
    ));
    // Plain rectangles in page units, no transform: every SVG reader and print path draws them alike.
    for (start, length) in bars(&modules) {
        svg.push_str(&format!(
            "<rect x=\"{}\" y=\"{top}\" width=\"{}\" height=\"{BAR_HEIGHT}\"/>",
            left + start * MODULE,
            length * MODULE
        ));
    }
    let label_y = top + BAR_HEIGHT + 115;
    let code_y = label_y + 60;
    svg.push_str(&format!(
        "</g>\n\
         <text class=\"label\" x=\"{centre}\" y=\"{label_y}\" font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\" \
         font-size=\"100\" font-weight=\"bold\" text-anchor=\"middle\">{label}</text>\n\
         <text class=\"code\" x=\"{centre}\" y=\"{code_y}\" font-family=\"DejaVu Sans Mono, Consolas, monospace\" \
         font-size=\"35\" text-anchor=\"middle\">{code}</text>\n\
         </g>\n",
        label = escape(command.label()),
    ));
    Ok(())
}

/// Text for SVG (XML) content and attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}
