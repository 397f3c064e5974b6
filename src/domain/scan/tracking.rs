//! Carrier tracking numbers, recognised with the courier data of tracking_number_data by jkeen (MIT; a copy with
//! its licence is in `assets/tracking-numbers/`, compiled into the binary).
//!
//! For each courier entry the data gives a pattern with named groups, and a validation: a checksum over the
//! `SerialNumber` group checked against the `CheckDigit` group (algorithms as in the data's
//! `CHECKSUM_ALGORITHMS.md`), an optional prefix to put in front of the serial number first, and lookup tables
//! that must contain a group's value. This module compiles that data, given as plain values ([`Courier`]; the JSON
//! is read at the edge, `crate::formats::courier_data`), matches a code against every entry and ranks the
//! matches. It does not decide whether a code is a tracking number rather than a product code or an RMA number
//! (`classify` does), it never reads a file or JSON, and it never contacts a carrier.
//!
//! Rust's `regex` crate runs in linear time but has no look-around, which a few patterns in the data use. Those
//! patterns, and only those, are compiled with `fancy-regex` (a backtracking engine, like the Ruby and JavaScript
//! engines the data is written for). [`CourierData::backtracking_patterns`] lists them, and a test pins the list,
//! so a new one is seen, not slipped in. A pattern neither engine compiles is a load error naming the entry.
//!
//! Where the data alone cannot say what the station needs, the special case is in a table below, keyed by the
//! entry's id, with its reason: which part of a long barcode is the tracking number, and which entry wins when
//! one code fits several.

/// Which part of a long barcode is the tracking number a person would type or a carrier would look up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Extraction {
    /// The last n characters.
    LastDigits(usize),
    /// The `SerialNumber` and `CheckDigit` groups.
    SerialAndCheck,
}

/// Entries whose barcode carries the tracking number inside a longer code. Every other entry's tracking number
/// is the whole code, less a USPS `420` + ZIP routing prefix when the pattern matched one.
const EMBEDDED_TRACKING_NUMBER: &[(&str, Extraction, &str)] = &[
    (
        "fedex_34",
        Extraction::LastDigits(12),
        "the 34-digit FedEx Express barcode ends with the 12-digit tracking number; the digits before it are \
         routing and service data (the 13-digit SerialNumber group is one such digit and the 11 that carry the \
         tracking number's own check digit)",
    ),
    (
        "fedex_ground_gsn",
        Extraction::LastDigits(12),
        "the data's description: the tracking number is in the last twelve digits",
    ),
    (
        "fedex_astra_32",
        Extraction::SerialAndCheck,
        "the data's description: positions 17 through 28 hold a FedEx Express tracking number",
    ),
];

/// When one code fits several entries, the first of a pair here wins over the second. Without a rule, entries
/// whose check digit verified rank above format-only ones, then the data's order. Each pair is a collision
/// between published test numbers of different couriers.
const PRECEDENCE: &[(&str, &str, &str)] = &[
    (
        "usps_impb_c",
        "fedex_34",
        "a 420 + ZIP routing prefix followed by a 92/93/95 serial is the IMpb structure; fedex_34 accepts any 34 \
         digits starting 0-8",
    ),
    (
        "old_dominion:Old Dominion",
        "dhl_express",
        "a fixed 072/777/778/780 prefix with a Luhn check is far narrower than DHL Express's any 10 or 11 digits \
         with a mod 7 check",
    ),
    (
        "purolator_numeric",
        "fedex_12",
        "both are 12 digits with a check digit; Purolator's also fixes the first digit (0-5), so it is the \
         narrower match, and the data publishes such numbers as Purolator",
    ),
    (
        "purolator_alpha",
        "dhl_express_piece_id",
        "neither has a check digit; three letters and nine digits is Purolator's whole format, and the data \
         publishes JFV247545960 as Purolator",
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum CourierDataError {
    /// A courier file its reader at the edge could not turn into courier data, in the reader's words.
    #[error("{file}: not valid courier data: {problem}")]
    Unreadable { file: String, problem: String },
    #[error("{entry}: pattern {pattern:?} compiles with neither regex ({linear}) nor fancy-regex ({backtracking})")]
    Pattern { entry: String, pattern: String, linear: String, backtracking: String },
    #[error("{entry}: checksum {name:?} is not one this station implements")]
    UnknownChecksum { entry: String, name: String },
    #[error("{entry}: checksum {name}: {problem}")]
    ChecksumParameters { entry: String, name: String, problem: String },
    #[error("{entry}: the pattern has no {group} group, which its validation needs")]
    MissingGroup { entry: String, group: String },
    #[error("{entry}: validation needs the additional table {name:?}, which the entry does not have")]
    MissingAdditional { entry: String, name: String },
    #[error("{entry}: lookup row in {table:?} has {problem}")]
    Lookup { entry: String, table: String, problem: String },
    #[error("two courier entries are both known as {0:?}")]
    DuplicateKey(String),
    #[error("a special case in tracking.rs names {0:?}, which is not in the courier data (was it renamed?)")]
    StaleSpecialCase(String),
}

// ---- The data as plain values: what an edge reads from the files, before it is compiled here. ----

/// One courier's file: the courier and its tracking-number entries, in the data's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Courier {
    /// e.g. "United States Postal Service".
    pub name: String,
    /// e.g. `usps`.
    pub courier_code: String,
    pub entries: Vec<CourierEntry>,
}

/// One kind of tracking number: its pattern with named groups and how to validate a match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourierEntry {
    /// e.g. "USPS IMpb C".
    pub name: String,
    /// The data's id; an entry without one is known as `courier_code:name`.
    pub id: Option<String>,
    /// The pattern's source, whole (the data may write it in parts; the edge joins them).
    pub pattern: String,
    pub checksum: Option<ChecksumRule>,
    /// Put `content` in front of the serial number before the checksum when it matches `pattern`.
    pub prepend_if: Option<PrependIf>,
    /// Lookup tables (by name) that must contain their group's value for a match to count.
    pub must_exist: Vec<String>,
    pub lookups: Vec<LookupTable>,
}

/// A checksum as the data names and parameterizes it; which names and parameters are valid is checked here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecksumRule {
    pub name: String,
    pub weightings: Option<Vec<u32>>,
    pub modulo: Option<u32>,
    pub modulo1: Option<u32>,
    pub modulo2: Option<u32>,
    pub evens_multiplier: Option<u32>,
    pub odds_multiplier: Option<u32>,
    pub reverse: Option<bool>,
    pub alphabet: Option<String>,
}

/// The data's `serial_number_format.prepend_if`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrependIf {
    pub pattern: String,
    pub content: String,
}

/// A table of what a group's values mean, e.g. UPS service types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupTable {
    /// e.g. "Service Type".
    pub name: String,
    /// The pattern's group the table looks up.
    pub group: String,
    pub rows: Vec<LookupRow>,
}

/// A row of a lookup table: a value (exactly, or by a pattern) and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupRow {
    pub matches: Option<String>,
    pub matches_regex: Option<String>,
    pub meaning: Option<String>,
}

// ---- Compiled data. ----

#[derive(Debug)]
enum Pattern {
    Linear(regex::Regex),
    Backtracking(fancy_regex::Regex),
}

impl Pattern {
    /// Compiles `source` to match a whole string. Returns whether the backtracking engine was needed.
    fn compile(entry: &str, source: &str) -> Result<(Pattern, bool), CourierDataError> {
        let anchored = format!("^(?:{source})$");
        match regex::Regex::new(&anchored) {
            Ok(re) => Ok((Pattern::Linear(re), false)),
            Err(linear) => match fancy_regex::Regex::new(&anchored) {
                Ok(re) => Ok((Pattern::Backtracking(re), true)),
                Err(backtracking) => Err(CourierDataError::Pattern {
                    entry: entry.to_owned(),
                    pattern: source.to_owned(),
                    linear: linear.to_string(),
                    backtracking: backtracking.to_string(),
                }),
            },
        }
    }

    fn group_names(&self) -> Vec<Option<String>> {
        match self {
            Pattern::Linear(re) => re.capture_names().map(|n| n.map(str::to_owned)).collect(),
            Pattern::Backtracking(re) => re.capture_names().map(|n| n.map(str::to_owned)).collect(),
        }
    }

    /// Byte spans of each capture group, by index; None when the pattern does not match. A backtracking
    /// engine error (its step limit, far beyond what these short patterns on a scan can reach) counts as no match.
    fn spans(&self, text: &str) -> Option<Vec<Option<(usize, usize)>>> {
        match self {
            Pattern::Linear(re) => {
                let caps = re.captures(text)?;
                Some((0..caps.len()).map(|i| caps.get(i).map(|m| (m.start(), m.end()))).collect())
            }
            Pattern::Backtracking(re) => {
                let caps = re.captures(text).ok()??;
                Some((0..caps.len()).map(|i| caps.get(i).map(|m| (m.start(), m.end()))).collect())
            }
        }
    }

    fn is_match(&self, text: &str) -> bool {
        match self {
            Pattern::Linear(re) => re.is_match(text),
            Pattern::Backtracking(re) => re.is_match(text).unwrap_or(false),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Checksum {
    Mod10 { evens_multiplier: Option<u32>, odds_multiplier: Option<u32>, reverse: bool },
    Mod7,
    S10 { weightings: Vec<u32> },
    SumProduct { weightings: Vec<u32>, modulo1: u32, modulo2: u32 },
    Mod37Of36,
    Luhn,
}

#[derive(Debug)]
struct Lookup {
    exact: Option<String>,
    pattern: Option<regex::Regex>,
    meaning: Option<String>,
}

impl Lookup {
    fn matches(&self, value: &str) -> bool {
        self.exact.as_deref() == Some(value) || self.pattern.as_ref().is_some_and(|re| re.is_match(value))
    }
}

#[derive(Debug)]
struct Additional {
    name: String,
    group: usize,
    lookup: Vec<Lookup>,
    /// Validation requires the group's value to be in the table (`validation.additional.exists`).
    must_exist: bool,
}

#[derive(Debug)]
struct Entry {
    key: String,
    courier_code: String,
    courier_name: String,
    service: String,
    pattern: Pattern,
    checksum: Option<Checksum>,
    serial_group: Option<usize>,
    check_group: Option<usize>,
    routing_group: Option<usize>,
    zip_group: Option<usize>,
    zip4_group: Option<usize>,
    prepend_if: Option<(Pattern, String)>,
    additional: Vec<Additional>,
    extraction: Option<Extraction>,
}

/// Something the data says about a tracking number, e.g. "Service Type" = "03" meaning "UPS United States Ground".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingDetail {
    pub name: String,
    pub value: String,
    pub meaning: Option<String>,
}

/// A code recognised as a carrier tracking number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingNumber {
    /// The data's courier code, e.g. `fedex`, `usps`, `ups`.
    pub courier_code: String,
    /// The courier's name, e.g. "United States Postal Service".
    pub courier_name: String,
    /// The data entry's name, e.g. "FedEx Ground" or "USPS IMpb C".
    pub service: String,
    /// The data entry's id, or `courier_code:name` for the few entries without one.
    pub entry: String,
    /// The tracking number as a carrier looks it up: no spaces, upper case, without a `420` + ZIP routing
    /// prefix, and only the tracking part of a longer barcode (FedEx 34-digit).
    pub normalized: String,
    /// The whole code as matched (no spaces, no GS, upper case), when it differs from `normalized`.
    pub barcode: Option<String>,
    /// The destination ZIP (5 or 9 digits) from a `420` routing prefix.
    pub routing_zip: Option<String>,
    /// Whether the entry has a check digit and it verified (true), or the entry is a format check only.
    pub check_digit_verified: bool,
    pub details: Vec<TrackingDetail>,
}

/// The compiled courier data.
#[derive(Debug)]
pub struct CourierData {
    entries: Vec<Entry>,
    backtracking: Vec<String>,
}

impl CourierData {
    /// Compiles the couriers' entries, in order: patterns, checksums, lookup tables, and the special cases above
    /// checked against the entries' keys.
    pub fn compile(couriers: Vec<Courier>) -> Result<CourierData, CourierDataError> {
        let mut data = CourierData { entries: Vec::new(), backtracking: Vec::new() };
        for courier in couriers {
            for raw in courier.entries {
                let entry = data.compile_entry(&courier.name, &courier.courier_code, raw)?;
                if data.entries.iter().any(|e| e.key == entry.key) {
                    return Err(CourierDataError::DuplicateKey(entry.key));
                }
                data.entries.push(entry);
            }
        }
        let special_cases = EMBEDDED_TRACKING_NUMBER
            .iter()
            .map(|(key, _, _)| *key)
            .chain(PRECEDENCE.iter().flat_map(|(winner, loser, _)| [*winner, *loser]));
        for key in special_cases {
            if !data.entries.iter().any(|e| e.key == key) {
                return Err(CourierDataError::StaleSpecialCase(key.to_owned()));
            }
        }
        Ok(data)
    }

    /// Patterns the `regex` crate could not compile (look-around), compiled with `fancy-regex` instead, as
    /// "entry: where" (e.g. "usps_impb_c: regex", "ontrac_c: serial_number_format").
    pub fn backtracking_patterns(&self) -> &[String] {
        &self.backtracking
    }

    /// The keys of all entries (id, or `courier_code:name`), in the data's order.
    pub fn entry_keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.key.as_str())
    }

    fn compile_entry(
        &mut self,
        courier_name: &str,
        courier_code: &str,
        raw: CourierEntry,
    ) -> Result<Entry, CourierDataError> {
        let key = raw.id.clone().unwrap_or_else(|| format!("{courier_code}:{}", raw.name));
        let (pattern, backtracking) = Pattern::compile(&key, &raw.pattern)?;
        if backtracking {
            self.backtracking.push(format!("{key}: regex"));
        }
        let names = pattern.group_names();
        let group = |name: &str| names.iter().position(|n| n.as_deref() == Some(name));
        let missing = |name: &str| CourierDataError::MissingGroup { entry: key.clone(), group: name.to_owned() };

        let checksum = raw.checksum.map(|c| compile_checksum(&key, c)).transpose()?;
        let (serial_group, check_group) = (group("SerialNumber"), group("CheckDigit"));
        if checksum.is_some() {
            serial_group.ok_or_else(|| missing("SerialNumber"))?;
            check_group.ok_or_else(|| missing("CheckDigit"))?;
        }
        let prepend_if = match raw.prepend_if {
            Some(prepend_if) => {
                let (re, backtracking) = Pattern::compile(&key, &prepend_if.pattern)?;
                if backtracking {
                    self.backtracking.push(format!("{key}: serial_number_format"));
                }
                Some((re, prepend_if.content))
            }
            None => None,
        };
        let must_exist = raw.must_exist;
        for name in &must_exist {
            if !raw.lookups.iter().any(|a| &a.name == name) {
                return Err(CourierDataError::MissingAdditional { entry: key.clone(), name: name.clone() });
            }
        }
        let mut additional = Vec::new();
        for table in raw.lookups {
            let group_index = group(&table.group).ok_or_else(|| missing(&table.group))?;
            let mut lookup = Vec::new();
            for row in table.rows {
                let lookup_error = |problem: String| CourierDataError::Lookup {
                    entry: key.clone(),
                    table: table.name.clone(),
                    problem,
                };
                let pattern = match &row.matches_regex {
                    Some(p) => Some(
                        regex::Regex::new(&format!("^(?:{p})$"))
                            .map_err(|e| lookup_error(format!("a matches_regex that does not compile: {e}")))?,
                    ),
                    None => None,
                };
                if row.matches.is_none() && pattern.is_none() {
                    return Err(lookup_error("neither matches nor matches_regex".to_owned()));
                }
                lookup.push(Lookup { exact: row.matches, pattern, meaning: row.meaning });
            }
            additional.push(Additional {
                must_exist: must_exist.contains(&table.name),
                name: table.name,
                group: group_index,
                lookup,
            });
        }
        let extraction = EMBEDDED_TRACKING_NUMBER.iter().find(|(k, _, _)| *k == key).map(|(_, e, _)| *e);
        Ok(Entry {
            courier_code: courier_code.to_owned(),
            courier_name: courier_name.to_owned(),
            service: raw.name,
            checksum,
            serial_group,
            check_group,
            routing_group: group("RoutingApplicationId"),
            zip_group: group("DestinationZip"),
            zip4_group: group("DestinationZipPlus4"),
            prepend_if,
            additional,
            extraction,
            pattern,
            key,
        })
    }

    /// Every tracking-number reading of `code`, best first (see [`PRECEDENCE`]). Spaces and GS separators are
    /// ignored and letters upper-cased, as carriers print numbers in groups. A `420` + ZIP routing prefix (USPS
    /// IMpb, sometimes in front of other carriers' numbers too) is stripped when the rest is a tracking number.
    pub fn identify(&self, code: &str) -> Vec<TrackingNumber> {
        let compact = compact(code);
        if compact.is_empty() {
            return Vec::new();
        }
        let mut found: Vec<TrackingNumber> = self.entries.iter().filter_map(|e| e.identify(&compact)).collect();
        if found.is_empty() {
            found = self.identify_after_routing_prefix(code, &compact);
        }
        rank(found)
    }

    fn identify_after_routing_prefix(&self, code: &str, compact: &str) -> Vec<TrackingNumber> {
        let Some(after_ai) = compact.strip_prefix("420") else {
            return Vec::new();
        };
        let digits_prefix = |n: usize| after_ai.get(..n).filter(|zip| zip.bytes().all(|b| b.is_ascii_digit()));
        // A GS (FNC1) after the ZIP says exactly where it ends; without one, try ZIP and ZIP+4.
        let explicit_zip_len = code
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .strip_prefix("420")
            .and_then(|rest| rest.find(super::framing::GS));
        let lengths: &[usize] = match explicit_zip_len {
            Some(5) => &[5],
            Some(9) => &[9],
            Some(_) => &[],
            None => &[5, 9],
        };
        for &len in lengths {
            let Some(zip) = digits_prefix(len) else {
                continue;
            };
            let rest = &after_ai[len..];
            let found: Vec<TrackingNumber> = self
                .entries
                .iter()
                .filter_map(|e| e.identify(rest))
                .map(|mut t| {
                    t.routing_zip = Some(zip.to_owned());
                    t.barcode = Some(compact.to_owned());
                    t
                })
                .collect();
            if !found.is_empty() {
                return found;
            }
        }
        Vec::new()
    }
}

/// The form the data's patterns are matched against: no whitespace, no GS, upper case.
fn compact(code: &str) -> String {
    code.chars().filter(|c| !c.is_whitespace() && *c != super::framing::GS).flat_map(char::to_uppercase).collect()
}

fn rank(mut found: Vec<TrackingNumber>) -> Vec<TrackingNumber> {
    // Stable: within each group, the data's order.
    found.sort_by_key(|t| !t.check_digit_verified);
    for (winner, loser, _) in PRECEDENCE {
        let position = |key: &str| found.iter().position(|t| t.entry == key);
        if let (Some(w), Some(l)) = (position(winner), position(loser))
            && w > l
        {
            let item = found.remove(w);
            found.insert(l, item);
        }
    }
    found
}

impl Entry {
    fn identify(&self, compact: &str) -> Option<TrackingNumber> {
        let spans = self.pattern.spans(compact)?;
        let text = |index: Option<usize>| -> Option<&str> {
            let (start, end) = (*spans.get(index?)?)?;
            compact.get(start..end)
        };
        if let Some(checksum) = &self.checksum {
            let serial = text(self.serial_group)?;
            let check = text(self.check_group)?;
            let serial = match &self.prepend_if {
                Some((pattern, content)) if pattern.is_match(serial) => {
                    format!("{content}{serial}")
                }
                _ => serial.to_owned(),
            };
            if !checksum.verify(&serial, check) {
                return None;
            }
        }
        let mut details = Vec::new();
        for table in &self.additional {
            let Some(value) = text(Some(table.group)) else {
                if table.must_exist {
                    return None;
                }
                continue;
            };
            let meaning = table.lookup.iter().find(|row| row.matches(value)).map(|row| row.meaning.clone());
            if table.must_exist && meaning.is_none() {
                return None;
            }
            details.push(TrackingDetail {
                name: table.name.clone(),
                value: value.to_owned(),
                meaning: meaning.flatten(),
            });
        }
        let routed = text(self.routing_group).is_some();
        let routing_zip = routed.then(|| {
            let mut zip = text(self.zip_group).unwrap_or_default().to_owned();
            zip.push_str(text(self.zip4_group).unwrap_or_default());
            zip
        });
        let normalized = match self.extraction {
            Some(Extraction::LastDigits(n)) => {
                compact.get(compact.len().saturating_sub(n)..).unwrap_or(compact).to_owned()
            }
            Some(Extraction::SerialAndCheck) => {
                format!("{}{}", text(self.serial_group).unwrap_or_default(), text(self.check_group).unwrap_or_default())
            }
            // The tracking number starts where the serial number does, after a routing prefix.
            None if routed => self
                .serial_group
                .and_then(|g| *spans.get(g)?)
                .and_then(|(start, _)| compact.get(start..))
                .unwrap_or(compact)
                .to_owned(),
            None => compact.to_owned(),
        };
        Some(TrackingNumber {
            courier_code: self.courier_code.clone(),
            courier_name: self.courier_name.clone(),
            service: self.service.clone(),
            entry: self.key.clone(),
            barcode: (normalized != compact).then(|| compact.to_owned()),
            normalized,
            routing_zip,
            check_digit_verified: self.checksum.is_some(),
            details,
        })
    }
}

fn compile_checksum(entry: &str, raw: ChecksumRule) -> Result<Checksum, CourierDataError> {
    let problem = |problem: &str| CourierDataError::ChecksumParameters {
        entry: entry.to_owned(),
        name: raw.name.clone(),
        problem: problem.to_owned(),
    };
    let expect_modulo = |expected: u32| match raw.modulo {
        Some(m) if m != expected => Err(problem(&format!("modulo {m}, expected {expected}"))),
        _ => Ok(()),
    };
    Ok(match raw.name.as_str() {
        "mod10" => {
            expect_modulo(10)?;
            Checksum::Mod10 {
                evens_multiplier: raw.evens_multiplier,
                odds_multiplier: raw.odds_multiplier,
                reverse: raw.reverse.unwrap_or(false),
            }
        }
        "mod7" => {
            expect_modulo(7)?;
            Checksum::Mod7
        }
        "s10" => {
            expect_modulo(11)?;
            Checksum::S10 { weightings: raw.weightings.clone().ok_or_else(|| problem("no weightings"))? }
        }
        "sum_product_with_weightings_and_modulo" => Checksum::SumProduct {
            weightings: raw.weightings.clone().ok_or_else(|| problem("no weightings"))?,
            modulo1: raw.modulo1.filter(|m| *m > 0).ok_or_else(|| problem("no modulo1"))?,
            modulo2: raw.modulo2.filter(|m| *m > 0).ok_or_else(|| problem("no modulo2"))?,
        },
        "mod_37_36" => {
            expect_modulo(36)?;
            if raw.alphabet.as_deref().is_some_and(|a| a != "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
                return Err(problem("an alphabet other than 0-9A-Z"));
            }
            Checksum::Mod37Of36
        }
        // Used by the data (Old Dominion, Purolator) but not described in its CHECKSUM_ALGORITHMS.md: the
        // standard Luhn check (ISO/IEC 7812-1), as the published test numbers confirm.
        "luhn" => {
            expect_modulo(10)?;
            Checksum::Luhn
        }
        _ => {
            return Err(CourierDataError::UnknownChecksum { entry: entry.to_owned(), name: raw.name.clone() });
        }
    })
}

/// Ruby's `String#to_i`: the leading digits as a number, 0 when there are none. The data's algorithms are
/// written in Ruby and rely on this (a letter in a sequence counts as 0).
fn ruby_to_i(text: &str) -> u128 {
    text.bytes()
        .take_while(u8::is_ascii_digit)
        .fold(0u128, |n, b| n.saturating_mul(10).saturating_add(u128::from(b - b'0')))
}

fn char_to_i(ch: char) -> u32 {
    ch.to_digit(10).unwrap_or(0)
}

impl Checksum {
    /// Exactly the algorithms of the data's CHECKSUM_ALGORITHMS.md (Ruby), plus Luhn.
    fn verify(&self, sequence: &str, check_digit: &str) -> bool {
        match self {
            Checksum::Mod10 { evens_multiplier, odds_multiplier, reverse } => {
                let chars: Vec<char> =
                    if *reverse { sequence.chars().rev().collect() } else { sequence.chars().collect() };
                let mut total: u64 = 0;
                for (i, c) in chars.into_iter().enumerate() {
                    // Letters count as (code point - 3) mod 10: how UPS folds letters into its check.
                    let mut x = match c.to_digit(10) {
                        Some(d) => u64::from(d),
                        None => u64::from((u32::from(c) + 7) % 10),
                    };
                    if let Some(m) = odds_multiplier.filter(|_| i % 2 == 1) {
                        x *= u64::from(m);
                    } else if let Some(m) = evens_multiplier.filter(|_| i % 2 == 0) {
                        x *= u64::from(m);
                    }
                    total += x;
                }
                let check = (10 - total % 10) % 10;
                u128::from(check) == ruby_to_i(check_digit)
            }
            Checksum::Mod7 => ruby_to_i(sequence) % 7 == ruby_to_i(check_digit),
            Checksum::S10 { weightings } => {
                // Ruby's zip pads the weights with nil, and nil.to_i is 0.
                let total: u64 = sequence
                    .chars()
                    .enumerate()
                    .map(|(i, c)| u64::from(char_to_i(c)) * u64::from(weightings.get(i).copied().unwrap_or(0)))
                    .sum();
                let check = match total % 11 {
                    1 => 0,
                    0 => 5,
                    remainder => 11 - remainder,
                };
                u128::from(check) == ruby_to_i(check_digit)
            }
            Checksum::SumProduct { weightings, modulo1, modulo2 } => {
                // More characters than weights raises in the Ruby original (nil weight): not valid.
                if sequence.chars().count() > weightings.len() {
                    return false;
                }
                let total: u64 =
                    sequence.chars().zip(weightings).map(|(c, w)| u64::from(char_to_i(c)) * u64::from(*w)).sum();
                u128::from(total % u64::from(*modulo1) % u64::from(*modulo2)) == ruby_to_i(check_digit)
            }
            Checksum::Mod37Of36 => mod_37_36(sequence).is_some_and(|computed| computed.to_string() == check_digit),
            Checksum::Luhn => {
                let mut total = 0;
                for (i, c) in sequence.chars().rev().enumerate() {
                    let Some(mut x) = c.to_digit(10) else {
                        return false;
                    };
                    // Double every second digit, starting with the one next to the check digit.
                    if i % 2 == 0 {
                        x *= 2;
                        if x > 9 {
                            x -= 9;
                        }
                    }
                    total += x;
                }
                u128::from((10 - total % 10) % 10) == ruby_to_i(check_digit)
            }
        }
    }
}

/// ISO 7064 MOD 37,36 as DPD specifies it: the check character for `sequence` (0-9, A-Z), or None for any other
/// character.
fn mod_37_36(sequence: &str) -> Option<char> {
    const MOD: u32 = 36;
    let mut cd = MOD;
    for c in sequence.chars() {
        let value = c.to_digit(36)?;
        cd += value;
        if cd > MOD {
            cd -= MOD;
        }
        cd *= 2;
        if cd > MOD {
            cd -= MOD + 1;
        }
    }
    cd = MOD + 1 - cd;
    if cd == MOD {
        cd = 0;
    }
    char::from_digit(cd, 36).map(|c| c.to_ascii_uppercase())
}
