//! The merchants' policies the station knows: the built-in files from `assets/policies/` (embedded at
//! build time) and, where the station is given one, a folder of `<merchant>.toml` files that add
//! merchants or replace built-in ones without a rebuild.
//!
//! Each loaded policy keeps the SHA-256 of its file, so a decision records exactly which rules it used.

use std::path::{Path, PathBuf};

use crate::domain::policy::Policy;
use crate::domain::scan::{ClassifierConfig, MerchantPattern};
use crate::formats::policy_toml::{PolicyFileError, parse_policy};

include!(concat!(env!("OUT_DIR"), "/built_in_policies.rs"));

/// One merchant's policy and where it came from.
#[derive(Debug, Clone)]
pub struct LoadedPolicy {
    pub policy: Policy,
    /// File name, or the path of a file from a policy folder.
    pub file: String,
    /// Hex SHA-256 of the file's bytes.
    pub sha256: String,
}

#[derive(Debug, Clone)]
pub struct PolicySet {
    policies: Vec<LoadedPolicy>,
}

#[derive(Debug, thiserror::Error)]
pub enum PolicySetError {
    #[error(transparent)]
    Invalid(#[from] PolicyFileError),
    #[error("{path}: cannot read: {source}")]
    Read { path: PathBuf, source: std::io::Error },
}

impl PolicySet {
    /// The policies shipped with the station. They are checked by the test suite, so a failure here
    /// means a broken build, reported rather than hidden.
    pub fn built_in() -> Result<PolicySet, PolicyFileError> {
        let policies = BUILT_IN_POLICIES.iter().map(|(file, text)| load(file, text)).collect::<Result<Vec<_>, _>>()?;
        Ok(PolicySet { policies })
    }

    /// Adds every `*.toml` in `folder`, replacing a built-in policy of the same merchant.
    pub fn with_folder(mut self, folder: &Path) -> Result<PolicySet, PolicySetError> {
        let read_error = |source| PolicySetError::Read { path: folder.to_path_buf(), source };
        let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
            .map_err(read_error)?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
            .collect();
        files.sort();
        for path in files {
            let text =
                std::fs::read_to_string(&path).map_err(|source| PolicySetError::Read { path: path.clone(), source })?;
            let loaded = load(&path.display().to_string(), &text)?;
            self.policies.retain(|p| p.policy.merchant.id != loaded.policy.merchant.id);
            self.policies.push(loaded);
        }
        self.policies.sort_by(|a, b| a.policy.merchant.id.cmp(&b.policy.merchant.id));
        Ok(self)
    }

    pub fn get(&self, merchant: &str) -> Option<&LoadedPolicy> {
        self.policies.iter().find(|p| p.policy.merchant.id == merchant)
    }

    /// Merchant ids, sorted.
    pub fn merchant_ids(&self) -> Vec<&str> {
        self.policies.iter().map(|p| p.policy.merchant.id.as_str()).collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = &LoadedPolicy> {
        self.policies.iter()
    }

    /// The merchants' RMA and order number patterns, for the scan classifier.
    pub fn classifier_config(&self) -> ClassifierConfig {
        let patterns = |pick: fn(&Policy) -> Option<&String>| {
            self.policies
                .iter()
                .filter_map(|p| {
                    pick(&p.policy).map(|pattern| MerchantPattern {
                        merchant: p.policy.merchant.id.clone(),
                        pattern: pattern.clone(),
                    })
                })
                .collect()
        };
        ClassifierConfig {
            rma_patterns: patterns(|p| p.merchant.rma_number_pattern.as_ref()),
            order_patterns: patterns(|p| p.merchant.order_number_pattern.as_ref()),
        }
    }
}

/// Parses one policy file's text and fingerprints it.
pub fn load(file: &str, text: &str) -> Result<LoadedPolicy, PolicyFileError> {
    let policy = parse_policy(file, text)?;
    Ok(LoadedPolicy { policy, file: file.to_owned(), sha256: sha256_hex(text.as_bytes()) })
}

/// Kept here for the tests and benches that fingerprint files as the policies do; the one implementation
/// is [`crate::hex::sha256_hex`].
pub use crate::hex::sha256_hex;
