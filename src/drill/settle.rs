//! The hidden `drill settle`: one box of an RMA received, decided on the ledger as it is read, then, once
//! told to go, confirmed. Two of these started on the same RMA and told to go together confirm two
//! decisions made on the same ledger at the same moment: the race the store's ledger check must win
//! (`tests/drills/race.rs`). A decision the store refuses is decided again on the ledger as it is then.

use std::io::{BufRead, Write};

use super::DrillError;
use crate::bench::decision::{OnTheBench, confirm, decide};
use crate::bench::intake::{Arrival, IntakeMatch, find, receive};
use crate::bench::{Actor, BenchError, Claim, earlier_ledger};
use crate::clock::Clock;
use crate::domain::scan::Classifier;
use crate::domain::vocabulary::Role;
use crate::policies::PolicySet;
use crate::storage::{Store, StoreError};

/// Receives another box of `rma` with every ordered unit back as new, says `decided DISPOSITION NET`,
/// waits for a line on `go`, confirms, and says `confirmed DISPOSITION NET` (after `refused: WHY` for each
/// decision the store refused). The store is the bench's, on either backend.
pub fn run(
    store: &mut dyn Store,
    station: &str,
    rma: &str,
    policies: &PolicySet,
    go: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<(), DrillError> {
    let now = Clock::System.now();
    let classifier = Classifier::new(&policies.classifier_config())?;
    let IntakeMatch::Rmas(found) = find(&*store, &classifier.classify(rma))? else {
        return Err(DrillError::NoMatch(rma.to_owned()));
    };
    let Some(found) = found.into_iter().next() else { return Err(DrillError::NoMatch(rma.to_owned())) };
    let actor = Actor { name: "drill".to_owned(), role: Role::Clerk, station: station.to_owned() };
    let arrival = Arrival {
        scanned_code: rma.to_owned(),
        scanned_kind: "rma_number".to_owned(),
        claim: Claim::Rma(found),
        note: String::new(),
        another_box: true,
    };
    let received = receive(&mut *store, &actor, &now, arrival)?;
    let mut package = received.package;
    let mut sheet = received.sheet;
    for item in &mut sheet.items {
        item.received = item.ordered;
    }
    let mut decided = decide(policies, &package, &sheet, &[], now.today)?;
    let said = |out: &mut dyn Write, what: &str, decided: &crate::bench::decision::Decided| {
        let d = &decided.decision;
        writeln!(out, "{what} {} {}", d.disposition, d.money.net).and_then(|()| out.flush()).map_err(DrillError::Output)
    };
    said(out, "decided", &decided)?;
    let mut line = String::new();
    go.read_line(&mut line).map_err(DrillError::Output)?;
    loop {
        let bench = OnTheBench { package: &package, sheet: &sheet, decided: &decided };
        match confirm(&mut *store, policies, &actor, &now, bench) {
            Ok(_) => return said(out, "confirmed", &decided),
            Err(BenchError::Store(refusal @ (StoreError::AlreadySettled { .. } | StoreError::ChargedTwice { .. }))) => {
                writeln!(out, "refused: {refusal}").map_err(DrillError::Output)?;
                package.earlier = earlier_ledger(&*store, &package.claim, package.package_id)?;
                decided = decide(policies, &package, &sheet, &[], now.today)?;
            }
            Err(other) => return Err(other.into()),
        }
    }
}
