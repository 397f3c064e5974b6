//! The one integration-test binary: each module is a table of cases for one part of the station.

mod decide_cli;
mod decide_scenarios;
mod gui;
mod money;
mod policy_files;
mod scan;
mod support;
mod tidy;
