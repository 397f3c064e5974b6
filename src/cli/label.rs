//! `rma-station label NUMBER --format zpl|png|pdf -o FILE`: a decided package's bin labels as a file, for a
//! printer the station does not drive itself (ZPL copied to a Zebra, PDF for an office printer).
//!
//! The number is anything the records screen finds a package by (RMA, order, tracking, package id); the
//! newest decided package it finds is labelled. The labels come from what the store saved, exactly as the
//! window prints them.

use super::{CliError, OutputFile, print};
use crate::labels::{LabelFormat, files, labels_of, write};
use crate::policies::PolicySet;
use crate::storage::worker::StorageClient;
use crate::storage::{PackageStage, StoreError};

/// How many packages one number may find; the newest decided one is labelled.
const FIND_LIMIT: usize = 100;

/// The formats on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum Format {
    /// ZPL II for a Zebra thermal printer (all labels in one job).
    Zpl,
    /// A 203 dpi picture per label (NAME.png, NAME-2.png…).
    Png,
    /// One 4 × 6 inch page per label.
    Pdf,
}

impl From<Format> for LabelFormat {
    fn from(format: Format) -> LabelFormat {
        match format {
            Format::Zpl => LabelFormat::Zpl,
            Format::Png => LabelFormat::Png,
            Format::Pdf => LabelFormat::Pdf,
        }
    }
}

/// Writes the labels of the package `number` finds and says what was written where. Every file is checked
/// before the first is written: none is one of the station's files nor, without `--force`, an existing file.
pub(super) fn run(
    store: &StorageClient,
    policies: &PolicySet,
    number: &str,
    format: Format,
    output: OutputFile<'_>,
) -> Result<(), CliError> {
    let wanted = number.to_owned();
    let history = store.call(move |store| -> Result<_, StoreError> {
        let found = store.find_packages(&wanted, FIND_LIMIT)?;
        let Some(package) = found.iter().find(|p| matches!(p.stage, PackageStage::Decided(_))).or(found.first()) else {
            return Ok(None);
        };
        store.package_history(package.id).map(Some)
    })??;
    let history = history.ok_or_else(|| CliError::NoPackage { number: number.to_owned() })?;
    let name = |id: &str| policies.get(id).map_or_else(|| id.to_owned(), |loaded| loaded.policy.merchant.name.clone());
    let labels = labels_of(&history, name)?;
    for file in files(&labels, format.into(), output.path) {
        output.check(&file)?;
    }
    let written = write(&labels, format.into(), output.path)?;
    let bins: Vec<&str> = labels.iter().map(|label| label.bin.words()).collect();
    let files: Vec<String> = written.iter().map(|path| path.display().to_string()).collect();
    print(&format!(
        "{number}: package #{}, {} label(s) ({}) written to {}\n",
        history.package.id,
        labels.len(),
        bins.join(", "),
        files.join(", ")
    ))
}
