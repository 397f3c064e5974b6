//! `rma-station classify CODE...`: one JSON object per code, one per line.

use super::{CliError, print};
use crate::domain::scan::Classifier;
use crate::formats::scan_json::classification_json;
use crate::policies::PolicySet;

pub(super) fn run(policies: &PolicySet, codes: &[String]) -> Result<(), CliError> {
    let classifier = Classifier::new(&policies.classifier_config())?;
    let mut out = String::new();
    for code in codes {
        out.push_str(&classification_json(&classifier.classify(code)).to_string());
        out.push('\n');
    }
    print(&out)
}
