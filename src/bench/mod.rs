//! The bench's use cases: every business step a returns clerk (or a supervisor) takes, as a plain
//! function over the store, with the policies, the actor and the time passed in.
//!
//! Take a scan at intake ([`intake`]), receive a package and open its inspection, save the sheet and its
//! photos ([`inspection`]), decide and confirm, with a supervisor's override ([`decision`]), match a
//! quarantined package, mark queue items and batches done and export them ([`queues`]), sign in with the
//! lockout kept in the store ([`sign_in`]), add operators ([`operators`]) and set the station's printer
//! ([`settings`]).
//!
//! Who may do what is decided here, not by which buttons a screen shows: a clerk receives, inspects,
//! decides and confirms by the policy, prints labels and exports; a supervisor also approves overrides,
//! marks queue items and batches paid or done, sets the printer and station settings and adds operators.
//! A step refused for a clerk says who may take it ([`supervisor_only`]). The window runs these on its worker threads, the CLI and the drills call
//! them directly, and the tests call them too, so every path that moves a package or money goes through
//! the same code. Nothing here draws, reads the clock or knows which thread it runs on; the engine and
//! the queue rules are the domain's, the transactions the store's.

pub mod decision;
pub mod inspection;
pub mod intake;
pub mod operators;
pub mod queues;
pub mod settings;
pub mod sign_in;

use crate::auth::AuthError;
use crate::clock::Now;
use crate::domain::ledger::Ledger;
use crate::domain::vocabulary::Role;
use crate::storage::{RmaMatch, Stamp, Store, StoreError, StoredOrder};

/// Who is acting, and at which bench: on every record and audit entry a use case writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub role: Role,
    pub station: String,
}

impl Actor {
    /// The stamp of what this actor does at `now`.
    pub fn stamp(&self, now: &Now) -> Stamp {
        Stamp { at: now.at, station: self.station.clone(), operator: self.name.clone() }
    }
}

/// What a package on the bench was matched to.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// An RMA and its order.
    Rma(RmaMatch),
    /// An order, but no RMA: the merchant's policy for packages without authorization decides it.
    OrderOnly(StoredOrder),
    /// Nothing yet: the package waits in quarantine; only its label is photographed.
    Quarantined,
}

impl Claim {
    /// The order the package belongs to, if it is known.
    pub fn order(&self) -> Option<&StoredOrder> {
        match self {
            Claim::Rma(found) => Some(&found.order),
            Claim::OrderOnly(order) => Some(order),
            Claim::Quarantined => None,
        }
    }

    /// The order's currency (none for a package in quarantine).
    pub fn currency(&self) -> String {
        self.order().map_or_else(String::new, |order| order.record.currency.clone())
    }

    /// The number the clerk knows the package by.
    pub fn number(&self, package_id: i64) -> String {
        match self {
            Claim::Rma(found) => found.rma.record.number.clone(),
            Claim::OrderOnly(order) => format!("order {}", order.record.number),
            Claim::Quarantined => format!("package #{package_id}"),
        }
    }
}

/// A package received at the bench with its inspection open.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchPackage {
    pub package_id: i64,
    pub inspection_id: i64,
    pub claim: Claim,
    /// The ledger of the order's other packages, as read when the package was opened: the engine decides
    /// against it, and the store checks the decision against the ledger as it is when it is recorded.
    pub earlier: Ledger,
}

/// The ledger of the order's packages other than `package_id` (empty for a package in quarantine).
pub fn earlier_ledger(store: &dyn Store, claim: &Claim, package_id: i64) -> Result<Ledger, StoreError> {
    match claim.order() {
        Some(order) => store.earlier_ledger(order.id, package_id),
        None => Ok(Ledger::default()),
    }
}

/// Why a bench step was refused or failed, in words for the person at the bench. Nothing of a refused
/// step is saved.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Auth(#[from] AuthError),
    #[error("merchant {merchant} has no policy loaded")]
    NoPolicy { merchant: String },
    #[error("package #{package_id} is in quarantine: match it to an RMA before it is decided")]
    Quarantined { package_id: i64 },
    #[error(
        "package #{package_id} is decided ({verdict}): view it in Records; a supervisor's reopen comes before it is decided again"
    )]
    Decided { package_id: i64, verdict: crate::domain::vocabulary::Verdict },
    #[error(
        "order {order}, line {line}, {field}: {why}. The order cannot be decided: correct its lines and import it again"
    )]
    SameSku { order: String, line: usize, field: &'static str, why: String },
    #[error(
        "package #{package_id} cannot be reopened before package #{later}: {sku} was bought at several prices, and \
         package #{later}'s units of it were priced after this one's; reopen package #{later} first"
    )]
    ReopenInTurn { package_id: i64, later: i64, sku: String },
    #[error("{what} needs a reason: say why")]
    NoReason { what: &'static str },
    #[error("new amount: {0}")]
    Amount(String),
    #[error("override refused: {why}")]
    OverrideRefused { supervisor: String, why: String },
    #[error("{action} is for a supervisor; {name} is a {role}")]
    NotPermitted { action: &'static str, name: String, role: Role },
    #[error("{number}: {count} RMAs have this number; type it exactly")]
    AmbiguousRma { number: String, count: usize },
    #[error("an operator exists already: sign in")]
    OperatorsExist,
    #[error("{0}")]
    Export(#[from] crate::exports::ExportFailure),
    #[error("{0}")]
    Printer(#[from] crate::labels::printer::PrinterSettingError),
}

/// Refuses `action` unless the actor is a supervisor.
pub fn supervisor_only(actor: &Actor, action: &'static str) -> Result<(), BenchError> {
    match actor.role {
        Role::Supervisor => Ok(()),
        Role::Clerk => Err(BenchError::NotPermitted { action, name: actor.name.clone(), role: actor.role }),
    }
}
