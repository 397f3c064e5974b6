//! Who has a package open: a bench opening a package for inspection takes a lease on it (its station, its
//! operator, since when, until when), renewed while the package stays open on that bench. Another bench may
//! look at the package but not change or decide it while the lease holds; a lease its bench stopped renewing
//! (the bench is gone) lapses, and a supervisor may take one over. No database lock is held meanwhile: the
//! lease is a row, checked by the store in the transaction of every change to the package.
//!
//! Pure: the times are passed in.

use chrono::{DateTime, Duration, Utc};

/// How long a lease holds without renewal: long enough for a bench's renewals (every [`RENEW_EVERY`]) to miss
/// a few beats, short enough that a bench that is gone frees its package within minutes.
pub const LEASE_TERM: Duration = Duration::minutes(2);

/// How often a bench with a package open renews its lease.
pub const RENEW_EVERY: Duration = Duration::seconds(30);

/// A package held open by a bench.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub package_id: i64,
    pub station: String,
    pub operator: String,
    /// When this bench opened the package (kept across renewals).
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

impl Lease {
    /// Whether the lease still holds at `now`.
    pub fn holds(&self, now: DateTime<Utc>) -> bool {
        now < self.until
    }

    /// Whether `station` may change the package at `now`: it holds the lease, or nobody does.
    pub fn allows(&self, station: &str, now: DateTime<Utc>) -> bool {
        self.station == station || !self.holds(now)
    }

    /// The lease `station`'s `operator` holds after opening (or renewing) the package at `now`, given the one
    /// there was: a renewal by the same bench keeps its `since`.
    pub fn taken(before: Option<&Lease>, package_id: i64, station: &str, operator: &str, now: DateTime<Utc>) -> Lease {
        let since = match before {
            Some(lease) if lease.station == station && lease.holds(now) => lease.since,
            _ => now,
        };
        Lease { package_id, station: station.to_owned(), operator: operator.to_owned(), since, until: now + LEASE_TERM }
    }
}
