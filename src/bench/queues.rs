//! The work a decision queued: items marked done one by one or a whole batch at once (a supervisor's
//! step: done says paid or shipped), and the exports for the people who pay and ship, which a clerk may run
//! ([`crate::exports`] writes the files).

use std::path::Path;

use super::{Actor, BenchError, supervisor_only};
use crate::clock::Now;
use crate::domain::vocabulary::Queue;
use crate::exports::{self, ExportReport};
use crate::storage::Store;

/// A supervisor marks a queue item done with its reference (refund id, tracking number). Done is final.
pub fn complete_item(
    store: &mut dyn Store,
    actor: &Actor,
    now: &Now,
    id: i64,
    reference: &str,
) -> Result<(), BenchError> {
    supervisor_only(actor, "marking a queue item paid or done")?;
    Ok(store.complete_queue_item(id, reference, &actor.stamp(now))?)
}

/// A supervisor marks every open item of a batch done with the reference of the run that paid or shipped
/// it; returns how many.
pub fn complete_batch(
    store: &mut dyn Store,
    actor: &Actor,
    now: &Now,
    batch_id: i64,
    reference: &str,
) -> Result<u64, BenchError> {
    supervisor_only(actor, "marking a batch paid or done")?;
    Ok(store.complete_batch(batch_id, reference, &actor.stamp(now))?)
}

/// Exports a queue into `folder`: a new batch of what is not exported yet (none: nothing new), or the
/// list of holds.
pub fn export(
    store: &mut dyn Store,
    actor: &Actor,
    now: &Now,
    queue: Queue,
    folder: &Path,
) -> Result<Option<ExportReport>, BenchError> {
    Ok(exports::export_queue(store, queue, folder, &actor.stamp(now))?)
}

/// Writes a batch's files again (after a failure, or for a lost file): the bytes kept when it was claimed.
pub fn write_batch(
    store: &mut dyn Store,
    actor: &Actor,
    now: &Now,
    batch_id: i64,
    folder: &Path,
) -> Result<ExportReport, BenchError> {
    Ok(exports::write_batch(store, batch_id, folder, &actor.stamp(now))?)
}

/// The export in steps, for the window, which writes the files on its `files` thread: first what to write
/// (a new batch claimed, a batch to write again, or the holds' list) on the storage thread…
pub fn claim_export(
    store: &mut dyn Store,
    actor: &Actor,
    now: &Now,
    queue: Queue,
) -> Result<Option<exports::ToWrite>, BenchError> {
    Ok(exports::claim(store, queue, &actor.stamp(now))?)
}

/// …a batch already claimed, to write again (its kept files; an older batch's rendered and kept once)…
pub fn claimed_batch(
    store: &mut dyn Store,
    actor: &Actor,
    now: &Now,
    batch_id: i64,
) -> Result<exports::ToWrite, BenchError> {
    Ok(exports::claimed(store, batch_id, &actor.stamp(now))?)
}

/// …and, once [`exports::write_files`] has written them, the files recorded (audited).
pub fn record_export(store: &mut dyn Store, actor: &Actor, now: &Now, report: &ExportReport) -> Result<(), BenchError> {
    Ok(exports::record(store, report, &actor.stamp(now))?)
}
