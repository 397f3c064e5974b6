//! A stolen database is not a stolen PIN: PIN hashes are keyed with the station's secret, a file outside
//! the data folder (0600 on Unix) that no backup carries; a supervisor's PIN is at least six digits. The
//! stored hashes are checked on SQLite and on PostgreSQL (`on_both!`); the secret beside a backup file is
//! SQLite's alone (a shared server is backed up by its own tools).

use std::path::Path;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{TimeZone, Utc};
use rma_station::auth::secret::{default_secret_path, secret_path};
use rma_station::auth::{PinSecret, check_new_pin, hash_pin, verify_pin};
use rma_station::bench::sign_in::sign_in;
use rma_station::clock::Now;
use rma_station::domain::vocabulary::Role;
use rma_station::storage::{Stamp, Store, default_data_dir};

use crate::data_cli::station;
use crate::support::place::{Place, on_both};
use crate::support::run_station;

fn now() -> Now {
    Now::in_zone(Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).single().unwrap(), &Utc)
}

/// The demo station on `place`, its PINs keyed with `secret`: the operators' hashes as the database holds them.
fn demo_hashes(place: &Place, secret: &PinSecret) -> (Box<dyn Store>, Vec<(String, String)>) {
    let mut store = place.open();
    let stamp = Stamp { at: now().at, station: "bench-1".into(), operator: "setup".into() };
    rma_station::demo::load_demo(&mut *store, now().today, &stamp, secret).unwrap();
    let hashes = store.operators().unwrap().into_iter().map(|op| (op.name, op.pin_hash)).collect();
    (store, hashes)
}

on_both!(a_pin_hash_made_with_one_secret_verifies_with_no_other_secret_nor_from_the_database_alone);
fn a_pin_hash_made_with_one_secret_verifies_with_no_other_secret_nor_from_the_database_alone(place: &Place) {
    let (ours, theirs) = (PinSecret::from_bytes([1; 32]), PinSecret::from_bytes([2; 32]));
    let (mut store, hashes) = demo_hashes(place, &ours);
    for (name, pin) in [("sam", "1357"), ("dana", "246810")] {
        let hash = &hashes.iter().find(|(n, _)| n == name).unwrap().1;
        assert!(verify_pin(pin, hash, &ours), "{name} with the station's secret");
        assert!(!verify_pin(pin, hash, &theirs), "{name}'s hash must not verify with another secret");
        // What anyone holding only station.sqlite3 can compute: Argon2id over the stored salt and costs,
        // without the secret. The right PIN does not match, so no PIN can be searched for.
        let parsed = PasswordHash::new(hash).unwrap();
        assert!(Argon2::default().verify_password(pin.as_bytes(), &parsed).is_err(), "{name} without a secret");
        // Nor does a hash stripped of its mark pass for an old unkeyed one.
        let unmarked = hash.replace(",keyid=c3RhdGlvbjE", "");
        assert!(!verify_pin(pin, &unmarked, &ours), "{name}'s hash with its mark removed");
    }
    // A bench with another secret cannot sign the operators in.
    let refused = sign_in(&mut *store, "bench-2", &now(), "dana", "246810", &theirs).unwrap_err();
    assert_eq!(refused.to_string(), "wrong name or PIN");
    sign_in(&mut *store, "bench-1", &now(), "dana", "246810", &ours).unwrap();
}

#[test]
fn a_hash_from_before_the_secret_still_verifies_unkeyed() {
    // Hashes stored before the secret existed carry no key id: they keep working until the PIN is set again.
    let salt = SaltString::encode_b64(&[7; 16]).unwrap();
    let old = Argon2::default().hash_password(b"1357", &salt).unwrap().to_string();
    assert!(old.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{old}");
    assert!(verify_pin("1357", &old, &PinSecret::from_bytes([1; 32])));
    assert!(!verify_pin("1358", &old, &PinSecret::from_bytes([1; 32])));
}

on_both!(an_unkeyed_hash_is_keyed_at_the_next_good_sign_in);
/// Issue 15, part 7: an operator set up before the secret keeps a PIN a copy of the database gives up only
/// until their next sign-in, which stores it keyed (audited, sealed); their old 4-digit supervisor PIN still
/// works, and the unkeyed hash is gone from the database.
fn an_unkeyed_hash_is_keyed_at_the_next_good_sign_in(place: &Place) {
    let secret = PinSecret::from_bytes([1; 32]);
    let mut store = place.open();
    let stamp = Stamp { at: now().at, station: "bench-1".into(), operator: "setup".into() };
    let salt = SaltString::encode_b64(&[7; 16]).unwrap();
    let old = Argon2::default().hash_password(b"4321", &salt).unwrap().to_string();
    let id = store.add_operator("lee", Role::Supervisor, &old, &stamp).unwrap();

    let wrong = sign_in(&mut *store, "bench-1", &now(), "lee", "4320", &secret).unwrap_err();
    assert_eq!(wrong.to_string(), "wrong name or PIN");
    assert_eq!(store.operators().unwrap()[0].pin_hash, old, "a wrong PIN changes nothing");

    let signed = sign_in(&mut *store, "bench-1", &now(), "lee", "4321", &secret).unwrap();
    assert_eq!((signed.name.as_str(), signed.role), ("lee", Role::Supervisor));
    let stored = store.operators().unwrap().remove(0).pin_hash;
    assert!(stored.contains(",keyid=c3RhdGlvbjE$"), "{stored}");
    assert!(verify_pin("4321", &stored, &secret));
    let parsed = PasswordHash::new(&stored).unwrap();
    assert!(Argon2::default().verify_password(b"4321", &parsed).is_err(), "no longer searchable without the secret");
    let entries = store.audit_entries("operator", &id.to_string()).unwrap();
    let last = entries.last().unwrap();
    assert_eq!((last.action.as_str(), last.actor.as_str()), ("pin_keyed", "lee"));
    assert!(!last.detail.contains("argon2"), "no hash in the log: {}", last.detail);
    assert!(store.verify().unwrap().is_sound());

    // Keyed now: the next sign-in writes nothing more.
    let before = store.counts().unwrap().audit_entries;
    let again = sign_in(&mut *store, "bench-1", &now(), "lee", "4321", &secret).unwrap();
    assert_eq!(again.rekeyed, None);
    assert_eq!(store.operators().unwrap()[0].pin_hash, stored);
    assert!(store.counts().unwrap().audit_entries <= before + 1, "at most the sign-in's own entry");
}

#[test]
fn a_supervisor_chooses_at_least_six_digits_and_a_clerk_four() {
    let secret = PinSecret::from_bytes([1; 32]);
    for (pin, role, expected) in [
        ("2468", Role::Supervisor, Some("a supervisor's PIN needs at least 6 digits; this one has 4")),
        ("24681", Role::Supervisor, Some("a supervisor's PIN needs at least 6 digits; this one has 5")),
        ("246810", Role::Supervisor, None),
        ("2468", Role::Clerk, None),
        ("246", Role::Clerk, Some("a PIN needs at least 4 digits; this one has 3")),
    ] {
        let checked = check_new_pin(pin, role).err().map(|e| e.to_string());
        assert_eq!(checked.as_deref(), expected, "{role:?} {pin}");
        let hashed = hash_pin(pin, role, &secret).err().map(|e| e.to_string());
        assert_eq!(hashed.as_deref(), expected, "hash_pin {role:?} {pin}");
    }
}

#[test]
fn the_secret_is_outside_the_data_folder_and_no_backup_carries_it() {
    let (data, elsewhere) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let secret = elsewhere.path().join("pin-secret");
    let secret_arg = secret.display().to_string();
    let (ok, _, err) = station(data.path(), &["--pin-secret", &secret_arg, "demo"]);
    assert!(ok, "{err}");
    let bytes = std::fs::read(&secret).unwrap();
    assert_eq!(bytes.len(), 32);
    // Nothing in the data folder holds the secret.
    for entry in walk(data.path()) {
        let held = std::fs::read(&entry).unwrap();
        assert!(!held.windows(32).any(|w| w == bytes.as_slice()), "{} holds the PIN secret", entry.display());
    }
    // A backup is the database only.
    let copy = elsewhere.path().join("backup.sqlite3");
    let (ok, _, err) = station(data.path(), &["backup", &copy.display().to_string()]);
    assert!(ok, "{err}");
    let backup = std::fs::read(&copy).unwrap();
    assert!(!backup.windows(32).any(|w| w == bytes.as_slice()), "the backup holds the PIN secret");
    // A secret inside the data folder is refused, made nowhere.
    let inside = data.path().join("pin-secret");
    let (ok, _, err) = station(data.path(), &["--pin-secret", &inside.display().to_string(), "demo"]);
    assert!(!ok);
    assert!(err.contains("is inside the data folder"), "{err}");
    assert!(!inside.exists());
    assert!(secret_path(Some(&inside), Some(data.path())).is_err());
    // Where a path leads is what counts, not how it is spelled: `..` out of the data folder is outside it, and
    // a way back in (through `..` or a link) is inside. (the path, whether it is inside)
    let cases = [
        (data.path().join("..").join("secret-beside"), false),
        (data.path().join("photos").join("..").join("pin-secret"), true),
        (data.path().join(".").join("pin-secret"), true),
    ];
    for (path, inside) in cases {
        assert_eq!(secret_path(Some(&path), Some(data.path())).is_err(), inside, "{}", path.display());
    }
    #[cfg(unix)]
    {
        let link = elsewhere.path().join("into-data");
        std::os::unix::fs::symlink(data.path(), &link).unwrap();
        assert!(secret_path(Some(&link.join("pin-secret")), Some(data.path())).is_err(), "through a link");
    }
    // The platform's places differ: the preferences folder is not the data folder.
    if let (Some(secret), Some(data)) = (default_secret_path(), default_data_dir()) {
        assert!(!secret.starts_with(&data), "{} is inside {}", secret.display(), data.display());
    }
}

#[cfg(unix)]
#[test]
fn the_secret_file_is_made_readable_by_the_station_user_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let (data, elsewhere) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let secret = elsewhere.path().join("config").join("rma-station").join("pin-secret");
    let secret_arg = secret.display().to_string();
    let data_arg = data.path().display().to_string();
    let out = run_station(&["--data-dir", &data_arg, "--pin-secret", &secret_arg, "demo"], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mode = std::fs::metadata(&secret).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the PIN secret's mode is {mode:o}");
    let first = std::fs::read(&secret).unwrap();
    // Read again, never replaced.
    assert_eq!(PinSecret::load_or_create(&secret).unwrap(), PinSecret::load(&secret).unwrap());
    assert_eq!(std::fs::read(&secret).unwrap(), first);
    // A secret others may read is refused, with what to do.
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
    let refused = PinSecret::load(&secret).unwrap_err().to_string();
    assert!(refused.contains("may be read by other users (mode 644)") && refused.contains("chmod 600"), "{refused}");
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { files.extend(walk(&path)) } else { files.push(path) }
    }
    files
}
