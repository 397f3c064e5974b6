//! Code 128 as bars: the modules of a code (barcoders' encoding, code set B) and their dark runs, for
//! everything the station draws itself (the bench sheet, bin labels as PNG and PDF). A Zebra printer
//! encodes its own barcodes from ZPL; the code set is the same, so the bars are too.

use barcoders::sym::code128::Code128;

/// Why a text cannot be a Code 128 barcode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot encode {code:?} as Code 128: {reason}")]
pub struct BarcodeError {
    pub code: String,
    pub reason: String,
}

/// The Code 128 modules of `text` (1 dark, 0 light), from start character to stop pattern, in code set B
/// (`Ɓ` tells barcoders which set to start in).
pub fn code128_modules(text: &str) -> Result<Vec<u8>, BarcodeError> {
    let barcode =
        Code128::new(format!("Ɓ{text}")).map_err(|e| BarcodeError { code: text.to_owned(), reason: e.to_string() })?;
    Ok(barcode.encode())
}

/// The dark runs of a module pattern as (first module, width in modules).
pub fn bars(modules: &[u8]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, &module) in modules.iter().chain([&0]).enumerate() {
        match (module == 1, start) {
            (true, None) => start = Some(i),
            (false, Some(first)) => {
                runs.push((first, i - first));
                start = None;
            }
            _ => {}
        }
    }
    runs
}
