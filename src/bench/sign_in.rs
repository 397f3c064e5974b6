//! Signing in and a supervisor's override PIN, with the lockout kept in the store: 5 wrong PINs for a name
//! within 10 minutes lock it for 5 ([`crate::domain::lockout`], the pure rule), for every station on the
//! database and across a restart.
//!
//! Each PIN goes in three steps, so that Argon2 (slow on purpose) runs on neither the storage thread nor a
//! frame: [`candidates`] (on storage: refuses a locked name, audited, else reads who the PIN may belong to),
//! [`crate::auth::check_pin`] (anywhere: the window's `pin-check` thread), then [`record`] (on storage: the
//! outcome counted against the name in one transaction with its audit entries). [`sign_in`] runs the three
//! in a row for the CLI and the tests. An override's PIN goes the same way through [`override_candidates`]
//! and [`finish_override`], refused (and the refusal audited on the package) for a locked supervisor.
//!
//! What the audit log holds, under `sign_in/<name as compared>`: `failed` for each wrong PIN (with how many
//! now count), `locked` for the one that locks, `refused_locked` for a sign-in tried while locked, and
//! `unlocked`. A lock is recorded as ended when the name is next tried (a good PIN or a wrong one), not at
//! the moment it runs out: the `locked` entry already says until when, nothing would write at that moment
//! without a timer writing to the database behind the clerks' backs, and so the entry falls in order with
//! the attempt that found the lock over, from the station that found it. A good PIN after wrong ones is an
//! `unlocked` too (the count is forgotten); a good PIN with nothing to forget writes nothing.

use chrono::{DateTime, SecondsFormat, Utc};

use super::decision::{Confirmed, OnTheBench, PreparedOverride, confirm_override, refuse_override};
use super::{Actor, BenchError, BenchPackage};
use crate::auth::{self, AuthError, SignedIn};
use crate::clock::Now;
use crate::domain::lockout::{Event, LockedUntil, MAX_FAILURES, NameRecord, name_key};
use crate::policies::PolicySet;
use crate::storage::{OperatorRow, SignInChange, Stamp, Store, StoreError};

/// The operator on what a sign-in attempt records: nobody is signed in yet (the name tried is the entry's
/// id, never its actor, since whoever typed it may not be that operator).
pub const SIGNING_IN: &str = "sign-in";

/// The stamp of a sign-in attempt at `station`.
fn attempt(station: &str, now: &Now) -> Stamp {
    Stamp { at: now.at, station: station.to_owned(), operator: SIGNING_IN.to_owned() }
}

/// A locked name in the clerk's words: "locked for 3 more minutes after 5 wrong PINs".
fn locked_error(locked: LockedUntil, now: DateTime<Utc>) -> AuthError {
    AuthError::Locked { minutes: locked.minutes_left(now) }
}

/// Step 1 of a sign-in, on the storage thread: the active operators `name` may be, unless the name is
/// locked, which is refused before any PIN is looked at (and the refusal audited).
pub fn candidates(store: &mut dyn Store, station: &str, now: &Now, name: &str) -> Result<Vec<OperatorRow>, BenchError> {
    let key = name_key(name);
    if let Err(locked) = store.sign_in_record(&key)?.check(now.at) {
        let detail = serde_json::json!({ "until": instant(locked.until) }).to_string();
        store.append_audit(&attempt(station, now), "sign_in", &key, "refused_locked", &detail)?;
        return Err(locked_error(locked, now.at).into());
    }
    Ok(auth::candidates(&*store, name)?)
}

/// Step 3 of a sign-in, on the storage thread: the checked PIN's outcome counted against `name` (a good
/// PIN forgets the wrong ones; the wrong PIN that locks the name is answered with the lock, so the clerk
/// learns of it at once). A failure that is not a wrong PIN (the store, a hash) does not count.
pub fn record(
    store: &mut dyn Store,
    station: &str,
    now: &Now,
    name: &str,
    checked: Result<SignedIn, AuthError>,
) -> Result<SignedIn, BenchError> {
    let stamp = attempt(station, now);
    match checked {
        Ok(signed_in) => match good_pin(store, &stamp, name) {
            Ok(()) => {
                rekey(store, &stamp, &signed_in)?;
                Ok(signed_in)
            }
            Err(PinRefused::Locked(locked)) => Err(locked_error(locked, now.at).into()),
            Err(PinRefused::Store(error)) => Err(error.into()),
        },
        Err(AuthError::WrongNameOrPin) => match wrong_pin(store, &stamp, name)? {
            Some(locked) => Err(locked_error(locked, now.at).into()),
            None => Err(AuthError::WrongNameOrPin.into()),
        },
        Err(other) => Err(other.into()),
    }
}

/// A whole sign-in at `now`, the PIN checked here (the CLI and the tests; the window checks it on its
/// `pin-check` thread between [`candidates`] and [`record`]).
pub fn sign_in(
    store: &mut dyn Store,
    station: &str,
    now: &Now,
    name: &str,
    pin: &str,
    secret: &auth::PinSecret,
) -> Result<SignedIn, BenchError> {
    let candidates = candidates(store, station, now, name)?;
    let checked = auth::check_pin(&candidates, pin, secret);
    record(store, station, now, name, checked)
}

/// Step 1 of an override's PIN: the operators the supervisor's name may be, or, while that name is locked,
/// the override refused without looking at the PIN, the refusal audited on the package.
pub fn override_candidates(
    store: &mut dyn Store,
    actor: &Actor,
    now: &Now,
    package: &BenchPackage,
    supervisor: &str,
) -> Result<Vec<OperatorRow>, BenchError> {
    if let Err(locked) = store.sign_in_record(&name_key(supervisor))?.check(now.at) {
        let why = format!("{supervisor} is {}", locked_error(locked, now.at));
        return Err(refuse_override(store, actor, now, package, supervisor, why));
    }
    Ok(auth::candidates(&*store, supervisor)?)
}

/// Step 3 of an override: the PIN's outcome counted against the supervisor's name as at sign-in (a wrong
/// PIN here counts towards the same lock), then the override saved for the supervisor it approved, or
/// refused and the refusal audited.
#[expect(clippy::too_many_arguments, reason = "the override's steps each take what the whole override takes")]
pub fn finish_override(
    store: &mut dyn Store,
    policies: &PolicySet,
    actor: &Actor,
    now: &Now,
    bench: OnTheBench<'_>,
    prepared: PreparedOverride,
    supervisor: &str,
    checked: Result<SignedIn, AuthError>,
) -> Result<Confirmed, BenchError> {
    let stamp = actor.stamp(now);
    let why = match checked {
        Ok(approver) => match good_pin(store, &stamp, supervisor) {
            Ok(()) => {
                rekey(store, &stamp, &approver)?;
                return confirm_override(store, policies, actor, now, bench, prepared, &approver);
            }
            Err(PinRefused::Locked(locked)) => format!("{supervisor} is {}", locked_error(locked, now.at)),
            Err(PinRefused::Store(error)) => return Err(error.into()),
        },
        Err(AuthError::WrongNameOrPin) => match wrong_pin(store, &stamp, supervisor)? {
            Some(locked) => format!("wrong name or PIN; {supervisor} is now {}", locked_error(locked, now.at)),
            None => AuthError::WrongNameOrPin.to_string(),
        },
        Err(other) => other.to_string(),
    };
    Err(refuse_override(store, actor, now, bench.package, supervisor, why))
}

/// Why a good PIN was not accepted after all.
enum PinRefused {
    /// The name was locked between the check and the PIN (by a wrong PIN at another station).
    Locked(LockedUntil),
    Store(StoreError),
}

impl From<StoreError> for PinRefused {
    fn from(error: StoreError) -> PinRefused {
        PinRefused::Store(error)
    }
}

/// A good PIN for `name`: its record cleared in one transaction, audited if there was anything to forget.
/// Stores the keyed hash of a PIN that matched an older, unkeyed one, under the operator's own name.
fn rekey(store: &mut dyn Store, stamp: &Stamp, signed_in: &SignedIn) -> Result<(), BenchError> {
    if let Some(rekeyed) = &signed_in.rekeyed {
        let stamp = Stamp { operator: signed_in.name.clone(), ..stamp.clone() };
        store.set_pin_hash(rekeyed.operator_id, &rekeyed.pin_hash, "pin_keyed", &stamp)?;
    }
    Ok(())
}

fn good_pin(store: &mut dyn Store, stamp: &Stamp, name: &str) -> Result<(), PinRefused> {
    let mut refused = None;
    store.change_sign_in_record(
        &name_key(name),
        stamp,
        &mut |record: &NameRecord| match record.succeeded(stamp.at) {
            Ok(outcome) => SignInChange { record: outcome.record, audit: outcome.events.iter().map(audited).collect() },
            Err(locked) => {
                refused = Some(locked);
                SignInChange { record: record.clone(), audit: Vec::new() }
            }
        },
    )?;
    match refused {
        Some(locked) => Err(PinRefused::Locked(locked)),
        None => Ok(()),
    }
}

/// A wrong PIN for `name`, counted in one transaction with its audit entries; the lock, if this one
/// imposed it or the name was locked meanwhile.
fn wrong_pin(store: &mut dyn Store, stamp: &Stamp, name: &str) -> Result<Option<LockedUntil>, StoreError> {
    let mut locked = None;
    store.change_sign_in_record(&name_key(name), stamp, &mut |record: &NameRecord| {
        let outcome = record.failed(stamp.at);
        locked = outcome.record.check(stamp.at).err();
        SignInChange { record: outcome.record, audit: outcome.events.iter().map(audited).collect() }
    })?;
    Ok(locked)
}

/// An event of the lockout as its audit entry: action and detail.
fn audited(event: &Event) -> (&'static str, String) {
    match *event {
        Event::Unlocked { lock_ended, failures } => {
            let why = if lock_ended.is_some() { "the lock ran out" } else { "a good PIN" };
            let detail = serde_json::json!({
                "why": why,
                "lock_ended": lock_ended.map(instant),
                "failures_forgotten": failures,
            });
            ("unlocked", detail.to_string())
        }
        Event::Failed { count } => ("failed", serde_json::json!({ "count": count, "of": MAX_FAILURES }).to_string()),
        Event::Locked(locked) => ("locked", serde_json::json!({ "until": instant(locked.until) }).to_string()),
    }
}

fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}
