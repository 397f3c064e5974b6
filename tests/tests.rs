//! The one integration-test binary: each module is a table of cases for one part of the station.

// A test fails by panicking: in test code an unwrap or expect is an assertion, helpers included.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail by panicking")]

mod auth;
mod batch_export;
mod batch_immutable;
mod bench;
mod bench_commands;
mod bench_flow;
mod bench_store;
mod contract;
mod dashboard;
mod data_cli;
mod database_location;
mod decide_cli;
mod decide_photo_rule;
mod decide_scenarios;
mod demo;
mod drills;
mod evidence;
mod gui;
mod gui_roles;
mod import_formats;
mod intake;
mod labels;
mod ledger;
mod live_benches;
mod lockout;
mod migrate_from;
mod money;
mod photos;
mod picker;
mod pin_secret;
mod policy_files;
mod ports;
mod postgres_connect;
mod postgres_schema;
mod queue_export;
mod record_hash;
mod return_life;
mod roles;
mod scan;
// Unix only: the scanner tests need a pseudo-terminal, the webcam tests links to `/dev/null`.
#[cfg(unix)]
mod scanner;
// Unix only: links into the data folder are made with `std::os::unix::fs::symlink`.
#[cfg(unix)]
mod safe_output;
mod same_sku;
mod shared_photos;
mod sign_in;
mod status;
mod storage;
mod support;
mod tamper;
mod tidy;
#[cfg(unix)]
mod webcam;
mod workers;
