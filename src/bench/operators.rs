//! Operators: the first supervisor of a new station, and the operators a supervisor adds. A PIN reaches
//! these already hashed ([`crate::auth::hash_pin`], slow on purpose), so the store is never kept waiting
//! for Argon2; signing in is [`crate::auth`]'s.

use super::{Actor, BenchError, supervisor_only};
use crate::auth::SignedIn;
use crate::clock::Now;
use crate::domain::vocabulary::Role;
use crate::storage::{Stamp, Store};

/// The operator name on what a station records before anyone has signed in.
pub const SETUP: &str = "setup";

/// Adds the first supervisor of a station that has no operator at all (otherwise a supervisor adds
/// operators), and signs them in.
pub fn add_first_supervisor(
    store: &mut dyn Store,
    station: &str,
    now: &Now,
    name: &str,
    pin_hash: &str,
) -> Result<SignedIn, BenchError> {
    if !store.operators()?.is_empty() {
        return Err(BenchError::OperatorsExist);
    }
    let stamp = Stamp { at: now.at, station: station.to_owned(), operator: SETUP.to_owned() };
    store.add_operator(name, Role::Supervisor, pin_hash, &stamp)?;
    Ok(SignedIn { name: name.to_owned(), role: Role::Supervisor, rekeyed: None })
}

/// A supervisor adds an operator.
pub fn add_operator(
    store: &mut dyn Store,
    actor: &Actor,
    now: &Now,
    name: &str,
    role: Role,
    pin_hash: &str,
) -> Result<(), BenchError> {
    supervisor_only(actor, "adding an operator")?;
    store.add_operator(name, role, pin_hash, &actor.stamp(now))?;
    Ok(())
}
