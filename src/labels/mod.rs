//! Bin labels: for each decided package, one label per warehouse bin its units go to, with the bin in
//! large letters and the package's number as Code 128. As ZPL for Zebra thermal printers, as PNG and PDF
//! for ordinary printers and the screen, and sent to the bench's label printer.
//!
//! A label is built from what the store saved ([`labels_of`]: the latest decision and its inspection
//! sheet, sorted into bins by `crate::domain::bin`), so a label printed at the bench, reprinted from the
//! records screen or written by `rma-station label` is the same. The label is 4 × 6 inches at 203 dpi,
//! laid out once ([`layout`]) and drawn by each format. Nothing here touches the database; the `labels`
//! thread ([`worker`]) renders, writes files and talks to the printer so the window never does.

pub mod barcode;
pub mod layout;
pub mod pdf;
pub mod png;
pub mod printer;
pub mod worker;
pub mod zpl;

use std::path::{Path, PathBuf};

use crate::formats::case_json::RecordedDecision;
use chrono::NaiveDate;

use crate::domain::bin::{LineUnits, sort_into_bins};
use crate::domain::vocabulary::{Bin, Disposition, Verdict};
use crate::durable::{WriteError, write_file_atomically};
use crate::storage::PackageHistory;

/// One bin label: what it says, for any format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinLabel {
    /// The merchant's name, as its policy gives it.
    pub merchant: String,
    /// What the barcode carries: the RMA number, or the order number of a package that came without one.
    /// Intake finds the package's RMA by either.
    pub number: String,
    pub order_number: String,
    pub package_id: i64,
    pub decided_on: NaiveDate,
    pub verdict: Verdict,
    pub disposition: Disposition,
    /// The bench that decided it.
    pub station: String,
    pub bin: Bin,
    /// Units that go to this bin, per SKU.
    pub units: Vec<(String, u32)>,
    /// This label's place among the package's labels (1-based) and how many there are.
    pub index: usize,
    pub count: usize,
}

/// The formats a label is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelFormat {
    /// ZPL II for Zebra thermal printers.
    Zpl,
    /// A picture at the printer's 203 dpi, one file per label.
    Png,
    /// One page per label, 4 × 6 inches.
    Pdf,
}

impl LabelFormat {
    pub fn extension(self) -> &'static str {
        match self {
            LabelFormat::Zpl => "zpl",
            LabelFormat::Png => "png",
            LabelFormat::Pdf => "pdf",
        }
    }
}

/// Why a label could not be made, written, or printed; each says what and where.
#[derive(Debug, thiserror::Error)]
pub enum LabelError {
    #[error("package #{package} has no decision yet: its bin label is printed once it is decided")]
    NotDecided { package: i64 },
    #[error("package #{package}: no unit arrived, so nothing goes to a bin and there is no label")]
    NothingArrived { package: i64 },
    #[error("decision {decision}: its saved record cannot be read for a label: {detail}")]
    SavedDecision { decision: i64, detail: String },
    #[error("{0}")]
    Barcode(#[from] barcode::BarcodeError),
    #[error("the label picture could not be made: {0}")]
    Render(String),
    #[error("{0}")]
    Write(#[from] WriteError),
    #[error("{}: cannot create the folder: {reason}", path.display())]
    Folder { path: PathBuf, reason: String },
    #[error("{0}")]
    Printer(#[from] printer::PrinterError),
}

/// The labels of a package as the store holds it: its latest decision with the inspection sheet that
/// decision was made on. `merchant_name` gives a merchant id's display name.
pub fn labels_of(
    history: &PackageHistory,
    merchant_name: impl Fn(&str) -> String,
) -> Result<Vec<BinLabel>, LabelError> {
    let package = history.package.id;
    let decision = history.decisions.last().ok_or(LabelError::NotDecided { package })?;
    let unreadable = |detail: String| LabelError::SavedDecision { decision: decision.id, detail };
    let saved = RecordedDecision::parse(&decision.decision_json).map_err(|e| unreadable(e.to_string()))?;
    let sheet =
        history.inspections.iter().find(|(id, _)| *id == decision.inspection_id).map(|(_, sheet)| sheet).ok_or_else(
            || unreadable(format!("its inspection {} is not in the package's history", decision.inspection_id)),
        )?;
    let lines: Vec<LineUnits> = saved
        .lines
        .into_iter()
        .map(|line| LineUnits { sku: line.sku, ordered: line.ordered, accepted: line.accepted, refused: line.refused })
        .collect();
    let groups = sort_into_bins(decision.disposition, &lines, sheet);
    if groups.is_empty() {
        return Err(LabelError::NothingArrived { package });
    }
    let count = groups.len();
    let merchant = merchant_name(&saved.merchant);
    let number = saved.rma.clone().unwrap_or_else(|| saved.order.clone());
    Ok(groups
        .into_iter()
        .enumerate()
        .map(|(i, group)| BinLabel {
            merchant: merchant.clone(),
            number: number.clone(),
            order_number: saved.order.clone(),
            package_id: package,
            decided_on: decision.decided_on,
            verdict: decision.verdict,
            disposition: decision.disposition,
            station: decision.station.clone(),
            bin: group.bin,
            units: group.units,
            index: i + 1,
            count,
        })
        .collect())
}

/// A package's labels in `format`, as files: ZPL and PDF hold every label in one file; PNG is one picture
/// per label.
pub fn render(labels: &[BinLabel], format: LabelFormat) -> Result<Vec<Vec<u8>>, LabelError> {
    match format {
        LabelFormat::Zpl => Ok(vec![zpl::zpl(labels)?.into_bytes()]),
        LabelFormat::Pdf => Ok(vec![pdf::pdf(labels)?]),
        LabelFormat::Png => labels.iter().map(png::png).collect(),
    }
}

/// The files [`write`] writes for `path`: `path` itself, and for PNG a second label and later ones beside it
/// as `NAME-2.png`, `NAME-3.png`…
pub fn files(labels: &[BinLabel], format: LabelFormat, path: &Path) -> Vec<PathBuf> {
    let count = match format {
        LabelFormat::Zpl | LabelFormat::Pdf => 1,
        LabelFormat::Png => labels.len(),
    };
    (0..count).map(|i| if i == 0 { path.to_path_buf() } else { numbered(path, i + 1) }).collect()
}

/// Writes a package's labels in `format` to `path` ([`files`]), each atomically. Returns the files written.
pub fn write(labels: &[BinLabel], format: LabelFormat, path: &Path) -> Result<Vec<PathBuf>, LabelError> {
    let mut written = Vec::new();
    for (target, bytes) in files(labels, format, path).into_iter().zip(render(labels, format)?) {
        write_file_atomically(&target, &bytes)?;
        written.push(target);
    }
    Ok(written)
}

/// `label.png` → `label-2.png`.
fn numbered(path: &Path, number: usize) -> PathBuf {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let name = match path.extension() {
        Some(ext) => format!("{stem}-{number}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{number}"),
    };
    path.with_file_name(name)
}

/// The file a package's labels are saved to in the station's labels folder: `RMA-2026-0108-package-12.pdf`.
/// The name is made of the package's number with anything but letters, digits and `-` replaced, so a
/// number from an import can never climb out of the folder.
pub fn file_in(folder: &Path, labels: &[BinLabel], format: LabelFormat) -> PathBuf {
    let (number, package) = labels.first().map_or((String::new(), 0), |l| (l.number.clone(), l.package_id));
    let safe: String = number.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    folder.join(format!("{safe}-package-{package}.{}", format.extension()))
}
