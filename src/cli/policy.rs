//! `rma-station policy check FILE...` and `rma-station policy show MERCHANT`.

use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::path::PathBuf;

use super::{CliError, print, read_input};
use crate::domain::policy::words::describe;
use crate::policies::{PolicySet, load};

/// Checks every file and reports each one's result; fails if any has an error.
pub(super) fn check(files: &[PathBuf]) -> Result<(), CliError> {
    let mut failed = 0;
    for path in files {
        let text = read_input(path)?;
        match load(&path.display().to_string(), &text) {
            Ok(loaded) => print(&format!(
                "{}: ok ({} rules, merchant {})\n",
                path.display(),
                loaded.policy.clauses().len(),
                loaded.policy.merchant.id
            ))?,
            Err(error) => {
                failed += 1;
                // Errors go to standard error as they are found, so every broken file is listed.
                let _ = writeln!(io::stderr().lock(), "{error}");
            }
        }
    }
    if failed > 0 { Err(CliError::PolicyCheckFailed(failed)) } else { Ok(()) }
}

/// Prints the merchant's rules in plain words.
pub(super) fn show(policies: &PolicySet, merchant: &str) -> Result<(), CliError> {
    let loaded = policies.get(merchant).ok_or_else(|| CliError::UnknownMerchant {
        merchant: merchant.to_owned(),
        known: policies.merchant_ids().join(", "),
    })?;
    let policy = &loaded.policy;
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", policy.merchant.name, policy.merchant.id);
    let _ = writeln!(out, "Source: {}", policy.merchant.source);
    let _ = writeln!(out, "Policy file: {} (sha256 {})", loaded.file, loaded.sha256);
    for section in describe(policy) {
        let _ = writeln!(out, "\n{}", section.title.to_uppercase());
        for rule in section.rules {
            let _ = writeln!(out, "  - {}", rule.words);
            let _ = writeln!(out, "      [{}] \"{}\"", rule.clause.id, rule.clause.text);
        }
    }
    print(&out)
}
