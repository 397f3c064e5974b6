//! `rma-station decide CASE.json`: one decision as JSON on standard output.

use std::path::Path;

use chrono::NaiveDate;

use super::{CliError, print, read_input};
use crate::formats::case_json::decide_case_json;
use crate::policies::PolicySet;

pub(super) fn run(case: &Path, policies: &PolicySet, today: NaiveDate) -> Result<(), CliError> {
    let text = read_input(case)?;
    let source_name = if case == Path::new("-") { "<stdin>".to_owned() } else { case.display().to_string() };
    let decision = decide_case_json(&text, policies, today).map_err(|error| CliError::Case { source_name, error })?;
    let mut json = serde_json::to_string_pretty(&decision).map_err(|e| CliError::Output(e.into()))?;
    json.push('\n');
    print(&json)
}
