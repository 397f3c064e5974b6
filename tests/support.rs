//! Shared test helpers: the built-in policies, deciding a case as JSON, and running the real binary; `pg`, the
//! PostgreSQL tests' server; `place`, a test's database on either backend and `on_both!`.

pub mod cable;
pub mod pg;
pub mod place;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::LazyLock;

use chrono::NaiveDate;
use rma_station::formats::case_json::decide_case_json;
use rma_station::policies::PolicySet;
use serde_json::Value;

/// The station's built-in policies, parsed once for the whole test binary.
pub static POLICIES: LazyLock<PolicySet> =
    LazyLock::new(|| PolicySet::built_in().unwrap_or_else(|e| panic!("built-in policy broken: {e}")));

/// The default decision date of the scenario tables.
pub const TODAY: &str = "2026-11-21";

/// Decides a case (the `decide` input contract) on [`TODAY`] and returns the output JSON.
#[track_caller]
pub fn decide(case: &Value) -> Value {
    decide_on(case, TODAY)
}

/// Decides a case on the given decision date.
#[track_caller]
pub fn decide_on(case: &Value, today: &str) -> Value {
    let today = date(today);
    decide_case_json(&case.to_string(), &POLICIES, today)
        .unwrap_or_else(|e| panic!("case was refused: {e}\ncase: {case:#}"))
}

/// The clock every test runs on: noon (UTC) of [`TODAY`], so no test depends on the real date or crosses
/// midnight.
pub fn clock() -> rma_station::clock::Clock {
    rma_station::clock::Clock::noon_of(date(TODAY))
}

#[track_caller]
pub fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_else(|e| panic!("bad test date {text:?}: {e}"))
}

/// The PIN secret file of the binary's runs: outside every data folder, never the tester's own.
static TEST_SECRET_FILE: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("no temporary folder: {e}"));
    dir.keep().join("pin-secret")
});

/// The station binary cargo built for these tests.
pub fn station_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_rma-station"))
}

/// Runs the station binary with `args`, feeding `stdin`.
pub fn run_station(args: &[&str], stdin: &str) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(station_binary())
        .args(args)
        .env(rma_station::auth::secret::PIN_SECRET_ENV, &*TEST_SECRET_FILE)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start rma-station: {e}"));
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes()).unwrap_or_else(|e| panic!("cannot feed stdin: {e}"));
    }
    child.wait_with_output().unwrap_or_else(|e| panic!("rma-station did not finish: {e}"))
}

/// A file under `tests/fixtures/`.
pub fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(relative)
}

/// The PIN secret of the tests' stations (the real one is a random file outside the data folder).
pub fn pin_secret() -> rma_station::auth::PinSecret {
    rma_station::auth::PinSecret::from_bytes([0x5a; 32])
}

/// The data folder's SQLite file, where a station opened on `dir` keeps its database.
pub fn sqlite_in(dir: &std::path::Path) -> rma_station::storage::location::DatabaseLocation {
    rma_station::storage::location::DatabaseLocation::Sqlite(rma_station::storage::database_path(dir))
}
