//! The sign-in lockout rule: 5 wrong PINs for a name within 10 minutes lock that name for 5 minutes.
//!
//! Pure: one name's record (its wrong PINs and its lock, as the store keeps them) and the time are passed
//! in, and the changed record comes back with what changed, for the audit log; nothing here reads the
//! clock or the store. Names are compared the way sign-in compares them ([`name_key`]: trimmed,
//! case-insensitive), and a name no operator has counts like any other, so the lockout never tells whether
//! a name exists. When a lock is imposed the name's count starts again: after the 5 minutes the clerk has 5
//! more tries, never just one. A wrong PIN reported while the name is locked changes nothing (sign-in
//! refuses a locked name before it looks at the PIN).

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

/// A name as sign-in compares it (trimmed, case-insensitive): the key of its record.
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// One name's record: the wrong PINs since its last good PIN or lock, oldest first, and its lock. Empty
/// for a name never tried.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameRecord {
    pub failures: Vec<DateTime<Utc>>,
    pub locked_until: Option<DateTime<Utc>>,
}

/// What a PIN's outcome changed of a name's record, for the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The name is free again: its lock had run out at `lock_ended`, and/or a good PIN forgot `failures`
    /// wrong PINs that still counted.
    Unlocked { lock_ended: Option<DateTime<Utc>>, failures: usize },
    /// A wrong PIN counted: the `count`th of [`MAX_FAILURES`] within [`FAILURE_WINDOW`].
    Failed { count: usize },
    /// This wrong PIN locked the name.
    Locked(LockedUntil),
}

/// A name's record after a PIN's outcome, and what changed, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub record: NameRecord,
    pub events: Vec<Event>,
}

impl Outcome {
    /// The lock this outcome imposed, if it did.
    pub fn locked(&self) -> Option<LockedUntil> {
        self.events.iter().find_map(|event| match event {
            Event::Locked(locked) => Some(*locked),
            _ => None,
        })
    }
}

impl NameRecord {
    /// Whether the name may try a PIN at `now`; a locked name says until when.
    pub fn check(&self, now: DateTime<Utc>) -> Result<(), LockedUntil> {
        match self.locked_until.filter(|until| now < *until) {
            Some(until) => Err(LockedUntil { until }),
            None => Ok(()),
        }
    }

    /// Wrong PINs that still count at `now` (0 right after a lock: the count starts again).
    pub fn failures(&self, now: DateTime<Utc>) -> usize {
        self.failures.iter().filter(|at| now - **at < FAILURE_WINDOW).count()
    }

    /// The record at `now` with what ran out forgotten: failures too old to count, and a lock that has
    /// ended (said as an [`Event::Unlocked`]).
    fn expired(&self, now: DateTime<Utc>) -> (NameRecord, Option<Event>) {
        let failures = self.failures.iter().copied().filter(|at| now - *at < FAILURE_WINDOW).collect();
        let ended = self.locked_until.filter(|until| now >= *until);
        let locked_until = if ended.is_some() { None } else { self.locked_until };
        let event = ended.map(|until| Event::Unlocked { lock_ended: Some(until), failures: 0 });
        (NameRecord { failures, locked_until }, event)
    }

    /// A wrong PIN at `now`. The fifth within the window locks the name (see [`Outcome::locked`]); one
    /// reported while the name is locked changes nothing.
    pub fn failed(&self, now: DateTime<Utc>) -> Outcome {
        if self.check(now).is_err() {
            return Outcome { record: self.clone(), events: Vec::new() };
        }
        let (mut record, unlocked) = self.expired(now);
        let mut events: Vec<Event> = unlocked.into_iter().collect();
        record.failures.push(now);
        let count = record.failures.len();
        events.push(Event::Failed { count });
        if count >= MAX_FAILURES {
            let locked = LockedUntil { until: now + LOCK_DURATION };
            record = NameRecord { failures: Vec::new(), locked_until: Some(locked.until) };
            events.push(Event::Locked(locked));
        }
        Outcome { record, events }
    }

    /// A good PIN at `now`: the name's wrong PINs are forgotten and a lock that ran out is cleared, said as
    /// one [`Event::Unlocked`] when there was anything to forget. Refused while the name is locked (a lock
    /// imposed between the check and the PIN, from another station).
    pub fn succeeded(&self, now: DateTime<Utc>) -> Result<Outcome, LockedUntil> {
        self.check(now)?;
        let (record, unlocked) = self.expired(now);
        let lock_ended = match unlocked {
            Some(Event::Unlocked { lock_ended, .. }) => lock_ended,
            _ => None,
        };
        let failures = record.failures.len();
        let events = if lock_ended.is_some() || failures > 0 {
            vec![Event::Unlocked { lock_ended, failures }]
        } else {
            Vec::new()
        };
        Ok(Outcome { record: NameRecord::default(), events })
    }
}
