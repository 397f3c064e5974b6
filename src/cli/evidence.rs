//! `rma-station evidence RMA-NUMBER -o FILE`: the evidence packet of an RMA's latest decision, as a PDF.
//!
//! The packet is gathered and written on the storage thread (see `crate::evidence`), audited on the
//! decision, and the command says where it went, how many pages and photos it holds and its SHA-256.

use std::path::{Path, PathBuf};

use crate::cli::{CliError, print};
use crate::evidence::{PacketTarget, decision_for_rma, write_packet};
use crate::photos::store::PhotoFolder;
use crate::storage::Stamp;
use crate::storage::worker::StorageClient;

/// Writes the packet of the latest decision of RMA `number` (of `merchant`, if given) to `output`.
pub(super) fn run(
    store: &StorageClient,
    photos: &Path,
    number: &str,
    merchant: Option<String>,
    output: &Path,
    stamp: Stamp,
) -> Result<(), CliError> {
    let (folder, number, output): (PhotoFolder, String, PathBuf) =
        (PhotoFolder::new(photos), number.to_owned(), output.to_path_buf());
    let receipt = store.call(move |s| {
        let decision = decision_for_rma(&*s, &number, merchant.as_deref())?;
        write_packet(s, &folder, decision, PacketTarget::File(&output), &stamp)
    })??;
    print(&format!(
        "{receipt}\nSHA-256 {}, {} bytes, audited on decision {}\n",
        receipt.sha256, receipt.bytes, receipt.decision_id
    ))
}
