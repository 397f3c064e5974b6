//! The courier data's JSON files (tracking_number_data by jkeen, MIT; a copy with its licence is in
//! `assets/tracking-numbers/`, compiled into the binary) read into the domain's plain [`Courier`] values, which
//! `crate::domain::scan::tracking` then compiles and validates (patterns, checksums, lookup tables).
//!
//! The raw types below mirror the files; the `validation` object refuses keys it does not know, so a new kind of
//! rule in the data is an error, not skipped. This module also holds `Classifier::new`, the classifier with the
//! embedded data: the core builds a classifier from values it is given ([`Classifier::with_couriers`]) and never
//! reads JSON. Nothing here reads a file at run time.

use serde::Deserialize;

use crate::domain::scan::tracking::{
    ChecksumRule, Courier, CourierData, CourierDataError, CourierEntry, LookupRow, LookupTable, PrependIf,
};
use crate::domain::scan::{Classifier, ClassifierConfig, ClassifierError};

/// The courier files, compiled in. The station never reads `assets/` (or `../shared`) at run time.
pub const EMBEDDED_FILES: &[(&str, &str)] = &[
    ("amazon.json", include_str!("../../assets/tracking-numbers/amazon.json")),
    ("canadapost.json", include_str!("../../assets/tracking-numbers/canadapost.json")),
    ("canpar.json", include_str!("../../assets/tracking-numbers/canpar.json")),
    ("dhl.json", include_str!("../../assets/tracking-numbers/dhl.json")),
    ("dpd.json", include_str!("../../assets/tracking-numbers/dpd.json")),
    ("fedex.json", include_str!("../../assets/tracking-numbers/fedex.json")),
    ("gofo.json", include_str!("../../assets/tracking-numbers/gofo.json")),
    ("landmark.json", include_str!("../../assets/tracking-numbers/landmark.json")),
    ("lasership.json", include_str!("../../assets/tracking-numbers/lasership.json")),
    ("old_dominion.json", include_str!("../../assets/tracking-numbers/old_dominion.json")),
    ("ontrac.json", include_str!("../../assets/tracking-numbers/ontrac.json")),
    ("purolator.json", include_str!("../../assets/tracking-numbers/purolator.json")),
    ("s10.json", include_str!("../../assets/tracking-numbers/s10.json")),
    ("speedee.json", include_str!("../../assets/tracking-numbers/speedee.json")),
    ("ups.json", include_str!("../../assets/tracking-numbers/ups.json")),
    ("usps.json", include_str!("../../assets/tracking-numbers/usps.json")),
    ("yodel.json", include_str!("../../assets/tracking-numbers/yodel.json")),
    ("yunexpress.json", include_str!("../../assets/tracking-numbers/yunexpress.json")),
];

/// The data's MIT licence, which must travel with it (e.g. shown in the About box).
pub const DATA_LICENSE: &str = include_str!("../../assets/tracking-numbers/LICENSE");

/// The version of tracking_number_data copied, from its VERSION file.
pub const DATA_VERSION: &str = "b79ce4b (2026-08-17)";

impl Classifier {
    /// The classifier with the merchants' patterns of `config` and the embedded courier data.
    pub fn new(config: &ClassifierConfig) -> Result<Classifier, ClassifierError> {
        Classifier::with_couriers(config, embedded()?)
    }
}

/// The embedded courier data, read and compiled.
pub fn embedded() -> Result<CourierData, CourierDataError> {
    read_files(EMBEDDED_FILES)
}

/// Courier data from (file name, JSON text) pairs, read and compiled.
pub fn read_files(files: &[(&str, &str)]) -> Result<CourierData, CourierDataError> {
    let couriers = files.iter().map(|(file, text)| read_courier(file, text)).collect::<Result<Vec<_>, _>>()?;
    CourierData::compile(couriers)
}

/// One courier file's JSON text as plain values; `file` names it in the error.
pub fn read_courier(file: &str, text: &str) -> Result<Courier, CourierDataError> {
    let raw: RawCourier = serde_json::from_str(text)
        .map_err(|e| CourierDataError::Unreadable { file: file.to_owned(), problem: e.to_string() })?;
    Ok(raw.into_courier())
}

// ---- The files' shape. ----

#[derive(Deserialize)]
struct RawCourier {
    name: String,
    courier_code: String,
    tracking_numbers: Vec<RawEntry>,
}

#[derive(Deserialize)]
struct RawEntry {
    name: String,
    id: Option<String>,
    regex: RawRegex,
    #[serde(default)]
    validation: RawValidation,
    #[serde(default)]
    additional: Vec<RawAdditional>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawRegex {
    One(String),
    Parts(Vec<String>),
}

/// Unknown validation keys are an error: a new kind of rule in the data must not be skipped silently.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawValidation {
    checksum: Option<RawChecksum>,
    serial_number_format: Option<RawSerialFormat>,
    additional: Option<RawExists>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChecksum {
    name: String,
    weightings: Option<Vec<u32>>,
    modulo: Option<u32>,
    modulo1: Option<u32>,
    modulo2: Option<u32>,
    evens_multiplier: Option<u32>,
    odds_multiplier: Option<u32>,
    reverse: Option<bool>,
    alphabet: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSerialFormat {
    prepend_if: RawPrependIf,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrependIf {
    matches_regex: String,
    content: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExists {
    exists: Vec<String>,
}

#[derive(Deserialize)]
struct RawAdditional {
    name: String,
    regex_group_name: String,
    lookup: Vec<RawLookup>,
}

/// Lookup rows carry informational fields that vary by table (country, courier_url ...); only these are used.
#[derive(Deserialize)]
struct RawLookup {
    matches: Option<String>,
    matches_regex: Option<String>,
    name: Option<String>,
    courier: Option<String>,
    country: Option<String>,
}

impl RawCourier {
    fn into_courier(self) -> Courier {
        Courier {
            name: self.name,
            courier_code: self.courier_code,
            entries: self.tracking_numbers.into_iter().map(RawEntry::into_entry).collect(),
        }
    }
}

impl RawEntry {
    fn into_entry(self) -> CourierEntry {
        let RawValidation { checksum, serial_number_format, additional } = self.validation;
        CourierEntry {
            name: self.name,
            id: self.id,
            pattern: match self.regex {
                RawRegex::One(source) => source,
                RawRegex::Parts(parts) => parts.concat(),
            },
            checksum: checksum.map(|c| ChecksumRule {
                name: c.name,
                weightings: c.weightings,
                modulo: c.modulo,
                modulo1: c.modulo1,
                modulo2: c.modulo2,
                evens_multiplier: c.evens_multiplier,
                odds_multiplier: c.odds_multiplier,
                reverse: c.reverse,
                alphabet: c.alphabet,
            }),
            prepend_if: serial_number_format
                .map(|f| PrependIf { pattern: f.prepend_if.matches_regex, content: f.prepend_if.content }),
            must_exist: additional.map(|a| a.exists).unwrap_or_default(),
            lookups: self
                .additional
                .into_iter()
                .map(|table| LookupTable {
                    name: table.name,
                    group: table.regex_group_name,
                    rows: table
                        .lookup
                        .into_iter()
                        .map(|row| LookupRow {
                            matches: row.matches,
                            matches_regex: row.matches_regex,
                            // What a value means: its name, else the courier or country it stands for.
                            meaning: row.name.or(row.courier).or(row.country),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}
