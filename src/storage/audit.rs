//! The audit log's hash chain: how an entry is hashed and how a chain is verified.
//!
//! Each entry's hash is SHA-256 over the previous entry's hash and this entry's fields, each field
//! length-prefixed so that no two different entries can serialize alike; an entry that seals a record
//! (`crate::storage::seal`) hashes its seal last. Rewriting any entry breaks
//! every hash after it; rewriting the whole chain changes the latest hash, which is exported on the
//! daily report so that too is detectable. Pure: the store reads and writes the rows.

use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    /// RFC 3339 UTC timestamp.
    pub at: String,
    pub station: String,
    pub actor: String,
    /// What changed: `package`, `inspection`, `decision`, `queue_item`, `import`, `operator`...
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    /// What changed, in words or JSON.
    pub detail: String,
    /// The seal of the record this entry changed (`crate::storage::seal`), for an entry of a change to a
    /// record bound to the chain; `None` for the others and for every entry written before schema 11.
    pub content: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an entry given the previous entry's hash.
pub fn entry_hash(prev_hash: &str, entry: &AuditEntry) -> String {
    let mut hasher = Sha256::new();
    let seq = entry.seq.to_string();
    for field in [
        prev_hash,
        &seq,
        &entry.at,
        &entry.station,
        &entry.actor,
        &entry.entity,
        &entry.entity_id,
        &entry.action,
        &entry.detail,
    ] {
        hasher.update((field.len() as u64).to_le_bytes());
        hasher.update(field.as_bytes());
    }
    // Only an entry with a seal hashes one, so every entry written before seals keeps its hash.
    if let Some(content) = &entry.content {
        hasher.update((content.len() as u64).to_le_bytes());
        hasher.update(content.as_bytes());
    }
    crate::hex::encode(&hasher.finalize())
}

/// Where a chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The entry does not point at the previous entry's hash (an entry was removed or inserted).
    Link { seq: i64 },
    /// The entry's stored hash is not the hash of its fields (the entry was altered).
    Altered { seq: i64 },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Link { seq } => write!(f, "audit entry {seq} does not follow the entry before it"),
            ChainBreak::Altered { seq } => write!(f, "audit entry {seq} was altered after it was written"),
        }
    }
}

/// Follows a chain in sequence order: the number of entries, the first break and the head hash.
#[derive(Debug, Default)]
pub struct ChainCheck {
    last_hash: Option<String>,
    pub entries: u64,
    pub first_break: Option<ChainBreak>,
}

impl ChainCheck {
    /// Reads the next entry in sequence order. Every entry is read, so that the count and the head are
    /// the whole log's, but only the first break is kept.
    pub fn check(&mut self, entry: &AuditEntry) {
        self.entries += 1;
        let expected_prev = self.last_hash.as_deref().unwrap_or(GENESIS);
        let problem = if entry.prev_hash != expected_prev {
            Some(ChainBreak::Link { seq: entry.seq })
        } else if entry_hash(&entry.prev_hash, entry) != entry.hash {
            Some(ChainBreak::Altered { seq: entry.seq })
        } else {
            None
        };
        if self.first_break.is_none() {
            self.first_break = problem;
        }
        self.last_hash = Some(entry.hash.clone());
    }

    /// The hash of the last entry read (the chain's head), or the genesis hash for an empty log.
    pub fn head(&self) -> &str {
        self.last_hash.as_deref().unwrap_or(GENESIS)
    }
}

/// The audit log's latest entry, as printed on the daily report: `seq:hash`. Kept away from the station
/// (on paper, in an email), it makes a rewrite of the whole chain detectable: the entry with that number
/// no longer has that hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditHead {
    /// The entry's number; 0 for an empty log.
    pub seq: i64,
    /// Its hash; [`GENESIS`] for an empty log.
    pub hash: String,
}

impl std::fmt::Display for AuditHead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

/// A saved head that is not `seq:hash` (a number, a colon, 64 lower-case hex digits).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not an audit head; expected the entry number, a colon and its 64 hex digit hash, as `audit head` prints"
)]
pub struct BadAuditHead(pub String);

impl std::str::FromStr for AuditHead {
    type Err = BadAuditHead;

    fn from_str(text: &str) -> Result<AuditHead, BadAuditHead> {
        let bad = || BadAuditHead(text.chars().take(100).collect());
        let (seq, hash) = text.trim().split_once(':').ok_or_else(bad)?;
        let seq: i64 = seq.parse().ok().filter(|seq| *seq >= 0).ok_or_else(bad)?;
        let hash = hash.to_ascii_lowercase();
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        Ok(AuditHead { seq, hash })
    }
}
