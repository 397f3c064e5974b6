//! The sign-in lockout rule: 5 wrong PINs for a name within 10 minutes lock that name for 5 minutes.
//!
//! Pure: the time of each attempt is passed in, nothing here reads the clock. Names are compared the way
//! sign-in compares them (trimmed, case-insensitive), and a name no operator has counts like any other,
//! so the lockout never tells whether a name exists. When a lock is imposed the name's count starts
//! again: after the 5 minutes the clerk has 5 more tries, never just one. A wrong PIN reported while the
//! name is locked changes nothing (sign-in refuses a locked name before it looks at the PIN).

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

/// Wrong PINs that lock a name.
pub const MAX_FAILURES: usize = 5;
/// The failures that lock a name must all fall within this time.
pub const FAILURE_WINDOW: TimeDelta = TimeDelta::minutes(10);
/// How long a locked name stays locked.
pub const LOCK_DURATION: TimeDelta = TimeDelta::minutes(5);

/// A locked name may try again from this moment on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockedUntil {
    pub until: DateTime<Utc>,
}

impl LockedUntil {
    /// Whole minutes left at `now`, rounded up: "3 more minutes" while 2 min 10 s remain; never below 1.
    pub fn minutes_left(self, now: DateTime<Utc>) -> i64 {
        let seconds = (self.until - now).num_seconds().max(1);
        (seconds + 59) / 60
    }
}

/// One name's recent wrong PINs and its lock, if any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Attempts {
    /// Times of the wrong PINs still inside the window, oldest first.
    failures: Vec<DateTime<Utc>>,
    locked_until: Option<DateTime<Utc>>,
}

impl Attempts {
    fn locked_at(&self, now: DateTime<Utc>) -> Option<LockedUntil> {
        self.locked_until.filter(|until| now < *until).map(|until| LockedUntil { until })
    }

    /// Forgets failures too old to count and a lock that has run out.
    fn expire(&mut self, now: DateTime<Utc>) {
        self.failures.retain(|at| now - *at < FAILURE_WINDOW);
        if self.locked_until.is_some_and(|until| now >= until) {
            self.locked_until = None;
        }
    }

    fn is_empty(&self) -> bool {
        self.failures.is_empty() && self.locked_until.is_none()
    }
}

/// Failed sign-ins per operator name, with the time of each passed in.
#[derive(Debug, Clone, Default)]
pub struct Lockout {
    names: HashMap<String, Attempts>,
}

impl Lockout {
    pub fn new() -> Lockout {
        Lockout::default()
    }

    /// Whether `name` may try a PIN at `now`; a locked name says until when.
    pub fn check(&self, name: &str, now: DateTime<Utc>) -> Result<(), LockedUntil> {
        match self.names.get(&key(name)).and_then(|attempts| attempts.locked_at(now)) {
            Some(locked) => Err(locked),
            None => Ok(()),
        }
    }

    /// Records a wrong PIN for `name` at `now`. Returns the lock when this failure imposed one.
    pub fn failed(&mut self, name: &str, now: DateTime<Utc>) -> Option<LockedUntil> {
        // Names nobody retried for a while are dropped, so typos and strangers do not pile up.
        self.names.retain(|_, attempts| {
            attempts.expire(now);
            !attempts.is_empty()
        });
        let attempts = self.names.entry(key(name)).or_default();
        if attempts.locked_at(now).is_some() {
            return None;
        }
        attempts.failures.push(now);
        if attempts.failures.len() < MAX_FAILURES {
            return None;
        }
        let until = now + LOCK_DURATION;
        attempts.failures.clear();
        attempts.locked_until = Some(until);
        Some(LockedUntil { until })
    }

    /// Records a good PIN for `name`: its wrong PINs are forgotten.
    pub fn succeeded(&mut self, name: &str) {
        self.names.remove(&key(name));
    }

    /// Wrong PINs for `name` that still count at `now` (0 while locked: the count starts again).
    pub fn failures(&self, name: &str, now: DateTime<Utc>) -> usize {
        self.names
            .get(&key(name))
            .map_or(0, |attempts| attempts.failures.iter().filter(|at| now - **at < FAILURE_WINDOW).count())
    }
}

/// Names as sign-in compares them: trimmed, case-insensitive.
fn key(name: &str) -> String {
    name.trim().to_lowercase()
}
