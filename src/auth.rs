//! Operator PINs: hashing (Argon2id), checking a new PIN, and checking a PIN against the operators.
//!
//! A PIN is kept only as a keyed Argon2id PHC string with its own random salt from the OS. Signing in looks
//! the operator up by name (trimmed, case-insensitive, active operators only) and says only "wrong name
//! or PIN", whichever it was; an unknown or inactive name costs the same Argon2 work as a known one, so
//! the time taken does not tell either. The lockout is not here: [`crate::bench::sign_in`] keeps it in the
//! store around these checks, by the pure rule of [`crate::domain::lockout`]. Argon2 is slow
//! on purpose (tens of milliseconds): the window reads the candidates on the storage thread
//! ([`candidates`]) and checks the PIN ([`check_pin`]) or hashes a new one on the `pin-check` thread, so
//! neither a frame nor the database waits for it.
//!
//! Each new PIN hash is keyed with the station's PIN secret ([`secret`], a file outside the database) and
//! marked so in its PHC string (`keyid=` the version tag [`KEYED_V1`]): without that file, a copy of the
//! database gives nothing to try PINs against. A hash without the mark (made before the secret) still
//! verifies, unkeyed, until that operator's PIN is set again.

pub mod secret;

use argon2::password_hash::SaltString;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::{
    ARGON2ID_IDENT, Algorithm, Argon2, KeyId, Params, ParamsBuilder, PasswordHash, PasswordHasher, PasswordVerifier,
    Version,
};

pub use secret::PinSecret;

use crate::domain::lockout::MAX_FAILURES;
use crate::domain::vocabulary::Role;
use crate::storage::{OperatorRow, Store, StoreError};

/// The fewest digits a PIN may have (a clerk's).
pub const PIN_MIN_DIGITS: usize = 4;
/// The fewest digits a supervisor's PIN may have: a supervisor approves overrides and adds operators.
pub const SUPERVISOR_PIN_MIN_DIGITS: usize = 6;
/// The `keyid` of a PIN hash keyed with the station's PIN secret, version 1 (Argon2id, the secret as
/// Argon2's secret input). A hash without it is the older, unkeyed kind.
pub const KEYED_V1: &[u8] = b"station1";
/// The most digits a PIN may have.
pub const PIN_MAX_DIGITS: usize = 12;

/// The largest Argon2 costs a stored hash may ask for before it is refused unchecked: a damaged or
/// planted hash must not make a sign-in allocate gigabytes or run for hours.
const MAX_MEMORY_KIB: u32 = 256 * 1024;
const MAX_PASSES: u32 = 16;
const MAX_LANES: u32 = 16;

/// An operator who gave a right PIN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// The name as the station stores it (not as typed).
    pub name: String,
    pub role: Role,
    /// The PIN hashed anew with the station's secret when it matched an older, unkeyed hash: the sign-in
    /// stores it ([`crate::bench::sign_in`]), so a copy of the database no longer gives that PIN up.
    pub rekeyed: Option<Rekeyed>,
}

/// An operator's PIN hashed anew, keyed, to replace an unkeyed hash.
#[derive(Clone, PartialEq, Eq)]
pub struct Rekeyed {
    pub operator_id: i64,
    pub pin_hash: String,
}

impl std::fmt::Debug for Rekeyed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rekeyed").field("operator_id", &self.operator_id).finish_non_exhaustive()
    }
}

/// Why a PIN could not be set or a sign-in failed, in words for the clerk. A PIN itself never appears.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The name is unknown or inactive, or the PIN is wrong: deliberately not saying which.
    #[error("wrong name or PIN")]
    WrongNameOrPin,
    #[error("locked for {} after {MAX_FAILURES} wrong PINs", more_minutes(*minutes))]
    Locked { minutes: i64 },
    #[error("the PIN is empty; a PIN is {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits")]
    PinEmpty,
    #[error("a PIN is digits (0-9) only; character {position} is not a digit")]
    PinNotDigits { position: usize },
    #[error("{} needs at least {least} digits; this one has {digits}", whose(*role))]
    PinTooShort { digits: usize, least: usize, role: Role },
    #[error("a PIN has at most {PIN_MAX_DIGITS} digits; this one has {digits}")]
    PinTooLong { digits: usize },
    #[error("cannot hash the PIN: {0}")]
    Hash(String),
    #[error("cannot check the PIN: {0}")]
    Store(#[from] StoreError),
}

/// "1 more minute", "5 more minutes".
fn more_minutes(minutes: i64) -> String {
    if minutes == 1 { "1 more minute".to_owned() } else { format!("{minutes} more minutes") }
}

/// "a PIN", "a supervisor's PIN".
fn whose(role: Role) -> &'static str {
    match role {
        Role::Supervisor => "a supervisor's PIN",
        Role::Clerk => "a PIN",
    }
}

/// The fewest digits a PIN for `role` may have.
pub fn min_digits(role: Role) -> usize {
    match role {
        Role::Supervisor => SUPERVISOR_PIN_MIN_DIGITS,
        Role::Clerk => PIN_MIN_DIGITS,
    }
}

/// Whether `pin` may be set as the PIN of an operator of `role`: ASCII digits, at least 6 for a
/// supervisor and 4 for a clerk, at most 12. The error says exactly what is wrong.
pub fn check_new_pin(pin: &str, role: Role) -> Result<(), AuthError> {
    if pin.is_empty() {
        return Err(AuthError::PinEmpty);
    }
    if let Some(position) = pin.chars().position(|c| !c.is_ascii_digit()) {
        return Err(AuthError::PinNotDigits { position: position + 1 });
    }
    // All ASCII digits from here on: bytes are characters.
    let digits = pin.len();
    let least = min_digits(role);
    if digits < least {
        return Err(AuthError::PinTooShort { digits, least, role });
    }
    if digits > PIN_MAX_DIGITS {
        return Err(AuthError::PinTooLong { digits });
    }
    Ok(())
}

/// The station's Argon2id with `secret` as Argon2's secret input, at the station's costs, and the hash
/// marked keyed ([`KEYED_V1`]).
fn keyed(secret: &PinSecret) -> Result<Argon2<'_>, AuthError> {
    let d = Params::DEFAULT;
    let params = ParamsBuilder::new()
        .m_cost(d.m_cost())
        .t_cost(d.t_cost())
        .p_cost(d.p_cost())
        .keyid(KeyId::new(KEYED_V1).map_err(|e| AuthError::Hash(e.to_string()))?)
        .build()
        .map_err(|e| AuthError::Hash(e.to_string()))?;
    Argon2::new_with_secret(secret.bytes(), Algorithm::Argon2id, Version::V0x13, params)
        .map_err(|e| AuthError::Hash(e.to_string()))
}

/// The Argon2id PHC string of a new PIN for an operator of `role`, salted with 16 random bytes from the
/// OS and keyed with the station's PIN `secret`. The PIN is checked with [`check_new_pin`] first: a PIN
/// the station would refuse is never stored.
pub fn hash_pin(pin: &str, role: Role, secret: &PinSecret) -> Result<String, AuthError> {
    check_new_pin(pin, role)?;
    keyed_hash(pin, secret)
}

/// The keyed Argon2id PHC string of `pin`, salted with 16 random bytes from the OS.
fn keyed_hash(pin: &str, secret: &PinSecret) -> Result<String, AuthError> {
    let mut salt = [0u8; 16];
    OsRng.try_fill_bytes(&mut salt).map_err(|e| AuthError::Hash(format!("the system's random source failed: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AuthError::Hash(e.to_string()))?;
    let hash = keyed(secret)?.hash_password(pin.as_bytes(), &salt).map_err(|e| AuthError::Hash(e.to_string()))?;
    Ok(hash.to_string())
}

/// Whether `pin` is the PIN hashed in `phc`: with the station's `secret` for a keyed hash ([`KEYED_V1`]),
/// without for an older unkeyed one. A malformed hash, another algorithm than Argon2id, an unknown key
/// id, or costs beyond what the station ever sets give `false`; this never panics.
pub fn verify_pin(pin: &str, phc: &str, secret: &PinSecret) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else { return false };
    if hash.algorithm != ARGON2ID_IDENT {
        return false;
    }
    let Ok(params) = Params::try_from(&hash) else { return false };
    if params.m_cost() > MAX_MEMORY_KIB || params.t_cost() > MAX_PASSES || params.p_cost() > MAX_LANES {
        return false;
    }
    match params.keyid() {
        [] => Argon2::default().verify_password(pin.as_bytes(), &hash).is_ok(),
        KEYED_V1 => keyed(secret).is_ok_and(|argon| argon.verify_password(pin.as_bytes(), &hash).is_ok()),
        _ => false,
    }
}

/// A well-formed hash with the station's costs that no PIN matches (its output is all zeros), to spend
/// the same work on an unknown name as on a known one.
fn decoy_hash() -> String {
    let params = Params::DEFAULT;
    format!(
        "$argon2id$v=19$m={},t={},p={},keyid={}${}${}",
        params.m_cost(),
        params.t_cost(),
        params.p_cost(),
        "c3RhdGlvbjE", // KEYED_V1 in unpadded base64
        "A".repeat(22),
        "A".repeat(43)
    )
}

/// The active operators a sign-in under `name` may be (trimmed, case-insensitive): a quick read, on the
/// storage thread. The PIN is checked against them with [`check_pin`], which may run elsewhere.
pub fn candidates(store: &dyn Store, name: &str) -> Result<Vec<OperatorRow>, AuthError> {
    let wanted = name.trim().to_lowercase();
    Ok(store
        .operators()?
        .into_iter()
        .filter(|op| op.active && !wanted.is_empty() && op.name.trim().to_lowercase() == wanted)
        .collect())
}

/// Checks a PIN against the operators [`candidates`] found: Argon2, tens of milliseconds, no store. With
/// no candidate it spends the work of a real check anyway, so the time taken tells nothing.
pub fn check_pin(candidates: &[OperatorRow], pin: &str, secret: &PinSecret) -> Result<SignedIn, AuthError> {
    if candidates.is_empty() {
        std::hint::black_box(verify_pin(pin, &decoy_hash(), secret));
        return Err(AuthError::WrongNameOrPin);
    }
    // Names are unique as stored; should two differ only in case, the PIN picks between them.
    let op = candidates.iter().find(|op| verify_pin(pin, &op.pin_hash, secret)).ok_or(AuthError::WrongNameOrPin)?;
    // The PIN they have is kept as it is, only keyed: an older supervisor's 4 digits are not refused here.
    let rekeyed = match is_unkeyed(&op.pin_hash) {
        true => Some(Rekeyed { operator_id: op.id, pin_hash: keyed_hash(pin, secret)? }),
        false => None,
    };
    Ok(SignedIn { name: op.name.clone(), role: op.role, rekeyed })
}

/// Whether a stored hash is of the older kind, made before the station had a PIN secret.
fn is_unkeyed(phc: &str) -> bool {
    PasswordHash::new(phc).ok().and_then(|hash| Params::try_from(&hash).ok()).is_some_and(|p| p.keyid().is_empty())
}

/// Checks a name and PIN against the store's operators, without the lockout: an active operator whose
/// name matches (trimmed, case-insensitive) and whose PIN hash the PIN verifies against. Signing in with
/// the lockout is [`crate::bench::sign_in`]'s.
pub fn authenticate(store: &dyn Store, name: &str, pin: &str, secret: &PinSecret) -> Result<SignedIn, AuthError> {
    check_pin(&candidates(store, name)?, pin, secret)
}
