//! Evidence packets (issue 7): for a decided package, a PDF for whoever comes next — the customer told no,
//! the merchant, a carrier handling a damage claim — showing what was received and its condition, the
//! decision and each reason in the merchant's own words, the photos themselves with their SHA-256, who
//! decided it where and when, and the decision's place in the audit chain so it can be checked later.
//!
//! Layered: `text` (fonts, encoding, wrapping) and `pdf` (layout and the file's bytes) are pure and take a
//! plain [`EvidencePacket`]. This module assembles that packet from the store ([`Store::evidence_record`])
//! and the bench's originals (each read back and checked against its hash, from the photo folder or, where the
//! store shares photos, fetched from it into the folder: `crate::photos::originals`) and writes it like the
//! queue exports: atomically, then audited on the decision with the file's SHA-256. The CLI runs the three
//! steps in a row ([`write_packet`]); the window reads the record on the storage thread, writes the file on
//! its `files` thread and audits it on the storage thread again, so a packet of large photos never holds
//! up the next scan's lookup.
//!
//! Any decided package can have a packet on request. A packet is also written without asking, into
//! `exports/evidence/`, for every denial (whole or in part) and every shipping-damage claim
//! ([`written_automatically`]): those are the decisions someone will dispute.

mod images;
pub mod pdf;
pub mod text;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::domain::decision::Decision;
use crate::domain::vocabulary::{RmaKind, Verdict};
use crate::durable::{WriteError, write_file_atomically};
use crate::formats::case_json::RecordedDecision;
use crate::hex::sha256_hex;
use crate::photos::originals::{InStore, Originals};
use crate::photos::store::{PhotoFolder, PhotoHash};
use crate::storage::{EvidenceRecord, Stamp, Store, StoreError};

/// Everything a packet shows, as plain data.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidencePacket {
    pub record: EvidenceRecord,
    /// The decision as recorded when it was confirmed: its reasons are the merchant's words of that day.
    pub decision: RecordedDecision,
    /// Each photo's original bytes, by SHA-256 (a photo at two checkpoints is one file).
    pub originals: BTreeMap<String, Vec<u8>>,
    /// Who asked for the packet, where and when (printed on every page).
    pub generated: Stamp,
}

/// Why a packet was not written; each says what to do. Nothing is changed by a packet that fails.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error("RMA {number}: no RMA has this number{}", merchant.as_ref().map(|m| format!(" for merchant {m}")).unwrap_or_default())]
    UnknownRma { number: String, merchant: Option<String> },
    #[error("RMA {number}: merchants {merchants} each have an RMA with this number; say which with --merchant")]
    AmbiguousRma { number: String, merchants: String },
    #[error("RMA {number}: not decided yet; a packet shows a decision, so confirm one at the bench first")]
    NotDecided { number: String },
    #[error(
        "decision {decision_id}: its record is not the decision JSON the station writes ({detail}); no packet was written"
    )]
    Record { decision_id: i64, detail: String },
    #[error(
        "photo {sha256} ({checkpoint}) of decision {decision_id}: {problem}; no packet was written (`rma-station verify` checks every photo)"
    )]
    Photo { decision_id: i64, sha256: String, checkpoint: String, problem: String },
    #[error("{}: cannot create the folder for evidence packets: {source}", path.display())]
    Folder { path: PathBuf, source: std::io::Error },
    #[error("{0}")]
    Write(#[from] WriteError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{}: the evidence packet was written, but its audit entry was not: {source}", path.display())]
    NotAudited { path: PathBuf, source: StoreError },
}

/// Where a packet goes: a file named by the caller, or a folder where it is named after its RMA and decision.
#[derive(Debug, Clone, Copy)]
pub enum PacketTarget<'a> {
    File(&'a Path),
    Folder(&'a Path),
}

/// A packet written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PacketReceipt {
    pub path: PathBuf,
    /// The RMA number, or the order's for a package without an RMA.
    pub title: String,
    pub decision_id: i64,
    pub pages: usize,
    pub photos: usize,
    pub bytes: u64,
    pub sha256: String,
}

impl std::fmt::Display for PacketReceipt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "evidence packet for {} ({} page{}, {} photo{}) written to {}",
            self.title,
            self.pages,
            if self.pages == 1 { "" } else { "s" },
            self.photos,
            if self.photos == 1 { "" } else { "s" },
            self.path.display()
        )
    }
}

/// The folder automatic packets go into, in a data folder.
pub fn packets_folder(data_dir: &Path) -> PathBuf {
    data_dir.join("exports").join("evidence")
}

/// Whether confirming this decision writes its packet without being asked: a denial, whole or of some
/// units (the customer is told no and may dispute it), or a shipping-damage claim (the carrier claim
/// needs it), whatever the verdict.
pub fn written_automatically(decision: &Decision, kind: Option<RmaKind>) -> bool {
    decision.verdict == Verdict::Deny
        || decision.lines.iter().any(|line| line.refused > 0)
        || kind == Some(RmaKind::ShippingDamage)
}

/// The latest decision of the RMA numbered `number` (of `merchant`, when several merchants use the number).
pub fn decision_for_rma(store: &dyn Store, number: &str, merchant: Option<&str>) -> Result<i64, EvidenceError> {
    let found: Vec<_> = store
        .rmas_by_number(number)?
        .into_iter()
        .filter(|m| merchant.is_none_or(|id| m.rma.record.merchant == id))
        .collect();
    let rma = match found.as_slice() {
        [] => {
            return Err(EvidenceError::UnknownRma { number: number.to_owned(), merchant: merchant.map(str::to_owned) });
        }
        [one] => one,
        many => {
            let merchants: Vec<&str> = many.iter().map(|m| m.rma.record.merchant.as_str()).collect();
            return Err(EvidenceError::AmbiguousRma { number: number.to_owned(), merchants: merchants.join(", ") });
        }
    };
    let decisions = store.decisions_of_rma(rma.rma.id)?;
    decisions.last().copied().ok_or_else(|| EvidenceError::NotDecided { number: rma.rma.record.number.clone() })
}

/// Assembles the packet of a decision: its records, its recorded JSON and every photo's original, read
/// back from the photo folder (or, where the store shares photos, fetched from it into the folder) and
/// checked against the hash the record holds.
pub fn gather(
    store: &dyn Store,
    photos: &PhotoFolder,
    decision_id: i64,
    generated: &Stamp,
) -> Result<EvidencePacket, EvidenceError> {
    assemble(store.evidence_record(decision_id)?, &Originals::cached(photos, &InStore(store)), generated)
}

/// The packet of a decision's record (read from the store): its recorded JSON parsed and every photo's
/// original read back through `source` (the photo folder, and the store's shared photos behind it) and
/// checked against the hash the record holds.
pub fn assemble(
    record: EvidenceRecord,
    source: &Originals<'_>,
    generated: &Stamp,
) -> Result<EvidencePacket, EvidenceError> {
    let decision_id = record.decision.id;
    let decision = RecordedDecision::parse(&record.decision.decision_json)
        .map_err(|e| EvidenceError::Record { decision_id, detail: e.to_string() })?;
    let mut originals = BTreeMap::new();
    for photo in &record.photos {
        let sha256 = &photo.photo.sha256;
        if originals.contains_key(sha256) {
            continue;
        }
        let problem = |problem: String| EvidenceError::Photo {
            decision_id,
            sha256: sha256.clone(),
            checkpoint: photo.photo.checkpoint.as_str().replace('_', " "),
            problem,
        };
        let hash: PhotoHash = sha256.parse().map_err(|e: crate::photos::store::BadPhotoHash| problem(e.to_string()))?;
        // `read` checks the bytes against the hash, so the hash printed is the hash of what is embedded.
        let bytes = source.read(&hash).map_err(|e| problem(e.to_string()))?;
        originals.insert(sha256.clone(), bytes);
    }
    Ok(EvidencePacket { record, decision, originals, generated: generated.clone() })
}

/// The packet's file name in a folder: `RMA-2026-0103-decision-12.pdf`. Only letters, digits, `-`, `_` and
/// `.` are kept from the number (others become `_`), so no number can steer where the file goes.
pub fn file_name(packet: &EvidencePacket) -> String {
    let number = match &packet.record.rma {
        Some(rma) => rma.record.number.clone(),
        None => format!("order-{}", packet.record.order.record.number.trim_start_matches('#')),
    };
    let safe: String = number
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' })
        .collect();
    format!("{}-decision-{}.pdf", safe.trim_start_matches('.'), packet.record.decision.id)
}

/// Gathers, lays out and writes a decision's packet (atomically: a reader never sees half a file), then
/// appends its audit entry on the decision (`evidence_packet`, with the file, its size and SHA-256). The
/// three steps are [`Store::evidence_record`], [`write_file`] and [`record_written`], for callers that run
/// the file work away from the store.
pub fn write_packet(
    store: &mut dyn Store,
    photos: &PhotoFolder,
    decision_id: i64,
    target: PacketTarget<'_>,
    stamp: &Stamp,
) -> Result<PacketReceipt, EvidenceError> {
    let record = store.evidence_record(decision_id)?;
    let receipt = write_file(record, &Originals::cached(photos, &InStore(&*store)), target, stamp)?;
    record_written(store, &receipt, stamp)?;
    Ok(receipt)
}

/// Assembles a decision's packet from its record, lays it out and writes it (files, and the store only for
/// originals `originals` has not cached).
pub fn write_file(
    record: EvidenceRecord,
    originals: &Originals<'_>,
    target: PacketTarget<'_>,
    stamp: &Stamp,
) -> Result<PacketReceipt, EvidenceError> {
    let decision_id = record.decision.id;
    let packet = assemble(record, originals, stamp)?;
    let path = match target {
        PacketTarget::File(path) => path.to_path_buf(),
        PacketTarget::Folder(folder) => {
            std::fs::create_dir_all(folder)
                .map_err(|source| EvidenceError::Folder { path: folder.to_path_buf(), source })?;
            folder.join(file_name(&packet))
        }
    };
    let rendered = pdf::render(&packet);
    write_file_atomically(&path, &rendered.bytes)?;
    Ok(PacketReceipt {
        title: pdf::packet_title(&packet),
        decision_id,
        pages: rendered.pages,
        photos: packet.record.photos.len(),
        bytes: rendered.bytes.len() as u64,
        sha256: sha256_hex(&rendered.bytes),
        path,
    })
}

/// Appends a written packet's audit entry on its decision.
pub fn record_written(store: &mut dyn Store, receipt: &PacketReceipt, stamp: &Stamp) -> Result<(), EvidenceError> {
    let detail = serde_json::json!({
        "file": receipt.path.display().to_string(),
        "bytes": receipt.bytes,
        "sha256": receipt.sha256,
        "pages": receipt.pages,
        "photos": receipt.photos,
    });
    store
        .append_audit(stamp, "decision", &receipt.decision_id.to_string(), "evidence_packet", &detail.to_string())
        .map(|_| ())
        .map_err(|source| EvidenceError::NotAudited { path: receipt.path.clone(), source })
}
