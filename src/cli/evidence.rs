//! `rma-station evidence RMA-NUMBER -o FILE`: the evidence packet of an RMA's latest decision, as a PDF.
//!
//! The packet is gathered and written on the storage thread (see `crate::evidence`), audited on the
//! decision, and the command says where it went, how many pages and photos it holds and its SHA-256.

use std::path::{Path, PathBuf};

use crate::cli::{CliError, OutputFile, print};
use crate::evidence::{PacketTarget, decision_for_rma, write_packet};
use crate::photos::store::PhotoFolder;
use crate::storage::Stamp;
use crate::storage::worker::StorageClient;

/// Writes the packet of the latest decision of RMA `number` (of `merchant`, if given) to `output`: once the
/// decision is found, and only if `output` is not one of the station's files nor, without `--force`, an
/// existing file.
pub(super) fn run(
    store: &StorageClient,
    photos: &Path,
    number: &str,
    merchant: Option<String>,
    output: OutputFile<'_>,
    stamp: Stamp,
) -> Result<(), CliError> {
    let wanted = number.to_owned();
    let decision = store.call(move |s| decision_for_rma(&*s, &wanted, merchant.as_deref()))??;
    output.check(output.path)?;
    let (folder, target): (PhotoFolder, PathBuf) = (PhotoFolder::new(photos), output.path.to_path_buf());
    let receipt = store.call(move |s| write_packet(s, &folder, decision, PacketTarget::File(&target), &stamp))??;
    print(&format!(
        "{receipt}\nSHA-256 {}, {} bytes, audited on decision {}\n",
        receipt.sha256, receipt.bytes, receipt.decision_id
    ))
}
