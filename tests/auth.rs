//! Operator PINs: Argon2id hashes with their own salt, verification that never panics on a damaged
//! hash, the rules for a new PIN in the clerk's words, and sign-in with the lockout against a real store.

use chrono::{TimeDelta, TimeZone, Utc};
use rma_station::auth::{AuthError, SignedIn, check_new_pin, hash_pin, verify_pin};
use rma_station::bench::BenchError;
use rma_station::bench::sign_in::sign_in;
use rma_station::clock::Now;
use rma_station::domain::vocabulary::Role;
use rma_station::storage::{Stamp, Store};

use crate::support::pin_secret;
use crate::support::place::{Place, on_both};

#[test]
fn a_pin_is_hashed_with_argon2id_and_its_own_salt() {
    let first = hash_pin("1357", Role::Clerk, &pin_secret()).unwrap();
    let second = hash_pin("1357", Role::Clerk, &pin_secret()).unwrap();
    assert!(first.starts_with("$argon2id$v=19$m=19456,t=2,p=1,keyid=c3RhdGlvbjE$"), "{first}");
    assert_ne!(first, second, "each hash has its own random salt");
    assert!(!first.contains("1357"), "the PIN must not appear in its hash: {first}");
    assert!(verify_pin("1357", &first, &pin_secret()));
    assert!(verify_pin("1357", &second, &pin_secret()));
    for wrong in ["1358", "7531", "13570", "", " 1357"] {
        assert!(!verify_pin(wrong, &first, &pin_secret()), "{wrong:?} must not verify");
    }
}

#[test]
fn a_damaged_or_foreign_hash_verifies_nothing_and_never_panics() {
    let good = hash_pin("246810", Role::Supervisor, &pin_secret()).unwrap();
    let salt_and_hash = good.rsplitn(3, '$').take(2).collect::<Vec<_>>();
    let (hash, salt) = (salt_and_hash[0], salt_and_hash[1]);
    let cases = [
        String::new(),
        "246810".to_owned(),
        "garbage".to_owned(),
        "$argon2id$".to_owned(),
        good[..good.len() - 10].to_owned(),
        format!("{good}x"),
        good.replace("$argon2id$", "$argon2i$"),
        good.replace("$argon2id$", "$argon2d$"),
        good.replace("m=19456", "m=abc"),
        // bcrypt, another scheme altogether.
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW".to_owned(),
        // Costs no station sets: refused unchecked instead of allocating 4 TiB or running for hours.
        format!("$argon2id$v=19$m=4294967295,t=2,p=1${salt}${hash}"),
        format!("$argon2id$v=19$m=19456,t=4294967295,p=1${salt}${hash}"),
        format!("$argon2id$v=19$m=19456,t=2,p=255${salt}${hash}"),
        // An unknown key id.
        good.replace("keyid=c3RhdGlvbjE", "keyid=c3RhdGlvbjI"),
        // A valid hash with its last character changed.
        format!("{}{}", &good[..good.len() - 1], if good.ends_with('A') { 'B' } else { 'A' }),
    ];
    for case in &cases {
        assert!(!verify_pin("246810", case, &pin_secret()), "{case:?} must not verify");
    }
    // The same salt and output with the station's costs written out still verifies: the refusals above
    // come from the damage, not from rewriting the string.
    let keyed = format!("$argon2id$v=19$m=19456,t=2,p=1,keyid=c3RhdGlvbjE${salt}${hash}");
    assert!(verify_pin("246810", &keyed, &pin_secret()));
}

#[test]
fn a_new_pin_is_four_to_twelve_digits_and_the_error_says_what_is_wrong() {
    let table: &[(&str, Option<&str>)] = &[
        ("1234", None),
        ("0000", None),
        ("000123", None),
        ("123456789012", None),
        ("", Some("the PIN is empty; a PIN is 4 to 12 digits")),
        ("123", Some("a PIN needs at least 4 digits; this one has 3")),
        ("1", Some("a PIN needs at least 4 digits; this one has 1")),
        ("1234567890123", Some("a PIN has at most 12 digits; this one has 13")),
        ("12a4", Some("a PIN is digits (0-9) only; character 3 is not a digit")),
        (" 1234", Some("a PIN is digits (0-9) only; character 1 is not a digit")),
        ("1234 ", Some("a PIN is digits (0-9) only; character 5 is not a digit")),
        ("12-34", Some("a PIN is digits (0-9) only; character 3 is not a digit")),
        // Full-width and Arabic-Indic digits are digits, but not ones a bench keypad types.
        ("１２３４", Some("a PIN is digits (0-9) only; character 1 is not a digit")),
        ("١٢٣٤", Some("a PIN is digits (0-9) only; character 1 is not a digit")),
        ("12é4", Some("a PIN is digits (0-9) only; character 3 is not a digit")),
    ];
    for (pin, expected) in table {
        let got = check_new_pin(pin, Role::Clerk).err().map(|e| e.to_string());
        assert_eq!(got.as_deref(), *expected, "PIN {pin:?}");
        // A PIN the station refuses is never hashed either, with the same words.
        let hashed = hash_pin(pin, Role::Clerk, &pin_secret()).err().map(|e| e.to_string());
        assert_eq!(hashed.as_deref(), *expected, "hash_pin({pin:?})");
    }
}

#[test]
fn refusals_are_in_the_clerks_words_and_do_not_say_which_was_wrong() {
    assert_eq!(AuthError::WrongNameOrPin.to_string(), "wrong name or PIN");
    assert_eq!(AuthError::Locked { minutes: 5 }.to_string(), "locked for 5 more minutes after 5 wrong PINs");
    assert_eq!(AuthError::Locked { minutes: 1 }.to_string(), "locked for 1 more minute after 5 wrong PINs");
}

fn stamp() -> Stamp {
    Stamp {
        at: Utc.with_ymd_and_hms(2026, 11, 21, 8, 0, 0).single().unwrap(),
        station: "bench-1".into(),
        operator: "setup".into(),
    }
}

fn morning(minute: i64) -> Now {
    Now::in_zone(Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).single().unwrap() + TimeDelta::minutes(minute), &Utc)
}

on_both!(sign_in_checks_name_and_pin_against_a_real_store_with_the_lockout);
/// Needs `Store::operators`, `Store::add_operator` and the sign-in records of the store, on either backend.
fn sign_in_checks_name_and_pin_against_a_real_store_with_the_lockout(place: &Place) {
    let mut store = place.open();
    store.add_operator("Sam", Role::Clerk, &hash_pin("1357", Role::Clerk, &pin_secret()).unwrap(), &stamp()).unwrap();
    store
        .add_operator("Dana", Role::Supervisor, &hash_pin("246810", Role::Supervisor, &pin_secret()).unwrap(), &stamp())
        .unwrap();
    let store: &mut dyn Store = &mut *store;
    let wrong =
        |result: Result<SignedIn, BenchError>| matches!(result, Err(BenchError::Auth(AuthError::WrongNameOrPin)));

    // The stored name comes back, whatever the case and spaces typed.
    let sam = SignedIn { name: "Sam".into(), role: Role::Clerk, rekeyed: None };
    assert_eq!(sign_in(store, "bench-1", &morning(0), "sam", "1357", &pin_secret()).unwrap(), sam);
    assert_eq!(sign_in(store, "bench-1", &morning(0), "  SAM ", "1357", &pin_secret()).unwrap(), sam);
    let dana = sign_in(store, "bench-1", &morning(0), "dana", "246810", &pin_secret()).unwrap();
    assert_eq!(dana, SignedIn { name: "Dana".into(), role: Role::Supervisor, rekeyed: None });

    // A wrong PIN, another operator's PIN and an unknown name get the same words.
    for (name, pin) in [("sam", "246810"), ("sam", "1358"), ("nobody", "1357"), ("", "1357")] {
        let refused = sign_in(store, "bench-1", &morning(1), name, pin, &pin_secret()).unwrap_err();
        assert_eq!(refused.to_string(), "wrong name or PIN", "{name:?} / {pin:?}");
    }
    // A good PIN forgets those: 4 more wrong PINs are still fine, the 5th locks.
    sign_in(store, "bench-1", &morning(1), "sam", "1357", &pin_secret()).unwrap();
    for _ in 0..4 {
        assert!(wrong(sign_in(store, "bench-1", &morning(2), "sam", "0000", &pin_secret())));
    }
    let locked = sign_in(store, "bench-1", &morning(2), "Sam", "0000", &pin_secret()).unwrap_err();
    assert_eq!(locked.to_string(), "locked for 5 more minutes after 5 wrong PINs");
    // While locked even the right PIN is refused, without being checked; other operators are unaffected.
    let still = sign_in(store, "bench-1", &morning(4), "sam", "1357", &pin_secret()).unwrap_err();
    assert_eq!(still.to_string(), "locked for 3 more minutes after 5 wrong PINs");
    sign_in(store, "bench-1", &morning(4), "dana", "246810", &pin_secret()).unwrap();
    // Five minutes on, the right PIN works again.
    assert_eq!(sign_in(store, "bench-1", &morning(7), "sam", "1357", &pin_secret()).unwrap(), sam);
}
