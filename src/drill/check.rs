//! The check after a kill: is everything the worker reported committed still there, whole?
//!
//! It opens the database as a restarted station would (SQLite recovers its write-ahead log; a PostgreSQL
//! database is opened as a bench connects to it), then asks: does `verify` pass (SQLite's `integrity_check`
//! and foreign keys, every change whole, the audit chain)? Is every recorded photo's file there with its
//! bytes, in one of the photo folders of the benches that wrote? And is every [`Committed`] change still held as
//! it was reported: the package, its inspection, its photo, the sheet with the same items and units,
//! the decision with all its queue items? Each broken promise or problem is one line of words.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::Committed;
use crate::domain::ledger::Ledger;
use crate::photos::store::{PhotoCheck, PhotoFolder, PhotoHash, TEMP_PREFIX};
use crate::policies::PolicySet;
use crate::storage::location::DatabaseLocation;
use crate::storage::{PackageHistory, Store, StoreError};

/// What the check found in a data folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Findings {
    /// Everything wrong, in words; empty when nothing was lost or damaged.
    pub problems: Vec<String>,
    /// Reported committed and not (or not whole) in the store: the drill's "lost".
    pub lost: u64,
    /// Problems `verify` found in the database (they are among `problems` too).
    pub verify_problems: u64,
    /// Photo records checked against their files.
    pub photos_checked: u64,
    /// Temporary files a kill left in the photo folder (never listed or recorded as photos).
    pub leftover_temporary_files: u64,
    /// Packages killed mid-inspection (a sheet saved, no decision) resumed with their sheet whole.
    pub resumed: u64,
    /// Order lines with more units settled than ordered, and orders whose card fee was kept twice: money
    /// paid twice for the same goods. The return's ledger must keep this at 0 whatever the stations do.
    pub double_settlements: u64,
}

/// Checks one bench's SQLite file and its photo folder (the crash and two-station drills).
pub fn check_file(
    database: &Path,
    photos: &Path,
    policies: &PolicySet,
    committed: &[Committed],
) -> Result<Findings, StoreError> {
    check(&DatabaseLocation::Sqlite(database.to_path_buf()), &[photos.to_path_buf()], policies, committed)
}

/// Checks a database, and the photo folders its photos are in (one per bench that wrote), against the changes
/// reported committed.
pub fn check(
    database: &DatabaseLocation,
    photos: &[PathBuf],
    policies: &PolicySet,
    committed: &[Committed],
) -> Result<Findings, StoreError> {
    let mut store = crate::storage::open(database, policies)?;
    let store = &mut *store;
    let mut findings = Findings::default();
    let report = store.verify()?;
    findings.verify_problems = report.problems.len() as u64 + u64::from(report.chain_break.is_some());
    findings.problems.extend(report.problems.iter().map(|p| format!("database: {p}")));
    if let Some(broken) = &report.chain_break {
        findings.problems.push(format!("audit log: {broken}"));
    }
    let folders: Vec<PhotoFolder> = photos.iter().map(PhotoFolder::new).collect();
    for text in store.photo_hashes()? {
        findings.photos_checked += 1;
        if let Some(problem) = photo_problem(&folders, &text) {
            findings.problems.push(problem);
        }
    }
    findings.leftover_temporary_files = folders.iter().map(|folder| count_temporary_files(folder.root())).sum();

    let mut by_package: BTreeMap<i64, Vec<&Committed>> = BTreeMap::new();
    for change in committed {
        by_package.entry(change.package()).or_default().push(change);
    }
    let mut orders = BTreeMap::new();
    for (package, changes) in by_package {
        let history = match store.package_history(package) {
            Ok(history) => Some(history),
            Err(StoreError::NotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        if let Some(order) = history.as_ref().and_then(|h| h.rma.as_ref().map(|m| &m.order).or(h.order.as_ref())) {
            orders.insert(order.id, order.record.to_order());
        }
        for change in &changes {
            if let Some(broken) = broken_promise(history.as_ref(), change) {
                findings.lost += 1;
                findings.problems.push(format!("reported committed, {broken}: {change:?}"));
            }
        }
        // Killed mid-inspection: the sheet saved last comes back on the bench as it was (the clerk's resume).
        let decided = changes.iter().any(|change| matches!(change, Committed::Decision { .. }));
        let last_sheet = changes.iter().rev().find_map(|change| match change {
            Committed::Sheet { units, .. } => Some(*units),
            _ => None,
        });
        if let (false, Some(units)) = (decided, last_sheet) {
            match resume_whole(store, package, units) {
                Ok(true) => findings.resumed += 1,
                Ok(false) => {}
                Err(broken) => {
                    findings.lost += 1;
                    findings.problems.push(format!("package {package}, killed mid-inspection: {broken}"));
                }
            }
        }
    }
    for (order_id, order) in orders {
        let packages = store.order_packages(order_id)?;
        let ledger = Ledger::build(&order, &packages);
        for line in ledger.lines.iter().filter(|line| line.settled > line.ordered) {
            findings.double_settlements += 1;
            findings.problems.push(format!(
                "order {}: {} settled {} times for {} ordered",
                order.number, line.sku, line.settled, line.ordered
            ));
        }
        let card_fees = packages.iter().filter_map(|p| p.decision.as_ref()).filter(|d| !d.card_fee.is_zero()).count();
        if card_fees > 1 {
            findings.double_settlements += 1;
            findings.problems.push(format!("order {}: the card fee was kept {card_fees} times", order.number));
        }
    }
    Ok(findings)
}

/// Resumes a package killed mid-inspection: `true` when it comes back with the units its sheet saved, `false`
/// when it was decided after all (the kill came after the decision's commit, before the worker said so), and
/// what is wrong otherwise.
fn resume_whole(store: &mut dyn Store, package: i64, units: u64) -> Result<bool, String> {
    let now = crate::clock::Clock::System.now();
    // As the station that was killed, restarted: it holds the package's lease still, under its own name.
    let station =
        store.lease(package).map_err(|e| e.to_string())?.map_or_else(|| "drill-check".to_owned(), |l| l.station);
    let actor =
        crate::bench::Actor { name: "drill-check".to_owned(), role: crate::domain::vocabulary::Role::Clerk, station };
    match crate::bench::intake::resume(store, &actor, &now, package) {
        Ok(resumed) if u64::from(resumed.sheet.units_received()) == units => Ok(true),
        Ok(resumed) => Err(format!("resumed with {} units, {units} saved", resumed.sheet.units_received())),
        Err(crate::bench::BenchError::Decided { .. }) => Ok(false),
        Err(e) => Err(format!("cannot be resumed: {e}")),
    }
}

/// What is wrong with a recorded photo's file: none when one of the folders holds it with its bytes.
fn photo_problem(folders: &[PhotoFolder], text: &str) -> Option<String> {
    let hash = match text.parse::<PhotoHash>() {
        Ok(hash) => hash,
        Err(e) => return Some(format!("photo {text}: {e}")),
    };
    let mut problem = format!("photo {text} is recorded but its file is gone");
    for folder in folders {
        match folder.verify(&hash) {
            Ok(PhotoCheck::Ok) => return None,
            Ok(PhotoCheck::Missing) => {}
            Ok(PhotoCheck::Altered) => problem = format!("photo {text}: its file's bytes changed"),
            Err(e) => problem = format!("photo {text}: {e}"),
        }
    }
    Some(problem)
}

/// How the store fails a committed change, if it does.
fn broken_promise(history: Option<&PackageHistory>, change: &Committed) -> Option<&'static str> {
    let Some(history) = history else { return Some("but the package is gone") };
    let inspection_of = |id: i64| history.inspections.iter().find(|(inspection, _)| *inspection == id);
    match change {
        Committed::Package { .. } => None,
        Committed::Inspection { inspection, .. } => {
            inspection_of(*inspection).is_none().then_some("but the inspection is gone")
        }
        Committed::Photo { inspection, sha256, .. } => {
            (!history.photos.iter().any(|photo| photo.inspection_id == *inspection && photo.sha256 == *sha256))
                .then_some("but the photo record is gone")
        }
        Committed::Sheet { inspection, items, units, .. } => match inspection_of(*inspection) {
            None => Some("but the inspection is gone"),
            Some((_, sheet)) => (sheet.items.len() as u64 != *items || u64::from(sheet.units_received()) != *units)
                .then_some("but the sheet holds other items"),
        },
        Committed::Decision { decision, queue_items, .. } => {
            if !history.decisions.iter().any(|saved| saved.id == *decision) {
                Some("but the decision is gone")
            } else if history.queue.iter().filter(|item| item.decision_id == *decision).count() as u64 != *queue_items {
                Some("but some of its queue items are gone")
            } else {
                None
            }
        }
    }
}

/// Temporary files ([`TEMP_PREFIX`]) in the photo folder's shards.
fn count_temporary_files(root: &Path) -> u64 {
    let Ok(shards) = std::fs::read_dir(root) else { return 0 };
    shards
        .flatten()
        .filter_map(|shard| std::fs::read_dir(shard.path()).ok())
        .flat_map(|files| files.flatten())
        .filter(|file| file.file_name().to_string_lossy().starts_with(TEMP_PREFIX))
        .count() as u64
}
