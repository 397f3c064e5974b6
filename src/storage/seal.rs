//! Records bound to the audit chain: the seal of a record is a hash of its content as stored, carried by
//! the audit entry of every change to it, so the chain vouches for the money, evidence and authority the
//! tables hold, not only for its own entries.
//!
//! Each kind of record that backs money, evidence or authority ([`Kind`]) has a fixed list of columns and of
//! child rows (an order's lines, a sheet's items, a batch's items and files), read by the backend in a fixed
//! order. The seal is `c1:` and the SHA-256 of an explicit encoding of those values: the kind's name, then
//! each row as its number of values and each value as a type tag and its length-prefixed bytes, so no two
//! contents encode alike and a value stored with another type (a number written as text) is a change. The
//! columns are named here, not taken from the table: a migration that adds a column changes no seal until a
//! new version says so. A record that a change removed is sealed as [`ABSENT`].
//!
//! Backend-neutral and pure: a backend reads the values and stores and compares the text.

use sha2::{Digest, Sha256};

/// The encoding version this station writes, the prefix of every seal.
pub const VERSION: &str = "c1";

/// The seal of a record that is not there (a change that removed it).
pub const ABSENT: &str = "absent";

/// A kind of record bound to the chain, named as its audit entries name their entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Order,
    Rma,
    Package,
    Inspection,
    Photo,
    Decision,
    QueueItem,
    ExportBatch,
    Operator,
    StationSetting,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::Order,
        Kind::Rma,
        Kind::Package,
        Kind::Inspection,
        Kind::Photo,
        Kind::Decision,
        Kind::QueueItem,
        Kind::ExportBatch,
        Kind::Operator,
        Kind::StationSetting,
    ];

    /// The audit entity of its entries.
    pub fn entity(self) -> &'static str {
        match self {
            Kind::Order => "order",
            Kind::Rma => "rma",
            Kind::Package => "package",
            Kind::Inspection => "inspection",
            Kind::Photo => "photo",
            Kind::Decision => "decision",
            Kind::QueueItem => "queue_item",
            Kind::ExportBatch => "export_batch",
            Kind::Operator => "operator",
            Kind::StationSetting => "station_setting",
        }
    }

    /// The kind whose entries name this entity.
    pub fn from_entity(entity: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.entity() == entity)
    }

    /// The kind in a sentence.
    pub fn words(self) -> &'static str {
        match self {
            Kind::Order => "order",
            Kind::Rma => "RMA",
            Kind::Package => "package",
            Kind::Inspection => "inspection sheet",
            Kind::Photo => "photo",
            Kind::Decision => "decision",
            Kind::QueueItem => "queue item",
            Kind::ExportBatch => "export batch",
            Kind::Operator => "operator",
            Kind::StationSetting => "station setting",
        }
    }
}

/// A station setting's record id: its key and its station (keys are the station's own words, never `@`).
pub fn setting_id(station: &str, key: &str) -> String {
    format!("{key}@{station}")
}

/// One stored value as the backend read it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a str),
    Bytes(&'a [u8]),
}

/// A record's values into its seal: [`Sealer::row`] for the record's row and then each child row, in the
/// kind's order.
#[derive(Debug)]
pub struct Sealer {
    hasher: Sha256,
}

impl Sealer {
    pub fn new(kind: Kind) -> Sealer {
        let mut sealer = Sealer { hasher: Sha256::new() };
        sealer.part(VERSION.as_bytes());
        sealer.part(kind.entity().as_bytes());
        sealer
    }

    /// Starts a list of child rows (a sheet's items): its name, so that rows cannot slide from one list into
    /// the next.
    pub fn list(&mut self, name: &str) {
        self.part(b"list");
        self.part(name.as_bytes());
    }

    pub fn row(&mut self, values: &[Value<'_>]) {
        self.part(&(values.len() as u64).to_be_bytes());
        for value in values {
            let (tag, bytes): (&[u8], Vec<u8>) = match *value {
                Value::Null => (b"n", Vec::new()),
                Value::Integer(n) => (b"i", n.to_be_bytes().to_vec()),
                Value::Real(x) => (b"r", x.to_bits().to_be_bytes().to_vec()),
                Value::Text(text) => (b"t", text.as_bytes().to_vec()),
                Value::Bytes(bytes) => (b"b", bytes.to_vec()),
            };
            self.part(tag);
            self.part(&bytes);
        }
    }

    pub fn finish(self) -> String {
        format!("{VERSION}:{}", crate::hex::encode(&self.hasher.finalize()))
    }

    fn part(&mut self, bytes: &[u8]) {
        self.hasher.update((bytes.len() as u64).to_be_bytes());
        self.hasher.update(bytes);
    }
}

/// How a record fails its seal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Breach {
    /// The record is not what the latest entry of its changes sealed.
    Changed { seq: i64 },
    /// The latest entry seals a record that is no longer there.
    Gone { seq: i64 },
    /// No entry seals the record.
    Unsealed,
}

/// A record whose content the audit chain does not vouch for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Unsound {
    pub kind: Kind,
    pub id: String,
    pub breach: Breach,
}

impl std::fmt::Display for Unsound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let record = format!("{} {}", self.kind.words(), self.id);
        match self.breach {
            Breach::Changed { seq } => write!(
                f,
                "{record} no longer holds what audit entry {seq} vouches for: it was changed outside the station"
            ),
            Breach::Gone { seq } => write!(
                f,
                "audit entry {seq} vouches for {record}, which is not in the database: it was removed outside the \
                 station"
            ),
            Breach::Unsealed => write!(
                f,
                "{record} has no audit entry that vouches for its content: it was written outside the station"
            ),
        }
    }
}

/// Compares a record's content now with its latest seal, `(seq, seal)` of the entry that wrote it.
pub fn judge(kind: Kind, id: &str, now: Option<&str>, sealed: Option<(i64, &str)>) -> Result<(), Unsound> {
    let breach = match (now, sealed) {
        (None, None) => return Ok(()),
        (None, Some((_, ABSENT))) => return Ok(()),
        (Some(now), Some((_, seal))) if now == seal => return Ok(()),
        (None, Some((seq, _))) => Breach::Gone { seq },
        (Some(_), Some((seq, _))) => Breach::Changed { seq },
        (Some(_), None) => Breach::Unsealed,
    };
    Err(Unsound { kind, id: id.to_owned(), breach })
}
