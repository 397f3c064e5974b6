//! The one integration-test binary: each module is a table of cases for one part of the station.
mod scan;
mod support;
mod policy_files;
mod decide_cli;
mod money;
